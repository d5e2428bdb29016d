/* api.c — the publisher's public, read-only HTTP API (docs/publisher.md):
 * status by esID, seal digest, picture digest and certificate serial (JSON
 * or the signed DER), the platform certificates, the latest verified
 * checkpoint and health. Answering never signs: responses are pre-signed
 * (OCSP only signs requests outside the RFC 5019 profile, ocsp.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/ca.h"
#include "eseal/enc.h"
#include "eseal/metrics.h"
#include "eseal/sm.h"
#include "internal.h"

#define DER_TYPE "application/eseal-status"
#define LIST_TYPE "application/eseal-status-list"
#define PEM_TYPE "application/x-pem-file"
#define OCSP_TYPE "application/ocsp-response"

bool pub_etag_matches(const char *inm, const char *etag)
{
    if (inm == NULL)
        return false;
    size_t elen = strlen(etag);
    const char *s = inm;
    while (*s != '\0') {
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        const char *end = s;
        while (*end != '\0' && *end != ',')
            end++;
        const char *e = end;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        const char *t = s;
        if (e - t >= 2 && strncmp(t, "W/", 2) == 0)
            t += 2;
        if ((e - t == 1 && *t == '*') || ((size_t)(e - t) == elen && memcmp(t, etag, elen) == 0))
            return true;
        s = end;
    }
    return false;
}

/* wants_der tells whether the Accept header asks for the DER response, or
 * ?format=der does (for links, which cannot set Accept). */
static bool wants_der(const struct eseal_http_req *req)
{
    const char *accept = eseal_http_header(req, "Accept"),
               *format = eseal_http_query(req, "format");
    return (accept != NULL && strstr(accept, DER_TYPE) != NULL) ||
           (format != NULL && strcmp(format, "der") == 0);
}

/* cache_headers sets ETag (from the signed bytes |der|, then |suffix|),
 * Last-Modified (|this_update|) and Cache-Control (until |next_update|)
 * of a pre-signed answer; true when If-None-Match names it (reply 304). */
static bool cache_headers(struct eseal_http_req *req, const struct eseal_buf *der,
                          const char *suffix, int64_t this_update, int64_t next_update)
{
    char *digest = eseal_sm3_hex(der->data, der->len);
    char etag[48], modified[40], cache[64];
    snprintf(etag, sizeof(etag), "\"%.32s%s\"", digest, suffix);
    free(digest);
    pub_http_date(this_update, modified);
    int64_t left = next_update - (int64_t)time(NULL);
    snprintf(cache, sizeof(cache), "public, max-age=%lld", (long long)(left > 0 ? left : 0));
    eseal_http_set_header(req, "ETag", etag);
    eseal_http_set_header(req, "Last-Modified", modified);
    eseal_http_set_header(req, "Cache-Control", cache);
    return pub_etag_matches(eseal_http_header(req, "If-None-Match"), etag);
}

static eseal_rc reply_unknown(struct eseal_http_req *req, const char *esid, const char *message)
{
    json_t *j = json_pack("{s:s,s:{s:s,s:s,s:s}}", "status", "unknown", "error", "code",
                          eseal_rc_name(ESEAL_E_NOTFOUND), "message", message, "description",
                          eseal_rc_describe(ESEAL_E_NOTFOUND));
    json_object_set_new(j, "esID", esid != NULL ? json_string(esid) : json_null());
    eseal_http_set_header(req, "Cache-Control", "public, max-age=60");
    return eseal_http_reply_json(req, 404, j);
}

/* status_reply answers GET /status/... for |key| looked up |by|. */
static eseal_rc status_reply(struct eseal_http_req *req, struct eseal_publisher *p,
                             enum eseal_publisher_key by, const char *key, struct eseal_err *err)
{
    json_t *rec = NULL;
    struct eseal_buf der;
    eseal_buf_init(&der);
    eseal_rc rc = eseal_publisher_lookup(p, by, key, &rec, &der, err);
    if (rc == ESEAL_E_NOTFOUND) {
        rc = reply_unknown(req, by == ESEAL_PUBLISHER_BY_ESID ? key : NULL,
                           "not a seal of this platform / 非本平台印章");
        goto out;
    }
    if (rc != ESEAL_OK)
        goto out;
    struct eseal_status_info info;
    if ((rc = eseal_status_parse(&info, der.data, der.len, NULL, NULL, NULL, NULL, err)) !=
        ESEAL_OK)
        goto out;
    bool as_der = wants_der(req);
    eseal_http_set_header(req, "Vary", "Accept");
    if (cache_headers(req, &der, as_der ? "" : "-j", info.this_update, info.next_update)) {
        rc = eseal_http_reply(req, 304, NULL, NULL, 0);
        goto out;
    }
    if (as_der) {
        rc = eseal_http_reply(req, 200, DER_TYPE, der.data, der.len);
        goto out;
    }
    char status_time[32], this_update[32], next_update[32];
    pub_time_text(info.status_time, status_time);
    pub_time_text(info.this_update, this_update);
    pub_time_text(info.next_update, next_update);
    char *seal = eseal_hex(info.seal_sm3, sizeof(info.seal_sm3));
    char *pic = eseal_hex(info.picture_sm3, sizeof(info.picture_sm3));
    char *b64 = eseal_base64(der.data, der.len, ESEAL_B64_STD);
    json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "esID", info.esid, "status",
                          eseal_status_name(info.status), "statusTime", status_time, "thisUpdate",
                          this_update, "nextUpdate", next_update, "sealDigest", seal,
                          "pictureDigest", pic, "certSerial", info.cert_serial, "der", b64);
    json_object_set_new(j, "reason",
                        info.reason[0] != '\0' ? json_string(info.reason) : json_null());
    char invalid[32];
    if (info.invalidity_date != 0)
        pub_time_text(info.invalidity_date, invalid);
    json_object_set_new(j, "invalidityDate",
                        info.invalidity_date != 0 ? json_string(invalid) : json_null());
    free(seal);
    free(pic);
    free(b64);
    rc = eseal_http_reply_json(req, 200, j);
out:
    json_decref(rec);
    eseal_buf_cleanup(&der);
    return rc;
}

static eseal_rc h_status(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return status_reply(req, app, ESEAL_PUBLISHER_BY_ESID, eseal_http_param(req, "esID"), err);
}

static eseal_rc h_status_by_seal(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return status_reply(req, app, ESEAL_PUBLISHER_BY_SEAL, eseal_http_param(req, "sm3"), err);
}

static eseal_rc h_status_by_picture(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return status_reply(req, app, ESEAL_PUBLISHER_BY_PICTURE, eseal_http_param(req, "sm3"), err);
}

static eseal_rc h_status_by_serial(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return status_reply(req, app, ESEAL_PUBLISHER_BY_SERIAL, eseal_http_param(req, "serial"), err);
}

/* Certificates change only at a rotation, and then a relying party must see
 * the new responder soon: an hour in caches (docs/operations.md "Rotation"). */
static eseal_rc reply_pem(struct eseal_http_req *req, const char *pem)
{
    eseal_http_set_header(req, "Cache-Control", "public, max-age=3600");
    return eseal_http_reply(req, 200, PEM_TYPE, pem, strlen(pem));
}

static eseal_rc h_root(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return reply_pem(req, ((struct eseal_publisher *)app)->root_pem);
}

static eseal_rc h_responder(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return reply_pem(req, ((struct eseal_publisher *)app)->responder_pem);
}

static eseal_rc h_responders(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return reply_pem(req, ((struct eseal_publisher *)app)->responders_pem);
}

static eseal_rc h_checkpoint(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_buf note;
    eseal_buf_init(&note);
    eseal_rc rc = pub_note(app, &note);
    if (rc == ESEAL_OK) {
        eseal_http_set_header(req, "Cache-Control", "no-cache");
        rc = eseal_http_reply(req, 200, "text/plain; charset=utf-8", note.data, note.len);
    } else {
        eseal_err_set(err, rc, "no checkpoint verified yet");
    }
    eseal_buf_cleanup(&note);
    return rc;
}

static eseal_rc h_healthz(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return eseal_health_reply(req, eseal_publisher_health(app), pub_health_problems(app));
}

/* h_crl answers GET /crl/{shard}.crl with the stored DER CRL. */
static eseal_rc h_crl(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_publisher *p = app;
    const char *rest = eseal_http_param(req, "file");
    size_t digits = strspn(rest, "0123456789");
    if (digits == 0 || digits > 4 || strcmp(rest + digits, ".crl") != 0 ||
        (digits > 1 && rest[0] == '0'))
        return eseal_err_set(err, ESEAL_E_NOTFOUND, "no such resource: %s", eseal_http_path(req));
    struct eseal_buf der;
    eseal_buf_init(&der);
    eseal_rc rc = eseal_publisher_crl(p, (unsigned)strtoul(rest, NULL, 10), &der, err);
    if (rc == ESEAL_OK) {
        /* re-issued on every change: caches may keep it only briefly */
        eseal_http_set_header(req, "Cache-Control", "public, max-age=60");
        rc = eseal_http_reply(req, 200, "application/pkix-crl", der.data, der.len);
    }
    eseal_buf_cleanup(&der);
    return rc;
}

/* parse_number reads 1..|max_digits| decimal digits without a leading zero
 * at |s|; *end gets what follows. */
static bool parse_number(const char *s, size_t max_digits, uint64_t *out, const char **end)
{
    size_t digits = strspn(s, "0123456789");
    if (digits == 0 || digits > max_digits || (digits > 1 && s[0] == '0'))
        return false;
    *out = strtoull(s, NULL, 10);
    *end = s + digits;
    return true;
}

/* h_lists answers GET /lists/{shard}/full and /lists/{shard}/delta/{base}
 * with a signed StatusList (docs/publisher.md), cached like /status. */
static eseal_rc h_lists(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_publisher *p = app;
    const char *base_text = eseal_http_param(req, "base"), *end;
    uint64_t shard = 0, base = 0;
    bool delta = base_text != NULL;
    if (!parse_number(eseal_http_param(req, "shard"), 4, &shard, &end) || *end != '\0' ||
        (delta && (!parse_number(base_text, 19, &base, &end) || *end != '\0')))
        return eseal_err_set(err, ESEAL_E_NOTFOUND, "no such resource: %s", eseal_http_path(req));
    if (shard >= eseal_publisher_shards(p))
        return eseal_err_set(err, ESEAL_E_NOTFOUND, "no list shard %u (there are %u)",
                             (unsigned)shard, eseal_publisher_shards(p));
    struct eseal_buf der;
    eseal_buf_init(&der);
    struct eseal_status_list l;
    memset(&l, 0, sizeof(l));
    eseal_rc rc = delta ? eseal_publisher_list_delta(p, (unsigned)shard, base, &der, err)
                        : eseal_publisher_list_full(p, (unsigned)shard, &der, err);
    if (delta && (rc == ESEAL_E_NOTFOUND || rc == ESEAL_E_CONFLICT)) {
        /* 404: no such list (yet); 410: too old for a delta */
        unsigned status = rc == ESEAL_E_NOTFOUND ? 404 : 410;
        json_t *j = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", eseal_rc_name(rc), "message",
                              err != NULL ? err->msg : "", "full", "");
        char full[32];
        snprintf(full, sizeof(full), "/lists/%u/full", (unsigned)shard);
        json_object_set_new(json_object_get(j, "error"), "full", json_string(full));
        eseal_http_set_header(req, "Cache-Control", "public, max-age=60");
        rc = eseal_http_reply_json(req, status, j);
        goto out;
    }
    if (rc != ESEAL_OK || (rc = eseal_status_list_parse(&l, der.data, der.len, err)) != ESEAL_OK)
        goto out;
    /* the tbs decides the ETag: a delta is signed afresh per request, with
     * the same contents while the current list stays */
    char *digest = eseal_sm3_hex(l.tbs, l.tbs_len);
    char etag[48], modified[40], cache[64];
    snprintf(etag, sizeof(etag), "\"%.32s\"", digest);
    free(digest);
    pub_http_date(l.this_update, modified);
    int64_t left = l.next_update - (int64_t)time(NULL);
    snprintf(cache, sizeof(cache), "public, max-age=%lld", (long long)(left > 0 ? left : 0));
    eseal_http_set_header(req, "ETag", etag);
    eseal_http_set_header(req, "Last-Modified", modified);
    eseal_http_set_header(req, "Cache-Control", cache);
    if (pub_etag_matches(eseal_http_header(req, "If-None-Match"), etag))
        rc = eseal_http_reply(req, 304, NULL, NULL, 0);
    else
        rc = eseal_http_reply(req, 200, LIST_TYPE, der.data, der.len);
out:
    eseal_status_list_cleanup(&l);
    eseal_buf_cleanup(&der);
    return rc;
}

/* ocsp_reply answers the DER OCSP request |body| (RFC 6960 §A.1: the
 * answer is an OCSPResponse even for a malformed request). */
static eseal_rc ocsp_reply(struct eseal_http_req *req, struct eseal_publisher *p,
                           const uint8_t *body, size_t len, struct eseal_err *err)
{
    struct eseal_buf resp;
    eseal_buf_init(&resp);
    struct eseal_err e;
    eseal_err_clear(&e);
    struct eseal_publisher_ocsp_meta meta;
    int64_t now = (int64_t)time(NULL);
    eseal_rc rc = eseal_publisher_ocsp(p, body, len, now, &resp, &meta, &e);
    if (rc != ESEAL_OK)
        fprintf(stderr, "eseal-publisherd: OCSP: %s\n", e.msg);
    bool get = strcmp(eseal_http_method(req), "POST") != 0;
    if (resp.len == 0) {
        if (err != NULL)
            *err = e;
    } else if (!get) {
        eseal_http_set_header(req, "Cache-Control", "no-store");
        rc = eseal_http_reply(req, 200, OCSP_TYPE, resp.data, resp.len);
    } else if (meta.presigned) { /* RFC 5019 §6.2: cacheable until nextUpdate */
        rc = cache_headers(req, &resp, "", meta.this_update, meta.next_update)
                 ? eseal_http_reply(req, 304, NULL, NULL, 0)
                 : eseal_http_reply(req, 200, OCSP_TYPE, resp.data, resp.len);
    } else { /* signed for this request: as long as it is valid, if at all */
        char cache[64];
        snprintf(cache, sizeof(cache), "public, max-age=%lld",
                 rc == ESEAL_OK ? (long long)p->cfg.validity : 0LL);
        eseal_http_set_header(req, "Cache-Control", cache);
        rc = eseal_http_reply(req, 200, OCSP_TYPE, resp.data, resp.len);
    }
    eseal_buf_cleanup(&resp);
    return rc;
}

/* h_ocsp_get answers GET /ocsp/{base64 of the DER request} (RFC 5019 §5;
 * the path is already percent-decoded). */
static eseal_rc h_ocsp_get(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *rest = eseal_http_param(req, "request");
    struct eseal_buf der;
    eseal_buf_init(&der);
    size_t n = strlen(rest);
    /* undecodable: answered as malformedRequest, like a bad DER */
    if (n > 2 * ESEAL_PUBLISHER_OCSP_MAX ||
        eseal_unbase64(&der, rest, n, ESEAL_B64_STD, NULL) != ESEAL_OK)
        eseal_buf_reset(&der);
    eseal_rc rc = ocsp_reply(req, app, der.data, der.len, err);
    eseal_buf_cleanup(&der);
    return rc;
}

/* h_ocsp_post answers POST /ocsp with an application/ocsp-request body. */
static eseal_rc h_ocsp_post(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *type = eseal_http_header(req, "Content-Type");
    if (type != NULL && strncmp(type, "application/ocsp-request", 24) != 0)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "an OCSP request is sent as application/ocsp-request");
    size_t len;
    const uint8_t *body = eseal_http_body(req, &len);
    return ocsp_reply(req, app, body, len, err);
}

#define PUBLIC ESEAL_HTTP_PUBLIC

/* The publisher's whole API: public and read-only (docs/api.md). */
/* clang-format off */
static const struct eseal_http_route routes[] = {
    {"GET",  "/",                          PUBLIC, 0, pub_h_page},
    {"GET",  "/seals/{esID}",              PUBLIC, 0, pub_h_seal},
    {"GET",  "/pictures/{sm3}",            PUBLIC, 0, pub_h_picture},
    {"GET",  "/status/by-seal/{sm3}",      PUBLIC, 0, h_status_by_seal},
    {"GET",  "/status/by-picture/{sm3}",   PUBLIC, 0, h_status_by_picture},
    {"GET",  "/status/by-serial/{serial}", PUBLIC, 0, h_status_by_serial},
    {"GET",  "/status/{esID}",             PUBLIC, 0, h_status},
    {"GET",  "/certs/root.pem",            PUBLIC, 0, h_root},
    {"GET",  "/certs/responder.pem",       PUBLIC, 0, h_responder},
    {"GET",  "/certs/responders.pem",      PUBLIC, 0, h_responders},
    {"GET",  "/log/checkpoint",            PUBLIC, 0, h_checkpoint},
    {"GET",  "/log/entries",               PUBLIC, 0, pub_h_log},
    {"GET",  "/log/proof/inclusion",       PUBLIC, 0, pub_h_log},
    {"GET",  "/log/proof/consistency",     PUBLIC, 0, pub_h_log},
    {"GET",  "/healthz",                   PUBLIC, 0, h_healthz},
    {"GET",  "/crl/{file}",                PUBLIC, 0, h_crl}, /* {shard}.crl */
    {"GET",  "/lists/{shard}/full",        PUBLIC, 0, h_lists},
    {"GET",  "/lists/{shard}/delta/{base}", PUBLIC, 0, h_lists},
    {"GET",  "/ocsp/{request*}",           PUBLIC, 0, h_ocsp_get}, /* base64 may hold '/' */
    {"POST", "/ocsp",                      PUBLIC, ESEAL_PUBLISHER_OCSP_MAX, h_ocsp_post},
    {"POST", "/tsa",                       PUBLIC, ESEAL_TSA_QUERY_MAX, pub_h_tsa},
    {"GET",  "/metrics",                   PUBLIC, 0, pub_h_metrics},
};
/* clang-format on */
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))
/* Bodies are for POST /ocsp and /tsa only. */
#define MAX_BODY 1024

void eseal_publisher_print_routes(FILE *out)
{
    eseal_http_routes_print(out, routes, N_ROUTES, MAX_BODY);
}

eseal_rc eseal_publisher_serve(struct eseal_publisher *p, struct eseal_http **srv,
                               struct eseal_err *err)
{
    struct eseal_http_config hc = {
        .address = p->cfg.address,
        .port = (uint16_t)p->cfg.port,
        .routes = routes,
        .n_routes = N_ROUTES,
        .app = p,
        .max_body = MAX_BODY,
        .threads = (unsigned)p->cfg.threads,
        .access_log = p->cfg.access_log,
        .log_text = p->cfg.log_text,
        .max_connections = (unsigned)p->cfg.max_connections,
        .max_per_ip = (unsigned)p->cfg.max_per_ip,
        .header_timeout_s = (unsigned)p->cfg.header_timeout,
        .name = "eseal-publisherd/" ESEAL_VERSION,
    };
    return eseal_http_start(srv, &hc, err);
}
