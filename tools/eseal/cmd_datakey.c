/* cmd_datakey.c — `eseal issuer rotate-data-key`: a new data key for the
 * issuer's material store, every material re-encrypted to it, while
 * eseal-issuerd is stopped (docs/security.md "Personal data at rest"). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <jansson.h>

#include "eseal/buf.h"
#include "eseal/ca.h"
#include "eseal/issuer.h"
#include "eseal/log.h"
#include "blob.h"
#include "cmd.h"

static const char rotate_data_key_usage[] =
    "usage: eseal issuer rotate-data-key --data DIR --ca CADIR [--passphrase-file FILE]\n"
    "  Rotates the data key of eseal-issuerd's materials: a new random key\n"
    "  (DIR/blobs/data.key, wrapped by the CA's platform secret), every material\n"
    "  re-encrypted to it, then the old key replaced; logged as key.rotated in\n"
    "  DIR/log. 轮换材料数据密钥. Stop eseal-issuerd first: the command refuses\n"
    "  while it runs. Safe to interrupt: run it again (or start eseal-issuerd) and\n"
    "  it finishes the rotation. Progress on stderr. The CA passphrase comes from\n"
    "  --passphrase-file or " ESEAL_CA_PASSPHRASE_ENV ".\n";

enum { OPT_DATA = 1, OPT_CA, OPT_PASS, OPT_HELP };

static const struct option long_opts[] = {
    {"data", required_argument, NULL, OPT_DATA},
    {"ca", required_argument, NULL, OPT_CA},
    {"passphrase-file", required_argument, NULL, OPT_PASS},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* show_progress prints "N of M" about twenty times a run, and the last. */
static bool show_progress(void *ctx, size_t done, size_t total)
{
    (void)ctx;
    size_t step = total / 20 > 0 ? total / 20 : 1;
    if (done > 0 && (done == total || done % step == 0))
        fprintf(stderr, "eseal: 重新加密材料 / re-encrypting materials: %zu of %zu\n", done, total);
    return true;
}

/* blob_file_exists says whether the material store under |data| has the
 * file |name|. */
static bool blob_file_exists(const char *data, const char *name)
{
    char *path = eseal_xasprintf("%s/blobs/%s", data, name);
    struct stat st;
    bool found = stat(path, &st) == 0;
    free(path);
    return found;
}

/* rotation_data is the key.rotated entry's data: counts and the SM3 of the
 * wrapped key files, never a key. */
static json_t *rotation_data(const struct eseal_blob_rotation *r)
{
    return json_pack("{s:s, s:{s:s}, s:{s:s}, s:I, s:I, s:I, s:b}", "role", "data", "old", "sm3",
                     r->old_sm3, "new", "sm3", r->new_sm3, "files", (json_int_t)r->files,
                     "reencrypted", (json_int_t)r->reencrypted, "unreadable",
                     (json_int_t)r->unreadable, "resumed", r->resumed);
}

int cmd_issuer_rotate_data_key(int argc, char **argv)
{
    struct cmd_args p;
    int r = cmd_parse(argc, argv, "", long_opts,
                      CMD_BIT(OPT_DATA) | CMD_BIT(OPT_CA) | CMD_BIT(OPT_PASS), 0,
                      rotate_data_key_usage, EXIT_USAGE, &p);
    if (r != 0)
        return r < 0 ? 0 : r;
    const char *data = p.opt[OPT_DATA], *ca_dir = p.opt[OPT_CA];
    if (data == NULL || ca_dir == NULL)
        return cmd_usage_error(rotate_data_key_usage,
                               "--data and --ca are required / 缺少 --data 或 --ca", NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    /* Not an issuer's data directory: refuse before the log open creates
     * anything there. */
    if (!blob_file_exists(data, ESEAL_BLOB_KEY_FILE)) {
        fprintf(stderr,
                "eseal: %s 不是 eseal-issuerd 的数据目录（没有 blobs/%s）/ %s is not an "
                "eseal-issuerd data directory (no blobs/%s)\n",
                data, ESEAL_BLOB_KEY_FILE, data, ESEAL_BLOB_KEY_FILE);
        return EXIT_FAIL;
    }
    struct eseal_buf pass;
    eseal_buf_init(&pass);
    if (eseal_read_secret(&pass, p.opt[OPT_PASS], ESEAL_CA_PASSPHRASE_ENV, &err) != ESEAL_OK)
        return cmd_fail(&err);
    char *log_dir = eseal_path_join(data, "log");
    struct eseal_ca *ca = NULL;
    struct eseal_log *log = NULL;
    json_t *rot_data = NULL, *entry = NULL;
    uint64_t seq = 0;
    struct eseal_blob_rotation rot;
    const struct eseal_blob_progress progress = {show_progress, NULL};
    eseal_rc rc = cmd_open_log(ca_dir, log_dir, &pass, ESEAL_CA_UNLOCK_COMMIT, &ca, &log, &err);
    eseal_buf_cleanse(&pass);
    if (rc == ESEAL_OK &&
        (rc = eseal_issuer_rotate_data_key(data, ca, &progress, &rot, &err)) != ESEAL_OK &&
        blob_file_exists(data, ESEAL_BLOB_NEXT_KEY_FILE))
        eseal_err_prefix(&err, "轮换未完成，排除故障后再次运行本命令即可继续 / the rotation is not "
                               "finished: run this command again to resume it");
    if (rc == ESEAL_OK) {
        rot_data = rotation_data(&rot);
        entry = cmd_rotation_entry("key.rotated", rot_data);
        rc = cmd_log_event(log, entry, &seq, &err);
    }
    if (rc == ESEAL_OK)
        printf("%s / %s: 材料 %zu 份，重新加密 %zu 份，已是新密钥 %zu 份，无法读取 %zu 份；"
               "日志条目 %llu / %zu materials, %zu re-encrypted, %zu already under the new key, "
               "%zu unreadable (damaged before); log entry %llu (key.rotated)\n",
               rot.resumed ? "已完成中断的数据密钥轮换" : "已轮换数据密钥",
               rot.resumed ? "finished the data key rotation left part way"
                           : "rotated the data key",
               rot.files, rot.reencrypted, rot.already, rot.unreadable, (unsigned long long)seq,
               rot.files, rot.reencrypted, rot.already, rot.unreadable, (unsigned long long)seq);
    json_decref(entry);
    json_decref(rot_data);
    eseal_log_close(log);
    eseal_ca_free(ca);
    free(log_dir);
    return rc == ESEAL_OK ? 0 : cmd_fail(&err);
}
