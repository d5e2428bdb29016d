/* api_lists.c — what the staff console's lists read: GET /api/v1/queues,
 * /api/v1/overview, /api/v1/catalog, /api/v1/seals/{esID}/picture, and the
 * query string of the filtered /api/v1/submissions and /api/v1/seals
 * (lists.c does the work). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "region.h"
#include "internal.h"

/* query_of reads the list keys of the query string into |q|. */
static void query_of(const struct eseal_http_req *req, struct eseal_issuer_query *q)
{
    memset(q, 0, sizeof(*q));
    q->state = eseal_http_query(req, "state");
    q->city = eseal_http_query(req, "city");
    q->business = eseal_http_query(req, "business");
    q->unit = eseal_http_query(req, "unit");
    q->uscc = eseal_http_query(req, "uscc");
    q->q = eseal_http_query(req, "q");
    q->limit = eseal_http_query(req, "limit");
    q->offset = eseal_http_query(req, "offset");
}

bool api_list_query(const struct eseal_http_req *req, struct eseal_issuer_query *q)
{
    query_of(req, q);
    return q->city != NULL || q->business != NULL || q->unit != NULL || q->q != NULL ||
           q->limit != NULL || q->offset != NULL;
}

/* reply_find answers 200 with the page |fn| returns for the caller and |q|. */
static eseal_rc reply_find(
    struct eseal_http_req *req, struct eseal_issuer *is, const struct eseal_issuer_query *q,
    eseal_rc (*fn)(struct eseal_issuer *, const struct eseal_staff_principal *,
                   const struct eseal_issuer_query *, json_t **, struct eseal_issuer_problem *))
{
    json_t *view = NULL;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = fn(is, api_who(req), q, &view, &p);
    return api_reply_result(req, rc, 200, view, &p);
}

eseal_rc api_submissions_find(struct eseal_http_req *req, struct eseal_issuer *is,
                              const struct eseal_issuer_query *q)
{
    return reply_find(req, is, q, eseal_issuer_submission_find);
}

eseal_rc api_seals_find(struct eseal_http_req *req, struct eseal_issuer *is,
                        const struct eseal_issuer_query *q)
{
    return reply_find(req, is, q, eseal_issuer_seal_find);
}

/* reply_view answers 200 with what |fn| returns for the caller. */
static eseal_rc reply_view(struct eseal_http_req *req, struct eseal_issuer *is,
                           eseal_rc (*fn)(struct eseal_issuer *,
                                          const struct eseal_staff_principal *, json_t **,
                                          struct eseal_issuer_problem *))
{
    json_t *view = NULL;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = fn(is, api_who(req), &view, &p);
    return api_reply_result(req, rc, 200, view, &p);
}

eseal_rc api_queues(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return reply_view(req, app, eseal_issuer_queues);
}

eseal_rc api_overview(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return reply_view(req, app, eseal_issuer_overview);
}

eseal_rc api_catalog(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    return reply_view(req, app, eseal_issuer_catalog);
}

eseal_rc api_seal_picture(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    (void)err;
    const char *esid = eseal_http_param(req, "esID");
    const char *v = eseal_http_query(req, "version");
    long long version = 0;
    if (v != NULL) {
        char *end = NULL;
        version = v[0] >= '1' && v[0] <= '9' && strlen(v) <= 9 ? strtoll(v, &end, 10) : 0;
        if (end == NULL || *end != '\0')
            return api_reply_error(req, ESEAL_E_INVALID, "version",
                                   "version 须为正整数 / version must be a positive whole number");
    }
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    struct eseal_buf out;
    eseal_buf_init(&out);
    const char *type = NULL;
    eseal_rc rc = eseal_issuer_seal_picture(app, api_who(req), esid, version, &out, &type, &p);
    if (rc != ESEAL_OK) {
        eseal_buf_cleanup(&out);
        return api_reply_problem(req, &p);
    }
    eseal_http_set_header(req, "Cache-Control", "private, no-store");
    rc = eseal_http_reply(req, 200, type, out.data, out.len);
    eseal_buf_cleanup(&out);
    eseal_issuer_problem_cleanup(&p);
    return rc;
}
