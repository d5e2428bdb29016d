/* main.c — eseal-issuerd: the issuance daemon. Reads the configuration
 * (defaults, then -c FILE, then --name value overrides), unlocks the CA,
 * opens the issuer's state, replays the log, serves the HTTP API until
 * SIGINT or SIGTERM. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/buf.h"
#include "eseal/ca.h"
#include "eseal/daemon.h"
#include "eseal/http.h"
#include "eseal/issuer.h"
#include "eseal/log.h"
#include "blob.h"
#include "staff.h"

static int fail(const char *what, const struct eseal_err *e)
{
    return eseal_daemon_fail("eseal-issuerd", what, e);
}

static int run(void *config)
{
    struct eseal_issuer_config *cfg = config;
    struct eseal_err e;
    eseal_err_clear(&e);
    struct eseal_ca *ca = NULL;
    struct eseal_issuer *is = NULL;
    struct eseal_http *srv = NULL;
    int status = 1;
    if (eseal_ca_open_unlocked(&ca, cfg->ca, ESEAL_ISSUER_CA_KEYS, cfg->passphrase_file, &e) !=
        ESEAL_OK) {
        fail("opening the CA", &e);
        goto out;
    }
    /* signals are taken synchronously: block them before any thread starts */
    sigset_t set;
    eseal_daemon_block_signals(&set);
    enum eseal_staff_bootstrap_result boot;
    if (eseal_issuer_open(&is, cfg, ca, &boot, &e) != ESEAL_OK) {
        fail("opening the issuer state", &e);
        goto out;
    }
    if (eseal_issuer_replayed(is) > 0)
        fprintf(stderr, "eseal-issuerd: applied %llu log entries the store had missed\n",
                (unsigned long long)eseal_issuer_replayed(is));
    const struct eseal_blob_rotation *rot = eseal_issuer_data_key_resumed(is);
    if (rot != NULL)
        fprintf(stderr,
                "eseal-issuerd: finished a data key rotation left part way: %zu materials "
                "re-encrypted, %zu already, %zu unreadable; not logged (eseal issuer "
                "rotate-data-key logs a rotation it finishes)\n",
                rot->reencrypted, rot->already, rot->unreadable);
    if (eseal_issuer_materials_migrated(is) > 0)
        fprintf(stderr, "eseal-issuerd: encrypted %zu materials stored before encryption at rest\n",
                eseal_issuer_materials_migrated(is));
    if (boot == ESEAL_STAFF_BOOT_ENV)
        fprintf(stderr, "eseal-issuerd: created account admin with $%s\n", ESEAL_STAFF_ADMIN_ENV);
    else if (boot == ESEAL_STAFF_BOOT_FILE)
        fprintf(stderr, "eseal-issuerd: created account admin; its password is in %s/%s\n",
                cfg->data, ESEAL_STAFF_ADMIN_FILE);
    if (eseal_issuer_notifier_start(is, &e) != ESEAL_OK) {
        fail("starting the notifier", &e);
        goto out;
    }
    if (eseal_issuer_serve(is, &srv, &e) != ESEAL_OK) {
        fail("starting the HTTP server", &e);
        goto out;
    }
    fprintf(stderr,
            "eseal-issuerd: listening on http://%s:%u/ (data %s, CA %s, log %llu entries)\n",
            cfg->address, (unsigned)eseal_http_port(srv), cfg->data, cfg->ca,
            (unsigned long long)eseal_log_size(eseal_issuer_log(is)));
    /* Every ten minutes without a stop signal, expired sessions are purged. */
    while (!eseal_daemon_wait_stop(&set, 600))
        if (eseal_staff_session_purge(eseal_issuer_staff(is), 0, NULL, &e) != ESEAL_OK)
            fail("purging sessions", &e);
    fprintf(stderr, "eseal-issuerd: stopping\n");
    status = 0;
out:
    eseal_http_stop(srv);
    eseal_issuer_close(is);
    eseal_ca_free(ca);
    return status;
}

static void print_routes(const void *config, FILE *out)
{
    eseal_issuer_print_routes(config, out);
}

int main(int argc, char **argv)
{
    const struct eseal_daemon issuerd = {
        .name = "eseal-issuerd",
        .synopsis = "[--port N] [--data DIR] [--ca DIR]",
        .notes = "The CA passphrase comes from passphrase_file or $ESEAL_PASSPHRASE; the first\n"
                 "admin's password from $ESEAL_ADMIN_PASSWORD or <data>/admin.password.\n",
        .options = eseal_issuer_options,
        .n_options = eseal_issuer_n_options,
        .config_size = sizeof(struct eseal_issuer_config),
        .run = run,
        .print_routes = print_routes,
    };
    return eseal_daemon_main(&issuerd, argc, argv);
}
