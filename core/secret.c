/* secret.c — libsodium wrappers: random, compare, wipe, Argon2id, key wrap,
 * AEAD (XChaCha20-Poly1305), key derivation, Ed25519. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "eseal/secret.h"

void eseal_secret_init(void)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "eseal: libsodium failed to initialise\n");
        abort();
    }
}

void eseal_random(void *buf, size_t len)
{
    eseal_secret_init();
    randombytes_buf(buf, len);
}

bool eseal_memeq(const void *a, const void *b, size_t len)
{
    eseal_secret_init();
    return sodium_memcmp(a, b, len) == 0;
}

void eseal_wipe(void *p, size_t len)
{
    if (p != NULL)
        sodium_memzero(p, len);
}

eseal_rc eseal_pwhash(char out[ESEAL_PWHASH_MAX], const void *pw, size_t pw_len,
                      struct eseal_err *err)
{
    eseal_secret_init();
    static_assert(crypto_pwhash_STRBYTES <= ESEAL_PWHASH_MAX, "pwhash string fits");
    if (crypto_pwhash_str_alg(out, pw, pw_len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "Argon2id hashing failed (out of memory?)");
    return ESEAL_OK;
}

eseal_rc eseal_pwhash_verify(const char *hash, const void *pw, size_t pw_len)
{
    eseal_secret_init();
    /* Only Argon2id hashes of ours are accepted: no downgrade to other algs. */
    if (hash == NULL || strncmp(hash, "$argon2id$", 10) != 0 ||
        strnlen(hash, ESEAL_PWHASH_MAX) >= ESEAL_PWHASH_MAX)
        return ESEAL_E_DENIED;
    return crypto_pwhash_str_verify(hash, pw, pw_len) == 0 ? ESEAL_OK : ESEAL_E_DENIED;
}

/* Wrapped blob layout (all integers big-endian):
 *   "ESW1" | alg (1) | opslimit (4) | memlimit KiB (4) | salt (16) | nonce (24) | ct+tag
 * The 53-byte header is the AEAD's associated data, so costs can't be altered. */
#define WRAP_MAGIC "ESW1"
#define WRAP_ALG_ARGON2ID_XCHACHA 1
#define WRAP_SALT_LEN crypto_pwhash_SALTBYTES
#define WRAP_NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define WRAP_HDR_LEN (4 + 1 + 4 + 4 + WRAP_SALT_LEN + WRAP_NONCE_LEN)
#define WRAP_KEY_LEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define WRAP_TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES
/* Costs: interactive-grade Argon2id; keys are unwrapped at daemon start. */
#define WRAP_OPSLIMIT 3U
#define WRAP_MEMLIMIT_KIB (64U * 1024U)
/* Bounds on costs read from a file, so a crafted file can't exhaust us. */
#define WRAP_MAX_OPSLIMIT 16U
#define WRAP_MAX_MEMLIMIT_KIB (1024U * 1024U)

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static eseal_rc derive_key(uint8_t key[WRAP_KEY_LEN], const void *pass, size_t pass_len,
                           const uint8_t *hdr, struct eseal_err *err)
{
    uint32_t ops = get_be32(hdr + 5);
    uint32_t mem_kib = get_be32(hdr + 9);
    const uint8_t *salt = hdr + 13;
    if (crypto_pwhash(key, WRAP_KEY_LEN, pass, pass_len, salt, ops, (size_t)mem_kib * 1024U,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "Argon2id key derivation failed");
    return ESEAL_OK;
}

eseal_rc eseal_wrap(struct eseal_buf *out, const void *pass, size_t pass_len, const void *plain,
                    size_t plain_len, struct eseal_err *err)
{
    eseal_secret_init();
    eseal_buf_reset(out);
    eseal_buf_reserve(out, WRAP_HDR_LEN + plain_len + WRAP_TAG_LEN);
    uint8_t *hdr = out->data;
    memcpy(hdr, WRAP_MAGIC, 4);
    hdr[4] = WRAP_ALG_ARGON2ID_XCHACHA;
    put_be32(hdr + 5, WRAP_OPSLIMIT);
    put_be32(hdr + 9, WRAP_MEMLIMIT_KIB);
    randombytes_buf(hdr + 13, WRAP_SALT_LEN);
    randombytes_buf(hdr + 13 + WRAP_SALT_LEN, WRAP_NONCE_LEN);

    uint8_t key[WRAP_KEY_LEN];
    eseal_rc rc = derive_key(key, pass, pass_len, hdr, err);
    if (rc != ESEAL_OK)
        return rc;
    unsigned long long ct_len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(hdr + WRAP_HDR_LEN, &ct_len, plain, plain_len, hdr,
                                               WRAP_HDR_LEN, NULL, hdr + 13 + WRAP_SALT_LEN, key);
    sodium_memzero(key, sizeof(key));
    out->len = WRAP_HDR_LEN + (size_t)ct_len;
    out->data[out->len] = 0;
    return ESEAL_OK;
}

static eseal_rc check_header(const uint8_t *in, size_t in_len, struct eseal_err *err)
{
    if (in_len < WRAP_HDR_LEN + WRAP_TAG_LEN || memcmp(in, WRAP_MAGIC, 4) != 0 ||
        in[4] != WRAP_ALG_ARGON2ID_XCHACHA)
        return eseal_err_set(err, ESEAL_E_INVALID, "not an eseal wrapped-key blob");
    uint32_t ops = get_be32(in + 5);
    uint32_t mem_kib = get_be32(in + 9);
    if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > WRAP_MAX_OPSLIMIT ||
        (size_t)mem_kib * 1024U < crypto_pwhash_MEMLIMIT_MIN || mem_kib > WRAP_MAX_MEMLIMIT_KIB)
        return eseal_err_set(err, ESEAL_E_INVALID, "wrapped key has out-of-bounds KDF costs");
    return ESEAL_OK;
}

eseal_rc eseal_unwrap(struct eseal_buf *out, const void *pass, size_t pass_len, const uint8_t *in,
                      size_t in_len, struct eseal_err *err)
{
    eseal_secret_init();
    eseal_buf_cleanse(out);
    eseal_rc rc = check_header(in, in_len, err);
    if (rc != ESEAL_OK)
        return rc;
    uint8_t key[WRAP_KEY_LEN];
    rc = derive_key(key, pass, pass_len, in, err);
    if (rc != ESEAL_OK)
        return rc;
    size_t ct_len = in_len - WRAP_HDR_LEN;
    eseal_buf_reserve(out, ct_len);
    unsigned long long n = 0;
    int bad =
        crypto_aead_xchacha20poly1305_ietf_decrypt(out->data, &n, NULL, in + WRAP_HDR_LEN, ct_len,
                                                   in, WRAP_HDR_LEN, in + 13 + WRAP_SALT_LEN, key);
    sodium_memzero(key, sizeof(key));
    if (bad != 0) {
        eseal_buf_cleanse(out);
        return eseal_err_set(
            err, ESEAL_E_CRYPTO,
            "wrong passphrase, or the key file is damaged / 口令错误或密钥文件损坏");
    }
    out->len = (size_t)n;
    out->data[out->len] = 0;
    return ESEAL_OK;
}

static_assert(ESEAL_AEAD_KEY_LEN == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "AEAD key");
static_assert(ESEAL_AEAD_NONCE_LEN == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce");
static_assert(ESEAL_AEAD_TAG_LEN == crypto_aead_xchacha20poly1305_ietf_ABYTES, "tag");
static_assert(ESEAL_KDF_CONTEXT_LEN == crypto_kdf_CONTEXTBYTES, "KDF context");
static_assert(ESEAL_AEAD_KEY_LEN == crypto_kdf_KEYBYTES, "KDF master key");

void eseal_aead_seal(struct eseal_buf *out, const uint8_t key[ESEAL_AEAD_KEY_LEN], const void *ad,
                     size_t ad_len, const void *plain, size_t plain_len)
{
    eseal_secret_init();
    eseal_buf_reserve(out, plain_len + ESEAL_AEAD_OVERHEAD);
    uint8_t *nonce = out->data + out->len;
    randombytes_buf(nonce, ESEAL_AEAD_NONCE_LEN);
    unsigned long long ct_len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + ESEAL_AEAD_NONCE_LEN, &ct_len, plain,
                                               plain_len, ad, ad_len, NULL, nonce, key);
    out->len += ESEAL_AEAD_NONCE_LEN + (size_t)ct_len;
    out->data[out->len] = 0;
}

eseal_rc eseal_aead_open(struct eseal_buf *out, const uint8_t key[ESEAL_AEAD_KEY_LEN],
                         const void *ad, size_t ad_len, const uint8_t *in, size_t in_len,
                         struct eseal_err *err)
{
    eseal_secret_init();
    eseal_buf_cleanse(out);
    if (in_len < ESEAL_AEAD_OVERHEAD)
        return eseal_err_set(err, ESEAL_E_INVALID, "密文过短 / ciphertext too short");
    size_t ct_len = in_len - ESEAL_AEAD_NONCE_LEN;
    eseal_buf_reserve(out, ct_len);
    unsigned long long n = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out->data, &n, NULL, in + ESEAL_AEAD_NONCE_LEN,
                                                   ct_len, ad, ad_len, in, key) != 0) {
        eseal_buf_cleanse(out);
        return eseal_err_set(err, ESEAL_E_CRYPTO,
                             "解密失败：密钥不符或数据被改动 / decryption failed: wrong key, or "
                             "the data was altered");
    }
    out->len = (size_t)n;
    out->data[out->len] = 0;
    return ESEAL_OK;
}

void eseal_kdf(uint8_t *out, size_t out_len, const uint8_t key[ESEAL_AEAD_KEY_LEN], uint64_t id,
               const char context[ESEAL_KDF_CONTEXT_LEN])
{
    eseal_secret_init();
    /* Lengths outside 16..64 are a programming error, not input. */
    if (crypto_kdf_derive_from_key(out, out_len, id, context, key) != 0)
        abort();
}

void eseal_ed25519_keypair(uint8_t pk[ESEAL_ED25519_PK_LEN], uint8_t sk[ESEAL_ED25519_SK_LEN])
{
    eseal_secret_init();
    crypto_sign_ed25519_keypair(pk, sk);
}

void eseal_ed25519_from_seed(uint8_t pk[ESEAL_ED25519_PK_LEN], uint8_t sk[ESEAL_ED25519_SK_LEN],
                             const uint8_t seed[ESEAL_ED25519_SEED_LEN])
{
    eseal_secret_init();
    crypto_sign_ed25519_seed_keypair(pk, sk, seed);
}

void eseal_ed25519_sign(uint8_t sig[ESEAL_ED25519_SIG_LEN], const void *msg, size_t msg_len,
                        const uint8_t sk[ESEAL_ED25519_SK_LEN])
{
    eseal_secret_init();
    crypto_sign_ed25519_detached(sig, NULL, msg, msg_len, sk);
}

eseal_rc eseal_ed25519_verify(const uint8_t sig[ESEAL_ED25519_SIG_LEN], const void *msg,
                              size_t msg_len, const uint8_t pk[ESEAL_ED25519_PK_LEN])
{
    eseal_secret_init();
    return crypto_sign_ed25519_verify_detached(sig, msg, msg_len, pk) == 0 ? ESEAL_OK
                                                                           : ESEAL_E_CRYPTO;
}
