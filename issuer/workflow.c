/* workflow.c — the submission state machine as data: the states, one row
 * per step (who may take it, the states it starts from, the rules verdict
 * it needs, how its input is read, the log entries it writes) and one
 * function, wf_step_run, that takes any step: role, lock, load, state,
 * input, rules, entries, log-first commit, view. The steps' own code is
 * only what differs: reading the input and building the entries. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/pki.h"
#include "eseal/sm.h"
#include "eseal/unlock.h"
#include "idcheck.h"
#include "region.h"
#include "internal.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- states ------------------------------------------------------------------------- */

static const char *const state_names[WF_STATE_COUNT] = {
    [WF_DRAFT] = "draft",
    [WF_SUBMITTED] = "submitted",
    [WF_REGISTERED] = "registered",
    [WF_APPROVED] = "approved",
    [WF_REJECTED] = "rejected",
    [WF_PRODUCED] = "produced",
    [WF_HANDED_OVER] = "handed_over",
    [WF_DONE] = "done",
    [WF_COLLECTED] = "collected",
};

const char *wf_state_name(enum wf_state s)
{
    return (unsigned)s < WF_STATE_COUNT ? state_names[s] : "unknown";
}

bool wf_state_parse(const char *name, enum wf_state *out)
{
    for (int s = 0; name != NULL && s < WF_STATE_COUNT; s++)
        if (strcmp(state_names[s], name) == 0) {
            *out = (enum wf_state)s;
            return true;
        }
    return false;
}

/* ---- one run of a step ----------------------------------------------------------------- */

/* struct wf_run is what one step works on; wf_step_run owns it. */
struct wf_run {
    struct eseal_issuer *is;
    const struct wf_step *step;
    const struct eseal_staff_principal *who;
    const char *id; /* the subject: submission id or esID (create: set by build) */
    const struct wf_input *in;
    json_t *rec;                  /* the subject's record */
    struct eseal_submission *doc; /* the submission's document (steps with rules) */
    json_t *onsite, *acks;        /* what the rules are given (owned; may be NULL) */
    json_t *paper, *flags;        /* register: the paper record; review: the flags (owned) */
    bool skip_rules;              /* set by parse: this run needs no verdict (a rejection) */
    bool ran;
    struct wf_rules_run rules;
    bool approve;               /* review: the decision */
    bool collect;               /* submit: to the aggregator, not the centre */
    struct produce_ctx produce; /* produce: the maker's options */
    json_t *entries;            /* array: the log entries to commit */
    json_t *result;             /* a view other than the subject's (owned) */
    const json_t *picture;      /* picture_accept: the processed picture (in rec) */
    char new_id[16];
    struct eseal_issuer_problem *p;
};

/* rules_refuse reports the findings that block the step: errors (except
 * the on-site key check when submitting: that is the maker's, at
 * registration) and, for an approval, unacknowledged warnings. */
static eseal_rc rules_refuse(struct wf_run *r)
{
    int skip = r->step->rules == WF_RULES_SUBMIT ? (int)ESEAL_RULE_USB_KEY_ON_SITE : -1;
    bool need_ok = r->step->rules == WF_RULES_APPROVE;
    const struct eseal_rules_result *res = &r->rules.res;
    const struct eseal_finding *first = NULL;
    size_t n = 0;
    for (size_t i = 0; i < res->n_findings; i++) {
        const struct eseal_finding *f = &res->findings[i];
        bool blocks = f->severity == ESEAL_SEVERITY_ERROR ||
                      (need_ok && f->severity == ESEAL_SEVERITY_WARNING && !f->acknowledged);
        if ((int)f->rule == skip || !blocks)
            continue;
        if (first == NULL)
            first = f;
        n++;
    }
    if (first == NULL)
        return ESEAL_OK;
    prob_set(r->p, ESEAL_E_RULE, first->path,
             "不符合业务规则（%zu 项）：%s / %s refused by the rules (%zu finding%s): %s", n,
             first->message_zh, r->step->doing, n, n == 1 ? "" : "s", first->message_en);
    json_decref(r->p->findings);
    r->p->findings = eseal_rules_result_json(res);
    return ESEAL_E_RULE;
}

/* states_text writes the names of the states in |from| as "a or b". */
static void states_text(unsigned from, bool seal, char *out, size_t len)
{
    out[0] = '\0';
    int n = seal ? ESEAL_SEAL_STATE_EXPIRED + 1 : WF_STATE_COUNT;
    for (int s = 0; s < n; s++) {
        if ((from & (1u << s)) == 0)
            continue;
        const char *name = seal ? eseal_seal_state_name((enum eseal_seal_state)s)
                                : wf_state_name((enum wf_state)s);
        snprintf(out + strlen(out), len - strlen(out), "%s%s", out[0] ? " or " : "", name);
    }
}

/* load_subject reads the submission or seal the step acts on and refuses
 * (ESEAL_E_CONFLICT) a state the step may not start from. */
static eseal_rc load_subject(struct wf_run *r)
{
    const struct wf_step *s = r->step;
    if (s->subject == WF_SUBJECT_NONE)
        return ESEAL_OK;
    if (s->subject == WF_SUBJECT_BATCH)
        return batch_load_subject(r->is, r->who, r->id, s->from, s->doing, &r->rec, r->p);
    bool seal = s->subject == WF_SUBJECT_SEAL;
    eseal_rc rc = seal ? wf_seal_visible(r->is, r->who, r->id, &r->rec, r->p)
                       : wf_load_visible(r->is, r->who, r->id, &r->rec, r->p);
    if (rc != ESEAL_OK)
        return rc;
    enum wf_state ws = WF_STATE_COUNT;
    int state = seal ? (int)wf_seal_state(r->rec)
                     : (wf_state_parse(wf_jstr(r->rec, "state"), &ws) ? (int)ws : -1);
    if (state >= 0 && (s->from & (1u << state)) != 0)
        return ESEAL_OK;
    char want[128];
    states_text(s->from, seal, want, sizeof(want));
    return prob_set(
        r->p, ESEAL_E_CONFLICT, NULL,
        "%s %s 当前状态 %s 不允许此操作（须为 %s）/ %s %s is %s: %s needs a %s that is %s",
        seal ? "印章" : "申报", r->id, seal ? wf_seal_status(r->rec, 0) : wf_jstr(r->rec, "state"),
        want, seal ? "seal" : "submission", r->id,
        seal ? wf_seal_status(r->rec, 0) : wf_jstr(r->rec, "state"), s->doing,
        seal ? "seal" : "submission", want);
}

/* check_events refuses an entry the step's row does not list: the table
 * is the documentation of what each step writes, so it must stay true. */
static eseal_rc check_events(const struct wf_run *r)
{
    size_t i;
    json_t *e;
    json_array_foreach(r->entries, i, e)
    {
        bool listed = false;
        for (size_t k = 0; k < COUNT_OF(r->step->events) && r->step->events[k] != NULL; k++)
            listed = listed || strcmp(r->step->events[k], wf_jstr(e, "type")) == 0;
        if (!listed)
            return prob_set(r->p, ESEAL_E_INTERNAL, NULL, "step %s built an entry %s",
                            r->step->name, wf_jstr(e, "type"));
    }
    return ESEAL_OK;
}

static eseal_rc commit_entries(struct wf_run *r)
{
    eseal_rc rc = check_events(r);
    if (rc != ESEAL_OK)
        return rc;
    size_t n = json_array_size(r->entries);
    json_t **list = eseal_xcalloc(n + 1, sizeof(*list));
    for (size_t i = 0; i < n; i++)
        list[i] = json_incref(json_array_get(r->entries, i));
    struct eseal_err e;
    eseal_err_clear(&e);
    rc = wf_commit(r->is, list, n, &e);
    free(list);
    return rc == ESEAL_OK ? ESEAL_OK : prob_from(r->p, &e, NULL);
}

/* give_view reads the subject again after the commit and returns its view
 * (or the step's own result). */
static eseal_rc give_view(struct wf_run *r, json_t **view)
{
    if (view == NULL)
        return ESEAL_OK;
    if (r->result != NULL) {
        *view = json_incref(r->result);
        return ESEAL_OK;
    }
    bool seal = r->step->subject == WF_SUBJECT_SEAL;
    bool batch = r->step->subject == WF_SUBJECT_BATCH ||
                 (r->step->subject == WF_SUBJECT_NONE && r->id != NULL && r->id[0] == 'B');
    json_t *rec = NULL;
    struct eseal_err e;
    eseal_err_clear(&e);
    if (store_get_json(r->is,
                       seal    ? CF_SEALS
                       : batch ? CF_BATCHES
                               : CF_SUBMISSIONS,
                       r->id, &rec, &e) != ESEAL_OK)
        return prob_from(r->p, &e, NULL);
    *view = seal    ? wf_seal_view(r->is, rec)
            : batch ? batch_view(r->is, rec)
                    : wf_submission_view(r->is, r->who, rec);
    json_decref(rec);
    return ESEAL_OK;
}

static eseal_rc build_commit(struct wf_run *r);

/* run_locked is the part of a step under the issuer's lock. */
static eseal_rc run_locked(struct wf_run *r, json_t **view)
{
    const struct wf_step *s = r->step;
    eseal_rc rc = load_subject(r);
    if (rc == ESEAL_OK && s->rules != WF_RULES_NONE)
        rc = wf_load_doc(r->is, r->rec, &r->doc, r->p);
    if (rc == ESEAL_OK && s->parse != NULL)
        rc = s->parse(r);
    if (rc == ESEAL_OK && s->rules != WF_RULES_NONE && !r->skip_rules) {
        r->ran = true;
        rc = wf_rules_run(r->is, &r->rules, r->rec, r->doc, r->onsite, r->acks, r->p);
        if (rc == ESEAL_OK)
            rc = rules_refuse(r);
    }
    if (rc == ESEAL_OK)
        rc = build_commit(r);
    if (rc == ESEAL_OK)
        rc = give_view(r, view);
    return rc;
}

eseal_rc wf_step_run(struct eseal_issuer *is, const struct wf_step *step,
                     const struct eseal_staff_principal *who, const char *id,
                     const struct wf_input *in, json_t **view, struct eseal_issuer_problem *p)
{
    static const struct wf_input none;
    struct wf_run r = {
        .is = is,
        .step = step,
        .who = who,
        .id = id,
        .in = in != NULL ? in : &none,
        .entries = json_array(),
        .p = p,
    };
    eseal_rc rc = wf_require(who, step->action, p);
    if (rc == ESEAL_OK && step->check != NULL)
        rc = step->check(&r);
    if (rc == ESEAL_OK) {
        pthread_mutex_lock(&is->mu);
        rc = run_locked(&r, view);
        pthread_mutex_unlock(&is->mu);
    }
    if (r.ran)
        wf_rules_done(&r.rules);
    eseal_submission_free(r.doc);
    json_decref(r.rec);
    json_decref(r.onsite);
    json_decref(r.acks);
    json_decref(r.paper);
    json_decref(r.flags);
    json_decref(r.produce.serials);
    json_decref(r.entries);
    json_decref(r.result);
    return rc;
}

/* add_entry appends an entry about the run's submission. */
static void add_entry(struct wf_run *r, const char *type, json_t *data)
{
    json_array_append_new(r->entries, wf_event(type, r->who, r->id, NULL, NULL, data));
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
        rc = prob_set(p, ESEAL_E_INVALID, "business",
                      "须填写业务类型 / the business type is required");
    else if (u->uscc == NULL || u->name == NULL)
        rc = prob_set(p, ESEAL_E_INVALID, u->uscc == NULL ? "applicant.uscc" : "applicant.name",
                      "须填写申请单位名称和统一社会信用代码 / the applicant's name and unified "
                      "social credit code are required");
    else if (filed == NULL)
        rc = prob_set(p, ESEAL_E_INVALID,
                      doc->channel == ESEAL_CHANNEL_AGGREGATOR ? "aggregator" : "applicant.city",
                      "须填写报送所属设区市 / the city the submission is filed under is required");
    else if (!eseal_staff_can_see_submission(who, u->uscc, filed))
        rc = prob_set(p, ESEAL_E_DENIED,
                      who->role == ESEAL_ROLE_AGENT ? "applicant.uscc" : "aggregator",
                      "只能为本单位或本市申报 / %s may file only for %s", who->username,
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

static eseal_rc build_create(struct wf_run *r)
{
    json_t *data = NULL;
    eseal_rc rc = doc_summary(r->is, r->who, r->in->body, &data, r->p);
    if (rc != ESEAL_OK)
        return rc;
    snprintf(r->new_id, sizeof(r->new_id), "S%08" PRIu64, store_counter(r->is, "submission") + 1);
    r->id = r->new_id;
    add_entry(r, "submission.created", data);
    return ESEAL_OK;
}

static eseal_rc build_update(struct wf_run *r)
{
    json_t *data = NULL;
    eseal_rc rc = doc_summary(r->is, r->who, r->in->body, &data, r->p);
    if (rc == ESEAL_OK)
        add_entry(r, "submission.updated", data);
    return rc;
}

/* ---- materials ------------------------------------------------------------------------ */

static eseal_rc check_materials(struct wf_run *r)
{
    if (r->in->n_uploads == 0)
        return prob_set(r->p, ESEAL_E_INVALID, "materials",
                        "请求中没有材料 / no material in the request");
    if (r->in->n_uploads > ESEAL_LOG_BATCH_MAX)
        return prob_set(r->p, ESEAL_E_TOOBIG, "materials",
                        "一次上传的材料过多 / too many materials in one request");
    return ESEAL_OK;
}

/* parse_materials checks every part before any is stored. */
static eseal_rc parse_materials(struct wf_run *r)
{
    for (size_t i = 0; i < r->in->n_uploads; i++) {
        const struct eseal_issuer_upload *up = &r->in->uploads[i];
        int kind = 0;
        struct eseal_err e;
        eseal_err_clear(&e);
        if (up->kind == NULL || !eseal_form_enum_parse(ESEAL_ENUM_MATERIAL, up->kind, &kind))
            return prob_set(
                r->p, ESEAL_E_INVALID, up->kind != NULL ? up->kind : "kind",
                "不是材料类别 / \"%.40s\" is not a material kind (letter, form, summary_table, "
                "impression, csr, justification, introduction_letter, id_copy)",
                up->kind != NULL ? up->kind : "");
        if (eseal_material_check((enum eseal_material_kind)kind, up->data, up->len, NULL, &e) !=
            ESEAL_OK)
            return prob_from(r->p, &e, up->kind);
    }
    return ESEAL_OK;
}

static eseal_rc build_materials(struct wf_run *r)
{
    json_t *out = json_array();
    eseal_rc rc = ESEAL_OK;
    for (size_t i = 0; rc == ESEAL_OK && i < r->in->n_uploads; i++) {
        const struct eseal_issuer_upload *up = &r->in->uploads[i];
        int kind = 0;
        eseal_form_enum_parse(ESEAL_ENUM_MATERIAL, up->kind, &kind);
        struct eseal_material_ref ref;
        enum eseal_content_type ct;
        struct eseal_err e;
        eseal_err_clear(&e);
        rc = eseal_blob_put_sm3(r->is->blob, (enum eseal_material_kind)kind, up->data, up->len,
                                up->sm3, &ref, &ct, &e);
        if (rc != ESEAL_OK) {
            prob_from(r->p, &e, up->kind);
            break;
        }
        json_t *m = json_pack("{s:s,s:s,s:s,s:I}", "kind", up->kind, "sm3", ref.sm3, "content_type",
                              eseal_form_key(ESEAL_ENUM_CONTENT_TYPE, (int)ct), "size",
                              (json_int_t)up->len);
        json_array_append(out, m);
        add_entry(r, "submission.material_added", m);
    }
    r->result = json_pack("{s:s,s:o}", "submission", r->id, "materials", out);
    return rc;
}

/* ---- submit, register, review ------------------------------------------------------ */

/* parse_submit: a city unit's agent submits to its aggregator (collected),
 * never straight to the centre; the aggregator forwards a collected
 * submission, alone or (the first time) with its batch. */
static eseal_rc parse_submit(struct wf_run *r)
{
    bool collected = strcmp(wf_jstr(r->rec, "state"), wf_state_name(WF_COLLECTED)) == 0;
    bool agent = r->who->role == ESEAL_ROLE_AGENT;
    const char *channel = wf_jstr(r->rec, "channel");
    if (agent && collected)
        return prob_set(r->p, ESEAL_E_CONFLICT, NULL,
                        "申报 %s 已报送汇总单位，由汇总单位报送平台 / submission %s is with the "
                        "aggregator, which submits it to the centre",
                        r->id, r->id);
    if (!agent && wf_jstr(r->rec, "batch") != NULL &&
        json_integer_value(json_object_get(r->rec, "round")) == 0)
        return prob_set(r->p, ESEAL_E_CONFLICT, NULL,
                        "申报 %s 在批次 %s 中，随批次报送 / submission %s is in batch %s: it goes "
                        "with the batch",
                        r->id, wf_jstr(r->rec, "batch"), r->id, wf_jstr(r->rec, "batch"));
    r->collect = agent && channel != NULL && strcmp(channel, "aggregator") == 0;
    return ESEAL_OK;
}

static eseal_rc build_submit(struct wf_run *r)
{
    json_int_t round = json_integer_value(json_object_get(r->rec, "round"));
    if (r->collect)
        add_entry(r, "submission.collected", json_pack("{s:I}", "round", round));
    else
        add_entry(r, round > 0 ? "submission.resubmitted" : "submission.submitted",
                  json_pack("{s:I}", "round", round + 1));
    return ESEAL_OK;
}

/* parse_onsite checks {"onsite":[{"esid","token_id"}],"paper":…} and
 * returns the onsite array (paper is paper.c's). */
static eseal_rc parse_onsite(const json_t *body, json_t **out, struct eseal_issuer_problem *p)
{
    static const char *const top[] = {"onsite", "paper", NULL};
    static const char *const item[] = {"esid", "token_id", NULL};
    *out = json_array();
    if (body == NULL)
        return ESEAL_OK;
    eseal_rc rc = json_check_keys(body, top, "", p);
    json_t *on = json_object_get(body, "onsite");
    if (rc != ESEAL_OK || on == NULL)
        return rc;
    if (!json_is_array(on) || json_array_size(on) > ESEAL_FORMS_MAX)
        return prob_set(p, ESEAL_E_INVALID, "onsite",
                        "onsite 须为数组（至多 %d 项）/ onsite must be an array of at most %d",
                        ESEAL_FORMS_MAX, ESEAL_FORMS_MAX);
    size_t i;
    json_t *o;
    json_array_foreach(on, i, o)
    {
        char where[32];
        snprintf(where, sizeof(where), "onsite[%zu]", i);
        if ((rc = json_check_keys(o, item, where, p)) != ESEAL_OK)
            return rc;
        const char *esid = wf_jstr(o, "esid"), *tok = wf_jstr(o, "token_id");
        if (esid == NULL || eseal_esid_check(esid, NULL, NULL, NULL) != ESEAL_OK)
            return prob_set(p, ESEAL_E_INVALID, where, "须为印章编码 / %s.esid must be a seal code",
                            where);
        if (!eseal_token_id_valid(tok))
            return prob_set(
                p, ESEAL_E_INVALID, where,
                "须为 USB KEY 编号 / %s.token_id must be a token id (16 lower-case hex digits)",
                where);
        json_array_append_new(*out, json_pack("{s:s,s:s}", "esid", esid, "token_id", tok));
    }
    return ESEAL_OK;
}

static eseal_rc parse_register(struct wf_run *r)
{
    eseal_rc rc = parse_onsite(r->in->body, &r->onsite, r->p);
    if (rc == ESEAL_OK)
        rc = paper_parse(json_object_get(r->in->body, "paper"), r->doc, &r->paper, r->p);
    return rc;
}

static eseal_rc build_register(struct wf_run *r)
{
    add_entry(r, "submission.registered",
              json_pack("{s:O,s:s,s:O}", "onsite", r->onsite, "verdict",
                        eseal_verdict_name(r->rules.res.verdict), "paper", r->paper));
    return ESEAL_OK;
}

/* string_list checks that |v| is an array of 1..max non-empty strings of at
 * most max_len bytes each. */
static eseal_rc string_list(const json_t *v, const char *field, size_t max, size_t max_len,
                            bool allow_empty, struct eseal_issuer_problem *p)
{
    if (!json_is_array(v) || json_array_size(v) > max || (!allow_empty && json_array_size(v) == 0))
        return prob_set(p, ESEAL_E_INVALID, field,
                        "须为字符串数组 / %s must be an array of %s%zu strings", field,
                        allow_empty ? "up to " : "1 to ", max);
    size_t i;
    json_t *s;
    json_array_foreach(v, i, s)
    {
        if (!json_is_string(s) || json_string_length(s) == 0 || json_string_length(s) > max_len)
            return prob_set(
                p, ESEAL_E_INVALID, field,
                "须为非空字符串 / %s[%zu] must be a non-empty string of at most %zu bytes", field,
                i, max_len);
    }
    return ESEAL_OK;
}

/* check_review reads {"decision","reasons","acknowledge"}: it needs no record. */
static eseal_rc check_review(struct wf_run *r)
{
    static const char *const keys[] = {"decision", "reasons", "acknowledge", "flags", NULL};
    const json_t *body = r->in->body;
    eseal_rc rc = json_check_keys(body, keys, "", r->p);
    if (rc != ESEAL_OK)
        return rc;
    const char *decision = wf_jstr(body, "decision");
    json_t *reasons = json_object_get(body, "reasons");
    json_t *acks = json_object_get(body, "acknowledge");
    r->approve = decision != NULL && strcmp(decision, "approve") == 0;
    if (decision == NULL || (!r->approve && strcmp(decision, "reject") != 0))
        return prob_set(
            r->p, ESEAL_E_INVALID, "decision",
            "审核结论须为 approve 或 reject / decision must be \"approve\" or \"reject\"");
    if ((!r->approve || reasons != NULL) &&
        (rc = string_list(reasons, "reasons", 50, 1000, r->approve, r->p)) != ESEAL_OK)
        return rc;
    if (acks != NULL &&
        (rc = string_list(acks, "acknowledge", ESEAL_RULE_COUNT, 64, true, r->p)) != ESEAL_OK)
        return rc;
    size_t i;
    json_t *a;
    json_array_foreach(acks, i, a)
    {
        enum eseal_rule rule;
        if (!eseal_rule_parse(json_string_value(a), &rule))
            return prob_set(r->p, ESEAL_E_INVALID, "acknowledge",
                            "不是规则名 / \"%s\" is not a rule key", json_string_value(a));
    }
    r->acks = acks != NULL ? json_incref(acks) : json_array();
    return ESEAL_OK;
}

/* paper_refuse refuses an approval while a required point of the paper
 * originals is unchecked or flagged by the reviewer. */
static eseal_rc paper_refuse(struct wf_run *r)
{
    json_t *missing = paper_missing(r->doc, json_object_get(r->rec, "paper"));
    json_array_extend(missing, r->flags);
    json_t *first = json_array_get(missing, 0);
    eseal_rc rc = ESEAL_OK;
    if (first != NULL) {
        enum paper_point pt;
        const struct eseal_label *l =
            paper_point_parse(wf_jstr(first, "point"), &pt) ? paper_point_label(pt) : NULL;
        rc = prob_set(r->p, ESEAL_E_RULE, "paper",
                      "纸质原件核验未完成，不能批准（%zu 项；%s：%s）/ the paper originals are not "
                      "all checked: approval refused (%zu point%s; %s: %s)",
                      json_array_size(missing), wf_jstr(first, "kind"),
                      l != NULL ? l->zh : "原件已收到", json_array_size(missing),
                      json_array_size(missing) == 1 ? "" : "s", wf_jstr(first, "kind"),
                      l != NULL ? l->en : "original received");
    }
    json_decref(missing);
    return rc;
}

/* parse_review: maker != reviewer; a rejection needs no verdict. */
static eseal_rc parse_review(struct wf_run *r)
{
    if (!eseal_staff_can_review(r->who, wf_jstr(r->rec, "registered_by")))
        return prob_set(r->p, ESEAL_E_DENIED, NULL,
                        "登记人不得审核同一申报 / %s registered submission %s and so may not "
                        "review it (maker != reviewer)",
                        r->who->username, r->id);
    r->onsite = json_incref(json_object_get(r->rec, "onsite"));
    r->skip_rules = !r->approve;
    eseal_rc rc = paper_flags_parse(json_object_get(r->in->body, "flags"), r->doc, &r->flags, r->p);
    if (rc != ESEAL_OK || !r->approve)
        return rc;
    return paper_refuse(r);
}

/* build_review: the reasons are free text, so the log gets their count and
 * the commitment to them; the agent reads them from the store. */
static eseal_rc build_review(struct wf_run *r)
{
    if (r->approve) {
        add_entry(r, "submission.approved", json_pack("{s:O}", "acknowledged", r->acks));
        return ESEAL_OK;
    }
    json_t *reasons = json_object_get(r->in->body, "reasons");
    char commitment[PRIVATE_COMMITMENT_HEX_LEN + 1];
    struct eseal_err e;
    eseal_err_clear(&e);
    if (private_put(r->is, "submission.rejected", json_pack("{s:O}", "reasons", reasons),
                    commitment, &e) != ESEAL_OK)
        return prob_from(r->p, &e, NULL);
    add_entry(r, "submission.rejected",
              json_pack("{s:I,s:s,s:O?}", "reason_count", (json_int_t)json_array_size(reasons),
                        "commitment", commitment, "flags", r->flags));
    return ESEAL_OK;
}

/* ---- produce and hand over ------------------------------------------------------------ */

/* The revocation reasons a maker may give (RFC 5280 CRL reasons; the
 * catalog shows them, catalog.c). */
const struct eseal_label wf_revoke_reasons[] = {
    {"unspecified", "未指明原因", "unspecified"},
    {"keyCompromise", "密钥泄露或遗失", "key compromised or lost"},
    {"affiliationChanged", "单位信息变更", "affiliation changed"},
    {"superseded", "已被新版本取代", "superseded"},
    {"cessationOfOperation", "单位撤销、合并或更名", "cessation of operation"},
    {"privilegeWithdrawn", "用章权限撤回", "privilege withdrawn"},
    {NULL, NULL, NULL},
};

/* produce_days reads "days": 1..max_days, default max_days. */
static eseal_rc produce_days(struct wf_run *r, const json_t *d)
{
    long long max = r->is->cfg.max_days;
    r->produce.days = (long)max;
    if (d == NULL)
        return ESEAL_OK;
    if (!json_is_integer(d) || json_integer_value(d) < 1 || json_integer_value(d) > max)
        return prob_set(
            r->p, ESEAL_E_INVALID, "days",
            "有效天数须为 1 至 %lld 的整数 / days must be a whole number from 1 to %lld (max_days)",
            max, max);
    r->produce.days = (long)json_integer_value(d);
    return ESEAL_OK;
}

/* produce_reason reads "reason", a CRL reason. */
static eseal_rc produce_reason(struct wf_run *r, const json_t *v)
{
    bool ok = v == NULL;
    for (size_t i = 0; json_is_string(v) && wf_revoke_reasons[i].key != NULL; i++)
        ok = ok || strcmp(wf_revoke_reasons[i].key, json_string_value(v)) == 0;
    if (!ok)
        return prob_set(r->p, ESEAL_E_INVALID, "reason",
                        "撤销原因无效 / reason must be one of unspecified, keyCompromise, "
                        "affiliationChanged, superseded, cessationOfOperation, "
                        "privilegeWithdrawn");
    r->produce.reason = json_string_value(v);
    return ESEAL_OK;
}

/* produce_form_option reads forms[i]: {"csr","token_id","counter"}. */
static eseal_rc produce_form_option(struct wf_run *r, const json_t *o, const char *where)
{
    static const char *const keys[] = {"csr", "token_id", "counter", NULL};
    eseal_rc rc = json_check_keys(o, keys, where, r->p);
    if (rc != ESEAL_OK)
        return rc;
    json_t *csr = json_object_get(o, "csr"), *tok = json_object_get(o, "token_id"),
           *ctr = json_object_get(o, "counter");
    if (csr != NULL && (!json_is_string(csr) || json_string_length(csr) == 0 ||
                        json_string_length(csr) > 64 * 1024))
        return prob_set(r->p, ESEAL_E_INVALID, where,
                        "证书请求须为 PEM 文本 / %s.csr must be PEM text", where);
    if (tok != NULL && !eseal_token_id_valid(json_string_value(tok)))
        return prob_set(
            r->p, ESEAL_E_INVALID, where,
            "USB KEY 编号须为 16 位小写十六进制 / %s.token_id must be 16 lower-case hex digits",
            where);
    if (ctr != NULL && (!json_is_integer(ctr) || json_integer_value(ctr) < 0 ||
                        json_integer_value(ctr) > (json_int_t)UINT32_MAX))
        return prob_set(r->p, ESEAL_E_INVALID, where,
                        "计数器须为 0 至 4294967295 的整数 / %s.counter must be a whole number "
                        "from 0 to 4294967295",
                        where);
    return ESEAL_OK;
}

/* produce_forms reads "forms": at most one entry (or null) per form. */
static eseal_rc produce_forms(struct wf_run *r, const json_t *f)
{
    size_t n_forms = r->doc->n_forms;
    r->produce.forms = NULL;
    if (f == NULL)
        return ESEAL_OK;
    if (!json_is_array(f) || json_array_size(f) > n_forms)
        return prob_set(r->p, ESEAL_E_INVALID, "forms",
                        "forms 须为数组，每份申请表至多一项 / forms must be an array with at most "
                        "one entry per form (%zu)",
                        n_forms);
    size_t i;
    json_t *o;
    json_array_foreach(f, i, o)
    {
        char where[32];
        snprintf(where, sizeof(where), "forms[%zu]", i);
        eseal_rc rc = json_is_null(o) ? ESEAL_OK : produce_form_option(r, o, where);
        if (rc != ESEAL_OK)
            return rc;
    }
    r->produce.forms = f;
    return ESEAL_OK;
}

/* all_targets_suspended tells whether every seal the forms name is
 * suspended (reported lost): their revocation's reason is then
 * keyCompromise unless the maker gives another. */
static bool all_targets_suspended(struct wf_run *r)
{
    bool all = r->doc->n_forms > 0;
    for (size_t i = 0; all && i < r->doc->n_forms; i++) {
        json_t *seal = NULL;
        /* the seal the rules resolved (by USCC + name), else the code given */
        const char *esid = r->rules.res.targets != NULL && r->rules.res.targets[i][0] != '\0'
                               ? r->rules.res.targets[i]
                               : r->doc->forms[i].target;
        all = esid != NULL && store_get_json(r->is, CF_SEALS, esid, &seal, NULL) == ESEAL_OK &&
              wf_seal_state(seal) == ESEAL_SEAL_STATE_SUSPENDED;
        json_decref(seal);
    }
    return all;
}

/* parse_produce reads the maker's options {"days","reason","forms"} (the
 * body may be absent). */
static eseal_rc parse_produce(struct wf_run *r)
{
    static const char *const keys[] = {"days", "reason", "forms", NULL};
    const json_t *body = r->in->body;
    eseal_rc rc = body != NULL ? json_check_keys(body, keys, "", r->p) : ESEAL_OK;
    if (rc == ESEAL_OK)
        rc = produce_days(r, json_object_get(body, "days"));
    if (rc == ESEAL_OK)
        rc = produce_reason(r, json_object_get(body, "reason"));
    if (rc == ESEAL_OK)
        rc = produce_forms(r, json_object_get(body, "forms"));
    return rc;
}

/* revoke_reason_given: a revoke needs the maker's reason unless every seal
 * it names is suspended (known only once the rules resolved the seals). */
static eseal_rc revoke_reason_given(struct wf_run *r)
{
    const struct business_type *t = r->produce.type;
    if (t != NULL && t->makes == BUSINESS_MAKES_REVOCATION && r->produce.reason == NULL &&
        !all_targets_suspended(r))
        return prob_set(
            r->p, ESEAL_E_INVALID, "reason",
            "撤销须给出原因（如 cessationOfOperation）/ revoking needs the reason given "
            "(e.g. cessationOfOperation)");
    return ESEAL_OK;
}

/* parse_produce_step reads the maker's options; the rules run again with
 * what registration and review recorded: the seals may have changed since
 * approval (a loss reported, …). */
static eseal_rc parse_produce_step(struct wf_run *r)
{
    struct produce_ctx *c = &r->produce;
    c->is = r->is;
    c->who = r->who;
    c->record = r->rec;
    c->doc = r->doc;
    c->type = business_type_find(wf_jstr(r->rec, "business"));
    c->entries = r->entries;
    c->p = r->p;
    r->onsite = json_incref(json_object_get(r->rec, "onsite"));
    r->acks = json_incref(json_object_get(r->rec, "acknowledged"));
    return parse_produce(r);
}

/* form_done: forms produced before a crash are not produced again. */
static bool form_done(const json_t *rec, size_t i)
{
    size_t k;
    json_t *a;
    json_array_foreach(json_object_get(rec, "applications"), k, a)
    {
        if (json_integer_value(json_object_get(a, "form")) == (json_int_t)i)
            return true;
    }
    return false;
}

static eseal_rc build_produce(struct wf_run *r)
{
    eseal_rc rc = revoke_reason_given(r);
    r->produce.targets = r->rules.res.targets; /* the seals the forms name, resolved */
    for (size_t i = 0; rc == ESEAL_OK && i < r->doc->n_forms; i++)
        if (!form_done(r->rec, i))
            rc = produce_form(&r->produce, i);
    return rc;
}

static const char *handover_text(const struct eseal_issuer_handover *h, size_t i)
{
    const char *const v[] = {h->collector_name, h->collector_id_number, h->letter_name,
                             h->letter_id_number};
    return v[i];
}

/* check_handover: what the maker records must be complete and well-formed. */
static eseal_rc check_handover(struct wf_run *r)
{
    static const char *const fields[] = {"collector_name", "collector_id_number", "letter_name",
                                         "letter_id_number"};
    const struct eseal_issuer_handover *h = r->in->handover;
    for (size_t i = 0; i < COUNT_OF(fields); i++) {
        const char *v = handover_text(h, i);
        if (v == NULL || v[0] == '\0' || strlen(v) > 100)
            return prob_set(r->p, ESEAL_E_INVALID, fields[i],
                            "必填（至多 100 字节）/ %s is required (at most 100 bytes)", fields[i]);
    }
    if (eseal_idnum_check(h->collector_id_number, 0) != ESEAL_ID_OK)
        return prob_set(r->p, ESEAL_E_INVALID, "collector_id_number",
                        "领取人身份证号码无效 / the collector's ID number is not a valid resident "
                        "identity number "
                        "(GB 11643)");
    if (h->introduction_letter == NULL || h->introduction_letter_len == 0)
        return prob_set(r->p, ESEAL_E_INVALID, "introduction_letter",
                        "the introduction letter (介绍信) is required");
    if (h->id_copy == NULL || h->id_copy_len == 0)
        return prob_set(r->p, ESEAL_E_INVALID, "id_copy",
                        "须提供加盖公章的领取人身份证复印件 / the stamped copy of the collector's "
                        "ID card is required");
    return ESEAL_OK;
}

/* parse_handover: the guide's rule that the collector the letter names is
 * the person collecting. */
static eseal_rc parse_handover(struct wf_run *r)
{
    const struct eseal_issuer_handover *h = r->in->handover;
    if (strcmp(h->collector_name, h->letter_name) != 0)
        return prob_set(r->p, ESEAL_E_RULE, "collector_name",
                        "the collector is not the person the introduction letter names "
                        "(介绍信所列领取人与实际领取人姓名不一致)");
    if (strcmp(h->collector_id_number, h->letter_id_number) != 0)
        return prob_set(r->p, ESEAL_E_RULE, "collector_id_number",
                        "the collector's ID number differs from the one in the introduction letter "
                        "(介绍信所列身份证号码与领取人不一致)");
    return ESEAL_OK;
}

/* handed_over adds seal.activated and application.handed_over for one
 * application; |commitment| names the private record of the collector. */
static void handed_over(struct wf_run *r, const json_t *a, const char *commitment,
                        const char *letter_sm3, const char *copy_sm3)
{
    const char *esid = wf_jstr(a, "esid");
    json_t *seal = NULL;
    if (esid == NULL || store_get_json(r->is, CF_SEALS, esid, &seal, NULL) != ESEAL_OK)
        return;
    json_t *data = seal_event_base(seal);
    char now[32];
    wf_now_ms(now);
    json_object_set_new(data, "status", json_string("good"));
    json_object_set_new(data, "activated_at", json_string(now));
    json_array_append_new(r->entries,
                          wf_event("seal.activated", r->who, r->id, wf_jstr(a, "id"), esid, data));
    json_t *hd =
        json_pack("{s:O,s:s,s:s,s:s,s:s}", "form", json_object_get(a, "form"), "esid", esid,
                  "commitment", commitment, "introduction_letter", letter_sm3, "id_copy", copy_sm3);
    json_array_append_new(
        r->entries, wf_event("application.handed_over", r->who, r->id, wf_jstr(a, "id"), esid, hd));
    json_decref(seal);
}

static eseal_rc build_handover(struct wf_run *r)
{
    const struct eseal_issuer_handover *h = r->in->handover;
    struct eseal_material_ref letter, copy;
    struct eseal_err e;
    eseal_err_clear(&e);
    if (eseal_blob_put(r->is->blob, ESEAL_MATERIAL_INTRODUCTION_LETTER, h->introduction_letter,
                       h->introduction_letter_len, &letter, NULL, &e) != ESEAL_OK)
        return prob_from(r->p, &e, "introduction_letter");
    if (eseal_blob_put(r->is->blob, ESEAL_MATERIAL_ID_COPY, h->id_copy, h->id_copy_len, &copy, NULL,
                       &e) != ESEAL_OK)
        return prob_from(r->p, &e, "id_copy");
    /* the collector is a person: the log gets only the commitment */
    char commitment[PRIVATE_COMMITMENT_HEX_LEN + 1];
    json_t *rec = json_pack("{s:{s:s,s:s}}", "collector", "name", h->collector_name, "id_number",
                            h->collector_id_number);
    if (private_put(r->is, "application.handed_over", rec, commitment, &e) != ESEAL_OK)
        return prob_from(r->p, &e, NULL);
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(r->rec, "applications"), i, a)
    {
        handed_over(r, a, commitment, letter.sm3, copy.sm3);
    }
    return ESEAL_OK;
}

/* ---- seals and staff ------------------------------------------------------------------- */

static eseal_rc check_no_body(struct wf_run *r)
{
    static const char *const none[] = {NULL};
    return r->in->body != NULL ? json_check_keys(r->in->body, none, "", r->p) : ESEAL_OK;
}

static eseal_rc build_suspend(struct wf_run *r)
{
    json_t *data = seal_event_base(r->rec);
    char now[32];
    wf_now_ms(now);
    json_object_set_new(data, "status", json_string("suspended"));
    json_object_set_new(data, "reason", json_string("certificateHold"));
    json_object_set_new(data, "suspended_at", json_string(now));
    json_array_append_new(r->entries, wf_event("seal.suspended", r->who, NULL, NULL, r->id, data));
    return ESEAL_OK;
}

/* check_reinstate reads {"token_id"}: the key presented on site. */
static eseal_rc check_reinstate(struct wf_run *r)
{
    static const char *const keys[] = {"token_id", NULL};
    const json_t *body = r->in->body;
    eseal_rc rc = body != NULL ? json_check_keys(body, keys, "", r->p) : ESEAL_OK;
    const json_t *tok = json_object_get(body, "token_id");
    if (rc == ESEAL_OK && tok != NULL && !eseal_token_id_valid(json_string_value(tok)))
        rc = prob_set(r->p, ESEAL_E_INVALID, "token_id",
                      "token_id 须为 USB KEY 编号（16 位小写十六进制）/ token_id must be a token "
                      "id (16 lower-case hex digits)");
    return rc;
}

/* parse_reinstate: a USB KEY seal is reinstated only with its own key
 * shown on site — the proof that the lost key was found. */
static eseal_rc parse_reinstate(struct wf_run *r)
{
    const char *bound = wf_jstr(r->rec, "token_id");
    const char *shown = wf_jstr(r->in->body, "token_id");
    const char *usb = eseal_form_key(ESEAL_ENUM_CERT_TYPE, (int)ESEAL_CERT_USB_KEY);
    const char *ct = wf_jstr(r->rec, "cert_type");
    if (ct == NULL || strcmp(ct, usb) != 0)
        return ESEAL_OK;
    if (shown == NULL)
        return prob_set(r->p, ESEAL_E_RULE, "token_id",
                        "解除挂失须现场出示找回的 USB KEY 并登记其编号 / lifting a suspension "
                        "needs the found USB KEY presented on site and its token_id recorded");
    if (bound == NULL || strcmp(bound, shown) != 0)
        return prob_set(r->p, ESEAL_E_RULE, "token_id",
                        "现场出示的 USB KEY 不是该印章绑定的 USB KEY / the USB KEY presented "
                        "on site is not the one bound to the seal");
    return ESEAL_OK;
}

/* build_reinstate: the seal is good again; the suspension's fields are
 * cleared from the version (null). */
static eseal_rc build_reinstate(struct wf_run *r)
{
    json_t *data = seal_event_base(r->rec);
    char now[32];
    wf_now_ms(now);
    json_object_set_new(data, "status", json_string("good"));
    json_object_set_new(data, "reason", json_null());
    json_object_set_new(data, "suspended_at", json_null());
    json_object_set_new(data, "reinstated_at", json_string(now));
    json_array_append_new(r->entries, wf_event("seal.reinstated", r->who, NULL, NULL, r->id, data));
    return ESEAL_OK;
}

/* staff_field names the field a staff.c message is about (they start with it). */
static void staff_field(const char *msg, char *field, size_t len)
{
    static const char *const fields[] = {"username", "password", "role", "unit", "city", "email"};
    field[0] = '\0';
    /* the field the message starts with ("password: ... the username"), else any it names */
    for (size_t i = 0; i < COUNT_OF(fields) && field[0] == '\0'; i++)
        if (strncmp(msg, fields[i], strlen(fields[i])) == 0 && msg[strlen(fields[i])] == ':')
            snprintf(field, len, "%s", fields[i]);
    for (size_t i = 0; i < COUNT_OF(fields) && field[0] == '\0'; i++)
        if (strstr(msg, fields[i]) != NULL)
            snprintf(field, len, "%s", fields[i]);
}

static eseal_rc build_staff(struct wf_run *r)
{
    struct eseal_staff_account acc;
    struct eseal_err e;
    eseal_err_clear(&e);
    if (eseal_staff_create_json(&r->is->staff, &acc, r->in->body, &e) != ESEAL_OK) {
        char field[32];
        staff_field(e.msg, field, sizeof(field));
        return prob_from(r->p, &e, field);
    }
    /* the account is written first: its password hash cannot go in the log,
     * nor its username (the public log has the opaque staff id) */
    json_t *data = json_pack("{s:s,s:s}", "staff", acc.id, "role", eseal_staff_role_name(acc.role));
    if (acc.unit[0] != '\0')
        json_object_set_new(data, "unit", json_string(acc.unit));
    if (acc.city[0] != '\0')
        json_object_set_new(data, "city", json_string(acc.city));
    json_array_append_new(r->entries, wf_event("staff.created", r->who, NULL, NULL, NULL, data));
    r->result = eseal_staff_account_json(&acc);
    return ESEAL_OK;
}

/* staff_changed logs |type| about the account r->id and shows the account.
 * The entry names the account by its opaque staff id only (the username
 * stays in the staff store, for admins): no password, no personal data. */
static eseal_rc staff_changed(struct wf_run *r, const char *type)
{
    struct eseal_staff_account acc;
    struct eseal_err e;
    eseal_err_clear(&e);
    if (eseal_staff_get(&r->is->staff, &acc, r->id, &e) != ESEAL_OK)
        return prob_from(r->p, &e, NULL);
    json_t *data = json_pack("{s:s}", "staff", acc.id);
    json_array_append_new(r->entries, wf_event(type, r->who, NULL, NULL, NULL, data));
    r->result = eseal_staff_account_json(&acc);
    return ESEAL_OK;
}

/* staff_call turns a staff.c result into the step's problem. */
static eseal_rc staff_call(struct wf_run *r, eseal_rc rc, const struct eseal_err *e)
{
    if (rc == ESEAL_OK)
        return ESEAL_OK;
    char field[32];
    staff_field(e->msg, field, sizeof(field));
    return prob_from(r->p, e, field[0] != '\0' ? field : NULL);
}

static eseal_rc build_staff_disable(struct wf_run *r)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = staff_call(r, eseal_staff_disable(&r->is->staff, r->id, &e), &e);
    return rc == ESEAL_OK ? staff_changed(r, "staff.disabled") : rc;
}

static eseal_rc build_staff_enable(struct wf_run *r)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = staff_call(r, eseal_staff_enable(&r->is->staff, r->id, &e), &e);
    return rc == ESEAL_OK ? staff_changed(r, "staff.enabled") : rc;
}

/* body_string reads the string |key| of the step's body into *out. */
static eseal_rc body_string(struct wf_run *r, const char *key, const json_t **out)
{
    *out = json_object_get(r->in->body, key);
    if (json_is_string(*out))
        return ESEAL_OK;
    return prob_set(r->p, ESEAL_E_INVALID, key, "%s: 须为字符串 / must be a string", key);
}

/* check_role takes {"role", "unit"?, "city"?}, strings only. */
static eseal_rc check_role(struct wf_run *r)
{
    static const char *const keys[] = {"role", "unit", "city", NULL};
    if (r->in->body == NULL)
        return prob_set(r->p, ESEAL_E_INVALID, "role", "role: 缺少此字段 / missing");
    eseal_rc rc = json_check_keys(r->in->body, keys, "", r->p);
    const json_t *v;
    for (size_t i = 0; rc == ESEAL_OK && keys[i] != NULL; i++)
        if (i == 0 || json_object_get(r->in->body, keys[i]) != NULL)
            rc = body_string(r, keys[i], &v);
    return rc;
}

/* build_staff_role changes the account's role (staff.c ends its sessions)
 * and logs staff.role_changed with the new role and scope, like
 * staff.created. */
static eseal_rc build_staff_role(struct wf_run *r)
{
    const json_t *b = r->in->body;
    struct eseal_staff_spec spec = {.username = r->id,
                                    .unit = json_string_value(json_object_get(b, "unit")),
                                    .city = json_string_value(json_object_get(b, "city"))};
    struct eseal_err e;
    eseal_err_clear(&e);
    if (!eseal_staff_role_parse(&spec.role, json_string_value(json_object_get(b, "role"))))
        return prob_set(r->p, ESEAL_E_INVALID, "role",
                        "role: 角色须为 agent、aggregator、maker、reviewer 或 admin / "
                        "role must be agent, aggregator, maker, reviewer or admin");
    struct eseal_staff_account acc;
    eseal_rc rc = staff_call(r, eseal_staff_set_role(&r->is->staff, &spec, &acc, &e), &e);
    if (rc != ESEAL_OK)
        return rc;
    json_t *data = json_pack("{s:s,s:s}", "staff", acc.id, "role", eseal_staff_role_name(acc.role));
    if (acc.unit[0] != '\0')
        json_object_set_new(data, "unit", json_string(acc.unit));
    if (acc.city[0] != '\0')
        json_object_set_new(data, "city", json_string(acc.city));
    json_array_append_new(r->entries,
                          wf_event("staff.role_changed", r->who, NULL, NULL, NULL, data));
    r->result = eseal_staff_account_json(&acc);
    return ESEAL_OK;
}

static eseal_rc check_reset(struct wf_run *r)
{
    static const char *const keys[] = {"password", NULL};
    const json_t *pw;
    eseal_rc rc = r->in->body != NULL ? json_check_keys(r->in->body, keys, "", r->p)
                                      : prob_set(r->p, ESEAL_E_INVALID, "password",
                                                 "password: 缺少此字段 / missing");
    return rc == ESEAL_OK ? body_string(r, "password", &pw) : rc;
}

static eseal_rc build_staff_reset(struct wf_run *r)
{
    const json_t *pw = json_object_get(r->in->body, "password");
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc =
        eseal_staff_reset(&r->is->staff, r->id, json_string_value(pw), json_string_length(pw), &e);
    rc = staff_call(r, rc, &e);
    return rc == ESEAL_OK ? staff_changed(r, "staff.password_reset") : rc;
}

static eseal_rc check_passwd(struct wf_run *r)
{
    static const char *const keys[] = {"old_password", "new_password", NULL};
    const json_t *pw;
    eseal_rc rc = r->in->body != NULL ? json_check_keys(r->in->body, keys, "", r->p)
                                      : prob_set(r->p, ESEAL_E_INVALID, "old_password",
                                                 "old_password: 缺少此字段 / missing");
    if (rc == ESEAL_OK)
        rc = body_string(r, "old_password", &pw);
    return rc == ESEAL_OK ? body_string(r, "new_password", &pw) : rc;
}

static eseal_rc build_staff_passwd(struct wf_run *r)
{
    const json_t *old = json_object_get(r->in->body, "old_password");
    const json_t *pw = json_object_get(r->in->body, "new_password");
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = eseal_staff_passwd(&r->is->staff, r->who->username, json_string_value(old),
                                     json_string_length(old), json_string_value(pw),
                                     json_string_length(pw), &e);
    if (rc != ESEAL_OK) {
        char field[32] = "new_password";
        if (strncmp(e.msg, "old_password", 12) == 0)
            snprintf(field, sizeof(field), "old_password");
        return prob_from(r->p, &e, field);
    }
    r->id = r->who->username;
    return staff_changed(r, "staff.password_changed");
}

/* ---- batches (batch.c does the work) ------------------------------------------------ */

static eseal_rc build_batch_create(struct wf_run *r)
{
    eseal_rc rc = batch_create(r->is, r->who, r->in->body, r->entries, r->new_id, r->p);
    if (rc == ESEAL_OK)
        r->id = r->new_id;
    return rc;
}

static eseal_rc build_batch_add(struct wf_run *r)
{
    return batch_add(r->is, r->who, r->rec, r->in->body, r->entries, r->p);
}

static eseal_rc build_batch_summary(struct wf_run *r)
{
    return batch_summary(r->is, r->who, r->rec, r->in->uploads, r->in->n_uploads, r->entries, r->p);
}

static eseal_rc build_batch_submit(struct wf_run *r)
{
    return batch_submit(r->is, r->who, r->rec, r->entries, r->p);
}

/* ---- impression pictures (印模电子化) ------------------------------------------------ */

/* picture_form reads the form index |v| of the body against the record's
 * form count and checks that the business type takes a new picture. */
static eseal_rc picture_form(struct wf_run *r, const json_t *v, size_t *form)
{
    json_int_t n = json_integer_value(json_object_get(r->rec, "forms"));
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) >= n)
        return prob_set(r->p, ESEAL_E_INVALID, "form",
                        "申请表序号须在 0 至 %" JSON_INTEGER_FORMAT
                        " 之间 / form must be a form index 0..%" JSON_INTEGER_FORMAT,
                        n - 1, n - 1);
    *form = (size_t)json_integer_value(v);
    return picture_business(wf_jstr(r->rec, "business"), r->p);
}

/* parse_impression: the body is impression.c's (the processed picture's
 * fields and "metrics" for the answer only), checked against the record
 * again under the lock. */
static eseal_rc parse_impression(struct wf_run *r)
{
    size_t form;
    return picture_form(r, json_object_get(r->in->body, "form"), &form);
}

static eseal_rc build_impression(struct wf_run *r)
{
    json_t *data = json_deep_copy(r->in->body);
    json_object_del(data, "metrics");
    r->result = json_deep_copy(r->in->body);
    json_object_update(r->result, json_object_get(r->in->body, "metrics"));
    json_object_del(r->result, "metrics");
    add_entry(r, "submission.picture_processed", data);
    return ESEAL_OK;
}

static eseal_rc check_picture_accept(struct wf_run *r)
{
    static const char *const keys[] = {"form", "sm3", NULL};
    if (r->in->body == NULL)
        return prob_set(r->p, ESEAL_E_INVALID, NULL,
                        "请求体须为 JSON 对象 / a JSON object is required as the body");
    return json_check_keys(r->in->body, keys, "", r->p);
}

/* parse_picture_accept: the picture must be one processed for this form
 * of this submission; r->result keeps it for build. */
static eseal_rc parse_picture_accept(struct wf_run *r)
{
    size_t form;
    eseal_rc rc = picture_form(r, json_object_get(r->in->body, "form"), &form);
    if (rc != ESEAL_OK)
        return rc;
    const char *sm3 = wf_jstr(r->in->body, "sm3");
    size_t i;
    json_t *pic;
    json_array_foreach(json_object_get(r->rec, "pictures"), i, pic)
    {
        const char *have = wf_jstr(pic, "sm3");
        if (sm3 != NULL && have != NULL && strcmp(sm3, have) == 0 &&
            json_integer_value(json_object_get(pic, "form")) == (json_int_t)form) {
            r->picture = pic;
            return ESEAL_OK;
        }
    }
    return prob_set(r->p, ESEAL_E_INVALID, "sm3",
                    "不是本申报第 %zu 份申请表的印模处理结果 / %.64s is not a picture processed "
                    "for form %zu of this submission",
                    form, sm3 != NULL ? sm3 : "(none)", form);
}

static eseal_rc build_picture_accept(struct wf_run *r)
{
    add_entry(r, "submission.picture_accepted",
              json_pack("{s:O,s:O,s:O}", "form", json_object_get(r->picture, "form"), "sm3",
                        json_object_get(r->picture, "sm3"), "scan_sm3",
                        json_object_get(r->picture, "scan_sm3")));
    return ESEAL_OK;
}

/* ---- the table ----------------------------------------------------------------------- */

enum step_id {
    STEP_CREATE,
    STEP_UPDATE,
    STEP_MATERIALS,
    STEP_SUBMIT,
    STEP_REGISTER,
    STEP_REVIEW,
    STEP_PRODUCE,
    STEP_HANDOVER,
    STEP_SUSPEND,
    STEP_STAFF_CREATE,
    STEP_REINSTATE,
    STEP_STAFF_DISABLE,
    STEP_STAFF_ENABLE,
    STEP_STAFF_RESET,
    STEP_STAFF_PASSWD,
    STEP_BATCH_CREATE,
    STEP_BATCH_ADD,
    STEP_BATCH_SUMMARY,
    STEP_BATCH_SUBMIT,
    STEP_STAFF_ROLE,
    STEP_IMPRESSION,
    STEP_PICTURE_ACCEPT,
    STEP_COUNT
};

#define EDITABLE (WF_FROM(WF_DRAFT) | WF_FROM(WF_REJECTED))
#define SEAL_FROM(s) (1u << (s))
#define BATCH_FROM(s) (1u << (s))
/* impression pictures: after registration, before production */
#define PICTURE_FROM (WF_FROM(WF_REGISTERED) | WF_FROM(WF_APPROVED))

/* clang-format off */
const struct wf_step wf_steps[STEP_COUNT] = {
    [STEP_CREATE] = {"create", "creating a submission", ESEAL_ACTION_SUBMISSION_CREATE,
        WF_SUBJECT_NONE, 0, WF_RULES_NONE, NULL, NULL, build_create,
        {"submission.created"}},
    [STEP_UPDATE] = {"update", "changing the document", ESEAL_ACTION_SUBMISSION_CREATE,
        WF_SUBJECT_SUBMISSION, EDITABLE, WF_RULES_NONE, NULL, NULL, build_update,
        {"submission.updated"}},
    [STEP_MATERIALS] = {"materials", "adding materials", ESEAL_ACTION_SUBMISSION_UPLOAD,
        WF_SUBJECT_SUBMISSION, EDITABLE, WF_RULES_NONE, check_materials, parse_materials,
        build_materials, {"submission.material_added"}},
    [STEP_SUBMIT] = {"submit", "submitting", ESEAL_ACTION_SUBMISSION_SUBMIT,
        WF_SUBJECT_SUBMISSION, EDITABLE | WF_FROM(WF_COLLECTED), WF_RULES_SUBMIT, NULL,
        parse_submit, build_submit,
        {"submission.submitted", "submission.resubmitted", "submission.collected"}},
    [STEP_REGISTER] = {"register", "registering", ESEAL_ACTION_SUBMISSION_REGISTER,
        WF_SUBJECT_SUBMISSION, WF_FROM(WF_SUBMITTED), WF_RULES_REGISTER, NULL, parse_register,
        build_register, {"submission.registered"}},
    [STEP_REVIEW] = {"review", "reviewing", ESEAL_ACTION_SUBMISSION_REVIEW,
        WF_SUBJECT_SUBMISSION, WF_FROM(WF_REGISTERED), WF_RULES_APPROVE, check_review,
        parse_review, build_review, {"submission.approved", "submission.rejected"}},
    [STEP_PRODUCE] = {"produce", "producing", ESEAL_ACTION_SUBMISSION_PRODUCE,
        WF_SUBJECT_SUBMISSION, WF_FROM(WF_APPROVED), WF_RULES_APPROVE, NULL, parse_produce_step,
        build_produce, {"seal.issued", "seal.reissued", "seal.renewed", "seal.changed",
                        "seal.revoked", "token.unlocked", "application.produced"}},
    [STEP_HANDOVER] = {"handover", "handing over", ESEAL_ACTION_SUBMISSION_HANDOVER,
        WF_SUBJECT_SUBMISSION, WF_FROM(WF_PRODUCED), WF_RULES_NONE, check_handover,
        parse_handover, build_handover, {"seal.activated", "application.handed_over"}},
    [STEP_SUSPEND] = {"suspend", "suspending", ESEAL_ACTION_SEAL_SUSPEND, WF_SUBJECT_SEAL,
        SEAL_FROM(ESEAL_SEAL_STATE_GOOD) | SEAL_FROM(ESEAL_SEAL_STATE_PENDING), WF_RULES_NONE,
        check_no_body, NULL, build_suspend, {"seal.suspended"}},
    [STEP_STAFF_CREATE] = {"staff_create", "creating an account", ESEAL_ACTION_STAFF_CREATE,
        WF_SUBJECT_NONE, 0, WF_RULES_NONE, NULL, NULL, build_staff, {"staff.created"}},
    [STEP_REINSTATE] = {"reinstate", "lifting a suspension", ESEAL_ACTION_SEAL_REINSTATE,
        WF_SUBJECT_SEAL, SEAL_FROM(ESEAL_SEAL_STATE_SUSPENDED), WF_RULES_NONE, check_reinstate,
        parse_reinstate, build_reinstate, {"seal.reinstated"}},
    [STEP_STAFF_DISABLE] = {"staff_disable", "disabling an account", ESEAL_ACTION_STAFF_DISABLE,
        WF_SUBJECT_NONE, 0, WF_RULES_NONE, check_no_body, NULL, build_staff_disable,
        {"staff.disabled"}},
    [STEP_STAFF_ENABLE] = {"staff_enable", "enabling an account", ESEAL_ACTION_STAFF_ENABLE,
        WF_SUBJECT_NONE, 0, WF_RULES_NONE, check_no_body, NULL, build_staff_enable,
        {"staff.enabled"}},
    [STEP_STAFF_RESET] = {"staff_reset", "resetting a password", ESEAL_ACTION_STAFF_RESET,
        WF_SUBJECT_NONE, 0, WF_RULES_NONE, check_reset, NULL, build_staff_reset,
        {"staff.password_reset"}},
    [STEP_STAFF_PASSWD] = {"staff_passwd", "changing one's password", ESEAL_ACTION_SESSION_PASSWD,
        WF_SUBJECT_NONE, 0, WF_RULES_NONE, check_passwd, NULL, build_staff_passwd,
        {"staff.password_changed"}},
    [STEP_BATCH_CREATE] = {"batch_create", "creating a batch", ESEAL_ACTION_BATCH_MANAGE,
        WF_SUBJECT_NONE, 0, WF_RULES_NONE, NULL, NULL, build_batch_create, {"batch.created"}},
    [STEP_BATCH_ADD] = {"batch_add", "adding to a batch", ESEAL_ACTION_BATCH_MANAGE,
        WF_SUBJECT_BATCH, BATCH_FROM(BATCH_OPEN), WF_RULES_NONE, NULL, NULL, build_batch_add,
        {"batch.item_added"}},
    [STEP_BATCH_SUMMARY] = {"batch_summary", "attaching a summary table",
        ESEAL_ACTION_BATCH_MANAGE, WF_SUBJECT_BATCH, BATCH_FROM(BATCH_OPEN), WF_RULES_NONE, NULL,
        NULL, build_batch_summary, {"batch.summary_set"}},
    [STEP_BATCH_SUBMIT] = {"batch_submit", "submitting a batch", ESEAL_ACTION_BATCH_MANAGE,
        WF_SUBJECT_BATCH, BATCH_FROM(BATCH_OPEN), WF_RULES_NONE, check_no_body, NULL,
        build_batch_submit, {"batch.submitted", "submission.submitted", "submission.resubmitted"}},
    [STEP_STAFF_ROLE] = {"staff_role", "changing an account's role", ESEAL_ACTION_STAFF_ROLE,
        WF_SUBJECT_NONE, 0, WF_RULES_NONE, check_role, NULL, build_staff_role,
        {"staff.role_changed"}},
    [STEP_IMPRESSION] = {"impression", "processing an impression", ESEAL_ACTION_SUBMISSION_PRODUCE,
        WF_SUBJECT_SUBMISSION, PICTURE_FROM, WF_RULES_NONE, NULL, parse_impression,
        build_impression, {"submission.picture_processed"}},
    [STEP_PICTURE_ACCEPT] = {"picture_accept", "accepting a picture",
        ESEAL_ACTION_SUBMISSION_PRODUCE, WF_SUBJECT_SUBMISSION, PICTURE_FROM, WF_RULES_NONE,
        check_picture_accept, parse_picture_accept, build_picture_accept,
        {"submission.picture_accepted"}},
};
/* clang-format on */
const size_t wf_n_steps = STEP_COUNT;

/* staff_user names the account a staff step writes before its log entry
 * (the new one, the caller's own for a password change, else the subject),
 * or NULL for a step that writes nothing before the commit. */
static const char *staff_user(const struct wf_run *r)
{
    if (strncmp(r->step->events[0], "staff.", 6) != 0)
        return NULL;
    if (r->step == &wf_steps[STEP_STAFF_CREATE])
        return json_string_value(json_object_get(r->in->body, "username"));
    return r->step == &wf_steps[STEP_STAFF_PASSWD] ? r->who->username : r->id;
}

/* build_commit builds the step's entries and commits them. A staff step
 * changes the account first; if the commit fails the account is put back as
 * it was, so a refused step leaves nothing behind. */
static eseal_rc build_commit(struct wf_run *r)
{
    const char *user = staff_user(r);
    struct eseal_buf saved;
    eseal_buf_init(&saved);
    bool found = false;
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = ESEAL_OK;
    if (user != NULL &&
        eseal_staff_record_save(&r->is->staff, user, &saved, &found, &e) != ESEAL_OK)
        rc = prob_from(r->p, &e, NULL);
    if (rc == ESEAL_OK)
        rc = r->step->build(r);
    if (rc == ESEAL_OK) {
        rc = commit_entries(r);
        if (rc != ESEAL_OK && user != NULL &&
            eseal_staff_record_restore(&r->is->staff, user, &saved, found, &e) != ESEAL_OK)
            fprintf(stderr, "eseal-issuerd: %s: the account %s could not be put back: %s\n",
                    r->step->doing, user, e.msg);
    }
    eseal_buf_cleanup(&saved);
    return rc;
}

const struct wf_step *wf_step_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < STEP_COUNT; i++)
        if (strcmp(wf_steps[i].name, name) == 0)
            return &wf_steps[i];
    return NULL;
}

/* ---- the public calls: one row each ------------------------------------------------------ */

static eseal_rc step_json(struct eseal_issuer *is, enum step_id s,
                          const struct eseal_staff_principal *who, const char *id,
                          const json_t *body, json_t **view, struct eseal_issuer_problem *p)
{
    struct wf_input in = {.body = body};
    return wf_step_run(is, &wf_steps[s], who, id, &in, view, p);
}

eseal_rc eseal_issuer_submission_create(struct eseal_issuer *is,
                                        const struct eseal_staff_principal *who, const json_t *doc,
                                        json_t **view, struct eseal_issuer_problem *p)
{
    return step_json(is, STEP_CREATE, who, NULL, doc, view, p);
}

eseal_rc eseal_issuer_submission_update(struct eseal_issuer *is,
                                        const struct eseal_staff_principal *who, const char *id,
                                        const json_t *doc, json_t **view,
                                        struct eseal_issuer_problem *p)
{
    return step_json(is, STEP_UPDATE, who, id, doc, view, p);
}

eseal_rc eseal_issuer_submission_add_materials(struct eseal_issuer *is,
                                               const struct eseal_staff_principal *who,
                                               const char *id, const struct eseal_issuer_upload *up,
                                               size_t n, json_t **refs,
                                               struct eseal_issuer_problem *p)
{
    struct wf_input in = {.uploads = up, .n_uploads = n};
    return wf_step_run(is, &wf_steps[STEP_MATERIALS], who, id, &in, refs, p);
}

eseal_rc eseal_issuer_submission_submit(struct eseal_issuer *is,
                                        const struct eseal_staff_principal *who, const char *id,
                                        json_t **view, struct eseal_issuer_problem *p)
{
    return step_json(is, STEP_SUBMIT, who, id, NULL, view, p);
}

eseal_rc eseal_issuer_submission_register(struct eseal_issuer *is,
                                          const struct eseal_staff_principal *who, const char *id,
                                          const json_t *body, json_t **view,
                                          struct eseal_issuer_problem *p)
{
    return step_json(is, STEP_REGISTER, who, id, body, view, p);
}

eseal_rc eseal_issuer_submission_review(struct eseal_issuer *is,
                                        const struct eseal_staff_principal *who, const char *id,
                                        const json_t *body, json_t **view,
                                        struct eseal_issuer_problem *p)
{
    return step_json(is, STEP_REVIEW, who, id, body, view, p);
}

eseal_rc eseal_issuer_submission_produce(struct eseal_issuer *is,
                                         const struct eseal_staff_principal *who, const char *id,
                                         const json_t *body, json_t **view,
                                         struct eseal_issuer_problem *p)
{
    return step_json(is, STEP_PRODUCE, who, id, body, view, p);
}

eseal_rc wf_picture_processed(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                              const char *id, const json_t *picture, json_t **view,
                              struct eseal_issuer_problem *p)
{
    return step_json(is, STEP_IMPRESSION, who, id, picture, view, p);
}

eseal_rc eseal_issuer_submission_picture_accept(struct eseal_issuer *is,
                                                const struct eseal_staff_principal *who,
                                                const char *id, const json_t *body, json_t **view,
                                                struct eseal_issuer_problem *p)
{
    return step_json(is, STEP_PICTURE_ACCEPT, who, id, body, view, p);
}

eseal_rc eseal_issuer_submission_handover(struct eseal_issuer *is,
                                          const struct eseal_staff_principal *who, const char *id,
                                          const struct eseal_issuer_handover *h, json_t **view,
                                          struct eseal_issuer_problem *p)
{
    struct wf_input in = {.handover = h};
    return wf_step_run(is, &wf_steps[STEP_HANDOVER], who, id, &in, view, p);
}

eseal_rc eseal_issuer_seal_suspend(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const char *esid, const json_t *body, json_t **view,
                                   struct eseal_issuer_problem *p)
{
    return step_json(is, STEP_SUSPEND, who, esid, body, view, p);
}

eseal_rc eseal_issuer_seal_reinstate(struct eseal_issuer *is,
                                     const struct eseal_staff_principal *who, const char *esid,
                                     const json_t *body, json_t **view,
                                     struct eseal_issuer_problem *p)
{
    return step_json(is, STEP_REINSTATE, who, esid, body, view, p);
}

eseal_rc eseal_issuer_staff_create(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const json_t *body, json_t **view,
                                   struct eseal_issuer_problem *p)
{
    return step_json(is, STEP_STAFF_CREATE, who, NULL, body, view, p);
}

eseal_rc eseal_issuer_staff_change(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const char *change, const char *username, const json_t *body,
                                   json_t **view, struct eseal_issuer_problem *p)
{
    static const struct {
        const char *change;
        enum step_id step;
    } changes[] = {
        {"disable", STEP_STAFF_DISABLE}, {"enable", STEP_STAFF_ENABLE}, {"reset", STEP_STAFF_RESET},
        {"passwd", STEP_STAFF_PASSWD},   {"role", STEP_STAFF_ROLE},
    };
    for (size_t i = 0; i < COUNT_OF(changes); i++)
        if (strcmp(changes[i].change, change) == 0)
            return step_json(is, changes[i].step, who, username, body, view, p);
    return prob_set(p, ESEAL_E_INTERNAL, NULL, "no staff change %s", change);
}

eseal_rc eseal_issuer_batch_create(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const json_t *body, json_t **view,
                                   struct eseal_issuer_problem *p)
{
    return step_json(is, STEP_BATCH_CREATE, who, NULL, body, view, p);
}

eseal_rc eseal_issuer_batch_add(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                const char *id, const json_t *body, json_t **view,
                                struct eseal_issuer_problem *p)
{
    return step_json(is, STEP_BATCH_ADD, who, id, body, view, p);
}

eseal_rc eseal_issuer_batch_summary(struct eseal_issuer *is,
                                    const struct eseal_staff_principal *who, const char *id,
                                    const struct eseal_issuer_upload *up, size_t n, json_t **view,
                                    struct eseal_issuer_problem *p)
{
    struct wf_input in = {.uploads = up, .n_uploads = n};
    return wf_step_run(is, &wf_steps[STEP_BATCH_SUMMARY], who, id, &in, view, p);
}

eseal_rc eseal_issuer_batch_submit(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                   const char *id, json_t **view, struct eseal_issuer_problem *p)
{
    return step_json(is, STEP_BATCH_SUBMIT, who, id, NULL, view, p);
}
