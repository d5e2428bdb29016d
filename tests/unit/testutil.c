/* testutil.c — temporary directories and test data paths for unit tests. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/objects.h>

#include "eseal/buf.h"
#include "eseal/sm.h"
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

X509 *tu_maker_like(X509 *maker, X509 *root, EVP_PKEY *root_key, const char *cn, bool mark)
{
    X509 *x = X509_dup(maker);
    const X509_NAME *rn = X509_get_subject_name(root);
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_NID(n, NID_countryName, MBSTRING_UTF8, (const unsigned char *)"CN", -1,
                               -1, 0);
    X509_NAME_ENTRY *org =
        X509_NAME_get_entry(rn, X509_NAME_get_index_by_NID(rn, NID_organizationName, -1));
    assert_non_null(org);
    assert_int_equal(X509_NAME_add_entry(n, org, -1, 0), 1);
    X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                               0);
    assert_int_equal(X509_set_subject_name(x, n), 1);
    X509_NAME_free(n);
    if (!mark)
        X509_EXTENSION_free(X509_delete_ext(x, X509_get_ext_by_NID(x, NID_ext_key_usage, -1)));
    assert_int_equal(eseal_x509_sign(x, root_key, NULL), ESEAL_OK);
    return x;
}

bool tu_exists(const char *dir, const char *name)
{
    char *p = eseal_path_join(dir, name);
    struct stat st;
    bool found = stat(p, &st) == 0;
    free(p);
    return found;
}
