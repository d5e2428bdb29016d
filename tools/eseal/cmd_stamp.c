/* cmd_stamp.c — `eseal stamp`: sign a file with a seal and the holder's
 * software token, writing a detached GB/T 38540 seal signature, or a new
 * OFD with one more signature inside (ofd_stamp.c). */
#include <getopt.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/enc.h"
#include "eseal/pki.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "eseal/token.h"
#include "eseal/ts.h"
#include "cmd.h"
#include "ofd_stamp.h"

static const char stamp_usage[] =
    "usage: eseal stamp --token DIR [--seal SEAL.esl] [--pin-file FILE] IN -o OUT.ses\n"
    "  Stamps the file IN: a GB/T 38540 seal signature (SES_Signature v4) with\n"
    "  dataHash = SM3(IN) and propertyInfo = IN's file name, signed by the\n"
    "  token's key. 电子签章.\n"
    "  --seal   the seal to use; without it, the seal stored in the token. The\n"
    "           token's certificate must be in the seal's certificate list.\n"
    "  The PIN comes from --pin-file or ESEAL_PIN.\n"
    "  --tsa URL  put an RFC 3161 time-stamp from URL over the signature value\n"
    "           into SES_Signature.timeStamp (e.g. http://127.0.0.1:8442/tsa); if\n"
    "           the TSA fails, nothing is written. 时间戳.\n"
    "       eseal stamp --token DIR [--seal SEAL.esl] DOC.ofd -o OUT.ofd --page N --x MM --y MM\n"
    "       eseal stamp --token DIR [--seal SEAL.esl] DOC.ofd -o OUT.ofd --seam [--y MM]\n"
    "  An OFD gets the signature inside (docs/ofd.md): the seal picture on page\n"
    "  N (from 1) with its top-left corner at X, Y mm, or with --seam a 骑缝章\n"
    "  across the right edge of every page; Signature.xml protects every file.\n";

enum {
    OPT_TOKEN = 1,
    OPT_SEAL,
    OPT_PIN,
    OPT_PAGE,
    OPT_X,
    OPT_Y,
    OPT_SEAM,
    OPT_TSA,
    OPT_OUT = 'o',
    OPT_HELP = 'h'
};

static const struct option long_opts[] = {
    {"token", required_argument, NULL, OPT_TOKEN},
    {"seal", required_argument, NULL, OPT_SEAL},
    {"pin-file", required_argument, NULL, OPT_PIN},
    {"out", required_argument, NULL, OPT_OUT},
    {"page", required_argument, NULL, OPT_PAGE},
    {"x", required_argument, NULL, OPT_X},
    {"y", required_argument, NULL, OPT_Y},
    {"seam", no_argument, NULL, OPT_SEAM},
    {"help", no_argument, NULL, OPT_HELP},
    {"tsa", required_argument, NULL, OPT_TSA},
    {NULL, 0, NULL, 0},
};

struct args {
    const char *token, *seal, *pin_file, *out, *in, *tsa;
    bool ofd;
    struct ofd_place place;
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* parse_mm reads a position in millimetres, 0..2000. */
static int parse_mm(const char *text, const char *what, double *out)
{
    char *end = NULL;
    double v = text != NULL ? strtod(text, &end) : -1;
    if (text == NULL || end == text || *end != '\0' || !(v >= 0 && v <= 2000))
        return cmd_usage_error(stamp_usage, "a position in mm (0..2000) is required / 位置无效",
                               what);
    *out = v;
    return 0;
}

/* parse_place reads --page, --x, --y and --seam for an OFD. */
static int parse_place(const struct cmd_args *p, struct args *a)
{
    a->place.seam = p->opt[OPT_SEAM] != NULL;
    if (a->place.seam) {
        if (p->opt[OPT_PAGE] != NULL || p->opt[OPT_X] != NULL)
            return cmd_usage_error(stamp_usage, "--seam takes no --page or --x / 骑缝章不指定页码",
                                   NULL);
        return p->opt[OPT_Y] != NULL ? parse_mm(p->opt[OPT_Y], "--y", &a->place.y) : 0;
    }
    struct eseal_err err;
    eseal_err_clear(&err);
    if (p->opt[OPT_PAGE] == NULL ||
        cmd_parse_int(p->opt[OPT_PAGE], 1, 100000, &a->place.page, "--page", &err) != ESEAL_OK)
        return cmd_usage_error(stamp_usage, "--page N (from 1) is required for an OFD / 缺少页码",
                               err.msg);
    int r = parse_mm(p->opt[OPT_X], "--x", &a->place.x);
    return r != 0 ? r : parse_mm(p->opt[OPT_Y], "--y", &a->place.y);
}

static int parse_args(int argc, char **argv, struct args *a)
{
    struct cmd_args p;
    int r = cmd_parse(argc, argv, "o:h", long_opts, CMD_ALL, 1, stamp_usage, EXIT_USAGE, &p);
    if (r != 0)
        return r;
    *a = (struct args){.token = p.opt[OPT_TOKEN],
                       .seal = p.opt[OPT_SEAL],
                       .pin_file = p.opt[OPT_PIN],
                       .out = p.opt[OPT_OUT],
                       .tsa = p.opt[OPT_TSA],
                       .in = p.pos[0]};
    if (a->in == NULL)
        return cmd_usage_error(stamp_usage, "the file IN is required / 缺少被签文件", NULL);
    if (a->token == NULL || a->out == NULL)
        return cmd_usage_error(stamp_usage, "--token and -o are required / 缺少必需选项", NULL);
    a->ofd = ends_with(a->in, ".ofd");
    if (a->ofd)
        return parse_place(&p, a);
    if (p.opt[OPT_PAGE] != NULL || p.opt[OPT_X] != NULL || p.opt[OPT_Y] != NULL ||
        p.opt[OPT_SEAM] != NULL)
        return cmd_usage_error(stamp_usage, "--page, --x, --y, --seam are for an OFD / 仅用于 OFD",
                               NULL);
    return 0;
}

/* struct stamp_job is what a stamp needs: the token, the seal's DER and the
 * document's digest. */
struct stamp_job {
    struct eseal_token *tok;
    struct eseal_buf seal_file; /* the --seal file, when given */
    const uint8_t *seal;
    size_t seal_len;
    uint8_t digest[ESEAL_SM3_LEN];
    struct eseal_buf ses;
};

/* check_seal refuses a seal that does not parse, whose maker signature
 * does not verify, or that the token's certificate may not use: such a
 * signature would only fail verification later. */
static eseal_rc check_seal(const struct stamp_job *j, X509 *signer, struct eseal_err *err)
{
    struct eseal_seal *seal = NULL;
    eseal_rc rc = eseal_seal_parse(&seal, j->seal, j->seal_len, err);
    if (rc == ESEAL_OK && (rc = eseal_seal_check_maker(seal, err)) != ESEAL_OK)
        eseal_err_prefix(err, "the seal's maker signature does not verify");
    if (rc == ESEAL_OK) {
        struct eseal_buf der;
        eseal_buf_init(&der);
        eseal_pki_cert_der(signer, &der);
        if (!eseal_seal_has_cert(seal, der.data, der.len)) {
            char *who = eseal_pki_name(X509_get_subject_name(signer));
            rc = eseal_err_set(err, ESEAL_E_DENIED,
                               "the token's certificate (%s) is not in the seal's certificate "
                               "list: this seal is not for this holder / 令牌证书不在印章的证书"
                               "列表中，不能使用此印章",
                               who);
            free(who);
        }
        eseal_buf_cleanup(&der);
    }
    eseal_seal_free(seal);
    return rc;
}

/* property_of returns propertyInfo for the file |path|: its name without
 * the directory (the signature must not depend on where the file lay), and
 * since propertyInfo is an IA5String, any byte outside printable ASCII —
 * and '%' itself — written as %XX (RFC 3986 percent-encoding), so a file
 * called 合同.pdf can be stamped and its name read back. Free() it. */
static char *property_of(const char *path)
{
    char *copy = eseal_xstrdup(path);
    const char *name = basename(copy);
    struct eseal_buf b;
    eseal_buf_init(&b);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x20 || *p > 0x7e || *p == '%')
            eseal_buf_appendf(&b, "%%%02X", *p);
        else
            eseal_buf_append(&b, p, 1);
    }
    free(copy);
    return (char *)eseal_buf_steal(&b, NULL);
}

/* take_seal_and_cert points j->seal at the seal to use (the --seal file
 * or the token's own) and *signer at the token's certificate, and checks
 * that they go together. The token's pointers are borrowed and do not
 * survive eseal_token_unlock_key (it re-reads the token), so this runs
 * again after the unlock. */
static eseal_rc take_seal_and_cert(struct stamp_job *j, const struct args *a, X509 **signer,
                                   struct eseal_err *err)
{
    if (a->seal != NULL) {
        j->seal = j->seal_file.data;
        j->seal_len = j->seal_file.len;
    } else if (!eseal_token_seal(j->tok, &j->seal, &j->seal_len)) {
        return eseal_err_set(err, ESEAL_E_NOTFOUND,
                             "%s holds no seal: give one with --seal / 令牌中没有印章", a->token);
    }
    *signer = eseal_token_cert(j->tok);
    if (*signer == NULL)
        return eseal_err_set(err, ESEAL_E_NOTFOUND,
                             "%s holds no certificate: import one first / 令牌中没有证书",
                             a->token);
    return check_seal(j, *signer, err);
}

/* The largest OFD stamped (read into memory). */
#define OFD_STAMP_MAX (256u * 1024 * 1024)

static eseal_rc stamp(struct stamp_job *j, const struct args *a, struct eseal_err *err)
{
    struct stat st;
    if (stat(a->out, &st) == 0)
        return eseal_err_set(err, ESEAL_E_CONFLICT, "%s exists already; not overwritten", a->out);
    eseal_rc rc = cmd_sm3_file(a->in, j->digest, err);
    if (rc == ESEAL_OK && a->seal != NULL)
        rc = eseal_file_read(&j->seal_file, a->seal, ESEAL_SEAL_MAX, err);
    if (rc == ESEAL_OK)
        rc = eseal_token_open(&j->tok, a->token, err);
    /* A seal this token may not use is refused before the PIN is asked. */
    X509 *signer = NULL;
    if (rc == ESEAL_OK)
        rc = take_seal_and_cert(j, a, &signer, err);
    if (rc != ESEAL_OK)
        return rc;

    struct eseal_buf pin;
    eseal_buf_init(&pin);
    rc = eseal_read_secret(&pin, a->pin_file, ESEAL_TOKEN_PIN_ENV, err);
    if (rc == ESEAL_OK)
        rc = eseal_token_unlock_key(j->tok, pin.data, pin.len, err);
    eseal_buf_cleanse(&pin);
    if (rc == ESEAL_OK)
        rc = take_seal_and_cert(j, a, &signer, err);
    if (rc != ESEAL_OK)
        return rc;

    if (a->ofd) {
        struct eseal_buf doc;
        eseal_buf_init(&doc);
        rc = eseal_file_read(&doc, a->in, OFD_STAMP_MAX, err);
        if (rc == ESEAL_OK)
            rc = ofd_stamp(&j->ses, doc.data, doc.len, j->seal, j->seal_len, &a->place, 0, signer,
                           eseal_token_signer, j->tok, a->tsa, err);
        eseal_buf_cleanup(&doc);
    } else {
        char *property = property_of(a->in);
        rc = eseal_ses_make(&j->ses, j->seal, j->seal_len, j->digest, property, 0, signer,
                            eseal_token_signer, j->tok, err);
        free(property);
        if (rc == ESEAL_OK && a->tsa != NULL)
            rc = eseal_ts_stamp_ses(&j->ses, a->tsa, 0, err);
    }
    if (rc == ESEAL_OK)
        rc = eseal_file_write(a->out, j->ses.data, j->ses.len, 0644, 1, err);
    return rc;
}

int cmd_stamp(int argc, char **argv)
{
    struct args a;
    int r = parse_args(argc, argv, &a);
    if (r != 0)
        return r < 0 ? 0 : r;
    struct eseal_err err;
    eseal_err_clear(&err);
    struct stamp_job j = {0};
    eseal_buf_init(&j.seal_file);
    eseal_buf_init(&j.ses);
    eseal_rc rc = stamp(&j, &a, &err);
    if (rc == ESEAL_OK) {
        char *hex = eseal_hex(j.digest, sizeof(j.digest));
        printf("stamped / 已签章: %s (SM3 %s) -> %s%s\n", a.in, hex, a.out,
               a.tsa != NULL ? " (time-stamped / 已加时间戳)" : "");
        free(hex);
    }
    eseal_token_free(j.tok);
    eseal_buf_cleanup(&j.seal_file);
    eseal_buf_cleanup(&j.ses);
    return rc == ESEAL_OK ? 0 : cmd_fail(&err);
}
