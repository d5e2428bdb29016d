/* test_workflow.c — the issuance workflow at library level: a real CA in a
 * temporary directory, a real event log and RocksDB store. Every business
 * type end to end, rejection and resubmission, maker != reviewer, scoping,
 * illegal transitions that change nothing, and crash/replay reconciliation
 * (a fault injected between the log commit and the store write). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/ca.h"
#include "eseal/image.h"
#include "eseal/issuer.h"
#include "eseal/json.h"
#include "eseal/log.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "idcheck.h"
#include "staff.h"
#include "testutil.h"
/* the step table is the issuer's own: the walk below reads it */
#include "../../../issuer/internal.h"

#define PASS "correct horse battery staple"
#define UNIT_NAME "福州市鼓楼区测试局"
#define TOKEN "0123456789abcdef"
#define AGENT_ID "350102199001011238"
#define OPERATOR "福建省经济信息中心"
#define REJECT_REASON "印模不清晰 / the impression is blurred"

static char *g_dir, *g_cadir;
static struct eseal_ca *g_ca;
static char g_uscc[19];
static const uint8_t letter_pdf[] = "%PDF-1.4 red-header letter";
static const uint8_t form_pdf[] = "%PDF-1.4 application form";
static const uint8_t impression_png[] = "\x89PNG\r\n\x1a\n impression of the seal";
static const uint8_t intro_pdf[] = "%PDF-1.4 introduction letter";
static const uint8_t idcopy_png[] = "\x89PNG\r\n\x1a\n stamped id copy";
/* a scan of an impression box: a red ring and bar on off-white paper,
 * 160 × 160 (made with the vips command, then dumped as bytes) */
static const uint8_t scan_png[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0xa0, 0x00, 0x00, 0x00, 0xa0, 0x08, 0x02, 0x00, 0x00, 0x00, 0x04, 0xad, 0xf0,
    0x7a, 0x00, 0x00, 0x00, 0x09, 0x70, 0x48, 0x59, 0x73, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x03,
    0xe8, 0x01, 0xb5, 0x7b, 0x52, 0x6b, 0x00, 0x00, 0x02, 0x9b, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda,
    0xed, 0xdd, 0xcb, 0x4d, 0xc5, 0x40, 0x10, 0x04, 0xc0, 0x89, 0x84, 0x33, 0xf9, 0x47, 0x41, 0x10,
    0xc4, 0xc0, 0xc1, 0x11, 0x90, 0x02, 0x12, 0x7e, 0xcf, 0xd3, 0xbd, 0x25, 0xf5, 0x9d, 0x9d, 0x2e,
    0xb1, 0x02, 0x7f, 0xd6, 0x73, 0xfd, 0x7c, 0x4b, 0x71, 0x46, 0x05, 0x80, 0x05, 0xb0, 0x00, 0x16,
    0xc0, 0x02, 0x58, 0x00, 0x0b, 0x60, 0xc0, 0x02, 0x58, 0x00, 0x0b, 0x60, 0x01, 0x2c, 0x80, 0x05,
    0x30, 0x60, 0x01, 0x2c, 0x80, 0x05, 0xb0, 0x00, 0xbe, 0x27, 0x5f, 0x1f, 0x9f, 0x7f, 0x0f, 0xe0,
    0x2a, 0xce, 0x73, 0xc8, 0x07, 0x6a, 0x37, 0xf6, 0x70, 0xed, 0x96, 0x1e, 0xb4, 0xdd, 0xcc, 0xc3,
    0xb5, 0x5b, 0x7a, 0xd0, 0x76, 0x33, 0x0f, 0xda, 0x6e, 0xe6, 0xa1, 0xdb, 0x6d, 0x3c, 0x68, 0xbb,
    0x99, 0x87, 0x6e, 0xb7, 0xf1, 0xa0, 0xed, 0x66, 0x9e, 0x6e, 0xdd, 0x94, 0x05, 0x34, 0x03, 0x2f,
    0x2c, 0xb4, 0xc9, 0x78, 0x0a, 0x68, 0x2d, 0x72, 0x23, 0x70, 0x56, 0x6b, 0xb9, 0xc6, 0x93, 0xa8,
    0x9b, 0xbb, 0xeb, 0x1c, 0x01, 0x5c, 0xf0, 0xef, 0x47, 0xd0, 0x08, 0x93, 0x52, 0x4d, 0xd3, 0xe5,
    0xb6, 0x5a, 0xe0, 0xbe, 0xab, 0xf9, 0xfb, 0x27, 0x9a, 0xe5, 0x5d, 0x14, 0xdf, 0xcd, 0xac, 0x02,
    0xae, 0xbf, 0xaf, 0xbe, 0x76, 0xc0, 0xbd, 0xc0, 0x27, 0x3c, 0x48, 0x54, 0x02, 0x7c, 0xd4, 0xe3,
    0x8c, 0xdb, 0x86, 0x1d, 0xba, 0xdd, 0x23, 0x0f, 0xdd, 0xee, 0xc1, 0x17, 0x01, 0x7b, 0xaf, 0x22,
    0x0c, 0xd8, 0x9b, 0x23, 0x1b, 0x1a, 0x18, 0xba, 0xdd, 0xc6, 0xcf, 0x03, 0xd7, 0xbf, 0xdf, 0x57,
    0x08, 0xec, 0xd7, 0x77, 0x4f, 0x1b, 0x43, 0xb7, 0xdb, 0x78, 0x6c, 0xce, 0xdd, 0x1b, 0xf5, 0xd0,
    0xed, 0x36, 0x06, 0x0c, 0x98, 0x6e, 0x72, 0x45, 0x0f, 0x00, 0x1f, 0xab, 0xfb, 0x48, 0x4b, 0x80,
    0x01, 0xd3, 0x4d, 0x36, 0x06, 0x0c, 0x98, 0x6e, 0xb2, 0x31, 0x60, 0xc0, 0x80, 0x0f, 0x07, 0xa6,
    0xbb, 0xb9, 0x37, 0xc0, 0x80, 0xef, 0x58, 0x28, 0xce, 0xa7, 0xaa, 0x03, 0x0c, 0xd8, 0xfe, 0x9c,
    0xbc, 0x4b, 0x03, 0x06, 0x6c, 0x7f, 0x4e, 0xde, 0xa5, 0x23, 0x81, 0x9b, 0x8e, 0x45, 0x02, 0x0c,
    0x18, 0x30, 0xe0, 0x17, 0x01, 0x3f, 0xd5, 0xcb, 0x69, 0xc0, 0xff, 0xf9, 0xd1, 0x93, 0xf8, 0x17,
    0x56, 0xd9, 0xd1, 0x84, 0x80, 0x01, 0x03, 0x06, 0x0c, 0x18, 0x30, 0x60, 0xc0, 0x80, 0x01, 0x03,
    0x06, 0x0c, 0x18, 0x30, 0x60, 0xc0, 0x80, 0x01, 0x03, 0x06, 0x0c, 0x18, 0x30, 0x60, 0x77, 0x93,
    0x4a, 0xef, 0x26, 0xb9, 0x1f, 0xec, 0x86, 0x3f, 0x60, 0xc0, 0x1e, 0xba, 0x03, 0x0c, 0xd8, 0x73,
    0xd1, 0x9e, 0x8b, 0x06, 0x0c, 0xd8, 0x2e, 0xed, 0xdd, 0x24, 0xc0, 0x80, 0x19, 0x7b, 0x01, 0x5c,
    0x92, 0x80, 0x19, 0x97, 0x9f, 0xd1, 0x01, 0x18, 0x30, 0xe0, 0x70, 0x60, 0xc6, 0x6b, 0xbb, 0x02,
    0x0c, 0x98, 0x71, 0xac, 0x2e, 0x60, 0xc0, 0xaf, 0xb9, 0x4d, 0x4b, 0x37, 0x12, 0x98, 0xf1, 0xc2,
    0x72, 0x00, 0x03, 0x66, 0x9c, 0x5c, 0x8b, 0x2f, 0x9f, 0xed, 0xd2, 0x0d, 0x00, 0x66, 0xbc, 0xaa,
    0x0d, 0x5f, 0x1f, 0xad, 0xdd, 0x9c, 0xb7, 0x00, 0xfb, 0x7e, 0x70, 0x24, 0x30, 0xe3, 0xab, 0xfb,
    0x0b, 0xe0, 0x8c, 0x97, 0xcc, 0xbe, 0x08, 0xb8, 0xc9, 0x78, 0xcf, 0xe0, 0x73, 0xce, 0xa8, 0x07,
    0xea, 0xbe, 0x03, 0xf8, 0x34, 0xe3, 0x6d, 0xc3, 0xce, 0xce, 0xb1, 0x13, 0x99, 0x77, 0xce, 0xb8,
    0x17, 0x38, 0xcb, 0x78, 0xed, 0x80, 0xa3, 0x82, 0xee, 0xd1, 0x66, 0x7f, 0x11, 0x9b, 0x99, 0xf7,
    0x4f, 0x34, 0x1a, 0xe9, 0x9e, 0x65, 0x82, 0x7a, 0xd9, 0xc3, 0x1c, 0x34, 0xc2, 0xc4, 0x15, 0xf4,
    0x2c, 0x73, 0xdc, 0xca, 0x27, 0xb4, 0xa9, 0x37, 0xf7, 0x95, 0xb5, 0xda, 0x15, 0xc0, 0xd7, 0x7d,
    0x67, 0xa9, 0x58, 0xe4, 0x52, 0xe0, 0x7b, 0x1b, 0xbc, 0xb1, 0xc7, 0x88, 0xe3, 0xd3, 0x62, 0x80,
    0xaf, 0x57, 0x1e, 0x8b, 0x94, 0xb2, 0x80, 0x72, 0xe0, 0xeb, 0xb9, 0xa3, 0xaf, 0x12, 0x8f, 0x3e,
    0x8c, 0x04, 0x2e, 0x63, 0xde, 0x53, 0xe9, 0xd4, 0x5c, 0x3d, 0xa0, 0x9b, 0x01, 0x1c, 0xcd, 0xbc,
    0xb0, 0xc9, 0xa5, 0xc0, 0x89, 0xc6, 0x3b, 0x6b, 0xdc, 0x0b, 0x1c, 0xc4, 0xbc, 0xb9, 0xc0, 0xed,
    0xc0, 0xcb, 0x99, 0xf7, 0x57, 0x97, 0x01, 0xbc, 0x4d, 0x3a, 0xa8, 0xb1, 0x30, 0xe0, 0xc7, 0x99,
    0xe3, 0xba, 0x8a, 0x04, 0x7e, 0xbf, 0x74, 0x6e, 0x45, 0xd9, 0xc0, 0x2f, 0xc5, 0xee, 0xa8, 0xa5,
    0x07, 0xd8, 0x7b, 0x15, 0xc7, 0x01, 0x0b, 0x60, 0xc0, 0x02, 0x58, 0x00, 0x0b, 0x60, 0x01, 0x2c,
    0x80, 0x05, 0x30, 0x60, 0x01, 0x2c, 0x80, 0x05, 0xb0, 0x00, 0x16, 0xc0, 0x02, 0x18, 0xb0, 0x00,
    0x16, 0xc0, 0xb2, 0x30, 0xbf, 0x07, 0xed, 0x36, 0x10, 0x0d, 0xb7, 0xa3, 0x13, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

struct fixture {
    char *data;
    struct eseal_issuer *is;
    struct eseal_issuer_config cfg;
    struct eseal_staff_principal agent, agent_other, agg, agg_other, maker, maker2, reviewer,
        reviewer_named_maker, admin;
    char *letter, *form, *impression;
};

static int group_setup(void **state)
{
    (void)state;
    g_dir = tu_tmpdir();
    g_cadir = eseal_path_join(g_dir, "ca");
    struct eseal_err err;
    if (eseal_ca_init(g_cadir, PASS, strlen(PASS), NULL, &err) != ESEAL_OK ||
        eseal_ca_open(&g_ca, g_cadir, &err) != ESEAL_OK ||
        eseal_ca_unlock(g_ca, ESEAL_ISSUER_CA_KEYS, PASS, strlen(PASS), &err) != ESEAL_OK)
        fail_msg("CA: %s", err.msg);
    /* a USCC whose GB 32100 check character is right */
    snprintf(g_uscc, sizeof(g_uscc), "91350100M000100Y4%c",
             eseal_uscc_check_char("91350100M000100Y4"));
    assert_int_equal(eseal_uscc_check(g_uscc), ESEAL_ID_OK);
    setenv("ESEAL_ADMIN_PASSWORD", "admin-password-123", 1);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    eseal_ca_free(g_ca);
    tu_rmtree(g_dir);
    free(g_cadir);
    free(g_dir);
    return 0;
}

static struct eseal_staff_principal principal(const char *name, enum eseal_staff_role role,
                                              const char *unit, const char *city)
{
    struct eseal_staff_principal p;
    memset(&p, 0, sizeof(p));
    snprintf(p.username, sizeof(p.username), "%s", name);
    p.role = role;
    snprintf(p.unit, sizeof(p.unit), "%s", unit != NULL ? unit : "");
    snprintf(p.city, sizeof(p.city), "%s", city != NULL ? city : "");
    return p;
}

static void open_issuer(struct fixture *f)
{
    struct eseal_err err;
    if (eseal_issuer_open(&f->is, &f->cfg, g_ca, NULL, &err) != ESEAL_OK)
        fail_msg("eseal_issuer_open: %s", err.msg);
}

static int setup(void **state)
{
    static int n;
    struct fixture *f = eseal_xcalloc(1, sizeof(*f));
    char name[32];
    snprintf(name, sizeof(name), "data%d", n++);
    f->data = eseal_path_join(g_dir, name);
    eseal_config_defaults(eseal_issuer_options, eseal_issuer_n_options, &f->cfg);
    free(f->cfg.data);
    f->cfg.data = eseal_xstrdup(f->data);
    open_issuer(f);
    f->agent = principal("agent1", ESEAL_ROLE_AGENT, g_uscc, NULL);
    f->agent_other = principal("agent2", ESEAL_ROLE_AGENT, "91110000600001760P", NULL);
    f->agg = principal("agg-fz", ESEAL_ROLE_AGGREGATOR, NULL, "350100");
    f->agg_other = principal("agg-xm", ESEAL_ROLE_AGGREGATOR, NULL, "350200");
    f->maker = principal("maker1", ESEAL_ROLE_MAKER, NULL, NULL);
    f->maker2 = principal("maker2", ESEAL_ROLE_MAKER, NULL, NULL);
    f->reviewer = principal("reviewer1", ESEAL_ROLE_REVIEWER, NULL, NULL);
    f->reviewer_named_maker = principal("maker1", ESEAL_ROLE_REVIEWER, NULL, NULL);
    f->admin = principal("admin", ESEAL_ROLE_ADMIN, NULL, NULL);
    f->letter = eseal_sm3_hex(letter_pdf, sizeof(letter_pdf) - 1);
    f->form = eseal_sm3_hex(form_pdf, sizeof(form_pdf) - 1);
    f->impression = eseal_sm3_hex(impression_png, sizeof(impression_png) - 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    eseal_issuer_close(f->is);
    eseal_config_cleanup(eseal_issuer_options, eseal_issuer_n_options, &f->cfg);
    free(f->data);
    free(f->letter);
    free(f->form);
    free(f->impression);
    free(f);
    return 0;
}

/* ---- helpers --------------------------------------------------------------- */

#define OK(call)                                                                                   \
    do {                                                                                           \
        struct eseal_issuer_problem p_;                                                            \
        eseal_issuer_problem_init(&p_);                                                            \
        struct eseal_issuer_problem *p = &p_;                                                      \
        eseal_rc rc_ = (call);                                                                     \
        if (rc_ != ESEAL_OK)                                                                       \
            fail_msg("%s: %s (%s, field %s)", #call, p_.err.msg, eseal_rc_name(rc_), p_.field);    \
        eseal_issuer_problem_cleanup(&p_);                                                         \
    } while (0)

/* FAILS expects |want| and leaves the problem in |prob| for more checks. */
#define FAILS(want, prob, call)                                                                    \
    do {                                                                                           \
        eseal_issuer_problem_cleanup(prob);                                                        \
        struct eseal_issuer_problem *p = (prob);                                                   \
        eseal_rc rc_ = (call);                                                                     \
        if (rc_ != (want))                                                                         \
            fail_msg("%s: got %s, want %s (%s)", #call, eseal_rc_name(rc_), eseal_rc_name(want),   \
                     (prob)->err.msg);                                                             \
    } while (0)

static json_t *make_doc(struct fixture *f, const char *business, const char *target,
                        const char *seal_name)
{
    json_t *form = json_pack(
        "{s:s,s:s,s:{s:s,s:s,s:s,s:s},s:{s:s,s:s,s:s},s:{s:s,s:i,s:i,s:s,s:s},s:s,s:s}", "business",
        business, "kind", "unit", "unit", "name", UNIT_NAME, "uscc", g_uscc, "city", "350100",
        "county", "350102", "agent", "name", "李四", "mobile", "13800000000", "id_number", AGENT_ID,
        "seal", "name", seal_name, "width_mm", 42, "height_mm", 42, "function", "official",
        "cert_type", "usb_key", "impression", f->impression, "material", f->form);
    if (target != NULL)
        json_object_set_new(form, "target", json_string(target));
    return json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s},s:{s:s,s:s,s:s,s:i,s:{s:i}},s:[o]}",
                     "business", business, "channel", "aggregator", "aggregator", "350100",
                     "applicant", "name", UNIT_NAME, "uscc", g_uscc, "city", "350100", "county",
                     "350102", "letter", "material", f->letter, "addressee", OPERATOR, "business",
                     business, "form_count", 1, "kinds", "unit", 1, "forms", form);
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* state_of returns the submission's state as the admin sees it (static). */
static const char *state_of(struct fixture *f, const char *id)
{
    static char state[32];
    json_t *v = NULL;
    OK(eseal_issuer_submission_get(f->is, &f->admin, id, &v, p));
    snprintf(state, sizeof(state), "%s", jstr(v, "state"));
    json_decref(v);
    return state;
}

static char *make_csr(const char *org, const char *serial)
{
    EVP_PKEY *key = NULL;
    assert_int_equal(eseal_sm2_keygen(&key, NULL), ESEAL_OK);
    X509_REQ *req = X509_REQ_new();
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"CN", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "serialNumber", MBSTRING_UTF8, (const unsigned char *)serial,
                               -1, -1, 0);
    X509_REQ_set_subject_name(req, name);
    X509_REQ_set_pubkey(req, key);
    assert_int_equal(eseal_x509_req_sign(req, key, NULL), ESEAL_OK);
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_REQ(bio, req);
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);
    char *out = eseal_xstrndup(p, (size_t)n);
    BIO_free(bio);
    X509_NAME_free(name);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    return out;
}

/* new_submission creates a submission with its materials as the agent. */
static char *new_submission(struct fixture *f, const char *business, const char *target,
                            const char *seal_name)
{
    json_t *doc = make_doc(f, business, target, seal_name), *v = NULL;
    OK(eseal_issuer_submission_create(f->is, &f->agent, doc, &v, p));
    json_decref(doc);
    char *id = eseal_xstrdup(jstr(v, "id"));
    assert_string_equal(jstr(v, "state"), "draft");
    json_decref(v);
    struct eseal_issuer_upload up[] = {
        {"letter", letter_pdf, sizeof(letter_pdf) - 1, NULL},
        {"form", form_pdf, sizeof(form_pdf) - 1, NULL},
        {"impression", impression_png, sizeof(impression_png) - 1, NULL},
    };
    OK(eseal_issuer_submission_add_materials(f->is, &f->agent, id, up, 3, NULL, p));
    return id;
}

/* to_centre submits as the agent (to the aggregator: collected), then as
 * the aggregator (to the centre). */
static void to_centre(struct fixture *f, const char *id)
{
    OK(eseal_issuer_submission_submit(f->is, &f->agent, id, NULL, p));
    assert_string_equal(state_of(f, id), "collected");
    OK(eseal_issuer_submission_submit(f->is, &f->agg, id, NULL, p));
}

/* to_approved submits, registers (every paper original checked, the key on
 * site when |esid|) and approves. */
static void to_approved(struct fixture *f, const char *id, const char *esid)
{
    to_centre(f, id);
    json_t *body = esid != NULL ? json_pack("{s:[{s:s,s:s}],s:s}", "onsite", "esid", esid,
                                            "token_id", TOKEN, "paper", "all")
                                : json_pack("{s:s}", "paper", "all");
    OK(eseal_issuer_submission_register(f->is, &f->maker, id, body, NULL, p));
    json_decref(body);
    json_t *review = json_pack("{s:s}", "decision", "approve");
    OK(eseal_issuer_submission_review(f->is, &f->reviewer, id, review, NULL, p));
    json_decref(review);
    assert_string_equal(state_of(f, id), "approved");
}

static json_t *produce_body(long days, const char *csr, const char *reason)
{
    json_t *b = json_object();
    if (days > 0)
        json_object_set_new(b, "days", json_integer(days));
    if (reason != NULL)
        json_object_set_new(b, "reason", json_string(reason));
    json_t *form = json_pack("{s:s}", "token_id", TOKEN);
    if (csr != NULL)
        json_object_set_new(form, "csr", json_string(csr));
    json_object_set_new(b, "forms", json_pack("[o]", form));
    return b;
}

static json_t *seal_of(struct fixture *f, const char *esid)
{
    json_t *v = NULL;
    OK(eseal_issuer_seal_get(f->is, &f->maker, esid, &v, p));
    return v;
}

static void handover_ok(struct fixture *f, const char *id)
{
    struct eseal_issuer_handover h = {
        "王五",    "11010519491231002X",  "王五",     "11010519491231002X",
        intro_pdf, sizeof(intro_pdf) - 1, idcopy_png, sizeof(idcopy_png) - 1};
    OK(eseal_issuer_submission_handover(f->is, &f->maker, id, &h, NULL, p));
    assert_string_equal(state_of(f, id), "handed_over");
}

/* apply_seal runs a whole application and returns the new esID (good). */
static char *apply_seal(struct fixture *f, long days)
{
    char *id = new_submission(f, "apply", NULL, UNIT_NAME);
    to_approved(f, id, NULL);
    char *csr = make_csr(UNIT_NAME, g_uscc);
    json_t *body = produce_body(days, csr, NULL), *v = NULL;
    OK(eseal_issuer_submission_produce(f->is, &f->maker, id, body, &v, p));
    json_decref(body);
    free(csr);
    assert_string_equal(jstr(v, "state"), "produced");
    char *esid = eseal_xstrdup(jstr(json_array_get(json_object_get(v, "applications"), 0), "esid"));
    json_decref(v);
    handover_ok(f, id);
    free(id);
    json_t *s = seal_of(f, esid);
    assert_string_equal(jstr(s, "status"), "good");
    json_decref(s);
    return esid;
}

struct types {
    struct eseal_buf text; /* "type,type,..." */
};

static eseal_rc collect(void *ctx, uint64_t seq, const uint8_t *data, size_t len,
                        struct eseal_err *err)
{
    struct types *t = ctx;
    json_t *e = eseal_json_load(data, len);
    assert_non_null(e);
    assert_int_equal(json_integer_value(json_object_get(e, "seq")), seq);
    assert_int_equal(json_integer_value(json_object_get(e, "v")), 1);
    assert_non_null(jstr(json_object_get(e, "actor"), "role"));
    eseal_buf_appendf(&t->text, "%s%s", t->text.len ? "," : "", jstr(e, "type"));
    /* personal data and free text stay out (DESIGN.md §11): no ID number,
     * name or reason in clear, masked or as its SM3 */
    static const char *const secrets[] = {AGENT_ID, "11010519491231002X", "110105********002X",
                                          "王五",   REJECT_REASON,        NULL};
    for (size_t i = 0; secrets[i] != NULL; i++) {
        char *h = eseal_sm3_hex(secrets[i], strlen(secrets[i]));
        if (memmem(data, len, secrets[i], strlen(secrets[i])) != NULL ||
            memmem(data, len, h, strlen(h)) != NULL)
            fail_msg("log entry %llu holds \"%s\" or its SM3: %.*s", (unsigned long long)seq,
                     secrets[i], (int)len, (const char *)data);
        free(h);
    }
    /* the seal's name is kept in the store, not in the log */
    assert_null(memmem(data, len, "\"spec\"", 6));
    json_decref(e);
    (void)err;
    return ESEAL_OK;
}

/* log_types returns the types of entries [from, size) joined by commas. */
static char *log_types(struct fixture *f, uint64_t from)
{
    struct eseal_log *log = eseal_issuer_log(f->is);
    struct types t;
    eseal_buf_init(&t.text);
    eseal_buf_append_str(&t.text, "");
    assert_int_equal(eseal_log_read(log, from, eseal_log_size(log), collect, &t, NULL), ESEAL_OK);
    return (char *)eseal_buf_steal(&t.text, NULL);
}

static void assert_log(struct fixture *f, uint64_t from, const char *want)
{
    char *got = log_types(f, from);
    if (strcmp(got, want) != 0)
        fail_msg("log from %llu:\n got  %s\n want %s", (unsigned long long)from, got, want);
    free(got);
}

/* ---- business types ------------------------------------------------------------ */

static void test_apply_with_rejection(void **state)
{
    struct fixture *f = *state;
    char *id = new_submission(f, "apply", NULL, UNIT_NAME);
    to_centre(f, id);
    OK(eseal_issuer_submission_register(f->is, &f->maker, id, NULL, NULL, p));
    json_t *reject = json_pack("{s:s,s:[s]}", "decision", "reject", "reasons", REJECT_REASON),
           *v = NULL;
    OK(eseal_issuer_submission_review(f->is, &f->reviewer, id, reject, NULL, p));
    json_decref(reject);
    assert_string_equal(state_of(f, id), "rejected");
    /* the agent reads the reasons (from the store: the log has a commitment) */
    OK(eseal_issuer_submission_get(f->is, &f->agent, id, &v, p));
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(v, "rejection"), "reasons"), 0)),
                        REJECT_REASON);
    json_decref(v);
    uint64_t rejected_seq = eseal_log_size(eseal_issuer_log(f->is)) - 1;
    /* the agent rectifies: a new document and resubmits */
    json_t *doc = make_doc(f, "apply", NULL, UNIT_NAME);
    OK(eseal_issuer_submission_update(f->is, &f->agent, id, doc, NULL, p));
    json_decref(doc);
    to_approved(f, id, NULL);
    OK(eseal_issuer_submission_get(f->is, &f->agent, id, &v, p));
    assert_int_equal(json_integer_value(json_object_get(v, "round")), 2);
    assert_string_equal(jstr(v, "business_name"), "印章申请"); /* business.c's name */
    assert_string_equal(jstr(json_object_get(v, "rejection"), "by"), "reviewer1");
    json_decref(v);

    char *csr = make_csr(UNIT_NAME, g_uscc);
    json_t *body = produce_body(0, csr, NULL);
    OK(eseal_issuer_submission_produce(f->is, &f->maker, id, body, &v, p));
    json_decref(body);
    assert_string_equal(jstr(v, "state"), "produced");
    const char *esid = jstr(json_array_get(json_object_get(v, "applications"), 0), "esid");
    assert_string_equal(esid, "35010200000001");
    json_t *s = seal_of(f, esid);
    assert_string_equal(jstr(s, "status"), "pending");
    json_decref(s);

    /* the seal file verifies and carries the impression */
    struct eseal_buf der;
    eseal_buf_init(&der);
    OK(eseal_issuer_seal_file(f->is, &f->agent, esid, ESEAL_ISSUER_SEAL_ESL, &der, p));
    struct eseal_seal *seal = NULL;
    assert_int_equal(eseal_seal_parse(&seal, der.data, der.len, NULL), ESEAL_OK);
    assert_int_equal(eseal_seal_check_maker(seal, NULL), ESEAL_OK);
    const struct eseal_seal_info *info = eseal_seal_info(seal);
    assert_string_equal(info->esid, esid);
    assert_int_equal(info->version, 4);
    assert_int_equal(info->picture_len, sizeof(impression_png) - 1);
    /* default validity: max_days */
    double days = difftime(info->valid_end, info->valid_start) / 86400;
    assert_true(days > 364.9 && days < 365.1);
    eseal_seal_free(seal);

    /* the same file for anyone by esID and version; nothing else */
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    struct eseal_buf pub;
    eseal_buf_init(&pub);
    OK(eseal_issuer_seal_public(f->is, esid, 1, &pub, p));
    assert_int_equal(pub.len, der.len);
    assert_memory_equal(pub.data, der.data, der.len);
    FAILS(ESEAL_E_NOTFOUND, &prob, eseal_issuer_seal_public(f->is, esid, 2, &pub, p));
    FAILS(ESEAL_E_NOTFOUND, &prob, eseal_issuer_seal_public(f->is, esid, 0, &pub, p));
    FAILS(ESEAL_E_NOTFOUND, &prob, eseal_issuer_seal_public(f->is, "35010200000009", 1, &pub, p));
    FAILS(ESEAL_E_NOTFOUND, &prob, eseal_issuer_seal_public(f->is, "3501", 1, &pub, p));
    FAILS(ESEAL_E_NOTFOUND, &prob, eseal_issuer_seal_public(f->is, NULL, 1, &pub, p));
    eseal_buf_cleanup(&pub);
    eseal_buf_cleanup(&der);

    /* the wrong collector: refused, nothing changes */
    uint64_t size = eseal_log_size(eseal_issuer_log(f->is));
    struct eseal_issuer_handover bad = {
        "王五",    "11010519491231002X",  "赵六",     "11010519491231002X",
        intro_pdf, sizeof(intro_pdf) - 1, idcopy_png, sizeof(idcopy_png) - 1};
    FAILS(ESEAL_E_RULE, &prob,
          eseal_issuer_submission_handover(f->is, &f->maker, id, &bad, NULL, p));
    assert_int_equal(eseal_http_status(prob.err.rc), 422);
    assert_string_equal(prob.field, "collector_name");
    bad.letter_name = "王五";
    bad.letter_id_number = "350102199001011238";
    FAILS(ESEAL_E_RULE, &prob,
          eseal_issuer_submission_handover(f->is, &f->maker, id, &bad, NULL, p));
    assert_string_equal(prob.field, "collector_id_number");
    eseal_issuer_problem_cleanup(&prob);
    assert_int_equal(eseal_log_size(eseal_issuer_log(f->is)), size);
    assert_string_equal(state_of(f, id), "produced");

    char *esid_copy = eseal_xstrdup(esid);
    json_decref(v);
    handover_ok(f, id);
    s = seal_of(f, esid_copy);
    assert_string_equal(jstr(s, "status"), "good");
    json_decref(s);
    assert_log(f, 0,
               "submission.created,submission.material_added,submission.material_added,"
               "submission.material_added,submission.collected,submission.submitted,"
               "submission.registered,"
               "submission.rejected,submission.updated,submission.collected,"
               "submission.resubmitted,"
               "submission.registered,submission.approved,seal.issued,application.produced,"
               "seal.activated,application.handed_over");
    /* the maker sees who collected (the store's private record) */
    OK(eseal_issuer_submission_get(f->is, &f->maker, id, &v, p));
    json_t *collector = json_object_get(
        json_object_get(json_array_get(json_object_get(v, "applications"), 0), "handover"),
        "collector");
    assert_string_equal(jstr(collector, "name"), "王五");
    assert_string_equal(jstr(collector, "id_number"), "11010519491231002X");
    json_decref(v);
    /* an admin proves what the entries committed to; nobody else may */
    OK(eseal_issuer_log_prove(f->is, &f->admin, rejected_seq, &v, p));
    assert_true(json_is_true(json_object_get(v, "matches")));
    assert_string_equal(jstr(v, "type"), "submission.rejected");
    assert_string_equal(jstr(v, "commitment"), jstr(v, "recomputed"));
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(v, "record"), "reasons"), 0)),
                        REJECT_REASON);
    json_decref(v);
    uint64_t last = eseal_log_size(eseal_issuer_log(f->is)) - 1;
    OK(eseal_issuer_log_prove(f->is, &f->admin, last, &v, p));
    assert_string_equal(jstr(v, "type"), "application.handed_over");
    collector = json_object_get(json_object_get(v, "record"), "collector");
    assert_string_equal(jstr(collector, "name"), "王五");
    json_decref(v);
    eseal_issuer_problem_init(&prob);
    FAILS(ESEAL_E_DENIED, &prob, eseal_issuer_log_prove(f->is, &f->maker, last, &v, p));
    FAILS(ESEAL_E_NOTFOUND, &prob, eseal_issuer_log_prove(f->is, &f->admin, 0, &v, p));
    FAILS(ESEAL_E_NOTFOUND, &prob, eseal_issuer_log_prove(f->is, &f->admin, last + 1, &v, p));
    eseal_issuer_problem_cleanup(&prob);
    free(esid_copy);
    free(csr);
    free(id);
}

static void test_renew(void **state)
{
    struct fixture *f = *state;
    char *esid = apply_seal(f, 10); /* inside its 30-day renewal window at once */
    uint64_t from = eseal_log_size(eseal_issuer_log(f->is));
    char *id = new_submission(f, "renew", esid, UNIT_NAME);
    to_approved(f, id, esid);
    json_t *body = produce_body(30, NULL, NULL), *v = NULL; /* the same key: the old request */
    OK(eseal_issuer_submission_produce(f->is, &f->maker, id, body, &v, p));
    json_decref(body);
    assert_string_equal(jstr(v, "state"), "done");
    json_decref(v);
    json_t *s = seal_of(f, esid);
    assert_string_equal(jstr(s, "status"), "good");
    assert_int_equal(json_integer_value(json_object_get(s, "version")), 2);
    json_t *v1 = json_array_get(json_object_get(s, "versions"), 0);
    assert_string_equal(jstr(v1, "status"), "revoked");
    assert_string_equal(jstr(v1, "reason"), "superseded");
    json_decref(s);
    assert_log(f, from,
               "submission.created,submission.material_added,submission.material_added,"
               "submission.material_added,submission.collected,submission.submitted,"
               "submission.registered,"
               "submission.approved,seal.revoked,seal.renewed,application.produced");
    free(id);
    free(esid);
}

/* submit_refused submits |id| and expects the rules to refuse it with a
 * finding |code| at |field|. */
static void submit_refused(struct fixture *f, const char *id, const char *code, const char *field)
{
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    FAILS(ESEAL_E_RULE, &prob, eseal_issuer_submission_submit(f->is, &f->agent, id, NULL, p));
    assert_string_equal(prob.field, field);
    char *text = json_dumps(prob.findings, JSON_COMPACT);
    if (strstr(text, code) == NULL)
        fail_msg("no %s in %s", code, text);
    free(text);
    eseal_issuer_problem_cleanup(&prob);
}

/* A renewal names the seal by USCC and name only, as the guide does, and
 * only renews: a form that differs is refused, and the new version is made
 * from what the seal is. */
static void test_renew_by_name_only_renews(void **state)
{
    struct fixture *f = *state;
    char *esid = apply_seal(f, 10);
    json_t *s = seal_of(f, esid);
    json_t *spec = json_object_get(s, "spec");
    assert_string_equal(jstr(spec, "name"), UNIT_NAME);
    assert_int_equal(json_integer_value(json_object_get(spec, "width_mm")), 42);
    json_decref(s);

    char *id = new_submission(f, "renew", NULL, UNIT_NAME "财务专用章"); /* no such seal */
    submit_refused(f, id, "no_seal_of_this_name", "forms[0].seal.name");
    json_t *doc = make_doc(f, "renew", NULL, UNIT_NAME);
    json_t *seal = json_object_get(json_array_get(json_object_get(doc, "forms"), 0), "seal");
    json_object_set_new(seal, "width_mm", json_real(40.5));
    OK(eseal_issuer_submission_update(f->is, &f->agent, id, doc, NULL, p));
    submit_refused(f, id, "changes_seal", "forms[0].seal.width_mm");
    json_object_set_new(seal, "width_mm", json_integer(42));
    OK(eseal_issuer_submission_update(f->is, &f->agent, id, doc, NULL, p));
    json_decref(doc);

    to_approved(f, id, esid);
    json_t *v = NULL;
    OK(eseal_issuer_submission_get(f->is, &f->maker, id, &v, p));
    json_t *targets = json_object_get(json_object_get(v, "check"), "targets");
    assert_string_equal(json_string_value(json_array_get(targets, 0)), esid);
    json_decref(v);
    json_t *body = produce_body(30, NULL, NULL);
    OK(eseal_issuer_submission_produce(f->is, &f->maker, id, body, NULL, p));
    json_decref(body);
    s = seal_of(f, esid);
    assert_int_equal(json_integer_value(json_object_get(s, "version")), 2);
    assert_string_equal(jstr(json_object_get(s, "spec"), "name"), UNIT_NAME);
    json_decref(s);
    struct eseal_buf der;
    eseal_buf_init(&der);
    OK(eseal_issuer_seal_file(f->is, &f->maker, esid, ESEAL_ISSUER_SEAL_ESL, &der, p));
    struct eseal_seal *made = NULL;
    assert_int_equal(eseal_seal_parse(&made, der.data, der.len, NULL), ESEAL_OK);
    assert_string_equal(eseal_seal_info(made)->name, UNIT_NAME);
    assert_int_equal(eseal_seal_info(made)->width_mm, 42);
    eseal_seal_free(made);
    eseal_buf_cleanup(&der);
    free(id);
    free(esid);
}

static void test_renew_outside_window(void **state)
{
    struct fixture *f = *state;
    char *esid = apply_seal(f, 200);
    char *id = new_submission(f, "renew", esid, UNIT_NAME);
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    FAILS(ESEAL_E_RULE, &prob, eseal_issuer_submission_submit(f->is, &f->agent, id, NULL, p));
    assert_int_equal(eseal_http_status(prob.err.rc), 422);
    assert_non_null(prob.findings);
    assert_non_null(strstr(prob.err.msg, "30"));
    eseal_issuer_problem_cleanup(&prob);
    assert_string_equal(state_of(f, id), "draft");
    free(id);
    free(esid);
}

static void test_change(void **state)
{
    struct fixture *f = *state;
    char *esid = apply_seal(f, 0);
    uint64_t from = eseal_log_size(eseal_issuer_log(f->is));
    char *id = new_submission(f, "change", esid, UNIT_NAME "合同专用章");
    to_approved(f, id, esid);
    json_t *body = produce_body(0, NULL, NULL);
    OK(eseal_issuer_submission_produce(f->is, &f->maker, id, body, NULL, p));
    json_decref(body);
    assert_string_equal(state_of(f, id), "done");
    struct eseal_buf der;
    eseal_buf_init(&der);
    OK(eseal_issuer_seal_file(f->is, &f->maker, esid, ESEAL_ISSUER_SEAL_ESL, &der, p));
    struct eseal_seal *seal = NULL;
    assert_int_equal(eseal_seal_parse(&seal, der.data, der.len, NULL), ESEAL_OK);
    assert_string_equal(eseal_seal_info(seal)->name, UNIT_NAME "合同专用章");
    eseal_seal_free(seal);
    eseal_buf_cleanup(&der);
    assert_log(f, from + 8, "seal.revoked,seal.changed,application.produced");
    free(id);
    free(esid);
}

static void test_revoke(void **state)
{
    struct fixture *f = *state;
    char *esid = apply_seal(f, 0);
    char *id = new_submission(f, "revoke", esid, UNIT_NAME);
    to_approved(f, id, esid);
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    json_t *body = json_object();
    FAILS(ESEAL_E_INVALID, &prob,
          eseal_issuer_submission_produce(f->is, &f->maker, id, body, NULL, p));
    assert_string_equal(prob.field, "reason");
    json_object_set_new(body, "reason", json_string("unitMerged"));
    FAILS(ESEAL_E_INVALID, &prob,
          eseal_issuer_submission_produce(f->is, &f->maker, id, body, NULL, p));
    eseal_issuer_problem_cleanup(&prob);
    json_object_set_new(body, "reason", json_string("cessationOfOperation"));
    uint64_t from = eseal_log_size(eseal_issuer_log(f->is));
    OK(eseal_issuer_submission_produce(f->is, &f->maker, id, body, NULL, p));
    json_decref(body);
    assert_string_equal(state_of(f, id), "done");
    json_t *s = seal_of(f, esid);
    assert_string_equal(jstr(s, "status"), "revoked");
    json_t *cur = json_array_get(json_object_get(s, "versions"), 0);
    assert_string_equal(jstr(cur, "reason"), "cessationOfOperation");
    assert_non_null(jstr(cur, "revoked_at"));
    json_decref(s);
    assert_log(f, from, "seal.revoked,application.produced");
    free(id);
    free(esid);
}

static void test_reissue_after_loss(void **state)
{
    struct fixture *f = *state;
    char *esid = apply_seal(f, 0);
    json_t *v = NULL;
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    /* A reviewer reports no loss (the holder and the maker do: test_loss_report). */
    FAILS(ESEAL_E_DENIED, &prob,
          eseal_issuer_seal_suspend(f->is, &f->reviewer, esid, NULL, NULL, p));
    OK(eseal_issuer_seal_suspend(f->is, &f->maker, esid, NULL, &v, p));
    assert_string_equal(jstr(v, "status"), "suspended");
    json_decref(v);
    FAILS(ESEAL_E_CONFLICT, &prob,
          eseal_issuer_seal_suspend(f->is, &f->maker, esid, NULL, NULL, p));
    FAILS(ESEAL_E_DENIED, &prob,
          eseal_issuer_seal_suspend(f->is, &f->reviewer, esid, NULL, NULL, p));
    char *id = new_submission(f, "reissue", esid, UNIT_NAME);
    to_approved(f, id, NULL);
    /* the lost key's request is refused: it is compromised */
    json_t *body = produce_body(0, NULL, NULL);
    FAILS(ESEAL_E_INVALID, &prob,
          eseal_issuer_submission_produce(f->is, &f->maker, id, body, NULL, p));
    assert_string_equal(prob.field, "forms[0].csr");
    json_decref(body);
    /* a request for another unit is refused */
    char *wrong = make_csr("别的单位", g_uscc);
    body = produce_body(0, wrong, NULL);
    FAILS(ESEAL_E_RULE, &prob,
          eseal_issuer_submission_produce(f->is, &f->maker, id, body, NULL, p));
    assert_int_equal(eseal_http_status(prob.err.rc), 422);
    json_decref(body);
    free(wrong);
    eseal_issuer_problem_cleanup(&prob);
    uint64_t from = eseal_log_size(eseal_issuer_log(f->is));
    char *csr = make_csr(UNIT_NAME, g_uscc);
    body = produce_body(0, csr, NULL);
    OK(eseal_issuer_submission_produce(f->is, &f->maker, id, body, &v, p));
    json_decref(body);
    free(csr);
    const char *fresh = jstr(json_array_get(json_object_get(v, "applications"), 0), "esid");
    assert_string_equal(fresh, "35010200000002");
    json_t *old = seal_of(f, esid);
    assert_string_equal(jstr(old, "status"), "revoked");
    assert_string_equal(jstr(json_array_get(json_object_get(old, "versions"), 0), "reason"),
                        "keyCompromise");
    assert_string_equal(jstr(old, "replaced_by"), fresh);
    json_decref(old);
    json_t *nw = seal_of(f, fresh);
    assert_string_equal(jstr(nw, "status"), "pending");
    assert_string_equal(jstr(nw, "replaces"), esid);
    json_decref(nw);
    json_decref(v);
    handover_ok(f, id);
    assert_log(f, from,
               "seal.revoked,seal.reissued,application.produced,seal.activated,"
               "application.handed_over");
    free(id);
    free(esid);
}

static void test_unlock(void **state)
{
    struct fixture *f = *state;
    char *esid = apply_seal(f, 0);
    char *id = new_submission(f, "unlock", esid, UNIT_NAME);
    to_approved(f, id, esid);
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    json_t *body = produce_body(0, NULL, NULL);
    FAILS(ESEAL_E_INVALID, &prob,
          eseal_issuer_submission_produce(f->is, &f->maker, id, body, NULL, p));
    assert_string_equal(prob.field, "forms[0].counter");
    eseal_issuer_problem_cleanup(&prob);
    json_object_set_new(json_array_get(json_object_get(body, "forms"), 0), "counter",
                        json_integer(0));
    uint64_t from = eseal_log_size(eseal_issuer_log(f->is));
    json_t *v = NULL;
    OK(eseal_issuer_submission_produce(f->is, &f->maker, id, body, &v, p));
    json_decref(body);
    assert_string_equal(jstr(v, "state"), "done");
    const char *pem =
        jstr(json_array_get(json_object_get(v, "applications"), 0), "unlock_code_pem");
    assert_non_null(pem);
    assert_non_null(strstr(pem, "-----BEGIN ESEAL UNLOCK CODE-----"));
    json_decref(v);
    /* reviewers do not get the code */
    OK(eseal_issuer_submission_get(f->is, &f->reviewer, id, &v, p));
    assert_null(jstr(json_array_get(json_object_get(v, "applications"), 0), "unlock_code_pem"));
    json_decref(v);
    assert_log(f, from, "token.unlocked,application.produced");
    free(id);
    free(esid);
}

/* ---- roles, scope, transitions ------------------------------------------------------ */

static void test_maker_is_not_reviewer(void **state)
{
    struct fixture *f = *state;
    char *id = new_submission(f, "apply", NULL, UNIT_NAME);
    to_centre(f, id);
    json_t *all = json_pack("{s:s}", "paper", "all");
    OK(eseal_issuer_submission_register(f->is, &f->maker, id, all, NULL, p));
    json_decref(all);
    json_t *approve = json_pack("{s:s}", "decision", "approve");
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    FAILS(ESEAL_E_DENIED, &prob,
          eseal_issuer_submission_review(f->is, &f->reviewer_named_maker, id, approve, NULL, p));
    assert_non_null(strstr(prob.err.msg, "maker != reviewer"));
    FAILS(ESEAL_E_DENIED, &prob,
          eseal_issuer_submission_review(f->is, &f->maker, id, approve, NULL, p));
    FAILS(ESEAL_E_DENIED, &prob,
          eseal_issuer_submission_review(f->is, &f->maker2, id, approve, NULL, p));
    FAILS(ESEAL_E_DENIED, &prob,
          eseal_issuer_submission_review(f->is, &f->admin, id, approve, NULL, p));
    eseal_issuer_problem_cleanup(&prob);
    assert_string_equal(state_of(f, id), "registered");
    OK(eseal_issuer_submission_review(f->is, &f->reviewer, id, approve, NULL, p));
    json_decref(approve);
    free(id);
}

static void test_scope(void **state)
{
    struct fixture *f = *state;
    char *id = new_submission(f, "apply", NULL, UNIT_NAME);
    json_t *v = NULL;
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    OK(eseal_issuer_submission_get(f->is, &f->agg, id, &v, p));
    json_decref(v);
    FAILS(ESEAL_E_NOTFOUND, &prob, eseal_issuer_submission_get(f->is, &f->agent_other, id, &v, p));
    FAILS(ESEAL_E_NOTFOUND, &prob, eseal_issuer_submission_get(f->is, &f->agg_other, id, &v, p));
    FAILS(ESEAL_E_NOTFOUND, &prob,
          eseal_issuer_submission_submit(f->is, &f->agg_other, id, NULL, p));
    /* lists are filtered */
    OK(eseal_issuer_submission_list(f->is, &f->agent_other, NULL, &v, p));
    assert_int_equal(json_array_size(json_object_get(v, "submissions")), 0);
    json_decref(v);
    OK(eseal_issuer_submission_list(f->is, &f->agg, "draft", &v, p));
    assert_int_equal(json_array_size(json_object_get(v, "submissions")), 1);
    json_decref(v);
    /* filing for another unit or city is refused */
    json_t *doc = make_doc(f, "apply", NULL, UNIT_NAME);
    FAILS(ESEAL_E_DENIED, &prob,
          eseal_issuer_submission_create(f->is, &f->agent_other, doc, NULL, p));
    assert_string_equal(prob.field, "applicant.uscc");
    FAILS(ESEAL_E_DENIED, &prob,
          eseal_issuer_submission_create(f->is, &f->agg_other, doc, NULL, p));
    FAILS(ESEAL_E_DENIED, &prob, eseal_issuer_submission_create(f->is, &f->maker, doc, NULL, p));
    OK(eseal_issuer_submission_create(f->is, &f->agg, doc, NULL, p));
    json_decref(doc);
    /* the audit trail is the admin's */
    FAILS(ESEAL_E_DENIED, &prob, eseal_issuer_submission_audit(f->is, &f->maker, id, &v, p));
    eseal_issuer_problem_cleanup(&prob);
    OK(eseal_issuer_submission_audit(f->is, &f->admin, id, &v, p));
    assert_int_equal(json_array_size(json_object_get(v, "entries")), 4);
    assert_string_equal(jstr(json_array_get(json_object_get(v, "entries"), 0), "type"),
                        "submission.created");
    json_decref(v);
    free(id);
}

static void test_illegal_transitions_change_nothing(void **state)
{
    struct fixture *f = *state;
    char *id = new_submission(f, "apply", NULL, UNIT_NAME);
    struct eseal_log *log = eseal_issuer_log(f->is);
    uint64_t size = eseal_log_size(log);
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    json_t *approve = json_pack("{s:s}", "decision", "approve");
    FAILS(ESEAL_E_CONFLICT, &prob,
          eseal_issuer_submission_register(f->is, &f->maker, id, NULL, NULL, p));
    FAILS(ESEAL_E_CONFLICT, &prob,
          eseal_issuer_submission_review(f->is, &f->reviewer, id, approve, NULL, p));
    FAILS(ESEAL_E_CONFLICT, &prob,
          eseal_issuer_submission_produce(f->is, &f->maker, id, NULL, NULL, p));
    OK(eseal_issuer_submission_submit(f->is, &f->agent, id, NULL, p));
    size = eseal_log_size(log);
    FAILS(ESEAL_E_CONFLICT, &prob, eseal_issuer_submission_submit(f->is, &f->agent, id, NULL, p));
    FAILS(ESEAL_E_CONFLICT, &prob,
          eseal_issuer_submission_add_materials(
              f->is, &f->agent, id,
              &(struct eseal_issuer_upload){"letter", letter_pdf, sizeof(letter_pdf) - 1, NULL}, 1,
              NULL, p));
    json_t *doc = make_doc(f, "apply", NULL, UNIT_NAME);
    FAILS(ESEAL_E_CONFLICT, &prob,
          eseal_issuer_submission_update(f->is, &f->agent, id, doc, NULL, p));
    json_decref(doc);
    struct eseal_issuer_handover h = {
        "王五",    "11010519491231002X",  "王五",     "11010519491231002X",
        intro_pdf, sizeof(intro_pdf) - 1, idcopy_png, sizeof(idcopy_png) - 1};
    FAILS(ESEAL_E_CONFLICT, &prob,
          eseal_issuer_submission_handover(f->is, &f->maker, id, &h, NULL, p));
    /* bad input: unknown fields, wrong types, missing reasons */
    json_t *bad = json_pack("{s:s,s:b}", "decision", "approve", "extra", 1);
    FAILS(ESEAL_E_CONFLICT, &prob,
          eseal_issuer_submission_register(f->is, &f->maker, id, NULL, NULL, p));
    OK(eseal_issuer_submission_submit(f->is, &f->agg, id, NULL, p));
    json_t *all = json_pack("{s:s}", "paper", "all");
    OK(eseal_issuer_submission_register(f->is, &f->maker, id, all, NULL, p));
    json_decref(all);
    size = eseal_log_size(log);
    FAILS(ESEAL_E_INVALID, &prob,
          eseal_issuer_submission_review(f->is, &f->reviewer, id, bad, NULL, p));
    assert_string_equal(prob.field, "extra");
    json_decref(bad);
    bad = json_pack("{s:s}", "decision", "reject");
    FAILS(ESEAL_E_INVALID, &prob,
          eseal_issuer_submission_review(f->is, &f->reviewer, id, bad, NULL, p));
    assert_string_equal(prob.field, "reasons");
    json_decref(bad);
    bad = json_pack("{s:i}", "decision", 1);
    FAILS(ESEAL_E_INVALID, &prob,
          eseal_issuer_submission_review(f->is, &f->reviewer, id, bad, NULL, p));
    json_decref(bad);
    bad = json_pack("{s:s,s:[s]}", "decision", "approve", "acknowledge", "no_such_rule");
    FAILS(ESEAL_E_INVALID, &prob,
          eseal_issuer_submission_review(f->is, &f->reviewer, id, bad, NULL, p));
    json_decref(bad);
    assert_int_equal(eseal_log_size(log), size);
    assert_string_equal(state_of(f, id), "registered");
    OK(eseal_issuer_submission_review(f->is, &f->reviewer, id, approve, NULL, p));
    /* produce: days out of bounds */
    bad = json_pack("{s:i}", "days", 366);
    FAILS(ESEAL_E_INVALID, &prob,
          eseal_issuer_submission_produce(f->is, &f->maker, id, bad, NULL, p));
    assert_string_equal(prob.field, "days");
    json_decref(bad);
    /* a USB KEY seal needs the token id */
    char *csr = make_csr(UNIT_NAME, g_uscc);
    bad = json_pack("{s:[{s:s}]}", "forms", "csr", csr);
    FAILS(ESEAL_E_INVALID, &prob,
          eseal_issuer_submission_produce(f->is, &f->maker, id, bad, NULL, p));
    assert_string_equal(prob.field, "forms[0].token_id");
    json_decref(bad);
    free(csr);
    eseal_issuer_problem_cleanup(&prob);
    json_decref(approve);
    assert_string_equal(state_of(f, id), "approved");
    free(id);
}

/* ---- every (state, step) pair of the table ----------------------------------------- */

/* The legal pairs as docs/issuer-domain.md states them, written out apart
 * from the table so that a change to the table shows up here. */
static const struct {
    const char *step;
    unsigned from;
} legal_pairs[] = {
    {"update", WF_FROM(WF_DRAFT) | WF_FROM(WF_REJECTED)},
    {"materials", WF_FROM(WF_DRAFT) | WF_FROM(WF_REJECTED)},
    {"submit", WF_FROM(WF_DRAFT) | WF_FROM(WF_REJECTED) | WF_FROM(WF_COLLECTED)},
    {"register", WF_FROM(WF_SUBMITTED)},
    {"review", WF_FROM(WF_REGISTERED)},
    {"produce", WF_FROM(WF_APPROVED)},
    {"handover", WF_FROM(WF_PRODUCED)},
    {"impression", WF_FROM(WF_REGISTERED) | WF_FROM(WF_APPROVED)},
    {"picture_accept", WF_FROM(WF_REGISTERED) | WF_FROM(WF_APPROVED)},
};

/* in_state returns a new submission in state |s|; the done one revokes
 * the seal *esid (made on first use). */
static char *in_state(struct fixture *f, enum wf_state s, char **esid)
{
    if (s == WF_DONE) {
        if (*esid == NULL)
            *esid = apply_seal(f, 0);
        char *id = new_submission(f, "revoke", *esid, UNIT_NAME);
        to_approved(f, id, *esid);
        json_t *body = json_pack("{s:s}", "reason", "cessationOfOperation");
        OK(eseal_issuer_submission_produce(f->is, &f->maker, id, body, NULL, p));
        json_decref(body);
        return id;
    }
    char *id = new_submission(f, "apply", NULL, UNIT_NAME);
    if (s == WF_DRAFT)
        return id;
    OK(eseal_issuer_submission_submit(f->is, &f->agent, id, NULL, p));
    if (s == WF_COLLECTED)
        return id;
    OK(eseal_issuer_submission_submit(f->is, &f->agg, id, NULL, p));
    if (s == WF_SUBMITTED)
        return id;
    json_t *all = json_pack("{s:s}", "paper", "all");
    OK(eseal_issuer_submission_register(f->is, &f->maker, id, all, NULL, p));
    json_decref(all);
    json_t *review = s == WF_REJECTED ? json_pack("{s:s,s:[s]}", "decision", "reject", "reasons",
                                                  "印模不清晰 / the impression is blurred")
                                      : json_pack("{s:s}", "decision", "approve");
    if (s != WF_REGISTERED)
        OK(eseal_issuer_submission_review(f->is, &f->reviewer, id, review, NULL, p));
    json_decref(review);
    if (s == WF_REGISTERED || s == WF_REJECTED || s == WF_APPROVED)
        return id;
    char *csr = make_csr(UNIT_NAME, g_uscc);
    json_t *body = produce_body(0, csr, NULL);
    OK(eseal_issuer_submission_produce(f->is, &f->maker, id, body, NULL, p));
    json_decref(body);
    free(csr);
    if (s == WF_HANDED_OVER)
        handover_ok(f, id);
    return id;
}

/* take_step takes |step| on |id| with input that is valid for it, as a
 * role that may take it. */
static eseal_rc take_step(struct fixture *f, const char *step, const char *id,
                          struct eseal_issuer_problem *p)
{
    eseal_rc rc = ESEAL_E_INTERNAL;
    json_t *body = NULL;
    char *csr = NULL;
    if (strcmp(step, "update") == 0) {
        body = make_doc(f, "apply", NULL, UNIT_NAME);
        rc = eseal_issuer_submission_update(f->is, &f->agent, id, body, NULL, p);
    } else if (strcmp(step, "materials") == 0) {
        struct eseal_issuer_upload up = {"letter", letter_pdf, sizeof(letter_pdf) - 1, NULL};
        rc = eseal_issuer_submission_add_materials(f->is, &f->agent, id, &up, 1, NULL, p);
    } else if (strcmp(step, "submit") == 0) {
        /* the aggregator's: it submits from every state it may (the agent's
         * own goes to the aggregator, not from collected) */
        rc = eseal_issuer_submission_submit(f->is, &f->agg, id, NULL, p);
    } else if (strcmp(step, "register") == 0) {
        body = json_pack("{s:s}", "paper", "all");
        rc = eseal_issuer_submission_register(f->is, &f->maker, id, body, NULL, p);
    } else if (strcmp(step, "review") == 0) {
        body = json_pack("{s:s}", "decision", "approve");
        rc = eseal_issuer_submission_review(f->is, &f->reviewer, id, body, NULL, p);
    } else if (strcmp(step, "produce") == 0) {
        csr = make_csr(UNIT_NAME, g_uscc);
        body = produce_body(0, csr, NULL);
        rc = eseal_issuer_submission_produce(f->is, &f->maker, id, body, NULL, p);
    } else if (strcmp(step, "handover") == 0) {
        struct eseal_issuer_handover h = {
            "王五",    "11010519491231002X",  "王五",     "11010519491231002X",
            intro_pdf, sizeof(intro_pdf) - 1, idcopy_png, sizeof(idcopy_png) - 1};
        rc = eseal_issuer_submission_handover(f->is, &f->maker, id, &h, NULL, p);
    } else if (strcmp(step, "impression") == 0 || strcmp(step, "picture_accept") == 0) {
        struct eseal_issuer_impression in = {0, -1, 0, scan_png, sizeof(scan_png)};
        json_t *v = NULL;
        rc = eseal_issuer_submission_impression(f->is, &f->maker, id, &in, &v, p);
        if (rc == ESEAL_OK && strcmp(step, "picture_accept") == 0) {
            body = json_pack("{s:i,s:s}", "form", 0, "sm3", jstr(v, "sm3"));
            rc = eseal_issuer_submission_picture_accept(f->is, &f->maker, id, body, NULL, p);
        }
        json_decref(v);
    } else {
        fail_msg("no input for step %s: add it to take_step", step);
    }
    json_decref(body);
    free(csr);
    return rc;
}

/* The maker processes the impression scan, accepts the picture, and
 * production puts that picture (not the uploaded impression) into the seal;
 * the refusals: not a maker, wrong state, bad form, a picture of no form. */
static void test_impression_picture(void **state)
{
    struct fixture *f = *state;
    char *id = new_submission(f, "apply", NULL, UNIT_NAME);
    struct eseal_issuer_impression in = {0, -1, 0, scan_png, sizeof(scan_png)};
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    json_t *v = NULL;
    /* a draft: not yet */
    assert_int_equal(eseal_issuer_submission_impression(f->is, &f->maker, id, &in, &v, &prob),
                     ESEAL_E_CONFLICT);
    eseal_issuer_problem_cleanup(&prob);
    to_approved(f, id, NULL);
    /* the reviewer may not; a form the submission lacks; a bad scan */
    assert_int_equal(eseal_issuer_submission_impression(f->is, &f->reviewer, id, &in, &v, &prob),
                     ESEAL_E_DENIED);
    eseal_issuer_problem_cleanup(&prob);
    in.form = 1;
    assert_int_equal(eseal_issuer_submission_impression(f->is, &f->maker, id, &in, &v, &prob),
                     ESEAL_E_INVALID);
    assert_string_equal(prob.field, "form");
    eseal_issuer_problem_cleanup(&prob);
    in.form = 0;
    in.scan = impression_png;
    in.scan_len = sizeof(impression_png) - 1;
    assert_int_equal(eseal_issuer_submission_impression(f->is, &f->maker, id, &in, &v, &prob),
                     ESEAL_E_INVALID);
    assert_string_equal(prob.field, "scan");
    eseal_issuer_problem_cleanup(&prob);
    in.scan = scan_png;
    in.scan_len = sizeof(scan_png);
    in.dpi = 150;
    OK(eseal_issuer_submission_impression(f->is, &f->maker, id, &in, &v, p));
    assert_int_equal(json_integer_value(json_object_get(v, "dpi")), 150);
    assert_int_equal(json_integer_value(json_object_get(v, "width_px")),
                     eseal_image_px(json_number_value(json_object_get(v, "width_mm")), 150));
    char *pic = eseal_xstrdup(jstr(v, "sm3"));
    json_decref(v);
    /* both are downloadable; the picture is a PNG */
    struct eseal_buf png, scan;
    eseal_buf_init(&png);
    eseal_buf_init(&scan);
    const char *type = NULL, *kind = NULL;
    OK(eseal_issuer_submission_material(f->is, &f->maker, id, pic, &png, &type, &kind, p));
    assert_string_equal(kind, "picture");
    assert_string_equal(type, "image/png");
    char *scan_sm3 = eseal_sm3_hex(scan_png, sizeof(scan_png));
    OK(eseal_issuer_submission_material(f->is, &f->maker, id, scan_sm3, &scan, &type, &kind, p));
    assert_string_equal(kind, "impression_scan");
    assert_int_equal(scan.len, sizeof(scan_png));

    /* accepting: only a picture processed for that form */
    json_t *body = json_pack("{s:i,s:s}", "form", 0, "sm3", scan_sm3);
    assert_int_equal(
        eseal_issuer_submission_picture_accept(f->is, &f->maker, id, body, NULL, &prob),
        ESEAL_E_INVALID);
    eseal_issuer_problem_cleanup(&prob);
    json_decref(body);
    body = json_pack("{s:i,s:s}", "form", 0, "sm3", pic);
    OK(eseal_issuer_submission_picture_accept(f->is, &f->maker, id, body, &v, p));
    json_decref(body);
    json_t *acc = json_array_get(json_object_get(v, "forms_pictures"), 0);
    assert_string_equal(jstr(acc, "sm3"), pic);
    assert_string_equal(jstr(acc, "scan_sm3"), scan_sm3);
    json_decref(v);

    char *csr = make_csr(UNIT_NAME, g_uscc);
    body = produce_body(0, csr, NULL);
    OK(eseal_issuer_submission_produce(f->is, &f->maker, id, body, &v, p));
    json_decref(body);
    free(csr);
    const char *esid = jstr(json_array_get(json_object_get(v, "applications"), 0), "esid");
    struct eseal_buf der;
    eseal_buf_init(&der);
    OK(eseal_issuer_seal_file(f->is, &f->agent, esid, ESEAL_ISSUER_SEAL_ESL, &der, p));
    json_decref(v);
    struct eseal_seal *seal = NULL;
    assert_int_equal(eseal_seal_parse(&seal, der.data, der.len, NULL), ESEAL_OK);
    const struct eseal_seal_info *info = eseal_seal_info(seal);
    assert_int_equal(info->picture_len, png.len);
    assert_memory_equal(info->picture, png.data, png.len);
    eseal_seal_free(seal);
    /* and after production, no more processing */
    assert_int_equal(eseal_issuer_submission_impression(f->is, &f->maker, id, &in, &v, &prob),
                     ESEAL_E_CONFLICT);
    eseal_issuer_problem_cleanup(&prob);
    eseal_buf_cleanup(&der);
    eseal_buf_cleanup(&png);
    eseal_buf_cleanup(&scan);
    free(scan_sm3);
    free(pic);
    free(id);
}

/* snapshot is the submission as the admin sees it, and the log size. */
static json_t *snapshot(struct fixture *f, const char *id)
{
    json_t *v = NULL;
    OK(eseal_issuer_submission_get(f->is, &f->admin, id, &v, p));
    json_object_set_new(v, "log_size",
                        json_integer((json_int_t)eseal_log_size(eseal_issuer_log(f->is))));
    return v;
}

static void test_every_state_and_step(void **state)
{
    struct fixture *f = *state;
    char *esid = NULL;
    size_t walked = 0, accepted = 0;
    for (size_t k = 0; k < wf_n_steps; k++) {
        const struct wf_step *step = &wf_steps[k];
        if (step->subject != WF_SUBJECT_SUBMISSION)
            continue;
        unsigned want = 0;
        for (size_t i = 0; i < sizeof(legal_pairs) / sizeof(legal_pairs[0]); i++)
            if (strcmp(legal_pairs[i].step, step->name) == 0)
                want = legal_pairs[i].from;
        if (step->from != want)
            fail_msg("step %s: the table's states %#x, the guide's %#x", step->name, step->from,
                     want);
    }
    for (int s = 0; s < WF_STATE_COUNT; s++) {
        char *id = in_state(f, (enum wf_state)s, &esid);
        assert_string_equal(state_of(f, id), wf_state_name((enum wf_state)s));
        for (size_t k = 0; k < wf_n_steps; k++) {
            const struct wf_step *step = &wf_steps[k];
            if (step->subject != WF_SUBJECT_SUBMISSION)
                continue;
            bool legal = (step->from & WF_FROM(s)) != 0;
            struct eseal_issuer_problem prob;
            eseal_issuer_problem_init(&prob);
            json_t *before = snapshot(f, id);
            eseal_rc rc = take_step(f, step->name, id, &prob);
            json_t *after = snapshot(f, id);
            walked++;
            if (legal && rc != ESEAL_OK)
                fail_msg("%s from %s: refused (%s: %s)", step->name, wf_state_name(s),
                         eseal_rc_name(rc), prob.err.msg);
            if (!legal && (rc != ESEAL_E_CONFLICT || !json_equal(before, after)))
                fail_msg("%s from %s: %s (%s), %s", step->name, wf_state_name(s), eseal_rc_name(rc),
                         prob.err.msg,
                         json_equal(before, after) ? "nothing changed" : "something changed");
            json_decref(before);
            json_decref(after);
            eseal_issuer_problem_cleanup(&prob);
            if (legal) {
                /* the step moved the submission on: start again from |s| */
                accepted++;
                free(id);
                id = in_state(f, (enum wf_state)s, &esid);
            }
        }
        free(id);
    }
    assert_int_equal(walked, 9 * WF_STATE_COUNT);
    assert_int_equal(accepted, 15);
    free(esid);
}

/* try_seal_step takes the seal step |name| (suspend, reinstate) on |esid|,
 * whose seal is in state |st|, as a maker (reinstate: with the seal's key
 * on site), and checks the outcome against the step's row of the table. */
static void try_seal_step(struct fixture *f, const char *name, const char *esid,
                          enum eseal_seal_state st)
{
    const struct wf_step *step = wf_step_find(name);
    assert_non_null(step);
    bool legal = (step->from & (1u << st)) != 0, suspend = strcmp(name, "suspend") == 0;
    json_t *before = seal_of(f, esid);
    assert_string_equal(jstr(before, "status"), eseal_seal_state_name(st));
    uint64_t size = eseal_log_size(eseal_issuer_log(f->is));
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    json_t *key = json_pack("{s:s}", "token_id", TOKEN);
    eseal_rc rc = suspend ? eseal_issuer_seal_suspend(f->is, &f->maker, esid, NULL, NULL, &prob)
                          : eseal_issuer_seal_reinstate(f->is, &f->maker, esid, key, NULL, &prob);
    json_decref(key);
    json_t *after = seal_of(f, esid);
    if (legal) {
        assert_int_equal(rc, ESEAL_OK);
        assert_string_equal(jstr(after, "status"), suspend ? "suspended" : "good");
    } else {
        assert_int_equal(rc, ESEAL_E_CONFLICT);
        assert_true(json_equal(before, after));
        assert_int_equal(eseal_log_size(eseal_issuer_log(f->is)), size);
    }
    eseal_issuer_problem_cleanup(&prob);
    json_decref(before);
    json_decref(after);
}

/* A loss may be reported for a good or a pending seal, nothing else; a
 * suspension lifted only from a suspended seal. */
static void test_suspend_from_every_seal_state(void **state)
{
    struct fixture *f = *state;
    char *revoked = NULL;
    char *id = in_state(f, WF_PRODUCED, &revoked);
    json_t *v = NULL;
    OK(eseal_issuer_submission_get(f->is, &f->maker, id, &v, p));
    char *pending =
        eseal_xstrdup(jstr(json_array_get(json_object_get(v, "applications"), 0), "esid"));
    json_decref(v);
    try_seal_step(f, "reinstate", pending, ESEAL_SEAL_STATE_PENDING);
    try_seal_step(f, "suspend", pending, ESEAL_SEAL_STATE_PENDING);
    try_seal_step(f, "suspend", pending, ESEAL_SEAL_STATE_SUSPENDED);
    char *good = apply_seal(f, 0);
    try_seal_step(f, "reinstate", good, ESEAL_SEAL_STATE_GOOD);
    try_seal_step(f, "suspend", good, ESEAL_SEAL_STATE_GOOD);
    try_seal_step(f, "reinstate", good, ESEAL_SEAL_STATE_SUSPENDED);
    free(in_state(f, WF_DONE, &revoked));
    try_seal_step(f, "suspend", revoked, ESEAL_SEAL_STATE_REVOKED);
    try_seal_step(f, "reinstate", revoked, ESEAL_SEAL_STATE_REVOKED);
    /* the table says so too: good and pending, and only those; suspended */
    assert_int_equal(wf_step_find("suspend")->from,
                     (1u << ESEAL_SEAL_STATE_GOOD) | (1u << ESEAL_SEAL_STATE_PENDING));
    assert_int_equal(wf_step_find("reinstate")->from, 1u << ESEAL_SEAL_STATE_SUSPENDED);
    free(good);
    free(pending);
    free(revoked);
    free(id);
}

/* Issue #12 points 4, 5: the agent and the aggregator report a loss, other
 * units' agents and other cities' aggregators see no such seal; only a
 * maker reinstates, with the seal's own key; a suspended seal is revoked
 * without the key, keyCompromise since the suspension (invalidity_date),
 * while a good one still needs it. */
static void test_loss_report(void **state)
{
    struct fixture *f = *state;
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    char *esid = apply_seal(f, 0);
    FAILS(ESEAL_E_NOTFOUND, &prob,
          eseal_issuer_seal_suspend(f->is, &f->agent_other, esid, NULL, NULL, p));
    FAILS(ESEAL_E_NOTFOUND, &prob,
          eseal_issuer_seal_suspend(f->is, &f->agg_other, esid, NULL, NULL, p));
    FAILS(ESEAL_E_DENIED, &prob,
          eseal_issuer_seal_suspend(f->is, &f->reviewer, esid, NULL, NULL, p));
    OK(eseal_issuer_seal_suspend(f->is, &f->agent, esid, NULL, NULL, p));
    json_t *key = json_pack("{s:s}", "token_id", TOKEN);
    FAILS(ESEAL_E_DENIED, &prob, eseal_issuer_seal_reinstate(f->is, &f->agent, esid, key, NULL, p));
    FAILS(ESEAL_E_RULE, &prob, eseal_issuer_seal_reinstate(f->is, &f->maker, esid, NULL, NULL, p));
    assert_string_equal(prob.field, "token_id");
    json_t *other = json_pack("{s:s}", "token_id", "fedcba9876543210");
    FAILS(ESEAL_E_RULE, &prob, eseal_issuer_seal_reinstate(f->is, &f->maker, esid, other, NULL, p));
    json_decref(other);
    OK(eseal_issuer_seal_reinstate(f->is, &f->maker, esid, key, NULL, p));
    json_decref(key);
    json_t *v = seal_of(f, esid);
    json_t *cur = json_array_get(json_object_get(v, "versions"), 0);
    assert_string_equal(jstr(v, "status"), "good");
    assert_true(json_is_null(json_object_get(cur, "suspended_at")));
    assert_non_null(jstr(cur, "reinstated_at"));
    json_decref(v);

    /* a good seal's revoke still needs the key on site */
    char *id = new_submission(f, "revoke", esid, UNIT_NAME);
    to_centre(f, id);
    FAILS(ESEAL_E_RULE, &prob,
          eseal_issuer_submission_register(f->is, &f->maker, id, NULL, NULL, p));

    /* lost again (the aggregator reports it): no key needed, no reason needed */
    OK(eseal_issuer_seal_suspend(f->is, &f->agg, esid, NULL, NULL, p));
    v = seal_of(f, esid);
    char *since =
        eseal_xstrdup(jstr(json_array_get(json_object_get(v, "versions"), 0), "suspended_at"));
    json_decref(v);
    json_t *paper = json_pack("{s:s}", "paper", "all");
    OK(eseal_issuer_submission_register(f->is, &f->maker, id, paper, NULL, p));
    json_decref(paper);
    json_t *review = json_pack("{s:s}", "decision", "approve");
    OK(eseal_issuer_submission_review(f->is, &f->reviewer, id, review, NULL, p));
    json_decref(review);
    OK(eseal_issuer_submission_produce(f->is, &f->maker, id, NULL, NULL, p));
    v = seal_of(f, esid);
    cur = json_array_get(json_object_get(v, "versions"), 0);
    assert_string_equal(jstr(v, "status"), "revoked");
    assert_string_equal(jstr(cur, "reason"), "keyCompromise");
    assert_string_equal(jstr(cur, "invalidity_date"), since);
    json_decref(v);
    free(since);
    free(id);

    /* revoked for another reason, or never suspended: no invalidity date */
    char *esid2 = apply_seal(f, 0);
    OK(eseal_issuer_seal_suspend(f->is, &f->maker, esid2, NULL, NULL, p));
    id = new_submission(f, "revoke", esid2, UNIT_NAME);
    to_approved(f, id, NULL);
    json_t *body = json_pack("{s:s}", "reason", "cessationOfOperation");
    OK(eseal_issuer_submission_produce(f->is, &f->maker, id, body, NULL, p));
    json_decref(body);
    v = seal_of(f, esid2);
    cur = json_array_get(json_object_get(v, "versions"), 0);
    assert_string_equal(jstr(cur, "reason"), "cessationOfOperation");
    assert_null(json_object_get(cur, "invalidity_date"));
    json_decref(v);
    free(id);
    free(esid2);
    free(esid);
    eseal_issuer_problem_cleanup(&prob);
}

static void test_bad_documents(void **state)
{
    struct fixture *f = *state;
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    json_t *doc = make_doc(f, "apply", NULL, UNIT_NAME);
    json_object_set_new(doc, "surprise", json_true());
    FAILS(ESEAL_E_INVALID, &prob, eseal_issuer_submission_create(f->is, &f->agent, doc, NULL, p));
    assert_non_null(strstr(prob.err.msg, "surprise"));
    json_object_del(doc, "surprise");
    json_object_set_new(doc, "business", json_integer(3));
    FAILS(ESEAL_E_INVALID, &prob, eseal_issuer_submission_create(f->is, &f->agent, doc, NULL, p));
    json_decref(doc);
    /* a material of the wrong content is refused */
    char *id = new_submission(f, "apply", NULL, UNIT_NAME);
    FAILS(ESEAL_E_INVALID, &prob,
          eseal_issuer_submission_add_materials(
              f->is, &f->agent, id,
              &(struct eseal_issuer_upload){"impression", letter_pdf, sizeof(letter_pdf) - 1, NULL},
              1, NULL, p));
    FAILS(ESEAL_E_INVALID, &prob,
          eseal_issuer_submission_add_materials(
              f->is, &f->agent, id,
              &(struct eseal_issuer_upload){"poster", letter_pdf, sizeof(letter_pdf) - 1, NULL}, 1,
              NULL, p));
    /* a submission missing its materials cannot be submitted */
    json_t *v = NULL;
    doc = make_doc(f, "apply", NULL, UNIT_NAME);
    OK(eseal_issuer_submission_create(f->is, &f->agent, doc, &v, p));
    json_decref(doc);
    FAILS(ESEAL_E_RULE, &prob,
          eseal_issuer_submission_submit(f->is, &f->agent, "S00000002", NULL, p));
    assert_int_equal(eseal_http_status(prob.err.rc), 422);
    assert_non_null(strstr(prob.err.msg, "refused by the rules"));
    json_decref(v);
    eseal_issuer_problem_cleanup(&prob);
    free(id);
}

/* ---- crash and replay ------------------------------------------------------------------ */

static void reopen(struct fixture *f)
{
    eseal_issuer_close(f->is);
    f->is = NULL;
    open_issuer(f);
}

static void test_crash_replay(void **state)
{
    struct fixture *f = *state;
    char *id = new_submission(f, "apply", NULL, UNIT_NAME);
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    /* the log takes the entry, then the process "dies" before the store */
    eseal_issuer_fault_inject(f->is, ESEAL_ISSUER_FAULT_AFTER_LOG);
    FAILS(ESEAL_E_IO, &prob, eseal_issuer_submission_submit(f->is, &f->agg, id, NULL, p));
    assert_string_equal(state_of(f, id), "draft");
    reopen(f);
    assert_int_equal(eseal_issuer_replayed(f->is), 1);
    assert_string_equal(state_of(f, id), "submitted");
    json_t *all = json_pack("{s:s}", "paper", "all");
    OK(eseal_issuer_submission_register(f->is, &f->maker, id, all, NULL, p));
    json_decref(all);
    json_t *approve = json_pack("{s:s}", "decision", "approve");
    OK(eseal_issuer_submission_review(f->is, &f->reviewer, id, approve, NULL, p));
    json_decref(approve);
    /* several entries in one commit: all of them are replayed */
    char *csr = make_csr(UNIT_NAME, g_uscc);
    json_t *body = produce_body(0, csr, NULL);
    eseal_issuer_fault_inject(f->is, ESEAL_ISSUER_FAULT_AFTER_LOG);
    FAILS(ESEAL_E_IO, &prob, eseal_issuer_submission_produce(f->is, &f->maker, id, body, NULL, p));
    eseal_issuer_problem_cleanup(&prob);
    assert_string_equal(state_of(f, id), "approved");
    reopen(f);
    assert_int_equal(eseal_issuer_replayed(f->is), 2);
    assert_string_equal(state_of(f, id), "produced");
    json_t *s = seal_of(f, "35010200000001");
    assert_string_equal(jstr(s, "status"), "pending");
    json_decref(s);
    /* the serial counter came back with the seal: the next one is 2 */
    reopen(f);
    assert_int_equal(eseal_issuer_replayed(f->is), 0);
    handover_ok(f, id);
    char *esid = apply_seal(f, 0);
    assert_string_equal(esid, "35010200000002");
    free(esid);
    json_decref(body);
    free(csr);
    free(id);
}

/* A rejection whose store write was lost is replayed from the log and the
 * private record written before the commit: the agent still reads the
 * reasons the entry only commits to. */
static void test_crash_replay_private(void **state)
{
    struct fixture *f = *state;
    char *id = new_submission(f, "apply", NULL, UNIT_NAME);
    to_centre(f, id);
    OK(eseal_issuer_submission_register(f->is, &f->maker, id, NULL, NULL, p));
    json_t *reject = json_pack("{s:s,s:[s]}", "decision", "reject", "reasons", REJECT_REASON);
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    eseal_issuer_fault_inject(f->is, ESEAL_ISSUER_FAULT_AFTER_LOG);
    FAILS(ESEAL_E_IO, &prob,
          eseal_issuer_submission_review(f->is, &f->reviewer, id, reject, NULL, p));
    eseal_issuer_problem_cleanup(&prob);
    json_decref(reject);
    assert_string_equal(state_of(f, id), "registered");
    reopen(f);
    assert_int_equal(eseal_issuer_replayed(f->is), 1);
    json_t *v = NULL;
    OK(eseal_issuer_submission_get(f->is, &f->agent, id, &v, p));
    assert_string_equal(jstr(v, "state"), "rejected");
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(v, "rejection"), "reasons"), 0)),
                        REJECT_REASON);
    json_decref(v);
    free(id);
}

static void test_restart_keeps_everything(void **state)
{
    struct fixture *f = *state;
    char *esid = apply_seal(f, 0);
    uint64_t size = eseal_log_size(eseal_issuer_log(f->is));
    reopen(f);
    assert_int_equal(eseal_log_size(eseal_issuer_log(f->is)), size);
    json_t *s = seal_of(f, esid);
    assert_string_equal(jstr(s, "status"), "good");
    json_decref(s);
    json_t *v = NULL;
    OK(eseal_issuer_submission_list(f->is, &f->admin, "handed_over", &v, p));
    assert_int_equal(json_array_size(json_object_get(v, "submissions")), 1);
    json_decref(v);
    free(esid);
}

/* ---- the console's lists (#13) --------------------------------------------------- */

/* find runs the submissions list with |q| as |who| and returns the view. */
static json_t *find(struct fixture *f, const struct eseal_staff_principal *who,
                    struct eseal_issuer_query q)
{
    json_t *v = NULL;
    OK(eseal_issuer_submission_find(f->is, who, &q, &v, p));
    return v;
}

static json_int_t total_of(json_t *v)
{
    json_int_t n = json_integer_value(json_object_get(v, "total"));
    json_decref(v);
    return n;
}

static void find_refused(struct fixture *f, struct eseal_issuer_query q, const char *field)
{
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    json_t *v = NULL;
    FAILS(ESEAL_E_INVALID, &prob, eseal_issuer_submission_find(f->is, &f->maker, &q, &v, p));
    assert_string_equal(prob.field, field);
    eseal_issuer_problem_cleanup(&prob);
}

/* queue_of returns the count of queue |name| as |who| sees it (-1: absent). */
static json_int_t queue_of(struct fixture *f, const struct eseal_staff_principal *who,
                           const char *name)
{
    json_t *v = NULL;
    OK(eseal_issuer_queues(f->is, who, &v, p));
    json_int_t n = -1;
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(v, "queues"), i, q)
    {
        if (strcmp(jstr(q, "name"), name) == 0) {
            n = json_integer_value(json_object_get(q, "count"));
            assert_true(n == 0 || jstr(q, "oldest") != NULL);
        }
    }
    json_decref(v);
    return n;
}

/* check_lists checks the filters, order, totals and pages over the 30
 * submissions test_lists makes: 10 drafts, 14 submitted, 6 registered. */
static void check_lists(struct fixture *f, char *ids[30])
{
    struct eseal_issuer_query q = {.state = "submitted", .limit = "5"};
    assert_int_equal(total_of(find(f, &f->maker, q)), 14);
    /* oldest first by the time each entered the state; pages of 5 */
    const char *offsets[] = {"0", "5", "10"};
    size_t at = 0;
    for (size_t pg = 0; pg < 3; pg++) {
        q.offset = offsets[pg];
        json_t *v = find(f, &f->maker, q);
        json_t *list = json_object_get(v, "submissions");
        assert_int_equal(json_array_size(list), pg < 2 ? 5 : 4);
        size_t i;
        json_t *line;
        json_array_foreach(list, i, line)
        {
            assert_string_equal(jstr(line, "id"), ids[at + 6]);
            assert_string_equal(jstr(line, "state"), "submitted");
            assert_non_null(jstr(line, "entered"));
            assert_int_equal(json_array_size(json_object_get(line, "seal_names")), 1);
            at++;
        }
        json_decref(v);
    }
    assert_int_equal(
        total_of(find(f, &f->maker, (struct eseal_issuer_query){.state = "draft", .limit = "50"})),
        10);
    assert_int_equal(total_of(find(f, &f->maker, (struct eseal_issuer_query){.limit = "1"})), 30);
    /* filters: city, business, unit, search by seal name, id (any case), unit name */
    assert_int_equal(total_of(find(f, &f->maker, (struct eseal_issuer_query){.city = "350100"})),
                     30);
    assert_int_equal(total_of(find(f, &f->maker, (struct eseal_issuer_query){.city = "350200"})),
                     0);
    assert_int_equal(total_of(find(f, &f->maker, (struct eseal_issuer_query){.business = "renew"})),
                     0);
    assert_int_equal(total_of(find(f, &f->maker, (struct eseal_issuer_query){.unit = g_uscc})), 30);
    assert_int_equal(
        total_of(find(f, &f->maker,
                      (struct eseal_issuer_query){.state = "registered", .q = "专用章03"})),
        1);
    char lower[64];
    snprintf(lower, sizeof(lower), "%s", ids[29]);
    for (char *c = lower; *c; c++)
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    json_t *v = find(f, &f->maker, (struct eseal_issuer_query){.q = lower});
    assert_int_equal(json_integer_value(json_object_get(v, "total")), 1);
    assert_string_equal(jstr(json_array_get(json_object_get(v, "submissions"), 0), "id"), ids[29]);
    json_decref(v);
    assert_int_equal(total_of(find(f, &f->maker, (struct eseal_issuer_query){.q = "鼓楼区测试"})),
                     30);
    /* scope: another unit's agent sees none, this unit's agent all */
    assert_int_equal(total_of(find(f, &f->agent_other, (struct eseal_issuer_query){.limit = "10"})),
                     0);
    assert_int_equal(total_of(find(f, &f->agent, (struct eseal_issuer_query){.limit = "10"})), 30);
    assert_int_equal(total_of(find(f, &f->agg, (struct eseal_issuer_query){.limit = "10"})), 30);
    assert_int_equal(total_of(find(f, &f->agg_other, (struct eseal_issuer_query){.limit = "10"})),
                     0);
    assert_int_equal(
        total_of(find(f, &f->agent, (struct eseal_issuer_query){.state = "draft", .limit = "10"})),
        10);
    assert_int_equal(
        total_of(
            find(f, &f->maker, (struct eseal_issuer_query){.unit = g_uscc, .state = "submitted"})),
        14);
    /* the queues */
    assert_int_equal(queue_of(f, &f->maker, "to_register"), 14);
    assert_int_equal(queue_of(f, &f->maker, "to_review"), -1);
    assert_int_equal(queue_of(f, &f->reviewer, "to_review"), 6);
    assert_int_equal(queue_of(f, &f->admin, "to_produce"), 0);
}

static void test_lists(void **state)
{
    struct fixture *f = *state;
    char *ids[30];
    for (int i = 0; i < 30; i++) {
        char name[96];
        snprintf(name, sizeof(name), "%s合同专用章%02d", UNIT_NAME, i);
        ids[i] = new_submission(f, "apply", NULL, name);
    }
    /* 0..5 registered, 6..19 submitted (in that order), 20..29 drafts */
    for (int i = 0; i < 20; i++)
        to_centre(f, ids[i]);
    json_t *all = json_pack("{s:s}", "paper", "all");
    for (int i = 0; i < 6; i++)
        OK(eseal_issuer_submission_register(f->is, &f->maker, ids[i], all, NULL, p));
    check_lists(f, ids);
    find_refused(f, (struct eseal_issuer_query){.limit = "0"}, "limit");
    find_refused(f, (struct eseal_issuer_query){.limit = "201"}, "limit");
    find_refused(f, (struct eseal_issuer_query){.offset = "-1"}, "offset");
    find_refused(f, (struct eseal_issuer_query){.city = "12"}, "city");
    find_refused(f, (struct eseal_issuer_query){.business = "sell"}, "business");
    find_refused(f, (struct eseal_issuer_query){.unit = "x"}, "unit");
    find_refused(f, (struct eseal_issuer_query){.state = "lost"}, "state");
    find_refused(f, (struct eseal_issuer_query){.q = ""}, "q");
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    json_t *v = NULL;
    FAILS(ESEAL_E_DENIED, &prob, eseal_issuer_queues(f->is, &f->agent, &v, p));
    FAILS(ESEAL_E_DENIED, &prob, eseal_issuer_overview(f->is, &f->maker, &v, p));
    /* a restart keeps the index */
    reopen(f);
    check_lists(f, ids);
    /* a register whose store write was lost comes back with the replay, index too */
    eseal_issuer_fault_inject(f->is, ESEAL_ISSUER_FAULT_AFTER_LOG);
    FAILS(ESEAL_E_IO, &prob,
          eseal_issuer_submission_register(f->is, &f->maker, ids[6], all, NULL, p));
    eseal_issuer_problem_cleanup(&prob);
    assert_int_equal(queue_of(f, &f->reviewer, "to_review"), 6);
    reopen(f);
    assert_int_equal(eseal_issuer_replayed(f->is), 1);
    assert_int_equal(queue_of(f, &f->reviewer, "to_review"), 7);
    assert_int_equal(queue_of(f, &f->maker, "to_register"), 13);
    assert_int_equal(
        total_of(find(f, &f->maker,
                      (struct eseal_issuer_query){.state = "registered", .q = "专用章06"})),
        1);
    /* a database from before the index gets it built at open */
    json_t *approve = json_pack("{s:s}", "decision", "approve");
    OK(eseal_issuer_submission_review(f->is, &f->reviewer, ids[6], approve, NULL, p));
    json_decref(approve);
    struct eseal_kv_iter *it = eseal_kv_iter_new(f->is->kv, CF_SUBINDEX);
    size_t removed = 0;
    for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t klen;
        const uint8_t *k = eseal_kv_iter_key(it, &klen);
        assert_int_equal(eseal_kv_delete(f->is->kv, CF_SUBINDEX, k, klen, false, NULL), ESEAL_OK);
        removed++;
    }
    eseal_kv_iter_free(it);
    assert_true(removed > 60);
    assert_int_equal(eseal_kv_delete(f->is->kv, CF_META, "subindex", 8, true, NULL), ESEAL_OK);
    assert_int_equal(queue_of(f, &f->maker, "to_produce"), 0); /* gone */
    reopen(f);
    assert_int_equal(queue_of(f, &f->maker, "to_produce"), 1);
    assert_int_equal(queue_of(f, &f->reviewer, "to_review"), 6);
    assert_int_equal(total_of(find(f, &f->maker, (struct eseal_issuer_query){.q = "专用章2"})), 10);
    json_decref(all);
    for (int i = 0; i < 30; i++)
        free(ids[i]);
}

/* A seal's page: the search finds it by name, unit, code and certificate
 * serial in any case; its history and versions come from the audit index;
 * the picture is the seal file's; the overview and the catalog. */
static void test_seal_page(void **state)
{
    struct fixture *f = *state;
    char *esid = apply_seal(f, 0);
    json_t *seal = seal_of(f, esid);
    json_t *ver = json_array_get(json_object_get(seal, "versions"), 0);
    const char *serial = jstr(ver, "cert_serial");
    assert_non_null(serial);
    assert_non_null(jstr(ver, "made"));
    assert_non_null(jstr(ver, "submission"));
    json_t *history = json_object_get(seal, "history");
    assert_true(json_array_size(history) >= 2);
    assert_string_equal(jstr(json_array_get(history, 0), "type"), "seal.issued");
    assert_string_equal(jstr(json_array_get(history, 1), "type"), "seal.activated");
    assert_non_null(jstr(json_array_get(history, 1), "label"));
    char lower[80];
    snprintf(lower, sizeof(lower), "%s", serial);
    for (char *c = lower; *c; c++)
        *c = (char)(*c >= 'A' && *c <= 'F' ? *c - 'A' + 'a' : *c);
    const char *qs[] = {esid, lower, UNIT_NAME, g_uscc};
    for (size_t i = 0; i < 4; i++) {
        struct eseal_issuer_query q = {.q = qs[i]};
        json_t *v = NULL;
        OK(eseal_issuer_seal_find(f->is, &f->maker, &q, &v, p));
        assert_int_equal(json_integer_value(json_object_get(v, "total")), 1);
        json_t *line = json_array_get(json_object_get(v, "seals"), 0);
        assert_string_equal(jstr(line, "esid"), esid);
        assert_string_equal(jstr(json_object_get(line, "unit"), "name"), UNIT_NAME);
        assert_string_equal(jstr(line, "status"), "good");
        assert_string_equal(jstr(line, "cert_serial"), serial);
        json_decref(v);
    }
    struct eseal_issuer_query none = {.q = "no such seal", .state = "good"};
    json_t *v = NULL;
    OK(eseal_issuer_seal_find(f->is, &f->maker, &none, &v, p));
    assert_int_equal(json_integer_value(json_object_get(v, "total")), 0);
    json_decref(v);
    OK(eseal_issuer_seal_find(f->is, &f->agent_other, &(struct eseal_issuer_query){.q = esid}, &v,
                              p));
    assert_int_equal(json_integer_value(json_object_get(v, "total")), 0);
    json_decref(v);
    struct eseal_buf pic;
    eseal_buf_init(&pic);
    const char *type = NULL;
    OK(eseal_issuer_seal_picture(f->is, &f->maker, esid, 0, &pic, &type, p));
    assert_string_equal(type, "image/png");
    assert_memory_equal(pic.data, impression_png, 8);
    struct eseal_issuer_problem prob;
    eseal_issuer_problem_init(&prob);
    FAILS(ESEAL_E_NOTFOUND, &prob,
          eseal_issuer_seal_picture(f->is, &f->maker, esid, 9, &pic, &type, p));
    FAILS(ESEAL_E_NOTFOUND, &prob,
          eseal_issuer_seal_picture(f->is, &f->agent_other, esid, 0, &pic, &type, p));
    eseal_issuer_problem_cleanup(&prob);
    eseal_buf_cleanup(&pic);
    OK(eseal_issuer_overview(f->is, &f->admin, &v, p));
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(v, "seals"), "by_status"), "good")),
                     1);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_object_get(json_object_get(v, "submissions"), "by_state"), "handed_over")),
        1);
    json_t *log = json_object_get(v, "log");
    assert_true(json_integer_value(json_object_get(log, "size")) > 0);
    assert_non_null(jstr(json_object_get(log, "checkpoint"), "text"));
    assert_non_null(jstr(json_object_get(log, "checkpoint"), "time"));
    json_decref(v);
    OK(eseal_issuer_catalog(f->is, &f->agent, &v, p));
    static const char *const keys[] = {"business",        "states",         "seal_kinds",
                                       "carriers",        "material_kinds", "revoke_reasons",
                                       "paper_checklist", "special_cases",  "rejection_reasons"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        assert_true(json_array_size(json_object_get(v, keys[i])) > 0);
    assert_int_equal(json_array_size(json_object_get(json_object_get(v, "regions"), "cities")), 10);
    assert_string_equal(jstr(json_array_get(json_object_get(v, "business"), 0), "zh"), "印章申请");
    json_decref(v);
    json_decref(seal);
    free(esid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_apply_with_rejection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_replay_private, setup, teardown),
        cmocka_unit_test_setup_teardown(test_renew, setup, teardown),
        cmocka_unit_test_setup_teardown(test_renew_outside_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_renew_by_name_only_renews, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reissue_after_loss, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unlock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maker_is_not_reviewer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_illegal_transitions_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_state_and_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_impression_picture, setup, teardown),
        cmocka_unit_test_setup_teardown(test_suspend_from_every_seal_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loss_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_keeps_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seal_page, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
