/* cmd_status.c — `eseal status fetch`: save a seal's signed status (its
 * status response, or the full status list of the shard it is in) from a
 * publisher, for `eseal verify --status-file` on a machine without the
 * network (docs/verify.md "Offline status"). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/httpc.h"
#include "eseal/status.h"
#include "eseal/verify.h"
#include "cmd.h"

static const char fetch_usage[] =
    "usage: eseal status fetch --esid ESID --url URL -o FILE [--list] [--responder FILE]\n"
    "                          [--trust FILE] [--ca-file FILE]\n"
    "  Saves the publisher's signed status of the seal ESID into FILE for\n"
    "  offline checks (eseal verify --status-file FILE --responder FILE):\n"
    "  its status response (DER), or with --list the full status list of the\n"
    "  shard the seal is in (the shard is found for you). 保存印章的签名状态以便离线验证.\n"
    "  --esid ESID       the seal code (14 digits)\n"
    "  --url URL         the publisher (http://127.0.0.1:8442 or https://...)\n"
    "  -o, --out FILE    where to save the status\n"
    "  --list            save the shard's full status list instead (covers every\n"
    "                    seal of that shard; carries no picture digests)\n"
    "  --responder FILE  also save the publisher's responder certificate (PEM)\n"
    "  --trust FILE      check what was saved against these trust anchors now\n"
    "                    (needs --responder)\n"
    "  --ca-file FILE    PEM CA certificates for an https:// --url\n"
    "  example: eseal status fetch --esid 35000000000001 --url http://127.0.0.1:8442 "
    "-o status.der --responder responder.pem\n"
    "  Exit: 0 saved, 1 the publisher has no such seal or answered wrongly,\n"
    "  2 usage, 3 the publisher cannot be reached or a file cannot be written.\n";

enum { OPT_ESID = 1, OPT_URL, OPT_LIST, OPT_RESPONDER, OPT_TRUST, OPT_CA_FILE, OPT_HELP };

static const struct option fetch_opts[] = {
    {"esid", required_argument, NULL, OPT_ESID},
    {"url", required_argument, NULL, OPT_URL},
    {"out", required_argument, NULL, 'o'},
    {"list", no_argument, NULL, OPT_LIST},
    {"responder", required_argument, NULL, OPT_RESPONDER},
    {"trust", required_argument, NULL, OPT_TRUST},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* The largest PEM a responder certificate file may be. */
#define RESPONDER_PEM_MAX (64 * 1024)
#define URL_MAX 1024

/* get fetches |base||path| into |body|; anything but 200 is an error:
 * 404 ESEAL_E_NOTFOUND, others ESEAL_E_UNAVAILABLE. */
static eseal_rc get(const char *base, const char *path, size_t max, struct eseal_buf *body,
                    struct eseal_err *err)
{
    char url[URL_MAX];
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    snprintf(url, sizeof(url), "%.*s%s", (int)n, base, path);
    struct eseal_httpc_opts ho = {.max_body = max};
    unsigned status = 0;
    eseal_rc rc = eseal_httpc_get(url, &ho, &status, body, err);
    if (rc != ESEAL_OK) {
        eseal_err_prefix(err, "%s", url);
        return rc;
    }
    if (status == 404)
        return eseal_err_set(err, ESEAL_E_NOTFOUND, "%s: 发布方没有此项 / not found (HTTP 404)",
                             url);
    if (status != 200)
        return eseal_err_set(err, ESEAL_E_UNAVAILABLE, "%s: HTTP %u", url, status);
    return ESEAL_OK;
}

/* fetch_list saves the full list of |esid|'s shard into |der|: list 0
 * tells the shard count. */
static eseal_rc fetch_list(const char *url, const char *esid, struct eseal_buf *der,
                           unsigned *shard, unsigned *count, struct eseal_err *err)
{
    struct eseal_status_list l;
    memset(&l, 0, sizeof(l));
    eseal_rc rc = get(url, "/lists/0/full", ESEAL_STATUS_LIST_MAX, der, err);
    if (rc == ESEAL_OK && (rc = eseal_status_list_parse(&l, der->data, der->len, err)) == ESEAL_OK)
        *count = l.shard_count;
    eseal_status_list_cleanup(&l);
    if (rc != ESEAL_OK)
        return rc;
    *shard = eseal_status_shard(esid, *count);
    if (*shard == 0)
        return ESEAL_OK;
    char path[64];
    snprintf(path, sizeof(path), "/lists/%u/full", *shard);
    memset(&l, 0, sizeof(l));
    if ((rc = get(url, path, ESEAL_STATUS_LIST_MAX, der, err)) == ESEAL_OK)
        rc = eseal_status_list_parse(&l, der->data, der->len, err);
    if (rc == ESEAL_OK && l.shard != *shard)
        rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: the list is of shard %u", path, l.shard);
    eseal_status_list_cleanup(&l);
    return rc;
}

/* fetch_one saves |esid|'s status response into |der|. */
static eseal_rc fetch_one(const char *url, const char *esid, struct eseal_buf *der,
                          struct eseal_err *err)
{
    char path[64];
    snprintf(path, sizeof(path), "/status/%s?format=der", esid);
    struct eseal_status_info info;
    eseal_rc rc = get(url, path, ESEAL_STATUS_DER_MAX, der, err);
    if (rc == ESEAL_OK)
        rc = eseal_status_parse(&info, der->data, der->len, NULL, NULL, NULL, NULL, err);
    if (rc == ESEAL_OK && strcmp(info.esid, esid) != 0)
        rc = eseal_err_set(err, ESEAL_E_INVALID, "the answer is about esID %s", info.esid);
    return rc;
}

/* check opens what was saved as `eseal verify` would, against |trust|. */
static eseal_rc check(const char *out, const char *responder, const char *trust,
                      struct eseal_err *err)
{
    STACK_OF(X509) *anchors = NULL;
    struct eseal_status_source *src = NULL;
    eseal_rc rc = eseal_verify_load_trust(&anchors, trust, err);
    if (rc == ESEAL_OK)
        rc = eseal_status_source_file(&src, out, responder, anchors, err);
    eseal_status_source_free(src);
    sk_X509_pop_free(anchors, X509_free);
    return rc;
}

static bool esid_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > ESEAL_STATUS_ESID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int exit_of(eseal_rc rc)
{
    return rc == ESEAL_E_UNAVAILABLE || rc == ESEAL_E_IO ? EXIT_IO : EXIT_FAIL;
}

static int status_fetch(int argc, char **argv)
{
    struct cmd_args p;
    int r = cmd_parse(argc, argv, "o:", fetch_opts, CMD_ALL, 0, fetch_usage, EXIT_USAGE, &p);
    if (r == 0)
        r = cmd_ca_file(p.opt[OPT_CA_FILE], EXIT_USAGE);
    if (r != 0)
        return r < 0 ? 0 : r;
    const char *esid = p.opt[OPT_ESID], *url = p.opt[OPT_URL], *out = p.opt['o'];
    const char *responder = p.opt[OPT_RESPONDER], *trust = p.opt[OPT_TRUST];
    if (esid == NULL || url == NULL || out == NULL)
        return cmd_usage_error(fetch_usage, "--esid, --url and -o are required / 缺少参数", NULL);
    if (!esid_ok(esid))
        return cmd_usage_error(fetch_usage,
                               "--esid is a seal code of digits / 印章编码无效: ", esid);
    if (trust != NULL && responder == NULL)
        return cmd_usage_error(fetch_usage, "--trust needs --responder / 缺少 --responder", NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_buf der, pem;
    eseal_buf_init(&der);
    eseal_buf_init(&pem);
    unsigned shard = 0, count = 0;
    bool list = p.opt[OPT_LIST] != NULL;
    eseal_rc rc =
        list ? fetch_list(url, esid, &der, &shard, &count, &err) : fetch_one(url, esid, &der, &err);
    if (rc == ESEAL_OK)
        rc = eseal_file_write(out, der.data, der.len, 0644, 0, &err);
    if (rc == ESEAL_OK && responder != NULL &&
        (rc = get(url, "/certs/responder.pem", RESPONDER_PEM_MAX, &pem, &err)) == ESEAL_OK)
        rc = eseal_file_write(responder, pem.data, pem.len, 0644, 0, &err);
    if (rc == ESEAL_OK && trust != NULL)
        rc = check(out, responder, trust, &err);
    eseal_buf_cleanup(&der);
    eseal_buf_cleanup(&pem);
    if (rc != ESEAL_OK) {
        cmd_fail(&err);
        return exit_of(rc);
    }
    if (list)
        printf("已保存 / saved: %s (印章 %s 所在分片 %u/%u 的完整状态列表 / the full status list "
               "of shard %u of %u, which holds seal %s)\n",
               out, esid, shard, count, shard, count, esid);
    else
        printf("已保存 / saved: %s (印章 %s 的签名状态 / the signed status of seal %s)\n", out,
               esid, esid);
    printf("离线验证 / verify offline: eseal verify DOC --sig SIG --trust ROOT.pem "
           "--status-file %s --responder %s\n",
           out, responder != NULL ? responder : "RESPONDER.pem");
    return 0;
}

static const struct cmd status_cmds[] = {
    {"fetch", "save a seal's signed status for offline use / 保存印章状态", status_fetch},
};

static const struct cmd_group_spec status_group = {
    "status",
    "  seal status from a publisher, for offline verification / 印章状态\n",
    status_cmds,
    sizeof(status_cmds) / sizeof(status_cmds[0]),
};

int cmd_status(int argc, char **argv)
{
    return cmd_dispatch(&status_group, argc, argv);
}
