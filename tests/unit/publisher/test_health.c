/* test_health.c — libeseal-publisher's GET /healthz when the publisher is
 * behind its log: a real log of 2 pages and 1 entry served over HTTP with
 * the log's own routes, a publisher stepped by hand (its follower thread
 * never started, so it stays where the test leaves it): one page applied
 * leaves 1001 verified entries to apply, a lag warning (200); the next page
 * leaves 1, no problem. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/http.h"
#include "eseal/log.h"
#include "eseal/publisher.h"
#include "fixture.h"

/* 2026-06-01T00:00:00Z */
#define NOW 1780272000LL
/* two pages of GET /log/entries and one entry more */
#define ENTRIES (2 * ESEAL_LOG_PAGE_MAX + 1)

static void test_lag(void **state)
{
    (void)state;
    /* a log of entries the publisher has nothing to do with: only their
     * number matters here, and they cost nothing to apply */
    json_t **entries = eseal_xcalloc(ENTRIES, sizeof(*entries));
    for (int i = 0; i < ENTRIES; i++)
        entries[i] = json_pack("{s:i,s:s,s:{s:s,s:s},s:s,s:{s:i}}", "v", 1, "type",
                               "account.created", "actor", "id", "admin", "role", "admin", "time",
                               "2026-04-30T09:00:00.000Z", "data", "n", i);
    char *dir = eseal_path_join(fx_tmp, "log-lag");
    fx_append(dir, entries, ENTRIES);
    free(entries);
    struct eseal_log *log;
    struct eseal_err err;
    if (eseal_log_open(&log, dir, eseal_ca_log_signer(fx_ca), &err) != ESEAL_OK)
        fail_msg("log open: %s", err.msg);
    struct eseal_http_config hc = {
        .routes = eseal_log_routes, .n_routes = ESEAL_LOG_N_ROUTES, .app = log, .threads = 1};
    struct eseal_http *logsrv = NULL;
    assert_int_equal(eseal_http_start(&logsrv, &hc, &err), ESEAL_OK);

    struct eseal_publisher_config cfg;
    fx_config(&cfg, "pub-lag", "log-lag");
    free(cfg.log);
    cfg.log = eseal_xasprintf("http://127.0.0.1:%u", eseal_http_port(logsrv));
    struct eseal_publisher *p = fx_open(&cfg);
    unsigned status = 0;

    /* one page: the whole checkpoint verified, its first page applied */
    size_t n = 0;
    if (eseal_publisher_step(p, NOW, &n, &err) != ESEAL_OK)
        fail_msg("step: %s", err.msg);
    json_t *h = eseal_publisher_health(p);
    assert_int_equal(json_integer_value(json_object_get(h, "position")), ESEAL_LOG_PAGE_MAX);
    assert_int_equal(json_integer_value(json_object_get(h, "lagEntries")),
                     ENTRIES - ESEAL_LOG_PAGE_MAX);
    json_decref(h);
    char *got = fx_healthz(p, &status);
    assert_int_equal(status, 200);
    assert_string_equal(got, "lag warning 落后日志 1001 条 / 1001 log entries behind\n");
    free(got);

    /* the next page: 1 entry behind is no problem */
    if (eseal_publisher_step(p, NOW, &n, &err) != ESEAL_OK)
        fail_msg("step: %s", err.msg);
    got = fx_healthz(p, &status);
    assert_int_equal(status, 200);
    assert_string_equal(got, "");
    free(got);

    eseal_publisher_close(p);
    eseal_http_stop(logsrv);
    eseal_log_close(log);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lag),
    };
    return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
