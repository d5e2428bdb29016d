/* test_http.c — the HTTP adapter against a real server on a free loopback
 * port, driven by raw HTTP/1.1 over plain sockets (so malformed requests can
 * be sent too). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <jansson.h>

#include "eseal/buf.h"
#include "eseal/http.h"
#include "eseal/json.h"
#include "testutil.h"

/* ---- handlers ---------------------------------------------------------- */

struct app {
    atomic_int second_reply_rc;
    atomic_int guarded_calls; /* handlers behind a permission that ran */
};

static eseal_rc h_hello(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return eseal_http_reply(req, 200, "text/plain", "hello", 5);
}

static eseal_rc h_items(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return eseal_http_reply_json(
        req, 200,
        json_pack("{s:s,s:s?,s:s?,s:s?,s:s?}", "path", eseal_http_path(req), "id",
                  eseal_http_param(req, "id"), "part", eseal_http_param(req, "part"), "rest",
                  eseal_http_param(req, "rest"), "nothing", eseal_http_param(req, "nothing")));
}

/* h_guarded records that it ran and answers with the caller the authorize
 * hook named. */
static eseal_rc h_guarded(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct app *a = app;
    atomic_fetch_add(&a->guarded_calls, 1);
    const char *user = eseal_http_user(req);
    return eseal_http_reply(req, 200, "text/plain", user, strlen(user));
}

/* h_crash must never run: only an unauthorised caller is ever sent here. */
static eseal_rc h_crash(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    abort();
}

/* authorize knows three bearer tokens: "reader" holds "thing.read",
 * "writer" also "thing.write"; nobody holds "thing.admin". "custom" makes
 * the hook answer itself. */
static eseal_rc authorize(struct eseal_http_req *req, void *app, const char *perm,
                          struct eseal_err *err)
{
    const char *auth = eseal_http_header(req, "Authorization");
    if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0)
        return eseal_err_set(err, ESEAL_E_UNAUTH, "log in first");
    const char *who = auth + 7;
    if (strcmp(who, "custom") == 0)
        return eseal_http_reply(req, 401, "text/plain", "who?", 4) == ESEAL_OK ? ESEAL_E_UNAUTH
                                                                               : ESEAL_E_INTERNAL;
    if (strcmp(who, "reader") != 0 && strcmp(who, "writer") != 0)
        return eseal_err_set(err, ESEAL_E_UNAUTH, "unknown token");
    bool ok = strcmp(perm, "thing.read") == 0 ||
              (strcmp(perm, "thing.write") == 0 && strcmp(who, "writer") == 0);
    if (!ok)
        return eseal_err_set(err, ESEAL_E_DENIED, "%s may not %s", who, perm);
    char *user = eseal_http_alloc(req, strlen(who) + 1);
    memcpy(user, who, strlen(who));
    eseal_http_set_user(req, user);
    return ESEAL_OK;
}

static eseal_rc h_query(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    json_t *j =
        json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:s,s:s}", "name", eseal_http_query(req, "name"), "x",
                  eseal_http_query(req, "x"), "flag", eseal_http_query(req, "flag"), "NAME",
                  eseal_http_query(req, "NAME"), "header", eseal_http_header(req, "x-test-header"),
                  "client", eseal_http_client(req), "method", eseal_http_method(req));
    return eseal_http_reply_json(req, 200, j);
}

static eseal_rc h_echo(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    size_t len;
    const uint8_t *body = eseal_http_body(req, &len);
    if (body[len] != 0) /* the contract promises a terminating NUL */
        return eseal_err_set(err, ESEAL_E_INTERNAL, "body not NUL-terminated");
    return eseal_http_reply(req, 200, "application/octet-stream", body, len);
}

static eseal_rc h_missing(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return eseal_err_set(err, ESEAL_E_NOTFOUND, "seal %d does not exist", 42);
}

static eseal_rc h_bad_utf8(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return eseal_err_set(err, ESEAL_E_INVALID, "bad \xff byte");
}

static eseal_rc h_silent(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return ESEAL_OK;
}

static eseal_rc h_denied(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    eseal_http_set_header(req, "WWW-Authenticate", "Bearer");
    return eseal_err_set(err, ESEAL_E_DENIED, "token expired");
}

static eseal_rc h_header(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    eseal_http_set_header(req, "X-Seal-Id", "seal-0001");
    eseal_http_set_header(req, "Cache-Control", "no-store");
    return eseal_http_reply(req, 200, "text/plain", "ok", 2);
}

static eseal_rc h_inject(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    eseal_http_set_header(req, "X-Bad", "a\r\nSet-Cookie: stolen=1");
    eseal_rc rc = eseal_http_reply(req, 200, "text/plain", "ok", 2);
    if (rc != ESEAL_OK)
        return eseal_err_set(err, rc, "reply refused");
    return ESEAL_OK;
}

static eseal_rc h_twice(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct app *a = app;
    eseal_rc rc = eseal_http_reply(req, 201, "text/plain", "first", 5);
    atomic_store(&a->second_reply_rc, (int)eseal_http_reply(req, 200, "text/plain", "again", 5));
    return rc;
}

/* h_arena builds its reply out of many eseal_http_alloc blocks; ASan reports
 * any block freed early or leaked. */
static eseal_rc h_arena(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    char *parts[64];
    for (size_t i = 0; i < 64; i++) {
        parts[i] = eseal_http_alloc(req, 1 + i * 37);
        for (size_t k = 0; k < 1 + i * 37; k++) {
            if (parts[i][k] != 0) /* no cmocka asserts off the test thread */
                return eseal_err_set(err, ESEAL_E_INTERNAL, "block %zu not zeroed", i);
        }
        memset(parts[i], 'a' + (int)(i % 26), i * 37);
    }
    char *out = eseal_http_alloc(req, 65);
    for (size_t i = 0; i < 64; i++)
        out[i] = i == 0 ? '-' : parts[i][i * 37 - 1];
    (void)eseal_http_alloc(req, 0);
    return eseal_http_reply(req, 200, "text/plain", out, strlen(out));
}

/* h_metrics answers with the adapter's request metrics. */
static eseal_rc h_metrics(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_buf out;
    eseal_buf_init(&out);
    eseal_http_metrics(req, &out);
    eseal_rc rc = eseal_http_reply(req, 200, "text/plain; version=0.0.4", out.data, out.len);
    eseal_buf_cleanup(&out);
    return rc;
}

#define P ESEAL_HTTP_PUBLIC
/* clang-format off */
static const struct eseal_http_route routes[] = {
    {"GET",  "/hello",                  P, 0,  h_hello},
    {"PUT",  "/hello",                  P, 0,  h_hello},
    {"GET",  "/items/{id}",             P, 0,  h_items},
    {"GET",  "/items/{id}/parts/{part}", P, 0, h_items},
    {"GET",  "/files/{rest*}",          P, 0,  h_items},
    {"GET",  "/",                       P, 0,  h_items},
    {"GET",  "/query",                  P, 0,  h_query},
    {"POST", "/echo",                   P, 0,  h_echo},
    {"POST", "/small",                  P, 16, h_echo},
    {"GET",  "/missing",                P, 0,  h_missing},
    {"GET",  "/bad-utf8",               P, 0,  h_bad_utf8},
    {"GET",  "/silent",                 P, 0,  h_silent},
    {"GET",  "/denied",                 P, 0,  h_denied},
    {"GET",  "/header",                 P, 0,  h_header},
    {"GET",  "/inject",                 P, 0,  h_inject},
    {"GET",  "/twice",                  P, 0,  h_twice},
    {"GET",  "/arena",                  P, 0,  h_arena},
    {"GET",  "/things/{id}",            "thing.read",  0,  h_guarded},
    {"POST", "/things/{id}",            "thing.write", 16, h_guarded},
    {"GET",  "/admin",                  "thing.admin", 0,  h_crash},
    {"GET",  "/metrics",                P, 0,  h_metrics},
};
/* clang-format on */

#define MAX_BODY (256 * 1024)

static struct app app;
static struct eseal_http *srv;
static uint16_t port;

/* start_with starts a server over |routes|; |header_timeout_s| 0 is the
 * default deadline. */
static struct eseal_http *start_with(bool access_log, bool log_text, unsigned header_timeout_s)
{
    struct eseal_http_config cfg = {
        .routes = routes,
        .n_routes = sizeof(routes) / sizeof(routes[0]),
        .app = &app,
        .max_body = MAX_BODY,
        .access_log = access_log,
        .log_text = log_text,
        .name = "eseal-test",
        .authorize = authorize,
        .auth_challenge = "Bearer realm=\"test\"",
        .header_timeout_s = header_timeout_s,
    };
    struct eseal_http *s = NULL;
    struct eseal_err err;
    if (eseal_http_start(&s, &cfg, &err) != ESEAL_OK) {
        fprintf(stderr, "start: %s\n", err.msg);
        return NULL;
    }
    port = eseal_http_port(s);
    return s;
}

static struct eseal_http *start(bool access_log)
{
    return start_with(access_log, false, 0);
}

static int start_server(void **state)
{
    srv = start(false);
    return srv != NULL && port != 0 ? 0 : -1;
}

static int stop_server(void **state)
{
    eseal_http_stop(srv);
    srv = NULL;
    return 0;
}

/* ---- a raw HTTP client ------------------------------------------------- */

struct resp {
    int status; /* 0 when the server closed without a status line */
    char *raw;  /* the whole response, NUL-terminated */
    size_t raw_len;
    const char *body;
    size_t body_len;
};

static int connect_loopback(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

static void send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return; /* the server may close early, e.g. after a 413 */
        p += n;
        len -= (size_t)n;
    }
}

static void parse_resp(struct resp *r)
{
    r->status = 0;
    r->body = NULL;
    r->body_len = 0;
    int status;
    if (sscanf(r->raw, "HTTP/1.%*d %3d", &status) == 1)
        r->status = status;
    const char *end = strstr(r->raw, "\r\n\r\n");
    if (end != NULL) {
        r->body = end + 4;
        r->body_len = r->raw_len - (size_t)(r->body - r->raw);
    }
}

/* exchange sends |len| raw bytes and reads until the server closes. */
static struct resp exchange(const void *request, size_t len)
{
    int fd = connect_loopback();
    send_all(fd, request, len);
    struct eseal_buf in;
    eseal_buf_init(&in);
    for (;;) {
        eseal_buf_reserve(&in, 4096);
        ssize_t n = recv(fd, in.data + in.len, in.cap - in.len - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) /* EOF, reset or timeout: what arrived is the answer */
            break;
        in.len += (size_t)n;
    }
    close(fd);
    struct resp r;
    r.raw = (char *)eseal_buf_steal(&in, &r.raw_len);
    r.raw[r.raw_len] = '\0';
    parse_resp(&r);
    return r;
}

static struct resp exchange_str(const char *request)
{
    return exchange(request, strlen(request));
}

static struct resp get(const char *method, const char *target)
{
    char *req = eseal_xasprintf("%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                                method, target);
    struct resp r = exchange_str(req);
    free(req);
    return r;
}

static struct resp post(const char *target, const void *body, size_t len)
{
    char *head = eseal_xasprintf("POST %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                                 "Content-Length: %zu\r\n\r\n",
                                 target, len);
    struct eseal_buf req;
    eseal_buf_init(&req);
    eseal_buf_append_str(&req, head);
    eseal_buf_append(&req, body, len);
    struct resp r = exchange(req.data, req.len);
    eseal_buf_cleanup(&req);
    free(head);
    return r;
}

/* resp_header returns the value of header |name| (newly allocated) or NULL. */
static char *resp_header(const struct resp *r, const char *name)
{
    size_t n = strlen(name);
    const char *end = r->body != NULL ? r->body : r->raw + r->raw_len;
    for (const char *line = strstr(r->raw, "\r\n"); line != NULL && line < end;
         line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2;
        if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
            const char *v = h + n + 1;
            while (*v == ' ')
                v++;
            return eseal_xstrndup(v, strcspn(v, "\r\n"));
        }
    }
    return NULL;
}

static void assert_header(const struct resp *r, const char *name, const char *value)
{
    char *v = resp_header(r, name);
    assert_non_null(v);
    assert_string_equal(v, value);
    free(v);
}

static json_t *resp_json(const struct resp *r)
{
    assert_header(r, "Content-Type", "application/json; charset=utf-8");
    json_t *j = eseal_json_load(r->body, r->body_len);
    assert_non_null(j);
    return j;
}

/* assert_error checks a JSON error reply: status, code and message. */
static void assert_error(const struct resp *r, int status, const char *code, const char *message)
{
    assert_int_equal(r->status, status);
    json_t *j = resp_json(r);
    const char *c = NULL, *m = NULL, *d = NULL;
    assert_int_equal(
        json_unpack(j, "{s:{s:s,s:s,s:s}}", "error", "code", &c, "message", &m, "description", &d),
        0);
    assert_string_equal(c, code);
    if (message != NULL)
        assert_string_equal(m, message);
    assert_true(strlen(d) > 0);
    json_decref(j);
}

static void resp_free(struct resp *r)
{
    free(r->raw);
}

/* ---- tests ------------------------------------------------------------- */

static void test_exact_route(void **state)
{
    struct resp r = get("GET", "/hello");
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 5);
    assert_memory_equal(r.body, "hello", 5);
    assert_header(&r, "Content-Type", "text/plain");
    assert_header(&r, "X-Content-Type-Options", "nosniff");
    assert_header(&r, "Server", "eseal-test");
    resp_free(&r);
}

/* get_param GETs |target| and returns the JSON of h_items, or NULL when
 * the answer is not a 200 (its status in *status). */
static json_t *get_param(const char *target, int *status)
{
    struct resp r = get("GET", target);
    *status = r.status;
    json_t *j = r.status == 200 ? resp_json(&r) : NULL;
    resp_free(&r);
    return j;
}

static void assert_param(const char *target, const char *name, const char *value)
{
    int status;
    json_t *j = get_param(target, &status);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(j, name)), value);
    assert_true(json_is_null(json_object_get(j, "nothing"))); /* no such parameter */
    json_decref(j);
}

static void assert_no_route(const char *target)
{
    struct resp r = get("GET", target);
    assert_error(&r, 404, "not_found", "no such resource");
    resp_free(&r);
}

static void test_path_params(void **state)
{
    assert_param("/items/abc", "id", "abc");
    assert_param("/items/abc", "path", "/items/abc");
    assert_param("/items/abc/parts/7", "id", "abc");
    assert_param("/items/abc/parts/7", "part", "7");
    /* Percent-encoding: decoded per segment, literals too. */
    assert_param("/items/d%20e", "id", "d e");
    assert_param("/items/d%20e", "path", "/items/d e");
    assert_param("/%69tems/x%3Fy/parts/%E4%B8%AD", "id", "x?y");
    assert_param("/%69tems/x%3Fy/parts/%E4%B8%AD", "part", "\xe4\xb8\xad");
    assert_param("/items/..a", "id", "..a");
    assert_param("/", "path", "/");
    /* A one-segment parameter is never empty, "." or "..", never holds a
     * slash, even an encoded one, and is at most ESEAL_HTTP_PARAM_MAX. */
    assert_no_route("/items/");
    assert_no_route("/items");
    assert_no_route("/items/abc/"); /* a trailing slash is another path */
    assert_no_route("/items//parts/7");
    assert_no_route("/items/abc/parts/");
    assert_no_route("/items/..");
    assert_no_route("/items/.");
    assert_no_route("/items/%2E%2E");
    assert_no_route("/items/a%2Fb");
    assert_no_route("/items/abc/parts/7/8");
    assert_no_route("/items/abc/%70arts%2F7");
    char target[ESEAL_HTTP_PARAM_MAX + 16];
    snprintf(target, sizeof(target), "/items/%0*d", ESEAL_HTTP_PARAM_MAX, 0);
    int status;
    json_t *j = get_param(target, &status);
    assert_int_equal(status, 200);
    assert_int_equal(strlen(json_string_value(json_object_get(j, "id"))), ESEAL_HTTP_PARAM_MAX);
    json_decref(j);
    snprintf(target, sizeof(target), "/items/%0*d", ESEAL_HTTP_PARAM_MAX + 1, 0);
    assert_no_route(target);
    /* A rest parameter takes the rest, slashes and empty segments included,
     * but no dot segments. */
    assert_param("/files/a/b%2Fc//d", "rest", "a/b/c//d");
    assert_param("/files/", "rest", "");
    assert_param("/files/x%20y", "rest", "x y");
    assert_no_route("/files");
    assert_no_route("/files/a/../b");
    assert_no_route("/files/a/%2e");
    /* A bad escape is a bad request, not a miss. */
    struct resp r = get("GET", "/items/%zz");
    assert_error(&r, 400, "invalid", NULL);
    resp_free(&r);
    /* Wrong method on a parameter path: 405 with what the path has. */
    r = get("PUT", "/items/abc");
    assert_int_equal(r.status, 405);
    assert_header(&r, "Allow", "GET, HEAD");
    resp_free(&r);
    r = get("PUT", "/things/abc");
    assert_int_equal(r.status, 405);
    assert_header(&r, "Allow", "GET, HEAD, POST");
    resp_free(&r);
}

/* test_authorize_before_handler: a route's permission is checked before
 * its handler runs, and before its body is read. */
static void test_authorize_before_handler(void **state)
{
    int before = atomic_load(&app.guarded_calls);
    struct resp r = get("GET", "/things/1");
    assert_error(&r, 401, "unauthenticated", "log in first");
    assert_header(&r, "WWW-Authenticate", "Bearer realm=\"test\"");
    resp_free(&r);
    r = exchange_str("GET /things/1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                     "Authorization: Bearer nobody\r\n\r\n");
    assert_error(&r, 401, "unauthenticated", "unknown token");
    resp_free(&r);
    /* The hook may answer itself; the challenge is still added. */
    r = exchange_str("GET /things/1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                     "Authorization: Bearer custom\r\n\r\n");
    assert_int_equal(r.status, 401);
    assert_int_equal(r.body_len, 4);
    assert_memory_equal(r.body, "who?", 4);
    assert_header(&r, "WWW-Authenticate", "Bearer realm=\"test\"");
    resp_free(&r);
    /* A reader may read but not write: 403, no challenge. */
    r = exchange_str("POST /things/1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                     "Authorization: Bearer reader\r\nContent-Length: 2\r\n\r\nhi");
    assert_error(&r, 403, "denied", "reader may not thing.write");
    assert_null(resp_header(&r, "WWW-Authenticate"));
    resp_free(&r);
    /* The answer comes before the body: this client never sends it. */
    r = exchange_str("POST /things/1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                     "Content-Length: 10\r\n\r\n");
    assert_int_equal(r.status, 401);
    resp_free(&r);
    /* Nobody holds thing.admin: its handler, which aborts, never runs. */
    r = exchange_str("GET /admin HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                     "Authorization: Bearer writer\r\n\r\n");
    assert_error(&r, 403, "denied", NULL);
    resp_free(&r);
    r = get("HEAD", "/admin");
    assert_int_equal(r.status, 401);
    resp_free(&r);
    assert_int_equal(atomic_load(&app.guarded_calls), before);
    /* Allowed: the handler runs once and sees who the hook named. */
    r = exchange_str("POST /things/1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                     "Authorization: Bearer writer\r\nContent-Length: 2\r\n\r\nhi");
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body, "writer", 6);
    resp_free(&r);
    assert_int_equal(atomic_load(&app.guarded_calls), before + 1);
}

/* test_bad_route_tables: a table that cannot work fails at start. */
static void test_bad_route_tables(void **state)
{
    static const char *const bad[] = {
        "items",  "/items/", "/a//b",
        "/{}",    "/{a-b}",  "/{r*}/x",
        "/a/%41", "/a{id}",  "/{a}/{b}/{c}/{d}/{e}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct eseal_http_route r = {"GET", bad[i], P, 0, h_hello};
        struct eseal_http_config cfg = {.routes = &r, .n_routes = 1};
        struct eseal_http *s = NULL;
        struct eseal_err err;
        assert_int_equal(eseal_http_start(&s, &cfg, &err), ESEAL_E_INVALID);
        assert_null(s);
    }
    struct eseal_http_route r = {"GET", "/x", "thing.read", 0, h_hello};
    struct eseal_http_config cfg = {.routes = &r, .n_routes = 1};
    struct eseal_http *s = NULL;
    struct eseal_err err;
    assert_int_equal(eseal_http_start(&s, &cfg, &err), ESEAL_E_INVALID); /* nothing checks it */
    assert_non_null(strstr(err.msg, "thing.read"));
    r.perm = NULL;
    cfg.authorize = authorize;
    assert_int_equal(eseal_http_start(&s, &cfg, &err), ESEAL_E_INVALID); /* no permission */
}

/* test_routes_print: the Markdown table docs/api.md carries. */
static void test_routes_print(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    eseal_http_routes_print(f, routes + 7, 3, 99);
    fclose(f);
    assert_string_equal(buf, "| method | path | permission | body limit (bytes) |\n"
                             "|---|---|---|---|\n"
                             "| POST | `/echo` | public | 99 |\n"
                             "| POST | `/small` | public | 16 |\n"
                             "| GET | `/missing` | public | 99 |\n");
    free(buf);
}

static void test_query_and_headers(void **state)
{
    struct resp r =
        exchange_str("GET /query?name=a%20b+c&x=%E4%B8%AD&flag HTTP/1.1\r\n"
                     "Host: localhost\r\nX-TEST-Header: v1\r\nConnection: close\r\n\r\n");
    assert_int_equal(r.status, 200);
    json_t *j = resp_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "a b c");
    assert_string_equal(json_string_value(json_object_get(j, "x")), "\xe4\xb8\xad");
    assert_string_equal(json_string_value(json_object_get(j, "flag")), "");
    assert_null(json_string_value(json_object_get(j, "NAME"))); /* names are exact */
    assert_string_equal(json_string_value(json_object_get(j, "header")), "v1");
    assert_string_equal(json_string_value(json_object_get(j, "client")), "127.0.0.1");
    assert_string_equal(json_string_value(json_object_get(j, "method")), "GET");
    json_decref(j);
    resp_free(&r);

    r = get("GET", "/query");
    assert_int_equal(r.status, 200);
    j = resp_json(&r);
    assert_true(json_is_null(json_object_get(j, "name")));
    assert_true(json_is_null(json_object_get(j, "header")));
    json_decref(j);
    resp_free(&r);
}

static void test_handler_error(void **state)
{
    struct resp r = get("GET", "/missing");
    assert_error(&r, 404, "not_found", "seal 42 does not exist");
    assert_header(&r, "X-Content-Type-Options", "nosniff");
    resp_free(&r);

    r = get("GET", "/bad-utf8");
    assert_error(&r, 400, "invalid", "bad \xef\xbf\xbd byte");
    resp_free(&r);

    /* Headers set before failing go out with the error reply. */
    r = get("GET", "/denied");
    assert_error(&r, 403, "denied", "token expired");
    assert_header(&r, "WWW-Authenticate", "Bearer");
    resp_free(&r);

    r = get("GET", "/silent");
    assert_error(&r, 500, "internal", NULL);
    resp_free(&r);
}

static void test_unknown_path(void **state)
{
    struct resp r = get("GET", "/nowhere");
    assert_error(&r, 404, "not_found", NULL);
    resp_free(&r);
}

static void test_wrong_method(void **state)
{
    struct resp r = get("DELETE", "/hello");
    assert_int_equal(r.status, 405);
    assert_header(&r, "Allow", "GET, HEAD, PUT");
    assert_error(&r, 405, "invalid", NULL);
    resp_free(&r);

    r = post("/query", "x", 1);
    assert_int_equal(r.status, 405);
    assert_header(&r, "Allow", "GET, HEAD");
    resp_free(&r);
}

static void test_head(void **state)
{
    struct resp r = get("HEAD", "/hello");
    assert_int_equal(r.status, 200);
    assert_header(&r, "Content-Length", "5");
    assert_non_null(r.body);
    assert_int_equal(r.body_len, 0);
    resp_free(&r);
}

static void test_echo_binary(void **state)
{
    const uint8_t small[] = {'a', 0, 'b', 0, 0, 'c', 0xff};
    struct resp r = post("/echo", small, sizeof(small));
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, sizeof(small));
    assert_memory_equal(r.body, small, sizeof(small));
    resp_free(&r);

    /* Large enough to arrive in several pieces. */
    size_t len = MAX_BODY;
    uint8_t *big = eseal_xmalloc(len);
    for (size_t i = 0; i < len; i++)
        big[i] = (uint8_t)(i * 7 % 251);
    r = post("/echo", big, len);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, len);
    assert_memory_equal(r.body, big, len);
    resp_free(&r);
    free(big);

    r = post("/echo", "", 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 0);
    resp_free(&r);
}

static void test_too_big(void **state)
{
    /* Declared too big: refused before any body is sent. */
    struct resp r = exchange_str("POST /echo HTTP/1.1\r\nHost: localhost\r\n"
                                 "Content-Length: 100000000\r\nExpect: 100-continue\r\n\r\n");
    assert_error(&r, 413, "too_big", NULL);
    assert_header(&r, "Connection", "close");
    resp_free(&r);

    r = exchange_str("POST /echo HTTP/1.1\r\nHost: localhost\r\n"
                     "Content-Length: 99999999999999999999999999\r\n\r\n");
    assert_true(r.status == 413 || r.status == 400);
    resp_free(&r);

    /* A route's own smaller limit. */
    r = post("/small", "0123456789abcdefX", 17);
    assert_error(&r, 413, "too_big", "the request body exceeds the limit of 16 bytes");
    resp_free(&r);
    r = post("/small", "0123456789abcdef", 16);
    assert_int_equal(r.status, 200);
    resp_free(&r);

    /* Chunked: the size shows only while the body streams in. */
    r = exchange_str("POST /small HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n"
                     "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n");
    assert_error(&r, 413, "too_big", NULL);
    resp_free(&r);
    r = exchange_str("POST /small HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n"
                     "5\r\n01234\r\n3\r\n567\r\n0\r\n\r\n");
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 8);
    assert_memory_equal(r.body, "01234567", 8);
    resp_free(&r);

    /* A chunked flood far past the limit loses its connection (or gets its
     * 413) and the server carries on. */
    struct eseal_buf flood;
    eseal_buf_init(&flood);
    eseal_buf_append_str(&flood, "POST /small HTTP/1.1\r\nHost: localhost\r\n"
                                 "Transfer-Encoding: chunked\r\n\r\n");
    char *chunk = eseal_xmalloc(0x10000);
    memset(chunk, 'z', 0x10000);
    for (int i = 0; i < 48; i++) {
        eseal_buf_append_str(&flood, "10000\r\n");
        eseal_buf_append(&flood, chunk, 0x10000);
        eseal_buf_append_str(&flood, "\r\n");
    }
    eseal_buf_append_str(&flood, "0\r\n\r\n");
    r = exchange(flood.data, flood.len);
    assert_true(r.status == 0 || r.status == 413);
    resp_free(&r);
    free(chunk);
    eseal_buf_cleanup(&flood);
    r = get("GET", "/hello");
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

static void test_arena(void **state)
{
    struct resp r = get("GET", "/arena");
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 64);
    assert_int_equal(r.body[0], '-');
    assert_int_equal(r.body[1], 'b');
    assert_int_equal(r.body[63], 'a' + 63 % 26);
    resp_free(&r);
}

static void test_reply_headers(void **state)
{
    struct resp r = get("GET", "/header");
    assert_int_equal(r.status, 200);
    assert_header(&r, "X-Seal-Id", "seal-0001");
    assert_header(&r, "Cache-Control", "no-store");
    resp_free(&r);

    /* A header that would inject another one fails the reply instead. */
    r = get("GET", "/inject");
    assert_error(&r, 500, "internal", "reply refused");
    char *cookie = resp_header(&r, "Set-Cookie");
    assert_null(cookie);
    char *bad = resp_header(&r, "X-Bad");
    assert_null(bad);
    resp_free(&r);
}

static void test_second_reply(void **state)
{
    atomic_store(&app.second_reply_rc, -1);
    struct resp r = get("GET", "/twice");
    assert_int_equal(r.status, 201);
    assert_int_equal(r.body_len, 5);
    assert_memory_equal(r.body, "first", 5);
    assert_int_equal(atomic_load(&app.second_reply_rc), ESEAL_E_INTERNAL);
    resp_free(&r);
}

#define CLIENTS 8
#define REQUESTS 20

static void *client_thread(void *arg)
{
    atomic_int *ok = arg;
    for (int i = 0; i < REQUESTS; i++) {
        char body[64];
        int n = snprintf(body, sizeof(body), "thread %p request %d", (void *)&body, i);
        struct resp r = post("/echo", body, (size_t)n);
        if (r.status == 200 && r.body_len == (size_t)n && memcmp(r.body, body, (size_t)n) == 0)
            atomic_fetch_add(ok, 1);
        resp_free(&r);
    }
    return NULL;
}

static void test_concurrent_clients(void **state)
{
    atomic_int ok;
    atomic_init(&ok, 0);
    pthread_t t[CLIENTS];
    for (int i = 0; i < CLIENTS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, client_thread, &ok), 0);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&ok), CLIENTS * REQUESTS);
}

static void test_port_in_use(void **state)
{
    struct eseal_http_config cfg = {.routes = routes, .n_routes = 1, .port = port};
    struct eseal_http *other = NULL;
    struct eseal_err err;
    assert_int_equal(eseal_http_start(&other, &cfg, &err), ESEAL_E_IO);
    assert_null(other);
    char p[16];
    snprintf(p, sizeof(p), "%u", (unsigned)port);
    assert_non_null(strstr(err.msg, "127.0.0.1"));
    assert_non_null(strstr(err.msg, p));

    cfg.address = "not-an-address";
    cfg.port = 0;
    assert_int_equal(eseal_http_start(&other, &cfg, &err), ESEAL_E_INVALID);
    assert_null(other);
    eseal_http_stop(NULL);
}

/* An IPv6 literal binds (dual stack) and the client shows as IPv6. */
static void test_ipv6(void **state)
{
    struct eseal_http_config cfg = {.address = "::1",
                                    .routes = routes,
                                    .n_routes = sizeof(routes) / sizeof(routes[0]),
                                    .authorize = authorize};
    struct eseal_http *v6 = NULL;
    struct eseal_err err;
    if (eseal_http_start(&v6, &cfg, &err) != ESEAL_OK)
        skip(); /* no IPv6 loopback here */
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(eseal_http_port(v6))};
    sa.sin6_addr = in6addr_loopback;
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    const char *req = "GET /query HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    send_all(fd, req, strlen(req));
    char buf[4096];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof(buf) - 1 && (n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    close(fd);
    eseal_http_stop(v6);
    assert_non_null(strstr(buf, "HTTP/1.1 200 "));
    assert_non_null(strstr(buf, "\"client\":\"::1\""));
}

static void test_malformed(void **state)
{
    /* Broken requests: refused with 4xx (505 for the version) or closed. */
    static const struct {
        const char *req;
        size_t len;
    } bad[] = {
#define RAW(s) {s, sizeof(s) - 1}
        RAW("GARBAGE\r\n\r\n"),
        RAW("GET\r\n\r\n"),
        RAW("GET /hello HTTP/9.9\r\nHost: x\r\n\r\n"),
        RAW("GET /hello HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"),
        RAW("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"),
        RAW("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        /* A raw NUL ends the target early for MHD: "/hel" is unknown. */
        RAW("GET /hel\0lo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
#undef RAW
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct resp r = exchange(bad[i].req, bad[i].len);
        if (r.status != 0 && (r.status < 400 || r.status > 505 || r.status == 500))
            fail_msg("request %zu got status %d", i, r.status);
        resp_free(&r);
    }

    /* RFC 9112 §3.2: HTTP/1.1 needs exactly one Host, and a valid one
     * (HTTP/1.0 may go without). */
    static const char *const hosts[] = {
        "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n",
        "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
        "GET /hello HTTP/1.1\r\nHost: a b/c\r\nConnection: close\r\n\r\n",
        "GET /hello HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        struct resp r = exchange_str(hosts[i]);
        assert_error(&r, 400, "invalid", NULL);
        resp_free(&r);
    }
    struct resp h = exchange_str("GET /hello HTTP/1.0\r\n\r\n");
    assert_int_equal(h.status, 200);
    resp_free(&h);
    h = exchange_str("GET /hello HTTP/1.1\r\nHost: [::1]:8441\r\nConnection: close\r\n\r\n");
    assert_int_equal(h.status, 200);
    resp_free(&h);

    /* Escapes that do not decode, or decode to NUL, are refused by us. */
    static const char *const targets[] = {"/hello%00", "/hel%zzlo",       "/hello%4",
                                          "/hello%",   "/query?name=%00", "/query?na%00me=x"};
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        struct resp r = get("GET", targets[i]);
        assert_error(&r, 400, "invalid", NULL);
        resp_free(&r);
    }

    /* Headers past the connection memory limit. */
    struct eseal_buf big;
    eseal_buf_init(&big);
    eseal_buf_append_str(&big, "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: ");
    for (int i = 0; i < 100000; i++)
        eseal_buf_append_str(&big, "a");
    eseal_buf_append_str(&big, "\r\nConnection: close\r\n\r\n");
    struct resp r = exchange(big.data, big.len);
    assert_true(r.status == 0 || (r.status >= 400 && r.status < 500));
    resp_free(&r);
    eseal_buf_cleanup(&big);

    /* The server keeps serving. */
    r = get("GET", "/hello");
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

/* closed_unanswered waits (up to the socket's 10 s receive timeout) for the
 * server to end the connection: true when it did without a byte. */
static bool closed_unanswered(int fd)
{
    char buf[256];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) < 0 && errno == EINTR)
        ;
    return n == 0;
}

/* A connection whose request line and headers are not in by the header
 * deadline is shut down without a reply and counted as refused once, long
 * before the idle timeout (30 s; the client waits 10 s at most): one stalled
 * in its headers, one in its request line, one that never sent a byte. The
 * server goes on serving. */
static void test_header_deadline(void **state)
{
    struct eseal_http *watched = start_with(false, false, 1);
    assert_non_null(watched);
    unsigned long long before = eseal_http_malformed(watched);
    int stalled = connect_loopback();
    int silent = connect_loopback();
    int half_line = connect_loopback();
    static const char partial[] = "GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    send_all(stalled, partial, sizeof(partial) - 1);
    send_all(half_line, "GET /hel", 8);
    assert_true(closed_unanswered(stalled));
    assert_true(closed_unanswered(silent));
    assert_true(closed_unanswered(half_line));
    close(stalled);
    close(silent);
    close(half_line);
    assert_int_equal(eseal_http_malformed(watched), before + 3);
    struct resp r = get("GET", "/hello");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    eseal_http_stop(watched);
    port = eseal_http_port(srv);
}

/* logged_request runs |target| on a server started with the access log in
 * the given format and returns what it logged (until a line holding
 * |until| appeared) and in *resp_raw the whole response. */
static char *logged_request(bool log_text, const char *target, const char *until, char **resp_raw)
{
    struct eseal_http *logged = start_with(true, log_text, 0);
    assert_non_null(logged);
    char *dir = tu_tmpdir();
    char *path = eseal_path_join(dir, "log");
    FILE *f = fopen(path, "w+");
    assert_non_null(f);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);

    struct resp r = get("GET", target);
    assert_int_equal(r.status, 200);
    *resp_raw = eseal_xstrdup(r.raw);
    resp_free(&r);

    /* The line is written when MHD completes the request, which may be just
     * after the client sees the end of the reply. */
    struct eseal_buf log;
    eseal_buf_init(&log);
    for (int i = 0; i < 200; i++) {
        assert_int_equal(eseal_file_read(&log, path, 1 << 20, NULL), ESEAL_OK);
        if (log.data != NULL && strstr((char *)log.data, until) != NULL)
            break;
        usleep(10000);
    }
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    fclose(f);
    assert_non_null(log.data);
    eseal_http_stop(logged);
    port = eseal_http_port(srv);
    tu_rmtree(dir);
    free(path);
    free(dir);
    size_t len;
    char *text = (char *)eseal_buf_steal(&log, &len);
    text[len] = '\0';
    return text;
}

/* response_header returns a copy of header |name|'s value in |raw|, or NULL. */
static char *response_header(const char *raw, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(raw, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
            const char *v = p + 2 + n + 1 + strspn(p + 2 + n + 1, " ");
            return eseal_xstrndup(v, strcspn(v, "\r\n"));
        }
    }
    return NULL;
}

/* The text access log names the path but never the query, which may carry
 * tokens. */
static void test_access_log(void **state)
{
    char *raw;
    char *log = logged_request(true, "/query?name=secret-token-value", " /query ", &raw);
    assert_non_null(strstr(log, "eseal-test 127.0.0.1 GET /query 200 "));
    assert_null(strstr(log, "secret-token-value"));
    free(log);
    free(raw);
}

/* The JSON access log is one object per line with the request id the reply
 * carried, the route's pattern (not the path: no identifier or query), the
 * status and the duration. */
static void test_access_log_json(void **state)
{
    char *raw;
    char *log =
        logged_request(false, "/items/secret-id?name=secret-token-value", "\"/items/{id}\"", &raw);
    char *id = response_header(raw, "X-Request-Id");
    assert_non_null(id);
    json_t *line = NULL;
    for (char *p = log, *nl; *p != '\0'; p = nl + 1) {
        nl = strchr(p, '\n');
        assert_non_null(nl); /* every line is complete */
        json_t *j = json_loadb(p, (size_t)(nl - p), 0, NULL);
        assert_non_null(j); /* and JSON */
        if (json_object_get(j, "route") != NULL &&
            strcmp(json_string_value(json_object_get(j, "route")), "/items/{id}") == 0)
            line = json_incref(j);
        json_decref(j);
    }
    assert_non_null(line);
    assert_string_equal(json_string_value(json_object_get(line, "requestId")), id);
    assert_string_equal(json_string_value(json_object_get(line, "component")), "eseal-test");
    assert_string_equal(json_string_value(json_object_get(line, "level")), "info");
    assert_string_equal(json_string_value(json_object_get(line, "method")), "GET");
    assert_int_equal(json_integer_value(json_object_get(line, "status")), 200);
    assert_true(json_is_real(json_object_get(line, "durationMs")));
    assert_true(json_is_string(json_object_get(line, "time")));
    assert_null(strstr(log, "secret"));
    json_decref(line);
    free(id);
    free(log);
    free(raw);
}

/* Every reply carries X-Request-Id: a sane one the caller sent, else a new
 * random one. */
static void test_request_id(void **state)
{
    struct resp r = get("GET", "/hello");
    char *a = response_header(r.raw, "X-Request-Id");
    resp_free(&r);
    r = get("GET", "/missing");
    char *b = response_header(r.raw, "X-Request-Id");
    resp_free(&r);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "0123456789abcdef"), 32);
    assert_string_not_equal(a, b);
    r = exchange_str("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     "X-Request-Id: edge-1.2_3:4\r\n\r\n");
    char *c = response_header(r.raw, "X-Request-Id");
    resp_free(&r);
    assert_string_equal(c, "edge-1.2_3:4");
    r = exchange_str("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     "X-Request-Id: bad\"id<script>\r\n\r\n");
    char *d = response_header(r.raw, "X-Request-Id");
    resp_free(&r);
    assert_int_equal(strlen(d), 32);
    free(a);
    free(b);
    free(c);
    free(d);
}

/* metric_value finds the sample line |series| (name and labels exactly) in
 * a /metrics body: its value, or -1 when absent. */
static double metric_value(const char *body, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = body; p != NULL && *p != '\0';) {
        if (strncmp(p, series, n) == 0 && p[n] == ' ')
            return strtod(p + n + 1, NULL);
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    return -1;
}

static char *scrape(void)
{
    struct resp r = get("GET", "/metrics");
    assert_int_equal(r.status, 200);
    char *body = eseal_xstrndup(r.body, r.body_len);
    resp_free(&r);
    return body;
}

/* GET /metrics counts requests by route pattern and status, and times them
 * in a histogram whose buckets add up. */
static void test_metrics(void **state)
{
    char *before = scrape();
    struct resp r = get("GET", "/hello");
    resp_free(&r);
    r = get("GET", "/hello");
    resp_free(&r);
    r = get("GET", "/items/7");
    resp_free(&r);
    r = get("GET", "/no/such/route");
    resp_free(&r);
    r = get("GET", "/missing");
    resp_free(&r);
    usleep(100000); /* counted on completion, just after the reply */
    char *after = scrape();
    static const char hello[] = "eseal_http_requests_total{route=\"/hello\",method=\"GET\","
                                "status=\"200\"}";
    double h0 = metric_value(before, hello);
    assert_true(metric_value(after, hello) == (h0 < 0 ? 0 : h0) + 2);
    assert_true(metric_value(after, "eseal_http_requests_total{route=\"/items/{id}\","
                                    "method=\"GET\",status=\"200\"}") >= 1);
    assert_true(metric_value(after, "eseal_http_requests_total{route=\"unmatched\","
                                    "method=\"\",status=\"404\"}") >= 1);
    assert_true(metric_value(after, "eseal_http_requests_total{route=\"/missing\","
                                    "method=\"GET\",status=\"404\"}") >= 1);
    double count = metric_value(after, "eseal_http_request_duration_seconds_count{route=\"/hello\","
                                       "method=\"GET\"}");
    double inf = metric_value(after, "eseal_http_request_duration_seconds_bucket{route=\"/hello\","
                                     "method=\"GET\",le=\"+Inf\"}");
    double le10 = metric_value(after, "eseal_http_request_duration_seconds_bucket{route=\"/hello\","
                                      "method=\"GET\",le=\"10\"}");
    assert_true(count >= 2);
    assert_true(inf == count);
    assert_true(le10 <= inf && le10 >= 2);
    assert_true(metric_value(after, "eseal_http_requests_in_flight") >= 1);
    assert_non_null(strstr(after, "# TYPE eseal_http_request_duration_seconds histogram\n"));
    assert_non_null(strstr(after, "# TYPE eseal_http_requests_total counter\n"));
    free(before);
    free(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_route),
        cmocka_unit_test(test_path_params),
        cmocka_unit_test(test_authorize_before_handler),
        cmocka_unit_test(test_bad_route_tables),
        cmocka_unit_test(test_routes_print),
        cmocka_unit_test(test_query_and_headers),
        cmocka_unit_test(test_handler_error),
        cmocka_unit_test(test_unknown_path),
        cmocka_unit_test(test_wrong_method),
        cmocka_unit_test(test_head),
        cmocka_unit_test(test_echo_binary),
        cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_reply_headers),
        cmocka_unit_test(test_second_reply),
        cmocka_unit_test(test_concurrent_clients),
        cmocka_unit_test(test_port_in_use),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_header_deadline),
        cmocka_unit_test(test_access_log),
        cmocka_unit_test(test_access_log_json),
        cmocka_unit_test(test_request_id),
        cmocka_unit_test(test_metrics),
    };
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
