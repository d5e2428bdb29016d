/* internal.h — what the files of libeseal-verify share: the table of check
 * outcomes (one row per check and outcome, with the Chinese and English
 * message) and the helper that appends a check to a report. */
#ifndef ESEAL_VERIFIER_INTERNAL_H
#define ESEAL_VERIFIER_INTERNAL_H

#include <time.h>

#include "eseal/verify.h"

/* enum verify_outcome names one row of the outcome table in report.c. The
 * prefix is the check's stable key. */
enum verify_outcome {
    V_FORMAT_SES_OK,
    V_FORMAT_SEAL_OK,
    V_FORMAT_SES_BAD,
    V_FORMAT_SEAL_BAD,
    V_DATA_HASH_OK,
    V_DATA_HASH_MISMATCH,
    V_DATA_HASH_NO_DOCUMENT,
    V_SIGNATURE_OK,
    V_SIGNATURE_BAD,
    V_SIGNER_IN_SEAL_OK,
    V_SIGNER_IN_SEAL_MISSING,
    V_SEAL_SIGNATURE_OK,
    V_SEAL_SIGNATURE_BAD,
    V_CHAIN_OK,
    V_CHAIN_NO_TRUST,
    V_CHAIN_BROKEN,
    V_VALIDITY_OK,
    V_VALIDITY_SEAL_OK,
    V_VALIDITY_SEAL_NOT_YET,
    V_VALIDITY_CERT_NOT_YET,
    V_VALIDITY_CLAIM_AFTER_SEAL,
    V_VALIDITY_CLAIM_AFTER_CERT,
    V_VALIDITY_CLAIM_BEFORE_SEAL,
    V_VALIDITY_CLAIM_BEFORE_CERT,
    V_VALIDITY_SEAL_NO_POE,
    V_VALIDITY_CERT_NO_POE,
    V_STATUS_SKIPPED,
    V_STATUS_NO_SOURCE,
    V_N_OUTCOMES,
};

/* verify_add appends the check of row |outcome| to |r| with copies of
 * |expected| and |actual| (either may be NULL), and folds its status into
 * the report's indication and sub-indication. */
void verify_add(struct eseal_report *r, enum verify_outcome outcome, const char *expected,
                const char *actual);

/* verify_time_iso returns |t| as "YYYY-MM-DDTHH:MM:SSZ" (free() it); a time
 * that cannot be represented gives "(invalid time)". */
char *verify_time_iso(time_t t);

#endif
