/* test_httpc.c — the HTTP client against our own server (http.c) on a free
 * port, and against a scripted raw-socket server for what ours never sends:
 * chunked bodies, interim responses, bodies read to close, malformed and
 * truncated replies, silence. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "eseal/http.h"
#include "eseal/httpc.h"
#include "eseal/json.h"
#include "testutil.h"

/* ---- our server ------------------------------------------------------------ */

static eseal_rc h_hello(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return eseal_http_reply(req, 200, "text/plain", "hello", 5);
}

static eseal_rc h_big(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    size_t n = 3 * 1024 * 1024 + 17;
    char *b = eseal_http_alloc(req, n);
    for (size_t i = 0; i < n; i++)
        b[i] = (char)('a' + i % 26);
    return eseal_http_reply(req, 200, "application/octet-stream", b, n);
}

static eseal_rc h_echo_query(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *q = eseal_http_query(req, "q");
    const char *host = eseal_http_header(req, "Host");
    return eseal_http_reply_json(
        req, 200, json_pack("{s:s?,s:s?,s:s}", "q", q, "host", host, "path", eseal_http_path(req)));
}

static eseal_rc h_missing(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    return eseal_err_set(err, ESEAL_E_NOTFOUND, "nothing here");
}

static const struct eseal_http_route routes[] = {
    {"GET", "/hello", ESEAL_HTTP_PUBLIC, 0, h_hello},
    {"GET", "/big", ESEAL_HTTP_PUBLIC, 0, h_big},
    {"GET", "/q", ESEAL_HTTP_PUBLIC, 0, h_echo_query},
    {"GET", "/missing", ESEAL_HTTP_PUBLIC, 0, h_missing},
};

static void test_against_our_server(void **state)
{
    struct eseal_http_config cfg = {.routes = routes, .n_routes = 4};
    struct eseal_http *srv = NULL;
    assert_int_equal(eseal_http_start(&srv, &cfg, NULL), ESEAL_OK);
    unsigned port = eseal_http_port(srv);
    char url[128];
    unsigned status;
    struct eseal_buf body;
    eseal_buf_init(&body);
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/hello", port);
    assert_int_equal(eseal_httpc_get(url, NULL, &status, &body, NULL), ESEAL_OK);
    assert_int_equal(status, 200);
    assert_int_equal(body.len, 5);
    assert_string_equal((const char *)body.data, "hello");
    /* localhost by name, and a query with escapes. */
    snprintf(url, sizeof(url), "http://localhost:%u/q?q=a%%20b", port);
    assert_int_equal(eseal_httpc_get(url, NULL, &status, &body, NULL), ESEAL_OK);
    json_t *j = eseal_json_load(body.data, body.len);
    assert_string_equal(json_string_value(json_object_get(j, "q")), "a b");
    char host[64];
    snprintf(host, sizeof(host), "localhost:%u", port);
    assert_string_equal(json_string_value(json_object_get(j, "host")), host);
    json_decref(j);
    /* A query straight after the authority gets a "/" path. */
    snprintf(url, sizeof(url), "http://127.0.0.1:%u?q=1", port);
    assert_int_equal(eseal_httpc_get(url, NULL, &status, &body, NULL), ESEAL_OK);
    assert_int_equal(status, 404);
    /* Error statuses come back as statuses, with their bodies. */
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/missing", port);
    assert_int_equal(eseal_httpc_get(url, NULL, &status, &body, NULL), ESEAL_OK);
    assert_int_equal(status, 404);
    assert_non_null(strstr((const char *)body.data, "nothing here"));
    /* A large body, and the same over a smaller limit. */
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/big", port);
    assert_int_equal(eseal_httpc_get(url, NULL, &status, &body, NULL), ESEAL_OK);
    assert_int_equal(body.len, 3 * 1024 * 1024 + 17);
    assert_int_equal(body.data[body.len - 1], 'a' + (body.len - 1) % 26);
    struct eseal_httpc_opts small = {0, 1024 * 1024};
    struct eseal_err err;
    assert_int_equal(eseal_httpc_get(url, &small, &status, &body, &err), ESEAL_E_TOOBIG);
    assert_int_equal(body.len, 0);
    eseal_http_stop(srv);
    /* Nobody listening any more. */
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/hello", port);
    assert_int_equal(eseal_httpc_get(url, NULL, &status, &body, &err), ESEAL_E_UNAVAILABLE);
    eseal_buf_cleanup(&body);
}

/* ---- methods, bodies and headers ------------------------------------------ */

static eseal_rc h_echo(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    size_t len;
    const uint8_t *b = eseal_http_body(req, &len);
    return eseal_http_reply_json(
        req, 200,
        json_pack("{s:s,s:s?,s:s?,s:s?,s:s?,s:s%}", "method", eseal_http_method(req),
                  "content_type", eseal_http_header(req, "Content-Type"), "auth",
                  eseal_http_header(req, "Authorization"), "extra",
                  eseal_http_header(req, "X-Extra"), "length",
                  eseal_http_header(req, "Content-Length"), "body", (const char *)b, len));
}

static const struct eseal_http_route echo_routes[] = {
    {"POST", "/echo", ESEAL_HTTP_PUBLIC, 0, h_echo},
    {"PUT", "/echo", ESEAL_HTTP_PUBLIC, 0, h_echo},
    {"DELETE", "/echo", ESEAL_HTTP_PUBLIC, 0, h_echo},
    {"POST", "/small", ESEAL_HTTP_PUBLIC, 16, h_echo},
};

/* echo sends |r| to the echo server and returns the reply as JSON. */
static json_t *echo(struct eseal_httpc_request *r, unsigned port, const char *path,
                    unsigned *status)
{
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
    r->url = url;
    struct eseal_buf body;
    eseal_buf_init(&body);
    struct eseal_err err;
    eseal_rc rc = eseal_httpc_request(r, NULL, status, &body, &err);
    if (rc != ESEAL_OK)
        fail_msg("%s %s: %s", r->method, path, err.msg);
    json_t *j = NULL;
    if (eseal_json_parse(&j, body.data, body.len, &(struct eseal_json_limits){.allow_nul = true},
                         NULL) != ESEAL_OK)
        j = NULL;
    if (j == NULL)
        fail_msg("%s %s: %u %s", r->method, path, *status, (const char *)body.data);
    eseal_buf_cleanup(&body);
    return j;
}

#define JSTR(j, k) json_string_value(json_object_get(j, k))

static void test_methods_bodies_headers(void **state)
{
    struct eseal_http_config cfg = {.routes = echo_routes, .n_routes = 4};
    struct eseal_http *srv = NULL;
    assert_int_equal(eseal_http_start(&srv, &cfg, NULL), ESEAL_OK);
    unsigned port = eseal_http_port(srv), status;
    /* POST with a JSON body, a content type and two extra headers. */
    const char *hdrs[] = {"Authorization: Bearer abc.def", "X-Extra:  spaced value"};
    struct eseal_httpc_request r = {.method = "POST",
                                    .content_type = "application/json",
                                    .body = "{\"a\":1}",
                                    .body_len = 7,
                                    .headers = hdrs,
                                    .n_headers = 2};
    json_t *j = echo(&r, port, "/echo", &status);
    assert_int_equal(status, 200);
    assert_string_equal(JSTR(j, "method"), "POST");
    assert_string_equal(JSTR(j, "content_type"), "application/json");
    assert_string_equal(JSTR(j, "auth"), "Bearer abc.def");
    assert_string_equal(JSTR(j, "extra"), "spaced value");
    assert_string_equal(JSTR(j, "body"), "{\"a\":1}");
    json_decref(j);
    /* A body with NUL bytes arrives whole. */
    static const char bin[] = {'a', 0, 'b', 0, 'c'};
    r = (struct eseal_httpc_request){.method = "PUT", .body = bin, .body_len = sizeof(bin)};
    j = echo(&r, port, "/echo", &status);
    assert_string_equal(JSTR(j, "method"), "PUT");
    assert_int_equal(json_string_length(json_object_get(j, "body")), 5);
    assert_null(JSTR(j, "content_type"));
    json_decref(j);
    /* POST without a body says Content-Length: 0; DELETE sends no length. */
    r = (struct eseal_httpc_request){.method = "POST"};
    j = echo(&r, port, "/echo", &status);
    assert_string_equal(JSTR(j, "length"), "0");
    assert_string_equal(JSTR(j, "body"), "");
    json_decref(j);
    r = (struct eseal_httpc_request){.method = "DELETE", .headers = hdrs, .n_headers = 1};
    j = echo(&r, port, "/echo", &status);
    assert_string_equal(JSTR(j, "method"), "DELETE");
    assert_null(JSTR(j, "length"));
    json_decref(j);
    /* A method the route does not have: 405, a status like any other. */
    r = (struct eseal_httpc_request){.method = "PATCH"};
    struct eseal_buf body;
    eseal_buf_init(&body);
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/echo", port);
    r.url = url;
    assert_int_equal(eseal_httpc_request(&r, NULL, &status, &body, NULL), ESEAL_OK);
    assert_int_equal(status, 405);
    /* A body over the route's limit: the server's 413 comes back, even if
     * it closes before the whole body is sent. */
    size_t big_len = 8 * 1024 * 1024;
    char *big = calloc(1, big_len);
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/small", port);
    r = (struct eseal_httpc_request){
        .method = "POST", .url = url, .body = big, .body_len = big_len};
    assert_int_equal(eseal_httpc_request(&r, NULL, &status, &body, NULL), ESEAL_OK);
    assert_int_equal(status, 413);
    free(big);
    eseal_buf_cleanup(&body);
    eseal_http_stop(srv);
}

static void test_request_refusals(void **state)
{
    static const char *const bad_headers[] = {
        "X-Evil: a\r\nHost: other",
        "NoColon",
        ": empty name",
        "Bad Name: x",
        "Content-Length: 3",
        "host: x",
        "Transfer-Encoding: chunked",
        "connection: keep-alive",
    };
    unsigned status;
    struct eseal_buf body;
    eseal_buf_init(&body);
    for (size_t i = 0; i < sizeof(bad_headers) / sizeof(bad_headers[0]); i++) {
        struct eseal_httpc_request r = {.method = "POST",
                                        .url = "http://127.0.0.1:1/",
                                        .headers = &bad_headers[i],
                                        .n_headers = 1};
        struct eseal_err err;
        if (eseal_httpc_request(&r, NULL, &status, &body, &err) != ESEAL_E_INVALID)
            fail_msg("header \"%s\" accepted", bad_headers[i]);
    }
    static const char *const bad_methods[] = {"", "GE T", "POST\r\n", "G(ET"};
    for (size_t i = 0; i < sizeof(bad_methods) / sizeof(bad_methods[0]); i++) {
        struct eseal_httpc_request r = {.method = bad_methods[i], .url = "http://127.0.0.1:1/"};
        assert_int_equal(eseal_httpc_request(&r, NULL, &status, &body, NULL), ESEAL_E_INVALID);
    }
    struct eseal_httpc_request r = {
        .method = "POST", .url = "http://127.0.0.1:1/", .content_type = "text/plain\r\nX: y"};
    assert_int_equal(eseal_httpc_request(&r, NULL, &status, &body, NULL), ESEAL_E_INVALID);
    const char *many[ESEAL_HTTPC_MAX_HEADERS + 1];
    for (size_t i = 0; i <= ESEAL_HTTPC_MAX_HEADERS; i++)
        many[i] = "X-A: b";
    r = (struct eseal_httpc_request){
        .url = "http://127.0.0.1:1/", .headers = many, .n_headers = ESEAL_HTTPC_MAX_HEADERS + 1};
    assert_int_equal(eseal_httpc_request(&r, NULL, &status, &body, NULL), ESEAL_E_INVALID);
    /* A head over the limit is refused before connecting. */
    char *huge = malloc(ESEAL_HTTPC_MAX_HEAD + 16);
    memcpy(huge, "X-Huge: ", 8);
    memset(huge + 8, 'h', ESEAL_HTTPC_MAX_HEAD);
    huge[8 + ESEAL_HTTPC_MAX_HEAD] = 0;
    const char *one[] = {huge};
    r = (struct eseal_httpc_request){.url = "http://127.0.0.1:1/", .headers = one, .n_headers = 1};
    assert_int_equal(eseal_httpc_request(&r, NULL, &status, &body, NULL), ESEAL_E_INVALID);
    free(huge);
    eseal_buf_cleanup(&body);
}

static void test_ipv6_literal(void **state)
{
    struct eseal_http_config cfg = {.address = "::1", .routes = routes, .n_routes = 4};
    struct eseal_http *srv = NULL;
    if (eseal_http_start(&srv, &cfg, NULL) != ESEAL_OK)
        skip(); /* no IPv6 loopback here */
    char url[128];
    snprintf(url, sizeof(url), "http://[::1]:%u/hello", (unsigned)eseal_http_port(srv));
    unsigned status;
    struct eseal_buf body;
    eseal_buf_init(&body);
    assert_int_equal(eseal_httpc_get(url, NULL, &status, &body, NULL), ESEAL_OK);
    assert_int_equal(status, 200);
    eseal_buf_cleanup(&body);
    eseal_http_stop(srv);
}

/* ---- a scripted server ---------------------------------------------------- */

struct script {
    int listen_fd;
    unsigned port;
    const char *reply; /* sent after the request head; NULL: stay silent */
    size_t reply_len;
    pthread_t thread;
};

static void *script_main(void *arg)
{
    struct script *s = arg;
    int c = accept(s->listen_fd, NULL, NULL);
    if (c < 0)
        return NULL;
    char buf[4096];
    size_t have = 0;
    while (have < sizeof(buf) - 1) { /* read the request head */
        ssize_t n = recv(c, buf + have, sizeof(buf) - 1 - have, 0);
        if (n <= 0)
            break;
        have += (size_t)n;
        buf[have] = 0;
        if (strstr(buf, "\r\n\r\n") != NULL)
            break;
    }
    if (s->reply != NULL) {
        send(c, s->reply, s->reply_len, MSG_NOSIGNAL);
    } else {
        struct timespec ts = {1, 500000000};
        nanosleep(&ts, NULL);
    }
    close(c);
    return NULL;
}

static void script_start(struct script *s, const char *reply, size_t len)
{
    s->reply = reply;
    s->reply_len = len;
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->listen_fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->listen_fd, 4), 0);
    socklen_t sl = sizeof(a);
    assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&a, &sl), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, script_main, s), 0);
}

static void script_stop(struct script *s)
{
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
}

/* fetch runs one request against a server that answers |reply|. */
static eseal_rc fetch(const char *reply, size_t len, const struct eseal_httpc_opts *o,
                      unsigned *status, struct eseal_buf *body, struct eseal_err *err)
{
    struct script s;
    script_start(&s, reply, len);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", s.port);
    eseal_rc rc = eseal_httpc_get(url, o, status, body, err);
    script_stop(&s);
    return rc;
}

#define FETCH(reply, st, body, err) fetch(reply, sizeof(reply) - 1, NULL, st, body, err)

static void test_scripted_replies(void **state)
{
    unsigned status;
    struct eseal_buf body;
    eseal_buf_init(&body);
    struct eseal_err err;
    /* Chunked, with an extension and a trailer. */
    assert_int_equal(FETCH("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5;ext=1\r\nhello\r\nA\r\n, chunked!\r\n0\r\nX-Trailer: t\r\n\r\n",
                           &status, &body, &err),
                     ESEAL_OK);
    assert_int_equal(status, 200);
    assert_string_equal((const char *)body.data, "hello, chunked!");
    /* Interim 100 Continue, then the real reply; LF-only line ends. */
    assert_int_equal(FETCH("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\n"
                           "Content-Length: 2\n\nok",
                           &status, &body, &err),
                     ESEAL_OK);
    assert_int_equal(status, 201);
    assert_string_equal((const char *)body.data, "ok");
    /* No length: the body runs to the close. */
    assert_int_equal(FETCH("HTTP/1.0 200 OK\r\n\r\nuntil close", &status, &body, &err), ESEAL_OK);
    assert_string_equal((const char *)body.data, "until close");
    /* 204 has no body whatever follows. */
    assert_int_equal(FETCH("HTTP/1.1 204 No Content\r\n\r\n", &status, &body, &err), ESEAL_OK);
    assert_int_equal(status, 204);
    assert_int_equal(body.len, 0);
    /* Broken replies. */
    static const char *const broken[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad header line\r\n\r\n",
        "HTTP/1.1 200 OK\r\n folded: x\r\n\r\n",
        "HTTP/2 200\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 099 Odd\r\n\r\n",
        "SSH-2.0-OpenSSH\r\n",
        "HTTP/1.1 200 OK\r\nContent-Le",
        "",
    };
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        eseal_rc rc = fetch(broken[i], strlen(broken[i]), NULL, &status, &body, &err);
        if (rc != ESEAL_E_IO)
            fail_msg("reply %zu: rc %d, want ESEAL_E_IO", i, rc);
        assert_int_equal(body.len, 0);
    }
    /* Limits: a declared length, a chunked body and a head over the limits. */
    struct eseal_httpc_opts small = {0, 4};
    static const char cl[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    assert_int_equal(fetch(cl, sizeof(cl) - 1, &small, &status, &body, &err), ESEAL_E_TOOBIG);
    static const char ch[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n";
    assert_int_equal(fetch(ch, sizeof(ch) - 1, &small, &status, &body, &err), ESEAL_E_TOOBIG);
    static const char eof[] = "HTTP/1.0 200 OK\r\n\r\nhello";
    assert_int_equal(fetch(eof, sizeof(eof) - 1, &small, &status, &body, &err), ESEAL_E_TOOBIG);
    size_t big = ESEAL_HTTPC_MAX_HEAD + 100;
    char *head = malloc(big + 64);
    strcpy(head, "HTTP/1.1 200 OK\r\nX-Big: ");
    size_t at = strlen(head);
    memset(head + at, 'x', big);
    strcpy(head + at + big, "\r\n\r\n");
    assert_int_equal(fetch(head, strlen(head), NULL, &status, &body, &err), ESEAL_E_IO);
    free(head);
    eseal_buf_cleanup(&body);
}

static void test_timeout(void **state)
{
    struct script s;
    script_start(&s, NULL, 0); /* accepts, reads, never answers */
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", s.port);
    struct eseal_httpc_opts o = {300, 0};
    unsigned status;
    struct eseal_buf body;
    eseal_buf_init(&body);
    struct eseal_err err;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(eseal_httpc_get(url, &o, &status, &body, &err), ESEAL_E_UNAVAILABLE);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(dt >= 0.25 && dt < 1.4);
    assert_non_null(strstr(err.msg, "timed out"));
    script_stop(&s);
    eseal_buf_cleanup(&body);
}

static void test_bad_urls(void **state)
{
    static const char *const bad[] = {
        "https://127.0.0.1/x", "ftp://127.0.0.1/",   "127.0.0.1:80/x",     "http://",
        "http:///x",           "http://host:0/",     "http://host:65536/", "http://host:8x/",
        "http://user@host/",   "http://host/x#frag", "http://host/a b",    "http://[::1/",
        "http://[::1]x/",      "http://host/\x01",
    };
    unsigned status;
    struct eseal_buf body;
    eseal_buf_init(&body);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct eseal_err err;
        eseal_rc rc = eseal_httpc_get(bad[i], NULL, &status, &body, &err);
        if (rc != ESEAL_E_INVALID)
            fail_msg("%s: rc %d, want ESEAL_E_INVALID", bad[i], rc);
    }
    struct eseal_err err;
    assert_int_equal(eseal_httpc_get("http://no-such-host.invalid/", NULL, &status, &body, &err),
                     ESEAL_E_UNAVAILABLE);
    eseal_buf_cleanup(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_our_server), cmocka_unit_test(test_ipv6_literal),
        cmocka_unit_test(test_scripted_replies),   cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_bad_urls),           cmocka_unit_test(test_methods_bodies_headers),
        cmocka_unit_test(test_request_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
