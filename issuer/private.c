/* private.c — what must not be public: personal data (a collector's name
 * and ID number) and free text (a reviewer's reasons) stay in the store as
 * private records, and the public log entry carries only a keyed commitment
 * to its record, HMAC-SM3 under the platform secret (DESIGN.md §11). A
 * record holds a random nonce, so equal records give unrelated commitments
 * and even the secret does not let anyone test a guess against one. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/ca.h"
#include "eseal/enc.h"
#include "eseal/secret.h"
#include "internal.h"

#define NONCE_LEN 16

/* commit_hex computes the commitment to the canonical text |text|. */
static eseal_rc commit_hex(struct eseal_issuer *is, const char *text,
                           char out[PRIVATE_COMMITMENT_HEX_LEN + 1], struct eseal_err *err)
{
    uint8_t mac[ESEAL_CA_COMMIT_LEN];
    eseal_rc rc = eseal_ca_commit(is->ca, text, strlen(text), mac, err);
    if (rc != ESEAL_OK)
        return rc;
    char *hex = eseal_hex(mac, sizeof(mac));
    memcpy(out, hex, PRIVATE_COMMITMENT_HEX_LEN + 1);
    free(hex);
    return ESEAL_OK;
}

static char *canonical(const json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL)
        abort(); /* only out of memory */
    return text;
}

eseal_rc private_put(struct eseal_issuer *is, const char *type, json_t *fields,
                     char out[PRIVATE_COMMITMENT_HEX_LEN + 1], struct eseal_err *err)
{
    uint8_t nonce[NONCE_LEN];
    eseal_random(nonce, sizeof(nonce));
    char *hex = eseal_hex(nonce, sizeof(nonce));
    json_object_set_new(fields, "nonce", json_string(hex));
    json_object_set_new(fields, "type", json_string(type));
    free(hex);
    char *text = canonical(fields);
    json_decref(fields);
    eseal_rc rc = commit_hex(is, text, out, err);
    if (rc == ESEAL_OK)
        rc = eseal_kv_put(is->kv, CF_PRIVATE, out, PRIVATE_COMMITMENT_HEX_LEN, text, strlen(text),
                          true, err);
    free(text);
    return rc;
}

eseal_rc private_get(struct eseal_issuer *is, const char *commitment, json_t **out,
                     struct eseal_err *err)
{
    if (commitment == NULL || strlen(commitment) != PRIVATE_COMMITMENT_HEX_LEN)
        return eseal_err_set(err, ESEAL_E_INVALID, "no or a malformed commitment");
    eseal_rc rc = store_get_json(is, CF_PRIVATE, commitment, out, err);
    if (rc == ESEAL_E_NOTFOUND)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "store: private record %s is missing",
                             commitment);
    return rc;
}

eseal_rc eseal_issuer_log_prove(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                uint64_t seq, json_t **view, struct eseal_issuer_problem *p)
{
    eseal_rc rc = wf_require(who, ESEAL_ACTION_AUDIT_READ, p);
    if (rc != ESEAL_OK)
        return rc;
    struct eseal_err e;
    eseal_err_clear(&e);
    struct eseal_buf b;
    eseal_buf_init(&b);
    json_t *entry = NULL, *rec = NULL;
    if ((rc = eseal_log_sync(is->log, &e)) != ESEAL_OK ||
        (rc = eseal_log_entry(is->log, seq, &b, &e)) != ESEAL_OK) {
        rc = rc == ESEAL_E_NOTFOUND
                 ? prob_set(p, rc, "seq",
                            "日志中没有第 %" PRIu64 " 条 / the log has no entry %" PRIu64, seq, seq)
                 : prob_from(p, &e, NULL);
        goto out;
    }
    entry = eseal_json_load(b.data, b.len);
    const char *commitment = wf_jstr(json_object_get(entry, "data"), "commitment");
    if (commitment == NULL) {
        rc = prob_set(p, ESEAL_E_NOTFOUND, "seq",
                      "第 %" PRIu64 " 条日志不含承诺值 / log entry %" PRIu64
                      " carries no commitment",
                      seq, seq);
        goto out;
    }
    if ((rc = private_get(is, commitment, &rec, &e)) != ESEAL_OK) {
        prob_from(p, &e, NULL);
        goto out;
    }
    /* recomputed over the record as stored now: a changed record no longer matches */
    char *text = canonical(rec);
    char again[PRIVATE_COMMITMENT_HEX_LEN + 1];
    rc = commit_hex(is, text, again, &e);
    free(text);
    if (rc != ESEAL_OK) {
        prob_from(p, &e, NULL);
        goto out;
    }
    bool match = eseal_memeq(again, commitment, PRIVATE_COMMITMENT_HEX_LEN);
    *view = json_pack("{s:I,s:s?,s:s,s:s,s:b,s:O}", "seq", (json_int_t)seq, "type",
                      wf_jstr(entry, "type"), "commitment", commitment, "recomputed", again,
                      "matches", match, "record", rec);
out:
    eseal_buf_cleanup(&b);
    json_decref(entry);
    json_decref(rec);
    return rc;
}
