/* test_form.c — the submission model: enum labels, strict JSON parsing with
 * field paths, round trips; material kinds, limits and content detection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csr.h"
#include "eseal/enc.h"
#include "eseal/json.h"
#include "form.h"
#include "example.h"
#include "testutil.h"

static struct eseal_submission *parse_ok(const char *text)
{
    struct eseal_submission *s = NULL;
    struct eseal_err err;
    eseal_err_clear(&err);
    eseal_rc rc = eseal_submission_parse(&s, text, strlen(text), &err);
    if (rc != ESEAL_OK)
        fail_msg("parse failed: %s", err.msg);
    return s;
}

/* parse_fails parses |text| and checks the code and that the message names
 * |needle| (a field path, typically). */
static void parse_fails(const char *text, eseal_rc want, const char *needle)
{
    struct eseal_submission *s = NULL;
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_submission_parse(&s, text, strlen(text), &err), want);
    assert_null(s);
    if (strstr(err.msg, needle) == NULL)
        fail_msg("message \"%s\" does not name \"%s\"", err.msg, needle);
}

/* with replaces the first |from| in the example by |to| (the example holds
 * each replaced text in the place the test means). */
static char *with(const char *from, const char *to)
{
    const char *at = strstr(example_submission, from);
    assert_non_null(at);
    size_t head = (size_t)(at - example_submission);
    return eseal_xasprintf("%.*s%s%s", (int)head, example_submission, to, at + strlen(from));
}

static void with_fails(const char *from, const char *to, eseal_rc want, const char *needle)
{
    char *text = with(from, to);
    parse_fails(text, want, needle);
    free(text);
}

static void test_labels(void **state)
{
    (void)state;
    assert_string_equal(eseal_form_label(ESEAL_ENUM_BUSINESS, ESEAL_BUSINESS_RENEW)->zh,
                        "印章延期");
    assert_string_equal(eseal_form_key(ESEAL_ENUM_BUSINESS, ESEAL_BUSINESS_UNLOCK), "unlock");
    assert_string_equal(eseal_form_label(ESEAL_ENUM_FUNCTION, ESEAL_FUNCTION_FINANCE)->zh,
                        "财务专用章");
    assert_string_equal(eseal_form_key(ESEAL_ENUM_FUNCTION, ESEAL_FUNCTION_LEGAL_REP),
                        "legal_representative");
    assert_string_equal(eseal_form_key(ESEAL_ENUM_CERT_TYPE, ESEAL_CERT_USB_KEY), "usb_key");
    assert_string_equal(eseal_form_key(ESEAL_ENUM_MATERIAL, ESEAL_MATERIAL_ID_COPY), "id_copy");
    assert_string_equal(eseal_form_key(ESEAL_ENUM_SPECIAL_CASE, ESEAL_SPECIAL_DELEGATED_USE),
                        "delegated_use");
    assert_null(eseal_form_label(ESEAL_ENUM_BUSINESS, 0));
    assert_null(eseal_form_label(ESEAL_ENUM_BUSINESS, ESEAL_BUSINESS_UNLOCK + 1));
    assert_null(eseal_form_label((enum eseal_enum)99, 1));
    assert_string_equal(eseal_form_key(ESEAL_ENUM_SEAL_KIND, 0), "");

    int v = 0;
    assert_true(eseal_form_enum_parse(ESEAL_ENUM_SEAL_KIND, "device", &v));
    assert_int_equal(v, ESEAL_KIND_DEVICE);
    assert_false(eseal_form_enum_parse(ESEAL_ENUM_SEAL_KIND, "Device", &v));
    assert_false(eseal_form_enum_parse(ESEAL_ENUM_SEAL_KIND, "", &v));
    assert_false(eseal_form_enum_parse(ESEAL_ENUM_SEAL_KIND, NULL, &v));
    assert_int_equal(eseal_form_enum_count(ESEAL_ENUM_BUSINESS), 6);
    assert_int_equal(eseal_form_enum_count(ESEAL_ENUM_FUNCTION), 8);
    assert_int_equal(eseal_form_enum_count(ESEAL_ENUM_MATERIAL), 8);
    /* Every key parses back to its value. */
    for (int w = ESEAL_ENUM_BUSINESS; w <= ESEAL_ENUM_CONTENT_TYPE; w++) {
        for (int i = 1; i <= eseal_form_enum_count((enum eseal_enum)w); i++) {
            const struct eseal_label *l = eseal_form_label((enum eseal_enum)w, i);
            assert_true(*l->zh != '\0' && *l->en != '\0');
            assert_true(eseal_form_enum_parse((enum eseal_enum)w, l->key, &v));
            assert_int_equal(v, i);
        }
    }
}

static void test_parse_example(void **state)
{
    (void)state;
    struct eseal_submission *s = parse_ok(example_submission);
    assert_int_equal(s->business, ESEAL_BUSINESS_APPLY);
    assert_int_equal(s->channel, ESEAL_CHANNEL_AGGREGATOR);
    assert_string_equal(s->aggregator, "350100");
    assert_string_equal(s->applicant.name, "福州市鼓楼区测试局");
    assert_string_equal(s->letter.addressee, "福建省经济信息中心");
    assert_int_equal(s->letter.form_count, 2);
    assert_non_null(s->letter.kinds);
    assert_int_equal(s->letter.kinds->personal, 1);
    assert_int_equal(s->letter.kinds->device, 0);
    assert_non_null(s->summary);
    assert_int_equal(s->summary->n_rows, 2);
    assert_string_equal(s->summary->rows[1].person_name, "张三");
    assert_int_equal(s->n_forms, 2);
    const struct eseal_form *f = &s->forms[1];
    assert_int_equal(f->kind, ESEAL_KIND_PERSONAL);
    assert_non_null(f->person);
    assert_string_equal(f->person->id_number, "11010519491231002X");
    assert_int_equal(f->seal.width_mm, 20);
    assert_int_equal(f->seal.function, ESEAL_FUNCTION_SIGNATURE);
    assert_int_equal(f->seal.cert_type, ESEAL_CERT_USB_KEY);
    assert_null(s->forms[0].person);
    assert_null(f->csr);
    assert_null(f->target);
    assert_int_equal(f->n_special, 0);
    eseal_submission_free(s);
}

/* Output then input gives the same JSON, so the format has one spelling. */
static void test_round_trip(void **state)
{
    (void)state;
    json_t *in = eseal_json_load(example_submission, strlen(example_submission));
    assert_non_null(in);
    struct eseal_submission *s = NULL;
    assert_int_equal(eseal_submission_from_json(&s, in, NULL), ESEAL_OK);
    json_t *out = eseal_submission_to_json(s);
    assert_true(json_equal(in, out));

    /* And the rest of the model: specials, delegators, device fields. */
    const char *more =
        "{\"business\":\"change\",\"forms\":[{\"kind\":\"device\",\"target\":\"35010200000001\","
        "\"csr\":\""
        "abababababababababababababababababababababababababababababababab"
        "\","
        "\"special\":[{\"case\":\"delegated_use\",\"justification\":"
        "\"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\","
        "\"delegator\":{\"name\":\"福州市测试厅\",\"uscc\":\"X\"}},{\"case\":\"keep_impression\"}],"
        "\"person\":{}}]}";
    struct eseal_submission *m = parse_ok(more);
    assert_int_equal(m->forms[0].n_special, 2);
    assert_string_equal(m->forms[0].special[0].delegator->name, "福州市测试厅");
    assert_null(m->forms[0].special[1].delegator);
    assert_non_null(m->forms[0].person); /* present though empty: that matters to the rules */
    json_t *mj = eseal_submission_to_json(m);
    json_t *mi = eseal_json_load(more, strlen(more));
    assert_true(json_equal(mi, mj));

    json_decref(mi);
    json_decref(mj);
    eseal_submission_free(m);
    json_decref(out);
    json_decref(in);
    eseal_submission_free(s);
}

/* Missing fields are not parse errors: the rules report them all at once. */
static void test_incomplete(void **state)
{
    (void)state;
    struct eseal_submission *s = parse_ok("{}");
    assert_int_equal(s->business, ESEAL_BUSINESS_NONE);
    assert_int_equal(s->n_forms, 0);
    assert_null(s->forms);
    assert_null(s->summary);
    json_t *j = eseal_submission_to_json(s);
    assert_int_equal(json_object_size(j), 0);
    json_decref(j);
    eseal_submission_free(s);

    s = parse_ok("{\"forms\":[{}, {\"unit\":{}}], \"letter\":{}}");
    assert_int_equal(s->n_forms, 2);
    assert_null(s->forms[1].unit.name);
    eseal_submission_free(s);
}

static void test_unknown_fields(void **state)
{
    (void)state;
    with_fails("\"applicant\": {", "\"applicant\": {\"town\": \"x\", ", ESEAL_E_INVALID,
               "applicant.town: 未知字段 / unknown field");
    parse_fails("{\"forms\":[{}, {\"unit\":{\"usc\":\"x\"}}]}", ESEAL_E_INVALID,
                "forms[1].unit.usc");
    parse_fails("{\"summary_table\":{\"rows\":[{\"colour\":1}]}}", ESEAL_E_INVALID,
                "summary_table.rows[0].colour");
    parse_fails("{\"forms\":[{\"special\":[{\"case\":\"multi_cert\",\"why\":1}]}]}",
                ESEAL_E_INVALID, "forms[0].special[0].why");
    parse_fails("{\"id\":\"x\"}", ESEAL_E_INVALID, "id: ");
}

static void test_wrong_types(void **state)
{
    (void)state;
    with_fails("\"width_mm\": 42", "\"width_mm\": \"42\"", ESEAL_E_INVALID,
               "summary_table.rows[0].width_mm: 应为数字（毫米，最多一位小数） / must be a number");
    with_fails("\"width_mm\": 42", "\"width_mm\": true", ESEAL_E_INVALID,
               "summary_table.rows[0].width_mm");
    with_fails("\"uscc\": \"91350100M000100Y43\"", "\"uscc\": 913501", ESEAL_E_INVALID,
               "applicant.uscc: 应为字符串 / must be a string");
    with_fails("\"uscc\": \"91350100M000100Y43\"", "\"uscc\": null", ESEAL_E_INVALID,
               "applicant.uscc");
    parse_fails("{\"forms\":{}}", ESEAL_E_INVALID, "forms: 应为数组 / must be an array");
    parse_fails("{\"forms\":[1]}", ESEAL_E_INVALID, "forms[0]: 应为对象 / must be an object");
    parse_fails("{\"letter\":[]}", ESEAL_E_INVALID, "letter: ");
    parse_fails("{\"forms\":[{\"person\":null}]}", ESEAL_E_INVALID, "forms[0].person");
    parse_fails("[]", ESEAL_E_INVALID, "(top)");
    parse_fails("{\"business\":1}", ESEAL_E_INVALID, "business");
}

/* Sizes in millimetres take one decimal: 40.5 is kept as given and written
 * back as 40.5, 42.0 is 42, and 40.55 is refused, never rounded. */
static void test_mm_one_decimal(void **state)
{
    (void)state;
    char *t = with("\"width_mm\": 42", "\"width_mm\": 40.5");
    struct eseal_submission *s = parse_ok(t);
    free(t);
    assert_int_equal(eseal_mm_tenths(s->summary->rows[0].width_mm), 405);
    json_t *j = eseal_submission_to_json(s);
    char *text = json_dumps(j, JSON_COMPACT);
    assert_non_null(strstr(text, "\"width_mm\":40.5"));
    free(text);
    json_decref(j);
    eseal_submission_free(s);
    t = with("\"width_mm\": 42", "\"width_mm\": 42.0");
    s = parse_ok(t);
    free(t);
    j = eseal_submission_to_json(s);
    text = json_dumps(j, JSON_COMPACT);
    assert_null(strstr(text, "42.0"));
    free(text);
    json_decref(j);
    eseal_submission_free(s);
    with_fails("\"width_mm\": 42", "\"width_mm\": 40.55", ESEAL_E_INVALID,
               "summary_table.rows[0].width_mm: 毫米数最多一位小数（如 40.5）/ millimetres take at "
               "most one decimal");
    with_fails("\"width_mm\": 42", "\"width_mm\": 40.05", ESEAL_E_INVALID, "最多一位小数");
    with_fails("\"width_mm\": 42", "\"width_mm\": 0.5", ESEAL_E_INVALID, "must be 1..200");
    char out[16];
    eseal_mm_text(40.5, out, sizeof(out));
    assert_string_equal(out, "40.5");
    eseal_mm_text(42, out, sizeof(out));
    assert_string_equal(out, "42");
    assert_true(eseal_mm_valid(0.1 + 0.2)); /* 0.30000000000000004 is 0.3 */
    assert_false(eseal_mm_valid(12.34));
}

static void test_enums(void **state)
{
    (void)state;
    with_fails("\"kind\": \"unit\",\n      \"unit\"", "\"kind\": \"company\",\n      \"unit\"",
               ESEAL_E_INVALID, "forms[0].kind: 未知取值 \"company\"，可选 unit, personal, device");
    with_fails("\"channel\": \"aggregator\"", "\"channel\": \"Aggregator\"", ESEAL_E_INVALID,
               "channel");
    with_fails("\"function\": \"official\"", "\"function\": \"公章\"", ESEAL_E_INVALID,
               "summary_table.rows[0].function");
    /* An embedded NUL must not make "apply\0x" read as "apply": the parser
     * refuses it, and a value built in memory is refused too. */
    parse_fails("{\"business\":\"apply\\u0000x\"}", ESEAL_E_INVALID, "JSON");
    json_t *j = json_pack("{s:o}", "business", json_stringn("apply\0x", 7));
    struct eseal_submission *s = NULL;
    struct eseal_err err;
    assert_int_equal(eseal_submission_from_json(&s, j, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "business: 未知取值"));
    json_decref(j);
    j = json_pack("{s:{s:o}}", "applicant", "name", json_stringn("a\0b", 3));
    assert_int_equal(eseal_submission_from_json(&s, j, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "applicant.name: 含有控制字符"));
    assert_null(s);
    json_decref(j);
}

static void test_bounds(void **state)
{
    (void)state;
    char *t = with("\"width_mm\": 42", "\"width_mm\": 1");
    eseal_submission_free(parse_ok(t));
    free(t);
    t = with("\"width_mm\": 42", "\"width_mm\": 200");
    eseal_submission_free(parse_ok(t));
    free(t);
    with_fails("\"width_mm\": 42", "\"width_mm\": 0", ESEAL_E_INVALID,
               "summary_table.rows[0].width_mm: 应在 1 到 200 之间 / must be 1..200");
    with_fails("\"width_mm\": 42", "\"width_mm\": 201", ESEAL_E_INVALID,
               "summary_table.rows[0].width_mm");
    with_fails("\"width_mm\": 42", "\"width_mm\": -42", ESEAL_E_INVALID,
               "summary_table.rows[0].width_mm");
    with_fails("\"width_mm\": 42", "\"width_mm\": 99999999999999999999", ESEAL_E_INVALID, "");
    parse_fails("{\"forms\":[{},{\"seal\":{\"height_mm\":0}}]}", ESEAL_E_INVALID,
                "forms[1].seal.height_mm");
    with_fails("\"form_count\": 2", "\"form_count\": 0", ESEAL_E_INVALID, "letter.form_count");
    with_fails("\"form_count\": 2", "\"form_count\": 101", ESEAL_E_INVALID, "letter.form_count");
    with_fails("\"personal\": 1", "\"personal\": -1", ESEAL_E_INVALID, "letter.kinds.personal");
}

/* Limits count characters, not bytes: 100 Chinese characters fit in a unit
 * name, 101 do not. */
static void test_string_limits(void **state)
{
    (void)state;
    struct eseal_buf name;
    eseal_buf_init(&name);
    for (int i = 0; i < 100; i++)
        eseal_buf_append_str(&name, "福");
    char *doc = eseal_xasprintf("{\"applicant\":{\"name\":\"%s\"}}", (char *)name.data);
    struct eseal_submission *s = parse_ok(doc);
    assert_int_equal(strlen(s->applicant.name), 300);
    eseal_submission_free(s);
    free(doc);
    eseal_buf_append_str(&name, "州");
    doc = eseal_xasprintf("{\"applicant\":{\"name\":\"%s\"}}", (char *)name.data);
    parse_fails(doc, ESEAL_E_INVALID,
                "applicant.name: 超过 100 个字符 / longer than 100 characters");
    free(doc);
    eseal_buf_cleanup(&name);

    parse_fails("{\"applicant\":{\"name\":\"a\\u0001b\"}}", ESEAL_E_INVALID,
                "applicant.name: 含有控制字符 / contains a control character");
    parse_fails("{\"applicant\":{\"name\":\"a\\nb\"}}", ESEAL_E_INVALID, "applicant.name");
    parse_fails("{\"applicant\":{\"name\":\"a\\u007fb\"}}", ESEAL_E_INVALID, "applicant.name");
}

static void test_sm3_refs(void **state)
{
    (void)state;
    const char *good =
        "\"impression\": \"5555555555555555555555555555555555555555555555555555555555555555\"";
    with_fails(
        good, "\"impression\": \"555555555555555555555555555555555555555555555555555555555555555\"",
        ESEAL_E_INVALID, "forms[0].impression: 应为 64 位小写十六进制 SM3 摘要");
    with_fails(
        good,
        "\"impression\": \"5555555555555555555555555555555555555555555555555555555555555555a\"",
        ESEAL_E_INVALID, "forms[0].impression");
    with_fails(
        good,
        "\"impression\": \"ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB\"",
        ESEAL_E_INVALID, "forms[0].impression");
    with_fails(good, "\"impression\": \"../../../../etc/passwd\"", ESEAL_E_INVALID,
               "forms[0].impression");
    assert_true(
        eseal_sm3_hex_valid("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
    assert_false(eseal_sm3_hex_valid(NULL));
    assert_false(
        eseal_sm3_hex_valid("0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef"));
}

static void test_syntax_and_size(void **state)
{
    (void)state;
    parse_fails("{\"business\": \"apply\",\n\"channel\"}", ESEAL_E_INVALID, "line 2");
    parse_fails("{\"business\":\"apply\",\"business\":\"renew\"}", ESEAL_E_INVALID, "duplicate");
    parse_fails("", ESEAL_E_INVALID, "JSON");

    size_t big = ESEAL_SUBMISSION_MAX + 1;
    char *text = malloc(big + 1);
    assert_non_null(text);
    memset(text, ' ', big);
    text[0] = '{';
    text[big - 1] = '}';
    text[big] = '\0';
    parse_fails(text, ESEAL_E_TOOBIG, "1048576");
    free(text);

    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_buf_append_str(&b, "{\"forms\":[{}");
    for (int i = 1; i < ESEAL_FORMS_MAX; i++)
        eseal_buf_append_str(&b, ",{}");
    eseal_buf_append_str(&b, "]}");
    struct eseal_submission *s = parse_ok((char *)b.data);
    assert_int_equal(s->n_forms, ESEAL_FORMS_MAX);
    eseal_submission_free(s);
    b.len -= 2;
    eseal_buf_append_str(&b, ",{}]}");
    parse_fails((char *)b.data, ESEAL_E_TOOBIG, "forms: 最多 100 项 / at most 100 entries");
    eseal_buf_cleanup(&b);

    parse_fails("{\"forms\":[{\"special\":[{},{},{},{}]}]}", ESEAL_E_TOOBIG, "forms[0].special");
}

/* A failure deep inside a half-built submission frees everything (the ASan
 * build checks for leaks). */
static void test_failure_frees(void **state)
{
    (void)state;
    parse_fails("{\"applicant\":{\"name\":\"a\"},\"summary_table\":{\"material\":"
                "\"1111111111111111111111111111111111111111111111111111111111111111\","
                "\"rows\":[{\"unit_name\":\"b\"}]},\"forms\":[{\"unit\":{\"name\":\"c\"},"
                "\"person\":{\"name\":\"d\"},\"special\":[{\"delegator\":{\"name\":\"e\"}},"
                "{\"case\":\"bogus\"}]}]}",
                ESEAL_E_INVALID, "forms[0].special[1].case");
}

/* ---- materials ---------------------------------------------------------------- */

static void put16(struct eseal_buf *b, unsigned v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    eseal_buf_append(b, x, 2);
}

static void put32(struct eseal_buf *b, size_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    eseal_buf_append(b, x, 4);
}

/* make_zip writes a ZIP with stored (uncompressed) entries named |names|,
 * each holding "<x/>", and an archive comment. CRCs are left 0: detection
 * reads names only. */
static void make_zip(struct eseal_buf *z, const char *const *names, size_t n)
{
    size_t offsets[8];
    eseal_buf_reset(z);
    for (size_t i = 0; i < n; i++) {
        offsets[i] = z->len;
        eseal_buf_append(z, "PK\x03\x04", 4);
        put16(z, 20), put16(z, 0), put16(z, 0), put16(z, 0), put16(z, 0);
        put32(z, 0), put32(z, 4), put32(z, 4);
        put16(z, (unsigned)strlen(names[i])), put16(z, 0);
        eseal_buf_append_str(z, names[i]);
        eseal_buf_append_str(z, "<x/>");
    }
    size_t cd = z->len;
    for (size_t i = 0; i < n; i++) {
        eseal_buf_append(z, "PK\x01\x02", 4);
        put16(z, 20), put16(z, 20), put16(z, 0), put16(z, 0), put16(z, 0), put16(z, 0);
        put32(z, 0), put32(z, 4), put32(z, 4);
        put16(z, (unsigned)strlen(names[i])), put16(z, 0), put16(z, 0), put16(z, 0), put16(z, 0);
        put32(z, 0), put32(z, offsets[i]);
        eseal_buf_append_str(z, names[i]);
    }
    size_t cd_len = z->len - cd;
    eseal_buf_append(z, "PK\x05\x06", 4);
    put16(z, 0), put16(z, 0), put16(z, (unsigned)n), put16(z, (unsigned)n);
    put32(z, cd_len), put32(z, cd);
    put16(z, 7);
    eseal_buf_append_str(z, "comment");
}

static void test_detect(void **state)
{
    (void)state;
    const uint8_t pdf[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
    const uint8_t png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const uint8_t jpeg[] = "\xff\xd8\xff\xe0\0\x10JFIF";
    assert_int_equal(eseal_content_detect(pdf, sizeof(pdf) - 1), ESEAL_CONTENT_PDF);
    assert_int_equal(eseal_content_detect(png, sizeof(png) - 1), ESEAL_CONTENT_PNG);
    assert_int_equal(eseal_content_detect(jpeg, sizeof(jpeg) - 1), ESEAL_CONTENT_JPEG);
    assert_int_equal(eseal_content_detect((const uint8_t *)"%PDF", 4), ESEAL_CONTENT_UNKNOWN);
    assert_int_equal(eseal_content_detect((const uint8_t *)"GIF89a", 6), ESEAL_CONTENT_UNKNOWN);
    assert_int_equal(eseal_content_detect((const uint8_t *)"x", 0), ESEAL_CONTENT_UNKNOWN);
    assert_int_equal(eseal_content_detect(NULL, 10), ESEAL_CONTENT_UNKNOWN);

    struct eseal_buf z;
    eseal_buf_init(&z);
    const char *ofd[] = {"Doc_0/Document.xml", "OFD.xml"};
    make_zip(&z, ofd, 2);
    assert_int_equal(eseal_content_detect(z.data, z.len), ESEAL_CONTENT_OFD);
    /* A ZIP that is not OFD: an .xlsx workbook is one (a summary table may
     * be one); a package with no workbook is nothing; OFD.xml only below
     * the root is not OFD. */
    const char *xlsx[] = {"[Content_Types].xml", "xl/workbook.xml"};
    make_zip(&z, xlsx, 2);
    assert_int_equal(eseal_content_detect(z.data, z.len), ESEAL_CONTENT_XLSX);
    assert_string_equal(eseal_content_mime(ESEAL_CONTENT_XLSX),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_true(eseal_material_allows(ESEAL_MATERIAL_SUMMARY_TABLE, ESEAL_CONTENT_XLSX));
    assert_false(eseal_material_allows(ESEAL_MATERIAL_LETTER, ESEAL_CONTENT_XLSX));
    const char *no_book[] = {"[Content_Types].xml", "xl/styles.xml"};
    make_zip(&z, no_book, 2);
    assert_int_equal(eseal_content_detect(z.data, z.len), ESEAL_CONTENT_UNKNOWN);
    const char *nested[] = {"Doc_0/OFD.xml"};
    make_zip(&z, nested, 1);
    assert_int_equal(eseal_content_detect(z.data, z.len), ESEAL_CONTENT_UNKNOWN);
    /* Damaged archives are not OFD, and reading them stays in bounds. */
    make_zip(&z, ofd, 2);
    for (size_t cut = 1; cut < z.len; cut += 7)
        assert_int_equal(eseal_content_detect(z.data, cut), ESEAL_CONTENT_UNKNOWN);
    /* From the end: a 7-byte comment, its length (2), the central
     * directory's offset (4), its size (4), the entry count (2). */
    make_zip(&z, ofd, 2);
    z.data[z.len - 10] = 0x7f; /* the central directory's offset, high byte */
    assert_int_equal(eseal_content_detect(z.data, z.len), ESEAL_CONTENT_UNKNOWN);
    const char *one[] = {"Doc_0/Document.xml"};
    make_zip(&z, one, 1);
    z.data[z.len - 19] = 50; /* claims 50 entries, holds 1 */
    assert_int_equal(eseal_content_detect(z.data, z.len), ESEAL_CONTENT_UNKNOWN);
    make_zip(&z, nested, 1);
    z.data[z.len - 9] = 8; /* a comment length that does not end at the end */
    assert_int_equal(eseal_content_detect(z.data, z.len), ESEAL_CONTENT_UNKNOWN);
    eseal_buf_cleanup(&z);

    struct eseal_buf csr;
    eseal_buf_init(&csr);
    make_csr(CSR_GOOD, true, &csr);
    assert_int_equal(eseal_content_detect(csr.data, csr.len), ESEAL_CONTENT_CSR_PEM);
    make_csr(CSR_GOOD, false, &csr);
    assert_int_equal(eseal_content_detect(csr.data, csr.len), ESEAL_CONTENT_CSR_DER);
    /* The guide's third form: bare Base64 of the DER, on one line or folded. */
    char *b64 = eseal_base64(csr.data, csr.len, ESEAL_B64_STD);
    assert_int_equal(eseal_content_detect((const uint8_t *)b64, strlen(b64)),
                     ESEAL_CONTENT_CSR_BASE64);
    struct eseal_buf folded;
    eseal_buf_init(&folded);
    for (size_t k = 0; k < strlen(b64); k += 64) {
        eseal_buf_append(&folded, b64 + k, strlen(b64 + k) < 64 ? strlen(b64 + k) : 64);
        eseal_buf_append_str(&folded, "\r\n");
    }
    assert_int_equal(eseal_content_detect(folded.data, folded.len), ESEAL_CONTENT_CSR_BASE64);
    assert_true(eseal_material_allows(ESEAL_MATERIAL_CSR, ESEAL_CONTENT_CSR_BASE64));
    assert_string_equal(eseal_content_mime(ESEAL_CONTENT_CSR_BASE64), "application/pkcs10");
    b64[strlen(b64) / 2] = '!'; /* not Base64 any more */
    assert_int_equal(eseal_content_detect((const uint8_t *)b64, strlen(b64)),
                     ESEAL_CONTENT_UNKNOWN);
    assert_int_equal(eseal_content_detect((const uint8_t *)"aGVsbG8=", 8), ESEAL_CONTENT_UNKNOWN);
    eseal_buf_cleanup(&folded);
    free(b64);
    /* Content type says nothing about the signature: the rules check that. */
    make_csr(CSR_WRONG_KEY, false, &csr);
    assert_int_equal(eseal_content_detect(csr.data, csr.len), ESEAL_CONTENT_CSR_DER);
    csr.data[csr.len / 2] ^= 0xff; /* now it no longer parses, or has garbage */
    eseal_buf_append(&csr, "\0", 1);
    assert_int_equal(eseal_content_detect(csr.data, csr.len), ESEAL_CONTENT_UNKNOWN);
    assert_int_equal(eseal_content_detect((const uint8_t *)"\x30\x03\x02\x01\x00", 5),
                     ESEAL_CONTENT_UNKNOWN);
    eseal_buf_cleanup(&csr);

    assert_string_equal(eseal_content_mime(ESEAL_CONTENT_OFD), "application/ofd");
    assert_string_equal(eseal_content_mime(ESEAL_CONTENT_CSR_DER), "application/pkcs10");
    assert_string_equal(eseal_content_mime(ESEAL_CONTENT_UNKNOWN), "application/octet-stream");
}

static void test_material_check(void **state)
{
    (void)state;
    struct eseal_err err;
    enum eseal_content_type t = ESEAL_CONTENT_UNKNOWN;
    const uint8_t pdf[] = "%PDF-1.4\n";
    const uint8_t png[] = "\x89PNG\r\n\x1a\n";
    assert_int_equal(eseal_material_check(ESEAL_MATERIAL_LETTER, pdf, 9, &t, &err), ESEAL_OK);
    assert_int_equal(t, ESEAL_CONTENT_PDF);
    assert_int_equal(eseal_material_check(ESEAL_MATERIAL_IMPRESSION, png, 8, &t, &err), ESEAL_OK);
    assert_int_equal(t, ESEAL_CONTENT_PNG);

    /* The letter is the formal document: no pictures of it. */
    assert_int_equal(eseal_material_check(ESEAL_MATERIAL_LETTER, png, 8, &t, &err),
                     ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "the red-header letter must be PDF, OFD, found PNG"));
    assert_non_null(strstr(err.msg, "红头公函只接受"));
    assert_int_equal(eseal_material_check(ESEAL_MATERIAL_IMPRESSION, pdf, 9, &t, &err),
                     ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "must be PNG, JPEG, found PDF"));
    assert_int_equal(eseal_material_check(ESEAL_MATERIAL_CSR, pdf, 9, NULL, &err), ESEAL_E_INVALID);
    assert_int_equal(
        eseal_material_check(ESEAL_MATERIAL_FORM, (const uint8_t *)"hello", 5, &t, &err),
        ESEAL_E_INVALID);
    assert_int_equal(t, ESEAL_CONTENT_UNKNOWN);
    assert_non_null(strstr(err.msg, "unrecognised content"));
    assert_int_equal(eseal_material_check(ESEAL_MATERIAL_FORM, pdf, 0, &t, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "empty"));
    assert_int_equal(eseal_material_check(ESEAL_MATERIAL_NONE, pdf, 9, &t, &err), ESEAL_E_INVALID);

    /* Size limits: at the limit passes, one byte more does not. */
    size_t max = eseal_material_max_len(ESEAL_MATERIAL_IMPRESSION);
    assert_int_equal(max, 2 * 1024 * 1024);
    uint8_t *big = calloc(1, max + 1);
    assert_non_null(big);
    memcpy(big, png, 8);
    assert_int_equal(eseal_material_check(ESEAL_MATERIAL_IMPRESSION, big, max, &t, &err), ESEAL_OK);
    assert_int_equal(eseal_material_check(ESEAL_MATERIAL_IMPRESSION, big, max + 1, &t, &err),
                     ESEAL_E_TOOBIG);
    free(big);

    assert_true(eseal_material_allows(ESEAL_MATERIAL_CSR, ESEAL_CONTENT_CSR_PEM));
    assert_false(eseal_material_allows(ESEAL_MATERIAL_ID_COPY, ESEAL_CONTENT_OFD));
    assert_true(eseal_material_allows(ESEAL_MATERIAL_JUSTIFICATION, ESEAL_CONTENT_JPEG));
    assert_false(eseal_material_allows(ESEAL_MATERIAL_FORM, ESEAL_CONTENT_UNKNOWN));
    assert_int_equal(eseal_material_max_len(ESEAL_MATERIAL_CSR), 64 * 1024);
    assert_int_equal(eseal_material_max_len(ESEAL_MATERIAL_NONE), 0);
    for (int k = 1; k <= eseal_form_enum_count(ESEAL_ENUM_MATERIAL); k++)
        assert_true(eseal_material_max_len((enum eseal_material_kind)k) <= ESEAL_MATERIAL_MAX_ANY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels),         cmocka_unit_test(test_parse_example),
        cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_incomplete),
        cmocka_unit_test(test_unknown_fields), cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_mm_one_decimal), cmocka_unit_test(test_enums),
        cmocka_unit_test(test_bounds),         cmocka_unit_test(test_string_limits),
        cmocka_unit_test(test_sm3_refs),       cmocka_unit_test(test_syntax_and_size),
        cmocka_unit_test(test_failure_frees),  cmocka_unit_test(test_detect),
        cmocka_unit_test(test_material_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
