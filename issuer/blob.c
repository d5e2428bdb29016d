/* blob.c — the content-addressed material store (SM3 names, two-level fan-out). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eseal/sm.h"
#include "blob.h"

#define DIR_MODE 0700
#define FILE_MODE 0600

struct eseal_blob {
    char *dir;
};

eseal_rc eseal_blob_open(struct eseal_blob **out, const char *dir, struct eseal_err *err)
{
    if (dir == NULL || *dir == '\0')
        return eseal_err_set(err, ESEAL_E_INVALID, "material store: empty directory path");
    eseal_rc rc = eseal_mkdirs(dir, DIR_MODE, err);
    if (rc != ESEAL_OK)
        return eseal_err_prefix(err, "material store");
    struct eseal_blob *b = eseal_xcalloc(1, sizeof(*b));
    b->dir = eseal_xstrdup(dir);
    *out = b;
    return ESEAL_OK;
}

void eseal_blob_free(struct eseal_blob *b)
{
    if (b == NULL)
        return;
    free(b->dir);
    free(b);
}

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
    eseal_rc rc = eseal_material_check(kind, data, len, type, err);
    if (rc != ESEAL_OK)
        return rc;
    char *sm3 = eseal_sm3_hex(data, len);
    char *dir = fanout_dir(b, sm3);
    char *path = blob_path(b, sm3);
    rc = eseal_mkdirs(dir, DIR_MODE, err);
    if (rc == ESEAL_OK)
        rc = store(path, data, len, err);
    if (rc == ESEAL_OK && ref != NULL) {
        ref->kind = kind;
        memcpy(ref->sm3, sm3, ESEAL_SM3_HEX_LEN + 1);
    }
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
    struct eseal_err e;
    eseal_rc rc = eseal_file_read(out, path, ESEAL_MATERIAL_MAX_ANY, &e);
    if (rc == ESEAL_E_NOTFOUND)
        eseal_err_set(err, rc, "材料不存在 / no such material: %s", sm3);
    else if (rc != ESEAL_OK)
        eseal_err_set(err, rc, "%s", e.msg);
    if (rc == ESEAL_OK) {
        char *actual = eseal_sm3_hex(out->data, out->len);
        if (strcmp(actual, sm3) != 0)
            rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                               "材料内容与其 SM3 名称不符，存储已损坏或被篡改 / stored material %s "
                               "does not match its SM3 name: damaged or altered",
                               sm3);
        free(actual);
        if (rc != ESEAL_OK)
            eseal_buf_reset(out);
    }
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
