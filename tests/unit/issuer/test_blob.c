/* test_blob.c — the content-addressed material store in a temporary directory:
 * put and get, refusals, and encryption at rest (round trip, tampered,
 * swapped and foreign files refused, a wrong key refused, the migration of
 * plaintext stores, the data key's rotation and its resumption). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eseal/sm.h"
#include "csr.h"
#include "blob.h"
#include "kek.h"
#include "testutil.h"

/* The file form adds a 4-byte header, a 24-byte nonce and a 16-byte tag. */
#define OVERHEAD 44
/* The store's own files beside the materials: data.key and the marker. */
#define OWN_FILES 2

struct fixture {
    char *tmp;
    char *dir;
    struct eseal_blob *blob;
    uint8_t kek_key[ESEAL_AEAD_KEY_LEN];
    struct eseal_blob_kek kek;
};

static const uint8_t png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR-impression";
static const uint8_t pdf[] = "%PDF-1.7\nletter body\n%%EOF\n";

static int setup(void **state)
{
    struct fixture *f = eseal_xcalloc(1, sizeof(*f));
    f->tmp = tu_tmpdir();
    /* A store below directories that do not exist yet. */
    f->dir = eseal_xasprintf("%s/var/issuer/blobs", f->tmp);
    eseal_random(f->kek_key, sizeof(f->kek_key));
    f->kek = test_kek(f->kek_key);
    if (eseal_blob_open(&f->blob, f->dir, &f->kek, NULL) != ESEAL_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    eseal_blob_free(f->blob);
    tu_rmtree(f->tmp);
    free(f->tmp);
    free(f->dir);
    free(f);
    return 0;
}

/* count_files counts regular files below |dir|, and those with ".tmp." in
 * their name into *tmp. */
static size_t count_files(const char *dir, size_t *tmp)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = eseal_path_join(dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            n += count_files(p, tmp);
        } else {
            n++;
            if (strstr(e->d_name, ".tmp.") != NULL)
                (*tmp)++;
        }
        free(p);
    }
    closedir(d);
    return n;
}

static void test_put_get(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    struct eseal_material_ref ref;
    enum eseal_content_type type = ESEAL_CONTENT_UNKNOWN;
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_IMPRESSION, png, sizeof(png), &ref, &type, &err),
        ESEAL_OK);
    char *want = eseal_sm3_hex(png, sizeof(png));
    assert_string_equal(ref.sm3, want);
    assert_int_equal(ref.kind, ESEAL_MATERIAL_IMPRESSION);
    assert_int_equal(type, ESEAL_CONTENT_PNG);
    assert_true(eseal_blob_exists(f->blob, want));

    /* Two-level fan-out, private modes. */
    char *path = eseal_xasprintf("%s/%.2s/%.2s/%s", f->dir, want, want + 2, want);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal((size_t)st.st_size, sizeof(png) + OVERHEAD);
    /* At rest the file holds no plaintext: header, then ciphertext. */
    struct eseal_buf raw;
    eseal_buf_init(&raw);
    assert_int_equal(eseal_file_read(&raw, path, 1 << 20, NULL), ESEAL_OK);
    assert_memory_equal(raw.data, "ESB\x01", 4);
    assert_null(memmem(raw.data, raw.len, "IHDR-impression", 15));
    eseal_buf_cleanup(&raw);
    char *keyfile = eseal_path_join(f->dir, ESEAL_BLOB_KEY_FILE);
    assert_int_equal(stat(keyfile, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    free(keyfile);
    char *sub = eseal_xasprintf("%s/%.2s/%.2s", f->dir, want, want + 2);
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(f->dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    struct eseal_buf out;
    eseal_buf_init(&out);
    assert_int_equal(eseal_blob_get(f->blob, want, &out, &err), ESEAL_OK);
    assert_int_equal(out.len, sizeof(png));
    assert_memory_equal(out.data, png, sizeof(png));
    /* The rules engine's reader is the same lookup. */
    eseal_buf_reset(&out);
    assert_int_equal(eseal_blob_reader(f->blob, want, &out, &err), ESEAL_OK);
    assert_memory_equal(out.data, png, sizeof(png));
    eseal_buf_cleanup(&out);
    free(sub);
    free(path);
    free(want);
}

/* Putting the same content again is the same material: no error, one file. */
static void test_idempotent(void **state)
{
    struct fixture *f = *state;
    struct eseal_material_ref a, b, c;
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_LETTER, pdf, sizeof(pdf), &a, NULL, NULL), ESEAL_OK);
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_LETTER, pdf, sizeof(pdf), &b, NULL, NULL), ESEAL_OK);
    /* The same bytes may serve as another kind that accepts them. */
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_JUSTIFICATION, pdf, sizeof(pdf), &c, NULL, NULL),
        ESEAL_OK);
    assert_string_equal(a.sm3, b.sm3);
    assert_string_equal(a.sm3, c.sm3);
    assert_int_equal(c.kind, ESEAL_MATERIAL_JUSTIFICATION);
    size_t tmp = 0;
    assert_int_equal(count_files(f->dir, &tmp), OWN_FILES + 1);
    assert_int_equal(tmp, 0);
}

/* Content the kind does not accept is refused and nothing is written. */
static void test_refusals(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    struct eseal_material_ref ref;
    memset(&ref, 0, sizeof(ref));
    enum eseal_content_type type = ESEAL_CONTENT_UNKNOWN;
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_IMPRESSION, pdf, sizeof(pdf), &ref, &type, &err),
        ESEAL_E_INVALID);
    assert_int_equal(type, ESEAL_CONTENT_PDF);
    assert_non_null(strstr(err.msg, "impression image must be PNG, JPEG, found PDF"));
    assert_string_equal(ref.sm3, "");
    char *h = eseal_sm3_hex(pdf, sizeof(pdf));
    assert_false(eseal_blob_exists(f->blob, h));
    free(h);

    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_LETTER, png, sizeof(png), NULL, NULL, &err),
        ESEAL_E_INVALID);
    assert_int_equal(eseal_blob_put(f->blob, ESEAL_MATERIAL_CSR, (const uint8_t *)"-----BEGIN ", 11,
                                    NULL, NULL, &err),
                     ESEAL_E_INVALID);
    assert_int_equal(eseal_blob_put(f->blob, ESEAL_MATERIAL_FORM, pdf, 0, NULL, NULL, &err),
                     ESEAL_E_INVALID);

    size_t max = eseal_material_max_len(ESEAL_MATERIAL_IMPRESSION);
    uint8_t *big = calloc(1, max + 1);
    assert_non_null(big);
    memcpy(big, png, 8);
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_IMPRESSION, big, max + 1, NULL, NULL, &err),
        ESEAL_E_TOOBIG);
    free(big);

    size_t tmp = 0;
    assert_int_equal(count_files(f->dir, &tmp), OWN_FILES);
}

static void test_csr(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf csr;
    eseal_buf_init(&csr);
    make_csr(CSR_GOOD, true, &csr);
    struct eseal_material_ref ref;
    enum eseal_content_type type;
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_CSR, csr.data, csr.len, &ref, &type, NULL),
        ESEAL_OK);
    assert_int_equal(type, ESEAL_CONTENT_CSR_PEM);
    /* A CSR is not an impression. */
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_IMPRESSION, csr.data, csr.len, NULL, NULL, NULL),
        ESEAL_E_INVALID);
    eseal_buf_cleanup(&csr);
}

static void test_get_refusals(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    struct eseal_buf out;
    eseal_buf_init(&out);
    const char *absent = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    assert_int_equal(eseal_blob_get(f->blob, absent, &out, &err), ESEAL_E_NOTFOUND);
    assert_non_null(strstr(err.msg, absent));
    assert_false(eseal_blob_exists(f->blob, absent));
    /* Names that are not SM3 hex never reach the file system. */
    const char *bad[] = {"../../../../../../etc/passwd", "",
                         "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff",
                         "00112233445566778899aabbccddeeff00112233445566778899aabbccddeef",
                         "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(eseal_blob_get(f->blob, bad[i], &out, &err), ESEAL_E_INVALID);
        assert_false(eseal_blob_exists(f->blob, bad[i]));
    }
    assert_int_equal(eseal_blob_get(f->blob, NULL, &out, &err), ESEAL_E_INVALID);
    assert_false(eseal_blob_exists(f->blob, NULL));
    eseal_buf_cleanup(&out);
}

static char *material_path(const struct fixture *f, const char *sm3)
{
    return eseal_xasprintf("%s/%.2s/%.2s/%s", f->dir, sm3, sm3 + 2, sm3);
}

/* get_fails: the material |sm3| is refused as a server-side fault
 * (ESEAL_E_IO, HTTP 500), naming |why|, with nothing served. */
static void get_fails(struct eseal_blob *b, const char *sm3, const char *why)
{
    struct eseal_err err;
    struct eseal_buf out;
    eseal_buf_init(&out);
    eseal_buf_append_str(&out, "stale");
    assert_int_equal(eseal_blob_get(b, sm3, &out, &err), ESEAL_E_IO);
    assert_non_null(strstr(err.msg, why));
    assert_int_equal(out.len, 0);
    eseal_buf_cleanup(&out);
}

/* A file changed on disk is reported, never served; a put of the real
 * content repairs a file of the wrong size. */
static void test_tamper(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    struct eseal_material_ref ref;
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_IMPRESSION, png, sizeof(png), &ref, NULL, NULL),
        ESEAL_OK);
    char *path = material_path(f, ref.sm3);
    struct eseal_buf raw;
    eseal_buf_init(&raw);
    assert_int_equal(eseal_file_read(&raw, path, 1 << 20, NULL), ESEAL_OK);
    /* one bit of the ciphertext, of the nonce, of the header, of the tag */
    const size_t at[] = {40, 10, 3, raw.len - 1};
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
        raw.data[at[i]] ^= 1;
        assert_int_equal(eseal_file_write(path, raw.data, raw.len, 0600, 0, NULL), ESEAL_OK);
        get_fails(f->blob, ref.sm3, "does not decrypt");
        raw.data[at[i]] ^= 1;
    }
    /* the plaintext itself, where a ciphertext belongs */
    assert_int_equal(eseal_file_write(path, png, sizeof(png), 0600, 0, NULL), ESEAL_OK);
    get_fails(f->blob, ref.sm3, "does not decrypt");
    assert_int_equal(eseal_file_write(path, raw.data, 5, 0600, 0, NULL), ESEAL_OK); /* truncated */
    get_fails(f->blob, ref.sm3, "does not decrypt");

    struct eseal_buf out;
    eseal_buf_init(&out);
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_IMPRESSION, png, sizeof(png), NULL, NULL, &err),
        ESEAL_OK);
    assert_int_equal(eseal_blob_get(f->blob, ref.sm3, &out, &err), ESEAL_OK);
    assert_memory_equal(out.data, png, sizeof(png));
    eseal_buf_cleanup(&out);
    eseal_buf_cleanup(&raw);
    free(path);
}

/* A file moved to another material's name does not decrypt there: the name
 * is bound into the ciphertext. */
static void test_swapped(void **state)
{
    struct fixture *f = *state;
    struct eseal_material_ref a, b;
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_LETTER, pdf, sizeof(pdf), &a, NULL, NULL), ESEAL_OK);
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_IMPRESSION, png, sizeof(png), &b, NULL, NULL),
        ESEAL_OK);
    char *pa = material_path(f, a.sm3), *pb = material_path(f, b.sm3);
    struct eseal_buf raw;
    eseal_buf_init(&raw);
    assert_int_equal(eseal_file_read(&raw, pa, 1 << 20, NULL), ESEAL_OK);
    assert_int_equal(eseal_file_write(pb, raw.data, raw.len, 0600, 0, NULL), ESEAL_OK);
    get_fails(f->blob, b.sm3, "swapped");
    /* the original still reads */
    struct eseal_buf out;
    eseal_buf_init(&out);
    assert_int_equal(eseal_blob_get(f->blob, a.sm3, &out, NULL), ESEAL_OK);
    assert_memory_equal(out.data, pdf, sizeof(pdf));
    eseal_buf_cleanup(&out);
    eseal_buf_cleanup(&raw);
    free(pa);
    free(pb);
}

/* Another store's file under the same name does not decrypt (another data
 * key); a store whose data.key another KEK wrapped does not open; a
 * damaged data.key does not open. */
static void test_wrong_key(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    char *other_dir = eseal_path_join(f->tmp, "other");
    uint8_t other_key[ESEAL_AEAD_KEY_LEN];
    eseal_random(other_key, sizeof(other_key));
    const struct eseal_blob_kek other_kek = test_kek(other_key);
    struct eseal_blob *other = NULL;
    assert_int_equal(eseal_blob_open(&other, other_dir, &other_kek, &err), ESEAL_OK);
    struct eseal_material_ref ref;
    assert_int_equal(
        eseal_blob_put(other, ESEAL_MATERIAL_LETTER, pdf, sizeof(pdf), &ref, NULL, NULL), ESEAL_OK);
    eseal_blob_free(other);
    other = NULL;
    char *theirs = eseal_xasprintf("%s/%.2s/%.2s/%s", other_dir, ref.sm3, ref.sm3 + 2, ref.sm3);
    char *ours = material_path(f, ref.sm3);
    struct eseal_buf raw;
    eseal_buf_init(&raw);
    assert_int_equal(eseal_file_read(&raw, theirs, 1 << 20, NULL), ESEAL_OK);
    char *fan = eseal_xasprintf("%s/%.2s/%.2s", f->dir, ref.sm3, ref.sm3 + 2);
    assert_int_equal(eseal_mkdirs(fan, 0700, NULL), ESEAL_OK);
    assert_int_equal(eseal_file_write(ours, raw.data, raw.len, 0600, 0, NULL), ESEAL_OK);
    get_fails(f->blob, ref.sm3, "does not decrypt");

    /* the other store opened with our KEK */
    assert_int_equal(eseal_blob_open(&other, other_dir, &f->kek, &err), ESEAL_E_CRYPTO);
    assert_null(other);
    assert_non_null(strstr(err.msg, ESEAL_BLOB_KEY_FILE));
    /* a damaged data.key */
    char *keyfile = eseal_path_join(other_dir, ESEAL_BLOB_KEY_FILE);
    assert_int_equal(eseal_file_read(&raw, keyfile, 4096, NULL), ESEAL_OK);
    raw.data[raw.len / 2] ^= 1;
    assert_int_equal(eseal_file_write(keyfile, raw.data, raw.len, 0600, 0, NULL), ESEAL_OK);
    assert_int_equal(eseal_blob_open(&other, other_dir, &other_kek, &err), ESEAL_E_CRYPTO);
    assert_null(other);
    eseal_buf_cleanup(&raw);
    free(keyfile);
    free(fan);
    free(ours);
    free(theirs);
    free(other_dir);
}

/* A store from before encryption: its plaintext files are encrypted in
 * place at open, once; a damaged file and stray names are left alone. */
static void test_migration(void **state)
{
    struct fixture *f = *state;
    char *dir = eseal_path_join(f->tmp, "legacy");
    char *pdf_sm3 = eseal_sm3_hex(pdf, sizeof(pdf));
    char *png_sm3 = eseal_sm3_hex(png, sizeof(png));
    char *fan = eseal_xasprintf("%s/%.2s/%.2s", dir, pdf_sm3, pdf_sm3 + 2);
    char *ppdf = eseal_xasprintf("%s/%s", fan, pdf_sm3);
    assert_int_equal(eseal_mkdirs(fan, 0700, NULL), ESEAL_OK);
    assert_int_equal(eseal_file_write(ppdf, pdf, sizeof(pdf), 0600, 0, NULL), ESEAL_OK);
    free(fan);
    fan = eseal_xasprintf("%s/%.2s/%.2s", dir, png_sm3, png_sm3 + 2);
    char *ppng = eseal_xasprintf("%s/%s", fan, png_sm3);
    assert_int_equal(eseal_mkdirs(fan, 0700, NULL), ESEAL_OK);
    assert_int_equal(eseal_file_write(ppng, png, sizeof(png) - 1, 0600, 0, NULL), ESEAL_OK);
    char *stray = eseal_xasprintf("%s.tmp.abcdef", ppng);
    assert_int_equal(eseal_file_write(stray, png, sizeof(png), 0600, 0, NULL), ESEAL_OK);

    struct eseal_err err;
    struct eseal_blob *b = NULL;
    assert_int_equal(eseal_blob_open(&b, dir, &f->kek, &err), ESEAL_OK);
    assert_int_equal(eseal_blob_migrated(b), 1);
    struct eseal_buf raw, out;
    eseal_buf_init(&raw);
    eseal_buf_init(&out);
    assert_int_equal(eseal_file_read(&raw, ppdf, 1 << 20, NULL), ESEAL_OK);
    assert_int_equal(raw.len, sizeof(pdf) + OVERHEAD);
    assert_null(memmem(raw.data, raw.len, "letter body", 11));
    assert_int_equal(eseal_blob_get(b, pdf_sm3, &out, &err), ESEAL_OK);
    assert_memory_equal(out.data, pdf, sizeof(pdf));
    get_fails(b, png_sm3, "does not decrypt"); /* damaged before: still refused */
    assert_int_equal(eseal_file_read(&raw, stray, 1 << 20, NULL), ESEAL_OK);
    assert_int_equal(raw.len, sizeof(png)); /* not a material name: untouched */
    eseal_blob_free(b);

    /* Once marked, no walk; without the marker (a crash before it was
     * written) the walk finds nothing left to do. */
    assert_int_equal(eseal_blob_open(&b, dir, &f->kek, &err), ESEAL_OK);
    assert_int_equal(eseal_blob_migrated(b), 0);
    eseal_blob_free(b);
    char *marker = eseal_path_join(dir, ESEAL_BLOB_MARKER_FILE);
    assert_int_equal(unlink(marker), 0);
    assert_int_equal(eseal_blob_open(&b, dir, &f->kek, &err), ESEAL_OK);
    assert_int_equal(eseal_blob_migrated(b), 0);
    assert_int_equal(eseal_blob_get(b, pdf_sm3, &out, &err), ESEAL_OK);
    assert_memory_equal(out.data, pdf, sizeof(pdf));
    eseal_blob_free(b);
    eseal_buf_cleanup(&raw);
    eseal_buf_cleanup(&out);
    free(marker);
    free(stray);
    free(ppng);
    free(ppdf);
    free(fan);
    free(png_sm3);
    free(pdf_sm3);
    free(dir);
}

static void test_open_errors(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    struct eseal_blob *b = NULL;
    assert_int_equal(eseal_blob_open(&b, "", &f->kek, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_blob_open(&b, NULL, &f->kek, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_blob_open(&b, f->dir, NULL, &err), ESEAL_E_INVALID);
    /* A regular file where the directory should be. */
    char *file = eseal_xasprintf("%s/plain", f->tmp);
    assert_int_equal(eseal_file_write(file, "x", 1, 0600, 0, NULL), ESEAL_OK);
    char *below = eseal_xasprintf("%s/store", file);
    assert_int_not_equal(eseal_blob_open(&b, below, &f->kek, &err), ESEAL_OK);
    assert_null(b);
    /* Reopening an existing store sees its materials. */
    struct eseal_material_ref ref;
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_LETTER, pdf, sizeof(pdf), &ref, NULL, NULL),
        ESEAL_OK);
    assert_int_equal(eseal_blob_open(&b, f->dir, &f->kek, &err), ESEAL_OK);
    assert_true(eseal_blob_exists(b, ref.sm3));
    struct eseal_buf out;
    eseal_buf_init(&out);
    assert_int_equal(eseal_blob_get(b, ref.sm3, &out, &err), ESEAL_OK);
    assert_memory_equal(out.data, pdf, sizeof(pdf));
    eseal_buf_cleanup(&out);
    eseal_blob_free(b);
    eseal_blob_free(NULL);
    free(below);
    free(file);
}

/* ---- data key rotation ---------------------------------------------------- */

#define N_ROT 3

/* put_letters stores N_ROT distinct letters in |b|, their names in |sm3|. */
static void put_letters(struct eseal_blob *b, char sm3[N_ROT][ESEAL_SM3_HEX_LEN + 1])
{
    for (int i = 0; i < N_ROT; i++) {
        char *doc = eseal_xasprintf("%%PDF-1.7\nrotated letter %d\n%%%%EOF\n", i);
        struct eseal_material_ref ref;
        assert_int_equal(eseal_blob_put(b, ESEAL_MATERIAL_LETTER, (const uint8_t *)doc, strlen(doc),
                                        &ref, NULL, NULL),
                         ESEAL_OK);
        memcpy(sm3[i], ref.sm3, sizeof(ref.sm3));
        free(doc);
    }
}

/* all_served checks that |b| serves every letter of put_letters. */
static void all_served(struct eseal_blob *b, char sm3[N_ROT][ESEAL_SM3_HEX_LEN + 1])
{
    struct eseal_buf out;
    eseal_buf_init(&out);
    for (int i = 0; i < N_ROT; i++) {
        char *doc = eseal_xasprintf("%%PDF-1.7\nrotated letter %d\n%%%%EOF\n", i);
        assert_int_equal(eseal_blob_get(b, sm3[i], &out, NULL), ESEAL_OK);
        assert_int_equal(out.len, strlen(doc));
        assert_memory_equal(out.data, doc, out.len);
        free(doc);
    }
    eseal_buf_cleanup(&out);
}

static void read_file(struct eseal_buf *out, const char *dir, const char *name)
{
    char *p = eseal_path_join(dir, name);
    assert_int_equal(eseal_file_read(out, p, 1 << 20, NULL), ESEAL_OK);
    free(p);
}

/* A rotation re-encrypts every material to a new data key: data.key
 * changes, data.key.next is gone, the store (and a reopened one) serves
 * every material; a file of the old key put back is refused, and the old
 * data.key put back opens none of the files. */
static void test_rotate(void **state)
{
    struct fixture *f = *state;
    char sm3[N_ROT][ESEAL_SM3_HEX_LEN + 1];
    put_letters(f->blob, sm3);
    struct eseal_buf old_key, old_file, raw;
    eseal_buf_init(&old_key);
    eseal_buf_init(&old_file);
    eseal_buf_init(&raw);
    read_file(&old_key, f->dir, ESEAL_BLOB_KEY_FILE);
    char *p0 = material_path(f, sm3[0]);
    assert_int_equal(eseal_file_read(&old_file, p0, 1 << 20, NULL), ESEAL_OK);

    struct eseal_blob_rotation rot;
    struct eseal_err err;
    assert_int_equal(eseal_blob_rotate(f->blob, &f->kek, NULL, &rot, &err), ESEAL_OK);
    assert_int_equal(rot.files, N_ROT);
    assert_int_equal(rot.reencrypted, N_ROT);
    assert_int_equal(rot.already + rot.unreadable, 0);
    assert_false(rot.resumed);
    read_file(&raw, f->dir, ESEAL_BLOB_KEY_FILE);
    assert_false(raw.len == old_key.len && memcmp(raw.data, old_key.data, raw.len) == 0);
    char *new_sm3 = eseal_sm3_hex(raw.data, raw.len);
    char *old_sm3 = eseal_sm3_hex(old_key.data, old_key.len);
    assert_string_equal(rot.new_sm3, new_sm3);
    assert_string_equal(rot.old_sm3, old_sm3);
    assert_false(tu_exists(f->dir, ESEAL_BLOB_NEXT_KEY_FILE));
    all_served(f->blob, sm3);
    struct eseal_blob *b = NULL;
    assert_int_equal(eseal_blob_open(&b, f->dir, &f->kek, &err), ESEAL_OK);
    assert_null(eseal_blob_resumed(b));
    all_served(b, sm3);

    /* the old key's file put back: refused */
    assert_int_equal(eseal_file_write(p0, old_file.data, old_file.len, 0600, 0, NULL), ESEAL_OK);
    get_fails(b, sm3[0], "does not decrypt");
    eseal_blob_free(b);
    /* the old data.key put back: the re-encrypted files do not open */
    char *kp = eseal_path_join(f->dir, ESEAL_BLOB_KEY_FILE);
    assert_int_equal(eseal_file_write(kp, old_key.data, old_key.len, 0600, 0, NULL), ESEAL_OK);
    assert_int_equal(eseal_blob_open(&b, f->dir, &f->kek, &err), ESEAL_OK);
    get_fails(b, sm3[1], "does not decrypt");
    get_fails(b, sm3[2], "does not decrypt");
    eseal_blob_free(b);
    free(kp);
    free(old_sm3);
    free(new_sm3);
    free(p0);
    eseal_buf_cleanup(&raw);
    eseal_buf_cleanup(&old_file);
    eseal_buf_cleanup(&old_key);
}

/* stop_at stops a rotation once |*ctx| files are done, as a crash would. */
static bool stop_at(void *ctx, size_t done, size_t total)
{
    (void)total;
    return done < *(size_t *)ctx;
}

/* A rotation stopped part way — after data.key.next was written and 0, 1
 * or all of the files were re-encrypted, or after data.key was replaced
 * but data.key.next not yet removed — is finished by the next open: every
 * material served, data.key the next key, data.key.next gone. An open
 * stopped while finishing it is finished by the open after. */
static void test_rotate_resume(void **state)
{
    struct fixture *f = *state;
    static const size_t stops[] = {0, 1, N_ROT, N_ROT + 1};
    for (size_t k = 0; k < sizeof(stops) / sizeof(stops[0]); k++) {
        char *dir = eseal_xasprintf("%s/resume%zu", f->tmp, k);
        char sm3[N_ROT][ESEAL_SM3_HEX_LEN + 1];
        struct eseal_err err;
        struct eseal_blob *b = NULL;
        assert_int_equal(eseal_blob_open(&b, dir, &f->kek, &err), ESEAL_OK);
        put_letters(b, sm3);
        struct eseal_buf old_key, next_key, raw;
        eseal_buf_init(&old_key);
        eseal_buf_init(&next_key);
        eseal_buf_init(&raw);
        read_file(&old_key, dir, ESEAL_BLOB_KEY_FILE);
        size_t stop = stops[k] > N_ROT ? N_ROT : stops[k];
        const struct eseal_blob_progress halt = {stop_at, &stop};
        struct eseal_blob_rotation rot;
        assert_int_equal(eseal_blob_rotate(b, &f->kek, &halt, &rot, &err), ESEAL_E_UNAVAILABLE);
        assert_non_null(strstr(err.msg, "resume"));
        eseal_blob_free(b);
        read_file(&raw, dir, ESEAL_BLOB_KEY_FILE);
        assert_memory_equal(raw.data, old_key.data, raw.len); /* not switched yet */
        read_file(&next_key, dir, ESEAL_BLOB_NEXT_KEY_FILE);
        if (stops[k] > N_ROT) {
            /* data.key replaced, data.key.next not yet removed */
            char *kp = eseal_path_join(dir, ESEAL_BLOB_KEY_FILE);
            assert_int_equal(eseal_file_write(kp, next_key.data, next_key.len, 0600, 0, NULL),
                             ESEAL_OK);
            free(kp);
        }
        if (k == 1) {
            /* the open finishing it is stopped too: the open after finishes */
            size_t none = 0;
            const struct eseal_blob_progress halt0 = {stop_at, &none};
            assert_int_equal(eseal_blob_open_with(&b, dir, &f->kek, &halt0, &err),
                             ESEAL_E_UNAVAILABLE);
            assert_null(b);
        }
        assert_int_equal(eseal_blob_open(&b, dir, &f->kek, &err), ESEAL_OK);
        const struct eseal_blob_rotation *done = eseal_blob_resumed(b);
        assert_non_null(done);
        assert_true(done->resumed);
        assert_int_equal(done->files, N_ROT);
        size_t already = stops[k] > N_ROT ? N_ROT : stop;
        assert_int_equal(done->already, already);
        assert_int_equal(done->reencrypted, N_ROT - already);
        all_served(b, sm3);
        read_file(&raw, dir, ESEAL_BLOB_KEY_FILE);
        assert_int_equal(raw.len, next_key.len);
        assert_memory_equal(raw.data, next_key.data, raw.len);
        assert_false(tu_exists(dir, ESEAL_BLOB_NEXT_KEY_FILE));
        eseal_blob_free(b);
        /* and the next open has nothing left to finish */
        assert_int_equal(eseal_blob_open(&b, dir, &f->kek, &err), ESEAL_OK);
        assert_null(eseal_blob_resumed(b));
        all_served(b, sm3);
        eseal_blob_free(b);
        eseal_buf_cleanup(&raw);
        eseal_buf_cleanup(&next_key);
        eseal_buf_cleanup(&old_key);
        free(dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotate_resume, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
