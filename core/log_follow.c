/* log_follow.c — following a log, from its directory or over HTTP, and
 * returning only entries proven to be in a signed checkpoint that is
 * consistent with every checkpoint verified before. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "eseal/enc.h"
#include "eseal/json.h"
#include "eseal/log.h"
#include "log_internal.h"

#define HLEN ESEAL_MERKLE_HASH_LEN
/* In a directory, one step goes to the last checkpoint within this many
 * entries (or to the next checkpoint, however far). */
#define DIR_STEP 4096

enum source { SRC_DIR, SRC_URL };

struct eseal_log_follower {
    enum source src;
    struct eseal_log_key key;
    uint64_t pos;                          /* the next entry to return */
    struct eseal_merkle_frontier frontier; /* of entries 0..pos-1 */
    struct eseal_log_checkpoint verified;  /* size >= pos */
    char *url;
    char *dir, *seg_dir, *cp_path;
    int cp_fd;
    uint64_t cp_off; /* start of the next unread checkpoint record */
    int seg_fd;      /* the segment holding entry |pos|, or -1 */
    char *seg_path;
    uint64_t seg_off;
};

static struct eseal_log_follower *follower_new(const struct eseal_log_key *key)
{
    struct eseal_log_follower *f = eseal_xcalloc(1, sizeof(*f));
    f->key = *key;
    f->cp_fd = -1;
    f->seg_fd = -1;
    eseal_merkle_frontier_init(&f->frontier);
    snprintf(f->verified.origin, sizeof(f->verified.origin), "%s", key->name);
    eseal_merkle_empty_root(f->verified.root);
    return f;
}

void eseal_log_follower_free(struct eseal_log_follower *f)
{
    if (f == NULL)
        return;
    if (f->cp_fd >= 0)
        close(f->cp_fd);
    if (f->seg_fd >= 0)
        close(f->seg_fd);
    free(f->seg_path);
    free(f->url);
    free(f->dir);
    free(f->seg_dir);
    free(f->cp_path);
    free(f);
}

eseal_rc eseal_log_follower_open_dir(struct eseal_log_follower **out, const char *dir,
                                     const struct eseal_log_key *key, struct eseal_err *err)
{
    *out = NULL;
    struct eseal_log_key meta;
    eseal_rc rc = log_meta_read(dir, &meta, err);
    if (rc != ESEAL_OK)
        return rc;
    /* log.json is only a hint, but a mismatch now saves a confusing failure
     * on the first checkpoint. */
    if (strcmp(meta.name, key->name) != 0 || memcmp(meta.pk, key->pk, sizeof(meta.pk)) != 0)
        return eseal_err_set(err, ESEAL_E_CRYPTO, "the log in %s is signed by %s, not by %s", dir,
                             meta.name, key->name);
    struct eseal_log_follower *f = follower_new(key);
    f->src = SRC_DIR;
    f->dir = eseal_xstrdup(dir);
    f->seg_dir = eseal_path_join(dir, LOG_DIR_SEGMENTS);
    f->cp_path = eseal_path_join(dir, LOG_FILE_CHECKPOINTS);
    *out = f;
    return ESEAL_OK;
}

eseal_rc eseal_log_follower_open_url(struct eseal_log_follower **out, const char *url,
                                     const struct eseal_log_key *key, struct eseal_err *err)
{
    *out = NULL;
    if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
        strchr(url, '?') != NULL || strchr(url, '#') != NULL)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "follow: %s: the URL must be http(s)://host[:port][/prefix]", url);
    struct eseal_log_follower *f = follower_new(key);
    f->src = SRC_URL;
    f->url = eseal_xstrdup(url);
    *out = f;
    return ESEAL_OK;
}

uint64_t eseal_log_follower_position(const struct eseal_log_follower *f)
{
    return f->pos;
}

const struct eseal_log_checkpoint *eseal_log_follower_verified(const struct eseal_log_follower *f)
{
    return &f->verified;
}

/* ---- saved state ------------------------------------------------------------ */

static json_t *b64_json(const uint8_t h[HLEN])
{
    char *s = eseal_base64(h, HLEN, ESEAL_B64_STD);
    json_t *j = json_string(s);
    free(s);
    return j;
}

static bool json_hash(const json_t *j, uint8_t out[HLEN])
{
    const char *s = json_string_value(j);
    struct eseal_buf b;
    eseal_buf_init(&b);
    bool ok = s != NULL && eseal_unbase64(&b, s, strlen(s), ESEAL_B64_STD, NULL) == ESEAL_OK &&
              b.len == HLEN;
    if (ok)
        memcpy(out, b.data, HLEN);
    eseal_buf_cleanup(&b);
    return ok;
}

char *eseal_log_follower_save(const struct eseal_log_follower *f)
{
    json_t *fr = json_array();
    for (int level = ESEAL_MERKLE_LEVELS - 1; level >= 0; level--) {
        if ((f->frontier.size >> level) & 1)
            json_array_append_new(fr, b64_json(f->frontier.hash[level]));
    }
    json_t *j =
        json_pack("{s:I,s:I,s:o,s:o}", "position", (json_int_t)f->pos, "size",
                  (json_int_t)f->verified.size, "root", b64_json(f->verified.root), "frontier", fr);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

eseal_rc eseal_log_follower_restore(struct eseal_log_follower *f, const char *state, size_t len,
                                    struct eseal_err *err)
{
    json_t *j = eseal_json_load(state, len);
    json_t *pos = json_object_get(j, "position"), *size = json_object_get(j, "size");
    json_t *fr = json_object_get(j, "frontier");
    struct eseal_merkle_frontier frontier;
    eseal_merkle_frontier_init(&frontier);
    struct eseal_log_checkpoint v = f->verified;
    bool ok = json_is_integer(pos) && json_is_integer(size) && json_is_array(fr) &&
              json_integer_value(pos) >= 0 && json_integer_value(size) >= json_integer_value(pos) &&
              json_hash(json_object_get(j, "root"), v.root);
    if (ok) {
        frontier.size = (uint64_t)json_integer_value(pos);
        v.size = (uint64_t)json_integer_value(size);
        ok = json_array_size(fr) == (size_t)__builtin_popcountll(frontier.size);
        size_t k = 0;
        for (int level = ESEAL_MERKLE_LEVELS - 1; ok && level >= 0; level--) {
            if ((frontier.size >> level) & 1)
                ok = json_hash(json_array_get(fr, k++), frontier.hash[level]);
        }
    }
    if (ok && frontier.size == v.size) { /* the frontier must give the root */
        uint8_t r[HLEN];
        eseal_merkle_frontier_root(&frontier, r);
        ok = memcmp(r, v.root, HLEN) == 0;
    }
    json_decref(j);
    if (!ok)
        return eseal_err_set(err, ESEAL_E_INVALID, "follow: malformed saved state");
    f->pos = frontier.size;
    f->frontier = frontier;
    f->verified = v;
    f->cp_off = 0;
    if (f->seg_fd >= 0)
        close(f->seg_fd);
    f->seg_fd = -1;
    return ESEAL_OK;
}

/* ---- from a directory ------------------------------------------------------- */

/* dir_next_checkpoint reads the checkpoints file from the cursor and picks
 * the target: the last checkpoint within DIR_STEP entries of |pos|, or the
 * first beyond it. *found is false when there is none newer. */
static eseal_rc dir_next_checkpoint(struct eseal_log_follower *f, struct eseal_log_checkpoint *cp,
                                    bool *found, struct eseal_err *err)
{
    *found = false;
    if (f->cp_fd < 0) {
        f->cp_fd = open(f->cp_path, O_RDONLY | O_CLOEXEC);
        if (f->cp_fd < 0)
            return errno == ENOENT
                       ? ESEAL_OK
                       : eseal_err_set(err, ESEAL_E_IO, "%s: %s", f->cp_path, strerror(errno));
    }
    struct stat st;
    if (fstat(f->cp_fd, &st) != 0)
        return eseal_err_set(err, ESEAL_E_IO, "%s: %s", f->cp_path, strerror(errno));
    uint64_t size = (uint64_t)st.st_size;
    struct eseal_buf data, best;
    eseal_buf_init(&data);
    eseal_buf_init(&best);
    /* |off| moves past each record consumed: the older ones skipped and the
     * chosen one; a record left for a later step is not consumed. */
    uint64_t off = f->cp_off, best_off = 0;
    /* The end, or a record still being written: look again later. A bad
     * record with more after it is damage. */
    struct log_cursor c = {.fd = f->cp_fd,
                           .path = f->cp_path,
                           .size = size,
                           .max_len = ESEAL_LOG_NOTE_MAX,
                           .tail = true,
                           .off = off};
    eseal_rc rc = ESEAL_OK;
    for (;;) {
        bool got;
        rc = log_cursor_next(&c, &data, &got, err);
        if (rc != ESEAL_OK || !got)
            break;
        /* Only the size is needed to choose; the signature is checked on
         * the one chosen. */
        const char *text = (const char *)data.data;
        const char *nl = memchr(text, '\n', data.len);
        const char *p = nl != NULL ? nl + 1 : NULL;
        const char *nl2 = p != NULL ? memchr(p, '\n', data.len - (size_t)(p - text)) : NULL;
        uint64_t n;
        if (nl2 == NULL || !log_parse_u64(p, (size_t)(nl2 - p), &n)) {
            rc = eseal_err_set(err, ESEAL_E_CRYPTO, "%s, offset %llu: not a checkpoint", f->cp_path,
                               (unsigned long long)off);
            break;
        }
        if (n > f->verified.size) {
            if (*found && n > f->pos + DIR_STEP)
                break;
            *found = true;
            eseal_buf_reset(&best);
            eseal_buf_append(&best, data.data, data.len);
            best_off = off;
        }
        off = c.off;
    }
    if (rc == ESEAL_OK && *found) {
        rc = eseal_log_checkpoint_verify(cp, best.data, best.len, &f->key, err);
        if (rc != ESEAL_OK) {
            eseal_err_prefix(err, "%s, offset %llu", f->cp_path, (unsigned long long)best_off);
            rc = ESEAL_E_CRYPTO;
            if (err != NULL)
                err->rc = rc;
        }
    }
    if (rc == ESEAL_OK)
        f->cp_off = off;
    eseal_buf_cleanup(&data);
    eseal_buf_cleanup(&best);
    return rc;
}

static eseal_rc seg_open(struct eseal_log_follower *f, const char *path, struct eseal_err *err)
{
    if (f->seg_fd >= 0)
        close(f->seg_fd);
    free(f->seg_path);
    f->seg_path = eseal_xstrdup(path);
    f->seg_fd = open(path, O_RDONLY | O_CLOEXEC);
    f->seg_off = 0;
    if (f->seg_fd < 0)
        return eseal_err_set(err, ESEAL_E_IO, "%s: %s", path, strerror(errno));
    return ESEAL_OK;
}

/* seg_locate positions the segment cursor on entry |seq|: in the segment
 * named |seq| if there is one (the previous one ended), else by skipping
 * records from the start of the segment that holds it. */
static eseal_rc seg_locate(struct eseal_log_follower *f, uint64_t seq, struct eseal_err *err)
{
    struct log_seg_name *segs = NULL;
    size_t n = 0;
    eseal_rc rc = log_segs_list(f->seg_dir, &segs, &n, err);
    if (rc != ESEAL_OK)
        return rc;
    size_t i = n;
    while (i > 0 && segs[i - 1].first > seq)
        i--;
    if (i == 0) {
        log_segs_free(segs, n);
        return eseal_err_set(err, ESEAL_E_CRYPTO, "%s: no segment holds entry %llu", f->seg_dir,
                             (unsigned long long)seq);
    }
    rc = seg_open(f, segs[i - 1].path, err);
    uint64_t at = segs[i - 1].first;
    struct stat st = {0};
    if (rc == ESEAL_OK && fstat(f->seg_fd, &st) != 0)
        rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", f->seg_path, strerror(errno));
    struct log_cursor c = {.fd = f->seg_fd,
                           .path = f->seg_path,
                           .size = (uint64_t)st.st_size,
                           .max_len = ESEAL_LOG_ENTRY_MAX,
                           .entries = true,
                           .need = true,
                           .seq = at,
                           .off = f->seg_off};
    while (rc == ESEAL_OK && c.seq < seq) {
        bool got;
        rc = log_cursor_next(&c, NULL, &got, err);
    }
    if (rc == ESEAL_OK)
        f->seg_off = c.off;
    log_segs_free(segs, n);
    return rc;
}

/* dir_read_entry reads entry |seq| at the cursor (moving on to the next
 * segment at the end of one) and checks it. */
static eseal_rc dir_read_entry(struct eseal_log_follower *f, uint64_t seq, struct eseal_buf *data,
                               struct eseal_err *err)
{
    if (f->seg_fd < 0) {
        eseal_rc rc = seg_locate(f, seq, err);
        if (rc != ESEAL_OK)
            return rc;
    }
    for (int attempt = 0;; attempt++) {
        struct stat st;
        if (fstat(f->seg_fd, &st) != 0)
            return eseal_err_set(err, ESEAL_E_IO, "%s: %s", f->seg_path, strerror(errno));
        struct log_cursor c = {.fd = f->seg_fd,
                               .path = f->seg_path,
                               .size = (uint64_t)st.st_size,
                               .max_len = ESEAL_LOG_ENTRY_MAX,
                               .entries = true,
                               .need = attempt > 0,
                               .seq = seq,
                               .off = f->seg_off};
        bool got;
        eseal_rc rc = log_cursor_next(&c, data, &got, err);
        if (rc == ESEAL_OK && !got)
            rc = seg_locate(f, seq, err); /* the next segment */
        else if (rc == ESEAL_OK)
            f->seg_off = c.off;
        if (rc != ESEAL_OK || got)
            return rc;
    }
}

/* ---- stepping ------------------------------------------------------------------ */

static eseal_rc not_hashing(uint64_t from, uint64_t to, uint64_t size, struct eseal_err *err)
{
    return eseal_err_set(err, ESEAL_E_CRYPTO,
                         "entries %llu..%llu do not hash into the signed checkpoint of size %llu",
                         (unsigned long long)from, (unsigned long long)(to - 1),
                         (unsigned long long)size);
}

static eseal_rc dir_next(struct eseal_log_follower *f, json_t *out, struct eseal_err *err)
{
    /* Until |pos| reaches the verified checkpoint (after a restore) the
     * target is that checkpoint; then the next one in the file. Either way
     * the entries must hash to the target's root, and since the frontier
     * before them gives the verified root, the target extends it. */
    struct eseal_log_checkpoint target = f->verified;
    uint64_t cp_before = f->cp_off;
    if (f->pos >= f->verified.size) {
        bool found;
        eseal_rc rc = dir_next_checkpoint(f, &target, &found, err);
        if (rc != ESEAL_OK || !found)
            return rc;
    }
    struct eseal_merkle_frontier fr = f->frontier;
    struct eseal_buf data;
    eseal_buf_init(&data);
    eseal_rc rc = ESEAL_OK;
    for (uint64_t seq = f->pos; seq < target.size && rc == ESEAL_OK; seq++) {
        json_t *e = NULL;
        rc = dir_read_entry(f, seq, &data, err);
        if (rc == ESEAL_OK && (rc = log_entry_check(data.data, data.len, seq, &e, err)) != ESEAL_OK)
            eseal_err_prefix(err, "entry %llu (%s)", (unsigned long long)seq,
                             log_seg_base(f->seg_path));
        if (rc == ESEAL_OK) {
            uint8_t leaf[HLEN];
            eseal_merkle_leaf_hash(leaf, data.data, data.len);
            if (eseal_merkle_frontier_append(&fr, leaf, NULL, NULL) != ESEAL_OK)
                rc = eseal_err_set(err, ESEAL_E_TOOBIG, "the log is full");
            json_array_append_new(out, e);
        }
    }
    eseal_buf_cleanup(&data);
    if (rc == ESEAL_OK) {
        uint8_t r[HLEN];
        eseal_merkle_frontier_root(&fr, r);
        if (memcmp(r, target.root, HLEN) != 0)
            rc = not_hashing(f->pos, target.size, target.size, err);
    }
    if (rc != ESEAL_OK) {
        /* Stay put: the next call reads the same entries again. */
        json_array_clear(out);
        if (f->seg_fd >= 0)
            close(f->seg_fd);
        f->seg_fd = -1;
        f->cp_off = cp_before;
        return rc;
    }
    f->frontier = fr;
    f->pos = target.size;
    f->verified = target;
    return ESEAL_OK;
}

/* ---- over HTTP ---------------------------------------------------------------- */

static eseal_rc url_consistency(const struct eseal_log_follower *f, uint64_t first,
                                const uint8_t first_root[HLEN],
                                const struct eseal_log_checkpoint *second, struct eseal_err *err)
{
    struct eseal_merkle_proof proof;
    eseal_rc rc =
        log_fetch_proof(f->url, "consistency", "first", first, "second", second->size, &proof, err);
    if (rc == ESEAL_OK && eseal_merkle_verify_consistency(first, second->size, first_root,
                                                          second->root, &proof) != ESEAL_OK)
        rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                           "the tree of %llu entries is not consistent with the signed "
                           "checkpoint of size %llu (consistency proof fails)",
                           (unsigned long long)first, (unsigned long long)second->size);
    return rc;
}

static eseal_rc url_next(struct eseal_log_follower *f, json_t *out, struct eseal_err *err)
{
    struct eseal_log_checkpoint target = f->verified;
    eseal_rc rc = ESEAL_OK;
    if (f->pos >= f->verified.size) {
        rc = log_fetch_checkpoint(f->url, &f->key, &target, err);
        if (rc != ESEAL_OK)
            return rc;
        if (target.size < f->verified.size)
            return eseal_err_set(
                err, ESEAL_E_CRYPTO, "the log's checkpoint went back from size %llu to %llu",
                (unsigned long long)f->verified.size, (unsigned long long)target.size);
        if (target.size == f->verified.size) {
            if (memcmp(target.root, f->verified.root, HLEN) != 0)
                return eseal_err_set(err, ESEAL_E_CRYPTO,
                                     "two different signed roots for size %llu: the log forked",
                                     (unsigned long long)target.size);
            return ESEAL_OK;
        }
        rc = url_consistency(f, f->verified.size, f->verified.root, &target, err);
        if (rc != ESEAL_OK)
            return rc;
    }
    struct eseal_merkle_frontier fr = f->frontier;
    uint64_t end =
        target.size - f->pos > ESEAL_LOG_PAGE_MAX ? f->pos + ESEAL_LOG_PAGE_MAX : target.size;
    struct eseal_buf leaves;
    eseal_buf_init(&leaves);
    rc = log_fetch_page(f->url, f->pos, end, out, &leaves, err);
    for (size_t i = 0; rc == ESEAL_OK && i < leaves.len / HLEN; i++) {
        if (eseal_merkle_frontier_append(&fr, leaves.data + i * HLEN, NULL, NULL) != ESEAL_OK)
            rc = eseal_err_set(err, ESEAL_E_TOOBIG, "the log is full");
    }
    eseal_buf_cleanup(&leaves);
    /* The page is proven a prefix of the target: its end is the target, or
     * a consistency proof leads from the page's root to the target's. */
    if (rc == ESEAL_OK) {
        uint8_t r[HLEN];
        eseal_merkle_frontier_root(&fr, r);
        if (fr.size == target.size) {
            if (memcmp(r, target.root, HLEN) != 0)
                rc = not_hashing(f->pos, fr.size, target.size, err);
        } else if ((rc = url_consistency(f, fr.size, r, &target, err)) == ESEAL_E_CRYPTO) {
            rc = not_hashing(f->pos, fr.size, target.size, err);
        }
    }
    if (rc != ESEAL_OK) {
        json_array_clear(out);
        return rc;
    }
    f->frontier = fr;
    f->pos = fr.size;
    f->verified = target;
    return ESEAL_OK;
}

bool eseal_log_follower_behind(const struct eseal_log_follower *f)
{
    if (f->pos < f->verified.size)
        return true;
    struct stat st;
    return f->src == SRC_DIR && f->cp_fd >= 0 && fstat(f->cp_fd, &st) == 0 &&
           (uint64_t)st.st_size > f->cp_off;
}

eseal_rc eseal_log_follower_next(struct eseal_log_follower *f, json_t **entries,
                                 struct eseal_err *err)
{
    *entries = json_array();
    eseal_rc rc = f->src == SRC_DIR ? dir_next(f, *entries, err) : url_next(f, *entries, err);
    if (rc != ESEAL_OK) {
        json_decref(*entries);
        *entries = NULL;
    }
    return rc;
}
