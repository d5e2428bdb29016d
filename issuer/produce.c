/* produce.c — production by business type: holder certificates from the
 * CSR (eseal_ca_issue), v4 seals signed with the maker key (eseal_ca_sign),
 * esIDs per division, revocations and unlock codes. Builds log entries and
 * stores artefacts; wf_commit makes them count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "eseal/ca.h"
#include "eseal/pki.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "region.h"
#include "internal.h"

json_t *seal_event_base(const json_t *seal)
{
    json_t *data = json_deep_copy(seal);
    static const char *const drop[] = {"versions",    "submission", "application",
                                       "replaced_by", "log",        "spec"};
    for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
        json_object_del(data, drop[i]);
    json_t *versions = json_object_get(seal, "versions");
    json_object_update(data, json_array_get(versions, json_array_size(versions) - 1));
    return data;
}

/* name_text returns the single |nid| entry of |name| as UTF-8 (free() it),
 * or NULL. */
static char *name_text(const X509_NAME *name, int nid)
{
    int i = X509_NAME_get_index_by_NID(name, nid, -1);
    if (i < 0)
        return NULL;
    unsigned char *u = NULL;
    int n = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
    if (n < 0)
        return NULL;
    char *s = eseal_xstrndup((const char *)u, (size_t)n);
    OPENSSL_free(u);
    return s;
}

/* check_subject: the request must be for the unit (O, serialNumber = USCC)
 * or the person (CN, serialNumber = ID number) the form names. */
static eseal_rc check_subject(struct produce_ctx *ctx, const struct eseal_form *f,
                              const struct eseal_buf *csr, const char *field)
{
    X509_REQ *req = NULL;
    struct eseal_err e;
    eseal_err_clear(&e);
    if (eseal_pki_req_parse(&req, csr->data, csr->len, &e) != ESEAL_OK)
        return prob_set(ctx->p, ESEAL_E_RULE, field, "%s", e.msg);
    const X509_NAME *name = X509_REQ_get_subject_name(req);
    const char *want_name = NULL, *want_serial = NULL;
    int name_nid = NID_organizationName;
    if (f->kind == ESEAL_KIND_UNIT) {
        want_name = f->unit.name;
        want_serial = f->unit.uscc;
    } else if (f->kind == ESEAL_KIND_PERSONAL && f->person != NULL) {
        name_nid = NID_commonName;
        want_name = f->person->name;
        want_serial = f->person->id_number;
    }
    char *got_name = name_text(name, name_nid), *got_serial = name_text(name, NID_serialNumber);
    eseal_rc rc = ESEAL_OK;
    if ((want_name != NULL && (got_name == NULL || strcmp(got_name, want_name) != 0)) ||
        (want_serial != NULL && (got_serial == NULL || strcmp(got_serial, want_serial) != 0))) {
        rc = prob_set(ctx->p, ESEAL_E_RULE, field,
                      "the certificate request's subject (%s, serialNumber) does not name the "
                      "%s of the form / 证书请求主题与申请表不一致",
                      name_nid == NID_commonName ? "CN" : "O",
                      f->kind == ESEAL_KIND_UNIT ? "unit" : "person");
    }
    free(got_name);
    free(got_serial);
    X509_REQ_free(req);
    return rc;
}

/* get_csr finds the request for form |i|: the maker's (read from the key on
 * site), else the device's request material, else (|fallback|, renew and
 * change) the request of the seal's current version. */
static eseal_rc get_csr(struct produce_ctx *ctx, size_t i, const json_t *fopt, const char *fallback,
                        struct eseal_buf *out, const char *field)
{
    const struct eseal_form *f = &ctx->doc->forms[i];
    const char *pem = wf_jstr(fopt, "csr");
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc;
    if (pem != NULL) {
        eseal_buf_reset(out);
        eseal_buf_append_str(out, pem);
        rc = ESEAL_OK;
    } else if (f->csr != NULL) {
        rc = eseal_blob_get(ctx->is->blob, f->csr, out, &e);
    } else if (fallback != NULL) {
        rc = store_artefact_get(ctx->is, fallback, out, &e);
    } else {
        return prob_set(ctx->p, ESEAL_E_INVALID, field,
                        "须提供证书请求 / %s: a certificate request is needed (from the holder's "
                        "key on site, or "
                        "the device's request material)",
                        field);
    }
    return rc == ESEAL_OK ? ESEAL_OK : prob_set(ctx->p, rc, field, "%s", e.msg);
}

static enum eseal_ca_profile profile_of(enum eseal_seal_kind k)
{
    return k == ESEAL_KIND_PERSONAL ? ESEAL_CA_PROFILE_PERSONAL
           : k == ESEAL_KIND_DEVICE ? ESEAL_CA_PROFILE_DEVICE
                                    : ESEAL_CA_PROFILE_UNIT;
}

/* seal_mm gives a size for the seal's picture, which GB/T 38540 holds as
 * whole millimetres: a size with a half millimetre is rounded up. */
static long seal_mm(double mm)
{
    return (eseal_mm_tenths(mm) + 5) / 10;
}

/* make_version issues the certificate and makes the seal for form |i|,
 * stores both and the request, and returns the version's fields. */
static eseal_rc make_version(struct produce_ctx *ctx, size_t i, const struct eseal_form *f,
                             const char *esid, json_int_t version, const struct eseal_buf *csr,
                             json_t **ver)
{
    char field[32];
    snprintf(field, sizeof(field), "forms[%zu].csr", i);
    eseal_rc rc = check_subject(ctx, f, csr, field);
    if (rc != ESEAL_OK)
        return rc;
    X509 *cert = NULL;
    struct eseal_buf picture, seal, der;
    eseal_buf_init(&picture);
    eseal_buf_init(&seal);
    eseal_buf_init(&der);
    struct eseal_err e;
    eseal_err_clear(&e);
    char seal_sm3[ESEAL_SM3_HEX_LEN + 1], cert_sm3[ESEAL_SM3_HEX_LEN + 1],
        csr_sm3[ESEAL_SM3_HEX_LEN + 1];
    char *serial = NULL, *start = NULL, *end = NULL, *pic_sm3 = NULL;
    rc = eseal_ca_issue(ctx->is->ca, csr->data, csr->len, profile_of(f->kind), (int)ctx->days,
                        &cert, &e);
    if (rc != ESEAL_OK) {
        /* a request the CA cannot use is the maker's input refused, not a fault */
        if (rc == ESEAL_E_INVALID || rc == ESEAL_E_CRYPTO)
            rc = ESEAL_E_RULE;
        prob_set(ctx->p, rc, field, "%s", e.msg);
        goto out;
    }
    snprintf(field, sizeof(field), "forms[%zu].impression", i);
    const char *accepted = picture_accepted(ctx->record, i); /* the maker's processed picture */
    if ((rc = accepted != NULL
                  ? store_artefact_get(ctx->is, accepted, &picture, &e)
                  : eseal_blob_get(ctx->is->blob, f->impression, &picture, &e)) != ESEAL_OK) {
        prob_set(ctx->p, rc, field, "%s", e.msg);
        goto out;
    }
    struct eseal_seal_params sp = {
        .esid = esid,
        .type = f->kind == ESEAL_KIND_PERSONAL ? ESEAL_SEAL_PERSONAL : ESEAL_SEAL_UNIT,
        .name = f->seal.name,
        .holder = cert,
        .picture = picture.data,
        .picture_len = picture.len,
        .width_mm = seal_mm(f->seal.width_mm),
        .height_mm = seal_mm(f->seal.height_mm),
    };
    rc = eseal_seal_make(&seal, &sp, eseal_ca_cert(ctx->is->ca, ESEAL_CA_MAKER),
                         eseal_ca_maker_signer, ctx->is->ca, &e);
    atomic_fetch_add(rc == ESEAL_OK ? &ctx->is->seals_signed : &ctx->is->seal_sign_failures, 1);
    if (rc != ESEAL_OK) {
        prob_set(ctx->p, rc, field, "making the seal: %s", e.msg);
        goto out;
    }
    eseal_pki_cert_der(cert, &der);
    if ((rc = store_artefact_put(ctx->is, seal.data, seal.len, seal_sm3, &e)) != ESEAL_OK ||
        (rc = store_artefact_put(ctx->is, der.data, der.len, cert_sm3, &e)) != ESEAL_OK ||
        (rc = store_artefact_put(ctx->is, csr->data, csr->len, csr_sm3, &e)) != ESEAL_OK) {
        prob_set(ctx->p, rc, NULL, "%s", e.msg);
        goto out;
    }
    serial = eseal_pki_serial(X509_get0_serialNumber(cert));
    start = eseal_pki_time(X509_get0_notBefore(cert));
    end = eseal_pki_time(X509_get0_notAfter(cert));
    pic_sm3 = eseal_sm3_hex(picture.data, picture.len);
    *ver = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "version", version, "seal_sm3", seal_sm3,
                     "picture_sm3", pic_sm3, "cert_sm3", cert_sm3, "cert_serial", serial,
                     "valid_start", start, "valid_end", end, "csr_sm3", csr_sm3);
out:
    free(serial);
    free(start);
    free(end);
    free(pic_sm3);
    X509_free(cert);
    eseal_buf_cleanup(&picture);
    eseal_buf_cleanup(&seal);
    eseal_buf_cleanup(&der);
    return rc;
}

/* new_esid allocates the next esID of the division of form |i|'s unit. */
static eseal_rc new_esid(struct produce_ctx *ctx, size_t i, char esid[ESEAL_ESID_LEN + 1])
{
    const struct eseal_form *f = &ctx->doc->forms[i];
    const char *prefix = NULL;
    struct eseal_err e;
    eseal_err_clear(&e);
    char field[32];
    snprintf(field, sizeof(field), "forms[%zu].unit.county", i);
    if (eseal_region_esid_prefix(f->unit.city, f->unit.county, &prefix, &e) != ESEAL_OK)
        return prob_set(ctx->p, ESEAL_E_INVALID, field, "%s", e.msg);
    if (ctx->serials == NULL)
        ctx->serials = json_object();
    uint64_t last = store_counter(ctx->is, prefix);
    json_int_t used = json_integer_value(json_object_get(ctx->serials, prefix));
    if ((uint64_t)used > last)
        last = (uint64_t)used;
    if (last >= ESEAL_ESID_SERIAL_MAX)
        return prob_set(ctx->p, ESEAL_E_CONFLICT, field,
                        "该行政区划的印章序号已用尽 / division %s has used all its seal serials",
                        prefix);
    json_object_set_new(ctx->serials, prefix, json_integer((json_int_t)(last + 1)));
    if (eseal_esid_make(esid, prefix, (uint32_t)(last + 1), &e) != ESEAL_OK)
        return prob_set(ctx->p, ESEAL_E_INTERNAL, field, "%s", e.msg);
    return ESEAL_OK;
}

/* seal_base returns the seal-level fields for a new seal of form |i|. */
static json_t *seal_base(struct produce_ctx *ctx, size_t i, const char *esid, const char *token)
{
    const struct eseal_form *f = &ctx->doc->forms[i];
    json_t *b = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "esid", esid, "unit_name", f->unit.name,
                          "uscc", f->unit.uscc, "city", wf_jstr(ctx->record, "filed_city"), "kind",
                          eseal_form_key(ESEAL_ENUM_SEAL_KIND, (int)f->kind), "cert_type",
                          eseal_form_key(ESEAL_ENUM_CERT_TYPE, (int)f->seal.cert_type));
    if (token != NULL)
        json_object_set_new(b, "token_id", json_string(token));
    return b;
}

static void add_entry(struct produce_ctx *ctx, const char *type, const char *app, const char *esid,
                      json_t *data)
{
    json_array_append_new(ctx->entries,
                          wf_event(type, ctx->who, wf_jstr(ctx->record, "id"), app, esid, data));
}

/* revoked_entry builds seal.revoked for the current version of |seal|. A
 * suspended (lost) seal revoked for keyCompromise carries the suspension
 * time as its invalidity date: the key counts as compromised since the
 * loss was reported (DESIGN.md §8). */
static void revoked_entry(struct produce_ctx *ctx, const char *app, const json_t *seal,
                          const char *reason, const char *now)
{
    json_t *d = seal_event_base(seal);
    const char *since = wf_jstr(d, "suspended_at");
    if (wf_seal_state(seal) == ESEAL_SEAL_STATE_SUSPENDED && since != NULL &&
        strcmp(reason, "keyCompromise") == 0)
        json_object_set_new(d, "invalidity_date", json_string(since));
    json_object_set_new(d, "status", json_string("revoked"));
    json_object_set_new(d, "reason", json_string(reason));
    json_object_set_new(d, "revoked_at", json_string(now));
    add_entry(ctx, "seal.revoked", app, wf_jstr(seal, "esid"), d);
}

/* struct form_run is one form being produced. */
struct form_run {
    struct produce_ctx *ctx;
    size_t i;
    const struct eseal_form *f;
    const json_t *fopt; /* the maker's options for this form, or NULL */
    const char *token;  /* the USB KEY it is made for, or NULL */
    const char *target; /* the esID of the seal it acts on, as the rules resolved it */
    json_t *old;        /* the seal it acts on (on_seal types) */
    char app[40], field[40], now[32];
};

static const json_t *current_version(const json_t *seal)
{
    const json_t *versions = json_object_get(seal, "versions");
    return json_array_get(versions, json_array_size(versions) - 1);
}

static void set_field(struct form_run *fr, const char *name)
{
    snprintf(fr->field, sizeof(fr->field), "forms[%zu].%s", fr->i, name);
}

/* produced_entry adds application.produced with |data| plus form, esid, business. */
static void produced_entry(struct form_run *fr, const char *esid, json_t *data)
{
    json_object_set_new(data, "form", json_integer((json_int_t)fr->i));
    json_object_set_new(data, "esid", json_string(esid));
    json_object_set_new(data, "business", json_string(fr->ctx->type->key));
    add_entry(fr->ctx, "application.produced", fr->app, esid, data);
}

/* make_seal: a new seal (apply, reissue). A lost key is compromised, so a
 * reissue needs a new request too. */
static eseal_rc make_seal(struct form_run *fr, struct eseal_buf *csr, json_t **ver)
{
    struct produce_ctx *ctx = fr->ctx;
    char esid[ESEAL_ESID_LEN + 1];
    set_field(fr, "csr");
    eseal_rc rc;
    if ((rc = new_esid(ctx, fr->i, esid)) != ESEAL_OK ||
        (rc = get_csr(ctx, fr->i, fr->fopt, NULL, csr, fr->field)) != ESEAL_OK ||
        (rc = make_version(ctx, fr->i, fr->f, esid, 1, csr, ver)) != ESEAL_OK)
        return rc;
    if (fr->old != NULL) {
        if (json_equal(json_object_get(current_version(fr->old), "csr_sm3"),
                       json_object_get(*ver, "csr_sm3")))
            return prob_set(
                ctx->p, ESEAL_E_RULE, fr->field,
                "补办须使用新密钥 / reissue needs a new key: this request is the lost seal's");
        revoked_entry(ctx, fr->app, fr->old, ctx->type->revokes, fr->now);
    }
    json_t *d = seal_base(ctx, fr->i, esid, fr->token);
    json_object_update(d, *ver);
    json_object_set_new(d, "status", json_string("pending"));
    json_t *pd = json_object();
    if (fr->old != NULL) {
        json_object_set_new(d, "replaces", json_string(fr->target));
        json_object_set_new(pd, "replaces", json_string(fr->target));
    }
    add_entry(ctx, ctx->type->event, fr->app, esid, d);
    produced_entry(fr, esid, pd);
    return ESEAL_OK;
}

/* kept_form is form |f| with what a renewal keeps taken from the seal's
 * current version: name, function, size, kind, certificate type and
 * impression. Its strings are borrowed from |seal|. */
static struct eseal_form kept_form(const struct eseal_form *f, const json_t *seal)
{
    struct eseal_form k = *f;
    struct eseal_seal_record rec;
    wf_seal_lookup_json(seal, &rec);
    const json_t *spec = json_object_get(seal, "spec");
    if (wf_jstr(spec, "name") != NULL)
        k.seal.name = (char *)wf_jstr(spec, "name");
    if (rec.function != ESEAL_FUNCTION_NONE)
        k.seal.function = rec.function;
    if (eseal_mm_tenths(rec.width_mm) != 0 && eseal_mm_tenths(rec.height_mm) != 0) {
        k.seal.width_mm = rec.width_mm;
        k.seal.height_mm = rec.height_mm;
    }
    if (rec.kind != ESEAL_KIND_NONE)
        k.kind = rec.kind;
    if (rec.cert_type != ESEAL_CERT_NONE)
        k.seal.cert_type = rec.cert_type;
    if (wf_jstr(current_version(seal), "picture_sm3") != NULL)
        k.impression = (char *)wf_jstr(current_version(seal), "picture_sm3");
    return k;
}

/* make_new_version: the seal's next version (renew, change); the old one
 * is superseded. A renewal changes only the validity: the new version is
 * made from what the seal is, not from the form. */
static eseal_rc make_new_version(struct form_run *fr, struct eseal_buf *csr, json_t **ver)
{
    struct produce_ctx *ctx = fr->ctx;
    const json_t *cur = current_version(fr->old);
    json_int_t next = json_integer_value(json_object_get(cur, "version")) + 1;
    bool keep = ctx->type->keeps_seal;
    struct eseal_form f = keep ? kept_form(fr->f, fr->old) : *fr->f;
    set_field(fr, "csr");
    eseal_rc rc;
    if ((rc = get_csr(ctx, fr->i, fr->fopt, wf_jstr(cur, "csr_sm3"), csr, fr->field)) != ESEAL_OK ||
        (rc = make_version(ctx, fr->i, &f, fr->target, next, csr, ver)) != ESEAL_OK)
        return rc;
    revoked_entry(ctx, fr->app, fr->old, ctx->type->revokes, fr->now);
    json_t *d = seal_base(ctx, fr->i, fr->target, fr->token);
    if (keep) { /* the seal's own fields, not the form's */
        static const char *const kept[] = {"unit_name", "kind", "cert_type"};
        for (size_t k = 0; k < sizeof(kept) / sizeof(kept[0]); k++)
            json_object_set(d, kept[k], json_object_get(fr->old, kept[k]));
    }
    json_object_update(d, *ver);
    json_object_set_new(d, "status", json_string("good"));
    add_entry(ctx, ctx->type->event, fr->app, fr->target, d);
    produced_entry(fr, fr->target, json_pack("{s:I}", "version", next));
    return ESEAL_OK;
}

/* make_revocation: the seal revoked for the reason the maker gives; none
 * given, a suspended (lost) seal's is keyCompromise. */
static eseal_rc make_revocation(struct form_run *fr)
{
    const char *reason = fr->ctx->reason != NULL ? fr->ctx->reason : "keyCompromise";
    revoked_entry(fr->ctx, fr->app, fr->old, reason, fr->now);
    produced_entry(fr, fr->target, json_pack("{s:s}", "reason", reason));
    return ESEAL_OK;
}

/* make_unlock_code: a PIN unlock code for the token the seal was made for,
 * at the counter read from the key on site. */
static eseal_rc make_unlock_code(struct form_run *fr, struct eseal_buf *code)
{
    struct produce_ctx *ctx = fr->ctx;
    json_t *ctr = json_object_get(fr->fopt, "counter");
    const char *bound = wf_jstr(fr->old, "token_id");
    set_field(fr, "counter");
    if (ctr == NULL)
        return prob_set(ctx->p, ESEAL_E_INVALID, fr->field,
                        "须提供 USB KEY 的解锁计数器 / %s: the token's unlock counter (read from "
                        "the key on site) is needed",
                        fr->field);
    if (fr->token == NULL || (bound != NULL && strcmp(fr->token, bound) != 0)) {
        set_field(fr, "token_id");
        return prob_set(
            ctx->p, ESEAL_E_RULE, fr->field,
            "该 USB KEY 不是此印章所用的 / the token is not the one seal %s was made for",
            fr->target);
    }
    struct eseal_err e;
    eseal_err_clear(&e);
    char code_sm3[ESEAL_SM3_HEX_LEN + 1];
    eseal_rc rc =
        eseal_ca_unlock_code(ctx->is->ca, fr->token, (uint32_t)json_integer_value(ctr), code, &e);
    if (rc == ESEAL_OK)
        rc = store_artefact_put(ctx->is, code->data, code->len, code_sm3, &e);
    if (rc != ESEAL_OK)
        return prob_set(ctx->p, rc, fr->field, "%s", e.msg);
    add_entry(ctx, ctx->type->event, fr->app, fr->target,
              json_pack("{s:s,s:s,s:I,s:s}", "esid", fr->target, "token_id", fr->token, "counter",
                        json_integer_value(ctr), "code_sm3", code_sm3));
    produced_entry(fr, fr->target, json_pack("{s:s}", "unlock_code", code_sm3));
    return ESEAL_OK;
}

/* form_target loads the seal the form acts on and settles the token: the
 * maker's, else the seal's; only USB KEY seals have one, and a new
 * certificate for one needs it. */
static eseal_rc form_target(struct form_run *fr)
{
    struct produce_ctx *ctx = fr->ctx;
    const struct eseal_form *f = fr->f;
    fr->token = wf_jstr(fr->fopt, "token_id");
    if (ctx->type->on_seal) {
        set_field(fr, "target");
        fr->target = ctx->targets != NULL && ctx->targets[fr->i][0] != '\0' ? ctx->targets[fr->i]
                                                                            : f->target;
        if (fr->target == NULL ||
            store_get_json(ctx->is, CF_SEALS, fr->target, &fr->old, NULL) != ESEAL_OK)
            return prob_set(ctx->p, ESEAL_E_CONFLICT, fr->field,
                            "没有可办理的印章 / no seal %s to act on",
                            fr->target != NULL ? fr->target : "");
        if (fr->token == NULL)
            fr->token = wf_jstr(fr->old, "token_id");
    }
    if (!ctx->type->needs_csr)
        return ESEAL_OK;
    set_field(fr, "token_id");
    if (f->seal.cert_type == ESEAL_CERT_USB_KEY && fr->token == NULL)
        return prob_set(ctx->p, ESEAL_E_INVALID, fr->field,
                        "USB KEY 印章须提供 USB KEY 编号 / %s: a USB KEY seal needs the id of the "
                        "token it is made for",
                        fr->field);
    if (f->seal.cert_type != ESEAL_CERT_USB_KEY)
        fr->token = NULL;
    return ESEAL_OK;
}

eseal_rc produce_form(struct produce_ctx *ctx, size_t i)
{
    if (ctx->type == NULL)
        return prob_set(ctx->p, ESEAL_E_INTERNAL, "business", "未知业务类型 / unknown business %s",
                        wf_jstr(ctx->record, "business"));
    struct form_run fr = {.ctx = ctx, .i = i, .f = &ctx->doc->forms[i]};
    fr.fopt = ctx->forms != NULL ? json_array_get(ctx->forms, i) : NULL;
    snprintf(fr.app, sizeof(fr.app), "%s-%zu", wf_jstr(ctx->record, "id"), i + 1);
    wf_now_ms(fr.now);
    json_t *ver = NULL;
    struct eseal_buf csr, code;
    eseal_buf_init(&csr);
    eseal_buf_init(&code);
    eseal_rc rc = form_target(&fr);
    if (rc == ESEAL_OK) {
        switch (ctx->type->makes) {
        case BUSINESS_MAKES_SEAL:
            rc = make_seal(&fr, &csr, &ver);
            break;
        case BUSINESS_MAKES_VERSION:
            rc = make_new_version(&fr, &csr, &ver);
            break;
        case BUSINESS_MAKES_REVOCATION:
            rc = make_revocation(&fr);
            break;
        case BUSINESS_MAKES_UNLOCK_CODE:
            rc = make_unlock_code(&fr, &code);
            break;
        }
    }
    json_decref(fr.old);
    json_decref(ver);
    eseal_buf_cleanup(&csr);
    eseal_buf_cleanse(&code);
    return rc;
}
