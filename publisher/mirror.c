/* mirror.c — the publisher's verified copy of the log it follows: every
 * entry (its canonical bytes) and the hash of every complete subtree,
 * written in the batch of the page that applied them, and the log's HTTP
 * read API over that copy (GET /log/entries, /log/proof/...). A replica
 * follows a publisher through it exactly as a publisher follows the issuer
 * (docs/operations.md, "Scaling out"), so reads scale out without any
 * request reaching the issuer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "eseal/http.h"
#include "internal.h"

#define HLEN ESEAL_MERKLE_HASH_LEN
/* meta "log_mirror": present when the copy holds every entry from 0 */
#define META_MIRROR "log_mirror"

static eseal_rc node_read(void *ctx, unsigned level, uint64_t index, uint8_t out[HLEN],
                          struct eseal_err *err)
{
    struct eseal_publisher *p = ctx;
    eseal_rc rc = eseal_log_node_get(p->kv, CF_LOG_NODES, level, index, out, err);
    if (rc == ESEAL_E_IO)
        eseal_err_prefix(err, "log mirror");
    return rc;
}

eseal_rc pub_mirror_open(struct eseal_publisher *p, struct eseal_err *err)
{
    struct eseal_buf v;
    eseal_buf_init(&v);
    eseal_rc rc = eseal_kv_get(p->kv, CF_DEFAULT, META_MIRROR, strlen(META_MIRROR), &v, err);
    eseal_buf_cleanup(&v);
    eseal_merkle_frontier_init(&p->mirror);
    if (rc == ESEAL_OK) {
        p->mirror_on = true;
        return eseal_merkle_frontier_load(&p->mirror, p->position, node_read, p, err);
    }
    if (rc != ESEAL_E_NOTFOUND)
        return rc;
    if (p->position > 0) {
        /* A state from before the mirror: it cannot prove the entries it
         * applied without them. It serves statuses as before, not the log. */
        p->mirror_on = false;
        fprintf(stderr, "eseal-publisherd: 此状态早于日志副本，不能为副本提供日志 / this state "
                        "predates the log mirror: replicas cannot follow this publisher until "
                        "it is rebuilt from an empty data directory\n");
        return ESEAL_OK;
    }
    p->mirror_on = true;
    return eseal_kv_put(p->kv, CF_DEFAULT, META_MIRROR, strlen(META_MIRROR), "1", 1, true, err);
}

static void emit_node(void *ctx, unsigned level, uint64_t index, const uint8_t hash[HLEN])
{
    uint8_t k[ESEAL_LOG_NODE_KEY_LEN];
    eseal_log_node_key(k, level, index);
    eseal_kv_batch_put(ctx, CF_LOG_NODES, k, sizeof(k), hash, HLEN);
}

eseal_rc pub_mirror_add(struct eseal_publisher *p, struct eseal_kv_batch *b, const json_t *entries,
                        struct eseal_merkle_frontier *fr, struct eseal_err *err)
{
    if (!p->mirror_on)
        return ESEAL_OK;
    size_t i;
    const json_t *e;
    json_array_foreach(entries, i, e)
    {
        uint64_t seq = fr->size;
        json_t *s = json_object_get(e, "seq");
        if (!json_is_integer(s) || (uint64_t)json_integer_value(s) != seq)
            return eseal_err_set(err, ESEAL_E_INTERNAL, "log mirror: entry %llu out of order",
                                 (unsigned long long)seq);
        /* the log's canonical form (log.h), the bytes its leaf hashes */
        char *text = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
        if (text == NULL)
            abort(); /* only out of memory */
        uint8_t k[8], leaf[HLEN];
        pub_be64(k, seq);
        eseal_kv_batch_put(b, CF_LOG_ENTRIES, k, sizeof(k), text, strlen(text));
        eseal_merkle_leaf_hash(leaf, text, strlen(text));
        free(text);
        if (eseal_merkle_frontier_append(fr, leaf, emit_node, b) != ESEAL_OK)
            return eseal_err_set(err, ESEAL_E_TOOBIG, "the log is full");
    }
    /* The follower proved these entries against its checkpoint; the copy
     * must hash to the same root, or it would serve a log that fails. */
    const struct eseal_log_checkpoint *v = eseal_log_follower_verified(p->f);
    if (fr->size == v->size) {
        uint8_t r[HLEN];
        eseal_merkle_frontier_root(fr, r);
        if (memcmp(r, v->root, HLEN) != 0)
            return eseal_err_set(err, ESEAL_E_CRYPTO,
                                 "log mirror: the entries, written canonically, do not hash to "
                                 "the verified checkpoint of size %llu",
                                 (unsigned long long)v->size);
    }
    return ESEAL_OK;
}

/* ---- the log's read API over the copy ------------------------------------------ */

static eseal_rc src_checkpoint(void *ctx, struct eseal_buf *note, struct eseal_err *err)
{
    (void)err;
    /* the note is kept only once every entry it covers is applied */
    eseal_rc rc = pub_note(ctx, note);
    return rc == ESEAL_E_UNAVAILABLE ? ESEAL_E_NOTFOUND : rc;
}

static uint64_t src_size(void *ctx)
{
    struct eseal_publisher *p = ctx;
    pthread_mutex_lock(&p->mu);
    uint64_t n = p->position;
    pthread_mutex_unlock(&p->mu);
    return n;
}

static eseal_rc src_read(void *ctx, uint64_t start, uint64_t end, eseal_log_entry_fn fn,
                         void *fn_ctx, struct eseal_err *err)
{
    struct eseal_publisher *p = ctx;
    if (start > end || end > src_size(p))
        return eseal_err_set(err, ESEAL_E_INVALID, "entries %llu..%llu are beyond the log",
                             (unsigned long long)start, (unsigned long long)end);
    struct eseal_kv_iter *it = eseal_kv_iter_new(p->kv, CF_LOG_ENTRIES);
    uint8_t k[8];
    pub_be64(k, start);
    eseal_rc rc = ESEAL_OK;
    uint64_t seq = start;
    for (eseal_kv_iter_seek(it, k, sizeof(k)); seq < end && rc == ESEAL_OK;
         eseal_kv_iter_next(it), seq++) {
        size_t kl = 0, vl = 0;
        const uint8_t *key = eseal_kv_iter_valid(it) ? eseal_kv_iter_key(it, &kl) : NULL;
        if (key == NULL || kl != 8 || pub_get_be64(key) != seq) {
            rc = eseal_kv_iter_status(it, err);
            if (rc == ESEAL_OK)
                rc = eseal_err_set(err, ESEAL_E_IO, "log mirror: entry %llu is missing",
                                   (unsigned long long)seq);
            break;
        }
        const uint8_t *val = eseal_kv_iter_value(it, &vl);
        rc = fn(fn_ctx, seq, val, vl, err);
    }
    eseal_kv_iter_free(it);
    return rc;
}

static eseal_rc src_inclusion(void *ctx, uint64_t index, uint64_t size,
                              struct eseal_merkle_proof *out, struct eseal_err *err)
{
    return eseal_log_tree_inclusion(out, index, size, src_size(ctx), node_read, ctx, err);
}

static eseal_rc src_consistency(void *ctx, uint64_t first, uint64_t second,
                                struct eseal_merkle_proof *out, struct eseal_err *err)
{
    return eseal_log_tree_consistency(out, first, second, src_size(ctx), node_read, ctx, err);
}

eseal_rc pub_h_log(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_publisher *p = app;
    if (!p->mirror_on)
        return eseal_err_set(
            err, ESEAL_E_UNAVAILABLE,
            "此发布服务的状态早于日志副本 / this publisher's state predates its "
            "log mirror: rebuild it from an empty data directory to serve the log");
    const struct eseal_log_source src = {p,        src_checkpoint, src_size,
                                         src_read, src_inclusion,  src_consistency};
    return eseal_log_http_serve(req, &src, err);
}
