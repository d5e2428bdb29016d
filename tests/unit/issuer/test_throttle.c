/* test_throttle.c — the login throttle's sliding window, and its counts in a
 * real RocksDB in a temporary directory (kept across a reopen). Time is
 * injected, never slept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/buf.h"
#include "eseal/kv.h"
#include "testutil.h"
#include "throttle.h"

#define NOW ((time_t)1800000000)

static const char *const cfs[] = {"default", "throttle"};

struct fixture {
    char *dir, *db;
    struct eseal_kv *kv;
    struct throttle_store t;
};

static void open_db(struct fixture *f)
{
    struct eseal_err err;
    if (eseal_kv_open(&f->kv, f->db, cfs, 2, &err) != ESEAL_OK)
        fail_msg("open %s: %s", f->db, err.msg);
    f->t = (struct throttle_store){.kv = f->kv, .cf = 1};
}

static int setup(void **state)
{
    struct fixture *f = eseal_xcalloc(1, sizeof(*f));
    f->dir = tu_tmpdir();
    f->db = eseal_path_join(f->dir, "db");
    open_db(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    eseal_kv_close(f->kv);
    tu_rmtree(f->dir);
    free(f->db);
    free(f->dir);
    free(f);
    return 0;
}

static void test_window(void **state)
{
    (void)state;
    int64_t t[THROTTLE_KEEP_MAX];
    size_t n = 0;
    /* four failures: not yet */
    for (int64_t i = 0; i < 4; i++)
        throttle_window_add(t, &n, 5, 1000 + i * 10, 900);
    assert_int_equal(n, 4);
    assert_int_equal(throttle_window_wait(t, n, 5, 1040, 900), 0);
    /* the fifth holds until the first leaves the window: 1000 + 900 */
    throttle_window_add(t, &n, 5, 1040, 900);
    assert_int_equal(throttle_window_wait(t, n, 5, 1040, 900), 860);
    assert_int_equal(throttle_window_wait(t, n, 5, 1899, 900), 1);
    assert_int_equal(throttle_window_wait(t, n, 5, 1900, 900), 0);
    /* a sixth keeps only the five newest: the wait is set by the second */
    throttle_window_add(t, &n, 5, 1050, 900);
    assert_int_equal(n, 5);
    assert_int_equal(t[0], 1010);
    assert_int_equal(throttle_window_wait(t, n, 5, 1050, 900), 860);
    /* old failures fall out when the next one is added */
    throttle_window_add(t, &n, 5, 5000, 900);
    assert_int_equal(n, 1);
    assert_int_equal(t[0], 5000);
    assert_int_equal(throttle_window_wait(t, n, 5, 5000, 900), 0);
    /* a limit of one: every failure holds for the whole window */
    n = 0;
    throttle_window_add(t, &n, 1, 7000, 900);
    assert_int_equal(throttle_window_wait(t, n, 1, 7000, 900), 900);
}

static void check(struct fixture *f, const char *account, const char *address, time_t now,
                  int64_t want, bool want_account)
{
    int64_t wait = -1;
    bool by_account = !want_account;
    struct eseal_err err;
    assert_int_equal(throttle_check(&f->t, account, address, now, &wait, &by_account, &err),
                     ESEAL_OK);
    assert_int_equal(wait, want);
    if (want > 0)
        assert_int_equal(by_account, want_account);
}

static void failed(struct fixture *f, const char *account, const char *address, time_t now,
                   bool want_account_now, bool want_address_now)
{
    bool a = !want_account_now, c = !want_address_now;
    struct eseal_err err;
    assert_int_equal(throttle_failed(&f->t, account, address, now, &a, &c, &err), ESEAL_OK);
    assert_int_equal(a, want_account_now);
    assert_int_equal(c, want_address_now);
}

static void test_account(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    for (int i = 0; i < 4; i++)
        failed(f, "li.maker", "192.0.2.1", NOW + i, false, false);
    check(f, "li.maker", "192.0.2.1", NOW + 4, 0, false);
    /* a good login forgets the account's failures */
    assert_int_equal(throttle_succeeded(&f->t, "li.maker", &err), ESEAL_OK);
    for (int i = 0; i < 4; i++)
        failed(f, "li.maker", "192.0.2.2", NOW + 10 + i, false, false);
    failed(f, "li.maker", "192.0.2.3", NOW + 20, true, false); /* the fifth: logged once */
    check(f, "li.maker", "192.0.2.9", NOW + 20, THROTTLE_WINDOW - 10, true);
    failed(f, "li.maker", "192.0.2.3", NOW + 21, false, false); /* not again */
    check(f, "wang.reviewer", "192.0.2.9", NOW + 20, 0, false);
    /* kept across a reopen */
    eseal_kv_close(f->kv);
    open_db(f);
    check(f, "li.maker", "192.0.2.9", NOW + 30, THROTTLE_WINDOW - 19, true);
    check(f, "li.maker", "192.0.2.9", NOW + 30 + THROTTLE_WINDOW, 0, false);
    /* names that cannot be accounts are not stored; the address still counts */
    failed(f, "../../x", "192.0.2.4", NOW, false, false);
    failed(f, NULL, "192.0.2.4", NOW, false, false);
    check(f, "../../x", "192.0.2.5", NOW, 0, false);
}

static void test_address(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    char user[32];
    for (int i = 0; i < THROTTLE_ADDRESS_MAX - 1; i++) {
        snprintf(user, sizeof(user), "nobody%d", i);
        failed(f, user, "2001:db8::1", NOW + i, false, false);
    }
    /* a good login from there does not reset the address */
    assert_int_equal(throttle_succeeded(&f->t, "nobody0", &err), ESEAL_OK);
    check(f, "li.maker", "2001:db8::1", NOW + 30, 0, false);
    failed(f, "nobody99", "2001:db8::1", NOW + 30, false, true);
    check(f, "li.maker", "2001:db8::1", NOW + 30, THROTTLE_WINDOW - 30, false);
    check(f, "li.maker", "2001:db8::2", NOW + 30, 0, false);
    /* both held: the longer wait, and which one */
    for (int i = 0; i < THROTTLE_ACCOUNT_MAX; i++)
        failed(f, "li.maker", "198.51.100.1", NOW + 100, i == THROTTLE_ACCOUNT_MAX - 1, false);
    check(f, "li.maker", "2001:db8::1", NOW + 100, THROTTLE_WINDOW, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window),
        cmocka_unit_test_setup_teardown(test_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_address, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
