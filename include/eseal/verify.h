/* verify.h — libeseal-verify: validate seal signatures and seals and explain
 * the verdict (ETSI EN 319 102-1 style, DESIGN.md §7).
 *
 * A validation produces a struct eseal_report: an indication (TOTAL_PASSED,
 * TOTAL_FAILED, INDETERMINATE), a sub-indication, and every check in order
 * with its status, stable key, Chinese and English message, expected and
 * actual values. The checks, in order:
 *   format, data_hash, signature, signer_in_seal, seal_signature, chain,
 *   validity, status
 * The verdict is the worst outcome (failed > indeterminate > passed); the
 * sub-indication is that of the first check with the worst outcome.
 *
 * Time: timeInfo inside a signature is only a claim. Without a verified
 * time-stamp token the best signature time is the validation time, so a seal
 * or certificate that expired before it gives INDETERMINATE
 * OUT_OF_BOUNDS_NO_POE, never TOTAL_PASSED. */
#ifndef ESEAL_VERIFY_H
#define ESEAL_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "eseal/rc.h"

enum eseal_indication {
    ESEAL_TOTAL_PASSED,
    ESEAL_TOTAL_FAILED,
    ESEAL_INDETERMINATE,
};

enum eseal_check_status {
    ESEAL_CHECK_PASSED,
    ESEAL_CHECK_FAILED,
    ESEAL_CHECK_INDETERMINATE,
    ESEAL_CHECK_SKIPPED,
};

/* struct eseal_check is one step of a validation; strings are owned by the
 * report (freed by eseal_report_cleanup). */
struct eseal_check {
    const char *key;            /* stable key, e.g. "data_hash" (static) */
    enum eseal_check_status status;
    const char *sub_indication; /* e.g. "HASH_FAILURE" when not passed (static), else NULL */
    char *message_zh;
    char *message_en;
    char *expected;             /* may be NULL */
    char *actual;               /* may be NULL */
};

/* struct eseal_report is caller-owned storage: eseal_report_init before use,
 * eseal_report_cleanup after. */
struct eseal_report {
    enum eseal_indication indication;
    const char *sub_indication; /* static, NULL when TOTAL_PASSED */
    struct eseal_check *checks;
    size_t n_checks;
    time_t validation_time;
    time_t best_signature_time;
    time_t claimed_time;        /* timeInfo; 0 when not a signature */
    char *esid;                 /* of the seal, when it could be parsed */
    char *seal_name;
    char *signer;               /* signer certificate subject */
    char *property_info;        /* the signed file's name or path */
    char *status_source;        /* "none (--no-status)" for now */
};

void eseal_report_init(struct eseal_report *r);
void eseal_report_cleanup(struct eseal_report *r);

/* eseal_report_json returns the report as JSON (caller decrefs):
 * {indication, subIndication, validationTime, bestSignatureTime, claimedTime,
 *  esID, sealName, signer, propertyInfo, statusSource,
 *  checks: [{key, status, subIndication, message: {zh, en}, expected, actual}]} */
json_t *eseal_report_json(const struct eseal_report *r);

/* eseal_report_print writes a readable summary, one line per check. */
void eseal_report_print(const struct eseal_report *r, FILE *out);

/* eseal_report_exit_code maps the indication to 0 passed, 1 failed,
 * 2 indeterminate. */
int eseal_report_exit_code(const struct eseal_report *r);

/* eseal_indication_name returns "TOTAL_PASSED", "TOTAL_FAILED" or "INDETERMINATE". */
const char *eseal_indication_name(enum eseal_indication i);

struct eseal_verify_opts {
    STACK_OF(X509) *trust; /* trust anchors; NULL or empty: chain INDETERMINATE */
    time_t at;             /* validation time; 0 means now */
    bool no_status;        /* skip the status check and say so */
};

/* eseal_verify_ses validates the seal signature |ses|/|ses_len| over a
 * document whose SM3 digest is |data_sm3| (NULL when the document is not
 * available: SIGNED_DATA_NOT_FOUND). Fills |r| (initialised by the caller). */
void eseal_verify_ses(struct eseal_report *r, const uint8_t *ses, size_t ses_len,
                      const uint8_t *data_sm3, const struct eseal_verify_opts *o);

/* eseal_verify_seal validates a seal alone: format, seal_signature, chain
 * (of the maker certificate), validity of the seal at the validation time. */
void eseal_verify_seal(struct eseal_report *r, const uint8_t *seal, size_t seal_len,
                       const struct eseal_verify_opts *o);

/* eseal_verify_load_trust reads one or more PEM certificates from |path|
 * into a new stack (caller frees with sk_X509_pop_free(..., X509_free)). */
eseal_rc eseal_verify_load_trust(STACK_OF(X509) **out, const char *path,
                                 struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
