/* fuzz_ts.c — libFuzzer target for RFC 3161 time-stamp tokens (core/ts.c:
 * the timeStamp of a seal signature, or a TSA's reply): any bytes as a
 * token over the fixed data FZ_SIGNED (fuzz.h) through eseal_ts_verify,
 * with the root of the test CA whose TSA made the seeds (tests/fuzz/ca/) as
 * the only trust anchor, so a well-formed token reaches the imprint, signer,
 * chain and ESS checks.
 * Seeds: tokens of the CA's TSA (eseal_ca_timestamp) over FZ_SIGNED with
 * SM3 and SHA-256 imprints, with and without the TSA certificate. */
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "eseal/ts.h"
#include "eseal/buf.h"
#include "eseal/pki.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t signed_data[] = FZ_SIGNED;
    static STACK_OF(X509) * trust;
    if (trust == NULL) {
        trust = sk_X509_new_null();
        X509 *root = NULL;
        struct eseal_buf pem;
        eseal_buf_init(&pem);
        if (eseal_file_read(&pem, ESEAL_FUZZ_CA "/root.pem", 1 << 16, NULL) != ESEAL_OK ||
            eseal_pki_cert_parse(&root, pem.data, pem.len, NULL) != ESEAL_OK)
            __builtin_trap();
        eseal_buf_cleanup(&pem);
        sk_X509_push(trust, root);
    }
    struct eseal_ts_info info = {0};
    (void)eseal_ts_verify(data, size, signed_data, sizeof(signed_data) - 1, trust, &info, NULL);
    eseal_ts_info_cleanup(&info);
    return 0;
}
