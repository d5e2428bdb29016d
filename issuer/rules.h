/* rules.h — the issuance rules engine: every rule of the provincial guide as
 * a named check over a parsed submission, producing findings with Chinese
 * and English messages and a verdict.
 *
 * Rules, by stable key (details, severities and messages in
 * docs/issuer-domain.md):
 *   required_fields, personal_fields, uscc_check, idnum_check, region_match,
 *   channel_match, materials_present, device_csr, summary_table,
 *   letter_matches, applicant_is_stamper, target_seal_state, renew_window,
 *   usb_key_on_site, special_case_ack, renew_unchanged
 *
 * A form of any business but apply names its seal as the guide does: by the
 * unit's USCC and the seal's name (its code, "target", optional; when given
 * the two must agree). The run resolves each to an esID (result.targets).
 *
 * A finding is an error (the submission is rejected and goes back to the
 * agent to rectify) or a warning that a reviewer must acknowledge (a USCC
 * whose check character fails — some real codes do —, a special case). A
 * reviewer acknowledges by rule key; an acknowledged warning stays in the
 * findings, marked so. A note only tells (e.g. a summary table that a
 * single form does not need) and changes neither outcome nor verdict. The verdict: rejected if any
 * error, else needs_acknowledgement if any warning is not acknowledged, else ok.
 *
 * The engine is pure: it reads the submission and what the caller passes
 * (materials held, existing seals through a callback, the time, the
 * reviewer's acknowledgements, the maker's on-site records) and changes
 * nothing. */
#ifndef ESEAL_ISSUER_RULES_H
#define ESEAL_ISSUER_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "eseal/buf.h"
#include "eseal/rc.h"
#include "form.h"

/* ESEAL_RULES_OPERATOR is the platform operator a letter must be addressed
 * to, unless the caller configures other names. */
#define ESEAL_RULES_OPERATOR "福建省经济信息中心"

/* ESEAL_RENEW_WINDOW is how long before validEnd a renewal may be made. */
#define ESEAL_RENEW_WINDOW (30 * 24 * 60 * 60)

enum eseal_rule {
    ESEAL_RULE_REQUIRED_FIELDS,
    ESEAL_RULE_PERSONAL_FIELDS,
    ESEAL_RULE_USCC_CHECK,
    ESEAL_RULE_IDNUM_CHECK,
    ESEAL_RULE_REGION_MATCH,
    ESEAL_RULE_CHANNEL_MATCH,
    ESEAL_RULE_MATERIALS_PRESENT,
    ESEAL_RULE_DEVICE_CSR,
    ESEAL_RULE_SUMMARY_TABLE,
    ESEAL_RULE_LETTER_MATCHES,
    ESEAL_RULE_APPLICANT_IS_STAMPER,
    ESEAL_RULE_TARGET_SEAL_STATE,
    ESEAL_RULE_RENEW_WINDOW,
    ESEAL_RULE_USB_KEY_ON_SITE,
    ESEAL_RULE_SPECIAL_CASE_ACK,
    ESEAL_RULE_RENEW_UNCHANGED,
    ESEAL_RULE_COUNT
};

/* eseal_rule_label returns the rule's key ("uscc_check") and its title in
 * Chinese and English, or NULL out of range. Static storage. */
const struct eseal_label *eseal_rule_label(enum eseal_rule rule);

/* eseal_rule_parse sets *rule to the rule whose key is |key| and returns
 * true, or returns false. */
bool eseal_rule_parse(const char *key, enum eseal_rule *rule);

/* ---- existing seals --------------------------------------------------------- */

/* The states of an issued seal, as the issuer records them (DESIGN.md §6). */
enum eseal_seal_state {
    ESEAL_SEAL_STATE_GOOD,      /* "good" */
    ESEAL_SEAL_STATE_PENDING,   /* "pending": made, not yet collected */
    ESEAL_SEAL_STATE_SUSPENDED, /* "suspended": reported lost */
    ESEAL_SEAL_STATE_REVOKED,   /* "revoked" */
    ESEAL_SEAL_STATE_EXPIRED,   /* "expired" */
};

/* eseal_seal_state_name returns "good", "pending", … (static). */
const char *eseal_seal_state_name(enum eseal_seal_state s);

/* struct eseal_seal_record is what the rules need to know about an existing
 * seal; filled by the caller's lookup in caller-provided storage. */
struct eseal_seal_record {
    char uscc[33]; /* the unit's USCC */
    enum eseal_seal_state state;
    time_t valid_end; /* seal validEnd (= its certificate's notAfter) */
    enum eseal_cert_type cert_type;
    char token_id[65]; /* USB KEY seals: the bound token's id */
    /* what the seal is, as its current version was made ("" / 0 when unknown) */
    char esid[15];
    char name[404]; /* 印章名称, UTF-8 */
    enum eseal_seal_kind kind;
    enum eseal_function function;
    double width_mm, height_mm;
    char impression[65]; /* SM3 hex of the picture */
};

/* eseal_seal_lookup_fn fills |out| for the seal |esid| and returns ESEAL_OK,
 * or ESEAL_E_NOTFOUND if the platform has no such seal. Any other code is a
 * failure to look up: eseal_rules_run stops and returns it. */
typedef eseal_rc (*eseal_seal_lookup_fn)(void *ctx, const char *esid, struct eseal_seal_record *out,
                                         struct eseal_err *err);

/* eseal_seal_list_fn lists the seals of the unit |uscc| (any state) into
 * *out, a malloc'd array of *n records that the caller (the rules) frees;
 * *out may be NULL when *n is 0. Any code but ESEAL_OK stops the run. */
typedef eseal_rc (*eseal_seal_list_fn)(void *ctx, const char *uscc, struct eseal_seal_record **out,
                                       size_t *n, struct eseal_err *err);

/* eseal_material_read_fn reads the held material |sm3| into |out|
 * (eseal_blob_reader fits). Used for the device CSRs. ESEAL_E_NOTFOUND is
 * reported as a finding; any other failure stops the run. */
typedef eseal_rc (*eseal_material_read_fn)(void *ctx, const char *sm3, struct eseal_buf *out,
                                           struct eseal_err *err);

/* struct eseal_onsite is a maker's record that a USB KEY was presented on
 * site for the seal |esid|: the token id read from the key. */
struct eseal_onsite {
    const char *esid;
    const char *token_id;
};

/* struct eseal_rules_input is everything a run reads; all borrowed. */
struct eseal_rules_input {
    const struct eseal_submission *submission;
    /* the materials held for this submission, with the kind each was stored as */
    const struct eseal_material_ref *materials;
    size_t n_materials;
    eseal_material_read_fn read_material; /* may be NULL if no form is a device seal */
    void *material_ctx;
    eseal_seal_lookup_fn lookup_seal; /* may be NULL if the business is apply */
    eseal_seal_list_fn list_seals;    /* by USCC, with lookup_ctx; NULL: forms need "target" */
    void *lookup_ctx;
    time_t now;              /* 0: the current time */
    const char *const *acks; /* rule keys the reviewer acknowledged */
    size_t n_acks;
    const struct eseal_onsite *onsite;
    size_t n_onsite;
    const char *const *operator_names; /* accepted addressees; NULL: ESEAL_RULES_OPERATOR */
    size_t n_operator_names;
};

/* ---- results -------------------------------------------------------------- */

enum eseal_severity {
    ESEAL_SEVERITY_ERROR,   /* "error": rejects the submission */
    ESEAL_SEVERITY_WARNING, /* "warning": a reviewer must acknowledge it */
    ESEAL_SEVERITY_NOTE,    /* "note": tells, never blocks nor needs acknowledging */
};

enum eseal_rule_outcome {
    ESEAL_OUTCOME_NOT_APPLICABLE, /* "not_applicable": nothing to check */
    ESEAL_OUTCOME_PASSED,         /* "passed" */
    ESEAL_OUTCOME_ACKNOWLEDGED,   /* "acknowledged": only warnings, all acknowledged */
    ESEAL_OUTCOME_NEEDS_ACK,      /* "needs_acknowledgement" */
    ESEAL_OUTCOME_FAILED,         /* "failed": at least one error */
};

enum eseal_verdict {
    ESEAL_VERDICT_OK,        /* "ok" */
    ESEAL_VERDICT_NEEDS_ACK, /* "needs_acknowledgement" */
    ESEAL_VERDICT_REJECTED,  /* "rejected" */
};

/* struct eseal_finding is one problem found. Strings are owned by the
 * result. Values that are ID numbers are masked (first 6 and last 4 digits
 * kept): findings are shown to staff and applicants and may be logged. */
struct eseal_finding {
    enum eseal_rule rule;
    enum eseal_severity severity;
    bool acknowledged; /* warnings only */
    const char *code;  /* stable key of the particular problem, e.g. "bad_check" (static) */
    char *path;        /* JSON path of the offending field, e.g. "forms[1].unit.uscc", or NULL */
    char *value;       /* the offending value, or NULL */
    char *expected;    /* what was expected, or NULL */
    char *message_zh;  /* the message, with path, value and expectation appended */
    char *message_en;
};

/* struct eseal_rules_result is caller-owned storage: eseal_rules_result_init
 * before use, eseal_rules_result_cleanup after. */
struct eseal_rules_result {
    enum eseal_verdict verdict;
    enum eseal_rule_outcome outcome[ESEAL_RULE_COUNT];
    struct eseal_finding *findings;
    size_t n_findings;
    /* per form (n_targets = the number of forms): the esID of the seal the
     * form names, resolved by USCC and name or by code; "" when none */
    char (*targets)[15];
    size_t n_targets;
};

void eseal_rules_result_init(struct eseal_rules_result *r);
void eseal_rules_result_cleanup(struct eseal_rules_result *r);

/* eseal_rules_run runs every rule over |in| into |out| (cleaned up first).
 * It returns ESEAL_OK whatever the verdict; ESEAL_E_INVALID for a NULL
 * submission or an acknowledgement that is not a rule key; a lookup or read
 * failure's code (other than ESEAL_E_NOTFOUND) when it could not decide. */
eseal_rc eseal_rules_run(struct eseal_rules_result *out, const struct eseal_rules_input *in,
                         struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_rules_summary runs only the summary_table rule over |s| into |out|
 * (cleaned up first): an aggregator's batch checks its one table against
 * the forms of all its items with it (|s| borrowed: the table and forms). */
void eseal_rules_summary(struct eseal_rules_result *out, const struct eseal_submission *s);

/* eseal_rules_find returns the first finding of |rule| with problem |code|
 * (NULL: any code) at or after index *from (may be NULL: from 0), setting
 * *from past it; NULL when there is none. */
const struct eseal_finding *eseal_rules_find(const struct eseal_rules_result *r,
                                             enum eseal_rule rule, const char *code, size_t *from);

/* eseal_rules_result_json returns the result as a new JSON object (caller
 * decrefs): {"verdict", "rules": [{"key","title":{zh,en},"outcome"}],
 * "findings": [{"rule","code","severity","acknowledged","path","value",
 * "expected","message":{"zh","en"}}], "targets": [esID or null per form]}. */
json_t *eseal_rules_result_json(const struct eseal_rules_result *r);

/* eseal_verdict_name, eseal_rule_outcome_name and eseal_severity_name give
 * the stable keys shown above (static). */
const char *eseal_verdict_name(enum eseal_verdict v);
const char *eseal_rule_outcome_name(enum eseal_rule_outcome o);
const char *eseal_severity_name(enum eseal_severity s);

#endif
