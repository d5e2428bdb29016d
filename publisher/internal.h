/* internal.h — what the files of libeseal-publisher share. */
#ifndef ESEAL_PUBLISHER_INTERNAL_H
#define ESEAL_PUBLISHER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <openssl/asn1.h>

#include "eseal/buf.h"
#include "eseal/kv.h"
#include "eseal/log.h"
#include "eseal/publisher.h"

/* Column families of the publisher's RocksDB (all keys and values text
 * unless said otherwise). A version key is "<esID>/<version, 8 digits>". */
enum {
    CF_DEFAULT,    /* meta: "position" (8-byte BE), "follower", "note", "skipped" */
    CF_VERSIONS,   /* version key -> status record (canonical JSON) */
    CF_SEALS,      /* esID -> version key of its latest version */
    CF_BY_SEAL,    /* seal SM3 (lower-case hex) -> version key */
    CF_BY_PICTURE, /* picture SM3 (lower-case hex) -> version key */
    CF_BY_SERIAL,  /* certificate serial (upper-case hex, no leading 0) -> version key */
    CF_RESPONSES,  /* version key -> refresh time (8-byte BE) || signed DER */
    CF_DUE,        /* refresh time (8-byte BE) || version key -> "" */
    CF_REVOKED,    /* "<shard, 4 hex>/<serial>" -> "<CRLReason> <revocation time>" */
    CF_CRLS,       /* shard (4 hex) -> refresh time (8-byte BE) || signed CRL DER */
    CF_LISTS, /* shard (4 hex) -> refresh time (8-byte BE) || number (8-byte BE) || full list DER */
    CF_LIST_INDEX,   /* "<shard, 4 hex>/<version key>" -> "" */
    CF_LIST_CHANGES, /* "<shard, 4 hex>/<number, 16 hex>" -> {version key: record} it changed;
                      * "waiting/<version key>" -> "": changed, in no list yet (catchup.c) */
    /* display data fetched from the issuer (seals.c), not derived from the log */
    CF_SEAL_INFO, /* seal SM3 -> {"name","type","picture_sm3","picture_type","width_mm","height_mm"}
                   */
    CF_PICTURES,  /* picture SM3 -> picture type || "\n" || picture bytes */
    CF_SEAL_WANTED, /* seal SM3 -> version key whose seal is still to be fetched */
    /* signatures, like CF_RESPONSES: re-signed with them, not records */
    CF_OCSP, /* version key -> thisUpdate (8-byte BE) || nextUpdate || pre-signed OCSPResponse DER
              */
    /* the verified copy of the log (mirror.c), served to replicas */
    CF_LOG_ENTRIES, /* seq (8-byte BE) -> the entry's canonical JSON */
    CF_LOG_NODES,   /* level (1 byte) || index (8-byte BE) -> complete subtree hash */
    N_CFS,
};

/* What the responder key signs (GET /metrics, docs/operations.md). */
enum pub_signed {
    PUB_SIGNED_STATUS, /* per-seal status responses */
    PUB_SIGNED_LIST,   /* status lists, full and delta */
    PUB_SIGNED_CRL,
    PUB_SIGNED_OCSP,
    PUB_SIGNED_KINDS
};

struct eseal_publisher {
    struct eseal_publisher_config cfg; /* strings owned */
    struct eseal_ca *ca;               /* borrowed */
    struct eseal_kv *kv;
    struct eseal_log_key key;
    struct eseal_log_follower *f;
    char *root_pem, *responder_pem;
    char *responders_pem; /* the responder, then retired ones still valid (rotation) */

    /* |work| serialises step and refresh (the follower is not thread-safe
     * and the responder key is used by one thread at a time). */
    pthread_mutex_t work;

    /* |mu| guards what HTTP handlers read. */
    pthread_mutex_t mu;
    uint64_t position;
    struct eseal_log_checkpoint verified;
    struct eseal_buf note; /* the signed note of |verified|, when fetched */
    bool failed;
    char last_error[ESEAL_ERR_MSG_MAX];
    char printed_error[ESEAL_ERR_MSG_MAX];
    int64_t last_success;
    uint64_t skipped;

    /* the log mirror (mirror.c): on unless the state predates it; the
     * frontier of the entries 0..position-1, guarded by |work| */
    bool mirror_on;
    struct eseal_merkle_frontier mirror;

    unsigned shards;     /* fixed at creation (meta "shards") */
    uint64_t crl_number; /* the last CRL number used; guarded by |work| */

    pthread_t thread;
    bool started, stop;
    pthread_cond_t cond;

    /* |fetch| serialises fetching seals from the issuer (seals.c); it is
     * never held with |work|, so a slow issuer cannot hold up a step. */
    pthread_mutex_t fetch;
    json_t *fetch_retry;       /* seal SM3 -> [failures, next attempt time] */
    int64_t fetch_pause_until; /* the issuer did not answer: no fetch before */
    int64_t fetch_pause;       /* the current pause (s), doubled per failure */

    /* GET /metrics: signatures made and failed, by enum pub_signed */
    atomic_ullong signs[PUB_SIGNED_KINDS], sign_failures[PUB_SIGNED_KINDS];
};

/* pub_count_sign counts one signing of |kind| that ended in |rc| and
 * returns |rc|. */
eseal_rc pub_count_sign(struct eseal_publisher *p, enum pub_signed kind, eseal_rc rc);

/* pub_time_text writes |t| as "YYYY-MM-DDTHH:MM:SSZ". */
void pub_time_text(int64_t t, char out[32]);

/* pub_http_date writes |t| as an IMF-fixdate (RFC 9110). */
void pub_http_date(int64_t t, char out[40]);

/* pub_note copies the signed note of the latest verified checkpoint into
 * |out|; ESEAL_E_UNAVAILABLE before one was fetched. */
eseal_rc pub_note(struct eseal_publisher *p, struct eseal_buf *out);

/* pub_mirror_open starts the log mirror after the follower's state is
 * restored: on a fresh state it is on, on a state from before it off (the
 * log routes answer 503). */
eseal_rc pub_mirror_open(struct eseal_publisher *p, struct eseal_err *err);

/* pub_mirror_add adds to |b| the entries of one page (a JSON array from the
 * follower, in order) and their subtree hashes, growing |fr| (a copy of
 * p->mirror, stored back by the caller once |b| is written). Call with
 * |work| held. */
eseal_rc pub_mirror_add(struct eseal_publisher *p, struct eseal_kv_batch *b, const json_t *entries,
                        struct eseal_merkle_frontier *fr, struct eseal_err *err);

/* pub_h_log answers GET /log/entries and /log/proof/{inclusion,consistency}
 * from the mirror (|app| is the publisher). */
eseal_rc pub_h_log(struct eseal_http_req *req, void *app, struct eseal_err *err);

/* pub_get_json reads the JSON value stored under |key| in |cf|. */
eseal_rc pub_get_json(struct eseal_kv *kv, unsigned cf, const char *key, json_t **out,
                      struct eseal_err *err);

/* pub_etag_matches tells whether the If-None-Match list |inm| names |etag|. */
bool pub_etag_matches(const char *inm, const char *etag);

/* pub_be64 and pub_get_be64 write and read 8-byte big-endian integers. */
void pub_be64(uint8_t out[8], uint64_t v);
uint64_t pub_get_be64(const uint8_t in[8]);

/* pub_serial_integer converts the |len| hex digits at |hex| (a stored
 * serial) to an INTEGER (caller frees), or NULL if they are not hex. */
ASN1_INTEGER *pub_serial_integer(const char *hex, size_t len);

/* pub_crl_open fixes the shard count on first start (meta "shards",
 * indexing the revoked certificates of an existing state) and refuses a
 * configuration that differs from it later; reads the CRL number. */
eseal_rc pub_crl_open(struct eseal_publisher *p, struct eseal_err *err);

/* pub_crl_update adds to |b| the CF_REVOKED rows of the records in
 * |touched| (version key -> record) and, if |sign|, the re-signed CRL of
 * every shard they are in, as of |now|, as the store will be once |b| is
 * written. Call with |work| held. */
eseal_rc pub_crl_update(struct eseal_publisher *p, struct eseal_kv_batch *b, json_t *touched,
                        bool sign, int64_t now, struct eseal_err *err);

/* pub_crl_refresh re-signs, as of |now|, every CRL that is missing or past
 * half its validity, and writes them. *resigned counts them. Call with
 * |work| held. */
eseal_rc pub_crl_refresh(struct eseal_publisher *p, int64_t now, size_t *resigned,
                         struct eseal_err *err);

/* pub_lists_open indexes the seal versions by shard on the first start
 * with lists (meta "lists"). */
eseal_rc pub_lists_open(struct eseal_publisher *p, struct eseal_err *err);

/* pub_lists_update adds to |b| the index rows of the records in |touched|
 * and, for every shard they are in, the next list number: its change row
 * and its signed full list as of |now|. Call with |work| held. */
eseal_rc pub_lists_update(struct eseal_publisher *p, struct eseal_kv_batch *b, json_t *touched,
                          int64_t now, struct eseal_err *err);

/* pub_lists_index adds to |b| the CF_LIST_INDEX rows of the records in
 * |touched| (pub_lists_update does it too). */
void pub_lists_index(struct eseal_publisher *p, struct eseal_kv_batch *b, json_t *touched);

/* pub_catchup_apply adds to |b| the lists and CRLs of a page that changed
 * |touched| (version key -> record), as of |now|: issued in |b| with the
 * changes of every page that waited before it, or, when the follower is
 * |behind| and the waiting is within its bounds, kept waiting in |b|
 * (docs/publisher.md "Catching up"). Call with |work| held. */
eseal_rc pub_catchup_apply(struct eseal_publisher *p, struct eseal_kv_batch *b, json_t *touched,
                           bool behind, int64_t now, struct eseal_err *err);

/* pub_catchup_flush issues and writes, as of |now|, the lists and CRLs of
 * the pages that waited, if any. Call with |work| held. */
eseal_rc pub_catchup_flush(struct eseal_publisher *p, int64_t now, struct eseal_err *err);

/* pub_lists_refresh issues the next number of every shard whose list is
 * missing or past half its validity, and writes them. Call with |work|
 * held. */
eseal_rc pub_lists_refresh(struct eseal_publisher *p, int64_t now, size_t *resigned,
                           struct eseal_err *err);

/* pub_seals_open queues every stored seal version for fetching on the first
 * start with seal display data (meta "seal_info"). */
eseal_rc pub_seals_open(struct eseal_publisher *p, struct eseal_err *err);

/* pub_seals_want adds to |b| a CF_SEAL_WANTED row for each record in
 * |touched| (version key -> record): its seal is fetched after the commit. */
void pub_seals_want(struct eseal_kv_batch *b, json_t *touched);

/* pub_seal_info reads the display data of the seal with SM3 |seal_sm3|
 * (hex): *out (caller decrefs) as stored in CF_SEAL_INFO. ESEAL_E_NOTFOUND
 * until it is fetched. */
eseal_rc pub_seal_info(struct eseal_publisher *p, const char *seal_sm3, json_t **out,
                       struct eseal_err *err);

/* pub_ocsp_presign signs the OCSPResponse answering a SHA-1 CertID
 * request without nonce for the certificate of the status record |rec|
 * (RFC 5019): one SingleResponse for the platform root's |rec| serial,
 * |this_update| and |next_update|, into |der| (replaced). ocsp.c. */
eseal_rc pub_ocsp_presign(struct eseal_publisher *p, const json_t *rec, int64_t this_update,
                          int64_t next_update, struct eseal_buf *der, struct eseal_err *err);

/* pub_ocsp_stored copies the pre-signed OCSPResponse of the seal version
 * whose certificate serial is |serial| (hex) into |der| (replaced), with
 * its thisUpdate and nextUpdate. ESEAL_E_NOTFOUND when there is none (an
 * unknown serial, or a state from before pre-signing, until the refresh). */
eseal_rc pub_ocsp_stored(struct eseal_publisher *p, const char *serial, struct eseal_buf *der,
                         int64_t *this_update, int64_t *next_update, struct eseal_err *err);

/* Route handlers of page.c: GET /, /seals/{esID}, /pictures/{sm3}. */
eseal_rc pub_h_page(struct eseal_http_req *req, void *app, struct eseal_err *err);

/* ops.c: pub_h_metrics answers GET /metrics; pub_health_problems returns
 * the problems GET /healthz lists (a new array). docs/operations.md. */
eseal_rc pub_h_metrics(struct eseal_http_req *req, void *app, struct eseal_err *err);
json_t *pub_health_problems(struct eseal_publisher *p);
eseal_rc pub_h_seal(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc pub_h_picture(struct eseal_http_req *req, void *app, struct eseal_err *err);

/* pub_valid_oid accepts a dotted object identifier (tsa.c). */
eseal_rc pub_valid_oid(const struct eseal_opt *opt, const void *field, struct eseal_err *err);

/* pub_h_tsa answers POST /tsa: an RFC 3161 TimeStampReq in, a
 * TimeStampResp out (tsa.c). */
eseal_rc pub_h_tsa(struct eseal_http_req *req, void *app, struct eseal_err *err);

#endif
