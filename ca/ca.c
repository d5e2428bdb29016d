/* ca.c — opening a CA directory, unlocking its keys, signing, and showing it. */
#include <string.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "eseal/note.h"
#include "eseal/pki.h"
#include "eseal/sm.h"
#include "internal.h"

#define META_MAX (64 * 1024)

const char *ca_role_name(enum eseal_ca_role role)
{
    static const char *const names[CA_NROLES] = {"root", "maker", "responder"};
    return (unsigned)role < CA_NROLES ? names[role] : "unknown";
}

/* read_file_in reads DIR/name (bounded) into |b|, naming the path on error. */
static eseal_rc read_file_in(struct eseal_buf *b, const char *dir, const char *name,
                             struct eseal_err *err)
{
    char *path = eseal_path_join(dir, name);
    eseal_rc rc = eseal_file_read(b, path, META_MAX, err);
    if (rc == ESEAL_E_NOTFOUND)
        eseal_err_set(err, rc,
                      "%s: missing: is this a CA directory? (eseal ca init) / "
                      "不是证书机构目录",
                      path);
    free(path);
    return rc;
}

static eseal_rc log_sign(void *ctx, const uint8_t *msg, size_t msg_len,
                         uint8_t sig[ESEAL_ED25519_SIG_LEN], struct eseal_err *err);

static eseal_rc load_log_pub(struct eseal_ca *ca, struct eseal_err *err)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = read_file_in(&b, ca->dir, CA_FILE_LOG_PUB, err);
    if (rc == ESEAL_OK) {
        rc = eseal_note_key_parse((const char *)b.data, b.len, &ca->origin, ca->log_pk, NULL, err);
        if (rc != ESEAL_OK)
            eseal_err_prefix(err, "%s/%s", ca->dir, CA_FILE_LOG_PUB);
    }
    eseal_buf_cleanup(&b);
    return rc;
}

static eseal_rc load_certs(struct eseal_ca *ca, struct eseal_err *err)
{
    for (int r = 0; r < CA_NROLES; r++) {
        char *path = eseal_xasprintf("%s/%s.pem", ca->dir, ca_role_name((enum eseal_ca_role)r));
        eseal_rc rc = eseal_pki_cert_load(&ca->cert[r], path, err);
        free(path);
        if (rc != ESEAL_OK)
            return rc;
    }
    /* The service certificates must really come from this root. */
    EVP_PKEY *root_pub = X509_get0_pubkey(ca->cert[ESEAL_CA_ROOT]);
    for (int r = ESEAL_CA_MAKER; r < CA_NROLES; r++) {
        eseal_rc rc = eseal_x509_check_signed_by(ca->cert[r], root_pub, err);
        if (rc != ESEAL_OK)
            return eseal_err_prefix(err, "%s/%s.pem", ca->dir, ca_role_name((enum eseal_ca_role)r));
    }
    return ESEAL_OK;
}

eseal_rc eseal_ca_open(struct eseal_ca **out, const char *dir, struct eseal_err *err)
{
    *out = NULL;
    struct eseal_ca *ca = eseal_xcalloc(1, sizeof(*ca));
    ca->dir = eseal_xstrdup(dir);
    struct eseal_buf meta;
    eseal_buf_init(&meta);
    /* ca.json is written last by init: without it the CA is incomplete. */
    eseal_rc rc = read_file_in(&meta, dir, CA_FILE_META, err);
    eseal_buf_cleanup(&meta);
    if (rc == ESEAL_OK)
        rc = load_certs(ca, err);
    if (rc == ESEAL_OK)
        rc = load_log_pub(ca, err);
    if (rc == ESEAL_OK)
        rc = ca_tsa_load(ca, err);
    if (rc == ESEAL_OK)
        rc = ca_log_next_load(ca, err);
    for (int r = ESEAL_CA_MAKER; r < CA_NROLES && rc == ESEAL_OK; r++)
        rc = ca_retired_load(ca, (enum eseal_ca_role)r, err);
    ca->log_signer =
        (struct eseal_log_signer){.origin = ca->origin,
                                  .pub = ca->log_pk,
                                  .sign = log_sign,
                                  .ctx = ca,
                                  .cosigner = ca->has_next ? &ca->log_next_signer : NULL};
    if (rc != ESEAL_OK) {
        eseal_ca_free(ca);
        return rc;
    }
    *out = ca;
    return ESEAL_OK;
}

static eseal_rc unlock_role(struct eseal_ca *ca, enum eseal_ca_role r, const void *pass,
                            size_t pass_len, struct eseal_err *err)
{
    char *path = eseal_xasprintf("%s/%s.key", ca->dir, ca_role_name(r));
    eseal_rc rc = eseal_pki_key_load(&ca->key[r], path, pass, pass_len, err);
    if (rc == ESEAL_OK &&
        (!eseal_sm2_is(ca->key[r]) || X509_check_private_key(ca->cert[r], ca->key[r]) != 1))
        rc = eseal_err_openssl(err, ESEAL_E_INVALID, "%s does not belong to %s.pem", path,
                               ca_role_name(r));
    free(path);
    return rc;
}

eseal_rc ca_log_seed_load(const char *dir, const char *name, const uint8_t *pk, uint8_t *sk,
                          const void *pass, size_t pass_len, struct eseal_err *err)
{
    struct eseal_buf seed;
    eseal_buf_init(&seed);
    char *path = eseal_path_join(dir, name);
    eseal_rc rc = eseal_pki_secret_load(&seed, path, CA_LOG_KEY_LABEL, pass, pass_len, err);
    if (rc == ESEAL_OK && seed.len != ESEAL_ED25519_SEED_LEN)
        rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: wrong key length", path);
    if (rc == ESEAL_OK) {
        uint8_t pk2[ESEAL_ED25519_PK_LEN];
        eseal_ed25519_from_seed(pk2, sk, seed.data);
        if (memcmp(pk2, pk, sizeof(pk2)) != 0)
            rc = eseal_err_set(err, ESEAL_E_INVALID, "%s does not match its public key", path);
    }
    free(path);
    eseal_buf_cleanse(&seed);
    return rc;
}

static eseal_rc unlock_log(struct eseal_ca *ca, const void *pass, size_t pass_len,
                           struct eseal_err *err)
{
    eseal_rc rc =
        ca_log_seed_load(ca->dir, CA_FILE_LOG_KEY, ca->log_pk, ca->log_sk, pass, pass_len, err);
    if (rc == ESEAL_OK && ca->has_next)
        rc = ca_log_next_unlock(ca, pass, pass_len, err);
    return rc;
}

eseal_rc eseal_ca_unlock(struct eseal_ca *ca, unsigned keys, const void *pass, size_t pass_len,
                         struct eseal_err *err)
{
    if (keys == 0 || (keys & ~(unsigned)ESEAL_CA_UNLOCK_ALL) != 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "no or unknown CA keys to unlock (%#x)", keys);
    unsigned todo = keys & ~ca->unlocked, done = 0;
    eseal_rc rc = ESEAL_OK;
    for (int r = 0; r < CA_NROLES && rc == ESEAL_OK; r++) {
        if ((todo & (1u << r)) == 0)
            continue;
        rc = unlock_role(ca, (enum eseal_ca_role)r, pass, pass_len, err);
        if (rc == ESEAL_OK)
            done |= 1u << r;
    }
    if (rc == ESEAL_OK && (todo & ESEAL_CA_UNLOCK_LOG) != 0) {
        rc = unlock_log(ca, pass, pass_len, err);
        if (rc == ESEAL_OK)
            done |= ESEAL_CA_UNLOCK_LOG;
    }
    if (rc == ESEAL_OK && (todo & ESEAL_CA_UNLOCK_COMMIT) != 0) {
        rc = ca_unlock_commit(ca, pass, pass_len, err);
        if (rc == ESEAL_OK)
            done |= ESEAL_CA_UNLOCK_COMMIT;
    }
    if (rc == ESEAL_OK && (todo & ESEAL_CA_UNLOCK_TSA) != 0) {
        rc = ca_tsa_unlock(ca, pass, pass_len, err);
        if (rc == ESEAL_OK)
            done |= ESEAL_CA_UNLOCK_TSA;
    }
    if (rc != ESEAL_OK) {
        /* All or nothing: keys unlocked by this call are dropped again. */
        for (int r = 0; r < CA_NROLES; r++) {
            if ((todo & (1u << r)) != 0) {
                EVP_PKEY_free(ca->key[r]);
                ca->key[r] = NULL;
            }
        }
        if ((todo & ESEAL_CA_UNLOCK_LOG) != 0) {
            eseal_wipe(ca->log_sk, sizeof(ca->log_sk));
            eseal_wipe(ca->log_next_sk, sizeof(ca->log_next_sk));
        }
        if ((todo & ESEAL_CA_UNLOCK_COMMIT) != 0)
            eseal_wipe(ca->commit_key, sizeof(ca->commit_key));
        if ((todo & ESEAL_CA_UNLOCK_TSA) != 0)
            ca_tsa_lock(ca);
        return rc;
    }
    ca->unlocked |= done;
    return ESEAL_OK;
}

eseal_rc eseal_ca_open_unlocked(struct eseal_ca **out, const char *dir, unsigned keys,
                                const char *passphrase_file, struct eseal_err *err)
{
    eseal_rc rc = eseal_ca_open(out, dir, err);
    if (rc != ESEAL_OK)
        return rc;
    struct eseal_buf pass;
    eseal_buf_init(&pass);
    rc = eseal_read_secret(&pass, passphrase_file, ESEAL_CA_PASSPHRASE_ENV, err);
    if (rc == ESEAL_OK)
        rc = eseal_ca_unlock(*out, keys, pass.data, pass.len, err);
    eseal_buf_cleanse(&pass);
    if (rc != ESEAL_OK) {
        eseal_ca_free(*out);
        *out = NULL;
    }
    return rc;
}

void eseal_ca_free(struct eseal_ca *ca)
{
    if (ca == NULL)
        return;
    for (int r = 0; r < CA_NROLES; r++) {
        X509_free(ca->cert[r]);
        EVP_PKEY_free(ca->key[r]); /* OpenSSL clears private key material on free */
        sk_X509_pop_free(ca->retired[r], X509_free);
    }
    ca_tsa_lock(ca);
    X509_free(ca->tsa_cert);
    eseal_wipe(ca->log_sk, sizeof(ca->log_sk));
    eseal_wipe(ca->log_next_sk, sizeof(ca->log_next_sk));
    eseal_wipe(ca->commit_key, sizeof(ca->commit_key));
    free(ca->dir);
    free(ca->origin);
    free(ca);
}

X509 *eseal_ca_cert(const struct eseal_ca *ca, enum eseal_ca_role role)
{
    return (unsigned)role < CA_NROLES ? ca->cert[role] : NULL;
}

const char *eseal_ca_dir(const struct eseal_ca *ca)
{
    return ca->dir;
}

const char *eseal_ca_log_origin(const struct eseal_ca *ca)
{
    return ca->origin;
}

const uint8_t *eseal_ca_log_pub(const struct eseal_ca *ca)
{
    return ca->log_pk;
}

eseal_rc ca_need_key(const struct eseal_ca *ca, unsigned bit, struct eseal_err *err)
{
    if ((ca->unlocked & bit) != 0)
        return ESEAL_OK;
    const char *name = bit == ESEAL_CA_UNLOCK_ROOT        ? "root"
                       : bit == ESEAL_CA_UNLOCK_MAKER     ? "maker"
                       : bit == ESEAL_CA_UNLOCK_RESPONDER ? "responder"
                       : bit == ESEAL_CA_UNLOCK_COMMIT    ? "commitment"
                       : bit == ESEAL_CA_UNLOCK_TSA       ? "time-stamp"
                                                          : "log";
    return eseal_err_set(err, ESEAL_E_DENIED,
                         "此进程未解锁证书机构的 %s 密钥 / the CA's %s key is not unlocked in "
                         "this process",
                         name, name);
}

eseal_rc eseal_ca_sign(struct eseal_ca *ca, enum eseal_ca_role role, const void *msg,
                       size_t msg_len, struct eseal_buf *sig, struct eseal_err *err)
{
    if (role != ESEAL_CA_MAKER && role != ESEAL_CA_RESPONDER)
        return eseal_err_set(err, ESEAL_E_DENIED, "the root key signs only certificates");
    eseal_rc rc = ca_need_key(ca, 1u << role, err);
    if (rc != ESEAL_OK)
        return rc;
    return eseal_sm2_sign(ca->key[role], msg, msg_len, sig, err);
}

eseal_rc eseal_ca_maker_signer(void *ca, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                               struct eseal_err *err)
{
    return eseal_ca_sign(ca, ESEAL_CA_MAKER, msg, msg_len, sig, err);
}

eseal_rc eseal_ca_responder_signer(void *ca, const uint8_t *msg, size_t msg_len,
                                   struct eseal_buf *sig, struct eseal_err *err)
{
    return eseal_ca_sign(ca, ESEAL_CA_RESPONDER, msg, msg_len, sig, err);
}

eseal_rc eseal_ca_sign_crl(struct eseal_ca *ca, X509_CRL *crl, struct eseal_err *err)
{
    eseal_rc rc = ca_need_key(ca, ESEAL_CA_UNLOCK_RESPONDER, err);
    if (rc != ESEAL_OK)
        return rc;
    return eseal_x509_crl_sign(crl, ca->key[ESEAL_CA_RESPONDER], err);
}

eseal_rc eseal_ca_sign_ocsp(struct eseal_ca *ca, OCSP_BASICRESP *bs, struct eseal_err *err)
{
    eseal_rc rc = ca_need_key(ca, ESEAL_CA_UNLOCK_RESPONDER, err);
    if (rc != ESEAL_OK)
        return rc;
    return eseal_ocsp_basic_sign(bs, ca->cert[ESEAL_CA_RESPONDER], ca->key[ESEAL_CA_RESPONDER],
                                 err);
}

eseal_rc eseal_ca_log_sign(struct eseal_ca *ca, const void *msg, size_t msg_len,
                           uint8_t sig[ESEAL_ED25519_SIG_LEN], struct eseal_err *err)
{
    eseal_rc rc = ca_need_key(ca, ESEAL_CA_UNLOCK_LOG, err);
    if (rc == ESEAL_OK)
        eseal_ed25519_sign(sig, msg, msg_len, ca->log_sk);
    return rc;
}

/* log_sign adapts eseal_ca_log_sign to struct eseal_log_signer. */
static eseal_rc log_sign(void *ctx, const uint8_t *msg, size_t msg_len,
                         uint8_t sig[ESEAL_ED25519_SIG_LEN], struct eseal_err *err)
{
    return eseal_ca_log_sign(ctx, msg, msg_len, sig, err);
}

const struct eseal_log_signer *eseal_ca_log_signer(struct eseal_ca *ca)
{
    return &ca->log_signer;
}

eseal_rc eseal_ca_profile_parse(const char *name, enum eseal_ca_profile *out, struct eseal_err *err)
{
    static const char *const names[] = {"unit", "personal", "device"};
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (enum eseal_ca_profile)i;
            return ESEAL_OK;
        }
    }
    return eseal_err_set(err, ESEAL_E_INVALID,
                         "unknown profile \"%s\" (use unit, personal or device)", name);
}

/* cert_json describes the certificate of role |r| and where its files are. */
static json_t *cert_json(const struct eseal_ca *ca, enum eseal_ca_role r)
{
    char *file = eseal_xasprintf("%s/%s.pem", ca->dir, ca_role_name(r));
    char *key = eseal_xasprintf("%s/%s.key", ca->dir, ca_role_name(r));
    json_t *j = json_pack("{s:s}", "role", ca_role_name(r));
    json_t *cert = eseal_pki_cert_json(ca->cert[r]);
    json_object_update(j, cert);
    json_decref(cert);
    json_object_set_new(j, "file", json_string(file));
    json_object_set_new(j, "key_file", json_string(key));
    if (sk_X509_num(ca->retired[r]) > 0) {
        json_t *old = json_array();
        for (int i = 0; i < sk_X509_num(ca->retired[r]); i++)
            json_array_append_new(old, eseal_pki_cert_json(sk_X509_value(ca->retired[r], i)));
        json_object_set_new(j, "retired", old);
    }
    free(file);
    free(key);
    return j;
}

json_t *eseal_ca_show(const struct eseal_ca *ca)
{
    json_t *certs = json_array();
    for (int r = 0; r < CA_NROLES; r++)
        json_array_append_new(certs, cert_json(ca, (enum eseal_ca_role)r));
    if (ca->tsa_cert != NULL) {
        json_t *t = eseal_pki_cert_json(ca->tsa_cert);
        json_object_set_new(t, "role", json_string("tsa"));
        char *file = eseal_path_join(ca->dir, CA_FILE_TSA_PEM);
        char *key = eseal_path_join(ca->dir, CA_FILE_TSA_KEY);
        json_object_set_new(t, "file", json_string(file));
        json_object_set_new(t, "key_file", json_string(key));
        free(file);
        free(key);
        json_array_append_new(certs, t);
    }
    char *note = eseal_note_key_format(ca->origin, ca->log_pk);
    char *pub = eseal_path_join(ca->dir, CA_FILE_LOG_PUB);
    char *pem = eseal_path_join(ca->dir, CA_FILE_LOG_PEM);
    char *key = eseal_path_join(ca->dir, CA_FILE_LOG_KEY);
    char *commit = eseal_path_join(ca->dir, CA_FILE_COMMIT_KEY);
    json_t *j = json_pack("{s:s, s:o, s:{s:s, s:s, s:s, s:s, s:s}, s:{s:s, s:s}}", "dir", ca->dir,
                          "certificates", certs, "log", "origin", ca->origin, "verifier_key", note,
                          "file", pub, "pem_file", pem, "key_file", key, "commitment", "algorithm",
                          "HMAC-SM3", "key_file", commit);
    free(commit);
    free(note);
    free(pub);
    free(pem);
    free(key);
    return j;
}
