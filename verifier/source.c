/* source.c — status sources (verify.h): signed seal status from a publisher
 * over HTTP, or from a file saved from one. Every answer is authenticated
 * with the responder certificate, itself authenticated by the trust
 * anchors; anything that cannot be authenticated is "unavailable", never a
 * status. Freshness is the engine's to judge (verify.c). */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/x509v3.h>

#include "eseal/buf.h"
#include "eseal/enc.h"
#include "eseal/httpc.h"
#include "eseal/json.h"
#include "eseal/pki.h"
#include "internal.h"

/* Loopback or LAN publishers answer in milliseconds; a slow one must not
 * hold a relying party for long. */
#define FETCH_TIMEOUT_MS 5000
/* After a failure to get the responder certificate, wait before asking again. */
#define RESPONDER_RETRY_S 10
/* How long "the publisher does not know this seal" is believed. */
#define UNKNOWN_TTL_S 60
#define URL_MAX 512
#define RESPONDER_PEM_MAX (64 * 1024)

enum key_kind { KEY_SEAL, KEY_PICTURE };

struct cached {
    bool used;
    enum key_kind kind;
    uint8_t key[ESEAL_SM3_LEN];
    int64_t expires;
    struct eseal_status_answer a;
};

struct eseal_status_source {
    pthread_mutex_t mu;
    STACK_OF(X509) * trust;
    /* the responder certificates: the current one, and after a rotation
     * the retired ones whose answers may still be fresh (/certs/responders.pem) */
    STACK_OF(X509) * responders;
    /* online */
    char *url;
    char *responder_error; /* why the last attempt failed */
    int64_t responder_retry_at;
    int64_t responders_at; /* when |responders| was fetched */
    struct cached *cache;  /* ESEAL_VERIFY_STATUS_CACHE slots */
    /* offline */
    char *path;
    struct eseal_buf der;
    bool is_list;
    struct eseal_status_list list;
    struct eseal_status_info single;
};

static void answer_set(struct eseal_status_answer *a, enum eseal_status_answer_kind kind,
                       const char *source, const char *fmt, ...) ESEAL_PRINTF(4, 5);

static void answer_set(struct eseal_status_answer *a, enum eseal_status_answer_kind kind,
                       const char *source, const char *fmt, ...)
{
    memset(a, 0, sizeof(*a));
    a->kind = kind;
    snprintf(a->source, sizeof(a->source), "%s", source);
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(a->why, sizeof(a->why), fmt, ap);
        va_end(ap);
    }
}

/* responder_check makes sure |x| may sign status: it chains to the trust
 * anchors now and carries id-kp-OCSPSigning, as the CA's responder does. */
static eseal_rc responder_check(X509 *x, STACK_OF(X509) * trust, struct eseal_err *err)
{
    if (trust == NULL || sk_X509_num(trust) == 0)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "no trust anchors (--trust) to authenticate the status responder");
    if ((X509_get_extension_flags(x) & EXFLAG_XKUSAGE) == 0 ||
        (X509_get_extended_key_usage(x) & XKU_OCSP_SIGN) == 0)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "the responder certificate is not for signing status "
                             "(no id-kp-OCSPSigning)");
    char *what = NULL;
    bool ok = verify_chain(trust, x, time(NULL), &what);
    eseal_rc rc = ok ? ESEAL_OK
                     : eseal_err_set(err, ESEAL_E_CRYPTO,
                                     "the responder certificate does not chain to the trust "
                                     "anchors: %s",
                                     what);
    free(what);
    return rc;
}

/* responders_parse reads the responder certificates in |pem| (one, or a
 * bundle such as /certs/responders.pem) and keeps those responder_check
 * accepts; none accepted is the first one's failure. */
static eseal_rc responders_parse(STACK_OF(X509) * *out, const uint8_t *pem, size_t len,
                                 STACK_OF(X509) * trust, struct eseal_err *err)
{
    STACK_OF(X509) *all = NULL;
    eseal_rc rc = verify_pem_certs(&all, pem, len, "responder", err);
    if (rc != ESEAL_OK)
        return rc;
    STACK_OF(X509) *ok = sk_X509_new_null();
    eseal_rc first = ESEAL_OK;
    for (int i = 0; i < sk_X509_num(all); i++) {
        X509 *x = sk_X509_value(all, i);
        struct eseal_err e;
        eseal_err_clear(&e);
        rc = responder_check(x, trust, &e);
        if (rc == ESEAL_OK && X509_up_ref(x) == 1) {
            sk_X509_push(ok, x);
        } else if (first == ESEAL_OK) {
            first = rc;
            if (err != NULL)
                *err = e;
        }
    }
    sk_X509_pop_free(all, X509_free);
    if (sk_X509_num(ok) == 0) {
        sk_X509_free(ok);
        return first;
    }
    *out = ok;
    return ESEAL_OK;
}

/* verify_one checks one signed answer (a response or a list) with one
 * responder certificate. */
typedef eseal_rc (*verify_one)(void *out, const uint8_t *der, size_t len, X509 *responder,
                               struct eseal_err *err);

static eseal_rc single_one(void *out, const uint8_t *der, size_t len, X509 *responder,
                           struct eseal_err *err)
{
    return eseal_status_verify(out, der, len, responder, err);
}

static eseal_rc list_one(void *out, const uint8_t *der, size_t len, X509 *responder,
                         struct eseal_err *err)
{
    eseal_status_list_cleanup(out); /* from an attempt with another key */
    return eseal_status_list_verify(out, der, len, responder, err);
}

/* verify_any checks |der| with each responder certificate in turn. Only a
 * signature failure (ESEAL_E_CRYPTO) moves on to the next; the result is
 * the first key's failure when none verifies. */
static eseal_rc verify_any(verify_one one, void *out, const uint8_t *der, size_t len,
                           STACK_OF(X509) * responders, struct eseal_err *err)
{
    eseal_rc rc = ESEAL_E_CRYPTO;
    for (int i = 0; i < sk_X509_num(responders); i++) {
        struct eseal_err e;
        eseal_err_clear(&e);
        eseal_rc r = one(out, der, len, sk_X509_value(responders, i), &e);
        if (i == 0 || r != ESEAL_E_CRYPTO) {
            rc = r;
            if (err != NULL)
                *err = e;
        }
        if (r != ESEAL_E_CRYPTO)
            break;
    }
    return rc;
}

static eseal_rc verify_single(struct eseal_status_info *out, const uint8_t *der, size_t len,
                              STACK_OF(X509) * responders, struct eseal_err *err)
{
    return verify_any(single_one, out, der, len, responders, err);
}

static eseal_rc verify_list(struct eseal_status_list *out, const uint8_t *der, size_t len,
                            STACK_OF(X509) * responders, struct eseal_err *err)
{
    return verify_any(list_one, out, der, len, responders, err);
}

static struct eseal_status_source *source_new(STACK_OF(X509) * trust)
{
    struct eseal_status_source *s = eseal_xcalloc(1, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    s->trust = trust;
    eseal_buf_init(&s->der);
    return s;
}

void eseal_status_source_free(struct eseal_status_source *s)
{
    if (s == NULL)
        return;
    sk_X509_pop_free(s->responders, X509_free);
    free(s->responder_error);
    free(s->url);
    free(s->cache);
    free(s->path);
    eseal_buf_cleanup(&s->der);
    eseal_status_list_cleanup(&s->list);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* ---- online ------------------------------------------------------------------------ */

eseal_rc eseal_status_source_url(struct eseal_status_source **out, const char *url,
                                 STACK_OF(X509) * trust, struct eseal_err *err)
{
    *out = NULL;
    size_t n = url != NULL ? strlen(url) : 0;
    while (n > 0 && url[n - 1] == '/')
        n--;
    if (n == 0 || n > URL_MAX - 100 ||
        (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "状态地址无效 / status URL \"%s\": expected http(s)://host:port",
                             url != NULL ? url : "");
    if (trust == NULL || sk_X509_num(trust) == 0)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "缺少信任锚 / a status URL needs trust anchors (--trust, the "
                             "platform root) to authenticate the publisher's answers");
    struct eseal_status_source *s = source_new(trust);
    s->url = eseal_xasprintf("%.*s", (int)n, url);
    s->cache = eseal_xcalloc(ESEAL_VERIFY_STATUS_CACHE, sizeof(*s->cache));
    *out = s;
    return ESEAL_OK;
}

static eseal_rc fetch(const char *url, bool der, size_t max, unsigned *status,
                      struct eseal_buf *body, struct eseal_err *err)
{
    static const char *const accept[] = {"Accept: application/eseal-status"};
    struct eseal_httpc_request rq = {
        .url = url, .headers = der ? accept : NULL, .n_headers = der ? 1 : 0};
    struct eseal_httpc_opts ho = {.timeout_ms = FETCH_TIMEOUT_MS, .max_body = max};
    return eseal_httpc_request(&rq, &ho, status, body, err);
}

/* online_responders returns the responder certificates, fetching and
 * checking them the first time (s->mu held): /certs/responders.pem, or
 * /certs/responder.pem from a publisher older than rotations. NULL with
 * *why on failure. */
static STACK_OF(X509) * online_responders(struct eseal_status_source *s, char *why, size_t why_len)
{
    if (s->responders != NULL)
        return s->responders;
    int64_t now = (int64_t)time(NULL);
    if (now < s->responder_retry_at) {
        snprintf(why, why_len, "%s", s->responder_error != NULL ? s->responder_error : "");
        return NULL;
    }
    char url[URL_MAX];
    struct eseal_err e;
    eseal_err_clear(&e);
    struct eseal_buf pem;
    eseal_buf_init(&pem);
    unsigned status = 0;
    eseal_rc rc = ESEAL_OK;
    for (int i = 0; i < 2; i++) {
        snprintf(url, sizeof(url), "%s/certs/%s", s->url,
                 i == 0 ? "responders.pem" : "responder.pem");
        rc = fetch(url, false, RESPONDER_PEM_MAX, &status, &pem, &e);
        if (rc != ESEAL_OK || status != 404)
            break;
    }
    if (rc == ESEAL_OK && status != 200)
        rc = eseal_err_set(&e, ESEAL_E_UNAVAILABLE, "HTTP %u", status);
    if (rc == ESEAL_OK)
        rc = responders_parse(&s->responders, pem.data, pem.len, s->trust, &e);
    eseal_buf_cleanup(&pem);
    if (rc != ESEAL_OK) {
        free(s->responder_error);
        s->responder_error = eseal_xasprintf("%s: %s", url, e.msg);
        s->responder_retry_at = now + RESPONDER_RETRY_S;
        snprintf(why, why_len, "%s", s->responder_error);
    } else {
        s->responders_at = now;
    }
    return s->responders;
}

static struct cached *slot_of(struct eseal_status_source *s, enum key_kind kind,
                              const uint8_t key[ESEAL_SM3_LEN])
{
    uint32_t h = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
    return &s->cache[(h ^ (uint32_t)kind) % ESEAL_VERIFY_STATUS_CACHE];
}

/* online_ask fetches and authenticates the answer for |key| (s->mu not held). */
static eseal_rc online_ask(struct eseal_status_source *s, STACK_OF(X509) * responders,
                           enum key_kind kind, const uint8_t key[ESEAL_SM3_LEN],
                           struct eseal_status_answer *a)
{
    char *hex = eseal_hex(key, ESEAL_SM3_LEN);
    char url[URL_MAX];
    snprintf(url, sizeof(url), "%s/status/%s/%s", s->url,
             kind == KEY_SEAL ? "by-seal" : "by-picture", hex);
    free(hex);
    struct eseal_err e;
    eseal_err_clear(&e);
    struct eseal_buf body;
    eseal_buf_init(&body);
    unsigned status = 0;
    eseal_rc rc = ESEAL_OK;
    if (fetch(url, true, ESEAL_STATUS_DER_MAX, &status, &body, &e) != ESEAL_OK) {
        answer_set(a, ESEAL_ANSWER_UNAVAILABLE, url, "%s", e.msg);
    } else if (status == 404) {
        answer_set(a, ESEAL_ANSWER_UNKNOWN, url, NULL);
    } else if (status != 200) {
        answer_set(a, ESEAL_ANSWER_UNAVAILABLE, url, "the publisher answered HTTP %u", status);
    } else {
        answer_set(a, ESEAL_ANSWER_FOUND, url, NULL);
        const uint8_t *got = kind == KEY_SEAL ? a->info.seal_sm3 : a->info.picture_sm3;
        if ((rc = verify_single(&a->info, body.data, body.len, responders, &e)) != ESEAL_OK)
            answer_set(a, ESEAL_ANSWER_UNAVAILABLE, url, "%s", e.msg);
        else if (memcmp(got, key, ESEAL_SM3_LEN) != 0)
            answer_set(a, ESEAL_ANSWER_UNAVAILABLE, url,
                       "the signed answer is about another seal (esID %s)", a->info.esid);
        else
            a->has_picture = true;
    }
    eseal_buf_cleanup(&body);
    return rc;
}

static void online_get(struct eseal_status_source *s, enum key_kind kind,
                       const uint8_t key[ESEAL_SM3_LEN], struct eseal_status_answer *a)
{
    int64_t now = (int64_t)time(NULL);
    pthread_mutex_lock(&s->mu);
    struct cached *c = slot_of(s, kind, key);
    if (c->used && c->kind == kind && memcmp(c->key, key, ESEAL_SM3_LEN) == 0 && now < c->expires) {
        *a = c->a;
        pthread_mutex_unlock(&s->mu);
        return;
    }
    char why[sizeof(a->why)] = "";
    /* Two tries: an answer signed by a key this source has not seen (the
     * responder was rotated since the certificates were fetched) makes it
     * fetch them again, at most once per RESPONDER_RETRY_S. */
    for (int attempt = 0; attempt < 2; attempt++) {
        if (attempt == 1) {
            pthread_mutex_lock(&s->mu);
            if (s->responders_at + RESPONDER_RETRY_S > now) {
                pthread_mutex_unlock(&s->mu);
                break;
            }
            sk_X509_pop_free(s->responders, X509_free);
            s->responders = NULL;
        }
        STACK_OF(X509) *rs = online_responders(s, why, sizeof(why));
        STACK_OF(X509) *mine = rs != NULL ? X509_chain_up_ref(rs) : NULL;
        pthread_mutex_unlock(&s->mu);
        if (mine == NULL) {
            answer_set(a, ESEAL_ANSWER_UNAVAILABLE, s->url, "%s", why);
            return;
        }
        eseal_rc rc = online_ask(s, mine, kind, key, a);
        sk_X509_pop_free(mine, X509_free);
        if (rc != ESEAL_E_CRYPTO)
            break;
    }
    int64_t expires = a->kind == ESEAL_ANSWER_FOUND     ? a->info.next_update
                      : a->kind == ESEAL_ANSWER_UNKNOWN ? now + UNKNOWN_TTL_S
                                                        : 0;
    if (expires <= now)
        return;
    pthread_mutex_lock(&s->mu);
    c = slot_of(s, kind, key);
    *c = (struct cached){.used = true, .kind = kind, .expires = expires, .a = *a};
    memcpy(c->key, key, ESEAL_SM3_LEN);
    pthread_mutex_unlock(&s->mu);
}

/* ---- offline ------------------------------------------------------------------------ */

/* unwrap_json replaces the publisher's JSON status ({"der": base64, …}) in
 * |b| with the DER it carries; other content is left as it is. */
static eseal_rc unwrap_json(struct eseal_buf *b, struct eseal_err *err)
{
    if (b->len == 0 || b->data[0] != '{')
        return ESEAL_OK;
    json_t *j = eseal_json_load(b->data, b->len);
    const char *der = json_string_value(json_object_get(j, "der"));
    eseal_rc rc =
        der == NULL ? eseal_err_set(err, ESEAL_E_INVALID, "JSON without a \"der\" status response")
                    : eseal_unbase64(b, der, strlen(der), ESEAL_B64_STD, err);
    json_decref(j);
    return rc;
}

/* file_load reads, identifies and authenticates the status file. */
static eseal_rc file_load(struct eseal_status_source *s, struct eseal_err *err)
{
    eseal_rc rc = eseal_file_read(&s->der, s->path, ESEAL_STATUS_LIST_MAX, err);
    if (rc == ESEAL_OK)
        rc = unwrap_json(&s->der, err);
    if (rc != ESEAL_OK)
        return rc;
    /* Each is parsed and checked once: a status response (small), else a
     * list; "not this format" is ESEAL_E_INVALID or ESEAL_E_TOOBIG. */
    struct eseal_err probe;
    eseal_err_clear(&probe);
    rc = verify_single(&s->single, s->der.data, s->der.len, s->responders, &probe);
    if (rc == ESEAL_E_INVALID || rc == ESEAL_E_TOOBIG) {
        eseal_err_clear(&probe);
        rc = verify_list(&s->list, s->der.data, s->der.len, s->responders, &probe);
        s->is_list = rc != ESEAL_E_INVALID && rc != ESEAL_E_TOOBIG;
        if (!s->is_list)
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "neither a status list nor a status response / 不是状态文件");
    }
    if (rc != ESEAL_OK) {
        if (err != NULL)
            *err = probe;
        return rc;
    }
    if (s->is_list && s->list.delta)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "a delta list: save the full list (/lists/{shard}/full)");
    return ESEAL_OK;
}

eseal_rc eseal_status_source_file(struct eseal_status_source **out, const char *path,
                                  const char *responder, STACK_OF(X509) * trust,
                                  struct eseal_err *err)
{
    *out = NULL;
    if (responder == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "a status file needs the responder certificate (--responder, the "
                             "publisher's /certs/responder.pem)");
    struct eseal_status_source *s = source_new(trust);
    s->path = eseal_xstrdup(path);
    struct eseal_buf pem;
    eseal_buf_init(&pem);
    eseal_rc rc = eseal_file_read(&pem, responder, RESPONDER_PEM_MAX, err);
    if (rc == ESEAL_OK)
        rc = responders_parse(&s->responders, pem.data, pem.len, trust, err);
    if (rc != ESEAL_OK)
        eseal_err_prefix(err, "%s", responder);
    eseal_buf_cleanup(&pem);
    if (rc == ESEAL_OK && (rc = file_load(s, err)) != ESEAL_OK)
        eseal_err_prefix(err, "%s", path);
    if (rc != ESEAL_OK) {
        eseal_status_source_free(s);
        return rc;
    }
    *out = s;
    return ESEAL_OK;
}

/* list_answer fills |a| from entry |e| of the list |l|. */
static void list_answer(struct eseal_status_answer *a, const struct eseal_status_list *l,
                        const struct eseal_status_list_entry *e)
{
    struct eseal_status_info *i = &a->info;
    snprintf(i->esid, sizeof(i->esid), "%s", e->esid);
    i->version = e->version;
    memcpy(i->seal_sm3, e->seal_sm3, ESEAL_SM3_LEN);
    snprintf(i->cert_serial, sizeof(i->cert_serial), "%s", e->cert_serial);
    i->status = e->status;
    snprintf(i->reason, sizeof(i->reason), "%s", e->reason);
    i->status_time = e->status_time;
    i->this_update = l->this_update;
    i->next_update = l->next_update;
    i->checkpoint.size = l->checkpoint_size;
    memcpy(i->checkpoint.root, l->checkpoint_root, ESEAL_MERKLE_HASH_LEN);
}

static void file_get(struct eseal_status_source *s, enum key_kind kind, const char *esid,
                     const uint8_t key[ESEAL_SM3_LEN], struct eseal_status_answer *a)
{
    char src[sizeof(a->source)];
    if (!s->is_list) {
        snprintf(src, sizeof(src), "file %s (status response of %s)", s->path, s->single.esid);
        const uint8_t *got = kind == KEY_SEAL ? s->single.seal_sm3 : s->single.picture_sm3;
        if (memcmp(got, key, ESEAL_SM3_LEN) != 0) {
            answer_set(a, ESEAL_ANSWER_NOT_COVERED, src,
                       "the status file is about another seal (esID %s); fetch this one's: "
                       "eseal status fetch --esid %s --url URL -o FILE",
                       s->single.esid, esid != NULL && esid[0] != '\0' ? esid : "ESID");
            return;
        }
        answer_set(a, ESEAL_ANSWER_FOUND, src, NULL);
        a->info = s->single;
        a->has_picture = true;
        return;
    }
    const struct eseal_status_list *l = &s->list;
    snprintf(src, sizeof(src), "file %s (status list %llu of shard %u/%u)", s->path,
             (unsigned long long)l->number, l->shard, l->shard_count);
    if (kind == KEY_PICTURE) {
        answer_set(a, ESEAL_ANSWER_NOT_COVERED, src,
                   "status lists carry no picture digests: use a status URL");
        return;
    }
    for (size_t i = 0; i < l->n_entries; i++)
        if (memcmp(l->entries[i].seal_sm3, key, ESEAL_SM3_LEN) == 0) {
            answer_set(a, ESEAL_ANSWER_FOUND, src, NULL);
            list_answer(a, l, &l->entries[i]);
            return;
        }
    unsigned shard = eseal_status_shard(esid != NULL ? esid : "", l->shard_count);
    if (shard == l->shard)
        answer_set(a, ESEAL_ANSWER_UNKNOWN, src, NULL);
    else
        answer_set(a, ESEAL_ANSWER_NOT_COVERED, src,
                   "the file covers shard %u; seal %s is in shard %u (/lists/%u/full)", l->shard,
                   esid != NULL ? esid : "?", shard, shard);
}

/* ---- asking ------------------------------------------------------------------------ */

void eseal_status_source_seal(struct eseal_status_source *s, const char *esid,
                              const uint8_t seal_sm3[ESEAL_SM3_LEN],
                              struct eseal_status_answer *out)
{
    if (s->url != NULL)
        online_get(s, KEY_SEAL, seal_sm3, out);
    else
        file_get(s, KEY_SEAL, esid, seal_sm3, out);
}

void eseal_status_source_picture(struct eseal_status_source *s,
                                 const uint8_t picture_sm3[ESEAL_SM3_LEN],
                                 struct eseal_status_answer *out)
{
    if (s->url != NULL)
        online_get(s, KEY_PICTURE, picture_sm3, out);
    else
        file_get(s, KEY_PICTURE, NULL, picture_sm3, out);
}
