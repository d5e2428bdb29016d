/* document.c — documents with any number of signatures, read by a
 * container format (verify.h), and the first format: "detached", a
 * document beside its SES_Signature. */
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/seal.h"
#include "internal.h"

/* ---- the detached format ---------------------------------------------------------- */

struct detached {
    const uint8_t *sig;
    size_t sig_len;
    uint8_t sm3[ESEAL_SM3_LEN];
    bool done;
};

static bool detached_probe(const uint8_t *doc, size_t len)
{
    (void)doc;
    (void)len;
    return true; /* any bytes can be signed: the fallback format */
}

static eseal_rc detached_open(void **state, const uint8_t *doc, size_t len, const uint8_t *sig,
                              size_t sig_len, struct eseal_err *err)
{
    if (sig == NULL || sig_len == 0)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "a detached signature is needed beside the document / 缺少签章文件");
    struct detached *d = eseal_xcalloc(1, sizeof(*d));
    d->sig = sig;
    d->sig_len = sig_len;
    eseal_sm3(d->sm3, doc, len);
    *state = d;
    return ESEAL_OK;
}

static eseal_rc detached_next(void *state, struct eseal_container_sig *out, struct eseal_err *err)
{
    (void)err;
    struct detached *d = state;
    if (d->done)
        return ESEAL_E_NOTFOUND;
    d->done = true;
    memset(out, 0, sizeof(*out));
    out->ses = d->sig;
    out->ses_len = d->sig_len;
    out->has_data = true;
    memcpy(out->data_sm3, d->sm3, ESEAL_SM3_LEN);
    snprintf(out->where, sizeof(out->where), "detached signature");
    return ESEAL_OK;
}

static void detached_close(void *state)
{
    free(state);
}

const struct eseal_container eseal_container_detached = {
    .name = "detached",
    .probe = detached_probe,
    .open = detached_open,
    .next = detached_next,
    .close = detached_close,
};

/* ---- the engine over a container ------------------------------------------------------- */

void eseal_document_report_init(struct eseal_document_report *d)
{
    memset(d, 0, sizeof(*d));
    d->indication = ESEAL_TOTAL_PASSED;
}

void eseal_document_report_cleanup(struct eseal_document_report *d)
{
    for (size_t i = 0; i < d->n_sigs; i++) {
        eseal_report_cleanup(&d->sigs[i]);
        free(d->where[i]);
        json_decref(d->place[i]);
    }
    free(d->sigs);
    free(d->where);
    free(d->place);
    json_decref(d->extra);
    free(d->error);
    eseal_document_report_init(d);
}

static int worse(enum eseal_indication a, enum eseal_indication b)
{
    static const int rank[] = {
        [ESEAL_TOTAL_PASSED] = 0, [ESEAL_INDETERMINATE] = 1, [ESEAL_TOTAL_FAILED] = 2};
    return rank[a] > rank[b];
}

static void format_failure(struct eseal_document_report *d, char *why)
{
    d->indication = ESEAL_TOTAL_FAILED;
    d->sub_indication = "FORMAT_FAILURE";
    d->error = why;
}

/* add_signature validates one signature, with the format's own checks,
 * and folds it into the verdict. */
static void add_signature(struct eseal_document_report *d, const struct eseal_container *c,
                          void *state, const struct eseal_container_sig *s,
                          const struct eseal_verify_opts *o)
{
    d->sigs = eseal_xrealloc(d->sigs, (d->n_sigs + 1) * sizeof(*d->sigs));
    d->where = eseal_xrealloc(d->where, (d->n_sigs + 1) * sizeof(*d->where));
    d->place = eseal_xrealloc(d->place, (d->n_sigs + 1) * sizeof(*d->place));
    struct eseal_report *r = &d->sigs[d->n_sigs];
    d->where[d->n_sigs] = eseal_xstrdup(s->where);
    d->place[d->n_sigs] = s->place;
    d->n_sigs++;
    eseal_report_init(r);
    if (s->broken != NULL || s->unsupported != NULL) {
        verify_start(r, o != NULL ? o : &(struct eseal_verify_opts){0});
        if (s->broken != NULL)
            verify_add(r, V_FORMAT_CONTAINER_BAD, NULL, s->broken);
        else
            verify_add(r, V_FORMAT_SIGN_UNSUPPORTED, "a seal signature (Type=\"Seal\", GB/T 38540)",
                       s->unsupported);
    } else if (s->cms) {
        verify_cms(r, s->ses, s->ses_len, s->data, s->data_len, o);
    } else {
        eseal_verify_ses(r, s->ses, s->ses_len, s->has_data ? s->data_sm3 : NULL, o);
    }
    if (c->checks != NULL)
        c->checks(state, r);
    if (worse(r->indication, d->indication)) {
        d->indication = r->indication;
        d->sub_indication = r->sub_indication;
    }
}

void eseal_verify_document(struct eseal_document_report *d,
                           const struct eseal_container *const *formats, size_t n_formats,
                           const uint8_t *doc, size_t len, const uint8_t *sig, size_t sig_len,
                           const struct eseal_verify_opts *o)
{
    const struct eseal_container *c = NULL;
    for (size_t i = 0; i < n_formats && c == NULL; i++)
        if (formats[i]->probe(doc, len))
            c = formats[i];
    if (c == NULL) {
        format_failure(d, eseal_xstrdup("no container format recognises the document"));
        return;
    }
    d->format = c->name;
    struct eseal_err err;
    eseal_err_clear(&err);
    void *state = NULL;
    if (c->open(&state, doc, len, sig, sig_len, &err) != ESEAL_OK) {
        format_failure(d, eseal_xasprintf("%s: %s", c->name, err.msg));
        return;
    }
    struct eseal_container_sig s;
    eseal_rc rc;
    while ((rc = c->next(state, &s, &err)) == ESEAL_OK) {
        if (d->n_sigs == ESEAL_DOCUMENT_MAX_SIGS) {
            rc = eseal_err_set(&err, ESEAL_E_TOOBIG, "more than %d signatures",
                               ESEAL_DOCUMENT_MAX_SIGS);
            break;
        }
        add_signature(d, c, state, &s, o);
    }
    if (rc == ESEAL_E_NOTFOUND && c->finish != NULL)
        d->extra = c->finish(state);
    c->close(state);
    if (rc != ESEAL_E_NOTFOUND)
        format_failure(d, eseal_xasprintf("%s: %s", c->name, err.msg));
    else if (d->n_sigs == 0)
        format_failure(
            d, eseal_xasprintf("%s: no signature in the document / 文档中没有签章", c->name));
}

json_t *eseal_document_report_json(const struct eseal_document_report *d)
{
    json_t *sigs = json_array();
    for (size_t i = 0; i < d->n_sigs; i++) {
        json_t *r = eseal_report_json(&d->sigs[i]);
        json_object_set_new(r, "where", json_string(d->where[i]));
        if (d->place[i] != NULL)
            json_object_set(r, "place", d->place[i]);
        json_array_append_new(sigs, r);
    }
    json_t *j = json_pack("{s:s, s:s?, s:s?, s:s?, s:o}", "indication",
                          eseal_indication_name(d->indication), "subIndication", d->sub_indication,
                          "format", d->format, "error", d->error, "signatures", sigs);
    if (d->extra != NULL)
        json_object_update(j, d->extra);
    return j;
}

/* place_text describes a signature's stamps: "page 1 at 50 50 40 40; …". */
static void print_place(const json_t *place, FILE *out)
{
    const json_t *stamps = json_object_get(place, "stamps");
    size_t i;
    const json_t *st;
    if (json_array_size(stamps) == 0)
        return;
    fprintf(out, "  %s / %s:", json_is_true(json_object_get(place, "seam")) ? "骑缝章" : "签章外观",
            json_is_true(json_object_get(place, "seam")) ? "seam stamp" : "stamp");
    json_array_foreach(stamps, i, st)
    {
        json_int_t page = json_integer_value(json_object_get(st, "page"));
        const char *box = json_string_value(json_object_get(st, "boundary"));
        fprintf(out, "%s page / 第 %lld 页 (ID %s) at / 位置 %s", i > 0 ? ";" : "", (long long)page,
                json_string_value(json_object_get(st, "pageRef")), box != NULL ? box : "?");
    }
    fputc('\n', out);
}

void eseal_document_report_print(const struct eseal_document_report *d, FILE *out)
{
    static const char *const verdict[] = {
        [ESEAL_TOTAL_PASSED] = "验证通过 / passed",
        [ESEAL_TOTAL_FAILED] = "验证失败 / failed",
        [ESEAL_INDETERMINATE] = "无法确定 / indeterminate",
    };
    fprintf(out, "document / 文档 (%s): %s", d->format != NULL ? d->format : "?",
            eseal_indication_name(d->indication));
    if (d->sub_indication != NULL)
        fprintf(out, " %s", d->sub_indication);
    fprintf(out, " — %s, %zu signature(s) / 个签章\n", verdict[d->indication], d->n_sigs);
    if (d->error != NULL)
        fprintf(out, "  error / 错误: %s\n", d->error);
    for (size_t i = 0; i < d->n_sigs; i++) {
        fprintf(out, "\n[%zu] %s: ", i + 1, d->where[i]);
        eseal_report_print(&d->sigs[i], out);
        if (d->place[i] != NULL)
            print_place(d->place[i], out);
    }
    const json_t *un = d->extra != NULL ? json_object_get(d->extra, "unprotected") : NULL;
    if (un != NULL) {
        size_t i;
        const json_t *f;
        fprintf(out, "\nnot protected by any signature / 未受签章保护的文件: %s",
                json_array_size(un) == 0 ? "none / 无" : "");
        json_array_foreach(un, i, f) fprintf(out, "%s%s", i > 0 ? ", " : "", json_string_value(f));
        fputc('\n', out);
    }
}

int eseal_document_report_exit_code(const struct eseal_document_report *d)
{
    return d->indication == ESEAL_TOTAL_PASSED ? 0 : d->indication == ESEAL_TOTAL_FAILED ? 1 : 2;
}
