/* test_blob.c — the content-addressed material store in a temporary directory. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eseal/sm.h"
#include "csr.h"
#include "blob.h"
#include "testutil.h"

struct fixture {
    char *tmp;
    char *dir;
    struct eseal_blob *blob;
};

static const uint8_t png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR-impression";
static const uint8_t pdf[] = "%PDF-1.7\nletter body\n%%EOF\n";

static int setup(void **state)
{
    struct fixture *f = eseal_xcalloc(1, sizeof(*f));
    f->tmp = tu_tmpdir();
    /* A store below directories that do not exist yet. */
    f->dir = eseal_xasprintf("%s/var/issuer/blobs", f->tmp);
    if (eseal_blob_open(&f->blob, f->dir, NULL) != ESEAL_OK)
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
    assert_int_equal((size_t)st.st_size, sizeof(png));
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
    assert_int_equal(count_files(f->dir, &tmp), 1);
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
    assert_int_equal(count_files(f->dir, &tmp), 0);
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
    char *path = eseal_xasprintf("%s/%.2s/%.2s/%s", f->dir, ref.sm3, ref.sm3 + 2, ref.sm3);
    uint8_t altered[sizeof(png)];
    memcpy(altered, png, sizeof(png));
    altered[sizeof(png) - 2] ^= 1;
    assert_int_equal(eseal_file_write(path, altered, sizeof(altered), 0600, 0, NULL), ESEAL_OK);

    struct eseal_buf out;
    eseal_buf_init(&out);
    assert_int_equal(eseal_blob_get(f->blob, ref.sm3, &out, &err), ESEAL_E_CRYPTO);
    assert_non_null(strstr(err.msg, "does not match its SM3 name"));
    assert_int_equal(out.len, 0);

    assert_int_equal(eseal_file_write(path, png, 5, 0600, 0, NULL), ESEAL_OK); /* truncated */
    assert_int_equal(eseal_blob_get(f->blob, ref.sm3, &out, &err), ESEAL_E_CRYPTO);
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_IMPRESSION, png, sizeof(png), NULL, NULL, &err),
        ESEAL_OK);
    assert_int_equal(eseal_blob_get(f->blob, ref.sm3, &out, &err), ESEAL_OK);
    assert_memory_equal(out.data, png, sizeof(png));
    eseal_buf_cleanup(&out);
    free(path);
}

static void test_open_errors(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    struct eseal_blob *b = NULL;
    assert_int_equal(eseal_blob_open(&b, "", &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_blob_open(&b, NULL, &err), ESEAL_E_INVALID);
    /* A regular file where the directory should be. */
    char *file = eseal_xasprintf("%s/plain", f->tmp);
    assert_int_equal(eseal_file_write(file, "x", 1, 0600, 0, NULL), ESEAL_OK);
    char *below = eseal_xasprintf("%s/store", file);
    assert_int_not_equal(eseal_blob_open(&b, below, &err), ESEAL_OK);
    assert_null(b);
    /* Reopening an existing store sees its materials. */
    struct eseal_material_ref ref;
    assert_int_equal(
        eseal_blob_put(f->blob, ESEAL_MATERIAL_LETTER, pdf, sizeof(pdf), &ref, NULL, NULL),
        ESEAL_OK);
    assert_int_equal(eseal_blob_open(&b, f->dir, &err), ESEAL_OK);
    assert_true(eseal_blob_exists(b, ref.sm3));
    eseal_blob_free(b);
    eseal_blob_free(NULL);
    free(below);
    free(file);
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
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
