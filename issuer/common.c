/* common.c — what the issuer's transitions, projection and views share:
 * problems (the domain's error reports), strict key checks, ID masking,
 * timestamps, access checks and loading a submission with its rules run. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "region.h"
#include "internal.h"

/* ---- problems ------------------------------------------------------------------ */

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

eseal_rc prob_from(struct eseal_issuer_problem *p, const struct eseal_err *e, const char *field)
{
    return prob_set(p, e->rc == ESEAL_OK ? ESEAL_E_INTERNAL : e->rc, field, "%s", e->msg);
}

json_t *eseal_issuer_problem_json(const struct eseal_issuer_problem *p)
{
    eseal_rc rc = p->err.rc == ESEAL_OK ? ESEAL_E_INTERNAL : p->err.rc;
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
        return prob_set(p, ESEAL_E_INVALID, where, "%s 须为 JSON 对象 / %s must be a JSON object",
                        where[0] != '\0' ? where : "请求体",
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
            return prob_set(p, ESEAL_E_INVALID, field, "未知字段 %s / unknown field \"%s\"", field,
                            field);
        }
    }
    return ESEAL_OK;
}

/* ---- small helpers ---------------------------------------------------------------- */

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
    eseal_json_time_now(out, 32, true);
}

const char *wf_jstr(const json_t *o, const char *key)
{
    return eseal_json_str(o, key);
}

time_t wf_parse_iso(const char *s)
{
    int64_t t = 0;
    return eseal_json_time_parse(s, &t) ? (time_t)t : 0;
}

/* ---- access ---------------------------------------------------------------------- */

eseal_rc wf_require(const struct eseal_staff_principal *who, enum eseal_staff_action a,
                    struct eseal_issuer_problem *p)
{
    if (eseal_staff_allowed(who->role, a))
        return ESEAL_OK;
    return prob_set(p, ESEAL_E_DENIED, NULL, "角色 %s 无权执行 %s / role %s may not %s",
                    eseal_staff_role_name(who->role), eseal_staff_action_name(a),
                    eseal_staff_role_name(who->role), eseal_staff_action_name(a));
}

bool wf_visible(const struct eseal_staff_principal *who, const json_t *rec)
{
    return eseal_staff_can_see_submission(who, wf_jstr(json_object_get(rec, "unit"), "uscc"),
                                          wf_jstr(rec, "filed_city"));
}

eseal_rc wf_load_visible(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                         const char *id, json_t **rec, struct eseal_issuer_problem *p)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = id != NULL && id[0] != '\0' ? store_get_json(is, CF_SUBMISSIONS, id, rec, &e)
                                              : ESEAL_E_NOTFOUND;
    if (rc == ESEAL_OK && !wf_visible(who, *rec)) {
        json_decref(*rec);
        *rec = NULL;
        rc = ESEAL_E_NOTFOUND;
    }
    if (rc == ESEAL_E_NOTFOUND)
        return prob_set(p, rc, NULL, "没有申报 %.40s / no submission %.40s", id != NULL ? id : "",
                        id != NULL ? id : "");
    return rc == ESEAL_OK ? ESEAL_OK : prob_from(p, &e, NULL);
}

eseal_rc wf_seal_visible(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                         const char *esid, json_t **seal, struct eseal_issuer_problem *p)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = esid != NULL && strlen(esid) == ESEAL_ESID_LEN
                      ? store_get_json(is, CF_SEALS, esid, seal, &e)
                      : ESEAL_E_NOTFOUND;
    if (rc == ESEAL_OK &&
        !eseal_staff_can_see_submission(who, wf_jstr(*seal, "uscc"), wf_jstr(*seal, "city"))) {
        json_decref(*seal);
        *seal = NULL;
        rc = ESEAL_E_NOTFOUND;
    }
    if (rc == ESEAL_E_NOTFOUND)
        return prob_set(p, rc, NULL, "没有印章 %.20s / no seal %.20s", esid != NULL ? esid : "",
                        esid != NULL ? esid : "");
    return rc == ESEAL_OK ? ESEAL_OK : prob_from(p, &e, NULL);
}

eseal_rc wf_load_doc(struct eseal_issuer *is, const json_t *rec, struct eseal_submission **doc,
                     struct eseal_issuer_problem *p)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = store_artefact_get(is, wf_jstr(rec, "document"), &b, &e);
    if (rc == ESEAL_OK)
        rc = eseal_submission_parse(doc, (const char *)b.data, b.len, &e);
    eseal_buf_cleanup(&b);
    return rc == ESEAL_OK ? ESEAL_OK : prob_from(p, &e, NULL);
}

/* ---- the rules over a stored submission ---------------------------------------------- */

/* rules_materials lists the record's materials for the rules. */
static struct eseal_material_ref *rules_materials(const json_t *mats)
{
    struct eseal_material_ref *out = eseal_xcalloc(json_array_size(mats) + 1, sizeof(*out));
    size_t i;
    json_t *m;
    json_array_foreach(mats, i, m)
    {
        int kind = 0;
        eseal_form_enum_parse(ESEAL_ENUM_MATERIAL, wf_jstr(m, "kind"), &kind);
        out[i].kind = (enum eseal_material_kind)kind;
        snprintf(out[i].sm3, sizeof(out[i].sm3), "%s", wf_jstr(m, "sm3"));
    }
    return out;
}

eseal_rc wf_rules_run(struct eseal_issuer *is, struct wf_rules_run *r, const json_t *rec,
                      const struct eseal_submission *doc, const json_t *onsite, const json_t *acks,
                      struct eseal_issuer_problem *p)
{
    memset(r, 0, sizeof(*r));
    eseal_rules_result_init(&r->res);
    json_t *mats = json_object_get(rec, "materials");
    r->mats = rules_materials(mats);
    r->onsite = eseal_xcalloc(json_array_size(onsite) + 1, sizeof(*r->onsite));
    size_t i;
    json_t *m;
    json_array_foreach(onsite, i, m)
    {
        r->onsite[i].esid = wf_jstr(m, "esid");
        r->onsite[i].token_id = wf_jstr(m, "token_id");
    }
    r->acks = eseal_xcalloc(json_array_size(acks) + 1, sizeof(*r->acks));
    json_array_foreach(acks, i, m) r->acks[i] = json_string_value(m);
    r->in.submission = doc;
    r->in.materials = r->mats;
    r->in.n_materials = json_array_size(mats);
    r->in.read_material = eseal_blob_reader;
    r->in.material_ctx = is->blob;
    r->in.lookup_seal = wf_seal_lookup;
    r->in.list_seals = wf_seal_list;
    r->in.lookup_ctx = is;
    r->in.acks = r->acks;
    r->in.n_acks = json_array_size(acks);
    r->in.onsite = r->onsite;
    r->in.n_onsite = json_array_size(onsite);
    struct eseal_err e;
    eseal_err_clear(&e);
    if (eseal_rules_run(&r->res, &r->in, &e) != ESEAL_OK)
        return prob_from(p, &e, NULL);
    return ESEAL_OK;
}

void wf_rules_done(struct wf_rules_run *r)
{
    eseal_rules_result_cleanup(&r->res);
    free(r->mats);
    free(r->onsite);
    free(r->acks);
}
