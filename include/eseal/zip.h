/* zip.h — reading untrusted zip packages (OFD) through libzip, with every
 * refusal a package from anyone needs, and writing new ones.
 *
 * eseal_zip_open refuses, each with ESEAL_E_INVALID or ESEAL_E_TOOBIG and a
 * message naming the rule (docs/ofd.md lists them):
 *   - not a zip, a truncated or inconsistent one (libzip's consistency check);
 *   - more than limits->max_entries entries;
 *   - a name that is absolute ("/x", "C:x"), has a backslash, a NUL, an empty
 *     component, "." or ".." (zip-slip), or is longer than 1024 bytes;
 *   - the same name twice;
 *   - an encrypted entry, or a compression other than store and deflate;
 *   - an entry whose declared size exceeds limits->max_entry, or declared
 *     sizes adding up to more than limits->max_total — before anything is
 *     expanded (a zip bomb is refused unread).
 * eseal_zip_get checks again while expanding: an entry that expands beyond
 * its declared size or the limit, or whose CRC is wrong, is refused. */
#ifndef ESEAL_ZIP_H
#define ESEAL_ZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

#define ESEAL_ZIP_MAX_ENTRIES 10000
#define ESEAL_ZIP_MAX_ENTRY (64u * 1024 * 1024)
#define ESEAL_ZIP_MAX_TOTAL (256u * 1024 * 1024)
#define ESEAL_ZIP_NAME_MAX 1024

struct eseal_zip_limits {
    size_t max_entries; /* ESEAL_ZIP_MAX_ENTRIES */
    size_t max_entry;   /* bytes, uncompressed: ESEAL_ZIP_MAX_ENTRY */
    size_t max_total;   /* bytes, all entries uncompressed: ESEAL_ZIP_MAX_TOTAL */
};

/* struct eseal_zip is an opened package; it borrows the bytes it was opened
 * on (they must outlive it) and caches each entry it expands. Not
 * thread-safe: one user at a time. */
struct eseal_zip;

/* eseal_zip_open opens the zip in |data|/|len| (borrowed); |limits| NULL
 * takes the defaults. Free with eseal_zip_free. */
eseal_rc eseal_zip_open(struct eseal_zip **out, const uint8_t *data, size_t len,
                        const struct eseal_zip_limits *limits,
                        struct eseal_err *err) ESEAL_MUST_CHECK;
void eseal_zip_free(struct eseal_zip *z);

/* eseal_zip_count is the number of file entries (directories are left out);
 * eseal_zip_name the name of entry |i| (owned by |z|), in sorted order. */
size_t eseal_zip_count(const struct eseal_zip *z);
const char *eseal_zip_name(const struct eseal_zip *z, size_t i);

/* eseal_zip_has tells whether a file entry named exactly |name| exists. */
bool eseal_zip_has(const struct eseal_zip *z, const char *name);

/* eseal_zip_get expands the entry |name| (once; later calls return the
 * cached bytes) and points *data and *len at it (owned by |z|, NUL-terminated
 * one past the end). No such entry is ESEAL_E_NOTFOUND. */
eseal_rc eseal_zip_get(struct eseal_zip *z, const char *name, const uint8_t **data, size_t *len,
                       struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_zip_resolve turns |ref|, a path written in a file of the package
 * directory |dir| ("" for the root), into a package name: absolute
 * ("/Doc_0/x") from the root, else relative to |dir|; "." dropped, ".."
 * goes up. NULL when |ref| is NULL, empty or leaves the package. Free() it.
 * eseal_zip_dir returns the directory part of a name ("" at the root). */
char *eseal_zip_resolve(const char *dir, const char *ref);
char *eseal_zip_dir(const char *name);

/* eseal_zip_write_* builds a new zip in memory: entries are added in order
 * (deflated, or stored when |store|), then eseal_zip_write_finish puts the
 * archive into |out|. The data of each entry is copied. A name is checked
 * by the same rules as when reading. */
struct eseal_zip_writer;
struct eseal_zip_writer *eseal_zip_writer_new(void);
eseal_rc eseal_zip_writer_add(struct eseal_zip_writer *w, const char *name, const uint8_t *data,
                              size_t len, bool store, struct eseal_err *err) ESEAL_MUST_CHECK;
eseal_rc eseal_zip_writer_finish(struct eseal_zip_writer *w, struct eseal_buf *out,
                                 struct eseal_err *err) ESEAL_MUST_CHECK;
void eseal_zip_writer_free(struct eseal_zip_writer *w);

#endif
