/* verify.c — the validation engine: the checks of DESIGN.md §7 over a seal
 * signature or a seal, each recorded in a report with its reason. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "eseal/buf.h"
#include "eseal/enc.h"
#include "eseal/pki.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "internal.h"

/* A trust file holds a few root certificates; anything bigger is the wrong file. */
#define TRUST_FILE_MAX (1024 * 1024)

/* struct subject is what the checks need of one parsed seal signature or
 * seal: the certificates as X509 objects (ours to modify: the chain check
 * attaches the SM2 ID to them). */
struct subject {
    const struct eseal_seal_info *seal;
    const struct eseal_ses_info *ses; /* NULL when validating a seal alone */
    X509 *maker;
    X509 *signer; /* NULL when validating a seal alone */
};

/* parse_cert decodes exactly one DER certificate. */
static X509 *parse_cert(const uint8_t *der, size_t len)
{
    if (der == NULL || len == 0 || len > ESEAL_PKI_MAX_INPUT)
        return NULL;
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x != NULL && p != der + len) {
        X509_free(x);
        x = NULL;
    }
    /* Leave no parse error behind for an unrelated later eseal_err_openssl. */
    ERR_clear_error();
    return x;
}

static time_t asn1_to_time_t(const ASN1_TIME *t)
{
    struct tm tm;
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return timegm(&tm);
}

static char *subject_of(X509 *x)
{
    return eseal_pki_name(X509_get_subject_name(x));
}

/* ---- the checks ---------------------------------------------------------- */

static void check_data_hash(struct eseal_report *r, const struct subject *s,
                            const uint8_t *data_sm3)
{
    char *want = eseal_hex(s->ses->data_hash, s->ses->data_hash_len);
    if (data_sm3 == NULL) {
        verify_add(r, V_DATA_HASH_NO_DOCUMENT, want, NULL);
        free(want);
        return;
    }
    char *got = eseal_hex(data_sm3, ESEAL_SM3_LEN);
    bool same = s->ses->data_hash_len == ESEAL_SM3_LEN &&
                CRYPTO_memcmp(s->ses->data_hash, data_sm3, ESEAL_SM3_LEN) == 0;
    verify_add(r, same ? V_DATA_HASH_OK : V_DATA_HASH_MISMATCH, want, got);
    free(want);
    free(got);
}

static void check_signature(struct eseal_report *r, const struct eseal_ses *ses)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_ses_check_signature(ses, &err) == ESEAL_OK)
        verify_add(r, V_SIGNATURE_OK, NULL, NULL);
    else
        verify_add(r, V_SIGNATURE_BAD, NULL, err.msg);
}

/* cert_list_text describes the seal's certList for the report. */
static char *cert_list_text(const struct eseal_seal *seal)
{
    const struct eseal_seal_info *si = eseal_seal_info(seal);
    if (si->cert_list_type != 1)
        return eseal_xasprintf("%zu certificate digest(s) in certList", si->n_certs);
    struct eseal_buf b;
    eseal_buf_init(&b);
    for (size_t i = 0; i < si->n_certs; i++) {
        const uint8_t *der = NULL;
        size_t len = 0;
        X509 *x = NULL;
        if (eseal_seal_cert(seal, i, &der, &len) == ESEAL_OK)
            x = parse_cert(der, len);
        char *name = x != NULL ? subject_of(x) : eseal_xstrdup("(unreadable certificate)");
        eseal_buf_appendf(&b, "%s%s", i > 0 ? "; " : "", name);
        free(name);
        X509_free(x);
    }
    if (b.len == 0)
        eseal_buf_append_str(&b, "(empty certList)");
    return (char *)eseal_buf_steal(&b, NULL);
}

static void check_signer_in_seal(struct eseal_report *r, const struct subject *s)
{
    const struct eseal_seal *seal = s->ses->seal;
    char *want = cert_list_text(seal);
    char *fp = eseal_sm3_hex(s->ses->signer_cert, s->ses->signer_cert_len);
    char *got = eseal_xasprintf("%s (SM3 %s)", r->signer, fp);
    bool in = eseal_seal_has_cert(seal, s->ses->signer_cert, s->ses->signer_cert_len);
    verify_add(r, in ? V_SIGNER_IN_SEAL_OK : V_SIGNER_IN_SEAL_MISSING, want, got);
    free(want);
    free(fp);
    free(got);
}

static void check_seal_signature(struct eseal_report *r, const struct eseal_seal *seal, X509 *maker)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    char *who = subject_of(maker);
    if (eseal_seal_check_maker(seal, &err) == ESEAL_OK)
        verify_add(r, V_SEAL_SIGNATURE_OK, NULL, who);
    else
        verify_add(r, V_SEAL_SIGNATURE_BAD, who, err.msg);
    free(who);
}

/* chain_one tries to build a chain from |cert| to one of |trust|. On success
 * *what names the anchor reached; on failure OpenSSL's reason. The validity
 * dates are judged by the validity check, at the best signature time, so
 * X509_V_FLAG_NO_CHECK_TIME keeps the chain check to names and signatures. */
static bool chain_one(STACK_OF(X509) * trust, X509 *cert, char **what)
{
    bool ok = false;
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (store == NULL || ctx == NULL) {
        *what = eseal_xstrdup("out of memory building the certificate store");
        goto out;
    }
    for (int i = 0; i < sk_X509_num(trust); i++)
        X509_STORE_add_cert(store, sk_X509_value(trust, i));
    X509_STORE_set_flags(store, X509_V_FLAG_NO_CHECK_TIME);
    /* Every non-root certificate is SM2-signed with the standard ID; a
     * self-issued one is checked only as an anchor, if at all. */
    if (X509_check_issued(cert, cert) != X509_V_OK)
        eseal_x509_set_sm2_id(cert);
    if (X509_STORE_CTX_init(ctx, store, cert, NULL) != 1) {
        *what = eseal_xstrdup("cannot initialise the certificate store context");
        goto out;
    }
    if (X509_verify_cert(ctx) == 1) {
        STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
        X509 *top = sk_X509_value(chain, sk_X509_num(chain) - 1);
        char *name = subject_of(top);
        *what = eseal_xasprintf("chains to %s", name);
        free(name);
        ok = true;
    } else {
        *what = eseal_xstrdup(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    }
out:
    /* X509_verify_cert may queue errors; they belong to no later call. */
    ERR_clear_error();
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return ok;
}

static char *anchors_text(STACK_OF(X509) * trust)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    for (int i = 0; i < sk_X509_num(trust); i++) {
        char *name = subject_of(sk_X509_value(trust, i));
        eseal_buf_appendf(&b, "%s%s", i > 0 ? "; " : "", name);
        free(name);
    }
    return (char *)eseal_buf_steal(&b, NULL);
}

static void check_chain(struct eseal_report *r, const struct subject *s,
                        const struct eseal_verify_opts *o)
{
    if (o->trust == NULL || sk_X509_num(o->trust) == 0) {
        verify_add(r, V_CHAIN_NO_TRUST, NULL, "no trust anchors (--trust)");
        return;
    }
    X509 *certs[2] = {s->maker, s->signer};
    static const char *const roles[2] = {"maker", "signer"};
    struct eseal_buf actual;
    eseal_buf_init(&actual);
    bool all = true;
    for (int i = 0; i < 2; i++) {
        if (certs[i] == NULL)
            continue;
        char *what = NULL;
        bool ok = chain_one(o->trust, certs[i], &what);
        char *name = subject_of(certs[i]);
        eseal_buf_appendf(&actual, "%s%s %s: %s", actual.len > 0 ? "; " : "", roles[i], name, what);
        free(name);
        free(what);
        all = all && ok;
    }
    char *want = anchors_text(o->trust);
    verify_add(r, all ? V_CHAIN_OK : V_CHAIN_BROKEN, want, (const char *)actual.data);
    free(want);
    eseal_buf_cleanup(&actual);
}

/* window_text writes "start/end" (an ISO 8601 interval) for a report value. */
static void window_text(struct eseal_buf *b, const char *what, time_t start, time_t end)
{
    char *a = verify_time_iso(start);
    char *z = verify_time_iso(end);
    eseal_buf_appendf(b, "%s%s %s/%s", b->len > 0 ? "; " : "", what, a, z);
    free(a);
    free(z);
}

/* check_validity judges the seal's validStart/validEnd and, for a signature,
 * the signer certificate's notBefore/notAfter against the best signature
 * time (the validation time: no time-stamp is verified) and the claimed
 * timeInfo. A claimed time outside the windows is the signer's own admission
 * of misuse, so it fails; being past the end at the validation time only
 * means there is no proof the signature was made in time. */
static void check_validity(struct eseal_report *r, const struct subject *s)
{
    time_t t = r->best_signature_time;
    time_t seal_start = s->seal->valid_start, seal_end = s->seal->valid_end;
    time_t cert_start = 0, cert_end = 0;
    struct eseal_buf want, got;
    eseal_buf_init(&want);
    eseal_buf_init(&got);
    window_text(&want, "seal", seal_start, seal_end);
    if (s->signer != NULL) {
        cert_start = asn1_to_time_t(X509_get0_notBefore(s->signer));
        cert_end = asn1_to_time_t(X509_get0_notAfter(s->signer));
        window_text(&want, "signer certificate", cert_start, cert_end);
    }
    char *ts = verify_time_iso(t);
    eseal_buf_appendf(&got, "best signature time %s", ts);
    free(ts);
    /* A v1 timeInfo that could not be read is 0: no claim to judge. */
    time_t claimed = s->ses != NULL ? s->ses->time_info : 0;
    bool claim = claimed != 0;
    if (claim) {
        char *cs = verify_time_iso(claimed);
        eseal_buf_appendf(&got, "; claimed time %s", cs);
        free(cs);
    }

    enum verify_outcome v = s->ses != NULL ? V_VALIDITY_OK : V_VALIDITY_SEAL_OK;
    bool cert = s->signer != NULL;
    if (t < seal_start)
        v = V_VALIDITY_SEAL_NOT_YET;
    else if (cert && t < cert_start)
        v = V_VALIDITY_CERT_NOT_YET;
    else if (claim && claimed > seal_end)
        v = V_VALIDITY_CLAIM_AFTER_SEAL;
    else if (claim && cert && claimed > cert_end)
        v = V_VALIDITY_CLAIM_AFTER_CERT;
    else if (claim && claimed < seal_start)
        v = V_VALIDITY_CLAIM_BEFORE_SEAL;
    else if (claim && cert && claimed < cert_start)
        v = V_VALIDITY_CLAIM_BEFORE_CERT;
    else if (t > seal_end)
        v = V_VALIDITY_SEAL_NO_POE;
    else if (cert && t > cert_end)
        v = V_VALIDITY_CERT_NO_POE;
    verify_add(r, v, (const char *)want.data, (const char *)got.data);
    eseal_buf_cleanup(&want);
    eseal_buf_cleanup(&got);
}

static void check_status(struct eseal_report *r, const struct eseal_verify_opts *o)
{
    if (o->no_status)
        verify_add(r, V_STATUS_SKIPPED, NULL, NULL);
    else
        verify_add(r, V_STATUS_NO_SOURCE, "a status response from a publisher or a status feed",
                   "no status source configured");
}

/* ---- entry points ---------------------------------------------------------- */

static void start(struct eseal_report *r, const struct eseal_verify_opts *o)
{
    r->validation_time = o->at != 0 ? o->at : time(NULL);
    /* Time-stamp tokens are not verified yet: the best signature time is the
     * validation time (DESIGN.md §7). */
    r->best_signature_time = r->validation_time;
}

static void describe_seal(struct eseal_report *r, const struct eseal_seal_info *si)
{
    r->esid = eseal_xstrdup(si->esid != NULL ? si->esid : "");
    r->seal_name = eseal_xstrdup(si->name != NULL ? si->name : "");
}

void eseal_verify_ses(struct eseal_report *r, const uint8_t *ses_der, size_t ses_len,
                      const uint8_t *data_sm3, const struct eseal_verify_opts *o)
{
    static const struct eseal_verify_opts defaults;
    if (o == NULL)
        o = &defaults;
    start(r, o);
    r->status_source =
        eseal_xstrdup(o->no_status ? "none (--no-status)" : "none (no status source configured)");
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_ses *ses = NULL;
    struct subject s = {0};
    if (eseal_ses_parse(&ses, ses_der, ses_len, &err) != ESEAL_OK) {
        verify_add(r, V_FORMAT_SES_BAD, "a DER SES_Signature (GB/T 38540)", err.msg);
        return;
    }
    s.ses = eseal_ses_info(ses);
    s.seal = eseal_seal_info(s.ses->seal);
    describe_seal(r, s.seal);
    r->claimed_time = s.ses->time_info;
    r->property_info = eseal_xstrdup(s.ses->property_info != NULL ? s.ses->property_info : "");
    s.signer = parse_cert(s.ses->signer_cert, s.ses->signer_cert_len);
    s.maker = parse_cert(s.seal->maker_cert, s.seal->maker_cert_len);
    if (s.signer == NULL || s.maker == NULL) {
        verify_add(r, V_FORMAT_SES_BAD, "a DER SES_Signature (GB/T 38540)",
                   s.signer == NULL ? "the signer certificate is not a valid X.509 certificate"
                                    : "the seal maker certificate is not a valid X.509 "
                                      "certificate");
        goto out;
    }
    r->signer = subject_of(s.signer);
    char *fmt = eseal_xasprintf("SES_Signature v%d, SESeal v%d", s.ses->version, s.seal->version);
    verify_add(r, V_FORMAT_SES_OK, NULL, fmt);
    free(fmt);

    check_data_hash(r, &s, data_sm3);
    check_signature(r, ses);
    check_signer_in_seal(r, &s);
    check_seal_signature(r, s.ses->seal, s.maker);
    check_chain(r, &s, o);
    check_validity(r, &s);
    check_status(r, o);
out:
    X509_free(s.signer);
    X509_free(s.maker);
    eseal_ses_free(ses);
}

void eseal_verify_seal(struct eseal_report *r, const uint8_t *seal_der, size_t seal_len,
                       const struct eseal_verify_opts *o)
{
    static const struct eseal_verify_opts defaults;
    if (o == NULL)
        o = &defaults;
    start(r, o);
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_seal *seal = NULL;
    struct subject s = {0};
    if (eseal_seal_parse(&seal, seal_der, seal_len, &err) != ESEAL_OK) {
        verify_add(r, V_FORMAT_SEAL_BAD, "a DER SESeal (GB/T 38540, GM/T 0031)", err.msg);
        return;
    }
    s.seal = eseal_seal_info(seal);
    describe_seal(r, s.seal);
    s.maker = parse_cert(s.seal->maker_cert, s.seal->maker_cert_len);
    if (s.maker == NULL) {
        verify_add(r, V_FORMAT_SEAL_BAD, "a DER SESeal (GB/T 38540, GM/T 0031)",
                   "the seal maker certificate is not a valid X.509 certificate");
        goto out;
    }
    char *fmt = eseal_xasprintf("SESeal v%d", s.seal->version);
    verify_add(r, V_FORMAT_SEAL_OK, NULL, fmt);
    free(fmt);

    check_seal_signature(r, seal, s.maker);
    check_chain(r, &s, o);
    check_validity(r, &s);
out:
    X509_free(s.maker);
    eseal_seal_free(seal);
}

/* ---- trust anchors ------------------------------------------------------- */

eseal_rc eseal_verify_load_trust(STACK_OF(X509) * *out, const char *path, struct eseal_err *err)
{
    static const char begin[] = "-----BEGIN CERTIFICATE-----";
    static const char end[] = "-----END CERTIFICATE-----";
    *out = NULL;
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_file_read(&b, path, TRUST_FILE_MAX, err);
    if (rc != ESEAL_OK) {
        eseal_buf_cleanup(&b);
        return rc;
    }
    STACK_OF(X509) *sk = sk_X509_new_null();
    if (sk == NULL) {
        eseal_buf_cleanup(&b);
        return eseal_err_set(err, ESEAL_E_INTERNAL, "out of memory");
    }
    /* Each PEM block is parsed on its own, so a broken one is an error that
     * names it instead of silently ending the list. */
    const char *p = (const char *)b.data, *stop = p + b.len;
    int n = 0;
    while (rc == ESEAL_OK && p < stop) {
        const char *s = memmem(p, (size_t)(stop - p), begin, sizeof(begin) - 1);
        if (s == NULL)
            break;
        const char *e = memmem(s, (size_t)(stop - s), end, sizeof(end) - 1);
        n++;
        if (e == NULL) {
            rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: certificate %d has no END line", path, n);
            break;
        }
        e += sizeof(end) - 1;
        X509 *x = NULL;
        rc = eseal_pki_cert_parse(&x, (const uint8_t *)s, (size_t)(e - s), err);
        if (rc != ESEAL_OK) {
            eseal_err_prefix(err, "%s: certificate %d", path, n);
            break;
        }
        if (sk_X509_push(sk, x) <= 0) {
            X509_free(x);
            rc = eseal_err_set(err, ESEAL_E_INTERNAL, "out of memory");
            break;
        }
        p = e;
    }
    eseal_buf_cleanup(&b);
    if (rc == ESEAL_OK && sk_X509_num(sk) == 0)
        rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: no PEM certificate found", path);
    if (rc != ESEAL_OK) {
        sk_X509_pop_free(sk, X509_free);
        return rc;
    }
    *out = sk;
    return ESEAL_OK;
}
