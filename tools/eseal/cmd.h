/* cmd.h — what the command groups of `eseal` share. */
#ifndef ESEAL_TOOLS_CMD_H
#define ESEAL_TOOLS_CMD_H

#include "eseal/rc.h"

/* Exit codes: 0 success, 1 the operation failed, 2 usage error... The verify
 * command has its own (0 passed, 1 failed, 2 indeterminate, 3 usage/I-O). */
#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct cmd_group {
    const char *name;
    const char *help;
    int (*run)(int argc, char **argv);
};

/* cmd_fail prints "eseal: <description>: <message>" for |err| and returns EXIT_FAIL. */
int cmd_fail(const struct eseal_err *err);

int cmd_ca(int argc, char **argv);

#endif
