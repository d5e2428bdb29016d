/* cmd.c — helpers shared by the command groups of `eseal`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

int cmd_fail(const struct eseal_err *err)
{
    fprintf(stderr, "eseal: %s: %s\n", eseal_rc_describe(err->rc), err->msg);
    return EXIT_FAIL;
}

int cmd_usage_error(const char *usage, const char *msg, const char *arg)
{
    fprintf(stderr, "eseal: %s%s\n%s", msg, arg ? arg : "", usage);
    return EXIT_USAGE;
}

eseal_rc cmd_parse_int(const char *text, long min, long max, int *out, const char *what,
                       struct eseal_err *err)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v < min || v > max)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s must be a number in %ld..%ld, not \"%s\"",
                             what, min, max, text);
    *out = (int)v;
    return ESEAL_OK;
}

const struct cmd *cmd_find(const struct cmd *cmds, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(cmds[i].name, name) == 0)
            return &cmds[i];
    return NULL;
}
