/* cmd.h — what the command groups of `eseal` share. */
#ifndef ESEAL_TOOLS_CMD_H
#define ESEAL_TOOLS_CMD_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "eseal/rc.h"
#include "eseal/sm.h"

/* Exit codes of the management commands: 0 success, 1 the operation failed,
 * 2 usage error. (`eseal verify` has its own, per DESIGN.md §7.) `eseal
 * issuer` and `eseal demo` add 3 for a connection or I/O error: 1 there
 * means the issuer refused. */
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_IO 3
/* `eseal verify` exits 0 passed, 1 failed, 2 indeterminate (the report's
 * verdict) and 3 for a usage or I/O error. */
#define EXIT_VERIFY_ERROR 3

/* struct cmd is one sub-command: `eseal <group> <name> ...`. */
struct cmd {
    const char *name;
    const char *help;
    int (*run)(int argc, char **argv); /* argv[0] is the sub-command name */
};

/* cmd_fail prints "eseal: <description>: <message>" for |err| and returns
 * EXIT_FAIL. */
int cmd_fail(const struct eseal_err *err);

/* cmd_usage_error prints "eseal: <msg><arg>" and the usage text; returns
 * EXIT_USAGE. |arg| may be NULL. */
int cmd_usage_error(const char *usage, const char *msg, const char *arg);

/* cmd_ca_file makes |path| (PEM, from --ca-file; NULL: the system store)
 * the CA file for https:// requests. Returns 0, or |code| after printing
 * why the file cannot be used. */
int cmd_ca_file(const char *path, int code);

/* cmd_parse_int parses a decimal in [min, max]; |what| names it in the error. */
eseal_rc cmd_parse_int(const char *text, long min, long max, int *out, const char *what,
                       struct eseal_err *err);

/* cmd_parse_time parses "YYYY-MM-DDTHH:MM:SS[.f…]Z" (eseal_json_time_parse,
 * from 1970) or "YYYY-MM-DD" (midnight UTC) into |out|; anything else, or a
 * date that does not exist, is ESEAL_E_INVALID naming |what|. */
eseal_rc cmd_parse_time(const char *text, time_t *out, const char *what, struct eseal_err *err);

/* cmd_sm3_file computes SM3 of the file at |path|, read in chunks (a
 * document may be larger than we want in memory). A missing file is
 * ESEAL_E_NOTFOUND, other failures ESEAL_E_IO; messages name the path. */
eseal_rc cmd_sm3_file(const char *path, uint8_t out[ESEAL_SM3_LEN], struct eseal_err *err);

/* cmd_put_text writes |s| with control characters replaced by '?': text
 * taken from a seal or certificate must not drive the terminal. */
void cmd_put_text(FILE *out, const char *s);

/* Option codes are the |val| of struct option rows: small integers (below
 * 64, so a sub-command can allow a subset with CMD_BIT) or short-option
 * characters. */
#define CMD_MAX_CODE 128
#define CMD_MAX_POS 256
#define CMD_BIT(code) (UINT64_C(1) << (code))
#define CMD_ALL UINT64_MAX

#define CMD_MAX_SEEN 64

/* struct cmd_args is what cmd_parse found: the argument of each option by
 * code ("" for an option without argument, NULL when absent; the last one
 * when repeated), every option in the order given (for options that may be
 * repeated), and the positional arguments. Strings point into argv. */
struct cmd_args {
    const char *opt[CMD_MAX_CODE];
    struct {
        int code;
        const char *arg;
    } seen[CMD_MAX_SEEN];
    size_t n_seen;
    const char *pos[CMD_MAX_POS];
    size_t n_pos;
};

/* cmd_args_all stores in |out| (up to |max|) the arguments of every
 * occurrence of option |code|, in order, and returns how many there were. */
size_t cmd_args_all(const struct cmd_args *a, int code, const char **out, size_t max);

/* cmd_parse runs getopt_long over argv (argv[0] is the command) with
 * |shortopts| and |long_opts|. The option named "help" (or 'h') prints
 * |usage| to stdout and returns -1. An unknown or incomplete option, one whose
 * code below 64 is not in |allowed|, or more than |max_pos| positional
 * arguments prints the error and the usage to stderr and returns
 * |usage_exit|. Otherwise it returns 0 with |a| filled. */
int cmd_parse(int argc, char **argv, const char *shortopts, const struct option *long_opts,
              uint64_t allowed, size_t max_pos, const char *usage, int usage_exit,
              struct cmd_args *a);

/* struct cmd_group_spec describes `eseal <name> COMMAND ...`: its
 * sub-commands and an optional intro (lines ending in "\n") for the usage. */
struct cmd_group_spec {
    const char *name;
    const char *intro;
    const struct cmd *cmds;
    size_t n_cmds;
};

/* cmd_dispatch runs the sub-command named by argv[1] (argv[0] is the group),
 * or prints the group's usage: to stdout for --help (exit 0), to stderr for
 * a missing or unknown sub-command (EXIT_USAGE). */
int cmd_dispatch(const struct cmd_group_spec *g, int argc, char **argv);

struct eseal_buf;
struct eseal_ca;
struct eseal_log;

/* cmd_rotation_entry is the log entry |type| (key.rotated, key.retired) of
 * a rotation with |data| (docs/log-events.md "Key events"), by eseal-ca as
 * admin; the caller decrefs it. */
json_t *cmd_rotation_entry(const char *type, json_t *data);

/* cmd_open_log opens the CA in |ca_dir| with the log key and |keys|
 * (ESEAL_CA_UNLOCK_*) unlocked by |pass|, and the event log in |log_dir|
 * for writing. A running eseal-issuerd holds that log: ESEAL_E_UNAVAILABLE
 * saying so, before anything changes. *ca and *log are the caller's
 * (eseal_ca_free, eseal_log_close), also on failure. */
eseal_rc cmd_open_log(const char *ca_dir, const char *log_dir, const struct eseal_buf *pass,
                      unsigned keys, struct eseal_ca **ca, struct eseal_log **log,
                      struct eseal_err *err);

/* cmd_log_event appends |entry| to |log| and waits for the checkpoint
 * covering it (*seq: its index); if that fails it prints the entry to
 * append by hand. */
eseal_rc cmd_log_event(struct eseal_log *log, const json_t *entry, uint64_t *seq,
                       struct eseal_err *err);

int cmd_ca(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_stamp(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_issuer(int argc, char **argv);
int cmd_issuer_rotate_data_key(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);

#endif
