/* pki.c — X.509 parsing and printing, and private keys wrapped at rest. */
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "eseal/enc.h"
#include "eseal/json.h"
#include "eseal/pki.h"
#include "eseal/secret.h"
#include "eseal/sm.h"

/* looks_pem: PEM armour anywhere in the input (openssl accepts text before
 * it, as in `openssl x509 -text` output). DER never contains that string in
 * practice, and if it did the PEM reader would simply fail. */
static int looks_pem(const uint8_t *data, size_t len)
{
    static const char tag[] = "-----BEGIN ";
    return memmem(data, len, tag, sizeof(tag) - 1) != NULL;
}

static eseal_rc check_size(size_t len, const char *what, struct eseal_err *err)
{
    if (len == 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "empty %s", what);
    if (len > ESEAL_PKI_MAX_INPUT)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "%s larger than %d bytes", what,
                             ESEAL_PKI_MAX_INPUT);
    return ESEAL_OK;
}

/* parse_any decodes one DER object of type |it| from |data|, first taking it
 * out of PEM armour labelled |pem_name| (or an alias) when it looks like PEM.
 * The DER must be consumed exactly: trailing bytes mean a confused input. */
static eseal_rc parse_any(void **out, const ASN1_ITEM *it, const char *pem_name, const char *what,
                          const uint8_t *data, size_t len, struct eseal_err *err)
{
    *out = NULL;
    eseal_rc rc = check_size(len, what, err);
    if (rc != ESEAL_OK)
        return rc;
    unsigned char *der = NULL;
    long der_len = (long)len;
    const unsigned char *src = data;
    if (looks_pem(data, len)) {
        BIO *bio = BIO_new_mem_buf(data, (int)len);
        int ok = PEM_bytes_read_bio(&der, &der_len, NULL, pem_name, bio, NULL, NULL);
        BIO_free(bio);
        if (ok != 1)
            return eseal_err_openssl(err, ESEAL_E_INVALID, "not a PEM %s", what);
        src = der;
    }
    const unsigned char *p = src;
    *out = ASN1_item_d2i(NULL, &p, der_len, it);
    if (*out == NULL) {
        rc = eseal_err_openssl(err, ESEAL_E_INVALID, "not a valid %s (PEM or DER)", what);
    } else if (p != src + der_len) {
        ASN1_item_free(*out, it);
        *out = NULL;
        rc = eseal_err_set(err, ESEAL_E_INVALID, "%s DER has trailing bytes", what);
    }
    OPENSSL_free(der);
    return rc;
}

eseal_rc eseal_pki_cert_parse(X509 **out, const uint8_t *data, size_t len, struct eseal_err *err)
{
    return parse_any((void **)out, ASN1_ITEM_rptr(X509), PEM_STRING_X509, "X.509 certificate", data,
                     len, err);
}

/* bare_base64 decodes |data| into |der| when it is Base64 text without PEM
 * armour (whitespace between the characters ignored); false otherwise. */
static bool bare_base64(const uint8_t *data, size_t len, struct eseal_buf *der)
{
    if (len == 0 || data[0] == 0x30 || looks_pem(data, len))
        return false;
    struct eseal_buf text;
    eseal_buf_init(&text);
    for (size_t i = 0; i < len; i++)
        if (strchr(" \t\r\n", data[i]) == NULL || data[i] == '\0')
            eseal_buf_append(&text, &data[i], 1);
    bool ok = text.len > 0 && eseal_unbase64(der, (const char *)text.data, text.len, ESEAL_B64_STD,
                                             NULL) == ESEAL_OK;
    eseal_buf_cleanup(&text);
    return ok;
}

eseal_rc eseal_pki_req_parse(X509_REQ **out, const uint8_t *data, size_t len, struct eseal_err *err)
{
    struct eseal_buf der;
    eseal_buf_init(&der);
    if (len <= ESEAL_PKI_MAX_INPUT && bare_base64(data, len, &der)) {
        eseal_rc rc = parse_any((void **)out, ASN1_ITEM_rptr(X509_REQ), PEM_STRING_X509_REQ,
                                "PKCS#10 certificate request (Base64)", der.data, der.len, err);
        eseal_buf_cleanup(&der);
        return rc;
    }
    eseal_buf_cleanup(&der);
    return parse_any((void **)out, ASN1_ITEM_rptr(X509_REQ), PEM_STRING_X509_REQ,
                     "PKCS#10 certificate request", data, len, err);
}

eseal_rc eseal_pki_cert_load(X509 **out, const char *path, struct eseal_err *err)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_file_read(&b, path, ESEAL_PKI_MAX_INPUT, err);
    if (rc == ESEAL_OK) {
        rc = eseal_pki_cert_parse(out, b.data, b.len, err);
        if (rc != ESEAL_OK)
            eseal_err_prefix(err, "%s", path);
    }
    eseal_buf_cleanup(&b);
    return rc;
}

/* bio_take copies a memory BIO's contents into a new NUL-terminated string. */
static char *bio_take(BIO *bio)
{
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);
    char *s = eseal_xstrndup(n > 0 ? p : "", n > 0 ? (size_t)n : 0);
    BIO_free(bio);
    return s;
}

char *eseal_pki_cert_pem(X509 *x)
{
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, x);
    return bio_take(bio);
}

void eseal_pki_cert_der(X509 *x, struct eseal_buf *out)
{
    eseal_buf_reset(out);
    int n = i2d_X509(x, NULL);
    if (n <= 0)
        return;
    eseal_buf_reserve(out, (size_t)n);
    unsigned char *p = out->data;
    i2d_X509(x, &p);
    out->len = (size_t)n;
    out->data[n] = 0;
}

char *eseal_pki_cert_sm3(X509 *x)
{
    struct eseal_buf der;
    eseal_buf_init(&der);
    eseal_pki_cert_der(x, &der);
    char *hex = eseal_sm3_hex(der.data, der.len);
    eseal_buf_cleanup(&der);
    return hex;
}

char *eseal_pki_name(const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    /* RFC 2253 escaping, but UTF-8 kept as is and the fields in certificate
     * order (C first), as `openssl x509 -nameopt utf8,sep_comma_plus` prints. */
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB & ~XN_FLAG_DN_REV);
    return bio_take(bio);
}

char *eseal_pki_serial(const ASN1_INTEGER *serial)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
    char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
    char *s = eseal_xstrdup(hex != NULL ? hex : "");
    OPENSSL_free(hex);
    BN_free(bn);
    return s;
}

char *eseal_pki_time(const ASN1_TIME *t)
{
    struct tm tm;
    char s[ESEAL_JSON_TIME_BUF];
    if (ASN1_TIME_to_tm(t, &tm) != 1 || !eseal_json_time_format(s, sizeof(s), timegm(&tm), -1))
        return eseal_xstrdup("");
    return eseal_xstrdup(s);
}

json_t *eseal_pki_cert_json(X509 *x)
{
    char *subject = eseal_pki_name(X509_get_subject_name(x));
    char *issuer = eseal_pki_name(X509_get_issuer_name(x));
    char *serial = eseal_pki_serial(X509_get0_serialNumber(x));
    char *nb = eseal_pki_time(X509_get0_notBefore(x));
    char *na = eseal_pki_time(X509_get0_notAfter(x));
    char *fp = eseal_pki_cert_sm3(x);
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "subject", subject, "issuer", issuer, "serial",
                  serial, "not_before", nb, "not_after", na, "sm3_fingerprint", fp);
    free(subject);
    free(issuer);
    free(serial);
    free(nb);
    free(na);
    free(fp);
    return j;
}

#define KEY_LABEL "ESEAL ENCRYPTED PRIVATE KEY"
#define KEY_FILE_MAX (16 * 1024)

eseal_rc eseal_pki_secret_save(const char *path, const char *label, const void *secret,
                               size_t secret_len, const void *pass, size_t pass_len,
                               struct eseal_err *err)
{
    struct eseal_buf wrapped;
    eseal_buf_init(&wrapped);
    eseal_rc rc = eseal_wrap(&wrapped, pass, pass_len, secret, secret_len, err);
    if (rc != ESEAL_OK)
        goto out;
    BIO *bio = BIO_new(BIO_s_mem());
    if (PEM_write_bio(bio, label, "", wrapped.data, (long)wrapped.len) <= 0) {
        BIO_free(bio);
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "PEM encoding failed");
        goto out;
    }
    char *pem = bio_take(bio);
    rc = eseal_file_write(path, pem, strlen(pem), 0600, 1, err);
    free(pem);
out:
    eseal_buf_cleanup(&wrapped);
    return rc;
}

eseal_rc eseal_pki_secret_load(struct eseal_buf *out, const char *path, const char *label,
                               const void *pass, size_t pass_len, struct eseal_err *err)
{
    struct eseal_buf file;
    eseal_buf_init(&file);
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long len = 0;
    eseal_buf_cleanse(out);
    eseal_rc rc = eseal_file_read(&file, path, KEY_FILE_MAX, err);
    if (rc != ESEAL_OK)
        goto out;
    BIO *bio = BIO_new_mem_buf(file.data, (int)file.len);
    int ok = PEM_read_bio(bio, &name, &header, &data, &len);
    BIO_free(bio);
    if (ok != 1 || strcmp(name, label) != 0) {
        rc = eseal_err_openssl(err, ESEAL_E_INVALID, "%s: not an eseal key file (%s)", path, label);
        goto out;
    }
    rc = eseal_unwrap(out, pass, pass_len, data, (size_t)len, err);
    if (rc != ESEAL_OK)
        eseal_err_prefix(err, "%s", path);
out:
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    eseal_buf_cleanup(&file);
    return rc;
}

eseal_rc eseal_pki_key_save(const char *path, EVP_PKEY *key, const void *pass, size_t pass_len,
                            struct eseal_err *err)
{
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(key);
    unsigned char *der = NULL;
    int n = p8 != NULL ? i2d_PKCS8_PRIV_KEY_INFO(p8, &der) : -1;
    PKCS8_PRIV_KEY_INFO_free(p8);
    if (n <= 0)
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot encode the private key");
    eseal_rc rc = eseal_pki_secret_save(path, KEY_LABEL, der, (size_t)n, pass, pass_len, err);
    OPENSSL_clear_free(der, (size_t)n);
    return rc;
}

eseal_rc eseal_pki_key_load(EVP_PKEY **out, const char *path, const void *pass, size_t pass_len,
                            struct eseal_err *err)
{
    *out = NULL;
    struct eseal_buf der;
    eseal_buf_init(&der);
    eseal_rc rc = eseal_pki_secret_load(&der, path, KEY_LABEL, pass, pass_len, err);
    if (rc != ESEAL_OK)
        goto out;
    const unsigned char *p = der.data;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)der.len);
    *out = p8 != NULL ? EVP_PKCS82PKEY(p8) : NULL;
    PKCS8_PRIV_KEY_INFO_free(p8);
    if (*out == NULL)
        rc = eseal_err_openssl(err, ESEAL_E_INVALID, "%s: the key inside is malformed", path);
out:
    eseal_buf_cleanse(&der);
    return rc;
}

double eseal_pki_days_left(const X509 *x)
{
    int days = 0, secs = 0;
    /* from NULL: now */
    if (x == NULL || ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)) != 1)
        return 0;
    return (double)days + (double)secs / 86400.0;
}
