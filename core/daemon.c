/* daemon.c — stop signals and start-up failures shared by the daemons. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "eseal/daemon.h"

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
