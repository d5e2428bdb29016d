/* cmd_ca.c — `eseal ca`: placeholder replaced below. */
#include <stdio.h>
#include "cmd.h"

int cmd_fail(const struct eseal_err *err)
{
    fprintf(stderr, "eseal: %s: %s\n", eseal_rc_describe(err->rc), err->msg);
    return EXIT_FAIL;
}

int cmd_ca(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return EXIT_USAGE;
}
