/* verifierd.c — eseal-verifierd's state and routes, and the one path from
 * an uploaded multipart body to a validation report that the JSON API and
 * the HTML page share. */
#include <stdio.h>
#include <string.h>

#include "eseal/multipart.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "verifierd.h"

#define PUBLIC ESEAL_HTTP_PUBLIC
/* The uploads' limit comes from the configuration (fill_routes). */
#define UPLOAD SIZE_MAX

/* eseal-verifierd's whole API (docs/api.md): public. */
/* clang-format off */
static const struct eseal_http_route routes[] = {
    {"GET",  "/",              PUBLIC, 0,      vd_page_index},
    {"POST", "/verify",        PUBLIC, UPLOAD, vd_page_verify},
    {"POST", "/api/v1/verify", PUBLIC, UPLOAD, vd_api_verify},
    {"GET",  "/healthz",       PUBLIC, 0,      vd_api_healthz},
    {"GET",  "/metrics",       PUBLIC, 0,      vd_api_metrics},
};
/* clang-format on */
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

eseal_rc verifierd_open(struct verifierd *d, const struct verifierd_config *cfg,
                        struct eseal_err *err)
{
    memset(d, 0, sizeof(*d));
    d->cfg = cfg;
    d->opts.no_status = cfg->no_status;
    d->status_mode = "none";
    eseal_rc rc = eseal_verify_load_trust(&d->opts.trust, cfg->trust, err);
    if (rc != ESEAL_OK)
        return rc;
    if (cfg->no_status) {
        /* status skipped and said so in every report */
    } else if (cfg->status_file != NULL) {
        d->status_mode = "file";
        rc = eseal_status_source_file(&d->opts.status, cfg->status_file, cfg->responder,
                                      d->opts.trust, err);
    } else {
        d->status_mode = "url";
        rc = eseal_status_source_url(&d->opts.status, cfg->status_url, d->opts.trust, err);
    }
    d->opts.cache = eseal_verify_cache_new();
    if (rc != ESEAL_OK)
        verifierd_close(d);
    return rc;
}

void verifierd_close(struct verifierd *d)
{
    eseal_status_source_free(d->opts.status);
    eseal_verify_cache_free(d->opts.cache);
    sk_X509_pop_free(d->opts.trust, X509_free);
    memset(&d->opts, 0, sizeof(d->opts));
}

/* fill_routes copies the route table into |out| with the upload limit of
 * |cfg|; returns the number of routes. */
static size_t fill_routes(const struct verifierd_config *cfg,
                          struct eseal_http_route out[VERIFIERD_MAX_ROUTES])
{
    _Static_assert(N_ROUTES <= VERIFIERD_MAX_ROUTES, "room for every route");
    /* an upload holds a document and a signature (or a seal or a picture) */
    size_t upload = (size_t)cfg->max_document + ESEAL_SEAL_MAX + VERIFIERD_FORM_SLACK;
    for (size_t i = 0; i < N_ROUTES; i++) {
        out[i] = routes[i];
        if (out[i].max_body == UPLOAD)
            out[i].max_body = upload;
    }
    return N_ROUTES;
}

void verifierd_print_routes(const struct verifierd_config *cfg, FILE *out)
{
    struct eseal_http_route r[VERIFIERD_MAX_ROUTES];
    eseal_http_routes_print(out, r, fill_routes(cfg, r), ESEAL_HTTP_DEFAULT_MAX_BODY);
}

eseal_rc verifierd_serve(struct verifierd *d, struct eseal_http **srv, struct eseal_err *err)
{
    d->n_routes = fill_routes(d->cfg, d->routes);
    struct eseal_http_config hc = {
        .address = d->cfg->address,
        .port = (uint16_t)d->cfg->port,
        .routes = d->routes,
        .n_routes = d->n_routes,
        .app = d,
        .threads = (unsigned)d->cfg->threads,
        .access_log = d->cfg->access_log,
        .log_text = d->cfg->log_text,
        .name = "eseal-verifierd",
        .max_connections = (unsigned)d->cfg->max_connections,
        .max_per_ip = (unsigned)d->cfg->max_per_ip,
        .header_timeout_s = (unsigned)d->cfg->header_timeout,
    };
    return eseal_http_start(srv, &hc, err);
}

/* take_part stores one part into |up|: each name at most once, within its
 * limit. A file input left empty in a browser form (no file name, no
 * bytes) counts as absent. */
static eseal_rc take_part(struct vd_upload *up, const struct eseal_multipart_part *p,
                          size_t max_document, struct eseal_err *err)
{
    static const struct {
        const char *name;
        size_t max; /* 0: max_document */
    } parts[] = {
        {"document", 0},
        {"signature", ESEAL_SEAL_MAX},
        {"seal", ESEAL_SEAL_MAX},
        {"picture", ESEAL_SEAL_PICTURE_MAX},
    };
    const uint8_t **data[] = {&up->document, &up->signature, &up->seal, &up->picture};
    size_t *lens[] = {&up->document_len, &up->signature_len, &up->seal_len, &up->picture_len};
    if (p->len == 0 && p->filename != NULL && p->filename[0] == '\0')
        return ESEAL_OK;
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (strcmp(p->name, parts[i].name) != 0)
            continue;
        size_t max = parts[i].max != 0 ? parts[i].max : max_document;
        if (*data[i] != NULL)
            return eseal_err_set(err, ESEAL_E_INVALID, "part \"%s\" given twice / 重复的部分",
                                 p->name);
        if (p->len > max)
            return eseal_err_set(err, ESEAL_E_TOOBIG,
                                 "part \"%s\" is larger than %zu bytes / 文件过大", p->name, max);
        *data[i] = p->data != NULL ? p->data : (const uint8_t *)"";
        *lens[i] = p->len;
        if (i == 0)
            up->document_name = p->filename;
        return ESEAL_OK;
    }
    return eseal_err_set(err, ESEAL_E_INVALID,
                         "unknown part \"%.64s\": send document, signature, seal or picture / "
                         "未知的部分",
                         p->name);
}

/* is_ofd: a document sent alone is an OFD (a zip) to verify inside. */
static bool is_ofd(const struct vd_upload *up)
{
    return up->document != NULL && eseal_container_ofd.probe(up->document, up->document_len);
}

/* check_combination: an OFD alone, or one signature (with or without its document), or one
 * seal, or one picture. */
static eseal_rc check_combination(const struct vd_upload *up, struct eseal_err *err)
{
    int kinds = (up->signature != NULL) + (up->seal != NULL) + (up->picture != NULL);
    if (kinds == 0 && is_ofd(up)) /* an OFD carries its signatures */
        return ESEAL_OK;
    if (kinds == 0)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "a signature part is required (or a seal, or a picture) / "
                             "缺少签章数据");
    if (kinds > 1)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "send one of signature, seal, picture / 签章、印章、印模只能选一个");
    if (up->document != NULL && up->signature == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "a document goes with a signature / 被签文档须与签章数据一同提交");
    return ESEAL_OK;
}

eseal_rc vd_verify_request(struct verifierd *d, struct eseal_http_req *req, struct vd_upload *up,
                           json_t **report, struct eseal_err *err)
{
    memset(up, 0, sizeof(*up));
    *report = NULL;
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    eseal_rc rc = eseal_http_multipart(req, &mp, 0, err);
    for (size_t i = 0; rc == ESEAL_OK && i < mp.n; i++)
        rc = take_part(up, &mp.parts[i], (size_t)d->cfg->max_document, err);
    if (rc == ESEAL_OK)
        rc = check_combination(up, err);
    if (rc == ESEAL_OK && up->document_name != NULL) /* names are the parser's: copy */
        up->document_name =
            strcpy(eseal_http_alloc(req, strlen(up->document_name) + 1), up->document_name);
    eseal_multipart_cleanup(&mp);
    if (rc != ESEAL_OK)
        return rc;
    if (up->signature == NULL && up->seal == NULL && up->picture == NULL) {
        static const struct eseal_container *const formats[] = {&eseal_container_ofd};
        struct eseal_document_report doc;
        eseal_document_report_init(&doc);
        eseal_verify_document(&doc, formats, 1, up->document, up->document_len, NULL, 0, &d->opts);
        *report = eseal_document_report_json(&doc);
        eseal_document_report_cleanup(&doc);
        vd_count_verdict(d, *report);
        return ESEAL_OK;
    }
    struct eseal_report r;
    eseal_report_init(&r);
    if (up->signature != NULL) {
        uint8_t digest[ESEAL_SM3_LEN];
        if (up->document != NULL)
            eseal_sm3(digest, up->document, up->document_len);
        eseal_verify_ses(&r, up->signature, up->signature_len, up->document != NULL ? digest : NULL,
                         &d->opts);
    } else if (up->seal != NULL) {
        eseal_verify_seal(&r, up->seal, up->seal_len, &d->opts);
    } else {
        eseal_verify_picture(&r, up->picture, up->picture_len, &d->opts);
    }
    *report = eseal_report_json(&r);
    eseal_report_cleanup(&r);
    vd_count_verdict(d, *report);
    return ESEAL_OK;
}
