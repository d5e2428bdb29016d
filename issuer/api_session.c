/* api_session.c — POST/GET/DELETE /api/v1/session (login by bearer token
 * or cookie, who am I, logout, logout everywhere; login throttling) and
 * POST/GET /api/v1/staff (staff administration). */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "eseal/http.h"
#include "eseal/json.h"
#include "eseal/secret.h"
#include "internal.h"
#include "throttle.h"

#define COOKIE_NAME "eseal_session"

/* ip_parse reads the IP literal of |n| bytes at |s| into |out| (16 bytes,
 * IPv4 as IPv4-mapped IPv6) and says whether it was one. */
static bool ip_parse(const char *s, size_t n, uint8_t out[16])
{
    char text[INET6_ADDRSTRLEN];
    if (n == 0 || n >= sizeof(text))
        return false;
    memcpy(text, s, n);
    text[n] = '\0';
    struct in_addr v4;
    if (inet_pton(AF_INET, text, &v4) == 1) {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        memcpy(out, mapped, sizeof(mapped));
        memcpy(out + 12, &v4, 4);
        return true;
    }
    return inet_pton(AF_INET6, text, out) == 1;
}

/* proxies_each walks the addresses of |list|; false when one is not an IP
 * literal. With |found| set, *found says whether |address| is listed. */
static bool proxies_each(const char *list, const char *address, bool *found)
{
    uint8_t want[16], have[16];
    bool want_ok = address != NULL && ip_parse(address, strlen(address), want);
    if (found != NULL)
        *found = false;
    const char *p = list;
    for (;;) {
        p += strspn(p, ", ");
        if (*p == '\0')
            return true;
        size_t n = strcspn(p, ", ");
        if (!ip_parse(p, n, have))
            return false;
        if (found != NULL && want_ok && memcmp(want, have, sizeof(have)) == 0)
            *found = true;
        p += n;
    }
}

bool issuer_proxies_valid(const char *list)
{
    return list != NULL && proxies_each(list, NULL, NULL) && list[strspn(list, ", ")] != '\0';
}

bool issuer_proxy_trusted(const char *list, const char *address)
{
    bool found = false;
    return list != NULL && proxies_each(list, address, &found) && found;
}

const char *api_session_token(const struct eseal_http_req *req, bool *by_cookie)
{
    /* an explicit credential wins over whatever the browser keeps */
    const char *auth = eseal_http_header(req, "Authorization");
    *by_cookie = false;
    if (auth != NULL)
        return eseal_staff_bearer(auth);
    const char *cookie = eseal_http_cookie(req, COOKIE_NAME);
    if (cookie == NULL || cookie[0] == '\0')
        return NULL;
    *by_cookie = true;
    return cookie;
}

const char *api_client_address(struct eseal_http_req *req, const struct eseal_issuer *is)
{
    const char *peer = eseal_http_client(req);
    const char *xff = eseal_http_header(req, "X-Forwarded-For");
    if (xff == NULL || !issuer_proxy_trusted(is->cfg.trusted_proxies, peer))
        return peer;
    /* the last entry is the one our proxy added: the others are the client's say */
    const char *last = strrchr(xff, ',');
    last = last != NULL ? last + 1 : xff;
    last += strspn(last, " ");
    size_t n = strcspn(last, " ");
    uint8_t ip[16];
    if (!ip_parse(last, n, ip))
        return peer;
    char *out = eseal_http_alloc(req, n + 1);
    memcpy(out, last, n);
    return out;
}

/* behind_tls tells whether the request came over TLS through a trusted
 * proxy that says so. */
static bool behind_tls(const struct eseal_http_req *req, const struct eseal_issuer *is)
{
    const char *proto = eseal_http_header(req, "X-Forwarded-Proto");
    return proto != NULL && strcasecmp(proto, "https") == 0 &&
           issuer_proxy_trusted(is->cfg.trusted_proxies, eseal_http_client(req));
}

/* cookie_set sets the session cookie to |value| ("" with Max-Age=0 to clear it). */
static void cookie_set(struct eseal_http_req *req, const struct eseal_issuer *is, const char *value)
{
    char line[160];
    snprintf(line, sizeof(line), "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", COOKIE_NAME, value,
             value[0] == '\0' ? "; Max-Age=0" : "", behind_tls(req, is) ? "; Secure" : "");
    eseal_http_set_header(req, "Set-Cookie", line);
    eseal_wipe(line, sizeof(line));
}

void api_cookie_clear(struct eseal_http_req *req, const struct eseal_issuer *is)
{
    cookie_set(req, is, "");
}

bool api_csrf_ok(const struct eseal_http_req *req, const char *csrf)
{
    const char *got = eseal_http_header(req, "X-CSRF-Token");
    size_t n = strlen(csrf);
    return got != NULL && n > 0 && strlen(got) == n && eseal_memeq(got, csrf, n);
}

/* session_json is the view of a session: who, until when, its CSRF token. */
static json_t *session_json(const struct eseal_staff_principal *who,
                            const struct eseal_staff_session_info *info)
{
    char when[32];
    eseal_json_time_format(when, sizeof(when), (int64_t)info->expires, -1);
    json_t *out = json_pack("{s:s,s:s,s:s,s:s}", "username", who->username, "role",
                            eseal_staff_role_name(who->role), "expires", when, "csrf", info->csrf);
    if (who->id[0] != '\0') /* one's own opaque staff id, as the log names one */
        json_object_set_new(out, "id", json_string(who->id));
    if (who->unit[0] != '\0')
        json_object_set_new(out, "unit", json_string(who->unit));
    if (who->city[0] != '\0')
        json_object_set_new(out, "city", json_string(who->city));
    if (info->idle_expires != 0) {
        eseal_json_time_format(when, sizeof(when), (int64_t)info->idle_expires, -1);
        json_object_set_new(out, "idle_expires", json_string(when));
    }
    return out;
}

/* login_throttled answers 429 when logins for |username| from |address|
 * must wait; false when they need not (or the count could not be read:
 * then the reply is the error). */
static bool login_throttled(struct eseal_http_req *req, const struct throttle_store *t,
                            const char *username, const char *address)
{
    int64_t wait = 0;
    bool by_account = false;
    struct eseal_err e;
    eseal_err_clear(&e);
    if (throttle_check(t, username, address, 0, &wait, &by_account, &e) != ESEAL_OK) {
        api_reply_error(req, e.rc, NULL, "%s", e.msg);
        return true;
    }
    if (wait == 0)
        return false;
    char retry[24];
    snprintf(retry, sizeof(retry), "%lld", (long long)wait);
    eseal_http_set_header(req, "Retry-After", retry);
    if (by_account)
        api_reply_error(req, ESEAL_E_THROTTLED, NULL,
                        "该账号密码错误次数过多，请 %lld 秒后再试 / too many wrong passwords "
                        "for this account: try again in %lld s",
                        (long long)wait, (long long)wait);
    else
        api_reply_error(req, ESEAL_E_THROTTLED, NULL,
                        "此地址登录失败次数过多，请 %lld 秒后再试 / too many failed logins "
                        "from this address: try again in %lld s",
                        (long long)wait, (long long)wait);
    return true;
}

/* loggable returns |username| when it has the shape of an account name,
 * else "-": a name tried at login is the client's text and must not forge
 * a log line. */
static const char *loggable(const char *username)
{
    size_t n = strlen(username);
    return n >= 1 && n <= ESEAL_STAFF_USERNAME_MAX &&
                   strspn(username, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n
               ? username
               : "-";
}

/* login_counted records the outcome |rc| of a login for the throttle and
 * says on stderr when an account or address becomes throttled. */
static void login_counted(const struct throttle_store *t, eseal_rc rc, const char *username,
                          const char *address)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    bool account_now = false, address_now = false;
    eseal_rc trc = ESEAL_OK;
    if (rc == ESEAL_OK)
        trc = throttle_succeeded(t, username, &e);
    else if (rc == ESEAL_E_DENIED)
        trc = throttle_failed(t, username, address, 0, &account_now, &address_now, &e);
    if (trc != ESEAL_OK)
        fprintf(stderr, "eseal-issuerd: login throttle: %s\n", e.msg);
    if (account_now)
        fprintf(stderr,
                "eseal-issuerd: login throttled: account %s (%d wrong passwords in %d s, "
                "last from %s)\n",
                username, THROTTLE_ACCOUNT_MAX, THROTTLE_WINDOW, address);
    if (address_now)
        fprintf(stderr,
                "eseal-issuerd: login throttled: address %s (%d failed logins in %d s, "
                "last for %s)\n",
                address, THROTTLE_ADDRESS_MAX, THROTTLE_WINDOW, loggable(username));
}

/* struct login_job is one login handed to the HTTP adapter's offload pool:
 * the password hash is checked there, away from the HTTP threads. */
struct login_job {
    struct eseal_issuer *is;
    const char *username;
    char *password; /* wiped by login_reply */
    size_t password_len;
    const char *address;
    bool cookie;
    eseal_rc rc;
    char token[ESEAL_STAFF_TOKEN_LEN + 1];
    struct eseal_staff_principal who;
    struct eseal_staff_session_info info;
    struct eseal_err e;
};

/* login_work checks the password (Argon2id: the slow part) and opens the
 * session, on an offload thread. */
static void login_work(void *ctx)
{
    struct login_job *j = ctx;
    struct throttle_store t = {j->is->kv, CF_THROTTLE};
    eseal_err_clear(&j->e);
    j->rc = eseal_staff_login(&j->is->staff, j->token, &j->who, NULL, j->username, j->password,
                              j->password_len, 0, &j->e);
    eseal_wipe(j->password, j->password_len);
    login_counted(&t, j->rc, j->username, j->address);
    if (j->rc == ESEAL_OK)
        j->rc = eseal_staff_session_resolve(&j->is->staff, &j->who, &j->info, j->token, 0, &j->e);
}

/* login_reply answers the login once login_work is done. */
static eseal_rc login_reply(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct login_job *j = eseal_http_offload_ctx(req);
    (void)err;
    if (j->rc != ESEAL_OK) {
        eseal_wipe(j->token, sizeof(j->token));
        /* a refused login is "not logged in", with the challenge */
        return api_reply_error(req, j->rc == ESEAL_E_DENIED ? ESEAL_E_UNAUTH : j->rc, NULL, "%s",
                               j->e.msg);
    }
    json_t *out = session_json(&j->who, &j->info);
    json_object_del(out, "idle_expires"); /* GET /api/v1/session tells it */
    if (j->cookie)
        cookie_set(req, app, j->token);
    else
        json_object_set_new(out, "token", json_string(j->token));
    eseal_wipe(j->token, sizeof(j->token));
    eseal_http_set_header(req, "Cache-Control", "no-store");
    return eseal_http_reply_json(req, 200, out);
}

eseal_rc api_session_login(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    json_t *body = NULL;
    (void)err;
    if (!api_body(req, false, &body))
        return ESEAL_OK;
    static const char *const keys[] = {"username", "password", "cookie", NULL};
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = json_check_keys(body, keys, "", &p);
    json_t *u = json_object_get(body, "username"), *pw = json_object_get(body, "password");
    json_t *ck = json_object_get(body, "cookie");
    if (rc == ESEAL_OK && !json_is_string(u))
        rc = prob_set(&p, ESEAL_E_INVALID, "username",
                      "用户名须为字符串 / username must be a string");
    if (rc == ESEAL_OK && !json_is_string(pw))
        rc =
            prob_set(&p, ESEAL_E_INVALID, "password", "密码须为字符串 / password must be a string");
    if (rc == ESEAL_OK && ck != NULL && !json_is_boolean(ck))
        rc =
            prob_set(&p, ESEAL_E_INVALID, "cookie", "cookie 须为布尔值 / cookie must be a boolean");
    if (rc != ESEAL_OK) {
        json_decref(body);
        return api_reply_problem(req, &p);
    }
    struct throttle_store t = {is->kv, CF_THROTTLE};
    const char *address = api_client_address(req, is);
    /* throttled: refused without looking at the password */
    if (login_throttled(req, &t, json_string_value(u), address)) {
        json_decref(body);
        return ESEAL_OK;
    }
    struct login_job *j = eseal_http_alloc(req, sizeof(*j));
    j->is = is;
    j->cookie = json_is_true(ck);
    j->address = address;
    size_t ulen = strlen(json_string_value(u));
    char *username = eseal_http_alloc(req, ulen + 1);
    memcpy(username, json_string_value(u), ulen);
    j->username = username;
    j->password_len = json_string_length(pw);
    j->password = eseal_http_alloc(req, j->password_len + 1);
    memcpy(j->password, json_string_value(pw), j->password_len);
    json_decref(body);
    /* the hash runs on the small offload pool: when it is full, a login is
     * refused at once rather than queued behind the others */
    if (eseal_http_offload(req, login_work, j, login_reply) == ESEAL_OK)
        return ESEAL_OK;
    eseal_wipe(j->password, j->password_len);
    eseal_http_set_header(req, "Retry-After", "1");
    return api_reply_error(req, ESEAL_E_UNAVAILABLE, NULL,
                           "登录繁忙，请稍后重试 / too many logins at once: retry in a second");
}

eseal_rc api_session_get(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    bool by_cookie;
    const char *token = api_session_token(req, &by_cookie);
    struct eseal_staff_principal who;
    struct eseal_staff_session_info info;
    struct eseal_err e;
    eseal_err_clear(&e);
    (void)err;
    /* the authorize hook resolved it a moment ago: this is a second read */
    if (eseal_staff_session_resolve(&is->staff, &who, &info, token, 0, &e) != ESEAL_OK)
        return api_reply_error(req, ESEAL_E_UNAUTH, NULL, "%s", e.msg);
    eseal_http_set_header(req, "Cache-Control", "no-store");
    json_t *out = session_json(&who, &info);
    /* an agent's unit register (主管处室, 分管领导), for the portal's forms */
    struct eseal_staff_account a;
    if (who.role == ESEAL_ROLE_AGENT &&
        eseal_staff_get(&is->staff, &a, who.username, &e) == ESEAL_OK) {
        if (a.office[0] != '\0')
            json_object_set_new(out, "office", json_string(a.office));
        if (a.leader[0] != '\0')
            json_object_set_new(out, "leader", json_string(a.leader));
    }
    return eseal_http_reply_json(req, 200, out);
}

eseal_rc api_session_logout(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    bool by_cookie;
    const char *token = api_session_token(req, &by_cookie);
    const char *all = eseal_http_query(req, "all");
    if (all != NULL && strcmp(all, "1") != 0 && strcmp(all, "0") != 0)
        return api_reply_error(req, ESEAL_E_INVALID, "all", "all: 须为 0 或 1 / must be 0 or 1");
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = all != NULL && strcmp(all, "1") == 0
                      ? eseal_staff_logout_all(&is->staff, api_who(req)->username, &e)
                      : eseal_staff_logout(&is->staff, token, &e);
    if (rc != ESEAL_OK)
        return api_reply_error(req, e.rc, NULL, "%s", e.msg);
    if (by_cookie)
        api_cookie_clear(req, is);
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
