/* console.c — the web application's static files: the staff console under
 * /console/ and the applicants' portal under /portal/ (one build, two pages:
 * index.html and portal.html, sharing /console/assets/). The build is read
 * at request time from console_dir, SPA routes answered with the page,
 * hashed assets cached for a year, security headers on each. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console.h"
#include "eseal/buf.h"
#include "eseal/http.h"
#include "internal.h"

#ifndef ESEAL_CONSOLE_DIR
#define ESEAL_CONSOLE_DIR "issuer/console/dist"
#endif

#define FILE_MAX ((size_t)16 * 1024 * 1024) /* the build's files are far smaller */
#define HASH_MIN 8                          /* Vite's content hash */

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"json", "application/json; charset=utf-8"},
    {"ico", "image/x-icon"},
    {"map", "application/json; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
};

/* extension returns the extension of the last segment of |path| (after its
 * last '.', not a leading one), or NULL. */
static const char *extension(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot != NULL && dot != base && dot[1] != '\0' ? dot + 1 : NULL;
}

const char *console_content_type(const char *path)
{
    const char *ext = extension(path);
    for (size_t i = 0; ext != NULL && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcasecmp(ext, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

bool console_has_extension(const char *path)
{
    return extension(path) != NULL;
}

bool console_path_ok(const char *path)
{
    if (path[0] == '\0')
        return true;
    if (strchr(path, '\\') != NULL)
        return false;
    for (const char *p = path;;) {
        size_t n = strcspn(p, "/");
        if (n == 0 || p[0] == '.') /* empty, ".", ".." and hidden alike */
            return false;
        if (p[n] == '\0')
            return true;
        p += n + 1;
    }
}

bool console_immutable(const char *path)
{
    if (strncmp(path, "assets/", 7) != 0 || !console_path_ok(path))
        return false;
    const char *ext = extension(path);
    const char *base = strrchr(path, '/') + 1;
    if (ext == NULL)
        return false;
    size_t stem = (size_t)(ext - 1 - base);
    if (stem < HASH_MIN + 2)
        return false;
    const char *hash = base + stem - HASH_MIN;
    static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    /* the separator before the hash, then the hash itself */
    return (hash[-1] == '-' || hash[-1] == '.') && strspn(hash, b64url) >= HASH_MIN;
}

/* console_dir returns the directory to serve: the configuration's, the
 * installed one next to the binary, or the source tree's build. */
static char *console_dir(const struct eseal_issuer *is)
{
    if (is->cfg.console_dir != NULL)
        return eseal_xstrdup(is->cfg.console_dir);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
            char *dir = eseal_xasprintf("%s/../share/eseal/console", exe);
            struct stat st;
            if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
                return dir;
            free(dir);
        }
    }
    return eseal_xstrdup(ESEAL_CONSOLE_DIR);
}

static void security_headers(struct eseal_http_req *req)
{
    /* nosniff and no-referrer come with every reply (http.c) */
    eseal_http_set_header(req, "Content-Security-Policy", CONSOLE_CSP);
    eseal_http_set_header(req, "X-Frame-Options", "DENY");
}

/* read_file reads the regular file |path| into |out| and makes its ETag;
 * ESEAL_E_NOTFOUND when it is missing or not a regular file. */
static eseal_rc read_file(const char *path, struct eseal_buf *out, char etag[64])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT || errno == ENOTDIR ? ESEAL_E_NOTFOUND : ESEAL_E_IO;
    struct stat st;
    eseal_rc rc = ESEAL_OK;
    if (fstat(fd, &st) != 0)
        rc = ESEAL_E_IO;
    else if (!S_ISREG(st.st_mode))
        rc = ESEAL_E_NOTFOUND;
    else if ((unsigned long long)st.st_size > FILE_MAX)
        rc = ESEAL_E_TOOBIG;
    close(fd);
    if (rc != ESEAL_OK)
        return rc;
    /* size and modification time: a rebuilt file gets a new tag */
    snprintf(etag, 64, "\"%llx-%llx-%lx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec, (unsigned long)st.st_mtim.tv_nsec);
    return eseal_file_read(out, path, FILE_MAX, NULL);
}

/* etag_matches tells whether If-None-Match names |etag| (or is "*"). */
static bool etag_matches(const struct eseal_http_req *req, const char *etag)
{
    const char *inm = eseal_http_header(req, "If-None-Match");
    return inm != NULL && (strcmp(inm, "*") == 0 || strstr(inm, etag) != NULL);
}

static eseal_rc reply_file(struct eseal_http_req *req, const char *path, const char *type,
                           bool immutable)
{
    struct eseal_buf body;
    eseal_buf_init(&body);
    char etag[64];
    eseal_rc rc = read_file(path, &body, etag);
    if (rc != ESEAL_OK) {
        eseal_buf_cleanup(&body);
        return rc;
    }
    eseal_http_set_header(req, "Cache-Control",
                          immutable ? "public, max-age=31536000, immutable" : "no-cache");
    eseal_http_set_header(req, "ETag", etag);
    if (etag_matches(req, etag))
        rc = eseal_http_reply(req, 304, NULL, "", 0);
    else
        rc = eseal_http_reply(req, 200, type, body.data, body.len);
    eseal_buf_cleanup(&body);
    return rc;
}

static const char not_built[] =
    "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head><meta charset=\"utf-8\">"
    "<title>印章管理工作台尚未构建 / console not built</title></head>\n<body>\n"
    "<h1>印章管理工作台尚未构建 / The staff console is not built</h1>\n"
    "<p>控制台目录中没有 index.html。运行 <code>tools/run</code> 会构建它（需要 Node.js），"
    "或在配置项 <code>console_dir</code> 中指定已构建的目录。</p>\n"
    "<p>The console directory has no index.html. <code>tools/run</code> builds it (with "
    "Node.js), or set <code>console_dir</code> to a built one.</p>\n"
    "<p>接口 / the API: <code>/api/v1/</code></p>\n</body>\n</html>\n";

/* reply_index answers with the application's page (index.html or
 * portal.html), or the page saying it is not built. */
static eseal_rc reply_index(struct eseal_http_req *req, const char *dir, const char *page)
{
    char *path = eseal_path_join(dir, page);
    eseal_rc rc = reply_file(req, path, "text/html; charset=utf-8", false);
    free(path);
    if (rc != ESEAL_E_NOTFOUND)
        return rc;
    eseal_http_set_header(req, "Cache-Control", "no-cache");
    return eseal_http_reply(req, 503, "text/html; charset=utf-8", not_built, sizeof(not_built) - 1);
}

static eseal_rc not_found(struct eseal_http_req *req)
{
    return api_reply_error(req, ESEAL_E_NOTFOUND, NULL, "无此文件 / no such file");
}

/* has_escape tells whether the |n| bytes at |s| hold |esc| ("%2f"), any case. */
static bool has_escape(const char *s, size_t n, const char *esc)
{
    size_t m = strlen(esc);
    for (size_t i = 0; i + m <= n; i++)
        if (strncasecmp(s + i, esc, m) == 0)
            return true;
    return false;
}

/* serve answers GET /console/{path*} (files of the build, |page| for the
 * rest) and GET /portal/{path*} (|page| only: its assets are /console/'s). */
static eseal_rc serve(struct eseal_http_req *req, void *app, const char *page, bool files)
{
    const char *rel = eseal_http_param(req, "path");
    security_headers(req);
    /* A dot segment inside {path*} lands here, and so does an encoded
     * slash or backslash: the decoded path no longer shows it. */
    const char *target = eseal_http_target(req);
    size_t raw_len = strcspn(target, "?");
    if (rel == NULL || !console_path_ok(rel) || has_escape(target, raw_len, "%2f") ||
        has_escape(target, raw_len, "%5c"))
        return not_found(req);
    char *dir = console_dir(app);
    eseal_rc rc;
    if (rel[0] == '\0') {
        rc = reply_index(req, dir, page);
    } else if (!files) {
        rc = console_has_extension(rel) ? ESEAL_E_NOTFOUND : reply_index(req, dir, page);
        if (rc == ESEAL_E_NOTFOUND)
            rc = not_found(req);
    } else {
        const char *type = console_content_type(rel);
        char *path = eseal_path_join(dir, rel);
        rc = type != NULL ? reply_file(req, path, type, console_immutable(rel)) : ESEAL_E_NOTFOUND;
        free(path);
        /* a client-side route (/console/submissions/S00000001) is the app's */
        if (rc == ESEAL_E_NOTFOUND && !console_has_extension(rel))
            rc = reply_index(req, dir, page);
        if (rc == ESEAL_E_NOTFOUND)
            rc = not_found(req);
    }
    free(dir);
    if (rc != ESEAL_OK && rc != ESEAL_E_NOTFOUND)
        return api_reply_error(req, rc, NULL, "读取控制台文件失败 / cannot read a console file");
    return ESEAL_OK;
}

eseal_rc api_console_file(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return serve(req, app, "index.html", true);
}

eseal_rc api_portal_file(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return serve(req, app, "portal.html", false);
}

/* redirect answers a page's bare name (/console, /portal) with its folder. */
static eseal_rc redirect(struct eseal_http_req *req, unsigned status, const char *to)
{
    security_headers(req);
    eseal_http_set_header(req, "Location", to);
    char body[32];
    int n = snprintf(body, sizeof(body), "%s\n", to);
    return eseal_http_reply(req, status, "text/plain; charset=utf-8", body, (size_t)n);
}

eseal_rc api_console_redirect(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)app;
    (void)err;
    return redirect(req, 301, "/console/");
}

eseal_rc api_portal_redirect(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)app;
    (void)err;
    return redirect(req, 301, "/portal/");
}

eseal_rc api_root(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)app;
    (void)err;
    return redirect(req, 302, "/console/");
}
