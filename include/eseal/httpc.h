/* httpc.h — a minimal blocking HTTP/1.1 client over plain TCP (http://
 * only; TLS belongs in front, e.g. a reverse proxy): GET, and requests with
 * any method, a body, a content type and extra headers. Response bodies with
 * Content-Length, chunked transfer coding, or read to close; bounded sizes
 * and an overall deadline. Used by log followers, `eseal log --url` and
 * `eseal issuer` / `eseal demo`. */
#ifndef ESEAL_HTTPC_H
#define ESEAL_HTTPC_H

#include <stddef.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

/* Defaults when the options are NULL or zero. */
#define ESEAL_HTTPC_TIMEOUT_MS 10000
#define ESEAL_HTTPC_MAX_BODY (16 * 1024 * 1024)
/* The status line and headers together may not exceed this. */
#define ESEAL_HTTPC_MAX_HEAD (64 * 1024)

struct eseal_httpc_opts {
    unsigned timeout_ms; /* whole request, connect to last byte; 0 = default */
    size_t max_body;     /* 0 = default */
};

/* eseal_httpc_get fetches |url| ("http://host[:port][/path][?query]"; host a
 * name, an IPv4 literal or a bracketed IPv6 literal). On ESEAL_OK *status is
 * the response status (any, 200 or not) and |body| holds the body
 * (replacing it). A malformed or unsupported URL (https://, userinfo,
 * fragments, control characters) is ESEAL_E_INVALID; a name that does not
 * resolve or a refused connection ESEAL_E_UNAVAILABLE; the deadline passing
 * ESEAL_E_UNAVAILABLE; a malformed response ESEAL_E_IO; a body over the
 * limit ESEAL_E_TOOBIG. Name resolution itself is not bounded by the
 * deadline (getaddrinfo cannot be interrupted). */
eseal_rc eseal_httpc_get(const char *url, const struct eseal_httpc_opts *opts, unsigned *status,
                         struct eseal_buf *body, struct eseal_err *err) ESEAL_MUST_CHECK;

/* ESEAL_HTTPC_MAX_HEADERS bounds the extra request headers of one request. */
#define ESEAL_HTTPC_MAX_HEADERS 16

/* struct eseal_httpc_request describes one request. Everything is borrowed
 * for the duration of the call. */
struct eseal_httpc_request {
    const char *method;       /* an HTTP token ("POST", "PUT", "DELETE", ...); NULL: GET */
    const char *url;          /* as for eseal_httpc_get */
    const char *content_type; /* Content-Type of |body|; NULL: none sent */
    const void *body;         /* |body_len| bytes sent with Content-Length; NULL: no body */
    size_t body_len;
    const char *const *headers; /* |n_headers| extra lines "Name: value" (e.g.
                                 * "Authorization: Bearer ..."), at most
                                 * ESEAL_HTTPC_MAX_HEADERS */
    size_t n_headers;
};

/* eseal_httpc_request sends |r| and reads the response like eseal_httpc_get
 * (same limits, deadline, results). POST and PUT without a body send
 * "Content-Length: 0". A method that is not a token, a header line without
 * "Name:", with control characters or naming Host, Content-Length,
 * Transfer-Encoding or Connection (this client sets those), too many
 * headers, or a request head over ESEAL_HTTPC_MAX_HEAD is ESEAL_E_INVALID,
 * before anything is sent. If the server answers and closes before taking
 * the whole body (e.g. 413), that answer is returned. A response to HEAD has
 * no body. */
eseal_rc eseal_httpc_request(const struct eseal_httpc_request *r,
                             const struct eseal_httpc_opts *opts, unsigned *status,
                             struct eseal_buf *body, struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
