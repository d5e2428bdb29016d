/* clock_back.c — a test-only LD_PRELOAD shim (tests/interop/ops_watch.sh)
 * that moves the wall clock back by $ESEAL_FAULT_CLOCK_BACK seconds for
 * time(), gettimeofday() and clock_gettime(CLOCK_REALTIME...). Run under it,
 * `eseal ca init` makes certificates whose validity ended in the past, as
 * `openssl ca -startdate/-enddate` does for certificates of keys openssl can
 * read; the daemons that load them run on the real clock. Everything else
 * passes through to libc. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

time_t time(time_t *t);
int gettimeofday(struct timeval *restrict tv, void *restrict tz);
int clock_gettime(clockid_t id, struct timespec *ts);

/* back returns the seconds to take off the wall clock (0: none). */
static time_t back(void)
{
    const char *s = getenv("ESEAL_FAULT_CLOCK_BACK");
    return s != NULL ? (time_t)strtoll(s, NULL, 10) : 0;
}

static void *next(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    int (*real)(clockid_t, struct timespec *) =
        (int (*)(clockid_t, struct timespec *))next("clock_gettime");
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    int rc = real(id, ts);
    if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
        ts->tv_sec -= back();
    return rc;
}

time_t time(time_t *t)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return (time_t)-1;
    if (t != NULL)
        *t = ts.tv_sec;
    return ts.tv_sec;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz;
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return -1;
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
    return 0;
}
