/* kek.h — a key-encryption key for material stores in unit tests: the data
 * key sealed with XChaCha20-Poly1305 under the 32 bytes of |ctx| (the
 * issuer's real one is the CA's platform secret, eseal_ca_wrap_data_key). */
#ifndef ESEAL_TEST_KEK_H
#define ESEAL_TEST_KEK_H

#include "eseal/secret.h"
#include "blob.h"

static inline eseal_rc test_kek_wrap(void *ctx, struct eseal_buf *out, const uint8_t *key,
                                     size_t key_len, struct eseal_err *err)
{
    (void)err;
    eseal_buf_reset(out);
    eseal_aead_seal(out, ctx, "kek", 3, key, key_len);
    return ESEAL_OK;
}

static inline eseal_rc test_kek_unwrap(void *ctx, struct eseal_buf *out, const uint8_t *in,
                                       size_t in_len, struct eseal_err *err)
{
    return eseal_aead_open(out, ctx, "kek", 3, in, in_len, err);
}

/* test_kek returns a KEK over the 32-byte key at |key| (borrowed). */
static inline struct eseal_blob_kek test_kek(uint8_t key[ESEAL_AEAD_KEY_LEN])
{
    struct eseal_blob_kek k = {test_kek_wrap, test_kek_unwrap, key};
    return k;
}

#endif
