/* fsync_fail.c — a test-only LD_PRELOAD shim (tests/interop/log_fault.sh)
 * that makes fsync and fdatasync fail with EIO, as a dying disk does, while
 * the file named by $ESEAL_FAULT_TRIGGER exists. With $ESEAL_FAULT_PATH set,
 * only for files whose path contains it (e.g. "/log/segments/": the event
 * log, not RocksDB). Everything else passes through to libc. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int fsync(int fd);
int fdatasync(int fd);

/* failing says whether a sync of |fd| should fail now. */
static bool failing(int fd)
{
    const char *trigger = getenv("ESEAL_FAULT_TRIGGER");
    if (trigger == NULL || access(trigger, F_OK) != 0)
        return false;
    const char *want = getenv("ESEAL_FAULT_PATH");
    if (want == NULL || want[0] == '\0')
        return true;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof(path) - 1);
    if (n < 0)
        return false;
    path[n] = '\0';
    return strstr(path, want) != NULL;
}

typedef int (*sync_fn)(int);

static int call_next(const char *name, int fd)
{
    sync_fn next = (sync_fn)dlsym(RTLD_NEXT, name);
    if (next == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return next(fd);
}

int fsync(int fd)
{
    if (failing(fd)) {
        errno = EIO;
        return -1;
    }
    return call_next("fsync", fd);
}

int fdatasync(int fd)
{
    if (failing(fd)) {
        errno = EIO;
        return -1;
    }
    return call_next("fdatasync", fd);
}
