/* multipart.c — multipart/form-data (RFC 7578): a bounded scanner fed the
 * body in chunks as it arrives, digesting each part's data on the way
 * (parts point into the body, names are copied), and the builder clients
 * use to send one. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eseal/buf.h"
#include "eseal/enc.h"
#include "eseal/multipart.h"
#include "eseal/secret.h"
#include "eseal/sm.h"

void eseal_multipart_init(struct eseal_multipart *mp)
{
    mp->parts = NULL;
    mp->n = 0;
}

static void part_clear(struct eseal_multipart_part *part)
{
    free(part->name);
    free(part->filename);
    free(part->content_type);
    part->name = part->filename = part->content_type = NULL;
}

void eseal_multipart_cleanup(struct eseal_multipart *mp)
{
    for (size_t i = 0; i < mp->n; i++)
        part_clear(&mp->parts[i]);
    free(mp->parts);
    eseal_multipart_init(mp);
}

const struct eseal_multipart_part *eseal_multipart_find(const struct eseal_multipart *mp,
                                                        const char *name)
{
    for (size_t i = 0; i < mp->n; i++)
        if (strcmp(mp->parts[i].name, name) == 0)
            return &mp->parts[i];
    return NULL;
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* param_value reads a token or a quoted string at *pp (up to |end|) into a
 * new string; NULL if malformed. Quoted strings may escape with '\'. */
static char *param_value(const char **pp, const char *end)
{
    const char *p = *pp;
    struct eseal_buf v;
    eseal_buf_init(&v);
    if (p < end && *p == '"') {
        for (p++; p < end && *p != '"'; p++) {
            if (*p == '\\' && p + 1 < end)
                p++;
            if ((unsigned char)*p < 0x20)
                goto bad;
            eseal_buf_append(&v, p, 1);
        }
        if (p >= end)
            goto bad;
        p++;
    } else {
        const char *s = p;
        while (p < end && *p != ';' && *p != ' ' && *p != '\t' && (unsigned char)*p > 0x20)
            p++;
        if (p == s)
            goto bad;
        eseal_buf_append(&v, s, (size_t)(p - s));
    }
    *pp = p;
    if (v.data == NULL)
        return eseal_xstrdup("");
    return (char *)eseal_buf_steal(&v, NULL);
bad:
    eseal_buf_cleanup(&v);
    return NULL;
}

/* struct param_cb is called by each_param for every "key=value". */
typedef bool (*param_fn)(void *ctx, const char *key, size_t key_len, char *value);

/* each_param walks "; key=value" parameters from |p| to |end|. */
static bool each_param(const char *p, const char *end, param_fn fn, void *ctx)
{
    for (;;) {
        p = skip_ws(p, end);
        if (p == end)
            return true;
        if (*p != ';')
            return false;
        p = skip_ws(p + 1, end);
        const char *k = p;
        while (p < end && *p != '=' && *p != ';' && *p != ' ')
            p++;
        if (p == k || p >= end || *p != '=')
            return false;
        size_t klen = (size_t)(p - k);
        p++;
        char *v = param_value(&p, end);
        if (v == NULL || !fn(ctx, k, klen, v))
            return false;
    }
}

static bool key_is(const char *k, size_t klen, const char *want)
{
    return strlen(want) == klen && strncasecmp(k, want, klen) == 0;
}

static bool boundary_param(void *ctx, const char *k, size_t klen, char *v)
{
    char **out = ctx;
    if (key_is(k, klen, "boundary")) {
        free(*out);
        *out = v;
    } else {
        free(v);
    }
    return true;
}

static bool disposition_param(void *ctx, const char *k, size_t klen, char *v)
{
    struct eseal_multipart_part *part = ctx;
    char **slot = NULL;
    if (key_is(k, klen, "name"))
        slot = &part->name;
    else if (key_is(k, klen, "filename"))
        slot = &part->filename;
    if (slot == NULL) {
        free(v);
        return true;
    }
    if (*slot != NULL) { /* a repeated parameter is ambiguous */
        free(v);
        return false;
    }
    *slot = v;
    return true;
}

static bool boundary_ok(const char *b)
{
    size_t n = strlen(b);
    if (n == 0 || n > ESEAL_MULTIPART_BOUNDARY_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)b[i] < 0x20 || (unsigned char)b[i] > 0x7e)
            return false;
    return true;
}

/* parse_headers reads the header block [p, end) of one part into |part|. */
static eseal_rc parse_headers(struct eseal_multipart_part *part, const char *p, const char *end,
                              size_t index, struct eseal_err *err)
{
    bool disposition = false;
    while (p < end) {
        const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (eol == NULL)
            eol = end;
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon == NULL || colon == p)
            return eseal_err_set(err, ESEAL_E_INVALID, "multipart: part %zu: malformed header line",
                                 index + 1);
        size_t nlen = (size_t)(colon - p);
        const char *v = skip_ws(colon + 1, eol);
        if (key_is(p, nlen, "Content-Disposition")) {
            const char *semi = v;
            while (semi < eol && *semi != ';' && *semi != ' ')
                semi++;
            if (disposition || !key_is(v, (size_t)(semi - v), "form-data") ||
                !each_param(semi, eol, disposition_param, part))
                return eseal_err_set(err, ESEAL_E_INVALID,
                                     "multipart: part %zu: Content-Disposition must be form-data "
                                     "with one name",
                                     index + 1);
            disposition = true;
        } else if (key_is(p, nlen, "Content-Type")) {
            const char *e = eol;
            while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            free(part->content_type);
            part->content_type = eseal_xstrndup(v, (size_t)(e - v));
        }
        p = eol == end ? end : eol + 2;
    }
    if (part->name == NULL || part->name[0] == '\0')
        return eseal_err_set(err, ESEAL_E_INVALID, "multipart: part %zu has no name", index + 1);
    return ESEAL_OK;
}

/* ---- scanning ------------------------------------------------------------ */

/* Where the scanner is in the body. */
enum scan_state {
    SCAN_PREAMBLE,    /* looking for the first delimiter */
    SCAN_AFTER_DELIM, /* "--" ends the body, else padding and CRLF */
    SCAN_DASH,        /* one '-' of the closing "--" seen */
    SCAN_PAD,         /* padding after a delimiter */
    SCAN_LF,          /* the CR of a boundary line's CRLF seen */
    SCAN_HEADERS,     /* in a part's header block */
    SCAN_DATA,        /* in a part's data, looking for the next delimiter */
    SCAN_DONE,        /* the closing delimiter seen; the rest is ignored */
    SCAN_FAILED,      /* err says why */
};

struct eseal_multipart_scan {
    enum scan_state state;
    /* delim is CRLF "--" boundary. The boundary holds no CR (boundary_ok),
     * so after a mismatch the search restarts at the current byte: the
     * matched bytes are a prefix of delim and belong to the data. */
    char delim[ESEAL_MULTIPART_BOUNDARY_MAX + 5];
    size_t dlen;
    size_t matched; /* bytes of delim matched so far */
    size_t pos;     /* bytes fed so far */
    size_t begun;   /* parts whose boundary line was complete */
    /* the parts so far, without their names: each part's header block is
     * checked as it arrives but kept only as its place in the body (read
     * again at the finish), so a body in transit holds one header block */
    struct eseal_multipart mp;
    size_t head_at[ESEAL_MULTIPART_MAX_PARTS];
    size_t head_size[ESEAL_MULTIPART_MAX_PARTS];
    struct eseal_sm3_ctx sm3; /* of the part being read */
    char head[ESEAL_MULTIPART_HEADER_MAX + 4];
    size_t head_len;
    struct eseal_err err;
};

/* docs/security.md counts 16 KiB per multipart body in transit: the
 * scanner, its parts and OpenSSL's SM3 context (a few hundred bytes). */
_Static_assert(sizeof(struct eseal_multipart_scan) +
                       ESEAL_MULTIPART_MAX_PARTS * sizeof(struct eseal_multipart_part) <=
                   16 * 1024 - 512,
               "the multipart scanner outgrew its memory budget");

struct eseal_multipart_scan *eseal_multipart_scan_new(const char *content_type)
{
    struct eseal_multipart_scan *s = eseal_xcalloc(1, sizeof(*s));
    eseal_multipart_init(&s->mp);
    eseal_err_clear(&s->err);
    s->state = SCAN_FAILED;
    static const char type[] = "multipart/form-data";
    if (content_type == NULL || strncasecmp(content_type, type, sizeof(type) - 1) != 0) {
        eseal_err_set(&s->err, ESEAL_E_INVALID,
                      "the request body must be multipart/form-data (Content-Type)");
        return s;
    }
    char *boundary = NULL;
    const char *params = content_type + sizeof(type) - 1;
    if (!each_param(params, params + strlen(params), boundary_param, &boundary) ||
        boundary == NULL || !boundary_ok(boundary)) {
        free(boundary);
        eseal_err_set(&s->err, ESEAL_E_INVALID,
                      "multipart: the Content-Type has no usable boundary");
        return s;
    }
    s->dlen = (size_t)snprintf(s->delim, sizeof(s->delim), "\r\n--%s", boundary);
    free(boundary);
    /* The first delimiter may start the body: search as if a CRLF came
     * before it, already matched. */
    s->matched = 2;
    s->state = SCAN_PREAMBLE;
    eseal_sm3_init(&s->sm3);
    return s;
}

void eseal_multipart_scan_free(struct eseal_multipart_scan *s)
{
    if (s == NULL)
        return;
    eseal_multipart_cleanup(&s->mp);
    eseal_sm3_cleanup(&s->sm3);
    free(s);
}

static struct eseal_multipart_part *scan_part(struct eseal_multipart_scan *s)
{
    return &s->mp.parts[s->mp.n - 1];
}

/* scan_data takes |n| bytes that are a part's data (none in the preamble). */
static void scan_data(struct eseal_multipart_scan *s, const void *p, size_t n)
{
    if (s->state != SCAN_DATA)
        return;
    eseal_sm3_update(&s->sm3, p, n);
    scan_part(s)->len += n;
}

/* scan_seek looks for the next delimiter in [p, p + n), taking the bytes
 * before it as data; returns the bytes used (up to the delimiter's end). */
static size_t scan_seek(struct eseal_multipart_scan *s, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (s->matched == 0) {
            const uint8_t *cr = memchr(p + i, '\r', n - i);
            size_t run = cr != NULL ? (size_t)(cr - p) - i : n - i;
            scan_data(s, p + i, run);
            i += run;
            if (cr == NULL)
                break;
            s->matched = 1;
            i++;
        } else if (p[i] == (uint8_t)s->delim[s->matched]) {
            i++;
            if (++s->matched < s->dlen)
                continue;
            if (s->state == SCAN_DATA)
                eseal_sm3_final(&s->sm3, scan_part(s)->sm3);
            s->state = SCAN_AFTER_DELIM;
            s->matched = 0;
            break;
        } else {
            scan_data(s, s->delim, s->matched);
            s->matched = 0;
        }
    }
    return i;
}

/* scan_headers_done checks the header block of |hlen| bytes, which ends at
 * the current byte (with its CRLF CRLF); the data starts after it. */
static eseal_rc scan_headers_done(struct eseal_multipart_scan *s, size_t hlen)
{
    struct eseal_multipart_part check;
    memset(&check, 0, sizeof(check));
    eseal_rc rc = parse_headers(&check, s->head, s->head + hlen, s->mp.n, &s->err);
    part_clear(&check);
    s->head_at[s->mp.n] = s->pos + 1 - s->head_len;
    s->head_size[s->mp.n] = hlen;
    s->mp.parts = eseal_xrealloc(s->mp.parts, (s->mp.n + 1) * sizeof(*s->mp.parts));
    struct eseal_multipart_part *part = &s->mp.parts[s->mp.n++];
    memset(part, 0, sizeof(*part));
    part->offset = s->pos + 1;
    s->state = SCAN_DATA;
    return rc;
}

/* scan_header_byte adds |c| to the header block, which ends at the first
 * CRLF CRLF, or at once with a CRLF when the part has no headers. */
static eseal_rc scan_header_byte(struct eseal_multipart_scan *s, uint8_t c)
{
    s->head[s->head_len++] = (char)c;
    if (s->head_len == 2 && memcmp(s->head, "\r\n", 2) == 0)
        return scan_headers_done(s, 0);
    if (s->head_len >= 4 && memcmp(s->head + s->head_len - 4, "\r\n\r\n", 4) == 0)
        return scan_headers_done(s, s->head_len - 4);
    if (s->head_len == sizeof(s->head))
        return eseal_err_set(&s->err, ESEAL_E_INVALID,
                             "multipart: part %zu: headers unterminated or over %d bytes",
                             s->mp.n + 1, ESEAL_MULTIPART_HEADER_MAX);
    return ESEAL_OK;
}

static eseal_rc malformed_boundary(struct eseal_multipart_scan *s)
{
    return eseal_err_set(&s->err, ESEAL_E_INVALID, "multipart: malformed boundary line");
}

/* scan_byte takes one byte of a boundary line or a header block. */
static eseal_rc scan_byte(struct eseal_multipart_scan *s, uint8_t c)
{
    switch (s->state) {
    case SCAN_AFTER_DELIM:
    case SCAN_PAD:
        if (c == '-' && s->state == SCAN_AFTER_DELIM)
            s->state = SCAN_DASH;
        else if (c == ' ' || c == '\t')
            s->state = SCAN_PAD;
        else if (c == '\r')
            s->state = SCAN_LF;
        else
            return malformed_boundary(s);
        return ESEAL_OK;
    case SCAN_DASH:
        if (c != '-')
            return malformed_boundary(s);
        s->state = SCAN_DONE;
        return ESEAL_OK;
    case SCAN_LF:
        if (c != '\n')
            return malformed_boundary(s);
        /* ESEAL_MULTIPART_MAX_PARTS bounds the scanner's memory; the
         * caller's smaller limit is applied at the finish */
        if (++s->begun > ESEAL_MULTIPART_MAX_PARTS)
            return eseal_err_set(&s->err, ESEAL_E_TOOBIG, "multipart: more than %d parts",
                                 ESEAL_MULTIPART_MAX_PARTS);
        s->state = SCAN_HEADERS;
        s->head_len = 0;
        return ESEAL_OK;
    case SCAN_HEADERS:
        return scan_header_byte(s, c);
    default:
        return ESEAL_OK;
    }
}

void eseal_multipart_scan_feed(struct eseal_multipart_scan *s, const uint8_t *chunk, size_t len)
{
    size_t i = 0;
    while (i < len && s->state != SCAN_DONE && s->state != SCAN_FAILED) {
        size_t used = 1;
        if (s->state == SCAN_PREAMBLE || s->state == SCAN_DATA)
            used = scan_seek(s, chunk + i, len - i);
        else if (scan_byte(s, chunk[i]) != ESEAL_OK)
            s->state = SCAN_FAILED;
        i += used;
        s->pos += used;
    }
    s->pos += len - i; /* ignored after the end or an error, but counted */
}

eseal_rc eseal_multipart_scan_finish(struct eseal_multipart_scan *s, struct eseal_multipart *mp,
                                     const uint8_t *body, size_t len, size_t max_parts,
                                     struct eseal_err *err)
{
    eseal_multipart_cleanup(mp);
    if (max_parts == 0 || max_parts > ESEAL_MULTIPART_MAX_PARTS)
        max_parts = ESEAL_MULTIPART_MAX_PARTS;
    /* A parse limited to max_parts would have stopped at the boundary line
     * of part max_parts + 1, before any later error. */
    if (s->begun > max_parts)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "multipart: more than %zu parts", max_parts);
    switch (s->state) {
    case SCAN_PREAMBLE:
        return eseal_err_set(err, ESEAL_E_INVALID, "multipart: no boundary in the body");
    case SCAN_AFTER_DELIM:
    case SCAN_DASH:
    case SCAN_PAD:
    case SCAN_LF:
        return eseal_err_set(err, ESEAL_E_INVALID, "multipart: malformed boundary line");
    case SCAN_HEADERS:
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "multipart: part %zu: headers unterminated or over %d bytes",
                             s->mp.n + 1, ESEAL_MULTIPART_HEADER_MAX);
    case SCAN_DATA:
        return eseal_err_set(err, ESEAL_E_INVALID, "multipart: part %zu is not terminated",
                             s->mp.n);
    case SCAN_FAILED:
        return eseal_err_set(err, s->err.rc, "%s", s->err.msg);
    case SCAN_DONE:
        break;
    }
    if (len != s->pos)
        return eseal_err_set(err, ESEAL_E_INTERNAL,
                             "multipart: the body is not the %zu bytes scanned", s->pos);
    *mp = s->mp;
    eseal_multipart_init(&s->mp);
    for (size_t i = 0; i < mp->n; i++) {
        struct eseal_multipart_part *part = &mp->parts[i];
        const char *head = (const char *)body + s->head_at[i];
        part->data = body + part->offset;
        /* checked as it arrived: failing now means |body| is not what was fed */
        if (parse_headers(part, head, head + s->head_size[i], i, NULL) != ESEAL_OK) {
            eseal_multipart_cleanup(mp);
            return eseal_err_set(err, ESEAL_E_INTERNAL,
                                 "multipart: the body changed after it was scanned");
        }
    }
    return ESEAL_OK;
}

eseal_rc eseal_multipart_parse(struct eseal_multipart *mp, const char *content_type,
                               const uint8_t *body, size_t len, size_t max_parts,
                               struct eseal_err *err)
{
    struct eseal_multipart_scan *s = eseal_multipart_scan_new(content_type);
    eseal_multipart_scan_feed(s, body, len);
    eseal_rc rc = eseal_multipart_scan_finish(s, mp, body, len, max_parts, err);
    eseal_multipart_scan_free(s);
    return rc;
}

/* ---- building ------------------------------------------------------------- */

void eseal_multipart_builder_init(struct eseal_multipart_builder *b)
{
    memset(b, 0, sizeof(*b));
    eseal_buf_init(&b->body);
    uint8_t rnd[16];
    eseal_random(rnd, sizeof(rnd));
    char *hex = eseal_hex(rnd, sizeof(rnd));
    snprintf(b->boundary, sizeof(b->boundary), "eseal-%s", hex);
    free(hex);
    snprintf(b->content_type, sizeof(b->content_type), "multipart/form-data; boundary=%s",
             b->boundary);
}

void eseal_multipart_builder_cleanup(struct eseal_multipart_builder *b)
{
    eseal_buf_cleanup(&b->body);
    b->n = 0;
    b->finished = false;
}

/* append_quoted appends |s| as the inside of a quoted parameter value,
 * percent-encoding '"', CR and LF (RFC 7578 §2, as browsers do). */
static void append_quoted(struct eseal_buf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\r' || *s == '\n')
            eseal_buf_appendf(out, "%%%02X", (unsigned char)*s);
        else
            eseal_buf_append(out, s, 1);
    }
}

eseal_rc eseal_multipart_add(struct eseal_multipart_builder *b, const char *name,
                             const char *filename, const char *content_type, const void *data,
                             size_t len, struct eseal_err *err)
{
    if (b->finished)
        return eseal_err_set(err, ESEAL_E_INVALID, "multipart: the body is finished already");
    if (name == NULL || *name == '\0')
        return eseal_err_set(err, ESEAL_E_INVALID, "multipart: a part needs a name");
    if (b->n == ESEAL_MULTIPART_MAX_PARTS)
        return eseal_err_set(err, ESEAL_E_INVALID, "multipart: more than %d parts",
                             ESEAL_MULTIPART_MAX_PARTS);
    for (const char *p = content_type; p != NULL && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "multipart: the content type holds control characters");
    size_t blen = strlen(b->boundary);
    for (size_t i = 0; data != NULL && len >= blen && i <= len - blen; i++)
        if (memcmp((const uint8_t *)data + i, b->boundary, blen) == 0)
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "multipart: the data holds the boundary; start a new body");
    eseal_buf_appendf(&b->body, "--%s\r\nContent-Disposition: form-data; name=\"", b->boundary);
    append_quoted(&b->body, name);
    eseal_buf_append_str(&b->body, "\"");
    if (filename != NULL) {
        const char *slash = strrchr(filename, '/');
        eseal_buf_append_str(&b->body, "; filename=\"");
        append_quoted(&b->body, slash != NULL ? slash + 1 : filename);
        eseal_buf_append_str(&b->body, "\"");
    }
    eseal_buf_append_str(&b->body, "\r\n");
    if (content_type != NULL)
        eseal_buf_appendf(&b->body, "Content-Type: %s\r\n", content_type);
    eseal_buf_append_str(&b->body, "\r\n");
    eseal_buf_append(&b->body, data, len);
    eseal_buf_append_str(&b->body, "\r\n");
    b->n++;
    return ESEAL_OK;
}

eseal_rc eseal_multipart_finish(struct eseal_multipart_builder *b, struct eseal_err *err)
{
    if (b->finished)
        return ESEAL_OK;
    if (b->n == 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "multipart: a body needs at least one part");
    eseal_buf_appendf(&b->body, "--%s--\r\n", b->boundary);
    b->finished = true;
    return ESEAL_OK;
}
