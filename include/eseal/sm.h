/* sm.h — SM2 signatures and SM3 digests (GM/T 0003, 0004) over OpenSSL 3.0,
 * with the SM2 distinguishing ID always set explicitly.
 *
 * Why the ID matters: an SM2 signature covers Z = SM3(ENTL || ID || curve ||
 * public key) before the message. GM/T 0009 fixes ID = "1234567812345678";
 * OpenSSL 3.0 uses an EMPTY ID unless told otherwise, so signatures made or
 * checked without the explicit ID do not interoperate with other GM stacks.
 * Every signing and verifying path in eseal goes through this module. */
#ifndef ESEAL_SM_H
#define ESEAL_SM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

#define ESEAL_SM2_ID "1234567812345678"
#define ESEAL_SM2_ID_LEN 16
#define ESEAL_SM3_LEN 32

/* eseal_sm3 writes SM3(|data|) into |out|. */
void eseal_sm3(uint8_t out[ESEAL_SM3_LEN], const void *data, size_t len);

/* eseal_sm3_hex returns the lower-case hex SM3 of |data| (free() it). */
char *eseal_sm3_hex(const void *data, size_t len);

/* struct eseal_sm3_ctx is caller-owned storage for an SM3 computed piece by
 * piece (a body as it arrives): eseal_sm3_init, eseal_sm3_update any number
 * of times, eseal_sm3_final (which starts it over), eseal_sm3_cleanup. */
struct eseal_sm3_ctx {
    EVP_MD_CTX *md;
};

void eseal_sm3_init(struct eseal_sm3_ctx *c);
void eseal_sm3_update(struct eseal_sm3_ctx *c, const void *data, size_t len);
void eseal_sm3_final(struct eseal_sm3_ctx *c, uint8_t out[ESEAL_SM3_LEN]);
void eseal_sm3_cleanup(struct eseal_sm3_ctx *c);

/* eseal_hmac_sm3 writes HMAC-SM3(|key|, |data|) (RFC 2104 with SM3, OpenSSL's
 * EVP_MAC "HMAC" with digest "SM3") into |out|. ESEAL_E_CRYPTO only if
 * OpenSSL fails. */
eseal_rc eseal_hmac_sm3(uint8_t out[ESEAL_SM3_LEN], const void *key, size_t key_len,
                        const void *data, size_t len, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_sm2_keygen makes a new SM2 key pair; *out is the caller's
 * (EVP_PKEY_free). */
eseal_rc eseal_sm2_keygen(EVP_PKEY **out, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_sm2_is tells whether |key| is an SM2 key. It uses EVP_PKEY_is_a,
 * because EVP_PKEY_get_id returns -1 for provider keys. */
bool eseal_sm2_is(const EVP_PKEY *key);

/* eseal_sm2_sign signs |msg| with SM2-with-SM3 and the standard ID; the
 * signature is DER SEQUENCE{r, s}, written into |sig| (replacing it). */
eseal_rc eseal_sm2_sign(EVP_PKEY *key, const void *msg, size_t msg_len, struct eseal_buf *sig,
                        struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_sm2_verify checks the DER signature |sig| over |msg| with the
 * standard ID. A bad signature is ESEAL_E_CRYPTO; a non-SM2 key
 * ESEAL_E_INVALID. */
eseal_rc eseal_sm2_verify(EVP_PKEY *key, const void *msg, size_t msg_len, const uint8_t *sig,
                          size_t sig_len, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_x509_sign, eseal_x509_req_sign and eseal_x509_crl_sign sign the
 * object with |key| as SM2-with-SM3 (OID 1.2.156.10197.1.501) and the ID. */
eseal_rc eseal_x509_sign(X509 *x, EVP_PKEY *key, struct eseal_err *err) ESEAL_MUST_CHECK;
eseal_rc eseal_x509_req_sign(X509_REQ *req, EVP_PKEY *key, struct eseal_err *err) ESEAL_MUST_CHECK;
eseal_rc eseal_x509_crl_sign(X509_CRL *crl, EVP_PKEY *key, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ocsp_basic_sign signs the OCSP basic response |bs| (RFC 6960) with
 * |key| as SM2-with-SM3 and the ID, naming |signer| as the responder (by
 * name) and including it in the response's certs. */
eseal_rc eseal_ocsp_basic_sign(OCSP_BASICRESP *bs, X509 *signer, EVP_PKEY *key,
                               struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_x509_set_sm2_id and eseal_x509_req_set_sm2_id attach the standard ID
 * to the object, so that OpenSSL's X509_verify / X509_verify_cert /
 * X509_REQ_verify check its signature with it. Call them on every non-root
 * certificate before chain verification and on every request. */
void eseal_x509_set_sm2_id(X509 *x);
void eseal_x509_req_set_sm2_id(X509_REQ *req);

/* eseal_x509_check_signed_by verifies that |x| is signed by |issuer_key|
 * (with the ID). ESEAL_E_CRYPTO if not. */
eseal_rc eseal_x509_check_signed_by(X509 *x, EVP_PKEY *issuer_key,
                                    struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_x509_req_check verifies a request's self-signature with its own key
 * and the ID (proof of possession). ESEAL_E_CRYPTO if it fails. */
eseal_rc eseal_x509_req_check(X509_REQ *req, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_md_sm3 and eseal_md_sha256 return the digests, fetched from
 * OpenSSL once (for hot paths that would otherwise fetch them per call). */
const EVP_MD *eseal_md_sm3(void);
const EVP_MD *eseal_md_sha256(void);

/* eseal_signer signs |msg| with SM2-with-SM3 and the standard ID, writing the
 * DER signature into |sig|. |ctx| is the signer's own state. eseal_ca_maker_signer,
 * eseal_ca_responder_signer and eseal_token_signer fit it. */
typedef eseal_rc (*eseal_signer)(void *ctx, const uint8_t *msg, size_t msg_len,
                                 struct eseal_buf *sig, struct eseal_err *err);

#endif
