/* cmd_issuer.c — `eseal issuer`: the issuance API (eseal-issuerd, docs/api.md)
 * for scripts: log in, file and submit, upload, register, review, produce,
 * hand over, report a loss, show, fetch, staff accounts. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "eseal/buf.h"
#include "eseal/httpc.h"
#include "eseal/json.h"
#include "eseal/multipart.h"
#include "cmd.h"
#include "issuer_client.h"

#define DEFAULT_URL "http://127.0.0.1:8441"
#define PASSWORD_ENV "ESEAL_PASSWORD"
#define NEW_PASSWORD_ENV "ESEAL_NEW_PASSWORD"
#define TOKEN_ENV "ESEAL_TOKEN"
/* Materials go up in one multipart body: the issuer's max_upload default. */
#define UPLOAD_MAX (48 * 1024 * 1024)
#define FILE_MAX (20 * 1024 * 1024)
#define MAX_MULTI 32

#define COMMON                                                                                     \
    "  Common: --url URL (default: the session's, else " DEFAULT_URL "),\n"                        \
    "  --session FILE (default ~/.eseal/session), --json (the raw JSON answer),\n"                 \
    "  --ca-file FILE (PEM CA certificates for an https:// URL; default: the system store).\n"     \
    "  Token: $" TOKEN_ENV ", else the session file. Exit: 0 done, 1 refused by\n"                 \
    "  the issuer, 2 usage, 3 connection or I/O error.\n"

static const char login_usage[] =
    "usage: eseal issuer login --url URL --user NAME [--password-file FILE] [--print-token]\n"
    "  Logs in (POST /api/v1/session). 登录. The password comes from --password-file or\n"
    "  $" PASSWORD_ENV ", never the command line. The bearer token is stored in the\n"
    "  session file (mode 0600) with the URL, or with --print-token only printed\n"
    "  (for " TOKEN_ENV "=$(...)).\n" COMMON;
static const char logout_usage[] = "usage: eseal issuer logout [--url URL]\n"
                                   "  Ends the session (DELETE /api/v1/session) and removes the\n"
                                   "  session file. 退出登录.\n" COMMON;
static const char submit_usage[] =
    "usage: eseal issuer submit (--file SUBMISSION.json | --id ID) [--material KIND=FILE]...\n"
    "  Creates a submission from the JSON document (docs/issuer-domain.md),\n"
    "  uploads the materials it refers to (by SM3) and submits it. 申报并提交.\n"
    "  --id submits an existing draft instead (after uploading any --material).\n"
    "  KIND: letter, form, summary_table, impression, csr, justification.\n"
    "  A refusal after the draft was made keeps the draft (its id is printed).\n" COMMON;
static const char rectify_usage[] =
    "usage: eseal issuer rectify --id ID --file SUBMISSION.json [--material KIND=FILE]...\n"
    "  Rectifies a rejected (or draft) submission: replaces its document with\n"
    "  the corrected one, uploads the materials and submits it again. 整改并重新提交.\n"
    "  A refusal keeps the submission as it was then; fix and rectify again.\n" COMMON;
static const char seals_usage[] =
    "usage: eseal issuer seals (--unit USCC | --q TEXT [--state STATUS] [--page N])\n"
    "  --q searches every seal the account may see by name, unit name, USCC, code\n"
    "  or certificate serial. 搜索印章. Otherwise:\n"
    "  Lists a unit's seals with name, code, kind, status and validity, so that\n"
    "  forms can name a seal as the guide does: by the unit and the seal's name.\n"
    "  查询单位的印章 (agent of the unit, its city's aggregator, staff).\n" COMMON;
static const char upload_usage[] =
    "usage: eseal issuer upload --id ID (--kind KIND FILE | --material KIND=FILE...)\n"
    "  Attaches materials to a draft or rejected submission. 上传材料.\n" COMMON;
static const char register_usage[] =
    "usage: eseal issuer register --id ID [--on-site TOKEN_ID | --on-site ESID=TOKEN_ID]...\n"
    "                             [--paper all | --paper SM3[=POINT,...]]...\n"
    "  Registers a submitted submission (maker). 登记. --on-site records a USB KEY\n"
    "  presented on site; a bare TOKEN_ID goes with every seal the forms name.\n"
    "  --paper records the paper original of material SM3 as received, with the\n"
    "  points checked (red_header, unit_seal, leader_signature, no_alterations,\n"
    "  impression_clear); --paper all: every original received and checked. 纸质原件核验.\n" COMMON;
static const char review_usage[] =
    "usage: eseal issuer review --id ID (--approve [--ack RULE]... | --reject --reason TEXT...)\n"
    "                           [--flag SM3=POINT]...\n"
    "  Approves or rejects a registered submission (reviewer). 审核. --flag marks a\n"
    "  point of a paper original as not right (an approval with a flag is refused).\n" COMMON;
static const char material_usage[] =
    "usage: eseal issuer material --id ID --sm3 SM3 --out FILE\n"
    "  Downloads material SM3 of a submission (letter, form, summary table, impression,\n"
    "  justification, CSR, introduction letter, ID copy). 下载材料.\n" COMMON;
static const char batch_create_usage[] =
    "usage: eseal issuer batch create --business TYPE\n"
    "  Opens a batch of the aggregator's city for one business type. 新建批次.\n" COMMON;
static const char batch_add_usage[] =
    "usage: eseal issuer batch add --id BATCH --submission ID...\n"
    "  Adds submissions the units submitted to the aggregator. 加入批次.\n" COMMON;
static const char batch_summary_usage[] =
    "usage: eseal issuer batch summary --id BATCH --table FILE --rows ROWS.json\n"
    "  Attaches the batch's one summary table: the file (PDF, OFD, image or xlsx) and\n"
    "  its rows as JSON (one per form of all items, in item order). 汇总表.\n" COMMON;
static const char batch_submit_usage[] =
    "usage: eseal issuer batch submit --id BATCH\n"
    "  Submits every item of the batch to the centre. 报送批次.\n" COMMON;
static const char batch_show_usage[] = "usage: eseal issuer batch show --id BATCH\n"
                                       "  Shows a batch and its items. 查看批次.\n" COMMON;
static const char batch_register_usage[] =
    "usage: eseal issuer batch register --id BATCH [--item ID]... [--paper all]\n"
    "  Registers the batch's items (default: all) one by one (maker). 批次登记.\n" COMMON;
static const char batch_review_usage[] =
    "usage: eseal issuer batch review --id BATCH [--item ID]...\n"
    "           (--approve [--ack RULE]... | --reject --reason TEXT...) [--flag SM3=POINT]...\n"
    "  Reviews the batch's items (default: all) one by one (reviewer); a rejection\n"
    "  returns only the items it names. 批次审核.\n" COMMON;
static const char produce_usage[] =
    "usage: eseal issuer produce --id ID [--days N] [--csr FILE]... [--token-id ID]...\n"
    "                            [--counter N]... [--reason REVOCATION_REASON] [--out FILE]\n"
    "  Produces an approved submission (maker). 制作. The i-th --csr, --token-id and\n"
    "  --counter go with form i. --reason: revoke (keyCompromise, superseded, ...).\n"
    "  --out: write the first form's unlock code (unlock) to FILE.\n" COMMON;
static const char handover_usage[] =
    "usage: eseal issuer handover --id ID --letter FILE --id-copy FILE --name NAME\n"
    "           --id-number-file FILE [--letter-name NAME] [--letter-id-number-file FILE]\n"
    "  Hands the seals over (maker): the collector as seen (--name, --id-number-file)\n"
    "  and as the introduction letter names them (--letter-name and\n"
    "  --letter-id-number-file; default: the same). 交付. ID numbers come from files,\n"
    "  never the command line.\n" COMMON;
static const char suspend_usage[] =
    "usage: eseal issuer suspend --esid ESID\n"
    "  Reports a seal lost (the unit's agent, its aggregator or a maker): suspended\n"
    "  at once and published. 挂失.\n" COMMON;
static const char reinstate_usage[] =
    "usage: eseal issuer reinstate --esid ESID [--token-id TOKEN_ID]\n"
    "  Lifts a suspension (maker): the lost key was found. 解除挂失. A USB KEY seal\n"
    "  needs --token-id, the key presented on site.\n" COMMON;
static const char revoke_usage[] =
    "usage: eseal issuer revoke --id ID [--reason REVOCATION_REASON]\n"
    "  Produces an approved revoke submission (maker). 撤销. --reason: keyCompromise,\n"
    "  cessationOfOperation, ...; may be left out when every seal it names is\n"
    "  suspended (reported lost): keyCompromise, since the loss report.\n" COMMON;
static const char show_usage[] =
    "usage: eseal issuer show (--id ID | --esid ESID)\n"
    "  Shows a submission or a seal. 查看. A submission's current round (本轮) comes\n"
    "  first, its materials marked \"current\" when the document refers to them;\n"
    "  earlier rounds (往轮) follow with their rejections.\n" COMMON;
static const char list_usage[] =
    "usage: eseal issuer list [--state STATE] [--city CODE] [--business TYPE] [--unit USCC]\n"
    "                         [--q TEXT] [--page N] [--limit L]\n"
    "  Lists the submissions the account may see. 列出申报. With --city, --business,\n"
    "  --unit, --q (unit name, USCC, number or seal name), --page or --limit it shows\n"
    "  one page (default 50 a page), oldest first, and \"page N of M\".\n" COMMON;
static const char queues_usage[] =
    "usage: eseal issuer queues\n"
    "  Shows the work queues of the account's role with their counts and oldest\n"
    "  item (maker, reviewer, admin). 待办队列.\n" COMMON;
static const char fetch_usage[] =
    "usage: eseal issuer fetch --esid ESID [--seal FILE] [--cert FILE]\n"
    "  Downloads the seal's current version (DER) and certificate (PEM). 下载印章.\n" COMMON;
static const char prove_usage[] =
    "usage: eseal issuer prove --seq N\n"
    "  Shows the private record public log entry N commits to and whether\n"
    "  HMAC-SM3 under the platform secret still gives the entry's commitment\n"
    "  (admin). 证明日志承诺值. Exit 1 when it does not match.\n" COMMON;
static const char staff_add_usage[] =
    "usage: eseal issuer staff add --user NAME --role ROLE [--unit USCC] [--city CODE]\n"
    "                              [--password-file FILE]\n"
    "  Creates a staff account (admin). 新建账户. ROLE: agent (--unit), aggregator\n"
    "  (--city), maker, reviewer, admin. The new account's password comes from\n"
    "  --password-file or $" NEW_PASSWORD_ENV ".\n" COMMON;
static const char staff_list_usage[] = "usage: eseal issuer staff list\n"
                                       "  Lists the staff accounts (admin). 列出账户.\n" COMMON;
static const char staff_disable_usage[] =
    "usage: eseal issuer staff disable --user NAME\n"
    "  Disables an account (admin); its sessions end at once. 停用账户.\n" COMMON;
static const char staff_enable_usage[] =
    "usage: eseal issuer staff enable --user NAME\n"
    "  Enables a disabled account again (admin). 启用账户.\n" COMMON;
static const char staff_passwd_usage[] =
    "usage: eseal issuer staff passwd [--password-file OLD] [--new-password-file NEW]\n"
    "  Changes your own password. 修改本人密码. The old password comes from\n"
    "  --password-file or $" PASSWORD_ENV ", the new one from --new-password-file or\n"
    "  $" NEW_PASSWORD_ENV
    "; without them both are asked for on the terminal, not echoed.\n" COMMON;
static const char staff_reset_usage[] =
    "usage: eseal issuer staff reset --user NAME [--password-file FILE]\n"
    "  Sets another account's password (admin) and ends its sessions. 重置密码.\n"
    "  The new password comes from --password-file or $" NEW_PASSWORD_ENV ", else\n"
    "  it is asked for on the terminal, not echoed.\n" COMMON;
static const char staff_sessions_usage[] =
    "usage: eseal issuer staff sessions [--user NAME]\n"
    "  Lists the open sessions (admin), no tokens shown. 列出会话.\n" COMMON;
static const char notifications_list_usage[] =
    "usage: eseal issuer notifications list [--unread]\n"
    "  Lists your unit's (agent) or city's (aggregator) notifications, newest\n"
    "  first. 列出通知.\n" COMMON;
static const char notifications_read_usage[] = "usage: eseal issuer notifications read --id ID\n"
                                               "  Marks a notification read. 标记已读.\n" COMMON;

enum {
    OPT_URL = 1,
    OPT_SESSION,
    OPT_JSON,
    OPT_USER,
    OPT_PASSWORD_FILE,
    OPT_PRINT_TOKEN,
    OPT_FILE,
    OPT_MATERIAL,
    OPT_ID,
    OPT_KIND,
    OPT_ONSITE,
    OPT_APPROVE,
    OPT_REJECT,
    OPT_REASON,
    OPT_ACK,
    OPT_DAYS,
    OPT_CSR,
    OPT_TOKEN_ID,
    OPT_COUNTER,
    OPT_OUT,
    OPT_LETTER,
    OPT_ID_COPY,
    OPT_NAME,
    OPT_ID_NUMBER_FILE,
    OPT_LETTER_NAME,
    OPT_LETTER_ID_NUMBER_FILE,
    OPT_ESID,
    OPT_STATE,
    OPT_SEAL,
    OPT_CERT,
    OPT_ROLE,
    OPT_UNIT,
    OPT_CITY,
    OPT_CA_FILE,
    OPT_SEQ,
    OPT_PAPER,
    OPT_FLAG,
    OPT_SM3,
    OPT_BUSINESS,
    OPT_SUBMISSION,
    OPT_TABLE,
    OPT_ROWS,
    OPT_ITEM,
    OPT_HELP,
    OPT_EMAIL,
    OPT_NEW_PASSWORD_FILE,
    OPT_UNREAD,
    OPT_Q,
    OPT_PAGE,
    OPT_LIMIT,
};

static const struct option long_opts[] = {
    {"url", required_argument, NULL, OPT_URL},
    {"session", required_argument, NULL, OPT_SESSION},
    {"json", no_argument, NULL, OPT_JSON},
    {"user", required_argument, NULL, OPT_USER},
    {"password-file", required_argument, NULL, OPT_PASSWORD_FILE},
    {"print-token", no_argument, NULL, OPT_PRINT_TOKEN},
    {"file", required_argument, NULL, OPT_FILE},
    {"material", required_argument, NULL, OPT_MATERIAL},
    {"id", required_argument, NULL, OPT_ID},
    {"kind", required_argument, NULL, OPT_KIND},
    {"on-site", required_argument, NULL, OPT_ONSITE},
    {"approve", no_argument, NULL, OPT_APPROVE},
    {"reject", no_argument, NULL, OPT_REJECT},
    {"reason", required_argument, NULL, OPT_REASON},
    {"ack", required_argument, NULL, OPT_ACK},
    {"days", required_argument, NULL, OPT_DAYS},
    {"csr", required_argument, NULL, OPT_CSR},
    {"token-id", required_argument, NULL, OPT_TOKEN_ID},
    {"counter", required_argument, NULL, OPT_COUNTER},
    {"out", required_argument, NULL, OPT_OUT},
    {"letter", required_argument, NULL, OPT_LETTER},
    {"id-copy", required_argument, NULL, OPT_ID_COPY},
    {"name", required_argument, NULL, OPT_NAME},
    {"id-number-file", required_argument, NULL, OPT_ID_NUMBER_FILE},
    {"letter-name", required_argument, NULL, OPT_LETTER_NAME},
    {"letter-id-number-file", required_argument, NULL, OPT_LETTER_ID_NUMBER_FILE},
    {"esid", required_argument, NULL, OPT_ESID},
    {"state", required_argument, NULL, OPT_STATE},
    {"q", required_argument, NULL, OPT_Q},
    {"page", required_argument, NULL, OPT_PAGE},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"seal", required_argument, NULL, OPT_SEAL},
    {"cert", required_argument, NULL, OPT_CERT},
    {"role", required_argument, NULL, OPT_ROLE},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"city", required_argument, NULL, OPT_CITY},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"seq", required_argument, NULL, OPT_SEQ},
    {"paper", required_argument, NULL, OPT_PAPER},
    {"flag", required_argument, NULL, OPT_FLAG},
    {"sm3", required_argument, NULL, OPT_SM3},
    {"business", required_argument, NULL, OPT_BUSINESS},
    {"submission", required_argument, NULL, OPT_SUBMISSION},
    {"table", required_argument, NULL, OPT_TABLE},
    {"rows", required_argument, NULL, OPT_ROWS},
    {"item", required_argument, NULL, OPT_ITEM},
    {"help", no_argument, NULL, OPT_HELP},
    {"email", required_argument, NULL, OPT_EMAIL},
    {"new-password-file", required_argument, NULL, OPT_NEW_PASSWORD_FILE},
    {"unread", no_argument, NULL, OPT_UNREAD},
    {NULL, 0, NULL, 0},
};

#define COMMON_BITS                                                                                \
    (CMD_BIT(OPT_URL) | CMD_BIT(OPT_SESSION) | CMD_BIT(OPT_JSON) | CMD_BIT(OPT_CA_FILE))

/* struct ctx is one invocation: the parsed options, where the API is, the
 * token, and the session file. */
struct ctx {
    struct cmd_args a;
    const char *usage;
    bool json;
    char *session_path;
    char *url;
    char *token;
    struct issuer_conn conn;
};

static void ctx_cleanup(struct ctx *c)
{
    free(c->session_path);
    free(c->url);
    if (c->token != NULL) {
        memset(c->token, 0, strlen(c->token));
        free(c->token);
    }
}

static char *default_session_path(void)
{
    const char *home = getenv("HOME");
    return eseal_xasprintf("%s/.eseal/session", home != NULL && *home ? home : ".");
}

/* session_load reads the session file into |url| and |token| (either may
 * come back NULL). A missing file is not an error. */
static eseal_rc session_load(const char *path, char **url, char **token, struct eseal_err *err)
{
    *url = *token = NULL;
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_file_read(&b, path, 64 * 1024, err);
    if (rc == ESEAL_E_NOTFOUND) {
        eseal_buf_cleanup(&b);
        return ESEAL_OK;
    }
    if (rc != ESEAL_OK) {
        eseal_buf_cleanup(&b);
        return rc;
    }
    json_t *j = eseal_json_load(b.data, b.len);
    eseal_buf_cleanse(&b);
    if (!json_is_object(j)) {
        json_decref(j);
        return eseal_err_set(err, ESEAL_E_IO,
                             "%s: 不是会话文件，请重新登录 / not a session file (log in again)",
                             path);
    }
    if (json_string_value(json_object_get(j, "url")) != NULL)
        *url = eseal_xstrdup(json_string_value(json_object_get(j, "url")));
    if (json_string_value(json_object_get(j, "token")) != NULL)
        *token = eseal_xstrdup(json_string_value(json_object_get(j, "token")));
    json_decref(j);
    return ESEAL_OK;
}

/* ctx_parse parses the options and settles URL, token and session file.
 * With |need_token| a missing token is a usage error. Returns -1 after
 * --help, EXIT_* on error, 0 to go on. */
static int ctx_parse(struct ctx *c, int argc, char **argv, uint64_t allowed, size_t max_pos,
                     const char *usage, bool need_token)
{
    memset(c, 0, sizeof(*c));
    c->usage = usage;
    int r = cmd_parse(argc, argv, "", long_opts, allowed | COMMON_BITS, max_pos, usage, EXIT_USAGE,
                      &c->a);
    if (r == 0)
        r = cmd_ca_file(c->a.opt[OPT_CA_FILE], EXIT_USAGE);
    if (r != 0)
        return r;
    c->json = c->a.opt[OPT_JSON] != NULL;
    c->session_path = c->a.opt[OPT_SESSION] != NULL ? eseal_xstrdup(c->a.opt[OPT_SESSION])
                                                    : default_session_path();
    char *s_url = NULL, *s_token = NULL;
    struct eseal_err err;
    eseal_err_clear(&err);
    if (session_load(c->session_path, &s_url, &s_token, &err) != ESEAL_OK) {
        fprintf(stderr, "eseal: %s\n", err.msg);
        return EXIT_IO;
    }
    const char *env_token = getenv(TOKEN_ENV);
    if (env_token != NULL && *env_token) {
        c->token = eseal_xstrdup(env_token);
        if (s_token != NULL) {
            memset(s_token, 0, strlen(s_token));
            free(s_token);
        }
    } else {
        c->token = s_token;
    }
    if (c->a.opt[OPT_URL] != NULL) {
        c->url = eseal_xstrdup(c->a.opt[OPT_URL]);
        free(s_url);
    } else {
        c->url = s_url != NULL ? s_url : eseal_xstrdup(DEFAULT_URL);
    }
    c->conn.url = c->url;
    c->conn.token = c->token;
    if (need_token && c->token == NULL) {
        fprintf(stderr, "eseal: not logged in / 未登录: run eseal issuer login, or set %s\n%s",
                TOKEN_ENV, usage);
        return EXIT_USAGE;
    }
    return 0;
}

/* require returns the option's argument or prints a usage error. */
static const char *require(struct ctx *c, int code, const char *name, int *exit_code)
{
    const char *v = c->a.opt[code];
    if (v == NULL && *exit_code == 0) {
        fprintf(stderr, "eseal: %s is required / 缺少 %s\n%s", name, name, c->usage);
        *exit_code = EXIT_USAGE;
    }
    return v;
}

/* io_error reports a local or connection failure: exit 3. */
static int io_error(const struct eseal_err *err)
{
    fprintf(stderr, "eseal: %s: %s\n", eseal_rc_describe(err->rc), err->msg);
    return EXIT_IO;
}

/* check_id refuses ids that would change the request path. */
static bool safe_id(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

/* ---- printing ------------------------------------------------------------- */

static void put_kv(const char *key, const char *value)
{
    if (value == NULL || *value == '\0')
        return;
    printf("%-13s ", key);
    cmd_put_text(stdout, value);
    putchar('\n');
}

/* round_of is the round a material or rejection belongs to (1 when unsaid). */
static long long round_of(const json_t *o)
{
    json_int_t r = json_integer_value(json_object_get(o, "round"));
    return r > 0 ? (long long)r : 1;
}

/* print_rounds shows a submission round by round, the current one first:
 * what was rejected in each and the materials added for it, those the
 * current document refers to marked current. */
static void print_rounds(const json_t *s)
{
    const char *state = issuer_str(s, "state");
    long long current = (long long)json_integer_value(json_object_get(s, "round"));
    if (strcmp(state, "draft") == 0 || strcmp(state, "rejected") == 0)
        current++; /* the round being prepared */
    for (long long r = current; r >= 1; r--) {
        printf("round %lld%s\n", r, r == current ? " (current / 本轮)" : " (earlier / 往轮)");
        size_t i;
        const json_t *o;
        json_array_foreach(json_object_get(s, "rejections"), i, o)
        {
            const json_t *reason;
            size_t k;
            json_array_foreach(json_object_get(o, "reasons"), k, reason)
            {
                if (round_of(o) != r)
                    continue;
                fputs("  rejected    ", stdout);
                cmd_put_text(stdout, json_string_value(reason));
                putchar('\n');
            }
        }
        json_array_foreach(json_object_get(s, "materials"), i, o)
        {
            if (round_of(o) != r)
                continue;
            printf("  material    %-19s %s %s %lld bytes%s\n", issuer_str(o, "kind"),
                   issuer_str(o, "sm3"), issuer_str(o, "content_type"),
                   (long long)json_integer_value(json_object_get(o, "size")),
                   json_is_true(json_object_get(o, "current")) ? "  current / 现用" : "");
        }
    }
}

static void print_submission(const json_t *s)
{
    put_kv("submission", issuer_str(s, "id"));
    put_kv("state", issuer_str(s, "state"));
    put_kv("business", issuer_str(s, "business"));
    put_kv("channel", issuer_str(s, "channel"));
    const json_t *u = json_object_get(s, "unit");
    if (u != NULL) {
        char *unit = eseal_xasprintf("%s (%s)", issuer_str(u, "name"), issuer_str(u, "uscc"));
        put_kv("unit", unit);
        free(unit);
    }
    printf("%-13s %lld, round %lld\n", "forms",
           (long long)json_integer_value(json_object_get(s, "forms")),
           (long long)json_integer_value(json_object_get(s, "round")));
    put_kv("created_by", issuer_str(s, "created_by"));
    put_kv("registered_by", issuer_str(s, "registered_by"));
    put_kv("reviewed_by", issuer_str(s, "reviewed_by"));
    put_kv("updated", issuer_str(s, "updated"));
    print_rounds(s);
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(s, "applications"), i, a)
    {
        printf("application   %s  form %lld  esID %s  %s  %s\n", issuer_str(a, "id"),
               (long long)json_integer_value(json_object_get(a, "form")), issuer_str(a, "esid"),
               issuer_str(a, "business"), issuer_str(a, "status"));
        if (*issuer_str(a, "unlock_code_pem"))
            printf("              unlock code: %zu bytes of PEM (--json, or produce --out)\n",
                   strlen(issuer_str(a, "unlock_code_pem")));
    }
    const json_t *check = json_object_get(s, "check");
    if (check != NULL) {
        size_t n = json_array_size(json_object_get(check, "findings"));
        printf("%-13s %s (%zu finding%s)\n", "rules", issuer_str(check, "verdict"), n,
               n == 1 ? "" : "s");
        const json_t *f;
        json_array_foreach(json_object_get(check, "findings"), i, f)
        {
            printf("  - %s %s/%s: ", issuer_str(f, "severity"), issuer_str(f, "rule"),
                   issuer_str(f, "code"));
            cmd_put_text(stdout, issuer_str(json_object_get(f, "message"), "en"));
            putchar('\n');
        }
    }
}

static void print_seal(const json_t *s)
{
    put_kv("esid", issuer_str(s, "esid"));
    put_kv("status", issuer_str(s, "status"));
    printf("%-13s %lld\n", "version", (long long)json_integer_value(json_object_get(s, "version")));
    put_kv("unit_name", issuer_str(s, "unit_name"));
    put_kv("uscc", issuer_str(s, "uscc"));
    put_kv("kind", issuer_str(s, "kind"));
    put_kv("cert_type", issuer_str(s, "cert_type"));
    put_kv("token_id", issuer_str(s, "token_id"));
    put_kv("submission", issuer_str(s, "submission"));
    put_kv("replaces", issuer_str(s, "replaces"));
    put_kv("replaced_by", issuer_str(s, "replaced_by"));
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(s, "versions"), i, v)
    {
        printf("version %lld     %s%s%s  %s .. %s  serial %s%s%s\n",
               (long long)json_integer_value(json_object_get(v, "version")),
               issuer_str(v, "status"), *issuer_str(v, "reason") ? " " : "",
               issuer_str(v, "reason"), issuer_str(v, "valid_start"), issuer_str(v, "valid_end"),
               issuer_str(v, "cert_serial"),
               *issuer_str(v, "invalidity_date") ? "  invalid since " : "",
               issuer_str(v, "invalidity_date"));
    }
}

/* print_seals lists a unit's seals, one a line: code, status, kind, validity, name. */
static void print_seals(const json_t *j)
{
    size_t i;
    const json_t *s;
    printf("seals of %s / 单位印章 (%zu):\n", issuer_str(j, "uscc"),
           json_array_size(json_object_get(j, "seals")));
    json_array_foreach(json_object_get(j, "seals"), i, s)
    {
        printf("  %s  %-9s %-8s %-8s %.10s..%.10s  ", issuer_str(s, "esid"),
               issuer_str(s, "status"), issuer_str(s, "kind"), issuer_str(s, "function"),
               issuer_str(s, "valid_start"), issuer_str(s, "valid_end"));
        cmd_put_text(stdout, issuer_str(s, "name"));
        putchar('\n');
    }
}

static void print_staff(const json_t *s)
{
    printf("%-16s %-10s %-20s %-6s %s%s\n", issuer_str(s, "username"), issuer_str(s, "role"),
           *issuer_str(s, "unit") ? issuer_str(s, "unit") : "-",
           *issuer_str(s, "city") ? issuer_str(s, "city") : "-", issuer_str(s, "created"),
           json_is_true(json_object_get(s, "disabled")) ? " disabled" : "");
}

static void print_staff_list(const json_t *j)
{
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(j, "staff"), i, s) print_staff(s);
}

static void print_list(const json_t *j)
{
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(j, "submissions"), i, s)
    {
        printf("%s  %-11s %-8s ", issuer_str(s, "id"), issuer_str(s, "state"),
               issuer_str(s, "business"));
        cmd_put_text(stdout, issuer_str(json_object_get(s, "unit"), "name"));
        printf("  %s\n", issuer_str(s, "updated"));
    }
}

/* print_page says which page a paged answer is. */
static void print_page(const json_t *j)
{
    long long total = json_integer_value(json_object_get(j, "total"));
    long long limit = json_integer_value(json_object_get(j, "limit"));
    long long offset = json_integer_value(json_object_get(j, "offset"));
    long long pages = limit > 0 ? (total + limit - 1) / limit : 0;
    long long page = limit > 0 ? offset / limit + 1 : 1;
    printf("第 %lld/%lld 页，共 %lld 条 / page %lld of %lld, %lld in all\n", page, pages, total,
           page, pages, total);
}

static void print_list_page(const json_t *j)
{
    print_list(j);
    print_page(j);
}

static void print_queues(const json_t *j)
{
    size_t i;
    const json_t *q;
    json_array_foreach(json_object_get(j, "queues"), i, q)
    {
        printf("%-13s %6lld  ", issuer_str(q, "name"),
               (long long)json_integer_value(json_object_get(q, "count")));
        cmd_put_text(stdout, issuer_str(q, "label"));
        printf("  %s\n", *issuer_str(q, "oldest") ? issuer_str(q, "oldest") : "-");
    }
}

/* print_seal_search lists found seals: code, status, kind, validity, name, unit. */
static void print_seal_search(const json_t *j)
{
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(j, "seals"), i, s)
    {
        printf("%s  %-9s %-8s %.10s..%.10s  %s  ", issuer_str(s, "esid"), issuer_str(s, "status"),
               issuer_str(s, "kind"), issuer_str(s, "valid_from"), issuer_str(s, "valid_to"),
               issuer_str(s, "cert_serial"));
        cmd_put_text(stdout, issuer_str(s, "name"));
        printf("  ");
        cmd_put_text(stdout, issuer_str(json_object_get(s, "unit"), "name"));
        putchar('\n');
    }
    print_page(j);
}

static void print_materials(const json_t *j)
{
    size_t i;
    const json_t *m;
    printf("uploaded to %s / 已上传:\n", issuer_str(j, "submission"));
    json_array_foreach(json_object_get(j, "materials"), i, m) printf(
        "  %-19s %s %s %lld bytes\n", issuer_str(m, "kind"), issuer_str(m, "sm3"),
        issuer_str(m, "content_type"), (long long)json_integer_value(json_object_get(m, "size")));
}

/* finish turns a call's outcome into output and an exit code. */
static int finish(const struct ctx *c, eseal_rc rc, const struct eseal_err *err,
                  const struct issuer_reply *r, void (*print)(const json_t *))
{
    if (rc != ESEAL_OK)
        return io_error(err);
    if (issuer_refused(r)) {
        issuer_refusal_print(stderr, r);
        return EXIT_FAIL;
    }
    if (c->json || print == NULL || r->json == NULL) {
        fwrite(r->raw.data, 1, r->raw.len, stdout);
        if (r->raw.len == 0 || r->raw.data[r->raw.len - 1] != '\n')
            putchar('\n');
    } else {
        print(r->json);
    }
    return 0;
}

/* call does one JSON call and finishes with |print|. */
static int call(struct ctx *c, const char *method, const char *path, const json_t *body,
                void (*print)(const json_t *))
{
    struct issuer_reply r;
    issuer_reply_init(&r);
    struct eseal_err err;
    eseal_err_clear(&err);
    eseal_rc rc = issuer_call(&c->conn, method, path, body, &r, &err);
    int code = finish(c, rc, &err, &r, print);
    issuer_reply_cleanup(&r);
    return code;
}

/* ---- the commands ----------------------------------------------------------- */

static eseal_rc write_session(const struct ctx *c, const json_t *reply, struct eseal_err *err)
{
    char *dir = eseal_xstrdup(c->session_path);
    char *slash = strrchr(dir, '/');
    eseal_rc rc = ESEAL_OK;
    if (slash != NULL && slash != dir) {
        *slash = '\0';
        rc = eseal_mkdirs(dir, 0700, err);
    }
    free(dir);
    if (rc != ESEAL_OK)
        return rc;
    json_t *s =
        json_pack("{s:s,s:s,s:s,s:s,s:s}", "url", c->url, "token", issuer_str(reply, "token"),
                  "username", issuer_str(reply, "username"), "role", issuer_str(reply, "role"),
                  "expires", issuer_str(reply, "expires"));
    char *text = json_dumps(s, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(s);
    rc = eseal_file_write(c->session_path, text, strlen(text), 0600, 0, err);
    memset(text, 0, strlen(text));
    free(text);
    return rc;
}

static int issuer_login(int argc, char **argv)
{
    struct ctx c;
    uint64_t allowed = CMD_BIT(OPT_USER) | CMD_BIT(OPT_PASSWORD_FILE) | CMD_BIT(OPT_PRINT_TOKEN);
    int code = ctx_parse(&c, argc, argv, allowed, 0, login_usage, false);
    const char *user = code == 0 ? require(&c, OPT_USER, "--user", &code) : NULL;
    if (code != 0) {
        ctx_cleanup(&c);
        return code < 0 ? 0 : code;
    }
    c.conn.token = NULL;
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_buf pw;
    eseal_buf_init(&pw);
    if (eseal_read_secret(&pw, c.a.opt[OPT_PASSWORD_FILE], PASSWORD_ENV, &err) != ESEAL_OK) {
        ctx_cleanup(&c);
        return io_error(&err);
    }
    json_t *body =
        json_pack("{s:s,s:s%}", "username", user, "password", (const char *)pw.data, pw.len);
    eseal_buf_cleanse(&pw);
    struct issuer_reply r;
    issuer_reply_init(&r);
    eseal_rc rc = body != NULL ? issuer_call(&c.conn, "POST", "/api/v1/session", body, &r, &err)
                               : eseal_err_set(&err, ESEAL_E_INVALID,
                                               "密码不是 UTF-8 文本 / the password is not UTF-8");
    json_decref(body);
    if (rc != ESEAL_OK || issuer_refused(&r)) {
        code = finish(&c, rc, &err, &r, NULL);
    } else if (c.a.opt[OPT_PRINT_TOKEN] != NULL) {
        printf("%s\n", issuer_str(r.json, "token"));
    } else if (write_session(&c, r.json, &err) != ESEAL_OK) {
        code = io_error(&err);
    } else if (c.json) {
        code = finish(&c, rc, &err, &r, NULL);
    } else {
        printf("logged in as %s (%s) until %s; session in %s / 已登录\n",
               issuer_str(r.json, "username"), issuer_str(r.json, "role"),
               issuer_str(r.json, "expires"), c.session_path);
    }
    if (r.json != NULL && json_object_get(r.json, "token") != NULL)
        json_object_set_new(r.json, "token", json_string(""));
    eseal_buf_cleanse(&r.raw);
    issuer_reply_cleanup(&r);
    ctx_cleanup(&c);
    return code;
}

static int issuer_logout(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, 0, 0, logout_usage, true);
    if (code != 0) {
        ctx_cleanup(&c);
        return code < 0 ? 0 : code;
    }
    struct issuer_reply r;
    issuer_reply_init(&r);
    struct eseal_err err;
    eseal_err_clear(&err);
    eseal_rc rc = issuer_call(&c.conn, "DELETE", "/api/v1/session", NULL, &r, &err);
    /* An expired session is as good as ended: the file goes either way. */
    if (rc == ESEAL_OK && (r.status < 400 || r.status == 401) && unlink(c.session_path) != 0 &&
        errno != ENOENT) {
        fprintf(stderr, "eseal: %s: %s\n", c.session_path, strerror(errno));
        code = EXIT_IO;
    }
    if (code == 0 && rc == ESEAL_OK && r.status == 401 && !c.json) {
        printf("the session had ended already; removed %s / 会话已结束\n", c.session_path);
    } else if (code == 0) {
        code = finish(&c, rc, &err, &r, NULL);
    }
    issuer_reply_cleanup(&r);
    ctx_cleanup(&c);
    return code;
}

/* add_material reads |path| and adds it as a part named |kind|. */
static eseal_rc add_material(struct eseal_multipart_builder *mb, const char *kind, const char *path,
                             size_t *total, struct eseal_err *err)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_file_read(&b, path, FILE_MAX, err);
    if (rc == ESEAL_OK && (*total += b.len) > UPLOAD_MAX)
        rc = eseal_err_set(err, ESEAL_E_TOOBIG,
                           "材料合计超过 %d MiB / the materials exceed %d MiB together",
                           UPLOAD_MAX / (1024 * 1024), UPLOAD_MAX / (1024 * 1024));
    if (rc == ESEAL_OK)
        rc = eseal_multipart_add(mb, kind, path, "application/octet-stream", b.data, b.len, err);
    eseal_buf_cleanup(&b);
    return rc;
}

/* build_materials collects --material KIND=FILE (and --kind KIND FILE). A
 * malformed option is a usage error (returned as EXIT_USAGE), a file that
 * cannot be read EXIT_IO. */
static int build_materials(struct ctx *c, struct eseal_multipart_builder *mb)
{
    const char *items[MAX_MULTI];
    size_t n = cmd_args_all(&c->a, OPT_MATERIAL, items, MAX_MULTI);
    if (n > MAX_MULTI)
        return cmd_usage_error(c->usage, "too many --material options / 材料过多", NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(items[i], '=');
        if (eq == NULL || eq == items[i] || eq[1] == '\0')
            return cmd_usage_error(
                c->usage, "--material 须为 类别=文件 / --material wants KIND=FILE, not ", items[i]);
        char *kind = eseal_xstrndup(items[i], (size_t)(eq - items[i]));
        eseal_rc rc = add_material(mb, kind, eq + 1, &total, &err);
        free(kind);
        if (rc != ESEAL_OK)
            return io_error(&err);
    }
    if (c->a.opt[OPT_KIND] != NULL || c->a.n_pos > 0) {
        if (c->a.opt[OPT_KIND] == NULL || c->a.n_pos != 1)
            return cmd_usage_error(c->usage, "--kind KIND and one FILE go together / 缺少参数",
                                   NULL);
        if (add_material(mb, c->a.opt[OPT_KIND], c->a.pos[0], &total, &err) != ESEAL_OK)
            return io_error(&err);
    }
    return 0;
}

/* upload_to sends the materials in |mb| to submission |id|. */
static eseal_rc upload_to(struct ctx *c, const char *id, struct eseal_multipart_builder *mb,
                          struct issuer_reply *r, struct eseal_err *err)
{
    eseal_rc rc = eseal_multipart_finish(mb, err);
    if (rc != ESEAL_OK)
        return rc;
    char *path = eseal_xasprintf("/api/v1/submissions/%s/materials", id);
    rc = issuer_upload(&c->conn, path, mb, r, err);
    free(path);
    return rc;
}

static const char *id_arg(struct ctx *c, int *code);

/* read_doc reads the JSON object in |file| into *j; EXIT_IO when it cannot. */
static int read_doc(const char *file, json_t **j)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_buf doc;
    eseal_buf_init(&doc);
    int code = 0;
    if (eseal_file_read(&doc, file, 1024 * 1024, &err) != ESEAL_OK) {
        code = io_error(&err);
    } else if (eseal_json_parse(j, doc.data, doc.len, NULL, &err) != ESEAL_OK) {
        fprintf(stderr, "eseal: %s: %s\n", file, err.msg);
        code = EXIT_IO;
    } else if (!json_is_object(*j)) {
        fprintf(stderr, "eseal: %s: 不是 JSON 对象 / not a JSON object\n", file);
        code = EXIT_IO;
    }
    eseal_buf_cleanup(&doc);
    return code;
}

/* file_and_submit sends the document |doc| (NULL: none) — POST for a new
 * submission (*id NULL, set to the new id), PUT to rectify *id —, uploads
 * the materials in |mb| and submits, printing the record. */
static int file_and_submit(struct ctx *c, const json_t *doc, char **id,
                           struct eseal_multipart_builder *mb)
{
    struct issuer_reply r;
    issuer_reply_init(&r);
    struct eseal_err err;
    eseal_err_clear(&err);
    int code = 0;
    if (doc != NULL) {
        char *path = *id != NULL ? eseal_xasprintf("/api/v1/submissions/%s", *id)
                                 : eseal_xstrdup("/api/v1/submissions");
        eseal_rc rc = issuer_call(&c->conn, *id != NULL ? "PUT" : "POST", path, doc, &r, &err);
        free(path);
        if (rc != ESEAL_OK || issuer_refused(&r))
            code = finish(c, rc, &err, &r, NULL);
        else if (*id == NULL)
            *id = eseal_xstrdup(issuer_str(r.json, "id"));
    }
    if (code == 0 && mb->n > 0) {
        eseal_rc rc = upload_to(c, *id, mb, &r, &err);
        if (rc != ESEAL_OK || issuer_refused(&r))
            code = finish(c, rc, &err, &r, NULL);
    }
    if (code == 0) {
        char *path = eseal_xasprintf("/api/v1/submissions/%s/submit", *id);
        eseal_rc rc = issuer_call(&c->conn, "POST", path, NULL, &r, &err);
        free(path);
        code = finish(c, rc, &err, &r, print_submission);
    }
    issuer_reply_cleanup(&r);
    return code;
}

/* submit_or_rectify is `submit` (|rectify| false: --file makes a new
 * submission, --id takes a draft) and `rectify` (--id and --file). */
static int submit_or_rectify(int argc, char **argv, bool rectify)
{
    struct ctx c;
    const char *usage = rectify ? rectify_usage : submit_usage;
    int code =
        ctx_parse(&c, argc, argv, CMD_BIT(OPT_FILE) | CMD_BIT(OPT_MATERIAL) | CMD_BIT(OPT_ID), 0,
                  usage, true);
    const char *file = c.a.opt[OPT_FILE];
    char *id = NULL;
    if (code == 0 && rectify) {
        const char *given = id_arg(&c, &code);
        if (code == 0 && require(&c, OPT_FILE, "--file", &code) != NULL)
            id = eseal_xstrdup(given);
    } else if (code == 0 && (file != NULL) == (c.a.opt[OPT_ID] != NULL)) {
        code = cmd_usage_error(usage, "give --file or --id / 须指定 --file 或 --id", NULL);
    } else if (code == 0 && file == NULL) {
        const char *given = id_arg(&c, &code);
        if (code == 0)
            id = eseal_xstrdup(given);
    }
    struct eseal_multipart_builder mb;
    eseal_multipart_builder_init(&mb);
    if (code == 0)
        code = build_materials(&c, &mb);
    json_t *j = NULL;
    if (code == 0 && file != NULL)
        code = read_doc(file, &j);
    bool made = false;
    if (code == 0) {
        made = id == NULL;
        code = file_and_submit(&c, j, &id, &mb);
    }
    if (code != 0 && id != NULL)
        fprintf(stderr,
                made ? "eseal: the draft %s is kept: fix it and upload or submit again / "
                       "草稿已保留\n"
                     : "eseal: submission %s is kept as it now is: fix it and rectify again / "
                       "申报已保留\n",
                id);
    free(id);
    json_decref(j);
    eseal_multipart_builder_cleanup(&mb);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static int issuer_submit(int argc, char **argv)
{
    return submit_or_rectify(argc, argv, false);
}

static int issuer_rectify(int argc, char **argv)
{
    return submit_or_rectify(argc, argv, true);
}

/* id_arg returns --id, checked, or sets a usage error. */
static const char *id_arg(struct ctx *c, int *code)
{
    const char *id = require(c, OPT_ID, "--id", code);
    if (*code == 0 && !safe_id(id))
        *code = cmd_usage_error(c->usage, "--id is not a submission id / 无效编号: ", id);
    return id;
}

static int issuer_upload_cmd(int argc, char **argv)
{
    struct ctx c;
    int code =
        ctx_parse(&c, argc, argv, CMD_BIT(OPT_ID) | CMD_BIT(OPT_KIND) | CMD_BIT(OPT_MATERIAL), 1,
                  upload_usage, true);
    const char *id = code == 0 ? id_arg(&c, &code) : NULL;
    struct eseal_multipart_builder mb;
    eseal_multipart_builder_init(&mb);
    if (code == 0)
        code = build_materials(&c, &mb);
    if (code == 0 && mb.n == 0)
        code = cmd_usage_error(upload_usage, "no material given / 未指定材料", NULL);
    if (code == 0) {
        struct issuer_reply r;
        issuer_reply_init(&r);
        struct eseal_err err;
        eseal_err_clear(&err);
        eseal_rc rc = upload_to(&c, id, &mb, &r, &err);
        code = finish(&c, rc, &err, &r, print_materials);
        issuer_reply_cleanup(&r);
    }
    eseal_multipart_builder_cleanup(&mb);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

/* step POSTs |body| to /api/v1/submissions/ID/STEP and prints the record. */
static int step(struct ctx *c, const char *id, const char *name, const json_t *body)
{
    char *path = eseal_xasprintf("/api/v1/submissions/%s/%s", id, name);
    int code = call(c, "POST", path, body, print_submission);
    free(path);
    return code;
}

/* onsite_targets returns the esIDs the submission's forms name. */
static int onsite_targets(struct ctx *c, const char *id, json_t **targets)
{
    *targets = json_array();
    char *path = eseal_xasprintf("/api/v1/submissions/%s", id);
    struct issuer_reply r;
    issuer_reply_init(&r);
    struct eseal_err err;
    eseal_err_clear(&err);
    eseal_rc rc = issuer_call(&c->conn, "GET", path, NULL, &r, &err);
    free(path);
    int code = 0;
    if (rc != ESEAL_OK || issuer_refused(&r)) {
        code = finish(c, rc, &err, &r, NULL);
    } else {
        size_t i;
        const json_t *f;
        /* the seals as the rules resolved them (by USCC and name, or code) */
        json_array_foreach(json_object_get(json_object_get(r.json, "check"), "targets"), i, f)
        {
            if (json_is_string(f))
                json_array_append_new(*targets, json_incref((json_t *)f));
        }
    }
    issuer_reply_cleanup(&r);
    return code;
}

/* paper_option adds "paper" from --paper (all, or SM3[=POINT,...] each) to |body|. */
static int paper_option(struct ctx *c, json_t *body)
{
    const char *items[MAX_MULTI];
    size_t n = cmd_args_all(&c->a, OPT_PAPER, items, MAX_MULTI);
    if (n > MAX_MULTI)
        return cmd_usage_error(c->usage, "too many --paper / 选项过多", NULL);
    if (n == 1 && strcmp(items[0], "all") == 0) {
        json_object_set_new(body, "paper", json_string("all"));
        return 0;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(items[i], '=');
        char *sm3 = eq != NULL ? eseal_xstrndup(items[i], (size_t)(eq - items[i]))
                               : eseal_xstrdup(items[i]);
        json_t *checked = json_array();
        for (const char *p = eq != NULL ? eq + 1 : ""; *p != '\0';) {
            size_t len = strcspn(p, ",");
            if (len > 0)
                json_array_append_new(checked, json_stringn(p, len));
            p += len + (p[len] == ',');
        }
        json_array_append_new(
            list, json_pack("{s:s,s:b,s:o}", "material", sm3, "received", 1, "checked", checked));
        free(sm3);
    }
    if (n > 0)
        json_object_set(body, "paper", list);
    json_decref(list);
    return 0;
}

/* flag_option adds "flags" from --flag SM3=POINT to |body|. */
static int flag_option(struct ctx *c, json_t *body)
{
    const char *items[MAX_MULTI];
    size_t n = cmd_args_all(&c->a, OPT_FLAG, items, MAX_MULTI);
    if (n > MAX_MULTI)
        return cmd_usage_error(c->usage, "too many --flag / 选项过多", NULL);
    json_t *list = json_array();
    int code = 0;
    for (size_t i = 0; code == 0 && i < n; i++) {
        const char *eq = strchr(items[i], '=');
        if (eq == NULL || eq == items[i] || eq[1] == '\0') {
            code = cmd_usage_error(c->usage, "--flag 须为 SM3=要点 / --flag wants SM3=POINT, not ",
                                   items[i]);
            break;
        }
        char *sm3 = eseal_xstrndup(items[i], (size_t)(eq - items[i]));
        json_array_append_new(list, json_pack("{s:s,s:s}", "material", sm3, "point", eq + 1));
        free(sm3);
    }
    if (code == 0 && n > 0)
        json_object_set(body, "flags", list);
    json_decref(list);
    return code;
}

static int issuer_register(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_ID) | CMD_BIT(OPT_ONSITE) | CMD_BIT(OPT_PAPER),
                         0, register_usage, true);
    const char *id = code == 0 ? id_arg(&c, &code) : NULL;
    const char *items[MAX_MULTI];
    size_t n = code == 0 ? cmd_args_all(&c.a, OPT_ONSITE, items, MAX_MULTI) : 0;
    if (n > MAX_MULTI)
        code = cmd_usage_error(register_usage, "too many --on-site / 选项过多", NULL);
    json_t *onsite = json_array();
    json_t *targets = NULL;
    for (size_t i = 0; code == 0 && i < n; i++) {
        const char *eq = strchr(items[i], '=');
        if (eq != NULL) {
            char *esid = eseal_xstrndup(items[i], (size_t)(eq - items[i]));
            json_array_append_new(onsite, json_pack("{s:s,s:s}", "esid", esid, "token_id", eq + 1));
            free(esid);
            continue;
        }
        if (targets == NULL && (code = onsite_targets(&c, id, &targets)) != 0)
            break;
        if (json_array_size(targets) == 0)
            code = cmd_usage_error(register_usage,
                                   "the forms name no seal: use --on-site ESID=TOKEN_ID / "
                                   "申请表未指定原印章",
                                   NULL);
        size_t k;
        json_t *t;
        json_array_foreach(targets, k, t)
            json_array_append_new(onsite, json_pack("{s:O,s:s}", "esid", t, "token_id", items[i]));
    }
    if (code == 0) {
        json_t *body = json_pack("{s:O}", "onsite", onsite);
        code = paper_option(&c, body);
        if (code == 0)
            code = step(&c, id, "register", body);
        json_decref(body);
    }
    json_decref(onsite);
    json_decref(targets);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

#define REVIEW_BITS                                                                                \
    (CMD_BIT(OPT_APPROVE) | CMD_BIT(OPT_REJECT) | CMD_BIT(OPT_REASON) | CMD_BIT(OPT_ACK) |         \
     CMD_BIT(OPT_FLAG))

/* review_body builds a review's body from --approve/--reject, --reason,
 * --ack and --flag into *out (new); EXIT_* on a usage error. */
static int review_body(struct ctx *c, json_t **out)
{
    bool approve = c->a.opt[OPT_APPROVE] != NULL, reject = c->a.opt[OPT_REJECT] != NULL;
    const char *reasons[MAX_MULTI], *acks[MAX_MULTI];
    size_t n_reasons = cmd_args_all(&c->a, OPT_REASON, reasons, MAX_MULTI);
    size_t n_acks = cmd_args_all(&c->a, OPT_ACK, acks, MAX_MULTI);
    *out = NULL;
    if (approve == reject)
        return cmd_usage_error(c->usage, "give --approve or --reject / 须选择通过或退回", NULL);
    if (reject && n_reasons == 0)
        return cmd_usage_error(c->usage, "--reject needs --reason / 退回须说明理由", NULL);
    if (n_reasons > MAX_MULTI || n_acks > MAX_MULTI)
        return cmd_usage_error(c->usage, "too many --reason or --ack / 选项过多", NULL);
    if ((approve && n_reasons > 0) || (reject && n_acks > 0))
        return cmd_usage_error(
            c->usage, "--reason goes with --reject, --ack with --approve / 选项不匹配", NULL);
    json_t *body = json_pack("{s:s}", "decision", approve ? "approve" : "reject");
    json_t *list = json_array();
    for (size_t i = 0; i < (approve ? n_acks : n_reasons); i++)
        json_array_append_new(list, json_string(approve ? acks[i] : reasons[i]));
    if (json_array_size(list) > 0)
        json_object_set(body, approve ? "acknowledge" : "reasons", list);
    json_decref(list);
    int code = flag_option(c, body);
    if (code != 0)
        json_decref(body);
    else
        *out = body;
    return code;
}

static int issuer_review(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_ID) | REVIEW_BITS, 0, review_usage, true);
    const char *id = code == 0 ? id_arg(&c, &code) : NULL;
    json_t *body = NULL;
    if (code == 0)
        code = review_body(&c, &body);
    if (code == 0)
        code = step(&c, id, "review", body);
    json_decref(body);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

/* produce_body builds the produce request from the options; EXIT_* on error. */
static int produce_body(struct ctx *c, json_t *body)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    if (c->a.opt[OPT_DAYS] != NULL) {
        int days;
        if (cmd_parse_int(c->a.opt[OPT_DAYS], 1, 36500, &days, "--days", &err) != ESEAL_OK)
            return cmd_usage_error(c->usage, err.msg, NULL);
        json_object_set_new(body, "days", json_integer(days));
    }
    if (c->a.opt[OPT_REASON] != NULL)
        json_object_set_new(body, "reason", json_string(c->a.opt[OPT_REASON]));
    const char *csrs[MAX_MULTI], *tokens[MAX_MULTI], *counters[MAX_MULTI];
    size_t n_csr = cmd_args_all(&c->a, OPT_CSR, csrs, MAX_MULTI);
    size_t n_tok = cmd_args_all(&c->a, OPT_TOKEN_ID, tokens, MAX_MULTI);
    size_t n_cnt = cmd_args_all(&c->a, OPT_COUNTER, counters, MAX_MULTI);
    size_t n = n_csr > n_tok ? n_csr : n_tok;
    n = n > n_cnt ? n : n_cnt;
    if (n > MAX_MULTI)
        return cmd_usage_error(c->usage, "too many per-form options / 选项过多", NULL);
    if (n == 0)
        return 0;
    json_t *forms = json_array();
    int code = 0;
    for (size_t i = 0; code == 0 && i < n; i++) {
        json_t *f = json_object();
        if (i < n_csr) {
            struct eseal_buf pem;
            eseal_buf_init(&pem);
            if (eseal_file_read(&pem, csrs[i], 64 * 1024, &err) != ESEAL_OK)
                code = io_error(&err);
            else
                json_object_set_new(f, "csr", json_stringn((const char *)pem.data, pem.len));
            eseal_buf_cleanup(&pem);
        }
        if (i < n_tok)
            json_object_set_new(f, "token_id", json_string(tokens[i]));
        int counter;
        if (code == 0 && i < n_cnt) {
            if (cmd_parse_int(counters[i], 0, 2147483647, &counter, "--counter", &err) != ESEAL_OK)
                code = cmd_usage_error(c->usage, err.msg, NULL);
            else
                json_object_set_new(f, "counter", json_integer(counter));
        }
        json_array_append_new(forms, f);
    }
    json_object_set_new(body, "forms", forms);
    return code;
}

static int issuer_produce(int argc, char **argv)
{
    struct ctx c;
    uint64_t allowed = CMD_BIT(OPT_ID) | CMD_BIT(OPT_DAYS) | CMD_BIT(OPT_CSR) |
                       CMD_BIT(OPT_TOKEN_ID) | CMD_BIT(OPT_COUNTER) | CMD_BIT(OPT_REASON) |
                       CMD_BIT(OPT_OUT);
    int code = ctx_parse(&c, argc, argv, allowed, 0, produce_usage, true);
    const char *id = code == 0 ? id_arg(&c, &code) : NULL;
    json_t *body = json_object();
    if (code == 0)
        code = produce_body(&c, body);
    if (code == 0) {
        char *path = eseal_xasprintf("/api/v1/submissions/%s/produce", id);
        struct issuer_reply r;
        issuer_reply_init(&r);
        struct eseal_err err;
        eseal_err_clear(&err);
        eseal_rc rc = issuer_call(&c.conn, "POST", path, body, &r, &err);
        free(path);
        code = finish(&c, rc, &err, &r, print_submission);
        const char *out = c.a.opt[OPT_OUT];
        if (code == 0 && out != NULL) {
            const json_t *a0 = json_array_get(json_object_get(r.json, "applications"), 0);
            const char *pem = issuer_str(a0, "unlock_code_pem");
            if (*pem == '\0') {
                fprintf(stderr,
                        "eseal: no unlock code in the answer (not an unlock?) / 无解锁码\n");
                code = EXIT_FAIL;
            } else if (eseal_file_write(out, pem, strlen(pem), 0600, 0, &err) != ESEAL_OK) {
                code = io_error(&err);
            } else if (!c.json) {
                printf("wrote the unlock code to %s / 已写入解锁码\n", out);
            }
        }
        issuer_reply_cleanup(&r);
    }
    json_decref(body);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

/* read_id_number reads an ID number from a file: one line, newline removed. */
static eseal_rc read_id_number(struct eseal_buf *out, const char *path, struct eseal_err *err)
{
    eseal_rc rc = eseal_file_read(out, path, 256, err);
    while (rc == ESEAL_OK && out->len > 0 &&
           (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == '\r'))
        out->data[--out->len] = 0;
    if (rc == ESEAL_OK && out->len == 0)
        rc = eseal_err_set(err, ESEAL_E_IO, "%s: 文件为空 / is empty", path);
    return rc;
}

static int issuer_handover(int argc, char **argv)
{
    struct ctx c;
    uint64_t allowed = CMD_BIT(OPT_ID) | CMD_BIT(OPT_LETTER) | CMD_BIT(OPT_ID_COPY) |
                       CMD_BIT(OPT_NAME) | CMD_BIT(OPT_ID_NUMBER_FILE) | CMD_BIT(OPT_LETTER_NAME) |
                       CMD_BIT(OPT_LETTER_ID_NUMBER_FILE);
    int code = ctx_parse(&c, argc, argv, allowed, 0, handover_usage, true);
    const char *id = code == 0 ? id_arg(&c, &code) : NULL;
    const char *letter = code == 0 ? require(&c, OPT_LETTER, "--letter", &code) : NULL;
    const char *copy = code == 0 ? require(&c, OPT_ID_COPY, "--id-copy", &code) : NULL;
    const char *name = code == 0 ? require(&c, OPT_NAME, "--name", &code) : NULL;
    const char *idf = code == 0 ? require(&c, OPT_ID_NUMBER_FILE, "--id-number-file", &code) : NULL;
    const char *lname = c.a.opt[OPT_LETTER_NAME] != NULL ? c.a.opt[OPT_LETTER_NAME] : name;
    const char *lidf =
        c.a.opt[OPT_LETTER_ID_NUMBER_FILE] != NULL ? c.a.opt[OPT_LETTER_ID_NUMBER_FILE] : idf;
    struct eseal_buf idn, lidn;
    eseal_buf_init(&idn);
    eseal_buf_init(&lidn);
    struct eseal_multipart_builder mb;
    eseal_multipart_builder_init(&mb);
    struct eseal_err err;
    eseal_err_clear(&err);
    size_t total = 0;
    if (code == 0) {
        eseal_rc rc = read_id_number(&idn, idf, &err);
        if (rc == ESEAL_OK)
            rc = read_id_number(&lidn, lidf, &err);
        if (rc == ESEAL_OK)
            rc = eseal_multipart_add(&mb, "collector_name", NULL, NULL, name, strlen(name), &err);
        if (rc == ESEAL_OK)
            rc = eseal_multipart_add(&mb, "collector_id_number", NULL, NULL, idn.data, idn.len,
                                     &err);
        if (rc == ESEAL_OK)
            rc = eseal_multipart_add(&mb, "letter_name", NULL, NULL, lname, strlen(lname), &err);
        if (rc == ESEAL_OK)
            rc =
                eseal_multipart_add(&mb, "letter_id_number", NULL, NULL, lidn.data, lidn.len, &err);
        if (rc == ESEAL_OK)
            rc = add_material(&mb, "introduction_letter", letter, &total, &err);
        if (rc == ESEAL_OK)
            rc = add_material(&mb, "id_copy", copy, &total, &err);
        if (rc == ESEAL_OK)
            rc = eseal_multipart_finish(&mb, &err);
        if (rc != ESEAL_OK)
            code = io_error(&err);
    }
    if (code == 0) {
        char *path = eseal_xasprintf("/api/v1/submissions/%s/handover", id);
        struct issuer_reply r;
        issuer_reply_init(&r);
        eseal_rc rc = issuer_upload(&c.conn, path, &mb, &r, &err);
        free(path);
        code = finish(&c, rc, &err, &r, print_submission);
        issuer_reply_cleanup(&r);
    }
    eseal_buf_cleanse(&idn);
    eseal_buf_cleanse(&lidn);
    eseal_buf_cleanse(&mb.body);
    eseal_multipart_builder_cleanup(&mb);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

/* esid_arg returns --esid, checked, or sets a usage error. */
static const char *esid_arg(struct ctx *c, int *code)
{
    const char *esid = require(c, OPT_ESID, "--esid", code);
    if (*code == 0 && !safe_id(esid))
        *code = cmd_usage_error(c->usage, "--esid is not a seal code / 无效印章编码: ", esid);
    return esid;
}

static int issuer_suspend(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_ESID), 0, suspend_usage, true);
    const char *esid = code == 0 ? esid_arg(&c, &code) : NULL;
    if (code == 0) {
        char *path = eseal_xasprintf("/api/v1/seals/%s/suspend", esid);
        code = call(&c, "POST", path, NULL, print_seal);
        free(path);
    }
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static void print_proof(const json_t *j)
{
    put_kv("entry / 日志", issuer_str(j, "type"));
    char seq[24];
    snprintf(seq, sizeof(seq), "%lld", (long long)json_integer_value(json_object_get(j, "seq")));
    put_kv("seq / 序号", seq);
    put_kv("commitment / 承诺值", issuer_str(j, "commitment"));
    put_kv("recomputed / 重算值", issuer_str(j, "recomputed"));
    put_kv("matches / 一致", json_is_true(json_object_get(j, "matches")) ? "yes / 是" : "NO / 否");
    char *rec = json_dumps(json_object_get(j, "record"), JSON_COMPACT | JSON_SORT_KEYS);
    put_kv("record / 记录", rec);
    free(rec);
}

static int issuer_prove(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_SEQ), 0, prove_usage, true);
    const char *seq = code == 0 ? require(&c, OPT_SEQ, "--seq", &code) : NULL;
    if (code == 0 && (seq[0] == '\0' || strspn(seq, "0123456789") != strlen(seq)))
        code = cmd_usage_error(prove_usage, "--seq is not a log position / 无效日志序号: ", seq);
    if (code == 0) {
        char *path = eseal_xasprintf("/api/v1/log/%s/commitment", seq);
        struct issuer_reply r;
        issuer_reply_init(&r);
        struct eseal_err err;
        eseal_err_clear(&err);
        eseal_rc rc = issuer_call(&c.conn, "GET", path, NULL, &r, &err);
        code = finish(&c, rc, &err, &r, print_proof);
        if (code == 0 && !json_is_true(json_object_get(r.json, "matches"))) {
            fprintf(stderr,
                    "eseal: 存储的记录与日志 %s 的承诺值不符 / the stored record does not "
                    "match the commitment of log entry %s\n",
                    seq, seq);
            code = EXIT_FAIL;
        }
        issuer_reply_cleanup(&r);
        free(path);
    }
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static int issuer_reinstate(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_ESID) | CMD_BIT(OPT_TOKEN_ID), 0,
                         reinstate_usage, true);
    const char *esid = code == 0 ? esid_arg(&c, &code) : NULL;
    const char *tok = c.a.opt[OPT_TOKEN_ID];
    if (code == 0 && tok != NULL && !safe_id(tok))
        code = cmd_usage_error(reinstate_usage,
                               "--token-id is not a token id / 无效 USB KEY 编号: ", tok);
    if (code == 0) {
        json_t *body = json_object();
        if (tok != NULL)
            json_object_set_new(body, "token_id", json_string(tok));
        char *path = eseal_xasprintf("/api/v1/seals/%s/reinstate", esid);
        code = call(&c, "POST", path, body, print_seal);
        free(path);
        json_decref(body);
    }
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

/* issuer_revoke produces a revoke submission: it first reads the
 * submission, so that no other business is produced by mistake. */
static int issuer_revoke(int argc, char **argv)
{
    struct ctx c;
    int code =
        ctx_parse(&c, argc, argv, CMD_BIT(OPT_ID) | CMD_BIT(OPT_REASON), 0, revoke_usage, true);
    const char *id = code == 0 ? id_arg(&c, &code) : NULL;
    const char *reason = c.a.opt[OPT_REASON];
    struct issuer_reply r;
    issuer_reply_init(&r);
    struct eseal_err err;
    eseal_err_clear(&err);
    char *path = code == 0 ? eseal_xasprintf("/api/v1/submissions/%s", id) : NULL;
    if (code == 0) {
        eseal_rc rc = issuer_call(&c.conn, "GET", path, NULL, &r, &err);
        if (rc != ESEAL_OK) {
            code = io_error(&err);
        } else if (issuer_refused(&r)) {
            issuer_refusal_print(stderr, &r);
            code = EXIT_FAIL;
        }
    }
    if (code == 0 && strcmp(issuer_str(r.json, "business"), "revoke") != 0) {
        fprintf(stderr, "eseal: 申报 %s 不是印章撤销（%s）/ submission %s is not a revoke (%s)\n",
                id, issuer_str(r.json, "business"), id, issuer_str(r.json, "business"));
        code = EXIT_FAIL;
    }
    if (code == 0) {
        json_t *body = json_object();
        if (reason != NULL)
            json_object_set_new(body, "reason", json_string(reason));
        free(path);
        path = eseal_xasprintf("/api/v1/submissions/%s/produce", id);
        code = call(&c, "POST", path, body, print_submission);
        json_decref(body);
    }
    free(path);
    issuer_reply_cleanup(&r);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static int issuer_show(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_ID) | CMD_BIT(OPT_ESID), 0, show_usage, true);
    bool by_id = c.a.opt[OPT_ID] != NULL;
    if (code == 0 && by_id == (c.a.opt[OPT_ESID] != NULL))
        code = cmd_usage_error(show_usage, "give --id or --esid / 须指定 --id 或 --esid", NULL);
    const char *key = code == 0 ? (by_id ? id_arg(&c, &code) : esid_arg(&c, &code)) : NULL;
    if (code == 0) {
        char *path = eseal_xasprintf(by_id ? "/api/v1/submissions/%s" : "/api/v1/seals/%s", key);
        code = call(&c, "GET", path, NULL, by_id ? print_submission : print_seal);
        free(path);
    }
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

/* page_query appends to |q| the options of |keys| (escaped) and, from
 * --page and --limit, limit and offset; false on a bad --page or --limit. */
static bool page_query(struct ctx *c, struct eseal_buf *q, const int *opts, const char *const *keys,
                       size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *v = c->a.opt[opts[i]];
        if (v == NULL)
            continue;
        char *e = eseal_httpc_escape(v);
        eseal_buf_appendf(q, "%s%s=%s", q->len > 0 ? "&" : "?", keys[i], e);
        free(e);
    }
    const char *page = c->a.opt[OPT_PAGE], *limit = c->a.opt[OPT_LIMIT];
    long l = limit != NULL ? strtol(limit, NULL, 10) : 50;
    long pg = page != NULL ? strtol(page, NULL, 10) : 1;
    if (l < 1 || l > 200 || pg < 1 || pg > 10000000)
        return false;
    eseal_buf_appendf(q, "%slimit=%ld&offset=%ld", q->len > 0 ? "&" : "?", l, (pg - 1) * l);
    eseal_buf_append(q, "", 1);
    return true;
}

/* seal_search answers `eseal issuer seals --q TEXT`. */
static int seal_search(struct ctx *c)
{
    static const int opts[] = {OPT_Q, OPT_STATE, OPT_UNIT};
    static const char *const keys[] = {"q", "state", "uscc"};
    struct eseal_buf q, args;
    eseal_buf_init(&q);
    eseal_buf_init(&args);
    eseal_buf_append_str(&q, "/api/v1/seals");
    int code;
    if (!page_query(c, &args, opts, keys, 3)) {
        code = cmd_usage_error(seals_usage, "无效的 --page 或 --limit / bad --page or --limit", "");
    } else {
        eseal_buf_append_str(&q, (const char *)args.data);
        eseal_buf_append(&q, "", 1);
        code = call(c, "GET", (const char *)q.data, NULL, print_seal_search);
    }
    eseal_buf_cleanup(&args);
    eseal_buf_cleanup(&q);
    return code;
}

static int issuer_seals(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv,
                         CMD_BIT(OPT_UNIT) | CMD_BIT(OPT_Q) | CMD_BIT(OPT_STATE) |
                             CMD_BIT(OPT_PAGE) | CMD_BIT(OPT_LIMIT),
                         0, seals_usage, true);
    if (code == 0 && c.a.opt[OPT_Q] != NULL) {
        code = seal_search(&c);
        ctx_cleanup(&c);
        return code < 0 ? 0 : code;
    }
    const char *uscc = code == 0 ? require(&c, OPT_UNIT, "--unit", &code) : NULL;
    if (code == 0 && !safe_id(uscc))
        code = cmd_usage_error(seals_usage, "--unit is not a USCC / 无效统一社会信用代码: ", uscc);
    if (code == 0) {
        char *path = eseal_xasprintf("/api/v1/seals?uscc=%s", uscc);
        code = call(&c, "GET", path, NULL, print_seals);
        free(path);
    }
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static int issuer_queues(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, 0, 0, queues_usage, true);
    if (code == 0)
        code = call(&c, "GET", "/api/v1/queues", NULL, print_queues);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static int issuer_list(int argc, char **argv)
{
    struct ctx c;
    int code =
        ctx_parse(&c, argc, argv,
                  CMD_BIT(OPT_STATE) | CMD_BIT(OPT_CITY) | CMD_BIT(OPT_BUSINESS) |
                      CMD_BIT(OPT_UNIT) | CMD_BIT(OPT_Q) | CMD_BIT(OPT_PAGE) | CMD_BIT(OPT_LIMIT),
                  0, list_usage, true);
    const char *state = c.a.opt[OPT_STATE];
    if (code == 0 && state != NULL && !safe_id(state))
        code = cmd_usage_error(list_usage, "无效的 --state / bad --state: ", state);
    static const int opts[] = {OPT_STATE, OPT_CITY, OPT_BUSINESS, OPT_UNIT, OPT_Q};
    static const char *const keys[] = {"state", "city", "business", "unit", "q"};
    bool paged = false;
    for (size_t i = 1; i < 5; i++)
        paged = paged || c.a.opt[opts[i]] != NULL;
    paged = paged || c.a.opt[OPT_PAGE] != NULL || c.a.opt[OPT_LIMIT] != NULL;
    if (code == 0 && paged) {
        struct eseal_buf q;
        eseal_buf_init(&q);
        eseal_buf_append_str(&q, "/api/v1/submissions");
        struct eseal_buf args;
        eseal_buf_init(&args);
        if (!page_query(&c, &args, opts, keys, 5))
            code =
                cmd_usage_error(list_usage, "无效的 --page 或 --limit / bad --page or --limit", "");
        else {
            eseal_buf_append_str(&q, (const char *)args.data);
            eseal_buf_append(&q, "", 1);
            code = call(&c, "GET", (const char *)q.data, NULL, print_list_page);
        }
        eseal_buf_cleanup(&args);
        eseal_buf_cleanup(&q);
    } else if (code == 0) {
        char *path = state != NULL ? eseal_xasprintf("/api/v1/submissions?state=%s", state)
                                   : eseal_xstrdup("/api/v1/submissions");
        code = call(&c, "GET", path, NULL, print_list);
        free(path);
    }
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

/* download GETs |path| into the file |out| (mode 0644). */
static int download(struct ctx *c, const char *path, const char *out)
{
    struct issuer_reply r;
    issuer_reply_init(&r);
    struct eseal_err err;
    eseal_err_clear(&err);
    eseal_rc rc = issuer_call(&c->conn, "GET", path, NULL, &r, &err);
    int code = 0;
    if (rc != ESEAL_OK || issuer_refused(&r))
        code = finish(c, rc, &err, &r, NULL);
    else if (eseal_file_write(out, r.raw.data, r.raw.len, 0644, 0, &err) != ESEAL_OK)
        code = io_error(&err);
    else
        printf("wrote %s (%zu bytes) / 已下载\n", out, r.raw.len);
    issuer_reply_cleanup(&r);
    return code;
}

static int issuer_fetch(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_ESID) | CMD_BIT(OPT_SEAL) | CMD_BIT(OPT_CERT),
                         0, fetch_usage, true);
    const char *esid = code == 0 ? esid_arg(&c, &code) : NULL;
    if (code == 0 && c.a.opt[OPT_SEAL] == NULL && c.a.opt[OPT_CERT] == NULL)
        code = cmd_usage_error(fetch_usage, "give --seal or --cert / 须指定输出文件", NULL);
    if (code == 0 && c.a.opt[OPT_SEAL] != NULL) {
        char *path = eseal_xasprintf("/api/v1/seals/%s/seal.esl", esid);
        code = download(&c, path, c.a.opt[OPT_SEAL]);
        free(path);
    }
    if (code == 0 && c.a.opt[OPT_CERT] != NULL) {
        char *path = eseal_xasprintf("/api/v1/seals/%s/cert.pem", esid);
        code = download(&c, path, c.a.opt[OPT_CERT]);
        free(path);
    }
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static int staff_add(int argc, char **argv)
{
    struct ctx c;
    uint64_t allowed = CMD_BIT(OPT_USER) | CMD_BIT(OPT_ROLE) | CMD_BIT(OPT_UNIT) |
                       CMD_BIT(OPT_CITY) | CMD_BIT(OPT_PASSWORD_FILE) | CMD_BIT(OPT_EMAIL);
    int code = ctx_parse(&c, argc, argv, allowed, 0, staff_add_usage, true);
    const char *user = code == 0 ? require(&c, OPT_USER, "--user", &code) : NULL;
    const char *role = code == 0 ? require(&c, OPT_ROLE, "--role", &code) : NULL;
    struct eseal_buf pw;
    eseal_buf_init(&pw);
    struct eseal_err err;
    eseal_err_clear(&err);
    if (code == 0 &&
        eseal_read_secret(&pw, c.a.opt[OPT_PASSWORD_FILE], NEW_PASSWORD_ENV, &err) != ESEAL_OK)
        code = io_error(&err);
    if (code == 0) {
        json_t *body = json_pack("{s:s,s:s%,s:s}", "username", user, "password",
                                 (const char *)pw.data, pw.len, "role", role);
        if (body == NULL) {
            fprintf(stderr, "eseal: 密码不是 UTF-8 文本 / the password is not UTF-8\n");
            code = EXIT_USAGE;
        } else {
            if (c.a.opt[OPT_UNIT] != NULL)
                json_object_set_new(body, "unit", json_string(c.a.opt[OPT_UNIT]));
            if (c.a.opt[OPT_CITY] != NULL)
                json_object_set_new(body, "city", json_string(c.a.opt[OPT_CITY]));
            if (c.a.opt[OPT_EMAIL] != NULL)
                json_object_set_new(body, "email", json_string(c.a.opt[OPT_EMAIL]));
            code = call(&c, "POST", "/api/v1/staff", body, print_staff);
            json_decref(body);
        }
    }
    eseal_buf_cleanse(&pw);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static int staff_list(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, 0, 0, staff_list_usage, true);
    if (code == 0)
        code = call(&c, "GET", "/api/v1/staff", NULL, print_staff_list);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

/* prompt_secret reads a line from the terminal with echo off into |out|. */
static eseal_rc prompt_secret(struct eseal_buf *out, const char *prompt, struct eseal_err *err)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (tty == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "没有终端可输入密码 / no terminal to ask for the password on");
    struct termios old, quiet;
    bool restore = tcgetattr(fileno(tty), &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    }
    fputs(prompt, tty);
    fflush(tty);
    char line[1100];
    bool got = fgets(line, sizeof(line), tty) != NULL;
    if (restore)
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputs("\n", tty);
    fclose(tty);
    size_t n = got ? strcspn(line, "\r\n") : 0;
    eseal_buf_append(out, line, n);
    memset(line, 0, sizeof(line));
    return n > 0 ? ESEAL_OK : eseal_err_set(err, ESEAL_E_INVALID, "未输入密码 / no password given");
}

/* get_secret reads a password from |path|, else $|env|, else the terminal. */
static eseal_rc get_secret(struct eseal_buf *out, const char *path, const char *env,
                           const char *prompt, struct eseal_err *err)
{
    const char *v = getenv(env);
    if (path != NULL || (v != NULL && *v != '\0'))
        return eseal_read_secret(out, path, env, err);
    return prompt_secret(out, prompt, err);
}

/* get_new_secret is get_secret for a new password: typed twice on a terminal. */
static eseal_rc get_new_secret(struct eseal_buf *out, const char *path, struct eseal_err *err)
{
    const char *v = getenv(NEW_PASSWORD_ENV);
    if (path != NULL || (v != NULL && *v != '\0'))
        return eseal_read_secret(out, path, NEW_PASSWORD_ENV, err);
    struct eseal_buf again;
    eseal_buf_init(&again);
    eseal_rc rc = prompt_secret(out, "新密码 / new password: ", err);
    if (rc == ESEAL_OK)
        rc = prompt_secret(&again, "再次输入 / again: ", err);
    if (rc == ESEAL_OK && (again.len != out->len || memcmp(again.data, out->data, out->len) != 0))
        rc = eseal_err_set(err, ESEAL_E_INVALID, "两次输入不一致 / the two entries differ");
    eseal_buf_cleanse(&again);
    return rc;
}

/* user_path writes /api/v1/staff/NAME/|what| for the --user option. */
static const char *user_path(struct ctx *c, const char *what, char *out, size_t len, int *code)
{
    const char *user = require(c, OPT_USER, "--user", code);
    if (*code != 0)
        return NULL;
    if (!safe_id(user)) {
        *code = cmd_usage_error(c->usage, "--user: not a user name / 不是用户名", NULL);
        return NULL;
    }
    snprintf(out, len, "/api/v1/staff/%s/%s", user, what);
    return out;
}

/* staff_toggle is `staff disable` and `staff enable`. */
static int staff_toggle(int argc, char **argv, const char *what, const char *usage)
{
    struct ctx c;
    char path[160];
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_USER), 0, usage, true);
    if (code == 0 && user_path(&c, what, path, sizeof(path), &code) != NULL)
        code = call(&c, "POST", path, NULL, print_staff);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static int staff_disable(int argc, char **argv)
{
    return staff_toggle(argc, argv, "disable", staff_disable_usage);
}

static int staff_enable(int argc, char **argv)
{
    return staff_toggle(argc, argv, "enable", staff_enable_usage);
}

/* send_secrets posts |body| (its strings wiped afterwards) to |path|. */
static int send_secrets(struct ctx *c, const char *path, json_t *body)
{
    if (body == NULL) {
        fprintf(stderr, "eseal: 密码不是 UTF-8 文本 / the password is not UTF-8\n");
        return EXIT_USAGE;
    }
    int code = call(c, "POST", path, body, print_staff);
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (json_is_string(v))
            memset((void *)json_string_value(v), 0, json_string_length(v));
    }
    json_decref(body);
    return code;
}

static int staff_passwd(int argc, char **argv)
{
    struct ctx c;
    uint64_t allowed = CMD_BIT(OPT_PASSWORD_FILE) | CMD_BIT(OPT_NEW_PASSWORD_FILE);
    int code = ctx_parse(&c, argc, argv, allowed, 0, staff_passwd_usage, true);
    struct eseal_buf old, pw;
    eseal_buf_init(&old);
    eseal_buf_init(&pw);
    struct eseal_err err;
    eseal_err_clear(&err);
    if (code == 0 && (get_secret(&old, c.a.opt[OPT_PASSWORD_FILE], PASSWORD_ENV,
                                 "原密码 / old password: ", &err) != ESEAL_OK ||
                      get_new_secret(&pw, c.a.opt[OPT_NEW_PASSWORD_FILE], &err) != ESEAL_OK))
        code = io_error(&err);
    if (code == 0)
        code = send_secrets(&c, "/api/v1/session/password",
                            json_pack("{s:s%,s:s%}", "old_password", (const char *)old.data,
                                      old.len, "new_password", (const char *)pw.data, pw.len));
    eseal_buf_cleanse(&old);
    eseal_buf_cleanse(&pw);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static int staff_reset(int argc, char **argv)
{
    struct ctx c;
    char path[160];
    uint64_t allowed = CMD_BIT(OPT_USER) | CMD_BIT(OPT_PASSWORD_FILE);
    int code = ctx_parse(&c, argc, argv, allowed, 0, staff_reset_usage, true);
    struct eseal_buf pw;
    eseal_buf_init(&pw);
    struct eseal_err err;
    eseal_err_clear(&err);
    if (code == 0)
        user_path(&c, "password", path, sizeof(path), &code);
    if (code == 0 && get_new_secret(&pw, c.a.opt[OPT_PASSWORD_FILE], &err) != ESEAL_OK)
        code = io_error(&err);
    if (code == 0)
        code =
            send_secrets(&c, path, json_pack("{s:s%}", "password", (const char *)pw.data, pw.len));
    eseal_buf_cleanse(&pw);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static void print_sessions(const json_t *j)
{
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(j, "sessions"), i, s)
        printf("%-16s %-10s %s .. %s\n", issuer_str(s, "username"), issuer_str(s, "role"),
               issuer_str(s, "created"), issuer_str(s, "expires"));
}

static int staff_sessions(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_USER), 0, staff_sessions_usage, true);
    const char *user = code == 0 ? c.a.opt[OPT_USER] : NULL;
    if (code == 0 && user != NULL && !safe_id(user))
        code = cmd_usage_error(staff_sessions_usage, "--user: not a user name / 不是用户名", NULL);
    if (code == 0) {
        char *path = user != NULL ? eseal_xasprintf("/api/v1/sessions?username=%s", user)
                                  : eseal_xstrdup("/api/v1/sessions");
        code = call(&c, "GET", path, NULL, print_sessions);
        free(path);
    }
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

/* ---- materials and batches ---------------------------------------------------- */

static int issuer_material(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_ID) | CMD_BIT(OPT_SM3) | CMD_BIT(OPT_OUT), 0,
                         material_usage, true);
    const char *id = code == 0 ? id_arg(&c, &code) : NULL;
    const char *sm3 = code == 0 ? require(&c, OPT_SM3, "--sm3", &code) : NULL;
    const char *out = code == 0 ? require(&c, OPT_OUT, "--out", &code) : NULL;
    if (code == 0 && !safe_id(sm3))
        code = cmd_usage_error(material_usage, "无效的 --sm3 / bad --sm3: ", sm3);
    if (code == 0) {
        char *path = eseal_xasprintf("/api/v1/submissions/%s/materials/%s", id, sm3);
        code = download(&c, path, out);
        free(path);
    }
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static void print_batch(const json_t *b)
{
    put_kv("batch", issuer_str(b, "id"));
    put_kv("state", issuer_str(b, "state"));
    put_kv("business", issuer_str(b, "business"));
    put_kv("city", issuer_str(b, "city"));
    put_kv("created_by", issuer_str(b, "created_by"));
    const json_t *t = json_object_get(b, "summary");
    if (t != NULL)
        printf("summary_table %s %s %lld rows\n", issuer_str(t, "material"),
               issuer_str(t, "content_type"),
               (long long)json_integer_value(json_object_get(t, "rows")));
    size_t i;
    const json_t *it;
    json_array_foreach(json_object_get(b, "items"), i, it)
    {
        printf("item          %s  %-11s %lld form(s)  ", issuer_str(it, "id"),
               issuer_str(it, "state"),
               (long long)json_integer_value(json_object_get(it, "forms")));
        cmd_put_text(stdout, issuer_str(json_object_get(it, "unit"), "name"));
        putchar('\n');
    }
}

static void print_batch_results(const json_t *j)
{
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(j, "results"), i, r)
    {
        if (json_is_true(json_object_get(r, "ok"))) {
            printf("%s  %s\n", issuer_str(r, "submission"), issuer_str(r, "state"));
        } else {
            printf("%s  refused: ", issuer_str(r, "submission"));
            cmd_put_text(stdout, issuer_str(json_object_get(r, "error"), "message"));
            putchar('\n');
        }
    }
    print_batch(json_object_get(j, "batch"));
}

static int batch_create(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_BUSINESS), 0, batch_create_usage, true);
    const char *business = code == 0 ? require(&c, OPT_BUSINESS, "--business", &code) : NULL;
    if (code == 0) {
        json_t *body = json_pack("{s:s}", "business", business);
        code = call(&c, "POST", "/api/v1/batches", body, print_batch);
        json_decref(body);
    }
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static int batch_add(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_ID) | CMD_BIT(OPT_SUBMISSION), 0,
                         batch_add_usage, true);
    const char *id = code == 0 ? id_arg(&c, &code) : NULL;
    const char *subs[MAX_MULTI];
    size_t n = code == 0 ? cmd_args_all(&c.a, OPT_SUBMISSION, subs, MAX_MULTI) : 0;
    if (code == 0 && (n == 0 || n > MAX_MULTI))
        code = cmd_usage_error(batch_add_usage, "give 1 to 32 --submission / 须指定申报", NULL);
    char *path = eseal_xasprintf("/api/v1/batches/%s/items", id != NULL ? id : "");
    for (size_t i = 0; code == 0 && i < n; i++) {
        json_t *body = json_pack("{s:s}", "submission", subs[i]);
        code = call(&c, "POST", path, body, print_batch);
        json_decref(body);
    }
    free(path);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static int batch_summary(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_ID) | CMD_BIT(OPT_TABLE) | CMD_BIT(OPT_ROWS),
                         0, batch_summary_usage, true);
    const char *id = code == 0 ? id_arg(&c, &code) : NULL;
    const char *table = code == 0 ? require(&c, OPT_TABLE, "--table", &code) : NULL;
    const char *rows = code == 0 ? require(&c, OPT_ROWS, "--rows", &code) : NULL;
    struct eseal_multipart_builder mb;
    eseal_multipart_builder_init(&mb);
    struct eseal_err err;
    eseal_err_clear(&err);
    size_t total = 0;
    if (code == 0 && (add_material(&mb, "summary_table", table, &total, &err) != ESEAL_OK ||
                      add_material(&mb, "rows", rows, &total, &err) != ESEAL_OK ||
                      eseal_multipart_finish(&mb, &err) != ESEAL_OK))
        code = io_error(&err);
    if (code == 0) {
        struct issuer_reply r;
        issuer_reply_init(&r);
        char *path = eseal_xasprintf("/api/v1/batches/%s/summary", id);
        eseal_rc rc = issuer_upload(&c.conn, path, &mb, &r, &err);
        free(path);
        code = finish(&c, rc, &err, &r, print_batch);
        issuer_reply_cleanup(&r);
    }
    eseal_multipart_builder_cleanup(&mb);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

/* batch_call does METHOD /api/v1/batches/ID[/STEP] with |body|. */
static int batch_call(struct ctx *c, const char *id, const char *method, const char *step,
                      const json_t *body, void (*print)(const json_t *))
{
    char *path = eseal_xasprintf("/api/v1/batches/%s%s%s", id, step != NULL ? "/" : "",
                                 step != NULL ? step : "");
    int code = call(c, method, path, body, print);
    free(path);
    return code;
}

static int batch_submit(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_ID), 0, batch_submit_usage, true);
    const char *id = code == 0 ? id_arg(&c, &code) : NULL;
    if (code == 0)
        code = batch_call(&c, id, "POST", "submit", NULL, print_batch);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static int batch_show(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_ID), 0, batch_show_usage, true);
    const char *id = code == 0 ? id_arg(&c, &code) : NULL;
    if (code == 0)
        code = batch_call(&c, id, "GET", NULL, NULL, print_batch);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

/* item_option adds "items" from --item to |body|. */
static int item_option(struct ctx *c, json_t *body)
{
    const char *items[MAX_MULTI];
    size_t n = cmd_args_all(&c->a, OPT_ITEM, items, MAX_MULTI);
    if (n > MAX_MULTI)
        return cmd_usage_error(c->usage, "too many --item / 选项过多", NULL);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_string(items[i]));
    if (n > 0)
        json_object_set(body, "items", list);
    json_decref(list);
    return 0;
}

static int batch_register(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_ID) | CMD_BIT(OPT_ITEM) | CMD_BIT(OPT_PAPER),
                         0, batch_register_usage, true);
    const char *id = code == 0 ? id_arg(&c, &code) : NULL;
    json_t *body = json_object();
    if (code == 0)
        code = item_option(&c, body);
    if (code == 0)
        code = paper_option(&c, body);
    if (code == 0)
        code = batch_call(&c, id, "POST", "register", body, print_batch_results);
    json_decref(body);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static int batch_review(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_ID) | CMD_BIT(OPT_ITEM) | REVIEW_BITS, 0,
                         batch_review_usage, true);
    const char *id = code == 0 ? id_arg(&c, &code) : NULL;
    json_t *body = NULL;
    if (code == 0)
        code = review_body(&c, &body);
    if (code == 0)
        code = item_option(&c, body);
    if (code == 0)
        code = batch_call(&c, id, "POST", "review", body, print_batch_results);
    json_decref(body);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static const struct cmd batch_cmds[] = {
    {"create", "open a batch (aggregator) / 新建批次", batch_create},
    {"add", "add submissions to a batch (aggregator) / 加入批次", batch_add},
    {"summary", "attach the batch's summary table (aggregator) / 汇总表", batch_summary},
    {"submit", "submit the batch to the centre (aggregator) / 报送批次", batch_submit},
    {"show", "show a batch / 查看批次", batch_show},
    {"register", "register the batch's items (maker) / 批次登记", batch_register},
    {"review", "review the batch's items (reviewer) / 批次审核", batch_review},
};

static const struct cmd_group_spec batch_group = {
    "issuer batch",
    NULL,
    batch_cmds,
    sizeof(batch_cmds) / sizeof(batch_cmds[0]),
};

static int issuer_batch(int argc, char **argv)
{
    return cmd_dispatch(&batch_group, argc, argv);
}

static const struct cmd staff_cmds[] = {
    {"add", "create a staff account (admin) / 新建账户", staff_add},
    {"list", "list the staff accounts (admin) / 列出账户", staff_list},
    {"disable", "disable an account, ending its sessions (admin) / 停用账户", staff_disable},
    {"enable", "enable an account again (admin) / 启用账户", staff_enable},
    {"passwd", "change your own password / 修改本人密码", staff_passwd},
    {"reset", "set another account's password (admin) / 重置密码", staff_reset},
    {"sessions", "list open sessions (admin) / 列出会话", staff_sessions},
};

static const struct cmd_group_spec staff_group = {
    "issuer staff",
    NULL,
    staff_cmds,
    sizeof(staff_cmds) / sizeof(staff_cmds[0]),
};

static int issuer_staff(int argc, char **argv)
{
    return cmd_dispatch(&staff_group, argc, argv);
}

static void print_notice(const json_t *n)
{
    printf("%s  %s  %-15s %s\n  ", issuer_str(n, "id"), issuer_str(n, "time"),
           issuer_str(n, "kind"), json_object_get(n, "read") != NULL ? "已读 read" : "未读 unread");
    cmd_put_text(stdout, issuer_str(n, "message"));
    putchar('\n');
}

static void print_notices(const json_t *j)
{
    size_t i;
    const json_t *n;
    json_array_foreach(json_object_get(j, "notifications"), i, n) print_notice(n);
}

static int notifications_list(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_UNREAD), 0, notifications_list_usage, true);
    if (code == 0)
        code = call(&c, "GET",
                    c.a.opt[OPT_UNREAD] != NULL ? "/api/v1/notifications?unread=1"
                                                : "/api/v1/notifications",
                    NULL, print_notices);
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static int notifications_read(int argc, char **argv)
{
    struct ctx c;
    int code = ctx_parse(&c, argc, argv, CMD_BIT(OPT_ID), 0, notifications_read_usage, true);
    const char *id = code == 0 ? id_arg(&c, &code) : NULL;
    if (code == 0) {
        char *path = eseal_xasprintf("/api/v1/notifications/%s/read", id);
        code = call(&c, "POST", path, NULL, print_notice);
        free(path);
    }
    ctx_cleanup(&c);
    return code < 0 ? 0 : code;
}

static const struct cmd notifications_cmds[] = {
    {"list", "list notifications (agent, aggregator) / 列出通知", notifications_list},
    {"read", "mark a notification read / 标记已读", notifications_read},
};

static const struct cmd_group_spec notifications_group = {
    "issuer notifications",
    NULL,
    notifications_cmds,
    sizeof(notifications_cmds) / sizeof(notifications_cmds[0]),
};

static int issuer_notifications(int argc, char **argv)
{
    return cmd_dispatch(&notifications_group, argc, argv);
}

static const struct cmd issuer_cmds[] = {
    {"login", "log in and keep the session / 登录", issuer_login},
    {"logout", "end the session / 退出登录", issuer_logout},
    {"submit", "file a submission with its materials and submit it / 申报", issuer_submit},
    {"rectify", "correct a rejected submission and resubmit it / 整改重报", issuer_rectify},
    {"upload", "attach materials to a submission / 上传材料", issuer_upload_cmd},
    {"register", "register a submission (maker) / 登记", issuer_register},
    {"review", "approve or reject (reviewer) / 审核", issuer_review},
    {"produce", "make the seals, renewals, ... (maker) / 制作", issuer_produce},
    {"handover", "hand the seals over to the collector (maker) / 交付", issuer_handover},
    {"suspend", "report a seal lost / 挂失", issuer_suspend},
    {"reinstate", "lift a suspension: the key was found (maker) / 解除挂失", issuer_reinstate},
    {"revoke", "produce a revoke submission (maker) / 撤销", issuer_revoke},
    {"show", "show a submission or a seal / 查看", issuer_show},
    {"list", "list submissions / 列出申报", issuer_list},
    {"queues", "the work queues of one's role / 待办队列", issuer_queues},
    {"seals", "list a unit's seals by name / 单位印章", issuer_seals},
    {"fetch", "download a seal and its certificate / 下载印章", issuer_fetch},
    {"staff", "staff accounts: add, list, disable, enable, reset, sessions; passwd / 账户管理",
     issuer_staff},
    {"notifications", "notifications: list, read / 通知", issuer_notifications},
    {"prove", "what a log entry committed to (admin) / 证明日志承诺值", issuer_prove},
    {"batch",
     "an aggregator's batches: create, add, summary, submit, show, register, review "
     "/ 批次",
     issuer_batch},
    {"material", "download a material of a submission / 下载材料", issuer_material},
    {"rotate-data-key",
     "new data key for the materials, issuer stopped (offline) / 轮换材料数据密钥",
     cmd_issuer_rotate_data_key},
};

static const struct cmd_group_spec issuer_group = {
    "issuer",
    "  Drives eseal-issuerd's API (docs/issuer-cli.md). Exit: 0 done, 1 refused\n"
    "  by the issuer (its message on stderr), 2 usage, 3 connection or I/O error.\n",
    issuer_cmds,
    sizeof(issuer_cmds) / sizeof(issuer_cmds[0]),
};

int cmd_issuer(int argc, char **argv)
{
    return cmd_dispatch(&issuer_group, argc, argv);
}
