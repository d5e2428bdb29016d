/* page.c — the public lookup page (GET /, Chinese with English), the seal's
 * display record (GET /seals/{esID}) and its picture (GET /pictures/{sm3}).
 * Server-rendered HTML without scripts; every value is HTML-escaped by the
 * one template renderer below. Statuses come from the pre-signed responses,
 * names and pictures from the display data of seals.c. People read times in
 * Beijing time and statuses in Chinese (words.h, as on the verifier's page);
 * the JSON record keeps UTC ISO 8601 and the stable names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/json.h"
#include "eseal/page.h"
#include "eseal/sm.h"
#include "eseal/words.h"
#include "internal.h"

/* ---- the templates: all of the page's HTML ----------------------------------------
 * {{name}} is replaced by the HTML-escaped value of |name|; {{{name}}} by an
 * already rendered fragment (only ever one of the templates below). */

/* the page's own part, inside the platform's frame (eseal/page.h) */
static const char tpl_page[] =
    "<form method=\"get\" action=\"/\">\n"
    "<label for=\"esid\">印章编码 <span class=\"en\">Seal code (14 digits)</span></label>\n"
    "<input id=\"esid\" name=\"esid\" value=\"{{query}}\" maxlength=\"14\" inputmode=\"numeric\" "
    "autocomplete=\"off\">\n"
    "<button type=\"submit\">查询 <span class=\"en\">Look up</span></button>\n"
    "</form>\n"
    "{{{body}}}";

static const char page_footer[] =
    "<p class=\"en\">本页据平台事件日志签发的印章状态生成 · Statuses are those the "
    "publisher signs from the platform's event log: <a href=\"/healthz\">/healthz</a>, "
    "<a href=\"/certs/responder.pem\">responder.pem</a></p>";

static const char tpl_intro[] =
    "<p>输入印章编码，查看印章的名称、单位、状态、有效期和印章图像。<br>\n"
    "<span class=\"en\">Enter a seal code to see the seal's name, unit, status, validity and "
    "picture.</span></p>\n";

static const char tpl_seal[] =
    "<section>\n"
    "<h2>{{name}}</h2>\n"
    "<table>\n"
    "<tr><th>印章名称 <span class=\"en\">Seal name</span></th><td>{{name}}</td></tr>\n"
    "<tr><th>单位 <span class=\"en\">Unit</span></th><td>{{unitName}}</td></tr>\n"
    "<tr><th>印章类型 <span class=\"en\">Kind</span></th>"
    "<td>{{kindZh}} <span class=\"en\">{{kind}}</span></td></tr>\n"
    "<tr><th>状态 <span class=\"en\">Status</span></th><td class=\"{{status}}\">"
    "<strong>{{statusZh}}</strong> <span class=\"en\">{{status}}</span>{{{reason}}}</td></tr>\n"
    "<tr><th>有效期 <span class=\"en\">Validity</span></th>"
    "<td><time datetime=\"{{validStartIso}}\">{{validStart}}</time> 至 <span "
    "class=\"en\">to</span> "
    "<time datetime=\"{{validEndIso}}\">{{validEnd}}</time></td></tr>\n"
    "<tr><th>版本 <span class=\"en\">Version</span></th><td>{{version}}</td></tr>\n"
    "<tr><th>印章编码 <span class=\"en\">Seal code (esID)</span></th><td>{{esID}}</td></tr>\n"
    "<tr><th>状态时间 <span class=\"en\">Status since</span></th><td><time "
    "datetime=\"{{statusTimeIso}}\">{{statusTime}}</time></td></tr>\n"
    "<tr><th>本次更新 <span class=\"en\">This update</span></th><td><time "
    "datetime=\"{{thisUpdateIso}}\">{{thisUpdate}}</time></td></tr>\n"
    "<tr><th>下次更新 <span class=\"en\">Next update</span></th><td><time "
    "datetime=\"{{nextUpdateIso}}\">{{nextUpdate}}</time></td></tr>\n"
    "<tr><th>印章摘要 <span class=\"en\">Seal SM3</span></th><td><code>{{sealDigest}}</code>"
    "</td></tr>\n"
    "<tr><th>图像摘要 <span class=\"en\">Picture SM3</span></th>"
    "<td><code>{{pictureDigest}}</code></td></tr>\n"
    "</table>\n"
    "{{{picture}}}"
    "<p>签名状态 <span class=\"en\">Signed status</span>: "
    "<a href=\"/status/{{esID}}\">JSON</a> · <a href=\"/status/{{esID}}?format=der\">DER</a> · "
    "<a href=\"/seals/{{esID}}\">印章信息 <span class=\"en\">seal record</span> (JSON)</a></p>\n"
    "</section>\n";

static const char tpl_reason[] = "：{{reasonZh}} <span class=\"en\">({{reason}})</span>";

static const char tpl_picture[] = "<p><img class=\"picture\" src=\"/pictures/{{pictureDigest}}\" "
                                  "alt=\"印章图像 / seal picture\"></p>\n";

static const char tpl_no_picture[] =
    "<p class=\"en\">印章图像暂不可用。The seal picture is not available yet.</p>\n";

static const char tpl_not_found[] =
    "<section class=\"notice\">\n"
    "<h2>未找到 <span class=\"en\">Not found</span></h2>\n"
    "<p>本平台没有印章编码为 <code>{{query}}</code> 的印章。<br>\n"
    "<span class=\"en\">No seal of this platform has the code {{query}}.</span></p>\n"
    "</section>\n";

static const char tpl_malformed[] =
    "<section class=\"notice\">\n"
    "<h2>印章编码有误 <span class=\"en\">Malformed seal code</span></h2>\n"
    "<p>印章编码为14位数字，收到的是 <code>{{query}}</code>。<br>\n"
    "<span class=\"en\">A seal code is 14 digits; this is {{query}}.</span></p>\n"
    "</section>\n";

/* render appends |tpl| with the values of |vars| (strings and integers;
 * missing or null: nothing) to |out|. */
static void render(struct eseal_buf *out, const char *tpl, const json_t *vars)
{
    const char *s = tpl;
    for (;;) {
        const char *open = strstr(s, "{{");
        if (open == NULL)
            break;
        bool raw = strncmp(open, "{{{", 3) == 0;
        const char *name = open + (raw ? 3 : 2), *close = strstr(name, raw ? "}}}" : "}}");
        if (close == NULL)
            break;
        eseal_buf_append(out, s, (size_t)(open - s));
        char key[32];
        snprintf(key, sizeof(key), "%.*s", (int)(close - name), name);
        const json_t *v = json_object_get(vars, key);
        char num[24];
        const char *text = json_string_value(v);
        if (json_is_integer(v)) {
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
            text = num;
        }
        if (raw)
            eseal_buf_append_str(out, text != NULL ? text : "");
        else
            eseal_buf_append_html(out, text);
        s = close + (raw ? 3 : 2);
    }
    eseal_buf_append_str(out, s);
}

/* render_fragment renders |tpl| with |vars| into a new string value. */
static json_t *render_fragment(const char *tpl, const json_t *vars)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    render(&b, tpl, vars);
    json_t *s = json_stringn((const char *)b.data, b.len);
    eseal_buf_cleanup(&b);
    return s != NULL ? s : json_string("");
}

/* ---- labels --------------------------------------------------------------------------- */

struct label {
    const char *name, *zh;
};

static const struct label kind_labels[] = {
    {"unit", "单位印章"},
    {"personal", "个人印章"},
    {"device", "设备印章"},
    {NULL, NULL},
};

/* label returns the Chinese label of |name|, or |name| itself. */
static const char *label(const struct label *t, const char *name)
{
    for (; name != NULL && t->name != NULL; t++)
        if (strcmp(t->name, name) == 0)
            return t->zh;
    return name;
}

/* ---- the seal's view: its record, signed status and display data ----------------------- */

static void set_text(json_t *o, const char *k, const char *v)
{
    json_object_set_new(o, k, v != NULL ? json_string(v) : json_null());
}

static void set_time(json_t *o, const char *k, int64_t t)
{
    char text[32];
    pub_time_text(t, text);
    set_text(o, k, text);
}

/* set_log_time sets |k| from the log's time text |v| in the form of the
 * other times (whole seconds, UTC). */
static void set_log_time(json_t *o, const char *k, const char *v)
{
    int64_t t;
    if (eseal_json_time_parse(v, &t))
        set_time(o, k, t);
    else
        set_text(o, k, v);
}

/* seal_view builds the JSON of GET /seals/{esID} for |esid|: the latest
 * version's record, what its signed response says, and the name and
 * picture when fetched. */
static eseal_rc seal_view(struct eseal_publisher *p, const char *esid, json_t **out,
                          struct eseal_err *err)
{
    *out = NULL;
    json_t *rec = NULL, *info = NULL;
    struct eseal_buf der;
    eseal_buf_init(&der);
    struct eseal_status_info st;
    eseal_rc rc = eseal_publisher_lookup(p, ESEAL_PUBLISHER_BY_ESID, esid, &rec, &der, err);
    if (rc == ESEAL_OK)
        rc = eseal_status_parse(&st, der.data, der.len, NULL, NULL, NULL, NULL, err);
    if (rc != ESEAL_OK)
        goto out;
    json_t *v = json_object();
    set_text(v, "esID", st.esid);
    json_object_set(v, "version", json_object_get(rec, "version"));
    set_text(v, "unitName", json_string_value(json_object_get(rec, "unit_name")));
    set_text(v, "kind", json_string_value(json_object_get(rec, "kind")));
    set_text(v, "status", eseal_status_name(st.status));
    set_text(v, "reason", st.reason[0] != '\0' ? st.reason : NULL);
    set_time(v, "statusTime", st.status_time);
    set_time(v, "thisUpdate", st.this_update);
    set_time(v, "nextUpdate", st.next_update);
    set_log_time(v, "validStart", json_string_value(json_object_get(rec, "valid_start")));
    set_log_time(v, "validEnd", json_string_value(json_object_get(rec, "valid_end")));
    set_text(v, "sealDigest", json_string_value(json_object_get(rec, "seal_sm3")));
    const char *pic = json_string_value(json_object_get(rec, "picture_sm3"));
    set_text(v, "pictureDigest", pic);
    bool have = pub_seal_info(p, json_string_value(json_object_get(rec, "seal_sm3")), &info,
                              NULL) == ESEAL_OK;
    set_text(v, "name", have ? json_string_value(json_object_get(info, "name")) : NULL);
    set_text(v, "pictureType",
             have ? json_string_value(json_object_get(info, "picture_type")) : NULL);
    char url[16 + 2 * ESEAL_SM3_LEN];
    snprintf(url, sizeof(url), "/pictures/%s", pic != NULL ? pic : "");
    set_text(v, "picture", have ? url : NULL);
    *out = v;
out:
    json_decref(rec);
    json_decref(info);
    eseal_buf_cleanup(&der);
    return rc;
}

/* is_image tells whether browsers show pictures of |type| in <img>. */
static bool is_image(const char *type)
{
    static const char *const types[] = {"png", "jpg", "jpeg", "gif", "bmp", "svg", NULL};
    for (size_t i = 0; type != NULL && types[i] != NULL; i++)
        if (strcmp(type, types[i]) == 0)
            return true;
    return false;
}

/* The view's times (UTC ISO 8601, as machines read them). */
static const char *const time_keys[] = {"statusTime", "thisUpdate", "nextUpdate", "validStart",
                                        "validEnd"};

/* set_words_time shows the time |k| of |vars| in Beijing time, keeping
 * the UTC text as |k|Iso for the <time datetime> attribute. */
static void set_words_time(json_t *vars, const char *k)
{
    const char *iso = json_string_value(json_object_get(vars, k));
    char iso_key[32];
    snprintf(iso_key, sizeof(iso_key), "%sIso", k);
    set_text(vars, iso_key, iso);
    char *words = eseal_words_iso_time(iso);
    set_text(vars, k, words);
    free(words);
}

/* seal_body renders the seal's section of the page from its view. */
static json_t *seal_body(json_t *view)
{
    json_t *vars = json_deep_copy(view);
    const char *status = json_string_value(json_object_get(view, "status"));
    const char *reason = json_string_value(json_object_get(view, "reason"));
    set_text(vars, "statusZh", eseal_words_seal_status(status));
    set_text(vars, "kindZh", label(kind_labels, json_string_value(json_object_get(view, "kind"))));
    set_text(vars, "reasonZh", eseal_words_reason(reason));
    for (size_t i = 0; i < sizeof(time_keys) / sizeof(time_keys[0]); i++)
        set_words_time(vars, time_keys[i]);
    const char *kind = json_string_value(json_object_get(view, "kind"));
    if (json_is_null(json_object_get(view, "name")))
        set_text(vars, "name",
                 kind != NULL && strcmp(kind, "personal") == 0
                     ? "（个人印章，名称和图像不公开 / a personal seal: name and "
                       "picture are not public）"
                     : "（名称暂不可用 / name not available yet）");
    /* a suspension's reason is always certificateHold: the label says it */
    bool says_reason = reason != NULL && status != NULL && strcmp(status, "revoked") == 0;
    json_object_set_new(vars, "reason",
                        says_reason ? render_fragment(tpl_reason, vars) : json_null());
    bool show = json_is_string(json_object_get(view, "picture")) &&
                is_image(json_string_value(json_object_get(view, "pictureType")));
    json_object_set_new(vars, "picture",
                        show ? render_fragment(tpl_picture, view) : json_string(tpl_no_picture));
    json_t *body = render_fragment(tpl_seal, vars);
    json_decref(vars);
    return body;
}

/* echo copies what the visitor typed, trimmed of spaces and cut to 64 bytes
 * on a UTF-8 boundary, for showing back. */
static void echo(const char *in, char out[65])
{
    while (in != NULL && (*in == ' ' || *in == '\t'))
        in++;
    size_t n = in != NULL ? strlen(in) : 0;
    while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t'))
        n--;
    if (n > 64) {
        n = 64;
        while (n > 0 && ((unsigned char)in[n] & 0xC0) == 0x80)
            n--;
    }
    if (n > 0)
        memcpy(out, in, n);
    out[n] = '\0';
}

eseal_rc eseal_publisher_page(struct eseal_publisher *p, const char *esid, struct eseal_buf *html,
                              unsigned *status, struct eseal_err *err)
{
    char query[65];
    echo(esid, query);
    json_t *vars = json_pack("{s:s}", "query", query), *view = NULL;
    eseal_rc rc = ESEAL_OK;
    *status = 200;
    if (query[0] == '\0') {
        json_object_set_new(vars, "body", json_string(tpl_intro));
    } else if ((rc = seal_view(p, query, &view, err)) == ESEAL_OK) {
        json_object_set_new(vars, "body", seal_body(view));
    } else if (rc == ESEAL_E_NOTFOUND || rc == ESEAL_E_INVALID) {
        *status = rc == ESEAL_E_NOTFOUND ? 404 : 400;
        json_object_set_new(
            vars, "body",
            render_fragment(rc == ESEAL_E_NOTFOUND ? tpl_not_found : tpl_malformed, vars));
        rc = ESEAL_OK;
    }
    if (rc == ESEAL_OK) {
        eseal_buf_reset(html);
        eseal_page_open(html, "电子印章查询", "Electronic seal lookup");
        render(html, tpl_page, vars);
        eseal_page_close(html, page_footer);
    }
    json_decref(view);
    json_decref(vars);
    return rc;
}

/* ---- the routes --------------------------------------------------------------------------- */

/* the page's policy: no scripts, pictures and forms only from here */
#define PAGE_CSP                                                                                   \
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; form-action 'self'; "    \
    "base-uri 'none'; frame-ancestors 'none'"

eseal_rc pub_h_page(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_buf html;
    eseal_buf_init(&html);
    unsigned status = 200;
    eseal_rc rc = eseal_publisher_page(app, eseal_http_query(req, "esid"), &html, &status, err);
    if (rc == ESEAL_OK) {
        eseal_http_set_header(req, "Content-Security-Policy", PAGE_CSP);
        eseal_http_set_header(req, "X-Content-Type-Options", "nosniff");
        eseal_http_set_header(req, "Referrer-Policy", "no-referrer");
        eseal_http_set_header(req, "Cache-Control", "public, max-age=30");
        rc = eseal_http_reply(req, status, "text/html; charset=utf-8", html.data, html.len);
    }
    eseal_buf_cleanup(&html);
    return rc;
}

eseal_rc pub_h_seal(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *esid = eseal_http_param(req, "esID");
    json_t *view = NULL;
    eseal_rc rc = seal_view(app, esid, &view, err);
    if (rc == ESEAL_E_NOTFOUND) {
        json_t *j =
            json_pack("{s:s,s:s,s:{s:s,s:s}}", "esID", esid, "status", "unknown", "error", "code",
                      eseal_rc_name(rc), "message", "not a seal of this platform / 非本平台印章");
        eseal_http_set_header(req, "Cache-Control", "public, max-age=30");
        return eseal_http_reply_json(req, 404, j);
    }
    if (rc != ESEAL_OK)
        return rc;
    eseal_http_set_header(req, "Cache-Control", "public, max-age=30");
    return eseal_http_reply_json(req, 200, view);
}

/* picture_content_type maps a seal's picture type to a media type. */
static const char *picture_content_type(const char *type)
{
    static const struct label types[] = {
        {"png", "image/png"}, {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"},
        {"gif", "image/gif"}, {"bmp", "image/bmp"},  {"svg", "image/svg+xml"},
        {NULL, NULL},
    };
    const char *t = label(types, type);
    return t != type ? t : "application/octet-stream";
}

eseal_rc pub_h_picture(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *sm3 = eseal_http_param(req, "sm3");
    struct eseal_buf bytes;
    eseal_buf_init(&bytes);
    char type[ESEAL_PUBLISHER_PICTURE_TYPE_MAX + 1];
    eseal_rc rc = eseal_publisher_picture(app, sm3, &bytes, type, err);
    if (rc == ESEAL_OK) {
        /* the name is the content's digest: it never changes */
        char etag[2 * ESEAL_SM3_LEN + 3];
        snprintf(etag, sizeof(etag), "\"%s\"", sm3);
        for (char *c = etag; *c != '\0'; c++)
            *c = (char)(*c >= 'A' && *c <= 'F' ? *c - 'A' + 'a' : *c);
        const char *ctype = picture_content_type(type);
        eseal_http_set_header(req, "ETag", etag);
        eseal_http_set_header(req, "Cache-Control", "public, max-age=31536000, immutable");
        eseal_http_set_header(req, "X-Content-Type-Options", "nosniff");
        if (strcmp(ctype, "image/svg+xml") == 0) /* opened directly, an SVG could run script */
            eseal_http_set_header(req, "Content-Security-Policy",
                                  "default-src 'none'; style-src 'unsafe-inline'");
        if (strcmp(ctype, "application/octet-stream") == 0)
            eseal_http_set_header(req, "Content-Disposition", "attachment");
        if (pub_etag_matches(eseal_http_header(req, "If-None-Match"), etag))
            rc = eseal_http_reply(req, 304, NULL, NULL, 0);
        else
            rc = eseal_http_reply(req, 200, ctype, bytes.data, bytes.len);
    }
    eseal_buf_cleanup(&bytes);
    return rc;
}
