/* fuzz_cms.c — libFuzzer target for the CMS reader of electronic
 * signatures (OFD Type="Sign", verifier/cms.c): any bytes as a GB/T 35275
 * or PKCS #7 SignedData over the fixed data FZ_SIGNED (fuzz.h), through
 * verify_cms with a fixed time, no trust anchors and no status (format,
 * signer, signed attributes, messageDigest, SM2 signature, validity), the
 * report printed as JSON. Seeds: SignedData made as tests/unit/verifier/
 * test_cms.c does (GB/T 35275 and PKCS #7 content types, with and without
 * the standard ID). */
#include <stddef.h>
#include <stdint.h>

#include "eseal/verify.h"
#include "fuzz.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t signed_data[] = FZ_SIGNED;
    struct eseal_verify_opts o = {.at = 1767225600, .now = 1767225600, .no_status = true};
    (void)verify_cms_is(data, size);
    struct eseal_report r;
    eseal_report_init(&r);
    verify_cms(&r, data, size, signed_data, sizeof(signed_data) - 1, &o);
    json_decref(eseal_report_json(&r));
    eseal_report_cleanup(&r);
    return 0;
}
