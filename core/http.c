/* http.c — the HTTP server adapter: routes, bounded bodies and replies over libmicrohttpd. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "eseal/buf.h"
#include "eseal/http.h"
#include "eseal/json.h"
#include "eseal/metrics.h"
#include "eseal/multipart.h"
#include "eseal/secret.h"

/* Idle connections are dropped after this many seconds so that slow or stuck
 * clients cannot hold worker slots forever. */
#define CONN_TIMEOUT_S ESEAL_HTTP_IDLE_TIMEOUT_S
/* Per-connection memory for MHD's request line, headers and I/O buffers: it
 * caps header size. Bodies are buffered by us, not here. */
#define CONN_MEMORY_LIMIT ESEAL_HTTP_CONN_MEMORY
#define DEFAULT_THREADS 4
/* Connections waiting for accept(): new-connection bursts (OCSP clients
 * open one per query) queue here instead of being refused. */
#define LISTEN_BACKLOG 1024
/* MHD's messages and refused requests are summed up at most this often. */
#define MALFORMED_REPORT_S 60
#define DEFAULT_OFFLOAD_THREADS 1
#define DEFAULT_OFFLOAD_QUEUE 8
/* The offload threads run at this nice value: on a small machine a burst of
 * password hashes must leave the CPU to the HTTP threads first. */
#define OFFLOAD_NICE 19
/* How much of an oversized chunked body we read and throw away so the client
 * can still get its 413; past this the connection is dropped. */
#define DISCARD_MAX (1024 * 1024)
/* The header watcher sleeps at most this long, so a connection that starts
 * waiting meanwhile (due at least a second later) is never seen late. */
#define WATCH_PERIOD_MS 1000

#define JSON_TYPE "application/json; charset=utf-8"

/* The latency histogram's upper bounds, seconds (Prometheus' defaults, with
 * a finer start: most answers are key lookups). */
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))
/* Statuses 100..599 are counted one by one. */
#define STATUS_MIN 100
#define STATUS_SLOTS 500

/* struct route_stats counts the requests one route row took (the last row
 * of eseal_http.stats: the requests no route took). */
struct route_stats {
    atomic_ullong status[STATUS_SLOTS];
    atomic_ullong bucket[N_BUCKETS]; /* not cumulative: summed when written */
    atomic_ullong count;
    atomic_ullong sum_us;
};

/* struct offload_pool runs eseal_http_offload's work: a ring of waiting
 * requests under |mu|, and its threads. */
struct offload_pool {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    struct eseal_http_req **ring;
    size_t cap, head, n;
    pthread_t *threads;
    unsigned n_threads;
    bool stop;
};

/* struct conn_watch is one connection as the header deadline sees it, from
 * libmicrohttpd's STARTED notice to its CLOSED notice (on header_watch's
 * list): its socket and, while a request's line and headers are awaited,
 * when they are due. */
struct conn_watch {
    struct conn_watch *prev, *next;
    int fd;
    bool waiting;     /* a request's line and headers are awaited */
    bool cut;         /* shut down for being late, and counted */
    long long due_ms; /* CLOCK_MONOTONIC */
};

/* struct header_watch bounds the header phase in total: libmicrohttpd's
 * timeout is an idle one, so one byte every few seconds would hold a
 * connection for ever. Its thread shuts down the connections on |head|
 * whose headers are late; everything here is under |mu|. */
struct header_watch {
    pthread_mutex_t mu;
    pthread_cond_t wake; /* CLOCK_MONOTONIC */
    struct conn_watch *head;
    long long deadline_ms; /* eseal_http_config.header_timeout_s */
    long long idle_ms;     /* CONN_TIMEOUT_S */
    pthread_t thread;
    bool running;
    bool stop;
};

struct eseal_http {
    struct MHD_Daemon *daemon;
    struct offload_pool pool;
    struct header_watch watch;
    const struct eseal_http_route *routes;
    size_t n_routes;
    void *app;
    size_t max_body;
    bool access_log;
    bool log_text; /* the access log in the human format, not JSON Lines */
    char *name;    /* Server header and log prefix */
    eseal_http_authorizer authorize;
    char *auth_challenge; /* may be NULL */
    uint16_t port;
    /* While starting, MHD's messages are also kept to explain a failure. */
    atomic_bool capture;
    char start_msg[256];
    /* GET /metrics: n_routes + 1 rows (eseal_http_metrics) */
    struct route_stats *stats;
    atomic_uint in_flight;
    char *spool_dir;
    /* Malformed requests and MHD's complaints: counted, summed up on stderr
     * at most every MALFORMED_REPORT_S (eseal_http_malformed). */
    atomic_ullong malformed;
    atomic_ullong malformed_reported;
    atomic_llong malformed_report_at;
};

/* struct path_params holds the parameters of one route match: names point
 * into the route's pattern, values into the request arena. */
struct path_params {
    size_t n;
    const char *name[ESEAL_HTTP_MAX_PARAMS];
    size_t name_len[ESEAL_HTTP_MAX_PARAMS];
    const char *value[ESEAL_HTTP_MAX_PARAMS];
};

/* One allocation of the request arena; |data| is aligned for any type. */
struct arena_block {
    struct arena_block *next;
    max_align_t data[];
};

struct reply_header {
    struct reply_header *next;
    const char *name;
    const char *value;
};

struct eseal_http_req {
    struct eseal_http *srv;
    struct MHD_Connection *con;
    struct conn_watch *watch; /* the connection's, NULL if unwatched */
    const struct eseal_http_route *route;
    struct arena_block *arena;
    struct reply_header *headers; /* pending, in the order they were set */
    struct reply_header **headers_tail;
    const char *uri; /* request target as sent, query included */
    const char *method;
    const char *path; /* percent-decoded, without the query */
    char **seg;       /* the path's segments, each percent-decoded */
    size_t n_seg;
    struct path_params params; /* of the matched route */
    void *user;                /* eseal_http_set_user */
    char client[INET6_ADDRSTRLEN];
    struct eseal_buf body;
    int spool_fd; /* -1, or the unlinked temporary file the body goes to */
    size_t spool_len;
    void *map; /* the spooled body mapped for the handler, map_len bytes */
    size_t map_len;
    /* a multipart/form-data body, parsed and its parts digested as it
     * arrives; NULL for other bodies and once eseal_http_multipart took it */
    struct eseal_multipart_scan *scan;
    time_t body_deadline; /* the body must be in by then */
    size_t max_body;
    size_t discarded;
    /* eseal_http_offload: the work, its context, and the handler that
     * replies once the connection is resumed */
    eseal_http_work work;
    void *work_ctx;
    eseal_http_handler then;
    bool started;
    bool too_big;
    bool close; /* ask MHD to close the connection after the reply */
    bool replied;
    unsigned status;
    size_t reply_len;
    struct timespec start;                  /* CLOCK_MONOTONIC, for the latency */
    char id[ESEAL_HTTP_REQUEST_ID_MAX + 1]; /* X-Request-Id */
};

/* ---- the header deadline ----------------------------------------------- */

static void count_malformed(struct eseal_http *srv);
static void report_malformed(struct eseal_http *srv, const char *msg);

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* watch_main shuts down every connection whose request line and headers
 * are not in by their due time, and counts each once. */
static void *watch_main(void *arg)
{
    struct eseal_http *srv = arg;
    struct header_watch *w = &srv->watch;
    char msg[96];
    snprintf(msg, sizeof(msg), "request line and headers not complete within %lld s",
             w->deadline_ms / 1000);
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        long long now = mono_ms(), next = now + WATCH_PERIOD_MS;
        bool cut = false;
        for (struct conn_watch *c = w->head; c != NULL; c = c->next) {
            if (!c->waiting || c->cut)
                continue;
            if (c->due_ms > now) {
                next = c->due_ms < next ? c->due_ms : next;
                continue;
            }
            /* Under |mu|, which the CLOSED notice takes to unlist |c|:
             * libmicrohttpd closes the socket only after that notice, so
             * |fd| is still this connection's, never a reused number.
             * Counted first: whoever sees the close sees the count. */
            count_malformed(srv);
            (void)shutdown(c->fd, SHUT_RDWR);
            c->cut = true;
            cut = true;
        }
        if (cut) { /* libmicrohttpd sees the end of the stream and closes */
            pthread_mutex_unlock(&w->mu);
            report_malformed(srv, msg);
            pthread_mutex_lock(&w->mu);
            continue;
        }
        struct timespec until = {.tv_sec = next / 1000, .tv_nsec = (next % 1000) * 1000000};
        pthread_cond_timedwait(&w->wake, &w->mu, &until);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* watch_start readies the connection list and starts its thread: false when
 * the thread cannot be made. watch_stop is safe after either. */
static bool watch_start(struct header_watch *w, struct eseal_http *srv, unsigned deadline_s)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&w->mu, NULL);
    w->deadline_ms = (long long)deadline_s * 1000;
    w->idle_ms = (long long)CONN_TIMEOUT_S * 1000;
    w->running = pthread_create(&w->thread, NULL, watch_main, srv) == 0;
    return w->running;
}

/* watch_stop joins the thread; call it after MHD_stop_daemon, whose CLOSED
 * notices empty the list. */
static void watch_stop(struct header_watch *w)
{
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->mu);
    if (w->running)
        pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->mu);
}

/* on_connection lists each connection while it lives: the first request's
 * line and headers are due header_timeout_s after the connection starts. */
static void on_connection(void *cls, struct MHD_Connection *con, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct header_watch *w = &((struct eseal_http *)cls)->watch;
    struct conn_watch *c = *socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (info == NULL)
            return; /* no socket to shut down: left to the idle timeout */
        c = eseal_xcalloc(1, sizeof(*c));
        c->fd = info->connect_fd;
        c->waiting = true;
        c->due_ms = mono_ms() + w->deadline_ms;
        pthread_mutex_lock(&w->mu);
        c->next = w->head;
        if (w->head != NULL)
            w->head->prev = c;
        w->head = c;
        pthread_mutex_unlock(&w->mu);
        *socket_context = c;
        return;
    }
    if (c == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        w->head = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&w->mu);
    free(c);
    *socket_context = NULL;
}

static struct conn_watch *watch_of(struct MHD_Connection *con)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info != NULL ? info->socket_context : NULL;
}

/* enum watch_event is what the request callbacks tell the header watch. */
enum watch_event {
    WATCH_REQUEST_LINE, /* a request line is in: the request began by now */
    WATCH_HEADERS_IN,   /* the headers are in: the body and reply have limits of their own */
    WATCH_REPLY_DONE,   /* the request is over; a keep-alive connection waits for the next */
};

/* watch_note moves |c|'s due time on |ev|. A request's headers are due
 * header_timeout_s after its request line at the latest. After a reply,
 * libmicrohttpd reads the next request's first bytes into its own buffer
 * unseen, so the idle wait stays the idle timeout's and the next headers
 * are due at most the idle timeout plus header_timeout_s later. */
static void watch_note(struct eseal_http *srv, struct conn_watch *c, enum watch_event ev)
{
    struct header_watch *w = &srv->watch;
    if (c == NULL)
        return;
    long long now = mono_ms();
    pthread_mutex_lock(&w->mu);
    switch (ev) {
    case WATCH_REQUEST_LINE:
        if (c->waiting && now + w->deadline_ms < c->due_ms)
            c->due_ms = now + w->deadline_ms;
        break;
    case WATCH_HEADERS_IN:
        c->waiting = false;
        break;
    case WATCH_REPLY_DONE:
        c->waiting = true;
        c->due_ms = now + w->idle_ms + w->deadline_ms;
        break;
    }
    pthread_mutex_unlock(&w->mu);
}

/* ---- per-request memory ------------------------------------------------ */

void *eseal_http_alloc(struct eseal_http_req *req, size_t n)
{
    /* An impossible size ends in the out-of-memory abort, not a wrap. */
    if (n > SIZE_MAX - sizeof(struct arena_block))
        n = SIZE_MAX - sizeof(struct arena_block);
    struct arena_block *b = eseal_xcalloc(1, sizeof(*b) + n);
    b->next = req->arena;
    req->arena = b;
    return b->data;
}

static char *req_strdup(struct eseal_http_req *req, const char *s)
{
    size_t n = strlen(s);
    char *p = eseal_http_alloc(req, n + 1);
    memcpy(p, s, n);
    return p;
}

static void client_address(struct eseal_http_req *req)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    strcpy(req->client, "-");
    if (info == NULL || info->client_addr == NULL)
        return;
    const struct sockaddr *sa = info->client_addr;
    const void *addr = NULL;
    if (sa->sa_family == AF_INET)
        addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    else if (sa->sa_family == AF_INET6)
        addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    if (addr == NULL || inet_ntop(sa->sa_family, addr, req->client, sizeof(req->client)) == NULL)
        strcpy(req->client, "-");
}

static struct eseal_http_req *req_new(struct eseal_http *srv, struct MHD_Connection *con,
                                      const char *uri)
{
    struct eseal_http_req *req = eseal_xcalloc(1, sizeof(*req));
    req->srv = srv;
    req->con = con;
    req->watch = watch_of(con);
    req->headers_tail = &req->headers;
    req->uri = req_strdup(req, uri != NULL ? uri : "");
    req->method = "-"; /* for the log, should the request die before its headers */
    req->path = "";
    req->spool_fd = -1;
    client_address(req);
    eseal_buf_init(&req->body);
    clock_gettime(CLOCK_MONOTONIC, &req->start);
    uint8_t rnd[16];
    eseal_random(rnd, sizeof(rnd));
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(req->id + 2 * i, 3, "%02x", rnd[i]);
    atomic_fetch_add(&srv->in_flight, 1);
    return req;
}

static void req_free(struct eseal_http_req *req)
{
    struct arena_block *b = req->arena;
    while (b != NULL) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    eseal_buf_cleanup(&req->body);
    if (req->map != NULL)
        munmap(req->map, req->map_len);
    if (req->spool_fd >= 0)
        close(req->spool_fd);
    eseal_multipart_scan_free(req->scan);
    free(req);
}

/* ---- request accessors ------------------------------------------------- */

const char *eseal_http_method(const struct eseal_http_req *req)
{
    return req->method;
}

const char *eseal_http_path(const struct eseal_http_req *req)
{
    return req->path;
}

const char *eseal_http_target(const struct eseal_http_req *req)
{
    return req->uri;
}

const char *eseal_http_param(const struct eseal_http_req *req, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < req->params.n; i++)
        if (req->params.name_len[i] == n && memcmp(req->params.name[i], name, n) == 0)
            return req->params.value[i];
    return NULL;
}

void eseal_http_set_user(struct eseal_http_req *req, void *user)
{
    req->user = user;
}

void *eseal_http_user(const struct eseal_http_req *req)
{
    return req->user;
}

struct query_find {
    const char *name;
    const char *value;
};

static enum MHD_Result query_match(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    struct query_find *q = cls;
    if (key == NULL || strcmp(key, q->name) != 0)
        return MHD_YES;
    q->value = value != NULL ? value : "";
    return MHD_NO;
}

const char *eseal_http_query(const struct eseal_http_req *req, const char *name)
{
    /* Walked by hand: MHD's lookup ignores case, but query names are exact. */
    struct query_find q = {name, NULL};
    MHD_get_connection_values_n(req->con, MHD_GET_ARGUMENT_KIND, query_match, &q);
    return q.value;
}

const char *eseal_http_header(const struct eseal_http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->con, MHD_HEADER_KIND, name);
}

const char *eseal_http_cookie(const struct eseal_http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->con, MHD_COOKIE_KIND, name);
}

const uint8_t *eseal_http_body(const struct eseal_http_req *req, size_t *len)
{
    if (req->map != NULL) {
        if (len != NULL)
            *len = req->spool_len;
        return req->map;
    }
    if (len != NULL)
        *len = req->body.len;
    return req->body.data != NULL ? req->body.data : (const uint8_t *)"";
}

eseal_rc eseal_http_multipart(struct eseal_http_req *req, struct eseal_multipart *mp,
                              size_t max_parts, struct eseal_err *err)
{
    size_t len;
    const uint8_t *body = eseal_http_body(req, &len);
    if (req->scan == NULL) /* not multipart (the parse says so), or asked again */
        return eseal_multipart_parse(mp, eseal_http_header(req, "Content-Type"), body, len,
                                     max_parts, err);
    eseal_rc rc = eseal_multipart_scan_finish(req->scan, mp, body, len, max_parts, err);
    eseal_multipart_scan_free(req->scan);
    req->scan = NULL;
    return rc;
}

const char *eseal_http_client(const struct eseal_http_req *req)
{
    return req->client;
}

const char *eseal_http_request_id(const struct eseal_http_req *req)
{
    return req->id;
}

/* take_request_id adopts the caller's X-Request-Id (a proxy's, so that one
 * request is followed through several daemons) when it is a short token of
 * letters, digits and ".-_:"; anything else keeps the id made here. */
static void take_request_id(struct eseal_http_req *req)
{
    const char *v = MHD_lookup_connection_value(req->con, MHD_HEADER_KIND, "X-Request-Id");
    if (v == NULL)
        return;
    size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:");
    if (n == 0 || v[n] != '\0' || n > ESEAL_HTTP_REQUEST_ID_MAX)
        return;
    memcpy(req->id, v, n + 1);
}

/* ---- replies ----------------------------------------------------------- */

void eseal_http_set_header(struct eseal_http_req *req, const char *name, const char *value)
{
    struct reply_header *h = eseal_http_alloc(req, sizeof(*h));
    h->name = req_strdup(req, name);
    h->value = req_strdup(req, value);
    *req->headers_tail = h;
    req->headers_tail = &h->next;
}

static bool has_header(const struct eseal_http_req *req, const char *name)
{
    for (const struct reply_header *h = req->headers; h != NULL; h = h->next)
        if (strcasecmp(h->name, name) == 0)
            return true;
    return false;
}

static bool add_headers(const struct eseal_http_req *req, struct MHD_Response *resp,
                        unsigned status, const char *content_type)
{
    const char *server = req->srv->name != NULL ? req->srv->name : "eseal";
    if (content_type != NULL &&
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type) != MHD_YES)
        return false;
    if (MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") != MHD_YES ||
        MHD_add_response_header(resp, "Referrer-Policy", "no-referrer") != MHD_YES ||
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SERVER, server) != MHD_YES ||
        MHD_add_response_header(resp, "X-Request-Id", req->id) != MHD_YES)
        return false;
    /* MHD refuses names and values with CR, LF and the like: no header
     * injection gets through, the reply fails instead. */
    for (const struct reply_header *h = req->headers; h != NULL; h = h->next) {
        if (MHD_add_response_header(resp, h->name, h->value) != MHD_YES)
            return false;
    }
    /* RFC 9110 §15.5.2: a 401 says how to authenticate. */
    if (status == 401 && req->srv->auth_challenge != NULL &&
        !has_header(req, MHD_HTTP_HEADER_WWW_AUTHENTICATE) &&
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, req->srv->auth_challenge) !=
            MHD_YES)
        return false;
    if (req->close && MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close") != MHD_YES)
        return false;
    return true;
}

eseal_rc eseal_http_reply(struct eseal_http_req *req, unsigned status, const char *content_type,
                          const void *body, size_t len)
{
    if (req->replied || status < 200 || status > 599)
        return ESEAL_E_INTERNAL;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, (void *)(body != NULL ? body : ""), MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return ESEAL_E_INTERNAL;
    eseal_rc rc = ESEAL_E_INTERNAL;
    if (add_headers(req, resp, status, content_type) &&
        MHD_queue_response(req->con, status, resp) == MHD_YES) {
        req->replied = true;
        req->status = status;
        req->reply_len = len;
        rc = ESEAL_OK;
    }
    MHD_destroy_response(resp); /* MHD keeps its own reference when queued */
    return rc;
}

eseal_rc eseal_http_reply_json(struct eseal_http_req *req, unsigned status, json_t *body)
{
    if (body == NULL)
        return ESEAL_E_INTERNAL;
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (text == NULL)
        return ESEAL_E_INTERNAL;
    eseal_rc rc = eseal_http_reply(req, status, JSON_TYPE, text, strlen(text));
    free(text);
    return rc;
}

/* utf8_seq_len returns the length of the well-formed UTF-8 sequence at |s|
 * (|n| bytes available), or 0 if there is none. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
        min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3;
        cp = c & 0x0f;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* utf8_clean copies |s| replacing ill-formed bytes with U+FFFD: Jansson
 * rejects them, and messages may quote client input or be cut mid-character. */
static void utf8_clean(struct eseal_buf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    eseal_buf_append(out, "", 0);
    while (n > 0) {
        size_t len = utf8_seq_len(p, n);
        if (len == 0) {
            eseal_buf_append_str(out, "\xef\xbf\xbd");
            len = 1;
        } else {
            eseal_buf_append(out, p, len);
        }
        p += len;
        n -= len;
    }
}

static eseal_rc reply_error_status(struct eseal_http_req *req, unsigned status, eseal_rc rc,
                                   const char *message)
{
    struct eseal_buf msg;
    eseal_buf_init(&msg);
    utf8_clean(&msg, message != NULL ? message : "");
    json_t *body = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", eseal_rc_name(rc), "message",
                             (const char *)msg.data, "description", eseal_rc_describe(rc));
    eseal_buf_cleanup(&msg);
    return eseal_http_reply_json(req, status, body);
}

eseal_rc eseal_http_reply_error(struct eseal_http_req *req, eseal_rc rc, const char *message)
{
    return reply_error_status(req, eseal_http_status(rc), rc, message);
}

unsigned eseal_http_status(eseal_rc rc)
{
    /* clang-format off */
    static const unsigned table[] = {
        [ESEAL_OK] = 200,
        [ESEAL_E_INVALID] = 400,
        [ESEAL_E_NOTFOUND] = 404,
        [ESEAL_E_CONFLICT] = 409,
        [ESEAL_E_DENIED] = 403,
        [ESEAL_E_CRYPTO] = 422,
        [ESEAL_E_IO] = 500,
        [ESEAL_E_TOOBIG] = 413,
        [ESEAL_E_UNAVAILABLE] = 503,
        [ESEAL_E_INTERNAL] = 500,
        [ESEAL_E_RULE] = 422,
        [ESEAL_E_UNAUTH] = 401,
        [ESEAL_E_CSRF] = 403,
        [ESEAL_E_THROTTLED] = 429,
    };
    /* clang-format on */
    if ((unsigned)rc >= sizeof(table) / sizeof(table[0]))
        return 500;
    return table[rc];
}

/* ---- routing ----------------------------------------------------------- */

/* pattern_param reads the parameter segment |seg| (|len| bytes) of a
 * pattern: "{name}" or, with *rest set, "{name*}". False for a literal. */
static bool pattern_param(const char *seg, size_t len, const char **name, size_t *name_len,
                          bool *rest)
{
    if (len < 3 || seg[0] != '{' || seg[len - 1] != '}')
        return false;
    *rest = seg[len - 2] == '*';
    *name = seg + 1;
    *name_len = len - 2 - (*rest ? 1 : 0);
    return true;
}

static bool dot_segment(const char *s)
{
    return strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
}

/* path_match matches the request's segments against |pattern| (http.h
 * says how) and, when it matches and |out| is not NULL, fills |out|. */
static bool path_match(struct eseal_http_req *req, const char *pattern, struct path_params *out)
{
    struct path_params pp = {0};
    const char *p = pattern + 1; /* patterns start with '/' (check_config) */
    size_t i = 0;
    for (;; i++) {
        size_t len = strcspn(p, "/");
        if (i >= req->n_seg)
            return false;
        const char *seg = req->seg[i], *name;
        size_t name_len;
        bool rest;
        if (!pattern_param(p, len, &name, &name_len, &rest)) {
            if (strlen(seg) != len || memcmp(seg, p, len) != 0)
                return false;
        } else if (rest) {
            /* the rest, slashes included: the decoded segments joined again */
            size_t total = 0;
            for (size_t k = i; k < req->n_seg; k++) {
                if (dot_segment(req->seg[k]))
                    return false;
                total += strlen(req->seg[k]) + 1;
            }
            if (out != NULL) {
                char *v = eseal_http_alloc(req, total);
                for (size_t k = i; k < req->n_seg; k++) {
                    if (k > i)
                        strcat(v, "/");
                    strcat(v, req->seg[k]);
                }
                pp.name[pp.n] = name;
                pp.name_len[pp.n] = name_len;
                pp.value[pp.n++] = v;
            }
            i = req->n_seg - 1;
        } else {
            if (seg[0] == '\0' || dot_segment(seg) || strchr(seg, '/') != NULL ||
                strlen(seg) > ESEAL_HTTP_PARAM_MAX)
                return false;
            pp.name[pp.n] = name;
            pp.name_len[pp.n] = name_len;
            pp.value[pp.n++] = seg;
        }
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    if (i + 1 != req->n_seg)
        return false;
    if (out != NULL)
        *out = pp;
    return true;
}

/* pattern_valid checks a route's path pattern once, at start. */
static bool pattern_valid(const char *pattern)
{
    if (pattern[0] != '/')
        return false;
    if (strcmp(pattern, "/") == 0)
        return true;
    size_t params = 0;
    const char *p = pattern + 1;
    for (;;) {
        size_t len = strcspn(p, "/");
        const char *name;
        size_t name_len;
        bool rest;
        if (len == 0)
            return false; /* "//" or a trailing '/' could never match a parameter-free path */
        if (pattern_param(p, len, &name, &name_len, &rest)) {
            if (name_len == 0 || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_") != name_len)
                return false;
            if (++params > ESEAL_HTTP_MAX_PARAMS || (rest && p[len] != '\0'))
                return false;
        } else if (memchr(p, '{', len) != NULL || memchr(p, '}', len) != NULL ||
                   memchr(p, '%', len) != NULL) {
            return false;
        }
        if (p[len] == '\0')
            return true;
        p += len + 1;
    }
}

static bool method_matches(const char *route_method, const char *method)
{
    return strcmp(route_method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

static void allow_add(struct eseal_buf *allow, const char *method)
{
    /* The list is short; a linear search for duplicates is enough. */
    size_t n = strlen(method);
    const char *p = (const char *)allow->data;
    while (p != NULL && *p != '\0') {
        if (strncmp(p, method, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return;
        p = strchr(p, ',');
        p = p != NULL ? p + 2 : NULL;
    }
    if (allow->len > 0)
        eseal_buf_append_str(allow, ", ");
    eseal_buf_append_str(allow, method);
}

/* reply_not_allowed answers 405 listing the methods that |path| has. */
static eseal_rc reply_not_allowed(struct eseal_http_req *req)
{
    struct eseal_http *srv = req->srv;
    struct eseal_buf allow;
    eseal_buf_init(&allow);
    for (size_t i = 0; i < srv->n_routes; i++) {
        if (!path_match(req, srv->routes[i].path, NULL))
            continue;
        allow_add(&allow, srv->routes[i].method);
        if (strcmp(srv->routes[i].method, "GET") == 0)
            allow_add(&allow, "HEAD");
    }
    eseal_http_set_header(req, "Allow", (const char *)allow.data);
    eseal_buf_cleanup(&allow);
    return reply_error_status(req, 405, ESEAL_E_INVALID, "method not allowed for this path");
}

/* route_find sets req->route, or replies 404 or 405 and returns false. */
static bool route_find(struct eseal_http_req *req, eseal_rc *rc)
{
    struct eseal_http *srv = req->srv;
    bool path_known = false;
    for (size_t i = 0; i < srv->n_routes; i++) {
        const struct eseal_http_route *r = &srv->routes[i];
        if (!method_matches(r->method, req->method)) {
            path_known = path_known || path_match(req, r->path, NULL);
            continue;
        }
        if (path_match(req, r->path, &req->params)) {
            req->route = r;
            return true;
        }
    }
    if (path_known)
        *rc = reply_not_allowed(req);
    else
        *rc = eseal_http_reply_error(req, ESEAL_E_NOTFOUND, "no such resource");
    return false;
}

void eseal_http_routes_print(FILE *out, const struct eseal_http_route *routes, size_t n_routes,
                             size_t default_max_body)
{
    fputs("| method | path | permission | body limit (bytes) |\n|---|---|---|---|\n", out);
    for (size_t i = 0; i < n_routes; i++) {
        const struct eseal_http_route *r = &routes[i];
        fprintf(out, "| %s | `%s` | %s | %zu |\n", r->method, r->path, r->perm,
                r->max_body != 0 ? r->max_body : default_max_body);
    }
}

/* ---- request processing ------------------------------------------------ */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* decode percent-decodes |n| bytes at |s| into the request arena. Escapes
 * must be complete and must not make a NUL, which would silently cut the
 * text short. */
static char *decode(struct eseal_http_req *req, const char *s, size_t n)
{
    char *out = eseal_http_alloc(req, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0)
                return NULL;
            c = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            if (c == '\0')
                return NULL;
            i += 2;
        }
        out[j++] = c;
    }
    return out;
}

/* path_decode sets req->path from the raw target, and req->seg: the raw
 * path split at '/' and then each segment decoded, so that an encoded
 * slash stays inside its segment. */
static bool path_decode(struct eseal_http_req *req)
{
    size_t n = strcspn(req->uri, "?");
    if ((req->path = decode(req, req->uri, n)) == NULL)
        return false;
    if (req->uri[0] != '/')
        return true; /* no segments: no route matches */
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += req->uri[i] == '/';
    req->seg = eseal_http_alloc(req, count * sizeof(*req->seg));
    const char *p = req->uri + 1, *end = req->uri + n;
    for (;;) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *stop = slash != NULL ? slash : end;
        if ((req->seg[req->n_seg++] = decode(req, p, (size_t)(stop - p))) == NULL)
            return false;
        if (slash == NULL)
            return true;
        p = slash + 1;
    }
}

static enum MHD_Result query_check(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    bool *bad = cls;
    if (key == NULL || strlen(key) != key_size || (value != NULL && strlen(value) != value_size)) {
        *bad = true;
        return MHD_NO;
    }
    return MHD_YES;
}

/* query_has_nul is true when a decoded query name or value holds a NUL:
 * handlers see C strings, so such a value would not be what was sent. */
static bool query_has_nul(struct MHD_Connection *con)
{
    bool bad = false;
    MHD_get_connection_values_n(con, MHD_GET_ARGUMENT_KIND, query_check, &bad);
    return bad;
}

/* struct framing is what the headers say about the body's framing. */
struct framing {
    unsigned n_headers;
    const char *length; /* the first Content-Length, or NULL */
    bool lengths_differ;
    bool chunked; /* a Transfer-Encoding was sent */
    unsigned n_hosts;
    bool host_bad; /* a Host that is not a host[:port] */
};

/* host_valid tells whether |s| (|n| bytes) can be a Host field: a reg-name,
 * IPv4 or [IP-literal] with an optional port (RFC 3986 §3.2.2), nothing a
 * handler building a URL from it could be surprised by. */
static bool host_valid(const char *s, size_t n)
{
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789-._~%!$&'()*+,;=:[]";
    return n > 0 && n <= 255 && strspn(s, allowed) == n;
}

static enum MHD_Result framing_scan(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
    struct framing *f = cls;
    f->n_headers++;
    if (key == NULL || value == NULL)
        return MHD_YES;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        if (f->length != NULL && strcmp(f->length, value) != 0)
            f->lengths_differ = true;
        if (f->length == NULL)
            f->length = value;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        f->chunked = true;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0) {
        f->n_hosts++;
        f->host_bad = f->host_bad || !host_valid(value, value_size);
    }
    return MHD_YES;
}

/* declared_length reads Content-Length: false when there is none or it is
 * malformed (MHD itself refuses the latter); an overflow reads as SIZE_MAX. */
static bool declared_length(const struct framing *f, size_t *out)
{
    const char *cl = f->length;
    if (cl == NULL || *cl < '0' || *cl > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(cl, &end, 10);
    if (*end != '\0')
        return false;
    *out = errno == ERANGE || n > SIZE_MAX ? SIZE_MAX : (size_t)n;
    return true;
}

static void count_malformed(struct eseal_http *srv)
{
    atomic_fetch_add(&srv->malformed, 1);
}

static enum MHD_Result queued(eseal_rc rc);

/* reply_malformed refuses a request whose framing or headers cannot be
 * trusted: counted, not logged, and the connection closed after the reply. */
static enum MHD_Result reply_malformed(struct eseal_http_req *req, unsigned status,
                                       const char *message)
{
    count_malformed(req->srv);
    req->close = true;
    eseal_rc rc = status == 431 ? ESEAL_E_TOOBIG : ESEAL_E_INVALID;
    return queued(reply_error_status(req, status, rc, message));
}

/* ---- large bodies go to a temporary file -------------------------------- */

/* spool_open gives the request an unlinked 0600 file in the spool
 * directory: nothing is left behind whatever happens to the process. */
static bool spool_open(struct eseal_http_req *req)
{
    const char *dir = req->srv->spool_dir;
    req->spool_fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (req->spool_fd >= 0)
        return true;
    /* a file system without O_TMPFILE: a named file, unlinked at once */
    size_t n = strlen(dir) + sizeof("/eseal-body.XXXXXX");
    char *path = eseal_http_alloc(req, n);
    snprintf(path, n, "%s/eseal-body.XXXXXX", dir);
    req->spool_fd = mkostemp(path, O_CLOEXEC);
    if (req->spool_fd < 0)
        return false;
    unlink(path);
    return true;
}

static bool spool_write(struct eseal_http_req *req, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = write(req->spool_fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        data += w;
        n -= (size_t)w;
        req->spool_len += (size_t)w;
    }
    return true;
}

/* spool_map maps the spooled body read-only, one NUL past its end as
 * eseal_http_body promises. */
static bool spool_map(struct eseal_http_req *req)
{
    size_t len = req->spool_len;
    if (!spool_write(req, "", 1))
        return false;
    req->spool_len = len;
    void *m = mmap(NULL, len + 1, PROT_READ, MAP_PRIVATE, req->spool_fd, 0);
    if (m == MAP_FAILED)
        return false;
    req->map = m;
    req->map_len = len + 1;
    return true;
}

static enum MHD_Result queued(eseal_rc rc)
{
    return rc == ESEAL_OK ? MHD_YES : MHD_NO;
}

static enum MHD_Result reply_too_big(struct eseal_http_req *req)
{
    char msg[96];
    snprintf(msg, sizeof(msg), "the request body exceeds the limit of %zu bytes", req->max_body);
    req->close = true;
    return queued(eseal_http_reply_error(req, ESEAL_E_TOOBIG, msg));
}

/* authorize asks the configuration's hook whether the caller holds the
 * route's permission; false when it does not and a reply went out. */
static bool authorize(struct eseal_http_req *req, eseal_rc *rc)
{
    const char *perm = req->route->perm;
    if (strcmp(perm, ESEAL_HTTP_PUBLIC) == 0)
        return true;
    struct eseal_err err;
    eseal_err_clear(&err);
    *rc = req->srv->authorize(req, req->srv->app, perm, &err);
    if (*rc == ESEAL_OK && !req->replied)
        return true;
    if (req->replied) {
        *rc = ESEAL_OK;
        return false;
    }
    *rc = eseal_http_reply_error(req, *rc, err.msg[0] != '\0' ? err.msg : eseal_rc_describe(*rc));
    return false;
}

/* req_begin runs once the headers are in: it checks the target, picks the
 * route, refuses a declared oversized body and checks the permission, all
 * before any of the body is read or the handler runs. */
static enum MHD_Result req_begin(struct eseal_http_req *req, struct MHD_Connection *con,
                                 const char *method, const char *version)
{
    req->started = true;
    watch_note(req->srv, req->watch, WATCH_HEADERS_IN);
    req->method = req_strdup(req, method);
    take_request_id(req);
    struct framing f = {0};
    MHD_get_connection_values_n(con, MHD_HEADER_KIND, framing_scan, &f);
    if (f.n_headers > ESEAL_HTTP_MAX_HEADERS)
        return reply_malformed(req, 431, "请求头过多 / too many header fields");
    /* RFC 9112 §6.3: either is how request smuggling starts */
    if (f.lengths_differ)
        return reply_malformed(req, 400, "Content-Length 不一致 / conflicting Content-Length");
    if (f.length != NULL && f.chunked)
        return reply_malformed(req, 400,
                               "Content-Length 与 Transfer-Encoding 并存 / Content-Length "
                               "with Transfer-Encoding");
    /* RFC 9112 §3.2: an HTTP/1.1 request without exactly one valid Host is 400 */
    if (f.n_hosts > 1 || f.host_bad ||
        (f.n_hosts == 0 && strcmp(version, MHD_HTTP_VERSION_1_1) == 0))
        return reply_malformed(req, 400, "Host 无效 / missing or invalid Host");
    if (!path_decode(req))
        return reply_malformed(req, 400, "malformed escape or NUL in the path");
    if (query_has_nul(con))
        return reply_malformed(req, 400, "NUL in the query");
    eseal_rc rc = ESEAL_OK;
    if (!route_find(req, &rc))
        return queued(rc);
    req->max_body = req->route->max_body != 0 ? req->route->max_body : req->srv->max_body;
    size_t declared = 0;
    bool has_length = declared_length(&f, &declared);
    if (has_length && declared > req->max_body)
        return reply_too_big(req);
    if (!authorize(req, &rc))
        return queued(rc);
    size_t expect = has_length ? declared : f.chunked ? req->max_body : 0;
    req->body_deadline =
        time(NULL) + ESEAL_HTTP_BODY_GRACE_S + (time_t)(expect / ESEAL_HTTP_BODY_MIN_RATE);
    if (expect > ESEAL_HTTP_SPOOL_MIN && req->max_body > ESEAL_HTTP_SPOOL_MIN && !spool_open(req))
        return queued(eseal_http_reply_error(req, ESEAL_E_UNAVAILABLE,
                                             "暂时无法接收请求体 / cannot take the body now"));
    /* A multipart body is parsed and its parts digested as it arrives, so
     * a large upload is not read a second time to hash it. */
    static const char multipart[] = "multipart/form-data";
    const char *ct = eseal_http_header(req, "Content-Type");
    if (expect > 0 && ct != NULL && strncasecmp(ct, multipart, sizeof(multipart) - 1) == 0)
        req->scan = eseal_multipart_scan_new(ct);
    return MHD_YES;
}

static enum MHD_Result req_take_body(struct eseal_http_req *req, const char *data,
                                     size_t *data_size)
{
    size_t n = *data_size;
    *data_size = 0;
    if (time(NULL) > req->body_deadline) {
        count_malformed(req->srv); /* too slow: the connection is dropped */
        return MHD_NO;
    }
    if (req->too_big) {
        /* MHD cannot queue a reply mid-body, so the rest is read and
         * dropped; a client that keeps sending loses the connection. */
        req->discarded += n;
        return req->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
    }
    size_t have = req->spool_fd >= 0 ? req->spool_len : req->body.len;
    if (n > req->max_body - have) {
        req->too_big = true;
        eseal_buf_cleanup(&req->body);
        return MHD_YES;
    }
    if (req->spool_fd >= 0 && !spool_write(req, data, n))
        return MHD_NO;
    if (req->spool_fd < 0)
        eseal_buf_append(&req->body, data, n);
    if (req->scan != NULL) /* the bytes just kept, no more, no fewer */
        eseal_multipart_scan_feed(req->scan, (const uint8_t *)data, n);
    return MHD_YES;
}

/* req_finish calls the handler once the whole body is in, and replies for
 * it when it did not. */
static enum MHD_Result req_finish(struct eseal_http_req *req)
{
    eseal_http_handler handler = req->route->handler;
    if (req->then != NULL) { /* resumed after eseal_http_offload */
        handler = req->then;
        req->then = NULL;
    } else {
        if (req->too_big)
            return reply_too_big(req);
        if (req->spool_fd >= 0 && !spool_map(req))
            return queued(eseal_http_reply_error(req, ESEAL_E_UNAVAILABLE,
                                                 "暂时无法读取请求体 / cannot read the body now"));
        eseal_buf_append(&req->body, "", 0); /* NUL-terminated even when empty */
    }
    struct eseal_err err;
    eseal_err_clear(&err);
    eseal_rc rc = handler(req, req->srv->app, &err);
    if (req->replied || (rc == ESEAL_OK && req->then != NULL))
        return MHD_YES; /* replied, or suspended until the offload is done */
    const char *msg = err.msg[0] != '\0' ? err.msg : eseal_rc_describe(rc);
    if (rc == ESEAL_OK) {
        rc = ESEAL_E_INTERNAL;
        msg = "the handler did not reply";
    }
    if (eseal_http_reply_error(req, rc, msg) == ESEAL_OK)
        return MHD_YES;
    /* A header the handler set may be what made the reply fail. */
    req->headers = NULL;
    req->headers_tail = &req->headers;
    return queued(eseal_http_reply_error(req, rc, msg));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct eseal_http_req *req = *req_cls;
    if (req == NULL) /* on_uri always runs first; this keeps a miss harmless */
        *req_cls = req = req_new(cls, con, url);
    if (!req->started)
        return req_begin(req, con, method, version);
    if (req->replied) {
        *upload_data_size = 0; /* a refused body still being read */
        return MHD_YES;
    }
    if (*upload_data_size > 0)
        return req_take_body(req, upload_data, upload_data_size);
    return req_finish(req);
}

/* on_uri creates the request as soon as the request line is read: it sees
 * the target before MHD decodes it in place, and MHD then promises to call
 * on_completed whatever happens next. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
    struct eseal_http_req *req = req_new(cls, con, uri);
    watch_note(req->srv, req->watch, WATCH_REQUEST_LINE);
    return req;
}

static void log_field(struct eseal_buf *out, const char *s, size_t n)
{
    /* Request bytes are the client's: escape whatever could forge a line. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\')
            eseal_buf_appendf(out, "\\x%02x", c);
        else
            eseal_buf_append(out, &c, 1);
    }
}

/* log_request writes the access log line. The query is left out: it may
 * carry tokens. */
static void log_request(const struct eseal_http_req *req)
{
    char when[ESEAL_JSON_TIME_BUF];
    eseal_json_time_now(when, sizeof(when), false);
    struct eseal_buf line;
    eseal_buf_init(&line);
    eseal_buf_appendf(&line, "%s %s %s ", when, req->srv->name != NULL ? req->srv->name : "eseal",
                      req->client);
    log_field(&line, req->method, strlen(req->method));
    eseal_buf_append_str(&line, " ");
    log_field(&line, req->uri, strcspn(req->uri, "?"));
    if (req->replied) /* MHD sends no body for HEAD */
        eseal_buf_appendf(&line, " %u %zu\n", req->status,
                          strcmp(req->method, "HEAD") == 0 ? 0 : req->reply_len);
    else
        eseal_buf_append_str(&line, " - 0\n");
    fputs((const char *)line.data, stderr); /* one call: lines do not interleave */
    eseal_buf_cleanup(&line);
}

/* log_request_json writes the access log as one JSON object per line:
 * the route's pattern rather than the path, so no identifier, query or
 * body a client sent reaches the log (docs/operations.md). */
static void log_request_json(const struct eseal_http_req *req, double seconds)
{
    char when[ESEAL_JSON_TIME_BUF];
    eseal_json_time_now(when, sizeof(when), true);
    unsigned status = req->replied ? req->status : 0;
    json_t *j = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s?,s:I,s:f,s:I}", "time", when, "level",
        status >= 500 || status == 0 ? "error" : "info", "component",
        req->srv->name != NULL ? req->srv->name : "eseal", "requestId", req->id, "method",
        req->route != NULL ? req->route->method : "-", "route",
        req->route != NULL ? req->route->path : NULL, "status", (json_int_t)status, "durationMs",
        seconds * 1000.0, "bytes",
        (json_int_t)(req->replied && strcmp(req->method, "HEAD") != 0 ? req->reply_len : 0));
    char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (text != NULL)
        fprintf(stderr, "%s\n", text); /* one call: lines do not interleave */
    free(text);
}

/* count_request adds the finished request to the server's metrics. */
static void count_request(struct eseal_http_req *req, double seconds)
{
    struct eseal_http *srv = req->srv;
    size_t row = req->route != NULL ? (size_t)(req->route - srv->routes) : srv->n_routes;
    struct route_stats *st = &srv->stats[row];
    if (req->replied && req->status >= STATUS_MIN && req->status < STATUS_MIN + STATUS_SLOTS)
        atomic_fetch_add(&st->status[req->status - STATUS_MIN], 1);
    size_t b = 0;
    while (b < N_BUCKETS && seconds > buckets[b])
        b++;
    if (b < N_BUCKETS)
        atomic_fetch_add(&st->bucket[b], 1);
    atomic_fetch_add(&st->count, 1);
    atomic_fetch_add(&st->sum_us, (unsigned long long)(seconds * 1e6));
}

/* on_completed is the one place request memory is freed. */
static void on_completed(void *cls, struct MHD_Connection *con, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct eseal_http_req *req = *req_cls;
    if (req == NULL)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double seconds =
        (double)(now.tv_sec - req->start.tv_sec) + (double)(now.tv_nsec - req->start.tv_nsec) / 1e9;
    count_request(req, seconds);
    atomic_fetch_sub(&req->srv->in_flight, 1);
    if (req->srv->access_log && req->srv->log_text)
        log_request(req);
    else if (req->srv->access_log)
        log_request_json(req, seconds);
    watch_note(req->srv, req->watch, WATCH_REPLY_DONE);
    req_free(req);
    *req_cls = NULL;
}

/* ---- the offload pool --------------------------------------------------- */

static void *offload_main(void *arg)
{
    struct offload_pool *p = arg;
    /* Linux: the nice value of one thread (best effort) */
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), OFFLOAD_NICE);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->n == 0 && !p->stop)
            pthread_cond_wait(&p->wake, &p->mu);
        if (p->n == 0)
            break; /* stopping, and nothing left */
        struct eseal_http_req *req = p->ring[p->head];
        p->head = (p->head + 1) % p->cap;
        p->n--;
        pthread_mutex_unlock(&p->mu);
        req->work(req->work_ctx);
        MHD_resume_connection(req->con); /* req_finish then runs req->then */
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

eseal_rc eseal_http_offload(struct eseal_http_req *req, eseal_http_work work, void *ctx,
                            eseal_http_handler then)
{
    struct offload_pool *p = &req->srv->pool;
    if (req->then != NULL || work == NULL || then == NULL)
        return ESEAL_E_INTERNAL;
    pthread_mutex_lock(&p->mu);
    if (p->stop || p->n == p->cap || p->n_threads == 0) {
        pthread_mutex_unlock(&p->mu);
        return ESEAL_E_UNAVAILABLE;
    }
    req->work = work;
    req->work_ctx = ctx;
    req->then = then;
    /* suspended before a worker can see it, so the resume comes after */
    MHD_suspend_connection(req->con);
    p->ring[(p->head + p->n) % p->cap] = req;
    p->n++;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->mu);
    return ESEAL_OK;
}

void *eseal_http_offload_ctx(const struct eseal_http_req *req)
{
    return req->work_ctx;
}

static void pool_start(struct offload_pool *p, unsigned threads, size_t queue)
{
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    p->cap = queue;
    p->ring = eseal_xcalloc(queue, sizeof(*p->ring));
    p->threads = eseal_xcalloc(threads, sizeof(*p->threads));
    for (unsigned i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, offload_main, p) != 0)
            break; /* fewer threads; none: eseal_http_offload refuses */
        p->n_threads++;
    }
}

/* pool_stop lets the threads finish (and resume) what is queued, joins
 * them: after it no thread touches a request. */
static void pool_stop(struct offload_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    free(p->ring);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->mu);
}

/* ---- the daemon -------------------------------------------------------- */

/* closed_midway tells libmicrohttpd's reports of a connection that ended
 * while a request was being read: the client went away, or the header
 * deadline shut it down (and counted it there). Nothing was refused, so
 * they are not counted; matched on libmicrohttpd's wording, which another
 * version may change (they are then counted like its other messages). */
static bool closed_midway(const char *fmt)
{
    static const char *const prefixes[] = {
        "Connection socket is closed when reading request",
        "Socket has been disconnected when reading request",
        "Connection was closed by remote side with incomplete request",
    };
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (strncmp(fmt, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) ESEAL_PRINTF(2, 0);

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct eseal_http *srv = cls;
    char msg[sizeof(srv->start_msg)];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    msg[strcspn(msg, "\r\n")] = '\0';
    const char *name = srv->name != NULL ? srv->name : "eseal";
    if (atomic_load(&srv->capture)) {
        memcpy(srv->start_msg, msg, sizeof(msg));
        fprintf(stderr, "%s: http: %s\n", name, msg);
        return;
    }
    /* Once serving, MHD speaks of what clients did wrong (bad request
     * lines, too large headers, the connection caps): a stranger must not
     * be able to fill the log, so these are counted and summed up. */
    if (closed_midway(fmt))
        return;
    count_malformed(srv);
    report_malformed(srv, msg);
}

/* report_malformed sums up the refused requests counted so far on stderr,
 * at most every MALFORMED_REPORT_S, |msg| saying what the latest was. */
static void report_malformed(struct eseal_http *srv, const char *msg)
{
    long long now = (long long)time(NULL);
    long long at = atomic_load(&srv->malformed_report_at);
    if (now - at < MALFORMED_REPORT_S ||
        !atomic_compare_exchange_strong(&srv->malformed_report_at, &at, now))
        return;
    unsigned long long total = atomic_load(&srv->malformed);
    unsigned long long before = atomic_exchange(&srv->malformed_reported, total);
    /* One call, so that lines from several threads do not interleave. */
    fprintf(stderr,
            "%s: http: %llu malformed or refused requests since the last report, %llu in "
            "all; the latest: %s\n",
            srv->name != NULL ? srv->name : "eseal", total - before, total, msg);
}

unsigned long long eseal_http_malformed(const struct eseal_http *srv)
{
    return atomic_load(&srv->malformed);
}

static eseal_rc check_config(const struct eseal_http_config *cfg, struct eseal_err *err)
{
    if (cfg == NULL || (cfg->routes == NULL && cfg->n_routes > 0))
        return eseal_err_set(err, ESEAL_E_INVALID, "http: no configuration or routes");
    for (size_t i = 0; i < cfg->n_routes; i++) {
        const struct eseal_http_route *r = &cfg->routes[i];
        if (r->method == NULL || r->path == NULL || r->perm == NULL || r->handler == NULL)
            return eseal_err_set(err, ESEAL_E_INVALID, "http: route %zu is incomplete", i);
        if (!pattern_valid(r->path))
            return eseal_err_set(err, ESEAL_E_INVALID, "http: route %s %s: bad path pattern",
                                 r->method, r->path);
        if (strcmp(r->perm, ESEAL_HTTP_PUBLIC) != 0 && cfg->authorize == NULL)
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "http: route %s %s needs permission %s but nothing checks it",
                                 r->method, r->path, r->perm);
    }
    return ESEAL_OK;
}

static eseal_rc parse_address(struct sockaddr_storage *ss, const char *address, uint16_t port,
                              struct eseal_err *err)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    memset(ss, 0, sizeof(*ss));
    if (inet_pton(AF_INET, address, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        return ESEAL_OK;
    }
    if (inet_pton(AF_INET6, address, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        return ESEAL_OK;
    }
    return eseal_err_set(err, ESEAL_E_INVALID, "http: %s is not an IPv4 or IPv6 address", address);
}

static struct MHD_Daemon *daemon_start(struct eseal_http *srv, const struct sockaddr_storage *ss,
                                       unsigned threads, unsigned max_conn, unsigned max_per_ip)
{
    /* A thread pool, each thread polling its share of the connections with
     * epoll (MHD_USE_AUTO picks it on Linux); turbo skips the per-accept
     * fcntl calls and the shutdown() before close, which new-connection
     * clients (OCSP) pay for on every request. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
                     MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME;
    /* Dual stack so that "::" means every address, as it does on Linux. */
    if (ss->ss_family == AF_INET6)
        flags |= MHD_USE_DUAL_STACK;
    /* The logger goes first so that MHD's messages about the other options
     * reach it too. */
    return MHD_start_daemon(
        flags, srv->port, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
        MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONN_MEMORY_LIMIT, MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        srv, MHD_OPTION_CONNECTION_LIMIT, max_conn, MHD_OPTION_PER_IP_CONNECTION_LIMIT, max_per_ip,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)LISTEN_BACKLOG, MHD_OPTION_END);
}

eseal_rc eseal_http_start(struct eseal_http **out, const struct eseal_http_config *cfg,
                          struct eseal_err *err)
{
    *out = NULL;
    eseal_rc rc = check_config(cfg, err);
    if (rc != ESEAL_OK)
        return rc;
    const char *address = cfg->address != NULL ? cfg->address : "127.0.0.1";
    struct sockaddr_storage ss;
    rc = parse_address(&ss, address, cfg->port, err);
    if (rc != ESEAL_OK)
        return rc;
    struct eseal_http *srv = eseal_xcalloc(1, sizeof(*srv));
    srv->routes = cfg->routes;
    srv->n_routes = cfg->n_routes;
    srv->app = cfg->app;
    srv->max_body = cfg->max_body != 0 ? cfg->max_body : ESEAL_HTTP_DEFAULT_MAX_BODY;
    srv->access_log = cfg->access_log;
    srv->log_text = cfg->log_text;
    srv->stats = eseal_xcalloc(cfg->n_routes + 1, sizeof(*srv->stats));
    atomic_init(&srv->in_flight, 0);
    srv->authorize = cfg->authorize;
    srv->auth_challenge = cfg->auth_challenge != NULL ? eseal_xstrdup(cfg->auth_challenge) : NULL;
    srv->name = cfg->name != NULL ? eseal_xstrdup(cfg->name) : NULL;
    srv->port = cfg->port;
    const char *spool = cfg->spool_dir != NULL ? cfg->spool_dir : getenv("TMPDIR");
    srv->spool_dir = eseal_xstrdup(spool != NULL && spool[0] != '\0' ? spool : "/tmp");
    pool_start(&srv->pool,
               cfg->offload_threads != 0 ? cfg->offload_threads : DEFAULT_OFFLOAD_THREADS,
               cfg->offload_queue != 0 ? cfg->offload_queue : DEFAULT_OFFLOAD_QUEUE);
    atomic_init(&srv->capture, true);
    atomic_init(&srv->malformed, 0);
    atomic_init(&srv->malformed_reported, 0);
    atomic_init(&srv->malformed_report_at, 0);
    if (!watch_start(&srv->watch, srv,
                     cfg->header_timeout_s != 0 ? cfg->header_timeout_s
                                                : ESEAL_HTTP_HEADER_TIMEOUT_S)) {
        eseal_http_stop(srv);
        return eseal_err_set(err, ESEAL_E_IO, "http: cannot start the header deadline's thread");
    }
    unsigned threads = cfg->threads != 0 ? cfg->threads : DEFAULT_THREADS;
    unsigned max_conn =
        cfg->max_connections != 0 ? cfg->max_connections : ESEAL_HTTP_DEFAULT_MAX_CONNECTIONS;
    if (max_conn < threads) /* MHD shares the cap out among the threads */
        max_conn = threads;
    srv->daemon =
        daemon_start(srv, &ss, threads, max_conn,
                     cfg->max_per_ip != 0 ? cfg->max_per_ip : ESEAL_HTTP_DEFAULT_MAX_PER_IP);
    atomic_store(&srv->capture, false);
    if (srv->daemon == NULL) {
        rc = eseal_err_set(err, ESEAL_E_IO, "http: cannot listen on %s port %u%s%s", address,
                           (unsigned)cfg->port, srv->start_msg[0] != '\0' ? ": " : "",
                           srv->start_msg);
        eseal_http_stop(srv);
        return rc;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (info != NULL && info->port != 0)
        srv->port = info->port;
    *out = srv;
    return ESEAL_OK;
}

uint16_t eseal_http_port(const struct eseal_http *srv)
{
    return srv->port;
}

void eseal_http_stop(struct eseal_http *srv)
{
    if (srv == NULL)
        return;
    pool_stop(&srv->pool); /* its requests are resumed before MHD stops */
    /* Joins the worker threads; open requests reach on_completed first. */
    if (srv->daemon != NULL)
        MHD_stop_daemon(srv->daemon);
    watch_stop(&srv->watch); /* after MHD: its CLOSED notices take the lock */
    free(srv->name);
    free(srv->auth_challenge);
    free(srv->stats);
    free(srv->spool_dir);
    free(srv);
}

/* ---- metrics ----------------------------------------------------------- */

void eseal_http_metrics(const struct eseal_http_req *req, struct eseal_buf *out)
{
    const struct eseal_http *srv = req->srv;
    static const char *const names[] = {"route", "method", "status", "le"};
    eseal_metrics_family(out, "eseal_http_requests_total", "counter",
                         "HTTP requests answered, by route pattern, method and status");
    for (size_t r = 0; r <= srv->n_routes; r++) {
        const char *v[3] = {r < srv->n_routes ? srv->routes[r].path : "unmatched",
                            r < srv->n_routes ? srv->routes[r].method : "", NULL};
        char status[8];
        for (unsigned s = 0; s < STATUS_SLOTS; s++) {
            unsigned long long n = atomic_load(&srv->stats[r].status[s]);
            if (n == 0)
                continue;
            snprintf(status, sizeof(status), "%u", s + STATUS_MIN);
            v[2] = status;
            eseal_metrics_sample(out, "eseal_http_requests_total", names, v, 3, (double)n);
        }
    }
    eseal_metrics_family(out, "eseal_http_request_duration_seconds", "histogram",
                         "time from the request line to the end of the reply, by route pattern");
    for (size_t r = 0; r <= srv->n_routes; r++) {
        const struct route_stats *st = &srv->stats[r];
        unsigned long long count = atomic_load(&st->count);
        if (count == 0)
            continue;
        const char *v[3] = {r < srv->n_routes ? srv->routes[r].path : "unmatched",
                            r < srv->n_routes ? srv->routes[r].method : "", NULL};
        const char *hnames[] = {names[0], names[1], names[3]};
        unsigned long long cum = 0;
        char le[32];
        for (size_t b = 0; b < N_BUCKETS; b++) {
            cum += atomic_load(&st->bucket[b]);
            snprintf(le, sizeof(le), "%g", buckets[b]);
            v[2] = le;
            eseal_metrics_sample(out, "eseal_http_request_duration_seconds_bucket", hnames, v, 3,
                                 (double)cum);
        }
        /* read after the buckets: +Inf is never below a bucket */
        if (count < cum)
            count = cum;
        v[2] = "+Inf";
        eseal_metrics_sample(out, "eseal_http_request_duration_seconds_bucket", hnames, v, 3,
                             (double)count);
        eseal_metrics_sample(out, "eseal_http_request_duration_seconds_sum", names, v, 2,
                             (double)atomic_load(&st->sum_us) / 1e6);
        eseal_metrics_sample(out, "eseal_http_request_duration_seconds_count", names, v, 2,
                             (double)count);
    }
    eseal_metrics_one(out, "eseal_http_requests_in_flight", "gauge",
                      "requests being read, handled or answered (this one included)",
                      (double)atomic_load(&srv->in_flight));
}
