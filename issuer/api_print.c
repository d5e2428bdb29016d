/* api_print.c — the printables (/print/…) of submissions and batches, the
 * blank templates, the summary sheet check and the live field check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/multipart.h"
#include "internal.h"
#include "print.h"

/* subject_id returns the {id} parameter when it is a submission ("S" and
 * digits) or, with |batch|, a batch ("B" and digits); else NULL. */
static const char *subject_id(const struct eseal_http_req *req, bool batch)
{
    const char *id = eseal_http_param(req, "id");
    size_t n = id != NULL ? strlen(id) : 0;
    if (n < 2 || n > 32 || id[0] != (batch ? 'B' : 'S') || strspn(id + 1, "0123456789") != n - 1)
        return NULL;
    return id;
}

static eseal_rc no_such(struct eseal_http_req *req)
{
    return api_reply_error(req, ESEAL_E_NOTFOUND, NULL, "没有此资源 / no such resource: %s",
                           eseal_http_path(req));
}

/* reply_file sends |out| as |type|, inline for a PDF (the portal opens it
 * in a tab), as an attachment otherwise, named |id|-|name|. */
static eseal_rc reply_file(struct eseal_http_req *req, const char *id, const char *name,
                           const char *type, struct eseal_buf *out)
{
    char disp[128];
    snprintf(disp, sizeof(disp), "%s; filename=\"%s%s%s\"",
             strcmp(type, "application/pdf") == 0 ? "inline" : "attachment", id,
             id[0] != '\0' ? "-" : "", name);
    eseal_http_set_header(req, "Content-Disposition", disp);
    eseal_http_set_header(req, "Cache-Control", "no-store");
    eseal_rc rc = eseal_http_reply(req, 200, type, out->data, out->len);
    eseal_buf_cleanup(out);
    return rc;
}

static eseal_rc print(struct eseal_http_req *req, struct eseal_issuer *is, bool batch,
                      enum eseal_printable what, const char *name)
{
    const char *id = subject_id(req, batch);
    if (id == NULL)
        return no_such(req);
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    struct eseal_buf out;
    eseal_buf_init(&out);
    const char *type = NULL;
    if (eseal_issuer_print(is, api_who(req), id, what, &out, &type, &p) != ESEAL_OK) {
        eseal_buf_cleanup(&out);
        return api_reply_problem(req, &p);
    }
    eseal_issuer_problem_cleanup(&p);
    return reply_file(req, id, name, type, &out);
}

eseal_rc api_print_forms(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return print(req, app, false, ESEAL_PRINT_FORMS, "forms.pdf");
}

eseal_rc api_print_letter(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return print(req, app, false, ESEAL_PRINT_LETTER, "letter.pdf");
}

eseal_rc api_print_summary_pdf(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return print(req, app, false, ESEAL_PRINT_SUMMARY_PDF, "summary.pdf");
}

eseal_rc api_print_summary_xlsx(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return print(req, app, false, ESEAL_PRINT_SUMMARY_XLSX, "summary.xlsx");
}

eseal_rc api_print_batch_pdf(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return print(req, app, true, ESEAL_PRINT_SUMMARY_PDF, "summary.pdf");
}

eseal_rc api_print_batch_xlsx(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return print(req, app, true, ESEAL_PRINT_SUMMARY_XLSX, "summary.xlsx");
}

eseal_rc api_print_template(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)app;
    (void)err;
    const char *file = eseal_http_param(req, "name");
    char name[32];
    size_t n = file != NULL ? strlen(file) : 0;
    if (n <= 4 || n >= sizeof(name) || strcmp(file + n - 4, ".pdf") != 0)
        return no_such(req);
    snprintf(name, sizeof(name), "%.*s", (int)(n - 4), file);
    struct eseal_buf out;
    eseal_buf_init(&out);
    struct eseal_err e;
    eseal_err_clear(&e);
    if (eseal_print_template(name, &out, &e) != ESEAL_OK) {
        eseal_buf_cleanup(&out);
        return api_reply_error(req, e.rc, NULL, "%s", e.msg);
    }
    return reply_file(req, "", file, "application/pdf", &out);
}

/* summary_check answers POST …/summary/check: one multipart part, the sheet. */
static eseal_rc summary_check(struct eseal_http_req *req, struct eseal_issuer *is, bool batch)
{
    const char *id = subject_id(req, batch);
    if (id == NULL)
        return no_such(req);
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    struct eseal_err e;
    eseal_err_clear(&e);
    if (eseal_http_multipart(req, &mp, 2, &e) != ESEAL_OK) {
        eseal_multipart_cleanup(&mp);
        return api_reply_error(req, e.rc, "file", "%s", e.msg);
    }
    if (mp.n != 1) {
        eseal_multipart_cleanup(&mp);
        return api_reply_error(req, ESEAL_E_INVALID, "file",
                               "须上传一个 xlsx 文件 / send one xlsx file (multipart part "
                               "\"file\")");
    }
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    json_t *view = NULL;
    eseal_rc rc = eseal_issuer_summary_check(is, api_who(req), id, mp.parts[0].data,
                                             mp.parts[0].len, &view, &p);
    eseal_multipart_cleanup(&mp);
    return api_reply_result(req, rc, 200, view, &p);
}

eseal_rc api_summary_check(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return summary_check(req, app, false);
}

eseal_rc api_batch_summary_check(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return summary_check(req, app, true);
}

eseal_rc api_submissions_check(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    json_t *body = NULL, *view = NULL;
    (void)err;
    if (!api_body(req, false, &body))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = eseal_issuer_submission_check(app, api_who(req), body,
                                                eseal_http_query(req, "draft"), &view, &p);
    json_decref(body);
    return api_reply_result(req, rc, 200, view, &p);
}
