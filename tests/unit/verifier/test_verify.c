/* test_verify.c — the validation engine and its report, on real vectors made
 * by another implementation (ofdrw: Java + BouncyCastle) and on seals and
 * seal signatures made here with a real CA, each broken in one way.
 *
 * One CA is made in the group setup and shared: creating one derives a key
 * from the passphrase per private key, which is deliberately slow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "eseal/ca.h"
#include "eseal/enc.h"
#include "eseal/pki.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "eseal/ts.h"
#include "eseal/verify.h"
#include "testca.h"
#include "testutil.h"

#define DAY 86400

/* 2021-01-01T00:00:00Z: inside every validity window of the ofdrw vectors. */
#define AT_2021 ((time_t)1609459200)

struct fixture {
    char *tmp;
    struct tu_ca *ca;
    X509 *root;
    EVP_PKEY *holder_key, *other_key, *foreign_key;
    X509 *holder, *other, *foreign_root;
    struct eseal_buf seal; /* made by our maker for |holder| */
    struct eseal_buf ses;  /* |holder| stamped the document with |seal| */
    uint8_t doc_sm3[ESEAL_SM3_LEN];
    struct eseal_buf v4; /* ofdrw SignedValueV4.dat */
    uint8_t v4_hash[ESEAL_SM3_LEN];
    STACK_OF(X509) * trust;   /* our root */
    STACK_OF(X509) * foreign; /* a root that issued nothing here */
};

static const char doc[] = "关于印发福建省政务电子印章管理办法的通知\n";

/* ---- helpers ---------------------------------------------------------- */

static eseal_rc key_signer(void *ctx, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                           struct eseal_err *err)
{
    return eseal_sm2_sign(ctx, msg, msg_len, sig, err);
}

static eseal_rc maker_signer(void *ctx, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                             struct eseal_err *err)
{
    return tu_ca_maker_signer(ctx, msg, msg_len, sig, err);
}

static void read_testdata(struct eseal_buf *b, const char *name)
{
    char *path = tu_testdata(name);
    struct eseal_err err;
    if (eseal_file_read(b, path, ESEAL_SEAL_MAX, &err) != ESEAL_OK)
        fail_msg("%s", err.msg);
    free(path);
}

/* issue has the CA issue a device certificate for a fresh SM2 key. */
static X509 *issue(struct tu_ca *ca, const char *cn, EVP_PKEY **key)
{
    struct eseal_err err;
    assert_int_equal(eseal_sm2_keygen(key, &err), ESEAL_OK);
    X509_REQ *req = X509_REQ_new();
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    X509_REQ_set_subject_name(req, name);
    X509_NAME_free(name);
    X509_REQ_set_pubkey(req, *key);
    assert_int_equal(eseal_x509_req_sign(req, *key, &err), ESEAL_OK);
    unsigned char *der = NULL;
    int len = i2d_X509_REQ(req, &der);
    assert_true(len > 0);
    X509 *cert = NULL;
    if (tu_ca_issue(ca, der, (size_t)len, "device", 365, &cert, &err) != ESEAL_OK)
        fail_msg("issue: %s", err.msg);
    OPENSSL_free(der);
    X509_REQ_free(req);
    return cert;
}

/* self_signed makes a root certificate that has nothing to do with our CA. */
static X509 *self_signed(EVP_PKEY **key)
{
    assert_int_equal(eseal_sm2_keygen(key, NULL), ESEAL_OK);
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)"Foreign Root CA",
                               -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, name);
    X509_NAME_free(name);
    X509_gmtime_adj(X509_getm_notBefore(x), -DAY);
    X509_gmtime_adj(X509_getm_notAfter(x), 3650L * DAY);
    X509_set_pubkey(x, *key);
    assert_int_equal(eseal_x509_sign(x, *key, NULL), ESEAL_OK);
    return x;
}

static void make_seal(struct fixture *f, struct eseal_buf *out, X509 *holder)
{
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a,
                                  0,    0,   0,   13,  'I',  'H',  'D',  'R'};
    struct eseal_seal_params p = {
        .esid = "35010000000001",
        .type = ESEAL_SEAL_UNIT,
        .name = "福州市测试局",
        .holder = holder,
        .picture = png,
        .picture_len = sizeof(png),
        .width_mm = 40,
        .height_mm = 40,
    };
    struct eseal_err err;
    if (eseal_seal_make(out, &p, tu_ca_cert(f->ca, TU_CA_MAKER), maker_signer, f->ca, &err) !=
        ESEAL_OK)
        fail_msg("seal make: %s", err.msg);
}

static void make_ses(struct eseal_buf *out, const struct eseal_buf *seal, const uint8_t *sm3,
                     time_t when, X509 *signer, EVP_PKEY *key)
{
    struct eseal_err err;
    if (eseal_ses_make(out, seal->data, seal->len, sm3, "notice.txt", when, signer, key_signer, key,
                       &err) != ESEAL_OK)
        fail_msg("ses make: %s", err.msg);
}

/* resign replaces the signer certificate of the SES_Signature |in| with
 * |cert| and the signature with one by |key| over the same TBS_Sign: a
 * signature that verifies, by someone the seal was not made for.
 * (eseal_ses_make refuses to make one.) */
static void resign(struct eseal_buf *out, const struct eseal_buf *in, X509 *cert, EVP_PKEY *key)
{
    const unsigned char *p = in->data;
    STACK_OF(ASN1_TYPE) *sk = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)in->len);
    assert_non_null(sk);
    assert_int_equal(sk_ASN1_TYPE_num(sk), 4);
    ASN1_TYPE *tbs = sk_ASN1_TYPE_value(sk, 0);
    ASN1_TYPE *c = sk_ASN1_TYPE_value(sk, 1);
    ASN1_TYPE *s = sk_ASN1_TYPE_value(sk, 3);
    assert_int_equal(tbs->type, V_ASN1_SEQUENCE);
    assert_int_equal(c->type, V_ASN1_OCTET_STRING);
    assert_int_equal(s->type, V_ASN1_BIT_STRING);
    struct eseal_buf der, sig;
    eseal_buf_init(&der);
    eseal_buf_init(&sig);
    eseal_pki_cert_der(cert, &der);
    assert_int_equal(ASN1_OCTET_STRING_set(c->value.octet_string, der.data, (int)der.len), 1);
    assert_int_equal(eseal_sm2_sign(key, ASN1_STRING_get0_data(tbs->value.sequence),
                                    (size_t)ASN1_STRING_length(tbs->value.sequence), &sig, NULL),
                     ESEAL_OK);
    assert_int_equal(ASN1_BIT_STRING_set(s->value.bit_string, sig.data, (int)sig.len), 1);
    /* Zero unused bits, stated: else a trailing zero byte would be dropped. */
    s->value.bit_string->flags &= ~0x07L;
    s->value.bit_string->flags |= ASN1_STRING_FLAG_BITS_LEFT;
    unsigned char *enc = NULL;
    int n = i2d_ASN1_SEQUENCE_ANY(sk, &enc);
    assert_true(n > 0);
    eseal_buf_reset(out);
    eseal_buf_append(out, enc, (size_t)n);
    OPENSSL_free(enc);
    eseal_buf_cleanup(&der);
    eseal_buf_cleanup(&sig);
    sk_ASN1_TYPE_pop_free(sk, ASN1_TYPE_free);
}

static const struct eseal_check *check_of(const struct eseal_report *r, const char *key)
{
    for (size_t i = 0; i < r->n_checks; i++)
        if (strcmp(r->checks[i].key, key) == 0)
            return &r->checks[i];
    fail_msg("no check %s in the report", key);
    return NULL;
}

static void assert_check(const struct eseal_report *r, const char *key,
                         enum eseal_check_status status, const char *sub)
{
    const struct eseal_check *c = check_of(r, key);
    if (c->status != status)
        fail_msg("check %s: status %d, want %d (%s; actual %s)", key, c->status, status,
                 c->message_en, c->actual ? c->actual : "-");
    if (sub == NULL)
        assert_null(c->sub_indication);
    else
        assert_string_equal(c->sub_indication, sub);
    assert_non_null(c->message_zh);
    assert_non_null(c->message_en);
    assert_true(strlen(c->message_zh) > 0 && strlen(c->message_en) > 0);
}

static void assert_verdict(const struct eseal_report *r, enum eseal_indication ind, const char *sub)
{
    if (r->indication != ind)
        fail_msg("indication %s, want %s (sub %s)", eseal_indication_name(r->indication),
                 eseal_indication_name(ind), r->sub_indication ? r->sub_indication : "-");
    if (sub == NULL)
        assert_null(r->sub_indication);
    else
        assert_string_equal(r->sub_indication, sub);
}

/* verify_ses runs eseal_verify_ses into a fresh report. */
static void verify_ses(struct eseal_report *r, const struct eseal_buf *ses, const uint8_t *sm3,
                       STACK_OF(X509) * trust, time_t at, bool no_status)
{
    struct eseal_verify_opts o = {.trust = trust, .at = at, .no_status = no_status};
    eseal_report_init(r);
    eseal_verify_ses(r, ses->data, ses->len, sm3, &o);
}

static void copy_buf(struct eseal_buf *dst, const struct eseal_buf *src)
{
    eseal_buf_init(dst);
    eseal_buf_append(dst, src->data, src->len);
}

/* ---- fixture ---------------------------------------------------------- */

static int group_teardown(void **state);

/* setup_failed reports |what| and undoes whatever the setup made. */
static int setup_failed(struct fixture *f, const char *what, const char *msg)
{
    fprintf(stderr, "group setup: %s: %s\n", what, msg);
    void *state = f;
    group_teardown(&state);
    return -1;
}

static int group_setup(void **state)
{
    struct fixture *f = eseal_xcalloc(1, sizeof(*f));
    struct eseal_err err;
    eseal_err_clear(&err);

    /* The vector first: a missing ../shared leaves nothing behind. */
    char *path = tu_testdata("ofdrw/SignedValueV4.dat");
    eseal_rc rc = eseal_file_read(&f->v4, path, ESEAL_SEAL_MAX, &err);
    free(path);
    struct eseal_ses *ses = NULL;
    if (rc != ESEAL_OK || eseal_ses_parse(&ses, f->v4.data, f->v4.len, &err) != ESEAL_OK)
        return setup_failed(f, "SignedValueV4.dat", err.msg);
    const struct eseal_ses_info *si = eseal_ses_info(ses);
    bool sm3 = si->data_hash_len == ESEAL_SM3_LEN;
    if (sm3)
        memcpy(f->v4_hash, si->data_hash, ESEAL_SM3_LEN);
    eseal_ses_free(ses);
    if (!sm3)
        return setup_failed(f, "SignedValueV4.dat", "dataHash is not 32 bytes");

    f->tmp = tu_tmpdir();
    char *dir = eseal_path_join(f->tmp, "ca");
    f->ca = tu_ca_new(dir);
    free(dir);
    if (f->ca == NULL)
        return setup_failed(f, "CA", "eseal ca init");
    f->root = tu_ca_cert(f->ca, TU_CA_ROOT);
    f->holder = issue(f->ca, "seal-holder-01", &f->holder_key);
    f->other = issue(f->ca, "seal-holder-02", &f->other_key);
    f->foreign_root = self_signed(&f->foreign_key);
    f->trust = sk_X509_new_null();
    X509_up_ref(f->root);
    sk_X509_push(f->trust, f->root);
    f->foreign = sk_X509_new_null();
    X509_up_ref(f->foreign_root);
    sk_X509_push(f->foreign, f->foreign_root);

    make_seal(f, &f->seal, f->holder);
    eseal_sm3(f->doc_sm3, doc, sizeof(doc) - 1);
    make_ses(&f->ses, &f->seal, f->doc_sm3, 0, f->holder, f->holder_key);
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *f = *state;
    if (f == NULL)
        return 0;
    sk_X509_pop_free(f->trust, X509_free);
    sk_X509_pop_free(f->foreign, X509_free);
    X509_free(f->holder);
    X509_free(f->other);
    X509_free(f->foreign_root);
    EVP_PKEY_free(f->holder_key);
    EVP_PKEY_free(f->other_key);
    EVP_PKEY_free(f->foreign_key);
    eseal_buf_cleanup(&f->seal);
    eseal_buf_cleanup(&f->ses);
    eseal_buf_cleanup(&f->v4);
    tu_ca_free(f->ca);
    if (f->tmp != NULL)
        tu_rmtree(f->tmp);
    free(f->tmp);
    free(f);
    return 0;
}

/* ---- the ofdrw vectors ------------------------------------------------ */

static void test_vector_v4_verifies(void **state)
{
    struct fixture *f = *state;
    struct eseal_report r;
    verify_ses(&r, &f->v4, f->v4_hash, NULL, AT_2021, true);
    assert_check(&r, "format", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "data_hash", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "signature", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "signer_in_seal", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "seal_signature", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "chain", ESEAL_CHECK_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND");
    assert_check(&r, "validity", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "status", ESEAL_CHECK_SKIPPED, NULL);
    assert_check(&r, "picture", ESEAL_CHECK_SKIPPED, NULL);
    assert_verdict(&r, ESEAL_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND");
    assert_int_equal(eseal_report_exit_code(&r), 2);
    /* The checks come in the documented order. */
    static const char *const keys[] = {"format",         "data_hash",      "signature",
                                       "signer_in_seal", "seal_signature", "chain",
                                       "validity",       "status",         "picture"};
    assert_int_equal(r.n_checks, 9);
    for (size_t i = 0; i < 9; i++)
        assert_string_equal(r.checks[i].key, keys[i]);
    assert_string_equal(r.property_info, "/Doc_0/Signs/Sign_0/Signature.xml");
    assert_string_equal(r.esid, "51f044b76510434e9bc67a1185c2fba5");
    assert_non_null(strstr(r.seal_name, "测试用印章"));
    assert_non_null(strstr(r.signer, "CN=Test Certificate"));
    assert_int_equal(r.validation_time, AT_2021);
    assert_int_equal(r.best_signature_time, AT_2021);
    assert_int_equal(r.claimed_time, 1602501243); /* 20201012111403Z */
    eseal_report_cleanup(&r);
}

static void test_vector_v4_hash_failure(void **state)
{
    struct fixture *f = *state;
    uint8_t wrong[ESEAL_SM3_LEN];
    memcpy(wrong, f->v4_hash, sizeof(wrong));
    wrong[31] ^= 0x01;
    struct eseal_report r;
    verify_ses(&r, &f->v4, wrong, NULL, AT_2021, true);
    assert_check(&r, "data_hash", ESEAL_CHECK_FAILED, "HASH_FAILURE");
    assert_check(&r, "signature", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "seal_signature", ESEAL_CHECK_PASSED, NULL);
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "HASH_FAILURE");
    assert_int_equal(eseal_report_exit_code(&r), 1);
    const struct eseal_check *c = check_of(&r, "data_hash");
    char *want = eseal_hex(f->v4_hash, sizeof(f->v4_hash));
    char *got = eseal_hex(wrong, sizeof(wrong));
    assert_string_equal(c->expected, want);
    assert_string_equal(c->actual, got);
    free(want);
    free(got);
    eseal_report_cleanup(&r);
}

static void test_vector_v4_no_document(void **state)
{
    struct fixture *f = *state;
    struct eseal_report r;
    verify_ses(&r, &f->v4, NULL, NULL, AT_2021, true);
    assert_check(&r, "data_hash", ESEAL_CHECK_INDETERMINATE, "SIGNED_DATA_NOT_FOUND");
    /* Every other check still ran. */
    assert_check(&r, "signature", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "validity", ESEAL_CHECK_PASSED, NULL);
    assert_verdict(&r, ESEAL_INDETERMINATE, "SIGNED_DATA_NOT_FOUND");
    eseal_report_cleanup(&r);
}

static void test_vector_v4_now_out_of_bounds(void **state)
{
    struct fixture *f = *state;
    struct eseal_report r;
    /* The seal and certificate expired in 2022; timeInfo (2020) is only a
     * claim, so there is no proof the signature was made in time. */
    verify_ses(&r, &f->v4, f->v4_hash, NULL, 0, true);
    assert_check(&r, "validity", ESEAL_CHECK_INDETERMINATE, "OUT_OF_BOUNDS_NO_POE");
    assert_check(&r, "signature", ESEAL_CHECK_PASSED, NULL);
    assert_int_equal(r.indication, ESEAL_INDETERMINATE);
    assert_true(r.validation_time >= time(NULL) - 60);
    eseal_report_cleanup(&r);
}

static void test_vector_v4_flipped_signature(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf bad;
    copy_buf(&bad, &f->v4);
    bad.data[bad.len - 1] ^= 0x01; /* inside s of the signature value */
    struct eseal_report r;
    verify_ses(&r, &bad, f->v4_hash, NULL, AT_2021, true);
    assert_check(&r, "format", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "data_hash", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "signature", ESEAL_CHECK_FAILED, "SIG_CRYPTO_FAILURE");
    assert_check(&r, "seal_signature", ESEAL_CHECK_PASSED, NULL);
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "SIG_CRYPTO_FAILURE");
    eseal_report_cleanup(&r);
    eseal_buf_cleanup(&bad);
}

static void test_vector_v4_flipped_picture(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf bad;
    copy_buf(&bad, &f->v4);
    uint8_t *png = memmem(bad.data, bad.len, "\x89PNG", 4);
    assert_non_null(png);
    png[1000] ^= 0x01; /* inside the picture, inside SES_SealInfo and TBS_Sign */
    struct eseal_report r;
    verify_ses(&r, &bad, f->v4_hash, NULL, AT_2021, true);
    assert_check(&r, "format", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "signature", ESEAL_CHECK_FAILED, "SIG_CRYPTO_FAILURE");
    assert_check(&r, "seal_signature", ESEAL_CHECK_FAILED, "SEAL_CRYPTO_FAILURE");
    /* The first failing check names the verdict. */
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "SIG_CRYPTO_FAILURE");
    eseal_report_cleanup(&r);
    eseal_buf_cleanup(&bad);
}

static void test_vector_v4_truncated(void **state)
{
    struct fixture *f = *state;
    const size_t cuts[] = {f->v4.len - 1, f->v4.len / 2, 10, 1};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        struct eseal_buf bad;
        eseal_buf_init(&bad);
        eseal_buf_append(&bad, f->v4.data, cuts[i]);
        struct eseal_report r;
        verify_ses(&r, &bad, f->v4_hash, NULL, AT_2021, true);
        assert_int_equal(r.n_checks, 1); /* nothing runs after a format failure */
        assert_check(&r, "format", ESEAL_CHECK_FAILED, "FORMAT_FAILURE");
        assert_non_null(r.checks[0].actual);
        assert_verdict(&r, ESEAL_TOTAL_FAILED, "FORMAT_FAILURE");
        assert_null(r.esid);
        eseal_report_cleanup(&r);
        eseal_buf_cleanup(&bad);
    }
    /* Empty input and a seal where a seal signature belongs. */
    struct eseal_buf seal;
    eseal_buf_init(&seal);
    read_testdata(&seal, "ofdrw/UserV4.esl");
    struct eseal_report r;
    struct eseal_verify_opts o = {.no_status = true};
    eseal_report_init(&r);
    eseal_verify_ses(&r, seal.data, seal.len, f->v4_hash, &o);
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "FORMAT_FAILURE");
    eseal_report_cleanup(&r);
    eseal_report_init(&r);
    eseal_verify_ses(&r, seal.data, 0, f->v4_hash, &o);
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "FORMAT_FAILURE");
    eseal_report_cleanup(&r);
    eseal_buf_cleanup(&seal);
}

static void test_vector_v5(void **state)
{
    (void)state;
    struct eseal_buf v5;
    eseal_buf_init(&v5);
    read_testdata(&v5, "ofdrw/SignedValueV5.dat");
    struct eseal_report r;
    verify_ses(&r, &v5, NULL, NULL, 0, true);
    assert_check(&r, "format", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "signature", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "signer_in_seal", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "seal_signature", ESEAL_CHECK_PASSED, NULL);
    eseal_report_cleanup(&r);
    eseal_buf_cleanup(&v5);
}

static void test_status_without_source(void **state)
{
    struct fixture *f = *state;
    struct eseal_report r;
    verify_ses(&r, &f->ses, f->doc_sm3, f->trust, 0, false);
    /* a configuration matter, not one retrying fixes (#19) */
    assert_check(&r, "status", ESEAL_CHECK_INDETERMINATE, "NO_STATUS_SOURCE");
    assert_non_null(strstr(check_of(&r, "status")->message_en, "no status source configured"));
    assert_verdict(&r, ESEAL_INDETERMINATE, "NO_STATUS_SOURCE");
    assert_string_equal(r.status_source, "none (no status source configured)");
    eseal_report_cleanup(&r);

    verify_ses(&r, &f->ses, f->doc_sm3, f->trust, 0, true);
    const struct eseal_check *c = check_of(&r, "status");
    assert_int_equal(c->status, ESEAL_CHECK_SKIPPED);
    assert_string_equal(c->message_zh, "状态未检查 (--no-status)");
    assert_string_equal(c->message_en, "status not checked (--no-status)");
    assert_string_equal(r.status_source, "none (--no-status)");
    eseal_report_cleanup(&r);
}

/* ---- our own seals and signatures --------------------------------------- */

static void test_own_total_passed(void **state)
{
    struct fixture *f = *state;
    struct eseal_report r;
    verify_ses(&r, &f->ses, f->doc_sm3, f->trust, 0, true);
    static const char *const keys[] = {"format",         "data_hash", "signature", "signer_in_seal",
                                       "seal_signature", "chain",     "validity"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        assert_check(&r, keys[i], ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "status", ESEAL_CHECK_SKIPPED, NULL);
    assert_verdict(&r, ESEAL_TOTAL_PASSED, NULL);
    assert_int_equal(eseal_report_exit_code(&r), 0);
    assert_string_equal(r.esid, "35010000000001");
    assert_string_equal(r.seal_name, "福州市测试局");
    assert_string_equal(r.property_info, "notice.txt");
    assert_non_null(strstr(r.signer, "CN=seal-holder-01"));
    assert_non_null(strstr(check_of(&r, "chain")->actual, "福建省电子印章服务平台根证书"));
    eseal_report_cleanup(&r);
}

static void test_own_hash_failure(void **state)
{
    struct fixture *f = *state;
    uint8_t other[ESEAL_SM3_LEN];
    eseal_sm3(other, doc, sizeof(doc) - 2); /* the document lost a byte */
    struct eseal_report r;
    verify_ses(&r, &f->ses, other, f->trust, 0, true);
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "HASH_FAILURE");
    assert_check(&r, "signature", ESEAL_CHECK_PASSED, NULL);
    eseal_report_cleanup(&r);
}

static void test_own_seal_cert_mismatch(void **state)
{
    struct fixture *f = *state;
    /* The signature verifies, but with the key of a certificate the seal
     * was not made for. */
    struct eseal_buf bad;
    eseal_buf_init(&bad);
    resign(&bad, &f->ses, f->other, f->other_key);
    struct eseal_report r;
    verify_ses(&r, &bad, f->doc_sm3, f->trust, 0, true);
    assert_check(&r, "signature", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "signer_in_seal", ESEAL_CHECK_FAILED, "SEAL_CERT_MISMATCH");
    assert_check(&r, "seal_signature", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "chain", ESEAL_CHECK_PASSED, NULL); /* a genuine certificate of ours */
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "SEAL_CERT_MISMATCH");
    const struct eseal_check *c = check_of(&r, "signer_in_seal");
    assert_non_null(strstr(c->expected, "CN=seal-holder-01"));
    assert_non_null(strstr(c->actual, "CN=seal-holder-02"));
    eseal_report_cleanup(&r);

    /* eseal_ses_make itself refuses to make such a signature. */
    struct eseal_err err;
    assert_int_equal(eseal_ses_make(&bad, f->seal.data, f->seal.len, f->doc_sm3, "notice.txt", 0,
                                    f->other, key_signer, f->other_key, &err),
                     ESEAL_E_INVALID);
    eseal_buf_cleanup(&bad);
}

static void test_own_foreign_root(void **state)
{
    struct fixture *f = *state;
    struct eseal_report r;
    verify_ses(&r, &f->ses, f->doc_sm3, f->foreign, 0, true);
    assert_check(&r, "chain", ESEAL_CHECK_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND");
    assert_verdict(&r, ESEAL_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND");
    const struct eseal_check *c = check_of(&r, "chain");
    /* OpenSSL's reason, for both certificates. */
    assert_non_null(strstr(c->actual, "unable to get local issuer certificate"));
    assert_non_null(strstr(c->actual, "maker"));
    assert_non_null(strstr(c->actual, "signer"));
    assert_non_null(strstr(c->expected, "Foreign Root CA"));
    eseal_report_cleanup(&r);

    /* No trust at all is indeterminate too; an empty stack is no trust. */
    verify_ses(&r, &f->ses, f->doc_sm3, NULL, 0, true);
    assert_check(&r, "chain", ESEAL_CHECK_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND");
    eseal_report_cleanup(&r);
    STACK_OF(X509) *empty = sk_X509_new_null();
    verify_ses(&r, &f->ses, f->doc_sm3, empty, 0, true);
    assert_check(&r, "chain", ESEAL_CHECK_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND");
    eseal_report_cleanup(&r);
    sk_X509_free(empty);

    /* Both roots configured: ours is found. */
    STACK_OF(X509) *both = sk_X509_new_null();
    sk_X509_push(both, f->foreign_root);
    sk_X509_push(both, f->root);
    verify_ses(&r, &f->ses, f->doc_sm3, both, 0, true);
    assert_check(&r, "chain", ESEAL_CHECK_PASSED, NULL);
    eseal_report_cleanup(&r);
    sk_X509_free(both);
}

static void test_own_claimed_after_valid_end(void **state)
{
    struct fixture *f = *state;
    struct eseal_seal *seal = NULL;
    assert_int_equal(eseal_seal_parse(&seal, f->seal.data, f->seal.len, NULL), ESEAL_OK);
    time_t end = eseal_seal_info(seal)->valid_end;
    eseal_seal_free(seal);

    struct eseal_buf late;
    eseal_buf_init(&late);
    make_ses(&late, &f->seal, f->doc_sm3, end + DAY, f->holder, f->holder_key);
    struct eseal_report r;
    verify_ses(&r, &late, f->doc_sm3, f->trust, 0, true);
    assert_check(&r, "signature", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "validity", ESEAL_CHECK_FAILED, "EXPIRED");
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "EXPIRED");
    assert_int_equal(r.claimed_time, end + DAY);
    eseal_report_cleanup(&r);

    /* Validated after the end as well, the claim still fails: the signer
     * says it signed with an expired seal. */
    verify_ses(&r, &late, f->doc_sm3, f->trust, end + 2 * DAY, true);
    assert_check(&r, "validity", ESEAL_CHECK_FAILED, "EXPIRED");
    eseal_report_cleanup(&r);

    /* A claim before validStart is NOT_YET_VALID. */
    make_ses(&late, &f->seal, f->doc_sm3, end - 400L * DAY, f->holder, f->holder_key);
    verify_ses(&r, &late, f->doc_sm3, f->trust, 0, true);
    assert_check(&r, "validity", ESEAL_CHECK_FAILED, "NOT_YET_VALID");
    eseal_report_cleanup(&r);

    /* An honest signature validated after validEnd has no proof of time. */
    verify_ses(&r, &f->ses, f->doc_sm3, f->trust, end + DAY, true);
    assert_check(&r, "validity", ESEAL_CHECK_INDETERMINATE, "OUT_OF_BOUNDS_NO_POE");
    assert_check(&r, "chain", ESEAL_CHECK_PASSED, NULL); /* time is not the chain's job */
    assert_verdict(&r, ESEAL_INDETERMINATE, "OUT_OF_BOUNDS_NO_POE");
    eseal_report_cleanup(&r);
    eseal_buf_cleanup(&late);
}

static void test_own_not_yet_valid(void **state)
{
    struct fixture *f = *state;
    const ASN1_TIME *nb = X509_get0_notBefore(f->holder);
    struct tm tm;
    assert_int_equal(ASN1_TIME_to_tm(nb, &tm), 1);
    time_t start = timegm(&tm);
    struct eseal_report r;
    verify_ses(&r, &f->ses, f->doc_sm3, f->trust, start - DAY, true);
    assert_check(&r, "validity", ESEAL_CHECK_FAILED, "NOT_YET_VALID");
    assert_check(&r, "chain", ESEAL_CHECK_PASSED, NULL);
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "NOT_YET_VALID");
    const struct eseal_check *c = check_of(&r, "validity");
    char *when = eseal_pki_time(nb);
    assert_non_null(strstr(c->expected, when));
    free(when);
    eseal_report_cleanup(&r);
}

static void test_own_tampered(void **state)
{
    struct fixture *f = *state;
    /* Flip a byte at a few places: whatever the place, the verdict is
     * never TOTAL_PASSED. Byte 0 turns the outer SEQUENCE tag 0x30 into
     * 0x10 (primitive), which OpenSSL's d2i_ASN1_SEQUENCE_ANY accepts: the
     * parser must refuse it itself. */
    const size_t places[] = {
        0, 4, 7, f->ses.len / 3, f->ses.len / 2, f->ses.len - 80, f->ses.len - 1};
    for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
        struct eseal_buf bad;
        copy_buf(&bad, &f->ses);
        bad.data[places[i]] ^= 0x20;
        struct eseal_report r;
        verify_ses(&r, &bad, f->doc_sm3, f->trust, 0, true);
        if (r.indication == ESEAL_TOTAL_PASSED)
            fail_msg("flipped byte %zu of %zu still passes", places[i], bad.len);
        eseal_report_cleanup(&r);
        eseal_buf_cleanup(&bad);
    }
}

/* ---- the report --------------------------------------------------------- */

static void test_report_json(void **state)
{
    struct fixture *f = *state;
    uint8_t wrong[ESEAL_SM3_LEN] = {0};
    struct eseal_report r;
    verify_ses(&r, &f->ses, wrong, f->trust, 0, true);
    json_t *j = eseal_report_json(&r);
    static const char *const top[] = {
        "indication",       "subIndication", "validationTime", "bestSignatureTime",
        "claimedTime",      "esID",          "sealName",       "signer",
        "propertyInfo",     "statusSource",  "sealStatus",     "statusAsOf",
        "statusNextUpdate", "statusFresh",   "checks",         "timeStamp"};
    for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
        if (json_object_get(j, top[i]) == NULL)
            fail_msg("no %s in the report JSON", top[i]);
    assert_int_equal(json_object_size(j), sizeof(top) / sizeof(top[0]));
    assert_string_equal(json_string_value(json_object_get(j, "indication")), "TOTAL_FAILED");
    assert_string_equal(json_string_value(json_object_get(j, "subIndication")), "HASH_FAILURE");
    assert_string_equal(json_string_value(json_object_get(j, "esID")), "35010000000001");
    assert_string_equal(json_string_value(json_object_get(j, "sealName")), "福州市测试局");
    assert_string_equal(json_string_value(json_object_get(j, "propertyInfo")), "notice.txt");
    const char *vt = json_string_value(json_object_get(j, "validationTime"));
    assert_non_null(vt);
    assert_int_equal(strlen(vt), 20);
    assert_int_equal(vt[10], 'T');
    assert_int_equal(vt[19], 'Z');
    json_t *checks = json_object_get(j, "checks");
    assert_int_equal(json_array_size(checks), r.n_checks);
    size_t i;
    json_t *c;
    json_array_foreach(checks, i, c)
    {
        static const char *const fields[] = {"key",     "status",   "subIndication",
                                             "message", "expected", "actual"};
        for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
            if (json_object_get(c, fields[k]) == NULL)
                fail_msg("check %zu has no %s", i, fields[k]);
        assert_string_equal(json_string_value(json_object_get(c, "key")), r.checks[i].key);
        json_t *m = json_object_get(c, "message");
        assert_string_equal(json_string_value(json_object_get(m, "zh")), r.checks[i].message_zh);
        assert_string_equal(json_string_value(json_object_get(m, "en")), r.checks[i].message_en);
    }
    json_t *dh = json_array_get(checks, 1);
    assert_string_equal(json_string_value(json_object_get(dh, "key")), "data_hash");
    assert_string_equal(json_string_value(json_object_get(dh, "status")), "FAILED");
    assert_string_equal(json_string_value(json_object_get(dh, "subIndication")), "HASH_FAILURE");
    assert_string_equal(json_string_value(json_object_get(dh, "actual")),
                        "0000000000000000000000000000000000000000000000000000000000000000");
    json_t *fmt = json_array_get(checks, 0);
    assert_true(json_is_null(json_object_get(fmt, "subIndication")));
    assert_string_equal(json_string_value(json_object_get(fmt, "status")), "PASSED");
    json_decref(j);
    eseal_report_cleanup(&r);

    /* A format failure has no seal to describe: those fields are null. */
    struct eseal_buf junk;
    eseal_buf_init(&junk);
    eseal_buf_append_str(&junk, "not a seal signature");
    verify_ses(&r, &junk, NULL, NULL, AT_2021, true);
    j = eseal_report_json(&r);
    assert_true(json_is_null(json_object_get(j, "esID")));
    assert_true(json_is_null(json_object_get(j, "claimedTime")));
    assert_string_equal(json_string_value(json_object_get(j, "validationTime")),
                        "2021-01-01T00:00:00Z");
    json_decref(j);
    eseal_report_cleanup(&r);
    eseal_buf_cleanup(&junk);
}

static void test_report_print(void **state)
{
    struct fixture *f = *state;
    struct eseal_report r;
    verify_ses(&r, &f->v4, NULL, NULL, AT_2021, true);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    eseal_report_print(&r, out);
    fclose(out);
    assert_non_null(strstr(text, "INDETERMINATE SIGNED_DATA_NOT_FOUND"));
    /* words for people first (#19): the check's name in Chinese, Beijing time */
    assert_non_null(strstr(text, "[无法确定 INDETERMINATE] 文档摘要 (data_hash)"));
    assert_non_null(strstr(text, "验证时间 / validation time: 2021-"));
    assert_non_null(strstr(text, " 北京时间 (2021-"));
    for (size_t i = 0; i < r.n_checks; i++) {
        assert_non_null(strstr(text, r.checks[i].key));
        assert_non_null(strstr(text, r.checks[i].message_zh));
        assert_non_null(strstr(text, r.checks[i].message_en));
    }
    /* one line per check after the header lines */
    size_t lines = 0;
    for (char *p = text; *p; p++)
        lines += *p == '\n';
    assert_true(lines >= r.n_checks + 1);
    free(text);
    eseal_report_cleanup(&r);

    /* Cleanup leaves an empty, reusable report. */
    assert_int_equal(r.n_checks, 0);
    assert_null(r.checks);
    assert_int_equal(r.indication, ESEAL_TOTAL_PASSED);
    eseal_report_cleanup(&r);
}

static void test_report_names(void **state)
{
    (void)state;
    assert_string_equal(eseal_indication_name(ESEAL_TOTAL_PASSED), "TOTAL_PASSED");
    assert_string_equal(eseal_indication_name(ESEAL_TOTAL_FAILED), "TOTAL_FAILED");
    assert_string_equal(eseal_indication_name(ESEAL_INDETERMINATE), "INDETERMINATE");
    struct eseal_report r;
    eseal_report_init(&r);
    r.indication = ESEAL_TOTAL_FAILED;
    assert_int_equal(eseal_report_exit_code(&r), 1);
    r.indication = ESEAL_INDETERMINATE;
    assert_int_equal(eseal_report_exit_code(&r), 2);
    r.indication = ESEAL_TOTAL_PASSED;
    assert_int_equal(eseal_report_exit_code(&r), 0);
    eseal_report_cleanup(&r);
}

/* ---- seals alone -------------------------------------------------------- */

static void verify_seal(struct eseal_report *r, const struct eseal_buf *seal,
                        STACK_OF(X509) * trust, time_t at)
{
    struct eseal_verify_opts o = {.trust = trust, .at = at};
    eseal_report_init(r);
    eseal_verify_seal(r, seal->data, seal->len, &o);
}

static void test_seal_own(void **state)
{
    struct fixture *f = *state;
    struct eseal_report r;
    verify_seal(&r, &f->seal, f->trust, 0);
    assert_int_equal(r.n_checks, 4);
    assert_check(&r, "format", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "seal_signature", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "chain", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "validity", ESEAL_CHECK_PASSED, NULL);
    assert_verdict(&r, ESEAL_TOTAL_PASSED, NULL);
    assert_string_equal(r.esid, "35010000000001");
    assert_null(r.signer);
    assert_int_equal(r.claimed_time, 0);
    eseal_report_cleanup(&r);

    verify_seal(&r, &f->seal, f->foreign, 0);
    assert_check(&r, "chain", ESEAL_CHECK_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND");
    eseal_report_cleanup(&r);

    struct eseal_buf bad;
    copy_buf(&bad, &f->seal);
    uint8_t *png = memmem(bad.data, bad.len, "IHDR", 4);
    assert_non_null(png);
    png[0] ^= 0x01;
    verify_seal(&r, &bad, f->trust, 0);
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "SEAL_CRYPTO_FAILURE");
    eseal_report_cleanup(&r);

    png[0] ^= 0x01;
    bad.data[0] ^= 0x20; /* SEQUENCE tag 0x30 -> 0x10 (primitive): not DER */
    verify_seal(&r, &bad, f->trust, 0);
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "FORMAT_FAILURE");
    eseal_report_cleanup(&r);
    bad.data[0] ^= 0x20;

    bad.len /= 2;
    verify_seal(&r, &bad, f->trust, 0);
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "FORMAT_FAILURE");
    assert_int_equal(r.n_checks, 1);
    eseal_report_cleanup(&r);
    eseal_buf_cleanup(&bad);
}

static void test_seal_vectors(void **state)
{
    (void)state;
    static const char *const files[] = {"ofdrw/UserV1.esl", "ofdrw/UserV4.esl", "ofdrw/UserV5.esl"};
    for (size_t i = 0; i < 3; i++) {
        struct eseal_buf seal;
        eseal_buf_init(&seal);
        read_testdata(&seal, files[i]);
        struct eseal_report r;
        verify_seal(&r, &seal, NULL, AT_2021);
        assert_check(&r, "seal_signature", ESEAL_CHECK_PASSED, NULL);
        assert_check(&r, "chain", ESEAL_CHECK_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND");
        eseal_report_cleanup(&r);
        eseal_buf_cleanup(&seal);
    }
    /* UserV4 at 2021 is within its dates; today it is past them. */
    struct eseal_buf seal;
    eseal_buf_init(&seal);
    read_testdata(&seal, "ofdrw/UserV4.esl");
    struct eseal_report r;
    verify_seal(&r, &seal, NULL, AT_2021);
    assert_check(&r, "validity", ESEAL_CHECK_PASSED, NULL);
    eseal_report_cleanup(&r);
    verify_seal(&r, &seal, NULL, 0);
    /* a seal alone past its end has expired: no signature waits for a proof */
    assert_check(&r, "validity", ESEAL_CHECK_FAILED, "EXPIRED");
    eseal_report_cleanup(&r);
    verify_seal(&r, &seal, NULL, AT_2021 - 400L * DAY);
    assert_check(&r, "validity", ESEAL_CHECK_FAILED, "NOT_YET_VALID");
    eseal_report_cleanup(&r);
    eseal_buf_cleanup(&seal);
}

/* ---- trust anchors ------------------------------------------------------ */

static char *write_tmp(struct fixture *f, const char *name, const char *text)
{
    char *path = eseal_path_join(f->tmp, name);
    assert_int_equal(eseal_file_write(path, text, strlen(text), 0644, 0, NULL), ESEAL_OK);
    return path;
}

static void test_load_trust(void **state)
{
    struct fixture *f = *state;
    char *a = eseal_pki_cert_pem(f->root);
    char *b = eseal_pki_cert_pem(f->foreign_root);
    char *both = eseal_xasprintf("# platform root\n%s\nforeign root:\n%s", a, b);
    char *path = write_tmp(f, "trust.pem", both);
    STACK_OF(X509) *sk = NULL;
    struct eseal_err err;
    assert_int_equal(eseal_verify_load_trust(&sk, path, &err), ESEAL_OK);
    assert_int_equal(sk_X509_num(sk), 2);
    assert_int_equal(X509_cmp(sk_X509_value(sk, 0), f->root), 0);
    assert_int_equal(X509_cmp(sk_X509_value(sk, 1), f->foreign_root), 0);
    sk_X509_pop_free(sk, X509_free);
    free(path);

    /* No certificate at all. */
    path = write_tmp(f, "empty.pem", "nothing here\n");
    assert_int_equal(eseal_verify_load_trust(&sk, path, &err), ESEAL_E_INVALID);
    assert_null(sk);
    assert_non_null(strstr(err.msg, "no PEM certificate"));
    free(path);

    /* A broken second certificate is an error, not a shorter list. */
    char *broken =
        eseal_xasprintf("%s-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", a);
    path = write_tmp(f, "broken.pem", broken);
    assert_int_equal(eseal_verify_load_trust(&sk, path, &err), ESEAL_E_INVALID);
    assert_null(sk);
    assert_non_null(strstr(err.msg, "certificate 2"));
    free(path);
    free(broken);

    /* An unterminated block. */
    broken = eseal_xasprintf("%.*s", (int)(strlen(a) - 30), a);
    path = write_tmp(f, "cut.pem", broken);
    assert_int_equal(eseal_verify_load_trust(&sk, path, &err), ESEAL_E_INVALID);
    free(path);
    free(broken);

    path = eseal_path_join(f->tmp, "missing.pem");
    assert_int_equal(eseal_verify_load_trust(&sk, path, &err), ESEAL_E_NOTFOUND);
    free(path);
    free(a);
    free(b);
    free(both);
}

/* ---- status sources ------------------------------------------------------ */

/* status_of fills a status of |f|'s seal (version 1), fresh now. */
static void status_of(struct fixture *f, struct eseal_status_info *i, enum eseal_status st,
                      const char *reason, int64_t status_time)
{
    struct eseal_seal *seal = NULL;
    assert_int_equal(eseal_seal_parse(&seal, f->seal.data, f->seal.len, NULL), ESEAL_OK);
    const struct eseal_seal_info *si = eseal_seal_info(seal);
    int64_t now = (int64_t)time(NULL);
    memset(i, 0, sizeof(*i));
    snprintf(i->esid, sizeof(i->esid), "%s", si->esid);
    i->version = 1;
    eseal_sm3(i->seal_sm3, f->seal.data, f->seal.len);
    eseal_sm3(i->picture_sm3, si->picture, si->picture_len);
    char *serial = eseal_pki_serial(X509_get0_serialNumber(f->holder));
    snprintf(i->cert_serial, sizeof(i->cert_serial), "%s", serial);
    free(serial);
    i->status = st;
    snprintf(i->reason, sizeof(i->reason), "%s", reason);
    i->status_time = status_time;
    i->this_update = now;
    i->next_update = now + DAY;
    snprintf(i->checkpoint.origin, sizeof(i->checkpoint.origin), "test log");
    i->checkpoint.size = 1;
    eseal_seal_free(seal);
}

/* status_file signs |i| with |sign| into a file; returns its path. */
static char *status_file(struct fixture *f, const struct eseal_status_info *i, eseal_signer sign)
{
    struct eseal_buf der;
    eseal_buf_init(&der);
    assert_int_equal(eseal_status_sign(&der, i, sign, f->ca, NULL), ESEAL_OK);
    char *path = eseal_path_join(f->tmp, "status.der");
    assert_int_equal(eseal_file_write(path, der.data, der.len, 0644, 0, NULL), ESEAL_OK);
    eseal_buf_cleanup(&der);
    return path;
}

static char *ca_file(struct fixture *f, const char *name)
{
    char *dir = eseal_path_join(f->tmp, "ca");
    char *path = eseal_path_join(dir, name);
    free(dir);
    return path;
}

/* verify_with verifies |ses| (or the seal alone when |ses| is NULL) with the
 * status in |i| signed by the responder, at |at|. */
static void verify_with(struct fixture *f, struct eseal_report *r, const struct eseal_buf *ses,
                        const struct eseal_status_info *i, time_t at)
{
    char *path = status_file(f, i, tu_ca_responder_signer);
    char *responder = ca_file(f, "responder.pem");
    struct eseal_verify_opts o = {.trust = f->trust, .at = at};
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_status_source_file(&o.status, path, responder, f->trust, &err) != ESEAL_OK)
        fail_msg("status source: %s", err.msg);
    eseal_report_init(r);
    if (ses != NULL)
        eseal_verify_ses(r, ses->data, ses->len, f->doc_sm3, &o);
    else
        eseal_verify_seal(r, f->seal.data, f->seal.len, &o);
    eseal_status_source_free(o.status);
    free(path);
    free(responder);
}

static void test_status_file_verdicts(void **state)
{
    struct fixture *f = *state;
    int64_t now = (int64_t)time(NULL);
    struct eseal_status_info i;
    struct eseal_report r;

    status_of(f, &i, ESEAL_STATUS_GOOD, "", now - 60);
    verify_with(f, &r, &f->ses, &i, 0);
    assert_check(&r, "status", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "picture", ESEAL_CHECK_PASSED, NULL);
    assert_verdict(&r, ESEAL_TOTAL_PASSED, NULL);
    assert_string_equal(r.status, "good");
    assert_int_equal((int64_t)r.status_next_update, i.next_update);
    assert_non_null(strstr(r.status_source, "status response of 35010000000001"));
    eseal_report_cleanup(&r);

    /* stale: nextUpdate has passed */
    i.this_update = now - 2 * DAY;
    i.next_update = now - 10;
    verify_with(f, &r, &f->ses, &i, 0);
    assert_check(&r, "status", ESEAL_CHECK_INDETERMINATE, "TRY_LATER");
    assert_verdict(&r, ESEAL_INDETERMINATE, "TRY_LATER");
    eseal_report_cleanup(&r);
    /* not yet current: thisUpdate an hour ahead */
    i.this_update = now + 3600;
    i.next_update = now + DAY;
    verify_with(f, &r, &f->ses, &i, 0);
    assert_check(&r, "status", ESEAL_CHECK_INDETERMINATE, "TRY_LATER");
    eseal_report_cleanup(&r);

    status_of(f, &i, ESEAL_STATUS_PENDING, "", now - 60);
    verify_with(f, &r, &f->ses, &i, 0);
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "NOT_YET_VALID");
    eseal_report_cleanup(&r);

    status_of(f, &i, ESEAL_STATUS_SUSPENDED, "certificateHold", now - 60);
    verify_with(f, &r, &f->ses, &i, 0);
    assert_verdict(&r, ESEAL_INDETERMINATE, "TRY_LATER");
    eseal_report_cleanup(&r);

    /* revoked after the claimed signing time: no proof of existence */
    status_of(f, &i, ESEAL_STATUS_REVOKED, "keyCompromise", now + 3600);
    verify_with(f, &r, &f->ses, &i, (time_t)(now + DAY));
    assert_check(&r, "status", ESEAL_CHECK_INDETERMINATE, "REVOKED_NO_POE");
    assert_verdict(&r, ESEAL_INDETERMINATE, "REVOKED_NO_POE");
    eseal_report_cleanup(&r);
    /* validated at a time before the revocation: good then */
    verify_with(f, &r, &f->ses, &i, (time_t)(now + 60));
    assert_check(&r, "status", ESEAL_CHECK_PASSED, NULL);
    eseal_report_cleanup(&r);
    /* revoked after the claim, but the key was reported lost before it: the
     * invalidity date counts (issue #12, "the time of a compromise") */
    i.invalidity_date = now - 3600;
    verify_with(f, &r, &f->ses, &i, (time_t)(now + DAY));
    assert_check(&r, "status", ESEAL_CHECK_FAILED, "REVOKED");
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "REVOKED");
    assert_non_null(strstr(check_of(&r, "status")->actual, "key compromised since"));
    eseal_report_cleanup(&r);
    /* reported lost after the claim: still no proof of existence */
    i.invalidity_date = now + 1800;
    verify_with(f, &r, &f->ses, &i, (time_t)(now + DAY));
    assert_verdict(&r, ESEAL_INDETERMINATE, "REVOKED_NO_POE");
    eseal_report_cleanup(&r);
    /* validated between the loss and the revocation: not good then */
    verify_with(f, &r, &f->ses, &i, (time_t)(now + 2400));
    assert_check(&r, "status", ESEAL_CHECK_INDETERMINATE, "REVOKED_NO_POE");
    eseal_report_cleanup(&r);
    /* the signer claims to have signed after the revocation */
    status_of(f, &i, ESEAL_STATUS_REVOKED, "superseded", now - 3600);
    verify_with(f, &r, &f->ses, &i, 0);
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "REVOKED");
    eseal_report_cleanup(&r);

    status_of(f, &i, ESEAL_STATUS_EXPIRED, "", now - 60);
    verify_with(f, &r, &f->ses, &i, 0);
    assert_verdict(&r, ESEAL_INDETERMINATE, "OUT_OF_BOUNDS_NO_POE");
    eseal_report_cleanup(&r);

    /* the published picture digest differs */
    status_of(f, &i, ESEAL_STATUS_GOOD, "", now - 60);
    i.picture_sm3[0] ^= 1;
    verify_with(f, &r, &f->ses, &i, 0);
    assert_check(&r, "picture", ESEAL_CHECK_FAILED, "PICTURE_MISMATCH");
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "PICTURE_MISMATCH");
    eseal_report_cleanup(&r);

    /* a status of another seal does not speak for this one */
    status_of(f, &i, ESEAL_STATUS_GOOD, "", now - 60);
    i.seal_sm3[0] ^= 1;
    verify_with(f, &r, &f->ses, &i, 0);
    assert_check(&r, "status", ESEAL_CHECK_INDETERMINATE, "STATUS_NOT_COVERED");
    assert_non_null(strstr(check_of(&r, "status")->actual, "another seal"));
    assert_non_null(strstr(check_of(&r, "status")->actual, "eseal status fetch"));
    eseal_report_cleanup(&r);

    /* a seal alone, with a source: status and picture are checked */
    status_of(f, &i, ESEAL_STATUS_REVOKED, "cessationOfOperation", now - 60);
    verify_with(f, &r, NULL, &i, 0);
    /* about the seal only: no signature, no time-stamp to speak of (#19) */
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "REVOKED");
    assert_true(r.seal_alone);
    for (size_t k = 0; k < r.n_checks; k++) {
        assert_null(strstr(r.checks[k].message_zh, "时间戳"));
        assert_null(strstr(r.checks[k].message_en, "time-stamp"));
        assert_null(strstr(r.checks[k].message_en, "signature existed"));
    }
    assert_check(&r, "picture", ESEAL_CHECK_PASSED, NULL);
    eseal_report_cleanup(&r);
    status_of(f, &i, ESEAL_STATUS_EXPIRED, "", now - 60);
    verify_with(f, &r, NULL, &i, 0);
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "EXPIRED");
    eseal_report_cleanup(&r);
    status_of(f, &i, ESEAL_STATUS_GOOD, "", now - 60);
    verify_with(f, &r, NULL, &i, 0);
    assert_verdict(&r, ESEAL_TOTAL_PASSED, NULL);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    eseal_report_print(&r, out);
    fclose(out);
    assert_non_null(strstr(text, "印章有效 / the seal is valid"));
    assert_null(strstr(text, "签章"));
    free(text);
    eseal_report_cleanup(&r);
}

/* ---- time-stamps (#16): tokens from the platform TSA's own code ------------ */

/* timestamped writes into |out| the signature |ses| with a time-stamp from
 * the TSA of the CA in |ca_dir| (ca/tsa.c, as eseal-publisherd answers)
 * over the signature value of |over| (|ses| itself for a true token). */
static void timestamped(struct eseal_buf *out, const char *ca_dir, const struct eseal_buf *ses,
                        const struct eseal_buf *over)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_ca *ca = NULL;
    struct eseal_ses *parsed = NULL;
    struct eseal_buf query, reply, token;
    eseal_buf_init(&query);
    eseal_buf_init(&reply);
    eseal_buf_init(&token);
    if (eseal_ca_open_unlocked(&ca, ca_dir, ESEAL_CA_UNLOCK_TSA, NULL, &err) != ESEAL_OK)
        fail_msg("TSA: %s", err.msg);
    assert_int_equal(eseal_ses_parse(&parsed, over->data, over->len, NULL), ESEAL_OK);
    const struct eseal_ses_info *i = eseal_ses_info(parsed);
    uint8_t sm3[ESEAL_SM3_LEN];
    eseal_sm3(sm3, i->signature, i->signature_len);
    struct eseal_ca_tsa_policy pol = {.policy_oid = "2.25.1", .accuracy_ms = 1000};
    assert_int_equal(eseal_ts_query(&query, sm3, NULL), ESEAL_OK);
    if (eseal_ca_timestamp(ca, &pol, query.data, query.len, &reply, &err) != ESEAL_OK ||
        eseal_ts_reply_token(&token, reply.data, reply.len, query.data, query.len, &err) !=
            ESEAL_OK ||
        eseal_ses_add_timestamp(out, ses->data, ses->len, token.data, token.len, &err) != ESEAL_OK)
        fail_msg("time-stamp: %s", err.msg);
    eseal_ses_free(parsed);
    eseal_ca_free(ca);
    eseal_buf_cleanup(&query);
    eseal_buf_cleanup(&reply);
    eseal_buf_cleanup(&token);
}

static void test_timestamp(void **state)
{
    struct fixture *f = *state;
    setenv("ESEAL_PASSPHRASE", TU_CA_PASS, 1);
    int64_t now = (int64_t)time(NULL);
    struct eseal_buf ts, other, broken, foreign;
    eseal_buf_init(&ts);
    eseal_buf_init(&other);
    eseal_buf_init(&broken);
    eseal_buf_init(&foreign);
    timestamped(&ts, f->ca->dir, &f->ses, &f->ses);
    struct eseal_report r;
    struct eseal_status_info i;

    /* a good token: proof of existence, the best signature time */
    verify_ses(&r, &ts, f->doc_sm3, f->trust, 0, true);
    assert_check(&r, "timestamp", ESEAL_CHECK_PASSED, NULL);
    assert_verdict(&r, ESEAL_TOTAL_PASSED, NULL);
    assert_true(r.poe_time >= (time_t)now - 5 && r.poe_time <= (time_t)now + 5);
    assert_int_equal((int64_t)r.best_signature_time, (int64_t)r.poe_time);
    assert_non_null(strstr(r.poe_tsa, "CN=福建省电子印章服务平台时间戳服务"));
    assert_non_null(strstr(check_of(&r, "timestamp")->actual, "policy 2.25.1"));
    json_t *j = eseal_report_json(&r);
    const char *bj =
        json_string_value(json_object_get(json_object_get(j, "timeStamp"), "genTimeBeijing"));
    assert_non_null(bj);
    assert_non_null(strstr(bj, "北京时间"));
    json_decref(j);
    char *text = NULL;
    size_t text_len = 0;
    FILE *mem = open_memstream(&text, &text_len);
    eseal_report_print(&r, mem);
    fclose(mem);
    assert_non_null(strstr(text, "时间戳证明的签署时间 / proven time (time-stamp): "));
    assert_non_null(strstr(text, "北京时间"));
    free(text);
    eseal_report_cleanup(&r);

    /* revoked an hour after the time-stamp, validated a day later: the
     * signature is proved to predate the revocation */
    status_of(f, &i, ESEAL_STATUS_REVOKED, "cessationOfOperation", now + 3600);
    verify_with(f, &r, &ts, &i, (time_t)(now + DAY));
    assert_check(&r, "status", ESEAL_CHECK_PASSED, NULL);
    assert_non_null(strstr(check_of(&r, "status")->message_en, "predates"));
    assert_verdict(&r, ESEAL_TOTAL_PASSED, NULL);
    eseal_report_cleanup(&r);
    /* the same without the token: no proof, as before */
    verify_with(f, &r, &f->ses, &i, (time_t)(now + DAY));
    assert_verdict(&r, ESEAL_INDETERMINATE, "REVOKED_NO_POE");
    eseal_report_cleanup(&r);
    /* a key reported lost before the time-stamp (invalidityDate) counts */
    i.invalidity_date = now - 600;
    verify_with(f, &r, &ts, &i, (time_t)(now + DAY));
    assert_check(&r, "status", ESEAL_CHECK_FAILED, "REVOKED");
    eseal_report_cleanup(&r);

    /* revoked before the time-stamp: the signature was made after it */
    status_of(f, &i, ESEAL_STATUS_REVOKED, "superseded", now - 3600);
    verify_with(f, &r, &ts, &i, 0);
    assert_check(&r, "status", ESEAL_CHECK_FAILED, "REVOKED");
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "REVOKED");
    eseal_report_cleanup(&r);

    /* a token over another signature value: broken, proves nothing, and
     * never raises the verdict */
    make_ses(&other, &f->seal, f->doc_sm3, 0, f->holder, f->holder_key);
    timestamped(&broken, f->ca->dir, &f->ses, &other);
    status_of(f, &i, ESEAL_STATUS_REVOKED, "cessationOfOperation", now + 3600);
    verify_with(f, &r, &broken, &i, (time_t)(now + DAY));
    assert_check(&r, "timestamp", ESEAL_CHECK_INDETERMINATE, "TIMESTAMP_INVALID");
    assert_non_null(strstr(check_of(&r, "timestamp")->actual, "imprint"));
    assert_verdict(&r, ESEAL_INDETERMINATE, "REVOKED_NO_POE");
    assert_int_equal((int64_t)r.poe_time, 0);
    eseal_report_cleanup(&r);
    verify_ses(&r, &broken, f->doc_sm3, f->trust, 0, true);
    assert_verdict(&r, ESEAL_INDETERMINATE, "TIMESTAMP_INVALID");
    eseal_report_cleanup(&r);

    /* a token from another platform's TSA: not trusted, proves nothing */
    char *dir = eseal_xasprintf("%s/foreign-ca", f->tmp);
    struct eseal_err err;
    if (eseal_ca_init(dir, TU_CA_PASS, strlen(TU_CA_PASS), NULL, &err) != ESEAL_OK)
        fail_msg("foreign CA: %s", err.msg);
    timestamped(&foreign, dir, &f->ses, &f->ses);
    free(dir);
    verify_with(f, &r, &foreign, &i, (time_t)(now + DAY));
    assert_check(&r, "timestamp", ESEAL_CHECK_INDETERMINATE, "TIMESTAMP_UNTRUSTED");
    assert_verdict(&r, ESEAL_INDETERMINATE, "REVOKED_NO_POE");
    eseal_report_cleanup(&r);

    /* a timeStamp that holds no token */
    static const uint8_t junk[] = "not a time-stamp token";
    assert_int_equal(
        eseal_ses_add_timestamp(&broken, f->ses.data, f->ses.len, junk, sizeof(junk), NULL),
        ESEAL_OK);
    verify_ses(&r, &broken, f->doc_sm3, f->trust, 0, true);
    assert_check(&r, "timestamp", ESEAL_CHECK_INDETERMINATE, "TIMESTAMP_INVALID");
    assert_check(&r, "signature", ESEAL_CHECK_PASSED, NULL);
    eseal_report_cleanup(&r);
    /* one time-stamp per signature */
    assert_int_equal(eseal_ses_add_timestamp(&other, ts.data, ts.len, junk, sizeof(junk), NULL),
                     ESEAL_E_INVALID);

    eseal_buf_cleanup(&ts);
    eseal_buf_cleanup(&other);
    eseal_buf_cleanup(&broken);
    eseal_buf_cleanup(&foreign);
}

static void test_status_file_refused(void **state)
{
    struct fixture *f = *state;
    struct eseal_status_info i;
    status_of(f, &i, ESEAL_STATUS_GOOD, "", (int64_t)time(NULL));
    char *responder = ca_file(f, "responder.pem"), *maker = ca_file(f, "maker.pem");
    struct eseal_status_source *s = NULL;
    struct eseal_err err;
    /* signed by the maker's key, not the responder's */
    char *path = status_file(f, &i, tu_ca_maker_signer);
    assert_int_equal(eseal_status_source_file(&s, path, responder, f->trust, &err), ESEAL_E_CRYPTO);
    assert_null(s);
    free(path);
    /* the maker is not a status responder (no id-kp-OCSPSigning) */
    path = status_file(f, &i, tu_ca_responder_signer);
    assert_int_not_equal(eseal_status_source_file(&s, path, maker, f->trust, &err), ESEAL_OK);
    assert_non_null(strstr(err.msg, "OCSPSigning"));
    /* a responder that does not chain to the trust anchors */
    assert_int_not_equal(eseal_status_source_file(&s, path, responder, f->foreign, &err), ESEAL_OK);
    assert_int_not_equal(eseal_status_source_file(&s, path, responder, NULL, &err), ESEAL_OK);
    assert_int_not_equal(eseal_status_source_file(&s, path, NULL, f->trust, &err), ESEAL_OK);
    free(path);
    /* garbage, and a truncated response */
    path = ca_file(f, "root.pem");
    assert_int_equal(eseal_status_source_file(&s, path, responder, f->trust, &err),
                     ESEAL_E_INVALID);
    free(path);
    struct eseal_buf der;
    eseal_buf_init(&der);
    assert_int_equal(eseal_status_sign(&der, &i, tu_ca_responder_signer, f->ca, NULL), ESEAL_OK);
    path = eseal_path_join(f->tmp, "cut.der");
    assert_int_equal(eseal_file_write(path, der.data, der.len - 7, 0644, 0, NULL), ESEAL_OK);
    assert_int_equal(eseal_status_source_file(&s, path, responder, f->trust, &err),
                     ESEAL_E_INVALID);
    free(path);
    eseal_buf_cleanup(&der);
    free(responder);
    free(maker);
}

/* list_file signs a list of |shard|/16 holding |i| (or nothing): full, or a
 * delta from |base| when it is not 0. */
static char *list_file(struct fixture *f, const struct eseal_status_info *i, unsigned shard,
                       bool with_entry, uint64_t base)
{
    struct eseal_status_list_entry e = {
        .version = 1, .status = i->status, .status_time = i->status_time};
    snprintf(e.esid, sizeof(e.esid), "%s", i->esid);
    memcpy(e.seal_sm3, i->seal_sm3, ESEAL_SM3_LEN);
    snprintf(e.cert_serial, sizeof(e.cert_serial), "%s", i->cert_serial);
    snprintf(e.reason, sizeof(e.reason), "%s", i->reason);
    struct eseal_status_list l = {.shard = shard,
                                  .shard_count = 16,
                                  .number = 7,
                                  .delta = base > 0,
                                  .base_number = base,
                                  .this_update = i->this_update,
                                  .next_update = i->next_update,
                                  .checkpoint_size = 1,
                                  .n_entries = with_entry ? 1 : 0,
                                  .entries = &e};
    struct eseal_buf der;
    eseal_buf_init(&der);
    assert_int_equal(eseal_status_list_sign(&der, &l, tu_ca_responder_signer, f->ca, NULL),
                     ESEAL_OK);
    char *path = eseal_path_join(f->tmp, "list.der");
    assert_int_equal(eseal_file_write(path, der.data, der.len, 0644, 0, NULL), ESEAL_OK);
    eseal_buf_cleanup(&der);
    return path;
}

static void verify_list(struct fixture *f, struct eseal_report *r, char *path)
{
    char *responder = ca_file(f, "responder.pem");
    /* a day ahead: after the revocation below, within the seal's validity */
    struct eseal_verify_opts o = {.trust = f->trust, .at = time(NULL) + DAY};
    assert_int_equal(eseal_status_source_file(&o.status, path, responder, f->trust, NULL),
                     ESEAL_OK);
    eseal_report_init(r);
    eseal_verify_ses(r, f->ses.data, f->ses.len, f->doc_sm3, &o);
    eseal_status_source_free(o.status);
    free(responder);
    free(path);
}

static void test_status_list_file(void **state)
{
    struct fixture *f = *state;
    struct eseal_status_info i;
    status_of(f, &i, ESEAL_STATUS_REVOKED, "keyCompromise", (int64_t)time(NULL) + 3600);
    unsigned shard = eseal_status_shard(i.esid, 16);
    struct eseal_report r;
    verify_list(f, &r, list_file(f, &i, shard, true, 0));
    assert_verdict(&r, ESEAL_INDETERMINATE, "REVOKED_NO_POE");
    assert_check(&r, "picture", ESEAL_CHECK_SKIPPED, NULL); /* lists carry no picture digest */
    assert_non_null(strstr(r.status_source, "status list 7 of shard"));
    eseal_report_cleanup(&r);
    /* the right shard without the seal: unknown */
    verify_list(f, &r, list_file(f, &i, shard, false, 0));
    assert_verdict(&r, ESEAL_INDETERMINATE, "SEAL_STATUS_UNKNOWN");
    eseal_report_cleanup(&r);
    /* a delta is not a status file: it says nothing of what did not change */
    char *path = list_file(f, &i, shard, true, 6), *responder = ca_file(f, "responder.pem");
    struct eseal_status_source *src = NULL;
    struct eseal_err err;
    assert_int_equal(eseal_status_source_file(&src, path, responder, f->trust, &err),
                     ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "delta"));
    assert_null(src);
    free(path);
    free(responder);
    /* another shard says nothing about the seal */
    verify_list(f, &r, list_file(f, &i, (shard + 1) % 16, false, 0));
    assert_verdict(&r, ESEAL_INDETERMINATE, "STATUS_NOT_COVERED");
    char *want = eseal_xasprintf("seal %s is in shard %u (/lists/%u/full)", r.esid, shard, shard);
    assert_non_null(strstr(check_of(&r, "status")->actual, want));
    free(want);
    eseal_report_cleanup(&r);
}

static void test_status_url_unreachable(void **state)
{
    struct fixture *f = *state;
    struct eseal_verify_opts o = {.trust = f->trust};
    /* without trust anchors nothing could be authenticated: refused now,
     * not "try later" (#19) */
    struct eseal_err e;
    eseal_err_clear(&e);
    assert_int_equal(eseal_status_source_url(&o.status, "http://127.0.0.1:1/", NULL, &e),
                     ESEAL_E_INVALID);
    assert_non_null(strstr(e.msg, "--trust"));
    assert_int_equal(eseal_status_source_url(&o.status, "ftp://127.0.0.1:1/", f->trust, NULL),
                     ESEAL_E_INVALID);
    /* port 1 on loopback: nothing listens, the connection is refused */
    assert_int_equal(eseal_status_source_url(&o.status, "http://127.0.0.1:1/", f->trust, NULL),
                     ESEAL_OK);
    struct eseal_report r;
    eseal_report_init(&r);
    eseal_verify_ses(&r, f->ses.data, f->ses.len, f->doc_sm3, &o);
    assert_verdict(&r, ESEAL_INDETERMINATE, "TRY_LATER");
    assert_non_null(strstr(check_of(&r, "status")->actual, "/certs/responders.pem"));
    eseal_report_cleanup(&r);
    eseal_status_source_free(o.status);
    struct eseal_status_source *s = NULL;
    assert_int_equal(eseal_status_source_url(&s, "ftp://x", f->trust, NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_status_source_url(&s, "", f->trust, NULL), ESEAL_E_INVALID);
}

/* The cache answers the certificates, the maker signature and both chains
 * the second time,
 * with the same verdict; a changed seal is not answered from it. */
static void test_cache(void **state)
{
    struct fixture *f = *state;
    struct eseal_verify_opts o = {.trust = f->trust, .no_status = true};
    o.cache = eseal_verify_cache_new();
    struct eseal_report r1, r2;
    eseal_report_init(&r1);
    eseal_verify_ses(&r1, f->ses.data, f->ses.len, f->doc_sm3, &o);
    /* the first time nothing (the certList's copy of the signer's
     * certificate is recognised by its bytes) */
    assert_int_equal(eseal_verify_cache_hits(o.cache), 0);
    eseal_report_init(&r2);
    eseal_verify_ses(&r2, f->ses.data, f->ses.len, f->doc_sm3, &o);
    /* then both parsed certificates, the maker signature, both chains */
    assert_int_equal(eseal_verify_cache_hits(o.cache), 5);
    assert_int_equal(r1.indication, r2.indication);
    assert_int_equal(r1.n_checks, r2.n_checks);
    for (size_t i = 0; i < r1.n_checks; i++) {
        assert_int_equal(r1.checks[i].status, r2.checks[i].status);
        assert_string_equal(r1.checks[i].actual != NULL ? r1.checks[i].actual : "",
                            r2.checks[i].actual != NULL ? r2.checks[i].actual : "");
    }
    eseal_report_cleanup(&r1);
    eseal_report_cleanup(&r2);
    /* a flipped byte in the maker's signature: a different seal digest */
    struct eseal_buf bad;
    copy_buf(&bad, &f->seal);
    bad.data[bad.len - 3] ^= 1;
    eseal_report_init(&r1);
    eseal_verify_seal(&r1, bad.data, bad.len, &o);
    assert_check(&r1, "seal_signature", ESEAL_CHECK_FAILED, "SEAL_CRYPTO_FAILURE");
    eseal_report_cleanup(&r1);
    eseal_buf_cleanup(&bad);
    eseal_verify_cache_free(o.cache);
}

/* expect_not_passed verifies |der| and requires a verdict other than
 * TOTAL_PASSED, and a format check that either passed or says
 * FORMAT_FAILURE — never a crash (the ASan build runs this too). */
static void expect_not_passed(struct fixture *f, const uint8_t *der, size_t len, bool seal)
{
    struct eseal_verify_opts o = {.trust = f->trust, .no_status = true};
    struct eseal_report r;
    eseal_report_init(&r);
    if (seal)
        eseal_verify_seal(&r, der, len, &o);
    else
        eseal_verify_ses(&r, der, len, f->doc_sm3, &o);
    if (r.indication == ESEAL_TOTAL_PASSED)
        fail_msg("a changed %s of %zu bytes passed", seal ? "seal" : "signature", len);
    assert_true(r.n_checks >= 1);
    const struct eseal_check *c = check_of(&r, "format");
    assert_true(
        c->status == ESEAL_CHECK_PASSED ||
        (c->status == ESEAL_CHECK_FAILED && strcmp(c->sub_indication, "FORMAT_FAILURE") == 0));
    eseal_report_cleanup(&r);
}

/* Every single-byte change (sampled across the whole signature), every
 * truncation, long-form lengths and garbage: never TOTAL_PASSED, never a
 * crash. */
static void test_mutations(void **state)
{
    struct fixture *f = *state;
    const struct eseal_buf *in = &f->ses;
    struct eseal_buf m;
    copy_buf(&m, in);
    size_t step = in->len / 300 + 1;
    for (size_t i = 0; i < in->len; i += i + 100 >= in->len ? 1 : step) {
        static const uint8_t masks[] = {0x01, 0x80, 0xff};
        for (size_t k = 0; k < sizeof(masks); k++) {
            m.data[i] ^= masks[k];
            expect_not_passed(f, m.data, m.len, false);
            m.data[i] ^= masks[k];
        }
    }
    for (size_t n = 0; n < in->len; n += step)
        expect_not_passed(f, in->data, n, false);
    /* a length octet after each SEQUENCE tag made huge */
    for (size_t i = 0; i + 1 < in->len; i++)
        if (in->data[i] == 0x30) {
            uint8_t keep = m.data[i + 1];
            m.data[i + 1] = 0x84;
            expect_not_passed(f, m.data, m.len, false);
            m.data[i + 1] = 0xff;
            expect_not_passed(f, m.data, m.len, false);
            m.data[i + 1] = keep;
        }
    /* garbage of every small size and a few large ones (a fixed LCG) */
    uint32_t x = 12345;
    uint8_t junk[70000];
    for (size_t i = 0; i < sizeof(junk); i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (uint8_t)(x >> 16);
    }
    junk[0] = 0x30;
    for (size_t n = 0; n < 64; n++) {
        expect_not_passed(f, junk, n, false);
        expect_not_passed(f, junk, n, true);
    }
    expect_not_passed(f, junk, sizeof(junk), false);
    expect_not_passed(f, junk, sizeof(junk), true);
    /* the seal alone, sampled the same way, and every byte of its end (the
     * signature value and its unused-bits octet) */
    eseal_buf_cleanup(&m);
    copy_buf(&m, &f->seal);
    step = f->seal.len / 200 + 1;
    for (size_t i = 0; i < m.len; i += i + 100 >= m.len ? 1 : step) {
        m.data[i] ^= 0x01;
        expect_not_passed(f, m.data, m.len, true);
        m.data[i] ^= 0x01;
    }
    eseal_buf_cleanup(&m);
}

/* A holder who signs with a seal whose maker signature was forged: the
 * document signature verifies, the seal does not — SEAL_CRYPTO_FAILURE. */
static void test_forged_maker_signature(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf forged, ses;
    copy_buf(&forged, &f->seal);
    forged.data[forged.len - 3] ^= 0x01; /* inside the maker's signature value */
    eseal_buf_init(&ses);
    struct eseal_err err;
    if (eseal_ses_make(&ses, forged.data, forged.len, f->doc_sm3, "notice.txt", 0, f->holder,
                       key_signer, f->holder_key, &err) != ESEAL_OK)
        fail_msg("ses make: %s", err.msg);
    struct eseal_report r;
    verify_ses(&r, &ses, f->doc_sm3, f->trust, 0, true);
    assert_check(&r, "signature", ESEAL_CHECK_PASSED, NULL);
    assert_check(&r, "seal_signature", ESEAL_CHECK_FAILED, "SEAL_CRYPTO_FAILURE");
    assert_verdict(&r, ESEAL_TOTAL_FAILED, "SEAL_CRYPTO_FAILURE");
    eseal_report_cleanup(&r);
    eseal_buf_cleanup(&ses);
    eseal_buf_cleanup(&forged);
}

/* ---- documents and container formats --------------------------------------- */

/* A test format: documents starting "TWO" hold the fixture's signature
 * twice, once over the document's data and once over other data;
 * "NONE" documents hold no signature; "BAD" cannot be read. */
struct two {
    struct fixture *f;
    int n;
};

static bool two_probe(const uint8_t *in, size_t len)
{
    return (len >= 3 && memcmp(in, "TWO", 3) == 0) || (len >= 4 && memcmp(in, "NONE", 4) == 0) ||
           (len >= 3 && memcmp(in, "BAD", 3) == 0);
}

static struct fixture *two_fixture;

static eseal_rc two_open(void **state, const uint8_t *in, size_t len, const uint8_t *sig,
                         size_t sig_len, struct eseal_err *err)
{
    (void)len;
    (void)sig;
    (void)sig_len;
    if (memcmp(in, "BAD", 3) == 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "not a TWO document");
    struct two *t = eseal_xcalloc(1, sizeof(*t));
    t->f = two_fixture;
    t->n = memcmp(in, "NONE", 4) == 0 ? 2 : 0;
    *state = t;
    return ESEAL_OK;
}

static eseal_rc two_next(void *state, struct eseal_container_sig *out, struct eseal_err *err)
{
    (void)err;
    struct two *t = state;
    if (t->n == 2)
        return ESEAL_E_NOTFOUND;
    memset(out, 0, sizeof(*out));
    out->ses = t->f->ses.data;
    out->ses_len = t->f->ses.len;
    out->has_data = true;
    memcpy(out->data_sm3, t->f->doc_sm3, ESEAL_SM3_LEN);
    if (t->n == 1)
        out->data_sm3[0] ^= 1; /* the second signature's data was changed */
    snprintf(out->where, sizeof(out->where), "Sign_%d", t->n);
    t->n++;
    return ESEAL_OK;
}

static const struct eseal_container two_format = {
    .name = "two", .probe = two_probe, .open = two_open, .next = two_next, .close = free};

static void test_document(void **state)
{
    struct fixture *f = *state;
    two_fixture = f;
    struct eseal_verify_opts o = {.trust = f->trust, .no_status = true};
    const struct eseal_container *formats[] = {&two_format, &eseal_container_detached};
    struct eseal_document_report d;

    /* the detached format: the document is the signed bytes */
    eseal_document_report_init(&d);
    eseal_verify_document(&d, formats, 2, (const uint8_t *)doc, sizeof(doc) - 1, f->ses.data,
                          f->ses.len, &o);
    assert_string_equal(d.format, "detached");
    assert_int_equal(d.n_sigs, 1);
    assert_int_equal(d.indication, ESEAL_TOTAL_PASSED);
    json_t *j = eseal_document_report_json(&d);
    assert_string_equal(json_string_value(json_object_get(j, "indication")), "TOTAL_PASSED");
    assert_int_equal(json_array_size(json_object_get(j, "signatures")), 1);
    json_decref(j);
    eseal_document_report_cleanup(&d);
    /* without its signature */
    eseal_verify_document(&d, formats, 2, (const uint8_t *)doc, sizeof(doc) - 1, NULL, 0, &o);
    assert_int_equal(d.indication, ESEAL_TOTAL_FAILED);
    assert_string_equal(d.sub_indication, "FORMAT_FAILURE");
    assert_non_null(strstr(d.error, "detached"));
    eseal_document_report_cleanup(&d);

    /* two signatures, the second over changed data: the worst wins */
    eseal_verify_document(&d, formats, 2, (const uint8_t *)"TWO...", 6, NULL, 0, &o);
    assert_string_equal(d.format, "two");
    assert_int_equal(d.n_sigs, 2);
    assert_int_equal(d.sigs[0].indication, ESEAL_TOTAL_PASSED);
    assert_int_equal(d.sigs[1].indication, ESEAL_TOTAL_FAILED);
    assert_string_equal(d.where[1], "Sign_1");
    assert_int_equal(d.indication, ESEAL_TOTAL_FAILED);
    assert_string_equal(d.sub_indication, "HASH_FAILURE");
    eseal_document_report_cleanup(&d);

    /* no signature; unreadable; no format takes it */
    eseal_verify_document(&d, formats, 2, (const uint8_t *)"NONE", 4, NULL, 0, &o);
    assert_string_equal(d.sub_indication, "FORMAT_FAILURE");
    assert_int_equal(d.n_sigs, 0);
    eseal_document_report_cleanup(&d);
    eseal_verify_document(&d, formats, 2, (const uint8_t *)"BAD", 3, NULL, 0, &o);
    assert_string_equal(d.sub_indication, "FORMAT_FAILURE");
    assert_non_null(strstr(d.error, "not a TWO document"));
    eseal_document_report_cleanup(&d);
    eseal_verify_document(&d, formats, 1, (const uint8_t *)"plain", 5, NULL, 0, &o);
    assert_null(d.format);
    assert_string_equal(d.sub_indication, "FORMAT_FAILURE");
    eseal_document_report_cleanup(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_v4_verifies),
        cmocka_unit_test(test_vector_v4_hash_failure),
        cmocka_unit_test(test_vector_v4_no_document),
        cmocka_unit_test(test_vector_v4_now_out_of_bounds),
        cmocka_unit_test(test_vector_v4_flipped_signature),
        cmocka_unit_test(test_vector_v4_flipped_picture),
        cmocka_unit_test(test_vector_v4_truncated),
        cmocka_unit_test(test_vector_v5),
        cmocka_unit_test(test_status_without_source),
        cmocka_unit_test(test_own_total_passed),
        cmocka_unit_test(test_own_hash_failure),
        cmocka_unit_test(test_own_seal_cert_mismatch),
        cmocka_unit_test(test_own_foreign_root),
        cmocka_unit_test(test_own_claimed_after_valid_end),
        cmocka_unit_test(test_own_not_yet_valid),
        cmocka_unit_test(test_own_tampered),
        cmocka_unit_test(test_report_json),
        cmocka_unit_test(test_report_print),
        cmocka_unit_test(test_report_names),
        cmocka_unit_test(test_seal_own),
        cmocka_unit_test(test_seal_vectors),
        cmocka_unit_test(test_load_trust),
        cmocka_unit_test(test_status_file_verdicts),
        cmocka_unit_test(test_status_file_refused),
        cmocka_unit_test(test_status_list_file),
        cmocka_unit_test(test_status_url_unreachable),
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_document),
        cmocka_unit_test(test_forged_maker_signature),
        cmocka_unit_test(test_timestamp),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
