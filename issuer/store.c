/* store.c — the issuer's RocksDB store: column families, JSON records,
 * artefacts by SM3, counters, the applied log position and the audit index. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/json.h"
#include "eseal/sm.h"
#include "internal.h"

static const char *const cf_names[CF_COUNT] = {
    [CF_DEFAULT] = "default",
    [CF_SUBMISSIONS] = "submissions",
    [CF_SEALS] = "seals",
    [CF_COUNTERS] = "counters",
    [CF_STAFF] = "staff",
    [CF_SESSIONS] = "sessions",
    [CF_AUDIT] = "audit",
    [CF_META] = "meta",
    [CF_ARTEFACTS] = "artefacts",
    [CF_PRIVATE] = "private",
    [CF_NOTIFICATIONS] = "notifications",
    [CF_BATCHES] = "batches",
    [CF_THROTTLE] = "throttle",
    [CF_SUBINDEX] = "subindex",
};

eseal_rc store_open(struct eseal_issuer *is, struct eseal_err *err)
{
    char *path = eseal_path_join(is->cfg.data, "db");
    eseal_rc rc = eseal_kv_open(&is->kv, path, cf_names, CF_COUNT, err);
    free(path);
    return rc;
}

eseal_rc store_get_json(struct eseal_issuer *is, unsigned cf, const char *key, json_t **out,
                        struct eseal_err *err)
{
    *out = NULL;
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_kv_get(is->kv, cf, key, strlen(key), &b, err);
    if (rc == ESEAL_OK) {
        *out = eseal_json_load(b.data, b.len);
        if (*out == NULL || !json_is_object(*out)) {
            json_decref(*out);
            *out = NULL;
            rc = eseal_err_set(err, ESEAL_E_INTERNAL, "store: record %s is damaged", key);
        }
    }
    eseal_buf_cleanup(&b);
    return rc;
}

void store_batch_put_json(struct eseal_kv_batch *b, unsigned cf, const char *key, const json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL)
        abort(); /* only out of memory */
    eseal_kv_batch_put(b, cf, key, strlen(key), text, strlen(text));
    free(text);
}

eseal_rc store_artefact_put(struct eseal_issuer *is, const void *data, size_t len,
                            char sm3[ESEAL_SM3_HEX_LEN + 1], struct eseal_err *err)
{
    char *hex = eseal_sm3_hex(data, len);
    memcpy(sm3, hex, ESEAL_SM3_HEX_LEN + 1);
    free(hex);
    return eseal_kv_put(is->kv, CF_ARTEFACTS, sm3, ESEAL_SM3_HEX_LEN, data, len, true, err);
}

eseal_rc store_artefact_get(struct eseal_issuer *is, const char *sm3, struct eseal_buf *out,
                            struct eseal_err *err)
{
    eseal_rc rc = eseal_kv_get(is->kv, CF_ARTEFACTS, sm3, strlen(sm3), out, err);
    if (rc == ESEAL_E_NOTFOUND)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "store: artefact %s is missing", sm3);
    return rc;
}

static uint64_t get_number(struct eseal_issuer *is, unsigned cf, const char *key)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    uint64_t v = 0;
    if (eseal_kv_get(is->kv, cf, key, strlen(key), &b, NULL) == ESEAL_OK)
        v = strtoull((const char *)b.data, NULL, 10);
    eseal_buf_cleanup(&b);
    return v;
}

static void put_number(struct eseal_kv_batch *b, unsigned cf, const char *key, uint64_t v)
{
    char text[24];
    int n = snprintf(text, sizeof(text), "%" PRIu64, v);
    eseal_kv_batch_put(b, cf, key, strlen(key), text, (size_t)n);
}

uint64_t store_counter(struct eseal_issuer *is, const char *name)
{
    return get_number(is, CF_COUNTERS, name);
}

void store_batch_counter(struct eseal_kv_batch *b, const char *name, uint64_t value)
{
    put_number(b, CF_COUNTERS, name, value);
}

uint64_t store_log_pos(struct eseal_issuer *is)
{
    return get_number(is, CF_META, "log_pos");
}

void store_batch_log_pos(struct eseal_kv_batch *b, uint64_t pos)
{
    put_number(b, CF_META, "log_pos", pos);
}

/* audit_key is subject || 0x00 || seq big-endian, so a prefix scan lists a
 * subject's entries in log order. */
static size_t audit_key(uint8_t *out, size_t cap, const char *subject, uint64_t seq)
{
    size_t n = strlen(subject);
    if (n + 9 > cap)
        n = cap - 9;
    memcpy(out, subject, n);
    out[n] = 0;
    for (int i = 0; i < 8; i++)
        out[n + 1 + (size_t)i] = (uint8_t)(seq >> (56 - 8 * i));
    return n + 9;
}

void store_batch_audit(struct eseal_kv_batch *b, const char *subject, uint64_t seq,
                       const char *type)
{
    uint8_t key[128];
    size_t n = audit_key(key, sizeof(key), subject, seq);
    eseal_kv_batch_put(b, CF_AUDIT, key, n, type, strlen(type));
}

json_t *store_audit_seqs(struct eseal_issuer *is, const char *subject)
{
    json_t *out = json_array();
    uint8_t key[128];
    size_t plen = audit_key(key, sizeof(key), subject, 0) - 8;
    struct eseal_kv_iter *it = eseal_kv_iter_new(is->kv, CF_AUDIT);
    if (it == NULL)
        return out;
    for (eseal_kv_iter_seek(it, key, plen); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t klen;
        const uint8_t *k = eseal_kv_iter_key(it, &klen);
        if (klen != plen + 8 || memcmp(k, key, plen) != 0)
            break;
        uint64_t seq = 0;
        for (int i = 0; i < 8; i++)
            seq = (seq << 8) | k[plen + (size_t)i];
        json_array_append_new(out, json_integer((json_int_t)seq));
    }
    eseal_kv_iter_free(it);
    return out;
}
