/* seal.h — GB/T 38540-2020 electronic seals (SESeal) and seal signatures
 * (SES_Signature): parsing v1 (GM/T 0031-2014), v4 and v5 (GM/T 0031-2025),
 * making v4, and checking signatures over the ORIGINAL bytes of the signed
 * structure (never a re-encoding), as DESIGN.md §4 requires.
 *
 * Signing goes through a callback so that the key stays where it lives (the
 * CA's seal-maker key, a holder's token). */
#ifndef ESEAL_SEAL_H
#define ESEAL_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/rc.h"
#include "eseal/sm.h"

/* ESEAL_SEAL_MAX bounds a seal or a seal signature (the picture dominates). */
#define ESEAL_SEAL_MAX (4 * 1024 * 1024)
/* ESEAL_SEAL_PICTURE_MAX bounds the picture inside a seal. */
#define ESEAL_SEAL_PICTURE_MAX (2 * 1024 * 1024)

enum eseal_seal_type {
    ESEAL_SEAL_UNIT = 1,     /* 单位印章 */
    ESEAL_SEAL_PERSONAL = 2, /* 个人印章 */
};

/* struct eseal_seal is a parsed seal; it owns a copy of the input. */
struct eseal_seal;

/* struct eseal_seal_info is a read-only view of a parsed seal. Pointers point
 * into the seal and live as long as it. Strings are NUL-terminated. */
struct eseal_seal_info {
    int version;           /* header version: 1, 4 or 5 */
    const char *header_id; /* "ES" */
    const char *vid;       /* vendor id */
    const char *esid;      /* seal code */
    long type;             /* 1 unit, 2 personal (as found: others possible) */
    const char *name;      /* UTF-8 */
    long cert_list_type;   /* 1 certificates, 2 certificate digests (v1: 1) */
    size_t n_certs;        /* entries of certList */
    time_t create_date, valid_start, valid_end;
    const char *picture_type; /* "png", "jpg", "gif", "bmp", "svg", "ofd" (as found) */
    const uint8_t *picture;
    size_t picture_len;
    long width_mm, height_mm;
    const uint8_t *maker_cert; /* DER of the seal-maker certificate */
    size_t maker_cert_len;
    const char *sign_alg; /* dotted OID of the maker's signature algorithm */
    bool has_timestamp;   /* v5 seal with a time-stamp token */
    /* that token (DER; NULL if absent or unreadable) and the maker's
     * signature value it is over, as found */
    const uint8_t *timestamp;
    size_t timestamp_len;
    const uint8_t *signed_value;
    size_t signed_value_len;
    const uint8_t *der; /* the whole seal, as parsed */
    size_t der_len;
};

/* eseal_seal_parse parses a seal of any supported version (detected by
 * structure and header version). Malformed input is ESEAL_E_INVALID naming
 * what is wrong; over ESEAL_SEAL_MAX ESEAL_E_TOOBIG. Free with
 * eseal_seal_free (accepts NULL). */
eseal_rc eseal_seal_parse(struct eseal_seal **out, const uint8_t *der, size_t len,
                          struct eseal_err *err) ESEAL_MUST_CHECK;
void eseal_seal_free(struct eseal_seal *seal);

const struct eseal_seal_info *eseal_seal_info(const struct eseal_seal *seal);

/* eseal_seal_cert returns certList entry |i| (certificates list: the DER of
 * a holder certificate). ESEAL_E_NOTFOUND past the end or for a digest list. */
eseal_rc eseal_seal_cert(const struct eseal_seal *seal, size_t i, const uint8_t **der, size_t *len);

/* eseal_seal_cert_digest returns entry |i| of a digest list (type 2): the
 * digest algorithm name as found and the digest value. */
eseal_rc eseal_seal_cert_digest(const struct eseal_seal *seal, size_t i, const char **alg,
                                const uint8_t **value, size_t *len);

/* eseal_seal_has_cert tells whether |cert_der| is in the seal's certList
 * (by equal DER for a certificate list, by SM3 or SHA-256 digest for a
 * digest list). */
bool eseal_seal_has_cert(const struct eseal_seal *seal, const uint8_t *cert_der, size_t len);

/* eseal_seal_check_maker verifies the seal-maker signature with the key of
 * the maker certificate inside the seal: v4/v5 over the original bytes of
 * SES_SealInfo, v1 over SEQUENCE{SES_SealInfo, cert, signatureAlgorithm}.
 * ESEAL_E_CRYPTO if it does not verify; ESEAL_E_INVALID for an unusable
 * certificate or algorithm. */
eseal_rc eseal_seal_check_maker(const struct eseal_seal *seal,
                                struct eseal_err *err) ESEAL_MUST_CHECK;

/* struct eseal_seal_params describes a seal to make (v4). */
struct eseal_seal_params {
    const char *esid; /* 14 digits on this platform; any IA5 text accepted here */
    enum eseal_seal_type type;
    const char *name;         /* UTF-8 */
    const char *vid;          /* NULL: "eseal" */
    X509 *holder;             /* goes into certList; its validity is the seal's */
    const char *picture_type; /* NULL: detected from the picture's magic bytes */
    const uint8_t *picture;
    size_t picture_len;
    long width_mm, height_mm; /* 1..200 */
    time_t create_date;       /* 0: now */
};

/* eseal_seal_make builds SES_SealInfo from |p|, has |sign| sign its DER, and
 * writes the DER SESeal (v4, header "ES", maker certificate |maker|) into
 * |out| (replacing it). Bad parameters are ESEAL_E_INVALID. */
eseal_rc eseal_seal_make(struct eseal_buf *out, const struct eseal_seal_params *p, X509 *maker,
                         eseal_signer sign, void *sign_ctx, struct eseal_err *err) ESEAL_MUST_CHECK;

/* ---- seal signatures (SES_Signature) ------------------------------------ */

struct eseal_ses;

/* struct eseal_ses_info is a read-only view of a parsed seal signature. */
struct eseal_ses_info {
    int version; /* TBS_Sign version: 1, 4 or 5 */
    const struct eseal_seal *seal;
    time_t time_info;         /* the claimed signing time: NOT proof of existence */
    const uint8_t *data_hash; /* as found (SM3: 32 bytes) */
    size_t data_hash_len;
    const char *property_info;  /* the signed file's name or OFD path */
    const uint8_t *signer_cert; /* DER of the signer's certificate */
    size_t signer_cert_len;
    const char *sign_alg; /* dotted OID */
    bool has_timestamp;   /* an RFC 3161 token is attached (not verified here) */
    /* that token (DER; NULL if absent or unreadable) and the signature
     * value (what a time-stamp is over), as found in the BIT STRING */
    const uint8_t *timestamp;
    size_t timestamp_len;
    const uint8_t *signature;
    size_t signature_len;
    const uint8_t *der;
    size_t der_len;
};

/* eseal_ses_parse parses a seal signature (v4, v5; v1 where recognisable)
 * including the seal inside it. Free with eseal_ses_free (accepts NULL). */
eseal_rc eseal_ses_parse(struct eseal_ses **out, const uint8_t *der, size_t len,
                         struct eseal_err *err) ESEAL_MUST_CHECK;
void eseal_ses_free(struct eseal_ses *ses);
const struct eseal_ses_info *eseal_ses_info(const struct eseal_ses *ses);

/* eseal_ses_check_signature verifies the signature over the original bytes
 * of TBS_Sign with the key of the signer certificate. ESEAL_E_CRYPTO if not. */
eseal_rc eseal_ses_check_signature(const struct eseal_ses *ses,
                                   struct eseal_err *err) ESEAL_MUST_CHECK;
/* eseal_ses_check_signature_key is the same with the signer's key given
 * (|key| must be the signer certificate's: the caller parsed it already);
 * NULL: as eseal_ses_check_signature. */
eseal_rc eseal_ses_check_signature_key(const struct eseal_ses *ses, EVP_PKEY *key,
                                       struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ses_make signs a document: TBS_Sign v4 with the seal |seal_der|,
 * timeInfo |when| (0: now), dataHash = |data_sm3|, propertyInfo |property|,
 * then |sign| signs DER(TBS_Sign) and SES_Signature carries |signer|'s DER.
 * The seal is copied byte for byte. Writes the DER into |out|. */
eseal_rc eseal_ses_make(struct eseal_buf *out, const uint8_t *seal_der, size_t seal_len,
                        const uint8_t data_sm3[32], const char *property, time_t when, X509 *signer,
                        eseal_signer sign, void *sign_ctx, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ses_add_timestamp writes into |out| (replacing it) the v4 seal
 * signature |ses_der| with the RFC 3161 token |token| (DER) in its
 * timeStamp field (GB/T 38540: a time-stamp over the signature value).
 * Everything else is kept byte for byte. A signature that has a
 * time-stamp already, or is not v4, is ESEAL_E_INVALID. */
eseal_rc eseal_ses_add_timestamp(struct eseal_buf *out, const uint8_t *ses_der, size_t ses_len,
                                 const uint8_t *token, size_t token_len,
                                 struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
