/* queues.c — eseal-bench-queues: how fast the staff console's lists are
 * with many submissions. Writes COUNT synthetic submission records straight
 * into a new issuer store (through the library, without the log: the point
 * is the reading side), has the issuer build its index at open (the
 * one-time migration), then measures pages per second of the submissions
 * list (a state page, a deep page, a filtered page, a search) and the work
 * queues, next to a baseline measured in the same run on the same store: a
 * raw RocksDB prefix scan of as many index keys as a page holds. A
 * benchmark, not a test: it prints numbers and judges nothing
 * (tools/bench/queues.sh runs it; never in CI).
 *
 * usage: eseal-bench-queues DIR [COUNT] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/ca.h"
#include "eseal/issuer.h"
#include "eseal/json.h"
#include "internal.h"

#define PASS "benchmark passphrase"
#define PAGE 50
#define SECONDS 2.0

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "eseal-bench-queues: %s: %s\n", what, msg);
    exit(1);
}

static const char *const cities[] = {"350100", "350200", "350300", "350400", "350500",
                                     "350600", "350700", "350800", "350900", "350128"};
static const char *const businesses[] = {"apply", "renew", "change", "revoke", "reissue", "unlock"};
/* the mix of states: most submissions are finished, a few wait in queues */
static const char *const states[] = {"done",        "done",        "done",      "done",
                                     "handed_over", "handed_over", "submitted", "registered",
                                     "approved",    "produced",    "rejected",  "draft"};

/* load writes |count| records in batches of 1000 (not synced: a benchmark). */
static void load(struct eseal_issuer *is, long count)
{
    struct eseal_kv_batch *b = eseal_kv_batch_new(is->kv);
    struct eseal_err err;
    double t0 = now_s();
    for (long i = 0; i < count; i++) {
        char id[32], name[64], uscc[32], seal[96], t[32];
        snprintf(id, sizeof(id), "S%08ld", i + 1);
        snprintf(name, sizeof(name), "福建省测试单位%05ld", i % 20000);
        snprintf(uscc, sizeof(uscc), "11350000M%09ld", i % 20000);
        snprintf(seal, sizeof(seal), "%s%s", name, i % 3 == 0 ? "合同专用章" : "");
        /* entered: one a minute from 2026-01-01 */
        time_t at = 1767225600 + (time_t)i * 60;
        struct tm tm;
        gmtime_r(&at, &tm);
        strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
        const char *city = cities[i % 10];
        json_t *rec =
            json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s},s:s,s:s,s:s,s:s,s:[s],s:i,s:[],s:[],s:i}",
                      "id", id, "state", states[(i / 7) % 12], "business", businesses[i % 6],
                      "unit", "name", name, "uscc", uscc, "city", city, "county", city,
                      "filed_city", city, "created", t, "updated", t, "entered", t, "seal_names",
                      seal, "forms", 1, "materials", "applications", "round", 1);
        store_batch_put_json(b, CF_SUBMISSIONS, id, rec);
        json_decref(rec);
        if (eseal_kv_batch_count(b) >= 1000) {
            if (eseal_kv_write(is->kv, b, false, &err) != ESEAL_OK)
                die("write", err.msg);
            eseal_kv_batch_free(b);
            b = eseal_kv_batch_new(is->kv);
        }
        if ((i + 1) % 10000 == 0)
            fprintf(stderr, "  loaded %ld of %ld (%.1f s)\n", i + 1, count, now_s() - t0);
    }
    /* the index is built by the next open, as for a database from before it */
    eseal_kv_batch_delete(b, CF_META, "subindex", 8);
    if (eseal_kv_write(is->kv, b, true, &err) != ESEAL_OK)
        die("write", err.msg);
    eseal_kv_batch_free(b);
}

/* baseline scans PAGE keys of the index of one state, raw. */
static long baseline(struct eseal_issuer *is)
{
    long n = 0;
    struct eseal_kv_iter *it = eseal_kv_iter_new(is->kv, CF_SUBINDEX);
    for (eseal_kv_iter_seek(it, "s/submitted/", 12); eseal_kv_iter_valid(it) && n < PAGE;
         eseal_kv_iter_next(it)) {
        size_t kl, vl;
        const uint8_t *k = eseal_kv_iter_key(it, &kl);
        (void)eseal_kv_iter_value(it, &vl);
        if (kl < 12 || memcmp(k, "s/submitted/", 12) != 0)
            break;
        n++;
    }
    eseal_kv_iter_free(it);
    return n;
}

struct run {
    const char *what;
    struct eseal_issuer_query q;
};

/* rate calls the query for SECONDS and returns calls per second; *total
 * receives the last answer's total. */
static double rate(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                   const struct run *r, long long *total)
{
    long calls = 0;
    double t0 = now_s(), t;
    do {
        if (r == NULL) {
            *total = baseline(is);
        } else {
            json_t *v = NULL;
            struct eseal_issuer_problem p;
            eseal_issuer_problem_init(&p);
            if (eseal_issuer_submission_find(is, who, &r->q, &v, &p) != ESEAL_OK)
                die(r->what, p.err.msg);
            *total = json_integer_value(json_object_get(v, "total"));
            json_decref(v);
            eseal_issuer_problem_cleanup(&p);
        }
        calls++;
    } while ((t = now_s() - t0) < SECONDS);
    return (double)calls / t;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: eseal-bench-queues DIR [COUNT]\n");
        return 2;
    }
    long count = argc > 2 ? strtol(argv[2], NULL, 10) : 100000;
    char *cadir = eseal_path_join(argv[1], "ca"), *data = eseal_path_join(argv[1], "issuer");
    struct eseal_err err;
    struct eseal_ca *ca = NULL;
    setenv("ESEAL_ADMIN_PASSWORD", "benchmark-admin-1", 0);
    if (eseal_ca_init(cadir, PASS, strlen(PASS), NULL, &err) != ESEAL_OK ||
        eseal_ca_open(&ca, cadir, &err) != ESEAL_OK ||
        eseal_ca_unlock(ca, ESEAL_ISSUER_CA_KEYS, PASS, strlen(PASS), &err) != ESEAL_OK)
        die("CA", err.msg);
    struct eseal_issuer_config cfg;
    eseal_config_defaults(eseal_issuer_options, eseal_issuer_n_options, &cfg);
    free(cfg.data);
    cfg.data = eseal_xstrdup(data);
    struct eseal_issuer *is = NULL;
    if (eseal_issuer_open(&is, &cfg, ca, NULL, &err) != ESEAL_OK)
        die("open", err.msg);
    fprintf(stderr, "loading %ld submissions into %s\n", count, data);
    double t0 = now_s();
    load(is, count);
    double t_load = now_s() - t0;
    eseal_issuer_close(is);
    t0 = now_s();
    if (eseal_issuer_open(&is, &cfg, ca, NULL, &err) != ESEAL_OK)
        die("open", err.msg);
    double t_index = now_s() - t0;
    printf("submissions          %ld (loaded in %.1f s; index built at open in %.1f s)\n", count,
           t_load, t_index);

    struct eseal_staff_principal maker, agent;
    memset(&maker, 0, sizeof(maker));
    snprintf(maker.username, sizeof(maker.username), "maker");
    maker.role = ESEAL_ROLE_MAKER;
    memset(&agent, 0, sizeof(agent));
    snprintf(agent.username, sizeof(agent.username), "agent");
    agent.role = ESEAL_ROLE_AGENT;
    snprintf(agent.unit, sizeof(agent.unit), "11350000M000000421");
    const struct run runs[] = {
        {"state page (submitted, first 50)", {.state = "submitted", .limit = "50"}},
        {"deep page (submitted, offset 5000)",
         {.state = "submitted", .limit = "50", .offset = "5000"}},
        {"filtered page (submitted, city)", {.state = "submitted", .city = "350200"}},
        {"search in a state (q, submitted)", {.state = "submitted", .q = "单位0042"}},
        {"search in all states (q)", {.q = "单位0042"}},
    };
    long long total = 0;
    double base = rate(is, &maker, NULL, &total);
    printf("%-40s %10.0f /s  (%lld keys)\n", "baseline: raw prefix scan of 50 keys", base, total);
    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        double r = rate(is, &maker, &runs[i], &total);
        printf("%-40s %10.0f /s  total %-7lld ratio to baseline %.3f\n", runs[i].what, r, total,
               r / base);
    }
    struct run agent_run = {"an agent's list (scope)", {.limit = "50"}};
    double r = rate(is, &agent, &agent_run, &total);
    printf("%-40s %10.0f /s  total %-7lld ratio to baseline %.3f\n", agent_run.what, r, total,
           r / base);
    long calls = 0;
    t0 = now_s();
    double t;
    do {
        json_t *v = NULL;
        struct eseal_issuer_problem p;
        eseal_issuer_problem_init(&p);
        if (eseal_issuer_queues(is, &maker, &v, &p) != ESEAL_OK)
            die("queues", p.err.msg);
        json_decref(v);
        eseal_issuer_problem_cleanup(&p);
        calls++;
    } while ((t = now_s() - t0) < SECONDS);
    printf("%-40s %10.0f /s  ratio to baseline %.3f\n", "work queues (maker)", (double)calls / t,
           (double)calls / t / base);
    eseal_issuer_close(is);
    eseal_config_cleanup(eseal_issuer_options, eseal_issuer_n_options, &cfg);
    eseal_ca_free(ca);
    free(cadir);
    free(data);
    return 0;
}
