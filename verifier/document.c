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
    }
    free(d->sigs);
    free(d->where);
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

/* add_signature validates one signature and folds it into the verdict. */
static void add_signature(struct eseal_document_report *d, const struct eseal_container_sig *s,
                          const struct eseal_verify_opts *o)
{
    d->sigs = eseal_xrealloc(d->sigs, (d->n_sigs + 1) * sizeof(*d->sigs));
    d->where = eseal_xrealloc(d->where, (d->n_sigs + 1) * sizeof(*d->where));
    struct eseal_report *r = &d->sigs[d->n_sigs];
    d->where[d->n_sigs] = eseal_xstrdup(s->where);
    d->n_sigs++;
    eseal_report_init(r);
    eseal_verify_ses(r, s->ses, s->ses_len, s->has_data ? s->data_sm3 : NULL, o);
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
        add_signature(d, &s, o);
    }
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
        json_array_append_new(sigs, r);
    }
    return json_pack("{s:s, s:s?, s:s?, s:s?, s:o}", "indication",
                     eseal_indication_name(d->indication), "subIndication", d->sub_indication,
                     "format", d->format, "error", d->error, "signatures", sigs);
}
