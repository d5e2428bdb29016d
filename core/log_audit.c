/* log_audit.c — checking a whole log from its files or over HTTP, and naming
 * the first bad entry. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eseal/log.h"
#include "log_internal.h"

#define HLEN ESEAL_MERKLE_HASH_LEN

static void audit_init(struct eseal_log_audit *out, const struct eseal_log_key *key)
{
    memset(out, 0, sizeof(*out));
    out->bad_entry = UINT64_MAX;
    snprintf(out->latest.origin, sizeof(out->latest.origin), "%s", key->name);
    eseal_merkle_empty_root(out->latest.root);
}

/* ---- from the files ---------------------------------------------------------- */

struct cp_rec {
    uint64_t size;
    uint8_t root[HLEN]; /* once verified */
    uint64_t off;       /* in the checkpoints file */
    char *note;         /* the signed note, checked when the entries reach it */
    size_t note_len;
};

/* note_size reads the tree size (the second line) of a signed note. */
static bool note_size(const uint8_t *data, size_t len, uint64_t *n)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', len);
    const char *p = nl != NULL ? nl + 1 : NULL;
    const char *nl2 = p != NULL ? memchr(p, '\n', len - (size_t)(p - text)) : NULL;
    return nl2 != NULL && log_parse_u64(p, (size_t)(nl2 - p), n);
}

/* read_checkpoints reads every checkpoint in DIR/checkpoints: framing,
 * sizes increasing; their signatures are checked as the entries reach them
 * (reach_checkpoints), with the keys the log has announced by then. A torn
 * tail is left alone: a checkpoint that never became durable was never
 * acknowledged. */
static eseal_rc read_checkpoints(const char *path, struct cp_rec **out, size_t *n,
                                 struct eseal_err *err)
{
    *out = NULL;
    *n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? ESEAL_OK
                               : eseal_err_set(err, ESEAL_E_IO, "%s: %s", path, strerror(errno));
    struct stat st;
    eseal_rc rc = ESEAL_OK;
    if (fstat(fd, &st) != 0)
        rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", path, strerror(errno));
    struct eseal_buf data;
    eseal_buf_init(&data);
    size_t cap = 0;
    struct log_cursor c = {.fd = fd,
                           .path = path,
                           .size = (uint64_t)st.st_size,
                           .max_len = ESEAL_LOG_NOTE_MAX,
                           .tail = true};
    while (rc == ESEAL_OK) {
        bool got;
        rc = log_cursor_next(&c, &data, &got, err);
        if (rc != ESEAL_OK || !got)
            break;
        uint64_t off = c.rec.off;
        struct eseal_log_checkpoint cp;
        if (!note_size(data.data, data.len, &cp.size)) {
            rc = eseal_err_set(err, ESEAL_E_CRYPTO, "%s, offset %llu: not a checkpoint", path,
                               (unsigned long long)off);
            break;
        }
        if (*n > 0 && cp.size <= (*out)[*n - 1].size) {
            rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                               "%s, offset %llu: a checkpoint of size %llu follows one of size "
                               "%llu",
                               path, (unsigned long long)off, (unsigned long long)cp.size,
                               (unsigned long long)(*out)[*n - 1].size);
            break;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *out = eseal_xrealloc(*out, cap * sizeof(**out));
        }
        (*out)[*n].size = cp.size;
        (*out)[*n].off = off;
        (*out)[*n].note = eseal_xstrndup((const char *)data.data, data.len);
        (*out)[*n].note_len = data.len;
        (*n)++;
    }
    eseal_buf_cleanup(&data);
    close(fd);
    return rc;
}

/* struct key_event is a log key announced (key.rotated) or retired
 * (key.retired) by the entry |seq|: it takes effect once a checkpoint
 * signed by a key trusted before covers that entry. */
struct key_event {
    uint64_t seq;
    bool retire;
    struct eseal_log_key key;
};

struct dir_audit {
    const char *dir;
    struct eseal_log_audit *out;
    struct cp_rec *cps;
    size_t n_cps, next_cp; /* the next checkpoint to reach */
    struct eseal_merkle_frontier fr;
    uint64_t verified;                       /* entries proven by a matching checkpoint */
    struct eseal_log_key keys[LOG_KEYS_MAX]; /* trusted now */
    size_t n_keys;
    struct key_event events[LOG_KEYS_MAX]; /* not yet in effect */
    size_t n_events;
};

/* key_events_apply puts into effect the key events of entries below |size|. */
static void key_events_apply(struct dir_audit *a, uint64_t size)
{
    size_t kept = 0;
    for (size_t i = 0; i < a->n_events; i++) {
        const struct key_event *ev = &a->events[i];
        if (ev->seq >= size) {
            a->events[kept++] = *ev;
            continue;
        }
        size_t k = 0;
        while (k < a->n_keys && memcmp(a->keys[k].hash, ev->key.hash, 4) != 0)
            k++;
        if (ev->retire && k < a->n_keys && a->n_keys > 1)
            a->keys[k] = a->keys[--a->n_keys];
        else if (!ev->retire && k == a->n_keys && a->n_keys < LOG_KEYS_MAX)
            a->keys[a->n_keys++] = ev->key;
    }
    a->n_events = kept;
}

/* key_event_note records a log key event in entry |seq| (|j|), if it is one:
 * {"type":"key.rotated","data":{"role":"log","new":{"key":VKEY}}} or
 * {"type":"key.retired","data":{"role":"log","key":VKEY}}. */
static eseal_rc key_event_note(struct dir_audit *a, uint64_t seq, const json_t *j,
                               struct eseal_err *err)
{
    const char *type = json_string_value(json_object_get(j, "type"));
    const json_t *data = json_object_get(j, "data");
    const char *role = json_string_value(json_object_get(data, "role"));
    if (type == NULL || role == NULL || strcmp(role, "log") != 0)
        return ESEAL_OK;
    bool retire = strcmp(type, "key.retired") == 0;
    if (!retire && strcmp(type, "key.rotated") != 0)
        return ESEAL_OK;
    const char *vkey =
        json_string_value(retire ? json_object_get(data, "key")
                                 : json_object_get(json_object_get(data, "new"), "key"));
    if (a->n_events == LOG_KEYS_MAX)
        return eseal_err_set(err, ESEAL_E_CRYPTO, "entry %llu: too many log key events",
                             (unsigned long long)seq);
    struct key_event *ev = &a->events[a->n_events];
    if (vkey == NULL || eseal_log_key_parse(&ev->key, vkey, strlen(vkey), NULL) != ESEAL_OK ||
        strcmp(ev->key.name, a->keys[0].name) != 0) {
        a->out->bad_entry = seq;
        return eseal_err_set(err, ESEAL_E_CRYPTO, "entry %llu: %s without a key of this log",
                             (unsigned long long)seq, type);
    }
    ev->seq = seq;
    ev->retire = retire;
    a->n_events++;
    return ESEAL_OK;
}

/* reach_checkpoints checks every checkpoint of the current size: signed by
 * a key trusted now (the one given, or one the log announced under an
 * earlier checkpoint), and the root of the entries read. */
static eseal_rc reach_checkpoints(struct dir_audit *a, struct eseal_err *err)
{
    while (a->next_cp < a->n_cps && a->cps[a->next_cp].size == a->fr.size) {
        struct cp_rec *c = &a->cps[a->next_cp];
        struct eseal_log_checkpoint cp;
        eseal_rc rc =
            eseal_log_checkpoint_verify_any(&cp, c->note, c->note_len, a->keys, a->n_keys, err);
        if (rc == ESEAL_OK && cp.size != c->size)
            rc = eseal_err_set(err, ESEAL_E_CRYPTO, "checkpoint: size changed");
        if (rc != ESEAL_OK) {
            eseal_err_prefix(err, "%s, offset %llu", LOG_FILE_CHECKPOINTS,
                             (unsigned long long)c->off);
            if (err != NULL)
                err->rc = ESEAL_E_CRYPTO;
            return ESEAL_E_CRYPTO;
        }
        memcpy(c->root, cp.root, HLEN);
        uint8_t r[HLEN];
        eseal_merkle_frontier_root(&a->fr, r);
        if (memcmp(r, c->root, HLEN) != 0) {
            a->out->bad_entry = a->verified;
            return eseal_err_set(
                err, ESEAL_E_CRYPTO,
                "entries %llu..%llu do not hash to the signed checkpoint of "
                "size %llu (%s offset %llu): one of them was changed / 条目被篡改",
                (unsigned long long)a->verified, (unsigned long long)(c->size ? c->size - 1 : 0),
                (unsigned long long)c->size, LOG_FILE_CHECKPOINTS, (unsigned long long)c->off);
        }
        a->verified = c->size;
        a->next_cp++;
        key_events_apply(a, c->size);
    }
    return ESEAL_OK;
}

static uint64_t covered(const struct dir_audit *a)
{
    return a->n_cps > 0 ? a->cps[a->n_cps - 1].size : 0;
}

/* bad_record names entry |seq| as the first bad one. */
static eseal_rc bad_record(struct dir_audit *a, uint64_t seq, const char *seg, uint64_t off,
                           const char *why, struct eseal_err *err)
{
    a->out->bad_entry = seq;
    return eseal_err_set(err, ESEAL_E_CRYPTO, "entry %llu (%s, offset %llu) is bad: %s / 条目损坏",
                         (unsigned long long)seq, seg, (unsigned long long)off, why);
}

static eseal_rc audit_segment(struct dir_audit *a, const struct log_seg_name *g, bool last,
                              bool *torn, struct eseal_err *err)
{
    const char *name = log_seg_base(g->path);
    if (g->first != a->fr.size) {
        a->out->bad_entry = a->fr.size;
        return eseal_err_set(err, ESEAL_E_CRYPTO,
                             "segment %s should start with entry %llu: entries %s / 段文件不连续",
                             name, (unsigned long long)a->fr.size,
                             g->first > a->fr.size ? "are missing" : "overlap");
    }
    int fd = open(g->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return eseal_err_set(err, ESEAL_E_IO, "%s: %s", g->path, strerror(errno));
    struct stat st;
    eseal_rc rc = ESEAL_OK;
    if (fstat(fd, &st) != 0)
        rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", g->path, strerror(errno));
    struct log_cursor c = {.fd = fd,
                           .path = g->path,
                           .size = (uint64_t)st.st_size,
                           .max_len = ESEAL_LOG_ENTRY_MAX,
                           .entries = true,
                           .tail = last,
                           .seq = a->fr.size};
    struct eseal_buf data;
    eseal_buf_init(&data);
    while (rc == ESEAL_OK) {
        uint64_t seq = a->fr.size;
        bool got;
        rc = log_cursor_next(&c, &data, &got, err);
        if (rc == ESEAL_E_CRYPTO || (c.torn && covered(a) > seq)) {
            /* A torn tail a signed checkpoint covers was acknowledged: damage. */
            char why[160];
            snprintf(why, sizeof(why), "%s%s", log_rec_status_text(c.st),
                     covered(a) > seq ? ", and a signed checkpoint covers it" : "");
            rc = bad_record(a, seq, name, c.off, why, err);
            break;
        }
        if (rc != ESEAL_OK || !got) {
            if (c.torn) {
                *torn = true;
                a->out->torn_bytes = c.size - c.off;
            }
            break;
        }
        struct eseal_err e2;
        json_t *j = NULL;
        bool key_event = memmem(data.data, data.len, "\"key.r", 6) != NULL;
        if (log_entry_check(data.data, data.len, seq, key_event ? &j : NULL, &e2) != ESEAL_OK) {
            rc = bad_record(a, seq, name, c.rec.off, e2.msg, err);
            break;
        }
        rc = j != NULL ? key_event_note(a, seq, j, err) : ESEAL_OK;
        json_decref(j);
        if (rc != ESEAL_OK)
            break;
        if (eseal_merkle_frontier_append(&a->fr, c.rec.hash, NULL, NULL) != ESEAL_OK) {
            rc = eseal_err_set(err, ESEAL_E_TOOBIG, "the log is full");
            break;
        }
        rc = reach_checkpoints(a, err);
    }
    eseal_buf_cleanup(&data);
    close(fd);
    return rc;
}

eseal_rc eseal_log_audit_dir(struct eseal_log_audit *out, const char *dir,
                             const struct eseal_log_key *key, struct eseal_err *err)
{
    audit_init(out, key);
    struct eseal_log_key meta;
    eseal_rc rc = log_meta_read(dir, &meta, err);
    if (rc != ESEAL_OK)
        return rc;
    struct dir_audit a = {.dir = dir, .out = out, .n_keys = 1};
    a.keys[0] = *key;
    eseal_merkle_frontier_init(&a.fr);
    char *cp_path = eseal_path_join(dir, LOG_FILE_CHECKPOINTS);
    char *seg_dir = eseal_path_join(dir, LOG_DIR_SEGMENTS);
    rc = read_checkpoints(cp_path, &a.cps, &a.n_cps, err);
    struct log_seg_name *segs = NULL;
    size_t n_segs = 0;
    if (rc == ESEAL_OK)
        rc = log_segs_list(seg_dir, &segs, &n_segs, err);
    if (rc == ESEAL_OK)
        rc = reach_checkpoints(&a, err); /* a checkpoint of size 0 */
    bool torn = false;
    for (size_t i = 0; rc == ESEAL_OK && i < n_segs && !torn; i++)
        rc = audit_segment(&a, &segs[i], i == n_segs - 1, &torn, err);
    if (rc == ESEAL_OK && a.next_cp < a.n_cps) {
        const struct cp_rec *c = &a.cps[a.next_cp];
        out->bad_entry = a.fr.size;
        rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                           "entries lost: the signed checkpoint of size %llu (%s offset %llu) "
                           "covers entries up to %llu, the segments hold only %llu / 条目丢失",
                           (unsigned long long)c->size, LOG_FILE_CHECKPOINTS,
                           (unsigned long long)c->off, (unsigned long long)(c->size - 1),
                           (unsigned long long)a.fr.size);
    }
    if (rc == ESEAL_OK) {
        out->entries = a.fr.size;
        out->checkpoints = a.n_cps;
        if (a.n_cps > 0) {
            out->latest.size = a.cps[a.n_cps - 1].size;
            memcpy(out->latest.root, a.cps[a.n_cps - 1].root, HLEN);
        }
        out->uncovered = a.fr.size - out->latest.size;
    }
    log_segs_free(segs, n_segs);
    for (size_t i = 0; i < a.n_cps; i++)
        free(a.cps[i].note);
    free(a.cps);
    free(cp_path);
    free(seg_dir);
    return rc;
}

/* ---- over HTTP ---------------------------------------------------------------- */

/* locate finds the first entry of [start, start + n) whose inclusion proof in
 * the checkpoint fails. */
static eseal_rc locate(const char *url, const struct eseal_log_checkpoint *cp, uint64_t start,
                       const struct eseal_buf *leaves, struct eseal_log_audit *out,
                       const char *what, struct eseal_err *err)
{
    size_t n = leaves->len / HLEN;
    for (size_t i = 0; i < n; i++) {
        struct eseal_merkle_proof proof;
        eseal_rc rc =
            log_fetch_proof(url, "inclusion", "index", start + i, "size", cp->size, &proof, err);
        if (rc != ESEAL_OK)
            return rc;
        if (eseal_merkle_verify_inclusion(leaves->data + i * HLEN, start + i, cp->size, &proof,
                                          cp->root) != ESEAL_OK) {
            out->bad_entry = start + i;
            return eseal_err_set(err, ESEAL_E_CRYPTO,
                                 "entry %llu is bad: it does not hash into the signed checkpoint "
                                 "of size %llu (%s) / 条目被篡改",
                                 (unsigned long long)(start + i), (unsigned long long)cp->size,
                                 what);
        }
    }
    return eseal_err_set(err, ESEAL_E_CRYPTO,
                         "entries %llu..%llu: %s, yet every inclusion proof verifies: the "
                         "server's proofs are wrong",
                         (unsigned long long)start, (unsigned long long)(start + n - 1), what);
}

eseal_rc eseal_log_audit_url(struct eseal_log_audit *out, const char *url,
                             const struct eseal_log_key *key, struct eseal_err *err)
{
    audit_init(out, key);
    struct eseal_log_checkpoint cp;
    eseal_rc rc = log_fetch_checkpoint(url, key, &cp, err);
    if (rc != ESEAL_OK)
        return rc;
    struct eseal_merkle_frontier fr;
    eseal_merkle_frontier_init(&fr);
    struct eseal_buf leaves;
    eseal_buf_init(&leaves);
    uint8_t empty[HLEN];
    eseal_merkle_empty_root(empty);
    if (cp.size == 0 && memcmp(cp.root, empty, HLEN) != 0)
        rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                           "the signed checkpoint of size 0 has a root "
                           "other than the empty tree's");
    while (rc == ESEAL_OK && fr.size < cp.size) {
        uint64_t start = fr.size;
        uint64_t end = cp.size - start > ESEAL_LOG_PAGE_MAX ? start + ESEAL_LOG_PAGE_MAX : cp.size;
        eseal_buf_reset(&leaves);
        struct eseal_err e2;
        rc = log_fetch_page(url, start, end, NULL, &leaves, &e2);
        if (rc == ESEAL_E_CRYPTO) {
            /* "entry N: ..." names the entry; keep it for the report. */
            unsigned long long bad;
            if (sscanf(e2.msg, "entry %llu", &bad) == 1)
                out->bad_entry = bad;
        }
        if (rc != ESEAL_OK) {
            if (err != NULL)
                *err = e2;
            break;
        }
        for (size_t i = 0; i < leaves.len / HLEN; i++) {
            if (eseal_merkle_frontier_append(&fr, leaves.data + i * HLEN, NULL, NULL) != ESEAL_OK)
                rc = eseal_err_set(err, ESEAL_E_TOOBIG, "the log is full");
        }
        if (rc != ESEAL_OK)
            break;
        uint8_t r[HLEN];
        eseal_merkle_frontier_root(&fr, r);
        const char *failed = NULL;
        if (fr.size == cp.size) {
            if (memcmp(r, cp.root, HLEN) != 0)
                failed = "the entries do not give the signed root";
        } else {
            struct eseal_merkle_proof proof;
            rc = log_fetch_proof(url, "consistency", "first", fr.size, "second", cp.size, &proof,
                                 err);
            if (rc == ESEAL_OK &&
                eseal_merkle_verify_consistency(fr.size, cp.size, r, cp.root, &proof) != ESEAL_OK)
                failed = "the consistency proof from the page's end fails";
        }
        if (rc == ESEAL_OK && failed == NULL) {
            /* The inclusion endpoint is audited too: one proof per page. */
            struct eseal_merkle_proof proof;
            rc = log_fetch_proof(url, "inclusion", "index", start, "size", cp.size, &proof, err);
            if (rc == ESEAL_OK && eseal_merkle_verify_inclusion(leaves.data, start, cp.size, &proof,
                                                                cp.root) != ESEAL_OK)
                failed = "the server's inclusion proof fails";
        }
        if (rc == ESEAL_OK && failed != NULL)
            rc = locate(url, &cp, start, &leaves, out, failed, err);
    }
    eseal_buf_cleanup(&leaves);
    if (rc == ESEAL_OK) {
        out->entries = cp.size;
        out->checkpoints = 1;
        out->latest = cp;
    }
    return rc;
}
