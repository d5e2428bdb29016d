/* impression.c — impression processing (印模电子化) for the maker: a scan
 * of a form's impression box becomes the form's picture (core/image.c),
 * is kept with the scan, and once accepted is what production puts into
 * the seal. The processing runs outside the issuer's lock; the workflow
 * step (workflow.c, "impression") then checks the state again and logs. */
#include <stdio.h>
#include <string.h>

#include "eseal/image.h"
#include "eseal/sm.h"
#include "internal.h"

eseal_rc picture_business(const char *business, struct eseal_issuer_problem *p)
{
    const struct business_type *t = business_type_find(business);
    if (t != NULL && !t->keeps_seal &&
        (t->makes == BUSINESS_MAKES_SEAL || t->makes == BUSINESS_MAKES_VERSION))
        return ESEAL_OK;
    return prob_set(p, ESEAL_E_INVALID, "form",
                    "该业务类型不制作新的印章图片 / a %s makes no new seal picture",
                    business != NULL ? business : "submission");
}

const char *picture_accepted(const json_t *rec, size_t i)
{
    size_t k;
    json_t *a;
    json_array_foreach(json_object_get(rec, "forms_pictures"), k, a)
    {
        if (json_integer_value(json_object_get(a, "form")) == (json_int_t)i)
            return wf_jstr(a, "sm3");
    }
    return NULL;
}

/* precheck refuses early, before the scan is processed, what the step
 * would refuse anyway: the role, the state, the form, the business type.
 * It gives the form's declared size. */
static eseal_rc precheck(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                         const char *id, size_t form, double *w_mm, double *h_mm,
                         struct eseal_issuer_problem *p)
{
    json_t *rec = NULL;
    struct eseal_submission *doc = NULL;
    eseal_rc rc = wf_require(who, ESEAL_ACTION_SUBMISSION_PRODUCE, p);
    if (rc == ESEAL_OK)
        rc = wf_load_visible(is, who, id, &rec, p);
    if (rc != ESEAL_OK)
        goto out;
    const char *state = wf_jstr(rec, "state");
    if (state == NULL || (strcmp(state, wf_state_name(WF_REGISTERED)) != 0 &&
                          strcmp(state, wf_state_name(WF_APPROVED)) != 0)) {
        rc = prob_set(p, ESEAL_E_CONFLICT, NULL,
                      "申报 %s 当前状态 %s 不允许处理印模（须为 registered 或 approved）/ "
                      "submission %s is %s: processing an impression needs a submission that "
                      "is registered or approved",
                      id, state != NULL ? state : "?", id, state != NULL ? state : "?");
        goto out;
    }
    if ((rc = wf_load_doc(is, rec, &doc, p)) != ESEAL_OK)
        goto out;
    if (form >= doc->n_forms) {
        rc = prob_set(p, ESEAL_E_INVALID, "form",
                      "申请表序号须在 0 至 %zu 之间 / form must be a form index 0..%zu",
                      doc->n_forms - 1, doc->n_forms - 1);
        goto out;
    }
    if ((rc = picture_business(wf_jstr(rec, "business"), p)) != ESEAL_OK)
        goto out;
    *w_mm = doc->forms[form].seal.width_mm;
    *h_mm = doc->forms[form].seal.height_mm;
out:
    eseal_submission_free(doc);
    json_decref(rec);
    return rc;
}

eseal_rc eseal_issuer_submission_impression(struct eseal_issuer *is,
                                            const struct eseal_staff_principal *who, const char *id,
                                            const struct eseal_issuer_impression *in, json_t **view,
                                            struct eseal_issuer_problem *p)
{
    double w_mm = 0, h_mm = 0;
    eseal_rc rc = precheck(is, who, id, in->form, &w_mm, &h_mm, p);
    if (rc != ESEAL_OK)
        return rc;
    if (w_mm <= 0 || h_mm <= 0)
        return prob_set(p, ESEAL_E_INVALID, "form",
                        "申请表未填写印章尺寸 / form %zu declares no seal width and height",
                        in->form);
    struct eseal_image_params params = {in->threshold, w_mm, h_mm, in->dpi};
    struct eseal_image_result res;
    eseal_image_result_init(&res);
    struct eseal_err e;
    eseal_err_clear(&e);
    char pic_sm3[ESEAL_SM3_HEX_LEN + 1], scan_sm3[ESEAL_SM3_HEX_LEN + 1];
    rc = eseal_image_impression(&res, &params, in->scan, in->scan_len, &e);
    if (rc != ESEAL_OK) {
        prob_set(p, rc, "scan", "%s", e.msg);
        goto out;
    }
    if ((rc = store_artefact_put(is, in->scan, in->scan_len, scan_sm3, &e)) != ESEAL_OK ||
        (rc = store_artefact_put(is, res.png.data, res.png.len, pic_sm3, &e)) != ESEAL_OK) {
        prob_from(p, &e, NULL);
        goto out;
    }
    json_t *picture =
        json_pack("{s:I,s:s,s:s,s:i,s:I,s:I,s:I,s:o,s:o,s:{s:I,s:I,s:{s:I,s:I,s:I,s:I},s:f}}",
                  "form", (json_int_t)in->form, "sm3", pic_sm3, "scan_sm3", scan_sm3, "threshold",
                  res.threshold, "dpi", (json_int_t)res.dpi, "width_px", (json_int_t)res.width_px,
                  "height_px", (json_int_t)res.height_px, "width_mm", eseal_mm_json(w_mm),
                  "height_mm", eseal_mm_json(h_mm), "metrics", "scan_width",
                  (json_int_t)res.scan_width, "scan_height", (json_int_t)res.scan_height, "bbox",
                  "x", (json_int_t)res.bbox_x, "y", (json_int_t)res.bbox_y, "w",
                  (json_int_t)res.bbox_w, "h", (json_int_t)res.bbox_h, "ink_ratio", res.ink_ratio);
    rc = wf_picture_processed(is, who, id, picture, view, p);
    json_decref(picture);
out:
    eseal_image_result_cleanup(&res);
    return rc;
}
