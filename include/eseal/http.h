/* http.h — the HTTP server adapter over libmicrohttpd: the only module that
 * includes microhttpd.h. A daemon supplies a static route table; the adapter
 * buffers the request body (within a limit), calls the handler once with a
 * per-request struct that owns everything the request allocates, and frees it
 * in one completion callback. Result codes map to HTTP statuses in one table. */
#ifndef ESEAL_HTTP_H
#define ESEAL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "eseal/rc.h"

struct eseal_http;
struct eseal_http_req;

/* eseal_http_handler answers one request. It replies with one of the
 * eseal_http_reply* calls and returns ESEAL_OK, or returns an error code with
 * |err| filled and no reply, and the adapter replies with the JSON error for
 * that code (eseal_http_reply_error). |app| is eseal_http_config.app.
 * Handlers run on several threads at once. */
typedef eseal_rc (*eseal_http_handler)(struct eseal_http_req *req, void *app,
                                       struct eseal_err *err);

/* struct eseal_http_route is one row of a daemon's route table. |path| is
 * matched exactly, or as a prefix when it ends in '*' (e.g. "/status/" + '*'); the first
 * matching row wins. A route for "GET" also answers HEAD. A path that matches
 * a row of another method gets 405 with an Allow header; no match gets 404. */
struct eseal_http_route {
    const char *method;
    const char *path;
    eseal_http_handler handler;
    size_t max_body; /* bytes; 0 means eseal_http_config.max_body */
};

/* ESEAL_HTTP_DEFAULT_MAX_BODY is the body limit when the config gives 0. */
#define ESEAL_HTTP_DEFAULT_MAX_BODY (1024 * 1024)

struct eseal_http_config {
    const char *address; /* IPv4 or IPv6 literal; NULL means "127.0.0.1" */
    uint16_t port;       /* 0 picks a free port: read it with eseal_http_port */
    const struct eseal_http_route *routes;
    size_t n_routes;
    void *app;        /* passed to every handler */
    size_t max_body;  /* larger bodies get 413; 0 = ESEAL_HTTP_DEFAULT_MAX_BODY */
    unsigned threads; /* worker threads; 0 = 4 */
    bool access_log;  /* one line per request on stderr */
    const char *name; /* server name for logs and the Server header; may be NULL */
};

/* eseal_http_start binds and starts serving on background threads. The route
 * table and |app| must outlive the server. A port in use is ESEAL_E_IO with a
 * message naming address and port. Free with eseal_http_stop. */
eseal_rc eseal_http_start(struct eseal_http **out, const struct eseal_http_config *cfg,
                          struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_http_port returns the port actually bound. */
uint16_t eseal_http_port(const struct eseal_http *srv);

/* eseal_http_stop stops accepting, waits for running handlers, frees |srv|.
 * Accepts NULL. */
void eseal_http_stop(struct eseal_http *srv);

/* Request accessors. Returned strings belong to the request and live until the
 * handler returns. */
const char *eseal_http_method(const struct eseal_http_req *req);
/* eseal_http_path returns the percent-decoded path without the query. */
const char *eseal_http_path(const struct eseal_http_req *req);
/* eseal_http_path_rest returns the part of the path matched by a trailing '*'
 * in the route ("" for exact routes). */
const char *eseal_http_path_rest(const struct eseal_http_req *req);
/* eseal_http_query returns the decoded value of query argument |name|, or NULL. */
const char *eseal_http_query(const struct eseal_http_req *req, const char *name);
/* eseal_http_header returns request header |name| (case-insensitive), or NULL. */
const char *eseal_http_header(const struct eseal_http_req *req, const char *name);
/* eseal_http_body returns the request body (NUL-terminated at |*len|; may hold
 * NULs inside) and its length; an empty body is "" with *len = 0. */
const uint8_t *eseal_http_body(const struct eseal_http_req *req, size_t *len);
/* eseal_http_client returns the peer's address as text ("127.0.0.1"). */
const char *eseal_http_client(const struct eseal_http_req *req);

/* eseal_http_alloc returns |n| zeroed bytes freed with the request. */
void *eseal_http_alloc(struct eseal_http_req *req, size_t n);

/* eseal_http_set_header adds a header to the reply the handler is about to
 * make (copies both strings). Call before the reply. */
void eseal_http_set_header(struct eseal_http_req *req, const char *name, const char *value);

/* eseal_http_reply sends |status| with |body| (copied) and |content_type|.
 * A second reply for the same request is ESEAL_E_INTERNAL. */
eseal_rc eseal_http_reply(struct eseal_http_req *req, unsigned status, const char *content_type,
                          const void *body, size_t len);
/* eseal_http_reply_json sends |body| as compact UTF-8 JSON with
 * "application/json; charset=utf-8" and takes ownership of |body| (decrefs it). */
eseal_rc eseal_http_reply_json(struct eseal_http_req *req, unsigned status, json_t *body);
/* eseal_http_reply_error sends eseal_http_status(rc) with the JSON body
 * {"error":{"code":eseal_rc_name(rc),"message":message,"description":eseal_rc_describe(rc)}}. */
eseal_rc eseal_http_reply_error(struct eseal_http_req *req, eseal_rc rc, const char *message);

/* eseal_http_status maps a result code to its HTTP status: the one table. */
unsigned eseal_http_status(eseal_rc rc);

#endif
