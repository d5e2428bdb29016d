/* internal.h — what the issuer's workflow, production, store and API files
 * share: the issuer struct, the column families, and small helpers. */
#ifndef ESEAL_ISSUER_INTERNAL_H
#define ESEAL_ISSUER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "eseal/buf.h"
#include "eseal/issuer.h"
#include "eseal/json.h"
#include "eseal/kv.h"
#include "eseal/log.h"
#include "blob.h"
#include "form.h"
#include "rules.h"
#include "staff.h"

/* Column families of data/db, by index (names in store.c). */
enum issuer_cf {
    CF_DEFAULT,
    CF_SUBMISSIONS, /* id -> submission record JSON */
    CF_SEALS,       /* esID -> seal record JSON */
    CF_COUNTERS,    /* "submission" or a division code -> last number used (decimal) */
    CF_STAFF,       /* staff.c */
    CF_SESSIONS,    /* staff.c */
    CF_AUDIT,       /* subject id "\0" seq (8 bytes BE) -> entry type */
    CF_META,        /* "log_pos" -> next log entry to apply (decimal) */
    CF_ARTEFACTS,   /* SM3 hex -> bytes: documents, certificates, seals, CSRs, codes */
    CF_PRIVATE,     /* commitment hex -> private record JSON (private.c) */
    /* notify.c: "n/" seq -> notification, "m/" seq -> its mail state */
    CF_NOTIFICATIONS,
    CF_BATCHES,  /* batch id -> batch record JSON (batch.c) */
    CF_THROTTLE, /* "account/<name>" or "address/<ip>" -> failed login times (throttle.c) */
    CF_SUBINDEX, /* the submissions' secondary index (index.c) */
    CF_COUNT
};

#define ISSUER_MAX_ROUTES 96

/* struct issuer_notifier is notify.c's background thread (reminders, mail). */
struct issuer_notifier {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    pthread_t thread;
    bool started, stop, wake;
};

struct eseal_issuer {
    struct eseal_issuer_config cfg; /* copied strings, freed at close */
    struct eseal_ca *ca;            /* borrowed, unlocked */
    struct eseal_kv *kv;
    struct eseal_staff_store staff;
    struct eseal_blob *blob;
    struct eseal_log *log;
    pthread_mutex_t mu; /* serialises state changes: check, log, apply */
    enum eseal_issuer_fault fault;
    uint64_t replayed;
    struct eseal_http_route
        routes[ISSUER_MAX_ROUTES]; /* the route table with the config's limits */
    /* notify.c: the notifier thread */
    struct issuer_notifier notifier;
    /* produce.c, for GET /metrics */
    atomic_ullong seals_signed, seal_sign_failures;
};

/* ---- store.c ---- */
eseal_rc store_open(struct eseal_issuer *is, struct eseal_err *err) ESEAL_MUST_CHECK;
/* store_get_json reads |key| of |cf| as a JSON object (*out is the caller's).
 * ESEAL_E_NOTFOUND without a message when absent. */
eseal_rc store_get_json(struct eseal_issuer *is, unsigned cf, const char *key, json_t **out,
                        struct eseal_err *err) ESEAL_MUST_CHECK;
void store_batch_put_json(struct eseal_kv_batch *b, unsigned cf, const char *key, const json_t *j);
/* store_artefact_put stores |data| under its SM3 (synced) and writes the
 * name into |sm3|. */
eseal_rc store_artefact_put(struct eseal_issuer *is, const void *data, size_t len,
                            char sm3[ESEAL_SM3_HEX_LEN + 1],
                            struct eseal_err *err) ESEAL_MUST_CHECK;
eseal_rc store_artefact_get(struct eseal_issuer *is, const char *sm3, struct eseal_buf *out,
                            struct eseal_err *err) ESEAL_MUST_CHECK;
/* store_counter reads counter |name| (0 when never set). */
uint64_t store_counter(struct eseal_issuer *is, const char *name);
void store_batch_counter(struct eseal_kv_batch *b, const char *name, uint64_t value);
uint64_t store_log_pos(struct eseal_issuer *is);
void store_batch_log_pos(struct eseal_kv_batch *b, uint64_t pos);
void store_batch_audit(struct eseal_kv_batch *b, const char *subject, uint64_t seq,
                       const char *type);
/* store_audit_seqs returns the seqs indexed under |subject| as a JSON array. */
json_t *store_audit_seqs(struct eseal_issuer *is, const char *subject);

/* ---- index.c: the submissions' secondary index ---- */
/* index_submission adds to |b| the index changes of the record going from
 * |old| (NULL: new) to |rec|: its keys and, when the state changes, the
 * per-state counts (read from the store: one record per batch). */
void index_submission(struct eseal_issuer *is, struct eseal_kv_batch *b, const json_t *old,
                      const json_t *rec);
/* index_migrate builds the index of a database that has none (once, at open). */
eseal_rc index_migrate(struct eseal_issuer *is, struct eseal_err *err) ESEAL_MUST_CHECK;
/* index_seal_names returns the seal names of the record's document (new array). */
json_t *index_seal_names(struct eseal_issuer *is, const json_t *rec);
/* index_entered returns when the record entered its state (borrowed). */
const char *index_entered(const json_t *rec);
/* index_count returns the number of submissions in |state|. */
uint64_t index_count(struct eseal_issuer *is, const char *state);
/* lists_metrics appends eseal_issuer_queue_length{queue} (lists.c's work
 * queues) to |out| for GET /metrics. */
void lists_metrics(struct eseal_issuer *is, struct eseal_buf *out);
/* struct index_line is an index value split into its fields (borrowed). */
struct index_field {
    const char *p;
    size_t len;
};
struct index_line {
    struct index_field city, business, uscc, filed_city, state, text;
};
void index_line_parse(const uint8_t *v, size_t len, struct index_line *out);
/* index_field_is tells whether |f| is |s| (NULL: any). */
bool index_field_is(const struct index_field *f, const char *s);
/* index_line_has tells whether |q| is in the line's search text (ASCII
 * letters in any case). */
bool index_line_has(const struct index_line *l, const char *q);
/* index_text_has tells whether |q| occurs in |text| (ASCII letters in any case). */
bool index_text_has(const char *text, size_t len, const char *q);

/* ---- private.c: personal data and free text kept out of the public log ---- */
#define PRIVATE_COMMITMENT_HEX_LEN 64
/* private_put completes the private record |fields| (taken) with a random
 * "nonce" and the entry |type|, stores its canonical JSON (synced, before
 * the entry that refers to it is committed) under its commitment,
 * HMAC-SM3(platform secret, canonical JSON), and writes that into |out|:
 * the log entry carries it as data.commitment. */
eseal_rc private_put(struct eseal_issuer *is, const char *type, json_t *fields,
                     char out[PRIVATE_COMMITMENT_HEX_LEN + 1],
                     struct eseal_err *err) ESEAL_MUST_CHECK;
/* private_get reads the private record |commitment| (*out is the caller's);
 * a missing one is ESEAL_E_INTERNAL, like a missing artefact. */
eseal_rc private_get(struct eseal_issuer *is, const char *commitment, json_t **out,
                     struct eseal_err *err) ESEAL_MUST_CHECK;

/* ---- business.c: the business types as data ---- */
/* enum business_makes says what production makes for a form. */
enum business_makes {
    BUSINESS_MAKES_SEAL,        /* a new seal (new esID, certificate, seal file) */
    BUSINESS_MAKES_VERSION,     /* a new version of the seal (certificate, seal file) */
    BUSINESS_MAKES_REVOCATION,  /* the seal revoked for the reason the maker gives */
    BUSINESS_MAKES_UNLOCK_CODE, /* a PIN unlock code for the seal's USB KEY */
};
/* struct business_type is one business type of the guide (one row of the
 * table in business.c, static storage). */
struct business_type {
    enum eseal_business business;
    const char *key;     /* "apply": the JSON value */
    const char *name_zh; /* "印章申请" */
    enum business_makes makes;
    bool on_seal;         /* acts on an existing seal: forms name it as target */
    bool new_code;        /* makes a new seal code (esID) */
    bool needs_csr;       /* issues a certificate: a CSR (and a token for USB KEY seals) */
    bool handover;        /* collected in person: produced, then handed over */
    bool key_on_site;     /* a USB KEY seal's key must be presented at registration */
    bool usb_key_only;    /* only for seals bound to a USB KEY */
    bool renew_window;    /* only within ESEAL_RENEW_WINDOW before validEnd */
    bool keeps_seal;      /* changes only the validity: the new version copies the current */
    unsigned seal_states; /* target seal states it accepts: bit (1 << eseal_seal_state) */
    const char *event;    /* the log event production writes about the seal */
    const char *revokes;  /* reason the old seal is revoked with; NULL: none or the maker's */
    unsigned key_waived;  /* target seal states in which the key need not be on site */
};
/* business_type_of returns the row of |b|; NULL for ESEAL_BUSINESS_NONE. */
const struct business_type *business_type_of(enum eseal_business b);
/* business_type_find returns the row whose key is |key|, or NULL. */
const struct business_type *business_type_find(const char *key);
/* business_accepts tells whether |t| (may be NULL: no) may act on a seal in state |s|. */
bool business_accepts(const struct business_type *t, enum eseal_seal_state s);
/* business_needs_key tells whether |t| (may be NULL: no) needs a USB KEY seal's
 * key on site when the seal is in state |s|. */
bool business_needs_key(const struct business_type *t, enum eseal_seal_state s);

/* ---- project.c: the log projection ---- */
/* wf_apply applies the committed log entry |seq| to the store in one batch
 * (which also records the new log position). Used live and on replay. */
eseal_rc wf_apply(struct eseal_issuer *is, uint64_t seq, const json_t *entry,
                  struct eseal_err *err) ESEAL_MUST_CHECK;
eseal_rc wf_replay(struct eseal_issuer *is, struct eseal_err *err) ESEAL_MUST_CHECK;
/* wf_event returns a new entry {"v":1,"type","actor","data",...} with the
 * subject ids that are not NULL. Takes ownership of |data|. */
json_t *wf_event(const char *type, const struct eseal_staff_principal *who, const char *submission,
                 const char *application, const char *seal, json_t *data);
/* wf_commit stamps the time on the |n| entries, appends them (one commit),
 * then applies each in turn. Takes ownership of the entries. */
eseal_rc wf_commit(struct eseal_issuer *is, json_t **entries, size_t n,
                   struct eseal_err *err) ESEAL_MUST_CHECK;

/* ---- notify.c: notifications ---- */
/* notify_init and notify_stop set up and (after start) stop the notifier. */
void notify_init(struct eseal_issuer *is);
void notify_stop(struct eseal_issuer *is);
/* notify_project adds to |b| the notification entry |seq| makes, if any
 * (part of wf_apply: notifications are a function of the log). */
eseal_rc notify_project(struct eseal_issuer *is, struct eseal_kv_batch *b, uint64_t seq,
                        const char *type, const json_t *entry, struct eseal_err *err);

/* ---- views.c: reading ---- */
/* wf_seal_lookup fills a rules record from the stored seal |esid|
 * (an eseal_seal_lookup_fn with the issuer as |is|). */
eseal_rc wf_seal_lookup(void *is, const char *esid, struct eseal_seal_record *out,
                        struct eseal_err *err);
/* wf_seal_list lists the seals of unit |uscc| (an eseal_seal_list_fn with
 * the issuer as |ctx|): a scan of CF_SEALS, a few thousand records. */
eseal_rc wf_seal_list(void *ctx, const char *uscc, struct eseal_seal_record **out, size_t *n,
                      struct eseal_err *err);
/* wf_seal_lookup_json fills a rules record from the stored seal |seal|. */
void wf_seal_lookup_json(const json_t *seal, struct eseal_seal_record *out);
/* wf_seal_status returns the current status of a seal record, reporting a
 * good seal past its validEnd as "expired". */
const char *wf_seal_status(const json_t *seal, time_t now);
/* wf_seal_state is wf_seal_status as the rules' enum (anything unknown is
 * revoked: nothing may act on it). */
enum eseal_seal_state wf_seal_state(const json_t *seal);
/* wf_seal_version returns version |v| of the seal record (borrowed), or NULL. */
json_t *wf_seal_version(json_t *seal, json_int_t v);
/* wf_submission_view returns what |who| sees of the record |rec| (new). */
json_t *wf_submission_view(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                           const json_t *rec);
/* wf_submission_summary returns a submission's line in a list (new). */
json_t *wf_submission_summary(const json_t *rec);
/* wf_seal_view returns the view of a seal record (new). */
json_t *wf_seal_view(struct eseal_issuer *is, const json_t *seal);

/* ---- workflow.c: the submission states and the steps ---- */
enum wf_state {
    WF_DRAFT,
    WF_SUBMITTED,
    WF_REGISTERED,
    WF_APPROVED,
    WF_REJECTED,
    WF_PRODUCED,
    WF_HANDED_OVER,
    WF_DONE,
    WF_COLLECTED, /* a city unit's submission, with its aggregator (not yet at the centre) */
    WF_STATE_COUNT
};
#define WF_FROM(s) (1u << (s))
/* wf_revoke_reasons lists the revocation reasons, ending with a NULL key. */
extern const struct eseal_label wf_revoke_reasons[];
/* wf_state_name returns "draft", "submitted", … (static). */
const char *wf_state_name(enum wf_state s);
/* wf_state_parse finds the state named |name|; false if there is none. */
bool wf_state_parse(const char *name, enum wf_state *out);

/* enum wf_subject says what a step acts on. */
enum wf_subject {
    WF_SUBJECT_NONE,       /* nothing yet: it creates the subject */
    WF_SUBJECT_SUBMISSION, /* a submission in one of the |from| states */
    WF_SUBJECT_SEAL,       /* a seal in one of the |from| seal states */
    WF_SUBJECT_BATCH,      /* an aggregator's batch in one of the |from| batch states */
};
/* enum wf_rules says which rules verdict a step needs. */
enum wf_rules {
    WF_RULES_NONE,
    WF_RULES_SUBMIT,   /* errors refuse, except the on-site key (checked at registration) */
    WF_RULES_REGISTER, /* errors refuse, with the keys presented on site */
    WF_RULES_APPROVE,  /* errors and unacknowledged warnings refuse */
};
/* struct wf_input is a step's request: a JSON body, uploads, or a handover
 * (all borrowed; what a step does not use is NULL). */
struct wf_input {
    const json_t *body;
    const struct eseal_issuer_upload *uploads;
    size_t n_uploads;
    const struct eseal_issuer_handover *handover;
};
struct wf_run;
/* struct wf_step is one state change of the workflow (a row of wf_steps). */
struct wf_step {
    const char *name;  /* "submit" */
    const char *doing; /* "submitting": for messages */
    enum eseal_staff_action action;
    enum wf_subject subject;
    unsigned from;       /* WF_FROM bits of the states it starts from (seal: 1 << seal state) */
    enum wf_rules rules; /* the verdict it needs */
    /* check looks at the input before anything is loaded; parse after the
     * subject (and, with rules, the document) is loaded; build appends the
     * log entries. check and parse may be NULL. */
    eseal_rc (*check)(struct wf_run *r);
    eseal_rc (*parse)(struct wf_run *r);
    eseal_rc (*build)(struct wf_run *r);
    const char *events[8]; /* the log entry types it may write */
};
extern const struct wf_step wf_steps[];
extern const size_t wf_n_steps;
/* wf_step_find returns the step named |name|, or NULL. */
const struct wf_step *wf_step_find(const char *name);
/* wf_step_run runs |step| for |who| on subject |id| (NULL when the step
 * creates it): role, lock, load, state, input, rules, log entries, commit,
 * view. On any failure nothing changes and |p| says why. *view (may be
 * NULL) receives the submission view, or the step's own result. */
eseal_rc wf_step_run(struct eseal_issuer *is, const struct wf_step *step,
                     const struct eseal_staff_principal *who, const char *id,
                     const struct wf_input *in, json_t **view,
                     struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* ---- impression.c: impression pictures (印模电子化) ---- */
/* picture_business refuses (ESEAL_E_INVALID) a business type (key) whose
 * production makes no new seal picture: only apply, reissue and change do. */
eseal_rc picture_business(const char *business, struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* picture_accepted returns the SM3 of the picture accepted for form |i| of
 * the record |rec| (borrowed), or NULL: production then uses the unit's
 * uploaded impression. */
const char *picture_accepted(const json_t *rec, size_t i);
/* wf_picture_processed runs the impression step: it logs the processed
 * picture |picture| (impression.c's fields; "metrics" go only into the
 * answer, *view) for a registered or approved submission. */
eseal_rc wf_picture_processed(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                              const char *id, const json_t *picture, json_t **view,
                              struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* ---- produce.c ---- */
/* struct produce_ctx carries one production run: the submission, its
 * document, the maker's options and the entries being built. */
struct produce_ctx {
    struct eseal_issuer *is;
    const struct eseal_staff_principal *who;
    const json_t *record;               /* the submission record */
    const struct eseal_submission *doc; /* its parsed document */
    const struct business_type *type;   /* its business type */
    long days;
    const char *reason;  /* revoke: the reason given */
    const json_t *forms; /* body "forms" array, or NULL */
    char (*targets)[15]; /* per form: the esID the rules resolved ("" none), or NULL */
    json_t *entries;     /* array of entries built */
    json_t *serials;     /* division -> last esID serial used in this run */
    struct eseal_issuer_problem *p;
};
/* produce_form appends the entries for form |i| to ctx->entries. Nothing
 * is committed here; artefacts (certificates, seals, codes) are stored. */
eseal_rc produce_form(struct produce_ctx *ctx, size_t i) ESEAL_MUST_CHECK;
/* seal_event_base returns the seal-level fields of a seal record merged
 * with its current version, for a seal.* entry about it (caller decrefs). */
json_t *seal_event_base(const json_t *seal);

/* ---- common.c: shared helpers ---- */
eseal_rc prob_set(struct eseal_issuer_problem *p, eseal_rc rc, const char *field, const char *fmt,
                  ...) ESEAL_PRINTF(4, 5);
/* prob_from copies a library error into |p| (ESEAL_OK becomes internal). */
eseal_rc prob_from(struct eseal_issuer_problem *p, const struct eseal_err *e, const char *field);
/* json_check_keys refuses any key of |obj| not in |allowed| (NULL-ended). */
eseal_rc json_check_keys(const json_t *obj, const char *const *allowed, const char *where,
                         struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* mask_id keeps the first 6 and last 4 characters of an ID number (region
 * and check digits: enough to find a typo) and stars the birth date and
 * sequence. Input shorter than 14 is starred throughout, and so is any
 * non-ASCII byte (starring part of a UTF-8 sequence would break the text). */
void mask_id(const char *id, char *out, size_t out_len);
/* wf_now_ms writes the current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void wf_now_ms(char out[32]);
/* wf_parse_iso reads "YYYY-MM-DDTHH:MM:SS…" as UTC; 0 if it cannot. */
time_t wf_parse_iso(const char *s);
/* wf_jstr returns the string member |key| of |o| (borrowed), or NULL. */
const char *wf_jstr(const json_t *o, const char *key);
/* wf_require refuses (ESEAL_E_DENIED) a role the permission table denies. */
eseal_rc wf_require(const struct eseal_staff_principal *who, enum eseal_staff_action a,
                    struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* wf_visible tells whether |who| may see the submission record |rec|. */
bool wf_visible(const struct eseal_staff_principal *who, const json_t *rec);
/* wf_load_visible reads submission |id| if |who| may see it (else not found). */
eseal_rc wf_load_visible(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                         const char *id, json_t **rec,
                         struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* wf_seal_visible reads seal |esid| if |who| may see it (else not found). */
eseal_rc wf_seal_visible(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                         const char *esid, json_t **seal,
                         struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* wf_load_doc parses the stored document of the record |rec| into *doc. */
eseal_rc wf_load_doc(struct eseal_issuer *is, const json_t *rec, struct eseal_submission **doc,
                     struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* struct wf_rules_run holds a rules input built from a record (borrowing
 * from the record, the document and the lists, which must outlive it). */
struct wf_rules_run {
    struct eseal_rules_input in;
    struct eseal_material_ref *mats;
    struct eseal_onsite *onsite;
    const char **acks;
    struct eseal_rules_result res;
};
/* wf_rules_run runs the rules over a stored submission with the keys
 * presented on site and the acknowledgements (JSON arrays, may be NULL).
 * Call wf_rules_done afterwards whatever it returned. */
eseal_rc wf_rules_run(struct eseal_issuer *is, struct wf_rules_run *r, const json_t *rec,
                      const struct eseal_submission *doc, const json_t *onsite, const json_t *acks,
                      struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
void wf_rules_done(struct wf_rules_run *r);

/* ---- batch.c: an aggregator's batches ---- */
enum batch_state { BATCH_OPEN, BATCH_SUBMITTED, BATCH_STATE_COUNT };
/* batch_load reads batch |id| if |who| may see it (its city's aggregator
 * and the centre's staff; else not found). */
eseal_rc batch_load(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                    const char *id, json_t **rec, struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* batch_load_subject is batch_load that also refuses (ESEAL_E_CONFLICT) a
 * state not in |from| (bits 1 << enum batch_state). */
eseal_rc batch_load_subject(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                            const char *id, unsigned from, const char *doing, json_t **rec,
                            struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* batch_view returns the batch record with each item's id, state, unit and
 * form count, and its log entries (new). */
json_t *batch_view(struct eseal_issuer *is, const json_t *rec);
/* The steps' work: each checks its input and appends its entries to
 * |entries|; nothing is committed here. */
eseal_rc batch_create(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                      const json_t *body, json_t *entries, char id[16],
                      struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
eseal_rc batch_add(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                   const json_t *batch, const json_t *body, json_t *entries,
                   struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
eseal_rc batch_summary(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                       const json_t *batch, const struct eseal_issuer_upload *up, size_t n,
                       json_t *entries, struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
eseal_rc batch_submit(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                      const json_t *batch, json_t *entries,
                      struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* batch_apply applies a batch.* entry to the store (project.c's row). */
eseal_rc batch_apply(struct eseal_issuer *is, struct eseal_kv_batch *b, const char *type,
                     const json_t *entry, struct eseal_err *err) ESEAL_MUST_CHECK;

/* ---- paper.c: the paper originals and the guide's check points ---- */
enum paper_point {
    PAPER_RED_HEADER,       /* "red_header"       红头文件 */
    PAPER_UNIT_SEAL,        /* "unit_seal"        加盖单位公章 */
    PAPER_LEADER_SIGNATURE, /* "leader_signature" 负责人签字 */
    PAPER_NO_ALTERATIONS,   /* "no_alterations"   无涂改 */
    PAPER_IMPRESSION_CLEAR, /* "impression_clear" 印模清晰 */
    PAPER_POINT_COUNT
};
/* paper_point_label returns the point's key and words (static), or NULL. */
const struct eseal_label *paper_point_label(enum paper_point pt);
bool paper_point_parse(const char *key, enum paper_point *out);
/* paper_checklist returns [{kind, points:[{key,zh,en}]}]: the points the
 * original of each material kind is checked for (new array). */
json_t *paper_checklist(void);
/* paper_required returns [{material, kind}] for each material of |doc| that
 * needs a paper original (new array). */
json_t *paper_required(const struct eseal_submission *doc);
/* paper_parse checks the maker's "paper" record (may be NULL: nothing
 * recorded; "all": every original received, every point checked) against |doc| and returns it
 * normalised into *out (new):
 * [{material, kind, received, checked:[points in key order]}]. */
eseal_rc paper_parse(const json_t *v, const struct eseal_submission *doc, json_t **out,
                     struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* paper_flags_parse checks the reviewer's "flags" [{material, point}] (may
 * be NULL) and returns them with each material's kind into *out (new). */
eseal_rc paper_flags_parse(const json_t *v, const struct eseal_submission *doc, json_t **out,
                           struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* paper_missing returns [{material, kind, point}] for each required point
 * the record |paper| (may be NULL) does not hold; "received" when the
 * original itself was not recorded as received (new array). */
json_t *paper_missing(const struct eseal_submission *doc, const json_t *paper);

/* ---- api.c: what the endpoint files share ---- */
struct eseal_http_req;
/* api_who returns the caller of |req|, resolved before the handler ran by
 * the route's permission check (the public principal on public routes). */
const struct eseal_staff_principal *api_who(const struct eseal_http_req *req);
/* api_reply_problem answers with the JSON error of |p| and cleans it up. */
eseal_rc api_reply_problem(struct eseal_http_req *req, struct eseal_issuer_problem *p);
/* api_reply_error answers with a JSON error built from the arguments; the
 * status is eseal_http_status(rc). */
eseal_rc api_reply_error(struct eseal_http_req *req, eseal_rc rc, const char *field,
                         const char *fmt, ...) ESEAL_PRINTF(4, 5);
/* api_body parses the request body as one JSON object into *out (NULL for
 * an empty body when |optional|); replies 400 and returns false when it
 * cannot. */
bool api_body(struct eseal_http_req *req, bool optional, json_t **out);
/* api_reply_result answers |status| with |view| (taken) when |rc| is
 * ESEAL_OK, else the problem |p|; cleans |p| up either way. */
eseal_rc api_reply_result(struct eseal_http_req *req, eseal_rc rc, unsigned status, json_t *view,
                          struct eseal_issuer_problem *p);

eseal_rc api_session_login(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_session_logout(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_staff_create(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_staff_list(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submissions_create(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submissions_list(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_get(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_put(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_audit(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_history(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_materials(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_material_get(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_submit(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_register(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_review(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_produce(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_handover(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_impression(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_picture_accept(struct eseal_http_req *req, void *app,
                                       struct eseal_err *err);
eseal_rc api_batches_create(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_batch_get(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_batch_add(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_batch_summary(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_batch_submit(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_batch_register(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_batch_review(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_seal_get(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_seals_list(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_seal_esl(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_seal_pem(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_seal_suspend(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_seal_reinstate(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_seal_public(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_log(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_log_prove(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_staff_disable(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_staff_enable(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_staff_role(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_staff_reset(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_staff_sessions(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_session_passwd(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_notifications_list(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_notification_read(struct eseal_http_req *req, void *app, struct eseal_err *err);
/* issuer_proxies_valid tells whether |list| is IP literals separated by
 * commas and spaces; issuer_proxy_trusted whether |address| is one of them
 * (|list| may be NULL: none). */
bool issuer_proxies_valid(const char *list);
bool issuer_proxy_trusted(const char *list, const char *address);
/* api_session.c: browser sessions. api_session_token returns the caller's
 * session token, from "Authorization: Bearer" or else the eseal_session
 * cookie (*by_cookie says which), or NULL. api_client_address is the
 * caller's address: the peer's, or the last X-Forwarded-For entry when the
 * peer is one of the configuration's trusted_proxies. api_csrf_ok checks
 * the X-CSRF-Token header against |csrf| in constant time. api_cookie_clear
 * sets the header that makes the browser forget the session cookie. */
const char *api_session_token(const struct eseal_http_req *req, bool *by_cookie);
const char *api_client_address(struct eseal_http_req *req, const struct eseal_issuer *is);
bool api_csrf_ok(const struct eseal_http_req *req, const char *csrf);
void api_cookie_clear(struct eseal_http_req *req, const struct eseal_issuer *is);
eseal_rc api_session_get(struct eseal_http_req *req, void *app, struct eseal_err *err);
/* console.c: the staff console's static files (/console/, /console, /) */
eseal_rc api_console_file(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_console_redirect(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_portal_file(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_portal_redirect(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_root(struct eseal_http_req *req, void *app, struct eseal_err *err);
/* api_list_query reads the list keys of the query string into |q| and
 * tells whether any key beyond ?state= and ?uscc= was given (the lists
 * then answer with pages; without one they answer as before). */
bool api_list_query(const struct eseal_http_req *req, struct eseal_issuer_query *q);
eseal_rc api_submissions_find(struct eseal_http_req *req, struct eseal_issuer *is,
                              const struct eseal_issuer_query *q);
eseal_rc api_seals_find(struct eseal_http_req *req, struct eseal_issuer *is,
                        const struct eseal_issuer_query *q);
eseal_rc api_queues(struct eseal_http_req *req, void *app, struct eseal_err *err);
/* api_ops.c: GET /metrics and GET /healthz (docs/operations.md) */
eseal_rc api_metrics(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_healthz(struct eseal_http_req *req, void *app, struct eseal_err *err);
/* POST /api/v1/backup (admin): a RocksDB checkpoint of the store under
 * <data>/backup/, for `eseal backup` (docs/operations.md) */
eseal_rc api_backup(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_overview(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_catalog(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_seal_picture(struct eseal_http_req *req, void *app, struct eseal_err *err);
/* api_print.c */
eseal_rc api_print_forms(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_print_letter(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_print_summary_pdf(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_print_summary_xlsx(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_print_batch_pdf(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_print_batch_xlsx(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_print_template(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_summary_check(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_batch_summary_check(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submissions_check(struct eseal_http_req *req, void *app, struct eseal_err *err);

#endif
