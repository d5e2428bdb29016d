/* cmd_demo.c — `eseal demo`: walks a running issuer through every business
 * type (apply, renew, change, revoke, reissue, unlock) and a loss report
 * with real software tokens, and leaves in a directory, for each seal it made, a sample
 * document stamped with that seal while it was good and the token. */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "eseal/buf.h"
#include "eseal/enc.h"
#include "eseal/json.h"
#include "eseal/multipart.h"
#include "eseal/secret.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "eseal/token.h"
#include "eseal/ts.h"
#include "eseal/zip.h"
#include "cmd.h"
#include "ofd_stamp.h"
#include "issuer_client.h"

static const char demo_usage[] =
    "usage: eseal demo --issuer URL --admin-password-file FILE --out DIR [--json]\n"
    "                  [--ca-file FILE] [--tsa URL]\n"
    "  Walks a running eseal-issuerd through every business type with real\n"
    "  software tokens: apply, renew, change, revoke, reissue (after a loss\n"
    "  report), unlock (a token locked by wrong PINs) and a loss (reported by the\n"
    "  agent, reinstated, lost again and revoked without the key, keyCompromise\n"
    "  since the loss report), each through the city's aggregator, then an\n"
    "  aggregator's batch of two units with one summary table (registered and\n"
    "  approved item by item). 演示全部业务.\n"
    "  It creates the agent, maker and reviewer accounts it needs (demo-*), and\n"
    "  writes into DIR, for each seal: <esID>.txt stamped while the seal was good\n"
    "  (<esID>.txt.ses), the same text as an OFD stamped inside (<esID>.ofd), and\n"
    "  the token under tokens/ (PIN in DIR/token.pin).\n"
    "  The admin password comes from --admin-password-file or ESEAL_ADMIN_PASSWORD.\n"
    "  --json: end with {\"seals\":[{esID, business, status, document, signature,\n"
    "  token}]} on stdout; the steps then go to stderr. --ca-file: PEM CA\n"
    "  certificates for an https:// --issuer (default: the system store).\n"
    "  --tsa URL: every sample signature gets an RFC 3161 time-stamp from URL\n"
    "  (eseal-publisherd's /tsa), so the revoked seals' samples stay valid.\n"
    "  Exit: 0 done, 1 the issuer refused a step, 2 usage, 3 connection or I/O error.\n";

enum { OPT_ISSUER = 1, OPT_ADMIN_PW, OPT_OUT, OPT_JSON, OPT_CA_FILE, OPT_HELP, OPT_TSA };

static const struct option long_opts[] = {
    {"issuer", required_argument, NULL, OPT_ISSUER},
    {"admin-password-file", required_argument, NULL, OPT_ADMIN_PW},
    {"out", required_argument, NULL, OPT_OUT},
    {"json", no_argument, NULL, OPT_JSON},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"help", no_argument, NULL, OPT_HELP},
    {"tsa", required_argument, NULL, OPT_TSA},
    {NULL, 0, NULL, 0},
};

/* The demo unit: a Gulou District office of Fuzhou, through the Fuzhou
 * aggregator (as the examples of docs/issuer-domain.md). */
#define UNIT_NAME "福州市鼓楼区演示局"
#define UNIT_USCC "91350100M000100Y43"
#define UNIT_CITY "350100"
#define UNIT_COUNTY "350102"
/* The second unit of the batch demo, of the same district. */
#define UNIT2_NAME "福州市鼓楼区第二演示局"
#define UNIT2_USCC "91350100M000200Y4T"
#define COLLECTOR_NAME "王五"
#define COLLECTOR_ID "11010519491231002X"

/* struct material is one demo file and its SM3 (hex). */
struct material {
    const char *kind;
    const char *filename;
    struct eseal_buf data;
    char sm3[2 * ESEAL_SM3_LEN + 1];
};

enum { M_LETTER, M_FORM, M_IMPRESSION, M_INTRO, M_IDCOPY, N_MATERIALS };

struct demo {
    const char *out;
    const char *tsa; /* time-stamp the samples from here; NULL: not */
    FILE *log;
    char suffix[9];
    char pin[17];
    struct issuer_conn admin, agent, maker, reviewer, aggregator, agent2;
    char *tokens[6]; /* the bearer tokens, owned */
    struct material m[N_MATERIALS];
    json_t *seals; /* [{esID, business, document, signature, token}] */
    const char *step;
};

static void say(struct demo *d, const char *fmt, ...) ESEAL_PRINTF(2, 3);
static void say(struct demo *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(d->log, "[%s] ", d->step);
    vfprintf(d->log, fmt, ap);
    fputc('\n', d->log);
    va_end(ap);
    fflush(d->log);
}

/* ---- a seal impression, made here -------------------------------------------
 * A 96x96 RGB PNG: a red ring with a red star-like centre on white. zlib is
 * not a dependency, so the image data goes in "stored" deflate blocks
 * (RFC 1951 §3.2.4) with the CRC-32 and Adler-32 computed here. */

#define PNG_SIDE 96

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320U & (0U - (crc & 1U)));
    }
    return ~crc;
}

static void put32(struct eseal_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    eseal_buf_append(b, x, 4);
}

static void png_chunk(struct eseal_buf *png, const char type[4], const uint8_t *data, size_t len)
{
    put32(png, (uint32_t)len);
    size_t at = png->len;
    eseal_buf_append(png, type, 4);
    eseal_buf_append(png, data, len);
    put32(png, crc32_update(0, png->data + at, len + 4));
}

static void make_impression(struct eseal_buf *png)
{
    struct eseal_buf raw, z;
    eseal_buf_init(&raw);
    eseal_buf_init(&z);
    const double c = (PNG_SIDE - 1) / 2.0;
    for (int y = 0; y < PNG_SIDE; y++) {
        uint8_t filter = 0;
        eseal_buf_append(&raw, &filter, 1);
        for (int x = 0; x < PNG_SIDE; x++) {
            double dx = x - c, dy = y - c, r2 = dx * dx + dy * dy;
            bool ring = r2 <= 46.0 * 46.0 && r2 >= 40.0 * 40.0;
            /* a five-pointed-star-ish centre: a disc with notches */
            double ax = dx < 0 ? -dx : dx, ay = dy < 0 ? -dy : dy;
            bool star = r2 <= 14.0 * 14.0 && (ax < 4.0 || ay < 4.0 || r2 <= 8.0 * 8.0);
            uint8_t px[3] = {0xff, 0xff, 0xff};
            if (ring || star)
                px[1] = px[2] = 0x20;
            eseal_buf_append(&raw, px, 3);
        }
    }
    static const uint8_t zhead[2] = {0x78, 0x01};
    eseal_buf_append(&z, zhead, 2);
    for (size_t at = 0; at < raw.len;) {
        size_t n = raw.len - at > 65535 ? 65535 : raw.len - at;
        uint8_t h[5] = {at + n == raw.len ? 1 : 0, (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)~n,
                        (uint8_t)(~n >> 8)};
        eseal_buf_append(&z, h, 5);
        eseal_buf_append(&z, raw.data + at, n);
        at += n;
    }
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < raw.len; i++) {
        a = (a + raw.data[i]) % 65521U;
        b = (b + a) % 65521U;
    }
    put32(&z, (b << 16) | a);
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    eseal_buf_append(png, sig, 8);
    uint8_t ihdr[13] = {0, 0, 0, PNG_SIDE, 0, 0, 0, PNG_SIDE, 8, 2, 0, 0, 0};
    png_chunk(png, "IHDR", ihdr, sizeof(ihdr));
    png_chunk(png, "IDAT", z.data, z.len);
    png_chunk(png, "IEND", NULL, 0);
    eseal_buf_cleanup(&raw);
    eseal_buf_cleanup(&z);
}

static void material_set(struct material *m, const char *kind, const char *filename)
{
    m->kind = kind;
    m->filename = filename;
    uint8_t h[ESEAL_SM3_LEN];
    eseal_sm3(h, m->data.data, m->data.len);
    char *hex = eseal_hex(h, sizeof(h));
    snprintf(m->sm3, sizeof(m->sm3), "%s", hex);
    free(hex);
}

static void make_materials(struct demo *d)
{
    for (int i = 0; i < N_MATERIALS; i++)
        eseal_buf_init(&d->m[i].data);
    eseal_buf_append_str(&d->m[M_LETTER].data, "%PDF-1.4\n% eseal demo: red-header letter\n");
    material_set(&d->m[M_LETTER], "letter", "letter.pdf");
    eseal_buf_append_str(&d->m[M_FORM].data, "%PDF-1.4\n% eseal demo: application form\n");
    material_set(&d->m[M_FORM], "form", "form.pdf");
    make_impression(&d->m[M_IMPRESSION].data);
    material_set(&d->m[M_IMPRESSION], "impression", "impression.png");
    eseal_buf_append_str(&d->m[M_INTRO].data, "%PDF-1.4\n% eseal demo: introduction letter\n");
    material_set(&d->m[M_INTRO], "introduction_letter", "intro.pdf");
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    eseal_buf_append(&d->m[M_IDCOPY].data, sig, 8);
    eseal_buf_append_str(&d->m[M_IDCOPY].data, "eseal demo: ID card copy");
    material_set(&d->m[M_IDCOPY], "id_copy", "idcopy.png");
}

/* ---- API calls ------------------------------------------------------------------ */

/* expect calls the API as |who| and requires status |want|; *out (if not
 * NULL) gets the reply's JSON (caller decrefs). */
static eseal_rc expect(struct demo *d, const struct issuer_conn *who, const char *method,
                       const char *path, const json_t *body, unsigned want, json_t **out,
                       struct eseal_err *err)
{
    struct issuer_reply r;
    issuer_reply_init(&r);
    eseal_rc rc = issuer_call(who, method, path, body, &r, err);
    if (rc == ESEAL_OK && r.status != want) {
        char *what = eseal_xasprintf("%s %s", method, path);
        rc = issuer_refusal_err(&r, what, err);
        free(what);
    }
    if (rc == ESEAL_OK && out != NULL) {
        *out = r.json;
        r.json = NULL;
    }
    issuer_reply_cleanup(&r);
    (void)d;
    return rc;
}

static eseal_rc upload(struct demo *d, const struct issuer_conn *who, const char *path,
                       struct eseal_multipart_builder *mb, json_t **out, struct eseal_err *err)
{
    struct issuer_reply r;
    issuer_reply_init(&r);
    eseal_rc rc = eseal_multipart_finish(mb, err);
    if (rc == ESEAL_OK)
        rc = issuer_upload(who, path, mb, &r, err);
    if (rc == ESEAL_OK && issuer_refused(&r))
        rc = issuer_refusal_err(&r, path, err);
    if (rc == ESEAL_OK && out != NULL) {
        *out = r.json;
        r.json = NULL;
    }
    issuer_reply_cleanup(&r);
    (void)d;
    return rc;
}

static eseal_rc login(struct demo *d, struct issuer_conn *c, int slot, const char *user,
                      const char *password, struct eseal_err *err)
{
    json_t *body = json_pack("{s:s,s:s}", "username", user, "password", password);
    json_t *reply = NULL;
    struct issuer_conn anon = {c->url, NULL};
    eseal_rc rc = expect(d, &anon, "POST", "/api/v1/session", body, 200, &reply, err);
    json_decref(body);
    if (rc == ESEAL_OK) {
        d->tokens[slot] = eseal_xstrdup(issuer_str(reply, "token"));
        c->token = d->tokens[slot];
    }
    json_decref(reply);
    return rc;
}

/* make_staff creates the demo accounts (unique per run) and logs them in. */
static eseal_rc make_staff(struct demo *d, struct eseal_err *err)
{
    static const struct {
        const char *name, *role;
        int slot;
        const char *key, *value; /* the unit of an agent, the city of an aggregator */
    } staff[] = {{"agent", "agent", 1, "unit", UNIT_USCC},
                 {"maker", "maker", 2, NULL, NULL},
                 {"reviewer", "reviewer", 3, NULL, NULL},
                 {"aggregator", "aggregator", 4, "city", UNIT_CITY},
                 {"agent2", "agent", 5, "unit", UNIT2_USCC}};
    struct issuer_conn *conns[] = {&d->admin,    &d->agent,      &d->maker,
                                   &d->reviewer, &d->aggregator, &d->agent2};
    for (size_t i = 0; i < sizeof(staff) / sizeof(staff[0]); i++) {
        uint8_t rnd[12];
        eseal_random(rnd, sizeof(rnd));
        char *pw = eseal_hex(rnd, sizeof(rnd));
        char *user = eseal_xasprintf("demo-%s-%s", staff[i].name, d->suffix);
        json_t *body =
            json_pack("{s:s,s:s,s:s}", "username", user, "password", pw, "role", staff[i].role);
        if (staff[i].key != NULL)
            json_object_set_new(body, staff[i].key, json_string(staff[i].value));
        eseal_rc rc = expect(d, &d->admin, "POST", "/api/v1/staff", body, 201, NULL, err);
        json_decref(body);
        if (rc == ESEAL_OK)
            rc = login(d, conns[staff[i].slot], staff[i].slot, user, pw, err);
        if (rc == ESEAL_OK)
            say(d, "account %s (%s) created and logged in", user, staff[i].role);
        free(user);
        free(pw);
        if (rc != ESEAL_OK)
            return rc;
    }
    return ESEAL_OK;
}

/* unit_doc builds the submission JSON of one form of unit |name| (|uscc|). */
static json_t *unit_doc(struct demo *d, const char *name, const char *uscc, const char *business,
                        const char *target, const char *seal_name)
{
    json_t *unit = json_pack("{s:s,s:s,s:s,s:s}", "name", name, "uscc", uscc, "city", UNIT_CITY,
                             "county", UNIT_COUNTY);
    json_t *form =
        json_pack("{s:s,s:s,s:O,s:{s:s,s:s,s:s},s:{s:s,s:i,s:i,s:s,s:s},s:s,s:s}", "business",
                  business, "kind", "unit", "unit", unit, "agent", "name", "李四", "mobile",
                  "13800000000", "id_number", "350102199001011238", "seal", "name", seal_name,
                  "width_mm", 42, "height_mm", 42, "function", "official", "cert_type", "usb_key",
                  "impression", d->m[M_IMPRESSION].sm3, "material", d->m[M_FORM].sm3);
    if (target != NULL)
        json_object_set_new(form, "target", json_string(target));
    json_t *doc =
        json_pack("{s:s,s:s,s:s,s:O,s:{s:s,s:s,s:s,s:i,s:{s:i}},s:[o]}", "business", business,
                  "channel", "aggregator", "aggregator", UNIT_CITY, "applicant", unit, "letter",
                  "material", d->m[M_LETTER].sm3, "addressee", "福建省经济信息中心", "business",
                  business, "form_count", 1, "kinds", "unit", 1, "forms", form);
    json_decref(unit);
    return doc;
}

/* submission_doc builds the demo unit's submission JSON of one form for |business|. */
static json_t *submission_doc(struct demo *d, const char *business, const char *target,
                              const char *seal_name)
{
    return unit_doc(d, UNIT_NAME, UNIT_USCC, business, target, seal_name);
}

/* to_aggregator files |doc| as the agent |who|, uploads its materials and
 * submits it: a city unit's submission goes to its aggregator (collected). */
static eseal_rc to_aggregator(struct demo *d, const struct issuer_conn *who, json_t *doc, char **id,
                              struct eseal_err *err)
{
    *id = NULL;
    json_t *reply = NULL;
    eseal_rc rc = expect(d, who, "POST", "/api/v1/submissions", doc, 201, &reply, err);
    json_decref(doc);
    if (rc != ESEAL_OK)
        return rc;
    *id = eseal_xstrdup(issuer_str(reply, "id"));
    json_decref(reply);
    struct eseal_multipart_builder mb;
    eseal_multipart_builder_init(&mb);
    for (int i = M_LETTER; rc == ESEAL_OK && i <= M_IMPRESSION; i++)
        rc = eseal_multipart_add(&mb, d->m[i].kind, d->m[i].filename, NULL, d->m[i].data.data,
                                 d->m[i].data.len, err);
    char *path = eseal_xasprintf("/api/v1/submissions/%s/materials", *id);
    if (rc == ESEAL_OK)
        rc = upload(d, who, path, &mb, NULL, err);
    free(path);
    eseal_multipart_builder_cleanup(&mb);
    path = eseal_xasprintf("/api/v1/submissions/%s/submit", *id);
    if (rc == ESEAL_OK)
        rc = expect(d, who, "POST", path, NULL, 200, NULL, err);
    free(path);
    return rc;
}

/* to_approved files a submission for |business| (on seal |target|, or a new
 * one), uploads its materials, submits it to the aggregator, which submits
 * it to the centre, has the maker register it (every paper original checked;
 * the token |onsite_token| seen on site) and the reviewer approve it. */
static eseal_rc to_approved(struct demo *d, const char *business, const char *target,
                            const char *seal_name, const char *onsite_token, char **id,
                            struct eseal_err *err)
{
    eseal_rc rc =
        to_aggregator(d, &d->agent, submission_doc(d, business, target, seal_name), id, err);
    char *path = eseal_xasprintf("/api/v1/submissions/%s/submit", *id != NULL ? *id : "");
    if (rc == ESEAL_OK)
        rc = expect(d, &d->aggregator, "POST", path, NULL, 200, NULL, err);
    free(path);
    json_t *body = json_pack("{s:s}", "paper", "all");
    if (target != NULL && onsite_token != NULL)
        json_object_set_new(body, "onsite",
                            json_pack("[{s:s,s:s}]", "esid", target, "token_id", onsite_token));
    path = eseal_xasprintf("/api/v1/submissions/%s/register", *id);
    if (rc == ESEAL_OK)
        rc = expect(d, &d->maker, "POST", path, body, 200, NULL, err);
    free(path);
    json_decref(body);
    body = json_pack("{s:s}", "decision", "approve");
    path = eseal_xasprintf("/api/v1/submissions/%s/review", *id);
    if (rc == ESEAL_OK)
        rc = expect(d, &d->reviewer, "POST", path, body, 200, NULL, err);
    free(path);
    json_decref(body);
    if (rc == ESEAL_OK)
        say(d,
            "submission %s (%s%s%s): filed, materials uploaded, submitted through the "
            "aggregator, registered (paper originals checked), approved",
            *id, business, target != NULL ? " of " : "", target != NULL ? target : "");
    return rc;
}

/* produce posts |body| (may be NULL) to produce; *reply is the record. */
static eseal_rc produce(struct demo *d, const char *id, const json_t *body, json_t **reply,
                        struct eseal_err *err)
{
    char *path = eseal_xasprintf("/api/v1/submissions/%s/produce", id);
    eseal_rc rc = expect(d, &d->maker, "POST", path, body, 200, reply, err);
    free(path);
    return rc;
}

static eseal_rc handover(struct demo *d, const char *id, struct eseal_err *err)
{
    struct eseal_multipart_builder mb;
    eseal_multipart_builder_init(&mb);
    static const char *const fields[][2] = {{"collector_name", COLLECTOR_NAME},
                                            {"collector_id_number", COLLECTOR_ID},
                                            {"letter_name", COLLECTOR_NAME},
                                            {"letter_id_number", COLLECTOR_ID}};
    eseal_rc rc = ESEAL_OK;
    for (size_t i = 0; rc == ESEAL_OK && i < 4; i++)
        rc = eseal_multipart_add(&mb, fields[i][0], NULL, NULL, fields[i][1], strlen(fields[i][1]),
                                 err);
    for (int i = M_INTRO; rc == ESEAL_OK && i <= M_IDCOPY; i++)
        rc = eseal_multipart_add(&mb, d->m[i].kind, d->m[i].filename, NULL, d->m[i].data.data,
                                 d->m[i].data.len, err);
    char *path = eseal_xasprintf("/api/v1/submissions/%s/handover", id);
    if (rc == ESEAL_OK)
        rc = upload(d, &d->maker, path, &mb, NULL, err);
    free(path);
    eseal_multipart_builder_cleanup(&mb);
    if (rc == ESEAL_OK)
        say(d, "submission %s handed over to the collector named in the letter", id);
    return rc;
}

/* fetch GETs a seal's file (seal.esl, cert.pem) into |out|. */
static eseal_rc fetch(struct demo *d, const char *esid, const char *file, struct eseal_buf *out,
                      struct eseal_err *err)
{
    struct issuer_reply r;
    issuer_reply_init(&r);
    char *path = eseal_xasprintf("/api/v1/seals/%s/%s", esid, file);
    eseal_rc rc = issuer_call(&d->agent, "GET", path, NULL, &r, err);
    if (rc == ESEAL_OK && r.status != 200)
        rc = issuer_refusal_err(&r, path, err);
    if (rc == ESEAL_OK) {
        eseal_buf_reset(out);
        eseal_buf_append(out, r.raw.data, r.raw.len);
    }
    free(path);
    issuer_reply_cleanup(&r);
    return rc;
}

/* ---- tokens and stamping ------------------------------------------------------- */

/* new_token makes a token in DIR/tokens/|name|, unlocks its key and writes
 * a request for the demo unit into |csr|. */
static eseal_rc new_token(struct demo *d, const char *name, struct eseal_token **tok, char **dir,
                          struct eseal_buf *csr, struct eseal_err *err)
{
    *dir = eseal_xasprintf("%s/tokens/%s", d->out, name);
    eseal_rc rc = eseal_token_init(*dir, d->pin, strlen(d->pin), err);
    if (rc == ESEAL_OK)
        rc = eseal_token_open(tok, *dir, err);
    if (rc == ESEAL_OK)
        rc = eseal_token_unlock_key(*tok, d->pin, strlen(d->pin), err);
    if (rc == ESEAL_OK)
        rc = eseal_token_csr(*tok, "/C=CN/O=" UNIT_NAME "/serialNumber=" UNIT_USCC, csr, err);
    if (rc == ESEAL_OK)
        say(d, "token %s made in %s; certificate request signed by it", eseal_token_id(*tok), *dir);
    return rc;
}

/* import fetches the seal's current certificate and seal into the token. */
static eseal_rc import(struct demo *d, struct eseal_token *tok, const char *esid,
                       struct eseal_err *err)
{
    struct eseal_buf cert, seal;
    eseal_buf_init(&cert);
    eseal_buf_init(&seal);
    eseal_rc rc = fetch(d, esid, "cert.pem", &cert, err);
    if (rc == ESEAL_OK)
        rc = fetch(d, esid, "seal.esl", &seal, err);
    if (rc == ESEAL_OK)
        rc = eseal_token_import(tok, cert.data, cert.len, seal.data, seal.len, err);
    if (rc == ESEAL_OK)
        say(d, "seal %s and its certificate fetched and imported into token %s", esid,
            eseal_token_id(tok));
    eseal_buf_cleanup(&cert);
    eseal_buf_cleanup(&seal);
    return rc;
}

/* stamp_ofd writes |path|: a one-page OFD showing |text|, stamped with the
 * token's seal on page 1. */
static eseal_rc stamp_ofd(struct eseal_token *tok, const char *esid, const char *text,
                          const char *path, const char *tsa, struct eseal_err *err)
{
    const char *lines[8];
    size_t n = 0;
    char *copy = eseal_xstrdup(text), *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l != NULL && n < 8; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    struct eseal_buf blank, out;
    eseal_buf_init(&blank);
    eseal_buf_init(&out);
    const uint8_t *seal = NULL;
    size_t seal_len = 0;
    struct ofd_place place = {.page = 1, .x = 140, .y = 100};
    eseal_rc rc = ofd_sample(&blank, esid, lines, n, err);
    if (rc == ESEAL_OK && !eseal_token_seal(tok, &seal, &seal_len))
        rc = eseal_err_set(err, ESEAL_E_NOTFOUND, "token %s holds no seal", eseal_token_id(tok));
    if (rc == ESEAL_OK)
        rc = ofd_stamp(&out, blank.data, blank.len, seal, seal_len, &place, 0,
                       eseal_token_cert(tok), eseal_token_signer, tok, tsa, err);
    if (rc == ESEAL_OK)
        rc = eseal_file_write(path, out.data, out.len, 0644, 0, err);
    eseal_buf_cleanup(&blank);
    eseal_buf_cleanup(&out);
    free(copy);
    return rc;
}

/* stamp writes DIR/<esID>.txt and stamps it with the token's seal into
 * DIR/<esID>.txt.ses and DIR/<esID>.ofd (the same text on an OFD page),
 * and records the seal for the summary. */
static eseal_rc stamp(struct demo *d, struct eseal_token *tok, const char *esid,
                      const char *business, const char *tokdir, struct eseal_err *err)
{
    char *name = eseal_xasprintf("%s.txt", esid);
    char *doc = eseal_xasprintf("%s/%s", d->out, name);
    char *sig = eseal_xasprintf("%s.ses", doc);
    char when[ESEAL_JSON_TIME_BUF];
    eseal_json_time_now(when, sizeof(when), false);
    char *text = eseal_xasprintf("eseal 演示文件 / eseal sample document\n"
                                 "印章编码 / seal code (esID): %s\n"
                                 "业务 / business: %s\n"
                                 "签章时间 / stamped at: %s\n"
                                 "单位 / unit: " UNIT_NAME " (" UNIT_USCC ")\n",
                                 esid, business, when);
    uint8_t h[ESEAL_SM3_LEN];
    eseal_sm3(h, text, strlen(text));
    struct eseal_buf ses;
    eseal_buf_init(&ses);
    const uint8_t *seal = NULL;
    size_t seal_len = 0;
    eseal_rc rc = eseal_file_write(doc, text, strlen(text), 0644, 0, err);
    if (rc == ESEAL_OK &&
        (!eseal_token_seal(tok, &seal, &seal_len) || eseal_token_cert(tok) == NULL))
        rc = eseal_err_set(err, ESEAL_E_NOTFOUND, "token %s holds no seal", eseal_token_id(tok));
    if (rc == ESEAL_OK)
        rc = eseal_ses_make(&ses, seal, seal_len, h, name, 0, eseal_token_cert(tok),
                            eseal_token_signer, tok, err);
    if (rc == ESEAL_OK && d->tsa != NULL)
        rc = eseal_ts_stamp_ses(&ses, d->tsa, 0, err);
    if (rc == ESEAL_OK)
        rc = eseal_file_write(sig, ses.data, ses.len, 0644, 0, err);
    char *ofd = eseal_xasprintf("%s/%s.ofd", d->out, esid);
    if (rc == ESEAL_OK)
        rc = stamp_ofd(tok, esid, text, ofd, d->tsa, err);
    if (rc == ESEAL_OK) {
        say(d, "stamped %s with seal %s -> %s and %s%s", doc, esid, sig, ofd,
            d->tsa != NULL ? " (time-stamped / 已加时间戳)" : "");
        json_array_append_new(d->seals,
                              json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "esID", esid, "business",
                                        business, "document", doc, "signature", sig, "ofd", ofd,
                                        "token", tokdir, "timestamped", d->tsa != NULL));
    }
    free(ofd);
    eseal_buf_cleanup(&ses);
    free(text);
    free(name);
    free(doc);
    free(sig);
    return rc;
}

/* settle waits, when the samples are time-stamped, until the seal about to
 * be suspended or revoked is so a whole accuracy (one second) after its
 * sample's genTime: both times have whole seconds, and a verifier can only
 * tell which came first when they differ (docs/verify.md). */
static void settle(const struct demo *d)
{
    if (d->tsa != NULL) {
        struct timespec ts = {.tv_sec = 2, .tv_nsec = 0};
        while (nanosleep(&ts, &ts) != 0)
            ;
    }
}

/* struct holder is one seal in the making: its token and esID. */
struct holder {
    struct eseal_token *tok;
    char *dir;
    char esid[32];
};

static void holder_cleanup(struct holder *h)
{
    eseal_token_free(h->tok);
    free(h->dir);
    memset(h, 0, sizeof(*h));
}

/* apply_seal takes a new seal through apply: token, submission, produce
 * with the token's request (|days| 0: the issuer's default), handover,
 * import. */
static eseal_rc apply_seal(struct demo *d, const char *token_name, int days, struct holder *h,
                           struct eseal_err *err)
{
    struct eseal_buf csr;
    eseal_buf_init(&csr);
    char *id = NULL;
    json_t *reply = NULL;
    eseal_rc rc = new_token(d, token_name, &h->tok, &h->dir, &csr, err);
    if (rc == ESEAL_OK)
        rc = to_approved(d, "apply", NULL, UNIT_NAME, NULL, &id, err);
    if (rc == ESEAL_OK) {
        json_t *body = json_pack("{s:[{s:s%,s:s}]}", "forms", "csr", (const char *)csr.data,
                                 csr.len, "token_id", eseal_token_id(h->tok));
        if (days > 0)
            json_object_set_new(body, "days", json_integer(days));
        rc = produce(d, id, body, &reply, err);
        json_decref(body);
    }
    if (rc == ESEAL_OK) {
        const json_t *a0 = json_array_get(json_object_get(reply, "applications"), 0);
        snprintf(h->esid, sizeof(h->esid), "%s", issuer_str(a0, "esid"));
        say(d, "seal %s produced (pending until handed over)%s", h->esid,
            days > 0 ? ", with a short validity" : "");
        rc = handover(d, id, err);
    }
    if (rc == ESEAL_OK)
        rc = import(d, h->tok, h->esid, err);
    json_decref(reply);
    free(id);
    eseal_buf_cleanup(&csr);
    return rc;
}

/* ---- the business types --------------------------------------------------------- */

static eseal_rc demo_apply(struct demo *d, struct eseal_err *err)
{
    d->step = "apply 印章申请";
    struct holder h = {0};
    eseal_rc rc = apply_seal(d, "apply", 0, &h, err);
    if (rc == ESEAL_OK)
        rc = stamp(d, h.tok, h.esid, "apply", h.dir, err);
    holder_cleanup(&h);
    return rc;
}

static eseal_rc demo_renew(struct demo *d, struct eseal_err *err)
{
    d->step = "renew 印章延期";
    struct holder h = {0};
    char *id = NULL;
    /* 10 days: inside the 30-day renewal window at once. */
    eseal_rc rc = apply_seal(d, "renew", 10, &h, err);
    if (rc == ESEAL_OK)
        rc = to_approved(d, "renew", h.esid, UNIT_NAME, eseal_token_id(h.tok), &id, err);
    if (rc == ESEAL_OK) {
        json_t *body = json_pack("{s:i}", "days", 365);
        rc = produce(d, id, body, NULL, err);
        json_decref(body);
    }
    if (rc == ESEAL_OK) {
        say(d, "seal %s renewed: a new certificate and seal version, the old one superseded",
            h.esid);
        rc = import(d, h.tok, h.esid, err);
    }
    if (rc == ESEAL_OK)
        rc = stamp(d, h.tok, h.esid, "renew", h.dir, err);
    free(id);
    holder_cleanup(&h);
    return rc;
}

static eseal_rc demo_change(struct demo *d, struct eseal_err *err)
{
    d->step = "change 印章变更";
    struct holder h = {0};
    char *id = NULL;
    eseal_rc rc = apply_seal(d, "change", 0, &h, err);
    if (rc == ESEAL_OK)
        rc = to_approved(d, "change", h.esid, UNIT_NAME "合同专用章", eseal_token_id(h.tok), &id,
                         err);
    if (rc == ESEAL_OK)
        rc = produce(d, id, NULL, NULL, err);
    if (rc == ESEAL_OK) {
        say(d, "seal %s changed: renamed " UNIT_NAME "合同专用章 in a new version", h.esid);
        rc = import(d, h.tok, h.esid, err);
    }
    if (rc == ESEAL_OK)
        rc = stamp(d, h.tok, h.esid, "change", h.dir, err);
    free(id);
    holder_cleanup(&h);
    return rc;
}

static eseal_rc demo_revoke(struct demo *d, struct eseal_err *err)
{
    d->step = "revoke 印章撤销";
    struct holder h = {0};
    char *id = NULL;
    eseal_rc rc = apply_seal(d, "revoke", 0, &h, err);
    if (rc == ESEAL_OK)
        rc = stamp(d, h.tok, h.esid, "revoke", h.dir, err);
    settle(d);
    if (rc == ESEAL_OK)
        rc = to_approved(d, "revoke", h.esid, UNIT_NAME, eseal_token_id(h.tok), &id, err);
    if (rc == ESEAL_OK) {
        json_t *body = json_pack("{s:s}", "reason", "cessationOfOperation");
        rc = produce(d, id, body, NULL, err);
        json_decref(body);
    }
    if (rc == ESEAL_OK)
        say(d, "seal %s revoked (cessationOfOperation)", h.esid);
    free(id);
    holder_cleanup(&h);
    return rc;
}

static eseal_rc demo_reissue(struct demo *d, struct eseal_err *err)
{
    d->step = "reissue 印章补办";
    struct holder lost = {0}, h = {0};
    char *id = NULL;
    json_t *reply = NULL;
    struct eseal_buf csr;
    eseal_buf_init(&csr);
    eseal_rc rc = apply_seal(d, "reissue-lost", 0, &lost, err);
    if (rc == ESEAL_OK)
        rc = stamp(d, lost.tok, lost.esid, "reissue", lost.dir, err);
    settle(d);
    if (rc == ESEAL_OK) {
        char *path = eseal_xasprintf("/api/v1/seals/%s/suspend", lost.esid);
        rc = expect(d, &d->maker, "POST", path, NULL, 200, NULL, err);
        free(path);
    }
    if (rc == ESEAL_OK) {
        say(d, "seal %s reported lost: suspended at once", lost.esid);
        rc = new_token(d, "reissue", &h.tok, &h.dir, &csr, err);
    }
    if (rc == ESEAL_OK)
        rc = to_approved(d, "reissue", lost.esid, UNIT_NAME, NULL, &id, err);
    if (rc == ESEAL_OK) {
        json_t *body = json_pack("{s:[{s:s%,s:s}]}", "forms", "csr", (const char *)csr.data,
                                 csr.len, "token_id", eseal_token_id(h.tok));
        rc = produce(d, id, body, &reply, err);
        json_decref(body);
    }
    if (rc == ESEAL_OK) {
        const json_t *a0 = json_array_get(json_object_get(reply, "applications"), 0);
        snprintf(h.esid, sizeof(h.esid), "%s", issuer_str(a0, "esid"));
        say(d, "seal %s revoked (keyCompromise); new seal %s produced on a new token", lost.esid,
            h.esid);
        rc = handover(d, id, err);
    }
    if (rc == ESEAL_OK)
        rc = import(d, h.tok, h.esid, err);
    if (rc == ESEAL_OK)
        rc = stamp(d, h.tok, h.esid, "reissue", h.dir, err);
    json_decref(reply);
    free(id);
    eseal_buf_cleanup(&csr);
    holder_cleanup(&lost);
    holder_cleanup(&h);
    return rc;
}

/* seal_post posts to /api/v1/seals/{esid}/|verb| as |who|; *out (may be
 * NULL) gets the seal. */
static eseal_rc seal_post(struct demo *d, const struct issuer_conn *who, const char *esid,
                          const char *verb, const json_t *body, json_t **out, struct eseal_err *err)
{
    char *path = eseal_xasprintf("/api/v1/seals/%s/%s", esid, verb);
    eseal_rc rc = expect(d, who, "POST", path, body, 200, out, err);
    free(path);
    return rc;
}

/* demo_loss: the holder reports the key lost (suspended at once), the key
 * is found and a maker reinstates the seal; lost again, it is revoked
 * without the key, keyCompromise since the loss report (invalidityDate). */
static eseal_rc demo_loss(struct demo *d, struct eseal_err *err)
{
    d->step = "loss 挂失";
    struct holder h = {0};
    char *id = NULL;
    json_t *seal = NULL;
    eseal_rc rc = apply_seal(d, "loss", 0, &h, err);
    if (rc == ESEAL_OK)
        rc = stamp(d, h.tok, h.esid, "loss", h.dir, err);
    settle(d);
    if (rc == ESEAL_OK)
        rc = seal_post(d, &d->agent, h.esid, "suspend", NULL, NULL, err);
    if (rc == ESEAL_OK) {
        say(d, "seal %s reported lost by the unit's agent: suspended at once", h.esid);
        json_t *body = json_pack("{s:s}", "token_id", eseal_token_id(h.tok));
        rc = seal_post(d, &d->maker, h.esid, "reinstate", body, NULL, err);
        json_decref(body);
    }
    if (rc == ESEAL_OK) {
        say(d, "key %s found and shown on site: seal %s reinstated (good again)",
            eseal_token_id(h.tok), h.esid);
        rc = seal_post(d, &d->agent, h.esid, "suspend", NULL, &seal, err);
    }
    if (rc == ESEAL_OK) {
        const json_t *versions = json_object_get(seal, "versions");
        say(d, "seal %s reported lost again at %s", h.esid,
            issuer_str(json_array_get(versions, json_array_size(versions) - 1), "suspended_at"));
        rc = to_approved(d, "revoke", h.esid, UNIT_NAME, NULL, &id, err);
    }
    if (rc == ESEAL_OK)
        rc = produce(d, id, NULL, NULL, err);
    json_decref(seal);
    seal = NULL;
    char *path = eseal_xasprintf("/api/v1/seals/%s", h.esid);
    if (rc == ESEAL_OK)
        rc = expect(d, &d->agent, "GET", path, NULL, 200, &seal, err);
    free(path);
    if (rc == ESEAL_OK) {
        const json_t *versions = json_object_get(seal, "versions");
        const json_t *cur = json_array_get(versions, json_array_size(versions) - 1);
        say(d, "seal %s revoked without the key: %s, invalid since %s", h.esid,
            issuer_str(cur, "reason"), issuer_str(cur, "invalidity_date"));
    }
    json_decref(seal);
    free(id);
    holder_cleanup(&h);
    return rc;
}

static eseal_rc demo_unlock(struct demo *d, struct eseal_err *err)
{
    d->step = "unlock 口令解锁";
    struct holder h = {0};
    char *id = NULL;
    json_t *reply = NULL;
    eseal_rc rc = apply_seal(d, "unlock", 0, &h, err);
    /* Wrong PINs until the token locks. */
    int tries = 0;
    while (rc == ESEAL_OK && !eseal_token_locked(h.tok) && tries++ < ESEAL_TOKEN_MAX_TRIES) {
        static const char wrong[] = "000000-wrong";
        struct eseal_err ignored;
        eseal_err_clear(&ignored);
        if (eseal_token_unlock_key(h.tok, wrong, strlen(wrong), &ignored) == ESEAL_OK)
            rc = eseal_err_set(err, ESEAL_E_INTERNAL, "a wrong PIN was accepted");
    }
    if (rc == ESEAL_OK && !eseal_token_locked(h.tok))
        rc = eseal_err_set(err, ESEAL_E_INTERNAL, "the token did not lock after %d wrong PINs",
                           ESEAL_TOKEN_MAX_TRIES);
    if (rc == ESEAL_OK) {
        say(d, "token %s locked after %d wrong PINs", eseal_token_id(h.tok), tries);
        rc = to_approved(d, "unlock", h.esid, UNIT_NAME, eseal_token_id(h.tok), &id, err);
    }
    if (rc == ESEAL_OK) {
        json_t *body =
            json_pack("{s:[{s:i}]}", "forms", "counter", (int)eseal_token_unlock_counter(h.tok));
        rc = produce(d, id, body, &reply, err);
        json_decref(body);
    }
    if (rc == ESEAL_OK) {
        const json_t *a0 = json_array_get(json_object_get(reply, "applications"), 0);
        const char *code = issuer_str(a0, "unlock_code_pem");
        say(d, "unlock code for token %s received from the issuer", eseal_token_id(h.tok));
        rc = eseal_token_reset_pin(h.tok, (const uint8_t *)code, strlen(code), d->pin,
                                   strlen(d->pin), err);
    }
    if (rc == ESEAL_OK)
        rc = eseal_token_unlock_key(h.tok, d->pin, strlen(d->pin), err);
    if (rc == ESEAL_OK) {
        say(d, "token %s unlocked with the code; the PIN works again", eseal_token_id(h.tok));
        rc = stamp(d, h.tok, h.esid, "unlock", h.dir, err);
    }
    json_decref(reply);
    free(id);
    holder_cleanup(&h);
    return rc;
}

/* final_status asks the issuer for each seal's status now. */
/* summary_xlsx makes the batch's summary table as an Office Open XML
 * workbook (the package parts an xlsx reader needs to open it). */
static eseal_rc summary_xlsx(struct eseal_buf *out, struct eseal_err *err)
{
    static const char *const parts[][2] = {
        {"[Content_Types].xml",
         "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats."
         "org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/"
         "xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd."
         "openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>"},
        {"xl/workbook.xml",
         "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas."
         "openxmlformats.org/spreadsheetml/2006/main\"><sheets/></workbook>"},
    };
    struct eseal_zip_writer *w = eseal_zip_writer_new();
    eseal_rc rc = ESEAL_OK;
    for (size_t i = 0; rc == ESEAL_OK && i < 2; i++)
        rc = eseal_zip_writer_add(w, parts[i][0], (const uint8_t *)parts[i][1], strlen(parts[i][1]),
                                  false, err);
    if (rc == ESEAL_OK)
        rc = eseal_zip_writer_finish(w, out, err);
    eseal_zip_writer_free(w);
    return rc;
}

/* batch_rows returns the summary table's rows: one per unit's form. */
static json_t *batch_rows(const char *const units[][2], size_t n, const char *seal_suffix)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++) {
        char *name = eseal_xasprintf("%s%s", units[i][0], seal_suffix);
        json_array_append_new(
            rows, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:i}", "unit_name", units[i][0], "uscc",
                            units[i][1], "kind", "unit", "seal_name", name, "function", "official",
                            "cert_type", "usb_key", "width_mm", 42, "height_mm", 42));
        free(name);
    }
    return rows;
}

/* batch_post POSTs |body| (may be NULL) to /api/v1/batches/|id|/|step|. */
static eseal_rc batch_post(struct demo *d, const struct issuer_conn *who, const char *id,
                           const char *step, const json_t *body, unsigned want, json_t **out,
                           struct eseal_err *err)
{
    char *path = eseal_xasprintf("/api/v1/batches/%s/%s", id, step);
    eseal_rc rc = expect(d, who, "POST", path, body, want, out, err);
    free(path);
    return rc;
}

/* batch_all_ok checks a batch step's per-item results. */
static eseal_rc batch_all_ok(const json_t *reply, const char *state, struct eseal_err *err)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(reply, "results"), i, r)
    {
        if (!json_is_true(json_object_get(r, "ok")) || strcmp(issuer_str(r, "state"), state) != 0)
            return eseal_err_set(err, ESEAL_E_RULE, "batch item %s: %s",
                                 issuer_str(r, "submission"),
                                 issuer_str(json_object_get(r, "error"), "message"));
    }
    return ESEAL_OK;
}

/* demo_batch: two units of Fuzhou submit to their aggregator, which batches
 * both with one summary table (an xlsx, rows from both units) and submits
 * the batch; the maker registers and the reviewer approves the batch. */
static eseal_rc demo_batch(struct demo *d, struct eseal_err *err)
{
    d->step = "batch 汇总报送";
    static const char *const units[][2] = {{UNIT_NAME, UNIT_USCC}, {UNIT2_NAME, UNIT2_USCC}};
    const struct issuer_conn *agents[] = {&d->agent, &d->agent2};
    static const char suffix[] = "（批次）";
    char *ids[2] = {NULL, NULL}, *bid = NULL;
    json_t *reply = NULL, *body = NULL;
    eseal_rc rc = ESEAL_OK;
    for (size_t i = 0; rc == ESEAL_OK && i < 2; i++) {
        char *seal = eseal_xasprintf("%s%s", units[i][0], suffix);
        rc = to_aggregator(d, agents[i], unit_doc(d, units[i][0], units[i][1], "apply", NULL, seal),
                           &ids[i], err);
        free(seal);
        if (rc == ESEAL_OK)
            say(d, "submission %s of %s submitted to the aggregator (collected)", ids[i],
                units[i][0]);
    }
    body = json_pack("{s:s}", "business", "apply");
    if (rc == ESEAL_OK)
        rc = expect(d, &d->aggregator, "POST", "/api/v1/batches", body, 201, &reply, err);
    json_decref(body);
    if (rc == ESEAL_OK)
        bid = eseal_xstrdup(issuer_str(reply, "id"));
    json_decref(reply);
    reply = NULL;
    for (size_t i = 0; rc == ESEAL_OK && i < 2; i++) {
        body = json_pack("{s:s}", "submission", ids[i]);
        rc = batch_post(d, &d->aggregator, bid, "items", body, 201, NULL, err);
        json_decref(body);
    }
    struct eseal_buf xlsx;
    eseal_buf_init(&xlsx);
    struct eseal_multipart_builder mb;
    eseal_multipart_builder_init(&mb);
    json_t *rows = batch_rows(units, 2, suffix);
    char *rows_text = json_dumps(rows, JSON_COMPACT);
    json_decref(rows);
    if (rc == ESEAL_OK)
        rc = summary_xlsx(&xlsx, err);
    if (rc == ESEAL_OK)
        rc = eseal_multipart_add(&mb, "summary_table", "summary.xlsx", NULL, xlsx.data, xlsx.len,
                                 err);
    if (rc == ESEAL_OK)
        rc = eseal_multipart_add(&mb, "rows", "rows.json", "application/json", rows_text,
                                 strlen(rows_text), err);
    char *path = eseal_xasprintf("/api/v1/batches/%s/summary", bid != NULL ? bid : "");
    if (rc == ESEAL_OK)
        rc = upload(d, &d->aggregator, path, &mb, NULL, err);
    free(path);
    free(rows_text);
    eseal_multipart_builder_cleanup(&mb);
    eseal_buf_cleanup(&xlsx);
    if (rc == ESEAL_OK)
        rc = batch_post(d, &d->aggregator, bid, "submit", NULL, 200, NULL, err);
    if (rc == ESEAL_OK)
        say(d,
            "batch %s: %s and %s with one summary table (xlsx, a row from each unit), "
            "submitted to the centre",
            bid, ids[0], ids[1]);
    body = json_pack("{s:s}", "paper", "all");
    if (rc == ESEAL_OK)
        rc = batch_post(d, &d->maker, bid, "register", body, 200, &reply, err);
    json_decref(body);
    if (rc == ESEAL_OK)
        rc = batch_all_ok(reply, "registered", err);
    json_decref(reply);
    reply = NULL;
    body = json_pack("{s:s}", "decision", "approve");
    if (rc == ESEAL_OK)
        rc = batch_post(d, &d->reviewer, bid, "review", body, 200, &reply, err);
    json_decref(body);
    if (rc == ESEAL_OK)
        rc = batch_all_ok(reply, "approved", err);
    json_decref(reply);
    if (rc == ESEAL_OK)
        say(d, "batch %s registered (paper originals checked) and approved, item by item", bid);
    free(ids[0]);
    free(ids[1]);
    free(bid);
    return rc;
}

static eseal_rc final_status(struct demo *d, struct eseal_err *err)
{
    size_t i;
    json_t *s;
    json_array_foreach(d->seals, i, s)
    {
        char *path = eseal_xasprintf("/api/v1/seals/%s", issuer_str(s, "esID"));
        json_t *seal = NULL;
        eseal_rc rc = expect(d, &d->agent, "GET", path, NULL, 200, &seal, err);
        free(path);
        if (rc != ESEAL_OK)
            return rc;
        json_object_set_new(s, "status", json_string(issuer_str(seal, "status")));
        json_decref(seal);
    }
    return ESEAL_OK;
}

static eseal_rc run(struct demo *d, const char *admin_pw, struct eseal_err *err)
{
    d->step = "setup 准备";
    eseal_rc rc = eseal_mkdirs(d->out, 0755, err);
    char *tokens = eseal_xasprintf("%s/tokens", d->out);
    if (rc == ESEAL_OK)
        rc = eseal_mkdirs(tokens, 0700, err);
    free(tokens);
    char *pinfile = eseal_xasprintf("%s/token.pin", d->out);
    if (rc == ESEAL_OK)
        rc = eseal_file_write(pinfile, d->pin, strlen(d->pin), 0600, 0, err);
    if (rc == ESEAL_OK)
        say(d, "output in %s; the tokens' PIN is in %s", d->out, pinfile);
    free(pinfile);
    if (rc == ESEAL_OK)
        rc = login(d, &d->admin, 0, "admin", admin_pw, err);
    if (rc == ESEAL_OK)
        rc = make_staff(d, err);
    eseal_rc (*const steps[])(struct demo *, struct eseal_err *) = {
        demo_apply,   demo_renew,  demo_change, demo_revoke,
        demo_reissue, demo_unlock, demo_loss,   demo_batch,
    };
    for (size_t i = 0; rc == ESEAL_OK && i < sizeof(steps) / sizeof(steps[0]); i++)
        rc = steps[i](d, err);
    d->step = "summary 汇总";
    if (rc == ESEAL_OK)
        rc = final_status(d, err);
    if (rc == ESEAL_OK) {
        size_t i;
        json_t *s;
        json_array_foreach(d->seals, i, s)
            say(d, "%s  %-8s %-10s %s", issuer_str(s, "esID"), issuer_str(s, "business"),
                issuer_str(s, "status"), issuer_str(s, "signature"));
    }
    return rc;
}

int cmd_demo(int argc, char **argv)
{
    struct cmd_args a;
    int r = cmd_parse(argc, argv, "", long_opts, CMD_ALL, 0, demo_usage, EXIT_USAGE, &a);
    if (r == 0)
        r = cmd_ca_file(a.opt[OPT_CA_FILE], EXIT_USAGE);
    if (r != 0)
        return r < 0 ? 0 : r;
    const char *url = a.opt[OPT_ISSUER], *out = a.opt[OPT_OUT];
    if (url == NULL || out == NULL)
        return cmd_usage_error(demo_usage, "--issuer and --out are required / 缺少必需选项", NULL);
    struct eseal_err err;
    eseal_err_clear(&err);
    struct eseal_buf pw;
    eseal_buf_init(&pw);
    if (eseal_read_secret(&pw, a.opt[OPT_ADMIN_PW], "ESEAL_ADMIN_PASSWORD", &err) != ESEAL_OK) {
        fprintf(stderr, "eseal demo: %s\n", err.msg);
        return EXIT_USAGE;
    }
    struct demo d;
    memset(&d, 0, sizeof(d));
    d.out = out;
    d.tsa = a.opt[OPT_TSA];
    bool json = a.opt[OPT_JSON] != NULL;
    d.log = json ? stderr : stdout;
    d.admin.url = d.agent.url = d.maker.url = d.reviewer.url = url;
    d.aggregator.url = d.agent2.url = url;
    uint8_t rnd[8];
    eseal_random(rnd, 4);
    char *hex = eseal_hex(rnd, 4);
    snprintf(d.suffix, sizeof(d.suffix), "%s", hex);
    free(hex);
    eseal_random(rnd, 8);
    hex = eseal_hex(rnd, 8);
    snprintf(d.pin, sizeof(d.pin), "%s", hex);
    free(hex);
    d.seals = json_array();
    make_materials(&d);
    char *admin_pw = eseal_xstrndup((const char *)pw.data, pw.len);
    eseal_buf_cleanse(&pw);
    eseal_rc rc = run(&d, admin_pw, &err);
    memset(admin_pw, 0, strlen(admin_pw));
    free(admin_pw);
    int code = 0;
    if (rc != ESEAL_OK) {
        fprintf(stderr, "eseal demo: [%s] %s: %s\n", d.step, eseal_rc_describe(rc), err.msg);
        code = rc == ESEAL_E_DENIED ? EXIT_FAIL
               : rc == ESEAL_E_IO || rc == ESEAL_E_UNAVAILABLE || rc == ESEAL_E_NOTFOUND
                   ? EXIT_IO
                   : EXIT_FAIL;
    } else if (json) {
        json_t *summary = json_pack("{s:O}", "seals", d.seals);
        json_dumpf(summary, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(summary);
    } else {
        printf("demo done / 演示完成: %zu seals, samples in %s\n", json_array_size(d.seals), out);
    }
    /* Log the demo accounts out: their sessions end with the demo. */
    struct issuer_conn *conns[] = {&d.agent,      &d.maker,  &d.reviewer,
                                   &d.aggregator, &d.agent2, &d.admin};
    for (size_t i = 0; i < 6; i++) {
        if (conns[i]->token == NULL)
            continue;
        struct issuer_reply rr;
        issuer_reply_init(&rr);
        struct eseal_err ignored;
        if (issuer_call(conns[i], "DELETE", "/api/v1/session", NULL, &rr, &ignored) != ESEAL_OK)
            (void)0; /* the sessions expire anyway */
        issuer_reply_cleanup(&rr);
    }
    for (size_t i = 0; i < 6; i++)
        free(d.tokens[i]);
    for (int i = 0; i < N_MATERIALS; i++)
        eseal_buf_cleanup(&d.m[i].data);
    json_decref(d.seals);
    memset(d.pin, 0, sizeof(d.pin));
    return code;
}
