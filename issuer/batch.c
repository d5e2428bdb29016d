/* batch.c — an aggregator's batches (批次): a city's aggregator collects its
 * units' submissions of one business type, attaches one summary table whose
 * rows come from all of them, and submits them to the centre together. The
 * centre then registers and reviews the batch or its items one by one.
 * Records live in CF_BATCHES and, like everything else, come from the log
 * (batch.* entries, applied by batch_apply). docs/issuer-domain.md,
 * "Channels", has the rules. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/sm.h"
#include "internal.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define BATCH_ITEMS_MAX ESEAL_FORMS_MAX

static const char *const batch_state_names[BATCH_STATE_COUNT] = {
    [BATCH_OPEN] = "open",
    [BATCH_SUBMITTED] = "submitted",
};

/* batch_id_ok: "B" and 8 digits. */
static bool batch_id_ok(const char *id)
{
    return id != NULL && id[0] == 'B' && strlen(id) == 9 && strspn(id + 1, "0123456789") == 8;
}

static bool batch_visible(const struct eseal_staff_principal *who, const json_t *b)
{
    return who->role != ESEAL_ROLE_AGENT &&
           eseal_staff_can_see_submission(who, NULL, wf_jstr(b, "city"));
}

eseal_rc batch_load(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                    const char *id, json_t **rec, struct eseal_issuer_problem *p)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = batch_id_ok(id) ? store_get_json(is, CF_BATCHES, id, rec, &e) : ESEAL_E_NOTFOUND;
    if (rc == ESEAL_OK && !batch_visible(who, *rec)) {
        json_decref(*rec);
        *rec = NULL;
        rc = ESEAL_E_NOTFOUND;
    }
    if (rc == ESEAL_E_NOTFOUND)
        return prob_set(p, rc, NULL, "没有批次 %.40s / no batch %.40s", id != NULL ? id : "",
                        id != NULL ? id : "");
    return rc == ESEAL_OK ? ESEAL_OK : prob_from(p, &e, NULL);
}

eseal_rc batch_load_subject(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                            const char *id, unsigned from, const char *doing, json_t **rec,
                            struct eseal_issuer_problem *p)
{
    eseal_rc rc = batch_load(is, who, id, rec, p);
    if (rc != ESEAL_OK)
        return rc;
    const char *state = wf_jstr(*rec, "state");
    for (unsigned s = 0; s < BATCH_STATE_COUNT; s++)
        if ((from & (1u << s)) != 0 && strcmp(batch_state_names[s], state) == 0)
            return ESEAL_OK;
    return prob_set(p, ESEAL_E_CONFLICT, NULL,
                    "批次 %s 已报送，不能再修改 / batch %s is %s: %s needs an open batch", id, id,
                    state, doing);
}

json_t *batch_view(struct eseal_issuer *is, const json_t *rec)
{
    json_t *v = json_deep_copy(rec);
    json_t *items = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(json_object_get(rec, "items"), i, id)
    {
        json_t *sub = NULL;
        if (store_get_json(is, CF_SUBMISSIONS, json_string_value(id), &sub, NULL) != ESEAL_OK)
            continue;
        json_array_append_new(items, json_pack("{s:O,s:O,s:O,s:O}", "id", id, "state",
                                               json_object_get(sub, "state"), "unit",
                                               json_object_get(sub, "unit"), "forms",
                                               json_object_get(sub, "forms")));
        json_decref(sub);
    }
    json_object_set_new(v, "items", items);
    json_object_set_new(v, "log", store_audit_seqs(is, wf_jstr(rec, "id")));
    return v;
}

/* batch_event is wf_event about batch |id| (and submission |sub|, may be NULL). */
static json_t *batch_event(const char *type, const struct eseal_staff_principal *who,
                           const char *id, const char *sub, json_t *data)
{
    json_t *e = wf_event(type, who, sub, NULL, NULL, data);
    json_object_set_new(e, "batch", json_string(id));
    return e;
}

eseal_rc batch_create(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                      const json_t *body, json_t *entries, char id[16],
                      struct eseal_issuer_problem *p)
{
    static const char *const keys[] = {"business", NULL};
    eseal_rc rc = json_check_keys(body, keys, "", p);
    if (rc != ESEAL_OK)
        return rc;
    const char *business = wf_jstr(body, "business");
    if (business_type_find(business) == NULL)
        return prob_set(p, ESEAL_E_INVALID, "business",
                        "business 须为业务类型（apply, renew, change, revoke, reissue, unlock）/ "
                        "business must be a business type (apply, renew, change, revoke, "
                        "reissue, unlock)");
    snprintf(id, 16, "B%08" PRIu64, store_counter(is, "batch") + 1);
    json_array_append_new(
        entries, batch_event("batch.created", who, id, NULL,
                             json_pack("{s:s,s:s}", "business", business, "city", who->city)));
    return ESEAL_OK;
}

static bool has_item(const json_t *b, const char *sub)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(b, "items"), i, v)
    {
        if (strcmp(json_string_value(v), sub) == 0)
            return true;
    }
    return false;
}

eseal_rc batch_add(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                   const json_t *batch, const json_t *body, json_t *entries,
                   struct eseal_issuer_problem *p)
{
    static const char *const keys[] = {"submission", NULL};
    eseal_rc rc = json_check_keys(body, keys, "", p);
    if (rc != ESEAL_OK)
        return rc;
    const char *id = wf_jstr(batch, "id"), *sid = wf_jstr(body, "submission");
    json_t *sub = NULL;
    if (sid == NULL)
        return prob_set(p, ESEAL_E_INVALID, "submission",
                        "submission 须为申报编号 / submission must be a submission id");
    if (json_array_size(json_object_get(batch, "items")) >= BATCH_ITEMS_MAX)
        return prob_set(p, ESEAL_E_TOOBIG, "submission",
                        "批次至多 %d 个申报 / a batch holds at most %d submissions",
                        BATCH_ITEMS_MAX, BATCH_ITEMS_MAX);
    if ((rc = wf_load_visible(is, who, sid, &sub, p)) != ESEAL_OK)
        return rc;
    const char *in = wf_jstr(sub, "batch"), *state = wf_jstr(sub, "state");
    if (has_item(batch, sid) || in != NULL)
        rc = prob_set(p, ESEAL_E_CONFLICT, "submission",
                      "申报 %s 已在批次 %s 中 / submission %s is already in batch %s", sid,
                      in != NULL ? in : id, sid, in != NULL ? in : id);
    else if (strcmp(state, wf_state_name(WF_COLLECTED)) != 0)
        rc = prob_set(p, ESEAL_E_CONFLICT, "submission",
                      "申报 %s 尚未由单位报送汇总单位（状态 %s）/ submission %s has not been "
                      "submitted to the aggregator by its unit (it is %s)",
                      sid, state, sid, state);
    else if (strcmp(wf_jstr(sub, "business"), wf_jstr(batch, "business")) != 0)
        rc = prob_set(p, ESEAL_E_CONFLICT, "submission",
                      "批次只收一种业务类型：申报 %s 是 %s，批次是 %s / a batch holds one "
                      "business type: submission %s is %s, the batch %s",
                      sid, wf_jstr(sub, "business"), wf_jstr(batch, "business"), sid,
                      wf_jstr(sub, "business"), wf_jstr(batch, "business"));
    if (rc == ESEAL_OK)
        json_array_append_new(entries, batch_event("batch.item_added", who, id, sid,
                                                   json_pack("{s:s}", "submission", sid)));
    json_decref(sub);
    return rc;
}

/* upload_of returns the part named |name| of the uploads, or NULL. */
static const struct eseal_issuer_upload *upload_of(const struct eseal_issuer_upload *up, size_t n,
                                                   const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (up[i].kind != NULL && strcmp(up[i].kind, name) == 0)
            return &up[i];
    return NULL;
}

/* summary_doc reads the "rows" part as the summary table of the file
 * |sm3|, through the submission parser (the same rows a submission's
 * summary_table has). *out is {"summary_table":{material, rows}}. */
static eseal_rc summary_doc(const struct eseal_issuer_upload *rows, const char *sm3, json_t **out,
                            struct eseal_issuer_problem *p)
{
    json_error_t je;
    json_t *r = json_loadb((const char *)rows->data, rows->len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_array(r) || json_array_size(r) == 0 || json_array_size(r) > ESEAL_FORMS_MAX) {
        json_decref(r);
        return prob_set(p, ESEAL_E_INVALID, "rows",
                        "rows 须为 1 到 %d 行的 JSON 数组 / rows must be a JSON array of 1 to %d "
                        "rows",
                        ESEAL_FORMS_MAX, ESEAL_FORMS_MAX);
    }
    *out = json_pack("{s:{s:s,s:o}}", "summary_table", "material", sm3, "rows", r);
    struct eseal_submission *doc = NULL;
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = eseal_submission_from_json(&doc, *out, &e);
    eseal_submission_free(doc);
    if (rc != ESEAL_OK) {
        json_decref(*out);
        *out = NULL;
        return prob_from(p, &e, "rows");
    }
    return ESEAL_OK;
}

eseal_rc batch_summary(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                       const json_t *batch, const struct eseal_issuer_upload *up, size_t n,
                       json_t *entries, struct eseal_issuer_problem *p)
{
    const struct eseal_issuer_upload *file = upload_of(up, n, "summary_table");
    const struct eseal_issuer_upload *rows = upload_of(up, n, "rows");
    if (n != 2 || file == NULL || rows == NULL)
        return prob_set(
            p, ESEAL_E_INVALID, file == NULL ? "summary_table" : "rows",
            "须上传两部分：summary_table（汇总表文件）和 rows（其各行，JSON）/ two parts "
            "are needed: summary_table (the table's file) and rows (its rows, JSON)");
    struct eseal_material_ref ref;
    enum eseal_content_type ct;
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc =
        eseal_material_check(ESEAL_MATERIAL_SUMMARY_TABLE, file->data, file->len, NULL, &e);
    if (rc != ESEAL_OK)
        return prob_from(p, &e, "summary_table");
    json_t *doc = NULL;
    char sm3_file[ESEAL_SM3_HEX_LEN + 1], sm3_doc[ESEAL_SM3_HEX_LEN + 1];
    char *hex = eseal_sm3_hex(file->data, file->len);
    snprintf(sm3_file, sizeof(sm3_file), "%s", hex);
    free(hex);
    if ((rc = summary_doc(rows, sm3_file, &doc, p)) != ESEAL_OK)
        return rc;
    rc = eseal_blob_put(is->blob, ESEAL_MATERIAL_SUMMARY_TABLE, file->data, file->len, &ref, &ct,
                        &e);
    char *text = rc == ESEAL_OK ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (rc == ESEAL_OK)
        rc = store_artefact_put(is, text, strlen(text), sm3_doc, &e);
    free(text);
    if (rc != ESEAL_OK) {
        json_decref(doc);
        return prob_from(p, &e, "summary_table");
    }
    size_t n_rows = json_array_size(json_object_get(json_object_get(doc, "summary_table"), "rows"));
    json_decref(doc);
    json_array_append_new(
        entries,
        batch_event("batch.summary_set", who, wf_jstr(batch, "id"), NULL,
                    json_pack("{s:s,s:s,s:s,s:I,s:I}", "document", sm3_doc, "material", ref.sm3,
                              "content_type", eseal_form_key(ESEAL_ENUM_CONTENT_TYPE, (int)ct),
                              "size", (json_int_t)file->len, "rows", (json_int_t)n_rows)));
    return ESEAL_OK;
}

/* struct batch_docs holds the items' records and documents while submitting. */
struct batch_docs {
    json_t *recs[BATCH_ITEMS_MAX];
    struct eseal_submission *docs[BATCH_ITEMS_MAX];
    size_t n;
};

static void batch_docs_free(struct batch_docs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        json_decref(d->recs[i]);
        eseal_submission_free(d->docs[i]);
    }
}

/* load_items reads every item, each still collected. */
static eseal_rc load_items(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                           const json_t *batch, struct batch_docs *d,
                           struct eseal_issuer_problem *p)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(batch, "items"), i, v)
    {
        const char *sid = json_string_value(v);
        eseal_rc rc = wf_load_visible(is, who, sid, &d->recs[d->n], p);
        if (rc != ESEAL_OK)
            return rc;
        d->n++;
        const char *state = wf_jstr(d->recs[d->n - 1], "state");
        if (strcmp(state, wf_state_name(WF_COLLECTED)) != 0)
            return prob_set(p, ESEAL_E_CONFLICT, "items",
                            "批次中的申报 %s 已不在汇总单位（状态 %s）/ item %s of the batch is no "
                            "longer with the aggregator (it is %s)",
                            sid, state, sid, state);
        if ((rc = wf_load_doc(is, d->recs[d->n - 1], &d->docs[d->n - 1], p)) != ESEAL_OK)
            return rc;
    }
    if (d->n == 0)
        return prob_set(p, ESEAL_E_INVALID, "items",
                        "批次中没有申报 / the batch has no submission in it");
    return ESEAL_OK;
}

/* check_summary runs the summary_table rule over the batch's one table and
 * the forms of all its items, in item order. */
static eseal_rc check_summary(struct eseal_issuer *is, const json_t *batch,
                              const struct batch_docs *d, struct eseal_issuer_problem *p)
{
    struct eseal_submission *table = NULL;
    const char *doc_sm3 = wf_jstr(json_object_get(batch, "summary"), "document");
    struct eseal_buf text;
    eseal_buf_init(&text);
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = ESEAL_OK;
    if (doc_sm3 != NULL && (rc = store_artefact_get(is, doc_sm3, &text, &e)) == ESEAL_OK)
        rc = eseal_submission_parse(&table, (const char *)text.data, text.len, &e);
    eseal_buf_cleanup(&text);
    if (rc != ESEAL_OK)
        return prob_from(p, &e, "summary_table");
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        n += d->docs[i]->n_forms;
    struct eseal_form *forms = eseal_xcalloc(n + 1, sizeof(*forms));
    n = 0;
    for (size_t i = 0; i < d->n; i++)
        for (size_t k = 0; k < d->docs[i]->n_forms; k++)
            forms[n++] = d->docs[i]->forms[k];
    struct eseal_submission all = {
        .summary = table != NULL ? table->summary : NULL, .forms = forms, .n_forms = n};
    struct eseal_rules_result res;
    eseal_rules_result_init(&res);
    eseal_rules_summary(&res, &all);
    if (res.verdict != ESEAL_VERDICT_OK) {
        const struct eseal_finding *f = &res.findings[0];
        rc = prob_set(p, ESEAL_E_RULE, f->path,
                      "批次汇总表与各申报的申请表不一致：%s / the batch's summary table does not "
                      "agree with its items' forms: %s",
                      f->message_zh, f->message_en);
        json_decref(p->findings);
        p->findings = eseal_rules_result_json(&res);
    }
    eseal_rules_result_cleanup(&res);
    free(forms);
    eseal_submission_free(table);
    return rc;
}

eseal_rc batch_submit(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                      const json_t *batch, json_t *entries, struct eseal_issuer_problem *p)
{
    struct batch_docs d = {.n = 0};
    eseal_rc rc = load_items(is, who, batch, &d, p);
    if (rc == ESEAL_OK)
        rc = check_summary(is, batch, &d, p);
    if (rc != ESEAL_OK) {
        batch_docs_free(&d);
        return rc;
    }
    const char *id = wf_jstr(batch, "id");
    size_t forms = 0;
    for (size_t i = 0; i < d.n; i++)
        forms += d.docs[i]->n_forms;
    json_array_append_new(
        entries, batch_event("batch.submitted", who, id, NULL,
                             json_pack("{s:O,s:I}", "items", json_object_get(batch, "items"),
                                       "forms", (json_int_t)forms)));
    for (size_t i = 0; i < d.n; i++) {
        json_int_t round = json_integer_value(json_object_get(d.recs[i], "round"));
        json_array_append_new(
            entries, batch_event(round > 0 ? "submission.resubmitted" : "submission.submitted", who,
                                 id, wf_jstr(d.recs[i], "id"),
                                 json_pack("{s:I,s:s}", "round", round + 1, "batch", id)));
    }
    batch_docs_free(&d);
    return ESEAL_OK;
}

/* ---- the projection --------------------------------------------------------------- */

eseal_rc batch_apply(struct eseal_issuer *is, struct eseal_kv_batch *b, const char *type,
                     const json_t *entry, struct eseal_err *err)
{
    const char *id = wf_jstr(entry, "batch"), *time = wf_jstr(entry, "time");
    const json_t *data = json_object_get(entry, "data");
    if (!batch_id_ok(id))
        return eseal_err_set(err, ESEAL_E_INVALID, "%s without a batch id", type);
    json_t *rec = NULL;
    eseal_rc rc = ESEAL_OK;
    if (strcmp(type, "batch.created") == 0) {
        uint64_t number = strtoull(id + 1, NULL, 10);
        if (number > store_counter(is, "batch"))
            store_batch_counter(b, "batch", number);
        rec = json_pack(
            "{s:s,s:s,s:O,s:O,s:s,s:s,s:[]}", "id", id, "state", batch_state_names[BATCH_OPEN],
            "business", json_object_get(data, "business"), "city", json_object_get(data, "city"),
            "created_by", wf_jstr(json_object_get(entry, "actor"), "id"), "created", time, "items");
    } else if ((rc = store_get_json(is, CF_BATCHES, id, &rec, err)) != ESEAL_OK) {
        return rc == ESEAL_E_NOTFOUND
                   ? eseal_err_set(err, ESEAL_E_INVALID, "%s for unknown batch %s", type, id)
                   : rc;
    }
    if (strcmp(type, "batch.item_added") == 0) {
        const char *sid = wf_jstr(data, "submission");
        json_t *sub = NULL;
        json_array_append_new(json_object_get(rec, "items"), json_string(sid));
        if (store_get_json(is, CF_SUBMISSIONS, sid, &sub, NULL) == ESEAL_OK) {
            json_object_set_new(sub, "batch", json_string(id));
            store_batch_put_json(b, CF_SUBMISSIONS, sid, sub);
        }
        json_decref(sub);
    } else if (strcmp(type, "batch.summary_set") == 0) {
        json_object_set(rec, "summary", (json_t *)data);
    } else if (strcmp(type, "batch.submitted") == 0) {
        json_object_set_new(rec, "state", json_string(batch_state_names[BATCH_SUBMITTED]));
        json_object_set_new(rec, "submitted", json_string(time));
    }
    json_object_set_new(rec, "updated", json_string(time));
    store_batch_put_json(b, CF_BATCHES, id, rec);
    json_decref(rec);
    return ESEAL_OK;
}

/* ---- reading, and the centre's steps over the items --------------------------------- */

eseal_rc eseal_issuer_batch_get(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                const char *id, json_t **view, struct eseal_issuer_problem *p)
{
    json_t *rec = NULL;
    eseal_rc rc = wf_require(who, ESEAL_ACTION_BATCH_GET, p);
    if (rc == ESEAL_OK)
        rc = batch_load(is, who, id, &rec, p);
    if (rc == ESEAL_OK)
        *view = batch_view(is, rec);
    json_decref(rec);
    return rc;
}

/* item_list reads the optional "items" of |body|: ids of the batch's items
 * (default: all of them). */
static eseal_rc item_list(const json_t *batch, const json_t *body, json_t **out,
                          struct eseal_issuer_problem *p)
{
    json_t *items = json_object_get(body, "items");
    if (items == NULL) {
        *out = json_incref(json_object_get(batch, "items"));
        return ESEAL_OK;
    }
    size_t i;
    json_t *v;
    if (!json_is_array(items) || json_array_size(items) == 0 ||
        json_array_size(items) > BATCH_ITEMS_MAX)
        return prob_set(p, ESEAL_E_INVALID, "items",
                        "items 须为本批次申报编号的数组 / items must be an array of this batch's "
                        "submission ids");
    json_array_foreach(items, i, v)
    {
        if (!json_is_string(v) || !has_item(batch, json_string_value(v)))
            return prob_set(p, ESEAL_E_INVALID, "items",
                            "items[%zu] 不是本批次的申报 / items[%zu] is not a submission of this "
                            "batch",
                            i, i);
    }
    *out = json_incref(items);
    return ESEAL_OK;
}

/* A centre step on one submission, as the per-item endpoints take it. */
typedef eseal_rc (*item_step_fn)(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                 const char *id, const json_t *body, json_t **view,
                                 struct eseal_issuer_problem *p);

/* batch_each runs |fn| on each listed item in turn, each its own commit:
 * the items are separate submissions, and one item refused leaves the
 * others to go on. The result lists each item's outcome. */
static eseal_rc batch_each(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                           enum eseal_staff_action action, const char *id, const json_t *body,
                           item_step_fn fn, json_t **view, struct eseal_issuer_problem *p)
{
    json_t *rec = NULL, *items = NULL;
    eseal_rc rc = wf_require(who, action, p);
    if (rc == ESEAL_OK)
        rc = batch_load(is, who, id, &rec, p);
    if (rc == ESEAL_OK && strcmp(wf_jstr(rec, "state"), batch_state_names[BATCH_SUBMITTED]) != 0)
        rc = prob_set(p, ESEAL_E_CONFLICT, NULL,
                      "批次 %s 尚未报送 / batch %s has not been submitted", id, id);
    if (rc == ESEAL_OK)
        rc = item_list(rec, body, &items, p);
    if (rc != ESEAL_OK) {
        json_decref(rec);
        return rc;
    }
    json_t *item_body = body != NULL ? json_deep_copy(body) : NULL;
    if (item_body != NULL)
        json_object_del(item_body, "items");
    json_t *results = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        struct eseal_issuer_problem ip;
        eseal_issuer_problem_init(&ip);
        json_t *iv = NULL;
        const char *sid = json_string_value(v);
        if (fn(is, who, sid, item_body, &iv, &ip) == ESEAL_OK)
            json_array_append_new(results, json_pack("{s:s,s:b,s:O}", "submission", sid, "ok", 1,
                                                     "state", json_object_get(iv, "state")));
        else {
            json_t *pj = eseal_issuer_problem_json(&ip);
            json_array_append_new(results, json_pack("{s:s,s:b,s:O}", "submission", sid, "ok", 0,
                                                     "error", json_object_get(pj, "error")));
            json_decref(pj);
        }
        json_decref(iv);
        eseal_issuer_problem_cleanup(&ip);
    }
    json_decref(item_body);
    json_decref(items);
    json_decref(rec);
    json_t *b = NULL;
    if (batch_load(is, who, id, &b, p) != ESEAL_OK) {
        json_decref(results);
        return p->err.rc;
    }
    *view = json_pack("{s:o,s:o}", "batch", batch_view(is, b), "results", results);
    json_decref(b);
    return ESEAL_OK;
}

eseal_rc eseal_issuer_batch_register(struct eseal_issuer *is,
                                     const struct eseal_staff_principal *who, const char *id,
                                     const json_t *body, json_t **view,
                                     struct eseal_issuer_problem *p)
{
    return batch_each(is, who, ESEAL_ACTION_SUBMISSION_REGISTER, id, body,
                      eseal_issuer_submission_register, view, p);
}

eseal_rc eseal_issuer_batch_review(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const char *id, const json_t *body, json_t **view,
                                   struct eseal_issuer_problem *p)
{
    return batch_each(is, who, ESEAL_ACTION_SUBMISSION_REVIEW, id, body,
                      eseal_issuer_submission_review, view, p);
}
