/* main.c — eseal-publisherd: the status publisher. Reads the configuration
 * (defaults, then -c FILE, then --name value overrides), unlocks the CA (for
 * the responder key), opens the publisher's state, follows the issuer's log
 * in the background and serves the public HTTP API until SIGINT or SIGTERM. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/ca.h"
#include "eseal/daemon.h"
#include "eseal/http.h"
#include "eseal/httpc.h"
#include "eseal/publisher.h"

static int fail(const char *what, const struct eseal_err *e)
{
    return eseal_daemon_fail("eseal-publisherd", what, e);
}

static int run(void *config)
{
    struct eseal_publisher_config *cfg = config;
    struct eseal_err e;
    eseal_err_clear(&e);
    struct eseal_ca *ca = NULL;
    struct eseal_publisher *p = NULL;
    struct eseal_http *srv = NULL;
    int status = 1;
    if (eseal_httpc_init(cfg->ca_file, &e) != ESEAL_OK) {
        fail("ca_file", &e);
        goto out;
    }
    /* the time-stamp key lives only here (docs/tsa.md) */
    unsigned keys = ESEAL_CA_UNLOCK_RESPONDER | (cfg->tsa ? ESEAL_CA_UNLOCK_TSA : 0u);
    if (eseal_ca_open_unlocked(&ca, cfg->ca, keys, cfg->passphrase_file, &e) != ESEAL_OK) {
        fail("opening the CA", &e);
        goto out;
    }
    /* signals are taken synchronously: block them before any thread starts */
    sigset_t set;
    eseal_daemon_block_signals(&set);
    if (eseal_publisher_open(&p, cfg, ca, &e) != ESEAL_OK) {
        fail("opening the publisher state", &e);
        goto out;
    }
    if (eseal_publisher_start(p, &e) != ESEAL_OK) {
        fail("starting the follower", &e);
        goto out;
    }
    if (eseal_publisher_serve(p, &srv, &e) != ESEAL_OK) {
        fail("starting the HTTP server", &e);
        goto out;
    }
    fprintf(
        stderr,
        "eseal-publisherd: listening on http://%s:%u/ (data %s, CA %s, log %s, at entry %llu)\n",
        cfg->address, (unsigned)eseal_http_port(srv), cfg->data, cfg->ca, cfg->log,
        (unsigned long long)eseal_publisher_position(p));
    eseal_daemon_wait_stop(&set, 0);
    fprintf(stderr, "eseal-publisherd: stopping\n");
    status = 0;
out:
    eseal_http_stop(srv);
    eseal_publisher_close(p);
    eseal_ca_free(ca);
    return status;
}

static void print_routes(const void *config, FILE *out)
{
    (void)config;
    eseal_publisher_print_routes(out);
}

int main(int argc, char **argv)
{
    const struct eseal_daemon publisherd = {
        .name = "eseal-publisherd",
        .synopsis =
            "[--port N] [--data DIR] [--ca DIR] [--log DIR|URL] [--issuer URL] [--ca-file FILE]",
        .notes = "The CA passphrase comes from passphrase_file or $ESEAL_PASSPHRASE.\n",
        .options = eseal_publisher_options,
        .n_options = eseal_publisher_n_options,
        .config_size = sizeof(struct eseal_publisher_config),
        .run = run,
        .print_routes = print_routes,
    };
    return eseal_daemon_main(&publisherd, argc, argv);
}
