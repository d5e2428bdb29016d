/* issuer.h — the issuance service behind eseal-issuerd: configuration, the
 * submission workflow (one call per state change), seal production and the
 * HTTP API. See docs/api.md for the API and docs/log-events.md for the
 * entries each call writes to the event log.
 *
 * Every state change is first committed to the event log (one entry per
 * change and per seal event, durable before the call returns) and then
 * applied to the RocksDB store in one write batch that also records the log
 * position. On open, log entries beyond that position are applied again, so
 * after a crash the store is brought back in line with the log.
 *
 * Thread-safety: between eseal_issuer_open and eseal_issuer_close, every
 * other eseal_issuer_* call may be made from several threads at once (the
 * HTTP workers do): state changes are serialised on one lock held across
 * the log append and the store write, reads see committed state only.
 * eseal_issuer_open, _close and _fault_inject must not race with anything.
 * The CA given to open is used from those threads (its signing calls are
 * thread-safe once unlocked; ca.h).
 *
 * Results are JSON views (caller decrefs). Failures fill a struct
 * eseal_issuer_problem: the result code and message, the offending field,
 * and for refusals by the rules engine the findings. */
#ifndef ESEAL_ISSUER_H
#define ESEAL_ISSUER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "eseal/config.h"
#include "eseal/http.h"
#include "eseal/rc.h"

struct eseal_ca;
struct eseal_staff_principal;
struct eseal_blob_progress;
struct eseal_blob_rotation;
struct eseal_staff_store;

/* How eseal_staff_bootstrap found or made the first admin. */
enum eseal_staff_bootstrap_result {
    ESEAL_STAFF_BOOT_EXISTING = 0, /* an admin account existed: nothing done */
    ESEAL_STAFF_BOOT_ENV,          /* `admin` created with $ESEAL_ADMIN_PASSWORD */
    ESEAL_STAFF_BOOT_FILE,         /* `admin` created with a generated password
                                      written to <data_dir>/admin.password */
};

struct eseal_log;
struct eseal_issuer;

/* Defaults of DESIGN.md §9. */
#define ESEAL_ISSUER_PORT 8441
#define ESEAL_ISSUER_DATA "./var/issuer"
#define ESEAL_ISSUER_CA "./var/ca"
#define ESEAL_ISSUER_MAX_DAYS 365

/* struct eseal_issuer_config is the daemon's configuration; its table is
 * eseal_issuer_options. Strings are owned by the config
 * (eseal_config_cleanup). */
struct eseal_issuer_config {
    char *address;         /* listen address, default 127.0.0.1 */
    long long port;        /* default 8441 */
    char *data;            /* state directory, default ./var/issuer */
    char *ca;              /* CA directory, default ./var/ca */
    char *passphrase_file; /* CA passphrase file; unset: $ESEAL_PASSPHRASE */
    long long max_days;    /* upper bound (and default) of a seal's validity, days */
    long long session_ttl; /* seconds a login lasts */
    long long max_body;    /* bytes of a JSON request body */
    long long max_upload;  /* bytes of a multipart request body */
    long long threads;     /* HTTP worker threads */
    bool access_log;       /* one line per request on stderr (JSON) */
    bool log_text;         /* access_log in the human text format */
    /* HTTP connections at once, in all and from one address */
    long long max_connections;
    long long max_per_ip;
    long long header_timeout; /* seconds: eseal_http_config.header_timeout_s */
    /* Notifications (notify.c): the SMTP relay smtp(s)://host:port (unset:
     * no mail), the From address, the file with the relay's user name and
     * password, seconds between reminder scans and mail retries, and, for
     * tests only, seconds added to the clock the reminders read. */
    char *smtp_url;
    char *mail_from;
    char *smtp_credentials_file;
    long long notice_interval;
    long long test_clock_offset;
    /* Browser sessions and the console (docs/api.md): seconds a session may
     * go unused; the proxies whose X-Forwarded-Proto and X-Forwarded-For are
     * believed (comma-separated addresses; unset: none); the directory of
     * the console's build (unset: <exe dir>/../share/eseal/console when it
     * exists, else the compile-time ESEAL_CONSOLE_DIR). */
    long long session_idle;
    char *trusted_proxies;
    char *console_dir;
};

extern const struct eseal_opt eseal_issuer_options[];
extern const size_t eseal_issuer_n_options;

/* struct eseal_issuer_problem says why a call failed: |err| holds the code
 * and message, |field| the JSON path of the offending input ("" if none),
 * |findings| the rules result (owned; may be NULL). A submission the rules
 * refuse, or data that contradicts the records, is ESEAL_E_RULE; the HTTP
 * layer alone turns codes into statuses (eseal_http_status). Init before
 * use, cleanup after. */
struct eseal_issuer_problem {
    struct eseal_err err;
    char field[128];
    json_t *findings;
};

void eseal_issuer_problem_init(struct eseal_issuer_problem *p);
void eseal_issuer_problem_cleanup(struct eseal_issuer_problem *p);
/* eseal_issuer_problem_json returns {"error":{"code","message","field",
 * "description","findings"?}} (caller decrefs). */
json_t *eseal_issuer_problem_json(const struct eseal_issuer_problem *p);

/* ESEAL_ISSUER_CA_KEYS are the CA keys (ca.h) the issuer needs unlocked:
 * the root issues holder certificates, the maker signs seals and unlock
 * codes, the log key signs checkpoints, the platform secret makes the
 * commitments log entries carry instead of personal data. Never the
 * responder's. */
#define ESEAL_ISSUER_CA_KEYS                                                                       \
    (ESEAL_CA_UNLOCK_ROOT | ESEAL_CA_UNLOCK_MAKER | ESEAL_CA_UNLOCK_LOG | ESEAL_CA_UNLOCK_COMMIT)

/* eseal_issuer_open opens (creating on first use) the issuer's state under
 * cfg->data: the RocksDB store (data/db), the material store (data/blobs)
 * and the event log (data/log), signed with the log key of |ca| (with
 * ESEAL_ISSUER_CA_KEYS unlocked; borrowed: it must outlive the issuer). It then replays log entries
 * the store has not applied yet and makes sure an admin account exists (eseal_staff_bootstrap;
 * *boot, which may be NULL, says what happened). |cfg| is copied. Free with eseal_issuer_close. */
eseal_rc eseal_issuer_open(struct eseal_issuer **out, const struct eseal_issuer_config *cfg,
                           struct eseal_ca *ca, enum eseal_staff_bootstrap_result *boot,
                           struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_issuer_rotate_data_key rotates the data key of the material store
 * under |data| (data/blobs; issuer/blob.h eseal_blob_rotate), wrapping the
 * new key with the platform secret of |ca| (ESEAL_CA_UNLOCK_COMMIT
 * unlocked). A rotation left part way is finished instead (out->resumed),
 * not followed by another. The issuer must not run: the caller holds its
 * log (eseal_log_open) to make sure. |progress| may be NULL. */
eseal_rc eseal_issuer_rotate_data_key(const char *data, struct eseal_ca *ca,
                                      const struct eseal_blob_progress *progress,
                                      struct eseal_blob_rotation *out,
                                      struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_issuer_close stops nothing (stop the HTTP server first) and frees
 * |is|. Accepts NULL. */
void eseal_issuer_close(struct eseal_issuer *is);

/* eseal_issuer_staff returns the staff store (borrowed) for logins. */
const struct eseal_staff_store *eseal_issuer_staff(const struct eseal_issuer *is);

/* eseal_issuer_log returns the event log (borrowed). */
struct eseal_log *eseal_issuer_log(struct eseal_issuer *is);

/* eseal_issuer_replayed returns how many log entries open applied again. */
uint64_t eseal_issuer_replayed(const struct eseal_issuer *is);

/* eseal_issuer_materials_migrated returns how many plaintext materials from
 * before encryption at rest open encrypted in place (issuer/blob.h). */
size_t eseal_issuer_materials_migrated(const struct eseal_issuer *is);

/* eseal_issuer_data_key_resumed is what open did to finish a data key
 * rotation left part way (borrowed), or NULL if there was none. */
const struct eseal_blob_rotation *eseal_issuer_data_key_resumed(const struct eseal_issuer *is);

/* Fault injection for tests: with ESEAL_ISSUER_FAULT_AFTER_LOG set, the
 * next state change commits its log entries and then fails with
 * ESEAL_E_IO before touching the store, as a crash at that point would. */
enum eseal_issuer_fault {
    ESEAL_ISSUER_FAULT_NONE = 0,
    ESEAL_ISSUER_FAULT_AFTER_LOG,
};
void eseal_issuer_fault_inject(struct eseal_issuer *is, enum eseal_issuer_fault fault);

/* ---- the workflow -----------------------------------------------------------
 * Each call checks the caller's role (the permission table of staff.h), its
 * scope (an object it may not see is ESEAL_E_NOTFOUND) and the submission's
 * state (an illegal transition is ESEAL_E_CONFLICT), validates its input
 * strictly (unknown keys and wrong types are ESEAL_E_INVALID naming the
 * field; what the rules or the records refuse is ESEAL_E_RULE), and on any
 * failure changes nothing. On success *view (may be NULL) receives the
 * submission as eseal_issuer_submission_get shows it. Each call is one row
 * of the step table (docs/issuer-domain.md §7). */

/* Submission documents are the JSON of form.h (docs/issuer-domain.md). */
eseal_rc eseal_issuer_submission_create(struct eseal_issuer *is,
                                        const struct eseal_staff_principal *who, const json_t *doc,
                                        json_t **view,
                                        struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* _update replaces the document of a draft or rejected submission. */
eseal_rc eseal_issuer_submission_update(struct eseal_issuer *is,
                                        const struct eseal_staff_principal *who, const char *id,
                                        const json_t *doc, json_t **view,
                                        struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* struct eseal_issuer_upload is one material to attach (borrowed). */
struct eseal_issuer_upload {
    const char *kind; /* a material kind key of form.h: "letter", "impression", … */
    const uint8_t *data;
    size_t len;
    /* ESEAL_SM3_LEN bytes: the SM3 of |data| computed as the upload arrived
     * (eseal_http_multipart), or NULL to compute it here */
    const uint8_t *sm3;
};

/* _add_materials stores |n| materials (each checked by kind and content) and
 * attaches them to a draft or rejected submission; *refs (may be NULL)
 * receives [{"kind","sm3","content_type","size"}]. All or nothing. */
eseal_rc eseal_issuer_submission_add_materials(struct eseal_issuer *is,
                                               const struct eseal_staff_principal *who,
                                               const char *id, const struct eseal_issuer_upload *up,
                                               size_t n, json_t **refs,
                                               struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* _submit sends a draft (submission.submitted) or a rectified rejected
 * submission (submission.resubmitted); errors of the rules (other than the
 * on-site key check, which the maker records at registration) refuse it. */
eseal_rc eseal_issuer_submission_submit(struct eseal_issuer *is,
                                        const struct eseal_staff_principal *who, const char *id,
                                        json_t **view,
                                        struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* _register: a maker checks completeness. |body| (may be NULL): {"onsite":
 * [{"esid","token_id"}]} records the USB KEYs presented on site. Any error of
 * the rules refuses it (ESEAL_E_RULE with the findings). */
eseal_rc eseal_issuer_submission_register(struct eseal_issuer *is,
                                          const struct eseal_staff_principal *who, const char *id,
                                          const json_t *body, json_t **view,
                                          struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* _review: {"decision":"approve"|"reject","reasons":[...],"acknowledge":[rule
 * keys]}. Only a reviewer who did not register it; rejecting needs reasons;
 * approving needs the rules' verdict ok with the acknowledgements given. */
eseal_rc eseal_issuer_submission_review(struct eseal_issuer *is,
                                        const struct eseal_staff_principal *who, const char *id,
                                        const json_t *body, json_t **view,
                                        struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* _produce makes what the business type calls for (docs/api.md): body (may
 * be NULL) {"days":N,"reason":"…","forms":[{"csr":PEM,"token_id":hex,
 * "counter":N}]}. */
eseal_rc eseal_issuer_submission_produce(struct eseal_issuer *is,
                                         const struct eseal_staff_principal *who, const char *id,
                                         const json_t *body, json_t **view,
                                         struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* struct eseal_issuer_handover is what a maker records when the seal is
 * collected (apply, reissue): the collector as seen (name, ID number), the
 * collector the introduction letter names, and the letter and the stamped
 * ID copy themselves. All borrowed. */
struct eseal_issuer_handover {
    const char *collector_name;
    const char *collector_id_number;
    const char *letter_name;
    const char *letter_id_number;
    const uint8_t *introduction_letter;
    size_t introduction_letter_len;
    const uint8_t *id_copy;
    size_t id_copy_len;
};
eseal_rc eseal_issuer_submission_handover(struct eseal_issuer *is,
                                          const struct eseal_staff_principal *who, const char *id,
                                          const struct eseal_issuer_handover *h, json_t **view,
                                          struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* Reading. */
eseal_rc eseal_issuer_submission_get(struct eseal_issuer *is,
                                     const struct eseal_staff_principal *who, const char *id,
                                     json_t **view,
                                     struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* _list returns {"submissions":[summary…]} of what |who| may see, optionally
 * only those in |state| (NULL: all). */
eseal_rc eseal_issuer_submission_list(struct eseal_issuer *is,
                                      const struct eseal_staff_principal *who, const char *state,
                                      json_t **view,
                                      struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* _history returns {"submission","events":[{seq,type,time,role,by?,round?,…}]}:
 * the submission's log entries as a timeline, for whoever may see it (by:
 * the account, shown to staff only). */
eseal_rc eseal_issuer_submission_history(struct eseal_issuer *is,
                                         const struct eseal_staff_principal *who, const char *id,
                                         json_t **view,
                                         struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* struct eseal_issuer_query is a list request as its query string gives it
 * (all borrowed; NULL: not given). The library checks every value and names
 * the key of a bad one (ESEAL_E_INVALID). */
struct eseal_issuer_query {
    const char *state;    /* a submission state; for seals a seal status */
    const char *city;     /* submissions: the 6-digit code of the unit's city */
    const char *business; /* submissions: apply, renew, change, revoke, reissue, unlock */
    const char *unit;     /* submissions: the unit's USCC */
    const char *uscc;     /* seals: the unit's USCC */
    const char *q;        /* search text, 1..100 bytes */
    const char *limit;    /* 1..200, default 50 */
    const char *offset;   /* default 0 */
};
/* _find returns {"submissions":[summary…],"total","limit","offset"}: one
 * page of what |who| may see and the filters of |q| keep, oldest first by
 * the time each entered its state. Read from the index (docs/api.md). */
eseal_rc eseal_issuer_submission_find(struct eseal_issuer *is,
                                      const struct eseal_staff_principal *who,
                                      const struct eseal_issuer_query *q, json_t **view,
                                      struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* eseal_issuer_queues returns {"queues":[{"name","label","state","count",
 * "oldest"}]}: the work queues of |who|'s role (makers, reviewers, admins). */
eseal_rc eseal_issuer_queues(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                             json_t **view, struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* eseal_issuer_seal_find returns {"seals":[{"esid","name","unit":{"name","uscc"},
 * "kind","status","version","valid_from","valid_to","cert_serial"}],"total",
 * "limit","offset"}: the seals |who| may see that match q.q (name, unit name,
 * USCC, code or certificate serial), q.state and q.uscc. */
eseal_rc eseal_issuer_seal_find(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                const struct eseal_issuer_query *q, json_t **view,
                                struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* eseal_issuer_seal_picture copies the picture of version |version| (0: the
 * current) of seal |esid| into |out| and sets *content_type (static). */
eseal_rc eseal_issuer_seal_picture(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const char *esid, long long version, struct eseal_buf *out,
                                   const char **content_type,
                                   struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* eseal_issuer_overview returns the admin overview: {"log":{"size",
 * "checkpoint":{"size","root","time","text"}},"submissions":{"by_state"},
 * "seals":{"by_status"},"staff","sessions"}. */
eseal_rc eseal_issuer_overview(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                               json_t **view, struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* eseal_issuer_catalog returns the reference catalog a form shows its
 * choices from (docs/api.md), for any logged-in account. */
eseal_rc eseal_issuer_catalog(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                              json_t **view, struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* _audit returns {"submission","entries":[log entries]} (admins). */
eseal_rc eseal_issuer_submission_audit(struct eseal_issuer *is,
                                       const struct eseal_staff_principal *who, const char *id,
                                       json_t **view,
                                       struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* eseal_issuer_log_prove shows what log entry |seq| committed to (admins,
 * like the audit): it reads the private record the entry's
 * data.commitment names, recomputes HMAC-SM3 under the platform secret
 * over it and returns {"seq","type","commitment","recomputed","matches",
 * "record"}. An entry without a commitment is ESEAL_E_NOTFOUND. */
eseal_rc eseal_issuer_log_prove(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                uint64_t seq, json_t **view,
                                struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* _submission_material copies material |sm3| of submission |id| into |out|
 * (replacing it) for whoever may see the submission (anyone else:
 * ESEAL_E_NOTFOUND, as for a material the submission does not have).
 * *content_type is the MIME type detected from the bytes and *kind the
 * material kind's key ("letter", …, "id_copy"; both static). */
eseal_rc eseal_issuer_submission_material(struct eseal_issuer *is,
                                          const struct eseal_staff_principal *who, const char *id,
                                          const char *sm3, struct eseal_buf *out,
                                          const char **content_type, const char **kind,
                                          struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* Impression processing (印模电子化): docs/issuer-domain.md, "Impression
 * processing". struct eseal_issuer_impression is a scan of the impression
 * box of one form (borrowed). */
struct eseal_issuer_impression {
    size_t form;         /* the form's index, 0-based */
    int threshold;       /* 0..255, or ESEAL_IMAGE_THRESHOLD_AUTO (-1) */
    unsigned dpi;        /* 0: ESEAL_IMAGE_DPI_DEFAULT */
    const uint8_t *scan; /* PNG or JPEG */
    size_t scan_len;
};
/* _submission_impression (a maker, submission registered or approved)
 * turns the scan into the form's picture at the form's width and height
 * (eseal_image_impression), keeps the scan and the picture (downloadable as
 * materials "impression_scan" and "picture") and logs
 * submission.picture_processed. The picture is not used until accepted.
 * *view receives {"form","sm3","scan_sm3","threshold","dpi","width_px",
 * "height_px","width_mm","height_mm","scan_width","scan_height","bbox",
 * "ink_ratio"}. A scan the processing refuses is ESEAL_E_INVALID or
 * ESEAL_E_TOOBIG with field "scan". */
eseal_rc eseal_issuer_submission_impression(struct eseal_issuer *is,
                                            const struct eseal_staff_principal *who, const char *id,
                                            const struct eseal_issuer_impression *in, json_t **view,
                                            struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* _submission_picture_accept (a maker, registered or approved) takes
 * {"form","sm3"}: the picture processed for that form becomes the one
 * production puts into the seal, instead of the uploaded impression
 * (submission.picture_accepted). *view receives the submission view. */
eseal_rc eseal_issuer_submission_picture_accept(struct eseal_issuer *is,
                                                const struct eseal_staff_principal *who,
                                                const char *id, const json_t *body, json_t **view,
                                                struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* Batches (批次) of a city's aggregator: docs/issuer-domain.md, "Channels".
 * _batch_create {"business"} opens a batch (B00000001) for the caller's
 * city; _batch_add {"submission"} adds a collected submission of that
 * business type; _batch_summary takes the uploads "summary_table" (the
 * file) and "rows" (its rows, JSON); _batch_submit sends every item to the
 * centre at once after checking the table against all items' forms.
 * _batch_register and _batch_review run the per-submission step on each
 * item (body as for one submission, plus optional "items": the ids to act
 * on) and return {"batch", "results":[{"submission","ok","state"|"error"}]}.
 * *view is the caller's. */
eseal_rc eseal_issuer_batch_create(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const json_t *body, json_t **view,
                                   struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
eseal_rc eseal_issuer_batch_add(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                const char *id, const json_t *body, json_t **view,
                                struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
eseal_rc eseal_issuer_batch_summary(struct eseal_issuer *is,
                                    const struct eseal_staff_principal *who, const char *id,
                                    const struct eseal_issuer_upload *up, size_t n, json_t **view,
                                    struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
eseal_rc eseal_issuer_batch_submit(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const char *id, json_t **view,
                                   struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
eseal_rc eseal_issuer_batch_get(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                const char *id, json_t **view,
                                struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
eseal_rc eseal_issuer_batch_register(struct eseal_issuer *is,
                                     const struct eseal_staff_principal *who, const char *id,
                                     const json_t *body, json_t **view,
                                     struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
eseal_rc eseal_issuer_batch_review(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const char *id, const json_t *body, json_t **view,
                                   struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

eseal_rc eseal_issuer_seal_get(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                               const char *esid, json_t **view,
                               struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* eseal_issuer_seal_list returns {"uscc","seals":[{"esid","name","kind",
 * "function","cert_type","width_mm","height_mm","status","version",
 * "valid_start","valid_end"}]}: the seals of unit |uscc| that |who| may see
 * (its agent, its city's aggregator, staff), ordered by code, so that a unit
 * can name its seals as the guide does (by name). An empty list is not an
 * error. *view is the caller's. */
eseal_rc eseal_issuer_seal_list(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                const char *uscc, json_t **view,
                                struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

enum eseal_issuer_seal_file {
    ESEAL_ISSUER_SEAL_ESL, /* the current seal version, DER */
    ESEAL_ISSUER_CERT_PEM, /* its certificate, PEM */
};
/* _seal_file copies the file into |out| (replacing it). */
eseal_rc eseal_issuer_seal_file(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                const char *esid, enum eseal_issuer_seal_file which,
                                struct eseal_buf *out,
                                struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* _seal_public copies the seal file (DER) of version |version| of seal
 * |esid| into |out|, for anyone (seal.public): seals are public objects,
 * embedded in every document they seal, and the publisher's lookup page
 * shows their name and picture. Only seal files come out of here, never
 * another artefact (requests, materials). No such seal or version is
 * ESEAL_E_NOTFOUND. */
eseal_rc eseal_issuer_seal_public(struct eseal_issuer *is, const char *esid, long long version,
                                  struct eseal_buf *out,
                                  struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* _seal_suspend reports a loss (the unit's agent or aggregator, or a
 * maker): the seal is suspended at once and logged as seal.suspended.
 * |body| may be NULL or {} (a loss report carries no free text). */
eseal_rc eseal_issuer_seal_suspend(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const char *esid, const json_t *body, json_t **view,
                                   struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* _seal_reinstate lifts a suspension (a maker: the lost key was found and
 * shown on site) and logs seal.reinstated: the seal is good again. |body|:
 * {"token_id": the key presented}, required for a USB KEY seal and equal
 * to the seal's token; may be NULL for other seals. */
eseal_rc eseal_issuer_seal_reinstate(struct eseal_issuer *is,
                                     const struct eseal_staff_principal *who, const char *esid,
                                     const json_t *body, json_t **view,
                                     struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* _staff_create is POST /api/v1/staff (admins): creates the account and
 * logs staff.created. *view receives the account. */
eseal_rc eseal_issuer_staff_create(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const json_t *body, json_t **view,
                                   struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* _staff_change is the admin's "disable", "enable" and "reset" (body
 * {"password"}) of the account |username|, and anyone's own "passwd" (body
 * {"old_password","new_password"}; |username| is ignored: it is |who|'s).
 * Each logs a staff.* entry naming only the account; *view receives it. */
eseal_rc eseal_issuer_staff_change(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const char *change, const char *username, const json_t *body,
                                   json_t **view, struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* ---- notifications (docs/issuer-domain.md "Notifications") ------------------ */

/* _notifications lists the notifications of the units |who| acts for (an
 * agent: its unit; an aggregator: its city's units), newest first, each
 * with its message (Chinese, then English); |unread_only| leaves out those
 * marked read. *view receives {"notifications":[...]}. */
eseal_rc eseal_issuer_notifications(struct eseal_issuer *is,
                                    const struct eseal_staff_principal *who, bool unread_only,
                                    json_t **view, struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* _notification_read marks notification |id| read by |who| (again: no
 * change); one |who| may not see is ESEAL_E_NOTFOUND. *view receives it. */
eseal_rc eseal_issuer_notification_read(struct eseal_issuer *is,
                                        const struct eseal_staff_principal *who, const char *id,
                                        json_t **view,
                                        struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* eseal_issuer_notifier_start starts the background thread that, every
 * notice_interval seconds and whenever a notification is made, logs the
 * renewal-window and expiry reminders that are due (notice.* entries, once
 * per seal and window) and mails unsent notifications through smtp_url,
 * retrying failures later. eseal_issuer_close stops it. */
eseal_rc eseal_issuer_notifier_start(struct eseal_issuer *is,
                                     struct eseal_err *err) ESEAL_MUST_CHECK;

/* ---- HTTP ------------------------------------------------------------------ */

/* eseal_issuer_print_routes writes the route table that eseal_issuer_serve
 * serves with |cfg|'s limits as Markdown (eseal_http_routes_print). */
void eseal_issuer_print_routes(const struct eseal_issuer_config *cfg, FILE *out);

/* eseal_issuer_serve starts the HTTP API on cfg->address:cfg->port (0: a free
 * port; eseal_http_port tells which). Stop it with eseal_http_stop before
 * closing the issuer. */
eseal_rc eseal_issuer_serve(struct eseal_issuer *is, struct eseal_http **srv,
                            struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
