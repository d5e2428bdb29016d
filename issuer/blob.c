/* blob.c — the content-addressed material store (SM3 names, two-level fan-out),
 * each file encrypted with the store's data key (XChaCha20-Poly1305). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eseal/enc.h"
#include "eseal/secret.h"
#include "eseal/sm.h"
#include "blob.h"

#define DIR_MODE 0700
#define FILE_MODE 0600

/* The file header: magic "ESB" and the format version. */
#define BLOB_MAGIC "ESB\x01"
#define BLOB_HDR_LEN 4
#define BLOB_OVERHEAD (BLOB_HDR_LEN + ESEAL_AEAD_OVERHEAD)
/* The associated data: the header, then the 64-hex SM3 name. */
#define BLOB_AD_LEN (BLOB_HDR_LEN + ESEAL_SM3_HEX_LEN)
/* A wrapped key file is a few dozen bytes; anything bigger is not one. */
#define KEY_FILE_MAX 4096

struct eseal_blob {
    char *dir;
    uint8_t key[ESEAL_AEAD_KEY_LEN];
    size_t migrated;
    bool resumed; /* open finished an interrupted rotation: |resumed_run| */
    struct eseal_blob_rotation resumed_run;
};

/* fanout_dir returns "<dir>/ab/cd" for the name "abcd…": 65536 directories,
 * so no one directory grows large. */
static char *fanout_dir(const struct eseal_blob *b, const char *sm3)
{
    return eseal_xasprintf("%s/%.2s/%.2s", b->dir, sm3, sm3 + 2);
}

static char *blob_path(const struct eseal_blob *b, const char *sm3)
{
    return eseal_xasprintf("%s/%.2s/%.2s/%s", b->dir, sm3, sm3 + 2, sm3);
}

static void blob_ad(uint8_t ad[BLOB_AD_LEN], const char *sm3)
{
    memcpy(ad, BLOB_MAGIC, BLOB_HDR_LEN);
    memcpy(ad + BLOB_HDR_LEN, sm3, ESEAL_SM3_HEX_LEN);
}

/* seal writes the file form of the material |sm3| under |key| into |out|
 * (replaced). */
static void seal(const uint8_t *key, struct eseal_buf *out, const char *sm3, const uint8_t *data,
                 size_t len)
{
    uint8_t ad[BLOB_AD_LEN];
    blob_ad(ad, sm3);
    eseal_buf_reset(out);
    eseal_buf_append(out, BLOB_MAGIC, BLOB_HDR_LEN);
    eseal_aead_seal(out, key, ad, sizeof(ad), data, len);
}

/* open_file decrypts the file form |in| of the material |sm3| under |key|
 * into |out| and checks the plaintext's digest; any failure is ESEAL_E_IO. */
static eseal_rc open_file(const uint8_t *key, struct eseal_buf *out, const char *sm3,
                          const uint8_t *in, size_t in_len, struct eseal_err *err)
{
    uint8_t ad[BLOB_AD_LEN];
    blob_ad(ad, sm3);
    if (in_len < BLOB_OVERHEAD || memcmp(in, BLOB_MAGIC, BLOB_HDR_LEN) != 0 ||
        eseal_aead_open(out, key, ad, sizeof(ad), in + BLOB_HDR_LEN, in_len - BLOB_HDR_LEN, NULL) !=
            ESEAL_OK) {
        eseal_buf_reset(out);
        return eseal_err_set(err, ESEAL_E_IO,
                             "材料 %s 无法解密：存储已损坏、被篡改或被调换 / stored material %s "
                             "does not decrypt: damaged, altered or swapped",
                             sm3, sm3);
    }
    char *actual = eseal_sm3_hex(out->data, out->len);
    eseal_rc rc = ESEAL_OK;
    if (strcmp(actual, sm3) != 0) {
        eseal_buf_cleanse(out);
        rc = eseal_err_set(err, ESEAL_E_IO,
                           "材料内容与其 SM3 名称不符，存储已损坏或被篡改 / stored material %s "
                           "does not match its SM3 name: damaged or altered",
                           sm3);
    }
    free(actual);
    return rc;
}

/* unwrap_file reads the wrapped key at |path| into |wrapped| (replaced)
 * and unwraps it with |kek| into |key|; failures name |path|. */
static eseal_rc unwrap_file(const char *path, const struct eseal_blob_kek *kek,
                            uint8_t key[ESEAL_AEAD_KEY_LEN], struct eseal_buf *wrapped,
                            struct eseal_err *err)
{
    struct eseal_buf plain;
    eseal_buf_init(&plain);
    eseal_rc rc = eseal_file_read(wrapped, path, KEY_FILE_MAX, err);
    if (rc == ESEAL_OK)
        rc = kek->unwrap(kek->ctx, &plain, wrapped->data, wrapped->len, err);
    if (rc == ESEAL_OK && plain.len != ESEAL_AEAD_KEY_LEN)
        rc = eseal_err_set(err, ESEAL_E_INVALID, "wrong data key length");
    if (rc == ESEAL_OK)
        memcpy(key, plain.data, ESEAL_AEAD_KEY_LEN);
    else if (rc != ESEAL_E_NOTFOUND)
        eseal_err_prefix(err, "%s", path);
    eseal_buf_cleanse(&plain);
    return rc;
}

/* new_key_file writes a new random key, wrapped with |kek|, to |path|
 * exclusively (0600, fsync'd) and unwraps what is there into |key|. Two
 * processes creating it at once: the exclusive write makes one win and the
 * other reads the winner's. */
static eseal_rc new_key_file(const char *path, const struct eseal_blob_kek *kek,
                             uint8_t key[ESEAL_AEAD_KEY_LEN], struct eseal_buf *wrapped,
                             struct eseal_err *err)
{
    uint8_t fresh[ESEAL_AEAD_KEY_LEN];
    eseal_random(fresh, sizeof(fresh));
    eseal_rc rc = kek->wrap(kek->ctx, wrapped, fresh, sizeof(fresh), err);
    eseal_wipe(fresh, sizeof(fresh));
    if (rc == ESEAL_OK)
        rc = eseal_file_write(path, wrapped->data, wrapped->len, FILE_MODE, 1, err);
    if (rc == ESEAL_OK || rc == ESEAL_E_CONFLICT)
        rc = unwrap_file(path, kek, key, wrapped, err);
    else
        eseal_err_prefix(err, "%s", path);
    return rc;
}

/* load_key unwraps the store's data key from <dir>/data.key into b->key,
 * creating the file with a new random key first if there is none. */
static eseal_rc load_key(struct eseal_blob *b, const struct eseal_blob_kek *kek,
                         struct eseal_err *err)
{
    char *path = eseal_path_join(b->dir, ESEAL_BLOB_KEY_FILE);
    struct eseal_buf wrapped;
    eseal_buf_init(&wrapped);
    eseal_rc rc = unwrap_file(path, kek, b->key, &wrapped, err);
    if (rc == ESEAL_E_NOTFOUND)
        rc = new_key_file(path, kek, b->key, &wrapped, err);
    eseal_buf_cleanup(&wrapped);
    free(path);
    return rc;
}

static bool is_hex2(const char *name)
{
    static const char hex[] = "0123456789abcdef";
    return strlen(name) == 2 && strchr(hex, name[0]) != NULL && strchr(hex, name[1]) != NULL;
}

/* walk_fn is called by walk for each material file at |path| named |sm3|. */
typedef eseal_rc (*walk_fn)(struct eseal_blob *b, const char *path, const char *sm3, void *ctx,
                            struct eseal_err *err);

/* migrate_file encrypts the material at |path| in place if it is plaintext
 * from before encryption: its content hashes to its name. An encrypted
 * (or damaged) file is left as it is; reads tell the two apart. */
static eseal_rc migrate_file(struct eseal_blob *b, const char *path, const char *sm3, void *ctx,
                             struct eseal_err *err)
{
    (void)ctx;
    struct eseal_buf raw, sealed;
    eseal_buf_init(&raw);
    eseal_buf_init(&sealed);
    eseal_rc rc = eseal_file_read(&raw, path, ESEAL_MATERIAL_MAX_ANY + BLOB_OVERHEAD, err);
    if (rc == ESEAL_E_TOOBIG || rc == ESEAL_E_NOTFOUND)
        rc = ESEAL_OK; /* not a material of ours: reads report it */
    else if (rc == ESEAL_OK) {
        char *actual = eseal_sm3_hex(raw.data, raw.len);
        if (strcmp(actual, sm3) == 0) {
            seal(b->key, &sealed, sm3, raw.data, raw.len);
            rc = eseal_file_write(path, sealed.data, sealed.len, FILE_MODE, 0, err);
            if (rc == ESEAL_OK)
                b->migrated++;
        }
        free(actual);
    }
    eseal_buf_cleanse(&raw);
    eseal_buf_cleanup(&sealed);
    return rc;
}

/* walk calls |fn| for every material file below |dir|, one level of the
 * fan-out at a time (|depth| 0: the "ab" directories, 1: the "cd" ones, 2:
 * the files); it stops at the first failure. */
static eseal_rc walk(struct eseal_blob *b, const char *dir, int depth, walk_fn fn, void *ctx,
                     struct eseal_err *err)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return eseal_err_set(err, ESEAL_E_IO, "%s: cannot list", dir);
    eseal_rc rc = ESEAL_OK;
    struct dirent *e;
    while (rc == ESEAL_OK && (e = readdir(d)) != NULL) {
        bool want = depth < 2 ? is_hex2(e->d_name) : eseal_sm3_hex_valid(e->d_name);
        if (!want)
            continue; /* ".", "..", data.key, the marker, "*.tmp.*" leftovers */
        char *p = eseal_path_join(dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) != 0)
            ; /* gone meanwhile */
        else if (depth < 2 && S_ISDIR(st.st_mode))
            rc = walk(b, p, depth + 1, fn, ctx, err);
        else if (depth == 2 && S_ISREG(st.st_mode))
            rc = fn(b, p, e->d_name, ctx, err);
        free(p);
    }
    closedir(d);
    return rc;
}

/* migrate encrypts the plaintext materials of a store not yet marked
 * encrypted, then marks it. A crash part way leaves the marker absent: the
 * next open walks again and skips what is already encrypted. */
static eseal_rc migrate(struct eseal_blob *b, struct eseal_err *err)
{
    char *marker = eseal_path_join(b->dir, ESEAL_BLOB_MARKER_FILE);
    struct stat st;
    eseal_rc rc = ESEAL_OK;
    if (stat(marker, &st) != 0) {
        rc = walk(b, b->dir, 0, migrate_file, NULL, err);
        static const char text[] = "XChaCha20-Poly1305, data.key\n";
        if (rc == ESEAL_OK)
            rc = eseal_file_write(marker, text, sizeof(text) - 1, FILE_MODE, 0, err);
        if (rc != ESEAL_OK)
            eseal_err_prefix(err, "encrypting the stored materials");
    }
    free(marker);
    return rc;
}

/* struct rotation is one run of rotate_files: the next key, the counts and
 * whom to tell. */
struct rotation {
    uint8_t next[ESEAL_AEAD_KEY_LEN];
    struct eseal_blob_rotation *out;
    const struct eseal_blob_progress *progress;
    size_t total; /* material files, counted first */
};

static eseal_rc count_file(struct eseal_blob *b, const char *path, const char *sm3, void *ctx,
                           struct eseal_err *err)
{
    (void)b, (void)path, (void)sm3, (void)err;
    ((struct rotation *)ctx)->total++;
    return ESEAL_OK;
}

/* tell reports progress; a callback that says stop leaves the rotation
 * where it is, as a crash there would. */
static eseal_rc tell(const struct rotation *r, size_t done, struct eseal_err *err)
{
    if (r->progress == NULL || r->progress->fn == NULL ||
        r->progress->fn(r->progress->ctx, done, r->total))
        return ESEAL_OK;
    return eseal_err_set(err, ESEAL_E_UNAVAILABLE,
                         "数据密钥轮换被中止，再次运行即可继续 / data key rotation stopped part "
                         "way; run it again to resume");
}

/* rotate_file re-encrypts the material at |path| from the current key to
 * the next one, atomically and fsync'd. A file the next key opens already
 * is done (a resumed run); a file neither key opens (damaged before) is
 * left as it is and counted: reads report it as before. */
static eseal_rc rotate_file(struct eseal_blob *b, const char *path, const char *sm3, void *ctx,
                            struct eseal_err *err)
{
    struct rotation *r = ctx;
    struct eseal_buf raw, plain;
    eseal_buf_init(&raw);
    eseal_buf_init(&plain);
    eseal_rc rc = eseal_file_read(&raw, path, ESEAL_MATERIAL_MAX_ANY + BLOB_OVERHEAD, err);
    if (rc == ESEAL_E_NOTFOUND || rc == ESEAL_E_TOOBIG) {
        r->out->unreadable++;
        rc = ESEAL_OK;
    } else if (rc == ESEAL_OK) {
        if (open_file(r->next, &plain, sm3, raw.data, raw.len, NULL) == ESEAL_OK) {
            r->out->already++;
        } else if (open_file(b->key, &plain, sm3, raw.data, raw.len, NULL) == ESEAL_OK) {
            seal(r->next, &raw, sm3, plain.data, plain.len);
            rc = eseal_file_write(path, raw.data, raw.len, FILE_MODE, 0, err);
            if (rc == ESEAL_OK)
                r->out->reencrypted++;
        } else {
            r->out->unreadable++;
        }
    }
    eseal_buf_cleanse(&plain);
    eseal_buf_cleanup(&raw);
    if (rc == ESEAL_OK)
        rc = tell(r, r->out->reencrypted + r->out->already + r->out->unreadable, err);
    return rc;
}

/* rotate_files finishes a rotation whose next key <dir>/data.key.next
 * (|next_wrapped|) holds: every material re-encrypted to it, then the
 * next key written over data.key (atomically, fsync'd with its directory),
 * then data.key.next removed. A crash anywhere leaves every file readable
 * with one of the two keys and data.key.next still there until data.key
 * is the next key, so the next run (or open) resumes. */
static eseal_rc rotate_files(struct eseal_blob *b, struct rotation *r,
                             const struct eseal_buf *next_wrapped, struct eseal_err *err)
{
    char *key_path = eseal_path_join(b->dir, ESEAL_BLOB_KEY_FILE);
    char *next_path = eseal_path_join(b->dir, ESEAL_BLOB_NEXT_KEY_FILE);
    struct eseal_buf cur;
    eseal_buf_init(&cur);
    eseal_rc rc = eseal_file_read(&cur, key_path, KEY_FILE_MAX, err);
    if (rc == ESEAL_OK) {
        char *old_sm3 = eseal_sm3_hex(cur.data, cur.len);
        char *new_sm3 = eseal_sm3_hex(next_wrapped->data, next_wrapped->len);
        memcpy(r->out->old_sm3, old_sm3, sizeof(r->out->old_sm3));
        memcpy(r->out->new_sm3, new_sm3, sizeof(r->out->new_sm3));
        free(old_sm3);
        free(new_sm3);
        rc = walk(b, b->dir, 0, count_file, r, err);
    }
    r->out->files = r->total;
    if (rc == ESEAL_OK)
        rc = tell(r, 0, err);
    if (rc == ESEAL_OK)
        rc = walk(b, b->dir, 0, rotate_file, r, err);
    if (rc == ESEAL_OK)
        rc = eseal_file_write(key_path, next_wrapped->data, next_wrapped->len, FILE_MODE, 0, err);
    /* gone already: another process finishing the same rotation (an issuer
     * starting while the command runs) wrote the same key */
    if (rc == ESEAL_OK && unlink(next_path) != 0 && errno != ENOENT)
        rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", next_path, strerror(errno));
    if (rc == ESEAL_OK)
        memcpy(b->key, r->next, sizeof(b->key));
    else
        eseal_err_prefix(err, "rotating the data key");
    eseal_buf_cleanup(&cur);
    free(next_path);
    free(key_path);
    return rc;
}

/* resume finishes a rotation a crash or a stop left part way: one whose
 * <dir>/data.key.next is there. */
static eseal_rc resume(struct eseal_blob *b, const struct eseal_blob_kek *kek,
                       const struct eseal_blob_progress *progress, struct eseal_err *err)
{
    char *path = eseal_path_join(b->dir, ESEAL_BLOB_NEXT_KEY_FILE);
    struct rotation r = {.out = &b->resumed_run, .progress = progress};
    struct eseal_buf wrapped;
    eseal_buf_init(&wrapped);
    struct eseal_err e;
    eseal_rc rc = unwrap_file(path, kek, r.next, &wrapped, &e);
    if (rc == ESEAL_E_NOTFOUND) {
        rc = ESEAL_OK;
    } else if (rc != ESEAL_OK) {
        eseal_err_set(err, rc, "%s", e.msg);
    } else {
        b->resumed = true;
        b->resumed_run.resumed = true;
        rc = rotate_files(b, &r, &wrapped, err);
    }
    eseal_wipe(r.next, sizeof(r.next));
    eseal_buf_cleanup(&wrapped);
    free(path);
    return rc;
}

eseal_rc eseal_blob_rotate(struct eseal_blob *b, const struct eseal_blob_kek *kek,
                           const struct eseal_blob_progress *progress,
                           struct eseal_blob_rotation *out, struct eseal_err *err)
{
    memset(out, 0, sizeof(*out));
    char *path = eseal_path_join(b->dir, ESEAL_BLOB_NEXT_KEY_FILE);
    struct rotation r = {.out = out, .progress = progress};
    struct eseal_buf wrapped;
    eseal_buf_init(&wrapped);
    eseal_rc rc = new_key_file(path, kek, r.next, &wrapped, err);
    if (rc == ESEAL_OK)
        rc = rotate_files(b, &r, &wrapped, err);
    eseal_wipe(r.next, sizeof(r.next));
    eseal_buf_cleanup(&wrapped);
    free(path);
    return rc;
}

const struct eseal_blob_rotation *eseal_blob_resumed(const struct eseal_blob *b)
{
    return b->resumed ? &b->resumed_run : NULL;
}

eseal_rc eseal_blob_open(struct eseal_blob **out, const char *dir, const struct eseal_blob_kek *kek,
                         struct eseal_err *err)
{
    return eseal_blob_open_with(out, dir, kek, NULL, err);
}

eseal_rc eseal_blob_open_with(struct eseal_blob **out, const char *dir,
                              const struct eseal_blob_kek *kek,
                              const struct eseal_blob_progress *progress, struct eseal_err *err)
{
    *out = NULL;
    if (dir == NULL || *dir == '\0')
        return eseal_err_set(err, ESEAL_E_INVALID, "material store: empty directory path");
    if (kek == NULL || kek->wrap == NULL || kek->unwrap == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "material store: no key-encryption key");
    eseal_rc rc = eseal_mkdirs(dir, DIR_MODE, err);
    if (rc != ESEAL_OK)
        return eseal_err_prefix(err, "material store");
    struct eseal_blob *b = eseal_xcalloc(1, sizeof(*b));
    b->dir = eseal_xstrdup(dir);
    rc = load_key(b, kek, err);
    if (rc == ESEAL_OK)
        rc = migrate(b, err);
    if (rc == ESEAL_OK)
        rc = resume(b, kek, progress, err);
    if (rc != ESEAL_OK) {
        eseal_blob_free(b);
        return eseal_err_prefix(err, "material store");
    }
    *out = b;
    return ESEAL_OK;
}

size_t eseal_blob_migrated(const struct eseal_blob *b)
{
    return b->migrated;
}

void eseal_blob_free(struct eseal_blob *b)
{
    if (b == NULL)
        return;
    eseal_wipe(b->key, sizeof(b->key));
    free(b->dir);
    free(b);
}

/* store writes the file exclusively: a concurrent put of the same content
 * finds it there and is done. A file already there with another size can
 * only be damage (its name is its content's digest), so it is replaced. */
static eseal_rc store(const char *path, const uint8_t *data, size_t len, struct eseal_err *err)
{
    struct eseal_err e;
    eseal_rc rc = eseal_file_write(path, data, len, FILE_MODE, 1, &e);
    if (rc != ESEAL_E_CONFLICT) {
        if (rc != ESEAL_OK)
            eseal_err_set(err, rc, "%s", e.msg);
        return rc;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len)
        return ESEAL_OK;
    return eseal_file_write(path, data, len, FILE_MODE, 0, err);
}

eseal_rc eseal_blob_put(struct eseal_blob *b, enum eseal_material_kind kind, const uint8_t *data,
                        size_t len, struct eseal_material_ref *ref, enum eseal_content_type *type,
                        struct eseal_err *err)
{
    return eseal_blob_put_sm3(b, kind, data, len, NULL, ref, type, err);
}

eseal_rc eseal_blob_put_sm3(struct eseal_blob *b, enum eseal_material_kind kind,
                            const uint8_t *data, size_t len, const uint8_t *digest,
                            struct eseal_material_ref *ref, enum eseal_content_type *type,
                            struct eseal_err *err)
{
    eseal_rc rc = eseal_material_check(kind, data, len, type, err);
    if (rc != ESEAL_OK)
        return rc;
    char *sm3 = digest != NULL ? eseal_hex(digest, ESEAL_SM3_LEN) : eseal_sm3_hex(data, len);
    char *dir = fanout_dir(b, sm3);
    char *path = blob_path(b, sm3);
    struct eseal_buf sealed;
    eseal_buf_init(&sealed);
    rc = eseal_mkdirs(dir, DIR_MODE, err);
    if (rc == ESEAL_OK) {
        seal(b->key, &sealed, sm3, data, len);
        rc = store(path, sealed.data, sealed.len, err);
    }
    if (rc == ESEAL_OK && ref != NULL) {
        ref->kind = kind;
        memcpy(ref->sm3, sm3, ESEAL_SM3_HEX_LEN + 1);
    }
    eseal_buf_cleanup(&sealed);
    free(path);
    free(dir);
    free(sm3);
    return rc;
}

eseal_rc eseal_blob_get(struct eseal_blob *b, const char *sm3, struct eseal_buf *out,
                        struct eseal_err *err)
{
    if (!eseal_sm3_hex_valid(sm3))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "材料名应为 64 位小写十六进制 SM3 摘要 / a material name is an SM3 "
                             "digest in 64 lower-case hex digits");
    char *path = blob_path(b, sm3);
    struct eseal_buf raw;
    eseal_buf_init(&raw);
    struct eseal_err e;
    eseal_rc rc = eseal_file_read(&raw, path, ESEAL_MATERIAL_MAX_ANY + BLOB_OVERHEAD, &e);
    if (rc == ESEAL_E_NOTFOUND)
        eseal_err_set(err, rc, "材料不存在 / no such material: %s", sm3);
    else if (rc == ESEAL_E_TOOBIG)
        rc = eseal_err_set(err, ESEAL_E_IO, "stored material %s: %s", sm3, e.msg);
    else if (rc != ESEAL_OK)
        eseal_err_set(err, rc, "%s", e.msg);
    if (rc == ESEAL_OK)
        rc = open_file(b->key, out, sm3, raw.data, raw.len, err);
    else
        eseal_buf_reset(out);
    eseal_buf_cleanup(&raw);
    free(path);
    return rc;
}

bool eseal_blob_exists(struct eseal_blob *b, const char *sm3)
{
    if (!eseal_sm3_hex_valid(sm3))
        return false;
    char *path = blob_path(b, sm3);
    struct stat st;
    bool found = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    return found;
}

eseal_rc eseal_blob_reader(void *blob, const char *sm3, struct eseal_buf *out,
                           struct eseal_err *err)
{
    return eseal_blob_get(blob, sm3, out, err);
}
