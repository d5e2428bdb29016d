/* fixture.h — what the publisher unit tests share: one real CA, unlocked,
 * in a temporary directory; events appended to a real log there; publishers
 * opened over that log. */
#ifndef ESEAL_TEST_PUBLISHER_FIXTURE_H
#define ESEAL_TEST_PUBLISHER_FIXTURE_H

#include <stddef.h>

#include <jansson.h>

#include "eseal/ca.h"
#include "eseal/publisher.h"
#include "testutil.h"

/* The temporary directory (the CA is its "ca") and the unlocked CA, set by
 * fx_setup and freed by fx_teardown. */
extern char *fx_tmp;
extern struct eseal_ca *fx_ca;

/* fx_setup makes the directory and the CA; fx_teardown frees both. They are
 * cmocka group set-up and tear-down functions (|state| unused). */
int fx_setup(void **state);
int fx_teardown(void **state);

/* fx_hex64 repeats the two hex digits |pair| 32 times into |out|. */
const char *fx_hex64(const char *pair, char out[65]);

/* fx_append writes |n| entries (consumed) to the log in |dir|, created on
 * first use, and syncs it. */
void fx_append(const char *dir, json_t **entries, size_t n);

/* fx_config fills |cfg| with the defaults, data fx_tmp/|data|, log
 * fx_tmp/|log| and the CA; free it with eseal_config_cleanup (fx_open does). */
void fx_config(struct eseal_publisher_config *cfg, const char *data, const char *log);

/* fx_open opens a publisher over |cfg| and then cleans |cfg| up; a failure
 * fails the test. */
struct eseal_publisher *fx_open(struct eseal_publisher_config *cfg);

/* fx_catch_up steps |p| at |now| until nothing is new; returns the entries
 * applied. */
size_t fx_catch_up(struct eseal_publisher *p, long long now);

/* fx_healthz serves |p| on a free port for one GET /healthz: its status in
 * *status, its problems as "check severity message" lines (free() them;
 * empty: none). */
char *fx_healthz(struct eseal_publisher *p, unsigned *status);

#endif
