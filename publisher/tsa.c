/* tsa.c — POST /tsa: the platform's RFC 3161 time-stamp service over the
 * CA's time-stamp key (ca/tsa.c; docs/tsa.md says why the publisher). */
#include <stdio.h>
#include <string.h>

#include <openssl/objects.h>

#include "eseal/ca.h"
#include "internal.h"

#define QUERY_TYPE "application/timestamp-query"
#define REPLY_TYPE "application/timestamp-reply"

eseal_rc pub_valid_oid(const struct eseal_opt *opt, const void *field, struct eseal_err *err)
{
    const char *s = *(char *const *)field;
    ASN1_OBJECT *o = s != NULL ? OBJ_txt2obj(s, 1) : NULL;
    ASN1_OBJECT_free(o);
    if (s != NULL && o == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s: not a dotted object identifier: \"%s\"",
                             opt->name, s);
    return ESEAL_OK;
}

eseal_rc pub_h_tsa(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_publisher *p = app;
    if (!p->cfg.tsa || eseal_ca_tsa_cert(p->ca) == NULL)
        return eseal_err_set(err, ESEAL_E_NOTFOUND,
                             "此发布服务不提供时间戳 / this publisher serves no time-stamps");
    const char *type = eseal_http_header(req, "Content-Type");
    if (type == NULL || strncmp(type, QUERY_TYPE, strlen(QUERY_TYPE)) != 0)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "时间戳请求须为 " QUERY_TYPE
                             " / a time-stamp query is sent as " QUERY_TYPE);
    size_t len;
    const uint8_t *body = eseal_http_body(req, &len);
    struct eseal_ca_tsa_policy pol = {
        .policy_oid = p->cfg.tsa_policy != NULL ? p->cfg.tsa_policy : ESEAL_PUBLISHER_TSA_POLICY,
        .accuracy_ms = (uint32_t)p->cfg.tsa_accuracy_ms,
    };
    struct eseal_buf reply;
    eseal_buf_init(&reply);
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = eseal_ca_timestamp(p->ca, &pol, body, len, &reply, &e);
    if (rc != ESEAL_OK)
        fprintf(stderr, "eseal-publisherd: time-stamp refused: %s\n", e.msg);
    if (reply.len > 0) { /* RFC 3161 §2.4.2: a refusal is a reply too */
        eseal_http_set_header(req, "Cache-Control", "no-store");
        rc = eseal_http_reply(req, 200, REPLY_TYPE, reply.data, reply.len);
    } else if (err != NULL) {
        *err = e;
    }
    eseal_buf_cleanup(&reply);
    return rc;
}
