/* fuzz_ofd.c — libFuzzer target for the OFD reader: any bytes as an OFD
 * package through the whole document engine (zip and XML adapters, the
 * package walk, every signature's checks). Seeds: ../shared/testdata/ofdrw.
 * Build: cmake -DCMAKE_C_COMPILER=clang -DESEAL_FUZZ=ON; run:
 *   build/fuzz/tests/fuzz_ofd -max_len=200000 CORPUS_DIR ../shared/testdata/ofdrw */
#include <stddef.h>
#include <stdint.h>

#include "eseal/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct eseal_container *const formats[] = {&eseal_container_ofd};
    /* a fixed validation time and no status source: nothing but the input varies */
    struct eseal_verify_opts o = {.at = 1622505600, .now = 1622505600, .no_status = true};
    struct eseal_document_report d;
    eseal_document_report_init(&d);
    eseal_verify_document(&d, formats, 1, data, size, NULL, 0, &o);
    json_t *j = eseal_document_report_json(&d);
    json_decref(j);
    eseal_document_report_cleanup(&d);
    return 0;
}
