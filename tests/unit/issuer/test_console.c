/* test_console.c — which paths the issuer serves as the console's files, with
 * which content type and which caching. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "console.h"
#include "testutil.h"

static void test_content_types(void **state)
{
    (void)state;
    static const struct {
        const char *path, *type;
    } cases[] = {
        {"index.html", "text/html; charset=utf-8"},
        {"assets/index-1a2b3c4d.js", "text/javascript; charset=utf-8"},
        {"assets/worker.MJS", "text/javascript; charset=utf-8"},
        {"assets/index-1a2b3c4d.css", "text/css; charset=utf-8"},
        {"logo.svg", "image/svg+xml"},
        {"a/b.png", "image/png"},
        {"photo.jpg", "image/jpeg"},
        {"photo.jpeg", "image/jpeg"},
        {"assets/font.woff", "font/woff"},
        {"assets/font.woff2", "font/woff2"},
        {"assets/font.ttf", "font/ttf"},
        {"manifest.json", "application/json; charset=utf-8"},
        {"favicon.ico", "image/x-icon"},
        {"assets/index-1a2b3c4d.js.map", "application/json; charset=utf-8"},
        {"robots.txt", "text/plain; charset=utf-8"},
        /* anything else is not served */
        {"tool.exe", NULL},
        {"page.htm", NULL},
        {"archive.tar.gz", NULL},
        {"README", NULL},
        {".htaccess", NULL},
        {"dir.js/file", NULL},
        {"trailing.", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = console_content_type(cases[i].path);
        if (cases[i].type == NULL && got != NULL)
            fail_msg("%s: got %s, want none", cases[i].path, got);
        if (cases[i].type != NULL && (got == NULL || strcmp(got, cases[i].type) != 0))
            fail_msg("%s: got %s, want %s", cases[i].path, got ? got : "none", cases[i].type);
    }
    assert_true(console_has_extension("assets/app.js"));
    assert_false(console_has_extension("submissions/S00000001"));
    assert_false(console_has_extension("v1.2/seals")); /* only the last segment counts */
    assert_false(console_has_extension(".hidden"));
}

static void test_paths(void **state)
{
    (void)state;
    static const char *const good[] = {"", "index.html", "assets/app-1a2b3c4d.js",
                                       "submissions/S00000001", "a..b/c"};
    static const char *const bad[] = {"..",   "../x",        "a/../b", "a/..",
                                      ".",    "./x",         ".env",   "a/.git/x",
                                      "a//b", "/etc/passwd", "a/",     "a\\..\\b"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!console_path_ok(good[i]))
            fail_msg("%s refused", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (console_path_ok(bad[i]))
            fail_msg("%s accepted", bad[i]);
}

static void test_immutable(void **state)
{
    (void)state;
    assert_true(console_immutable("assets/app-1a2b3c4d.js"));
    assert_true(console_immutable("assets/index-D-xK3a_b.css")); /* Vite 5: base64url */
    assert_true(console_immutable("assets/chunk.1a2b3c4d.js"));
    assert_true(console_immutable("assets/sub/x-1a2b3c4d.woff2"));
    assert_false(console_immutable("assets/plain.css"));
    assert_false(console_immutable("assets/app-1a2b3c.js")); /* too short for a hash */
    assert_false(console_immutable("assets/1a2b3c4d.js"));   /* nothing before it */
    assert_false(console_immutable("index-1a2b3c4d.js"));    /* not under assets/ */
    assert_false(console_immutable("index.html"));
    assert_false(console_immutable("assets/app-1a2b3c4d"));
    assert_false(console_immutable("assets/../app-1a2b3c4d.js"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_types),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_immutable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
