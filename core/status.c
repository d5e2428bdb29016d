/* status.c — the signed status formats of status.h: the SealStatusResponse
 * and StatusList ASN.1 templates, and signing (through an eseal_signer),
 * parsing and verifying both. Core, not the publisher, so that a relying
 * party (libeseal-verify) reads them without the CA or the publisher. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "eseal/status.h"

#define SM2_WITH_SM3_OID "1.2.156.10197.1.501"
#define TBS_VERSION 1
#define LIST_VERSION 1

/* ---- ASN.1 templates ------------------------------------------------------ */

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
    ASN1_GENERALIZEDTIME *invalidity_date;
    ASN1_GENERALIZEDTIME *this_update;
    ASN1_GENERALIZEDTIME *next_update;
    ST_CHECKPOINT *checkpoint;
} ST_TBS;

typedef struct {
    ST_TBS *tbs;
    ASN1_OBJECT *sig_alg;
    ASN1_BIT_STRING *signature;
} ST_RESPONSE;

typedef struct {
    ASN1_INTEGER *size;
    ASN1_OCTET_STRING *root;
} SL_CHECKPOINT;

typedef struct {
    ASN1_IA5STRING *esid;
    ASN1_INTEGER *version;
    ASN1_OCTET_STRING *seal_digest;
    ASN1_INTEGER *cert_serial;
    ASN1_ENUMERATED *status;
    ASN1_ENUMERATED *reason;
    ASN1_GENERALIZEDTIME *status_time;
} SL_ENTRY;

DEFINE_STACK_OF(SL_ENTRY)

typedef struct {
    ASN1_INTEGER *version;
    ASN1_INTEGER *shard;
    ASN1_INTEGER *shard_count;
    ASN1_INTEGER *number;
    ASN1_INTEGER *base_number;
    ASN1_GENERALIZEDTIME *this_update;
    ASN1_GENERALIZEDTIME *next_update;
    SL_CHECKPOINT *checkpoint;
    STACK_OF(SL_ENTRY) * entries;
} SL_TBS;

typedef struct {
    SL_TBS *tbs;
    ASN1_OBJECT *sig_alg;
    ASN1_BIT_STRING *signature;
} SL_LIST;

DECLARE_ASN1_FUNCTIONS(ST_CHECKPOINT)
DECLARE_ASN1_FUNCTIONS(ST_TBS)
DECLARE_ASN1_FUNCTIONS(ST_RESPONSE)
DECLARE_ASN1_FUNCTIONS(SL_CHECKPOINT)
DECLARE_ASN1_FUNCTIONS(SL_ENTRY)
DECLARE_ASN1_FUNCTIONS(SL_TBS)
DECLARE_ASN1_FUNCTIONS(SL_LIST)

/* clang-format off */
ASN1_SEQUENCE(ST_CHECKPOINT) = {
    ASN1_SIMPLE(ST_CHECKPOINT, origin, ASN1_UTF8STRING),
    ASN1_SIMPLE(ST_CHECKPOINT, tree_size, ASN1_INTEGER),
    ASN1_SIMPLE(ST_CHECKPOINT, root_hash, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(ST_CHECKPOINT)

ASN1_SEQUENCE(ST_TBS) = {
    ASN1_SIMPLE(ST_TBS, version, ASN1_INTEGER),
    ASN1_SIMPLE(ST_TBS, esid, ASN1_IA5STRING),
    ASN1_SIMPLE(ST_TBS, seal_version, ASN1_INTEGER),
    ASN1_SIMPLE(ST_TBS, seal_digest, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ST_TBS, picture_digest, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ST_TBS, cert_serial, ASN1_INTEGER),
    ASN1_SIMPLE(ST_TBS, status, ASN1_ENUMERATED),
    ASN1_IMP_OPT(ST_TBS, reason, ASN1_ENUMERATED, 0),
    ASN1_SIMPLE(ST_TBS, status_time, ASN1_GENERALIZEDTIME),
    ASN1_IMP_OPT(ST_TBS, invalidity_date, ASN1_GENERALIZEDTIME, 1),
    ASN1_SIMPLE(ST_TBS, this_update, ASN1_GENERALIZEDTIME),
    ASN1_SIMPLE(ST_TBS, next_update, ASN1_GENERALIZEDTIME),
    ASN1_SIMPLE(ST_TBS, checkpoint, ST_CHECKPOINT),
} ASN1_SEQUENCE_END(ST_TBS)

ASN1_SEQUENCE(ST_RESPONSE) = {
    ASN1_SIMPLE(ST_RESPONSE, tbs, ST_TBS),
    ASN1_SIMPLE(ST_RESPONSE, sig_alg, ASN1_OBJECT),
    ASN1_SIMPLE(ST_RESPONSE, signature, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(ST_RESPONSE)

ASN1_SEQUENCE(SL_CHECKPOINT) = {
    ASN1_SIMPLE(SL_CHECKPOINT, size, ASN1_INTEGER),
    ASN1_SIMPLE(SL_CHECKPOINT, root, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(SL_CHECKPOINT)

ASN1_SEQUENCE(SL_ENTRY) = {
    ASN1_SIMPLE(SL_ENTRY, esid, ASN1_IA5STRING),
    ASN1_SIMPLE(SL_ENTRY, version, ASN1_INTEGER),
    ASN1_SIMPLE(SL_ENTRY, seal_digest, ASN1_OCTET_STRING),
    ASN1_SIMPLE(SL_ENTRY, cert_serial, ASN1_INTEGER),
    ASN1_SIMPLE(SL_ENTRY, status, ASN1_ENUMERATED),
    ASN1_IMP_OPT(SL_ENTRY, reason, ASN1_ENUMERATED, 0),
    ASN1_SIMPLE(SL_ENTRY, status_time, ASN1_GENERALIZEDTIME),
} ASN1_SEQUENCE_END(SL_ENTRY)

ASN1_SEQUENCE(SL_TBS) = {
    ASN1_SIMPLE(SL_TBS, version, ASN1_INTEGER),
    ASN1_SIMPLE(SL_TBS, shard, ASN1_INTEGER),
    ASN1_SIMPLE(SL_TBS, shard_count, ASN1_INTEGER),
    ASN1_SIMPLE(SL_TBS, number, ASN1_INTEGER),
    ASN1_IMP_OPT(SL_TBS, base_number, ASN1_INTEGER, 0),
    ASN1_SIMPLE(SL_TBS, this_update, ASN1_GENERALIZEDTIME),
    ASN1_SIMPLE(SL_TBS, next_update, ASN1_GENERALIZEDTIME),
    ASN1_SIMPLE(SL_TBS, checkpoint, SL_CHECKPOINT),
    ASN1_SEQUENCE_OF(SL_TBS, entries, SL_ENTRY),
} ASN1_SEQUENCE_END(SL_TBS)

ASN1_SEQUENCE(SL_LIST) = {
    ASN1_SIMPLE(SL_LIST, tbs, SL_TBS),
    ASN1_SIMPLE(SL_LIST, sig_alg, ASN1_OBJECT),
    ASN1_SIMPLE(SL_LIST, signature, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(SL_LIST)

IMPLEMENT_ASN1_FUNCTIONS(ST_CHECKPOINT)
IMPLEMENT_ASN1_FUNCTIONS(ST_TBS)
IMPLEMENT_ASN1_FUNCTIONS(ST_RESPONSE)
IMPLEMENT_ASN1_FUNCTIONS(SL_CHECKPOINT)
IMPLEMENT_ASN1_FUNCTIONS(SL_ENTRY)
IMPLEMENT_ASN1_FUNCTIONS(SL_TBS)
IMPLEMENT_ASN1_FUNCTIONS(SL_LIST)
    /* clang-format on */

    /* ---- names ------------------------------------------------------------------ */

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

unsigned eseal_status_shard(const char *esid, unsigned shards)
{
    uint8_t d[ESEAL_SM3_LEN];
    eseal_sm3(d, esid, strlen(esid));
    uint32_t v = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
    return shards > 0 ? v % shards : 0;
}

/* ---- shared helpers ------------------------------------------------------ */

static ASN1_INTEGER *serial_integer(const char *hex)
{
    BIGNUM *bn = NULL;
    if (hex[0] == '\0' || (size_t)BN_hex2bn(&bn, hex) != strlen(hex)) {
        BN_free(bn);
        return NULL;
    }
    ASN1_INTEGER *i = BN_to_ASN1_INTEGER(bn, NULL);
    BN_free(bn);
    return i;
}

/* get_serial writes a non-negative INTEGER as upper-case hex without
 * leading zeros. */
static bool get_serial(const ASN1_INTEGER *i, char out[ESEAL_STATUS_SERIAL_MAX + 1])
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(i, NULL);
    char *hex = bn != NULL && !BN_is_negative(bn) ? BN_bn2hex(bn) : NULL;
    const char *h = hex;
    while (h != NULL && h[0] == '0' && h[1] != '\0')
        h++;
    bool ok = h != NULL && strlen(h) <= ESEAL_STATUS_SERIAL_MAX;
    if (ok)
        snprintf(out, ESEAL_STATUS_SERIAL_MAX + 1, "%s", h);
    OPENSSL_free(hex);
    BN_free(bn);
    return ok;
}

static bool get_time(const ASN1_GENERALIZEDTIME *t, int64_t *out)
{
    struct tm tm;
    if (ASN1_GENERALIZEDTIME_check(t) != 1 || ASN1_TIME_to_tm(t, &tm) != 1)
        return false;
    *out = (int64_t)timegm(&tm);
    return true;
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

/* reason_enum returns a new [0] ENUMERATED for the reason name |reason|
 * ("" or NULL: none, *out stays NULL); a name that is not a CRLReason is
 * encoded as unspecified(0). False when out of memory. */
static bool reason_enum(const char *reason, ASN1_ENUMERATED **out)
{
    if (reason == NULL || reason[0] == '\0')
        return true;
    int code = eseal_status_reason_code(reason);
    *out = ASN1_ENUMERATED_new();
    return *out != NULL && ASN1_ENUMERATED_set(*out, code >= 0 ? code : 0) == 1;
}

/* element_span returns the length of the TLV at |p| (within |len|), or 0. */
static size_t element_span(const uint8_t *p, size_t len, size_t *header)
{
    const unsigned char *q = p;
    long inner;
    int tag, cls;
    if (len > LONG_MAX || ASN1_get_object(&q, &inner, &tag, &cls, (long)len) & 0x80)
        return 0;
    *header = (size_t)(q - p);
    if ((size_t)inner > len - *header)
        return 0;
    return *header + (size_t)inner;
}

/* first_element finds the first element inside the outer SEQUENCE of
 * |der| — the signed part, as received. False when the lengths are off. */
static bool first_element(const uint8_t *der, size_t len, const uint8_t **tbs, size_t *tbs_len)
{
    size_t outer_header = 0, inner_header = 0;
    if (element_span(der, len, &outer_header) != len)
        return false;
    size_t span = element_span(der + outer_header, len - outer_header, &inner_header);
    if (span == 0)
        return false;
    *tbs = der + outer_header;
    *tbs_len = span;
    return true;
}

/* sign_into signs |tbs| with |sign| and sets the algorithm and the BIT
 * STRING of a signed structure. */
static eseal_rc sign_into(ASN1_OBJECT **alg, ASN1_BIT_STRING *bits, const uint8_t *tbs,
                          size_t tbs_len, eseal_signer sign, void *ctx, struct eseal_err *err)
{
    struct eseal_buf sig;
    eseal_buf_init(&sig);
    eseal_rc rc = sign(ctx, tbs, tbs_len, &sig, err);
    if (rc != ESEAL_OK)
        goto out;
    ASN1_OBJECT_free(*alg);
    *alg = OBJ_txt2obj(SM2_WITH_SM3_OID, 1);
    if (*alg == NULL || ASN1_BIT_STRING_set(bits, sig.data, (int)sig.len) != 1) {
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "encoding a signature");
        goto out;
    }
    /* a whole number of bytes: keep trailing zero bits as they are */
    bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
    bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
out:
    eseal_buf_cleanup(&sig);
    return rc;
}

/* check_sig verifies a parsed structure's signature: SM2-with-SM3, whole
 * bytes, by |responder|'s key over |tbs| as received. */
static eseal_rc check_sig(const ASN1_OBJECT *alg, const ASN1_BIT_STRING *bits, const uint8_t *tbs,
                          size_t tbs_len, const uint8_t *sig, size_t sig_len, X509 *responder,
                          const char *what, struct eseal_err *err)
{
    char oid[64] = "";
    OBJ_obj2txt(oid, sizeof(oid), alg, 1);
    if (strcmp(oid, SM2_WITH_SM3_OID) != 0 || (bits->flags & 0x07) != 0)
        return eseal_err_set(err, ESEAL_E_CRYPTO, "%s: not signed with SM2-with-SM3", what);
    EVP_PKEY *key = responder != NULL ? X509_get0_pubkey(responder) : NULL;
    if (key == NULL)
        return eseal_err_openssl(err, ESEAL_E_INVALID, "the responder certificate has no key");
    eseal_rc rc = eseal_sm2_verify(key, tbs, tbs_len, sig, sig_len, err);
    if (rc != ESEAL_OK)
        eseal_err_prefix(err, "%s signature", what);
    return rc;
}

/* ---- the per-seal response ---------------------------------------------- */

eseal_rc eseal_status_sign(struct eseal_buf *der, const struct eseal_status_info *info,
                           eseal_signer sign, void *ctx, struct eseal_err *err)
{
    if (info->status >= ESEAL_STATUS_UNKNOWN)
        return eseal_err_set(err, ESEAL_E_INVALID, "an unknown status is never signed");
    eseal_rc rc = ESEAL_E_INTERNAL;
    ST_RESPONSE *r = ST_RESPONSE_new();
    unsigned char *tbs = NULL, *out = NULL;
    if (r == NULL)
        goto openssl;
    ST_TBS *t = r->tbs;
    if (!reason_enum(info->reason, &t->reason))
        goto openssl;
    /* only a revocation has an invalidity date (RFC 5280 §5.3.2) */
    if (info->invalidity_date != 0 && info->status == ESEAL_STATUS_REVOKED &&
        (t->invalidity_date = ASN1_GENERALIZEDTIME_set(NULL, (time_t)info->invalidity_date)) ==
            NULL)
        goto openssl;
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
        ASN1_GENERALIZEDTIME_set(t->status_time, (time_t)info->status_time) == NULL ||
        ASN1_GENERALIZEDTIME_set(t->this_update, (time_t)info->this_update) == NULL ||
        ASN1_GENERALIZEDTIME_set(t->next_update, (time_t)info->next_update) == NULL ||
        ASN1_STRING_set(t->checkpoint->origin, info->checkpoint.origin,
                        (int)strlen(info->checkpoint.origin)) != 1 ||
        ASN1_INTEGER_set_uint64(t->checkpoint->tree_size, info->checkpoint.size) != 1 ||
        ASN1_OCTET_STRING_set(t->checkpoint->root_hash, info->checkpoint.root,
                              ESEAL_MERKLE_HASH_LEN) != 1)
        goto openssl;
    int tbs_len = i2d_ST_TBS(t, &tbs);
    if (tbs_len <= 0)
        goto openssl;
    if ((rc = sign_into(&r->sig_alg, r->signature, tbs, (size_t)tbs_len, sign, ctx, err)) !=
        ESEAL_OK)
        goto out;
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
    ST_RESPONSE_free(r);
    return rc;
}

/* response_fields copies the fields of a decoded response into |out|. */
static bool response_fields(struct eseal_status_info *out, const ST_TBS *t)
{
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
        ASN1_STRING_length(t->checkpoint->root_hash) != ESEAL_MERKLE_HASH_LEN ||
        !get_serial(t->cert_serial, out->cert_serial))
        return false;
    out->status = (enum eseal_status)st;
    out->checkpoint.size = size;
    memcpy(out->seal_sm3, ASN1_STRING_get0_data(t->seal_digest), ESEAL_SM3_LEN);
    memcpy(out->picture_sm3, ASN1_STRING_get0_data(t->picture_digest), ESEAL_SM3_LEN);
    memcpy(out->checkpoint.root, ASN1_STRING_get0_data(t->checkpoint->root_hash),
           ESEAL_MERKLE_HASH_LEN);
    if (t->reason != NULL) {
        const char *name = eseal_status_reason_name((int)ASN1_ENUMERATED_get(t->reason));
        if (name == NULL)
            return false;
        snprintf(out->reason, sizeof(out->reason), "%s", name);
    }
    if (t->invalidity_date != NULL &&
        (st != ESEAL_STATUS_REVOKED || !get_time(t->invalidity_date, &out->invalidity_date)))
        return false;
    return true;
}

/* response_decode decodes |der| into a new ST_RESPONSE and |out|. */
static eseal_rc response_decode(ST_RESPONSE **r, struct eseal_status_info *out, const uint8_t *der,
                                size_t len, const uint8_t **tbs, size_t *tbs_len,
                                struct eseal_err *err)
{
    memset(out, 0, sizeof(*out));
    *r = NULL;
    if (len > ESEAL_STATUS_DER_MAX)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "status response over %d bytes",
                             ESEAL_STATUS_DER_MAX);
    const unsigned char *p = der;
    *r = d2i_ST_RESPONSE(NULL, &p, (long)len);
    if (*r == NULL || p != der + len)
        return eseal_err_openssl(err, ESEAL_E_INVALID, "not a status response (or trailing bytes)");
    if (!response_fields(out, (*r)->tbs))
        return eseal_err_set(err, ESEAL_E_INVALID, "status response: a field is out of range");
    if (!first_element(der, len, tbs, tbs_len))
        return eseal_err_set(err, ESEAL_E_INVALID, "status response: bad lengths");
    return ESEAL_OK;
}

eseal_rc eseal_status_parse(struct eseal_status_info *out, const uint8_t *der, size_t len,
                            const uint8_t **tbs, size_t *tbs_len, const uint8_t **sig,
                            size_t *sig_len, struct eseal_err *err)
{
    ST_RESPONSE *r = NULL;
    const uint8_t *t = NULL;
    size_t t_len = 0;
    eseal_rc rc = response_decode(&r, out, der, len, &t, &t_len, err);
    if (rc == ESEAL_OK) {
        if (tbs != NULL) {
            *tbs = t;
            *tbs_len = t_len;
        }
        if (sig != NULL) {
            /* the BIT STRING's content after its unused-bits octet is the
             * last |length| bytes of |der| */
            *sig_len = (size_t)ASN1_STRING_length(r->signature);
            *sig = der + len - *sig_len;
        }
    }
    ST_RESPONSE_free(r);
    return rc;
}

eseal_rc eseal_status_verify(struct eseal_status_info *out, const uint8_t *der, size_t len,
                             X509 *responder, struct eseal_err *err)
{
    ST_RESPONSE *r = NULL;
    const uint8_t *tbs = NULL;
    size_t tbs_len = 0;
    eseal_rc rc = response_decode(&r, out, der, len, &tbs, &tbs_len, err);
    if (rc == ESEAL_OK) {
        size_t n = (size_t)ASN1_STRING_length(r->signature);
        rc = check_sig(r->sig_alg, r->signature, tbs, tbs_len, der + len - n, n, responder,
                       "status response", err);
    }
    ST_RESPONSE_free(r);
    return rc;
}

/* ---- status lists ---------------------------------------------------------- */

/* list_entry encodes one entry of a list into *out. */
static eseal_rc list_entry(SL_ENTRY **out, const struct eseal_status_list_entry *in,
                           struct eseal_err *err)
{
    SL_ENTRY *e = *out = SL_ENTRY_new();
    if (e == NULL || !reason_enum(in->reason, &e->reason))
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "encoding a status list entry");
    ASN1_INTEGER_free(e->cert_serial);
    e->cert_serial = serial_integer(in->cert_serial);
    if (e->cert_serial == NULL || in->status >= ESEAL_STATUS_EXPIRED)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "status list entry %s/%lld: bad certificate serial or status",
                             in->esid, (long long)in->version);
    if (ASN1_STRING_set(e->esid, in->esid, (int)strlen(in->esid)) != 1 ||
        ASN1_INTEGER_set_int64(e->version, in->version) != 1 ||
        ASN1_OCTET_STRING_set(e->seal_digest, in->seal_sm3, ESEAL_SM3_LEN) != 1 ||
        ASN1_ENUMERATED_set(e->status, (long)in->status) != 1 ||
        ASN1_GENERALIZEDTIME_set(e->status_time, (time_t)in->status_time) == NULL)
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "encoding a status list entry");
    return ESEAL_OK;
}

/* list_tbs fills the tbsList of |t| from |l|. */
static eseal_rc list_tbs(SL_TBS *t, const struct eseal_status_list *l, struct eseal_err *err)
{
    for (size_t i = 0; i < l->n_entries; i++) {
        SL_ENTRY *e = NULL;
        eseal_rc rc = list_entry(&e, &l->entries[i], err);
        if (rc != ESEAL_OK) {
            SL_ENTRY_free(e);
            return rc;
        }
        if (sk_SL_ENTRY_push(t->entries, e) <= 0) {
            SL_ENTRY_free(e);
            return eseal_err_set(err, ESEAL_E_INTERNAL, "out of memory");
        }
    }
    if (l->delta) {
        t->base_number = ASN1_INTEGER_new();
        if (t->base_number == NULL || ASN1_INTEGER_set_uint64(t->base_number, l->base_number) != 1)
            return eseal_err_openssl(err, ESEAL_E_INTERNAL, "encoding a status list");
    }
    if (ASN1_INTEGER_set(t->version, LIST_VERSION) != 1 ||
        ASN1_INTEGER_set_uint64(t->shard, l->shard) != 1 ||
        ASN1_INTEGER_set_uint64(t->shard_count, l->shard_count) != 1 ||
        ASN1_INTEGER_set_uint64(t->number, l->number) != 1 ||
        ASN1_GENERALIZEDTIME_set(t->this_update, (time_t)l->this_update) == NULL ||
        ASN1_GENERALIZEDTIME_set(t->next_update, (time_t)l->next_update) == NULL ||
        ASN1_INTEGER_set_uint64(t->checkpoint->size, l->checkpoint_size) != 1 ||
        ASN1_OCTET_STRING_set(t->checkpoint->root, l->checkpoint_root, ESEAL_MERKLE_HASH_LEN) != 1)
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "encoding a status list");
    return ESEAL_OK;
}

eseal_rc eseal_status_list_sign(struct eseal_buf *der, const struct eseal_status_list *l,
                                eseal_signer sign, void *ctx, struct eseal_err *err)
{
    SL_LIST *sl = SL_LIST_new();
    unsigned char *tbs = NULL, *out = NULL;
    if (sl == NULL)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "out of memory");
    eseal_rc rc = list_tbs(sl->tbs, l, err);
    int tbs_len = rc == ESEAL_OK ? i2d_SL_TBS(sl->tbs, &tbs) : 0;
    if (rc == ESEAL_OK && tbs_len <= 0)
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "encoding a status list");
    if (rc == ESEAL_OK)
        rc = sign_into(&sl->sig_alg, sl->signature, tbs, (size_t)tbs_len, sign, ctx, err);
    int len = rc == ESEAL_OK ? i2d_SL_LIST(sl, &out) : 0;
    if (rc == ESEAL_OK && len <= 0)
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "encoding a status list");
    if (rc == ESEAL_OK) {
        eseal_buf_reset(der);
        eseal_buf_append(der, out, (size_t)len);
    }
    OPENSSL_free(tbs);
    OPENSSL_free(out);
    SL_LIST_free(sl);
    return rc;
}

void eseal_status_list_cleanup(struct eseal_status_list *l)
{
    if (l == NULL)
        return;
    free(l->entries);
    memset(l, 0, sizeof(*l));
}

/* list_header copies the fields of a decoded tbsList, entries aside. */
static bool list_header(struct eseal_status_list *out, const SL_TBS *t)
{
    uint64_t shard, count;
    if (ASN1_INTEGER_get(t->version) != LIST_VERSION ||
        ASN1_INTEGER_get_uint64(&shard, t->shard) != 1 ||
        ASN1_INTEGER_get_uint64(&count, t->shard_count) != 1 || count == 0 ||
        count > ESEAL_STATUS_SHARDS_MAX || shard >= count ||
        ASN1_INTEGER_get_uint64(&out->number, t->number) != 1 ||
        (t->base_number != NULL &&
         ASN1_INTEGER_get_uint64(&out->base_number, t->base_number) != 1) ||
        !get_time(t->this_update, &out->this_update) ||
        !get_time(t->next_update, &out->next_update) ||
        ASN1_INTEGER_get_uint64(&out->checkpoint_size, t->checkpoint->size) != 1 ||
        ASN1_STRING_length(t->checkpoint->root) != ESEAL_MERKLE_HASH_LEN)
        return false;
    out->shard = (unsigned)shard;
    out->shard_count = (unsigned)count;
    out->delta = t->base_number != NULL;
    memcpy(out->checkpoint_root, ASN1_STRING_get0_data(t->checkpoint->root), ESEAL_MERKLE_HASH_LEN);
    return true;
}

static bool list_entry_fields(struct eseal_status_list_entry *o, const SL_ENTRY *e)
{
    long st = ASN1_ENUMERATED_get(e->status);
    const char *reason =
        e->reason != NULL ? eseal_status_reason_name((int)ASN1_ENUMERATED_get(e->reason)) : "";
    if (!copy_str(o->esid, sizeof(o->esid), e->esid) ||
        ASN1_INTEGER_get_int64(&o->version, e->version) != 1 ||
        ASN1_STRING_length(e->seal_digest) != ESEAL_SM3_LEN ||
        !get_serial(e->cert_serial, o->cert_serial) || st < 0 || st >= ESEAL_STATUS_EXPIRED ||
        reason == NULL || !get_time(e->status_time, &o->status_time))
        return false;
    memcpy(o->seal_sm3, ASN1_STRING_get0_data(e->seal_digest), ESEAL_SM3_LEN);
    o->status = (enum eseal_status)st;
    snprintf(o->reason, sizeof(o->reason), "%s", reason);
    return true;
}

static eseal_rc list_decode(SL_LIST **l, struct eseal_status_list *out, const uint8_t *der,
                            size_t len, struct eseal_err *err)
{
    memset(out, 0, sizeof(*out));
    *l = NULL;
    if (len > ESEAL_STATUS_LIST_MAX)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "status list over %d bytes",
                             ESEAL_STATUS_LIST_MAX);
    const unsigned char *q = der;
    *l = d2i_SL_LIST(NULL, &q, (long)len);
    if (*l == NULL || q != der + len)
        return eseal_err_openssl(err, ESEAL_E_INVALID, "not a status list (or trailing bytes)");
    const SL_TBS *t = (*l)->tbs;
    if (!list_header(out, t))
        return eseal_err_set(err, ESEAL_E_INVALID, "status list: a field is out of range");
    int n = sk_SL_ENTRY_num(t->entries);
    out->entries = eseal_xcalloc(n > 0 ? (size_t)n : 1, sizeof(*out->entries));
    for (int i = 0; i < n; i++) {
        if (!list_entry_fields(&out->entries[i], sk_SL_ENTRY_value(t->entries, i)))
            return eseal_err_set(err, ESEAL_E_INVALID, "status list: entry %d is malformed", i);
        out->n_entries++;
    }
    if (!first_element(der, len, &out->tbs, &out->tbs_len))
        return eseal_err_set(err, ESEAL_E_INVALID, "status list: bad lengths");
    out->sig_len = (size_t)ASN1_STRING_length((*l)->signature);
    out->sig = der + len - out->sig_len;
    return ESEAL_OK;
}

eseal_rc eseal_status_list_parse(struct eseal_status_list *out, const uint8_t *der, size_t len,
                                 struct eseal_err *err)
{
    SL_LIST *l = NULL;
    eseal_rc rc = list_decode(&l, out, der, len, err);
    SL_LIST_free(l);
    if (rc != ESEAL_OK)
        eseal_status_list_cleanup(out);
    return rc;
}

eseal_rc eseal_status_list_verify(struct eseal_status_list *out, const uint8_t *der, size_t len,
                                  X509 *responder, struct eseal_err *err)
{
    SL_LIST *l = NULL;
    eseal_rc rc = list_decode(&l, out, der, len, err);
    if (rc == ESEAL_OK)
        rc = check_sig(l->sig_alg, l->signature, out->tbs, out->tbs_len, out->sig, out->sig_len,
                       responder, "status list", err);
    SL_LIST_free(l);
    if (rc != ESEAL_OK)
        eseal_status_list_cleanup(out);
    return rc;
}
