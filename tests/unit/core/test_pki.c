/* test_pki.c — bounded PEM/DER parsing of certificates and requests, names,
 * serials and times for people, SM3 fingerprints, and keys and secrets
 * wrapped at rest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/pki.h"
#include "eseal/sm.h"
#include "testutil.h"

/* ---- fixtures ---- */

struct fixture {
    char *dir;
    EVP_PKEY *key;
    X509 *cert;
    X509_REQ *req;
};

static void add_entry(X509_NAME *name, const char *field, const char *value)
{
    assert_int_equal(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                                (const unsigned char *)value, -1, -1, 0),
                     1);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->dir = tu_tmpdir();
    assert_int_equal(eseal_sm2_keygen(&f->key, NULL), ESEAL_OK);

    X509_NAME *name = X509_NAME_new();
    add_entry(name, "C", "CN");
    add_entry(name, "O", "福建省人民政府");
    add_entry(name, "CN", "福建省电子印章测试");

    f->cert = X509_new();
    assert_int_equal(X509_set_version(f->cert, X509_VERSION_3), 1);
    BIGNUM *bn = NULL;
    assert_true(BN_hex2bn(&bn, "1A2B3C4D5E6F") > 0);
    assert_non_null(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(f->cert)));
    BN_free(bn);
    assert_int_equal(X509_set_subject_name(f->cert, name), 1);
    assert_int_equal(X509_set_issuer_name(f->cert, name), 1);
    assert_int_equal(ASN1_TIME_set_string(X509_getm_notBefore(f->cert), "20250102030405Z"), 1);
    assert_int_equal(ASN1_TIME_set_string(X509_getm_notAfter(f->cert), "20550102030405Z"), 1);
    assert_int_equal(X509_set_pubkey(f->cert, f->key), 1);
    assert_int_equal(eseal_x509_sign(f->cert, f->key, NULL), ESEAL_OK);

    f->req = X509_REQ_new();
    assert_int_equal(X509_REQ_set_subject_name(f->req, name), 1);
    assert_int_equal(X509_REQ_set_pubkey(f->req, f->key), 1);
    assert_int_equal(eseal_x509_req_sign(f->req, f->key, NULL), ESEAL_OK);
    X509_NAME_free(name);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tu_rmtree(f->dir);
    free(f->dir);
    EVP_PKEY_free(f->key);
    X509_free(f->cert);
    X509_REQ_free(f->req);
    free(f);
    return 0;
}

/* ---- helpers ---- */

static uint8_t *der_of_cert(X509 *x, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    assert_true(n > 0);
    *len = (size_t)n;
    return der; /* OPENSSL_free */
}

static uint8_t *der_of_req(X509_REQ *r, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_X509_REQ(r, &der);
    assert_true(n > 0);
    *len = (size_t)n;
    return der;
}

static char *pem_of_req(X509_REQ *r)
{
    BIO *bio = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_X509_REQ(bio, r), 1);
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);
    char *s = eseal_xstrndup(p, (size_t)n);
    BIO_free(bio);
    return s;
}

static void put(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    if (len > 0)
        assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void read_all(const char *path, struct eseal_buf *out)
{
    assert_int_equal(eseal_file_read(out, path, 1 << 20, NULL), ESEAL_OK);
}

/* ---- certificate parsing ---- */

static void test_cert_parse_pem_der(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    X509 *x = NULL;

    /* PEM from eseal_pki_cert_pem. */
    char *pem = eseal_pki_cert_pem(f->cert);
    assert_int_equal(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28), 0);
    assert_non_null(strstr(pem, "-----END CERTIFICATE-----"));
    assert_int_equal(eseal_pki_cert_parse(&x, (const uint8_t *)pem, strlen(pem), &err), ESEAL_OK);
    assert_non_null(x);
    assert_int_equal(X509_cmp(x, f->cert), 0);
    X509_free(x);

    /* PEM after leading blank lines (the armour itself starts a line). */
    char *padded = eseal_xasprintf("\n \r\n\t\n%s", pem);
    assert_int_equal(eseal_pki_cert_parse(&x, (const uint8_t *)padded, strlen(padded), &err),
                     ESEAL_OK);
    assert_int_equal(X509_cmp(x, f->cert), 0);
    X509_free(x);
    free(padded);

    /* DER: eseal_pki_cert_der equals i2d_X509. */
    size_t der_len = 0;
    uint8_t *der = der_of_cert(f->cert, &der_len);
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_buf_append_str(&b, "replaced");
    eseal_pki_cert_der(f->cert, &b);
    assert_int_equal(b.len, der_len);
    assert_memory_equal(b.data, der, der_len);
    assert_int_equal(eseal_pki_cert_parse(&x, b.data, b.len, &err), ESEAL_OK);
    assert_int_equal(X509_cmp(x, f->cert), 0);

    /* Round trip PEM(parsed DER) is the same text. */
    char *pem2 = eseal_pki_cert_pem(x);
    assert_string_equal(pem2, pem);
    free(pem2);
    X509_free(x);

    OPENSSL_free(der);
    eseal_buf_cleanup(&b);
    free(pem);
}

static void test_cert_parse_rejects(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    X509 *x = (X509 *)&err; /* must be reset to NULL on failure */
    size_t der_len = 0;
    uint8_t *der = der_of_cert(f->cert, &der_len);

    /* DER with a trailing byte. */
    uint8_t *longer = malloc(der_len + 1);
    assert_non_null(longer);
    memcpy(longer, der, der_len);
    longer[der_len] = 0x00;
    assert_int_equal(eseal_pki_cert_parse(&x, longer, der_len + 1, &err), ESEAL_E_INVALID);
    assert_null(x);
    assert_int_equal(err.rc, ESEAL_E_INVALID);
    free(longer);

    /* Truncated DER. */
    assert_int_equal(eseal_pki_cert_parse(&x, der, der_len - 1, &err), ESEAL_E_INVALID);
    assert_null(x);
    assert_int_equal(eseal_pki_cert_parse(&x, der, 10, &err), ESEAL_E_INVALID);

    /* Garbage, binary and text. */
    static const uint8_t junk[] = {0x30, 0x82, 0xff, 0xff, 0x01, 0x02};
    assert_int_equal(eseal_pki_cert_parse(&x, junk, sizeof(junk), &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_pki_cert_parse(&x, (const uint8_t *)"hello", 5, &err), ESEAL_E_INVALID);
    static const char bad_pem[] = "-----BEGIN CERTIFICATE-----\nnot base64 !!\n"
                                  "-----END CERTIFICATE-----\n";
    assert_int_equal(eseal_pki_cert_parse(&x, (const uint8_t *)bad_pem, sizeof(bad_pem) - 1, &err),
                     ESEAL_E_INVALID);
    assert_null(x);
    assert_int_equal(ERR_peek_error(), 0);

    /* A request is not a certificate, in either encoding. */
    char *req_pem = pem_of_req(f->req);
    assert_int_equal(eseal_pki_cert_parse(&x, (const uint8_t *)req_pem, strlen(req_pem), &err),
                     ESEAL_E_INVALID);
    free(req_pem);
    size_t req_len = 0;
    uint8_t *req_der = der_of_req(f->req, &req_len);
    assert_int_equal(eseal_pki_cert_parse(&x, req_der, req_len, &err), ESEAL_E_INVALID);
    OPENSSL_free(req_der);

    /* Empty. */
    assert_int_equal(eseal_pki_cert_parse(&x, der, 0, &err), ESEAL_E_INVALID);
    assert_null(x);

    /* Over the limit is TOOBIG before any parsing; at the limit it's parsed. */
    uint8_t *big = calloc(1, ESEAL_PKI_MAX_INPUT + 1);
    assert_non_null(big);
    memcpy(big, der, der_len);
    assert_int_equal(eseal_pki_cert_parse(&x, big, ESEAL_PKI_MAX_INPUT + 1, &err), ESEAL_E_TOOBIG);
    assert_int_equal(err.rc, ESEAL_E_TOOBIG);
    assert_null(x);
    assert_int_equal(eseal_pki_cert_parse(&x, big, ESEAL_PKI_MAX_INPUT, &err), ESEAL_E_INVALID);
    free(big);

    OPENSSL_free(der);
}

static void test_req_parse(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    X509_REQ *r = NULL;

    char *pem = pem_of_req(f->req);
    assert_int_equal(eseal_pki_req_parse(&r, (const uint8_t *)pem, strlen(pem), &err), ESEAL_OK);
    assert_non_null(r);
    assert_int_equal(X509_NAME_cmp(X509_REQ_get_subject_name(r), X509_REQ_get_subject_name(f->req)),
                     0);
    assert_int_equal(eseal_x509_req_check(r, &err), ESEAL_OK);
    X509_REQ_free(r);

    size_t len = 0;
    uint8_t *der = der_of_req(f->req, &len);
    assert_int_equal(eseal_pki_req_parse(&r, der, len, &err), ESEAL_OK);
    assert_int_equal(eseal_x509_req_check(r, &err), ESEAL_OK);
    X509_REQ_free(r);

    /* Trailing byte, truncation, garbage, empty, too big. */
    uint8_t *longer = malloc(len + 1);
    assert_non_null(longer);
    memcpy(longer, der, len);
    longer[len] = 0x0a;
    r = (X509_REQ *)&err;
    assert_int_equal(eseal_pki_req_parse(&r, longer, len + 1, &err), ESEAL_E_INVALID);
    assert_null(r);
    free(longer);
    assert_int_equal(eseal_pki_req_parse(&r, der, len - 1, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_pki_req_parse(&r, (const uint8_t *)"\x30\x00", 2, &err),
                     ESEAL_E_INVALID);
    assert_int_equal(eseal_pki_req_parse(&r, (const uint8_t *)"garbage", 7, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_pki_req_parse(&r, der, 0, &err), ESEAL_E_INVALID);
    uint8_t *big = calloc(1, ESEAL_PKI_MAX_INPUT + 1);
    assert_non_null(big);
    assert_int_equal(eseal_pki_req_parse(&r, big, ESEAL_PKI_MAX_INPUT + 1, &err), ESEAL_E_TOOBIG);
    free(big);
    assert_null(r);

    /* A certificate is not a request. */
    size_t cert_len = 0;
    uint8_t *cert_der = der_of_cert(f->cert, &cert_len);
    assert_int_equal(eseal_pki_req_parse(&r, cert_der, cert_len, &err), ESEAL_E_INVALID);
    OPENSSL_free(cert_der);
    char *cert_pem = eseal_pki_cert_pem(f->cert);
    assert_int_equal(eseal_pki_req_parse(&r, (const uint8_t *)cert_pem, strlen(cert_pem), &err),
                     ESEAL_E_INVALID);
    free(cert_pem);
    assert_int_equal(ERR_peek_error(), 0);

    OPENSSL_free(der);
    free(pem);
}

static void test_cert_load(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    X509 *x = NULL;

    char *path = eseal_path_join(f->dir, "cert.der");
    size_t len = 0;
    uint8_t *der = der_of_cert(f->cert, &len);
    put(path, der, len);
    assert_int_equal(eseal_pki_cert_load(&x, path, &err), ESEAL_OK);
    assert_int_equal(X509_cmp(x, f->cert), 0);
    X509_free(x);
    OPENSSL_free(der);

    char *pem_path = eseal_path_join(f->dir, "cert.pem");
    char *pem = eseal_pki_cert_pem(f->cert);
    put(pem_path, pem, strlen(pem));
    assert_int_equal(eseal_pki_cert_load(&x, pem_path, &err), ESEAL_OK);
    assert_int_equal(X509_cmp(x, f->cert), 0);
    X509_free(x);
    free(pem);

    char *missing = eseal_path_join(f->dir, "missing.pem");
    assert_int_equal(eseal_pki_cert_load(&x, missing, &err), ESEAL_E_NOTFOUND);
    assert_non_null(strstr(err.msg, missing));

    char *junk = eseal_path_join(f->dir, "junk.pem");
    put(junk, "junk", 4);
    assert_int_equal(eseal_pki_cert_load(&x, junk, &err), ESEAL_E_INVALID);
    assert_null(x);
    assert_non_null(strstr(err.msg, junk));

    free(path);
    free(pem_path);
    free(missing);
    free(junk);
}

/* ---- printable forms ---- */

static void test_name(void **state)
{
    struct fixture *f = *state;
    /* Certificate order (C first), raw UTF-8, no \XX escapes. */
    char *s = eseal_pki_name(X509_get_subject_name(f->cert));
    assert_string_equal(s, "C=CN,O=福建省人民政府,CN=福建省电子印章测试");
    free(s);

    /* A BMPString holding Chinese also comes out as UTF-8. */
    X509_NAME *n = X509_NAME_new();
    static const unsigned char bmp[] = {0x53, 0x70, 0x7a, 0xe0}; /* 印章 in UCS-2 */
    assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_BMP, bmp, sizeof(bmp), -1, 0), 1);
    s = eseal_pki_name(n);
    assert_string_equal(s, "CN=印章");
    free(s);
    X509_NAME_free(n);

    /* RFC 2253 specials are still escaped. */
    n = X509_NAME_new();
    add_entry(n, "O", "A, B+C");
    add_entry(n, "CN", "x");
    s = eseal_pki_name(n);
    assert_string_equal(s, "O=A\\, B\\+C,CN=x");
    free(s);
    X509_NAME_free(n);

    n = X509_NAME_new();
    s = eseal_pki_name(n);
    assert_string_equal(s, "");
    free(s);
    X509_NAME_free(n);
}

static void test_serial(void **state)
{
    struct fixture *f = *state;
    char *s = eseal_pki_serial(X509_get0_serialNumber(f->cert));
    assert_string_equal(s, "1A2B3C4D5E6F");
    free(s);

    static const char *const hex[] = {"ABCDEF0123456789ABCDEF0123456789ABCDEF01", "10", "7F"};
    for (size_t i = 0; i < sizeof(hex) / sizeof(hex[0]); i++) {
        BIGNUM *bn = NULL;
        assert_true(BN_hex2bn(&bn, hex[i]) > 0);
        ASN1_INTEGER *ai = BN_to_ASN1_INTEGER(bn, NULL);
        s = eseal_pki_serial(ai);
        assert_string_equal(s, hex[i]);
        free(s);
        ASN1_INTEGER_free(ai);
        BN_free(bn);
    }
    /* Lower-case input still prints upper-case. */
    BIGNUM *bn = NULL;
    assert_true(BN_hex2bn(&bn, "deadbeef") > 0);
    ASN1_INTEGER *ai = BN_to_ASN1_INTEGER(bn, NULL);
    s = eseal_pki_serial(ai);
    assert_string_equal(s, "DEADBEEF");
    free(s);
    ASN1_INTEGER_free(ai);
    BN_free(bn);

    ai = ASN1_INTEGER_new();
    ASN1_INTEGER_set(ai, 0);
    s = eseal_pki_serial(ai);
    assert_string_equal(s, "0");
    free(s);
    ASN1_INTEGER_free(ai);
}

static void test_time(void **state)
{
    struct fixture *f = *state;
    char *s = eseal_pki_time(X509_get0_notBefore(f->cert));
    assert_string_equal(s, "2025-01-02T03:04:05Z");
    free(s);
    s = eseal_pki_time(X509_get0_notAfter(f->cert)); /* GeneralizedTime after 2049 */
    assert_string_equal(s, "2055-01-02T03:04:05Z");
    free(s);

    static const struct {
        const char *in, *out;
    } v[] = {
        {"991231235959Z", "1999-12-31T23:59:59Z"},   /* UTCTime, 19xx */
        {"490101000000Z", "2049-01-01T00:00:00Z"},   /* UTCTime, 20xx */
        {"20240229120000Z", "2024-02-29T12:00:00Z"}, /* leap day */
        {"99991231235959Z", "9999-12-31T23:59:59Z"}, /* "no expiry" */
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        ASN1_TIME *t = ASN1_TIME_new();
        assert_int_equal(ASN1_TIME_set_string(t, v[i].in), 1);
        s = eseal_pki_time(t);
        assert_string_equal(s, v[i].out);
        free(s);
        ASN1_TIME_free(t);
    }

    /* An unparseable time gives "", not garbage. */
    ASN1_TIME *t = ASN1_TIME_new();
    assert_int_equal(ASN1_STRING_set(t, "garbage", 7), 1);
    s = eseal_pki_time(t);
    assert_string_equal(s, "");
    free(s);
    ASN1_TIME_free(t);
    ERR_clear_error();
}

static void test_cert_sm3(void **state)
{
    struct fixture *f = *state;
    size_t len = 0;
    uint8_t *der = der_of_cert(f->cert, &len);
    char *want = eseal_sm3_hex(der, len);
    char *got = eseal_pki_cert_sm3(f->cert);
    assert_string_equal(got, want);
    assert_int_equal(strlen(got), 64);
    /* Lower-case hex. */
    for (size_t i = 0; i < 64; i++)
        assert_true((got[i] >= '0' && got[i] <= '9') || (got[i] >= 'a' && got[i] <= 'f'));
    free(got);
    free(want);
    OPENSSL_free(der);
}

/* ---- keys at rest ---- */

static void test_key_save_load(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    char *path = eseal_path_join(f->dir, "seal.key");
    static const char pass[] = "密钥口令 key pass";
    size_t plen = strlen(pass);

    mode_t old = umask(0); /* mode 0600 must not depend on the umask */
    assert_int_equal(eseal_pki_key_save(path, f->key, pass, plen, &err), ESEAL_OK);
    umask(old);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    /* The file is PEM armour around the wrapped blob; no private key bytes
     * appear, neither in the file nor in the decoded body. */
    struct eseal_buf file;
    eseal_buf_init(&file);
    read_all(path, &file);
    assert_int_equal(strncmp((char *)file.data, "-----BEGIN ESEAL ENCRYPTED PRIVATE KEY-----", 43),
                     0);
    BIGNUM *priv = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(f->key, OSSL_PKEY_PARAM_PRIV_KEY, &priv), 1);
    uint8_t raw[32];
    assert_int_equal(BN_bn2binpad(priv, raw, sizeof(raw)), 32);
    BN_clear_free(priv);
    assert_null(memmem(file.data, file.len, raw, sizeof(raw)));
    assert_null(memmem(file.data, file.len, raw, 8));
    BIO *bio = BIO_new_mem_buf(file.data, (int)file.len);
    char *name = NULL, *header = NULL;
    unsigned char *body = NULL;
    long body_len = 0;
    assert_int_equal(PEM_read_bio(bio, &name, &header, &body, &body_len), 1);
    assert_string_equal(name, "ESEAL ENCRYPTED PRIVATE KEY");
    assert_memory_equal(body, "ESW1", 4);
    assert_null(memmem(body, (size_t)body_len, raw, 8));
    BIO_free(bio);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(body);

    /* Load: still an SM2 key, the same key, and it signs for the original. */
    EVP_PKEY *loaded = NULL;
    assert_int_equal(eseal_pki_key_load(&loaded, path, pass, plen, &err), ESEAL_OK);
    assert_non_null(loaded);
    assert_true(eseal_sm2_is(loaded));
    assert_int_equal(EVP_PKEY_eq(loaded, f->key), 1);
    struct eseal_buf sig;
    eseal_buf_init(&sig);
    static const char msg[] = "signed with the reloaded key";
    assert_int_equal(eseal_sm2_sign(loaded, msg, sizeof(msg), &sig, &err), ESEAL_OK);
    unsigned char *pubder = NULL;
    int pn = i2d_PUBKEY(f->key, &pubder);
    const unsigned char *pp = pubder;
    EVP_PKEY *pub = d2i_PUBKEY(NULL, &pp, pn);
    assert_non_null(pub);
    assert_int_equal(eseal_sm2_verify(pub, msg, sizeof(msg), sig.data, sig.len, &err), ESEAL_OK);
    /* ...and the certificate made with the original key checks with it. */
    assert_int_equal(eseal_x509_check_signed_by(f->cert, loaded, &err), ESEAL_OK);
    EVP_PKEY_free(pub);
    OPENSSL_free(pubder);
    EVP_PKEY_free(loaded);
    eseal_buf_cleanup(&sig);

    /* Wrong passphrase. */
    loaded = (EVP_PKEY *)&err;
    assert_int_equal(eseal_pki_key_load(&loaded, path, "Xyzzy-9", 7, &err), ESEAL_E_CRYPTO);
    assert_null(loaded);
    assert_non_null(strstr(err.msg, path));
    assert_null(strstr(err.msg, "Xyzzy"));
    assert_null(strstr(err.msg, "key pass"));

    /* Refuses to overwrite, and the file is unchanged. */
    EVP_PKEY *other = NULL;
    assert_int_equal(eseal_sm2_keygen(&other, NULL), ESEAL_OK);
    assert_int_equal(eseal_pki_key_save(path, other, "p", 1, &err), ESEAL_E_CONFLICT);
    struct eseal_buf after;
    eseal_buf_init(&after);
    read_all(path, &after);
    assert_int_equal(after.len, file.len);
    assert_memory_equal(after.data, file.data, file.len);
    assert_int_equal(eseal_pki_key_load(&loaded, path, pass, plen, &err), ESEAL_OK);
    assert_int_equal(EVP_PKEY_eq(loaded, f->key), 1);
    EVP_PKEY_free(loaded);
    EVP_PKEY_free(other);

    /* Missing file. */
    char *missing = eseal_path_join(f->dir, "none.key");
    assert_int_equal(eseal_pki_key_load(&loaded, missing, pass, plen, &err), ESEAL_E_NOTFOUND);
    assert_null(loaded);
    free(missing);

    /* A damaged body: change one base64 character in the middle. */
    char *damaged = eseal_path_join(f->dir, "damaged.key");
    size_t mid = file.len / 2;
    file.data[mid] = file.data[mid] == 'A' ? 'B' : 'A';
    put(damaged, file.data, file.len);
    eseal_rc rc = eseal_pki_key_load(&loaded, damaged, pass, plen, &err);
    assert_true(rc == ESEAL_E_CRYPTO || rc == ESEAL_E_INVALID);
    assert_null(loaded);
    free(damaged);

    /* Not a key file at all. */
    char *junk = eseal_path_join(f->dir, "junk.key");
    put(junk, "-----BEGIN CERTIFICATE-----\n", 28);
    assert_int_equal(eseal_pki_key_load(&loaded, junk, pass, plen, &err), ESEAL_E_INVALID);
    free(junk);

    eseal_buf_cleanup(&after);
    eseal_buf_cleanup(&file);
    free(path);
}

static void test_secret_save_load(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    char *path = eseal_path_join(f->dir, "log.seed");
    uint8_t seed[32];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)(0xA0 + i);

    assert_int_equal(
        eseal_pki_secret_save(path, "ESEAL ED25519 SEED", seed, sizeof(seed), "pw", 2, &err),
        ESEAL_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    struct eseal_buf file;
    eseal_buf_init(&file);
    read_all(path, &file);
    assert_int_equal(strncmp((char *)file.data, "-----BEGIN ESEAL ED25519 SEED-----\n", 35), 0);
    assert_null(memmem(file.data, file.len, seed, sizeof(seed)));
    eseal_buf_cleanup(&file);

    struct eseal_buf out;
    eseal_buf_init(&out);
    assert_int_equal(eseal_pki_secret_load(&out, path, "ESEAL ED25519 SEED", "pw", 2, &err),
                     ESEAL_OK);
    assert_int_equal(out.len, sizeof(seed));
    assert_memory_equal(out.data, seed, sizeof(seed));

    /* Wrong label: refused before any key derivation. */
    assert_int_equal(
        eseal_pki_secret_load(&out, path, "ESEAL ENCRYPTED PRIVATE KEY", "pw", 2, &err),
        ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(eseal_pki_secret_load(&out, path, "ESEAL ED25519", "pw", 2, &err),
                     ESEAL_E_INVALID);
    /* ...which is what eseal_pki_key_load sees too. */
    EVP_PKEY *k = NULL;
    assert_int_equal(eseal_pki_key_load(&k, path, "pw", 2, &err), ESEAL_E_INVALID);
    assert_null(k);

    /* Wrong passphrase. */
    assert_int_equal(eseal_pki_secret_load(&out, path, "ESEAL ED25519 SEED", "pW", 2, &err),
                     ESEAL_E_CRYPTO);
    assert_int_equal(out.len, 0);

    /* No overwrite. */
    assert_int_equal(eseal_pki_secret_save(path, "ESEAL ED25519 SEED", "x", 1, "pw", 2, &err),
                     ESEAL_E_CONFLICT);
    assert_int_equal(eseal_pki_secret_load(&out, path, "ESEAL ED25519 SEED", "pw", 2, &err),
                     ESEAL_OK);
    assert_memory_equal(out.data, seed, sizeof(seed));

    /* A file far too large for a key is refused unread. */
    char *big = eseal_path_join(f->dir, "big.seed");
    size_t big_len = 1 << 20;
    char *junk = malloc(big_len);
    assert_non_null(junk);
    memset(junk, 'A', big_len);
    put(big, junk, big_len);
    free(junk);
    assert_int_equal(eseal_pki_secret_load(&out, big, "ESEAL ED25519 SEED", "pw", 2, &err),
                     ESEAL_E_TOOBIG);
    free(big);

    eseal_buf_cleanse(&out);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cert_parse_pem_der, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cert_parse_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_req_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cert_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_serial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cert_sm3, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_save_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_save_load, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
