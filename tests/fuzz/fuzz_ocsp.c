/* fuzz_ocsp.c — libFuzzer target for OCSP requests (RFC 6960, the
 * publisher's POST /ocsp and GET /ocsp/<base64>): any bytes through
 * eseal_publisher_ocsp — d2i, the request's certificates looked up by
 * CertID in the store, an answer signed (or the pre-signed one, or a
 * malformedRequest) — of a real publisher over an empty log with a real CA
 * (fixture.h), at a fixed time; the response is parsed back as a client
 * would. Seeds: requests made by `openssl ocsp -reqout` for the CA's root
 * (SHA-1 and SHA-256 CertIDs, with and without a nonce, several serials). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ocsp.h>

#include "eseal/buf.h"
#include "eseal/config.h"
#include "eseal/log.h"
#include "eseal/publisher.h"
#include "fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct eseal_publisher *pub;

static void pub_close(void)
{
    eseal_publisher_close(pub);
    pub = NULL;
}

/* publisher opens one over an empty log, once */
static struct eseal_publisher *publisher(void)
{
    if (pub != NULL)
        return pub;
    struct eseal_ca *ca = fz_ca(ESEAL_CA_UNLOCK_RESPONDER | ESEAL_CA_UNLOCK_LOG);
    struct eseal_publisher_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    eseal_config_defaults(eseal_publisher_options, eseal_publisher_n_options, &cfg);
    free(cfg.data);
    free(cfg.log);
    free(cfg.ca);
    cfg.data = eseal_path_join(fz_dir(), "publisher");
    cfg.log = eseal_path_join(fz_dir(), "log");
    cfg.ca = eseal_path_join(fz_dir(), "ca");
    cfg.shards = 1; /* one list and CRL to sign at the start */
    struct eseal_err err;
    struct eseal_log *log = NULL;
    if (eseal_log_open(&log, cfg.log, eseal_ca_log_signer(ca), &err) != ESEAL_OK ||
        eseal_publisher_open(&pub, &cfg, ca, &err) != ESEAL_OK) {
        fprintf(stderr, "fuzz publisher: %s\n", err.msg);
        __builtin_trap();
    }
    eseal_log_close(log);
    eseal_config_cleanup(eseal_publisher_options, eseal_publisher_n_options, &cfg);
    atexit(pub_close); /* runs before the CA's clean-up, registered earlier */
    return pub;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eseal_publisher *p = publisher();
    struct eseal_buf resp;
    eseal_buf_init(&resp);
    struct eseal_publisher_ocsp_meta meta;
    (void)eseal_publisher_ocsp(p, data, size, 1767225600, &resp, &meta, NULL);
    const unsigned char *q = resp.data;
    OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &q, (long)resp.len);
    if (r == NULL) /* every request gets a well-formed response */
        __builtin_trap();
    OCSP_RESPONSE_free(r);
    eseal_buf_cleanup(&resp);
    return 0;
}
