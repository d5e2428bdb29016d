/* internal.h — what the files of libeseal-verify share: the table of check
 * outcomes (one row per check and outcome, with the Chinese and English
 * message) and the helper that appends a check to a report. */
#ifndef ESEAL_VERIFIER_INTERNAL_H
#define ESEAL_VERIFIER_INTERNAL_H

#include <stdbool.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/x509.h>

#include "eseal/buf.h"

#include "eseal/sm.h"

#include "eseal/verify.h"
#include "eseal/words.h"

/* enum verify_outcome names one row of the outcome table in report.c. The
 * prefix is the check's stable key. */
enum verify_outcome {
    V_FORMAT_SES_OK,
    V_FORMAT_SEAL_OK,
    V_FORMAT_SES_BAD,
    V_FORMAT_SEAL_BAD,
    V_DATA_HASH_OK,
    V_DATA_HASH_MISMATCH,
    V_DATA_HASH_NO_DOCUMENT,
    V_SIGNATURE_OK,
    V_SIGNATURE_BAD,
    V_SIGNER_IN_SEAL_OK,
    V_SIGNER_IN_SEAL_MISSING,
    V_SEAL_SIGNATURE_OK,
    V_SEAL_SIGNATURE_BAD,
    V_CHAIN_OK,
    V_CHAIN_NO_TRUST,
    V_CHAIN_BROKEN,
    V_VALIDITY_OK,
    V_VALIDITY_SEAL_OK,
    V_VALIDITY_SEAL_NOT_YET,
    V_VALIDITY_CERT_NOT_YET,
    V_VALIDITY_CLAIM_AFTER_SEAL,
    V_VALIDITY_CLAIM_AFTER_CERT,
    V_VALIDITY_CLAIM_BEFORE_SEAL,
    V_VALIDITY_CLAIM_BEFORE_CERT,
    V_VALIDITY_SEAL_NO_POE,
    V_VALIDITY_CERT_NO_POE,
    V_STATUS_SKIPPED,
    V_STATUS_NO_SOURCE,
    V_STATUS_GOOD,
    V_STATUS_GOOD_THEN,
    V_STATUS_UNAVAILABLE,
    V_STATUS_STALE,
    V_STATUS_UNKNOWN,
    V_STATUS_MISMATCH,
    V_STATUS_PENDING,
    V_STATUS_SUSPENDED,
    V_STATUS_REVOKED_NO_POE,
    V_STATUS_REVOKED_CLAIM,
    V_STATUS_COMPROMISED_CLAIM,
    V_STATUS_EXPIRED,
    V_PICTURE_OK,
    V_PICTURE_MISMATCH,
    V_PICTURE_NOT_PUBLISHED,
    V_PICTURE_NO_STATUS,
    V_PICTURE_REGISTERED,
    V_PICTURE_UNKNOWN,
    V_PICTURE_UNAVAILABLE,
    V_FORMAT_SIGN_UNSUPPORTED,
    V_FORMAT_CONTAINER_BAD,
    V_REFERENCES_OK,
    V_REFERENCES_UPDATED,
    V_REFERENCES_CHANGED,
    V_REFERENCES_BAD,
    V_SEAL_FILE_OK,
    V_SEAL_FILE_ABSENT,
    V_SEAL_FILE_MISMATCH,
    V_STAMP_OK,
    V_STAMP_NONE,
    V_STAMP_BAD,
    V_TIMESTAMP_OK,
    V_TIMESTAMP_BAD,
    V_TIMESTAMP_UNTRUSTED,
    V_STATUS_BEFORE_REVOCATION,
    V_STATUS_REVOKED_BEFORE_POE,
    V_SEAL_TIMESTAMP_OK,
    V_SEAL_TIMESTAMP_BAD,
    V_SEAL_TIMESTAMP_UNTRUSTED,
    V_FORMAT_CMS_OK,
    V_FORMAT_CMS_BAD,
    V_CMS_DIGEST_OK,
    V_CMS_DIGEST_MISMATCH,
    V_CMS_SIGNATURE_OK,
    V_CMS_SIGNATURE_BAD,
    V_CMS_VALIDITY_OK,
    V_STATUS_NOT_COVERED,
    V_PICTURE_NOT_COVERED,
    V_SEAL_STATUS_REVOKED,
    V_SEAL_STATUS_EXPIRED,
    V_VALIDITY_SEAL_EXPIRED,
    V_N_OUTCOMES,
};

/* verify_add appends the check of row |outcome| to |r| with copies of
 * |expected| and |actual| (either may be NULL), and folds its status into
 * the report's indication and sub-indication. */
void verify_add(struct eseal_report *r, enum verify_outcome outcome, const char *expected,
                const char *actual);

/* Words for people (the text report and eseal-verifierd's page; the JSON
 * keeps the stable names). Each returns a static string; an unknown name
 * comes back as it is. verify_check_zh names a check key ("status" ->
 * "印章状态"), verify_check_status_zh a check status ("PASSED" -> "通过").
 * Published statuses and times in words come from words.h (eseal_words_*),
 * shared with the publisher's lookup page. */
const char *verify_check_zh(const char *key);
const char *verify_check_status_zh(const char *status);

/* verify_party_words turns a certificate subject (RFC 2253, as
 * eseal_pki_name prints it) into words: a unit's "name（统一社会信用代码 X）"
 * from O and serialNumber, else the CN (a person, never with the ID
 * number; a platform service), else O, else the subject as it is (free()
 * the result). */
char *verify_party_words(const char *dn);

/* verify_start sets the report's times and status source before any check. */
void verify_start(struct eseal_report *r, const struct eseal_verify_opts *o);

/* verify_chain builds a chain from |cert| to one of |trust| (the SM2 ID
 * attached to |cert| first). |at| 0 leaves times out (the validity check
 * judges them); otherwise every certificate must be valid at |at|. On
 * success *what names the anchor reached, on failure OpenSSL's reason
 * (free() it). */
bool verify_chain(STACK_OF(X509) * trust, X509 *cert, time_t at, char **what);

/* verify_pem_certs parses every PEM certificate in |data| (at least one;
 * a broken block is an error naming |what| and its number) into *out (the
 * caller's). */
eseal_rc verify_pem_certs(STACK_OF(X509) * *out, const uint8_t *data, size_t len, const char *what,
                          struct eseal_err *err);

/* enum verify_cache_kind names what a cache entry remembers. */
enum verify_cache_kind {
    VC_SEAL_SIGNATURE, /* key: SHA-256 of the seal; text: maker subject or the error */
    VC_CHAIN,          /* key: SHA-256 of the certificate; text: verify_chain's *what */
    VC_CERT,           /* key: SHA-256 of the certificate; the parsed certificate */
};

/* VERIFY_KEY_LEN is the length of a cache key (SHA-256). */
#define VERIFY_KEY_LEN 32

/* struct verify_cert is a parsed certificate with what the report says of
 * it: its subject, and the SHA-256 of its DER (the key of its cache
 * entries). */
struct verify_cert {
    X509 *x; /* one reference */
    char *name;
    uint8_t key[VERIFY_KEY_LEN];
};

/* verify_cert_get parses the certificate |der| into |out| (from |c| when
 * it has it; |c| may be NULL); false when |der| is not exactly one DER
 * certificate. The SM2 ID is attached to non-self-issued ones before the
 * certificate is shared. Release with verify_cert_release. */
bool verify_cert_get(struct eseal_verify_cache *c, const uint8_t *der, size_t len,
                     struct verify_cert *out);
void verify_cert_release(struct verify_cert *vc);

/* verify_cache_get copies a remembered outcome (*text: free() it); false
 * when |c| is NULL or does not have it. verify_cache_put remembers one. */
bool verify_cache_get(struct eseal_verify_cache *c, enum verify_cache_kind kind,
                      const uint8_t key[VERIFY_KEY_LEN], bool *ok, char **text);
void verify_cache_put(struct eseal_verify_cache *c, enum verify_cache_kind kind,
                      const uint8_t key[VERIFY_KEY_LEN], bool ok, const char *text);

/* VERIFY_GM_SIGNED_DATA is the GB/T 35275 content type of an SM2
 * SignedData; VERIFY_GM_DATA its data content type. */
#define VERIFY_GM_SIGNED_DATA "1.2.156.10197.6.1.4.2.2"
#define VERIFY_GM_DATA "1.2.156.10197.6.1.4.2.1"

/* verify_cms validates |der|, a GB/T 35275 SM2 SignedData (an OFD
 * Type="Sign" signature; PKCS #7 content type accepted too) over |data|:
 * format, data_hash (messageDigest = SM3 of |data|, or the signature over
 * |data| itself without signed attributes), signature (SM2 with the
 * standard ID over the DER of the signed attributes), chain and validity of
 * the signer's certificate. Fills |r| (initialised by the caller). */
void verify_cms(struct eseal_report *r, const uint8_t *der, size_t len, const uint8_t *data,
                size_t data_len, const struct eseal_verify_opts *o);

/* verify_cms_is tells whether |der| is a SignedData ContentInfo (GB/T 35275
 * or PKCS #7): the format check names it when a seal signature is expected. */
bool verify_cms_is(const uint8_t *der, size_t len);

/* verify_cms_rewrap copies the ContentInfo |der| into |out| with its
 * contentType set to |type| (a dotted OID), the content untouched: how a
 * GB/T 35275 SignedData is read by OpenSSL's CMS parser, which knows only
 * the PKCS #7 OID. False when |der| is not a ContentInfo. */
bool verify_cms_rewrap(const uint8_t *der, size_t len, const char *type, struct eseal_buf *out);

/* verify_cms_attrs_der puts the DER of the signed attributes of |si| (a
 * SET OF, as signed: RFC 5652 5.4) into |out|; false when it has none. */
bool verify_cms_attrs_der(CMS_SignerInfo *si, struct eseal_buf *out);

/* verify_time_iso returns |t| as "YYYY-MM-DDTHH:MM:SSZ" (free() it); a time
 * that cannot be represented gives "(invalid time)". */
char *verify_time_iso(time_t t);

#endif
