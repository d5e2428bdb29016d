/* seal_asn1.h — GB/T 38540 structures as OpenSSL ASN.1 templates, shared by
 * seal.c (SESeal) and ses.c (SES_Signature). Internal to libeseal-core.
 *
 * The outermost structures (SESeal, SES_Signature, v1 SES_SignInfo) are read
 * as SEQUENCE OF ANY: an ANY holding a SEQUENCE keeps its complete original
 * encoding, which is exactly the byte span a signature covers. The same
 * trick builds them on output, so a seal is embedded byte for byte. */
#ifndef ESEAL_CORE_SEAL_ASN1_H
#define ESEAL_CORE_SEAL_ASN1_H

#include <openssl/asn1.h>
#include <openssl/asn1t.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

/* SES_Header ::= SEQUENCE { ID IA5String, version INTEGER, Vid IA5String } */
typedef struct {
    ASN1_IA5STRING *id;
    ASN1_INTEGER *version;
    ASN1_IA5STRING *vid;
} ES_HEADER;

/* SES_ESPropertyInfo (v4/v5). certList is an untagged CHOICE of two SEQUENCE
 * OF: read as ANY and interpreted by certListType. Times are read as either
 * UTCTime or GeneralizedTime (lenient) and written as GeneralizedTime. */
typedef struct {
    ASN1_INTEGER *type;
    ASN1_UTF8STRING *name;
    ASN1_INTEGER *cert_list_type;
    ASN1_TYPE *cert_list;
    ASN1_TIME *create_date;
    ASN1_TIME *valid_start;
    ASN1_TIME *valid_end;
} ES_PROPERTY;

/* SES_ESPropertyInfo (v1, GM/T 0031-2014): no certListType. */
typedef struct {
    ASN1_INTEGER *type;
    ASN1_UTF8STRING *name;
    ASN1_TYPE *cert_list;
    ASN1_TIME *create_date;
    ASN1_TIME *valid_start;
    ASN1_TIME *valid_end;
} ES_PROPERTY_V1;

/* SES_ESPictureInfo ::= SEQUENCE { type IA5String, data OCTET STRING,
 *                                  width INTEGER, height INTEGER } */
typedef struct {
    ASN1_IA5STRING *type;
    ASN1_OCTET_STRING *data;
    ASN1_INTEGER *width;
    ASN1_INTEGER *height;
} ES_PICTURE;

/* SES_SealInfo: the property is kept as ANY and decoded per header version. */
typedef struct {
    ES_HEADER *header;
    ASN1_IA5STRING *esid;
    ASN1_TYPE *property;
    ES_PICTURE *picture;
    STACK_OF(ASN1_TYPE) * ext_datas; /* ExtensionDatas OPTIONAL, kept opaque */
} ES_SEALINFO;

/* CertDigestObj ::= SEQUENCE { type PrintableString, value OCTET STRING } */
typedef struct {
    ASN1_PRINTABLESTRING *type;
    ASN1_OCTET_STRING *value;
} ES_CERTDIGEST;

/* TBS_Sign (v4/v5): the seal is ANY so its bytes are kept exactly. */
typedef struct {
    ASN1_INTEGER *version;
    ASN1_TYPE *eseal;
    ASN1_TIME *time_info;
    ASN1_BIT_STRING *data_hash;
    ASN1_IA5STRING *property_info;
    STACK_OF(ASN1_TYPE) * ext_datas; /* [0] EXPLICIT OPTIONAL */
} ES_TBS;

/* TBS_Sign (v1): timeInfo is a BIT STRING and cert and algorithm are inside. */
typedef struct {
    ASN1_INTEGER *version;
    ASN1_TYPE *eseal;
    ASN1_BIT_STRING *time_info;
    ASN1_BIT_STRING *data_hash;
    ASN1_IA5STRING *property_info;
    ASN1_OCTET_STRING *cert;
    ASN1_OBJECT *alg;
} ES_TBS_V1;

DECLARE_ASN1_ITEM(ES_HEADER)
DECLARE_ASN1_ITEM(ES_PROPERTY)
DECLARE_ASN1_ITEM(ES_PROPERTY_V1)
DECLARE_ASN1_ITEM(ES_PICTURE)
DECLARE_ASN1_ITEM(ES_SEALINFO)
DECLARE_ASN1_ITEM(ES_CERTDIGEST)
DECLARE_ASN1_ITEM(ES_TBS)
DECLARE_ASN1_ITEM(ES_TBS_V1)
/* timeStamp [0] EXPLICIT BIT STRING of SES_Signature and v5 SESeal: the
 * BIT STRING holds the DER of an RFC 3161 TimeStampToken. */
DECLARE_ASN1_ITEM(ES_TIMESTAMP)

/* es_split decodes a DER SEQUENCE into its elements (each an ASN1_TYPE; a
 * constructed element keeps its full original TLV). The input must be
 * consumed exactly. |what| names the structure in errors. */
eseal_rc es_split(STACK_OF(ASN1_TYPE) * *out, const uint8_t *der, size_t len, const char *what,
                  struct eseal_err *err);

/* es_decode decodes |len| bytes as |it|, consuming them exactly. */
eseal_rc es_decode(void **out, const ASN1_ITEM *it, const uint8_t *der, size_t len,
                   const char *what, struct eseal_err *err);

/* es_elem returns element |i| of |sk| if it has ASN.1 type |type|, else
 * NULL (borrowed). */
const ASN1_TYPE *es_elem(STACK_OF(ASN1_TYPE) * sk, int i, int type);

/* es_raw returns the original TLV of a constructed element (SEQUENCE or
 * context-tagged), or NULL for a primitive one. */
const ASN1_STRING *es_raw(const ASN1_TYPE *t);

/* es_type_raw makes an ANY that encodes as exactly |der| (a complete TLV). */
ASN1_TYPE *es_type_raw(const uint8_t *der, size_t len);

/* es_type_octets, es_type_oid and es_type_bits make ANY elements. The BIT
 * STRING keeps every byte (no trailing-zero trimming, 0 unused bits). */
ASN1_TYPE *es_type_octets(const uint8_t *data, size_t len);
ASN1_TYPE *es_type_oid(int nid);
ASN1_TYPE *es_type_bits(const uint8_t *data, size_t len);
/* es_bits_set stores |data| in |bs| with 0 unused bits and no trimming. */
void es_bits_set(ASN1_BIT_STRING *bs, const uint8_t *data, size_t len);

/* es_join encodes |elems| as a DER SEQUENCE into |out| (replacing it). */
void es_join(struct eseal_buf *out, STACK_OF(ASN1_TYPE) * elems);

/* es_type_timestamp makes the timeStamp element holding |token|. */
ASN1_TYPE *es_type_timestamp(const uint8_t *token, size_t len);

/* es_timestamp_read copies the token out of the timeStamp element |t|
 * (ES_TIMESTAMP, exactly) into |out|. */
eseal_rc es_timestamp_read(struct eseal_buf *out, const ASN1_TYPE *t, struct eseal_err *err);

/* es_text copies an ASN.1 string as a C string; embedded NULs are refused. */
eseal_rc es_text(char **out, const ASN1_STRING *s, const char *what, struct eseal_err *err);

/* es_long reads an INTEGER within [min, max]. */
eseal_rc es_long(long *out, const ASN1_INTEGER *i, long min, long max, const char *what,
                 struct eseal_err *err);

/* es_time converts an ASN1_TIME (UTCTime or GeneralizedTime) to time_t. */
eseal_rc es_time(time_t *out, const ASN1_TIME *t, const char *what, struct eseal_err *err);

/* es_sig_der returns the signature value as DER SEQUENCE{r, s} in |out|:
 * taken as is when it is DER, converted when it is a bare 64-byte r || s
 * (some producers write that). */
eseal_rc es_sig_der(struct eseal_buf *out, const ASN1_BIT_STRING *sig, struct eseal_err *err);

/* es_check_sm2 verifies |sig| (from es_sig_der) over |msg| with the key of
 * the certificate |cert_der|, requiring algorithm |alg| to be
 * SM2-with-SM3. |who| names the signer in errors. */
eseal_rc es_check_sm2(const uint8_t *cert_der, size_t cert_len, const ASN1_OBJECT *alg,
                      const ASN1_BIT_STRING *sig, const uint8_t *msg, size_t msg_len,
                      const char *who, struct eseal_err *err);

/* es_check_sm2_key is es_check_sm2 with the key itself (|key| NULL: parse
 * |cert_der| for it). */
eseal_rc es_check_sm2_key(EVP_PKEY *key, const uint8_t *cert_der, size_t cert_len,
                          const ASN1_OBJECT *alg, const ASN1_BIT_STRING *sig, const uint8_t *msg,
                          size_t msg_len, const char *who, struct eseal_err *err);

#endif
