/* ops.c — eseal-verifierd's GET /metrics (docs/operations.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/metrics.h"
#include "verifierd.h"

void vd_count_verdict(struct verifierd *d, const json_t *report)
{
    const char *ind = json_string_value(json_object_get(report, "indication"));
    enum vd_verdict v = VD_INDETERMINATE;
    if (ind != NULL && strcmp(ind, "TOTAL_PASSED") == 0)
        v = VD_PASSED;
    else if (ind != NULL && strcmp(ind, "TOTAL_FAILED") == 0)
        v = VD_FAILED;
    atomic_fetch_add(&d->verdicts[v], 1);
}

eseal_rc vd_api_metrics(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    struct verifierd *d = app;
    struct eseal_buf out;
    eseal_buf_init(&out);
    eseal_metrics_process(&out, "eseal-verifierd");
    eseal_http_metrics(req, &out);
    static const char *const names[VD_VERDICTS] = {"TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE"};
    static const char *const label[] = {"indication"};
    eseal_metrics_family(&out, "eseal_verifier_reports_total", "counter",
                         "validation reports made since start, by indication");
    for (size_t v = 0; v < VD_VERDICTS; v++)
        eseal_metrics_sample(&out, "eseal_verifier_reports_total", label, &names[v], 1,
                             (double)atomic_load(&d->verdicts[v]));
    eseal_metrics_one(&out, "eseal_verifier_cache_hits_total", "counter",
                      "checks the verification cache answered",
                      (double)eseal_verify_cache_hits(d->opts.cache));
    /* the anchors by their place in the trust file: trust0, trust1, ... */
    int n = sk_X509_num(d->opts.trust);
    char(*labels)[16] = eseal_xcalloc((size_t)(n > 0 ? n : 1), sizeof(*labels));
    const char **name = eseal_xcalloc((size_t)(n > 0 ? n : 1), sizeof(*name));
    X509 **certs = eseal_xcalloc((size_t)(n > 0 ? n : 1), sizeof(*certs));
    for (int i = 0; i < n; i++) {
        snprintf(labels[i], sizeof(labels[i]), "trust%d", i);
        name[i] = labels[i];
        certs[i] = sk_X509_value(d->opts.trust, i);
    }
    eseal_metrics_certs(&out, name, certs, (size_t)(n > 0 ? n : 0));
    free(labels);
    free(name);
    free(certs);
    eseal_rc rc = eseal_metrics_reply(req, &out);
    eseal_buf_cleanup(&out);
    return rc;
}
