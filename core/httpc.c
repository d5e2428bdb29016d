/* httpc.c — a minimal blocking HTTP/1.1 client over POSIX sockets. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "eseal/httpc.h"

#define HOST_MAX 255
#define TARGET_MAX 8192

struct url {
    char host[HOST_MAX + 1]; /* without brackets */
    char port[6];
    bool ipv6;
    char *target; /* path and query; free() it */
};

static eseal_rc bad_url(struct eseal_err *err, const char *why)
{
    return eseal_err_set(err, ESEAL_E_INVALID, "bad URL: %s", why);
}

static eseal_rc url_parse(struct url *u, const char *url, struct eseal_err *err)
{
    memset(u, 0, sizeof(*u));
    for (const char *p = url; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return bad_url(err, "spaces or control characters");
    }
    if (strncasecmp(url, "https://", 8) == 0)
        return bad_url(err, "https is not supported (use http:// behind a TLS proxy, or a "
                            "local directory)");
    if (strncasecmp(url, "http://", 7) != 0)
        return bad_url(err, "must start with http://");
    if (strchr(url, '#') != NULL)
        return bad_url(err, "fragments are not allowed");
    const char *auth = url + 7;
    size_t auth_len = strcspn(auth, "/?");
    if (memchr(auth, '@', auth_len) != NULL)
        return bad_url(err, "user information is not allowed");
    const char *host = auth, *port = NULL;
    size_t host_len;
    if (auth_len > 0 && auth[0] == '[') {
        const char *close = memchr(auth, ']', auth_len);
        if (close == NULL)
            return bad_url(err, "unclosed [ in the host");
        host = auth + 1;
        host_len = (size_t)(close - host);
        u->ipv6 = true;
        if (close + 1 < auth + auth_len) {
            if (close[1] != ':')
                return bad_url(err, "junk after ]");
            port = close + 2;
        }
    } else {
        const char *colon = memchr(auth, ':', auth_len);
        host_len = colon != NULL ? (size_t)(colon - auth) : auth_len;
        if (colon != NULL)
            port = colon + 1;
    }
    if (host_len == 0 || host_len > HOST_MAX)
        return bad_url(err, "no host, or the host is too long");
    memcpy(u->host, host, host_len);
    u->host[host_len] = '\0';
    if (port != NULL) {
        size_t port_len = (size_t)(auth + auth_len - port);
        unsigned long v = 0;
        if (port_len == 0 || port_len > 5)
            return bad_url(err, "bad port");
        for (size_t i = 0; i < port_len; i++) {
            if (port[i] < '0' || port[i] > '9')
                return bad_url(err, "bad port");
            v = v * 10 + (unsigned long)(port[i] - '0');
        }
        if (v == 0 || v > 65535)
            return bad_url(err, "bad port");
        snprintf(u->port, sizeof(u->port), "%lu", v);
    } else {
        strcpy(u->port, "80");
    }
    const char *rest = auth + auth_len;
    if (strlen(rest) > TARGET_MAX)
        return bad_url(err, "too long");
    u->target = rest[0] == '/' ? eseal_xstrdup(rest) : eseal_xasprintf("/%s", rest);
    return ESEAL_OK;
}

/* ---- a connection with a deadline ----------------------------------------- */

struct conn {
    int fd;
    long long deadline; /* CLOCK_MONOTONIC ms */
    struct eseal_buf in;
    size_t pos; /* consumed bytes of |in| */
    bool eof;
    const char *where; /* "host:port" for messages */
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* wait_fd polls |fd| for |events| until the deadline. */
static eseal_rc wait_fd(int fd, short events, long long deadline, const char *where,
                        struct eseal_err *err)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return eseal_err_set(err, ESEAL_E_UNAVAILABLE, "%s: timed out", where);
        struct pollfd p = {fd, events, 0};
        int r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
        if (r > 0)
            return ESEAL_OK;
        if (r < 0 && errno != EINTR)
            return eseal_err_set(err, ESEAL_E_IO, "%s: poll: %s", where, strerror(errno));
    }
}

static eseal_rc conn_open(struct conn *c, const struct url *u, struct eseal_err *err)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG | (u->ipv6 ? AI_NUMERICHOST : 0);
    int g = getaddrinfo(u->host, u->port, &hints, &res);
    if (g != 0)
        return eseal_err_set(err, ESEAL_E_UNAVAILABLE, "%s: cannot resolve: %s", c->where,
                             gai_strerror(g));
    eseal_rc rc = eseal_err_set(err, ESEAL_E_UNAVAILABLE, "%s: no address", c->where);
    for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
        int fd =
            socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            rc = eseal_err_set(err, ESEAL_E_IO, "%s: socket: %s", c->where, strerror(errno));
            continue;
        }
        int r = connect(fd, a->ai_addr, a->ai_addrlen);
        if (r != 0 && errno == EINPROGRESS) {
            rc = wait_fd(fd, POLLOUT, c->deadline, c->where, err);
            int soerr = 0;
            socklen_t sl = sizeof(soerr);
            if (rc == ESEAL_OK && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0) {
                errno = soerr;
                r = soerr == 0 ? 0 : -1;
            } else if (rc == ESEAL_OK) {
                r = -1;
            } else {
                close(fd);
                break; /* the deadline passed: no time for other addresses */
            }
        }
        if (r == 0) {
            c->fd = fd;
            rc = ESEAL_OK;
            break;
        }
        rc = eseal_err_set(err, ESEAL_E_UNAVAILABLE, "%s: connect: %s", c->where, strerror(errno));
        close(fd);
    }
    freeaddrinfo(res);
    return rc;
}

static eseal_rc conn_send(struct conn *c, const char *data, size_t len, struct eseal_err *err)
{
    while (len > 0) {
        ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            eseal_rc rc = wait_fd(c->fd, POLLOUT, c->deadline, c->where, err);
            if (rc != ESEAL_OK)
                return rc;
            continue;
        }
        return eseal_err_set(err, ESEAL_E_IO, "%s: send: %s", c->where, strerror(errno));
    }
    return ESEAL_OK;
}

/* conn_fill reads what is available (waiting up to the deadline); at the end
 * of the stream it sets |eof|. */
static eseal_rc conn_fill(struct conn *c, struct eseal_err *err)
{
    if (c->pos > 0 && c->pos == c->in.len) {
        c->pos = 0;
        c->in.len = 0;
    } else if (c->pos > 65536) {
        memmove(c->in.data, c->in.data + c->pos, c->in.len - c->pos);
        c->in.len -= c->pos;
        c->pos = 0;
    }
    eseal_buf_reserve(&c->in, 16384);
    for (;;) {
        ssize_t n = recv(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len - 1, 0);
        if (n > 0) {
            c->in.len += (size_t)n;
            c->in.data[c->in.len] = 0;
            return ESEAL_OK;
        }
        if (n == 0) {
            c->eof = true;
            return ESEAL_OK;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return eseal_err_set(err, ESEAL_E_IO, "%s: recv: %s", c->where, strerror(errno));
        eseal_rc rc = wait_fd(c->fd, POLLIN, c->deadline, c->where, err);
        if (rc != ESEAL_OK)
            return rc;
    }
}

static eseal_rc truncated(const struct conn *c, struct eseal_err *err)
{
    return eseal_err_set(err, ESEAL_E_IO, "%s: the connection closed mid-response", c->where);
}

/* conn_line returns the next line (CRLF or LF removed) of at most |max| bytes. */
static eseal_rc conn_line(struct conn *c, size_t max, const char **line, size_t *len,
                          struct eseal_err *err)
{
    size_t scanned = 0;
    for (;;) {
        const uint8_t *start = c->in.data + c->pos;
        size_t avail = c->in.len - c->pos;
        const uint8_t *nl = avail > scanned ? memchr(start + scanned, '\n', avail - scanned) : NULL;
        if (nl != NULL) {
            size_t n = (size_t)(nl - start);
            size_t l = n > 0 && start[n - 1] == '\r' ? n - 1 : n;
            if (l > max)
                break;
            *line = (const char *)start;
            *len = l;
            c->pos += n + 1;
            return ESEAL_OK;
        }
        scanned = avail;
        if (avail > max + 1) /* + 1: the CR of a line of |max| bytes */
            break;
        if (c->eof)
            return truncated(c, err);
        size_t before = c->pos;
        eseal_rc rc = conn_fill(c, err);
        if (rc != ESEAL_OK)
            return rc;
        if (c->pos != before) /* compacted */
            scanned = 0;
    }
    return eseal_err_set(err, ESEAL_E_IO, "%s: a response line is too long", c->where);
}

/* conn_take moves exactly |n| bytes (or, with |to_eof|, everything up to the
 * end of the stream) into |out|, which may not exceed |max|. */
static eseal_rc conn_take(struct conn *c, size_t n, bool to_eof, struct eseal_buf *out, size_t max,
                          struct eseal_err *err)
{
    for (;;) {
        size_t avail = c->in.len - c->pos;
        size_t want = to_eof ? avail : (n < avail ? n : avail);
        if (out->len + want > max)
            return eseal_err_set(err, ESEAL_E_TOOBIG, "%s: the response body exceeds %zu bytes",
                                 c->where, max);
        eseal_buf_append(out, c->in.data + c->pos, want);
        c->pos += want;
        if (!to_eof) {
            n -= want;
            if (n == 0)
                return ESEAL_OK;
        }
        if (c->eof)
            return to_eof ? ESEAL_OK : truncated(c, err);
        eseal_rc rc = conn_fill(c, err);
        if (rc != ESEAL_OK)
            return rc;
    }
}

/* ---- the response ------------------------------------------------------- */

struct head {
    unsigned status;
    bool chunked;
    bool have_length;
    unsigned long long length;
    size_t bytes;
};

static bool parse_dec(const char *s, size_t n, unsigned long long *out)
{
    if (n == 0 || n > 19)
        return false;
    unsigned long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned long long)(s[i] - '0');
    }
    *out = v;
    return true;
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static eseal_rc bad_response(const struct conn *c, struct eseal_err *err, const char *why)
{
    return eseal_err_set(err, ESEAL_E_IO, "%s: bad HTTP response: %s", c->where, why);
}

static eseal_rc header_field(struct conn *c, struct head *h, const char *line, size_t len,
                             struct eseal_err *err)
{
    const char *colon = memchr(line, ':', len);
    if (colon == NULL || colon == line)
        return bad_response(c, err, "malformed header line");
    size_t name_len = (size_t)(colon - line);
    const char *v = colon + 1;
    size_t v_len = len - name_len - 1;
    trim(&v, &v_len);
    if (name_len == 14 && strncasecmp(line, "content-length", 14) == 0) {
        unsigned long long n;
        if (!parse_dec(v, v_len, &n) || (h->have_length && n != h->length))
            return bad_response(c, err, "bad Content-Length");
        h->have_length = true;
        h->length = n;
    } else if (name_len == 17 && strncasecmp(line, "transfer-encoding", 17) == 0) {
        /* Only "chunked" (possibly after "identity") is understood. */
        const char *last = v;
        size_t last_len = v_len;
        const char *comma = NULL;
        for (size_t i = 0; i < v_len; i++)
            if (v[i] == ',')
                comma = v + i;
        if (comma != NULL) {
            last = comma + 1;
            last_len = (size_t)(v + v_len - last);
            trim(&last, &last_len);
        }
        if (last_len == 7 && strncasecmp(last, "chunked", 7) == 0)
            h->chunked = true;
        else if (!(last_len == 8 && strncasecmp(last, "identity", 8) == 0))
            return bad_response(c, err, "unsupported Transfer-Encoding");
    }
    return ESEAL_OK;
}

static eseal_rc read_head(struct conn *c, struct head *h, struct eseal_err *err)
{
    for (;;) { /* 1xx interim responses are skipped */
        memset(h, 0, sizeof(*h));
        const char *line;
        size_t len;
        eseal_rc rc = conn_line(c, ESEAL_HTTPC_MAX_HEAD, &line, &len, err);
        if (rc != ESEAL_OK)
            return rc;
        unsigned long long status;
        if (len < 12 || strncmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ' ||
            !parse_dec(line + 9, 3, &status) || (len > 12 && line[12] != ' ') || status < 100 ||
            status > 599)
            return bad_response(c, err, "malformed status line");
        h->status = (unsigned)status;
        h->bytes = len;
        for (;;) {
            rc = conn_line(c, ESEAL_HTTPC_MAX_HEAD, &line, &len, err);
            if (rc != ESEAL_OK)
                return rc;
            h->bytes += len + 2;
            if (h->bytes > ESEAL_HTTPC_MAX_HEAD)
                return bad_response(c, err, "the response head is too large");
            if (len == 0)
                break;
            if (line[0] == ' ' || line[0] == '\t')
                return bad_response(c, err, "folded header line");
            rc = header_field(c, h, line, len, err);
            if (rc != ESEAL_OK)
                return rc;
        }
        if (h->status >= 200 || h->status == 101)
            return h->status == 101 ? bad_response(c, err, "unexpected protocol switch") : ESEAL_OK;
    }
}

static eseal_rc read_chunked(struct conn *c, struct eseal_buf *body, size_t max,
                             struct eseal_err *err)
{
    for (;;) {
        const char *line;
        size_t len;
        eseal_rc rc = conn_line(c, 1024, &line, &len, err);
        if (rc != ESEAL_OK)
            return rc;
        size_t digits = 0;
        unsigned long long n = 0;
        while (digits < len && digits < 16) {
            char ch = line[digits];
            int v = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (v < 0)
                break;
            n = n * 16 + (unsigned long long)v;
            digits++;
        }
        if (digits == 0 ||
            (digits < len && line[digits] != ';' && line[digits] != ' ' && line[digits] != '\t'))
            return bad_response(c, err, "bad chunk size");
        if (n == 0)
            break;
        if (n > max - body->len)
            return eseal_err_set(err, ESEAL_E_TOOBIG, "%s: the response body exceeds %zu bytes",
                                 c->where, max);
        rc = conn_take(c, (size_t)n, false, body, max, err);
        if (rc == ESEAL_OK)
            rc = conn_line(c, 0, &line, &len, err); /* the CRLF after the data */
        if (rc != ESEAL_OK)
            return rc;
        if (len != 0)
            return bad_response(c, err, "chunk data longer than its size");
    }
    for (size_t bytes = 0;;) { /* trailers, up to the empty line */
        const char *line;
        size_t len;
        eseal_rc rc = conn_line(c, ESEAL_HTTPC_MAX_HEAD, &line, &len, err);
        if (rc != ESEAL_OK)
            return rc;
        if (len == 0)
            return ESEAL_OK;
        bytes += len + 2;
        if (bytes > ESEAL_HTTPC_MAX_HEAD)
            return bad_response(c, err, "trailers too large");
    }
}

/* is_tchar: RFC 9110 token characters. */
static bool is_tchar(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static bool is_token(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_tchar((unsigned char)s[i]))
            return false;
    return true;
}

/* check_request refuses what would make a malformed or smuggled request. */
static eseal_rc check_request(const struct eseal_httpc_request *r, struct eseal_err *err)
{
    if (!is_token(r->method, strlen(r->method)))
        return eseal_err_set(err, ESEAL_E_INVALID, "bad HTTP method");
    if (r->n_headers > ESEAL_HTTPC_MAX_HEADERS || (r->n_headers > 0 && r->headers == NULL))
        return eseal_err_set(err, ESEAL_E_INVALID, "too many request headers (at most %d)",
                             ESEAL_HTTPC_MAX_HEADERS);
    static const char *const reserved[] = {"host", "content-length", "transfer-encoding",
                                           "connection"};
    for (size_t i = 0; i < r->n_headers; i++) {
        const char *h = r->headers[i];
        const char *colon = h != NULL ? strchr(h, ':') : NULL;
        if (colon == NULL || !is_token(h, (size_t)(colon - h)))
            return eseal_err_set(err, ESEAL_E_INVALID, "request header %zu is not \"Name: value\"",
                                 i);
        for (const char *p = colon + 1; *p; p++)
            if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
                return eseal_err_set(err, ESEAL_E_INVALID,
                                     "request header %zu holds control characters", i);
        size_t name_len = (size_t)(colon - h);
        for (size_t k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++)
            if (strlen(reserved[k]) == name_len && strncasecmp(h, reserved[k], name_len) == 0)
                return eseal_err_set(err, ESEAL_E_INVALID,
                                     "request header %s is set by the client itself", reserved[k]);
    }
    if (r->content_type != NULL)
        for (const char *p = r->content_type; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return eseal_err_set(err, ESEAL_E_INVALID,
                                     "the content type holds control characters");
    return ESEAL_OK;
}

/* request_head writes the request line and headers into |out|. */
static eseal_rc request_head(struct eseal_buf *out, const struct eseal_httpc_request *r,
                             const struct url *u, struct eseal_err *err)
{
    bool default_port = strcmp(u->port, "80") == 0;
    eseal_buf_appendf(out, "%s %s HTTP/1.1\r\nHost: %s%s%s%s%s\r\n", r->method, u->target,
                      u->ipv6 ? "[" : "", u->host, u->ipv6 ? "]" : "", default_port ? "" : ":",
                      default_port ? "" : u->port);
    eseal_buf_append_str(out, "User-Agent: eseal/" ESEAL_VERSION "\r\nConnection: close\r\n");
    /* The caller's Accept replaces the default: a server reads only one. */
    bool accept = false;
    for (size_t i = 0; i < r->n_headers; i++) {
        eseal_buf_appendf(out, "%s\r\n", r->headers[i]);
        accept = accept || strncasecmp(r->headers[i], "Accept:", 7) == 0;
    }
    if (!accept)
        eseal_buf_append_str(out, "Accept: */*\r\n");
    if (r->content_type != NULL)
        eseal_buf_appendf(out, "Content-Type: %s\r\n", r->content_type);
    bool wants_length = r->body != NULL || strcmp(r->method, "POST") == 0 ||
                        strcmp(r->method, "PUT") == 0 || strcmp(r->method, "PATCH") == 0;
    if (wants_length)
        eseal_buf_appendf(out, "Content-Length: %zu\r\n", r->body != NULL ? r->body_len : 0);
    eseal_buf_append_str(out, "\r\n");
    if (out->len > ESEAL_HTTPC_MAX_HEAD)
        return eseal_err_set(err, ESEAL_E_INVALID, "the request head exceeds %d bytes",
                             ESEAL_HTTPC_MAX_HEAD);
    return ESEAL_OK;
}

eseal_rc eseal_httpc_request(const struct eseal_httpc_request *r,
                             const struct eseal_httpc_opts *opts, unsigned *status,
                             struct eseal_buf *body, struct eseal_err *err)
{
    *status = 0;
    eseal_buf_reset(body);
    struct eseal_httpc_request req = *r;
    if (req.method == NULL)
        req.method = "GET";
    if (req.url == NULL)
        return bad_url(err, "none given");
    unsigned timeout =
        opts != NULL && opts->timeout_ms != 0 ? opts->timeout_ms : ESEAL_HTTPC_TIMEOUT_MS;
    size_t max = opts != NULL && opts->max_body != 0 ? opts->max_body : ESEAL_HTTPC_MAX_BODY;
    eseal_rc rc = check_request(&req, err);
    if (rc != ESEAL_OK)
        return rc;
    struct url u;
    rc = url_parse(&u, req.url, err);
    if (rc != ESEAL_OK)
        return rc;
    struct eseal_buf head_out;
    eseal_buf_init(&head_out);
    rc = request_head(&head_out, &req, &u, err);
    if (rc != ESEAL_OK) {
        eseal_buf_cleanup(&head_out);
        free(u.target);
        return rc;
    }
    char *where = eseal_xasprintf(u.ipv6 ? "[%s]:%s" : "%s:%s", u.host, u.port);
    struct conn c = {.fd = -1, .deadline = now_ms() + timeout, .where = where};
    eseal_buf_init(&c.in);
    rc = conn_open(&c, &u, err);
    if (rc == ESEAL_OK)
        rc = conn_send(&c, (const char *)head_out.data, head_out.len, err);
    if (rc == ESEAL_OK && req.body != NULL && req.body_len > 0) {
        /* A server may answer (413, 401) and close without reading the
         * body: then its answer, if it arrives, is the result. */
        struct eseal_err send_err;
        eseal_err_clear(&send_err);
        eseal_rc sent = conn_send(&c, req.body, req.body_len, &send_err);
        if (sent != ESEAL_OK && sent != ESEAL_E_IO) {
            rc = sent;
            if (err != NULL)
                *err = send_err;
        }
    }
    struct head h;
    if (rc == ESEAL_OK)
        rc = read_head(&c, &h, err);
    if (rc == ESEAL_OK) {
        if (h.status == 204 || h.status == 304 || strcmp(req.method, "HEAD") == 0)
            ; /* no body by definition */
        else if (h.chunked)
            rc = read_chunked(&c, body, max, err);
        else if (h.have_length && h.length > max)
            rc = eseal_err_set(err, ESEAL_E_TOOBIG, "%s: the response body exceeds %zu bytes",
                               where, max);
        else if (h.have_length)
            rc = conn_take(&c, (size_t)h.length, false, body, max, err);
        else
            rc = conn_take(&c, 0, true, body, max, err);
    }
    if (rc == ESEAL_OK) {
        *status = h.status;
        eseal_buf_append(body, "", 0);
    } else {
        eseal_buf_reset(body);
    }
    if (c.fd >= 0)
        close(c.fd);
    eseal_buf_cleanup(&c.in);
    eseal_buf_cleanup(&head_out);
    free(where);
    free(u.target);
    return rc;
}

eseal_rc eseal_httpc_get(const char *url, const struct eseal_httpc_opts *opts, unsigned *status,
                         struct eseal_buf *body, struct eseal_err *err)
{
    struct eseal_httpc_request r = {.method = "GET", .url = url};
    return eseal_httpc_request(&r, opts, status, body, err);
}
