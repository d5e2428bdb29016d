/* project.c — the log projection: committing entries to the event log and
 * applying each committed entry to the store, live and on replay. One row
 * per entry type says which handler changes which record; the store is a
 * function of the log. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "region.h"
#include "internal.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

json_t *wf_event(const char *type, const struct eseal_staff_principal *who, const char *submission,
                 const char *application, const char *seal, json_t *data)
{
    /* the public log names staff by their opaque id, never by username;
     * the daemon itself (the notifier) has no id and says its name */
    const char *actor = who->id[0] != '\0' ? who->id : who->username;
    json_t *e =
        json_pack("{s:i,s:s,s:{s:s,s:s},s:o}", "v", 1, "type", type, "actor", "id", actor, "role",
                  eseal_staff_role_name(who->role), "data", data != NULL ? data : json_object());
    if (submission != NULL)
        json_object_set_new(e, "submission", json_string(submission));
    if (application != NULL)
        json_object_set_new(e, "application", json_string(application));
    if (seal != NULL)
        json_object_set_new(e, "seal", json_string(seal));
    return e;
}

/* struct apply_ctx is one entry being applied. */
struct apply_ctx {
    struct eseal_issuer *is;
    struct eseal_kv_batch *b;
    const char *type;
    const json_t *entry;
    const json_t *data; /* entry.data */
    const char *time;   /* entry.time */
    const char *actor;  /* entry.actor.id */
    struct eseal_err *err;
    eseal_rc rc; /* set by a submission handler that cannot apply the entry */
};

/* ---- seal.* ----------------------------------------------------------------------- */

/* Keys of a seal event's data that describe one version, not the seal. */
static const char *const version_keys[] = {
    "version",      "status",        "seal_sm3",        "picture_sm3", "cert_sm3",   "cert_serial",
    "valid_start",  "valid_end",     "csr_sm3",         "reason",      "revoked_at", "suspended_at",
    "activated_at", "reinstated_at", "invalidity_date", NULL,
};

static bool is_version_key(const char *k)
{
    for (size_t i = 0; version_keys[i] != NULL; i++)
        if (strcmp(version_keys[i], k) == 0)
            return true;
    return false;
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

/* merge_version splits the event data into seal fields and the fields of
 * the version it names (added, or updated when it exists). */
static void merge_version(json_t *seal, const json_t *data, bool fresh)
{
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
    json_t *existing = wf_seal_version(seal, json_integer_value(json_object_get(ver, "version")));
    if (existing == NULL)
        json_array_append(json_object_get(seal, "versions"), ver);
    else
        json_object_update(existing, ver);
    json_decref(ver);
}

/* new_seal records what a new seal's entry implies beyond the seal: its
 * submission, the division's serial counter, the seal it replaces. */
static void new_seal(struct apply_ctx *c, json_t *seal, const char *esid)
{
    json_object_set(seal, "submission", json_object_get(c->entry, "submission"));
    json_object_set(seal, "application", json_object_get(c->entry, "application"));
    uint32_t serial = 0;
    const struct eseal_region *reg = NULL;
    if (eseal_esid_check(esid, &reg, &serial, NULL) == ESEAL_OK &&
        serial > store_counter(c->is, reg->code))
        store_batch_counter(c->b, reg->code, serial);
    const char *old = wf_jstr(c->data, "replaces");
    json_t *prev = NULL;
    if (old != NULL && store_get_json(c->is, CF_SEALS, old, &prev, NULL) == ESEAL_OK) {
        json_object_set_new(prev, "replaced_by", json_string(esid));
        store_batch_put_json(c->b, CF_SEALS, old, prev);
    }
    json_decref(prev);
}

/* seal_spec keeps in the seal record what the seal is — its name,
 * function and size — copied from the form its entry was produced from
 * (the application "S…-k" is form k). The log does not carry the name, which
 * is text a person typed; the store has the form. A renewal keeps the spec. */
static void seal_spec(struct apply_ctx *c, json_t *seal)
{
    const char *app = wf_jstr(c->entry, "application");
    const char *dash = app != NULL ? strrchr(app, '-') : NULL;
    const char *sub = wf_jstr(c->entry, "submission");
    json_t *rec = NULL;
    struct eseal_submission *doc = NULL;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    if (dash == NULL || sub == NULL ||
        store_get_json(c->is, CF_SUBMISSIONS, sub, &rec, NULL) != ESEAL_OK)
        goto out;
    unsigned long k = strtoul(dash + 1, NULL, 10);
    if (wf_load_doc(c->is, rec, &doc, &p) == ESEAL_OK && k >= 1 && k <= doc->n_forms) {
        const struct eseal_seal_spec *s = &doc->forms[k - 1].seal;
        json_t *spec = json_object();
        if (s->name != NULL)
            json_object_set_new(spec, "name", json_string(s->name));
        if (s->function != ESEAL_FUNCTION_NONE)
            json_object_set_new(spec, "function",
                                json_string(eseal_form_key(ESEAL_ENUM_FUNCTION, (int)s->function)));
        json_t *w = eseal_mm_json(s->width_mm), *h = eseal_mm_json(s->height_mm);
        if (w != NULL)
            json_object_set_new(spec, "width_mm", w);
        if (h != NULL)
            json_object_set_new(spec, "height_mm", h);
        json_object_set_new(seal, "spec", spec);
    }
out:
    eseal_submission_free(doc);
    json_decref(rec);
    eseal_issuer_problem_cleanup(&p);
}

/* apply_seal: every seal.* entry carries the seal's fields and one version's. */
static eseal_rc apply_seal(struct apply_ctx *c)
{
    const char *esid = wf_jstr(c->data, "esid");
    if (esid == NULL)
        return eseal_err_set(c->err, ESEAL_E_INVALID, "%s without data.esid", c->type);
    json_t *seal = NULL;
    eseal_rc rc = store_get_json(c->is, CF_SEALS, esid, &seal, c->err);
    bool fresh = strcmp(c->type, "seal.issued") == 0 || strcmp(c->type, "seal.reissued") == 0;
    if (rc == ESEAL_E_NOTFOUND && fresh) {
        seal = json_pack("{s:s,s:[]}", "esid", esid, "versions");
        rc = ESEAL_OK;
    }
    if (rc != ESEAL_OK)
        return rc;
    merge_version(seal, c->data, fresh);
    if (fresh)
        new_seal(c, seal, esid);
    if (fresh || strcmp(c->type, "seal.changed") == 0)
        seal_spec(c, seal);
    set_current(seal);
    store_batch_put_json(c->b, CF_SEALS, esid, seal);
    json_decref(seal);
    return ESEAL_OK;
}

/* ---- submission.* and application.* ---------------------------------------------- */

/* A submission handler changes the record and returns its new state (NULL:
 * unchanged). */
typedef const char *(*submission_fn)(struct apply_ctx *c, json_t *rec);

static const char *on_document(struct apply_ctx *c, json_t *rec)
{
    json_object_update(rec, (json_t *)c->data);
    return NULL;
}

static const char *on_material(struct apply_ctx *c, json_t *rec)
{
    json_t *mats = json_object_get(rec, "materials");
    size_t i;
    json_t *m;
    json_array_foreach(mats, i, m)
    {
        if (json_equal(json_object_get(m, "sm3"), json_object_get(c->data, "sm3")) &&
            json_equal(json_object_get(m, "kind"), json_object_get(c->data, "kind")))
            return NULL;
    }
    /* the round it was added for: the next submission's (store only) */
    json_t *m2 = json_deep_copy(c->data);
    json_object_set_new(m2, "round",
                        json_integer(json_integer_value(json_object_get(rec, "round")) + 1));
    json_array_append_new(mats, m2);
    return NULL;
}

static const char *on_submitted(struct apply_ctx *c, json_t *rec)
{
    json_object_set(rec, "round", json_object_get(c->data, "round"));
    json_object_set_new(rec, "submitted", json_string(c->time));
    /* a new round: the last round's registration and review are void */
    static const char *const stale[] = {"registered_by", "onsite", "reviewed_by",
                                        "acknowledged",  "paper",  "paper_flags",
                                        "forms_pictures"};
    for (size_t i = 0; i < COUNT_OF(stale); i++)
        json_object_del(rec, stale[i]);
    return wf_state_name(WF_SUBMITTED);
}

/* on_collected: a city unit's submission is with its aggregator. */
static const char *on_collected(struct apply_ctx *c, json_t *rec)
{
    json_object_set_new(rec, "collected", json_string(c->time));
    return wf_state_name(WF_COLLECTED);
}

static const char *on_registered(struct apply_ctx *c, json_t *rec)
{
    json_object_set_new(rec, "registered_by", json_string(c->actor));
    json_object_set(rec, "onsite", json_object_get(c->data, "onsite"));
    json_t *paper = json_object_get(c->data, "paper");
    json_object_set_new(rec, "paper", paper != NULL ? json_incref(paper) : json_array());
    return wf_state_name(WF_REGISTERED);
}

static const char *on_approved(struct apply_ctx *c, json_t *rec)
{
    json_object_set_new(rec, "reviewed_by", json_string(c->actor));
    json_object_set(rec, "acknowledged", json_object_get(c->data, "acknowledged"));
    return wf_state_name(WF_APPROVED);
}

/* private_of returns the private record the entry commits to (new), or
 * NULL with c->rc set. */
static json_t *private_of(struct apply_ctx *c)
{
    json_t *p = NULL;
    c->rc = private_get(c->is, wf_jstr(c->data, "commitment"), &p, c->err);
    return p;
}

static const char *on_rejected(struct apply_ctx *c, json_t *rec)
{
    /* the reasons are in the store, the entry has their commitment (entries
     * written before that carried them in clear) */
    json_t *reasons = json_incref(json_object_get(c->data, "reasons"));
    if (!json_is_array(reasons)) {
        json_decref(reasons);
        json_t *p = private_of(c);
        if (p == NULL)
            return NULL;
        reasons = json_incref(json_object_get(p, "reasons"));
        json_decref(p);
    }
    json_object_set_new(rec, "reviewed_by", json_string(c->actor));
    json_object_set_new(
        rec, "rejection",
        json_pack("{s:s,s:s,s:o?}", "by", c->actor, "time", c->time, "reasons", reasons));
    /* every round's rejection, so that earlier rounds stay visible */
    if (!json_is_array(json_object_get(rec, "rejections")))
        json_object_set_new(rec, "rejections", json_array());
    json_t *r = json_deep_copy(json_object_get(rec, "rejection"));
    json_object_set(r, "round", json_object_get(rec, "round"));
    json_array_append_new(json_object_get(rec, "rejections"), r);
    json_t *flags = json_object_get(c->data, "flags");
    if (flags != NULL)
        json_object_set(rec, "paper_flags", flags);
    return wf_state_name(WF_REJECTED);
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
    json_int_t n = json_integer_value(json_object_get(rec, "forms")), done = 0;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(rec, "applications"), i, a)
    {
        const char *s = wf_jstr(a, "status");
        if (s != NULL && strcmp(s, status) == 0)
            done++;
    }
    return done == n;
}

static const char *on_produced(struct apply_ctx *c, json_t *rec)
{
    json_t *a = application_slot(rec, json_integer_value(json_object_get(c->data, "form")));
    json_object_update(a, (json_t *)c->data);
    json_object_set(a, "id", json_object_get(c->entry, "application"));
    json_object_set_new(a, "status", json_string("produced"));
    json_object_set_new(a, "produced", json_string(c->time));
    if (!all_apps(rec, "produced"))
        return NULL;
    const struct business_type *t = business_type_find(wf_jstr(rec, "business"));
    return wf_state_name(t != NULL && t->handover ? WF_PRODUCED : WF_DONE);
}

static const char *on_handed_over(struct apply_ctx *c, json_t *rec)
{
    json_t *a = application_slot(rec, json_integer_value(json_object_get(c->data, "form")));
    json_t *handover = json_deep_copy(c->data);
    if (json_object_get(c->data, "commitment") != NULL) {
        /* the staff see who collected: the private record, not the log */
        json_t *p = private_of(c);
        if (p == NULL) {
            json_decref(handover);
            return NULL;
        }
        json_object_set(handover, "collector", json_object_get(p, "collector"));
        json_decref(p);
    }
    json_object_set_new(a, "status", json_string("handed_over"));
    json_object_set_new(a, "handover", handover);
    json_object_set_new(a, "handed_over", json_string(c->time));
    return all_apps(rec, "handed_over") ? wf_state_name(WF_HANDED_OVER) : NULL;
}

/* on_picture_processed keeps a processed impression picture (impression.c). */
static const char *on_picture_processed(struct apply_ctx *c, json_t *rec)
{
    json_t *pics = json_object_get(rec, "pictures");
    if (pics == NULL)
        json_object_set_new(rec, "pictures", pics = json_array());
    json_t *pic = json_deep_copy(c->data);
    json_object_set_new(pic, "time", json_string(c->time));
    json_array_append_new(pics, pic);
    return NULL;
}

/* on_picture_accepted makes a processed picture the form's, replacing any
 * accepted before for that form. */
static const char *on_picture_accepted(struct apply_ctx *c, json_t *rec)
{
    json_t *acc = json_object_get(rec, "forms_pictures");
    if (acc == NULL)
        json_object_set_new(rec, "forms_pictures", acc = json_array());
    json_t *form = json_object_get(c->data, "form");
    for (size_t i = 0; i < json_array_size(acc); i++)
        if (json_equal(json_object_get(json_array_get(acc, i), "form"), form))
            json_array_remove(acc, i--);
    json_t *a = json_deep_copy(c->data);
    json_object_set_new(a, "accepted", json_string(c->time));
    json_array_append_new(acc, a);
    return NULL;
}

/* on_other: a type of a later version only touches the record. */
static const char *on_other(struct apply_ctx *c, json_t *rec)
{
    (void)c;
    (void)rec;
    return NULL;
}

/* new_record is the record submission.created starts. */
static json_t *new_record(struct apply_ctx *c, const char *id)
{
    uint64_t number = strtoull(id + 1, NULL, 10);
    if (number > store_counter(c->is, "submission"))
        store_batch_counter(c->b, "submission", number);
    return json_pack("{s:s,s:s,s:s,s:s,s:[],s:[],s:i}", "id", id, "state", wf_state_name(WF_DRAFT),
                     "created_by", c->actor != NULL ? c->actor : "", "created", c->time,
                     "materials", "applications", "round", 0);
}

static eseal_rc apply_submission(struct apply_ctx *c, submission_fn change)
{
    const char *id = wf_jstr(c->entry, "submission");
    if (id == NULL)
        return eseal_err_set(c->err, ESEAL_E_INVALID, "%s without a submission id", c->type);
    json_t *rec = NULL;
    eseal_rc rc;
    if (strcmp(c->type, "submission.created") == 0) {
        rec = new_record(c, id);
    } else if ((rc = store_get_json(c->is, CF_SUBMISSIONS, id, &rec, c->err)) != ESEAL_OK) {
        return rc == ESEAL_E_NOTFOUND ? eseal_err_set(c->err, ESEAL_E_INVALID,
                                                      "%s for unknown submission %s", c->type, id)
                                      : rc;
    }
    json_t *old = strcmp(c->type, "submission.created") == 0 ? NULL : json_deep_copy(rec);
    json_object_set_new(rec, "updated", json_string(c->time));
    const char *state = change(c, rec);
    if (c->rc != ESEAL_OK) {
        json_decref(old);
        json_decref(rec);
        return c->rc;
    }
    /* when it entered its state: the work queues' order (index.c) */
    const char *was = wf_jstr(old, "state");
    if (old == NULL || (state != NULL && (was == NULL || strcmp(state, was) != 0)))
        json_object_set_new(rec, "entered", json_string(c->time));
    if (state != NULL)
        json_object_set_new(rec, "state", json_string(state));
    if (json_object_get(c->data, "document") != NULL || old == NULL)
        json_object_set_new(rec, "seal_names", index_seal_names(c->is, rec));
    store_batch_put_json(c->b, CF_SUBMISSIONS, id, rec);
    index_submission(c->is, c->b, old, rec);
    json_decref(old);
    json_decref(rec);
    return ESEAL_OK;
}

/* ---- the rows ------------------------------------------------------------------------ */

/* One row per entry type; a |type| ending in '.' is a prefix that catches
 * the types of its family no row names (later versions'). token.* and
 * staff.* change no record: they are only indexed. */
static const struct projection {
    const char *type;
    submission_fn submission; /* NULL: a seal row */
} rows[] = {
    {"submission.created", on_document},
    {"submission.updated", on_document},
    {"submission.material_added", on_material},
    {"submission.submitted", on_submitted},
    {"submission.resubmitted", on_submitted},
    {"submission.registered", on_registered},
    {"submission.approved", on_approved},
    {"submission.rejected", on_rejected},
    {"submission.collected", on_collected},
    {"application.produced", on_produced},
    {"application.handed_over", on_handed_over},
    {"submission.picture_processed", on_picture_processed},
    {"submission.picture_accepted", on_picture_accepted},
    {"submission.", on_other},
    {"application.", on_other},
    {"seal.", NULL},
};

static const struct projection *row_of(const char *type)
{
    for (size_t i = 0; i < COUNT_OF(rows); i++) {
        size_t n = strlen(rows[i].type);
        bool prefix = rows[i].type[n - 1] == '.';
        if (prefix ? strncmp(type, rows[i].type, n) == 0 : strcmp(type, rows[i].type) == 0)
            return &rows[i];
    }
    return NULL;
}

/* index_entry records |seq| under each subject the entry names. */
static void index_entry(struct eseal_kv_batch *b, uint64_t seq, const char *type,
                        const json_t *entry)
{
    static const char *const subjects[] = {"submission", "seal", "batch"};
    for (size_t i = 0; i < COUNT_OF(subjects); i++) {
        const char *s = wf_jstr(entry, subjects[i]);
        if (s != NULL)
            store_batch_audit(b, s, seq, type);
    }
    /* the account's opaque id; "username" in entries from before ids */
    const json_t *data = json_object_get(entry, "data");
    const char *user =
        wf_jstr(data, "staff") != NULL ? wf_jstr(data, "staff") : wf_jstr(data, "username");
    if (strncmp(type, "staff.", 6) == 0 && user != NULL) {
        char subject[96];
        snprintf(subject, sizeof(subject), "staff:%s", user);
        store_batch_audit(b, subject, seq, type);
    }
}

eseal_rc wf_apply(struct eseal_issuer *is, uint64_t seq, const json_t *entry, struct eseal_err *err)
{
    const char *type = wf_jstr(entry, "type");
    if (type == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "log entry %" PRIu64 " has no type", seq);
    struct apply_ctx c = {
        .is = is,
        .b = eseal_kv_batch_new(is->kv),
        .type = type,
        .entry = entry,
        .data = json_object_get(entry, "data"),
        .time = wf_jstr(entry, "time"),
        .actor = wf_jstr(json_object_get(entry, "actor"), "id"),
        .err = err,
    };
    const struct projection *row = row_of(type);
    eseal_rc rc = ESEAL_OK;
    if (strncmp(type, "batch.", 6) == 0) /* batch.c's records */
        rc = batch_apply(is, c.b, type, entry, err);
    else if (row != NULL)
        rc = row->submission != NULL ? apply_submission(&c, row->submission) : apply_seal(&c);
    if (rc == ESEAL_OK)
        rc = notify_project(is, c.b, seq, type, entry, err);
    if (rc == ESEAL_OK) {
        index_entry(c.b, seq, type, entry);
        store_batch_log_pos(c.b, seq + 1);
        rc = eseal_kv_write(is->kv, c.b, true, err);
    }
    if (rc != ESEAL_OK)
        eseal_err_prefix(err, "applying log entry %" PRIu64 " (%s)", seq, type);
    eseal_kv_batch_free(c.b);
    return rc;
}

static eseal_rc replay_one(void *ctx, uint64_t seq, const uint8_t *data, size_t len,
                           struct eseal_err *err)
{
    struct eseal_issuer *is = ctx;
    json_t *e = eseal_json_load(data, len);
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
    struct eseal_err stopped;
    if (rc != ESEAL_OK && eseal_log_failure(is->log, &stopped) != ESEAL_OK)
        rc = eseal_err_set(err, ESEAL_E_UNAVAILABLE,
                           "事件日志拒绝写入，未做任何更改，须重启签发服务 / the event log refuses "
                           "appends, nothing was changed; restart the issuer: %s",
                           stopped.msg);
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
