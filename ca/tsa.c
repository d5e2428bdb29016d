/* tsa.c — the platform's RFC 3161 time-stamp authority: its key and
 * certificate, and answering time-stamp queries (docs/tsa.md).
 *
 * OpenSSL 3.0's TS_RESP_CTX signs through PKCS7_SIGNER_INFO_set, which has
 * no SM2 support ("signing not supported for this key type"), so the token
 * is put together here from the same TS and PKCS7 objects and signed with
 * the TSA key directly. Its verifier, PKCS7_signatureVerify (and so
 * `openssl ts -verify`), checks an SM2 SignerInfo signature as a bare
 * signature over SM3(signed attributes), without the SM2 Z value; that is
 * the form made here. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/ess.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "eseal/pki.h"
#include "eseal/sm.h"
#include "internal.h"

/* The TSA certificate: RFC 3161 §2.3 wants id-kp-timeStamping as the only
 * extended key usage, marked critical. */
const struct ca_ext ca_tsa_exts[] = {
    {NID_basic_constraints, "critical,CA:FALSE"},
    {NID_key_usage, "critical,digitalSignature,nonRepudiation"},
    {NID_ext_key_usage, "critical,timeStamping"},
    {NID_subject_key_identifier, "hash"},
    {NID_authority_key_identifier, "keyid:always"},
};
const size_t ca_tsa_n_exts = sizeof(ca_tsa_exts) / sizeof(ca_tsa_exts[0]);

#define TSA_DEFAULT_DAYS 3650

eseal_rc ca_tsa_load(struct eseal_ca *ca, struct eseal_err *err)
{
    char *path = eseal_path_join(ca->dir, CA_FILE_TSA_PEM);
    eseal_rc rc = ESEAL_OK;
    if (access(path, F_OK) == 0) {
        rc = eseal_pki_cert_load(&ca->tsa_cert, path, err);
        if (rc == ESEAL_OK)
            rc = eseal_x509_check_signed_by(ca->tsa_cert, X509_get0_pubkey(ca->cert[ESEAL_CA_ROOT]),
                                            err);
        if (rc != ESEAL_OK)
            eseal_err_prefix(err, "%s", path);
    }
    free(path);
    return rc;
}

eseal_rc ca_tsa_unlock(struct eseal_ca *ca, const void *pass, size_t pass_len,
                       struct eseal_err *err)
{
    if (ca->tsa_cert == NULL)
        return eseal_err_set(err, ESEAL_E_NOTFOUND,
                             "%s 中没有时间戳密钥 (请运行 eseal ca tsa-init) / %s has no "
                             "time-stamp key (run eseal ca tsa-init)",
                             ca->dir, ca->dir);
    char *path = eseal_path_join(ca->dir, CA_FILE_TSA_KEY);
    eseal_rc rc = eseal_pki_key_load(&ca->tsa_key, path, pass, pass_len, err);
    if (rc == ESEAL_OK &&
        (!eseal_sm2_is(ca->tsa_key) || X509_check_private_key(ca->tsa_cert, ca->tsa_key) != 1))
        rc = eseal_err_openssl(err, ESEAL_E_INVALID, "%s does not belong to %s", path,
                               CA_FILE_TSA_PEM);
    free(path);
    /* Per token these would cost a provider fetch and a certificate hash. */
    ESS_SIGNING_CERT_V2 *sc = NULL;
    if (rc == ESEAL_OK &&
        ((ca->tsa_sign = EVP_PKEY_CTX_new_from_pkey(NULL, ca->tsa_key, NULL)) == NULL ||
         EVP_PKEY_sign_init(ca->tsa_sign) != 1 ||
         EVP_PKEY_CTX_set_signature_md(ca->tsa_sign, eseal_md_sm3()) != 1 ||
         (sc = OSSL_ESS_signing_cert_v2_new_init(eseal_md_sha256(), ca->tsa_cert, NULL, 0)) ==
             NULL ||
         (ca->tsa_ess_len = i2d_ESS_SIGNING_CERT_V2(sc, &ca->tsa_ess)) <= 0))
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot prepare the time-stamp key");
    ESS_SIGNING_CERT_V2_free(sc);
    if (rc != ESEAL_OK)
        ca_tsa_lock(ca);
    return rc;
}

void ca_tsa_lock(struct eseal_ca *ca)
{
    EVP_PKEY_CTX_free(ca->tsa_sign);
    EVP_PKEY_free(ca->tsa_key);
    OPENSSL_free(ca->tsa_ess);
    ca->tsa_sign = NULL;
    ca->tsa_key = NULL;
    ca->tsa_ess = NULL;
    ca->tsa_ess_len = 0;
}

eseal_rc ca_tsa_write(const char *dir, X509 *cert, EVP_PKEY *key, const void *pass, size_t pass_len,
                      struct eseal_err *err)
{
    char *pem = eseal_pki_cert_pem(cert);
    char *path = eseal_path_join(dir, CA_FILE_TSA_PEM);
    eseal_rc rc = eseal_file_write(path, pem, strlen(pem), 0600, 1, err);
    free(pem);
    free(path);
    if (rc != ESEAL_OK)
        return rc;
    path = eseal_path_join(dir, CA_FILE_TSA_KEY);
    rc = eseal_pki_key_save(path, key, pass, pass_len, err);
    free(path);
    return rc;
}

/* root_org is the O of the root's subject, for the TSA's own subject. */
static char *root_org(X509 *root)
{
    const X509_NAME *n = X509_get_subject_name(root);
    int i = X509_NAME_get_index_by_NID(n, NID_organizationName, -1);
    if (i < 0)
        return eseal_xstrdup("eSeal Platform");
    const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
    return eseal_xstrndup((const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
}

eseal_rc eseal_ca_tsa_init(const char *dir, const void *pass, size_t pass_len, int days,
                           struct eseal_err *err)
{
    struct eseal_ca *ca = NULL;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    eseal_rc rc = eseal_ca_open(&ca, dir, err);
    if (rc != ESEAL_OK)
        return rc;
    if (ca->tsa_cert != NULL) {
        rc = eseal_err_set(err, ESEAL_E_CONFLICT,
                           "%s 已有时间戳密钥, 拒绝覆盖 / %s already has a time-stamp key; "
                           "refusing to overwrite",
                           dir, dir);
        goto out;
    }
    if (days <= 0)
        days = TSA_DEFAULT_DAYS;
    X509 *root = ca->cert[ESEAL_CA_ROOT];
    time_t end = time(NULL) + (time_t)days * 86400;
    if (X509_cmp_time(X509_get0_notAfter(root), &end) < 0) {
        rc = eseal_err_set(err, ESEAL_E_INVALID,
                           "时间戳证书不能超过根证书有效期 / the TSA certificate cannot outlive "
                           "the root (%d days)",
                           days);
        goto out;
    }
    rc = eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_ROOT, pass, pass_len, err);
    if (rc == ESEAL_OK)
        rc = eseal_sm2_keygen(&key, err);
    if (rc == ESEAL_OK) {
        char *org = root_org(root);
        char *cn = eseal_xasprintf("%s%s", org, CA_TSA_CN_SUFFIX);
        X509_NAME *name = ca_platform_name(org, cn);
        free(cn);
        rc = ca_make_cert(&cert, name, key, root, ca->key[ESEAL_CA_ROOT], days, ca_tsa_exts,
                          ca_tsa_n_exts, err);
        X509_NAME_free(name);
        free(org);
    }
    if (rc == ESEAL_OK) {
        rc = ca_tsa_write(dir, cert, key, pass, pass_len, err);
        if (rc != ESEAL_OK && rc != ESEAL_E_CONFLICT) {
            char *path = eseal_path_join(dir, CA_FILE_TSA_PEM);
            unlink(path);
            free(path);
        }
    }
out:
    X509_free(cert);
    EVP_PKEY_free(key);
    eseal_ca_free(ca);
    return rc;
}

X509 *eseal_ca_tsa_cert(const struct eseal_ca *ca)
{
    return ca->tsa_cert;
}

/* PKIStatusInfo (RFC 3161 §2.4.2) as a template of our own: OpenSSL has no
 * setter for a TS_STATUS_INFO's failInfo outside TS_RESP_CTX, so a refusal
 * is encoded with this and read back as TS_STATUS_INFO. */
typedef struct {
    ASN1_INTEGER *status;
    STACK_OF(ASN1_UTF8STRING) * text;
    ASN1_BIT_STRING *failure_info;
} TSA_STATUS;
DECLARE_ASN1_ENCODE_FUNCTIONS_only(TSA_STATUS, TSA_STATUS)

    ASN1_SEQUENCE(TSA_STATUS) =
        {
            ASN1_SIMPLE(TSA_STATUS, status, ASN1_INTEGER),
            ASN1_SEQUENCE_OF_OPT(TSA_STATUS, text, ASN1_UTF8STRING),
            ASN1_OPT(TSA_STATUS, failure_info, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(TSA_STATUS)

            IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(TSA_STATUS)
                IMPLEMENT_ASN1_ENCODE_FUNCTIONS_fname(TSA_STATUS, TSA_STATUS, TSA_STATUS)

    /* reply_der writes |resp| as DER into |reply|. */
    static eseal_rc reply_der(struct eseal_buf * reply, TS_RESP *resp, struct eseal_err *err)
{
    unsigned char *der = NULL;
    int n = i2d_TS_RESP(resp, &der);
    if (n <= 0)
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot encode the time-stamp reply");
    eseal_buf_reset(reply);
    eseal_buf_append(reply, der, (size_t)n);
    OPENSSL_free(der);
    return ESEAL_OK;
}

/* refuse writes a rejection with failInfo bit |fail| and |text| into
 * |reply|, and returns ESEAL_E_INVALID with |text| in |err|. */
static eseal_rc refuse(struct eseal_buf *reply, int fail, const char *text, struct eseal_err *err)
{
    TSA_STATUS *s = TSA_STATUS_new();
    ASN1_UTF8STRING *t = ASN1_UTF8STRING_new();
    s->text = sk_ASN1_UTF8STRING_new_null();
    s->failure_info = ASN1_BIT_STRING_new();
    unsigned char *der = NULL;
    int n = -1;
    if (s->text != NULL && t != NULL && s->failure_info != NULL &&
        ASN1_INTEGER_set(s->status, TS_STATUS_REJECTION) == 1 &&
        ASN1_STRING_set(t, text, -1) == 1 && sk_ASN1_UTF8STRING_push(s->text, t) > 0) {
        t = NULL;
        if (ASN1_BIT_STRING_set_bit(s->failure_info, fail, 1) == 1)
            n = i2d_TSA_STATUS(s, &der);
    }
    ASN1_UTF8STRING_free(t);
    TSA_STATUS_free(s);
    TS_STATUS_INFO *st = NULL;
    if (n > 0) {
        const unsigned char *p = der;
        st = d2i_TS_STATUS_INFO(NULL, &p, n);
    }
    OPENSSL_free(der);
    TS_RESP *resp = TS_RESP_new();
    eseal_rc rc = ESEAL_E_INTERNAL;
    if (st != NULL && resp != NULL && TS_RESP_set_status_info(resp, st) == 1)
        rc = reply_der(reply, resp, err);
    else
        eseal_err_openssl(err, rc, "cannot build the time-stamp refusal");
    TS_STATUS_INFO_free(st);
    TS_RESP_free(resp);
    if (rc != ESEAL_OK)
        return rc;
    return eseal_err_set(err, ESEAL_E_INVALID, "%s", text);
}

/* check_query returns the TSTInfo failInfo bit that refuses |req|, or -1. */
static int check_query(const TS_REQ *req, const ASN1_OBJECT *policy, const char **why)
{
    TS_MSG_IMPRINT *mi = TS_REQ_get_msg_imprint((TS_REQ *)req);
    X509_ALGOR *alg = TS_MSG_IMPRINT_get_algo(mi);
    int nid = OBJ_obj2nid(alg->algorithm);
    ASN1_OCTET_STRING *msg = TS_MSG_IMPRINT_get_msg(mi);
    ASN1_OBJECT *want = TS_REQ_get_policy_id((TS_REQ *)req);
    if (TS_REQ_get_version(req) != 1) {
        *why = "时间戳请求版本不是 1 / the query's version is not 1";
        return TS_INFO_BAD_REQUEST;
    }
    if (nid != NID_sm3 && nid != NID_sha256) {
        *why = "摘要算法须为 SM3 或 SHA-256 / the imprint must be SM3 or SHA-256";
        return TS_INFO_BAD_ALG;
    }
    if (alg->parameter != NULL && alg->parameter->type != V_ASN1_NULL) {
        *why = "摘要算法带有参数 / the imprint's algorithm has parameters";
        return TS_INFO_BAD_ALG;
    }
    if (ASN1_STRING_length(msg) != ESEAL_SM3_LEN) {
        *why = "摘要长度错误 / the imprint has the wrong length";
        return TS_INFO_BAD_DATA_FORMAT;
    }
    if (want != NULL && OBJ_cmp(want, policy) != 0) {
        *why = "不接受所请求的策略 / the requested policy is not ours";
        return TS_INFO_UNACCEPTED_POLICY;
    }
    if (TS_REQ_get_ext_count((TS_REQ *)req) > 0) {
        *why = "不接受请求扩展 / query extensions are not accepted";
        return TS_INFO_UNACCEPTED_EXTENSION;
    }
    return -1;
}

/* make_tst_info fills the TSTInfo for |req|: the imprint and nonce it
 * asked for, a random serial, the time now, the policy and accuracy. */
static TS_TST_INFO *make_tst_info(const struct eseal_ca *ca, const TS_REQ *req,
                                  const ASN1_OBJECT *policy, uint32_t accuracy_ms)
{
    TS_TST_INFO *ti = TS_TST_INFO_new();
    BIGNUM *bn = BN_new();
    ASN1_INTEGER *serial = NULL;
    ASN1_GENERALIZEDTIME *now = ASN1_GENERALIZEDTIME_set(NULL, time(NULL));
    GENERAL_NAME *tsa = GENERAL_NAME_new();
    TS_ACCURACY *acc = TS_ACCURACY_new();
    ASN1_INTEGER *secs = ASN1_INTEGER_new(), *millis = ASN1_INTEGER_new();
    const ASN1_INTEGER *nonce = TS_REQ_get_nonce(req);
    int ok = ti != NULL && bn != NULL && now != NULL && tsa != NULL && acc != NULL &&
             secs != NULL && millis != NULL;
    /* Random 127-bit serials: unique across restarts and replicas without
     * any state to keep (docs/tsa.md "Serial numbers"). */
    ok = ok && BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1 &&
         (serial = BN_to_ASN1_INTEGER(bn, NULL)) != NULL;
    ok = ok && TS_TST_INFO_set_version(ti, 1) == 1 &&
         TS_TST_INFO_set_policy_id(ti, (ASN1_OBJECT *)policy) == 1 &&
         TS_TST_INFO_set_msg_imprint(ti, TS_REQ_get_msg_imprint((TS_REQ *)req)) == 1 &&
         TS_TST_INFO_set_serial(ti, serial) == 1 && TS_TST_INFO_set_time(ti, now) == 1 &&
         (nonce == NULL || TS_TST_INFO_set_nonce(ti, nonce) == 1);
    if (ok && accuracy_ms > 0) {
        int acc_ok = 1;
        if (accuracy_ms / 1000 > 0)
            acc_ok = ASN1_INTEGER_set(secs, (long)(accuracy_ms / 1000)) == 1 &&
                     TS_ACCURACY_set_seconds(acc, secs) == 1;
        if (acc_ok && accuracy_ms % 1000 > 0)
            acc_ok = ASN1_INTEGER_set(millis, (long)(accuracy_ms % 1000)) == 1 &&
                     TS_ACCURACY_set_millis(acc, millis) == 1;
        ok = acc_ok && TS_TST_INFO_set_accuracy(ti, acc) == 1;
    }
    if (ok) {
        tsa->type = GEN_DIRNAME;
        tsa->d.directoryName = X509_NAME_dup(X509_get_subject_name(ca->tsa_cert));
        ok = tsa->d.directoryName != NULL && TS_TST_INFO_set_tsa(ti, tsa) == 1;
    }
    BN_free(bn);
    ASN1_INTEGER_free(serial);
    ASN1_GENERALIZEDTIME_free(now);
    GENERAL_NAME_free(tsa);
    TS_ACCURACY_free(acc);
    ASN1_INTEGER_free(secs);
    ASN1_INTEGER_free(millis);
    if (!ok) {
        TS_TST_INFO_free(ti);
        return NULL;
    }
    return ti;
}

/* signer_info names the TSA certificate and carries the signed attributes
 * of RFC 3161 §2.4.2 and RFC 5816: contentType id-ct-TSTInfo, the SM3
 * messageDigest of |content|, and ESS signingCertificateV2. */
static PKCS7_SIGNER_INFO *signer_info(const struct eseal_ca *ca, const unsigned char *content,
                                      int content_len)
{
    X509 *cert = ca->tsa_cert;
    PKCS7_SIGNER_INFO *si = PKCS7_SIGNER_INFO_new();
    ASN1_STRING *sc_seq = ASN1_STRING_new();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned md_len = 0;
    ASN1_INTEGER *serial = ASN1_INTEGER_dup(X509_get0_serialNumber(cert));
    int ok = si != NULL && sc_seq != NULL && serial != NULL &&
             ASN1_STRING_set(sc_seq, ca->tsa_ess, ca->tsa_ess_len) == 1 &&
             ASN1_INTEGER_set(si->version, 1) == 1 &&
             X509_NAME_set(&si->issuer_and_serial->issuer, X509_get_issuer_name(cert)) == 1;
    if (ok) {
        ASN1_INTEGER_free(si->issuer_and_serial->serial);
        si->issuer_and_serial->serial = serial;
        serial = NULL;
        ok = X509_ALGOR_set0(si->digest_alg, OBJ_nid2obj(NID_sm3), V_ASN1_NULL, NULL) == 1 &&
             X509_ALGOR_set0(si->digest_enc_alg, OBJ_nid2obj(NID_SM2_with_SM3), V_ASN1_UNDEF,
                             NULL) == 1 &&
             EVP_Digest(content, (size_t)content_len, md, &md_len, eseal_md_sm3(), NULL) == 1 &&
             PKCS7_add_signed_attribute(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                        OBJ_nid2obj(NID_id_smime_ct_TSTInfo)) == 1 &&
             PKCS7_add1_attrib_digest(si, md, (int)md_len) == 1 &&
             PKCS7_add_signed_attribute(si, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE,
                                        sc_seq) == 1;
        if (ok)
            sc_seq = NULL; /* the attribute owns it now */
    }
    ASN1_INTEGER_free(serial);
    ASN1_STRING_free(sc_seq);
    if (!ok) {
        PKCS7_SIGNER_INFO_free(si);
        return NULL;
    }
    return si;
}

/* sign_attrs signs SM3(DER(signed attributes of |si|)) with a copy of
 * |prepared| (the TSA key's sign context), the
 * bare SM2 signature PKCS7_signatureVerify checks (no Z value). */
static int sign_attrs(PKCS7_SIGNER_INFO *si, const EVP_PKEY_CTX *prepared)
{
    unsigned char *attrs = NULL, md[EVP_MAX_MD_SIZE], sig[128];
    unsigned md_len = 0;
    size_t sig_len = sizeof(sig);
    int n = ASN1_item_i2d((ASN1_VALUE *)si->auth_attr, &attrs, ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_dup(prepared);
    int ok = n > 0 && pctx != NULL &&
             EVP_Digest(attrs, (size_t)n, md, &md_len, eseal_md_sm3(), NULL) == 1 &&
             EVP_PKEY_sign(pctx, sig, &sig_len, md, md_len) == 1 &&
             ASN1_STRING_set(si->enc_digest, sig, (int)sig_len) == 1;
    EVP_PKEY_CTX_free(pctx);
    OPENSSL_free(attrs);
    return ok;
}

/* make_token wraps |ti| in the SignedData of a time-stamp token. */
static PKCS7 *make_token(const struct eseal_ca *ca, TS_TST_INFO *ti, int cert_req)
{
    unsigned char *der = NULL;
    int der_len = i2d_TS_TST_INFO(ti, &der);
    PKCS7 *p7 = PKCS7_new(), *content = PKCS7_new();
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    PKCS7_SIGNER_INFO *si = der_len > 0 ? signer_info(ca, der, der_len) : NULL;
    int ok = p7 != NULL && content != NULL && os != NULL && si != NULL &&
             PKCS7_set_type(p7, NID_pkcs7_signed) == 1 &&
             ASN1_INTEGER_set(p7->d.sign->version, 3) == 1 &&
             (!cert_req || PKCS7_add_certificate(p7, ca->tsa_cert) == 1) &&
             sign_attrs(si, ca->tsa_sign) && PKCS7_add_signer(p7, si) == 1;
    if (ok)
        si = NULL;
    /* The eContent is TSTInfo, a content type PKCS7 knows as "other". */
    if (ok && ASN1_OCTET_STRING_set(os, der, der_len) == 1 &&
        (content->d.other = ASN1_TYPE_new()) != NULL) {
        content->type = OBJ_nid2obj(NID_id_smime_ct_TSTInfo);
        ASN1_TYPE_set(content->d.other, V_ASN1_OCTET_STRING, os);
        os = NULL;
        ok = PKCS7_set_content(p7, content) == 1;
        if (ok)
            content = NULL;
    } else {
        ok = 0;
    }
    PKCS7_SIGNER_INFO_free(si);
    ASN1_OCTET_STRING_free(os);
    PKCS7_free(content);
    OPENSSL_free(der);
    if (!ok) {
        PKCS7_free(p7);
        return NULL;
    }
    return p7;
}

eseal_rc eseal_ca_timestamp(struct eseal_ca *ca, const struct eseal_ca_tsa_policy *policy,
                            const uint8_t *query, size_t query_len, struct eseal_buf *reply,
                            struct eseal_err *err)
{
    eseal_rc rc = ca_need_key(ca, ESEAL_CA_UNLOCK_TSA, err);
    if (rc != ESEAL_OK)
        return rc;
    ASN1_OBJECT *pol = OBJ_txt2obj(policy->policy_oid, 1);
    if (pol == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "bad TSA policy OID \"%s\"", policy->policy_oid);
    TS_REQ *req = NULL;
    TS_TST_INFO *ti = NULL;
    TS_RESP *resp = NULL;
    TS_STATUS_INFO *st = NULL;
    PKCS7 *token = NULL;
    const unsigned char *p = query;
    if (query_len > ESEAL_TSA_QUERY_MAX || (req = d2i_TS_REQ(NULL, &p, (long)query_len)) == NULL ||
        p != query + query_len) {
        rc = refuse(reply, TS_INFO_BAD_DATA_FORMAT,
                    "时间戳请求不是 DER 编码的 TimeStampReq / the query is not a DER "
                    "TimeStampReq",
                    err);
        goto out;
    }
    const char *why = NULL;
    int fail = check_query(req, pol, &why);
    if (fail >= 0) {
        rc = refuse(reply, fail, why, err);
        goto out;
    }
    ti = make_tst_info(ca, req, pol, policy->accuracy_ms);
    token = ti != NULL ? make_token(ca, ti, TS_REQ_get_cert_req(req)) : NULL;
    resp = TS_RESP_new();
    st = TS_STATUS_INFO_new();
    if (token == NULL || resp == NULL || st == NULL ||
        TS_STATUS_INFO_set_status(st, TS_STATUS_GRANTED) != 1 ||
        TS_RESP_set_status_info(resp, st) != 1) {
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot make the time-stamp token");
        goto out;
    }
    TS_RESP_set_tst_info(resp, token, ti); /* takes both */
    token = NULL;
    ti = NULL;
    rc = reply_der(reply, resp, err);
out:
    ASN1_OBJECT_free(pol);
    TS_REQ_free(req);
    TS_TST_INFO_free(ti);
    PKCS7_free(token);
    TS_STATUS_INFO_free(st);
    TS_RESP_free(resp);
    return rc;
}
