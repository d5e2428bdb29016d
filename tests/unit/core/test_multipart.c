/* test_multipart.c — the bounded multipart/form-data parser: curl-style
 * bodies, binary content with CRLFs and NULs, quoting, and every refusal;
 * every body also fed in chunks split at each byte and at random, which
 * must give what the one-shot parse gives, with each part's SM3 checked
 * against OpenSSL's; the builder, round-tripped through the parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/multipart.h"
#include "testutil.h"

#define CT "multipart/form-data; boundary=------------------------abc123"
#define B "--------------------------abc123"

/* sm3_of is OpenSSL's SM3, apart from the parser's streaming one. */
static void sm3_of(uint8_t out[ESEAL_SM3_LEN], const uint8_t *data, size_t len)
{
    unsigned int n = 0;
    assert_int_equal(EVP_Digest(data, len, out, &n, EVP_sm3(), NULL), 1);
    assert_int_equal(n, ESEAL_SM3_LEN);
}

static void same_string(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

/* scan_chunked feeds |body| to a scanner in the chunks that |cuts| (n_cuts
 * ascending positions) make and checks the result equals the one-shot
 * |want| (|want_rc|, |want_err|). */
static void scan_chunked(const char *ct, const uint8_t *body, size_t len, size_t max_parts,
                         const size_t *cuts, size_t n_cuts, eseal_rc want_rc,
                         const struct eseal_err *want_err, const struct eseal_multipart *want)
{
    struct eseal_multipart_scan *s = eseal_multipart_scan_new(ct);
    size_t at = 0;
    for (size_t i = 0; i <= n_cuts; i++) {
        size_t to = i < n_cuts ? cuts[i] : len;
        eseal_multipart_scan_feed(s, body + at, to - at);
        at = to;
    }
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    struct eseal_err err;
    eseal_err_clear(&err);
    eseal_rc rc = eseal_multipart_scan_finish(s, &mp, body, len, max_parts, &err);
    eseal_multipart_scan_free(s);
    if (rc != want_rc)
        fail_msg("cut at %zu (+%zu more): got %s, want %s", n_cuts > 0 ? cuts[0] : len,
                 n_cuts > 0 ? n_cuts - 1 : 0, eseal_rc_name(rc), eseal_rc_name(want_rc));
    assert_string_equal(err.msg, want_err->msg);
    assert_int_equal(mp.n, want->n);
    for (size_t i = 0; i < mp.n; i++) {
        const struct eseal_multipart_part *a = &mp.parts[i], *b = &want->parts[i];
        assert_string_equal(a->name, b->name);
        same_string(a->filename, b->filename);
        same_string(a->content_type, b->content_type);
        assert_int_equal(a->offset, b->offset);
        assert_int_equal(a->len, b->len);
        assert_ptr_equal(a->data, body + a->offset);
        assert_memory_equal(a->sm3, b->sm3, ESEAL_SM3_LEN);
    }
    eseal_multipart_cleanup(&mp);
}

/* same_in_chunks parses |body| at once, checks every part's offset and SM3
 * by themselves, then feeds it split at every byte, one byte at a time and
 * in random chunks: each must give the same parts, digests and error. */
static void same_in_chunks(const char *ct, const uint8_t *body, size_t len, size_t max_parts)
{
    struct eseal_multipart want;
    eseal_multipart_init(&want);
    struct eseal_err want_err;
    eseal_err_clear(&want_err);
    eseal_rc want_rc = eseal_multipart_parse(&want, ct, body, len, max_parts, &want_err);
    for (size_t i = 0; i < want.n; i++) {
        uint8_t d[ESEAL_SM3_LEN];
        sm3_of(d, want.parts[i].data, want.parts[i].len);
        assert_memory_equal(want.parts[i].sm3, d, ESEAL_SM3_LEN);
        assert_ptr_equal(want.parts[i].data, body + want.parts[i].offset);
    }
    for (size_t k = 0; k <= len; k++)
        scan_chunked(ct, body, len, max_parts, &k, 1, want_rc, &want_err, &want);
    size_t *cuts = malloc((len + 1) * sizeof(*cuts));
    for (size_t k = 0; k < len; k++)
        cuts[k] = k;
    scan_chunked(ct, body, len, max_parts, cuts, len, want_rc, &want_err, &want);
    unsigned seed = 17; /* fixed: a failure can be replayed */
    for (int round = 0; round < 64; round++) {
        size_t n = 0;
        for (size_t at = 0; (at += (size_t)rand_r(&seed) % 40) < len;)
            cuts[n++] = at;
        scan_chunked(ct, body, len, max_parts, cuts, n, want_rc, &want_err, &want);
    }
    free(cuts);
    eseal_multipart_cleanup(&want);
}

static eseal_rc parse(struct eseal_multipart *mp, const char *ct, const char *body, size_t len)
{
    same_in_chunks(ct, (const uint8_t *)body, len, 0);
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
    same_in_chunks(ct, (const uint8_t *)body, strlen(body), 0);
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
    refused("multipart/form-data; boundary=x", "", ESEAL_E_INVALID, "no boundary");
    refused("multipart/form-data; boundary=x", "--x", ESEAL_E_INVALID, "boundary line");
    refused("multipart/form-data; boundary=x", "--x-", ESEAL_E_INVALID, "boundary line");
    refused("multipart/form-data; boundary=x", "--x \t\r", ESEAL_E_INVALID, "boundary line");
    refused("multipart/form-data; boundary=x", "--x \t-", ESEAL_E_INVALID, "boundary line");
    refused("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=a\r\n",
            ESEAL_E_INVALID, "headers unterminated");
    refused("multipart/form-data; boundary=x", "--x\r\n\r\nv\r\n--x--", ESEAL_E_INVALID, "no name");
}

/* test_near_misses: data full of broken delimiters (a CR before the real
 * CRLF, the boundary cut short or followed by more), padding after a
 * delimiter, an epilogue; split anywhere, the parts and digests stay. */
static void test_near_misses(void **state)
{
    (void)state;
    static const char body[] =
        "pre\r\n--ab\r\r\n--abc\r\n"
        "Content-Disposition: form-data; name=\"a\"\r\n\r\n"
        "\r\r\n-\r\n--\r\n--ab\r\n--abX\r\n--a\rb--abc\r\r\n--ab"
        "\r\n--abc \t\r\n"
        "Content-Disposition: form-data; name=\"empty\"\r\n\r\n"
        "\r\n--abc\r\n"
        "Content-Disposition: form-data; name=\"last\"\r\nContent-Type: text/plain\r\n\r\n"
        "\r"
        "\r\n--abc--epilogue\r\n--abc\r\nignored";
    static const char ct[] = "multipart/form-data; boundary=abc";
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    assert_int_equal(parse(&mp, ct, body, sizeof(body) - 1), ESEAL_OK);
    assert_int_equal(mp.n, 3);
    static const char a[] = "\r\r\n-\r\n--\r\n--ab\r\n--abX\r\n--a\rb--abc\r\r\n--ab";
    assert_int_equal(mp.parts[0].len, sizeof(a) - 1);
    assert_memory_equal(mp.parts[0].data, a, sizeof(a) - 1);
    assert_int_equal(mp.parts[1].len, 0);
    assert_int_equal(mp.parts[2].len, 1);
    eseal_multipart_cleanup(&mp);
    /* A caller's lower limit on parts wins over a later error, split or not. */
    static const char three[] = "--abc\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
                                "--abc\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n"
                                "--abc\r\nContent-Disposition: form-data; name=c\r\n\r\n3\r\n"
                                "--abc\r\nbroken\r\n\r\n";
    same_in_chunks(ct, (const uint8_t *)three, sizeof(three) - 1, 2);
    struct eseal_err err;
    assert_int_equal(
        eseal_multipart_parse(&mp, ct, (const uint8_t *)three, sizeof(three) - 1, 2, &err),
        ESEAL_E_TOOBIG);
    assert_int_equal(
        eseal_multipart_parse(&mp, ct, (const uint8_t *)three, sizeof(three) - 1, 0, &err),
        ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "malformed header"));
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
    same_in_chunks(b.content_type, b.body.data, b.body.len, 0);
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
        cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_builder_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
