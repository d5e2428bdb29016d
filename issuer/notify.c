/* notify.c — notifications: what a unit must act on, made by the log
 * projection from the entries (rejected, ready for collection, handed over,
 * loss registered) and from the notifier's own reminder entries (renewal
 * window open, expired); listing and marking read; and the notifier, a
 * background thread that logs the reminders that are due and mails
 * notifications through the SMTP relay, retrying failures later. Mail goes
 * to the e-mail addresses of the staff store: none of it is in the log. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/mail.h"
#include "eseal/secret.h"
#include "eseal/words.h"
#include "internal.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define KEY_MAX 32
#define RETRY_MAX_SECONDS 86400
#define CREDENTIALS_MAX 4096

/* One row per kind: the words a person reads, Chinese first. The message
 * texts name the subject (submission id or esID) and, for the reminders,
 * the end of validity in Beijing time. */
static const struct notice_kind {
    const char *kind;
    const char *title; /* the mail's subject */
    const char *text;  /* {s} stands for the subject, {d} for the date */
} kinds[] = {
    {"rejected", "申报被退回 / submission rejected",
     "申报 {s} 被退回，请按退回理由修改后重新提交。 / Submission {s} was rejected: rectify it "
     "as the reasons say and submit it again."},
    {"ready", "印章可以领取 / seal ready for collection",
     "印章 {s} 已制作完成，请持介绍信和加盖公章的身份证复印件前来领取。 / Seal {s} is ready for "
     "collection: bring the introduction letter and a stamped copy of the collector's ID card."},
    {"handed_over", "印章已交付 / seal handed over",
     "印章 {s} 已交付，现已生效。 / Seal {s} was handed over and is now in use."},
    {"renewal_window", "印章即将到期，可以延期 / renewal window open",
     "印章 {s} 将于 {d} 到期，已进入到期前 30 天的延期办理期，请及时申请印章延期。 / Seal {s} "
     "expires on {d}: the 30-day renewal window is open, apply for its renewal."},
    {"expired", "印章已到期 / seal expired",
     "印章 {s} 已于 {d} 到期，不能再使用。 / Seal {s} expired on {d} and can no longer be "
     "used."},
    {"loss_registered", "印章挂失已登记 / loss registered",
     "印章 {s} 的挂失已登记，印章已暂停使用。 / The loss of seal {s} was registered: the seal is "
     "suspended."},
};

static const struct notice_kind *kind_of(const char *kind)
{
    for (size_t i = 0; kind != NULL && i < COUNT_OF(kinds); i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return &kinds[i];
    return NULL;
}

/* fill returns |tmpl| with {s} replaced by |subject| and {d} by |date| (new). */
static char *fill(const char *tmpl, const char *subject, const char *date)
{
    struct eseal_buf out;
    eseal_buf_init(&out);
    for (const char *p = tmpl; *p != '\0';) {
        if (strncmp(p, "{s}", 3) == 0 || strncmp(p, "{d}", 3) == 0) {
            const char *v = p[1] == 's' ? subject : date;
            eseal_buf_append(&out, v, strlen(v));
            p += 3;
        } else {
            eseal_buf_append(&out, p++, 1);
        }
    }
    eseal_buf_append(&out, "", 1);
    char *s = eseal_xstrdup((const char *)out.data);
    eseal_buf_cleanup(&out);
    return s;
}

static void key_of(char out[KEY_MAX], char prefix, uint64_t seq)
{
    snprintf(out, KEY_MAX, "%c/%020" PRIu64, prefix, seq);
}

/* beijing writes an ISO 8601 UTC time as "2026-12-03 18:23 北京时间". */
static void beijing(char *out, size_t len, const char *iso)
{
    int64_t t;
    if (iso == NULL || !eseal_json_time_parse(iso, &t)) {
        snprintf(out, len, "%s", iso != NULL ? iso : "");
        return;
    }
    struct tm tm;
    char buf[32];
    if (eseal_words_beijing((time_t)t, &tm) == NULL ||
        strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm) == 0) {
        snprintf(out, len, "%s", iso);
        return;
    }
    snprintf(out, len, "%s 北京时间", buf);
}

/* ---- the projection ------------------------------------------------------------------- */

/* from_submission starts a notification for the unit of submission |id|. */
static json_t *from_submission(struct eseal_issuer *is, const char *id, json_t **rec)
{
    if (id == NULL || store_get_json(is, CF_SUBMISSIONS, id, rec, NULL) != ESEAL_OK)
        return NULL;
    const char *unit = wf_jstr(json_object_get(*rec, "unit"), "uscc");
    const char *city = wf_jstr(*rec, "filed_city");
    if (unit == NULL || city == NULL)
        return NULL;
    return json_pack("{s:s,s:s,s:s}", "unit", unit, "city", city, "submission", id);
}

/* from_seal starts a notification for the unit of seal |esid|. */
static json_t *from_seal(struct eseal_issuer *is, const char *esid, json_t **seal)
{
    if (esid == NULL || store_get_json(is, CF_SEALS, esid, seal, NULL) != ESEAL_OK)
        return NULL;
    const char *unit = wf_jstr(*seal, "uscc"), *city = wf_jstr(*seal, "city");
    if (unit == NULL || city == NULL)
        return NULL;
    return json_pack("{s:s,s:s,s:s}", "unit", unit, "city", city, "esid", esid);
}

/* handed_esid finds the esID of the application with form |form| of |rec|. */
static const char *handed_esid(const json_t *rec, json_int_t form)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(rec, "applications"), i, a)
    {
        if (json_integer_value(json_object_get(a, "form")) == form)
            return wf_jstr(a, "esid");
    }
    return NULL;
}

/* notice_of returns the notification entry |type| makes (new), or NULL.
 * *rec receives the record it was read from (the caller's). */
static json_t *notice_of(struct eseal_issuer *is, const char *type, const json_t *entry,
                         json_t **rec, const char **kind)
{
    const json_t *data = json_object_get(entry, "data");
    const char *sub = wf_jstr(entry, "submission");
    json_t *n = NULL;
    *kind = NULL;
    if (strcmp(type, "submission.rejected") == 0) {
        *kind = "rejected";
        n = from_submission(is, sub, rec);
    } else if (strcmp(type, "application.produced") == 0) {
        n = from_submission(is, sub, rec);
        const struct business_type *t = business_type_find(wf_jstr(*rec, "business"));
        if (n != NULL && t != NULL && t->handover && wf_jstr(data, "esid") != NULL) {
            *kind = "ready";
            json_object_set_new(n, "esid", json_string(wf_jstr(data, "esid")));
        }
    } else if (strcmp(type, "application.handed_over") == 0) {
        n = from_submission(is, sub, rec);
        const char *esid = handed_esid(*rec, json_integer_value(json_object_get(data, "form")));
        if (n != NULL && esid != NULL) {
            *kind = "handed_over";
            json_object_set_new(n, "esid", json_string(esid));
        }
    } else if (strcmp(type, "seal.suspended") == 0) {
        *kind = "loss_registered";
        n = from_seal(is, wf_jstr(data, "esid"), rec);
    } else if (strcmp(type, "notice.renewal_window") == 0 || strcmp(type, "notice.expired") == 0) {
        *kind = type + strlen("notice.");
        n = from_seal(is, wf_jstr(data, "esid"), rec);
        if (n != NULL && wf_jstr(data, "window") != NULL)
            json_object_set_new(n, "window", json_string(wf_jstr(data, "window")));
    }
    if (*kind == NULL) {
        json_decref(n);
        return NULL;
    }
    return n;
}

eseal_rc notify_project(struct eseal_issuer *is, struct eseal_kv_batch *b, uint64_t seq,
                        const char *type, const json_t *entry, struct eseal_err *err)
{
    json_t *rec = NULL;
    const char *kind;
    json_t *n = notice_of(is, type, entry, &rec, &kind);
    (void)err;
    if (n == NULL) {
        json_decref(rec);
        return ESEAL_OK;
    }
    char id[KEY_MAX], key[KEY_MAX];
    snprintf(id, sizeof(id), "N%" PRIu64, seq);
    json_object_set_new(n, "id", json_string(id));
    json_object_set_new(n, "seq", json_integer((json_int_t)seq));
    json_object_set_new(n, "kind", json_string(kind));
    json_object_set_new(n, "time",
                        json_string(wf_jstr(entry, "time") ? wf_jstr(entry, "time") : ""));
    key_of(key, 'n', seq);
    store_batch_put_json(b, CF_NOTIFICATIONS, key, n);
    if (strncmp(type, "notice.", 7) == 0) {
        /* once per seal and window: the seal remembers the windows notified */
        json_t *done = json_object_get(rec, "notices");
        if (!json_is_object(done)) {
            done = json_object();
            json_object_set_new(rec, "notices", done);
        }
        json_object_set(done, kind, json_object_get(n, "window"));
        store_batch_put_json(b, CF_SEALS, wf_jstr(rec, "esid"), rec);
    }
    json_decref(n);
    json_decref(rec);
    pthread_mutex_lock(&is->notifier.mu);
    is->notifier.wake = true;
    pthread_cond_signal(&is->notifier.cond);
    pthread_mutex_unlock(&is->notifier.mu);
    return ESEAL_OK;
}

/* ---- reading ---------------------------------------------------------------------------- */

/* reasons_text joins the rejection reasons of submission |id| as |who| sees them. */
static char *reasons_text(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                          const char *id)
{
    json_t *rec = NULL;
    if (id == NULL || store_get_json(is, CF_SUBMISSIONS, id, &rec, NULL) != ESEAL_OK)
        return NULL;
    /* through the submission's view: where the reasons are kept is its business */
    json_t *view = wf_submission_view(is, who, rec);
    json_decref(rec);
    struct eseal_buf out;
    eseal_buf_init(&out);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(json_object_get(view, "rejection"), "reasons"), i, r)
    {
        if (!json_is_string(r))
            continue;
        if (out.len > 0)
            eseal_buf_append(&out, "；", strlen("；"));
        eseal_buf_append(&out, json_string_value(r), json_string_length(r));
    }
    json_decref(view);
    eseal_buf_append(&out, "", 1);
    char *s = eseal_xstrdup((const char *)out.data);
    eseal_buf_cleanup(&out);
    return s;
}

/* notice_view returns what |who| reads of notification |n| (new): the
 * notification with its title and message. */
static json_t *notice_view(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                           const json_t *n)
{
    json_t *v = json_deep_copy(n);
    json_object_del(v, "seq");
    const struct notice_kind *k = kind_of(wf_jstr(n, "kind"));
    if (k == NULL)
        return v;
    const char *subject =
        wf_jstr(n, "esid") != NULL ? wf_jstr(n, "esid") : wf_jstr(n, "submission");
    char when[64];
    beijing(when, sizeof(when), wf_jstr(n, "window"));
    char *text = fill(k->text, subject != NULL ? subject : "", when);
    if (strcmp(k->kind, "rejected") == 0) {
        char *reasons = reasons_text(is, who, wf_jstr(n, "submission"));
        if (reasons != NULL && reasons[0] != '\0') {
            char *more = eseal_xasprintf("%s\n退回理由 / reasons: %s", text, reasons);
            free(text);
            text = more;
        }
        free(reasons);
    }
    json_object_set_new(v, "title", json_string(k->title));
    json_object_set_new(v, "message", json_string(text));
    free(text);
    return v;
}

/* all_notices returns every notification in *out (new), oldest first. */
static eseal_rc all_notices(struct eseal_issuer *is, json_t **out, struct eseal_err *err)
{
    json_t *list = json_array();
    struct eseal_kv_iter *it = eseal_kv_iter_new(is->kv, CF_NOTIFICATIONS);
    for (eseal_kv_iter_seek(it, "n/", 2); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t klen, vlen;
        const uint8_t *k = eseal_kv_iter_key(it, &klen);
        if (klen < 2 || memcmp(k, "n/", 2) != 0)
            break;
        const uint8_t *v = eseal_kv_iter_value(it, &vlen);
        json_t *n = eseal_json_load(v, vlen);
        if (n != NULL)
            json_array_append_new(list, n);
    }
    eseal_rc rc = eseal_kv_iter_status(it, err);
    eseal_kv_iter_free(it);
    if (rc != ESEAL_OK)
        json_decref(list);
    *out = rc == ESEAL_OK ? list : NULL;
    return rc;
}

static bool visible(const struct eseal_staff_principal *who, const json_t *n)
{
    return eseal_staff_can_see_submission(who, wf_jstr(n, "unit"), wf_jstr(n, "city"));
}

eseal_rc eseal_issuer_notifications(struct eseal_issuer *is,
                                    const struct eseal_staff_principal *who, bool unread_only,
                                    json_t **view, struct eseal_issuer_problem *p)
{
    *view = NULL;
    eseal_rc rc = wf_require(who, ESEAL_ACTION_NOTIFICATION_LIST, p);
    if (rc != ESEAL_OK)
        return rc;
    json_t *all = NULL;
    struct eseal_err e;
    eseal_err_clear(&e);
    rc = all_notices(is, &all, &e);
    if (rc != ESEAL_OK)
        return prob_from(p, &e, NULL);
    json_t *list = json_array();
    size_t i;
    json_t *n;
    json_array_foreach(all, i, n)
    {
        if (visible(who, n) && !(unread_only && json_object_get(n, "read") != NULL))
            json_array_insert_new(list, 0, notice_view(is, who, n)); /* newest first */
    }
    json_decref(all);
    *view = json_pack("{s:o}", "notifications", list);
    return ESEAL_OK;
}

/* notice_seq reads the sequence number of an id "N<seq>". */
static bool notice_seq(const char *id, uint64_t *seq)
{
    if (id == NULL || id[0] != 'N' || id[1] < '0' || id[1] > '9' || strlen(id) > 21 ||
        strspn(id + 1, "0123456789") != strlen(id + 1))
        return false;
    errno = 0;
    *seq = strtoull(id + 1, NULL, 10);
    return errno == 0;
}

eseal_rc eseal_issuer_notification_read(struct eseal_issuer *is,
                                        const struct eseal_staff_principal *who, const char *id,
                                        json_t **view, struct eseal_issuer_problem *p)
{
    *view = NULL;
    eseal_rc rc = wf_require(who, ESEAL_ACTION_NOTIFICATION_READ, p);
    if (rc != ESEAL_OK)
        return rc;
    uint64_t seq;
    char key[KEY_MAX];
    json_t *n = NULL;
    struct eseal_err e;
    eseal_err_clear(&e);
    pthread_mutex_lock(&is->mu); /* the projection writes these records too */
    if (!notice_seq(id, &seq)) {
        rc = ESEAL_E_NOTFOUND;
    } else {
        key_of(key, 'n', seq);
        rc = store_get_json(is, CF_NOTIFICATIONS, key, &n, &e);
    }
    if (rc == ESEAL_E_NOTFOUND || (rc == ESEAL_OK && !visible(who, n)))
        rc = prob_set(p, ESEAL_E_NOTFOUND, NULL, "没有通知 %.24s / no notification %.24s", id, id);
    else if (rc != ESEAL_OK)
        rc = prob_from(p, &e, NULL);
    if (rc == ESEAL_OK && json_object_get(n, "read") == NULL) {
        char now[32];
        wf_now_ms(now);
        json_object_set_new(n, "read", json_pack("{s:s,s:s}", "by", who->username, "time", now));
        struct eseal_kv_batch *b = eseal_kv_batch_new(is->kv);
        store_batch_put_json(b, CF_NOTIFICATIONS, key, n);
        rc = eseal_kv_write(is->kv, b, true, &e);
        eseal_kv_batch_free(b);
        if (rc != ESEAL_OK)
            rc = prob_from(p, &e, NULL);
    }
    pthread_mutex_unlock(&is->mu);
    if (rc == ESEAL_OK)
        *view = notice_view(is, who, n);
    json_decref(n);
    return rc;
}

/* ---- the notifier: reminders ---------------------------------------------------------- */

/* reminder_due says which reminder seal |seal| is due at |now|, or NULL. */
static const char *reminder_due(const json_t *seal, int64_t now, const char **window)
{
    const json_t *versions = json_object_get(seal, "versions");
    const json_t *cur = json_array_get(versions, json_array_size(versions) - 1);
    const char *status = wf_jstr(seal, "status");
    *window = wf_jstr(cur, "valid_end");
    int64_t end;
    if (status == NULL || strcmp(status, "good") != 0 || *window == NULL ||
        !eseal_json_time_parse(*window, &end))
        return NULL;
    const char *kind = now >= end                        ? "expired"
                       : now >= end - ESEAL_RENEW_WINDOW ? "renewal_window"
                                                         : NULL;
    const char *done = kind != NULL ? wf_jstr(json_object_get(seal, "notices"), kind) : NULL;
    if (kind == NULL || (done != NULL && strcmp(done, *window) == 0))
        return NULL;
    return kind;
}

/* log_reminders commits a notice.* entry for every reminder that is due:
 * "once per seal and window" holds across restarts because the log says
 * which were made. */
static void log_reminders(struct eseal_issuer *is)
{
    static const struct eseal_staff_principal daemon = {.username = "eseal-issuerd"};
    int64_t now = (int64_t)time(NULL) + is->cfg.test_clock_offset;
    pthread_mutex_lock(&is->mu);
    json_t *entries = json_array();
    struct eseal_kv_iter *it = eseal_kv_iter_new(is->kv, CF_SEALS);
    for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t vlen;
        const uint8_t *v = eseal_kv_iter_value(it, &vlen);
        json_t *seal = eseal_json_load(v, vlen);
        const char *window = NULL, *kind = seal != NULL ? reminder_due(seal, now, &window) : NULL;
        if (kind != NULL) {
            char type[48];
            snprintf(type, sizeof(type), "notice.%s", kind);
            json_t *e =
                wf_event(type, &daemon, NULL, NULL, wf_jstr(seal, "esid"),
                         json_pack("{s:s,s:s}", "esid", wf_jstr(seal, "esid"), "window", window));
            json_object_set_new(e, "actor",
                                json_pack("{s:s,s:s}", "id", "eseal-issuerd", "role", "system"));
            json_array_append_new(entries, e);
        }
        json_decref(seal);
    }
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = eseal_kv_iter_status(it, &e);
    eseal_kv_iter_free(it);
    size_t n = json_array_size(entries);
    if (rc == ESEAL_OK && n > 0) {
        json_t **list = eseal_xcalloc(n, sizeof(*list));
        for (size_t i = 0; i < n; i++)
            list[i] = json_incref(json_array_get(entries, i));
        rc = wf_commit(is, list, n, &e);
        free(list);
    }
    pthread_mutex_unlock(&is->mu);
    json_decref(entries);
    if (rc != ESEAL_OK)
        fprintf(stderr, "eseal-issuerd: 提醒记录失败 / logging reminders failed: %s\n", e.msg);
}

/* ---- the notifier: mail ------------------------------------------------------------------ */

/* struct relay is the configured relay with its credentials (wiped at the end). */
struct relay {
    struct eseal_mail_relay r;
    struct eseal_buf cred;
};

static eseal_rc relay_open(struct eseal_issuer *is, struct relay *rl, struct eseal_err *err)
{
    memset(rl, 0, sizeof(*rl));
    eseal_buf_init(&rl->cred);
    rl->r.url = is->cfg.smtp_url;
    if (is->cfg.smtp_credentials_file == NULL)
        return ESEAL_OK;
    eseal_rc rc = eseal_file_read(&rl->cred, is->cfg.smtp_credentials_file, CREDENTIALS_MAX, err);
    if (rc != ESEAL_OK)
        return rc;
    eseal_buf_append(&rl->cred, "", 1);
    char *user = (char *)rl->cred.data, *nl = strchr(user, '\n');
    if (nl == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "%s: 须为两行：用户名、密码 / needs two lines: user name, password",
                             is->cfg.smtp_credentials_file);
    *nl = '\0';
    char *pw = nl + 1;
    pw[strcspn(pw, "\r\n")] = '\0';
    user[strcspn(user, "\r")] = '\0';
    rl->r.username = user;
    rl->r.password = pw;
    return ESEAL_OK;
}

/* struct mail_state is what the notifier remembers of one notification's
 * mail ("m/" key): who has it, how many tries failed, when to try again. */
static json_t *mail_state(struct eseal_issuer *is, const char *key)
{
    json_t *m = NULL;
    if (store_get_json(is, CF_NOTIFICATIONS, key, &m, NULL) != ESEAL_OK)
        m = json_pack("{s:[],s:i,s:i}", "sent_to", "attempts", 0, "next", 0);
    return m;
}

static bool sent_to(const json_t *m, const char *username)
{
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(m, "sent_to"), i, u)
    {
        if (json_is_string(u) && strcmp(json_string_value(u), username) == 0)
            return true;
    }
    return false;
}

/* principal_of is the principal account |a| logs in as. */
static void principal_of(struct eseal_staff_principal *who, const struct eseal_staff_account *a)
{
    memset(who, 0, sizeof(*who));
    memcpy(who->username, a->username, sizeof(who->username));
    memcpy(who->id, a->id, sizeof(who->id));
    who->role = a->role;
    memcpy(who->unit, a->unit, sizeof(who->unit));
    memcpy(who->city, a->city, sizeof(who->city));
}

/* recipient tells whether account |a| gets notification |n| by mail. */
static bool recipient(const struct eseal_staff_account *a, const json_t *n)
{
    if (a->disabled || a->email[0] == '\0')
        return false;
    struct eseal_staff_principal who;
    principal_of(&who, a);
    return (a->role == ESEAL_ROLE_AGENT || a->role == ESEAL_ROLE_AGGREGATOR) && visible(&who, n);
}

/* mail_one sends notification |n| to every recipient that does not have it
 * yet and records the outcome in its mail state. */
static void mail_one(struct eseal_issuer *is, const struct relay *rl, const json_t *n,
                     const struct eseal_staff_account *staff, size_t n_staff, int64_t now)
{
    char key[KEY_MAX];
    key_of(key, 'm', (uint64_t)json_integer_value(json_object_get(n, "seq")));
    json_t *m = mail_state(is, key);
    if (json_is_true(json_object_get(m, "done")) ||
        json_integer_value(json_object_get(m, "next")) > now) {
        json_decref(m);
        return;
    }
    bool failed = false;
    struct eseal_err e;
    eseal_err_clear(&e);
    for (size_t i = 0; i < n_staff; i++) {
        const struct eseal_staff_account *a = &staff[i];
        if (!recipient(a, n) || sent_to(m, a->username))
            continue;
        struct eseal_staff_principal who;
        principal_of(&who, a);
        json_t *v = notice_view(is, &who, n);
        char *subject = eseal_xasprintf("电子印章通知：%s", wf_jstr(v, "title"));
        char *body = eseal_xasprintf("%s\n\n%s %s\n-- \neseal-issuerd\n", wf_jstr(v, "message"),
                                     wf_jstr(v, "id"), wf_jstr(v, "time"));
        struct eseal_mail mail = {
            .from = is->cfg.mail_from, .to = a->email, .subject = subject, .body = body};
        if (eseal_mail_send(&rl->r, &mail, &e) == ESEAL_OK) {
            json_array_append_new(json_object_get(m, "sent_to"), json_string(a->username));
        } else {
            failed = true; /* the account name, never the address, goes to the log */
            fprintf(stderr,
                    "eseal-issuerd: 通知 %s 发给 %s 的邮件失败，稍后重试 / mail of %s to %s "
                    "failed, will retry: %s\n",
                    wf_jstr(n, "id"), a->username, wf_jstr(n, "id"), a->username, e.msg);
        }
        free(subject);
        free(body);
        json_decref(v);
    }
    if (failed) {
        json_int_t tries = json_integer_value(json_object_get(m, "attempts")) + 1;
        int64_t wait = is->cfg.notice_interval;
        for (json_int_t i = 1; i < tries && wait < RETRY_MAX_SECONDS; i++)
            wait *= 2;
        json_object_set_new(m, "attempts", json_integer(tries));
        json_object_set_new(
            m, "next", json_integer(now + (wait < RETRY_MAX_SECONDS ? wait : RETRY_MAX_SECONDS)));
        json_object_set_new(m, "error", json_string(e.msg));
    } else {
        json_object_set_new(m, "done", json_true());
        json_object_del(m, "error");
    }
    char *text = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
    if (eseal_kv_put(is->kv, CF_NOTIFICATIONS, key, strlen(key), text, strlen(text), true, &e) !=
        ESEAL_OK)
        fprintf(stderr, "eseal-issuerd: %s\n", e.msg);
    free(text);
    json_decref(m);
}

/* send_mail mails every notification not yet mailed whose retry time came. */
static void send_mail(struct eseal_issuer *is)
{
    if (is->cfg.smtp_url == NULL)
        return;
    struct relay rl;
    struct eseal_err e;
    eseal_err_clear(&e);
    struct eseal_staff_account *staff = NULL;
    size_t n_staff = 0;
    eseal_rc rc = relay_open(is, &rl, &e);
    if (rc == ESEAL_OK)
        rc = eseal_staff_list(&is->staff, &staff, &n_staff, &e);
    if (rc != ESEAL_OK) {
        fprintf(stderr, "eseal-issuerd: 通知邮件 / notification mail: %s\n", e.msg);
        eseal_buf_cleanse(&rl.cred);
        return;
    }
    int64_t now = (int64_t)time(NULL);
    json_t *pending = NULL;
    if (all_notices(is, &pending, &e) != ESEAL_OK)
        fprintf(stderr, "eseal-issuerd: 通知邮件 / notification mail: %s\n", e.msg);
    size_t i;
    json_t *n;
    json_array_foreach(pending, i, n) mail_one(is, &rl, n, staff, n_staff, now);
    json_decref(pending);
    free(staff);
    eseal_buf_cleanse(&rl.cred);
}

/* ---- the thread ----------------------------------------------------------------------------- */

static void *notifier_main(void *arg)
{
    struct eseal_issuer *is = arg;
    struct issuer_notifier *nt = &is->notifier;
    pthread_mutex_lock(&nt->mu);
    while (!nt->stop) {
        nt->wake = false;
        pthread_mutex_unlock(&nt->mu);
        log_reminders(is);
        send_mail(is);
        pthread_mutex_lock(&nt->mu);
        if (nt->stop || nt->wake)
            continue;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += (time_t)is->cfg.notice_interval;
        while (!nt->stop && !nt->wake)
            if (pthread_cond_timedwait(&nt->cond, &nt->mu, &until) == ETIMEDOUT)
                break;
    }
    pthread_mutex_unlock(&nt->mu);
    return NULL;
}

void notify_init(struct eseal_issuer *is)
{
    pthread_mutex_init(&is->notifier.mu, NULL);
    pthread_cond_init(&is->notifier.cond, NULL);
}

eseal_rc eseal_issuer_notifier_start(struct eseal_issuer *is, struct eseal_err *err)
{
    if (is->notifier.started)
        return ESEAL_OK;
    if (is->cfg.notice_interval <= 0)
        is->cfg.notice_interval = 3600;
    if (pthread_create(&is->notifier.thread, NULL, notifier_main, is) != 0)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "cannot start the notifier thread");
    is->notifier.started = true;
    return ESEAL_OK;
}

void notify_stop(struct eseal_issuer *is)
{
    if (is->notifier.started) {
        pthread_mutex_lock(&is->notifier.mu);
        is->notifier.stop = true;
        pthread_cond_signal(&is->notifier.cond);
        pthread_mutex_unlock(&is->notifier.mu);
        pthread_join(is->notifier.thread, NULL);
        is->notifier.started = false;
    }
    pthread_mutex_destroy(&is->notifier.mu);
    pthread_cond_destroy(&is->notifier.cond);
}
