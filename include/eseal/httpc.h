/* httpc.h — a minimal blocking HTTP/1.1 client for GET over plain TCP
 * (http:// only; TLS belongs in front, e.g. a reverse proxy). Bodies with
 * Content-Length, chunked transfer coding, or read to close; bounded sizes
 * and an overall deadline. Used by log followers and `eseal log --url`. */
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

#endif
