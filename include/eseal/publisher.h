/* publisher.h — libeseal-publisher under eseal-publisherd (DESIGN.md §6):
 * follows the issuer's event log (a directory or its /log HTTP endpoints)
 * through a verifying follower, materialises the status of every seal
 * version from the seal.* entries (docs/log-events.md), pre-signs a DER
 * status response (status.h) and an OCSP response (RFC 5019) for each,
 * keeps them fresh, and serves them over a read-only public HTTP API.
 * docs/publisher.md has the details.
 *
 * State (RocksDB under <data>/db): the status records, their lookup
 * indexes (esID, seal digest, picture digest, certificate serial), the
 * signed responses, and the follower's state with the position of the next
 * entry — all written in one atomic batch per page of entries, so a restart
 * resumes exactly where the last batch ended. The records are a function of
 * the log alone: replaying the same log gives the same records. */
#ifndef ESEAL_PUBLISHER_H
#define ESEAL_PUBLISHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "eseal/config.h"
#include "eseal/merkle.h"
#include "eseal/sm.h"
#include "eseal/http.h"
#include "eseal/rc.h"
#include "eseal/status.h"

struct eseal_ca;
struct eseal_publisher;

/* Defaults of DESIGN.md §9. */
#define ESEAL_PUBLISHER_PORT 8442
#define ESEAL_PUBLISHER_DATA "var/publisher"
#define ESEAL_PUBLISHER_CA "var/ca"
#define ESEAL_PUBLISHER_LOG "var/issuer/log"
/* ESEAL_PUBLISHER_ISSUER is where seals are fetched from for display when
 * neither "issuer" nor an http(s) "log" says otherwise. */
#define ESEAL_PUBLISHER_ISSUER "http://127.0.0.1:8441"
/* ESEAL_PUBLISHER_VALIDITY is the default lifetime of a signed response
 * (seconds); responses are re-signed at half of it. */
#define ESEAL_PUBLISHER_VALIDITY (24 * 3600)
/* ESEAL_PUBLISHER_SHARDS is the default number of CRL shards; the number is
 * fixed when the state is created. */
#define ESEAL_PUBLISHER_SHARDS 16
/* ESEAL_PUBLISHER_OCSP_MAX bounds an OCSP request (bytes) and
 * ESEAL_PUBLISHER_OCSP_MAX_CERTS the certificates one request asks about. */
#define ESEAL_PUBLISHER_OCSP_MAX 4096
#define ESEAL_PUBLISHER_OCSP_MAX_CERTS 32
/* ESEAL_PUBLISHER_TSA_POLICY is the time-stamp policy by default: a UUID
 * OID under the ITU-T X.667 arc 2.25, which needs no registration
 * (docs/tsa.md). */
#define ESEAL_PUBLISHER_TSA_POLICY "2.25.89655751226095153327707521545612393118"

/* struct eseal_publisher_config is filled from eseal_publisher_options. */
struct eseal_publisher_config {
    char *address;
    long long port;
    char *data;            /* state directory: db/ */
    char *ca;              /* platform CA directory: log.pub, responder key */
    char *log;             /* the issuer's log directory or its base URL */
    char *passphrase_file; /* CA passphrase; NULL: $ESEAL_PASSPHRASE */
    long long validity;    /* seconds from thisUpdate to nextUpdate */
    long long poll_ms;     /* how often the log is polled */
    long long threads;     /* HTTP worker threads */
    bool access_log;       /* one line per request on stderr (JSON) */
    bool log_text;         /* access_log in the human text format */
    long long shards;      /* CRL shards; fixed at the first start */
    char *issuer;          /* issuer base URL for seal files; NULL: the log's
                            * URL, else ESEAL_PUBLISHER_ISSUER */
    char *ca_file;         /* PEM CA certificates for https:// log and issuer
                            * URLs; NULL: the system store */
    /* HTTP connections at once, in all and from one address */
    long long max_connections;
    long long max_per_ip;
    long long header_timeout; /* seconds: eseal_http_config.header_timeout_s */
    /* time-stamps (docs/tsa.md): serve POST /tsa with the CA's TSA key, the
     * policy OID in the tokens, the stated accuracy of genTime (ms) */
    bool tsa;
    char *tsa_policy;
    long long tsa_accuracy_ms;
    /* GET /healthz: feeds not updated from the log for this many seconds
     * are stale (503); 0 never (docs/operations.md) */
    long long stale_after;
};

/* eseal_publisher_options is the configuration table (config.h). */
extern const struct eseal_opt eseal_publisher_options[];
extern const size_t eseal_publisher_n_options;

/* eseal_publisher_open opens (creating) the state under cfg->data, reads
 * the log's verifier key from the CA's log.pub, and opens a follower of
 * cfg->log (an "http://" URL or a directory), restoring its saved state.
 * |ca| needs only the responder key unlocked (ESEAL_CA_UNLOCK_RESPONDER; the
 * publisher faces the internet, so eseal-publisherd unlocks nothing else
 * but, with cfg->tsa, the time-stamp key ESEAL_CA_UNLOCK_TSA)
 * and must outlive the publisher (borrowed). Nothing is
 * followed or signed until eseal_publisher_step or _start. Free with
 * eseal_publisher_close. */
eseal_rc eseal_publisher_open(struct eseal_publisher **out,
                              const struct eseal_publisher_config *cfg, struct eseal_ca *ca,
                              struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_publisher_close stops the background thread (if started) and frees
 * |p|. Accepts NULL. Stop the HTTP server first. */
void eseal_publisher_close(struct eseal_publisher *p);

/* eseal_publisher_step takes one verified page of entries from the
 * follower, applies it and signs the responses of every changed seal
 * version as of |now| (Unix seconds), and commits all of it with the
 * follower's state in one batch. The lists and CRLs of the shards it
 * changed are issued in that batch too, unless the follower is catching
 * up (more entries are known to be waiting): then they wait, kept in the
 * batch, until a page leaves it caught up, a step finds nothing new, or
 * ESEAL_PUBLISHER_CATCHUP_PAGES pages or _SECONDS seconds have waited.
 * *applied (may be NULL) receives the number
 * of entries taken (0: nothing new). A failed check of the log is
 * ESEAL_E_CRYPTO and nothing moves, now and on every later step; it is also
 * kept as the last error (eseal_publisher_health). */
eseal_rc eseal_publisher_step(struct eseal_publisher *p, int64_t now, size_t *applied,
                              struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_publisher_refresh re-signs, as of |now|, every response whose
 * refresh time (half its validity, or the seal's validEnd, whichever comes
 * first) has come; *resigned (may be NULL) receives how many. */
eseal_rc eseal_publisher_refresh(struct eseal_publisher *p, int64_t now, size_t *resigned,
                                 struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_publisher_start starts the background thread: steps until the log
 * has nothing new, refreshes, waits cfg->poll_ms, again; failures are kept
 * and printed once on stderr, and the thread keeps trying. */
eseal_rc eseal_publisher_start(struct eseal_publisher *p, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_publisher_serve starts the public HTTP server on cfg->address and
 * cfg->port (docs/publisher.md); free it with eseal_http_stop before
 * closing |p|. */
eseal_rc eseal_publisher_serve(struct eseal_publisher *p, struct eseal_http **srv,
                               struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_publisher_print_routes writes the route table that
 * eseal_publisher_serve serves as Markdown (eseal_http_routes_print). */
void eseal_publisher_print_routes(FILE *out);

/* enum eseal_publisher_key says what a lookup is by. */
enum eseal_publisher_key {
    ESEAL_PUBLISHER_BY_ESID,    /* the latest version of the esID */
    ESEAL_PUBLISHER_BY_SEAL,    /* SM3 of the seal (64 hex digits) */
    ESEAL_PUBLISHER_BY_PICTURE, /* SM3 of the picture (64 hex digits) */
    ESEAL_PUBLISHER_BY_SERIAL,  /* certificate serial (hex) */
};

/* eseal_publisher_lookup finds the seal version |key| names and returns in
 * *record its status record as JSON (caller decrefs) — the fields esid,
 * version, status, reason, status_time, seal_sm3, picture_sm3, cert_serial,
 * valid_start, valid_end, unit_name, kind, seq, all from the log — and in
 * |der| (may be NULL; replaced) its signed response. A malformed key is
 * ESEAL_E_INVALID, none ESEAL_E_NOTFOUND. */
eseal_rc eseal_publisher_lookup(struct eseal_publisher *p, enum eseal_publisher_key by,
                                const char *key, json_t **record, struct eseal_buf *der,
                                struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_publisher_position returns the index of the next entry to apply. */
uint64_t eseal_publisher_position(struct eseal_publisher *p);

/* eseal_publisher_health returns {"ok", "position", "checkpoint":{"size",
 * "root"}, "lagEntries", "lastSuccess", "lastError", "skipped"} as a new
 * JSON object (caller decrefs). */
json_t *eseal_publisher_health(struct eseal_publisher *p);

/* eseal_publisher_records returns every status record, index row and the
 * applied position as one canonical JSON text (free() it): what replaying
 * the same log must reproduce. Signed responses are left out. */
char *eseal_publisher_records(struct eseal_publisher *p);

/* eseal_publisher_shard returns the CRL shard of the seal |esid|: the first
 * four bytes of SM3(esid), big-endian, modulo |shards| (> 0). Every version
 * of a seal, and so every certificate of it, is in the same shard. */
unsigned eseal_publisher_shard(const char *esid, unsigned shards);

/* eseal_publisher_crl_reason returns the CRLReason (RFC 5280 §5.3.1) under
 * which a seal version with status |status| ("pending", "good", "suspended",
 * "revoked") and reason name |reason| (may be NULL) is listed on a CRL and
 * answered as revoked by OCSP, or -1 when it is not listed (good).
 * Suspended and pending (made, not yet collected, so not usable yet) are
 * certificateHold (6); revoked is its reason's code, unspecified (0) for a
 * missing or unknown name. */
int eseal_publisher_crl_reason(const char *status, const char *reason);

/* eseal_publisher_shards returns the number of CRL shards of |p|. */
unsigned eseal_publisher_shards(struct eseal_publisher *p);

/* eseal_publisher_crl copies the current signed CRL (DER, RFC 5280 v2,
 * issued and signed by the responder) of |shard| into |der| (replacing
 * it). A shard out of range is ESEAL_E_NOTFOUND; one not generated yet
 * (before the first step or refresh) ESEAL_E_UNAVAILABLE. */
eseal_rc eseal_publisher_crl(struct eseal_publisher *p, unsigned shard, struct eseal_buf *der,
                             struct eseal_err *err) ESEAL_MUST_CHECK;

/* struct eseal_publisher_ocsp_meta says how an OCSP answer may be cached
 * over HTTP (RFC 5019 §6). |presigned|: the stored response of one
 * certificate, the same bytes for every such request until it changes.
 * |this_update| and |next_update| of its SingleResponses (Unix seconds;
 * 0 when the answer is not a successful response). */
struct eseal_publisher_ocsp_meta {
    bool presigned;
    int64_t this_update, next_update;
};

/* eseal_publisher_ocsp answers the DER OCSP request |req| (RFC 6960) as of
 * |now| into |resp| (replacing it): always an OCSPResponse DER — a
 * malformed or oversized request gets malformedRequest, a failure
 * internalError, otherwise a basic response signed by the responder with
 * good, revoked (time, reason) or unknown (serial not a seal certificate,
 * or an issuer other than the platform root) per certificate.
 * A request for one certificate by a SHA-1 CertID of the root, without a
 * nonce (the RFC 5019 profile), gets the response pre-signed when its
 * status last changed or was refreshed, as stored (no nonce; thisUpdate
 * and nextUpdate those of the status response), while it is current.
 * Any other request is signed on the calling thread, thisUpdate |now|,
 * nextUpdate + validity, its nonce echoed. It never waits for the
 * follower. |meta| (may be NULL) receives how the answer may be cached.
 * Returns ESEAL_OK, or on an internal failure the error code with |err|
 * filled and an internalError response in |resp| (empty only if even that
 * could not be encoded). */
eseal_rc eseal_publisher_ocsp(struct eseal_publisher *p, const uint8_t *req, size_t len,
                              int64_t now, struct eseal_buf *resp,
                              struct eseal_publisher_ocsp_meta *meta,
                              struct eseal_err *err) ESEAL_MUST_CHECK;

/* ---- status lists (docs/publisher.md "Status lists") ----------------------
 * One numbered, SM2-signed StatusList per shard (the CRL shards and shard
 * function): a full list of every seal version of the shard with its logged
 * status, re-issued under the next number whenever a status in the shard
 * changes (in the same batch as the change; catching up, with a later
 * page) and at half of its validity;
 * and deltas from an earlier number, made from a bounded per-shard history
 * of what each number changed. Numbers start at 1 and never go backwards. */

/* ESEAL_PUBLISHER_LIST_HISTORY is how many list numbers back a delta can
 * start from. */
#define ESEAL_PUBLISHER_LIST_HISTORY 1000

/* ESEAL_PUBLISHER_CATCHUP_PAGES and _SECONDS bound how long the lists and
 * CRLs of a catching-up publisher wait (docs/publisher.md "Catching up"):
 * they are issued at the latest with the page that reaches either. */
#define ESEAL_PUBLISHER_CATCHUP_PAGES 250
#define ESEAL_PUBLISHER_CATCHUP_SECONDS 60

/* eseal_publisher_list_full copies the current signed full list of |shard|
 * into |der|. A shard out of range is ESEAL_E_NOTFOUND; one not made yet
 * ESEAL_E_UNAVAILABLE. */
eseal_rc eseal_publisher_list_full(struct eseal_publisher *p, unsigned shard, struct eseal_buf *der,
                                   struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_publisher_list_delta signs into |der| the delta of |shard| from
 * list |base| to the current list: every seal version whose status changed
 * in lists base+1 .. current, as it is in the current list (same number,
 * thisUpdate, nextUpdate and checkpoint). A shard out of range, or a base
 * of 0 or after the current number, is ESEAL_E_NOTFOUND; a base more than
 * ESEAL_PUBLISHER_LIST_HISTORY numbers back is ESEAL_E_CONFLICT (fetch the
 * full list); no list yet ESEAL_E_UNAVAILABLE. */
eseal_rc eseal_publisher_list_delta(struct eseal_publisher *p, unsigned shard, uint64_t base,
                                    struct eseal_buf *der, struct eseal_err *err) ESEAL_MUST_CHECK;

/* ---- display data: seal names and pictures (docs/publisher.md "The lookup
 * page") ----------------------------------------------------------------------
 * The log holds only the digests of a seal and its picture. After each
 * committed page the background thread fetches the seal file of every new
 * seal version from the issuer (GET {issuer}/public/seals/{esID}/{version}/
 * seal.esl), checks it against the log's digests and keeps its name and
 * picture. This data is for display only and not part of the determinism
 * guarantee: it depends on the issuer answering. */

/* eseal_publisher_seal_check checks a fetched seal file |der| against the
 * status |record| of its version (eseal_publisher_lookup's fields): its SM3
 * must be the record's seal_sm3, it must parse as a seal of the record's
 * esID with a UTF-8 name, and its picture's SM3 must be the record's
 * picture_sm3. A digest that differs is ESEAL_E_CRYPTO, an unparsable or
 * other seal ESEAL_E_INVALID, more than ESEAL_SEAL_MAX bytes
 * ESEAL_E_TOOBIG. */
eseal_rc eseal_publisher_seal_check(const json_t *record, const uint8_t *der, size_t len,
                                    struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_publisher_fetch_seals fetches, checks and stores, as of |now|, the
 * seals of up to ESEAL_PUBLISHER_FETCH_ROUND versions still without one
 * whose retry time has come. A failed version is retried after 2, 4, 8 …
 * s (at most an hour); when the issuer does not answer at all, fetching
 * pauses (1 s doubling to 5 min) and the round ends. Failures are printed
 * on stderr, never stored. *stored (may be NULL) receives how many seals
 * were stored. Returns ESEAL_OK unless the store fails. */
#define ESEAL_PUBLISHER_FETCH_ROUND 16
eseal_rc eseal_publisher_fetch_seals(struct eseal_publisher *p, int64_t now, size_t *stored,
                                     struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_publisher_picture copies the picture whose SM3 is |sm3hex| (64 hex
 * digits, either case) into |bytes| and its type as found in the seal
 * ("png", "jpg", "gif", "bmp", "svg", …) into |type|. A malformed digest is
 * ESEAL_E_INVALID; a picture not (yet) fetched ESEAL_E_NOTFOUND. */
#define ESEAL_PUBLISHER_PICTURE_TYPE_MAX 15
eseal_rc eseal_publisher_picture(struct eseal_publisher *p, const char *sm3hex,
                                 struct eseal_buf *bytes,
                                 char type[ESEAL_PUBLISHER_PICTURE_TYPE_MAX + 1],
                                 struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_publisher_page renders the public lookup page (UTF-8 HTML, Chinese
 * with English) into |html| (replacing it) for the seal code |esid| as
 * typed by a visitor (NULL or "": the empty form), and sets *status: 200,
 * 404 for a code no seal has, 400 for one that is not 14 digits. The
 * status shown is that of the seal's current signed response. Every value
 * is HTML-escaped. Other failures (the store) are returned with nothing
 * rendered. */
eseal_rc eseal_publisher_page(struct eseal_publisher *p, const char *esid, struct eseal_buf *html,
                              unsigned *status, struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
