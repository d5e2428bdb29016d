/* issuer_client.h — what `eseal issuer` and `eseal demo` share: calls to the
 * issuer's JSON API (docs/api.md) over core/httpc, and the API's errors
 * turned into text. */
#ifndef ESEAL_TOOLS_ISSUER_CLIENT_H
#define ESEAL_TOOLS_ISSUER_CLIENT_H

#include <stdio.h>

#include <jansson.h>

#include "eseal/buf.h"
#include "eseal/multipart.h"
#include "eseal/rc.h"

/* struct issuer_conn is where the API is and who calls it. Strings are
 * borrowed; |token| may be NULL (public calls, login). */
struct issuer_conn {
    const char *url; /* "http://host:port", with or without a trailing '/' */
    const char *token;
};

/* struct issuer_reply is one answer: the HTTP status, the raw body and, when
 * the body is JSON, its parse (NULL otherwise). Caller-owned storage:
 * issuer_reply_init before use, issuer_reply_cleanup after. */
struct issuer_reply {
    unsigned status;
    struct eseal_buf raw;
    json_t *json;
};

void issuer_reply_init(struct issuer_reply *r);
void issuer_reply_cleanup(struct issuer_reply *r);

/* issuer_refused tells whether the issuer refused the call (status >= 400). */
int issuer_refused(const struct issuer_reply *r);

/* issuer_call sends |method| |path| (from "/api/v1/..."), with |body| (JSON,
 * borrowed; NULL: none) and the bearer token, and fills |out| (replacing
 * it). Any status is ESEAL_OK; the connection failing, a timeout or a
 * malformed reply is the httpc result (ESEAL_E_UNAVAILABLE, ESEAL_E_IO, ...). */
eseal_rc issuer_call(const struct issuer_conn *c, const char *method, const char *path,
                     const json_t *body, struct issuer_reply *out,
                     struct eseal_err *err) ESEAL_MUST_CHECK;

/* issuer_upload POSTs the finished multipart body |mb| to |path|. */
eseal_rc issuer_upload(const struct issuer_conn *c, const char *path,
                       const struct eseal_multipart_builder *mb, struct issuer_reply *out,
                       struct eseal_err *err) ESEAL_MUST_CHECK;

/* issuer_refusal_print writes the issuer's refusal in |r| to |out|: status,
 * code, field, message, the description (Chinese / English) and any rule
 * findings, both languages. */
void issuer_refusal_print(FILE *out, const struct issuer_reply *r);

/* issuer_refusal_err records the refusal in |r| as ESEAL_E_DENIED in |err|
 * (one line: status, code, field, message) and returns ESEAL_E_DENIED. */
eseal_rc issuer_refusal_err(const struct issuer_reply *r, const char *what, struct eseal_err *err);

/* issuer_str returns the string at |key| of |j|, or "" (never NULL). */
const char *issuer_str(const json_t *j, const char *key);

#endif
