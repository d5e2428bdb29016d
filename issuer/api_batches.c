/* api_batches.c — /api/v1/batches: an aggregator's batches (create, add an
 * item, the summary table, submit) and the centre's register and review of
 * a batch's items. */
#include <stdlib.h>
#include <string.h>

#include "eseal/multipart.h"
#include "internal.h"

static eseal_rc not_found(struct eseal_http_req *req)
{
    return api_reply_error(req, ESEAL_E_NOTFOUND, NULL, "没有此资源 / no such resource: %s",
                           eseal_http_path(req));
}

/* batch_param returns the {id} parameter when it is "B" and 8 digits. */
static const char *batch_param(const struct eseal_http_req *req)
{
    const char *id = eseal_http_param(req, "id");
    if (id == NULL || id[0] != 'B' || strlen(id) != 9 || strspn(id + 1, "0123456789") != 8)
        return NULL;
    return id;
}

eseal_rc api_batches_create(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    json_t *body = NULL, *view = NULL;
    (void)err;
    if (!api_body(req, false, &body))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = eseal_issuer_batch_create(app, api_who(req), body, &view, &p);
    json_decref(body);
    return api_reply_result(req, rc, 201, view, &p);
}

/* A batch call with a JSON body. */
typedef eseal_rc (*batch_fn)(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                             const char *id, const json_t *body, json_t **view,
                             struct eseal_issuer_problem *p);

static eseal_rc submit_fn(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                          const char *id, const json_t *body, json_t **view,
                          struct eseal_issuer_problem *p)
{
    static const char *const none[] = {NULL};
    eseal_rc rc = body != NULL ? json_check_keys(body, none, "", p) : ESEAL_OK;
    return rc == ESEAL_OK ? eseal_issuer_batch_submit(is, who, id, view, p) : rc;
}

static eseal_rc get_fn(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                       const char *id, const json_t *body, json_t **view,
                       struct eseal_issuer_problem *p)
{
    (void)body;
    return eseal_issuer_batch_get(is, who, id, view, p);
}

/* post_batch answers a batch route with |fn|: the {id}, the JSON body
 * (optional unless |required|; a GET has none), the view with |status|. */
static eseal_rc post_batch(struct eseal_http_req *req, struct eseal_issuer *is, batch_fn fn,
                           bool required, unsigned status)
{
    const char *id = batch_param(req);
    json_t *body = NULL, *view = NULL;
    if (id == NULL)
        return not_found(req);
    if (!api_body(req, !required, &body))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = fn(is, api_who(req), id, body, &view, &p);
    json_decref(body);
    return api_reply_result(req, rc, status, view, &p);
}

eseal_rc api_batch_get(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return post_batch(req, app, get_fn, false, 200);
}

eseal_rc api_batch_add(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return post_batch(req, app, eseal_issuer_batch_add, true, 201);
}

eseal_rc api_batch_submit(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return post_batch(req, app, submit_fn, false, 200);
}

eseal_rc api_batch_register(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return post_batch(req, app, eseal_issuer_batch_register, false, 200);
}

eseal_rc api_batch_review(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return post_batch(req, app, eseal_issuer_batch_review, true, 200);
}

eseal_rc api_batch_summary(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    const char *id = batch_param(req);
    (void)err;
    if (id == NULL)
        return not_found(req);
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    struct eseal_err e;
    eseal_err_clear(&e);
    if (eseal_http_multipart(req, &mp, 0, &e) != ESEAL_OK) {
        eseal_multipart_cleanup(&mp);
        return api_reply_error(req, e.rc, NULL, "%s", e.msg);
    }
    struct eseal_issuer_upload *up = eseal_xcalloc(mp.n + 1, sizeof(*up));
    for (size_t i = 0; i < mp.n; i++) {
        up[i].kind = mp.parts[i].name;
        up[i].data = mp.parts[i].data;
        up[i].len = mp.parts[i].len;
    }
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    json_t *view = NULL;
    eseal_rc rc = eseal_issuer_batch_summary(app, api_who(req), id, up, mp.n, &view, &p);
    free(up);
    eseal_multipart_cleanup(&mp);
    return api_reply_result(req, rc, 200, view, &p);
}
