/* test_cms.c — electronic signatures (OFD Type="Sign", verifier/cms.c).
 *
 * The test data is made here with OpenSSL's CMS API, as a GB/T 35275
 * signer would: CMS_sign/CMS_add1_signer/CMS_final build a detached
 * SignedData over the data with SM3 and the signed attributes
 * (contentType GB/T 35275 data, messageDigest, signingTime); OpenSSL 3.0
 * cannot sign SM2 with the standard ID nor name the algorithm, so the
 * signatureAlgorithm is set to SM2-with-SM3 (1.2.156.10197.1.501) and the
 * signature replaced by core's eseal_sm2_sign (ID 1234567812345678) over
 * the DER of the signed attributes; last, the outer contentType becomes
 * 1.2.156.10197.6.1.4.2.2. Then: a good one passes, a changed byte of the
 * data is HASH_FAILURE, OpenSSL's own signature (empty ID) and a changed
 * signature are SIG_CRYPTO_FAILURE, a seal signature given as an
 * electronic signature and the reverse are named as such, and an ofdrw
 * OFD turned into Type="Sign" verifies through the document engine. */
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/sm.h"
#include "eseal/zip.h"
#include "internal.h"
#include "testutil.h"

struct fx {
    EVP_PKEY *key;
    X509 *cert;
    STACK_OF(X509) * trust;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_int_equal(eseal_sm2_keygen(&f->key, NULL), ESEAL_OK);
    f->cert = X509_new();
    X509_set_version(f->cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(f->cert), 7);
    X509_NAME *n = X509_get_subject_name(f->cert);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)"签名人 signer", -1,
                               -1, 0);
    X509_set_issuer_name(f->cert, n);
    X509_gmtime_adj(X509_getm_notBefore(f->cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(f->cert), 86400);
    X509_set_pubkey(f->cert, f->key);
    assert_int_equal(eseal_x509_sign(f->cert, f->key, NULL), ESEAL_OK);
    f->trust = sk_X509_new_null();
    X509_up_ref(f->cert);
    sk_X509_push(f->trust, f->cert);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    EVP_PKEY_free(f->key);
    X509_free(f->cert);
    sk_X509_pop_free(f->trust, X509_free);
    free(f);
    return 0;
}

/* make_cms signs |data| as described above into |out|; |with_id| false
 * keeps OpenSSL's own signature (no standard ID); |gm| the GB/T 35275
 * outer content type. */
static void make_cms(const struct fx *f, const uint8_t *data, size_t len, bool with_id, bool gm,
                     struct eseal_buf *out)
{
    BIO *in = BIO_new_mem_buf(data, (int)len);
    CMS_ContentInfo *cms =
        CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_DETACHED | CMS_BINARY);
    assert_non_null(cms);
    ASN1_OBJECT *data_type = OBJ_txt2obj(VERIFY_GM_DATA, 1);
    assert_int_equal(CMS_set1_eContentType(cms, data_type), 1); /* a copy */
    ASN1_OBJECT_free(data_type);
    CMS_SignerInfo *si =
        CMS_add1_signer(cms, f->cert, f->key, EVP_sm3(), CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL);
    assert_non_null(si);
    assert_int_equal(CMS_final(cms, in, NULL, CMS_DETACHED | CMS_BINARY), 1);
    X509_ALGOR *alg = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &alg);
    X509_ALGOR_set0(alg, OBJ_txt2obj("1.2.156.10197.1.501", 1), V_ASN1_UNDEF, NULL);
    if (with_id) {
        struct eseal_buf attrs, sig;
        eseal_buf_init(&attrs);
        eseal_buf_init(&sig);
        assert_true(verify_cms_attrs_der(si, &attrs));
        assert_int_equal(eseal_sm2_sign(f->key, attrs.data, attrs.len, &sig, NULL), ESEAL_OK);
        ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig.data, (int)sig.len);
        eseal_buf_cleanup(&attrs);
        eseal_buf_cleanup(&sig);
    }
    unsigned char *der = NULL;
    int n = i2d_CMS_ContentInfo(cms, &der);
    assert_true(n > 0);
    eseal_buf_reset(out);
    if (gm)
        assert_true(verify_cms_rewrap(der, (size_t)n, VERIFY_GM_SIGNED_DATA, out));
    else
        eseal_buf_append(out, der, (size_t)n);
    OPENSSL_free(der);
    CMS_ContentInfo_free(cms);
    BIO_free(in);
}

/* check_of returns the first check with |key|. */
static const struct eseal_check *check_of(const struct eseal_report *r, const char *key)
{
    for (size_t i = 0; i < r->n_checks; i++)
        if (strcmp(r->checks[i].key, key) == 0)
            return &r->checks[i];
    return NULL;
}

static const uint8_t signed_xml[] = "<ofd:Signature xmlns:ofd=\"http://www.ofdspec.org/2016\"/>";

static void run(const struct fx *f, const struct eseal_buf *cms, const uint8_t *data, size_t len,
                struct eseal_report *r)
{
    struct eseal_verify_opts o = {.trust = f->trust, .no_status = true};
    eseal_report_init(r);
    verify_cms(r, cms->data, cms->len, data, len, &o);
}

static void test_good(void **state)
{
    struct fx *f = *state;
    struct eseal_buf cms;
    eseal_buf_init(&cms);
    for (int gm = 1; gm >= 0; gm--) {
        make_cms(f, signed_xml, sizeof(signed_xml) - 1, true, gm, &cms);
        assert_true(verify_cms_is(cms.data, cms.len));
        struct eseal_report r;
        run(f, &cms, signed_xml, sizeof(signed_xml) - 1, &r);
        assert_int_equal(r.indication, ESEAL_TOTAL_PASSED);
        assert_int_equal(check_of(&r, "format")->status, ESEAL_CHECK_PASSED);
        assert_non_null(
            strstr(check_of(&r, "format")->actual, gm ? "1.2.156.10197.6.1.4.2.2" : "PKCS #7"));
        assert_int_equal(check_of(&r, "data_hash")->status, ESEAL_CHECK_PASSED);
        assert_int_equal(check_of(&r, "signature")->status, ESEAL_CHECK_PASSED);
        assert_int_equal(check_of(&r, "chain")->status, ESEAL_CHECK_PASSED);
        assert_int_equal(check_of(&r, "validity")->status, ESEAL_CHECK_PASSED);
        assert_non_null(strstr(r.signer, "signer"));
        eseal_report_cleanup(&r);
    }
    eseal_buf_cleanup(&cms);
}

static void test_tampered(void **state)
{
    struct fx *f = *state;
    struct eseal_buf cms;
    eseal_buf_init(&cms);
    make_cms(f, signed_xml, sizeof(signed_xml) - 1, true, true, &cms);
    struct eseal_report r;
    /* one byte of the signed data changed */
    uint8_t other[sizeof(signed_xml)];
    memcpy(other, signed_xml, sizeof(other));
    other[5] ^= 1;
    run(f, &cms, other, sizeof(other) - 1, &r);
    assert_int_equal(r.indication, ESEAL_TOTAL_FAILED);
    assert_string_equal(r.sub_indication, "HASH_FAILURE");
    eseal_report_cleanup(&r);
    /* the last byte of the signature value changed (it ends the DER) */
    cms.data[cms.len - 1] ^= 1;
    run(f, &cms, signed_xml, sizeof(signed_xml) - 1, &r);
    assert_int_equal(r.indication, ESEAL_TOTAL_FAILED);
    assert_string_equal(r.sub_indication, "SIG_CRYPTO_FAILURE");
    eseal_report_cleanup(&r);
    /* OpenSSL's own SM2 signature, without the standard ID */
    make_cms(f, signed_xml, sizeof(signed_xml) - 1, false, true, &cms);
    run(f, &cms, signed_xml, sizeof(signed_xml) - 1, &r);
    assert_int_equal(r.indication, ESEAL_TOTAL_FAILED);
    assert_string_equal(r.sub_indication, "SIG_CRYPTO_FAILURE");
    assert_int_equal(check_of(&r, "data_hash")->status, ESEAL_CHECK_PASSED);
    eseal_report_cleanup(&r);
    eseal_buf_cleanup(&cms);
}

/* A seal signature where an electronic signature is expected, and the
 * reverse: each named as what it is. */
static void test_wrong_kind(void **state)
{
    struct fx *f = *state;
    char *path = tu_testdata("ofdrw/SignedValueV4.dat");
    struct eseal_buf ses, cms;
    eseal_buf_init(&ses);
    eseal_buf_init(&cms);
    assert_int_equal(eseal_file_read(&ses, path, 1 << 20, NULL), ESEAL_OK);
    free(path);
    assert_false(verify_cms_is(ses.data, ses.len));
    struct eseal_report r;
    run(f, &ses, signed_xml, sizeof(signed_xml) - 1, &r);
    assert_int_equal(r.indication, ESEAL_TOTAL_FAILED);
    assert_string_equal(r.sub_indication, "FORMAT_FAILURE");
    assert_non_null(strstr(check_of(&r, "format")->actual, "seal signature (SES_Signature"));
    eseal_report_cleanup(&r);
    make_cms(f, signed_xml, sizeof(signed_xml) - 1, true, true, &cms);
    eseal_report_init(&r);
    uint8_t sm3[ESEAL_SM3_LEN];
    eseal_sm3(sm3, signed_xml, sizeof(signed_xml) - 1);
    eseal_verify_ses(&r, cms.data, cms.len, sm3, NULL);
    assert_int_equal(r.indication, ESEAL_TOTAL_FAILED);
    assert_non_null(strstr(check_of(&r, "format")->actual, "electronic signature (GB/T 35275"));
    eseal_report_cleanup(&r);
    eseal_buf_cleanup(&ses);
    eseal_buf_cleanup(&cms);
}

/* ofdrw's SESV4SignDoc.ofd made a Type="Sign" document: Signatures.xml
 * says Sign and SignedValue.dat is an electronic signature over the raw
 * bytes of Signature.xml. */
static void test_ofd_sign(void **state)
{
    struct fx *f = *state;
    char *path = tu_testdata("ofdrw/SESV4SignDoc.ofd");
    struct eseal_buf in, out, cms;
    eseal_buf_init(&in);
    eseal_buf_init(&out);
    eseal_buf_init(&cms);
    assert_int_equal(eseal_file_read(&in, path, 1 << 24, NULL), ESEAL_OK);
    free(path);
    struct eseal_zip *z = NULL;
    assert_int_equal(eseal_zip_open(&z, in.data, in.len, NULL, NULL), ESEAL_OK);
    const uint8_t *sx = NULL;
    size_t sx_len = 0;
    assert_int_equal(eseal_zip_get(z, "Doc_0/Signs/Sign_0/Signature.xml", &sx, &sx_len, NULL),
                     ESEAL_OK);
    make_cms(f, sx, sx_len, true, true, &cms);
    struct eseal_zip_writer *w = eseal_zip_writer_new();
    for (size_t i = 0; i < eseal_zip_count(z); i++) {
        const char *name = eseal_zip_name(z, i);
        const uint8_t *d = NULL;
        size_t len = 0;
        assert_int_equal(eseal_zip_get(z, name, &d, &len, NULL), ESEAL_OK);
        struct eseal_buf e;
        eseal_buf_init(&e);
        eseal_buf_append(&e, d, len);
        if (strcmp(name, "Doc_0/Signs/Sign_0/SignedValue.dat") == 0) {
            eseal_buf_reset(&e);
            eseal_buf_append(&e, cms.data, cms.len);
        } else if (strstr(name, "Signatures.xml") != NULL) {
            char *t = strstr((char *)e.data, "Type=\"Seal\"");
            assert_non_null(t);
            memcpy(t, "Type=\"Sign\"", 11);
        }
        assert_int_equal(eseal_zip_writer_add(w, name, e.data, e.len, false, NULL), ESEAL_OK);
        eseal_buf_cleanup(&e);
    }
    assert_int_equal(eseal_zip_writer_finish(w, &out, NULL), ESEAL_OK);
    eseal_zip_writer_free(w);
    eseal_zip_free(z);

    static const struct eseal_container *const formats[] = {&eseal_container_ofd};
    struct eseal_verify_opts o = {.trust = f->trust, .no_status = true};
    struct eseal_document_report d;
    eseal_document_report_init(&d);
    eseal_verify_document(&d, formats, 1, out.data, out.len, NULL, 0, &o);
    assert_int_equal(d.n_sigs, 1);
    const struct eseal_report *r = &d.sigs[0];
    for (size_t i = 0; i < r->n_checks; i++)
        if (r->checks[i].status != ESEAL_CHECK_PASSED && r->checks[i].status != ESEAL_CHECK_SKIPPED)
            fail_msg("%s: %s / %s", r->checks[i].key, r->checks[i].message_en,
                     r->checks[i].actual ? r->checks[i].actual : "");
    assert_int_equal(d.indication, ESEAL_TOTAL_PASSED);
    json_t *j = eseal_document_report_json(&d);
    json_t *place = json_object_get(json_array_get(json_object_get(j, "signatures"), 0), "place");
    assert_string_equal(json_string_value(json_object_get(place, "type")), "Sign");
    json_decref(j);
    eseal_document_report_cleanup(&d);
    eseal_buf_cleanup(&in);
    eseal_buf_cleanup(&out);
    eseal_buf_cleanup(&cms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_wrong_kind),
        cmocka_unit_test(test_ofd_sign),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
