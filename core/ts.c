/* ts.c — RFC 3161 time-stamps for clients and verifiers (ts.h), over
 * OpenSSL's TS API. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ts.h>

#include "eseal/httpc.h"
#include "eseal/pki.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "eseal/ts.h"

eseal_rc eseal_ts_query(struct eseal_buf *query, const uint8_t sm3[32], struct eseal_err *err)
{
    TS_REQ *req = TS_REQ_new();
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    ASN1_INTEGER *nonce = NULL;
    BIGNUM *bn = BN_new();
    unsigned char *der = NULL;
    int n = -1;
    if (req != NULL && mi != NULL && alg != NULL && bn != NULL &&
        BN_rand(bn, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
        (nonce = BN_to_ASN1_INTEGER(bn, NULL)) != NULL &&
        X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sm3), V_ASN1_NULL, NULL) == 1 &&
        TS_MSG_IMPRINT_set_algo(mi, alg) == 1 &&
        TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)sm3, ESEAL_SM3_LEN) == 1 &&
        TS_REQ_set_version(req, 1) == 1 && TS_REQ_set_msg_imprint(req, mi) == 1 &&
        TS_REQ_set_nonce(req, nonce) == 1 && TS_REQ_set_cert_req(req, 1) == 1)
        n = i2d_TS_REQ(req, &der);
    eseal_rc rc = ESEAL_OK;
    if (n > 0) {
        eseal_buf_reset(query);
        eseal_buf_append(query, der, (size_t)n);
    } else {
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot make the time-stamp query");
    }
    OPENSSL_free(der);
    BN_free(bn);
    ASN1_INTEGER_free(nonce);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(mi);
    TS_REQ_free(req);
    return rc;
}

/* status_text is the reply's first statusString, or a placeholder. */
static char *status_text(TS_RESP *resp)
{
    TS_STATUS_INFO *st = TS_RESP_get_status_info(resp);
    const STACK_OF(ASN1_UTF8STRING) *text = TS_STATUS_INFO_get0_text(st);
    if (sk_ASN1_UTF8STRING_num(text) < 1)
        return eseal_xstrdup("(no reason given)");
    const ASN1_UTF8STRING *s = sk_ASN1_UTF8STRING_value(text, 0);
    return eseal_xstrndup((const char *)ASN1_STRING_get0_data(s),
                          (size_t)ASN1_STRING_length(s) > 200 ? 200
                                                              : (size_t)ASN1_STRING_length(s));
}

eseal_rc eseal_ts_reply_token(struct eseal_buf *token, const uint8_t *reply, size_t reply_len,
                              const uint8_t *query, size_t query_len, struct eseal_err *err)
{
    const unsigned char *p = reply, *q = query;
    TS_RESP *resp = NULL;
    TS_REQ *req = NULL;
    unsigned char *der = NULL;
    eseal_rc rc = ESEAL_OK;
    if (reply_len > ESEAL_TS_TOKEN_MAX || (resp = d2i_TS_RESP(NULL, &p, (long)reply_len)) == NULL ||
        p != reply + reply_len) {
        rc = eseal_err_set(err, ESEAL_E_INVALID,
                           "时间戳服务的应答不是 TimeStampResp / the TSA's answer is not a "
                           "TimeStampResp");
        goto out;
    }
    req = d2i_TS_REQ(NULL, &q, (long)query_len);
    long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp)));
    if (status != TS_STATUS_GRANTED && status != TS_STATUS_GRANTED_WITH_MODS) {
        char *why = status_text(resp);
        rc = eseal_err_set(err, ESEAL_E_DENIED, "时间戳服务拒绝了请求 / the TSA refused: %s", why);
        free(why);
        goto out;
    }
    TS_TST_INFO *ti = TS_RESP_get_tst_info(resp);
    PKCS7 *p7 = TS_RESP_get_token(resp);
    TS_MSG_IMPRINT *want = req != NULL ? TS_REQ_get_msg_imprint(req) : NULL;
    TS_MSG_IMPRINT *got = ti != NULL ? TS_TST_INFO_get_msg_imprint(ti) : NULL;
    if (want == NULL || got == NULL || p7 == NULL ||
        OBJ_cmp(TS_MSG_IMPRINT_get_algo(want)->algorithm,
                TS_MSG_IMPRINT_get_algo(got)->algorithm) != 0 ||
        ASN1_STRING_cmp(TS_MSG_IMPRINT_get_msg(want), TS_MSG_IMPRINT_get_msg(got)) != 0 ||
        TS_REQ_get_nonce(req) == NULL || TS_TST_INFO_get_nonce(ti) == NULL ||
        ASN1_INTEGER_cmp(TS_REQ_get_nonce(req), TS_TST_INFO_get_nonce(ti)) != 0) {
        rc = eseal_err_set(err, ESEAL_E_INVALID,
                           "时间戳与请求不符 (摘要或随机数) / the time-stamp does not answer the "
                           "query (imprint or nonce)");
        goto out;
    }
    int n = i2d_PKCS7(p7, &der);
    if (n <= 0) {
        rc = eseal_err_openssl(err, ESEAL_E_INVALID, "cannot encode the time-stamp token");
        goto out;
    }
    eseal_buf_reset(token);
    eseal_buf_append(token, der, (size_t)n);
out:
    OPENSSL_free(der);
    TS_REQ_free(req);
    TS_RESP_free(resp);
    return rc;
}

eseal_rc eseal_ts_fetch(struct eseal_buf *token, const char *url, const void *data, size_t len,
                        unsigned timeout_ms, struct eseal_err *err)
{
    uint8_t sm3[ESEAL_SM3_LEN];
    eseal_sm3(sm3, data, len);
    struct eseal_buf query, reply;
    eseal_buf_init(&query);
    eseal_buf_init(&reply);
    unsigned status = 0;
    eseal_rc rc = eseal_ts_query(&query, sm3, err);
    if (rc == ESEAL_OK) {
        struct eseal_httpc_request r = {.method = "POST",
                                        .url = url,
                                        .content_type = "application/timestamp-query",
                                        .body = query.data,
                                        .body_len = query.len};
        struct eseal_httpc_opts o = {.timeout_ms = timeout_ms, .max_body = ESEAL_TS_TOKEN_MAX};
        rc = eseal_httpc_request(&r, &o, &status, &reply, err);
        if (rc != ESEAL_OK)
            eseal_err_prefix(err, "时间戳服务 %s 无应答 / the TSA %s does not answer", url, url);
    }
    if (rc == ESEAL_OK && status != 200)
        rc = eseal_err_set(err, ESEAL_E_IO,
                           "时间戳服务 %s 返回 HTTP %u / the TSA %s answered HTTP %u", url, status,
                           url, status);
    if (rc == ESEAL_OK)
        rc = eseal_ts_reply_token(token, reply.data, reply.len, query.data, query.len, err);
    eseal_buf_cleanup(&query);
    eseal_buf_cleanup(&reply);
    return rc;
}

eseal_rc eseal_ts_stamp_ses(struct eseal_buf *ses, const char *url, unsigned timeout_ms,
                            struct eseal_err *err)
{
    struct eseal_ses *parsed = NULL;
    struct eseal_buf token, out;
    eseal_buf_init(&token);
    eseal_buf_init(&out);
    eseal_rc rc = eseal_ses_parse(&parsed, ses->data, ses->len, err);
    if (rc == ESEAL_OK) {
        const struct eseal_ses_info *i = eseal_ses_info(parsed);
        rc = eseal_ts_fetch(&token, url, i->signature, i->signature_len, timeout_ms, err);
    }
    if (rc == ESEAL_OK)
        rc = eseal_ses_add_timestamp(&out, ses->data, ses->len, token.data, token.len, err);
    if (rc == ESEAL_OK) {
        eseal_buf_reset(ses);
        eseal_buf_append(ses, out.data, out.len);
    }
    eseal_ses_free(parsed);
    eseal_buf_cleanup(&token);
    eseal_buf_cleanup(&out);
    return rc;
}

void eseal_ts_info_cleanup(struct eseal_ts_info *info)
{
    free(info->tsa);
    memset(info, 0, sizeof(*info));
}

/* read_info fills |info| from the TSTInfo and the signer certificate. */
static void read_info(struct eseal_ts_info *info, TS_TST_INFO *ti, PKCS7 *p7)
{
    struct tm tm;
    const ASN1_GENERALIZEDTIME *t = TS_TST_INFO_get_time(ti);
    if (t != NULL && ASN1_TIME_to_tm(t, &tm) == 1)
        info->gen_time = timegm(&tm);
    char *serial = eseal_pki_serial(TS_TST_INFO_get_serial(ti));
    snprintf(info->serial, sizeof(info->serial), "%s", serial);
    free(serial);
    OBJ_obj2txt(info->policy, sizeof(info->policy), TS_TST_INFO_get_policy_id(ti), 1);
    X509_ALGOR *alg = TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(ti));
    snprintf(info->hash, sizeof(info->hash), "%s", OBJ_nid2sn(OBJ_obj2nid(alg->algorithm)));
    STACK_OF(X509) *signers = PKCS7_get0_signers(p7, NULL, 0);
    if (sk_X509_num(signers) == 1)
        info->tsa = eseal_pki_name(X509_get_subject_name(sk_X509_value(signers, 0)));
    sk_X509_free(signers);
    ERR_clear_error();
}

/* verify_ctx makes the TS_VERIFY_CTX for |flags|, over |data| and, with
 * TS_VFY_SIGNATURE, the anchors |trust| at |at|. */
static TS_VERIFY_CTX *verify_ctx(unsigned flags, const void *data, size_t data_len,
                                 STACK_OF(X509) * trust, time_t at)
{
    TS_VERIFY_CTX *ctx = TS_VERIFY_CTX_new();
    BIO *bio = BIO_new_mem_buf(data, (int)data_len);
    X509_STORE *store = (flags & TS_VFY_SIGNATURE) != 0 ? X509_STORE_new() : NULL;
    if (ctx == NULL || bio == NULL || ((flags & TS_VFY_SIGNATURE) != 0 && store == NULL)) {
        TS_VERIFY_CTX_free(ctx);
        BIO_free(bio);
        X509_STORE_free(store);
        return NULL;
    }
    TS_VERIFY_CTX_set_flags(ctx, (int)flags);
    TS_VERIFY_CTX_set_data(ctx, bio); /* the context owns bio and store */
    if (store != NULL) {
        for (int i = 0; i < sk_X509_num(trust); i++)
            X509_STORE_add_cert(store, sk_X509_value(trust, i));
        /* the TSA certificate must have been valid when it signed */
        X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), at);
        TS_VERIFY_CTX_set_store(ctx, store);
    }
    return ctx;
}

eseal_rc eseal_ts_verify(const uint8_t *token, size_t len, const void *data, size_t data_len,
                         STACK_OF(X509) * trust, struct eseal_ts_info *info, struct eseal_err *err)
{
    memset(info, 0, sizeof(*info));
    const unsigned char *p = token;
    PKCS7 *p7 = NULL;
    TS_TST_INFO *ti = NULL;
    TS_VERIFY_CTX *ctx = NULL;
    eseal_rc rc = ESEAL_OK;
    ERR_clear_error();
    if (len > ESEAL_TS_TOKEN_MAX || data_len > INT32_MAX ||
        (p7 = d2i_PKCS7(NULL, &p, (long)len)) == NULL || p != token + len ||
        (ti = PKCS7_to_TS_TST_INFO(p7)) == NULL) {
        rc = eseal_err_openssl(err, ESEAL_E_INVALID,
                               "时间戳令牌无法解析 / the time-stamp token cannot be read");
        goto out;
    }
    read_info(info, ti, p7);
    int nid = OBJ_obj2nid(TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(ti))->algorithm);
    if (nid != NID_sm3 && nid != NID_sha256) {
        rc = eseal_err_set(err, ESEAL_E_INVALID,
                           "时间戳摘要算法不是 SM3 或 SHA-256 / the token's imprint is not SM3 "
                           "or SHA-256 (%s)",
                           info->hash);
        goto out;
    }
    /* The imprint first: a token over other data is broken whoever signed it. */
    ctx = verify_ctx(TS_VFY_DATA, data, data_len, NULL, 0);
    if (ctx == NULL || TS_RESP_verify_token(ctx, p7) != 1) {
        rc = eseal_err_openssl(err, ESEAL_E_CRYPTO,
                               "时间戳不是对本签名值的 / the time-stamp is not over this signature "
                               "value (message imprint mismatch)");
        goto out;
    }
    TS_VERIFY_CTX_free(ctx);
    /* Every certificate the token carries is checked with the SM2 ID
     * (DESIGN.md §3); the root is an anchor and checked as such. */
    STACK_OF(X509) *certs = p7->d.sign->cert;
    for (int i = 0; i < sk_X509_num(certs); i++) {
        X509 *x = sk_X509_value(certs, i);
        if (X509_check_issued(x, x) != X509_V_OK)
            eseal_x509_set_sm2_id(x);
    }
    ctx = verify_ctx(TS_VFY_SIGNATURE | TS_VFY_VERSION, data, data_len, trust, info->gen_time);
    if (ctx == NULL) {
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot set up the time-stamp check");
        goto out;
    }
    ERR_clear_error();
    if (TS_RESP_verify_token(ctx, p7) != 1) {
        unsigned long e = ERR_peek_last_error();
        int reason = ERR_GET_LIB(e) == ERR_LIB_TS ? ERR_GET_REASON(e) : 0;
        if (reason == TS_R_CERTIFICATE_VERIFY_ERROR || reason == TS_R_TSA_UNTRUSTED)
            rc = eseal_err_openssl(err, ESEAL_E_DENIED,
                                   "时间戳签发者不是受信任的时间戳服务 / the time-stamp's signer "
                                   "is not a trusted TSA");
        else
            rc = eseal_err_openssl(err, ESEAL_E_CRYPTO,
                                   "时间戳令牌的签名无效 / the time-stamp token's signature does "
                                   "not verify");
    }
out:
    ERR_clear_error();
    TS_VERIFY_CTX_free(ctx);
    TS_TST_INFO_free(ti);
    PKCS7_free(p7);
    return rc;
}
