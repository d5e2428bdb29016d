/* cmd.h — what the command groups of `eseal` share. */
#ifndef ESEAL_TOOLS_CMD_H
#define ESEAL_TOOLS_CMD_H

#include <stddef.h>

#include "eseal/rc.h"

/* Exit codes of the management commands: 0 success, 1 the operation failed,
 * 2 usage error. (`eseal verify` has its own, per DESIGN.md §7.) */
#define EXIT_FAIL 1
#define EXIT_USAGE 2

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

/* cmd_parse_int parses a decimal in [min, max]; |what| names it in the error. */
eseal_rc cmd_parse_int(const char *text, long min, long max, int *out, const char *what,
                       struct eseal_err *err);

/* cmd_find returns the sub-command called |name|, or NULL. */
const struct cmd *cmd_find(const struct cmd *cmds, size_t n, const char *name);

int cmd_ca(int argc, char **argv);

#endif
