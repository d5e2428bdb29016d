/* cmd_seal.c — `eseal seal`: make a GB/T 38540 seal with the platform CA's
 * seal-maker key, show what a seal holds, verify a seal on its own. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "eseal/ca.h"
#include "eseal/enc.h"
#include "eseal/json.h"
#include "eseal/pki.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "eseal/verify.h"
#include "cmd.h"

static const char make_usage[] =
    "usage: eseal seal make --ca CADIR --cert HOLDER.pem --esid ID --name NAME\n"
    "                       --type unit|personal --picture FILE --width MM --height MM\n"
    "                       --out SEAL.esl [--passphrase-file FILE]\n"
    "  Makes a GB/T 38540 (v4) seal signed by the CA's seal maker. 制作电子印章.\n"
    "  --cert   the holder certificate (issued by this CA's root) put in the seal's\n"
    "           certificate list; the seal is valid as long as it is\n"
    "  --esid   the 14-digit seal code: 6-digit division code + 8-digit serial\n"
    "  --picture the impression image: PNG, JPEG, GIF, BMP or SVG, at most 2 MiB\n"
    "  --width, --height  the impression's size in mm, 1..200\n"
    "  The CA passphrase comes from --passphrase-file or ESEAL_PASSPHRASE.\n";
static const char show_usage[] =
    "usage: eseal seal show FILE [--json]\n"
    "  Prints what a seal holds (v1, v4, v5) and whether its seal-maker\n"
    "  signature verifies. 显示印章内容.\n";
static const char verify_usage[] =
    "usage: eseal seal verify FILE [--trust ROOT.pem] [--at TIME] [--json]\n"
    "  Verifies a seal on its own: the seal-maker signature, with --trust the\n"
    "  maker certificate's chain, and the seal's validity at TIME (default now;\n"
    "  2021-01-01T00:00:00Z or 2021-01-01). 验证电子印章.\n"
    "  Exit 0 when the seal-maker signature (and, with --trust, the chain)\n"
    "  verifies, 1 when not.\n";

enum {
    OPT_CA = 1,
    OPT_CERT,
    OPT_ESID,
    OPT_NAME,
    OPT_TYPE,
    OPT_PICTURE,
    OPT_WIDTH,
    OPT_HEIGHT,
    OPT_OUT,
    OPT_PASS,
    OPT_TRUST,
    OPT_AT,
    OPT_JSON,
    OPT_HELP,
    OPT_COUNT
};

static const struct option long_opts[] = {
    {"ca", required_argument, NULL, OPT_CA},
    {"cert", required_argument, NULL, OPT_CERT},
    {"esid", required_argument, NULL, OPT_ESID},
    {"name", required_argument, NULL, OPT_NAME},
    {"type", required_argument, NULL, OPT_TYPE},
    {"picture", required_argument, NULL, OPT_PICTURE},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"height", required_argument, NULL, OPT_HEIGHT},
    {"out", required_argument, NULL, OPT_OUT},
    {"passphrase-file", required_argument, NULL, OPT_PASS},
    {"trust", required_argument, NULL, OPT_TRUST},
    {"at", required_argument, NULL, OPT_AT},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* struct args holds every option of `eseal seal`; |opt| is indexed by OPT_*
 * and each sub-command says which it allows. |file| is the one positional
 * argument of show and verify. */
struct args {
    const char *opt[OPT_COUNT];
    const char *file;
    bool json;
};

static int parse_args(int argc, char **argv, uint64_t allowed, bool want_file, const char *usage,
                      struct args *a)
{
    struct cmd_args p;
    int r = cmd_parse(argc, argv, "", long_opts, allowed, want_file ? 1 : 0, usage, EXIT_USAGE, &p);
    if (r != 0)
        return r;
    memset(a, 0, sizeof(*a));
    memcpy(a->opt, p.opt, sizeof(a->opt));
    a->json = p.opt[OPT_JSON] != NULL;
    if (want_file && p.n_pos == 0)
        return cmd_usage_error(usage, "a seal FILE is required / 缺少印章文件", NULL);
    a->file = p.pos[0];
    return 0;
}

/* ---- make ------------------------------------------------------------------- */

/* check_esid: the platform's seal code is 14 digits (DESIGN.md §4). */
static eseal_rc check_esid(const char *esid, struct eseal_err *err)
{
    size_t n = strlen(esid);
    bool digits = n == 14;
    for (size_t i = 0; digits && i < n; i++)
        digits = esid[i] >= '0' && esid[i] <= '9';
    if (!digits)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "--esid must be 14 digits (6-digit division code + 8-digit "
                             "serial), not \"%s\"",
                             esid);
    return ESEAL_OK;
}

/* picture_type names the image format from its magic bytes, or NULL. */
static const char *picture_type(const uint8_t *p, size_t len)
{
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    if (len >= sizeof(png) && memcmp(p, png, sizeof(png)) == 0)
        return "png";
    if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return "jpg";
    if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
        return "gif";
    if (len >= 14 && p[0] == 'B' && p[1] == 'M')
        return "bmp";
    /* SVG is XML text: an optional UTF-8 BOM and white space, then an XML
     * declaration, a comment, a doctype or the <svg> element itself, and an
     * <svg element somewhere near the start. */
    size_t i = 0;
    if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        i = 3;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i < len && p[i] == '<') {
        size_t window = len - i < 4096 ? len - i : 4096;
        if (memmem(p + i, window, "<svg", 4) != NULL)
            return "svg";
    }
    return NULL;
}

/* check_holder makes sure |holder| was issued by this CA's root and is
 * still valid: a seal is only as good as the certificate it binds. */
static eseal_rc check_holder(struct eseal_ca *ca, X509 *holder, const char *path,
                             struct eseal_err *err)
{
    X509 *root = eseal_ca_cert(ca, ESEAL_CA_ROOT);
    if (X509_NAME_cmp(X509_get_issuer_name(holder), X509_get_subject_name(root)) != 0 ||
        eseal_x509_check_signed_by(holder, X509_get0_pubkey(root), err) != ESEAL_OK)
        return eseal_err_set(
            err, ESEAL_E_INVALID,
            "%s was not issued by the root of the CA in %s / 持有人证书不是本机构签发", path,
            eseal_ca_dir(ca));
    if (X509_cmp_current_time(X509_get0_notAfter(holder)) < 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s has expired / 持有人证书已过期", path);
    if (!eseal_sm2_is(X509_get0_pubkey(holder)))
        return eseal_err_set(err, ESEAL_E_INVALID, "%s does not hold an SM2 key", path);
    return ESEAL_OK;
}

/* struct make_job is what `seal make` gathers before it signs. */
struct make_job {
    struct eseal_seal_params p;
    struct eseal_buf picture;
    X509 *holder;
    struct eseal_ca *ca;
    struct eseal_buf seal;
};

static eseal_rc make_prepare(struct make_job *j, const struct args *a, struct eseal_err *err)
{
    int width = 0, height = 0;
    eseal_rc rc;
    if ((rc = check_esid(a->opt[OPT_ESID], err)) != ESEAL_OK ||
        (rc = cmd_parse_int(a->opt[OPT_WIDTH], 1, 200, &width, "--width (mm)", err)) != ESEAL_OK ||
        (rc = cmd_parse_int(a->opt[OPT_HEIGHT], 1, 200, &height, "--height (mm)", err)) != ESEAL_OK)
        return rc;
    if (a->opt[OPT_NAME][0] == '\0')
        return eseal_err_set(err, ESEAL_E_INVALID, "--name is empty / 印章名称为空");
    /* Found before the slow unlock, and checked again by the exclusive write. */
    struct stat st;
    if (stat(a->opt[OPT_OUT], &st) == 0)
        return eseal_err_set(err, ESEAL_E_CONFLICT, "%s exists already; not overwritten",
                             a->opt[OPT_OUT]);
    rc = eseal_file_read(&j->picture, a->opt[OPT_PICTURE], ESEAL_SEAL_PICTURE_MAX, err);
    if (rc == ESEAL_E_TOOBIG)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "%s: the picture is larger than 2 MiB",
                             a->opt[OPT_PICTURE]);
    if (rc != ESEAL_OK)
        return rc;
    const char *type = picture_type(j->picture.data, j->picture.len);
    if (type == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "%s: not a PNG, JPEG, GIF, BMP or SVG image / 不支持的图像格式",
                             a->opt[OPT_PICTURE]);
    if ((rc = eseal_pki_cert_load(&j->holder, a->opt[OPT_CERT], err)) != ESEAL_OK ||
        (rc = eseal_ca_open(&j->ca, a->opt[OPT_CA], err)) != ESEAL_OK ||
        (rc = check_holder(j->ca, j->holder, a->opt[OPT_CERT], err)) != ESEAL_OK)
        return rc;
    j->p = (struct eseal_seal_params){
        .esid = a->opt[OPT_ESID],
        .type = strcmp(a->opt[OPT_TYPE], "unit") == 0 ? ESEAL_SEAL_UNIT : ESEAL_SEAL_PERSONAL,
        .name = a->opt[OPT_NAME],
        .holder = j->holder,
        .picture_type = type,
        .picture = j->picture.data,
        .picture_len = j->picture.len,
        .width_mm = width,
        .height_mm = height,
    };
    return ESEAL_OK;
}

static eseal_rc make_sign(struct make_job *j, const char *pass_file, struct eseal_err *err)
{
    struct eseal_buf pass;
    eseal_buf_init(&pass);
    eseal_rc rc = eseal_read_secret(&pass, pass_file, ESEAL_CA_PASSPHRASE_ENV, err);
    if (rc == ESEAL_OK)
        rc = eseal_ca_unlock(j->ca, ESEAL_CA_UNLOCK_MAKER, pass.data, pass.len, err);
    eseal_buf_cleanse(&pass);
    if (rc == ESEAL_OK)
        rc = eseal_seal_make(&j->seal, &j->p, eseal_ca_cert(j->ca, ESEAL_CA_MAKER),
                             eseal_ca_maker_signer, j->ca, err);
    if (rc != ESEAL_OK)
        return rc;
    /* What we hand out must read back and verify. */
    struct eseal_seal *check = NULL;
    rc = eseal_seal_parse(&check, j->seal.data, j->seal.len, err);
    if (rc == ESEAL_OK)
        rc = eseal_seal_check_maker(check, err);
    eseal_seal_free(check);
    if (rc != ESEAL_OK)
        eseal_err_prefix(err, "the new seal does not verify");
    return rc;
}

static int seal_make(int argc, char **argv)
{
    struct args a;
    uint64_t allowed = CMD_BIT(OPT_CA) | CMD_BIT(OPT_CERT) | CMD_BIT(OPT_ESID) | CMD_BIT(OPT_NAME) |
                       CMD_BIT(OPT_TYPE) | CMD_BIT(OPT_PICTURE) | CMD_BIT(OPT_WIDTH) |
                       CMD_BIT(OPT_HEIGHT) | CMD_BIT(OPT_OUT) | CMD_BIT(OPT_PASS);
    int r = parse_args(argc, argv, allowed, false, make_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    static const int required[] = {OPT_CA,      OPT_CERT,  OPT_ESID,   OPT_NAME, OPT_TYPE,
                                   OPT_PICTURE, OPT_WIDTH, OPT_HEIGHT, OPT_OUT};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (a.opt[required[i]] == NULL)
            return cmd_usage_error(make_usage, "missing option / 缺少选项: --",
                                   long_opts[required[i] - 1].name);
    if (strcmp(a.opt[OPT_TYPE], "unit") != 0 && strcmp(a.opt[OPT_TYPE], "personal") != 0)
        return cmd_usage_error(make_usage,
                               "--type must be unit or personal / 未知印章类型: ", a.opt[OPT_TYPE]);

    struct eseal_err err;
    eseal_err_clear(&err);
    struct make_job j = {0};
    eseal_buf_init(&j.picture);
    eseal_buf_init(&j.seal);
    eseal_rc rc = make_prepare(&j, &a, &err);
    if (rc == ESEAL_OK)
        rc = make_sign(&j, a.opt[OPT_PASS], &err);
    if (rc == ESEAL_OK)
        rc = eseal_file_write(a.opt[OPT_OUT], j.seal.data, j.seal.len, 0644, 1, &err);
    if (rc == ESEAL_OK) {
        char *from = eseal_pki_time(X509_get0_notBefore(j.holder));
        char *until = eseal_pki_time(X509_get0_notAfter(j.holder));
        char *sm3 = eseal_sm3_hex(j.seal.data, j.seal.len);
        printf("made seal / 已制作印章: esID %s, %s, valid %s .. %s, SM3 %s -> %s\n",
               a.opt[OPT_ESID], a.opt[OPT_NAME], from, until, sm3, a.opt[OPT_OUT]);
        free(from);
        free(until);
        free(sm3);
    }
    X509_free(j.holder);
    eseal_ca_free(j.ca);
    eseal_buf_cleanup(&j.picture);
    eseal_buf_cleanup(&j.seal);
    return rc == ESEAL_OK ? 0 : cmd_fail(&err);
}

/* ---- show ------------------------------------------------------------------- */

static json_t *jtime(time_t t)
{
    char s[ESEAL_JSON_TIME_BUF];
    return eseal_json_time_format(s, sizeof(s), t, -1) ? json_string(s) : json_null();
}

/* cert_json describes one certificate; unreadable DER is said so. */
static json_t *cert_json(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL || p != der + len) {
        X509_free(x);
        char *sm3 = eseal_sm3_hex(der, len);
        json_t *j = json_pack("{s:s, s:s}", "error", "not a valid X.509 certificate",
                              "sm3_fingerprint", sm3);
        free(sm3);
        return j;
    }
    char *subject = eseal_pki_name(X509_get_subject_name(x));
    char *issuer = eseal_pki_name(X509_get_issuer_name(x));
    char *serial = eseal_pki_serial(X509_get0_serialNumber(x));
    char *nb = eseal_pki_time(X509_get0_notBefore(x));
    char *na = eseal_pki_time(X509_get0_notAfter(x));
    char *sm3 = eseal_sm3_hex(der, len);
    json_t *j = json_pack("{s:o, s:o, s:s, s:s, s:s, s:s}", "subject", eseal_json_text(subject),
                          "issuer", eseal_json_text(issuer), "serial", serial, "not_before", nb,
                          "not_after", na, "sm3_fingerprint", sm3);
    free(subject);
    free(issuer);
    free(serial);
    free(nb);
    free(na);
    free(sm3);
    X509_free(x);
    return j;
}

static json_t *seal_json(const struct eseal_seal *seal, const char *path)
{
    const struct eseal_seal_info *si = eseal_seal_info(seal);
    json_t *certs = json_array();
    for (size_t i = 0; i < si->n_certs; i++) {
        const uint8_t *der = NULL, *value = NULL;
        const char *alg = NULL;
        size_t len = 0;
        if (eseal_seal_cert(seal, i, &der, &len) == ESEAL_OK) {
            json_array_append_new(certs, cert_json(der, len));
        } else if (eseal_seal_cert_digest(seal, i, &alg, &value, &len) == ESEAL_OK) {
            char *hex = eseal_hex(value, len);
            json_array_append_new(
                certs, json_pack("{s:o, s:s}", "digest_alg", eseal_json_text(alg), "digest", hex));
            free(hex);
        }
    }
    struct eseal_err err;
    eseal_err_clear(&err);
    bool ok = eseal_seal_check_maker(seal, &err) == ESEAL_OK;
    char *pic_sm3 = eseal_sm3_hex(si->picture, si->picture_len);
    const char *type_name = si->type == ESEAL_SEAL_UNIT       ? "unit"
                            : si->type == ESEAL_SEAL_PERSONAL ? "personal"
                                                              : "other";
    json_t *j = json_object();
    json_object_set_new(j, "file", eseal_json_text(path));
    json_object_set_new(j, "version", json_integer(si->version));
    json_object_set_new(j, "header_id", eseal_json_text(si->header_id));
    json_object_set_new(j, "vid", eseal_json_text(si->vid));
    json_object_set_new(j, "esid", eseal_json_text(si->esid));
    json_object_set_new(j, "type", json_integer(si->type));
    json_object_set_new(j, "type_name", json_string(type_name));
    json_object_set_new(j, "name", eseal_json_text(si->name));
    json_object_set_new(j, "create_date", jtime(si->create_date));
    json_object_set_new(j, "valid_start", jtime(si->valid_start));
    json_object_set_new(j, "valid_end", jtime(si->valid_end));
    json_object_set_new(
        j, "picture",
        json_pack("{s:o, s:I, s:s, s:I, s:I}", "type", eseal_json_text(si->picture_type), "size",
                  (json_int_t)si->picture_len, "sm3", pic_sm3, "width_mm", (json_int_t)si->width_mm,
                  "height_mm", (json_int_t)si->height_mm));
    json_object_set_new(j, "cert_list_type", json_integer(si->cert_list_type));
    json_object_set_new(j, "certificates", certs);
    json_object_set_new(j, "maker", cert_json(si->maker_cert, si->maker_cert_len));
    json_object_set_new(j, "sign_alg", eseal_json_text(si->sign_alg));
    json_object_set_new(j, "has_timestamp", json_boolean(si->has_timestamp));
    json_object_set_new(j, "maker_signature",
                        json_pack("{s:b, s:o}", "verified", ok, "reason",
                                  ok ? json_null() : eseal_json_text(err.msg)));
    free(pic_sm3);
    return j;
}

/* columns estimates the terminal width of UTF-8 |s|: our labels mix ASCII
 * and CJK, which takes two columns a character. */
static size_t columns(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x80)
            n++;
        else if (*p >= 0xe0 && *p < 0xf0)
            n += 2;
        else if (*p >= 0xc0)
            n++;
    }
    return n;
}

/* row prints "  label  value" with the value made safe for the terminal. */
static void row(const char *label, const char *value)
{
    size_t w = columns(label);
    printf("  %s%*s ", label, w < 32 ? (int)(32 - w) : 0, "");
    cmd_put_text(stdout, value != NULL ? value : "-");
    putchar('\n');
}

static const char *jget(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void print_cert(json_t *c)
{
    if (json_object_get(c, "digest") != NULL) {
        row("digest algorithm / 摘要算法", jget(c, "digest_alg"));
        row("digest / 摘要", jget(c, "digest"));
        return;
    }
    if (json_object_get(c, "error") != NULL) {
        row("error / 错误", jget(c, "error"));
        row("sm3_fingerprint", jget(c, "sm3_fingerprint"));
        return;
    }
    static const char *const keys[] = {"subject",    "issuer",    "serial",
                                       "not_before", "not_after", "sm3_fingerprint"};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        row(keys[k], jget(c, keys[k]));
}

static void print_seal_text(json_t *j)
{
    char num[64];
    printf("seal / 印章: ");
    cmd_put_text(stdout, jget(j, "file"));
    putchar('\n');
    snprintf(num, sizeof(num), "%lld",
             (long long)json_integer_value(json_object_get(j, "version")));
    row("version / 版本", num);
    row("vid / 厂商标识", jget(j, "vid"));
    row("esID / 印章编码", jget(j, "esid"));
    snprintf(num, sizeof(num), "%lld (%s)",
             (long long)json_integer_value(json_object_get(j, "type")), jget(j, "type_name"));
    row("type / 类型", num);
    row("name / 名称", jget(j, "name"));
    row("created / 制作日期", jget(j, "create_date"));
    row("valid from / 有效期起", jget(j, "valid_start"));
    row("valid until / 有效期止", jget(j, "valid_end"));
    json_t *pic = json_object_get(j, "picture");
    char *p = eseal_xasprintf("%s, %lld bytes, %lld x %lld mm", jget(pic, "type"),
                              (long long)json_integer_value(json_object_get(pic, "size")),
                              (long long)json_integer_value(json_object_get(pic, "width_mm")),
                              (long long)json_integer_value(json_object_get(pic, "height_mm")));
    row("picture / 图像", p);
    free(p);
    row("picture SM3 / 图像摘要", jget(pic, "sm3"));
    row("signature algorithm / 签名算法", jget(j, "sign_alg"));
    json_t *ms = json_object_get(j, "maker_signature");
    bool ok = json_is_true(json_object_get(ms, "verified"));
    if (ok) {
        row("maker signature / 制章者签名", "verifies / 验证通过");
    } else {
        char *why = eseal_xasprintf("does NOT verify / 验证失败: %s", jget(ms, "reason"));
        row("maker signature / 制章者签名", why);
        free(why);
    }
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "certificates"), i, c)
    {
        printf("\n[certificate %zu / 证书 %zu]\n", i + 1, i + 1);
        print_cert(c);
    }
    printf("\n[maker / 制章者]\n");
    print_cert(json_object_get(j, "maker"));
}

/* load_seal reads and parses the seal file |path|. */
static eseal_rc load_seal(struct eseal_buf *b, struct eseal_seal **seal, const char *path,
                          struct eseal_err *err)
{
    eseal_rc rc = eseal_file_read(b, path, ESEAL_SEAL_MAX, err);
    if (rc == ESEAL_OK && (rc = eseal_seal_parse(seal, b->data, b->len, err)) != ESEAL_OK)
        eseal_err_prefix(err, "%s", path);
    return rc;
}

static int seal_show(int argc, char **argv)
{
    struct args a;
    int r = parse_args(argc, argv, CMD_BIT(OPT_JSON), true, show_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_buf b;
    eseal_buf_init(&b);
    struct eseal_seal *seal = NULL;
    eseal_rc rc = load_seal(&b, &seal, a.file, &err);
    if (rc == ESEAL_OK) {
        json_t *j = seal_json(seal, a.file);
        if (a.json) {
            json_dumpf(j, stdout, JSON_INDENT(2));
            putchar('\n');
        } else {
            print_seal_text(j);
        }
        json_decref(j);
    }
    eseal_seal_free(seal);
    eseal_buf_cleanup(&b);
    return rc == ESEAL_OK ? 0 : cmd_fail(&err);
}

/* ---- verify ----------------------------------------------------------------- */

static enum eseal_check_status check_status(const struct eseal_report *r, const char *key)
{
    for (size_t i = 0; i < r->n_checks; i++)
        if (strcmp(r->checks[i].key, key) == 0)
            return r->checks[i].status;
    return ESEAL_CHECK_FAILED; /* not reached: a check that did not run did not pass */
}

static int seal_verify(int argc, char **argv)
{
    struct args a;
    int r = parse_args(argc, argv, CMD_BIT(OPT_TRUST) | CMD_BIT(OPT_AT) | CMD_BIT(OPT_JSON), true,
                       verify_usage, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_verify_opts o = {0};
    if (a.opt[OPT_AT] != NULL && cmd_parse_time(a.opt[OPT_AT], &o.at, "--at", &err) != ESEAL_OK)
        return cmd_usage_error(verify_usage, err.msg, NULL);
    if (a.opt[OPT_TRUST] != NULL &&
        eseal_verify_load_trust(&o.trust, a.opt[OPT_TRUST], &err) != ESEAL_OK)
        return cmd_fail(&err);
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_file_read(&b, a.file, ESEAL_SEAL_MAX, &err);
    int code = EXIT_FAIL;
    if (rc == ESEAL_OK) {
        struct eseal_report rep;
        eseal_report_init(&rep);
        eseal_verify_seal(&rep, b.data, b.len, &o);
        if (a.json) {
            json_t *j = eseal_report_json(&rep);
            json_dumpf(j, stdout, JSON_INDENT(2));
            putchar('\n');
            json_decref(j);
        } else {
            eseal_report_print(&rep, stdout);
        }
        /* A seal on its own is judged by its maker's signature and, when a
         * trust anchor is given, its chain; validity is reported alongside. */
        bool ok = check_status(&rep, "format") == ESEAL_CHECK_PASSED &&
                  check_status(&rep, "seal_signature") == ESEAL_CHECK_PASSED &&
                  (o.trust == NULL || check_status(&rep, "chain") == ESEAL_CHECK_PASSED);
        code = ok ? 0 : EXIT_FAIL;
        if (!ok)
            fprintf(stderr, "eseal: the seal does not verify / 印章验证未通过: %s\n",
                    rep.sub_indication != NULL ? rep.sub_indication : "FORMAT_FAILURE");
        eseal_report_cleanup(&rep);
    } else {
        cmd_fail(&err);
    }
    eseal_buf_cleanup(&b);
    sk_X509_pop_free(o.trust, X509_free);
    return code;
}

static const struct cmd seal_cmds[] = {
    {"make", "make a seal with the CA's seal maker / 制作印章", seal_make},
    {"show", "print what a seal holds / 显示印章", seal_show},
    {"verify", "verify a seal on its own / 验证印章", seal_verify},
};
#define N_SEAL_CMDS (sizeof(seal_cmds) / sizeof(seal_cmds[0]))

static const struct cmd_group_spec seal_group = {
    "seal",
    NULL,
    seal_cmds,
    N_SEAL_CMDS,
};

int cmd_seal(int argc, char **argv)
{
    return cmd_dispatch(&seal_group, argc, argv);
}
