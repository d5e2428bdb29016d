/* fuzz_ocsp.c — libFuzzer target for OCSP requests (RFC 6960, the
 * publisher's POST /ocsp and GET /ocsp/<base64>): any bytes through
 * eseal_publisher_ocsp — d2i, the request's certificates looked up by
 * CertID in the store, an answer signed (or the pre-signed one, or a
 * malformedRequest) — of a real publisher with the test CA (fixture.h)
 * over a log of three seals (good, revoked, suspended), at a fixed time;
 * the response is parsed back as a client would. Seeds: requests made by `openssl ocsp -reqout` for
 * the CA's root (SHA-1 and SHA-256 CertIDs, with and without a nonce, several serials). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ocsp.h>

#include "eseal/buf.h"
#include "eseal/config.h"
#include "eseal/json.h"
#include "eseal/log.h"
#include "eseal/publisher.h"
#include "fixture.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct eseal_publisher *pub;

/* the fixed time of every answer: 2026-01-01 */
#define NOW 1767225600

static void pub_close(void)
{
    eseal_publisher_close(pub);
    pub = NULL;
}

/* The seals the log holds, by the certificate serials the seeds ask about
 * (tests/fuzz/corpus/fuzz_ocsp: 1F2E3D4C5B6A7988, 1000, 104D), so that a
 * request reaches the pre-signed responses and the store's records. */
static const struct {
    const char *type, *esid, *status, *reason, *serial;
} seals[] = {
    {"seal.activated", "35010200000001", "good", NULL, "1F2E3D4C5B6A7988"},
    {"seal.revoked", "35010200000002", "revoked", "keyCompromise", "1000"},
    {"seal.suspended", "35010200000003", "suspended", "certificateHold", "104D"},
};

/* append_seals writes those events to the log in |dir| */
static eseal_rc append_seals(const char *dir, struct eseal_ca *ca, struct eseal_err *err)
{
    struct eseal_log *log = NULL;
    eseal_rc rc = eseal_log_open(&log, dir, eseal_ca_log_signer(ca), err);
    for (size_t i = 0; rc == ESEAL_OK && i < sizeof(seals) / sizeof(seals[0]); i++) {
        json_t *d =
            json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "esid", seals[i].esid, "version", 1,
                      "status", seals[i].status, "seal_sm3", FZ_HEX64, "picture_sm3", FZ_HEX64,
                      "cert_serial", seals[i].serial, "valid_start", "2025-06-01T00:00:00Z",
                      "valid_end", "2027-06-01T00:00:00Z", "kind", "unit");
        if (seals[i].reason != NULL) {
            json_object_set_new(d, "reason", json_string(seals[i].reason));
            json_object_set_new(d, "revoked_at", json_string("2025-12-01T10:00:00Z"));
        }
        json_t *e =
            json_pack("{s:i,s:s,s:s,s:{s:s,s:s},s:o}", "v", 1, "type", seals[i].type, "seal",
                      seals[i].esid, "actor", "id", "maker1", "role", "maker", "data", d);
        rc = eseal_log_append(log, e, NULL, err);
        json_decref(e);
    }
    if (rc == ESEAL_OK)
        rc = eseal_log_sync(log, err);
    eseal_log_close(log);
    return rc;
}

/* publisher opens one over that log and applies it, once */
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
    cfg.shards = 1; /* one list and CRL to sign */
    struct eseal_err err;
    size_t applied = 1;
    eseal_rc rc = append_seals(cfg.log, ca, &err);
    if (rc == ESEAL_OK)
        rc = eseal_publisher_open(&pub, &cfg, ca, &err);
    while (rc == ESEAL_OK && applied > 0)
        rc = eseal_publisher_step(pub, NOW, &applied, &err);
    if (rc != ESEAL_OK) {
        fprintf(stderr, "fuzz publisher: %s\n", err.msg);
        __builtin_trap();
    }
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
    (void)eseal_publisher_ocsp(p, data, size, NOW, &resp, &meta, NULL);
    const unsigned char *q = resp.data;
    OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &q, (long)resp.len);
    if (r == NULL) /* every request gets a well-formed response */
        __builtin_trap();
    OCSP_RESPONSE_free(r);
    eseal_buf_cleanup(&resp);
    return 0;
}
