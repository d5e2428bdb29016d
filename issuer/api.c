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

#define UPLOAD SIZE_MAX /* the body limit is the configuration's max_upload */

/* The issuer's whole API. A permission is a staff action
 * (eseal_staff_action_name): api_authorize checks it against the one
 * permission table in staff.c before the handler runs. A body limit of 0 is
 * the configuration's max_body. docs/api.md lists this table; a test keeps
 * the two the same. */
/* clang-format off */
static const struct eseal_http_route routes[] = {
    {"POST",   "/api/v1/session",                         "session.login",       0,      api_session_login},
    {"DELETE", "/api/v1/session",                         "session.logout",      0,      api_session_logout},
    {"POST",   "/api/v1/staff",                           "staff.create",        0,      api_staff_create},
    {"GET",    "/api/v1/staff",                           "staff.list",          0,      api_staff_list},
    {"POST",   "/api/v1/submissions",                     "submission.create",   0,      api_submissions_create},
    {"GET",    "/api/v1/submissions",                     "submission.list",     0,      api_submissions_list},
    {"GET",    "/api/v1/submissions/{id}",                "submission.get",      0,      api_submission_get},
    {"PUT",    "/api/v1/submissions/{id}",                "submission.create",   0,      api_submission_put},
    {"GET",    "/api/v1/submissions/{id}/audit",          "audit.read",          0,      api_submission_audit},
    {"GET",    "/api/v1/submissions/{id}/history",        "submission.get",      0,      api_submission_history},
    {"GET",    "/api/v1/log/{seq}/commitment",            "audit.read",          0,      api_log_prove},
    {"POST",   "/api/v1/submissions/{id}/materials",      "submission.upload",   UPLOAD, api_submission_materials},
    {"GET",    "/api/v1/submissions/{id}/materials/{sm3}", "submission.get",     0,      api_submission_material_get},
    {"POST",   "/api/v1/submissions/{id}/submit",         "submission.submit",   0,      api_submission_submit},
    {"POST",   "/api/v1/submissions/{id}/register",       "submission.register", 0,      api_submission_register},
    {"POST",   "/api/v1/submissions/{id}/review",         "submission.review",   0,      api_submission_review},
    {"POST",   "/api/v1/submissions/{id}/produce",        "submission.produce",  0,      api_submission_produce},
    {"POST",   "/api/v1/submissions/{id}/handover",       "submission.handover", UPLOAD, api_submission_handover},
    {"POST",   "/api/v1/submissions/{id}/impression",     "submission.produce",  UPLOAD, api_submission_impression},
    {"POST",   "/api/v1/submissions/{id}/impression/accept", "submission.produce", 0,    api_submission_picture_accept},
    {"GET",    "/api/v1/seals",                           "seal.get",            0,      api_seals_list},
    {"POST",   "/api/v1/batches",                         "batch.manage",        0,      api_batches_create},
    {"GET",    "/api/v1/batches/{id}",                    "batch.get",           0,      api_batch_get},
    {"POST",   "/api/v1/batches/{id}/items",              "batch.manage",        0,      api_batch_add},
    {"POST",   "/api/v1/batches/{id}/summary",            "batch.manage",        UPLOAD, api_batch_summary},
    {"POST",   "/api/v1/batches/{id}/submit",             "batch.manage",        0,      api_batch_submit},
    {"POST",   "/api/v1/batches/{id}/register",           "submission.register", 0,      api_batch_register},
    {"POST",   "/api/v1/batches/{id}/review",             "submission.review",   0,      api_batch_review},
    {"GET",    "/api/v1/seals/{esID}",                    "seal.get",            0,      api_seal_get},
    {"GET",    "/api/v1/seals/{esID}/seal.esl",           "seal.download",       0,      api_seal_esl},
    {"GET",    "/api/v1/seals/{esID}/cert.pem",           "seal.download",       0,      api_seal_pem},
    {"POST",   "/api/v1/seals/{esID}/suspend",            "seal.suspend",        0,      api_seal_suspend},
    {"POST",   "/api/v1/seals/{esID}/reinstate",          "seal.reinstate",      0,      api_seal_reinstate},
    {"GET",    "/public/seals/{esID}/{version}/seal.esl", "seal.public",         0,      api_seal_public},
    {"GET",    "/log/checkpoint",                         "log.read",            0,      api_log},
    {"GET",    "/log/entries",                            "log.read",            0,      api_log},
    {"GET",    "/log/proof/inclusion",                    "log.read",            0,      api_log},
    {"GET",    "/log/proof/consistency",                  "log.read",            0,      api_log},
    {"POST",   "/api/v1/session/password",                "session.passwd",      0,      api_session_passwd},
    {"POST",   "/api/v1/staff/{username}/disable",        "staff.disable",       0,      api_staff_disable},
    {"POST",   "/api/v1/staff/{username}/enable",         "staff.enable",        0,      api_staff_enable},
    {"POST",   "/api/v1/staff/{username}/role",           "staff.role",          0,      api_staff_role},
    {"POST",   "/api/v1/staff/{username}/password",       "staff.reset",         0,      api_staff_reset},
    {"GET",    "/api/v1/sessions",                        "staff.sessions",      0,      api_staff_sessions},
    {"GET",    "/api/v1/notifications",                   "notification.list",   0,      api_notifications_list},
    {"POST",   "/api/v1/notifications/{id}/read",         "notification.read",   0,      api_notification_read},
    {"GET",    "/api/v1/session",                         "session.get",         0,      api_session_get},
    {"GET",    "/console/{path*}",                        "console.read",        0,      api_console_file},
    {"GET",    "/console",                                "console.read",        0,      api_console_redirect},
    {"GET",    "/portal/{path*}",                         "console.read",        0,      api_portal_file},
    {"GET",    "/portal",                                 "console.read",        0,      api_portal_redirect},
    {"GET",    "/",                                       "console.read",        0,      api_root},
    {"GET",    "/api/v1/queues",                          "queues.read",         0,      api_queues},
    {"GET",    "/api/v1/overview",                        "overview.read",       0,      api_overview},
    {"GET",    "/api/v1/catalog",                         "catalog.read",        0,      api_catalog},
    {"GET",    "/api/v1/seals/{esID}/picture",            "seal.get",            0,      api_seal_picture},
    {"GET",    "/api/v1/submissions/{id}/print/forms.pdf",   "submission.get", 0,    api_print_forms},
    {"GET",    "/api/v1/submissions/{id}/print/summary.pdf", "submission.get", 0,    api_print_summary_pdf},
    {"GET",    "/api/v1/submissions/{id}/print/letter.pdf",  "submission.get", 0,    api_print_letter},
    {"GET",    "/api/v1/submissions/{id}/print/summary.xlsx", "submission.get", 0,   api_print_summary_xlsx},
    {"GET",    "/api/v1/print/templates/{name}",          "catalog.read",        0,      api_print_template},
    {"GET",    "/api/v1/batches/{id}/print/summary.pdf",  "batch.get",           0,      api_print_batch_pdf},
    {"GET",    "/api/v1/batches/{id}/print/summary.xlsx", "batch.get",           0,      api_print_batch_xlsx},
    {"POST",   "/api/v1/submissions/{id}/summary/check",  "submission.get",      UPLOAD, api_summary_check},
    {"POST",   "/api/v1/batches/{id}/summary/check",      "batch.get",           UPLOAD, api_batch_summary_check},
    {"POST",   "/api/v1/submissions/check",               "submission.create",   0,      api_submissions_check},
    {"GET",    "/metrics",                                "ops.read",            0,      api_metrics},
    {"GET",    "/healthz",                                "ops.read",            0,      api_healthz},
    {"POST",   "/api/v1/backup",                          "backup.create",       0,      api_backup},
};
/* clang-format on */
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/* fill_routes copies the route table into |out| with |cfg|'s upload limit. */
static size_t fill_routes(const struct eseal_issuer_config *cfg,
                          struct eseal_http_route out[ISSUER_MAX_ROUTES])
{
    _Static_assert(N_ROUTES <= ISSUER_MAX_ROUTES, "room for every route");
    for (size_t i = 0; i < N_ROUTES; i++) {
        out[i] = routes[i];
        if (out[i].max_body == UPLOAD)
            out[i].max_body = (size_t)cfg->max_upload;
    }
    return N_ROUTES;
}

void eseal_issuer_print_routes(const struct eseal_issuer_config *cfg, FILE *out)
{
    struct eseal_http_route r[ISSUER_MAX_ROUTES];
    eseal_http_routes_print(out, r, fill_routes(cfg, r), (size_t)cfg->max_body);
}

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
    /* the one table maps the domain's result code to the status; the
     * adapter adds the challenge to a 401 */
    unsigned status = eseal_http_status(p->err.rc == ESEAL_OK ? ESEAL_E_INTERNAL : p->err.rc);
    json_t *body = eseal_issuer_problem_json(p);
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

const struct eseal_staff_principal *api_who(const struct eseal_http_req *req)
{
    return eseal_http_user(req);
}

/* action_of finds the staff action named |perm|. */
static bool action_of(const char *perm, enum eseal_staff_action *out)
{
    for (unsigned a = 0; a < ESEAL_ACTION_COUNT; a++) {
        if (strcmp(eseal_staff_action_name((enum eseal_staff_action)a), perm) == 0) {
            *out = (enum eseal_staff_action)a;
            return true;
        }
    }
    return false;
}

/* api_authorize is the adapter's authorize hook: it resolves the caller and
 * checks |perm| (an action name) against the permission table. An action
 * the public may call gets the public principal without a token; otherwise
 * a missing or bad bearer token or session cookie is 401, a change by
 * cookie without the session's X-CSRF-Token 403 (code csrf), a role the
 * table denies 403. */
static eseal_rc api_authorize(struct eseal_http_req *req, void *app, const char *perm,
                              struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    enum eseal_staff_action action;
    if (!action_of(perm, &action)) /* eseal_issuer_serve checked: cannot happen */
        return eseal_err_set(err, ESEAL_E_INTERNAL, "unknown permission %s", perm);
    struct eseal_staff_principal *who = eseal_http_alloc(req, sizeof(*who));
    eseal_http_set_user(req, who);
    if (eseal_staff_allowed(ESEAL_ROLE_PUBLIC, action))
        return ESEAL_OK;
    bool by_cookie;
    const char *token = api_session_token(req, &by_cookie);
    const char *method = eseal_http_method(req);
    bool changes = strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
    struct eseal_staff_session_info info;
    struct eseal_err e;
    eseal_err_clear(&e);
    if (token == NULL) {
        eseal_err_set(&e, ESEAL_E_UNAUTH,
                      "请先登录 / log in first: send Authorization: Bearer <token> "
                      "(POST /api/v1/session)");
    } else if (eseal_staff_session_resolve(&is->staff, who, &info, token, 0, &e) != ESEAL_OK) {
        e.rc = ESEAL_E_UNAUTH; /* a bad or expired token: log in again */
        if (by_cookie)
            api_cookie_clear(req, is);
    } else if (by_cookie && changes && !api_csrf_ok(req, info.csrf)) {
        /* a cookie rides along on any request the browser makes: a change
         * must show it came from a page that could read the session */
        eseal_err_set(&e, ESEAL_E_CSRF,
                      "缺少或错误的 CSRF 令牌 / missing or wrong CSRF token: send "
                      "X-CSRF-Token as GET /api/v1/session gives it");
        memset(who, 0, sizeof(*who));
    } else if (!eseal_staff_allowed(who->role, action))
        eseal_err_set(&e, ESEAL_E_DENIED, "角色 %s 无权执行 %s / role %s may not %s",
                      eseal_staff_role_name(who->role), perm, eseal_staff_role_name(who->role),
                      perm);
    else
        return ESEAL_OK;
    api_reply_error(req, e.rc, NULL, "%s", e.msg);
    return e.rc;
}

bool api_body(struct eseal_http_req *req, bool optional, json_t **out)
{
    *out = NULL;
    size_t len; /* within the route's limit: the adapter refused more */
    const uint8_t *body = eseal_http_body(req, &len);
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    if (i == len) {
        if (optional)
            return true;
        api_reply_error(req, ESEAL_E_INVALID, NULL,
                        "请求体须为 JSON 对象 / a JSON object is required as the body");
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
        api_reply_error(req, ESEAL_E_INVALID, NULL,
                        "请求体须为 JSON 对象 / the body must be a JSON object");
        return false;
    }
    *out = j;
    return true;
}

eseal_rc eseal_issuer_serve(struct eseal_issuer *is, struct eseal_http **srv, struct eseal_err *err)
{
    size_t n = fill_routes(&is->cfg, is->routes);
    for (size_t i = 0; i < n; i++) { /* a misspelt permission fails here, not per request */
        enum eseal_staff_action a;
        if (!action_of(is->routes[i].perm, &a))
            return eseal_err_set(err, ESEAL_E_INTERNAL, "route %s %s: unknown permission %s",
                                 is->routes[i].method, is->routes[i].path, is->routes[i].perm);
    }
    struct eseal_http_config hc = {
        .address = is->cfg.address,
        .port = (uint16_t)is->cfg.port,
        .routes = is->routes,
        .n_routes = n,
        .app = is,
        .max_body = (size_t)is->cfg.max_body,
        .threads = (unsigned)is->cfg.threads,
        .access_log = is->cfg.access_log,
        .log_text = is->cfg.log_text,
        .name = "eseal-issuerd",
        .authorize = api_authorize,
        .auth_challenge = "Bearer realm=\"eseal-issuer\"",
        .max_connections = (unsigned)is->cfg.max_connections,
        .max_per_ip = (unsigned)is->cfg.max_per_ip,
        .header_timeout_s = (unsigned)is->cfg.header_timeout,
        .spool_dir = is->cfg.data, /* 0700: uploads are personal data */
    };
    return eseal_http_start(srv, &hc, err);
}
