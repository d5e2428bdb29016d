/* cmd_verify.c — `eseal verify`: validate a detached seal signature over a
 * file and print the report; the exit code is the verdict (DESIGN.md §7). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/seal.h"
#include "eseal/verify.h"
#include "cmd.h"

static const char verify_usage[] =
    "usage: eseal verify IN --sig SIG [--trust ROOT.pem] [--no-status] [--at TIME] [--json]\n"
    "  Validates the seal signature SIG (GB/T 38540 SES_Signature, DER) over the\n"
    "  file IN: format, document digest, signature, signer in the seal's\n"
    "  certificate list, seal-maker signature, chains to --trust, validity at\n"
    "  the best signature time, seal status. 验证电子签章.\n"
    "  --trust FILE  PEM trust anchors (the platform root); without it the chain\n"
    "                is INDETERMINATE\n"
    "  --at TIME     validation time, 2021-01-01T00:00:00Z or 2021-01-01 (default now)\n"
    "  --no-status   do not check the seal's status (reported as skipped)\n"
    "  --json        print the report as JSON\n"
    "  Exit: 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE, 3 usage or I/O error.\n";

enum { OPT_SIG = 1, OPT_TRUST, OPT_AT, OPT_NO_STATUS, OPT_JSON, OPT_HELP };

static const struct option long_opts[] = {
    {"sig", required_argument, NULL, OPT_SIG},
    {"trust", required_argument, NULL, OPT_TRUST},
    {"at", required_argument, NULL, OPT_AT},
    {"no-status", no_argument, NULL, OPT_NO_STATUS},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

struct args {
    const char *in, *sig, *trust, *at;
    bool no_status, json;
};

/* usage_error is cmd_usage_error with this command's exit code. */
static int usage_error(const char *msg, const char *arg)
{
    cmd_usage_error(verify_usage, msg, arg);
    return EXIT_VERIFY_ERROR;
}

/* io_error reports a file that cannot be read: exit 3, not a verdict. */
static int io_error(const struct eseal_err *err)
{
    cmd_fail(err);
    return EXIT_VERIFY_ERROR;
}

static int parse_args(int argc, char **argv, struct args *a)
{
    struct cmd_args p;
    int r = cmd_parse(argc, argv, "", long_opts, CMD_ALL, 1, verify_usage, EXIT_VERIFY_ERROR, &p);
    if (r != 0)
        return r;
    *a = (struct args){.in = p.pos[0], .sig = p.opt[OPT_SIG], .trust = p.opt[OPT_TRUST],
                       .at = p.opt[OPT_AT], .no_status = p.opt[OPT_NO_STATUS] != NULL,
                       .json = p.opt[OPT_JSON] != NULL};
    if (a->in == NULL)
        return usage_error("the signed file IN is required / 缺少被签文件", NULL);
    if (a->sig == NULL)
        return usage_error("--sig is required / 缺少 --sig", NULL);
    return 0;
}

int cmd_verify(int argc, char **argv)
{
    struct args a;
    int r = parse_args(argc, argv, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_verify_opts o = {.no_status = a.no_status};
    if (a.at != NULL && cmd_parse_time(a.at, &o.at, "--at", &err) != ESEAL_OK)
        return usage_error(err.msg, NULL);
    if (a.trust != NULL && eseal_verify_load_trust(&o.trust, a.trust, &err) != ESEAL_OK)
        return io_error(&err);

    int code = EXIT_VERIFY_ERROR;
    uint8_t digest[ESEAL_SM3_LEN];
    struct eseal_buf sig;
    eseal_buf_init(&sig);
    if (eseal_file_read(&sig, a.sig, ESEAL_SEAL_MAX, &err) != ESEAL_OK ||
        cmd_sm3_file(a.in, digest, &err) != ESEAL_OK) {
        io_error(&err);
        goto out;
    }
    struct eseal_report rep;
    eseal_report_init(&rep);
    eseal_verify_ses(&rep, sig.data, sig.len, digest, &o);
    if (a.json) {
        json_t *j = eseal_report_json(&rep);
        json_dumpf(j, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(j);
    } else {
        eseal_report_print(&rep, stdout);
    }
    code = eseal_report_exit_code(&rep);
    eseal_report_cleanup(&rep);
out:
    eseal_buf_cleanup(&sig);
    sk_X509_pop_free(o.trust, X509_free);
    return code;
}
