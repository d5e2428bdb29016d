/* testca.c — the platform CA as a fixture, through the `eseal` command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "eseal/pki.h"
#include "eseal/sm.h"
#include "eseal/unlock.h"
#include "testca.h"

static const char *const role_names[TU_CA_NROLES] = {"root", "maker", "responder"};

/* run_eseal runs "$ESEAL <args>" with the CA passphrase in the environment,
 * stderr into |errfile|; the exit status, or -1. */
static int run_eseal(const char *args, const char *errfile)
{
    const char *eseal = getenv("ESEAL");
    if (eseal == NULL || eseal[0] == '\0') {
        fprintf(stderr, "testca: set ESEAL to the eseal binary\n");
        return -1;
    }
    setenv("ESEAL_PASSPHRASE", TU_CA_PASS, 1);
    char *cmd = eseal_xasprintf("'%s' %s >/dev/null 2>'%s'", eseal, args, errfile);
    int st = system(cmd);
    free(cmd);
    return st == -1 ? -1 : WEXITSTATUS(st);
}

void tu_ca_free(struct tu_ca *ca)
{
    if (ca == NULL)
        return;
    for (int r = 0; r < TU_CA_NROLES; r++) {
        X509_free(ca->cert[r]);
        EVP_PKEY_free(ca->key[r]);
    }
    free(ca->dir);
    free(ca);
}

struct tu_ca *tu_ca_new(const char *dir)
{
    struct tu_ca *ca = eseal_xcalloc(1, sizeof(*ca));
    ca->dir = eseal_xstrdup(dir);
    char *args = eseal_xasprintf("ca init --dir '%s'", dir);
    char *errfile = eseal_xasprintf("%s.init.err", dir);
    int st = run_eseal(args, errfile);
    free(args);
    free(errfile);
    if (st != 0) {
        fprintf(stderr, "testca: eseal ca init --dir %s: exit %d\n", dir, st);
        tu_ca_free(ca);
        return NULL;
    }
    struct eseal_err err;
    eseal_err_clear(&err);
    for (int r = 0; r < TU_CA_NROLES; r++) {
        char *cert = eseal_xasprintf("%s/%s.pem", dir, role_names[r]);
        char *key = eseal_xasprintf("%s/%s.key", dir, role_names[r]);
        eseal_rc rc = eseal_pki_cert_load(&ca->cert[r], cert, &err);
        if (rc == ESEAL_OK)
            rc = eseal_pki_key_load(&ca->key[r], key, TU_CA_PASS, strlen(TU_CA_PASS), &err);
        free(cert);
        free(key);
        if (rc != ESEAL_OK) {
            fprintf(stderr, "testca: %s\n", err.msg);
            tu_ca_free(ca);
            return NULL;
        }
    }
    return ca;
}

X509 *tu_ca_cert(const struct tu_ca *ca, enum tu_ca_role role)
{
    return ca->cert[role];
}

eseal_rc tu_ca_issue(struct tu_ca *ca, const uint8_t *csr, size_t csr_len, const char *profile,
                     int days, X509 **out, struct eseal_err *err)
{
    *out = NULL;
    char *csr_path = eseal_xasprintf("%s.req.der", ca->dir);
    char *cert_path = eseal_xasprintf("%s.cert.pem", ca->dir);
    char *err_path = eseal_xasprintf("%s.issue.err", ca->dir);
    remove(cert_path);
    eseal_rc rc = eseal_file_write(csr_path, csr, csr_len, 0600, 0, err);
    if (rc == ESEAL_OK) {
        char *args = eseal_xasprintf("ca issue --dir '%s' --csr '%s' --profile %s --days %d "
                                     "--out '%s'",
                                     ca->dir, csr_path, profile, days, cert_path);
        int st = run_eseal(args, err_path);
        free(args);
        if (st == 0) {
            rc = eseal_pki_cert_load(out, cert_path, err);
        } else {
            struct eseal_buf msg;
            eseal_buf_init(&msg);
            if (eseal_file_read(&msg, err_path, 4096, NULL) != ESEAL_OK)
                eseal_buf_append_str(&msg, "(no message)");
            rc = eseal_err_set(err, ESEAL_E_INVALID, "eseal ca issue: exit %d: %s", st,
                               (const char *)msg.data);
            eseal_buf_cleanup(&msg);
        }
    }
    remove(csr_path);
    remove(cert_path);
    remove(err_path);
    free(csr_path);
    free(cert_path);
    free(err_path);
    return rc;
}

eseal_rc tu_ca_maker_signer(void *ca, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                            struct eseal_err *err)
{
    return eseal_sm2_sign(((struct tu_ca *)ca)->key[TU_CA_MAKER], msg, msg_len, sig, err);
}

eseal_rc tu_ca_responder_signer(void *ca, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                                struct eseal_err *err)
{
    return eseal_sm2_sign(((struct tu_ca *)ca)->key[TU_CA_RESPONDER], msg, msg_len, sig, err);
}

eseal_rc tu_ca_unlock_code(struct tu_ca *ca, const char *token_id, uint32_t counter,
                           struct eseal_buf *out, struct eseal_err *err)
{
    return eseal_unlock_code_make(out, token_id, counter, time(NULL), ca->cert[TU_CA_MAKER],
                                  ca->cert[TU_CA_ROOT], tu_ca_maker_signer, ca, err);
}
