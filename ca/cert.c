/* cert.c — building and signing X.509 v3 certificates for the CA. */
#include <time.h>

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "eseal/sm.h"
#include "internal.h"

/* random_serial sets a random positive 127-bit serial (RFC 5280 allows 20
 * octets; CA/B practice asks for at least 64 random bits). */
static int random_serial(X509 *x)
{
    BIGNUM *bn = BN_new();
    int ok = bn != NULL && BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1 &&
             BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok;
}

static int add_exts(X509 *x, X509 *issuer, const struct ca_ext *exts, size_t n)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    for (size_t i = 0; i < n; i++) {
        X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, exts[i].nid, exts[i].value);
        int ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;
        X509_EXTENSION_free(ext);
        if (!ok)
            return 0;
    }
    return 1;
}

eseal_rc ca_make_cert(X509 **out, const X509_NAME *subject, EVP_PKEY *pub, X509 *issuer,
                      EVP_PKEY *issuer_key, int days, const struct ca_ext *exts, size_t n_exts,
                      struct eseal_err *err)
{
    *out = NULL;
    /* One clock reading for both ends, so the validity is exactly |days|. */
    time_t now = time(NULL);
    X509 *x = X509_new();
    if (x == NULL || X509_set_version(x, X509_VERSION_3) != 1 || !random_serial(x) ||
        X509_set_subject_name(x, subject) != 1 ||
        X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : subject) != 1 ||
        X509_set_pubkey(x, pub) != 1 ||
        X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &now) == NULL ||
        X509_time_adj_ex(X509_getm_notAfter(x), days, 0, &now) == NULL ||
        !add_exts(x, issuer, exts, n_exts)) {
        X509_free(x);
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot build the certificate");
    }
    eseal_rc rc = eseal_x509_sign(x, issuer_key, err);
    if (rc != ESEAL_OK) {
        X509_free(x);
        return rc;
    }
    *out = x;
    return ESEAL_OK;
}
