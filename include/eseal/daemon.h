/* daemon.h — what every eseal daemon's main shares: the command line and
 * configuration (eseal_daemon_main over a per-daemon table), synchronous
 * handling of the stop signals and one way to report a start-up failure. */
#ifndef ESEAL_DAEMON_H
#define ESEAL_DAEMON_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "eseal/config.h"
#include "eseal/rc.h"

/* The entries every daemon's option table shares, for a configuration struct
 * |type| with the fields address, port, threads, access_log, log_text,
 * max_connections, max_per_ip and header_timeout:
 * ESEAL_DAEMON_OPTS_LISTEN gives "address" and "port" (default
 * |default_port|),
 * ESEAL_DAEMON_OPTS_HTTP "threads", "access_log", "log_text",
 * "max_connections", "max_connections_per_ip" and "header_timeout" (fields
 * threads, access_log, log_text, max_connections, max_per_ip,
 * header_timeout). */
/* clang-format off */
#define ESEAL_DAEMON_OPTS_LISTEN(type, default_port)                                      \
    {"address", ESEAL_OPT_STRING, offsetof(type, address), "127.0.0.1", 0, 1, 64,         \
     eseal_opt_valid_address, "address to listen on (IPv4 or IPv6 literal)"},             \
    {"port", ESEAL_OPT_INT, offsetof(type, port), NULL, default_port, 0, 65535, NULL,     \
     "TCP port (0: any free port)"}
#define ESEAL_DAEMON_OPTS_HTTP(type)                                                      \
    {"threads", ESEAL_OPT_INT, offsetof(type, threads), NULL, 4, 1, 64, NULL,             \
     "HTTP worker threads"},                                                              \
    {"access_log", ESEAL_OPT_BOOL, offsetof(type, access_log), NULL, 0, 0, 0, NULL,       \
     "log one JSON line per request on stderr"},                                          \
    {"log_text", ESEAL_OPT_BOOL, offsetof(type, log_text), NULL, 0, 0, 0, NULL,           \
     "the access log in the human text format instead of JSON (for terminals)"},          \
    {"max_connections", ESEAL_OPT_INT, offsetof(type, max_connections), NULL, 512, 4,    \
     65536, NULL, "HTTP connections at once (docs/security.md)"},                         \
    {"max_connections_per_ip", ESEAL_OPT_INT, offsetof(type, max_per_ip), NULL, 64, 1,   \
     65536, NULL, "HTTP connections at once from one address"},                           \
    {"header_timeout", ESEAL_OPT_INT, offsetof(type, header_timeout), NULL, 10, 1, 3600,  \
     NULL, "seconds a request's line and headers may take in all (docs/security.md)"}
/* clang-format on */

/* struct eseal_daemon describes one daemon for eseal_daemon_main. */
struct eseal_daemon {
    const char *name;     /* "eseal-issuerd": the usage text and messages */
    const char *synopsis; /* the usage line's options between "[-n]" and "[--<option> ...]" */
    const char *notes;    /* usage lines after -c and -n (each ending in '\n'), or NULL */
    const struct eseal_opt *options; /* the configuration table */
    size_t n_options;
    size_t config_size; /* the size of the struct the table fills */
    /* check (NULL: none) refuses what the table cannot express, once the
     * command line is read: 0, or the exit status after saying why. */
    int (*check)(const void *config);
    /* run opens the daemon over |config|, serves until a stop signal (see
     * eseal_daemon_block_signals and eseal_daemon_wait_stop), closes it and
     * returns the exit status. */
    int (*run)(void *config);
    /* print_routes (NULL: none) answers --routes: the daemon's route table
     * for the default configuration |config|, as docs/api.md lists it. */
    void (*print_routes)(const void *config, FILE *out);
};

/* eseal_daemon_main is a daemon's whole main: umask 077 first (whatever
 * the daemon creates is 0600, directories 0700), the defaults of d->options,
 * then the command line (eseal_config_cli: -c FILE, -n, --help, --version,
 * --name VALUE), d->check and d->run; it frees the configuration and returns
 * the exit status. */
int eseal_daemon_main(const struct eseal_daemon *d, int argc, char **argv);

/* eseal_daemon_block_signals blocks SIGINT and SIGTERM in the calling thread
 * (so every thread started afterwards inherits the mask and the signals are
 * taken synchronously by eseal_daemon_wait_stop), ignores SIGPIPE, and fills
 * |set| with the stop signals. Call it before starting any thread. */
void eseal_daemon_block_signals(sigset_t *set);

/* eseal_daemon_wait_stop waits up to |timeout_s| seconds (0: forever) for a
 * stop signal from |set|: 1 when one came, 0 when the time ran out. */
int eseal_daemon_wait_stop(const sigset_t *set, unsigned timeout_s);

/* eseal_daemon_fail prints "<prog>: <what>: <message>" on stderr and returns
 * 1 (the daemon's exit status). */
int eseal_daemon_fail(const char *prog, const char *what, const struct eseal_err *e);

#endif
