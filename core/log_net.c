/* log_net.c — fetching the log's HTTP endpoints for followers and auditors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "eseal/enc.h"
#include "eseal/httpc.h"
#include "eseal/json.h"
#include "log_internal.h"

/* A page of entries is at most ESEAL_LOG_PAGE_BYTES of entries plus their
 * JSON framing; anything far beyond that is not a well-behaved server. */
#define PAGE_REPLY_MAX (2 * ESEAL_LOG_PAGE_BYTES + 4 * ESEAL_LOG_ENTRY_MAX)

/* status_error explains a non-200 reply, quoting the server's JSON error. */
static eseal_rc status_error(const char *url, unsigned status, const struct eseal_buf *body,
                             struct eseal_err *err)
{
    json_t *j = eseal_json_load(body->data, body->len);
    const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    eseal_rc rc = eseal_err_set(err, ESEAL_E_IO, "%s: HTTP %u%s%.200s", url, status,
                                msg != NULL ? ": " : "", msg != NULL ? msg : "");
    json_decref(j);
    return rc;
}

eseal_rc log_http_get_text(const char *url, size_t max, struct eseal_buf *out,
                           struct eseal_err *err)
{
    struct eseal_httpc_opts o = {.max_body = max};
    unsigned status;
    eseal_rc rc = eseal_httpc_get(url, &o, &status, out, err);
    if (rc == ESEAL_OK && status != 200)
        rc = status_error(url, status, out, err);
    return rc;
}

eseal_rc log_http_get_json(const char *url, json_t **out, struct eseal_err *err)
{
    *out = NULL;
    struct eseal_buf body;
    eseal_buf_init(&body);
    eseal_rc rc = log_http_get_text(url, PAGE_REPLY_MAX, &body, err);
    if (rc == ESEAL_OK) {
        *out = eseal_json_load(body.data, body.len);
        if (!json_is_object(*out)) {
            json_decref(*out);
            *out = NULL;
            rc = eseal_err_set(err, ESEAL_E_IO, "%s: the reply is not a JSON object", url);
        }
    }
    eseal_buf_cleanup(&body);
    return rc;
}

eseal_rc log_proof_from_json(const json_t *j, struct eseal_merkle_proof *out, struct eseal_err *err)
{
    out->n = 0;
    json_t *a = json_object_get(j, "hashes");
    if (!json_is_array(a) || json_array_size(a) > ESEAL_MERKLE_PROOF_MAX)
        return eseal_err_set(err, ESEAL_E_IO, "proof: no \"hashes\" array of at most %d",
                             ESEAL_MERKLE_PROOF_MAX);
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = ESEAL_OK;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (s == NULL || eseal_unbase64(&b, s, strlen(s), ESEAL_B64_STD, NULL) != ESEAL_OK ||
            b.len != ESEAL_MERKLE_HASH_LEN) {
            rc = eseal_err_set(err, ESEAL_E_IO, "proof: hash %zu is not base64 of 32 bytes", i);
            break;
        }
        memcpy(out->hash[out->n++], b.data, ESEAL_MERKLE_HASH_LEN);
    }
    eseal_buf_cleanup(&b);
    if (rc != ESEAL_OK)
        out->n = 0;
    return rc;
}

eseal_rc log_fetch_checkpoint(const char *base, const struct eseal_log_key *key,
                              struct eseal_log_checkpoint *cp, struct eseal_err *err)
{
    char *url = log_url_join(base, "/log/checkpoint");
    struct eseal_buf note;
    eseal_buf_init(&note);
    eseal_rc rc = log_http_get_text(url, ESEAL_LOG_NOTE_MAX, &note, err);
    if (rc == ESEAL_E_TOOBIG)
        rc = eseal_err_set(err, ESEAL_E_CRYPTO, "%s: the checkpoint is over %d bytes", url,
                           ESEAL_LOG_NOTE_MAX);
    if (rc == ESEAL_OK &&
        (rc = eseal_log_checkpoint_verify(cp, note.data, note.len, key, err)) != ESEAL_OK) {
        eseal_err_prefix(err, "%s", url);
        rc = ESEAL_E_CRYPTO;
        if (err != NULL)
            err->rc = rc;
    }
    eseal_buf_cleanup(&note);
    free(url);
    return rc;
}

eseal_rc log_fetch_page(const char *base, uint64_t start, uint64_t end, json_t *out,
                        struct eseal_buf *leaves, struct eseal_err *err)
{
    char path[128];
    snprintf(path, sizeof(path), "/log/entries?start=%llu&end=%llu", (unsigned long long)start,
             (unsigned long long)end);
    char *url = log_url_join(base, path);
    json_t *j = NULL;
    eseal_rc rc = log_http_get_json(url, &j, err);
    json_t *a = json_object_get(j, "entries");
    if (rc == ESEAL_OK &&
        (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > end - start))
        rc = eseal_err_set(err, ESEAL_E_IO, "%s: expected 1..%llu entries", url,
                           (unsigned long long)(end - start));
    struct eseal_buf canon;
    eseal_buf_init(&canon);
    for (size_t i = 0; rc == ESEAL_OK && i < json_array_size(a); i++) {
        uint64_t seq = start + i;
        json_t *item = json_array_get(a, i);
        json_t *s = json_object_get(item, "seq");
        json_t *e = json_object_get(item, "entry");
        if (!json_is_integer(s) || (uint64_t)json_integer_value(s) != seq || !json_is_object(e)) {
            rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                               "entry %llu: the server sent item %zu of "
                               "the page as something else",
                               (unsigned long long)seq, i);
            break;
        }
        rc = log_entry_canonical(e, &canon, err);
        if (rc == ESEAL_OK)
            rc = log_entry_check(canon.data, canon.len, seq, NULL, err);
        if (rc != ESEAL_OK) {
            eseal_err_prefix(err, "entry %llu", (unsigned long long)seq);
            break;
        }
        uint8_t leaf[ESEAL_MERKLE_HASH_LEN];
        eseal_merkle_leaf_hash(leaf, canon.data, canon.len);
        eseal_buf_append(leaves, leaf, sizeof(leaf));
        if (out != NULL)
            json_array_append(out, e);
    }
    eseal_buf_cleanup(&canon);
    json_decref(j);
    free(url);
    return rc;
}

eseal_rc log_fetch_proof(const char *base, const char *kind, const char *a, uint64_t av,
                         const char *b, uint64_t bv, struct eseal_merkle_proof *out,
                         struct eseal_err *err)
{
    char path[160];
    snprintf(path, sizeof(path), "/log/proof/%s?%s=%llu&%s=%llu", kind, a, (unsigned long long)av,
             b, (unsigned long long)bv);
    char *url = log_url_join(base, path);
    json_t *j = NULL;
    eseal_rc rc = log_http_get_json(url, &j, err);
    if (rc == ESEAL_OK && (rc = log_proof_from_json(j, out, err)) != ESEAL_OK)
        eseal_err_prefix(err, "%s", url);
    json_decref(j);
    free(url);
    return rc;
}
