/* pki.h — X.509 objects in and out: bounded PEM-or-DER parsing, PEM output,
 * SM3 fingerprints, printable names and times, and private keys at rest
 * (wrapped with eseal_wrap, armoured as PEM, files mode 0600). */
#ifndef ESEAL_PKI_H
#define ESEAL_PKI_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

/* ESEAL_PKI_MAX_INPUT bounds a certificate or request file. */
#define ESEAL_PKI_MAX_INPUT (64 * 1024)

/* eseal_pki_cert_parse and eseal_pki_req_parse accept PEM or DER (detected by
 * content; DER must be consumed exactly); eseal_pki_req_parse also accepts
 * bare Base64 of the DER (line breaks allowed), as devices often give it. *out is the caller's.
 * Garbage, trailing bytes or input over ESEAL_PKI_MAX_INPUT is ESEAL_E_INVALID / ESEAL_E_TOOBIG. */
eseal_rc eseal_pki_cert_parse(X509 **out, const uint8_t *data, size_t len,
                              struct eseal_err *err) ESEAL_MUST_CHECK;
eseal_rc eseal_pki_req_parse(X509_REQ **out, const uint8_t *data, size_t len,
                             struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_pki_cert_load reads and parses a certificate file; messages name it. */
eseal_rc eseal_pki_cert_load(X509 **out, const char *path, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_pki_cert_pem returns the PEM text of |x| (free() it). */
char *eseal_pki_cert_pem(X509 *x);
/* eseal_pki_cert_der writes the DER of |x| into |out| (replacing it). */
void eseal_pki_cert_der(X509 *x, struct eseal_buf *out);
/* eseal_pki_cert_sm3 returns the hex SM3 fingerprint of the DER (free() it). */
char *eseal_pki_cert_sm3(X509 *x);
/* eseal_pki_name returns |name| as UTF-8 text with RFC 2253 escaping, fields
 * in certificate order: "C=CN,O=...,CN=..." (free() it). */
char *eseal_pki_name(const X509_NAME *name);
/* eseal_pki_serial returns an INTEGER as upper-case hex (free() it). */
char *eseal_pki_serial(const ASN1_INTEGER *serial);
/* eseal_pki_time returns |t| as "YYYY-MM-DDTHH:MM:SSZ" (free() it). */
char *eseal_pki_time(const ASN1_TIME *t);
/* eseal_pki_cert_json describes |x| for people and scripts: {"subject",
 * "issuer", "serial", "not_before", "not_after", "sm3_fingerprint"} (a new
 * reference, the caller's). */
json_t *eseal_pki_cert_json(X509 *x);

/* eseal_pki_key_save writes |key| (PKCS#8, wrapped under |pass|) to |path|
 * with mode 0600, refusing to overwrite (ESEAL_E_CONFLICT). */
eseal_rc eseal_pki_key_save(const char *path, EVP_PKEY *key, const void *pass, size_t pass_len,
                            struct eseal_err *err) ESEAL_MUST_CHECK;
/* eseal_pki_key_load reads a key written by eseal_pki_key_save. Wrong
 * passphrase is ESEAL_E_CRYPTO. *out is the caller's. */
eseal_rc eseal_pki_key_load(EVP_PKEY **out, const char *path, const void *pass, size_t pass_len,
                            struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_pki_secret_save and _load do the same for raw secret bytes (such as
 * an Ed25519 seed) under the PEM label |label|. */
eseal_rc eseal_pki_secret_save(const char *path, const char *label, const void *secret,
                               size_t secret_len, const void *pass, size_t pass_len,
                               struct eseal_err *err) ESEAL_MUST_CHECK;
eseal_rc eseal_pki_secret_load(struct eseal_buf *out, const char *path, const char *label,
                               const void *pass, size_t pass_len,
                               struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_pki_days_left returns the days from now until |x|'s notAfter,
 * fractional, negative once it has passed (0 for NULL): the expiry gauges
 * of GET /metrics and the checks of /healthz. */
double eseal_pki_days_left(const X509 *x);

#endif
