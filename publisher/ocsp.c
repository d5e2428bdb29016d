/* ocsp.c — the RFC 6960 OCSP responder for the seal certificates: parses a
 * request (bounded), answers each certificate from the status records
 * (looked up by serial; issuer name and key hash checked against the
 * platform root), and signs the basic response with the responder key on
 * the calling thread. It never takes the follower's lock: it only reads
 * the store, whose writes are atomic batches. Signing per request is the
 * simple choice for now; pre-signed per-certificate responses would make a
 * query a key lookup like the status responses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ocsp.h>

#include "eseal/ca.h"
#include "eseal/pki.h"
#include "internal.h"

/* cert_status finds what to answer for |cid|: *status a V_OCSP_CERTSTATUS_
 * value, and for revoked *reason (CRLReason, or -1 for none) and *when. */
static eseal_rc cert_status(struct eseal_publisher *p, OCSP_CERTID *cid, int *status, int *reason,
                            int64_t *when, struct eseal_err *err)
{
    *status = V_OCSP_CERTSTATUS_UNKNOWN;
    *reason = -1;
    *when = 0;
    ASN1_OBJECT *md_oid = NULL;
    ASN1_INTEGER *serial = NULL;
    if (OCSP_id_get0_info(NULL, &md_oid, NULL, &serial, cid) != 1 || serial == NULL)
        return ESEAL_OK;
    const EVP_MD *md = EVP_get_digestbyobj(md_oid);
    if (md == NULL)
        return ESEAL_OK; /* a hash we cannot compute: not ours to say */
    X509 *root = eseal_ca_cert(p->ca, ESEAL_CA_ROOT);
    OCSP_CERTID *ours =
        OCSP_cert_id_new(md, X509_get_subject_name(root), X509_get0_pubkey_bitstr(root), serial);
    if (ours == NULL)
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot hash the root's name and key");
    int other = OCSP_id_issuer_cmp(ours, cid);
    OCSP_CERTID_free(ours);
    if (other != 0)
        return ESEAL_OK; /* another issuer */
    char *hex = eseal_pki_serial(serial);
    json_t *rec = NULL;
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = eseal_publisher_lookup(p, ESEAL_PUBLISHER_BY_SERIAL, hex, &rec, NULL, &e);
    free(hex);
    if (rc == ESEAL_E_NOTFOUND || rc == ESEAL_E_INVALID)
        return ESEAL_OK; /* not a seal certificate of this platform */
    if (rc != ESEAL_OK) {
        if (err != NULL)
            *err = e;
        return rc;
    }
    int code = eseal_publisher_crl_reason(json_string_value(json_object_get(rec, "status")),
                                          json_string_value(json_object_get(rec, "reason")));
    if (code < 0) {
        *status = V_OCSP_CERTSTATUS_GOOD;
    } else if (!pub_parse_time(json_string_value(json_object_get(rec, "status_time")), when)) {
        rc = eseal_err_set(err, ESEAL_E_INTERNAL, "a stored status record is malformed");
    } else {
        *status = V_OCSP_CERTSTATUS_REVOKED;
        *reason = code > 0 ? code : -1; /* as on the CRL: unspecified is left out */
    }
    json_decref(rec);
    return rc;
}

eseal_rc eseal_publisher_ocsp(struct eseal_publisher *p, const uint8_t *req, size_t len,
                              int64_t now, struct eseal_buf *resp, struct eseal_err *err)
{
    eseal_buf_reset(resp);
    OCSP_REQUEST *rq = NULL;
    OCSP_BASICRESP *bs = NULL;
    OCSP_RESPONSE *r = NULL;
    ASN1_TIME *this_update = NULL, *next_update = NULL, *revoked = NULL;
    int status = OCSP_RESPONSE_STATUS_MALFORMEDREQUEST;
    eseal_rc rc = ESEAL_OK;
    if (len == 0 || len > ESEAL_PUBLISHER_OCSP_MAX)
        goto reply;
    const unsigned char *q = req;
    rq = d2i_OCSP_REQUEST(NULL, &q, (long)len);
    if (rq == NULL || q != req + len)
        goto reply;
    int n = OCSP_request_onereq_count(rq);
    if (n <= 0 || n > ESEAL_PUBLISHER_OCSP_MAX_CERTS)
        goto reply;
    status = OCSP_RESPONSE_STATUS_INTERNALERROR;
    bs = OCSP_BASICRESP_new();
    this_update = ASN1_TIME_set(NULL, (time_t)now);
    next_update = ASN1_TIME_set(NULL, (time_t)(now + p->cfg.validity));
    revoked = ASN1_TIME_new();
    if (bs == NULL || this_update == NULL || next_update == NULL || revoked == NULL) {
        rc = eseal_err_set(err, ESEAL_E_INTERNAL, "out of memory");
        goto reply;
    }
    for (int i = 0; i < n; i++) {
        OCSP_CERTID *cid = OCSP_onereq_get0_id(OCSP_request_onereq_get0(rq, i));
        int cs = V_OCSP_CERTSTATUS_UNKNOWN, reason = -1;
        int64_t when = 0;
        if ((rc = cert_status(p, cid, &cs, &reason, &when, err)) != ESEAL_OK)
            goto reply;
        if (cs == V_OCSP_CERTSTATUS_REVOKED && ASN1_TIME_set(revoked, (time_t)when) == NULL) {
            rc = eseal_err_set(err, ESEAL_E_INTERNAL, "out of memory");
            goto reply;
        }
        if (OCSP_basic_add1_status(bs, cid, cs, reason,
                                   cs == V_OCSP_CERTSTATUS_REVOKED ? revoked : NULL,
                                   this_update, next_update) == NULL) {
            rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot add a certificate status");
            goto reply;
        }
    }
    if (OCSP_copy_nonce(bs, rq) <= 0) {
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot copy the nonce");
        goto reply;
    }
    if ((rc = eseal_ca_sign_ocsp(p->ca, bs, err)) != ESEAL_OK)
        goto reply;
    status = OCSP_RESPONSE_STATUS_SUCCESSFUL;
reply:
    r = OCSP_response_create(status, status == OCSP_RESPONSE_STATUS_SUCCESSFUL ? bs : NULL);
    unsigned char *der = NULL;
    int dlen = r != NULL ? i2d_OCSP_RESPONSE(r, &der) : -1;
    if (dlen > 0) {
        eseal_buf_append(resp, der, (size_t)dlen);
        if (status != OCSP_RESPONSE_STATUS_INTERNALERROR)
            rc = ESEAL_OK; /* the answer is a response, whatever it says */
        else if (rc == ESEAL_OK)
            rc = eseal_err_set(err, ESEAL_E_INTERNAL, "OCSP internal error");
    } else {
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot encode an OCSP response");
    }
    OPENSSL_free(der);
    OCSP_RESPONSE_free(r);
    ASN1_TIME_free(this_update);
    ASN1_TIME_free(next_update);
    ASN1_TIME_free(revoked);
    OCSP_BASICRESP_free(bs);
    OCSP_REQUEST_free(rq);
    return rc;
}
