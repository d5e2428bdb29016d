/* test_seal.c — GB/T 38540 seals and signatures: real vectors from another
 * implementation (ofdrw), our own round trips, and every failing check. */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "eseal/pki.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "testca.h"
#include "testutil.h"

static void load(struct eseal_buf *b, const char *name)
{
    char *path = tu_testdata(name);
    eseal_buf_init(b);
    assert_int_equal(eseal_file_read(b, path, ESEAL_SEAL_MAX, NULL), ESEAL_OK);
    free(path);
}

static struct eseal_seal *parse_vector(const char *name, struct eseal_buf *b)
{
    load(b, name);
    struct eseal_seal *s = NULL;
    struct eseal_err err;
    eseal_rc rc = eseal_seal_parse(&s, b->data, b->len, &err);
    if (rc != ESEAL_OK)
        fail_msg("%s: %s", name, err.msg);
    return s;
}

static void test_vector_v4(void **state)
{
    (void)state;
    struct eseal_buf b;
    struct eseal_seal *s = parse_vector("ofdrw/UserV4.esl", &b);
    const struct eseal_seal_info *i = eseal_seal_info(s);
    assert_int_equal(i->version, 4);
    assert_string_equal(i->header_id, "ES");
    assert_string_equal(i->vid, "OFDR&WTest");
    assert_string_equal(i->picture_type, "PNG");
    assert_int_equal(i->width_mm, 40);
    assert_int_equal(i->height_mm, 40);
    assert_int_equal(i->cert_list_type, 1);
    assert_int_equal(i->n_certs, 1);
    assert_non_null(strstr(i->name, "测试用印章"));
    assert_string_equal(i->sign_alg, "1.2.156.10197.1.501");
    assert_int_equal(i->valid_end - i->valid_start, 730 * 86400);
    assert_int_equal(eseal_seal_check_maker(s, NULL), ESEAL_OK);
    const uint8_t *cert;
    size_t cert_len;
    assert_int_equal(eseal_seal_cert(s, 0, &cert, &cert_len), ESEAL_OK);
    assert_true(eseal_seal_has_cert(s, cert, cert_len));
    assert_false(eseal_seal_has_cert(s, cert, cert_len - 1));
    assert_int_equal(eseal_seal_cert(s, 1, &cert, &cert_len), ESEAL_E_NOTFOUND);
    eseal_seal_free(s);
    eseal_buf_cleanup(&b);
}

static void test_vector_v1_v5(void **state)
{
    (void)state;
    struct eseal_buf b;
    struct eseal_seal *s = parse_vector("ofdrw/UserV1.esl", &b);
    assert_int_equal(eseal_seal_info(s)->version, 1);
    assert_int_equal(eseal_seal_info(s)->n_certs, 1);
    struct eseal_err err;
    if (eseal_seal_check_maker(s, &err) != ESEAL_OK)
        fail_msg("v1 maker signature: %s", err.msg);
    eseal_seal_free(s);
    eseal_buf_cleanup(&b);

    s = parse_vector("ofdrw/UserV5.esl", &b);
    assert_int_equal(eseal_seal_info(s)->version, 5);
    assert_string_equal(eseal_seal_info(s)->vid, "OFDR&WTestV5");
    if (eseal_seal_check_maker(s, &err) != ESEAL_OK)
        fail_msg("v5 maker signature: %s", err.msg);
    eseal_seal_free(s);
    eseal_buf_cleanup(&b);
}

static void test_vector_signature(void **state)
{
    (void)state;
    static const char *const files[] = {"ofdrw/SignedValueV4.dat", "ofdrw/SignedValueV5.dat"};
    for (int k = 0; k < 2; k++) {
        struct eseal_buf b;
        load(&b, files[k]);
        struct eseal_ses *ses = NULL;
        struct eseal_err err;
        if (eseal_ses_parse(&ses, b.data, b.len, &err) != ESEAL_OK)
            fail_msg("%s: %s", files[k], err.msg);
        const struct eseal_ses_info *i = eseal_ses_info(ses);
        assert_int_equal(i->version, 4 + k);
        assert_string_equal(i->property_info, "/Doc_0/Signs/Sign_0/Signature.xml");
        assert_int_equal(i->data_hash_len, 32);
        if (k == 0)
            assert_int_equal(i->time_info, 1602501243); /* 20201012111403Z */
        if (eseal_ses_check_signature(ses, &err) != ESEAL_OK)
            fail_msg("%s signature: %s", files[k], err.msg);
        assert_int_equal(eseal_seal_check_maker(i->seal, NULL), ESEAL_OK);
        assert_true(eseal_seal_has_cert(i->seal, i->signer_cert, i->signer_cert_len));
        eseal_ses_free(ses);
        eseal_buf_cleanup(&b);
    }
}

/* Every byte of the signed part changed one at a time (sampled) must make the
 * check fail or the parse fail: never pass. */
static void test_vector_flips(void **state)
{
    (void)state;
    struct eseal_buf b;
    load(&b, "ofdrw/SignedValueV4.dat");
    size_t fails = 0, tries = 0;
    for (size_t pos = 4; pos < b.len; pos += 97) {
        b.data[pos] ^= 0x01;
        struct eseal_ses *ses = NULL;
        bool ok = eseal_ses_parse(&ses, b.data, b.len, NULL) == ESEAL_OK &&
                  eseal_ses_check_signature(ses, NULL) == ESEAL_OK &&
                  eseal_seal_check_maker(eseal_ses_info(ses)->seal, NULL) == ESEAL_OK;
        /* The signer certificate lies outside both signatures: a flip there
         * is caught by signer_in_seal, so count it as detected too. */
        if (ok && !eseal_seal_has_cert(eseal_ses_info(ses)->seal, eseal_ses_info(ses)->signer_cert,
                                       eseal_ses_info(ses)->signer_cert_len))
            ok = false;
        if (!ok)
            fails++;
        tries++;
        eseal_ses_free(ses);
        b.data[pos] ^= 0x01;
    }
    assert_int_equal(fails, tries);
    eseal_buf_cleanup(&b);
}

static void test_rejects(void **state)
{
    (void)state;
    struct eseal_seal *s = NULL;
    struct eseal_ses *ses = NULL;
    const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    assert_int_equal(eseal_seal_parse(&s, junk, sizeof(junk), NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_seal_parse(&s, junk, 0, NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_ses_parse(&ses, junk, sizeof(junk), NULL), ESEAL_E_INVALID);
    struct eseal_buf b;
    load(&b, "ofdrw/UserV4.esl");
    for (size_t cut = 1; cut < b.len; cut += b.len / 7)
        assert_int_not_equal(eseal_seal_parse(&s, b.data, cut, NULL), ESEAL_OK);
    eseal_buf_append(&b, "x", 1);
    assert_int_equal(eseal_seal_parse(&s, b.data, b.len, NULL), ESEAL_E_INVALID);
    assert_null(s);
    /* A seal is not a signature and vice versa. */
    b.len--;
    assert_int_equal(eseal_ses_parse(&ses, b.data, b.len, NULL), ESEAL_E_INVALID);
    eseal_buf_cleanup(&b);
}

/* ---- our own seals ---------------------------------------------------- */

struct fixture {
    char *dir;
    struct tu_ca *ca;
    EVP_PKEY *holder_key;
    X509 *holder;
};

static eseal_rc maker_signer(void *ctx, const uint8_t *msg, size_t len, struct eseal_buf *sig,
                             struct eseal_err *err)
{
    return tu_ca_maker_signer(ctx, msg, len, sig, err);
}

static eseal_rc key_signer(void *ctx, const uint8_t *msg, size_t len, struct eseal_buf *sig,
                           struct eseal_err *err)
{
    return eseal_sm2_sign(ctx, msg, len, sig, err);
}

static X509 *issue(struct tu_ca *ca, EVP_PKEY *key, const char *o)
{
    X509_REQ *req = X509_REQ_new();
    X509_REQ_set_pubkey(req, key);
    X509_NAME *n = X509_REQ_get_subject_name(req);
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)o, -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "serialNumber", MBSTRING_UTF8,
                               (const unsigned char *)"91350100M000100Y43", -1, -1, 0);
    assert_int_equal(eseal_x509_req_sign(req, key, NULL), ESEAL_OK);
    unsigned char *der = NULL;
    int len = i2d_X509_REQ(req, &der);
    X509 *cert = NULL;
    assert_int_equal(tu_ca_issue(ca, der, (size_t)len, "unit", 30, &cert, NULL), ESEAL_OK);
    OPENSSL_free(der);
    X509_REQ_free(req);
    return cert;
}

static int setup(void **state)
{
    struct fixture *f = eseal_xcalloc(1, sizeof(*f));
    f->dir = tu_tmpdir();
    char *cadir = eseal_path_join(f->dir, "ca");
    f->ca = tu_ca_new(cadir);
    if (f->ca == NULL || eseal_sm2_keygen(&f->holder_key, NULL) != ESEAL_OK)
        return -1;
    free(cadir);
    f->holder = issue(f->ca, f->holder_key, "福州市测试局");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    X509_free(f->holder);
    EVP_PKEY_free(f->holder_key);
    tu_ca_free(f->ca);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d,
                              'I',  'H', 'D', 'R', 0,    0,    0,    1,    0, 0, 0, 1};

static void make_seal(struct fixture *f, struct eseal_buf *out)
{
    struct eseal_seal_params p = {
        .esid = "35010200000001",
        .type = ESEAL_SEAL_UNIT,
        .name = "福州市测试局公章",
        .holder = f->holder,
        .picture = png,
        .picture_len = sizeof(png),
        .width_mm = 42,
        .height_mm = 42,
    };
    struct eseal_err err;
    eseal_buf_init(out);
    if (eseal_seal_make(out, &p, tu_ca_cert(f->ca, TU_CA_MAKER), maker_signer, f->ca, &err) !=
        ESEAL_OK)
        fail_msg("seal make: %s", err.msg);
}

static void test_make_round_trip(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf der;
    make_seal(f, &der);
    struct eseal_seal *s = NULL;
    assert_int_equal(eseal_seal_parse(&s, der.data, der.len, NULL), ESEAL_OK);
    const struct eseal_seal_info *i = eseal_seal_info(s);
    assert_int_equal(i->version, 4);
    assert_string_equal(i->esid, "35010200000001");
    assert_string_equal(i->name, "福州市测试局公章");
    assert_string_equal(i->picture_type, "png");
    assert_int_equal(i->picture_len, sizeof(png));
    assert_memory_equal(i->picture, png, sizeof(png));
    assert_int_equal(i->type, 1);
    assert_int_equal(i->width_mm, 42);
    /* Validity equals the holder certificate's. */
    assert_int_equal(ASN1_TIME_cmp_time_t(X509_get0_notBefore(f->holder), i->valid_start), 0);
    assert_int_equal(ASN1_TIME_cmp_time_t(X509_get0_notAfter(f->holder), i->valid_end), 0);
    assert_int_equal(eseal_seal_check_maker(s, NULL), ESEAL_OK);
    struct eseal_buf hd;
    eseal_buf_init(&hd);
    eseal_pki_cert_der(f->holder, &hd);
    assert_true(eseal_seal_has_cert(s, hd.data, hd.len));
    /* The maker certificate inside is the CA's seal maker. */
    struct eseal_buf md;
    eseal_buf_init(&md);
    eseal_pki_cert_der(tu_ca_cert(f->ca, TU_CA_MAKER), &md);
    assert_int_equal(i->maker_cert_len, md.len);
    assert_memory_equal(i->maker_cert, md.data, md.len);
    eseal_seal_free(s);
    /* A changed byte in the picture breaks the maker signature. */
    uint8_t *pic = memmem(der.data, der.len, png, sizeof(png));
    assert_non_null(pic);
    pic[sizeof(png) - 1] ^= 1;
    assert_int_equal(eseal_seal_parse(&s, der.data, der.len, NULL), ESEAL_OK);
    assert_int_equal(eseal_seal_check_maker(s, NULL), ESEAL_E_CRYPTO);
    eseal_seal_free(s);
    eseal_buf_cleanup(&hd);
    eseal_buf_cleanup(&md);
    eseal_buf_cleanup(&der);
}

static void test_make_rejects(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf out;
    eseal_buf_init(&out);
    struct eseal_seal_params good = {
        .esid = "35010200000001",
        .type = ESEAL_SEAL_UNIT,
        .name = "n",
        .holder = f->holder,
        .picture = png,
        .picture_len = sizeof(png),
        .width_mm = 40,
        .height_mm = 40,
    };
    X509 *maker = tu_ca_cert(f->ca, TU_CA_MAKER);
    struct eseal_seal_params p = good;
    p.esid = "";
    assert_int_equal(eseal_seal_make(&out, &p, maker, maker_signer, f->ca, NULL), ESEAL_E_INVALID);
    p = good;
    p.type = 3;
    assert_int_equal(eseal_seal_make(&out, &p, maker, maker_signer, f->ca, NULL), ESEAL_E_INVALID);
    p = good;
    p.width_mm = 0;
    assert_int_equal(eseal_seal_make(&out, &p, maker, maker_signer, f->ca, NULL), ESEAL_E_INVALID);
    p = good;
    p.picture = (const uint8_t *)"not a picture";
    p.picture_len = 13;
    assert_int_equal(eseal_seal_make(&out, &p, maker, maker_signer, f->ca, NULL), ESEAL_E_INVALID);
    p = good;
    p.holder = NULL;
    assert_int_equal(eseal_seal_make(&out, &p, maker, maker_signer, f->ca, NULL), ESEAL_E_INVALID);
    assert_int_equal(out.len, 0);
    eseal_buf_cleanup(&out);
}

static void test_stamp_round_trip(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf seal, ses;
    make_seal(f, &seal);
    eseal_buf_init(&ses);
    uint8_t hash[32];
    const char doc[] = "a document to stamp";
    eseal_sm3(hash, doc, strlen(doc));
    struct eseal_err err;
    if (eseal_ses_make(&ses, seal.data, seal.len, hash, "doc.txt", 1700000000, f->holder,
                       key_signer, f->holder_key, &err) != ESEAL_OK)
        fail_msg("stamp: %s", err.msg);
    struct eseal_ses *s = NULL;
    assert_int_equal(eseal_ses_parse(&s, ses.data, ses.len, NULL), ESEAL_OK);
    const struct eseal_ses_info *i = eseal_ses_info(s);
    assert_int_equal(i->version, 4);
    assert_int_equal(i->time_info, 1700000000);
    assert_string_equal(i->property_info, "doc.txt");
    assert_int_equal(i->data_hash_len, 32);
    assert_memory_equal(i->data_hash, hash, 32);
    assert_int_equal(eseal_ses_check_signature(s, NULL), ESEAL_OK);
    /* The seal is carried byte for byte. */
    assert_int_equal(eseal_seal_info(i->seal)->der_len, seal.len);
    assert_memory_equal(eseal_seal_info(i->seal)->der, seal.data, seal.len);
    eseal_ses_free(s);

    /* The signature value is the last element: flip its last byte. */
    ses.data[ses.len - 1] ^= 0x01;
    assert_int_equal(eseal_ses_parse(&s, ses.data, ses.len, NULL), ESEAL_OK);
    assert_int_not_equal(eseal_ses_check_signature(s, NULL), ESEAL_OK);
    eseal_ses_free(s);

    /* Another key whose certificate is not in the seal cannot stamp with it. */
    EVP_PKEY *other_key = NULL;
    assert_int_equal(eseal_sm2_keygen(&other_key, NULL), ESEAL_OK);
    X509 *other = issue(f->ca, other_key, "另一个单位");
    assert_int_equal(eseal_ses_make(&ses, seal.data, seal.len, hash, "doc.txt", 0, other,
                                    key_signer, other_key, NULL),
                     ESEAL_E_INVALID);
    X509_free(other);
    EVP_PKEY_free(other_key);
    eseal_buf_cleanup(&seal);
    eseal_buf_cleanup(&ses);
}

/* A hash ending in zero bytes must survive: OpenSSL trims BIT STRINGs unless told. */
static void test_bit_string_zero_tail(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf seal, ses;
    make_seal(f, &seal);
    eseal_buf_init(&ses);
    uint8_t hash[32];
    memset(hash, 0xab, sizeof(hash));
    hash[30] = 0;
    hash[31] = 0;
    assert_int_equal(eseal_ses_make(&ses, seal.data, seal.len, hash, "z", 0, f->holder, key_signer,
                                    f->holder_key, NULL),
                     ESEAL_OK);
    struct eseal_ses *s = NULL;
    assert_int_equal(eseal_ses_parse(&s, ses.data, ses.len, NULL), ESEAL_OK);
    assert_int_equal(eseal_ses_info(s)->data_hash_len, 32);
    assert_memory_equal(eseal_ses_info(s)->data_hash, hash, 32);
    assert_int_equal(eseal_ses_check_signature(s, NULL), ESEAL_OK);
    eseal_ses_free(s);
    eseal_buf_cleanup(&seal);
    eseal_buf_cleanup(&ses);
}

/* ---- leniency: real seals are not always strict DER ---------------------- */

static ASN1_TYPE *any_raw(const uint8_t *der, int len)
{
    ASN1_STRING *str = ASN1_STRING_type_new(V_ASN1_SEQUENCE);
    ASN1_STRING_set(str, der, len);
    ASN1_TYPE *t = ASN1_TYPE_new();
    ASN1_TYPE_set(t, V_ASN1_SEQUENCE, str);
    return t;
}

static ASN1_TYPE *any_join(STACK_OF(ASN1_TYPE) * sk)
{
    unsigned char *der = NULL;
    int n = i2d_ASN1_SEQUENCE_ANY(sk, &der);
    assert_true(n > 0);
    ASN1_TYPE *t = any_raw(der, n);
    OPENSSL_free(der);
    sk_ASN1_TYPE_pop_free(sk, ASN1_TYPE_free);
    return t;
}

/* An ExtData with `critical FALSE` encoded explicitly (DER forbids encoding
 * a DEFAULT value): we must parse it and verify the maker signature over the
 * bytes as received, not over a strict re-encoding. */
static void test_lenient_explicit_false(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf seal;
    make_seal(f, &seal);
    const unsigned char *p = seal.data;
    STACK_OF(ASN1_TYPE) *outer = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)seal.len);
    ASN1_STRING *info = sk_ASN1_TYPE_value(outer, 0)->value.sequence;
    p = info->data;
    STACK_OF(ASN1_TYPE) *fields = d2i_ASN1_SEQUENCE_ANY(NULL, &p, info->length);
    assert_int_equal(sk_ASN1_TYPE_num(fields), 4);

    STACK_OF(ASN1_TYPE) *ext = sk_ASN1_TYPE_new_null();
    ASN1_TYPE *oid = ASN1_TYPE_new(), *crit = ASN1_TYPE_new(), *val = ASN1_TYPE_new();
    ASN1_TYPE_set(oid, V_ASN1_OBJECT, OBJ_txt2obj("1.2.156.10197.6.1.4.2.1", 1));
    ASN1_TYPE_set(crit, V_ASN1_BOOLEAN, NULL); /* value 0: FALSE, written explicitly */
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(os, (const unsigned char *)"x", 1);
    ASN1_TYPE_set(val, V_ASN1_OCTET_STRING, os);
    sk_ASN1_TYPE_push(ext, oid);
    sk_ASN1_TYPE_push(ext, crit);
    sk_ASN1_TYPE_push(ext, val);
    STACK_OF(ASN1_TYPE) *exts = sk_ASN1_TYPE_new_null();
    sk_ASN1_TYPE_push(exts, any_join(ext));
    sk_ASN1_TYPE_push(fields, any_join(exts));
    ASN1_TYPE *new_info = any_join(fields);

    struct eseal_buf sig;
    eseal_buf_init(&sig);
    assert_int_equal(tu_ca_maker_signer(f->ca, new_info->value.sequence->data,
                                        (size_t)new_info->value.sequence->length, &sig, NULL),
                     ESEAL_OK);
    ASN1_BIT_STRING *bs = ASN1_BIT_STRING_new();
    ASN1_BIT_STRING_set(bs, sig.data, (int)sig.len);
    bs->flags = ASN1_STRING_FLAG_BITS_LEFT;
    ASN1_TYPE *sig_t = ASN1_TYPE_new();
    ASN1_TYPE_set(sig_t, V_ASN1_BIT_STRING, bs);
    /* sk_set returns the new element: free the old ones first. */
    ASN1_TYPE_free(sk_ASN1_TYPE_value(outer, 0));
    ASN1_TYPE_free(sk_ASN1_TYPE_value(outer, 3));
    sk_ASN1_TYPE_set(outer, 0, new_info);
    sk_ASN1_TYPE_set(outer, 3, sig_t);
    unsigned char *der = NULL;
    int n = i2d_ASN1_SEQUENCE_ANY(outer, &der);
    assert_true(n > 0);
    assert_non_null(memmem(der, (size_t)n, "\x01\x01\x00\x04\x01x", 6));

    struct eseal_seal *s = NULL;
    struct eseal_err err;
    if (eseal_seal_parse(&s, der, (size_t)n, &err) != ESEAL_OK)
        fail_msg("lenient parse: %s", err.msg);
    if (eseal_seal_check_maker(s, &err) != ESEAL_OK)
        fail_msg("maker signature over the original bytes: %s", err.msg);
    eseal_seal_free(s);
    OPENSSL_free(der);
    sk_ASN1_TYPE_pop_free(outer, ASN1_TYPE_free);
    eseal_buf_cleanup(&sig);
    eseal_buf_cleanup(&seal);
}

int main(void)
{
    const struct CMUnitTest vectors[] = {
        cmocka_unit_test(test_vector_v4),        cmocka_unit_test(test_vector_v1_v5),
        cmocka_unit_test(test_vector_signature), cmocka_unit_test(test_vector_flips),
        cmocka_unit_test(test_rejects),
    };
    const struct CMUnitTest ours[] = {
        cmocka_unit_test(test_make_round_trip),        cmocka_unit_test(test_make_rejects),
        cmocka_unit_test(test_stamp_round_trip),       cmocka_unit_test(test_bit_string_zero_tail),
        cmocka_unit_test(test_lenient_explicit_false),
    };
    int failed = cmocka_run_group_tests(vectors, NULL, NULL);
    return failed + cmocka_run_group_tests(ours, setup, teardown);
}
