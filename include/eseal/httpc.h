/* httpc.h — a blocking HTTP(S) client, the one adapter over libcurl: GET,
 * and requests with any method, a body, a content type and extra headers.
 * http:// and https:// only; TLS peers are checked against the system's CA
 * store or a given CA file. Bounded response sizes and one deadline for the
 * whole request, name resolution included. Redirects are not followed: a
 * 3xx comes back as a status like any other. Used by log followers and
 * auditors, the publisher (seal files), the verifier (status), `eseal log
 * --url`, `eseal verify --status-url` and `eseal issuer` / `eseal demo`.
 * Thread-safe: every request has its own libcurl handle. */
#ifndef ESEAL_HTTPC_H
#define ESEAL_HTTPC_H

#include <stddef.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

/* Defaults when the options are NULL or zero. */
#define ESEAL_HTTPC_TIMEOUT_MS 10000
#define ESEAL_HTTPC_MAX_BODY (16 * 1024 * 1024)
/* The request head (method, URL, headers) and the response head (status
 * line and headers, interim responses included) may each not exceed this. */
#define ESEAL_HTTPC_MAX_HEAD (64 * 1024)

struct eseal_httpc_opts {
    unsigned timeout_ms; /* whole request, name resolution to last byte; 0 = default */
    size_t max_body;     /* 0 = default */
    const char *ca_file; /* PEM CA certificates for https://; NULL: the process
                          * default (eseal_httpc_init), else the system store */
};

/* eseal_httpc_init sets the process-wide CA file for https:// (PEM, NULL:
 * the system's CA store) and initialises libcurl. Call it once at start-up
 * before any thread makes requests (daemons and the CLI do so from their
 * `ca_file` / `--ca-file` option); without it requests use the system
 * store. A file that cannot be read is ESEAL_E_INVALID. */
eseal_rc eseal_httpc_init(const char *ca_file, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_httpc_get fetches |url| ("http(s)://host[:port][/path][?query]";
 * host a name, an IPv4 literal or a bracketed IPv6 literal). On ESEAL_OK
 * *status is the response status (any, 200 or not) and |body| holds the
 * body (replacing it) followed by a NUL not counted in its length.
 * A malformed or unsupported URL (another scheme, userinfo, fragments,
 * control characters) is ESEAL_E_INVALID; a name that does not resolve, a
 * refused connection or the deadline passing ESEAL_E_UNAVAILABLE; a TLS
 * certificate that does not verify ESEAL_E_CRYPTO; a malformed response
 * ESEAL_E_IO; a body over the limit ESEAL_E_TOOBIG. */
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
 * (same limits, deadline, results). POST, PUT and PATCH without a body send
 * "Content-Length: 0". A method that is not a token, a header line without
 * "Name:", with control characters or naming Host, Content-Length,
 * Transfer-Encoding or Connection (the client sets those), too many
 * headers, or a request head over ESEAL_HTTPC_MAX_HEAD is ESEAL_E_INVALID,
 * before anything is sent. A body over 1 MiB is sent after
 * "Expect: 100-continue", so a server refusing it early (413, 401) is
 * answered with its refusal. A response to HEAD has no body. */
eseal_rc eseal_httpc_request(const struct eseal_httpc_request *r,
                             const struct eseal_httpc_opts *opts, unsigned *status,
                             struct eseal_buf *body, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_httpc_escape returns |s| percent-encoded for a URL query value
 * (new, the caller frees it). */
char *eseal_httpc_escape(const char *s);

#endif
