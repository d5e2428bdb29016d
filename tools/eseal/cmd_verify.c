/* cmd_verify.c — `eseal verify`: validate detached seal signatures and OFD
 * documents (one, or a batch in parallel threads) or a seal picture, and print the report; the
 * exit code is the verdict (DESIGN.md §7). */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/seal.h"
#include "eseal/verify.h"
#include "cmd.h"

static const char verify_usage[] =
    "usage: eseal verify IN --sig SIG [options]        one signature over the file IN\n"
    "       eseal verify DOC.ofd [options]              every signature inside an OFD\n"
    "       eseal verify --batch DIR|FILE... [options]  many, in parallel (JSON Lines)\n"
    "       eseal verify --picture IMAGE --trust FILE --status-url URL\n"
    "  Validates the seal signature SIG (GB/T 38540 SES_Signature, DER) over the\n"
    "  file IN: format, document digest, signature, signer in the seal's\n"
    "  certificate list, seal-maker signature, chains to --trust, validity at\n"
    "  the best signature time, seal status, picture digest. 验证电子签章.\n"
    "  Without --sig, IN is an OFD (GB/T 33190): each signature in it is checked\n"
    "  with its References, Seal.esl and stamp pages (docs/ofd.md).\n"
    "  --trust FILE        PEM trust anchors (the platform root); without it the\n"
    "                      chain is INDETERMINATE\n"
    "  --status-url URL    the publisher (http://127.0.0.1:8442 or https://...):\n"
    "                      signed status, responder certificate checked against\n"
    "                      --trust\n"
    "  --ca-file FILE      PEM CA certificates for an https:// --status-url\n"
    "                      (default: the system store)\n"
    "  --status-file FILE  a status list (/lists/{shard}/full) or a status\n"
    "                      response saved from the publisher, with\n"
    "  --responder FILE    the publisher's responder certificate (PEM)\n"
    "  --no-status         do not check the seal's status: reported as skipped,\n"
    "                      and every report says the verdict is then no better\n"
    "                      than INDETERMINATE for a relying party\n"
    "  --at TIME           validation time, 2021-01-01T00:00:00Z or 2021-01-01\n"
    "                      (default now)\n"
    "  --json              print the report as JSON\n"
    "  --batch             the arguments are signatures (*.ses: the document is\n"
    "                      the same path without .ses, if present), seals (*.esl),\n"
    "                      OFD documents (*.ofd)\n"
    "                      or directories of them; prints one JSON line each and a\n"
    "                      count per indication on stderr\n"
    "  --jobs N            threads for --batch (default: the number of CPUs)\n"
    "  --quiet             --batch without the JSON lines: the counts and the\n"
    "                      exit code only\n"
    "  --picture IMAGE     is IMAGE the registered picture of a seal? which, and\n"
    "                      its status (online only: needs --status-url)\n"
    "  Exit: 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE (a batch: the worst),\n"
    "  3 usage or I/O error.\n";

enum {
    OPT_SIG = 1,
    OPT_TRUST,
    OPT_AT,
    OPT_NO_STATUS,
    OPT_JSON,
    OPT_STATUS_URL,
    OPT_STATUS_FILE,
    OPT_RESPONDER,
    OPT_BATCH,
    OPT_JOBS,
    OPT_PICTURE,
    OPT_QUIET,
    OPT_CA_FILE,
    OPT_HELP,
};

static const struct option long_opts[] = {
    {"sig", required_argument, NULL, OPT_SIG},
    {"trust", required_argument, NULL, OPT_TRUST},
    {"at", required_argument, NULL, OPT_AT},
    {"no-status", no_argument, NULL, OPT_NO_STATUS},
    {"json", no_argument, NULL, OPT_JSON},
    {"status-url", required_argument, NULL, OPT_STATUS_URL},
    {"status-file", required_argument, NULL, OPT_STATUS_FILE},
    {"responder", required_argument, NULL, OPT_RESPONDER},
    {"batch", no_argument, NULL, OPT_BATCH},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"picture", required_argument, NULL, OPT_PICTURE},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* The most files one batch takes (a directory listing included). */
#define BATCH_MAX 1000000
#define JOBS_MAX 256
/* The largest OFD read into memory (its entries are bounded by zip.h too). */
#define OFD_FILE_MAX (256u * 1024 * 1024)

struct args {
    struct cmd_args p;
    const char *in, *sig, *trust, *at, *status_url, *status_file, *responder, *picture;
    bool no_status, json, batch, quiet;
    int jobs;
    time_t at_time;
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

static int check_modes(const struct args *a)
{
    int sources = (a->status_url != NULL) + (a->status_file != NULL) + a->no_status;
    if (sources > 1)
        return usage_error(
            "use one of --status-url, --status-file, --no-status / 状态来源只能选一个", NULL);
    if (a->status_file != NULL && a->responder == NULL)
        return usage_error("--status-file needs --responder / 缺少 --responder", NULL);
    if ((a->status_url != NULL || a->status_file != NULL) && a->trust == NULL)
        return usage_error("a status source needs --trust (the platform root) to authenticate its "
                           "answers / 状态来源需要 --trust 信任锚",
                           NULL);
    if (a->picture != NULL)
        return a->p.n_pos > 0 || a->sig != NULL || a->batch
                   ? usage_error("--picture takes no other input / --picture 不能与其他输入同用",
                                 NULL)
                   : 0;
    if (a->batch)
        return a->p.n_pos == 0
                   ? usage_error("--batch needs files or directories / 缺少批量输入", NULL)
               : a->sig != NULL ? usage_error("--batch finds each signature itself; no --sig", NULL)
                                : 0;
    if (a->in == NULL || a->p.n_pos > 1)
        return usage_error("one signed file IN is required / 缺少被签文件", NULL);
    return 0; /* without --sig the file is an OFD */
}

static int parse_args(int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof(*a));
    struct cmd_args *p = &a->p;
    int r = cmd_parse(argc, argv, "", long_opts, CMD_ALL, CMD_MAX_POS, verify_usage,
                      EXIT_VERIFY_ERROR, p);
    if (r == 0)
        r = cmd_ca_file(p->opt[OPT_CA_FILE], EXIT_VERIFY_ERROR);
    if (r != 0)
        return r;
    a->in = p->pos[0];
    a->sig = p->opt[OPT_SIG];
    a->trust = p->opt[OPT_TRUST];
    a->at = p->opt[OPT_AT];
    a->status_url = p->opt[OPT_STATUS_URL];
    a->status_file = p->opt[OPT_STATUS_FILE];
    a->responder = p->opt[OPT_RESPONDER];
    a->picture = p->opt[OPT_PICTURE];
    a->no_status = p->opt[OPT_NO_STATUS] != NULL;
    a->json = p->opt[OPT_JSON] != NULL;
    a->batch = p->opt[OPT_BATCH] != NULL;
    a->quiet = p->opt[OPT_QUIET] != NULL;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    a->jobs = cpus > 0 ? (int)(cpus < JOBS_MAX ? cpus : JOBS_MAX) : 1;
    struct eseal_err err;
    eseal_err_clear(&err);
    if (p->opt[OPT_JOBS] != NULL &&
        cmd_parse_int(p->opt[OPT_JOBS], 1, JOBS_MAX, &a->jobs, "--jobs", &err) != ESEAL_OK)
        return usage_error(err.msg, NULL);
    if (a->at != NULL && cmd_parse_time(a->at, &a->at_time, "--at", &err) != ESEAL_OK)
        return usage_error(err.msg, NULL);
    return check_modes(a);
}

/* setup fills |o| from the arguments: trust anchors, the status source, a
 * cache. Undone by teardown. */
static eseal_rc setup(const struct args *a, struct eseal_verify_opts *o, struct eseal_err *err)
{
    memset(o, 0, sizeof(*o));
    o->no_status = a->no_status;
    o->at = a->at_time;
    eseal_rc rc = ESEAL_OK;
    if (a->trust != NULL && (rc = eseal_verify_load_trust(&o->trust, a->trust, err)) != ESEAL_OK)
        return rc;
    if (a->status_url != NULL)
        rc = eseal_status_source_url(&o->status, a->status_url, o->trust, err);
    else if (a->status_file != NULL)
        rc = eseal_status_source_file(&o->status, a->status_file, a->responder, o->trust, err);
    o->cache = eseal_verify_cache_new();
    return rc;
}

static void teardown(struct eseal_verify_opts *o)
{
    eseal_status_source_free(o->status);
    eseal_verify_cache_free(o->cache);
    sk_X509_pop_free(o->trust, X509_free);
}

static void print_report(const struct eseal_report *r, bool json)
{
    if (json) {
        json_t *j = eseal_report_json(r);
        json_dumpf(j, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(j);
    } else {
        eseal_report_print(r, stdout);
    }
}

static bool has_suffix(const char *s, const char *suffix);

/* is_zip tells whether the file at |path| starts as a zip (an OFD). */
static bool is_zip(const char *path)
{
    uint8_t magic[4] = {0};
    FILE *f = fopen(path, "rb");
    size_t n = f != NULL ? fread(magic, 1, sizeof(magic), f) : 0;
    if (f != NULL)
        fclose(f);
    return eseal_container_ofd.probe(magic, n);
}

/* verify_ofd validates every signature of the OFD at |path| into |d|. */
static eseal_rc verify_ofd(const char *path, const struct eseal_verify_opts *o,
                           struct eseal_document_report *d, struct eseal_err *err)
{
    static const struct eseal_container *const formats[] = {&eseal_container_ofd};
    struct eseal_buf doc;
    eseal_buf_init(&doc);
    eseal_rc rc = eseal_file_read(&doc, path, OFD_FILE_MAX, err);
    if (rc == ESEAL_OK)
        eseal_verify_document(d, formats, 1, doc.data, doc.len, NULL, 0, o);
    eseal_buf_cleanup(&doc);
    return rc;
}

static int verify_single_ofd(const struct args *a, const struct eseal_verify_opts *o)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_document_report d;
    eseal_document_report_init(&d);
    int code = EXIT_VERIFY_ERROR;
    if (verify_ofd(a->in, o, &d, &err) != ESEAL_OK) {
        io_error(&err);
    } else if (a->json) {
        json_t *j = eseal_document_report_json(&d);
        json_dumpf(j, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(j);
        code = eseal_document_report_exit_code(&d);
    } else {
        eseal_document_report_print(&d, stdout);
        code = eseal_document_report_exit_code(&d);
    }
    eseal_document_report_cleanup(&d);
    return code;
}

static int verify_single(const struct args *a, const struct eseal_verify_opts *o)
{
    if (a->sig == NULL && !has_suffix(a->in, ".ofd") && !is_zip(a->in))
        return usage_error("--sig is required unless IN is an OFD / 缺少 --sig", NULL);
    if (a->sig == NULL)
        return verify_single_ofd(a, o);
    struct eseal_err err;
    eseal_err_clear(&err);
    uint8_t digest[ESEAL_SM3_LEN];
    struct eseal_buf sig;
    eseal_buf_init(&sig);
    int code = EXIT_VERIFY_ERROR;
    if (eseal_file_read(&sig, a->sig, ESEAL_SEAL_MAX, &err) != ESEAL_OK ||
        cmd_sm3_file(a->in, digest, &err) != ESEAL_OK) {
        io_error(&err);
    } else {
        struct eseal_report rep;
        eseal_report_init(&rep);
        eseal_verify_ses(&rep, sig.data, sig.len, digest, o);
        print_report(&rep, a->json);
        code = eseal_report_exit_code(&rep);
        eseal_report_cleanup(&rep);
    }
    eseal_buf_cleanup(&sig);
    return code;
}

static int verify_picture(const struct args *a, const struct eseal_verify_opts *o)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_buf img;
    eseal_buf_init(&img);
    if (eseal_file_read(&img, a->picture, ESEAL_SEAL_PICTURE_MAX, &err) != ESEAL_OK) {
        eseal_buf_cleanup(&img);
        return io_error(&err);
    }
    struct eseal_report rep;
    eseal_report_init(&rep);
    eseal_verify_picture(&rep, img.data, img.len, o);
    print_report(&rep, a->json);
    int code = eseal_report_exit_code(&rep);
    eseal_report_cleanup(&rep);
    eseal_buf_cleanup(&img);
    return code;
}

/* ---- batch ------------------------------------------------------------------------ */

struct batch {
    const struct eseal_verify_opts *o;
    char **files;
    size_t n, next, done;
    size_t counts[3], errors;
    bool progress, quiet;
    pthread_mutex_t mu;
};

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_path(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* add_file appends |path| to the batch. */
static eseal_rc add_file(struct batch *b, size_t *cap, const char *path, struct eseal_err *err)
{
    if (b->n == BATCH_MAX)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "more than %d files", BATCH_MAX);
    if (b->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        b->files = eseal_xrealloc(b->files, *cap * sizeof(*b->files));
    }
    b->files[b->n++] = eseal_xstrdup(path);
    return ESEAL_OK;
}

/* collect adds |path|: a file, or the regular *.ses, *.esl and *.ofd files of a
 * directory, sorted. Directories inside are not entered (a link back up
 * would never end). */
static eseal_rc collect(struct batch *b, size_t *cap, const char *path, struct eseal_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return eseal_err_set(err, ESEAL_E_NOTFOUND, "%s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return add_file(b, cap, path, err);
    DIR *d = opendir(path);
    if (d == NULL)
        return eseal_err_set(err, ESEAL_E_IO, "%s: %s", path, strerror(errno));
    size_t first = b->n;
    eseal_rc rc = ESEAL_OK;
    struct dirent *e;
    while (rc == ESEAL_OK && (e = readdir(d)) != NULL) {
        if (!has_suffix(e->d_name, ".ses") && !has_suffix(e->d_name, ".esl") &&
            !has_suffix(e->d_name, ".ofd"))
            continue;
        char *full = eseal_xasprintf("%s/%s", path, e->d_name);
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
            rc = add_file(b, cap, full, err);
        free(full);
    }
    closedir(d);
    qsort(b->files + first, b->n - first, sizeof(*b->files), cmp_path);
    return rc;
}

/* verify_file verifies one batch item into |r|; false with |err| when the
 * files cannot be read. *doc is the document used (free() it), or NULL. */
static bool verify_file(const char *path, const struct eseal_verify_opts *o, struct eseal_report *r,
                        char **doc, struct eseal_err *err)
{
    struct eseal_buf der;
    eseal_buf_init(&der);
    *doc = NULL;
    bool ok = eseal_file_read(&der, path, ESEAL_SEAL_MAX, err) == ESEAL_OK;
    if (ok && has_suffix(path, ".esl")) {
        eseal_verify_seal(r, der.data, der.len, o);
    } else if (ok) {
        uint8_t digest[ESEAL_SM3_LEN];
        struct stat st;
        if (has_suffix(path, ".ses")) {
            *doc = eseal_xasprintf("%.*s", (int)(strlen(path) - 4), path);
            if (stat(*doc, &st) != 0) {
                free(*doc);
                *doc = NULL;
            }
        }
        ok = *doc == NULL || cmd_sm3_file(*doc, digest, err) == ESEAL_OK;
        if (ok)
            eseal_verify_ses(r, der.data, der.len, *doc != NULL ? digest : NULL, o);
    }
    eseal_buf_cleanup(&der);
    return ok;
}

/* progress draws "[#####     ] done/n" on stderr (a terminal only). */
static void progress(const struct batch *b)
{
    enum { WIDTH = 30 };
    size_t fill = b->n ? b->done * WIDTH / b->n : WIDTH;
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu", (int)fill, "##############################",
            (int)(WIDTH - fill), "", b->done, b->n);
    fflush(stderr);
}

/* line returns the item's JSON line (free() it), or NULL with --quiet. */
static char *line(const struct batch *b, const char *path, const char *doc,
                  const struct eseal_report *r, const struct eseal_err *err)
{
    if (b->quiet)
        return NULL;
    json_t *j = r != NULL ? eseal_report_json(r) : json_object();
    json_object_set_new(j, "file", json_string(path));
    json_object_set_new(j, "document", doc != NULL ? json_string(doc) : json_null());
    if (r == NULL)
        json_object_set_new(
            j, "error",
            json_pack("{s:s, s:s}", "code", eseal_rc_name(err->rc), "message", err->msg));
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return text;
}

/* emit prints the item's line (made outside the lock) and counts its
 * indication (NULL: unreadable) (b->mu held). */
static void emit(struct batch *b, const char *text, const enum eseal_indication *ind)
{
    if (ind == NULL)
        b->errors++;
    else
        b->counts[*ind]++;
    if (text != NULL) {
        fputs(text, stdout);
        putchar('\n');
    }
    b->done++;
    if (b->progress)
        progress(b);
}

/* batch_ofd verifies one OFD of a batch: its line is the document report
 * with "file". */
static void batch_ofd(struct batch *b, const char *path)
{
    struct eseal_document_report d;
    eseal_document_report_init(&d);
    struct eseal_err err;
    eseal_err_clear(&err);
    bool ok = verify_ofd(path, b->o, &d, &err) == ESEAL_OK;
    char *text = NULL;
    if (!ok) {
        text = line(b, path, NULL, NULL, &err);
    } else if (!b->quiet) {
        json_t *j = eseal_document_report_json(&d);
        json_object_set_new(j, "file", json_string(path));
        text = json_dumps(j, JSON_COMPACT);
        json_decref(j);
    }
    pthread_mutex_lock(&b->mu);
    emit(b, text, ok ? &d.indication : NULL);
    pthread_mutex_unlock(&b->mu);
    free(text);
    eseal_document_report_cleanup(&d);
}

static void *worker(void *arg)
{
    struct batch *b = arg;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        size_t i = b->next++;
        pthread_mutex_unlock(&b->mu);
        if (i >= b->n)
            return NULL;
        struct eseal_report r;
        eseal_report_init(&r);
        struct eseal_err err;
        eseal_err_clear(&err);
        char *doc = NULL;
        if (has_suffix(b->files[i], ".ofd")) {
            batch_ofd(b, b->files[i]);
            continue;
        }
        bool ok = verify_file(b->files[i], b->o, &r, &doc, &err);
        char *text = line(b, b->files[i], doc, ok ? &r : NULL, &err);
        pthread_mutex_lock(&b->mu);
        emit(b, text, ok ? &r.indication : NULL);
        pthread_mutex_unlock(&b->mu);
        free(text);
        free(doc);
        eseal_report_cleanup(&r);
    }
}

static int batch_code(const struct batch *b)
{
    fprintf(stderr,
            "%s%zu verified / 已验证: TOTAL_PASSED %zu, TOTAL_FAILED %zu, INDETERMINATE %zu, "
            "unreadable / 无法读取 %zu\n",
            b->progress ? "\n" : "", b->n, b->counts[ESEAL_TOTAL_PASSED],
            b->counts[ESEAL_TOTAL_FAILED], b->counts[ESEAL_INDETERMINATE], b->errors);
    if (b->errors > 0)
        return EXIT_VERIFY_ERROR;
    return b->counts[ESEAL_TOTAL_FAILED] ? 1 : b->counts[ESEAL_INDETERMINATE] ? 2 : 0;
}

/* keep_freed_memory: a batch reads document after document of about the same
 * size. By default glibc hands each freed document buffer (over 128 KiB) back
 * to the kernel and the next document faults fresh zeroed pages in again:
 * about 6 % of the time of verifying a 1 MB OFD (tools/bench/ofd.sh). Kept,
 * the memory a batch holds is bounded by its largest documents times --jobs;
 * buffers over 32 MiB (glibc's ceiling for this setting) are still mapped
 * and unmapped one by one. */
static void keep_freed_memory(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

static int verify_batch(const struct args *a, const struct eseal_verify_opts *o)
{
    struct batch b = {.o = o, .progress = isatty(STDERR_FILENO) == 1, .quiet = a->quiet};
    pthread_mutex_init(&b.mu, NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    size_t cap = 0;
    int code = EXIT_VERIFY_ERROR;
    for (size_t i = 0; i < a->p.n_pos; i++)
        if (collect(&b, &cap, a->p.pos[i], &err) != ESEAL_OK) {
            io_error(&err);
            goto out;
        }
    keep_freed_memory();
    size_t jobs = (size_t)a->jobs < b.n ? (size_t)a->jobs : (b.n > 0 ? b.n : 1);
    pthread_t *t = eseal_xcalloc(jobs, sizeof(*t));
    size_t started = 0;
    while (started < jobs && pthread_create(&t[started], NULL, worker, &b) == 0)
        started++;
    if (started == 0)
        worker(&b); /* no thread could start: do it here */
    for (size_t i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(t);
    code = batch_code(&b);
out:
    for (size_t i = 0; i < b.n; i++)
        free(b.files[i]);
    free(b.files);
    pthread_mutex_destroy(&b.mu);
    return code;
}

int cmd_verify(int argc, char **argv)
{
    struct args a;
    int r = parse_args(argc, argv, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    struct eseal_err err;
    eseal_err_clear(&err);
    /* libzip turns each entry's DOS time into a time_t with mktime, which
     * stats /etc/localtime on every call while TZ is unset: pinning the
     * zone the process already has saves a system call per zip entry.
     * Nothing here prints local time (Beijing time is computed). */
    if (getenv("TZ") == NULL)
        setenv("TZ", ":/etc/localtime", 0);
    struct eseal_verify_opts o;
    int code;
    if (a.no_status && (a.json || a.batch))
        fputs("eseal verify: 注意：未检查印章状态 (--no-status)，结论对依赖方最多算“无法确定” / "
              "note: status not checked (--no-status): for a relying party the verdict is no "
              "better than INDETERMINATE\n",
              stderr);
    if (setup(&a, &o, &err) != ESEAL_OK)
        code = io_error(&err);
    else if (a.picture != NULL)
        code = verify_picture(&a, &o);
    else if (a.batch)
        code = verify_batch(&a, &o);
    else
        code = verify_single(&a, &o);
    teardown(&o);
    return code;
}
