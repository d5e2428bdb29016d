/* status_asn1.c — the SealStatusResponse ASN.1 templates (status.h), and
 * signing, parsing and verifying responses. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "eseal/ca.h"
#include "eseal/status.h"

typedef struct {
    ASN1_UTF8STRING *origin;
    ASN1_INTEGER *tree_size;
    ASN1_OCTET_STRING *root_hash;
} ST_CHECKPOINT;

typedef struct {
    ASN1_INTEGER *version;
    ASN1_IA5STRING *esid;
    ASN1_INTEGER *seal_version;
    ASN1_OCTET_STRING *seal_digest;
    ASN1_OCTET_STRING *picture_digest;
    ASN1_INTEGER *cert_serial;
    ASN1_ENUMERATED *status;
    ASN1_ENUMERATED *reason;
    ASN1_GENERALIZEDTIME *status_time;
    ASN1_GENERALIZEDTIME *this_update;
    ASN1_GENERALIZEDTIME *next_update;
    ST_CHECKPOINT *checkpoint;
} ST_TBS;

typedef struct {
    ST_TBS *tbs;
    ASN1_OBJECT *sig_alg;
    ASN1_BIT_STRING *signature;
} ST_RESPONSE;

DECLARE_ASN1_FUNCTIONS(ST_CHECKPOINT)
DECLARE_ASN1_FUNCTIONS(ST_TBS)
DECLARE_ASN1_FUNCTIONS(ST_RESPONSE)

ASN1_SEQUENCE(ST_CHECKPOINT) =
    {
        ASN1_SIMPLE(ST_CHECKPOINT, origin, ASN1_UTF8STRING),
        ASN1_SIMPLE(ST_CHECKPOINT, tree_size, ASN1_INTEGER),
        ASN1_SIMPLE(ST_CHECKPOINT, root_hash, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(ST_CHECKPOINT)

        ASN1_SEQUENCE(ST_TBS) =
            {
                ASN1_SIMPLE(ST_TBS, version, ASN1_INTEGER),
                ASN1_SIMPLE(ST_TBS, esid, ASN1_IA5STRING),
                ASN1_SIMPLE(ST_TBS, seal_version, ASN1_INTEGER),
                ASN1_SIMPLE(ST_TBS, seal_digest, ASN1_OCTET_STRING),
                ASN1_SIMPLE(ST_TBS, picture_digest, ASN1_OCTET_STRING),
                ASN1_SIMPLE(ST_TBS, cert_serial, ASN1_INTEGER),
                ASN1_SIMPLE(ST_TBS, status, ASN1_ENUMERATED),
                ASN1_IMP_OPT(ST_TBS, reason, ASN1_ENUMERATED, 0),
                ASN1_SIMPLE(ST_TBS, status_time, ASN1_GENERALIZEDTIME),
                ASN1_SIMPLE(ST_TBS, this_update, ASN1_GENERALIZEDTIME),
                ASN1_SIMPLE(ST_TBS, next_update, ASN1_GENERALIZEDTIME),
                ASN1_SIMPLE(ST_TBS, checkpoint, ST_CHECKPOINT),
} ASN1_SEQUENCE_END(ST_TBS)

                ASN1_SEQUENCE(ST_RESPONSE) =
                    {
                        ASN1_SIMPLE(ST_RESPONSE, tbs, ST_TBS),
                        ASN1_SIMPLE(ST_RESPONSE, sig_alg, ASN1_OBJECT),
                        ASN1_SIMPLE(ST_RESPONSE, signature, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(ST_RESPONSE)

                        IMPLEMENT_ASN1_FUNCTIONS(ST_CHECKPOINT) IMPLEMENT_ASN1_FUNCTIONS(ST_TBS)
                            IMPLEMENT_ASN1_FUNCTIONS(ST_RESPONSE)

#define SM2_WITH_SM3_OID "1.2.156.10197.1.501"
#define TBS_VERSION 1

                                static const
    char *const status_names[] = {"good", "pending", "suspended", "revoked", "expired", "unknown"};

const char *eseal_status_name(enum eseal_status s)
{
    return (unsigned)s <= ESEAL_STATUS_UNKNOWN ? status_names[s] : "unknown";
}

eseal_rc eseal_status_from_name(const char *name, enum eseal_status *out)
{
    for (unsigned i = 0; name != NULL && i <= ESEAL_STATUS_UNKNOWN; i++)
        if (strcmp(name, status_names[i]) == 0) {
            *out = (enum eseal_status)i;
            return ESEAL_OK;
        }
    return ESEAL_E_INVALID;
}

/* RFC 5280 §5.3.1 CRLReason; 7 is unused. */
static const char *const reason_names[] = {
    "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
    "superseded",    "cessationOfOperation", "certificateHold", NULL,
    "removeFromCRL", "privilegeWithdrawn",   "aACompromise",
};
#define N_REASONS (sizeof(reason_names) / sizeof(reason_names[0]))

int eseal_status_reason_code(const char *name)
{
    for (size_t i = 0; name != NULL && i < N_REASONS; i++)
        if (reason_names[i] != NULL && strcmp(reason_names[i], name) == 0)
            return (int)i;
    return -1;
}

const char *eseal_status_reason_name(int code)
{
    return code >= 0 && (size_t)code < N_REASONS ? reason_names[code] : NULL;
}

static ASN1_INTEGER *serial_integer(const char *hex)
{
    BIGNUM *bn = NULL;
    if ((size_t)BN_hex2bn(&bn, hex) != strlen(hex) || hex[0] == '\0') {
        BN_free(bn);
        return NULL;
    }
    ASN1_INTEGER *i = BN_to_ASN1_INTEGER(bn, NULL);
    BN_free(bn);
    return i;
}

static bool set_time(ASN1_GENERALIZEDTIME **t, int64_t when)
{
    return ASN1_GENERALIZEDTIME_set(*t, (time_t)when) != NULL;
}

static bool get_time(const ASN1_GENERALIZEDTIME *t, int64_t *out)
{
    struct tm tm;
    if (ASN1_GENERALIZEDTIME_check(t) != 1 || ASN1_TIME_to_tm(t, &tm) != 1)
        return false;
    *out = (int64_t)timegm(&tm);
    return true;
}

eseal_rc eseal_status_sign(struct eseal_buf *der, const struct eseal_status_info *info,
                           struct eseal_ca *ca, struct eseal_err *err)
{
    if (info->status >= ESEAL_STATUS_UNKNOWN)
        return eseal_err_set(err, ESEAL_E_INVALID, "an unknown status is never signed");
    eseal_rc rc = ESEAL_E_INTERNAL;
    ST_RESPONSE *r = ST_RESPONSE_new();
    unsigned char *tbs = NULL, *out = NULL;
    struct eseal_buf sig;
    eseal_buf_init(&sig);
    ST_TBS *t = r->tbs;
    int reason = info->reason[0] != '\0' ? eseal_status_reason_code(info->reason) : -1;
    if (info->reason[0] != '\0' && reason < 0)
        reason = 0; /* unspecified */
    if (reason >= 0) {
        t->reason = ASN1_ENUMERATED_new();
        if (t->reason == NULL || ASN1_ENUMERATED_set(t->reason, reason) != 1)
            goto openssl;
    }
    ASN1_INTEGER_free(t->cert_serial);
    t->cert_serial = serial_integer(info->cert_serial);
    if (t->cert_serial == NULL) {
        rc = eseal_err_set(err, ESEAL_E_INVALID, "certificate serial \"%s\" is not hex",
                           info->cert_serial);
        goto out;
    }
    if (ASN1_INTEGER_set(t->version, TBS_VERSION) != 1 ||
        ASN1_STRING_set(t->esid, info->esid, (int)strlen(info->esid)) != 1 ||
        ASN1_INTEGER_set_int64(t->seal_version, info->version) != 1 ||
        ASN1_OCTET_STRING_set(t->seal_digest, info->seal_sm3, ESEAL_SM3_LEN) != 1 ||
        ASN1_OCTET_STRING_set(t->picture_digest, info->picture_sm3, ESEAL_SM3_LEN) != 1 ||
        ASN1_ENUMERATED_set(t->status, (long)info->status) != 1 ||
        !set_time(&t->status_time, info->status_time) ||
        !set_time(&t->this_update, info->this_update) ||
        !set_time(&t->next_update, info->next_update) ||
        ASN1_STRING_set(t->checkpoint->origin, info->checkpoint.origin,
                        (int)strlen(info->checkpoint.origin)) != 1 ||
        ASN1_INTEGER_set_uint64(t->checkpoint->tree_size, info->checkpoint.size) != 1 ||
        ASN1_OCTET_STRING_set(t->checkpoint->root_hash, info->checkpoint.root,
                              ESEAL_MERKLE_HASH_LEN) != 1)
        goto openssl;
    int tbs_len = i2d_ST_TBS(t, &tbs);
    if (tbs_len <= 0)
        goto openssl;
    if ((rc = eseal_ca_sign(ca, ESEAL_CA_RESPONDER, tbs, (size_t)tbs_len, &sig, err)) != ESEAL_OK)
        goto out;
    ASN1_OBJECT_free(r->sig_alg);
    r->sig_alg = OBJ_txt2obj(SM2_WITH_SM3_OID, 1);
    if (r->sig_alg == NULL || ASN1_BIT_STRING_set(r->signature, sig.data, (int)sig.len) != 1)
        goto openssl;
    /* a whole number of bytes: keep trailing zero bits as they are */
    r->signature->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
    r->signature->flags |= ASN1_STRING_FLAG_BITS_LEFT;
    int len = i2d_ST_RESPONSE(r, &out);
    if (len <= 0)
        goto openssl;
    eseal_buf_reset(der);
    eseal_buf_append(der, out, (size_t)len);
    rc = ESEAL_OK;
    goto out;
openssl:
    rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "encoding a status response");
out:
    OPENSSL_free(tbs);
    OPENSSL_free(out);
    eseal_buf_cleanup(&sig);
    ST_RESPONSE_free(r);
    return rc;
}

static bool copy_str(char *dst, size_t cap, const ASN1_STRING *s)
{
    int n = ASN1_STRING_length(s);
    const unsigned char *d = ASN1_STRING_get0_data(s);
    if (n <= 0 || (size_t)n >= cap || memchr(d, 0, (size_t)n) != NULL)
        return false;
    memcpy(dst, d, (size_t)n);
    dst[n] = '\0';
    return true;
}

/* element_span returns the length of the TLV at |p| (within |len|), or 0. */
static size_t element_span(const uint8_t *p, size_t len, size_t *header)
{
    const unsigned char *q = p;
    long inner;
    int tag, cls;
    if (ASN1_get_object(&q, &inner, &tag, &cls, (long)len) & 0x80)
        return 0;
    *header = (size_t)(q - p);
    if ((size_t)inner > len - *header)
        return 0;
    return *header + (size_t)inner;
}

eseal_rc eseal_status_parse(struct eseal_status_info *out, const uint8_t *der, size_t len,
                            const uint8_t **tbs, size_t *tbs_len, const uint8_t **sig,
                            size_t *sig_len, struct eseal_err *err)
{
    memset(out, 0, sizeof(*out));
    if (len > ESEAL_STATUS_DER_MAX)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "status response over %d bytes",
                             ESEAL_STATUS_DER_MAX);
    const unsigned char *p = der;
    ST_RESPONSE *r = d2i_ST_RESPONSE(NULL, &p, (long)len);
    eseal_rc rc = ESEAL_E_INVALID;
    if (r == NULL || p != der + len) {
        rc = eseal_err_openssl(err, ESEAL_E_INVALID, "not a status response (or trailing bytes)");
        goto out;
    }
    const ST_TBS *t = r->tbs;
    BIGNUM *bn = NULL;
    char *hex = NULL;
    long st = ASN1_ENUMERATED_get(t->status);
    uint64_t size;
    if (ASN1_INTEGER_get(t->version) != TBS_VERSION ||
        !copy_str(out->esid, sizeof(out->esid), t->esid) ||
        ASN1_INTEGER_get_int64(&out->version, t->seal_version) != 1 ||
        ASN1_STRING_length(t->seal_digest) != ESEAL_SM3_LEN ||
        ASN1_STRING_length(t->picture_digest) != ESEAL_SM3_LEN || st < 0 ||
        st >= ESEAL_STATUS_UNKNOWN || !get_time(t->status_time, &out->status_time) ||
        !get_time(t->this_update, &out->this_update) ||
        !get_time(t->next_update, &out->next_update) ||
        !copy_str(out->checkpoint.origin, sizeof(out->checkpoint.origin), t->checkpoint->origin) ||
        ASN1_INTEGER_get_uint64(&size, t->checkpoint->tree_size) != 1 ||
        ASN1_STRING_length(t->checkpoint->root_hash) != ESEAL_MERKLE_HASH_LEN) {
        rc = eseal_err_set(err, ESEAL_E_INVALID, "status response: a field is out of range");
        goto out;
    }
    out->status = (enum eseal_status)st;
    out->checkpoint.size = size;
    memcpy(out->seal_sm3, ASN1_STRING_get0_data(t->seal_digest), ESEAL_SM3_LEN);
    memcpy(out->picture_sm3, ASN1_STRING_get0_data(t->picture_digest), ESEAL_SM3_LEN);
    memcpy(out->checkpoint.root, ASN1_STRING_get0_data(t->checkpoint->root_hash),
           ESEAL_MERKLE_HASH_LEN);
    if (t->reason != NULL) {
        const char *name = eseal_status_reason_name((int)ASN1_ENUMERATED_get(t->reason));
        if (name == NULL) {
            rc = eseal_err_set(err, ESEAL_E_INVALID, "status response: unknown reason");
            goto out;
        }
        snprintf(out->reason, sizeof(out->reason), "%s", name);
    }
    bn = ASN1_INTEGER_to_BN(t->cert_serial, NULL);
    hex = bn != NULL && !BN_is_negative(bn) ? BN_bn2hex(bn) : NULL;
    const char *h = hex;
    while (h != NULL && h[0] == '0' && h[1] != '\0')
        h++;
    bool serial_ok = h != NULL && strlen(h) <= ESEAL_STATUS_SERIAL_MAX;
    if (serial_ok)
        snprintf(out->cert_serial, sizeof(out->cert_serial), "%s", h);
    OPENSSL_free(hex);
    BN_free(bn);
    if (!serial_ok) {
        rc = eseal_err_set(err, ESEAL_E_INVALID, "status response: bad certificate serial");
        goto out;
    }
    /* the tbsResponse as received: the first element inside the outer SEQUENCE */
    size_t outer_header, inner_header;
    if (element_span(der, len, &outer_header) != len) {
        rc = eseal_err_set(err, ESEAL_E_INVALID, "status response: bad outer length");
        goto out;
    }
    size_t span = element_span(der + outer_header, len - outer_header, &inner_header);
    if (span == 0) {
        rc = eseal_err_set(err, ESEAL_E_INVALID, "status response: bad tbsResponse");
        goto out;
    }
    if (tbs != NULL) {
        *tbs = der + outer_header;
        *tbs_len = span;
    }
    if (sig != NULL) {
        /* the BIT STRING's content after its unused-bits octet is the last
         * |length| bytes of |der| */
        size_t n = (size_t)ASN1_STRING_length(r->signature);
        *sig = der + len - n;
        *sig_len = n;
    }
    rc = ESEAL_OK;
out:
    ST_RESPONSE_free(r);
    return rc;
}

eseal_rc eseal_status_verify(struct eseal_status_info *out, const uint8_t *der, size_t len,
                             X509 *responder, struct eseal_err *err)
{
    const uint8_t *tbs, *sig;
    size_t tbs_len, sig_len;
    eseal_rc rc = eseal_status_parse(out, der, len, &tbs, &tbs_len, &sig, &sig_len, err);
    if (rc != ESEAL_OK)
        return rc;
    /* the algorithm: decode again just for the OID (cheap, and keeps parse simple) */
    const unsigned char *p = der;
    ST_RESPONSE *r = d2i_ST_RESPONSE(NULL, &p, (long)len);
    char oid[64] = "";
    if (r != NULL)
        OBJ_obj2txt(oid, sizeof(oid), r->sig_alg, 1);
    bool bits_ok = r != NULL && (r->signature->flags & 0x07) == 0;
    ST_RESPONSE_free(r);
    if (strcmp(oid, SM2_WITH_SM3_OID) != 0 || !bits_ok)
        return eseal_err_set(err, ESEAL_E_CRYPTO, "status response: not signed with SM2-with-SM3");
    EVP_PKEY *key = X509_get0_pubkey(responder);
    if (key == NULL)
        return eseal_err_openssl(err, ESEAL_E_INVALID, "the responder certificate has no key");
    rc = eseal_sm2_verify(key, tbs, tbs_len, sig, sig_len, err);
    if (rc != ESEAL_OK)
        eseal_err_prefix(err, "status response signature");
    return rc;
}
