/* seal_asn1.c — GB/T 38540 ASN.1 templates and the helpers around them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "eseal/pki.h"
#include "eseal/sm.h"
#include "seal_asn1.h"

ASN1_SEQUENCE(ES_HEADER) =
    {
        ASN1_SIMPLE(ES_HEADER, id, ASN1_IA5STRING),
        ASN1_SIMPLE(ES_HEADER, version, ASN1_INTEGER),
        ASN1_SIMPLE(ES_HEADER, vid, ASN1_IA5STRING),
} ASN1_SEQUENCE_END(ES_HEADER)

        ASN1_SEQUENCE(ES_PROPERTY) =
            {
                ASN1_SIMPLE(ES_PROPERTY, type, ASN1_INTEGER),
                ASN1_SIMPLE(ES_PROPERTY, name, ASN1_UTF8STRING),
                ASN1_SIMPLE(ES_PROPERTY, cert_list_type, ASN1_INTEGER),
                ASN1_SIMPLE(ES_PROPERTY, cert_list, ASN1_ANY),
                ASN1_SIMPLE(ES_PROPERTY, create_date, ASN1_TIME),
                ASN1_SIMPLE(ES_PROPERTY, valid_start, ASN1_TIME),
                ASN1_SIMPLE(ES_PROPERTY, valid_end, ASN1_TIME),
} ASN1_SEQUENCE_END(ES_PROPERTY)

                ASN1_SEQUENCE(ES_PROPERTY_V1) =
                    {
                        ASN1_SIMPLE(ES_PROPERTY_V1, type, ASN1_INTEGER),
                        ASN1_SIMPLE(ES_PROPERTY_V1, name, ASN1_UTF8STRING),
                        ASN1_SIMPLE(ES_PROPERTY_V1, cert_list, ASN1_ANY),
                        ASN1_SIMPLE(ES_PROPERTY_V1, create_date, ASN1_TIME),
                        ASN1_SIMPLE(ES_PROPERTY_V1, valid_start, ASN1_TIME),
                        ASN1_SIMPLE(ES_PROPERTY_V1, valid_end, ASN1_TIME),
} ASN1_SEQUENCE_END(ES_PROPERTY_V1)

                        ASN1_SEQUENCE(ES_PICTURE) =
                            {
                                ASN1_SIMPLE(ES_PICTURE, type, ASN1_IA5STRING),
                                ASN1_SIMPLE(ES_PICTURE, data, ASN1_OCTET_STRING),
                                ASN1_SIMPLE(ES_PICTURE, width, ASN1_INTEGER),
                                ASN1_SIMPLE(ES_PICTURE, height, ASN1_INTEGER),
} ASN1_SEQUENCE_END(ES_PICTURE)

                                ASN1_SEQUENCE(ES_SEALINFO) =
                                    {
                                        ASN1_SIMPLE(ES_SEALINFO, header, ES_HEADER),
                                        ASN1_SIMPLE(ES_SEALINFO, esid, ASN1_IA5STRING),
                                        ASN1_SIMPLE(ES_SEALINFO, property, ASN1_ANY),
                                        ASN1_SIMPLE(ES_SEALINFO, picture, ES_PICTURE),
                                        ASN1_SEQUENCE_OF_OPT(ES_SEALINFO, ext_datas, ASN1_ANY),
} ASN1_SEQUENCE_END(ES_SEALINFO)

                                        ASN1_SEQUENCE(ES_CERTDIGEST) =
                                            {
                                                ASN1_SIMPLE(ES_CERTDIGEST, type,
                                                            ASN1_PRINTABLESTRING),
                                                ASN1_SIMPLE(ES_CERTDIGEST, value,
                                                            ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(ES_CERTDIGEST)

                                                ASN1_SEQUENCE(ES_TBS) =
                                                    {
                                                        ASN1_SIMPLE(ES_TBS, version, ASN1_INTEGER),
                                                        ASN1_SIMPLE(ES_TBS, eseal, ASN1_ANY),
                                                        ASN1_SIMPLE(ES_TBS, time_info, ASN1_TIME),
                                                        ASN1_SIMPLE(ES_TBS, data_hash,
                                                                    ASN1_BIT_STRING),
                                                        ASN1_SIMPLE(ES_TBS, property_info,
                                                                    ASN1_IA5STRING),
                                                        ASN1_EXP_SEQUENCE_OF_OPT(ES_TBS, ext_datas,
                                                                                 ASN1_ANY, 0),
} ASN1_SEQUENCE_END(ES_TBS)

                                                        ASN1_SEQUENCE(ES_TBS_V1) =
                                                            {
                                                                ASN1_SIMPLE(ES_TBS_V1, version,
                                                                            ASN1_INTEGER),
                                                                ASN1_SIMPLE(ES_TBS_V1, eseal,
                                                                            ASN1_ANY),
                                                                ASN1_SIMPLE(ES_TBS_V1, time_info,
                                                                            ASN1_BIT_STRING),
                                                                ASN1_SIMPLE(ES_TBS_V1, data_hash,
                                                                            ASN1_BIT_STRING),
                                                                ASN1_SIMPLE(ES_TBS_V1,
                                                                            property_info,
                                                                            ASN1_IA5STRING),
                                                                ASN1_SIMPLE(ES_TBS_V1, cert,
                                                                            ASN1_OCTET_STRING),
                                                                ASN1_SIMPLE(ES_TBS_V1, alg,
                                                                            ASN1_OBJECT),
} ASN1_SEQUENCE_END(ES_TBS_V1)

                                                                eseal_rc
    es_split(STACK_OF(ASN1_TYPE) * *out, const uint8_t *der, size_t len, const char *what,
             struct eseal_err *err)
{
    const unsigned char *p = der;
    *out = NULL;
    /* OpenSSL also takes a SEQUENCE tagged primitive (0x10); DER says 0x30. */
    if (len == 0 || der[0] != (V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED))
        return eseal_err_set(err, ESEAL_E_INVALID, "%s is not a DER SEQUENCE", what);
    *out = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)len);
    if (*out == NULL)
        return eseal_err_openssl(err, ESEAL_E_INVALID, "%s is not a valid DER SEQUENCE", what);
    if (p != der + len) {
        sk_ASN1_TYPE_pop_free(*out, ASN1_TYPE_free);
        *out = NULL;
        return eseal_err_set(err, ESEAL_E_INVALID, "%s has %zu trailing bytes", what,
                             len - (size_t)(p - der));
    }
    return ESEAL_OK;
}

eseal_rc es_decode(void **out, const ASN1_ITEM *it, const uint8_t *der, size_t len,
                   const char *what, struct eseal_err *err)
{
    const unsigned char *p = der;
    *out = ASN1_item_d2i(NULL, &p, (long)len, it);
    if (*out == NULL)
        return eseal_err_openssl(err, ESEAL_E_INVALID, "%s is malformed", what);
    if (p != der + len) {
        ASN1_item_free(*out, it);
        *out = NULL;
        return eseal_err_set(err, ESEAL_E_INVALID, "%s has trailing bytes", what);
    }
    return ESEAL_OK;
}

const ASN1_TYPE *es_elem(STACK_OF(ASN1_TYPE) * sk, int i, int type)
{
    const ASN1_TYPE *t = sk_ASN1_TYPE_value(sk, i);
    return t != NULL && t->type == type ? t : NULL;
}

const ASN1_STRING *es_raw(const ASN1_TYPE *t)
{
    if (t == NULL)
        return NULL;
    if (t->type == V_ASN1_SEQUENCE)
        return t->value.sequence;
    if (t->type == V_ASN1_OTHER)
        return t->value.asn1_string;
    return NULL;
}

static ASN1_TYPE *type_with_string(int type, const uint8_t *data, size_t len)
{
    ASN1_STRING *s = ASN1_STRING_type_new(type);
    ASN1_TYPE *t = ASN1_TYPE_new();
    if (s == NULL || t == NULL || ASN1_STRING_set(s, data, (int)len) != 1) {
        fprintf(stderr, "eseal: out of memory in ASN.1\n");
        abort();
    }
    ASN1_TYPE_set(t, type, s);
    return t;
}

ASN1_ITEM_TEMPLATE(ES_TIMESTAMP) = ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_EXPLICIT, 0, ES_TIMESTAMP,
                                                         ASN1_BIT_STRING)
                                       ASN1_ITEM_TEMPLATE_END(ES_TIMESTAMP)

                                           ASN1_TYPE
                                   * es_type_raw(const uint8_t *der, size_t len)
{
    /* An ANY of type SEQUENCE is written as its stored bytes, tag included. */
    return type_with_string(V_ASN1_SEQUENCE, der, len);
}

ASN1_TYPE *es_type_octets(const uint8_t *data, size_t len)
{
    return type_with_string(V_ASN1_OCTET_STRING, data, len);
}

ASN1_TYPE *es_type_oid(int nid)
{
    ASN1_TYPE *t = ASN1_TYPE_new();
    ASN1_TYPE_set(t, V_ASN1_OBJECT, OBJ_nid2obj(nid));
    return t;
}

void es_bits_set(ASN1_BIT_STRING *bs, const uint8_t *data, size_t len)
{
    if (ASN1_BIT_STRING_set(bs, (unsigned char *)data, (int)len) != 1) {
        fprintf(stderr, "eseal: out of memory in ASN.1\n");
        abort();
    }
    /* Without BITS_LEFT OpenSSL trims trailing zero bytes on output: a hash
     * or signature ending in 0x00 would change. Declare 0 unused bits. */
    bs->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
    bs->flags |= ASN1_STRING_FLAG_BITS_LEFT;
}

ASN1_TYPE *es_type_bits(const uint8_t *data, size_t len)
{
    ASN1_TYPE *t = type_with_string(V_ASN1_BIT_STRING, data, len);
    es_bits_set(t->value.bit_string, data, len);
    return t;
}

void es_join(struct eseal_buf *out, STACK_OF(ASN1_TYPE) * elems)
{
    eseal_buf_reset(out);
    int n = i2d_ASN1_SEQUENCE_ANY(elems, NULL);
    if (n <= 0) {
        fprintf(stderr, "eseal: cannot encode an ASN.1 SEQUENCE\n");
        abort();
    }
    eseal_buf_reserve(out, (size_t)n);
    unsigned char *p = out->data;
    i2d_ASN1_SEQUENCE_ANY(elems, &p);
    out->len = (size_t)n;
    out->data[n] = 0;
}

eseal_rc es_text(char **out, const ASN1_STRING *s, const char *what, struct eseal_err *err)
{
    *out = NULL;
    const unsigned char *d = ASN1_STRING_get0_data(s);
    int n = ASN1_STRING_length(s);
    if (n < 0 || memchr(d, 0, (size_t)n) != NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s contains a NUL character", what);
    *out = eseal_xstrndup((const char *)d, (size_t)n);
    return ESEAL_OK;
}

eseal_rc es_long(long *out, const ASN1_INTEGER *i, long min, long max, const char *what,
                 struct eseal_err *err)
{
    int64_t v = 0;
    if (ASN1_INTEGER_get_int64(&v, i) != 1 || v < min || v > max)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s is out of range %ld..%ld", what, min, max);
    *out = (long)v;
    return ESEAL_OK;
}

eseal_rc es_time(time_t *out, const ASN1_TIME *t, const char *what, struct eseal_err *err)
{
    struct tm tm;
    if (ASN1_TIME_to_tm(t, &tm) != 1)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s is not a valid time", what);
    *out = timegm(&tm);
    return ESEAL_OK;
}

eseal_rc es_sig_der(struct eseal_buf *out, const ASN1_BIT_STRING *sig, struct eseal_err *err)
{
    eseal_buf_reset(out);
    /* A signature value is whole bytes. OpenSSL masks the bits an "unused
     * bits" octet declares, so a changed octet would otherwise leave a
     * signature whose last bit is 0 verifying. */
    if ((sig->flags & ASN1_STRING_FLAG_BITS_LEFT) != 0 && (sig->flags & 0x07) != 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "signature value has %ld unused bits",
                             sig->flags & 0x07);
    const unsigned char *d = ASN1_STRING_get0_data(sig);
    size_t n = (size_t)ASN1_STRING_length(sig);
    const unsigned char *p = d;
    ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)n);
    eseal_buf_reset(out);
    if (s != NULL && p == d + n) {
        ECDSA_SIG_free(s);
        eseal_buf_append(out, d, n);
        return ESEAL_OK;
    }
    ECDSA_SIG_free(s);
    if (n != 64)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "signature value is neither DER SEQUENCE{r, s} nor 64-byte r||s");
    /* Bare r || s: encode it as DER with OpenSSL. */
    s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(d, 32, NULL), *sv = BN_bin2bn(d + 32, 32, NULL);
    if (s == NULL || r == NULL || sv == NULL || ECDSA_SIG_set0(s, r, sv) != 1) {
        BN_free(r);
        BN_free(sv);
        ECDSA_SIG_free(s);
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot convert the signature value");
    }
    unsigned char *der = NULL;
    int len = i2d_ECDSA_SIG(s, &der);
    ECDSA_SIG_free(s);
    if (len <= 0)
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot encode the signature value");
    eseal_buf_append(out, der, (size_t)len);
    OPENSSL_free(der);
    return ESEAL_OK;
}

/* alg_ok accepts SM2-with-SM3 (1.2.156.10197.1.501) and the bare SM2
 * signature OID 1.2.156.10197.1.301.1 some producers write. */
static int alg_ok(const ASN1_OBJECT *alg)
{
    if (OBJ_obj2nid(alg) == NID_SM2_with_SM3)
        return 1;
    char txt[64];
    OBJ_obj2txt(txt, sizeof(txt), alg, 1);
    return strcmp(txt, "1.2.156.10197.1.301.1") == 0;
}

eseal_rc es_check_sm2(const uint8_t *cert_der, size_t cert_len, const ASN1_OBJECT *alg,
                      const ASN1_BIT_STRING *sig, const uint8_t *msg, size_t msg_len,
                      const char *who, struct eseal_err *err)
{
    return es_check_sm2_key(NULL, cert_der, cert_len, alg, sig, msg, msg_len, who, err);
}

eseal_rc es_check_sm2_key(EVP_PKEY *key, const uint8_t *cert_der, size_t cert_len,
                          const ASN1_OBJECT *alg, const ASN1_BIT_STRING *sig, const uint8_t *msg,
                          size_t msg_len, const char *who, struct eseal_err *err)
{
    if (!alg_ok(alg)) {
        char txt[64];
        OBJ_obj2txt(txt, sizeof(txt), alg, 1);
        return eseal_err_set(err, ESEAL_E_INVALID, "%s signature algorithm %s is not SM2-with-SM3",
                             who, txt);
    }
    /* Decoding a certificate's key is costly in OpenSSL 3: callers that
     * have it pass it. */
    X509 *cert = NULL;
    eseal_rc rc = ESEAL_OK;
    if (key == NULL) {
        if ((rc = eseal_pki_cert_parse(&cert, cert_der, cert_len, err)) != ESEAL_OK)
            return eseal_err_prefix(err, "%s certificate", who);
        key = X509_get0_pubkey(cert);
    }
    struct eseal_buf der;
    eseal_buf_init(&der);
    rc = es_sig_der(&der, sig, err);
    if (rc == ESEAL_OK)
        rc = eseal_sm2_verify(key, msg, msg_len, der.data, der.len, err);
    if (rc != ESEAL_OK)
        eseal_err_prefix(err, "%s signature", who);
    eseal_buf_cleanup(&der);
    X509_free(cert);
    return rc;
}

ASN1_TYPE *es_type_timestamp(const uint8_t *token, size_t len)
{
    ASN1_BIT_STRING *bs = ASN1_BIT_STRING_new();
    unsigned char *der = NULL;
    int n = -1;
    if (bs != NULL) {
        es_bits_set(bs, token, len);
        n = ASN1_item_i2d((const ASN1_VALUE *)bs, &der, ASN1_ITEM_rptr(ES_TIMESTAMP));
    }
    ASN1_BIT_STRING_free(bs);
    if (n <= 0) {
        fprintf(stderr, "eseal: out of memory in ASN.1\n");
        abort();
    }
    ASN1_TYPE *t = es_type_raw(der, (size_t)n);
    OPENSSL_free(der);
    return t;
}

eseal_rc es_timestamp_read(struct eseal_buf *out, const ASN1_TYPE *t, struct eseal_err *err)
{
    const ASN1_STRING *raw = es_raw(t);
    if (raw == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "timeStamp is not [0] EXPLICIT BIT STRING");
    ASN1_BIT_STRING *bs = NULL;
    eseal_rc rc = es_decode((void **)&bs, ASN1_ITEM_rptr(ES_TIMESTAMP), ASN1_STRING_get0_data(raw),
                            (size_t)ASN1_STRING_length(raw), "timeStamp", err);
    if (rc == ESEAL_OK) {
        eseal_buf_reset(out);
        eseal_buf_append(out, ASN1_STRING_get0_data(bs), (size_t)ASN1_STRING_length(bs));
    }
    ASN1_BIT_STRING_free(bs);
    return rc;
}
