/* api_submissions.c — /api/v1/submissions: create, list, read, change the
 * document, attach materials (multipart), and the workflow steps submit,
 * register, review, produce, handover; the per-submission audit trail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/multipart.h"
#include "internal.h"

/* split_rest splits "ID" or "ID/step" into its parts; false if malformed. */
static bool split_rest(const char *rest, char id[33], char step[24])
{
    const char *slash = strchr(rest, '/');
    size_t n = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((rest[i] >= '0' && rest[i] <= '9') || (rest[i] >= 'A' && rest[i] <= 'Z')))
            return false;
    memcpy(id, rest, n);
    id[n] = '\0';
    step[0] = '\0';
    if (slash == NULL)
        return true;
    if (strlen(slash + 1) == 0 || strlen(slash + 1) >= 24 || strchr(slash + 1, '/') != NULL)
        return false;
    snprintf(step, 24, "%s", slash + 1);
    return true;
}

static eseal_rc not_found(struct eseal_http_req *req)
{
    return api_reply_error(req, ESEAL_E_NOTFOUND, NULL, "no such resource: %s",
                           eseal_http_path(req));
}

eseal_rc api_submissions_create(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    struct eseal_staff_principal who;
    json_t *body = NULL, *view = NULL;
    if (!api_auth(req, is, ESEAL_ACTION_SUBMISSION_CREATE, &who) ||
        !api_body(req, is, false, &body))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = eseal_issuer_submission_create(is, &who, body, &view, &p);
    json_decref(body);
    (void)err;
    return api_reply_result(req, rc, 201, view, &p);
}

eseal_rc api_submissions_list(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    struct eseal_staff_principal who;
    json_t *view = NULL;
    if (!api_auth(req, is, ESEAL_ACTION_SUBMISSION_LIST, &who))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = eseal_issuer_submission_list(is, &who, eseal_http_query(req, "state"), &view, &p);
    (void)err;
    return api_reply_result(req, rc, 200, view, &p);
}

eseal_rc api_submission_get(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    struct eseal_staff_principal who;
    char id[33], step[24];
    json_t *view = NULL;
    (void)err;
    if (!split_rest(eseal_http_path_rest(req), id, step))
        return not_found(req);
    bool audit = strcmp(step, "audit") == 0;
    if (step[0] != '\0' && !audit)
        return not_found(req);
    if (!api_auth(req, is, audit ? ESEAL_ACTION_AUDIT_READ : ESEAL_ACTION_SUBMISSION_GET, &who))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = audit ? eseal_issuer_submission_audit(is, &who, id, &view, &p)
                        : eseal_issuer_submission_get(is, &who, id, &view, &p);
    return api_reply_result(req, rc, 200, view, &p);
}

eseal_rc api_submission_put(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    struct eseal_staff_principal who;
    char id[33], step[24];
    json_t *body = NULL, *view = NULL;
    (void)err;
    if (!split_rest(eseal_http_path_rest(req), id, step) || step[0] != '\0')
        return not_found(req);
    if (!api_auth(req, is, ESEAL_ACTION_SUBMISSION_CREATE, &who) ||
        !api_body(req, is, false, &body))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc = eseal_issuer_submission_update(is, &who, id, body, &view, &p);
    json_decref(body);
    return api_reply_result(req, rc, 200, view, &p);
}

static eseal_rc parse_multipart(struct eseal_http_req *req, struct eseal_multipart *mp)
{
    size_t len;
    const uint8_t *body = eseal_http_body(req, &len);
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc =
        eseal_multipart_parse(mp, eseal_http_header(req, "Content-Type"), body, len, 0, &e);
    if (rc != ESEAL_OK)
        api_reply_error(req, rc, NULL, "%s", e.msg);
    return rc;
}

static eseal_rc post_materials(struct eseal_http_req *req, struct eseal_issuer *is,
                               const struct eseal_staff_principal *who, const char *id)
{
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    if (parse_multipart(req, &mp) != ESEAL_OK)
        return ESEAL_OK;
    struct eseal_issuer_upload *up = eseal_xcalloc(mp.n + 1, sizeof(*up));
    for (size_t i = 0; i < mp.n; i++) {
        up[i].kind = mp.parts[i].name;
        up[i].data = mp.parts[i].data;
        up[i].len = mp.parts[i].len;
    }
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    json_t *view = NULL;
    eseal_rc rc = eseal_issuer_submission_add_materials(is, who, id, up, mp.n, &view, &p);
    free(up);
    eseal_multipart_cleanup(&mp);
    return api_reply_result(req, rc, 201, view, &p);
}

/* part_text returns the text of part |name| (NUL-terminated copy kept in
 * |out|, at most 255 bytes), or NULL when absent. */
static const char *part_text(const struct eseal_multipart *mp, const char *name, char out[256])
{
    const struct eseal_multipart_part *part = eseal_multipart_find(mp, name);
    if (part == NULL || part->len >= 256 || memchr(part->data, 0, part->len) != NULL)
        return NULL;
    memcpy(out, part->data, part->len);
    out[part->len] = '\0';
    return out;
}

static eseal_rc post_handover(struct eseal_http_req *req, struct eseal_issuer *is,
                              const struct eseal_staff_principal *who, const char *id)
{
    static const char *const names[] = {"collector_name",   "collector_id_number", "letter_name",
                                        "letter_id_number", "introduction_letter", "id_copy"};
    struct eseal_multipart mp;
    eseal_multipart_init(&mp);
    if (parse_multipart(req, &mp) != ESEAL_OK)
        return ESEAL_OK;
    for (size_t i = 0; i < mp.n; i++) {
        bool known = false;
        size_t seen = 0;
        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
            known = known || strcmp(names[k], mp.parts[i].name) == 0;
        for (size_t k = 0; k < mp.n; k++)
            seen += strcmp(mp.parts[k].name, mp.parts[i].name) == 0;
        if (!known || seen > 1) {
            char field[64];
            snprintf(field, sizeof(field), "%.60s", mp.parts[i].name);
            eseal_multipart_cleanup(&mp);
            return api_reply_error(req, ESEAL_E_INVALID, field,
                                   known ? "part \"%s\" is given twice" : "unknown part \"%s\"",
                                   field);
        }
    }
    char t[4][256];
    const struct eseal_multipart_part *letter = eseal_multipart_find(&mp, "introduction_letter");
    const struct eseal_multipart_part *copy = eseal_multipart_find(&mp, "id_copy");
    struct eseal_issuer_handover h = {
        .collector_name = part_text(&mp, "collector_name", t[0]),
        .collector_id_number = part_text(&mp, "collector_id_number", t[1]),
        .letter_name = part_text(&mp, "letter_name", t[2]),
        .letter_id_number = part_text(&mp, "letter_id_number", t[3]),
        .introduction_letter = letter != NULL ? letter->data : NULL,
        .introduction_letter_len = letter != NULL ? letter->len : 0,
        .id_copy = copy != NULL ? copy->data : NULL,
        .id_copy_len = copy != NULL ? copy->len : 0,
    };
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    json_t *view = NULL;
    eseal_rc rc = eseal_issuer_submission_handover(is, who, id, &h, &view, &p);
    eseal_multipart_cleanup(&mp);
    return api_reply_result(req, rc, 200, view, &p);
}

eseal_rc api_submission_post(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct eseal_issuer *is = app;
    struct eseal_staff_principal who;
    char id[33], step[24];
    (void)err;
    if (!split_rest(eseal_http_path_rest(req), id, step) || step[0] == '\0')
        return not_found(req);
    static const struct {
        const char *step;
        enum eseal_staff_action action;
    } steps[] = {
        {"materials", ESEAL_ACTION_SUBMISSION_UPLOAD},
        {"submit", ESEAL_ACTION_SUBMISSION_SUBMIT},
        {"register", ESEAL_ACTION_SUBMISSION_REGISTER},
        {"review", ESEAL_ACTION_SUBMISSION_REVIEW},
        {"produce", ESEAL_ACTION_SUBMISSION_PRODUCE},
        {"handover", ESEAL_ACTION_SUBMISSION_HANDOVER},
    };
    size_t k = 0;
    while (k < sizeof(steps) / sizeof(steps[0]) && strcmp(steps[k].step, step) != 0)
        k++;
    if (k == sizeof(steps) / sizeof(steps[0]))
        return not_found(req);
    if (!api_auth(req, is, steps[k].action, &who))
        return ESEAL_OK;
    if (strcmp(step, "materials") == 0)
        return post_materials(req, is, &who, id);
    if (strcmp(step, "handover") == 0)
        return post_handover(req, is, &who, id);
    json_t *body = NULL, *view = NULL;
    bool optional = strcmp(step, "review") != 0;
    if (!api_body(req, is, optional, &body))
        return ESEAL_OK;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    eseal_rc rc;
    static const char *const none[] = {NULL};
    if (strcmp(step, "submit") == 0) {
        rc = body != NULL ? json_check_keys(body, none, "", &p) : ESEAL_OK;
        if (rc == ESEAL_OK)
            rc = eseal_issuer_submission_submit(is, &who, id, &view, &p);
    } else if (strcmp(step, "register") == 0) {
        rc = eseal_issuer_submission_register(is, &who, id, body, &view, &p);
    } else if (strcmp(step, "review") == 0) {
        rc = eseal_issuer_submission_review(is, &who, id, body, &view, &p);
    } else {
        rc = eseal_issuer_submission_produce(is, &who, id, body, &view, &p);
    }
    json_decref(body);
    return api_reply_result(req, rc, 200, view, &p);
}
