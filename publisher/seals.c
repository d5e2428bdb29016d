/* seals.c — display data for the lookup page: the name and picture of each
 * seal version, fetched from the issuer's public seal files after the log's
 * entries are committed, kept only when they match the log's digests.
 * Not derived from the log (it holds digests only), so not part of the
 * determinism guarantee; a failure here never touches the statuses. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eseal/httpc.h"
#include "eseal/json.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "internal.h"

#define META_SEAL_INFO "seal_info"
/* a fetch of one seal must not hold the follower for long */
#define FETCH_TIMEOUT_MS 5000
/* retry of one version: 2^failures s, at most an hour */
#define RETRY_MAX 3600
/* pause when the issuer does not answer: 1 s doubling to 5 min */
#define PAUSE_MAX 300

eseal_rc pub_seals_open(struct eseal_publisher *p, struct eseal_err *err)
{
    struct eseal_buf v;
    eseal_buf_init(&v);
    eseal_rc rc = eseal_kv_get(p->kv, CF_DEFAULT, META_SEAL_INFO, strlen(META_SEAL_INFO), &v, err);
    eseal_buf_cleanup(&v);
    if (rc != ESEAL_E_NOTFOUND)
        return rc;
    /* a state from before display data: queue every version it has */
    json_t *all = json_object();
    struct eseal_kv_iter *it = eseal_kv_iter_new(p->kv, CF_VERSIONS);
    for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t kl, vl;
        const uint8_t *k = eseal_kv_iter_key(it, &kl), *val = eseal_kv_iter_value(it, &vl);
        json_t *rec = eseal_json_load(val, vl);
        char *key = eseal_xstrndup((const char *)k, kl);
        if (rec != NULL)
            json_object_set_new(all, key, rec);
        free(key);
    }
    rc = eseal_kv_iter_status(it, err);
    eseal_kv_iter_free(it);
    if (rc == ESEAL_OK) {
        struct eseal_kv_batch *b = eseal_kv_batch_new(p->kv);
        pub_seals_want(b, all);
        eseal_kv_batch_put(b, CF_DEFAULT, META_SEAL_INFO, strlen(META_SEAL_INFO), "1", 1);
        rc = eseal_kv_write(p->kv, b, true, err);
        eseal_kv_batch_free(b);
    }
    json_decref(all);
    return rc;
}

void pub_seals_want(struct eseal_kv_batch *b, json_t *touched)
{
    const char *vkey;
    json_t *rec;
    json_object_foreach(touched, vkey, rec)
    {
        const char *sm3 = eseal_json_str(rec, "seal_sm3"), *kind = eseal_json_str(rec, "kind");
        /* the issuer does not publish personal seals (a person's name) */
        bool personal = kind != NULL && strcmp(kind, "personal") == 0;
        if (sm3 != NULL && !personal)
            eseal_kv_batch_put(b, CF_SEAL_WANTED, sm3, strlen(sm3), vkey, strlen(vkey));
    }
}

/* ---- checking a fetched seal ----------------------------------------------------- */

eseal_rc eseal_publisher_seal_check(const json_t *record, const uint8_t *der, size_t len,
                                    struct eseal_err *err)
{
    const char *esid = eseal_json_str(record, "esid"),
               *seal_sm3 = eseal_json_str(record, "seal_sm3"),
               *pic_sm3 = eseal_json_str(record, "picture_sm3");
    if (esid == NULL || seal_sm3 == NULL || pic_sm3 == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "the status record lacks esid or digests");
    if (len > ESEAL_SEAL_MAX)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "the seal is over %d bytes", ESEAL_SEAL_MAX);
    char *got = eseal_sm3_hex(der, len);
    bool same = strcasecmp(got, seal_sm3) == 0;
    free(got);
    if (!same)
        return eseal_err_set(err, ESEAL_E_CRYPTO, "its SM3 is not the log's seal_sm3 %.16s…",
                             seal_sm3);
    struct eseal_seal *seal = NULL;
    eseal_rc rc = eseal_seal_parse(&seal, der, len, err);
    if (rc != ESEAL_OK)
        return rc;
    const struct eseal_seal_info *si = eseal_seal_info(seal);
    json_t *name = json_string(si->name != NULL ? si->name : ""); /* NULL unless UTF-8 */
    if (si->esid == NULL || strcmp(si->esid, esid) != 0) {
        rc = eseal_err_set(err, ESEAL_E_INVALID, "the seal's esID is not %s", esid);
    } else if (name == NULL) {
        rc = eseal_err_set(err, ESEAL_E_INVALID, "the seal's name is not UTF-8");
    } else {
        got = eseal_sm3_hex(si->picture, si->picture_len);
        if (strcasecmp(got, pic_sm3) != 0)
            rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                               "its picture's SM3 is not the log's picture_sm3 %.16s…", pic_sm3);
        free(got);
    }
    json_decref(name);
    eseal_seal_free(seal);
    return rc;
}

/* picture_type copies the seal's picture type in lower case, or "unknown"
 * if it is not a short alphanumeric name (it ends up in a header). */
static void picture_type(const char *in, char out[ESEAL_PUBLISHER_PICTURE_TYPE_MAX + 1])
{
    size_t n = in != NULL ? strlen(in) : 0;
    bool ok = n > 0 && n <= ESEAL_PUBLISHER_PICTURE_TYPE_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)in[i]) != 0;
    if (!ok) {
        snprintf(out, ESEAL_PUBLISHER_PICTURE_TYPE_MAX + 1, "unknown");
        return;
    }
    for (size_t i = 0; i <= n; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
}

/* store_seal keeps the name and picture of a checked seal and drops its
 * wanted row, in one batch. */
static eseal_rc store_seal(struct eseal_publisher *p, const json_t *rec, const uint8_t *der,
                           size_t len, struct eseal_err *err)
{
    struct eseal_seal *seal = NULL;
    eseal_rc rc = eseal_seal_parse(&seal, der, len, err);
    if (rc != ESEAL_OK)
        return rc;
    const struct eseal_seal_info *si = eseal_seal_info(seal);
    const char *seal_sm3 = eseal_json_str(rec, "seal_sm3"),
               *pic_sm3 = eseal_json_str(rec, "picture_sm3");
    char type[ESEAL_PUBLISHER_PICTURE_TYPE_MAX + 1];
    picture_type(si->picture_type, type);
    json_t *info =
        json_pack("{s:s,s:I,s:s,s:s,s:I,s:I}", "name", si->name != NULL ? si->name : "", "type",
                  (json_int_t)si->type, "picture_sm3", pic_sm3, "picture_type", type, "width_mm",
                  (json_int_t)si->width_mm, "height_mm", (json_int_t)si->height_mm);
    char *text = info != NULL ? json_dumps(info, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (text == NULL) { /* a name that is not UTF-8: eseal_publisher_seal_check refused it */
        json_decref(info);
        eseal_seal_free(seal);
        return eseal_err_set(err, ESEAL_E_INVALID, "the seal's name is not UTF-8");
    }
    struct eseal_buf pic;
    eseal_buf_init(&pic);
    eseal_buf_appendf(&pic, "%s\n", type);
    eseal_buf_append(&pic, si->picture, si->picture_len);
    struct eseal_kv_batch *b = eseal_kv_batch_new(p->kv);
    eseal_kv_batch_put(b, CF_SEAL_INFO, seal_sm3, strlen(seal_sm3), text, strlen(text));
    eseal_kv_batch_put(b, CF_PICTURES, pic_sm3, strlen(pic_sm3), pic.data, pic.len);
    eseal_kv_batch_delete(b, CF_SEAL_WANTED, seal_sm3, strlen(seal_sm3));
    rc = eseal_kv_write(p->kv, b, false, err);
    eseal_kv_batch_free(b);
    eseal_buf_cleanup(&pic);
    free(text);
    json_decref(info);
    eseal_seal_free(seal);
    return rc;
}

/* ---- fetching ------------------------------------------------------------------------ */

/* fetch_one fetches and checks the seal of the version |vkey|
 * ("<esID>/<version>") with status record |rec| into |der|. */
static eseal_rc fetch_one(struct eseal_publisher *p, const char *vkey, const json_t *rec,
                          struct eseal_buf *der, struct eseal_err *err)
{
    const char *slash = strchr(vkey, '/');
    if (slash == NULL)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "bad version key %s", vkey);
    char *url = eseal_xasprintf("%s/public/seals/%.*s/%lld/seal.esl", p->cfg.issuer,
                                (int)(slash - vkey), vkey, strtoll(slash + 1, NULL, 10));
    struct eseal_httpc_opts o = {.timeout_ms = FETCH_TIMEOUT_MS, .max_body = ESEAL_SEAL_MAX};
    unsigned status = 0;
    eseal_rc rc = eseal_httpc_get(url, &o, &status, der, err);
    if (rc == ESEAL_OK && status != 200) /* 5xx: the issuer is not well, pause */
        rc = eseal_err_set(err, status >= 500 ? ESEAL_E_UNAVAILABLE : ESEAL_E_NOTFOUND,
                           "%s answered %u", url, status);
    free(url);
    if (rc == ESEAL_OK)
        rc = eseal_publisher_seal_check(rec, der->data, der->len, err);
    return rc;
}

/* due tells whether the seal |sm3| may be tried at |now|. */
static bool due(struct eseal_publisher *p, const char *sm3, int64_t now)
{
    json_t *r = json_object_get(p->fetch_retry, sm3);
    return r == NULL || json_integer_value(json_array_get(r, 1)) <= now;
}

/* next_pause is the pause after the issuer did not answer: 1 s, doubling
 * to PAUSE_MAX. */
static int64_t next_pause(const struct eseal_publisher *p)
{
    int64_t pause = p->fetch_pause == 0 ? 1 : p->fetch_pause * 2;
    return pause > PAUSE_MAX ? PAUSE_MAX : pause;
}

/* failed schedules the next try of |sm3| and says why on stderr: after the
 * version's own back-off when the issuer refused it, when the pause ends
 * when the issuer did not answer (|unreachable|: not the version's fault,
 * so it does not lengthen the version's back-off). */
static void failed(struct eseal_publisher *p, const char *sm3, const char *vkey, int64_t now,
                   bool unreachable, const struct eseal_err *e)
{
    json_t *r = json_object_get(p->fetch_retry, sm3);
    json_int_t n = r != NULL ? json_integer_value(json_array_get(r, 0)) : 0;
    json_int_t wait = next_pause(p);
    if (!unreachable) {
        n++;
        wait = n >= 12 ? RETRY_MAX : (json_int_t)1 << n;
        if (wait > RETRY_MAX)
            wait = RETRY_MAX;
    }
    json_object_set_new(p->fetch_retry, sm3, json_pack("[I,I]", n, (json_int_t)now + wait));
    fprintf(stderr, "eseal-publisherd: seal %s not fetched from %s (retry in %llds): %s\n", vkey,
            p->cfg.issuer, (long long)wait, e->msg[0] != '\0' ? e->msg : eseal_rc_describe(e->rc));
}

static bool stop_asked(struct eseal_publisher *p)
{
    pthread_mutex_lock(&p->mu);
    bool stop = p->stop;
    pthread_mutex_unlock(&p->mu);
    return stop;
}

/* try_one handles the wanted row |sm3| -> |vkey|: drops it when the seal is
 * already stored or its record is gone, else fetches it. *unreachable is
 * set when the issuer did not answer. */
static eseal_rc try_one(struct eseal_publisher *p, const char *sm3, const char *vkey, int64_t now,
                        bool *stored, bool *unreachable, struct eseal_err *err)
{
    json_t *rec = NULL, *info = NULL;
    eseal_rc rc = pub_seal_info(p, sm3, &info, NULL);
    json_decref(info);
    if (rc == ESEAL_OK || pub_get_json(p->kv, CF_VERSIONS, vkey, &rec, NULL) != ESEAL_OK) {
        json_object_del(p->fetch_retry, sm3);
        return eseal_kv_delete(p->kv, CF_SEAL_WANTED, sm3, strlen(sm3), false, err);
    }
    struct eseal_buf der;
    eseal_buf_init(&der);
    struct eseal_err e;
    eseal_err_clear(&e);
    rc = fetch_one(p, vkey, rec, &der, &e);
    if (rc == ESEAL_OK) {
        rc = store_seal(p, rec, der.data, der.len, err);
        *stored = rc == ESEAL_OK;
        json_object_del(p->fetch_retry, sm3);
    } else {
        *unreachable = rc == ESEAL_E_UNAVAILABLE || rc == ESEAL_E_IO;
        failed(p, sm3, vkey, now, *unreachable, &e);
        rc = ESEAL_OK; /* the issuer's failure, not ours: retried later */
    }
    eseal_buf_cleanup(&der);
    json_decref(rec);
    return rc;
}

eseal_rc eseal_publisher_fetch_seals(struct eseal_publisher *p, int64_t now, size_t *stored,
                                     struct eseal_err *err)
{
    size_t n_stored = 0, tried = 0;
    eseal_rc rc = ESEAL_OK;
    pthread_mutex_lock(&p->fetch);
    if (now < p->fetch_pause_until)
        goto out;
    struct eseal_kv_iter *it = eseal_kv_iter_new(p->kv, CF_SEAL_WANTED);
    bool unreachable = false;
    for (eseal_kv_iter_seek_first(it);
         eseal_kv_iter_valid(it) && tried < ESEAL_PUBLISHER_FETCH_ROUND; eseal_kv_iter_next(it)) {
        size_t kl, vl;
        const uint8_t *k = eseal_kv_iter_key(it, &kl), *v = eseal_kv_iter_value(it, &vl);
        char *sm3 = eseal_xstrndup((const char *)k, kl),
             *vkey = eseal_xstrndup((const char *)v, vl);
        bool ok = false;
        if (due(p, sm3, now)) {
            tried++;
            rc = try_one(p, sm3, vkey, now, &ok, &unreachable, err);
        }
        if (ok)
            n_stored++;
        free(sm3);
        free(vkey);
        if (rc != ESEAL_OK || unreachable || stop_asked(p))
            break;
    }
    eseal_kv_iter_free(it);
    if (unreachable) {
        p->fetch_pause = next_pause(p);
        p->fetch_pause_until = now + p->fetch_pause;
    } else if (tried > 0) {
        p->fetch_pause = 0;
    }
out:
    pthread_mutex_unlock(&p->fetch);
    if (stored != NULL)
        *stored = n_stored;
    return rc;
}

/* ---- reading ----------------------------------------------------------------------------- */

eseal_rc pub_seal_info(struct eseal_publisher *p, const char *seal_sm3, json_t **out,
                       struct eseal_err *err)
{
    *out = NULL;
    return pub_get_json(p->kv, CF_SEAL_INFO, seal_sm3, out, err);
}

eseal_rc eseal_publisher_picture(struct eseal_publisher *p, const char *sm3hex,
                                 struct eseal_buf *bytes,
                                 char type[ESEAL_PUBLISHER_PICTURE_TYPE_MAX + 1],
                                 struct eseal_err *err)
{
    char key[2 * ESEAL_SM3_LEN + 1];
    size_t n = sm3hex != NULL ? strlen(sm3hex) : 0;
    if (n != 2 * ESEAL_SM3_LEN || strspn(sm3hex, "0123456789abcdefABCDEF") != n)
        return eseal_err_set(err, ESEAL_E_INVALID, "an SM3 digest is 64 hex digits");
    for (size_t i = 0; i <= n; i++)
        key[i] = (char)tolower((unsigned char)sm3hex[i]);
    struct eseal_buf v;
    eseal_buf_init(&v);
    eseal_rc rc = eseal_kv_get(p->kv, CF_PICTURES, key, n, &v, err);
    const uint8_t *nl = rc == ESEAL_OK ? memchr(v.data, '\n', v.len) : NULL;
    if (rc == ESEAL_E_NOTFOUND)
        rc = eseal_err_set(err, rc, "no picture %s", key);
    else if (rc == ESEAL_OK &&
             (nl == NULL || (size_t)(nl - v.data) > ESEAL_PUBLISHER_PICTURE_TYPE_MAX))
        rc = eseal_err_set(err, ESEAL_E_INTERNAL, "stored picture %s is damaged", key);
    if (rc == ESEAL_OK) {
        size_t tl = (size_t)(nl - v.data);
        memcpy(type, v.data, tl);
        type[tl] = '\0';
        eseal_buf_reset(bytes);
        eseal_buf_append(bytes, nl + 1, v.len - tl - 1);
    }
    eseal_buf_cleanup(&v);
    return rc;
}
