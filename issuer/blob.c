/* blob.c — the content-addressed material store (SM3 names, two-level fan-out),
 * each file encrypted with the store's data key (XChaCha20-Poly1305). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* seal writes the file form of the material |sm3| into |out| (replaced). */
static void seal(const struct eseal_blob *b, struct eseal_buf *out, const char *sm3,
                 const uint8_t *data, size_t len)
{
    uint8_t ad[BLOB_AD_LEN];
    blob_ad(ad, sm3);
    eseal_buf_reset(out);
    eseal_buf_append(out, BLOB_MAGIC, BLOB_HDR_LEN);
    eseal_aead_seal(out, b->key, ad, sizeof(ad), data, len);
}

/* open_file decrypts the file form |in| of the material |sm3| into |out|
 * and checks the plaintext's digest; any failure is ESEAL_E_IO. */
static eseal_rc open_file(const struct eseal_blob *b, struct eseal_buf *out, const char *sm3,
                          const uint8_t *in, size_t in_len, struct eseal_err *err)
{
    uint8_t ad[BLOB_AD_LEN];
    blob_ad(ad, sm3);
    if (in_len < BLOB_OVERHEAD || memcmp(in, BLOB_MAGIC, BLOB_HDR_LEN) != 0 ||
        eseal_aead_open(out, b->key, ad, sizeof(ad), in + BLOB_HDR_LEN, in_len - BLOB_HDR_LEN,
                        NULL) != ESEAL_OK) {
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

/* load_key unwraps the store's data key from <dir>/data.key into b->key,
 * creating the file with a new random key first if there is none. Two
 * processes creating it at once: the exclusive write makes one win and the
 * other reads the winner's. */
static eseal_rc load_key(struct eseal_blob *b, const struct eseal_blob_kek *kek,
                         struct eseal_err *err)
{
    char *path = eseal_path_join(b->dir, ESEAL_BLOB_KEY_FILE);
    struct eseal_buf wrapped, key;
    eseal_buf_init(&wrapped);
    eseal_buf_init(&key);
    eseal_rc rc = eseal_file_read(&wrapped, path, KEY_FILE_MAX, err);
    if (rc == ESEAL_E_NOTFOUND) {
        uint8_t fresh[ESEAL_AEAD_KEY_LEN];
        eseal_random(fresh, sizeof(fresh));
        rc = kek->wrap(kek->ctx, &wrapped, fresh, sizeof(fresh), err);
        eseal_wipe(fresh, sizeof(fresh));
        if (rc == ESEAL_OK)
            rc = eseal_file_write(path, wrapped.data, wrapped.len, FILE_MODE, 1, err);
        if (rc == ESEAL_OK || rc == ESEAL_E_CONFLICT)
            rc = eseal_file_read(&wrapped, path, KEY_FILE_MAX, err);
    }
    if (rc == ESEAL_OK)
        rc = kek->unwrap(kek->ctx, &key, wrapped.data, wrapped.len, err);
    if (rc == ESEAL_OK && key.len != sizeof(b->key))
        rc = eseal_err_set(err, ESEAL_E_INVALID, "wrong data key length");
    if (rc == ESEAL_OK)
        memcpy(b->key, key.data, sizeof(b->key));
    if (rc != ESEAL_OK)
        eseal_err_prefix(err, "%s", path);
    eseal_buf_cleanse(&key);
    eseal_buf_cleanup(&wrapped);
    free(path);
    return rc;
}

static bool is_hex2(const char *name)
{
    static const char hex[] = "0123456789abcdef";
    return strlen(name) == 2 && strchr(hex, name[0]) != NULL && strchr(hex, name[1]) != NULL;
}

/* migrate_file encrypts the material at |path| in place if it is plaintext
 * from before encryption: its content hashes to its name. An encrypted
 * (or damaged) file is left as it is; reads tell the two apart. */
static eseal_rc migrate_file(struct eseal_blob *b, const char *path, const char *sm3,
                             struct eseal_err *err)
{
    struct eseal_buf raw, sealed;
    eseal_buf_init(&raw);
    eseal_buf_init(&sealed);
    eseal_rc rc = eseal_file_read(&raw, path, ESEAL_MATERIAL_MAX_ANY + BLOB_OVERHEAD, err);
    if (rc == ESEAL_E_TOOBIG || rc == ESEAL_E_NOTFOUND)
        rc = ESEAL_OK; /* not a material of ours: reads report it */
    else if (rc == ESEAL_OK) {
        char *actual = eseal_sm3_hex(raw.data, raw.len);
        if (strcmp(actual, sm3) == 0) {
            seal(b, &sealed, sm3, raw.data, raw.len);
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

/* migrate_dir walks one level of the fan-out below |dir| (|depth| 0: the
 * "ab" directories, 1: the "cd" ones, 2: the files). */
static eseal_rc migrate_dir(struct eseal_blob *b, const char *dir, int depth, struct eseal_err *err)
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
            rc = migrate_dir(b, p, depth + 1, err);
        else if (depth == 2 && S_ISREG(st.st_mode))
            rc = migrate_file(b, p, e->d_name, err);
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
        rc = migrate_dir(b, b->dir, 0, err);
        static const char text[] = "XChaCha20-Poly1305, data.key\n";
        if (rc == ESEAL_OK)
            rc = eseal_file_write(marker, text, sizeof(text) - 1, FILE_MODE, 0, err);
        if (rc != ESEAL_OK)
            eseal_err_prefix(err, "encrypting the stored materials");
    }
    free(marker);
    return rc;
}

eseal_rc eseal_blob_open(struct eseal_blob **out, const char *dir, const struct eseal_blob_kek *kek,
                         struct eseal_err *err)
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
        seal(b, &sealed, sm3, data, len);
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
        rc = open_file(b, out, sm3, raw.data, raw.len, err);
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
