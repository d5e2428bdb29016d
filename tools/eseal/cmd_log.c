/* cmd_log.c — `eseal log`: append to, print, audit, show and serve the event
 * log, and measure its durable append rate. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "eseal/ca.h"
#include "eseal/enc.h"
#include "eseal/http.h"
#include "eseal/httpc.h"
#include "eseal/json.h"
#include "eseal/log.h"
#include "cmd.h"

static const char append_usage[] =
    "usage: eseal log append --dir DIR --ca CADIR [--passphrase-file FILE] [--stream]\n"
    "  Appends JSON objects read one per line from stdin (blank lines are skipped)\n"
    "  and prints the new signed checkpoint. 从标准输入逐行追加 JSON 对象.\n"
    "  All lines are checked first: if one is bad, nothing is appended (exit 1,\n"
    "  the error names the line). They are then committed in order, up to 1000 per\n"
    "  commit. With --stream each line is appended as soon as it is read and its\n"
    "  index printed once durable; a bad line stops there, earlier lines stay.\n"
    "  The CA passphrase comes from --passphrase-file or ESEAL_PASSPHRASE.\n";
static const char checkpoint_usage[] =
    "usage: eseal log checkpoint --dir DIR\n"
    "  Prints the latest signed checkpoint, byte for byte as GET /log/checkpoint\n"
    "  serves it. 输出最新的签名检查点.\n";
static const char verify_usage[] =
    "usage: eseal log verify (--dir DIR | --url URL [--ca-file FILE]) --key LOG.pub\n"
    "  Audits a whole log: recomputes the Merkle tree, checks every checkpoint's\n"
    "  signature and that they are consistent, and names the first bad entry.\n"
    "  审计整个日志. Exit 0 intact, 1 bad or unreadable, 2 usage error.\n";
static const char show_usage[] =
    "usage: eseal log show (--dir DIR | --url URL [--ca-file FILE]) [--start N] [--end M]\n"
    "  Prints entries N..M-1 (default: all), one canonical JSON object per line.\n"
    "  显示日志条目. (Not verified: use eseal log verify for that.)\n"
    "  --url takes http:// or https://; --ca-file: PEM CA certificates for\n"
    "  https:// (default: the system store).\n";
static const char serve_usage[] =
    "usage: eseal log serve --dir DIR [--address ADDR] [--port N]\n"
    "  Serves the log read-only over HTTP (GET /log/checkpoint, /log/entries,\n"
    "  /log/proof/inclusion, /log/proof/consistency) until SIGINT or SIGTERM.\n"
    "  只读提供日志服务. Defaults: 127.0.0.1, port 0 (a free port; printed).\n";
static const char bench_usage[] =
    "usage: eseal log bench --dir DIR --ca CADIR [--passphrase-file FILE]\n"
    "                       [--writers N] [--count N] [--entry-bytes N] [--acks FILE]\n"
    "  Measures the raw write+fdatasync rate in DIR, then durable appends per\n"
    "  second and commit latency (p50, p99) with N threads appending --count\n"
    "  entries in all (default 1 writer, 2000 entries of about 200 bytes).\n"
    "  测量持久追加速率. With --count 0 it appends until killed and, with --acks,\n"
    "  writes each acknowledged index to FILE (for crash tests).\n";

enum {
    OPT_DIR = 1,
    OPT_CA,
    OPT_PASS,
    OPT_URL,
    OPT_KEY,
    OPT_START,
    OPT_END,
    OPT_ADDRESS,
    OPT_PORT,
    OPT_STREAM,
    OPT_WRITERS,
    OPT_COUNT,
    OPT_ENTRY_BYTES,
    OPT_ACKS,
    OPT_CA_FILE,
    OPT_HELP,
};

static const struct option long_opts[] = {
    {"dir", required_argument, NULL, OPT_DIR},
    {"ca", required_argument, NULL, OPT_CA},
    {"passphrase-file", required_argument, NULL, OPT_PASS},
    {"url", required_argument, NULL, OPT_URL},
    {"key", required_argument, NULL, OPT_KEY},
    {"start", required_argument, NULL, OPT_START},
    {"end", required_argument, NULL, OPT_END},
    {"address", required_argument, NULL, OPT_ADDRESS},
    {"port", required_argument, NULL, OPT_PORT},
    {"stream", no_argument, NULL, OPT_STREAM},
    {"writers", required_argument, NULL, OPT_WRITERS},
    {"count", required_argument, NULL, OPT_COUNT},
    {"entry-bytes", required_argument, NULL, OPT_ENTRY_BYTES},
    {"acks", required_argument, NULL, OPT_ACKS},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

struct args {
    const char *dir, *ca, *pass_file, *url, *key, *start, *end, *address, *port, *writers, *count,
        *entry_bytes, *acks;
    bool stream;
};

/* parse_args returns 0 to go on, -1 after --help, or an exit code. */
static int parse_args(int argc, char **argv, uint64_t allowed, const char *usage, struct args *a)
{
    struct cmd_args p;
    int r = cmd_parse(argc, argv, "", long_opts, allowed, 0, usage, EXIT_USAGE, &p);
    if (r == 0)
        r = cmd_ca_file(p.opt[OPT_CA_FILE], EXIT_USAGE);
    if (r != 0)
        return r;
    *a = (struct args){
        .dir = p.opt[OPT_DIR],
        .ca = p.opt[OPT_CA],
        .pass_file = p.opt[OPT_PASS],
        .url = p.opt[OPT_URL],
        .key = p.opt[OPT_KEY],
        .start = p.opt[OPT_START],
        .end = p.opt[OPT_END],
        .address = p.opt[OPT_ADDRESS],
        .port = p.opt[OPT_PORT],
        .writers = p.opt[OPT_WRITERS],
        .count = p.opt[OPT_COUNT],
        .entry_bytes = p.opt[OPT_ENTRY_BYTES],
        .acks = p.opt[OPT_ACKS],
        .stream = p.opt[OPT_STREAM] != NULL,
    };
    return 0;
}

static eseal_rc parse_u64_arg(const char *text, uint64_t max, uint64_t *out, const char *what,
                              struct eseal_err *err)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*text < '0' || *text > '9' || *end != '\0' || errno != 0 || v > max)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s must be a number in 0..%llu, not \"%s\"",
                             what, (unsigned long long)max, text);
    *out = v;
    return ESEAL_OK;
}

static eseal_rc open_writer(struct eseal_log **log, struct eseal_ca **ca, const struct args *a,
                            struct eseal_err *err)
{
    eseal_rc rc = eseal_ca_open_unlocked(ca, a->ca, ESEAL_CA_UNLOCK_LOG, a->pass_file, err);
    if (rc == ESEAL_OK &&
        (rc = eseal_log_open(log, a->dir, eseal_ca_log_signer(*ca), err)) != ESEAL_OK) {
        eseal_ca_free(*ca);
        *ca = NULL;
    }
    return rc;
}

static int print_checkpoint(struct eseal_log *log)
{
    struct eseal_err err;
    struct eseal_buf note;
    eseal_buf_init(&note);
    if (eseal_log_checkpoint(log, &note, &err) != ESEAL_OK)
        return cmd_fail(&err);
    fwrite(note.data, 1, note.len, stdout);
    eseal_buf_cleanup(&note);
    return fflush(stdout) == 0 ? 0 : EXIT_FAIL;
}

/* ---- append ---------------------------------------------------------------- */

#define LINE_MAX_BYTES (1024 * 1024)

/* parse_line parses one input line into an entry object; blank lines give
 * *out = NULL. The error names the line. */
static eseal_rc parse_line(const char *line, size_t len, size_t lineno, json_t **out,
                           struct eseal_err *err)
{
    *out = NULL;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i == len)
        return ESEAL_OK;
    if (len > LINE_MAX_BYTES)
        return eseal_err_set(err, ESEAL_E_INVALID, "line %zu: longer than %d bytes / 行过长",
                             lineno, LINE_MAX_BYTES);
    json_t *j = NULL;
    eseal_rc rc = eseal_json_parse(&j, line, len, NULL, err);
    if (rc != ESEAL_OK)
        return eseal_err_prefix(err, "line %zu", lineno);
    rc = eseal_log_entry_valid(j, err);
    if (rc != ESEAL_OK) {
        json_decref(j);
        eseal_err_prefix(err, "line %zu", lineno);
        return rc;
    }
    *out = j;
    return ESEAL_OK;
}

static int append_stream(struct eseal_log *log)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    int status = 0;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        json_t *j = NULL;
        uint64_t seq;
        eseal_rc rc = parse_line(line, (size_t)n, lineno, &j, &err);
        if (rc == ESEAL_OK && j == NULL)
            continue;
        if (rc == ESEAL_OK && (rc = eseal_log_append(log, j, &seq, &err)) != ESEAL_OK)
            eseal_err_prefix(&err, "line %zu", lineno);
        json_decref(j);
        if (rc != ESEAL_OK) {
            status = cmd_fail(&err);
            break;
        }
        printf("%llu\n", (unsigned long long)seq);
        fflush(stdout);
    }
    free(line);
    return status;
}

/* append_all reads and checks every line, then commits them in order. */
static int append_all(struct eseal_log *log)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    json_t **entries = NULL;
    size_t n_entries = 0, cap_entries = 0, lineno = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    eseal_rc rc = ESEAL_OK;
    while (rc == ESEAL_OK && (n = getline(&line, &cap, stdin)) >= 0) {
        json_t *j = NULL;
        rc = parse_line(line, (size_t)n, ++lineno, &j, &err);
        if (rc != ESEAL_OK || j == NULL)
            continue;
        if (n_entries == cap_entries) {
            cap_entries = cap_entries ? cap_entries * 2 : 256;
            entries = eseal_xrealloc(entries, cap_entries * sizeof(*entries));
        }
        entries[n_entries++] = j;
    }
    free(line);
    if (rc == ESEAL_OK && ferror(stdin))
        rc = eseal_err_set(&err, ESEAL_E_IO, "reading stdin failed / 读取标准输入失败");
    uint64_t first = 0, done = 0;
    for (size_t i = 0; rc == ESEAL_OK && i < n_entries; i += ESEAL_LOG_BATCH_MAX) {
        size_t k = n_entries - i < ESEAL_LOG_BATCH_MAX ? n_entries - i : ESEAL_LOG_BATCH_MAX;
        uint64_t s;
        rc = eseal_log_append_batch(log, entries + i, k, &s, &err);
        if (rc == ESEAL_OK) {
            if (done == 0)
                first = s;
            done += k;
        } else {
            eseal_err_prefix(&err, "after appending %llu of %zu entries", (unsigned long long)done,
                             n_entries);
        }
    }
    for (size_t i = 0; i < n_entries; i++)
        json_decref(entries[i]);
    free(entries);
    /* The checkpoint printed must cover what was appended. */
    if (rc == ESEAL_OK)
        rc = eseal_log_sync(log, &err);
    if (rc != ESEAL_OK)
        return cmd_fail(&err);
    if (done > 0)
        fprintf(stderr, "eseal: appended %llu entries (%llu..%llu) / 已追加 %llu 条\n",
                (unsigned long long)done, (unsigned long long)first,
                (unsigned long long)(first + done - 1), (unsigned long long)done);
    return print_checkpoint(log);
}

static int log_append(int argc, char **argv)
{
    struct args a;
    int r = parse_args(argc, argv,
                       CMD_BIT(OPT_DIR) | CMD_BIT(OPT_CA) | CMD_BIT(OPT_PASS) | CMD_BIT(OPT_STREAM),
                       append_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    if (a.dir == NULL || a.ca == NULL)
        return cmd_usage_error(append_usage, "--dir and --ca are required / 缺少必需选项", NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_ca *ca = NULL;
    struct eseal_log *log = NULL;
    if (open_writer(&log, &ca, &a, &err) != ESEAL_OK)
        return cmd_fail(&err);
    int status = a.stream ? append_stream(log) : append_all(log);
    eseal_log_close(log);
    eseal_ca_free(ca);
    return status;
}

/* ---- checkpoint ------------------------------------------------------------- */

static int log_checkpoint(int argc, char **argv)
{
    struct args a;
    int r = parse_args(argc, argv, CMD_BIT(OPT_DIR), checkpoint_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    if (a.dir == NULL)
        return cmd_usage_error(checkpoint_usage, "--dir is required / 缺少 --dir", NULL);
    struct eseal_err err;
    struct eseal_buf note;
    eseal_buf_init(&note);
    if (eseal_log_dir_checkpoint(a.dir, &note, &err) != ESEAL_OK)
        return cmd_fail(&err);
    fwrite(note.data, 1, note.len, stdout);
    eseal_buf_cleanup(&note);
    return fflush(stdout) == 0 ? 0 : EXIT_FAIL;
}

/* ---- verify ------------------------------------------------------------------ */

static int need_one_source(const char *usage, const struct args *a)
{
    if ((a->dir == NULL) == (a->url == NULL))
        return cmd_usage_error(usage, "give exactly one of --dir and --url / --dir 与 --url 二选一",
                               NULL);
    return 0;
}

static int log_verify(int argc, char **argv)
{
    struct args a;
    int r = parse_args(
        argc, argv, CMD_BIT(OPT_DIR) | CMD_BIT(OPT_URL) | CMD_BIT(OPT_CA_FILE) | CMD_BIT(OPT_KEY),
        verify_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    if ((r = need_one_source(verify_usage, &a)) != 0)
        return r;
    if (a.key == NULL)
        return cmd_usage_error(verify_usage, "--key is required / 缺少 --key", NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_log_key key;
    if (eseal_log_key_load(&key, a.key, &err) != ESEAL_OK)
        return cmd_fail(&err);
    struct eseal_log_audit au;
    eseal_rc rc = a.dir != NULL ? eseal_log_audit_dir(&au, a.dir, &key, &err)
                                : eseal_log_audit_url(&au, a.url, &key, &err);
    if (rc != ESEAL_OK)
        return cmd_fail(&err);
    char *root = eseal_base64(au.latest.root, ESEAL_MERKLE_HASH_LEN, ESEAL_B64_STD);
    printf("ok: %llu entries, %llu checkpoint signatures verified, latest checkpoint size %llu "
           "root %s / 日志完整\n",
           (unsigned long long)au.entries, (unsigned long long)au.checkpoints,
           (unsigned long long)au.latest.size, root);
    free(root);
    if (au.uncovered > 0)
        printf("note: %llu entries after the latest checkpoint are not signed yet (a writer "
               "signs them when it next opens the log) / 尚未签名的条目\n",
               (unsigned long long)au.uncovered);
    if (au.torn_bytes > 0)
        printf("note: a torn tail of %llu bytes was never acknowledged (a writer truncates it "
               "when it next opens the log) / 尾部不完整\n",
               (unsigned long long)au.torn_bytes);
    return 0;
}

/* ---- show ---------------------------------------------------------------------- */

static eseal_rc print_entry(void *ctx, uint64_t seq, const uint8_t *data, size_t len,
                            struct eseal_err *err)
{
    fwrite(data, 1, len, stdout);
    if (putchar('\n') == EOF)
        return eseal_err_set(err, ESEAL_E_IO, "writing stdout failed");
    return ESEAL_OK;
}

static eseal_rc range_args(const struct args *a, uint64_t size, uint64_t *start, uint64_t *end,
                           struct eseal_err *err)
{
    *start = 0;
    *end = size;
    eseal_rc rc = ESEAL_OK;
    if (a->start != NULL)
        rc = parse_u64_arg(a->start, UINT64_MAX, start, "--start", err);
    if (rc == ESEAL_OK && a->end != NULL)
        rc = parse_u64_arg(a->end, UINT64_MAX, end, "--end", err);
    if (rc == ESEAL_OK && (*start > *end || *end > size))
        rc = eseal_err_set(err, ESEAL_E_INVALID,
                           "--start %llu --end %llu: the log has entries 0..%llu (end is "
                           "exclusive) / 范围无效",
                           (unsigned long long)*start, (unsigned long long)*end,
                           (unsigned long long)size);
    return rc;
}

static eseal_rc show_dir(const struct args *a, struct eseal_err *err)
{
    struct eseal_log *log = NULL;
    eseal_rc rc = eseal_log_open(&log, a->dir, NULL, err);
    if (rc != ESEAL_OK)
        return rc;
    uint64_t start, end;
    rc = range_args(a, eseal_log_size(log), &start, &end, err);
    if (rc == ESEAL_OK)
        rc = eseal_log_read(log, start, end, print_entry, NULL, err);
    eseal_log_close(log);
    return rc;
}

/* url_base_len is the length of |url| without trailing slashes. */
static int url_base_len(const char *url)
{
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    return (int)n; /* argv is far below INT_MAX */
}

/* url_size reads the tree size from the served checkpoint (unverified: show
 * only displays). */
static eseal_rc url_size(const char *url, uint64_t *size, struct eseal_err *err)
{
    char *full = eseal_xasprintf("%.*s/log/checkpoint", url_base_len(url), url);
    struct eseal_buf note;
    eseal_buf_init(&note);
    unsigned status;
    eseal_rc rc = eseal_httpc_get(full, NULL, &status, &note, err);
    if (rc == ESEAL_OK) {
        const char *p = memchr(note.data, '\n', note.len);
        unsigned long long v = 0;
        int used = 0;
        if (status != 200 || p == NULL || sscanf(p + 1, "%llu%n", &v, &used) != 1 || used == 0)
            rc = eseal_err_set(err, ESEAL_E_IO, "%s: no checkpoint (HTTP %u)", full, status);
        *size = v;
    }
    eseal_buf_cleanup(&note);
    free(full);
    return rc;
}

static eseal_rc show_url(const struct args *a, struct eseal_err *err)
{
    uint64_t size, start, end;
    eseal_rc rc = url_size(a->url, &size, err);
    if (rc == ESEAL_OK)
        rc = range_args(a, size, &start, &end, err);
    struct eseal_buf body;
    eseal_buf_init(&body);
    while (rc == ESEAL_OK && start < end) {
        char *full = eseal_xasprintf("%.*s/log/entries?start=%llu&end=%llu", url_base_len(a->url),
                                     a->url, (unsigned long long)start, (unsigned long long)end);
        unsigned status;
        rc = eseal_httpc_get(full, NULL, &status, &body, err);
        json_t *j = rc == ESEAL_OK ? eseal_json_load(body.data, body.len) : NULL;
        json_t *items = json_object_get(j, "entries");
        if (rc == ESEAL_OK && (status != 200 || json_array_size(items) == 0))
            rc = eseal_err_set(err, ESEAL_E_IO, "%s: HTTP %u, no entries", full, status);
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item)
        {
            if (rc != ESEAL_OK)
                break;
            char *s = json_dumps(json_object_get(item, "entry"), JSON_COMPACT | JSON_SORT_KEYS);
            if (s == NULL) {
                rc = eseal_err_set(err, ESEAL_E_IO, "%s: a malformed entry", full);
                break;
            }
            puts(s);
            free(s);
            start++;
        }
        json_decref(j);
        free(full);
    }
    eseal_buf_cleanup(&body);
    return rc;
}

static int log_show(int argc, char **argv)
{
    struct args a;
    int r = parse_args(argc, argv,
                       CMD_BIT(OPT_DIR) | CMD_BIT(OPT_URL) | CMD_BIT(OPT_CA_FILE) |
                           CMD_BIT(OPT_START) | CMD_BIT(OPT_END),
                       show_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    if ((r = need_one_source(show_usage, &a)) != 0)
        return r;
    struct eseal_err err;
    eseal_err_clear(&err);
    eseal_rc rc = a.dir != NULL ? show_dir(&a, &err) : show_url(&a, &err);
    if (fflush(stdout) != 0 && rc == ESEAL_OK)
        rc = eseal_err_set(&err, ESEAL_E_IO, "writing stdout failed");
    return rc == ESEAL_OK ? 0 : cmd_fail(&err);
}

/* ---- serve --------------------------------------------------------------------- */

static int log_serve(int argc, char **argv)
{
    struct args a;
    int r = parse_args(argc, argv, CMD_BIT(OPT_DIR) | CMD_BIT(OPT_ADDRESS) | CMD_BIT(OPT_PORT),
                       serve_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    if (a.dir == NULL)
        return cmd_usage_error(serve_usage, "--dir is required / 缺少 --dir", NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    int port = 0;
    if (a.port != NULL && cmd_parse_int(a.port, 0, 65535, &port, "--port", &err) != ESEAL_OK)
        return cmd_fail(&err);
    /* Signals are taken by sigwait below: block them before any thread starts. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    struct eseal_log *log = NULL;
    if (eseal_log_open(&log, a.dir, NULL, &err) != ESEAL_OK)
        return cmd_fail(&err);
    struct eseal_http_config cfg = {
        .address = a.address,
        .port = (uint16_t)port,
        .routes = eseal_log_routes,
        .n_routes = ESEAL_LOG_N_ROUTES,
        .app = log,
        .name = "eseal-log",
    };
    struct eseal_http *srv = NULL;
    if (eseal_http_start(&srv, &cfg, &err) != ESEAL_OK) {
        eseal_log_close(log);
        return cmd_fail(&err);
    }
    const char *addr = a.address != NULL ? a.address : "127.0.0.1";
    bool v6 = strchr(addr, ':') != NULL;
    printf("serving %s (%llu entries) on http://%s%s%s:%u / 日志服务已启动\n", a.dir,
           (unsigned long long)eseal_log_size(log), v6 ? "[" : "", addr, v6 ? "]" : "",
           (unsigned)eseal_http_port(srv));
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    eseal_http_stop(srv);
    eseal_log_close(log);
    return 0;
}

/* ---- bench ------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* fsync_rate measures appending a small record and fdatasync'ing it in a
 * file next to the log: the rate a log without group commit could reach. */
static eseal_rc fsync_rate(const char *dir, double *rate, struct eseal_err *err)
{
    char *path = eseal_xasprintf("%s/fsync-probe.%ld", dir, (long)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        eseal_rc rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", path, strerror(errno));
        free(path);
        return rc;
    }
    char rec[236];
    memset(rec, 'x', sizeof(rec));
    double t0 = now_s(), t = t0;
    long n = 0;
    eseal_rc rc = ESEAL_OK;
    while (t - t0 < 1.0 || n < 50) {
        if (write(fd, rec, sizeof(rec)) != (ssize_t)sizeof(rec) || fdatasync(fd) != 0) {
            rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", path, strerror(errno));
            break;
        }
        n++;
        t = now_s();
    }
    close(fd);
    unlink(path);
    free(path);
    *rate = (double)n / (t - t0);
    return rc;
}

struct bench {
    struct eseal_log *log;
    uint64_t per_writer; /* 0: until killed */
    size_t entry_bytes;
    int acks_fd;
    double *lat; /* per writer: per_writer slots */
    eseal_rc rc;
    struct eseal_err err;
    pthread_mutex_t lock;
};

struct writer {
    struct bench *b;
    unsigned id;
};

static void *bench_writer(void *arg)
{
    struct writer *w = arg;
    struct bench *b = w->b;
    char *pad = eseal_xmalloc(b->entry_bytes + 1);
    memset(pad, 'p', b->entry_bytes);
    pad[b->entry_bytes] = '\0';
    for (uint64_t i = 0; b->per_writer == 0 || i < b->per_writer; i++) {
        json_t *e = json_pack("{s:i,s:s,s:{s:I,s:I},s:s}", "v", 1, "type", "bench.append", "data",
                              "writer", (json_int_t)w->id, "i", (json_int_t)i, "pad", pad);
        struct eseal_err err;
        uint64_t seq;
        double t0 = now_s();
        eseal_rc rc = eseal_log_append(b->log, e, &seq, &err);
        double dt = now_s() - t0;
        json_decref(e);
        if (rc != ESEAL_OK) {
            pthread_mutex_lock(&b->lock);
            if (b->rc == ESEAL_OK) {
                b->rc = rc;
                b->err = err;
            }
            pthread_mutex_unlock(&b->lock);
            break;
        }
        if (b->per_writer != 0)
            b->lat[w->id * b->per_writer + i] = dt;
        if (b->acks_fd >= 0) {
            char line[64];
            int n = snprintf(line, sizeof(line), "%llu %u %llu\n", (unsigned long long)seq, w->id,
                             (unsigned long long)i);
            /* One write(2) per line: whole lines survive a kill. */
            if (write(b->acks_fd, line, (size_t)n) != n)
                break;
        }
    }
    free(pad);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int log_bench(int argc, char **argv)
{
    struct args a;
    uint64_t allowed = CMD_BIT(OPT_DIR) | CMD_BIT(OPT_CA) | CMD_BIT(OPT_PASS) |
                       CMD_BIT(OPT_WRITERS) | CMD_BIT(OPT_COUNT) | CMD_BIT(OPT_ENTRY_BYTES) |
                       CMD_BIT(OPT_ACKS);
    int r = parse_args(argc, argv, allowed, bench_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    if (a.dir == NULL || a.ca == NULL)
        return cmd_usage_error(bench_usage, "--dir and --ca are required / 缺少必需选项", NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    uint64_t writers = 1, count = 2000, entry_bytes = 120;
    if ((a.writers && parse_u64_arg(a.writers, 256, &writers, "--writers", &err) != ESEAL_OK) ||
        (a.count && parse_u64_arg(a.count, 100000000, &count, "--count", &err) != ESEAL_OK) ||
        (a.entry_bytes &&
         parse_u64_arg(a.entry_bytes, 60000, &entry_bytes, "--entry-bytes", &err) != ESEAL_OK))
        return cmd_fail(&err);
    if (writers == 0)
        return cmd_usage_error(bench_usage, "--writers must be at least 1", NULL);
    struct eseal_ca *ca = NULL;
    struct eseal_log *log = NULL;
    if (open_writer(&log, &ca, &a, &err) != ESEAL_OK)
        return cmd_fail(&err);
    double fsyncs = 0;
    int status = 0;
    if (count > 0 && fsync_rate(a.dir, &fsyncs, &err) != ESEAL_OK)
        status = cmd_fail(&err);
    struct bench b = {
        .log = log, .per_writer = count / writers, .entry_bytes = entry_bytes, .acks_fd = -1};
    pthread_mutex_init(&b.lock, NULL);
    if (status == 0 && a.acks != NULL) {
        b.acks_fd = open(a.acks, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (b.acks_fd < 0) {
            eseal_err_set(&err, ESEAL_E_IO, "%s: %s", a.acks, strerror(errno));
            status = cmd_fail(&err);
        }
    }
    if (status == 0 && count > 0 && b.per_writer == 0)
        b.per_writer = 1;
    uint64_t total = b.per_writer * writers;
    if (status == 0 && count > 0)
        b.lat = eseal_xcalloc(total, sizeof(double));
    struct writer *ws = eseal_xcalloc(writers, sizeof(*ws));
    pthread_t *th = eseal_xcalloc(writers, sizeof(*th));
    double t0 = now_s();
    uint64_t started = 0;
    for (uint64_t i = 0; status == 0 && i < writers; i++) {
        ws[i] = (struct writer){&b, (unsigned)i};
        if (pthread_create(&th[i], NULL, bench_writer, &ws[i]) != 0) {
            eseal_err_set(&err, ESEAL_E_INTERNAL, "cannot start writer threads");
            status = cmd_fail(&err);
            break;
        }
        started++;
    }
    for (uint64_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    double elapsed = now_s() - t0;
    if (status == 0 && b.rc != ESEAL_OK)
        status = cmd_fail(&b.err);
    if (status == 0 && count > 0) {
        qsort(b.lat, total, sizeof(double), cmp_double);
        double rate = (double)total / elapsed;
        double p50 = b.lat[total / 2] * 1e3;
        double p99 = b.lat[total * 99 / 100 < total ? total * 99 / 100 : total - 1] * 1e3;
        printf("writers %-3llu appends %-7llu %8.0f appends/s  p50 %6.3f ms  p99 %6.3f ms  "
               "raw fsync %6.0f/s  appends per fsync-time %.2fx\n",
               (unsigned long long)writers, (unsigned long long)total, rate, p50, p99, fsyncs,
               fsyncs > 0 ? rate / fsyncs : 0.0);
    }
    if (b.acks_fd >= 0)
        close(b.acks_fd);
    pthread_mutex_destroy(&b.lock);
    free(b.lat);
    free(ws);
    free(th);
    eseal_log_close(log);
    eseal_ca_free(ca);
    return status;
}

/* ---- the group -------------------------------------------------------------------- */

static const struct cmd log_cmds[] = {
    {"append", "append JSON lines from stdin / 追加条目", log_append},
    {"checkpoint", "print the latest signed checkpoint / 输出检查点", log_checkpoint},
    {"verify", "audit a whole log / 审计日志", log_verify},
    {"show", "print entries / 显示条目", log_show},
    {"serve", "serve a log read-only over HTTP / 提供日志服务", log_serve},
    {"bench", "measure durable appends per second / 性能测试", log_bench},
};
#define N_LOG_CMDS (sizeof(log_cmds) / sizeof(log_cmds[0]))

static const struct cmd_group_spec log_group = {
    "log",
    "  the append-only event log / 事件日志\n",
    log_cmds,
    N_LOG_CMDS,
};

int cmd_log(int argc, char **argv)
{
    return cmd_dispatch(&log_group, argc, argv);
}
