/* issuer.c — the issuer's configuration table, opening its state (store,
 * materials, event log), replaying the log into the store, and closing. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/ca.h"
#include "eseal/daemon.h"
#include "internal.h"

#define FIELD(f) offsetof(struct eseal_issuer_config, f)

/* valid_proxies checks trusted_proxies: IPv4 or IPv6 literals separated by
 * commas (and spaces). */
static eseal_rc valid_proxies(const struct eseal_opt *opt, const void *field, struct eseal_err *err)
{
    const char *list = *(char *const *)field;
    (void)opt;
    if (list == NULL)
        return ESEAL_OK;
    if (!issuer_proxies_valid(list))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "须为逗号分隔的 IP 地址 / must be IP addresses separated by commas");
    return ESEAL_OK;
}

const struct eseal_opt eseal_issuer_options[] = {
    ESEAL_DAEMON_OPTS_LISTEN(struct eseal_issuer_config, ESEAL_ISSUER_PORT),
    {"data", ESEAL_OPT_STRING, FIELD(data), ESEAL_ISSUER_DATA, 0, 1, 4096, NULL,
     "state directory: db/, blobs/, log/, admin.password"},
    {"ca", ESEAL_OPT_STRING, FIELD(ca), ESEAL_ISSUER_CA, 0, 1, 4096, NULL,
     "platform CA directory (eseal ca init)"},
    {"passphrase_file", ESEAL_OPT_STRING, FIELD(passphrase_file), NULL, 0, 1, 4096, NULL,
     "file holding the CA passphrase (default: $ESEAL_PASSPHRASE)"},
    {"max_days", ESEAL_OPT_INT, FIELD(max_days), NULL, ESEAL_ISSUER_MAX_DAYS, 1, 3650, NULL,
     "longest seal validity in days, and the default"},
    {"session_ttl", ESEAL_OPT_INT, FIELD(session_ttl), NULL, ESEAL_STAFF_SESSION_TTL_DEFAULT, 60,
     7 * 24 * 3600, NULL, "seconds a login session lasts"},
    {"max_body", ESEAL_OPT_INT, FIELD(max_body), NULL, 1024 * 1024, 1024, 16 * 1024 * 1024, NULL,
     "largest JSON request body in bytes"},
    {"max_upload", ESEAL_OPT_INT, FIELD(max_upload), NULL, 48 * 1024 * 1024, 1024,
     256 * 1024 * 1024, NULL, "largest multipart (materials, handover) body in bytes"},
    ESEAL_DAEMON_OPTS_HTTP(struct eseal_issuer_config),
    {"smtp_url", ESEAL_OPT_STRING, FIELD(smtp_url), NULL, 0, 8, 4096, NULL,
     "SMTP relay for notification mail: smtp://host:port or smtps://host:port; unset: no mail"},
    {"mail_from", ESEAL_OPT_STRING, FIELD(mail_from), "eseal-issuerd@localhost", 0, 3, 254, NULL,
     "From address of notification mail"},
    {"smtp_credentials_file", ESEAL_OPT_STRING, FIELD(smtp_credentials_file), NULL, 0, 1, 4096,
     NULL, "file with the relay's user name (line 1) and password (line 2); needs TLS"},
    {"notice_interval", ESEAL_OPT_INT, FIELD(notice_interval), NULL, 3600, 1, 86400, NULL,
     "seconds between renewal/expiry reminder scans and mail retries"},
    {"test_clock_offset", ESEAL_OPT_INT, FIELD(test_clock_offset), NULL, 0, -3650LL * 86400,
     3650LL * 86400, NULL, "TEST ONLY: seconds added to the clock the reminders read"},
    {"session_idle", ESEAL_OPT_INT, FIELD(session_idle), NULL, ESEAL_STAFF_SESSION_IDLE_DEFAULT, 1,
     7 * 24 * 3600, NULL, "seconds a login session may go unused before it ends"},
    {"trusted_proxies", ESEAL_OPT_STRING, FIELD(trusted_proxies), NULL, 0, 1, 1024, valid_proxies,
     "comma-separated addresses of reverse proxies whose X-Forwarded-* is believed"},
    {"console_dir", ESEAL_OPT_STRING, FIELD(console_dir), NULL, 0, 1, 4096, NULL,
     "directory of the console's build (default: the installed or source-tree build)"},
};
const size_t eseal_issuer_n_options =
    sizeof(eseal_issuer_options) / sizeof(eseal_issuer_options[0]);

static char *dup_or_null(const char *s)
{
    return s != NULL ? eseal_xstrdup(s) : NULL;
}

/* The material store's data key is wrapped by the CA's platform secret
 * (docs/security.md, "Personal data at rest"). */
static eseal_rc kek_wrap(void *ca, struct eseal_buf *out, const uint8_t *key, size_t key_len,
                         struct eseal_err *err)
{
    return eseal_ca_wrap_data_key(ca, out, key, key_len, err);
}

static eseal_rc kek_unwrap(void *ca, struct eseal_buf *out, const uint8_t *in, size_t in_len,
                           struct eseal_err *err)
{
    return eseal_ca_unwrap_data_key(ca, out, in, in_len, err);
}

eseal_rc eseal_issuer_rotate_data_key(const char *data, struct eseal_ca *ca,
                                      const struct eseal_blob_progress *progress,
                                      struct eseal_blob_rotation *out, struct eseal_err *err)
{
    memset(out, 0, sizeof(*out));
    char *path = eseal_path_join(data, "blobs");
    const struct eseal_blob_kek kek = {kek_wrap, kek_unwrap, ca};
    struct eseal_blob *b = NULL;
    eseal_rc rc = eseal_blob_open_with(&b, path, &kek, progress, err);
    if (rc == ESEAL_OK && eseal_blob_resumed(b) != NULL)
        *out = *eseal_blob_resumed(b);
    else if (rc == ESEAL_OK)
        rc = eseal_blob_rotate(b, &kek, progress, out, err);
    eseal_blob_free(b);
    free(path);
    return rc;
}

eseal_rc eseal_issuer_open(struct eseal_issuer **out, const struct eseal_issuer_config *cfg,
                           struct eseal_ca *ca, enum eseal_staff_bootstrap_result *boot,
                           struct eseal_err *err)
{
    *out = NULL;
    struct eseal_issuer *is = eseal_xcalloc(1, sizeof(*is));
    is->cfg = *cfg;
    is->cfg.address = dup_or_null(cfg->address);
    is->cfg.data = dup_or_null(cfg->data);
    is->cfg.ca = dup_or_null(cfg->ca);
    is->cfg.passphrase_file = dup_or_null(cfg->passphrase_file);
    is->cfg.smtp_url = dup_or_null(cfg->smtp_url);
    is->cfg.mail_from = dup_or_null(cfg->mail_from);
    is->cfg.smtp_credentials_file = dup_or_null(cfg->smtp_credentials_file);
    is->cfg.trusted_proxies = dup_or_null(cfg->trusted_proxies);
    is->cfg.console_dir = dup_or_null(cfg->console_dir);
    is->ca = ca;
    pthread_mutex_init(&is->mu, NULL);
    notify_init(is);
    char *path = NULL;
    eseal_rc rc = eseal_mkdirs(is->cfg.data, 0700, err);
    if (rc == ESEAL_OK)
        rc = store_open(is, err);
    if (rc == ESEAL_OK) {
        path = eseal_path_join(is->cfg.data, "blobs");
        const struct eseal_blob_kek kek = {kek_wrap, kek_unwrap, ca};
        rc = eseal_blob_open(&is->blob, path, &kek, err);
        free(path);
    }
    if (rc == ESEAL_OK) {
        path = eseal_path_join(is->cfg.data, "log");
        rc = eseal_log_open(&is->log, path, eseal_ca_log_signer(ca), err);
        free(path);
    }
    if (rc == ESEAL_OK)
        rc = index_migrate(is, err);
    if (rc == ESEAL_OK)
        rc = wf_replay(is, err);
    if (rc == ESEAL_OK) {
        is->staff.kv = is->kv;
        is->staff.cf_staff = CF_STAFF;
        is->staff.cf_sessions = CF_SESSIONS;
        is->staff.session_ttl = (unsigned)cfg->session_ttl;
        is->staff.session_idle = (unsigned)cfg->session_idle;
        /* accounts made before opaque staff ids get one (#17) */
        rc = eseal_staff_migrate_ids(&is->staff, NULL, err);
        if (rc == ESEAL_OK)
            rc = eseal_staff_bootstrap(&is->staff, is->cfg.data, boot, err);
    }
    if (rc != ESEAL_OK) {
        eseal_issuer_close(is);
        return rc;
    }
    *out = is;
    return ESEAL_OK;
}

void eseal_issuer_close(struct eseal_issuer *is)
{
    if (is == NULL)
        return;
    notify_stop(is);
    eseal_log_close(is->log);
    eseal_blob_free(is->blob);
    eseal_kv_close(is->kv);
    free(is->cfg.address);
    free(is->cfg.data);
    free(is->cfg.ca);
    free(is->cfg.passphrase_file);
    free(is->cfg.smtp_url);
    free(is->cfg.mail_from);
    free(is->cfg.smtp_credentials_file);
    free(is->cfg.trusted_proxies);
    free(is->cfg.console_dir);
    pthread_mutex_destroy(&is->mu);
    free(is);
}

const struct eseal_staff_store *eseal_issuer_staff(const struct eseal_issuer *is)
{
    return &is->staff;
}

struct eseal_log *eseal_issuer_log(struct eseal_issuer *is)
{
    return is->log;
}

uint64_t eseal_issuer_replayed(const struct eseal_issuer *is)
{
    return is->replayed;
}

size_t eseal_issuer_materials_migrated(const struct eseal_issuer *is)
{
    return eseal_blob_migrated(is->blob);
}

const struct eseal_blob_rotation *eseal_issuer_data_key_resumed(const struct eseal_issuer *is)
{
    return eseal_blob_resumed(is->blob);
}

void eseal_issuer_fault_inject(struct eseal_issuer *is, enum eseal_issuer_fault fault)
{
    is->fault = fault;
}
