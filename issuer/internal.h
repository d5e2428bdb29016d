/* internal.h — what the issuer's workflow, production, store and API files
 * share: the issuer struct, the column families, and small helpers. */
#ifndef ESEAL_ISSUER_INTERNAL_H
#define ESEAL_ISSUER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "eseal/blob.h"
#include "eseal/buf.h"
#include "eseal/form.h"
#include "eseal/issuer.h"
#include "eseal/kv.h"
#include "eseal/log.h"
#include "eseal/rules.h"
#include "eseal/staff.h"

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
    CF_COUNT
};

#define ISSUER_MAX_ROUTES 32

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

/* ---- workflow.c ---- */
/* wf_apply applies the committed log entry |seq| to the store in one batch
 * (which also records the new log position). Used live and on replay. */
eseal_rc wf_apply(struct eseal_issuer *is, uint64_t seq, const json_t *entry,
                  struct eseal_err *err) ESEAL_MUST_CHECK;
eseal_rc wf_replay(struct eseal_issuer *is, struct eseal_err *err) ESEAL_MUST_CHECK;
/* wf_event returns a new entry {"v":1,"time","type","actor","data",...}
 * with the subject ids that are not NULL. Takes ownership of |data|. */
json_t *wf_event(const char *type, const struct eseal_staff_principal *who, const char *submission,
                 const char *application, const char *seal, json_t *data);
/* wf_commit appends |n| entries (one commit), then applies each in turn.
 * Takes ownership of the entries. */
eseal_rc wf_commit(struct eseal_issuer *is, json_t **entries, size_t n,
                   struct eseal_err *err) ESEAL_MUST_CHECK;
/* wf_seal_lookup fills a rules record from the stored seal |esid|
 * (an eseal_seal_lookup_fn with the issuer as |is|). */
eseal_rc wf_seal_lookup(void *is, const char *esid, struct eseal_seal_record *out,
                        struct eseal_err *err);
/* wf_seal_status returns the current status of a seal record, reporting a
 * good seal past its validEnd as "expired". */
const char *wf_seal_status(const json_t *seal, time_t now);
/* wf_now_ms writes the current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void wf_now_ms(char out[32]);

/* ---- produce.c ---- */
/* struct produce_ctx carries one production run: the submission, its
 * document, the maker's options and the entries being built. */
struct produce_ctx {
    struct eseal_issuer *is;
    const struct eseal_staff_principal *who;
    const json_t *record;               /* the submission record */
    const struct eseal_submission *doc; /* its parsed document */
    long days;
    const char *reason;  /* revoke: the reason given */
    const json_t *forms; /* body "forms" array, or NULL */
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

/* ---- helpers (workflow.c) ---- */
eseal_rc prob_set(struct eseal_issuer_problem *p, eseal_rc rc, const char *field, const char *fmt,
                  ...) ESEAL_PRINTF(4, 5);
/* json_check_keys refuses any key of |obj| not in |allowed| (NULL-ended). */
eseal_rc json_check_keys(const json_t *obj, const char *const *allowed, const char *where,
                         struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;
/* mask_id keeps the first 6 and last 4 characters of an ID number. */
void mask_id(const char *id, char *out, size_t out_len);

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
eseal_rc api_submission_materials(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_submit(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_register(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_review(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_produce(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_submission_handover(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_seal_get(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_seal_esl(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_seal_pem(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_seal_suspend(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_seal_public(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc api_log(struct eseal_http_req *req, void *app, struct eseal_err *err);

#endif
