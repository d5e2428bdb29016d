/* form.c — the submission model: enum labels, and strict JSON parsing and
 * output driven by one schema table per object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/json.h"
#include "form.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- enum labels ---------------------------------------------------------- */

static const struct eseal_label business_labels[] = {
    {"apply", "印章申请", "apply for a seal"}, {"renew", "印章延期", "renew a seal"},
    {"change", "印章变更", "change a seal"},   {"revoke", "印章撤销", "revoke a seal"},
    {"reissue", "印章补办", "reissue a seal"}, {"unlock", "口令解锁", "unlock a USB KEY PIN"},
};

static const struct eseal_label channel_labels[] = {
    {"direct", "省级单位直接报送", "direct (province-level unit)"},
    {"aggregator", "经设区市数字办或平潭综合实验区行政审批局报送",
     "through the city's or Pingtan's aggregator"},
};

static const struct eseal_label kind_labels[] = {
    {"unit", "单位印章", "unit seal"},
    {"personal", "个人印章", "personal seal"},
    {"device", "设备印章", "device seal"},
};

static const struct eseal_label function_labels[] = {
    {"official", "公章", "official seal"},
    {"finance", "财务专用章", "finance seal"},
    {"contract", "合同专用章", "contract seal"},
    {"invoice", "发票专用章", "invoice seal"},
    {"business", "业务专用章", "business seal"},
    {"legal_representative", "法定代表人名章", "legal representative's name seal"},
    {"signature", "个人签名", "handwritten signature"},
    {"other", "其他", "other"},
};

static const struct eseal_label cert_type_labels[] = {
    {"usb_key", "USB KEY 证书", "USB KEY certificate"},
    {"device", "设备证书", "device certificate"},
    {"mobile", "移动终端证书", "mobile certificate"},
    {"other", "其他", "other"},
};

static const struct eseal_label special_labels[] = {
    {"multi_cert", "一个印模绑定多张证书", "one impression bound to several certificates"},
    {"delegated_use", "上级单位授权下级单位使用其印章",
     "a superior unit authorises a subordinate to use its seal"},
    {"keep_impression", "机构改革后沿用原印模", "keeping the old impression after reorganisation"},
};

static const struct eseal_label material_labels[] = {
    {"letter", "红头公函", "red-header letter"},
    {"form", "申请表", "application form"},
    {"summary_table", "汇总表", "summary table"},
    {"impression", "印模图像", "impression image"},
    {"csr", "证书请求文件", "certificate request (PKCS#10)"},
    {"justification", "情况说明", "justification letter"},
    {"introduction_letter", "介绍信", "introduction letter"},
    {"id_copy", "身份证复印件", "ID card copy"},
};

static const struct eseal_label content_labels[] = {
    {"pdf", "PDF", "PDF"},
    {"ofd", "OFD", "OFD"},
    {"png", "PNG", "PNG"},
    {"jpeg", "JPEG", "JPEG"},
    {"csr_pem", "PEM 证书请求", "PEM certificate request"},
    {"csr_der", "DER 证书请求", "DER certificate request"},
    {"csr_base64", "Base64 证书请求", "Base64 certificate request"},
    {"xlsx", "Excel 工作簿 (xlsx)", "Excel workbook (xlsx)"},
};

struct enum_table {
    const struct eseal_label *labels; /* labels[v - 1] is value v */
    int count;
};

static const struct enum_table enum_tables[] = {
    [ESEAL_ENUM_BUSINESS] = {business_labels, (int)COUNT_OF(business_labels)},
    [ESEAL_ENUM_CHANNEL] = {channel_labels, (int)COUNT_OF(channel_labels)},
    [ESEAL_ENUM_SEAL_KIND] = {kind_labels, (int)COUNT_OF(kind_labels)},
    [ESEAL_ENUM_FUNCTION] = {function_labels, (int)COUNT_OF(function_labels)},
    [ESEAL_ENUM_CERT_TYPE] = {cert_type_labels, (int)COUNT_OF(cert_type_labels)},
    [ESEAL_ENUM_SPECIAL_CASE] = {special_labels, (int)COUNT_OF(special_labels)},
    [ESEAL_ENUM_MATERIAL] = {material_labels, (int)COUNT_OF(material_labels)},
    [ESEAL_ENUM_CONTENT_TYPE] = {content_labels, (int)COUNT_OF(content_labels)},
};

/* The label arrays must list every enum value, in order. */
_Static_assert(COUNT_OF(business_labels) == ESEAL_BUSINESS_UNLOCK, "business labels");
_Static_assert(COUNT_OF(channel_labels) == ESEAL_CHANNEL_AGGREGATOR, "channel labels");
_Static_assert(COUNT_OF(kind_labels) == ESEAL_KIND_DEVICE, "kind labels");
_Static_assert(COUNT_OF(function_labels) == ESEAL_FUNCTION_OTHER, "function labels");
_Static_assert(COUNT_OF(cert_type_labels) == ESEAL_CERT_OTHER, "cert type labels");
_Static_assert(COUNT_OF(special_labels) == ESEAL_SPECIAL_KEEP_IMPRESSION, "special labels");
_Static_assert(COUNT_OF(material_labels) == ESEAL_MATERIAL_ID_COPY, "material labels");
_Static_assert(COUNT_OF(content_labels) == ESEAL_CONTENT_XLSX, "content labels");

static const struct enum_table *enum_table(enum eseal_enum which)
{
    if ((size_t)which >= COUNT_OF(enum_tables))
        return NULL;
    return &enum_tables[which];
}

const struct eseal_label *eseal_form_label(enum eseal_enum which, int value)
{
    const struct enum_table *t = enum_table(which);
    if (t == NULL || value < 1 || value > t->count)
        return NULL;
    return &t->labels[value - 1];
}

const char *eseal_form_key(enum eseal_enum which, int value)
{
    const struct eseal_label *l = eseal_form_label(which, value);
    return l != NULL ? l->key : "";
}

bool eseal_form_enum_parse(enum eseal_enum which, const char *key, int *value)
{
    const struct enum_table *t = enum_table(which);
    if (t == NULL || key == NULL)
        return false;
    for (int i = 0; i < t->count; i++) {
        if (strcmp(t->labels[i].key, key) == 0) {
            *value = i + 1;
            return true;
        }
    }
    return false;
}

int eseal_form_enum_count(enum eseal_enum which)
{
    const struct enum_table *t = enum_table(which);
    return t != NULL ? t->count : 0;
}

long eseal_mm_tenths(double mm)
{
    return (long)(mm * 10.0 + (mm < 0 ? -0.5 : 0.5));
}

bool eseal_mm_valid(double mm)
{
    /* 40.5 * 10 is 405 up to rounding error; 40.55 * 10 is 405.5 */
    double d = mm * 10.0 - (double)eseal_mm_tenths(mm);
    return d < 1e-6 && d > -1e-6;
}

void eseal_mm_text(double mm, char *out, size_t out_len)
{
    long t = eseal_mm_tenths(mm);
    if (t % 10 == 0)
        snprintf(out, out_len, "%ld", t / 10);
    else
        snprintf(out, out_len, "%ld.%ld", t / 10, labs(t % 10));
}

json_t *eseal_mm_json(double mm)
{
    long t = eseal_mm_tenths(mm);
    if (t == 0)
        return NULL;
    return t % 10 == 0 ? json_integer((json_int_t)(t / 10)) : json_real((double)t / 10.0);
}

bool eseal_sm3_hex_valid(const char *s)
{
    if (s == NULL)
        return false;
    for (int i = 0; i < ESEAL_SM3_HEX_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return s[ESEAL_SM3_HEX_LEN] == '\0';
}

/* ---- the schema ------------------------------------------------------------
 * One table per JSON object drives parsing, output and freeing, so the three
 * can never disagree about a field. Enum members are read and written as
 * int, which the assertions below make safe. */

_Static_assert(sizeof(enum eseal_business) == sizeof(int), "enum size");
_Static_assert(sizeof(enum eseal_channel) == sizeof(int), "enum size");
_Static_assert(sizeof(enum eseal_seal_kind) == sizeof(int), "enum size");
_Static_assert(sizeof(enum eseal_function) == sizeof(int), "enum size");
_Static_assert(sizeof(enum eseal_cert_type) == sizeof(int), "enum size");
_Static_assert(sizeof(enum eseal_special_case) == sizeof(int), "enum size");

enum ftype {
    F_TEXT,       /* char *, at most |max| characters, no control characters */
    F_SM3,        /* char *, 64 lower-case hex digits */
    F_INT,        /* long, |min|..|max|; 0 means absent */
    F_MM,         /* double millimetres, |min|..|max|, at most one decimal; 0 means absent */
    F_ENUM,       /* enum (int), a key of enum |which|; 0 means absent */
    F_OBJECT,     /* an embedded struct described by |sub| */
    F_OPT_OBJECT, /* a pointer to a struct described by |sub|, NULL when absent */
    F_ARRAY,      /* a pointer to |max| or fewer structs |sub|, count at |count_off| */
};

struct schema;

struct field {
    const char *key;
    enum ftype type;
    size_t off;
    long min, max;
    enum eseal_enum which;
    const struct schema *sub;
    size_t count_off;
};

struct schema {
    const struct field *fields;
    size_t n;
    size_t size; /* sizeof the struct, for allocation */
};

#define TEXT(st, m, maxc)                                                                          \
    {                                                                                              \
        .key = #m, .type = F_TEXT, .off = offsetof(st, m), .max = (maxc)                           \
    }
#define SM3(st, m)                                                                                 \
    {                                                                                              \
        .key = #m, .type = F_SM3, .off = offsetof(st, m)                                           \
    }
#define INT(st, m, lo, hi)                                                                         \
    {                                                                                              \
        .key = #m, .type = F_INT, .off = offsetof(st, m), .min = (lo), .max = (hi)                 \
    }
#define MM(st, m)                                                                                  \
    {                                                                                              \
        .key = #m, .type = F_MM, .off = offsetof(st, m), .min = ESEAL_SEAL_MM_MIN,                 \
        .max = ESEAL_SEAL_MM_MAX                                                                   \
    }
#define ENUM(k, st, m, w)                                                                          \
    {                                                                                              \
        .key = k, .type = F_ENUM, .off = offsetof(st, m), .which = (w)                             \
    }
#define OBJ(k, st, m, s)                                                                           \
    {                                                                                              \
        .key = k, .type = F_OBJECT, .off = offsetof(st, m), .sub = &(s)                            \
    }
#define OPT(k, st, m, s)                                                                           \
    {                                                                                              \
        .key = k, .type = F_OPT_OBJECT, .off = offsetof(st, m), .sub = &(s)                        \
    }
#define ARR(k, st, m, cnt, s, maxn)                                                                \
    {                                                                                              \
        .key = k, .type = F_ARRAY, .off = offsetof(st, m), .count_off = offsetof(st, cnt),         \
        .sub = &(s), .max = (maxn)                                                                 \
    }
#define SCHEMA(name, st, tbl) static const struct schema name = {tbl, COUNT_OF(tbl), sizeof(st)}

/* Character limits: long enough for real names, short enough for a table cell. */
#define NAME_MAX_CHARS 100
#define PERSON_MAX_CHARS 50
#define CODE_MAX_CHARS 32

static const struct field unit_fields[] = {
    TEXT(struct eseal_unit, name, NAME_MAX_CHARS),
    TEXT(struct eseal_unit, uscc, CODE_MAX_CHARS),
    TEXT(struct eseal_unit, city, CODE_MAX_CHARS),
    TEXT(struct eseal_unit, county, CODE_MAX_CHARS),
};
SCHEMA(unit_schema, struct eseal_unit, unit_fields);

static const struct field person_fields[] = {
    TEXT(struct eseal_person, name, PERSON_MAX_CHARS),
    TEXT(struct eseal_person, id_number, CODE_MAX_CHARS),
};
SCHEMA(person_schema, struct eseal_person, person_fields);

static const struct field agent_fields[] = {
    TEXT(struct eseal_agent, name, PERSON_MAX_CHARS),
    TEXT(struct eseal_agent, mobile, CODE_MAX_CHARS),
    TEXT(struct eseal_agent, id_number, CODE_MAX_CHARS),
};
SCHEMA(agent_schema, struct eseal_agent, agent_fields);

static const struct field seal_fields[] = {
    TEXT(struct eseal_seal_spec, name, NAME_MAX_CHARS),
    MM(struct eseal_seal_spec, width_mm),
    MM(struct eseal_seal_spec, height_mm),
    ENUM("function", struct eseal_seal_spec, function, ESEAL_ENUM_FUNCTION),
    ENUM("cert_type", struct eseal_seal_spec, cert_type, ESEAL_ENUM_CERT_TYPE),
};
SCHEMA(seal_schema, struct eseal_seal_spec, seal_fields);

static const struct field special_fields[] = {
    ENUM("case", struct eseal_special, kind, ESEAL_ENUM_SPECIAL_CASE),
    SM3(struct eseal_special, justification),
    OPT("delegator", struct eseal_special, delegator, unit_schema),
};
SCHEMA(special_schema, struct eseal_special, special_fields);

static const struct field form_fields[] = {
    ENUM("business", struct eseal_form, business, ESEAL_ENUM_BUSINESS),
    ENUM("kind", struct eseal_form, kind, ESEAL_ENUM_SEAL_KIND),
    OBJ("unit", struct eseal_form, unit, unit_schema),
    OPT("person", struct eseal_form, person, person_schema),
    OBJ("agent", struct eseal_form, agent, agent_schema),
    OBJ("seal", struct eseal_form, seal, seal_schema),
    SM3(struct eseal_form, impression),
    SM3(struct eseal_form, csr),
    SM3(struct eseal_form, material),
    TEXT(struct eseal_form, target, CODE_MAX_CHARS),
    ARR("special", struct eseal_form, special, n_special, special_schema, ESEAL_SPECIAL_MAX),
};
SCHEMA(form_schema, struct eseal_form, form_fields);

static const struct field kinds_fields[] = {
    INT(struct eseal_letter_kinds, unit, 0, ESEAL_FORMS_MAX),
    INT(struct eseal_letter_kinds, personal, 0, ESEAL_FORMS_MAX),
    INT(struct eseal_letter_kinds, device, 0, ESEAL_FORMS_MAX),
};
SCHEMA(kinds_schema, struct eseal_letter_kinds, kinds_fields);

static const struct field letter_fields[] = {
    SM3(struct eseal_letter, material),
    TEXT(struct eseal_letter, number, NAME_MAX_CHARS),
    TEXT(struct eseal_letter, addressee, NAME_MAX_CHARS),
    ENUM("business", struct eseal_letter, business, ESEAL_ENUM_BUSINESS),
    INT(struct eseal_letter, form_count, 1, ESEAL_FORMS_MAX),
    OPT("kinds", struct eseal_letter, kinds, kinds_schema),
};
SCHEMA(letter_schema, struct eseal_letter, letter_fields);

static const struct field row_fields[] = {
    TEXT(struct eseal_summary_row, unit_name, NAME_MAX_CHARS),
    TEXT(struct eseal_summary_row, uscc, CODE_MAX_CHARS),
    ENUM("kind", struct eseal_summary_row, kind, ESEAL_ENUM_SEAL_KIND),
    TEXT(struct eseal_summary_row, seal_name, NAME_MAX_CHARS),
    ENUM("function", struct eseal_summary_row, function, ESEAL_ENUM_FUNCTION),
    ENUM("cert_type", struct eseal_summary_row, cert_type, ESEAL_ENUM_CERT_TYPE),
    MM(struct eseal_summary_row, width_mm),
    MM(struct eseal_summary_row, height_mm),
    TEXT(struct eseal_summary_row, person_name, PERSON_MAX_CHARS),
    TEXT(struct eseal_summary_row, target, CODE_MAX_CHARS),
};
SCHEMA(row_schema, struct eseal_summary_row, row_fields);

static const struct field summary_fields[] = {
    SM3(struct eseal_summary, material),
    ARR("rows", struct eseal_summary, rows, n_rows, row_schema, ESEAL_FORMS_MAX),
};
SCHEMA(summary_schema, struct eseal_summary, summary_fields);

static const struct field submission_fields[] = {
    ENUM("business", struct eseal_submission, business, ESEAL_ENUM_BUSINESS),
    ENUM("channel", struct eseal_submission, channel, ESEAL_ENUM_CHANNEL),
    TEXT(struct eseal_submission, aggregator, CODE_MAX_CHARS),
    OBJ("applicant", struct eseal_submission, applicant, unit_schema),
    OBJ("letter", struct eseal_submission, letter, letter_schema),
    OPT("summary_table", struct eseal_submission, summary, summary_schema),
    ARR("forms", struct eseal_submission, forms, n_forms, form_schema, ESEAL_FORMS_MAX),
};
SCHEMA(submission_schema, struct eseal_submission, submission_fields);

/* ---- field paths ------------------------------------------------------------ */

/* struct path is the JSON path of the value being parsed, e.g.
 * "forms[1].unit.uscc", kept in a fixed buffer: the schema's depth bounds it. */
struct path {
    char s[256];
    size_t len;
};

/* path_add appends |piece| (already formatted), truncating at the buffer. */
static size_t path_add(struct path *p, const char *piece)
{
    size_t mark = p->len;
    size_t room = sizeof(p->s) - 1 - p->len;
    size_t n = strlen(piece);
    if (n > room)
        n = room;
    memcpy(p->s + p->len, piece, n);
    p->len += n;
    p->s[p->len] = '\0';
    return mark;
}

static size_t path_key(struct path *p, const char *key)
{
    char piece[80];
    snprintf(piece, sizeof(piece), "%s%.64s", p->len == 0 ? "" : ".", key);
    return path_add(p, piece);
}

static size_t path_index(struct path *p, size_t i)
{
    char piece[32];
    snprintf(piece, sizeof(piece), "[%zu]", i);
    return path_add(p, piece);
}

static void path_pop(struct path *p, size_t mark)
{
    p->len = mark;
    p->s[mark] = '\0';
}

static const char *path_str(const struct path *p)
{
    return p->len > 0 ? p->s : "(top)";
}

/* ---- parsing ---------------------------------------------------------------- */

static eseal_rc type_error(struct path *p, const char *zh, const char *en, struct eseal_err *err)
{
    return eseal_err_set(err, ESEAL_E_INVALID, "%s: 应为%s / must be %s", path_str(p), zh, en);
}

/* utf8_chars counts code points; Jansson has checked the encoding. */
static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static eseal_rc parse_text(const json_t *v, char **dst, const struct field *f, struct path *p,
                           struct eseal_err *err)
{
    if (!json_is_string(v))
        return type_error(p, "字符串", "a string", err);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    /* A control character (or an embedded NUL, which would cut the C string
     * short) has no place in a name or a code and could hide text. */
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "%s: 含有控制字符 / contains a control character", path_str(p));
    if (utf8_chars(s, len) > (size_t)f->max)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "%s: 超过 %ld 个字符 / longer than %ld characters", path_str(p),
                             f->max, f->max);
    *dst = eseal_xstrndup(s, len);
    return ESEAL_OK;
}

static eseal_rc parse_sm3(const json_t *v, char **dst, struct path *p, struct eseal_err *err)
{
    if (!json_is_string(v))
        return type_error(p, "字符串", "a string", err);
    if (!eseal_sm3_hex_valid(json_string_value(v)) || json_string_length(v) != ESEAL_SM3_HEX_LEN)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "%s: 应为 64 位小写十六进制 SM3 摘要 / must be an SM3 digest in 64 "
                             "lower-case hex digits",
                             path_str(p));
    *dst = eseal_xstrdup(json_string_value(v));
    return ESEAL_OK;
}

static eseal_rc parse_int(const json_t *v, long *dst, const struct field *f, struct path *p,
                          struct eseal_err *err)
{
    if (!json_is_integer(v))
        return type_error(p, "整数", "an integer", err);
    json_int_t n = json_integer_value(v);
    if (n < f->min || n > f->max)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s: 应在 %ld 到 %ld 之间 / must be %ld..%ld",
                             path_str(p), f->min, f->max, f->min, f->max);
    *dst = (long)n;
    return ESEAL_OK;
}

/* parse_mm reads a size in millimetres: an integer or a number with one
 * decimal (40 or 40.5; 40.55 is refused, not rounded). */
static eseal_rc parse_mm(const json_t *v, double *dst, const struct field *f, struct path *p,
                         struct eseal_err *err)
{
    if (!json_is_number(v))
        return type_error(p, "数字（毫米，最多一位小数）",
                          "a number (millimetres, at most one decimal)", err);
    double mm = json_number_value(v);
    if (!(mm >= (double)f->min && mm <= (double)f->max))
        return eseal_err_set(err, ESEAL_E_INVALID, "%s: 应在 %ld 到 %ld 之间 / must be %ld..%ld",
                             path_str(p), f->min, f->max, f->min, f->max);
    if (!eseal_mm_valid(mm))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "%s: 毫米数最多一位小数（如 40.5）/ millimetres take at most one "
                             "decimal (e.g. 40.5)",
                             path_str(p));
    *dst = (double)eseal_mm_tenths(mm) / 10.0;
    return ESEAL_OK;
}

static eseal_rc parse_enum(const json_t *v, int *dst, const struct field *f, struct path *p,
                           struct eseal_err *err)
{
    if (!json_is_string(v))
        return type_error(p, "字符串", "a string", err);
    if (strlen(json_string_value(v)) == json_string_length(v) &&
        eseal_form_enum_parse(f->which, json_string_value(v), dst))
        return ESEAL_OK;
    struct eseal_buf keys;
    eseal_buf_init(&keys);
    for (int i = 1; i <= eseal_form_enum_count(f->which); i++)
        eseal_buf_appendf(&keys, "%s%s", i > 1 ? ", " : "", eseal_form_key(f->which, i));
    eseal_rc rc = eseal_err_set(err, ESEAL_E_INVALID,
                                "%s: 未知取值 \"%.64s\"，可选 %s / unknown "
                                "value \"%.64s\", one of %s",
                                path_str(p), json_string_value(v), (char *)keys.data,
                                json_string_value(v), (char *)keys.data);
    eseal_buf_cleanup(&keys);
    return rc;
}

static eseal_rc parse_object(const json_t *j, void *obj, const struct schema *s, struct path *p,
                             struct eseal_err *err);

static eseal_rc parse_array(const json_t *v, void *base, const struct field *f, struct path *p,
                            struct eseal_err *err)
{
    if (!json_is_array(v))
        return type_error(p, "数组", "an array", err);
    size_t n = json_array_size(v);
    if (n > (size_t)f->max)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "%s: 最多 %ld 项 / at most %ld entries",
                             path_str(p), f->max, f->max);
    /* Zeroed elements are safe to free, so a failure half-way leaves a
     * submission that eseal_submission_free can release. */
    char *items = n > 0 ? eseal_xcalloc(n, f->sub->size) : NULL;
    *(void **)((char *)base + f->off) = items;
    *(size_t *)((char *)base + f->count_off) = n;
    for (size_t i = 0; i < n; i++) {
        size_t mark = path_index(p, i);
        eseal_rc rc = parse_object(json_array_get(v, i), items + i * f->sub->size, f->sub, p, err);
        if (rc != ESEAL_OK)
            return rc;
        path_pop(p, mark);
    }
    return ESEAL_OK;
}

static eseal_rc parse_field(const json_t *v, void *base, const struct field *f, struct path *p,
                            struct eseal_err *err)
{
    void *dst = (char *)base + f->off;
    switch (f->type) {
    case F_TEXT:
        return parse_text(v, dst, f, p, err);
    case F_SM3:
        return parse_sm3(v, dst, p, err);
    case F_INT:
        return parse_int(v, dst, f, p, err);
    case F_MM:
        return parse_mm(v, dst, f, p, err);
    case F_ENUM:
        return parse_enum(v, dst, f, p, err);
    case F_OBJECT:
        return parse_object(v, dst, f->sub, p, err);
    case F_OPT_OBJECT:
        *(void **)dst = eseal_xcalloc(1, f->sub->size);
        return parse_object(v, *(void **)dst, f->sub, p, err);
    case F_ARRAY:
        return parse_array(v, base, f, p, err);
    }
    return eseal_err_set(err, ESEAL_E_INTERNAL, "%s: bad schema", path_str(p));
}

static const struct field *find_field(const struct schema *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->fields[i].key, key) == 0)
            return &s->fields[i];
    return NULL;
}

static eseal_rc parse_object(const json_t *j, void *obj, const struct schema *s, struct path *p,
                             struct eseal_err *err)
{
    if (!json_is_object(j))
        return type_error(p, "对象", "an object", err);
    const char *key;
    json_t *v;
    /* Jansson's iteration macro takes a non-const object; it does not modify it. */
    json_object_foreach((json_t *)j, key, v)
    {
        size_t mark = path_key(p, key);
        const struct field *f = find_field(s, key);
        if (f == NULL)
            return eseal_err_set(err, ESEAL_E_INVALID, "%s: 未知字段 / unknown field", path_str(p));
        eseal_rc rc = parse_field(v, obj, f, p, err);
        if (rc != ESEAL_OK)
            return rc;
        path_pop(p, mark);
    }
    return ESEAL_OK;
}

static void free_object(void *obj, const struct schema *s);

static void free_field(void *base, const struct field *f)
{
    void *dst = (char *)base + f->off;
    switch (f->type) {
    case F_TEXT:
    case F_SM3:
        free(*(char **)dst);
        break;
    case F_INT:
    case F_MM:
    case F_ENUM:
        break;
    case F_OBJECT:
        free_object(dst, f->sub);
        break;
    case F_OPT_OBJECT:
        if (*(void **)dst != NULL)
            free_object(*(void **)dst, f->sub);
        free(*(void **)dst);
        break;
    case F_ARRAY: {
        char *items = *(char **)dst;
        size_t n = *(size_t *)((char *)base + f->count_off);
        for (size_t i = 0; i < n; i++)
            free_object(items + i * f->sub->size, f->sub);
        free(items);
        break;
    }
    }
}

static void free_object(void *obj, const struct schema *s)
{
    for (size_t i = 0; i < s->n; i++)
        free_field(obj, &s->fields[i]);
}

struct eseal_submission *eseal_submission_new(void)
{
    return eseal_xcalloc(1, sizeof(struct eseal_submission));
}

void eseal_submission_free(struct eseal_submission *s)
{
    if (s == NULL)
        return;
    free_object(s, &submission_schema);
    free(s);
}

eseal_rc eseal_submission_from_json(struct eseal_submission **out, const json_t *j,
                                    struct eseal_err *err)
{
    struct eseal_submission *s = eseal_submission_new();
    struct path p = {.s = "", .len = 0};
    eseal_rc rc = parse_object(j, s, &submission_schema, &p, err);
    if (rc != ESEAL_OK) {
        eseal_submission_free(s);
        return rc;
    }
    *out = s;
    return ESEAL_OK;
}

eseal_rc eseal_submission_parse(struct eseal_submission **out, const char *text, size_t len,
                                struct eseal_err *err)
{
    if (len > ESEAL_SUBMISSION_MAX)
        return eseal_err_set(err, ESEAL_E_TOOBIG,
                             "申报数据超过 %d 字节 / submission larger than %d bytes",
                             ESEAL_SUBMISSION_MAX, ESEAL_SUBMISSION_MAX);
    json_t *j = NULL;
    eseal_rc rc = eseal_json_parse(&j, text, len, NULL, err);
    if (rc != ESEAL_OK)
        return rc;
    rc = eseal_submission_from_json(out, j, err);
    json_decref(j);
    return rc;
}

/* ---- output ----------------------------------------------------------------- */

static json_t *object_json(const void *obj, const struct schema *s);

static json_t *array_json(const void *base, const struct field *f)
{
    const char *items = *(char *const *)((const char *)base + f->off);
    size_t n = *(const size_t *)((const char *)base + f->count_off);
    if (n == 0)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, object_json(items + i * f->sub->size, f->sub));
    return a;
}

/* field_json returns the JSON of one field, or NULL when it is absent. */
static json_t *field_json(const void *base, const struct field *f)
{
    const void *src = (const char *)base + f->off;
    switch (f->type) {
    case F_TEXT:
    case F_SM3:
        return *(char *const *)src != NULL ? json_string(*(char *const *)src) : NULL;
    case F_INT:
        return *(const long *)src != 0 ? json_integer(*(const long *)src) : NULL;
    case F_MM:
        return eseal_mm_json(*(const double *)src);
    case F_ENUM: {
        const struct eseal_label *l = eseal_form_label(f->which, *(const int *)src);
        return l != NULL ? json_string(l->key) : NULL;
    }
    case F_OBJECT: {
        /* An embedded object has no presence of its own: empty is absent. */
        json_t *o = object_json(src, f->sub);
        if (json_object_size(o) > 0)
            return o;
        json_decref(o);
        return NULL;
    }
    case F_OPT_OBJECT:
        /* An optional object's presence means something ("person" on a unit
         * seal is an error), so even an empty one is written. */
        return *(void *const *)src != NULL ? object_json(*(void *const *)src, f->sub) : NULL;
    case F_ARRAY:
        return array_json(base, f);
    }
    return NULL;
}

static json_t *object_json(const void *obj, const struct schema *s)
{
    json_t *o = json_object();
    for (size_t i = 0; i < s->n; i++) {
        json_t *v = field_json(obj, &s->fields[i]);
        if (v != NULL)
            json_object_set_new(o, s->fields[i].key, v);
    }
    return o;
}

json_t *eseal_submission_to_json(const struct eseal_submission *s)
{
    return object_json(s, &submission_schema);
}
