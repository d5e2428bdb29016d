/* init.c — `eseal ca init`: create the platform hierarchy in a directory. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "eseal/enc.h"
#include "eseal/json.h"
#include "eseal/note.h"
#include "eseal/pki.h"
#include "eseal/sm.h"
#include "eseal/unlock.h"
#include "internal.h"

/* The platform's own names, in Chinese: relying parties see who vouches
 * (#19). Each is configurable at `eseal ca init`. */
#define DEFAULT_ORG "福建省电子印章服务平台"
#define DEFAULT_ROOT_CN_SUFFIX "根证书"
#define DEFAULT_MAKER_CN_SUFFIX "制章证书"
#define DEFAULT_RESPONDER_CN_SUFFIX "状态签名证书"
#define DEFAULT_ROOT_DAYS 7300
#define DEFAULT_SERVICE_DAYS CA_SERVICE_DAYS

static const char *const all_files[] = {
    "root.pem",      "root.key",      "maker.pem",     "maker.key",     "responder.pem",
    "responder.key", CA_FILE_LOG_KEY, CA_FILE_LOG_PUB, CA_FILE_LOG_PEM, CA_FILE_COMMIT_KEY,
    CA_FILE_TSA_PEM, CA_FILE_TSA_KEY, CA_FILE_META,
};
#define N_FILES (sizeof(all_files) / sizeof(all_files[0]))

static const struct ca_ext root_exts[] = {
    {NID_basic_constraints, "critical,CA:TRUE"},
    {NID_key_usage, "critical,keyCertSign,cRLSign"},
    {NID_subject_key_identifier, "hash"},
};
/* The maker is marked by its extended key usage, not its name: tokens
 * recognise it by that (unlock.h), so its CN can be the platform's own. */
static const struct ca_ext maker_exts[] = {
    {NID_basic_constraints, "critical,CA:FALSE"},
    {NID_key_usage, "critical,digitalSignature,nonRepudiation"},
    {NID_ext_key_usage, ESEAL_PLATFORM_MAKER_EKU},
    {NID_subject_key_identifier, "hash"},
    {NID_authority_key_identifier, "keyid:always"},
};
/* The responder signs OCSP responses (id-kp-OCSPSigning, and ocsp-nocheck so
 * clients don't ask about the responder itself) and the per-shard CRLs. */
static const struct ca_ext responder_exts[] = {
    {NID_basic_constraints, "critical,CA:FALSE"},
    {NID_key_usage, "critical,digitalSignature,cRLSign"},
    {NID_ext_key_usage, "OCSPSigning"},
    {NID_id_pkix_OCSP_noCheck, "ignored"},
    {NID_subject_key_identifier, "hash"},
    {NID_authority_key_identifier, "keyid:always"},
};

struct role_spec {
    const char *cn;
    const struct ca_ext *exts;
    size_t n_exts;
};

/* |cn| is the default CN's suffix after the O. */
static const struct role_spec roles[CA_NROLES] = {
    [ESEAL_CA_ROOT] = {DEFAULT_ROOT_CN_SUFFIX, root_exts, 3},
    [ESEAL_CA_MAKER] = {DEFAULT_MAKER_CN_SUFFIX, maker_exts, 5},
    [ESEAL_CA_RESPONDER] = {DEFAULT_RESPONDER_CN_SUFFIX, responder_exts, 6},
};

const struct ca_ext *ca_role_exts(enum eseal_ca_role role, size_t *n)
{
    *n = roles[role].n_exts;
    return roles[role].exts;
}

X509_NAME *ca_platform_name(const char *org, const char *cn)
{
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "C", MBSTRING_UTF8, (const unsigned char *)"CN", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    return n;
}

/* struct plan is everything a new CA is made of, held in memory until all of
 * it exists, so a failure half-way writes nothing. */
struct plan {
    X509 *cert[CA_NROLES];
    EVP_PKEY *key[CA_NROLES];
    X509 *tsa_cert;
    EVP_PKEY *tsa_key;
    uint8_t log_pk[ESEAL_ED25519_PK_LEN];
    uint8_t log_sk[ESEAL_ED25519_SK_LEN];
    uint8_t commit_key[CA_COMMIT_KEY_LEN];
    char *origin;
};

static void plan_cleanup(struct plan *p)
{
    for (int i = 0; i < CA_NROLES; i++) {
        X509_free(p->cert[i]);
        EVP_PKEY_free(p->key[i]);
    }
    X509_free(p->tsa_cert);
    EVP_PKEY_free(p->tsa_key);
    eseal_wipe(p->log_sk, sizeof(p->log_sk));
    eseal_wipe(p->commit_key, sizeof(p->commit_key));
    free(p->origin);
}

/* role_cn is the CN of role |r|: the one given, else the default (free() it). */
static char *role_cn(enum eseal_ca_role r, const char *org, const struct eseal_ca_init_opts *o)
{
    const char *given = o == NULL                 ? NULL
                        : r == ESEAL_CA_ROOT      ? o->root_cn
                        : r == ESEAL_CA_MAKER     ? o->maker_cn
                        : r == ESEAL_CA_RESPONDER ? o->responder_cn
                                                  : NULL;
    return given != NULL ? eseal_xstrdup(given) : eseal_xasprintf("%s%s", org, roles[r].cn);
}

static eseal_rc make_role(struct plan *p, enum eseal_ca_role r, const char *org, int days,
                          const struct eseal_ca_init_opts *o, struct eseal_err *err)
{
    eseal_rc rc = eseal_sm2_keygen(&p->key[r], err);
    if (rc != ESEAL_OK)
        return rc;
    char *cn = role_cn(r, org, o);
    X509_NAME *name = ca_platform_name(org, cn);
    free(cn);
    X509 *issuer = r == ESEAL_CA_ROOT ? NULL : p->cert[ESEAL_CA_ROOT];
    rc = ca_make_cert(&p->cert[r], name, p->key[r], issuer, p->key[ESEAL_CA_ROOT], days,
                      roles[r].exts, roles[r].n_exts, err);
    X509_NAME_free(name);
    return rc;
}

/* name_ok: a name for a subject is 1..64 characters (X.520's upper bound
 * for O and CN) of UTF-8 text without control characters. */
static bool name_ok(const char *s)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
        chars += (*p & 0xc0) != 0x80;
    }
    return chars >= 1 && chars <= 64;
}

static eseal_rc make_plan(struct plan *p, const struct eseal_ca_init_opts *o, struct eseal_err *err)
{
    const char *org = o && o->org ? o->org : DEFAULT_ORG;
    const char *given[] = {org, o ? o->root_cn : NULL, o ? o->maker_cn : NULL,
                           o ? o->responder_cn : NULL};
    for (size_t i = 0; i < sizeof(given) / sizeof(given[0]); i++)
        if (given[i] != NULL && !name_ok(given[i]))
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "名称无效 / a platform name must be 1 to 64 characters of text: "
                                 "\"%s\"",
                                 given[i]);
    int root_days = o && o->root_days > 0 ? o->root_days : DEFAULT_ROOT_DAYS;
    int svc_days = o && o->service_days > 0 ? o->service_days : DEFAULT_SERVICE_DAYS;
    if (svc_days > root_days)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "service certificates cannot outlive the root (%d > %d days)",
                             svc_days, root_days);
    eseal_rc rc = make_role(p, ESEAL_CA_ROOT, org, root_days, o, err);
    if (rc == ESEAL_OK)
        rc = make_role(p, ESEAL_CA_MAKER, org, svc_days, o, err);
    if (rc == ESEAL_OK)
        rc = make_role(p, ESEAL_CA_RESPONDER, org, svc_days, o, err);
    if (rc == ESEAL_OK)
        rc = eseal_sm2_keygen(&p->tsa_key, err);
    if (rc == ESEAL_OK) {
        char *cn = eseal_xasprintf("%s%s", org, CA_TSA_CN_SUFFIX);
        X509_NAME *name = ca_platform_name(org, cn);
        free(cn);
        rc = ca_make_cert(&p->tsa_cert, name, p->tsa_key, p->cert[ESEAL_CA_ROOT],
                          p->key[ESEAL_CA_ROOT], svc_days, ca_tsa_exts, ca_tsa_n_exts, err);
        X509_NAME_free(name);
    }
    if (rc != ESEAL_OK)
        return rc;
    eseal_ed25519_keypair(p->log_pk, p->log_sk);
    eseal_random(p->commit_key, sizeof(p->commit_key));
    if (o && o->log_origin) {
        p->origin = eseal_xstrdup(o->log_origin);
    } else {
        uint8_t r[4];
        eseal_random(r, sizeof(r));
        char *hex = eseal_hex(r, sizeof(r));
        p->origin = eseal_xasprintf("eseal.platform/log/%s", hex);
        free(hex);
    }
    if (strlen(p->origin) > ESEAL_NOTE_NAME_MAX || strpbrk(p->origin, "+ \t\r\n") != NULL)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "log origin must be at most %d characters without '+' or spaces",
                             ESEAL_NOTE_NAME_MAX);
    return ESEAL_OK;
}

static eseal_rc write_text(const char *dir, const char *name, const char *text, mode_t mode,
                           struct eseal_err *err)
{
    char *path = eseal_path_join(dir, name);
    eseal_rc rc = eseal_file_write(path, text, strlen(text), mode, 1, err);
    free(path);
    return rc;
}

char *ca_log_pub_pem(const uint8_t pk[ESEAL_ED25519_PK_LEN])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, ESEAL_ED25519_PK_LEN);
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, k);
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);
    char *s = eseal_xstrndup(p, (size_t)n);
    BIO_free(bio);
    EVP_PKEY_free(k);
    return s;
}

static char *meta_json(const struct plan *p)
{
    char now[ESEAL_JSON_TIME_BUF];
    eseal_json_time_now(now, sizeof(now), false);
    json_t *j = json_pack("{s:i, s:s, s:s}", "format", 1, "origin", p->origin, "created", now);
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    char *out = eseal_xasprintf("%s\n", s);
    free(s);
    return out;
}

static eseal_rc write_role(const char *dir, const struct plan *p, enum eseal_ca_role r,
                           const void *pass, size_t pass_len, struct eseal_err *err)
{
    char *pem = eseal_pki_cert_pem(p->cert[r]);
    char *name = eseal_xasprintf("%s.pem", ca_role_name(r));
    eseal_rc rc = write_text(dir, name, pem, 0600, err);
    free(name);
    free(pem);
    if (rc != ESEAL_OK)
        return rc;
    name = eseal_xasprintf("%s/%s.key", dir, ca_role_name(r));
    rc = eseal_pki_key_save(name, p->key[r], pass, pass_len, err);
    free(name);
    return rc;
}

static eseal_rc write_plan(const char *dir, const struct plan *p, const void *pass, size_t pass_len,
                           struct eseal_err *err)
{
    eseal_rc rc = ESEAL_OK;
    for (int r = 0; r < CA_NROLES && rc == ESEAL_OK; r++)
        rc = write_role(dir, p, (enum eseal_ca_role)r, pass, pass_len, err);
    if (rc == ESEAL_OK)
        rc = ca_tsa_write(dir, p->tsa_cert, p->tsa_key, pass, pass_len, err);
    if (rc != ESEAL_OK)
        return rc;
    char *path = eseal_path_join(dir, CA_FILE_LOG_KEY);
    rc = eseal_pki_secret_save(path, CA_LOG_KEY_LABEL, p->log_sk, ESEAL_ED25519_SEED_LEN, pass,
                               pass_len, err);
    free(path);
    if (rc != ESEAL_OK)
        return rc;
    path = eseal_path_join(dir, CA_FILE_COMMIT_KEY);
    rc = eseal_pki_secret_save(path, CA_COMMIT_KEY_LABEL, p->commit_key, sizeof(p->commit_key),
                               pass, pass_len, err);
    free(path);
    if (rc != ESEAL_OK)
        return rc;
    char *note = eseal_note_key_format(p->origin, p->log_pk);
    char *line = eseal_xasprintf("%s\n", note);
    rc = write_text(dir, CA_FILE_LOG_PUB, line, 0600, err);
    free(line);
    free(note);
    if (rc != ESEAL_OK)
        return rc;
    char *pem = ca_log_pub_pem(p->log_pk);
    rc = write_text(dir, CA_FILE_LOG_PEM, pem, 0600, err);
    free(pem);
    if (rc != ESEAL_OK)
        return rc;
    /* ca.json last: its presence marks a complete CA. */
    char *meta = meta_json(p);
    rc = write_text(dir, CA_FILE_META, meta, 0600, err);
    free(meta);
    return rc;
}

static eseal_rc refuse_existing(const char *dir, struct eseal_err *err)
{
    const char *found = eseal_path_find(dir, all_files, N_FILES);
    if (found != NULL)
        return eseal_err_set(err, ESEAL_E_CONFLICT,
                             "%s already holds a CA (%s exists); refusing to overwrite / "
                             "目录中已有证书机构, 拒绝覆盖",
                             dir, found);
    return ESEAL_OK;
}

static void remove_files(const char *dir)
{
    for (size_t i = 0; i < N_FILES; i++) {
        char *path = eseal_path_join(dir, all_files[i]);
        unlink(path);
        free(path);
    }
}

eseal_rc eseal_ca_init(const char *dir, const void *pass, size_t pass_len,
                       const struct eseal_ca_init_opts *opts, struct eseal_err *err)
{
    if (pass_len < ESEAL_CA_PASSPHRASE_MIN)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "the CA passphrase must have at least %d characters / "
                             "口令至少 %d 个字符",
                             ESEAL_CA_PASSPHRASE_MIN, ESEAL_CA_PASSPHRASE_MIN);
    eseal_rc rc = eseal_mkdirs(dir, 0700, err);
    if (rc != ESEAL_OK)
        return rc;
    rc = refuse_existing(dir, err);
    if (rc != ESEAL_OK)
        return rc;
    struct plan p;
    memset(&p, 0, sizeof(p));
    rc = make_plan(&p, opts, err);
    if (rc == ESEAL_OK) {
        rc = write_plan(dir, &p, pass, pass_len, err);
        if (rc != ESEAL_OK)
            remove_files(dir);
    }
    plan_cleanup(&p);
    return rc;
}
