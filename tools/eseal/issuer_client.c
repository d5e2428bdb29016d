/* issuer_client.c — calls to the issuer's JSON API and its errors as text. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "eseal/httpc.h"
#include "eseal/json.h"
#include "cmd.h"
#include "issuer_client.h"

/* The issuer bounds uploads at 48 MiB and produce can sign several seals:
 * a generous deadline. */
#define ISSUER_TIMEOUT_MS 60000

void issuer_reply_init(struct issuer_reply *r)
{
    r->status = 0;
    eseal_buf_init(&r->raw);
    r->json = NULL;
}

void issuer_reply_cleanup(struct issuer_reply *r)
{
    eseal_buf_cleanup(&r->raw);
    json_decref(r->json);
    r->json = NULL;
    r->status = 0;
}

int issuer_refused(const struct issuer_reply *r)
{
    return r->status >= 400;
}

const char *issuer_str(const json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    return s != NULL ? s : "";
}

/* send_request does the HTTP part of issuer_call and issuer_upload. */
static eseal_rc send_request(const struct issuer_conn *c, const char *method, const char *path,
                             const char *content_type, const void *body, size_t body_len,
                             struct issuer_reply *out, struct eseal_err *err)
{
    json_decref(out->json);
    out->json = NULL;
    out->status = 0;
    size_t ulen = strlen(c->url);
    while (ulen > 0 && c->url[ulen - 1] == '/')
        ulen--;
    char *url = eseal_xasprintf("%.*s%s", (int)ulen, c->url, path);
    char *auth = c->token != NULL ? eseal_xasprintf("Authorization: Bearer %s", c->token) : NULL;
    const char *headers[] = {auth};
    struct eseal_httpc_request req = {
        .method = method,
        .url = url,
        .content_type = content_type,
        .body = body,
        .body_len = body_len,
        .headers = headers,
        .n_headers = auth != NULL ? 1 : 0,
    };
    struct eseal_httpc_opts opts = {.timeout_ms = ISSUER_TIMEOUT_MS};
    eseal_rc rc = eseal_httpc_request(&req, &opts, &out->status, &out->raw, err);
    if (rc == ESEAL_OK)
        out->json = eseal_json_load(out->raw.data, out->raw.len);
    if (auth != NULL) {
        OPENSSL_cleanse(auth, strlen(auth));
        free(auth);
    }
    free(url);
    return rc;
}

eseal_rc issuer_call(const struct issuer_conn *c, const char *method, const char *path,
                     const json_t *body, struct issuer_reply *out, struct eseal_err *err)
{
    char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
    eseal_rc rc = send_request(c, method, path, text != NULL ? "application/json" : NULL, text,
                               text != NULL ? strlen(text) : 0, out, err);
    if (text != NULL) {
        OPENSSL_cleanse(text, strlen(text)); /* may hold a password */
        free(text);
    }
    return rc;
}

eseal_rc issuer_upload(const struct issuer_conn *c, const char *path,
                       const struct eseal_multipart_builder *mb, struct issuer_reply *out,
                       struct eseal_err *err)
{
    return send_request(c, "POST", path, mb->content_type, mb->body.data, mb->body.len, out, err);
}

void issuer_refusal_print(FILE *out, const struct issuer_reply *r)
{
    const json_t *e = json_object_get(r->json, "error");
    if (e == NULL) {
        fprintf(out, "eseal: the issuer answered HTTP %u / 签发服务拒绝: ", r->status);
        cmd_put_text(out, r->raw.len > 0 ? (const char *)r->raw.data : "(no body)");
        fputc('\n', out);
        return;
    }
    fprintf(out, "eseal: refused by the issuer / 签发服务拒绝 (HTTP %u, %s", r->status,
            issuer_str(e, "code"));
    const char *field = issuer_str(e, "field");
    if (*field) {
        fputs(", field ", out);
        cmd_put_text(out, field);
    }
    fputs("): ", out);
    cmd_put_text(out, issuer_str(e, "message"));
    const char *desc = issuer_str(e, "description");
    if (*desc) {
        fputs(" [", out);
        cmd_put_text(out, desc);
        fputc(']', out);
    }
    fputc('\n', out);
    const json_t *findings = json_object_get(json_object_get(e, "findings"), "findings");
    size_t i;
    const json_t *f;
    json_array_foreach(findings, i, f)
    {
        const json_t *m = json_object_get(f, "message");
        fprintf(out, "  - %s %s/%s: ", issuer_str(f, "severity"), issuer_str(f, "rule"),
                issuer_str(f, "code"));
        cmd_put_text(out, issuer_str(m, "zh"));
        fputs("\n    ", out);
        cmd_put_text(out, issuer_str(m, "en"));
        fputc('\n', out);
    }
}

eseal_rc issuer_refusal_err(const struct issuer_reply *r, const char *what, struct eseal_err *err)
{
    const json_t *e = json_object_get(r->json, "error");
    const char *field = issuer_str(e, "field");
    return eseal_err_set(err, ESEAL_E_DENIED, "%s: HTTP %u %s%s%s: %s", what, r->status,
                         issuer_str(e, "code"), *field ? " field " : "", field,
                         e != NULL ? issuer_str(e, "message") : (const char *)r->raw.data);
}
