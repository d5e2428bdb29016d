/* workflow.c — the submission state machine: one function per transition
 * (role, scope, state, rules, then log-first commit), the application of
 * committed log entries to the store (live and on replay), and the views. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "eseal/idcheck.h"
#include "eseal/pki.h"
#include "eseal/region.h"
#include "eseal/sm.h"
#include "internal.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ------------------------------------------------------------------ */

void eseal_issuer_problem_init(struct eseal_issuer_problem *p)
{
    memset(p, 0, sizeof(*p));
}

void eseal_issuer_problem_cleanup(struct eseal_issuer_problem *p)
{
    json_decref(p->findings);
    eseal_issuer_problem_init(p);
}

eseal_rc prob_set(struct eseal_issuer_problem *p, eseal_rc rc, const char *field, const char *fmt,
                  ...)
{
    if (p == NULL)
        return rc;
    va_list ap;
    va_start(ap, fmt);
    char msg[ESEAL_ERR_MSG_MAX];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    eseal_err_set(&p->err, rc, "%s", msg);
    snprintf(p->field, sizeof(p->field), "%s", field != NULL ? field : "");
    return rc;
}

/* prob_from copies a library error into |p|. */
static eseal_rc prob_from(struct eseal_issuer_problem *p, const struct eseal_err *e,
                          const char *field)
{
    return prob_set(p, e->rc == ESEAL_OK ? ESEAL_E_INTERNAL : e->rc, field, "%s", e->msg);
}

json_t *eseal_issuer_problem_json(const struct eseal_issuer_problem *p, unsigned *status)
{
    eseal_rc rc = p->err.rc == ESEAL_OK ? ESEAL_E_INTERNAL : p->err.rc;
    *status = p->status != 0 ? p->status : eseal_http_status(rc);
    json_t *e = json_pack("{s:s,s:s,s:s}", "code", eseal_rc_name(rc), "message",
                          p->err.msg[0] != '\0' ? p->err.msg : eseal_rc_describe(rc), "description",
                          eseal_rc_describe(rc));
    if (e == NULL) /* a message that is not UTF-8: keep the code */
        e = json_pack("{s:s,s:s}", "code", eseal_rc_name(rc), "message", eseal_rc_describe(rc));
    json_object_set_new(e, "field", p->field[0] != '\0' ? json_string(p->field) : json_null());
    if (p->findings != NULL)
        json_object_set(e, "findings", p->findings);
    return json_pack("{s:o}", "error", e);
}

eseal_rc json_check_keys(const json_t *obj, const char *const *allowed, const char *where,
                         struct eseal_issuer_problem *p)
{
    if (!json_is_object(obj))
        return prob_set(p, ESEAL_E_INVALID, where, "%s must be a JSON object",
                        where[0] != '\0' ? where : "the request body");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i] != NULL && !ok; i++)
            ok = strcmp(allowed[i], key) == 0;
        if (!ok) {
            char field[128];
            snprintf(field, sizeof(field), "%s%s%s", where, where[0] != '\0' ? "." : "", key);
            return prob_set(p, ESEAL_E_INVALID, field, "unknown field \"%s\"", field);
        }
    }
    return ESEAL_OK;
}

void mask_id(const char *id, char *out, size_t out_len)
{
    snprintf(out, out_len, "%s", id);
    size_t len = strlen(out);
    for (size_t i = 0; i < len; i++)
        if (len < 14 || (i >= 6 && i < len - 4) || (unsigned char)out[i] >= 0x80)
            out[i] = '*';
}

void wf_now_ms(char out[32])
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    time_t s = tv.tv_sec;
    gmtime_r(&s, &tm);
    char base[24];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03dZ", base, (int)(tv.tv_usec / 1000));
}

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static time_t parse_iso(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (s == NULL || strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
        return 0;
    return timegm(&tm);
}

json_t *wf_event(const char *type, const struct eseal_staff_principal *who, const char *submission,
                 const char *application, const char *seal, json_t *data)
{
    json_t *e = json_pack("{s:i,s:s,s:{s:s,s:s},s:o}", "v", 1, "type", type, "actor", "id",
                          who->username, "role", eseal_staff_role_name(who->role), "data",
                          data != NULL ? data : json_object());
    if (submission != NULL)
        json_object_set_new(e, "submission", json_string(submission));
    if (application != NULL)
        json_object_set_new(e, "application", json_string(application));
    if (seal != NULL)
        json_object_set_new(e, "seal", json_string(seal));
    return e;
}

/* ---- applying committed entries ------------------------------------------------ */

/* Keys of a seal event's data that describe one version, not the seal. */
static const char *const version_keys[] = {
    "version",     "status",       "seal_sm3",     "picture_sm3", "cert_sm3",
    "cert_serial", "valid_start",  "valid_end",    "csr_sm3",     "reason",
    "revoked_at",  "suspended_at", "activated_at", NULL,
};

static bool is_version_key(const char *k)
{
    for (size_t i = 0; version_keys[i] != NULL; i++)
        if (strcmp(version_keys[i], k) == 0)
            return true;
    return false;
}

static json_t *seal_version(json_t *seal, json_int_t v)
{
    json_t *versions = json_object_get(seal, "versions");
    size_t i;
    json_t *ver;
    json_array_foreach(versions, i, ver)
    {
        if (json_integer_value(json_object_get(ver, "version")) == v)
            return ver;
    }
    return NULL;
}

/* set_current keeps the seal's "status" and "version" equal to its latest version. */
static void set_current(json_t *seal)
{
    json_t *versions = json_object_get(seal, "versions");
    size_t n = json_array_size(versions);
    if (n == 0)
        return;
    json_t *last = json_array_get(versions, n - 1);
    json_object_set(seal, "status", json_object_get(last, "status"));
    json_object_set(seal, "version", json_object_get(last, "version"));
}

/* apply_seal applies a seal.* entry to the seal record. */
static eseal_rc apply_seal(struct eseal_issuer *is, struct eseal_kv_batch *b, const char *type,
                           const json_t *entry, struct eseal_err *err)
{
    const json_t *data = json_object_get(entry, "data");
    const char *esid = jstr(data, "esid");
    if (esid == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s without data.esid", type);
    json_t *seal = NULL;
    eseal_rc rc = store_get_json(is, CF_SEALS, esid, &seal, err);
    bool fresh = strcmp(type, "seal.issued") == 0 || strcmp(type, "seal.reissued") == 0;
    if (rc == ESEAL_E_NOTFOUND && fresh) {
        seal = json_pack("{s:s,s:[]}", "esid", esid, "versions");
        rc = ESEAL_OK;
    }
    if (rc != ESEAL_OK)
        return rc;
    json_t *ver = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)data, k, v)
    {
        if (is_version_key(k))
            json_object_set(ver, k, v);
        else if (strcmp(k, "replaces") != 0 || fresh)
            json_object_set(seal, k, v);
    }
    json_int_t vno = json_integer_value(json_object_get(ver, "version"));
    json_t *existing = seal_version(seal, vno);
    if (existing == NULL) {
        json_array_append(json_object_get(seal, "versions"), ver);
    } else {
        json_object_update(existing, ver);
    }
    json_decref(ver);
    if (fresh) {
        json_object_set(seal, "submission", json_object_get(entry, "submission"));
        json_object_set(seal, "application", json_object_get(entry, "application"));
        /* the division's serial counter follows the esIDs issued */
        uint32_t serial = 0;
        const struct eseal_region *reg = NULL;
        if (eseal_esid_check(esid, &reg, &serial, NULL) == ESEAL_OK &&
            serial > store_counter(is, reg->code))
            store_batch_counter(b, reg->code, serial);
        const char *old = jstr(data, "replaces");
        json_t *prev = NULL;
        if (old != NULL && store_get_json(is, CF_SEALS, old, &prev, NULL) == ESEAL_OK) {
            json_object_set_new(prev, "replaced_by", json_string(esid));
            store_batch_put_json(b, CF_SEALS, old, prev);
        }
        json_decref(prev);
    }
    set_current(seal);
    store_batch_put_json(b, CF_SEALS, esid, seal);
    json_decref(seal);
    return ESEAL_OK;
}

static json_t *application_slot(json_t *rec, json_int_t form)
{
    json_t *apps = json_object_get(rec, "applications");
    size_t i;
    json_t *a;
    json_array_foreach(apps, i, a)
    {
        if (json_integer_value(json_object_get(a, "form")) == form)
            return a;
    }
    a = json_object();
    json_array_append_new(apps, a);
    return a;
}

/* all_apps tells whether every form has an application with |status|. */
static bool all_apps(const json_t *rec, const char *status)
{
    json_int_t n = json_integer_value(json_object_get(rec, "forms"));
    json_t *apps = json_object_get(rec, "applications");
    json_int_t done = 0;
    size_t i;
    json_t *a;
    json_array_foreach(apps, i, a)
    {
        const char *s = jstr(a, "status");
        if (s != NULL && strcmp(s, status) == 0)
            done++;
    }
    return done == n;
}

static bool needs_handover(const char *business)
{
    return business != NULL && (strcmp(business, "apply") == 0 || strcmp(business, "reissue") == 0);
}

/* apply_submission applies a submission.* or application.* entry. */
static eseal_rc apply_submission(struct eseal_issuer *is, struct eseal_kv_batch *b,
                                 const char *type, const json_t *entry, struct eseal_err *err)
{
    const char *id = jstr(entry, "submission");
    const json_t *data = json_object_get(entry, "data");
    const char *time = jstr(entry, "time");
    const char *actor = jstr(json_object_get(entry, "actor"), "id");
    if (id == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s without a submission id", type);
    json_t *rec = NULL;
    eseal_rc rc;
    if (strcmp(type, "submission.created") == 0) {
        rec = json_pack("{s:s,s:s,s:s,s:s,s:[],s:[],s:i}", "id", id, "state", "draft", "created_by",
                        actor != NULL ? actor : "", "created", time, "materials", "applications",
                        "round", 0);
        uint64_t number = strtoull(id + 1, NULL, 10);
        if (number > store_counter(is, "submission"))
            store_batch_counter(b, "submission", number);
    } else if ((rc = store_get_json(is, CF_SUBMISSIONS, id, &rec, err)) != ESEAL_OK) {
        return rc == ESEAL_E_NOTFOUND
                   ? eseal_err_set(err, ESEAL_E_INVALID, "%s for unknown submission %s", type, id)
                   : rc;
    }
    json_object_set_new(rec, "updated", json_string(time));
    const char *state = NULL;
    if (strcmp(type, "submission.created") == 0 || strcmp(type, "submission.updated") == 0) {
        json_object_update(rec, (json_t *)data);
    } else if (strcmp(type, "submission.material_added") == 0) {
        json_t *mats = json_object_get(rec, "materials");
        size_t i;
        json_t *m;
        bool have = false;
        json_array_foreach(mats, i, m)
        {
            have = have || (json_equal(json_object_get(m, "sm3"), json_object_get(data, "sm3")) &&
                            json_equal(json_object_get(m, "kind"), json_object_get(data, "kind")));
        }
        if (!have)
            json_array_append(mats, (json_t *)data);
    } else if (strcmp(type, "submission.submitted") == 0 ||
               strcmp(type, "submission.resubmitted") == 0) {
        state = "submitted";
        json_object_set(rec, "round", json_object_get(data, "round"));
        json_object_set_new(rec, "submitted", json_string(time));
        json_object_del(rec, "registered_by");
        json_object_del(rec, "onsite");
        json_object_del(rec, "reviewed_by");
        json_object_del(rec, "acknowledged");
    } else if (strcmp(type, "submission.registered") == 0) {
        state = "registered";
        json_object_set_new(rec, "registered_by", json_string(actor));
        json_object_set(rec, "onsite", json_object_get(data, "onsite"));
    } else if (strcmp(type, "submission.approved") == 0) {
        state = "approved";
        json_object_set_new(rec, "reviewed_by", json_string(actor));
        json_object_set(rec, "acknowledged", json_object_get(data, "acknowledged"));
    } else if (strcmp(type, "submission.rejected") == 0) {
        state = "rejected";
        json_object_set_new(rec, "reviewed_by", json_string(actor));
        json_object_set_new(rec, "rejection",
                            json_pack("{s:s,s:s,s:O}", "by", actor, "time", time, "reasons",
                                      json_object_get(data, "reasons")));
    } else if (strcmp(type, "application.produced") == 0) {
        json_t *a = application_slot(rec, json_integer_value(json_object_get(data, "form")));
        json_object_update(a, (json_t *)data);
        json_object_set(a, "id", json_object_get(entry, "application"));
        json_object_set_new(a, "status", json_string("produced"));
        json_object_set_new(a, "produced", json_string(time));
        if (all_apps(rec, "produced"))
            state = needs_handover(jstr(rec, "business")) ? "produced" : "done";
    } else if (strcmp(type, "application.handed_over") == 0) {
        json_t *a = application_slot(rec, json_integer_value(json_object_get(data, "form")));
        json_object_set_new(a, "status", json_string("handed_over"));
        json_object_set(a, "handover", (json_t *)data);
        json_object_set_new(a, "handed_over", json_string(time));
        if (all_apps(rec, "handed_over"))
            state = "handed_over";
    }
    if (state != NULL)
        json_object_set_new(rec, "state", json_string(state));
    store_batch_put_json(b, CF_SUBMISSIONS, id, rec);
    json_decref(rec);
    return ESEAL_OK;
}

eseal_rc wf_apply(struct eseal_issuer *is, uint64_t seq, const json_t *entry, struct eseal_err *err)
{
    const char *type = jstr(entry, "type");
    if (type == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "log entry %" PRIu64 " has no type", seq);
    struct eseal_kv_batch *b = eseal_kv_batch_new(is->kv);
    eseal_rc rc = ESEAL_OK;
    if (strncmp(type, "submission.", 11) == 0 || strncmp(type, "application.", 12) == 0)
        rc = apply_submission(is, b, type, entry, err);
    else if (strncmp(type, "seal.", 5) == 0)
        rc = apply_seal(is, b, type, entry, err);
    /* token.*, staff.* and types of later versions change no record here */
    if (rc == ESEAL_OK) {
        static const char *const subjects[] = {"submission", "seal"};
        for (size_t i = 0; i < COUNT_OF(subjects); i++) {
            const char *s = jstr(entry, subjects[i]);
            if (s != NULL)
                store_batch_audit(b, s, seq, type);
        }
        const char *user = jstr(json_object_get(entry, "data"), "username");
        if (strncmp(type, "staff.", 6) == 0 && user != NULL) {
            char subject[96];
            snprintf(subject, sizeof(subject), "staff:%s", user);
            store_batch_audit(b, subject, seq, type);
        }
        store_batch_log_pos(b, seq + 1);
        rc = eseal_kv_write(is->kv, b, true, err);
    }
    if (rc != ESEAL_OK)
        eseal_err_prefix(err, "applying log entry %" PRIu64 " (%s)", seq, type);
    eseal_kv_batch_free(b);
    return rc;
}

static eseal_rc replay_one(void *ctx, uint64_t seq, const uint8_t *data, size_t len,
                           struct eseal_err *err)
{
    struct eseal_issuer *is = ctx;
    json_t *e = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, NULL);
    if (e == NULL)
        return eseal_err_set(err, ESEAL_E_CRYPTO, "log entry %" PRIu64 " is not JSON", seq);
    eseal_rc rc = wf_apply(is, seq, e, err);
    json_decref(e);
    if (rc == ESEAL_OK)
        is->replayed++;
    return rc;
}

eseal_rc wf_replay(struct eseal_issuer *is, struct eseal_err *err)
{
    uint64_t pos = store_log_pos(is), size = eseal_log_size(is->log);
    if (pos > size)
        return eseal_err_set(err, ESEAL_E_CRYPTO,
                             "the store has applied %" PRIu64 " log entries but the log holds "
                             "only %" PRIu64 ": the log lost entries",
                             pos, size);
    if (pos == size)
        return ESEAL_OK;
    return eseal_log_read(is->log, pos, size, replay_one, is, err);
}

eseal_rc wf_commit(struct eseal_issuer *is, json_t **entries, size_t n, struct eseal_err *err)
{
    char now[32];
    wf_now_ms(now);
    for (size_t i = 0; i < n; i++)
        json_object_set_new(entries[i], "time", json_string(now));
    uint64_t first = 0;
    eseal_rc rc = eseal_log_append_batch(is->log, entries, n, &first, err);
    if (rc == ESEAL_OK && is->fault == ESEAL_ISSUER_FAULT_AFTER_LOG) {
        is->fault = ESEAL_ISSUER_FAULT_NONE;
        rc = eseal_err_set(err, ESEAL_E_IO, "fault injected after the log commit");
    }
    for (size_t i = 0; rc == ESEAL_OK && i < n; i++)
        rc = wf_apply(is, first + i, entries[i], err);
    if (rc == ESEAL_OK)
        rc = eseal_log_sync(is->log, err);
    for (size_t i = 0; i < n; i++)
        json_decref(entries[i]);
    return rc;
}

/* ---- seals as the rules see them ------------------------------------------------- */

const char *wf_seal_status(const json_t *seal, time_t now)
{
    const char *s = jstr(seal, "status");
    if (s == NULL)
        return "unknown";
    json_t *versions = json_object_get(seal, "versions");
    json_t *cur = json_array_get(versions, json_array_size(versions) - 1);
    time_t end = parse_iso(jstr(cur, "valid_end"));
    if ((strcmp(s, "good") == 0 || strcmp(s, "pending") == 0) && end != 0 &&
        end < (now != 0 ? now : time(NULL)))
        return "expired";
    return s;
}

eseal_rc wf_seal_lookup(void *ctx, const char *esid, struct eseal_seal_record *out,
                        struct eseal_err *err)
{
    struct eseal_issuer *is = ctx;
    json_t *seal = NULL;
    eseal_rc rc = store_get_json(is, CF_SEALS, esid, &seal, err);
    if (rc != ESEAL_OK)
        return rc;
    memset(out, 0, sizeof(*out));
    snprintf(out->uscc, sizeof(out->uscc), "%s", jstr(seal, "uscc") ? jstr(seal, "uscc") : "");
    const char *st = wf_seal_status(seal, 0);
    static const struct {
        const char *name;
        enum eseal_seal_state state;
    } states[] = {{"good", ESEAL_SEAL_STATE_GOOD},
                  {"pending", ESEAL_SEAL_STATE_PENDING},
                  {"suspended", ESEAL_SEAL_STATE_SUSPENDED},
                  {"revoked", ESEAL_SEAL_STATE_REVOKED},
                  {"expired", ESEAL_SEAL_STATE_EXPIRED}};
    out->state = ESEAL_SEAL_STATE_REVOKED;
    for (size_t i = 0; i < COUNT_OF(states); i++)
        if (strcmp(st, states[i].name) == 0)
            out->state = states[i].state;
    json_t *versions = json_object_get(seal, "versions");
    json_t *cur = json_array_get(versions, json_array_size(versions) - 1);
    out->valid_end = parse_iso(jstr(cur, "valid_end"));
    int ct = 0;
    if (jstr(seal, "cert_type") != NULL &&
        eseal_form_enum_parse(ESEAL_ENUM_CERT_TYPE, jstr(seal, "cert_type"), &ct))
        out->cert_type = (enum eseal_cert_type)ct;
    snprintf(out->token_id, sizeof(out->token_id), "%s",
             jstr(seal, "token_id") ? jstr(seal, "token_id") : "");
    json_decref(seal);
    return ESEAL_OK;
}

/* ---- loading and checking a submission ------------------------------------------- */

static eseal_rc load_doc(struct eseal_issuer *is, const json_t *rec, struct eseal_submission **doc,
                         struct eseal_issuer_problem *p)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = store_artefact_get(is, jstr(rec, "document"), &b, &e);
    if (rc == ESEAL_OK)
        rc = eseal_submission_parse(doc, (const char *)b.data, b.len, &e);
    eseal_buf_cleanup(&b);
    return rc == ESEAL_OK ? ESEAL_OK : prob_from(p, &e, NULL);
}

/* struct rules_run holds a rules input built from a record (all borrowed
 * from the record and the document, which must outlive it). */
struct rules_run {
    struct eseal_rules_input in;
    struct eseal_material_ref *mats;
    struct eseal_onsite *onsite;
    const char **acks;
    struct eseal_rules_result res;
};

static eseal_rc rules_run(struct eseal_issuer *is, struct rules_run *r, const json_t *rec,
                          const struct eseal_submission *doc, const json_t *onsite,
                          const json_t *acks, struct eseal_issuer_problem *p)
{
    memset(r, 0, sizeof(*r));
    eseal_rules_result_init(&r->res);
    json_t *mats = json_object_get(rec, "materials");
    r->mats = eseal_xcalloc(json_array_size(mats) + 1, sizeof(*r->mats));
    size_t i;
    json_t *m;
    json_array_foreach(mats, i, m)
    {
        int kind = 0;
        eseal_form_enum_parse(ESEAL_ENUM_MATERIAL, jstr(m, "kind"), &kind);
        r->mats[i].kind = (enum eseal_material_kind)kind;
        snprintf(r->mats[i].sm3, sizeof(r->mats[i].sm3), "%s", jstr(m, "sm3"));
    }
    r->onsite = eseal_xcalloc(json_array_size(onsite) + 1, sizeof(*r->onsite));
    json_array_foreach(onsite, i, m)
    {
        r->onsite[i].esid = jstr(m, "esid");
        r->onsite[i].token_id = jstr(m, "token_id");
    }
    r->acks = eseal_xcalloc(json_array_size(acks) + 1, sizeof(*r->acks));
    json_array_foreach(acks, i, m) r->acks[i] = json_string_value(m);
    r->in.submission = doc;
    r->in.materials = r->mats;
    r->in.n_materials = json_array_size(mats);
    r->in.read_material = eseal_blob_reader;
    r->in.material_ctx = is->blob;
    r->in.lookup_seal = wf_seal_lookup;
    r->in.lookup_ctx = is;
    r->in.acks = r->acks;
    r->in.n_acks = json_array_size(acks);
    r->in.onsite = r->onsite;
    r->in.n_onsite = json_array_size(onsite);
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = eseal_rules_run(&r->res, &r->in, &e);
    if (rc != ESEAL_OK)
        return prob_from(p, &e, NULL);
    return ESEAL_OK;
}

static void rules_done(struct rules_run *r)
{
    eseal_rules_result_cleanup(&r->res);
    free(r->mats);
    free(r->onsite);
    free(r->acks);
}

/* rules_refuse reports the findings that block the step: errors (except
 * those of |skip|) and, when |need_ok|, unacknowledged warnings. */
static eseal_rc rules_refuse(const struct rules_run *r, int skip, bool need_ok, const char *step,
                             struct eseal_issuer_problem *p)
{
    const struct eseal_finding *first = NULL;
    size_t n = 0;
    for (size_t i = 0; i < r->res.n_findings; i++) {
        const struct eseal_finding *f = &r->res.findings[i];
        if ((int)f->rule == skip)
            continue;
        bool blocks = f->severity == ESEAL_SEVERITY_ERROR || (need_ok && !f->acknowledged);
        if (!blocks)
            continue;
        if (first == NULL)
            first = f;
        n++;
    }
    if (first == NULL)
        return ESEAL_OK;
    prob_set(p, ESEAL_E_INVALID, first->path, "%s refused by the rules (%zu finding%s): %s / %s",
             step, n, n == 1 ? "" : "s", first->message_zh, first->message_en);
    p->status = 422;
    json_decref(p->findings);
    p->findings = eseal_rules_result_json(&r->res);
    return ESEAL_E_INVALID;
}

/* ---- access ------------------------------------------------------------------ */

static eseal_rc require(const struct eseal_staff_principal *who, enum eseal_staff_action a,
                        struct eseal_issuer_problem *p)
{
    if (eseal_staff_allowed(who->role, a))
        return ESEAL_OK;
    return prob_set(p, ESEAL_E_DENIED, NULL, "role %s may not %s", eseal_staff_role_name(who->role),
                    eseal_staff_action_name(a));
}

static bool visible(const struct eseal_staff_principal *who, const json_t *rec)
{
    return eseal_staff_can_see_submission(who, jstr(json_object_get(rec, "unit"), "uscc"),
                                          jstr(rec, "filed_city"));
}

/* load_visible reads submission |id| if |who| may see it (else not found). */
static eseal_rc load_visible(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                             const char *id, json_t **rec, struct eseal_issuer_problem *p)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = id != NULL && id[0] != '\0' ? store_get_json(is, CF_SUBMISSIONS, id, rec, &e)
                                              : ESEAL_E_NOTFOUND;
    if (rc == ESEAL_OK && !visible(who, *rec)) {
        json_decref(*rec);
        *rec = NULL;
        rc = ESEAL_E_NOTFOUND;
    }
    if (rc == ESEAL_E_NOTFOUND)
        return prob_set(p, rc, NULL, "no submission %.40s", id != NULL ? id : "");
    return rc == ESEAL_OK ? ESEAL_OK : prob_from(p, &e, NULL);
}

static eseal_rc need_state(const json_t *rec, const char *const *states, const char *step,
                           struct eseal_issuer_problem *p)
{
    const char *s = jstr(rec, "state");
    for (size_t i = 0; states[i] != NULL; i++)
        if (strcmp(states[i], s) == 0)
            return ESEAL_OK;
    char want[128] = "";
    for (size_t i = 0; states[i] != NULL; i++)
        snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s", i ? " or " : "",
                 states[i]);
    return prob_set(p, ESEAL_E_CONFLICT, NULL,
                    "submission %s is %s: %s needs a submission that is %s", jstr(rec, "id"), s,
                    step, want);
}

/* ---- views --------------------------------------------------------------------- */

static json_t *submission_view(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                               const json_t *rec)
{
    json_t *v = json_deep_copy(rec);
    struct eseal_submission *doc = NULL;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    if (load_doc(is, rec, &doc, &p) == ESEAL_OK) {
        json_object_set_new(v, "submission", eseal_submission_to_json(doc));
        struct rules_run r;
        if (rules_run(is, &r, rec, doc, json_object_get(rec, "onsite"),
                      json_object_get(rec, "acknowledged"), &p) == ESEAL_OK)
            json_object_set_new(v, "check", eseal_rules_result_json(&r.res));
        rules_done(&r);
    }
    eseal_submission_free(doc);
    eseal_issuer_problem_cleanup(&p);
    /* unlock codes go only to those who may take the seal file */
    bool codes = eseal_staff_allowed(who->role, ESEAL_ACTION_SEAL_DOWNLOAD);
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(v, "applications"), i, a)
    {
        const char *code = jstr(a, "unlock_code");
        struct eseal_buf pem;
        eseal_buf_init(&pem);
        if (codes && code != NULL && store_artefact_get(is, code, &pem, NULL) == ESEAL_OK)
            json_object_set_new(a, "unlock_code_pem",
                                json_stringn((const char *)pem.data, pem.len));
        eseal_buf_cleanup(&pem);
    }
    json_object_set_new(v, "log", store_audit_seqs(is, jstr(rec, "id")));
    return v;
}

/* finish loads the record again after a commit and returns its view. */
static eseal_rc finish(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                       const char *id, json_t **view, struct eseal_issuer_problem *p)
{
    if (view == NULL)
        return ESEAL_OK;
    json_t *rec = NULL;
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = store_get_json(is, CF_SUBMISSIONS, id, &rec, &e);
    if (rc != ESEAL_OK)
        return prob_from(p, &e, NULL);
    *view = submission_view(is, who, rec);
    json_decref(rec);
    return ESEAL_OK;
}

static eseal_rc commit(struct eseal_issuer *is, json_t **entries, size_t n,
                       struct eseal_issuer_problem *p)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = wf_commit(is, entries, n, &e);
    return rc == ESEAL_OK ? ESEAL_OK : prob_from(p, &e, NULL);
}

/* ---- create and update ---------------------------------------------------------------- */

/* doc_summary checks what the record needs from a document and returns the
 * record fields {document, business, channel, unit, filed_city, forms}. */
static eseal_rc doc_summary(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                            const json_t *doc_json, json_t **out, struct eseal_issuer_problem *p)
{
    struct eseal_submission *doc = NULL;
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = eseal_submission_from_json(&doc, doc_json, &e);
    if (rc != ESEAL_OK) {
        /* form.c names the field path at the start of its message */
        char field[128] = "";
        sscanf(e.msg, "%127[^: ]", field);
        return prob_set(p, rc, field, "%s", e.msg);
    }
    const struct eseal_unit *u = &doc->applicant;
    const char *filed = doc->channel == ESEAL_CHANNEL_AGGREGATOR ? doc->aggregator : u->city;
    if (doc->business == ESEAL_BUSINESS_NONE)
        rc = prob_set(p, ESEAL_E_INVALID, "business", "the business type is required");
    else if (u->uscc == NULL || u->name == NULL)
        rc = prob_set(p, ESEAL_E_INVALID, u->uscc == NULL ? "applicant.uscc" : "applicant.name",
                      "the applicant's name and unified social credit code are required");
    else if (filed == NULL)
        rc = prob_set(p, ESEAL_E_INVALID,
                      doc->channel == ESEAL_CHANNEL_AGGREGATOR ? "aggregator" : "applicant.city",
                      "the city the submission is filed under is required");
    else if (!eseal_staff_can_see_submission(who, u->uscc, filed))
        rc = prob_set(p, ESEAL_E_DENIED,
                      who->role == ESEAL_ROLE_AGENT ? "applicant.uscc" : "aggregator",
                      "%s may file only for %s", who->username,
                      who->role == ESEAL_ROLE_AGENT ? "its own unit" : "its own city");
    if (rc != ESEAL_OK)
        goto out;
    char *text = json_dumps(doc_json, JSON_COMPACT | JSON_SORT_KEYS);
    char sm3[ESEAL_SM3_HEX_LEN + 1];
    rc = store_artefact_put(is, text, strlen(text), sm3, &e);
    free(text);
    if (rc != ESEAL_OK) {
        prob_from(p, &e, NULL);
        goto out;
    }
    *out = json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s?,s:s?},s:s,s:I}", "document", sm3, "business",
                     eseal_form_key(ESEAL_ENUM_BUSINESS, (int)doc->business), "channel",
                     eseal_form_key(ESEAL_ENUM_CHANNEL, (int)doc->channel), "unit", "name", u->name,
                     "uscc", u->uscc, "city", u->city, "county", u->county, "filed_city", filed,
                     "forms", (json_int_t)doc->n_forms);
out:
    eseal_submission_free(doc);
    return rc;
}

eseal_rc eseal_issuer_submission_create(struct eseal_issuer *is,
                                        const struct eseal_staff_principal *who, const json_t *doc,
                                        json_t **view, struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(who, ESEAL_ACTION_SUBMISSION_CREATE, p);
    if (rc != ESEAL_OK)
        return rc;
    pthread_mutex_lock(&is->mu);
    json_t *data = NULL;
    char id[16];
    rc = doc_summary(is, who, doc, &data, p);
    if (rc == ESEAL_OK) {
        snprintf(id, sizeof(id), "S%08" PRIu64, store_counter(is, "submission") + 1);
        json_t *e = wf_event("submission.created", who, id, NULL, NULL, data);
        rc = commit(is, &e, 1, p);
    }
    if (rc == ESEAL_OK)
        rc = finish(is, who, id, view, p);
    pthread_mutex_unlock(&is->mu);
    return rc;
}

static const char *const editable[] = {"draft", "rejected", NULL};

eseal_rc eseal_issuer_submission_update(struct eseal_issuer *is,
                                        const struct eseal_staff_principal *who, const char *id,
                                        const json_t *doc, json_t **view,
                                        struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(who, ESEAL_ACTION_SUBMISSION_CREATE, p);
    if (rc != ESEAL_OK)
        return rc;
    pthread_mutex_lock(&is->mu);
    json_t *rec = NULL, *data = NULL;
    rc = load_visible(is, who, id, &rec, p);
    if (rc == ESEAL_OK)
        rc = need_state(rec, editable, "changing the document", p);
    if (rc == ESEAL_OK)
        rc = doc_summary(is, who, doc, &data, p);
    if (rc == ESEAL_OK) {
        json_t *e = wf_event("submission.updated", who, id, NULL, NULL, data);
        rc = commit(is, &e, 1, p);
    }
    if (rc == ESEAL_OK)
        rc = finish(is, who, id, view, p);
    json_decref(rec);
    pthread_mutex_unlock(&is->mu);
    return rc;
}

eseal_rc eseal_issuer_submission_add_materials(struct eseal_issuer *is,
                                               const struct eseal_staff_principal *who,
                                               const char *id, const struct eseal_issuer_upload *up,
                                               size_t n, json_t **refs,
                                               struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(who, ESEAL_ACTION_SUBMISSION_UPLOAD, p);
    if (rc != ESEAL_OK)
        return rc;
    if (n == 0)
        return prob_set(p, ESEAL_E_INVALID, "materials", "no material in the request");
    if (n > ESEAL_LOG_BATCH_MAX)
        return prob_set(p, ESEAL_E_TOOBIG, "materials", "too many materials in one request");
    pthread_mutex_lock(&is->mu);
    json_t *rec = NULL;
    json_t **entries = eseal_xcalloc(n, sizeof(*entries));
    json_t *out = json_array();
    size_t built = 0;
    rc = load_visible(is, who, id, &rec, p);
    if (rc == ESEAL_OK)
        rc = need_state(rec, editable, "adding materials", p);
    /* check every part before storing any */
    for (size_t i = 0; rc == ESEAL_OK && i < n; i++) {
        int kind = 0;
        struct eseal_err e;
        eseal_err_clear(&e);
        if (up[i].kind == NULL || !eseal_form_enum_parse(ESEAL_ENUM_MATERIAL, up[i].kind, &kind))
            rc = prob_set(p, ESEAL_E_INVALID, up[i].kind != NULL ? up[i].kind : "kind",
                          "\"%.40s\" is not a material kind (letter, form, summary_table, "
                          "impression, csr, justification, introduction_letter, id_copy)",
                          up[i].kind != NULL ? up[i].kind : "");
        else if (eseal_material_check((enum eseal_material_kind)kind, up[i].data, up[i].len, NULL,
                                      &e) != ESEAL_OK)
            rc = prob_from(p, &e, up[i].kind);
    }
    for (size_t i = 0; rc == ESEAL_OK && i < n; i++) {
        int kind = 0;
        eseal_form_enum_parse(ESEAL_ENUM_MATERIAL, up[i].kind, &kind);
        struct eseal_material_ref ref;
        enum eseal_content_type ct;
        struct eseal_err e;
        eseal_err_clear(&e);
        rc = eseal_blob_put(is->blob, (enum eseal_material_kind)kind, up[i].data, up[i].len, &ref,
                            &ct, &e);
        if (rc != ESEAL_OK) {
            prob_from(p, &e, up[i].kind);
            break;
        }
        json_t *m = json_pack("{s:s,s:s,s:s,s:I}", "kind", up[i].kind, "sm3", ref.sm3,
                              "content_type", eseal_form_key(ESEAL_ENUM_CONTENT_TYPE, (int)ct),
                              "size", (json_int_t)up[i].len);
        json_array_append(out, m);
        entries[built++] = wf_event("submission.material_added", who, id, NULL, NULL, m);
    }
    if (rc == ESEAL_OK) {
        rc = commit(is, entries, built, p);
        built = 0;
    }
    for (size_t i = 0; i < built; i++)
        json_decref(entries[i]);
    free(entries);
    if (rc == ESEAL_OK && refs != NULL)
        *refs = json_pack("{s:s,s:O}", "submission", id, "materials", out);
    json_decref(out);
    json_decref(rec);
    pthread_mutex_unlock(&is->mu);
    return rc;
}

/* ---- submit, register, review ------------------------------------------------------ */

eseal_rc eseal_issuer_submission_submit(struct eseal_issuer *is,
                                        const struct eseal_staff_principal *who, const char *id,
                                        json_t **view, struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(who, ESEAL_ACTION_SUBMISSION_SUBMIT, p);
    if (rc != ESEAL_OK)
        return rc;
    pthread_mutex_lock(&is->mu);
    json_t *rec = NULL;
    struct eseal_submission *doc = NULL;
    struct rules_run r;
    bool ran = false;
    rc = load_visible(is, who, id, &rec, p);
    if (rc == ESEAL_OK)
        rc = need_state(rec, editable, "submitting", p);
    if (rc == ESEAL_OK)
        rc = load_doc(is, rec, &doc, p);
    if (rc == ESEAL_OK) {
        ran = true;
        rc = rules_run(is, &r, rec, doc, NULL, NULL, p);
    }
    /* the on-site key check is the maker's, at registration */
    if (rc == ESEAL_OK)
        rc = rules_refuse(&r, ESEAL_RULE_USB_KEY_ON_SITE, false, "submitting", p);
    if (rc == ESEAL_OK) {
        bool again = strcmp(jstr(rec, "state"), "rejected") == 0;
        json_int_t round = json_integer_value(json_object_get(rec, "round")) + 1;
        json_t *e = wf_event(again ? "submission.resubmitted" : "submission.submitted", who, id,
                             NULL, NULL, json_pack("{s:I}", "round", round));
        rc = commit(is, &e, 1, p);
    }
    if (rc == ESEAL_OK)
        rc = finish(is, who, id, view, p);
    if (ran)
        rules_done(&r);
    eseal_submission_free(doc);
    json_decref(rec);
    pthread_mutex_unlock(&is->mu);
    return rc;
}

static bool token_id_ok(const char *s)
{
    if (s == NULL || strlen(s) != 16)
        return false;
    for (size_t i = 0; i < 16; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* parse_onsite checks {"onsite":[{"esid","token_id"}]} and returns the array. */
static eseal_rc parse_onsite(const json_t *body, json_t **out, struct eseal_issuer_problem *p)
{
    static const char *const top[] = {"onsite", NULL};
    static const char *const item[] = {"esid", "token_id", NULL};
    *out = json_array();
    if (body == NULL)
        return ESEAL_OK;
    eseal_rc rc = json_check_keys(body, top, "", p);
    json_t *on = json_object_get(body, "onsite");
    if (rc != ESEAL_OK || on == NULL)
        return rc;
    if (!json_is_array(on) || json_array_size(on) > ESEAL_FORMS_MAX)
        return prob_set(p, ESEAL_E_INVALID, "onsite", "onsite must be an array of at most %d",
                        ESEAL_FORMS_MAX);
    size_t i;
    json_t *o;
    json_array_foreach(on, i, o)
    {
        char where[32];
        snprintf(where, sizeof(where), "onsite[%zu]", i);
        if ((rc = json_check_keys(o, item, where, p)) != ESEAL_OK)
            return rc;
        const char *esid = jstr(o, "esid"), *tok = jstr(o, "token_id");
        if (esid == NULL || eseal_esid_check(esid, NULL, NULL, NULL) != ESEAL_OK)
            return prob_set(p, ESEAL_E_INVALID, where, "%s.esid must be a seal code", where);
        if (!token_id_ok(tok))
            return prob_set(p, ESEAL_E_INVALID, where,
                            "%s.token_id must be a token id (16 lower-case hex digits)", where);
        json_array_append_new(*out, json_pack("{s:s,s:s}", "esid", esid, "token_id", tok));
    }
    return ESEAL_OK;
}

eseal_rc eseal_issuer_submission_register(struct eseal_issuer *is,
                                          const struct eseal_staff_principal *who, const char *id,
                                          const json_t *body, json_t **view,
                                          struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(who, ESEAL_ACTION_SUBMISSION_REGISTER, p);
    if (rc != ESEAL_OK)
        return rc;
    static const char *const from[] = {"submitted", NULL};
    pthread_mutex_lock(&is->mu);
    json_t *rec = NULL, *onsite = NULL;
    struct eseal_submission *doc = NULL;
    struct rules_run r;
    bool ran = false;
    rc = load_visible(is, who, id, &rec, p);
    if (rc == ESEAL_OK)
        rc = need_state(rec, from, "registering", p);
    if (rc == ESEAL_OK)
        rc = parse_onsite(body, &onsite, p);
    if (rc == ESEAL_OK)
        rc = load_doc(is, rec, &doc, p);
    if (rc == ESEAL_OK) {
        ran = true;
        rc = rules_run(is, &r, rec, doc, onsite, NULL, p);
    }
    if (rc == ESEAL_OK)
        rc = rules_refuse(&r, -1, false, "registering", p);
    if (rc == ESEAL_OK) {
        json_t *e = wf_event(
            "submission.registered", who, id, NULL, NULL,
            json_pack("{s:O,s:s}", "onsite", onsite, "verdict", eseal_verdict_name(r.res.verdict)));
        rc = commit(is, &e, 1, p);
    }
    if (rc == ESEAL_OK)
        rc = finish(is, who, id, view, p);
    if (ran)
        rules_done(&r);
    eseal_submission_free(doc);
    json_decref(onsite);
    json_decref(rec);
    pthread_mutex_unlock(&is->mu);
    return rc;
}

/* string_list checks that |v| is an array of 1..max non-empty strings of at
 * most max_len bytes each. */
static eseal_rc string_list(const json_t *v, const char *field, size_t max, size_t max_len,
                            bool allow_empty, struct eseal_issuer_problem *p)
{
    if (!json_is_array(v) || json_array_size(v) > max || (!allow_empty && json_array_size(v) == 0))
        return prob_set(p, ESEAL_E_INVALID, field, "%s must be an array of %s%zu strings", field,
                        allow_empty ? "up to " : "1 to ", max);
    size_t i;
    json_t *s;
    json_array_foreach(v, i, s)
    {
        if (!json_is_string(s) || json_string_length(s) == 0 || json_string_length(s) > max_len)
            return prob_set(p, ESEAL_E_INVALID, field,
                            "%s[%zu] must be a non-empty string of at most %zu bytes", field, i,
                            max_len);
    }
    return ESEAL_OK;
}

eseal_rc eseal_issuer_submission_review(struct eseal_issuer *is,
                                        const struct eseal_staff_principal *who, const char *id,
                                        const json_t *body, json_t **view,
                                        struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(who, ESEAL_ACTION_SUBMISSION_REVIEW, p);
    if (rc != ESEAL_OK)
        return rc;
    static const char *const keys[] = {"decision", "reasons", "acknowledge", NULL};
    static const char *const from[] = {"registered", NULL};
    rc = json_check_keys(body, keys, "", p);
    if (rc != ESEAL_OK)
        return rc;
    const char *decision = jstr(body, "decision");
    json_t *reasons = json_object_get(body, "reasons");
    json_t *acks = json_object_get(body, "acknowledge");
    bool approve = decision != NULL && strcmp(decision, "approve") == 0;
    if (decision == NULL || (!approve && strcmp(decision, "reject") != 0))
        return prob_set(p, ESEAL_E_INVALID, "decision",
                        "decision must be \"approve\" or \"reject\"");
    if (!approve && (rc = string_list(reasons, "reasons", 50, 1000, false, p)) != ESEAL_OK)
        return rc;
    if (approve && reasons != NULL &&
        (rc = string_list(reasons, "reasons", 50, 1000, true, p)) != ESEAL_OK)
        return rc;
    if (acks != NULL &&
        (rc = string_list(acks, "acknowledge", ESEAL_RULE_COUNT, 64, true, p)) != ESEAL_OK)
        return rc;
    size_t i;
    json_t *a;
    json_array_foreach(acks, i, a)
    {
        enum eseal_rule rule;
        if (!eseal_rule_parse(json_string_value(a), &rule))
            return prob_set(p, ESEAL_E_INVALID, "acknowledge", "\"%s\" is not a rule key",
                            json_string_value(a));
    }
    pthread_mutex_lock(&is->mu);
    json_t *rec = NULL, *ackl = acks != NULL ? json_incref(acks) : json_array();
    struct eseal_submission *doc = NULL;
    struct rules_run r;
    bool ran = false;
    rc = load_visible(is, who, id, &rec, p);
    if (rc == ESEAL_OK)
        rc = need_state(rec, from, "reviewing", p);
    if (rc == ESEAL_OK && !eseal_staff_can_review(who, jstr(rec, "registered_by")))
        rc = prob_set(p, ESEAL_E_DENIED, NULL,
                      "%s registered submission %s and so may not review it (maker != reviewer)",
                      who->username, id);
    if (rc == ESEAL_OK && approve) {
        rc = load_doc(is, rec, &doc, p);
        if (rc == ESEAL_OK) {
            ran = true;
            rc = rules_run(is, &r, rec, doc, json_object_get(rec, "onsite"), ackl, p);
        }
        if (rc == ESEAL_OK)
            rc = rules_refuse(&r, -1, true, "approving", p);
    }
    if (rc == ESEAL_OK) {
        json_t *e = approve ? wf_event("submission.approved", who, id, NULL, NULL,
                                       json_pack("{s:O}", "acknowledged", ackl))
                            : wf_event("submission.rejected", who, id, NULL, NULL,
                                       json_pack("{s:O}", "reasons", reasons));
        rc = commit(is, &e, 1, p);
    }
    if (rc == ESEAL_OK)
        rc = finish(is, who, id, view, p);
    if (ran)
        rules_done(&r);
    eseal_submission_free(doc);
    json_decref(ackl);
    json_decref(rec);
    pthread_mutex_unlock(&is->mu);
    return rc;
}

/* ---- produce and hand over ------------------------------------------------------------ */

static const char *const revoke_reasons[] = {
    "unspecified", "keyCompromise",        "affiliationChanged",
    "superseded",  "cessationOfOperation", "privilegeWithdrawn",
    NULL};

static eseal_rc parse_produce(const struct eseal_issuer *is, const json_t *body, size_t n_forms,
                              const char *business, long *days, const char **reason,
                              const json_t **forms, struct eseal_issuer_problem *p)
{
    static const char *const keys[] = {"days", "reason", "forms", NULL};
    static const char *const fkeys[] = {"csr", "token_id", "counter", NULL};
    *days = (long)is->cfg.max_days;
    *reason = NULL;
    *forms = NULL;
    if (body == NULL)
        goto reason;
    eseal_rc rc = json_check_keys(body, keys, "", p);
    if (rc != ESEAL_OK)
        return rc;
    json_t *d = json_object_get(body, "days");
    if (d != NULL) {
        if (!json_is_integer(d) || json_integer_value(d) < 1 ||
            json_integer_value(d) > is->cfg.max_days)
            return prob_set(p, ESEAL_E_INVALID, "days",
                            "days must be a whole number from 1 to %lld (max_days)",
                            is->cfg.max_days);
        *days = (long)json_integer_value(d);
    }
    json_t *r = json_object_get(body, "reason");
    if (r != NULL) {
        bool ok = false;
        for (size_t i = 0; json_is_string(r) && revoke_reasons[i] != NULL; i++)
            ok = ok || strcmp(revoke_reasons[i], json_string_value(r)) == 0;
        if (!ok)
            return prob_set(p, ESEAL_E_INVALID, "reason",
                            "reason must be one of unspecified, keyCompromise, "
                            "affiliationChanged, superseded, cessationOfOperation, "
                            "privilegeWithdrawn");
        *reason = json_string_value(r);
    }
    json_t *f = json_object_get(body, "forms");
    if (f != NULL) {
        if (!json_is_array(f) || json_array_size(f) > n_forms)
            return prob_set(p, ESEAL_E_INVALID, "forms",
                            "forms must be an array with at most one entry per form (%zu)",
                            n_forms);
        size_t i;
        json_t *o;
        json_array_foreach(f, i, o)
        {
            char where[32];
            snprintf(where, sizeof(where), "forms[%zu]", i);
            if (json_is_null(o))
                continue;
            if ((rc = json_check_keys(o, fkeys, where, p)) != ESEAL_OK)
                return rc;
            json_t *csr = json_object_get(o, "csr"), *tok = json_object_get(o, "token_id"),
                   *ctr = json_object_get(o, "counter");
            if (csr != NULL && (!json_is_string(csr) || json_string_length(csr) == 0 ||
                                json_string_length(csr) > 64 * 1024))
                return prob_set(p, ESEAL_E_INVALID, where, "%s.csr must be PEM text", where);
            if (tok != NULL && !token_id_ok(json_string_value(tok)))
                return prob_set(p, ESEAL_E_INVALID, where,
                                "%s.token_id must be 16 lower-case hex digits", where);
            if (ctr != NULL && (!json_is_integer(ctr) || json_integer_value(ctr) < 0 ||
                                json_integer_value(ctr) > (json_int_t)UINT32_MAX))
                return prob_set(p, ESEAL_E_INVALID, where,
                                "%s.counter must be a whole number from 0 to 4294967295", where);
        }
        *forms = f;
    }
reason:
    if (strcmp(business, "revoke") == 0 && *reason == NULL)
        return prob_set(p, ESEAL_E_INVALID, "reason",
                        "revoking needs the reason given (e.g. cessationOfOperation)");
    return ESEAL_OK;
}

eseal_rc eseal_issuer_submission_produce(struct eseal_issuer *is,
                                         const struct eseal_staff_principal *who, const char *id,
                                         const json_t *body, json_t **view,
                                         struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(who, ESEAL_ACTION_SUBMISSION_PRODUCE, p);
    if (rc != ESEAL_OK)
        return rc;
    static const char *const from[] = {"approved", NULL};
    pthread_mutex_lock(&is->mu);
    json_t *rec = NULL;
    struct eseal_submission *doc = NULL;
    struct rules_run r;
    bool ran = false;
    struct produce_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.entries = json_array();
    rc = load_visible(is, who, id, &rec, p);
    if (rc == ESEAL_OK)
        rc = need_state(rec, from, "producing", p);
    if (rc == ESEAL_OK)
        rc = load_doc(is, rec, &doc, p);
    if (rc == ESEAL_OK)
        rc = parse_produce(is, body, doc->n_forms, jstr(rec, "business"), &ctx.days, &ctx.reason,
                           &ctx.forms, p);
    /* the seals may have changed since approval (a loss reported, …) */
    if (rc == ESEAL_OK) {
        ran = true;
        rc = rules_run(is, &r, rec, doc, json_object_get(rec, "onsite"),
                       json_object_get(rec, "acknowledged"), p);
    }
    if (rc == ESEAL_OK)
        rc = rules_refuse(&r, -1, true, "producing", p);
    ctx.is = is;
    ctx.who = who;
    ctx.record = rec;
    ctx.doc = doc;
    ctx.p = p;
    for (size_t i = 0; rc == ESEAL_OK && doc != NULL && i < doc->n_forms; i++) {
        /* forms produced before a crash are not produced again */
        json_t *apps = json_object_get(rec, "applications");
        bool done = false;
        size_t k;
        json_t *a;
        json_array_foreach(apps, k, a) done =
            done || json_integer_value(json_object_get(a, "form")) == (json_int_t)i;
        if (!done)
            rc = produce_form(&ctx, i);
    }
    if (rc == ESEAL_OK) {
        size_t n = json_array_size(ctx.entries);
        json_t **entries = eseal_xcalloc(n + 1, sizeof(*entries));
        for (size_t i = 0; i < n; i++)
            entries[i] = json_incref(json_array_get(ctx.entries, i));
        rc = commit(is, entries, n, p);
        free(entries);
    }
    if (rc == ESEAL_OK)
        rc = finish(is, who, id, view, p);
    if (ran)
        rules_done(&r);
    json_decref(ctx.entries);
    json_decref(ctx.serials);
    eseal_submission_free(doc);
    json_decref(rec);
    pthread_mutex_unlock(&is->mu);
    return rc;
}

static bool same_text(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

eseal_rc eseal_issuer_submission_handover(struct eseal_issuer *is,
                                          const struct eseal_staff_principal *who, const char *id,
                                          const struct eseal_issuer_handover *h, json_t **view,
                                          struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(who, ESEAL_ACTION_SUBMISSION_HANDOVER, p);
    if (rc != ESEAL_OK)
        return rc;
    static const struct {
        const char *field;
        size_t off;
    } texts[] = {
        {"collector_name", offsetof(struct eseal_issuer_handover, collector_name)},
        {"collector_id_number", offsetof(struct eseal_issuer_handover, collector_id_number)},
        {"letter_name", offsetof(struct eseal_issuer_handover, letter_name)},
        {"letter_id_number", offsetof(struct eseal_issuer_handover, letter_id_number)},
    };
    for (size_t i = 0; i < COUNT_OF(texts); i++) {
        const char *v = *(const char *const *)((const char *)h + texts[i].off);
        if (v == NULL || v[0] == '\0' || strlen(v) > 100)
            return prob_set(p, ESEAL_E_INVALID, texts[i].field,
                            "%s is required (at most 100 bytes)", texts[i].field);
    }
    if (eseal_idnum_check(h->collector_id_number, 0) != ESEAL_ID_OK)
        return prob_set(p, ESEAL_E_INVALID, "collector_id_number",
                        "the collector's ID number is not a valid resident identity number "
                        "(GB 11643)");
    if (h->introduction_letter == NULL || h->introduction_letter_len == 0)
        return prob_set(p, ESEAL_E_INVALID, "introduction_letter",
                        "the introduction letter (介绍信) is required");
    if (h->id_copy == NULL || h->id_copy_len == 0)
        return prob_set(p, ESEAL_E_INVALID, "id_copy",
                        "the stamped copy of the collector's ID card is required");
    static const char *const from[] = {"produced", NULL};
    pthread_mutex_lock(&is->mu);
    json_t *rec = NULL;
    json_t *entries = json_array();
    rc = load_visible(is, who, id, &rec, p);
    if (rc == ESEAL_OK)
        rc = need_state(rec, from, "handing over", p);
    if (rc == ESEAL_OK && !same_text(h->collector_name, h->letter_name))
        rc = prob_set(p, ESEAL_E_INVALID, "collector_name",
                      "the collector is not the person the introduction letter names "
                      "(介绍信所列领取人与实际领取人姓名不一致)");
    if (rc == ESEAL_OK && !same_text(h->collector_id_number, h->letter_id_number))
        rc = prob_set(p, ESEAL_E_INVALID, "collector_id_number",
                      "the collector's ID number differs from the one in the introduction letter "
                      "(介绍信所列身份证号码与领取人不一致)");
    if (rc != ESEAL_OK && p->err.rc == ESEAL_E_INVALID && rec != NULL)
        p->status = 422;
    struct eseal_material_ref letter, copy;
    struct eseal_err e;
    eseal_err_clear(&e);
    if (rc == ESEAL_OK &&
        eseal_blob_put(is->blob, ESEAL_MATERIAL_INTRODUCTION_LETTER, h->introduction_letter,
                       h->introduction_letter_len, &letter, NULL, &e) != ESEAL_OK)
        rc = prob_from(p, &e, "introduction_letter");
    if (rc == ESEAL_OK && eseal_blob_put(is->blob, ESEAL_MATERIAL_ID_COPY, h->id_copy,
                                         h->id_copy_len, &copy, NULL, &e) != ESEAL_OK)
        rc = prob_from(p, &e, "id_copy");
    if (rc == ESEAL_OK) {
        /* the collector's ID number is masked and the name only hashed in the log */
        char masked[32];
        mask_id(h->collector_id_number, masked, sizeof(masked));
        char *name_sm3 = eseal_sm3_hex(h->collector_name, strlen(h->collector_name));
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(rec, "applications"), i, a)
        {
            const char *esid = jstr(a, "esid");
            json_t *seal = NULL;
            if (esid == NULL || store_get_json(is, CF_SEALS, esid, &seal, NULL) != ESEAL_OK)
                continue;
            json_t *data = seal_event_base(seal);
            char now[32];
            wf_now_ms(now);
            json_object_set_new(data, "status", json_string("good"));
            json_object_set_new(data, "activated_at", json_string(now));
            json_array_append_new(entries,
                                  wf_event("seal.activated", who, id, jstr(a, "id"), esid, data));
            json_array_append_new(
                entries,
                wf_event("application.handed_over", who, id, jstr(a, "id"), esid,
                         json_pack("{s:O,s:s,s:{s:s,s:s},s:s,s:s}", "form",
                                   json_object_get(a, "form"), "esid", esid, "collector",
                                   "id_number_masked", masked, "name_hash_sm3", name_sm3,
                                   "introduction_letter", letter.sm3, "id_copy", copy.sm3)));
            json_decref(seal);
        }
        free(name_sm3);
        size_t n = json_array_size(entries);
        json_t **list = eseal_xcalloc(n + 1, sizeof(*list));
        for (i = 0; i < n; i++)
            list[i] = json_incref(json_array_get(entries, i));
        rc = commit(is, list, n, p);
        free(list);
    }
    if (rc == ESEAL_OK)
        rc = finish(is, who, id, view, p);
    json_decref(entries);
    json_decref(rec);
    pthread_mutex_unlock(&is->mu);
    return rc;
}

/* ---- reading ----------------------------------------------------------------------- */

eseal_rc eseal_issuer_submission_get(struct eseal_issuer *is,
                                     const struct eseal_staff_principal *who, const char *id,
                                     json_t **view, struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(who, ESEAL_ACTION_SUBMISSION_GET, p);
    if (rc != ESEAL_OK)
        return rc;
    json_t *rec = NULL;
    rc = load_visible(is, who, id, &rec, p);
    if (rc == ESEAL_OK)
        *view = submission_view(is, who, rec);
    json_decref(rec);
    return rc;
}

static const char *const states[] = {"draft",       "submitted", "registered",
                                     "approved",    "rejected",  "produced",
                                     "handed_over", "done",      NULL};

eseal_rc eseal_issuer_submission_list(struct eseal_issuer *is,
                                      const struct eseal_staff_principal *who, const char *state,
                                      json_t **view, struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(who, ESEAL_ACTION_SUBMISSION_LIST, p);
    if (rc != ESEAL_OK)
        return rc;
    if (state != NULL) {
        bool ok = false;
        for (size_t i = 0; states[i] != NULL; i++)
            ok = ok || strcmp(states[i], state) == 0;
        if (!ok)
            return prob_set(p, ESEAL_E_INVALID, "state", "unknown state \"%.40s\"", state);
    }
    json_t *list = json_array();
    struct eseal_kv_iter *it = eseal_kv_iter_new(is->kv, CF_SUBMISSIONS);
    for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t len;
        const uint8_t *v = eseal_kv_iter_value(it, &len);
        json_t *rec = json_loadb((const char *)v, len, 0, NULL);
        if (rec != NULL && visible(who, rec) &&
            (state == NULL || strcmp(state, jstr(rec, "state")) == 0))
            json_array_append_new(list, json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "id",
                                                  json_object_get(rec, "id"), "state",
                                                  json_object_get(rec, "state"), "business",
                                                  json_object_get(rec, "business"), "unit",
                                                  json_object_get(rec, "unit"), "filed_city",
                                                  json_object_get(rec, "filed_city"), "created",
                                                  json_object_get(rec, "created"), "updated",
                                                  json_object_get(rec, "updated")));
        json_decref(rec);
    }
    struct eseal_err e;
    eseal_err_clear(&e);
    rc = eseal_kv_iter_status(it, &e);
    eseal_kv_iter_free(it);
    if (rc != ESEAL_OK) {
        json_decref(list);
        return prob_from(p, &e, NULL);
    }
    *view = json_pack("{s:o}", "submissions", list);
    return ESEAL_OK;
}

eseal_rc eseal_issuer_submission_audit(struct eseal_issuer *is,
                                       const struct eseal_staff_principal *who, const char *id,
                                       json_t **view, struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(who, ESEAL_ACTION_AUDIT_READ, p);
    if (rc != ESEAL_OK)
        return rc;
    json_t *rec = NULL;
    rc = load_visible(is, who, id, &rec, p);
    json_decref(rec);
    if (rc != ESEAL_OK)
        return rc;
    json_t *seqs = store_audit_seqs(is, id);
    json_t *entries = json_array();
    struct eseal_buf b;
    eseal_buf_init(&b);
    struct eseal_err e;
    eseal_err_clear(&e);
    rc = eseal_log_sync(is->log, &e);
    size_t i;
    json_t *s;
    json_array_foreach(seqs, i, s)
    {
        if (rc != ESEAL_OK)
            break;
        rc = eseal_log_entry(is->log, (uint64_t)json_integer_value(s), &b, &e);
        if (rc == ESEAL_OK)
            json_array_append_new(entries, json_loadb((const char *)b.data, b.len, 0, NULL));
    }
    eseal_buf_cleanup(&b);
    json_decref(seqs);
    if (rc != ESEAL_OK) {
        json_decref(entries);
        return prob_from(p, &e, NULL);
    }
    *view = json_pack("{s:s,s:o}", "submission", id, "entries", entries);
    return ESEAL_OK;
}

/* ---- seals ----------------------------------------------------------------------------- */

static eseal_rc seal_visible(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                             const char *esid, json_t **seal, struct eseal_issuer_problem *p)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = esid != NULL && strlen(esid) == ESEAL_ESID_LEN
                      ? store_get_json(is, CF_SEALS, esid, seal, &e)
                      : ESEAL_E_NOTFOUND;
    if (rc == ESEAL_OK &&
        !eseal_staff_can_see_submission(who, jstr(*seal, "uscc"), jstr(*seal, "city"))) {
        json_decref(*seal);
        *seal = NULL;
        rc = ESEAL_E_NOTFOUND;
    }
    if (rc == ESEAL_E_NOTFOUND)
        return prob_set(p, rc, NULL, "no seal %.20s", esid != NULL ? esid : "");
    return rc == ESEAL_OK ? ESEAL_OK : prob_from(p, &e, NULL);
}

static json_t *seal_view(struct eseal_issuer *is, const json_t *seal)
{
    json_t *v = json_deep_copy(seal);
    json_object_set_new(v, "status", json_string(wf_seal_status(seal, 0)));
    json_object_set_new(v, "log", store_audit_seqs(is, jstr(seal, "esid")));
    return v;
}

eseal_rc eseal_issuer_seal_get(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                               const char *esid, json_t **view, struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(who, ESEAL_ACTION_SEAL_GET, p);
    json_t *seal = NULL;
    if (rc == ESEAL_OK)
        rc = seal_visible(is, who, esid, &seal, p);
    if (rc == ESEAL_OK)
        *view = seal_view(is, seal);
    json_decref(seal);
    return rc;
}

/* seal_esl copies the seal file (DER) of version |vno| of |seal| (0: the
 * latest) into |out|: only the version's seal_sm3 is ever looked up, so
 * no other artefact can come out of here. */
static eseal_rc seal_esl(struct eseal_issuer *is, json_t *seal, json_int_t vno,
                         struct eseal_buf *out, struct eseal_err *e)
{
    json_t *versions = json_object_get(seal, "versions");
    json_t *ver = vno == 0 ? json_array_get(versions, json_array_size(versions) - 1)
                           : seal_version(seal, vno);
    const char *sm3 = jstr(ver, "seal_sm3");
    if (sm3 == NULL)
        return eseal_err_set(e, ESEAL_E_NOTFOUND, "seal %s has no version %lld", jstr(seal, "esid"),
                             (long long)vno);
    return store_artefact_get(is, sm3, out, e);
}

eseal_rc eseal_issuer_seal_public(struct eseal_issuer *is, const char *esid, long long version,
                                  struct eseal_buf *out, struct eseal_issuer_problem *p)
{
    struct eseal_staff_principal anyone;
    memset(&anyone, 0, sizeof(anyone));
    eseal_rc rc = require(&anyone, ESEAL_ACTION_SEAL_PUBLIC, p);
    if (rc != ESEAL_OK)
        return rc;
    if (version < 1)
        return prob_set(p, ESEAL_E_NOTFOUND, NULL, "no seal %.20s version %lld",
                        esid != NULL ? esid : "", version);
    struct eseal_err e;
    eseal_err_clear(&e);
    json_t *seal = NULL;
    rc = esid != NULL && strlen(esid) == ESEAL_ESID_LEN
             ? store_get_json(is, CF_SEALS, esid, &seal, &e)
             : ESEAL_E_NOTFOUND;
    /* A personal seal's file holds a person's name (and, in its
     * certificate, an ID number): it is not published. */
    const char *kind = json_string_value(json_object_get(seal, "kind"));
    bool personal = kind != NULL && strcmp(kind, "personal") == 0;
    if (rc == ESEAL_OK && !personal)
        rc = seal_esl(is, seal, (json_int_t)version, out, &e);
    json_decref(seal);
    if (rc == ESEAL_OK && personal)
        return prob_set(p, ESEAL_E_NOTFOUND, NULL,
                        "personal seals are not published / 个人印章不公开");
    if (rc == ESEAL_E_NOTFOUND)
        return prob_set(p, rc, NULL, "no seal %.20s version %lld", esid != NULL ? esid : "",
                        version);
    return rc == ESEAL_OK ? ESEAL_OK : prob_from(p, &e, NULL);
}

eseal_rc eseal_issuer_seal_file(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                const char *esid, enum eseal_issuer_seal_file which,
                                struct eseal_buf *out, struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(
        who, which == ESEAL_ISSUER_SEAL_ESL ? ESEAL_ACTION_SEAL_DOWNLOAD : ESEAL_ACTION_SEAL_GET,
        p);
    json_t *seal = NULL;
    if (rc == ESEAL_OK)
        rc = seal_visible(is, who, esid, &seal, p);
    if (rc == ESEAL_OK) {
        json_t *versions = json_object_get(seal, "versions");
        json_t *cur = json_array_get(versions, json_array_size(versions) - 1);
        struct eseal_err e;
        eseal_err_clear(&e);
        if (which == ESEAL_ISSUER_SEAL_ESL) {
            rc = seal_esl(is, seal, 0, out, &e);
        } else {
            struct eseal_buf der;
            eseal_buf_init(&der);
            rc = store_artefact_get(is, jstr(cur, "cert_sm3"), &der, &e);
            X509 *x = NULL;
            if (rc == ESEAL_OK)
                rc = eseal_pki_cert_parse(&x, der.data, der.len, &e);
            if (rc == ESEAL_OK) {
                char *pem = eseal_pki_cert_pem(x);
                eseal_buf_reset(out);
                eseal_buf_append_str(out, pem);
                free(pem);
            }
            X509_free(x);
            eseal_buf_cleanup(&der);
        }
        if (rc != ESEAL_OK)
            prob_from(p, &e, NULL);
    }
    json_decref(seal);
    return rc;
}

eseal_rc eseal_issuer_seal_suspend(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const char *esid, const json_t *body, json_t **view,
                                   struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(who, ESEAL_ACTION_SEAL_SUSPEND, p);
    if (rc != ESEAL_OK)
        return rc;
    static const char *const none[] = {NULL};
    if (body != NULL && (rc = json_check_keys(body, none, "", p)) != ESEAL_OK)
        return rc;
    pthread_mutex_lock(&is->mu);
    json_t *seal = NULL;
    rc = seal_visible(is, who, esid, &seal, p);
    if (rc == ESEAL_OK) {
        const char *st = wf_seal_status(seal, 0);
        if (strcmp(st, "good") != 0 && strcmp(st, "pending") != 0)
            rc = prob_set(p, ESEAL_E_CONFLICT, NULL,
                          "seal %s is %s: only a good or pending seal can be suspended", esid, st);
    }
    if (rc == ESEAL_OK) {
        json_t *data = seal_event_base(seal);
        char now[32];
        wf_now_ms(now);
        json_object_set_new(data, "status", json_string("suspended"));
        json_object_set_new(data, "reason", json_string("certificateHold"));
        json_object_set_new(data, "suspended_at", json_string(now));
        json_t *e = wf_event("seal.suspended", who, NULL, NULL, esid, data);
        rc = commit(is, &e, 1, p);
    }
    json_decref(seal);
    seal = NULL;
    if (rc == ESEAL_OK && view != NULL) {
        struct eseal_err e;
        eseal_err_clear(&e);
        if (store_get_json(is, CF_SEALS, esid, &seal, &e) == ESEAL_OK)
            *view = seal_view(is, seal);
        else
            rc = prob_from(p, &e, NULL);
    }
    json_decref(seal);
    pthread_mutex_unlock(&is->mu);
    return rc;
}

/* ---- staff ----------------------------------------------------------------------------- */

eseal_rc eseal_issuer_staff_create(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const json_t *body, json_t **view,
                                   struct eseal_issuer_problem *p)
{
    eseal_rc rc = require(who, ESEAL_ACTION_STAFF_CREATE, p);
    if (rc != ESEAL_OK)
        return rc;
    pthread_mutex_lock(&is->mu);
    struct eseal_staff_account acc;
    struct eseal_err e;
    eseal_err_clear(&e);
    rc = eseal_staff_create_json(&is->staff, &acc, body, &e);
    if (rc != ESEAL_OK) {
        /* staff.c starts its messages with the field name */
        char field[32] = "";
        static const char *const fields[] = {"username", "password", "role", "unit", "city"};
        for (size_t i = 0; i < COUNT_OF(fields); i++)
            if (strstr(e.msg, fields[i]) != NULL && field[0] == '\0')
                snprintf(field, sizeof(field), "%s", fields[i]);
        prob_from(p, &e, field);
    } else {
        /* the account is written first: its password hash cannot go in the log */
        json_t *data = json_pack("{s:s,s:s}", "username", acc.username, "role",
                                 eseal_staff_role_name(acc.role));
        if (acc.unit[0] != '\0')
            json_object_set_new(data, "unit", json_string(acc.unit));
        if (acc.city[0] != '\0')
            json_object_set_new(data, "city", json_string(acc.city));
        json_t *ev = wf_event("staff.created", who, NULL, NULL, NULL, data);
        rc = commit(is, &ev, 1, p);
        if (rc == ESEAL_OK && view != NULL)
            *view = eseal_staff_account_json(&acc);
    }
    pthread_mutex_unlock(&is->mu);
    return rc;
}
