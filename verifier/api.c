/* api.c — eseal-verifierd's JSON API: POST /api/v1/verify (multipart
 * upload in, the report of eseal_report_json — or for an OFD
 * eseal_document_report_json — out) and GET /healthz. */
#include <stdio.h>
#include <stdlib.h>

#include "eseal/buf.h"
#include "eseal/httpc.h"
#include "eseal/metrics.h"
#include "verifierd.h"

/* The health check asks the publisher briefly: it must not hold a worker. */
#define HEALTH_TIMEOUT_MS 2000

eseal_rc vd_api_verify(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct vd_upload up;
    json_t *report = NULL;
    eseal_http_set_header(req, "Cache-Control", "no-store");
    eseal_http_set_header(req, "X-Content-Type-Options", "nosniff");
    eseal_rc rc = vd_verify_request(app, req, &up, &report, err);
    /* any verdict is a 200: the verdict is in the body */
    if (rc == ESEAL_OK)
        rc = eseal_http_reply_json(req, 200, report);
    return rc;
}

/* publisher_reachable asks the publisher's /healthz; any HTTP answer means
 * the status source can be reached (its own health is its business). */
static bool publisher_reachable(const char *url, char why[ESEAL_ERR_MSG_MAX])
{
    char *health = eseal_xasprintf("%s/healthz", url);
    struct eseal_httpc_opts o = {.timeout_ms = HEALTH_TIMEOUT_MS, .max_body = 64 * 1024};
    struct eseal_buf body;
    eseal_buf_init(&body);
    struct eseal_err e;
    eseal_err_clear(&e);
    unsigned status = 0;
    bool ok = eseal_httpc_get(health, &o, &status, &body, &e) == ESEAL_OK;
    snprintf(why, ESEAL_ERR_MSG_MAX, "%s", ok ? "" : e.msg);
    eseal_buf_cleanup(&body);
    free(health);
    return ok;
}

eseal_rc vd_api_healthz(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct verifierd *d = app;
    json_t *st = json_pack("{s:s}", "mode", d->status_mode);
    json_t *problems = json_array();
    bool ok = true;
    if (d->opts.status != NULL && d->cfg->status_file != NULL) {
        json_object_set_new(st, "file", json_string(d->cfg->status_file));
    } else if (!d->cfg->no_status) {
        char why[ESEAL_ERR_MSG_MAX];
        ok = publisher_reachable(d->cfg->status_url, why);
        json_object_set_new(st, "url", json_string(d->cfg->status_url));
        json_object_set_new(st, "reachable", json_boolean(ok));
        if (!ok) {
            json_object_set_new(st, "error", json_string(why));
            eseal_health_problem(problems, "status", true,
                                 "无法连接状态发布服务 / the status publisher cannot be reached");
        }
    }
    /* an expired anchor makes every chain to it fail */
    for (int i = 0; i < sk_X509_num(d->opts.trust); i++)
        eseal_health_cert(problems, "trust", "信任锚证书", "trust anchor certificate",
                          sk_X509_value(d->opts.trust, i), true);
    json_t *j = json_pack("{s:i,s:o,s:I}", "trustAnchors", sk_X509_num(d->opts.trust), "status", st,
                          "cacheHits", (json_int_t)eseal_verify_cache_hits(d->opts.cache));
    return eseal_health_reply(req, j, problems);
}
