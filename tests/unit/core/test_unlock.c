/* test_unlock.c — the PIN unlock code format: what eseal_unlock_code_make
 * writes (checked with OpenSSL's generic ASN.1 decoder, not our templates),
 * that parsing gives it back exactly, and that malformed codes are refused. */
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "eseal/sm.h"
#include "eseal/unlock.h"
#include "testutil.h"

#define ID "00112233aabbccdd"
#define WHEN ((time_t)1700000000) /* 2023-11-14T22:13:20Z */

static const uint8_t sm2_sm3_oid[] = {0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75};

struct fixture {
    EVP_PKEY *key;
    X509 *maker;
    X509 *root;
};

static X509 *self_signed(EVP_PKEY *key, const char *cn)
{
    X509 *x = X509_new();
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
    X509_NAME *n = X509_get_subject_name(x);
    assert_int_equal(
        X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0),
        1);
    assert_int_equal(X509_set_issuer_name(x, n), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
    assert_int_equal(X509_set_pubkey(x, key), 1);
    assert_int_equal(eseal_x509_sign(x, key, NULL), ESEAL_OK);
    return x;
}

static int setup(void **state)
{
    struct fixture *f = eseal_xcalloc(1, sizeof(*f));
    if (eseal_sm2_keygen(&f->key, NULL) != ESEAL_OK)
        return -1;
    f->maker = self_signed(f->key, "maker");
    f->root = self_signed(f->key, "root");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    X509_free(f->maker);
    X509_free(f->root);
    EVP_PKEY_free(f->key);
    free(f);
    return 0;
}

static eseal_rc key_signer(void *key, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                           struct eseal_err *err)
{
    return eseal_sm2_sign(key, msg, msg_len, sig, err);
}

/* zero_tail_signer returns a fixed "signature" ending in zero bytes, which
 * a BIT STRING written without ASN1_STRING_FLAG_BITS_LEFT would lose. */
static const uint8_t zero_tail[] = {0x30, 0x08, 0x02, 0x02, 0x01, 0x00, 0x02, 0x02, 0x01, 0x00};
static eseal_rc zero_tail_signer(void *ctx, const uint8_t *msg, size_t msg_len,
                                 struct eseal_buf *sig, struct eseal_err *err)
{
    eseal_buf_reset(sig);
    eseal_buf_append(sig, zero_tail, sizeof(zero_tail));
    return ESEAL_OK;
}

static eseal_rc failing_signer(void *ctx, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                               struct eseal_err *err)
{
    return eseal_err_set(err, ESEAL_E_DENIED, "the signer says no");
}

static eseal_rc empty_signer(void *ctx, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                             struct eseal_err *err)
{
    eseal_buf_reset(sig);
    return ESEAL_OK;
}

static void make_ok(struct eseal_buf *pem, const struct fixture *f, const char *id,
                    uint32_t counter)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_unlock_code_make(pem, id, counter, WHEN, f->maker, f->root, key_signer, f->key,
                               &err) != ESEAL_OK)
        fail_msg("eseal_unlock_code_make: %s", err.msg);
}

static void pem_to_der(struct eseal_buf *der, const struct eseal_buf *pem)
{
    BIO *bio = BIO_new_mem_buf(pem->data, (int)pem->len);
    unsigned char *raw = NULL;
    long n = 0;
    assert_int_equal(PEM_bytes_read_bio(&raw, &n, NULL, ESEAL_UNLOCK_PEM_LABEL, bio, NULL, NULL),
                     1);
    BIO_free(bio);
    eseal_buf_reset(der);
    eseal_buf_append(der, raw, (size_t)n);
    OPENSSL_free(raw);
}

static void parse_refused(const char *what, const uint8_t *data, size_t len, eseal_rc want)
{
    struct eseal_unlock_code *c = (struct eseal_unlock_code *)data;
    struct eseal_err err;
    eseal_err_clear(&err);
    eseal_rc rc = eseal_unlock_code_parse(&c, data, len, &err);
    if (rc != want)
        fail_msg("%s: parse returned %s (%s), want %s", what, eseal_rc_name(rc), err.msg,
                 eseal_rc_name(want));
    assert_null(c);
    assert_true(err.msg[0] != '\0');
    ERR_clear_error();
}

/* ---- tests -------------------------------------------------------------- */

static void test_roundtrip(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf pem;
    eseal_buf_init(&pem);
    make_ok(&pem, f, ID, 7);
    assert_non_null(strstr((const char *)pem.data, "-----BEGIN ESEAL UNLOCK CODE-----"));

    struct eseal_unlock_code *c = NULL;
    assert_int_equal(eseal_unlock_code_parse(&c, pem.data, pem.len, NULL), ESEAL_OK);
    assert_string_equal(c->token_id, ID);
    assert_int_equal(c->counter, 7);
    assert_int_equal(c->issued_at, WHEN);
    assert_int_equal(X509_cmp(c->maker, f->maker), 0);
    assert_int_equal(X509_cmp(c->root, f->root), 0);
    /* The signature covers exactly the tbs bytes, with the SM2 ID. */
    assert_int_equal(
        eseal_sm2_verify(f->key, c->tbs.data, c->tbs.len, c->sig.data, c->sig.len, NULL), ESEAL_OK);
    /* The tbs bytes are the code's first element, as received. */
    struct eseal_buf der;
    eseal_buf_init(&der);
    pem_to_der(&der, &pem);
    assert_non_null(memmem(der.data, der.len, c->tbs.data, c->tbs.len));
    assert_true(der.data + 4 == memmem(der.data, der.len, c->tbs.data, c->tbs.len));
    eseal_unlock_code_free(c);

    /* DER input works as well as PEM. */
    assert_int_equal(eseal_unlock_code_parse(&c, der.data, der.len, NULL), ESEAL_OK);
    eseal_unlock_code_free(c);
    eseal_buf_cleanup(&der);
    eseal_buf_cleanup(&pem);
}

/* The layout per unlock.h, read with OpenSSL's generic decoder. */
static void test_der_layout(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf pem, der;
    eseal_buf_init(&pem);
    eseal_buf_init(&der);
    make_ok(&pem, f, ID, 300);
    pem_to_der(&der, &pem);

    const unsigned char *p = der.data;
    ASN1_SEQUENCE_ANY *top = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)der.len);
    assert_non_null(top);
    assert_true(p == der.data + der.len);
    assert_int_equal(sk_ASN1_TYPE_num(top), 4);
    static const int top_types[] = {V_ASN1_SEQUENCE, V_ASN1_SEQUENCE, V_ASN1_OBJECT,
                                    V_ASN1_BIT_STRING};
    for (int i = 0; i < 4; i++)
        assert_int_equal(ASN1_TYPE_get(sk_ASN1_TYPE_value(top, i)), top_types[i]);
    assert_int_equal(OBJ_obj2nid(sk_ASN1_TYPE_value(top, 2)->value.object), NID_SM2_with_SM3);
    ASN1_BIT_STRING *bs = sk_ASN1_TYPE_value(top, 3)->value.bit_string;
    assert_int_equal(bs->flags & 0x07, 0);

    /* tbs: version 1, the id as UTF8String, the counter, GeneralizedTime. */
    const ASN1_STRING *tbs_seq = sk_ASN1_TYPE_value(top, 0)->value.sequence;
    p = ASN1_STRING_get0_data(tbs_seq);
    ASN1_SEQUENCE_ANY *tbs = d2i_ASN1_SEQUENCE_ANY(NULL, &p, ASN1_STRING_length(tbs_seq));
    assert_non_null(tbs);
    assert_int_equal(sk_ASN1_TYPE_num(tbs), 4);
    const ASN1_TYPE *t0 = sk_ASN1_TYPE_value(tbs, 0), *t1 = sk_ASN1_TYPE_value(tbs, 1),
                    *t2 = sk_ASN1_TYPE_value(tbs, 2), *t3 = sk_ASN1_TYPE_value(tbs, 3);
    assert_int_equal(ASN1_TYPE_get(t0), V_ASN1_INTEGER);
    assert_int_equal(ASN1_INTEGER_get(t0->value.integer), 1);
    assert_int_equal(ASN1_TYPE_get(t1), V_ASN1_UTF8STRING);
    assert_int_equal(ASN1_STRING_length(t1->value.utf8string), 16);
    assert_memory_equal(ASN1_STRING_get0_data(t1->value.utf8string), ID, 16);
    assert_int_equal(ASN1_TYPE_get(t2), V_ASN1_INTEGER);
    assert_int_equal(ASN1_INTEGER_get(t2->value.integer), 300);
    assert_int_equal(ASN1_TYPE_get(t3), V_ASN1_GENERALIZEDTIME);
    assert_int_equal(ASN1_STRING_length(t3->value.generalizedtime), 15);
    assert_memory_equal(ASN1_STRING_get0_data(t3->value.generalizedtime), "20231114221320Z", 15);

    /* certs: the maker's DER, then the root's. */
    const ASN1_STRING *certs_seq = sk_ASN1_TYPE_value(top, 1)->value.sequence;
    p = ASN1_STRING_get0_data(certs_seq);
    ASN1_SEQUENCE_ANY *certs = d2i_ASN1_SEQUENCE_ANY(NULL, &p, ASN1_STRING_length(certs_seq));
    assert_non_null(certs);
    assert_int_equal(sk_ASN1_TYPE_num(certs), 2);
    X509 *want[2] = {f->maker, f->root};
    for (int i = 0; i < 2; i++) {
        const ASN1_TYPE *t = sk_ASN1_TYPE_value(certs, i);
        assert_int_equal(ASN1_TYPE_get(t), V_ASN1_OCTET_STRING);
        unsigned char *x = NULL;
        int n = i2d_X509(want[i], &x);
        assert_int_equal(ASN1_STRING_length(t->value.octet_string), n);
        assert_memory_equal(ASN1_STRING_get0_data(t->value.octet_string), x, (size_t)n);
        OPENSSL_free(x);
    }
    sk_ASN1_TYPE_pop_free(certs, ASN1_TYPE_free);
    sk_ASN1_TYPE_pop_free(tbs, ASN1_TYPE_free);
    sk_ASN1_TYPE_pop_free(top, ASN1_TYPE_free);
    eseal_buf_cleanup(&der);
    eseal_buf_cleanup(&pem);
}

/* A signature ending in zero bytes survives the BIT STRING intact. */
static void test_signature_zero_tail(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf pem;
    eseal_buf_init(&pem);
    assert_int_equal(
        eseal_unlock_code_make(&pem, ID, 0, WHEN, f->maker, f->root, zero_tail_signer, NULL, NULL),
        ESEAL_OK);
    struct eseal_unlock_code *c = NULL;
    assert_int_equal(eseal_unlock_code_parse(&c, pem.data, pem.len, NULL), ESEAL_OK);
    assert_int_equal(c->sig.len, sizeof(zero_tail));
    assert_memory_equal(c->sig.data, zero_tail, sizeof(zero_tail));
    eseal_unlock_code_free(c);
    eseal_buf_cleanup(&pem);
}

static void test_make_refusals(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf pem;
    eseal_buf_init(&pem);
    static const char *const bad_ids[] = {"00112233AABBCCDD", "00112233aabbccd",
                                          "00112233aabbccdd0", "00112233aabbccdg", ""};
    for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
        assert_false(eseal_token_id_valid(bad_ids[i]));
        assert_int_equal(eseal_unlock_code_make(&pem, bad_ids[i], 0, WHEN, f->maker, f->root,
                                                key_signer, f->key, NULL),
                         ESEAL_E_INVALID);
    }
    assert_true(eseal_token_id_valid(ID));
    assert_false(eseal_token_id_valid(NULL));
    assert_int_equal(eseal_unlock_code_make(&pem, ID, ESEAL_UNLOCK_COUNTER_MAX + 1U, WHEN, f->maker,
                                            f->root, key_signer, f->key, NULL),
                     ESEAL_E_INVALID);
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(
        eseal_unlock_code_make(&pem, ID, 0, WHEN, f->maker, f->root, failing_signer, NULL, &err),
        ESEAL_E_DENIED);
    assert_string_equal(err.msg, "the signer says no");
    assert_int_equal(
        eseal_unlock_code_make(&pem, ID, 0, WHEN, f->maker, f->root, empty_signer, NULL, NULL),
        ESEAL_E_INTERNAL);
    /* The largest counter is fine. */
    make_ok(&pem, f, ID, ESEAL_UNLOCK_COUNTER_MAX);
    struct eseal_unlock_code *c = NULL;
    assert_int_equal(eseal_unlock_code_parse(&c, pem.data, pem.len, NULL), ESEAL_OK);
    assert_int_equal(c->counter, ESEAL_UNLOCK_COUNTER_MAX);
    eseal_unlock_code_free(c);
    eseal_buf_cleanup(&pem);
}

/* edit_at finds the last |pat| in |der| (the OID also appears inside the
 * certificates; the code's own comes last) and adds |delta| to the byte
 * |off| past its start. */
static void edit_at(struct eseal_buf *der, const void *pat, size_t pat_len, size_t off, int delta)
{
    uint8_t *last = NULL;
    for (uint8_t *p = der->data; (size_t)(p - der->data) + pat_len <= der->len; p++)
        if (memcmp(p, pat, pat_len) == 0)
            last = p;
    assert_non_null(last);
    last[off] = (uint8_t)(last[off] + delta);
}

static void test_parse_refusals(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf pem, der, bad;
    eseal_buf_init(&pem);
    eseal_buf_init(&der);
    eseal_buf_init(&bad);
    make_ok(&pem, f, ID, 3);
    pem_to_der(&der, &pem);

    parse_refused("empty", der.data, 0, ESEAL_E_INVALID);
    uint8_t *big = eseal_xcalloc(1, ESEAL_UNLOCK_MAX_INPUT + 1);
    parse_refused("too large", big, ESEAL_UNLOCK_MAX_INPUT + 1, ESEAL_E_TOOBIG);
    free(big);
    parse_refused("text", (const uint8_t *)"unlock me", 9, ESEAL_E_INVALID);
    char *cert_pem = NULL;
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, f->maker);
    long n = BIO_get_mem_data(bio, &cert_pem);
    parse_refused("a certificate", (const uint8_t *)cert_pem, (size_t)n, ESEAL_E_INVALID);
    BIO_free(bio);
    parse_refused("truncated", der.data, der.len - 1, ESEAL_E_INVALID);
    eseal_buf_append(&bad, der.data, der.len);
    eseal_buf_append(&bad, "", 1);
    parse_refused("trailing byte", bad.data, bad.len, ESEAL_E_INVALID);

    static const struct {
        const char *what;
        const char *pat;
        size_t pat_len;
        size_t off;
        int delta;
    } edits[] = {
        {"version 2", "\x02\x01\x01\x0c\x10", 5, 2, 1},
        {"upper-case id", ID, 16, 8, 'A' - 'a'},
        {"other signature algorithm", (const char *)sm2_sm3_oid, sizeof(sm2_sm3_oid), 9, 1},
        {"unused bits in the signature", (const char *)sm2_sm3_oid, sizeof(sm2_sm3_oid), 12, 1},
        {"a UTCTime instead of GeneralizedTime", "\x18\x0f", 2, 0, -1},
    };
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        eseal_buf_reset(&bad);
        eseal_buf_append(&bad, der.data, der.len);
        edit_at(&bad, edits[i].pat, edits[i].pat_len, edits[i].off, edits[i].delta);
        parse_refused(edits[i].what, bad.data, bad.len, ESEAL_E_INVALID);
    }

    /* The maker certificate inside, no longer a certificate. */
    eseal_buf_reset(&bad);
    eseal_buf_append(&bad, der.data, der.len);
    unsigned char *x = NULL;
    int x_len = i2d_X509(f->maker, &x);
    uint8_t *at = memmem(bad.data, bad.len, x, (size_t)x_len);
    assert_non_null(at);
    at[0] = 0x31; /* SET instead of SEQUENCE */
    parse_refused("a certificate that is not DER", bad.data, bad.len, ESEAL_E_INVALID);
    OPENSSL_free(x);
    eseal_buf_cleanup(&bad);
    eseal_buf_cleanup(&der);
    eseal_buf_cleanup(&pem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),           cmocka_unit_test(test_der_layout),
        cmocka_unit_test(test_signature_zero_tail), cmocka_unit_test(test_make_refusals),
        cmocka_unit_test(test_parse_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
