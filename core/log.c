/* log.c — the event log: opening and recovery, group commit, reads and proofs. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "eseal/json.h"
#include "eseal/kv.h"
#include "eseal/log.h"
#include "eseal/note.h"
#include "log_internal.h"

#define HLEN ESEAL_MERKLE_HASH_LEN

/* The index's column families. */
enum { CF_DEFAULT, CF_OFFSETS, CF_NODES, CF_CHECKPOINTS, N_CFS };
static const char *const index_cfs[N_CFS] = {"default", "offsets", "nodes", "checkpoints"};
/* In CF_DEFAULT: how many entries, and how many bytes of the checkpoints
 * file, the index covers (8-byte big-endian each). */
#define KEY_ENTRIES "entries"
#define KEY_CP_BYTES "checkpoint_bytes"

/* One commit takes at most this much: a bound on the write buffer and on the
 * latency a huge batch adds for everyone queued behind it. */
#define COMMIT_MAX_ENTRIES 4096
#define COMMIT_MAX_BYTES (16 * 1024 * 1024)
/* Reindexing writes the index in chunks of this many entries. */
#define REINDEX_CHUNK 10000

#define TIME_LEN 24 /* "YYYY-MM-DDTHH:MM:SS.mmmZ" */

struct seg {
    uint64_t first; /* index of its first entry; also its name */
    int fd;
    char *path;
};

/* struct prep is an entry made canonical by the appending thread, except for
 * what only the committer knows: the object's members with keys below "seq"
 * (|lo| bytes of |text|), between "seq" and "time" (|mid|) and above "time"
 * (|hi|), each without braces. When the entry has its own "time", |mid| holds
 * everything above "seq" and |hi| is empty. */
struct prep {
    char *text;
    size_t lo, mid, hi;
    bool add_time;
    bool want_seq;
    uint64_t seq;
};

struct sealed;

/* struct request is one append call waiting for its commit; it lives on the
 * caller's stack. */
struct request {
    struct request *next;
    struct prep *items;
    size_t n;
    size_t bytes; /* estimate for the commit bound */
    uint64_t first_seq;
    bool done;
    eseal_rc rc;
    struct eseal_err err;
};

struct eseal_log {
    char *dir, *seg_dir, *cp_path, *index_path;
    struct eseal_log_signer signer;
    bool writable; /* false: read-only (no signer) */
    struct eseal_log_key key;
    /* key, then the keys rotations retired: the log's own checkpoints */
    struct eseal_log_key keys[LOG_KEYS_MAX];
    size_t n_keys;
    struct eseal_kv *kv;
    uint64_t segment_bytes;

    /* The segment table grows when the committer rolls; readers copy it. */
    pthread_mutex_t seg_lock;
    struct seg *segs;
    size_t n_segs, cap_segs;

    /* Owned by the committer once open returns. */
    uint64_t seg_size; /* bytes in the last segment */
    uint64_t count;    /* entries in the segments */
    struct eseal_buf wbuf;
    /* Owned by the sealer once open returns. */
    int cp_fd;
    uint64_t cp_size; /* bytes in the checkpoints file */
    struct eseal_merkle_frontier frontier;

    pthread_mutex_t lock; /* everything below */
    pthread_cond_t work_cv, seal_cv, done_cv;
    struct request *queue, **queue_tail; /* appends waiting for the committer */
    struct sealed *sealq, **sealq_tail;  /* commits waiting for the sealer */
    bool stopping, seal_stopping;
    bool started;
    pthread_t committer, sealer;
    struct eseal_err failed; /* rc != ESEAL_OK after a commit failed */
    uint64_t durable;        /* entries fsync'd and acknowledged */
    uint64_t size;           /* published: covered by |note| */
    uint8_t root[HLEN];
    struct eseal_buf note;
    bool have_note;
    struct eseal_log_recovery recovery;
};

/* ---- small helpers -------------------------------------------------------- */

static void put_be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

void eseal_log_node_key(uint8_t k[ESEAL_LOG_NODE_KEY_LEN], unsigned level, uint64_t index)
{
    k[0] = (uint8_t)level;
    put_be64(k + 1, index);
}

eseal_rc eseal_log_node_get(struct eseal_kv *kv, unsigned cf, unsigned level, uint64_t index,
                            uint8_t out[HLEN], struct eseal_err *err)
{
    uint8_t k[ESEAL_LOG_NODE_KEY_LEN];
    eseal_log_node_key(k, level, index);
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_kv_get(kv, cf, k, sizeof(k), &b, err);
    if (rc == ESEAL_OK && b.len == HLEN)
        memcpy(out, b.data, HLEN);
    else if (rc == ESEAL_OK || rc == ESEAL_E_NOTFOUND)
        rc = eseal_err_set(err, ESEAL_E_IO, "tree node %u/%llu is missing or malformed", level,
                           (unsigned long long)index);
    eseal_buf_cleanup(&b);
    return rc;
}

static eseal_rc kv_get_u64(struct eseal_kv *kv, const char *key, uint64_t *out,
                           struct eseal_err *err)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_kv_get(kv, CF_DEFAULT, key, strlen(key), &b, err);
    *out = 0;
    if (rc == ESEAL_E_NOTFOUND) {
        rc = ESEAL_OK;
    } else if (rc == ESEAL_OK) {
        if (b.len != 8)
            rc = eseal_err_set(err, ESEAL_E_IO, "log index: %s is malformed", key);
        else
            *out = get_be64(b.data);
    }
    eseal_buf_cleanup(&b);
    return rc;
}

static void batch_put_u64(struct eseal_kv_batch *b, const char *key, uint64_t v)
{
    uint8_t val[8];
    put_be64(val, v);
    eseal_kv_batch_put(b, CF_DEFAULT, key, strlen(key), val, sizeof(val));
}

static eseal_rc node_read(void *ctx, unsigned level, uint64_t index, uint8_t out[HLEN],
                          struct eseal_err *err)
{
    struct eseal_log *log = ctx;
    eseal_rc rc = eseal_log_node_get(log->kv, CF_NODES, level, index, out, err);
    if (rc == ESEAL_E_IO)
        eseal_err_prefix(err, "log index %s (remove it to rebuild the index)", log->index_path);
    return rc;
}

static void node_emit(void *ctx, unsigned level, uint64_t index, const uint8_t hash[HLEN])
{
    uint8_t k[ESEAL_LOG_NODE_KEY_LEN];
    eseal_log_node_key(k, level, index);
    eseal_kv_batch_put(ctx, CF_NODES, k, sizeof(k), hash, HLEN);
}

static void batch_put_offset(struct eseal_kv_batch *b, uint64_t seq, uint64_t seg_first,
                             uint64_t off)
{
    uint8_t k[8], v[16];
    put_be64(k, seq);
    put_be64(v, seg_first);
    put_be64(v + 8, off);
    eseal_kv_batch_put(b, CF_OFFSETS, k, sizeof(k), v, sizeof(v));
}

static eseal_rc offset_get(struct eseal_log *log, uint64_t seq, uint64_t *seg_first, uint64_t *off,
                           struct eseal_err *err)
{
    uint8_t k[8];
    put_be64(k, seq);
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_kv_get(log->kv, CF_OFFSETS, k, sizeof(k), &b, err);
    if (rc == ESEAL_OK && b.len == 16) {
        *seg_first = get_be64(b.data);
        *off = get_be64(b.data + 8);
    } else if (rc == ESEAL_OK || rc == ESEAL_E_NOTFOUND) {
        rc = eseal_err_set(err, ESEAL_E_IO,
                           "log index: offset of entry %llu is missing or malformed (remove %s "
                           "to rebuild the index)",
                           (unsigned long long)seq, log->index_path);
    }
    eseal_buf_cleanup(&b);
    return rc;
}

static void cp_put(struct eseal_kv_batch *b, uint64_t size, const struct eseal_buf *note)
{
    uint8_t k[8];
    put_be64(k, size);
    eseal_kv_batch_put(b, CF_CHECKPOINTS, k, sizeof(k), note->data, note->len);
}

static int seg_find(const struct seg *segs, size_t n, uint64_t first)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (segs[mid].first < first)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && segs[lo].first == first ? (int)lo : -1;
}

static void segs_push(struct eseal_log *log, uint64_t first, int fd, char *path)
{
    pthread_mutex_lock(&log->seg_lock);
    if (log->n_segs == log->cap_segs) {
        log->cap_segs = log->cap_segs ? log->cap_segs * 2 : 16;
        log->segs = eseal_xrealloc(log->segs, log->cap_segs * sizeof(*log->segs));
    }
    log->segs[log->n_segs++] = (struct seg){first, fd, path};
    pthread_mutex_unlock(&log->seg_lock);
}

/* segs_copy returns a copy of the segment table (free() it): fds and paths
 * stay valid until close. */
static struct seg *segs_copy(struct eseal_log *log, size_t *n)
{
    pthread_mutex_lock(&log->seg_lock);
    *n = log->n_segs;
    struct seg *c = eseal_xmalloc((log->n_segs ? log->n_segs : 1) * sizeof(*c));
    if (log->n_segs > 0)
        memcpy(c, log->segs, log->n_segs * sizeof(*c));
    pthread_mutex_unlock(&log->seg_lock);
    return c;
}

/* ---- preparing entries (in the appending thread) -------------------------- */

static void prep_cleanup(struct prep *p)
{
    free(p->text);
    memset(p, 0, sizeof(*p));
}

/* dump_inner appends the members of |o|, canonical and without the braces. */
static eseal_rc dump_inner(struct eseal_buf *out, json_t *o, size_t *len, struct eseal_err *err)
{
    char *s = json_dumps(o, LOG_JSON_FLAGS);
    if (s == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "the entry cannot be serialised as JSON");
    size_t n = strlen(s);
    *len = n - 2;
    eseal_buf_append(out, s + 1, n - 2);
    free(s);
    return ESEAL_OK;
}

static void assemble(struct eseal_buf *out, const struct prep *p, uint64_t seq, const char *time)
{
    const char *t = p->text;
    bool any = false;
    char seq_kv[32], time_kv[48];
    int seq_len = snprintf(seq_kv, sizeof(seq_kv), "\"seq\":%llu", (unsigned long long)seq);
    int time_len = snprintf(time_kv, sizeof(time_kv), "\"time\":\"%s\"", time);
    struct {
        const char *s;
        size_t n;
    } pieces[5] = {{t, p->lo},
                   {seq_kv, (size_t)seq_len},
                   {t + p->lo, p->mid},
                   {time_kv, p->add_time ? (size_t)time_len : 0},
                   {t + p->lo + p->mid, p->hi}};
    eseal_buf_append(out, "{", 1);
    for (size_t i = 0; i < 5; i++) {
        if (pieces[i].n == 0)
            continue;
        if (any)
            eseal_buf_append(out, ",", 1);
        eseal_buf_append(out, pieces[i].s, pieces[i].n);
        any = true;
    }
    eseal_buf_append(out, "}", 1);
}

static eseal_rc prep_entry(struct prep *p, const json_t *entry, struct eseal_err *err)
{
    memset(p, 0, sizeof(*p));
    if (!json_is_object(entry))
        return eseal_err_set(err, ESEAL_E_INVALID, "an entry must be a JSON object");
    json_t *e = (json_t *)entry; /* Jansson's iteration macros are not const */
    json_t *seq = json_object_get(e, "seq");
    json_t *time = json_object_get(e, "time");
    if (seq != NULL && (!json_is_integer(seq) || json_integer_value(seq) < 0))
        return eseal_err_set(err, ESEAL_E_INVALID, "\"seq\" must be a non-negative integer");
    if (time != NULL && !json_is_string(time))
        return eseal_err_set(err, ESEAL_E_INVALID, "\"time\" must be a string");
    p->want_seq = seq != NULL;
    p->seq = seq != NULL ? (uint64_t)json_integer_value(seq) : 0;
    p->add_time = time == NULL;
    json_t *part[3] = {json_object(), json_object(), json_object()};
    const char *k;
    size_t k_len;
    json_t *v;
    eseal_rc rc = ESEAL_OK;
    json_object_keylen_foreach(e, k, k_len, v)
    {
        if (strlen(k) != k_len) { /* canonical text could not carry it */
            rc = eseal_err_set(err, ESEAL_E_INVALID, "an entry key holds a NUL character");
            break;
        }
        int c = strcmp(k, "seq");
        if (c == 0)
            continue;
        int which = c < 0 ? 0 : (p->add_time && strcmp(k, "time") > 0) ? 2 : 1;
        json_object_set(part[which], k, v);
    }
    struct eseal_buf text;
    eseal_buf_init(&text);
    if (rc == ESEAL_OK)
        rc = dump_inner(&text, part[0], &p->lo, err);
    if (rc == ESEAL_OK)
        rc = dump_inner(&text, part[1], &p->mid, err);
    if (rc == ESEAL_OK)
        rc = dump_inner(&text, part[2], &p->hi, err);
    for (int i = 0; i < 3; i++)
        json_decref(part[i]);
    eseal_buf_append(&text, "", 0);
    p->text = (char *)eseal_buf_steal(&text, NULL);
    if (rc != ESEAL_OK) {
        prep_cleanup(p);
        return rc;
    }
    /* The stored bytes must be exactly what parsing and re-serialising them
     * gives, or no reader could check them: try it with sample values. */
    struct eseal_buf sample;
    eseal_buf_init(&sample);
    assemble(&sample, p, p->seq, "1970-01-01T00:00:00.000Z");
    if (sample.len > ESEAL_LOG_ENTRY_MAX) {
        rc = eseal_err_set(err, ESEAL_E_TOOBIG,
                           "the entry has %zu canonical bytes, over the "
                           "limit of %d",
                           sample.len, ESEAL_LOG_ENTRY_MAX);
    } else {
        json_t *back = eseal_json_load(sample.data, sample.len);
        char *again = back != NULL ? json_dumps(back, LOG_JSON_FLAGS) : NULL;
        if (again == NULL || strlen(again) != sample.len ||
            memcmp(again, sample.data, sample.len) != 0)
            rc = eseal_err_set(err, ESEAL_E_INVALID,
                               "the entry does not survive a canonical JSON round trip (a NUL "
                               "in a string, or nesting too deep?)");
        free(again);
        json_decref(back);
    }
    eseal_buf_cleanup(&sample);
    if (rc != ESEAL_OK)
        prep_cleanup(p);
    return rc;
}

eseal_rc eseal_log_entry_valid(const json_t *entry, struct eseal_err *err)
{
    struct prep p;
    eseal_rc rc = prep_entry(&p, entry, err);
    if (rc == ESEAL_OK)
        prep_cleanup(&p);
    return rc;
}

/* ---- committing --------------------------------------------------------------
 *
 * Two threads. The committer takes every waiting append (up to the commit
 * bounds), writes their records to the last segment in one write, calls
 * fdatasync once, and acknowledges them: they are durable. It hands the
 * commit to the sealer, which adds the entries to the Merkle tree, signs a
 * checkpoint for each commit, appends the checkpoints to the checkpoints file
 * in one write and one fdatasync, writes the index, and only then publishes
 * the newest checkpoint. So every checkpoint is written after the entries it
 * covers are durable (a durable checkpoint never claims entries the segments
 * may lack), and none is seen before it is durable (no published checkpoint
 * can be lost or contradicted by a crash). The two fdatasyncs of different
 * commits overlap. */

/* struct sealed is a durable commit on its way to a checkpoint. */
struct sealed {
    struct sealed *next;
    uint64_t first; /* index of its first entry */
    size_t n;
    uint64_t seg_first; /* the segment its records are in */
    uint8_t (*leaves)[HLEN];
    uint64_t *offsets;
};

static void sealed_free(struct sealed *s)
{
    while (s != NULL) {
        struct sealed *next = s->next;
        free(s->leaves);
        free(s->offsets);
        free(s);
        s = next;
    }
}

static void log_fail(struct eseal_log *log, const struct eseal_err *err)
{
    pthread_mutex_lock(&log->lock);
    if (log->failed.rc == ESEAL_OK) {
        log->failed.rc = ESEAL_E_IO;
        snprintf(log->failed.msg, sizeof(log->failed.msg),
                 "the log stopped after a failed commit, reopen it: %.400s", err->msg);
        fprintf(stderr, "eseal: log %s: %s\n", log->dir, log->failed.msg);
    }
    pthread_cond_broadcast(&log->done_cv);
    pthread_mutex_unlock(&log->lock);
}

static eseal_rc seg_create(struct eseal_log *log, uint64_t first, struct eseal_err *err)
{
    char *path = log_seg_path(log->seg_dir, first);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        eseal_rc rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", path, strerror(errno));
        free(path);
        return rc;
    }
    eseal_rc rc = log_fsync_dir(log->seg_dir, err);
    if (rc != ESEAL_OK) {
        close(fd);
        free(path);
        return rc;
    }
    segs_push(log, first, fd, path);
    log->seg_size = 0;
    return ESEAL_OK;
}

static void last_seg(struct eseal_log *log, int *fd, uint64_t *first)
{
    pthread_mutex_lock(&log->seg_lock);
    *fd = log->segs[log->n_segs - 1].fd;
    *first = log->segs[log->n_segs - 1].first;
    pthread_mutex_unlock(&log->seg_lock);
}

/* cp_record appends the checkpoints-file record of |note| to |out|. */
static void cp_record(struct eseal_buf *out, const struct eseal_buf *note)
{
    uint8_t hdr[LOG_REC_HDR], h[HLEN];
    eseal_merkle_leaf_hash(h, note->data, note->len);
    log_rec_header(hdr, (uint32_t)note->len, h);
    eseal_buf_append(out, hdr, sizeof(hdr));
    eseal_buf_append(out, note->data, note->len);
}

static eseal_rc cp_write(struct eseal_log *log, const struct eseal_buf *recs, struct eseal_err *err)
{
    eseal_rc rc =
        log_pwrite_full(log->cp_fd, recs->data, recs->len, log->cp_size, log->cp_path, err);
    if (rc == ESEAL_OK && fdatasync(log->cp_fd) != 0)
        rc = eseal_err_set(err, ESEAL_E_IO, "%s: fdatasync: %s", log->cp_path, strerror(errno));
    if (rc == ESEAL_OK)
        log->cp_size += recs->len;
    return rc;
}

/* cp_append signs a checkpoint for the current frontier and makes it durable
 * (used at open, before the threads run); |note| gets the text. */
static eseal_rc cp_append(struct eseal_log *log, struct eseal_buf *note, uint8_t root[HLEN],
                          struct eseal_err *err)
{
    eseal_merkle_frontier_root(&log->frontier, root);
    eseal_rc rc = eseal_log_checkpoint_sign(note, &log->signer, log->frontier.size, root, err);
    if (rc != ESEAL_OK)
        return rc;
    struct eseal_buf rec;
    eseal_buf_init(&rec);
    cp_record(&rec, note);
    rc = cp_write(log, &rec, err);
    eseal_buf_cleanup(&rec);
    return rc;
}

/* commit_entries writes the records of one group and makes them durable.
 * Requests refused one by one (a conflicting "seq", too big) get their code;
 * the others share the outcome. Returns the commit for the sealer, or NULL. */
static struct sealed *commit_entries(struct eseal_log *log, struct request *group)
{
    char now[TIME_LEN + 1];
    eseal_json_time_now(now, sizeof(now), true);
    struct eseal_buf *w = &log->wbuf;
    eseal_buf_reset(w);
    size_t n_entries = 0;
    for (struct request *r = group; r != NULL; r = r->next)
        n_entries += r->n;
    struct sealed *s = eseal_xcalloc(1, sizeof(*s));
    s->leaves = eseal_xmalloc(n_entries * sizeof(*s->leaves));
    s->offsets = eseal_xmalloc(n_entries * sizeof(*s->offsets));
    uint64_t next = log->count;
    size_t k = 0;
    for (struct request *r = group; r != NULL; r = r->next) {
        size_t w_mark = w->len, k_mark = k;
        r->rc = ESEAL_OK;
        for (size_t i = 0; i < r->n && r->rc == ESEAL_OK; i++) {
            const struct prep *p = &r->items[i];
            uint64_t seq = next + i;
            if (p->want_seq && p->seq != seq) {
                r->rc = eseal_err_set(&r->err, ESEAL_E_CONFLICT,
                                      "%s\"seq\" is %llu but the entry would be %llu",
                                      r->n > 1 ? "an entry's " : "", (unsigned long long)p->seq,
                                      (unsigned long long)seq);
                break;
            }
            static const uint8_t no_header[LOG_REC_HDR];
            size_t start = w->len;
            eseal_buf_append(w, no_header, LOG_REC_HDR); /* filled in below */
            assemble(w, p, seq, now);
            size_t len = w->len - start - LOG_REC_HDR;
            if (len > ESEAL_LOG_ENTRY_MAX) {
                r->rc = eseal_err_set(&r->err, ESEAL_E_TOOBIG,
                                      "the entry has %zu canonical bytes, over the limit of %d",
                                      len, ESEAL_LOG_ENTRY_MAX);
                break;
            }
            eseal_merkle_leaf_hash(s->leaves[k], w->data + start + LOG_REC_HDR, len);
            log_rec_header(w->data + start, (uint32_t)len, s->leaves[k]);
            s->offsets[k] = start; /* within this write */
            k++;
        }
        if (r->rc != ESEAL_OK) { /* drop what this request added */
            w->len = w_mark;
            k = k_mark;
            continue;
        }
        r->first_seq = next;
        next += r->n;
    }
    if (k == 0) {
        sealed_free(s);
        return NULL;
    }
    struct eseal_err err;
    eseal_err_clear(&err);
    eseal_rc rc = ESEAL_OK;
    if (log->seg_size > 0 && log->seg_size + w->len > log->segment_bytes)
        rc = seg_create(log, log->count, &err);
    int fd = -1;
    if (rc == ESEAL_OK) {
        last_seg(log, &fd, &s->seg_first);
        rc = log_pwrite_full(fd, w->data, w->len, log->seg_size, "log segment", &err);
    }
    if (rc == ESEAL_OK && fdatasync(fd) != 0)
        rc = eseal_err_set(&err, ESEAL_E_IO, "log segment: fdatasync: %s", strerror(errno));
    if (rc != ESEAL_OK) {
        /* The refused records must not come back at reopen, when the scan
         * would adopt whatever the segment holds past its durable end. */
        if (fd >= 0 && ftruncate(fd, (off_t)log->seg_size) != 0)
            fprintf(stderr, "eseal: log %s: cutting the refused commit off failed: %s\n", log->dir,
                    strerror(errno));
        log_fail(log, &err);
        for (struct request *r = group; r != NULL; r = r->next) {
            if (r->rc == ESEAL_OK) {
                r->rc = ESEAL_E_IO;
                r->err = err;
            }
        }
        sealed_free(s);
        return NULL;
    }
    for (size_t i = 0; i < k; i++)
        s->offsets[i] += log->seg_size;
    s->first = log->count;
    s->n = k;
    log->seg_size += w->len;
    log->count += k;
    return s;
}

/* seal turns durable commits into one durable, published checkpoint each
 * (the newest is published) and indexes their entries. */
static void seal(struct eseal_log *log, struct sealed *items)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    eseal_rc rc = ESEAL_OK;
    struct eseal_kv_batch *b = eseal_kv_batch_new(log->kv);
    struct eseal_buf recs, note;
    eseal_buf_init(&recs);
    eseal_buf_init(&note);
    uint8_t root[HLEN];
    for (struct sealed *s = items; s != NULL && rc == ESEAL_OK; s = s->next) {
        for (size_t i = 0; i < s->n && rc == ESEAL_OK; i++) {
            batch_put_offset(b, s->first + i, s->seg_first, s->offsets[i]);
            if (eseal_merkle_frontier_append(&log->frontier, s->leaves[i], node_emit, b) !=
                ESEAL_OK)
                rc = eseal_err_set(&err, ESEAL_E_TOOBIG, "the log is full");
        }
        eseal_merkle_frontier_root(&log->frontier, root);
        if (rc == ESEAL_OK)
            rc = eseal_log_checkpoint_sign(&note, &log->signer, log->frontier.size, root, &err);
        if (rc == ESEAL_OK) {
            cp_record(&recs, &note);
            cp_put(b, log->frontier.size, &note);
        }
    }
    if (rc == ESEAL_OK)
        rc = cp_write(log, &recs, &err);
    if (rc == ESEAL_OK) {
        batch_put_u64(b, KEY_ENTRIES, log->frontier.size);
        batch_put_u64(b, KEY_CP_BYTES, log->cp_size);
        /* Not synced: everything in it can be rebuilt from the files. */
        rc = eseal_kv_write(log->kv, b, false, &err);
    }
    eseal_kv_batch_free(b);
    eseal_buf_cleanup(&recs);
    if (rc != ESEAL_OK) {
        eseal_err_prefix(&err, "entries up to %llu are durable but not sealed",
                         (unsigned long long)log->frontier.size);
        log_fail(log, &err);
        eseal_buf_cleanup(&note);
        return;
    }
    pthread_mutex_lock(&log->lock);
    log->size = log->frontier.size;
    memcpy(log->root, root, HLEN);
    eseal_buf_cleanup(&log->note);
    log->note = note;
    log->have_note = true;
    pthread_cond_broadcast(&log->done_cv);
    pthread_mutex_unlock(&log->lock);
}

static void *committer_main(void *arg)
{
    struct eseal_log *log = arg;
    pthread_mutex_lock(&log->lock);
    for (;;) {
        while (log->queue == NULL && !log->stopping)
            pthread_cond_wait(&log->work_cv, &log->lock);
        if (log->queue == NULL)
            break;
        /* Take the queue up to the bounds, whole requests only. */
        struct request *group = log->queue, *last = group;
        size_t entries = group->n, bytes = group->bytes;
        while (last->next != NULL && entries + last->next->n <= COMMIT_MAX_ENTRIES &&
               bytes + last->next->bytes <= COMMIT_MAX_BYTES) {
            last = last->next;
            entries += last->n;
            bytes += last->bytes;
        }
        log->queue = last->next;
        if (log->queue == NULL)
            log->queue_tail = &log->queue;
        last->next = NULL;
        bool failed = log->failed.rc != ESEAL_OK;
        pthread_mutex_unlock(&log->lock);
        struct sealed *s = failed ? NULL : commit_entries(log, group);
        pthread_mutex_lock(&log->lock);
        for (struct request *r = group; r != NULL; r = r->next) {
            if (failed) {
                r->rc = log->failed.rc;
                r->err = log->failed;
            }
            r->done = true;
        }
        if (s != NULL) {
            log->durable = s->first + s->n;
            *log->sealq_tail = s;
            log->sealq_tail = &s->next;
            pthread_cond_signal(&log->seal_cv);
        }
        pthread_cond_broadcast(&log->done_cv);
    }
    log->seal_stopping = true; /* after the last commit was handed over */
    pthread_cond_signal(&log->seal_cv);
    pthread_mutex_unlock(&log->lock);
    return NULL;
}

static void *sealer_main(void *arg)
{
    struct eseal_log *log = arg;
    pthread_mutex_lock(&log->lock);
    for (;;) {
        while (log->sealq == NULL && !log->seal_stopping)
            pthread_cond_wait(&log->seal_cv, &log->lock);
        if (log->sealq == NULL)
            break;
        struct sealed *items = log->sealq;
        log->sealq = NULL;
        log->sealq_tail = &log->sealq;
        bool failed = log->failed.rc != ESEAL_OK;
        pthread_mutex_unlock(&log->lock);
        if (!failed)
            seal(log, items);
        sealed_free(items);
        pthread_mutex_lock(&log->lock);
    }
    pthread_mutex_unlock(&log->lock);
    return NULL;
}

eseal_rc eseal_log_append_batch(struct eseal_log *log, json_t *const *entries, size_t n,
                                uint64_t *first_seq, struct eseal_err *err)
{
    if (!log->writable)
        return eseal_err_set(err, ESEAL_E_DENIED, "the log %s is open read-only", log->dir);
    if (n == 0 || n > ESEAL_LOG_BATCH_MAX)
        return eseal_err_set(err, ESEAL_E_INVALID, "a batch holds 1..%d entries, not %zu",
                             ESEAL_LOG_BATCH_MAX, n);
    struct request req;
    memset(&req, 0, sizeof(req));
    req.items = eseal_xcalloc(n, sizeof(*req.items));
    req.n = n;
    eseal_rc rc = ESEAL_OK;
    for (size_t i = 0; i < n && rc == ESEAL_OK; i++) {
        rc = prep_entry(&req.items[i], entries[i], err);
        if (rc != ESEAL_OK && n > 1)
            eseal_err_prefix(err, "entry %zu of the batch", i);
        if (rc == ESEAL_OK)
            req.bytes += req.items[i].lo + req.items[i].mid + req.items[i].hi + 96;
    }
    if (rc == ESEAL_OK) {
        pthread_mutex_lock(&log->lock);
        if (log->failed.rc != ESEAL_OK) {
            rc = log->failed.rc;
            if (err != NULL)
                *err = log->failed;
        } else if (log->stopping) {
            rc = eseal_err_set(err, ESEAL_E_UNAVAILABLE, "the log is closing");
        } else {
            *log->queue_tail = &req;
            log->queue_tail = &req.next;
            pthread_cond_signal(&log->work_cv);
            while (!req.done)
                pthread_cond_wait(&log->done_cv, &log->lock);
            rc = req.rc;
            if (rc != ESEAL_OK && err != NULL)
                *err = req.err;
        }
        pthread_mutex_unlock(&log->lock);
    }
    if (rc == ESEAL_OK && first_seq != NULL)
        *first_seq = req.first_seq;
    for (size_t i = 0; i < n; i++)
        prep_cleanup(&req.items[i]);
    free(req.items);
    return rc;
}

eseal_rc eseal_log_append(struct eseal_log *log, const json_t *entry, uint64_t *seq_out,
                          struct eseal_err *err)
{
    json_t *e = (json_t *)entry;
    return eseal_log_append_batch(log, &e, 1, seq_out, err);
}

eseal_rc eseal_log_failure(struct eseal_log *log, struct eseal_err *err)
{
    pthread_mutex_lock(&log->lock);
    eseal_rc rc = log->failed.rc;
    if (rc != ESEAL_OK && err != NULL)
        *err = log->failed;
    pthread_mutex_unlock(&log->lock);
    return rc;
}

eseal_rc eseal_log_sync(struct eseal_log *log, struct eseal_err *err)
{
    pthread_mutex_lock(&log->lock);
    uint64_t target = log->durable;
    while (log->size < target && log->failed.rc == ESEAL_OK)
        pthread_cond_wait(&log->done_cv, &log->lock);
    eseal_rc rc = ESEAL_OK;
    if (log->size < target) {
        rc = log->failed.rc;
        if (err != NULL)
            *err = log->failed;
    }
    pthread_mutex_unlock(&log->lock);
    return rc;
}

/* ---- opening ---------------------------------------------------------------- */

static eseal_rc meta_create(struct eseal_log *log, struct eseal_err *err)
{
    /* Files without log.json are a damaged log, not a new one. */
    char *seg0 = log_seg_path(log->seg_dir, 0);
    bool leftovers = access(seg0, F_OK) == 0 || access(log->cp_path, F_OK) == 0;
    free(seg0);
    if (leftovers)
        return eseal_err_set(err, ESEAL_E_CRYPTO,
                             "%s holds log files but no %s: refusing to start a new log over them",
                             log->dir, LOG_FILE_META);
    char *vkey = eseal_note_key_format(log->signer.origin, log->signer.pub);
    json_t *j =
        json_pack("{s:i,s:s,s:s}", "format", LOG_FORMAT, "origin", log->signer.origin, "key", vkey);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    char *line = eseal_xasprintf("%s\n", text);
    char *path = eseal_path_join(log->dir, LOG_FILE_META);
    eseal_rc rc = eseal_file_write(path, line, strlen(line), 0600, 1, err);
    free(path);
    free(line);
    free(text);
    json_decref(j);
    if (rc == ESEAL_OK)
        rc = eseal_log_key_parse(&log->key, vkey, strlen(vkey), err);
    free(vkey);
    return rc;
}

static eseal_rc open_meta_key(struct eseal_log *log, struct eseal_err *err);

/* open_meta reads log.json: the key, and the keys rotations retired. */
static eseal_rc open_meta(struct eseal_log *log, struct eseal_err *err)
{
    eseal_rc rc = open_meta_key(log, err);
    size_t n = 0;
    if (rc == ESEAL_OK)
        rc = log_meta_retired(log->dir, log->keys + 1, LOG_KEYS_MAX - 1, &n, err);
    log->keys[0] = log->key;
    log->n_keys = 1 + n;
    return rc;
}

static eseal_rc open_meta_key(struct eseal_log *log, struct eseal_err *err)
{
    if (!log->writable)
        return log_meta_read(log->dir, &log->key, err);
    eseal_rc rc = eseal_mkdirs(log->dir, 0700, err);
    if (rc != ESEAL_OK)
        return rc;
    struct eseal_err e2;
    rc = log_meta_read(log->dir, &log->key, &e2);
    if (rc == ESEAL_E_NOTFOUND)
        rc = meta_create(log, err);
    else if (rc != ESEAL_OK && err != NULL)
        *err = e2;
    if (rc != ESEAL_OK)
        return rc;
    if (strcmp(log->key.name, log->signer.origin) != 0 ||
        memcmp(log->key.pk, log->signer.pub, ESEAL_ED25519_PK_LEN) != 0)
        return eseal_err_set(err, ESEAL_E_CONFLICT,
                             "the log %s belongs to the key %s, not to this signer's key", log->dir,
                             log->key.name);
    bool made = access(log->seg_dir, F_OK) != 0;
    rc = eseal_mkdirs(log->seg_dir, 0700, err);
    if (rc == ESEAL_OK && made)
        rc = log_fsync_dir(log->dir, err);
    return rc;
}

/* open_segments opens every segment file: read-only, except the last one of
 * a writable log. */
static eseal_rc open_segments(struct eseal_log *log, struct eseal_err *err)
{
    struct log_seg_name *names = NULL;
    size_t n = 0;
    eseal_rc rc = log_segs_list(log->seg_dir, &names, &n, err);
    for (size_t i = 0; rc == ESEAL_OK && i < n; i++) {
        int flags = (log->writable && i == n - 1 ? O_RDWR : O_RDONLY) | O_CLOEXEC;
        int fd = open(names[i].path, flags);
        if (fd < 0) {
            rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", names[i].path, strerror(errno));
            break;
        }
        segs_push(log, names[i].first, fd, names[i].path);
        names[i].path = NULL; /* now the log's */
    }
    log_segs_free(names, n);
    return rc;
}

static eseal_rc file_size(int fd, const char *path, uint64_t *out, struct eseal_err *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return eseal_err_set(err, ESEAL_E_IO, "%s: %s", path, strerror(errno));
    *out = (uint64_t)st.st_size;
    return ESEAL_OK;
}

/* struct scan is the outcome of scanning the segments past the index. */
struct scan {
    uint64_t count; /* entries in the segments */
    bool torn;
    uint64_t torn_off;  /* in the last segment */
    uint64_t last_size; /* size of the last segment as found */
};

static eseal_rc flush_index(struct eseal_log *log, struct eseal_kv_batch **b, uint64_t count,
                            struct eseal_err *err)
{
    batch_put_u64(*b, KEY_ENTRIES, count);
    eseal_rc rc = eseal_kv_write(log->kv, *b, false, err);
    eseal_kv_batch_free(*b);
    *b = eseal_kv_batch_new(log->kv);
    return rc;
}

/* scan_start finds where the index ends: just past entry M-1, whose record
 * must still be there and match the index. */
static eseal_rc scan_start(struct eseal_log *log, uint64_t m, size_t *seg_i, uint64_t *off,
                           struct eseal_err *err)
{
    *seg_i = 0;
    *off = 0;
    if (m == 0)
        return ESEAL_OK;
    uint64_t first, at;
    eseal_rc rc = offset_get(log, m - 1, &first, &at, err);
    if (rc != ESEAL_OK)
        return rc;
    int i = seg_find(log->segs, log->n_segs, first);
    char *path = log_seg_path(log->seg_dir, first);
    if (i < 0) {
        rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                           "entries lost: the index holds %llu entries but segment %s, which "
                           "holds entry %llu, is missing",
                           (unsigned long long)m, log_seg_base(path), (unsigned long long)(m - 1));
        free(path);
        return rc;
    }
    struct log_cursor c = {.fd = log->segs[i].fd,
                           .path = path,
                           .max_len = ESEAL_LOG_ENTRY_MAX,
                           .entries = true,
                           .need = true,
                           .seq = m - 1,
                           .off = at};
    rc = file_size(c.fd, path, &c.size, err);
    struct eseal_buf data;
    eseal_buf_init(&data);
    uint8_t want[HLEN];
    if (rc == ESEAL_OK)
        rc = node_read(log, 0, m - 1, want, err);
    bool got = false;
    if (rc == ESEAL_OK)
        rc = log_cursor_next(&c, &data, &got, err);
    if (rc == ESEAL_E_CRYPTO || (got && memcmp(c.rec.hash, want, HLEN) != 0))
        rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                           "entries lost or changed: the index holds %llu entries but entry "
                           "%llu (%s, offset %llu) is not what was written: %s",
                           (unsigned long long)m, (unsigned long long)(m - 1), log_seg_base(path),
                           (unsigned long long)at,
                           got ? "its hash differs" : log_rec_status_text(c.st));
    eseal_buf_cleanup(&data);
    free(path);
    if (rc == ESEAL_OK) {
        *seg_i = (size_t)i;
        *off = c.off;
    }
    return rc;
}

/* scan_segments reads the records past the index, adds them to it and to the
 * frontier, and finds a torn tail. */
static eseal_rc scan_segments(struct eseal_log *log, uint64_t m, struct scan *s,
                              struct eseal_err *err)
{
    memset(s, 0, sizeof(*s));
    size_t i0;
    uint64_t off0;
    eseal_rc rc = scan_start(log, m, &i0, &off0, err);
    if (rc != ESEAL_OK)
        return rc;
    rc = eseal_merkle_frontier_load(&log->frontier, m, node_read, log, err);
    if (rc != ESEAL_OK)
        return rc;
    if (log->n_segs > 0) {
        /* What a crashed writer left in the page cache is made durable before
         * the index may point at it. */
        if (fdatasync(log->segs[log->n_segs - 1].fd) != 0)
            return eseal_err_set(err, ESEAL_E_IO, "%s: fdatasync: %s",
                                 log->segs[log->n_segs - 1].path, strerror(errno));
    }
    uint64_t seq = m;
    struct eseal_kv_batch *b = eseal_kv_batch_new(log->kv);
    size_t pending = 0;
    struct eseal_buf data;
    eseal_buf_init(&data);
    for (size_t i = i0; rc == ESEAL_OK && i < log->n_segs && !s->torn; i++) {
        struct seg *g = &log->segs[i];
        uint64_t off = i == i0 ? off0 : 0;
        if (off == 0 && g->first != seq) {
            rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                               "segment %s should start with entry %llu: entries %s",
                               log_seg_base(g->path), (unsigned long long)seq,
                               g->first > seq ? "are missing" : "overlap");
            break;
        }
        struct log_cursor c = {.fd = g->fd,
                               .path = g->path,
                               .max_len = ESEAL_LOG_ENTRY_MAX,
                               .entries = true,
                               .tail = i == log->n_segs - 1,
                               .seq = seq,
                               .off = off};
        rc = file_size(g->fd, g->path, &c.size, err);
        while (rc == ESEAL_OK) {
            bool got;
            rc = log_cursor_next(&c, &data, &got, err);
            if (rc != ESEAL_OK || !got) {
                if (c.torn) {
                    s->torn = true;
                    s->torn_off = c.off;
                }
                break;
            }
            batch_put_offset(b, seq, g->first, c.rec.off);
            if (eseal_merkle_frontier_append(&log->frontier, c.rec.hash, node_emit, b) != ESEAL_OK)
                rc = eseal_err_set(err, ESEAL_E_TOOBIG, "the log is full");
            seq++;
            if (++pending >= REINDEX_CHUNK && rc == ESEAL_OK) {
                rc = flush_index(log, &b, seq, err);
                pending = 0;
            }
        }
        if (c.tail)
            s->last_size = c.size;
    }
    if (rc == ESEAL_OK && pending > 0)
        rc = flush_index(log, &b, seq, err);
    eseal_kv_batch_free(b);
    eseal_buf_cleanup(&data);
    s->count = seq;
    log->recovery.reindexed = seq - m;
    return rc;
}

/* struct cps is what the checkpoints file holds past the index. */
struct cps {
    bool have;
    struct eseal_log_checkpoint latest;
    struct eseal_buf note;
    uint64_t end; /* bytes of complete records */
    bool torn;
};

static eseal_rc latest_indexed_cp(struct eseal_log *log, struct cps *c, struct eseal_err *err)
{
    struct eseal_kv_iter *it = eseal_kv_iter_new(log->kv, CF_CHECKPOINTS);
    eseal_kv_iter_seek_last(it);
    eseal_rc rc = ESEAL_OK;
    if (eseal_kv_iter_valid(it)) {
        size_t len;
        const uint8_t *v = eseal_kv_iter_value(it, &len);
        eseal_buf_reset(&c->note);
        eseal_buf_append(&c->note, v, len);
        rc = eseal_log_checkpoint_verify_any(&c->latest, c->note.data, c->note.len, log->keys,
                                             log->n_keys, err);
        if (rc != ESEAL_OK)
            eseal_err_prefix(err, "log index: latest checkpoint (remove %s to rebuild)",
                             log->index_path);
        c->have = rc == ESEAL_OK;
    } else {
        rc = eseal_kv_iter_status(it, err);
    }
    eseal_kv_iter_free(it);
    return rc;
}

/* scan_checkpoints verifies and indexes the checkpoints past the index: each
 * signed by the log key, sizes increasing, no more entries than the segments
 * hold (else acknowledged entries were lost), roots matching the entries. */
static eseal_rc scan_checkpoints(struct eseal_log *log, uint64_t count, struct cps *c,
                                 struct eseal_err *err)
{
    uint64_t indexed;
    eseal_rc rc = kv_get_u64(log->kv, KEY_CP_BYTES, &indexed, err);
    if (rc == ESEAL_OK && indexed > 0)
        rc = latest_indexed_cp(log, c, err);
    if (rc != ESEAL_OK)
        return rc;
    c->end = indexed;
    if (log->cp_fd < 0)
        return ESEAL_OK;
    uint64_t size = 0;
    rc = file_size(log->cp_fd, log->cp_path, &size, err);
    if (rc != ESEAL_OK)
        return rc;
    if (indexed > size)
        return eseal_err_set(err, ESEAL_E_CRYPTO,
                             "checkpoints lost: %s has %llu bytes, the index covers %llu",
                             log->cp_path, (unsigned long long)size, (unsigned long long)indexed);
    if (indexed < size && fdatasync(log->cp_fd) != 0)
        return eseal_err_set(err, ESEAL_E_IO, "%s: fdatasync: %s", log->cp_path, strerror(errno));
    struct eseal_kv_batch *b = eseal_kv_batch_new(log->kv);
    struct eseal_buf data;
    eseal_buf_init(&data);
    struct log_cursor cur = {.fd = log->cp_fd,
                             .path = log->cp_path,
                             .size = size,
                             .max_len = ESEAL_LOG_NOTE_MAX,
                             .tail = true,
                             .off = indexed};
    bool added = false;
    while (rc == ESEAL_OK) {
        bool got;
        rc = log_cursor_next(&cur, &data, &got, err);
        if (rc != ESEAL_OK || !got) {
            c->torn = cur.torn;
            break;
        }
        uint64_t off = cur.rec.off;
        struct eseal_log_checkpoint cp;
        uint8_t root[HLEN];
        rc = eseal_log_checkpoint_verify_any(&cp, data.data, data.len, log->keys, log->n_keys, err);
        if (rc != ESEAL_OK) {
            /* Its record hash matched: it is what was written, and wrong. */
            eseal_err_prefix(err, "%s, offset %llu", log->cp_path, (unsigned long long)off);
            rc = ESEAL_E_CRYPTO;
            if (err != NULL)
                err->rc = rc;
            break;
        }
        if (c->have && cp.size <= c->latest.size) {
            rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                               "%s, offset %llu: checkpoint of size %llu after one of size %llu",
                               log->cp_path, (unsigned long long)off, (unsigned long long)cp.size,
                               (unsigned long long)c->latest.size);
            break;
        }
        if (cp.size > count) {
            rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                               "acknowledged entries lost: the checkpoint at offset %llu of %s "
                               "covers %llu entries but the segments hold only %llu",
                               (unsigned long long)off, log->cp_path, (unsigned long long)cp.size,
                               (unsigned long long)count);
            break;
        }
        rc = eseal_merkle_root(root, cp.size, node_read, log, err);
        if (rc == ESEAL_OK && memcmp(root, cp.root, HLEN) != 0)
            rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                               "the checkpoint at offset %llu of %s (size %llu) does not match "
                               "entries 0..%llu",
                               (unsigned long long)off, log->cp_path, (unsigned long long)cp.size,
                               (unsigned long long)(cp.size ? cp.size - 1 : 0));
        if (rc != ESEAL_OK)
            break;
        cp_put(b, cp.size, &data);
        c->latest = cp;
        c->have = true;
        eseal_buf_reset(&c->note);
        eseal_buf_append(&c->note, data.data, data.len);
        added = true;
    }
    c->end = cur.off;
    if (rc == ESEAL_OK && added) {
        batch_put_u64(b, KEY_CP_BYTES, cur.off);
        rc = eseal_kv_write(log->kv, b, false, err);
    }
    if (rc == ESEAL_OK && c->torn)
        log->recovery.torn_checkpoint_bytes = size - cur.off;
    eseal_kv_batch_free(b);
    eseal_buf_cleanup(&data);
    return rc;
}

static eseal_rc truncate_file(int fd, const char *path, uint64_t size, struct eseal_err *err)
{
    if (ftruncate(fd, (off_t)size) != 0 || fsync(fd) != 0)
        return eseal_err_set(err, ESEAL_E_IO, "%s: truncate: %s", path, strerror(errno));
    return ESEAL_OK;
}

static eseal_rc open_cp_file(struct eseal_log *log, struct eseal_err *err)
{
    if (!log->writable) {
        log->cp_fd = open(log->cp_path, O_RDONLY | O_CLOEXEC);
        if (log->cp_fd < 0 && errno != ENOENT)
            return eseal_err_set(err, ESEAL_E_IO, "%s: %s", log->cp_path, strerror(errno));
        return ESEAL_OK;
    }
    bool made = access(log->cp_path, F_OK) != 0;
    log->cp_fd = open(log->cp_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (log->cp_fd < 0)
        return eseal_err_set(err, ESEAL_E_IO, "%s: %s", log->cp_path, strerror(errno));
    return made ? log_fsync_dir(log->dir, err) : ESEAL_OK;
}

static eseal_rc recover(struct eseal_log *log, struct eseal_err *err)
{
    uint64_t m;
    eseal_rc rc = kv_get_u64(log->kv, KEY_ENTRIES, &m, err);
    if (rc == ESEAL_OK)
        rc = open_segments(log, err);
    if (rc == ESEAL_OK && m == 0 && log->n_segs > 0 && log->segs[0].first != 0)
        rc = eseal_err_set(err, ESEAL_E_CRYPTO, "the first segment %s does not start at entry 0",
                           log_seg_base(log->segs[0].path));
    struct scan s;
    memset(&s, 0, sizeof(s));
    if (rc == ESEAL_OK)
        rc = scan_segments(log, m, &s, err);
    if (rc == ESEAL_OK)
        rc = open_cp_file(log, err);
    struct cps c;
    memset(&c, 0, sizeof(c));
    eseal_buf_init(&c.note);
    if (rc == ESEAL_OK)
        rc = scan_checkpoints(log, s.count, &c, err);
    /* Only now, with nothing acknowledged missing, may anything be cut. */
    if (rc == ESEAL_OK && s.torn) {
        struct seg *g = &log->segs[log->n_segs - 1];
        log->recovery.torn_bytes = s.last_size - s.torn_off;
        if (log->writable)
            rc = truncate_file(g->fd, g->path, s.torn_off, err);
        if (rc == ESEAL_OK)
            fprintf(stderr,
                    "eseal: log %s: torn tail of %llu bytes at offset %llu of %s %s (entry %llu "
                    "was never acknowledged) / 日志尾部不完整%s\n",
                    log->dir, (unsigned long long)log->recovery.torn_bytes,
                    (unsigned long long)s.torn_off, log_seg_base(g->path),
                    log->writable ? "truncated" : "ignored (read-only)",
                    (unsigned long long)s.count, log->writable ? ", 已截断" : ", 已忽略");
    }
    if (rc == ESEAL_OK && c.torn) {
        if (log->writable)
            rc = truncate_file(log->cp_fd, log->cp_path, c.end, err);
        if (rc == ESEAL_OK)
            fprintf(stderr,
                    "eseal: log %s: torn tail of %llu bytes at offset %llu of %s %s / "
                    "检查点文件尾部不完整%s\n",
                    log->dir, (unsigned long long)log->recovery.torn_checkpoint_bytes,
                    (unsigned long long)c.end, LOG_FILE_CHECKPOINTS,
                    log->writable ? "truncated" : "ignored (read-only)",
                    log->writable ? ", 已截断" : ", 已忽略");
    }
    if (rc == ESEAL_OK) {
        log->count = s.count;
        log->seg_size = s.torn ? s.torn_off : s.last_size;
        log->cp_size = c.end;
        log->recovery.unsigned_entries = s.count - (c.have ? c.latest.size : 0);
    }
    if (rc == ESEAL_OK && log->writable && log->n_segs == 0)
        rc = seg_create(log, 0, err);
    if (rc == ESEAL_OK && log->writable && (!c.have || c.latest.size < s.count)) {
        uint8_t root[HLEN];
        rc = cp_append(log, &c.note, root, err);
        struct eseal_kv_batch *b = rc == ESEAL_OK ? eseal_kv_batch_new(log->kv) : NULL;
        if (rc == ESEAL_OK) {
            cp_put(b, s.count, &c.note);
            batch_put_u64(b, KEY_CP_BYTES, log->cp_size);
            rc = eseal_kv_write(log->kv, b, false, err);
        }
        eseal_kv_batch_free(b);
        if (rc == ESEAL_OK) {
            c.have = true;
            c.latest.size = s.count;
            memcpy(c.latest.root, root, HLEN);
            log->recovery.signed_checkpoint = true;
        }
    }
    if (rc == ESEAL_OK && c.have) {
        log->size = c.latest.size;
        memcpy(log->root, c.latest.root, HLEN);
        log->note = c.note;
        log->have_note = true;
        eseal_buf_init(&c.note);
    }
    if (rc == ESEAL_OK && !c.have)
        eseal_merkle_empty_root(log->root);
    eseal_buf_cleanup(&c.note);
    return rc;
}

static void log_free(struct eseal_log *log)
{
    for (size_t i = 0; i < log->n_segs; i++) {
        close(log->segs[i].fd);
        free(log->segs[i].path);
    }
    free(log->segs);
    if (log->cp_fd >= 0)
        close(log->cp_fd);
    eseal_kv_close(log->kv);
    eseal_buf_cleanup(&log->wbuf);
    eseal_buf_cleanup(&log->note);
    pthread_mutex_destroy(&log->seg_lock);
    pthread_mutex_destroy(&log->lock);
    pthread_cond_destroy(&log->work_cv);
    pthread_cond_destroy(&log->seal_cv);
    pthread_cond_destroy(&log->done_cv);
    free(log->dir);
    free(log->seg_dir);
    free(log->cp_path);
    free(log->index_path);
    free(log);
}

eseal_rc eseal_log_open_with(struct eseal_log **out, const char *dir,
                             const struct eseal_log_signer *signer,
                             const struct eseal_log_options *opts, struct eseal_err *err)
{
    *out = NULL;
    if (dir == NULL || dir[0] == '\0')
        return eseal_err_set(err, ESEAL_E_INVALID, "log: no directory");
    if (signer != NULL && (signer->origin == NULL || signer->pub == NULL || signer->sign == NULL))
        return eseal_err_set(err, ESEAL_E_INVALID, "log: incomplete signer");
    struct eseal_log *log = eseal_xcalloc(1, sizeof(*log));
    log->dir = eseal_xstrdup(dir);
    log->seg_dir = eseal_path_join(dir, LOG_DIR_SEGMENTS);
    log->cp_path = eseal_path_join(dir, LOG_FILE_CHECKPOINTS);
    log->index_path = eseal_path_join(dir, LOG_DIR_INDEX);
    if (signer != NULL) {
        log->signer = *signer;
        log->writable = true;
    }
    log->cp_fd = -1;
    log->segment_bytes =
        opts != NULL && opts->segment_bytes != 0 ? opts->segment_bytes : ESEAL_LOG_SEGMENT_BYTES;
    log->queue_tail = &log->queue;
    log->sealq_tail = &log->sealq;
    pthread_mutex_init(&log->seg_lock, NULL);
    pthread_mutex_init(&log->lock, NULL);
    pthread_cond_init(&log->work_cv, NULL);
    pthread_cond_init(&log->seal_cv, NULL);
    pthread_cond_init(&log->done_cv, NULL);
    eseal_buf_init(&log->wbuf);
    eseal_buf_init(&log->note);
    eseal_rc rc = open_meta(log, err);
    if (rc == ESEAL_OK) {
        /* The index lock comes first: it keeps a second process from
         * recovering (truncating) the same files. */
        rc = eseal_kv_open(&log->kv, log->index_path, index_cfs, N_CFS, err);
        if (rc == ESEAL_E_UNAVAILABLE)
            eseal_err_set(err, rc,
                          "the log %s is open in another process (read it over HTTP or with "
                          "a follower) / 日志正被其他进程使用",
                          dir);
    }
    if (rc == ESEAL_OK)
        rc = recover(log, err);
    if (rc == ESEAL_OK && signer != NULL) {
        log->durable = log->count;
        if (pthread_create(&log->sealer, NULL, sealer_main, log) != 0) {
            rc = eseal_err_set(err, ESEAL_E_INTERNAL, "log: cannot start the sealer thread");
        } else if (pthread_create(&log->committer, NULL, committer_main, log) != 0) {
            pthread_mutex_lock(&log->lock);
            log->seal_stopping = true;
            pthread_cond_signal(&log->seal_cv);
            pthread_mutex_unlock(&log->lock);
            pthread_join(log->sealer, NULL);
            rc = eseal_err_set(err, ESEAL_E_INTERNAL, "log: cannot start the committer thread");
        } else {
            log->started = true;
        }
    }
    if (rc != ESEAL_OK) {
        log_free(log);
        return rc;
    }
    *out = log;
    return ESEAL_OK;
}

eseal_rc eseal_log_open(struct eseal_log **out, const char *dir,
                        const struct eseal_log_signer *signer, struct eseal_err *err)
{
    return eseal_log_open_with(out, dir, signer, NULL, err);
}

void eseal_log_close(struct eseal_log *log)
{
    if (log == NULL)
        return;
    if (log->started) {
        pthread_mutex_lock(&log->lock);
        log->stopping = true;
        pthread_cond_signal(&log->work_cv);
        pthread_mutex_unlock(&log->lock);
        /* The committer drains the queue, then tells the sealer to finish. */
        pthread_join(log->committer, NULL);
        pthread_join(log->sealer, NULL);
    }
    log_free(log);
}

void eseal_log_recovery(const struct eseal_log *log, struct eseal_log_recovery *out)
{
    *out = log->recovery;
}

/* ---- reading ---------------------------------------------------------------- */

uint64_t eseal_log_size(struct eseal_log *log)
{
    pthread_mutex_lock(&log->lock);
    uint64_t n = log->size;
    pthread_mutex_unlock(&log->lock);
    return n;
}

void eseal_log_head(struct eseal_log *log, struct eseal_log_checkpoint *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->origin, sizeof(out->origin), "%s", log->key.name);
    pthread_mutex_lock(&log->lock);
    out->size = log->size;
    memcpy(out->root, log->root, HLEN);
    pthread_mutex_unlock(&log->lock);
}

eseal_rc eseal_log_checkpoint(struct eseal_log *log, struct eseal_buf *note, struct eseal_err *err)
{
    eseal_buf_reset(note);
    pthread_mutex_lock(&log->lock);
    bool have = log->have_note;
    if (have)
        eseal_buf_append(note, log->note.data, log->note.len);
    pthread_mutex_unlock(&log->lock);
    if (!have)
        return eseal_err_set(err, ESEAL_E_NOTFOUND, "the log %s has no checkpoint yet", log->dir);
    return ESEAL_OK;
}

eseal_rc eseal_log_read(struct eseal_log *log, uint64_t start, uint64_t end, eseal_log_entry_fn fn,
                        void *ctx, struct eseal_err *err)
{
    uint64_t size = eseal_log_size(log);
    if (start > end || end > size)
        return eseal_err_set(
            err, ESEAL_E_INVALID, "entries %llu..%llu: the range must lie within 0..%llu",
            (unsigned long long)start, (unsigned long long)end, (unsigned long long)size);
    if (start == end)
        return ESEAL_OK;
    uint64_t first, off;
    eseal_rc rc = offset_get(log, start, &first, &off, err);
    if (rc != ESEAL_OK)
        return rc;
    size_t n;
    struct seg *segs = segs_copy(log, &n);
    int i = seg_find(segs, n, first);
    if (i < 0) {
        free(segs);
        return eseal_err_set(err, ESEAL_E_IO, "log index: entry %llu is in an unknown segment",
                             (unsigned long long)start);
    }
    struct eseal_buf data;
    eseal_buf_init(&data);
    /* The index says the entries are there: the size is not needed. */
    struct log_cursor c = {.fd = segs[i].fd,
                           .path = segs[i].path,
                           .size = UINT64_MAX,
                           .max_len = ESEAL_LOG_ENTRY_MAX,
                           .entries = true,
                           .need = true,
                           .seq = start,
                           .off = off};
    for (uint64_t seq = start; seq < end && rc == ESEAL_OK; seq++) {
        if ((size_t)i + 1 < n && segs[i + 1].first == seq) {
            i++;
            c.fd = segs[i].fd;
            c.path = segs[i].path;
            c.off = 0;
        }
        bool got;
        rc = log_cursor_next(&c, &data, &got, err);
        if (rc == ESEAL_E_IO)
            eseal_err_prefix(err, "entry %llu (%s)", (unsigned long long)seq,
                             log_seg_base(segs[i].path));
        if (rc == ESEAL_OK)
            rc = fn(ctx, seq, data.data, data.len, err);
    }
    eseal_buf_cleanup(&data);
    free(segs);
    return rc;
}

static eseal_rc copy_entry(void *ctx, uint64_t seq, const uint8_t *data, size_t len,
                           struct eseal_err *err)
{
    eseal_buf_append(ctx, data, len);
    return ESEAL_OK;
}

eseal_rc eseal_log_entry(struct eseal_log *log, uint64_t seq, struct eseal_buf *out,
                         struct eseal_err *err)
{
    eseal_buf_reset(out);
    if (seq >= eseal_log_size(log))
        return eseal_err_set(err, ESEAL_E_NOTFOUND, "no entry %llu: the log has %llu",
                             (unsigned long long)seq, (unsigned long long)eseal_log_size(log));
    return eseal_log_read(log, seq, seq + 1, copy_entry, out, err);
}

eseal_rc eseal_log_root(struct eseal_log *log, uint64_t size, uint8_t root[HLEN],
                        struct eseal_err *err)
{
    uint64_t n = eseal_log_size(log);
    if (size > n)
        return eseal_err_set(err, ESEAL_E_INVALID, "size %llu is beyond the log's %llu",
                             (unsigned long long)size, (unsigned long long)n);
    return eseal_merkle_root(root, size, node_read, log, err);
}

eseal_rc eseal_log_tree_inclusion(struct eseal_merkle_proof *out, uint64_t index, uint64_t size,
                                  uint64_t n, eseal_merkle_node_read read, void *ctx,
                                  struct eseal_err *err)
{
    out->n = 0;
    if (size > n || index >= size)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "inclusion proof: need index < size <= %llu, got index %llu, size "
                             "%llu",
                             (unsigned long long)n, (unsigned long long)index,
                             (unsigned long long)size);
    return eseal_merkle_inclusion_proof(out, index, size, read, ctx, err);
}

eseal_rc eseal_log_tree_consistency(struct eseal_merkle_proof *out, uint64_t first, uint64_t second,
                                    uint64_t n, eseal_merkle_node_read read, void *ctx,
                                    struct eseal_err *err)
{
    out->n = 0;
    if (second > n || first > second)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "consistency proof: need first <= second <= %llu, got first %llu, "
                             "second %llu",
                             (unsigned long long)n, (unsigned long long)first,
                             (unsigned long long)second);
    return eseal_merkle_consistency_proof(out, first, second, read, ctx, err);
}

eseal_rc eseal_log_inclusion_proof(struct eseal_log *log, uint64_t index, uint64_t size,
                                   struct eseal_merkle_proof *out, struct eseal_err *err)
{
    return eseal_log_tree_inclusion(out, index, size, eseal_log_size(log), node_read, log, err);
}

eseal_rc eseal_log_consistency_proof(struct eseal_log *log, uint64_t first, uint64_t second,
                                     struct eseal_merkle_proof *out, struct eseal_err *err)
{
    return eseal_log_tree_consistency(out, first, second, eseal_log_size(log), node_read, log, err);
}

/* ---- the directory without the index ---------------------------------------- */

eseal_rc eseal_log_dir_checkpoint(const char *dir, struct eseal_buf *note, struct eseal_err *err)
{
    eseal_buf_reset(note);
    struct eseal_log_key key;
    eseal_rc rc = log_meta_read(dir, &key, err);
    if (rc != ESEAL_OK)
        return rc;
    char *path = eseal_path_join(dir, LOG_FILE_CHECKPOINTS);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = eseal_err_set(err, errno == ENOENT ? ESEAL_E_NOTFOUND : ESEAL_E_IO, "%s: %s", path,
                           strerror(errno));
        free(path);
        return rc;
    }
    struct log_cursor c = {.fd = fd, .path = path, .max_len = ESEAL_LOG_NOTE_MAX, .tail = true};
    rc = file_size(fd, path, &c.size, err);
    struct eseal_buf data;
    eseal_buf_init(&data);
    bool found = false, got = true;
    while (rc == ESEAL_OK && got) {
        rc = log_cursor_next(&c, &data, &got, err);
        if (rc == ESEAL_E_CRYPTO) { /* damage past the last good note: the writer's to report */
            rc = ESEAL_OK;
            got = false;
        }
        if (got) {
            eseal_buf_reset(note);
            eseal_buf_append(note, data.data, data.len);
            found = true;
        }
    }
    if (rc == ESEAL_OK && !found)
        rc = eseal_err_set(err, ESEAL_E_NOTFOUND, "%s: no checkpoint yet", path);
    if (rc == ESEAL_OK) {
        struct eseal_log_checkpoint cp;
        rc = eseal_log_checkpoint_verify(&cp, note->data, note->len, &key, err);
        if (rc != ESEAL_OK)
            eseal_err_prefix(err, "%s", path);
    }
    if (rc != ESEAL_OK)
        eseal_buf_reset(note);
    eseal_buf_cleanup(&data);
    close(fd);
    free(path);
    return rc;
}
