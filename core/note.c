/* note.c — C2SP signed-note verifier keys (Ed25519, algorithm byte 0x01). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "eseal/enc.h"
#include "eseal/note.h"

#define NOTE_ALG_ED25519 0x01

void eseal_note_key_hash(uint8_t out[4], const char *name, const uint8_t pk[ESEAL_ED25519_PK_LEN])
{
    uint8_t alg = NOTE_ALG_ED25519;
    uint8_t d[32];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, name, strlen(name)) != 1 || EVP_DigestUpdate(ctx, "\n", 1) != 1 ||
        EVP_DigestUpdate(ctx, &alg, 1) != 1 ||
        EVP_DigestUpdate(ctx, pk, ESEAL_ED25519_PK_LEN) != 1 ||
        EVP_DigestFinal_ex(ctx, d, NULL) != 1) {
        fprintf(stderr, "eseal: SHA-256 unavailable in OpenSSL\n");
        abort();
    }
    EVP_MD_CTX_free(ctx);
    memcpy(out, d, 4);
}

char *eseal_note_key_format(const char *name, const uint8_t pk[ESEAL_ED25519_PK_LEN])
{
    uint8_t hash[4];
    uint8_t key[1 + ESEAL_ED25519_PK_LEN];
    eseal_note_key_hash(hash, name, pk);
    key[0] = NOTE_ALG_ED25519;
    memcpy(key + 1, pk, ESEAL_ED25519_PK_LEN);
    char *hex = eseal_hex(hash, sizeof(hash));
    char *b64 = eseal_base64(key, sizeof(key), ESEAL_B64_STD);
    char *s = eseal_xasprintf("%s+%s+%s", name, hex, b64);
    free(hex);
    free(b64);
    return s;
}

/* A key name is non-empty, has no '+', whitespace or control characters. */
static int name_ok(const char *s, size_t n)
{
    if (n == 0 || n > ESEAL_NOTE_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+' || c <= ' ' || c == 0x7f)
            return 0;
    }
    return 1;
}

eseal_rc eseal_note_key_parse(const char *text, size_t len, char **name,
                              uint8_t pk[ESEAL_ED25519_PK_LEN], uint8_t key_hash[4],
                              struct eseal_err *err)
{
    *name = NULL;
    if (len > 0 && text[len - 1] == '\n')
        len--;
    const char *p1 = memchr(text, '+', len);
    const char *p2 = p1 != NULL ? memchr(p1 + 1, '+', len - (size_t)(p1 + 1 - text)) : NULL;
    if (p2 == NULL || !name_ok(text, (size_t)(p1 - text)) || p2 - p1 - 1 != 8)
        return eseal_err_set(err, ESEAL_E_INVALID, "not a signed-note verifier key");
    struct eseal_buf hash, key;
    eseal_buf_init(&hash);
    eseal_buf_init(&key);
    eseal_rc rc = ESEAL_OK;
    if (eseal_unhex(&hash, p1 + 1, 8, NULL) != ESEAL_OK ||
        eseal_unbase64(&key, p2 + 1, len - (size_t)(p2 + 1 - text), ESEAL_B64_STD, NULL) !=
            ESEAL_OK ||
        key.len != 1 + ESEAL_ED25519_PK_LEN || key.data[0] != NOTE_ALG_ED25519) {
        rc = eseal_err_set(err, ESEAL_E_INVALID, "not an Ed25519 signed-note verifier key");
        goto out;
    }
    char *n = eseal_xstrndup(text, (size_t)(p1 - text));
    uint8_t want[4];
    eseal_note_key_hash(want, n, key.data + 1);
    if (memcmp(want, hash.data, 4) != 0) {
        free(n);
        rc = eseal_err_set(err, ESEAL_E_INVALID, "verifier key hash does not match name and key");
        goto out;
    }
    *name = n;
    memcpy(pk, key.data + 1, ESEAL_ED25519_PK_LEN);
    if (key_hash != NULL)
        memcpy(key_hash, want, 4);
out:
    eseal_buf_cleanup(&hash);
    eseal_buf_cleanup(&key);
    return rc;
}
