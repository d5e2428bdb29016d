/* rotate.c — replacing the seal maker's or the status responder's key and
 * certificate (`eseal ca rotate-maker`, `rotate-responder`), and the
 * retired certificates a rotation leaves behind (docs/ca.md "Rotation"). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "eseal/enc.h"
#include "eseal/note.h"
#include "eseal/pki.h"
#include "eseal/sm.h"
#include "internal.h"

#define RETIRED_MAX 64 /* retired certificates read per role */

/* retired_load reads DIR/retired/<role>-*.pem of |role| into ca->retired[role],
 * each checked to come from the root; a missing directory is no retired
 * certificate. */
eseal_rc ca_retired_load(struct eseal_ca *ca, enum eseal_ca_role role, struct eseal_err *err)
{
    ca->retired[role] = sk_X509_new_null();
    char *dir = eseal_path_join(ca->dir, CA_DIR_RETIRED);
    DIR *d = opendir(dir);
    if (d == NULL) {
        free(dir);
        return ESEAL_OK;
    }
    char *prefix = eseal_xasprintf("%s-", ca_role_name(role));
    size_t plen = strlen(prefix);
    eseal_rc rc = ESEAL_OK;
    struct dirent *de;
    while (rc == ESEAL_OK && (de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (strncmp(de->d_name, prefix, plen) != 0 || n < plen + 4 ||
            strcmp(de->d_name + n - 4, ".pem") != 0)
            continue;
        if (sk_X509_num(ca->retired[role]) >= RETIRED_MAX)
            break;
        char *path = eseal_path_join(dir, de->d_name);
        X509 *x = NULL;
        rc = eseal_pki_cert_load(&x, path, err);
        if (rc == ESEAL_OK)
            rc = eseal_x509_check_signed_by(x, X509_get0_pubkey(ca->cert[ESEAL_CA_ROOT]), err);
        if (rc == ESEAL_OK)
            sk_X509_push(ca->retired[role], x);
        else
            X509_free(x);
        if (rc != ESEAL_OK)
            eseal_err_prefix(err, "%s", path);
        free(path);
    }
    closedir(d);
    free(prefix);
    free(dir);
    return rc;
}

STACK_OF(X509) * eseal_ca_retired(const struct eseal_ca *ca, enum eseal_ca_role role)
{
    return (unsigned)role < CA_NROLES ? ca->retired[role] : NULL;
}

/* cert_json_brief is what a rotation event says about a certificate. */
static json_t *cert_brief(X509 *x)
{
    char *serial = eseal_pki_serial(X509_get0_serialNumber(x));
    char *sm3 = eseal_pki_cert_sm3(x);
    char *nb = eseal_pki_time(X509_get0_notBefore(x));
    char *na = eseal_pki_time(X509_get0_notAfter(x));
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "serial", serial, "sm3", sm3, "not_before", nb,
                          "not_after", na);
    free(serial);
    free(sm3);
    free(nb);
    free(na);
    return j;
}

/* rotate_days is |days| (0: the default), never past the root's end. */
static int rotate_days(X509 *root, int days)
{
    if (days <= 0)
        days = CA_SERVICE_DAYS;
    int left_days = 0, left_secs = 0;
    if (ASN1_TIME_diff(&left_days, &left_secs, NULL, X509_get0_notAfter(root)) == 1 &&
        left_days < days)
        days = left_days;
    return days;
}

/* install renames |from| over |to|, naming both on failure. */
static eseal_rc install(const char *from, const char *to, struct eseal_err *err)
{
    if (rename(from, to) != 0)
        return eseal_err_set(err, ESEAL_E_IO, "rename %s -> %s: %s", from, to, strerror(errno));
    return ESEAL_OK;
}

eseal_rc eseal_ca_rotate(const char *dir, enum eseal_ca_role role, const void *pass,
                         size_t pass_len, int days, json_t **event, struct eseal_err *err)
{
    *event = NULL;
    if (role != ESEAL_CA_MAKER && role != ESEAL_CA_RESPONDER)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "只能轮换印章制作和状态签名密钥 / only the maker and responder keys "
                             "rotate this way");
    struct eseal_ca *ca = NULL;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    char *pem = NULL, *old_pem = NULL;
    const char *name = ca_role_name(role);
    char *serial = NULL, *retired_dir = eseal_path_join(dir, CA_DIR_RETIRED);
    char *retired = NULL, *cur_pem = eseal_xasprintf("%s/%s.pem", dir, name);
    char *cur_key = eseal_xasprintf("%s/%s.key", dir, name);
    char *new_pem = eseal_xasprintf("%s.new", cur_pem),
         *new_key = eseal_xasprintf("%s.new", cur_key);
    eseal_rc rc = eseal_ca_open(&ca, dir, err);
    if (rc != ESEAL_OK)
        goto out;
    /* The root signs the new certificate; the old key must open too, so a
     * wrong passphrase changes nothing. */
    if ((rc = eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_ROOT | (1u << role), pass, pass_len, err)) !=
        ESEAL_OK)
        goto out;
    X509 *root = ca->cert[ESEAL_CA_ROOT], *old = ca->cert[role];
    days = rotate_days(root, days);
    if (days < 1) {
        rc = eseal_err_set(err, ESEAL_E_INVALID, "the root certificate has expired");
        goto out;
    }
    size_t n_exts = 0;
    const struct ca_ext *exts = ca_role_exts(role, &n_exts);
    if ((rc = eseal_sm2_keygen(&key, err)) != ESEAL_OK ||
        (rc = ca_make_cert(&cert, X509_get_subject_name(old), key, root, ca->key[ESEAL_CA_ROOT],
                           days, exts, n_exts, err)) != ESEAL_OK)
        goto out;
    /* 1. the old certificate is kept under retired/, so verifiers can still
     * be given it; 2. the new key and certificate are written beside the
     * current ones; 3. they replace them (key first: an interrupted
     * rotation leaves <role>.pem.new, and a rerun starts over). */
    serial = eseal_pki_serial(X509_get0_serialNumber(old));
    retired = eseal_xasprintf("%s/%s-%s.pem", retired_dir, name, serial);
    old_pem = eseal_pki_cert_pem(old);
    pem = eseal_pki_cert_pem(cert);
    unlink(new_pem);
    unlink(new_key);
    if ((rc = eseal_mkdirs(retired_dir, 0700, err)) != ESEAL_OK ||
        (rc = eseal_file_write(retired, old_pem, strlen(old_pem), 0644, 0, err)) != ESEAL_OK ||
        (rc = eseal_file_write(new_pem, pem, strlen(pem), 0644, 1, err)) != ESEAL_OK ||
        (rc = eseal_pki_key_save(new_key, key, pass, pass_len, err)) != ESEAL_OK ||
        (rc = install(new_key, cur_key, err)) != ESEAL_OK ||
        (rc = install(new_pem, cur_pem, err)) != ESEAL_OK)
        goto out;
    *event =
        json_pack("{s:s, s:o, s:o}", "role", name, "old", cert_brief(old), "new", cert_brief(cert));
out:
    if (rc != ESEAL_OK) {
        unlink(new_pem);
        unlink(new_key);
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    eseal_ca_free(ca);
    free(pem);
    free(old_pem);
    free(serial);
    free(retired);
    free(retired_dir);
    free(cur_pem);
    free(cur_key);
    free(new_pem);
    free(new_key);
    return rc;
}

/* ---- the log key -------------------------------------------------------------------- */

static eseal_rc log_next_sign(void *ctx, const uint8_t *msg, size_t msg_len,
                              uint8_t sig[ESEAL_ED25519_SIG_LEN], struct eseal_err *err)
{
    struct eseal_ca *ca = ctx;
    eseal_rc rc = ca_need_key(ca, ESEAL_CA_UNLOCK_LOG, err);
    if (rc == ESEAL_OK)
        eseal_ed25519_sign(sig, msg, msg_len, ca->log_next_sk);
    return rc;
}

eseal_rc ca_log_next_load(struct eseal_ca *ca, struct eseal_err *err)
{
    char *path = eseal_path_join(ca->dir, CA_FILE_LOG_NEXT_PUB);
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_file_read(&b, path, 4096, err);
    char *origin = NULL;
    if (rc == ESEAL_E_NOTFOUND) {
        rc = ESEAL_OK;
    } else if (rc == ESEAL_OK) {
        rc = eseal_note_key_parse((const char *)b.data, b.len, &origin, ca->log_next_pk, NULL, err);
        if (rc == ESEAL_OK && strcmp(origin, ca->origin) != 0)
            rc = eseal_err_set(err, ESEAL_E_INVALID, "the next log key is named %s, not %s", origin,
                               ca->origin);
        if (rc != ESEAL_OK)
            eseal_err_prefix(err, "%s", path);
        ca->has_next = rc == ESEAL_OK;
        ca->log_next_signer = (struct eseal_log_signer){
            .origin = ca->origin, .pub = ca->log_next_pk, .sign = log_next_sign, .ctx = ca};
    }
    free(origin);
    eseal_buf_cleanup(&b);
    free(path);
    return rc;
}

eseal_rc ca_log_next_unlock(struct eseal_ca *ca, const void *pass, size_t pass_len,
                            struct eseal_err *err)
{
    return ca_log_seed_load(ca->dir, CA_FILE_LOG_NEXT_KEY, ca->log_next_pk, ca->log_next_sk, pass,
                            pass_len, err);
}

char *eseal_ca_log_next(const struct eseal_ca *ca)
{
    return ca->has_next ? eseal_note_key_format(ca->origin, ca->log_next_pk) : NULL;
}

eseal_rc eseal_ca_log_rotate_begin(const char *dir, const void *pass, size_t pass_len,
                                   char **next_vkey, struct eseal_err *err)
{
    *next_vkey = NULL;
    struct eseal_ca *ca = NULL;
    eseal_rc rc = eseal_ca_open(&ca, dir, err);
    if (rc != ESEAL_OK)
        return rc;
    if (ca->has_next) {
        eseal_ca_free(ca);
        return eseal_err_set(err, ESEAL_E_CONFLICT,
                             "日志密钥轮换已在进行 / a log key rotation is under way already "
                             "(finish it: eseal ca rotate-log --finish)");
    }
    /* the passphrase must open the current key: the next one is wrapped under it */
    rc = eseal_ca_unlock(ca, ESEAL_CA_UNLOCK_LOG, pass, pass_len, err);
    uint8_t pk[ESEAL_ED25519_PK_LEN], sk[ESEAL_ED25519_SK_LEN];
    eseal_ed25519_keypair(pk, sk);
    char *key_path = eseal_path_join(dir, CA_FILE_LOG_NEXT_KEY);
    char *pub_path = eseal_path_join(dir, CA_FILE_LOG_NEXT_PUB);
    char *vkey = eseal_note_key_format(ca->origin, pk);
    char *line = eseal_xasprintf("%s\n", vkey);
    if (rc == ESEAL_OK)
        rc = eseal_pki_secret_save(key_path, CA_LOG_KEY_LABEL, sk, ESEAL_ED25519_SEED_LEN, pass,
                                   pass_len, err);
    if (rc == ESEAL_OK) {
        /* log.next.pub last: it is what marks the rotation as begun */
        rc = eseal_file_write(pub_path, line, strlen(line), 0644, 1, err);
        if (rc != ESEAL_OK)
            unlink(key_path);
    }
    eseal_wipe(sk, sizeof(sk));
    if (rc == ESEAL_OK)
        *next_vkey = eseal_xstrdup(vkey);
    free(vkey);
    free(line);
    free(key_path);
    free(pub_path);
    eseal_ca_free(ca);
    return rc;
}

eseal_rc eseal_ca_log_rotate_abort(const char *dir)
{
    char *key_path = eseal_path_join(dir, CA_FILE_LOG_NEXT_KEY);
    char *pub_path = eseal_path_join(dir, CA_FILE_LOG_NEXT_PUB);
    unlink(pub_path);
    unlink(key_path);
    free(key_path);
    free(pub_path);
    return ESEAL_OK;
}

eseal_rc eseal_ca_log_rotate_finish(const char *dir, struct eseal_err *err)
{
    struct eseal_ca *ca = NULL;
    eseal_rc rc = eseal_ca_open(&ca, dir, err);
    if (rc != ESEAL_OK)
        return rc;
    char *retired_dir = eseal_path_join(dir, CA_DIR_RETIRED);
    char *old_vkey = eseal_note_key_format(ca->origin, ca->log_pk);
    char *old_line = eseal_xasprintf("%s\n", old_vkey);
    uint8_t h[4];
    eseal_note_key_hash(h, ca->origin, ca->log_pk);
    char *hex = eseal_hex(h, sizeof(h));
    char *retired = eseal_xasprintf("%s/log-%s.pub", retired_dir, hex);
    char *pem = ca->has_next ? ca_log_pub_pem(ca->log_next_pk) : NULL;
    char *pem_path = eseal_path_join(dir, CA_FILE_LOG_PEM);
    char *next_key = eseal_path_join(dir, CA_FILE_LOG_NEXT_KEY);
    char *next_pub = eseal_path_join(dir, CA_FILE_LOG_NEXT_PUB);
    char *cur_key = eseal_path_join(dir, CA_FILE_LOG_KEY);
    char *cur_pub = eseal_path_join(dir, CA_FILE_LOG_PUB);
    if (!ca->has_next)
        rc = eseal_err_set(err, ESEAL_E_INVALID,
                           "没有进行中的日志密钥轮换 / no log key rotation is under way");
    /* the old verifier key is kept (auditors start from it); its private
     * key is destroyed by the rename over it */
    if (rc == ESEAL_OK && (rc = eseal_mkdirs(retired_dir, 0700, err)) == ESEAL_OK &&
        (rc = eseal_file_write(retired, old_line, strlen(old_line), 0644, 0, err)) == ESEAL_OK &&
        (rc = install(next_key, cur_key, err)) == ESEAL_OK &&
        (rc = install(next_pub, cur_pub, err)) == ESEAL_OK)
        rc = eseal_file_write(pem_path, pem, strlen(pem), 0644, 0, err);
    free(old_vkey);
    free(old_line);
    free(hex);
    free(retired);
    free(retired_dir);
    free(pem);
    free(pem_path);
    free(next_key);
    free(next_pub);
    free(cur_key);
    free(cur_pub);
    eseal_ca_free(ca);
    return rc;
}
