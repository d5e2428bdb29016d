/* daemon.h — what every eseal daemon's main shares: synchronous handling of
 * the stop signals and one way to report a start-up failure. */
#ifndef ESEAL_DAEMON_H
#define ESEAL_DAEMON_H

#include <signal.h>

#include "eseal/rc.h"

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
