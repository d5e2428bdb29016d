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
    {"address", ESEAL_OPT_STRING, FIELD(address), "127.0.0.1", 0, 1, 64, eseal_opt_valid_address,
     "address to listen on (IPv4 or IPv6 literal)"},
    {"port", ESEAL_OPT_INT, FIELD(port), NULL, VERIFIERD_PORT, 0, 65535, NULL,
     "TCP port (0: any free port)"},
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
    {"threads", ESEAL_OPT_INT, FIELD(threads), NULL, 4, 1, 64, NULL, "HTTP worker threads"},
    {"access_log", ESEAL_OPT_BOOL, FIELD(access_log), NULL, 0, 0, 0, NULL,
     "log one line per request on stderr"},
};
const size_t verifierd_n_options = sizeof(verifierd_options) / sizeof(verifierd_options[0]);

static void usage(FILE *out)
{
    fprintf(out, "usage: eseal-verifierd [-c FILE] [-n] [--port N] [--trust FILE] "
                 "[--status-url URL [--ca-file FILE] | --status-file FILE --responder FILE | "
                 "--no-status] "
                 "[--<option> VALUE ...]\n"
                 "       eseal-verifierd --help | --version\n\n"
                 "  -c FILE    read the JSON configuration FILE\n"
                 "  -n         check the configuration, print it and exit\n"
                 "Status: --no-status, else --status-file, else --status-url.\n\n"
                 "options (also keys of the configuration file):\n");
    eseal_config_usage(verifierd_options, verifierd_n_options, out);
}

static int fail(const char *what, const struct eseal_err *e)
{
    return eseal_daemon_fail("eseal-verifierd", what, e);
}

static int run(const struct verifierd_config *cfg)
{
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

int main(int argc, char **argv)
{
    struct verifierd_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    eseal_config_defaults(verifierd_options, verifierd_n_options, &cfg);
    int rc = eseal_config_cli(verifierd_options, verifierd_n_options, &cfg, "eseal-verifierd",
                              usage, argc, argv);
    if (rc == 0 && cfg.status_file != NULL && cfg.responder == NULL && !cfg.no_status) {
        fprintf(stderr, "eseal-verifierd: status_file needs responder / 缺少 responder\n");
        rc = 1;
    }
    if (rc == 0)
        rc = run(&cfg);
    eseal_config_cleanup(verifierd_options, verifierd_n_options, &cfg);
    return rc < 0 ? 0 : rc;
}
