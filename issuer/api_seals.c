/* api_seals.c — /api/v1/seals/{esID} (record, seal.esl, cert.pem, suspend,
 * reinstate), the public /public/seals/{esID}/{version}/seal.esl and the event log's
 * public /log/... routes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "region.h"
#include "internal.h"

/* seal_code returns the {esID} parameter when it is 14 digits, else NULL. */
static const char *seal_code(const struct eseal_http_req *req)
{
    const char *esid = eseal_http_param(req, "esID");
    if (esid == NULL || strlen(esid) != ESEAL_ESID_LEN ||
        strspn(esid, "0123456789") != ESEAL_ESID_LEN)
        return NULL;
    return esid;
}

static eseal_rc not_found(struct eseal_http_req *req)
{
    return api_reply_error(req, ESEAL_E_NOTFOUND, NULL, "未找到 / no such resource: %s",
                           eseal_http_path(req));
}

/* api_seals_list answers GET /api/v1/seals?uscc=: a unit's seals by name. */
eseal_rc api_seals_list(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    struct eseal_issuer_query q;
    if (api_list_query(req, &q) || q.state != NULL) /* the search: api_lists.c */
        return api_seals_find(req, app, &q);
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    json_t *view = NULL;
    eseal_rc rc =
        eseal_issuer_seal_list(app, api_who(req), eseal_http_query(req, "uscc"), &view, &p);
    return api_reply_result(req, rc, 200, view, &p);
}

eseal_rc api_seal_get(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *esid = seal_code(req);
    (void)err;
    if (esid == NULL)
        return not_found(req);
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    json_t *view = NULL;
    eseal_rc rc = eseal_issuer_seal_get(app, api_who(req), esid, &view, &p);
    return api_reply_result(req, rc, 200, view, &p);
}

/* seal_file answers GET /api/v1/seals/{esID}/seal.esl or /cert.pem. */
static eseal_rc seal_file(struct eseal_http_req *req, struct eseal_issuer *is, bool esl)
{
    const char *esid = seal_code(req);
    if (esid == NULL)
        return not_found(req);
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    struct eseal_buf out;
    eseal_buf_init(&out);
    eseal_rc rc = eseal_issuer_seal_file(
        is, api_who(req), esid, esl ? ESEAL_ISSUER_SEAL_ESL : ESEAL_ISSUER_CERT_PEM, &out, &p);
    if (rc != ESEAL_OK) {
        eseal_buf_cleanup(&out);
        return api_reply_problem(req, &p);
    }
    char disp[64];
    snprintf(disp, sizeof(disp), "attachment; filename=\"%s.%s\"", esid, esl ? "esl" : "pem");
    eseal_http_set_header(req, "Content-Disposition", disp);
    rc = eseal_http_reply(req, 200, esl ? "application/octet-stream" : "application/x-pem-file",
                          out.data, out.len);
    eseal_buf_cleanup(&out);
    eseal_issuer_problem_cleanup(&p);
    return rc;
}

eseal_rc api_seal_esl(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return seal_file(req, app, true);
}

eseal_rc api_seal_pem(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return seal_file(req, app, false);
}

/* seal_step runs |step| (suspend, reinstate) on the seal the path names
 * with the request's JSON body (may be absent). */
static eseal_rc
seal_step(struct eseal_http_req *req, void *app,
          eseal_rc (*step)(struct eseal_issuer *, const struct eseal_staff_principal *,
                           const char *, const json_t *, json_t **, struct eseal_issuer_problem *))
{
    const char *esid = seal_code(req);
    json_t *body = NULL, *view = NULL;
    if (esid == NULL)
        return not_found(req);
    if (!api_body(req, true, &body))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = step(app, api_who(req), esid, body, &view, &p);
    json_decref(body);
    return api_reply_result(req, rc, 200, view, &p);
}

eseal_rc api_seal_suspend(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return seal_step(req, app, eseal_issuer_seal_suspend);
}

eseal_rc api_seal_reinstate(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return seal_step(req, app, eseal_issuer_seal_reinstate);
}

/* api_seal_public answers GET /public/seals/{esID}/{version}/seal.esl, for
 * anyone: a seal version's file never changes, so caches may keep it. */
eseal_rc api_seal_public(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *esid = seal_code(req), *version = eseal_http_param(req, "version");
    (void)err;
    size_t digits = strspn(version, "0123456789");
    if (esid == NULL || digits == 0 || digits > 8 || version[0] == '0' || version[digits] != '\0')
        return not_found(req);
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    struct eseal_buf out;
    eseal_buf_init(&out);
    eseal_rc rc = eseal_issuer_seal_public(app, esid, strtoll(version, NULL, 10), &out, &p);
    if (rc != ESEAL_OK) {
        eseal_buf_cleanup(&out);
        return api_reply_problem(req, &p);
    }
    eseal_http_set_header(req, "Cache-Control", "public, max-age=31536000, immutable");
    rc = eseal_http_reply(req, 200, "application/octet-stream", out.data, out.len);
    eseal_buf_cleanup(&out);
    eseal_issuer_problem_cleanup(&p);
    return rc;
}

eseal_rc api_log(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    return eseal_log_http_handle(req, is->log, err);
}

/* api_log_prove answers GET /api/v1/log/{seq}/commitment (admins): the
 * private record log entry |seq| committed to, and whether it still does. */
eseal_rc api_log_prove(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *seq = eseal_http_param(req, "seq");
    (void)err;
    size_t digits = strspn(seq, "0123456789");
    if (digits == 0 || digits > 18 || seq[digits] != '\0')
        return api_reply_error(req, ESEAL_E_INVALID, "seq",
                               "日志序号应为十进制数 / the log position must be a decimal number");
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    json_t *view = NULL;
    eseal_rc rc = eseal_issuer_log_prove(app, api_who(req), strtoull(seq, NULL, 10), &view, &p);
    return api_reply_result(req, rc, 200, view, &p);
}
