/* seal_make.c — making GB/T 38540 v4 seals (SESeal). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>

#include "eseal/pki.h"
#include "eseal/seal.h"
#include "seal_asn1.h"

#define NAME_MAX_BYTES 256
#define ESID_MAX 64
#define VID_DEFAULT "eseal"

/* picture_type_of names a picture by its magic bytes: the type field must
 * say what the bytes are, whatever the file was called. */
static const char *picture_type_of(const uint8_t *p, size_t n)
{
    if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "png";
    if (n >= 3 && memcmp(p, "\xff\xd8\xff", 3) == 0)
        return "jpg";
    if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
        return "gif";
    if (n >= 2 && memcmp(p, "BM", 2) == 0)
        return "bmp";
    size_t k = 0;
    while (k < n && k < 512 && (p[k] == ' ' || p[k] == '\n' || p[k] == '\r' || p[k] == '\t'))
        k++;
    if (n - k >= 5 && (memcmp(p + k, "<svg", 4) == 0 || memcmp(p + k, "<?xml", 5) == 0) &&
        memmem(p, n < 4096 ? n : 4096, "<svg", 4) != NULL)
        return "svg";
    return NULL;
}

static bool printable_ascii(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

static eseal_rc check_params(const struct eseal_seal_params *p, struct eseal_err *err)
{
    if (p->esid == NULL || *p->esid == '\0' || strlen(p->esid) > ESID_MAX ||
        !printable_ascii(p->esid))
        return eseal_err_set(err, ESEAL_E_INVALID, "esID must be 1..%d printable ASCII characters",
                             ESID_MAX);
    if (p->type != ESEAL_SEAL_UNIT && p->type != ESEAL_SEAL_PERSONAL)
        return eseal_err_set(err, ESEAL_E_INVALID, "seal type must be unit (1) or personal (2)");
    if (p->name == NULL || *p->name == '\0' || strlen(p->name) > NAME_MAX_BYTES)
        return eseal_err_set(err, ESEAL_E_INVALID, "seal name must be 1..%d bytes of UTF-8",
                             NAME_MAX_BYTES);
    if (p->vid != NULL && (strlen(p->vid) > ESID_MAX || !printable_ascii(p->vid)))
        return eseal_err_set(err, ESEAL_E_INVALID, "Vid must be printable ASCII");
    if (p->holder == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "a holder certificate is required");
    if (p->picture == NULL || p->picture_len == 0 || p->picture_len > ESEAL_SEAL_PICTURE_MAX)
        return eseal_err_set(err, ESEAL_E_INVALID, "the picture must be 1..%d bytes",
                             ESEAL_SEAL_PICTURE_MAX);
    if (p->width_mm < 1 || p->width_mm > 200 || p->height_mm < 1 || p->height_mm > 200)
        return eseal_err_set(err, ESEAL_E_INVALID, "width and height must be 1..200 mm");
    if (p->picture_type == NULL && picture_type_of(p->picture, p->picture_len) == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "the picture is not PNG, JPEG, GIF, BMP or SVG");
    return ESEAL_OK;
}

static ASN1_TIME *gtime(time_t t)
{
    return ASN1_GENERALIZEDTIME_set(NULL, t);
}

static ASN1_TIME *gtime_of(const ASN1_TIME *t)
{
    return ASN1_TIME_to_generalizedtime(t, NULL);
}

static void set_str(ASN1_STRING *s, const char *text)
{
    ASN1_STRING_set(s, text, (int)strlen(text));
}

/* encode_item writes the DER of |val| as |it| into a new ANY. */
static ASN1_TYPE *encode_item(const void *val, const ASN1_ITEM *it)
{
    unsigned char *der = NULL;
    int n = ASN1_item_i2d((const ASN1_VALUE *)val, &der, it);
    if (n <= 0) {
        fprintf(stderr, "eseal: cannot encode a seal structure\n");
        abort();
    }
    ASN1_TYPE *t = es_type_raw(der, (size_t)n);
    OPENSSL_free(der);
    return t;
}

static ASN1_TYPE *cert_list_of(X509 *holder)
{
    struct eseal_buf der, list;
    eseal_buf_init(&der);
    eseal_buf_init(&list);
    eseal_pki_cert_der(holder, &der);
    STACK_OF(ASN1_TYPE) *certs = sk_ASN1_TYPE_new_null();
    sk_ASN1_TYPE_push(certs, es_type_octets(der.data, der.len));
    es_join(&list, certs);
    ASN1_TYPE *t = es_type_raw(list.data, list.len);
    sk_ASN1_TYPE_pop_free(certs, ASN1_TYPE_free);
    eseal_buf_cleanup(&der);
    eseal_buf_cleanup(&list);
    return t;
}

static ASN1_TYPE *property_of(const struct eseal_seal_params *p)
{
    ES_PROPERTY *prop = (ES_PROPERTY *)ASN1_item_new(ASN1_ITEM_rptr(ES_PROPERTY));
    ASN1_INTEGER_set(prop->type, p->type);
    set_str(prop->name, p->name);
    ASN1_INTEGER_set(prop->cert_list_type, 1);
    ASN1_TYPE_free(prop->cert_list);
    prop->cert_list = cert_list_of(p->holder);
    ASN1_TIME_free(prop->create_date);
    ASN1_TIME_free(prop->valid_start);
    ASN1_TIME_free(prop->valid_end);
    prop->create_date = gtime(p->create_date != 0 ? p->create_date : time(NULL));
    /* A seal is valid exactly as long as its holder certificate. */
    prop->valid_start = gtime_of(X509_get0_notBefore(p->holder));
    prop->valid_end = gtime_of(X509_get0_notAfter(p->holder));
    ASN1_TYPE *t = encode_item(prop, ASN1_ITEM_rptr(ES_PROPERTY));
    ASN1_item_free((ASN1_VALUE *)prop, ASN1_ITEM_rptr(ES_PROPERTY));
    return t;
}

/* sealinfo_der builds DER(SES_SealInfo) into |out|. */
static void sealinfo_der(struct eseal_buf *out, const struct eseal_seal_params *p)
{
    ES_SEALINFO *si = (ES_SEALINFO *)ASN1_item_new(ASN1_ITEM_rptr(ES_SEALINFO));
    set_str(si->header->id, "ES");
    ASN1_INTEGER_set(si->header->version, 4);
    set_str(si->header->vid, p->vid != NULL ? p->vid : VID_DEFAULT);
    set_str(si->esid, p->esid);
    ASN1_TYPE_free(si->property);
    si->property = property_of(p);
    const char *type =
        p->picture_type ? p->picture_type : picture_type_of(p->picture, p->picture_len);
    set_str(si->picture->type, type);
    ASN1_OCTET_STRING_set(si->picture->data, p->picture, (int)p->picture_len);
    ASN1_INTEGER_set(si->picture->width, p->width_mm);
    ASN1_INTEGER_set(si->picture->height, p->height_mm);
    ASN1_TYPE *t = encode_item(si, ASN1_ITEM_rptr(ES_SEALINFO));
    eseal_buf_reset(out);
    eseal_buf_append(out, t->value.sequence->data, (size_t)t->value.sequence->length);
    ASN1_TYPE_free(t);
    ASN1_item_free((ASN1_VALUE *)si, ASN1_ITEM_rptr(ES_SEALINFO));
}

eseal_rc eseal_seal_make(struct eseal_buf *out, const struct eseal_seal_params *p, X509 *maker,
                         eseal_signer sign, void *sign_ctx, struct eseal_err *err)
{
    eseal_rc rc = check_params(p, err);
    if (rc != ESEAL_OK)
        return rc;
    struct eseal_buf info, sig, maker_der;
    eseal_buf_init(&info);
    eseal_buf_init(&sig);
    eseal_buf_init(&maker_der);
    sealinfo_der(&info, p);
    rc = sign(sign_ctx, info.data, info.len, &sig, err);
    if (rc == ESEAL_OK) {
        eseal_pki_cert_der(maker, &maker_der);
        STACK_OF(ASN1_TYPE) *seal = sk_ASN1_TYPE_new_null();
        sk_ASN1_TYPE_push(seal, es_type_raw(info.data, info.len));
        sk_ASN1_TYPE_push(seal, es_type_octets(maker_der.data, maker_der.len));
        sk_ASN1_TYPE_push(seal, es_type_oid(NID_SM2_with_SM3));
        sk_ASN1_TYPE_push(seal, es_type_bits(sig.data, sig.len));
        es_join(out, seal);
        sk_ASN1_TYPE_pop_free(seal, ASN1_TYPE_free);
    }
    eseal_buf_cleanup(&info);
    eseal_buf_cleanup(&sig);
    eseal_buf_cleanup(&maker_der);
    return rc;
}
