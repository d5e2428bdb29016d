/* api_session.c — POST/DELETE /api/v1/session (login, logout) and
 * POST/GET /api/v1/staff (staff administration). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/json.h"
#include "eseal/secret.h"
#include "internal.h"

eseal_rc api_session_login(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    struct eseal_staff_principal who;
    json_t *body = NULL;
    if (!api_body(req, false, &body))
        return ESEAL_OK;
    static const char *const keys[] = {"username", "password", NULL};
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = json_check_keys(body, keys, "", &p);
    json_t *u = json_object_get(body, "username"), *pw = json_object_get(body, "password");
    if (rc == ESEAL_OK && !json_is_string(u))
        rc = prob_set(&p, ESEAL_E_INVALID, "username",
                      "用户名须为字符串 / username must be a string");
    if (rc == ESEAL_OK && !json_is_string(pw))
        rc =
            prob_set(&p, ESEAL_E_INVALID, "password", "密码须为字符串 / password must be a string");
    if (rc != ESEAL_OK) {
        json_decref(body);
        return api_reply_problem(req, &p);
    }
    char token[ESEAL_STAFF_TOKEN_LEN + 1];
    time_t expires = 0;
    struct eseal_err e;
    eseal_err_clear(&e);
    rc = eseal_staff_login(&is->staff, token, &who, &expires, json_string_value(u),
                           json_string_value(pw), json_string_length(pw), 0, &e);
    json_decref(body);
    if (rc != ESEAL_OK) {
        eseal_wipe(token, sizeof(token));
        /* a refused login is "not logged in", with the challenge */
        return api_reply_error(req, rc == ESEAL_E_DENIED ? ESEAL_E_UNAUTH : rc, NULL, "%s", e.msg);
    }
    char when[32];
    eseal_json_time_format(when, sizeof(when), expires, -1);
    json_t *out = json_pack("{s:s,s:s,s:s,s:s}", "token", token, "expires", when, "username",
                            who.username, "role", eseal_staff_role_name(who.role));
    eseal_wipe(token, sizeof(token));
    if (who.unit[0] != '\0')
        json_object_set_new(out, "unit", json_string(who.unit));
    if (who.city[0] != '\0')
        json_object_set_new(out, "city", json_string(who.city));
    eseal_http_set_header(req, "Cache-Control", "no-store");
    rc = eseal_http_reply_json(req, 200, out);
    (void)err;
    return rc;
}

eseal_rc api_session_logout(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    const char *token = eseal_staff_bearer(eseal_http_header(req, "Authorization"));
    struct eseal_err e;
    eseal_err_clear(&e);
    if (eseal_staff_logout(&is->staff, token, &e) != ESEAL_OK)
        return api_reply_error(req, e.rc, NULL, "%s", e.msg);
    (void)err;
    return eseal_http_reply_json(req, 200, json_pack("{s:b}", "logged_out", 1));
}

eseal_rc api_staff_create(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    json_t *body = NULL, *view = NULL;
    if (!api_body(req, false, &body))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = eseal_issuer_staff_create(app, api_who(req), body, &view, &p);
    json_t *pw = json_object_get(body, "password");
    if (json_is_string(pw)) /* the body's copy of the password is wiped */
        eseal_wipe((void *)json_string_value(pw), json_string_length(pw));
    json_decref(body);
    (void)err;
    return api_reply_result(req, rc, 201, view, &p);
}

eseal_rc api_staff_list(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    struct eseal_staff_account *list = NULL;
    size_t n = 0;
    struct eseal_err e;
    eseal_err_clear(&e);
    if (eseal_staff_list(&is->staff, &list, &n, &e) != ESEAL_OK)
        return api_reply_error(req, e.rc, NULL, "%s", e.msg);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, eseal_staff_account_json(&list[i]));
    free(list);
    (void)err;
    return eseal_http_reply_json(req, 200, json_pack("{s:o}", "staff", arr));
}

/* staff_change answers one of the staff changes of eseal_issuer_staff_change;
 * a password in the body is wiped once used. */
static eseal_rc staff_change(struct eseal_http_req *req, void *app, const char *change,
                             bool has_body)
{
    json_t *body = NULL, *view = NULL;
    if (!api_body(req, !has_body, &body))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = eseal_issuer_staff_change(app, api_who(req), change,
                                            eseal_http_param(req, "username"), body, &view, &p);
    static const char *const secrets[] = {"password", "old_password", "new_password"};
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        json_t *pw = json_object_get(body, secrets[i]);
        if (json_is_string(pw))
            eseal_wipe((void *)json_string_value(pw), json_string_length(pw));
    }
    json_decref(body);
    return api_reply_result(req, rc, 200, view, &p);
}

eseal_rc api_staff_disable(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return staff_change(req, app, "disable", false);
}

eseal_rc api_staff_enable(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return staff_change(req, app, "enable", false);
}

eseal_rc api_staff_role(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return staff_change(req, app, "role", true);
}

eseal_rc api_staff_reset(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return staff_change(req, app, "reset", true);
}

eseal_rc api_session_passwd(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    eseal_http_set_header(req, "Cache-Control", "no-store");
    return staff_change(req, app, "passwd", true);
}

eseal_rc api_staff_sessions(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    json_t *list = NULL;
    struct eseal_err e;
    eseal_err_clear(&e);
    (void)err;
    if (eseal_staff_sessions(&is->staff, eseal_http_query(req, "username"), 0, &list, &e) !=
        ESEAL_OK)
        return api_reply_error(req, e.rc, NULL, "%s", e.msg);
    return eseal_http_reply_json(req, 200, json_pack("{s:o}", "sessions", list));
}

eseal_rc api_notifications_list(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *unread = eseal_http_query(req, "unread");
    if (unread != NULL && strcmp(unread, "1") != 0 && strcmp(unread, "0") != 0)
        return api_reply_error(req, ESEAL_E_INVALID, "unread",
                               "unread: 须为 0 或 1 / must be 0 or 1");
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    json_t *view = NULL;
    eseal_rc rc = eseal_issuer_notifications(app, api_who(req),
                                             unread != NULL && strcmp(unread, "1") == 0, &view, &p);
    (void)err;
    return api_reply_result(req, rc, 200, view, &p);
}

eseal_rc api_notification_read(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    json_t *view = NULL;
    eseal_rc rc =
        eseal_issuer_notification_read(app, api_who(req), eseal_http_param(req, "id"), &view, &p);
    (void)err;
    return api_reply_result(req, rc, 200, view, &p);
}
