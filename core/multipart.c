/* multipart.c — multipart/form-data (RFC 7578): bounded parsing over a
 * buffered body (parts point into the body, names are copied), and the
 * builder clients use to send one. */
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

void eseal_multipart_init(struct eseal_multipart *mp)
{
    mp->parts = NULL;
    mp->n = 0;
}

void eseal_multipart_cleanup(struct eseal_multipart *mp)
{
    for (size_t i = 0; i < mp->n; i++) {
        free(mp->parts[i].name);
        free(mp->parts[i].filename);
        free(mp->parts[i].content_type);
    }
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

eseal_rc eseal_multipart_parse(struct eseal_multipart *mp, const char *content_type,
                               const uint8_t *body, size_t len, size_t max_parts,
                               struct eseal_err *err)
{
    eseal_multipart_cleanup(mp);
    if (max_parts == 0)
        max_parts = ESEAL_MULTIPART_MAX_PARTS;
    static const char type[] = "multipart/form-data";
    if (content_type == NULL || strncasecmp(content_type, type, sizeof(type) - 1) != 0)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "the request body must be multipart/form-data (Content-Type)");
    char *boundary = NULL;
    const char *params = content_type + sizeof(type) - 1;
    if (!each_param(params, params + strlen(params), boundary_param, &boundary) ||
        boundary == NULL || !boundary_ok(boundary)) {
        free(boundary);
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "multipart: the Content-Type has no usable boundary");
    }
    /* delim is CRLF "--" boundary; the first delimiter may start the body. */
    char delim[ESEAL_MULTIPART_BOUNDARY_MAX + 5];
    size_t dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
    free(boundary);
    eseal_rc rc = ESEAL_OK;
    const char *b = (const char *)body, *end = b + len;
    const char *p;
    if (len >= dlen - 2 && memcmp(b, delim + 2, dlen - 2) == 0)
        p = b + dlen - 2;
    else if ((p = memmem(b, len, delim, dlen)) != NULL)
        p += dlen;
    else
        return eseal_err_set(err, ESEAL_E_INVALID, "multipart: no boundary in the body");
    for (;;) {
        /* after a delimiter: "--" ends the body, else padding and CRLF */
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            break;
        p = skip_ws(p, end);
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
            rc = eseal_err_set(err, ESEAL_E_INVALID, "multipart: malformed boundary line");
            goto fail;
        }
        p += 2;
        if (mp->n == max_parts) {
            rc = eseal_err_set(err, ESEAL_E_TOOBIG, "multipart: more than %zu parts", max_parts);
            goto fail;
        }
        size_t avail = (size_t)(end - p);
        const char *hend;
        if (avail >= 2 && p[0] == '\r' && p[1] == '\n') {
            hend = p; /* no headers at all */
        } else {
            size_t lim =
                avail < ESEAL_MULTIPART_HEADER_MAX + 4 ? avail : ESEAL_MULTIPART_HEADER_MAX + 4;
            hend = memmem(p, lim, "\r\n\r\n", 4);
            if (hend == NULL) {
                rc = eseal_err_set(err, ESEAL_E_INVALID,
                                   "multipart: part %zu: headers unterminated or over %d bytes",
                                   mp->n + 1, ESEAL_MULTIPART_HEADER_MAX);
                goto fail;
            }
        }
        mp->parts = eseal_xrealloc(mp->parts, (mp->n + 1) * sizeof(*mp->parts));
        struct eseal_multipart_part *part = &mp->parts[mp->n++];
        memset(part, 0, sizeof(*part));
        rc = parse_headers(part, p, hend, mp->n - 1, err);
        if (rc != ESEAL_OK)
            goto fail;
        const char *data = hend == p ? p + 2 : hend + 4;
        const char *next = memmem(data, (size_t)(end - data), delim, dlen);
        if (next == NULL) {
            rc =
                eseal_err_set(err, ESEAL_E_INVALID, "multipart: part %zu is not terminated", mp->n);
            goto fail;
        }
        part->data = (const uint8_t *)data;
        part->len = (size_t)(next - data);
        p = next + dlen;
    }
    return ESEAL_OK;
fail:
    eseal_multipart_cleanup(mp);
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
