/* catalog.c — the reference catalog a form shows its choices from, built
 * from the issuer's own tables (business types, form enums, regions,
 * revocation reasons, paper points), plus the two tables only people read:
 * the submission states' names and the rejection reasons a reviewer picks. */
#include <stdio.h>
#include <string.h>

#include "region.h"
#include "internal.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The states' names for people (workflow.c has the keys). */
static const char *const state_labels[WF_STATE_COUNT] = {
    [WF_DRAFT] = "草稿 / draft",
    [WF_SUBMITTED] = "待登记（已提交） / submitted, to register",
    [WF_REGISTERED] = "待审核（已登记） / registered, to review",
    [WF_APPROVED] = "待制作（已审核） / approved, to produce",
    [WF_REJECTED] = "已驳回 / rejected",
    [WF_PRODUCED] = "待交付（已制作） / produced, to hand over",
    [WF_HANDED_OVER] = "已交付 / handed over",
    [WF_DONE] = "已办结 / done",
    [WF_COLLECTED] = "汇总中（在设区市汇总单位） / with the city's aggregator",
};

/* The reasons a reviewer picks when rejecting: the guide's requirements a
 * submission most often misses. Each row says where the requirement is
 * written (DESIGN.md §8 "The issuance domain", docs/issuer-domain.md; the
 * paper points are paper.c's). The repository holds no separate list of the
 * guide's 常见问题, so this table is that list. */
static const struct eseal_label rejection_reasons[] = {
    /* paper originals: the guide's check points (paper.c, "Paper") */
    {"letter_not_red_header", "申请函未使用红头文件", "the letter is not on red-header paper"},
    {"unit_seal_missing", "材料未加盖单位公章", "a material lacks the unit's seal"},
    {"leader_signature_missing", "材料缺少负责人签字", "a material is not signed by the leader"},
    {"altered", "材料有涂改", "a material has alterations"},
    {"impression_unclear", "印模不清晰", "the impression is not clear"},
    {"paper_missing", "未提交签字盖章的纸质原件", "the signed and stamped originals are missing"},
    /* the form's fields (DESIGN.md §8: "Form fields, all required") */
    {"fields_incomplete", "申请表填写不完整", "the application form is incomplete"},
    {"uscc_wrong", "统一社会信用代码有误", "the unified social credit code is wrong"},
    {"id_number_wrong", "身份证号码有误", "an ID number is wrong"},
    {"seal_size_wrong", "印章尺寸与实物印章不符", "the seal size does not match the physical seal"},
    {"seal_name_wrong", "印章名称与单位名称或实物印章不符",
     "the seal name does not match the unit or the physical seal"},
    /* the letter and the summary table (§8: counts, types, kinds, addressee) */
    {"letter_mismatch", "申请函所列数量、业务类型或印章类型与申请表不一致",
     "the letter's counts, business type or seal kinds disagree with the forms"},
    {"letter_addressee", "申请函抬头不是平台运营单位",
     "the letter is not addressed to the platform operator"},
    {"summary_mismatch", "汇总表与申请表不一致", "the summary table disagrees with the forms"},
    /* who applies and how (§8: applicant = stamping unit; channels) */
    {"applicant_not_stamper", "申请单位与用章单位不一致",
     "the applying unit is not the unit that stamps"},
    {"wrong_channel", "未按属地经设区市汇总单位报送",
     "not submitted through the city's aggregator"},
    /* special cases (§8: a justification letter and an acknowledgement) */
    {"justification_missing", "特殊情形缺少情况说明函",
     "a special case lacks its justification letter"},
    /* business on an existing seal (§8: by unit and exact seal name) */
    {"target_seal_wrong", "所办业务的原印章信息有误",
     "the existing seal the business acts on is named wrongly"},
    {"other", "其他（见说明）", "other (see the note)"},
};

/* labels_json returns [{key, zh, en, text}] of enum |which|. */
static json_t *labels_json(enum eseal_enum which)
{
    json_t *out = json_array();
    for (int v = 1; v <= eseal_form_enum_count(which); v++) {
        const struct eseal_label *l = eseal_form_label(which, v);
        if (l == NULL)
            continue;
        char text[256];
        snprintf(text, sizeof(text), "%s / %s", l->zh, l->en);
        json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s}", "key", l->key, "zh", l->zh, "en",
                                             l->en, "text", text));
    }
    return out;
}

/* material_kinds adds each kind's size limit ("max", bytes): the portal
 * refuses a larger file before uploading it. */
static json_t *material_kinds(void)
{
    json_t *out = labels_json(ESEAL_ENUM_MATERIAL);
    size_t i;
    json_t *m;
    json_array_foreach(out, i, m)
    {
        int kind = 0;
        if (eseal_form_enum_parse(ESEAL_ENUM_MATERIAL, wf_jstr(m, "key"), &kind))
            json_object_set_new(
                m, "max",
                json_integer((json_int_t)eseal_material_max_len((enum eseal_material_kind)kind)));
    }
    return out;
}

static json_t *label_table(const struct eseal_label *l, size_t n)
{
    json_t *out = json_array();
    for (size_t i = 0; i < n && l[i].key != NULL; i++) {
        char text[256];
        snprintf(text, sizeof(text), "%s / %s", l[i].zh, l[i].en);
        json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s}", "key", l[i].key, "zh", l[i].zh,
                                             "en", l[i].en, "text", text));
    }
    return out;
}

static json_t *region_json(const struct eseal_region *r)
{
    return json_pack("{s:s,s:s,s:s,s:b}", "code", r->code, "name", r->name_zh, "name_en",
                     r->name_en, "served", r->served);
}

/* regions_json: the province, then each city (and the Pingtan zone) with
 * its counties and its aggregator. */
static json_t *regions_json(void)
{
    json_t *cities = json_array();
    size_t n = 0;
    const struct eseal_region *c = eseal_region_cities(&n);
    for (size_t i = 0; i < n; i++) {
        json_t *city = region_json(&c[i]);
        if (c[i].aggregator_zh != NULL)
            json_object_set_new(
                city, "aggregator",
                json_pack("{s:s,s:s?}", "zh", c[i].aggregator_zh, "en", c[i].aggregator_en));
        json_t *counties = json_array();
        size_t m = 0;
        const struct eseal_region *k = eseal_region_counties(c[i].code, &m);
        for (size_t j = 0; j < m; j++)
            json_array_append_new(counties, region_json(&k[j]));
        json_object_set_new(city, "counties", counties);
        json_array_append_new(cities, city);
    }
    const struct eseal_region *prov = eseal_region_lookup(ESEAL_REGION_PROVINCE_CODE);
    return json_pack("{s:o,s:o}", "province", prov != NULL ? region_json(prov) : json_null(),
                     "cities", cities);
}

static json_t *business_json(void)
{
    json_t *out = labels_json(ESEAL_ENUM_BUSINESS);
    size_t i;
    json_t *b;
    json_array_foreach(out, i, b)
    {
        const struct business_type *t = business_type_find(wf_jstr(b, "key"));
        if (t == NULL)
            continue;
        json_object_set_new(b, "on_seal", json_boolean(t->on_seal));
        json_object_set_new(b, "handover", json_boolean(t->handover));
    }
    return out;
}

static json_t *states_json(void)
{
    json_t *out = json_array();
    for (int s = 0; s < WF_STATE_COUNT; s++)
        json_array_append_new(out, json_pack("{s:s,s:s}", "key", wf_state_name((enum wf_state)s),
                                             "text", state_labels[s]));
    return out;
}

eseal_rc eseal_issuer_catalog(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                              json_t **view, struct eseal_issuer_problem *p)
{
    (void)is;
    eseal_rc rc = wf_require(who, ESEAL_ACTION_CATALOG_READ, p);
    if (rc != ESEAL_OK)
        return rc;
    json_t *c = json_object();
    json_object_set_new(c, "business", business_json());
    json_object_set_new(c, "states", states_json());
    json_object_set_new(c, "channels", labels_json(ESEAL_ENUM_CHANNEL));
    json_object_set_new(c, "seal_kinds", labels_json(ESEAL_ENUM_SEAL_KIND));
    json_object_set_new(c, "functions", labels_json(ESEAL_ENUM_FUNCTION));
    json_object_set_new(c, "carriers", labels_json(ESEAL_ENUM_CERT_TYPE));
    json_object_set_new(c, "material_kinds", material_kinds());
    json_object_set_new(c, "regions", regions_json());
    json_object_set_new(c, "revoke_reasons", label_table(wf_revoke_reasons, SIZE_MAX));
    json_object_set_new(c, "paper_checklist", paper_checklist());
    json_object_set_new(c, "special_cases", labels_json(ESEAL_ENUM_SPECIAL_CASE));
    json_object_set_new(c, "rejection_reasons",
                        label_table(rejection_reasons, COUNT_OF(rejection_reasons)));
    *view = c;
    return ESEAL_OK;
}
