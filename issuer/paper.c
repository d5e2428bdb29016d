/* paper.c — the paper originals (纸质原件): which materials of a submission
 * must come as signed and stamped paper, which of the guide's points apply
 * to each kind, the maker's record at registration and the reviewer's flags.
 * Everything here is keys and digests: nothing typed by a person. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define PT(x) (1u << (x))

static const struct eseal_label point_labels[PAPER_POINT_COUNT] = {
    [PAPER_RED_HEADER] = {"red_header", "红头文件", "red header"},
    [PAPER_UNIT_SEAL] = {"unit_seal", "加盖单位公章", "unit seal stamped"},
    [PAPER_LEADER_SIGNATURE] = {"leader_signature", "负责人签字", "signed by the leader"},
    [PAPER_NO_ALTERATIONS] = {"no_alterations", "无涂改", "no alterations"},
    [PAPER_IMPRESSION_CLEAR] = {"impression_clear", "印模清晰", "impression clear"},
};

/* The points each kind's original is checked for (docs/issuer-domain.md,
 * "Paper"). Kinds without points (CSR; the introduction letter and ID copy,
 * which come at collection) have no paper original at registration. */
static const unsigned kind_points[] = {
    [ESEAL_MATERIAL_LETTER] = PT(PAPER_RED_HEADER) | PT(PAPER_UNIT_SEAL) |
                              PT(PAPER_LEADER_SIGNATURE) | PT(PAPER_NO_ALTERATIONS),
    [ESEAL_MATERIAL_FORM] =
        PT(PAPER_UNIT_SEAL) | PT(PAPER_LEADER_SIGNATURE) | PT(PAPER_NO_ALTERATIONS),
    [ESEAL_MATERIAL_SUMMARY_TABLE] = PT(PAPER_UNIT_SEAL) | PT(PAPER_NO_ALTERATIONS),
    [ESEAL_MATERIAL_IMPRESSION] = PT(PAPER_IMPRESSION_CLEAR),
    [ESEAL_MATERIAL_CSR] = 0,
    [ESEAL_MATERIAL_JUSTIFICATION] =
        PT(PAPER_UNIT_SEAL) | PT(PAPER_LEADER_SIGNATURE) | PT(PAPER_NO_ALTERATIONS),
    [ESEAL_MATERIAL_INTRODUCTION_LETTER] = 0,
    [ESEAL_MATERIAL_ID_COPY] = 0,
};

const struct eseal_label *paper_point_label(enum paper_point pt)
{
    return (unsigned)pt < PAPER_POINT_COUNT ? &point_labels[pt] : NULL;
}

bool paper_point_parse(const char *key, enum paper_point *out)
{
    for (int i = 0; key != NULL && i < PAPER_POINT_COUNT; i++)
        if (strcmp(point_labels[i].key, key) == 0) {
            *out = (enum paper_point)i;
            return true;
        }
    return false;
}

static unsigned points_of(enum eseal_material_kind kind)
{
    return (unsigned)kind < COUNT_OF(kind_points) ? kind_points[kind] : 0;
}

json_t *paper_checklist(void)
{
    json_t *out = json_array();
    for (int k = 1; k <= eseal_form_enum_count(ESEAL_ENUM_MATERIAL); k++) {
        unsigned pts = points_of((enum eseal_material_kind)k);
        if (pts == 0)
            continue;
        json_t *points = json_array();
        for (int pt = 0; pt < PAPER_POINT_COUNT; pt++)
            if ((pts & PT(pt)) != 0)
                json_array_append_new(points,
                                      json_pack("{s:s,s:s,s:s}", "key", point_labels[pt].key, "zh",
                                                point_labels[pt].zh, "en", point_labels[pt].en));
        json_array_append_new(out,
                              json_pack("{s:s,s:o}", "kind", eseal_form_key(ESEAL_ENUM_MATERIAL, k),
                                        "points", points));
    }
    return out;
}

/* add_required appends {material, kind} once for each paper material. */
static void add_required(json_t *out, const char *sm3, enum eseal_material_kind kind)
{
    if (sm3 == NULL || points_of(kind) == 0)
        return;
    size_t i;
    json_t *o;
    json_array_foreach(out, i, o)
    {
        if (strcmp(wf_jstr(o, "material"), sm3) == 0)
            return;
    }
    json_array_append_new(out, json_pack("{s:s,s:s}", "material", sm3, "kind",
                                         eseal_form_key(ESEAL_ENUM_MATERIAL, (int)kind)));
}

json_t *paper_required(const struct eseal_submission *doc)
{
    json_t *out = json_array();
    add_required(out, doc->letter.material, ESEAL_MATERIAL_LETTER);
    if (doc->summary != NULL)
        add_required(out, doc->summary->material, ESEAL_MATERIAL_SUMMARY_TABLE);
    for (size_t i = 0; i < doc->n_forms; i++) {
        const struct eseal_form *f = &doc->forms[i];
        add_required(out, f->material, ESEAL_MATERIAL_FORM);
        add_required(out, f->impression, ESEAL_MATERIAL_IMPRESSION);
        for (size_t k = 0; k < f->n_special; k++)
            add_required(out, f->special[k].justification, ESEAL_MATERIAL_JUSTIFICATION);
    }
    return out;
}

/* required_kind returns the kind of |sm3| among the required (NULL: none). */
static const char *required_kind(const json_t *required, const char *sm3)
{
    size_t i;
    json_t *o;
    json_array_foreach(required, i, o)
    {
        if (strcmp(wf_jstr(o, "material"), sm3) == 0)
            return wf_jstr(o, "kind");
    }
    return NULL;
}

/* point_of reads one point key of a material of |kind| at |where|. */
static eseal_rc point_of(const json_t *v, const char *kind, const char *where, enum paper_point *pt,
                         struct eseal_issuer_problem *p)
{
    int k = 0;
    eseal_form_enum_parse(ESEAL_ENUM_MATERIAL, kind, &k);
    if (!paper_point_parse(json_string_value(v), pt))
        return prob_set(p, ESEAL_E_INVALID, where,
                        "%s 不是核验要点 / %s is not a check point (red_header, unit_seal, "
                        "leader_signature, no_alterations, impression_clear)",
                        where, where);
    if ((points_of((enum eseal_material_kind)k) & PT(*pt)) == 0)
        return prob_set(p, ESEAL_E_INVALID, where,
                        "%s：%s 不核验要点 %s / %s: a %s is not checked for %s", where, kind,
                        json_string_value(v), where, kind, json_string_value(v));
    return ESEAL_OK;
}

/* paper_item reads one {"material","received","checked"} of the record. */
static eseal_rc paper_item(const json_t *o, const json_t *required, const char *where, json_t *out,
                           struct eseal_issuer_problem *p)
{
    static const char *const keys[] = {"material", "received", "checked", NULL};
    eseal_rc rc = json_check_keys(o, keys, where, p);
    if (rc != ESEAL_OK)
        return rc;
    const char *sm3 = wf_jstr(o, "material");
    const char *kind = sm3 != NULL ? required_kind(required, sm3) : NULL;
    json_t *received = json_object_get(o, "received"), *checked = json_object_get(o, "checked");
    if (kind == NULL)
        return prob_set(p, ESEAL_E_INVALID, where,
                        "%s.material 不是本申报需要纸质原件的材料 / %s.material is not a material "
                        "of this submission with a paper original",
                        where, where);
    if (!json_is_boolean(received))
        return prob_set(p, ESEAL_E_INVALID, where,
                        "%s.received 须为 true 或 false / %s.received must be true or false", where,
                        where);
    if (checked != NULL &&
        (!json_is_array(checked) || json_array_size(checked) > PAPER_POINT_COUNT))
        return prob_set(p, ESEAL_E_INVALID, where,
                        "%s.checked 须为核验要点数组 / %s.checked must be an array of points",
                        where, where);
    if (checked != NULL && json_is_false(received) && json_array_size(checked) > 0)
        return prob_set(
            p, ESEAL_E_INVALID, where,
            "%s：未收到原件，不能核验要点 / %s: points cannot be checked on an original "
            "not received",
            where, where);
    unsigned seen = 0;
    size_t i;
    json_t *v;
    json_array_foreach(checked, i, v)
    {
        enum paper_point pt;
        char w[64];
        snprintf(w, sizeof(w), "%s.checked[%zu]", where, i);
        if ((rc = point_of(v, kind, w, &pt, p)) != ESEAL_OK)
            return rc;
        seen |= PT(pt);
    }
    json_t *list = json_array();
    for (int k = 0; k < PAPER_POINT_COUNT; k++)
        if (seen & PT(k))
            json_array_append_new(list, json_string(point_labels[k].key));
    json_array_append_new(out, json_pack("{s:s,s:s,s:O,s:o}", "material", sm3, "kind", kind,
                                         "received", received, "checked", list));
    return ESEAL_OK;
}

/* paper_all: "all" is the maker's word that every original was received and
 * checked on every point; the log records the points one by one. */
static void paper_all(const json_t *required, json_t *out)
{
    size_t i;
    json_t *o;
    json_array_foreach(required, i, o)
    {
        int k = 0;
        eseal_form_enum_parse(ESEAL_ENUM_MATERIAL, wf_jstr(o, "kind"), &k);
        json_t *list = json_array();
        for (int pt = 0; pt < PAPER_POINT_COUNT; pt++)
            if ((points_of((enum eseal_material_kind)k) & PT(pt)) != 0)
                json_array_append_new(list, json_string(point_labels[pt].key));
        json_array_append_new(
            out, json_pack("{s:O,s:O,s:b,s:o}", "material", json_object_get(o, "material"), "kind",
                           json_object_get(o, "kind"), "received", 1, "checked", list));
    }
}

eseal_rc paper_parse(const json_t *v, const struct eseal_submission *doc, json_t **out,
                     struct eseal_issuer_problem *p)
{
    *out = json_array();
    if (v == NULL)
        return ESEAL_OK;
    json_t *required = paper_required(doc);
    eseal_rc rc = ESEAL_OK;
    if (json_is_string(v) && strcmp(json_string_value(v), "all") == 0) {
        paper_all(required, *out);
        json_decref(required);
        return ESEAL_OK;
    }
    if (!json_is_array(v) || json_array_size(v) > json_array_size(required))
        rc = prob_set(p, ESEAL_E_INVALID, "paper",
                      "paper 须为 \"all\" 或数组，每份需原件的材料至多一项 / paper must be \"all\" "
                      "or an array with at most one entry per material with a paper original (%zu)",
                      json_array_size(required));
    size_t i;
    json_t *o;
    json_array_foreach(rc == ESEAL_OK ? v : NULL, i, o)
    {
        char where[32];
        snprintf(where, sizeof(where), "paper[%zu]", i);
        const char *sm3 = wf_jstr(o, "material");
        if (sm3 != NULL && required_kind(*out, sm3) != NULL)
            rc = prob_set(p, ESEAL_E_INVALID, where,
                          "%s：同一材料记录了两次 / %s: the same material is recorded twice", where,
                          where);
        if (rc == ESEAL_OK)
            rc = paper_item(o, required, where, *out, p);
        if (rc != ESEAL_OK)
            break;
    }
    json_decref(required);
    return rc;
}

eseal_rc paper_flags_parse(const json_t *v, const struct eseal_submission *doc, json_t **out,
                           struct eseal_issuer_problem *p)
{
    static const char *const keys[] = {"material", "point", NULL};
    *out = json_array();
    if (v == NULL)
        return ESEAL_OK;
    if (!json_is_array(v) || json_array_size(v) > ESEAL_FORMS_MAX * PAPER_POINT_COUNT)
        return prob_set(p, ESEAL_E_INVALID, "flags",
                        "flags 须为 {material, point} 数组 / flags must be an array of "
                        "{material, point}");
    json_t *required = paper_required(doc);
    eseal_rc rc = ESEAL_OK;
    size_t i;
    json_t *o;
    json_array_foreach(v, i, o)
    {
        char where[32];
        snprintf(where, sizeof(where), "flags[%zu]", i);
        const char *sm3 = wf_jstr(o, "material");
        const char *kind = sm3 != NULL ? required_kind(required, sm3) : NULL;
        enum paper_point pt;
        rc = json_check_keys(o, keys, where, p);
        if (rc == ESEAL_OK && kind == NULL)
            rc = prob_set(p, ESEAL_E_INVALID, where,
                          "%s.material 不是本申报需要纸质原件的材料 / %s.material is not a "
                          "material of this submission with a paper original",
                          where, where);
        if (rc == ESEAL_OK)
            rc = point_of(json_object_get(o, "point"), kind, where, &pt, p);
        if (rc != ESEAL_OK)
            break;
        json_array_append_new(*out, json_pack("{s:s,s:s,s:s}", "material", sm3, "kind", kind,
                                              "point", point_labels[pt].key));
    }
    json_decref(required);
    return rc;
}

/* recorded returns the maker's record of |sm3| (borrowed), or NULL. */
static const json_t *recorded(const json_t *paper, const char *sm3)
{
    size_t i;
    json_t *o;
    json_array_foreach(paper, i, o)
    {
        if (strcmp(wf_jstr(o, "material"), sm3) == 0)
            return o;
    }
    return NULL;
}

static bool has_point(const json_t *rec, const char *key)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(rec, "checked"), i, v)
    {
        if (strcmp(json_string_value(v), key) == 0)
            return true;
    }
    return false;
}

json_t *paper_missing(const struct eseal_submission *doc, const json_t *paper)
{
    json_t *required = paper_required(doc), *out = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(required, i, o)
    {
        const char *sm3 = wf_jstr(o, "material"), *kind = wf_jstr(o, "kind");
        const json_t *r = recorded(paper, sm3);
        if (!json_is_true(json_object_get(r, "received")))
            json_array_append_new(out, json_pack("{s:s,s:s,s:s}", "material", sm3, "kind", kind,
                                                 "point", "received"));
        int k = 0;
        eseal_form_enum_parse(ESEAL_ENUM_MATERIAL, kind, &k);
        for (int pt = 0; pt < PAPER_POINT_COUNT; pt++)
            if ((points_of((enum eseal_material_kind)k) & PT(pt)) != 0 &&
                !has_point(r, point_labels[pt].key))
                json_array_append_new(out, json_pack("{s:s,s:s,s:s}", "material", sm3, "kind", kind,
                                                     "point", point_labels[pt].key));
    }
    json_decref(required);
    return out;
}
