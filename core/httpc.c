/* httpc.c — the HTTP(S) client adapter over libcurl: one easy handle per
 * request, libcurl's results turned into eseal_rc at this boundary. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "eseal/httpc.h"

/* ---- process set-up ------------------------------------------------------ */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;
/* Written only by eseal_httpc_init, before threads start (see httpc.h). */
static char *default_ca_file;

static void global_init(void)
{
    /* curl_global_init is not thread-safe on every build: run it exactly once. */
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static eseal_rc ready(struct eseal_err *err)
{
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "libcurl 初始化失败 / libcurl init failed: %s",
                             curl_easy_strerror(global_rc));
    return ESEAL_OK;
}

eseal_rc eseal_httpc_init(const char *ca_file, struct eseal_err *err)
{
    eseal_rc rc = ready(err);
    if (rc != ESEAL_OK)
        return rc;
    if (ca_file != NULL) {
        FILE *f = fopen(ca_file, "r");
        if (f == NULL)
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "无法读取 CA 文件 / cannot read the CA file %s", ca_file);
        fclose(f);
    }
    free(default_ca_file);
    default_ca_file = ca_file != NULL ? eseal_xstrdup(ca_file) : NULL;
    return ESEAL_OK;
}

/* ---- checking a request before anything is sent ----------------------- */

static eseal_rc bad_url(struct eseal_err *err, const char *url, const char *why)
{
    return eseal_err_set(err, ESEAL_E_INVALID, "地址无效 / bad URL \"%.200s\": %s", url, why);
}

/* parse_url checks |url| with libcurl's own parser, so what is checked is
 * what is fetched, and returns the parsed handle in *out. */
static eseal_rc parse_url(CURLU **out, const char *url, struct eseal_err *err)
{
    *out = NULL;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return bad_url(err, url, "spaces or control characters");
    CURLU *u = curl_url();
    if (u == NULL)
        abort(); /* out of memory */
    eseal_rc rc = ESEAL_OK;
    char *part = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        rc = bad_url(err, url, "not a URL of the form http(s)://host[:port][/path][?query]");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_SCHEME, &part, 0) != CURLUE_OK ||
        (strcmp(part, "http") != 0 && strcmp(part, "https") != 0)) {
        rc = bad_url(err, url, "must start with http:// or https://");
        goto out;
    }
    curl_free(part);
    part = NULL;
    if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK) {
        rc = bad_url(err, url, "user information is not allowed");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK) {
        rc = bad_url(err, url, "fragments are not allowed");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_PORT, &part, 0) == CURLUE_OK && strcmp(part, "0") == 0) {
        rc = bad_url(err, url, "bad port");
        goto out;
    }
out:
    curl_free(part);
    if (rc != ESEAL_OK)
        curl_url_cleanup(u);
    else
        *out = u;
    return rc;
}

static bool is_tchar(unsigned char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
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

static bool has_ctl(const char *s, bool tab_ok)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && !(tab_ok && *s == '\t')) || *s == 0x7f)
            return true;
    return false;
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
    size_t head = strlen(r->method) + strlen(r->url);
    for (size_t i = 0; i < r->n_headers; i++) {
        const char *h = r->headers[i];
        const char *colon = h != NULL ? strchr(h, ':') : NULL;
        if (colon == NULL || !is_token(h, (size_t)(colon - h)))
            return eseal_err_set(err, ESEAL_E_INVALID, "request header %zu is not \"Name: value\"",
                                 i);
        if (has_ctl(colon + 1, true))
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "request header %zu holds control characters", i);
        size_t name_len = (size_t)(colon - h);
        for (size_t k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++)
            if (strlen(reserved[k]) == name_len && strncasecmp(h, reserved[k], name_len) == 0)
                return eseal_err_set(err, ESEAL_E_INVALID,
                                     "request header %s is set by the client itself", reserved[k]);
        head += strlen(h) + 2;
    }
    if (r->content_type != NULL) {
        if (has_ctl(r->content_type, false))
            return eseal_err_set(err, ESEAL_E_INVALID, "the content type holds control characters");
        head += strlen(r->content_type);
    }
    if (head > ESEAL_HTTPC_MAX_HEAD)
        return eseal_err_set(err, ESEAL_E_INVALID, "the request head exceeds %d bytes",
                             ESEAL_HTTPC_MAX_HEAD);
    return ESEAL_OK;
}

/* ---- one transfer -------------------------------------------------------- */

struct sink {
    struct eseal_buf *body;
    size_t max;
    size_t head; /* response header bytes so far */
    bool body_big, head_big;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t len = size * n;
    if (len > s->max - s->body->len) {
        s->body_big = true;
        return 0; /* aborts the transfer */
    }
    eseal_buf_append(s->body, p, len);
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t len = size * n;
    s->head += len;
    if (s->head > ESEAL_HTTPC_MAX_HEAD) {
        s->head_big = true;
        return 0;
    }
    return len;
}

static struct curl_slist *list_add(struct curl_slist *l, const char *line)
{
    struct curl_slist *n = curl_slist_append(l, line);
    if (n == NULL)
        abort(); /* out of memory */
    return n;
}

/* transfer_error turns libcurl's result into an eseal_rc with a message. */
static eseal_rc transfer_error(CURLcode c, const struct sink *s, const char *url,
                               const char *ca_file, const char *detail, struct eseal_err *err)
{
    if (detail[0] == '\0')
        detail = curl_easy_strerror(c);
    if (s->body_big || c == CURLE_FILESIZE_EXCEEDED)
        return eseal_err_set(err, ESEAL_E_TOOBIG,
                             "响应过大 / %.200s: the response body exceeds %zu bytes", url, s->max);
    if (s->head_big)
        return eseal_err_set(err, ESEAL_E_IO,
                             "响应头过大 / %.200s: the response head exceeds %d bytes", url,
                             ESEAL_HTTPC_MAX_HEAD);
    switch (c) {
    case CURLE_OPERATION_TIMEDOUT:
        return eseal_err_set(err, ESEAL_E_UNAVAILABLE, "请求超时 / %.200s: timed out (%s)", url,
                             detail);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return eseal_err_set(err, ESEAL_E_UNAVAILABLE,
                             "无法解析主机名 / %.200s: the host name does not resolve (%s)", url,
                             detail);
    case CURLE_COULDNT_CONNECT:
        return eseal_err_set(err, ESEAL_E_UNAVAILABLE, "无法连接 / %.200s: cannot connect (%s)",
                             url, detail);
    case CURLE_PEER_FAILED_VERIFICATION:
        return eseal_err_set(err, ESEAL_E_CRYPTO,
                             "服务器的 TLS 证书不受信任 / %.200s: the server's TLS certificate "
                             "is not trusted by %s%s (%s)",
                             url, ca_file != NULL ? "the CA file " : "the system CA store",
                             ca_file != NULL ? ca_file : "", detail);
    case CURLE_SSL_CACERT_BADFILE:
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "无法读取 CA 文件 / cannot read the CA file %s (%s)",
                             ca_file != NULL ? ca_file : "(system)", detail);
    case CURLE_SSL_CONNECT_ERROR:
        return eseal_err_set(err, ESEAL_E_IO,
                             "TLS 握手失败 / %.200s: the TLS handshake failed (%s)", url, detail);
    case CURLE_URL_MALFORMAT:
        return bad_url(err, url, detail);
    default:
        return eseal_err_set(err, ESEAL_E_IO,
                             "HTTP 响应无效或连接中断 / %.200s: bad or broken response (%s)", url,
                             detail);
    }
}

/* set_method sets the method and body of |h|; |hdrs| gets the content type. */
static void set_method(CURL *h, const struct eseal_httpc_request *r)
{
    bool is_post = strcmp(r->method, "POST") == 0;
    bool sends_body = r->body != NULL || is_post || strcmp(r->method, "PUT") == 0 ||
                      strcmp(r->method, "PATCH") == 0;
    if (strcmp(r->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (sends_body) {
        /* POSTFIELDS sends the bytes with a Content-Length, whatever the
         * method name CUSTOMREQUEST puts on the request line. */
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(r->body != NULL ? r->body_len : 0));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body != NULL ? r->body : "");
        if (!is_post)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
    } else if (strcmp(r->method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
    }
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
        return bad_url(err, "", "none given");
    eseal_rc rc = ready(err);
    if (rc == ESEAL_OK)
        rc = check_request(&req, err);
    CURLU *u = NULL;
    if (rc == ESEAL_OK)
        rc = parse_url(&u, req.url, err);
    if (rc != ESEAL_OK)
        return rc;
    unsigned timeout =
        opts != NULL && opts->timeout_ms != 0 ? opts->timeout_ms : ESEAL_HTTPC_TIMEOUT_MS;
    const char *ca_file = opts != NULL && opts->ca_file != NULL ? opts->ca_file : default_ca_file;
    struct sink s = {.body = body,
                     .max = opts != NULL && opts->max_body != 0 ? opts->max_body
                                                                : ESEAL_HTTPC_MAX_BODY};

    CURL *h = curl_easy_init();
    if (h == NULL)
        abort(); /* out of memory */
    struct curl_slist *hdrs = NULL;
    for (size_t i = 0; i < req.n_headers; i++)
        hdrs = list_add(hdrs, req.headers[i]);
    char *ct = eseal_xasprintf("Content-Type:%s%s", req.content_type != NULL ? " " : "",
                               req.content_type != NULL ? req.content_type : "");
    hdrs = list_add(hdrs, ct); /* "Content-Type:" alone: libcurl sends none */
    free(ct);
    char detail[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_CURLU, u);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM */
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s.max);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "eseal/" ESEAL_VERSION);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, detail);
    if (ca_file != NULL)
        curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
    set_method(h, &req);

    CURLcode c = curl_easy_perform(h);
    if (c == CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        *status = (unsigned)code;
        eseal_buf_append(body, "", 0); /* the NUL after the body */
    } else {
        rc = transfer_error(c, &s, req.url, ca_file, detail, err);
        eseal_buf_reset(body);
    }
    curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    curl_url_cleanup(u);
    return rc;
}

eseal_rc eseal_httpc_get(const char *url, const struct eseal_httpc_opts *opts, unsigned *status,
                         struct eseal_buf *body, struct eseal_err *err)
{
    struct eseal_httpc_request r = {.method = "GET", .url = url};
    return eseal_httpc_request(&r, opts, status, body, err);
}

char *eseal_httpc_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, (int)strlen(s));
    if (e == NULL)
        abort(); /* only out of memory */
    char *out = eseal_xstrdup(e);
    curl_free(e);
    return out;
}
