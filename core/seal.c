/* seal.c — SESeal: parse v1/v4/v5, check the seal-maker signature, make v4. */
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/objects.h>

#include "eseal/seal.h"
#include "eseal/sm.h"
#include "seal_asn1.h"

struct eseal_seal {
    struct eseal_seal_info info;
    uint8_t *der;
    STACK_OF(ASN1_TYPE) * outer;     /* SESeal elements */
    STACK_OF(ASN1_TYPE) * sign_info; /* v1 SES_SignInfo elements */
    ES_SEALINFO *sealinfo;
    STACK_OF(ASN1_TYPE) * cert_list; /* certList entries */
    const ASN1_OBJECT *alg;          /* maker signature algorithm */
    const ASN1_BIT_STRING *sig;      /* maker signature value */
    const ASN1_OCTET_STRING *cert;   /* maker certificate */
    struct eseal_buf signed_bytes;   /* what the maker signed */
    struct eseal_buf timestamp;      /* v5: the token out of timeStamp */
    char *header_id, *vid, *esid, *name, *picture_type, *sign_alg;
    char **digest_algs; /* per digest-list entry */
    ES_CERTDIGEST **digests;
};

void eseal_seal_free(struct eseal_seal *s)
{
    if (s == NULL)
        return;
    sk_ASN1_TYPE_pop_free(s->outer, ASN1_TYPE_free);
    sk_ASN1_TYPE_pop_free(s->sign_info, ASN1_TYPE_free);
    sk_ASN1_TYPE_pop_free(s->cert_list, ASN1_TYPE_free);
    ASN1_item_free((ASN1_VALUE *)s->sealinfo, ASN1_ITEM_rptr(ES_SEALINFO));
    for (size_t i = 0; s->digests != NULL && i < s->info.n_certs; i++) {
        ASN1_item_free((ASN1_VALUE *)s->digests[i], ASN1_ITEM_rptr(ES_CERTDIGEST));
        free(s->digest_algs[i]);
    }
    free(s->digests);
    free(s->digest_algs);
    eseal_buf_cleanup(&s->signed_bytes);
    eseal_buf_cleanup(&s->timestamp);
    free(s->header_id);
    free(s->vid);
    free(s->esid);
    free(s->name);
    free(s->picture_type);
    free(s->sign_alg);
    free(s->der);
    free(s);
}

const struct eseal_seal_info *eseal_seal_info(const struct eseal_seal *s)
{
    return &s->info;
}

/* parse_header reads SES_Header; the version decides the property layout. */
static eseal_rc parse_header(struct eseal_seal *s, struct eseal_err *err)
{
    const ES_HEADER *h = s->sealinfo->header;
    long version = 0;
    eseal_rc rc = es_text(&s->header_id, h->id, "header ID", err);
    if (rc == ESEAL_OK)
        rc = es_text(&s->vid, h->vid, "header Vid", err);
    if (rc == ESEAL_OK)
        rc = es_long(&version, h->version, 1, 5, "header version", err);
    if (rc != ESEAL_OK)
        return rc;
    if (strcmp(s->header_id, "ES") != 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "header ID is \"%s\", not \"ES\"", s->header_id);
    s->info.version = (int)version;
    s->info.header_id = s->header_id;
    s->info.vid = s->vid;
    return ESEAL_OK;
}

static eseal_rc parse_times(struct eseal_seal *s, const ASN1_TIME *c, const ASN1_TIME *a,
                            const ASN1_TIME *b, struct eseal_err *err)
{
    eseal_rc rc = es_time(&s->info.create_date, c, "createDate", err);
    if (rc == ESEAL_OK)
        rc = es_time(&s->info.valid_start, a, "validStart", err);
    if (rc == ESEAL_OK)
        rc = es_time(&s->info.valid_end, b, "validEnd", err);
    return rc;
}

/* parse_cert_list reads certList as SEQUENCE OF ANY and checks every entry
 * against certListType: OCTET STRING certificates, or CertDigestObj. */
static eseal_rc parse_cert_list(struct eseal_seal *s, const ASN1_TYPE *any, struct eseal_err *err)
{
    const ASN1_STRING *raw = es_raw(any);
    if (raw == NULL || any->type != V_ASN1_SEQUENCE)
        return eseal_err_set(err, ESEAL_E_INVALID, "certList is not a SEQUENCE");
    eseal_rc rc = es_split(&s->cert_list, ASN1_STRING_get0_data(raw),
                           (size_t)ASN1_STRING_length(raw), "certList", err);
    if (rc != ESEAL_OK)
        return rc;
    size_t n = (size_t)sk_ASN1_TYPE_num(s->cert_list);
    s->info.n_certs = n;
    if (s->info.cert_list_type == 2) {
        s->digests = eseal_xcalloc(n, sizeof(*s->digests));
        s->digest_algs = eseal_xcalloc(n, sizeof(*s->digest_algs));
    }
    for (size_t i = 0; i < n; i++) {
        const ASN1_TYPE *t = sk_ASN1_TYPE_value(s->cert_list, (int)i);
        if (s->info.cert_list_type == 1 && t->type != V_ASN1_OCTET_STRING)
            return eseal_err_set(err, ESEAL_E_INVALID, "certList entry %zu is not a certificate",
                                 i);
        if (s->info.cert_list_type == 2) {
            const ASN1_STRING *r = es_raw(t);
            if (r == NULL)
                return eseal_err_set(err, ESEAL_E_INVALID, "certList entry %zu is not a digest", i);
            rc = es_decode((void **)&s->digests[i], ASN1_ITEM_rptr(ES_CERTDIGEST),
                           ASN1_STRING_get0_data(r), (size_t)ASN1_STRING_length(r),
                           "certList digest", err);
            if (rc == ESEAL_OK)
                rc = es_text(&s->digest_algs[i], s->digests[i]->type, "digest type", err);
            if (rc != ESEAL_OK)
                return rc;
        }
    }
    return ESEAL_OK;
}

static eseal_rc decode_property(void **out, const ASN1_ITEM *it, const ASN1_TYPE *any,
                                struct eseal_err *err)
{
    const ASN1_STRING *raw = es_raw(any);
    if (raw == NULL || any->type != V_ASN1_SEQUENCE)
        return eseal_err_set(err, ESEAL_E_INVALID, "property is not a SEQUENCE");
    return es_decode(out, it, ASN1_STRING_get0_data(raw), (size_t)ASN1_STRING_length(raw),
                     "SES_ESPropertyInfo", err);
}

/* struct property holds the fields both property layouts share. */
struct property {
    const ASN1_INTEGER *type, *cert_list_type; /* cert_list_type: NULL in v1 */
    const ASN1_UTF8STRING *name;
    const ASN1_TIME *create_date, *valid_start, *valid_end;
    const ASN1_TYPE *cert_list;
};

/* parse_property reads SES_ESPropertyInfo in the layout of the header
 * version: v1 has no certListType (its certList holds certificates). */
static eseal_rc parse_property(struct eseal_seal *s, struct eseal_err *err)
{
    bool v1 = s->info.version == 1;
    const ASN1_ITEM *it = v1 ? ASN1_ITEM_rptr(ES_PROPERTY_V1) : ASN1_ITEM_rptr(ES_PROPERTY);
    void *decoded = NULL;
    eseal_rc rc = decode_property(&decoded, it, s->sealinfo->property, err);
    if (rc != ESEAL_OK)
        return rc;
    struct property p;
    if (v1) {
        const ES_PROPERTY_V1 *q = decoded;
        p = (struct property){q->type,        NULL,         q->name,     q->create_date,
                              q->valid_start, q->valid_end, q->cert_list};
    } else {
        const ES_PROPERTY *q = decoded;
        p = (struct property){q->type,        q->cert_list_type, q->name,     q->create_date,
                              q->valid_start, q->valid_end,      q->cert_list};
    }
    s->info.cert_list_type = 1;
    rc = es_long(&s->info.type, p.type, 0, 1000, "seal type", err);
    if (rc == ESEAL_OK && p.cert_list_type != NULL)
        rc = es_long(&s->info.cert_list_type, p.cert_list_type, 1, 2, "certListType", err);
    if (rc == ESEAL_OK)
        rc = es_text(&s->name, p.name, "seal name", err);
    if (rc == ESEAL_OK)
        rc = parse_times(s, p.create_date, p.valid_start, p.valid_end, err);
    if (rc == ESEAL_OK)
        rc = parse_cert_list(s, p.cert_list, err);
    ASN1_item_free(decoded, it);
    return rc;
}

static eseal_rc parse_picture(struct eseal_seal *s, struct eseal_err *err)
{
    const ES_PICTURE *pic = s->sealinfo->picture;
    eseal_rc rc = es_text(&s->picture_type, pic->type, "picture type", err);
    if (rc == ESEAL_OK)
        rc = es_long(&s->info.width_mm, pic->width, 0, 100000, "picture width", err);
    if (rc == ESEAL_OK)
        rc = es_long(&s->info.height_mm, pic->height, 0, 100000, "picture height", err);
    if (rc != ESEAL_OK)
        return rc;
    if ((size_t)ASN1_STRING_length(pic->data) > ESEAL_SEAL_PICTURE_MAX)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "picture larger than %d bytes",
                             ESEAL_SEAL_PICTURE_MAX);
    s->info.picture_type = s->picture_type;
    s->info.picture = ASN1_STRING_get0_data(pic->data);
    s->info.picture_len = (size_t)ASN1_STRING_length(pic->data);
    return ESEAL_OK;
}

/* parse_sealinfo decodes SES_SealInfo from its original bytes. */
static eseal_rc parse_sealinfo(struct eseal_seal *s, const ASN1_STRING *raw, struct eseal_err *err)
{
    eseal_rc rc =
        es_decode((void **)&s->sealinfo, ASN1_ITEM_rptr(ES_SEALINFO), ASN1_STRING_get0_data(raw),
                  (size_t)ASN1_STRING_length(raw), "SES_SealInfo", err);
    if (rc == ESEAL_OK)
        rc = parse_header(s, err);
    if (rc == ESEAL_OK)
        rc = es_text(&s->esid, s->sealinfo->esid, "esID", err);
    if (rc == ESEAL_OK)
        rc = parse_property(s, err);
    if (rc == ESEAL_OK)
        rc = parse_picture(s, err);
    s->info.esid = s->esid;
    s->info.name = s->name;
    return rc;
}

/* parse_sign_v4 takes cert, algorithm and signature from SESeal v4/v5:
 * SEQUENCE { eSealInfo, cert, signAlgID, signedValue [, timeStamp [0]] }.
 * The maker signed the original bytes of eSealInfo. */
static eseal_rc parse_sign_v4(struct eseal_seal *s, const ASN1_STRING *info_raw,
                              struct eseal_err *err)
{
    int n = sk_ASN1_TYPE_num(s->outer);
    const ASN1_TYPE *cert = es_elem(s->outer, 1, V_ASN1_OCTET_STRING);
    const ASN1_TYPE *alg = es_elem(s->outer, 2, V_ASN1_OBJECT);
    const ASN1_TYPE *sig = es_elem(s->outer, 3, V_ASN1_BIT_STRING);
    if (cert == NULL || alg == NULL || sig == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "SESeal must be {eSealInfo, cert, signAlgID, signedValue}");
    if (n == 5 && es_raw(sk_ASN1_TYPE_value(s->outer, 4)) == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "SESeal has an unexpected fifth element");
    s->info.has_timestamp = n == 5;
    if (n == 5 &&
        es_timestamp_read(&s->timestamp, sk_ASN1_TYPE_value(s->outer, 4), NULL) == ESEAL_OK) {
        s->info.timestamp = s->timestamp.data;
        s->info.timestamp_len = s->timestamp.len;
    }
    s->cert = cert->value.octet_string;
    s->alg = alg->value.object;
    s->sig = sig->value.bit_string;
    s->info.signed_value = ASN1_STRING_get0_data(s->sig);
    s->info.signed_value_len = (size_t)ASN1_STRING_length(s->sig);
    eseal_buf_append(&s->signed_bytes, ASN1_STRING_get0_data(info_raw),
                     (size_t)ASN1_STRING_length(info_raw));
    return ESEAL_OK;
}

/* parse_sign_v1 reads SES_SignInfo ::= SEQUENCE { cert, signatureAlgorithm,
 * signData } of GM/T 0031-2014; the maker signed
 * SEQUENCE { SES_SealInfo, cert, signatureAlgorithm } (DER, built with
 * OpenSSL from the original elements). */
static eseal_rc parse_sign_v1(struct eseal_seal *s, const ASN1_STRING *info_raw,
                              struct eseal_err *err)
{
    const ASN1_STRING *raw = es_raw(sk_ASN1_TYPE_value(s->outer, 1));
    if (raw == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "v1 SES_SignInfo is not a SEQUENCE");
    eseal_rc rc = es_split(&s->sign_info, ASN1_STRING_get0_data(raw),
                           (size_t)ASN1_STRING_length(raw), "SES_SignInfo", err);
    if (rc != ESEAL_OK)
        return rc;
    const ASN1_TYPE *cert = es_elem(s->sign_info, 0, V_ASN1_OCTET_STRING);
    const ASN1_TYPE *alg = es_elem(s->sign_info, 1, V_ASN1_OBJECT);
    const ASN1_TYPE *sig = es_elem(s->sign_info, 2, V_ASN1_BIT_STRING);
    if (sk_ASN1_TYPE_num(s->sign_info) != 3 || cert == NULL || alg == NULL || sig == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "v1 SES_SignInfo must be {cert, signatureAlgorithm, signData}");
    s->cert = cert->value.octet_string;
    s->alg = alg->value.object;
    s->sig = sig->value.bit_string;
    STACK_OF(ASN1_TYPE) *tbs = sk_ASN1_TYPE_new_null();
    sk_ASN1_TYPE_push(
        tbs, es_type_raw(ASN1_STRING_get0_data(info_raw), (size_t)ASN1_STRING_length(info_raw)));
    sk_ASN1_TYPE_push(
        tbs, es_type_octets(ASN1_STRING_get0_data(s->cert), (size_t)ASN1_STRING_length(s->cert)));
    ASN1_TYPE *a = ASN1_TYPE_new();
    ASN1_TYPE_set1(a, V_ASN1_OBJECT, s->alg);
    sk_ASN1_TYPE_push(tbs, a);
    es_join(&s->signed_bytes, tbs);
    sk_ASN1_TYPE_pop_free(tbs, ASN1_TYPE_free);
    return ESEAL_OK;
}

static eseal_rc parse_seal(struct eseal_seal *s, struct eseal_err *err)
{
    eseal_rc rc = es_split(&s->outer, s->der, s->info.der_len, "SESeal", err);
    if (rc != ESEAL_OK)
        return rc;
    int n = sk_ASN1_TYPE_num(s->outer);
    const ASN1_TYPE *first = sk_ASN1_TYPE_value(s->outer, 0);
    const ASN1_STRING *info_raw =
        first != NULL && first->type == V_ASN1_SEQUENCE ? es_raw(first) : NULL;
    if (info_raw == NULL || (n != 2 && n != 4 && n != 5))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "not a seal: SESeal has %d elements (v1: 2, v4: 4, v5: 4 or 5)", n);
    rc = parse_sealinfo(s, info_raw, err);
    if (rc != ESEAL_OK)
        return rc;
    /* Structure and header version must agree: v1 has two elements. */
    if ((n == 2) != (s->info.version == 1))
        return eseal_err_set(err, ESEAL_E_INVALID, "SESeal layout does not match header version %d",
                             s->info.version);
    rc = n == 2 ? parse_sign_v1(s, info_raw, err) : parse_sign_v4(s, info_raw, err);
    if (rc != ESEAL_OK)
        return rc;
    char txt[64];
    OBJ_obj2txt(txt, sizeof(txt), s->alg, 1);
    s->sign_alg = eseal_xstrdup(txt);
    s->info.sign_alg = s->sign_alg;
    s->info.maker_cert = ASN1_STRING_get0_data(s->cert);
    s->info.maker_cert_len = (size_t)ASN1_STRING_length(s->cert);
    return ESEAL_OK;
}

eseal_rc eseal_seal_parse(struct eseal_seal **out, const uint8_t *der, size_t len,
                          struct eseal_err *err)
{
    *out = NULL;
    if (len == 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "empty seal");
    if (len > ESEAL_SEAL_MAX)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "seal larger than %d bytes", ESEAL_SEAL_MAX);
    struct eseal_seal *s = eseal_xcalloc(1, sizeof(*s));
    eseal_buf_init(&s->signed_bytes);
    eseal_buf_init(&s->timestamp);
    s->der = eseal_xmalloc(len);
    memcpy(s->der, der, len);
    s->info.der = s->der;
    s->info.der_len = len;
    eseal_rc rc = parse_seal(s, err);
    if (rc != ESEAL_OK) {
        eseal_seal_free(s);
        return rc;
    }
    *out = s;
    return ESEAL_OK;
}

eseal_rc eseal_seal_cert(const struct eseal_seal *s, size_t i, const uint8_t **der, size_t *len)
{
    if (s->info.cert_list_type != 1 || i >= s->info.n_certs)
        return ESEAL_E_NOTFOUND;
    const ASN1_TYPE *t = sk_ASN1_TYPE_value(s->cert_list, (int)i);
    *der = ASN1_STRING_get0_data(t->value.octet_string);
    *len = (size_t)ASN1_STRING_length(t->value.octet_string);
    return ESEAL_OK;
}

eseal_rc eseal_seal_cert_digest(const struct eseal_seal *s, size_t i, const char **alg,
                                const uint8_t **value, size_t *len)
{
    if (s->info.cert_list_type != 2 || i >= s->info.n_certs)
        return ESEAL_E_NOTFOUND;
    *alg = s->digest_algs[i];
    *value = ASN1_STRING_get0_data(s->digests[i]->value);
    *len = (size_t)ASN1_STRING_length(s->digests[i]->value);
    return ESEAL_OK;
}

/* digest_matches compares a certificate with a digest-list entry: SM3 or
 * SHA-256, whichever the entry's length and type name say. */
static bool digest_matches(const char *alg, const uint8_t *v, size_t vlen, const uint8_t *cert,
                           size_t cert_len)
{
    uint8_t d[32];
    if (vlen != 32)
        return false;
    if (strcasecmp(alg, "sha256") == 0 || strcasecmp(alg, "sha-256") == 0)
        EVP_Digest(cert, cert_len, d, NULL, EVP_sha256(), NULL);
    else
        eseal_sm3(d, cert, cert_len);
    return memcmp(d, v, 32) == 0;
}

bool eseal_seal_has_cert(const struct eseal_seal *s, const uint8_t *cert_der, size_t len)
{
    for (size_t i = 0; i < s->info.n_certs; i++) {
        const uint8_t *v;
        size_t vlen;
        const char *alg;
        if (eseal_seal_cert(s, i, &v, &vlen) == ESEAL_OK) {
            if (vlen == len && memcmp(v, cert_der, len) == 0)
                return true;
        } else if (eseal_seal_cert_digest(s, i, &alg, &v, &vlen) == ESEAL_OK &&
                   digest_matches(alg, v, vlen, cert_der, len)) {
            return true;
        }
    }
    return false;
}

eseal_rc eseal_seal_check_maker(const struct eseal_seal *s, struct eseal_err *err)
{
    return es_check_sm2(s->info.maker_cert, s->info.maker_cert_len, s->alg, s->sig,
                        s->signed_bytes.data, s->signed_bytes.len, "seal-maker", err);
}
