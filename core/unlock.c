/* unlock.c — the PIN unlock code format: ASN.1 templates, make and parse. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "eseal/unlock.h"

/* The signature BIT STRING holds a DER SEQUENCE{r, s}: at most 72 bytes for
 * SM2; anything much larger is not a signature of ours. */
#define SIG_MAX 128
#define N_CERTS 2

/* OpenSSL 3.0 declares no stack of OCTET STRINGs; this makes the typed
 * static inline sk_ASN1_OCTET_STRING_* helpers. */
DEFINE_STACK_OF(ASN1_OCTET_STRING)

typedef struct {
    ASN1_INTEGER *version;
    ASN1_UTF8STRING *token_id;
    ASN1_INTEGER *counter;
    ASN1_GENERALIZEDTIME *issued_at;
    ASN1_ENCODING enc; /* the received bytes, so we verify what was signed */
} ESEAL_UNLOCK_TBS;

typedef struct {
    ESEAL_UNLOCK_TBS *tbs;
    STACK_OF(ASN1_OCTET_STRING) * certs;
    ASN1_OBJECT *sig_alg;
    ASN1_BIT_STRING *sig;
} ESEAL_UNLOCK_CODE;

/* The template macros are not C that clang-format can lay out. */
/* clang-format off */
ASN1_SEQUENCE_enc(ESEAL_UNLOCK_TBS, enc, NULL) = {
    ASN1_SIMPLE(ESEAL_UNLOCK_TBS, version, ASN1_INTEGER),
    ASN1_SIMPLE(ESEAL_UNLOCK_TBS, token_id, ASN1_UTF8STRING),
    ASN1_SIMPLE(ESEAL_UNLOCK_TBS, counter, ASN1_INTEGER),
    ASN1_SIMPLE(ESEAL_UNLOCK_TBS, issued_at, ASN1_GENERALIZEDTIME),
} static_ASN1_SEQUENCE_END_ref(ESEAL_UNLOCK_TBS, ESEAL_UNLOCK_TBS)

ASN1_SEQUENCE(ESEAL_UNLOCK_CODE) = {
    ASN1_SIMPLE(ESEAL_UNLOCK_CODE, tbs, ESEAL_UNLOCK_TBS),
    ASN1_SEQUENCE_OF(ESEAL_UNLOCK_CODE, certs, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ESEAL_UNLOCK_CODE, sig_alg, ASN1_OBJECT),
    ASN1_SIMPLE(ESEAL_UNLOCK_CODE, sig, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(ESEAL_UNLOCK_CODE)

IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(ESEAL_UNLOCK_TBS)
IMPLEMENT_STATIC_ASN1_ENCODE_FUNCTIONS(ESEAL_UNLOCK_TBS)
IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(ESEAL_UNLOCK_CODE)
IMPLEMENT_STATIC_ASN1_ENCODE_FUNCTIONS(ESEAL_UNLOCK_CODE)
    /* clang-format on */

    bool eseal_token_id_valid(const char *id)
{
    if (id == NULL || strlen(id) != ESEAL_TOKEN_ID_LEN)
        return false;
    for (size_t i = 0; i < ESEAL_TOKEN_ID_LEN; i++)
        if (strchr("0123456789abcdef", id[i]) == NULL)
            return false;
    return true;
}

/* ---- making ------------------------------------------------------------ */

/* tbs_der encodes the to-be-signed part into |out|. */
static eseal_rc tbs_der(struct eseal_buf *out, const char *token_id, uint32_t counter,
                        time_t issued_at, struct eseal_err *err)
{
    ESEAL_UNLOCK_TBS *t = ESEAL_UNLOCK_TBS_new();
    unsigned char *der = NULL;
    int n = -1;
    if (t != NULL && ASN1_INTEGER_set_int64(t->version, ESEAL_UNLOCK_VERSION) == 1 &&
        ASN1_STRING_set(t->token_id, token_id, -1) == 1 &&
        ASN1_INTEGER_set_uint64(t->counter, counter) == 1 &&
        ASN1_GENERALIZEDTIME_set(t->issued_at, issued_at) != NULL)
        n = i2d_ESEAL_UNLOCK_TBS(t, &der);
    ESEAL_UNLOCK_TBS_free(t);
    if (n <= 0)
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot encode the unlock code");
    eseal_buf_reset(out);
    eseal_buf_append(out, der, (size_t)n);
    OPENSSL_free(der);
    return ESEAL_OK;
}

static int push_cert(STACK_OF(ASN1_OCTET_STRING) * certs, X509 *x)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    int ok = n > 0 && os != NULL && ASN1_OCTET_STRING_set(os, der, n) == 1 &&
             sk_ASN1_OCTET_STRING_push(certs, os) > 0;
    if (!ok)
        ASN1_OCTET_STRING_free(os);
    OPENSSL_free(der);
    return ok;
}

/* set_sig stores |sig| as a BIT STRING with 0 unused bits. Setting
 * ASN1_STRING_FLAG_BITS_LEFT stops OpenSSL from trimming trailing zero
 * bytes, which would change the DER signature inside. */
static int set_sig(ASN1_BIT_STRING *bs, const struct eseal_buf *sig)
{
    if (ASN1_BIT_STRING_set(bs, sig->data, (int)sig->len) != 1)
        return 0;
    bs->flags &= ~0x07L;
    bs->flags |= ASN1_STRING_FLAG_BITS_LEFT;
    return 1;
}

/* assemble puts the signed |tbs| bytes, the certificates and |sig| together
 * and armours the result as PEM into |out|. */
static eseal_rc assemble(struct eseal_buf *out, const struct eseal_buf *tbs, X509 *maker,
                         X509 *root, const struct eseal_buf *sig, struct eseal_err *err)
{
    const unsigned char *p = tbs->data;
    ESEAL_UNLOCK_CODE *c = ESEAL_UNLOCK_CODE_new();
    unsigned char *der = NULL;
    int n = -1;
    if (c != NULL) {
        ESEAL_UNLOCK_TBS_free(c->tbs);
        c->tbs = d2i_ESEAL_UNLOCK_TBS(NULL, &p, (long)tbs->len); /* keeps the bytes */
        c->sig_alg = OBJ_nid2obj(NID_SM2_with_SM3);
        if (c->tbs != NULL && push_cert(c->certs, maker) && push_cert(c->certs, root) &&
            set_sig(c->sig, sig))
            n = i2d_ESEAL_UNLOCK_CODE(c, &der);
    }
    ESEAL_UNLOCK_CODE_free(c);
    BIO *bio = n > 0 ? BIO_new(BIO_s_mem()) : NULL;
    eseal_rc rc = ESEAL_OK;
    if (bio == NULL || PEM_write_bio(bio, ESEAL_UNLOCK_PEM_LABEL, "", der, n) <= 0) {
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot encode the unlock code");
    } else {
        char *text = NULL;
        long len = BIO_get_mem_data(bio, &text);
        eseal_buf_reset(out);
        eseal_buf_append(out, text, (size_t)len);
    }
    BIO_free(bio);
    OPENSSL_free(der);
    return rc;
}

eseal_rc eseal_unlock_code_make(struct eseal_buf *out, const char *token_id, uint32_t counter,
                                time_t issued_at, X509 *maker, X509 *root,
                                eseal_rc (*sign)(void *sign_ctx, const uint8_t *msg, size_t msg_len,
                                                 struct eseal_buf *sig, struct eseal_err *err),
                                void *sign_ctx, struct eseal_err *err)
{
    if (!eseal_token_id_valid(token_id))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "token id must be %d lower-case hex digits / 令牌编号格式错误",
                             ESEAL_TOKEN_ID_LEN);
    if (counter > ESEAL_UNLOCK_COUNTER_MAX)
        return eseal_err_set(err, ESEAL_E_INVALID, "unlock counter %u is out of range",
                             (unsigned)counter);
    struct eseal_buf tbs, sig;
    eseal_buf_init(&tbs);
    eseal_buf_init(&sig);
    eseal_rc rc = tbs_der(&tbs, token_id, counter, issued_at, err);
    if (rc == ESEAL_OK)
        rc = sign(sign_ctx, tbs.data, tbs.len, &sig, err);
    if (rc == ESEAL_OK && (sig.len == 0 || sig.len > SIG_MAX))
        rc = eseal_err_set(err, ESEAL_E_INTERNAL, "the signer returned %zu bytes", sig.len);
    if (rc == ESEAL_OK)
        rc = assemble(out, &tbs, maker, root, &sig, err);
    eseal_buf_cleanup(&tbs);
    eseal_buf_cleanup(&sig);
    return rc;
}

/* ---- parsing ----------------------------------------------------------- */

void eseal_unlock_code_free(struct eseal_unlock_code *code)
{
    if (code == NULL)
        return;
    X509_free(code->maker);
    X509_free(code->root);
    eseal_buf_cleanup(&code->tbs);
    eseal_buf_cleanup(&code->sig);
    free(code);
}

/* to_der takes |data| out of PEM armour if it is PEM; *der is then
 * OPENSSL_malloc'd (free it), otherwise it points into |data|. */
static eseal_rc to_der(unsigned char **owned, const unsigned char **der, long *der_len,
                       const uint8_t *data, size_t len, struct eseal_err *err)
{
    static const char tag[] = "-----BEGIN ";
    *owned = NULL;
    *der = data;
    *der_len = (long)len;
    if (memmem(data, len, tag, sizeof(tag) - 1) == NULL)
        return ESEAL_OK;
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    int ok = bio != NULL &&
             PEM_bytes_read_bio(owned, der_len, NULL, ESEAL_UNLOCK_PEM_LABEL, bio, NULL, NULL) == 1;
    BIO_free(bio);
    if (!ok)
        return eseal_err_openssl(err, ESEAL_E_INVALID, "not a PEM unlock code (%s) / 不是解锁码",
                                 ESEAL_UNLOCK_PEM_LABEL);
    *der = *owned;
    return ESEAL_OK;
}

static eseal_rc cert_at(X509 **out, const STACK_OF(ASN1_OCTET_STRING) * certs, int i,
                        struct eseal_err *err)
{
    const ASN1_OCTET_STRING *os = sk_ASN1_OCTET_STRING_value(certs, i);
    const unsigned char *p = ASN1_STRING_get0_data(os);
    long n = ASN1_STRING_length(os);
    *out = d2i_X509(NULL, &p, n);
    if (*out == NULL || p != ASN1_STRING_get0_data(os) + n)
        return eseal_err_openssl(err, ESEAL_E_INVALID,
                                 "unlock code certificate %d is not a DER certificate", i + 1);
    return ESEAL_OK;
}

static eseal_rc read_tbs(struct eseal_unlock_code *out, const ESEAL_UNLOCK_TBS *t,
                         struct eseal_err *err)
{
    int64_t version = 0;
    uint64_t counter = 0;
    struct tm tm;
    if (ASN1_INTEGER_get_int64(&version, t->version) != 1 || version != ESEAL_UNLOCK_VERSION)
        return eseal_err_set(err, ESEAL_E_INVALID, "unlock code version is not %d",
                             ESEAL_UNLOCK_VERSION);
    int id_len = ASN1_STRING_length(t->token_id);
    const unsigned char *id = ASN1_STRING_get0_data(t->token_id);
    if (id_len != ESEAL_TOKEN_ID_LEN || memchr(id, 0, (size_t)id_len) != NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "unlock code token id is malformed");
    memcpy(out->token_id, id, ESEAL_TOKEN_ID_LEN);
    out->token_id[ESEAL_TOKEN_ID_LEN] = '\0';
    if (!eseal_token_id_valid(out->token_id))
        return eseal_err_set(err, ESEAL_E_INVALID, "unlock code token id is malformed");
    if (ASN1_INTEGER_get_uint64(&counter, t->counter) != 1 || counter > ESEAL_UNLOCK_COUNTER_MAX)
        return eseal_err_set(err, ESEAL_E_INVALID, "unlock code counter is out of range");
    out->counter = (uint32_t)counter;
    if (ASN1_TIME_to_tm(t->issued_at, &tm) != 1)
        return eseal_err_set(err, ESEAL_E_INVALID, "unlock code issuedAt is not a valid time");
    out->issued_at = timegm(&tm);
    return ESEAL_OK;
}

/* read_code checks the shape of a decoded code and copies it into |out|. */
static eseal_rc read_code(struct eseal_unlock_code *out, const ESEAL_UNLOCK_CODE *c,
                          struct eseal_err *err)
{
    eseal_rc rc = read_tbs(out, c->tbs, err);
    if (rc != ESEAL_OK)
        return rc;
    if (sk_ASN1_OCTET_STRING_num(c->certs) != N_CERTS)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "unlock code must carry exactly %d certificates (maker, root)",
                             N_CERTS);
    if ((rc = cert_at(&out->maker, c->certs, 0, err)) != ESEAL_OK ||
        (rc = cert_at(&out->root, c->certs, 1, err)) != ESEAL_OK)
        return rc;
    if (OBJ_obj2nid(c->sig_alg) != NID_SM2_with_SM3)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "unlock code is not signed with SM2-with-SM3 (1.2.156.10197.1.501)");
    int sig_len = ASN1_STRING_length(c->sig);
    if ((c->sig->flags & 0x07) != 0 || sig_len <= 0 || sig_len > SIG_MAX)
        return eseal_err_set(err, ESEAL_E_INVALID, "unlock code signature is malformed");
    eseal_buf_append(&out->sig, ASN1_STRING_get0_data(c->sig), (size_t)sig_len);
    /* i2d of a decoded ASN1_SEQUENCE_enc gives back the received bytes. */
    unsigned char *tbs = NULL;
    int n = i2d_ESEAL_UNLOCK_TBS(c->tbs, &tbs);
    if (n <= 0)
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot re-read the unlock code");
    eseal_buf_append(&out->tbs, tbs, (size_t)n);
    OPENSSL_free(tbs);
    return ESEAL_OK;
}

eseal_rc eseal_unlock_code_parse(struct eseal_unlock_code **out, const uint8_t *data, size_t len,
                                 struct eseal_err *err)
{
    *out = NULL;
    if (len == 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "empty unlock code / 解锁码为空");
    if (len > ESEAL_UNLOCK_MAX_INPUT)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "unlock code larger than %d bytes",
                             ESEAL_UNLOCK_MAX_INPUT);
    unsigned char *owned = NULL;
    const unsigned char *der = NULL;
    long der_len = 0;
    eseal_rc rc = to_der(&owned, &der, &der_len, data, len, err);
    if (rc != ESEAL_OK)
        return rc;
    const unsigned char *p = der;
    ESEAL_UNLOCK_CODE *c = d2i_ESEAL_UNLOCK_CODE(NULL, &p, der_len);
    struct eseal_unlock_code *code = eseal_xcalloc(1, sizeof(*code));
    if (c == NULL)
        rc = eseal_err_openssl(err, ESEAL_E_INVALID, "not a valid unlock code (DER) / 解锁码无效");
    else if (p != der + der_len)
        rc = eseal_err_set(err, ESEAL_E_INVALID, "unlock code DER has trailing bytes");
    else
        rc = read_code(code, c, err);
    ESEAL_UNLOCK_CODE_free(c);
    OPENSSL_free(owned);
    if (rc != ESEAL_OK) {
        eseal_unlock_code_free(code);
        return rc;
    }
    *out = code;
    return ESEAL_OK;
}

/* name_utf8_is tells whether |name| has exactly one |nid| entry, equal to
 * the |want_len| bytes at |want|. */
static bool name_utf8_is(const X509_NAME *name, int nid, const void *want, size_t want_len)
{
    int i = X509_NAME_get_index_by_NID(name, nid, -1);
    if (i < 0 || X509_NAME_get_index_by_NID(name, nid, i) >= 0)
        return false;
    const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    return (size_t)ASN1_STRING_length(s) == want_len &&
           memcmp(ASN1_STRING_get0_data(s), want, want_len) == 0;
}

/* has_maker_eku: |x| has one extendedKeyUsage extension listing
 * ESEAL_PLATFORM_MAKER_EKU. */
static bool has_maker_eku(X509 *x)
{
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
    ASN1_OBJECT *want = OBJ_txt2obj(ESEAL_PLATFORM_MAKER_EKU, 1);
    bool found = false;
    for (int i = 0; eku != NULL && want != NULL && i < sk_ASN1_OBJECT_num(eku); i++)
        found = found || OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), want) == 0;
    EXTENDED_KEY_USAGE_free(eku);
    ASN1_OBJECT_free(want);
    ERR_clear_error();
    return found;
}

/* is_v1_maker: the subject is exactly C=CN, O (the root's) and
 * CN=ESEAL_PLATFORM_MAKER_CN_V1, the maker of a CA made before the mark. */
static bool is_v1_maker(X509 *maker, X509 *root)
{
    const X509_NAME *mn = X509_get_subject_name(maker);
    const X509_NAME *rn = X509_get_subject_name(root);
    int o = X509_NAME_get_index_by_NID(rn, NID_organizationName, -1);
    if (o < 0 || X509_NAME_entry_count(mn) != 3)
        return false;
    const ASN1_STRING *org = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(rn, o));
    return name_utf8_is(mn, NID_commonName, ESEAL_PLATFORM_MAKER_CN_V1,
                        strlen(ESEAL_PLATFORM_MAKER_CN_V1)) &&
           name_utf8_is(mn, NID_organizationName, ASN1_STRING_get0_data(org),
                        (size_t)ASN1_STRING_length(org)) &&
           name_utf8_is(mn, NID_countryName, "CN", 2);
}

bool eseal_unlock_is_platform_maker(X509 *maker, X509 *root)
{
    return maker != NULL && root != NULL && (has_maker_eku(maker) || is_v1_maker(maker, root));
}
