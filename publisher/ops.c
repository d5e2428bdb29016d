/* ops.c — what an operator watches on the publisher: GET /metrics and the
 * problems GET /healthz lists (docs/operations.md). */
#include <stdatomic.h>
#include <time.h>

#include "eseal/ca.h"
#include "eseal/metrics.h"
#include "internal.h"

/* Entries behind the verified checkpoint past which /healthz warns. */
#define LAG_WARN 1000

eseal_rc pub_count_sign(struct eseal_publisher *p, enum pub_signed kind, eseal_rc rc)
{
    atomic_fetch_add(rc == ESEAL_OK ? &p->signs[kind] : &p->sign_failures[kind], 1);
    return rc;
}

/* struct follow_state is what the follower last reported, read under mu. */
struct follow_state {
    uint64_t position, size, skipped;
    int64_t last_success;
    bool failed;
    size_t fetch_retries;
    bool fetch_paused; /* the issuer did not answer the last fetch tried */
};

static void follow_state(struct eseal_publisher *p, struct follow_state *s)
{
    pthread_mutex_lock(&p->mu);
    s->position = p->position;
    s->size = p->verified.size;
    s->skipped = p->skipped;
    s->last_success = p->last_success;
    s->failed = p->failed;
    pthread_mutex_unlock(&p->mu);
    pthread_mutex_lock(&p->fetch);
    s->fetch_retries = json_object_size(p->fetch_retry);
    s->fetch_paused = p->fetch_pause > 0;
    pthread_mutex_unlock(&p->fetch);
}

static double since(int64_t t)
{
    return t > 0 ? difftime(time(NULL), (time_t)t) : -1;
}

eseal_rc pub_h_metrics(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    struct eseal_publisher *p = app;
    struct follow_state s;
    follow_state(p, &s);
    struct eseal_buf out;
    eseal_buf_init(&out);
    eseal_metrics_process(&out, "eseal-publisherd");
    eseal_http_metrics(req, &out);
    eseal_metrics_one(&out, "eseal_publisher_log_entries", "gauge",
                      "size of the latest log checkpoint the publisher verified", (double)s.size);
    eseal_metrics_one(&out, "eseal_publisher_position", "gauge",
                      "log entries applied to the status store", (double)s.position);
    eseal_metrics_one(&out, "eseal_publisher_lag_entries", "gauge",
                      "verified log entries not applied yet", (double)(s.size - s.position));
    eseal_metrics_one(&out, "eseal_publisher_last_success_age_seconds", "gauge",
                      "seconds since the log was last polled successfully (-1: never)",
                      since(s.last_success));
    eseal_metrics_one(&out, "eseal_publisher_follow_failed", "gauge",
                      "1 while the last poll of the log failed", s.failed ? 1 : 0);
    eseal_metrics_one(&out, "eseal_publisher_skipped_entries_total", "counter",
                      "log entries skipped as unusable", (double)s.skipped);
    eseal_metrics_one(&out, "eseal_publisher_fetch_retry_queue", "gauge",
                      "seals whose name or picture the issuer has not given yet",
                      (double)s.fetch_retries);
    static const char *const kinds[PUB_SIGNED_KINDS] = {"status", "list", "crl", "ocsp"};
    static const char *const label[] = {"kind"};
    eseal_metrics_family(&out, "eseal_publisher_signed_total", "counter",
                         "signatures made with the responder key since start, by what");
    for (size_t k = 0; k < PUB_SIGNED_KINDS; k++)
        eseal_metrics_sample(&out, "eseal_publisher_signed_total", label, &kinds[k], 1,
                             (double)atomic_load(&p->signs[k]));
    eseal_metrics_family(&out, "eseal_publisher_sign_failures_total", "counter",
                         "signatures with the responder key that failed since start, by what");
    for (size_t k = 0; k < PUB_SIGNED_KINDS; k++)
        eseal_metrics_sample(&out, "eseal_publisher_sign_failures_total", label, &kinds[k], 1,
                             (double)atomic_load(&p->sign_failures[k]));
    eseal_metrics_kv(&out, p->kv, "publisher");
    static const char *const names[] = {"root", "responder", "tsa"};
    X509 *const certs[] = {eseal_ca_cert(p->ca, ESEAL_CA_ROOT),
                           eseal_ca_cert(p->ca, ESEAL_CA_RESPONDER),
                           p->cfg.tsa ? eseal_ca_tsa_cert(p->ca) : NULL};
    eseal_metrics_certs(&out, names, certs, 3);
    eseal_rc rc = eseal_metrics_reply(req, &out);
    eseal_buf_cleanup(&out);
    return rc;
}

json_t *pub_health_problems(struct eseal_publisher *p)
{
    struct follow_state s;
    follow_state(p, &s);
    json_t *problems = json_array();
    if (s.failed)
        eseal_health_problem(problems, "log", true,
                             "无法读取或验证事件日志 / the log cannot be fetched or verified "
                             "(lastError)");
    eseal_health_store(problems, p->kv);
    double age = since(s.last_success);
    if (p->cfg.stale_after > 0 && age > (double)p->cfg.stale_after)
        eseal_health_problem(problems, "stale", true,
                             "状态数据已过时：%.0f 秒未从日志更新 / the feeds are stale: not "
                             "updated from the log for %.0f s",
                             age, age);
    if (s.size - s.position > LAG_WARN)
        eseal_health_problem(problems, "lag", false, "落后日志 %llu 条 / %llu log entries behind",
                             (unsigned long long)(s.size - s.position),
                             (unsigned long long)(s.size - s.position));
    /* while the issuer does not answer, one version is tried per pause:
     * how many wait is not known, only that none is fetched */
    if (s.fetch_paused)
        eseal_health_problem(problems, "fetch", false,
                             "签发服务未应答，暂停获取印章名称和图片 / the issuer does not answer: "
                             "fetching seal names and pictures is paused");
    else if (s.fetch_retries > 0)
        eseal_health_problem(problems, "fetch", false,
                             "%zu 枚印章的名称或图片未能从签发服务取得 / the name or picture of "
                             "%zu seals could not be fetched from the issuer",
                             s.fetch_retries, s.fetch_retries);
    /* without a valid responder certificate nothing served verifies */
    eseal_health_cert(problems, "root", "根证书", "root certificate",
                      eseal_ca_cert(p->ca, ESEAL_CA_ROOT), true);
    eseal_health_cert(problems, "responder", "状态签名证书", "status responder certificate",
                      eseal_ca_cert(p->ca, ESEAL_CA_RESPONDER), true);
    if (p->cfg.tsa)
        eseal_health_cert(problems, "tsa", "时间戳证书", "time-stamp certificate",
                          eseal_ca_tsa_cert(p->ca), false);
    return problems;
}
