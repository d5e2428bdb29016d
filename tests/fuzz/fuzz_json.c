/* fuzz_json.c — libFuzzer target for the JSON adapter (core/json.c over
 * Jansson): any bytes through eseal_json_parse with its refusals
 * (duplicate keys, depth, NUL), and what parsed printed back. */
#include <stdint.h>
#include <stdlib.h>

#include "eseal/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = NULL;
    if (eseal_json_parse(&j, data, size, NULL, NULL) == ESEAL_OK) {
        (void)eseal_json_depth(j, 1000);
        free(json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS));
    }
    json_decref(j);
    return 0;
}
