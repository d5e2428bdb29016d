/* test_page.c — libeseal-publisher's lookup page and its display data: HTML
 * escaping; a fetched seal checked against the log's digests (refused when
 * the seal, its picture or its esID differ); fetching from a real HTTP
 * server standing in for the issuer, with nothing stored from a seal that
 * does not match, retries after a back-off, a pause when the issuer fails,
 * and the fetch warning of GET /healthz for each;
 * the page (name escaped, picture, 404, 400, the visitor's text escaped). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/ca.h"
#include "eseal/http.h"
#include "eseal/log.h"
#include "eseal/publisher.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "fixture.h"

#define ESID "35010200000001"
/* a name a user could type: every character HTML cares about */
#define NAME "测试<b>&\"'印章"
#define NAME_HTML "测试&lt;b&gt;&amp;&quot;&#39;印章"
/* 2026-06-01T00:00:00Z */
#define NOW 1780272000LL

static struct eseal_buf good, other; /* the logged seal, and one with another picture */

static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d,
                              'I',  'H', 'D', 'R', 0,    0,    0,    1,    0, 0, 0, 1};
static const uint8_t png2[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
                               '\n', 'o', 't', 'h', 'e',  'r'};

static eseal_rc maker_signer(void *ctx, const uint8_t *msg, size_t len, struct eseal_buf *sig,
                             struct eseal_err *err)
{
    return eseal_ca_sign(ctx, ESEAL_CA_MAKER, msg, len, sig, err);
}

static X509 *holder_cert(void)
{
    EVP_PKEY *key = NULL;
    assert_int_equal(eseal_sm2_keygen(&key, NULL), ESEAL_OK);
    X509_REQ *req = X509_REQ_new();
    X509_REQ_set_pubkey(req, key);
    X509_NAME *n = X509_REQ_get_subject_name(req);
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)"福州市测试局", -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(n, "serialNumber", MBSTRING_UTF8,
                               (const unsigned char *)"91350100M000100Y43", -1, -1, 0);
    assert_int_equal(eseal_x509_req_sign(req, key, NULL), ESEAL_OK);
    unsigned char *der = NULL;
    int len = i2d_X509_REQ(req, &der);
    X509 *cert = NULL;
    assert_int_equal(
        eseal_ca_issue(fx_ca, der, (size_t)len, ESEAL_CA_PROFILE_UNIT, 30, &cert, NULL), ESEAL_OK);
    OPENSSL_free(der);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    return cert;
}

static void make_seal(struct eseal_buf *out, X509 *holder, const uint8_t *pic, size_t pic_len)
{
    struct eseal_seal_params sp = {
        .esid = ESID,
        .type = ESEAL_SEAL_UNIT,
        .name = NAME,
        .holder = holder,
        .picture = pic,
        .picture_len = pic_len,
        .width_mm = 42,
        .height_mm = 42,
    };
    struct eseal_err err;
    eseal_buf_init(out);
    if (eseal_seal_make(out, &sp, eseal_ca_cert(fx_ca, ESEAL_CA_MAKER), maker_signer, fx_ca,
                        &err) != ESEAL_OK)
        fail_msg("seal make: %s", err.msg);
}

static int group_setup(void **state)
{
    if (fx_setup(state) != 0)
        return -1;
    X509 *holder = holder_cert();
    make_seal(&good, holder, png, sizeof(png));
    make_seal(&other, holder, png2, sizeof(png2));
    X509_free(holder);
    return 0;
}

static int group_teardown(void **state)
{
    eseal_buf_cleanup(&good);
    eseal_buf_cleanup(&other);
    return fx_teardown(state);
}

/* record is the status record of version 1 of the good seal. */
static json_t *record(void)
{
    char *seal = eseal_sm3_hex(good.data, good.len), *pic = eseal_sm3_hex(png, sizeof(png));
    json_t *r = json_pack("{s:s,s:i,s:s,s:s}", "esid", ESID, "version", 1, "seal_sm3", seal,
                          "picture_sm3", pic);
    free(seal);
    free(pic);
    return r;
}

static void test_html_escape(void **state)
{
    (void)state;
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_buf_append_html(&b, "<a href=\"x\" title='y'>A & B</a>");
    assert_string_equal((char *)b.data,
                        "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;A &amp; B&lt;/a&gt;");
    eseal_buf_reset(&b);
    eseal_buf_append_html(&b, NAME);
    eseal_buf_append_html(&b, NULL);
    eseal_buf_append_html(&b, "");
    assert_string_equal((char *)b.data, NAME_HTML);
    eseal_buf_cleanup(&b);
}

static void test_seal_check(void **state)
{
    (void)state;
    json_t *r = record();
    struct eseal_err err;
    assert_int_equal(eseal_publisher_seal_check(r, good.data, good.len, &err), ESEAL_OK);
    /* another seal: its digest is not the log's */
    assert_int_equal(eseal_publisher_seal_check(r, other.data, other.len, &err), ESEAL_E_CRYPTO);
    assert_non_null(strstr(err.msg, "seal_sm3"));
    /* the log's digest of another seal with the right picture digest... */
    char *osm3 = eseal_sm3_hex(other.data, other.len);
    json_t *r2 = json_deep_copy(r);
    json_object_set_new(r2, "seal_sm3", json_string(osm3));
    free(osm3);
    /* ...but that seal's picture is another one */
    assert_int_equal(eseal_publisher_seal_check(r2, other.data, other.len, &err), ESEAL_E_CRYPTO);
    assert_non_null(strstr(err.msg, "picture_sm3"));
    /* the right seal logged under another esID */
    json_object_set_new(r2, "seal_sm3", json_deep_copy(json_object_get(r, "seal_sm3")));
    json_object_set_new(r2, "esid", json_string("35010200000002"));
    assert_int_equal(eseal_publisher_seal_check(r2, good.data, good.len, &err), ESEAL_E_INVALID);
    /* bytes that are no seal, whatever digest the log has for them */
    static const uint8_t junk[] = "not a seal";
    char *jsm3 = eseal_sm3_hex(junk, sizeof(junk));
    json_object_set_new(r2, "seal_sm3", json_string(jsm3));
    free(jsm3);
    assert_int_equal(eseal_publisher_seal_check(r2, junk, sizeof(junk), &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_publisher_seal_check(r2, junk, ESEAL_SEAL_MAX + 1, &err),
                     ESEAL_E_TOOBIG);
    /* a record without digests */
    json_object_del(r2, "picture_sm3");
    assert_int_equal(eseal_publisher_seal_check(r2, good.data, good.len, &err), ESEAL_E_INVALID);
    json_decref(r2);
    json_decref(r);
}

/* ---- a stand-in for the issuer's public seal files ------------------------------------- */

struct fake {
    const struct eseal_buf *serve; /* NULL: 503 */
    unsigned hits;
    char path[128];
};

static eseal_rc h_fake(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    struct fake *f = app;
    f->hits++;
    snprintf(f->path, sizeof(f->path), "%s", eseal_http_path(req));
    if (f->serve == NULL)
        return eseal_http_reply(req, 503, "text/plain", "down", 4);
    return eseal_http_reply(req, 200, "application/octet-stream", f->serve->data, f->serve->len);
}

static const struct eseal_http_route fake_routes[] = {
    {"GET", "/public/seals/{rest*}", ESEAL_HTTP_PUBLIC, 0, h_fake}};

static struct eseal_http *fake_start(struct fake *f)
{
    struct eseal_http_config hc = {.routes = fake_routes, .n_routes = 1, .app = f, .threads = 1};
    struct eseal_http *srv = NULL;
    assert_int_equal(eseal_http_start(&srv, &hc, NULL), ESEAL_OK);
    return srv;
}

/* open_kind writes the log (a seal.issued of the good seal, of |kind|) if
 * missing and opens a publisher over it with the issuer at |port|. */
static struct eseal_publisher *open_kind(const char *data, unsigned port, const char *kind)
{
    const char *logname = strcmp(kind, "unit") == 0 ? "log" : kind;
    char *logdir = eseal_path_join(fx_tmp, logname);
    struct eseal_log *log;
    struct eseal_err err;
    if (eseal_log_open(&log, logdir, eseal_ca_log_signer(fx_ca), &err) != ESEAL_OK)
        fail_msg("log open: %s", err.msg);
    if (eseal_log_size(log) == 0) {
        json_t *r = record();
        json_t *d =
            json_pack("{s:s,s:i,s:s,s:O,s:O,s:s,s:s,s:s,s:s,s:s}", "esid", ESID, "version", 1,
                      "status", "pending", "seal_sm3", json_object_get(r, "seal_sm3"),
                      "picture_sm3", json_object_get(r, "picture_sm3"), "cert_serial", "3F1C",
                      "valid_start", "2026-01-01T00:00:00Z", "valid_end", "2027-01-01T00:00:00Z",
                      "unit_name", "福州市<i>鼓楼区</i>测试局", "kind", kind);
        json_t *e = json_pack("{s:i,s:s,s:{s:s,s:s},s:s,s:s,s:o}", "v", 1, "type", "seal.issued",
                              "actor", "id", "maker1", "role", "maker", "seal", ESID, "time",
                              "2026-04-30T09:00:00.000Z", "data", d);
        assert_int_equal(eseal_log_append(log, e, NULL, &err), ESEAL_OK);
        assert_int_equal(eseal_log_sync(log, &err), ESEAL_OK);
        json_decref(e);
        json_decref(r);
    }
    eseal_log_close(log);
    free(logdir);
    struct eseal_publisher_config cfg;
    fx_config(&cfg, data, logname);
    cfg.issuer = eseal_xasprintf("http://127.0.0.1:%u/", port);
    struct eseal_publisher *p = fx_open(&cfg);
    size_t n = 0;
    assert_int_equal(eseal_publisher_step(p, NOW, &n, &err), ESEAL_OK);
    assert_int_equal(n, 1);
    return p;
}

static struct eseal_publisher *open_pub(const char *data, unsigned port)
{
    return open_kind(data, port, "unit");
}

static size_t fetch(struct eseal_publisher *p, long long now)
{
    size_t stored = 99;
    struct eseal_err err;
    if (eseal_publisher_fetch_seals(p, now, &stored, &err) != ESEAL_OK)
        fail_msg("fetch: %s", err.msg);
    return stored;
}

/* health_is checks that GET /healthz of |p| is 200 with the |want|ed
 * problems (fx_healthz's lines). */
static void health_is(struct eseal_publisher *p, const char *want)
{
    unsigned status = 0;
    char *got = fx_healthz(p, &status);
    assert_int_equal(status, 200);
    assert_string_equal(got, want);
    free(got);
}

/* page renders the page for |esid| and checks its status. */
static char *page(struct eseal_publisher *p, const char *esid, unsigned want)
{
    struct eseal_buf html;
    eseal_buf_init(&html);
    unsigned status = 0;
    assert_int_equal(eseal_publisher_page(p, esid, &html, &status, NULL), ESEAL_OK);
    assert_int_equal(status, want);
    return (char *)eseal_buf_steal(&html, NULL);
}

static void test_fetch_and_page(void **state)
{
    (void)state;
    struct fake f = {.serve = &other};
    struct eseal_http *srv = fake_start(&f);
    struct eseal_publisher *p = open_pub("pub1", eseal_http_port(srv));
    char pic[ESEAL_PUBLISHER_PICTURE_TYPE_MAX + 1];
    char *pic_sm3 = eseal_sm3_hex(png, sizeof(png));
    struct eseal_buf bytes;
    eseal_buf_init(&bytes);

    /* before any fetch: the status, no name, no picture */
    char *html = page(p, ESID, 200);
    assert_non_null(strstr(html, "待领取"));
    assert_non_null(strstr(html, "福州市&lt;i&gt;鼓楼区&lt;/i&gt;测试局"));
    assert_non_null(strstr(html, "not available yet"));
    assert_null(strstr(html, "<img"));
    assert_null(strstr(html, "<i>"));
    free(html);

    /* the issuer serves a seal that is not the logged one: nothing stored */
    assert_int_equal(fetch(p, NOW), 0);
    assert_int_equal(f.hits, 1);
    assert_string_equal(f.path, "/public/seals/" ESID "/1/seal.esl");
    assert_int_equal(eseal_publisher_picture(p, pic_sm3, &bytes, pic, NULL), ESEAL_E_NOTFOUND);
    char *osm3 = eseal_sm3_hex(png2, sizeof(png2));
    assert_int_equal(eseal_publisher_picture(p, osm3, &bytes, pic, NULL), ESEAL_E_NOTFOUND);
    free(osm3);
    /* /healthz counts the version to retry (a warning) */
    health_is(p, "fetch warning 1 枚印章的名称或图片未能从签发服务取得 / the name or picture of 1 "
                 "seals could not be fetched from the issuer\n");
    /* retried after 2 s, not before */
    f.serve = &good;
    assert_int_equal(fetch(p, NOW + 1), 0);
    assert_int_equal(f.hits, 1);
    assert_int_equal(fetch(p, NOW + 2), 1);
    assert_int_equal(f.hits, 2);
    assert_int_equal(fetch(p, NOW + 3), 0); /* nothing left to fetch */
    assert_int_equal(f.hits, 2);
    health_is(p, "");

    /* the picture, by either case of its digest */
    assert_int_equal(eseal_publisher_picture(p, pic_sm3, &bytes, pic, NULL), ESEAL_OK);
    assert_int_equal(bytes.len, sizeof(png));
    assert_memory_equal(bytes.data, png, sizeof(png));
    assert_string_equal(pic, "png");
    for (char *c = pic_sm3; *c != '\0'; c++)
        *c = (char)(*c >= 'a' && *c <= 'f' ? *c - 'a' + 'A' : *c);
    assert_int_equal(eseal_publisher_picture(p, pic_sm3, &bytes, pic, NULL), ESEAL_OK);
    assert_int_equal(eseal_publisher_picture(p, "12ab", &bytes, pic, NULL), ESEAL_E_INVALID);

    /* the page: the name escaped, the picture */
    html = page(p, "  " ESID " ", 200);
    assert_non_null(strstr(html, "<td>" NAME_HTML "</td>"));
    assert_null(strstr(html, "<b>"));
    assert_non_null(strstr(html, "<img class=\"picture\" src=\"/pictures/"));
    assert_null(strstr(html, "not available yet"));
    assert_non_null(strstr(html, "value=\"" ESID "\""));
    free(html);

    /* unknown, malformed, the empty form, the visitor's text escaped */
    html = page(p, "35999999999999", 404);
    assert_non_null(strstr(html, "未找到"));
    free(html);
    html = page(p, "\"><script>alert(1)</script>", 400);
    assert_non_null(strstr(html, "印章编码有误"));
    assert_non_null(strstr(html, "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_null(strstr(html, "<script"));
    free(html);
    html = page(p, NULL, 200);
    assert_non_null(strstr(html, "name=\"esid\" value=\"\""));
    free(html);
    html = page(p, "", 200);
    free(html);

    eseal_buf_cleanup(&bytes);
    free(pic_sm3);
    eseal_publisher_close(p);
    eseal_http_stop(srv);
}

/* A personal seal is never fetched (the issuer does not publish it); the
 * page says its name and picture are not public. */
static void test_personal_not_fetched(void **state)
{
    (void)state;
    struct fake f = {.serve = &good};
    struct eseal_http *srv = fake_start(&f);
    struct eseal_publisher *p = open_kind("pub-personal", eseal_http_port(srv), "personal");
    assert_int_equal(fetch(p, NOW), 0);
    assert_int_equal(fetch(p, NOW + 3600), 0);
    assert_int_equal(f.hits, 0);
    char *html = page(p, ESID, 200);
    assert_non_null(strstr(html, "not public"));
    assert_null(strstr(html, "<img"));
    free(html);
    eseal_publisher_close(p);
    eseal_http_stop(srv);
}

static void test_issuer_down(void **state)
{
    (void)state;
    struct fake f = {.serve = NULL};
    struct eseal_http *srv = fake_start(&f);
    struct eseal_publisher *p = open_pub("pub2", eseal_http_port(srv));
    /* a 503: the fetching pauses 1 s, then 2 s; the issuer's failure is
     * not the version's, so the version is tried again when the pause ends,
     * not after a back-off of its own */
    assert_int_equal(fetch(p, NOW), 0);
    assert_int_equal(f.hits, 1);
    /* /healthz says fetching is paused (a warning), not how many wait */
    health_is(p,
              "fetch warning 签发服务未应答，暂停获取印章名称和图片 / the issuer does not answer: "
              "fetching seal names and pictures is paused\n");
    assert_int_equal(fetch(p, NOW), 0);
    assert_int_equal(f.hits, 1);
    assert_int_equal(fetch(p, NOW + 1), 0);
    assert_int_equal(f.hits, 2);
    assert_int_equal(fetch(p, NOW + 2), 0);
    assert_int_equal(f.hits, 2);
    f.serve = &good;
    assert_int_equal(fetch(p, NOW + 3), 1);
    assert_int_equal(f.hits, 3);
    assert_int_equal(fetch(p, NOW + 4), 0); /* nothing left to fetch */
    assert_int_equal(f.hits, 3);
    health_is(p, "");
    eseal_publisher_close(p);

    /* nothing listening: a fresh state fails fast and pauses */
    unsigned port = eseal_http_port(srv);
    eseal_http_stop(srv);
    p = open_pub("pub3", port);
    assert_int_equal(fetch(p, NOW), 0);
    char *html = page(p, ESID, 200);
    assert_non_null(strstr(html, "not available yet"));
    free(html);
    eseal_publisher_close(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_escape),    cmocka_unit_test(test_seal_check),
        cmocka_unit_test(test_fetch_and_page), cmocka_unit_test(test_personal_not_fetched),
        cmocka_unit_test(test_issuer_down),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
