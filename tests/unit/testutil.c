/* testutil.c — temporary directories and test data paths for unit tests. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "eseal/buf.h"
#include "testutil.h"

char *tu_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = eseal_xasprintf("%s/eseal-test-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(tmpl) == NULL) {
        perror("mkdtemp");
        abort();
    }
    return tmpl;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_rmtree(const char *path)
{
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *tu_testdata(const char *name)
{
    const char *shared = getenv("ESEAL_SHARED");
    return eseal_xasprintf("%s/testdata/%s", shared && *shared ? shared : "../shared", name);
}
