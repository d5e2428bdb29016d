/* fixture.c — the fuzz targets' CA: the committed test CA of
 * tests/fuzz/ca/ copied into a temporary directory removed at exit
 * (fixture.h). */
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eseal/buf.h"
#include "fixture.h"

static char fz_tmp[] = "/tmp/eseal-fuzz-XXXXXX";
static struct eseal_ca *ca;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void fz_cleanup(void)
{
    eseal_ca_free(ca);
    ca = NULL;
    (void)nftw(fz_tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* copy_ca copies the files of ESEAL_FUZZ_CA into |dir| (made, 0700) as a
 * CA keeps them: 0600 */
static eseal_rc copy_ca(const char *dir, struct eseal_err *err)
{
    if (mkdir(dir, 0700) != 0)
        return eseal_err_set(err, ESEAL_E_IO, "%s: cannot make it", dir);
    DIR *d = opendir(ESEAL_FUZZ_CA);
    if (d == NULL)
        return eseal_err_set(err, ESEAL_E_IO, "%s: cannot read it", ESEAL_FUZZ_CA);
    eseal_rc rc = ESEAL_OK;
    struct eseal_buf b;
    eseal_buf_init(&b);
    for (struct dirent *e; rc == ESEAL_OK && (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char *from = eseal_path_join(ESEAL_FUZZ_CA, e->d_name);
        char *to = eseal_path_join(dir, e->d_name);
        rc = eseal_file_read(&b, from, 1 << 20, err);
        if (rc == ESEAL_OK)
            rc = eseal_file_write(to, b.data, b.len, 0600, 1, err);
        free(from);
        free(to);
    }
    eseal_buf_cleanup(&b);
    closedir(d);
    return rc;
}

struct eseal_ca *fz_ca(unsigned keys)
{
    if (ca != NULL)
        return ca;
    if (mkdtemp(fz_tmp) == NULL)
        __builtin_trap();
    atexit(fz_cleanup);
    char *dir = eseal_path_join(fz_tmp, "ca");
    struct eseal_err err;
    if (copy_ca(dir, &err) != ESEAL_OK || eseal_ca_open(&ca, dir, &err) != ESEAL_OK ||
        eseal_ca_unlock(ca, keys, FZ_CA_PASS, strlen(FZ_CA_PASS), &err) != ESEAL_OK) {
        fprintf(stderr, "fuzz CA: %s\n", err.msg);
        __builtin_trap();
    }
    free(dir);
    return ca;
}

const char *fz_dir(void)
{
    if (ca == NULL)
        __builtin_trap();
    return fz_tmp;
}
