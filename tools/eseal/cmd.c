/* cmd.c — helpers shared by the command groups of `eseal`. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "eseal/ca.h"
#include "eseal/json.h"
#include "eseal/log.h"
#include "cmd.h"
#include "eseal/httpc.h"

int cmd_fail(const struct eseal_err *err)
{
    fprintf(stderr, "eseal: %s: %s\n", eseal_rc_describe(err->rc), err->msg);
    return EXIT_FAIL;
}

int cmd_ca_file(const char *path, int code)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    if (path == NULL || eseal_httpc_init(path, &err) == ESEAL_OK)
        return 0;
    fprintf(stderr, "eseal: --ca-file: %s\n", err.msg);
    return code;
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

static bool is_help(const struct option *long_opts, int code)
{
    if (code == 'h')
        return true;
    for (const struct option *o = long_opts; o->name != NULL; o++)
        if (o->val == code && strcmp(o->name, "help") == 0)
            return true;
    return false;
}

static bool allowed_code(int code, uint64_t allowed)
{
    if (code <= 0 || code >= CMD_MAX_CODE || code == '?' || code == ':')
        return false;
    return code >= 64 || (allowed & CMD_BIT(code)) != 0;
}

int cmd_parse(int argc, char **argv, const char *shortopts, const struct option *long_opts,
              uint64_t allowed, size_t max_pos, const char *usage, int usage_exit,
              struct cmd_args *a)
{
    memset(a, 0, sizeof(*a));
    optind = 1;
    opterr = 0; /* we print our own, bilingual, message */
    int c;
    while ((c = getopt_long(argc, argv, shortopts, long_opts, NULL)) != -1) {
        if (is_help(long_opts, c)) {
            fputs(usage, stdout);
            return -1;
        }
        if (!allowed_code(c, allowed)) {
            cmd_usage_error(usage, "unknown or incomplete option / 无效选项: ", argv[optind - 1]);
            return usage_exit;
        }
        a->opt[c] = optarg != NULL ? optarg : "";
        if (a->n_seen == CMD_MAX_SEEN) {
            cmd_usage_error(usage, "too many options / 选项过多: ", argv[optind - 1]);
            return usage_exit;
        }
        a->seen[a->n_seen].code = c;
        a->seen[a->n_seen++].arg = a->opt[c];
    }
    for (; optind < argc; optind++) {
        if (a->n_pos == max_pos || a->n_pos == CMD_MAX_POS) {
            cmd_usage_error(usage, "unexpected argument / 多余参数: ", argv[optind]);
            return usage_exit;
        }
        a->pos[a->n_pos++] = argv[optind];
    }
    return 0;
}

size_t cmd_args_all(const struct cmd_args *a, int code, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_seen; i++) {
        if (a->seen[i].code != code)
            continue;
        if (n < max)
            out[n] = a->seen[i].arg;
        n++;
    }
    return n;
}

static void group_usage(FILE *out, const struct cmd_group_spec *g)
{
    fprintf(out, "usage: eseal %s COMMAND [OPTIONS]  (COMMAND --help for details)\n", g->name);
    if (g->intro != NULL)
        fputs(g->intro, out);
    int width = 0;
    for (size_t i = 0; i < g->n_cmds; i++)
        if ((int)strlen(g->cmds[i].name) > width)
            width = (int)strlen(g->cmds[i].name);
    for (size_t i = 0; i < g->n_cmds; i++)
        fprintf(out, "  %-*s  %s\n", width, g->cmds[i].name, g->cmds[i].help);
}

int cmd_dispatch(const struct cmd_group_spec *g, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        group_usage(argc < 2 ? stderr : stdout, g);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    for (size_t i = 0; i < g->n_cmds; i++)
        if (strcmp(g->cmds[i].name, argv[1]) == 0)
            return g->cmds[i].run(argc - 1, argv + 1);
    fprintf(stderr, "eseal %s: unknown command / 未知命令: %s\n", g->name, argv[1]);
    group_usage(stderr, g);
    return EXIT_USAGE;
}

eseal_rc cmd_parse_time(const char *text, time_t *out, const char *what, struct eseal_err *err)
{
    /* a date alone is its midnight UTC */
    char full[ESEAL_JSON_TIME_BUF];
    if (strlen(text) == 10)
        snprintf(full, sizeof(full), "%.10sT00:00:00Z", text);
    int64_t t;
    if (eseal_json_time_parse(strlen(text) == 10 ? full : text, &t) && t >= 0) {
        *out = (time_t)t;
        return ESEAL_OK;
    }
    return eseal_err_set(err, ESEAL_E_INVALID,
                         "%s must be a UTC time like 2021-01-01T00:00:00Z or a date like "
                         "2021-01-01, not \"%s\"",
                         what, text);
}

eseal_rc cmd_sm3_file(const char *path, uint8_t out[ESEAL_SM3_LEN], struct eseal_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return eseal_err_set(err, errno == ENOENT ? ESEAL_E_NOTFOUND : ESEAL_E_IO, "%s: %s", path,
                             strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return eseal_err_set(err, ESEAL_E_IO, "%s: not a regular file", path);
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL || EVP_DigestInit_ex(md, eseal_md_sm3(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        fclose(f);
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "SM3 is not available");
    }
    eseal_rc rc = ESEAL_OK;
    uint8_t chunk[64 * 1024];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (EVP_DigestUpdate(md, chunk, n) != 1) {
            rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "SM3 failed");
            break;
        }
    }
    if (rc == ESEAL_OK && ferror(f))
        rc = eseal_err_set(err, ESEAL_E_IO, "%s: read error", path);
    unsigned int len = 0;
    if (rc == ESEAL_OK && (EVP_DigestFinal_ex(md, out, &len) != 1 || len != ESEAL_SM3_LEN))
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "SM3 failed");
    EVP_MD_CTX_free(md);
    fclose(f);
    return rc;
}

void cmd_put_text(FILE *out, const char *s)
{
    for (; s != NULL && *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

json_t *cmd_rotation_entry(const char *type, json_t *data)
{
    return json_pack("{s:i, s:s, s:{s:s, s:s}, s:O}", "v", 1, "type", type, "actor", "id",
                     "eseal-ca", "role", "admin", "data", data);
}

eseal_rc cmd_open_log(const char *ca_dir, const char *log_dir, const struct eseal_buf *pass,
                      unsigned keys, struct eseal_ca **ca, struct eseal_log **log,
                      struct eseal_err *err)
{
    eseal_rc rc = eseal_ca_open(ca, ca_dir, err);
    if (rc == ESEAL_OK)
        rc = eseal_ca_unlock(*ca, ESEAL_CA_UNLOCK_LOG | keys, pass->data, pass->len, err);
    if (rc != ESEAL_OK)
        return rc;
    rc = eseal_log_open(log, log_dir, eseal_ca_log_signer(*ca), err);
    if (rc == ESEAL_E_UNAVAILABLE)
        eseal_err_set(err, rc,
                      "eseal-issuerd 正在运行（它占用日志 %s），请先停止它 / eseal-issuerd is "
                      "running (it holds the log %s): stop it first",
                      log_dir, log_dir);
    else if (rc != ESEAL_OK)
        eseal_err_prefix(err, "日志被占用? 请先停止 eseal-issuerd / is eseal-issuerd running?");
    return rc;
}

eseal_rc cmd_log_event(struct eseal_log *log, const json_t *entry, uint64_t *seq,
                       struct eseal_err *err)
{
    eseal_rc rc = eseal_log_append(log, entry, seq, err);
    if (rc == ESEAL_OK)
        rc = eseal_log_sync(log, err);
    if (rc != ESEAL_OK) {
        char *line = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS);
        fprintf(stderr, "eseal: 未记入日志 / not logged; the entry was:\n%s\n", line);
        free(line);
    }
    return rc;
}
