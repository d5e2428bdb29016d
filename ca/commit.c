/* commit.c — the platform secret: the HMAC-SM3 key behind the commitments
 * that public log entries carry instead of personal data (DESIGN.md §11). */
#include <string.h>

#include <openssl/x509.h>

#include "eseal/pki.h"
#include "eseal/sm.h"
#include "internal.h"

/* check_pass proves |pass| is the CA's by opening the root key with it, so
 * that a new commit.key is never wrapped under a mistyped passphrase. */
static eseal_rc check_pass(const struct eseal_ca *ca, const void *pass, size_t pass_len,
                           struct eseal_err *err)
{
    char *path = eseal_xasprintf("%s/%s.key", ca->dir, ca_role_name(ESEAL_CA_ROOT));
    EVP_PKEY *root = NULL;
    eseal_rc rc = eseal_pki_key_load(&root, path, pass, pass_len, err);
    if (rc == ESEAL_OK && X509_check_private_key(ca->cert[ESEAL_CA_ROOT], root) != 1)
        rc = eseal_err_openssl(err, ESEAL_E_INVALID, "%s does not belong to root.pem", path);
    EVP_PKEY_free(root);
    free(path);
    return rc;
}

/* create_key makes the platform secret of a CA that predates it. Another
 * process creating it at the same moment wins (the write is exclusive)
 * and its key is read back. */
static eseal_rc create_key(const struct eseal_ca *ca, const char *path, const void *pass,
                           size_t pass_len, struct eseal_err *err)
{
    eseal_rc rc = check_pass(ca, pass, pass_len, err);
    if (rc != ESEAL_OK) {
        eseal_err_prefix(err, "creating the platform secret %s", path);
        return rc;
    }
    uint8_t key[CA_COMMIT_KEY_LEN];
    eseal_random(key, sizeof(key));
    rc = eseal_pki_secret_save(path, CA_COMMIT_KEY_LABEL, key, sizeof(key), pass, pass_len, err);
    eseal_wipe(key, sizeof(key));
    return rc == ESEAL_E_CONFLICT ? ESEAL_OK : rc;
}

eseal_rc ca_unlock_commit(struct eseal_ca *ca, const void *pass, size_t pass_len,
                          struct eseal_err *err)
{
    char *path = eseal_path_join(ca->dir, CA_FILE_COMMIT_KEY);
    struct eseal_buf key;
    eseal_buf_init(&key);
    eseal_rc rc = eseal_pki_secret_load(&key, path, CA_COMMIT_KEY_LABEL, pass, pass_len, err);
    if (rc == ESEAL_E_NOTFOUND) {
        rc = create_key(ca, path, pass, pass_len, err);
        if (rc == ESEAL_OK)
            rc = eseal_pki_secret_load(&key, path, CA_COMMIT_KEY_LABEL, pass, pass_len, err);
    }
    if (rc == ESEAL_OK && key.len != CA_COMMIT_KEY_LEN)
        rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: wrong key length", path);
    if (rc == ESEAL_OK)
        memcpy(ca->commit_key, key.data, CA_COMMIT_KEY_LEN);
    eseal_buf_cleanse(&key);
    free(path);
    return rc;
}

eseal_rc eseal_ca_commit(struct eseal_ca *ca, const void *msg, size_t msg_len,
                         uint8_t out[ESEAL_CA_COMMIT_LEN], struct eseal_err *err)
{
    eseal_rc rc = ca_need_key(ca, ESEAL_CA_UNLOCK_COMMIT, err);
    if (rc != ESEAL_OK)
        return rc;
    return eseal_hmac_sm3(out, ca->commit_key, CA_COMMIT_KEY_LEN, msg, msg_len, err);
}
