/* sm.c — SM2 sign/verify and SM3 with the GM/T 0009 ID, over OpenSSL 3.0. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "eseal/enc.h"
#include "eseal/sm.h"

/* The digests fetched once: EVP_sm3() or an implicit fetch would make
 * OpenSSL look them up again on every use (name lookups under a lock, a
 * measurable share of a verification or of hashing a small log entry). */
static EVP_MD *sm3_md, *sha256_md;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void md_fetch(void)
{
    sm3_md = EVP_MD_fetch(NULL, "SM3", NULL);
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

const EVP_MD *eseal_md_sm3(void)
{
    pthread_once(&md_once, md_fetch);
    return sm3_md != NULL ? sm3_md : EVP_sm3();
}

const EVP_MD *eseal_md_sha256(void)
{
    pthread_once(&md_once, md_fetch);
    return sha256_md != NULL ? sha256_md : EVP_sha256();
}

/* sm3_unavailable: SM3 is built into the default provider; failing to run
 * it is not recoverable. */
static void sm3_unavailable(void)
{
    fprintf(stderr, "eseal: SM3 unavailable in OpenSSL\n");
    abort();
}

void eseal_sm3(uint8_t out[ESEAL_SM3_LEN], const void *data, size_t len)
{
    unsigned int n = 0;
    if (EVP_Digest(data, len, out, &n, eseal_md_sm3(), NULL) != 1 || n != ESEAL_SM3_LEN)
        sm3_unavailable();
}

void eseal_sm3_init(struct eseal_sm3_ctx *c)
{
    c->md = EVP_MD_CTX_new();
    if (c->md == NULL || EVP_DigestInit_ex(c->md, eseal_md_sm3(), NULL) != 1)
        sm3_unavailable();
}

void eseal_sm3_update(struct eseal_sm3_ctx *c, const void *data, size_t len)
{
    if (len > 0 && EVP_DigestUpdate(c->md, data, len) != 1)
        sm3_unavailable();
}

void eseal_sm3_final(struct eseal_sm3_ctx *c, uint8_t out[ESEAL_SM3_LEN])
{
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(c->md, out, &n) != 1 || n != ESEAL_SM3_LEN ||
        EVP_DigestInit_ex(c->md, eseal_md_sm3(), NULL) != 1)
        sm3_unavailable();
}

void eseal_sm3_cleanup(struct eseal_sm3_ctx *c)
{
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
}

char *eseal_sm3_hex(const void *data, size_t len)
{
    uint8_t d[ESEAL_SM3_LEN];
    eseal_sm3(d, data, len);
    return eseal_hex(d, sizeof(d));
}

eseal_rc eseal_hmac_sm3(uint8_t out[ESEAL_SM3_LEN], const void *key, size_t key_len,
                        const void *data, size_t len, struct eseal_err *err)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SM3", 0),
        OSSL_PARAM_construct_end(),
    };
    size_t n = 0;
    eseal_rc rc = ESEAL_OK;
    if (ctx == NULL || EVP_MAC_init(ctx, key, key_len, params) != 1 ||
        EVP_MAC_update(ctx, data, len) != 1 || EVP_MAC_final(ctx, out, &n, ESEAL_SM3_LEN) != 1 ||
        n != ESEAL_SM3_LEN)
        rc = eseal_err_openssl(err, ESEAL_E_CRYPTO, "HMAC-SM3 failed");
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return rc;
}

eseal_rc eseal_sm2_keygen(EVP_PKEY **out, struct eseal_err *err)
{
    *out = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
    eseal_rc rc = ESEAL_OK;
    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_generate(ctx, out) != 1)
        rc = eseal_err_openssl(err, ESEAL_E_CRYPTO, "SM2 key generation failed");
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

bool eseal_sm2_is(const EVP_PKEY *key)
{
    return key != NULL && EVP_PKEY_is_a(key, "SM2");
}

/* md_init prepares |mctx| for SM2-with-SM3 signing or verifying. The ID is
 * set on the operation's pkey context after init and before any data, which
 * is when OpenSSL computes Z (this is what `openssl -sigopt distid:` does). */
static eseal_rc md_init(EVP_MD_CTX *mctx, EVP_PKEY *key, int sign, struct eseal_err *err)
{
    if (!eseal_sm2_is(key))
        return eseal_err_set(err, ESEAL_E_INVALID, "the key is not an SM2 key");
    EVP_PKEY_CTX *pctx = NULL;
    int ok = sign ? EVP_DigestSignInit(mctx, &pctx, eseal_md_sm3(), NULL, key)
                  : EVP_DigestVerifyInit(mctx, &pctx, eseal_md_sm3(), NULL, key);
    if (ok != 1 || EVP_PKEY_CTX_set1_id(pctx, ESEAL_SM2_ID, ESEAL_SM2_ID_LEN) != 1)
        return eseal_err_openssl(err, ESEAL_E_CRYPTO, "SM2 %s setup failed",
                                 sign ? "signing" : "verification");
    return ESEAL_OK;
}

eseal_rc eseal_sm2_sign(EVP_PKEY *key, const void *msg, size_t msg_len, struct eseal_buf *sig,
                        struct eseal_err *err)
{
    eseal_buf_reset(sig);
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    /* the largest DER signature of the key: one init, one signing */
    int max = key != NULL ? EVP_PKEY_get_size(key) : 0;
    size_t n = max > 0 ? (size_t)max : 0;
    eseal_rc rc = md_init(mctx, key, 1, err);
    if (rc != ESEAL_OK)
        goto out;
    eseal_buf_reserve(sig, n);
    if (n == 0 || EVP_DigestSign(mctx, sig->data, &n, msg, msg_len) != 1) {
        rc = eseal_err_openssl(err, ESEAL_E_CRYPTO, "SM2 signing failed");
        goto out;
    }
    sig->len = n;
    sig->data[n] = 0;
out:
    EVP_MD_CTX_free(mctx);
    return rc;
}

eseal_rc eseal_sm2_verify(EVP_PKEY *key, const void *msg, size_t msg_len, const uint8_t *sig,
                          size_t sig_len, struct eseal_err *err)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    eseal_rc rc = md_init(mctx, key, 0, err);
    if (rc == ESEAL_OK && EVP_DigestVerify(mctx, sig, sig_len, msg, msg_len) != 1)
        rc = eseal_err_openssl(err, ESEAL_E_CRYPTO, "SM2 signature does not verify");
    EVP_MD_CTX_free(mctx);
    return rc;
}

enum x509_kind { KIND_CERT, KIND_REQ, KIND_CRL };

static eseal_rc x509_obj_sign(enum x509_kind kind, void *obj, EVP_PKEY *key, struct eseal_err *err)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    eseal_rc rc = md_init(mctx, key, 1, err);
    if (rc != ESEAL_OK)
        goto out;
    int n = kind == KIND_CERT  ? X509_sign_ctx(obj, mctx)
            : kind == KIND_REQ ? X509_REQ_sign_ctx(obj, mctx)
                               : X509_CRL_sign_ctx(obj, mctx);
    if (n <= 0)
        rc = eseal_err_openssl(err, ESEAL_E_CRYPTO, "SM2 signing of an X.509 object failed");
out:
    EVP_MD_CTX_free(mctx);
    return rc;
}

eseal_rc eseal_x509_sign(X509 *x, EVP_PKEY *key, struct eseal_err *err)
{
    return x509_obj_sign(KIND_CERT, x, key, err);
}

eseal_rc eseal_x509_req_sign(X509_REQ *req, EVP_PKEY *key, struct eseal_err *err)
{
    return x509_obj_sign(KIND_REQ, req, key, err);
}

eseal_rc eseal_x509_crl_sign(X509_CRL *crl, EVP_PKEY *key, struct eseal_err *err)
{
    return x509_obj_sign(KIND_CRL, crl, key, err);
}

eseal_rc eseal_ocsp_basic_sign(OCSP_BASICRESP *bs, X509 *signer, EVP_PKEY *key,
                               struct eseal_err *err)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    eseal_rc rc = md_init(mctx, key, 1, err);
    /* flags 0: responder ID by name, the signer certificate included */
    if (rc == ESEAL_OK && OCSP_basic_sign_ctx(bs, signer, mctx, NULL, 0) != 1)
        rc = eseal_err_openssl(err, ESEAL_E_CRYPTO, "SM2 signing of an OCSP response failed");
    EVP_MD_CTX_free(mctx);
    return rc;
}

static ASN1_OCTET_STRING *sm2_id(void)
{
    ASN1_OCTET_STRING *id = ASN1_OCTET_STRING_new();
    if (id == NULL ||
        ASN1_OCTET_STRING_set(id, (const unsigned char *)ESEAL_SM2_ID, ESEAL_SM2_ID_LEN) != 1) {
        fprintf(stderr, "eseal: out of memory\n");
        abort();
    }
    return id;
}

void eseal_x509_set_sm2_id(X509 *x)
{
    X509_set0_distinguishing_id(x, sm2_id());
}

void eseal_x509_req_set_sm2_id(X509_REQ *req)
{
    X509_REQ_set0_distinguishing_id(req, sm2_id());
}

eseal_rc eseal_x509_check_signed_by(X509 *x, EVP_PKEY *issuer_key, struct eseal_err *err)
{
    eseal_x509_set_sm2_id(x);
    if (X509_verify(x, issuer_key) != 1)
        return eseal_err_openssl(err, ESEAL_E_CRYPTO,
                                 "certificate signature does not verify with the issuer key");
    return ESEAL_OK;
}

eseal_rc eseal_x509_req_check(X509_REQ *req, struct eseal_err *err)
{
    EVP_PKEY *key = X509_REQ_get0_pubkey(req);
    if (key == NULL)
        return eseal_err_openssl(err, ESEAL_E_INVALID, "request has no usable public key");
    eseal_x509_req_set_sm2_id(req);
    if (X509_REQ_verify(req, key) != 1)
        return eseal_err_openssl(err, ESEAL_E_CRYPTO,
                                 "request self-signature does not verify (proof of possession)");
    return ESEAL_OK;
}
