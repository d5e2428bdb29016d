/* cmd_token.c — `eseal token`: the software seal token (软件印章令牌). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "eseal/pki.h"
#include "eseal/token.h"
#include "cmd.h"

static const char init_usage[] =
    "usage: eseal token init --dir DIR [--pin-file FILE]\n"
    "  Creates a software token with a new SM2 key wrapped under the PIN. 创建令牌.\n"
    "  The PIN (6..64 characters) comes from --pin-file or ESEAL_PIN.\n";
static const char csr_usage[] =
    "usage: eseal token csr --dir DIR --subject /CN=.../O=... --out FILE [--pin-file FILE]\n"
    "  Writes a PKCS#10 request (PEM) signed by the token key. 生成证书请求.\n"
    "  --subject uses openssl -subj syntax; a backslash escapes the next character.\n";
static const char import_usage[] =
    "usage: eseal token import --dir DIR --cert FILE [--seal FILE] [--pin-file FILE]\n"
    "  Stores the issued certificate (it must hold the token key) and the seal. 导入证书和印章.\n";
static const char show_usage[] = "usage: eseal token show --dir DIR [--json]\n"
                                 "  Prints the token's state; needs no PIN. 显示令牌信息.\n";
static const char change_usage[] =
    "usage: eseal token change-pin --dir DIR [--pin-file FILE] [--new-pin-file FILE]\n"
    "  Changes the PIN. 修改口令. Current PIN: --pin-file or ESEAL_PIN;\n"
    "  new PIN: --new-pin-file or ESEAL_NEW_PIN.\n";
static const char unlock_usage[] =
    "usage: eseal token unlock --dir DIR --code FILE [--new-pin-file FILE]\n"
    "  Resets the PIN of a (locked) token with an unlock code from the platform\n"
    "  (eseal ca unlock-code). 口令解锁. New PIN: --new-pin-file or ESEAL_NEW_PIN.\n";

enum {
    OPT_DIR = 1,
    OPT_PIN,
    OPT_NEW_PIN,
    OPT_SUBJECT,
    OPT_OUT,
    OPT_CERT,
    OPT_SEAL,
    OPT_CODE,
    OPT_JSON,
    OPT_HELP
};

static const struct option long_opts[] = {
    {"dir", required_argument, NULL, OPT_DIR},
    {"pin-file", required_argument, NULL, OPT_PIN},
    {"new-pin-file", required_argument, NULL, OPT_NEW_PIN},
    {"subject", required_argument, NULL, OPT_SUBJECT},
    {"out", required_argument, NULL, OPT_OUT},
    {"cert", required_argument, NULL, OPT_CERT},
    {"seal", required_argument, NULL, OPT_SEAL},
    {"code", required_argument, NULL, OPT_CODE},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* struct args holds every option of any `eseal token` sub-command; each
 * sub-command says which it allows (a bit per OPT_*). */
struct args {
    const char *dir, *pin_file, *new_pin_file, *subject, *out, *cert, *seal, *code;
    bool json;
};

static int parse_args(int argc, char **argv, uint64_t allowed, const char *usage, struct args *a)
{
    struct cmd_args p;
    int r = cmd_parse(argc, argv, "", long_opts, allowed, 0, usage, EXIT_USAGE, &p);
    if (r != 0)
        return r;
    *a = (struct args){
        .dir = p.opt[OPT_DIR],
        .pin_file = p.opt[OPT_PIN],
        .new_pin_file = p.opt[OPT_NEW_PIN],
        .subject = p.opt[OPT_SUBJECT],
        .out = p.opt[OPT_OUT],
        .cert = p.opt[OPT_CERT],
        .seal = p.opt[OPT_SEAL],
        .code = p.opt[OPT_CODE],
        .json = p.opt[OPT_JSON] != NULL,
    };
    if (a->dir == NULL)
        return cmd_usage_error(usage, "--dir is required / 缺少 --dir", NULL);
    return 0;
}

/* open_with_pin opens the token in |dir| and unlocks its key with the PIN
 * from |pin_file| or ESEAL_PIN (counted against the retry limit). */
static eseal_rc open_with_pin(struct eseal_token **tok, const char *dir, const char *pin_file,
                              struct eseal_err *err)
{
    eseal_rc rc = eseal_token_open(tok, dir, err);
    if (rc != ESEAL_OK)
        return rc;
    struct eseal_buf pin;
    eseal_buf_init(&pin);
    rc = eseal_read_secret(&pin, pin_file, ESEAL_TOKEN_PIN_ENV, err);
    if (rc == ESEAL_OK)
        rc = eseal_token_unlock_key(*tok, pin.data, pin.len, err);
    eseal_buf_cleanse(&pin);
    if (rc != ESEAL_OK) {
        eseal_token_free(*tok);
        *tok = NULL;
    }
    return rc;
}

static int token_init(int argc, char **argv)
{
    struct args a;
    int r = parse_args(argc, argv, CMD_BIT(OPT_DIR) | CMD_BIT(OPT_PIN), init_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_buf pin;
    eseal_buf_init(&pin);
    eseal_rc rc = eseal_read_secret(&pin, a.pin_file, ESEAL_TOKEN_PIN_ENV, &err);
    if (rc == ESEAL_OK)
        rc = eseal_token_init(a.dir, pin.data, pin.len, &err);
    eseal_buf_cleanse(&pin);
    struct eseal_token *tok = NULL;
    if (rc == ESEAL_OK)
        rc = eseal_token_open(&tok, a.dir, &err);
    if (rc != ESEAL_OK)
        return cmd_fail(&err);
    printf("created token %s in %s / 已创建令牌\n", eseal_token_id(tok), a.dir);
    eseal_token_free(tok);
    return 0;
}

static int token_csr(int argc, char **argv)
{
    struct args a;
    uint64_t allowed =
        CMD_BIT(OPT_DIR) | CMD_BIT(OPT_PIN) | CMD_BIT(OPT_SUBJECT) | CMD_BIT(OPT_OUT);
    int r = parse_args(argc, argv, allowed, csr_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    if (a.subject == NULL || a.out == NULL)
        return cmd_usage_error(csr_usage, "--subject and --out are required / 缺少必需选项", NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    /* A malformed subject is found before the PIN is spent on it. */
    X509_NAME *name = NULL;
    if (eseal_token_subject_parse(&name, a.subject, &err) != ESEAL_OK)
        return cmd_fail(&err);
    X509_NAME_free(name);
    struct eseal_token *tok = NULL;
    if (open_with_pin(&tok, a.dir, a.pin_file, &err) != ESEAL_OK)
        return cmd_fail(&err);
    struct eseal_buf pem;
    eseal_buf_init(&pem);
    eseal_rc rc = eseal_token_csr(tok, a.subject, &pem, &err);
    if (rc == ESEAL_OK)
        rc = eseal_file_write(a.out, pem.data, pem.len, 0644, 1, &err);
    if (rc == ESEAL_OK)
        printf("wrote request for token %s -> %s / 已生成证书请求\n", eseal_token_id(tok), a.out);
    eseal_buf_cleanup(&pem);
    eseal_token_free(tok);
    return rc == ESEAL_OK ? 0 : cmd_fail(&err);
}

/* read_inputs reads the certificate and, if given, the seal file. */
static eseal_rc read_inputs(struct eseal_buf *cert, struct eseal_buf *seal, const struct args *a,
                            struct eseal_err *err)
{
    eseal_rc rc = eseal_file_read(cert, a->cert, ESEAL_PKI_MAX_INPUT, err);
    if (rc == ESEAL_OK && a->seal != NULL)
        rc = eseal_file_read(seal, a->seal, ESEAL_TOKEN_SEAL_MAX, err);
    return rc;
}

static int token_import(int argc, char **argv)
{
    struct args a;
    uint64_t allowed = CMD_BIT(OPT_DIR) | CMD_BIT(OPT_PIN) | CMD_BIT(OPT_CERT) | CMD_BIT(OPT_SEAL);
    int r = parse_args(argc, argv, allowed, import_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    if (a.cert == NULL)
        return cmd_usage_error(import_usage, "--cert is required / 缺少 --cert", NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_buf cert, seal;
    eseal_buf_init(&cert);
    eseal_buf_init(&seal);
    struct eseal_token *tok = NULL;
    eseal_rc rc = read_inputs(&cert, &seal, &a, &err);
    if (rc == ESEAL_OK)
        rc = open_with_pin(&tok, a.dir, a.pin_file, &err);
    /* An empty seal file still counts as given: import refuses it. */
    const uint8_t *seal_data = NULL;
    if (a.seal != NULL)
        seal_data = seal.data != NULL ? seal.data : (const uint8_t *)"";
    if (rc == ESEAL_OK)
        rc = eseal_token_import(tok, cert.data, cert.len, seal_data, seal.len, &err);
    if (rc == ESEAL_OK)
        printf("imported into token %s / 已导入: certificate%s\n", eseal_token_id(tok),
               a.seal != NULL ? " and seal" : "");
    eseal_buf_cleanup(&cert);
    eseal_buf_cleanup(&seal);
    eseal_token_free(tok);
    return rc == ESEAL_OK ? 0 : cmd_fail(&err);
}

static void print_show_text(json_t *j)
{
    static const char *const keys[] = {"dir", "id", "created", "state", "public_key_sm3"};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        printf("%-18s %s\n", keys[k], json_string_value(json_object_get(j, keys[k])));
    printf("%-18s %lld of %lld\n", "pin_tries_left",
           (long long)json_integer_value(json_object_get(j, "pin_tries_left")),
           (long long)json_integer_value(json_object_get(j, "pin_max_tries")));
    printf("%-18s %lld\n", "unlock_counter",
           (long long)json_integer_value(json_object_get(j, "unlock_counter")));
    printf("%-18s %s\n", "unlock_key",
           json_is_true(json_object_get(j, "unlock_key_present")) ? "present" : "missing");
    json_t *c = json_object_get(j, "certificate");
    printf("\n[certificate]%s\n", json_is_null(c) ? " none / 未导入" : "");
    static const char *const ck[] = {"subject",    "issuer",    "serial",
                                     "not_before", "not_after", "sm3_fingerprint"};
    for (size_t k = 0; !json_is_null(c) && k < sizeof(ck) / sizeof(ck[0]); k++)
        printf("  %-16s %s\n", ck[k], json_string_value(json_object_get(c, ck[k])));
    json_t *s = json_object_get(j, "seal");
    printf("\n[seal]%s\n", json_is_null(s) ? " none / 未导入" : "");
    if (!json_is_null(s))
        printf("  %-16s %lld bytes\n  %-16s %s\n", "size",
               (long long)json_integer_value(json_object_get(s, "size")), "sm3",
               json_string_value(json_object_get(s, "sm3")));
}

static int token_show(int argc, char **argv)
{
    struct args a;
    int r = parse_args(argc, argv, CMD_BIT(OPT_DIR) | CMD_BIT(OPT_JSON), show_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_token *tok = NULL;
    if (eseal_token_open(&tok, a.dir, &err) != ESEAL_OK)
        return cmd_fail(&err);
    json_t *j = eseal_token_show(tok);
    if (a.json) {
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
        putchar('\n');
    } else {
        print_show_text(j);
    }
    json_decref(j);
    eseal_token_free(tok);
    return 0;
}

static int token_change_pin(int argc, char **argv)
{
    struct args a;
    uint64_t allowed = CMD_BIT(OPT_DIR) | CMD_BIT(OPT_PIN) | CMD_BIT(OPT_NEW_PIN);
    int r = parse_args(argc, argv, allowed, change_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_buf new_pin;
    eseal_buf_init(&new_pin);
    struct eseal_token *tok = NULL;
    /* The new PIN is read and checked first: a bad one costs no attempt. */
    eseal_rc rc = eseal_read_secret(&new_pin, a.new_pin_file, ESEAL_TOKEN_NEW_PIN_ENV, &err);
    if (rc == ESEAL_OK)
        rc = eseal_token_pin_check(new_pin.data, new_pin.len, &err);
    if (rc == ESEAL_OK)
        rc = open_with_pin(&tok, a.dir, a.pin_file, &err);
    if (rc == ESEAL_OK)
        rc = eseal_token_change_pin(tok, new_pin.data, new_pin.len, &err);
    eseal_buf_cleanse(&new_pin);
    if (rc == ESEAL_OK)
        printf("changed the PIN of token %s / 已修改口令\n", eseal_token_id(tok));
    eseal_token_free(tok);
    return rc == ESEAL_OK ? 0 : cmd_fail(&err);
}

static int token_unlock(int argc, char **argv)
{
    struct args a;
    uint64_t allowed = CMD_BIT(OPT_DIR) | CMD_BIT(OPT_CODE) | CMD_BIT(OPT_NEW_PIN);
    int r = parse_args(argc, argv, allowed, unlock_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    if (a.code == NULL)
        return cmd_usage_error(unlock_usage, "--code is required / 缺少 --code", NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_buf code, new_pin;
    eseal_buf_init(&code);
    eseal_buf_init(&new_pin);
    struct eseal_token *tok = NULL;
    eseal_rc rc = eseal_file_read(&code, a.code, ESEAL_UNLOCK_MAX_INPUT, &err);
    if (rc == ESEAL_OK)
        rc = eseal_read_secret(&new_pin, a.new_pin_file, ESEAL_TOKEN_NEW_PIN_ENV, &err);
    if (rc == ESEAL_OK)
        rc = eseal_token_open(&tok, a.dir, &err);
    if (rc == ESEAL_OK)
        rc = eseal_token_reset_pin(tok, code.data, code.len, new_pin.data, new_pin.len, &err);
    eseal_buf_cleanse(&new_pin);
    eseal_buf_cleanup(&code);
    if (rc == ESEAL_OK)
        printf("unlocked token %s with a new PIN (unlock counter now %u) / 已解锁并设置新口令\n",
               eseal_token_id(tok), (unsigned)eseal_token_unlock_counter(tok));
    eseal_token_free(tok);
    return rc == ESEAL_OK ? 0 : cmd_fail(&err);
}

static const struct cmd token_cmds[] = {
    {"init", "create a software token / 创建令牌", token_init},
    {"csr", "write a certificate request signed by the token / 生成证书请求", token_csr},
    {"import", "store the issued certificate and seal / 导入证书和印章", token_import},
    {"show", "print the token's state / 显示令牌信息", token_show},
    {"change-pin", "change the PIN / 修改口令", token_change_pin},
    {"unlock", "reset the PIN with a platform unlock code / 口令解锁", token_unlock},
};
#define N_TOKEN_CMDS (sizeof(token_cmds) / sizeof(token_cmds[0]))

static const struct cmd_group_spec token_group = {
    "token",
    "  PINs come from --pin-file / --new-pin-file or ESEAL_PIN / ESEAL_NEW_PIN,\n"
    "  never from the command line.\n",
    token_cmds,
    N_TOKEN_CMDS,
};

int cmd_token(int argc, char **argv)
{
    return cmd_dispatch(&token_group, argc, argv);
}
