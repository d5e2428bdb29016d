/* log_record.c — the event log's files: record framing, segment listing,
 * torn-tail classification, the canonical entry check and log.json. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eseal/buf.h"
#include "eseal/json.h"
#include "eseal/merkle.h"
#include "log_internal.h"

eseal_rc log_pread_full(int fd, void *buf, size_t len, uint64_t off, const char *what,
                        struct eseal_err *err)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return eseal_err_set(err, ESEAL_E_IO, "%s: read at offset %llu: %s", what,
                                 (unsigned long long)off, strerror(errno));
        if (n == 0)
            return eseal_err_set(err, ESEAL_E_IO, "%s: unexpected end of file at offset %llu", what,
                                 (unsigned long long)off);
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return ESEAL_OK;
}

eseal_rc log_pwrite_full(int fd, const void *buf, size_t len, uint64_t off, const char *what,
                         struct eseal_err *err)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return eseal_err_set(err, ESEAL_E_IO, "%s: write at offset %llu: %s", what,
                                 (unsigned long long)off, n < 0 ? strerror(errno) : "no progress");
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return ESEAL_OK;
}

eseal_rc log_fsync_dir(const char *path, struct eseal_err *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return eseal_err_set(err, ESEAL_E_IO, "%s: %s", path, strerror(errno));
    int r = fsync(fd);
    int e = errno;
    close(fd);
    if (r != 0)
        return eseal_err_set(err, ESEAL_E_IO, "%s: fsync: %s", path, strerror(e));
    return ESEAL_OK;
}

void log_rec_header(uint8_t hdr[LOG_REC_HDR], uint32_t len,
                    const uint8_t hash[ESEAL_MERKLE_HASH_LEN])
{
    hdr[0] = (uint8_t)(len >> 24);
    hdr[1] = (uint8_t)(len >> 16);
    hdr[2] = (uint8_t)(len >> 8);
    hdr[3] = (uint8_t)len;
    memcpy(hdr + 4, hash, ESEAL_MERKLE_HASH_LEN);
}

uint64_t log_rec_end(const struct log_rec *rec)
{
    return rec->off + LOG_REC_HDR + rec->len;
}

enum log_rec_status log_rec_read(int fd, uint64_t off, uint64_t file_size, size_t max_len,
                                 struct log_rec *rec, struct eseal_buf *data, struct eseal_err *err)
{
    memset(rec, 0, sizeof(*rec));
    rec->off = off;
    if (off == file_size)
        return LOG_REC_END;
    if (off > file_size || file_size - off < LOG_REC_HDR)
        return LOG_REC_SHORT;
    uint8_t hdr[LOG_REC_HDR];
    if (log_pread_full(fd, hdr, sizeof(hdr), off, "log record", err) != ESEAL_OK)
        return LOG_REC_IO;
    rec->len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
    memcpy(rec->hash, hdr + 4, ESEAL_MERKLE_HASH_LEN);
    if (file_size - off - LOG_REC_HDR < rec->len)
        return LOG_REC_SHORT;
    if (rec->len == 0 || rec->len > max_len)
        return LOG_REC_BADLEN;
    if (data == NULL)
        return LOG_REC_OK;
    eseal_buf_reset(data);
    eseal_buf_reserve(data, rec->len);
    if (log_pread_full(fd, data->data, rec->len, off + LOG_REC_HDR, "log record", err) != ESEAL_OK)
        return LOG_REC_IO;
    data->len = rec->len;
    data->data[data->len] = 0;
    uint8_t h[ESEAL_MERKLE_HASH_LEN];
    eseal_merkle_leaf_hash(h, data->data, data->len);
    return memcmp(h, rec->hash, sizeof(h)) == 0 ? LOG_REC_OK : LOG_REC_BADHASH;
}

bool log_rec_torn(int fd, enum log_rec_status st, const struct log_rec *rec, uint64_t file_size)
{
    if (st == LOG_REC_SHORT)
        return true;
    if (st != LOG_REC_BADLEN && st != LOG_REC_BADHASH)
        return false;
    if (log_rec_end(rec) == file_size)
        return true;
    /* All zeros to the end: the size grew, the data did not land. */
    uint8_t buf[4096];
    for (uint64_t off = rec->off; off < file_size;) {
        size_t n = file_size - off < sizeof(buf) ? (size_t)(file_size - off) : sizeof(buf);
        if (log_pread_full(fd, buf, n, off, "log record", NULL) != ESEAL_OK)
            return false;
        for (size_t i = 0; i < n; i++) {
            if (buf[i] != 0)
                return false;
        }
        off += n;
    }
    return true;
}

const char *log_rec_status_text(enum log_rec_status st)
{
    switch (st) {
    case LOG_REC_OK:
        return "ok";
    case LOG_REC_END:
        return "end of file";
    case LOG_REC_SHORT:
        return "record runs past the end of the file";
    case LOG_REC_BADLEN:
        return "record length is zero or too large";
    case LOG_REC_BADHASH:
        return "record does not match its hash";
    case LOG_REC_IO:
        return "read error";
    }
    return "?";
}

eseal_rc log_cursor_next(struct log_cursor *c, struct eseal_buf *data, bool *got,
                         struct eseal_err *err)
{
    *got = false;
    c->st = log_rec_read(c->fd, c->off, c->size, c->max_len, &c->rec, data, err);
    switch (c->st) {
    case LOG_REC_OK:
        *got = true;
        c->off = log_rec_end(&c->rec);
        c->seq++;
        return ESEAL_OK;
    case LOG_REC_IO:
        return ESEAL_E_IO;
    case LOG_REC_END:
        if (!c->need)
            return ESEAL_OK;
        break;
    default:
        if (c->tail && log_rec_torn(c->fd, c->st, &c->rec, c->size)) {
            c->torn = true;
            return ESEAL_OK;
        }
        break;
    }
    if (c->entries)
        return eseal_err_set(err, ESEAL_E_CRYPTO, "entry %llu (%s, offset %llu) is corrupt: %s",
                             (unsigned long long)c->seq, log_seg_base(c->path),
                             (unsigned long long)c->off, log_rec_status_text(c->st));
    return eseal_err_set(err, ESEAL_E_CRYPTO, "%s, offset %llu: %s", c->path,
                         (unsigned long long)c->off, log_rec_status_text(c->st));
}

/* ---- segment files ------------------------------------------------------ */

char *log_seg_path(const char *seg_dir, uint64_t first)
{
    return eseal_xasprintf("%s/%020llu.seg", seg_dir, (unsigned long long)first);
}

const char *log_seg_base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s != NULL ? s + 1 : path;
}

static bool seg_name_parse(const char *name, uint64_t *first)
{
    if (strlen(name) != LOG_SEG_NAME_LEN || strcmp(name + 20, ".seg") != 0)
        return false;
    uint64_t v = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9')
            return false;
        unsigned d = (unsigned)(name[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *first = v;
    return true;
}

static int seg_cmp(const void *a, const void *b)
{
    const struct log_seg_name *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

eseal_rc log_segs_list(const char *seg_dir, struct log_seg_name **out, size_t *n,
                       struct eseal_err *err)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(seg_dir);
    if (d == NULL) {
        if (errno == ENOENT)
            return ESEAL_OK;
        return eseal_err_set(err, ESEAL_E_IO, "%s: %s", seg_dir, strerror(errno));
    }
    struct log_seg_name *segs = NULL;
    size_t count = 0, cap = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        uint64_t first;
        if (!seg_name_parse(de->d_name, &first))
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            segs = eseal_xrealloc(segs, cap * sizeof(*segs));
        }
        segs[count].first = first;
        segs[count].path = eseal_path_join(seg_dir, de->d_name);
        count++;
    }
    closedir(d);
    if (count > 1)
        qsort(segs, count, sizeof(*segs), seg_cmp);
    *out = segs;
    *n = count;
    return ESEAL_OK;
}

void log_segs_free(struct log_seg_name *segs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(segs[i].path);
    free(segs);
}

/* ---- entries -------------------------------------------------------------- */

eseal_rc log_entry_canonical(const json_t *e, struct eseal_buf *out, struct eseal_err *err)
{
    eseal_buf_reset(out);
    if (!json_is_object(e))
        return eseal_err_set(err, ESEAL_E_CRYPTO, "entry is not a JSON object");
    char *s = json_dumps(e, LOG_JSON_FLAGS);
    if (s == NULL)
        return eseal_err_set(err, ESEAL_E_CRYPTO, "entry cannot be serialised");
    eseal_buf_append(out, s, strlen(s));
    free(s);
    return ESEAL_OK;
}

eseal_rc log_entry_check(const uint8_t *data, size_t len, uint64_t seq, json_t **out,
                         struct eseal_err *err)
{
    if (out != NULL)
        *out = NULL;
    json_t *j = NULL;
    struct eseal_err je;
    eseal_rc rc = eseal_json_parse(&j, data, len, NULL, &je);
    if (rc != ESEAL_OK)
        return eseal_err_set(err, ESEAL_E_CRYPTO, "%s", je.msg);
    json_t *s = json_object_get(j, "seq");
    if (!json_is_object(j))
        rc = eseal_err_set(err, ESEAL_E_CRYPTO, "not a JSON object");
    else if (!json_is_integer(s) || json_integer_value(s) < 0 ||
             (uint64_t)json_integer_value(s) != seq)
        rc = eseal_err_set(err, ESEAL_E_CRYPTO, "its \"seq\" is not %llu", (unsigned long long)seq);
    if (rc == ESEAL_OK) {
        char *c = json_dumps(j, LOG_JSON_FLAGS);
        if (c == NULL || strlen(c) != len || memcmp(c, data, len) != 0)
            rc = eseal_err_set(err, ESEAL_E_CRYPTO, "not in canonical JSON form");
        free(c);
    }
    if (rc == ESEAL_OK && out != NULL)
        *out = j;
    else
        json_decref(j);
    return rc;
}

/* ---- log.json ----------------------------------------------------------- */

eseal_rc log_meta_read(const char *dir, struct eseal_log_key *key, struct eseal_err *err)
{
    char *path = eseal_path_join(dir, LOG_FILE_META);
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_file_read(&b, path, LOG_META_MAX, err);
    if (rc == ESEAL_E_NOTFOUND)
        rc = eseal_err_set(err, rc, "%s: missing: not an event log directory / 不是日志目录", path);
    json_t *j = NULL;
    if (rc == ESEAL_OK) {
        j = eseal_json_load(b.data, b.len);
        json_t *format = json_object_get(j, "format");
        const char *k = json_string_value(json_object_get(j, "key"));
        if (j == NULL || !json_is_integer(format) || k == NULL)
            rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: malformed", path);
        else if (json_integer_value(format) != LOG_FORMAT)
            rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: unsupported format %lld", path,
                               (long long)json_integer_value(format));
        else if ((rc = eseal_log_key_parse(key, k, strlen(k), err)) != ESEAL_OK)
            eseal_err_prefix(err, "%s", path);
    }
    json_decref(j);
    eseal_buf_cleanup(&b);
    free(path);
    return rc;
}

eseal_rc log_meta_retired(const char *dir, struct eseal_log_key *keys, size_t max, size_t *n,
                          struct eseal_err *err)
{
    *n = 0;
    char *path = eseal_path_join(dir, LOG_FILE_META);
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_file_read(&b, path, LOG_META_MAX, err);
    json_t *j = rc == ESEAL_OK ? eseal_json_load(b.data, b.len) : NULL;
    json_t *old = json_object_get(j, "retired");
    size_t i;
    json_t *v;
    json_array_foreach(old, i, v)
    {
        const char *k = json_string_value(v);
        if (*n == max || k == NULL) {
            rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: bad \"retired\" keys", path);
            break;
        }
        if ((rc = eseal_log_key_parse(&keys[*n], k, strlen(k), err)) != ESEAL_OK) {
            eseal_err_prefix(err, "%s", path);
            break;
        }
        (*n)++;
    }
    json_decref(j);
    eseal_buf_cleanup(&b);
    free(path);
    return rc;
}

eseal_rc eseal_log_rekey(const char *dir, const char *vkey, struct eseal_err *err)
{
    struct eseal_log_key cur, next;
    eseal_rc rc = log_meta_read(dir, &cur, err);
    if (rc != ESEAL_OK)
        return rc;
    if ((rc = eseal_log_key_parse(&next, vkey, strlen(vkey), err)) != ESEAL_OK)
        return rc;
    if (strcmp(cur.name, next.name) != 0)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "the new key is named %s, the log's origin is %s", next.name,
                             cur.name);
    char *path = eseal_path_join(dir, LOG_FILE_META);
    struct eseal_buf b;
    eseal_buf_init(&b);
    rc = eseal_file_read(&b, path, LOG_META_MAX, err);
    json_t *j = rc == ESEAL_OK ? eseal_json_load(b.data, b.len) : NULL;
    if (rc == ESEAL_OK && j == NULL)
        rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: malformed", path);
    if (rc == ESEAL_OK) {
        json_t *old = json_object_get(j, "retired");
        if (!json_is_array(old)) {
            old = json_array();
            json_object_set_new(j, "retired", old);
        }
        json_array_append(old, json_object_get(j, "key"));
        json_object_set_new(j, "key", json_string(vkey));
        char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
        char *line = eseal_xasprintf("%s\n", text);
        rc = eseal_file_write(path, line, strlen(line), 0644, 0, err);
        free(line);
        free(text);
    }
    json_decref(j);
    eseal_buf_cleanup(&b);
    free(path);
    return rc;
}

/* ---- small parsers ------------------------------------------------------ */

bool log_parse_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

char *log_url_join(const char *base, const char *path)
{
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    return eseal_xasprintf("%.*s%s", (int)n, base, path);
}
