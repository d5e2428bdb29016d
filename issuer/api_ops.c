/* api_ops.c — what an operator watches: GET /metrics (Prometheus text) and
 * GET /healthz (what is wrong, 503 when the issuer cannot do its job).
 * docs/operations.md lists every metric and check. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "eseal/ca.h"
#include "eseal/http.h"
#include "eseal/metrics.h"
#include "eseal/secret.h"
#include "internal.h"

/* checkpoint_age returns the seconds since the log's latest checkpoint was
 * written (the checkpoints file is appended to on every commit), or -1. */
static double checkpoint_age(const struct eseal_issuer *is)
{
    char *path = eseal_path_join(is->cfg.data, "log/checkpoints");
    struct stat st;
    double age = stat(path, &st) == 0 ? difftime(time(NULL), st.st_mtime) : -1;
    free(path);
    return age;
}

eseal_rc api_metrics(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    struct eseal_issuer *is = app;
    struct eseal_buf out;
    eseal_buf_init(&out);
    eseal_metrics_process(&out, "eseal-issuerd");
    eseal_http_metrics(req, &out);
    uint64_t size = eseal_log_size(is->log);
    eseal_metrics_one(&out, "eseal_log_entries", "gauge",
                      "entries covered by the log's latest signed checkpoint", (double)size);
    char *dir = eseal_path_join(is->cfg.data, "log");
    eseal_metrics_one(&out, "eseal_log_bytes", "gauge",
                      "bytes of the log directory (segments, checkpoints, index)",
                      (double)eseal_metrics_dir_bytes(dir));
    free(dir);
    eseal_metrics_one(&out, "eseal_log_checkpoint_age_seconds", "gauge",
                      "seconds since the latest checkpoint was signed (-1: none)",
                      checkpoint_age(is));
    uint64_t pos = store_log_pos(is);
    eseal_metrics_one(&out, "eseal_issuer_store_lag_entries", "gauge",
                      "log entries the issuer's store has not applied yet",
                      (double)(size > pos ? size - pos : 0));
    eseal_metrics_one(&out, "eseal_issuer_seals_signed_total", "counter",
                      "seals signed with the maker key since start",
                      (double)atomic_load(&is->seals_signed));
    eseal_metrics_one(&out, "eseal_issuer_seal_sign_failures_total", "counter",
                      "seals the maker key failed to sign since start",
                      (double)atomic_load(&is->seal_sign_failures));
    lists_metrics(is, &out);
    dir = eseal_path_join(is->cfg.data, "blobs");
    eseal_metrics_one(&out, "eseal_issuer_materials_bytes", "gauge",
                      "bytes of the encrypted materials store",
                      (double)eseal_metrics_dir_bytes(dir));
    free(dir);
    eseal_metrics_kv(&out, is->kv, "issuer");
    static const char *const names[] = {"root", "maker"};
    X509 *const certs[] = {eseal_ca_cert(is->ca, ESEAL_CA_ROOT),
                           eseal_ca_cert(is->ca, ESEAL_CA_MAKER)};
    eseal_metrics_certs(&out, names, certs, 2);
    eseal_rc rc = eseal_metrics_reply(req, &out);
    eseal_buf_cleanup(&out);
    return rc;
}

eseal_rc api_healthz(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    struct eseal_issuer *is = app;
    json_t *problems = json_array();
    struct eseal_err e;
    eseal_err_clear(&e);
    /* after a failed commit the log refuses every append until reopened */
    if (eseal_log_failure(is->log, &e) != ESEAL_OK)
        eseal_health_problem(problems, "log", true,
                             "事件日志拒绝写入，须重启 / the event log refuses appends until "
                             "restarted: %s",
                             e.msg);
    eseal_health_store(problems, is->kv);
    uint64_t size = eseal_log_size(is->log), pos = store_log_pos(is);
    if (pos < size)
        eseal_health_problem(problems, "store", false,
                             "存储落后日志 %llu 条 / the store is %llu log entries behind",
                             (unsigned long long)(size - pos), (unsigned long long)(size - pos));
    /* without a valid root or maker certificate no seal can be made */
    eseal_health_cert(problems, "root", "根证书", "root certificate",
                      eseal_ca_cert(is->ca, ESEAL_CA_ROOT), true);
    eseal_health_cert(problems, "maker", "制章证书", "seal maker certificate",
                      eseal_ca_cert(is->ca, ESEAL_CA_MAKER), true);
    json_t *body = json_pack("{s:s,s:I,s:f}", "component", "eseal-issuerd", "logEntries",
                             (json_int_t)size, "checkpointAgeSeconds", checkpoint_age(is));
    return eseal_health_reply(req, body, problems);
}

eseal_rc api_backup(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    struct eseal_issuer *is = app;
    /* The checkpoint goes under the data directory (same file system: hard
     * links), never to a path a caller names; `eseal backup`, on this host,
     * copies it out and removes it. */
    char *parent = eseal_path_join(is->cfg.data, "backup");
    struct eseal_err e;
    eseal_err_clear(&e);
    if (eseal_mkdirs(parent, 0700, &e) != ESEAL_OK) {
        free(parent);
        return api_reply_error(req, e.rc, NULL, "%s", e.msg);
    }
    uint8_t rnd[8];
    eseal_random(rnd, sizeof(rnd));
    char name[64];
    char when[ESEAL_JSON_TIME_BUF];
    eseal_json_time_now(when, sizeof(when), false);
    when[strcspn(when, ":")] = '\0'; /* "YYYY-MM-DDTHH" keeps the name portable */
    snprintf(name, sizeof(name), "db-%s-%02x%02x%02x%02x%02x%02x%02x%02x", when, rnd[0], rnd[1],
             rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
    char *dir = eseal_path_join(parent, name);
    free(parent);
    /* the store as of now; the log, copied after, holds at least as much */
    uint64_t pos = store_log_pos(is);
    eseal_rc rc = eseal_kv_checkpoint(is->kv, dir, &e);
    if (rc != ESEAL_OK) {
        free(dir);
        return api_reply_error(req, rc, NULL, "检查点失败 / checkpoint failed: %s", e.msg);
    }
    json_t *j = json_pack("{s:s,s:I}", "checkpoint", dir, "logPosition", (json_int_t)pos);
    free(dir);
    return eseal_http_reply_json(req, 201, j);
}
