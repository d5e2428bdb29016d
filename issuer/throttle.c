/* throttle.c — failed logins per account and per address in a sliding
 * window, stored as a JSON array of times in RocksDB. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/json.h"
#include "throttle.h"

#define KEY_MAX 96
#define RECORD_MAX 4096

/* Counting is read-modify-write; RocksDB has no compare-and-set, so the
 * updates are serialised here. A login spends far longer in Argon2id. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void throttle_window_add(int64_t *times, size_t *n, size_t max, int64_t now, int64_t window)
{
    size_t keep = 0;
    for (size_t i = 0; i < *n; i++)
        if (times[i] > now - window)
            times[keep++] = times[i];
    if (max == 0) {
        *n = 0;
        return;
    }
    if (keep >= max) { /* make room: the oldest go */
        memmove(times, times + (keep - max + 1), (max - 1) * sizeof(*times));
        keep = max - 1;
    }
    times[keep++] = now;
    *n = keep;
}

int64_t throttle_window_wait(const int64_t *times, size_t n, size_t max, int64_t now,
                             int64_t window)
{
    size_t in = 0;
    for (size_t i = 0; i < n; i++)
        in += times[i] > now - window;
    if (max == 0 || in < max)
        return 0;
    /* The |max| newest are what hold the limit; it lifts when the oldest of
     * them leaves the window. */
    int64_t oldest = times[n - max];
    int64_t wait = oldest + window - now;
    return wait > 0 ? wait : 1;
}

/* username_shaped is the account name rule of staff.c: 1..64 of
 * [a-z0-9._-]. Anything else cannot be an account, and is not stored. */
static bool username_shaped(const char *u)
{
    size_t n = u != NULL ? strlen(u) : 0;
    return n >= 1 && n <= 64 && strspn(u, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static size_t make_key(char key[KEY_MAX], const char *kind, const char *name)
{
    int n = snprintf(key, KEY_MAX, "%s/%s", kind, name);
    return n > 0 && n < KEY_MAX ? (size_t)n : 0;
}

/* load reads the record |key| into |times| (oldest first); a missing or
 * damaged record is an empty one. */
static eseal_rc load(const struct throttle_store *t, const char *key, size_t key_len,
                     int64_t times[THROTTLE_KEEP_MAX], size_t *n, struct eseal_err *err)
{
    *n = 0;
    struct eseal_buf val;
    eseal_buf_init(&val);
    eseal_rc rc = eseal_kv_get(t->kv, t->cf, key, key_len, &val, err);
    if (rc == ESEAL_E_NOTFOUND) {
        eseal_buf_cleanup(&val);
        eseal_err_clear(err);
        return ESEAL_OK;
    }
    json_t *j = rc == ESEAL_OK && val.len <= RECORD_MAX ? eseal_json_load(val.data, val.len) : NULL;
    eseal_buf_cleanup(&val);
    size_t i;
    json_t *v;
    json_array_foreach(j, i, v)
    {
        if (!json_is_integer(v) || *n >= THROTTLE_KEEP_MAX)
            break;
        if (*n > 0 && json_integer_value(v) < times[*n - 1])
            break; /* out of order: not ours */
        times[(*n)++] = (int64_t)json_integer_value(v);
    }
    json_decref(j);
    return rc;
}

static eseal_rc save(const struct throttle_store *t, const char *key, size_t key_len,
                     const int64_t *times, size_t n, struct eseal_err *err)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer((json_int_t)times[i]));
    char *text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    if (text == NULL)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "throttle: cannot encode a record");
    /* synced: a crash must not hand out a fresh set of guesses */
    eseal_rc rc = eseal_kv_put(t->kv, t->cf, key, key_len, text, strlen(text), true, err);
    free(text);
    return rc;
}

static int64_t clock_now(time_t now)
{
    return (int64_t)(now != 0 ? now : time(NULL));
}

/* visit reads record |kind|/|name| with limit |max|: *wait is its wait
 * before this call. With |add| it also records a failure at |now| and sets
 * *reached when that failure is the one that reached the limit. */
static eseal_rc visit(const struct throttle_store *t, const char *kind, const char *name,
                      size_t max, int64_t now, bool add, int64_t *wait, bool *reached,
                      struct eseal_err *err)
{
    *wait = 0;
    *reached = false;
    char key[KEY_MAX];
    size_t key_len = make_key(key, kind, name);
    if (key_len == 0)
        return ESEAL_OK;
    int64_t times[THROTTLE_KEEP_MAX];
    size_t n;
    eseal_rc rc = load(t, key, key_len, times, &n, err);
    if (rc != ESEAL_OK)
        return rc;
    *wait = throttle_window_wait(times, n, max, now, THROTTLE_WINDOW);
    if (!add)
        return ESEAL_OK;
    throttle_window_add(times, &n, max, now, THROTTLE_WINDOW);
    *reached = *wait == 0 && throttle_window_wait(times, n, max, now, THROTTLE_WINDOW) > 0;
    return save(t, key, key_len, times, n, err);
}

eseal_rc throttle_check(const struct throttle_store *t, const char *account, const char *address,
                        time_t now, int64_t *retry_after, bool *by_account, struct eseal_err *err)
{
    int64_t t_now = clock_now(now), wa = 0, wc = 0;
    bool unused;
    pthread_mutex_lock(&lock);
    eseal_rc rc = username_shaped(account) ? visit(t, "account", account, THROTTLE_ACCOUNT_MAX,
                                                   t_now, false, &wa, &unused, err)
                                           : ESEAL_OK;
    if (rc == ESEAL_OK)
        rc = visit(t, "address", address, THROTTLE_ADDRESS_MAX, t_now, false, &wc, &unused, err);
    pthread_mutex_unlock(&lock);
    *retry_after = wa > wc ? wa : wc;
    *by_account = wa > 0 && wa >= wc;
    return rc;
}

eseal_rc throttle_failed(const struct throttle_store *t, const char *account, const char *address,
                         time_t now, bool *account_now, bool *address_now, struct eseal_err *err)
{
    int64_t t_now = clock_now(now), wait;
    bool a = false, c = false;
    pthread_mutex_lock(&lock);
    eseal_rc rc = username_shaped(account) ? visit(t, "account", account, THROTTLE_ACCOUNT_MAX,
                                                   t_now, true, &wait, &a, err)
                                           : ESEAL_OK;
    if (rc == ESEAL_OK)
        rc = visit(t, "address", address, THROTTLE_ADDRESS_MAX, t_now, true, &wait, &c, err);
    pthread_mutex_unlock(&lock);
    if (account_now != NULL)
        *account_now = a;
    if (address_now != NULL)
        *address_now = c;
    return rc;
}

eseal_rc throttle_succeeded(const struct throttle_store *t, const char *account,
                            struct eseal_err *err)
{
    char key[KEY_MAX];
    size_t key_len = username_shaped(account) ? make_key(key, "account", account) : 0;
    if (key_len == 0)
        return ESEAL_OK;
    pthread_mutex_lock(&lock);
    eseal_rc rc = eseal_kv_delete(t->kv, t->cf, key, key_len, true, err);
    pthread_mutex_unlock(&lock);
    return rc;
}
