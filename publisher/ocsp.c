/* ocsp.c — the RFC 6960 OCSP responder for the seal certificates. Two
 * ways to answer:
 *  - pre-signed (the RFC 5019 lightweight profile): for every seal version
 *    the store holds a complete OCSPResponse about its certificate — one
 *    SingleResponse, SHA-1 CertID, no nonce — signed by pub_ocsp_presign in
 *    the same batch as its status response and re-signed with it
 *    (publisher.c). A request for exactly one certificate, by SHA-1 CertID
 *    of the platform root, without a nonce, gets those bytes: a key read,
 *    no signature.
 *  - per request: everything else (several certificates, another hash, a
 *    nonce — echoed, so a client that asks for replay protection gets it —,
 *    an unknown serial or issuer, a response not pre-signed yet) is
 *    answered from the status records and signed on the calling thread.
 * Neither takes the follower's lock: they only read the store, whose
 * writes are atomic batches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ocsp.h>

#include "eseal/ca.h"
#include "eseal/json.h"
#include "eseal/pki.h"
#include "internal.h"

/* struct single is what one SingleResponse says. */
struct single {
    OCSP_CERTID *cid; /* borrowed */
    int status;       /* V_OCSP_CERTSTATUS_* */
    int reason;       /* CRLReason, or -1 for none */
    int64_t when;     /* revocation time */
    int64_t invalid;  /* invalidityDate (RFC 5280 §5.3.2), or 0 for none */
};

/* record_status fills |s| from the status record |rec|. */
static eseal_rc record_status(const json_t *rec, struct single *s, struct eseal_err *err)
{
    s->status = V_OCSP_CERTSTATUS_GOOD;
    s->reason = -1;
    s->when = 0;
    s->invalid = 0;
    int code = eseal_publisher_crl_reason(json_string_value(json_object_get(rec, "status")),
                                          json_string_value(json_object_get(rec, "reason")));
    if (code < 0)
        return ESEAL_OK;
    if (!eseal_json_time(rec, "status_time", &s->when))
        return eseal_err_set(err, ESEAL_E_INTERNAL, "a stored status record is malformed");
    s->status = V_OCSP_CERTSTATUS_REVOKED;
    s->reason = code > 0 ? code : -1; /* as on the CRL: unspecified is left out */
    if (json_object_get(rec, "invalidity_date") != NULL &&
        !eseal_json_time(rec, "invalidity_date", &s->invalid))
        return eseal_err_set(err, ESEAL_E_INTERNAL, "a stored status record is malformed");
    return ESEAL_OK;
}

/* root_id returns the CertID of the root's certificate |serial| (may be
 * NULL: for comparing issuers) hashed with |md|, or NULL. */
static OCSP_CERTID *root_id(struct eseal_publisher *p, const EVP_MD *md, const ASN1_INTEGER *serial)
{
    X509 *root = eseal_ca_cert(p->ca, ESEAL_CA_ROOT);
    return OCSP_cert_id_new(md, X509_get_subject_name(root), X509_get0_pubkey_bitstr(root), serial);
}

/* by_root sets *yes when |cid|, hashed with |md|, names the root as issuer. */
static eseal_rc by_root(struct eseal_publisher *p, const EVP_MD *md, const OCSP_CERTID *cid,
                        bool *yes, struct eseal_err *err)
{
    OCSP_CERTID *ours = root_id(p, md, NULL);
    if (ours == NULL)
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot hash the root's name and key");
    *yes = OCSP_id_issuer_cmp(ours, cid) == 0;
    OCSP_CERTID_free(ours);
    return ESEAL_OK;
}

/* cert_status finds what to answer for s->cid from the status records. */
static eseal_rc cert_status(struct eseal_publisher *p, struct single *s, struct eseal_err *err)
{
    s->status = V_OCSP_CERTSTATUS_UNKNOWN;
    s->reason = -1;
    s->when = 0;
    s->invalid = 0;
    ASN1_OBJECT *md_oid = NULL;
    ASN1_INTEGER *serial = NULL;
    if (OCSP_id_get0_info(NULL, &md_oid, NULL, &serial, s->cid) != 1 || serial == NULL)
        return ESEAL_OK;
    const EVP_MD *md = EVP_get_digestbyobj(md_oid);
    if (md == NULL)
        return ESEAL_OK; /* a hash we cannot compute: not ours to say */
    bool ours = false;
    eseal_rc rc = by_root(p, md, s->cid, &ours, err);
    if (rc != ESEAL_OK || !ours)
        return rc; /* !ours: another issuer */
    char *hex = eseal_pki_serial(serial);
    json_t *rec = NULL;
    struct eseal_err e;
    eseal_err_clear(&e);
    rc = eseal_publisher_lookup(p, ESEAL_PUBLISHER_BY_SERIAL, hex, &rec, NULL, &e);
    free(hex);
    if (rc == ESEAL_E_NOTFOUND || rc == ESEAL_E_INVALID)
        return ESEAL_OK; /* not a seal certificate of this platform */
    if (rc != ESEAL_OK) {
        if (err != NULL)
            *err = e;
        return rc;
    }
    rc = record_status(rec, s, err);
    json_decref(rec);
    return rc;
}

/* encode writes the OCSPResponse of |status| (with |bs| when successful)
 * into |out|. */
static eseal_rc encode(int status, OCSP_BASICRESP *bs, struct eseal_buf *out, struct eseal_err *err)
{
    OCSP_RESPONSE *r =
        OCSP_response_create(status, status == OCSP_RESPONSE_STATUS_SUCCESSFUL ? bs : NULL);
    unsigned char *der = NULL;
    int dlen = r != NULL ? i2d_OCSP_RESPONSE(r, &der) : -1;
    eseal_rc rc = ESEAL_OK;
    if (dlen > 0)
        eseal_buf_append(out, der, (size_t)dlen);
    else
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot encode an OCSP response");
    OPENSSL_free(der);
    OCSP_RESPONSE_free(r);
    return rc;
}

/* add_status adds the SingleResponse |s| to |bs|. */
static eseal_rc add_status(OCSP_BASICRESP *bs, const struct single *s, ASN1_TIME *this_update,
                           ASN1_TIME *next_update, struct eseal_err *err)
{
    ASN1_TIME *revoked = NULL;
    if (s->status == V_OCSP_CERTSTATUS_REVOKED &&
        (revoked = ASN1_TIME_set(NULL, (time_t)s->when)) == NULL)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "out of memory");
    eseal_rc rc = ESEAL_OK;
    OCSP_SINGLERESP *one =
        OCSP_basic_add1_status(bs, s->cid, s->status, s->reason, revoked, this_update, next_update);
    if (one == NULL)
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot add a certificate status");
    /* the time from which the key is compromised: a loss report's (RFC 6960 §4.4.7
     * allows the CRL entry extensions in a SingleResponse) */
    ASN1_GENERALIZEDTIME *inv = NULL;
    if (rc == ESEAL_OK && s->status == V_OCSP_CERTSTATUS_REVOKED && s->invalid != 0 &&
        ((inv = ASN1_GENERALIZEDTIME_set(NULL, (time_t)s->invalid)) == NULL ||
         OCSP_SINGLERESP_add1_ext_i2d(one, NID_invalidity_date, inv, 0, 0) != 1))
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot add an invalidity date");
    ASN1_GENERALIZEDTIME_free(inv);
    ASN1_TIME_free(revoked);
    return rc;
}

/* sign_response signs into |out| the successful OCSPResponse with the |n|
 * SingleResponses |s|, all with |this_update| and |next_update|, echoing
 * the nonce of |rq| (may be NULL: none). */
static eseal_rc sign_response(struct eseal_publisher *p, const struct single *s, int n,
                              int64_t this_update, int64_t next_update, OCSP_REQUEST *rq,
                              struct eseal_buf *out, struct eseal_err *err)
{
    OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
    ASN1_TIME *tu = ASN1_TIME_set(NULL, (time_t)this_update);
    ASN1_TIME *nu = ASN1_TIME_set(NULL, (time_t)next_update);
    eseal_rc rc = ESEAL_OK;
    if (bs == NULL || tu == NULL || nu == NULL)
        rc = eseal_err_set(err, ESEAL_E_INTERNAL, "out of memory");
    for (int i = 0; rc == ESEAL_OK && i < n; i++)
        rc = add_status(bs, &s[i], tu, nu, err);
    if (rc == ESEAL_OK && rq != NULL && OCSP_copy_nonce(bs, rq) <= 0)
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot copy the nonce");
    if (rc == ESEAL_OK)
        rc = pub_count_sign(p, PUB_SIGNED_OCSP, eseal_ca_sign_ocsp(p->ca, bs, err));
    if (rc == ESEAL_OK)
        rc = encode(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs, out, err);
    ASN1_TIME_free(tu);
    ASN1_TIME_free(nu);
    OCSP_BASICRESP_free(bs);
    return rc;
}

eseal_rc pub_ocsp_presign(struct eseal_publisher *p, const json_t *rec, int64_t this_update,
                          int64_t next_update, struct eseal_buf *der, struct eseal_err *err)
{
    eseal_buf_reset(der);
    const char *hex = json_string_value(json_object_get(rec, "cert_serial"));
    ASN1_INTEGER *serial = hex != NULL ? pub_serial_integer(hex, strlen(hex)) : NULL;
    if (serial == NULL)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "a stored status record is malformed");
    /* SHA-1: the RFC 5019 profile, and what clients (openssl ocsp) send */
    struct single s = {.cid = root_id(p, EVP_sha1(), serial)};
    eseal_rc rc = s.cid != NULL ? record_status(rec, &s, err)
                                : eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot make a CertID");
    if (rc == ESEAL_OK)
        rc = sign_response(p, &s, 1, this_update, next_update, NULL, der, err);
    OCSP_CERTID_free(s.cid);
    ASN1_INTEGER_free(serial);
    return rc;
}

/* presigned puts the stored response into |resp| when |rq| is one it
 * answers: one certificate, a SHA-1 CertID of the root, no nonce, and a
 * stored response still current at |now|. False: sign one for |rq|. */
static bool presigned(struct eseal_publisher *p, OCSP_REQUEST *rq, int64_t now,
                      struct eseal_buf *resp, struct eseal_publisher_ocsp_meta *meta)
{
    if (OCSP_request_onereq_count(rq) != 1 ||
        OCSP_REQUEST_get_ext_by_NID(rq, NID_id_pkix_OCSP_Nonce, -1) >= 0)
        return false;
    OCSP_CERTID *cid = OCSP_onereq_get0_id(OCSP_request_onereq_get0(rq, 0));
    ASN1_OBJECT *md_oid = NULL;
    ASN1_INTEGER *serial = NULL;
    bool ours = false;
    if (OCSP_id_get0_info(NULL, &md_oid, NULL, &serial, cid) != 1 || serial == NULL ||
        OBJ_obj2nid(md_oid) != NID_sha1 || by_root(p, EVP_sha1(), cid, &ours, NULL) != ESEAL_OK ||
        !ours)
        return false;
    char *hex = eseal_pki_serial(serial);
    int64_t this_update = 0, next_update = 0;
    eseal_rc rc = pub_ocsp_stored(p, hex, resp, &this_update, &next_update, NULL);
    free(hex);
    if (rc != ESEAL_OK || next_update <= now) { /* none, or the refresh is late */
        eseal_buf_reset(resp);
        return false;
    }
    if (meta != NULL) {
        meta->presigned = true;
        meta->this_update = this_update;
        meta->next_update = next_update;
    }
    return true;
}

/* answer signs the response to the |n| certificates of |rq| as of |now|. */
static eseal_rc answer(struct eseal_publisher *p, OCSP_REQUEST *rq, int n, int64_t now,
                       struct eseal_buf *resp, struct eseal_publisher_ocsp_meta *meta,
                       struct eseal_err *err)
{
    struct single s[ESEAL_PUBLISHER_OCSP_MAX_CERTS];
    eseal_rc rc = ESEAL_OK;
    for (int i = 0; rc == ESEAL_OK && i < n; i++) {
        s[i].cid = OCSP_onereq_get0_id(OCSP_request_onereq_get0(rq, i));
        rc = cert_status(p, &s[i], err);
    }
    int64_t next_update = now + p->cfg.validity;
    if (rc == ESEAL_OK)
        rc = sign_response(p, s, n, now, next_update, rq, resp, err);
    if (rc == ESEAL_OK && meta != NULL) {
        meta->this_update = now;
        meta->next_update = next_update;
    }
    return rc;
}

eseal_rc eseal_publisher_ocsp(struct eseal_publisher *p, const uint8_t *req, size_t len,
                              int64_t now, struct eseal_buf *resp,
                              struct eseal_publisher_ocsp_meta *meta, struct eseal_err *err)
{
    eseal_buf_reset(resp);
    if (meta != NULL)
        memset(meta, 0, sizeof(*meta));
    OCSP_REQUEST *rq = NULL;
    int n = 0;
    if (len > 0 && len <= ESEAL_PUBLISHER_OCSP_MAX) {
        const unsigned char *q = req;
        rq = d2i_OCSP_REQUEST(NULL, &q, (long)len);
        if (rq != NULL && q == req + len)
            n = OCSP_request_onereq_count(rq);
    }
    eseal_rc rc = ESEAL_OK;
    if (n <= 0 || n > ESEAL_PUBLISHER_OCSP_MAX_CERTS) {
        rc = encode(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, NULL, resp, err);
    } else if (!presigned(p, rq, now, resp, meta) &&
               (rc = answer(p, rq, n, now, resp, meta, err)) != ESEAL_OK) {
        eseal_buf_reset(resp);
        (void)encode(OCSP_RESPONSE_STATUS_INTERNALERROR, NULL, resp, NULL);
    }
    OCSP_REQUEST_free(rq);
    return rc;
}
