/* ca.h — the platform certificate authority (libeseal-ca).
 *
 * The hierarchy, all SM2 with SM3 and the standard SM2 ID:
 *   root CA (self-signed)
 *    ├── seal maker       signs seals (GB/T 38540 SESeal)
 *    ├── status responder signs status responses, lists, CRLs, OCSP
 *    └── holder certificates issued from PKCS#10 requests (unit, personal, device)
 * plus an Ed25519 key that signs event-log checkpoints (C2SP signed notes).
 *
 * Files in the CA directory (private keys only wrapped, files mode 0600):
 *   root.pem root.key maker.pem maker.key responder.pem responder.key
 *   log.key log.pub (C2SP verifier key) log.pub.pem (SPKI)
 *   tsa.pem tsa.key (the time-stamp authority, RFC 3161; ca/tsa.c)
 *   commit.key (the platform secret for HMAC-SM3 commitments) ca.json
 * Private keys stay inside struct eseal_ca and are used only through the
 * narrow signing calls below, and a process unlocks only the keys it uses
 * (ESEAL_CA_UNLOCK_*).
 *
 * Thread-safety: once unlocked, the signing calls (eseal_ca_sign, _issue,
 * _sign_crl, _sign_ocsp, _unlock_code, _log_sign and the signer callbacks)
 * and the getters may run from several threads at once; eseal_ca_unlock and
 * eseal_ca_free must not race with any other call on the same CA. */
#ifndef ESEAL_CA_H
#define ESEAL_CA_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/rc.h"
#include "eseal/secret.h"

struct eseal_ca;
struct eseal_log_signer;

/* The environment variable read when no passphrase file is given. */
#define ESEAL_CA_PASSPHRASE_ENV "ESEAL_PASSPHRASE"
/* A CA passphrase shorter than this is refused at init. */
#define ESEAL_CA_PASSPHRASE_MIN 8

enum eseal_ca_role {
    ESEAL_CA_ROOT,
    ESEAL_CA_MAKER,
    ESEAL_CA_RESPONDER,
};

enum eseal_ca_profile {
    ESEAL_CA_PROFILE_UNIT,     /* O = unit name, serialNumber = USCC */
    ESEAL_CA_PROFILE_PERSONAL, /* CN = person's name, serialNumber = ID number */
    ESEAL_CA_PROFILE_DEVICE,   /* CN = the device's name */
};

/* struct eseal_ca_init_opts: NULL fields take the defaults. */
struct eseal_ca_init_opts {
    const char *org;          /* organisation (O) in every platform subject; default
                               * "福建省电子印章服务平台" */
    const char *root_cn;      /* the root's CN; default org + "根证书" */
    const char *maker_cn;     /* the seal maker's CN; default org + "制章证书". Tokens
                               * recognise the maker by its extended key usage
                               * ESEAL_PLATFORM_MAKER_EKU, not by this name (unlock.h) */
    const char *responder_cn; /* the status responder's CN; default org + "状态签名证书" */
    /* The TSA's CN is org + "时间戳服务". */
    const char *log_origin; /* checkpoint origin line; default has a random suffix */
    int root_days;          /* default 7300 */
    int service_days;       /* maker and responder; default 3650 */
};

/* eseal_ca_init creates a new CA in |dir| (made if missing, mode 0700) with
 * every key wrapped under |pass|. An existing CA (any of its files present)
 * is ESEAL_E_CONFLICT and nothing is touched. On failure no file of the new
 * CA is left behind. */
eseal_rc eseal_ca_init(const char *dir, const void *pass, size_t pass_len,
                       const struct eseal_ca_init_opts *opts,
                       struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ca_open loads the public part of the CA in |dir| (certificates, log
 * public key, origin). Free with eseal_ca_free. */
eseal_rc eseal_ca_open(struct eseal_ca **out, const char *dir,
                       struct eseal_err *err) ESEAL_MUST_CHECK;

/* The private keys of a CA, as bits for eseal_ca_unlock: a process unlocks
 * only the keys it uses (docs/ca.md), so that a compromise of, say, the
 * internet-facing publisher does not hand out the root key.
 *   publisher        ESEAL_CA_UNLOCK_RESPONDER
 *   issuer           ROOT (certificates), MAKER (seals, unlock codes), LOG,
 *                    COMMIT
 *   eseal ca issue   ROOT;  eseal ca unlock-code, eseal seal make  MAKER;
 *   eseal log append LOG
 * and the platform secret (COMMIT): the HMAC-SM3 key behind the commitments
 * public log entries carry instead of personal data (eseal_ca_commit). */
enum {
    ESEAL_CA_UNLOCK_ROOT = 1u << ESEAL_CA_ROOT,
    ESEAL_CA_UNLOCK_MAKER = 1u << ESEAL_CA_MAKER,
    ESEAL_CA_UNLOCK_RESPONDER = 1u << ESEAL_CA_RESPONDER,
    ESEAL_CA_UNLOCK_LOG = 1u << 3,
    ESEAL_CA_UNLOCK_COMMIT = 1u << 4,
    ESEAL_CA_UNLOCK_TSA = 1u << 5, /* the time-stamp key: only the publisher */
    ESEAL_CA_UNLOCK_ALL = 0x3f,
};

/* eseal_ca_unlock decrypts the private keys named by |keys| (ESEAL_CA_UNLOCK_*
 * bits) into |ca|; keys already unlocked stay, the others stay locked and
 * every call that needs one of them is ESEAL_E_DENIED. A CA made before the
 * platform secret existed has no commit.key: unlocking COMMIT then checks
 * |pass| against the root key and creates it (mode 0600, wrapped like the
 * other keys), so an existing platform gains it on its issuer's next start.
 * All or nothing: on
 * failure no key of this call is kept. A wrong passphrase is ESEAL_E_CRYPTO,
 * no or unknown bits ESEAL_E_INVALID. Not thread-safe: unlock before the
 * CA is shared. */
eseal_rc eseal_ca_unlock(struct eseal_ca *ca, unsigned keys, const void *pass, size_t pass_len,
                         struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ca_open_unlocked is eseal_ca_open then eseal_ca_unlock of |keys|
 * with the passphrase read from |passphrase_file|, or from ESEAL_PASSPHRASE
 * when it is NULL (wiped after use). On failure *out is NULL. */
eseal_rc eseal_ca_open_unlocked(struct eseal_ca **out, const char *dir, unsigned keys,
                                const char *passphrase_file,
                                struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ca_free wipes the keys and frees |ca|. Accepts NULL. */
void eseal_ca_free(struct eseal_ca *ca);

/* eseal_ca_cert returns the certificate of |role| (borrowed from |ca|). */
X509 *eseal_ca_cert(const struct eseal_ca *ca, enum eseal_ca_role role);

/* eseal_ca_retired returns the certificates of |role| (maker or responder)
 * that rotations replaced, read from DIR/retired/ and checked to come from
 * the root (borrowed from |ca|; an empty stack when there are none, NULL for
 * the root). Expired ones are included: callers judge validity. */
STACK_OF(X509) * eseal_ca_retired(const struct eseal_ca *ca, enum eseal_ca_role role);

/* eseal_ca_rotate gives the CA in |dir| a new key and certificate for
 * |role| (ESEAL_CA_MAKER or ESEAL_CA_RESPONDER): a fresh SM2 key, wrapped
 * under |pass|, certified by the root with the same subject and extensions
 * as the old one, valid |days| (0: 3650) but never past the root. |pass|
 * must open the root and the old key (a wrong one changes nothing). The old
 * certificate is kept as retired/<role>-<serial>.pem, so what it signed
 * stays verifiable; the old private key is destroyed. Processes that hold
 * the CA open keep using the old key until they open it again. *event is
 * the rotation as log-entry data ({"role", "old": {...}, "new": {...}},
 * each with serial, sm3, not_before, not_after; the caller decrefs it). */
eseal_rc eseal_ca_rotate(const char *dir, enum eseal_ca_role role, const void *pass,
                         size_t pass_len, int days, json_t **event,
                         struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ca_dir returns the directory |ca| was opened from. */
const char *eseal_ca_dir(const struct eseal_ca *ca);

/* eseal_ca_profile_parse maps "unit", "personal", "device" to a profile. */
eseal_rc eseal_ca_profile_parse(const char *name, enum eseal_ca_profile *out,
                                struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ca_issue checks the PKCS#10 request |csr| (PEM or DER): it must parse,
 * hold an SM2 key, be signed with SM2-with-SM3 and verify with the standard ID
 * (proof of possession), and carry the subject fields |profile| needs. Then it
 * issues a certificate valid for |days| (1..3650, not past the root), with a
 * random 127-bit serial, signed by the root. *out is the caller's. Bad
 * requests are ESEAL_E_INVALID or ESEAL_E_CRYPTO with a one-line reason.
 * Needs the root key unlocked (ESEAL_CA_UNLOCK_ROOT). */
eseal_rc eseal_ca_issue(struct eseal_ca *ca, const uint8_t *csr, size_t csr_len,
                        enum eseal_ca_profile profile, int days, X509 **out,
                        struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ca_sign signs |msg| with the SM2 key of |role| (maker or responder;
 * the root signs only certificates) into |sig| (DER). Needs that role's key
 * unlocked (ESEAL_CA_UNLOCK_MAKER or _RESPONDER), else ESEAL_E_DENIED. */
eseal_rc eseal_ca_sign(struct eseal_ca *ca, enum eseal_ca_role role, const void *msg,
                       size_t msg_len, struct eseal_buf *sig,
                       struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ca_maker_signer and eseal_ca_responder_signer are eseal_ca_sign
 * with the maker or the responder key as an eseal_signer (sm.h); |ca| is
 * the struct eseal_ca. */
eseal_rc eseal_ca_maker_signer(void *ca, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                               struct eseal_err *err);
eseal_rc eseal_ca_responder_signer(void *ca, const uint8_t *msg, size_t msg_len,
                                   struct eseal_buf *sig, struct eseal_err *err);

/* eseal_ca_sign_crl signs |crl| (its fields filled, issuer name the
 * responder's subject) with the responder key: the platform's CRLs are
 * indirect, issued by the responder, which the root certified with cRLSign.
 * eseal_ca_sign_ocsp signs the OCSP basic response |bs| with the responder
 * key, naming the responder and including its certificate. Both SM2-with-
 * SM3 with the standard ID. Need ESEAL_CA_UNLOCK_RESPONDER. The responder key may be
 * used by several threads at once (OpenSSL 3 keys are read-only here). */
eseal_rc eseal_ca_sign_crl(struct eseal_ca *ca, X509_CRL *crl,
                           struct eseal_err *err) ESEAL_MUST_CHECK;
eseal_rc eseal_ca_sign_ocsp(struct eseal_ca *ca, OCSP_BASICRESP *bs,
                            struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ca_unlock_code makes a PIN unlock code (口令解锁码, the format in
 * unlock.h) for the software token |token_id| (16 lower-case hex digits) at
 * its current unlock counter |counter|: issued now, signed by the seal
 * maker, carrying the maker and root certificates. The PEM text goes into
 * |out| (replacing it). Needs ESEAL_CA_UNLOCK_MAKER. A malformed id or counter is
 * ESEAL_E_INVALID. The code lets whoever holds it and the token reset the
 * token's PIN once: hand it only to the token's holder. */
eseal_rc eseal_ca_unlock_code(struct eseal_ca *ca, const char *token_id, uint32_t counter,
                              struct eseal_buf *out, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ca_log_origin and eseal_ca_log_pub return the checkpoint origin and
 * the Ed25519 public key (borrowed). */
const char *eseal_ca_log_origin(const struct eseal_ca *ca);
const uint8_t *eseal_ca_log_pub(const struct eseal_ca *ca);

/* Rotating the log key (docs/log.md "Key rotation"), in two steps, each
 * with a log entry the caller appends (eseal ca rotate-log does it all):
 *
 * eseal_ca_log_rotate_begin makes the next log key (same origin, another
 * key hash), wrapped under |pass| (which must open the current one), as
 * log.next.key and log.next.pub; *next_vkey is its verifier key (free()
 * it). From then on every process that opens the CA co-signs checkpoints
 * with both keys. A rotation under way already is ESEAL_E_CONFLICT.
 * eseal_ca_log_rotate_abort removes the next key again (when its
 * announcement could not be logged).
 * eseal_ca_log_rotate_finish makes the next key the log key: log.key,
 * log.pub and log.pub.pem are replaced (the old private key is destroyed),
 * the old verifier key is kept as retired/log-<key hash>.pub. Not under way
 * is ESEAL_E_INVALID. Processes holding the CA open keep the old keys until
 * they open it again.
 * eseal_ca_log_next returns the next verifier key during a rotation, else
 * NULL (free() it). */
eseal_rc eseal_ca_log_rotate_begin(const char *dir, const void *pass, size_t pass_len,
                                   char **next_vkey, struct eseal_err *err) ESEAL_MUST_CHECK;
eseal_rc eseal_ca_log_rotate_abort(const char *dir);
eseal_rc eseal_ca_log_rotate_finish(const char *dir, struct eseal_err *err) ESEAL_MUST_CHECK;
char *eseal_ca_log_next(const struct eseal_ca *ca);

/* eseal_ca_log_sign signs a checkpoint body with the log key (Ed25519).
 * Needs ESEAL_CA_UNLOCK_LOG. */
eseal_rc eseal_ca_log_sign(struct eseal_ca *ca, const void *msg, size_t msg_len,
                           uint8_t sig[ESEAL_ED25519_SIG_LEN],
                           struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ca_log_signer returns the CA's log key as the signer a writable
 * event log takes (log.h): origin, public key and eseal_ca_log_sign. The
 * struct is borrowed from |ca| and lives as long as it. Signing needs the
 * log key unlocked (ESEAL_CA_UNLOCK_LOG), else ESEAL_E_DENIED. */
const struct eseal_log_signer *eseal_ca_log_signer(struct eseal_ca *ca);

/* ESEAL_CA_COMMIT_LEN is the length of a commitment (HMAC-SM3). */
#define ESEAL_CA_COMMIT_LEN 32

/* eseal_ca_commit writes HMAC-SM3(platform secret, |msg|) into |out|: a
 * keyed commitment to a private record (DESIGN.md §11). Whoever lacks the
 * secret can neither compute it nor test a guess against it; the platform
 * can later show that a record is the one committed to. The secret never
 * leaves |ca|. Needs ESEAL_CA_UNLOCK_COMMIT, else ESEAL_E_DENIED. */
eseal_rc eseal_ca_commit(struct eseal_ca *ca, const void *msg, size_t msg_len,
                         uint8_t out[ESEAL_CA_COMMIT_LEN], struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ca_wrap_data_key encrypts the data key |key| (e.g. the material
 * store's, issuer/blob.h) under a key-encryption key derived from the
 * platform secret (BLAKE2b KDF, context "eSealDEK") with XChaCha20-Poly1305:
 * |out| (replaced) receives "ESK1" || nonce || ciphertext || tag, the magic
 * authenticated too. Only a holder of the platform secret can unwrap it; the
 * secret itself never leaves |ca|. Needs ESEAL_CA_UNLOCK_COMMIT, else
 * ESEAL_E_DENIED. */
eseal_rc eseal_ca_wrap_data_key(struct eseal_ca *ca, struct eseal_buf *out, const uint8_t *key,
                                size_t key_len, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ca_unwrap_data_key reverses eseal_ca_wrap_data_key into |out|
 * (replaced; cleanse it when done). Not a wrapped key: ESEAL_E_INVALID; a
 * key wrapped by another platform, or altered: ESEAL_E_CRYPTO. Needs
 * ESEAL_CA_UNLOCK_COMMIT. */
eseal_rc eseal_ca_unwrap_data_key(struct eseal_ca *ca, struct eseal_buf *out, const uint8_t *in,
                                  size_t in_len, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ca_tsa_cert returns the time-stamp authority's certificate
 * (borrowed), or NULL for a CA made before it existed (eseal_ca_tsa_init). */
X509 *eseal_ca_tsa_cert(const struct eseal_ca *ca);

/* eseal_ca_tsa_init gives the existing CA in |dir| its time-stamp key and
 * certificate (tsa.key, tsa.pem): SM2, signed by the root (|pass| unlocks
 * it), critical extendedKeyUsage id-kp-timeStamping only, valid |days|
 * (0: 3650, never past the root). A CA that has them already is
 * ESEAL_E_CONFLICT; nothing is left behind on failure. eseal_ca_init makes
 * them with the other keys. */
eseal_rc eseal_ca_tsa_init(const char *dir, const void *pass, size_t pass_len, int days,
                           struct eseal_err *err) ESEAL_MUST_CHECK;

/* struct eseal_ca_tsa_policy is what a time-stamp says besides the time. */
struct eseal_ca_tsa_policy {
    const char *policy_oid; /* dotted TSA policy OID (docs/tsa.md) */
    uint32_t accuracy_ms;   /* the clock's stated accuracy; 0: not stated */
};

/* eseal_ca_timestamp answers the RFC 3161 TimeStampReq |query| (DER, at most
 * ESEAL_TSA_QUERY_MAX bytes) with a TimeStampResp written into |reply|
 * (replacing it). A query the TSA refuses (not DER, imprint not SM3 or
 * SHA-256 or of the wrong length, another policy, extensions) still gets a
 * reply: status rejection with the RFC 3161 failInfo, and the result is
 * ESEAL_E_INVALID with the reason in |err|. Granted tokens hold TSTInfo
 * (random positive 127-bit serial, genTime now, the query's nonce, the
 * policy, accuracy, the TSA's name) in a SignedData signed by the TSA key,
 * with ESS signingCertificateV2 and, when the query asks (certReq), the
 * TSA certificate. The SignerInfo's SM2 signature is over the SM3 digest of
 * the signed attributes without the SM2 Z value, the form OpenSSL 3.0's
 * PKCS#7 and `openssl ts -verify` check (docs/tsa.md "The SM2 ID").
 * Needs ESEAL_CA_UNLOCK_TSA. Thread-safe. */
#define ESEAL_TSA_QUERY_MAX 4096
eseal_rc eseal_ca_timestamp(struct eseal_ca *ca, const struct eseal_ca_tsa_policy *policy,
                            const uint8_t *query, size_t query_len, struct eseal_buf *reply,
                            struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ca_show returns the hierarchy as JSON (subjects, serials, validity,
 * SM3 fingerprints, files); the caller decrefs it. */
json_t *eseal_ca_show(const struct eseal_ca *ca);

#endif
