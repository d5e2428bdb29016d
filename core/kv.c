/* kv.c — the RocksDB adapter: column families by index, errors as eseal_rc. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rocksdb/c.h>

#include "eseal/kv.h"

struct eseal_kv {
    rocksdb_t *db;
    /* The requested families first (addressable as 0..n_cfs), then those found
     * on disk but not requested: opened because RocksDB insists, never used. */
    rocksdb_column_family_handle_t **cfs;
    size_t n_cfs;
    size_t n_handles;
    rocksdb_readoptions_t *get_opts;
    rocksdb_readoptions_t *scan_opts;
    rocksdb_writeoptions_t *write_opts;
    rocksdb_writeoptions_t *sync_opts;
    /* the last write's failure (rc ESEAL_OK once a write succeeds again),
     * for the daemons' /healthz: RocksDB refuses every write after a failed
     * sync until it recovers */
    pthread_mutex_t fail_mu;
    struct eseal_err failed;
};

struct eseal_kv_batch {
    struct eseal_kv *kv;
    rocksdb_writebatch_t *wb;
    /* Operations naming a family out of range are not added to |wb| but
     * remembered, so the whole batch is refused before anything is written. */
    size_t n_bad;
    unsigned bad_cf;
};

struct eseal_kv_iter {
    rocksdb_iterator_t *it;
};

/* kv_fail turns a RocksDB error string into an eseal_rc with the message kept
 * and frees the string. Only a held LOCK file means "try later": anything else
 * about the database is an I/O failure. */
static eseal_rc kv_fail(struct eseal_err *err, char *rerr, const char *what)
{
    eseal_rc rc = ESEAL_E_IO;
    /* Matching the exact phrases, not any "lock", keeps a path such as
     * /srv/block/db or a failure to create the LOCK file out of this case. */
    if (strstr(rerr, "lock hold by current process") != NULL ||
        strstr(rerr, "While lock file") != NULL)
        rc = ESEAL_E_UNAVAILABLE;
    eseal_err_set(err, rc, "%s: %s", what, rerr);
    rocksdb_free(rerr);
    return rc;
}

static eseal_rc check_cf_names(const char *const *cf_names, size_t n_cfs, struct eseal_err *err)
{
    if (cf_names == NULL || n_cfs == 0 || n_cfs > ESEAL_KV_MAX_CFS)
        return eseal_err_set(err, ESEAL_E_INVALID, "kv: between 1 and %d column families needed",
                             ESEAL_KV_MAX_CFS);
    /* RocksDB always has "default"; pinning it to index 0 keeps indexes stable. */
    if (cf_names[0] == NULL || strcmp(cf_names[0], "default") != 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "kv: column family 0 must be \"default\"");
    for (size_t i = 1; i < n_cfs; i++) {
        if (cf_names[i] == NULL || cf_names[i][0] == '\0')
            return eseal_err_set(err, ESEAL_E_INVALID, "kv: column family %zu has no name", i);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(cf_names[i], cf_names[j]) == 0)
                return eseal_err_set(err, ESEAL_E_INVALID, "kv: column family \"%s\" named twice",
                                     cf_names[i]);
        }
    }
    return ESEAL_OK;
}

static bool name_listed(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0)
            return true;
    }
    return false;
}

/* struct cf_list is every family to open: the requested ones first, then
 * those found on disk but not requested (pointing into |disk|). */
struct cf_list {
    const char **names;
    size_t n;
    char **disk;
    size_t disk_n;
};

static void cf_list_cleanup(struct cf_list *l)
{
    free(l->names);
    if (l->disk != NULL)
        rocksdb_list_column_families_destroy(l->disk, l->disk_n);
}

static eseal_rc cf_list_build(struct cf_list *l, const rocksdb_options_t *opts, const char *path,
                              const char *const *cf_names, size_t n_cfs, struct eseal_err *err)
{
    char *current = eseal_path_join(path, "CURRENT");
    /* Without CURRENT there is no database yet, so nothing to list; RocksDB
     * would report that as an error indistinguishable from a real one. */
    bool exists = access(current, F_OK) == 0 || errno != ENOENT;
    free(current);
    if (exists) {
        char *rerr = NULL;
        l->disk = rocksdb_list_column_families(opts, path, &l->disk_n, &rerr);
        if (rerr != NULL)
            return kv_fail(err, rerr, path);
    }
    l->names = eseal_xcalloc(n_cfs + l->disk_n, sizeof(*l->names));
    for (size_t i = 0; i < n_cfs; i++)
        l->names[l->n++] = cf_names[i];
    for (size_t i = 0; i < l->disk_n; i++) {
        if (!name_listed(cf_names, n_cfs, l->disk[i]))
            l->names[l->n++] = l->disk[i];
    }
    return ESEAL_OK;
}

static rocksdb_options_t *db_options(void)
{
    rocksdb_options_t *opts = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(opts, 1);
    rocksdb_options_set_create_missing_column_families(opts, 1);
    return opts;
}

/* open_db opens |names[0..n)| into a new kv whose first |n_cfs| are addressable. */
static eseal_rc open_db(struct eseal_kv **out, const rocksdb_options_t *opts, const char *path,
                        const char **names, size_t n, size_t n_cfs, struct eseal_err *err)
{
    if (n > INT_MAX)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s: too many column families", path);
    const rocksdb_options_t **cf_opts = eseal_xcalloc(n, sizeof(*cf_opts));
    for (size_t i = 0; i < n; i++)
        cf_opts[i] = opts;
    rocksdb_column_family_handle_t **cfs = eseal_xcalloc(n, sizeof(*cfs));
    char *rerr = NULL;
    rocksdb_t *db = rocksdb_open_column_families(opts, path, (int)n, names, cf_opts, cfs, &rerr);
    free(cf_opts);
    if (rerr != NULL) {
        free(cfs);
        return kv_fail(err, rerr, path);
    }
    struct eseal_kv *kv = eseal_xcalloc(1, sizeof(*kv));
    kv->db = db;
    kv->cfs = cfs;
    kv->n_cfs = n_cfs;
    kv->n_handles = n;
    kv->get_opts = rocksdb_readoptions_create();
    /* A scan reads each block once; caching it would evict the blocks that
     * point lookups keep needing. */
    kv->scan_opts = rocksdb_readoptions_create();
    rocksdb_readoptions_set_fill_cache(kv->scan_opts, 0);
    kv->write_opts = rocksdb_writeoptions_create();
    kv->sync_opts = rocksdb_writeoptions_create();
    rocksdb_writeoptions_set_sync(kv->sync_opts, 1);
    pthread_mutex_init(&kv->fail_mu, NULL);
    eseal_err_clear(&kv->failed);
    *out = kv;
    return ESEAL_OK;
}

eseal_rc eseal_kv_open(struct eseal_kv **out, const char *path, const char *const *cf_names,
                       size_t n_cfs, struct eseal_err *err)
{
    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return eseal_err_set(err, ESEAL_E_INVALID, "kv: no database path");
    eseal_rc rc = check_cf_names(cf_names, n_cfs, err);
    if (rc != ESEAL_OK)
        return rc;
    rc = eseal_mkdirs(path, 0700, err);
    if (rc != ESEAL_OK)
        return rc;
    rocksdb_options_t *opts = db_options();
    struct cf_list l = {0};
    rc = cf_list_build(&l, opts, path, cf_names, n_cfs, err);
    if (rc == ESEAL_OK)
        rc = open_db(out, opts, path, l.names, l.n, n_cfs, err);
    cf_list_cleanup(&l);
    rocksdb_options_destroy(opts);
    return rc;
}

void eseal_kv_close(struct eseal_kv *kv)
{
    if (kv == NULL)
        return;
    /* Handles must go before the database they belong to. */
    for (size_t i = 0; i < kv->n_handles; i++)
        rocksdb_column_family_handle_destroy(kv->cfs[i]);
    rocksdb_close(kv->db);
    rocksdb_readoptions_destroy(kv->get_opts);
    rocksdb_readoptions_destroy(kv->scan_opts);
    rocksdb_writeoptions_destroy(kv->write_opts);
    rocksdb_writeoptions_destroy(kv->sync_opts);
    pthread_mutex_destroy(&kv->fail_mu);
    free(kv->cfs);
    free(kv);
}

static eseal_rc bad_cf(struct eseal_err *err, const struct eseal_kv *kv, unsigned cf)
{
    return eseal_err_set(err, ESEAL_E_INVALID, "kv: column family %u out of range (%zu open)", cf,
                         kv->n_cfs);
}

eseal_rc eseal_kv_get(struct eseal_kv *kv, unsigned cf, const void *key, size_t key_len,
                      struct eseal_buf *val, struct eseal_err *err)
{
    eseal_buf_reset(val);
    if (cf >= kv->n_cfs)
        return bad_cf(err, kv, cf);
    char *rerr = NULL;
    /* A pinned slice avoids a copy and tells "absent" (NULL) from "empty". */
    rocksdb_pinnableslice_t *ps =
        rocksdb_get_pinned_cf(kv->db, kv->get_opts, kv->cfs[cf], key, key_len, &rerr);
    if (rerr != NULL)
        return kv_fail(err, rerr, "rocksdb get");
    if (ps == NULL) {
        eseal_err_clear(err);
        return ESEAL_E_NOTFOUND;
    }
    size_t len = 0;
    const char *data = rocksdb_pinnableslice_value(ps, &len);
    eseal_buf_append(val, data, len);
    rocksdb_pinnableslice_destroy(ps);
    return ESEAL_OK;
}

static const rocksdb_writeoptions_t *write_opts(const struct eseal_kv *kv, bool sync)
{
    return sync ? kv->sync_opts : kv->write_opts;
}

/* wrote records how a write ended (|rerr| NULL: it succeeded) as the
 * database's write state, and turns a failure into an eseal_rc. */
static eseal_rc wrote(struct eseal_kv *kv, char *rerr, const char *what, struct eseal_err *err)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = rerr != NULL ? kv_fail(&e, rerr, what) : ESEAL_OK;
    pthread_mutex_lock(&kv->fail_mu);
    kv->failed = e;
    pthread_mutex_unlock(&kv->fail_mu);
    if (rc != ESEAL_OK && err != NULL)
        *err = e;
    return rc;
}

eseal_rc eseal_kv_failure(struct eseal_kv *kv, struct eseal_err *err)
{
    pthread_mutex_lock(&kv->fail_mu);
    eseal_rc rc = kv->failed.rc;
    if (rc != ESEAL_OK && err != NULL)
        *err = kv->failed;
    pthread_mutex_unlock(&kv->fail_mu);
    return rc;
}

eseal_rc eseal_kv_put(struct eseal_kv *kv, unsigned cf, const void *key, size_t key_len,
                      const void *val, size_t val_len, bool sync, struct eseal_err *err)
{
    if (cf >= kv->n_cfs)
        return bad_cf(err, kv, cf);
    char *rerr = NULL;
    rocksdb_put_cf(kv->db, write_opts(kv, sync), kv->cfs[cf], key, key_len, val, val_len, &rerr);
    return wrote(kv, rerr, "rocksdb put", err);
}

eseal_rc eseal_kv_delete(struct eseal_kv *kv, unsigned cf, const void *key, size_t key_len,
                         bool sync, struct eseal_err *err)
{
    if (cf >= kv->n_cfs)
        return bad_cf(err, kv, cf);
    char *rerr = NULL;
    rocksdb_delete_cf(kv->db, write_opts(kv, sync), kv->cfs[cf], key, key_len, &rerr);
    return wrote(kv, rerr, "rocksdb delete", err);
}

struct eseal_kv_batch *eseal_kv_batch_new(struct eseal_kv *kv)
{
    struct eseal_kv_batch *b = eseal_xcalloc(1, sizeof(*b));
    b->kv = kv;
    b->wb = rocksdb_writebatch_create();
    return b;
}

void eseal_kv_batch_free(struct eseal_kv_batch *b)
{
    if (b == NULL)
        return;
    rocksdb_writebatch_destroy(b->wb);
    free(b);
}

/* batch_cf_ok records an out-of-range |cf| so that eseal_kv_write refuses. */
static bool batch_cf_ok(struct eseal_kv_batch *b, unsigned cf)
{
    if (cf < b->kv->n_cfs)
        return true;
    if (b->n_bad++ == 0)
        b->bad_cf = cf;
    return false;
}

void eseal_kv_batch_put(struct eseal_kv_batch *b, unsigned cf, const void *key, size_t key_len,
                        const void *val, size_t val_len)
{
    if (batch_cf_ok(b, cf))
        rocksdb_writebatch_put_cf(b->wb, b->kv->cfs[cf], key, key_len, val, val_len);
}

void eseal_kv_batch_delete(struct eseal_kv_batch *b, unsigned cf, const void *key, size_t key_len)
{
    if (batch_cf_ok(b, cf))
        rocksdb_writebatch_delete_cf(b->wb, b->kv->cfs[cf], key, key_len);
}

size_t eseal_kv_batch_count(const struct eseal_kv_batch *b)
{
    /* Refused operations count too: the caller added them. */
    return (size_t)rocksdb_writebatch_count(b->wb) + b->n_bad;
}

eseal_rc eseal_kv_write(struct eseal_kv *kv, struct eseal_kv_batch *b, bool sync,
                        struct eseal_err *err)
{
    /* The batch holds |b->kv|'s family handles; another database's are not
     * interchangeable with them. */
    if (b->kv != kv)
        return eseal_err_set(err, ESEAL_E_INVALID, "kv: batch belongs to another database");
    if (b->n_bad > 0)
        return bad_cf(err, kv, b->bad_cf);
    char *rerr = NULL;
    rocksdb_write(kv->db, write_opts(kv, sync), b->wb, &rerr);
    return wrote(kv, rerr, "rocksdb write", err);
}

struct eseal_kv_iter *eseal_kv_iter_new(struct eseal_kv *kv, unsigned cf)
{
    if (cf >= kv->n_cfs)
        return NULL;
    struct eseal_kv_iter *it = eseal_xcalloc(1, sizeof(*it));
    /* A RocksDB iterator pins the sequence number it was made at, so it is
     * already a consistent snapshot; no explicit snapshot is needed. */
    it->it = rocksdb_create_iterator_cf(kv->db, kv->scan_opts, kv->cfs[cf]);
    return it;
}

void eseal_kv_iter_free(struct eseal_kv_iter *it)
{
    if (it == NULL)
        return;
    rocksdb_iter_destroy(it->it);
    free(it);
}

void eseal_kv_iter_seek_first(struct eseal_kv_iter *it)
{
    rocksdb_iter_seek_to_first(it->it);
}

void eseal_kv_iter_seek_last(struct eseal_kv_iter *it)
{
    rocksdb_iter_seek_to_last(it->it);
}

void eseal_kv_iter_seek(struct eseal_kv_iter *it, const void *key, size_t key_len)
{
    rocksdb_iter_seek(it->it, key, key_len);
}

bool eseal_kv_iter_valid(const struct eseal_kv_iter *it)
{
    return rocksdb_iter_valid(it->it) != 0;
}

void eseal_kv_iter_next(struct eseal_kv_iter *it)
{
    rocksdb_iter_next(it->it);
}

void eseal_kv_iter_prev(struct eseal_kv_iter *it)
{
    rocksdb_iter_prev(it->it);
}

const uint8_t *eseal_kv_iter_key(const struct eseal_kv_iter *it, size_t *len)
{
    return (const uint8_t *)rocksdb_iter_key(it->it, len);
}

const uint8_t *eseal_kv_iter_value(const struct eseal_kv_iter *it, size_t *len)
{
    return (const uint8_t *)rocksdb_iter_value(it->it, len);
}

eseal_rc eseal_kv_iter_status(const struct eseal_kv_iter *it, struct eseal_err *err)
{
    char *rerr = NULL;
    rocksdb_iter_get_error(it->it, &rerr);
    if (rerr != NULL)
        return kv_fail(err, rerr, "rocksdb iterator");
    return ESEAL_OK;
}

uint64_t eseal_kv_property(struct eseal_kv *kv, const char *name)
{
    uint64_t total = 0;
    for (size_t i = 0; i < kv->n_handles; i++) {
        uint64_t v = 0;
        if (rocksdb_property_int_cf(kv->db, kv->cfs[i], name, &v) == 0)
            total += v;
    }
    return total;
}

eseal_rc eseal_kv_checkpoint(struct eseal_kv *kv, const char *dir, struct eseal_err *err)
{
    char *rerr = NULL;
    rocksdb_checkpoint_t *cp = rocksdb_checkpoint_object_create(kv->db, &rerr);
    if (rerr != NULL)
        return kv_fail(err, rerr, dir);
    /* 0: flush the memtables first, so the checkpoint needs no WAL replay */
    rocksdb_checkpoint_create(cp, dir, 0, &rerr);
    rocksdb_checkpoint_object_destroy(cp);
    if (rerr != NULL)
        return kv_fail(err, rerr, dir);
    return ESEAL_OK;
}
