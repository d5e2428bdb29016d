/* lists.c — numbered, sharded, SM2-signed status lists (docs/publisher.md
 * "Status lists"; the format is status.h's): the per-shard index of
 * seal versions (CF_LIST_INDEX), issuing the next full list of a shard in
 * the batch of every status change in it and at half of its validity, the
 * bounded history of what each list number changed (CF_LIST_CHANGES), and
 * deltas made from that history. Shards are the CRL shards
 * (eseal_publisher_shard, p->shards). */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/ca.h"
#include "eseal/enc.h"
#include "eseal/json.h"
#include "internal.h"

#define META_LISTS "lists"
/* "<shard, 4 hex>/<number, 16 hex>" and "<shard>/<version key>" */
#define LKEY_MAX 64

/* ---- small helpers ---------------------------------------------------------- */

static void shard_key(unsigned shard, char out[12])
{
    snprintf(out, 12, "%04x", shard);
}

static void change_key(unsigned shard, uint64_t number, char out[LKEY_MAX])
{
    snprintf(out, LKEY_MAX, "%04x/%016" PRIx64, shard, number);
}

static unsigned shard_of(struct eseal_publisher *p, const json_t *rec)
{
    const char *esid = eseal_json_str(rec, "esid");
    return eseal_publisher_shard(esid != NULL ? esid : "", p->shards);
}

static void oom_if(int failed)
{
    if (failed) {
        fprintf(stderr, "eseal-publisherd: out of memory building a status list\n");
        abort();
    }
}

/* entry_of reads the status record |rec| as a list entry. */
static eseal_rc entry_of(const json_t *rec, struct eseal_status_list_entry *e,
                         struct eseal_err *err)
{
    struct eseal_buf seal;
    eseal_buf_init(&seal);
    const char *serial = eseal_json_str(rec, "cert_serial"), *esid = eseal_json_str(rec, "esid"),
               *reason = eseal_json_str(rec, "reason");
    bool ok =
        esid != NULL && strlen(esid) < sizeof(e->esid) && serial != NULL &&
        strlen(serial) < sizeof(e->cert_serial) &&
        eseal_status_from_name(eseal_json_str(rec, "status"), &e->status) == ESEAL_OK &&
        eseal_json_time(rec, "status_time", &e->status_time) &&
        eseal_json_str(rec, "seal_sm3") != NULL &&
        eseal_unhex(&seal, eseal_json_str(rec, "seal_sm3"), 2 * ESEAL_SM3_LEN, NULL) == ESEAL_OK &&
        seal.len == ESEAL_SM3_LEN;
    if (ok) {
        snprintf(e->esid, sizeof(e->esid), "%s", esid);
        snprintf(e->cert_serial, sizeof(e->cert_serial), "%s", serial);
        snprintf(e->reason, sizeof(e->reason), "%s", reason != NULL ? reason : "");
        e->version = (int64_t)json_integer_value(json_object_get(rec, "version"));
        memcpy(e->seal_sm3, seal.data, ESEAL_SM3_LEN);
    }
    eseal_buf_cleanup(&seal);
    return ok ? ESEAL_OK
              : eseal_err_set(err, ESEAL_E_INTERNAL, "a stored status record is malformed");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* list_sign encodes and signs a list of |shard| numbered |number| (a delta
 * from |base| when base > 0) holding the records of |records| (version key
 * -> record) in version-key order, into |der|. */
static eseal_rc list_sign(struct eseal_publisher *p, unsigned shard, uint64_t number, uint64_t base,
                          int64_t this_update, int64_t next_update,
                          const struct eseal_log_checkpoint *cp, json_t *records,
                          struct eseal_buf *der, struct eseal_err *err)
{
    size_t n = json_object_size(records), i = 0;
    struct eseal_status_list l = {
        .shard = shard,
        .shard_count = p->shards,
        .number = number,
        .delta = base > 0,
        .base_number = base,
        .this_update = this_update,
        .next_update = next_update,
        .checkpoint_size = cp->size,
        .n_entries = n,
        .entries = eseal_xcalloc(n > 0 ? n : 1, sizeof(struct eseal_status_list_entry)),
    };
    memcpy(l.checkpoint_root, cp->root, ESEAL_MERKLE_HASH_LEN);
    const char **keys = eseal_xcalloc(n > 0 ? n : 1, sizeof(*keys));
    const char *k;
    json_t *v;
    json_object_foreach(records, k, v) keys[i++] = k;
    qsort(keys, n, sizeof(*keys), cmp_str);
    eseal_rc rc = ESEAL_OK;
    for (i = 0; i < n && rc == ESEAL_OK; i++)
        rc = entry_of(json_object_get(records, keys[i]), &l.entries[i], err);
    if (rc == ESEAL_OK)
        rc = pub_count_sign(p, PUB_SIGNED_LIST,
                            eseal_status_list_sign(der, &l, eseal_ca_responder_signer, p->ca, err));
    free(keys);
    free(l.entries);
    return rc;
}

/* stored_list reads the list row of |shard|: *refresh_at, *number and the
 * DER (|der| may be NULL). ESEAL_E_NOTFOUND when there is none. */
static eseal_rc stored_list(struct eseal_publisher *p, unsigned shard, uint64_t *refresh_at,
                            uint64_t *number, struct eseal_buf *der, struct eseal_err *err)
{
    char key[12];
    shard_key(shard, key);
    struct eseal_buf v;
    eseal_buf_init(&v);
    eseal_rc rc = eseal_kv_get(p->kv, CF_LISTS, key, strlen(key), &v, err);
    if (rc == ESEAL_OK && v.len <= 16)
        rc =
            eseal_err_set(err, ESEAL_E_INTERNAL, "the stored list of shard %u is malformed", shard);
    if (rc == ESEAL_OK) {
        *refresh_at = pub_get_be64(v.data);
        *number = pub_get_be64(v.data + 8);
        if (der != NULL) {
            eseal_buf_reset(der);
            eseal_buf_append(der, v.data + 16, v.len - 16);
        }
    }
    eseal_buf_cleanup(&v);
    return rc;
}

/* shard_records collects the records of |shard| (version key -> record):
 * the stored ones, overridden and completed by |overlay| (this page). */
static eseal_rc shard_records(struct eseal_publisher *p, unsigned shard, json_t *overlay,
                              json_t **out, struct eseal_err *err)
{
    json_t *all = json_object();
    char prefix[12];
    shard_key(shard, prefix);
    prefix[4] = '/';
    prefix[5] = '\0';
    struct eseal_kv_iter *it = eseal_kv_iter_new(p->kv, CF_LIST_INDEX);
    struct eseal_buf v;
    eseal_buf_init(&v);
    eseal_rc rc = ESEAL_OK;
    for (eseal_kv_iter_seek(it, prefix, 5); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t kl;
        const uint8_t *k = eseal_kv_iter_key(it, &kl);
        if (kl < 5 || memcmp(k, prefix, 5) != 0)
            break;
        char *vkey = eseal_xstrndup((const char *)k + 5, kl - 5);
        if (overlay == NULL || json_object_get(overlay, vkey) == NULL) {
            rc = eseal_kv_get(p->kv, CF_VERSIONS, vkey, strlen(vkey), &v, err);
            json_t *rec = rc == ESEAL_OK ? eseal_json_load(v.data, v.len) : NULL;
            if (rc == ESEAL_OK && rec == NULL)
                rc = eseal_err_set(err, ESEAL_E_INTERNAL, "stored record %s does not parse", vkey);
            if (rec != NULL)
                json_object_set_new(all, vkey, rec);
        }
        free(vkey);
        if (rc != ESEAL_OK)
            goto out;
    }
    if ((rc = eseal_kv_iter_status(it, err)) != ESEAL_OK)
        goto out;
    const char *k;
    json_t *rec;
    json_object_foreach(overlay, k, rec)
    {
        if (shard_of(p, rec) == shard)
            json_object_set(all, k, rec);
    }
out:
    eseal_buf_cleanup(&v);
    eseal_kv_iter_free(it);
    if (rc != ESEAL_OK) {
        json_decref(all);
        all = NULL;
    }
    *out = all;
    return rc;
}

static void checkpoint_now(struct eseal_publisher *p, struct eseal_log_checkpoint *cp)
{
    pthread_mutex_lock(&p->mu);
    *cp = p->verified;
    pthread_mutex_unlock(&p->mu);
}

/* issue adds to |b| the next list of |shard| as of |now|: the change row
 * |changes| (version key -> record) under the new number, the row that
 * falls out of the history deleted, and the signed full list. */
static eseal_rc issue(struct eseal_publisher *p, struct eseal_kv_batch *b, unsigned shard,
                      json_t *changes, int64_t now, struct eseal_err *err)
{
    uint64_t refresh_at = 0, number = 0;
    eseal_rc rc = stored_list(p, shard, &refresh_at, &number, NULL, err);
    if (rc != ESEAL_OK && rc != ESEAL_E_NOTFOUND)
        return rc;
    if (rc == ESEAL_E_NOTFOUND)
        number = 0;
    number++;
    json_t *records = NULL;
    if ((rc = shard_records(p, shard, changes, &records, err)) != ESEAL_OK)
        return rc;
    struct eseal_log_checkpoint cp;
    checkpoint_now(p, &cp);
    struct eseal_buf der, val;
    eseal_buf_init(&der);
    eseal_buf_init(&val);
    rc = list_sign(p, shard, number, 0, now, now + p->cfg.validity, &cp, records, &der, err);
    if (rc == ESEAL_OK) {
        char key[LKEY_MAX];
        change_key(shard, number, key);
        char *text = json_dumps(changes, JSON_COMPACT | JSON_SORT_KEYS);
        oom_if(text == NULL);
        eseal_kv_batch_put(b, CF_LIST_CHANGES, key, strlen(key), text, strlen(text));
        free(text);
        if (number > ESEAL_PUBLISHER_LIST_HISTORY) {
            change_key(shard, number - ESEAL_PUBLISHER_LIST_HISTORY, key);
            eseal_kv_batch_delete(b, CF_LIST_CHANGES, key, strlen(key));
        }
        uint8_t be[8];
        pub_be64(be, (uint64_t)(now + p->cfg.validity / 2));
        eseal_buf_append(&val, be, 8);
        pub_be64(be, number);
        eseal_buf_append(&val, be, 8);
        eseal_buf_append(&val, der.data, der.len);
        shard_key(shard, key);
        eseal_kv_batch_put(b, CF_LISTS, key, strlen(key), val.data, val.len);
    }
    eseal_buf_cleanup(&der);
    eseal_buf_cleanup(&val);
    json_decref(records);
    return rc;
}

/* ---- the publisher's side ------------------------------------------------------------- */

static void index_key(unsigned shard, const char *vkey, char out[LKEY_MAX])
{
    snprintf(out, LKEY_MAX, "%04x/%s", shard, vkey);
}

eseal_rc pub_lists_open(struct eseal_publisher *p, struct eseal_err *err)
{
    struct eseal_buf v;
    eseal_buf_init(&v);
    eseal_rc rc = eseal_kv_get(p->kv, CF_DEFAULT, META_LISTS, strlen(META_LISTS), &v, err);
    eseal_buf_cleanup(&v);
    if (rc != ESEAL_E_NOTFOUND)
        return rc;
    /* first start with lists: index what is there */
    struct eseal_kv_batch *b = eseal_kv_batch_new(p->kv);
    struct eseal_kv_iter *it = eseal_kv_iter_new(p->kv, CF_VERSIONS);
    for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t kl, vl;
        const uint8_t *k = eseal_kv_iter_key(it, &kl), *val = eseal_kv_iter_value(it, &vl);
        json_t *rec = eseal_json_load(val, vl);
        char vkey[LKEY_MAX - 8], key[LKEY_MAX];
        if (rec != NULL && kl < sizeof(vkey)) {
            memcpy(vkey, k, kl);
            vkey[kl] = '\0';
            index_key(shard_of(p, rec), vkey, key);
            eseal_kv_batch_put(b, CF_LIST_INDEX, key, strlen(key), "", 0);
        }
        json_decref(rec);
    }
    eseal_kv_batch_put(b, CF_DEFAULT, META_LISTS, strlen(META_LISTS), "1", 1);
    rc = eseal_kv_iter_status(it, err);
    if (rc == ESEAL_OK)
        rc = eseal_kv_write(p->kv, b, true, err);
    eseal_kv_iter_free(it);
    eseal_kv_batch_free(b);
    return rc;
}

void pub_lists_index(struct eseal_publisher *p, struct eseal_kv_batch *b, json_t *touched)
{
    const char *k;
    json_t *rec;
    json_object_foreach(touched, k, rec)
    {
        char key[LKEY_MAX];
        index_key(shard_of(p, rec), k, key);
        eseal_kv_batch_put(b, CF_LIST_INDEX, key, strlen(key), "", 0);
    }
}

eseal_rc pub_lists_update(struct eseal_publisher *p, struct eseal_kv_batch *b, json_t *touched,
                          int64_t now, struct eseal_err *err)
{
    json_t **changes = eseal_xcalloc(p->shards, sizeof(*changes));
    eseal_rc rc = ESEAL_OK;
    const char *k;
    json_t *rec;
    pub_lists_index(p, b, touched);
    json_object_foreach(touched, k, rec)
    {
        unsigned shard = shard_of(p, rec);
        if (changes[shard] == NULL)
            changes[shard] = json_object();
        json_object_set(changes[shard], k, rec);
    }
    for (unsigned s = 0; s < p->shards; s++) {
        if (changes[s] != NULL && rc == ESEAL_OK)
            rc = issue(p, b, s, changes[s], now, err);
        json_decref(changes[s]);
    }
    free(changes);
    return rc;
}

eseal_rc pub_lists_refresh(struct eseal_publisher *p, int64_t now, size_t *resigned,
                           struct eseal_err *err)
{
    struct eseal_kv_batch *b = eseal_kv_batch_new(p->kv);
    json_t *none = json_object();
    size_t n = 0;
    eseal_rc rc = ESEAL_OK;
    for (unsigned s = 0; s < p->shards && rc == ESEAL_OK; s++) {
        uint64_t refresh_at = 0, number = 0;
        rc = stored_list(p, s, &refresh_at, &number, NULL, err);
        if (rc == ESEAL_OK && refresh_at > (uint64_t)now)
            continue;
        if (rc != ESEAL_OK && rc != ESEAL_E_NOTFOUND)
            break;
        if ((rc = issue(p, b, s, none, now, err)) == ESEAL_OK)
            n++;
    }
    if (rc == ESEAL_OK && n > 0)
        rc = eseal_kv_write(p->kv, b, true, err);
    json_decref(none);
    eseal_kv_batch_free(b);
    *resigned = n;
    return rc;
}

eseal_rc eseal_publisher_list_full(struct eseal_publisher *p, unsigned shard, struct eseal_buf *der,
                                   struct eseal_err *err)
{
    if (shard >= p->shards)
        return eseal_err_set(err, ESEAL_E_NOTFOUND, "no list shard %u (there are %u)", shard,
                             p->shards);
    uint64_t refresh_at, number;
    eseal_rc rc = stored_list(p, shard, &refresh_at, &number, der, err);
    if (rc == ESEAL_E_NOTFOUND)
        rc = eseal_err_set(err, ESEAL_E_UNAVAILABLE, "the list of shard %u is not made yet", shard);
    return rc;
}

eseal_rc eseal_publisher_list_delta(struct eseal_publisher *p, unsigned shard, uint64_t base,
                                    struct eseal_buf *der, struct eseal_err *err)
{
    struct eseal_buf full, v;
    eseal_buf_init(&full);
    eseal_buf_init(&v);
    struct eseal_status_list cur;
    memset(&cur, 0, sizeof(cur));
    json_t *records = json_object();
    eseal_rc rc = eseal_publisher_list_full(p, shard, &full, err);
    if (rc != ESEAL_OK)
        goto out;
    if ((rc = eseal_status_list_parse(&cur, full.data, full.len, err)) != ESEAL_OK)
        goto out;
    if (base == 0 || base > cur.number) {
        rc = eseal_err_set(err, ESEAL_E_NOTFOUND,
                           "no list %" PRIu64 " of shard %u (the current one is %" PRIu64
                           "): fetch the full list",
                           base, shard, cur.number);
        goto out;
    }
    if (cur.number - base > ESEAL_PUBLISHER_LIST_HISTORY) {
        rc = eseal_err_set(err, ESEAL_E_CONFLICT,
                           "list %" PRIu64 " of shard %u is more than %d lists old: fetch the "
                           "full list",
                           base, shard, ESEAL_PUBLISHER_LIST_HISTORY);
        goto out;
    }
    /* later numbers override earlier ones: the state as of the current list */
    for (uint64_t n = base + 1; n <= cur.number; n++) {
        char key[LKEY_MAX];
        change_key(shard, n, key);
        rc = eseal_kv_get(p->kv, CF_LIST_CHANGES, key, strlen(key), &v, err);
        if (rc == ESEAL_E_NOTFOUND) {
            rc = eseal_err_set(err, ESEAL_E_CONFLICT,
                               "the changes of list %" PRIu64 " of shard %u are no longer kept: "
                               "fetch the full list",
                               n, shard);
            goto out;
        }
        if (rc != ESEAL_OK)
            goto out;
        json_t *row = eseal_json_load(v.data, v.len);
        if (!json_is_object(row)) {
            json_decref(row);
            rc = eseal_err_set(err, ESEAL_E_INTERNAL, "a stored list change row is malformed");
            goto out;
        }
        json_object_update(records, row);
        json_decref(row);
    }
    struct eseal_log_checkpoint cp;
    memset(&cp, 0, sizeof(cp));
    cp.size = cur.checkpoint_size;
    memcpy(cp.root, cur.checkpoint_root, ESEAL_MERKLE_HASH_LEN);
    rc = list_sign(p, shard, cur.number, base, cur.this_update, cur.next_update, &cp, records, der,
                   err);
out:
    eseal_status_list_cleanup(&cur);
    json_decref(records);
    eseal_buf_cleanup(&full);
    eseal_buf_cleanup(&v);
    return rc;
}
