/* fuzz_multipart.c — libFuzzer target for multipart/form-data request
 * bodies (core/multipart.c, RFC 7578): the input's first line is the
 * request's Content-Type header value, the rest the body; every part is
 * read back and looked up by name, and its SM3 checked against a one-shot
 * SM3 of its bytes. The body is then fed again in chunks whose sizes come
 * from the input's bytes (as the HTTP adapter feeds it while it arrives):
 * the result — error and message, or parts, offsets and digests — must be
 * the one-shot parse's. Seeds: bodies made by eseal_multipart_add/finish
 * (the client side) with their content types. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/multipart.h"
#include "eseal/sm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_string(const char *a, const char *b)
{
    return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* parse_chunked feeds |body| in chunks of 1 to 64 bytes, the sizes taken in
 * turn from |data|. */
static eseal_rc parse_chunked(struct eseal_multipart *mp, const char *ct, const uint8_t *body,
                              size_t body_len, const uint8_t *data, size_t size,
                              struct eseal_err *err)
{
    struct eseal_multipart_scan *s = eseal_multipart_scan_new(ct);
    for (size_t at = 0, k = 0; at < body_len; k++) {
        size_t n = (size_t)(data[k % size] & 0x3f) + 1;
        if (n > body_len - at)
            n = body_len - at;
        eseal_multipart_scan_feed(s, body + at, n);
        at += n;
    }
    eseal_rc rc = eseal_multipart_scan_finish(s, mp, body, body_len, 0, err);
    eseal_multipart_scan_free(s);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (nl == NULL)
        return 0;
    size_t ct_len = (size_t)(nl - data);
    char *ct = malloc(ct_len + 1);
    memcpy(ct, data, ct_len);
    ct[ct_len] = '\0';
    const uint8_t *body = nl + 1;
    size_t body_len = size - ct_len - 1;
    struct eseal_multipart mp, chunked;
    eseal_multipart_init(&mp);
    eseal_multipart_init(&chunked);
    struct eseal_err err, chunked_err;
    eseal_err_clear(&err);
    eseal_err_clear(&chunked_err);
    eseal_rc rc = eseal_multipart_parse(&mp, ct, body, body_len, 0, &err);
    if (rc == ESEAL_OK) {
        for (size_t i = 0; i < mp.n; i++) {
            const struct eseal_multipart_part *p = &mp.parts[i];
            uint8_t d[ESEAL_SM3_LEN];
            if (p->name == NULL || p->data < body || p->data + p->len > body + body_len ||
                p->data != body + p->offset || eseal_multipart_find(&mp, p->name) == NULL)
                __builtin_trap();
            eseal_sm3(d, p->data, p->len);
            if (memcmp(d, p->sm3, sizeof(d)) != 0)
                __builtin_trap();
        }
    }
    eseal_rc chunked_rc = parse_chunked(&chunked, ct, body, body_len, data, size, &chunked_err);
    if (chunked_rc != rc || strcmp(chunked_err.msg, err.msg) != 0 || chunked.n != mp.n)
        __builtin_trap();
    for (size_t i = 0; i < mp.n; i++) {
        const struct eseal_multipart_part *a = &mp.parts[i], *b = &chunked.parts[i];
        if (!same_string(a->name, b->name) || !same_string(a->filename, b->filename) ||
            !same_string(a->content_type, b->content_type) || a->offset != b->offset ||
            a->len != b->len || a->data != b->data || memcmp(a->sm3, b->sm3, ESEAL_SM3_LEN) != 0)
            __builtin_trap();
    }
    eseal_multipart_cleanup(&chunked);
    eseal_multipart_cleanup(&mp);
    free(ct);
    return 0;
}
