/* zip.c — the libzip adapter: untrusted packages opened from memory with
 * the refusals of zip.h, entries expanded at most once under the limits,
 * and new packages written to memory. */
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <zip.h>

#include "eseal/zip.h"

struct entry {
    char *name;
    zip_uint64_t index; /* in the archive */
    size_t size;        /* declared */
    size_t comp_size;   /* declared, as stored */
    uint32_t crc;       /* declared */
    bool deflated;      /* else stored */
    uint8_t *data;      /* expanded, NULL until asked for */
    size_t len;
};

struct eseal_zip {
    zip_t *za;
    size_t archive_len; /* the bytes it was opened on */
    struct entry *e;    /* file entries, sorted by name */
    size_t n;
    struct eseal_zip_limits lim;
    size_t expanded;                     /* bytes expanded so far */
    struct libdeflate_decompressor *dec; /* made at the first deflated entry */
};

static const struct eseal_zip_limits defaults = {
    ESEAL_ZIP_MAX_ENTRIES,
    ESEAL_ZIP_MAX_ENTRY,
    ESEAL_ZIP_MAX_TOTAL,
};

/* name_ok applies the name rules of zip.h; |dir| is set for a directory
 * entry ("a/b/"). */
static eseal_rc name_ok(const char *name, size_t len, bool *dir, struct eseal_err *err)
{
    *dir = false;
    if (len == 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "zip: an entry has an empty name / 条目名为空");
    if (len > ESEAL_ZIP_NAME_MAX)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "zip: an entry name is longer than %d bytes / 条目名过长",
                             ESEAL_ZIP_NAME_MAX);
    if (memchr(name, '\0', len) != NULL || strchr(name, '\\') != NULL)
        return eseal_err_set(
            err, ESEAL_E_INVALID,
            "zip: entry name \"%.64s\" has a NUL or a backslash / 条目名含非法字符", name);
    if (name[0] == '/' || (len >= 2 && name[1] == ':'))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "zip: entry name \"%.64s\" is absolute / 条目名为绝对路径", name);
    if (name[len - 1] == '/') {
        *dir = true;
        len--;
    }
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && name[j] != '/')
            j++;
        size_t c = j - i;
        if (c == 0 || (c == 1 && name[i] == '.') ||
            (c == 2 && name[i] == '.' && name[i + 1] == '.'))
            return eseal_err_set(
                err, ESEAL_E_INVALID,
                "zip: entry name \"%.64s\" has an empty, \".\" or \"..\" component "
                "(zip-slip) / 条目名含 . 或 .. 路径（越出包外）",
                name);
        i = j + 1;
    }
    return ESEAL_OK;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* check_entry stats entry |i| and applies the per-entry rules; *skip is set
 * for a directory. */
static eseal_rc check_entry(struct eseal_zip *z, zip_uint64_t i, struct entry *out, bool *skip,
                            size_t *declared, struct eseal_err *err)
{
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z->za, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
        !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE) ||
        !(st.valid & ZIP_STAT_CRC) || !(st.valid & ZIP_STAT_COMP_METHOD))
        return eseal_err_set(err, ESEAL_E_INVALID, "zip: entry %llu cannot be read / 条目无法读取",
                             (unsigned long long)i);
    bool dir = false;
    eseal_rc rc = name_ok(st.name, strlen(st.name), &dir, err);
    if (rc != ESEAL_OK)
        return rc;
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "zip: entry \"%.64s\" is encrypted / 条目已加密，不接受", st.name);
    if (st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "zip: entry \"%.64s\" uses compression method %d (only store and "
                             "deflate) / 不支持的压缩方式",
                             st.name, (int)st.comp_method);
    if (st.size > z->lim.max_entry)
        return eseal_err_set(err, ESEAL_E_TOOBIG,
                             "zip: entry \"%.64s\" declares %llu bytes, over the limit of %zu per "
                             "entry / 条目过大",
                             st.name, (unsigned long long)st.size, z->lim.max_entry);
    *skip = dir;
    if (dir)
        return st.size == 0
                   ? ESEAL_OK
                   : eseal_err_set(err, ESEAL_E_INVALID,
                                   "zip: directory entry \"%.64s\" has data / 目录条目含数据",
                                   st.name);
    *declared += (size_t)st.size;
    if (*declared > z->lim.max_total)
        return eseal_err_set(err, ESEAL_E_TOOBIG,
                             "zip: the entries declare more than %zu bytes in all (zip bomb) / "
                             "解压总量超过上限",
                             z->lim.max_total);
    /* the stored bytes lie inside the archive: more is a lie, caught
     * before anything is allocated for them */
    if (st.comp_size > z->archive_len)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "zip: entry \"%.64s\" is corrupt (stored size beyond the package) / "
                             "条目损坏",
                             st.name);
    out->name = eseal_xstrdup(st.name);
    out->index = i;
    out->size = (size_t)st.size;
    out->comp_size = (size_t)st.comp_size;
    out->crc = st.crc;
    out->deflated = st.comp_method == ZIP_CM_DEFLATE;
    return ESEAL_OK;
}

eseal_rc eseal_zip_open(struct eseal_zip **out, const uint8_t *data, size_t len,
                        const struct eseal_zip_limits *limits, struct eseal_err *err)
{
    *out = NULL;
    zip_error_t ze;
    zip_error_init(&ze);
    if (len < 22) /* the end-of-central-directory record alone */
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "zip: %zu bytes cannot be a zip package / 不是 zip 包", len);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *za = src != NULL ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
    if (za == NULL) {
        /* libzip's consistency check finds a name used twice itself */
        eseal_rc rc =
            zip_error_code_zip(&ze) == ZIP_ER_EXISTS
                ? eseal_err_set(err, ESEAL_E_INVALID,
                                "zip: an entry name appears twice / 条目名重复")
                : eseal_err_set(err, ESEAL_E_INVALID,
                                "zip: not a readable zip package (%s) / zip 包损坏或被截断",
                                zip_error_strerror(&ze));
        zip_source_free(src);
        zip_error_fini(&ze);
        return rc;
    }
    zip_error_fini(&ze);
    struct eseal_zip *z = eseal_xcalloc(1, sizeof(*z));
    z->za = za;
    z->archive_len = len;
    z->lim = limits != NULL ? *limits : defaults;
    eseal_rc rc = ESEAL_OK;
    zip_int64_t n = zip_get_num_entries(za, 0);
    if (n < 0 || (zip_uint64_t)n > z->lim.max_entries) {
        rc = eseal_err_set(err, ESEAL_E_TOOBIG, "zip: %lld entries, more than %zu / 条目数超过上限",
                           (long long)n, z->lim.max_entries);
        goto out;
    }
    z->e = eseal_xcalloc((size_t)n + 1, sizeof(*z->e));
    size_t declared = 0;
    for (zip_uint64_t i = 0; i < (zip_uint64_t)n && rc == ESEAL_OK; i++) {
        bool skip = false;
        rc = check_entry(z, i, &z->e[z->n], &skip, &declared, err);
        if (rc == ESEAL_OK && !skip)
            z->n++;
    }
    if (rc != ESEAL_OK)
        goto out;
    qsort(z->e, z->n, sizeof(*z->e), cmp_entry);
    for (size_t i = 1; i < z->n; i++)
        if (strcmp(z->e[i - 1].name, z->e[i].name) == 0) {
            rc =
                eseal_err_set(err, ESEAL_E_INVALID,
                              "zip: entry name \"%.64s\" appears twice / 条目名重复", z->e[i].name);
            goto out;
        }
out:
    if (rc != ESEAL_OK) {
        eseal_zip_free(z);
        return rc;
    }
    *out = z;
    return ESEAL_OK;
}

void eseal_zip_free(struct eseal_zip *z)
{
    if (z == NULL)
        return;
    for (size_t i = 0; i < z->n; i++) {
        free(z->e[i].name);
        free(z->e[i].data);
    }
    free(z->e);
    zip_discard(z->za);
    if (z->dec != NULL)
        libdeflate_free_decompressor(z->dec);
    free(z);
}

size_t eseal_zip_count(const struct eseal_zip *z)
{
    return z->n;
}

const char *eseal_zip_name(const struct eseal_zip *z, size_t i)
{
    return i < z->n ? z->e[i].name : NULL;
}

static struct entry *find(const struct eseal_zip *z, const char *name)
{
    struct entry key = {.name = (char *)name};
    return bsearch(&key, z->e, z->n, sizeof(*z->e), cmp_entry);
}

bool eseal_zip_has(const struct eseal_zip *z, const char *name)
{
    return find(z, name) != NULL;
}

/* read_raw reads the |n| bytes entry |e| holds in the archive, as stored
 * (compressed), into |dst|: libzip finds them, and with ZIP_FL_COMPRESSED
 * neither inflates nor checks them — expand does both, once. */
static eseal_rc read_raw(struct eseal_zip *z, const struct entry *e, uint8_t *dst, size_t n,
                         struct eseal_err *err)
{
    zip_file_t *f = zip_fopen_index(z->za, e->index, ZIP_FL_COMPRESSED);
    if (f == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "zip: entry \"%.64s\" cannot be opened (%s)",
                             e->name, zip_strerror(z->za));
    eseal_rc rc = ESEAL_OK;
    size_t have = 0;
    while (have < n) {
        zip_int64_t got = zip_fread(f, dst + have, n - have);
        if (got <= 0) {
            rc = eseal_err_set(err, ESEAL_E_INVALID,
                               "zip: entry \"%.64s\" is corrupt (%s) / 条目损坏", e->name,
                               got < 0 ? zip_file_strerror(f) : "its data is cut short");
            break;
        }
        have += (size_t)got;
    }
    zip_fclose(f);
    return rc;
}

/* expand reads entry |e| once: the stored bytes through libzip, inflated
 * by libdeflate into a buffer of exactly the declared size — more output
 * is a lying header, less or bad deflate data a corrupt entry — and the
 * CRC-32 of the result checked against the declared one. One pass each
 * over the bytes: no copy through a stream of chunks, no second CRC. */
static eseal_rc expand(struct eseal_zip *z, struct entry *e, struct eseal_err *err)
{
    if (z->expanded + e->size > z->lim.max_total) /* the declarations were checked: no lie yet */
        return eseal_err_set(err, ESEAL_E_TOOBIG,
                             "zip: entry \"%.64s\" expands beyond the limit of %zu bytes in all / "
                             "解压总量超过上限",
                             e->name, z->lim.max_total);
    uint8_t *out = eseal_xmalloc(e->size + 1);
    eseal_rc rc = ESEAL_OK;
    if (!e->deflated) {
        if (e->comp_size != e->size)
            rc = eseal_err_set(err, e->comp_size > e->size ? ESEAL_E_TOOBIG : ESEAL_E_INVALID,
                               e->comp_size > e->size
                                   ? "zip: entry \"%.64s\" expands beyond its declared size of "
                                     "%zu bytes / 条目实际大小超过声明"
                                   : "zip: entry \"%.64s\" is shorter than declared (%zu bytes) / "
                                     "条目实际大小与声明不符",
                               e->name, e->size);
        else
            rc = read_raw(z, e, out, e->size, err);
    } else {
        uint8_t *raw = eseal_xmalloc(e->comp_size + 1);
        rc = read_raw(z, e, raw, e->comp_size, err);
        if (rc == ESEAL_OK && z->dec == NULL && (z->dec = libdeflate_alloc_decompressor()) == NULL)
            abort(); /* only out of memory */
        size_t got = 0;
        enum libdeflate_result r = LIBDEFLATE_SUCCESS;
        if (rc == ESEAL_OK)
            r = libdeflate_deflate_decompress(z->dec, raw, e->comp_size, out, e->size, &got);
        free(raw);
        if (rc == ESEAL_OK && r == LIBDEFLATE_INSUFFICIENT_SPACE)
            rc = eseal_err_set(err, ESEAL_E_TOOBIG,
                               "zip: entry \"%.64s\" expands beyond its declared size of %zu bytes "
                               "/ 条目实际大小超过声明",
                               e->name, e->size);
        else if (rc == ESEAL_OK && r != LIBDEFLATE_SUCCESS)
            rc = eseal_err_set(err, ESEAL_E_INVALID,
                               "zip: entry \"%.64s\" is corrupt (invalid deflate data) / 条目损坏",
                               e->name);
        else if (rc == ESEAL_OK && got != e->size)
            rc = eseal_err_set(err, ESEAL_E_INVALID,
                               "zip: entry \"%.64s\" is shorter than declared / "
                               "条目实际大小与声明不符",
                               e->name);
    }
    if (rc == ESEAL_OK && libdeflate_crc32(0, out, e->size) != e->crc)
        rc = eseal_err_set(err, ESEAL_E_INVALID,
                           "zip: entry \"%.64s\" is corrupt (CRC error) / 条目损坏", e->name);
    if (rc != ESEAL_OK) {
        free(out);
        return rc;
    }
    out[e->size] = 0;
    z->expanded += e->size;
    e->data = out;
    e->len = e->size;
    return ESEAL_OK;
}

eseal_rc eseal_zip_get(struct eseal_zip *z, const char *name, const uint8_t **data, size_t *len,
                       struct eseal_err *err)
{
    struct entry *e = find(z, name);
    if (e == NULL)
        return eseal_err_set(err, ESEAL_E_NOTFOUND, "zip: no entry \"%.200s\" / 包内无此文件",
                             name);
    if (e->data == NULL) {
        eseal_rc rc = expand(z, e, err);
        if (rc != ESEAL_OK)
            return rc;
    }
    *data = e->data;
    *len = e->len;
    return ESEAL_OK;
}

/* ---- paths inside a package ----------------------------------------------------------- */

/* eseal_zip_resolve turns |ref|, written in a file of directory |dir| ("" for the
 * root), into a package name: absolute ("/Doc_0/x") from the root, else
 * relative to |dir|; "." dropped, ".." pops. NULL when it leaves the
 * package or is empty. */
char *eseal_zip_resolve(const char *dir, const char *ref)
{
    if (ref == NULL)
        return NULL;
    while (*ref == ' ' || *ref == '\t' || *ref == '\n' || *ref == '\r')
        ref++;
    struct eseal_buf path;
    eseal_buf_init(&path);
    if (ref[0] != '/' && dir[0] != '\0')
        eseal_buf_appendf(&path, "%s/", dir);
    eseal_buf_append_str(&path, ref);
    char *in = (char *)eseal_buf_steal(&path, NULL);
    char **parts = eseal_xcalloc(strlen(in) / 2 + 2, sizeof(*parts));
    size_t n = 0;
    bool ok = true;
    char *save = NULL;
    for (char *c = strtok_r(in, "/", &save); c != NULL; c = strtok_r(NULL, "/", &save)) {
        size_t l = strlen(c);
        while (l > 0 &&
               (c[l - 1] == ' ' || c[l - 1] == '\n' || c[l - 1] == '\r' || c[l - 1] == '\t'))
            c[--l] = '\0';
        if (strcmp(c, ".") == 0 || l == 0)
            continue;
        if (strcmp(c, "..") == 0) {
            if (n == 0) {
                ok = false;
                break;
            }
            n--;
            continue;
        }
        parts[n++] = c;
    }
    char *out = NULL;
    if (ok && n > 0) {
        eseal_buf_init(&path);
        for (size_t i = 0; i < n; i++)
            eseal_buf_appendf(&path, "%s%s", i > 0 ? "/" : "", parts[i]);
        out = (char *)eseal_buf_steal(&path, NULL);
    }
    free(parts);
    free(in);
    return out;
}

/* eseal_zip_dir returns the directory part of a package name ("" at the root). */
char *eseal_zip_dir(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash != NULL ? eseal_xstrndup(name, (size_t)(slash - name)) : eseal_xstrdup("");
}

/* ---- writing ---------------------------------------------------------------------- */

struct eseal_zip_writer {
    zip_source_t *src; /* the archive in memory */
    zip_t *za;
};

struct eseal_zip_writer *eseal_zip_writer_new(void)
{
    zip_error_t ze;
    zip_error_init(&ze);
    struct eseal_zip_writer *w = eseal_xcalloc(1, sizeof(*w));
    w->src = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (w->src == NULL)
        abort(); /* only out of memory */
    zip_source_keep(w->src);
    w->za = zip_open_from_source(w->src, ZIP_TRUNCATE, &ze);
    if (w->za == NULL)
        abort();
    zip_error_fini(&ze);
    return w;
}

eseal_rc eseal_zip_writer_add(struct eseal_zip_writer *w, const char *name, const uint8_t *data,
                              size_t len, bool store, struct eseal_err *err)
{
    bool dir = false;
    eseal_rc rc = name_ok(name, strlen(name), &dir, err);
    if (rc != ESEAL_OK)
        return rc;
    if (dir)
        return eseal_err_set(err, ESEAL_E_INVALID, "zip: \"%.64s\" names a directory", name);
    /* libzip frees the copy when done, but never an empty one: none then */
    uint8_t *copy = len > 0 ? eseal_xmalloc(len) : NULL;
    if (len > 0)
        memcpy(copy, data, len);
    zip_source_t *s = zip_source_buffer(w->za, copy, len, len > 0);
    if (s == NULL) {
        free(copy);
        return eseal_err_set(err, ESEAL_E_INTERNAL, "zip: %s", zip_strerror(w->za));
    }
    zip_int64_t i = zip_file_add(w->za, name, s, ZIP_FL_ENC_UTF_8);
    if (i < 0) {
        zip_source_free(s);
        return eseal_err_set(err, ESEAL_E_INVALID, "zip: cannot add \"%.64s\": %s", name,
                             zip_strerror(w->za));
    }
    if (zip_set_file_compression(w->za, (zip_uint64_t)i, store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                                 0) != 0)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "zip: %s", zip_strerror(w->za));
    return ESEAL_OK;
}

eseal_rc eseal_zip_writer_finish(struct eseal_zip_writer *w, struct eseal_buf *out,
                                 struct eseal_err *err)
{
    eseal_buf_reset(out);
    zip_t *za = w->za;
    w->za = NULL;
    if (zip_close(za) != 0) {
        eseal_rc rc =
            eseal_err_set(err, ESEAL_E_INTERNAL, "zip: cannot write: %s", zip_strerror(za));
        zip_discard(za);
        return rc;
    }
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_source_stat(w->src, &st) != 0 || zip_source_open(w->src) != 0)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "zip: cannot read the written archive");
    eseal_buf_reserve(out, (size_t)st.size);
    zip_int64_t got = zip_source_read(w->src, out->data, st.size);
    zip_source_close(w->src);
    if (got < 0 || (zip_uint64_t)got != st.size)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "zip: cannot read the written archive");
    out->len = (size_t)got;
    out->data[out->len] = 0;
    return ESEAL_OK;
}

void eseal_zip_writer_free(struct eseal_zip_writer *w)
{
    if (w == NULL)
        return;
    if (w->za != NULL)
        zip_discard(w->za);
    zip_source_free(w->src);
    free(w);
}
