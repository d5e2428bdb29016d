/* csr.h — PKCS#10 requests made with OpenSSL for the issuer tests: a good
 * SM2 request, and the ways a device's request can be wrong. */
#ifndef ESEAL_TEST_CSR_H
#define ESEAL_TEST_CSR_H

#include <stdbool.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/sm.h"

enum test_csr {
    CSR_GOOD,      /* SM2 key, SM2-with-SM3 with the standard ID */
    CSR_WRONG_KEY, /* signed by another SM2 key: no proof of possession */
    CSR_EMPTY_ID,  /* signed by OpenSSL's default, the empty SM2 ID */
    CSR_NOT_SM2,   /* a P-256 key with ECDSA-SHA256 */
};

/* make_csr writes a request of |kind| as PEM or DER into |out| (replacing it). */
static inline void make_csr(enum test_csr kind, bool pem, struct eseal_buf *out)
{
    EVP_PKEY *key = NULL, *other = NULL;
    if (kind == CSR_NOT_SM2)
        key = EVP_EC_gen("P-256");
    else if (eseal_sm2_keygen(&key, NULL) != ESEAL_OK)
        key = NULL;
    X509_REQ *req = X509_REQ_new();
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)"测试设备", -1, -1,
                               0);
    X509_REQ_set_subject_name(req, name);
    X509_REQ_set_pubkey(req, key);
    int ok = 0;
    switch (kind) {
    case CSR_GOOD:
        ok = eseal_x509_req_sign(req, key, NULL) == ESEAL_OK;
        break;
    case CSR_WRONG_KEY:
        ok = eseal_sm2_keygen(&other, NULL) == ESEAL_OK &&
             eseal_x509_req_sign(req, other, NULL) == ESEAL_OK;
        break;
    case CSR_EMPTY_ID:
        ok = X509_REQ_sign(req, key, EVP_sm3()) > 0;
        break;
    case CSR_NOT_SM2:
        ok = X509_REQ_sign(req, key, EVP_sha256()) > 0;
        break;
    }
    eseal_buf_reset(out);
    if (ok) {
        BIO *bio = BIO_new(BIO_s_mem());
        if (pem)
            PEM_write_bio_X509_REQ(bio, req);
        else
            i2d_X509_REQ_bio(bio, req);
        char *p = NULL;
        long n = BIO_get_mem_data(bio, &p);
        eseal_buf_append(out, p, (size_t)n);
        BIO_free(bio);
    }
    X509_NAME_free(name);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other);
}

#endif
