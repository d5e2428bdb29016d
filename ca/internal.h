/* internal.h — what the files of libeseal-ca share. */
#ifndef ESEAL_CA_INTERNAL_H
#define ESEAL_CA_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "eseal/ca.h"
#include "eseal/log.h"

#define CA_NROLES 3

/* File names inside the CA directory. */
#define CA_FILE_META "ca.json"
#define CA_FILE_LOG_KEY "log.key"
#define CA_FILE_LOG_PUB "log.pub"
#define CA_FILE_LOG_PEM "log.pub.pem"
/* The next log key while a log key rotation is under way (rotate.c). */
#define CA_FILE_LOG_NEXT_KEY "log.next.key"
#define CA_FILE_LOG_NEXT_PUB "log.next.pub"
#define CA_LOG_KEY_LABEL "ESEAL ENCRYPTED LOG KEY"
#define CA_FILE_COMMIT_KEY "commit.key"
#define CA_COMMIT_KEY_LABEL "ESEAL ENCRYPTED COMMITMENT KEY"
#define CA_COMMIT_KEY_LEN 32
#define CA_FILE_TSA_PEM "tsa.pem"
#define CA_FILE_TSA_KEY "tsa.key"
/* Certificates replaced by a rotation: retired/<role>-<serial hex>.pem. */
#define CA_DIR_RETIRED "retired"
/* The default validity of the maker, responder and TSA certificates. */
#define CA_SERVICE_DAYS 3650

struct eseal_ca {
    char *dir;
    char *origin;
    X509 *cert[CA_NROLES];
    EVP_PKEY *key[CA_NROLES];            /* NULL until eseal_ca_unlock with its role */
    STACK_OF(X509) * retired[CA_NROLES]; /* rotated out (rotate.c); empty stacks */
    uint8_t log_pk[ESEAL_ED25519_PK_LEN];
    uint8_t log_sk[ESEAL_ED25519_SK_LEN];
    uint8_t commit_key[CA_COMMIT_KEY_LEN]; /* the platform secret (commit.c) */
    X509 *tsa_cert;                        /* NULL in a CA made before the TSA (tsa.c) */
    EVP_PKEY *tsa_key;                     /* NULL until eseal_ca_unlock with ESEAL_CA_UNLOCK_TSA */
    /* made once at unlock, for every token: the sign context of tsa_key
     * (duplicated per token) and the DER of its ESS signingCertificateV2 */
    EVP_PKEY_CTX *tsa_sign;
    unsigned char *tsa_ess;
    int tsa_ess_len;
    unsigned unlocked; /* ESEAL_CA_UNLOCK_* bits of the keys held */
    struct eseal_log_signer log_signer;
    /* during a log key rotation: the next key, co-signing (rotate.c) */
    bool has_next;
    uint8_t log_next_pk[ESEAL_ED25519_PK_LEN];
    uint8_t log_next_sk[ESEAL_ED25519_SK_LEN];
    struct eseal_log_signer log_next_signer;
};

/* ca_need_key is ESEAL_OK when the key |bit| (one ESEAL_CA_UNLOCK_* bit) is
 * unlocked in |ca|, else ESEAL_E_DENIED naming the key. */
eseal_rc ca_need_key(const struct eseal_ca *ca, unsigned bit, struct eseal_err *err);

/* ca_unlock_commit reads the platform secret (commit.key) into |ca|,
 * creating it first in a CA made before it existed, once |pass| has been
 * checked against the root key (commit.c). */
eseal_rc ca_unlock_commit(struct eseal_ca *ca, const void *pass, size_t pass_len,
                          struct eseal_err *err);

/* ca_tsa_load reads tsa.pem if the CA has one and checks it comes from the
 * root; ca_tsa_unlock decrypts tsa.key (tsa.c). */
eseal_rc ca_tsa_load(struct eseal_ca *ca, struct eseal_err *err);
eseal_rc ca_tsa_unlock(struct eseal_ca *ca, const void *pass, size_t pass_len,
                       struct eseal_err *err);
/* ca_tsa_lock drops what ca_tsa_unlock made. */
void ca_tsa_lock(struct eseal_ca *ca);

/* ca_tsa_write writes tsa.pem and tsa.key (wrapped under |pass|) into
 * |dir|, refusing to overwrite either. */
eseal_rc ca_tsa_write(const char *dir, X509 *cert, EVP_PKEY *key, const void *pass, size_t pass_len,
                      struct eseal_err *err);

/* ca_platform_name is C=CN, O=|org|, CN=|cn| (the caller frees it). */
X509_NAME *ca_platform_name(const char *org, const char *cn);

/* ca_retired_load reads the retired certificates of |role| (rotate.c). */
eseal_rc ca_retired_load(struct eseal_ca *ca, enum eseal_ca_role role, struct eseal_err *err);

/* ca_log_next_load reads log.next.pub if a log key rotation is under way;
 * ca_log_next_unlock decrypts log.next.key (rotate.c). */
eseal_rc ca_log_next_load(struct eseal_ca *ca, struct eseal_err *err);
eseal_rc ca_log_next_unlock(struct eseal_ca *ca, const void *pass, size_t pass_len,
                            struct eseal_err *err);

/* ca_log_seed_load reads the wrapped Ed25519 seed in DIR/|name| into |sk|
 * and checks it against |pk| (ca.c). */
eseal_rc ca_log_seed_load(const char *dir, const char *name, const uint8_t *pk, uint8_t *sk,
                          const void *pass, size_t pass_len, struct eseal_err *err);

/* ca_log_pub_pem is the Ed25519 public key as SPKI PEM (init.c; free() it). */
char *ca_log_pub_pem(const uint8_t pk[ESEAL_ED25519_PK_LEN]);

/* ca_role_exts returns the extensions of a maker or responder certificate
 * and their number in *n (init.c). */
const struct ca_ext *ca_role_exts(enum eseal_ca_role role, size_t *n);

/* ca_role_name is "root", "maker" or "responder": also the file stem. */
const char *ca_role_name(enum eseal_ca_role role);

/* struct ca_ext is one X.509v3 extension in OpenSSL's config syntax. */
struct ca_ext {
    int nid;
    const char *value;
};

/* ca_make_cert builds and signs a v3 certificate: |subject| and |pub| for the
 * subject; |issuer| (NULL for self-signed) and |issuer_key| sign it; random
 * 127-bit serial; valid from now for |days|; extensions |exts[0..n)|. */
eseal_rc ca_make_cert(X509 **out, const X509_NAME *subject, EVP_PKEY *pub, X509 *issuer,
                      EVP_PKEY *issuer_key, int days, const struct ca_ext *exts, size_t n_exts,
                      struct eseal_err *err);

/* ca_tsa_exts are the TSA certificate's extensions (init.c and tsa.c). */
extern const struct ca_ext ca_tsa_exts[];
extern const size_t ca_tsa_n_exts;
/* CA_TSA_CN_SUFFIX follows the platform's O in the TSA's CN. */
#define CA_TSA_CN_SUFFIX "时间戳服务"

#endif
