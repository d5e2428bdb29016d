/* lists.c — numbered, sharded, SM2-signed status lists (docs/publisher.md
 * "Status lists"): the StatusList ASN.1 template, the per-shard index of
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

#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/objects.h>

#include "eseal/ca.h"
#include "eseal/enc.h"
#include "internal.h"

#define META_LISTS "lists"
#define SM2_WITH_SM3_OID "1.2.156.10197.1.501"
#define LIST_VERSION 1
/* "<shard, 4 hex>/<number, 16 hex>" and "<shard>/<version key>" */
#define LKEY_MAX 64

/* ---- ASN.1 ------------------------------------------------------------------------ */

typedef struct {
    ASN1_INTEGER *size;
    ASN1_OCTET_STRING *root;
} SL_CHECKPOINT;

typedef struct {
    ASN1_IA5STRING *esid;
    ASN1_INTEGER *version;
    ASN1_OCTET_STRING *seal_digest;
    ASN1_INTEGER *cert_serial;
    ASN1_ENUMERATED *status;
    ASN1_ENUMERATED *reason;
    ASN1_GENERALIZEDTIME *status_time;
} SL_ENTRY;

DEFINE_STACK_OF(SL_ENTRY)

typedef struct {
    ASN1_INTEGER *version;
    ASN1_INTEGER *shard;
    ASN1_INTEGER *shard_count;
    ASN1_INTEGER *number;
    ASN1_INTEGER *base_number;
    ASN1_GENERALIZEDTIME *this_update;
    ASN1_GENERALIZEDTIME *next_update;
    SL_CHECKPOINT *checkpoint;
    STACK_OF(SL_ENTRY) * entries;
} SL_TBS;

typedef struct {
    SL_TBS *tbs;
    ASN1_OBJECT *sig_alg;
    ASN1_BIT_STRING *signature;
} SL_LIST;

DECLARE_ASN1_FUNCTIONS(SL_CHECKPOINT)
DECLARE_ASN1_FUNCTIONS(SL_ENTRY)
DECLARE_ASN1_FUNCTIONS(SL_TBS)
DECLARE_ASN1_FUNCTIONS(SL_LIST)

/* clang-format off */
ASN1_SEQUENCE(SL_CHECKPOINT) = {
    ASN1_SIMPLE(SL_CHECKPOINT, size, ASN1_INTEGER),
    ASN1_SIMPLE(SL_CHECKPOINT, root, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(SL_CHECKPOINT)

ASN1_SEQUENCE(SL_ENTRY) = {
    ASN1_SIMPLE(SL_ENTRY, esid, ASN1_IA5STRING),
    ASN1_SIMPLE(SL_ENTRY, version, ASN1_INTEGER),
    ASN1_SIMPLE(SL_ENTRY, seal_digest, ASN1_OCTET_STRING),
    ASN1_SIMPLE(SL_ENTRY, cert_serial, ASN1_INTEGER),
    ASN1_SIMPLE(SL_ENTRY, status, ASN1_ENUMERATED),
    ASN1_IMP_OPT(SL_ENTRY, reason, ASN1_ENUMERATED, 0),
    ASN1_SIMPLE(SL_ENTRY, status_time, ASN1_GENERALIZEDTIME),
} ASN1_SEQUENCE_END(SL_ENTRY)

ASN1_SEQUENCE(SL_TBS) = {
    ASN1_SIMPLE(SL_TBS, version, ASN1_INTEGER),
    ASN1_SIMPLE(SL_TBS, shard, ASN1_INTEGER),
    ASN1_SIMPLE(SL_TBS, shard_count, ASN1_INTEGER),
    ASN1_SIMPLE(SL_TBS, number, ASN1_INTEGER),
    ASN1_IMP_OPT(SL_TBS, base_number, ASN1_INTEGER, 0),
    ASN1_SIMPLE(SL_TBS, this_update, ASN1_GENERALIZEDTIME),
    ASN1_SIMPLE(SL_TBS, next_update, ASN1_GENERALIZEDTIME),
    ASN1_SIMPLE(SL_TBS, checkpoint, SL_CHECKPOINT),
    ASN1_SEQUENCE_OF(SL_TBS, entries, SL_ENTRY),
} ASN1_SEQUENCE_END(SL_TBS)

ASN1_SEQUENCE(SL_LIST) = {
    ASN1_SIMPLE(SL_LIST, tbs, SL_TBS),
    ASN1_SIMPLE(SL_LIST, sig_alg, ASN1_OBJECT),
    ASN1_SIMPLE(SL_LIST, signature, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(SL_LIST)

IMPLEMENT_ASN1_FUNCTIONS(SL_CHECKPOINT)
IMPLEMENT_ASN1_FUNCTIONS(SL_ENTRY)
IMPLEMENT_ASN1_FUNCTIONS(SL_TBS)
IMPLEMENT_ASN1_FUNCTIONS(SL_LIST)
                            /* clang-format on */

                            /* ---- small helpers
                               ------------------------------------------------------------------ */

                            static const char *
                            jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

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
    const char *esid = jstr(rec, "esid");
    return eseal_publisher_shard(esid != NULL ? esid : "", p->shards);
}

static void oom_if(int failed)
{
    if (failed) {
        fprintf(stderr, "eseal-publisherd: out of memory building a status list\n");
        abort();
    }
}

/* entry_of encodes the status record |rec| as a list entry. */
static eseal_rc entry_of(const json_t *rec, SL_ENTRY **out, struct eseal_err *err)
{
    *out = NULL;
    enum eseal_status st;
    int64_t when = 0;
    struct eseal_buf seal;
    eseal_buf_init(&seal);
    BIGNUM *bn = NULL;
    const char *serial = jstr(rec, "cert_serial"), *esid = jstr(rec, "esid");
    json_int_t version = json_integer_value(json_object_get(rec, "version"));
    if (esid == NULL || serial == NULL ||
        eseal_status_from_name(jstr(rec, "status"), &st) != ESEAL_OK ||
        !pub_parse_time(jstr(rec, "status_time"), &when) || jstr(rec, "seal_sm3") == NULL ||
        eseal_unhex(&seal, jstr(rec, "seal_sm3"), 2 * ESEAL_SM3_LEN, NULL) != ESEAL_OK ||
        BN_hex2bn(&bn, serial) != (int)strlen(serial)) {
        eseal_buf_cleanup(&seal);
        BN_free(bn);
        return eseal_err_set(err, ESEAL_E_INTERNAL, "a stored status record is malformed");
    }
    SL_ENTRY *e = SL_ENTRY_new();
    oom_if(e == NULL);
    ASN1_INTEGER_free(e->cert_serial);
    e->cert_serial = BN_to_ASN1_INTEGER(bn, NULL);
    BN_free(bn);
    const char *reason = jstr(rec, "reason");
    int code = reason != NULL ? eseal_status_reason_code(reason) : -1;
    if (reason != NULL && code < 0)
        code = 0; /* unspecified */
    if (code >= 0) {
        e->reason = ASN1_ENUMERATED_new();
        oom_if(e->reason == NULL || ASN1_ENUMERATED_set(e->reason, code) != 1);
    }
    oom_if(e->cert_serial == NULL || ASN1_STRING_set(e->esid, esid, (int)strlen(esid)) != 1 ||
           ASN1_INTEGER_set_int64(e->version, (int64_t)version) != 1 ||
           ASN1_OCTET_STRING_set(e->seal_digest, seal.data, ESEAL_SM3_LEN) != 1 ||
           ASN1_ENUMERATED_set(e->status, (long)st) != 1 ||
           ASN1_GENERALIZEDTIME_set(e->status_time, (time_t)when) == NULL);
    eseal_buf_cleanup(&seal);
    *out = e;
    return ESEAL_OK;
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
    SL_LIST *l = SL_LIST_new();
    oom_if(l == NULL);
    SL_TBS *t = l->tbs;
    unsigned char *tbs = NULL, *out = NULL;
    struct eseal_buf sig;
    eseal_buf_init(&sig);
    eseal_rc rc = ESEAL_OK;
    size_t n = json_object_size(records), i = 0;
    const char **keys = eseal_xcalloc(n > 0 ? n : 1, sizeof(*keys));
    const char *k;
    json_t *v;
    json_object_foreach(records, k, v) keys[i++] = k;
    qsort(keys, n, sizeof(*keys), cmp_str);
    for (i = 0; i < n; i++) {
        SL_ENTRY *e;
        if ((rc = entry_of(json_object_get(records, keys[i]), &e, err)) != ESEAL_OK)
            goto out;
        oom_if(sk_SL_ENTRY_push(t->entries, e) <= 0);
    }
    if (base > 0) {
        t->base_number = ASN1_INTEGER_new();
        oom_if(t->base_number == NULL || ASN1_INTEGER_set_uint64(t->base_number, base) != 1);
    }
    oom_if(ASN1_INTEGER_set(t->version, LIST_VERSION) != 1 ||
           ASN1_INTEGER_set_uint64(t->shard, shard) != 1 ||
           ASN1_INTEGER_set_uint64(t->shard_count, p->shards) != 1 ||
           ASN1_INTEGER_set_uint64(t->number, number) != 1 ||
           ASN1_GENERALIZEDTIME_set(t->this_update, (time_t)this_update) == NULL ||
           ASN1_GENERALIZEDTIME_set(t->next_update, (time_t)next_update) == NULL ||
           ASN1_INTEGER_set_uint64(t->checkpoint->size, cp->size) != 1 ||
           ASN1_OCTET_STRING_set(t->checkpoint->root, cp->root, ESEAL_MERKLE_HASH_LEN) != 1);
    int tbs_len = i2d_SL_TBS(t, &tbs);
    oom_if(tbs_len <= 0);
    if ((rc = eseal_ca_sign(p->ca, ESEAL_CA_RESPONDER, tbs, (size_t)tbs_len, &sig, err)) !=
        ESEAL_OK)
        goto out;
    ASN1_OBJECT_free(l->sig_alg);
    l->sig_alg = OBJ_txt2obj(SM2_WITH_SM3_OID, 1);
    oom_if(l->sig_alg == NULL || ASN1_BIT_STRING_set(l->signature, sig.data, (int)sig.len) != 1);
    /* a whole number of bytes: keep trailing zero bits as they are */
    l->signature->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
    l->signature->flags |= ASN1_STRING_FLAG_BITS_LEFT;
    int len = i2d_SL_LIST(l, &out);
    oom_if(len <= 0);
    eseal_buf_reset(der);
    eseal_buf_append(der, out, (size_t)len);
out:
    free(keys);
    OPENSSL_free(tbs);
    OPENSSL_free(out);
    eseal_buf_cleanup(&sig);
    SL_LIST_free(l);
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
            json_t *rec = rc == ESEAL_OK ? json_loadb((const char *)v.data, v.len, 0, NULL) : NULL;
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
        json_t *rec = json_loadb((const char *)val, vl, 0, NULL);
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

eseal_rc pub_lists_update(struct eseal_publisher *p, struct eseal_kv_batch *b, json_t *touched,
                          int64_t now, struct eseal_err *err)
{
    json_t **changes = eseal_xcalloc(p->shards, sizeof(*changes));
    eseal_rc rc = ESEAL_OK;
    const char *k;
    json_t *rec;
    json_object_foreach(touched, k, rec)
    {
        unsigned shard = shard_of(p, rec);
        char key[LKEY_MAX];
        index_key(shard, k, key);
        eseal_kv_batch_put(b, CF_LIST_INDEX, key, strlen(key), "", 0);
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
        json_t *row = json_loadb((const char *)v.data, v.len, 0, NULL);
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

/* ---- parsing ------------------------------------------------------------------------------ */

static bool get_time(const ASN1_GENERALIZEDTIME *t, int64_t *out)
{
    struct tm tm;
    if (ASN1_GENERALIZEDTIME_check(t) != 1 || ASN1_TIME_to_tm(t, &tm) != 1)
        return false;
    *out = (int64_t)timegm(&tm);
    return true;
}

static bool copy_str(char *dst, size_t cap, const ASN1_STRING *s)
{
    int n = ASN1_STRING_length(s);
    const unsigned char *d = ASN1_STRING_get0_data(s);
    if (n <= 0 || (size_t)n >= cap || memchr(d, 0, (size_t)n) != NULL)
        return false;
    memcpy(dst, d, (size_t)n);
    dst[n] = '\0';
    return true;
}

static bool get_serial(const ASN1_INTEGER *i, char out[ESEAL_STATUS_SERIAL_MAX + 1])
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(i, NULL);
    char *hex = bn != NULL && !BN_is_negative(bn) ? BN_bn2hex(bn) : NULL;
    const char *h = hex;
    while (h != NULL && h[0] == '0' && h[1] != '\0')
        h++;
    bool ok = h != NULL && strlen(h) <= ESEAL_STATUS_SERIAL_MAX;
    if (ok)
        snprintf(out, ESEAL_STATUS_SERIAL_MAX + 1, "%s", h);
    OPENSSL_free(hex);
    BN_free(bn);
    return ok;
}

/* tlv_span returns the length of the TLV at |der| (within |len|), or 0. */
static size_t tlv_span(const uint8_t *der, size_t len, size_t *header)
{
    const unsigned char *q = der;
    long inner;
    int tag, cls;
    if (ASN1_get_object(&q, &inner, &tag, &cls, (long)len) & 0x80)
        return 0;
    *header = (size_t)(q - der);
    if ((size_t)inner > len - *header)
        return 0;
    return *header + (size_t)inner;
}

void eseal_status_list_cleanup(struct eseal_status_list *l)
{
    if (l == NULL)
        return;
    free(l->entries);
    memset(l, 0, sizeof(*l));
}

static eseal_rc parse(struct eseal_status_list *out, const uint8_t *der, size_t len, char *oid,
                      size_t oid_len, bool *bits_ok, struct eseal_err *err)
{
    memset(out, 0, sizeof(*out));
    if (len > (size_t)LONG_MAX)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "status list too big");
    const unsigned char *q = der;
    SL_LIST *l = d2i_SL_LIST(NULL, &q, (long)len);
    eseal_rc rc = ESEAL_OK;
    if (l == NULL || q != der + len) {
        rc = eseal_err_openssl(err, ESEAL_E_INVALID, "not a status list (or trailing bytes)");
        goto out;
    }
    const SL_TBS *t = l->tbs;
    uint64_t shard, count, size;
    if (ASN1_INTEGER_get(t->version) != LIST_VERSION ||
        ASN1_INTEGER_get_uint64(&shard, t->shard) != 1 ||
        ASN1_INTEGER_get_uint64(&count, t->shard_count) != 1 || count == 0 || count > 1024 ||
        shard >= count || ASN1_INTEGER_get_uint64(&out->number, t->number) != 1 ||
        (t->base_number != NULL &&
         ASN1_INTEGER_get_uint64(&out->base_number, t->base_number) != 1) ||
        !get_time(t->this_update, &out->this_update) ||
        !get_time(t->next_update, &out->next_update) ||
        ASN1_INTEGER_get_uint64(&size, t->checkpoint->size) != 1 ||
        ASN1_STRING_length(t->checkpoint->root) != ESEAL_MERKLE_HASH_LEN) {
        rc = eseal_err_set(err, ESEAL_E_INVALID, "status list: a field is out of range");
        goto out;
    }
    out->shard = (unsigned)shard;
    out->shard_count = (unsigned)count;
    out->delta = t->base_number != NULL;
    out->checkpoint_size = size;
    memcpy(out->checkpoint_root, ASN1_STRING_get0_data(t->checkpoint->root), ESEAL_MERKLE_HASH_LEN);
    int n = sk_SL_ENTRY_num(t->entries);
    out->entries = eseal_xcalloc(n > 0 ? (size_t)n : 1, sizeof(*out->entries));
    for (int i = 0; i < n; i++) {
        const SL_ENTRY *e = sk_SL_ENTRY_value(t->entries, i);
        struct eseal_status_list_entry *o = &out->entries[i];
        long st = ASN1_ENUMERATED_get(e->status);
        const char *reason =
            e->reason != NULL ? eseal_status_reason_name((int)ASN1_ENUMERATED_get(e->reason)) : "";
        if (!copy_str(o->esid, sizeof(o->esid), e->esid) ||
            ASN1_INTEGER_get_int64(&o->version, e->version) != 1 ||
            ASN1_STRING_length(e->seal_digest) != ESEAL_SM3_LEN ||
            !get_serial(e->cert_serial, o->cert_serial) || st < 0 || st >= ESEAL_STATUS_UNKNOWN ||
            reason == NULL || !get_time(e->status_time, &o->status_time)) {
            rc = eseal_err_set(err, ESEAL_E_INVALID, "status list: entry %d is malformed", i);
            goto out;
        }
        memcpy(o->seal_sm3, ASN1_STRING_get0_data(e->seal_digest), ESEAL_SM3_LEN);
        o->status = (enum eseal_status)st;
        snprintf(o->reason, sizeof(o->reason), "%s", reason);
        out->n_entries++;
    }
    size_t outer_header, inner_header;
    size_t span = tlv_span(der, len, &outer_header) == len
                      ? tlv_span(der + outer_header, len - outer_header, &inner_header)
                      : 0;
    if (span == 0) {
        rc = eseal_err_set(err, ESEAL_E_INVALID, "status list: bad lengths");
        goto out;
    }
    out->tbs = der + outer_header;
    out->tbs_len = span;
    out->sig_len = (size_t)ASN1_STRING_length(l->signature);
    out->sig = der + len - out->sig_len;
    if (oid != NULL)
        OBJ_obj2txt(oid, (int)oid_len, l->sig_alg, 1);
    if (bits_ok != NULL)
        *bits_ok = (l->signature->flags & 0x07) == 0;
out:
    SL_LIST_free(l);
    if (rc != ESEAL_OK)
        eseal_status_list_cleanup(out);
    return rc;
}

eseal_rc eseal_status_list_parse(struct eseal_status_list *out, const uint8_t *der, size_t len,
                                 struct eseal_err *err)
{
    return parse(out, der, len, NULL, 0, NULL, err);
}

eseal_rc eseal_status_list_verify(struct eseal_status_list *out, const uint8_t *der, size_t len,
                                  X509 *responder, struct eseal_err *err)
{
    char oid[64] = "";
    bool bits_ok = false;
    eseal_rc rc = parse(out, der, len, oid, sizeof(oid), &bits_ok, err);
    if (rc != ESEAL_OK)
        return rc;
    EVP_PKEY *key = X509_get0_pubkey(responder);
    if (strcmp(oid, SM2_WITH_SM3_OID) != 0 || !bits_ok)
        rc = eseal_err_set(err, ESEAL_E_CRYPTO, "status list: not signed with SM2-with-SM3");
    else if (key == NULL)
        rc = eseal_err_openssl(err, ESEAL_E_INVALID, "the responder certificate has no key");
    else if ((rc = eseal_sm2_verify(key, out->tbs, out->tbs_len, out->sig, out->sig_len, err)) !=
             ESEAL_OK)
        eseal_err_prefix(err, "status list signature");
    if (rc != ESEAL_OK)
        eseal_status_list_cleanup(out);
    return rc;
}
