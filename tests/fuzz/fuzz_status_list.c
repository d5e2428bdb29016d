/* fuzz_status_list.c — libFuzzer target for the signed status lists (full
 * and delta, status.h StatusList): any bytes through
 * eseal_status_list_parse, every entry read back.
 * Seeds: lists signed by eseal_status_list_sign (tests/fuzz/corpus/fuzz_status_list). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eseal/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eseal_status_list l;
    memset(&l, 0, sizeof(l));
    if (eseal_status_list_parse(&l, data, size, NULL) == ESEAL_OK) {
        if (l.tbs < data || l.tbs + l.tbs_len > data + size || l.sig < data ||
            l.sig + l.sig_len > data + size || l.shard >= l.shard_count)
            __builtin_trap();
        for (size_t i = 0; i < l.n_entries; i++) {
            if (strlen(l.entries[i].esid) > ESEAL_STATUS_ESID_MAX)
                __builtin_trap();
            (void)eseal_status_shard(l.entries[i].esid, l.shard_count);
        }
    }
    eseal_status_list_cleanup(&l);
    return 0;
}
