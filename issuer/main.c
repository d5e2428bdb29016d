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
#include "eseal/http.h"
#include "eseal/issuer.h"
#include "eseal/log.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: eseal-issuerd [-c FILE] [-n] [--port N] [--data DIR] [--ca DIR] "
                 "[--<option> VALUE ...]\n"
                 "       eseal-issuerd --help | --version\n\n"
                 "  -c FILE    read the JSON configuration FILE\n"
                 "  -n         check the configuration, print it and exit\n"
                 "The CA passphrase comes from passphrase_file or $ESEAL_PASSPHRASE; the first\n"
                 "admin's password from $ESEAL_ADMIN_PASSWORD or <data>/admin.password.\n\n"
                 "options (also keys of the configuration file):\n");
    eseal_config_usage(eseal_issuer_options, eseal_issuer_n_options, out);
}

static int fail(const char *what, const struct eseal_err *e)
{
    fprintf(stderr, "eseal-issuerd: %s: %s\n", what,
            e->msg[0] != '\0' ? e->msg : eseal_rc_describe(e->rc));
    return 1;
}

/* parse_args fills |cfg| and *check; returns 0 to go on, 1 on a usage
 * error, -1 when --help/--version was answered. */
static int parse_args(int argc, char **argv, struct eseal_issuer_config *cfg, bool *check)
{
    const char *file = NULL;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            file = argv[++i];
    struct eseal_err e;
    eseal_err_clear(&e);
    if (file != NULL && eseal_config_load_file(eseal_issuer_options, eseal_issuer_n_options, cfg,
                                               file, &e) != ESEAL_OK)
        return fail("configuration", &e);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-c") == 0) {
            if (++i == argc) {
                fprintf(stderr, "eseal-issuerd: -c needs a file\n");
                return 1;
            }
        } else if (strcmp(a, "-n") == 0) {
            *check = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return -1;
        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("eseal-issuerd %s\n", ESEAL_VERSION);
            return -1;
        } else if (strncmp(a, "--", 2) == 0 && a[2] != '\0') {
            char name[64];
            const char *eq = strchr(a, '='), *value;
            size_t n = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
            snprintf(name, sizeof(name), "%.*s", (int)n, a + 2);
            for (char *c = name; *c != '\0'; c++) /* --passphrase-file = passphrase_file */
                if (*c == '-')
                    *c = '_';
            if (eq != NULL) {
                value = eq + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                fprintf(stderr, "eseal-issuerd: --%s needs a value\n", name);
                return 1;
            }
            if (eseal_config_set(eseal_issuer_options, eseal_issuer_n_options, cfg, name, value,
                                 &e) != ESEAL_OK)
                return fail("command line", &e);
        } else {
            fprintf(stderr, "eseal-issuerd: unexpected argument \"%s\"\n", a);
            usage(stderr);
            return 1;
        }
    }
    return 0;
}

static int run(struct eseal_issuer_config *cfg)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    struct eseal_ca *ca = NULL;
    struct eseal_issuer *is = NULL;
    struct eseal_http *srv = NULL;
    struct eseal_buf pass;
    eseal_buf_init(&pass);
    int status = 1;
    if (eseal_ca_open(&ca, cfg->ca, &e) != ESEAL_OK) {
        fail("opening the CA", &e);
        goto out;
    }
    if (eseal_read_secret(&pass, cfg->passphrase_file, ESEAL_CA_PASSPHRASE_ENV, &e) != ESEAL_OK) {
        fail("CA passphrase", &e);
        goto out;
    }
    eseal_rc rc = eseal_ca_unlock(ca, pass.data, pass.len, &e);
    eseal_buf_cleanse(&pass);
    if (rc != ESEAL_OK) {
        fail("unlocking the CA", &e);
        goto out;
    }
    /* signals are taken synchronously: block them before any thread starts */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    enum eseal_staff_bootstrap_result boot;
    if (eseal_issuer_open(&is, cfg, ca, &boot, &e) != ESEAL_OK) {
        fail("opening the issuer state", &e);
        goto out;
    }
    if (eseal_issuer_replayed(is) > 0)
        fprintf(stderr, "eseal-issuerd: applied %llu log entries the store had missed\n",
                (unsigned long long)eseal_issuer_replayed(is));
    if (boot == ESEAL_STAFF_BOOT_ENV)
        fprintf(stderr, "eseal-issuerd: created account admin with $%s\n", ESEAL_STAFF_ADMIN_ENV);
    else if (boot == ESEAL_STAFF_BOOT_FILE)
        fprintf(stderr, "eseal-issuerd: created account admin; its password is in %s/%s\n",
                cfg->data, ESEAL_STAFF_ADMIN_FILE);
    if (eseal_issuer_serve(is, &srv, &e) != ESEAL_OK) {
        fail("starting the HTTP server", &e);
        goto out;
    }
    fprintf(stderr,
            "eseal-issuerd: listening on http://%s:%u/ (data %s, CA %s, log %llu entries)\n",
            cfg->address, (unsigned)eseal_http_port(srv), cfg->data, cfg->ca,
            (unsigned long long)eseal_log_size(eseal_issuer_log(is)));
    for (;;) {
        struct timespec ten_minutes = {600, 0};
        int sig = sigtimedwait(&set, NULL, &ten_minutes);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        if (sig < 0 && errno == EAGAIN &&
            eseal_staff_session_purge(eseal_issuer_staff(is), 0, NULL, &e) != ESEAL_OK)
            fail("purging sessions", &e);
    }
    fprintf(stderr, "eseal-issuerd: stopping\n");
    status = 0;
out:
    eseal_http_stop(srv);
    eseal_issuer_close(is);
    eseal_ca_free(ca);
    return status;
}

int main(int argc, char **argv)
{
    struct eseal_issuer_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    eseal_config_defaults(eseal_issuer_options, eseal_issuer_n_options, &cfg);
    bool check = false;
    int rc = parse_args(argc, argv, &cfg, &check);
    if (rc == 0 && check) {
        json_t *j = eseal_config_to_json(eseal_issuer_options, eseal_issuer_n_options, &cfg);
        char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
        printf("%s\nconfiguration OK\n", text);
        free(text);
        json_decref(j);
    } else if (rc == 0) {
        rc = run(&cfg);
    }
    eseal_config_cleanup(eseal_issuer_options, eseal_issuer_n_options, &cfg);
    return rc < 0 ? 0 : rc;
}
