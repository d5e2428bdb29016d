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
#include "eseal/http.h"
#include "eseal/publisher.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: eseal-publisherd [-c FILE] [-n] [--port N] [--data DIR] [--ca DIR] "
                 "[--log DIR|URL] [--<option> VALUE ...]\n"
                 "       eseal-publisherd --help | --version\n\n"
                 "  -c FILE    read the JSON configuration FILE\n"
                 "  -n         check the configuration, print it and exit\n"
                 "The CA passphrase comes from passphrase_file or $ESEAL_PASSPHRASE.\n\n"
                 "options (also keys of the configuration file):\n");
    eseal_config_usage(eseal_publisher_options, eseal_publisher_n_options, out);
}

static int fail(const char *what, const struct eseal_err *e)
{
    fprintf(stderr, "eseal-publisherd: %s: %s\n", what,
            e->msg[0] != '\0' ? e->msg : eseal_rc_describe(e->rc));
    return 1;
}

/* parse_args fills |cfg| and *check; returns 0 to go on, 1 on a usage
 * error, -1 when --help/--version was answered. */
static int parse_args(int argc, char **argv, struct eseal_publisher_config *cfg, bool *check)
{
    const char *file = NULL;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            file = argv[++i];
    struct eseal_err e;
    eseal_err_clear(&e);
    if (file != NULL && eseal_config_load_file(eseal_publisher_options, eseal_publisher_n_options,
                                               cfg, file, &e) != ESEAL_OK)
        return fail("configuration", &e);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-c") == 0) {
            if (++i == argc) {
                fprintf(stderr, "eseal-publisherd: -c needs a file\n");
                return 1;
            }
        } else if (strcmp(a, "-n") == 0) {
            *check = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return -1;
        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("eseal-publisherd %s\n", ESEAL_VERSION);
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
                fprintf(stderr, "eseal-publisherd: --%s needs a value\n", name);
                return 1;
            }
            if (eseal_config_set(eseal_publisher_options, eseal_publisher_n_options, cfg, name,
                                 value, &e) != ESEAL_OK)
                return fail("command line", &e);
        } else {
            fprintf(stderr, "eseal-publisherd: unexpected argument \"%s\"\n", a);
            usage(stderr);
            return 1;
        }
    }
    return 0;
}

static int run(struct eseal_publisher_config *cfg)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    struct eseal_ca *ca = NULL;
    struct eseal_publisher *p = NULL;
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
    int sig = 0;
    while (sig != SIGINT && sig != SIGTERM)
        sig = sigwaitinfo(&set, NULL);
    fprintf(stderr, "eseal-publisherd: stopping\n");
    status = 0;
out:
    eseal_http_stop(srv);
    eseal_publisher_close(p);
    eseal_ca_free(ca);
    return status;
}

int main(int argc, char **argv)
{
    struct eseal_publisher_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    eseal_config_defaults(eseal_publisher_options, eseal_publisher_n_options, &cfg);
    bool check = false;
    int rc = parse_args(argc, argv, &cfg, &check);
    if (rc == 0 && check) {
        json_t *j = eseal_config_to_json(eseal_publisher_options, eseal_publisher_n_options, &cfg);
        char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
        printf("%s\nconfiguration OK\n", text);
        free(text);
        json_decref(j);
    } else if (rc == 0) {
        rc = run(&cfg);
    }
    eseal_config_cleanup(eseal_publisher_options, eseal_publisher_n_options, &cfg);
    return rc < 0 ? 0 : rc;
}
