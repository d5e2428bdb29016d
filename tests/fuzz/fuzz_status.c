/* fuzz_status.c — libFuzzer target for the signed per-seal status response
 * a relying party fetches (status.h, SealStatusResponse): any bytes through
 * eseal_status_parse (what eseal_status_verify reads before its signature
 * check); the tbs and signature spans must lie inside the input.
 * Seeds: responses signed by eseal_status_sign (tests/fuzz/corpus/fuzz_status). */
#include <stddef.h>
#include <stdint.h>

#include "eseal/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eseal_status_info info;
    const uint8_t *tbs = NULL, *sig = NULL;
    size_t tbs_len = 0, sig_len = 0;
    if (eseal_status_parse(&info, data, size, &tbs, &tbs_len, &sig, &sig_len, NULL) == ESEAL_OK) {
        /* the spans lie inside the input */
        if (tbs < data || tbs + tbs_len > data + size || sig < data || sig + sig_len > data + size)
            __builtin_trap();
        (void)eseal_status_name(info.status);
        (void)eseal_status_reason_code(info.reason);
    }
    return 0;
}
