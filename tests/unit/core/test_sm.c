/* test_sm.c — SM3 known answers, SM2 signatures with the GM/T 0009 ID (checked
 * against raw OpenSSL as an independent peer), and SM2-signed X.509 objects. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "eseal/enc.h"
#include "eseal/sm.h"
#include "testutil.h"

/* ---- helpers ---- */

static EVP_PKEY *sm2_key(void)
{
    EVP_PKEY *k = NULL;
    assert_int_equal(eseal_sm2_keygen(&k, NULL), ESEAL_OK);
    assert_non_null(k);
    return k;
}

/* raw_sign signs |msg| with plain OpenSSL, the way the SM2(7) manual shows:
 * the ID (if |id| is not NULL) is set on a pkey context handed to
 * EVP_DigestSignInit. With |id| NULL no ID is set at all. */
static void raw_sign(EVP_PKEY *key, const char *id, const void *msg, size_t msg_len,
                     struct eseal_buf *sig)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(key, NULL);
    assert_non_null(mctx);
    assert_non_null(pctx);
    if (id != NULL)
        assert_int_equal(EVP_PKEY_CTX_set1_id(pctx, id, strlen(id)), 1);
    EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
    assert_int_equal(EVP_DigestSignInit(mctx, NULL, EVP_sm3(), NULL, key), 1);
    size_t n = 0;
    assert_int_equal(EVP_DigestSign(mctx, NULL, &n, msg, msg_len), 1);
    eseal_buf_reset(sig);
    eseal_buf_reserve(sig, n);
    assert_int_equal(EVP_DigestSign(mctx, sig->data, &n, msg, msg_len), 1);
    sig->len = n;
    EVP_MD_CTX_free(mctx);
    EVP_PKEY_CTX_free(pctx);
}

/* raw_verify checks an SM2 signature with plain OpenSSL and the given ID
 * (none if NULL); returns EVP_DigestVerify's result. */
static int raw_verify(EVP_PKEY *key, const char *id, const void *msg, size_t msg_len,
                      const uint8_t *sig, size_t sig_len)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(key, NULL);
    assert_non_null(mctx);
    assert_non_null(pctx);
    if (id != NULL)
        assert_int_equal(EVP_PKEY_CTX_set1_id(pctx, id, strlen(id)), 1);
    EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
    assert_int_equal(EVP_DigestVerifyInit(mctx, NULL, EVP_sm3(), NULL, key), 1);
    int r = EVP_DigestVerify(mctx, sig, sig_len, msg, msg_len);
    EVP_MD_CTX_free(mctx);
    EVP_PKEY_CTX_free(pctx);
    ERR_clear_error();
    return r;
}

static void set_name(X509_NAME *name, const char *cn)
{
    assert_int_equal(
        X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"CN", -1, -1, 0),
        1);
    assert_int_equal(
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0),
        1);
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(x, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

/* make_cert builds an unsigned v3 certificate for |pub| named |cn|, issued
 * by |issuer| (NULL: self-issued), valid from an hour ago for a day. */
static X509 *make_cert(const char *cn, X509 *issuer, EVP_PKEY *pub, long serial, int ca)
{
    X509 *x = X509_new();
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), 1);
    X509_NAME *name = X509_NAME_new();
    set_name(name, cn);
    assert_int_equal(X509_set_subject_name(x, name), 1);
    assert_int_equal(X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name),
                     1);
    X509_NAME_free(name);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
    assert_int_equal(X509_set_pubkey(x, pub), 1);
    add_ext(x, issuer != NULL ? issuer : x, NID_basic_constraints,
            ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(x, issuer != NULL ? issuer : x, NID_key_usage,
            ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    return x;
}

/* fresh_copy returns a new X509 decoded from |x|'s DER: no ID attached, no
 * cached verification state. */
static X509 *fresh_copy(X509 *x)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    assert_true(n > 0);
    const unsigned char *p = der;
    X509 *y = d2i_X509(NULL, &p, n);
    assert_non_null(y);
    OPENSSL_free(der);
    return y;
}

static X509_REQ *fresh_req(X509_REQ *r)
{
    unsigned char *der = NULL;
    int n = i2d_X509_REQ(r, &der);
    assert_true(n > 0);
    const unsigned char *p = der;
    X509_REQ *y = d2i_X509_REQ(NULL, &p, n);
    assert_non_null(y);
    OPENSSL_free(der);
    return y;
}

static X509_REQ *make_req(const char *cn, EVP_PKEY *key)
{
    X509_REQ *req = X509_REQ_new();
    assert_non_null(req);
    assert_int_equal(X509_REQ_set_version(req, X509_REQ_VERSION_1), 1);
    X509_NAME *name = X509_NAME_new();
    set_name(name, cn);
    assert_int_equal(X509_REQ_set_subject_name(req, name), 1);
    X509_NAME_free(name);
    assert_int_equal(X509_REQ_set_pubkey(req, key), 1);
    return req;
}

/* ---- SM3 ---- */

/* HMAC-SM3 against Python's own HMAC construction over hashlib's SM3
 * (hmac.new(key, msg, lambda: hashlib.new("sm3"))): a short key and one
 * longer than SM3's 64-byte block (hashed first). */
static void test_hmac_sm3_vectors(void **state)
{
    (void)state;
    uint8_t mac[ESEAL_SM3_LEN];
    struct eseal_err err;
    assert_int_equal(eseal_hmac_sm3(mac, "key", 3, "abc", 3, &err), ESEAL_OK);
    char *h = eseal_hex(mac, sizeof(mac));
    assert_string_equal(h, "28e63256e7c5a087b1f073265dc53092163f7b82729735d06f28f10af9d52393");
    free(h);
    char key[70];
    memset(key, 'k', sizeof(key));
    const char *msg = "The quick brown fox jumps over the lazy dog";
    assert_int_equal(eseal_hmac_sm3(mac, key, sizeof(key), msg, strlen(msg), &err), ESEAL_OK);
    h = eseal_hex(mac, sizeof(mac));
    assert_string_equal(h, "6b5761e4d95309bb68bde8e9ad2b9a82a5922ea1417c2261651e1b8ad40e923f");
    free(h);
}

static void test_sm3_vectors(void **state)
{
    (void)state;
    /* GB/T 32905-2016 appendix A, examples 1 and 2. */
    char *h = eseal_sm3_hex("abc", 3);
    assert_string_equal(h, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    free(h);
    char m[65];
    for (int i = 0; i < 16; i++)
        memcpy(m + 4 * i, "abcd", 4);
    m[64] = '\0';
    h = eseal_sm3_hex(m, 64);
    assert_string_equal(h, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
    free(h);
    h = eseal_sm3_hex("", 0);
    assert_string_equal(h, "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
    free(h);

    /* Binary form agrees with the hex form. */
    uint8_t d[ESEAL_SM3_LEN];
    eseal_sm3(d, "abc", 3);
    static const uint8_t want[ESEAL_SM3_LEN] = {0x66, 0xc7, 0xf0, 0xf4, 0x62, 0xee, 0xed, 0xd9,
                                                0xd1, 0xf2, 0xd4, 0x6b, 0xdc, 0x10, 0xe4, 0xe2,
                                                0x41, 0x67, 0xc4, 0x87, 0x5c, 0xf2, 0xf7, 0xa2,
                                                0x29, 0x7d, 0xa0, 0x2b, 0x8f, 0x4b, 0xa8, 0xe0};
    assert_memory_equal(d, want, ESEAL_SM3_LEN);
}

/* ---- SM2 sign / verify ---- */

static void test_sm2_round_trip(void **state)
{
    (void)state;
    EVP_PKEY *k = sm2_key();
    assert_true(eseal_sm2_is(k));
    struct eseal_buf sig, sig2;
    struct eseal_err err;
    eseal_buf_init(&sig);
    eseal_buf_init(&sig2);
    static const char msg[] = "电子印章 seal data";

    assert_int_equal(eseal_sm2_sign(k, msg, sizeof(msg) - 1, &sig, &err), ESEAL_OK);
    assert_true(sig.len >= 8 && sig.len <= 72);
    assert_int_equal(eseal_sm2_verify(k, msg, sizeof(msg) - 1, sig.data, sig.len, &err), ESEAL_OK);

    /* The value is DER SEQUENCE{r, s}, consumed exactly. */
    const unsigned char *p = sig.data;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)sig.len);
    assert_non_null(es);
    assert_ptr_equal(p, sig.data + sig.len);
    ECDSA_SIG_free(es);

    /* SM2 is randomised: a second signature differs and verifies too. */
    assert_int_equal(eseal_sm2_sign(k, msg, sizeof(msg) - 1, &sig2, &err), ESEAL_OK);
    assert_false(sig.len == sig2.len && memcmp(sig.data, sig2.data, sig.len) == 0);
    assert_int_equal(eseal_sm2_verify(k, msg, sizeof(msg) - 1, sig2.data, sig2.len, &err),
                     ESEAL_OK);

    /* Empty and large messages. */
    assert_int_equal(eseal_sm2_sign(k, "", 0, &sig, &err), ESEAL_OK);
    assert_int_equal(eseal_sm2_verify(k, "", 0, sig.data, sig.len, &err), ESEAL_OK);
    size_t big_len = 1 << 20;
    uint8_t *big = calloc(1, big_len);
    assert_non_null(big);
    big[12345] = 7;
    assert_int_equal(eseal_sm2_sign(k, big, big_len, &sig, &err), ESEAL_OK);
    assert_int_equal(eseal_sm2_verify(k, big, big_len, sig.data, sig.len, &err), ESEAL_OK);
    big[12345] = 8;
    assert_int_equal(eseal_sm2_verify(k, big, big_len, sig.data, sig.len, &err), ESEAL_E_CRYPTO);
    free(big);

    /* A public-key-only copy verifies. */
    unsigned char *pubder = NULL;
    int n = i2d_PUBKEY(k, &pubder);
    assert_true(n > 0);
    const unsigned char *pp = pubder;
    EVP_PKEY *pub = d2i_PUBKEY(NULL, &pp, n);
    assert_non_null(pub);
    OPENSSL_free(pubder);
    assert_true(eseal_sm2_is(pub));
    assert_int_equal(eseal_sm2_sign(k, msg, sizeof(msg) - 1, &sig, &err), ESEAL_OK);
    assert_int_equal(eseal_sm2_verify(pub, msg, sizeof(msg) - 1, sig.data, sig.len, &err),
                     ESEAL_OK);
    /* ...and cannot sign. */
    assert_int_not_equal(eseal_sm2_sign(pub, msg, sizeof(msg) - 1, &sig2, &err), ESEAL_OK);
    EVP_PKEY_free(pub);

    /* Two generated keys differ. */
    EVP_PKEY *k2 = sm2_key();
    assert_int_not_equal(EVP_PKEY_eq(k, k2), 1);
    EVP_PKEY_free(k2);

    eseal_buf_cleanup(&sig);
    eseal_buf_cleanup(&sig2);
    EVP_PKEY_free(k);
}

static void test_sm2_tamper(void **state)
{
    (void)state;
    EVP_PKEY *k = sm2_key();
    EVP_PKEY *other = sm2_key();
    struct eseal_buf sig;
    struct eseal_err err;
    eseal_buf_init(&sig);
    uint8_t msg[] = "pay 100 yuan";
    size_t mlen = sizeof(msg) - 1;
    assert_int_equal(eseal_sm2_sign(k, msg, mlen, &sig, &err), ESEAL_OK);

    /* Tampered message. */
    msg[4] = '9';
    eseal_err_clear(&err);
    assert_int_equal(eseal_sm2_verify(k, msg, mlen, sig.data, sig.len, &err), ESEAL_E_CRYPTO);
    assert_int_equal(err.rc, ESEAL_E_CRYPTO);
    assert_true(strlen(err.msg) > 0);
    assert_int_equal(ERR_peek_error(), 0); /* the adapter drained the queue */
    msg[4] = '1';
    assert_int_equal(eseal_sm2_verify(k, msg, mlen, sig.data, sig.len, &err), ESEAL_OK);
    assert_int_equal(eseal_sm2_verify(k, msg, mlen - 1, sig.data, sig.len, &err), ESEAL_E_CRYPTO);

    /* Every single-byte change to the signature is rejected. */
    for (size_t i = 0; i < sig.len; i++) {
        sig.data[i] ^= 0x01;
        assert_int_equal(eseal_sm2_verify(k, msg, mlen, sig.data, sig.len, NULL), ESEAL_E_CRYPTO);
        sig.data[i] ^= 0x01;
    }
    /* Truncated, extended, empty. */
    assert_int_equal(eseal_sm2_verify(k, msg, mlen, sig.data, sig.len - 1, &err), ESEAL_E_CRYPTO);
    uint8_t longer[128];
    memcpy(longer, sig.data, sig.len);
    longer[sig.len] = 0;
    assert_int_equal(eseal_sm2_verify(k, msg, mlen, longer, sig.len + 1, &err), ESEAL_E_CRYPTO);
    assert_int_equal(eseal_sm2_verify(k, msg, mlen, sig.data, 0, &err), ESEAL_E_CRYPTO);

    /* Wrong key. */
    assert_int_equal(eseal_sm2_verify(other, msg, mlen, sig.data, sig.len, &err), ESEAL_E_CRYPTO);
    assert_int_equal(ERR_peek_error(), 0);

    eseal_buf_cleanup(&sig);
    EVP_PKEY_free(k);
    EVP_PKEY_free(other);
}

/* The ID is really applied: a signature made by plain OpenSSL is accepted
 * only if it was made with "1234567812345678", and eseal's signature checks
 * with plain OpenSSL only under that ID. */
static void test_sm2_distinguishing_id(void **state)
{
    (void)state;
    EVP_PKEY *k = sm2_key();
    struct eseal_buf sig;
    struct eseal_err err;
    eseal_buf_init(&sig);
    static const char msg[] = "GM/T 0009";
    size_t mlen = sizeof(msg) - 1;

    raw_sign(k, ESEAL_SM2_ID, msg, mlen, &sig);
    assert_int_equal(eseal_sm2_verify(k, msg, mlen, sig.data, sig.len, &err), ESEAL_OK);

    raw_sign(k, "abc", msg, mlen, &sig);
    assert_int_equal(eseal_sm2_verify(k, msg, mlen, sig.data, sig.len, &err), ESEAL_E_CRYPTO);
    assert_int_equal(raw_verify(k, "abc", msg, mlen, sig.data, sig.len), 1);

    raw_sign(k, "1234567812345679", msg, mlen, &sig);
    assert_int_equal(eseal_sm2_verify(k, msg, mlen, sig.data, sig.len, &err), ESEAL_E_CRYPTO);

    raw_sign(k, NULL, msg, mlen, &sig); /* OpenSSL 3's default: no ID */
    assert_int_equal(eseal_sm2_verify(k, msg, mlen, sig.data, sig.len, &err), ESEAL_E_CRYPTO);
    assert_int_equal(raw_verify(k, NULL, msg, mlen, sig.data, sig.len), 1);

    /* The other direction. */
    assert_int_equal(eseal_sm2_sign(k, msg, mlen, &sig, &err), ESEAL_OK);
    assert_int_equal(raw_verify(k, ESEAL_SM2_ID, msg, mlen, sig.data, sig.len), 1);
    assert_int_not_equal(raw_verify(k, NULL, msg, mlen, sig.data, sig.len), 1);
    assert_int_not_equal(raw_verify(k, "abc", msg, mlen, sig.data, sig.len), 1);

    eseal_buf_cleanup(&sig);
    EVP_PKEY_free(k);
}

static void test_sm2_wrong_key_type(void **state)
{
    (void)state;
    EVP_PKEY *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    EVP_PKEY *sm2 = sm2_key();
    assert_non_null(p256);
    assert_non_null(ed);
    assert_false(eseal_sm2_is(p256));
    assert_false(eseal_sm2_is(ed));
    assert_false(eseal_sm2_is(NULL));
    assert_true(eseal_sm2_is(sm2));

    struct eseal_buf sig;
    struct eseal_err err;
    eseal_buf_init(&sig);
    EVP_PKEY *bad[] = {p256, ed};
    for (size_t i = 0; i < 2; i++) {
        eseal_err_clear(&err);
        assert_int_equal(eseal_sm2_sign(bad[i], "m", 1, &sig, &err), ESEAL_E_INVALID);
        assert_int_equal(err.rc, ESEAL_E_INVALID);
        assert_int_equal(sig.len, 0);
        assert_int_equal(eseal_sm2_verify(bad[i], "m", 1, (const uint8_t *)"xx", 2, &err),
                         ESEAL_E_INVALID);
    }
    /* A genuine SM2 signature does not verify under a P-256 key either. */
    assert_int_equal(eseal_sm2_sign(sm2, "m", 1, &sig, &err), ESEAL_OK);
    assert_int_equal(eseal_sm2_verify(p256, "m", 1, sig.data, sig.len, &err), ESEAL_E_INVALID);

    /* X.509 signing with a non-SM2 key is refused. */
    X509 *x = make_cert("p256", NULL, p256, 1, 1);
    assert_int_equal(eseal_x509_sign(x, p256, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_x509_sign(x, ed, &err), ESEAL_E_INVALID);
    X509_free(x);
    X509_REQ *req = make_req("p256", p256);
    assert_int_equal(eseal_x509_req_sign(req, p256, &err), ESEAL_E_INVALID);
    X509_REQ_free(req);
    X509_CRL *crl = X509_CRL_new();
    assert_int_equal(eseal_x509_crl_sign(crl, ed, &err), ESEAL_E_INVALID);
    X509_CRL_free(crl);

    eseal_buf_cleanup(&sig);
    EVP_PKEY_free(p256);
    EVP_PKEY_free(ed);
    EVP_PKEY_free(sm2);
}

/* ---- X.509 ---- */

static void test_x509_cert(void **state)
{
    (void)state;
    struct eseal_err err;
    EVP_PKEY *root_key = sm2_key();
    EVP_PKEY *child_key = sm2_key();

    X509 *root = make_cert("福建省电子印章根CA", NULL, root_key, 1, 1);
    assert_int_equal(eseal_x509_sign(root, root_key, &err), ESEAL_OK);
    X509 *child = make_cert("某单位印章", root, child_key, 0x5a5a, 0);
    assert_int_equal(eseal_x509_sign(child, root_key, &err), ESEAL_OK);

    /* SM2-with-SM3, OID 1.2.156.10197.1.501. */
    assert_int_equal(X509_get_signature_nid(child), NID_SM2_with_SM3);
    assert_int_equal(X509_get_signature_nid(root), NID_SM2_with_SM3);
    char oid[64];
    const X509_ALGOR *alg = NULL;
    X509_get0_signature(NULL, &alg, child);
    const ASN1_OBJECT *obj = NULL;
    X509_ALGOR_get0(&obj, NULL, NULL, alg);
    OBJ_obj2txt(oid, sizeof(oid), obj, 1);
    assert_string_equal(oid, "1.2.156.10197.1.501");

    assert_int_equal(eseal_x509_check_signed_by(child, root_key, &err), ESEAL_OK);
    assert_int_equal(eseal_x509_check_signed_by(root, root_key, &err), ESEAL_OK);
    assert_int_equal(eseal_x509_check_signed_by(child, child_key, &err), ESEAL_E_CRYPTO);
    assert_int_equal(err.rc, ESEAL_E_CRYPTO);
    assert_int_equal(ERR_peek_error(), 0);

    /* A fresh copy (no ID attached) fails plain X509_verify, because OpenSSL
     * 3 would use the empty ID; with the ID attached it verifies. */
    X509 *copy = fresh_copy(child);
    assert_int_not_equal(X509_verify(copy, root_key), 1);
    ERR_clear_error();
    eseal_x509_set_sm2_id(copy);
    assert_int_equal(X509_verify(copy, root_key), 1);
    eseal_x509_set_sm2_id(copy); /* setting it again replaces, no leak */
    assert_int_equal(X509_verify(copy, root_key), 1);
    X509_free(copy);

    /* The signature also checks by hand: SM2 over the TBS bytes with the ID. */
    const ASN1_BIT_STRING *bits = NULL;
    X509_get0_signature(&bits, NULL, child);
    unsigned char *tbs = NULL;
    int tbs_len = i2d_re_X509_tbs(child, &tbs);
    assert_true(tbs_len > 0);
    assert_int_equal(eseal_sm2_verify(root_key, tbs, (size_t)tbs_len, ASN1_STRING_get0_data(bits),
                                      (size_t)ASN1_STRING_length(bits), &err),
                     ESEAL_OK);
    OPENSSL_free(tbs);

    /* Chain verification with OpenSSL's verifier: only with the ID. */
    X509_STORE *store = X509_STORE_new();
    assert_int_equal(X509_STORE_add_cert(store, root), 1);
    for (int with_id = 0; with_id <= 1; with_id++) {
        X509 *leaf = fresh_copy(child);
        if (with_id)
            eseal_x509_set_sm2_id(leaf);
        X509_STORE_CTX *sctx = X509_STORE_CTX_new();
        assert_int_equal(X509_STORE_CTX_init(sctx, store, leaf, NULL), 1);
        int ok = X509_verify_cert(sctx);
        if (with_id) {
            assert_int_equal(ok, 1);
        } else {
            assert_int_not_equal(ok, 1);
            assert_int_equal(X509_STORE_CTX_get_error(sctx), X509_V_ERR_CERT_SIGNATURE_FAILURE);
        }
        X509_STORE_CTX_free(sctx);
        X509_free(leaf);
    }
    X509_STORE_free(store);
    ERR_clear_error();

    /* A certificate signed by plain OpenSSL (no ID) is rejected. */
    X509 *raw = make_cert("raw", root, child_key, 3, 0);
    assert_true(X509_sign(raw, root_key, EVP_sm3()) > 0);
    X509 *raw_copy = fresh_copy(raw);
    assert_int_equal(X509_verify(raw_copy, root_key), 1); /* it is valid without an ID */
    assert_int_equal(eseal_x509_check_signed_by(raw_copy, root_key, &err), ESEAL_E_CRYPTO);
    X509_free(raw_copy);
    X509_free(raw);

    /* Changing the serial in the DER after signing breaks the signature. */
    unsigned char *der = NULL;
    int der_len = i2d_X509(child, &der);
    assert_true(der_len > 0);
    static const unsigned char serial_tlv[] = {0x02, 0x02, 0x5a, 0x5a};
    unsigned char *at = memmem(der, (size_t)der_len, serial_tlv, sizeof(serial_tlv));
    assert_non_null(at);
    at[3] = 0x5b;
    const unsigned char *dp = der;
    X509 *tampered = d2i_X509(NULL, &dp, der_len);
    assert_non_null(tampered);
    assert_int_equal(eseal_x509_check_signed_by(tampered, root_key, &err), ESEAL_E_CRYPTO);
    at[3] = 0x5a;
    dp = der;
    X509 *restored = d2i_X509(NULL, &dp, der_len);
    assert_int_equal(eseal_x509_check_signed_by(restored, root_key, &err), ESEAL_OK);
    X509_free(restored);
    X509_free(tampered);
    OPENSSL_free(der);

    X509_free(child);
    X509_free(root);
    EVP_PKEY_free(root_key);
    EVP_PKEY_free(child_key);
}

static void test_x509_req(void **state)
{
    (void)state;
    struct eseal_err err;
    EVP_PKEY *k = sm2_key();
    EVP_PKEY *other = sm2_key();

    X509_REQ *req = make_req("申请单位", k);
    assert_int_equal(eseal_x509_req_sign(req, k, &err), ESEAL_OK);
    assert_int_equal(X509_REQ_get_signature_nid(req), NID_SM2_with_SM3);
    X509_REQ *copy = fresh_req(req);
    assert_int_equal(eseal_x509_req_check(copy, &err), ESEAL_OK);
    X509_REQ_free(copy);
    /* Plain OpenSSL without the ID does not accept it. */
    copy = fresh_req(req);
    assert_int_not_equal(X509_REQ_verify(copy, k), 1);
    ERR_clear_error();
    X509_REQ_free(copy);

    /* Changed after signing. */
    copy = fresh_req(req);
    X509_NAME *name = X509_NAME_new();
    set_name(name, "冒名单位");
    assert_int_equal(X509_REQ_set_subject_name(copy, name), 1);
    X509_NAME_free(name);
    assert_int_equal(eseal_x509_req_check(copy, &err), ESEAL_E_CRYPTO);
    X509_REQ_free(copy);
    X509_REQ_free(req);

    /* Signed by another key than the one inside: no proof of possession. */
    req = make_req("pop", k);
    assert_int_equal(eseal_x509_req_sign(req, other, &err), ESEAL_OK);
    copy = fresh_req(req);
    assert_int_equal(eseal_x509_req_check(copy, &err), ESEAL_E_CRYPTO);
    assert_int_equal(err.rc, ESEAL_E_CRYPTO);
    X509_REQ_free(copy);
    X509_REQ_free(req);

    /* Signed by plain OpenSSL, which uses no ID: rejected. */
    req = make_req("raw", k);
    assert_true(X509_REQ_sign(req, k, EVP_sm3()) > 0);
    copy = fresh_req(req);
    assert_int_equal(X509_REQ_verify(copy, k), 1); /* valid without an ID */
    X509_REQ_free(copy);
    copy = fresh_req(req);
    assert_int_equal(eseal_x509_req_check(copy, &err), ESEAL_E_CRYPTO);
    assert_int_equal(ERR_peek_error(), 0);
    X509_REQ_free(copy);
    X509_REQ_free(req);

    /* Without a public key. */
    req = X509_REQ_new();
    assert_int_equal(eseal_x509_req_check(req, &err), ESEAL_E_INVALID);
    X509_REQ_free(req);

    EVP_PKEY_free(k);
    EVP_PKEY_free(other);
}

static void test_x509_crl(void **state)
{
    (void)state;
    struct eseal_err err;
    EVP_PKEY *k = sm2_key();
    X509 *ca = make_cert("CRL issuer", NULL, k, 1, 1);
    assert_int_equal(eseal_x509_sign(ca, k, &err), ESEAL_OK);

    X509_CRL *crl = X509_CRL_new();
    assert_non_null(crl);
    assert_int_equal(X509_CRL_set_version(crl, X509_CRL_VERSION_2), 1);
    assert_int_equal(X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)), 1);
    ASN1_TIME *t = X509_gmtime_adj(NULL, 0);
    assert_int_equal(X509_CRL_set1_lastUpdate(crl, t), 1);
    assert_non_null(X509_gmtime_adj(t, 86400));
    assert_int_equal(X509_CRL_set1_nextUpdate(crl, t), 1);
    X509_REVOKED *rev = X509_REVOKED_new();
    ASN1_INTEGER *serial = ASN1_INTEGER_new();
    ASN1_INTEGER_set(serial, 0x1234);
    assert_int_equal(X509_REVOKED_set_serialNumber(rev, serial), 1);
    assert_int_equal(X509_REVOKED_set_revocationDate(rev, t), 1);
    assert_int_equal(X509_CRL_add0_revoked(crl, rev), 1);
    ASN1_INTEGER_free(serial);
    ASN1_TIME_free(t);

    assert_int_equal(eseal_x509_crl_sign(crl, k, &err), ESEAL_OK);
    /* OpenSSL 3.0 has no distinguishing-ID setter for CRLs: check the
     * algorithm, then the signature by hand with the ID. */
    assert_int_equal(X509_CRL_get_signature_nid(crl), NID_SM2_with_SM3);
    const ASN1_BIT_STRING *bits = NULL;
    X509_CRL_get0_signature(crl, &bits, NULL);
    unsigned char *tbs = NULL;
    int tbs_len = i2d_re_X509_CRL_tbs(crl, &tbs);
    assert_true(tbs_len > 0);
    assert_int_equal(eseal_sm2_verify(k, tbs, (size_t)tbs_len, ASN1_STRING_get0_data(bits),
                                      (size_t)ASN1_STRING_length(bits), &err),
                     ESEAL_OK);
    /* ...and it was not made with the empty ID. */
    assert_int_not_equal(raw_verify(k, NULL, tbs, (size_t)tbs_len, ASN1_STRING_get0_data(bits),
                                    (size_t)ASN1_STRING_length(bits)),
                         1);
    OPENSSL_free(tbs);

    X509_CRL_free(crl);
    X509_free(ca);
    EVP_PKEY_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sm3_vectors),
        cmocka_unit_test(test_hmac_sm3_vectors),
        cmocka_unit_test(test_sm2_round_trip),
        cmocka_unit_test(test_sm2_tamper),
        cmocka_unit_test(test_sm2_distinguishing_id),
        cmocka_unit_test(test_sm2_wrong_key_type),
        cmocka_unit_test(test_x509_cert),
        cmocka_unit_test(test_x509_req),
        cmocka_unit_test(test_x509_crl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
