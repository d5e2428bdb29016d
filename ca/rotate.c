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
