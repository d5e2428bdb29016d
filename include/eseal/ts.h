/* ts.h — RFC 3161 time-stamps from the client's and the relying party's
 * side: making a query, checking the reply to it, and verifying a token
 * over some data (the TSA itself is eseal_ca_timestamp, ca.h; the formats
 * and the SM2 caveats in docs/tsa.md). Over OpenSSL's TS API. */
#ifndef ESEAL_TS_H
#define ESEAL_TS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

/* ESEAL_TS_TOKEN_MAX bounds a token (and a reply) we accept. */
#define ESEAL_TS_TOKEN_MAX (64 * 1024)

/* eseal_ts_query writes a DER TimeStampReq for the SM3 digest |sm3| of the
 * data into |query| (replacing it): version 1, a random 64-bit nonce,
 * certReq true (tokens carry the TSA certificate), no policy. */
eseal_rc eseal_ts_query(struct eseal_buf *query, const uint8_t sm3[32],
                        struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ts_reply_token checks that the DER TimeStampResp |reply| grants
 * |query| (status granted, the same imprint and nonce) and writes the
 * token (DER ContentInfo) into |token|. Its signature is not checked here
 * (eseal_ts_verify does, with trust anchors). A refusal is ESEAL_E_DENIED
 * with the TSA's status text; anything malformed or not matching the query
 * ESEAL_E_INVALID. */
eseal_rc eseal_ts_reply_token(struct eseal_buf *token, const uint8_t *reply, size_t reply_len,
                              const uint8_t *query, size_t query_len,
                              struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ts_fetch time-stamps |data|: eseal_ts_query over SM3(|data|), POST
 * to |url| (application/timestamp-query, |timeout_ms| 0: the httpc
 * default), eseal_ts_reply_token. A TSA that cannot be reached is
 * ESEAL_E_UNAVAILABLE, a non-200 answer ESEAL_E_IO; messages are Chinese
 * first, then English. */
eseal_rc eseal_ts_fetch(struct eseal_buf *token, const char *url, const void *data, size_t len,
                        unsigned timeout_ms, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_ts_stamp_ses time-stamps the v4 seal signature in |ses| (DER,
 * replaced in place): eseal_ts_fetch from |url| over its signature value,
 * the token put into SES_Signature.timeStamp (eseal_ses_add_timestamp).
 * On any failure |ses| is unchanged and the caller must not write it:
 * a TSA that does not answer, or answers badly, fails the stamp. */
eseal_rc eseal_ts_stamp_ses(struct eseal_buf *ses, const char *url, unsigned timeout_ms,
                            struct eseal_err *err) ESEAL_MUST_CHECK;

/* struct eseal_ts_info is what a verified (or partly verified) token says. */
struct eseal_ts_info {
    time_t gen_time; /* 0 when the token could not be read */
    char serial[44]; /* hex */
    char policy[128];
    char hash[16]; /* "sm3" or "sha256" */
    char *tsa;     /* the signer's subject (free() it; NULL if unknown) */
};

/* eseal_ts_verify checks the token |token| (DER ContentInfo, SignedData of
 * TSTInfo) over |data|: its imprint is the SM3 or SHA-256 of |data|; it is
 * signed by a certificate it carries whose critical extended key usage is
 * id-kp-timeStamping only, that chains (with the SM2 ID) to one of |trust|
 * and was valid at genTime; the SignerInfo signature (the form in
 * docs/tsa.md) and ESS signingCertificate(V2) hold. Fills |info| as far as
 * the token could be read (eseal_ts_info_cleanup). Results: a token that
 * cannot be read ESEAL_E_INVALID; an imprint over other data or a broken
 * signature ESEAL_E_CRYPTO; a signer that is not a trusted TSA
 * ESEAL_E_DENIED; |err| says which. */
eseal_rc eseal_ts_verify(const uint8_t *token, size_t len, const void *data, size_t data_len,
                         STACK_OF(X509) * trust, struct eseal_ts_info *info,
                         struct eseal_err *err) ESEAL_MUST_CHECK;
void eseal_ts_info_cleanup(struct eseal_ts_info *info);

#endif
