/* fuzz_zip.c — libFuzzer target for the zip adapter (core/zip.c over
 * libzip and libdeflate): any bytes opened as a package with the refusals
 * of zip.h, every entry expanded, every name resolved as a path. Small
 * limits keep each input cheap; the refusals are the same code. */
#include <stdint.h>
#include <stdlib.h>

#include "eseal/zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct eseal_zip_limits lim = {1000, 1 << 20, 4 << 20};
    struct eseal_zip *z = NULL;
    if (eseal_zip_open(&z, data, size, &lim, NULL) != ESEAL_OK)
        return 0;
    for (size_t i = 0; i < eseal_zip_count(z); i++) {
        const char *name = eseal_zip_name(z, i);
        const uint8_t *d = NULL;
        size_t len = 0;
        (void)eseal_zip_has(z, name);
        (void)eseal_zip_get(z, name, &d, &len, NULL);
        char *dir = eseal_zip_dir(name);
        free(eseal_zip_resolve(dir, name));
        free(dir);
    }
    eseal_zip_free(z);
    return 0;
}
