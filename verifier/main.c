/* main.c — eseal-verifierd: the verification service. Reads the
 * configuration (defaults, then -c FILE, then --name value overrides), loads
 * the trust anchors, opens one status source and one cache for its whole
 * life, and serves the JSON API and the HTML page until SIGINT or SIGTERM.
 * It holds no private key: no CA passphrase. */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "eseal/daemon.h"
#include "eseal/httpc.h"
#include "verifierd.h"

#define FIELD(f) offsetof(struct verifierd_config, f)

const struct eseal_opt verifierd_options[] = {
    ESEAL_DAEMON_OPTS_LISTEN(struct verifierd_config, VERIFIERD_PORT),
    {"trust", ESEAL_OPT_STRING, FIELD(trust), VERIFIERD_TRUST, 0, 1, 4096, NULL,
     "PEM file of trust anchors (the platform root)"},
    {"status_url", ESEAL_OPT_STRING, FIELD(status_url), VERIFIERD_STATUS_URL, 0, 1, 4096,
     eseal_opt_valid_url, "the publisher whose signed status is checked (online)"},
    {"status_file", ESEAL_OPT_STRING, FIELD(status_file), NULL, 0, 1, 4096, NULL,
     "offline: a status list or response saved from the publisher (needs responder)"},
    {"responder", ESEAL_OPT_STRING, FIELD(responder), NULL, 0, 1, 4096, NULL,
     "offline: the publisher's responder certificate (PEM)"},
    {"ca_file", ESEAL_OPT_STRING, FIELD(ca_file), NULL, 0, 1, 4096, NULL,
     "PEM CA certificates for an https:// status_url (default: the system store)"},
    {"no_status", ESEAL_OPT_BOOL, FIELD(no_status), NULL, 0, 0, 0, NULL,
     "do not check seal status (reported as skipped)"},
    {"max_document", ESEAL_OPT_INT, FIELD(max_document), NULL, VERIFIERD_MAX_DOCUMENT, 1024,
     1024LL * 1024 * 1024, NULL, "largest uploaded document, bytes (larger: 413)"},
    ESEAL_DAEMON_OPTS_HTTP(struct verifierd_config),
};
const size_t verifierd_n_options = sizeof(verifierd_options) / sizeof(verifierd_options[0]);

static int fail(const char *what, const struct eseal_err *e)
{
    return eseal_daemon_fail("eseal-verifierd", what, e);
}

static int run(void *config)
{
    const struct verifierd_config *cfg = config;
    struct eseal_err e;
    eseal_err_clear(&e);
    struct verifierd d;
    struct eseal_http *srv = NULL;
    if (eseal_httpc_init(cfg->ca_file, &e) != ESEAL_OK)
        return fail("ca_file", &e);
    if (verifierd_open(&d, cfg, &e) != ESEAL_OK)
        return fail("opening the trust anchors and the status source", &e);
    /* signals are taken synchronously: block them before any thread starts */
    sigset_t set;
    eseal_daemon_block_signals(&set);
    int status = 1;
    if (verifierd_serve(&d, &srv, &e) != ESEAL_OK) {
        fail("starting the HTTP server", &e);
        goto out;
    }
    fprintf(stderr, "eseal-verifierd: listening on http://%s:%u/ (trust %s, status %s)\n",
            cfg->address, (unsigned)eseal_http_port(srv), cfg->trust,
            cfg->no_status             ? "none (--no-status)"
            : cfg->status_file != NULL ? cfg->status_file
                                       : cfg->status_url);
    eseal_daemon_wait_stop(&set, 0);
    fprintf(stderr, "eseal-verifierd: stopping\n");
    status = 0;
out:
    eseal_http_stop(srv);
    verifierd_close(&d);
    return status;
}

/* check refuses an offline status file without the responder to check it. */
static int check(const void *config)
{
    const struct verifierd_config *cfg = config;
    if (cfg->status_file != NULL && cfg->responder == NULL && !cfg->no_status) {
        fprintf(stderr, "eseal-verifierd: status_file needs responder / 缺少 responder\n");
        return 1;
    }
    return 0;
}

static void print_routes(const void *config, FILE *out)
{
    verifierd_print_routes(config, out);
}

int main(int argc, char **argv)
{
    const struct eseal_daemon verifierd = {
        .name = "eseal-verifierd",
        .synopsis = "[--port N] [--trust FILE] "
                    "[--status-url URL [--ca-file FILE] | --status-file FILE --responder FILE | "
                    "--no-status]",
        .notes = "Status: --no-status, else --status-file, else --status-url.\n",
        .options = verifierd_options,
        .n_options = verifierd_n_options,
        .config_size = sizeof(struct verifierd_config),
        .check = check,
        .run = run,
        .print_routes = print_routes,
    };
    return eseal_daemon_main(&verifierd, argc, argv);
}
