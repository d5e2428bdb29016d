/* rules.c — the issuance rules engine: the message table, one function per
 * rule, acknowledgements and the verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "eseal/json.h"
#include "eseal/pki.h"
#include "eseal/sm.h"
#include "idcheck.h"
#include "region.h"
#include "rules.h"
#include "internal.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct eseal_label rule_labels[ESEAL_RULE_COUNT] = {
    [ESEAL_RULE_REQUIRED_FIELDS] = {"required_fields", "必填项齐全", "required fields present"},
    [ESEAL_RULE_PERSONAL_FIELDS] = {"personal_fields", "个人信息仅用于个人印章",
                                    "personal fields only for personal seals"},
    [ESEAL_RULE_USCC_CHECK] = {"uscc_check", "统一社会信用代码校验 (GB 32100)",
                               "unified social credit code check (GB 32100)"},
    [ESEAL_RULE_IDNUM_CHECK] = {"idnum_check", "身份证号码校验 (GB 11643)",
                                "ID number check (GB 11643)"},
    [ESEAL_RULE_REGION_MATCH] = {"region_match", "行政区划代码有效且地市区县一致",
                                 "region codes exist and agree"},
    [ESEAL_RULE_CHANNEL_MATCH] = {"channel_match", "报送渠道与申请单位层级一致",
                                  "channel matches the applicant's level"},
    [ESEAL_RULE_MATERIALS_PRESENT] = {"materials_present", "引用的材料均已上传",
                                      "referenced materials uploaded"},
    [ESEAL_RULE_DEVICE_CSR] = {"device_csr", "设备印章的 SM2 证书请求",
                               "device seal's SM2 certificate request"},
    [ESEAL_RULE_SUMMARY_TABLE] = {"summary_table", "汇总表与申请表一致",
                                  "summary table agrees with the forms"},
    [ESEAL_RULE_LETTER_MATCHES] = {"letter_matches", "公函与申请表一致",
                                   "letter agrees with the forms"},
    [ESEAL_RULE_APPLICANT_IS_STAMPER] = {"applicant_is_stamper", "申请单位即用章单位",
                                         "applying unit is the stamping unit"},
    [ESEAL_RULE_TARGET_SEAL_STATE] = {"target_seal_state", "原印章存在且状态允许该业务",
                                      "existing seal allows the business"},
    [ESEAL_RULE_RENEW_WINDOW] = {"renew_window", "延期在有效期截止前 30 天内",
                                 "renewal within 30 days before validEnd"},
    [ESEAL_RULE_USB_KEY_ON_SITE] = {"usb_key_on_site", "USB KEY 现场出示",
                                    "USB KEY presented on site"},
    [ESEAL_RULE_SPECIAL_CASE_ACK] = {"special_case_ack", "特殊情形有情况说明并经审核员确认",
                                     "special cases justified and acknowledged"},
    [ESEAL_RULE_RENEW_UNCHANGED] = {"renew_unchanged", "延期只延长有效期，不改变印章",
                                    "a renewal changes only the validity"},
};

const struct eseal_label *eseal_rule_label(enum eseal_rule rule)
{
    if ((unsigned)rule >= ESEAL_RULE_COUNT)
        return NULL;
    return &rule_labels[rule];
}

bool eseal_rule_parse(const char *key, enum eseal_rule *rule)
{
    for (int i = 0; key != NULL && i < ESEAL_RULE_COUNT; i++) {
        if (strcmp(rule_labels[i].key, key) == 0) {
            *rule = (enum eseal_rule)i;
            return true;
        }
    }
    return false;
}

const char *eseal_seal_state_name(enum eseal_seal_state s)
{
    switch (s) {
    case ESEAL_SEAL_STATE_GOOD:
        return "good";
    case ESEAL_SEAL_STATE_PENDING:
        return "pending";
    case ESEAL_SEAL_STATE_SUSPENDED:
        return "suspended";
    case ESEAL_SEAL_STATE_REVOKED:
        return "revoked";
    case ESEAL_SEAL_STATE_EXPIRED:
        return "expired";
    }
    return "unknown";
}

/* ---- the messages -----------------------------------------------------------
 * Every problem a rule can report, with its severity and wording, lives in
 * this one table; the path, value and expectation are appended per finding. */

enum msg_id {
    M_MISSING,
    M_NO_FORMS,
    M_MOBILE,
    M_PERSON_REQUIRED,
    M_PERSON_FORBIDDEN,
    M_USCC_SHAPE,
    M_USCC_CHECK,
    M_ID_SHAPE,
    M_ID_CHECK,
    M_ID_DATE,
    M_CITY_UNKNOWN,
    M_COUNTY_UNKNOWN,
    M_COUNTY_NOT_IN_CITY,
    M_NOT_SERVED,
    M_DIRECT_NOT_PROVINCE,
    M_PROVINCE_NOT_DIRECT,
    M_AGGREGATOR_UNKNOWN,
    M_WRONG_AGGREGATOR,
    M_AGGREGATOR_ON_DIRECT,
    M_MAT_MISSING,
    M_MAT_KIND,
    M_CSR_MISSING,
    M_CSR_NOT_ALLOWED,
    M_CSR_UNREADABLE,
    M_CSR_NOT_SM2,
    M_CSR_BAD_SIG,
    M_CSR_CERT_TYPE,
    M_SUMMARY_REQUIRED,
    M_SUMMARY_UNEXPECTED,
    M_SUMMARY_ROWS,
    M_SUMMARY_MISMATCH,
    M_ADDRESSEE,
    M_LETTER_BUSINESS,
    M_FORM_BUSINESS,
    M_LETTER_COUNT,
    M_LETTER_KINDS,
    M_NOT_STAMPER,
    M_TARGET_ON_APPLY,
    M_TARGET_BAD,
    M_TARGET_DUPLICATE,
    M_TARGET_NOT_FOUND,
    M_TARGET_NO_NAME,
    M_TARGET_AMBIGUOUS,
    M_TARGET_CODE_NAME,
    M_RENEW_CHANGES,
    M_TARGET_REVOKED,
    M_TARGET_SUSPENDED,
    M_TARGET_EXPIRED,
    M_TARGET_PENDING,
    M_TARGET_NOT_USB_KEY,
    M_RENEW_EARLY,
    M_RENEW_LATE,
    M_ONSITE_MISSING,
    M_ONSITE_MISMATCH,
    M_SPECIAL_UNDECLARED,
    M_SPECIAL_JUSTIFICATION,
    M_DELEGATOR_MISSING,
    M_DELEGATOR_NOT_ALLOWED,
    M_DELEGATOR_SELF,
    M_SPECIAL_ACK,
    M_COUNT
};

struct msg {
    enum eseal_rule rule;
    const char *code;
    enum eseal_severity severity;
    const char *zh;
    const char *en;
};

#define E ESEAL_SEVERITY_ERROR
#define W ESEAL_SEVERITY_WARNING
#define N ESEAL_SEVERITY_NOTE

static const struct msg msgs[M_COUNT] = {
    [M_MISSING] = {ESEAL_RULE_REQUIRED_FIELDS, "missing", E, "必填项未填写",
                   "a required field is missing"},
    [M_NO_FORMS] = {ESEAL_RULE_REQUIRED_FIELDS, "no_forms", E, "至少需要一张申请表",
                    "at least one application form is required"},
    [M_MOBILE] = {ESEAL_RULE_REQUIRED_FIELDS, "bad_mobile", E, "手机号码应为以 1 开头的 11 位数字",
                  "a mobile number is 11 digits starting with 1"},
    [M_PERSON_REQUIRED] = {ESEAL_RULE_PERSONAL_FIELDS, "person_required", E,
                           "个人印章须填写持章人姓名和身份证号码",
                           "a personal seal needs the holder's name and ID number"},
    [M_PERSON_FORBIDDEN] = {ESEAL_RULE_PERSONAL_FIELDS, "person_not_allowed", E,
                            "只有个人印章填写个人信息",
                            "personal details belong only on personal seals"},
    [M_USCC_SHAPE] = {ESEAL_RULE_USCC_CHECK, "bad_shape", E,
                      "统一社会信用代码格式不正确：应为 18 位，不含 I、O、S、V、Z，第 3–8 位为"
                      "行政区划代码",
                      "the USCC is malformed: 18 characters without I, O, S, V, Z, positions 3-8 "
                      "a division code"},
    [M_USCC_CHECK] = {ESEAL_RULE_USCC_CHECK, "bad_check", W,
                      "统一社会信用代码校验位不符合 GB 32100；部分真实代码不符合校验规则，须审核员"
                      "核实后确认",
                      "the USCC check character does not match GB 32100; some real codes fail "
                      "it, so a reviewer must verify and acknowledge"},
    [M_ID_SHAPE] = {ESEAL_RULE_IDNUM_CHECK, "bad_shape", E,
                    "身份证号码格式不正确：应为 17 位数字加校验位（数字或大写 X）",
                    "the ID number is malformed: 17 digits and a check character (a digit or a "
                    "capital X)"},
    [M_ID_CHECK] = {ESEAL_RULE_IDNUM_CHECK, "bad_check", E, "身份证号码校验位不符合 GB 11643",
                    "the ID number's check character does not match GB 11643"},
    [M_ID_DATE] = {ESEAL_RULE_IDNUM_CHECK, "bad_date", E, "身份证号码中的出生日期不存在或晚于今天",
                   "the birth date in the ID number does not exist or is in the future"},
    [M_CITY_UNKNOWN] = {ESEAL_RULE_REGION_MATCH, "unknown_city", E,
                        "所属地市应为福建省设区市、平潭综合实验区 (350128) 或省级 (350000) 的代码",
                        "the city must be the code of a Fujian city, the Pingtan zone (350128) "
                        "or the province (350000)"},
    [M_COUNTY_UNKNOWN] = {ESEAL_RULE_REGION_MATCH, "unknown_county", E,
                          "所属区县不是福建省的行政区划代码 (GB/T 2260)",
                          "the county is not a Fujian division code (GB/T 2260)"},
    [M_COUNTY_NOT_IN_CITY] = {ESEAL_RULE_REGION_MATCH, "county_not_in_city", E,
                              "所属区县不在所填地市内", "the county is not in the given city"},
    [M_NOT_SERVED] = {ESEAL_RULE_REGION_MATCH, "not_served", E, "该行政区划不在本平台服务范围内",
                      "this division is not served by this platform"},
    [M_DIRECT_NOT_PROVINCE] = {ESEAL_RULE_CHANNEL_MATCH, "direct_not_province", E,
                               "只有省级单位直接报送；设区市、区县和平潭综合实验区的单位须经所在"
                               "地市数字办或平潭综合实验区行政审批局报送",
                               "only province-level units submit directly; city, county and "
                               "Pingtan units submit through their city's aggregator"},
    [M_PROVINCE_NOT_DIRECT] = {ESEAL_RULE_CHANNEL_MATCH, "province_not_direct", E,
                               "省级单位直接报送，不经汇聚单位",
                               "province-level units submit directly, not through an aggregator"},
    [M_AGGREGATOR_UNKNOWN] = {ESEAL_RULE_CHANNEL_MATCH, "unknown_aggregator", E,
                              "汇聚单位应为设区市或平潭综合实验区的代码",
                              "the aggregator must be the code of a city or the Pingtan zone"},
    [M_WRONG_AGGREGATOR] = {ESEAL_RULE_CHANNEL_MATCH, "wrong_aggregator", E,
                            "汇聚单位不是申请单位所在地市的汇聚单位",
                            "the aggregator is not that of the applicant's city"},
    [M_AGGREGATOR_ON_DIRECT] = {ESEAL_RULE_CHANNEL_MATCH, "aggregator_not_allowed", E,
                                "直接报送的申报不填写汇聚单位",
                                "a direct submission names no aggregator"},
    [M_MAT_MISSING] = {ESEAL_RULE_MATERIALS_PRESENT, "missing", E, "引用的材料尚未上传",
                       "the referenced material has not been uploaded"},
    [M_MAT_KIND] = {ESEAL_RULE_MATERIALS_PRESENT, "wrong_kind", E, "引用的材料未以该类型上传",
                    "the referenced material was not uploaded as this kind"},
    [M_CSR_MISSING] = {ESEAL_RULE_DEVICE_CSR, "csr_missing", E,
                       "设备印章须提交设备生成的 SM2 证书请求文件 (PKCS#10)",
                       "a device seal needs an SM2 certificate request (PKCS#10) made by the "
                       "device"},
    [M_CSR_NOT_ALLOWED] = {ESEAL_RULE_DEVICE_CSR, "csr_not_allowed", E,
                           "只有设备印章提交证书请求文件",
                           "only device seals carry a certificate request"},
    [M_CSR_UNREADABLE] = {ESEAL_RULE_DEVICE_CSR, "csr_unreadable", E,
                          "证书请求文件无法读取或解析（应为 PKCS#10，DER、PEM 或 Base64）",
                          "the certificate request cannot be read or parsed (PKCS#10 as DER, PEM "
                          "or Base64)"},
    [M_CSR_NOT_SM2] = {ESEAL_RULE_DEVICE_CSR, "csr_not_sm2", E, "证书请求的公钥不是 SM2 公钥",
                       "the certificate request's key is not an SM2 key"},
    [M_CSR_BAD_SIG] = {ESEAL_RULE_DEVICE_CSR, "csr_bad_signature", E,
                       "证书请求的自签名验证失败（SM2，ID 1234567812345678），不能证明设备持有私钥",
                       "the certificate request's self-signature does not verify (SM2, ID "
                       "1234567812345678): no proof that the device holds the key"},
    [M_CSR_CERT_TYPE] = {ESEAL_RULE_DEVICE_CSR, "cert_type_not_device", E, "设备印章须绑定设备证书",
                         "a device seal is bound to a device certificate"},
    [M_SUMMARY_REQUIRED] = {ESEAL_RULE_SUMMARY_TABLE, "required", E, "申请多枚印章时须附汇总表",
                            "a summary table is required with more than one form"},
    [M_SUMMARY_UNEXPECTED] = {ESEAL_RULE_SUMMARY_TABLE, "not_needed", N,
                              "只申请一枚印章时无需汇总表，附上的汇总表不作审查",
                              "a single form needs no summary table: the one attached is not "
                              "checked"},
    [M_SUMMARY_ROWS] = {ESEAL_RULE_SUMMARY_TABLE, "row_count", E, "汇总表行数与申请表份数不一致",
                        "the summary table's rows do not match the number of forms"},
    [M_SUMMARY_MISMATCH] = {ESEAL_RULE_SUMMARY_TABLE, "row_mismatch", E,
                            "汇总表与对应的申请表不一致",
                            "a summary table row differs from its form"},
    [M_ADDRESSEE] = {ESEAL_RULE_LETTER_MATCHES, "addressee", E, "公函主送单位应为平台运营单位",
                     "the letter must be addressed to the platform operator"},
    [M_LETTER_BUSINESS] = {ESEAL_RULE_LETTER_MATCHES, "business", E,
                           "公函所述业务类型与申报的业务类型不一致",
                           "the letter's business type differs from the submission's"},
    [M_FORM_BUSINESS] = {ESEAL_RULE_LETTER_MATCHES, "form_business", E,
                         "申请表的业务类型与公函不一致",
                         "a form's business type differs from the letter's"},
    [M_LETTER_COUNT] = {ESEAL_RULE_LETTER_MATCHES, "form_count", E,
                        "公函所述印章数量与申请表份数不一致",
                        "the number of seals in the letter differs from the number of forms"},
    [M_LETTER_KINDS] = {ESEAL_RULE_LETTER_MATCHES, "kind_count", E,
                        "公函所述该类印章数量与申请表不一致",
                        "the letter's number of seals of this kind differs from the forms"},
    [M_NOT_STAMPER] = {ESEAL_RULE_APPLICANT_IS_STAMPER, "mismatch", E,
                       "申请单位与用章单位不一致：申请表所列单位须为发函单位本身",
                       "the applying unit differs from the stamping unit: each form's unit "
                       "must be the unit that sends the letter"},
    [M_TARGET_ON_APPLY] = {ESEAL_RULE_TARGET_SEAL_STATE, "target_on_apply", E,
                           "新申请印章不填写原印章编码",
                           "an application for a new seal names no existing seal"},
    [M_TARGET_BAD] = {ESEAL_RULE_TARGET_SEAL_STATE, "bad_esid", E,
                      "原印章编码格式不正确（14 位数字，前 6 位为本省行政区划代码）",
                      "the existing seal's esID is malformed (14 digits, the first 6 a Fujian "
                      "division code)"},
    [M_TARGET_DUPLICATE] = {ESEAL_RULE_TARGET_SEAL_STATE, "duplicate", E,
                            "同一枚印章在本次申报中出现多次",
                            "the same seal appears on more than one form"},
    [M_TARGET_NOT_FOUND] = {ESEAL_RULE_TARGET_SEAL_STATE, "not_found", E, "本平台没有该印章",
                            "this platform has no such seal"},
    [M_TARGET_NO_NAME] = {ESEAL_RULE_TARGET_SEAL_STATE, "no_seal_of_this_name", E,
                          "该单位没有此名称的印章：印章名称须为现有印章的准确名称",
                          "the unit has no seal of this name: give the exact name of the existing "
                          "seal"},
    [M_TARGET_AMBIGUOUS] = {ESEAL_RULE_TARGET_SEAL_STATE, "ambiguous_name", E,
                            "该单位有多枚此名称的印章，请同时填写印章编码",
                            "the unit has more than one seal of this name: give the seal code too"},
    [M_TARGET_CODE_NAME] = {ESEAL_RULE_TARGET_SEAL_STATE, "code_name_mismatch", E,
                            "印章编码与印章名称指向的不是同一枚印章",
                            "the seal code and the seal name do not name the same seal"},
    [M_RENEW_CHANGES] = {ESEAL_RULE_RENEW_UNCHANGED, "changes_seal", E,
                         "延期只延长有效期，该项须与现有印章一致；改变印章名称、印模、尺寸、用途、"
                         "类型或证书类型须办理印章变更",
                         "a renewal only extends the validity, so this must equal the existing "
                         "seal; changing its name, impression, size, function, kind or "
                         "certificate type is a change (变更)"},
    [M_TARGET_REVOKED] = {ESEAL_RULE_TARGET_SEAL_STATE, "revoked", E,
                          "该印章已撤销，不能再办理任何业务",
                          "the seal is revoked: no business is possible on it"},
    [M_TARGET_SUSPENDED] = {ESEAL_RULE_TARGET_SEAL_STATE, "suspended", E,
                            "该印章已挂失暂停，只能办理补办或撤销",
                            "the seal is suspended: only reissue or revoke is possible"},
    [M_TARGET_EXPIRED] = {ESEAL_RULE_TARGET_SEAL_STATE, "expired", E, "该印章已过期，请重新申请",
                          "the seal has expired: apply for a new one"},
    [M_TARGET_PENDING] = {ESEAL_RULE_TARGET_SEAL_STATE, "pending", E, "该印章尚未领取，只能撤销",
                          "the seal has not been collected yet: only revoke is possible"},
    [M_TARGET_NOT_USB_KEY] = {ESEAL_RULE_TARGET_SEAL_STATE, "not_usb_key", E,
                              "口令解锁只适用于绑定 USB KEY 证书的印章",
                              "unlock applies only to seals bound to a USB KEY"},
    [M_RENEW_EARLY] = {ESEAL_RULE_RENEW_WINDOW, "too_early", E,
                       "延期只能在印章有效期截止前 30 天内办理",
                       "a renewal is possible only within 30 days before the seal's validEnd"},
    [M_RENEW_LATE] = {ESEAL_RULE_RENEW_WINDOW, "expired", E,
                      "印章有效期已截止，不能延期，请重新申请",
                      "the seal's validEnd has passed: it cannot be renewed, apply for a new one"},
    [M_ONSITE_MISSING] = {ESEAL_RULE_USB_KEY_ON_SITE, "not_presented", E,
                          "USB KEY 印章办理延期、变更、撤销和口令解锁，须现场出示 USB KEY 并由"
                          "制作员登记",
                          "for a USB KEY seal, renew, change, revoke and unlock need the key "
                          "presented on site and recorded by the maker"},
    [M_ONSITE_MISMATCH] = {ESEAL_RULE_USB_KEY_ON_SITE, "token_mismatch", E,
                           "现场出示的 USB KEY 不是该印章绑定的 USB KEY",
                           "the USB KEY presented on site is not the one bound to the seal"},
    [M_SPECIAL_UNDECLARED] = {ESEAL_RULE_SPECIAL_CASE_ACK, "undeclared_multi_cert", E,
                              "多张申请表使用同一印模（一个印模绑定多张证书），须申报该特殊情形",
                              "several forms use the same impression (one impression bound to "
                              "several certificates): declare this special case"},
    [M_SPECIAL_JUSTIFICATION] = {ESEAL_RULE_SPECIAL_CASE_ACK, "justification_missing", E,
                                 "特殊情形须附情况说明材料",
                                 "a special case needs a justification letter"},
    [M_DELEGATOR_MISSING] = {ESEAL_RULE_SPECIAL_CASE_ACK, "delegator_missing", E,
                             "上级单位授权使用印章须填写授权单位",
                             "delegated use needs the authorising superior unit"},
    [M_DELEGATOR_NOT_ALLOWED] = {ESEAL_RULE_SPECIAL_CASE_ACK, "delegator_not_allowed", E,
                                 "只有上级单位授权使用的情形填写授权单位",
                                 "only delegated use names an authorising unit"},
    [M_DELEGATOR_SELF] = {ESEAL_RULE_SPECIAL_CASE_ACK, "delegator_is_self", E,
                          "授权单位不能是用章单位本身",
                          "the authorising unit cannot be the stamping unit itself"},
    [M_SPECIAL_ACK] = {ESEAL_RULE_SPECIAL_CASE_ACK, "needs_acknowledgement", W,
                       "特殊情形须审核员明确确认",
                       "a special case needs the reviewer's explicit acknowledgement"},
};

#undef E
#undef W
#undef N

/* ---- a run ------------------------------------------------------------------- */

/* struct target is what the lookup said about the seal a form names. */
struct target {
    bool found;
    char esid[15];       /* the seal resolved; "" when none */
    enum msg_id problem; /* why none, or M_COUNT */
    char *expected;      /* for the problem's finding (owned), or NULL */
    struct eseal_seal_record rec;
};

struct run {
    const struct eseal_rules_input *in;
    const struct eseal_submission *s;
    struct eseal_rules_result *out;
    bool applied[ESEAL_RULE_COUNT];
    time_t now;
    struct target *targets; /* one per form */
    struct eseal_err *err;
};

static bool empty(const char *s)
{
    return s == NULL || *s == '\0';
}

static bool same(const char *a, const char *b)
{
    return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

static void applied(struct run *r, enum eseal_rule rule)
{
    r->applied[rule] = true;
}

/* message builds "text（字段 path；值 “v”；应为 “e”）" or its English twin. */
static char *message(const char *text, const char *path, const char *value, const char *expected,
                     bool zh)
{
    if (path == NULL && value == NULL && expected == NULL)
        return eseal_xstrdup(text);
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_buf_append_str(&b, text);
    eseal_buf_append_str(&b, zh ? "（" : " (");
    const char *sep = "";
    if (path != NULL) {
        eseal_buf_appendf(&b, zh ? "字段 %s" : "field %s", path);
        sep = zh ? "；" : "; ";
    }
    if (value != NULL) {
        eseal_buf_appendf(&b, zh ? "%s值 “%s”" : "%svalue \"%s\"", sep, value);
        sep = zh ? "；" : "; ";
    }
    if (expected != NULL)
        eseal_buf_appendf(&b, zh ? "%s应为 “%s”" : "%sexpected \"%s\"", sep, expected);
    eseal_buf_append_str(&b, zh ? "）" : ")");
    return (char *)eseal_buf_steal(&b, NULL);
}

static void add(struct run *r, enum msg_id id, const char *path, const char *value,
                const char *expected)
{
    const struct msg *m = &msgs[id];
    struct eseal_rules_result *o = r->out;
    o->findings = eseal_xrealloc(o->findings, (o->n_findings + 1) * sizeof(*o->findings));
    struct eseal_finding *f = &o->findings[o->n_findings++];
    memset(f, 0, sizeof(*f));
    f->rule = m->rule;
    f->severity = m->severity;
    f->code = m->code;
    f->path = path != NULL ? eseal_xstrdup(path) : NULL;
    f->value = value != NULL ? eseal_xstrdup(value) : NULL;
    f->expected = expected != NULL ? eseal_xstrdup(expected) : NULL;
    f->message_zh = message(m->zh, path, value, expected, true);
    f->message_en = message(m->en, path, value, expected, false);
    applied(r, m->rule);
}

static void iso_time(time_t t, char *out, size_t out_len)
{
    if (!eseal_json_time_format(out, out_len, (int64_t)t, -1))
        snprintf(out, out_len, "%lld", (long long)t);
}

/* changes_seal: the business acts on an existing seal (business.c). */
static bool changes_seal(enum eseal_business b)
{
    const struct business_type *t = business_type_of(b);
    return t != NULL && t->on_seal;
}

/* unit_fn is called for every unit of a submission with its JSON path. */
typedef void (*unit_fn)(struct run *r, const char *prefix, const struct eseal_unit *u);

static void for_each_unit(struct run *r, unit_fn fn)
{
    char prefix[96];
    fn(r, "applicant", &r->s->applicant);
    for (size_t i = 0; i < r->s->n_forms; i++) {
        const struct eseal_form *f = &r->s->forms[i];
        snprintf(prefix, sizeof(prefix), "forms[%zu].unit", i);
        fn(r, prefix, &f->unit);
        for (size_t j = 0; j < f->n_special; j++) {
            if (f->special[j].delegator == NULL)
                continue;
            snprintf(prefix, sizeof(prefix), "forms[%zu].special[%zu].delegator", i, j);
            fn(r, prefix, f->special[j].delegator);
        }
    }
}

/* ---- required_fields ---------------------------------------------------------- */

/* need reports "prefix.field" (or "field" for a NULL prefix) as missing
 * unless |present|. */
static void need(struct run *r, bool present, const char *prefix, const char *field)
{
    applied(r, ESEAL_RULE_REQUIRED_FIELDS);
    if (present)
        return;
    char path[128];
    snprintf(path, sizeof(path), "%s%s%s", prefix != NULL ? prefix : "", prefix != NULL ? "." : "",
             field);
    add(r, M_MISSING, path, NULL, NULL);
}

static bool mobile_ok(const char *m)
{
    if (strlen(m) != 11 || m[0] != '1')
        return false;
    for (int i = 0; i < 11; i++)
        if (m[i] < '0' || m[i] > '9')
            return false;
    return true;
}

static void required_unit(struct run *r, const char *prefix, const struct eseal_unit *u)
{
    need(r, !empty(u->name), prefix, "name");
    need(r, !empty(u->uscc), prefix, "uscc");
    need(r, !empty(u->city), prefix, "city");
    need(r, !empty(u->county), prefix, "county");
}

static void required_form(struct run *r, size_t i)
{
    const struct eseal_form *f = &r->s->forms[i];
    char p[48];
    snprintf(p, sizeof(p), "forms[%zu]", i);
    need(r, f->business != ESEAL_BUSINESS_NONE, p, "business");
    need(r, f->kind != ESEAL_KIND_NONE, p, "kind");
    need(r, !empty(f->agent.name), p, "agent.name");
    need(r, !empty(f->agent.mobile), p, "agent.mobile");
    need(r, !empty(f->agent.id_number), p, "agent.id_number");
    need(r, !empty(f->seal.name), p, "seal.name");
    need(r, eseal_mm_tenths(f->seal.width_mm) != 0, p, "seal.width_mm");
    need(r, eseal_mm_tenths(f->seal.height_mm) != 0, p, "seal.height_mm");
    need(r, f->seal.function != ESEAL_FUNCTION_NONE, p, "seal.function");
    need(r, f->seal.cert_type != ESEAL_CERT_NONE, p, "seal.cert_type");
    need(r, !empty(f->impression), p, "impression");
    need(r, !empty(f->material), p, "material");
    if (changes_seal(r->s->business) && r->in->list_seals == NULL)
        need(r, !empty(f->target), p, "target"); /* no list to find the name in */
    for (size_t j = 0; j < f->n_special; j++) {
        char field[48];
        snprintf(field, sizeof(field), "special[%zu].case", j);
        need(r, f->special[j].kind != ESEAL_SPECIAL_NONE, p, field);
    }
    if (!empty(f->agent.mobile) && !mobile_ok(f->agent.mobile)) {
        char path[64];
        snprintf(path, sizeof(path), "%s.agent.mobile", p);
        add(r, M_MOBILE, path, f->agent.mobile, NULL);
    }
}

static eseal_rc rule_required_fields(struct run *r)
{
    const struct eseal_submission *s = r->s;
    need(r, s->business != ESEAL_BUSINESS_NONE, NULL, "business");
    need(r, s->channel != ESEAL_CHANNEL_NONE, NULL, "channel");
    if (s->channel == ESEAL_CHANNEL_AGGREGATOR)
        need(r, !empty(s->aggregator), NULL, "aggregator");
    need(r, !empty(s->letter.material), "letter", "material");
    need(r, !empty(s->letter.addressee), "letter", "addressee");
    need(r, s->letter.business != ESEAL_BUSINESS_NONE, "letter", "business");
    need(r, s->letter.form_count != 0, "letter", "form_count");
    for_each_unit(r, required_unit);
    if (s->n_forms == 0)
        add(r, M_NO_FORMS, "forms", NULL, NULL);
    for (size_t i = 0; i < s->n_forms; i++)
        required_form(r, i);
    return ESEAL_OK;
}

/* ---- personal_fields ------------------------------------------------------------ */

static eseal_rc rule_personal_fields(struct run *r)
{
    char path[64];
    for (size_t i = 0; i < r->s->n_forms; i++) {
        const struct eseal_form *f = &r->s->forms[i];
        if (f->kind == ESEAL_KIND_NONE)
            continue;
        applied(r, ESEAL_RULE_PERSONAL_FIELDS);
        const struct eseal_person *p = f->person;
        if (f->kind != ESEAL_KIND_PERSONAL) {
            snprintf(path, sizeof(path), "forms[%zu].person", i);
            if (p != NULL)
                add(r, M_PERSON_FORBIDDEN, path, eseal_form_key(ESEAL_ENUM_SEAL_KIND, (int)f->kind),
                    NULL);
            continue;
        }
        if (p == NULL || empty(p->name)) {
            snprintf(path, sizeof(path), "forms[%zu].person.name", i);
            add(r, M_PERSON_REQUIRED, path, NULL, NULL);
        }
        if (p == NULL || empty(p->id_number)) {
            snprintf(path, sizeof(path), "forms[%zu].person.id_number", i);
            add(r, M_PERSON_REQUIRED, path, NULL, NULL);
        }
    }
    return ESEAL_OK;
}

/* ---- uscc_check, idnum_check ------------------------------------------------------ */

static void uscc_unit(struct run *r, const char *prefix, const struct eseal_unit *u)
{
    if (empty(u->uscc))
        return;
    applied(r, ESEAL_RULE_USCC_CHECK);
    char path[128];
    snprintf(path, sizeof(path), "%s.uscc", prefix);
    switch (eseal_uscc_check(u->uscc)) {
    case ESEAL_ID_OK:
        break;
    case ESEAL_ID_BAD_CHECK: {
        char want[2] = {eseal_uscc_check_char(u->uscc), '\0'};
        char expected[64];
        snprintf(expected, sizeof(expected), "%.17s%s", u->uscc, want);
        add(r, M_USCC_CHECK, path, u->uscc, expected);
        break;
    }
    default:
        add(r, M_USCC_SHAPE, path, u->uscc, NULL);
        break;
    }
}

static eseal_rc rule_uscc_check(struct run *r)
{
    for_each_unit(r, uscc_unit);
    return ESEAL_OK;
}

static void idnum_one(struct run *r, size_t i, const char *rest, const char *id)
{
    if (empty(id))
        return;
    applied(r, ESEAL_RULE_IDNUM_CHECK);
    static const enum msg_id by_result[] = {
        [ESEAL_ID_BAD_SHAPE] = M_ID_SHAPE,
        [ESEAL_ID_BAD_CHECK] = M_ID_CHECK,
        [ESEAL_ID_BAD_DATE] = M_ID_DATE,
    };
    enum eseal_id_result res = eseal_idnum_check(id, r->now);
    if (res == ESEAL_ID_OK)
        return;
    char path[64], masked[40];
    snprintf(path, sizeof(path), "forms[%zu].%s", i, rest);
    mask_id(id, masked, sizeof(masked));
    add(r, by_result[res], path, masked, NULL);
}

static eseal_rc rule_idnum_check(struct run *r)
{
    for (size_t i = 0; i < r->s->n_forms; i++) {
        const struct eseal_form *f = &r->s->forms[i];
        if (f->person != NULL)
            idnum_one(r, i, "person.id_number", f->person->id_number);
        idnum_one(r, i, "agent.id_number", f->agent.id_number);
    }
    return ESEAL_OK;
}

/* ---- region_match, channel_match -------------------------------------------------- */

static bool city_level(const struct eseal_region *g)
{
    return g != NULL && g->kind != ESEAL_REGION_COUNTY;
}

/* city_code_of returns the city-level code a unit in |county| names as its
 * city: its channel, or 350000 for the province. */
static const char *city_code_of(const struct eseal_region *county)
{
    return county->channel != NULL ? county->channel : ESEAL_REGION_PROVINCE_CODE;
}

static void region_unit(struct run *r, const char *prefix, const struct eseal_unit *u)
{
    if (empty(u->city) && empty(u->county))
        return;
    applied(r, ESEAL_RULE_REGION_MATCH);
    char path[128];
    const struct eseal_region *city = eseal_region_lookup(u->city);
    const struct eseal_region *county = eseal_region_lookup(u->county);
    snprintf(path, sizeof(path), "%s.city", prefix);
    if (!empty(u->city) && !city_level(city))
        add(r, M_CITY_UNKNOWN, path, u->city, NULL);
    if (city_level(city) && county != NULL && !eseal_region_in_city(u->county, u->city))
        add(r, M_COUNTY_NOT_IN_CITY, path, u->city, city_code_of(county));
    snprintf(path, sizeof(path), "%s.county", prefix);
    if (!empty(u->county) && county == NULL)
        add(r, M_COUNTY_UNKNOWN, path, u->county, NULL);
    if (county != NULL && !county->served)
        add(r, M_NOT_SERVED, path, u->county, NULL);
}

static eseal_rc rule_region_match(struct run *r)
{
    for_each_unit(r, region_unit);
    return ESEAL_OK;
}

static void channel_aggregator(struct run *r, const struct eseal_region *home)
{
    const struct eseal_submission *s = r->s;
    if (home != NULL && home->kind == ESEAL_REGION_PROVINCE) {
        add(r, M_PROVINCE_NOT_DIRECT, "channel", "aggregator", "direct");
        return;
    }
    if (empty(s->aggregator))
        return; /* required_fields reports it */
    const struct eseal_region *agg = eseal_region_lookup(s->aggregator);
    if (agg == NULL || (agg->kind != ESEAL_REGION_CITY && agg->kind != ESEAL_REGION_ZONE))
        add(r, M_AGGREGATOR_UNKNOWN, "aggregator", s->aggregator, NULL);
    else if (home != NULL && strcmp(agg->code, home->code) != 0)
        add(r, M_WRONG_AGGREGATOR, "aggregator", s->aggregator, home->code);
}

/* home_channel returns the channel a unit belongs to: the province, or the
 * city-level entry of its county when that is known (so a Pingtan unit is
 * Pingtan's even if it named Fuzhou as its city), else of its city;
 * region_match reports codes that do not agree. NULL if neither is known. */
static const struct eseal_region *home_channel(const struct eseal_unit *u)
{
    const struct eseal_region *g = eseal_region_lookup(u->county);
    if (g == NULL)
        g = eseal_region_lookup(u->city);
    if (g == NULL || g->kind == ESEAL_REGION_PROVINCE)
        return g;
    return eseal_region_city_of(g->code);
}

static eseal_rc rule_channel_match(struct run *r)
{
    const struct eseal_submission *s = r->s;
    if (s->channel == ESEAL_CHANNEL_NONE)
        return ESEAL_OK;
    applied(r, ESEAL_RULE_CHANNEL_MATCH);
    const struct eseal_region *home = home_channel(&s->applicant);
    if (s->channel == ESEAL_CHANNEL_AGGREGATOR) {
        channel_aggregator(r, home);
        return ESEAL_OK;
    }
    if (!empty(s->aggregator))
        add(r, M_AGGREGATOR_ON_DIRECT, "aggregator", s->aggregator, NULL);
    if (home != NULL && home->kind != ESEAL_REGION_PROVINCE)
        add(r, M_DIRECT_NOT_PROVINCE, "channel", "direct", "aggregator");
    return ESEAL_OK;
}

/* ---- materials_present ---------------------------------------------------------- */

/* held tells whether |sm3| is held as |kind|, or (kind NONE) as anything. */
static bool held(const struct run *r, const char *sm3, enum eseal_material_kind kind)
{
    for (size_t i = 0; i < r->in->n_materials; i++) {
        const struct eseal_material_ref *m = &r->in->materials[i];
        if (strcmp(m->sm3, sm3) == 0 && (kind == ESEAL_MATERIAL_NONE || m->kind == kind))
            return true;
    }
    return false;
}

static void material_one(struct run *r, const char *path, const char *sm3,
                         enum eseal_material_kind kind)
{
    if (empty(sm3))
        return;
    applied(r, ESEAL_RULE_MATERIALS_PRESENT);
    if (!held(r, sm3, ESEAL_MATERIAL_NONE))
        add(r, M_MAT_MISSING, path, sm3, NULL);
    else if (!held(r, sm3, kind))
        add(r, M_MAT_KIND, path, sm3, eseal_form_key(ESEAL_ENUM_MATERIAL, (int)kind));
}

static void materials_form(struct run *r, size_t i)
{
    const struct eseal_form *f = &r->s->forms[i];
    char path[96];
    snprintf(path, sizeof(path), "forms[%zu].material", i);
    material_one(r, path, f->material, ESEAL_MATERIAL_FORM);
    snprintf(path, sizeof(path), "forms[%zu].impression", i);
    material_one(r, path, f->impression, ESEAL_MATERIAL_IMPRESSION);
    snprintf(path, sizeof(path), "forms[%zu].csr", i);
    material_one(r, path, f->csr, ESEAL_MATERIAL_CSR);
    for (size_t j = 0; j < f->n_special; j++) {
        snprintf(path, sizeof(path), "forms[%zu].special[%zu].justification", i, j);
        material_one(r, path, f->special[j].justification, ESEAL_MATERIAL_JUSTIFICATION);
    }
}

static eseal_rc rule_materials_present(struct run *r)
{
    material_one(r, "letter.material", r->s->letter.material, ESEAL_MATERIAL_LETTER);
    if (r->s->summary != NULL && r->s->n_forms > 1) /* one form needs no table: not checked */
        material_one(r, "summary_table.material", r->s->summary->material,
                     ESEAL_MATERIAL_SUMMARY_TABLE);
    for (size_t i = 0; i < r->s->n_forms; i++)
        materials_form(r, i);
    return ESEAL_OK;
}

/* ---- device_csr ----------------------------------------------------------------- */

/* csr_verdict reads and checks one device request; returns the problem, or
 * M_COUNT for none. A read failure other than "not found" is returned in
 * *rc: the engine cannot decide without it. */
static enum msg_id csr_verdict(struct run *r, const char *sm3, eseal_rc *rc)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    enum msg_id problem = M_COUNT;
    X509_REQ *req = NULL;
    *rc = r->in->read_material(r->in->material_ctx, sm3, &b, r->err);
    if (*rc == ESEAL_E_NOTFOUND) {
        *rc = ESEAL_OK;
        problem = M_CSR_UNREADABLE;
    } else if (*rc != ESEAL_OK) {
        goto out;
    } else if (eseal_pki_req_parse(&req, b.data, b.len, NULL) != ESEAL_OK) {
        problem = M_CSR_UNREADABLE;
    } else if (X509_REQ_get0_pubkey(req) == NULL || !eseal_sm2_is(X509_REQ_get0_pubkey(req))) {
        eseal_err_openssl(NULL, ESEAL_E_INVALID, "not SM2"); /* drop OpenSSL's queue */
        problem = M_CSR_NOT_SM2;
    } else if (eseal_x509_req_check(req, NULL) != ESEAL_OK) {
        problem = M_CSR_BAD_SIG;
    }
out:
    X509_REQ_free(req);
    eseal_buf_cleanup(&b);
    return problem;
}

static eseal_rc device_form(struct run *r, size_t i)
{
    const struct eseal_form *f = &r->s->forms[i];
    char path[64];
    snprintf(path, sizeof(path), "forms[%zu].csr", i);
    if (f->kind != ESEAL_KIND_DEVICE) {
        if (f->kind != ESEAL_KIND_NONE && !empty(f->csr))
            add(r, M_CSR_NOT_ALLOWED, path, f->csr, NULL);
        return ESEAL_OK;
    }
    if (empty(f->csr)) {
        add(r, M_CSR_MISSING, path, NULL, NULL);
    } else if (held(r, f->csr, ESEAL_MATERIAL_CSR)) { /* else materials_present says so */
        if (r->in->read_material == NULL)
            return eseal_err_set(r->err, ESEAL_E_INVALID,
                                 "rules: a device seal's CSR needs a material reader");
        eseal_rc rc;
        enum msg_id problem = csr_verdict(r, f->csr, &rc);
        if (rc != ESEAL_OK)
            return rc;
        if (problem != M_COUNT)
            add(r, problem, path, f->csr, NULL);
    }
    if (f->seal.cert_type != ESEAL_CERT_NONE && f->seal.cert_type != ESEAL_CERT_DEVICE) {
        snprintf(path, sizeof(path), "forms[%zu].seal.cert_type", i);
        add(r, M_CSR_CERT_TYPE, path, eseal_form_key(ESEAL_ENUM_CERT_TYPE, (int)f->seal.cert_type),
            "device");
    }
    return ESEAL_OK;
}

static eseal_rc rule_device_csr(struct run *r)
{
    for (size_t i = 0; i < r->s->n_forms; i++) {
        const struct eseal_form *f = &r->s->forms[i];
        if (f->kind == ESEAL_KIND_DEVICE || !empty(f->csr))
            applied(r, ESEAL_RULE_DEVICE_CSR);
        eseal_rc rc = device_form(r, i);
        if (rc != ESEAL_OK)
            return rc;
    }
    return ESEAL_OK;
}

/* ---- summary_table -------------------------------------------------------------- */

static void row_text(struct run *r, size_t i, const char *field, const char *row, const char *form)
{
    if (same(row, form))
        return;
    char path[96];
    snprintf(path, sizeof(path), "summary_table.rows[%zu].%s", i, field);
    add(r, M_SUMMARY_MISMATCH, path, row != NULL ? row : "", form != NULL ? form : "");
}

static void row_enum(struct run *r, size_t i, const char *field, enum eseal_enum which, int row,
                     int form)
{
    if (row != form)
        row_text(r, i, field, eseal_form_key(which, row), eseal_form_key(which, form));
}

/* row_mm compares sizes to the tenth of a millimetre they are given in. */
static void row_mm(struct run *r, size_t i, const char *field, double row, double form)
{
    char a[24], b[24];
    eseal_mm_text(row, a, sizeof(a));
    eseal_mm_text(form, b, sizeof(b));
    if (eseal_mm_tenths(row) != eseal_mm_tenths(form))
        row_text(r, i, field, a, b);
}

static void summary_row(struct run *r, size_t i)
{
    const struct eseal_summary_row *w = &r->s->summary->rows[i];
    const struct eseal_form *f = &r->s->forms[i];
    row_text(r, i, "unit_name", w->unit_name, f->unit.name);
    row_text(r, i, "uscc", w->uscc, f->unit.uscc);
    row_enum(r, i, "kind", ESEAL_ENUM_SEAL_KIND, (int)w->kind, (int)f->kind);
    row_text(r, i, "seal_name", w->seal_name, f->seal.name);
    row_enum(r, i, "function", ESEAL_ENUM_FUNCTION, (int)w->function, (int)f->seal.function);
    row_enum(r, i, "cert_type", ESEAL_ENUM_CERT_TYPE, (int)w->cert_type, (int)f->seal.cert_type);
    row_mm(r, i, "width_mm", w->width_mm, f->seal.width_mm);
    row_mm(r, i, "height_mm", w->height_mm, f->seal.height_mm);
    row_text(r, i, "person_name", w->person_name, f->person != NULL ? f->person->name : NULL);
    row_text(r, i, "target", w->target, f->target);
}

static eseal_rc rule_summary_table(struct run *r)
{
    const struct eseal_submission *s = r->s;
    const struct eseal_summary *t = s->summary;
    if (s->n_forms == 0)
        return ESEAL_OK;
    applied(r, ESEAL_RULE_SUMMARY_TABLE);
    if (s->n_forms == 1) {
        if (t != NULL)
            add(r, M_SUMMARY_UNEXPECTED, "summary_table", NULL, NULL);
        return ESEAL_OK;
    }
    if (t == NULL || empty(t->material)) {
        add(r, M_SUMMARY_REQUIRED, t == NULL ? "summary_table" : "summary_table.material", NULL,
            NULL);
        if (t == NULL)
            return ESEAL_OK;
    }
    if (t->n_rows != s->n_forms) {
        char a[24], b[24];
        snprintf(a, sizeof(a), "%zu", t->n_rows);
        snprintf(b, sizeof(b), "%zu", s->n_forms);
        add(r, M_SUMMARY_ROWS, "summary_table.rows", a, b);
    }
    /* Row i is form i: the table numbers its rows in the order of the forms. */
    for (size_t i = 0; i < t->n_rows && i < s->n_forms; i++)
        summary_row(r, i);
    return ESEAL_OK;
}

/* ---- letter_matches ---------------------------------------------------------------- */

static bool addressed_to_operator(const struct run *r, const char *addressee)
{
    const struct eseal_rules_input *in = r->in;
    if (in->operator_names == NULL)
        return strcmp(addressee, ESEAL_RULES_OPERATOR) == 0;
    for (size_t i = 0; i < in->n_operator_names; i++)
        if (in->operator_names[i] != NULL && strcmp(addressee, in->operator_names[i]) == 0)
            return true;
    return false;
}

static void letter_count(struct run *r, enum msg_id id, const char *path, long stated,
                         size_t actual)
{
    if ((size_t)stated == actual)
        return;
    char a[24], b[24];
    snprintf(a, sizeof(a), "%ld", stated);
    snprintf(b, sizeof(b), "%zu", actual);
    add(r, id, path, a, b);
}

static void letter_kinds(struct run *r)
{
    const struct eseal_letter_kinds *k = r->s->letter.kinds;
    size_t n[ESEAL_KIND_DEVICE + 1] = {0};
    for (size_t i = 0; i < r->s->n_forms; i++)
        if (r->s->forms[i].kind <= ESEAL_KIND_DEVICE)
            n[r->s->forms[i].kind]++;
    letter_count(r, M_LETTER_KINDS, "letter.kinds.unit", k->unit, n[ESEAL_KIND_UNIT]);
    letter_count(r, M_LETTER_KINDS, "letter.kinds.personal", k->personal, n[ESEAL_KIND_PERSONAL]);
    letter_count(r, M_LETTER_KINDS, "letter.kinds.device", k->device, n[ESEAL_KIND_DEVICE]);
}

static eseal_rc rule_letter_matches(struct run *r)
{
    const struct eseal_submission *s = r->s;
    const struct eseal_letter *l = &s->letter;
    const char *expected_operator = r->in->operator_names != NULL && r->in->n_operator_names > 0
                                        ? r->in->operator_names[0]
                                        : ESEAL_RULES_OPERATOR;
    applied(r, ESEAL_RULE_LETTER_MATCHES);
    if (!empty(l->addressee) && !addressed_to_operator(r, l->addressee))
        add(r, M_ADDRESSEE, "letter.addressee", l->addressee, expected_operator);
    const char *want = eseal_form_key(ESEAL_ENUM_BUSINESS, (int)s->business);
    if (l->business != ESEAL_BUSINESS_NONE && s->business != ESEAL_BUSINESS_NONE &&
        l->business != s->business)
        add(r, M_LETTER_BUSINESS, "letter.business",
            eseal_form_key(ESEAL_ENUM_BUSINESS, (int)l->business), want);
    for (size_t i = 0; i < s->n_forms; i++) {
        enum eseal_business fb = s->forms[i].business;
        if (fb == ESEAL_BUSINESS_NONE || s->business == ESEAL_BUSINESS_NONE || fb == s->business)
            continue;
        char path[48];
        snprintf(path, sizeof(path), "forms[%zu].business", i);
        add(r, M_FORM_BUSINESS, path, eseal_form_key(ESEAL_ENUM_BUSINESS, (int)fb), want);
    }
    if (l->form_count != 0)
        letter_count(r, M_LETTER_COUNT, "letter.form_count", l->form_count, s->n_forms);
    if (l->kinds != NULL)
        letter_kinds(r);
    return ESEAL_OK;
}

/* ---- applicant_is_stamper -------------------------------------------------------- */

static eseal_rc rule_applicant_is_stamper(struct run *r)
{
    const struct eseal_unit *a = &r->s->applicant;
    char path[64];
    for (size_t i = 0; i < r->s->n_forms; i++) {
        const struct eseal_unit *u = &r->s->forms[i].unit;
        if (!empty(a->uscc) && !empty(u->uscc)) {
            applied(r, ESEAL_RULE_APPLICANT_IS_STAMPER);
            snprintf(path, sizeof(path), "forms[%zu].unit.uscc", i);
            if (strcmp(a->uscc, u->uscc) != 0)
                add(r, M_NOT_STAMPER, path, u->uscc, a->uscc);
        }
        if (!empty(a->name) && !empty(u->name)) {
            applied(r, ESEAL_RULE_APPLICANT_IS_STAMPER);
            snprintf(path, sizeof(path), "forms[%zu].unit.name", i);
            if (strcmp(a->name, u->name) != 0)
                add(r, M_NOT_STAMPER, path, u->name, a->name);
        }
    }
    return ESEAL_OK;
}

/* ---- target_seal_state, renew_window, usb_key_on_site ----------------------------- */

/* state_allows is the guide's table of seal states per business (business.c). */
static bool state_allows(enum eseal_seal_state s, enum eseal_business b)
{
    return business_accepts(business_type_of(b), s);
}

static enum msg_id state_msg(enum eseal_seal_state s)
{
    switch (s) {
    case ESEAL_SEAL_STATE_PENDING:
        return M_TARGET_PENDING;
    case ESEAL_SEAL_STATE_SUSPENDED:
        return M_TARGET_SUSPENDED;
    case ESEAL_SEAL_STATE_EXPIRED:
        return M_TARGET_EXPIRED;
    default:
        return M_TARGET_REVOKED;
    }
}

/* earlier_target tells whether a form before |i| names the same seal. */
static bool earlier_target(const struct run *r, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (r->targets[i].esid[0] != '\0' && strcmp(r->targets[k].esid, r->targets[i].esid) == 0)
            return true;
    return false;
}

/* listing writes the unit's seals as "name [esID, state]; ..." for a
 * finding that cannot tell which seal a form means. */
static char *listing(const struct eseal_seal_record *seals, size_t n)
{
    if (n == 0)
        return eseal_xstrdup("（无 / none）");
    struct eseal_buf b;
    eseal_buf_init(&b);
    for (size_t k = 0; k < n; k++)
        eseal_buf_appendf(&b, "%s%s [%s, %s]", k > 0 ? "; " : "", seals[k].name, seals[k].esid,
                          eseal_seal_state_name(seals[k].state));
    return (char *)eseal_buf_steal(&b, NULL);
}

/* by_name picks the seal named |name| among the unit's |seals|: a revoked
 * seal only when no other has the name (a reissued seal keeps its name).
 * Returns the index, or -1 with *many telling none from several. */
static long by_name(const struct eseal_seal_record *seals, size_t n, const char *name, bool *many)
{
    long live = -1, dead = -1;
    size_t n_live = 0;
    for (size_t k = 0; k < n; k++) {
        if (strcmp(seals[k].name, name) != 0)
            continue;
        if (seals[k].state == ESEAL_SEAL_STATE_REVOKED) {
            dead = (long)k;
        } else {
            live = (long)k;
            n_live++;
        }
    }
    *many = n_live > 1;
    return n_live == 1 ? live : n_live == 0 ? dead : -1;
}

static eseal_rc resolve_by_code(struct run *r, size_t i);

/* resolve_by_name finds form |i|'s seal by its unit's USCC and the seal's
 * name, and checks the code when the form gives one too. A change (变更)
 * that renames the seal carries the new name: it names the seal by code. */
static eseal_rc resolve_by_name(struct run *r, size_t i)
{
    const struct eseal_form *f = &r->s->forms[i];
    struct target *t = &r->targets[i];
    struct eseal_seal_record *seals = NULL;
    size_t n = 0;
    eseal_rc rc = r->in->list_seals(r->in->lookup_ctx, f->unit.uscc, &seals, &n, r->err);
    if (rc != ESEAL_OK)
        return rc;
    bool many = false;
    long k = by_name(seals, n, f->seal.name, &many);
    /* a seal made before names were kept has none: its code alone names it */
    for (size_t j = 0; k < 0 && !many && !empty(f->target) && j < n; j++)
        if (seals[j].name[0] == '\0' && strcmp(seals[j].esid, f->target) == 0)
            k = (long)j;
    if (k < 0 && !many && !empty(f->target) && r->s->business == ESEAL_BUSINESS_CHANGE) {
        free(seals);
        return resolve_by_code(r, i);
    }
    if (k >= 0 && !empty(f->target) && strcmp(seals[k].esid, f->target) != 0) {
        t->problem = M_TARGET_CODE_NAME;
        t->expected = eseal_xstrdup(seals[k].esid);
    } else if (k >= 0) {
        t->found = true;
        t->rec = seals[k];
        t->rec.name[sizeof(t->rec.name) - 1] = '\0';
        snprintf(t->esid, sizeof(t->esid), "%s", seals[k].esid);
    } else if (!empty(f->target) && !many) {
        t->problem = M_TARGET_CODE_NAME; /* the code's seal has another name, or is not theirs */
        t->expected = listing(seals, n);
    } else {
        t->problem = many ? M_TARGET_AMBIGUOUS : M_TARGET_NO_NAME;
        t->expected = listing(seals, n);
    }
    if (many && !empty(f->target)) { /* the code tells the namesakes apart */
        for (size_t j = 0; j < n; j++) {
            if (strcmp(seals[j].name, f->seal.name) == 0 && strcmp(seals[j].esid, f->target) == 0) {
                free(t->expected);
                t->expected = NULL;
                t->problem = M_COUNT;
                t->found = true;
                t->rec = seals[j];
                snprintf(t->esid, sizeof(t->esid), "%s", seals[j].esid);
            }
        }
    }
    free(seals);
    return ESEAL_OK;
}

/* resolve_by_code finds form |i|'s seal by its code alone (no seal name on
 * the form, which required_fields reports, or no list to search). */
static eseal_rc resolve_by_code(struct run *r, size_t i)
{
    const char *esid = r->s->forms[i].target;
    struct target *t = &r->targets[i];
    if (eseal_esid_check(esid, NULL, NULL, NULL) != ESEAL_OK) {
        t->problem = M_TARGET_BAD;
        return ESEAL_OK;
    }
    snprintf(t->esid, sizeof(t->esid), "%s", esid);
    if (earlier_target(r, i)) { /* asked once per seal */
        t->problem = M_TARGET_DUPLICATE;
        return ESEAL_OK;
    }
    t->esid[0] = '\0';
    if (r->in->lookup_seal == NULL)
        return eseal_err_set(r->err, ESEAL_E_INVALID,
                             "rules: business other than apply needs a seal lookup");
    memset(&t->rec, 0, sizeof(t->rec));
    eseal_rc rc = r->in->lookup_seal(r->in->lookup_ctx, esid, &t->rec, r->err);
    if (rc == ESEAL_E_NOTFOUND) {
        t->problem = M_TARGET_NOT_FOUND;
        return ESEAL_OK;
    }
    if (rc != ESEAL_OK)
        return rc;
    const char *uscc = r->s->forms[i].unit.uscc;
    if (!empty(uscc) && strcmp(t->rec.uscc, uscc) != 0) {
        /* another unit's seal: answered as if it did not exist, so that no
         * finding tells anything of it (its unit, its state) (#17) */
        memset(&t->rec, 0, sizeof(t->rec));
        t->problem = M_TARGET_NOT_FOUND;
        return ESEAL_OK;
    }
    t->found = true;
    snprintf(t->esid, sizeof(t->esid), "%s", esid);
    return ESEAL_OK;
}

/* lookup_targets resolves the seal each form names, before the rules that
 * need it run: by USCC and seal name as the guide names seals, else by the
 * code. */
static eseal_rc lookup_targets(struct run *r)
{
    if (!changes_seal(r->s->business))
        return ESEAL_OK;
    for (size_t i = 0; i < r->s->n_forms; i++) {
        const struct eseal_form *f = &r->s->forms[i];
        struct target *t = &r->targets[i];
        t->problem = M_COUNT;
        eseal_rc rc = ESEAL_OK;
        if (r->in->list_seals != NULL && !empty(f->unit.uscc) && !empty(f->seal.name))
            rc = resolve_by_name(r, i);
        else if (!empty(f->target))
            rc = resolve_by_code(r, i);
        else
            continue; /* required_fields reports the missing name */
        if (rc != ESEAL_OK)
            return rc;
        t->rec.uscc[sizeof(t->rec.uscc) - 1] = '\0';
        t->rec.token_id[sizeof(t->rec.token_id) - 1] = '\0';
        t->rec.name[sizeof(t->rec.name) - 1] = '\0';
        if (t->found && earlier_target(r, i)) {
            t->found = false;
            t->problem = M_TARGET_DUPLICATE;
        }
    }
    return ESEAL_OK;
}

static void target_form(struct run *r, size_t i)
{
    const struct eseal_form *f = &r->s->forms[i];
    const struct target *t = &r->targets[i];
    char path[48];
    bool by_name = t->problem == M_TARGET_NO_NAME || t->problem == M_TARGET_AMBIGUOUS;
    snprintf(path, sizeof(path), "forms[%zu].%s", i, by_name ? "seal.name" : "target");
    if (t->problem == M_TARGET_CODE_NAME) {
        add(r, t->problem, path, f->target, t->expected);
    } else if (t->problem == M_TARGET_DUPLICATE) {
        add(r, t->problem, path, t->esid, NULL);
    } else if (t->problem != M_COUNT) {
        add(r, t->problem, path, by_name ? f->seal.name : f->target, t->expected);
    } else if (t->found) {
        if (!state_allows(t->rec.state, r->s->business))
            add(r, state_msg(t->rec.state), path, eseal_seal_state_name(t->rec.state), NULL);
        else if (business_type_of(r->s->business)->usb_key_only &&
                 t->rec.cert_type != ESEAL_CERT_USB_KEY)
            add(r, M_TARGET_NOT_USB_KEY, path,
                eseal_form_key(ESEAL_ENUM_CERT_TYPE, (int)t->rec.cert_type), "usb_key");
    }
}

static eseal_rc rule_target_seal_state(struct run *r)
{
    enum eseal_business b = r->s->business;
    char path[48];
    for (size_t i = 0; b != ESEAL_BUSINESS_NONE && i < r->s->n_forms; i++) {
        const struct eseal_form *f = &r->s->forms[i];
        snprintf(path, sizeof(path), "forms[%zu].target", i);
        applied(r, ESEAL_RULE_TARGET_SEAL_STATE);
        if (!changes_seal(b)) {
            if (!empty(f->target))
                add(r, M_TARGET_ON_APPLY, path, f->target, NULL);
        } else {
            target_form(r, i);
        }
    }
    return ESEAL_OK;
}

/* usable_target returns the record of form |i|'s seal when the seal exists
 * and its state allows the business; otherwise target_seal_state has
 * rejected the form already and the later rules have nothing to add. */
static const struct eseal_seal_record *usable_target(const struct run *r, size_t i)
{
    const struct target *t = &r->targets[i];
    if (!t->found || !state_allows(t->rec.state, r->s->business))
        return NULL;
    return &t->rec;
}

static eseal_rc rule_renew_window(struct run *r)
{
    const struct business_type *type = business_type_of(r->s->business);
    if (type == NULL || !type->renew_window)
        return ESEAL_OK;
    char path[48], now[32], from[32], to[32], window[80];
    for (size_t i = 0; i < r->s->n_forms; i++) {
        const struct eseal_seal_record *rec = usable_target(r, i);
        if (rec == NULL)
            continue;
        applied(r, ESEAL_RULE_RENEW_WINDOW);
        /* Allowed iff validEnd - 30 days <= now <= validEnd, both ends included. */
        time_t start = rec->valid_end - ESEAL_RENEW_WINDOW;
        if (r->now >= start && r->now <= rec->valid_end)
            continue;
        snprintf(path, sizeof(path), "forms[%zu].target", i);
        iso_time(r->now, now, sizeof(now));
        iso_time(start, from, sizeof(from));
        iso_time(rec->valid_end, to, sizeof(to));
        snprintf(window, sizeof(window), "%s .. %s", from, to);
        add(r, r->now < start ? M_RENEW_EARLY : M_RENEW_LATE, path, now, window);
    }
    return ESEAL_OK;
}

static bool needs_key_on_site(enum eseal_business b)
{
    const struct business_type *t = business_type_of(b);
    return t != NULL && t->key_on_site;
}

/* onsite_check returns the problem for a USB KEY seal: no record for the
 * seal, or only records of another token; M_COUNT if a record matches. */
static enum msg_id onsite_check(const struct run *r, const char *esid, const char *token,
                                const char **presented)
{
    enum msg_id problem = M_ONSITE_MISSING;
    for (size_t k = 0; k < r->in->n_onsite; k++) {
        const struct eseal_onsite *o = &r->in->onsite[k];
        if (o->esid == NULL || strcmp(o->esid, esid) != 0)
            continue;
        if (!empty(o->token_id) && strcmp(o->token_id, token) == 0)
            return M_COUNT;
        problem = M_ONSITE_MISMATCH;
        *presented = o->token_id != NULL ? o->token_id : "";
    }
    return problem;
}

static eseal_rc rule_usb_key_on_site(struct run *r)
{
    if (!needs_key_on_site(r->s->business))
        return ESEAL_OK;
    char path[48];
    for (size_t i = 0; i < r->s->n_forms; i++) {
        const struct eseal_seal_record *rec = usable_target(r, i);
        if (rec == NULL || rec->cert_type != ESEAL_CERT_USB_KEY ||
            !business_needs_key(business_type_of(r->s->business), rec->state))
            continue; /* a suspended (lost) seal's revocation: the key is gone */
        applied(r, ESEAL_RULE_USB_KEY_ON_SITE);
        const char *esid = r->targets[i].esid;
        const char *presented = NULL;
        enum msg_id problem = onsite_check(r, esid, rec->token_id, &presented);
        snprintf(path, sizeof(path), "forms[%zu].target", i);
        if (problem == M_ONSITE_MISSING)
            add(r, problem, path, esid, NULL);
        else if (problem == M_ONSITE_MISMATCH)
            add(r, problem, path, presented, rec->token_id);
    }
    return ESEAL_OK;
}

/* ---- renew_unchanged ----------------------------------------------------------- */

/* renew_differs reports one attribute of form |i| that differs from the
 * seal's current version (|form| and |seal| as text; "" is unknown). */
static void renew_differs(struct run *r, size_t i, const char *field, const char *form,
                          const char *seal)
{
    if (empty(form) || empty(seal) || strcmp(form, seal) == 0)
        return;
    char path[64];
    snprintf(path, sizeof(path), "forms[%zu].%s", i, field);
    add(r, M_RENEW_CHANGES, path, form, seal);
}

static eseal_rc rule_renew_unchanged(struct run *r)
{
    if (r->s->business != ESEAL_BUSINESS_RENEW)
        return ESEAL_OK;
    for (size_t i = 0; i < r->s->n_forms; i++) {
        const struct eseal_seal_record *rec = usable_target(r, i);
        const struct eseal_form *f = &r->s->forms[i];
        if (rec == NULL)
            continue;
        applied(r, ESEAL_RULE_RENEW_UNCHANGED);
        char a[24], b[24];
        renew_differs(r, i, "seal.name", f->seal.name, rec->name);
        renew_differs(r, i, "kind", eseal_form_key(ESEAL_ENUM_SEAL_KIND, (int)f->kind),
                      eseal_form_key(ESEAL_ENUM_SEAL_KIND, (int)rec->kind));
        renew_differs(r, i, "seal.function",
                      eseal_form_key(ESEAL_ENUM_FUNCTION, (int)f->seal.function),
                      eseal_form_key(ESEAL_ENUM_FUNCTION, (int)rec->function));
        renew_differs(r, i, "seal.cert_type",
                      eseal_form_key(ESEAL_ENUM_CERT_TYPE, (int)f->seal.cert_type),
                      eseal_form_key(ESEAL_ENUM_CERT_TYPE, (int)rec->cert_type));
        if (eseal_mm_tenths(rec->width_mm) != 0) {
            eseal_mm_text(f->seal.width_mm, a, sizeof(a));
            eseal_mm_text(rec->width_mm, b, sizeof(b));
            renew_differs(r, i, "seal.width_mm", a, b);
            eseal_mm_text(f->seal.height_mm, a, sizeof(a));
            eseal_mm_text(rec->height_mm, b, sizeof(b));
            renew_differs(r, i, "seal.height_mm", a, b);
        }
        renew_differs(r, i, "impression", f->impression, rec->impression);
    }
    return ESEAL_OK;
}

/* ---- special_case_ack ----------------------------------------------------------- */

static bool declares(const struct eseal_form *f, enum eseal_special_case c)
{
    for (size_t j = 0; j < f->n_special; j++)
        if (f->special[j].kind == c)
            return true;
    return false;
}

/* shared_impression tells whether another form of the submission uses the
 * impression of form |i|: one impression bound to several certificates. */
static bool shared_impression(const struct run *r, size_t i)
{
    const char *imp = r->s->forms[i].impression;
    for (size_t k = 0; !empty(imp) && k < r->s->n_forms; k++)
        if (k != i && same(r->s->forms[k].impression, imp))
            return true;
    return false;
}

static void special_one(struct run *r, size_t i, size_t j)
{
    const struct eseal_form *f = &r->s->forms[i];
    const struct eseal_special *sp = &f->special[j];
    char path[96];
    if (sp->kind == ESEAL_SPECIAL_NONE)
        return; /* required_fields reports it */
    applied(r, ESEAL_RULE_SPECIAL_CASE_ACK);
    bool delegated = sp->kind == ESEAL_SPECIAL_DELEGATED_USE;
    snprintf(path, sizeof(path), "forms[%zu].special[%zu].justification", i, j);
    if (empty(sp->justification))
        add(r, M_SPECIAL_JUSTIFICATION, path, NULL, NULL);
    snprintf(path, sizeof(path), "forms[%zu].special[%zu].delegator", i, j);
    if (delegated && sp->delegator == NULL)
        add(r, M_DELEGATOR_MISSING, path, NULL, NULL);
    if (!delegated && sp->delegator != NULL)
        add(r, M_DELEGATOR_NOT_ALLOWED, path, NULL, NULL);
    if (delegated && sp->delegator != NULL && !empty(sp->delegator->uscc) &&
        same(sp->delegator->uscc, f->unit.uscc))
        add(r, M_DELEGATOR_SELF, path, sp->delegator->uscc, NULL);
    snprintf(path, sizeof(path), "forms[%zu].special[%zu].case", i, j);
    add(r, M_SPECIAL_ACK, path, eseal_form_key(ESEAL_ENUM_SPECIAL_CASE, (int)sp->kind), NULL);
}

static eseal_rc rule_special_case_ack(struct run *r)
{
    char path[48];
    for (size_t i = 0; i < r->s->n_forms; i++) {
        const struct eseal_form *f = &r->s->forms[i];
        if (shared_impression(r, i) && !declares(f, ESEAL_SPECIAL_MULTI_CERT)) {
            snprintf(path, sizeof(path), "forms[%zu].impression", i);
            add(r, M_SPECIAL_UNDECLARED, path, f->impression, "multi_cert");
        }
        for (size_t j = 0; j < f->n_special; j++)
            special_one(r, i, j);
    }
    return ESEAL_OK;
}

/* ---- the engine ------------------------------------------------------------------- */

static eseal_rc (*const rules[ESEAL_RULE_COUNT])(struct run *) = {
    [ESEAL_RULE_REQUIRED_FIELDS] = rule_required_fields,
    [ESEAL_RULE_PERSONAL_FIELDS] = rule_personal_fields,
    [ESEAL_RULE_USCC_CHECK] = rule_uscc_check,
    [ESEAL_RULE_IDNUM_CHECK] = rule_idnum_check,
    [ESEAL_RULE_REGION_MATCH] = rule_region_match,
    [ESEAL_RULE_CHANNEL_MATCH] = rule_channel_match,
    [ESEAL_RULE_MATERIALS_PRESENT] = rule_materials_present,
    [ESEAL_RULE_DEVICE_CSR] = rule_device_csr,
    [ESEAL_RULE_SUMMARY_TABLE] = rule_summary_table,
    [ESEAL_RULE_LETTER_MATCHES] = rule_letter_matches,
    [ESEAL_RULE_APPLICANT_IS_STAMPER] = rule_applicant_is_stamper,
    [ESEAL_RULE_TARGET_SEAL_STATE] = rule_target_seal_state,
    [ESEAL_RULE_RENEW_WINDOW] = rule_renew_window,
    [ESEAL_RULE_USB_KEY_ON_SITE] = rule_usb_key_on_site,
    [ESEAL_RULE_SPECIAL_CASE_ACK] = rule_special_case_ack,
    [ESEAL_RULE_RENEW_UNCHANGED] = rule_renew_unchanged,
};

void eseal_rules_result_init(struct eseal_rules_result *r)
{
    memset(r, 0, sizeof(*r));
}

void eseal_rules_result_cleanup(struct eseal_rules_result *r)
{
    for (size_t i = 0; i < r->n_findings; i++) {
        struct eseal_finding *f = &r->findings[i];
        free(f->path);
        free(f->value);
        free(f->expected);
        free(f->message_zh);
        free(f->message_en);
    }
    free(r->findings);
    free(r->targets);
    eseal_rules_result_init(r);
}

static eseal_rc parse_acks(const struct eseal_rules_input *in, bool acked[ESEAL_RULE_COUNT],
                           struct eseal_err *err)
{
    for (size_t i = 0; i < in->n_acks; i++) {
        enum eseal_rule rule;
        if (!eseal_rule_parse(in->acks[i], &rule))
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "确认项不是规则名 / acknowledgement \"%.64s\" is not a rule key",
                                 in->acks[i] != NULL ? in->acks[i] : "");
        acked[rule] = true;
    }
    return ESEAL_OK;
}

/* conclude marks acknowledged warnings and derives each rule's outcome and
 * the verdict from the findings. */
static void conclude(struct run *r, const bool acked[ESEAL_RULE_COUNT])
{
    struct eseal_rules_result *o = r->out;
    for (int k = 0; k < ESEAL_RULE_COUNT; k++)
        o->outcome[k] = r->applied[k] ? ESEAL_OUTCOME_PASSED : ESEAL_OUTCOME_NOT_APPLICABLE;
    o->verdict = ESEAL_VERDICT_OK;
    for (size_t i = 0; i < o->n_findings; i++) {
        struct eseal_finding *f = &o->findings[i];
        enum eseal_rule_outcome oc = ESEAL_OUTCOME_FAILED;
        enum eseal_verdict v = ESEAL_VERDICT_REJECTED;
        if (f->severity == ESEAL_SEVERITY_NOTE)
            continue;
        if (f->severity == ESEAL_SEVERITY_WARNING) {
            f->acknowledged = acked[f->rule];
            oc = f->acknowledged ? ESEAL_OUTCOME_ACKNOWLEDGED : ESEAL_OUTCOME_NEEDS_ACK;
            v = f->acknowledged ? ESEAL_VERDICT_OK : ESEAL_VERDICT_NEEDS_ACK;
        }
        /* The outcome enum is ordered from best to worst past PASSED. */
        if (oc > o->outcome[f->rule])
            o->outcome[f->rule] = oc;
        if (v > o->verdict)
            o->verdict = v;
    }
}

eseal_rc eseal_rules_run(struct eseal_rules_result *out, const struct eseal_rules_input *in,
                         struct eseal_err *err)
{
    eseal_rules_result_cleanup(out);
    if (in == NULL || in->submission == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "rules: no submission");
    bool acked[ESEAL_RULE_COUNT] = {false};
    eseal_rc rc = parse_acks(in, acked, err);
    if (rc != ESEAL_OK)
        return rc;
    struct run r = {
        .in = in,
        .s = in->submission,
        .out = out,
        .now = in->now != 0 ? in->now : time(NULL),
        .err = err,
    };
    r.targets = eseal_xcalloc(r.s->n_forms + 1, sizeof(*r.targets));
    rc = lookup_targets(&r);
    for (int k = 0; rc == ESEAL_OK && k < ESEAL_RULE_COUNT; k++)
        rc = rules[k](&r);
    out->targets = eseal_xcalloc(r.s->n_forms + 1, sizeof(*out->targets));
    out->n_targets = r.s->n_forms;
    for (size_t i = 0; i < r.s->n_forms; i++) {
        if (r.targets[i].found)
            memcpy(out->targets[i], r.targets[i].esid, sizeof(out->targets[i]));
        free(r.targets[i].expected);
    }
    free(r.targets);
    if (rc != ESEAL_OK) {
        eseal_rules_result_cleanup(out);
        return rc;
    }
    conclude(&r, acked);
    return ESEAL_OK;
}

void eseal_rules_summary(struct eseal_rules_result *out, const struct eseal_submission *s)
{
    eseal_rules_result_cleanup(out);
    bool acked[ESEAL_RULE_COUNT] = {false};
    struct run r = {.s = s, .out = out, .now = time(NULL)};
    (void)rule_summary_table(&r);
    conclude(&r, acked);
}

const struct eseal_finding *eseal_rules_find(const struct eseal_rules_result *r,
                                             enum eseal_rule rule, const char *code, size_t *from)
{
    for (size_t i = from != NULL ? *from : 0; i < r->n_findings; i++) {
        const struct eseal_finding *f = &r->findings[i];
        if (f->rule != rule || (code != NULL && strcmp(f->code, code) != 0))
            continue;
        if (from != NULL)
            *from = i + 1;
        return f;
    }
    return NULL;
}

/* ---- names and JSON ----------------------------------------------------------------- */

const char *eseal_verdict_name(enum eseal_verdict v)
{
    switch (v) {
    case ESEAL_VERDICT_OK:
        return "ok";
    case ESEAL_VERDICT_NEEDS_ACK:
        return "needs_acknowledgement";
    case ESEAL_VERDICT_REJECTED:
        return "rejected";
    }
    return "rejected";
}

const char *eseal_rule_outcome_name(enum eseal_rule_outcome o)
{
    switch (o) {
    case ESEAL_OUTCOME_NOT_APPLICABLE:
        return "not_applicable";
    case ESEAL_OUTCOME_PASSED:
        return "passed";
    case ESEAL_OUTCOME_ACKNOWLEDGED:
        return "acknowledged";
    case ESEAL_OUTCOME_NEEDS_ACK:
        return "needs_acknowledgement";
    case ESEAL_OUTCOME_FAILED:
        return "failed";
    }
    return "failed";
}

const char *eseal_severity_name(enum eseal_severity s)
{
    return s == ESEAL_SEVERITY_WARNING ? "warning" : s == ESEAL_SEVERITY_NOTE ? "note" : "error";
}

static json_t *finding_json(const struct eseal_finding *f)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:{s:o, s:o}}", "rule",
                     rule_labels[f->rule].key, "code", f->code, "severity",
                     eseal_severity_name(f->severity), "acknowledged", f->acknowledged, "path",
                     eseal_json_text(f->path), "value", eseal_json_text(f->value), "expected",
                     eseal_json_text(f->expected), "message", "zh", eseal_json_text(f->message_zh),
                     "en", eseal_json_text(f->message_en));
}

json_t *eseal_rules_result_json(const struct eseal_rules_result *r)
{
    json_t *rules_j = json_array();
    for (int k = 0; k < ESEAL_RULE_COUNT; k++)
        json_array_append_new(rules_j,
                              json_pack("{s:s, s:{s:s, s:s}, s:s}", "key", rule_labels[k].key,
                                        "title", "zh", rule_labels[k].zh, "en", rule_labels[k].en,
                                        "outcome", eseal_rule_outcome_name(r->outcome[k])));
    json_t *findings = json_array();
    for (size_t i = 0; i < r->n_findings; i++)
        json_array_append_new(findings, finding_json(&r->findings[i]));
    json_t *targets = json_array();
    for (size_t i = 0; i < r->n_targets; i++)
        json_array_append_new(targets,
                              r->targets[i][0] != '\0' ? json_string(r->targets[i]) : json_null());
    return json_pack("{s:s, s:o, s:o, s:o}", "verdict", eseal_verdict_name(r->verdict), "rules",
                     rules_j, "findings", findings, "targets", targets);
}
