/* http.h — the HTTP server adapter over libmicrohttpd: the only module that
 * includes microhttpd.h. A daemon supplies a static route table; the adapter
 * buffers the request body (within a limit), calls the handler once with a
 * per-request struct that owns everything the request allocates, and frees it
 * in one completion callback. Route, permission and declared size are checked
 * from the headers before any body byte is kept; large bodies go to a
 * temporary file, not memory (docs/security.md has the limits), and a
 * multipart body is parsed and its parts digested as it arrives
 * (eseal_http_multipart). Result codes map to HTTP statuses in one table. */
#ifndef ESEAL_HTTP_H
#define ESEAL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

struct eseal_http;
struct eseal_http_req;
struct eseal_multipart;

/* eseal_http_handler answers one request. It replies with one of the
 * eseal_http_reply* calls and returns ESEAL_OK, or returns an error code with
 * |err| filled and no reply, and the adapter replies with the JSON error for
 * that code (eseal_http_reply_error). |app| is eseal_http_config.app.
 * Handlers run on several threads at once. */
typedef eseal_rc (*eseal_http_handler)(struct eseal_http_req *req, void *app,
                                       struct eseal_err *err);

/* ESEAL_HTTP_PUBLIC is the permission of a route anyone may call: the
 * adapter runs its handler without asking eseal_http_config.authorize. */
#define ESEAL_HTTP_PUBLIC "public"

/* struct eseal_http_route is one row of a daemon's route table, which is the
 * whole of its API: method, path, who may call it, how large a body it takes.
 *
 * |path| is '/'-separated segments. A literal segment matches the request's
 * segment after percent-decoding. "{name}" matches one segment and makes it
 * the path parameter |name| (eseal_http_param): decoded, not empty, not "."
 * or "..", without '/' (an encoded %2F) and at most ESEAL_HTTP_PARAM_MAX
 * bytes. A last segment "{name*}" matches all the rest of the path, slashes
 * included (possibly ""). So "/a/{id}" matches neither "/a/" nor "/a/x/".
 * The first matching row wins; a row for "GET" also answers HEAD. A path that
 * matches only rows of other methods gets 405 with an Allow header; no match
 * gets 404.
 *
 * |perm| is ESEAL_HTTP_PUBLIC or a permission name that the configuration's
 * authorize hook checks before the handler runs. */
struct eseal_http_route {
    const char *method;
    const char *path;
    const char *perm;
    size_t max_body; /* bytes; 0 means eseal_http_config.max_body */
    eseal_http_handler handler;
};

/* ESEAL_HTTP_PARAM_MAX is the longest value of a one-segment parameter. */
#define ESEAL_HTTP_PARAM_MAX 256
/* ESEAL_HTTP_MAX_PARAMS is the most parameters a route path may have. */
#define ESEAL_HTTP_MAX_PARAMS 4

/* eseal_http_authorizer decides whether the caller of |req| holds |perm|
 * (a route's permission other than ESEAL_HTTP_PUBLIC). It runs once the
 * headers are in, before the body is read and before the handler. It returns
 * ESEAL_OK to let the handler run (it may keep who the caller is with
 * eseal_http_set_user); ESEAL_E_UNAUTH when the caller is not logged in or
 * its credentials are bad (401, with eseal_http_config.auth_challenge as
 * WWW-Authenticate); ESEAL_E_DENIED when it may not (403). It may reply
 * itself; if it does not, the adapter replies eseal_http_reply_error with
 * |err|'s message. Runs on several threads at once, like handlers. */
typedef eseal_rc (*eseal_http_authorizer)(struct eseal_http_req *req, void *app, const char *perm,
                                          struct eseal_err *err);

/* ESEAL_HTTP_DEFAULT_MAX_BODY is the body limit when the config gives 0. */
#define ESEAL_HTTP_DEFAULT_MAX_BODY (1024 * 1024)
/* ESEAL_HTTP_SPOOL_MIN: a body declared larger than this, or sent chunked to
 * a route that takes more than this, is written to an unlinked temporary
 * file as it arrives (never held in memory) and mapped read-only for the
 * handler. Smaller bodies are kept in memory. */
#define ESEAL_HTTP_SPOOL_MIN (64 * 1024)
/* ESEAL_HTTP_DEFAULT_MAX_CONNECTIONS and ESEAL_HTTP_DEFAULT_MAX_PER_IP are
 * the connection caps when the config gives 0 (docs/security.md). */
#define ESEAL_HTTP_DEFAULT_MAX_CONNECTIONS 512
#define ESEAL_HTTP_DEFAULT_MAX_PER_IP 64
/* ESEAL_HTTP_MAX_HEADERS caps the header fields of one request (431 past it);
 * ESEAL_HTTP_CONN_MEMORY caps the request line plus headers plus MHD's I/O
 * buffers of one connection (larger headers get 431 from libmicrohttpd). */
#define ESEAL_HTTP_MAX_HEADERS 64
#define ESEAL_HTTP_CONN_MEMORY (64 * 1024)
/* ESEAL_HTTP_IDLE_TIMEOUT_S: a connection silent this long (while sending its
 * request line and headers, or idle between keep-alive requests) is closed.
 * ESEAL_HTTP_HEADER_TIMEOUT_S: the default of eseal_http_config.header_timeout_s,
 * the total time a request's line and headers may take, however steadily
 * they trickle in (the deadline is counted from the connection's start for
 * its first request; for a later request on a keep-alive connection from
 * the end of its request line, and at most the idle timeout plus it after
 * the previous reply: docs/security.md). A connection past it is shut down.
 * ESEAL_HTTP_BODY_GRACE_S and ESEAL_HTTP_BODY_MIN_RATE: a body must arrive
 * within the grace plus its length at the minimum rate (bytes/s; for a
 * chunked body, the route's limit), or the connection is closed. */
#define ESEAL_HTTP_IDLE_TIMEOUT_S 30
#define ESEAL_HTTP_HEADER_TIMEOUT_S 10
#define ESEAL_HTTP_BODY_GRACE_S 30
#define ESEAL_HTTP_BODY_MIN_RATE (16 * 1024)

struct eseal_http_config {
    const char *address; /* IPv4 or IPv6 literal; NULL means "127.0.0.1" */
    uint16_t port;       /* 0 picks a free port: read it with eseal_http_port */
    const struct eseal_http_route *routes;
    size_t n_routes;
    void *app;        /* passed to every handler */
    size_t max_body;  /* larger bodies get 413; 0 = ESEAL_HTTP_DEFAULT_MAX_BODY */
    unsigned threads; /* worker threads; 0 = 4 */
    bool access_log;  /* one line per request on stderr: JSON (docs/operations.md) */
    bool log_text;    /* access_log in the human text format instead of JSON */
    const char *name; /* server name for logs and the Server header; may be NULL */
    /* Required when a route's perm is not ESEAL_HTTP_PUBLIC. */
    eseal_http_authorizer authorize;
    /* WWW-Authenticate of every 401 reply that sets none itself; may be NULL. */
    const char *auth_challenge;
    /* Connections at once, in all and from one address (more are closed at
     * accept); 0 = ESEAL_HTTP_DEFAULT_MAX_CONNECTIONS / _MAX_PER_IP. */
    unsigned max_connections;
    unsigned max_per_ip;
    /* Seconds a request's line and headers may take in all; past it the
     * connection is shut down and counted (eseal_http_malformed);
     * 0 = ESEAL_HTTP_HEADER_TIMEOUT_S. */
    unsigned header_timeout_s;
    /* Threads and queue length of the offload pool (eseal_http_offload);
     * 0 = 1 thread and 8 waiting. */
    unsigned offload_threads;
    unsigned offload_queue;
    /* Directory of the temporary files of large bodies (ESEAL_HTTP_SPOOL_MIN);
     * NULL = $TMPDIR or /tmp. Files are created unlinked (O_TMPFILE), 0600. */
    const char *spool_dir;
};

/* eseal_http_start binds and starts serving on background threads. The route
 * table and |app| must outlive the server (the other strings are copied).
 * A malformed route (a bad path pattern, no permission, a permission but no
 * authorize hook) is ESEAL_E_INVALID, so a bad table fails at start, not on
 * a request. A port in use is ESEAL_E_IO with a message naming address and
 * port. Free with eseal_http_stop. */
eseal_rc eseal_http_start(struct eseal_http **out, const struct eseal_http_config *cfg,
                          struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_http_port returns the port actually bound. */
uint16_t eseal_http_port(const struct eseal_http *srv);

/* eseal_http_malformed returns how many requests the adapter or
 * libmicrohttpd refused as malformed (bad framing, escapes, too many or too
 * large headers, connection caps, headers past the header deadline, bodies
 * too slow) since start: they are counted and
 * summed up on stderr at most once a minute, not logged one line each. */
unsigned long long eseal_http_malformed(const struct eseal_http *srv);

/* eseal_http_stop stops accepting, lets the offload pool finish what it
 * holds, waits for running handlers, frees |srv|.
 * Accepts NULL. */
void eseal_http_stop(struct eseal_http *srv);

/* Request accessors. Returned strings belong to the request and live until the
 * handler returns. */
const char *eseal_http_method(const struct eseal_http_req *req);
/* eseal_http_path returns the percent-decoded path without the query. */
const char *eseal_http_path(const struct eseal_http_req *req);
/* eseal_http_target returns the request target as sent: not decoded, with
 * the query (for a handler that must tell "a%2Fb" from "a/b"). */
const char *eseal_http_target(const struct eseal_http_req *req);
/* eseal_http_param returns the decoded value of path parameter |name| of the
 * matched route ("{name}" or "{name*}"), or NULL when the route has none. */
const char *eseal_http_param(const struct eseal_http_req *req, const char *name);
/* eseal_http_set_user keeps |user| (owned by the caller, typically
 * eseal_http_alloc'ed) with the request for the handler: the authorize hook
 * says who the caller is this way. eseal_http_user returns it, or NULL. */
void eseal_http_set_user(struct eseal_http_req *req, void *user);
void *eseal_http_user(const struct eseal_http_req *req);
/* eseal_http_query returns the decoded value of query argument |name|, or NULL. */
const char *eseal_http_query(const struct eseal_http_req *req, const char *name);
/* eseal_http_header returns request header |name| (case-insensitive), or NULL. */
const char *eseal_http_header(const struct eseal_http_req *req, const char *name);
/* eseal_http_cookie returns the value of cookie |name| in the request's
 * Cookie header (as libmicrohttpd parses it; name case-sensitive), or NULL. */
const char *eseal_http_cookie(const struct eseal_http_req *req, const char *name);
/* eseal_http_body returns the request body (NUL-terminated at |*len|; may hold
 * NULs inside) and its length; an empty body is "" with *len = 0. A large
 * body (ESEAL_HTTP_SPOOL_MIN) is a read-only mapping of its temporary file. */
const uint8_t *eseal_http_body(const struct eseal_http_req *req, size_t *len);
/* eseal_http_multipart gives the parts of a multipart/form-data body in
 * |mp| (replacing what it held; the caller cleans it up with
 * eseal_multipart_cleanup), each with the SM3 of its data: the adapter
 * parsed the body and digested the parts while it arrived
 * (eseal_multipart_scan), so a handler need not read a large upload again.
 * The result, errors and |max_parts| are those of eseal_multipart_parse
 * over eseal_http_body with the request's Content-Type; a malformed body is
 * ESEAL_E_INVALID (400), too many parts ESEAL_E_TOOBIG. */
eseal_rc eseal_http_multipart(struct eseal_http_req *req, struct eseal_multipart *mp,
                              size_t max_parts, struct eseal_err *err) ESEAL_MUST_CHECK;
/* eseal_http_client returns the peer's address as text ("127.0.0.1"). */
const char *eseal_http_client(const struct eseal_http_req *req);

/* ESEAL_HTTP_REQUEST_ID_MAX is the longest request id. */
#define ESEAL_HTTP_REQUEST_ID_MAX 64

/* eseal_http_request_id returns the request's id: the caller's X-Request-Id
 * when it is 1..ESEAL_HTTP_REQUEST_ID_MAX letters, digits or ".-_:", else 32
 * random hex digits. Every reply echoes it in X-Request-Id and the access log
 * carries it. */
const char *eseal_http_request_id(const struct eseal_http_req *req);

/* eseal_http_metrics appends to |out| the request metrics of the server
 * |req| came to, in the Prometheus text format (metrics.h):
 * eseal_http_requests_total, eseal_http_request_duration_seconds and
 * eseal_http_requests_in_flight (docs/operations.md). */
void eseal_http_metrics(const struct eseal_http_req *req, struct eseal_buf *out);

/* eseal_http_alloc returns |n| zeroed bytes freed with the request. */
void *eseal_http_alloc(struct eseal_http_req *req, size_t n);

/* eseal_http_set_header adds a header to the reply the handler is about to
 * make (copies both strings). Call before the reply. */
void eseal_http_set_header(struct eseal_http_req *req, const char *name, const char *value);

/* eseal_http_reply sends |status| with |body| (copied) and |content_type|.
 * Every reply carries X-Content-Type-Options: nosniff and Referrer-Policy:
 * no-referrer besides the headers set.
 * A second reply for the same request is ESEAL_E_INTERNAL. */
eseal_rc eseal_http_reply(struct eseal_http_req *req, unsigned status, const char *content_type,
                          const void *body, size_t len);
/* eseal_http_reply_json sends |body| as compact UTF-8 JSON with
 * "application/json; charset=utf-8" and takes ownership of |body| (decrefs it). */
eseal_rc eseal_http_reply_json(struct eseal_http_req *req, unsigned status, json_t *body);
/* eseal_http_reply_error sends eseal_http_status(rc) with the JSON body
 * {"error":{"code":eseal_rc_name(rc),"message":message,"description":eseal_rc_describe(rc)}}. */
eseal_rc eseal_http_reply_error(struct eseal_http_req *req, eseal_rc rc, const char *message);

/* eseal_http_work is slow work a handler hands to the offload pool: it runs
 * on one of the pool's threads with |ctx| as given to eseal_http_offload. */
typedef void (*eseal_http_work)(void *ctx);

/* eseal_http_offload runs |work| on the adapter's small, bounded offload
 * pool, away from the HTTP threads (password hashing: a burst of logins must
 * not stall other requests), and then |then| as the request's handler, on an
 * HTTP thread, to reply; eseal_http_offload_ctx gives it |ctx|. The
 * connection sleeps meanwhile: no HTTP thread waits. Call from a handler at
 * most once; on ESEAL_OK return ESEAL_OK without replying. When the pool's
 * queue is full (or the server is stopping) it is ESEAL_E_UNAVAILABLE at
 * once and nothing runs: reply 503 with Retry-After. |ctx| must live until
 * |then| returns (eseal_http_alloc it). */
eseal_rc eseal_http_offload(struct eseal_http_req *req, eseal_http_work work, void *ctx,
                            eseal_http_handler then) ESEAL_MUST_CHECK;
/* eseal_http_offload_ctx returns the |ctx| of eseal_http_offload, or NULL. */
void *eseal_http_offload_ctx(const struct eseal_http_req *req);

/* eseal_http_routes_print writes |routes| as a Markdown table (method,
 * path, permission, body limit in bytes with 0 read as |default_max_body|)
 * to |out|: what docs/api.md lists and `--routes` of every daemon prints. */
void eseal_http_routes_print(FILE *out, const struct eseal_http_route *routes, size_t n_routes,
                             size_t default_max_body);

/* eseal_http_status maps a result code to its HTTP status: the one table. */
unsigned eseal_http_status(eseal_rc rc);

#endif
