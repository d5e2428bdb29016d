/* metrics.c — the Prometheus text exposition format (0.0.4) and the health
 * report's problems, shared by the daemons' GET /metrics and /healthz. */
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "eseal/metrics.h"
#include "eseal/pki.h"

void eseal_metrics_family(struct eseal_buf *out, const char *name, const char *type,
                          const char *help)
{
    eseal_buf_appendf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* label_value appends |s| escaped: backslash, double quote and newline. */
static void label_value(struct eseal_buf *out, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '\\')
            eseal_buf_append_str(out, "\\\\");
        else if (*s == '"')
            eseal_buf_append_str(out, "\\\"");
        else if (*s == '\n')
            eseal_buf_append_str(out, "\\n");
        else
            eseal_buf_append(out, s, 1);
    }
}

static void value(struct eseal_buf *out, double v)
{
    if (isnan(v))
        eseal_buf_append_str(out, "NaN");
    else if (isinf(v))
        eseal_buf_append_str(out, v > 0 ? "+Inf" : "-Inf");
    else if (v == floor(v) && fabs(v) < 1e15)
        eseal_buf_appendf(out, "%.0f", v);
    else
        eseal_buf_appendf(out, "%.9g", v);
}

void eseal_metrics_sample(struct eseal_buf *out, const char *name, const char *const *label_names,
                          const char *const *label_values, size_t n_labels, double v)
{
    eseal_buf_append_str(out, name);
    for (size_t i = 0; i < n_labels; i++) {
        eseal_buf_appendf(out, "%s%s=\"", i == 0 ? "{" : ",", label_names[i]);
        label_value(out, label_values[i]);
        eseal_buf_append_str(out, "\"");
    }
    eseal_buf_append_str(out, n_labels > 0 ? "} " : " ");
    value(out, v);
    eseal_buf_append_str(out, "\n");
}

void eseal_metrics_one(struct eseal_buf *out, const char *name, const char *type, const char *help,
                       double v)
{
    eseal_metrics_family(out, name, type, help);
    eseal_metrics_sample(out, name, NULL, NULL, 0, v);
}

/* The process's start, taken at the first scrape's latest: close enough,
 * and a constructor would run in every program that links core. */
static atomic_llong started;

void eseal_metrics_process(struct eseal_buf *out, const char *component)
{
    long long zero = 0;
    atomic_compare_exchange_strong(&started, &zero, (long long)time(NULL));
    static const char *const names[] = {"component", "version"};
    const char *values[] = {component, ESEAL_VERSION};
    eseal_metrics_family(out, "eseal_build_info", "gauge", "the daemon and its version, always 1");
    eseal_metrics_sample(out, "eseal_build_info", names, values, 2, 1);
    eseal_metrics_one(out, "eseal_process_start_time_seconds", "gauge",
                      "when the daemon started serving metrics, Unix time",
                      (double)atomic_load(&started));
}

void eseal_metrics_kv(struct eseal_buf *out, struct eseal_kv *kv, const char *db)
{
    static const struct {
        const char *name, *property, *help;
    } rows[] = {
        {"eseal_rocksdb_sst_bytes", "rocksdb.total-sst-files-size", "bytes of RocksDB table files"},
        {"eseal_rocksdb_memtable_bytes", "rocksdb.cur-size-all-mem-tables",
         "bytes of RocksDB memtables"},
        {"eseal_rocksdb_live_data_bytes", "rocksdb.estimate-live-data-size",
         "RocksDB's estimate of its live data, bytes"},
        {"eseal_rocksdb_keys", "rocksdb.estimate-num-keys", "RocksDB's estimate of its keys"},
    };
    static const char *const names[] = {"db"};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        eseal_metrics_family(out, rows[i].name, "gauge", rows[i].help);
        eseal_metrics_sample(out, rows[i].name, names, &db, 1,
                             (double)eseal_kv_property(kv, rows[i].property));
    }
}

void eseal_metrics_certs(struct eseal_buf *out, const char *const *names, X509 *const *certs,
                         size_t n)
{
    static const char *const label[] = {"cert"};
    eseal_metrics_family(out, "eseal_cert_expiry_seconds", "gauge",
                         "seconds until the certificate's notAfter (negative: expired)");
    for (size_t i = 0; i < n; i++)
        if (certs[i] != NULL)
            eseal_metrics_sample(out, "eseal_cert_expiry_seconds", label, &names[i], 1,
                                 eseal_pki_days_left(certs[i]) * 86400.0);
}

/* nftw passes no context: the sum is per thread. */
static _Thread_local uint64_t dir_total;

static int add_file(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)path;
    (void)ftw;
    if (flag == FTW_F && S_ISREG(st->st_mode))
        dir_total += (uint64_t)st->st_size;
    return 0;
}

uint64_t eseal_metrics_dir_bytes(const char *dir)
{
    dir_total = 0;
    if (nftw(dir, add_file, 16, FTW_PHYS) != 0)
        return 0;
    return dir_total;
}

eseal_rc eseal_metrics_reply(struct eseal_http_req *req, const struct eseal_buf *out)
{
    eseal_http_set_header(req, "Cache-Control", "no-store");
    return eseal_http_reply(req, 200, ESEAL_METRICS_TYPE, out->data, out->len);
}

void eseal_health_problem(json_t *problems, const char *check, bool fatal, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_array_append_new(problems, json_pack("{s:s,s:s,s:s}", "check", check, "severity",
                                              fatal ? "error" : "warning", "message", msg));
}

void eseal_health_store(json_t *problems, struct eseal_kv *kv)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    if (eseal_kv_failure(kv, &e) != ESEAL_OK)
        eseal_health_problem(problems, "store", true,
                             "存储拒绝写入，须检查磁盘后重启 / the store refuses writes; check the "
                             "disk and restart: %s",
                             e.msg);
}

void eseal_health_cert(json_t *problems, const char *name, const char *what_zh, const char *what_en,
                       const X509 *x, bool fatal_when_expired)
{
    if (x == NULL)
        return;
    double days = eseal_pki_days_left(x);
    char check[64];
    snprintf(check, sizeof(check), "cert.%s", name);
    if (days <= 0)
        eseal_health_problem(problems, check, fatal_when_expired, "%s已过期 / the %s has expired",
                             what_zh, what_en);
    else if (days < ESEAL_HEALTH_CERT_WARN_DAYS)
        eseal_health_problem(problems, check, false,
                             "%s将在 %.0f 天内到期 / the %s expires within %.0f days", what_zh,
                             ceil(days), what_en, ceil(days));
}

eseal_rc eseal_health_reply(struct eseal_http_req *req, json_t *body, json_t *problems)
{
    bool ok = true;
    size_t i;
    json_t *p;
    json_array_foreach(problems, i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "severity")), "error") == 0)
            ok = false;
    }
    json_object_set_new(body, "ok", json_boolean(ok));
    json_object_set_new(body, "problems", problems);
    eseal_http_set_header(req, "Cache-Control", "no-store");
    return eseal_http_reply_json(req, ok ? 200 : 503, body);
}
