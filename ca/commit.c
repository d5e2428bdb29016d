/* commit.c — the platform secret: the HMAC-SM3 key behind the commitments
 * that public log entries carry instead of personal data (DESIGN.md §11). */
#include <string.h>

#include <openssl/x509.h>

#include "eseal/pki.h"
#include "eseal/secret.h"
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

/* The data-key wrapping: its own subkey of the platform secret, so the
 * HMAC-SM3 commitments and the key wrapping never share a key. */
#define DEK_MAGIC "ESK1"
#define DEK_MAGIC_LEN 4
#define DEK_KDF_CONTEXT "eSealDEK"
#define DEK_KDF_ID 1

static eseal_rc dek_kek(struct eseal_ca *ca, uint8_t kek[ESEAL_AEAD_KEY_LEN], struct eseal_err *err)
{
    eseal_rc rc = ca_need_key(ca, ESEAL_CA_UNLOCK_COMMIT, err);
    if (rc == ESEAL_OK)
        eseal_kdf(kek, ESEAL_AEAD_KEY_LEN, ca->commit_key, DEK_KDF_ID, DEK_KDF_CONTEXT);
    return rc;
}

eseal_rc eseal_ca_wrap_data_key(struct eseal_ca *ca, struct eseal_buf *out, const uint8_t *key,
                                size_t key_len, struct eseal_err *err)
{
    uint8_t kek[ESEAL_AEAD_KEY_LEN];
    eseal_rc rc = dek_kek(ca, kek, err);
    if (rc != ESEAL_OK)
        return rc;
    eseal_buf_reset(out);
    eseal_buf_append(out, DEK_MAGIC, DEK_MAGIC_LEN);
    eseal_aead_seal(out, kek, DEK_MAGIC, DEK_MAGIC_LEN, key, key_len);
    eseal_wipe(kek, sizeof(kek));
    return ESEAL_OK;
}

eseal_rc eseal_ca_unwrap_data_key(struct eseal_ca *ca, struct eseal_buf *out, const uint8_t *in,
                                  size_t in_len, struct eseal_err *err)
{
    eseal_buf_cleanse(out);
    if (in_len < DEK_MAGIC_LEN + ESEAL_AEAD_OVERHEAD || memcmp(in, DEK_MAGIC, DEK_MAGIC_LEN) != 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "不是封装的数据密钥 / not a wrapped data key");
    uint8_t kek[ESEAL_AEAD_KEY_LEN];
    eseal_rc rc = dek_kek(ca, kek, err);
    if (rc != ESEAL_OK)
        return rc;
    rc = eseal_aead_open(out, kek, DEK_MAGIC, DEK_MAGIC_LEN, in + DEK_MAGIC_LEN,
                         in_len - DEK_MAGIC_LEN, err);
    eseal_wipe(kek, sizeof(kek));
    if (rc == ESEAL_E_CRYPTO)
        eseal_err_set(err, rc,
                      "数据密钥无法解封：不是本平台的密钥或已被改动 / the data key does not "
                      "unwrap: another platform's, or altered");
    return rc;
}
