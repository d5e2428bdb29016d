/* fixture.c — the publisher unit tests' shared CA, log and publisher set-up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/config.h"
#include "eseal/http.h"
#include "eseal/httpc.h"
#include "eseal/json.h"
#include "eseal/log.h"
#include "fixture.h"

#define FX_PASS "publisher test passphrase"

char *fx_tmp;
struct eseal_ca *fx_ca;

int fx_setup(void **state)
{
    (void)state;
    fx_tmp = tu_tmpdir();
    char *dir = eseal_path_join(fx_tmp, "ca");
    struct eseal_err err;
    if (eseal_ca_init(dir, FX_PASS, strlen(FX_PASS), NULL, &err) != ESEAL_OK ||
        eseal_ca_open(&fx_ca, dir, &err) != ESEAL_OK ||
        eseal_ca_unlock(fx_ca, ESEAL_CA_UNLOCK_ALL, FX_PASS, strlen(FX_PASS), &err) != ESEAL_OK) {
        fprintf(stderr, "CA: %s\n", err.msg);
        free(dir);
        return -1;
    }
    free(dir);
    return 0;
}

int fx_teardown(void **state)
{
    (void)state;
    eseal_ca_free(fx_ca);
    fx_ca = NULL;
    tu_rmtree(fx_tmp);
    free(fx_tmp);
    fx_tmp = NULL;
    return 0;
}

const char *fx_hex64(const char *pair, char out[65])
{
    for (int i = 0; i < 32; i++)
        memcpy(out + 2 * i, pair, 2);
    out[64] = '\0';
    return out;
}

void fx_append(const char *dir, json_t **entries, size_t n)
{
    struct eseal_log *log;
    struct eseal_err err;
    if (eseal_log_open(&log, dir, eseal_ca_log_signer(fx_ca), &err) != ESEAL_OK)
        fail_msg("log open: %s", err.msg);
    for (size_t i = 0; i < n; i++) {
        if (eseal_log_append(log, entries[i], NULL, &err) != ESEAL_OK)
            fail_msg("append: %s", err.msg);
        json_decref(entries[i]);
    }
    assert_int_equal(eseal_log_sync(log, &err), ESEAL_OK);
    eseal_log_close(log);
}

void fx_config(struct eseal_publisher_config *cfg, const char *data, const char *log)
{
    memset(cfg, 0, sizeof(*cfg));
    eseal_config_defaults(eseal_publisher_options, eseal_publisher_n_options, cfg);
    free(cfg->data);
    free(cfg->log);
    free(cfg->ca);
    cfg->data = eseal_path_join(fx_tmp, data);
    cfg->log = eseal_path_join(fx_tmp, log);
    cfg->ca = eseal_path_join(fx_tmp, "ca");
    cfg->port = 0; /* a free one, for fx_healthz */
}

struct eseal_publisher *fx_open(struct eseal_publisher_config *cfg)
{
    struct eseal_publisher *p;
    struct eseal_err err;
    if (eseal_publisher_open(&p, cfg, fx_ca, &err) != ESEAL_OK)
        fail_msg("publisher open: %s", err.msg);
    eseal_config_cleanup(eseal_publisher_options, eseal_publisher_n_options, cfg);
    return p;
}

size_t fx_catch_up(struct eseal_publisher *p, long long now)
{
    size_t total = 0, n;
    struct eseal_err err;
    do {
        if (eseal_publisher_step(p, now, &n, &err) != ESEAL_OK)
            fail_msg("step: %s", err.msg);
        total += n;
    } while (n > 0);
    return total;
}

char *fx_healthz(struct eseal_publisher *p, unsigned *status)
{
    struct eseal_http *srv = NULL;
    struct eseal_err err;
    if (eseal_publisher_serve(p, &srv, &err) != ESEAL_OK)
        fail_msg("serve: %s", err.msg);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/healthz", eseal_http_port(srv));
    struct eseal_httpc_opts o = {.timeout_ms = 5000, .max_body = 65536};
    struct eseal_buf body;
    eseal_buf_init(&body);
    if (eseal_httpc_get(url, &o, status, &body, &err) != ESEAL_OK)
        fail_msg("GET %s: %s", url, err.msg);
    eseal_http_stop(srv);
    json_t *j = eseal_json_load(body.data, body.len);
    assert_non_null(j);
    struct eseal_buf lines;
    eseal_buf_init(&lines);
    size_t i;
    json_t *pr;
    json_array_foreach(json_object_get(j, "problems"), i, pr)
    {
        char *line = eseal_xasprintf("%s %s %s\n", eseal_json_str(pr, "check"),
                                     eseal_json_str(pr, "severity"), eseal_json_str(pr, "message"));
        eseal_buf_append(&lines, line, strlen(line));
        free(line);
    }
    eseal_buf_append(&lines, "", 1);
    char *out = eseal_xstrdup((const char *)lines.data);
    eseal_buf_cleanup(&lines);
    json_decref(j);
    eseal_buf_cleanup(&body);
    return out;
}
