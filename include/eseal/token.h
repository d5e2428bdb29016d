/* token.h — the software seal token (软件印章令牌), eseal's stand-in for a
 * USB KEY: an SM2 key generated inside a token directory, usable only after
 * a PIN check with a retry counter, plus the holder certificate and the seal
 * issued for it. A token locked by wrong PINs is reset only with an unlock
 * code signed by the platform (unlock.h). Files, rules and what the lock can
 * and cannot resist: docs/token.md.
 *
 * Files in the token directory (mode 0700), all mode 0600:
 *   token.json  id, public key, PIN failure count, unlock counter, and the
 *               private key wrapped twice (under the PIN, and under the
 *               unlock secret) — never in the clear
 *   unlock.key  the random unlock secret that lets a platform unlock code
 *               re-wrap the key under a new PIN
 *   cert.pem    the holder certificate (after import)
 *   seal.der    the seal, as the platform delivered it (after import)
 *
 * Borrowed pointers (eseal_token_id, _pubkey, _cert, _seal) stay valid
 * until the next call that re-reads the token from disk —
 * eseal_token_unlock_key, _import, _change_pin, _reset_pin — or
 * eseal_token_free: fetch them again after such a call.
 *
 * The private key lives in struct eseal_token only between a successful
 * eseal_token_unlock_key and eseal_token_lock_key / eseal_token_free, and is
 * used only through eseal_token_sign (and the CSR, import and PIN-change
 * calls that need it). */
#ifndef ESEAL_TOKEN_H
#define ESEAL_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/rc.h"
#include "eseal/unlock.h"

/* Environment variables read when no PIN file is given. */
#define ESEAL_TOKEN_PIN_ENV "ESEAL_PIN"
#define ESEAL_TOKEN_NEW_PIN_ENV "ESEAL_NEW_PIN"
/* A PIN has 6..64 characters (UTF-8, no control characters). */
#define ESEAL_TOKEN_PIN_MIN 6
#define ESEAL_TOKEN_PIN_MAX 64
/* After this many wrong PINs in a row the token locks. */
#define ESEAL_TOKEN_MAX_TRIES 6
/* The largest seal file import accepts. */
#define ESEAL_TOKEN_SEAL_MAX (4 * 1024 * 1024)
/* The longest subject string eseal_token_subject_parse accepts. */
#define ESEAL_TOKEN_SUBJECT_MAX 1024

struct eseal_token;

/* eseal_token_pin_check tells whether |pin| is an acceptable PIN: valid
 * UTF-8, ESEAL_TOKEN_PIN_MIN..ESEAL_TOKEN_PIN_MAX characters, no control
 * characters. ESEAL_E_INVALID otherwise; the message never holds the PIN. */
eseal_rc eseal_token_pin_check(const void *pin, size_t pin_len,
                               struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_token_init creates a token in |dir| (made if missing, mode 0700): a
 * random id, a new SM2 key wrapped under |pin| and under a new random unlock
 * secret. A directory already holding any token file is ESEAL_E_CONFLICT and
 * is left untouched; on failure nothing of the new token is left behind. */
eseal_rc eseal_token_init(const char *dir, const void *pin, size_t pin_len,
                          struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_token_open loads the public part of the token in |dir|: id, state,
 * public key, certificate and seal if imported. No PIN is needed. A missing
 * token is ESEAL_E_NOTFOUND; a damaged one ESEAL_E_INVALID. Free *out with
 * eseal_token_free. */
eseal_rc eseal_token_open(struct eseal_token **out, const char *dir,
                          struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_token_free drops the key (if unlocked) and frees |tok|. Accepts NULL. */
void eseal_token_free(struct eseal_token *tok);

/* eseal_token_id returns the token id (16 hex digits; borrowed). */
const char *eseal_token_id(const struct eseal_token *tok);

/* eseal_token_pubkey returns the token's public key (borrowed). */
EVP_PKEY *eseal_token_pubkey(const struct eseal_token *tok);

/* eseal_token_tries_left, _locked and _unlock_counter report the state as
 * last read or written through |tok|: wrong PINs still allowed before the
 * token locks, whether it is locked, and how many unlock codes it has used. */
int eseal_token_tries_left(const struct eseal_token *tok);
bool eseal_token_locked(const struct eseal_token *tok);
uint32_t eseal_token_unlock_counter(const struct eseal_token *tok);

/* eseal_token_cert returns the imported holder certificate (borrowed from
 * |tok|), or NULL if none was imported. */
X509 *eseal_token_cert(const struct eseal_token *tok);

/* eseal_token_seal points *der and *der_len at the imported seal bytes
 * (borrowed from |tok|) and returns true; with no seal imported it sets
 * them to NULL and 0 and returns false. */
bool eseal_token_seal(const struct eseal_token *tok, const uint8_t **der, size_t *der_len);

/* eseal_token_unlock_key checks |pin| and, if right, holds the private key
 * in |tok| for the calls below. The attempt is counted durably BEFORE the
 * PIN is tried and the count reset only after it proved right, so killing
 * the process cannot dodge the counter. A wrong PIN is ESEAL_E_DENIED with
 * the tries left; the ESEAL_TOKEN_MAX_TRIES'th locks the token, and a
 * locked token is ESEAL_E_DENIED even for the right PIN. A PIN of the wrong
 * shape is ESEAL_E_INVALID and not counted. Any key held before is dropped
 * first. */
eseal_rc eseal_token_unlock_key(struct eseal_token *tok, const void *pin, size_t pin_len,
                                struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_token_lock_key drops the private key from |tok| (freed, wiped). */
void eseal_token_lock_key(struct eseal_token *tok);

/* eseal_token_sign signs |msg| with the token key, SM2-with-SM3 and the
 * standard SM2 ID; the DER signature goes into |sig| (replacing it). Needs
 * eseal_token_unlock_key, else ESEAL_E_DENIED. */
eseal_rc eseal_token_sign(struct eseal_token *tok, const void *msg, size_t msg_len,
                          struct eseal_buf *sig, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_token_signer is eseal_token_sign with |tok| as an untyped context, so
 * an unlocked token can be passed wherever a signing callback is taken. */
eseal_rc eseal_token_signer(void *tok, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                            struct eseal_err *err);

/* eseal_token_subject_parse parses a subject the way `openssl req -subj`
 * does: "/type=value/type=value...", types by OpenSSL short or long name
 * (CN, O, OU, L, ST, C, serialNumber, ...), values UTF-8, a backslash
 * escaping the next character ("\/" is a slash). Empty components or
 * values, unknown types, a dangling backslash, control characters or input
 * over ESEAL_TOKEN_SUBJECT_MAX bytes are ESEAL_E_INVALID with a message
 * saying which. *out is the caller's (X509_NAME_free). */
eseal_rc eseal_token_subject_parse(X509_NAME **out, const char *subject,
                                   struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_token_csr writes into |pem| (replacing it) a PKCS#10 request for the
 * token key with |subject| (eseal_token_subject_parse syntax), signed with
 * SM2-with-SM3 and the standard SM2 ID. Needs eseal_token_unlock_key. */
eseal_rc eseal_token_csr(struct eseal_token *tok, const char *subject, struct eseal_buf *pem,
                         struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_token_import stores the holder certificate |cert| (PEM or DER) and,
 * if |seal| is not NULL, the seal bytes as they are (1..ESEAL_TOKEN_SEAL_MAX
 * bytes). The certificate must hold the token's public key; the seal must
 * parse (seal.h), its maker signature verify, and its certList hold the
 * certificate (ESEAL_E_INVALID otherwise, nothing stored). The certificate
 * decides which platform
 * root the token trusts for unlock codes, so it needs
 * eseal_token_unlock_key. A new certificate without a seal removes a seal
 * stored for the previous certificate. */
eseal_rc eseal_token_import(struct eseal_token *tok, const uint8_t *cert, size_t cert_len,
                            const uint8_t *seal, size_t seal_len,
                            struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_token_change_pin re-wraps the key under |new_pin|. Needs
 * eseal_token_unlock_key (with the current PIN). */
eseal_rc eseal_token_change_pin(struct eseal_token *tok, const void *new_pin, size_t new_pin_len,
                                struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_token_reset_pin unlocks a token (口令解锁) with the platform unlock
 * code |code| (PEM or DER): the code must be for this token's id and current
 * unlock counter, and signed by the platform seal maker of the root that
 * issued the token's imported certificate. Then the key is re-wrapped under
 * |new_pin|, the failure count reset and the unlock counter incremented, in
 * one atomic write, so the code cannot be used again. No PIN is needed; the
 * unlock secret (unlock.key) must be in the token directory. A refused code
 * (ESEAL_E_DENIED, ESEAL_E_CRYPTO, ESEAL_E_INVALID) changes nothing. The key
 * is not left unlocked in |tok|. */
eseal_rc eseal_token_reset_pin(struct eseal_token *tok, const uint8_t *code, size_t code_len,
                               const void *new_pin, size_t new_pin_len,
                               struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_token_show returns the token as JSON: dir, id, created, state
 * ("ok" or "locked"), pin_tries_left, pin_max_tries, unlock_counter,
 * public_key_sm3 (SM3 of the SubjectPublicKeyInfo DER), unlock_key_present,
 * certificate (subject, issuer, serial, not_before, not_after,
 * sm3_fingerprint) or null, seal (size, sm3) or null. The caller decrefs it. */
json_t *eseal_token_show(const struct eseal_token *tok);

#endif
