/* publisher.c — the publisher's state: configuration table, opening,
 * applying verified log entries to status records, signing and refreshing
 * responses, lookups, health, and the background follower thread. */
#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/ca.h"
#include "eseal/daemon.h"
#include "eseal/enc.h"
#include "eseal/httpc.h"
#include "eseal/json.h"
#include "eseal/pki.h"
#include "internal.h"

#define FIELD(f) offsetof(struct eseal_publisher_config, f)

const struct eseal_opt eseal_publisher_options[] = {
    ESEAL_DAEMON_OPTS_LISTEN(struct eseal_publisher_config, ESEAL_PUBLISHER_PORT),
    {"data", ESEAL_OPT_STRING, FIELD(data), ESEAL_PUBLISHER_DATA, 0, 1, 4096, NULL,
     "state directory: db/"},
    {"ca", ESEAL_OPT_STRING, FIELD(ca), ESEAL_PUBLISHER_CA, 0, 1, 4096, NULL,
     "platform CA directory (log.pub, the responder key)"},
    {"log", ESEAL_OPT_STRING, FIELD(log), ESEAL_PUBLISHER_LOG, 0, 1, 4096,
     eseal_opt_valid_dir_or_url, "the issuer's log: its directory or the issuer's base URL"},
    {"passphrase_file", ESEAL_OPT_STRING, FIELD(passphrase_file), NULL, 0, 1, 4096, NULL,
     "file holding the CA passphrase (default: $ESEAL_PASSPHRASE)"},
    {"validity", ESEAL_OPT_INT, FIELD(validity), NULL, ESEAL_PUBLISHER_VALIDITY, 60, 30 * 24 * 3600,
     NULL, "seconds from thisUpdate to nextUpdate of a signed response"},
    {"poll_ms", ESEAL_OPT_INT, FIELD(poll_ms), NULL, 200, 10, 60000, NULL,
     "milliseconds between polls of the log"},
    ESEAL_DAEMON_OPTS_HTTP(struct eseal_publisher_config),
    {"shards", ESEAL_OPT_INT, FIELD(shards), NULL, ESEAL_PUBLISHER_SHARDS, 1, 1024, NULL,
     "number of CRL shards (fixed when the state is created)"},
    {"issuer", ESEAL_OPT_STRING, FIELD(issuer), NULL, 0, 1, 4096, eseal_opt_valid_url,
     "the issuer's base URL, for seal names and pictures (default: --log if a URL, "
     "else " ESEAL_PUBLISHER_ISSUER ")"},
    {"ca_file", ESEAL_OPT_STRING, FIELD(ca_file), NULL, 0, 1, 4096, NULL,
     "PEM CA certificates for https:// log and issuer URLs (default: the system store)"},
    {"tsa", ESEAL_OPT_BOOL, FIELD(tsa), NULL, 1, 0, 0, NULL,
     "serve RFC 3161 time-stamps at POST /tsa with the CA's time-stamp key"},
    {"tsa_policy", ESEAL_OPT_STRING, FIELD(tsa_policy), ESEAL_PUBLISHER_TSA_POLICY, 0, 3, 200,
     pub_valid_oid, "the TSA policy OID written into every time-stamp"},
    {"tsa_accuracy_ms", ESEAL_OPT_INT, FIELD(tsa_accuracy_ms), NULL, 1000, 0, 60000, NULL,
     "the accuracy of genTime stated in time-stamps, in milliseconds (0: not stated)"},
    {"stale_after", ESEAL_OPT_INT, FIELD(stale_after), NULL, 600, 0, 30 * 24 * 3600, NULL,
     "seconds without a successful poll of the log before /healthz says stale (0: never)"},
};
const size_t eseal_publisher_n_options =
    sizeof(eseal_publisher_options) / sizeof(eseal_publisher_options[0]);

static const char *const cf_names[N_CFS] = {
    "default",  "versions",    "seals", "by_seal",     "by_picture", "by_serial",    "responses",
    "due",      "revoked",     "crls",  "lists",       "list_index", "list_changes", "seal_info",
    "pictures", "seal_wanted", "ocsp",  "log_entries", "log_nodes",
};

#define META_POSITION "position"
#define META_FOLLOWER "follower"
#define META_NOTE "note"
#define META_SKIPPED "skipped"
#define META_RESPONDER "responder" /* SM3 of the certificate the stored answers carry */
#define VKEY_MAX (ESEAL_STATUS_ESID_MAX + 10)
/* how many due responses one refresh batch re-signs */
#define REFRESH_BATCH 1000

/* ---- a rotated responder key (docs/operations.md "Rotation") ---------------------- */

/* responders_pem is the responder certificate, then the retired ones still
 * valid now: what a relying party may meet on an answer not yet expired. */
static char *responders_pem(struct eseal_ca *ca)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    char *pem = eseal_pki_cert_pem(eseal_ca_cert(ca, ESEAL_CA_RESPONDER));
    eseal_buf_append(&b, pem, strlen(pem));
    free(pem);
    STACK_OF(X509) *old = eseal_ca_retired(ca, ESEAL_CA_RESPONDER);
    for (int i = 0; i < sk_X509_num(old); i++) {
        X509 *x = sk_X509_value(old, i);
        if (X509_cmp_time(X509_get0_notAfter(x), NULL) <= 0)
            continue;
        pem = eseal_pki_cert_pem(x);
        eseal_buf_append(&b, pem, strlen(pem));
        free(pem);
    }
    eseal_buf_append(&b, "", 1);
    return (char *)eseal_buf_steal(&b, NULL);
}

/* due_now rewrites the leading 8-byte refresh time of every row of |cf| to 0
 * (due now) in |b|; for CF_RESPONSES it moves the CF_DUE row along. */
static eseal_rc due_now(struct eseal_publisher *p, struct eseal_kv_batch *b, unsigned cf, size_t *n,
                        struct eseal_err *err)
{
    static const uint8_t zero[8];
    struct eseal_kv_iter *it = eseal_kv_iter_new(p->kv, cf);
    struct eseal_buf v, due;
    eseal_buf_init(&v);
    eseal_buf_init(&due);
    for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t klen, vlen;
        const uint8_t *key = eseal_kv_iter_key(it, &klen), *val = eseal_kv_iter_value(it, &vlen);
        if (vlen < 8 || memcmp(val, zero, 8) == 0)
            continue;
        if (cf == CF_RESPONSES) {
            eseal_buf_reset(&due);
            eseal_buf_append(&due, val, 8);
            eseal_buf_append(&due, key, klen);
            eseal_kv_batch_delete(b, CF_DUE, due.data, due.len);
            memset(due.data, 0, 8);
            eseal_kv_batch_put(b, CF_DUE, due.data, due.len, "", 0);
        }
        eseal_buf_reset(&v);
        eseal_buf_append(&v, zero, 8);
        eseal_buf_append(&v, val + 8, vlen - 8);
        eseal_kv_batch_put(b, cf, key, klen, v.data, v.len);
        (*n)++;
    }
    eseal_rc rc = eseal_kv_iter_status(it, err);
    eseal_buf_cleanup(&v);
    eseal_buf_cleanup(&due);
    eseal_kv_iter_free(it);
    return rc;
}

/* resign_if_rotated: when the responder certificate is not the one the
 * stored answers were signed with (a rotation, or a store from before this
 * was recorded), every response, OCSP response, CRL and list becomes due, so
 * the first refresh after start re-signs them all with the new key. Until
 * then the old answers are served; they verify with the retired certificate
 * (/certs/responders.pem) until their nextUpdate. */
static eseal_rc resign_if_rotated(struct eseal_publisher *p, struct eseal_err *err)
{
    char *sm3 = eseal_pki_cert_sm3(eseal_ca_cert(p->ca, ESEAL_CA_RESPONDER));
    struct eseal_buf v;
    eseal_buf_init(&v);
    eseal_rc rc = eseal_kv_get(p->kv, CF_DEFAULT, META_RESPONDER, strlen(META_RESPONDER), &v, err);
    bool same = rc == ESEAL_OK && v.len == strlen(sm3) && memcmp(v.data, sm3, v.len) == 0;
    eseal_buf_cleanup(&v);
    if (rc != ESEAL_OK && rc != ESEAL_E_NOTFOUND) {
        free(sm3);
        return rc;
    }
    rc = ESEAL_OK;
    if (!same) {
        struct eseal_kv_batch *b = eseal_kv_batch_new(p->kv);
        static const unsigned cfs[] = {CF_RESPONSES, CF_CRLS, CF_LISTS};
        size_t n = 0;
        for (size_t i = 0; i < sizeof(cfs) / sizeof(cfs[0]) && rc == ESEAL_OK; i++)
            rc = due_now(p, b, cfs[i], &n, err);
        eseal_kv_batch_put(b, CF_DEFAULT, META_RESPONDER, strlen(META_RESPONDER), sm3, strlen(sm3));
        if (rc == ESEAL_OK)
            rc = eseal_kv_write(p->kv, b, true, err);
        eseal_kv_batch_free(b);
        if (rc == ESEAL_OK && n > 0)
            fprintf(stderr,
                    "eseal-publisherd: 状态签名证书已更换, 重新签名 %zu 项 / the responder "
                    "certificate changed: %zu signed answers are re-signed with the new key\n",
                    n, n);
    }
    free(sm3);
    return rc;
}

/* ---- small helpers ---------------------------------------------------------- */

static void be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

static uint64_t get_be64(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | in[i];
    return v;
}

void pub_be64(uint8_t out[8], uint64_t v)
{
    be64(out, v);
}

uint64_t pub_get_be64(const uint8_t in[8])
{
    return get_be64(in);
}

void pub_time_text(int64_t t, char out[32])
{
    eseal_json_time_format(out, 32, t, -1);
}

void pub_http_date(int64_t t, char out[40])
{
    time_t s = (time_t)t;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* norm_digest checks 64 hex digits and writes them in lower case. */
static bool norm_digest(const char *in, char out[2 * ESEAL_SM3_LEN + 1])
{
    if (in == NULL || strlen(in) != 2 * ESEAL_SM3_LEN)
        return false;
    for (size_t i = 0; i <= 2 * ESEAL_SM3_LEN; i++) {
        if (i < 2 * ESEAL_SM3_LEN && !isxdigit((unsigned char)in[i]))
            return false;
        out[i] = (char)tolower((unsigned char)in[i]);
    }
    return true;
}

/* norm_serial checks hex digits and writes them in upper case without
 * leading zeros ("0" for zero). */
static bool norm_serial(const char *in, char out[ESEAL_STATUS_SERIAL_MAX + 1])
{
    if (in == NULL || in[0] == '\0' || strlen(in) > 2 * ESEAL_STATUS_SERIAL_MAX)
        return false;
    for (const char *c = in; *c != '\0'; c++)
        if (!isxdigit((unsigned char)*c))
            return false;
    while (in[0] == '0' && in[1] != '\0')
        in++;
    if (strlen(in) > ESEAL_STATUS_SERIAL_MAX)
        return false;
    size_t i = 0;
    for (; in[i] != '\0'; i++)
        out[i] = (char)toupper((unsigned char)in[i]);
    out[i] = '\0';
    return true;
}

static bool valid_esid(const char *s)
{
    if (s == NULL || strlen(s) != 14)
        return false;
    for (const char *c = s; *c != '\0'; c++)
        if (!isdigit((unsigned char)*c))
            return false;
    return true;
}

static char *canonical(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    if (s == NULL)
        abort(); /* only out of memory */
    return s;
}

eseal_rc pub_get_json(struct eseal_kv *kv, unsigned cf, const char *key, json_t **out,
                      struct eseal_err *err)
{
    struct eseal_buf v;
    eseal_buf_init(&v);
    eseal_rc rc = eseal_kv_get(kv, cf, key, strlen(key), &v, err);
    if (rc == ESEAL_OK) {
        *out = eseal_json_load(v.data, v.len);
        if (*out == NULL)
            rc = eseal_err_set(err, ESEAL_E_INTERNAL, "stored record %s does not parse", key);
    }
    eseal_buf_cleanup(&v);
    return rc;
}

static eseal_rc get_text(struct eseal_kv *kv, unsigned cf, const char *key, char *out, size_t cap,
                         struct eseal_err *err)
{
    struct eseal_buf v;
    eseal_buf_init(&v);
    eseal_rc rc = eseal_kv_get(kv, cf, key, strlen(key), &v, err);
    if (rc == ESEAL_OK && v.len >= cap)
        rc = eseal_err_set(err, ESEAL_E_INTERNAL, "stored value of %s too long", key);
    if (rc == ESEAL_OK) {
        memcpy(out, v.data, v.len);
        out[v.len] = '\0';
    }
    eseal_buf_cleanup(&v);
    return rc;
}

static void set_error(struct eseal_publisher *p, const struct eseal_err *e)
{
    pthread_mutex_lock(&p->mu);
    p->failed = true;
    snprintf(p->last_error, sizeof(p->last_error), "%s",
             e->msg[0] != '\0' ? e->msg : eseal_rc_describe(e->rc));
    pthread_mutex_unlock(&p->mu);
}

/* ---- opening and closing ------------------------------------------------------ */

static char *dup_or_null(const char *s)
{
    return s != NULL ? eseal_xstrdup(s) : NULL;
}

static bool is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

static void trim_slashes(char *url)
{
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        url[--n] = '\0';
}

eseal_rc eseal_publisher_open(struct eseal_publisher **out,
                              const struct eseal_publisher_config *cfg, struct eseal_ca *ca,
                              struct eseal_err *err)
{
    *out = NULL;
    struct eseal_publisher *p = eseal_xcalloc(1, sizeof(*p));
    p->cfg = *cfg;
    p->cfg.address = dup_or_null(cfg->address);
    p->cfg.data = dup_or_null(cfg->data);
    p->cfg.ca = dup_or_null(cfg->ca);
    p->cfg.log = dup_or_null(cfg->log);
    p->cfg.passphrase_file = dup_or_null(cfg->passphrase_file);
    p->cfg.issuer = dup_or_null(cfg->issuer);
    p->cfg.tsa_policy = dup_or_null(cfg->tsa_policy);
    if (p->cfg.validity < 60)
        p->cfg.validity = ESEAL_PUBLISHER_VALIDITY;
    if (p->cfg.poll_ms <= 0)
        p->cfg.poll_ms = 200;
    p->ca = ca;
    pthread_mutex_init(&p->work, NULL);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cond, NULL);
    pthread_mutex_init(&p->fetch, NULL);
    p->fetch_retry = json_object();
    eseal_buf_init(&p->note);
    struct eseal_buf v;
    eseal_buf_init(&v);
    char *db = NULL, *pub = NULL;
    eseal_rc rc;
    if (p->cfg.data == NULL || p->cfg.log == NULL) {
        rc = eseal_err_set(err, ESEAL_E_INVALID, "the data directory and the log are required");
        goto fail;
    }
    p->root_pem = eseal_pki_cert_pem(eseal_ca_cert(ca, ESEAL_CA_ROOT));
    p->responder_pem = eseal_pki_cert_pem(eseal_ca_cert(ca, ESEAL_CA_RESPONDER));
    p->responders_pem = responders_pem(ca);
    pub = eseal_path_join(eseal_ca_dir(ca), "log.pub");
    if ((rc = eseal_log_key_load(&p->key, pub, err)) != ESEAL_OK)
        goto fail;
    db = eseal_path_join(p->cfg.data, "db");
    if ((rc = eseal_mkdirs(p->cfg.data, 0700, err)) != ESEAL_OK ||
        (rc = eseal_kv_open(&p->kv, db, cf_names, N_CFS, err)) != ESEAL_OK ||
        (rc = pub_crl_open(p, err)) != ESEAL_OK || (rc = pub_lists_open(p, err)) != ESEAL_OK ||
        (rc = pub_seals_open(p, err)) != ESEAL_OK || (rc = resign_if_rotated(p, err)) != ESEAL_OK)
        goto fail;
    if (p->cfg.issuer == NULL)
        p->cfg.issuer = eseal_xstrdup(is_url(p->cfg.log) ? p->cfg.log : ESEAL_PUBLISHER_ISSUER);
    trim_slashes(p->cfg.issuer);
    if (is_url(p->cfg.log)) {
        trim_slashes(p->cfg.log);
        rc = eseal_log_follower_open_url(&p->f, p->cfg.log, &p->key, err);
    } else {
        rc = eseal_log_follower_open_dir(&p->f, p->cfg.log, &p->key, err);
    }
    if (rc != ESEAL_OK)
        goto fail;
    rc = eseal_kv_get(p->kv, CF_DEFAULT, META_FOLLOWER, strlen(META_FOLLOWER), &v, err);
    if (rc == ESEAL_OK) {
        if ((rc = eseal_log_follower_restore(p->f, (const char *)v.data, v.len, err)) != ESEAL_OK)
            goto fail;
        rc = eseal_kv_get(p->kv, CF_DEFAULT, META_POSITION, strlen(META_POSITION), &v, err);
        if (rc != ESEAL_OK || v.len != 8 || get_be64(v.data) != eseal_log_follower_position(p->f)) {
            rc = eseal_err_set(err, ESEAL_E_INTERNAL,
                               "the stored position does not match the follower state");
            goto fail;
        }
    } else if (rc != ESEAL_E_NOTFOUND) {
        goto fail;
    }
    if (eseal_kv_get(p->kv, CF_DEFAULT, META_SKIPPED, strlen(META_SKIPPED), &v, NULL) == ESEAL_OK &&
        v.len == 8)
        p->skipped = get_be64(v.data);
    if (eseal_kv_get(p->kv, CF_DEFAULT, META_NOTE, strlen(META_NOTE), &v, NULL) == ESEAL_OK)
        eseal_buf_append(&p->note, v.data, v.len);
    p->position = eseal_log_follower_position(p->f);
    p->verified = *eseal_log_follower_verified(p->f);
    if ((rc = pub_mirror_open(p, err)) != ESEAL_OK)
        goto fail;
    eseal_buf_cleanup(&v);
    free(db);
    free(pub);
    *out = p;
    return ESEAL_OK;
fail:
    eseal_buf_cleanup(&v);
    free(db);
    free(pub);
    eseal_publisher_close(p);
    return rc;
}

static void stop_thread(struct eseal_publisher *p)
{
    pthread_mutex_lock(&p->mu);
    bool started = p->started;
    p->stop = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
    if (started)
        pthread_join(p->thread, NULL);
    p->started = false;
}

void eseal_publisher_close(struct eseal_publisher *p)
{
    if (p == NULL)
        return;
    stop_thread(p);
    eseal_log_follower_free(p->f);
    eseal_kv_close(p->kv);
    free(p->root_pem);
    free(p->responder_pem);
    free(p->responders_pem);
    eseal_buf_cleanup(&p->note);
    pthread_mutex_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->fetch);
    json_decref(p->fetch_retry);
    eseal_config_cleanup(eseal_publisher_options, eseal_publisher_n_options, &p->cfg);
    free(p);
}

/* ---- applying entries ------------------------------------------------------------ */

static bool is_seal_type(const char *t)
{
    static const char *const types[] = {"seal.issued",   "seal.activated",  "seal.suspended",
                                        "seal.revoked",  "seal.renewed",    "seal.changed",
                                        "seal.reissued", "seal.reinstated", NULL};
    for (size_t i = 0; t != NULL && types[i] != NULL; i++)
        if (strcmp(types[i], t) == 0)
            return true;
    return false;
}

/* record_from_entry builds the status record of the seal version a seal.*
 * entry describes (docs/log-events.md), or NULL with a reason in |why| if
 * the entry lacks what a status needs. */
static json_t *record_from_entry(const json_t *e, char vkey[VKEY_MAX], char *why, size_t why_len)
{
    const json_t *d = json_object_get(e, "data");
    const char *esid = eseal_json_str(d, "esid"), *status = eseal_json_str(d, "status");
    const json_t *ver = json_object_get(d, "version");
    char seal[2 * ESEAL_SM3_LEN + 1], pic[2 * ESEAL_SM3_LEN + 1];
    char serial[ESEAL_STATUS_SERIAL_MAX + 1];
    int64_t t;
    enum eseal_status st;
    const char *reason = eseal_json_str(d, "reason");
    if (!valid_esid(esid) || eseal_json_str(e, "seal") == NULL ||
        strcmp(eseal_json_str(e, "seal"), esid) != 0) {
        snprintf(why, why_len, "data.esid is not the entry's 14-digit seal");
        return NULL;
    }
    if (!json_is_integer(ver) || json_integer_value(ver) < 1 ||
        json_integer_value(ver) > 99999999) {
        snprintf(why, why_len, "data.version is not 1..99999999");
        return NULL;
    }
    if (eseal_status_from_name(status, &st) != ESEAL_OK || st == ESEAL_STATUS_EXPIRED ||
        st == ESEAL_STATUS_UNKNOWN) {
        snprintf(why, why_len, "data.status is not pending, good, suspended or revoked");
        return NULL;
    }
    if (!norm_digest(eseal_json_str(d, "seal_sm3"), seal) ||
        !norm_digest(eseal_json_str(d, "picture_sm3"), pic) ||
        !norm_serial(eseal_json_str(d, "cert_serial"), serial)) {
        snprintf(why, why_len, "data.seal_sm3, picture_sm3 or cert_serial is malformed");
        return NULL;
    }
    if (!eseal_json_time(d, "valid_start", &t) || !eseal_json_time(d, "valid_end", &t) ||
        !eseal_json_time(e, "time", &t)) {
        snprintf(why, why_len, "a validity or the entry time is malformed");
        return NULL;
    }
    if (reason != NULL && (strlen(reason) == 0 || strlen(reason) > ESEAL_STATUS_REASON_MAX)) {
        snprintf(why, why_len, "data.reason is empty or too long");
        return NULL;
    }
    /* when the status began: the event's own time field, else the entry's */
    bool reinstated = strcmp(eseal_json_str(e, "type"), "seal.reinstated") == 0;
    const char *when_key = st == ESEAL_STATUS_REVOKED     ? "revoked_at"
                           : st == ESEAL_STATUS_SUSPENDED ? "suspended_at"
                           : reinstated                   ? "reinstated_at"
                           : st == ESEAL_STATUS_GOOD      ? "activated_at"
                                                          : NULL;
    const char *when = when_key != NULL ? eseal_json_str(d, when_key) : NULL;
    if (when == NULL || !eseal_json_time_parse(when, &t))
        when = eseal_json_str(e, "time");
    if (st == ESEAL_STATUS_REVOKED && reason == NULL)
        reason = "unspecified";
    if (st == ESEAL_STATUS_SUSPENDED && reason == NULL)
        reason = "certificateHold";
    if (st != ESEAL_STATUS_REVOKED && st != ESEAL_STATUS_SUSPENDED)
        reason = NULL;
    snprintf(vkey, VKEY_MAX, "%s/%08" PRId64, esid, (int64_t)json_integer_value(ver));
    json_t *r = json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:O}", "esid", esid, "version",
                          json_integer_value(ver), "status", status, "status_time", when,
                          "seal_sm3", seal, "picture_sm3", pic, "cert_serial", serial,
                          "valid_start", eseal_json_str(d, "valid_start"), "valid_end",
                          eseal_json_str(d, "valid_end"), "seq", json_object_get(e, "seq"));
    json_object_set_new(r, "reason", reason != NULL ? json_string(reason) : json_null());
    /* a revocation after a loss report: the key counts as compromised since
     * the suspension (docs/log-events.md) */
    const char *invalid = eseal_json_str(d, "invalidity_date");
    if (st == ESEAL_STATUS_REVOKED && invalid != NULL) {
        if (!eseal_json_time_parse(invalid, &t)) {
            snprintf(why, why_len, "data.invalidity_date is malformed");
            json_decref(r);
            return NULL;
        }
        json_object_set_new(r, "invalidity_date", json_string(invalid));
    }
    const char *unit = eseal_json_str(d, "unit_name"), *kind = eseal_json_str(d, "kind");
    json_object_set_new(r, "unit_name", unit != NULL ? json_string(unit) : json_null());
    json_object_set_new(r, "kind", kind != NULL ? json_string(kind) : json_null());
    return r;
}

/* effective computes what a response signed at |now| says about |rec|. */
static eseal_rc info_from_record(struct eseal_publisher *p, const json_t *rec, int64_t now,
                                 struct eseal_status_info *info, int64_t *refresh_at,
                                 struct eseal_err *err)
{
    memset(info, 0, sizeof(*info));
    struct eseal_buf b;
    eseal_buf_init(&b);
    int64_t valid_end = 0;
    enum eseal_status st;
    if (eseal_status_from_name(eseal_json_str(rec, "status"), &st) != ESEAL_OK ||
        !eseal_json_time(rec, "valid_end", &valid_end) ||
        !eseal_json_time(rec, "status_time", &info->status_time) ||
        eseal_unhex(&b, eseal_json_str(rec, "seal_sm3"), 2 * ESEAL_SM3_LEN, NULL) != ESEAL_OK)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "a stored status record is malformed");
    memcpy(info->seal_sm3, b.data, ESEAL_SM3_LEN);
    if (eseal_unhex(&b, eseal_json_str(rec, "picture_sm3"), 2 * ESEAL_SM3_LEN, NULL) != ESEAL_OK) {
        eseal_buf_cleanup(&b);
        return eseal_err_set(err, ESEAL_E_INTERNAL, "a stored status record is malformed");
    }
    memcpy(info->picture_sm3, b.data, ESEAL_SM3_LEN);
    eseal_buf_cleanup(&b);
    snprintf(info->esid, sizeof(info->esid), "%s", eseal_json_str(rec, "esid"));
    info->version = json_integer_value(json_object_get(rec, "version"));
    snprintf(info->cert_serial, sizeof(info->cert_serial), "%s",
             eseal_json_str(rec, "cert_serial"));
    if (eseal_json_str(rec, "reason") != NULL)
        snprintf(info->reason, sizeof(info->reason), "%s", eseal_json_str(rec, "reason"));
    if (st == ESEAL_STATUS_REVOKED && json_object_get(rec, "invalidity_date") != NULL &&
        !eseal_json_time(rec, "invalidity_date", &info->invalidity_date))
        return eseal_err_set(err, ESEAL_E_INTERNAL, "a stored status record is malformed");
    info->this_update = now;
    info->next_update = now + p->cfg.validity;
    *refresh_at = now + p->cfg.validity / 2;
    if (st != ESEAL_STATUS_REVOKED && now >= valid_end) {
        /* past validEnd: expired, whatever else it was (never logged) */
        st = ESEAL_STATUS_EXPIRED;
        info->status_time = valid_end;
        info->reason[0] = '\0';
    } else if (st != ESEAL_STATUS_REVOKED) {
        /* a cache must not keep "good" past validEnd: re-sign then */
        if (valid_end < info->next_update)
            info->next_update = valid_end;
        if (valid_end < *refresh_at)
            *refresh_at = valid_end;
    }
    info->status = st;
    pthread_mutex_lock(&p->mu);
    info->checkpoint = p->verified;
    pthread_mutex_unlock(&p->mu);
    return ESEAL_OK;
}

/* presign_ocsp_into signs the OCSP response of |vkey| with the times of
 * |info| and adds it to |b|. */
static eseal_rc presign_ocsp_into(struct eseal_publisher *p, struct eseal_kv_batch *b,
                                  const char *vkey, const json_t *rec,
                                  const struct eseal_status_info *info, struct eseal_err *err)
{
    struct eseal_buf der, val;
    eseal_buf_init(&der);
    eseal_buf_init(&val);
    eseal_rc rc = pub_ocsp_presign(p, rec, info->this_update, info->next_update, &der, err);
    if (rc == ESEAL_OK) {
        uint8_t t[16];
        be64(t, (uint64_t)info->this_update);
        be64(t + 8, (uint64_t)info->next_update);
        eseal_buf_append(&val, t, sizeof(t));
        eseal_buf_append(&val, der.data, der.len);
        eseal_kv_batch_put(b, CF_OCSP, vkey, strlen(vkey), val.data, val.len);
    }
    eseal_buf_cleanup(&der);
    eseal_buf_cleanup(&val);
    return rc;
}

/* sign_into signs the status and OCSP responses of |vkey| as of |now| and
 * adds them (and their refresh row, replacing the old one) to |b|. */
static eseal_rc sign_into(struct eseal_publisher *p, struct eseal_kv_batch *b, const char *vkey,
                          const json_t *rec, int64_t now, struct eseal_err *err)
{
    struct eseal_status_info info;
    int64_t refresh_at = 0;
    eseal_rc rc = info_from_record(p, rec, now, &info, &refresh_at, err);
    if (rc != ESEAL_OK)
        return rc;
    struct eseal_buf der, old, val, due;
    eseal_buf_init(&der);
    eseal_buf_init(&old);
    eseal_buf_init(&val);
    eseal_buf_init(&due);
    size_t klen = strlen(vkey);
    if ((rc = pub_count_sign(
             p, PUB_SIGNED_STATUS,
             eseal_status_sign(&der, &info, eseal_ca_responder_signer, p->ca, err))) != ESEAL_OK ||
        (rc = presign_ocsp_into(p, b, vkey, rec, &info, err)) != ESEAL_OK)
        goto out;
    rc = eseal_kv_get(p->kv, CF_RESPONSES, vkey, klen, &old, err);
    if (rc == ESEAL_OK && old.len >= 8) {
        eseal_buf_append(&due, old.data, 8);
        eseal_buf_append(&due, vkey, klen);
        eseal_kv_batch_delete(b, CF_DUE, due.data, due.len);
    } else if (rc != ESEAL_E_NOTFOUND && rc != ESEAL_OK) {
        goto out;
    }
    uint8_t t[8];
    be64(t, (uint64_t)refresh_at);
    eseal_buf_append(&val, t, 8);
    eseal_buf_append(&val, der.data, der.len);
    eseal_kv_batch_put(b, CF_RESPONSES, vkey, klen, val.data, val.len);
    eseal_buf_reset(&due);
    eseal_buf_append(&due, t, 8);
    eseal_buf_append(&due, vkey, klen);
    eseal_kv_batch_put(b, CF_DUE, due.data, due.len, "", 0);
    rc = ESEAL_OK;
out:
    eseal_buf_cleanup(&der);
    eseal_buf_cleanup(&old);
    eseal_buf_cleanup(&val);
    eseal_buf_cleanup(&due);
    return rc;
}

/* latest_version returns the latest version number of |esid| known to
 * |pending| (this page) or the store, or 0. */
static json_int_t latest_version(struct eseal_publisher *p, json_t *pending, const char *esid)
{
    const char *vk = eseal_json_str(pending, esid);
    char stored[VKEY_MAX];
    if (vk == NULL && get_text(p->kv, CF_SEALS, esid, stored, sizeof(stored), NULL) == ESEAL_OK)
        vk = stored;
    const char *slash = vk != NULL ? strchr(vk, '/') : NULL;
    return slash != NULL ? strtoll(slash + 1, NULL, 10) : 0;
}

/* fetch_note gets the signed note of the verified checkpoint (for
 * GET /log/checkpoint); a newer note is left for a later step. */
static void fetch_note(struct eseal_publisher *p)
{
    struct eseal_buf note;
    eseal_buf_init(&note);
    struct eseal_log_checkpoint cp;
    eseal_rc rc;
    if (is_url(p->cfg.log)) {
        char *url = eseal_xasprintf("%s/log/checkpoint", p->cfg.log);
        unsigned status = 0;
        rc = eseal_httpc_get(url, NULL, &status, &note, NULL);
        if (rc == ESEAL_OK && status != 200)
            rc = ESEAL_E_UNAVAILABLE;
        free(url);
    } else {
        rc = eseal_log_dir_checkpoint(p->cfg.log, &note, NULL);
    }
    if (rc == ESEAL_OK &&
        eseal_log_checkpoint_verify(&cp, note.data, note.len, &p->key, NULL) == ESEAL_OK) {
        pthread_mutex_lock(&p->mu);
        bool same = cp.size == p->verified.size &&
                    memcmp(cp.root, p->verified.root, sizeof(cp.root)) == 0 &&
                    (p->note.len != note.len || memcmp(p->note.data, note.data, note.len) != 0);
        if (same) {
            eseal_buf_reset(&p->note);
            eseal_buf_append(&p->note, note.data, note.len);
        }
        pthread_mutex_unlock(&p->mu);
        if (same && eseal_kv_put(p->kv, CF_DEFAULT, META_NOTE, strlen(META_NOTE), note.data,
                                 note.len, false, NULL) != ESEAL_OK)
            fprintf(stderr, "eseal-publisherd: could not store the checkpoint note\n");
    }
    eseal_buf_cleanup(&note);
}

static eseal_rc step_locked(struct eseal_publisher *p, int64_t now, size_t *applied,
                            struct eseal_err *err)
{
    json_t *entries = NULL;
    eseal_rc rc = eseal_log_follower_next(p->f, &entries, err);
    if (rc != ESEAL_OK)
        return rc;
    size_t n = json_array_size(entries);
    if (n == 0) {
        json_decref(entries);
        pthread_mutex_lock(&p->mu);
        p->verified = *eseal_log_follower_verified(p->f);
        pthread_mutex_unlock(&p->mu);
        fetch_note(p);
        return pub_catchup_flush(p, now, err); /* caught up: what waited is issued */
    }
    json_t *touched = json_object(); /* version key -> record, this page */
    json_t *latest = json_object();  /* esID -> version key, this page */
    uint64_t skipped = p->skipped;
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        if (!is_seal_type(eseal_json_str(e, "type")))
            continue; /* other types, and types of later versions, are not ours */
        char vkey[VKEY_MAX], why[128];
        json_t *rec = record_from_entry(e, vkey, why, sizeof(why));
        if (rec == NULL) {
            skipped++;
            fprintf(stderr, "eseal-publisherd: entry %" PRId64 " (%s) skipped: %s\n",
                    (int64_t)json_integer_value(json_object_get(e, "seq")),
                    eseal_json_str(e, "type"), why);
            continue;
        }
        const char *esid = eseal_json_str(rec, "esid");
        if (json_integer_value(json_object_get(rec, "version")) >= latest_version(p, latest, esid))
            json_object_set_new(latest, esid, json_string(vkey));
        json_object_set_new(touched, vkey, rec);
    }
    pthread_mutex_lock(&p->mu);
    p->verified = *eseal_log_follower_verified(p->f);
    pthread_mutex_unlock(&p->mu);
    struct eseal_kv_batch *b = eseal_kv_batch_new(p->kv);
    const char *k;
    json_t *v;
    json_object_foreach(touched, k, v)
    {
        char *text = canonical(v);
        eseal_kv_batch_put(b, CF_VERSIONS, k, strlen(k), text, strlen(text));
        free(text);
        const char *seal = eseal_json_str(v, "seal_sm3"), *pic = eseal_json_str(v, "picture_sm3"),
                   *serial = eseal_json_str(v, "cert_serial");
        eseal_kv_batch_put(b, CF_BY_SEAL, seal, strlen(seal), k, strlen(k));
        eseal_kv_batch_put(b, CF_BY_PICTURE, pic, strlen(pic), k, strlen(k));
        eseal_kv_batch_put(b, CF_BY_SERIAL, serial, strlen(serial), k, strlen(k));
        if ((rc = sign_into(p, b, k, v, now, err)) != ESEAL_OK)
            goto out;
    }
    rc = pub_catchup_apply(p, b, touched, eseal_log_follower_behind(p->f), now, err);
    if (rc != ESEAL_OK)
        goto out;
    pub_seals_want(b, touched);
    json_object_foreach(latest, k, v)
    {
        const char *vk = json_string_value(v);
        eseal_kv_batch_put(b, CF_SEALS, k, strlen(k), vk, strlen(vk));
    }
    uint64_t next = eseal_log_follower_position(p->f);
    uint8_t pos[8], sk[8];
    be64(pos, next);
    be64(sk, skipped);
    char *state = eseal_log_follower_save(p->f);
    eseal_kv_batch_put(b, CF_DEFAULT, META_POSITION, strlen(META_POSITION), pos, 8);
    eseal_kv_batch_put(b, CF_DEFAULT, META_SKIPPED, strlen(META_SKIPPED), sk, 8);
    eseal_kv_batch_put(b, CF_DEFAULT, META_FOLLOWER, strlen(META_FOLLOWER), state, strlen(state));
    free(state);
    struct eseal_merkle_frontier mirror = p->mirror;
    if ((rc = pub_mirror_add(p, b, entries, &mirror, err)) != ESEAL_OK ||
        (rc = eseal_kv_write(p->kv, b, true, err)) != ESEAL_OK)
        goto out;
    p->mirror = mirror;
    pthread_mutex_lock(&p->mu);
    p->position = next;
    p->skipped = skipped;
    pthread_mutex_unlock(&p->mu);
    if (applied != NULL)
        *applied = n;
out:
    eseal_kv_batch_free(b);
    json_decref(touched);
    json_decref(latest);
    json_decref(entries);
    return rc;
}

/* rewind_follower puts the follower back to the committed state after a
 * page that could not be committed, so the page is taken again. */
static void rewind_follower(struct eseal_publisher *p)
{
    struct eseal_buf v;
    eseal_buf_init(&v);
    struct eseal_log_follower *f = NULL;
    eseal_rc rc = is_url(p->cfg.log) ? eseal_log_follower_open_url(&f, p->cfg.log, &p->key, NULL)
                                     : eseal_log_follower_open_dir(&f, p->cfg.log, &p->key, NULL);
    if (rc == ESEAL_OK &&
        eseal_kv_get(p->kv, CF_DEFAULT, META_FOLLOWER, strlen(META_FOLLOWER), &v, NULL) == ESEAL_OK)
        rc = eseal_log_follower_restore(f, (const char *)v.data, v.len, NULL);
    if (rc == ESEAL_OK) {
        eseal_log_follower_free(p->f);
        p->f = f;
    } else {
        eseal_log_follower_free(f);
    }
    eseal_buf_cleanup(&v);
}

eseal_rc eseal_publisher_step(struct eseal_publisher *p, int64_t now, size_t *applied,
                              struct eseal_err *err)
{
    if (applied != NULL)
        *applied = 0;
    struct eseal_err e;
    eseal_err_clear(&e);
    pthread_mutex_lock(&p->work);
    uint64_t before = eseal_log_follower_position(p->f);
    eseal_rc rc = step_locked(p, now, applied, &e);
    if (rc != ESEAL_OK && rc != ESEAL_E_CRYPTO && eseal_log_follower_position(p->f) != before)
        rewind_follower(p);
    pthread_mutex_unlock(&p->work);
    if (rc != ESEAL_OK) {
        set_error(p, &e);
    } else {
        pthread_mutex_lock(&p->mu);
        p->failed = false;
        p->last_error[0] = '\0';
        p->last_success = (int64_t)time(NULL);
        pthread_mutex_unlock(&p->mu);
    }
    if (err != NULL)
        *err = e;
    return rc;
}

eseal_rc eseal_publisher_refresh(struct eseal_publisher *p, int64_t now, size_t *resigned,
                                 struct eseal_err *err)
{
    size_t total = 0;
    eseal_rc rc = ESEAL_OK;
    pthread_mutex_lock(&p->work);
    for (;;) {
        struct eseal_kv_iter *it = eseal_kv_iter_new(p->kv, CF_DUE);
        struct eseal_kv_batch *b = eseal_kv_batch_new(p->kv);
        size_t n = 0;
        for (eseal_kv_iter_seek_first(it);
             rc == ESEAL_OK && eseal_kv_iter_valid(it) && n < REFRESH_BATCH;
             eseal_kv_iter_next(it)) {
            size_t klen;
            const uint8_t *key = eseal_kv_iter_key(it, &klen);
            if (klen <= 8 || klen - 8 >= VKEY_MAX || get_be64(key) > (uint64_t)now)
                break;
            char vkey[VKEY_MAX];
            memcpy(vkey, key + 8, klen - 8);
            vkey[klen - 8] = '\0';
            json_t *rec = NULL;
            rc = pub_get_json(p->kv, CF_VERSIONS, vkey, &rec, err);
            if (rc == ESEAL_OK)
                rc = sign_into(p, b, vkey, rec, now, err);
            json_decref(rec);
            n++;
        }
        if (rc == ESEAL_OK)
            rc = eseal_kv_iter_status(it, err);
        if (rc == ESEAL_OK && n > 0)
            rc = eseal_kv_write(p->kv, b, false, err);
        eseal_kv_batch_free(b);
        eseal_kv_iter_free(it);
        total += n;
        if (rc != ESEAL_OK || n < REFRESH_BATCH)
            break;
    }
    /* CRLs are refreshed here too but not counted in *resigned */
    size_t crls = 0;
    if (rc == ESEAL_OK) /* a list issued with waiting changes left out would break deltas */
        rc = pub_catchup_flush(p, now, err);
    if (rc == ESEAL_OK)
        rc = pub_crl_refresh(p, now, &crls, err);
    if (rc == ESEAL_OK)
        rc = pub_lists_refresh(p, now, &crls, err);
    pthread_mutex_unlock(&p->work);
    if (resigned != NULL)
        *resigned = total;
    return rc;
}

/* ---- the background thread ------------------------------------------------------------ */

static void report(struct eseal_publisher *p)
{
    pthread_mutex_lock(&p->mu);
    if (strcmp(p->last_error, p->printed_error) != 0) {
        if (p->last_error[0] != '\0')
            fprintf(stderr,
                    "eseal-publisherd: following the log stopped at entry %" PRIu64 ": %s\n",
                    p->position, p->last_error);
        else
            fprintf(stderr, "eseal-publisherd: following the log again at entry %" PRIu64 "\n",
                    p->position);
        snprintf(p->printed_error, sizeof(p->printed_error), "%s", p->last_error);
    }
    pthread_mutex_unlock(&p->mu);
}

static bool stopping(struct eseal_publisher *p)
{
    pthread_mutex_lock(&p->mu);
    bool stop = p->stop;
    pthread_mutex_unlock(&p->mu);
    return stop;
}

static void *follow_main(void *arg)
{
    struct eseal_publisher *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        pthread_mutex_unlock(&p->mu);
        size_t n = 0;
        struct eseal_err e;
        eseal_err_clear(&e);
        do {
            if (eseal_publisher_step(p, (int64_t)time(NULL), &n, &e) != ESEAL_OK)
                break;
        } while (n > 0 && !stopping(p));
        report(p);
        if (eseal_publisher_refresh(p, (int64_t)time(NULL), NULL, &e) != ESEAL_OK)
            fprintf(stderr, "eseal-publisherd: refreshing responses: %s\n", e.msg);
        /* display data last: statuses are committed and fresh before it */
        if (!stopping(p) &&
            eseal_publisher_fetch_seals(p, (int64_t)time(NULL), NULL, &e) != ESEAL_OK)
            fprintf(stderr, "eseal-publisherd: storing fetched seals: %s\n", e.msg);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long long ns = until.tv_nsec + (p->cfg.poll_ms % 1000) * 1000000LL;
        until.tv_sec += (time_t)(p->cfg.poll_ms / 1000 + ns / 1000000000LL);
        until.tv_nsec = (long)(ns % 1000000000LL);
        pthread_mutex_lock(&p->mu);
        if (!p->stop)
            pthread_cond_timedwait(&p->cond, &p->mu, &until);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

eseal_rc eseal_publisher_start(struct eseal_publisher *p, struct eseal_err *err)
{
    pthread_mutex_lock(&p->mu);
    bool started = p->started;
    p->stop = false;
    pthread_mutex_unlock(&p->mu);
    if (started)
        return ESEAL_OK;
    if (pthread_create(&p->thread, NULL, follow_main, p) != 0)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "cannot start the follower thread");
    pthread_mutex_lock(&p->mu);
    p->started = true;
    pthread_mutex_unlock(&p->mu);
    return ESEAL_OK;
}

/* ---- reading ---------------------------------------------------------------------------- */

eseal_rc eseal_publisher_lookup(struct eseal_publisher *p, enum eseal_publisher_key by,
                                const char *key, json_t **record, struct eseal_buf *der,
                                struct eseal_err *err)
{
    *record = NULL;
    char norm[2 * ESEAL_SM3_LEN + 1], vkey[VKEY_MAX];
    unsigned cf;
    switch (by) {
    case ESEAL_PUBLISHER_BY_ESID:
        if (!valid_esid(key))
            return eseal_err_set(err, ESEAL_E_INVALID, "an esID is 14 digits");
        snprintf(norm, sizeof(norm), "%s", key);
        cf = CF_SEALS;
        break;
    case ESEAL_PUBLISHER_BY_SEAL:
    case ESEAL_PUBLISHER_BY_PICTURE:
        if (!norm_digest(key, norm))
            return eseal_err_set(err, ESEAL_E_INVALID, "an SM3 digest is 64 hex digits");
        cf = by == ESEAL_PUBLISHER_BY_SEAL ? CF_BY_SEAL : CF_BY_PICTURE;
        break;
    case ESEAL_PUBLISHER_BY_SERIAL:
        if (!norm_serial(key, norm))
            return eseal_err_set(err, ESEAL_E_INVALID, "a certificate serial is 1 to %d hex digits",
                                 ESEAL_STATUS_SERIAL_MAX);
        cf = CF_BY_SERIAL;
        break;
    default:
        return eseal_err_set(err, ESEAL_E_INVALID, "unknown lookup");
    }
    eseal_rc rc = get_text(p->kv, cf, norm, vkey, sizeof(vkey), err);
    if (rc == ESEAL_E_NOTFOUND)
        return eseal_err_set(err, rc, "no seal %s", norm);
    if (rc != ESEAL_OK)
        return rc;
    if ((rc = pub_get_json(p->kv, CF_VERSIONS, vkey, record, err)) != ESEAL_OK)
        return rc;
    if (der != NULL) {
        struct eseal_buf v;
        eseal_buf_init(&v);
        rc = eseal_kv_get(p->kv, CF_RESPONSES, vkey, strlen(vkey), &v, err);
        if (rc == ESEAL_OK && v.len <= 8)
            rc = eseal_err_set(err, ESEAL_E_INTERNAL, "stored response of %s is empty", vkey);
        if (rc == ESEAL_OK) {
            eseal_buf_reset(der);
            eseal_buf_append(der, v.data + 8, v.len - 8);
        }
        eseal_buf_cleanup(&v);
        if (rc != ESEAL_OK) {
            json_decref(*record);
            *record = NULL;
        }
    }
    return rc;
}

eseal_rc pub_ocsp_stored(struct eseal_publisher *p, const char *serial, struct eseal_buf *der,
                         int64_t *this_update, int64_t *next_update, struct eseal_err *err)
{
    char norm[ESEAL_STATUS_SERIAL_MAX + 1], vkey[VKEY_MAX];
    if (!norm_serial(serial, norm))
        return eseal_err_set(err, ESEAL_E_NOTFOUND, "no seal certificate %s", serial);
    eseal_rc rc = get_text(p->kv, CF_BY_SERIAL, norm, vkey, sizeof(vkey), err);
    if (rc == ESEAL_OK)
        rc = eseal_kv_get(p->kv, CF_OCSP, vkey, strlen(vkey), der, err);
    if (rc == ESEAL_OK && der->len <= 16)
        rc = eseal_err_set(err, ESEAL_E_INTERNAL, "stored OCSP response of %s is empty", vkey);
    if (rc != ESEAL_OK)
        return rc;
    *this_update = (int64_t)get_be64(der->data);
    *next_update = (int64_t)get_be64(der->data + 8);
    memmove(der->data, der->data + 16, der->len - 16);
    der->len -= 16;
    return ESEAL_OK;
}

uint64_t eseal_publisher_position(struct eseal_publisher *p)
{
    pthread_mutex_lock(&p->mu);
    uint64_t v = p->position;
    pthread_mutex_unlock(&p->mu);
    return v;
}

json_t *eseal_publisher_health(struct eseal_publisher *p)
{
    pthread_mutex_lock(&p->mu);
    char *root = eseal_base64(p->verified.root, sizeof(p->verified.root), ESEAL_B64_STD);
    char when[32];
    pub_time_text(p->last_success, when);
    json_t *j = json_pack("{s:b,s:I,s:{s:s,s:I,s:s},s:I,s:o,s:o,s:I}", "ok", !p->failed, "position",
                          (json_int_t)p->position, "checkpoint", "origin", p->verified.origin,
                          "size", (json_int_t)p->verified.size, "root", root, "lagEntries",
                          (json_int_t)(p->verified.size - p->position), "lastSuccess",
                          p->last_success > 0 ? json_string(when) : json_null(), "lastError",
                          p->last_error[0] != '\0' ? json_string(p->last_error) : json_null(),
                          "skipped", (json_int_t)p->skipped);
    pthread_mutex_unlock(&p->mu);
    free(root);
    return j;
}

eseal_rc pub_note(struct eseal_publisher *p, struct eseal_buf *out)
{
    pthread_mutex_lock(&p->mu);
    eseal_rc rc = p->note.len > 0 ? ESEAL_OK : ESEAL_E_UNAVAILABLE;
    eseal_buf_reset(out);
    eseal_buf_append(out, p->note.data, p->note.len);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

char *eseal_publisher_records(struct eseal_publisher *p)
{
    static const unsigned cfs[] = {CF_VERSIONS, CF_SEALS, CF_BY_SEAL, CF_BY_PICTURE, CF_BY_SERIAL};
    json_t *all = json_object();
    for (size_t i = 0; i < sizeof(cfs) / sizeof(cfs[0]); i++) {
        json_t *o = json_object();
        struct eseal_kv_iter *it = eseal_kv_iter_new(p->kv, cfs[i]);
        for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
            size_t kl, vl;
            const uint8_t *k = eseal_kv_iter_key(it, &kl), *v = eseal_kv_iter_value(it, &vl);
            char *key = eseal_xstrndup((const char *)k, kl);
            json_t *val =
                cfs[i] == CF_VERSIONS ? eseal_json_load(v, vl) : json_stringn((const char *)v, vl);
            json_object_set_new(o, key, val != NULL ? val : json_null());
            free(key);
        }
        eseal_kv_iter_free(it);
        json_object_set_new(all, cf_names[cfs[i]], o);
    }
    pthread_mutex_lock(&p->mu);
    json_object_set_new(all, "position", json_integer((json_int_t)p->position));
    json_object_set_new(all, "skipped", json_integer((json_int_t)p->skipped));
    pthread_mutex_unlock(&p->mu);
    char *s = canonical(all);
    json_decref(all);
    return s;
}
