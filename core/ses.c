/* ses.c — SES_Signature: parse v4/v5 (and v1), check, and make v4. */
#include <string.h>

#include <openssl/objects.h>

#include "eseal/pki.h"
#include "eseal/seal.h"
#include "seal_asn1.h"

struct eseal_ses {
    struct eseal_ses_info info;
    uint8_t *der;
    STACK_OF(ASN1_TYPE) * outer;
    ES_TBS *tbs;
    ES_TBS_V1 *tbs_v1;
    struct eseal_seal *seal;
    const ASN1_OBJECT *alg;
    const ASN1_BIT_STRING *sig;
    const ASN1_STRING *tbs_raw; /* original bytes of TBS_Sign: what was signed */
    char *property_info, *sign_alg;
    struct eseal_buf timestamp; /* the token out of timeStamp */
};

void eseal_ses_free(struct eseal_ses *s)
{
    if (s == NULL)
        return;
    sk_ASN1_TYPE_pop_free(s->outer, ASN1_TYPE_free);
    ASN1_item_free((ASN1_VALUE *)s->tbs, ASN1_ITEM_rptr(ES_TBS));
    ASN1_item_free((ASN1_VALUE *)s->tbs_v1, ASN1_ITEM_rptr(ES_TBS_V1));
    eseal_seal_free(s->seal);
    free(s->property_info);
    free(s->sign_alg);
    free(s->der);
    eseal_buf_cleanup(&s->timestamp);
    free(s);
}

const struct eseal_ses_info *eseal_ses_info(const struct eseal_ses *s)
{
    return &s->info;
}

/* parse_inner_seal parses the SESeal carried in TBS_Sign (kept byte for byte). */
static eseal_rc parse_inner_seal(struct eseal_ses *s, const ASN1_TYPE *eseal, struct eseal_err *err)
{
    const ASN1_STRING *raw = es_raw(eseal);
    if (raw == NULL || eseal->type != V_ASN1_SEQUENCE)
        return eseal_err_set(err, ESEAL_E_INVALID, "TBS_Sign.eseal is not a SESeal");
    eseal_rc rc = eseal_seal_parse(&s->seal, ASN1_STRING_get0_data(raw),
                                   (size_t)ASN1_STRING_length(raw), err);
    if (rc != ESEAL_OK)
        eseal_err_prefix(err, "the seal inside the signature");
    s->info.seal = s->seal;
    return rc;
}

static eseal_rc set_hash_and_property(struct eseal_ses *s, const ASN1_BIT_STRING *hash,
                                      const ASN1_IA5STRING *prop, struct eseal_err *err)
{
    s->info.data_hash = ASN1_STRING_get0_data(hash);
    s->info.data_hash_len = (size_t)ASN1_STRING_length(hash);
    eseal_rc rc = es_text(&s->property_info, prop, "propertyInfo", err);
    s->info.property_info = s->property_info;
    return rc;
}

/* parse_v4 reads SES_Signature ::= SEQUENCE { toSign TBS_Sign, cert, signatureAlgID,
 * signature [, timeStamp [0]] }. */
static eseal_rc parse_v4(struct eseal_ses *s, struct eseal_err *err)
{
    const ASN1_TYPE *cert = es_elem(s->outer, 1, V_ASN1_OCTET_STRING);
    const ASN1_TYPE *alg = es_elem(s->outer, 2, V_ASN1_OBJECT);
    const ASN1_TYPE *sig = es_elem(s->outer, 3, V_ASN1_BIT_STRING);
    if (cert == NULL || alg == NULL || sig == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "SES_Signature must be {toSign, cert, signatureAlgID, signature}");
    if (sk_ASN1_TYPE_num(s->outer) == 5) {
        const ASN1_TYPE *ts = sk_ASN1_TYPE_value(s->outer, 4);
        if (ts->type != V_ASN1_OTHER)
            return eseal_err_set(err, ESEAL_E_INVALID, "SES_Signature timeStamp is not [0]");
        s->info.has_timestamp = true;
        /* an unreadable token is the verifier's finding, not a parse error */
        if (es_timestamp_read(&s->timestamp, ts, NULL) == ESEAL_OK) {
            s->info.timestamp = s->timestamp.data;
            s->info.timestamp_len = s->timestamp.len;
        }
    }
    eseal_rc rc =
        es_decode((void **)&s->tbs, ASN1_ITEM_rptr(ES_TBS), ASN1_STRING_get0_data(s->tbs_raw),
                  (size_t)ASN1_STRING_length(s->tbs_raw), "TBS_Sign", err);
    long version = 0;
    if (rc == ESEAL_OK)
        rc = es_long(&version, s->tbs->version, 1, 5, "TBS_Sign version", err);
    if (rc == ESEAL_OK)
        rc = es_time(&s->info.time_info, s->tbs->time_info, "timeInfo", err);
    if (rc == ESEAL_OK)
        rc = set_hash_and_property(s, s->tbs->data_hash, s->tbs->property_info, err);
    if (rc == ESEAL_OK)
        rc = parse_inner_seal(s, s->tbs->eseal, err);
    s->info.version = (int)version;
    s->info.signer_cert = ASN1_STRING_get0_data(cert->value.octet_string);
    s->info.signer_cert_len = (size_t)ASN1_STRING_length(cert->value.octet_string);
    s->alg = alg->value.object;
    s->sig = sig->value.bit_string;
    s->info.signature = ASN1_STRING_get0_data(s->sig);
    s->info.signature_len = (size_t)ASN1_STRING_length(s->sig);
    return rc;
}

/* parse_v1 reads the GM/T 0031-2014 layout: SEQUENCE { toSign, signature },
 * where toSign carries the certificate and the algorithm. */
static eseal_rc parse_v1(struct eseal_ses *s, struct eseal_err *err)
{
    const ASN1_TYPE *sig = es_elem(s->outer, 1, V_ASN1_BIT_STRING);
    if (sig == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "v1 SES_Signature must be {toSign, signature}");
    eseal_rc rc =
        es_decode((void **)&s->tbs_v1, ASN1_ITEM_rptr(ES_TBS_V1), ASN1_STRING_get0_data(s->tbs_raw),
                  (size_t)ASN1_STRING_length(s->tbs_raw), "v1 TBS_Sign", err);
    if (rc != ESEAL_OK)
        return rc;
    s->info.version = 1;
    /* v1 timeInfo is a BIT STRING holding a time as text; read it if we can. */
    ASN1_GENERALIZEDTIME *t = ASN1_GENERALIZEDTIME_new();
    char txt[32] = {0};
    int n = ASN1_STRING_length(s->tbs_v1->time_info);
    if (n > 0 && n < (int)sizeof(txt)) {
        memcpy(txt, ASN1_STRING_get0_data(s->tbs_v1->time_info), (size_t)n);
        if (ASN1_TIME_set_string_X509(t, txt) == 1)
            (void)es_time(&s->info.time_info, t, "timeInfo", NULL);
    }
    ASN1_GENERALIZEDTIME_free(t);
    rc = set_hash_and_property(s, s->tbs_v1->data_hash, s->tbs_v1->property_info, err);
    if (rc == ESEAL_OK)
        rc = parse_inner_seal(s, s->tbs_v1->eseal, err);
    s->info.signer_cert = ASN1_STRING_get0_data(s->tbs_v1->cert);
    s->info.signer_cert_len = (size_t)ASN1_STRING_length(s->tbs_v1->cert);
    s->alg = s->tbs_v1->alg;
    s->sig = sig->value.bit_string;
    s->info.signature = ASN1_STRING_get0_data(s->sig);
    s->info.signature_len = (size_t)ASN1_STRING_length(s->sig);
    return rc;
}

static eseal_rc parse_ses(struct eseal_ses *s, struct eseal_err *err)
{
    eseal_rc rc = es_split(&s->outer, s->der, s->info.der_len, "SES_Signature", err);
    if (rc != ESEAL_OK)
        return rc;
    int n = sk_ASN1_TYPE_num(s->outer);
    const ASN1_TYPE *first = sk_ASN1_TYPE_value(s->outer, 0);
    s->tbs_raw = first != NULL && first->type == V_ASN1_SEQUENCE ? es_raw(first) : NULL;
    if (s->tbs_raw == NULL || (n != 2 && n != 4 && n != 5))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "not a seal signature: SES_Signature has %d elements", n);
    rc = n == 2 ? parse_v1(s, err) : parse_v4(s, err);
    if (rc != ESEAL_OK)
        return rc;
    char txt[64];
    OBJ_obj2txt(txt, sizeof(txt), s->alg, 1);
    s->sign_alg = eseal_xstrdup(txt);
    s->info.sign_alg = s->sign_alg;
    return ESEAL_OK;
}

eseal_rc eseal_ses_parse(struct eseal_ses **out, const uint8_t *der, size_t len,
                         struct eseal_err *err)
{
    *out = NULL;
    if (len == 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "empty seal signature");
    if (len > ESEAL_SEAL_MAX)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "seal signature larger than %d bytes",
                             ESEAL_SEAL_MAX);
    struct eseal_ses *s = eseal_xcalloc(1, sizeof(*s));
    eseal_buf_init(&s->timestamp);
    s->der = eseal_xmalloc(len);
    memcpy(s->der, der, len);
    s->info.der = s->der;
    s->info.der_len = len;
    eseal_rc rc = parse_ses(s, err);
    if (rc != ESEAL_OK) {
        eseal_ses_free(s);
        return rc;
    }
    *out = s;
    return ESEAL_OK;
}

eseal_rc eseal_ses_check_signature(const struct eseal_ses *s, struct eseal_err *err)
{
    return eseal_ses_check_signature_key(s, NULL, err);
}

eseal_rc eseal_ses_check_signature_key(const struct eseal_ses *s, EVP_PKEY *key,
                                       struct eseal_err *err)
{
    return es_check_sm2_key(key, s->info.signer_cert, s->info.signer_cert_len, s->alg, s->sig,
                            ASN1_STRING_get0_data(s->tbs_raw),
                            (size_t)ASN1_STRING_length(s->tbs_raw), "document", err);
}

/* tbs_der builds DER(TBS_Sign) v4 into |out|. */
static eseal_rc tbs_der(struct eseal_buf *out, const uint8_t *seal_der, size_t seal_len,
                        const uint8_t data_sm3[32], const char *property, time_t when,
                        struct eseal_err *err)
{
    for (const char *c = property; *c != '\0'; c++)
        if ((unsigned char)*c > 0x7e || (unsigned char)*c < 0x20)
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "propertyInfo must be printable ASCII (IA5String)");
    ES_TBS *tbs = (ES_TBS *)ASN1_item_new(ASN1_ITEM_rptr(ES_TBS));
    ASN1_INTEGER_set(tbs->version, 4);
    ASN1_TYPE_free(tbs->eseal);
    tbs->eseal = es_type_raw(seal_der, seal_len);
    ASN1_TIME_free(tbs->time_info);
    tbs->time_info = ASN1_GENERALIZEDTIME_set(NULL, when != 0 ? when : time(NULL));
    es_bits_set(tbs->data_hash, data_sm3, 32);
    ASN1_STRING_set(tbs->property_info, property, (int)strlen(property));
    unsigned char *der = NULL;
    int n = ASN1_item_i2d((const ASN1_VALUE *)tbs, &der, ASN1_ITEM_rptr(ES_TBS));
    ASN1_item_free((ASN1_VALUE *)tbs, ASN1_ITEM_rptr(ES_TBS));
    if (n <= 0)
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot encode TBS_Sign");
    eseal_buf_reset(out);
    eseal_buf_append(out, der, (size_t)n);
    OPENSSL_free(der);
    return ESEAL_OK;
}

eseal_rc eseal_ses_make(struct eseal_buf *out, const uint8_t *seal_der, size_t seal_len,
                        const uint8_t data_sm3[32], const char *property, time_t when, X509 *signer,
                        eseal_signer sign, void *sign_ctx, struct eseal_err *err)
{
    struct eseal_seal *seal = NULL;
    struct eseal_buf signer_der, tbs, sig;
    eseal_buf_init(&signer_der);
    eseal_buf_init(&tbs);
    eseal_buf_init(&sig);
    eseal_rc rc = eseal_seal_parse(&seal, seal_der, seal_len, err);
    if (rc == ESEAL_OK) {
        eseal_pki_cert_der(signer, &signer_der);
        if (!eseal_seal_has_cert(seal, signer_der.data, signer_der.len))
            rc = eseal_err_set(err, ESEAL_E_INVALID,
                               "the signer's certificate is not in the seal's certList / "
                               "签章人证书不属于该印章");
    }
    if (rc == ESEAL_OK)
        rc = tbs_der(&tbs, seal_der, seal_len, data_sm3, property, when, err);
    if (rc == ESEAL_OK)
        rc = sign(sign_ctx, tbs.data, tbs.len, &sig, err);
    if (rc == ESEAL_OK) {
        STACK_OF(ASN1_TYPE) *ses = sk_ASN1_TYPE_new_null();
        sk_ASN1_TYPE_push(ses, es_type_raw(tbs.data, tbs.len));
        sk_ASN1_TYPE_push(ses, es_type_octets(signer_der.data, signer_der.len));
        sk_ASN1_TYPE_push(ses, es_type_oid(NID_SM2_with_SM3));
        sk_ASN1_TYPE_push(ses, es_type_bits(sig.data, sig.len));
        es_join(out, ses);
        sk_ASN1_TYPE_pop_free(ses, ASN1_TYPE_free);
    }
    eseal_seal_free(seal);
    eseal_buf_cleanup(&signer_der);
    eseal_buf_cleanup(&tbs);
    eseal_buf_cleanup(&sig);
    return rc;
}

eseal_rc eseal_ses_add_timestamp(struct eseal_buf *out, const uint8_t *ses_der, size_t ses_len,
                                 const uint8_t *token, size_t token_len, struct eseal_err *err)
{
    STACK_OF(ASN1_TYPE) *elems = NULL;
    eseal_rc rc = es_split(&elems, ses_der, ses_len, "SES_Signature", err);
    if (rc == ESEAL_OK && sk_ASN1_TYPE_num(elems) != 4)
        rc = eseal_err_set(err, ESEAL_E_INVALID,
                           sk_ASN1_TYPE_num(elems) == 5
                               ? "the seal signature has a time-stamp already"
                               : "only a v4 seal signature takes a time-stamp");
    if (rc == ESEAL_OK) {
        /* the elements keep their original bytes: only timeStamp is new */
        for (int i = 0; i < 4; i++) {
            ASN1_TYPE *t = sk_ASN1_TYPE_value(elems, i);
            const ASN1_STRING *raw = es_raw(t);
            if (raw != NULL) {
                ASN1_TYPE *copy =
                    es_type_raw(ASN1_STRING_get0_data(raw), (size_t)ASN1_STRING_length(raw));
                sk_ASN1_TYPE_set(elems, i, copy);
                ASN1_TYPE_free(t);
            }
        }
        struct eseal_buf same;
        eseal_buf_init(&same);
        es_join(&same, elems);
        if (same.len != ses_len || memcmp(same.data, ses_der, ses_len) != 0)
            rc = eseal_err_set(err, ESEAL_E_INVALID, "the seal signature is not DER");
        eseal_buf_cleanup(&same);
    }
    if (rc == ESEAL_OK) {
        sk_ASN1_TYPE_push(elems, es_type_timestamp(token, token_len));
        es_join(out, elems);
    }
    sk_ASN1_TYPE_pop_free(elems, ASN1_TYPE_free);
    return rc;
}
