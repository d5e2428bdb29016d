/* verifierd.h — what the files of eseal-verifierd share (main.c, api.c,
 * page.c): its configuration, the state shared by every request, and the
 * one place an upload becomes a report. Not part of libeseal-verify, which
 * stays free of the HTTP server. */
#ifndef ESEAL_VERIFIERD_H
#define ESEAL_VERIFIERD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "eseal/config.h"
#include "eseal/http.h"
#include "eseal/verify.h"

#define VERIFIERD_PORT 8443
#define VERIFIERD_MAX_ROUTES 8
#define VERIFIERD_TRUST "var/ca/root.pem"
#define VERIFIERD_STATUS_URL "http://127.0.0.1:8442"
/* VERIFIERD_MAX_DOCUMENT is the default limit on an uploaded document: the
 * adapter buffers a whole body, so the peak is about threads x this. */
#define VERIFIERD_MAX_DOCUMENT (32LL * 1024 * 1024)
/* VERIFIERD_FORM_SLACK is room in a body for the multipart framing and the
 * small parts around the document and the signature. */
#define VERIFIERD_FORM_SLACK (64 * 1024)

struct verifierd_config {
    char *address;
    long long port;
    char *trust;
    char *status_url;
    char *status_file;
    char *responder;
    char *ca_file; /* PEM CA certificates for an https:// status_url; NULL: system store */
    bool no_status;
    long long max_document;
    long long threads;
    bool access_log;
    bool log_text;
    long long max_connections;
    long long max_per_ip;
    long long header_timeout; /* seconds: eseal_http_config.header_timeout_s */
};

extern const struct eseal_opt verifierd_options[];
extern const size_t verifierd_n_options;

/* struct verifierd is the daemon's state, shared by every request: the
 * verification options (trust anchors, one status source, one cache, all
 * safe to share between threads) and the route table with its limits. */
/* The verdicts GET /metrics counts: a report's indication. */
enum vd_verdict { VD_PASSED, VD_FAILED, VD_INDETERMINATE, VD_VERDICTS };

struct verifierd {
    const struct verifierd_config *cfg; /* borrowed */
    struct eseal_verify_opts opts;      /* owned: trust, status, cache */
    const char *status_mode;            /* "url", "file" or "none", for /healthz */
    struct eseal_http_route routes[VERIFIERD_MAX_ROUTES];
    size_t n_routes;
    /* GET /metrics: reports made, by enum vd_verdict */
    atomic_ullong verdicts[VD_VERDICTS];
};

/* vd_count_verdict counts |report|'s indication for GET /metrics (ops.c). */
void vd_count_verdict(struct verifierd *d, const json_t *report);

/* verifierd_open loads the trust anchors and opens the status source and
 * the cache per |cfg| (borrowed; it must outlive |d|). Undone by
 * verifierd_close. */
eseal_rc verifierd_open(struct verifierd *d, const struct verifierd_config *cfg,
                        struct eseal_err *err) ESEAL_MUST_CHECK;
void verifierd_close(struct verifierd *d);

/* verifierd_print_routes writes the route table that verifierd_serve serves
 * with |cfg|'s limits as Markdown (eseal_http_routes_print). */
void verifierd_print_routes(const struct verifierd_config *cfg, FILE *out);

/* verifierd_serve starts the HTTP server on the configured address. */
eseal_rc verifierd_serve(struct verifierd *d, struct eseal_http **srv,
                         struct eseal_err *err) ESEAL_MUST_CHECK;

/* struct vd_upload is what one verification request asked for. Pointers
 * go into the request body and live as long as the request. */
struct vd_upload {
    const uint8_t *document, *signature, *seal, *picture;
    size_t document_len, signature_len, seal_len, picture_len;
    const char *document_name; /* the file name the client sent, or NULL */
};

/* vd_verify_request parses the multipart body of |req| into |up| and runs
 * the matching validation, its report as JSON in *report (caller decrefs):
 * eseal_report_json for a signature, seal or picture, and
 * eseal_document_report_json for an OFD document sent alone. A request
 * that is not multipart/form-data, has a duplicate or unknown part, or
 * names no signature, seal, picture or OFD is ESEAL_E_INVALID; a part over
 * its limit ESEAL_E_TOOBIG; |err| says which, in Chinese and English. */
eseal_rc vd_verify_request(struct verifierd *d, struct eseal_http_req *req, struct vd_upload *up,
                           json_t **report, struct eseal_err *err) ESEAL_MUST_CHECK;

/* The route handlers (api.c: the JSON API and health; page.c: the HTML). */
eseal_rc vd_api_verify(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc vd_api_healthz(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc vd_api_metrics(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc vd_page_index(struct eseal_http_req *req, void *app, struct eseal_err *err);
eseal_rc vd_page_verify(struct eseal_http_req *req, void *app, struct eseal_err *err);

#endif
