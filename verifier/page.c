/* page.c — eseal-verifierd's HTML: GET / (upload forms, no JavaScript) and
 * POST /verify (the verdict in words, every check as a table row). Every
 * value shown comes from the uploaded seal or signature, so every value is
 * escaped with eseal_buf_append_html, and the Content-Security-Policy
 * forbids scripts outright. */
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/enc.h"
#include "eseal/page.h"
#include "eseal/seal.h"
#include "internal.h"
#include "verifierd.h"

#define PAGE_CSP                                                                                   \
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "           \
    "base-uri 'none'; frame-ancestors 'none'"

static const char page_forms[] =
    "<form method=\"post\" action=\"/verify\" enctype=\"multipart/form-data\">\n"
    "<fieldset><legend>验证 OFD 文档 <span class=\"en\">Verify an OFD document</span></legend>\n"
    "<label>OFD 文档 <span class=\"en\">OFD (signatures inside)</span> "
    "<input type=\"file\" name=\"document\" accept=\".ofd\" required></label>\n"
    "<button type=\"submit\">验证 <span class=\"en\">Verify</span></button>\n"
    "</fieldset></form>\n"
    "<form method=\"post\" action=\"/verify\" enctype=\"multipart/form-data\">\n"
    "<fieldset><legend>验证签章 <span class=\"en\">Verify a seal signature</span></legend>\n"
    "<label>被签文档 <span class=\"en\">Signed document</span> "
    "<input type=\"file\" name=\"document\"></label>\n"
    "<label>签章数据 (SES_Signature, DER) <span class=\"en\">Detached signature</span> "
    "<input type=\"file\" name=\"signature\" required></label>\n"
    "<button type=\"submit\">验证 <span class=\"en\">Verify</span></button>\n"
    "</fieldset></form>\n"
    "<form method=\"post\" action=\"/verify\" enctype=\"multipart/form-data\">\n"
    "<fieldset><legend>验证印章 <span class=\"en\">Verify a seal (.esl)</span></legend>\n"
    "<label>印章数据 <span class=\"en\">Seal</span> "
    "<input type=\"file\" name=\"seal\" required></label>\n"
    "<button type=\"submit\">验证 <span class=\"en\">Verify</span></button>\n"
    "</fieldset></form>\n"
    "<form method=\"post\" action=\"/verify\" enctype=\"multipart/form-data\">\n"
    "<fieldset><legend>查验印模 <span class=\"en\">Is this a registered seal picture?</span>"
    "</legend>\n"
    "<label>印模图像 <span class=\"en\">Seal picture</span> "
    "<input type=\"file\" name=\"picture\" required></label>\n"
    "<button type=\"submit\">查验 <span class=\"en\">Check</span></button>\n"
    "</fieldset></form>\n";

static const char page_foot[] =
    "<p class=\"en\">同一服务的接口 · The same as JSON: <code>POST /api/v1/verify</code>"
    " (multipart: document, signature | seal | picture) · <a href=\"/healthz\">/healthz</a>"
    "</p>";

/* page_open starts a page in the platform's frame (eseal/page.h). */
static void page_open(struct eseal_buf *b)
{
    eseal_buf_init(b);
    eseal_page_open(b, "电子签章验证", "Electronic seal verification");
}

/* reply_page sends |b| as an HTML page with the headers that keep it inert. */
static eseal_rc reply_page(struct eseal_http_req *req, unsigned status, struct eseal_buf *b)
{
    eseal_page_close(b, page_foot);
    eseal_http_set_header(req, "Content-Security-Policy", PAGE_CSP);
    eseal_http_set_header(req, "X-Content-Type-Options", "nosniff");
    eseal_http_set_header(req, "Referrer-Policy", "no-referrer");
    eseal_http_set_header(req, "Cache-Control", "no-store");
    eseal_rc rc = eseal_http_reply(req, status, "text/html; charset=utf-8", b->data, b->len);
    eseal_buf_cleanup(b);
    return rc;
}

eseal_rc vd_page_index(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct verifierd *d = app;
    struct eseal_buf b;
    page_open(&b);
    eseal_buf_append_str(&b, "<p>上传被签文档和签章数据，得到逐项说明的验证报告。<br>\n"
                             "<span class=\"en\">Upload a signed document and its detached "
                             "signature for a report that explains every check.</span></p>\n");
    eseal_buf_append_str(&b, page_forms);
    eseal_buf_append_str(&b, "<p class=\"en\">状态来源 · Status source: <code>");
    eseal_buf_append_html(&b, d->cfg->no_status             ? "none (--no-status)"
                              : d->cfg->status_file != NULL ? d->cfg->status_file
                                                            : d->cfg->status_url);
    eseal_buf_append_str(&b, "</code></p>\n");
    return reply_page(req, 200, &b);
}

/* text returns the string member |key| of |j|, or NULL. */
static const char *text(const json_t *j, const char *key)
{
    return json_string_value(json_object_get(j, key));
}

/* row_class appends a two-column row "label: value" unless |value| is
 * NULL, the value's cell in the stylesheet's class |cls| (static, or NULL). */
static void row_class(struct eseal_buf *b, const char *zh, const char *en, const char *value,
                      const char *cls)
{
    if (value == NULL)
        return;
    eseal_buf_appendf(b, "<tr><th>%s <span class=\"en\">%s</span></th><td%s%s%s>", zh, en,
                      cls != NULL ? " class=\"" : "", cls != NULL ? cls : "",
                      cls != NULL ? "\"" : "");
    eseal_buf_append_html(b, value);
    eseal_buf_append_str(b, "</td></tr>\n");
}

static void row(struct eseal_buf *b, const char *zh, const char *en, const char *value)
{
    row_class(b, zh, en, value, NULL);
}

/* status_class is the stylesheet's class of a seal status (core/page.c:
 * green for good, red for the others), NULL for one it does not know. */
static const char *status_class(const char *st)
{
    static const char *const known[] = {"good", "suspended", "revoked", "expired"};
    for (size_t i = 0; st != NULL && i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(st, known[i]) == 0)
            return known[i];
    return NULL;
}

/* status_skipped tells whether the report's status check was skipped (--no-status). */
static bool status_skipped(const json_t *j)
{
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(j, "checks"), i, c)
    {
        if (strcmp(text(c, "key") != NULL ? text(c, "key") : "", "status") == 0 &&
            strcmp(text(c, "status") != NULL ? text(c, "status") : "", "SKIPPED") == 0)
            return true;
    }
    return false;
}

/* verdict_heading says the verdict in words: about the signature, or about
 * the seal when a seal or picture was checked |alone|. */
static void verdict_heading(struct eseal_buf *b, const json_t *j, bool alone)
{
    const char *ind = text(j, "indication");
    static const struct {
        const char *name, *zh, *en, *seal_zh, *seal_en;
    } words[] = {
        {"TOTAL_PASSED", "验证通过", "Passed", "印章有效", "The seal is valid"},
        {"TOTAL_FAILED", "验证失败", "Failed", "印章无效", "The seal is not valid"},
        {"INDETERMINATE", "无法确定", "Indeterminate", "无法确定印章是否有效",
         "Cannot tell whether the seal is valid"},
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (ind != NULL && strcmp(ind, words[i].name) == 0)
            eseal_buf_appendf(b, "<h2 class=\"%s\">%s <span class=\"en\">%s</span>", words[i].name,
                              alone ? words[i].seal_zh : words[i].zh,
                              alone ? words[i].seal_en : words[i].en);
    const char *sub = text(j, "subIndication");
    eseal_buf_append_str(b, " <code>");
    eseal_buf_append_html(b, ind);
    if (sub != NULL) {
        eseal_buf_append_str(b, " / ");
        eseal_buf_append_html(b, sub);
    }
    eseal_buf_append_str(b, "</code></h2>\n");
    if (status_skipped(j))
        eseal_buf_append_str(b,
                             "<p class=\"INDETERMINATE\">注意：本服务未检查印章状态，印章可能已被"
                             "撤销或挂失；此结论最多算“无法确定”。<br><span class=\"en\">Note: "
                             "this service does not check seal status (--no-status): the seal "
                             "may be revoked; this verdict is no better than indeterminate."
                             "</span></p>\n");
}

/* row_owned is row() for a value it frees (may be NULL). */
static void row_owned(struct eseal_buf *b, const char *zh, const char *en, char *value)
{
    row(b, zh, en, value);
    free(value);
}

/* row_time shows a report time (UTC) as Beijing time. */
static void row_time(struct eseal_buf *b, const char *zh, const char *en, const char *iso)
{
    row_owned(b, zh, en, eseal_words_iso_time(iso));
}

static void summary(struct eseal_buf *b, const json_t *j, const struct vd_upload *up)
{
    eseal_buf_append_str(b, "<table>\n");
    row(b, "印章名称", "Seal name", text(j, "sealName"));
    row(b, "印章编码", "esID", text(j, "esID"));
    row_owned(b, "签章人", "Signer", verify_party_words(text(j, "signer")));
    row(b, "签章对象", "Signed file (propertyInfo)", text(j, "propertyInfo"));
    row(b, "上传的文档", "Uploaded document", up->document_name);
    const char *st = text(j, "sealStatus");
    char *st_words =
        st != NULL ? eseal_xasprintf("%s (%s)", eseal_words_seal_status(st), st) : NULL;
    row_class(b, "印章状态", "Seal status", st_words, status_class(st));
    free(st_words);
    row_time(b, "状态时间", "Status as of", text(j, "statusAsOf"));
    row_time(b, "声明的签署时间", "Claimed signing time", text(j, "claimedTime"));
    const json_t *ts = json_object_get(j, "timeStamp");
    if (json_is_object(ts)) {
        row(b, "时间戳证明的签署时间", "Proven signing time (time-stamp)",
            text(ts, "genTimeBeijing"));
        row_owned(b, "时间戳服务", "Time-stamp authority", verify_party_words(text(ts, "tsa")));
    }
    /* a seal or picture alone has no signature: no signing time to show */
    if (up->seal == NULL && up->picture == NULL)
        row_time(b, "最佳签署时间", "Best signature time", text(j, "bestSignatureTime"));
    row_time(b, "验证时间", "Validation time", text(j, "validationTime"));
    eseal_buf_append_str(b, "</table>\n");
    /* where the status came from is a detail for the technically minded */
    const char *source = text(j, "statusSource");
    if (source != NULL) {
        eseal_buf_append_str(b, "<details><summary>状态来源 <span class=\"en\">Status source"
                                "</span></summary><code>");
        eseal_buf_append_html(b, source);
        eseal_buf_append_str(b, "</code></details>\n");
    }
}

/* details folds a check's expected and actual values (digests, subjects,
 * times as machines write them) behind a <details> toggle: it opens without
 * JavaScript, and a clerk reading the verdict is not met by hex. */
static void details(struct eseal_buf *b, const char *expected, const char *actual)
{
    if (expected == NULL && actual == NULL)
        return;
    eseal_buf_append_str(b, "<details><summary>详情 <span class=\"en\">details</span></summary>");
    if (expected != NULL) {
        eseal_buf_append_str(b, "预期 <span class=\"en\">expected</span>: <code>");
        eseal_buf_append_html(b, expected);
        eseal_buf_append_str(b, "</code><br>");
    }
    if (actual != NULL) {
        eseal_buf_append_str(b, "实际 <span class=\"en\">actual</span>: <code>");
        eseal_buf_append_html(b, actual);
        eseal_buf_append_str(b, "</code>");
    }
    eseal_buf_append_str(b, "</details>");
}

/* image_mime returns the MIME type of |p| when its bytes are what a browser
 * shows as that image (PNG, JPEG or GIF by their signatures, matching the
 * seal's declared type), else NULL: nothing else goes into the page. */
static const char *image_mime(const char *type, const uint8_t *p, size_t len)
{
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (type == NULL)
        return NULL;
    if (strcmp(type, "png") == 0 && len > sizeof(png) && memcmp(p, png, sizeof(png)) == 0)
        return "image/png";
    if ((strcmp(type, "jpg") == 0 || strcmp(type, "jpeg") == 0) && len > 3 && p[0] == 0xff &&
        p[1] == 0xd8 && p[2] == 0xff)
        return "image/jpeg";
    if (strcmp(type, "gif") == 0 && len > 6 &&
        (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
        return "image/gif";
    return NULL;
}

/* picture_block shows the picture inside the seal |seal| (the seal as
 * stamped): a PNG, JPEG or GIF whose bytes are what they claim as a data:
 * URI (the CSP allows images from data: only); any other picture (SVG,
 * OFD, BMP, or bytes that are not what the type says) as a note. */
static void picture_block(struct eseal_buf *b, const struct eseal_seal_info *si)
{
    if (si == NULL || si->picture == NULL || si->picture_len == 0)
        return;
    const char *mime = image_mime(si->picture_type, si->picture, si->picture_len);
    eseal_buf_append_str(b, "<div class=\"picture\">");
    if (mime != NULL) {
        char *b64 = eseal_base64(si->picture, si->picture_len, ESEAL_B64_STD);
        eseal_buf_appendf(b, "<img alt=\"印章图像 seal picture\" src=\"data:%s;base64,", mime);
        eseal_buf_append_str(b, b64);
        eseal_buf_append_str(b, "\">");
        free(b64);
    } else {
        eseal_buf_append_str(b, "<p>此印章图像为 <code>");
        eseal_buf_append_html(b, si->picture_type != NULL ? si->picture_type : "?");
        eseal_buf_append_str(b, "</code> 格式，页面不直接显示<br><span class=\"en\">This seal "
                                "picture's format is not shown in the page</span></p>");
    }
    eseal_buf_appendf(b, "<br>印章图像 <span class=\"en\">Seal picture</span>，%lld × %lld 毫米",
                      (long long)si->width_mm, (long long)si->height_mm);
    eseal_buf_append_str(b, "</div>\n");
}

/* ses_picture shows the picture of the seal inside the signature |der|. */
static void ses_picture(struct eseal_buf *b, const uint8_t *der, size_t len)
{
    struct eseal_ses *ses = NULL;
    if (der != NULL && eseal_ses_parse(&ses, der, len, NULL) == ESEAL_OK)
        picture_block(b, eseal_seal_info(eseal_ses_info(ses)->seal));
    eseal_ses_free(ses);
}

static void seal_picture(struct eseal_buf *b, const uint8_t *der, size_t len)
{
    struct eseal_seal *seal = NULL;
    if (der != NULL && eseal_seal_parse(&seal, der, len, NULL) == ESEAL_OK)
        picture_block(b, eseal_seal_info(seal));
    eseal_seal_free(seal);
}

static void checks_table(struct eseal_buf *b, const json_t *j)
{
    eseal_buf_append_str(b, "<table>\n<tr><th>检查项 <span class=\"en\">Check</span></th>"
                            "<th>结果 <span class=\"en\">Status</span></th>"
                            "<th>说明 <span class=\"en\">Message</span></th></tr>\n");
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(j, "checks"), i, c)
    {
        const char *status = text(c, "status"), *sub = text(c, "subIndication");
        const char *key = text(c, "key");
        const json_t *msg = json_object_get(c, "message");
        eseal_buf_append_str(b, "<tr><td>");
        eseal_buf_append_html(b, verify_check_zh(key));
        eseal_buf_append_str(b, "<br><span class=\"en\">");
        eseal_buf_append_html(b, key);
        eseal_buf_append_str(b, "</span></td><td class=\"");
        eseal_buf_append_html(b, status);
        eseal_buf_append_str(b, "\">");
        eseal_buf_append_html(b, verify_check_status_zh(status));
        eseal_buf_append_str(b, " <span class=\"en\">");
        eseal_buf_append_html(b, status);
        eseal_buf_append_str(b, "</span>");
        if (sub != NULL) {
            eseal_buf_append_str(b, "<br><code>");
            eseal_buf_append_html(b, sub);
            eseal_buf_append_str(b, "</code>");
        }
        eseal_buf_append_str(b, "</td><td>");
        eseal_buf_append_html(b, text(msg, "zh"));
        eseal_buf_append_str(b, "<br><span class=\"en\">");
        eseal_buf_append_html(b, text(msg, "en"));
        eseal_buf_append_str(b, "</span>");
        details(b, text(c, "expected"), text(c, "actual"));
        eseal_buf_append_str(b, "</td></tr>\n");
    }
    eseal_buf_append_str(b, "</table>\n");
}

static eseal_rc error_page(struct eseal_http_req *req, eseal_rc rc, const char *msg)
{
    struct eseal_buf b;
    page_open(&b);
    eseal_buf_append_str(&b, "<h2 class=\"FAILED\">无法验证 <span class=\"en\">Cannot verify"
                             "</span></h2>\n<p>");
    eseal_buf_append_html(&b, msg);
    eseal_buf_append_str(&b, "</p>\n");
    eseal_buf_append_str(&b, page_forms);
    return reply_page(req, eseal_http_status(rc), &b);
}

/* boundary_text says where an OFD Boundary ("x y w h", millimetres from the
 * page's top left) puts a stamp, in words; the raw value if it is not four
 * numbers. */
static void boundary_text(const char *boundary, char *out, size_t out_len)
{
    double x, y, w, h;
    char rest;
    if (boundary != NULL && sscanf(boundary, "%lf %lf %lf %lf %c", &x, &y, &w, &h, &rest) == 4)
        snprintf(out, out_len, "距页面左边 %.1f 毫米、上边 %.1f 毫米，宽 %.1f × 高 %.1f 毫米", x, y,
                 w, h);
    else
        snprintf(out, out_len, "位置 / Boundary %s", boundary != NULL ? boundary : "?");
}

/* place_rows appends an OFD signature's stamps: pages and positions. */
static void place_rows(struct eseal_buf *b, const json_t *sig)
{
    const json_t *place = json_object_get(sig, "place");
    size_t i;
    const json_t *st;
    if (place == NULL)
        return;
    eseal_buf_append_str(b, "<table>\n");
    row(b, "签章位置", "Signature", text(place, "signature"));
    json_array_foreach(json_object_get(place, "stamps"), i, st)
    {
        char at[160];
        boundary_text(text(st, "boundary"), at, sizeof(at));
        char *where = eseal_xasprintf("第 %lld 页（页面 ID %s），%s%s%s",
                                      (long long)json_integer_value(json_object_get(st, "page")),
                                      text(st, "pageRef") != NULL ? text(st, "pageRef") : "?", at,
                                      text(st, "clip") != NULL ? "，裁剪区域 / clip " : "",
                                      text(st, "clip") != NULL ? text(st, "clip") : "");
        row(b, json_is_true(json_object_get(place, "seam")) ? "骑缝章" : "签章外观",
            json_is_true(json_object_get(place, "seam")) ? "Seam stamp" : "Stamp", where);
        free(where);
    }
    eseal_buf_append_str(b, "</table>\n");
}

/* document_body renders an OFD's report: each signature with its place
 * and checks, then the files no signature protects. */
static void document_body(struct eseal_buf *b, const json_t *j, const struct vd_upload *up)
{
    eseal_buf_append_str(b, "<table>\n");
    row(b, "上传的文档", "Uploaded document", up->document_name);
    row(b, "文档格式", "Format", text(j, "format"));
    row(b, "错误", "Error", text(j, "error"));
    eseal_buf_append_str(b, "</table>\n");
    size_t i;
    const json_t *sig;
    /* the signatures again, in the report's order, for their seal pictures */
    void *state = NULL;
    if (eseal_container_ofd.open(&state, up->document, up->document_len, NULL, 0, NULL) != ESEAL_OK)
        state = NULL;
    json_array_foreach(json_object_get(j, "signatures"), i, sig)
    {
        eseal_buf_appendf(b, "<h3>签章 <span class=\"en\">Signature</span> %zu: ", i + 1);
        eseal_buf_append_html(b, text(sig, "where"));
        eseal_buf_append_str(b, "</h3>\n");
        struct eseal_container_sig cs;
        memset(&cs, 0, sizeof(cs));
        if (state != NULL && eseal_container_ofd.next(state, &cs, NULL) == ESEAL_OK) {
            ses_picture(b, cs.ses, cs.ses_len);
            json_decref(cs.place);
        }
        verdict_heading(b, sig, false);
        summary(b, sig, up);
        place_rows(b, sig);
        checks_table(b, sig);
    }
    if (state != NULL)
        eseal_container_ofd.close(state);
    const json_t *un = json_object_get(j, "unprotected");
    if (un != NULL) {
        eseal_buf_append_str(b, "<h3>未受签章保护的文件 <span class=\"en\">Files no signature "
                                "protects</span></h3>\n<p>");
        const json_t *f;
        json_array_foreach(un, i, f)
        {
            eseal_buf_append_str(b, i > 0 ? ", <code>" : "<code>");
            eseal_buf_append_html(b, json_string_value(f));
            eseal_buf_append_str(b, "</code>");
        }
        if (json_array_size(un) == 0)
            eseal_buf_append_str(b, "无 <span class=\"en\">none</span>");
        eseal_buf_append_str(b, "</p>\n");
    }
}

eseal_rc vd_page_verify(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct vd_upload up;
    json_t *j = NULL;
    struct eseal_err e; /* a refused upload is answered in HTML, not JSON */
    eseal_err_clear(&e);
    eseal_rc rc = vd_verify_request(app, req, &up, &j, &e);
    if (rc != ESEAL_OK)
        return error_page(req, rc, e.msg);
    struct eseal_buf b;
    page_open(&b);
    verdict_heading(&b, j, up.seal != NULL || up.picture != NULL);
    if (json_object_get(j, "signatures") != NULL) {
        document_body(&b, j, &up);
    } else {
        if (up.signature != NULL)
            ses_picture(&b, up.signature, up.signature_len);
        else if (up.seal != NULL)
            seal_picture(&b, up.seal, up.seal_len);
        summary(&b, j, &up);
        checks_table(&b, j);
    }
    eseal_buf_append_str(&b, "<p><a href=\"/\">再验证一份 <span class=\"en\">Verify another"
                             "</span></a></p>\n");
    json_decref(j);
    return reply_page(req, 200, &b);
}
