/* throttle.h — login throttling: failed logins counted per account and per
 * client address in a sliding window, kept in RocksDB so that a restart does
 * not forget them. The window arithmetic is separate from the storage so
 * tests can check it with their own clock. See docs/api.md "Login
 * throttling". */
#ifndef ESEAL_ISSUER_THROTTLE_H
#define ESEAL_ISSUER_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "eseal/kv.h"
#include "eseal/rc.h"

#define THROTTLE_WINDOW 900     /* seconds: 15 minutes */
#define THROTTLE_ACCOUNT_MAX 5  /* wrong passwords for one account within the window */
#define THROTTLE_ADDRESS_MAX 20 /* wrong passwords from one client address */
#define THROTTLE_KEEP_MAX 20    /* the most failure times one record keeps */

/* throttle_window_add records a failure at |now| in |times| (|*n| entries,
 * oldest first, room for |max| <= THROTTLE_KEEP_MAX): it drops the times that
 * left the window of |window| seconds, appends |now| and, when more than
 * |max| remain, keeps only the |max| newest. */
void throttle_window_add(int64_t *times, size_t *n, size_t max, int64_t now, int64_t window);

/* throttle_window_wait returns how many seconds (at least 1) remain until
 * fewer than |max| of |times| (|n| entries, oldest first) lie in the window
 * ending at |now|, or 0 when fewer than |max| do already. */
int64_t throttle_window_wait(const int64_t *times, size_t n, size_t max, int64_t now,
                             int64_t window);

/* struct throttle_store says where the counts live: |kv| is borrowed. */
struct throttle_store {
    struct eseal_kv *kv;
    unsigned cf;
};

/* throttle_check tells whether a login for |account| from |address| must
 * wait: *retry_after is 0 when not, else the seconds to wait, and *by_account
 * says whether the account's count (rather than the address's) is the one
 * that holds it. |account| may be NULL or not a well-formed username: then
 * only the address counts. |now| 0 means time(NULL). */
eseal_rc throttle_check(const struct throttle_store *t, const char *account, const char *address,
                        time_t now, int64_t *retry_after, bool *by_account,
                        struct eseal_err *err) ESEAL_MUST_CHECK;

/* throttle_failed counts a wrong password for |account| (as for
 * throttle_check) from |address|. *account_now and *address_now (may be
 * NULL) say whether this failure is the one that reached the limit, so the
 * caller logs each throttled account or address once. */
eseal_rc throttle_failed(const struct throttle_store *t, const char *account, const char *address,
                         time_t now, bool *account_now, bool *address_now,
                         struct eseal_err *err) ESEAL_MUST_CHECK;

/* throttle_succeeded forgets |account|'s failures after a good login (the
 * address's count stays). */
eseal_rc throttle_succeeded(const struct throttle_store *t, const char *account,
                            struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
