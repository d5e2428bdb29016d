/* api_submissions.c — /api/v1/submissions: create, list, read, change the
 * document, attach materials (multipart), and the workflow steps submit,
 * register, review, produce, handover; the per-submission audit trail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/image.h"
#include "eseal/multipart.h"
#include "internal.h"

/* submission_id returns the {id} parameter when well-formed (1..32 of
 * [0-9A-Z]), else NULL. */
static const char *submission_id(const struct eseal_http_req *req)
{
    const char *id = eseal_http_param(req, "id");
    size_t n = id != NULL ? strlen(id) : 0;
    if (n == 0 || n > 32 || strspn(id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != n)
        return NULL;
    return id;
}

static eseal_rc not_found(struct eseal_http_req *req)
{
    return api_reply_error(req, ESEAL_E_NOTFOUND, NULL, "未找到 / no such resource: %s",
                           eseal_http_path(req));
}

eseal_rc api_submissions_create(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    json_t *body = NULL, *view = NULL;
    if (!api_body(req, false, &body))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = eseal_issuer_submission_create(app, api_who(req), body, &view, &p);
    json_decref(body);
    (void)err;
    return api_reply_result(req, rc, 201, view, &p);
}

eseal_rc api_submissions_list(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer_query q;
    if (api_list_query(req, &q)) /* filters or pages: api_lists.c */
        return api_submissions_find(req, app, &q);
    json_t *view = NULL;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc =
        eseal_issuer_submission_list(app, api_who(req), eseal_http_query(req, "state"), &view, &p);
    (void)err;
    return api_reply_result(req, rc, 200, view, &p);
}

/* submission_view answers a read of one submission (GET …/{id}, /audit,
 * /history): the library call decides who may see it. */
typedef eseal_rc (*submission_read_fn)(struct eseal_issuer *, const struct eseal_staff_principal *,
                                       const char *, json_t **, struct eseal_issuer_problem *);

static eseal_rc submission_view(struct eseal_http_req *req, void *app, submission_read_fn read)
{
    const char *id = submission_id(req);
    json_t *view = NULL;
    if (id == NULL)
        return not_found(req);
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = read(app, api_who(req), id, &view, &p);
    return api_reply_result(req, rc, 200, view, &p);
}

eseal_rc api_submission_get(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return submission_view(req, app, eseal_issuer_submission_get);
}

eseal_rc api_submission_audit(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return submission_view(req, app, eseal_issuer_submission_audit);
}

eseal_rc api_submission_history(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return submission_view(req, app, eseal_issuer_submission_history);
}

eseal_rc api_submission_put(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *id = submission_id(req);
    json_t *body = NULL, *view = NULL;
    (void)err;
    if (id == NULL)
        return not_found(req);
    if (!api_body(req, false, &body))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = eseal_issuer_submission_update(app, api_who(req), id, body, &view, &p);
    json_decref(body);
    return api_reply_result(req, rc, 200, view, &p);
}

static eseal_rc parse_multipart(struct eseal_http_req *req, struct eseal_multipart *mp)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = eseal_http_multipart(req, mp, 0, &e);
    if (rc != ESEAL_OK)
        api_reply_error(req, rc, NULL, "%s", e.msg);
    return rc;
}

static eseal_rc post_materials(struct eseal_http_req *req, struct eseal_issuer *is,
                               const struct eseal_staff_principal *who, const char *id)
{
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    if (parse_multipart(req, &mp) != ESEAL_OK)
        return ESEAL_OK;
    struct eseal_issuer_upload *up = eseal_xcalloc(mp.n + 1, sizeof(*up));
    for (size_t i = 0; i < mp.n; i++) {
        up[i].kind = mp.parts[i].name;
        up[i].data = mp.parts[i].data;
        up[i].len = mp.parts[i].len;
        up[i].sm3 = mp.parts[i].sm3; /* digested as the body arrived */
    }
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    json_t *view = NULL;
    eseal_rc rc = eseal_issuer_submission_add_materials(is, who, id, up, mp.n, &view, &p);
    free(up);
    eseal_multipart_cleanup(&mp);
    return api_reply_result(req, rc, 201, view, &p);
}

/* part_text returns the text of part |name| (NUL-terminated copy kept in
 * |out|, at most 255 bytes), or NULL when absent. */
static const char *part_text(const struct eseal_multipart *mp, const char *name, char out[256])
{
    const struct eseal_multipart_part *part = eseal_multipart_find(mp, name);
    if (part == NULL || part->len >= 256 || memchr(part->data, 0, part->len) != NULL)
        return NULL;
    memcpy(out, part->data, part->len);
    out[part->len] = '\0';
    return out;
}

/* parse_parts parses the multipart body and refuses a part not in |names|
 * (NULL-ended) or given twice; false when it replied (|mp| cleaned up). */
static bool parse_parts(struct eseal_http_req *req, struct eseal_multipart *mp,
                        const char *const *names)
{
    if (parse_multipart(req, mp) != ESEAL_OK)
        return false;
    for (size_t i = 0; i < mp->n; i++) {
        bool known = false;
        size_t seen = 0;
        for (size_t k = 0; names[k] != NULL; k++)
            known = known || strcmp(names[k], mp->parts[i].name) == 0;
        for (size_t k = 0; k < mp->n; k++)
            seen += strcmp(mp->parts[k].name, mp->parts[i].name) == 0;
        if (!known || seen > 1) {
            char field[64];
            snprintf(field, sizeof(field), "%.60s", mp->parts[i].name);
            eseal_multipart_cleanup(mp);
            api_reply_error(req, ESEAL_E_INVALID, field,
                            known ? "重复的部分 / part \"%s\" is given twice"
                                  : "未知的部分 / unknown part \"%s\"",
                            field);
            return false;
        }
    }
    return true;
}

static eseal_rc post_handover(struct eseal_http_req *req, struct eseal_issuer *is,
                              const struct eseal_staff_principal *who, const char *id)
{
    static const char *const names[] = {"collector_name",
                                        "collector_id_number",
                                        "letter_name",
                                        "letter_id_number",
                                        "introduction_letter",
                                        "id_copy",
                                        NULL};
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    if (!parse_parts(req, &mp, names))
        return ESEAL_OK;
    char t[4][256];
    const struct eseal_multipart_part *letter = eseal_multipart_find(&mp, "introduction_letter");
    const struct eseal_multipart_part *copy = eseal_multipart_find(&mp, "id_copy");
    struct eseal_issuer_handover h = {
        .collector_name = part_text(&mp, "collector_name", t[0]),
        .collector_id_number = part_text(&mp, "collector_id_number", t[1]),
        .letter_name = part_text(&mp, "letter_name", t[2]),
        .letter_id_number = part_text(&mp, "letter_id_number", t[3]),
        .introduction_letter = letter != NULL ? letter->data : NULL,
        .introduction_letter_len = letter != NULL ? letter->len : 0,
        .id_copy = copy != NULL ? copy->data : NULL,
        .id_copy_len = copy != NULL ? copy->len : 0,
    };
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    json_t *view = NULL;
    eseal_rc rc = eseal_issuer_submission_handover(is, who, id, &h, &view, &p);
    eseal_multipart_cleanup(&mp);
    return api_reply_result(req, rc, 200, view, &p);
}

/* part_int reads the decimal text part |name| within lo..hi into *out;
 * an absent part leaves *out. False when it replied. */
static bool part_int(struct eseal_http_req *req, const struct eseal_multipart *mp, const char *name,
                     long lo, long hi, long *out)
{
    char t[256], *end = NULL;
    const struct eseal_multipart_part *part = eseal_multipart_find(mp, name);
    if (part == NULL)
        return true;
    const char *text = part_text(mp, name, t);
    long v = text != NULL && text[0] != '\0' ? strtol(text, &end, 10) : 0;
    if (text == NULL || text[0] == '\0' || *end != '\0' || v < lo || v > hi) {
        api_reply_error(req, ESEAL_E_INVALID, name,
                        "%s 须为 %ld 至 %ld 的整数 / %s must be an integer %ld..%ld", name, lo, hi,
                        name, lo, hi);
        return false;
    }
    *out = v;
    return true;
}

/* post_impression answers POST /api/v1/submissions/{id}/impression:
 * parts scan (the file), form, and optionally threshold and dpi. */
static eseal_rc post_impression(struct eseal_http_req *req, struct eseal_issuer *is,
                                const struct eseal_staff_principal *who, const char *id)
{
    static const char *const names[] = {"scan", "form", "threshold", "dpi", NULL};
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    if (!parse_parts(req, &mp, names))
        return ESEAL_OK;
    long form = -1, threshold = ESEAL_IMAGE_THRESHOLD_AUTO, dpi = ESEAL_IMAGE_DPI_DEFAULT;
    const struct eseal_multipart_part *scan = eseal_multipart_find(&mp, "scan");
    eseal_rc rc = ESEAL_OK;
    if (!part_int(req, &mp, "form", 0, 1000, &form) ||
        !part_int(req, &mp, "threshold", 0, 255, &threshold) ||
        !part_int(req, &mp, "dpi", ESEAL_IMAGE_DPI_MIN, ESEAL_IMAGE_DPI_MAX, &dpi))
        goto out;
    if (scan == NULL || form < 0) {
        rc = api_reply_error(req, ESEAL_E_INVALID, scan == NULL ? "scan" : "form",
                             "须提供 scan（扫描件）和 form（申请表序号）/ the parts scan (the "
                             "scanned impression) and form (the form's index) are required");
        goto out;
    }
    struct eseal_issuer_impression in = {(size_t)form, (int)threshold, (unsigned)dpi, scan->data,
                                         scan->len};
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    json_t *view = NULL;
    rc = eseal_issuer_submission_impression(is, who, id, &in, &view, &p);
    rc = api_reply_result(req, rc, 201, view, &p);
out:
    eseal_multipart_cleanup(&mp);
    return rc;
}

eseal_rc api_submission_impression(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *id = submission_id(req);
    (void)err;
    return id != NULL ? post_impression(req, app, api_who(req), id) : not_found(req);
}

eseal_rc api_submission_materials(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *id = submission_id(req);
    (void)err;
    return id != NULL ? post_materials(req, app, api_who(req), id) : not_found(req);
}

eseal_rc api_submission_handover(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *id = submission_id(req);
    (void)err;
    return id != NULL ? post_handover(req, app, api_who(req), id) : not_found(req);
}

/* A workflow step with a JSON body: the domain call of each. */
typedef eseal_rc (*step_fn)(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                            const char *id, const json_t *body, json_t **view,
                            struct eseal_issuer_problem *p);

static eseal_rc step_submit(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                            const char *id, const json_t *body, json_t **view,
                            struct eseal_issuer_problem *p)
{
    static const char *const none[] = {NULL};
    eseal_rc rc = body != NULL ? json_check_keys(body, none, "", p) : ESEAL_OK;
    return rc == ESEAL_OK ? eseal_issuer_submission_submit(is, who, id, view, p) : rc;
}

/* post_step answers POST /api/v1/submissions/{id}/<step> with |fn|; the
 * body is a JSON object, optional unless |required|. */
static eseal_rc post_step(struct eseal_http_req *req, struct eseal_issuer *is, step_fn fn,
                          bool required)
{
    const char *id = submission_id(req);
    json_t *body = NULL, *view = NULL;
    if (id == NULL)
        return not_found(req);
    if (!api_body(req, !required, &body))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = fn(is, api_who(req), id, body, &view, &p);
    json_decref(body);
    return api_reply_result(req, rc, 200, view, &p);
}

eseal_rc api_submission_submit(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return post_step(req, app, step_submit, false);
}

eseal_rc api_submission_register(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return post_step(req, app, eseal_issuer_submission_register, false);
}

eseal_rc api_submission_review(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return post_step(req, app, eseal_issuer_submission_review, true);
}

eseal_rc api_submission_produce(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return post_step(req, app, eseal_issuer_submission_produce, false);
}

/* material_inline tells whether the material of content |type| is to be
 * shown in the console's viewer (?inline=1: PDF and raster images only) and
 * then sets the headers that keep it there: framed only by our own pages,
 * and for an image nothing it could load or run. */
static bool material_inline(struct eseal_http_req *req, const char *type)
{
    const char *q = eseal_http_query(req, "inline");
    bool pdf = strcmp(type, "application/pdf") == 0;
    bool image = strcmp(type, "image/png") == 0 || strcmp(type, "image/jpeg") == 0 ||
                 strcmp(type, "image/gif") == 0 || strcmp(type, "image/bmp") == 0;
    if (q == NULL || strcmp(q, "1") != 0 || !(pdf || image))
        return false;
    /* Chromium's PDF viewer does not render in a sandboxed document, so a
     * PDF gets only the framing rule; an image document needs its own
     * inline style and nothing else. */
    eseal_http_set_header(req, "Content-Security-Policy",
                          pdf ? "frame-ancestors 'self'"
                              : "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                                "frame-ancestors 'self'");
    eseal_http_set_header(req, "X-Frame-Options", "SAMEORIGIN");
    return true;
}

eseal_rc api_submission_picture_accept(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return post_step(req, app, eseal_issuer_submission_picture_accept, true);
}

/* api_submission_material_get answers GET /api/v1/submissions/{id}/materials/{sm3}
 * with the file as an attachment named after its kind and digest, or with
 * ?inline=1 a PDF or image inline for the console's viewer. */
eseal_rc api_submission_material_get(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *id = submission_id(req), *sm3 = eseal_http_param(req, "sm3");
    (void)err;
    if (id == NULL || sm3 == NULL || strlen(sm3) != ESEAL_SM3_HEX_LEN ||
        strspn(sm3, "0123456789abcdef") != ESEAL_SM3_HEX_LEN)
        return not_found(req);
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    struct eseal_buf out;
    eseal_buf_init(&out);
    const char *type = NULL, *kind = NULL;
    eseal_rc rc =
        eseal_issuer_submission_material(app, api_who(req), id, sm3, &out, &type, &kind, &p);
    if (rc != ESEAL_OK) {
        eseal_buf_cleanup(&out);
        return api_reply_problem(req, &p);
    }
    char disp[160];
    bool show = material_inline(req, type);
    snprintf(disp, sizeof(disp), "%s; filename=\"%s-%s-%.12s\"", show ? "inline" : "attachment", id,
             kind, sm3);
    eseal_http_set_header(req, "Content-Disposition", disp);
    rc = eseal_http_reply(req, 200, type, out.data, out.len);
    eseal_buf_cleanup(&out);
    eseal_issuer_problem_cleanup(&p);
    return rc;
}
