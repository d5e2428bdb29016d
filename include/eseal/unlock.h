/* unlock.h — the platform's PIN unlock code (口令解锁码): one definition of
 * the format, shared by the CA side that makes codes (ca/unlock.c,
 * eseal_ca_unlock_code) and the token side that checks them (core/token.c).
 *
 *   UnlockCode ::= SEQUENCE {
 *       tbs                UnlockTBS,
 *       certs              SEQUENCE OF OCTET STRING,  -- DER: [seal-maker cert, root cert]
 *       signatureAlgorithm OBJECT IDENTIFIER,         -- SM2-with-SM3 1.2.156.10197.1.501
 *       signature          BIT STRING }               -- DER SEQUENCE{r,s} over the tbs bytes
 *   UnlockTBS ::= SEQUENCE {
 *       version   INTEGER,        -- 1
 *       tokenId   UTF8String,     -- 16 lower-case hex digits
 *       counter   INTEGER,        -- the token's unlock counter the code is good for
 *       issuedAt  GeneralizedTime }
 *
 * DER from OpenSSL ASN1_SEQUENCE templates, PEM-armoured as
 * "ESEAL UNLOCK CODE". The signature is made with the seal-maker key and the
 * standard SM2 ID over the original bytes of tbs. This module only encodes
 * and decodes; who may sign and how the token trusts the signer is the
 * token's business (docs/token.md). */
#ifndef ESEAL_UNLOCK_H
#define ESEAL_UNLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

#define ESEAL_UNLOCK_VERSION 1
#define ESEAL_UNLOCK_PEM_LABEL "ESEAL UNLOCK CODE"
/* ESEAL_UNLOCK_MAX_INPUT bounds a code file: two certificates and a few bytes. */
#define ESEAL_UNLOCK_MAX_INPUT (64 * 1024)
/* ESEAL_UNLOCK_COUNTER_MAX bounds the counter so it fits every integer type
 * it passes through (JSON, int options). */
#define ESEAL_UNLOCK_COUNTER_MAX 0x7fffffffU
/* A code is good for ESEAL_UNLOCK_MAX_AGE seconds after issuedAt; issuedAt
 * may be at most ESEAL_UNLOCK_MAX_SKEW seconds in the future (clock skew). */
#define ESEAL_UNLOCK_MAX_AGE (7 * 24 * 3600)
#define ESEAL_UNLOCK_MAX_SKEW 300

/* ESEAL_TOKEN_ID_LEN is the length of a token id: 16 lower-case hex digits
 * (64 random bits). */
#define ESEAL_TOKEN_ID_LEN 16

/* ESEAL_PLATFORM_MAKER_EKU is the extended key usage (id-kp-esealSealMaker)
 * that marks the platform's seal-maker certificate (ca/init.c): how a token
 * recognises the maker among the root's certificates, whatever the maker is
 * named (#19). An OID under 2.25 (a UUID, ITU-T X.667) needs no registry.
 * The CA gives holders a fixed extension set without any extended key
 * usage (ca/issue.c), so no holder carries it. */
#define ESEAL_PLATFORM_MAKER_EKU "2.25.197075071872902311975446450520614456110"
/* ESEAL_PLATFORM_MAKER_CN_V1 is the fixed CN of the seal maker in CAs made
 * before the maker had the mark above; such a maker is still recognised by
 * its exact subject C=CN, O=<the root's O>, CN=ESEAL_PLATFORM_MAKER_CN_V1.
 * The CA refuses to certify any other subject whose CN starts with
 * ESEAL_PLATFORM_CN_PREFIX, so only the old maker carries it. */
#define ESEAL_PLATFORM_MAKER_CN_V1 "eSeal Platform Seal Maker"
#define ESEAL_PLATFORM_CN_PREFIX "eSeal Platform"

/* eseal_unlock_is_platform_maker tells whether |maker| is marked as the
 * platform's seal maker of |root|: it lists ESEAL_PLATFORM_MAKER_EKU, or it
 * is an old maker named exactly C=CN, O=<|root|'s O>,
 * CN=ESEAL_PLATFORM_MAKER_CN_V1. It checks names and extensions only: that
 * |root| issued |maker| is the caller's check. */
bool eseal_unlock_is_platform_maker(X509 *maker, X509 *root);

/* eseal_token_id_valid tells whether |id| is a well-formed token id. */
bool eseal_token_id_valid(const char *id);

/* struct eseal_unlock_code is a decoded code. Everything in it is owned by
 * the struct: free it with eseal_unlock_code_free. Nothing in it has been
 * verified beyond its shape (version 1, a valid token id, counter in range,
 * two certificates, SM2-with-SM3, a whole-byte signature). */
struct eseal_unlock_code {
    char token_id[ESEAL_TOKEN_ID_LEN + 1];
    uint32_t counter;
    time_t issued_at;
    X509 *maker;          /* certs[0]: who signed */
    X509 *root;           /* certs[1]: who certified the signer */
    struct eseal_buf tbs; /* the original DER bytes of tbs: what was signed */
    struct eseal_buf sig; /* DER SEQUENCE{r, s} */
};

/* eseal_unlock_code_make builds a code for |token_id| and |counter| issued at
 * |issued_at|, carrying |maker| and |root|, and signed by calling
 * |sign|(|sign_ctx|, tbs, tbs_len, sig, err) — e.g. a wrapper round
 * eseal_ca_sign with the maker role. The PEM text goes into |out|
 * (replacing it). A malformed id or a counter over ESEAL_UNLOCK_COUNTER_MAX
 * is ESEAL_E_INVALID; a failing |sign| passes its code through. */
eseal_rc eseal_unlock_code_make(struct eseal_buf *out, const char *token_id, uint32_t counter,
                                time_t issued_at, X509 *maker, X509 *root,
                                eseal_rc (*sign)(void *sign_ctx, const uint8_t *msg, size_t msg_len,
                                                 struct eseal_buf *sig, struct eseal_err *err),
                                void *sign_ctx, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_unlock_code_parse decodes a code, PEM ("ESEAL UNLOCK CODE") or DER,
 * at most ESEAL_UNLOCK_MAX_INPUT bytes, DER consumed exactly. *out is the
 * caller's. Anything malformed is ESEAL_E_INVALID (ESEAL_E_TOOBIG if too
 * large) with a one-line reason. */
eseal_rc eseal_unlock_code_parse(struct eseal_unlock_code **out, const uint8_t *data, size_t len,
                                 struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_unlock_code_free frees |code|. Accepts NULL. */
void eseal_unlock_code_free(struct eseal_unlock_code *code);

#endif
