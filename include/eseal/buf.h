/* buf.h — memory allocation that aborts on exhaustion, growable byte buffers,
 * and bounded whole-file reading and safe writing. */
#ifndef ESEAL_BUF_H
#define ESEAL_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "eseal/rc.h"

/* eseal_xmalloc, eseal_xcalloc, eseal_xrealloc and eseal_xstrdup behave like
 * their libc namesakes but never return NULL: out of memory aborts the process
 * (one place, one message). Free the results with free(). */
void *eseal_xmalloc(size_t n);
void *eseal_xcalloc(size_t count, size_t n);
void *eseal_xrealloc(void *p, size_t n);
char *eseal_xstrdup(const char *s);
char *eseal_xstrndup(const char *s, size_t n);
/* eseal_xasprintf returns a newly allocated formatted string; free() it. */
char *eseal_xasprintf(const char *fmt, ...) ESEAL_PRINTF(1, 2);

/* struct eseal_buf is a growable byte buffer in caller-owned storage.
 * |data| is always NUL-terminated one byte past |len| once anything was added,
 * so text can be used as a C string. */
struct eseal_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

/* eseal_buf_init makes |b| empty without allocating. */
void eseal_buf_init(struct eseal_buf *b);
/* eseal_buf_cleanup frees |b|'s memory; eseal_buf_cleanse wipes it first
 * (use for secrets). Both leave |b| empty and reusable. */
void eseal_buf_cleanup(struct eseal_buf *b);
void eseal_buf_cleanse(struct eseal_buf *b);
/* eseal_buf_reset sets len to 0, keeping the allocation. */
void eseal_buf_reset(struct eseal_buf *b);
/* eseal_buf_reserve ensures room for |extra| more bytes (plus the NUL). */
void eseal_buf_reserve(struct eseal_buf *b, size_t extra);
/* eseal_buf_append copies |len| bytes from |data| onto the end of |b|. */
void eseal_buf_append(struct eseal_buf *b, const void *data, size_t len);
void eseal_buf_append_str(struct eseal_buf *b, const char *s);
void eseal_buf_appendf(struct eseal_buf *b, const char *fmt, ...) ESEAL_PRINTF(2, 3);
/* eseal_buf_append_html appends |s| (may be NULL: nothing) escaped for HTML
 * text and quoted attribute values: & < > " ' become entities. */
void eseal_buf_append_html(struct eseal_buf *b, const char *s);

/* eseal_buf_steal returns |b|'s data (caller frees; never NULL) and empties |b|. */
uint8_t *eseal_buf_steal(struct eseal_buf *b, size_t *out_len);

/* eseal_file_read reads the whole file at |path| into |out| (replacing its
 * contents). A file larger than |max_len| is ESEAL_E_TOOBIG; a missing file
 * ESEAL_E_NOTFOUND; other failures ESEAL_E_IO. Messages name the path. */
eseal_rc eseal_file_read(struct eseal_buf *out, const char *path, size_t max_len,
                         struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_file_write writes |len| bytes to |path| with |mode| atomically: a
 * temporary file in the same directory is written, fsync'd and renamed over
 * |path|. With |exclusive| an existing |path| is ESEAL_E_CONFLICT and is left
 * untouched. */
eseal_rc eseal_file_write(const char *path, const void *data, size_t len, mode_t mode,
                          int exclusive, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_mkdirs creates |path| and missing parents with |mode| (like mkdir -p). */
eseal_rc eseal_mkdirs(const char *path, mode_t mode, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_path_join returns "dir/name" newly allocated; free() it. */
char *eseal_path_join(const char *dir, const char *name);

/* eseal_path_find returns the first of the |n| |names| that exists in |dir|
 * (or whose absence cannot be told), borrowed from |names|; NULL when none
 * does. Used to refuse to overwrite a directory's state. */
const char *eseal_path_find(const char *dir, const char *const *names, size_t n);

/* eseal_read_secret reads a secret (passphrase, PIN, password) from the file
 * |path| if it is not NULL, else from the environment variable |env|. One
 * trailing "\n" or "\r\n" is removed. The result is in |out| (wipe it with
 * eseal_buf_cleanse). Empty or missing is ESEAL_E_INVALID with a message that
 * names both sources, never the secret. */
eseal_rc eseal_read_secret(struct eseal_buf *out, const char *path, const char *env,
                           struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
