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
 *       invalidityDate [1] IMPLICIT GeneralizedTime OPTIONAL,
 *                      -- revoked only: since when the key is compromised
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
#include "eseal/checkpoint.h"
#include "eseal/rc.h"
#include "eseal/sm.h"

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
 * seconds (UTC). |reason| is "" when the response carries none;
 * |invalidity_date| is 0 when it carries none (it is only ever set on a
 * revocation: the time from which the key is to be treated as compromised,
 * RFC 5280 invalidityDate — a loss report's suspension time). */
struct eseal_status_info {
    char esid[ESEAL_STATUS_ESID_MAX + 1];
    int64_t version;
    uint8_t seal_sm3[ESEAL_SM3_LEN];
    uint8_t picture_sm3[ESEAL_SM3_LEN];
    char cert_serial[ESEAL_STATUS_SERIAL_MAX + 1]; /* upper-case hex, no leading zeros */
    enum eseal_status status;
    char reason[ESEAL_STATUS_REASON_MAX + 1];
    int64_t status_time;
    int64_t invalidity_date;
    int64_t this_update;
    int64_t next_update;
    struct eseal_log_checkpoint checkpoint;
};

/* eseal_status_sign encodes |info| (status not unknown; a reason that is
 * not a CRLReason name is encoded as unspecified) and signs it with |sign|
 * (the publisher: the CA's responder key, eseal_ca_responder_signer) into
 * |der| (replacing it). */
eseal_rc eseal_status_sign(struct eseal_buf *der, const struct eseal_status_info *info,
                           eseal_signer sign, void *ctx, struct eseal_err *err) ESEAL_MUST_CHECK;

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

/* ---- status lists (docs/publisher.md "Status lists") -------------------------
 *
 *   StatusList ::= SEQUENCE { tbsList TBSStatusList, signatureAlgorithm OID,
 *                             signature BIT STRING }
 *   TBSStatusList ::= SEQUENCE { version INTEGER, shard INTEGER,
 *       shardCount INTEGER, number INTEGER,
 *       baseNumber [0] IMPLICIT INTEGER OPTIONAL,   -- a delta only
 *       thisUpdate GeneralizedTime, nextUpdate GeneralizedTime,
 *       checkpoint SEQUENCE { size INTEGER, root OCTET STRING },
 *       entries SEQUENCE OF StatusListEntry }
 *   StatusListEntry ::= SEQUENCE { esID IA5String, version INTEGER,
 *       sealDigest OCTET STRING, certSerial INTEGER,
 *       status ENUMERATED { good(0), pending(1), suspended(2), revoked(3) },
 *       reason [0] IMPLICIT ENUMERATED OPTIONAL, statusTime GeneralizedTime } */

/* ESEAL_STATUS_LIST_MAX bounds a list a parser accepts (a shard of a large
 * platform holds ~10^5 entries of ~100 bytes); ESEAL_STATUS_SHARDS_MAX the
 * shard count. */
#define ESEAL_STATUS_LIST_MAX (64 * 1024 * 1024)
#define ESEAL_STATUS_SHARDS_MAX 1024

/* eseal_status_shard returns the shard of the seal |esid| among |shards|
 * (the lists' and CRLs' sharding): the first four bytes of SM3(esID),
 * big-endian, modulo the count. */
unsigned eseal_status_shard(const char *esid, unsigned shards);

/* struct eseal_status_list_entry is one seal version on a list. */
struct eseal_status_list_entry {
    char esid[ESEAL_STATUS_ESID_MAX + 1];
    int64_t version;
    uint8_t seal_sm3[ESEAL_SM3_LEN];
    char cert_serial[ESEAL_STATUS_SERIAL_MAX + 1]; /* upper-case hex */
    enum eseal_status status;                      /* pending, good, suspended, revoked */
    char reason[ESEAL_STATUS_REASON_MAX + 1];      /* "" when none */
    int64_t status_time;
};

/* struct eseal_status_list is a list; after parsing, |tbs| and |sig| point
 * into the parsed DER (which must outlive them). */
struct eseal_status_list {
    unsigned shard, shard_count;
    uint64_t number;
    bool delta; /* a delta: base_number is set */
    uint64_t base_number;
    int64_t this_update, next_update;
    uint64_t checkpoint_size;
    uint8_t checkpoint_root[ESEAL_MERKLE_HASH_LEN];
    size_t n_entries;
    struct eseal_status_list_entry *entries; /* sorted by esID, version */
    const uint8_t *tbs, *sig;
    size_t tbs_len, sig_len;
};

/* eseal_status_list_sign encodes |l| (its entries in the order given; tbs
 * and sig ignored) and signs it with |sign| into |der| (replacing it). */
eseal_rc eseal_status_list_sign(struct eseal_buf *der, const struct eseal_status_list *l,
                                eseal_signer sign, void *ctx,
                                struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_status_list_parse decodes a StatusList DER (at most
 * ESEAL_STATUS_LIST_MAX bytes, consumed exactly) without checking its
 * signature; free with eseal_status_list_cleanup. Malformed input is
 * ESEAL_E_INVALID. eseal_status_list_verify also checks SM2-with-SM3
 * (standard ID) by |responder| over the tbs bytes as received
 * (ESEAL_E_CRYPTO when it does not verify). */
eseal_rc eseal_status_list_parse(struct eseal_status_list *out, const uint8_t *der, size_t len,
                                 struct eseal_err *err) ESEAL_MUST_CHECK;
eseal_rc eseal_status_list_verify(struct eseal_status_list *out, const uint8_t *der, size_t len,
                                  X509 *responder, struct eseal_err *err) ESEAL_MUST_CHECK;
void eseal_status_list_cleanup(struct eseal_status_list *l);

#endif
