/* log_http.c — GET /log/checkpoint, /log/entries and /log/proof/{inclusion,
 * consistency}: the event log's public read API. */
#include <string.h>

#include <jansson.h>

#include "eseal/enc.h"
#include "eseal/http.h"
#include "eseal/json.h"
#include "eseal/log.h"
#include "log_internal.h"

static eseal_rc query_u64(struct eseal_http_req *req, const char *name, uint64_t *out,
                          struct eseal_err *err)
{
    const char *v = eseal_http_query(req, name);
    if (v == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "missing query parameter \"%s\"", name);
    if (!log_parse_u64(v, strlen(v), out))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "query parameter \"%s\" must be a decimal number, not \"%.40s\"", name,
                             v);
    return ESEAL_OK;
}

/* server_side turns an integrity failure of our own files into a 500: the
 * client asked nothing wrong. */
static eseal_rc server_side(eseal_rc rc, struct eseal_err *err)
{
    if (rc == ESEAL_E_CRYPTO || rc == ESEAL_E_NOTFOUND) {
        rc = ESEAL_E_IO;
        if (err != NULL)
            err->rc = rc;
    }
    return rc;
}

static eseal_rc h_checkpoint(struct eseal_http_req *req, const struct eseal_log_source *src,
                             struct eseal_err *err)
{
    struct eseal_buf note;
    eseal_buf_init(&note);
    eseal_rc rc = src->checkpoint(src->ctx, &note, err);
    if (rc == ESEAL_E_NOTFOUND) {
        eseal_buf_cleanup(&note);
        return eseal_err_set(err, ESEAL_E_UNAVAILABLE, "the log has no checkpoint yet");
    }
    if (rc == ESEAL_OK) {
        eseal_http_set_header(req, "Cache-Control", "no-cache");
        rc = eseal_http_reply(req, 200, "text/plain; charset=utf-8", note.data, note.len);
    }
    eseal_buf_cleanup(&note);
    return rc;
}

struct page {
    json_t *entries;
    size_t bytes;
    uint64_t end; /* one past the last entry added */
    bool full;
};

static eseal_rc page_add(void *ctx, uint64_t seq, const uint8_t *data, size_t len,
                         struct eseal_err *err)
{
    struct page *p = ctx;
    if (p->bytes >= ESEAL_LOG_PAGE_BYTES) {
        p->full = true;
        return ESEAL_E_TOOBIG; /* stops the read; not an error here */
    }
    json_t *e = eseal_json_load(data, len);
    if (e == NULL)
        return eseal_err_set(err, ESEAL_E_IO, "entry %llu is not JSON", (unsigned long long)seq);
    json_array_append_new(p->entries, json_pack("{s:I,s:o}", "seq", (json_int_t)seq, "entry", e));
    p->bytes += len + 32;
    p->end = seq + 1;
    return ESEAL_OK;
}

static eseal_rc h_entries(struct eseal_http_req *req, const struct eseal_log_source *src,
                          struct eseal_err *err)
{
    uint64_t start, end;
    eseal_rc rc = query_u64(req, "start", &start, err);
    if (rc == ESEAL_OK)
        rc = query_u64(req, "end", &end, err);
    if (rc != ESEAL_OK)
        return rc;
    uint64_t size = src->size(src->ctx);
    if (start > end)
        return eseal_err_set(err, ESEAL_E_INVALID, "start %llu is after end %llu",
                             (unsigned long long)start, (unsigned long long)end);
    if (end > size)
        return eseal_err_set(err, ESEAL_E_INVALID, "end %llu is beyond the log's size %llu",
                             (unsigned long long)end, (unsigned long long)size);
    if (end - start > ESEAL_LOG_PAGE_MAX)
        end = start + ESEAL_LOG_PAGE_MAX;
    struct page p = {json_array(), 0, start, false};
    rc = src->read(src->ctx, start, end, page_add, &p, err);
    if (rc == ESEAL_E_TOOBIG && p.full)
        rc = ESEAL_OK;
    if (rc != ESEAL_OK) {
        json_decref(p.entries);
        return server_side(rc, err);
    }
    json_t *body = json_pack("{s:I,s:I,s:o}", "start", (json_int_t)start, "end", (json_int_t)p.end,
                             "entries", p.entries);
    return eseal_http_reply_json(req, 200, body);
}

static json_t *hashes_json(const struct eseal_merkle_proof *proof)
{
    json_t *a = json_array();
    for (size_t i = 0; i < proof->n; i++) {
        char *b64 = eseal_base64(proof->hash[i], ESEAL_MERKLE_HASH_LEN, ESEAL_B64_STD);
        json_array_append_new(a, json_string(b64));
        free(b64);
    }
    return a;
}

static eseal_rc h_inclusion(struct eseal_http_req *req, const struct eseal_log_source *src,
                            struct eseal_err *err)
{
    uint64_t index, size;
    eseal_rc rc = query_u64(req, "index", &index, err);
    if (rc == ESEAL_OK)
        rc = query_u64(req, "size", &size, err);
    if (rc != ESEAL_OK)
        return rc;
    struct eseal_merkle_proof proof;
    rc = src->inclusion(src->ctx, index, size, &proof, err);
    if (rc != ESEAL_OK)
        return rc == ESEAL_E_INVALID ? rc : server_side(rc, err);
    json_t *body = json_pack("{s:I,s:I,s:o}", "index", (json_int_t)index, "size", (json_int_t)size,
                             "hashes", hashes_json(&proof));
    return eseal_http_reply_json(req, 200, body);
}

static eseal_rc h_consistency(struct eseal_http_req *req, const struct eseal_log_source *src,
                              struct eseal_err *err)
{
    uint64_t first, second;
    eseal_rc rc = query_u64(req, "first", &first, err);
    if (rc == ESEAL_OK)
        rc = query_u64(req, "second", &second, err);
    if (rc != ESEAL_OK)
        return rc;
    struct eseal_merkle_proof proof;
    rc = src->consistency(src->ctx, first, second, &proof, err);
    if (rc != ESEAL_OK)
        return rc == ESEAL_E_INVALID ? rc : server_side(rc, err);
    json_t *body = json_pack("{s:I,s:I,s:o}", "first", (json_int_t)first, "second",
                             (json_int_t)second, "hashes", hashes_json(&proof));
    return eseal_http_reply_json(req, 200, body);
}

static const struct {
    const char *path;
    eseal_rc (*fn)(struct eseal_http_req *, const struct eseal_log_source *, struct eseal_err *);
} dispatch[] = {
    {"/log/checkpoint", h_checkpoint},
    {"/log/entries", h_entries},
    {"/log/proof/inclusion", h_inclusion},
    {"/log/proof/consistency", h_consistency},
};

eseal_rc eseal_log_http_serve(struct eseal_http_req *req, const struct eseal_log_source *src,
                              struct eseal_err *err)
{
    const char *path = eseal_http_path(req);
    for (size_t i = 0; i < sizeof(dispatch) / sizeof(dispatch[0]); i++) {
        if (strcmp(path, dispatch[i].path) == 0)
            return dispatch[i].fn(req, src, err);
    }
    return eseal_err_set(err, ESEAL_E_NOTFOUND, "no such resource");
}

/* ---- a log as a source ---- */

static eseal_rc log_src_checkpoint(void *ctx, struct eseal_buf *note, struct eseal_err *err)
{
    return eseal_log_checkpoint(ctx, note, err);
}

static uint64_t log_src_size(void *ctx)
{
    return eseal_log_size(ctx);
}

static eseal_rc log_src_read(void *ctx, uint64_t start, uint64_t end, eseal_log_entry_fn fn,
                             void *fn_ctx, struct eseal_err *err)
{
    return eseal_log_read(ctx, start, end, fn, fn_ctx, err);
}

static eseal_rc log_src_inclusion(void *ctx, uint64_t index, uint64_t size,
                                  struct eseal_merkle_proof *out, struct eseal_err *err)
{
    return eseal_log_inclusion_proof(ctx, index, size, out, err);
}

static eseal_rc log_src_consistency(void *ctx, uint64_t first, uint64_t second,
                                    struct eseal_merkle_proof *out, struct eseal_err *err)
{
    return eseal_log_consistency_proof(ctx, first, second, out, err);
}

eseal_rc eseal_log_http_handle(struct eseal_http_req *req, struct eseal_log *log,
                               struct eseal_err *err)
{
    const struct eseal_log_source src = {log,          log_src_checkpoint, log_src_size,
                                         log_src_read, log_src_inclusion,  log_src_consistency};
    return eseal_log_http_serve(req, &src, err);
}

static eseal_rc h_route(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return eseal_log_http_handle(req, app, err);
}

/* clang-format off */
const struct eseal_http_route eseal_log_routes[ESEAL_LOG_N_ROUTES] = {
    {"GET", "/log/checkpoint", ESEAL_HTTP_PUBLIC, 0, h_route},
    {"GET", "/log/entries", ESEAL_HTTP_PUBLIC, 0, h_route},
    {"GET", "/log/proof/inclusion", ESEAL_HTTP_PUBLIC, 0, h_route},
    {"GET", "/log/proof/consistency", ESEAL_HTTP_PUBLIC, 0, h_route},
};
/* clang-format on */
