/* fuzz_seal.c — libFuzzer target for the seal parsers: any bytes as a seal
 * (SESeal v1 GM/T 0031-2014, v4 GB/T 38540, v5) and as a seal signature
 * (SES_Signature v1/v4/v5), then every accessor a verifier reads.
 * Seeds: tests/fuzz/corpus/fuzz_seal and ../shared/testdata/ofdrw. */
#include <stddef.h>
#include <stdint.h>

#include "eseal/seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* walk reads everything of a parsed seal, as the verifier does */
static void walk(const struct eseal_seal *seal)
{
    const struct eseal_seal_info *si = eseal_seal_info(seal);
    for (size_t i = 0; i < si->n_certs; i++) {
        const uint8_t *der = NULL;
        size_t len = 0;
        if (eseal_seal_cert(seal, i, &der, &len) == ESEAL_OK)
            (void)eseal_seal_has_cert(seal, der, len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eseal_seal *seal = NULL;
    if (eseal_seal_parse(&seal, data, size, NULL) == ESEAL_OK)
        walk(seal);
    eseal_seal_free(seal);
    struct eseal_ses *ses = NULL;
    if (eseal_ses_parse(&ses, data, size, NULL) == ESEAL_OK)
        walk(eseal_ses_info(ses)->seal);
    eseal_ses_free(ses);
    return 0;
}
