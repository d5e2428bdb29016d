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
#include "eseal/status.h"

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

/* struct eseal_check is one step of a validation; expected and actual are
 * owned by the report (freed by eseal_report_cleanup), the messages are
 * static. */
struct eseal_check {
    const char *key; /* stable key, e.g. "data_hash" (static) */
    enum eseal_check_status status;
    const char *sub_indication; /* e.g. "HASH_FAILURE" when not passed (static), else NULL */
    const char *message_zh;     /* static: the outcome table's text */
    const char *message_en;
    char *expected; /* may be NULL */
    char *actual;   /* may be NULL */
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
    time_t claimed_time; /* timeInfo; 0 when not a signature */
    char *esid;          /* of the seal, when it could be parsed */
    char *seal_name;
    char *signer;              /* signer certificate subject */
    char *property_info;       /* the signed file's name or path */
    char *status_source;       /* where the status came from, or why none */
    time_t status_this_update; /* the status's thisUpdate (asOf); 0 when none */
    time_t status_next_update; /* its nextUpdate; 0 when none */
    const char *status;        /* the published status ("good", …), static; NULL when none */
    time_t poe_time;           /* genTime of a verified RFC 3161 time-stamp over the
                                * signature value (proof of existence); 0: none */
    char *poe_tsa;             /* that time-stamp's TSA (subject) and serial (hex) */
    char *poe_serial;
    bool seal_alone; /* a seal or picture checked on its own: no signature, no time-stamp */
};

void eseal_report_init(struct eseal_report *r);
void eseal_report_cleanup(struct eseal_report *r);

/* eseal_report_json returns the report as JSON (caller decrefs):
 * {indication, subIndication, validationTime, bestSignatureTime, claimedTime,
 *  esID, sealName, signer, propertyInfo, statusSource, statusAsOf,
 *  statusNextUpdate, sealStatus, timeStamp: null or {genTime, genTimeBeijing,
 *  tsa, serial},
 *  checks: [{key, status, subIndication, message: {zh, en}, expected, actual}]} */
json_t *eseal_report_json(const struct eseal_report *r);

/* eseal_report_print writes a readable summary, one line per check. */
void eseal_report_print(const struct eseal_report *r, FILE *out);

/* eseal_report_exit_code maps the indication to 0 passed, 1 failed,
 * 2 indeterminate. */
int eseal_report_exit_code(const struct eseal_report *r);

/* eseal_indication_name returns "TOTAL_PASSED", "TOTAL_FAILED" or "INDETERMINATE". */
const char *eseal_indication_name(enum eseal_indication i);

/* ---- status sources ----------------------------------------------------------------
 *
 * A status source answers "what is the published status of this seal
 * version?" with a signed answer from a publisher (docs/publisher.md):
 *  - online: a publisher's base URL. The responder certificate is fetched
 *    from <url>/certs/responder.pem once and must chain to the trust
 *    anchors (and be within its validity); each answer is
 *    GET <url>/status/by-seal/<SM3 of the seal> (the DER response), its
 *    signature checked with that certificate. Answers are cached until
 *    their nextUpdate (bounded, ESEAL_VERIFY_STATUS_CACHE entries).
 *  - offline: a file saved from a publisher — a full status list
 *    (/lists/{shard}/full) or a single status response (/status/...,
 *    DER) — with the responder certificate in a PEM file; both are
 *    checked when the source is opened.
 * A source is safe to share between threads. */
struct eseal_status_source;

#define ESEAL_VERIFY_STATUS_CACHE 4096

/* eseal_status_source_url opens an online source for the publisher at
 * |url| ("http(s)://host:port", no trailing path). |trust| (borrowed; it must
 * outlive the source) authenticates the responder certificate: without
 * trust anchors, or with a malformed URL, it is ESEAL_E_INVALID (a
 * configuration error, not a status to try again later). Nothing is
 * fetched yet. */
eseal_rc eseal_status_source_url(struct eseal_status_source **out, const char *url,
                                 STACK_OF(X509) * trust, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_status_source_file opens an offline source: |path| holds a full
 * status list or a status response (DER, or the publisher's JSON with its
 * "der"), |responder| the responder certificate (PEM), which must chain to
 * |trust|. A file that is neither, a delta list, or a signature that does
 * not verify is an error (ESEAL_E_INVALID, ESEAL_E_CRYPTO). Freshness is
 * judged at each use. */
eseal_rc eseal_status_source_file(struct eseal_status_source **out, const char *path,
                                  const char *responder, STACK_OF(X509) * trust,
                                  struct eseal_err *err) ESEAL_MUST_CHECK;

void eseal_status_source_free(struct eseal_status_source *s);

/* enum eseal_status_answer_kind: what a source said. */
enum eseal_status_answer_kind {
    ESEAL_ANSWER_FOUND,       /* |info| holds the signed status */
    ESEAL_ANSWER_UNKNOWN,     /* the publisher does not know the seal */
    ESEAL_ANSWER_UNAVAILABLE, /* no answer now (network, signature): |why| */
    /* the offline file does not cover the seal (a list of another shard, a
     * response about another seal): fetching the right one fixes it, not
     * retrying; |why| names the shard and what to fetch */
    ESEAL_ANSWER_NOT_COVERED,
};

struct eseal_status_answer {
    enum eseal_status_answer_kind kind;
    struct eseal_status_info info; /* FOUND: the status (thisUpdate/nextUpdate of the list
                                    * for a list entry) */
    bool has_picture;              /* FOUND: info.picture_sm3 is published (not in lists) */
    char source[256];              /* where the answer came from */
    char why[256];                 /* UNAVAILABLE: the reason */
};

/* eseal_status_source_seal asks for the seal version whose DER has the SM3
 * digest |seal_sm3| (its esID |esid| tells an offline list whether the
 * seal is in its shard). eseal_status_source_picture asks for the seal
 * whose picture has the SM3 digest |picture_sm3| (online, or a single
 * response; lists carry no picture digests). Neither judges freshness. */
void eseal_status_source_seal(struct eseal_status_source *s, const char *esid,
                              const uint8_t seal_sm3[ESEAL_SM3_LEN],
                              struct eseal_status_answer *out);
void eseal_status_source_picture(struct eseal_status_source *s,
                                 const uint8_t picture_sm3[ESEAL_SM3_LEN],
                                 struct eseal_status_answer *out);

/* ---- the verification cache ----------------------------------------------------------
 *
 * Seal-maker signatures and certificate chains are the same every time a
 * seal is seen: a cache remembers each outcome by the SM3 of what was
 * checked (bounded: ESEAL_VERIFY_CACHE entries, the oldest in a slot
 * replaced). One cache belongs to one set of trust anchors. Thread-safe. */
struct eseal_verify_cache;

#define ESEAL_VERIFY_CACHE 4096

struct eseal_verify_cache *eseal_verify_cache_new(void);
void eseal_verify_cache_free(struct eseal_verify_cache *c);
/* eseal_verify_cache_hits returns how many checks the cache answered. */
uint64_t eseal_verify_cache_hits(struct eseal_verify_cache *c);

struct eseal_verify_opts {
    STACK_OF(X509) * trust;             /* trust anchors; NULL or empty: chain INDETERMINATE */
    time_t at;                          /* validation time; 0 means now */
    bool no_status;                     /* skip the status check and say so */
    struct eseal_status_source *status; /* NULL: no source, status INDETERMINATE TRY_LATER */
    struct eseal_verify_cache *cache;   /* NULL: check everything every time */
    time_t now;                         /* the time freshness is judged at; 0: the clock */
};

/* eseal_verify_ses validates the seal signature |ses|/|ses_len| over a
 * document whose SM3 digest is |data_sm3| (NULL when the document is not
 * available: SIGNED_DATA_NOT_FOUND). Fills |r| (initialised by the caller). */
void eseal_verify_ses(struct eseal_report *r, const uint8_t *ses, size_t ses_len,
                      const uint8_t *data_sm3, const struct eseal_verify_opts *o);

/* eseal_verify_seal validates a seal alone: format, seal_signature, chain
 * (of the maker certificate), validity of the seal at the validation time,
 * and — only when o->status is set — status and picture. */
void eseal_verify_seal(struct eseal_report *r, const uint8_t *seal, size_t seal_len,
                       const struct eseal_verify_opts *o);

/* eseal_verify_picture reports whether |picture| is the registered picture
 * of a seal: the checks are "picture" (found by its SM3 digest through
 * o->status: SEAL_STATUS_UNKNOWN when no seal has it) and "status" (the
 * seal's published status, judged as for a signature at the validation
 * time). r->esid is the seal it belongs to. */
void eseal_verify_picture(struct eseal_report *r, const uint8_t *picture, size_t len,
                          const struct eseal_verify_opts *o);

/* ---- documents and container formats -------------------------------------------------
 *
 * A sealed document may hold several signatures (OFD: Doc_N/Signs/Sign_M/
 * SignedValue.dat, each over the files its Signature.xml lists with their
 * CheckValue digests). A container format plugs into the engine as a
 * struct eseal_container: it recognises its documents (probe), then yields
 * each signature with the SM3 of the data it signs — the engine validates
 * each with eseal_verify_ses and the document's verdict is the worst
 * signature's (DESIGN.md §7). The engine knows nothing of the format; a
 * format adds only its own checks. Formats: "detached" (the document is
 * the signed bytes; the signature comes beside it) and "ofd" (GB/T 33190
 * packages; docs/ofd.md: the package walk, the References, Seal.esl, the
 * stamp pages, the refusals of hostile packages). */

/* struct eseal_container_sig is one signature a format found. */
struct eseal_container_sig {
    const uint8_t *ses; /* the SES_Signature DER (owned by the format's state) */
    size_t ses_len;
    bool has_data; /* false: the signed data is not in the document */
    uint8_t data_sm3[ESEAL_SM3_LEN];
    char where[128]; /* where in the document, for the report */
    /* unsupported: a signature of a type the engine cannot check (static
     * text why): INDETERMINATE SIGNATURE_TYPE_NOT_SUPPORTED, not a failure */
    const char *unsupported;
    /* broken: the signature's own files cannot be read (text owned by the
     * format's state): TOTAL_FAILED FORMAT_FAILURE for this signature */
    const char *broken;
    /* cms: |ses| is not an SES_Signature but a GB/T 35275 SM2 SignedData
     * (an electronic signature, OFD Type="Sign") over |data|/|data_len|
     * (owned by the format's state) */
    bool cms;
    const uint8_t *data;
    size_t data_len;
    json_t *place; /* a new reference handed to the report (its "place"), or NULL */
};

struct eseal_container {
    const char *name;
    /* probe tells whether |doc| is of this format (cheap: magic bytes). */
    bool (*probe)(const uint8_t *doc, size_t len);
    /* open reads |doc| (and |sig|, a detached signature, when the format
     * takes one) into a new *state. Malformed input is ESEAL_E_INVALID. */
    eseal_rc (*open)(void **state, const uint8_t *doc, size_t len, const uint8_t *sig,
                     size_t sig_len, struct eseal_err *err);
    /* next yields the next signature; ESEAL_E_NOTFOUND after the last. */
    eseal_rc (*next)(void *state, struct eseal_container_sig *out, struct eseal_err *err);
    void (*close)(void *state);
    /* checks (NULL: none) appends the format's own checks of the signature
     * next yielded last to |r|, after the engine's (the formats inside
     * libeseal-verify: they share its outcome table). */
    void (*checks)(void *state, struct eseal_report *r);
    /* finish (NULL: none) returns document-level findings after the last
     * signature as a JSON object (new reference) merged into the report
     * (OFD: "unprotected", the files no signature protects). */
    json_t *(*finish)(void *state);
};

/* eseal_container_detached: a document and one detached signature. */
extern const struct eseal_container eseal_container_detached;
/* eseal_container_ofd: an OFD package and the signatures inside it. */
extern const struct eseal_container eseal_container_ofd;

/* ESEAL_DOCUMENT_MAX_SIGS bounds the signatures of one document. */
#define ESEAL_DOCUMENT_MAX_SIGS 256

/* struct eseal_document_report is caller-owned: init before, cleanup after. */
struct eseal_document_report {
    enum eseal_indication indication; /* the worst signature's */
    const char *sub_indication;       /* of the first worst signature; static */
    const char *format;               /* the container's name; NULL when none took it */
    char *error;                      /* why the document could not be read (FORMAT_FAILURE) */
    struct eseal_report *sigs;
    char **where;   /* per signature: where in the document */
    json_t **place; /* per signature: the format's place (stamps, pages), or NULL */
    json_t *extra;  /* the format's document-level findings, or NULL */
    size_t n_sigs;
};

void eseal_document_report_init(struct eseal_document_report *d);
void eseal_document_report_cleanup(struct eseal_document_report *d);

/* eseal_verify_document finds the first of |formats| whose probe takes
 * |doc| and validates every signature it yields. No format, a document the
 * format cannot read, or one without signatures is TOTAL_FAILED
 * FORMAT_FAILURE with the reason in d->error. */
void eseal_verify_document(struct eseal_document_report *d,
                           const struct eseal_container *const *formats, size_t n_formats,
                           const uint8_t *doc, size_t len, const uint8_t *sig, size_t sig_len,
                           const struct eseal_verify_opts *o);

/* eseal_document_report_json: {indication, subIndication, format, error,
 * signatures: [{where, place, …the signature's report…}], and the format's
 * findings (OFD: unprotected)} (caller decrefs). */
json_t *eseal_document_report_json(const struct eseal_document_report *d);

/* eseal_document_report_print writes a readable summary: the verdict, then
 * each signature with its place and checks, then the format's findings. */
void eseal_document_report_print(const struct eseal_document_report *d, FILE *out);

/* eseal_document_report_exit_code: 0 passed, 1 failed, 2 indeterminate. */
int eseal_document_report_exit_code(const struct eseal_document_report *d);

/* eseal_verify_load_trust reads one or more PEM certificates from |path|
 * into a new stack (caller frees with sk_X509_pop_free(..., X509_free)). */
eseal_rc eseal_verify_load_trust(STACK_OF(X509) * *out, const char *path,
                                 struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
