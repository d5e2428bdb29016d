/* testca.h — a real platform CA as a test fixture for components below
 * libeseal-ca (core, verifier), without linking it: the CA is made and asked
 * to issue by the `eseal` command ($ESEAL), and its keys are read back with
 * core's own key loader. What the CA does itself is tested in
 * tests/unit/ca/; here it only supplies certificates and signatures. */
#ifndef ESEAL_TESTCA_H
#define ESEAL_TESTCA_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

/* TU_CA_PASS is the fixture CA's passphrase (for a test that opens it
 * with libeseal-ca itself, see ESEAL_UNIT_WITH_CA in tests/CMakeLists.txt). */
#define TU_CA_PASS "test CA passphrase"

/* The roles, in the CA's order (ca.h). */
enum tu_ca_role { TU_CA_ROOT, TU_CA_MAKER, TU_CA_RESPONDER, TU_CA_NROLES };

struct tu_ca {
    char *dir;
    X509 *cert[TU_CA_NROLES];
    EVP_PKEY *key[TU_CA_NROLES];
};

/* tu_ca_new runs `eseal ca init --dir |dir|` and loads the certificates
 * and private keys; NULL (with a message on stderr) on failure. Free with
 * tu_ca_free (accepts NULL). */
struct tu_ca *tu_ca_new(const char *dir);
void tu_ca_free(struct tu_ca *ca);

/* tu_ca_cert returns the certificate of |role| (borrowed). */
X509 *tu_ca_cert(const struct tu_ca *ca, enum tu_ca_role role);

/* tu_ca_issue has the CA issue a certificate for the PKCS#10 request |csr|
 * with `eseal ca issue --profile |profile| --days |days|`; *out is the
 * caller's. When the CA refuses, ESEAL_E_INVALID with its message in |err|. */
eseal_rc tu_ca_issue(struct tu_ca *ca, const uint8_t *csr, size_t csr_len, const char *profile,
                     int days, X509 **out, struct eseal_err *err);

/* tu_ca_maker_signer and tu_ca_responder_signer are eseal_signer callbacks
 * (sm.h) with the maker or responder key of the struct tu_ca |ca|. */
eseal_rc tu_ca_maker_signer(void *ca, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                            struct eseal_err *err);
eseal_rc tu_ca_responder_signer(void *ca, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                                struct eseal_err *err);

/* tu_ca_unlock_code makes a PIN unlock code as the CA does (unlock.h):
 * issued now, signed by the maker, carrying maker and root. */
eseal_rc tu_ca_unlock_code(struct tu_ca *ca, const char *token_id, uint32_t counter,
                           struct eseal_buf *out, struct eseal_err *err);

#endif
