/* fuzz_tsa_query.c — libFuzzer target for RFC 3161 time-stamp queries (the
 * publisher's POST /tsa): any bytes through eseal_ca_timestamp of a real
 * CA (fixture.h) with the publisher's policy; every query, granted or
 * refused, gets a TimeStampResp that parses. Seeds: queries made by
 * eseal_ts_query (SM3, nonce, certReq) and `openssl ts -query` (SHA-256). */
#include <stddef.h>
#include <stdint.h>

#include <openssl/ts.h>

#include "eseal/buf.h"
#include "eseal/ca.h"
#include "eseal/publisher.h"
#include "fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct eseal_ca_tsa_policy pol = {.policy_oid = ESEAL_PUBLISHER_TSA_POLICY,
                                                   .accuracy_ms = 1000};
    struct eseal_buf reply;
    eseal_buf_init(&reply);
    eseal_rc rc = eseal_ca_timestamp(fz_ca(ESEAL_CA_UNLOCK_TSA), &pol, data, size, &reply, NULL);
    const unsigned char *q = reply.data;
    TS_RESP *r = reply.len > 0 ? d2i_TS_RESP(NULL, &q, (long)reply.len) : NULL;
    if ((rc == ESEAL_OK || rc == ESEAL_E_INVALID) && r == NULL)
        __builtin_trap();
    TS_RESP_free(r);
    eseal_buf_cleanup(&reply);
    return 0;
}
