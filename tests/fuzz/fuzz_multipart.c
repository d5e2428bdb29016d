/* fuzz_multipart.c — libFuzzer target for multipart/form-data request
 * bodies (core/multipart.c, RFC 7578): the input's first line is the
 * request's Content-Type header value, the rest the body; every part is
 * read back and looked up by name. Seeds: bodies made by
 * eseal_multipart_add/finish (the client side) with their content types. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    if (eseal_multipart_parse(&mp, ct, body, body_len, 0, NULL) == ESEAL_OK) {
        for (size_t i = 0; i < mp.n; i++) {
            const struct eseal_multipart_part *p = &mp.parts[i];
            if (p->name == NULL || p->data < body || p->data + p->len > body + body_len ||
                eseal_multipart_find(&mp, p->name) == NULL)
                __builtin_trap();
        }
    }
    eseal_multipart_cleanup(&mp);
    free(ct);
    return 0;
}
