/* test_kv.c — the RocksDB adapter against a real RocksDB in a temporary directory. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eseal/kv.h"
#include "testutil.h"

static const char *const cf3[] = {"default", "seals", "log"};

static int setup(void **state)
{
    *state = tu_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    tu_rmtree(*state);
    free(*state);
    return 0;
}

static char *db_path(void **state, const char *name)
{
    return eseal_path_join(*state, name);
}

static struct eseal_kv *open_ok(const char *path, const char *const *names, size_t n)
{
    struct eseal_kv *kv = NULL;
    struct eseal_err err;
    eseal_rc rc = eseal_kv_open(&kv, path, names, n, &err);
    if (rc != ESEAL_OK)
        fail_msg("eseal_kv_open(%s): %s", path, err.msg);
    assert_non_null(kv);
    return kv;
}

static void put_str(struct eseal_kv *kv, unsigned cf, const char *k, const char *v)
{
    assert_int_equal(eseal_kv_put(kv, cf, k, strlen(k), v, strlen(v), false, NULL), ESEAL_OK);
}

/* expect_get checks that |k| in |cf| holds |v|, or is absent if |v| is NULL. */
static void expect_get(struct eseal_kv *kv, unsigned cf, const char *k, const char *v)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_kv_get(kv, cf, k, strlen(k), &b, NULL);
    if (v == NULL) {
        assert_int_equal(rc, ESEAL_E_NOTFOUND);
    } else {
        assert_int_equal(rc, ESEAL_OK);
        assert_int_equal(b.len, strlen(v));
        assert_memory_equal(b.data, v, b.len);
    }
    eseal_buf_cleanup(&b);
}

static void test_open_creates_dirs_and_families(void **state)
{
    char *path = db_path(state, "a/b/db");
    struct eseal_kv *kv = open_ok(path, cf3, 3);
    struct stat st;
    char *current = eseal_path_join(path, "CURRENT");
    assert_int_equal(stat(current, &st), 0);
    free(current);
    /* The same key in each family holds its own value. */
    put_str(kv, 0, "k", "in-default");
    put_str(kv, 1, "k", "in-seals");
    put_str(kv, 2, "k", "in-log");
    expect_get(kv, 0, "k", "in-default");
    expect_get(kv, 1, "k", "in-seals");
    expect_get(kv, 2, "k", "in-log");
    eseal_kv_close(kv);
    /* Indexes follow the names given at open, not the order on disk. */
    const char *const swapped[] = {"default", "log", "seals"};
    kv = open_ok(path, swapped, 3);
    expect_get(kv, 1, "k", "in-log");
    expect_get(kv, 2, "k", "in-seals");
    eseal_kv_close(kv);
    free(path);
}

static void test_put_get_delete(void **state)
{
    char *path = db_path(state, "db");
    struct eseal_kv *kv = open_ok(path, cf3, 3);
    put_str(kv, 1, "seal-1", "v1");
    expect_get(kv, 1, "seal-1", "v1");
    put_str(kv, 1, "seal-1", "v2 longer");
    expect_get(kv, 1, "seal-1", "v2 longer");

    /* get replaces what the buffer held. */
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_buf_append_str(&b, "stale contents that are longer");
    assert_int_equal(eseal_kv_get(kv, 1, "seal-1", 6, &b, NULL), ESEAL_OK);
    assert_int_equal(b.len, 9);
    assert_string_equal((char *)b.data, "v2 longer");

    assert_int_equal(eseal_kv_delete(kv, 1, "seal-1", 6, true, NULL), ESEAL_OK);
    expect_get(kv, 1, "seal-1", NULL);
    /* Deleting what is absent is not an error. */
    assert_int_equal(eseal_kv_delete(kv, 1, "never", 5, false, NULL), ESEAL_OK);
    eseal_buf_cleanup(&b);
    eseal_kv_close(kv);
    free(path);
}

static void test_notfound_has_no_message(void **state)
{
    char *path = db_path(state, "db");
    struct eseal_kv *kv = open_ok(path, cf3, 3);
    struct eseal_err err;
    eseal_err_set(&err, ESEAL_E_IO, "left over from before");
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_buf_append_str(&b, "old");
    assert_int_equal(eseal_kv_get(kv, 0, "missing", 7, &b, &err), ESEAL_E_NOTFOUND);
    assert_int_equal(err.rc, ESEAL_OK);
    assert_string_equal(err.msg, "");
    assert_int_equal(b.len, 0);
    /* A key in another family is not found here. */
    put_str(kv, 2, "only-in-log", "x");
    expect_get(kv, 1, "only-in-log", NULL);
    eseal_buf_cleanup(&b);
    eseal_kv_close(kv);
    free(path);
}

static void test_binary_and_empty_values(void **state)
{
    char *path = db_path(state, "db");
    struct eseal_kv *kv = open_ok(path, cf3, 3);
    const uint8_t key[] = {'k', 0x00, 'x'};
    const uint8_t val[] = {0x00, 0xff, 0x00, 'a', 0x00};
    assert_int_equal(eseal_kv_put(kv, 1, key, sizeof(key), val, sizeof(val), false, NULL),
                     ESEAL_OK);
    struct eseal_buf b;
    eseal_buf_init(&b);
    assert_int_equal(eseal_kv_get(kv, 1, key, sizeof(key), &b, NULL), ESEAL_OK);
    assert_int_equal(b.len, sizeof(val));
    assert_memory_equal(b.data, val, sizeof(val));
    /* The key is not cut at its NUL: "k" alone is a different key. */
    assert_int_equal(eseal_kv_get(kv, 1, "k", 1, &b, NULL), ESEAL_E_NOTFOUND);

    /* An empty value is present, not absent. */
    assert_int_equal(eseal_kv_put(kv, 1, "empty", 5, NULL, 0, false, NULL), ESEAL_OK);
    eseal_buf_append_str(&b, "junk");
    assert_int_equal(eseal_kv_get(kv, 1, "empty", 5, &b, NULL), ESEAL_OK);
    assert_int_equal(b.len, 0);
    eseal_buf_cleanup(&b);
    eseal_kv_close(kv);
    free(path);
}

static void test_bad_cf_refused(void **state)
{
    char *path = db_path(state, "db");
    struct eseal_kv *kv = open_ok(path, cf3, 3);
    const unsigned bad[] = {3, 4, UINT_MAX};
    struct eseal_buf b;
    eseal_buf_init(&b);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct eseal_err err;
        eseal_err_clear(&err);
        assert_int_equal(eseal_kv_get(kv, bad[i], "k", 1, &b, &err), ESEAL_E_INVALID);
        assert_int_equal(err.rc, ESEAL_E_INVALID);
        assert_true(strlen(err.msg) > 0);
        assert_int_equal(eseal_kv_put(kv, bad[i], "k", 1, "v", 1, false, NULL), ESEAL_E_INVALID);
        assert_int_equal(eseal_kv_delete(kv, bad[i], "k", 1, false, NULL), ESEAL_E_INVALID);
        assert_null(eseal_kv_iter_new(kv, bad[i]));
    }
    /* Nothing leaked into a valid family either. */
    for (unsigned cf = 0; cf < 3; cf++)
        expect_get(kv, cf, "k", NULL);
    eseal_buf_cleanup(&b);
    eseal_kv_close(kv);
    free(path);
}

static void test_batch_with_bad_cf_writes_nothing(void **state)
{
    char *path = db_path(state, "db");
    struct eseal_kv *kv = open_ok(path, cf3, 3);
    put_str(kv, 1, "keep", "original");
    struct eseal_kv_batch *b = eseal_kv_batch_new(kv);
    eseal_kv_batch_put(b, 1, "a", 1, "1", 1);
    eseal_kv_batch_delete(b, 1, "keep", 4);
    eseal_kv_batch_put(b, 3, "bad", 3, "x", 1);
    eseal_kv_batch_put(b, 2, "c", 1, "3", 1);
    assert_int_equal(eseal_kv_batch_count(b), 4);
    struct eseal_err err;
    assert_int_equal(eseal_kv_write(kv, b, true, &err), ESEAL_E_INVALID);
    assert_int_equal(err.rc, ESEAL_E_INVALID);
    expect_get(kv, 1, "a", NULL);
    expect_get(kv, 2, "c", NULL);
    expect_get(kv, 1, "keep", "original");
    /* Refused again, not half-applied on a second try. */
    assert_int_equal(eseal_kv_write(kv, b, false, NULL), ESEAL_E_INVALID);
    expect_get(kv, 1, "a", NULL);
    eseal_kv_batch_free(b);
    eseal_kv_close(kv);
    free(path);
}

static void test_batch_writes_all(void **state)
{
    char *path = db_path(state, "db");
    struct eseal_kv *kv = open_ok(path, cf3, 3);
    put_str(kv, 1, "gone", "soon");
    struct eseal_kv_batch *b = eseal_kv_batch_new(kv);
    assert_int_equal(eseal_kv_batch_count(b), 0);
    eseal_kv_batch_put(b, 0, "a", 1, "A", 1);
    eseal_kv_batch_put(b, 1, "b", 1, "B", 1);
    eseal_kv_batch_put(b, 2, "c", 1, "C", 1);
    eseal_kv_batch_delete(b, 1, "gone", 4);
    /* The batch copies its arguments: overwriting and freeing them afterwards
     * changes nothing (and ASan would catch a read of the freed key). */
    char *key = eseal_xstrdup("d");
    eseal_kv_batch_put(b, 2, key, 1, "D", 1);
    memset(key, 'z', 1);
    free(key);
    assert_int_equal(eseal_kv_batch_count(b), 5);
    assert_int_equal(eseal_kv_write(kv, b, true, NULL), ESEAL_OK);
    expect_get(kv, 0, "a", "A");
    expect_get(kv, 1, "b", "B");
    expect_get(kv, 2, "c", "C");
    expect_get(kv, 2, "d", "D");
    expect_get(kv, 2, "z", NULL);
    expect_get(kv, 1, "gone", NULL);
    /* The batch is left as it was and can be written again. */
    assert_int_equal(eseal_kv_batch_count(b), 5);
    put_str(kv, 0, "a", "changed");
    assert_int_equal(eseal_kv_write(kv, b, false, NULL), ESEAL_OK);
    expect_get(kv, 0, "a", "A");
    eseal_kv_batch_free(b);
    eseal_kv_batch_free(NULL);
    eseal_kv_close(kv);
    free(path);
}

static void test_batch_of_another_db_refused(void **state)
{
    char *p1 = db_path(state, "db1");
    char *p2 = db_path(state, "db2");
    struct eseal_kv *kv1 = open_ok(p1, cf3, 3);
    struct eseal_kv *kv2 = open_ok(p2, cf3, 3);
    struct eseal_kv_batch *b = eseal_kv_batch_new(kv1);
    eseal_kv_batch_put(b, 1, "k", 1, "v", 1);
    assert_int_equal(eseal_kv_write(kv2, b, false, NULL), ESEAL_E_INVALID);
    expect_get(kv2, 1, "k", NULL);
    expect_get(kv1, 1, "k", NULL);
    eseal_kv_batch_free(b);
    eseal_kv_close(kv2);
    eseal_kv_close(kv1);
    free(p2);
    free(p1);
}

static void expect_key(struct eseal_kv_iter *it, const void *k, size_t k_len)
{
    assert_true(eseal_kv_iter_valid(it));
    size_t len = 0;
    const uint8_t *got = eseal_kv_iter_key(it, &len);
    assert_int_equal(len, k_len);
    assert_memory_equal(got, k, k_len);
}

static void test_iteration_order_and_seek(void **state)
{
    char *path = db_path(state, "db");
    struct eseal_kv *kv = open_ok(path, cf3, 3);
    /* Inserted out of order; 0xff must sort after ASCII (unsigned bytes). */
    put_str(kv, 1, "c", "3");
    put_str(kv, 1, "\xff", "last");
    put_str(kv, 1, "a", "1");
    put_str(kv, 1, "b", "2");
    /* Keys in the neighbouring families that would interleave if mixed in. */
    put_str(kv, 0, "aa", "x");
    put_str(kv, 2, "bb", "x");
    put_str(kv, 2, "0", "x");

    struct eseal_kv_iter *it = eseal_kv_iter_new(kv, 1);
    assert_non_null(it);
    static const char *const want[] = {"a", "b", "c", "\xff"};
    size_t n = 0;
    for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        assert_true(n < 4);
        expect_key(it, want[n], strlen(want[n]));
        n++;
    }
    assert_int_equal(n, 4);
    assert_int_equal(eseal_kv_iter_status(it, NULL), ESEAL_OK);

    eseal_kv_iter_seek(it, "bb", 2);
    expect_key(it, "c", 1);
    size_t vlen = 0;
    const uint8_t *v = eseal_kv_iter_value(it, &vlen);
    assert_int_equal(vlen, 1);
    assert_memory_equal(v, "3", 1);
    eseal_kv_iter_seek(it, "b", 1);
    expect_key(it, "b", 1);
    eseal_kv_iter_seek(it, "\xff\x01", 2);
    assert_false(eseal_kv_iter_valid(it));

    eseal_kv_iter_seek_last(it);
    expect_key(it, "\xff", 1);
    eseal_kv_iter_prev(it);
    expect_key(it, "c", 1);
    eseal_kv_iter_prev(it);
    eseal_kv_iter_prev(it);
    expect_key(it, "a", 1);
    eseal_kv_iter_prev(it);
    assert_false(eseal_kv_iter_valid(it));
    eseal_kv_iter_free(it);

    /* Family 2 sees only its own two keys. */
    it = eseal_kv_iter_new(kv, 2);
    eseal_kv_iter_seek_first(it);
    expect_key(it, "0", 1);
    eseal_kv_iter_next(it);
    expect_key(it, "bb", 2);
    eseal_kv_iter_next(it);
    assert_false(eseal_kv_iter_valid(it));
    eseal_kv_iter_free(it);
    eseal_kv_iter_free(NULL);
    eseal_kv_close(kv);
    free(path);
}

static void test_iterator_is_a_snapshot(void **state)
{
    char *path = db_path(state, "db");
    struct eseal_kv *kv = open_ok(path, cf3, 3);
    put_str(kv, 1, "a", "old-a");
    put_str(kv, 1, "b", "old-b");
    struct eseal_kv_iter *it = eseal_kv_iter_new(kv, 1);
    put_str(kv, 1, "a", "new-a");
    assert_int_equal(eseal_kv_delete(kv, 1, "b", 1, false, NULL), ESEAL_OK);
    put_str(kv, 1, "c", "new-c");
    struct eseal_kv_batch *b = eseal_kv_batch_new(kv);
    eseal_kv_batch_put(b, 1, "0", 1, "batched", 7);
    assert_int_equal(eseal_kv_write(kv, b, false, NULL), ESEAL_OK);
    eseal_kv_batch_free(b);

    eseal_kv_iter_seek_first(it);
    expect_key(it, "a", 1);
    size_t vlen = 0;
    const uint8_t *v = eseal_kv_iter_value(it, &vlen);
    assert_int_equal(vlen, 5);
    assert_memory_equal(v, "old-a", 5);
    eseal_kv_iter_next(it);
    expect_key(it, "b", 1);
    eseal_kv_iter_next(it);
    assert_false(eseal_kv_iter_valid(it));
    eseal_kv_iter_free(it);

    /* A new iterator sees the writes. */
    it = eseal_kv_iter_new(kv, 1);
    eseal_kv_iter_seek_first(it);
    expect_key(it, "0", 1);
    eseal_kv_iter_seek_last(it);
    expect_key(it, "c", 1);
    eseal_kv_iter_free(it);
    eseal_kv_close(kv);
    free(path);
}

static void test_reopen_keeps_data(void **state)
{
    char *path = db_path(state, "db");
    struct eseal_kv *kv = open_ok(path, cf3, 3);
    assert_int_equal(eseal_kv_put(kv, 2, "durable", 7, "yes", 3, true, NULL), ESEAL_OK);
    put_str(kv, 1, "unsynced", "also kept on clean close");
    eseal_kv_close(kv);
    eseal_kv_close(NULL);
    kv = open_ok(path, cf3, 3);
    expect_get(kv, 2, "durable", "yes");
    expect_get(kv, 1, "unsynced", "also kept on clean close");
    expect_get(kv, 1, "durable", NULL);
    eseal_kv_close(kv);
    free(path);
}

static void test_extra_family_on_disk(void **state)
{
    char *path = db_path(state, "db");
    struct eseal_kv *kv = open_ok(path, cf3, 3);
    put_str(kv, 1, "s", "seal");
    put_str(kv, 2, "l", "entry");
    eseal_kv_close(kv);

    /* "log" exists on disk but is not asked for: opened, not addressable. */
    const char *const two[] = {"default", "seals"};
    kv = open_ok(path, two, 2);
    expect_get(kv, 1, "s", "seal");
    assert_int_equal(eseal_kv_put(kv, 2, "l", 1, "x", 1, false, NULL), ESEAL_E_INVALID);
    assert_null(eseal_kv_iter_new(kv, 2));
    eseal_kv_close(kv);

    /* Asking for it again finds its data untouched. */
    kv = open_ok(path, cf3, 3);
    expect_get(kv, 2, "l", "entry");
    eseal_kv_close(kv);
    free(path);
}

static void test_second_open_in_process_unavailable(void **state)
{
    char *path = db_path(state, "db");
    struct eseal_kv *kv = open_ok(path, cf3, 3);
    struct eseal_kv *again = kv; /* must be reset to NULL on failure */
    struct eseal_err err;
    assert_int_equal(eseal_kv_open(&again, path, cf3, 3, &err), ESEAL_E_UNAVAILABLE);
    assert_null(again);
    assert_int_equal(err.rc, ESEAL_E_UNAVAILABLE);
    assert_non_null(strstr(err.msg, "lock"));
    /* The first handle is unharmed, and once closed the database opens again. */
    put_str(kv, 1, "k", "v");
    eseal_kv_close(kv);
    kv = open_ok(path, cf3, 3);
    expect_get(kv, 1, "k", "v");
    eseal_kv_close(kv);
    free(path);
}

static void test_locked_by_other_process_unavailable(void **state)
{
    char *path = db_path(state, "db");
    eseal_kv_close(open_ok(path, cf3, 3));
    char *lock = eseal_path_join(path, "LOCK");
    int ready[2], done[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(done), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The child holds the same fcntl lock RocksDB takes, using only libc
         * (RocksDB's threads do not survive fork). */
        int fd = open(lock, O_RDWR);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        char c = fd >= 0 && fcntl(fd, F_SETLK, &fl) == 0 ? 'y' : 'n';
        if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) < 0)
            _exit(2);
        _exit(0);
    }
    char c = 0;
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    struct eseal_kv *kv = NULL;
    struct eseal_err err;
    eseal_rc rc = eseal_kv_open(&kv, path, cf3, 3, &err);
    assert_int_equal(write(done[1], "x", 1), 1);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(rc, ESEAL_E_UNAVAILABLE);
    assert_null(kv);
    assert_non_null(strstr(err.msg, "LOCK"));
    close(ready[0]);
    close(ready[1]);
    close(done[0]);
    close(done[1]);
    /* The child's lock died with it. */
    eseal_kv_close(open_ok(path, cf3, 3));
    free(lock);
    free(path);
}

static void test_bad_family_lists_invalid(void **state)
{
    char *path = db_path(state, "db");
    struct eseal_kv *kv = NULL;
    struct eseal_err err;
    const char *const not_first[] = {"seals", "default"};
    const char *const no_default[] = {"seals"};
    const char *const twice[] = {"default", "seals", "seals"};
    const char *const unnamed[] = {"default", ""};
    const char *names[ESEAL_KV_MAX_CFS + 1];
    char bufs[ESEAL_KV_MAX_CFS + 1][16];
    names[0] = "default";
    for (size_t i = 1; i <= ESEAL_KV_MAX_CFS; i++) {
        snprintf(bufs[i], sizeof(bufs[i]), "cf%zu", i);
        names[i] = bufs[i];
    }
    assert_int_equal(eseal_kv_open(&kv, path, not_first, 2, &err), ESEAL_E_INVALID);
    assert_true(strlen(err.msg) > 0);
    assert_int_equal(eseal_kv_open(&kv, path, no_default, 1, NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_kv_open(&kv, path, twice, 3, NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_kv_open(&kv, path, unnamed, 2, NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_kv_open(&kv, path, cf3, 0, NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_kv_open(&kv, path, names, ESEAL_KV_MAX_CFS + 1, NULL), ESEAL_E_INVALID);
    assert_null(kv);
    /* Refused before anything was created. */
    struct stat st;
    assert_int_equal(stat(path, &st), -1);
    /* Exactly the maximum is allowed. */
    kv = open_ok(path, names, ESEAL_KV_MAX_CFS);
    put_str(kv, ESEAL_KV_MAX_CFS - 1, "k", "v");
    expect_get(kv, ESEAL_KV_MAX_CFS - 1, "k", "v");
    eseal_kv_close(kv);
    free(path);
}

static void test_io_errors(void **state)
{
    struct eseal_kv *kv = NULL;
    struct eseal_err err;
    /* A path under a regular file cannot be created. */
    char *file = db_path(state, "plain");
    assert_int_equal(eseal_file_write(file, "x", 1, 0600, 0, NULL), ESEAL_OK);
    char *under = eseal_path_join(file, "db");
    assert_int_equal(eseal_kv_open(&kv, under, cf3, 3, &err), ESEAL_E_IO);
    assert_null(kv);

    /* A damaged database is an I/O error with RocksDB's reason kept. */
    char *path = db_path(state, "damaged");
    assert_int_equal(eseal_mkdirs(path, 0700, NULL), ESEAL_OK);
    char *current = eseal_path_join(path, "CURRENT");
    assert_int_equal(eseal_file_write(current, "garbage", 7, 0600, 0, NULL), ESEAL_OK);
    assert_int_equal(eseal_kv_open(&kv, path, cf3, 3, &err), ESEAL_E_IO);
    assert_null(kv);
    assert_non_null(strstr(err.msg, "CURRENT"));
    free(current);
    free(path);

    /* RocksDB names the missing file, and its path says "lock": still an I/O
     * error, not "busy". */
    path = db_path(state, "blocked/db");
    assert_int_equal(eseal_mkdirs(path, 0700, NULL), ESEAL_OK);
    current = eseal_path_join(path, "CURRENT");
    assert_int_equal(eseal_file_write(current, "MANIFEST-000001\n", 16, 0600, 0, NULL), ESEAL_OK);
    assert_int_equal(eseal_kv_open(&kv, path, cf3, 3, &err), ESEAL_E_IO);
    assert_null(kv);
    assert_non_null(strstr(err.msg, "blocked/db/MANIFEST-000001"));
    free(current);
    free(path);
    free(under);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_creates_dirs_and_families, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_get_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notfound_has_no_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_and_empty_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_cf_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_with_bad_cf_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_writes_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_of_another_db_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iteration_order_and_seek, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iterator_is_a_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extra_family_on_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_open_in_process_unavailable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_locked_by_other_process_unavailable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_family_lists_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_io_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
