/* cmd_backup.c — `eseal backup` and `eseal restore`: the platform's state
 * copied consistently while the daemons run, with a manifest of SM3 digests,
 * and put back into empty directories only when the copy is whole and
 * undamaged (docs/operations.md). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "eseal/buf.h"
#include "eseal/enc.h"
#include "eseal/json.h"
#include "eseal/log.h"
#include "issuer_client.h"

#define MANIFEST "manifest.json"
#define FORMAT "eseal-backup/1"
#define DEFAULT_URL "http://127.0.0.1:8441"
#define MANIFEST_MAX (64 * 1024 * 1024)

static const char backup_usage[] =
    "usage: eseal backup --to DIR [--url URL] [--data DIR] [--ca DIR] [--ca-file FILE]\n"
    "  Backs up the platform while it runs: the CA directory (keys stay\n"
    "  encrypted), the issuer's store (a RocksDB checkpoint the running\n"
    "  eseal-issuerd makes: POST /api/v1/backup, admin token in $ESEAL_TOKEN),\n"
    "  then its event log, verified, and its materials, with manifest.json\n"
    "  holding every file's SM3. DIR must not exist. The publisher is not\n"
    "  copied: it is rebuilt from the log. 在线备份.\n"
    "  --url the issuer (default " DEFAULT_URL "); --data its data directory\n"
    "  (default var/issuer); --ca the CA directory (default var/ca).\n";
static const char restore_usage[] =
    "usage: eseal restore --from DIR [--data DIR] [--ca DIR]\n"
    "  Checks the backup in DIR against its manifest — every file present, no\n"
    "  file more, every SM3 right, the log verified — and only then copies it\n"
    "  into the issuer's data directory and the CA directory, which must be\n"
    "  empty or absent (defaults var/issuer and var/ca). Start eseal-issuerd\n"
    "  on them, then eseal-publisherd with a new, empty --data: it rebuilds\n"
    "  every status from the log. 恢复备份.\n";

enum { OPT_TO = 1, OPT_FROM, OPT_URL, OPT_DATA, OPT_CA, OPT_CA_FILE, OPT_HELP = 'h' };

static const struct option long_opts[] = {
    {"to", required_argument, NULL, OPT_TO},   {"from", required_argument, NULL, OPT_FROM},
    {"url", required_argument, NULL, OPT_URL}, {"data", required_argument, NULL, OPT_DATA},
    {"ca", required_argument, NULL, OPT_CA},   {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"help", no_argument, NULL, OPT_HELP},     {NULL, 0, NULL, 0},
};

/* ---- files ----------------------------------------------------------------- */

/* copy_file copies |src| to the new file |dst| with |src|'s mode bits and
 * fsyncs it. */
static eseal_rc copy_file(const char *src, const char *dst, struct eseal_err *err)
{
    struct stat st;
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0 || fstat(in, &st) != 0) {
        if (in >= 0)
            close(in);
        return eseal_err_set(err, ESEAL_E_IO, "%s: %s", src, strerror(errno));
    }
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
    if (out < 0) {
        close(in);
        return eseal_err_set(err, ESEAL_E_IO, "%s: %s", dst, strerror(errno));
    }
    eseal_rc rc = ESEAL_OK;
    char buf[65536];
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", src, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", dst, strerror(errno));
                goto out;
            }
            off += w;
        }
    }
out:
    if (rc == ESEAL_OK && fsync(out) != 0)
        rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", dst, strerror(errno));
    close(in);
    if (close(out) != 0 && rc == ESEAL_OK)
        rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", dst, strerror(errno));
    return rc;
}

/* struct tree_walk is one copy or listing of a directory tree: the files are
 * named relative to the tree's top, prefixed with |prefix| ("ca/", ...). */
struct tree_walk {
    json_t *files;      /* "prefix/rel" -> SM3 hex of the copy (copy_tree) */
    const char *prefix; /* ends in '/' */
};

static eseal_rc sm3_hex_file(const char *path, char hex[2 * ESEAL_SM3_LEN + 1],
                             struct eseal_err *err)
{
    uint8_t d[ESEAL_SM3_LEN];
    eseal_rc rc = cmd_sm3_file(path, d, err);
    if (rc == ESEAL_OK) {
        char *h = eseal_hex(d, sizeof(d));
        memcpy(hex, h, 2 * ESEAL_SM3_LEN + 1);
        free(h);
    }
    return rc;
}

/* copy_tree copies the regular files under |src|/|rel| into |dst|/|rel|
 * (directories 0700) and records each copy's SM3 in w->files. Sorted, so
 * a segment file appears before those after it. */
static eseal_rc copy_tree(struct tree_walk *w, const char *src, const char *dst, const char *rel,
                          struct eseal_err *err)
{
    char *sdir = rel[0] != '\0' ? eseal_path_join(src, rel) : eseal_xstrdup(src);
    char *ddir = rel[0] != '\0' ? eseal_path_join(dst, rel) : eseal_xstrdup(dst);
    struct dirent **names = NULL;
    int n = -1;
    eseal_rc rc = eseal_mkdirs(ddir, 0700, err);
    if (rc == ESEAL_OK && (n = scandir(sdir, &names, NULL, alphasort)) < 0)
        rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", sdir, strerror(errno));
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (rc != ESEAL_OK || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        char *r = rel[0] != '\0' ? eseal_xasprintf("%s/%s", rel, name) : eseal_xstrdup(name);
        char *s = eseal_path_join(src, r), *d = eseal_path_join(dst, r);
        struct stat st;
        if (lstat(s, &st) != 0) {
            rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", s, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = copy_tree(w, src, dst, r, err);
        } else if (S_ISREG(st.st_mode)) {
            char hex[2 * ESEAL_SM3_LEN + 1];
            if ((rc = copy_file(s, d, err)) == ESEAL_OK &&
                (rc = sm3_hex_file(d, hex, err)) == ESEAL_OK) {
                char *key = eseal_xasprintf("%s%s", w->prefix, r);
                json_object_set_new(w->files, key, json_string(hex));
                free(key);
            }
        } /* sockets, links and the like are not state */
        free(r);
        free(s);
        free(d);
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(sdir);
    free(ddir);
    return rc;
}

/* empty_or_absent tells whether |dir| has no entries (or does not exist). */
static bool empty_or_absent(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT;
    bool empty = true;
    struct dirent *e;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* remove_tree removes |dir| and everything under it (best effort: the
 * issuer's checkpoint once copied). */
static void remove_tree(const char *dir)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, NULL);
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0) {
            char *p = eseal_path_join(dir, names[i]->d_name);
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(p);
            else
                unlink(p);
            free(p);
        }
        free(names[i]);
    }
    free(names);
    rmdir(dir);
}

/* audit_log verifies the log copied into |dir| with the CA's log key in
 * |ca_dir| and fills |au|. */
static eseal_rc audit_log(const char *dir, const char *ca_dir, struct eseal_log_audit *au,
                          struct eseal_err *err)
{
    struct eseal_log_key key;
    char *pub = eseal_path_join(ca_dir, "log.pub");
    eseal_rc rc = eseal_log_key_load(&key, pub, err);
    free(pub);
    if (rc == ESEAL_OK)
        rc = eseal_log_audit_dir(au, dir, &key, err);
    return rc;
}

/* ---- backup ---------------------------------------------------------------- */

/* issuer_checkpoint asks the running issuer for a checkpoint of its store
 * and returns its directory (caller frees) and the log position it holds. */
static eseal_rc issuer_checkpoint(const char *url, char **dir, json_int_t *pos,
                                  struct eseal_err *err)
{
    const char *token = getenv("ESEAL_TOKEN");
    if (token == NULL || *token == '\0')
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "缺少管理员令牌 / no admin token: set ESEAL_TOKEN (eseal issuer "
                             "login --print-token)");
    struct issuer_conn c = {.url = url, .token = token};
    struct issuer_reply r;
    issuer_reply_init(&r);
    eseal_rc rc = issuer_call(&c, "POST", "/api/v1/backup", NULL, &r, err);
    if (rc == ESEAL_OK && issuer_refused(&r))
        rc = issuer_refusal_err(&r, "POST /api/v1/backup", err);
    const char *d = json_string_value(json_object_get(r.json, "checkpoint"));
    if (rc == ESEAL_OK && d == NULL)
        rc = eseal_err_set(err, ESEAL_E_IO, "POST /api/v1/backup: no checkpoint in the answer");
    if (rc == ESEAL_OK) {
        *dir = eseal_xstrdup(d);
        *pos = json_integer_value(json_object_get(r.json, "logPosition"));
    }
    issuer_reply_cleanup(&r);
    return rc;
}

/* copy_log copies the issuer's log |src| into |dst| so that it is whole:
 * log.json, then the checkpoints, then the segments — segments only grow and
 * a checkpoint is written after the entries it covers, so every copied
 * checkpoint's entries are in the copied segments. The index is rebuilt. */
static eseal_rc copy_log(json_t *files, const char *src, const char *dst, struct eseal_err *err)
{
    eseal_rc rc = eseal_mkdirs(dst, 0700, err);
    static const char *const order[] = {"log.json", "checkpoints"};
    for (size_t i = 0; rc == ESEAL_OK && i < sizeof(order) / sizeof(order[0]); i++) {
        char *s = eseal_path_join(src, order[i]), *d = eseal_path_join(dst, order[i]);
        char hex[2 * ESEAL_SM3_LEN + 1];
        if ((rc = copy_file(s, d, err)) == ESEAL_OK &&
            (rc = sm3_hex_file(d, hex, err)) == ESEAL_OK) {
            char *key = eseal_xasprintf("issuer/log/%s", order[i]);
            json_object_set_new(files, key, json_string(hex));
            free(key);
        }
        free(s);
        free(d);
    }
    if (rc == ESEAL_OK) {
        struct tree_walk w = {files, "issuer/log/segments/"};
        char *s = eseal_path_join(src, "segments"), *d = eseal_path_join(dst, "segments");
        rc = copy_tree(&w, s, d, "", err);
        free(s);
        free(d);
    }
    return rc;
}

static int run_backup(const char *to, const char *url, const char *data, const char *ca)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    if (mkdir(to, 0700) != 0) {
        fprintf(stderr, "eseal: %s: %s (the backup directory must not exist / 备份目录须不存在)\n",
                to, strerror(errno));
        return EXIT_FAIL;
    }
    json_t *files = json_object();
    char *cp = NULL, *p = NULL, *q = NULL;
    json_int_t pos = 0;
    struct eseal_log_audit au;
    /* the CA first: keys as they are on disk, encrypted */
    struct tree_walk w = {files, "ca/"};
    p = eseal_path_join(to, "ca");
    eseal_rc rc = copy_tree(&w, ca, p, "", &err);
    free(p);
    /* the store, then the log and the materials: both only grow, so the
     * copies hold at least what the store refers to */
    if (rc == ESEAL_OK)
        rc = issuer_checkpoint(url, &cp, &pos, &err);
    if (rc == ESEAL_OK) {
        w.prefix = "issuer/db/";
        p = eseal_path_join(to, "issuer/db");
        rc = copy_tree(&w, cp, p, "", &err);
        free(p);
        remove_tree(cp);
    }
    if (rc == ESEAL_OK) {
        p = eseal_path_join(data, "log");
        q = eseal_path_join(to, "issuer/log");
        rc = copy_log(files, p, q, &err);
        free(p);
        if (rc == ESEAL_OK) {
            p = eseal_path_join(to, "ca");
            rc = audit_log(q, p, &au, &err);
            free(p);
        }
        free(q);
    }
    if (rc == ESEAL_OK && au.latest.size + au.uncovered < (uint64_t)pos)
        rc = eseal_err_set(&err, ESEAL_E_IO,
                           "the copied log holds %llu entries, the store %lld / 日志副本不完整",
                           (unsigned long long)(au.latest.size + au.uncovered), (long long)pos);
    if (rc == ESEAL_OK) {
        w.prefix = "issuer/blobs/";
        p = eseal_path_join(data, "blobs");
        q = eseal_path_join(to, "issuer/blobs");
        rc = copy_tree(&w, p, q, "", &err);
        free(p);
        free(q);
    }
    if (rc == ESEAL_OK) {
        char when[ESEAL_JSON_TIME_BUF];
        eseal_json_time_now(when, sizeof(when), false);
        char *root = eseal_base64(au.latest.root, sizeof(au.latest.root), ESEAL_B64_STD);
        json_t *m =
            json_pack("{s:s,s:s,s:I,s:{s:I,s:s,s:I},s:O}", "format", FORMAT, "created", when,
                      "storeLogPosition", pos, "log", "size", (json_int_t)au.latest.size, "root",
                      root, "uncovered", (json_int_t)au.uncovered, "files", files);
        free(root);
        char *text = json_dumps(m, JSON_INDENT(1) | JSON_SORT_KEYS);
        json_decref(m);
        p = eseal_path_join(to, MANIFEST);
        rc = eseal_file_write(p, text, strlen(text), 0600, 1, &err);
        free(p);
        free(text);
    }
    if (rc == ESEAL_OK)
        printf(
            "backup: %s — %zu files, log %llu entries verified, store at entry %lld / 备份完成\n",
            to, json_object_size(files), (unsigned long long)(au.latest.size + au.uncovered),
            (long long)pos);
    free(cp);
    json_decref(files);
    if (rc != ESEAL_OK) {
        fprintf(stderr, "eseal: backup failed / 备份失败: %s (%s is incomplete: delete it)\n",
                err.msg, to);
        return rc == ESEAL_E_UNAVAILABLE || rc == ESEAL_E_IO ? EXIT_IO : EXIT_FAIL;
    }
    return 0;
}

int cmd_backup(int argc, char **argv)
{
    struct cmd_args a;
    int r = cmd_parse(argc, argv, "h", long_opts,
                      CMD_BIT(OPT_TO) | CMD_BIT(OPT_URL) | CMD_BIT(OPT_DATA) | CMD_BIT(OPT_CA) |
                          CMD_BIT(OPT_CA_FILE),
                      0, backup_usage, EXIT_USAGE, &a);
    if (r == 0)
        r = cmd_ca_file(a.opt[OPT_CA_FILE], EXIT_USAGE);
    if (r != 0)
        return r < 0 ? 0 : r;
    if (a.opt[OPT_TO] == NULL)
        return cmd_usage_error(backup_usage, "--to is required / 缺少 --to", NULL);
    return run_backup(a.opt[OPT_TO], a.opt[OPT_URL] != NULL ? a.opt[OPT_URL] : DEFAULT_URL,
                      a.opt[OPT_DATA] != NULL ? a.opt[OPT_DATA] : "var/issuer",
                      a.opt[OPT_CA] != NULL ? a.opt[OPT_CA] : "var/ca");
}

/* ---- restore --------------------------------------------------------------- */

/* check_listed walks |dir|/|rel| and refuses a regular file the manifest
 * does not list (anything else there is not ours either). */
static eseal_rc check_listed(const json_t *files, const char *dir, const char *rel,
                             struct eseal_err *err)
{
    char *d = rel[0] != '\0' ? eseal_path_join(dir, rel) : eseal_xstrdup(dir);
    struct dirent **names = NULL;
    int n = scandir(d, &names, NULL, alphasort);
    eseal_rc rc = n < 0 ? eseal_err_set(err, ESEAL_E_IO, "%s: %s", d, strerror(errno)) : ESEAL_OK;
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (rc == ESEAL_OK && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
            !(rel[0] == '\0' && strcmp(name, MANIFEST) == 0)) {
            char *r = rel[0] != '\0' ? eseal_xasprintf("%s/%s", rel, name) : eseal_xstrdup(name);
            char *p = eseal_path_join(dir, r);
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
                rc = check_listed(files, dir, r, err);
            else if (json_object_get(files, r) == NULL)
                rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                                   "%s: not in the manifest / 清单中没有此文件", r);
            free(r);
            free(p);
        }
        free(names[i]);
    }
    free(names);
    free(d);
    return rc;
}

/* check_backup refuses a backup that is not whole or not intact: the
 * manifest's format, every listed file present with its SM3, no file more,
 * and the log verifying with the backup's own log key at the size recorded. */
static eseal_rc check_backup(const char *from, json_t **manifest, struct eseal_err *err)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    char *p = eseal_path_join(from, MANIFEST);
    eseal_rc rc = eseal_file_read(&b, p, MANIFEST_MAX, err);
    free(p);
    json_t *m = NULL;
    if (rc == ESEAL_OK && eseal_json_parse(&m, b.data, b.len, NULL, err) != ESEAL_OK)
        rc = err->rc;
    eseal_buf_cleanup(&b);
    const json_t *files = json_object_get(m, "files");
    const char *format = json_string_value(json_object_get(m, "format"));
    if (rc == ESEAL_OK && (format == NULL || strcmp(format, FORMAT) != 0 || !json_is_object(files)))
        rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: not an %s manifest / 不是备份清单", MANIFEST,
                           FORMAT);
    const char *name;
    json_t *want;
    if (rc == ESEAL_OK) {
        json_object_foreach((json_t *)files, name, want)
        {
            char hex[2 * ESEAL_SM3_LEN + 1];
            if (strstr(name, "..") != NULL || name[0] == '/') {
                rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: a path outside the backup", name);
                break;
            }
            p = eseal_path_join(from, name);
            rc = sm3_hex_file(p, hex, err);
            free(p);
            if (rc == ESEAL_E_NOTFOUND) {
                rc = eseal_err_set(err, ESEAL_E_NOTFOUND,
                                   "%s: missing, the backup is incomplete / 备份不完整", name);
                break;
            }
            if (rc != ESEAL_OK)
                break;
            if (!json_is_string(want) || strcmp(hex, json_string_value(want)) != 0) {
                rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                                   "%s: SM3 differs from the manifest, the backup is damaged / "
                                   "备份已损坏",
                                   name);
                break;
            }
        }
    }
    if (rc == ESEAL_OK)
        rc = check_listed(files, from, "", err);
    if (rc == ESEAL_OK) {
        struct eseal_log_audit au;
        char *log = eseal_path_join(from, "issuer/log"), *ca = eseal_path_join(from, "ca");
        rc = audit_log(log, ca, &au, err);
        if (rc != ESEAL_OK) {
            char why[ESEAL_ERR_MSG_MAX];
            snprintf(why, sizeof(why), "%s", err->msg);
            eseal_err_set(err, rc, "the log does not verify / 日志校验失败: %s", why);
        }
        json_int_t size = json_integer_value(json_object_get(json_object_get(m, "log"), "size"));
        if (rc == ESEAL_OK && au.latest.size != (uint64_t)size)
            rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                               "the log's checkpoint is at %llu entries, the manifest says %lld",
                               (unsigned long long)au.latest.size, (long long)size);
        free(log);
        free(ca);
    }
    if (rc != ESEAL_OK) {
        json_decref(m);
        return rc;
    }
    *manifest = m;
    return ESEAL_OK;
}

static int run_restore(const char *from, const char *data, const char *ca)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    json_t *m = NULL;
    eseal_rc rc = check_backup(from, &m, &err);
    if (rc != ESEAL_OK) {
        fprintf(stderr, "eseal: refused / 拒绝恢复: %s\n", err.msg);
        return EXIT_FAIL;
    }
    if (!empty_or_absent(data) || !empty_or_absent(ca)) {
        fprintf(stderr,
                "eseal: refused / 拒绝恢复: %s and %s must be empty or absent / 目标目录须为空\n",
                data, ca);
        json_decref(m);
        return EXIT_FAIL;
    }
    json_t *files = json_object();
    struct tree_walk w = {files, "ca/"};
    char *p = eseal_path_join(from, "ca");
    rc = copy_tree(&w, p, ca, "", &err);
    free(p);
    if (rc == ESEAL_OK) {
        w.prefix = "issuer/";
        p = eseal_path_join(from, "issuer");
        rc = copy_tree(&w, p, data, "", &err);
        free(p);
    }
    /* what was written is what the manifest promised */
    if (rc == ESEAL_OK && !json_equal(files, json_object_get(m, "files")))
        rc = eseal_err_set(&err, ESEAL_E_IO, "the restored files differ from the manifest");
    json_decref(files);
    if (rc != ESEAL_OK) {
        fprintf(stderr, "eseal: restore failed / 恢复失败: %s\n", err.msg);
        json_decref(m);
        return EXIT_IO;
    }
    printf("restore: %s -> %s, %s — log %lld entries; start eseal-issuerd, then eseal-publisherd "
           "on an empty --data / 恢复完成\n",
           from, data, ca,
           (long long)json_integer_value(json_object_get(json_object_get(m, "log"), "size")));
    json_decref(m);
    return 0;
}

int cmd_restore(int argc, char **argv)
{
    struct cmd_args a;
    int r = cmd_parse(argc, argv, "h", long_opts,
                      CMD_BIT(OPT_FROM) | CMD_BIT(OPT_DATA) | CMD_BIT(OPT_CA), 0, restore_usage,
                      EXIT_USAGE, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    if (a.opt[OPT_FROM] == NULL)
        return cmd_usage_error(restore_usage, "--from is required / 缺少 --from", NULL);
    return run_restore(a.opt[OPT_FROM], a.opt[OPT_DATA] != NULL ? a.opt[OPT_DATA] : "var/issuer",
                       a.opt[OPT_CA] != NULL ? a.opt[OPT_CA] : "var/ca");
}
