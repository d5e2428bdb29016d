/* kv.h — the RocksDB adapter: the only module that includes rocksdb/c.h.
 * Column families are named at open and addressed by their index in that list;
 * RocksDB's `char **errptr` errors become eseal_rc with the message kept.
 *
 * Thread-safety: one struct eseal_kv may be used by several threads at once
 * for get, put, delete, write and iter_new (RocksDB's handle is thread-safe;
 * each write is atomic, but a read-then-write is not: callers that need one
 * hold their own lock). A batch or an iterator belongs to one thread at a
 * time. eseal_kv_close must not race with any other call on |kv|, and every
 * iterator of |kv| must be freed before it. */
#ifndef ESEAL_KV_H
#define ESEAL_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

struct eseal_kv;
struct eseal_kv_batch;
struct eseal_kv_iter;

/* ESEAL_KV_MAX_CFS bounds the number of column families one database may use. */
#define ESEAL_KV_MAX_CFS 32

/* eseal_kv_open opens (creating if missing, with parents) the database at
 * |path| with the column families |cf_names[0..n_cfs)|; missing families are
 * created. |cf_names[0]| must be "default". Afterwards column family i is
 * addressed as |cf| = i. A database that holds a family not listed is opened
 * all the same (RocksDB requires it) but that family is not addressable.
 * On success *out is a new handle; free it with eseal_kv_close. A database
 * locked by another process is ESEAL_E_UNAVAILABLE; others ESEAL_E_IO. */
eseal_rc eseal_kv_open(struct eseal_kv **out, const char *path, const char *const *cf_names,
                       size_t n_cfs, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_kv_close flushes nothing extra (writes are durable per their sync flag)
 * and frees |kv|. Accepts NULL. */
void eseal_kv_close(struct eseal_kv *kv);

/* eseal_kv_get copies the value of |key| in family |cf| into |val| (replacing
 * it). A missing key is ESEAL_E_NOTFOUND (with no message: it is not an error
 * to be logged). A bad |cf| is ESEAL_E_INVALID. */
eseal_rc eseal_kv_get(struct eseal_kv *kv, unsigned cf, const void *key, size_t key_len,
                      struct eseal_buf *val, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_kv_put stores |key| -> |val| in family |cf|. With |sync| the write is
 * fsync'd to the WAL before returning. */
eseal_rc eseal_kv_put(struct eseal_kv *kv, unsigned cf, const void *key, size_t key_len,
                      const void *val, size_t val_len, bool sync,
                      struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_kv_delete removes |key| from family |cf| (no error if absent). */
eseal_rc eseal_kv_delete(struct eseal_kv *kv, unsigned cf, const void *key, size_t key_len,
                         bool sync, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_kv_batch_new returns a new empty write batch for |kv|; free it with
 * eseal_kv_batch_free (accepts NULL). Batch operations copy their arguments. */
struct eseal_kv_batch *eseal_kv_batch_new(struct eseal_kv *kv);
void eseal_kv_batch_free(struct eseal_kv_batch *b);
void eseal_kv_batch_put(struct eseal_kv_batch *b, unsigned cf, const void *key, size_t key_len,
                        const void *val, size_t val_len);
void eseal_kv_batch_delete(struct eseal_kv_batch *b, unsigned cf, const void *key, size_t key_len);
/* eseal_kv_batch_count returns the number of operations in |b|. */
size_t eseal_kv_batch_count(const struct eseal_kv_batch *b);

/* eseal_kv_write applies |b| atomically: all of it or nothing. A batch that
 * names a |cf| out of range is ESEAL_E_INVALID and writes nothing. The batch
 * is left as it was (free it or write it again). */
eseal_rc eseal_kv_write(struct eseal_kv *kv, struct eseal_kv_batch *b, bool sync,
                        struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_kv_failure returns how the last write (put, delete or batch) on
 * |kv| failed, with its message in |err| (which may be NULL), or ESEAL_OK
 * when it succeeded or none was made. After a failed sync RocksDB refuses
 * every write until it recovers, so a daemon reports this on /healthz. */
eseal_rc eseal_kv_failure(struct eseal_kv *kv, struct eseal_err *err);

/* eseal_kv_iter_new returns an iterator over family |cf| in key order, on a
 * consistent snapshot taken now, not yet positioned (call a seek). Returns
 * NULL for a bad |cf|. Free with eseal_kv_iter_free (accepts NULL) before
 * closing |kv|. */
struct eseal_kv_iter *eseal_kv_iter_new(struct eseal_kv *kv, unsigned cf);
void eseal_kv_iter_free(struct eseal_kv_iter *it);
void eseal_kv_iter_seek_first(struct eseal_kv_iter *it);
void eseal_kv_iter_seek_last(struct eseal_kv_iter *it);
/* eseal_kv_iter_seek positions at the first key >= |key|. */
void eseal_kv_iter_seek(struct eseal_kv_iter *it, const void *key, size_t key_len);
bool eseal_kv_iter_valid(const struct eseal_kv_iter *it);
void eseal_kv_iter_next(struct eseal_kv_iter *it);
void eseal_kv_iter_prev(struct eseal_kv_iter *it);
/* eseal_kv_iter_key and _value point into the iterator: valid until the next
 * move or free. Call only while eseal_kv_iter_valid. */
const uint8_t *eseal_kv_iter_key(const struct eseal_kv_iter *it, size_t *len);
const uint8_t *eseal_kv_iter_value(const struct eseal_kv_iter *it, size_t *len);
/* eseal_kv_iter_status reports an I/O or corruption error met while iterating
 * (iteration ends early on error: check after the loop). */
eseal_rc eseal_kv_iter_status(const struct eseal_kv_iter *it, struct eseal_err *err);

/* eseal_kv_property returns the integer RocksDB property |name| (e.g.
 * "rocksdb.total-sst-files-size", "rocksdb.estimate-num-keys") summed over
 * every column family; a property RocksDB does not know counts 0. For
 * GET /metrics. */
uint64_t eseal_kv_property(struct eseal_kv *kv, const char *name);

/* eseal_kv_checkpoint writes a consistent copy of the database, as of now,
 * to the directory |dir|, which must not exist (RocksDB creates it): hard
 * links to the table files where |dir| is on the same file system, copies
 * elsewhere. Safe while other threads read and write. */
eseal_rc eseal_kv_checkpoint(struct eseal_kv *kv, const char *dir,
                             struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
