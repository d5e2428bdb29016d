/* issue.c — issuing holder certificates from PKCS#10 requests. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "eseal/pki.h"
#include "eseal/sm.h"
#include "eseal/unlock.h"
#include "internal.h"

#define MAX_ISSUE_DAYS 3650
#define MAX_FIELD_BYTES 128

/* The subject fields a request may carry, in the order the issued subject
 * lists them. Anything else in a request is refused rather than dropped, so
 * the applicant sees exactly what will be certified. */
static const int subject_nids[] = {
    NID_countryName,      NID_stateOrProvinceName,    NID_localityName,
    NID_organizationName, NID_organizationalUnitName, NID_commonName,
    NID_serialNumber,
};
#define N_SUBJECT (sizeof(subject_nids) / sizeof(subject_nids[0]))

struct subject {
    char *value[N_SUBJECT]; /* UTF-8, or NULL */
};

static void subject_cleanup(struct subject *s)
{
    for (size_t i = 0; i < N_SUBJECT; i++)
        free(s->value[i]);
}

static int subject_slot(int nid)
{
    for (size_t i = 0; i < N_SUBJECT; i++)
        if (subject_nids[i] == nid)
            return (int)i;
    return -1;
}

static const char *sn(int nid)
{
    return OBJ_nid2sn(nid);
}

static eseal_rc field_text(char **out, X509_NAME_ENTRY *e, struct eseal_err *err)
{
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
    if (n <= 0 || n > MAX_FIELD_BYTES || memchr(utf8, 0, (size_t)n) != NULL) {
        OPENSSL_free(utf8);
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "subject field %s is empty, unreadable or longer than %d bytes",
                             sn(nid), MAX_FIELD_BYTES);
    }
    for (int i = 0; i < n; i++) {
        if (utf8[i] < 0x20 || utf8[i] == 0x7f) {
            OPENSSL_free(utf8);
            return eseal_err_set(err, ESEAL_E_INVALID, "subject field %s has control characters",
                                 sn(nid));
        }
    }
    *out = eseal_xstrndup((const char *)utf8, (size_t)n);
    OPENSSL_free(utf8);
    return ESEAL_OK;
}

static eseal_rc read_subject(struct subject *s, const X509_NAME *name, struct eseal_err *err)
{
    for (int i = 0; i < X509_NAME_entry_count(name); i++) {
        X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
        int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
        int slot = subject_slot(nid);
        if (slot < 0)
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "request subject has a field the CA does not certify (%s)",
                                 nid != NID_undef ? sn(nid) : "unknown OID");
        if (s->value[slot] != NULL)
            return eseal_err_set(err, ESEAL_E_INVALID, "request subject repeats %s", sn(nid));
        eseal_rc rc = field_text(&s->value[slot], e, err);
        if (rc != ESEAL_OK)
            return rc;
    }
    return ESEAL_OK;
}

/* USCC (GB 32100): 18 characters from digits and upper-case letters without
 * I, O, S, V, Z. The check character is the issuer's business (a failing one
 * is a reviewer-acknowledged warning there), so only the shape is checked. */
static int uscc_shape(const char *s)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    if (strlen(s) != 18)
        return 0;
    for (int i = 0; i < 18; i++)
        if (strchr(alphabet, s[i]) == NULL)
            return 0;
    return 1;
}

/* Resident ID number (GB 11643): 17 digits and a digit or X. */
static int id_number_shape(const char *s)
{
    if (strlen(s) != 18)
        return 0;
    for (int i = 0; i < 17; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return (s[17] >= '0' && s[17] <= '9') || s[17] == 'X';
}

#define SLOT(nid) ((size_t)subject_slot(nid))

static eseal_rc require(const struct subject *s, int nid, const char *what, struct eseal_err *err)
{
    if (s->value[SLOT(nid)] == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "request subject lacks %s (%s)", sn(nid), what);
    return ESEAL_OK;
}

static eseal_rc check_profile(struct subject *s, enum eseal_ca_profile p, struct eseal_err *err)
{
    const char *c = s->value[SLOT(NID_countryName)];
    if (c != NULL && strcmp(c, "CN") != 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "request subject C must be CN, not %s", c);
    const char *serial = s->value[SLOT(NID_serialNumber)];
    eseal_rc rc;
    switch (p) {
    case ESEAL_CA_PROFILE_UNIT:
        if ((rc = require(s, NID_organizationName, "the unit's name", err)) != ESEAL_OK ||
            (rc = require(s, NID_serialNumber, "the unit's USCC", err)) != ESEAL_OK)
            return rc;
        if (!uscc_shape(serial))
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "serialNumber is not a unified social credit code (18 chars)");
        if (s->value[SLOT(NID_commonName)] == NULL)
            s->value[SLOT(NID_commonName)] = eseal_xstrdup(s->value[SLOT(NID_organizationName)]);
        return ESEAL_OK;
    case ESEAL_CA_PROFILE_PERSONAL:
        if ((rc = require(s, NID_commonName, "the person's name", err)) != ESEAL_OK ||
            (rc = require(s, NID_serialNumber, "the person's ID number", err)) != ESEAL_OK)
            return rc;
        if (!id_number_shape(serial))
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "serialNumber is not a resident ID number (17 digits + digit/X)");
        return ESEAL_OK;
    case ESEAL_CA_PROFILE_DEVICE:
        return require(s, NID_commonName, "the device's name", err);
    }
    return eseal_err_set(err, ESEAL_E_INVALID, "unknown profile");
}

/* own_cn_is tells whether |x| (may be NULL) has a CN equal to |cn|. */
static bool own_cn_is(X509 *x, const char *cn)
{
    const X509_NAME *n = x != NULL ? X509_get_subject_name(x) : NULL;
    int i = n != NULL ? X509_NAME_get_index_by_NID(n, NID_commonName, -1) : -1;
    if (i < 0)
        return false;
    const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
    return (size_t)ASN1_STRING_length(s) == strlen(cn) &&
           memcmp(ASN1_STRING_get0_data(s), cn, strlen(cn)) == 0;
}

/* check_reserved refuses a CN naming the platform itself: the CN of one of
 * this CA's own certificates (relying parties read who vouches by it), or
 * one starting "eSeal Platform" (tokens recognise the seal maker of a CA
 * made before #19 by that name, unlock.h). */
static eseal_rc check_reserved(const struct eseal_ca *ca, const struct subject *s,
                               struct eseal_err *err)
{
    const char *cn = s->value[SLOT(NID_commonName)];
    size_t n = strlen(ESEAL_PLATFORM_CN_PREFIX);
    while (cn != NULL && (*cn == ' ' || *cn == '\t'))
        cn++;
    if (cn == NULL)
        return ESEAL_OK;
    bool own = own_cn_is(ca->tsa_cert, cn);
    for (int r = 0; r < CA_NROLES; r++)
        own = own || own_cn_is(ca->cert[r], cn);
    if (own || strncasecmp(cn, ESEAL_PLATFORM_CN_PREFIX, n) == 0)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "该名称保留给平台证书 / request subject CN \"%s\" is reserved for the "
                             "platform's own certificates",
                             cn);
    return ESEAL_OK;
}

static X509_NAME *build_subject(const struct subject *s)
{
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_NID(n, NID_countryName, MBSTRING_UTF8, (const unsigned char *)"CN", -1,
                               -1, 0);
    for (size_t i = 1; i < N_SUBJECT; i++) {
        if (s->value[i] != NULL)
            X509_NAME_add_entry_by_NID(n, subject_nids[i], MBSTRING_UTF8,
                                       (const unsigned char *)s->value[i], -1, -1, 0);
    }
    return n;
}

static const struct ca_ext holder_exts[] = {
    {NID_basic_constraints, "critical,CA:FALSE"},
    {NID_key_usage, "critical,digitalSignature,nonRepudiation"},
    {NID_subject_key_identifier, "hash"},
    {NID_authority_key_identifier, "keyid:always"},
};

/* check_request: parse, SM2 key, SM2-with-SM3 signature, proof of possession. */
static eseal_rc check_request(X509_REQ **req, const uint8_t *csr, size_t csr_len,
                              struct eseal_err *err)
{
    eseal_rc rc = eseal_pki_req_parse(req, csr, csr_len, err);
    if (rc != ESEAL_OK)
        return rc;
    EVP_PKEY *key = X509_REQ_get0_pubkey(*req);
    if (key == NULL)
        return eseal_err_openssl(err, ESEAL_E_INVALID, "request public key is unreadable");
    if (!eseal_sm2_is(key))
        return eseal_err_set(err, ESEAL_E_INVALID, "request key is %s, not SM2",
                             EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "?");
    const X509_ALGOR *alg = NULL;
    X509_REQ_get0_signature(*req, NULL, &alg);
    const ASN1_OBJECT *oid = NULL;
    X509_ALGOR_get0(&oid, NULL, NULL, alg);
    if (OBJ_obj2nid(oid) != NID_SM2_with_SM3)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "request is not signed with SM2-with-SM3 (1.2.156.10197.1.501)");
    return eseal_x509_req_check(*req, err);
}

static eseal_rc check_days(const struct eseal_ca *ca, int days, struct eseal_err *err)
{
    if (days < 1 || days > MAX_ISSUE_DAYS)
        return eseal_err_set(err, ESEAL_E_INVALID, "validity must be 1..%d days, not %d",
                             MAX_ISSUE_DAYS, days);
    ASN1_TIME *end = X509_time_adj_ex(NULL, days, 0, NULL);
    int cmp = ASN1_TIME_compare(end, X509_get0_notAfter(ca->cert[ESEAL_CA_ROOT]));
    ASN1_TIME_free(end);
    if (cmp > 0)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "a certificate for %d days would outlive the root CA", days);
    return ESEAL_OK;
}

eseal_rc eseal_ca_issue(struct eseal_ca *ca, const uint8_t *csr, size_t csr_len,
                        enum eseal_ca_profile profile, int days, X509 **out, struct eseal_err *err)
{
    *out = NULL;
    if (ca_need_key(ca, ESEAL_CA_UNLOCK_ROOT, err) != ESEAL_OK)
        return ESEAL_E_DENIED;
    X509_REQ *req = NULL;
    struct subject s;
    memset(&s, 0, sizeof(s));
    eseal_rc rc = check_days(ca, days, err);
    if (rc == ESEAL_OK)
        rc = check_request(&req, csr, csr_len, err);
    if (rc == ESEAL_OK)
        rc = read_subject(&s, X509_REQ_get_subject_name(req), err);
    if (rc == ESEAL_OK)
        rc = check_profile(&s, profile, err);
    if (rc == ESEAL_OK)
        rc = check_reserved(ca, &s, err);
    if (rc == ESEAL_OK) {
        X509_NAME *name = build_subject(&s);
        rc = ca_make_cert(out, name, X509_REQ_get0_pubkey(req), ca->cert[ESEAL_CA_ROOT],
                          ca->key[ESEAL_CA_ROOT], days, holder_exts,
                          sizeof(holder_exts) / sizeof(holder_exts[0]), err);
        X509_NAME_free(name);
    }
    subject_cleanup(&s);
    X509_REQ_free(req);
    return rc;
}
