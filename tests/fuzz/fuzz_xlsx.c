/* fuzz_xlsx.c — libFuzzer target for the summary-sheet reader: any bytes
 * as an uploaded xlsx checked against the example's forms (zip and XML
 * adapters, shared and inline strings, cell references, the comparison).
 * Seeds: any summary.xlsx eseal-issuerd gives (GET …/print/summary.xlsx).
 * Build: cmake -DCMAKE_C_COMPILER=clang -DESEAL_FUZZ=ON; run:
 *   build/fuzz/tests/fuzz_xlsx -max_len=200000 CORPUS_DIR */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../unit/issuer/example.h"
#include "form.h"
#include "print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct eseal_submission *s;
    struct eseal_err err;
    if (s == NULL && eseal_submission_parse(&s, example_submission, strlen(example_submission),
                                            &err) != ESEAL_OK)
        __builtin_trap();
    struct eseal_print_row rows[2] = {{s, &s->forms[0]}, {s, &s->forms[1]}};
    json_t *diffs = NULL;
    if (eseal_print_summary_check(rows, 2, data, size, &diffs, &err) == ESEAL_OK)
        json_decref(diffs);
    return 0;
}
