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
#include "eseal/merkle.h"
#include "eseal/pki.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "eseal/ts.h"
#include "internal.h"

/* A trust file holds a few root certificates; anything bigger is the wrong file. */
#define TRUST_FILE_MAX (1024 * 1024)

/* struct subject is what the checks need of one parsed seal signature or
 * seal: the certificates as X509 objects (ours to modify: the chain check
 * attaches the SM2 ID to them). */
struct subject {
    const struct eseal_seal_info *seal;
    const struct eseal_ses_info *ses; /* NULL when validating a seal alone */
    struct verify_cert mc, sc;        /* maker, signer (sc.x NULL for a seal alone) */
    X509 *maker;                      /* mc.x */
    X509 *signer;                     /* sc.x */
};

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

static void check_signature(struct eseal_report *r, const struct eseal_ses *ses, X509 *signer)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_ses_check_signature_key(ses, X509_get0_pubkey(signer), &err) == ESEAL_OK)
        verify_add(r, V_SIGNATURE_OK, NULL, NULL);
    else
        verify_add(r, V_SIGNATURE_BAD, NULL, err.msg);
}

/* cert_list_text describes the seal's certList for the report. */
static char *cert_list_text(const struct eseal_seal *seal, struct eseal_verify_cache *cache,
                            const struct subject *s)
{
    const struct eseal_seal_info *si = eseal_seal_info(seal);
    if (si->cert_list_type != 1)
        return eseal_xasprintf("%zu certificate digest(s) in certList", si->n_certs);
    struct eseal_buf b;
    eseal_buf_init(&b);
    for (size_t i = 0; i < si->n_certs; i++) {
        const uint8_t *der = NULL;
        size_t len = 0;
        struct verify_cert vc = {0};
        bool ok = eseal_seal_cert(seal, i, &der, &len) == ESEAL_OK;
        /* usually the signer's own certificate: named already */
        bool signer =
            ok && len == s->ses->signer_cert_len && memcmp(der, s->ses->signer_cert, len) == 0;
        if (ok && !signer)
            ok = verify_cert_get(cache, der, len, &vc);
        eseal_buf_appendf(&b, "%s%s", i > 0 ? "; " : "",
                          signer ? s->sc.name
                          : ok   ? vc.name
                                 : "(unreadable certificate)");
        verify_cert_release(&vc);
    }
    if (b.len == 0)
        eseal_buf_append_str(&b, "(empty certList)");
    return (char *)eseal_buf_steal(&b, NULL);
}

static void check_signer_in_seal(struct eseal_report *r, const struct subject *s,
                                 struct eseal_verify_cache *cache)
{
    const struct eseal_seal *seal = s->ses->seal;
    char *want = cert_list_text(seal, cache, s);
    char *fp = eseal_sm3_hex(s->ses->signer_cert, s->ses->signer_cert_len);
    char *got = eseal_xasprintf("%s (SM3 %s)", r->signer, fp);
    bool in = eseal_seal_has_cert(seal, s->ses->signer_cert, s->ses->signer_cert_len);
    verify_add(r, in ? V_SIGNER_IN_SEAL_OK : V_SIGNER_IN_SEAL_MISSING, want, got);
    free(want);
    free(fp);
    free(got);
}

static void check_seal_signature(struct eseal_report *r, const struct eseal_seal *seal,
                                 const struct verify_cert *maker, struct eseal_verify_cache *cache)
{
    const struct eseal_seal_info *si = eseal_seal_info(seal);
    uint8_t key[VERIFY_KEY_LEN];
    eseal_sha256(key, si->der, si->der_len);
    const char *who = maker->name;
    char *text = NULL;
    bool ok = false;
    if (!verify_cache_get(cache, VC_SEAL_SIGNATURE, key, &ok, &text)) {
        struct eseal_err err;
        eseal_err_clear(&err);
        ok = eseal_seal_check_maker(seal, &err) == ESEAL_OK;
        text = eseal_xstrdup(ok ? who : err.msg);
        verify_cache_put(cache, VC_SEAL_SIGNATURE, key, ok, text);
    }
    if (ok)
        verify_add(r, V_SEAL_SIGNATURE_OK, NULL, text);
    else
        verify_add(r, V_SEAL_SIGNATURE_BAD, who, text);
    free(text);
}

/* The chain check leaves dates to the validity check, judged at the best
 * signature time (X509_V_FLAG_NO_CHECK_TIME); a responder is judged now. */
bool verify_chain(STACK_OF(X509) * trust, X509 *cert, time_t at, char **what)
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
    if (at == 0)
        X509_STORE_set_flags(store, X509_V_FLAG_NO_CHECK_TIME);
    /* Every non-root certificate is SM2-signed with the standard ID; a
     * self-issued one is checked only as an anchor, if at all. */
    if (X509_check_issued(cert, cert) != X509_V_OK && X509_get0_distinguishing_id(cert) == NULL)
        eseal_x509_set_sm2_id(cert);
    if (X509_STORE_CTX_init(ctx, store, cert, NULL) != 1) {
        *what = eseal_xstrdup("cannot initialise the certificate store context");
        goto out;
    }
    if (at != 0)
        X509_STORE_CTX_set_time(ctx, 0, at);
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

/* chain_cached is verify_chain for the chain check, remembered in the
 * cache by the SM3 of the certificate's DER. */
static bool chain_cached(const struct eseal_verify_opts *o, const struct verify_cert *vc,
                         char **what)
{
    bool ok = false;
    if (verify_cache_get(o->cache, VC_CHAIN, vc->key, &ok, what))
        return ok;
    ok = verify_chain(o->trust, vc->x, 0, what);
    verify_cache_put(o->cache, VC_CHAIN, vc->key, ok, *what);
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
    const struct verify_cert *certs[2] = {&s->mc, &s->sc};
    static const char *const roles[2] = {"maker", "signer"};
    struct eseal_buf actual;
    eseal_buf_init(&actual);
    bool all = true;
    for (int i = 0; i < 2; i++) {
        if (certs[i]->x == NULL)
            continue;
        char *what = NULL;
        bool ok = chain_cached(o, certs[i], &what);
        eseal_buf_appendf(&actual, "%s%s %s: %s", actual.len > 0 ? "; " : "", roles[i],
                          certs[i]->name, what);
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
    eseal_buf_appendf(&got, "%s %s", s->ses != NULL ? "best signature time" : "validation time",
                      ts);
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
        v = s->ses != NULL ? V_VALIDITY_SEAL_NO_POE : V_VALIDITY_SEAL_EXPIRED;
    else if (cert && t > cert_end)
        v = V_VALIDITY_CERT_NO_POE;
    verify_add(r, v, (const char *)want.data, (const char *)got.data);
    eseal_buf_cleanup(&want);
    eseal_buf_cleanup(&got);
}

/* status_window describes an answer's status and times for the report. */
static char *status_text(const struct eseal_status_info *i)
{
    char *st = verify_time_iso((time_t)i->status_time);
    char *tu = verify_time_iso((time_t)i->this_update);
    char *nu = verify_time_iso((time_t)i->next_update);
    char *inv = i->invalidity_date != 0 ? verify_time_iso((time_t)i->invalidity_date) : NULL;
    char *t =
        eseal_xasprintf("%s%s%s since %s%s%s (esID %s version %lld); thisUpdate %s, nextUpdate %s",
                        eseal_status_name(i->status), i->reason[0] != '\0' ? " " : "", i->reason,
                        st, inv != NULL ? ", key compromised since " : "", inv != NULL ? inv : "",
                        i->esid, (long long)i->version, tu, nu);
    free(inv);
    free(st);
    free(tu);
    free(nu);
    return t;
}

/* Clocks differ: a thisUpdate this far in the future is still believed. */
#define STATUS_CLOCK_SKEW 300

/* judge_status turns a found answer into the status check: stale answers
 * are TRY_LATER; a revocation or suspension after the validation time
 * leaves the seal good at that time; before it, without proof of when the
 * signature existed, REVOKED_NO_POE — unless the signer's own claimed time
 * is after the revocation, which fails. A revocation with an invalidity
 * date (a loss report's suspension time) counts from that date: the key
 * was out of the holder's hands since then. A seal or picture checked
 * |alone| has no signature to place in time: revoked or expired is
 * simply so. */
static void judge_found(struct eseal_report *r, const struct eseal_status_answer *a, time_t claimed,
                        bool alone, const struct eseal_verify_opts *o)
{
    const struct eseal_status_info *i = &a->info;
    r->status_this_update = (time_t)i->this_update;
    r->status_next_update = (time_t)i->next_update;
    r->status = eseal_status_name(i->status);
    time_t now = o->now != 0 ? o->now : time(NULL);
    char *got = status_text(i);
    bool compromised = i->status == ESEAL_STATUS_REVOKED && i->invalidity_date != 0 &&
                       i->invalidity_date < i->status_time;
    int64_t since = compromised ? i->invalidity_date : i->status_time;
    enum verify_outcome v;
    if (r->esid != NULL && r->esid[0] != '\0' && strcmp(r->esid, i->esid) != 0)
        v = V_STATUS_MISMATCH;
    else if (i->next_update < (int64_t)now || i->this_update > (int64_t)now + STATUS_CLOCK_SKEW)
        v = V_STATUS_STALE;
    else if (i->status == ESEAL_STATUS_GOOD)
        v = V_STATUS_GOOD;
    else if (i->status == ESEAL_STATUS_PENDING)
        v = V_STATUS_PENDING;
    else if (since > (int64_t)r->validation_time)
        v = V_STATUS_GOOD_THEN;
    else if (r->poe_time != 0 && since > (int64_t)r->poe_time)
        v = V_STATUS_BEFORE_REVOCATION; /* proof of existence (docs/verify.md) */
    else if (i->status == ESEAL_STATUS_SUSPENDED)
        v = V_STATUS_SUSPENDED;
    else if (i->status == ESEAL_STATUS_EXPIRED)
        v = alone ? V_SEAL_STATUS_EXPIRED : V_STATUS_EXPIRED;
    else if (alone)
        v = V_SEAL_STATUS_REVOKED;
    else if (r->poe_time != 0 && since < (int64_t)r->poe_time)
        v = V_STATUS_REVOKED_BEFORE_POE;
    /* in the same second (both have whole seconds) the order is unknown:
     * judged as without a time-stamp */
    else if (claimed != 0 && (int64_t)claimed > since)
        v = compromised ? V_STATUS_COMPROMISED_CLAIM : V_STATUS_REVOKED_CLAIM;
    else
        v = V_STATUS_REVOKED_NO_POE;
    char *want = NULL;
    if (v == V_STATUS_STALE) {
        char *n = verify_time_iso(now);
        want = eseal_xasprintf("thisUpdate <= %s <= nextUpdate", n);
        free(n);
    } else if (v == V_STATUS_MISMATCH) {
        want = eseal_xasprintf("a status of esID %s", r->esid);
    } else if (r->poe_time != 0) {
        char *pt = verify_time_iso(r->poe_time);
        want = eseal_xasprintf("good at the time proven by the time-stamp %s", pt);
        free(pt);
    } else {
        char *vt = verify_time_iso(r->validation_time);
        want = eseal_xasprintf("good at the validation time %s", vt);
        free(vt);
    }
    verify_add(r, v, want, got);
    free(want);
    free(got);
}

static void judge_status(struct eseal_report *r, const struct eseal_status_answer *a,
                         time_t claimed, bool alone, const struct eseal_verify_opts *o)
{
    free(r->status_source);
    r->status_source = eseal_xstrdup(a->source);
    if (a->kind == ESEAL_ANSWER_FOUND)
        judge_found(r, a, claimed, alone, o);
    else if (a->kind == ESEAL_ANSWER_UNKNOWN)
        verify_add(r, V_STATUS_UNKNOWN, "a status published for this seal",
                   "the publisher does not know this seal");
    else if (a->kind == ESEAL_ANSWER_NOT_COVERED)
        verify_add(r, V_STATUS_NOT_COVERED, "a status file that covers this seal", a->why);
    else
        verify_add(r, V_STATUS_UNAVAILABLE, "a signed, current status", a->why);
}

/* check_picture compares the seal's picture with the published digest. */
static void check_picture(struct eseal_report *r, const struct eseal_seal_info *si,
                          const struct eseal_status_answer *a)
{
    if (a == NULL || a->kind != ESEAL_ANSWER_FOUND) {
        verify_add(r, V_PICTURE_NO_STATUS, NULL, NULL);
        return;
    }
    if (!a->has_picture) {
        verify_add(r, V_PICTURE_NOT_PUBLISHED, NULL, a->source);
        return;
    }
    uint8_t d[ESEAL_SM3_LEN];
    eseal_sm3(d, si->picture, si->picture_len);
    char *want = eseal_hex(a->info.picture_sm3, ESEAL_SM3_LEN), *got = eseal_hex(d, ESEAL_SM3_LEN);
    verify_add(r,
               CRYPTO_memcmp(d, a->info.picture_sm3, ESEAL_SM3_LEN) == 0 ? V_PICTURE_OK
                                                                         : V_PICTURE_MISMATCH,
               want, got);
    free(want);
    free(got);
}

/* check_status asks the status source about the seal and judges the
 * answer; then the picture check. */
static void check_status(struct eseal_report *r, const struct subject *s,
                         const struct eseal_verify_opts *o)
{
    if (o->no_status || o->status == NULL) {
        verify_add(r, o->no_status ? V_STATUS_SKIPPED : V_STATUS_NO_SOURCE, NULL, NULL);
        check_picture(r, s->seal, NULL);
        return;
    }
    uint8_t sm3[ESEAL_SM3_LEN];
    eseal_sm3(sm3, s->seal->der, s->seal->der_len);
    struct eseal_status_answer a;
    eseal_status_source_seal(o->status, s->seal->esid, sm3, &a);
    judge_status(r, &a, s->ses != NULL ? s->ses->time_info : 0, s->ses == NULL, o);
    check_picture(r, s->seal, &a);
}

/* ---- time-stamps ------------------------------------------------------------ */

/* struct ts_check is a time-stamp's check: judged before the validity and
 * status checks (a good token's genTime is the best signature time) and
 * added to the report after them, so a broken token never names the
 * verdict in their place. */
struct ts_check {
    bool present;
    enum verify_outcome v;
    char *actual;
};

/* judge_token verifies |token| (from a timeStamp field; NULL when the field
 * held no readable token) over |over| against |trust|. Returns genTime
 * when it holds, else 0; |ok|, |bad| and |untrusted| are the outcomes to
 * report, *tsa and *serial (when not NULL) get the TSA and serial. */
static time_t judge_token(struct ts_check *t, const uint8_t *token, size_t len, const uint8_t *over,
                          size_t over_len, STACK_OF(X509) * trust,
                          const enum verify_outcome outcomes[3], char **tsa, char **serial)
{
    t->present = true;
    if (token == NULL) {
        t->v = outcomes[1];
        t->actual = eseal_xstrdup("timeStamp holds no DER token / 时间戳字段无法解析");
        return 0;
    }
    struct eseal_ts_info info;
    struct eseal_err err;
    eseal_err_clear(&err);
    eseal_rc rc = eseal_ts_verify(token, len, over, over_len, trust, &info, &err);
    if (rc == ESEAL_OK) {
        char *iso = verify_time_iso(info.gen_time), *bj = eseal_words_time(info.gen_time);
        t->v = outcomes[0];
        t->actual =
            eseal_xasprintf("genTime %s (%s), TSA %s, serial %s, policy %s, imprint %s", iso, bj,
                            info.tsa != NULL ? info.tsa : "?", info.serial, info.policy, info.hash);
        free(iso);
        free(bj);
        if (tsa != NULL)
            *tsa = eseal_xstrdup(info.tsa != NULL ? info.tsa : "");
        if (serial != NULL)
            *serial = eseal_xstrdup(info.serial);
    } else {
        t->v = rc == ESEAL_E_DENIED ? outcomes[2] : outcomes[1];
        t->actual = info.tsa != NULL ? eseal_xasprintf("%s (TSA %s)", err.msg, info.tsa)
                                     : eseal_xstrdup(err.msg);
    }
    time_t gen = rc == ESEAL_OK ? info.gen_time : 0;
    eseal_ts_info_cleanup(&info);
    return gen;
}

static const char ts_expected[] = "an RFC 3161 time-stamp over the signature value from a TSA "
                                  "that chains to the trust anchors";

/* ts_report adds the check |t| judged earlier, if there was a token. */
static void ts_report(struct eseal_report *r, struct ts_check *t)
{
    if (t->present)
        verify_add(r, t->v, ts_expected, t->actual);
    free(t->actual);
    t->actual = NULL;
}

/* check_timestamps judges the signature's time-stamp (GB/T 38540
 * SES_Signature.timeStamp) and the seal's own (v5): a valid one over the
 * signature value is proof of existence and becomes the best signature
 * time; the seal's proves only when the seal existed. */
static void check_timestamps(struct eseal_report *r, const struct subject *s,
                             const struct eseal_verify_opts *o, struct ts_check *sig_ts,
                             struct ts_check *seal_ts)
{
    static const enum verify_outcome sig_outcomes[3] = {V_TIMESTAMP_OK, V_TIMESTAMP_BAD,
                                                        V_TIMESTAMP_UNTRUSTED};
    static const enum verify_outcome seal_outcomes[3] = {V_SEAL_TIMESTAMP_OK, V_SEAL_TIMESTAMP_BAD,
                                                         V_SEAL_TIMESTAMP_UNTRUSTED};
    if (s->ses != NULL && s->ses->has_timestamp) {
        time_t gen =
            judge_token(sig_ts, s->ses->timestamp, s->ses->timestamp_len, s->ses->signature,
                        s->ses->signature_len, o->trust, sig_outcomes, &r->poe_tsa, &r->poe_serial);
        if (gen != 0) {
            r->poe_time = gen;
            if (gen < r->best_signature_time)
                r->best_signature_time = gen;
        }
    }
    if (s->seal->has_timestamp)
        (void)judge_token(seal_ts, s->seal->timestamp, s->seal->timestamp_len,
                          s->seal->signed_value, s->seal->signed_value_len, o->trust, seal_outcomes,
                          NULL, NULL);
}

/* ---- entry points ---------------------------------------------------------- */

void verify_start(struct eseal_report *r, const struct eseal_verify_opts *o)
{
    r->status_source = eseal_xstrdup(o->no_status        ? "none (--no-status)"
                                     : o->status == NULL ? "none (no status source configured)"
                                                         : "none (no answer)");
    r->validation_time = o->at != 0 ? o->at : time(NULL);
    /* Until a time-stamp proves an earlier time (check_timestamps), the best
     * signature time is the validation time (DESIGN.md §7). */
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
    verify_start(r, o);
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_ses *ses = NULL;
    struct subject s = {0};
    if (eseal_ses_parse(&ses, ses_der, ses_len, &err) != ESEAL_OK) {
        struct eseal_seal *seal = NULL; /* the wrong kind says so plainly */
        bool is_seal = eseal_seal_parse(&seal, ses_der, ses_len, NULL) == ESEAL_OK;
        eseal_seal_free(seal);
        verify_add(r, V_FORMAT_SES_BAD, "a DER SES_Signature (GB/T 38540)",
                   is_seal
                       ? "this is a seal (SESeal), not a seal signature / 这是印章数据，不是签章"
                   : verify_cms_is(ses_der, ses_len)
                       ? "this is an electronic signature (GB/T 35275 SignedData, Type=\"Sign\"), "
                         "not a seal signature / 这是电子签名数据，不是电子签章"
                       : err.msg);
        return;
    }
    s.ses = eseal_ses_info(ses);
    s.seal = eseal_seal_info(s.ses->seal);
    describe_seal(r, s.seal);
    r->claimed_time = s.ses->time_info;
    r->property_info = eseal_xstrdup(s.ses->property_info != NULL ? s.ses->property_info : "");
    bool certs_ok = verify_cert_get(o->cache, s.ses->signer_cert, s.ses->signer_cert_len, &s.sc);
    certs_ok =
        verify_cert_get(o->cache, s.seal->maker_cert, s.seal->maker_cert_len, &s.mc) && certs_ok;
    s.signer = s.sc.x;
    s.maker = s.mc.x;
    if (!certs_ok) {
        verify_add(r, V_FORMAT_SES_BAD, "a DER SES_Signature (GB/T 38540)",
                   s.signer == NULL ? "the signer certificate is not a valid X.509 certificate"
                                    : "the seal maker certificate is not a valid X.509 "
                                      "certificate");
        goto out;
    }
    r->signer = eseal_xstrdup(s.sc.name);
    char *fmt = eseal_xasprintf("SES_Signature v%d, SESeal v%d", s.ses->version, s.seal->version);
    verify_add(r, V_FORMAT_SES_OK, NULL, fmt);
    free(fmt);

    check_data_hash(r, &s, data_sm3);
    check_signature(r, ses, s.signer);
    check_signer_in_seal(r, &s, o->cache);
    check_seal_signature(r, s.ses->seal, &s.mc, o->cache);
    check_chain(r, &s, o);
    struct ts_check sig_ts = {0}, seal_ts = {0};
    check_timestamps(r, &s, o, &sig_ts, &seal_ts);
    check_validity(r, &s);
    check_status(r, &s, o);
    ts_report(r, &sig_ts);
    ts_report(r, &seal_ts);
out:
    verify_cert_release(&s.sc);
    verify_cert_release(&s.mc);
    eseal_ses_free(ses);
}

void eseal_verify_seal(struct eseal_report *r, const uint8_t *seal_der, size_t seal_len,
                       const struct eseal_verify_opts *o)
{
    static const struct eseal_verify_opts defaults;
    if (o == NULL)
        o = &defaults;
    verify_start(r, o);
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_seal *seal = NULL;
    struct subject s = {0};
    if (eseal_seal_parse(&seal, seal_der, seal_len, &err) != ESEAL_OK) {
        struct eseal_ses *ses = NULL;
        bool is_ses = eseal_ses_parse(&ses, seal_der, seal_len, NULL) == ESEAL_OK;
        eseal_ses_free(ses);
        verify_add(
            r, V_FORMAT_SEAL_BAD, "a DER SESeal (GB/T 38540, GM/T 0031)",
            is_ses ? "this is a seal signature (SES_Signature), not a seal / 这是签章数据，不是印章"
                   : err.msg);
        return;
    }
    s.seal = eseal_seal_info(seal);
    describe_seal(r, s.seal);
    r->seal_alone = true;
    if (!verify_cert_get(o->cache, s.seal->maker_cert, s.seal->maker_cert_len, &s.mc)) {
        verify_add(r, V_FORMAT_SEAL_BAD, "a DER SESeal (GB/T 38540, GM/T 0031)",
                   "the seal maker certificate is not a valid X.509 certificate");
        goto out;
    }
    char *fmt = eseal_xasprintf("SESeal v%d", s.seal->version);
    verify_add(r, V_FORMAT_SEAL_OK, NULL, fmt);
    free(fmt);

    s.maker = s.mc.x;
    check_seal_signature(r, seal, &s.mc, o->cache);
    check_chain(r, &s, o);
    struct ts_check no_ts = {0}, seal_ts = {0};
    check_timestamps(r, &s, o, &no_ts, &seal_ts);
    check_validity(r, &s);
    /* A seal on its own is a structural check unless a status source is
     * given (eseal seal verify has none; a batch has). */
    if (o->status != NULL)
        check_status(r, &s, o);
    ts_report(r, &seal_ts);
out:
    verify_cert_release(&s.mc);
    eseal_seal_free(seal);
}

void eseal_verify_picture(struct eseal_report *r, const uint8_t *picture, size_t len,
                          const struct eseal_verify_opts *o)
{
    static const struct eseal_verify_opts defaults;
    if (o == NULL)
        o = &defaults;
    verify_start(r, o);
    uint8_t sm3[ESEAL_SM3_LEN];
    eseal_sm3(sm3, picture, len);
    char *hex = eseal_hex(sm3, ESEAL_SM3_LEN);
    r->seal_alone = true;
    if (o->status == NULL) {
        verify_add(r, V_PICTURE_NOT_COVERED, hex, "no status source configured (--status-url)");
        free(hex);
        return;
    }
    struct eseal_status_answer a;
    eseal_status_source_picture(o->status, sm3, &a);
    free(r->status_source);
    r->status_source = eseal_xstrdup(a.source);
    if (a.kind == ESEAL_ANSWER_FOUND) {
        r->esid = eseal_xstrdup(a.info.esid);
        char *what =
            eseal_xasprintf("esID %s version %lld", a.info.esid, (long long)a.info.version);
        verify_add(r, V_PICTURE_REGISTERED, hex, what);
        free(what);
        judge_found(r, &a, 0, true, o);
    } else {
        verify_add(r,
                   a.kind == ESEAL_ANSWER_UNKNOWN       ? V_PICTURE_UNKNOWN
                   : a.kind == ESEAL_ANSWER_NOT_COVERED ? V_PICTURE_NOT_COVERED
                                                        : V_PICTURE_UNAVAILABLE,
                   hex, a.kind == ESEAL_ANSWER_UNKNOWN ? "no seal has this picture" : a.why);
    }
    free(hex);
}

/* ---- trust anchors ------------------------------------------------------- */

eseal_rc verify_pem_certs(STACK_OF(X509) * *out, const uint8_t *data, size_t len, const char *what,
                          struct eseal_err *err)
{
    static const char begin[] = "-----BEGIN CERTIFICATE-----";
    static const char end[] = "-----END CERTIFICATE-----";
    *out = NULL;
    STACK_OF(X509) *sk = sk_X509_new_null();
    if (sk == NULL)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "out of memory");
    /* Each PEM block is parsed on its own, so a broken one is an error that
     * names it instead of silently ending the list. */
    eseal_rc rc = ESEAL_OK;
    const char *p = (const char *)data, *stop = p + len;
    int n = 0;
    while (rc == ESEAL_OK && p < stop) {
        const char *s = memmem(p, (size_t)(stop - p), begin, sizeof(begin) - 1);
        if (s == NULL)
            break;
        const char *e = memmem(s, (size_t)(stop - s), end, sizeof(end) - 1);
        n++;
        if (e == NULL) {
            rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: certificate %d has no END line", what, n);
            break;
        }
        e += sizeof(end) - 1;
        X509 *x = NULL;
        rc = eseal_pki_cert_parse(&x, (const uint8_t *)s, (size_t)(e - s), err);
        if (rc != ESEAL_OK) {
            eseal_err_prefix(err, "%s: certificate %d", what, n);
            break;
        }
        if (sk_X509_push(sk, x) <= 0) {
            X509_free(x);
            rc = eseal_err_set(err, ESEAL_E_INTERNAL, "out of memory");
            break;
        }
        p = e;
    }
    if (rc == ESEAL_OK && sk_X509_num(sk) == 0)
        rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: no PEM certificate found", what);
    if (rc != ESEAL_OK) {
        sk_X509_pop_free(sk, X509_free);
        return rc;
    }
    *out = sk;
    return ESEAL_OK;
}

eseal_rc eseal_verify_load_trust(STACK_OF(X509) * *out, const char *path, struct eseal_err *err)
{
    *out = NULL;
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_file_read(&b, path, TRUST_FILE_MAX, err);
    if (rc == ESEAL_OK)
        rc = verify_pem_certs(out, b.data, b.len, path, err);
    eseal_buf_cleanup(&b);
    return rc;
}
