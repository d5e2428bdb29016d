/* daemon.c — the main, the stop signals and the start-up failures shared by
 * the daemons. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "eseal/buf.h"
#include "eseal/daemon.h"

/* The daemon being run: eseal_config_cli's usage callback takes no context,
 * and a process runs one daemon. */
static const struct eseal_daemon *current;

static void usage(FILE *out)
{
    const struct eseal_daemon *d = current;
    fprintf(out,
            "usage: %s [-c FILE] [-n] %s [--<option> VALUE ...]\n"
            "       %s --help | --version%s\n\n"
            "  -c FILE    read the JSON configuration FILE\n"
            "  -n         check the configuration, print it and exit\n"
            "%s\n"
            "options (each also a key of the configuration file, written with _ for -:\n"
            "\"status_url\" for --status-url):\n",
            d->name, d->synopsis, d->name, d->print_routes != NULL ? " | --routes" : "",
            d->notes != NULL ? d->notes : "");
    eseal_config_usage(d->options, d->n_options, out);
}

int eseal_daemon_main(const struct eseal_daemon *d, int argc, char **argv)
{
    /* Everything a daemon creates — RocksDB's files, the log, the CA's,
     * spool files, temporary files — is for its own user alone: 0600 files,
     * 0700 directories (docs/security.md). Code that names a mode names
     * these too; the umask covers libraries that pick their own. */
    umask(077);
    void *cfg = eseal_xcalloc(1, d->config_size);
    eseal_config_defaults(d->options, d->n_options, cfg);
    current = d;
    if (argc == 2 && strcmp(argv[1], "--routes") == 0 && d->print_routes != NULL) {
        d->print_routes(cfg, stdout); /* the API, as docs/api.md lists it */
        eseal_config_cleanup(d->options, d->n_options, cfg);
        free(cfg);
        return 0;
    }
    int rc = eseal_config_cli(d->options, d->n_options, cfg, d->name, usage, argc, argv);
    if (rc == 0 && d->check != NULL)
        rc = d->check(cfg);
    if (rc == 0)
        rc = d->run(cfg);
    eseal_config_cleanup(d->options, d->n_options, cfg);
    free(cfg);
    return rc < 0 ? 0 : rc;
}

void eseal_daemon_block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    /* A client closing its socket mid-reply must not kill the daemon. */
    signal(SIGPIPE, SIG_IGN);
}

int eseal_daemon_wait_stop(const sigset_t *set, unsigned timeout_s)
{
    for (;;) {
        int sig;
        if (timeout_s == 0) {
            sig = sigwaitinfo(set, NULL);
        } else {
            struct timespec ts = {(time_t)timeout_s, 0};
            sig = sigtimedwait(set, NULL, &ts);
            if (sig < 0 && errno == EAGAIN)
                return 0;
        }
        if (sig == SIGINT || sig == SIGTERM)
            return 1;
    }
}

int eseal_daemon_fail(const char *prog, const char *what, const struct eseal_err *e)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what,
            e->msg[0] != '\0' ? e->msg : eseal_rc_describe(e->rc));
    return 1;
}
