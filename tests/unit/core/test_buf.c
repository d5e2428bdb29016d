/* test_buf.c — result codes and messages (rc.h), byte buffers, bounded file
 * reading, atomic file writing, mkdir -p and secret input (buf.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/rc.h"
#include "testutil.h"

/* ---- helpers ---- */

static int setup_tmp(void **state)
{
    *state = tu_tmpdir();
    return 0;
}

static int teardown_tmp(void **state)
{
    tu_rmtree(*state);
    free(*state);
    return 0;
}

/* put writes |len| bytes to |path| with plain stdio (independent of buf.c). */
static void put(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len > 0)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* get reads |path| with plain stdio into a new buffer; *len gets its size. */
static uint8_t *get(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *data = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            data = realloc(data, cap);
            assert_non_null(data);
        }
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return data;
}

/* count_entries returns the number of directory entries in |dir| other than
 * "." and "..", and whether any has ".tmp" in its name. */
static size_t count_entries(const char *dir, int *has_tmp)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    *has_tmp = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        if (strstr(e->d_name, ".tmp") != NULL)
            *has_tmp = 1;
    }
    closedir(d);
    return n;
}

static mode_t file_mode(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

/* ---- rc.h ---- */

static void test_err_set(void **state)
{
    (void)state;
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(err.rc, ESEAL_OK);
    assert_string_equal(err.msg, "");

    assert_int_equal(eseal_err_set(&err, ESEAL_E_NOTFOUND, "seal %d of %s", 7, "x"),
                     ESEAL_E_NOTFOUND);
    assert_int_equal(err.rc, ESEAL_E_NOTFOUND);
    assert_string_equal(err.msg, "seal 7 of x");

    /* NULL is accepted everywhere and the code still comes back. */
    assert_int_equal(eseal_err_set(NULL, ESEAL_E_IO, "ignored %s", "x"), ESEAL_E_IO);
    eseal_err_clear(NULL);

    /* An over-long message is truncated, not overflowed. */
    char big[2 * ESEAL_ERR_MSG_MAX];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(eseal_err_set(&err, ESEAL_E_INVALID, "%s", big), ESEAL_E_INVALID);
    assert_int_equal(strlen(err.msg), ESEAL_ERR_MSG_MAX - 1);

    eseal_err_clear(&err);
    assert_int_equal(err.rc, ESEAL_OK);
    assert_string_equal(err.msg, "");
}

static void test_err_prefix(void **state)
{
    (void)state;
    struct eseal_err err;
    eseal_err_set(&err, ESEAL_E_CRYPTO, "bad signature");
    assert_int_equal(eseal_err_prefix(&err, "%s", "/etc/key.pem"), ESEAL_E_CRYPTO);
    assert_string_equal(err.msg, "/etc/key.pem: bad signature");
    assert_int_equal(err.rc, ESEAL_E_CRYPTO);

    assert_int_equal(eseal_err_prefix(NULL, "x"), ESEAL_OK);

    /* The message stays bounded and terminated whatever the lengths. */
    char big[2 * ESEAL_ERR_MSG_MAX];
    memset(big, 'p', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    eseal_err_set(&err, ESEAL_E_IO, "tail");
    assert_int_equal(eseal_err_prefix(&err, "%s", big), ESEAL_E_IO);
    assert_true(strlen(err.msg) < ESEAL_ERR_MSG_MAX);
    assert_int_equal(strncmp(err.msg, "pppp", 4), 0);

    eseal_err_set(&err, ESEAL_E_IO, "%s", big);
    assert_int_equal(eseal_err_prefix(&err, "ctx"), ESEAL_E_IO);
    assert_true(strlen(err.msg) < ESEAL_ERR_MSG_MAX);
    assert_int_equal(strncmp(err.msg, "ctx: ppp", 8), 0);
}

static void test_err_openssl(void **state)
{
    (void)state;
    struct eseal_err err;

    /* Without a queued OpenSSL error the message is exactly ours. */
    ERR_clear_error();
    assert_int_equal(eseal_err_openssl(&err, ESEAL_E_INTERNAL, "step %d", 3), ESEAL_E_INTERNAL);
    assert_string_equal(err.msg, "step 3");

    /* With one, its reason is appended and the queue is emptied. */
    static const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01};
    const unsigned char *p = junk;
    X509 *x = d2i_X509(NULL, &p, sizeof(junk));
    assert_null(x);
    assert_int_not_equal(ERR_peek_error(), 0);
    assert_int_equal(eseal_err_openssl(&err, ESEAL_E_INVALID, "parse"), ESEAL_E_INVALID);
    assert_int_equal(err.rc, ESEAL_E_INVALID);
    assert_int_equal(strncmp(err.msg, "parse (openssl: ", 16), 0);
    assert_true(strlen(err.msg) > strlen("parse (openssl: )"));
    assert_int_equal(err.msg[strlen(err.msg) - 1], ')');
    assert_int_equal(ERR_peek_error(), 0);

    /* A NULL err still clears the queue. */
    p = junk;
    assert_null(d2i_X509(NULL, &p, sizeof(junk)));
    assert_int_equal(eseal_err_openssl(NULL, ESEAL_E_INVALID, "x"), ESEAL_E_INVALID);
    assert_int_equal(ERR_peek_error(), 0);
}

static void test_rc_names(void **state)
{
    (void)state;
    static const struct {
        eseal_rc rc;
        const char *name;
        const char *english;
    } want[] = {
        {ESEAL_OK, "ok", "ok"},
        {ESEAL_E_INVALID, "invalid", "invalid input"},
        {ESEAL_E_NOTFOUND, "not_found", "not found"},
        {ESEAL_E_CONFLICT, "conflict", "conflict"},
        {ESEAL_E_DENIED, "denied", "denied"},
        {ESEAL_E_CRYPTO, "crypto", "cryptographic"},
        {ESEAL_E_IO, "io", "I/O"},
        {ESEAL_E_TOOBIG, "too_big", "too large"},
        {ESEAL_E_UNAVAILABLE, "unavailable", "unavailable"},
        {ESEAL_E_INTERNAL, "internal", "internal"},
    };
    size_t n = sizeof(want) / sizeof(want[0]);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(eseal_rc_name(want[i].rc), want[i].name);
        const char *d = eseal_rc_describe(want[i].rc);
        assert_non_null(d);
        assert_non_null(strstr(d, want[i].english));
        /* Chinese first, then " / " and English. */
        assert_non_null(strstr(d, " / "));
        assert_true((unsigned char)d[0] >= 0x80);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(eseal_rc_name(want[i].rc), eseal_rc_name(want[j].rc));
    }
    /* Out-of-range codes do not index past the table. */
    assert_string_equal(eseal_rc_name((eseal_rc)999), "internal");
    assert_string_equal(eseal_rc_name((eseal_rc)-1), "internal");
    assert_string_equal(eseal_rc_describe((eseal_rc)999), eseal_rc_describe(ESEAL_E_INTERNAL));
}

/* ---- buffers ---- */

static void test_buf_append(void **state)
{
    (void)state;
    struct eseal_buf b;
    eseal_buf_init(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);

    eseal_buf_append(&b, "ab", 2);
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.data, "ab", 3); /* NUL-terminated */
    eseal_buf_append(&b, "\0c", 2);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, "ab\0c", 5);
    eseal_buf_append(&b, NULL, 0);
    assert_int_equal(b.len, 4);
    eseal_buf_append_str(&b, "de");
    assert_int_equal(b.len, 6);
    assert_memory_equal(b.data, "ab\0cde", 7);

    /* Growth across many appends keeps every byte. */
    eseal_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_non_null(b.data);
    assert_int_equal(b.data[0], 0);
    for (int i = 0; i < 10000; i++) {
        uint8_t c = (uint8_t)(i * 7);
        eseal_buf_append(&b, &c, 1);
    }
    assert_int_equal(b.len, 10000);
    assert_true(b.cap > b.len);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(b.data[i], (uint8_t)(i * 7));
    assert_int_equal(b.data[10000], 0);

    /* reset keeps the allocation. */
    uint8_t *before = b.data;
    size_t cap = b.cap;
    eseal_buf_reset(&b);
    assert_ptr_equal(b.data, before);
    assert_int_equal(b.cap, cap);
    assert_int_equal(b.len, 0);

    eseal_buf_reserve(&b, 100000);
    assert_true(b.cap >= 100001);

    eseal_buf_cleanup(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    /* reusable after cleanup */
    eseal_buf_append_str(&b, "again");
    assert_string_equal((char *)b.data, "again");
    eseal_buf_cleanup(&b);
    eseal_buf_cleanup(&b); /* twice is harmless */
}

static void test_buf_appendf(void **state)
{
    (void)state;
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_buf_appendf(&b, "%s-%d", "seal", 42);
    assert_int_equal(b.len, 7);
    assert_string_equal((char *)b.data, "seal-42");
    eseal_buf_appendf(&b, "/%05.1f", 2.5);
    assert_string_equal((char *)b.data, "seal-42/002.5");
    eseal_buf_appendf(&b, "%s", "");
    assert_int_equal(b.len, 13);

    /* Longer than any initial capacity. */
    char big[5000];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    eseal_buf_appendf(&b, "[%s]", big);
    assert_int_equal(b.len, 13 + 2 + 4999);
    assert_int_equal(b.data[13], '[');
    assert_int_equal(b.data[b.len - 1], ']');
    assert_int_equal(b.data[b.len], 0);
    assert_int_equal(strlen((char *)b.data), b.len);

    /* appendf on an empty buffer with empty output still gives a string. */
    struct eseal_buf e;
    eseal_buf_init(&e);
    eseal_buf_appendf(&e, "%s", "");
    assert_int_equal(e.len, 0);
    assert_non_null(e.data);
    assert_string_equal((char *)e.data, "");
    eseal_buf_cleanup(&e);
    eseal_buf_cleanup(&b);
}

/* eseal_buf_append_html: the five characters that matter in HTML text and
 * quoted attributes become entities; NULL appends nothing. */
static void test_buf_append_html(void **state)
{
    (void)state;
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_buf_append_html(&b, "<script>alert('x&y')</script> \"印章\"");
    eseal_buf_append_html(&b, NULL);
    assert_string_equal((char *)b.data, "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt; "
                                        "&quot;印章&quot;");
    eseal_buf_cleanup(&b);
}

static void test_buf_steal(void **state)
{
    (void)state;
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_buf_append(&b, "xyz", 3);
    size_t n = 0;
    uint8_t *p = eseal_buf_steal(&b, &n);
    assert_int_equal(n, 3);
    assert_string_equal((char *)p, "xyz");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    free(p);

    /* Stealing an empty buffer gives an allocated empty string, never NULL. */
    n = 99;
    p = eseal_buf_steal(&b, &n);
    assert_non_null(p);
    assert_int_equal(n, 0);
    assert_int_equal(p[0], 0);
    free(p);

    /* A reset buffer steals as empty too. */
    eseal_buf_append_str(&b, "old");
    eseal_buf_reset(&b);
    p = eseal_buf_steal(&b, NULL);
    assert_string_equal((char *)p, "");
    free(p);
    assert_null(b.data);
}

static void test_buf_cleanse(void **state)
{
    (void)state;
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_buf_append_str(&b, "secret");
    eseal_buf_cleanse(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    eseal_buf_cleanse(&b); /* empty is fine */
    eseal_buf_append_str(&b, "reuse");
    assert_string_equal((char *)b.data, "reuse");
    eseal_buf_cleanse(&b);
}

static void test_xalloc(void **state)
{
    (void)state;
    char *s = eseal_xstrdup("hello");
    assert_string_equal(s, "hello");
    free(s);
    s = eseal_xstrndup("hello", 3);
    assert_string_equal(s, "hel");
    free(s);
    s = eseal_xstrndup("hi", 10);
    assert_string_equal(s, "hi");
    free(s);
    s = eseal_xasprintf("%s=%u", "n", 5u);
    assert_string_equal(s, "n=5");
    free(s);
    uint8_t *z = eseal_xcalloc(16, 4);
    for (int i = 0; i < 64; i++)
        assert_int_equal(z[i], 0);
    z = eseal_xrealloc(z, 128);
    assert_int_equal(z[63], 0);
    free(z);
    free(eseal_xmalloc(0)); /* zero-size allocations return something freeable */

    char *j = eseal_path_join("/a/b", "c");
    assert_string_equal(j, "/a/b/c");
    free(j);
    j = eseal_path_join("/a/b/", "c");
    assert_string_equal(j, "/a/b/c");
    free(j);
}

/* ---- eseal_file_read ---- */

static void test_file_read(void **state)
{
    const char *dir = *state;
    char *path = eseal_path_join(dir, "data.bin");
    static const uint8_t content[] = {'a', 0x00, 'b', 0xff, 0x00, '\n', 'c'};
    put(path, content, sizeof(content));

    struct eseal_buf b;
    struct eseal_err err;
    eseal_buf_init(&b);
    eseal_buf_append_str(&b, "previous contents to be replaced");
    assert_int_equal(eseal_file_read(&b, path, 1024, &err), ESEAL_OK);
    assert_int_equal(b.len, sizeof(content));
    assert_memory_equal(b.data, content, sizeof(content));
    assert_int_equal(b.data[b.len], 0);

    /* The limit is inclusive: exactly max_len is fine, one more is not. */
    assert_int_equal(eseal_file_read(&b, path, sizeof(content), &err), ESEAL_OK);
    assert_int_equal(b.len, sizeof(content));
    assert_int_equal(eseal_file_read(&b, path, sizeof(content) - 1, &err), ESEAL_E_TOOBIG);
    assert_int_equal(err.rc, ESEAL_E_TOOBIG);
    assert_non_null(strstr(err.msg, path));

    /* A larger file that needs several reads. */
    size_t big_len = 300000;
    uint8_t *big = malloc(big_len);
    assert_non_null(big);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (uint8_t)(i * 31 + (i >> 8));
    char *bigpath = eseal_path_join(dir, "big.bin");
    put(bigpath, big, big_len);
    assert_int_equal(eseal_file_read(&b, bigpath, big_len, &err), ESEAL_OK);
    assert_int_equal(b.len, big_len);
    assert_memory_equal(b.data, big, big_len);
    assert_int_equal(eseal_file_read(&b, bigpath, 4096, &err), ESEAL_E_TOOBIG);
    free(big);
    free(bigpath);

    /* Empty file: OK, empty, still a C string. */
    char *empty = eseal_path_join(dir, "empty");
    put(empty, "", 0);
    assert_int_equal(eseal_file_read(&b, empty, 10, &err), ESEAL_OK);
    assert_int_equal(b.len, 0);
    assert_non_null(b.data);
    assert_int_equal(b.data[0], 0);
    free(empty);

    /* Missing file. */
    char *missing = eseal_path_join(dir, "no-such-file");
    assert_int_equal(eseal_file_read(&b, missing, 10, &err), ESEAL_E_NOTFOUND);
    assert_int_equal(err.rc, ESEAL_E_NOTFOUND);
    assert_non_null(strstr(err.msg, missing));
    assert_int_equal(b.len, 0);
    free(missing);

    /* A directory is not a file. */
    assert_int_equal(eseal_file_read(&b, dir, 1 << 20, &err), ESEAL_E_IO);
    assert_non_null(strstr(err.msg, dir));

    /* Missing parent directory is NOTFOUND as well; NULL err is accepted. */
    char *deep = eseal_xasprintf("%s/nodir/file", dir);
    assert_int_equal(eseal_file_read(&b, deep, 10, NULL), ESEAL_E_NOTFOUND);
    free(deep);

    /* Unreadable file (skipped when running as root, which bypasses modes). */
    if (geteuid() != 0) {
        char *locked = eseal_path_join(dir, "locked");
        put(locked, "x", 1);
        assert_int_equal(chmod(locked, 0), 0);
        assert_int_equal(eseal_file_read(&b, locked, 10, &err), ESEAL_E_IO);
        free(locked);
    }

    eseal_buf_cleanup(&b);
    free(path);
}

/* ---- eseal_file_write ---- */

static void test_file_write_mode(void **state)
{
    const char *dir = *state;
    struct eseal_err err;
    mode_t old = umask(0077);

    /* A restrictive umask must not narrow the requested mode... */
    char *p644 = eseal_path_join(dir, "pub.pem");
    assert_int_equal(eseal_file_write(p644, "pub", 3, 0644, 0, &err), ESEAL_OK);
    assert_int_equal(file_mode(p644), 0644);

    /* ...and a permissive one must not widen it. */
    umask(0);
    char *p600 = eseal_path_join(dir, "key.pem");
    assert_int_equal(eseal_file_write(p600, "key", 3, 0600, 0, &err), ESEAL_OK);
    assert_int_equal(file_mode(p600), 0600);
    umask(0022);
    char *p640 = eseal_path_join(dir, "grp");
    assert_int_equal(eseal_file_write(p640, "g", 1, 0640, 1, &err), ESEAL_OK);
    assert_int_equal(file_mode(p640), 0640);
    umask(old);

    size_t n = 0;
    uint8_t *got = get(p600, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(got, "key", 3);
    free(got);

    int has_tmp = 0;
    assert_int_equal(count_entries(dir, &has_tmp), 3);
    assert_false(has_tmp);
    free(p644);
    free(p600);
    free(p640);
}

static void test_file_write_exclusive(void **state)
{
    const char *dir = *state;
    struct eseal_err err;
    char *path = eseal_path_join(dir, "ca.key");

    assert_int_equal(eseal_file_write(path, "first", 5, 0600, 1, &err), ESEAL_OK);

    /* Exclusive refuses an existing file and leaves it alone. */
    assert_int_equal(eseal_file_write(path, "second!", 7, 0644, 1, &err), ESEAL_E_CONFLICT);
    assert_int_equal(err.rc, ESEAL_E_CONFLICT);
    assert_non_null(strstr(err.msg, path));
    size_t n = 0;
    uint8_t *got = get(path, &n);
    assert_int_equal(n, 5);
    assert_memory_equal(got, "first", 5);
    free(got);
    assert_int_equal(file_mode(path), 0600);

    /* Also when the existing file was not made by us. */
    char *other = eseal_path_join(dir, "other");
    put(other, "theirs", 6);
    assert_int_equal(eseal_file_write(other, "mine", 4, 0600, 1, NULL), ESEAL_E_CONFLICT);
    got = get(other, &n);
    assert_int_equal(n, 6);
    assert_memory_equal(got, "theirs", 6);
    free(got);

    int has_tmp = 0;
    assert_int_equal(count_entries(dir, &has_tmp), 2);
    assert_false(has_tmp);
    free(path);
    free(other);
}

static void test_file_write_replace(void **state)
{
    const char *dir = *state;
    struct eseal_err err;
    char *path = eseal_path_join(dir, "state.json");

    put(path, "old contents that are longer", 28);

    static const uint8_t data[] = {'n', 0x00, 'e', 'w'};
    assert_int_equal(eseal_file_write(path, data, sizeof(data), 0600, 0, &err), ESEAL_OK);
    size_t n = 0;
    uint8_t *got = get(path, &n);
    assert_int_equal(n, sizeof(data));
    assert_memory_equal(got, data, sizeof(data));
    free(got);
    assert_int_equal(file_mode(path), 0600);

    /* Atomic replacement is a rename: the path now names a new inode. A
     * reader holding the old file still sees the old contents. */
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    struct stat before;
    assert_int_equal(fstat(fd, &before), 0);
    assert_int_equal(eseal_file_write(path, "third", 5, 0600, 0, &err), ESEAL_OK);
    struct stat after;
    assert_int_equal(stat(path, &after), 0);
    assert_true(after.st_ino != before.st_ino); /* old inode still open: no reuse */
    char old[16] = {0};
    assert_int_equal(read(fd, old, sizeof(old)), (ssize_t)sizeof(data));
    assert_memory_equal(old, data, sizeof(data));
    close(fd);
    got = get(path, &n);
    assert_int_equal(n, 5);
    assert_memory_equal(got, "third", 5);
    free(got);

    /* Empty contents. */
    assert_int_equal(eseal_file_write(path, "", 0, 0600, 0, &err), ESEAL_OK);
    got = get(path, &n);
    assert_int_equal(n, 0);
    free(got);

    /* A missing directory is an I/O error and leaves nothing behind. */
    char *bad = eseal_xasprintf("%s/missing-dir/f", dir);
    assert_int_equal(eseal_file_write(bad, "x", 1, 0600, 0, &err), ESEAL_E_IO);
    assert_int_equal(eseal_file_write(bad, "x", 1, 0600, 1, &err), ESEAL_E_IO);
    free(bad);

    /* Writing over a directory fails (rename cannot replace it) and the
     * temporary file is removed. */
    char *sub = eseal_path_join(dir, "subdir");
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(eseal_file_write(sub, "x", 1, 0600, 0, &err), ESEAL_E_IO);
    free(sub);

    int has_tmp = 0;
    assert_int_equal(count_entries(dir, &has_tmp), 2);
    assert_false(has_tmp);
    free(path);
}

/* ---- eseal_mkdirs ---- */

static void test_mkdirs(void **state)
{
    const char *dir = *state;
    struct eseal_err err;
    char *deep = eseal_xasprintf("%s/a/b/c/d", dir);
    assert_int_equal(eseal_mkdirs(deep, 0700, &err), ESEAL_OK);
    struct stat st;
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    char *mid = eseal_xasprintf("%s/a/b", dir);
    assert_int_equal(stat(mid, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    free(mid);

    /* Idempotent, and tolerant of a trailing slash and doubled slashes. */
    assert_int_equal(eseal_mkdirs(deep, 0700, &err), ESEAL_OK);
    char *slash = eseal_xasprintf("%s/a//x/y/", dir);
    assert_int_equal(eseal_mkdirs(slash, 0700, &err), ESEAL_OK);
    char *xy = eseal_xasprintf("%s/a/x/y", dir);
    assert_int_equal(stat(xy, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    free(xy);
    free(slash);

    /* A file in the way is an error, both as the last and a middle part. */
    char *file = eseal_path_join(dir, "plain");
    put(file, "x", 1);
    assert_int_equal(eseal_mkdirs(file, 0700, &err), ESEAL_E_IO);
    char *under = eseal_xasprintf("%s/plain/sub", dir);
    assert_int_equal(eseal_mkdirs(under, 0700, &err), ESEAL_E_IO);
    assert_non_null(strstr(err.msg, "plain"));
    free(under);
    free(file);

    /* An empty path is rejected rather than read past its end. */
    assert_int_equal(eseal_mkdirs("", 0700, &err), ESEAL_E_INVALID);

    free(deep);
}

/* ---- eseal_read_secret ---- */

#define SECRET_ENV "ESEAL_UNIT_TEST_SECRET"

static void check_secret_file(const char *dir, const void *content, size_t len, const char *want,
                              size_t want_len)
{
    char *path = eseal_path_join(dir, "pass");
    unlink(path);
    put(path, content, len);
    struct eseal_buf out;
    struct eseal_err err;
    eseal_buf_init(&out);
    assert_int_equal(eseal_read_secret(&out, path, SECRET_ENV, &err), ESEAL_OK);
    assert_int_equal(out.len, want_len);
    assert_memory_equal(out.data, want, want_len);
    assert_int_equal(out.data[out.len], 0);
    eseal_buf_cleanse(&out);
    free(path);
}

static void test_read_secret_file(void **state)
{
    const char *dir = *state;
    unsetenv(SECRET_ENV);
    check_secret_file(dir, "s3cret", 6, "s3cret", 6);
    check_secret_file(dir, "s3cret\n", 7, "s3cret", 6);
    check_secret_file(dir, "s3cret\r\n", 8, "s3cret", 6);
    /* Only ONE line ending is removed, and nothing else. */
    check_secret_file(dir, "s3cret\n\n", 8, "s3cret\n", 7);
    check_secret_file(dir, "s3cret\r\n\r\n", 10, "s3cret\r\n", 8);
    check_secret_file(dir, "s3cret\r", 7, "s3cret\r", 7);
    check_secret_file(dir, " s3cret ", 8, " s3cret ", 8);
    check_secret_file(dir, "a\nb\n", 4, "a\nb", 3);
    check_secret_file(dir, "x", 1, "x", 1);

    /* A file wins over the environment. */
    setenv(SECRET_ENV, "from-env", 1);
    check_secret_file(dir, "from-file\n", 10, "from-file", 9);
    unsetenv(SECRET_ENV);
}

static void test_read_secret_file_errors(void **state)
{
    const char *dir = *state;
    struct eseal_buf out;
    struct eseal_err err;
    eseal_buf_init(&out);
    setenv(SECRET_ENV, "hunter2-env-value", 1);

    char *path = eseal_path_join(dir, "pass");
    put(path, "", 0);
    assert_int_equal(eseal_read_secret(&out, path, SECRET_ENV, &err), ESEAL_E_INVALID);
    assert_int_equal(out.len, 0);
    assert_non_null(strstr(err.msg, path));
    unlink(path);
    put(path, "\n", 1);
    assert_int_equal(eseal_read_secret(&out, path, SECRET_ENV, &err), ESEAL_E_INVALID);
    unlink(path);
    put(path, "\r\n", 2);
    assert_int_equal(eseal_read_secret(&out, path, SECRET_ENV, &err), ESEAL_E_INVALID);
    assert_null(strstr(err.msg, "hunter2"));

    /* A missing file is not silently replaced by the environment. */
    char *missing = eseal_path_join(dir, "no-pass-file");
    assert_int_equal(eseal_read_secret(&out, missing, SECRET_ENV, &err), ESEAL_E_NOTFOUND);
    assert_non_null(strstr(err.msg, missing));
    assert_null(strstr(err.msg, "hunter2"));
    assert_int_equal(out.len, 0);
    free(missing);

    /* A huge file is almost surely the wrong file. */
    size_t big_len = 100000;
    char *big = malloc(big_len);
    assert_non_null(big);
    memset(big, 'k', big_len);
    unlink(path);
    put(path, big, big_len);
    assert_int_equal(eseal_read_secret(&out, path, SECRET_ENV, &err), ESEAL_E_TOOBIG);
    assert_null(strstr(err.msg, "kkkk"));
    free(big);

    unsetenv(SECRET_ENV);
    free(path);
    eseal_buf_cleanse(&out);
}

static void test_read_secret_env(void **state)
{
    (void)state;
    struct eseal_buf out;
    struct eseal_err err;
    eseal_buf_init(&out);

    setenv(SECRET_ENV, "correct horse battery", 1);
    assert_int_equal(eseal_read_secret(&out, NULL, SECRET_ENV, &err), ESEAL_OK);
    assert_string_equal((char *)out.data, "correct horse battery");
    assert_int_equal(out.len, 21);

    setenv(SECRET_ENV, "pin\r\n", 1);
    assert_int_equal(eseal_read_secret(&out, NULL, SECRET_ENV, &err), ESEAL_OK);
    assert_int_equal(out.len, 3);
    assert_string_equal((char *)out.data, "pin");

    setenv(SECRET_ENV, "pin\n\n", 1);
    assert_int_equal(eseal_read_secret(&out, NULL, SECRET_ENV, &err), ESEAL_OK);
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.data, "pin\n", 5);

    /* Empty: invalid, message names the variable. */
    setenv(SECRET_ENV, "", 1);
    assert_int_equal(eseal_read_secret(&out, NULL, SECRET_ENV, &err), ESEAL_E_INVALID);
    assert_int_equal(err.rc, ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, SECRET_ENV));
    assert_int_equal(out.len, 0);

    setenv(SECRET_ENV, "\n", 1);
    assert_int_equal(eseal_read_secret(&out, NULL, SECRET_ENV, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, SECRET_ENV));

    /* Missing: invalid, message names the variable. */
    unsetenv(SECRET_ENV);
    eseal_buf_append_str(&out, "stale");
    assert_int_equal(eseal_read_secret(&out, NULL, SECRET_ENV, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, SECRET_ENV));
    assert_int_equal(out.len, 0);

    /* Neither source at all. */
    assert_int_equal(eseal_read_secret(&out, NULL, NULL, &err), ESEAL_E_INVALID);

    /* Too long: refused, and the value never appears in the message. */
    size_t n = 5000;
    char *longv = malloc(n + 1);
    assert_non_null(longv);
    memset(longv, 'q', n);
    longv[n] = '\0';
    setenv(SECRET_ENV, longv, 1);
    eseal_rc rc = eseal_read_secret(&out, NULL, SECRET_ENV, &err);
    assert_int_not_equal(rc, ESEAL_OK);
    assert_null(strstr(err.msg, "qqqq"));
    assert_non_null(strstr(err.msg, SECRET_ENV));
    free(longv);

    unsetenv(SECRET_ENV);
    eseal_buf_cleanse(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_set),
        cmocka_unit_test(test_err_prefix),
        cmocka_unit_test(test_err_openssl),
        cmocka_unit_test(test_rc_names),
        cmocka_unit_test(test_buf_append),
        cmocka_unit_test(test_buf_appendf),
        cmocka_unit_test(test_buf_append_html),
        cmocka_unit_test(test_buf_steal),
        cmocka_unit_test(test_buf_cleanse),
        cmocka_unit_test(test_xalloc),
        cmocka_unit_test_setup_teardown(test_file_read, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_file_write_mode, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_file_write_exclusive, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_file_write_replace, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_mkdirs, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_read_secret_file, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_read_secret_file_errors, setup_tmp, teardown_tmp),
        cmocka_unit_test(test_read_secret_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
