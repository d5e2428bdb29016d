/* cmd_ca.c — `eseal ca`: create, inspect and use the platform CA. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "eseal/ca.h"
#include "eseal/json.h"
#include "eseal/log.h"
#include "eseal/note.h"
#include "eseal/pki.h"
#include "eseal/unlock.h"
#include "cmd.h"

static const char init_usage[] =
    "usage: eseal ca init --dir DIR [--passphrase-file FILE] [--org NAME]\n"
    "                     [--root-name CN] [--maker-name CN] [--responder-name CN]\n"
    "                     [--origin LOG-ORIGIN] [--root-days N] [--days N]\n"
    "  Creates the platform CA: root, seal maker, status responder (SM2/SM3)\n"
    "  and the Ed25519 log key. 创建平台证书机构.\n"
    "  Subjects are C=CN, O=NAME (default 福建省电子印章服务平台) and a CN:\n"
    "  the root's NAME根证书, the seal maker's NAME制章证书, the responder's\n"
    "  NAME状态签名证书, the time-stamp authority's NAME时间戳服务. Tokens\n"
    "  recognise the seal maker by its extended key usage, not its name.\n"
    "  example: eseal ca init --dir ca --org 福建省电子印章服务平台 "
    "--root-name 福建省电子印章服务平台根证书\n"
    "  The passphrase comes from --passphrase-file or ESEAL_PASSPHRASE.\n";
static const char issue_usage[] =
    "usage: eseal ca issue --dir DIR --csr FILE --profile unit|personal|device\n"
    "                      [--days N] --out FILE [--passphrase-file FILE]\n"
    "  Issues a certificate from a PKCS#10 request (PEM or DER). 签发证书.\n"
    "  unit: O = unit name, serialNumber = USCC; personal: CN = name,\n"
    "  serialNumber = ID number; device: CN = device name.\n";
static const char unlock_code_usage[] =
    "usage: eseal ca unlock-code --dir DIR --token-id ID --counter N --out FILE\n"
    "                            [--passphrase-file FILE]\n"
    "  Makes a PIN unlock code for a software token, signed by the seal maker. 生成口令解锁码.\n"
    "  ID and N are the token's id and unlock counter (eseal token show).\n"
    "  The code resets that token's PIN once: hand it only to the token's holder.\n";
static const char tsa_init_usage[] =
    "usage: eseal ca tsa-init --dir DIR [--days N] [--passphrase-file FILE]\n"
    "  Gives a CA made before time-stamps its time-stamp authority key and\n"
    "  certificate (tsa.key, tsa.pem; `eseal ca init` makes them). 生成时间戳密钥.\n";
#define ROTATE_USAGE(cmd, what, restart)                                                           \
    "usage: eseal ca " cmd " --dir DIR --log LOGDIR [--days N] [--passphrase-file FILE]\n"         \
    "  A new key and certificate for " what ", signed by the root; the old\n"                      \
    "  certificate is kept in DIR/retired/ and the rotation is appended to the event\n"            \
    "  log in LOGDIR (key.rotated): stop eseal-issuerd first, restart " restart " after.\n"        \
    "  轮换密钥.\n"
static const char rotate_maker_usage[] =
    ROTATE_USAGE("rotate-maker", "the seal maker", "eseal-issuerd");
static const char rotate_responder_usage[] =
    ROTATE_USAGE("rotate-responder", "the status responder", "eseal-publisherd");
static const char rotate_log_usage[] =
    "usage: eseal ca rotate-log --dir DIR --log LOGDIR [--finish] [--passphrase-file FILE]\n"
    "  Begins a log key rotation (a next key, announced in the log and co-signing\n"
    "  every checkpoint) or, with --finish, ends it (the next key alone signs).\n";
static const char show_usage[] = "usage: eseal ca show --dir DIR [--json]\n"
                                 "  Prints the CA hierarchy. 显示证书机构信息.\n";

enum {
    OPT_DIR = 1,
    OPT_PASS,
    OPT_ORG,
    OPT_ORIGIN,
    OPT_ROOT_DAYS,
    OPT_DAYS,
    OPT_CSR,
    OPT_PROFILE,
    OPT_OUT,
    OPT_JSON,
    OPT_HELP,
    OPT_TOKEN_ID,
    OPT_COUNTER,
    OPT_ROOT_NAME,
    OPT_RESPONDER_NAME,
    OPT_MAKER_NAME,
    OPT_LOG,
    OPT_FINISH
};

static const struct option long_opts[] = {
    {"dir", required_argument, NULL, OPT_DIR},
    {"passphrase-file", required_argument, NULL, OPT_PASS},
    {"org", required_argument, NULL, OPT_ORG},
    {"origin", required_argument, NULL, OPT_ORIGIN},
    {"root-days", required_argument, NULL, OPT_ROOT_DAYS},
    {"days", required_argument, NULL, OPT_DAYS},
    {"csr", required_argument, NULL, OPT_CSR},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"out", required_argument, NULL, OPT_OUT},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {"token-id", required_argument, NULL, OPT_TOKEN_ID},
    {"counter", required_argument, NULL, OPT_COUNTER},
    {"root-name", required_argument, NULL, OPT_ROOT_NAME},
    {"responder-name", required_argument, NULL, OPT_RESPONDER_NAME},
    {"maker-name", required_argument, NULL, OPT_MAKER_NAME},
    {"log", required_argument, NULL, OPT_LOG},
    {"finish", no_argument, NULL, OPT_FINISH},
    {NULL, 0, NULL, 0},
};

/* struct args holds every option any `eseal ca` sub-command takes; each
 * sub-command says which it allows in |allowed| (a bit per OPT_*). */
struct args {
    const char *dir, *pass_file, *org, *origin, *root_days, *days, *csr, *profile, *out;
    const char *token_id, *counter, *root_name, *maker_name, *responder_name, *log;
    bool json, finish;
};

static int parse_args(int argc, char **argv, uint64_t allowed, const char *usage, struct args *a)
{
    struct cmd_args p;
    int r = cmd_parse(argc, argv, "", long_opts, allowed, 0, usage, EXIT_USAGE, &p);
    if (r != 0)
        return r;
    *a = (struct args){
        .dir = p.opt[OPT_DIR],
        .pass_file = p.opt[OPT_PASS],
        .org = p.opt[OPT_ORG],
        .origin = p.opt[OPT_ORIGIN],
        .root_days = p.opt[OPT_ROOT_DAYS],
        .days = p.opt[OPT_DAYS],
        .csr = p.opt[OPT_CSR],
        .profile = p.opt[OPT_PROFILE],
        .out = p.opt[OPT_OUT],
        .token_id = p.opt[OPT_TOKEN_ID],
        .counter = p.opt[OPT_COUNTER],
        .root_name = p.opt[OPT_ROOT_NAME],
        .maker_name = p.opt[OPT_MAKER_NAME],
        .responder_name = p.opt[OPT_RESPONDER_NAME],
        .log = p.opt[OPT_LOG],
        .json = p.opt[OPT_JSON] != NULL,
        .finish = p.opt[OPT_FINISH] != NULL,
    };
    if (a->dir == NULL)
        return cmd_usage_error(usage, "--dir is required / 缺少 --dir", NULL);
    return 0;
}

static int ca_init(int argc, char **argv)
{
    struct args a;
    uint64_t allowed = CMD_BIT(OPT_DIR) | CMD_BIT(OPT_PASS) | CMD_BIT(OPT_ORG) |
                       CMD_BIT(OPT_ORIGIN) | CMD_BIT(OPT_ROOT_DAYS) | CMD_BIT(OPT_DAYS) |
                       CMD_BIT(OPT_ROOT_NAME) | CMD_BIT(OPT_MAKER_NAME) |
                       CMD_BIT(OPT_RESPONDER_NAME);
    int r = parse_args(argc, argv, allowed, init_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_ca_init_opts o = {.org = a.org,
                                   .root_cn = a.root_name,
                                   .maker_cn = a.maker_name,
                                   .responder_cn = a.responder_name,
                                   .log_origin = a.origin};
    if ((a.root_days &&
         cmd_parse_int(a.root_days, 30, 36500, &o.root_days, "--root-days", &err) != ESEAL_OK) ||
        (a.days && cmd_parse_int(a.days, 1, 36500, &o.service_days, "--days", &err) != ESEAL_OK))
        return cmd_fail(&err);
    struct eseal_buf pass;
    eseal_buf_init(&pass);
    if (eseal_read_secret(&pass, a.pass_file, ESEAL_CA_PASSPHRASE_ENV, &err) != ESEAL_OK)
        return cmd_fail(&err);
    eseal_rc rc = eseal_ca_init(a.dir, pass.data, pass.len, &o, &err);
    eseal_buf_cleanse(&pass);
    if (rc != ESEAL_OK)
        return cmd_fail(&err);
    printf("created CA in %s / 已创建证书机构: root.pem maker.pem responder.pem tsa.pem log.pub\n",
           a.dir);
    return 0;
}

static int ca_tsa_init(int argc, char **argv)
{
    struct args a;
    uint64_t allowed = CMD_BIT(OPT_DIR) | CMD_BIT(OPT_PASS) | CMD_BIT(OPT_DAYS);
    int r = parse_args(argc, argv, allowed, tsa_init_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    struct eseal_err err;
    eseal_err_clear(&err);
    int days = 0;
    if (a.days && cmd_parse_int(a.days, 1, 3650, &days, "--days", &err) != ESEAL_OK)
        return cmd_fail(&err);
    struct eseal_buf pass;
    eseal_buf_init(&pass);
    if (eseal_read_secret(&pass, a.pass_file, ESEAL_CA_PASSPHRASE_ENV, &err) != ESEAL_OK)
        return cmd_fail(&err);
    eseal_rc rc = eseal_ca_tsa_init(a.dir, pass.data, pass.len, days, &err);
    eseal_buf_cleanse(&pass);
    if (rc != ESEAL_OK)
        return cmd_fail(&err);
    printf("created the time-stamp key in %s / 已生成时间戳密钥: tsa.pem tsa.key\n", a.dir);
    return 0;
}

static eseal_rc issue_to_file(struct eseal_ca *ca, const struct args *a,
                              enum eseal_ca_profile profile, struct eseal_err *err)
{
    int days = 365;
    eseal_rc rc = ESEAL_OK;
    if (a->days != NULL)
        rc = cmd_parse_int(a->days, 1, 3650, &days, "--days", err);
    struct eseal_buf csr;
    eseal_buf_init(&csr);
    if (rc == ESEAL_OK) {
        rc = eseal_file_read(&csr, a->csr, ESEAL_PKI_MAX_INPUT, err);
        if (rc == ESEAL_E_TOOBIG)
            rc = ESEAL_E_INVALID;
    }
    X509 *cert = NULL;
    if (rc == ESEAL_OK &&
        (rc = eseal_ca_issue(ca, csr.data, csr.len, profile, days, &cert, err)) != ESEAL_OK)
        eseal_err_prefix(err, "%s", a->csr);
    eseal_buf_cleanup(&csr);
    if (rc != ESEAL_OK)
        return rc;
    char *pem = eseal_pki_cert_pem(cert);
    rc = eseal_file_write(a->out, pem, strlen(pem), 0644, 1, err);
    free(pem);
    if (rc == ESEAL_OK) {
        char *serial = eseal_pki_serial(X509_get0_serialNumber(cert));
        char *subject = eseal_pki_name(X509_get_subject_name(cert));
        char *until = eseal_pki_time(X509_get0_notAfter(cert));
        printf("issued / 已签发: serial %s, %s, valid until %s -> %s\n", serial, subject, until,
               a->out);
        free(serial);
        free(subject);
        free(until);
    }
    X509_free(cert);
    return rc;
}

static int ca_issue(int argc, char **argv)
{
    struct args a;
    uint64_t allowed = CMD_BIT(OPT_DIR) | CMD_BIT(OPT_PASS) | CMD_BIT(OPT_DAYS) | CMD_BIT(OPT_CSR) |
                       CMD_BIT(OPT_PROFILE) | CMD_BIT(OPT_OUT);
    int r = parse_args(argc, argv, allowed, issue_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    if (a.csr == NULL || a.profile == NULL || a.out == NULL)
        return cmd_usage_error(issue_usage,
                               "--csr, --profile and --out are required / 缺少必需选项", NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    /* A mistyped profile is a usage error, found before the slow unlock. */
    enum eseal_ca_profile profile;
    if (eseal_ca_profile_parse(a.profile, &profile, &err) != ESEAL_OK)
        return cmd_usage_error(issue_usage, "unknown --profile / 未知证书类型: ", a.profile);
    struct eseal_ca *ca = NULL;
    if (eseal_ca_open_unlocked(&ca, a.dir, ESEAL_CA_UNLOCK_ROOT, a.pass_file, &err) != ESEAL_OK)
        return cmd_fail(&err);
    eseal_rc rc = issue_to_file(ca, &a, profile, &err);
    eseal_ca_free(ca);
    return rc == ESEAL_OK ? 0 : cmd_fail(&err);
}

/* unlock_code_to_file makes the code and writes it to a new file, mode 0600:
 * with the token it resets a PIN, so it is kept like a secret. */
static eseal_rc unlock_code_to_file(struct eseal_ca *ca, const struct args *a, int counter,
                                    struct eseal_err *err)
{
    struct eseal_buf code;
    eseal_buf_init(&code);
    eseal_rc rc = eseal_ca_unlock_code(ca, a->token_id, (uint32_t)counter, &code, err);
    if (rc == ESEAL_OK)
        rc = eseal_file_write(a->out, code.data, code.len, 0600, 1, err);
    if (rc == ESEAL_OK)
        printf("unlock code for token %s, unlock counter %d -> %s / 已生成口令解锁码\n",
               a->token_id, counter, a->out);
    eseal_buf_cleanup(&code);
    return rc;
}

static int ca_unlock_code(int argc, char **argv)
{
    struct args a;
    uint64_t allowed = CMD_BIT(OPT_DIR) | CMD_BIT(OPT_PASS) | CMD_BIT(OPT_TOKEN_ID) |
                       CMD_BIT(OPT_COUNTER) | CMD_BIT(OPT_OUT);
    int r = parse_args(argc, argv, allowed, unlock_code_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    if (a.token_id == NULL || a.counter == NULL || a.out == NULL)
        return cmd_usage_error(unlock_code_usage,
                               "--token-id, --counter and --out are required / 缺少必需选项", NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    int counter = 0;
    /* Mistyped arguments are found before the slow unlock. */
    if (cmd_parse_int(a.counter, 0, (long)ESEAL_UNLOCK_COUNTER_MAX, &counter, "--counter", &err) !=
        ESEAL_OK)
        return cmd_fail(&err);
    if (!eseal_token_id_valid(a.token_id))
        return cmd_usage_error(
            unlock_code_usage,
            "--token-id must be 16 lower-case hex digits / 令牌编号格式错误: ", a.token_id);
    struct eseal_ca *ca = NULL;
    if (eseal_ca_open_unlocked(&ca, a.dir, ESEAL_CA_UNLOCK_MAKER, a.pass_file, &err) != ESEAL_OK)
        return cmd_fail(&err);
    eseal_rc rc = unlock_code_to_file(ca, &a, counter, &err);
    eseal_ca_free(ca);
    return rc == ESEAL_OK ? 0 : cmd_fail(&err);
}

static void print_show_text(json_t *j)
{
    printf("CA directory / 证书机构目录: %s\n", json_string_value(json_object_get(j, "dir")));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "certificates"), i, c)
    {
        printf("\n[%s]\n", json_string_value(json_object_get(c, "role")));
        static const char *const keys[] = {"subject",   "issuer",          "serial", "not_before",
                                           "not_after", "sm3_fingerprint", "file",   "key_file"};
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
            printf("  %-16s %s\n", keys[k], json_string_value(json_object_get(c, keys[k])));
    }
    json_t *log = json_object_get(j, "log");
    printf("\n[log]\n");
    static const char *const lk[] = {"origin", "verifier_key", "file", "pem_file", "key_file"};
    for (size_t k = 0; k < sizeof(lk) / sizeof(lk[0]); k++)
        printf("  %-16s %s\n", lk[k], json_string_value(json_object_get(log, lk[k])));
}

static int ca_show(int argc, char **argv)
{
    struct args a;
    int r = parse_args(argc, argv, CMD_BIT(OPT_DIR) | CMD_BIT(OPT_JSON), show_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_ca *ca = NULL;
    if (eseal_ca_open(&ca, a.dir, &err) != ESEAL_OK)
        return cmd_fail(&err);
    json_t *j = eseal_ca_show(ca);
    if (a.json) {
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
        putchar('\n');
    } else {
        print_show_text(j);
    }
    json_decref(j);
    eseal_ca_free(ca);
    return 0;
}

/* rotate_args parses the options of the rotate-* commands and reads the
 * passphrase; 0 to go on, else the exit status. */
static int rotate_args(int argc, char **argv, uint64_t allowed, const char *usage, struct args *a,
                       struct eseal_buf *pass)
{
    int r = parse_args(argc, argv,
                       allowed | CMD_BIT(OPT_DIR) | CMD_BIT(OPT_PASS) | CMD_BIT(OPT_LOG), usage, a);
    if (r != 0)
        return r < 0 ? -1 : r;
    if (a->log == NULL)
        return cmd_usage_error(usage, "--log is required / 缺少 --log", NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_read_secret(pass, a->pass_file, ESEAL_CA_PASSPHRASE_ENV, &err) != ESEAL_OK)
        return cmd_fail(&err);
    return 0;
}

/* rotate rotates |role|'s key, then logs the rotation. */
static int rotate(int argc, char **argv, enum eseal_ca_role role)
{
    struct args a;
    struct eseal_buf pass;
    eseal_buf_init(&pass);
    int r = rotate_args(argc, argv, CMD_BIT(OPT_DAYS),
                        role == ESEAL_CA_MAKER ? rotate_maker_usage : rotate_responder_usage, &a,
                        &pass);
    if (r != 0) {
        eseal_buf_cleanse(&pass);
        return r < 0 ? 0 : r;
    }
    struct eseal_err err;
    eseal_err_clear(&err);
    int days = 0;
    struct eseal_ca *ca = NULL;
    struct eseal_log *log = NULL;
    json_t *data = NULL, *entry = NULL;
    uint64_t seq = 0;
    eseal_rc rc = ESEAL_OK;
    if (a.days)
        rc = cmd_parse_int(a.days, 1, 3650, &days, "--days", &err);
    if (rc == ESEAL_OK)
        rc = cmd_open_log(a.dir, a.log, &pass, 0, &ca, &log, &err);
    if (rc == ESEAL_OK)
        rc = eseal_ca_rotate(a.dir, role, pass.data, pass.len, days, &data, &err);
    eseal_buf_cleanse(&pass);
    if (rc == ESEAL_OK) {
        entry = cmd_rotation_entry("key.rotated", data);
        rc = cmd_log_event(log, entry, &seq, &err);
    }
    if (rc == ESEAL_OK) {
        const json_t *n = json_object_get(data, "new");
        printf("rotated the %s key / 已轮换密钥: new serial %s, valid until %s; old serial %s "
               "kept in %s/retired/; log entry %llu (key.rotated)\n",
               argv[0] + strlen("rotate-"), eseal_json_str(n, "serial"),
               eseal_json_str(n, "not_after"),
               eseal_json_str(json_object_get(data, "old"), "serial"), a.dir,
               (unsigned long long)seq);
    }
    json_decref(entry);
    json_decref(data);
    eseal_log_close(log);
    eseal_ca_free(ca);
    return rc == ESEAL_OK ? 0 : cmd_fail(&err);
}

/* ca_rotate_log begins a log key rotation (the next key announced by an
 * entry under a checkpoint of the current key alone) or, with --finish,
 * ends it (the end logged under a checkpoint co-signed by both, then the
 * next key becomes the key of the CA and of the log). */
static int ca_rotate_log(int argc, char **argv)
{
    struct args a;
    struct eseal_buf pass;
    eseal_buf_init(&pass);
    int r = rotate_args(argc, argv, CMD_BIT(OPT_FINISH), rotate_log_usage, &a, &pass);
    if (r != 0) {
        eseal_buf_cleanse(&pass);
        return r < 0 ? 0 : r;
    }
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_ca *ca = NULL;
    struct eseal_log *log = NULL;
    json_t *entry = NULL;
    uint64_t seq = 0;
    char *next = NULL;
    eseal_rc rc = cmd_open_log(a.dir, a.log, &pass, 0, &ca, &log, &err);
    char *cur =
        ca != NULL ? eseal_note_key_format(eseal_ca_log_origin(ca), eseal_ca_log_pub(ca)) : NULL;
    if (rc == ESEAL_OK && !a.finish) {
        rc = eseal_ca_log_rotate_begin(a.dir, pass.data, pass.len, &next, &err);
        if (rc == ESEAL_OK) {
            json_t *d = json_pack("{s:s, s:{s:s}, s:{s:s}}", "role", "log", "old", "key", cur,
                                  "new", "key", next);
            entry = cmd_rotation_entry("key.rotated", d);
            json_decref(d);
            if ((rc = cmd_log_event(log, entry, &seq, &err)) != ESEAL_OK)
                (void)eseal_ca_log_rotate_abort(a.dir);
        }
    } else if (rc == ESEAL_OK) {
        next = eseal_ca_log_next(ca);
        if (next == NULL)
            rc = eseal_err_set(&err, ESEAL_E_INVALID,
                               "没有进行中的日志密钥轮换 / no log key rotation is under way");
        if (rc == ESEAL_OK) {
            json_t *d = json_pack("{s:s, s:s, s:s}", "role", "log", "key", cur, "by", next);
            entry = cmd_rotation_entry("key.retired", d);
            json_decref(d);
            rc = cmd_log_event(log, entry, &seq, &err);
        }
        eseal_log_close(log);
        log = NULL;
        if (rc == ESEAL_OK && (rc = eseal_ca_log_rotate_finish(a.dir, &err)) == ESEAL_OK)
            rc = eseal_log_rekey(a.log, next, &err);
    }
    eseal_buf_cleanse(&pass);
    if (rc == ESEAL_OK)
        printf("%s / %s: %s; log entry %llu\n",
               a.finish ? "finished the log key rotation" : "began a log key rotation",
               a.finish ? "日志密钥轮换完成" : "日志密钥轮换开始", next, (unsigned long long)seq);
    json_decref(entry);
    free(cur);
    free(next);
    eseal_log_close(log);
    eseal_ca_free(ca);
    return rc == ESEAL_OK ? 0 : cmd_fail(&err);
}

static int ca_rotate_maker(int argc, char **argv)
{
    return rotate(argc, argv, ESEAL_CA_MAKER);
}

static int ca_rotate_responder(int argc, char **argv)
{
    return rotate(argc, argv, ESEAL_CA_RESPONDER);
}

static const struct cmd ca_cmds[] = {
    {"init", "create the platform CA / 创建证书机构", ca_init},
    {"issue", "issue a certificate from a PKCS#10 request / 签发证书", ca_issue},
    {"show", "print the CA hierarchy / 显示证书机构", ca_show},
    {"unlock-code", "make a PIN unlock code for a token / 生成口令解锁码", ca_unlock_code},
    {"tsa-init", "add the time-stamp key to an existing CA / 生成时间戳密钥", ca_tsa_init},
    {"rotate-maker", "new seal-maker key and certificate / 轮换印章制作密钥", ca_rotate_maker},
    {"rotate-responder", "new status-responder key and certificate / 轮换状态签名密钥",
     ca_rotate_responder},
    {"rotate-log", "begin or finish a log key rotation / 轮换日志密钥", ca_rotate_log},
};
#define N_CA_CMDS (sizeof(ca_cmds) / sizeof(ca_cmds[0]))

static const struct cmd_group_spec ca_group = {
    "ca",
    NULL,
    ca_cmds,
    N_CA_CMDS,
};

int cmd_ca(int argc, char **argv)
{
    return cmd_dispatch(&ca_group, argc, argv);
}
