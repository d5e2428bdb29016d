/* report.c — the validation report: the table of check outcomes with their
 * Chinese and English messages, the verdict, JSON and text output. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/buf.h"
#include "eseal/json.h"
#include "eseal/words.h"
#include "internal.h"

/* struct outcome_row is one outcome of one check. Every message a report can
 * carry is in this table, so the wording of a check lives in one place. */
struct outcome_row {
    const char *key;
    enum eseal_check_status status;
    const char *sub_indication; /* NULL for passed and skipped */
    const char *zh;
    const char *en;
};

static const struct outcome_row outcomes[V_N_OUTCOMES] = {
    [V_FORMAT_SES_OK] = {"format", ESEAL_CHECK_PASSED, NULL, "签章数据格式正确 (GB/T 38540)",
                         "well-formed seal signature (GB/T 38540)"},
    [V_FORMAT_SEAL_OK] = {"format", ESEAL_CHECK_PASSED, NULL, "印章数据格式正确 (GB/T 38540)",
                          "well-formed seal (GB/T 38540)"},
    [V_FORMAT_SES_BAD] = {"format", ESEAL_CHECK_FAILED, "FORMAT_FAILURE", "签章数据无法解析",
                          "the seal signature cannot be parsed"},
    [V_FORMAT_SEAL_BAD] = {"format", ESEAL_CHECK_FAILED, "FORMAT_FAILURE", "印章数据无法解析",
                           "the seal cannot be parsed"},
    [V_DATA_HASH_OK] = {"data_hash", ESEAL_CHECK_PASSED, NULL,
                        "文档的 SM3 摘要与签章中的 dataHash 一致",
                        "the document's SM3 digest matches dataHash"},
    [V_DATA_HASH_MISMATCH] =
        {"data_hash", ESEAL_CHECK_FAILED, "HASH_FAILURE",
         "文档的 SM3 摘要与签章中的 dataHash 不一致：文档已被修改或不是被签文档",
         "the document's SM3 digest differs from dataHash: the document "
         "was changed or is not the signed one"},
    [V_DATA_HASH_NO_DOCUMENT] = {"data_hash", ESEAL_CHECK_INDETERMINATE, "SIGNED_DATA_NOT_FOUND",
                                 "未提供被签文档，无法核对摘要",
                                 "the signed document is not available: its digest cannot be "
                                 "checked"},
    [V_SIGNATURE_OK] = {"signature", ESEAL_CHECK_PASSED, NULL, "签章签名值用签章人证书验证通过",
                        "the signature over TBS_Sign verifies with the signer's certificate"},
    [V_SIGNATURE_BAD] = {"signature", ESEAL_CHECK_FAILED, "SIG_CRYPTO_FAILURE",
                         "签章签名值验证失败：签章数据已被修改或签名无效",
                         "the signature over TBS_Sign does not verify: the signed data was "
                         "changed or the signature is invalid"},
    [V_SIGNER_IN_SEAL_OK] = {"signer_in_seal", ESEAL_CHECK_PASSED, NULL,
                             "签章人证书在印章的证书列表中",
                             "the signer's certificate is in the seal's certificate list"},
    [V_SIGNER_IN_SEAL_MISSING] = {"signer_in_seal", ESEAL_CHECK_FAILED, "SEAL_CERT_MISMATCH",
                                  "签章人证书不在印章的证书列表中：此人无权使用该印章",
                                  "the signer's certificate is not in the seal's certificate "
                                  "list: the signer may not use this seal"},
    [V_SEAL_SIGNATURE_OK] = {"seal_signature", ESEAL_CHECK_PASSED, NULL, "印章的制章者签名验证通过",
                             "the seal maker's signature verifies"},
    [V_SEAL_SIGNATURE_BAD] = {"seal_signature", ESEAL_CHECK_FAILED, "SEAL_CRYPTO_FAILURE",
                              "印章的制章者签名验证失败：印章已被修改或不是制章者所制",
                              "the seal maker's signature does not verify: the seal was "
                              "changed or not made by its maker"},
    [V_CHAIN_OK] = {"chain", ESEAL_CHECK_PASSED, NULL, "证书链接到已配置的信任锚",
                    "the certificates chain to a configured trust anchor"},
    [V_CHAIN_NO_TRUST] = {"chain", ESEAL_CHECK_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND",
                          "未配置信任锚，无法验证证书链",
                          "no trust anchor configured: the certificate chain cannot be "
                          "checked"},
    [V_CHAIN_BROKEN] = {"chain", ESEAL_CHECK_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND",
                        "证书无法链接到已配置的信任锚",
                        "a certificate does not chain to a configured trust anchor"},
    [V_VALIDITY_OK] = {"validity", ESEAL_CHECK_PASSED, NULL, "印章和签章人证书在最佳签署时间有效",
                       "the seal and the signer's certificate are valid at the best signature "
                       "time"},
    [V_VALIDITY_SEAL_OK] = {"validity", ESEAL_CHECK_PASSED, NULL, "印章在验证时间有效",
                            "the seal is valid at the validation time"},
    [V_VALIDITY_SEAL_NOT_YET] = {"validity", ESEAL_CHECK_FAILED, "NOT_YET_VALID",
                                 "验证时间早于印章有效期起始 (validStart)",
                                 "the validation time is before the seal's validStart"},
    [V_VALIDITY_CERT_NOT_YET] = {"validity", ESEAL_CHECK_FAILED, "NOT_YET_VALID",
                                 "验证时间早于签章人证书有效期起始 (notBefore)",
                                 "the validation time is before the signer certificate's "
                                 "notBefore"},
    [V_VALIDITY_CLAIM_AFTER_SEAL] = {"validity", ESEAL_CHECK_FAILED, "EXPIRED",
                                     "签章声明的签署时间 (timeInfo) 晚于印章有效期截止 (validEnd)",
                                     "the claimed signing time (timeInfo) is after the seal's "
                                     "validEnd"},
    [V_VALIDITY_CLAIM_AFTER_CERT] = {"validity", ESEAL_CHECK_FAILED, "EXPIRED",
                                     "签章声明的签署时间 (timeInfo) 晚于签章人证书有效期截止 "
                                     "(notAfter)",
                                     "the claimed signing time (timeInfo) is after the signer "
                                     "certificate's notAfter"},
    [V_VALIDITY_CLAIM_BEFORE_SEAL] = {"validity", ESEAL_CHECK_FAILED, "NOT_YET_VALID",
                                      "签章声明的签署时间 (timeInfo) 早于印章有效期起始 "
                                      "(validStart)",
                                      "the claimed signing time (timeInfo) is before the "
                                      "seal's validStart"},
    [V_VALIDITY_CLAIM_BEFORE_CERT] = {"validity", ESEAL_CHECK_FAILED, "NOT_YET_VALID",
                                      "签章声明的签署时间 (timeInfo) 早于签章人证书有效期起始 "
                                      "(notBefore)",
                                      "the claimed signing time (timeInfo) is before the "
                                      "signer certificate's notBefore"},
    [V_VALIDITY_SEAL_NO_POE] = {"validity", ESEAL_CHECK_INDETERMINATE, "OUT_OF_BOUNDS_NO_POE",
                                "印章在最佳签署时间已过有效期，且没有时间戳证明签署早于过期",
                                "the seal's validEnd is before the best signature time and no "
                                "time-stamp proves the signature existed before it"},
    [V_VALIDITY_CERT_NO_POE] = {"validity", ESEAL_CHECK_INDETERMINATE, "OUT_OF_BOUNDS_NO_POE",
                                "签章人证书在最佳签署时间已过有效期，且没有时间戳证明签署早于过期",
                                "the signer certificate's notAfter is before the best signature "
                                "time and no time-stamp proves the signature existed before it"},
    [V_STATUS_SKIPPED] = {"status", ESEAL_CHECK_SKIPPED, NULL, "状态未检查 (--no-status)",
                          "status not checked (--no-status)"},
    [V_STATUS_NO_SOURCE] = {"status", ESEAL_CHECK_INDETERMINATE, "NO_STATUS_SOURCE",
                            "未配置印章状态来源，无法确认印章未被撤销（请使用 --status-url 或 "
                            "--status-file）",
                            "no status source configured: the seal may be revoked (use "
                            "--status-url or --status-file)"},
    [V_STATUS_GOOD] = {"status", ESEAL_CHECK_PASSED, NULL, "发布方签名确认印章状态正常（有效）",
                       "the publisher's signed status says the seal is good"},
    [V_STATUS_GOOD_THEN] = {"status", ESEAL_CHECK_PASSED, NULL,
                            "印章在验证时间之后才被挂失或撤销，验证时间时状态正常",
                            "the seal was suspended or revoked only after the validation time: "
                            "it was good then"},
    [V_STATUS_UNAVAILABLE] = {"status", ESEAL_CHECK_INDETERMINATE, "TRY_LATER",
                              "无法取得经签名验证的印章状态，请稍后重试",
                              "no authenticated status could be had: try later"},
    [V_STATUS_STALE] = {"status", ESEAL_CHECK_INDETERMINATE, "TRY_LATER",
                        "印章状态已过期（nextUpdate 早于当前时间）或时间异常，请获取最新状态",
                        "the status is stale (nextUpdate has passed) or not yet current: fetch "
                        "a fresh one"},
    [V_STATUS_UNKNOWN] = {"status", ESEAL_CHECK_INDETERMINATE, "SEAL_STATUS_UNKNOWN",
                          "发布方不认识此印章：它不是本平台登记的印章",
                          "the publisher does not know this seal: it is not registered on "
                          "this platform"},
    [V_STATUS_MISMATCH] = {"status", ESEAL_CHECK_INDETERMINATE, "STATUS_NOT_COVERED",
                           "取得的印章状态不属于此印章",
                           "the status obtained is about another seal"},
    [V_STATUS_PENDING] = {"status", ESEAL_CHECK_FAILED, "NOT_YET_VALID",
                          "印章已制作但尚未领取，不能使用",
                          "the seal was made but not yet collected: it may not be used"},
    [V_STATUS_SUSPENDED] = {"status", ESEAL_CHECK_INDETERMINATE, "TRY_LATER",
                            "印章已挂失（暂停使用），等待撤销或补办",
                            "the seal is suspended (reported lost), pending revocation or "
                            "reissue"},
    [V_STATUS_REVOKED_NO_POE] = {"status", ESEAL_CHECK_INDETERMINATE, "REVOKED_NO_POE",
                                 "印章已撤销，且没有时间戳证明签署早于撤销",
                                 "the seal is revoked and no time-stamp proves the signature "
                                 "existed before the revocation"},
    [V_STATUS_REVOKED_CLAIM] = {"status", ESEAL_CHECK_FAILED, "REVOKED",
                                "签章声明的签署时间 (timeInfo) 晚于印章撤销时间",
                                "the claimed signing time (timeInfo) is after the seal was "
                                "revoked"},
    [V_STATUS_COMPROMISED_CLAIM] = {"status", ESEAL_CHECK_FAILED, "REVOKED",
                                    "签章声明的签署时间 (timeInfo) 晚于印章挂失时间"
                                    "（撤销的 invalidityDate，自此密钥视为失控）",
                                    "the claimed signing time (timeInfo) is after the seal was "
                                    "reported lost (the revocation's invalidityDate, from which "
                                    "the key counts as compromised)"},
    [V_STATUS_EXPIRED] = {"status", ESEAL_CHECK_INDETERMINATE, "OUT_OF_BOUNDS_NO_POE",
                          "发布方确认印章已过有效期，且没有时间戳证明签署早于过期",
                          "the publisher says the seal has expired and no time-stamp proves "
                          "the signature existed before"},
    [V_PICTURE_OK] = {"picture", ESEAL_CHECK_PASSED, NULL, "印章图像与登记的图像摘要一致",
                      "the seal picture matches the registered picture digest"},
    [V_PICTURE_MISMATCH] = {"picture", ESEAL_CHECK_FAILED, "PICTURE_MISMATCH",
                            "印章图像与登记的图像摘要不一致",
                            "the seal picture differs from the registered picture digest"},
    [V_PICTURE_NOT_PUBLISHED] = {"picture", ESEAL_CHECK_SKIPPED, NULL,
                                 "状态来源不含图像摘要（状态列表），未核对图像",
                                 "the status source carries no picture digest (a status list): "
                                 "picture not compared"},
    [V_PICTURE_NO_STATUS] = {"picture", ESEAL_CHECK_SKIPPED, NULL,
                             "没有已发布的印章状态，未核对图像",
                             "no published status to compare the picture with"},
    [V_PICTURE_REGISTERED] = {"picture", ESEAL_CHECK_PASSED, NULL, "该图像是已登记印章的图像",
                              "the image is the registered picture of a seal"},
    [V_PICTURE_UNKNOWN] = {"picture", ESEAL_CHECK_INDETERMINATE, "SEAL_STATUS_UNKNOWN",
                           "没有任何已登记印章使用该图像", "no registered seal has this picture"},
    [V_PICTURE_UNAVAILABLE] = {"picture", ESEAL_CHECK_INDETERMINATE, "TRY_LATER",
                               "无法查询图像登记情况，请稍后重试",
                               "the picture registry could not be asked: try later"},
    [V_FORMAT_SIGN_UNSUPPORTED] = {"format", ESEAL_CHECK_INDETERMINATE,
                                   "SIGNATURE_TYPE_NOT_SUPPORTED",
                                   "不支持的签名类型 (signature type not supported)：电子签名 "
                                   "(Type=\"Sign\", GB/T 35275 SM2 CMS) 暂不能验证；这不是签章损坏",
                                   "signature type not supported: an electronic signature "
                                   "(Type=\"Sign\", GB/T 35275 SM2 CMS) cannot be verified here; "
                                   "this is not a broken seal signature"},
    [V_FORMAT_CONTAINER_BAD] = {"format", ESEAL_CHECK_FAILED, "FORMAT_FAILURE",
                                "文档中的签名文件缺失或无法解析",
                                "the signature's files in the document are missing or malformed"},
    [V_REFERENCES_OK] = {"references", ESEAL_CHECK_PASSED, NULL,
                         "签名保护的每个文件都与其摘要 (CheckValue) 一致",
                         "every file the signature protects matches its CheckValue"},
    [V_REFERENCES_UPDATED] = {"references", ESEAL_CHECK_PASSED, NULL,
                              "签名保护的文件都一致；Signatures.xml 由其后的签章按规则更新",
                              "every protected file matches; Signatures.xml was updated by a "
                              "later signature, as the rule allows (docs/ofd.md)"},
    [V_REFERENCES_CHANGED] = {"references", ESEAL_CHECK_FAILED, "HASH_FAILURE",
                              "签名保护的文件已被修改或缺失",
                              "a protected file was changed or is "
                              "missing"},
    [V_REFERENCES_BAD] = {"references", ESEAL_CHECK_FAILED, "FORMAT_FAILURE",
                          "签名的文件摘要列表无法使用（摘要算法不支持或为空）",
                          "the References cannot be used (unsupported CheckMethod, or none)"},
    [V_SEAL_FILE_OK] = {"seal_file", ESEAL_CHECK_PASSED, NULL,
                        "印章文件 (Seal.esl) 与签章中的印章逐字节一致",
                        "Seal.esl equals the seal inside SignedValue.dat byte for byte"},
    [V_SEAL_FILE_ABSENT] = {"seal_file", ESEAL_CHECK_SKIPPED, NULL, "文档中没有单独的印章文件",
                            "no separate seal file (Seal.esl) to compare"},
    [V_SEAL_FILE_MISMATCH] = {"seal_file", ESEAL_CHECK_FAILED, "FORMAT_FAILURE",
                              "印章文件 (Seal.esl) 与签章中的印章不一致",
                              "Seal.esl differs from the seal inside SignedValue.dat"},
    [V_STAMP_OK] = {"stamp", ESEAL_CHECK_PASSED, NULL, "每个签章外观都位于文档的页面上",
                    "every stamp annotation is on a page of the document"},
    [V_STAMP_NONE] = {"stamp", ESEAL_CHECK_SKIPPED, NULL, "签章没有外观（不显示在页面上）",
                      "the signature has no stamp annotation: it is shown on no page"},
    [V_STAMP_BAD] = {"stamp", ESEAL_CHECK_FAILED, "FORMAT_FAILURE",
                     "签章外观引用的页面不存在 (PageRef)",
                     "a stamp annotation refers to no page (PageRef)"},
    [V_TIMESTAMP_OK] = {"timestamp", ESEAL_CHECK_PASSED, NULL,
                        "时间戳证明签章在其时间之前已存在 (RFC 3161)",
                        "a time-stamp proves the signature existed at its time (RFC 3161)"},
    [V_TIMESTAMP_BAD] = {"timestamp", ESEAL_CHECK_INDETERMINATE, "TIMESTAMP_INVALID",
                         "签章所带的时间戳无效，不作为存在证明",
                         "the signature's time-stamp is broken and proves nothing"},
    [V_TIMESTAMP_UNTRUSTED] = {"timestamp", ESEAL_CHECK_INDETERMINATE, "TIMESTAMP_UNTRUSTED",
                               "时间戳不是受信任的时间戳服务签发的，不作为存在证明",
                               "the time-stamp is not from a trusted time-stamp authority and "
                               "proves nothing"},
    [V_STATUS_BEFORE_REVOCATION] = {"status", ESEAL_CHECK_PASSED, NULL,
                                    "时间戳证明签章早于印章挂失、撤销或到期，签章时印章有效",
                                    "a time-stamp proves the signature predates the seal's "
                                    "suspension, revocation or expiry: the seal was good then"},
    [V_STATUS_REVOKED_BEFORE_POE] = {"status", ESEAL_CHECK_FAILED, "REVOKED",
                                     "时间戳表明签章晚于印章撤销或挂失",
                                     "the time-stamp shows the signature was made after the seal "
                                     "was revoked or its key lost"},
    [V_SEAL_TIMESTAMP_OK] = {"seal_timestamp", ESEAL_CHECK_PASSED, NULL,
                             "印章自带的时间戳有效 (v5)",
                             "the seal's own time-stamp is valid (v5)"},
    [V_SEAL_TIMESTAMP_BAD] = {"seal_timestamp", ESEAL_CHECK_INDETERMINATE, "TIMESTAMP_INVALID",
                              "印章自带的时间戳无效 (v5)",
                              "the seal's own time-stamp is broken (v5)"},
    [V_SEAL_TIMESTAMP_UNTRUSTED] = {"seal_timestamp", ESEAL_CHECK_INDETERMINATE,
                                    "TIMESTAMP_UNTRUSTED",
                                    "印章自带的时间戳不是受信任的时间戳服务签发的 (v5)",
                                    "the seal's own time-stamp is not from a trusted time-stamp "
                                    "authority (v5)"},
    [V_FORMAT_CMS_OK] = {"format", ESEAL_CHECK_PASSED, NULL,
                         "电子签名数据格式正确 (GB/T 35275 SM2 SignedData)",
                         "well-formed electronic signature (GB/T 35275 SM2 SignedData)"},
    [V_FORMAT_CMS_BAD] = {"format", ESEAL_CHECK_FAILED, "FORMAT_FAILURE",
                          "电子签名数据 (GB/T 35275 SignedData) 无法解析",
                          "the electronic signature (GB/T 35275 SignedData) cannot be parsed"},
    [V_CMS_DIGEST_OK] = {"data_hash", ESEAL_CHECK_PASSED, NULL,
                         "被签数据的 SM3 摘要与电子签名中的 messageDigest 一致",
                         "the SM3 digest of the signed data matches the signature's "
                         "messageDigest"},
    [V_CMS_DIGEST_MISMATCH] =
        {"data_hash", ESEAL_CHECK_FAILED, "HASH_FAILURE",
         "被签数据的 SM3 摘要与电子签名中的 messageDigest 不一致：数据已被修改",
         "the SM3 digest of the signed data differs from the signature's "
         "messageDigest: the data was changed"},
    [V_CMS_SIGNATURE_OK] = {"signature", ESEAL_CHECK_PASSED, NULL,
                            "电子签名的 SM2 签名值用签名人证书验证通过",
                            "the SM2 signature of the SignedData verifies with the signer's "
                            "certificate"},
    [V_CMS_SIGNATURE_BAD] = {"signature", ESEAL_CHECK_FAILED, "SIG_CRYPTO_FAILURE",
                             "电子签名的 SM2 签名值验证失败：签名数据已被修改或签名无效",
                             "the SM2 signature of the SignedData does not verify: the signed "
                             "attributes were changed or the signature is invalid"},
    [V_CMS_VALIDITY_OK] = {"validity", ESEAL_CHECK_PASSED, NULL, "签名人证书在最佳签署时间有效",
                           "the signer's certificate is valid at the best signature time"},
    [V_STATUS_NOT_COVERED] = {"status", ESEAL_CHECK_INDETERMINATE, "STATUS_NOT_COVERED",
                              "所给的状态文件不包含此印章（其他分片的状态列表或其他印章的状态），"
                              "请获取此印章的状态文件",
                              "the status file given does not cover this seal (another shard's "
                              "list or another seal's status): fetch this seal's"},
    [V_PICTURE_NOT_COVERED] = {"picture", ESEAL_CHECK_INDETERMINATE, "STATUS_NOT_COVERED",
                               "状态列表不含图像摘要，无法按图像查找印章（请使用 --status-url）",
                               "status lists carry no picture digests: a picture is looked up "
                               "online (--status-url)"},
    /* a seal or picture checked on its own: words about the seal only */
    [V_SEAL_STATUS_REVOKED] = {"status", ESEAL_CHECK_FAILED, "REVOKED",
                               "发布方确认印章已撤销，不能再使用",
                               "the publisher says the seal is revoked: it may no longer be used"},
    [V_SEAL_STATUS_EXPIRED] = {"status", ESEAL_CHECK_FAILED, "EXPIRED",
                               "发布方确认印章已过有效期，不能再使用",
                               "the publisher says the seal has expired: it may no longer be used"},
    [V_VALIDITY_SEAL_EXPIRED] = {"validity", ESEAL_CHECK_FAILED, "EXPIRED",
                                 "验证时间晚于印章有效期截止 (validEnd)：印章已过期",
                                 "the validation time is after the seal's validEnd: the seal has "
                                 "expired"},
};

static const char *const status_names[] = {
    [ESEAL_CHECK_PASSED] = "PASSED",
    [ESEAL_CHECK_FAILED] = "FAILED",
    [ESEAL_CHECK_INDETERMINATE] = "INDETERMINATE",
    [ESEAL_CHECK_SKIPPED] = "SKIPPED",
};

/* rank orders outcomes for the verdict: failed > indeterminate > passed;
 * a skipped check does not change the verdict. */
static int rank(enum eseal_check_status s)
{
    switch (s) {
    case ESEAL_CHECK_FAILED:
        return 2;
    case ESEAL_CHECK_INDETERMINATE:
        return 1;
    default:
        return 0;
    }
}

static int indication_rank(enum eseal_indication i)
{
    return i == ESEAL_TOTAL_FAILED ? 2 : i == ESEAL_INDETERMINATE ? 1 : 0;
}

void eseal_report_init(struct eseal_report *r)
{
    memset(r, 0, sizeof(*r));
    r->indication = ESEAL_TOTAL_PASSED;
}

void eseal_report_cleanup(struct eseal_report *r)
{
    for (size_t i = 0; i < r->n_checks; i++) {
        struct eseal_check *c = &r->checks[i];
        free(c->expected);
        free(c->actual);
    }
    free(r->checks);
    free(r->esid);
    free(r->seal_name);
    free(r->signer);
    free(r->property_info);
    free(r->status_source);
    free(r->poe_tsa);
    free(r->poe_serial);
    eseal_report_init(r);
}

void verify_add(struct eseal_report *r, enum verify_outcome outcome, const char *expected,
                const char *actual)
{
    const struct outcome_row *row = &outcomes[outcome];
    r->checks = eseal_xrealloc(r->checks, (r->n_checks + 1) * sizeof(*r->checks));
    struct eseal_check *c = &r->checks[r->n_checks++];
    c->key = row->key;
    c->status = row->status;
    c->sub_indication = row->sub_indication;
    c->message_zh = row->zh;
    c->message_en = row->en;
    c->expected = expected != NULL ? eseal_xstrdup(expected) : NULL;
    c->actual = actual != NULL ? eseal_xstrdup(actual) : NULL;
    if (rank(row->status) > indication_rank(r->indication)) {
        r->indication =
            row->status == ESEAL_CHECK_FAILED ? ESEAL_TOTAL_FAILED : ESEAL_INDETERMINATE;
        r->sub_indication = row->sub_indication;
    }
}

char *verify_time_iso(time_t t)
{
    char s[ESEAL_JSON_TIME_BUF];
    return eseal_xstrdup(eseal_json_time_format(s, sizeof(s), t, -1) ? s : "(invalid time)");
}

const char *eseal_indication_name(enum eseal_indication i)
{
    switch (i) {
    case ESEAL_TOTAL_PASSED:
        return "TOTAL_PASSED";
    case ESEAL_TOTAL_FAILED:
        return "TOTAL_FAILED";
    case ESEAL_INDETERMINATE:
        return "INDETERMINATE";
    }
    return "INDETERMINATE";
}

int eseal_report_exit_code(const struct eseal_report *r)
{
    switch (r->indication) {
    case ESEAL_TOTAL_PASSED:
        return 0;
    case ESEAL_TOTAL_FAILED:
        return 1;
    case ESEAL_INDETERMINATE:
        return 2;
    }
    return 2;
}

static json_t *jtime(time_t t)
{
    if (t == 0)
        return json_null();
    char *s = verify_time_iso(t);
    json_t *j = json_string(s);
    free(s);
    return j;
}

json_t *eseal_report_json(const struct eseal_report *r)
{
    json_t *checks = json_array();
    for (size_t i = 0; i < r->n_checks; i++) {
        const struct eseal_check *c = &r->checks[i];
        json_t *msg = json_pack("{s:o, s:o}", "zh", eseal_json_text(c->message_zh), "en",
                                eseal_json_text(c->message_en));
        json_array_append_new(checks, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "key", c->key,
                                                "status", status_names[c->status], "subIndication",
                                                eseal_json_text(c->sub_indication), "message", msg,
                                                "expected", eseal_json_text(c->expected), "actual",
                                                eseal_json_text(c->actual)));
    }
    json_t *j = json_object();
    json_object_set_new(j, "indication", json_string(eseal_indication_name(r->indication)));
    json_object_set_new(j, "subIndication", eseal_json_text(r->sub_indication));
    json_object_set_new(j, "validationTime", jtime(r->validation_time));
    json_object_set_new(j, "bestSignatureTime", jtime(r->best_signature_time));
    json_object_set_new(j, "claimedTime", jtime(r->claimed_time));
    json_object_set_new(j, "esID", eseal_json_text(r->esid));
    json_object_set_new(j, "sealName", eseal_json_text(r->seal_name));
    json_object_set_new(j, "signer", eseal_json_text(r->signer));
    json_object_set_new(j, "propertyInfo", eseal_json_text(r->property_info));
    json_object_set_new(j, "statusSource", eseal_json_text(r->status_source));
    json_object_set_new(j, "sealStatus", eseal_json_text(r->status));
    json_object_set_new(j, "statusAsOf", jtime(r->status_this_update));
    json_object_set_new(j, "statusNextUpdate", jtime(r->status_next_update));
    time_t now = time(NULL);
    json_object_set_new(j, "statusFresh",
                        r->status_next_update == 0 ? json_null()
                                                   : json_boolean(r->status_next_update >= now));
    if (r->poe_time != 0) {
        char *bj = eseal_words_time(r->poe_time);
        json_object_set_new(j, "timeStamp",
                            json_pack("{s:o, s:s, s:o, s:o}", "genTime", jtime(r->poe_time),
                                      "genTimeBeijing", bj, "tsa", eseal_json_text(r->poe_tsa),
                                      "serial", eseal_json_text(r->poe_serial)));
        free(bj);
    } else {
        json_object_set_new(j, "timeStamp", json_null());
    }
    json_object_set_new(j, "checks", checks);
    return j;
}

/* ---- words for people ---------------------------------------------------------- */

const char *verify_check_zh(const char *key)
{
    static const struct eseal_word w[] = {
        {"format", "数据格式"},         {"data_hash", "文档摘要"},
        {"signature", "签章签名"},      {"signer_in_seal", "签章人与印章"},
        {"seal_signature", "制章签名"}, {"chain", "证书链"},
        {"validity", "有效期"},         {"status", "印章状态"},
        {"picture", "印章图像"},        {"references", "受保护文件"},
        {"seal_file", "印章文件"},      {"stamp", "签章外观"},
        {"timestamp", "时间戳"},        {"seal_timestamp", "印章时间戳"},
    };
    return eseal_word_of(w, sizeof(w) / sizeof(w[0]), key);
}

const char *verify_check_status_zh(const char *status)
{
    static const struct eseal_word w[] = {
        {"PASSED", "通过"},
        {"FAILED", "未通过"},
        {"INDETERMINATE", "无法确定"},
        {"SKIPPED", "未检查"},
    };
    return eseal_word_of(w, sizeof(w) / sizeof(w[0]), status);
}

/* dn_value copies the value of attribute |attr| from the RFC 2253 name
 * |dn| (escapes undone), or NULL. */
static char *dn_value(const char *dn, const char *attr)
{
    size_t alen = strlen(attr);
    const char *p = dn;
    while (*p != '\0') {
        if (strncmp(p, attr, alen) == 0 && p[alen] == '=') {
            struct eseal_buf b;
            eseal_buf_init(&b);
            for (p += alen + 1; *p != '\0' && *p != ',' && *p != '+'; p++) {
                if (*p == '\\' && p[1] != '\0')
                    p++;
                eseal_buf_append(&b, p, 1);
            }
            if (b.len == 0)
                return eseal_xstrdup("");
            return (char *)eseal_buf_steal(&b, NULL);
        }
        /* to the next unescaped separator */
        for (; *p != '\0' && *p != ',' && *p != '+'; p++)
            if (*p == '\\' && p[1] != '\0')
                p++;
        if (*p != '\0')
            p++;
    }
    return NULL;
}

char *verify_party_words(const char *dn)
{
    if (dn == NULL)
        return NULL;
    /* a unit: O and its credit code; anyone else (a person, whose
     * serialNumber is an ID number, or a platform service) by CN */
    char *org = dn_value(dn, "O"), *cn = dn_value(dn, "CN");
    char *code = dn_value(dn, "serialNumber");
    char *out = org != NULL && code != NULL
                    ? eseal_xasprintf("%s（统一社会信用代码 %s）", org, code)
                : cn != NULL  ? eseal_xstrdup(cn)
                : org != NULL ? eseal_xstrdup(org)
                              : eseal_xstrdup(dn);
    free(org);
    free(cn);
    free(code);
    return out;
}

/* ---- the text report ------------------------------------------------------------ */

/* put_text writes |s| with control characters replaced, so text taken from
 * a seal cannot drive the terminal. */
static void put_text(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static void put_field(FILE *out, const char *label, const char *value)
{
    if (value == NULL)
        return;
    fprintf(out, "  %s", label);
    put_text(out, value);
    fputc('\n', out);
}

/* put_time writes "label: YYYY-MM-DD HH:MM:SS 北京时间 (ISO UTC)" unless |t| is 0. */
static void put_time(FILE *out, const char *label, time_t t)
{
    if (t == 0)
        return;
    char *bj = eseal_words_time(t), *iso = verify_time_iso(t);
    char *line = eseal_xasprintf("%s (%s)", bj, iso);
    put_field(out, label, line);
    free(line);
    free(iso);
    free(bj);
}

void eseal_report_print(const struct eseal_report *r, FILE *out)
{
    static const char *const verdict[] = {
        [ESEAL_TOTAL_PASSED] = "验证通过 / passed",
        [ESEAL_TOTAL_FAILED] = "验证失败 / failed",
        [ESEAL_INDETERMINATE] = "无法确定 / indeterminate",
    };
    /* a seal or picture on its own: the verdict is about the seal */
    static const char *const seal_verdict[] = {
        [ESEAL_TOTAL_PASSED] = "印章有效 / the seal is valid",
        [ESEAL_TOTAL_FAILED] = "印章无效 / the seal is not valid",
        [ESEAL_INDETERMINATE] = "无法确定印章是否有效 / cannot tell whether the seal is valid",
    };
    fprintf(out, "%s — %s", (r->seal_alone ? seal_verdict : verdict)[r->indication],
            eseal_indication_name(r->indication));
    if (r->sub_indication != NULL)
        fprintf(out, " %s", r->sub_indication);
    fputc('\n', out);
    for (size_t i = 0; i < r->n_checks; i++)
        if (strcmp(r->checks[i].key, "status") == 0 && r->checks[i].status == ESEAL_CHECK_SKIPPED)
            fputs("  注意：未检查印章状态 (--no-status)，印章可能已被撤销或挂失；依赖方不能把此结论"
                  "当作“验证通过”，最多算“无法确定”。\n"
                  "  note: the seal's status was not checked (--no-status): it may be revoked or "
                  "suspended; for a relying party this verdict is no better than INDETERMINATE.\n",
                  out);
    put_field(out, "印章编码 / esID: ", r->esid);
    put_field(out, "印章名称 / seal name: ", r->seal_name);
    char *signer = verify_party_words(r->signer);
    put_field(out, "签章人 / signer: ", signer);
    free(signer);
    put_field(out, "被签文件 / signed file: ", r->property_info);
    put_time(out, "验证时间 / validation time: ", r->validation_time);
    put_time(out, "声明的签署时间 / claimed time: ", r->claimed_time);
    if (r->poe_time != 0) {
        char *bj = eseal_words_time(r->poe_time);
        char *iso = verify_time_iso(r->poe_time);
        char *tsa = verify_party_words(r->poe_tsa != NULL ? r->poe_tsa : "?");
        char *line = eseal_xasprintf("%s (%s), 时间戳服务 / TSA %s", bj, iso, tsa);
        put_field(out, "时间戳证明的签署时间 / proven time (time-stamp): ", line);
        free(line);
        free(tsa);
        free(iso);
        free(bj);
    }
    if (r->status != NULL) {
        char *st = eseal_xasprintf("%s (%s)", eseal_words_seal_status(r->status), r->status);
        put_field(out, "印章状态 / seal status: ", st);
        free(st);
    }
    put_field(out, "状态来源 / status source: ", r->status_source);
    put_time(out, "状态时间 / status as of: ", r->status_this_update);
    put_time(out, "状态下次更新 / status next update: ", r->status_next_update);
    fputs("  检查项 / checks:\n", out);
    for (size_t i = 0; i < r->n_checks; i++) {
        const struct eseal_check *c = &r->checks[i];
        const char *st = status_names[c->status];
        fprintf(out, "  [%s %s] %s (%s): ", verify_check_status_zh(st), st, verify_check_zh(c->key),
                c->key);
        if (c->sub_indication != NULL)
            fprintf(out, "%s: ", c->sub_indication);
        put_text(out, c->message_zh);
        fputs(" / ", out);
        put_text(out, c->message_en);
        if (c->status != ESEAL_CHECK_PASSED && (c->expected != NULL || c->actual != NULL)) {
            fputs(" (", out);
            if (c->expected != NULL) {
                fputs("预期 / expected: ", out);
                put_text(out, c->expected);
            }
            if (c->actual != NULL) {
                fputs(c->expected != NULL ? "; 实际 / actual: " : "实际 / actual: ", out);
                put_text(out, c->actual);
            }
            fputc(')', out);
        }
        fputc('\n', out);
    }
}
