/* enc.c — hex and base64 through libsodium's constant-time codecs. */
#include <string.h>

#include <sodium.h>

#include "eseal/enc.h"

char *eseal_hex(const uint8_t *data, size_t len)
{
    char *out = eseal_xmalloc(len * 2 + 1);
    sodium_bin2hex(out, len * 2 + 1, data, len);
    return out;
}

eseal_rc eseal_unhex(struct eseal_buf *out, const char *hex, size_t hex_len, struct eseal_err *err)
{
    eseal_buf_reset(out);
    if (hex_len % 2 != 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "hex text has an odd length (%zu)", hex_len);
    eseal_buf_reserve(out, hex_len / 2);
    size_t n = 0;
    const char *end = NULL;
    if (sodium_hex2bin(out->data, hex_len / 2, hex, hex_len, NULL, &n, &end) != 0 ||
        end != hex + hex_len || n != hex_len / 2) {
        return eseal_err_set(err, ESEAL_E_INVALID, "not valid hex text");
    }
    out->len = n;
    out->data[n] = 0;
    return ESEAL_OK;
}

static int sodium_variant(enum eseal_b64 v)
{
    return v == ESEAL_B64_URL ? sodium_base64_VARIANT_URLSAFE_NO_PADDING
                              : sodium_base64_VARIANT_ORIGINAL;
}

char *eseal_base64(const uint8_t *data, size_t len, enum eseal_b64 variant)
{
    int v = sodium_variant(variant);
    size_t n = sodium_base64_encoded_len(len, v);
    char *out = eseal_xmalloc(n);
    sodium_bin2base64(out, n, data, len, v);
    return out;
}

eseal_rc eseal_unbase64(struct eseal_buf *out, const char *text, size_t text_len,
                        enum eseal_b64 variant, struct eseal_err *err)
{
    eseal_buf_reset(out);
    size_t max = text_len / 4 * 3 + 3;
    eseal_buf_reserve(out, max);
    size_t n = 0;
    const char *end = NULL;
    if (sodium_base642bin(out->data, max, text, text_len, NULL, &n, &end,
                          sodium_variant(variant)) != 0 ||
        end != text + text_len) {
        return eseal_err_set(err, ESEAL_E_INVALID, "not valid base64 text");
    }
    out->len = n;
    out->data[n] = 0;
    return ESEAL_OK;
}
