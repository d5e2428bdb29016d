/* testutil.h — helpers shared by the cmocka unit tests. */
#ifndef ESEAL_TESTUTIL_H
#define ESEAL_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* tu_tmpdir creates a fresh directory under $TMPDIR (or /tmp) and returns its
 * path (free() it); tu_rmtree removes it and everything below. */
char *tu_tmpdir(void);
void tu_rmtree(const char *path);

/* tu_exists says whether <dir>/<name> exists. */
bool tu_exists(const char *dir, const char *name);

/* tu_shared returns the path of a file under ../shared/testdata (from
 * $ESEAL_SHARED/testdata), newly allocated. */
char *tu_testdata(const char *name);

/* tu_maker_like re-issues the key of |maker| named C=CN, O=<|root|'s O>,
 * CN=|cn|, with its extended key usage kept (|mark|) or removed, signed
 * by |root_key|: a seal maker as a CA made before #19 has it (CN
 * ESEAL_PLATFORM_MAKER_CN_V1, no mark), or one that only looks like the
 * maker. The caller frees it. */
X509 *tu_maker_like(X509 *maker, X509 *root, EVP_PKEY *root_key, const char *cn, bool mark);

#endif
