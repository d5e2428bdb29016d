/* test_x509.c — libeseal-publisher's X.509 side: the shard function, the
 * status-to-CRLReason mapping, the per-shard CRLs (parsed, signature
 * checked with the responder key and the SM2 ID, entries and reasons) and
 * the OCSP responder (good, revoked with reason, unknown serial, unknown
 * issuer, malformed), from a real CA, a real log and a real RocksDB; the
 * pre-signed OCSP responses (served unchanged, re-signed on a change and at
 * half-life, requests outside the RFC 5019 profile signed per request);
 * and the shard count refused when it changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "eseal/buf.h"
#include "eseal/ca.h"
#include "eseal/log.h"
#include "eseal/publisher.h"
#include "eseal/sm.h"
#include "fixture.h"

#define NOW 1780272000LL /* 2026-06-01T00:00:00Z */

static void test_shard(void **state)
{
    (void)state;
    unsigned counts[16] = {0};
    char esid[15];
    for (int i = 0; i < 1600; i++) {
        snprintf(esid, sizeof(esid), "350102%08d", i);
        unsigned s = eseal_publisher_shard(esid, 16);
        assert_true(s < 16);
        assert_int_equal(s, eseal_publisher_shard(esid, 16)); /* deterministic */
        counts[s]++;
    }
    for (int s = 0; s < 16; s++) /* SM3 spreads them: none empty, none huge */
        assert_true(counts[s] > 40 && counts[s] < 200);
    assert_int_equal(eseal_publisher_shard("35010200000001", 1), 0);
    /* the documented definition: SM3(esID)[0..4) big-endian mod shards */
    uint8_t d[ESEAL_SM3_LEN];
    eseal_sm3(d, "35010200000001", 14);
    unsigned v = (unsigned)d[0] << 24 | (unsigned)d[1] << 16 | (unsigned)d[2] << 8 | d[3];
    assert_int_equal(eseal_publisher_shard("35010200000001", 7), v % 7);
}

static void test_reason(void **state)
{
    (void)state;
    static const struct {
        const char *status, *reason;
        int code;
    } cases[] = {
        {"good", NULL, -1},
        {"pending", NULL, 6},
        {"suspended", "certificateHold", 6},
        {"suspended", NULL, 6},
        {"revoked", "keyCompromise", 1},
        {"revoked", "affiliationChanged", 3},
        {"revoked", "superseded", 4},
        {"revoked", "cessationOfOperation", 5},
        {"revoked", "privilegeWithdrawn", 9},
        {"revoked", "unspecified", 0},
        {"revoked", NULL, 0},
        {"revoked", "notAReason", 0},
        {"revoked", "certificateHold", 0},
        {"revoked", "removeFromCRL", 0},
        {"expired", NULL, -1},
        {NULL, NULL, -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(eseal_publisher_crl_reason(cases[i].status, cases[i].reason),
                         cases[i].code);
}

static json_t *event(const char *type, const char *esid, const char *status, const char *reason,
                     const char *serial)
{
    char s[65];
    memset(s, 'a', 64);
    s[64] = '\0';
    json_t *d =
        json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "esid", esid, "version", 1, "status",
                  status, "seal_sm3", s, "picture_sm3", s, "cert_serial", serial, "valid_start",
                  "2026-01-01T00:00:00Z", "valid_end", "2027-01-01T00:00:00Z", "kind", "unit");
    if (reason != NULL) {
        json_object_set_new(d, "reason", json_string(reason));
        json_object_set_new(d, "revoked_at", json_string("2026-05-03T10:00:00Z"));
    }
    return json_pack("{s:i,s:s,s:s,s:{s:s,s:s},s:o}", "v", 1, "type", type, "seal", esid, "actor",
                     "id", "maker1", "role", "maker", "data", d);
}

static struct eseal_publisher *open_pub(long long shards, eseal_rc want)
{
    struct eseal_publisher_config cfg;
    fx_config(&cfg, "pdata", "log");
    cfg.validity = 3600;
    cfg.shards = shards;
    struct eseal_publisher *p = NULL;
    struct eseal_err err;
    eseal_rc rc = eseal_publisher_open(&p, &cfg, fx_ca, &err);
    eseal_config_cleanup(eseal_publisher_options, eseal_publisher_n_options, &cfg);
    assert_int_equal(rc, want);
    if (want == ESEAL_E_CONFLICT)
        assert_non_null(strstr(err.msg, "created with 16 CRL shards"));
    return p;
}

/* crl_get fetches shard |s|, checks its signature and returns it. */
static X509_CRL *crl_get(struct eseal_publisher *p, unsigned s)
{
    struct eseal_buf der;
    eseal_buf_init(&der);
    struct eseal_err err;
    assert_int_equal(eseal_publisher_crl(p, s, &der, &err), ESEAL_OK);
    const unsigned char *q = der.data;
    X509_CRL *crl = d2i_X509_CRL(NULL, &q, (long)der.len);
    assert_non_null(crl);
    assert_ptr_equal(q, der.data + der.len);
    unsigned char *tbs = NULL;
    int n = i2d_re_X509_CRL_tbs(crl, &tbs);
    const ASN1_BIT_STRING *sig;
    X509_CRL_get0_signature(crl, &sig, NULL);
    EVP_PKEY *key = X509_get0_pubkey(eseal_ca_cert(fx_ca, ESEAL_CA_RESPONDER));
    assert_int_equal(eseal_sm2_verify(key, tbs, (size_t)n, ASN1_STRING_get0_data(sig),
                                      (size_t)ASN1_STRING_length(sig), &err),
                     ESEAL_OK);
    key = X509_get0_pubkey(eseal_ca_cert(fx_ca, ESEAL_CA_MAKER));
    assert_int_not_equal(eseal_sm2_verify(key, tbs, (size_t)n, ASN1_STRING_get0_data(sig),
                                          (size_t)ASN1_STRING_length(sig), NULL),
                         ESEAL_OK);
    OPENSSL_free(tbs);
    assert_int_equal(X509_NAME_cmp(X509_CRL_get_issuer(crl),
                                   X509_get_subject_name(eseal_ca_cert(fx_ca, ESEAL_CA_RESPONDER))),
                     0);
    assert_int_equal(X509_CRL_get_version(crl), X509_CRL_VERSION_2);
    eseal_buf_cleanup(&der);
    return crl;
}

/* listed returns the reason of |serial| on |crl| (0 for none), or -1. */
static int listed(X509_CRL *crl, long serial)
{
    STACK_OF(X509_REVOKED) *revs = X509_CRL_get_REVOKED(crl);
    for (int i = 0; i < sk_X509_REVOKED_num(revs); i++) {
        X509_REVOKED *r = sk_X509_REVOKED_value(revs, i);
        if (ASN1_INTEGER_get(X509_REVOKED_get0_serialNumber(r)) != serial)
            continue;
        ASN1_ENUMERATED *e = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, NULL, NULL);
        int code = e != NULL ? (int)ASN1_ENUMERATED_get(e) : 0;
        ASN1_ENUMERATED_free(e);
        return code;
    }
    return -1;
}

/* ocsp_request makes a request for the |n| |serials| of |issuer|, the
 * CertIDs hashed with |md|, with a nonce if |nonce|. */
static OCSP_REQUEST *ocsp_request(X509 *issuer, const EVP_MD *md, const long *serials, int n,
                                  bool nonce)
{
    OCSP_REQUEST *rq = OCSP_REQUEST_new();
    for (int i = 0; i < n; i++) {
        ASN1_INTEGER *sn = ASN1_INTEGER_new();
        ASN1_INTEGER_set(sn, serials[i]);
        assert_non_null(
            OCSP_request_add0_id(rq, OCSP_cert_id_new(md, X509_get_subject_name(issuer),
                                                      X509_get0_pubkey_bitstr(issuer), sn)));
        ASN1_INTEGER_free(sn);
    }
    if (nonce)
        assert_int_equal(OCSP_request_add1_nonce(rq, NULL, 16), 1);
    return rq;
}

/* ocsp_answer has |p| answer |rq| at |now| into |der| and *meta, checks
 * that it is successful, signed by the responder (SM2 with the ID) with its
 * certificate included, and carries the request's nonce if it had one, and
 * returns the basic response. */
static OCSP_BASICRESP *ocsp_answer(struct eseal_publisher *p, OCSP_REQUEST *rq, int64_t now,
                                   struct eseal_buf *der, struct eseal_publisher_ocsp_meta *meta)
{
    unsigned char *q = NULL;
    int n = i2d_OCSP_REQUEST(rq, &q);
    struct eseal_err err;
    assert_int_equal(eseal_publisher_ocsp(p, q, (size_t)n, now, der, meta, &err), ESEAL_OK);
    OPENSSL_free(q);
    const unsigned char *d = der->data;
    OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &d, (long)der->len);
    assert_non_null(r);
    assert_int_equal(OCSP_response_status(r), OCSP_RESPONSE_STATUS_SUCCESSFUL);
    OCSP_BASICRESP *bs = OCSP_response_get1_basic(r);
    OCSP_RESPONSE_free(r);
    assert_non_null(bs);
    bool asked = OCSP_REQUEST_get_ext_by_NID(rq, NID_id_pkix_OCSP_Nonce, -1) >= 0;
    assert_int_equal(OCSP_check_nonce(rq, bs), asked ? 1 : 2);
    unsigned char *tbs = NULL;
    int tn = i2d_OCSP_RESPDATA((OCSP_RESPDATA *)OCSP_resp_get0_respdata(bs), &tbs);
    const ASN1_OCTET_STRING *sig = OCSP_resp_get0_signature(bs);
    EVP_PKEY *key = X509_get0_pubkey(eseal_ca_cert(fx_ca, ESEAL_CA_RESPONDER));
    assert_int_equal(eseal_sm2_verify(key, tbs, (size_t)tn, ASN1_STRING_get0_data(sig),
                                      (size_t)ASN1_STRING_length(sig), &err),
                     ESEAL_OK);
    OPENSSL_free(tbs);
    assert_int_equal(sk_X509_num(OCSP_resp_get0_certs(bs)), 1);
    return bs;
}

/* ocsp_find returns the status of |serial| of |issuer| (CertID hashed with
 * |md|) in |bs| and its *reason; *this_update (may be NULL) is checked to
 * be that time. */
static int ocsp_find(OCSP_BASICRESP *bs, X509 *issuer, const EVP_MD *md, long serial, int *reason,
                     const int64_t *this_update)
{
    ASN1_INTEGER *sn = ASN1_INTEGER_new();
    ASN1_INTEGER_set(sn, serial);
    OCSP_CERTID *cid =
        OCSP_cert_id_new(md, X509_get_subject_name(issuer), X509_get0_pubkey_bitstr(issuer), sn);
    int status = -1;
    *reason = -2;
    ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
    assert_int_equal(OCSP_resp_find_status(bs, cid, &status, reason, &rev, &thisupd, &nextupd), 1);
    assert_non_null(nextupd);
    if (this_update != NULL) {
        ASN1_TIME *want = ASN1_TIME_set(NULL, (time_t)*this_update);
        assert_int_equal(ASN1_TIME_compare(thisupd, want), 0);
        ASN1_TIME_free(want);
    }
    OCSP_CERTID_free(cid);
    ASN1_INTEGER_free(sn);
    return status;
}

/* ocsp_ask asks about |serial| of |issuer| (SHA-1, with a nonce: signed
 * for the request) and returns the status and *reason. */
static int ocsp_ask(struct eseal_publisher *p, X509 *issuer, long serial, int *reason)
{
    OCSP_REQUEST *rq = ocsp_request(issuer, EVP_sha1(), &serial, 1, true);
    struct eseal_buf resp;
    eseal_buf_init(&resp);
    struct eseal_publisher_ocsp_meta meta;
    OCSP_BASICRESP *bs = ocsp_answer(p, rq, NOW + 10, &resp, &meta);
    assert_false(meta.presigned);
    int status = ocsp_find(bs, issuer, EVP_sha1(), serial, reason, NULL);
    OCSP_BASICRESP_free(bs);
    OCSP_REQUEST_free(rq);
    eseal_buf_cleanup(&resp);
    return status;
}

static void test_crl_ocsp(void **state)
{
    (void)state;
    char *logdir = eseal_path_join(fx_tmp, "log");
    struct eseal_log *log;
    struct eseal_err err;
    assert_int_equal(eseal_log_open(&log, logdir, eseal_ca_log_signer(fx_ca), &err), ESEAL_OK);
    json_t *evs[] = {
        event("seal.activated", "35010200000001", "good", NULL, "1A"),
        event("seal.revoked", "35010200000002", "revoked", "keyCompromise", "2B"),
        event("seal.suspended", "35010200000003", "suspended", "certificateHold", "3C"),
        event("seal.revoked", "35010200000004", "revoked", "superseded", "4D"),
    };
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(eseal_log_append(log, evs[i], NULL, &err), ESEAL_OK);
        json_decref(evs[i]);
    }
    assert_int_equal(eseal_log_sync(log, &err), ESEAL_OK);
    eseal_log_close(log);
    free(logdir);

    struct eseal_publisher *p = open_pub(16, ESEAL_OK);
    assert_int_equal(eseal_publisher_shards(p), 16);
    size_t n;
    do
        assert_int_equal(eseal_publisher_step(p, NOW, &n, &err), ESEAL_OK);
    while (n > 0);
    struct eseal_buf der;
    eseal_buf_init(&der);
    assert_int_equal(eseal_publisher_crl(p, 16, &der, NULL), ESEAL_E_NOTFOUND);
    assert_int_equal(eseal_publisher_refresh(p, NOW, &n, &err), ESEAL_OK);
    static const struct {
        const char *esid;
        long serial;
        int reason;
    } want[] = {{"35010200000001", 0x1A, -1},
                {"35010200000002", 0x2B, 1},
                {"35010200000003", 0x3C, 6},
                {"35010200000004", 0x4D, 4}};
    for (size_t i = 0; i < 4; i++) {
        unsigned home = eseal_publisher_shard(want[i].esid, 16);
        for (unsigned s = 0; s < 16; s++) {
            X509_CRL *crl = crl_get(p, s);
            int got = listed(crl, want[i].serial);
            assert_int_equal(got, s == home ? want[i].reason : -1);
            X509_CRL_free(crl);
        }
    }
    /* a CRL number that grows */
    X509_CRL *a = crl_get(p, 0);
    ASN1_INTEGER *na = X509_CRL_get_ext_d2i(a, NID_crl_number, NULL, NULL);
    assert_int_equal(eseal_publisher_refresh(p, NOW + 1800, &n, &err), ESEAL_OK);
    X509_CRL *b = crl_get(p, 0);
    ASN1_INTEGER *nb = X509_CRL_get_ext_d2i(b, NID_crl_number, NULL, NULL);
    assert_true(ASN1_INTEGER_get(nb) > ASN1_INTEGER_get(na));
    ASN1_INTEGER_free(na);
    ASN1_INTEGER_free(nb);
    X509_CRL_free(a);
    X509_CRL_free(b);

    X509 *root = eseal_ca_cert(fx_ca, ESEAL_CA_ROOT);
    int reason;
    assert_int_equal(ocsp_ask(p, root, 0x1A, &reason), V_OCSP_CERTSTATUS_GOOD);
    assert_int_equal(ocsp_ask(p, root, 0x2B, &reason), V_OCSP_CERTSTATUS_REVOKED);
    assert_int_equal(reason, 1);
    assert_int_equal(ocsp_ask(p, root, 0x3C, &reason), V_OCSP_CERTSTATUS_REVOKED);
    assert_int_equal(reason, 6);
    assert_int_equal(ocsp_ask(p, root, 0x99, &reason), V_OCSP_CERTSTATUS_UNKNOWN);
    assert_int_equal(ocsp_ask(p, eseal_ca_cert(fx_ca, ESEAL_CA_MAKER), 0x2B, &reason),
                     V_OCSP_CERTSTATUS_UNKNOWN);
    /* malformed and oversized requests get malformedRequest */
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    struct eseal_buf resp;
    eseal_buf_init(&resp);
    uint8_t *big = eseal_xcalloc(ESEAL_PUBLISHER_OCSP_MAX + 1, 1);
    const struct {
        const uint8_t *d;
        size_t len;
    } bad[] = {{junk, sizeof(junk)}, {junk, 0}, {big, ESEAL_PUBLISHER_OCSP_MAX + 1}};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(eseal_publisher_ocsp(p, bad[i].d, bad[i].len, NOW, &resp, NULL, &err),
                         ESEAL_OK);
        const unsigned char *q = resp.data;
        OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &q, (long)resp.len);
        assert_non_null(r);
        assert_int_equal(OCSP_response_status(r), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
        OCSP_RESPONSE_free(r);
    }
    free(big);
    eseal_buf_cleanup(&resp);
    eseal_buf_cleanup(&der);
    eseal_publisher_close(p);

    /* the shard count is fixed at creation */
    assert_null(open_pub(8, ESEAL_E_CONFLICT));
    p = open_pub(16, ESEAL_OK);
    eseal_publisher_close(p);
}

static long crl_number(struct eseal_publisher *p, unsigned s)
{
    X509_CRL *crl = crl_get(p, s);
    ASN1_INTEGER *n = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
    long v = ASN1_INTEGER_get(n);
    ASN1_INTEGER_free(n);
    X509_CRL_free(crl);
    return v;
}

/* catching up (after test_crl_ocsp, on its log): a revocation in a page
 * with more waiting is answered by OCSP at once, and its CRL, kept across
 * a restart, is re-signed once the follower has caught up. A seal of its
 * own (35010200000009, serial 4D): test_ocsp_presigned needs 1A good. */
static void test_crl_catch_up(void **state)
{
    (void)state;
    char *logdir = eseal_path_join(fx_tmp, "log");
    struct eseal_log *log;
    struct eseal_err err;
    assert_int_equal(eseal_log_open(&log, logdir, eseal_ca_log_signer(fx_ca), &err), ESEAL_OK);
    /* 4100 skipped entries after it: two pages of a directory follower */
    json_t *b[ESEAL_LOG_BATCH_MAX];
    b[0] = event("seal.revoked", "35010200000009", "revoked", "keyCompromise", "4D");
    for (size_t done = 0, k = 1; done < 4101; done += k, k = 0) {
        while (k < ESEAL_LOG_BATCH_MAX && done + k < 4101)
            b[k++] = json_pack("{s:i,s:s,s:{}}", "v", 1, "type", "test.filler", "data");
        assert_int_equal(eseal_log_append_batch(log, b, k, NULL, &err), ESEAL_OK);
        for (size_t i = 0; i < k; i++)
            json_decref(b[i]);
    }
    assert_int_equal(eseal_log_sync(log, &err), ESEAL_OK);
    eseal_log_close(log);
    free(logdir);

    struct eseal_publisher *p = open_pub(16, ESEAL_OK);
    unsigned s = eseal_publisher_shard("35010200000009", 16);
    long before = crl_number(p, s);
    size_t n;
    int reason;
    assert_int_equal(eseal_publisher_step(p, NOW + 10, &n, &err), ESEAL_OK);
    assert_true(n > 0);
    assert_int_equal(ocsp_ask(p, eseal_ca_cert(fx_ca, ESEAL_CA_ROOT), 0x4D, &reason),
                     V_OCSP_CERTSTATUS_REVOKED);
    X509_CRL *crl = crl_get(p, s);
    assert_int_equal(listed(crl, 0x4D), -1); /* waits */
    X509_CRL_free(crl);
    assert_int_equal(crl_number(p, s), before);
    eseal_publisher_close(p);

    p = open_pub(16, ESEAL_OK);
    assert_int_equal(eseal_publisher_step(p, NOW + 11, &n, &err), ESEAL_OK);
    assert_true(n > 0);
    crl = crl_get(p, s);
    assert_int_equal(listed(crl, 0x4D), 1);
    X509_CRL_free(crl);
    long after = crl_number(p, s);
    assert_true(after > before);
    assert_int_equal(eseal_publisher_step(p, NOW + 12, &n, &err), ESEAL_OK);
    assert_int_equal(n, 0);
    assert_int_equal(crl_number(p, s), after); /* issued once */
    eseal_publisher_close(p);
}

/* ask_root has |p| answer at |now| a request for |serial| of the root,
 * SHA-1 CertID, no nonce, into |der|; checks whether it was |presigned| and
 * returns the status, *reason and, in *this_update, the thisUpdate |p|
 * reported. */
static int ask_root(struct eseal_publisher *p, long serial, int64_t now, struct eseal_buf *der,
                    bool presigned, int *reason, int64_t *this_update)
{
    X509 *root = eseal_ca_cert(fx_ca, ESEAL_CA_ROOT);
    OCSP_REQUEST *rq = ocsp_request(root, EVP_sha1(), &serial, 1, false);
    struct eseal_publisher_ocsp_meta meta;
    OCSP_BASICRESP *bs = ocsp_answer(p, rq, now, der, &meta);
    assert_int_equal(meta.presigned, presigned);
    assert_true(meta.next_update > now);
    *this_update = meta.this_update;
    int status = ocsp_find(bs, root, EVP_sha1(), serial, reason, this_update);
    assert_int_equal(OCSP_resp_count(bs), 1);
    OCSP_BASICRESP_free(bs);
    OCSP_REQUEST_free(rq);
    return status;
}

/* append_revocation logs that seal 35010200000001 (serial 1A) was revoked
 * for keyCompromise. */
static void append_revocation(void)
{
    char *logdir = eseal_path_join(fx_tmp, "log");
    struct eseal_log *log;
    struct eseal_err err;
    assert_int_equal(eseal_log_open(&log, logdir, eseal_ca_log_signer(fx_ca), &err), ESEAL_OK);
    json_t *ev = event("seal.revoked", "35010200000001", "revoked", "keyCompromise", "1A");
    assert_int_equal(eseal_log_append(log, ev, NULL, &err), ESEAL_OK);
    json_decref(ev);
    assert_int_equal(eseal_log_sync(log, &err), ESEAL_OK);
    eseal_log_close(log);
    free(logdir);
}

/* test_ocsp_presigned runs on the state test_crl_ocsp left: responses
 * signed at NOW + 1800, validity 3600. */
static void test_ocsp_presigned(void **state)
{
    (void)state;
    struct eseal_publisher *p = open_pub(16, ESEAL_OK);
    X509 *root = eseal_ca_cert(fx_ca, ESEAL_CA_ROOT);
    struct eseal_buf a, b;
    eseal_buf_init(&a);
    eseal_buf_init(&b);
    struct eseal_err err;
    int reason;
    int64_t tu;
    /* the stored response, byte for byte, for every such request: SM2
     * signatures are randomised, so equal bytes mean nothing was signed */
    assert_int_equal(ask_root(p, 0x1A, NOW + 1810, &a, true, &reason, &tu), V_OCSP_CERTSTATUS_GOOD);
    assert_int_equal(tu, NOW + 1800);
    assert_int_equal(ask_root(p, 0x1A, NOW + 1820, &b, true, &reason, &tu), V_OCSP_CERTSTATUS_GOOD);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_int_equal(ask_root(p, 0x3C, NOW + 1820, &b, true, &reason, &tu),
                     V_OCSP_CERTSTATUS_REVOKED);
    assert_int_equal(reason, 6);
    /* outside the profile: signed for the request, and still right */
    assert_int_equal(ask_root(p, 0x99, NOW + 1820, &b, false, &reason, &tu),
                     V_OCSP_CERTSTATUS_UNKNOWN);
    assert_int_equal(tu, NOW + 1820);
    static const struct {
        const EVP_MD *(*md)(void);
        bool nonce;
        int n;
    } other[] = {{EVP_sha1, true, 1}, {EVP_sha1, false, 2}, {EVP_sha256, false, 1}};
    const long serials[] = {0x1A, 0x2B};
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        OCSP_REQUEST *rq = ocsp_request(root, other[i].md(), serials, other[i].n, other[i].nonce);
        struct eseal_publisher_ocsp_meta meta;
        OCSP_BASICRESP *bs = ocsp_answer(p, rq, NOW + 1820, &b, &meta);
        assert_false(meta.presigned);
        assert_int_equal(OCSP_resp_count(bs), other[i].n);
        assert_int_equal(ocsp_find(bs, root, other[i].md(), 0x1A, &reason, NULL),
                         V_OCSP_CERTSTATUS_GOOD);
        if (other[i].n == 2) {
            assert_int_equal(ocsp_find(bs, root, other[i].md(), 0x2B, &reason, NULL),
                             V_OCSP_CERTSTATUS_REVOKED);
            assert_int_equal(reason, 1);
        }
        OCSP_BASICRESP_free(bs);
        OCSP_REQUEST_free(rq);
    }
    /* a status change re-signs it in the same step */
    append_revocation();
    size_t n;
    do
        assert_int_equal(eseal_publisher_step(p, NOW + 1830, &n, &err), ESEAL_OK);
    while (n > 0);
    assert_int_equal(ask_root(p, 0x1A, NOW + 1840, &b, true, &reason, &tu),
                     V_OCSP_CERTSTATUS_REVOKED);
    assert_int_equal(reason, 1);
    assert_int_equal(tu, NOW + 1830);
    /* past its nextUpdate it is not served; the refresh re-signs it at half
     * of its validity */
    assert_int_equal(ask_root(p, 0x1A, NOW + 1830 + 3600, &b, false, &reason, &tu),
                     V_OCSP_CERTSTATUS_REVOKED);
    assert_int_equal(eseal_publisher_refresh(p, NOW + 1830 + 1799, &n, &err), ESEAL_OK);
    assert_int_equal(ask_root(p, 0x1A, NOW + 1830 + 1799, &a, true, &reason, &tu),
                     V_OCSP_CERTSTATUS_REVOKED);
    assert_int_equal(tu, NOW + 1830);
    assert_int_equal(eseal_publisher_refresh(p, NOW + 1830 + 1800, &n, &err), ESEAL_OK);
    assert_true(n >= 1);
    assert_int_equal(ask_root(p, 0x1A, NOW + 1830 + 1800, &a, true, &reason, &tu),
                     V_OCSP_CERTSTATUS_REVOKED);
    assert_int_equal(tu, NOW + 1830 + 1800);
    assert_int_equal(reason, 1);
    eseal_buf_cleanup(&a);
    eseal_buf_cleanup(&b);
    eseal_publisher_close(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shard),          cmocka_unit_test(test_reason),
        cmocka_unit_test(test_crl_ocsp),       cmocka_unit_test(test_crl_catch_up),
        cmocka_unit_test(test_ocsp_presigned),
    };
    return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
