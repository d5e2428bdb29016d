/* test_multipart.c — the bounded multipart/form-data parser: curl-style
 * bodies, binary content with CRLFs and NULs, quoting, and every refusal;
 * the builder, round-tripped through the parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/multipart.h"
#include "testutil.h"

#define CT "multipart/form-data; boundary=------------------------abc123"
#define B "--------------------------abc123"

static eseal_rc parse(struct eseal_multipart *mp, const char *ct, const char *body, size_t len)
{
    return eseal_multipart_parse(mp, ct, (const uint8_t *)body, len, 0, NULL);
}

static void test_curl_body(void **state)
{
    (void)state;
    static const char body[] =
        B "\r\n"
          "Content-Disposition: form-data; name=\"letter\"; filename=\"letter.pdf\"\r\n"
          "Content-Type: application/pdf\r\n\r\n"
          "%PDF-1.4\r\n\0binary\r\n--not-the-boundary\r\n"
          "\r\n" B "\r\n"
          "content-disposition: form-data; name=collector_name\r\n\r\n"
          "王五"
          "\r\n" B "--\r\n";
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    assert_int_equal(parse(&mp, CT, body, sizeof(body) - 1), ESEAL_OK);
    assert_int_equal(mp.n, 2);
    assert_string_equal(mp.parts[0].name, "letter");
    assert_string_equal(mp.parts[0].filename, "letter.pdf");
    assert_string_equal(mp.parts[0].content_type, "application/pdf");
    static const char want[] = "%PDF-1.4\r\n\0binary\r\n--not-the-boundary\r\n";
    assert_int_equal(mp.parts[0].len, sizeof(want) - 1);
    assert_memory_equal(mp.parts[0].data, want, sizeof(want) - 1);
    const struct eseal_multipart_part *c = eseal_multipart_find(&mp, "collector_name");
    assert_non_null(c);
    assert_null(c->filename);
    assert_int_equal(c->len, strlen("王五"));
    assert_null(eseal_multipart_find(&mp, "nothing"));
    eseal_multipart_cleanup(&mp);
    assert_int_equal(mp.n, 0);
}

static void test_quoted_boundary_and_preamble(void **state)
{
    (void)state;
    static const char body[] = "preamble to ignore\r\n--a\"b\r\n"
                               "Content-Disposition: form-data; name=\"x\\\"y\"\r\n\r\n"
                               "v\r\n--a\"b--";
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    assert_int_equal(parse(&mp, "Multipart/Form-Data; charset=utf-8; boundary=\"a\\\"b\"", body,
                           sizeof(body) - 1),
                     ESEAL_OK);
    assert_int_equal(mp.n, 1);
    assert_string_equal(mp.parts[0].name, "x\"y");
    assert_int_equal(mp.parts[0].len, 1);
    eseal_multipart_cleanup(&mp);
}

static void refused(const char *ct, const char *body, eseal_rc want, const char *words)
{
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    struct eseal_err err;
    eseal_err_clear(&err);
    eseal_rc rc = eseal_multipart_parse(&mp, ct, (const uint8_t *)body, strlen(body), 0, &err);
    if (rc != want)
        fail_msg("%s: got %s, want %s", body, eseal_rc_name(rc), eseal_rc_name(want));
    if (strstr(err.msg, words) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, words);
    assert_int_equal(mp.n, 0);
    assert_null(mp.parts);
}

static void test_refusals(void **state)
{
    (void)state;
    refused("application/json", "{}", ESEAL_E_INVALID, "multipart/form-data");
    refused(NULL, "", ESEAL_E_INVALID, "multipart/form-data");
    refused("multipart/form-data", "--x\r\n", ESEAL_E_INVALID, "boundary");
    refused("multipart/form-data; boundary=", "--\r\n", ESEAL_E_INVALID, "boundary");
    char longb[120];
    memset(longb, 'b', sizeof(longb));
    snprintf(longb, sizeof(longb), "multipart/form-data; boundary=%075d", 7);
    refused(longb, "--x", ESEAL_E_INVALID, "boundary");
    refused("multipart/form-data; boundary=x", "no delimiter here", ESEAL_E_INVALID, "no boundary");
    refused("multipart/form-data; boundary=x",
            "--x\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue without end",
            ESEAL_E_INVALID, "not terminated");
    refused("multipart/form-data; boundary=x", "--x\r\nContent-Type: text/plain\r\n\r\nv\r\n--x--",
            ESEAL_E_INVALID, "no name");
    refused("multipart/form-data; boundary=x",
            "--x\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--x--", ESEAL_E_INVALID,
            "form-data");
    refused("multipart/form-data; boundary=x",
            "--x\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nv\r\n--x--",
            ESEAL_E_INVALID, "one name");
    refused("multipart/form-data; boundary=x", "--x\r\nbroken header\r\n\r\nv\r\n--x--",
            ESEAL_E_INVALID, "malformed header");
    refused("multipart/form-data; boundary=x", "--xjunk", ESEAL_E_INVALID, "boundary line");
    /* headers over the limit */
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_buf_append_str(&b, "--x\r\nContent-Disposition: form-data; name=a\r\nX-Pad: ");
    for (int i = 0; i < ESEAL_MULTIPART_HEADER_MAX; i++)
        eseal_buf_append_str(&b, "p");
    eseal_buf_append_str(&b, "\r\n\r\nv\r\n--x--");
    refused("multipart/form-data; boundary=x", (const char *)b.data, ESEAL_E_INVALID, "headers");
    /* too many parts */
    eseal_buf_reset(&b);
    for (int i = 0; i <= ESEAL_MULTIPART_MAX_PARTS; i++)
        eseal_buf_appendf(&b, "--x\r\nContent-Disposition: form-data; name=p%d\r\n\r\nv\r\n", i);
    eseal_buf_append_str(&b, "--x--");
    refused("multipart/form-data; boundary=x", (const char *)b.data, ESEAL_E_TOOBIG, "parts");
    eseal_buf_cleanup(&b);
}

static void test_builder_round_trip(void **state)
{
    (void)state;
    struct eseal_multipart_builder b;
    eseal_multipart_builder_init(&b);
    assert_int_equal(strncmp(b.content_type, "multipart/form-data; boundary=eseal-", 36), 0);
    static const uint8_t bin[] = {'%', 'P', 'D', 'F', '\r', '\n', 0, '-', '-', '\r', '\n', 0xff};
    assert_int_equal(eseal_multipart_add(&b, "letter", "/tmp/dir/介绍信.pdf", "application/pdf",
                                         bin, sizeof(bin), NULL),
                     ESEAL_OK);
    assert_int_equal(eseal_multipart_add(&b, "collector_name", NULL, NULL, "王五", 6, NULL),
                     ESEAL_OK);
    assert_int_equal(eseal_multipart_add(&b, "odd\"name", "a\"b\r\n.png", NULL, "", 0, NULL),
                     ESEAL_OK);
    struct eseal_err err;
    assert_int_equal(eseal_multipart_add(&b, "", NULL, NULL, "x", 1, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_multipart_add(&b, "x", NULL, "text/plain\r\nX: y", "x", 1, &err),
                     ESEAL_E_INVALID);
    /* Data holding the boundary would end the part early: refused. */
    assert_int_equal(eseal_multipart_add(&b, "x", NULL, NULL, b.boundary, strlen(b.boundary), &err),
                     ESEAL_E_INVALID);
    assert_int_equal(eseal_multipart_finish(&b, NULL), ESEAL_OK);
    assert_int_equal(eseal_multipart_finish(&b, NULL), ESEAL_OK);
    assert_int_equal(eseal_multipart_add(&b, "late", NULL, NULL, "x", 1, &err), ESEAL_E_INVALID);
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    assert_int_equal(eseal_multipart_parse(&mp, b.content_type, b.body.data, b.body.len, 0, NULL),
                     ESEAL_OK);
    assert_int_equal(mp.n, 3);
    assert_string_equal(mp.parts[0].name, "letter");
    assert_string_equal(mp.parts[0].filename, "介绍信.pdf");
    assert_string_equal(mp.parts[0].content_type, "application/pdf");
    assert_int_equal(mp.parts[0].len, sizeof(bin));
    assert_memory_equal(mp.parts[0].data, bin, sizeof(bin));
    assert_null(mp.parts[1].filename);
    assert_int_equal(mp.parts[1].len, 6);
    assert_memory_equal(mp.parts[1].data, "王五", 6);
    assert_string_equal(mp.parts[2].name, "odd%22name");
    assert_string_equal(mp.parts[2].filename, "a%22b%0D%0A.png");
    assert_int_equal(mp.parts[2].len, 0);
    eseal_multipart_cleanup(&mp);
    eseal_multipart_builder_cleanup(&b);
    /* Two builders get different boundaries; an empty body is refused. */
    struct eseal_multipart_builder c, d;
    eseal_multipart_builder_init(&c);
    eseal_multipart_builder_init(&d);
    assert_string_not_equal(c.boundary, d.boundary);
    assert_int_equal(eseal_multipart_finish(&c, &err), ESEAL_E_INVALID);
    eseal_multipart_builder_cleanup(&c);
    eseal_multipart_builder_cleanup(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curl_body),
        cmocka_unit_test(test_quoted_boundary_and_preamble),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_builder_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
