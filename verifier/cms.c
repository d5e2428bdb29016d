/* cms.c — electronic signatures (OFD Type="Sign"): a GB/T 35275 SM2
 * SignedData over the raw bytes of the signature's Signature.xml, read by
 * OpenSSL's CMS parser and verified with the SM2 ID set explicitly.
 *
 * Why not CMS_verify: OpenSSL 3.0 parses only the PKCS #7 content type
 * (1.2.840.113549.1.7.2), not GB/T 35275's 1.2.156.10197.6.1.4.2.2, and
 * CMS_verify gives no way to set the SM2 distinguishing ID, so it checks
 * SM2 signatures with an empty ID. The outer contentType is therefore
 * rewritten through an ASN.1 template (the SignedData inside is not
 * touched: its bytes are copied as they came), the SignedData is taken
 * apart with the CMS accessors, and the signature over the DER of the
 * signed attributes is checked by core's eseal_sm2_verify (SM3, ID
 * 1234567812345678), as DESIGN.md §3 requires. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1t.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/enc.h"
#include "eseal/pki.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "internal.h"

/* A ContentInfo with any content type: SEQUENCE { contentType, [0] ANY }. */
typedef struct {
    ASN1_OBJECT *type;
    ASN1_TYPE *content;
} GM_CONTENT_INFO;

ASN1_SEQUENCE(GM_CONTENT_INFO) =
    {
        ASN1_SIMPLE(GM_CONTENT_INFO, type, ASN1_OBJECT),
        ASN1_EXP_OPT(GM_CONTENT_INFO, content, ASN1_ANY, 0),
} static_ASN1_SEQUENCE_END(GM_CONTENT_INFO)

    /* The signed attributes as signed: SET OF Attribute, DER-sorted. */
    typedef STACK_OF(X509_ATTRIBUTE) GM_ATTRIBUTES;

ASN1_ITEM_TEMPLATE(GM_ATTRIBUTES) = ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SET_ORDER, 0, GM_ATTRIBUTES,
                                                          X509_ATTRIBUTE)
                                        static_ASN1_ITEM_TEMPLATE_END(GM_ATTRIBUTES)

/* CMS_MAX bounds what is parsed: a signature with a few certificates. */
#define CMS_MAX (1024 * 1024)

                                            static GM_CONTENT_INFO
                                    * content_info(const uint8_t *der, size_t len)
{
    if (len == 0 || len > CMS_MAX)
        return NULL;
    const unsigned char *p = der;
    GM_CONTENT_INFO *ci =
        (GM_CONTENT_INFO *)ASN1_item_d2i(NULL, &p, (long)len, ASN1_ITEM_rptr(GM_CONTENT_INFO));
    if (ci != NULL && (p != der + len || ci->content == NULL)) {
        ASN1_item_free((ASN1_VALUE *)ci, ASN1_ITEM_rptr(GM_CONTENT_INFO));
        ci = NULL;
    }
    ERR_clear_error();
    return ci;
}

bool verify_cms_rewrap(const uint8_t *der, size_t len, const char *type, struct eseal_buf *out)
{
    GM_CONTENT_INFO *ci = content_info(der, len);
    ASN1_OBJECT *t = OBJ_txt2obj(type, 1);
    unsigned char *enc = NULL;
    int n = -1;
    if (ci != NULL && t != NULL) {
        ASN1_OBJECT_free(ci->type);
        ci->type = t;
        t = NULL;
        n = ASN1_item_i2d((ASN1_VALUE *)ci, &enc, ASN1_ITEM_rptr(GM_CONTENT_INFO));
    }
    if (n > 0) {
        eseal_buf_reset(out);
        eseal_buf_append(out, enc, (size_t)n);
    }
    OPENSSL_free(enc);
    ASN1_OBJECT_free(t);
    ASN1_item_free((ASN1_VALUE *)ci, ASN1_ITEM_rptr(GM_CONTENT_INFO));
    ERR_clear_error();
    return n > 0;
}

/* parse reads |der| as a SignedData, GB/T 35275 or PKCS #7; *gm tells which. */
static CMS_ContentInfo *parse(const uint8_t *der, size_t len, bool *gm)
{
    GM_CONTENT_INFO *ci = content_info(der, len);
    if (ci == NULL)
        return NULL;
    char oid[64];
    OBJ_obj2txt(oid, sizeof(oid), ci->type, 1);
    ASN1_item_free((ASN1_VALUE *)ci, ASN1_ITEM_rptr(GM_CONTENT_INFO));
    *gm = strcmp(oid, VERIFY_GM_SIGNED_DATA) == 0;
    if (!*gm && strcmp(oid, "1.2.840.113549.1.7.2") != 0)
        return NULL;
    struct eseal_buf std;
    eseal_buf_init(&std);
    if (*gm && !verify_cms_rewrap(der, len, "1.2.840.113549.1.7.2", &std)) {
        eseal_buf_cleanup(&std);
        return NULL;
    }
    const unsigned char *p = *gm ? std.data : der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)(*gm ? std.len : len));
    eseal_buf_cleanup(&std);
    if (cms != NULL && OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        CMS_ContentInfo_free(cms);
        cms = NULL;
    }
    ERR_clear_error();
    return cms;
}

bool verify_cms_is(const uint8_t *der, size_t len)
{
    bool gm = false;
    CMS_ContentInfo *cms = parse(der, len, &gm);
    CMS_ContentInfo_free(cms);
    return cms != NULL;
}

bool verify_cms_attrs_der(CMS_SignerInfo *si, struct eseal_buf *out)
{
    int n = CMS_signed_get_attr_count(si);
    if (n <= 0)
        return false;
    GM_ATTRIBUTES *attrs = sk_X509_ATTRIBUTE_new_null();
    for (int i = 0; attrs != NULL && i < n; i++)
        if (!sk_X509_ATTRIBUTE_push(attrs, CMS_signed_get_attr(si, i)))
            abort(); /* only out of memory */
    unsigned char *enc = NULL;
    int len = attrs != NULL
                  ? ASN1_item_i2d((ASN1_VALUE *)attrs, &enc, ASN1_ITEM_rptr(GM_ATTRIBUTES))
                  : -1;
    sk_X509_ATTRIBUTE_free(attrs); /* the attributes stay the SignerInfo's */
    if (len > 0) {
        eseal_buf_reset(out);
        eseal_buf_append(out, enc, (size_t)len);
    }
    OPENSSL_free(enc);
    ERR_clear_error();
    return len > 0;
}

/* signer_of finds the certificate of |si| among the SignedData's. */
static X509 *signer_of(CMS_ContentInfo *cms, CMS_SignerInfo *si)
{
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    X509 *found = NULL;
    for (int i = 0; found == NULL && i < sk_X509_num(certs); i++)
        if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0) {
            found = sk_X509_value(certs, i);
            X509_up_ref(found);
        }
    sk_X509_pop_free(certs, X509_free);
    return found;
}

static time_t asn1_time(const ASN1_TIME *t)
{
    struct tm tm;
    return t != NULL && ASN1_TIME_to_tm(t, &tm) == 1 ? timegm(&tm) : 0;
}

/* check_content: the messageDigest attribute against SM3(|data|), and
 * what the signature covers into |tbs|. An attached content must be
 * |data| itself. */
static bool check_content(struct eseal_report *r, CMS_ContentInfo *cms, CMS_SignerInfo *si,
                          const uint8_t *data, size_t data_len, struct eseal_buf *tbs)
{
    ASN1_OCTET_STRING **content = CMS_get0_content(cms);
    if (content != NULL && *content != NULL &&
        ((size_t)ASN1_STRING_length(*content) != data_len ||
         memcmp(ASN1_STRING_get0_data(*content), data, data_len) != 0)) {
        verify_add(r, V_CMS_DIGEST_MISMATCH, "the raw bytes of Signature.xml",
                   "the content inside the SignedData is other data");
        return false;
    }
    uint8_t sm3[ESEAL_SM3_LEN];
    eseal_sm3(sm3, data, data_len);
    char *got = eseal_hex(sm3, sizeof(sm3));
    if (!verify_cms_attrs_der(si, tbs)) { /* no signed attributes: the data itself is signed */
        eseal_buf_reset(tbs);
        eseal_buf_append(tbs, data, data_len);
        verify_add(r, V_CMS_DIGEST_OK, "no signed attributes: the signature covers the data", got);
        free(got);
        return true;
    }
    ASN1_OCTET_STRING *md = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest),
                                                        -3, V_ASN1_OCTET_STRING);
    char *want = md != NULL ? eseal_hex(ASN1_STRING_get0_data(md), (size_t)ASN1_STRING_length(md))
                            : eseal_xstrdup("(no messageDigest attribute)");
    bool same = md != NULL && ASN1_STRING_length(md) == ESEAL_SM3_LEN &&
                CRYPTO_memcmp(ASN1_STRING_get0_data(md), sm3, ESEAL_SM3_LEN) == 0;
    verify_add(r, same ? V_CMS_DIGEST_OK : V_CMS_DIGEST_MISMATCH, want, got);
    free(want);
    free(got);
    return true;
}

static void check_validity(struct eseal_report *r, X509 *signer)
{
    time_t t = r->best_signature_time;
    time_t nb = asn1_time(X509_get0_notBefore(signer)), na = asn1_time(X509_get0_notAfter(signer));
    char *a = verify_time_iso(nb), *z = verify_time_iso(na), *at = verify_time_iso(t);
    char *want = eseal_xasprintf("signer certificate %s/%s", a, z);
    char *got = eseal_xasprintf("best signature time %s", at);
    verify_add(r,
               t < nb   ? V_VALIDITY_CERT_NOT_YET
               : t > na ? V_VALIDITY_CERT_NO_POE
                        : V_CMS_VALIDITY_OK,
               want, got);
    free(a);
    free(z);
    free(at);
    free(want);
    free(got);
}

void verify_cms(struct eseal_report *r, const uint8_t *der, size_t len, const uint8_t *data,
                size_t data_len, const struct eseal_verify_opts *o)
{
    static const struct eseal_verify_opts defaults;
    if (o == NULL)
        o = &defaults;
    verify_start(r, o);
    static const char want[] = "a GB/T 35275 SM2 SignedData (1.2.156.10197.6.1.4.2.2), SM3, "
                               "one signer with its certificate";
    bool gm = false;
    CMS_ContentInfo *cms = parse(der, len, &gm);
    X509 *signer = NULL;
    struct eseal_buf tbs;
    eseal_buf_init(&tbs);
    if (cms == NULL) {
        struct eseal_ses *ses = NULL; /* the wrong kind says so plainly */
        bool is_ses = eseal_ses_parse(&ses, der, len, NULL) == ESEAL_OK;
        eseal_ses_free(ses);
        verify_add(r, V_FORMAT_CMS_BAD, want,
                   is_ses ? "this is a seal signature (SES_Signature, Type=\"Seal\"), not an "
                            "electronic signature / 这是电子签章数据，不是电子签名"
                          : "not a DER SignedData ContentInfo");
        goto out;
    }
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    CMS_SignerInfo *si = sk_CMS_SignerInfo_num(sis) == 1 ? sk_CMS_SignerInfo_value(sis, 0) : NULL;
    X509_ALGOR *dig = NULL;
    if (si != NULL)
        CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
    if (si == NULL || dig == NULL || OBJ_obj2nid(dig->algorithm) != NID_sm3) {
        char *got = eseal_xasprintf("%d signer(s)%s", sk_CMS_SignerInfo_num(sis),
                                    si != NULL ? ", a digest other than SM3" : "");
        verify_add(r, V_FORMAT_CMS_BAD, want, got);
        free(got);
        goto out;
    }
    signer = signer_of(cms, si);
    if (signer == NULL || !eseal_sm2_is(X509_get0_pubkey(signer))) {
        verify_add(r, V_FORMAT_CMS_BAD, want,
                   signer == NULL ? "the signer's certificate is not in the SignedData"
                                  : "the signer's key is not an SM2 key");
        goto out;
    }
    r->signer = eseal_pki_name(X509_get_subject_name(signer));
    char *fmt = eseal_xasprintf("%s SignedData, digest SM3, signer %s",
                                gm ? "GB/T 35275 (1.2.156.10197.6.1.4.2.2)" : "PKCS #7", r->signer);
    verify_add(r, V_FORMAT_CMS_OK, NULL, fmt);
    free(fmt);
    if (!check_content(r, cms, si, data, data_len, &tbs))
        goto out;
    const ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_sm2_verify(X509_get0_pubkey(signer), tbs.data, tbs.len, ASN1_STRING_get0_data(sig),
                         (size_t)ASN1_STRING_length(sig), &err) == ESEAL_OK)
        verify_add(r, V_CMS_SIGNATURE_OK, NULL, "SM2 with SM3, ID 1234567812345678");
    else
        verify_add(r, V_CMS_SIGNATURE_BAD, "SM2 with SM3, ID 1234567812345678", err.msg);
    if (o->trust == NULL || sk_X509_num(o->trust) == 0) {
        verify_add(r, V_CHAIN_NO_TRUST, NULL, "no trust anchors (--trust)");
    } else {
        char *what = NULL;
        bool ok = verify_chain(o->trust, signer, 0, &what);
        char *got = eseal_xasprintf("signer %s: %s", r->signer, what);
        verify_add(r, ok ? V_CHAIN_OK : V_CHAIN_BROKEN, NULL, got);
        free(got);
        free(what);
    }
    check_validity(r, signer);
out:
    eseal_buf_cleanup(&tbs);
    X509_free(signer);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
}
