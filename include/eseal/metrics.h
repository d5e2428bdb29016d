/* metrics.h — what GET /metrics and GET /healthz of every daemon share:
 * writing the Prometheus text exposition format (version 0.0.4) — one
 * "# HELP" and "# TYPE" line per family, then its samples — and the health
 * report's problem list. The request metrics come from the HTTP adapter
 * (eseal_http_metrics); each daemon adds its own (docs/operations.md). */
#ifndef ESEAL_METRICS_H
#define ESEAL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/http.h"
#include "eseal/kv.h"

/* ESEAL_METRICS_TYPE is the Content-Type of the text format. */
#define ESEAL_METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* eseal_metrics_family appends the HELP and TYPE lines of family |name|;
 * |type| is "counter", "gauge" or "histogram"; |help| is one line of ASCII. */
void eseal_metrics_family(struct eseal_buf *out, const char *name, const char *type,
                          const char *help);

/* eseal_metrics_sample appends one sample line: |name|, then the labels
 * |label_names[i]|="|label_values[i]|" for i < n_labels (values escaped as
 * the format requires), then |value|. */
void eseal_metrics_sample(struct eseal_buf *out, const char *name, const char *const *label_names,
                          const char *const *label_values, size_t n_labels, double value);

/* eseal_metrics_one appends a whole family of one unlabelled sample: HELP,
 * TYPE |type| ("gauge" or "counter") and the value. */
void eseal_metrics_one(struct eseal_buf *out, const char *name, const char *type, const char *help,
                       double value);

/* eseal_metrics_process appends eseal_build_info{component,version} 1 and
 * eseal_process_start_time_seconds. */
void eseal_metrics_process(struct eseal_buf *out, const char *component);

/* eseal_metrics_kv appends the sizes of the RocksDB database |kv| labelled
 * db=|db|: eseal_rocksdb_sst_bytes, eseal_rocksdb_memtable_bytes,
 * eseal_rocksdb_live_data_bytes, eseal_rocksdb_keys. */
void eseal_metrics_kv(struct eseal_buf *out, struct eseal_kv *kv, const char *db);

/* eseal_metrics_certs appends eseal_cert_expiry_seconds{cert=|names[i]|} for
 * each non-NULL |certs[i]|, i < n. */
void eseal_metrics_certs(struct eseal_buf *out, const char *const *names, X509 *const *certs,
                         size_t n);

/* eseal_metrics_dir_bytes returns the bytes of the regular files under
 * |dir| (recursively; 0 when it cannot be read). */
uint64_t eseal_metrics_dir_bytes(const char *dir);

/* eseal_metrics_reply answers |req| with |out| in the text format. */
eseal_rc eseal_metrics_reply(struct eseal_http_req *req, const struct eseal_buf *out);

/* ESEAL_HEALTH_CERT_WARN_DAYS: a certificate this close to its end is a
 * warning in /healthz (an expired one is an error). */
#define ESEAL_HEALTH_CERT_WARN_DAYS 30

/* eseal_health_problem appends {"check":|check|, "severity":"error" (when
 * |fatal|: the daemon cannot do its job) or "warning", "message": the
 * formatted text, Chinese first then English} to the array |problems|. */
void eseal_health_problem(json_t *problems, const char *check, bool fatal, const char *fmt, ...)
    ESEAL_PRINTF(4, 5);

/* eseal_health_cert adds a problem "cert.|name|" to |problems| when |x|
 * has expired (error when |fatal_when_expired|, else warning) or ends
 * within ESEAL_HEALTH_CERT_WARN_DAYS (warning). |what_zh| and |what_en|
 * name it for people ("根证书", "root certificate"). */
void eseal_health_cert(json_t *problems, const char *name, const char *what_zh, const char *what_en,
                       const X509 *x, bool fatal_when_expired);

/* eseal_health_store adds a problem "store" (an error: the daemon cannot
 * record anything) to |problems| while |kv|'s last write failed
 * (eseal_kv_failure), with RocksDB's message. */
void eseal_health_store(json_t *problems, struct eseal_kv *kv);

/* eseal_health_reply answers |req| with |body| (a JSON object, taken) after
 * setting body.problems (|problems|, taken) and body.ok: 200 when no problem
 * is an error, else 503. Never cached. */
eseal_rc eseal_health_reply(struct eseal_http_req *req, json_t *body, json_t *problems);

#endif
