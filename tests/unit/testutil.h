/* testutil.h — helpers shared by the cmocka unit tests. */
#ifndef ESEAL_TESTUTIL_H
#define ESEAL_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* tu_tmpdir creates a fresh directory under $TMPDIR (or /tmp) and returns its
 * path (free() it); tu_rmtree removes it and everything below. */
char *tu_tmpdir(void);
void tu_rmtree(const char *path);

/* tu_shared returns the path of a file under ../shared/testdata (from
 * $ESEAL_SHARED/testdata), newly allocated. */
char *tu_testdata(const char *name);

#endif
