/* fuzz_csr.c — libFuzzer target for PKCS#10 certificate requests (an
 * applicant's seal-key CSR, uploaded as a material): any bytes as PEM, DER
 * or base64 through the issuer's content detection (eseal_content_detect)
 * and eseal_pki_req_parse, then the CA's whole path for a unit, personal and
 * device certificate (eseal_ca_issue: SM2 key, SM2-with-SM3 self-signature with
 * the standard ID, the subject's fields and the profile's rules), with a
 * real CA made once (fixture.h). Seeds: requests made as a token does
 * (SM2, PEM and DER), and OpenSSL's with the empty ID. */
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "eseal/ca.h"
#include "eseal/pki.h"
#include "eseal/sm.h"
#include "fixture.h"
#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eseal_ca *ca = fz_ca(ESEAL_CA_UNLOCK_ROOT);
    (void)eseal_content_detect(data, size);
    X509_REQ *req = NULL;
    if (eseal_pki_req_parse(&req, data, size, NULL) == ESEAL_OK) {
        (void)eseal_x509_req_check(req, NULL);
        X509_REQ_free(req);
        static const enum eseal_ca_profile profiles[] = {
            ESEAL_CA_PROFILE_UNIT, ESEAL_CA_PROFILE_PERSONAL, ESEAL_CA_PROFILE_DEVICE};
        for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
            X509 *cert = NULL;
            if (eseal_ca_issue(ca, data, size, profiles[i], 30, &cert, NULL) == ESEAL_OK &&
                cert == NULL)
                __builtin_trap();
            X509_free(cert);
        }
    }
    return 0;
}
