/* status.h — the signed per-seal status response (DESIGN.md §6): the DER
 * structure a publisher signs with the platform's responder key, and how a
 * relying party reads and checks it. docs/publisher.md has the ASN.1:
 *
 *   SealStatusResponse ::= SEQUENCE {
 *       tbsResponse         TBSSealStatus,
 *       signatureAlgorithm  OBJECT IDENTIFIER,  -- 1.2.156.10197.1.501
 *       signature           BIT STRING }        -- DER SEQUENCE{r, s}
 *   TBSSealStatus ::= SEQUENCE {
 *       version        INTEGER,                 -- 1
 *       esID           IA5String,
 *       sealVersion    INTEGER,
 *       sealDigest     OCTET STRING,            -- SM3 of the seal's DER
 *       pictureDigest  OCTET STRING,            -- SM3 of the picture
 *       certSerial     INTEGER,
 *       status         ENUMERATED { good(0), pending(1), suspended(2),
 *                                   revoked(3), expired(4) },
 *       reason         [0] IMPLICIT ENUMERATED OPTIONAL,  -- CRLReason
 *       statusTime     GeneralizedTime,
 *       thisUpdate     GeneralizedTime,
 *       nextUpdate     GeneralizedTime,
 *       checkpoint     LogCheckpoint }
 *   LogCheckpoint ::= SEQUENCE { origin UTF8String, treeSize INTEGER,
 *                                rootHash OCTET STRING }
 */
#ifndef ESEAL_STATUS_H
#define ESEAL_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/log.h"
#include "eseal/rc.h"
#include "eseal/sm.h"

struct eseal_ca;

/* enum eseal_status is a seal's status (DESIGN.md §6). The values are the
 * ENUMERATED of the DER response; unknown is never signed. */
enum eseal_status {
    ESEAL_STATUS_GOOD = 0,
    ESEAL_STATUS_PENDING = 1,
    ESEAL_STATUS_SUSPENDED = 2,
    ESEAL_STATUS_REVOKED = 3,
    ESEAL_STATUS_EXPIRED = 4,
    ESEAL_STATUS_UNKNOWN = 5,
};

/* ESEAL_STATUS_ESID_MAX bounds an esID; ESEAL_STATUS_SERIAL_MAX the hex
 * digits of a certificate serial (RFC 5280: at most 20 octets). */
#define ESEAL_STATUS_ESID_MAX 32
#define ESEAL_STATUS_SERIAL_MAX 40
/* ESEAL_STATUS_REASON_MAX bounds a reason name ("cessationOfOperation"). */
#define ESEAL_STATUS_REASON_MAX 32
/* ESEAL_STATUS_DER_MAX bounds a response a parser accepts. */
#define ESEAL_STATUS_DER_MAX 4096

/* eseal_status_name returns "good", "pending", "suspended", "revoked",
 * "expired" or "unknown" (static storage). */
const char *eseal_status_name(enum eseal_status s);

/* eseal_status_from_name maps such a name back; others are ESEAL_E_INVALID. */
eseal_rc eseal_status_from_name(const char *name, enum eseal_status *out) ESEAL_MUST_CHECK;

/* eseal_status_reason_code maps a CRLReason name (RFC 5280 §5.3.1:
 * "unspecified", "keyCompromise", "affiliationChanged", "superseded",
 * "cessationOfOperation", "certificateHold", "privilegeWithdrawn", …) to its
 * number, or -1 for a name that is not one. eseal_status_reason_name is the
 * reverse (NULL for a number without a name). */
int eseal_status_reason_code(const char *name);
const char *eseal_status_reason_name(int code);

/* struct eseal_status_info is what one response says. Times are Unix
 * seconds (UTC). |reason| is "" when the response carries none. */
struct eseal_status_info {
    char esid[ESEAL_STATUS_ESID_MAX + 1];
    int64_t version;
    uint8_t seal_sm3[ESEAL_SM3_LEN];
    uint8_t picture_sm3[ESEAL_SM3_LEN];
    char cert_serial[ESEAL_STATUS_SERIAL_MAX + 1]; /* upper-case hex, no leading zeros */
    enum eseal_status status;
    char reason[ESEAL_STATUS_REASON_MAX + 1];
    int64_t status_time;
    int64_t this_update;
    int64_t next_update;
    struct eseal_log_checkpoint checkpoint;
};

/* eseal_status_sign encodes |info| (status not unknown; a reason that is
 * not a CRLReason name is encoded as unspecified) and signs it with the
 * responder key of |ca| (unlocked) into |der| (replacing it). */
eseal_rc eseal_status_sign(struct eseal_buf *der, const struct eseal_status_info *info,
                           struct eseal_ca *ca, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_status_parse decodes the response |der| (at most
 * ESEAL_STATUS_DER_MAX bytes, consumed exactly) into |out| without checking
 * the signature. *tbs and *tbs_len (may be NULL) receive the span of the
 * received tbsResponse inside |der| and *sig and *sig_len (may be NULL) point
 * to the signature value inside |der|. Malformed input is ESEAL_E_INVALID. */
eseal_rc eseal_status_parse(struct eseal_status_info *out, const uint8_t *der, size_t len,
                            const uint8_t **tbs, size_t *tbs_len, const uint8_t **sig,
                            size_t *sig_len, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_status_verify parses |der| into |out| and checks that it is signed
 * with SM2-with-SM3 (and the standard ID) by |responder|'s key, over the
 * tbsResponse bytes as received. A bad signature or algorithm is
 * ESEAL_E_CRYPTO. It does not check times or the responder's chain. */
eseal_rc eseal_status_verify(struct eseal_status_info *out, const uint8_t *der, size_t len,
                             X509 *responder, struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
