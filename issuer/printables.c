/* printables.c — the printables of stored submissions and batches (the
 * renderers are print.c's), the check of an uploaded summary sheet, and
 * the portal's live field check: the rules over a draft, nothing stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "print.h"
#include "region.h"

/* struct loaded is what a printable is made from: the documents of one
 * submission or of a batch's items, and their forms as summary rows. */
struct loaded {
    struct eseal_submission **docs;
    size_t n_docs;
    struct eseal_print_row *rows;
    size_t n_rows;
    const char *unit; /* borrowed from a document or the region table */
};

static void loaded_cleanup(struct loaded *l)
{
    for (size_t i = 0; i < l->n_docs; i++)
        eseal_submission_free(l->docs[i]);
    free(l->docs);
    free(l->rows);
}

/* add_doc reads the document of the record |rec| and its forms as rows. */
static eseal_rc add_doc(struct eseal_issuer *is, struct loaded *l, const json_t *rec,
                        struct eseal_issuer_problem *p)
{
    struct eseal_submission *doc = NULL;
    eseal_rc rc = wf_load_doc(is, rec, &doc, p);
    if (rc != ESEAL_OK)
        return rc;
    l->docs = eseal_xrealloc(l->docs, (l->n_docs + 1) * sizeof(*l->docs));
    l->docs[l->n_docs++] = doc;
    l->rows = eseal_xrealloc(l->rows, (l->n_rows + doc->n_forms + 1) * sizeof(*l->rows));
    for (size_t i = 0; i < doc->n_forms; i++)
        l->rows[l->n_rows++] = (struct eseal_print_row){doc, &doc->forms[i]};
    return ESEAL_OK;
}

/* load reads the submission "S…" or the batch "B…" |id| as |who| may. */
static eseal_rc load(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                     const char *id, struct loaded *l, struct eseal_issuer_problem *p)
{
    memset(l, 0, sizeof(*l));
    json_t *rec = NULL;
    eseal_rc rc;
    if (id[0] == 'B') {
        rc = wf_require(who, ESEAL_ACTION_BATCH_GET, p);
        if (rc == ESEAL_OK)
            rc = batch_load(is, who, id, &rec, p);
        size_t i;
        json_t *item;
        json_array_foreach(rc == ESEAL_OK ? json_object_get(rec, "items") : NULL, i, item)
        {
            json_t *sub = NULL;
            struct eseal_err e;
            eseal_err_clear(&e);
            rc = store_get_json(is, CF_SUBMISSIONS, json_string_value(item), &sub, &e);
            if (rc != ESEAL_OK)
                rc = prob_from(p, &e, NULL);
            else
                rc = add_doc(is, l, sub, p);
            json_decref(sub);
            if (rc != ESEAL_OK)
                break;
        }
        const char *city = wf_jstr(rec, "city");
        const char *agg = city != NULL ? eseal_region_aggregator(city) : NULL;
        l->unit = agg != NULL ? agg : "";
        if (rc == ESEAL_OK && l->n_rows == 0)
            rc = prob_set(p, ESEAL_E_CONFLICT, "items",
                          "批次中还没有申报 / the batch has no submission yet");
    } else {
        rc = wf_require(who, ESEAL_ACTION_SUBMISSION_GET, p);
        if (rc == ESEAL_OK)
            rc = wf_load_visible(is, who, id, &rec, p);
        if (rc == ESEAL_OK)
            rc = add_doc(is, l, rec, p);
        if (rc == ESEAL_OK)
            l->unit = l->docs[0]->applicant.name != NULL ? l->docs[0]->applicant.name : "";
        if (rc == ESEAL_OK && l->n_rows == 0)
            rc = prob_set(p, ESEAL_E_CONFLICT, "forms",
                          "申报中还没有申请表 / the submission has no form yet");
    }
    json_decref(rec);
    return rc;
}

eseal_rc eseal_issuer_print(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                            const char *id, enum eseal_printable what, struct eseal_buf *out,
                            const char **type, struct eseal_issuer_problem *p)
{
    struct loaded l;
    eseal_rc rc = load(is, who, id, &l, p);
    struct eseal_err e;
    eseal_err_clear(&e);
    *type = "application/pdf";
    if (rc == ESEAL_OK && l.n_rows > ESEAL_PRINT_ROWS_MAX)
        rc = prob_set(p, ESEAL_E_TOOBIG, NULL, "汇总表超过 %d 行 / over %d rows in the table",
                      ESEAL_PRINT_ROWS_MAX, ESEAL_PRINT_ROWS_MAX);
    if (rc == ESEAL_OK) {
        switch (what) {
        case ESEAL_PRINT_FORMS:
            rc = eseal_print_forms(l.docs[0], out, &e);
            break;
        case ESEAL_PRINT_LETTER:
            rc = eseal_print_letter(l.docs[0], out, &e);
            break;
        case ESEAL_PRINT_SUMMARY_PDF:
            rc = eseal_print_summary_pdf(l.rows, l.n_rows, l.unit, out, &e);
            break;
        case ESEAL_PRINT_SUMMARY_XLSX:
            *type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
            rc = eseal_print_summary_xlsx(l.rows, l.n_rows, l.unit, out, &e);
            break;
        }
        if (rc != ESEAL_OK)
            prob_from(p, &e, NULL);
    }
    loaded_cleanup(&l);
    return rc;
}

eseal_rc eseal_issuer_summary_check(struct eseal_issuer *is,
                                    const struct eseal_staff_principal *who, const char *id,
                                    const uint8_t *data, size_t len, json_t **view,
                                    struct eseal_issuer_problem *p)
{
    struct loaded l;
    json_t *diffs = NULL;
    eseal_rc rc = load(is, who, id, &l, p);
    if (rc == ESEAL_OK) {
        struct eseal_err e;
        eseal_err_clear(&e);
        rc = eseal_print_summary_check(l.rows, l.n_rows, data, len, &diffs, &e);
        if (rc != ESEAL_OK)
            prob_from(p, &e, "file");
    }
    if (rc == ESEAL_OK)
        *view = json_pack("{s:b,s:I,s:o}", "ok", json_array_size(diffs) == 0, "rows",
                          (json_int_t)l.n_rows, "differences", diffs);
    loaded_cleanup(&l);
    return rc;
}

eseal_rc eseal_issuer_submission_check(struct eseal_issuer *is,
                                       const struct eseal_staff_principal *who, const json_t *doc,
                                       const char *draft, json_t **view,
                                       struct eseal_issuer_problem *p)
{
    struct eseal_submission *s = NULL;
    json_t *rec = NULL;
    eseal_rc rc = wf_require(who, ESEAL_ACTION_SUBMISSION_CREATE, p);
    if (rc == ESEAL_OK && draft != NULL)
        rc = wf_load_visible(is, who, draft, &rec, p);
    if (rc == ESEAL_OK) {
        struct eseal_err e;
        eseal_err_clear(&e);
        rc = eseal_submission_from_json(&s, doc, &e);
        if (rc != ESEAL_OK) {
            /* form.c names the field path at the start of its message */
            char field[128] = "";
            sscanf(e.msg, "%127[^: ]", field);
            prob_set(p, rc, field, "%s", e.msg);
        }
    }
    if (rc == ESEAL_OK) {
        struct wf_rules_run r;
        rc = wf_rules_run(is, &r, rec, s, json_object_get(rec, "onsite"), NULL, p);
        if (rc == ESEAL_OK)
            *view = json_pack("{s:o}", "check", eseal_rules_result_json(&r.res));
        wf_rules_done(&r);
    }
    eseal_submission_free(s);
    json_decref(rec);
    return rc;
}
