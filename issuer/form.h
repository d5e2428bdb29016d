/* form.h — the issuance domain model: a submission (one red-header letter)
 * with its application forms, the single-choice enums with their Chinese
 * names, strict JSON parsing and JSON output; and the material kinds with
 * their size limits and the content types each accepts (by magic bytes).
 *
 * The JSON format, with a full example, is in docs/issuer-domain.md.
 *
 * Parsing is strict about shape and lenient about completeness: an unknown
 * field, a value of the wrong JSON type, an unknown enum key, a string over
 * its length limit or with control characters, a number out of bounds, a
 * malformed SM3 digest or a duplicate key is refused (ESEAL_E_INVALID, the
 * message names the field path, e.g. "forms[1].unit.uscc"), but a missing
 * field is stored as absent (NULL, 0, *_NONE) so that the rules engine
 * (rules.h) can report every missing field at once, in both languages. */
#ifndef ESEAL_ISSUER_FORM_H
#define ESEAL_ISSUER_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "eseal/rc.h"

/* ESEAL_SUBMISSION_MAX bounds the JSON text of a submission. */
#define ESEAL_SUBMISSION_MAX (1024 * 1024)
/* ESEAL_FORMS_MAX bounds the forms of one submission and the summary rows. */
#define ESEAL_FORMS_MAX 100
/* ESEAL_SPECIAL_MAX bounds the special cases declared on one form. */
#define ESEAL_SPECIAL_MAX 3
/* ESEAL_SM3_HEX_LEN is the length of a material's name: lower-case hex SM3. */
#define ESEAL_SM3_HEX_LEN 64
/* Seal sizes in millimetres, as eseal_seal_make accepts them. */
#define ESEAL_SEAL_MM_MIN 1
#define ESEAL_SEAL_MM_MAX 200

/* Millimetres take one decimal (40.5). eseal_mm_tenths rounds |mm| to
 * tenths of a millimetre (compare sizes with it, never with ==);
 * eseal_mm_valid tells whether |mm| has at most one decimal; eseal_mm_text
 * writes "40" or "40.5"; eseal_mm_json returns an integer or a one-decimal
 * real (new reference), NULL for 0 (absent). */
long eseal_mm_tenths(double mm);
bool eseal_mm_valid(double mm);
void eseal_mm_text(double mm, char *out, size_t out_len);
json_t *eseal_mm_json(double mm);

/* Every enum below keeps 0 for "not given", so a parsed form can say that a
 * single-choice field was left empty; the keys are the JSON values. */

/* 业务类型 */
enum eseal_business {
    ESEAL_BUSINESS_NONE = 0,
    ESEAL_BUSINESS_APPLY,   /* "apply"   印章申请 */
    ESEAL_BUSINESS_RENEW,   /* "renew"   印章延期 */
    ESEAL_BUSINESS_CHANGE,  /* "change"  印章变更 */
    ESEAL_BUSINESS_REVOKE,  /* "revoke"  印章撤销 */
    ESEAL_BUSINESS_REISSUE, /* "reissue" 印章补办 */
    ESEAL_BUSINESS_UNLOCK,  /* "unlock"  口令解锁 */
};

/* 报送渠道 */
enum eseal_channel {
    ESEAL_CHANNEL_NONE = 0,
    ESEAL_CHANNEL_DIRECT,     /* "direct"     省级单位直接报送 */
    ESEAL_CHANNEL_AGGREGATOR, /* "aggregator" 经设区市或平潭汇聚单位报送 */
};

/* 印章类型 */
enum eseal_seal_kind {
    ESEAL_KIND_NONE = 0,
    ESEAL_KIND_UNIT,     /* "unit"     单位印章 */
    ESEAL_KIND_PERSONAL, /* "personal" 个人印章 (手写签名或名章) */
    ESEAL_KIND_DEVICE,   /* "device"   设备（服务器）印章 */
};

/* 印章用途 */
enum eseal_function {
    ESEAL_FUNCTION_NONE = 0,
    ESEAL_FUNCTION_OFFICIAL,  /* "official"             公章 */
    ESEAL_FUNCTION_FINANCE,   /* "finance"              财务专用章 */
    ESEAL_FUNCTION_CONTRACT,  /* "contract"             合同专用章 */
    ESEAL_FUNCTION_INVOICE,   /* "invoice"              发票专用章 */
    ESEAL_FUNCTION_BUSINESS,  /* "business"             业务专用章 */
    ESEAL_FUNCTION_LEGAL_REP, /* "legal_representative" 法定代表人名章 */
    ESEAL_FUNCTION_SIGNATURE, /* "signature"            个人签名 */
    ESEAL_FUNCTION_OTHER,     /* "other"                其他 */
};

/* 绑定证书类型 */
enum eseal_cert_type {
    ESEAL_CERT_NONE = 0,
    ESEAL_CERT_USB_KEY, /* "usb_key" USB KEY 证书 */
    ESEAL_CERT_DEVICE,  /* "device"  设备（服务器）证书 */
    ESEAL_CERT_MOBILE,  /* "mobile"  移动终端证书 */
    ESEAL_CERT_OTHER,   /* "other"   其他 */
};

/* 特殊情形: each needs a justification and a reviewer's acknowledgement.
 *   multi_cert       一个印模绑定多张证书
 *                    one impression bound to several certificates
 *   delegated_use    上级单位授权下级单位使用其印章
 *                    a superior unit lets a subordinate use its seal
 *   keep_impression  机构改革后沿用原印模
 *                    keeping the old impression after reorganisation */
enum eseal_special_case {
    ESEAL_SPECIAL_NONE = 0,
    ESEAL_SPECIAL_MULTI_CERT,      /* "multi_cert" */
    ESEAL_SPECIAL_DELEGATED_USE,   /* "delegated_use" */
    ESEAL_SPECIAL_KEEP_IMPRESSION, /* "keep_impression" */
};

/* 材料类型 */
enum eseal_material_kind {
    ESEAL_MATERIAL_NONE = 0,
    ESEAL_MATERIAL_LETTER,              /* "letter"              红头公函 */
    ESEAL_MATERIAL_FORM,                /* "form"                申请表 */
    ESEAL_MATERIAL_SUMMARY_TABLE,       /* "summary_table"       汇总表 */
    ESEAL_MATERIAL_IMPRESSION,          /* "impression"          印模图像 */
    ESEAL_MATERIAL_CSR,                 /* "csr"                 证书请求 (PKCS#10) */
    ESEAL_MATERIAL_JUSTIFICATION,       /* "justification"       情况说明 */
    ESEAL_MATERIAL_INTRODUCTION_LETTER, /* "introduction_letter" 介绍信 */
    ESEAL_MATERIAL_ID_COPY,             /* "id_copy"             身份证复印件 */
};

/* 内容类型, detected from the bytes, never from a file name */
enum eseal_content_type {
    ESEAL_CONTENT_UNKNOWN = 0,
    ESEAL_CONTENT_PDF,        /* "pdf"     %PDF- */
    ESEAL_CONTENT_OFD,        /* "ofd"     ZIP with OFD.xml at its root */
    ESEAL_CONTENT_PNG,        /* "png" */
    ESEAL_CONTENT_JPEG,       /* "jpeg" */
    ESEAL_CONTENT_CSR_PEM,    /* "csr_pem" a PEM request that parses */
    ESEAL_CONTENT_CSR_DER,    /* "csr_der" a DER PKCS#10 request that parses */
    ESEAL_CONTENT_CSR_BASE64, /* "csr_base64" bare Base64 of a DER request that parses */
    ESEAL_CONTENT_XLSX,       /* "xlsx"    ZIP with [Content_Types].xml and xl/workbook.xml */
};

/* enum eseal_enum names one of the enums above for the label functions. */
enum eseal_enum {
    ESEAL_ENUM_BUSINESS,
    ESEAL_ENUM_CHANNEL,
    ESEAL_ENUM_SEAL_KIND,
    ESEAL_ENUM_FUNCTION,
    ESEAL_ENUM_CERT_TYPE,
    ESEAL_ENUM_SPECIAL_CASE,
    ESEAL_ENUM_MATERIAL,
    ESEAL_ENUM_CONTENT_TYPE,
};

/* struct eseal_label is the stable key and the Chinese and English names of
 * an enum value (static storage). */
struct eseal_label {
    const char *key;
    const char *zh;
    const char *en;
};

/* eseal_form_label returns the label of |value| in enum |which|, or NULL for
 * 0 ("not given") and values out of range. */
const struct eseal_label *eseal_form_label(enum eseal_enum which, int value);

/* eseal_form_key is eseal_form_label(...)->key, or "" when there is none. */
const char *eseal_form_key(enum eseal_enum which, int value);

/* eseal_form_enum_parse sets *value to the value whose key is |key| (exact,
 * case-sensitive) and returns true, or returns false. */
bool eseal_form_enum_parse(enum eseal_enum which, const char *key, int *value);

/* eseal_form_enum_count returns the largest value of enum |which|: its
 * values are 1..count. */
int eseal_form_enum_count(enum eseal_enum which);

/* ---- the model ---------------------------------------------------------
 * Every string is UTF-8, NUL-terminated, owned by the submission, NULL when
 * absent. Codes (USCC, ID numbers, region codes, esIDs) are stored as given:
 * their checks are rules, so that they can be reported and, for the USCC,
 * acknowledged. Material references are lower-case SM3 hex (the blob name). */

/* struct eseal_unit is a unit: the applicant, a form's stamping unit, or a
 * delegating superior. city/county are GB/T 2260 codes (region.h). */
struct eseal_unit {
    char *name;   /* 单位名称, ≤ 100 characters */
    char *uscc;   /* 统一社会信用代码 */
    char *city;   /* 所属地市: a city, 350128, or 350000 for province level */
    char *county; /* 所属区县: a county of the city, or the city code itself */
};

struct eseal_person { /* personal seals only */
    char *name;       /* 姓名, ≤ 50 characters */
    char *id_number;  /* 身份证号 */
};

struct eseal_agent { /* 经办人 */
    char *name;
    char *mobile;
    char *id_number;
};

struct eseal_seal_spec {
    char *name;      /* 印章名称, ≤ 100 characters */
    double width_mm; /* 1..200 with at most one decimal (40.5), 0 absent */
    double height_mm;
    enum eseal_function function;
    enum eseal_cert_type cert_type;
};

struct eseal_special {
    enum eseal_special_case kind; /* JSON "case" */
    char *justification;          /* SM3 of the justification material */
    struct eseal_unit *delegator; /* delegated_use: the superior unit; else NULL */
};

/* struct eseal_form is one application form (申请表). */
struct eseal_form {
    enum eseal_business business;
    enum eseal_seal_kind kind;
    struct eseal_unit unit;      /* the stamping unit (用章单位) */
    struct eseal_person *person; /* NULL unless the JSON has "person" */
    struct eseal_agent agent;
    struct eseal_seal_spec seal;
    char *impression;              /* SM3 of the impression image */
    char *csr;                     /* SM3 of the PKCS#10 request (device seals) */
    char *material;                /* SM3 of the signed and stamped form */
    char *target;                  /* esID of the existing seal (all but apply) */
    struct eseal_special *special; /* n_special entries, or NULL */
    size_t n_special;
};

/* struct eseal_letter_kinds: how many seals of each kind the letter asks for. */
struct eseal_letter_kinds {
    long unit, personal, device; /* 0..ESEAL_FORMS_MAX; 0 also when absent */
};

/* struct eseal_letter is what the applicant states the red-header letter
 * says; the letter itself is the material |material|. */
struct eseal_letter {
    char *material;  /* SM3 of the letter */
    char *number;    /* 文号, optional */
    char *addressee; /* 主送单位 */
    enum eseal_business business;
    long form_count;                  /* 1..ESEAL_FORMS_MAX, 0 absent */
    struct eseal_letter_kinds *kinds; /* optional */
};

/* struct eseal_summary_row is one row of the summary table (汇总表); it must
 * agree with the form at the same position. */
struct eseal_summary_row {
    char *unit_name;
    char *uscc;
    enum eseal_seal_kind kind;
    char *seal_name;
    enum eseal_function function;
    enum eseal_cert_type cert_type;
    double width_mm; /* as in eseal_seal_spec */
    double height_mm;
    char *person_name; /* personal seals */
    char *target;      /* all but apply */
};

struct eseal_summary {
    char *material; /* SM3 of the summary table */
    struct eseal_summary_row *rows;
    size_t n_rows;
};

/* struct eseal_submission is one submission (申报): one letter, one business
 * type, 1..N forms. Allocated by eseal_submission_parse / _from_json /
 * _new, freed with eseal_submission_free. */
struct eseal_submission {
    enum eseal_business business;
    enum eseal_channel channel;
    char *aggregator;            /* aggregator channel: its city-level code */
    struct eseal_unit applicant; /* the unit that sends the letter */
    struct eseal_letter letter;
    struct eseal_summary *summary; /* JSON "summary_table"; NULL when absent */
    struct eseal_form *forms;
    size_t n_forms;
};

/* eseal_submission_new returns an empty submission (every field absent), to
 * be filled with eseal_x* allocations; free with eseal_submission_free. */
struct eseal_submission *eseal_submission_new(void);

/* eseal_submission_parse parses the JSON text |text| (|len| bytes, at most
 * ESEAL_SUBMISSION_MAX, else ESEAL_E_TOOBIG; more than ESEAL_FORMS_MAX
 * forms or rows is ESEAL_E_TOOBIG too). Syntax errors name the line and
 * column; the other refusals (see the top of this file) name the field
 * path. *out is the caller's (eseal_submission_free). */
eseal_rc eseal_submission_parse(struct eseal_submission **out, const char *text, size_t len,
                                struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_submission_from_json does the same from a Jansson value (borrowed). */
eseal_rc eseal_submission_from_json(struct eseal_submission **out, const json_t *j,
                                    struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_submission_to_json returns a new JSON object (caller decrefs) with
 * every field that is present. Absent fields, zero numbers, empty arrays and
 * empty embedded objects are left out; an optional object ("person",
 * "summary_table", "kinds", "delegator") is written even when empty, since
 * its presence matters. Parsing the output gives an equal submission. */
json_t *eseal_submission_to_json(const struct eseal_submission *s);

/* eseal_submission_free frees |s| and everything it owns; accepts NULL. */
void eseal_submission_free(struct eseal_submission *s);

/* ---- materials ---------------------------------------------------------- */

/* struct eseal_material_ref names a stored material and the kind it was
 * accepted as (the same bytes can be stored once and used as two kinds). */
struct eseal_material_ref {
    enum eseal_material_kind kind;
    char sm3[ESEAL_SM3_HEX_LEN + 1];
};

/* ESEAL_MATERIAL_MAX_ANY is the largest limit of any kind: the bound for
 * reading back a stored material of unknown kind. */
#define ESEAL_MATERIAL_MAX_ANY (20u * 1024 * 1024)

/* eseal_material_max_len returns the size limit of |kind| (0 for NONE). */
size_t eseal_material_max_len(enum eseal_material_kind kind);

/* eseal_material_allows tells whether |kind| accepts content |type|. */
bool eseal_material_allows(enum eseal_material_kind kind, enum eseal_content_type type);

/* eseal_content_detect names the content type of |data| by its bytes. OFD is
 * recognised by walking the ZIP central directory for "OFD.xml"; a CSR by
 * parsing it (eseal_pki_req_parse). */
enum eseal_content_type eseal_content_detect(const uint8_t *data, size_t len);

/* eseal_content_mime returns the MIME type of |type| ("application/pdf",
 * "application/ofd", "image/png", "image/jpeg", "application/pkcs10"), or
 * "application/octet-stream" for UNKNOWN. Static storage. */
const char *eseal_content_mime(enum eseal_content_type type);

/* eseal_material_check checks |data| as a material of |kind|: not empty,
 * within the kind's size limit (else ESEAL_E_TOOBIG), and of a content type
 * the kind accepts (else ESEAL_E_INVALID naming the kind, the accepted types
 * and what was found, in Chinese and English). *type (may be NULL) receives
 * the detected type. */
eseal_rc eseal_material_check(enum eseal_material_kind kind, const uint8_t *data, size_t len,
                              enum eseal_content_type *type,
                              struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_sm3_hex_valid tells whether |s| is exactly 64 lower-case hex digits. */
bool eseal_sm3_hex_valid(const char *s);

#endif
