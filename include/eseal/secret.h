/* secret.h — libsodium behind one door: randomness, constant-time compare,
 * wiping, Argon2id password hashes, passphrase key wrapping
 * (XChaCha20-Poly1305 under an Argon2id-derived key) and Ed25519. */
#ifndef ESEAL_SECRET_H
#define ESEAL_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

/* eseal_secret_init initialises libsodium; safe to call many times and from
 * several threads. Every function below calls it itself. */
void eseal_secret_init(void);

/* eseal_random fills |buf| with |len| bytes from the OS CSPRNG. */
void eseal_random(void *buf, size_t len);

/* eseal_memeq compares in time independent of the contents. */
bool eseal_memeq(const void *a, const void *b, size_t len);

/* eseal_wipe zeroes |len| bytes at |p| in a way the compiler keeps. */
void eseal_wipe(void *p, size_t len);

/* ESEAL_PWHASH_MAX bounds the text of a password hash, with its NUL. */
#define ESEAL_PWHASH_MAX 128

/* eseal_pwhash writes the Argon2id hash string ("$argon2id$v=19$...") of
 * |pw| into |out| (self-describing: salt and costs included). */
eseal_rc eseal_pwhash(char out[ESEAL_PWHASH_MAX], const void *pw, size_t pw_len,
                      struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_pwhash_verify checks |pw| against |hash|: ESEAL_OK on a match,
 * ESEAL_E_DENIED otherwise (also for a malformed hash string). */
eseal_rc eseal_pwhash_verify(const char *hash, const void *pw, size_t pw_len) ESEAL_MUST_CHECK;

/* eseal_wrap encrypts |plain| under a key derived from |pass| with Argon2id
 * (fresh random salt) using XChaCha20-Poly1305 (fresh random nonce). The
 * output is self-describing: magic, KDF costs, salt, nonce, ciphertext; the
 * header is authenticated too. |out| is replaced. */
eseal_rc eseal_wrap(struct eseal_buf *out, const void *pass, size_t pass_len, const void *plain,
                    size_t plain_len, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_unwrap reverses eseal_wrap into |out| (replacing it; cleanse it when
 * done). A wrong passphrase or any change to |in| is ESEAL_E_CRYPTO; a
 * malformed blob or KDF costs beyond sane bounds ESEAL_E_INVALID. */
eseal_rc eseal_unwrap(struct eseal_buf *out, const void *pass, size_t pass_len, const uint8_t *in,
                      size_t in_len, struct eseal_err *err) ESEAL_MUST_CHECK;

/* ESEAL_AEAD_* are the sizes of XChaCha20-Poly1305 (IETF): a 256-bit key,
 * a 192-bit random nonce (safe to draw at random for every message), a
 * 128-bit tag. A sealed message is nonce || ciphertext || tag. */
#define ESEAL_AEAD_KEY_LEN 32
#define ESEAL_AEAD_NONCE_LEN 24
#define ESEAL_AEAD_TAG_LEN 16
#define ESEAL_AEAD_OVERHEAD (ESEAL_AEAD_NONCE_LEN + ESEAL_AEAD_TAG_LEN)

/* eseal_aead_seal encrypts |plain| under |key| with XChaCha20-Poly1305 and a
 * fresh random nonce, authenticating |ad| too (not stored: the reader must
 * supply the same bytes), and APPENDS nonce || ciphertext || tag
 * (|plain_len| + ESEAL_AEAD_OVERHEAD bytes) to |out|, so a caller can write
 * its own header first. */
void eseal_aead_seal(struct eseal_buf *out, const uint8_t key[ESEAL_AEAD_KEY_LEN], const void *ad,
                     size_t ad_len, const void *plain, size_t plain_len);

/* eseal_aead_open reverses eseal_aead_seal: |in| is nonce || ciphertext ||
 * tag; the plaintext replaces |out|'s contents. Input too short to hold a
 * nonce and a tag is ESEAL_E_INVALID; a wrong key, other |ad| or any change
 * to |in| is ESEAL_E_CRYPTO, with |out| wiped and empty. */
eseal_rc eseal_aead_open(struct eseal_buf *out, const uint8_t key[ESEAL_AEAD_KEY_LEN],
                         const void *ad, size_t ad_len, const uint8_t *in, size_t in_len,
                         struct eseal_err *err) ESEAL_MUST_CHECK;

/* ESEAL_KDF_CONTEXT_LEN is the length of a key-derivation context label. */
#define ESEAL_KDF_CONTEXT_LEN 8

/* eseal_kdf derives the subkey number |id| for the purpose |context|
 * (exactly ESEAL_KDF_CONTEXT_LEN characters, e.g. "eSealDEK") from the
 * 32-byte master key |key| into |out| (16 to 64 bytes): libsodium's
 * crypto_kdf (BLAKE2b), so subkeys of different ids or contexts are
 * independent of each other and of the master key's other uses. */
void eseal_kdf(uint8_t *out, size_t out_len, const uint8_t key[ESEAL_AEAD_KEY_LEN], uint64_t id,
               const char context[ESEAL_KDF_CONTEXT_LEN]);

#define ESEAL_ED25519_PK_LEN 32
#define ESEAL_ED25519_SK_LEN 64 /* seed || public key, libsodium's layout */
#define ESEAL_ED25519_SEED_LEN 32
#define ESEAL_ED25519_SIG_LEN 64

/* eseal_ed25519_keypair makes a new key pair. */
void eseal_ed25519_keypair(uint8_t pk[ESEAL_ED25519_PK_LEN], uint8_t sk[ESEAL_ED25519_SK_LEN]);

/* eseal_ed25519_from_seed derives the key pair for a 32-byte seed. */
void eseal_ed25519_from_seed(uint8_t pk[ESEAL_ED25519_PK_LEN], uint8_t sk[ESEAL_ED25519_SK_LEN],
                             const uint8_t seed[ESEAL_ED25519_SEED_LEN]);

/* eseal_ed25519_sign writes the detached signature of |msg| into |sig|. */
void eseal_ed25519_sign(uint8_t sig[ESEAL_ED25519_SIG_LEN], const void *msg, size_t msg_len,
                        const uint8_t sk[ESEAL_ED25519_SK_LEN]);

/* eseal_ed25519_verify: ESEAL_OK if |sig| is valid, else ESEAL_E_CRYPTO. */
eseal_rc eseal_ed25519_verify(const uint8_t sig[ESEAL_ED25519_SIG_LEN], const void *msg,
                              size_t msg_len,
                              const uint8_t pk[ESEAL_ED25519_PK_LEN]) ESEAL_MUST_CHECK;

#endif
