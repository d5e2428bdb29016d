/* buf.c — aborting allocators, byte buffers, bounded file I/O, secrets input. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "eseal/buf.h"

static void oom(size_t n)
{
    fprintf(stderr, "eseal: 内存不足 / out of memory (%zu bytes)\n", n);
    abort();
}

void *eseal_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        oom(n);
    return p;
}

void *eseal_xcalloc(size_t count, size_t n)
{
    void *p = calloc(count ? count : 1, n ? n : 1);
    if (p == NULL)
        oom(count * n);
    return p;
}

void *eseal_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        oom(n);
    return q;
}

char *eseal_xstrdup(const char *s)
{
    return eseal_xstrndup(s, strlen(s));
}

char *eseal_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = eseal_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *eseal_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom(0);
    return s;
}

void eseal_buf_init(struct eseal_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void eseal_buf_cleanup(struct eseal_buf *b)
{
    free(b->data);
    eseal_buf_init(b);
}

void eseal_buf_cleanse(struct eseal_buf *b)
{
    if (b->data != NULL)
        OPENSSL_cleanse(b->data, b->cap);
    eseal_buf_cleanup(b);
}

void eseal_buf_reset(struct eseal_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = 0;
}

void eseal_buf_reserve(struct eseal_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        oom(SIZE_MAX);
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    b->data = eseal_xrealloc(b->data, cap);
    b->cap = cap;
}

void eseal_buf_append(struct eseal_buf *b, const void *data, size_t len)
{
    eseal_buf_reserve(b, len);
    if (len > 0)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = 0;
}

void eseal_buf_append_str(struct eseal_buf *b, const char *s)
{
    eseal_buf_append(b, s, strlen(s));
}

void eseal_buf_appendf(struct eseal_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    eseal_buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void eseal_buf_append_html(struct eseal_buf *b, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        const char *ent = *s == '&'    ? "&amp;"
                          : *s == '<'  ? "&lt;"
                          : *s == '>'  ? "&gt;"
                          : *s == '"'  ? "&quot;"
                          : *s == '\'' ? "&#39;"
                                       : NULL;
        if (ent != NULL)
            eseal_buf_append_str(b, ent);
        else
            eseal_buf_append(b, s, 1);
    }
}

uint8_t *eseal_buf_steal(struct eseal_buf *b, size_t *out_len)
{
    eseal_buf_reserve(b, 0);
    b->data[b->len] = 0; /* a fresh allocation is not yet terminated */
    uint8_t *p = b->data;
    if (out_len != NULL)
        *out_len = b->len;
    eseal_buf_init(b);
    return p;
}

eseal_rc eseal_file_read(struct eseal_buf *out, const char *path, size_t max_len,
                         struct eseal_err *err)
{
    eseal_buf_reset(out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return eseal_err_set(err, errno == ENOENT ? ESEAL_E_NOTFOUND : ESEAL_E_IO, "%s: %s", path,
                             strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return eseal_err_set(err, ESEAL_E_IO, "%s: not a regular file", path);
    }
    if ((unsigned long long)st.st_size > max_len) {
        close(fd);
        return eseal_err_set(err, ESEAL_E_TOOBIG, "%s: larger than the limit of %zu bytes", path,
                             max_len);
    }
    /* Room for the whole file and the final empty read up front: no realloc
     * while reading, so no stray copy of a secret is left in freed memory. */
    eseal_buf_reserve(out, (size_t)st.st_size + 4096);
    for (;;) {
        eseal_buf_reserve(out, 4096);
        ssize_t n = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return eseal_err_set(err, ESEAL_E_IO, "%s: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        out->len += (size_t)n;
        if (out->len > max_len) { /* grew while we read */
            close(fd);
            return eseal_err_set(err, ESEAL_E_TOOBIG, "%s: larger than the limit of %zu bytes",
                                 path, max_len);
        }
    }
    out->data[out->len] = 0;
    close(fd);
    return ESEAL_OK;
}

static eseal_rc write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ESEAL_E_IO;
        p += n;
        len -= (size_t)n;
    }
    return ESEAL_OK;
}

static void fsync_parent(const char *path)
{
    char *dir = eseal_xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash != NULL)
        *slash = '\0';
    else
        strcpy(dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

eseal_rc eseal_file_write(const char *path, const void *data, size_t len, mode_t mode,
                          int exclusive, struct eseal_err *err)
{
    /* mkstemp: a unique name per call, so concurrent writers never share a
     * temporary file; created 0600, then set to |mode| below. */
    char *tmp = eseal_xasprintf("%s.tmp.XXXXXX", path);
    eseal_rc rc = ESEAL_OK;
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    /* open() applies the umask; the caller's mode is the contract. */
    if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != ESEAL_OK || fsync(fd) != 0) {
        rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    close(fd);
    if (exclusive) {
        /* link() fails if |path| exists: no window where another writer's
         * file could be replaced. */
        if (link(tmp, path) != 0) {
            int e = errno;
            unlink(tmp);
            rc = eseal_err_set(err, e == EEXIST ? ESEAL_E_CONFLICT : ESEAL_E_IO, "%s: %s", path,
                               e == EEXIST ? "exists already, not overwritten" : strerror(e));
            goto out;
        }
        unlink(tmp);
    } else if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", path, strerror(e));
        goto out;
    }
    fsync_parent(path);
out:
    free(tmp);
    return rc;
}

eseal_rc eseal_mkdirs(const char *path, mode_t mode, struct eseal_err *err)
{
    if (*path == '\0') /* the loop below starts past the first byte */
        return eseal_err_set(err, ESEAL_E_INVALID, "empty directory path");
    char *p = eseal_xstrdup(path);
    eseal_rc rc = ESEAL_OK;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, mode) != 0 && errno != EEXIST) {
            rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", p, strerror(errno));
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    if (rc == ESEAL_OK) {
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            rc = eseal_err_set(err, ESEAL_E_IO, "%s: not a directory", path);
    }
    free(p);
    return rc;
}

char *eseal_path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    if (n > 0 && dir[n - 1] == '/')
        return eseal_xasprintf("%s%s", dir, name);
    return eseal_xasprintf("%s/%s", dir, name);
}

const char *eseal_path_find(const char *dir, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *path = eseal_path_join(dir, names[i]);
        bool exists = access(path, F_OK) == 0 || errno != ENOENT;
        free(path);
        if (exists)
            return names[i];
    }
    return NULL;
}

/* Secrets are small; a larger file is almost surely the wrong file. */
#define SECRET_MAX 4096

eseal_rc eseal_read_secret(struct eseal_buf *out, const char *path, const char *env,
                           struct eseal_err *err)
{
    eseal_buf_cleanse(out);
    if (path != NULL) {
        eseal_rc rc = eseal_file_read(out, path, SECRET_MAX, err);
        if (rc != ESEAL_OK) {
            eseal_buf_cleanse(out);
            return rc;
        }
    } else {
        const char *v = env != NULL ? getenv(env) : NULL;
        if (v == NULL || *v == '\0')
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "no secret given: use a file option or set %s",
                                 env != NULL ? env : "the environment variable");
        if (strlen(v) > SECRET_MAX)
            return eseal_err_set(err, ESEAL_E_TOOBIG, "%s is longer than %d bytes", env,
                                 SECRET_MAX);
        eseal_buf_append_str(out, v);
    }
    /* One "\n" or "\r\n", nothing else: a lone trailing "\r" is data. */
    if (out->len > 0 && out->data[out->len - 1] == '\n') {
        out->len--;
        if (out->len > 0 && out->data[out->len - 1] == '\r')
            out->len--;
    }
    if (out->data != NULL)
        out->data[out->len] = 0;
    if (out->len == 0) {
        eseal_buf_cleanse(out);
        return eseal_err_set(err, ESEAL_E_INVALID, "%s: the secret is empty",
                             path != NULL ? path : env);
    }
    return ESEAL_OK;
}
