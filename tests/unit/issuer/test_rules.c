/* test_rules.c — every named rule of the issuance rules engine, over the
 * example submission changed one field at a time, with a real material
 * store for the device CSRs and real OpenSSL requests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csr.h"
#include "eseal/enc.h"
#include "eseal/json.h"
#include "blob.h"
#include "kek.h"
#include "rules.h"
#include "example.h"
#include "testutil.h"

#define NOW ((time_t)1767225600) /* 2026-01-01T00:00:00Z */
#define DAY (24 * 60 * 60)

#define HEX64(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define LETTER HEX64("11")
#define TABLE HEX64("22")
#define FORM0 HEX64("33")
#define FORM1 HEX64("44")
#define IMP0 HEX64("55")
#define IMP1 HEX64("66")
#define JUST HEX64("77")

#define USCC "91350100M000100Y43"
#define OTHER_USCC "91110000600001760P" /* a real, valid code of another unit */
#define SEAL "35010200000001"
#define OTHER_SEAL "35010200000002"
#define TOKEN "0123456789abcdef"

struct seal_row {
    const char *esid;
    struct eseal_seal_record rec;
};

struct fixture {
    char *tmp;
    struct eseal_blob *blob;
    json_t *doc; /* the submission under test, changed by each test */
    struct eseal_material_ref materials[16];
    size_t n_materials;
    struct seal_row seals[2];
    int lookups;
    eseal_rc lookup_fails; /* ESEAL_OK: answer normally */
    const char *acks[4];
    struct eseal_onsite onsite[3];
    struct eseal_rules_input in;
    struct eseal_rules_result res;
};

static eseal_rc lookup(void *ctx, const char *esid, struct eseal_seal_record *out,
                       struct eseal_err *err)
{
    struct fixture *f = ctx;
    f->lookups++;
    if (f->lookup_fails != ESEAL_OK)
        return eseal_err_set(err, f->lookup_fails, "seal store unavailable");
    for (size_t i = 0; i < 2; i++) {
        if (strcmp(f->seals[i].esid, esid) == 0) {
            *out = f->seals[i].rec;
            return ESEAL_OK;
        }
    }
    return ESEAL_E_NOTFOUND;
}

/* list gives the unit's seals, as the issuer's scan of its seals does. */
static eseal_rc list(void *ctx, const char *uscc, struct eseal_seal_record **out, size_t *n,
                     struct eseal_err *err)
{
    struct fixture *f = ctx;
    (void)err;
    f->lookups++;
    *out = eseal_xcalloc(2, sizeof(**out));
    *n = 0;
    for (size_t i = 0; i < 2; i++)
        if (strcmp(f->seals[i].rec.uscc, uscc) == 0)
            (*out)[(*n)++] = f->seals[i].rec;
    return ESEAL_OK;
}

static eseal_rc failing_reader(void *ctx, const char *sm3, struct eseal_buf *out,
                               struct eseal_err *err)
{
    (void)ctx, (void)sm3, (void)out;
    return eseal_err_set(err, ESEAL_E_IO, "disk on fire");
}

static void hold(struct fixture *f, enum eseal_material_kind kind, const char *sm3)
{
    struct eseal_material_ref *m = &f->materials[f->n_materials++];
    m->kind = kind;
    snprintf(m->sm3, sizeof(m->sm3), "%s", sm3);
    f->in.n_materials = f->n_materials;
}

static int setup(void **state)
{
    struct fixture *f = eseal_xcalloc(1, sizeof(*f));
    f->tmp = tu_tmpdir();
    static uint8_t key[ESEAL_AEAD_KEY_LEN] = {1, 2, 3};
    const struct eseal_blob_kek kek = test_kek(key);
    if (eseal_blob_open(&f->blob, f->tmp, &kek, NULL) != ESEAL_OK)
        return -1;
    f->doc = eseal_json_load(example_submission, strlen(example_submission));
    f->in.materials = f->materials;
    f->in.read_material = eseal_blob_reader;
    f->in.material_ctx = f->blob;
    f->in.lookup_seal = lookup;
    f->in.lookup_ctx = f;
    f->in.now = NOW;
    f->in.acks = f->acks;
    f->in.onsite = f->onsite;
    hold(f, ESEAL_MATERIAL_LETTER, LETTER);
    hold(f, ESEAL_MATERIAL_SUMMARY_TABLE, TABLE);
    hold(f, ESEAL_MATERIAL_FORM, FORM0);
    hold(f, ESEAL_MATERIAL_FORM, FORM1);
    hold(f, ESEAL_MATERIAL_IMPRESSION, IMP0);
    hold(f, ESEAL_MATERIAL_IMPRESSION, IMP1);
    f->seals[0] = (struct seal_row){SEAL,
                                    {USCC, ESEAL_SEAL_STATE_GOOD, NOW + 10 * DAY, ESEAL_CERT_OTHER,
                                     "", SEAL, "福州市鼓楼区测试局", ESEAL_KIND_UNIT,
                                     ESEAL_FUNCTION_OFFICIAL, 42, 42, IMP0}};
    f->seals[1] = (struct seal_row){OTHER_SEAL,
                                    {OTHER_USCC, ESEAL_SEAL_STATE_GOOD, NOW + 10 * DAY,
                                     ESEAL_CERT_OTHER, "", OTHER_SEAL, "福州市鼓楼区测试局",
                                     ESEAL_KIND_UNIT, ESEAL_FUNCTION_OFFICIAL, 42, 42, IMP0}};
    eseal_rules_result_init(&f->res);
    *state = f;
    return f->doc != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    eseal_rules_result_cleanup(&f->res);
    json_decref(f->doc);
    eseal_blob_free(f->blob);
    tu_rmtree(f->tmp);
    free(f->tmp);
    free(f);
    return 0;
}

/* ---- changing the document ------------------------------------------------------- */

/* jset sets the value at |path| ("forms[0].unit.uscc") in |root|, or removes
 * it when |v| is NULL. Containers on the way must exist. */
static void jset(json_t *root, const char *path, json_t *v)
{
    json_t *cur = root;
    const char *p = path;
    for (;;) {
        char key[64] = "";
        long index = -1;
        if (*p == '[') {
            index = strtol(p + 1, (char **)&p, 10);
            p++; /* ']' */
        } else {
            size_t n = strcspn(p, ".[");
            snprintf(key, sizeof(key), "%.*s", (int)n, p);
            p += n;
        }
        if (*p == '.')
            p++;
        if (*p == '\0') {
            if (index >= 0)
                v != NULL ? json_array_set_new(cur, (size_t)index, v)
                          : json_array_remove(cur, (size_t)index);
            else
                v != NULL ? json_object_set_new(cur, key, v) : json_object_del(cur, key);
            return;
        }
        cur = index >= 0 ? json_array_get(cur, (size_t)index) : json_object_get(cur, key);
        if (cur == NULL)
            fail_msg("jset: no container on the way to %s", path);
    }
}

static void sset(struct fixture *f, const char *path, const char *s)
{
    jset(f->doc, path, json_string(s));
}

static void del(struct fixture *f, const char *path)
{
    jset(f->doc, path, NULL);
}

/* single leaves one form (the unit seal): no summary table, no kinds. */
static void single(struct fixture *f)
{
    del(f, "forms[1]");
    del(f, "summary_table");
    del(f, "letter.kinds");
    jset(f->doc, "letter.form_count", json_integer(1));
}

/* business sets the business type everywhere it is stated, and the target
 * seal of the single form. */
static void business(struct fixture *f, const char *b, const char *target)
{
    sset(f, "business", b);
    sset(f, "letter.business", b);
    sset(f, "forms[0].business", b);
    if (target != NULL)
        sset(f, "forms[0].target", target);
}

static void set_unit_region(struct fixture *f, const char *city, const char *county)
{
    sset(f, "applicant.city", city);
    sset(f, "applicant.county", county);
    sset(f, "forms[0].unit.city", city);
    sset(f, "forms[0].unit.county", county);
}

/* ---- running and checking ------------------------------------------------------- */

static eseal_rc run_rc(struct fixture *f, struct eseal_err *err)
{
    struct eseal_submission *s = NULL;
    if (eseal_submission_from_json(&s, f->doc, err) != ESEAL_OK)
        fail_msg("the test's submission does not parse: %s", err->msg);
    size_t n_acks = 0;
    while (n_acks < 4 && f->acks[n_acks] != NULL)
        n_acks++;
    size_t n_onsite = 0;
    while (n_onsite < 3 && f->onsite[n_onsite].esid != NULL)
        n_onsite++;
    f->in.submission = s;
    f->in.n_acks = n_acks;
    f->in.n_onsite = n_onsite;
    eseal_rc rc = eseal_rules_run(&f->res, &f->in, err);
    f->in.submission = NULL;
    eseal_submission_free(s);
    return rc;
}

static void dump(const struct fixture *f)
{
    for (size_t i = 0; i < f->res.n_findings; i++)
        fprintf(stderr, "  finding: %s/%s %s\n", eseal_rule_label(f->res.findings[i].rule)->key,
                f->res.findings[i].code, f->res.findings[i].message_en);
}

static enum eseal_verdict run(struct fixture *f)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    if (run_rc(f, &err) != ESEAL_OK)
        fail_msg("rules failed: %s", err.msg);
    return f->res.verdict;
}

static bool match(const struct eseal_finding *x, enum eseal_rule rule, const char *code,
                  const char *path)
{
    return x->rule == rule && strcmp(x->code, code) == 0 &&
           (path == NULL || (x->path != NULL && strcmp(x->path, path) == 0));
}

/* expect returns the finding of |rule|/|code| at |path| (NULL: any path). */
static const struct eseal_finding *expect(struct fixture *f, enum eseal_rule rule, const char *code,
                                          const char *path)
{
    for (size_t i = 0; i < f->res.n_findings; i++)
        if (match(&f->res.findings[i], rule, code, path))
            return &f->res.findings[i];
    dump(f);
    fail_msg("no finding %s/%s at %s", eseal_rule_label(rule)->key, code,
             path != NULL ? path : "(any)");
    return NULL;
}

/* open_findings counts the findings that still matter: all but the
 * acknowledged warnings. */
static size_t open_findings(const struct fixture *f)
{
    size_t n = 0;
    for (size_t i = 0; i < f->res.n_findings; i++)
        n += !f->res.findings[i].acknowledged;
    return n;
}

/* only runs the rules and checks that the one open finding is |rule|/|code|
 * at |path|, and that an error rejects the submission. */
static const struct eseal_finding *only(struct fixture *f, enum eseal_rule rule, const char *code,
                                        const char *path)
{
    enum eseal_verdict v = run(f);
    if (open_findings(f) != 1) {
        dump(f);
        fail_msg("%zu open findings, want only %s/%s", open_findings(f),
                 eseal_rule_label(rule)->key, code);
    }
    const struct eseal_finding *x = expect(f, rule, code, path);
    assert_false(x->acknowledged);
    if (x->severity == ESEAL_SEVERITY_ERROR) {
        assert_int_equal(v, ESEAL_VERDICT_REJECTED);
        assert_int_equal(f->res.outcome[rule], ESEAL_OUTCOME_FAILED);
    }
    return x;
}

static void ok(struct fixture *f)
{
    enum eseal_verdict v = run(f);
    if (v != ESEAL_VERDICT_OK || open_findings(f) != 0) {
        dump(f);
        fail_msg("verdict %s, want ok", eseal_verdict_name(v));
    }
}

static size_t count(const struct fixture *f, enum eseal_rule rule, const char *code)
{
    size_t n = 0, from = 0;
    while (eseal_rules_find(&f->res, rule, code, &from) != NULL)
        n++;
    return n;
}

/* ---- the example, and required_fields ------------------------------------------ */

static void test_example_ok(void **state)
{
    struct fixture *f = *state;
    ok(f);
    const enum eseal_rule_outcome *o = f->res.outcome;
    assert_int_equal(o[ESEAL_RULE_REQUIRED_FIELDS], ESEAL_OUTCOME_PASSED);
    assert_int_equal(o[ESEAL_RULE_PERSONAL_FIELDS], ESEAL_OUTCOME_PASSED);
    assert_int_equal(o[ESEAL_RULE_USCC_CHECK], ESEAL_OUTCOME_PASSED);
    assert_int_equal(o[ESEAL_RULE_IDNUM_CHECK], ESEAL_OUTCOME_PASSED);
    assert_int_equal(o[ESEAL_RULE_SUMMARY_TABLE], ESEAL_OUTCOME_PASSED);
    assert_int_equal(o[ESEAL_RULE_TARGET_SEAL_STATE], ESEAL_OUTCOME_PASSED);
    assert_int_equal(o[ESEAL_RULE_DEVICE_CSR], ESEAL_OUTCOME_NOT_APPLICABLE);
    assert_int_equal(o[ESEAL_RULE_RENEW_WINDOW], ESEAL_OUTCOME_NOT_APPLICABLE);
    assert_int_equal(o[ESEAL_RULE_USB_KEY_ON_SITE], ESEAL_OUTCOME_NOT_APPLICABLE);
    assert_int_equal(o[ESEAL_RULE_SPECIAL_CASE_ACK], ESEAL_OUTCOME_NOT_APPLICABLE);
    assert_int_equal(f->lookups, 0); /* apply looks up nothing */
    single(f);
    ok(f);
}

static void test_required_fields(void **state)
{
    struct fixture *f = *state;
    single(f);
    del(f, "forms[0].unit.name");
    only(f, ESEAL_RULE_REQUIRED_FIELDS, "missing", "forms[0].unit.name");

    sset(f, "forms[0].unit.name", "福州市鼓楼区测试局");
    sset(f, "forms[0].seal.name", ""); /* empty is missing */
    const struct eseal_finding *x =
        only(f, ESEAL_RULE_REQUIRED_FIELDS, "missing", "forms[0].seal.name");
    assert_string_equal(x->message_zh, "必填项未填写（字段 forms[0].seal.name）");
    assert_string_equal(x->message_en, "a required field is missing (field forms[0].seal.name)");

    /* Every missing field is reported at once. */
    sset(f, "forms[0].seal.name", "福州市鼓楼区测试局");
    del(f, "letter.addressee");
    del(f, "forms[0].seal.width_mm");
    del(f, "forms[0].agent");
    del(f, "forms[0].seal.function");
    assert_int_equal(run(f), ESEAL_VERDICT_REJECTED);
    assert_int_equal(count(f, ESEAL_RULE_REQUIRED_FIELDS, "missing"), 6);
    assert_int_equal(f->res.n_findings, 6);
    expect(f, ESEAL_RULE_REQUIRED_FIELDS, "missing", "letter.addressee");
    expect(f, ESEAL_RULE_REQUIRED_FIELDS, "missing", "forms[0].agent.id_number");
    expect(f, ESEAL_RULE_REQUIRED_FIELDS, "missing", "forms[0].seal.function");
}

static void test_required_mobile(void **state)
{
    struct fixture *f = *state;
    single(f);
    const char *bad[] = {"1380000000", "138000000001", "23800000000", "1380000000a",
                         "+8613800000000"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sset(f, "forms[0].agent.mobile", bad[i]);
        const struct eseal_finding *x =
            only(f, ESEAL_RULE_REQUIRED_FIELDS, "bad_mobile", "forms[0].agent.mobile");
        assert_string_equal(x->value, bad[i]);
    }
    sset(f, "forms[0].agent.mobile", "19912345678");
    ok(f);
}

static void test_required_by_context(void **state)
{
    struct fixture *f = *state;
    single(f);
    del(f, "aggregator"); /* required on the aggregator channel */
    only(f, ESEAL_RULE_REQUIRED_FIELDS, "missing", "aggregator");

    sset(f, "aggregator", "350100");
    business(f, "renew", NULL); /* every business but apply names its seal */
    only(f, ESEAL_RULE_REQUIRED_FIELDS, "missing", "forms[0].target");

    jset(f->doc, "forms", json_array());
    run(f);
    expect(f, ESEAL_RULE_REQUIRED_FIELDS, "no_forms", "forms");
    expect(f, ESEAL_RULE_LETTER_MATCHES, "form_count", "letter.form_count");
    assert_int_equal(f->res.outcome[ESEAL_RULE_SUMMARY_TABLE], ESEAL_OUTCOME_NOT_APPLICABLE);
}

/* ---- personal_fields ------------------------------------------------------------- */

static void test_personal_fields(void **state)
{
    struct fixture *f = *state;
    single(f);
    jset(f->doc, "forms[0].person",
         json_pack("{s:s, s:s}", "name", "张三", "id_number", "11010519491231002X"));
    const struct eseal_finding *x =
        only(f, ESEAL_RULE_PERSONAL_FIELDS, "person_not_allowed", "forms[0].person");
    assert_string_equal(x->value, "unit");
    jset(f->doc, "forms[0].person", json_object()); /* even empty, it is not for a unit seal */
    only(f, ESEAL_RULE_PERSONAL_FIELDS, "person_not_allowed", "forms[0].person");

    /* A personal seal needs both personal fields. */
    del(f, "forms[0].person");
    sset(f, "forms[0].kind", "personal");
    run(f);
    assert_int_equal(f->res.n_findings, 2);
    expect(f, ESEAL_RULE_PERSONAL_FIELDS, "person_required", "forms[0].person.name");
    expect(f, ESEAL_RULE_PERSONAL_FIELDS, "person_required", "forms[0].person.id_number");
    jset(f->doc, "forms[0].person", json_pack("{s:s}", "name", "张三"));
    only(f, ESEAL_RULE_PERSONAL_FIELDS, "person_required", "forms[0].person.id_number");
    sset(f, "forms[0].person.id_number", "11010519491231002X");
    ok(f);
}

/* ---- uscc_check, idnum_check --------------------------------------------------- */

static void set_all_uscc(struct fixture *f, const char *uscc)
{
    sset(f, "applicant.uscc", uscc);
    sset(f, "forms[0].unit.uscc", uscc);
    sset(f, "forms[1].unit.uscc", uscc);
    sset(f, "summary_table.rows[0].uscc", uscc);
    sset(f, "summary_table.rows[1].uscc", uscc);
}

/* A failing check character is a warning a reviewer acknowledges: some
 * real codes fail it. */
static void test_uscc_check_warning(void **state)
{
    struct fixture *f = *state;
    set_all_uscc(f, "91350100M000100Y44");
    assert_int_equal(run(f), ESEAL_VERDICT_NEEDS_ACK);
    assert_int_equal(f->res.n_findings, 3);
    assert_int_equal(count(f, ESEAL_RULE_USCC_CHECK, "bad_check"), 3);
    const struct eseal_finding *x = expect(f, ESEAL_RULE_USCC_CHECK, "bad_check", "applicant.uscc");
    assert_int_equal(x->severity, ESEAL_SEVERITY_WARNING);
    assert_false(x->acknowledged);
    assert_string_equal(x->value, "91350100M000100Y44");
    assert_string_equal(x->expected, "91350100M000100Y43"); /* the check character that fits */
    expect(f, ESEAL_RULE_USCC_CHECK, "bad_check", "forms[1].unit.uscc");
    assert_int_equal(f->res.outcome[ESEAL_RULE_USCC_CHECK], ESEAL_OUTCOME_NEEDS_ACK);

    f->acks[0] = "region_match"; /* acknowledging another rule does not help */
    assert_int_equal(run(f), ESEAL_VERDICT_NEEDS_ACK);
    f->acks[1] = "uscc_check";
    assert_int_equal(run(f), ESEAL_VERDICT_OK);
    assert_int_equal(f->res.n_findings, 3); /* still shown, marked acknowledged */
    for (size_t i = 0; i < f->res.n_findings; i++)
        assert_true(f->res.findings[i].acknowledged);
    assert_int_equal(f->res.outcome[ESEAL_RULE_USCC_CHECK], ESEAL_OUTCOME_ACKNOWLEDGED);
}

static void test_uscc_check_shape(void **state)
{
    struct fixture *f = *state;
    f->acks[0] = "uscc_check"; /* a malformed code is an error: no acknowledgement helps */
    const char *bad[] = {"91350100M000100Y4", "91350100M000100Y43X", "9135010OM000100Y43",
                         "91A50100M000100Y43", "91350100m000100y43"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        set_all_uscc(f, bad[i]);
        assert_int_equal(run(f), ESEAL_VERDICT_REJECTED);
        assert_int_equal(count(f, ESEAL_RULE_USCC_CHECK, "bad_shape"), 3);
        assert_int_equal(f->res.n_findings, 3);
    }
}

/* idnum builds a valid ID number born on |date8| (GB 11643 check character). */
static void idnum(char out[19], const char *date8)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    snprintf(out, 19, "350102%.8s123", date8);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * weights[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

static void test_idnum_check(void **state)
{
    struct fixture *f = *state;
    sset(f, "forms[0].agent.id_number", "350102199001011234");
    sset(f, "forms[1].agent.id_number", "350102199001011234");
    run(f);
    assert_int_equal(count(f, ESEAL_RULE_IDNUM_CHECK, "bad_check"), 2);
    const struct eseal_finding *x =
        expect(f, ESEAL_RULE_IDNUM_CHECK, "bad_check", "forms[1].agent.id_number");
    /* Findings are shown and may be logged: the birth date is masked. */
    assert_string_equal(x->value, "350102********1234");
    assert_null(strstr(x->message_zh, "19900101"));

    single(f);
    sset(f, "forms[0].agent.id_number", "11010519491231002x");
    only(f, ESEAL_RULE_IDNUM_CHECK, "bad_shape", "forms[0].agent.id_number");
    sset(f, "forms[0].agent.id_number", "3501021990010112");
    x = only(f, ESEAL_RULE_IDNUM_CHECK, "bad_shape", "forms[0].agent.id_number");
    assert_string_equal(x->value, "350102******0112");

    /* The birth date must be real and not after "now". */
    char id[19];
    idnum(id, "20260101");
    sset(f, "forms[0].agent.id_number", id);
    ok(f);
    idnum(id, "20260102");
    sset(f, "forms[0].agent.id_number", id);
    only(f, ESEAL_RULE_IDNUM_CHECK, "bad_date", "forms[0].agent.id_number");
    idnum(id, "19990229");
    sset(f, "forms[0].agent.id_number", id);
    only(f, ESEAL_RULE_IDNUM_CHECK, "bad_date", "forms[0].agent.id_number");
}

static void test_idnum_person(void **state)
{
    struct fixture *f = *state;
    sset(f, "forms[1].person.id_number", "11010519491231002Y");
    only(f, ESEAL_RULE_IDNUM_CHECK, "bad_shape", "forms[1].person.id_number");
    sset(f, "forms[1].person.id_number", "110105194912310021");
    only(f, ESEAL_RULE_IDNUM_CHECK, "bad_check", "forms[1].person.id_number");
}

/* ---- region_match, channel_match ------------------------------------------------- */

static void test_region_match(void **state)
{
    struct fixture *f = *state;
    single(f);
    sset(f, "forms[0].unit.county", "350203"); /* 思明区, in Xiamen */
    const struct eseal_finding *x =
        only(f, ESEAL_RULE_REGION_MATCH, "county_not_in_city", "forms[0].unit.city");
    assert_string_equal(x->value, "350100");
    assert_string_equal(x->expected, "350200");

    sset(f, "forms[0].unit.county", "350199");
    only(f, ESEAL_RULE_REGION_MATCH, "unknown_county", "forms[0].unit.county");
    sset(f, "forms[0].unit.county", "350402"); /* 梅列区, merged into 三元区 in 2021 */
    only(f, ESEAL_RULE_REGION_MATCH, "unknown_county", "forms[0].unit.county");
    sset(f, "forms[0].unit.county", "350102");
    sset(f, "forms[0].unit.city", "350102"); /* a county is not a city */
    only(f, ESEAL_RULE_REGION_MATCH, "unknown_city", "forms[0].unit.city");
    sset(f, "forms[0].unit.city", "110000");
    only(f, ESEAL_RULE_REGION_MATCH, "unknown_city", "forms[0].unit.city");

    /* A city-level unit names its city as its county. */
    set_unit_region(f, "350100", "350100");
    ok(f);
    /* A province-level unit: 350000 twice, directly. */
    set_unit_region(f, "350000", "350000");
    sset(f, "channel", "direct");
    del(f, "aggregator");
    ok(f);
    sset(f, "forms[0].unit.county", "350102");
    x = only(f, ESEAL_RULE_REGION_MATCH, "county_not_in_city", "forms[0].unit.city");
    assert_string_equal(x->expected, "350100");
}

static void test_region_pingtan_kinmen(void **state)
{
    struct fixture *f = *state;
    single(f);
    /* Pingtan units belong to the zone's own channel. */
    set_unit_region(f, "350128", "350128");
    sset(f, "aggregator", "350128");
    ok(f);
    /* Naming Fuzhou as Pingtan's city (as GB/T 2260 does) is refused. */
    set_unit_region(f, "350100", "350128");
    run(f);
    assert_int_equal(f->res.n_findings, 2);
    const struct eseal_finding *x =
        expect(f, ESEAL_RULE_REGION_MATCH, "county_not_in_city", "applicant.city");
    assert_string_equal(x->expected, "350128");
    expect(f, ESEAL_RULE_REGION_MATCH, "county_not_in_city", "forms[0].unit.city");

    /* 金门县 is a GB/T 2260 code but not served. */
    set_unit_region(f, "350500", "350527");
    sset(f, "aggregator", "350500");
    run(f);
    assert_int_equal(f->res.n_findings, 2);
    expect(f, ESEAL_RULE_REGION_MATCH, "not_served", "applicant.county");
    expect(f, ESEAL_RULE_REGION_MATCH, "not_served", "forms[0].unit.county");
}

static void test_channel_match(void **state)
{
    struct fixture *f = *state;
    single(f);
    sset(f, "channel", "direct");
    del(f, "aggregator");
    const struct eseal_finding *x =
        only(f, ESEAL_RULE_CHANNEL_MATCH, "direct_not_province", "channel");
    assert_string_equal(x->expected, "aggregator");

    sset(f, "channel", "aggregator");
    sset(f, "aggregator", "350200");
    x = only(f, ESEAL_RULE_CHANNEL_MATCH, "wrong_aggregator", "aggregator");
    assert_string_equal(x->value, "350200");
    assert_string_equal(x->expected, "350100");
    sset(f, "aggregator", "350102"); /* a county has no aggregator */
    only(f, ESEAL_RULE_CHANNEL_MATCH, "unknown_aggregator", "aggregator");
    sset(f, "aggregator", "350000");
    only(f, ESEAL_RULE_CHANNEL_MATCH, "unknown_aggregator", "aggregator");
    sset(f, "aggregator", "350128"); /* Pingtan's aggregator does not serve Gulou */
    only(f, ESEAL_RULE_CHANNEL_MATCH, "wrong_aggregator", "aggregator");

    /* A Pingtan unit through Fuzhou's aggregator. */
    set_unit_region(f, "350128", "350128");
    sset(f, "aggregator", "350100");
    x = only(f, ESEAL_RULE_CHANNEL_MATCH, "wrong_aggregator", "aggregator");
    assert_string_equal(x->expected, "350128");

    /* Province-level units submit directly and name no aggregator. */
    set_unit_region(f, "350000", "350000");
    only(f, ESEAL_RULE_CHANNEL_MATCH, "province_not_direct", "channel");
    sset(f, "channel", "direct");
    only(f, ESEAL_RULE_CHANNEL_MATCH, "aggregator_not_allowed", "aggregator");
}

/* ---- materials_present ------------------------------------------------------------ */

static void test_materials_present(void **state)
{
    struct fixture *f = *state;
    f->in.n_materials = 4; /* letter, table, forms; no impressions uploaded */
    run(f);
    assert_int_equal(f->res.n_findings, 2);
    const struct eseal_finding *x =
        expect(f, ESEAL_RULE_MATERIALS_PRESENT, "missing", "forms[0].impression");
    assert_string_equal(x->value, IMP0);
    expect(f, ESEAL_RULE_MATERIALS_PRESENT, "missing", "forms[1].impression");

    f->in.n_materials = f->n_materials;
    sset(f, "forms[0].impression", FORM1); /* held, but as a form */
    x = only(f, ESEAL_RULE_MATERIALS_PRESENT, "wrong_kind", "forms[0].impression");
    assert_string_equal(x->expected, "impression");

    sset(f, "forms[0].impression", IMP0);
    f->materials[0].kind = ESEAL_MATERIAL_JUSTIFICATION; /* the letter, stored as another kind */
    only(f, ESEAL_RULE_MATERIALS_PRESENT, "wrong_kind", "letter.material");
    hold(f, ESEAL_MATERIAL_LETTER, LETTER); /* the same bytes may be held as both */
    ok(f);
}

/* ---- device_csr ------------------------------------------------------------------ */

/* device turns the single form into a device seal whose request is made
 * as |kind| and stored in the real material store. */
/* device makes form 0 a device seal with a request of |kind|: PEM, DER or
 * (|b64|) bare Base64 of the DER, as the guide allows. */
static void device_as(struct fixture *f, enum test_csr kind, bool pem, bool b64)
{
    struct eseal_buf csr;
    eseal_buf_init(&csr);
    make_csr(kind, pem, &csr);
    if (b64) {
        char *text = eseal_base64(csr.data, csr.len, ESEAL_B64_STD);
        eseal_buf_reset(&csr);
        eseal_buf_append_str(&csr, text);
        free(text);
    }
    struct eseal_material_ref ref;
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_CSR, csr.data, csr.len, &ref, NULL, NULL), ESEAL_OK);
    hold(f, ESEAL_MATERIAL_CSR, ref.sm3);
    sset(f, "forms[0].kind", "device");
    sset(f, "forms[0].seal.cert_type", "device");
    sset(f, "forms[0].csr", ref.sm3);
    eseal_buf_cleanup(&csr);
}

static void device(struct fixture *f, enum test_csr kind, bool pem)
{
    device_as(f, kind, pem, false);
}

static void test_device_csr_good(void **state)
{
    struct fixture *f = *state;
    single(f);
    device(f, CSR_GOOD, false);
    ok(f);
    assert_int_equal(f->res.outcome[ESEAL_RULE_DEVICE_CSR], ESEAL_OUTCOME_PASSED);
    device(f, CSR_GOOD, true);
    ok(f);
    device_as(f, CSR_GOOD, false, true); /* bare Base64 */
    ok(f);
    assert_int_equal(f->res.outcome[ESEAL_RULE_DEVICE_CSR], ESEAL_OUTCOME_PASSED);
    device_as(f, CSR_EMPTY_ID, false, true); /* still checked as a request */
    only(f, ESEAL_RULE_DEVICE_CSR, "csr_bad_signature", "forms[0].csr");
}

static void test_device_csr_bad(void **state)
{
    struct fixture *f = *state;
    single(f);
    device(f, CSR_WRONG_KEY, false);
    only(f, ESEAL_RULE_DEVICE_CSR, "csr_bad_signature", "forms[0].csr");
    /* OpenSSL's default empty SM2 ID is not the standard one. */
    device(f, CSR_EMPTY_ID, true);
    only(f, ESEAL_RULE_DEVICE_CSR, "csr_bad_signature", "forms[0].csr");
    device(f, CSR_NOT_SM2, false);
    only(f, ESEAL_RULE_DEVICE_CSR, "csr_not_sm2", "forms[0].csr");

    /* Listed as held but gone from the store. */
    hold(f, ESEAL_MATERIAL_CSR, JUST);
    sset(f, "forms[0].csr", JUST);
    only(f, ESEAL_RULE_DEVICE_CSR, "csr_unreadable", "forms[0].csr");

    del(f, "forms[0].csr");
    only(f, ESEAL_RULE_DEVICE_CSR, "csr_missing", "forms[0].csr");
}

static void test_device_csr_fields(void **state)
{
    struct fixture *f = *state;
    single(f);
    device(f, CSR_GOOD, false);
    sset(f, "forms[0].seal.cert_type", "usb_key");
    const struct eseal_finding *x =
        only(f, ESEAL_RULE_DEVICE_CSR, "cert_type_not_device", "forms[0].seal.cert_type");
    assert_string_equal(x->value, "usb_key");
    /* A request belongs to device seals only. */
    sset(f, "forms[0].kind", "unit");
    only(f, ESEAL_RULE_DEVICE_CSR, "csr_not_allowed", "forms[0].csr");
}

static void test_device_csr_reader(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    single(f);
    device(f, CSR_GOOD, false);
    f->in.read_material = failing_reader;
    assert_int_equal(run_rc(f, &err), ESEAL_E_IO);
    assert_non_null(strstr(err.msg, "disk on fire"));
    assert_int_equal(f->res.n_findings, 0);
    f->in.read_material = NULL;
    assert_int_equal(run_rc(f, &err), ESEAL_E_INVALID);
}

/* ---- summary_table ------------------------------------------------------------- */

static void test_summary_table(void **state)
{
    struct fixture *f = *state;
    json_t *table = json_deep_copy(json_object_get(f->doc, "summary_table"));
    del(f, "summary_table");
    only(f, ESEAL_RULE_SUMMARY_TABLE, "required", "summary_table");
    jset(f->doc, "summary_table", json_deep_copy(table));
    del(f, "summary_table.material");
    only(f, ESEAL_RULE_SUMMARY_TABLE, "required", "summary_table.material");
    sset(f, "summary_table.material", TABLE);

    del(f, "summary_table.rows[1]");
    const struct eseal_finding *x =
        only(f, ESEAL_RULE_SUMMARY_TABLE, "row_count", "summary_table.rows");
    assert_string_equal(x->value, "1");
    assert_string_equal(x->expected, "2");

    jset(f->doc, "summary_table", json_deep_copy(table));
    ok(f);
    /* Only with more than one form. */
    del(f, "forms[1]");
    del(f, "letter.kinds");
    jset(f->doc, "letter.form_count", json_integer(1));
    /* a single form with a table is accepted: the table is only noted */
    x = only(f, ESEAL_RULE_SUMMARY_TABLE, "not_needed", "summary_table");
    assert_int_equal(x->severity, ESEAL_SEVERITY_NOTE);
    assert_int_equal(f->res.verdict, ESEAL_VERDICT_OK);
    assert_int_equal(f->res.outcome[ESEAL_RULE_SUMMARY_TABLE], ESEAL_OUTCOME_PASSED);
    json_t *j = eseal_rules_result_json(&f->res);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "findings"), 0), "severity")),
                        "note");
    json_decref(j);
    json_decref(table);
}

/* Each row agrees with its form field by field. */
static void test_summary_rows(void **state)
{
    struct fixture *f = *state;
    sset(f, "summary_table.rows[1].seal_name", "李四");
    const struct eseal_finding *x =
        only(f, ESEAL_RULE_SUMMARY_TABLE, "row_mismatch", "summary_table.rows[1].seal_name");
    assert_string_equal(x->value, "李四");
    assert_string_equal(x->expected, "张三");
    sset(f, "summary_table.rows[1].seal_name", "张三");

    jset(f->doc, "summary_table.rows[0].width_mm", json_integer(40));
    x = only(f, ESEAL_RULE_SUMMARY_TABLE, "row_mismatch", "summary_table.rows[0].width_mm");
    assert_string_equal(x->value, "40");
    assert_string_equal(x->expected, "42");
    jset(f->doc, "summary_table.rows[0].width_mm", json_integer(42));

    sset(f, "summary_table.rows[0].cert_type", "mobile");
    x = only(f, ESEAL_RULE_SUMMARY_TABLE, "row_mismatch", "summary_table.rows[0].cert_type");
    assert_string_equal(x->expected, "usb_key");
    sset(f, "summary_table.rows[0].cert_type", "usb_key");

    del(f, "summary_table.rows[1].person_name");
    x = only(f, ESEAL_RULE_SUMMARY_TABLE, "row_mismatch", "summary_table.rows[1].person_name");
    assert_string_equal(x->value, "");
    sset(f, "summary_table.rows[1].person_name", "张三");

    /* Rows in another order than the forms do not agree. */
    json_t *rows = json_object_get(json_object_get(f->doc, "summary_table"), "rows");
    json_t *first = json_deep_copy(json_array_get(rows, 0));
    json_array_remove(rows, 0);
    json_array_append_new(rows, first);
    run(f);
    expect(f, ESEAL_RULE_SUMMARY_TABLE, "row_mismatch", "summary_table.rows[0].kind");
    expect(f, ESEAL_RULE_SUMMARY_TABLE, "row_mismatch", "summary_table.rows[1].seal_name");
}

/* ---- letter_matches ------------------------------------------------------------ */

static void test_letter_matches(void **state)
{
    struct fixture *f = *state;
    sset(f, "letter.addressee", "福州市数字办");
    const struct eseal_finding *x =
        only(f, ESEAL_RULE_LETTER_MATCHES, "addressee", "letter.addressee");
    assert_string_equal(x->expected, "福建省经济信息中心");
    /* The operator's accepted names can be configured. */
    const char *names[] = {"福建省经济信息中心（平台运营单位）", "福州市数字办"};
    f->in.operator_names = names;
    f->in.n_operator_names = 2;
    ok(f);
    sset(f, "letter.addressee", "福建省经济信息中心");
    x = only(f, ESEAL_RULE_LETTER_MATCHES, "addressee", "letter.addressee");
    assert_string_equal(x->expected, names[0]);
    f->in.operator_names = NULL;
    f->in.n_operator_names = 0;

    sset(f, "letter.business", "renew");
    x = only(f, ESEAL_RULE_LETTER_MATCHES, "business", "letter.business");
    assert_string_equal(x->value, "renew");
    assert_string_equal(x->expected, "apply");
    sset(f, "letter.business", "apply");
    sset(f, "forms[1].business", "change");
    only(f, ESEAL_RULE_LETTER_MATCHES, "form_business", "forms[1].business");
    sset(f, "forms[1].business", "apply");
}

static void test_letter_counts(void **state)
{
    struct fixture *f = *state;
    jset(f->doc, "letter.form_count", json_integer(3));
    const struct eseal_finding *x =
        only(f, ESEAL_RULE_LETTER_MATCHES, "form_count", "letter.form_count");
    assert_string_equal(x->value, "3");
    assert_string_equal(x->expected, "2");
    jset(f->doc, "letter.form_count", json_integer(2));

    jset(f->doc, "letter.kinds.personal", json_integer(2));
    only(f, ESEAL_RULE_LETTER_MATCHES, "kind_count", "letter.kinds.personal");
    jset(f->doc, "letter.kinds.personal", json_integer(1));
    del(f, "letter.kinds.unit"); /* states no unit seal, the forms hold one */
    x = only(f, ESEAL_RULE_LETTER_MATCHES, "kind_count", "letter.kinds.unit");
    assert_string_equal(x->value, "0");
    assert_string_equal(x->expected, "1");
    jset(f->doc, "letter.kinds.device", json_integer(1));
    run(f);
    assert_int_equal(count(f, ESEAL_RULE_LETTER_MATCHES, "kind_count"), 2);
}

/* ---- applicant_is_stamper ------------------------------------------------------- */

static void test_applicant_is_stamper(void **state)
{
    struct fixture *f = *state;
    single(f);
    sset(f, "forms[0].unit.uscc", OTHER_USCC);
    const struct eseal_finding *x =
        only(f, ESEAL_RULE_APPLICANT_IS_STAMPER, "mismatch", "forms[0].unit.uscc");
    assert_string_equal(x->value, OTHER_USCC);
    assert_string_equal(x->expected, USCC);
    sset(f, "forms[0].unit.uscc", USCC);
    sset(f, "forms[0].unit.name", "福州市鼓楼区另一局");
    only(f, ESEAL_RULE_APPLICANT_IS_STAMPER, "mismatch", "forms[0].unit.name");
}

/* ---- target_seal_state -------------------------------------------------------- */

/* Which business each state allows: nothing on a revoked or expired seal,
 * a suspended one only to reissue or revoke, an uncollected one only to
 * revoke, a good one to anything. */
static void test_target_states(void **state)
{
    struct fixture *f = *state;
    static const char *const biz[] = {"renew", "change", "revoke", "reissue", "unlock"};
    static const struct {
        enum eseal_seal_state st;
        const char *code;    /* the finding when not allowed */
        const char *allowed; /* business keys allowed, space separated */
    } table[] = {
        {ESEAL_SEAL_STATE_GOOD, NULL, "renew change revoke reissue unlock"},
        {ESEAL_SEAL_STATE_PENDING, "pending", "revoke"},
        {ESEAL_SEAL_STATE_SUSPENDED, "suspended", "revoke reissue"},
        {ESEAL_SEAL_STATE_REVOKED, "revoked", ""},
        {ESEAL_SEAL_STATE_EXPIRED, "expired", ""},
    };
    single(f);
    /* A USB KEY seal presented on site, so that only the state decides. */
    f->seals[0].rec.cert_type = ESEAL_CERT_USB_KEY;
    snprintf(f->seals[0].rec.token_id, sizeof(f->seals[0].rec.token_id), "%s", TOKEN);
    f->onsite[0] = (struct eseal_onsite){SEAL, TOKEN};
    for (size_t s = 0; s < sizeof(table) / sizeof(table[0]); s++) {
        f->seals[0].rec.state = table[s].st;
        for (size_t b = 0; b < sizeof(biz) / sizeof(biz[0]); b++) {
            business(f, biz[b], SEAL);
            if (strstr(table[s].allowed, biz[b]) != NULL) {
                ok(f);
                assert_int_equal(f->res.outcome[ESEAL_RULE_TARGET_SEAL_STATE],
                                 ESEAL_OUTCOME_PASSED);
            } else {
                const struct eseal_finding *x =
                    only(f, ESEAL_RULE_TARGET_SEAL_STATE, table[s].code, "forms[0].target");
                assert_string_equal(x->value, eseal_seal_state_name(table[s].st));
            }
        }
    }
}

static void test_target_lookup(void **state)
{
    struct fixture *f = *state;
    single(f);
    business(f, "change", "35010200000099");
    only(f, ESEAL_RULE_TARGET_SEAL_STATE, "not_found", "forms[0].target");
    assert_int_equal(f->lookups, 1);

    /* another unit's seal is answered as if it did not exist: nothing of
     * its unit or state in the finding (#17) */
    sset(f, "forms[0].target", OTHER_SEAL);
    const struct eseal_finding *x =
        only(f, ESEAL_RULE_TARGET_SEAL_STATE, "not_found", "forms[0].target");
    assert_true(x->expected == NULL || strstr(x->expected, OTHER_USCC) == NULL);

    f->lookups = 0;
    const char *bad[] = {"3501020000001", "35010100000001", "35052700000001", "35010200000000",
                         "3501020000000l"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sset(f, "forms[0].target", bad[i]);
        only(f, ESEAL_RULE_TARGET_SEAL_STATE, "bad_esid", "forms[0].target");
    }
    assert_int_equal(f->lookups, 0); /* a malformed code is never looked up */

    /* Unlocking resets a USB KEY's PIN: other seals have none. */
    business(f, "unlock", SEAL);
    x = only(f, ESEAL_RULE_TARGET_SEAL_STATE, "not_usb_key", "forms[0].target");
    assert_string_equal(x->value, "other");
    assert_string_equal(x->expected, "usb_key");

    /* An application for a new seal names none. */
    business(f, "apply", SEAL);
    only(f, ESEAL_RULE_TARGET_SEAL_STATE, "target_on_apply", "forms[0].target");
}

static void test_target_duplicate(void **state)
{
    struct fixture *f = *state;
    const char *paths[] = {"business",
                           "letter.business",
                           "forms[0].business",
                           "forms[1].business",
                           "forms[0].target",
                           "forms[1].target",
                           "summary_table.rows[0].target",
                           "summary_table.rows[1].target"};
    for (size_t i = 0; i < 8; i++)
        sset(f, paths[i], i < 4 ? "change" : SEAL);
    only(f, ESEAL_RULE_TARGET_SEAL_STATE, "duplicate", "forms[1].target");
    assert_int_equal(f->lookups, 1);
}

static void test_target_lookup_errors(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    single(f);
    business(f, "revoke", SEAL);
    f->lookup_fails = ESEAL_E_UNAVAILABLE;
    assert_int_equal(run_rc(f, &err), ESEAL_E_UNAVAILABLE);
    assert_non_null(strstr(err.msg, "seal store unavailable"));
    assert_int_equal(f->res.n_findings, 0);
    f->lookup_fails = ESEAL_OK;
    f->in.lookup_seal = NULL;
    assert_int_equal(run_rc(f, &err), ESEAL_E_INVALID);
}

/* ---- renew_window --------------------------------------------------------------- */

/* Renewal is allowed iff validEnd - 30 days <= now <= validEnd: both ends
 * included, one second outside refused. */
static void test_renew_window(void **state)
{
    struct fixture *f = *state;
    single(f);
    business(f, "renew", SEAL);
    sset(f, "forms[0].seal.cert_type", "other"); /* as the seal was made */
    time_t end = NOW + 10 * DAY;
    f->seals[0].rec.valid_end = end;

    f->in.now = end - 30 * DAY - 1;
    const struct eseal_finding *x =
        only(f, ESEAL_RULE_RENEW_WINDOW, "too_early", "forms[0].target");
    assert_string_equal(x->value, "2025-12-11T23:59:59Z");
    assert_string_equal(x->expected, "2025-12-12T00:00:00Z .. 2026-01-11T00:00:00Z");

    f->in.now = end - 30 * DAY;
    ok(f);
    assert_int_equal(f->res.outcome[ESEAL_RULE_RENEW_WINDOW], ESEAL_OUTCOME_PASSED);
    f->in.now = end - 15 * DAY;
    ok(f);
    f->in.now = end;
    ok(f);
    f->in.now = end + 1;
    x = only(f, ESEAL_RULE_RENEW_WINDOW, "expired", "forms[0].target");
    assert_string_equal(x->value, "2026-01-11T00:00:01Z");

    /* The window is a renewal rule only. */
    f->in.now = end - 300 * DAY;
    business(f, "change", SEAL);
    ok(f);
    assert_int_equal(f->res.outcome[ESEAL_RULE_RENEW_WINDOW], ESEAL_OUTCOME_NOT_APPLICABLE);
}

/* ---- usb_key_on_site -------------------------------------------------------------- */

static void test_usb_key_on_site(void **state)
{
    struct fixture *f = *state;
    static const char *const needs[] = {"renew", "change", "revoke", "unlock"};
    single(f);
    f->seals[0].rec.cert_type = ESEAL_CERT_USB_KEY;
    snprintf(f->seals[0].rec.token_id, sizeof(f->seals[0].rec.token_id), "%s", TOKEN);
    for (size_t b = 0; b < 4; b++) {
        business(f, needs[b], SEAL);
        memset(f->onsite, 0, sizeof(f->onsite));
        const struct eseal_finding *x =
            only(f, ESEAL_RULE_USB_KEY_ON_SITE, "not_presented", "forms[0].target");
        assert_string_equal(x->value, SEAL);

        f->onsite[0] = (struct eseal_onsite){OTHER_SEAL, TOKEN}; /* another seal's record */
        only(f, ESEAL_RULE_USB_KEY_ON_SITE, "not_presented", "forms[0].target");

        f->onsite[1] = (struct eseal_onsite){SEAL, "fedcba9876543210"};
        x = only(f, ESEAL_RULE_USB_KEY_ON_SITE, "token_mismatch", "forms[0].target");
        assert_string_equal(x->value, "fedcba9876543210");
        assert_string_equal(x->expected, TOKEN);

        f->onsite[2] = (struct eseal_onsite){SEAL, TOKEN};
        ok(f);
        assert_int_equal(f->res.outcome[ESEAL_RULE_USB_KEY_ON_SITE], ESEAL_OUTCOME_PASSED);
    }
    /* A lost key cannot be presented: reissue does not need it. */
    memset(f->onsite, 0, sizeof(f->onsite));
    business(f, "reissue", SEAL);
    ok(f);
    assert_int_equal(f->res.outcome[ESEAL_RULE_USB_KEY_ON_SITE], ESEAL_OUTCOME_NOT_APPLICABLE);
    /* Nor do seals bound to other certificates. */
    f->seals[0].rec.cert_type = ESEAL_CERT_MOBILE;
    business(f, "change", SEAL);
    ok(f);
    /* An empty token id presented never matches. */
    f->seals[0].rec.cert_type = ESEAL_CERT_USB_KEY;
    f->seals[0].rec.token_id[0] = '\0';
    f->onsite[0] = (struct eseal_onsite){SEAL, ""};
    only(f, ESEAL_RULE_USB_KEY_ON_SITE, "token_mismatch", "forms[0].target");
}

/* ---- special_case_ack ---------------------------------------------------------- */

static void special(struct fixture *f, size_t form, const char *kase, const char *justification)
{
    json_t *s = json_pack("{s:s}", "case", kase);
    if (justification != NULL)
        json_object_set_new(s, "justification", json_string(justification));
    char path[32];
    snprintf(path, sizeof(path), "forms[%zu].special", form);
    jset(f->doc, path, json_pack("[o]", s));
}

static void test_special_case(void **state)
{
    struct fixture *f = *state;
    single(f);
    hold(f, ESEAL_MATERIAL_JUSTIFICATION, JUST);
    special(f, 0, "keep_impression", JUST);
    const struct eseal_finding *x =
        only(f, ESEAL_RULE_SPECIAL_CASE_ACK, "needs_acknowledgement", "forms[0].special[0].case");
    assert_int_equal(x->severity, ESEAL_SEVERITY_WARNING);
    assert_int_equal(f->res.verdict, ESEAL_VERDICT_NEEDS_ACK);
    assert_string_equal(x->value, "keep_impression");
    f->acks[0] = "special_case_ack";
    assert_int_equal(run(f), ESEAL_VERDICT_OK);
    assert_int_equal(f->res.outcome[ESEAL_RULE_SPECIAL_CASE_ACK], ESEAL_OUTCOME_ACKNOWLEDGED);

    /* Without a justification no acknowledgement is enough. */
    special(f, 0, "keep_impression", NULL);
    assert_int_equal(run(f), ESEAL_VERDICT_REJECTED);
    assert_int_equal(f->res.n_findings, 2);
    expect(f, ESEAL_RULE_SPECIAL_CASE_ACK, "justification_missing",
           "forms[0].special[0].justification");
    special(f, 0, "keep_impression", IMP1); /* held, but as an impression */
    assert_int_equal(run(f), ESEAL_VERDICT_REJECTED);
    expect(f, ESEAL_RULE_MATERIALS_PRESENT, "wrong_kind", "forms[0].special[0].justification");
}

static void test_special_delegation(void **state)
{
    struct fixture *f = *state;
    single(f);
    hold(f, ESEAL_MATERIAL_JUSTIFICATION, JUST);
    f->acks[0] = "special_case_ack";
    special(f, 0, "delegated_use", JUST);
    only(f, ESEAL_RULE_SPECIAL_CASE_ACK, "delegator_missing", "forms[0].special[0].delegator");

    json_t *superior = json_pack("{s:s, s:s, s:s, s:s}", "name", "福州市测试厅", "uscc", OTHER_USCC,
                                 "city", "350100", "county", "350100");
    jset(f->doc, "forms[0].special[0].delegator", json_deep_copy(superior));
    ok(f);
    /* The superior unit's code and division are checked like any unit's. */
    sset(f, "forms[0].special[0].delegator.uscc", "91110000600001760Q");
    f->acks[0] = NULL;
    run(f);
    expect(f, ESEAL_RULE_USCC_CHECK, "bad_check", "forms[0].special[0].delegator.uscc");
    sset(f, "forms[0].special[0].delegator.uscc", USCC);
    f->acks[0] = "special_case_ack";
    only(f, ESEAL_RULE_SPECIAL_CASE_ACK, "delegator_is_self", "forms[0].special[0].delegator");
    sset(f, "forms[0].special[0].delegator.uscc", OTHER_USCC);
    sset(f, "forms[0].special[0].delegator.county", "350203");
    only(f, ESEAL_RULE_REGION_MATCH, "county_not_in_city", "forms[0].special[0].delegator.city");

    special(f, 0, "multi_cert", JUST);
    jset(f->doc, "forms[0].special[0].delegator", superior);
    only(f, ESEAL_RULE_SPECIAL_CASE_ACK, "delegator_not_allowed", "forms[0].special[0].delegator");
}

/* One impression on two forms is one impression bound to two certificates. */
static void test_special_multi_cert(void **state)
{
    struct fixture *f = *state;
    sset(f, "forms[1].impression", IMP0);
    run(f);
    assert_int_equal(f->res.n_findings, 2);
    expect(f, ESEAL_RULE_SPECIAL_CASE_ACK, "undeclared_multi_cert", "forms[0].impression");
    expect(f, ESEAL_RULE_SPECIAL_CASE_ACK, "undeclared_multi_cert", "forms[1].impression");

    hold(f, ESEAL_MATERIAL_JUSTIFICATION, JUST);
    special(f, 0, "multi_cert", JUST);
    special(f, 1, "multi_cert", JUST);
    assert_int_equal(run(f), ESEAL_VERDICT_NEEDS_ACK);
    assert_int_equal(count(f, ESEAL_RULE_SPECIAL_CASE_ACK, "needs_acknowledgement"), 2);
    assert_int_equal(f->res.n_findings, 2);
    f->acks[0] = "special_case_ack";
    assert_int_equal(run(f), ESEAL_VERDICT_OK);
}

/* ---- acknowledgements, names, JSON ------------------------------------------------ */

/* ---- seals named as the guide names them ----------------------------------------- */

/* A form names its seal by the unit's USCC and the seal's exact name; the
 * code is optional and must agree when given. */
static void test_target_by_name(void **state)
{
    struct fixture *f = *state;
    f->in.list_seals = list;
    single(f);
    business(f, "revoke", NULL);
    ok(f); /* no code: found by USCC and name */
    assert_int_equal(f->res.n_targets, 1);
    assert_string_equal(f->res.targets[0], SEAL);
    json_t *j = eseal_rules_result_json(&f->res);
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "targets"), 0)), SEAL);
    json_decref(j);

    sset(f, "forms[0].target", SEAL); /* code and name agree */
    ok(f);
    sset(f, "forms[0].target", OTHER_SEAL); /* they do not */
    const struct eseal_finding *x =
        only(f, ESEAL_RULE_TARGET_SEAL_STATE, "code_name_mismatch", "forms[0].target");
    assert_string_equal(x->expected, SEAL);
    assert_string_equal(f->res.targets[0], "");
    del(f, "forms[0].target");

    /* a seal recorded before names were kept is named by its code */
    f->seals[0].rec.name[0] = '\0';
    only(f, ESEAL_RULE_TARGET_SEAL_STATE, "no_seal_of_this_name", "forms[0].seal.name");
    sset(f, "forms[0].target", SEAL);
    ok(f);
    assert_string_equal(f->res.targets[0], SEAL);
    del(f, "forms[0].target");
    snprintf(f->seals[0].rec.name, sizeof(f->seals[0].rec.name), "%s", "福州市鼓楼区测试局");

    sset(f, "forms[0].seal.name", "福州市鼓楼区测试局财务专用章"); /* no such seal */
    x = only(f, ESEAL_RULE_TARGET_SEAL_STATE, "no_seal_of_this_name", "forms[0].seal.name");
    assert_non_null(strstr(x->expected, "福州市鼓楼区测试局 [" SEAL ", good]"));
    assert_non_null(strstr(x->message_zh, "该单位没有此名称的印章"));
    assert_non_null(strstr(x->message_en, "the unit has no seal of this name"));
    sset(f, "forms[0].seal.name", "福州市鼓楼区测试局");

    /* two seals of the unit with the name: the code tells them apart */
    snprintf(f->seals[1].rec.uscc, sizeof(f->seals[1].rec.uscc), "%s", USCC);
    x = only(f, ESEAL_RULE_TARGET_SEAL_STATE, "ambiguous_name", "forms[0].seal.name");
    assert_non_null(strstr(x->expected, OTHER_SEAL));
    sset(f, "forms[0].target", OTHER_SEAL);
    ok(f);
    assert_string_equal(f->res.targets[0], OTHER_SEAL);
    /* a revoked namesake (a reissued seal's old code) does not count */
    del(f, "forms[0].target");
    f->seals[1].rec.state = ESEAL_SEAL_STATE_REVOKED;
    ok(f);
    assert_string_equal(f->res.targets[0], SEAL);
    f->seals[0].rec.state = ESEAL_SEAL_STATE_REVOKED;
    only(f, ESEAL_RULE_TARGET_SEAL_STATE, "revoked", "forms[0].target");
}

/* A renewal changes only the validity: each field that differs from the
 * seal is named, and the finding says that such changes are 变更. */
static void test_renew_unchanged(void **state)
{
    struct fixture *f = *state;
    f->in.list_seals = list;
    single(f);
    business(f, "renew", NULL);
    sset(f, "forms[0].seal.cert_type", "other");
    f->in.now = NOW + 5 * DAY;
    ok(f);
    assert_int_equal(f->res.outcome[ESEAL_RULE_RENEW_UNCHANGED], ESEAL_OUTCOME_PASSED);
    jset(f->doc, "forms[0].seal.width_mm", json_real(40.5));
    sset(f, "forms[0].seal.function", "finance");
    sset(f, "forms[0].seal.cert_type", "mobile");
    sset(f, "forms[0].impression", IMP1);
    run(f);
    assert_int_equal(f->res.verdict, ESEAL_VERDICT_REJECTED);
    assert_int_equal(count(f, ESEAL_RULE_RENEW_UNCHANGED, "changes_seal"), 4);
    const struct eseal_finding *x =
        expect(f, ESEAL_RULE_RENEW_UNCHANGED, "changes_seal", "forms[0].seal.width_mm");
    assert_string_equal(x->value, "40.5");
    assert_string_equal(x->expected, "42");
    assert_non_null(strstr(x->message_zh, "印章变更"));
    assert_non_null(strstr(x->message_en, "change (变更)"));
    expect(f, ESEAL_RULE_RENEW_UNCHANGED, "changes_seal", "forms[0].seal.function");
    expect(f, ESEAL_RULE_RENEW_UNCHANGED, "changes_seal", "forms[0].seal.cert_type");
    expect(f, ESEAL_RULE_RENEW_UNCHANGED, "changes_seal", "forms[0].impression");
    /* the same form is a fine change (变更) */
    business(f, "change", NULL);
    run(f);
    assert_int_equal(count(f, ESEAL_RULE_RENEW_UNCHANGED, NULL), 0);
    assert_int_equal(f->res.outcome[ESEAL_RULE_RENEW_UNCHANGED], ESEAL_OUTCOME_NOT_APPLICABLE);
}

static void test_acks_and_keys(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    f->acks[0] = "uscc";
    assert_int_equal(run_rc(f, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "\"uscc\" is not a rule key"));
    f->acks[0] = NULL;
    f->in.submission = NULL;
    assert_int_equal(eseal_rules_run(&f->res, &f->in, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_rules_run(&f->res, NULL, &err), ESEAL_E_INVALID);

    static const char *const keys[ESEAL_RULE_COUNT] = {
        "required_fields", "personal_fields", "uscc_check",           "idnum_check",
        "region_match",    "channel_match",   "materials_present",    "device_csr",
        "summary_table",   "letter_matches",  "applicant_is_stamper", "target_seal_state",
        "renew_window",    "usb_key_on_site", "special_case_ack",     "renew_unchanged",
    };
    for (int k = 0; k < ESEAL_RULE_COUNT; k++) {
        const struct eseal_label *l = eseal_rule_label((enum eseal_rule)k);
        assert_string_equal(l->key, keys[k]);
        assert_true(*l->zh != '\0' && *l->en != '\0');
        enum eseal_rule r;
        assert_true(eseal_rule_parse(keys[k], &r));
        assert_int_equal(r, k);
    }
    assert_null(eseal_rule_label(ESEAL_RULE_COUNT));
    enum eseal_rule r;
    assert_false(eseal_rule_parse("Uscc_check", &r));
    assert_false(eseal_rule_parse(NULL, &r));
    assert_string_equal(eseal_seal_state_name(ESEAL_SEAL_STATE_SUSPENDED), "suspended");
}

static void test_result_json(void **state)
{
    struct fixture *f = *state;
    set_all_uscc(f, "91350100M000100Y44");
    run(f);
    json_t *j = eseal_rules_result_json(&f->res);
    assert_string_equal(json_string_value(json_object_get(j, "verdict")), "needs_acknowledgement");
    json_t *rules = json_object_get(j, "rules");
    assert_int_equal(json_array_size(rules), ESEAL_RULE_COUNT);
    json_t *u = json_array_get(rules, ESEAL_RULE_USCC_CHECK);
    assert_string_equal(json_string_value(json_object_get(u, "key")), "uscc_check");
    assert_string_equal(json_string_value(json_object_get(u, "outcome")), "needs_acknowledgement");
    assert_string_equal(json_string_value(json_object_get(json_object_get(u, "title"), "zh")),
                        "统一社会信用代码校验 (GB 32100)");
    json_t *r0 = json_array_get(rules, ESEAL_RULE_RENEW_WINDOW);
    assert_string_equal(json_string_value(json_object_get(r0, "outcome")), "not_applicable");

    json_t *x = json_array_get(json_object_get(j, "findings"), 0);
    assert_string_equal(json_string_value(json_object_get(x, "rule")), "uscc_check");
    assert_string_equal(json_string_value(json_object_get(x, "code")), "bad_check");
    assert_string_equal(json_string_value(json_object_get(x, "severity")), "warning");
    assert_true(json_is_false(json_object_get(x, "acknowledged")));
    assert_string_equal(json_string_value(json_object_get(x, "path")), "applicant.uscc");
    assert_string_equal(json_string_value(json_object_get(x, "expected")), "91350100M000100Y43");
    const char *zh = json_string_value(json_object_get(json_object_get(x, "message"), "zh"));
    const char *en = json_string_value(json_object_get(json_object_get(x, "message"), "en"));
    assert_non_null(strstr(zh, "统一社会信用代码校验位不符合 GB 32100"));
    assert_non_null(
        strstr(zh, "（字段 applicant.uscc；值 “91350100M000100Y44”；应为 “91350100M000100Y43”）"));
    assert_non_null(strstr(en, "(field applicant.uscc; value \"91350100M000100Y44\"; expected "
                               "\"91350100M000100Y43\")"));
    json_decref(j);

    /* A rejected result, and an empty one. */
    del(f, "letter.addressee");
    run(f);
    j = eseal_rules_result_json(&f->res);
    assert_string_equal(json_string_value(json_object_get(j, "verdict")), "rejected");
    x = json_array_get(json_object_get(j, "findings"), 0);
    assert_true(json_is_null(json_object_get(x, "value")));
    json_decref(j);
    eseal_rules_result_cleanup(&f->res);
    j = eseal_rules_result_json(&f->res);
    assert_string_equal(json_string_value(json_object_get(j, "verdict")), "ok");
    assert_int_equal(json_array_size(json_object_get(j, "findings")), 0);
    json_decref(j);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_example_ok),           T(test_required_fields),       T(test_required_mobile),
        T(test_required_by_context),  T(test_personal_fields),       T(test_uscc_check_warning),
        T(test_uscc_check_shape),     T(test_idnum_check),           T(test_idnum_person),
        T(test_region_match),         T(test_region_pingtan_kinmen), T(test_channel_match),
        T(test_materials_present),    T(test_device_csr_good),       T(test_device_csr_bad),
        T(test_device_csr_fields),    T(test_device_csr_reader),     T(test_summary_table),
        T(test_summary_rows),         T(test_letter_matches),        T(test_letter_counts),
        T(test_applicant_is_stamper), T(test_target_states),         T(test_target_lookup),
        T(test_target_duplicate),     T(test_target_lookup_errors),  T(test_renew_window),
        T(test_usb_key_on_site),      T(test_special_case),          T(test_special_delegation),
        T(test_special_multi_cert),   T(test_acks_and_keys),         T(test_target_by_name),
        T(test_renew_unchanged),      T(test_result_json),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
