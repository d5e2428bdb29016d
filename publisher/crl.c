/* crl.c — X.509 CRLs (RFC 5280 v2) of the seal certificates, one per shard:
 * the shard function, the index of listed certificates (CF_REVOKED), and
 * building and signing a shard's CRL whenever a status in it changes and
 * before half of its validity has passed. The CRLs are indirect: issued and
 * signed by the status responder (which the root certified with cRLSign)
 * for certificates the root issued, so every entry names the root in a
 * certificateIssuer extension and the issuingDistributionPoint says
 * indirectCRL. Queries only read the stored DER. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "eseal/ca.h"
#include "eseal/json.h"
#include "eseal/sm.h"
#include "internal.h"

#define META_SHARDS "shards"
#define META_CRL_NUMBER "crl_number"
/* "<shard, 4 hex>/<serial>" */
#define ROW_KEY_MAX (9 + ESEAL_STATUS_SERIAL_MAX + 1)
#define CRL_HOLD 6 /* certificateHold */

unsigned eseal_publisher_shard(const char *esid, unsigned shards)
{
    return eseal_status_shard(esid, shards);
}

int eseal_publisher_crl_reason(const char *status, const char *reason)
{
    if (status == NULL)
        return -1;
    if (strcmp(status, "suspended") == 0 || strcmp(status, "pending") == 0)
        return CRL_HOLD;
    if (strcmp(status, "revoked") != 0)
        return -1;
    int code = reason != NULL ? eseal_status_reason_code(reason) : 0;
    /* a revocation is final: not certificateHold, and removeFromCRL (8) is
     * only meaningful in delta CRLs */
    return code < 0 || code == CRL_HOLD || code == 8 ? 0 : code;
}

unsigned eseal_publisher_shards(struct eseal_publisher *p)
{
    return p->shards;
}

static void shard_key(unsigned shard, char out[12])
{
    snprintf(out, 12, "%04x", shard);
}

/* row_of computes the CF_REVOKED row of a status record: its shard, key,
 * and value ("<reason> <time>", then " <invalidity date>" when it has one); returns false when the
 * record is not listed (the key is still set, to delete an older row). */
static bool row_of(struct eseal_publisher *p, const json_t *rec, unsigned *shard,
                   char key[ROW_KEY_MAX], char val[48])
{
    const char *esid = json_string_value(json_object_get(rec, "esid"));
    const char *serial = json_string_value(json_object_get(rec, "cert_serial"));
    int64_t t = 0;
    *shard = eseal_publisher_shard(esid != NULL ? esid : "", p->shards);
    snprintf(key, ROW_KEY_MAX, "%04x/%s", *shard, serial != NULL ? serial : "");
    int code = eseal_publisher_crl_reason(json_string_value(json_object_get(rec, "status")),
                                          json_string_value(json_object_get(rec, "reason")));
    if (code < 0 || serial == NULL || !eseal_json_time(rec, "status_time", &t))
        return false;
    int64_t inv = 0;
    if (json_object_get(rec, "invalidity_date") != NULL &&
        eseal_json_time(rec, "invalidity_date", &inv) && inv != 0)
        snprintf(val, 48, "%d %" PRId64 " %" PRId64, code, t, inv);
    else
        snprintf(val, 48, "%d %" PRId64, code, t);
    return true;
}

eseal_rc pub_crl_open(struct eseal_publisher *p, struct eseal_err *err)
{
    unsigned want = p->cfg.shards > 0 ? (unsigned)p->cfg.shards : ESEAL_PUBLISHER_SHARDS;
    struct eseal_buf v;
    eseal_buf_init(&v);
    struct eseal_kv_batch *b = NULL;
    struct eseal_kv_iter *it = NULL;
    eseal_rc rc = eseal_kv_get(p->kv, CF_DEFAULT, META_SHARDS, strlen(META_SHARDS), &v, err);
    if (rc == ESEAL_OK) {
        char text[16];
        char *end = NULL;
        snprintf(text, sizeof(text), "%.*s", (int)(v.len < 15 ? v.len : 15), (const char *)v.data);
        unsigned long stored = strtoul(text, &end, 10);
        if (v.len == 0 || v.len > 15 || *end != '\0' || stored == 0 || stored > 1024) {
            rc = eseal_err_set(err, ESEAL_E_INTERNAL, "the stored shard count is malformed");
        } else if (stored != want) {
            rc = eseal_err_set(err, ESEAL_E_CONFLICT,
                               "the state in %s was created with %lu CRL shards; the shard "
                               "count cannot change (configured: %u; use shards = %lu)",
                               p->cfg.data, stored, want, stored);
        }
        p->shards = (unsigned)stored;
    } else if (rc == ESEAL_E_NOTFOUND) {
        /* first start, or a state from before shards: index what is listed */
        p->shards = want;
        b = eseal_kv_batch_new(p->kv);
        it = eseal_kv_iter_new(p->kv, CF_VERSIONS);
        for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
            size_t vl;
            const uint8_t *val = eseal_kv_iter_value(it, &vl);
            json_t *rec = eseal_json_load(val, vl);
            unsigned shard;
            char key[ROW_KEY_MAX], row[48];
            if (rec != NULL && row_of(p, rec, &shard, key, row))
                eseal_kv_batch_put(b, CF_REVOKED, key, strlen(key), row, strlen(row));
            json_decref(rec);
        }
        char text[16];
        snprintf(text, sizeof(text), "%u", want);
        eseal_kv_batch_put(b, CF_DEFAULT, META_SHARDS, strlen(META_SHARDS), text, strlen(text));
        rc = eseal_kv_iter_status(it, err);
        if (rc == ESEAL_OK)
            rc = eseal_kv_write(p->kv, b, true, err);
    }
    if (rc == ESEAL_OK &&
        eseal_kv_get(p->kv, CF_DEFAULT, META_CRL_NUMBER, strlen(META_CRL_NUMBER), &v, NULL) ==
            ESEAL_OK &&
        v.len == 8)
        p->crl_number = pub_get_be64(v.data);
    eseal_kv_iter_free(it);
    eseal_kv_batch_free(b);
    eseal_buf_cleanup(&v);
    return rc;
}

static void oom_if(int failed)
{
    if (failed) {
        fprintf(stderr, "eseal-publisherd: out of memory\n");
        abort();
    }
}

ASN1_INTEGER *pub_serial_integer(const char *hex, size_t len)
{
    char buf[ESEAL_STATUS_SERIAL_MAX + 1];
    if (len == 0 || len > ESEAL_STATUS_SERIAL_MAX)
        return NULL;
    memcpy(buf, hex, len);
    buf[len] = '\0';
    BIGNUM *bn = NULL;
    ASN1_INTEGER *ai = NULL;
    if (BN_hex2bn(&bn, buf) == (int)len) {
        ai = BN_to_ASN1_INTEGER(bn, NULL);
        oom_if(ai == NULL);
    }
    BN_free(bn);
    return ai;
}

/* add_entry appends a revoked entry for the hex |serial| (|serial_len|
 * chars) with the row value |row| ("<reason> <time>") to |crl|. */
static eseal_rc add_entry(X509_CRL *crl, const X509_NAME *root, const char *serial,
                          size_t serial_len, const char *row, struct eseal_err *err)
{
    int code = 0;
    long long when = 0, invalid = 0;
    int n = sscanf(row, "%d %lld %lld", &code, &when, &invalid);
    if (n != 2 && n != 3)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "a stored CRL row is malformed");
    ASN1_INTEGER *ai = pub_serial_integer(serial, serial_len);
    if (ai == NULL)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "a stored serial is not hex");
    X509_REVOKED *r = X509_REVOKED_new();
    ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)when);
    GENERAL_NAMES *gens = GENERAL_NAMES_new();
    GENERAL_NAME *gn = GENERAL_NAME_new();
    oom_if(r == NULL || t == NULL || gens == NULL || gn == NULL);
    gn->type = GEN_DIRNAME;
    gn->d.dirn = X509_NAME_dup(root);
    oom_if(gn->d.dirn == NULL || !sk_GENERAL_NAME_push(gens, gn));
    oom_if(X509_REVOKED_set_serialNumber(r, ai) != 1 || X509_REVOKED_set_revocationDate(r, t) != 1);
    if (code > 0) { /* RFC 5280 §5.3.1: unspecified SHOULD be absent */
        ASN1_ENUMERATED *e = ASN1_ENUMERATED_new();
        oom_if(e == NULL || ASN1_ENUMERATED_set(e, code) != 1 ||
               X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, e, 0, 0) != 1);
        ASN1_ENUMERATED_free(e);
    }
    if (invalid != 0) { /* RFC 5280 §5.3.2: since when the key is compromised */
        ASN1_GENERALIZEDTIME *g = ASN1_GENERALIZEDTIME_set(NULL, (time_t)invalid);
        oom_if(g == NULL || X509_REVOKED_add1_ext_i2d(r, NID_invalidity_date, g, 0, 0) != 1);
        ASN1_GENERALIZEDTIME_free(g);
    }
    /* indirect CRL: the certificates were issued by the root (critical) */
    oom_if(X509_REVOKED_add1_ext_i2d(r, NID_certificate_issuer, gens, 1, 0) != 1);
    oom_if(X509_CRL_add0_revoked(crl, r) != 1);
    GENERAL_NAMES_free(gens);
    ASN1_TIME_free(t);
    ASN1_INTEGER_free(ai);
    return ESEAL_OK;
}

/* crl_make builds and signs the CRL of |shard| as of |now| from the stored
 * rows, overridden by |overlay| (row key -> value, or null: no row; may be
 * NULL), and writes refresh time || DER into |out|. */
static eseal_rc crl_make(struct eseal_publisher *p, unsigned shard, json_t *overlay, int64_t now,
                         struct eseal_buf *out, struct eseal_err *err)
{
    X509 *resp = eseal_ca_cert(p->ca, ESEAL_CA_RESPONDER);
    const X509_NAME *root = X509_get_subject_name(eseal_ca_cert(p->ca, ESEAL_CA_ROOT));
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)now);
    ASN1_INTEGER *number = ASN1_INTEGER_new();
    ISSUING_DIST_POINT *idp = ISSUING_DIST_POINT_new();
    AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
    struct eseal_kv_iter *it = eseal_kv_iter_new(p->kv, CF_REVOKED);
    oom_if(crl == NULL || t == NULL || number == NULL || idp == NULL || akid == NULL || it == NULL);
    eseal_rc rc = ESEAL_OK;
    char prefix[12];
    shard_key(shard, prefix);
    prefix[4] = '/';
    prefix[5] = '\0';
    oom_if(X509_CRL_set_version(crl, X509_CRL_VERSION_2) != 1 ||
           X509_CRL_set_issuer_name(crl, X509_get_subject_name(resp)) != 1 ||
           X509_CRL_set1_lastUpdate(crl, t) != 1);
    oom_if(ASN1_TIME_set(t, (time_t)(now + p->cfg.validity)) == NULL ||
           X509_CRL_set1_nextUpdate(crl, t) != 1);
    for (eseal_kv_iter_seek(it, prefix, 5); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t kl, vl;
        const uint8_t *k = eseal_kv_iter_key(it, &kl), *v = eseal_kv_iter_value(it, &vl);
        if (kl < 5 || memcmp(k, prefix, 5) != 0)
            break;
        char key[ROW_KEY_MAX], row[48];
        if (kl >= sizeof(key) || vl >= sizeof(row)) {
            rc = eseal_err_set(err, ESEAL_E_INTERNAL, "a stored CRL row is too long");
            goto out;
        }
        memcpy(key, k, kl);
        key[kl] = '\0';
        if (overlay != NULL && json_object_get(overlay, key) != NULL)
            continue; /* changed in this page: taken from the overlay */
        memcpy(row, v, vl);
        row[vl] = '\0';
        if ((rc = add_entry(crl, root, key + 5, kl - 5, row, err)) != ESEAL_OK)
            goto out;
    }
    if ((rc = eseal_kv_iter_status(it, err)) != ESEAL_OK)
        goto out;
    const char *key;
    json_t *val;
    json_object_foreach(overlay, key, val)
    {
        if (strncmp(key, prefix, 5) == 0 && json_is_string(val) &&
            (rc = add_entry(crl, root, key + 5, strlen(key) - 5, json_string_value(val), err)) !=
                ESEAL_OK)
            goto out;
    }
    X509_CRL_sort(crl);
    p->crl_number++;
    oom_if(ASN1_INTEGER_set_uint64(number, p->crl_number) != 1 ||
           X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0) != 1);
    const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(resp);
    if (ski != NULL) {
        akid->keyid = ASN1_OCTET_STRING_dup(ski);
        oom_if(akid->keyid == NULL ||
               X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid, 0, 0) != 1);
    }
    idp->indirectCRL = 1;
    idp->onlyuser = 1;
    oom_if(X509_CRL_add1_ext_i2d(crl, NID_issuing_distribution_point, idp, 1, 0) != 1);
    if ((rc = pub_count_sign(p, PUB_SIGNED_CRL, eseal_ca_sign_crl(p->ca, crl, err))) != ESEAL_OK)
        goto out;
    unsigned char *der = NULL;
    int n = i2d_X509_CRL(crl, &der);
    oom_if(n <= 0);
    uint8_t at[8];
    pub_be64(at, (uint64_t)(now + p->cfg.validity / 2));
    eseal_buf_reset(out);
    eseal_buf_append(out, at, 8);
    eseal_buf_append(out, der, (size_t)n);
    OPENSSL_free(der);
out:
    eseal_kv_iter_free(it);
    AUTHORITY_KEYID_free(akid);
    ISSUING_DIST_POINT_free(idp);
    ASN1_INTEGER_free(number);
    ASN1_TIME_free(t);
    X509_CRL_free(crl);
    return rc;
}

static void put_number(struct eseal_publisher *p, struct eseal_kv_batch *b)
{
    uint8_t n[8];
    pub_be64(n, p->crl_number);
    eseal_kv_batch_put(b, CF_DEFAULT, META_CRL_NUMBER, strlen(META_CRL_NUMBER), n, 8);
}

eseal_rc pub_crl_update(struct eseal_publisher *p, struct eseal_kv_batch *b, json_t *touched,
                        bool sign, int64_t now, struct eseal_err *err)
{
    json_t *overlay = json_object();
    bool *dirty = eseal_xcalloc(p->shards, sizeof(*dirty));
    struct eseal_buf crl;
    eseal_buf_init(&crl);
    eseal_rc rc = ESEAL_OK;
    const char *k;
    json_t *rec;
    json_object_foreach(touched, k, rec)
    {
        unsigned shard;
        char key[ROW_KEY_MAX], row[48];
        if (row_of(p, rec, &shard, key, row)) {
            eseal_kv_batch_put(b, CF_REVOKED, key, strlen(key), row, strlen(row));
            json_object_set_new(overlay, key, json_string(row));
        } else {
            eseal_kv_batch_delete(b, CF_REVOKED, key, strlen(key));
            json_object_set_new(overlay, key, json_null());
        }
        dirty[shard] = true;
    }
    bool any = false;
    for (unsigned s = 0; s < p->shards && sign; s++) {
        if (!dirty[s])
            continue;
        if ((rc = crl_make(p, s, overlay, now, &crl, err)) != ESEAL_OK)
            goto out;
        char key[12];
        shard_key(s, key);
        eseal_kv_batch_put(b, CF_CRLS, key, strlen(key), crl.data, crl.len);
        any = true;
    }
    if (any)
        put_number(p, b);
out:
    eseal_buf_cleanup(&crl);
    free(dirty);
    json_decref(overlay);
    return rc;
}

eseal_rc pub_crl_refresh(struct eseal_publisher *p, int64_t now, size_t *resigned,
                         struct eseal_err *err)
{
    struct eseal_kv_batch *b = eseal_kv_batch_new(p->kv);
    struct eseal_buf v, crl;
    eseal_buf_init(&v);
    eseal_buf_init(&crl);
    size_t n = 0;
    eseal_rc rc = ESEAL_OK;
    for (unsigned s = 0; s < p->shards; s++) {
        char key[12];
        shard_key(s, key);
        rc = eseal_kv_get(p->kv, CF_CRLS, key, strlen(key), &v, err);
        if (rc == ESEAL_OK && v.len > 8 && pub_get_be64(v.data) > (uint64_t)now)
            continue;
        if (rc != ESEAL_OK && rc != ESEAL_E_NOTFOUND)
            goto out;
        if ((rc = crl_make(p, s, NULL, now, &crl, err)) != ESEAL_OK)
            goto out;
        eseal_kv_batch_put(b, CF_CRLS, key, strlen(key), crl.data, crl.len);
        n++;
    }
    rc = ESEAL_OK;
    if (n > 0) {
        put_number(p, b);
        rc = eseal_kv_write(p->kv, b, true, err);
    }
out:
    eseal_buf_cleanup(&v);
    eseal_buf_cleanup(&crl);
    eseal_kv_batch_free(b);
    *resigned = n;
    return rc;
}

eseal_rc eseal_publisher_crl(struct eseal_publisher *p, unsigned shard, struct eseal_buf *der,
                             struct eseal_err *err)
{
    if (shard >= p->shards)
        return eseal_err_set(err, ESEAL_E_NOTFOUND, "no CRL shard %u (there are %u)", shard,
                             p->shards);
    char key[12];
    shard_key(shard, key);
    struct eseal_buf v;
    eseal_buf_init(&v);
    eseal_rc rc = eseal_kv_get(p->kv, CF_CRLS, key, strlen(key), &v, err);
    if (rc == ESEAL_E_NOTFOUND || (rc == ESEAL_OK && v.len <= 8))
        rc = eseal_err_set(err, ESEAL_E_UNAVAILABLE, "the CRL of shard %u is not made yet", shard);
    if (rc == ESEAL_OK) {
        eseal_buf_reset(der);
        eseal_buf_append(der, v.data + 8, v.len - 8);
    }
    eseal_buf_cleanup(&v);
    return rc;
}
