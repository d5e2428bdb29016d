/* api.c — the issuer's HTTP API: the route table, authentication and the
 * permission check per request, strict JSON bodies and JSON errors
 * {"error":{"code","message","field"}}. Endpoint groups live in api_*.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/http.h"
#include "eseal/json.h"
#include "internal.h"

/* The upload routes' body limit comes from the configuration: serve()
 * copies this table and sets it. */
const struct eseal_http_route eseal_issuer_routes[] = {
    {"POST", "/api/v1/session", api_session_login, 0},
    {"DELETE", "/api/v1/session", api_session_logout, 0},
    {"POST", "/api/v1/staff", api_staff_create, 0},
    {"GET", "/api/v1/staff", api_staff_list, 0},
    {"POST", "/api/v1/submissions", api_submissions_create, 0},
    {"GET", "/api/v1/submissions", api_submissions_list, 0},
    {"GET", "/api/v1/submissions/*", api_submission_get, 0},
    {"PUT", "/api/v1/submissions/*", api_submission_put, 0},
    {"POST", "/api/v1/submissions/*", api_submission_post, 0}, /* materials, handover: uploads */
    {"GET", "/api/v1/seals/*", api_seal_get, 0},
    {"POST", "/api/v1/seals/*", api_seal_post, 0},
    {"GET", "/public/seals/*", api_seal_public, 0},
    {"GET", "/log/*", api_log, 0},
};
const size_t eseal_issuer_n_routes = sizeof(eseal_issuer_routes) / sizeof(eseal_issuer_routes[0]);

eseal_rc api_reply_error(struct eseal_http_req *req, eseal_rc rc, const char *field,
                         const char *fmt, ...)
{
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    va_list ap;
    va_start(ap, fmt);
    char msg[ESEAL_ERR_MSG_MAX];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    prob_set(&p, rc, field, "%s", msg);
    return api_reply_problem(req, &p);
}

eseal_rc api_reply_problem(struct eseal_http_req *req, struct eseal_issuer_problem *p)
{
    /* the one table maps the domain's result code to the status */
    unsigned status = eseal_http_status(p->err.rc == ESEAL_OK ? ESEAL_E_INTERNAL : p->err.rc);
    json_t *body = eseal_issuer_problem_json(p);
    if (status == 401)
        eseal_http_set_header(req, "WWW-Authenticate", "Bearer realm=\"eseal-issuer\"");
    eseal_issuer_problem_cleanup(p);
    return eseal_http_reply_json(req, status, body);
}

eseal_rc api_reply_result(struct eseal_http_req *req, eseal_rc rc, unsigned status, json_t *view,
                          struct eseal_issuer_problem *p)
{
    if (rc != ESEAL_OK) {
        json_decref(view);
        return api_reply_problem(req, p);
    }
    eseal_issuer_problem_cleanup(p);
    return eseal_http_reply_json(req, status, view != NULL ? view : json_object());
}

bool api_auth(struct eseal_http_req *req, struct eseal_issuer *is, enum eseal_staff_action action,
              struct eseal_staff_principal *who)
{
    memset(who, 0, sizeof(*who));
    if (eseal_staff_allowed(ESEAL_ROLE_PUBLIC, action))
        return true;
    const char *token = eseal_staff_bearer(eseal_http_header(req, "Authorization"));
    if (token == NULL) {
        api_reply_error(req, ESEAL_E_UNAUTH, NULL,
                        "log in first: send Authorization: Bearer <token> (POST /api/v1/session)");
        return false;
    }
    struct eseal_err e;
    eseal_err_clear(&e);
    if (eseal_staff_session_check(&is->staff, who, token, 0, &e) != ESEAL_OK) {
        api_reply_error(req, ESEAL_E_UNAUTH, NULL, "%s", e.msg);
        return false;
    }
    if (!eseal_staff_allowed(who->role, action)) {
        api_reply_error(req, ESEAL_E_DENIED, NULL, "role %s may not %s",
                        eseal_staff_role_name(who->role), eseal_staff_action_name(action));
        return false;
    }
    return true;
}

bool api_body(struct eseal_http_req *req, struct eseal_issuer *is, bool optional, json_t **out)
{
    *out = NULL;
    size_t len;
    const uint8_t *body = eseal_http_body(req, &len);
    if (len > (size_t)is->cfg.max_body) {
        api_reply_error(req, ESEAL_E_TOOBIG, NULL,
                        "the request body is larger than %lld bytes (max_body)", is->cfg.max_body);
        return false;
    }
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    if (i == len) {
        if (optional)
            return true;
        api_reply_error(req, ESEAL_E_INVALID, NULL, "a JSON object is required as the body");
        return false;
    }
    json_t *j = NULL;
    struct eseal_err e;
    if (eseal_json_parse(&j, body, len, NULL, &e) != ESEAL_OK) {
        api_reply_error(req, e.rc, NULL, "%s", e.msg);
        return false;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        api_reply_error(req, ESEAL_E_INVALID, NULL, "the body must be a JSON object");
        return false;
    }
    *out = j;
    return true;
}

eseal_rc eseal_issuer_serve(struct eseal_issuer *is, struct eseal_http **srv, struct eseal_err *err)
{
    /* the upload routes' limit is the config's */
    struct eseal_http_route *routes = is->routes;
    _Static_assert(sizeof(eseal_issuer_routes) / sizeof(eseal_issuer_routes[0]) <=
                       sizeof(is->routes) / sizeof(is->routes[0]),
                   "room for every route");
    for (size_t i = 0; i < eseal_issuer_n_routes; i++) {
        routes[i] = eseal_issuer_routes[i];
        if (strcmp(routes[i].method, "POST") == 0 &&
            strcmp(routes[i].path, "/api/v1/submissions/*") == 0)
            routes[i].max_body = (size_t)is->cfg.max_upload;
    }
    struct eseal_http_config hc = {
        .address = is->cfg.address,
        .port = (uint16_t)is->cfg.port,
        .routes = routes,
        .n_routes = eseal_issuer_n_routes,
        .app = is,
        .max_body = (size_t)is->cfg.max_body,
        .threads = (unsigned)is->cfg.threads,
        .access_log = is->cfg.access_log,
        .name = "eseal-issuerd",
    };
    return eseal_http_start(srv, &hc, err);
}
