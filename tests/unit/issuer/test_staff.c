/* test_staff.c — staff accounts, sessions and permissions against a real
 * RocksDB in a temporary directory. Time is injected through the |now|
 * arguments, never slept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "eseal/buf.h"
#include "eseal/json.h"
#include "eseal/kv.h"
#include "staff.h"
#include "testutil.h"

static const char *const cfs[] = {"default", "staff", "sessions"};

#define NOW ((time_t)1800000000) /* 2027-01-15, a fixed clock */
#define PW "correct-horse-battery"
#define USCC_A "91350100M000100Y43"
#define USCC_B "91110000600001760P"

struct fixture {
    char *dir;
    struct eseal_kv *kv;
    struct eseal_staff_store store;
};

static int setup(void **state)
{
    struct fixture *f = eseal_xcalloc(1, sizeof(*f));
    f->dir = tu_tmpdir();
    char *db = eseal_path_join(f->dir, "db");
    struct eseal_err err;
    if (eseal_kv_open(&f->kv, db, cfs, 3, &err) != ESEAL_OK)
        fail_msg("open %s: %s", db, err.msg);
    free(db);
    f->store = (struct eseal_staff_store){.kv = f->kv, .cf_staff = 1, .cf_sessions = 2};
    unsetenv(ESEAL_STAFF_ADMIN_ENV);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    eseal_kv_close(f->kv);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f);
    unsetenv(ESEAL_STAFF_ADMIN_ENV);
    return 0;
}

static void create_ok(struct fixture *f, const char *user, enum eseal_staff_role role,
                      const char *unit, const char *city, const char *pw)
{
    struct eseal_staff_spec spec = {.username = user, .role = role, .unit = unit, .city = city};
    struct eseal_err err;
    struct eseal_staff_account a;
    if (eseal_staff_create(&f->store, &a, &spec, pw, strlen(pw), &err) != ESEAL_OK)
        fail_msg("create %s: %s", user, err.msg);
    assert_string_equal(a.username, user);
    assert_int_equal(a.role, role);
    assert_false(a.disabled);
}

/* create_fails expects |rc| and a message that names |field|. */
static void create_fails(struct fixture *f, eseal_rc want, const char *field, const char *user,
                         enum eseal_staff_role role, const char *unit, const char *city,
                         const char *pw)
{
    struct eseal_staff_spec spec = {.username = user, .role = role, .unit = unit, .city = city};
    struct eseal_err err;
    eseal_rc rc = eseal_staff_create(&f->store, NULL, &spec, pw, strlen(pw), &err);
    if (rc != want)
        fail_msg("create %s: got %s, want %s (%s)", user ? user : "(null)", eseal_rc_name(rc),
                 eseal_rc_name(want), err.msg);
    if (field != NULL && strstr(err.msg, field) == NULL)
        fail_msg("create %s: message does not name %s: %s", user, field, err.msg);
}

static void login_ok(struct fixture *f, char token[ESEAL_STAFF_TOKEN_LEN + 1], const char *user,
                     const char *pw, time_t now)
{
    struct eseal_staff_principal who;
    struct eseal_err err;
    if (eseal_staff_login(&f->store, token, &who, NULL, user, pw, strlen(pw), now, &err) !=
        ESEAL_OK)
        fail_msg("login %s: %s", user, err.msg);
    assert_string_equal(who.username, user);
}

static eseal_rc check(struct fixture *f, struct eseal_staff_principal *who, const char *token,
                      time_t now, struct eseal_err *err)
{
    return eseal_staff_session_check(&f->store, who, token, now, err);
}

static size_t count_sessions(struct fixture *f)
{
    struct eseal_kv_iter *it = eseal_kv_iter_new(f->kv, 2);
    size_t n = 0;
    for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it))
        n++;
    eseal_kv_iter_free(it);
    return n;
}

static size_t count_accounts(struct fixture *f)
{
    struct eseal_staff_account *list;
    size_t n;
    assert_int_equal(eseal_staff_list(&f->store, &list, &n, NULL), ESEAL_OK);
    free(list);
    return n;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- bootstrap ---- */

static void test_bootstrap_env(void **state)
{
    struct fixture *f = *state;
    setenv(ESEAL_STAFF_ADMIN_ENV, PW "\n", 1); /* one trailing newline is dropped */
    enum eseal_staff_bootstrap_result how = ESEAL_STAFF_BOOT_FILE;
    struct eseal_err err;
    assert_int_equal(eseal_staff_bootstrap(&f->store, f->dir, &how, &err), ESEAL_OK);
    assert_int_equal(how, ESEAL_STAFF_BOOT_ENV);
    char *file = eseal_path_join(f->dir, ESEAL_STAFF_ADMIN_FILE);
    struct stat st;
    assert_int_not_equal(stat(file, &st), 0); /* nothing written when the env gives it */
    free(file);

    char token[ESEAL_STAFF_TOKEN_LEN + 1];
    login_ok(f, token, "admin", PW, NOW);
    struct eseal_staff_principal who;
    assert_int_equal(check(f, &who, token, NOW, NULL), ESEAL_OK);
    assert_int_equal(who.role, ESEAL_ROLE_ADMIN);

    /* A second start, even with another password in the env, changes nothing. */
    setenv(ESEAL_STAFF_ADMIN_ENV, "another-password-here", 1);
    assert_int_equal(eseal_staff_bootstrap(&f->store, f->dir, &how, &err), ESEAL_OK);
    assert_int_equal(how, ESEAL_STAFF_BOOT_EXISTING);
    assert_int_equal(count_accounts(f), 1);
}

static void test_bootstrap_env_weak_password(void **state)
{
    struct fixture *f = *state;
    setenv(ESEAL_STAFF_ADMIN_ENV, "tiny-pw", 1);
    struct eseal_err err;
    assert_int_equal(eseal_staff_bootstrap(&f->store, f->dir, NULL, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, ESEAL_STAFF_ADMIN_ENV));
    assert_non_null(strstr(err.msg, "at least 10 characters"));
    assert_null(strstr(err.msg, "tiny-pw")); /* the secret never reaches a message */
    assert_int_equal(count_accounts(f), 0);
}

static void test_bootstrap_generated(void **state)
{
    struct fixture *f = *state;
    enum eseal_staff_bootstrap_result how = ESEAL_STAFF_BOOT_EXISTING;
    struct eseal_err err;
    assert_int_equal(eseal_staff_bootstrap(&f->store, f->dir, &how, &err), ESEAL_OK);
    assert_int_equal(how, ESEAL_STAFF_BOOT_FILE);

    char *file = eseal_path_join(f->dir, ESEAL_STAFF_ADMIN_FILE);
    struct stat st;
    assert_int_equal(stat(file, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0600);
    struct eseal_buf pw;
    eseal_buf_init(&pw);
    assert_int_equal(eseal_file_read(&pw, file, 1024, NULL), ESEAL_OK);
    assert_int_equal(pw.len, 21);
    assert_int_equal(pw.data[20], '\n');
    pw.data[20] = '\0';
    assert_int_equal(strspn((char *)pw.data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                             "0123456789-_"),
                     20);

    char token[ESEAL_STAFF_TOKEN_LEN + 1];
    login_ok(f, token, "admin", (char *)pw.data, NOW);

    /* A second start does nothing and leaves the file as it was. */
    assert_int_equal(eseal_staff_bootstrap(&f->store, f->dir, &how, &err), ESEAL_OK);
    assert_int_equal(how, ESEAL_STAFF_BOOT_EXISTING);
    struct eseal_buf again;
    eseal_buf_init(&again);
    assert_int_equal(eseal_file_read(&again, file, 1024, NULL), ESEAL_OK);
    assert_int_equal(again.len, 21);
    assert_memory_equal(again.data, pw.data, 20);
    eseal_buf_cleanse(&again);
    eseal_buf_cleanse(&pw);
    free(file);
}

/* A password file left over without an admin is a person's business: the
 * bootstrap refuses to overwrite it and creates no account. */
static void test_bootstrap_stale_file(void **state)
{
    struct fixture *f = *state;
    char *file = eseal_path_join(f->dir, ESEAL_STAFF_ADMIN_FILE);
    assert_int_equal(eseal_file_write(file, "old\n", 4, 0600, 1, NULL), ESEAL_OK);
    struct eseal_err err;
    assert_int_equal(eseal_staff_bootstrap(&f->store, f->dir, NULL, &err), ESEAL_E_CONFLICT);
    assert_non_null(strstr(err.msg, file));
    assert_int_equal(count_accounts(f), 0);
    struct eseal_buf b;
    eseal_buf_init(&b);
    assert_int_equal(eseal_file_read(&b, file, 1024, NULL), ESEAL_OK);
    assert_string_equal((char *)b.data, "old\n");
    eseal_buf_cleanup(&b);
    free(file);
}

/* ---- login and sessions ---- */

static void test_login(void **state)
{
    struct fixture *f = *state;
    f->store.session_ttl = 0; /* the default, 8 h */
    create_ok(f, "li.maker", ESEAL_ROLE_MAKER, NULL, NULL, PW);

    char token[ESEAL_STAFF_TOKEN_LEN + 1];
    struct eseal_staff_principal who;
    time_t expires = 0;
    struct eseal_err err;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(
        eseal_staff_login(&f->store, token, &who, &expires, "li.maker", PW, strlen(PW), NOW, &err),
        ESEAL_OK);
    double known = seconds_since(&t0);
    assert_int_equal(strlen(token), ESEAL_STAFF_TOKEN_LEN);
    assert_string_equal(who.username, "li.maker");
    assert_int_equal(who.role, ESEAL_ROLE_MAKER);
    assert_int_equal(expires, NOW + (time_t)8 * 3600);

    /* Two logins give two different tokens. */
    char token2[ESEAL_STAFF_TOKEN_LEN + 1];
    login_ok(f, token2, "li.maker", PW, NOW);
    assert_string_not_equal(token, token2);

    /* Wrong password, unknown and malformed names: one answer for all. */
    const char *users[] = {"li.maker", "nobody", "Not A Name"};
    const char *pws[] = {PW "x", PW, PW};
    for (int i = 0; i < 3; i++) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        eseal_rc rc = eseal_staff_login(&f->store, token2, &who, NULL, users[i], pws[i],
                                        strlen(pws[i]), NOW, &err);
        double spent = seconds_since(&t0);
        assert_int_equal(rc, ESEAL_E_DENIED);
        assert_string_equal(err.msg, "用户名或密码错误 / wrong username or password");
        assert_string_equal(token2, "");
        assert_int_equal(who.role, ESEAL_ROLE_PUBLIC);
        /* Unknown names still cost an Argon2id verification (generous bound
         * against a noisy machine; without the dummy it would be ~1000x less). */
        if (spent < known / 4)
            fail_msg("login for %s took %.4fs, a real one %.4fs", users[i], spent, known);
    }
    /* The password is checked byte for byte: a prefix is not enough. */
    assert_int_equal(
        eseal_staff_login(&f->store, token2, &who, NULL, "li.maker", PW, strlen(PW) - 1, NOW, NULL),
        ESEAL_E_DENIED);
}

/* The idle limit ends a session not used for session_idle seconds; each
 * use moves it, written at most every session_idle/2 (or 60) seconds. */
static void test_session_idle(void **state)
{
    struct fixture *f = *state;
    f->store.session_ttl = 3600;
    f->store.session_idle = 600;
    create_ok(f, "li.maker", ESEAL_ROLE_MAKER, NULL, NULL, PW);
    char token[ESEAL_STAFF_TOKEN_LEN + 1];
    login_ok(f, token, "li.maker", PW, NOW);

    struct eseal_staff_principal who;
    struct eseal_staff_session_info info;
    struct eseal_err err;
    assert_int_equal(eseal_staff_session_resolve(&f->store, &who, &info, token, NOW + 30, &err),
                     ESEAL_OK);
    assert_int_equal(info.created, NOW);
    assert_int_equal(info.expires, NOW + 3600);
    /* within a minute of the last write nothing is written: still NOW */
    assert_int_equal(info.idle_expires, NOW + 600);
    assert_int_equal(strlen(info.csrf), ESEAL_STAFF_TOKEN_LEN);
    char csrf[ESEAL_STAFF_TOKEN_LEN + 1];
    memcpy(csrf, info.csrf, sizeof(csrf));
    /* used every 500 s: alive past the idle limit, with the same CSRF token */
    for (time_t t = NOW + 500; t <= NOW + 2500; t += 500) {
        assert_int_equal(eseal_staff_session_resolve(&f->store, &who, &info, token, t, &err),
                         ESEAL_OK);
        assert_int_equal(info.idle_expires, t + 600);
        assert_string_equal(info.csrf, csrf);
    }
    /* the idle limit never goes past the absolute one */
    assert_int_equal(eseal_staff_session_resolve(&f->store, &who, &info, token, NOW + 3000, &err),
                     ESEAL_OK);
    assert_int_equal(info.idle_expires, NOW + 3600);
    /* unused for 600 s: ended, and deleted */
    login_ok(f, token, "li.maker", PW, NOW);
    assert_int_equal(check(f, &who, token, NOW + 599, &err), ESEAL_OK);
    assert_int_equal(check(f, &who, token, NOW + 599 + 600, &err), ESEAL_E_DENIED);
    assert_non_null(strstr(err.msg, "inactivity"));
    assert_int_equal(check(f, &who, token, NOW + 600, &err), ESEAL_E_DENIED);
    assert_non_null(strstr(err.msg, "no valid session"));
    /* a purge takes idle sessions too, and the listing does not show them */
    login_ok(f, token, "li.maker", PW, NOW);
    json_t *list = NULL;
    assert_int_equal(eseal_staff_sessions(&f->store, NULL, NOW + 700, &list, &err), ESEAL_OK);
    assert_int_equal(json_array_size(list), 1); /* the session opened before, used at NOW+3000 */
    json_decref(list);
    size_t removed = 0;
    assert_int_equal(eseal_staff_session_purge(&f->store, NOW + 700, &removed, &err), ESEAL_OK);
    assert_int_equal(removed, 1);
    /* without an idle limit a session lives to its absolute end */
    f->store.session_idle = 0;
    login_ok(f, token, "li.maker", PW, NOW);
    assert_int_equal(eseal_staff_session_resolve(&f->store, &who, &info, token, NOW + 3599, &err),
                     ESEAL_OK);
    assert_int_equal(info.idle_expires, 0);
}

/* eseal_staff_logout_all ends every session of one account, no other. */
static void test_logout_all(void **state)
{
    struct fixture *f = *state;
    create_ok(f, "li.maker", ESEAL_ROLE_MAKER, NULL, NULL, PW);
    create_ok(f, "wang.reviewer", ESEAL_ROLE_REVIEWER, NULL, NULL, PW);
    char t1[ESEAL_STAFF_TOKEN_LEN + 1], t2[ESEAL_STAFF_TOKEN_LEN + 1],
        t3[ESEAL_STAFF_TOKEN_LEN + 1];
    login_ok(f, t1, "li.maker", PW, NOW);
    login_ok(f, t2, "li.maker", PW, NOW);
    login_ok(f, t3, "wang.reviewer", PW, NOW);
    struct eseal_staff_principal who;
    struct eseal_err err;
    assert_int_equal(eseal_staff_logout_all(&f->store, "li.maker", &err), ESEAL_OK);
    assert_int_equal(check(f, &who, t1, NOW + 1, &err), ESEAL_E_DENIED);
    assert_int_equal(check(f, &who, t2, NOW + 1, &err), ESEAL_E_DENIED);
    assert_int_equal(check(f, &who, t3, NOW + 1, &err), ESEAL_OK);
    assert_int_equal(eseal_staff_logout_all(&f->store, "li.maker", &err), ESEAL_OK);
    assert_int_equal(count_sessions(f), 1);
}

static void test_session_check_and_expiry(void **state)
{
    struct fixture *f = *state;
    f->store.session_ttl = 60;
    create_ok(f, "zhang", ESEAL_ROLE_AGENT, USCC_A, NULL, PW);
    char token[ESEAL_STAFF_TOKEN_LEN + 1];
    login_ok(f, token, "zhang", PW, NOW);

    struct eseal_staff_principal who;
    struct eseal_err err;
    assert_int_equal(check(f, &who, token, NOW + 59, &err), ESEAL_OK);
    assert_string_equal(who.username, "zhang");
    assert_int_equal(who.role, ESEAL_ROLE_AGENT);
    assert_string_equal(who.unit, USCC_A);
    assert_string_equal(who.city, "");

    /* At expiry the session is refused and deleted. */
    assert_int_equal(count_sessions(f), 1);
    assert_int_equal(check(f, &who, token, NOW + 60, &err), ESEAL_E_DENIED);
    assert_non_null(strstr(err.msg, "session expired"));
    assert_int_equal(who.role, ESEAL_ROLE_PUBLIC);
    assert_int_equal(count_sessions(f), 0);
    /* Turning the clock back does not bring it back. */
    assert_int_equal(check(f, &who, token, NOW, &err), ESEAL_E_DENIED);
    assert_non_null(strstr(err.msg, "no valid session"));

    /* Malformed and made-up tokens. */
    char fake[ESEAL_STAFF_TOKEN_LEN + 1];
    memset(fake, 'A', ESEAL_STAFF_TOKEN_LEN);
    fake[ESEAL_STAFF_TOKEN_LEN] = '\0';
    const char *bad[] = {NULL, "", "short", fake};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(check(f, &who, bad[i], NOW, NULL), ESEAL_E_DENIED);
    fake[5] = '+'; /* standard base64, not base64url */
    assert_int_equal(check(f, &who, fake, NOW, NULL), ESEAL_E_DENIED);

    /* The database holds the token's hash, never the token. */
    login_ok(f, token, "zhang", PW, NOW);
    struct eseal_buf v;
    eseal_buf_init(&v);
    assert_int_equal(eseal_kv_get(f->kv, 2, token, strlen(token), &v, NULL), ESEAL_E_NOTFOUND);
    struct eseal_kv_iter *it = eseal_kv_iter_new(f->kv, 2);
    eseal_kv_iter_seek_first(it);
    assert_true(eseal_kv_iter_valid(it));
    size_t klen, vlen;
    eseal_kv_iter_key(it, &klen);
    const uint8_t *val = eseal_kv_iter_value(it, &vlen);
    assert_int_equal(klen, 32);
    assert_null(memmem(val, vlen, token, strlen(token)));
    eseal_kv_iter_free(it);
    eseal_buf_cleanup(&v);
}

static void test_logout(void **state)
{
    struct fixture *f = *state;
    create_ok(f, "wang.reviewer", ESEAL_ROLE_REVIEWER, NULL, NULL, PW);
    char a[ESEAL_STAFF_TOKEN_LEN + 1], b[ESEAL_STAFF_TOKEN_LEN + 1];
    login_ok(f, a, "wang.reviewer", PW, NOW);
    login_ok(f, b, "wang.reviewer", PW, NOW);
    struct eseal_staff_principal who;
    assert_int_equal(eseal_staff_logout(&f->store, a, NULL), ESEAL_OK);
    assert_int_equal(check(f, &who, a, NOW, NULL), ESEAL_E_DENIED);
    /* Only that session ends. */
    assert_int_equal(check(f, &who, b, NOW, NULL), ESEAL_OK);
    /* Logging out twice, or with junk, is harmless. */
    assert_int_equal(eseal_staff_logout(&f->store, a, NULL), ESEAL_OK);
    assert_int_equal(eseal_staff_logout(&f->store, "junk", NULL), ESEAL_OK);
    assert_int_equal(eseal_staff_logout(&f->store, NULL, NULL), ESEAL_OK);
}

static void test_disabled_account(void **state)
{
    struct fixture *f = *state;
    create_ok(f, "zhang", ESEAL_ROLE_AGENT, USCC_A, NULL, PW);
    create_ok(f, "chen", ESEAL_ROLE_AGGREGATOR, NULL, "350100", PW);
    char t1[ESEAL_STAFF_TOKEN_LEN + 1], t2[ESEAL_STAFF_TOKEN_LEN + 1],
        other[ESEAL_STAFF_TOKEN_LEN + 1];
    login_ok(f, t1, "zhang", PW, NOW);
    login_ok(f, t2, "zhang", PW, NOW);
    login_ok(f, other, "chen", PW, NOW);
    assert_int_equal(count_sessions(f), 3);

    struct eseal_err err;
    assert_int_equal(eseal_staff_disable(&f->store, "zhang", &err), ESEAL_OK);
    /* Its sessions are gone from the store, and refused. */
    assert_int_equal(count_sessions(f), 1);
    struct eseal_staff_principal who;
    assert_int_equal(check(f, &who, t1, NOW, NULL), ESEAL_E_DENIED);
    assert_int_equal(check(f, &who, t2, NOW, NULL), ESEAL_E_DENIED);
    assert_int_equal(check(f, &who, other, NOW, NULL), ESEAL_OK);
    assert_string_equal(who.city, "350100");

    /* The right password now says "disabled"; a wrong one says nothing more. */
    assert_int_equal(
        eseal_staff_login(&f->store, t1, &who, NULL, "zhang", PW, strlen(PW), NOW, &err),
        ESEAL_E_DENIED);
    assert_non_null(strstr(err.msg, "disabled"));
    assert_int_equal(
        eseal_staff_login(&f->store, t1, &who, NULL, "zhang", "wrong-password", 14, NOW, &err),
        ESEAL_E_DENIED);
    assert_null(strstr(err.msg, "disabled"));

    struct eseal_staff_account a;
    assert_int_equal(eseal_staff_get(&f->store, &a, "zhang", NULL), ESEAL_OK);
    assert_true(a.disabled);
    assert_int_equal(eseal_staff_disable(&f->store, "zhang", NULL), ESEAL_OK); /* again */
    assert_int_equal(eseal_staff_disable(&f->store, "nobody", &err), ESEAL_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "nobody"));
    assert_int_equal(eseal_staff_get(&f->store, &a, "nobody", NULL), ESEAL_E_NOTFOUND);
}

/* A role change follows the creation rules, ends the account's sessions
 * and never demotes the last enabled admin. */
static void test_set_role(void **state)
{
    struct fixture *f = *state;
    create_ok(f, "li.maker", ESEAL_ROLE_MAKER, NULL, NULL, PW);
    char t[ESEAL_STAFF_TOKEN_LEN + 1];
    login_ok(f, t, "li.maker", PW, NOW);
    struct eseal_err err;
    struct eseal_staff_account a;
    struct eseal_staff_spec spec = {.username = "li.maker", .role = ESEAL_ROLE_AGENT};
    /* an agent needs its unit: refused, nothing changes */
    assert_int_equal(eseal_staff_set_role(&f->store, &spec, &a, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "unit"));
    struct eseal_staff_principal who;
    assert_int_equal(check(f, &who, t, NOW, NULL), ESEAL_OK);
    assert_int_equal(who.role, ESEAL_ROLE_MAKER);

    spec.role = ESEAL_ROLE_REVIEWER;
    assert_int_equal(eseal_staff_set_role(&f->store, &spec, &a, &err), ESEAL_OK);
    assert_int_equal(a.role, ESEAL_ROLE_REVIEWER);
    assert_int_equal(check(f, &who, t, NOW, NULL), ESEAL_E_DENIED); /* sessions ended */
    login_ok(f, t, "li.maker", PW, NOW);                            /* same password */
    assert_int_equal(check(f, &who, t, NOW, NULL), ESEAL_OK);
    assert_int_equal(who.role, ESEAL_ROLE_REVIEWER);

    spec = (struct eseal_staff_spec){.username = "nobody", .role = ESEAL_ROLE_MAKER};
    assert_int_equal(eseal_staff_set_role(&f->store, &spec, NULL, &err), ESEAL_E_NOTFOUND);
    create_ok(f, "root2", ESEAL_ROLE_ADMIN, NULL, NULL, PW);
    spec = (struct eseal_staff_spec){.username = "root2", .role = ESEAL_ROLE_MAKER};
    assert_int_equal(eseal_staff_set_role(&f->store, &spec, NULL, &err), ESEAL_E_CONFLICT);
    assert_int_equal(eseal_staff_get(&f->store, &a, "root2", NULL), ESEAL_OK);
    assert_int_equal(a.role, ESEAL_ROLE_ADMIN);
}

/* Enabling lets a disabled account log in again, with its old password. */
static void test_enable(void **state)
{
    struct fixture *f = *state;
    create_ok(f, "zhang", ESEAL_ROLE_AGENT, USCC_A, NULL, PW);
    char t[ESEAL_STAFF_TOKEN_LEN + 1];
    struct eseal_staff_principal who;
    struct eseal_err err;
    assert_int_equal(eseal_staff_disable(&f->store, "zhang", NULL), ESEAL_OK);
    assert_int_equal(
        eseal_staff_login(&f->store, t, &who, NULL, "zhang", PW, strlen(PW), NOW, &err),
        ESEAL_E_DENIED);
    assert_int_equal(eseal_staff_enable(&f->store, "zhang", NULL), ESEAL_OK);
    assert_int_equal(eseal_staff_enable(&f->store, "zhang", NULL), ESEAL_OK); /* again */
    login_ok(f, t, "zhang", PW, NOW);
    assert_int_equal(eseal_staff_enable(&f->store, "nobody", &err), ESEAL_E_NOTFOUND);
}

/* One's own change needs the old password and keeps one's sessions; an
 * admin's reset needs none and ends them all. */
static void test_passwd_and_reset(void **state)
{
    struct fixture *f = *state;
    create_ok(f, "zhang", ESEAL_ROLE_AGENT, USCC_A, NULL, PW);
    char t1[ESEAL_STAFF_TOKEN_LEN + 1], t2[ESEAL_STAFF_TOKEN_LEN + 1];
    login_ok(f, t1, "zhang", PW, NOW);
    struct eseal_err err;
    const char *np = "a-new-password-2", *rp = "reset-password-3";
    assert_int_equal(
        eseal_staff_passwd(&f->store, "zhang", "wrong-password", 14, np, strlen(np), &err),
        ESEAL_E_DENIED);
    assert_non_null(strstr(err.msg, "old_password"));
    assert_int_equal(eseal_staff_passwd(&f->store, "zhang", PW, strlen(PW), "short", 5, &err),
                     ESEAL_E_INVALID);
    assert_int_equal(eseal_staff_passwd(&f->store, "zhang", PW, strlen(PW), PW, strlen(PW), &err),
                     ESEAL_E_INVALID);
    assert_int_equal(eseal_staff_passwd(&f->store, "zhang", PW, strlen(PW), np, strlen(np), &err),
                     ESEAL_OK);
    struct eseal_staff_principal who;
    assert_int_equal(check(f, &who, t1, NOW, NULL), ESEAL_OK); /* the session stays */
    assert_int_equal(
        eseal_staff_login(&f->store, t2, &who, NULL, "zhang", PW, strlen(PW), NOW, &err),
        ESEAL_E_DENIED);
    login_ok(f, t2, "zhang", np, NOW);

    json_t *list = NULL;
    assert_int_equal(eseal_staff_sessions(&f->store, "zhang", NOW, &list, NULL), ESEAL_OK);
    assert_int_equal(json_array_size(list), 2);
    char *text = json_dumps(list, 0);
    assert_null(strstr(text, t1)); /* no token shown */
    assert_null(strstr(text, t2));
    free(text);
    json_decref(list);

    assert_int_equal(eseal_staff_reset(&f->store, "zhang", "short", 5, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_staff_reset(&f->store, "zhang", rp, strlen(rp), &err), ESEAL_OK);
    assert_int_equal(check(f, &who, t1, NOW, NULL), ESEAL_E_DENIED);
    assert_int_equal(check(f, &who, t2, NOW, NULL), ESEAL_E_DENIED);
    assert_int_equal(eseal_staff_sessions(&f->store, NULL, NOW, &list, NULL), ESEAL_OK);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    login_ok(f, t1, "zhang", rp, NOW);
    assert_int_equal(eseal_staff_reset(&f->store, "nobody", rp, strlen(rp), &err),
                     ESEAL_E_NOTFOUND);
}

/* Nobody may lock every admin out. */
static void test_last_admin(void **state)
{
    struct fixture *f = *state;
    setenv(ESEAL_STAFF_ADMIN_ENV, PW, 1);
    assert_int_equal(eseal_staff_bootstrap(&f->store, f->dir, NULL, NULL), ESEAL_OK);
    struct eseal_err err;
    assert_int_equal(eseal_staff_disable(&f->store, "admin", &err), ESEAL_E_CONFLICT);
    assert_non_null(strstr(err.msg, "last enabled admin"));
    create_ok(f, "admin2", ESEAL_ROLE_ADMIN, NULL, NULL, PW);
    assert_int_equal(eseal_staff_disable(&f->store, "admin", NULL), ESEAL_OK);
    assert_int_equal(eseal_staff_disable(&f->store, "admin2", NULL), ESEAL_E_CONFLICT);
    /* A disabled admin still counts as "an admin exists" for the bootstrap. */
    enum eseal_staff_bootstrap_result how;
    assert_int_equal(eseal_staff_bootstrap(&f->store, f->dir, &how, NULL), ESEAL_OK);
    assert_int_equal(how, ESEAL_STAFF_BOOT_EXISTING);
}

static void test_purge(void **state)
{
    struct fixture *f = *state;
    f->store.session_ttl = 100;
    create_ok(f, "li.maker", ESEAL_ROLE_MAKER, NULL, NULL, PW);
    char t[3][ESEAL_STAFF_TOKEN_LEN + 1];
    for (int i = 0; i < 3; i++)
        login_ok(f, t[i], "li.maker", PW, NOW + (time_t)i * 50); /* expire at +100, +150, +200 */
    size_t n = 99;
    assert_int_equal(eseal_staff_session_purge(&f->store, NOW + 99, &n, NULL), ESEAL_OK);
    assert_int_equal(n, 0);
    assert_int_equal(eseal_staff_session_purge(&f->store, NOW + 150, &n, NULL), ESEAL_OK);
    assert_int_equal(n, 2);
    struct eseal_staff_principal who;
    assert_int_equal(check(f, &who, t[2], NOW + 150, NULL), ESEAL_OK);
    assert_int_equal(count_sessions(f), 1);
}

/* ---- validation and administration ---- */

static void test_validation(void **state)
{
    struct fixture *f = *state;
    char long_name[ESEAL_STAFF_USERNAME_MAX + 2];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    const char *bad_names[] = {"", "Admin", "li maker", "li/maker", "张三", long_name, NULL};
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++)
        create_fails(f, ESEAL_E_INVALID, "username", bad_names[i], ESEAL_ROLE_MAKER, NULL, NULL,
                     PW);

    /* Password rules: >= 10 characters, not the username in any case. */
    create_fails(f, ESEAL_E_INVALID, "at least 10 characters", "li.maker", ESEAL_ROLE_MAKER, NULL,
                 NULL, "123456789");
    create_fails(f, ESEAL_E_INVALID, "differ from the username", "li.maker10", ESEAL_ROLE_MAKER,
                 NULL, NULL, "li.maker10");
    create_fails(f, ESEAL_E_INVALID, "password", "li.maker10", ESEAL_ROLE_MAKER, NULL, NULL,
                 "LI.MAKER10");
    /* Nine Chinese characters are 27 bytes but still nine characters. */
    create_fails(f, ESEAL_E_INVALID, "password", "li.maker", ESEAL_ROLE_MAKER, NULL, NULL,
                 "一二三四五六七八九");

    /* Roles and what they carry. */
    create_fails(f, ESEAL_E_INVALID, "role", "x", ESEAL_ROLE_PUBLIC, NULL, NULL, PW);
    create_fails(f, ESEAL_E_INVALID, "role", "x", ESEAL_ROLE_COUNT, NULL, NULL, PW);
    create_fails(f, ESEAL_E_INVALID, "unit", "zhang", ESEAL_ROLE_AGENT, NULL, NULL, PW);
    create_fails(f, ESEAL_E_INVALID, "unit", "zhang", ESEAL_ROLE_AGENT, "", NULL, PW);
    create_fails(f, ESEAL_E_INVALID, "unit", "zhang", ESEAL_ROLE_AGENT, "9135010", NULL, PW);
    create_fails(f, ESEAL_E_INVALID, "city", "zhang", ESEAL_ROLE_AGENT, USCC_A, "350100", PW);
    create_fails(f, ESEAL_E_INVALID, "unit", "li.maker", ESEAL_ROLE_MAKER, USCC_A, NULL, PW);
    create_fails(f, ESEAL_E_INVALID, "city", "wang", ESEAL_ROLE_REVIEWER, NULL, "350100", PW);
    const char *bad_cities[] = {NULL, "", "35010", "3501000", "350101", "350000", "35a100"};
    for (size_t i = 0; i < sizeof(bad_cities) / sizeof(bad_cities[0]); i++)
        create_fails(f, ESEAL_E_INVALID, "city", "chen", ESEAL_ROLE_AGGREGATOR, NULL, bad_cities[i],
                     PW);
    create_fails(f, ESEAL_E_INVALID, "unit", "chen", ESEAL_ROLE_AGGREGATOR, USCC_A, "350100", PW);
    assert_int_equal(count_accounts(f), 0);

    /* The edges that pass: a 64-character name, Pingtan, ten Chinese characters. */
    long_name[ESEAL_STAFF_USERNAME_MAX] = '\0';
    create_ok(f, long_name, ESEAL_ROLE_MAKER, NULL, NULL, "一二三四五六七八九十");
    create_ok(f, "pingtan", ESEAL_ROLE_AGGREGATOR, NULL, "350128", PW);
    create_fails(f, ESEAL_E_CONFLICT, "pingtan", "pingtan", ESEAL_ROLE_MAKER, NULL, NULL, PW);
    assert_int_equal(count_accounts(f), 2);
}

static void test_create_json(void **state)
{
    struct fixture *f = *state;
    struct {
        const char *body, *field;
    } bad[] = {
        {"[]", "JSON object"},
        {"{\"username\":\"a1\",\"password\":\"" PW "\",\"role\":\"maker\",\"x\":1}", "x"},
        {"{\"username\":\"a1\",\"password\":1234567890123,\"role\":\"maker\"}", "password"},
        {"{\"username\":\"a1\",\"password\":\"" PW "\"}", "role"},
        {"{\"password\":\"" PW "\",\"role\":\"maker\"}", "username"},
        {"{\"username\":\"a1\",\"password\":\"" PW "\",\"role\":\"public\"}", "role"},
        {"{\"username\":\"a1\",\"password\":\"" PW "\",\"role\":\"boss\"}", "role"},
        {"{\"username\":\"a1\",\"password\":\"" PW "\",\"role\":\"agent\",\"unit\":null}", "unit"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *j = eseal_json_load(bad[i].body, strlen(bad[i].body));
        assert_non_null(j);
        struct eseal_err err;
        assert_int_equal(eseal_staff_create_json(&f->store, NULL, j, &err), ESEAL_E_INVALID);
        if (strstr(err.msg, bad[i].field) == NULL)
            fail_msg("%s: message does not name %s: %s", bad[i].body, bad[i].field, err.msg);
        json_decref(j);
    }
    json_t *j = json_pack("{s:s,s:s,s:s,s:s}", "username", "chen", "password", PW, "role",
                          "aggregator", "city", "350200");
    struct eseal_staff_account a;
    assert_int_equal(eseal_staff_create_json(&f->store, &a, j, NULL), ESEAL_OK);
    json_decref(j);
    assert_int_equal(a.role, ESEAL_ROLE_AGGREGATOR);
    assert_string_equal(a.city, "350200");
    char token[ESEAL_STAFF_TOKEN_LEN + 1];
    login_ok(f, token, "chen", PW, NOW);
}

/* An agent's unit register (主管处室, 分管领导): optional, stored and read
 * back with the account; refused on other roles and when too long. */
static void test_unit_register(void **state)
{
    struct fixture *f = *state;
    static const char *const bad[][2] = {
        {"{\"username\":\"m1\",\"password\":\"" PW "\",\"role\":\"maker\",\"office\":\"办公室\"}",
         "office"},
        {"{\"username\":\"a1\",\"password\":\"" PW "\",\"role\":\"agent\",\"unit\":"
         "\"91350100M000100Y43\",\"leader\":1}",
         "leader"},
        {"{\"username\":\"a1\",\"password\":\"" PW "\",\"role\":\"agent\",\"unit\":"
         "\"91350100M000100Y43\",\"leader\":\"a\\nb\"}",
         "leader"},
    };
    struct eseal_err err;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *j = eseal_json_load(bad[i][0], strlen(bad[i][0]));
        assert_non_null(j);
        assert_int_equal(eseal_staff_create_json(&f->store, NULL, j, &err), ESEAL_E_INVALID);
        if (strstr(err.msg, bad[i][1]) == NULL)
            fail_msg("%s: message does not name %s: %s", bad[i][0], bad[i][1], err.msg);
        json_decref(j);
    }
    /* 51 characters is one too many; 50 fit, whatever their bytes */
    char office[ESEAL_STAFF_NOTE_MAX + 8] = "";
    for (int i = 0; i < ESEAL_STAFF_NOTE_CHARS + 1; i++)
        strcat(office, "处");
    json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s}", "username", "wang", "password", PW, "role",
                          "agent", "unit", "91350100M000100Y43", "office", office);
    assert_int_equal(eseal_staff_create_json(&f->store, NULL, j, &err), ESEAL_E_INVALID);
    office[strlen(office) - strlen("处")] = '\0';
    json_object_set_new(j, "office", json_string(office));
    json_object_set_new(j, "leader", json_string("李副局长"));
    struct eseal_staff_account a;
    assert_int_equal(eseal_staff_create_json(&f->store, &a, j, &err), ESEAL_OK);
    json_decref(j);
    assert_int_equal(eseal_staff_get(&f->store, &a, "wang", &err), ESEAL_OK);
    assert_string_equal(a.office, office);
    assert_string_equal(a.leader, "李副局长");
    json_t *v = eseal_staff_account_json(&a);
    assert_string_equal(json_string_value(json_object_get(v, "leader")), "李副局长");
    json_decref(v);
    /* the register goes with the agent role */
    struct eseal_staff_spec maker = {.username = "wang", .role = ESEAL_ROLE_MAKER};
    assert_int_equal(eseal_staff_set_role(&f->store, &maker, &a, &err), ESEAL_OK);
    assert_int_equal(eseal_staff_get(&f->store, &a, "wang", &err), ESEAL_OK);
    assert_string_equal(a.office, "");
    assert_string_equal(a.leader, "");
}

static void test_list(void **state)
{
    struct fixture *f = *state;
    create_ok(f, "zhang", ESEAL_ROLE_AGENT, USCC_B, NULL, PW);
    create_ok(f, "chen", ESEAL_ROLE_AGGREGATOR, NULL, "350100", PW);
    create_ok(f, "li.maker", ESEAL_ROLE_MAKER, NULL, NULL, PW);
    struct eseal_staff_account *list;
    size_t n;
    assert_int_equal(eseal_staff_list(&f->store, &list, &n, NULL), ESEAL_OK);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].username, "chen"); /* username order */
    assert_string_equal(list[1].username, "li.maker");
    assert_string_equal(list[2].username, "zhang");
    assert_string_equal(list[2].unit, USCC_B);
    assert_int_equal(strlen(list[0].created), ESEAL_STAFF_TIME_LEN);
    assert_int_equal(list[0].created[ESEAL_STAFF_TIME_LEN - 1], 'Z');

    json_t *j = eseal_staff_account_json(&list[2]);
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    char *want =
        eseal_xasprintf("{\"created\":\"%s\",\"disabled\":false,\"id\":\"%s\","
                        "\"role\":\"agent\",\"unit\":\"" USCC_B "\",\"username\":\"zhang\"}",
                        list[2].created, list[2].id);
    assert_string_equal(text, want);
    free(want);
    free(text);
    json_decref(j);
    free(list);

    /* The stored record has the Argon2id hash, and never the password. */
    struct eseal_buf v;
    eseal_buf_init(&v);
    assert_int_equal(eseal_kv_get(f->kv, 1, "zhang", 5, &v, NULL), ESEAL_OK);
    assert_non_null(strstr((char *)v.data, "\"pwhash\":\"$argon2id$"));
    assert_null(strstr((char *)v.data, PW));
    eseal_buf_cleanup(&v);

    /* An empty store lists nothing. */
    struct eseal_staff_store other = f->store;
    other.cf_staff = 0;
    assert_int_equal(eseal_staff_list(&other, &list, &n, NULL), ESEAL_OK);
    assert_int_equal(n, 0);
    assert_null(list);
}

/* ---- permissions ---- */

/* The expected matrix, written out independently of staff.c. Columns:
 * public, agent, aggregator, maker, reviewer, admin. */
static const struct {
    enum eseal_staff_action action;
    const char *name;
    const char *allow;
} matrix[] = {
    {ESEAL_ACTION_SESSION_LOGIN, "session.login", "YYYYYY"},
    {ESEAL_ACTION_SESSION_LOGOUT, "session.logout", "-YYYYY"},
    {ESEAL_ACTION_STAFF_CREATE, "staff.create", "-----Y"},
    {ESEAL_ACTION_STAFF_LIST, "staff.list", "-----Y"},
    {ESEAL_ACTION_STAFF_DISABLE, "staff.disable", "-----Y"},
    {ESEAL_ACTION_SUBMISSION_CREATE, "submission.create", "-YY---"},
    {ESEAL_ACTION_SUBMISSION_LIST, "submission.list", "-YYYYY"},
    {ESEAL_ACTION_SUBMISSION_GET, "submission.get", "-YYYYY"},
    {ESEAL_ACTION_SUBMISSION_UPLOAD, "submission.upload", "-YY---"},
    {ESEAL_ACTION_SUBMISSION_SUBMIT, "submission.submit", "-YY---"},
    {ESEAL_ACTION_SUBMISSION_REGISTER, "submission.register", "---Y--"},
    {ESEAL_ACTION_SUBMISSION_REVIEW, "submission.review", "----Y-"},
    {ESEAL_ACTION_SUBMISSION_PRODUCE, "submission.produce", "---Y--"},
    {ESEAL_ACTION_SUBMISSION_HANDOVER, "submission.handover", "---Y--"},
    {ESEAL_ACTION_SEAL_GET, "seal.get", "-YYYYY"},
    {ESEAL_ACTION_SEAL_DOWNLOAD, "seal.download", "-YYY--"},
    {ESEAL_ACTION_SEAL_SUSPEND, "seal.suspend", "-YYY--"},
    {ESEAL_ACTION_SEAL_REINSTATE, "seal.reinstate", "---Y--"},
    {ESEAL_ACTION_AUDIT_READ, "audit.read", "-----Y"},
    {ESEAL_ACTION_LOG_READ, "log.read", "YYYYYY"},
    {ESEAL_ACTION_SEAL_PUBLIC, "seal.public", "YYYYYY"},
    {ESEAL_ACTION_STAFF_ENABLE, "staff.enable", "-----Y"},
    {ESEAL_ACTION_STAFF_RESET, "staff.reset", "-----Y"},
    {ESEAL_ACTION_STAFF_SESSIONS, "staff.sessions", "-----Y"},
    {ESEAL_ACTION_SESSION_PASSWD, "session.passwd", "-YYYYY"},
    {ESEAL_ACTION_NOTIFICATION_LIST, "notification.list", "-YY---"},
    {ESEAL_ACTION_NOTIFICATION_READ, "notification.read", "-YY---"},
    {ESEAL_ACTION_BATCH_MANAGE, "batch.manage", "--Y---"},
    {ESEAL_ACTION_BATCH_GET, "batch.get", "--YYYY"},
    {ESEAL_ACTION_STAFF_ROLE, "staff.role", "-----Y"},
    {ESEAL_ACTION_SESSION_GET, "session.get", "-YYYYY"},
    {ESEAL_ACTION_CONSOLE, "console.read", "YYYYYY"},
    {ESEAL_ACTION_QUEUES_READ, "queues.read", "---YYY"},
    {ESEAL_ACTION_OVERVIEW_READ, "overview.read", "-----Y"},
    {ESEAL_ACTION_CATALOG_READ, "catalog.read", "-YYYYY"},
    {ESEAL_ACTION_OPS_READ, "ops.read", "YYYYYY"},
    {ESEAL_ACTION_BACKUP, "backup.create", "-----Y"},
};

static void test_permission_matrix(void **state)
{
    (void)state;
    assert_int_equal(sizeof(matrix) / sizeof(matrix[0]), ESEAL_ACTION_COUNT);
    for (size_t i = 0; i < ESEAL_ACTION_COUNT; i++) {
        assert_int_equal(matrix[i].action, i); /* every action, once, in order */
        assert_string_equal(eseal_staff_action_name(matrix[i].action), matrix[i].name);
        for (unsigned r = 0; r < ESEAL_ROLE_COUNT; r++) {
            bool want = matrix[i].allow[r] == 'Y';
            bool got = eseal_staff_allowed((enum eseal_staff_role)r, matrix[i].action);
            if (got != want)
                fail_msg("%s by %s: got %s, want %s", matrix[i].name,
                         eseal_staff_role_name((enum eseal_staff_role)r), got ? "allow" : "deny",
                         want ? "allow" : "deny");
        }
    }
    /* Out-of-range values are denied, not read past the table. */
    assert_false(eseal_staff_allowed(ESEAL_ROLE_COUNT, ESEAL_ACTION_LOG_READ));
    assert_false(eseal_staff_allowed((enum eseal_staff_role) - 1, ESEAL_ACTION_LOG_READ));
    assert_false(eseal_staff_allowed(ESEAL_ROLE_ADMIN, ESEAL_ACTION_COUNT));
    assert_string_equal(eseal_staff_action_name(ESEAL_ACTION_COUNT), "invalid");
}

static void test_roles(void **state)
{
    (void)state;
    static const char *const names[] = {"public", "agent",    "aggregator",
                                        "maker",  "reviewer", "admin"};
    static const char *const zh[] = {"公众", "经办人", "汇总单位", "制作员", "审核员", "管理员"};
    for (unsigned r = 0; r < ESEAL_ROLE_COUNT; r++) {
        assert_string_equal(eseal_staff_role_name((enum eseal_staff_role)r), names[r]);
        assert_string_equal(eseal_staff_role_name_zh((enum eseal_staff_role)r), zh[r]);
        enum eseal_staff_role got = ESEAL_ROLE_COUNT;
        bool ok = eseal_staff_role_parse(&got, names[r]);
        assert_int_equal(ok, r != ESEAL_ROLE_PUBLIC); /* never an account's role */
        if (ok)
            assert_int_equal(got, r);
    }
    enum eseal_staff_role got = ESEAL_ROLE_MAKER;
    assert_false(eseal_staff_role_parse(&got, "Admin"));
    assert_false(eseal_staff_role_parse(&got, NULL));
    assert_int_equal(got, ESEAL_ROLE_MAKER);
    assert_string_equal(eseal_staff_role_name(ESEAL_ROLE_COUNT), "invalid");
    /* A zero principal is the public: the least rights. */
    struct eseal_staff_principal zero = {0};
    assert_int_equal(zero.role, ESEAL_ROLE_PUBLIC);
    assert_false(eseal_staff_allowed(zero.role, ESEAL_ACTION_SUBMISSION_LIST));
}

static struct eseal_staff_principal principal(const char *user, enum eseal_staff_role role,
                                              const char *unit, const char *city)
{
    struct eseal_staff_principal p = {.role = role};
    snprintf(p.username, sizeof(p.username), "%s", user);
    snprintf(p.unit, sizeof(p.unit), "%s", unit);
    snprintf(p.city, sizeof(p.city), "%s", city);
    return p;
}

static void test_scoping(void **state)
{
    (void)state;
    struct eseal_staff_principal agent = principal("zhang", ESEAL_ROLE_AGENT, USCC_A, "");
    struct eseal_staff_principal agg = principal("chen", ESEAL_ROLE_AGGREGATOR, "", "350100");
    struct eseal_staff_principal pingtan = principal("lin", ESEAL_ROLE_AGGREGATOR, "", "350128");
    struct eseal_staff_principal pub = {0};

    /* Agents: their own unit, wherever it is filed. */
    assert_true(eseal_staff_can_see_submission(&agent, USCC_A, "350100"));
    assert_false(eseal_staff_can_see_submission(&agent, USCC_B, "350100"));
    assert_false(eseal_staff_can_see_submission(&agent, NULL, "350100"));
    /* Aggregators: their own city, any unit; Pingtan is not Fuzhou. */
    assert_true(eseal_staff_can_see_submission(&agg, USCC_B, "350100"));
    assert_false(eseal_staff_can_see_submission(&agg, USCC_A, "350200"));
    assert_false(eseal_staff_can_see_submission(&agg, USCC_A, "350128"));
    assert_false(eseal_staff_can_see_submission(&agg, USCC_A, NULL));
    assert_true(eseal_staff_can_see_submission(&pingtan, USCC_A, "350128"));
    assert_false(eseal_staff_can_see_submission(&pingtan, USCC_A, "350100"));
    /* Staff see everything; the public and a missing principal nothing. */
    const enum eseal_staff_role staff[] = {ESEAL_ROLE_MAKER, ESEAL_ROLE_REVIEWER, ESEAL_ROLE_ADMIN};
    for (size_t i = 0; i < 3; i++) {
        struct eseal_staff_principal p = principal("s", staff[i], "", "");
        assert_true(eseal_staff_can_see_submission(&p, USCC_B, "350200"));
    }
    assert_false(eseal_staff_can_see_submission(&pub, USCC_A, "350100"));
    assert_false(eseal_staff_can_see_submission(NULL, USCC_A, "350100"));
    /* An agent account with an empty unit (a corrupt principal) sees nothing. */
    struct eseal_staff_principal empty = principal("x", ESEAL_ROLE_AGENT, "", "");
    assert_false(eseal_staff_can_see_submission(&empty, "", ""));
}

static void test_maker_is_not_reviewer(void **state)
{
    (void)state;
    struct eseal_staff_principal wang = principal("wang", ESEAL_ROLE_REVIEWER, "", "");
    struct eseal_staff_principal li = principal("li", ESEAL_ROLE_MAKER, "", "");
    struct eseal_staff_principal admin = principal("admin", ESEAL_ROLE_ADMIN, "", "");
    assert_true(eseal_staff_can_review(&wang, "li"));
    /* The registering maker never reviews, even under a reviewer principal. */
    assert_false(eseal_staff_can_review(&wang, "wang"));
    /* Makers and admins never review, not even someone else's registration. */
    assert_false(eseal_staff_can_review(&li, "li"));
    assert_false(eseal_staff_can_review(&li, "zhao"));
    assert_false(eseal_staff_can_review(&admin, "li"));
    assert_false(eseal_staff_allowed(ESEAL_ROLE_MAKER, ESEAL_ACTION_SUBMISSION_REVIEW));
    assert_false(eseal_staff_allowed(ESEAL_ROLE_ADMIN, ESEAL_ACTION_SUBMISSION_REVIEW));
    /* Registrations since #17 name the opaque staff id; older ones the username. */
    snprintf(wang.id, sizeof(wang.id), "st:0123456789abcdef");
    assert_false(eseal_staff_can_review(&wang, "st:0123456789abcdef"));
    assert_false(eseal_staff_can_review(&wang, "wang"));
    assert_true(eseal_staff_can_review(&wang, "st:fedcba9876543210"));
    /* Not registered yet: nothing to review. */
    assert_false(eseal_staff_can_review(&wang, NULL));
    assert_false(eseal_staff_can_review(&wang, ""));
    assert_false(eseal_staff_can_review(NULL, "li"));
}

/* Opaque staff ids (#17): given at creation, kept by every change, carried
 * by the principal, mapped back to the username; an account stored before
 * ids existed gets one from eseal_staff_migrate_ids, once. */
static void test_staff_ids(void **state)
{
    struct fixture *f = *state;
    struct eseal_err err;
    create_ok(f, "maker.a", ESEAL_ROLE_MAKER, NULL, NULL, PW);
    create_ok(f, "maker.b", ESEAL_ROLE_MAKER, NULL, NULL, PW);
    struct eseal_staff_account a, b;
    assert_int_equal(eseal_staff_get(&f->store, &a, "maker.a", &err), ESEAL_OK);
    assert_int_equal(eseal_staff_get(&f->store, &b, "maker.b", &err), ESEAL_OK);
    assert_int_equal(strlen(a.id), ESEAL_STAFF_ID_LEN);
    assert_int_equal(strncmp(a.id, "st:", 3), 0);
    assert_string_not_equal(a.id, b.id);
    assert_null(strstr(a.id, "maker"));
    /* a role change keeps the id; the principal carries it */
    struct eseal_staff_spec spec = {.username = "maker.a", .role = ESEAL_ROLE_REVIEWER};
    struct eseal_staff_account changed;
    assert_int_equal(eseal_staff_set_role(&f->store, &spec, &changed, &err), ESEAL_OK);
    assert_string_equal(changed.id, a.id);
    char token[ESEAL_STAFF_TOKEN_LEN + 1];
    struct eseal_staff_principal who;
    assert_int_equal(
        eseal_staff_login(&f->store, token, &who, NULL, "maker.a", PW, strlen(PW), NOW, &err),
        ESEAL_OK);
    assert_string_equal(who.id, a.id);
    assert_true(eseal_staff_is_actor(&who, a.id));
    assert_true(eseal_staff_is_actor(&who, "maker.a"));
    assert_false(eseal_staff_is_actor(&who, b.id));
    char name[ESEAL_STAFF_USERNAME_MAX + 1];
    assert_int_equal(eseal_staff_username_of(&f->store, name, b.id, &err), ESEAL_OK);
    assert_string_equal(name, "maker.b");
    assert_int_equal(eseal_staff_username_of(&f->store, name, "st:0000000000000000", &err),
                     ESEAL_E_NOTFOUND);
    /* an account as stored before #17: no id */
    const char *old = "{\"created\":\"2026-01-01T00:00:00Z\",\"disabled\":false,"
                      "\"pwhash\":\"x\",\"role\":\"maker\",\"username\":\"old.maker\"}";
    assert_int_equal(eseal_kv_put(f->kv, 1, "old.maker", 9, old, strlen(old), true, &err),
                     ESEAL_OK);
    struct eseal_staff_account o;
    assert_int_equal(eseal_staff_get(&f->store, &o, "old.maker", &err), ESEAL_OK);
    assert_string_equal(o.id, "");
    size_t n = 9;
    assert_int_equal(eseal_staff_migrate_ids(&f->store, &n, &err), ESEAL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(eseal_staff_get(&f->store, &o, "old.maker", &err), ESEAL_OK);
    assert_int_equal(strlen(o.id), ESEAL_STAFF_ID_LEN);
    char kept[ESEAL_STAFF_ID_LEN + 1];
    memcpy(kept, o.id, sizeof(kept));
    assert_int_equal(eseal_staff_migrate_ids(&f->store, &n, &err), ESEAL_OK);
    assert_int_equal(n, 0);
    assert_int_equal(eseal_staff_get(&f->store, &o, "old.maker", &err), ESEAL_OK);
    assert_string_equal(o.id, kept);
    assert_int_equal(eseal_staff_get(&f->store, &a, "maker.a", &err), ESEAL_OK);
    assert_string_equal(a.id, changed.id);
}

static void test_bearer(void **state)
{
    (void)state;
    assert_string_equal(eseal_staff_bearer("Bearer abc"), "abc");
    assert_string_equal(eseal_staff_bearer("bearer  abc"), "abc");
    assert_null(eseal_staff_bearer("Basic YWRtaW46eA=="));
    assert_null(eseal_staff_bearer("Bearer "));
    assert_null(eseal_staff_bearer("Bearerabc"));
    assert_null(eseal_staff_bearer(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bootstrap_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bootstrap_env_weak_password, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bootstrap_generated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bootstrap_stale_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_check_and_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logout_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_admin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_passwd_and_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unit_register, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_staff_ids, setup, teardown),
        cmocka_unit_test(test_permission_matrix),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_scoping),
        cmocka_unit_test(test_maker_is_not_reviewer),
        cmocka_unit_test(test_bearer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
