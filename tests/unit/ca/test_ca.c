/* test_ca.c — the platform CA: init, open, unlock, signing, the hierarchy's
 * certificates, and issuing holder certificates from PKCS#10 requests.
 *
 * One CA is made in the group setup and shared: creating one derives a key
 * from the passphrase per private key, which is deliberately slow. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "eseal/ca.h"
#include "eseal/secret.h"
#include "eseal/note.h"
#include "eseal/pki.h"
#include "eseal/sm.h"
#include "eseal/ts.h"
#include "eseal/unlock.h"
#include "testutil.h"

#define PASS "correct horse battery"
#define PASS_LEN (sizeof(PASS) - 1)

static const char *const ca_files[] = {
    "root.pem",      "root.key", "maker.pem", "maker.key",   "responder.pem",
    "responder.key", "log.key",  "log.pub",   "log.pub.pem", "commit.key",
    "ca.json",       "tsa.pem",  "tsa.key",
};
#define N_CA_FILES (sizeof(ca_files) / sizeof(ca_files[0]))

static const char *const key_files[] = {"root.key", "maker.key",  "responder.key",
                                        "log.key",  "commit.key", "tsa.key"};
#define N_KEY_FILES (sizeof(key_files) / sizeof(key_files[0]))

/* struct fixture is the CA shared by every test: made, opened and unlocked
 * once; |cert| holds fresh copies of its certificates read from the files. */
struct fixture {
    char *tmp;
    char *dir;
    struct eseal_ca *ca;
    X509 *cert[3];
};

static const char *const role_names[] = {"root", "maker", "responder"};

/* ---- helpers ---------------------------------------------------------- */

static char *path_in(const char *dir, const char *name)
{
    return eseal_path_join(dir, name);
}

static void read_in(struct eseal_buf *b, const char *dir, const char *name)
{
    char *p = path_in(dir, name);
    assert_int_equal(eseal_file_read(b, p, 1 << 20, NULL), ESEAL_OK);
    free(p);
}

static void write_in(const char *dir, const char *name, const void *data, size_t len)
{
    char *p = path_in(dir, name);
    assert_int_equal(eseal_file_write(p, data, len, 0644, 0, NULL), ESEAL_OK);
    free(p);
}

static X509 *load_cert(const char *dir, const char *name)
{
    char *p = path_in(dir, name);
    X509 *x = NULL;
    assert_int_equal(eseal_pki_cert_load(&x, p, NULL), ESEAL_OK);
    free(p);
    return x;
}

/* snapshot reads every CA file of |dir| (all must exist) into |b|. */
static void snapshot(struct eseal_buf b[N_CA_FILES], const char *dir)
{
    for (size_t i = 0; i < N_CA_FILES; i++) {
        eseal_buf_init(&b[i]);
        read_in(&b[i], dir, ca_files[i]);
    }
}

static void assert_snapshot_equal(struct eseal_buf before[N_CA_FILES], const char *dir)
{
    struct eseal_buf after[N_CA_FILES];
    snapshot(after, dir);
    for (size_t i = 0; i < N_CA_FILES; i++) {
        assert_int_equal(after[i].len, before[i].len);
        assert_memory_equal(after[i].data, before[i].data, before[i].len);
        eseal_buf_cleanup(&after[i]);
        eseal_buf_cleanup(&before[i]);
    }
}

/* assert_one_line checks a failure left a non-empty one-line reason. */
static void assert_one_line(const struct eseal_err *err)
{
    assert_true(err->msg[0] != '\0');
    assert_null(strchr(err->msg, '\n'));
}

/* name_field returns the UTF-8 text of the only |nid| entry of |name|, or
 * NULL if there is none (free() it). */
static char *name_field(const X509_NAME *name, int nid)
{
    int i = X509_NAME_get_index_by_NID(name, nid, -1);
    if (i < 0)
        return NULL;
    assert_int_equal(X509_NAME_get_index_by_NID(name, nid, i), -1);
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
    assert_true(n >= 0);
    char *s = eseal_xstrndup((const char *)utf8, (size_t)n);
    OPENSSL_free(utf8);
    return s;
}

static void assert_field(const X509_NAME *name, int nid, const char *want)
{
    char *got = name_field(name, nid);
    if (want == NULL) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

/* root_store is a trust store holding only the CA's root. */
static X509_STORE *root_store(const struct fixture *f)
{
    X509_STORE *store = X509_STORE_new();
    assert_int_equal(X509_STORE_add_cert(store, f->cert[ESEAL_CA_ROOT]), 1);
    return store;
}

/* chain_ok verifies |x| up to the root, the SM2 ID set on |x| first. */
static int chain_ok(const struct fixture *f, X509 *x)
{
    eseal_x509_set_sm2_id(x);
    X509_STORE *store = root_store(f);
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    assert_int_equal(X509_STORE_CTX_init(ctx, store, x, NULL), 1);
    int ok = X509_verify_cert(ctx);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    ERR_clear_error();
    return ok == 1;
}

enum req_sign {
    SIGN_SM2_ID,    /* eseal_x509_req_sign: SM2-with-SM3 and the standard ID */
    SIGN_SM2_NO_ID, /* X509_REQ_sign: OpenSSL 3.0's default empty ID */
    SIGN_PLAIN,     /* X509_REQ_sign with SHA-256, for RSA and ECDSA keys */
};

/* struct field is one subject entry of a request: a short name and UTF-8. */
struct field {
    const char *name;
    const char *value;
};

/* make_req builds a request for |key| with |fields| (terminated by a NULL
 * name), signs it as |how| says and returns its DER in |out|. */
static void make_req(struct eseal_buf *out, EVP_PKEY *key, const struct field *fields,
                     enum req_sign how)
{
    X509_REQ *req = X509_REQ_new();
    assert_int_equal(X509_REQ_set_version(req, X509_REQ_VERSION_1), 1);
    X509_NAME *name = X509_REQ_get_subject_name(req);
    for (const struct field *fl = fields; fl->name != NULL; fl++)
        assert_int_equal(X509_NAME_add_entry_by_txt(name, fl->name, MBSTRING_UTF8,
                                                    (const unsigned char *)fl->value, -1, -1, 0),
                         1);
    assert_int_equal(X509_REQ_set_pubkey(req, key), 1);
    switch (how) {
    case SIGN_SM2_ID:
        assert_int_equal(eseal_x509_req_sign(req, key, NULL), ESEAL_OK);
        break;
    case SIGN_SM2_NO_ID:
        assert_true(X509_REQ_sign(req, key, EVP_sm3()) > 0);
        break;
    case SIGN_PLAIN:
        assert_true(X509_REQ_sign(req, key, EVP_sha256()) > 0);
        break;
    }
    unsigned char *der = NULL;
    int n = i2d_X509_REQ(req, &der);
    assert_true(n > 0);
    eseal_buf_reset(out);
    eseal_buf_append(out, der, (size_t)n);
    OPENSSL_free(der);
    X509_REQ_free(req);
}

/* der_to_pem re-armours a request's DER as PEM. */
static void der_to_pem(struct eseal_buf *out, const struct eseal_buf *der)
{
    const unsigned char *p = der->data;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)der->len);
    assert_non_null(req);
    BIO *bio = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_X509_REQ(bio, req), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    eseal_buf_reset(out);
    eseal_buf_append(out, data, (size_t)n);
    BIO_free(bio);
    X509_REQ_free(req);
}

static EVP_PKEY *sm2_key(void)
{
    EVP_PKEY *k = NULL;
    assert_int_equal(eseal_sm2_keygen(&k, NULL), ESEAL_OK);
    return k;
}

/* issue_ok issues |csr| and checks what every holder certificate must be:
 * SM2-with-SM3 by the root, chains to it with the ID, holds |key|, not a
 * CA, C=CN, a serial of at least 64 bits, and valid from now for |days|. */
static X509 *issue_ok(const struct fixture *f, const struct eseal_buf *csr,
                      enum eseal_ca_profile profile, int days, EVP_PKEY *key)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    X509 *x = NULL;
    eseal_rc rc = eseal_ca_issue(f->ca, csr->data, csr->len, profile, days, &x, &err);
    if (rc != ESEAL_OK)
        fail_msg("eseal_ca_issue: %s", err.msg);
    assert_non_null(x);
    assert_int_equal(X509_get_signature_nid(x), NID_SM2_with_SM3);
    assert_int_equal(
        X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(f->cert[ESEAL_CA_ROOT])), 0);
    assert_true(chain_ok(f, x));
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), key), 1);
    assert_int_equal(X509_check_ca(x), 0);
    assert_true(X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE);
    assert_field(X509_get_subject_name(x), NID_countryName, "CN");

    BIGNUM *serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    assert_non_null(serial);
    assert_true(BN_num_bits(serial) >= 64);
    assert_false(BN_is_negative(serial));
    BN_free(serial);

    int pday = -1, psec = -1;
    assert_int_equal(ASN1_TIME_diff(&pday, &psec, X509_get0_notBefore(x), X509_get0_notAfter(x)),
                     1);
    assert_int_equal(pday, days);
    assert_int_equal(psec, 0);
    ASN1_TIME *now = ASN1_TIME_set(NULL, time(NULL));
    assert_int_equal(ASN1_TIME_diff(&pday, &psec, now, X509_get0_notBefore(x)), 1);
    assert_int_equal(pday, 0);
    assert_true(psec > -120 && psec < 120);
    ASN1_TIME_free(now);
    return x;
}

/* issue_refused checks that |csr| (described by |what|) is refused with
 * |want| and no certificate. */
static void issue_refused(const struct fixture *f, const char *what, const struct eseal_buf *csr,
                          enum eseal_ca_profile profile, int days, eseal_rc want)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    X509 *x = (X509 *)f; /* must be reset to NULL */
    eseal_rc rc = eseal_ca_issue(f->ca, csr->data, csr->len, profile, days, &x, &err);
    if (rc != want)
        fail_msg("%s: eseal_ca_issue returned %s (%s), want %s", what, eseal_rc_name(rc), err.msg,
                 eseal_rc_name(want));
    assert_null(x);
    assert_one_line(&err);
    ERR_clear_error();
}

/* ---- group setup ------------------------------------------------------ */

static int group_setup(void **state)
{
    struct fixture *f = eseal_xcalloc(1, sizeof(*f));
    f->tmp = tu_tmpdir();
    f->dir = path_in(f->tmp, "ca");
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_ca_init(f->dir, PASS, PASS_LEN, NULL, &err) != ESEAL_OK ||
        eseal_ca_open(&f->ca, f->dir, &err) != ESEAL_OK ||
        eseal_ca_unlock(f->ca, ESEAL_CA_UNLOCK_ALL, PASS, PASS_LEN, &err) != ESEAL_OK) {
        fprintf(stderr, "group setup: %s\n", err.msg);
        return -1;
    }
    for (int r = 0; r < 3; r++) {
        char *name = eseal_xasprintf("%s.pem", role_names[r]);
        f->cert[r] = load_cert(f->dir, name);
        free(name);
    }
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *f = *state;
    if (f == NULL)
        return 0;
    for (int r = 0; r < 3; r++)
        X509_free(f->cert[r]);
    eseal_ca_free(f->ca);
    tu_rmtree(f->tmp);
    free(f->dir);
    free(f->tmp);
    free(f);
    return 0;
}

/* ---- init --------------------------------------------------------------- */

static void test_init_creates_all_files(void **state)
{
    struct fixture *f = *state;
    struct stat st;
    assert_int_equal(stat(f->dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    for (size_t i = 0; i < N_CA_FILES; i++) {
        if (!tu_exists(f->dir, ca_files[i]))
            fail_msg("%s was not created", ca_files[i]);
        /* certificates too: every file of the CA is its owner's alone */
        char *p = path_in(f->dir, ca_files[i]);
        assert_int_equal(stat(p, &st), 0);
        if ((st.st_mode & 0777) != 0600)
            fail_msg("%s has mode %03o, want 600", ca_files[i], (unsigned)(st.st_mode & 0777));
        free(p);
    }
    for (size_t i = 0; i < N_KEY_FILES; i++) {
        char *p = path_in(f->dir, key_files[i]);
        assert_int_equal(stat(p, &st), 0);
        if ((st.st_mode & 0777) != 0600)
            fail_msg("%s has mode %03o, want 600", key_files[i], (unsigned)(st.st_mode & 0777));
        free(p);

        struct eseal_buf b;
        eseal_buf_init(&b);
        read_in(&b, f->dir, key_files[i]);
        const char *text = (const char *)b.data;
        assert_null(strstr(text, "-----BEGIN PRIVATE KEY-----"));
        assert_null(strstr(text, "-----BEGIN EC PRIVATE KEY-----"));
        assert_null(strstr(text, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        /* Not a key OpenSSL can read by itself, with or without a password. */
        BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);
        EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)PASS);
        assert_null(k);
        BIO_free(bio);
        ERR_clear_error();
        eseal_buf_cleanup(&b);
    }
}

static void test_init_opts(void **state)
{
    (void)state;
    char *tmp = tu_tmpdir();
    char *dir = path_in(tmp, "sub/ca"); /* parents are made too */
    const struct eseal_ca_init_opts o = {
        .org = "福建省电子印章测试平台",
        .maker_cn = "测试平台制章证书",
        .log_origin = "seal.example.gov.cn/log/test",
        .root_days = 400,
        .service_days = 200,
    };
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_ca_init(dir, PASS, PASS_LEN, &o, &err), ESEAL_OK);

    struct eseal_buf b;
    eseal_buf_init(&b);
    read_in(&b, dir, "log.pub");
    const char *prefix = "seal.example.gov.cn/log/test+";
    assert_true(b.len > strlen(prefix));
    assert_memory_equal(b.data, prefix, strlen(prefix));
    eseal_buf_cleanup(&b);

    struct eseal_ca *ca = NULL;
    assert_int_equal(eseal_ca_open(&ca, dir, &err), ESEAL_OK);
    assert_string_equal(eseal_ca_log_origin(ca), o.log_origin);
    assert_string_equal(eseal_ca_dir(ca), dir);
    static const int want_days[] = {400, 200, 200};
    assert_field(X509_get_subject_name(eseal_ca_cert(ca, ESEAL_CA_MAKER)), NID_commonName,
                 o.maker_cn);
    assert_field(X509_get_subject_name(eseal_ca_cert(ca, ESEAL_CA_ROOT)), NID_commonName,
                 "福建省电子印章测试平台根证书");
    for (int r = 0; r < 3; r++) {
        X509 *x = eseal_ca_cert(ca, (enum eseal_ca_role)r);
        assert_field(X509_get_subject_name(x), NID_organizationName, o.org);
        assert_field(X509_get_subject_name(x), NID_countryName, "CN");
        int pday = -1, psec = -1;
        assert_int_equal(
            ASN1_TIME_diff(&pday, &psec, X509_get0_notBefore(x), X509_get0_notAfter(x)), 1);
        assert_int_equal(pday, want_days[r]);
        assert_int_equal(psec, 0);
    }
    /* A holder certificate may not outlive this short-lived root. */
    assert_int_equal(eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_ALL, PASS, PASS_LEN, &err), ESEAL_OK);
    EVP_PKEY *key = sm2_key();
    const struct field device[] = {{"CN", "scanner"}, {NULL, NULL}};
    struct eseal_buf csr;
    eseal_buf_init(&csr);
    make_req(&csr, key, device, SIGN_SM2_ID);
    X509 *x = (X509 *)tmp; /* must be reset to NULL */
    assert_int_equal(eseal_ca_issue(ca, csr.data, csr.len, ESEAL_CA_PROFILE_DEVICE, 401, &x, &err),
                     ESEAL_E_INVALID);
    assert_null(x);
    assert_int_equal(eseal_ca_issue(ca, csr.data, csr.len, ESEAL_CA_PROFILE_DEVICE, 399, &x, &err),
                     ESEAL_OK);
    assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(x),
                                   X509_get_subject_name(eseal_ca_cert(ca, ESEAL_CA_ROOT))),
                     0);
    X509_free(x);
    eseal_buf_cleanup(&csr);
    EVP_PKEY_free(key);
    eseal_ca_free(ca);

    /* Service certificates may not outlive the root; nothing is written. */
    char *dir2 = path_in(tmp, "ca2");
    const struct eseal_ca_init_opts bad = {.root_days = 100, .service_days = 200};
    assert_int_equal(eseal_ca_init(dir2, PASS, PASS_LEN, &bad, &err), ESEAL_E_INVALID);
    for (size_t i = 0; i < N_CA_FILES; i++)
        assert_false(tu_exists(dir2, ca_files[i]));
    /* An origin the signed-note format cannot carry is refused. */
    const struct eseal_ca_init_opts spaced = {.log_origin = "two words"};
    assert_int_equal(eseal_ca_init(dir2, PASS, PASS_LEN, &spaced, &err), ESEAL_E_INVALID);
    for (size_t i = 0; i < N_CA_FILES; i++)
        assert_false(tu_exists(dir2, ca_files[i]));

    tu_rmtree(tmp);
    free(dir2);
    free(dir);
    free(tmp);
}

static void test_init_short_passphrase(void **state)
{
    (void)state;
    char *tmp = tu_tmpdir();
    char *dir = path_in(tmp, "ca");
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_ca_init(dir, "1234567", 7, NULL, &err), ESEAL_E_INVALID);
    assert_one_line(&err);
    assert_int_equal(eseal_ca_init(dir, "", 0, NULL, &err), ESEAL_E_INVALID);
    for (size_t i = 0; i < N_CA_FILES; i++)
        assert_false(tu_exists(dir, ca_files[i]));
    tu_rmtree(tmp);
    free(dir);
    free(tmp);
}

static void test_init_twice_conflicts(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf before[N_CA_FILES];
    snapshot(before, f->dir);
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_ca_init(f->dir, PASS, PASS_LEN, NULL, &err), ESEAL_E_CONFLICT);
    assert_one_line(&err);
    const struct eseal_ca_init_opts o = {.log_origin = "other.example/log"};
    assert_int_equal(eseal_ca_init(f->dir, "another passphrase", 18, &o, &err), ESEAL_E_CONFLICT);
    assert_snapshot_equal(before, f->dir);
}

/* A directory holding any one file of a CA is refused and left as it was. */
static void test_init_stray_file_conflicts(void **state)
{
    (void)state;
    char *tmp = tu_tmpdir();
    for (size_t i = 0; i < N_CA_FILES; i++) {
        char *dir = eseal_xasprintf("%s/ca%zu", tmp, i);
        assert_int_equal(mkdir(dir, 0700), 0);
        static const char stray[] = "stray file, not part of a CA\n";
        write_in(dir, ca_files[i], stray, sizeof(stray) - 1);
        struct eseal_err err;
        eseal_err_clear(&err);
        assert_int_equal(eseal_ca_init(dir, PASS, PASS_LEN, NULL, &err), ESEAL_E_CONFLICT);
        assert_non_null(strstr(err.msg, ca_files[i]));
        struct eseal_buf b;
        eseal_buf_init(&b);
        read_in(&b, dir, ca_files[i]);
        assert_int_equal(b.len, sizeof(stray) - 1);
        assert_memory_equal(b.data, stray, b.len);
        eseal_buf_cleanup(&b);
        for (size_t j = 0; j < N_CA_FILES; j++)
            assert_int_equal(tu_exists(dir, ca_files[j]), j == i);
        free(dir);
    }
    tu_rmtree(tmp);
    free(tmp);
}

/* ---- open and show ---------------------------------------------------- */

static void test_show_json(void **state)
{
    struct fixture *f = *state;
    json_t *j = eseal_ca_show(f->ca);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "dir")), f->dir);
    json_t *certs = json_object_get(j, "certificates");
    assert_true(json_is_array(certs));
    assert_int_equal(json_array_size(certs), 4); /* with the TSA, last */
    json_t *t = json_array_get(certs, 3);
    assert_string_equal(json_string_value(json_object_get(t, "role")), "tsa");
    assert_non_null(strstr(json_string_value(json_object_get(t, "key_file")), "tsa.key"));
    for (int r = 0; r < 3; r++) {
        json_t *c = json_array_get(certs, (size_t)r);
        assert_string_equal(json_string_value(json_object_get(c, "role")), role_names[r]);
        /* The fingerprint is SM3 over the DER of the certificate file. */
        unsigned char *der = NULL;
        int n = i2d_X509(f->cert[r], &der);
        assert_true(n > 0);
        char *fp = eseal_sm3_hex(der, (size_t)n);
        OPENSSL_free(der);
        assert_int_equal(strlen(fp), 64);
        assert_string_equal(json_string_value(json_object_get(c, "sm3_fingerprint")), fp);
        free(fp);
        char *file = eseal_xasprintf("%s/%s.pem", f->dir, role_names[r]);
        assert_string_equal(json_string_value(json_object_get(c, "file")), file);
        free(file);
        char *serial = eseal_pki_serial(X509_get0_serialNumber(f->cert[r]));
        assert_string_equal(json_string_value(json_object_get(c, "serial")), serial);
        free(serial);
        assert_non_null(json_string_value(json_object_get(c, "subject")));
        assert_non_null(json_string_value(json_object_get(c, "not_after")));
    }
    json_t *log = json_object_get(j, "log");
    assert_string_equal(json_string_value(json_object_get(log, "origin")),
                        eseal_ca_log_origin(f->ca));
    struct eseal_buf b;
    eseal_buf_init(&b);
    read_in(&b, f->dir, "log.pub");
    const char *vkey = json_string_value(json_object_get(log, "verifier_key"));
    assert_non_null(vkey);
    assert_int_equal(b.len, strlen(vkey) + 1);
    assert_memory_equal(b.data, vkey, strlen(vkey));
    eseal_buf_cleanup(&b);
    json_decref(j);
}

static void test_open_empty_dir(void **state)
{
    (void)state;
    char *tmp = tu_tmpdir();
    struct eseal_ca *ca = (struct eseal_ca *)tmp; /* must be reset to NULL */
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_ca_open(&ca, tmp, &err), ESEAL_E_NOTFOUND);
    assert_null(ca);
    assert_one_line(&err);
    char *missing = path_in(tmp, "nonexistent");
    assert_int_equal(eseal_ca_open(&ca, missing, &err), ESEAL_E_NOTFOUND);
    assert_null(ca);
    free(missing);
    tu_rmtree(tmp);
    free(tmp);
}

/* copy_ca copies the shared CA's files into a new directory under |tmp|. */
static char *copy_ca(const struct fixture *f, const char *tmp)
{
    char *dir = path_in(tmp, "copy");
    assert_int_equal(mkdir(dir, 0700), 0);
    for (size_t i = 0; i < N_CA_FILES; i++) {
        struct eseal_buf b;
        eseal_buf_init(&b);
        read_in(&b, f->dir, ca_files[i]);
        write_in(dir, ca_files[i], b.data, b.len);
        eseal_buf_cleanup(&b);
    }
    return dir;
}

static void test_open_foreign_maker(void **state)
{
    struct fixture *f = *state;
    char *tmp = tu_tmpdir();
    char *dir = copy_ca(f, tmp);

    /* The copy opens as it is. */
    struct eseal_ca *ca = NULL;
    assert_int_equal(eseal_ca_open(&ca, dir, NULL), ESEAL_OK);
    eseal_ca_free(ca);

    /* A maker certificate with the same names but signed by another key. */
    X509 *fake = X509_dup(f->cert[ESEAL_CA_MAKER]);
    EVP_PKEY *other = sm2_key();
    assert_int_equal(X509_set_pubkey(fake, other), 1);
    assert_int_equal(eseal_x509_sign(fake, other, NULL), ESEAL_OK);
    char *pem = eseal_pki_cert_pem(fake);
    write_in(dir, "maker.pem", pem, strlen(pem));
    free(pem);
    X509_free(fake);
    EVP_PKEY_free(other);

    struct eseal_err err;
    eseal_err_clear(&err);
    ca = (struct eseal_ca *)tmp;
    assert_int_equal(eseal_ca_open(&ca, dir, &err), ESEAL_E_CRYPTO);
    assert_null(ca);
    assert_non_null(strstr(err.msg, "maker.pem"));
    ERR_clear_error();

    tu_rmtree(tmp);
    free(dir);
    free(tmp);
}

/* remake_maker rewrites maker.pem in the CA copy |dir| (tu_maker_like). */
static void remake_maker(const struct fixture *f, const char *dir, const char *cn, bool mark)
{
    EVP_PKEY *rk = NULL;
    char *p = path_in(f->dir, "root.key");
    assert_int_equal(eseal_pki_key_load(&rk, p, PASS, PASS_LEN, NULL), ESEAL_OK);
    X509 *x = tu_maker_like(f->cert[ESEAL_CA_MAKER], f->cert[ESEAL_CA_ROOT], rk, cn, mark);
    char *pem = eseal_pki_cert_pem(x);
    write_in(dir, "maker.pem", pem, strlen(pem));
    free(pem);
    free(p);
    EVP_PKEY_free(rk);
    X509_free(x);
}

/* A CA made before #19 has a maker named "eSeal Platform Seal Maker"
 * without the extended key usage: it still makes unlock codes (tokens know
 * that name too). A marked maker may have any name; a maker with the new
 * name but no mark makes none, as no token would take them. */
static void test_unlock_code_old_and_new_maker(void **state)
{
    struct fixture *f = *state;
    char *tmp = tu_tmpdir();
    char *dir = copy_ca(f, tmp);
    static const struct {
        const char *cn;
        bool mark;
        eseal_rc want;
    } cases[] = {
        {ESEAL_PLATFORM_MAKER_CN_V1, false, ESEAL_OK},
        {"另一个制章证书名称", true, ESEAL_OK},
        {"福建省电子印章服务平台制章证书", false, ESEAL_E_INVALID},
        {"eSeal Platform Seal Maker 2", false, ESEAL_E_INVALID},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        remake_maker(f, dir, cases[i].cn, cases[i].mark);
        struct eseal_ca *ca = NULL;
        struct eseal_err err;
        eseal_err_clear(&err);
        assert_int_equal(eseal_ca_open(&ca, dir, &err), ESEAL_OK);
        assert_int_equal(eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_MAKER, PASS, PASS_LEN, &err),
                         ESEAL_OK);
        struct eseal_buf code;
        eseal_buf_init(&code);
        eseal_rc rc = eseal_ca_unlock_code(ca, "0123456789abcdef", 0, &code, &err);
        if (rc != cases[i].want)
            fail_msg("maker \"%s\": %s (%s)", cases[i].cn, eseal_rc_name(rc), err.msg);
        if (rc == ESEAL_OK) {
            struct eseal_unlock_code *c = NULL;
            assert_int_equal(eseal_unlock_code_parse(&c, code.data, code.len, NULL), ESEAL_OK);
            assert_int_equal(X509_cmp(c->maker, eseal_ca_cert(ca, ESEAL_CA_MAKER)), 0);
            eseal_unlock_code_free(c);
        } else {
            assert_non_null(strstr(err.msg, "not marked as the platform seal maker"));
        }
        eseal_buf_cleanup(&code);
        eseal_ca_free(ca);
    }
    tu_rmtree(tmp);
    free(dir);
    free(tmp);
}

/* ---- unlock and sign -------------------------------------------------- */

static void test_locked_and_wrong_passphrase(void **state)
{
    struct fixture *f = *state;
    struct eseal_ca *ca = NULL;
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_ca_open(&ca, f->dir, &err), ESEAL_OK);

    static const char wrong[] = "correct horse battery!";
    assert_int_equal(eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_ALL, wrong, sizeof(wrong) - 1, &err),
                     ESEAL_E_CRYPTO);
    assert_one_line(&err);
    ERR_clear_error();

    struct eseal_buf sig;
    eseal_buf_init(&sig);
    assert_int_equal(eseal_ca_sign(ca, ESEAL_CA_MAKER, "m", 1, &sig, &err), ESEAL_E_DENIED);
    assert_int_equal(eseal_ca_sign(ca, ESEAL_CA_RESPONDER, "m", 1, &sig, &err), ESEAL_E_DENIED);
    uint8_t lsig[ESEAL_ED25519_SIG_LEN];
    assert_int_equal(eseal_ca_log_sign(ca, "m", 1, lsig, &err), ESEAL_E_DENIED);

    EVP_PKEY *key = sm2_key();
    const struct field dev[] = {{"CN", "scanner-01"}, {NULL, NULL}};
    struct eseal_buf csr;
    eseal_buf_init(&csr);
    make_req(&csr, key, dev, SIGN_SM2_ID);
    X509 *x = NULL;
    assert_int_equal(eseal_ca_issue(ca, csr.data, csr.len, ESEAL_CA_PROFILE_DEVICE, 30, &x, &err),
                     ESEAL_E_DENIED);
    assert_null(x);

    /* The right passphrase still unlocks afterwards. */
    assert_int_equal(eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_ALL, PASS, PASS_LEN, &err), ESEAL_OK);
    assert_int_equal(eseal_ca_sign(ca, ESEAL_CA_MAKER, "m", 1, &sig, &err), ESEAL_OK);
    assert_true(sig.len > 0);

    eseal_buf_cleanup(&csr);
    eseal_buf_cleanup(&sig);
    EVP_PKEY_free(key);
    eseal_ca_free(ca);
}

/* A CA unlocked for the responder role (as eseal-publisherd opens it)
 * signs status, CRLs and OCSP but cannot sign as root or maker, nor sign
 * checkpoints: those keys were never decrypted in the process. */
static void test_unlock_responder_role_only(void **state)
{
    struct fixture *f = *state;
    struct eseal_ca *ca = NULL;
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_ca_open(&ca, f->dir, &err), ESEAL_OK);
    assert_int_equal(eseal_ca_unlock(ca, 0, PASS, PASS_LEN, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_ca_unlock(ca, 0x40, PASS, PASS_LEN, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_RESPONDER, PASS, PASS_LEN, &err),
                     ESEAL_OK);

    static const char msg[] = "status";
    struct eseal_buf sig;
    eseal_buf_init(&sig);
    assert_int_equal(eseal_ca_sign(ca, ESEAL_CA_RESPONDER, msg, sizeof(msg) - 1, &sig, &err),
                     ESEAL_OK);
    assert_int_equal(eseal_sm2_verify(X509_get0_pubkey(f->cert[ESEAL_CA_RESPONDER]), msg,
                                      sizeof(msg) - 1, sig.data, sig.len, &err),
                     ESEAL_OK);
    assert_int_equal(eseal_ca_sign(ca, ESEAL_CA_MAKER, msg, sizeof(msg) - 1, &sig, &err),
                     ESEAL_E_DENIED);
    assert_non_null(strstr(err.msg, "maker key is not unlocked"));
    assert_int_equal(eseal_ca_sign(ca, ESEAL_CA_ROOT, msg, sizeof(msg) - 1, &sig, &err),
                     ESEAL_E_DENIED);
    assert_int_equal(eseal_ca_maker_signer(ca, (const uint8_t *)msg, sizeof(msg) - 1, &sig, &err),
                     ESEAL_E_DENIED);
    uint8_t lsig[ESEAL_ED25519_SIG_LEN];
    assert_int_equal(eseal_ca_log_sign(ca, msg, sizeof(msg) - 1, lsig, &err), ESEAL_E_DENIED);
    uint8_t mac[ESEAL_CA_COMMIT_LEN];
    assert_int_equal(eseal_ca_commit(ca, msg, sizeof(msg) - 1, mac, &err), ESEAL_E_DENIED);
    assert_non_null(strstr(err.msg, "commitment key is not unlocked"));
    struct eseal_buf code;
    eseal_buf_init(&code);
    assert_int_equal(eseal_ca_unlock_code(ca, "0123456789abcdef", 0, &code, &err), ESEAL_E_DENIED);

    /* The root signs certificates only: a CSR is refused without it. */
    EVP_PKEY *key = sm2_key();
    const struct field dev[] = {{"CN", "scanner-01"}, {NULL, NULL}};
    struct eseal_buf csr;
    eseal_buf_init(&csr);
    make_req(&csr, key, dev, SIGN_SM2_ID);
    X509 *x = NULL;
    assert_int_equal(eseal_ca_issue(ca, csr.data, csr.len, ESEAL_CA_PROFILE_DEVICE, 30, &x, &err),
                     ESEAL_E_DENIED);
    assert_non_null(strstr(err.msg, "root key is not unlocked"));
    assert_null(x);

    /* A later unlock adds keys; the responder key stays. */
    assert_int_equal(eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_ROOT, PASS, PASS_LEN, &err), ESEAL_OK);
    assert_int_equal(eseal_ca_issue(ca, csr.data, csr.len, ESEAL_CA_PROFILE_DEVICE, 30, &x, &err),
                     ESEAL_OK);
    X509_free(x);
    assert_int_equal(eseal_ca_sign(ca, ESEAL_CA_RESPONDER, msg, sizeof(msg) - 1, &sig, &err),
                     ESEAL_OK);
    assert_int_equal(eseal_ca_sign(ca, ESEAL_CA_MAKER, msg, sizeof(msg) - 1, &sig, &err),
                     ESEAL_E_DENIED);
    /* A wrong passphrase for more keys keeps what was unlocked, adds nothing. */
    static const char wrong[] = "not the passphrase";
    assert_int_equal(eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_MAKER | ESEAL_CA_UNLOCK_LOG, wrong,
                                     sizeof(wrong) - 1, &err),
                     ESEAL_E_CRYPTO);
    ERR_clear_error();
    assert_int_equal(eseal_ca_sign(ca, ESEAL_CA_MAKER, msg, sizeof(msg) - 1, &sig, &err),
                     ESEAL_E_DENIED);
    assert_int_equal(eseal_ca_sign(ca, ESEAL_CA_RESPONDER, msg, sizeof(msg) - 1, &sig, &err),
                     ESEAL_OK);

    eseal_buf_cleanup(&csr);
    eseal_buf_cleanup(&code);
    eseal_buf_cleanup(&sig);
    EVP_PKEY_free(key);
    eseal_ca_free(ca);
}

static void test_sign_roles(void **state)
{
    struct fixture *f = *state;
    static const char msg[] = "电子印章 seal data to be signed";
    struct eseal_buf sig;
    eseal_buf_init(&sig);
    struct eseal_err err;
    eseal_err_clear(&err);
    EVP_PKEY *maker = X509_get0_pubkey(f->cert[ESEAL_CA_MAKER]);
    EVP_PKEY *responder = X509_get0_pubkey(f->cert[ESEAL_CA_RESPONDER]);

    assert_int_equal(eseal_ca_sign(f->ca, ESEAL_CA_MAKER, msg, sizeof(msg), &sig, &err), ESEAL_OK);
    assert_int_equal(eseal_sm2_verify(maker, msg, sizeof(msg), sig.data, sig.len, &err), ESEAL_OK);
    assert_int_equal(eseal_sm2_verify(responder, msg, sizeof(msg), sig.data, sig.len, NULL),
                     ESEAL_E_CRYPTO);
    assert_int_equal(eseal_sm2_verify(maker, msg, sizeof(msg) - 1, sig.data, sig.len, NULL),
                     ESEAL_E_CRYPTO);
    ERR_clear_error();

    assert_int_equal(eseal_ca_sign(f->ca, ESEAL_CA_RESPONDER, msg, sizeof(msg), &sig, &err),
                     ESEAL_OK);
    assert_int_equal(eseal_sm2_verify(responder, msg, sizeof(msg), sig.data, sig.len, &err),
                     ESEAL_OK);
    assert_int_equal(eseal_sm2_verify(maker, msg, sizeof(msg), sig.data, sig.len, NULL),
                     ESEAL_E_CRYPTO);
    ERR_clear_error();

    assert_int_equal(eseal_ca_sign(f->ca, ESEAL_CA_ROOT, msg, sizeof(msg), &sig, &err),
                     ESEAL_E_DENIED);
    assert_one_line(&err);
    eseal_buf_cleanup(&sig);
}

static void test_log_key(void **state)
{
    struct fixture *f = *state;
    static const char body[] = "eseal.platform/log/test\n42\nAAAA\n";
    uint8_t sig[ESEAL_ED25519_SIG_LEN];
    assert_int_equal(eseal_ca_log_sign(f->ca, body, sizeof(body) - 1, sig, NULL), ESEAL_OK);
    const uint8_t *pk = eseal_ca_log_pub(f->ca);
    assert_int_equal(eseal_ed25519_verify(sig, body, sizeof(body) - 1, pk), ESEAL_OK);
    assert_int_equal(eseal_ed25519_verify(sig, body, sizeof(body) - 2, pk), ESEAL_E_CRYPTO);

    /* log.pub is a signed-note verifier key for the same key and origin. */
    struct eseal_buf b;
    eseal_buf_init(&b);
    read_in(&b, f->dir, "log.pub");
    char *name = NULL;
    uint8_t pk2[ESEAL_ED25519_PK_LEN];
    uint8_t hash[4];
    assert_int_equal(eseal_note_key_parse((const char *)b.data, b.len, &name, pk2, hash, NULL),
                     ESEAL_OK);
    assert_string_equal(name, eseal_ca_log_origin(f->ca));
    assert_memory_equal(pk2, pk, ESEAL_ED25519_PK_LEN);
    free(name);

    /* log.pub.pem is the same key as an Ed25519 SubjectPublicKeyInfo. */
    read_in(&b, f->dir, "log.pub.pem");
    BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);
    EVP_PKEY *k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(k);
    assert_true(EVP_PKEY_is_a(k, "ED25519"));
    uint8_t raw[ESEAL_ED25519_PK_LEN];
    size_t raw_len = sizeof(raw);
    assert_int_equal(EVP_PKEY_get_raw_public_key(k, raw, &raw_len), 1);
    assert_int_equal(raw_len, ESEAL_ED25519_PK_LEN);
    assert_memory_equal(raw, pk, ESEAL_ED25519_PK_LEN);
    EVP_PKEY_free(k);
    eseal_buf_cleanup(&b);
}

/* The platform secret: the same record always gives the same commitment
 * (across processes), another record another one, and the key is no
 * digest anyone could compute: not SM3 of the record. */
static void test_commit_key(void **state)
{
    struct fixture *f = *state;
    static const char rec[] = "{\"nonce\":\"00\",\"reasons\":[\"材料不全\"]}";
    uint8_t a[ESEAL_CA_COMMIT_LEN], b[ESEAL_CA_COMMIT_LEN], d[ESEAL_SM3_LEN];
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_ca_commit(f->ca, rec, sizeof(rec) - 1, a, &err), ESEAL_OK);
    struct eseal_ca *ca = NULL;
    assert_int_equal(eseal_ca_open(&ca, f->dir, &err), ESEAL_OK);
    assert_int_equal(eseal_ca_commit(ca, rec, sizeof(rec) - 1, b, &err), ESEAL_E_DENIED);
    assert_int_equal(eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_COMMIT, PASS, PASS_LEN, &err), ESEAL_OK);
    assert_int_equal(eseal_ca_commit(ca, rec, sizeof(rec) - 1, b, &err), ESEAL_OK);
    assert_memory_equal(a, b, sizeof(a));
    assert_int_equal(eseal_ca_commit(ca, rec, sizeof(rec) - 2, b, &err), ESEAL_OK);
    assert_memory_not_equal(a, b, sizeof(a));
    eseal_sm3(d, rec, sizeof(rec) - 1);
    assert_memory_not_equal(a, d, sizeof(a));
    eseal_ca_free(ca);

    json_t *j = eseal_ca_show(f->ca);
    char *file = path_in(f->dir, "commit.key");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "commitment"), "key_file")), file);
    free(file);
    json_decref(j);
}

/* A data key wrapped by the platform secret unwraps with the same CA (in
 * another process), not while the secret is locked, not when altered. */
static void test_data_key(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    uint8_t key[32];
    eseal_random(key, sizeof(key));
    struct eseal_buf wrapped, out;
    eseal_buf_init(&wrapped);
    eseal_buf_init(&out);
    assert_int_equal(eseal_ca_wrap_data_key(f->ca, &wrapped, key, sizeof(key), &err), ESEAL_OK);
    assert_int_equal(wrapped.len, 4 + 24 + sizeof(key) + 16);
    assert_memory_equal(wrapped.data, "ESK1", 4);
    assert_null(memmem(wrapped.data, wrapped.len, key, 8));

    struct eseal_ca *ca = NULL;
    assert_int_equal(eseal_ca_open(&ca, f->dir, &err), ESEAL_OK);
    assert_int_equal(eseal_ca_unwrap_data_key(ca, &out, wrapped.data, wrapped.len, &err),
                     ESEAL_E_DENIED);
    assert_int_equal(eseal_ca_wrap_data_key(ca, &out, key, sizeof(key), &err), ESEAL_E_DENIED);
    assert_int_equal(eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_COMMIT, PASS, PASS_LEN, &err), ESEAL_OK);
    assert_int_equal(eseal_ca_unwrap_data_key(ca, &out, wrapped.data, wrapped.len, &err), ESEAL_OK);
    assert_int_equal(out.len, sizeof(key));
    assert_memory_equal(out.data, key, sizeof(key));
    for (size_t i = 0; i < wrapped.len; i++) {
        wrapped.data[i] ^= 0x20;
        eseal_rc want = i < 4 ? ESEAL_E_INVALID : ESEAL_E_CRYPTO;
        assert_int_equal(eseal_ca_unwrap_data_key(ca, &out, wrapped.data, wrapped.len, &err), want);
        assert_int_equal(out.len, 0);
        wrapped.data[i] ^= 0x20;
    }
    assert_non_null(strstr(err.msg, "does not unwrap"));
    assert_int_equal(eseal_ca_unwrap_data_key(ca, &out, wrapped.data, 20, &err), ESEAL_E_INVALID);
    eseal_ca_free(ca);
    eseal_buf_cleanse(&out);
    eseal_buf_cleanup(&wrapped);
}

/* A CA made before the platform secret existed (no commit.key): unlocking
 * it with a wrong passphrase creates nothing; with the right one creates
 * the key (0600, wrapped), which later unlocks read back. */
static void test_commit_key_created_for_old_ca(void **state)
{
    (void)state;
    char *tmp = tu_tmpdir();
    char *dir = path_in(tmp, "old");
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_ca_init(dir, PASS, PASS_LEN, NULL, &err), ESEAL_OK);
    char *key = path_in(dir, "commit.key");
    assert_int_equal(unlink(key), 0);

    struct eseal_ca *ca = NULL;
    assert_int_equal(eseal_ca_open(&ca, dir, &err), ESEAL_OK);
    static const char wrong[] = "not the passphrase";
    assert_int_not_equal(
        eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_COMMIT, wrong, sizeof(wrong) - 1, &err), ESEAL_OK);
    assert_one_line(&err);
    ERR_clear_error();
    assert_false(tu_exists(dir, "commit.key"));
    uint8_t a[ESEAL_CA_COMMIT_LEN], b[ESEAL_CA_COMMIT_LEN];
    assert_int_equal(eseal_ca_commit(ca, "r", 1, a, &err), ESEAL_E_DENIED);

    assert_int_equal(eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_COMMIT, PASS, PASS_LEN, &err), ESEAL_OK);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(eseal_ca_commit(ca, "r", 1, a, &err), ESEAL_OK);
    eseal_ca_free(ca);

    assert_int_equal(eseal_ca_open(&ca, dir, &err), ESEAL_OK);
    assert_int_equal(eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_ALL, PASS, PASS_LEN, &err), ESEAL_OK);
    assert_int_equal(eseal_ca_commit(ca, "r", 1, b, &err), ESEAL_OK);
    assert_memory_equal(a, b, sizeof(a));
    eseal_ca_free(ca);
    free(key);
    tu_rmtree(tmp);
    free(dir);
    free(tmp);
}

/* ---- the time-stamp authority (#16) ------------------------------------- */

/* reply_status returns the PKIStatus of the DER TimeStampResp |b| (-1 if
 * it does not parse) and, through |fail|, whether failInfo bit |bit| is set. */
static long reply_status(const struct eseal_buf *b, int bit, int *fail)
{
    const unsigned char *p = b->data;
    TS_RESP *resp = d2i_TS_RESP(NULL, &p, (long)b->len);
    if (resp == NULL)
        return -1;
    TS_STATUS_INFO *st = TS_RESP_get_status_info(resp);
    long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(st));
    const ASN1_BIT_STRING *fi = TS_STATUS_INFO_get0_failure_info(st);
    *fail = fi != NULL && ASN1_BIT_STRING_get_bit(fi, bit);
    TS_RESP_free(resp);
    return status;
}

static void test_tsa(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    eseal_err_clear(&err);
    X509 *tsa = eseal_ca_tsa_cert(f->ca);
    assert_non_null(tsa);
    /* critical EKU timeStamping only (what OpenSSL's timestamp purpose wants) */
    assert_int_equal(X509_check_purpose(tsa, X509_PURPOSE_TIMESTAMP_SIGN, 0), 1);
    eseal_x509_set_sm2_id(tsa);
    assert_int_equal(
        eseal_x509_check_signed_by(tsa, X509_get0_pubkey(f->cert[ESEAL_CA_ROOT]), &err), ESEAL_OK);

    struct eseal_ca *ca = NULL;
    assert_int_equal(eseal_ca_open(&ca, f->dir, &err), ESEAL_OK);
    uint8_t sm3[ESEAL_SM3_LEN] = {1, 2, 3};
    struct eseal_buf query, reply, token;
    eseal_buf_init(&query);
    eseal_buf_init(&reply);
    eseal_buf_init(&token);
    assert_int_equal(eseal_ts_query(&query, sm3, &err), ESEAL_OK);
    struct eseal_ca_tsa_policy pol = {.policy_oid = "2.25.7", .accuracy_ms = 500};
    /* the responder's process cannot stamp, nor the TSA's sign anything else */
    assert_int_equal(eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_RESPONDER, PASS, PASS_LEN, &err),
                     ESEAL_OK);
    assert_int_equal(eseal_ca_timestamp(ca, &pol, query.data, query.len, &reply, &err),
                     ESEAL_E_DENIED);
    assert_non_null(strstr(err.msg, "time-stamp key is not unlocked"));
    eseal_ca_free(ca);
    assert_int_equal(eseal_ca_open(&ca, f->dir, &err), ESEAL_OK);
    assert_int_equal(eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_TSA, PASS, PASS_LEN, &err), ESEAL_OK);
    static const char msg[] = "m";
    assert_int_equal(eseal_ca_sign(ca, ESEAL_CA_RESPONDER, msg, 1, &token, &err), ESEAL_E_DENIED);

    assert_int_equal(eseal_ca_timestamp(ca, &pol, query.data, query.len, &reply, &err), ESEAL_OK);
    int fail = 0;
    assert_int_equal(reply_status(&reply, 0, &fail), TS_STATUS_GRANTED);
    assert_int_equal(
        eseal_ts_reply_token(&token, reply.data, reply.len, query.data, query.len, &err), ESEAL_OK);

    /* refusals are replies too, with the RFC 3161 failInfo */
    static const uint8_t junk[] = "not a query";
    assert_int_equal(eseal_ca_timestamp(ca, &pol, junk, sizeof(junk), &reply, &err),
                     ESEAL_E_INVALID);
    assert_int_equal(reply_status(&reply, TS_INFO_BAD_DATA_FORMAT, &fail), TS_STATUS_REJECTION);
    assert_true(fail);
    assert_int_equal(
        eseal_ts_reply_token(&token, reply.data, reply.len, query.data, query.len, &err),
        ESEAL_E_DENIED);
    assert_non_null(strstr(err.msg, "the TSA refused"));
    struct eseal_buf big;
    eseal_buf_init(&big);
    eseal_buf_append(&big, query.data, query.len);
    while (big.len <= ESEAL_TSA_QUERY_MAX)
        eseal_buf_append(&big, query.data, query.len);
    assert_int_equal(eseal_ca_timestamp(ca, &pol, big.data, big.len, &reply, &err),
                     ESEAL_E_INVALID);
    assert_int_equal(reply_status(&reply, TS_INFO_BAD_DATA_FORMAT, &fail), TS_STATUS_REJECTION);
    /* a query with trailing bytes */
    assert_int_equal(eseal_ca_timestamp(ca, &pol, big.data, query.len + 1, &reply, &err),
                     ESEAL_E_INVALID);
    eseal_buf_cleanup(&big);
    pol.policy_oid = "not an oid";
    assert_int_equal(eseal_ca_timestamp(ca, &pol, query.data, query.len, &reply, &err),
                     ESEAL_E_INVALID);
    eseal_ca_free(ca);

    /* an old CA without the key: the publisher's unlock says what to run;
     * tsa-init makes it, once */
    char *tmp = tu_tmpdir();
    char *dir = path_in(tmp, "old");
    assert_int_equal(eseal_ca_init(dir, PASS, PASS_LEN, NULL, &err), ESEAL_OK);
    char *pem = path_in(dir, "tsa.pem"), *key = path_in(dir, "tsa.key");
    assert_int_equal(unlink(pem), 0);
    assert_int_equal(unlink(key), 0);
    setenv("ESEAL_PASSPHRASE", PASS, 1);
    assert_int_equal(eseal_ca_open_unlocked(
                         &ca, dir, ESEAL_CA_UNLOCK_RESPONDER | ESEAL_CA_UNLOCK_TSA, NULL, &err),
                     ESEAL_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "eseal ca tsa-init"));
    static const char wrong[] = "not the passphrase";
    assert_int_not_equal(eseal_ca_tsa_init(dir, wrong, sizeof(wrong) - 1, 0, &err), ESEAL_OK);
    ERR_clear_error();
    assert_false(tu_exists(dir, "tsa.pem"));
    assert_int_equal(eseal_ca_tsa_init(dir, PASS, PASS_LEN, 0, &err), ESEAL_OK);
    assert_int_equal(eseal_ca_tsa_init(dir, PASS, PASS_LEN, 0, &err), ESEAL_E_CONFLICT);
    assert_int_equal(eseal_ca_open(&ca, dir, &err), ESEAL_OK);
    assert_int_equal(eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_TSA, PASS, PASS_LEN, &err), ESEAL_OK);
    assert_int_equal(eseal_ca_timestamp(ca, &pol, query.data, query.len, &reply, &err),
                     ESEAL_E_INVALID); /* the bad policy above */
    pol.policy_oid = "2.25.7";
    assert_int_equal(eseal_ca_timestamp(ca, &pol, query.data, query.len, &reply, &err), ESEAL_OK);
    eseal_ca_free(ca);
    free(pem);
    free(key);
    tu_rmtree(tmp);
    free(dir);
    free(tmp);
    eseal_buf_cleanup(&query);
    eseal_buf_cleanup(&reply);
    eseal_buf_cleanup(&token);
}

/* ---- the hierarchy's certificates --------------------------------------- */

static void test_hierarchy_certs(void **state)
{
    struct fixture *f = *state;
    X509 *root = f->cert[ESEAL_CA_ROOT];
    X509 *maker = f->cert[ESEAL_CA_MAKER];
    X509 *responder = f->cert[ESEAL_CA_RESPONDER];

    for (int r = 0; r < 3; r++) {
        X509 *x = f->cert[r];
        assert_int_equal(X509_get_signature_nid(x), NID_SM2_with_SM3);
        assert_true(eseal_sm2_is(X509_get0_pubkey(x)));
        assert_int_equal(X509_get_version(x), X509_VERSION_3);
        BIGNUM *serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
        assert_true(BN_num_bits(serial) >= 64);
        BN_free(serial);
        /* The CA object holds the same certificates as the files. */
        assert_int_equal(X509_cmp(x, eseal_ca_cert(f->ca, (enum eseal_ca_role)r)), 0);
    }
    assert_int_not_equal(
        ASN1_INTEGER_cmp(X509_get0_serialNumber(maker), X509_get0_serialNumber(responder)), 0);

    /* Root: a self-signed CA that signs certificates. */
    assert_int_equal(X509_check_ca(root), 1);
    assert_true(X509_get_extension_flags(root) & EXFLAG_CA);
    assert_true(X509_get_key_usage(root) & KU_KEY_CERT_SIGN);
    assert_int_equal(X509_NAME_cmp(X509_get_subject_name(root), X509_get_issuer_name(root)), 0);
    assert_int_equal(eseal_x509_check_signed_by(root, X509_get0_pubkey(root), NULL), ESEAL_OK);

    /* Maker: an end entity that signs seals. */
    assert_int_equal(X509_check_ca(maker), 0);
    assert_true(X509_get_key_usage(maker) & KU_DIGITAL_SIGNATURE);
    assert_true(X509_get_key_usage(maker) & KU_NON_REPUDIATION);
    assert_false(X509_get_key_usage(maker) & KU_KEY_CERT_SIGN);
    /* Named in Chinese, and marked as the platform's maker by its extended
     * key usage: what tokens recognise it by (unlock.h). */
    assert_field(X509_get_subject_name(maker), NID_commonName, "福建省电子印章服务平台制章证书");
    assert_true(eseal_unlock_is_platform_maker(maker, root));
    assert_false(eseal_unlock_is_platform_maker(responder, root));
    assert_false(eseal_unlock_is_platform_maker(root, root));

    /* Responder: an end entity for OCSP responses. */
    assert_int_equal(X509_check_ca(responder), 0);
    assert_true(X509_get_extended_key_usage(responder) & XKU_OCSP_SIGN);
    assert_true(X509_get_key_usage(responder) & KU_DIGITAL_SIGNATURE);
    assert_false(X509_get_key_usage(responder) & KU_KEY_CERT_SIGN);
    assert_true(X509_get_ext_by_NID(responder, NID_id_pkix_OCSP_noCheck, -1) >= 0);

    /* Both chain to the root when checked with the SM2 ID. */
    assert_true(chain_ok(f, maker));
    assert_true(chain_ok(f, responder));
}

/* ---- issuing ------------------------------------------------------------ */

static void test_issue_profiles(void **state)
{
    struct fixture *f = *state;
    EVP_PKEY *key = sm2_key();
    struct eseal_buf der, pem;
    eseal_buf_init(&der);
    eseal_buf_init(&pem);

    /* unit, from a PEM request, without CN */
    const struct field unit[] = {
        {"O", "福州市测试局"}, {"serialNumber", "91350100M000100Y43"}, {NULL, NULL}};
    make_req(&der, key, unit, SIGN_SM2_ID);
    der_to_pem(&pem, &der);
    X509 *u = issue_ok(f, &pem, ESEAL_CA_PROFILE_UNIT, 365, key);
    assert_field(X509_get_subject_name(u), NID_organizationName, "福州市测试局");
    assert_field(X509_get_subject_name(u), NID_serialNumber, "91350100M000100Y43");

    /* unit, DER, with CN, C=CN, L and OU */
    const struct field unit2[] = {{"C", "CN"},
                                  {"L", "福州市"},
                                  {"O", "福州市测试局"},
                                  {"OU", "办公室"},
                                  {"CN", "福州市测试局办公室"},
                                  {"serialNumber", "91350100M000100Y43"},
                                  {NULL, NULL}};
    make_req(&der, key, unit2, SIGN_SM2_ID);
    X509 *u2 = issue_ok(f, &der, ESEAL_CA_PROFILE_UNIT, 1, key);
    const X509_NAME *n = X509_get_subject_name(u2);
    assert_field(n, NID_localityName, "福州市");
    assert_field(n, NID_organizationName, "福州市测试局");
    assert_field(n, NID_organizationalUnitName, "办公室");
    assert_field(n, NID_commonName, "福州市测试局办公室");
    assert_field(n, NID_serialNumber, "91350100M000100Y43");
    /* Same request data, still a fresh serial. */
    assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(u), X509_get0_serialNumber(u2)),
                         0);

    /* personal */
    const struct field personal[] = {
        {"CN", "张三"}, {"serialNumber", "11010519491231002X"}, {NULL, NULL}};
    make_req(&der, key, personal, SIGN_SM2_ID);
    X509 *p = issue_ok(f, &der, ESEAL_CA_PROFILE_PERSONAL, 730, key);
    assert_field(X509_get_subject_name(p), NID_commonName, "张三");
    assert_field(X509_get_subject_name(p), NID_serialNumber, "11010519491231002X");
    assert_field(X509_get_subject_name(p), NID_organizationName, NULL);

    /* device */
    const struct field device[] = {{"CN", "seal-scanner-01"}, {NULL, NULL}};
    make_req(&der, key, device, SIGN_SM2_ID);
    X509 *d = issue_ok(f, &der, ESEAL_CA_PROFILE_DEVICE, 3650, key);
    assert_field(X509_get_subject_name(d), NID_commonName, "seal-scanner-01");
    assert_field(X509_get_subject_name(d), NID_serialNumber, NULL);

    assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(p), X509_get0_serialNumber(d)), 0);

    X509_free(u);
    X509_free(u2);
    X509_free(p);
    X509_free(d);
    eseal_buf_cleanup(&der);
    eseal_buf_cleanup(&pem);
    EVP_PKEY_free(key);
}

static void test_issue_refuses_subjects(void **state)
{
    struct fixture *f = *state;
    EVP_PKEY *key = sm2_key();
    struct eseal_buf csr;
    eseal_buf_init(&csr);

    static const struct {
        const char *what;
        enum eseal_ca_profile profile;
        struct field fields[4];
    } bad[] = {
        {"unit without O",
         ESEAL_CA_PROFILE_UNIT,
         {{"CN", "福州市测试局"}, {"serialNumber", "91350100M000100Y43"}}},
        {"unit without USCC", ESEAL_CA_PROFILE_UNIT, {{"O", "福州市测试局"}}},
        {"USCC too short",
         ESEAL_CA_PROFILE_UNIT,
         {{"O", "福州市测试局"}, {"serialNumber", "91350100M000100Y4"}}},
        {"USCC with letter O",
         ESEAL_CA_PROFILE_UNIT,
         {{"O", "福州市测试局"}, {"serialNumber", "91350100M00010OY43"}}},
        {"USCC in lower case",
         ESEAL_CA_PROFILE_UNIT,
         {{"O", "福州市测试局"}, {"serialNumber", "91350100m000100y43"}}},
        {"personal without ID number", ESEAL_CA_PROFILE_PERSONAL, {{"CN", "张三"}}},
        {"ID number too short",
         ESEAL_CA_PROFILE_PERSONAL,
         {{"CN", "张三"}, {"serialNumber", "11010519491231002"}}},
        {"ID number ending in Y",
         ESEAL_CA_PROFILE_PERSONAL,
         {{"CN", "张三"}, {"serialNumber", "11010519491231002Y"}}},
        {"ID number with X inside",
         ESEAL_CA_PROFILE_PERSONAL,
         {{"CN", "张三"}, {"serialNumber", "1101051949123100XX"}}},
        {"personal without CN",
         ESEAL_CA_PROFILE_PERSONAL,
         {{"serialNumber", "11010519491231002X"}}},
        {"device without CN", ESEAL_CA_PROFILE_DEVICE, {{"O", "福州市测试局"}}},
        {"emailAddress in the subject",
         ESEAL_CA_PROFILE_DEVICE,
         {{"CN", "scanner"}, {"emailAddress", "a@example.cn"}}},
        {"C=US", ESEAL_CA_PROFILE_DEVICE, {{"C", "US"}, {"CN", "scanner"}}},
        {"CN twice", ESEAL_CA_PROFILE_DEVICE, {{"CN", "scanner"}, {"CN", "printer"}}},
        {"empty subject", ESEAL_CA_PROFILE_DEVICE, {{NULL, NULL}}},
        /* Platform names are reserved: tokens recognise the maker by its CN. */
        {"CN of the platform seal maker",
         ESEAL_CA_PROFILE_DEVICE,
         {{"O", "Fujian eSeal Service Platform"}, {"CN", "eSeal Platform Seal Maker"}}},
        {"CN of this platform's seal maker",
         ESEAL_CA_PROFILE_DEVICE,
         {{"CN", "福建省电子印章服务平台制章证书"}}},
        {"unit named as this platform's root (CN defaults to O)",
         ESEAL_CA_PROFILE_UNIT,
         {{"O", "福建省电子印章服务平台根证书"}, {"serialNumber", "91350100M000100Y43"}}},
        {"unit named like the platform root (CN defaults to O)",
         ESEAL_CA_PROFILE_UNIT,
         {{"O", "eSeal platform root CA"}, {"serialNumber", "91350100M000100Y43"}}},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        make_req(&csr, key, bad[i].fields, SIGN_SM2_ID);
        issue_refused(f, bad[i].what, &csr, bad[i].profile, 365, ESEAL_E_INVALID);
    }

    /* A subject field over the size limit (43 CJK characters = 129 bytes). */
    char *long_name = eseal_xstrdup("");
    for (int i = 0; i < 43; i++) {
        char *t = eseal_xasprintf("%s测", long_name);
        free(long_name);
        long_name = t;
    }
    const struct field too_long[] = {{"CN", long_name}, {NULL, NULL}};
    make_req(&csr, key, too_long, SIGN_SM2_ID);
    issue_refused(f, "129-byte CN", &csr, ESEAL_CA_PROFILE_DEVICE, 365, ESEAL_E_INVALID);
    free(long_name);

    /* Validity out of bounds, for a request that is otherwise fine. */
    const struct field device[] = {{"CN", "scanner"}, {NULL, NULL}};
    make_req(&csr, key, device, SIGN_SM2_ID);
    issue_refused(f, "0 days", &csr, ESEAL_CA_PROFILE_DEVICE, 0, ESEAL_E_INVALID);
    issue_refused(f, "-1 days", &csr, ESEAL_CA_PROFILE_DEVICE, -1, ESEAL_E_INVALID);
    issue_refused(f, "3651 days", &csr, ESEAL_CA_PROFILE_DEVICE, 3651, ESEAL_E_INVALID);
    issue_refused(f, "4000 days", &csr, ESEAL_CA_PROFILE_DEVICE, 4000, ESEAL_E_INVALID);

    eseal_buf_cleanup(&csr);
    EVP_PKEY_free(key);
}

static void test_issue_refuses_requests(void **state)
{
    struct fixture *f = *state;
    const struct field device[] = {{"CN", "scanner"}, {NULL, NULL}};
    struct eseal_buf csr;
    eseal_buf_init(&csr);

    /* Signed without the SM2 ID: no proof of possession under the standard. */
    EVP_PKEY *sm2 = sm2_key();
    make_req(&csr, sm2, device, SIGN_SM2_NO_ID);
    issue_refused(f, "signed without the SM2 ID", &csr, ESEAL_CA_PROFILE_DEVICE, 365,
                  ESEAL_E_CRYPTO);

    /* A flipped bit in the signature. */
    make_req(&csr, sm2, device, SIGN_SM2_ID);
    csr.data[csr.len - 1] ^= 0x01;
    issue_refused(f, "flipped signature byte", &csr, ESEAL_CA_PROFILE_DEVICE, 365, ESEAL_E_CRYPTO);

    /* A request signed by a different SM2 key than the one it holds. */
    EVP_PKEY *other = sm2_key();
    X509_REQ *req = X509_REQ_new();
    X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_UTF8,
                               (const unsigned char *)"scanner", -1, -1, 0);
    assert_int_equal(X509_REQ_set_pubkey(req, sm2), 1);
    assert_int_equal(eseal_x509_req_sign(req, other, NULL), ESEAL_OK);
    unsigned char *der = NULL;
    int n = i2d_X509_REQ(req, &der);
    assert_true(n > 0);
    eseal_buf_reset(&csr);
    eseal_buf_append(&csr, der, (size_t)n);
    OPENSSL_free(der);
    X509_REQ_free(req);
    issue_refused(f, "signed by another key", &csr, ESEAL_CA_PROFILE_DEVICE, 365, ESEAL_E_CRYPTO);

    /* Not SM2 keys. */
    EVP_PKEY *rsa = EVP_RSA_gen(2048);
    assert_non_null(rsa);
    make_req(&csr, rsa, device, SIGN_PLAIN);
    issue_refused(f, "RSA key", &csr, ESEAL_CA_PROFILE_DEVICE, 365, ESEAL_E_INVALID);
    EVP_PKEY *p256 = EVP_EC_gen("P-256");
    assert_non_null(p256);
    make_req(&csr, p256, device, SIGN_PLAIN);
    issue_refused(f, "P-256 key", &csr, ESEAL_CA_PROFILE_DEVICE, 365, ESEAL_E_INVALID);

    /* Not requests at all. */
    eseal_buf_reset(&csr);
    eseal_buf_append_str(&csr, "this is not a certificate request\n");
    issue_refused(f, "text", &csr, ESEAL_CA_PROFILE_DEVICE, 365, ESEAL_E_INVALID);
    static const uint8_t junk[] = {0x30, 0x82, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef};
    eseal_buf_reset(&csr);
    eseal_buf_append(&csr, junk, sizeof(junk));
    issue_refused(f, "junk DER", &csr, ESEAL_CA_PROFILE_DEVICE, 365, ESEAL_E_INVALID);
    eseal_buf_reset(&csr);
    issue_refused(f, "empty input", &csr, ESEAL_CA_PROFILE_DEVICE, 365, ESEAL_E_INVALID);
    /* A good request cut short, and one with trailing bytes. */
    make_req(&csr, sm2, device, SIGN_SM2_ID);
    csr.len = 100;
    issue_refused(f, "truncated DER", &csr, ESEAL_CA_PROFILE_DEVICE, 365, ESEAL_E_INVALID);
    make_req(&csr, sm2, device, SIGN_SM2_ID);
    eseal_buf_append(&csr, "\0", 1);
    issue_refused(f, "trailing byte", &csr, ESEAL_CA_PROFILE_DEVICE, 365, ESEAL_E_INVALID);
    /* A certificate is not a request. */
    char *pem = eseal_pki_cert_pem(f->cert[ESEAL_CA_MAKER]);
    eseal_buf_reset(&csr);
    eseal_buf_append_str(&csr, pem);
    free(pem);
    issue_refused(f, "a certificate", &csr, ESEAL_CA_PROFILE_DEVICE, 365, ESEAL_E_INVALID);

    eseal_buf_cleanup(&csr);
    EVP_PKEY_free(sm2);
    EVP_PKEY_free(other);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(p256);
}

static void test_profile_parse(void **state)
{
    (void)state;
    enum eseal_ca_profile p = ESEAL_CA_PROFILE_DEVICE;
    assert_int_equal(eseal_ca_profile_parse("unit", &p, NULL), ESEAL_OK);
    assert_int_equal(p, ESEAL_CA_PROFILE_UNIT);
    assert_int_equal(eseal_ca_profile_parse("personal", &p, NULL), ESEAL_OK);
    assert_int_equal(p, ESEAL_CA_PROFILE_PERSONAL);
    assert_int_equal(eseal_ca_profile_parse("device", &p, NULL), ESEAL_OK);
    assert_int_equal(p, ESEAL_CA_PROFILE_DEVICE);
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_ca_profile_parse("Unit", &p, &err), ESEAL_E_INVALID);
    assert_one_line(&err);
    assert_int_equal(eseal_ca_profile_parse("", &p, NULL), ESEAL_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_creates_all_files),
        cmocka_unit_test(test_init_opts),
        cmocka_unit_test(test_init_short_passphrase),
        cmocka_unit_test(test_init_twice_conflicts),
        cmocka_unit_test(test_init_stray_file_conflicts),
        cmocka_unit_test(test_show_json),
        cmocka_unit_test(test_open_empty_dir),
        cmocka_unit_test(test_open_foreign_maker),
        cmocka_unit_test(test_unlock_code_old_and_new_maker),
        cmocka_unit_test(test_locked_and_wrong_passphrase),
        cmocka_unit_test(test_sign_roles),
        cmocka_unit_test(test_log_key),
        cmocka_unit_test(test_commit_key),
        cmocka_unit_test(test_data_key),
        cmocka_unit_test(test_commit_key_created_for_old_ca),
        cmocka_unit_test(test_hierarchy_certs),
        cmocka_unit_test(test_issue_profiles),
        cmocka_unit_test(test_issue_refuses_subjects),
        cmocka_unit_test(test_issue_refuses_requests),
        cmocka_unit_test(test_profile_parse),
        cmocka_unit_test(test_unlock_responder_role_only),
        cmocka_unit_test(test_tsa),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
