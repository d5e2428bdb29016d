/* catchup.c — lists and CRLs while the follower catches up (docs/publisher.md
 * "Catching up"). Issuing a shard's list and CRL reads the whole shard, so
 * doing it for every page of a long backlog made a replay quadratic. While
 * more entries are known to be waiting, a page's changed version keys are
 * kept as "waiting/<version key>" rows of CF_LIST_CHANGES (in the page's
 * batch, so a crash loses none) and the shards are issued once, under one
 * number whose change row is the union, when the follower has caught up —
 * or after ESEAL_PUBLISHER_CATCHUP_PAGES pages or _SECONDS seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* meta: when the first waiting page was applied (8-byte BE) || pages (8-byte BE) */
#define META_WAITING "lists_waiting"
#define WAITING "waiting/"
#define WAITING_LEN (sizeof(WAITING) - 1)

/* waiting_state reads the meta row: false when no page waits. */
static bool waiting_state(struct eseal_publisher *p, int64_t *since, uint64_t *pages)
{
    struct eseal_buf v;
    eseal_buf_init(&v);
    bool found =
        eseal_kv_get(p->kv, CF_DEFAULT, META_WAITING, strlen(META_WAITING), &v, NULL) == ESEAL_OK &&
        v.len == 16;
    if (found) {
        *since = (int64_t)pub_get_be64(v.data);
        *pages = pub_get_be64(v.data + 8);
    }
    eseal_buf_cleanup(&v);
    return found;
}

/* may_wait tells whether one more page may wait at |now|: the bounds are
 * counted from the first waiting page (a clock that went back ends it). */
static bool may_wait(struct eseal_publisher *p, int64_t now)
{
    int64_t since = 0;
    uint64_t pages = 0;
    if (!waiting_state(p, &since, &pages))
        return true;
    return pages + 1 < ESEAL_PUBLISHER_CATCHUP_PAGES && now >= since &&
           now - since < ESEAL_PUBLISHER_CATCHUP_SECONDS;
}

/* wait adds to |b| the index and CRL rows of |touched|, a waiting row per
 * version and the meta row counting this page. */
static eseal_rc wait(struct eseal_publisher *p, struct eseal_kv_batch *b, json_t *touched,
                     int64_t now, struct eseal_err *err)
{
    eseal_rc rc = pub_crl_update(p, b, touched, false, now, err);
    if (rc != ESEAL_OK)
        return rc;
    pub_lists_index(p, b, touched);
    struct eseal_buf key;
    eseal_buf_init(&key);
    const char *k;
    json_t *rec;
    json_object_foreach(touched, k, rec)
    {
        eseal_buf_reset(&key);
        eseal_buf_appendf(&key, "%s%s", WAITING, k);
        eseal_kv_batch_put(b, CF_LIST_CHANGES, key.data, key.len, "", 0);
    }
    eseal_buf_cleanup(&key);
    int64_t since = now;
    uint64_t pages = 0;
    waiting_state(p, &since, &pages);
    uint8_t v[16];
    pub_be64(v, (uint64_t)since);
    pub_be64(v + 8, pages + 1);
    eseal_kv_batch_put(b, CF_DEFAULT, META_WAITING, strlen(META_WAITING), v, sizeof(v));
    return ESEAL_OK;
}

/* take_waiting adds to |into| (version key -> record) the stored record of
 * every waiting version, and to |b| the deletion of the waiting rows. */
static eseal_rc take_waiting(struct eseal_publisher *p, struct eseal_kv_batch *b, json_t *into,
                             struct eseal_err *err)
{
    struct eseal_kv_iter *it = eseal_kv_iter_new(p->kv, CF_LIST_CHANGES);
    eseal_rc rc = ESEAL_OK;
    for (eseal_kv_iter_seek(it, WAITING, WAITING_LEN); eseal_kv_iter_valid(it);
         eseal_kv_iter_next(it)) {
        size_t kl;
        const uint8_t *k = eseal_kv_iter_key(it, &kl);
        if (kl <= WAITING_LEN || memcmp(k, WAITING, WAITING_LEN) != 0)
            break;
        char *vkey = eseal_xstrndup((const char *)k + WAITING_LEN, kl - WAITING_LEN);
        json_t *rec = NULL;
        rc = pub_get_json(p->kv, CF_VERSIONS, vkey, &rec, err);
        if (rc == ESEAL_OK)
            json_object_set_new(into, vkey, rec);
        eseal_kv_batch_delete(b, CF_LIST_CHANGES, k, kl);
        free(vkey);
        if (rc != ESEAL_OK)
            break;
    }
    if (rc == ESEAL_OK)
        rc = eseal_kv_iter_status(it, err);
    eseal_kv_iter_free(it);
    eseal_kv_batch_delete(b, CF_DEFAULT, META_WAITING, strlen(META_WAITING));
    return rc;
}

/* publish adds to |b| the CRLs and lists of the shards changed by
 * |touched| and by every waiting page, under one number per shard. */
static eseal_rc publish(struct eseal_publisher *p, struct eseal_kv_batch *b, json_t *touched,
                        int64_t now, struct eseal_err *err)
{
    json_t *all = json_object();
    eseal_rc rc = take_waiting(p, b, all, err);
    json_object_update(all, touched); /* this page's records are newer */
    if (rc == ESEAL_OK && json_object_size(all) > 0 &&
        (rc = pub_crl_update(p, b, all, true, now, err)) == ESEAL_OK)
        rc = pub_lists_update(p, b, all, now, err);
    json_decref(all);
    return rc;
}

eseal_rc pub_catchup_apply(struct eseal_publisher *p, struct eseal_kv_batch *b, json_t *touched,
                           bool behind, int64_t now, struct eseal_err *err)
{
    if (behind && may_wait(p, now))
        return wait(p, b, touched, now, err);
    return publish(p, b, touched, now, err);
}

eseal_rc pub_catchup_flush(struct eseal_publisher *p, int64_t now, struct eseal_err *err)
{
    int64_t since;
    uint64_t pages;
    if (!waiting_state(p, &since, &pages))
        return ESEAL_OK;
    struct eseal_kv_batch *b = eseal_kv_batch_new(p->kv);
    json_t *none = json_object();
    eseal_rc rc = publish(p, b, none, now, err);
    if (rc == ESEAL_OK)
        rc = eseal_kv_write(p->kv, b, true, err);
    json_decref(none);
    eseal_kv_batch_free(b);
    return rc;
}
