/* test_httpc.c — the libcurl adapter against our own server (http.c) on a
 * free port, and against a python3 http.server peer (plain and TLS, with a
 * certificate made by the openssl CLI) for what ours never sends: chunked
 * bodies, bodies read to close, redirects, a silent server, truncated and
 * oversized replies, untrusted certificates. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
    struct eseal_httpc_opts small = {.max_body = 1024 * 1024};
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

/* ---- a python3 http.server peer ------------------------------------------ */

/* The peer serves plain HTTP and, with a certificate and key, HTTPS on two
 * free ports and prints them on one line. http.server has no chunked
 * writer, so /chunked/N frames N chunks itself. */
static const char peer_py[] =
    "import http.server, ssl, sys, threading, time\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    protocol_version = 'HTTP/1.1'\n"
    "    def log_message(self, *a): pass\n"
    "    def reply(self, code, body, extra=()):\n"
    "        self.send_response(code)\n"
    "        for k, v in extra: self.send_header(k, v)\n"
    "        self.send_header('Content-Length', str(len(body)))\n"
    "        self.end_headers()\n"
    "        self.wfile.write(body)\n"
    "    def do_GET(self):\n"
    "        p = self.path\n"
    "        if p == '/hello': self.reply(200, b'hello')\n"
    "        elif p.startswith('/chunked/'):\n"
    "            self.send_response(200)\n"
    "            self.send_header('Transfer-Encoding', 'chunked')\n"
    "            self.end_headers()\n"
    "            for i in range(int(p[9:])):\n"
    "                part = b'chunk%d;' % i\n"
    "                self.wfile.write(b'%x\\r\\n%s\\r\\n' % (len(part), part))\n"
    "            self.wfile.write(b'0\\r\\n\\r\\n')\n"
    "        elif p == '/redirect': self.reply(302, b'moved', [('Location', '/hello')])\n"
    "        elif p.startswith('/status/'): self.reply(int(p[8:]), b'status body')\n"
    "        elif p == '/silent':\n"
    "            time.sleep(5)\n"
    "            self.reply(200, b'late')\n"
    "        elif p == '/close':\n"
    "            self.close_connection = True\n"
    "            self.send_response(200)\n"
    "            self.send_header('Connection', 'close')\n"
    "            self.end_headers()\n"
    "            self.wfile.write(b'until close')\n"
    "        elif p == '/short':\n"
    "            self.close_connection = True\n"
    "            self.send_response(200)\n"
    "            self.send_header('Content-Length', '10')\n"
    "            self.end_headers()\n"
    "            self.wfile.write(b'short')\n"
    "        elif p == '/bighead':\n"
    "            self.reply(200, b'', [('X-Big', 'x' * 70000)])\n"
    "        else: self.reply(404, b'no such path')\n"
    "class S(http.server.ThreadingHTTPServer):\n"
    "    daemon_threads = True\n"
    "    def handle_error(self, request, address): pass  # clients that hang up early\n"
    "plain = S(('127.0.0.1', 0), H)\n"
    "tls = S(('127.0.0.1', 0), H)\n"
    "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
    "ctx.load_cert_chain(sys.argv[1], sys.argv[2])\n"
    "tls.socket = ctx.wrap_socket(tls.socket, server_side=True)\n"
    "threading.Thread(target=tls.serve_forever, daemon=True).start()\n"
    "print(plain.server_address[1], tls.server_address[1], flush=True)\n"
    "plain.serve_forever()\n";

struct peer {
    char *dir;
    char *cert;       /* the peer's self-signed certificate (PEM): its own CA file */
    char *other_cert; /* a certificate that did not sign the peer's */
    pid_t pid;
    unsigned port, tls_port;
};

static struct peer peer;

/* make_cert makes a self-signed EC certificate for localhost and 127.0.0.1
 * with the openssl CLI. */
static void make_cert(const char *dir, const char *name)
{
    char *cmd = eseal_xasprintf(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
        "-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 "
        "-keyout '%s/%s.key' -out '%s/%s.pem' 2>/dev/null",
        dir, name, dir, name);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static int peer_start(void **state)
{
    peer.dir = tu_tmpdir();
    make_cert(peer.dir, "peer");
    make_cert(peer.dir, "other");
    peer.cert = eseal_xasprintf("%s/peer.pem", peer.dir);
    peer.other_cert = eseal_xasprintf("%s/other.pem", peer.dir);
    char *script = eseal_xasprintf("%s/peer.py", peer.dir);
    char *key = eseal_xasprintf("%s/peer.key", peer.dir);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fputs(peer_py, f);
    fclose(f);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    peer.pid = fork();
    assert_true(peer.pid >= 0);
    if (peer.pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execlp("python3", "python3", script, peer.cert, key, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    if (fscanf(in, "%u %u", &peer.port, &peer.tls_port) != 2)
        fail_msg("the python3 peer did not start");
    fclose(in);
    free(script);
    free(key);
    return 0;
}

static int peer_stop(void **state)
{
    kill(peer.pid, SIGTERM);
    waitpid(peer.pid, NULL, 0);
    tu_rmtree(peer.dir);
    free(peer.dir);
    free(peer.cert);
    free(peer.other_cert);
    return 0;
}

/* get fetches |path| from the peer over http (|tls| false) or https. */
static eseal_rc get(bool tls, const char *host, const char *path, const struct eseal_httpc_opts *o,
                    unsigned *status, struct eseal_buf *body, struct eseal_err *err)
{
    char url[256];
    snprintf(url, sizeof(url), "%s://%s:%u%s", tls ? "https" : "http", host,
             tls ? peer.tls_port : peer.port, path);
    eseal_err_clear(err);
    return eseal_httpc_get(url, o, status, body, err);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_peer_replies(void **state)
{
    unsigned status;
    struct eseal_buf body;
    eseal_buf_init(&body);
    struct eseal_err err;
    /* Chunked: the chunks joined, the framing gone. */
    assert_int_equal(get(false, "127.0.0.1", "/chunked/3", NULL, &status, &body, &err), ESEAL_OK);
    assert_int_equal(status, 200);
    assert_string_equal((const char *)body.data, "chunk0;chunk1;chunk2;");
    /* No length: the body runs to the close. */
    assert_int_equal(get(false, "127.0.0.1", "/close", NULL, &status, &body, &err), ESEAL_OK);
    assert_string_equal((const char *)body.data, "until close");
    /* Redirects are not followed: the 302 itself comes back. */
    assert_int_equal(get(false, "127.0.0.1", "/redirect", NULL, &status, &body, &err), ESEAL_OK);
    assert_int_equal(status, 302);
    assert_string_equal((const char *)body.data, "moved");
    /* Other statuses are statuses, with their bodies. */
    static const unsigned codes[] = {400, 404, 500, 503};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        char path[32];
        snprintf(path, sizeof(path), "/status/%u", codes[i]);
        assert_int_equal(get(false, "127.0.0.1", path, NULL, &status, &body, &err), ESEAL_OK);
        assert_int_equal(status, codes[i]);
        assert_string_equal((const char *)body.data, "status body");
    }
    /* Size limits: with a length, chunked, and read to the close. */
    struct eseal_httpc_opts small = {.max_body = 4};
    static const char *const big[] = {"/hello", "/chunked/50", "/close"};
    for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
        eseal_rc rc = get(false, "127.0.0.1", big[i], &small, &status, &body, &err);
        if (rc != ESEAL_E_TOOBIG)
            fail_msg("%s over 4 bytes: rc %d (%s), want ESEAL_E_TOOBIG", big[i], rc, err.msg);
        assert_int_equal(body.len, 0);
        assert_non_null(strstr(err.msg, "exceeds 4 bytes"));
    }
    small.max_body = 5;
    assert_int_equal(get(false, "127.0.0.1", "/hello", &small, &status, &body, &err), ESEAL_OK);
    /* Broken replies: a body shorter than its length, a head over the limit. */
    assert_int_equal(get(false, "127.0.0.1", "/short", NULL, &status, &body, &err), ESEAL_E_IO);
    assert_int_equal(body.len, 0);
    assert_int_equal(get(false, "127.0.0.1", "/bighead", NULL, &status, &body, &err), ESEAL_E_IO);
    assert_non_null(strstr(err.msg, "head exceeds"));
    eseal_buf_cleanup(&body);
}

static void test_deadlines(void **state)
{
    unsigned status;
    struct eseal_buf body;
    eseal_buf_init(&body);
    struct eseal_err err;
    /* A server that accepts and never answers. */
    struct eseal_httpc_opts o = {.timeout_ms = 300};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(get(false, "127.0.0.1", "/silent", &o, &status, &body, &err),
                     ESEAL_E_UNAVAILABLE);
    double dt = seconds_since(&t0);
    assert_true(dt >= 0.25 && dt < 1.4);
    assert_non_null(strstr(err.msg, "timed out"));
    /* A name that does not resolve fails within the deadline (resolution is
     * part of it), whether the resolver answers NXDOMAIN or nothing. */
    o.timeout_ms = 2000;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    eseal_err_clear(&err);
    assert_int_equal(eseal_httpc_get("http://no-such-host.invalid/", &o, &status, &body, &err),
                     ESEAL_E_UNAVAILABLE);
    assert_true(seconds_since(&t0) < 2.6);
    assert_true(strstr(err.msg, "does not resolve") != NULL || strstr(err.msg, "timed out"));
    eseal_buf_cleanup(&body);
}

static void test_tls(void **state)
{
    unsigned status;
    struct eseal_buf body;
    eseal_buf_init(&body);
    struct eseal_err err;
    /* With the peer's certificate as the CA file: by address and by name. */
    struct eseal_httpc_opts o = {.ca_file = peer.cert};
    assert_int_equal(get(true, "127.0.0.1", "/hello", &o, &status, &body, &err), ESEAL_OK);
    assert_int_equal(status, 200);
    assert_string_equal((const char *)body.data, "hello");
    assert_int_equal(get(true, "localhost", "/chunked/2", &o, &status, &body, &err), ESEAL_OK);
    assert_string_equal((const char *)body.data, "chunk0;chunk1;");
    /* The system store does not know a self-signed certificate. */
    assert_int_equal(get(true, "127.0.0.1", "/hello", NULL, &status, &body, &err), ESEAL_E_CRYPTO);
    assert_non_null(strstr(err.msg, "TLS 证书不受信任"));
    assert_non_null(strstr(err.msg, "is not trusted by the system CA store"));
    assert_int_equal(body.len, 0);
    /* Nor does another CA file; the message names it. */
    o.ca_file = peer.other_cert;
    assert_int_equal(get(true, "127.0.0.1", "/hello", &o, &status, &body, &err), ESEAL_E_CRYPTO);
    assert_non_null(strstr(err.msg, peer.other_cert));
    /* A CA file that does not exist. */
    o.ca_file = "/nonexistent/ca.pem";
    assert_int_equal(get(true, "127.0.0.1", "/hello", &o, &status, &body, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "/nonexistent/ca.pem"));
    /* https:// to a plain HTTP port: the handshake fails. */
    char url[64];
    snprintf(url, sizeof(url), "https://127.0.0.1:%u/hello", peer.port);
    assert_int_equal(eseal_httpc_get(url, NULL, &status, &body, &err), ESEAL_E_IO);
    assert_non_null(strstr(err.msg, "TLS"));
    /* The process default, and back to the system store. */
    assert_int_equal(eseal_httpc_init("/nonexistent/ca.pem", &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_httpc_init(peer.cert, &err), ESEAL_OK);
    assert_int_equal(get(true, "127.0.0.1", "/hello", NULL, &status, &body, &err), ESEAL_OK);
    assert_int_equal(eseal_httpc_init(NULL, &err), ESEAL_OK);
    assert_int_equal(get(true, "127.0.0.1", "/hello", NULL, &status, &body, &err), ESEAL_E_CRYPTO);
    eseal_buf_cleanup(&body);
}

static void test_bad_urls(void **state)
{
    static const char *const bad[] = {
        "ftp://127.0.0.1/",
        "127.0.0.1:80/x",
        "http://",
        "http://host:0/",
        "http://host:65536/",
        "http://host:8x/",
        "http://user@host/",
        "http://host/x#frag",
        "http://host/a b",
        "http://[::1/",
        "http://[::1]x/",
        "http://host/\x01",
        "file:///etc/passwd",
        "",
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
    eseal_buf_cleanup(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_our_server),
        cmocka_unit_test(test_ipv6_literal),
        cmocka_unit_test(test_methods_bodies_headers),
        cmocka_unit_test(test_request_refusals),
        cmocka_unit_test(test_peer_replies),
        cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_bad_urls),
    };
    return cmocka_run_group_tests(tests, peer_start, peer_stop);
}
