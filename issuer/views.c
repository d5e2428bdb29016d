/* views.c — reading: submissions and seals as each role may see them, the
 * audit trail, seal files, and seals as the rules see them. Nothing here
 * changes the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/json.h"
#include "eseal/pki.h"
#include "eseal/seal.h"
#include "region.h"
#include "internal.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- seals as the rules see them ------------------------------------------------- */

const char *wf_seal_status(const json_t *seal, time_t now)
{
    const char *s = wf_jstr(seal, "status");
    if (s == NULL)
        return "unknown";
    json_t *versions = json_object_get(seal, "versions");
    json_t *cur = json_array_get(versions, json_array_size(versions) - 1);
    time_t end = wf_parse_iso(wf_jstr(cur, "valid_end"));
    if ((strcmp(s, "good") == 0 || strcmp(s, "pending") == 0) && end != 0 &&
        end < (now != 0 ? now : time(NULL)))
        return "expired";
    return s;
}

enum eseal_seal_state wf_seal_state(const json_t *seal)
{
    const char *st = wf_seal_status(seal, 0);
    for (int s = ESEAL_SEAL_STATE_GOOD; s <= ESEAL_SEAL_STATE_EXPIRED; s++)
        if (strcmp(st, eseal_seal_state_name((enum eseal_seal_state)s)) == 0)
            return (enum eseal_seal_state)s;
    return ESEAL_SEAL_STATE_REVOKED;
}

json_t *wf_seal_version(json_t *seal, json_int_t v)
{
    size_t i;
    json_t *ver;
    json_array_foreach(json_object_get(seal, "versions"), i, ver)
    {
        if (json_integer_value(json_object_get(ver, "version")) == v)
            return ver;
    }
    return NULL;
}

/* enum_of reads the enum key |key| of |o|; 0 when absent or unknown. */
static int enum_of(enum eseal_enum which, const json_t *o, const char *key)
{
    int v = 0;
    if (wf_jstr(o, key) == NULL || !eseal_form_enum_parse(which, wf_jstr(o, key), &v))
        return 0;
    return v;
}

/* seal_record fills a rules record from a stored seal: its state, validity,
 * token and what it is ("spec", which the projection keeps; project.c). */
static void seal_record(const json_t *seal, struct eseal_seal_record *out)
{
    memset(out, 0, sizeof(*out));
    const json_t *spec = json_object_get(seal, "spec");
    snprintf(out->esid, sizeof(out->esid), "%s",
             wf_jstr(seal, "esid") ? wf_jstr(seal, "esid") : "");
    snprintf(out->name, sizeof(out->name), "%s",
             wf_jstr(spec, "name") ? wf_jstr(spec, "name") : "");
    out->kind = (enum eseal_seal_kind)enum_of(ESEAL_ENUM_SEAL_KIND, seal, "kind");
    out->function = (enum eseal_function)enum_of(ESEAL_ENUM_FUNCTION, spec, "function");
    out->width_mm = json_number_value(json_object_get(spec, "width_mm"));
    out->height_mm = json_number_value(json_object_get(spec, "height_mm"));
    json_t *versions = json_object_get(seal, "versions");
    json_t *cur = json_array_get(versions, json_array_size(versions) - 1);
    snprintf(out->impression, sizeof(out->impression), "%s",
             wf_jstr(cur, "picture_sm3") ? wf_jstr(cur, "picture_sm3") : "");
}

/* each_seal_of calls |fn| with every stored seal of unit |uscc| (borrowed),
 * in code order: a scan of CF_SEALS, a few thousand records. */
static eseal_rc each_seal_of(struct eseal_issuer *is, const char *uscc,
                             void (*fn)(void *ctx, const json_t *seal), void *ctx,
                             struct eseal_err *err)
{
    struct eseal_kv_iter *it = eseal_kv_iter_new(is->kv, CF_SEALS);
    for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t len;
        const uint8_t *v = eseal_kv_iter_value(it, &len);
        json_t *seal = eseal_json_load(v, len);
        const char *u = wf_jstr(seal, "uscc");
        if (u != NULL && uscc != NULL && strcmp(u, uscc) == 0)
            fn(ctx, seal);
        json_decref(seal);
    }
    eseal_rc rc = eseal_kv_iter_status(it, err);
    eseal_kv_iter_free(it);
    return rc;
}

struct records {
    struct eseal_seal_record *list;
    size_t n;
};

static void add_record(void *ctx, const json_t *seal)
{
    struct records *r = ctx;
    r->list = eseal_xrealloc(r->list, (r->n + 1) * sizeof(*r->list));
    wf_seal_lookup_json(seal, &r->list[r->n++]);
}

eseal_rc wf_seal_list(void *ctx, const char *uscc, struct eseal_seal_record **out, size_t *n,
                      struct eseal_err *err)
{
    struct records r = {NULL, 0};
    eseal_rc rc = each_seal_of(ctx, uscc, add_record, &r, err);
    if (rc != ESEAL_OK) {
        free(r.list);
        r.list = NULL;
        r.n = 0;
    }
    *out = r.list;
    *n = r.n;
    return rc;
}

eseal_rc wf_seal_lookup(void *ctx, const char *esid, struct eseal_seal_record *out,
                        struct eseal_err *err)
{
    struct eseal_issuer *is = ctx;
    json_t *seal = NULL;
    eseal_rc rc = store_get_json(is, CF_SEALS, esid, &seal, err);
    if (rc != ESEAL_OK)
        return rc;
    wf_seal_lookup_json(seal, out);
    json_decref(seal);
    return ESEAL_OK;
}

void wf_seal_lookup_json(const json_t *seal, struct eseal_seal_record *out)
{
    seal_record(seal, out);
    snprintf(out->uscc, sizeof(out->uscc), "%s",
             wf_jstr(seal, "uscc") ? wf_jstr(seal, "uscc") : "");
    out->state = wf_seal_state(seal);
    json_t *versions = json_object_get(seal, "versions");
    json_t *cur = json_array_get(versions, json_array_size(versions) - 1);
    out->valid_end = wf_parse_iso(wf_jstr(cur, "valid_end"));
    int ct = 0;
    if (wf_jstr(seal, "cert_type") != NULL &&
        eseal_form_enum_parse(ESEAL_ENUM_CERT_TYPE, wf_jstr(seal, "cert_type"), &ct))
        out->cert_type = (enum eseal_cert_type)ct;
    snprintf(out->token_id, sizeof(out->token_id), "%s",
             wf_jstr(seal, "token_id") ? wf_jstr(seal, "token_id") : "");
}

/* ---- submissions ------------------------------------------------------------- */

/* add_business_name adds the business type's Chinese name (business.c) for
 * people, beside the key for machines. */
static void add_business_name(json_t *v, const json_t *rec)
{
    const struct business_type *t = business_type_find(wf_jstr(rec, "business"));
    if (t != NULL)
        json_object_set_new(v, "business_name", json_string(t->name_zh));
}

json_t *wf_submission_summary(const json_t *rec)
{
    static const char *const keys[] = {"id",         "state",   "business", "unit",
                                       "filed_city", "created", "updated",  "seal_names"};
    json_t *v = json_object();
    for (size_t i = 0; i < COUNT_OF(keys); i++)
        json_object_set(v, keys[i], json_object_get(rec, keys[i]));
    json_object_set_new(v, "entered", json_string(index_entered(rec)));
    add_business_name(v, rec);
    return v;
}

/* doc_refers tells whether the document |doc| names material |sm3|. */
static bool doc_refers(const struct eseal_submission *doc, const char *sm3)
{
    const char *top[] = {doc->letter.material,
                         doc->summary != NULL ? doc->summary->material : NULL};
    for (size_t i = 0; i < COUNT_OF(top); i++)
        if (top[i] != NULL && strcmp(top[i], sm3) == 0)
            return true;
    for (size_t i = 0; i < doc->n_forms; i++) {
        const struct eseal_form *f = &doc->forms[i];
        const char *refs[] = {f->material, f->impression, f->csr};
        for (size_t k = 0; k < COUNT_OF(refs); k++)
            if (refs[k] != NULL && strcmp(refs[k], sm3) == 0)
                return true;
        for (size_t k = 0; k < f->n_special; k++)
            if (f->special[k].justification != NULL &&
                strcmp(f->special[k].justification, sm3) == 0)
                return true;
    }
    return false;
}

/* mark_current marks each material the current document refers to. */
static void mark_current(json_t *v, const struct eseal_submission *doc)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(v, "materials"), i, m)
    {
        const char *sm3 = wf_jstr(m, "sm3");
        json_object_set_new(m, "current", json_boolean(sm3 != NULL && doc_refers(doc, sm3)));
    }
}

/* staff_names returns, for an admin only, a new object mapping every
 * account's opaque staff id to its username, so an admin's view can say
 * who acted (the log and everyone else see the id only, #17); NULL for
 * anyone else or when the accounts cannot be read. */
static json_t *staff_names(struct eseal_issuer *is, const struct eseal_staff_principal *who)
{
    if (who->role != ESEAL_ROLE_ADMIN)
        return NULL;
    struct eseal_staff_account *list = NULL;
    size_t n = 0;
    struct eseal_err e;
    if (eseal_staff_list(&is->staff, &list, &n, &e) != ESEAL_OK)
        return NULL;
    json_t *names = json_object();
    for (size_t i = 0; i < n; i++)
        if (list[i].id[0] != '\0')
            json_object_set_new(names, list[i].id, json_string(list[i].username));
    free(list);
    return names;
}

json_t *wf_submission_view(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                           const json_t *rec)
{
    json_t *v = json_deep_copy(rec);
    add_business_name(v, rec);
    struct eseal_submission *doc = NULL;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    if (wf_load_doc(is, rec, &doc, &p) == ESEAL_OK) {
        json_object_set_new(v, "submission", eseal_submission_to_json(doc));
        mark_current(v, doc);
        json_object_set_new(v, "paper_required", paper_required(doc));
        json_object_set_new(v, "paper_missing", paper_missing(doc, json_object_get(rec, "paper")));
        struct wf_rules_run r;
        if (wf_rules_run(is, &r, rec, doc, json_object_get(rec, "onsite"),
                         json_object_get(rec, "acknowledged"), &p) == ESEAL_OK)
            json_object_set_new(v, "check", eseal_rules_result_json(&r.res));
        wf_rules_done(&r);
    }
    eseal_submission_free(doc);
    eseal_issuer_problem_cleanup(&p);
    /* unlock codes go only to those who may take the seal file */
    bool codes = eseal_staff_allowed(who->role, ESEAL_ACTION_SEAL_DOWNLOAD);
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(v, "applications"), i, a)
    {
        const char *code = wf_jstr(a, "unlock_code");
        struct eseal_buf pem;
        eseal_buf_init(&pem);
        if (codes && code != NULL && store_artefact_get(is, code, &pem, NULL) == ESEAL_OK)
            json_object_set_new(a, "unlock_code_pem",
                                json_stringn((const char *)pem.data, pem.len));
        eseal_buf_cleanup(&pem);
    }
    json_object_set_new(v, "log", store_audit_seqs(is, wf_jstr(rec, "id")));
    json_t *names = staff_names(is, who);
    if (names != NULL)
        json_object_set_new(v, "staff_names", names);
    return v;
}

eseal_rc eseal_issuer_submission_get(struct eseal_issuer *is,
                                     const struct eseal_staff_principal *who, const char *id,
                                     json_t **view, struct eseal_issuer_problem *p)
{
    eseal_rc rc = wf_require(who, ESEAL_ACTION_SUBMISSION_GET, p);
    if (rc != ESEAL_OK)
        return rc;
    json_t *rec = NULL;
    rc = wf_load_visible(is, who, id, &rec, p);
    if (rc == ESEAL_OK)
        *view = wf_submission_view(is, who, rec);
    json_decref(rec);
    return rc;
}

eseal_rc eseal_issuer_submission_list(struct eseal_issuer *is,
                                      const struct eseal_staff_principal *who, const char *state,
                                      json_t **view, struct eseal_issuer_problem *p)
{
    eseal_rc rc = wf_require(who, ESEAL_ACTION_SUBMISSION_LIST, p);
    if (rc != ESEAL_OK)
        return rc;
    enum wf_state want;
    if (state != NULL && !wf_state_parse(state, &want))
        return prob_set(p, ESEAL_E_INVALID, "state", "未知状态 / unknown state \"%.40s\"", state);
    json_t *list = json_array();
    struct eseal_kv_iter *it = eseal_kv_iter_new(is->kv, CF_SUBMISSIONS);
    for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t len;
        const uint8_t *v = eseal_kv_iter_value(it, &len);
        json_t *rec = eseal_json_load(v, len);
        if (rec != NULL && wf_visible(who, rec) &&
            (state == NULL || strcmp(state, wf_jstr(rec, "state")) == 0))
            json_array_append_new(list, wf_submission_summary(rec));
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

/* read_entries reads back from the log the entries of submission |id| the
 * caller may see (|action|: who may ask) into *entries. */
static eseal_rc read_entries(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                             enum eseal_staff_action action, const char *id, json_t **entries,
                             struct eseal_issuer_problem *p)
{
    eseal_rc rc = wf_require(who, action, p);
    if (rc != ESEAL_OK)
        return rc;
    json_t *rec = NULL;
    rc = wf_load_visible(is, who, id, &rec, p);
    json_decref(rec);
    if (rc != ESEAL_OK)
        return rc;
    json_t *seqs = store_audit_seqs(is, id);
    json_t *list = json_array();
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
            json_array_append_new(list, eseal_json_load(b.data, b.len));
    }
    eseal_buf_cleanup(&b);
    json_decref(seqs);
    if (rc != ESEAL_OK) {
        json_decref(list);
        return prob_from(p, &e, NULL);
    }
    *entries = list;
    return ESEAL_OK;
}

eseal_rc eseal_issuer_submission_audit(struct eseal_issuer *is,
                                       const struct eseal_staff_principal *who, const char *id,
                                       json_t **view, struct eseal_issuer_problem *p)
{
    json_t *entries = NULL;
    eseal_rc rc = read_entries(is, who, ESEAL_ACTION_AUDIT_READ, id, &entries, p);
    if (rc == ESEAL_OK) {
        *view = json_pack("{s:s,s:o}", "submission", id, "entries", entries);
        json_t *names = staff_names(is, who);
        if (names != NULL)
            json_object_set_new(*view, "staff_names", names);
    }
    return rc;
}

/* history_event is the part of a log entry a timeline shows: what happened,
 * when, in which round, by which role; the actor's opaque staff id for
 * staff callers only (a unit sees that "the centre" acted, not who), and
 * for admins (|names| not NULL) the account's username too. */
static json_t *history_event(const json_t *entry, bool staff, const json_t *names)
{
    const json_t *actor = json_object_get(entry, "actor");
    const json_t *data = json_object_get(entry, "data");
    json_t *ev = json_pack("{s:O,s:O,s:O,s:s}", "seq", json_object_get(entry, "seq"), "type",
                           json_object_get(entry, "type"), "time", json_object_get(entry, "time"),
                           "role", wf_jstr(actor, "role"));
    const char *by = wf_jstr(actor, "id");
    if (staff && by != NULL) {
        json_object_set_new(ev, "by", json_string(by));
        if (json_is_string(json_object_get(names, by)))
            json_object_set(ev, "username", json_object_get(names, by));
    }
    static const char *const keep[] = {"round",  "kind",    "esid",  "form",
                                       "reason", "verdict", "count", "business"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (json_object_get(data, keep[i]) != NULL)
            json_object_set(ev, keep[i], json_object_get(data, keep[i]));
    if (json_is_string(json_object_get(entry, "application")))
        json_object_set(ev, "application", json_object_get(entry, "application"));
    return ev;
}

eseal_rc eseal_issuer_submission_history(struct eseal_issuer *is,
                                         const struct eseal_staff_principal *who, const char *id,
                                         json_t **view, struct eseal_issuer_problem *p)
{
    json_t *entries = NULL;
    eseal_rc rc = read_entries(is, who, ESEAL_ACTION_SUBMISSION_GET, id, &entries, p);
    if (rc != ESEAL_OK)
        return rc;
    bool staff = who->role == ESEAL_ROLE_MAKER || who->role == ESEAL_ROLE_REVIEWER ||
                 who->role == ESEAL_ROLE_ADMIN;
    json_t *events = json_array();
    json_t *names = staff_names(is, who);
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) json_array_append_new(events, history_event(e, staff, names));
    json_decref(names);
    json_decref(entries);
    *view = json_pack("{s:s,s:o}", "submission", id, "events", events);
    return ESEAL_OK;
}

/* ---- seals ----------------------------------------------------------------------------- */

json_t *wf_seal_view(struct eseal_issuer *is, const json_t *seal)
{
    json_t *v = json_deep_copy(seal);
    json_object_set_new(v, "status", json_string(wf_seal_status(seal, 0)));
    json_object_set_new(v, "log", store_audit_seqs(is, wf_jstr(seal, "esid")));
    return v;
}

/* The seal events a person reads in a seal's history. */
static const struct eseal_label seal_events[] = {
    {"seal.issued", "已制作", "produced"},
    {"seal.activated", "已交付，启用", "handed over: good"},
    {"seal.suspended", "已挂失暂停", "suspended"},
    {"seal.reinstated", "已恢复", "reinstated"},
    {"seal.revoked", "已撤销", "revoked"},
    {"seal.renewed", "已延期", "renewed"},
    {"seal.changed", "已变更", "changed"},
    {"seal.reissued", "已补办", "reissued"},
    {"seal.expired", "已过期", "expired"},
    {"token.unlocked", "已解锁", "unlocked"},
};

/* history_line is one log entry about the seal as its history shows it. */
static json_t *history_line(uint64_t seq, const json_t *e)
{
    const char *type = wf_jstr(e, "type");
    const json_t *d = json_object_get(e, "data");
    json_t *h = json_pack("{s:I,s:s?,s:s?,s:s?,s:O?}", "seq", (json_int_t)seq, "type", type, "time",
                          wf_jstr(e, "time"), "submission", wf_jstr(e, "submission"), "version",
                          json_object_get(d, "version"));
    for (size_t i = 0; type != NULL && i < COUNT_OF(seal_events); i++)
        if (strcmp(seal_events[i].key, type) == 0) {
            char label[96];
            snprintf(label, sizeof(label), "%s / %s", seal_events[i].zh, seal_events[i].en);
            json_object_set_new(h, "label", json_string(label));
        }
    static const char *const keys[] = {"status", "reason", "invalidity_date", "replaces"};
    for (size_t i = 0; i < COUNT_OF(keys); i++)
        if (json_is_string(json_object_get(d, keys[i])))
            json_object_set(h, keys[i], json_object_get(d, keys[i]));
    return h;
}

/* seal_history adds "history" (the seal's log entries in order, from the
 * audit index) to the view, and to each version when it was made and by
 * which submission (the first entry that names the version). */
static void seal_history(struct eseal_issuer *is, json_t *view)
{
    json_t *seqs = store_audit_seqs(is, wf_jstr(view, "esid"));
    json_t *history = json_array();
    struct eseal_buf b;
    eseal_buf_init(&b);
    size_t i;
    json_t *s;
    json_array_foreach(seqs, i, s)
    {
        uint64_t seq = (uint64_t)json_integer_value(s);
        if (eseal_log_entry(is->log, seq, &b, NULL) != ESEAL_OK)
            continue;
        json_t *e = eseal_json_load(b.data, b.len);
        const char *type = wf_jstr(e, "type");
        if (type == NULL || (strncmp(type, "seal.", 5) != 0 && strncmp(type, "token.", 6) != 0)) {
            json_decref(e); /* the application.* entries are the submission's story */
            continue;
        }
        json_t *h = history_line(seq, e);
        json_t *ver = wf_seal_version(view, json_integer_value(json_object_get(h, "version")));
        if (ver != NULL && json_object_get(ver, "made") == NULL) {
            json_object_set(ver, "made", json_object_get(h, "time"));
            json_object_set(ver, "submission", json_object_get(h, "submission"));
        }
        json_array_append_new(history, h);
        json_decref(e);
    }
    eseal_buf_cleanup(&b);
    json_decref(seqs);
    json_object_set_new(view, "history", history);
}

eseal_rc eseal_issuer_seal_get(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                               const char *esid, json_t **view, struct eseal_issuer_problem *p)
{
    eseal_rc rc = wf_require(who, ESEAL_ACTION_SEAL_GET, p);
    json_t *seal = NULL;
    if (rc == ESEAL_OK)
        rc = wf_seal_visible(is, who, esid, &seal, p);
    if (rc == ESEAL_OK) {
        *view = wf_seal_view(is, seal);
        seal_history(is, *view);
    }
    json_decref(seal);
    return rc;
}

/* seal_line is a seal's line in a unit's list. */
static json_t *seal_line(const json_t *seal)
{
    const json_t *spec = json_object_get(seal, "spec");
    json_t *versions = json_object_get(seal, "versions");
    json_t *cur = json_array_get(versions, json_array_size(versions) - 1);
    json_t *v = json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:s,s:O?,s:s?,s:s?}", "esid",
                          wf_jstr(seal, "esid"), "name", wf_jstr(spec, "name"), "kind",
                          wf_jstr(seal, "kind"), "function", wf_jstr(spec, "function"), "cert_type",
                          wf_jstr(seal, "cert_type"), "status", wf_seal_status(seal, 0), "version",
                          json_object_get(seal, "version"), "valid_start",
                          wf_jstr(cur, "valid_start"), "valid_end", wf_jstr(cur, "valid_end"));
    static const char *const sizes[] = {"width_mm", "height_mm"};
    for (size_t i = 0; i < COUNT_OF(sizes); i++)
        if (json_object_get(spec, sizes[i]) != NULL)
            json_object_set(v, sizes[i], json_object_get(spec, sizes[i]));
    return v;
}

struct seal_lines {
    const struct eseal_staff_principal *who;
    json_t *list;
};

/* add_line adds the seal's line when the caller may see the seal. */
static void add_line(void *ctx, const json_t *seal)
{
    struct seal_lines *l = ctx;
    if (eseal_staff_can_see_submission(l->who, wf_jstr(seal, "uscc"), wf_jstr(seal, "city")))
        json_array_append_new(l->list, seal_line(seal));
}

eseal_rc eseal_issuer_seal_list(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                const char *uscc, json_t **view, struct eseal_issuer_problem *p)
{
    eseal_rc rc = wf_require(who, ESEAL_ACTION_SEAL_GET, p);
    if (rc != ESEAL_OK)
        return rc;
    if (uscc == NULL || uscc[0] == '\0' || strlen(uscc) > 32)
        return prob_set(p, ESEAL_E_INVALID, "uscc",
                        "须给出单位的统一社会信用代码 / the unit's USCC (?uscc=) is required");
    struct seal_lines lines = {who, json_array()};
    struct eseal_err e;
    eseal_err_clear(&e);
    rc = each_seal_of(is, uscc, add_line, &lines, &e);
    if (rc != ESEAL_OK) {
        json_decref(lines.list);
        return prob_from(p, &e, NULL);
    }
    json_t *list = lines.list;
    *view = json_pack("{s:s,s:o}", "uscc", uscc, "seals", list);
    return ESEAL_OK;
}

/* seal_esl copies the seal file (DER) of version |vno| of |seal| (0: the
 * latest) into |out|: only the version's seal_sm3 is ever looked up, so
 * no other artefact can come out of here. */
static eseal_rc seal_esl(struct eseal_issuer *is, json_t *seal, json_int_t vno,
                         struct eseal_buf *out, struct eseal_err *e)
{
    json_t *versions = json_object_get(seal, "versions");
    json_t *ver = vno == 0 ? json_array_get(versions, json_array_size(versions) - 1)
                           : wf_seal_version(seal, vno);
    const char *sm3 = wf_jstr(ver, "seal_sm3");
    if (sm3 == NULL)
        return eseal_err_set(e, ESEAL_E_NOTFOUND, "seal %s has no version %lld",
                             wf_jstr(seal, "esid"), (long long)vno);
    return store_artefact_get(is, sm3, out, e);
}

eseal_rc eseal_issuer_seal_public(struct eseal_issuer *is, const char *esid, long long version,
                                  struct eseal_buf *out, struct eseal_issuer_problem *p)
{
    struct eseal_staff_principal anyone;
    memset(&anyone, 0, sizeof(anyone));
    eseal_rc rc = wf_require(&anyone, ESEAL_ACTION_SEAL_PUBLIC, p);
    if (rc != ESEAL_OK)
        return rc;
    if (version < 1)
        return prob_set(p, ESEAL_E_NOTFOUND, NULL, "没有该印章版本 / no seal %.20s version %lld",
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
        return prob_set(p, rc, NULL, "没有该印章版本 / no seal %.20s version %lld",
                        esid != NULL ? esid : "", version);
    return rc == ESEAL_OK ? ESEAL_OK : prob_from(p, &e, NULL);
}

eseal_rc eseal_issuer_seal_file(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                const char *esid, enum eseal_issuer_seal_file which,
                                struct eseal_buf *out, struct eseal_issuer_problem *p)
{
    eseal_rc rc = wf_require(
        who, which == ESEAL_ISSUER_SEAL_ESL ? ESEAL_ACTION_SEAL_DOWNLOAD : ESEAL_ACTION_SEAL_GET,
        p);
    json_t *seal = NULL;
    if (rc == ESEAL_OK)
        rc = wf_seal_visible(is, who, esid, &seal, p);
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
            rc = store_artefact_get(is, wf_jstr(cur, "cert_sm3"), &der, &e);
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

eseal_rc eseal_issuer_seal_picture(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const char *esid, long long version, struct eseal_buf *out,
                                   const char **content_type, struct eseal_issuer_problem *p)
{
    json_t *seal = NULL;
    eseal_rc rc = wf_require(who, ESEAL_ACTION_SEAL_GET, p);
    if (rc == ESEAL_OK)
        rc = wf_seal_visible(is, who, esid, &seal, p);
    if (rc != ESEAL_OK)
        return rc;
    /* the picture as the seal file carries it: the bytes relying parties see */
    struct eseal_buf der;
    eseal_buf_init(&der);
    struct eseal_err e;
    eseal_err_clear(&e);
    struct eseal_seal *parsed = NULL;
    rc = seal_esl(is, seal, (json_int_t)version, &der, &e);
    if (rc == ESEAL_OK)
        rc = eseal_seal_parse(&parsed, der.data, der.len, &e);
    if (rc == ESEAL_OK) {
        const struct eseal_seal_info *info = eseal_seal_info(parsed);
        eseal_buf_reset(out);
        eseal_buf_append(out, info->picture, info->picture_len);
        enum eseal_content_type t = eseal_content_detect(info->picture, info->picture_len);
        *content_type =
            t != ESEAL_CONTENT_UNKNOWN ? eseal_content_mime(t) : "application/octet-stream";
    }
    eseal_seal_free(parsed);
    eseal_buf_cleanup(&der);
    json_decref(seal);
    if (rc == ESEAL_E_NOTFOUND)
        return prob_set(p, rc, NULL, "没有该印章版本 / no seal %.20s version %lld", esid, version);
    return rc == ESEAL_OK ? ESEAL_OK : prob_from(p, &e, NULL);
}

/* ---- materials -------------------------------------------------------------------- */

/* find_material returns the kind key of the material |sm3| of the record:
 * one the applicant uploaded, or one the maker took at a handover (the
 * introduction letter and the ID copy). NULL when the record has none. */
static const char *find_material(const json_t *rec, const char *sm3)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(rec, "materials"), i, m)
    {
        const char *s = wf_jstr(m, "sm3");
        if (s != NULL && strcmp(s, sm3) == 0)
            return wf_jstr(m, "kind");
    }
    static const char *const taken[] = {"introduction_letter", "id_copy"};
    json_array_foreach(json_object_get(rec, "applications"), i, m)
    {
        json_t *h = json_object_get(m, "handover");
        for (size_t k = 0; k < COUNT_OF(taken); k++) {
            const char *s = wf_jstr(h, taken[k]);
            if (s != NULL && strcmp(s, sm3) == 0)
                return taken[k];
        }
    }
    return NULL;
}

/* find_picture returns "picture" or "impression_scan" when |sm3| is a
 * picture processed for the record, or its scan (kept as artefacts). */
static const char *find_picture(const json_t *rec, const char *sm3)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(rec, "pictures"), i, m)
    {
        const char *pic = wf_jstr(m, "sm3"), *scan = wf_jstr(m, "scan_sm3");
        if (pic != NULL && strcmp(sm3, pic) == 0)
            return "picture";
        if (scan != NULL && strcmp(sm3, scan) == 0)
            return "impression_scan";
    }
    return NULL;
}

/* batch_material: the summary table of the submission's batch is one of
 * its materials too (its rows are the submission's forms). */
static const char *batch_material(struct eseal_issuer *is, const json_t *rec, const char *sm3)
{
    const char *id = wf_jstr(rec, "batch");
    json_t *b = NULL;
    if (id == NULL || store_get_json(is, CF_BATCHES, id, &b, NULL) != ESEAL_OK)
        return NULL;
    const char *s = wf_jstr(json_object_get(b, "summary"), "material");
    bool yes = s != NULL && strcmp(s, sm3) == 0;
    json_decref(b);
    return yes ? "summary_table" : NULL;
}

eseal_rc eseal_issuer_submission_material(struct eseal_issuer *is,
                                          const struct eseal_staff_principal *who, const char *id,
                                          const char *sm3, struct eseal_buf *out,
                                          const char **content_type, const char **kind,
                                          struct eseal_issuer_problem *p)
{
    json_t *rec = NULL;
    eseal_rc rc = wf_require(who, ESEAL_ACTION_SUBMISSION_GET, p);
    if (rc == ESEAL_OK)
        rc = wf_load_visible(is, who, id, &rec, p);
    const char *k = rc == ESEAL_OK ? find_material(rec, sm3) : NULL;
    if (rc == ESEAL_OK && k == NULL)
        k = batch_material(is, rec, sm3);
    const char *pic = rc == ESEAL_OK && k == NULL ? find_picture(rec, sm3) : NULL;
    if (rc == ESEAL_OK && k == NULL && pic == NULL)
        rc = prob_set(p, ESEAL_E_NOTFOUND, NULL,
                      "申报 %s 没有材料 %.64s / submission %s has no "
                      "material %.64s",
                      id, sm3, id, sm3);
    struct eseal_err e;
    eseal_err_clear(&e);
    if (rc == ESEAL_OK && (rc = pic != NULL ? store_artefact_get(is, sm3, out, &e)
                                            : eseal_blob_get(is->blob, sm3, out, &e)) != ESEAL_OK)
        prob_from(p, &e, NULL);
    if (rc == ESEAL_OK) {
        int kv = 0;
        eseal_form_enum_parse(ESEAL_ENUM_MATERIAL, k, &kv);
        *kind = pic != NULL ? pic : eseal_form_key(ESEAL_ENUM_MATERIAL, kv);
        *content_type = eseal_content_mime(eseal_content_detect(out->data, out->len));
    }
    json_decref(rec);
    return rc;
}
