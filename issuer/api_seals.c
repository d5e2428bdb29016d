/* api_seals.c — /api/v1/seals/{esID} (record, seal.esl, cert.pem, suspend),
 * the public /public/seals/{esID}/{version}/seal.esl and the event log's
 * public /log/... routes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "region.h"
#include "internal.h"

/* split_esid splits "ESID" or "ESID/what"; false if malformed. */
static bool split_esid(const char *rest, char esid[ESEAL_ESID_LEN + 1], const char **what)
{
    size_t n = strcspn(rest, "/");
    if (n != ESEAL_ESID_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (rest[i] < '0' || rest[i] > '9')
            return false;
    memcpy(esid, rest, n);
    esid[n] = '\0';
    *what = rest[n] == '/' ? rest + n + 1 : "";
    return true;
}

static eseal_rc not_found(struct eseal_http_req *req)
{
    return api_reply_error(req, ESEAL_E_NOTFOUND, NULL, "no such resource: %s",
                           eseal_http_path(req));
}

eseal_rc api_seal_get(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    struct eseal_staff_principal who;
    char esid[ESEAL_ESID_LEN + 1];
    const char *what;
    (void)err;
    if (!split_esid(eseal_http_path_rest(req), esid, &what))
        return not_found(req);
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    if (what[0] == '\0') {
        json_t *view = NULL;
        if (!api_auth(req, is, ESEAL_ACTION_SEAL_GET, &who))
            return ESEAL_OK;
        eseal_rc rc = eseal_issuer_seal_get(is, &who, esid, &view, &p);
        return api_reply_result(req, rc, 200, view, &p);
    }
    bool esl = strcmp(what, "seal.esl") == 0;
    if (!esl && strcmp(what, "cert.pem") != 0)
        return not_found(req);
    if (!api_auth(req, is, esl ? ESEAL_ACTION_SEAL_DOWNLOAD : ESEAL_ACTION_SEAL_GET, &who))
        return ESEAL_OK;
    struct eseal_buf out;
    eseal_buf_init(&out);
    eseal_rc rc = eseal_issuer_seal_file(
        is, &who, esid, esl ? ESEAL_ISSUER_SEAL_ESL : ESEAL_ISSUER_CERT_PEM, &out, &p);
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

eseal_rc api_seal_post(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    struct eseal_staff_principal who;
    char esid[ESEAL_ESID_LEN + 1];
    const char *what;
    json_t *body = NULL, *view = NULL;
    (void)err;
    if (!split_esid(eseal_http_path_rest(req), esid, &what) || strcmp(what, "suspend") != 0)
        return not_found(req);
    if (!api_auth(req, is, ESEAL_ACTION_SEAL_SUSPEND, &who) || !api_body(req, is, true, &body))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = eseal_issuer_seal_suspend(is, &who, esid, body, &view, &p);
    json_decref(body);
    return api_reply_result(req, rc, 200, view, &p);
}

/* api_seal_public answers GET /public/seals/{esID}/{version}/seal.esl, for
 * anyone: a seal version's file never changes, so caches may keep it. */
eseal_rc api_seal_public(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    struct eseal_staff_principal who;
    char esid[ESEAL_ESID_LEN + 1];
    const char *what;
    (void)err;
    if (!split_esid(eseal_http_path_rest(req), esid, &what))
        return not_found(req);
    size_t digits = strspn(what, "0123456789");
    if (digits == 0 || digits > 8 || what[0] == '0' || strcmp(what + digits, "/seal.esl") != 0)
        return not_found(req);
    if (!api_auth(req, is, ESEAL_ACTION_SEAL_PUBLIC, &who))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    struct eseal_buf out;
    eseal_buf_init(&out);
    eseal_rc rc = eseal_issuer_seal_public(is, esid, strtoll(what, NULL, 10), &out, &p);
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
    struct eseal_staff_principal who;
    if (!api_auth(req, is, ESEAL_ACTION_LOG_READ, &who))
        return ESEAL_OK;
    return eseal_log_http_handle(req, is->log, err);
}
