/* staff.c — staff accounts (Argon2id), bearer-token sessions (SHA-256 keyed)
 * and the permission table of the issuer. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "eseal/buf.h"
#include "eseal/enc.h"
#include "eseal/json.h"
#include "eseal/mail.h"
#include "eseal/merkle.h"
#include "eseal/secret.h"
#include "idcheck.h"
#include "staff.h"

#define TOKEN_RAW_LEN 32
#define TOKEN_KEY_LEN ESEAL_MERKLE_HASH_LEN /* SHA-256 */
#define ADMIN_PW_RAW_LEN 15                 /* 120 bits -> 20 base64url characters */
#define RECORD_MAX ((size_t)16 * 1024)      /* far above any real record: refuse garbage */

/* Account writes check-then-put (create, disable); RocksDB has no
 * compare-and-set, so they are serialised here. They are rare and short. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- roles, actions, the permission table ---- */

static const struct {
    const char *name, *zh;
} roles[ESEAL_ROLE_COUNT] = {
    [ESEAL_ROLE_PUBLIC] = {"public", "公众"},
    [ESEAL_ROLE_AGENT] = {"agent", "经办人"},
    [ESEAL_ROLE_AGGREGATOR] = {"aggregator", "汇总单位"},
    [ESEAL_ROLE_MAKER] = {"maker", "制作员"},
    [ESEAL_ROLE_REVIEWER] = {"reviewer", "审核员"},
    [ESEAL_ROLE_ADMIN] = {"admin", "管理员"},
};

static const char *const actions[ESEAL_ACTION_COUNT] = {
    [ESEAL_ACTION_SESSION_LOGIN] = "session.login",
    [ESEAL_ACTION_SESSION_LOGOUT] = "session.logout",
    [ESEAL_ACTION_STAFF_CREATE] = "staff.create",
    [ESEAL_ACTION_STAFF_LIST] = "staff.list",
    [ESEAL_ACTION_STAFF_DISABLE] = "staff.disable",
    [ESEAL_ACTION_SUBMISSION_CREATE] = "submission.create",
    [ESEAL_ACTION_SUBMISSION_LIST] = "submission.list",
    [ESEAL_ACTION_SUBMISSION_GET] = "submission.get",
    [ESEAL_ACTION_SUBMISSION_UPLOAD] = "submission.upload",
    [ESEAL_ACTION_SUBMISSION_SUBMIT] = "submission.submit",
    [ESEAL_ACTION_SUBMISSION_REGISTER] = "submission.register",
    [ESEAL_ACTION_SUBMISSION_REVIEW] = "submission.review",
    [ESEAL_ACTION_SUBMISSION_PRODUCE] = "submission.produce",
    [ESEAL_ACTION_SUBMISSION_HANDOVER] = "submission.handover",
    [ESEAL_ACTION_SEAL_GET] = "seal.get",
    [ESEAL_ACTION_SEAL_DOWNLOAD] = "seal.download",
    [ESEAL_ACTION_SEAL_SUSPEND] = "seal.suspend",
    [ESEAL_ACTION_SEAL_REINSTATE] = "seal.reinstate",
    [ESEAL_ACTION_AUDIT_READ] = "audit.read",
    [ESEAL_ACTION_LOG_READ] = "log.read",
    [ESEAL_ACTION_SEAL_PUBLIC] = "seal.public",
    [ESEAL_ACTION_STAFF_ENABLE] = "staff.enable",
    [ESEAL_ACTION_STAFF_RESET] = "staff.reset",
    [ESEAL_ACTION_STAFF_SESSIONS] = "staff.sessions",
    [ESEAL_ACTION_STAFF_ROLE] = "staff.role",
    [ESEAL_ACTION_SESSION_PASSWD] = "session.passwd",
    [ESEAL_ACTION_NOTIFICATION_LIST] = "notification.list",
    [ESEAL_ACTION_NOTIFICATION_READ] = "notification.read",
    [ESEAL_ACTION_BATCH_MANAGE] = "batch.manage",
    [ESEAL_ACTION_BATCH_GET] = "batch.get",
    [ESEAL_ACTION_SESSION_GET] = "session.get",
    [ESEAL_ACTION_CONSOLE] = "console.read",
    [ESEAL_ACTION_QUEUES_READ] = "queues.read",
    [ESEAL_ACTION_OVERVIEW_READ] = "overview.read",
    [ESEAL_ACTION_CATALOG_READ] = "catalog.read",
    [ESEAL_ACTION_OPS_READ] = "ops.read",
    [ESEAL_ACTION_BACKUP] = "backup.create",
};

#define R(role) (1u << (role))
#define APPLICANTS (R(ESEAL_ROLE_AGENT) | R(ESEAL_ROLE_AGGREGATOR))
#define STAFF (APPLICANTS | R(ESEAL_ROLE_MAKER) | R(ESEAL_ROLE_REVIEWER) | R(ESEAL_ROLE_ADMIN))
#define EVERYONE (STAFF | R(ESEAL_ROLE_PUBLIC))

/* The one permission table: a bit per role allowed. An action left out is
 * allowed to nobody, so a forgotten row fails closed. Mirrors docs/staff.md. */
static const unsigned allowed_roles[ESEAL_ACTION_COUNT] = {
    [ESEAL_ACTION_SESSION_LOGIN] = EVERYONE,
    [ESEAL_ACTION_SESSION_LOGOUT] = STAFF,
    [ESEAL_ACTION_STAFF_CREATE] = R(ESEAL_ROLE_ADMIN),
    [ESEAL_ACTION_STAFF_LIST] = R(ESEAL_ROLE_ADMIN),
    [ESEAL_ACTION_STAFF_DISABLE] = R(ESEAL_ROLE_ADMIN),
    [ESEAL_ACTION_SUBMISSION_CREATE] = APPLICANTS,
    [ESEAL_ACTION_SUBMISSION_LIST] = STAFF,
    [ESEAL_ACTION_SUBMISSION_GET] = STAFF,
    [ESEAL_ACTION_SUBMISSION_UPLOAD] = APPLICANTS,
    [ESEAL_ACTION_SUBMISSION_SUBMIT] = APPLICANTS,
    [ESEAL_ACTION_SUBMISSION_REGISTER] = R(ESEAL_ROLE_MAKER),
    [ESEAL_ACTION_SUBMISSION_REVIEW] = R(ESEAL_ROLE_REVIEWER),
    [ESEAL_ACTION_SUBMISSION_PRODUCE] = R(ESEAL_ROLE_MAKER),
    [ESEAL_ACTION_SUBMISSION_HANDOVER] = R(ESEAL_ROLE_MAKER),
    [ESEAL_ACTION_SEAL_GET] = STAFF,
    [ESEAL_ACTION_SEAL_DOWNLOAD] = APPLICANTS | R(ESEAL_ROLE_MAKER),
    /* DESIGN.md §8: a loss is reported by the unit's agent or aggregator, or a maker */
    [ESEAL_ACTION_SEAL_SUSPEND] = APPLICANTS | R(ESEAL_ROLE_MAKER),
    [ESEAL_ACTION_SEAL_REINSTATE] = R(ESEAL_ROLE_MAKER), /* the key found, shown on site */
    [ESEAL_ACTION_AUDIT_READ] = R(ESEAL_ROLE_ADMIN),
    [ESEAL_ACTION_LOG_READ] = EVERYONE,
    [ESEAL_ACTION_SEAL_PUBLIC] = EVERYONE, /* seals are in every sealed document */
    [ESEAL_ACTION_STAFF_ENABLE] = R(ESEAL_ROLE_ADMIN),
    [ESEAL_ACTION_STAFF_RESET] = R(ESEAL_ROLE_ADMIN),
    [ESEAL_ACTION_STAFF_SESSIONS] = R(ESEAL_ROLE_ADMIN),
    [ESEAL_ACTION_SESSION_PASSWD] = STAFF,
    [ESEAL_ACTION_NOTIFICATION_LIST] = APPLICANTS, /* the unit's agent and its aggregator */
    [ESEAL_ACTION_NOTIFICATION_READ] = APPLICANTS,
    [ESEAL_ACTION_BATCH_MANAGE] = R(ESEAL_ROLE_AGGREGATOR),
    [ESEAL_ACTION_BATCH_GET] = STAFF & ~R(ESEAL_ROLE_AGENT),
    [ESEAL_ACTION_STAFF_ROLE] = R(ESEAL_ROLE_ADMIN),
    [ESEAL_ACTION_SESSION_GET] = STAFF,
    [ESEAL_ACTION_CONSOLE] = EVERYONE, /* static files; the API guards the data */
    [ESEAL_ACTION_QUEUES_READ] = R(ESEAL_ROLE_MAKER) | R(ESEAL_ROLE_REVIEWER) | R(ESEAL_ROLE_ADMIN),
    [ESEAL_ACTION_OVERVIEW_READ] = R(ESEAL_ROLE_ADMIN),
    [ESEAL_ACTION_CATALOG_READ] = STAFF,
    /* GET /metrics and /healthz: counts and checks, no personal data; the
     * daemon's address is what limits who reaches them */
    [ESEAL_ACTION_OPS_READ] = EVERYONE,
    [ESEAL_ACTION_BACKUP] = R(ESEAL_ROLE_ADMIN),
};

const char *eseal_staff_role_name(enum eseal_staff_role role)
{
    return (unsigned)role < ESEAL_ROLE_COUNT ? roles[role].name : "invalid";
}

const char *eseal_staff_role_name_zh(enum eseal_staff_role role)
{
    return (unsigned)role < ESEAL_ROLE_COUNT ? roles[role].zh : "无效";
}

bool eseal_staff_role_parse(enum eseal_staff_role *out, const char *name)
{
    if (name == NULL)
        return false;
    for (unsigned r = ESEAL_ROLE_AGENT; r < ESEAL_ROLE_COUNT; r++) {
        if (strcmp(name, roles[r].name) == 0) {
            *out = (enum eseal_staff_role)r;
            return true;
        }
    }
    return false;
}

const char *eseal_staff_action_name(enum eseal_staff_action action)
{
    return (unsigned)action < ESEAL_ACTION_COUNT ? actions[action] : "invalid";
}

bool eseal_staff_allowed(enum eseal_staff_role role, enum eseal_staff_action action)
{
    if ((unsigned)role >= ESEAL_ROLE_COUNT || (unsigned)action >= ESEAL_ACTION_COUNT)
        return false;
    return (allowed_roles[action] & R(role)) != 0;
}

static bool same_nonempty(const char *mine, const char *theirs)
{
    return mine[0] != '\0' && theirs != NULL && strcmp(mine, theirs) == 0;
}

bool eseal_staff_can_see_submission(const struct eseal_staff_principal *who, const char *unit_uscc,
                                    const char *city_code)
{
    if (who == NULL)
        return false;
    switch (who->role) {
    case ESEAL_ROLE_AGENT:
        return same_nonempty(who->unit, unit_uscc);
    case ESEAL_ROLE_AGGREGATOR:
        return same_nonempty(who->city, city_code);
    case ESEAL_ROLE_MAKER:
    case ESEAL_ROLE_REVIEWER:
    case ESEAL_ROLE_ADMIN:
        return true;
    default:
        return false;
    }
}

bool eseal_staff_can_review(const struct eseal_staff_principal *who, const char *registered_by)
{
    if (who == NULL || who->role != ESEAL_ROLE_REVIEWER || who->username[0] == '\0')
        return false;
    if (registered_by == NULL || registered_by[0] == '\0')
        return false;
    return !eseal_staff_is_actor(who, registered_by);
}

bool eseal_staff_is_actor(const struct eseal_staff_principal *who, const char *actor_id)
{
    if (who == NULL || actor_id == NULL || actor_id[0] == '\0')
        return false;
    /* entries before opaque ids named the username */
    return (who->id[0] != '\0' && strcmp(who->id, actor_id) == 0) ||
           (who->username[0] != '\0' && strcmp(who->username, actor_id) == 0);
}

/* ---- validation ---- */

static bool username_ok(const char *u)
{
    if (u == NULL)
        return false;
    size_t n = strlen(u);
    if (n < 1 || n > ESEAL_STAFF_USERNAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = u[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* A city code: six digits ending in 00 (a 设区市), but not xx0000 (a
 * province: province-level units submit directly, without an aggregator),
 * or Pingtan's 350128, a county-level zone with its own aggregator. */
static bool city_ok(const char *c)
{
    if (c == NULL || strlen(c) != ESEAL_STAFF_CITY_LEN)
        return false;
    for (int i = 0; i < ESEAL_STAFF_CITY_LEN; i++)
        if (c[i] < '0' || c[i] > '9')
            return false;
    if (strcmp(c, "350128") == 0)
        return true;
    return strcmp(c + 4, "00") == 0 && strcmp(c + 2, "0000") != 0;
}

/* utf8_chars counts code points (bytes that are not continuation bytes), so
 * a Chinese password's length is counted the way its owner counts it. */
static size_t utf8_chars(const uint8_t *p, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += (p[i] & 0xC0) != 0x80;
    return n;
}

static eseal_rc check_password(const char *username, const void *pw, size_t len,
                               struct eseal_err *err)
{
    bool bad = pw == NULL || len > ESEAL_STAFF_PASSWORD_MAX ||
               utf8_chars(pw, len) < ESEAL_STAFF_PASSWORD_MIN ||
               (len == strlen(username) && strncasecmp(pw, username, len) == 0);
    if (bad)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "password: 密码须至少 %d 个字符、至多 %d 字节，且不能与用户名相同 / "
                             "a password needs at least %d characters, at most %d bytes, "
                             "and must differ from the username",
                             ESEAL_STAFF_PASSWORD_MIN, ESEAL_STAFF_PASSWORD_MAX,
                             ESEAL_STAFF_PASSWORD_MIN, ESEAL_STAFF_PASSWORD_MAX);
    return ESEAL_OK;
}

static bool given(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* check_scope enforces which roles carry a unit or a city. */
/* note_ok tells whether an optional register field (主管处室, 分管领导) is
 * absent or ESEAL_STAFF_NOTE_CHARS characters at most, without control
 * characters (UTF-8: a character starts at each byte not 10xxxxxx). */
static bool note_ok(const char *s)
{
    size_t chars = 0, bytes = 0;
    for (const unsigned char *p = (const unsigned char *)s; p != NULL && *p != '\0'; p++, bytes++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
        if ((*p & 0xc0) != 0x80)
            chars++;
    }
    return chars <= ESEAL_STAFF_NOTE_CHARS && bytes <= ESEAL_STAFF_NOTE_MAX;
}

static eseal_rc check_scope(const struct eseal_staff_spec *spec, struct eseal_err *err)
{
    bool agent = spec->role == ESEAL_ROLE_AGENT;
    bool aggregator = spec->role == ESEAL_ROLE_AGGREGATOR;
    if (agent && !given(spec->unit))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "unit: 经办人账号须填写所属单位的统一社会信用代码 / "
                             "an agent account needs unit, its unit's unified social credit code");
    if (agent && eseal_uscc_check(spec->unit) == ESEAL_ID_BAD_SHAPE)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "unit: 不是 18 位统一社会信用代码 / "
                             "not an 18-character unified social credit code");
    if (!agent && given(spec->unit))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "unit: 只有经办人账号填写单位 / only agent accounts take a unit");
    if (aggregator && !city_ok(spec->city))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "city: 汇总单位账号须填写设区市代码：6 位数字、以 00 结尾（省级 "
                             "xx0000 除外），或平潭 350128 / an aggregator account needs city, "
                             "a city code: 6 digits ending in 00 (not a province's xx0000), "
                             "or 350128 for Pingtan");
    if (!agent && (given(spec->office) || given(spec->leader)))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "office: 只有经办人账号填写主管处室和分管领导 / only agent accounts "
                             "take office and leader");
    if (!note_ok(spec->office) || !note_ok(spec->leader))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "%s: 主管处室和分管领导至多 %d 个字符，不含控制字符 / office and "
                             "leader take at most %d characters, no control characters",
                             note_ok(spec->office) ? "leader" : "office", ESEAL_STAFF_NOTE_CHARS,
                             ESEAL_STAFF_NOTE_CHARS);
    if (!aggregator && given(spec->city))
        return eseal_err_set(
            err, ESEAL_E_INVALID,
            "city: 只有汇总单位账号填写设区市 / only aggregator accounts take a city");
    return ESEAL_OK;
}

static eseal_rc check_spec(const struct eseal_staff_spec *spec, const void *pw, size_t pw_len,
                           struct eseal_err *err)
{
    if (!username_ok(spec->username))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "username: 用户名须为 1 到 %d 个小写字母、数字或 . _ - / "
                             "a username is 1 to %d characters of a-z, 0-9, '.', '_', '-'",
                             ESEAL_STAFF_USERNAME_MAX, ESEAL_STAFF_USERNAME_MAX);
    if (spec->role <= ESEAL_ROLE_PUBLIC || spec->role >= ESEAL_ROLE_COUNT)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "role: 角色须为 agent、aggregator、maker、reviewer 或 admin / "
                             "role must be agent, aggregator, maker, reviewer or admin");
    eseal_rc rc = check_scope(spec, err);
    if (rc != ESEAL_OK)
        return rc;
    if (given(spec->email) && !eseal_mail_addr_ok(spec->email))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "email: 不是有效的电子邮件地址 / not a plain e-mail address "
                             "(name@domain)");
    return check_password(spec->username, pw, pw_len, err);
}

/* ---- account records ---- */

/* struct record is an account as stored: the public part and the hash. */
struct record {
    struct eseal_staff_account a;
    char pwhash[ESEAL_PWHASH_MAX];
};

/* copy_in copies |src| into |dst| of |cap| bytes; false if it does not fit. */
static bool copy_in(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strlen(src) : 0;
    if (n >= cap)
        return false;
    memcpy(dst, src != NULL ? src : "", n + 1);
    return true;
}

static json_t *account_to_json(const struct eseal_staff_account *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "username", json_string(a->username));
    if (a->id[0] != '\0')
        json_object_set_new(o, "id", json_string(a->id));
    json_object_set_new(o, "role", json_string(eseal_staff_role_name(a->role)));
    if (a->unit[0] != '\0')
        json_object_set_new(o, "unit", json_string(a->unit));
    if (a->city[0] != '\0')
        json_object_set_new(o, "city", json_string(a->city));
    if (a->email[0] != '\0')
        json_object_set_new(o, "email", json_string(a->email));
    if (a->office[0] != '\0')
        json_object_set_new(o, "office", json_string(a->office));
    if (a->leader[0] != '\0')
        json_object_set_new(o, "leader", json_string(a->leader));
    json_object_set_new(o, "created", json_string(a->created));
    json_object_set_new(o, "disabled", json_boolean(a->disabled));
    return o;
}

json_t *eseal_staff_account_json(const struct eseal_staff_account *a)
{
    return account_to_json(a);
}

static eseal_rc corrupt(struct eseal_err *err, const char *what)
{
    return eseal_err_set(err, ESEAL_E_INTERNAL, "staff store: corrupt %s record", what);
}

static eseal_rc record_parse(struct record *r, const uint8_t *data, size_t len,
                             struct eseal_err *err)
{
    memset(r, 0, sizeof(*r));
    json_t *j = eseal_json_load(data, len);
    const char *user = NULL, *role = NULL, *unit = NULL, *city = NULL, *hash = NULL,
               *created = NULL, *email = NULL, *office = NULL, *leader = NULL, *id = NULL;
    int disabled = 0;
    bool ok = j != NULL &&
              json_unpack(j, "{s:s, s:s, s?s, s?s, s:s, s:s, s:b, s?s, s?s, s?s, s?s}", "username",
                          &user, "role", &role, "unit", &unit, "city", &city, "pwhash", &hash,
                          "created", &created, "disabled", &disabled, "email", &email, "office",
                          &office, "leader", &leader, "id", &id) == 0 &&
              copy_in(r->a.id, sizeof(r->a.id), id) &&
              copy_in(r->a.office, sizeof(r->a.office), office) &&
              copy_in(r->a.leader, sizeof(r->a.leader), leader) &&
              copy_in(r->a.email, sizeof(r->a.email), email) &&
              eseal_staff_role_parse(&r->a.role, role) &&
              copy_in(r->a.username, sizeof(r->a.username), user) &&
              copy_in(r->a.unit, sizeof(r->a.unit), unit) &&
              copy_in(r->a.city, sizeof(r->a.city), city) &&
              copy_in(r->a.created, sizeof(r->a.created), created) &&
              copy_in(r->pwhash, sizeof(r->pwhash), hash);
    r->a.disabled = disabled != 0;
    json_decref(j);
    return ok ? ESEAL_OK : corrupt(err, "account");
}

static eseal_rc record_put(const struct eseal_staff_store *s, struct eseal_kv_batch *batch,
                           const struct record *r, struct eseal_err *err)
{
    json_t *o = account_to_json(&r->a);
    json_object_set_new(o, "pwhash", json_string(r->pwhash));
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (text == NULL)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "staff store: cannot encode account");
    const char *u = r->a.username;
    eseal_rc rc = ESEAL_OK;
    if (batch != NULL)
        eseal_kv_batch_put(batch, s->cf_staff, u, strlen(u), text, strlen(text));
    else
        rc = eseal_kv_put(s->kv, s->cf_staff, u, strlen(u), text, strlen(text), true, err);
    free(text);
    return rc;
}

/* record_load reads |username|'s account: ESEAL_E_NOTFOUND without a
 * message when absent, so callers choose what to tell. */
static eseal_rc record_load(const struct eseal_staff_store *s, struct record *r,
                            const char *username, struct eseal_err *err)
{
    memset(r, 0, sizeof(*r));
    struct eseal_buf val;
    eseal_buf_init(&val);
    eseal_rc rc = eseal_kv_get(s->kv, s->cf_staff, username, strlen(username), &val, err);
    if (rc == ESEAL_OK)
        rc = val.len <= RECORD_MAX ? record_parse(r, val.data, val.len, err)
                                   : corrupt(err, "account");
    eseal_buf_cleanup(&val);
    return rc;
}

/* new_staff_id fills |out| with a new opaque staff id: "st:" and 64 random
 * bits in hex, so it says nothing about the person and (with its ':')
 * can never be mistaken for a username. */
static void new_staff_id(char out[ESEAL_STAFF_ID_LEN + 1])
{
    uint8_t raw[8];
    eseal_random(raw, sizeof(raw));
    char *hex = eseal_hex(raw, sizeof(raw));
    snprintf(out, ESEAL_STAFF_ID_LEN + 1, "st:%s", hex);
    free(hex);
}

static eseal_rc no_account(struct eseal_err *err, const char *username)
{
    return eseal_err_set(err, ESEAL_E_NOTFOUND, "没有账号 %s / no account %s", username, username);
}

/* ---- staff administration ---- */

eseal_rc eseal_staff_create(const struct eseal_staff_store *s, struct eseal_staff_account *out,
                            const struct eseal_staff_spec *spec, const void *password,
                            size_t password_len, struct eseal_err *err)
{
    eseal_rc rc = check_spec(spec, password, password_len, err);
    if (rc != ESEAL_OK)
        return rc;
    struct record r;
    memset(&r, 0, sizeof(r));
    copy_in(r.a.username, sizeof(r.a.username), spec->username);
    r.a.role = spec->role;
    copy_in(r.a.unit, sizeof(r.a.unit), spec->role == ESEAL_ROLE_AGENT ? spec->unit : "");
    copy_in(r.a.city, sizeof(r.a.city), spec->role == ESEAL_ROLE_AGGREGATOR ? spec->city : "");
    copy_in(r.a.email, sizeof(r.a.email), spec->email);
    copy_in(r.a.office, sizeof(r.a.office), spec->office);
    copy_in(r.a.leader, sizeof(r.a.leader), spec->leader);
    eseal_json_time_now(r.a.created, sizeof(r.a.created), false);
    new_staff_id(r.a.id);
    /* Hash before taking the lock: Argon2id is the slow part. */
    rc = eseal_pwhash(r.pwhash, password, password_len, err);
    if (rc != ESEAL_OK)
        return rc;

    pthread_mutex_lock(&write_lock);
    struct record old;
    rc = record_load(s, &old, spec->username, err);
    if (rc == ESEAL_OK)
        rc = eseal_err_set(err, ESEAL_E_CONFLICT, "账号 %s 已存在 / account %s exists already",
                           spec->username, spec->username);
    else if (rc == ESEAL_E_NOTFOUND)
        rc = record_put(s, NULL, &r, err);
    pthread_mutex_unlock(&write_lock);
    if (rc == ESEAL_OK && out != NULL)
        *out = r.a;
    return rc;
}

eseal_rc eseal_staff_record_save(const struct eseal_staff_store *s, const char *username,
                                 struct eseal_buf *saved, bool *found, struct eseal_err *err)
{
    eseal_buf_reset(saved);
    eseal_rc rc = eseal_kv_get(s->kv, s->cf_staff, username, strlen(username), saved, err);
    *found = rc == ESEAL_OK;
    return rc == ESEAL_E_NOTFOUND ? ESEAL_OK : rc;
}

eseal_rc eseal_staff_record_restore(const struct eseal_staff_store *s, const char *username,
                                    const struct eseal_buf *saved, bool found,
                                    struct eseal_err *err)
{
    pthread_mutex_lock(&write_lock);
    eseal_rc rc = found
                      ? eseal_kv_put(s->kv, s->cf_staff, username, strlen(username), saved->data,
                                     saved->len, true, err)
                      : eseal_kv_delete(s->kv, s->cf_staff, username, strlen(username), true, err);
    pthread_mutex_unlock(&write_lock);
    return rc;
}

static eseal_rc json_field(const char **out, const json_t *body, const char *key, bool required,
                           struct eseal_err *err)
{
    const json_t *v = json_object_get(body, key);
    if (v == NULL && !required)
        return ESEAL_OK;
    if (v == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s: 缺少此字段 / missing", key);
    if (!json_is_string(v))
        return eseal_err_set(err, ESEAL_E_INVALID, "%s: 须为字符串 / must be a string", key);
    *out = json_string_value(v);
    return ESEAL_OK;
}

static eseal_rc check_keys(const json_t *body, struct eseal_err *err)
{
    static const char *const known[] = {"username", "password", "role",   "unit",
                                        "city",     "email",    "office", "leader"};
    for (void *it = json_object_iter((json_t *)body); it != NULL;
         it = json_object_iter_next((json_t *)body, it)) {
        const char *key = json_object_iter_key(it);
        bool ok = false;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            ok = ok || strcmp(key, known[i]) == 0;
        if (!ok)
            return eseal_err_set(err, ESEAL_E_INVALID, "%s: 未知字段 / unknown field", key);
    }
    return ESEAL_OK;
}

eseal_rc eseal_staff_create_json(const struct eseal_staff_store *s, struct eseal_staff_account *out,
                                 const json_t *body, struct eseal_err *err)
{
    if (!json_is_object(body))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "请求须为 JSON 对象 / the body must be a JSON object");
    const char *user = NULL, *pw = NULL, *role = NULL, *unit = NULL, *city = NULL, *email = NULL,
               *office = NULL, *leader = NULL;
    eseal_rc rc = check_keys(body, err);
    if (rc == ESEAL_OK)
        rc = json_field(&user, body, "username", true, err);
    if (rc == ESEAL_OK)
        rc = json_field(&pw, body, "password", true, err);
    if (rc == ESEAL_OK)
        rc = json_field(&role, body, "role", true, err);
    if (rc == ESEAL_OK)
        rc = json_field(&unit, body, "unit", false, err);
    if (rc == ESEAL_OK)
        rc = json_field(&city, body, "city", false, err);
    if (rc == ESEAL_OK)
        rc = json_field(&email, body, "email", false, err);
    if (rc == ESEAL_OK)
        rc = json_field(&office, body, "office", false, err);
    if (rc == ESEAL_OK)
        rc = json_field(&leader, body, "leader", false, err);
    if (rc != ESEAL_OK)
        return rc;
    struct eseal_staff_spec spec = {.username = user,
                                    .unit = unit,
                                    .city = city,
                                    .email = email,
                                    .office = office,
                                    .leader = leader};
    if (!eseal_staff_role_parse(&spec.role, role))
        spec.role = ESEAL_ROLE_PUBLIC; /* refused by eseal_staff_create with the rule */
    size_t pw_len = json_string_length(json_object_get(body, "password"));
    return eseal_staff_create(s, out, &spec, pw, pw_len, err);
}

eseal_rc eseal_staff_get(const struct eseal_staff_store *s, struct eseal_staff_account *out,
                         const char *username, struct eseal_err *err)
{
    if (!username_ok(username))
        return no_account(err, username != NULL ? username : "");
    struct record r;
    eseal_rc rc = record_load(s, &r, username, err);
    if (rc == ESEAL_E_NOTFOUND)
        return no_account(err, username);
    if (rc == ESEAL_OK)
        *out = r.a;
    return rc;
}

eseal_rc eseal_staff_list(const struct eseal_staff_store *s, struct eseal_staff_account **out,
                          size_t *n_out, struct eseal_err *err)
{
    *out = NULL;
    *n_out = 0;
    struct eseal_kv_iter *it = eseal_kv_iter_new(s->kv, s->cf_staff);
    if (it == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "staff store: bad column family %u",
                             s->cf_staff);
    struct eseal_staff_account *list = NULL;
    size_t n = 0;
    eseal_rc rc = ESEAL_OK;
    for (eseal_kv_iter_seek_first(it); rc == ESEAL_OK && eseal_kv_iter_valid(it);
         eseal_kv_iter_next(it)) {
        size_t len;
        const uint8_t *v = eseal_kv_iter_value(it, &len);
        struct record r;
        rc = len <= RECORD_MAX ? record_parse(&r, v, len, err) : corrupt(err, "account");
        if (rc != ESEAL_OK)
            break;
        list = eseal_xrealloc(list, (n + 1) * sizeof(*list));
        list[n++] = r.a;
    }
    if (rc == ESEAL_OK)
        rc = eseal_kv_iter_status(it, err);
    eseal_kv_iter_free(it);
    if (rc != ESEAL_OK) {
        free(list);
        return rc;
    }
    *out = list;
    *n_out = n;
    return ESEAL_OK;
}

eseal_rc eseal_staff_migrate_ids(const struct eseal_staff_store *s, size_t *n_given,
                                 struct eseal_err *err)
{
    if (n_given != NULL)
        *n_given = 0;
    pthread_mutex_lock(&write_lock);
    struct eseal_staff_account *list = NULL;
    size_t n = 0, given = 0;
    eseal_rc rc = eseal_staff_list(s, &list, &n, err);
    for (size_t i = 0; rc == ESEAL_OK && i < n; i++) {
        if (list[i].id[0] != '\0')
            continue;
        struct record r;
        rc = record_load(s, &r, list[i].username, err);
        if (rc == ESEAL_OK) {
            new_staff_id(r.a.id);
            rc = record_put(s, NULL, &r, err);
            eseal_wipe(r.pwhash, sizeof(r.pwhash));
            given++;
        }
    }
    pthread_mutex_unlock(&write_lock);
    free(list);
    if (rc == ESEAL_OK && n_given != NULL)
        *n_given = given;
    return rc;
}

eseal_rc eseal_staff_username_of(const struct eseal_staff_store *s,
                                 char username[ESEAL_STAFF_USERNAME_MAX + 1], const char *id,
                                 struct eseal_err *err)
{
    username[0] = '\0';
    struct eseal_staff_account *list = NULL;
    size_t n = 0;
    eseal_rc rc = eseal_staff_list(s, &list, &n, err);
    for (size_t i = 0; rc == ESEAL_OK && i < n && username[0] == '\0'; i++)
        if (id != NULL && strcmp(list[i].id, id) == 0)
            memcpy(username, list[i].username, ESEAL_STAFF_USERNAME_MAX + 1);
    free(list);
    if (rc == ESEAL_OK && username[0] == '\0')
        rc = eseal_err_set(err, ESEAL_E_NOTFOUND, "没有该工作人员 / no such staff id");
    return rc;
}

/* count_admins counts admin accounts, all of them or only enabled ones. */
static eseal_rc count_admins(const struct eseal_staff_store *s, bool enabled_only, size_t *n,
                             struct eseal_err *err)
{
    struct eseal_staff_account *list;
    size_t len;
    eseal_rc rc = eseal_staff_list(s, &list, &len, err);
    *n = 0;
    for (size_t i = 0; rc == ESEAL_OK && i < len; i++)
        if (list[i].role == ESEAL_ROLE_ADMIN && !(enabled_only && list[i].disabled))
            (*n)++;
    free(list);
    return rc;
}

/* ---- sessions ---- */

struct session {
    char username[ESEAL_STAFF_USERNAME_MAX + 1];
    enum eseal_staff_role role;
    json_int_t created, expires;
    json_int_t used;                      /* last use; "created" in older records */
    char csrf[ESEAL_STAFF_TOKEN_LEN + 1]; /* "" in older records */
};

static bool token_shape_ok(const char *token)
{
    if (token == NULL || strlen(token) != ESEAL_STAFF_TOKEN_LEN)
        return false;
    for (const char *p = token; *p != '\0'; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* token_key is the session's database key: SHA-256 of the token text. A copy
 * of the database therefore holds no usable token. */
static void token_key(uint8_t key[TOKEN_KEY_LEN], const char *token)
{
    eseal_sha256(key, token, strlen(token));
}

static eseal_rc session_parse(struct session *se, const uint8_t *data, size_t len,
                              struct eseal_err *err)
{
    memset(se, 0, sizeof(*se));
    json_t *j = eseal_json_load(data, len);
    const char *user = NULL, *role = NULL, *csrf = "";
    se->used = -1;
    bool ok = j != NULL &&
              json_unpack(j, "{s:s, s:s, s:I, s:I, s?:I, s?:s}", "username", &user, "role", &role,
                          "created", &se->created, "expires", &se->expires, "used", &se->used,
                          "csrf", &csrf) == 0 &&
              eseal_staff_role_parse(&se->role, role) &&
              copy_in(se->username, sizeof(se->username), user) &&
              copy_in(se->csrf, sizeof(se->csrf), csrf);
    if (se->used < 0)
        se->used = se->created;
    json_decref(j);
    return ok ? ESEAL_OK : corrupt(err, "session");
}

static time_t clock_now(time_t now)
{
    return now != 0 ? now : time(NULL);
}

static unsigned session_ttl(const struct eseal_staff_store *s)
{
    return s->session_ttl != 0 ? s->session_ttl : ESEAL_STAFF_SESSION_TTL_DEFAULT;
}

static void principal_from(struct eseal_staff_principal *who, const struct eseal_staff_account *a)
{
    memset(who, 0, sizeof(*who));
    memcpy(who->username, a->username, sizeof(who->username));
    memcpy(who->id, a->id, sizeof(who->id));
    who->role = a->role;
    memcpy(who->unit, a->unit, sizeof(who->unit));
    memcpy(who->city, a->city, sizeof(who->city));
}

/* The dummy hash is what an unknown username's password is checked against,
 * so a login takes one Argon2id verification whether or not the account
 * exists. Made once, with the same costs as real hashes. */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[ESEAL_PWHASH_MAX];

static void dummy_make(void)
{
    uint8_t pw[16];
    eseal_random(pw, sizeof(pw));
    if (eseal_pwhash(dummy_hash, pw, sizeof(pw), NULL) != ESEAL_OK)
        dummy_hash[0] = '\0';
}

static void spend_verify_time(const void *pw, size_t len)
{
    pthread_once(&dummy_once, dummy_make);
    eseal_rc burned = eseal_pwhash_verify(dummy_hash, pw, len);
    (void)burned; /* never matches: the dummy's password was thrown away */
}

static eseal_rc bad_login(struct eseal_err *err)
{
    return eseal_err_set(err, ESEAL_E_DENIED, "用户名或密码错误 / wrong username or password");
}

/* random_token fills |out| with TOKEN_RAW_LEN random bytes in base64url. */
static void random_token(char out[ESEAL_STAFF_TOKEN_LEN + 1])
{
    uint8_t raw[TOKEN_RAW_LEN];
    eseal_random(raw, sizeof(raw));
    char *text = eseal_base64(raw, sizeof(raw), ESEAL_B64_URL);
    eseal_wipe(raw, sizeof(raw));
    memcpy(out, text, ESEAL_STAFF_TOKEN_LEN + 1);
    eseal_wipe(text, ESEAL_STAFF_TOKEN_LEN);
    free(text);
}

/* session_put writes |se| under |key|; |sync| as eseal_kv_put's. */
static eseal_rc session_put(const struct eseal_staff_store *s, const uint8_t *key,
                            const struct session *se, bool sync, struct eseal_err *err)
{
    json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:s}", "username", se->username, "role",
                          eseal_staff_role_name(se->role), "created", se->created, "expires",
                          se->expires, "used", se->used, "csrf", se->csrf);
    char *val = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    eseal_rc rc = val != NULL ? eseal_kv_put(s->kv, s->cf_sessions, key, TOKEN_KEY_LEN, val,
                                             strlen(val), sync, err)
                              : eseal_err_set(err, ESEAL_E_INTERNAL, "cannot encode a session");
    free(val);
    return rc;
}

/* session_open stores a new session for |a| and hands out its token. */
static eseal_rc session_open(const struct eseal_staff_store *s,
                             char token[ESEAL_STAFF_TOKEN_LEN + 1],
                             const struct eseal_staff_account *a, time_t now, time_t *expires,
                             struct eseal_err *err)
{
    random_token(token);
    struct session se = {.role = a->role, .created = (json_int_t)now, .used = (json_int_t)now};
    memcpy(se.username, a->username, sizeof(se.username));
    se.expires = (json_int_t)now + session_ttl(s);
    random_token(se.csrf);
    json_int_t until = se.expires;
    uint8_t key[TOKEN_KEY_LEN];
    token_key(key, token);
    eseal_rc rc = session_put(s, key, &se, true, err);
    if (rc != ESEAL_OK)
        eseal_wipe(token, ESEAL_STAFF_TOKEN_LEN + 1);
    else if (expires != NULL)
        *expires = (time_t)until;
    return rc;
}

eseal_rc eseal_staff_login(const struct eseal_staff_store *s, char token[ESEAL_STAFF_TOKEN_LEN + 1],
                           struct eseal_staff_principal *who, time_t *expires, const char *username,
                           const void *password, size_t password_len, time_t now,
                           struct eseal_err *err)
{
    memset(who, 0, sizeof(*who));
    token[0] = '\0';
    struct record r;
    eseal_rc rc = username_ok(username) ? record_load(s, &r, username, err) : ESEAL_E_NOTFOUND;
    if (rc == ESEAL_E_NOTFOUND) {
        spend_verify_time(password, password_len);
        return bad_login(err);
    }
    if (rc != ESEAL_OK)
        return rc;
    rc = eseal_pwhash_verify(r.pwhash, password, password_len);
    eseal_wipe(r.pwhash, sizeof(r.pwhash));
    if (rc != ESEAL_OK)
        return bad_login(err);
    /* Said only after the right password, so it reveals nothing to a guesser. */
    if (r.a.disabled)
        return eseal_err_set(err, ESEAL_E_DENIED, "账号已停用 / account %s is disabled",
                             r.a.username);
    rc = session_open(s, token, &r.a, clock_now(now), expires, err);
    if (rc == ESEAL_OK)
        principal_from(who, &r.a);
    return rc;
}

static eseal_rc no_session(struct eseal_err *err)
{
    return eseal_err_set(err, ESEAL_E_DENIED,
                         "未登录或会话无效，请重新登录 / no valid session: log in");
}

/* session_end deletes a session found stale and denies with |msg|. */
static eseal_rc session_end(const struct eseal_staff_store *s, const uint8_t *key, const char *msg,
                            struct eseal_err *err)
{
    eseal_rc rc = eseal_kv_delete(s->kv, s->cf_sessions, key, TOKEN_KEY_LEN, true, err);
    if (rc != ESEAL_OK)
        return rc;
    return eseal_err_set(err, ESEAL_E_DENIED, "%s", msg);
}

static eseal_rc session_load(const struct eseal_staff_store *s, struct session *se,
                             const uint8_t *key, struct eseal_err *err)
{
    memset(se, 0, sizeof(*se));
    struct eseal_buf val;
    eseal_buf_init(&val);
    eseal_rc rc = eseal_kv_get(s->kv, s->cf_sessions, key, TOKEN_KEY_LEN, &val, err);
    if (rc == ESEAL_OK)
        rc = val.len <= RECORD_MAX ? session_parse(se, val.data, val.len, err)
                                   : corrupt(err, "session");
    eseal_buf_cleanup(&val);
    return rc;
}

eseal_rc eseal_staff_session_check(const struct eseal_staff_store *s,
                                   struct eseal_staff_principal *who, const char *token, time_t now,
                                   struct eseal_err *err)
{
    return eseal_staff_session_resolve(s, who, NULL, token, now, err);
}

/* touch_step is how long a session's last use may lag in the database. */
static json_int_t touch_step(const struct eseal_staff_store *s)
{
    if (s->session_idle == 0 || s->session_idle >= 120)
        return 60;
    return s->session_idle / 2 > 0 ? (json_int_t)(s->session_idle / 2) : 1;
}

eseal_rc eseal_staff_session_resolve(const struct eseal_staff_store *s,
                                     struct eseal_staff_principal *who,
                                     struct eseal_staff_session_info *info, const char *token,
                                     time_t now, struct eseal_err *err)
{
    memset(who, 0, sizeof(*who));
    if (info != NULL)
        memset(info, 0, sizeof(*info));
    now = clock_now(now);
    if (!token_shape_ok(token))
        return no_session(err);
    uint8_t key[TOKEN_KEY_LEN];
    struct session se;
    token_key(key, token);
    eseal_rc rc = session_load(s, &se, key, err);
    if (rc == ESEAL_E_NOTFOUND)
        return no_session(err);
    if (rc != ESEAL_OK)
        return rc;
    if (se.expires <= (json_int_t)now)
        return session_end(s, key, "会话已过期，请重新登录 / session expired: log in again", err);
    if (s->session_idle != 0 && (json_int_t)now - se.used >= (json_int_t)s->session_idle)
        return session_end(s, key,
                           "会话因长时间未操作已结束，请重新登录 / "
                           "session ended after inactivity: log in again",
                           err);
    struct record r;
    rc = record_load(s, &r, se.username, err);
    if (rc == ESEAL_E_NOTFOUND || (rc == ESEAL_OK && (r.a.disabled || r.a.role != se.role)))
        return session_end(s, key,
                           "账号已停用或已变更，请重新登录 / "
                           "the account was disabled or changed: log in again",
                           err);
    if (rc != ESEAL_OK)
        return rc;
    if (s->session_idle != 0 && (json_int_t)now - se.used >= touch_step(s)) {
        /* not synced: losing a last use in a crash only ends a session early */
        se.used = (json_int_t)now;
        rc = session_put(s, key, &se, false, err);
        if (rc != ESEAL_OK)
            return rc;
    }
    principal_from(who, &r.a);
    if (info != NULL) {
        info->created = (time_t)se.created;
        info->expires = (time_t)se.expires;
        if (s->session_idle != 0) {
            json_int_t idle = se.used + s->session_idle;
            info->idle_expires = (time_t)(idle < se.expires ? idle : se.expires);
        }
        memcpy(info->csrf, se.csrf, sizeof(info->csrf));
    }
    return ESEAL_OK;
}

eseal_rc eseal_staff_logout(const struct eseal_staff_store *s, const char *token,
                            struct eseal_err *err)
{
    if (!token_shape_ok(token))
        return ESEAL_OK; /* no such session can exist */
    uint8_t key[TOKEN_KEY_LEN];
    token_key(key, token);
    return eseal_kv_delete(s->kv, s->cf_sessions, key, sizeof(key), true, err);
}

/* session_sweep adds to |b| a delete for every session that is expired at
 * |now| or, when |username| is given, belongs to that account. Unreadable
 * sessions are deleted too: they could never be used. */
static eseal_rc session_sweep(const struct eseal_staff_store *s, struct eseal_kv_batch *b,
                              const char *username, time_t now, struct eseal_err *err)
{
    struct eseal_kv_iter *it = eseal_kv_iter_new(s->kv, s->cf_sessions);
    if (it == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "staff store: bad column family %u",
                             s->cf_sessions);
    for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t klen, vlen;
        const uint8_t *k = eseal_kv_iter_key(it, &klen);
        const uint8_t *v = eseal_kv_iter_value(it, &vlen);
        struct session se;
        bool drop = vlen > RECORD_MAX || session_parse(&se, v, vlen, NULL) != ESEAL_OK;
        if (!drop && username != NULL)
            drop = strcmp(se.username, username) == 0;
        if (!drop && username == NULL)
            drop = se.expires <= (json_int_t)now ||
                   (s->session_idle != 0 && (json_int_t)now - se.used >= s->session_idle);
        if (drop)
            eseal_kv_batch_delete(b, s->cf_sessions, k, klen);
    }
    eseal_rc rc = eseal_kv_iter_status(it, err);
    eseal_kv_iter_free(it);
    return rc;
}

eseal_rc eseal_staff_session_purge(const struct eseal_staff_store *s, time_t now, size_t *n_removed,
                                   struct eseal_err *err)
{
    struct eseal_kv_batch *b = eseal_kv_batch_new(s->kv);
    eseal_rc rc = session_sweep(s, b, NULL, clock_now(now), err);
    size_t n = eseal_kv_batch_count(b);
    if (rc == ESEAL_OK && n > 0)
        rc = eseal_kv_write(s->kv, b, true, err);
    eseal_kv_batch_free(b);
    if (n_removed != NULL)
        *n_removed = rc == ESEAL_OK ? n : 0;
    return rc;
}

eseal_rc eseal_staff_logout_all(const struct eseal_staff_store *s, const char *username,
                                struct eseal_err *err)
{
    struct eseal_kv_batch *b = eseal_kv_batch_new(s->kv);
    eseal_rc rc = session_sweep(s, b, username, 0, err);
    if (rc == ESEAL_OK && eseal_kv_batch_count(b) > 0)
        rc = eseal_kv_write(s->kv, b, true, err);
    eseal_kv_batch_free(b);
    return rc;
}

/* disable_locked does the work of eseal_staff_disable under write_lock. */
static eseal_rc disable_locked(const struct eseal_staff_store *s, const char *username,
                               struct eseal_err *err)
{
    struct record r;
    eseal_rc rc = record_load(s, &r, username, err);
    if (rc == ESEAL_E_NOTFOUND)
        return no_account(err, username);
    if (rc != ESEAL_OK || r.a.disabled)
        return rc;
    if (r.a.role == ESEAL_ROLE_ADMIN) {
        size_t n;
        rc = count_admins(s, true, &n, err);
        if (rc != ESEAL_OK)
            return rc;
        if (n <= 1)
            return eseal_err_set(err, ESEAL_E_CONFLICT,
                                 "不能停用最后一个启用的管理员 / "
                                 "cannot disable the last enabled admin");
    }
    r.a.disabled = true;
    struct eseal_kv_batch *b = eseal_kv_batch_new(s->kv);
    rc = record_put(s, b, &r, err);
    if (rc == ESEAL_OK)
        rc = session_sweep(s, b, username, 0, err);
    if (rc == ESEAL_OK)
        rc = eseal_kv_write(s->kv, b, true, err);
    eseal_kv_batch_free(b);
    return rc;
}

eseal_rc eseal_staff_disable(const struct eseal_staff_store *s, const char *username,
                             struct eseal_err *err)
{
    if (!username_ok(username))
        return no_account(err, username != NULL ? username : "");
    pthread_mutex_lock(&write_lock);
    eseal_rc rc = disable_locked(s, username, err);
    pthread_mutex_unlock(&write_lock);
    return rc;
}

/* last_admin refuses to take the admin role from the last enabled admin. */
static eseal_rc last_admin(const struct eseal_staff_store *s, const struct record *r,
                           enum eseal_staff_role to, struct eseal_err *err)
{
    if (r->a.role != ESEAL_ROLE_ADMIN || to == ESEAL_ROLE_ADMIN || r->a.disabled)
        return ESEAL_OK;
    size_t n;
    eseal_rc rc = count_admins(s, true, &n, err);
    if (rc == ESEAL_OK && n <= 1)
        rc = eseal_err_set(err, ESEAL_E_CONFLICT,
                           "不能变更最后一个启用的管理员的角色 / "
                           "cannot change the role of the last enabled admin");
    return rc;
}

/* set_role_locked does the work of eseal_staff_set_role under write_lock. */
static eseal_rc set_role_locked(const struct eseal_staff_store *s,
                                const struct eseal_staff_spec *spec, struct record *r,
                                struct eseal_err *err)
{
    eseal_rc rc = record_load(s, r, spec->username, err);
    if (rc == ESEAL_E_NOTFOUND)
        return no_account(err, spec->username);
    if (rc == ESEAL_OK)
        rc = last_admin(s, r, spec->role, err);
    if (rc != ESEAL_OK)
        return rc;
    r->a.role = spec->role;
    copy_in(r->a.unit, sizeof(r->a.unit), given(spec->unit) ? spec->unit : "");
    copy_in(r->a.city, sizeof(r->a.city), given(spec->city) ? spec->city : "");
    if (spec->role != ESEAL_ROLE_AGENT) /* the unit register goes with the agent role */
        r->a.office[0] = r->a.leader[0] = '\0';
    struct eseal_kv_batch *b = eseal_kv_batch_new(s->kv);
    rc = record_put(s, b, r, err);
    if (rc == ESEAL_OK)
        rc = session_sweep(s, b, spec->username, 0, err);
    if (rc == ESEAL_OK)
        rc = eseal_kv_write(s->kv, b, true, err);
    eseal_kv_batch_free(b);
    return rc;
}

eseal_rc eseal_staff_set_role(const struct eseal_staff_store *s,
                              const struct eseal_staff_spec *spec, struct eseal_staff_account *out,
                              struct eseal_err *err)
{
    if (!username_ok(spec->username))
        return no_account(err, spec->username != NULL ? spec->username : "");
    if (spec->role <= ESEAL_ROLE_PUBLIC || spec->role >= ESEAL_ROLE_COUNT)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "role: 角色须为 agent、aggregator、maker、reviewer 或 admin / "
                             "role must be agent, aggregator, maker, reviewer or admin");
    eseal_rc rc = check_scope(spec, err);
    if (rc != ESEAL_OK)
        return rc;
    struct record r;
    pthread_mutex_lock(&write_lock);
    rc = set_role_locked(s, spec, &r, err);
    pthread_mutex_unlock(&write_lock);
    eseal_wipe(r.pwhash, sizeof(r.pwhash));
    if (rc == ESEAL_OK && out != NULL)
        *out = r.a;
    return rc;
}

/* enable_locked does the work of eseal_staff_enable under write_lock. */
static eseal_rc enable_locked(const struct eseal_staff_store *s, const char *username,
                              struct eseal_err *err)
{
    struct record r;
    eseal_rc rc = record_load(s, &r, username, err);
    if (rc == ESEAL_E_NOTFOUND)
        rc = no_account(err, username);
    if (rc == ESEAL_OK && r.a.disabled) {
        r.a.disabled = false;
        rc = record_put(s, NULL, &r, err);
    }
    eseal_wipe(r.pwhash, sizeof(r.pwhash));
    return rc;
}

eseal_rc eseal_staff_enable(const struct eseal_staff_store *s, const char *username,
                            struct eseal_err *err)
{
    if (!username_ok(username))
        return no_account(err, username != NULL ? username : "");
    pthread_mutex_lock(&write_lock);
    eseal_rc rc = enable_locked(s, username, err);
    pthread_mutex_unlock(&write_lock);
    return rc;
}

/* set_password stores |hash| as |username|'s password hash, if |old| is
 * not NULL only while the stored hash still equals it (a concurrent change
 * wins), and with |end_sessions| deletes the account's sessions in the same
 * write. */
static eseal_rc set_password(const struct eseal_staff_store *s, const char *username,
                             const char *old, const char *hash, bool end_sessions,
                             struct eseal_err *err)
{
    pthread_mutex_lock(&write_lock);
    struct record r;
    eseal_rc rc = record_load(s, &r, username, err);
    if (rc == ESEAL_E_NOTFOUND)
        rc = no_account(err, username);
    if (rc == ESEAL_OK && old != NULL && strcmp(old, r.pwhash) != 0)
        rc = eseal_err_set(err, ESEAL_E_CONFLICT,
                           "密码刚被修改，请重试 / the password changed meanwhile: try again");
    struct eseal_kv_batch *b = eseal_kv_batch_new(s->kv);
    if (rc == ESEAL_OK) {
        copy_in(r.pwhash, sizeof(r.pwhash), hash);
        rc = record_put(s, b, &r, err);
    }
    if (rc == ESEAL_OK && end_sessions)
        rc = session_sweep(s, b, username, 0, err);
    if (rc == ESEAL_OK)
        rc = eseal_kv_write(s->kv, b, true, err);
    eseal_kv_batch_free(b);
    eseal_wipe(r.pwhash, sizeof(r.pwhash));
    pthread_mutex_unlock(&write_lock);
    return rc;
}

eseal_rc eseal_staff_passwd(const struct eseal_staff_store *s, const char *username,
                            const void *old, size_t old_len, const void *new_pw, size_t new_len,
                            struct eseal_err *err)
{
    struct record r;
    eseal_rc rc = username_ok(username) ? record_load(s, &r, username, err) : ESEAL_E_NOTFOUND;
    if (rc == ESEAL_E_NOTFOUND) {
        spend_verify_time(old, old_len);
        return no_account(err, username != NULL ? username : "");
    }
    if (rc != ESEAL_OK)
        return rc;
    char hash[ESEAL_PWHASH_MAX];
    if (eseal_pwhash_verify(r.pwhash, old, old_len) != ESEAL_OK)
        rc = eseal_err_set(err, ESEAL_E_DENIED, "old_password: 原密码错误 / wrong old password");
    else if (old_len == new_len && memcmp(old, new_pw, old_len) == 0)
        rc = eseal_err_set(err, ESEAL_E_INVALID,
                           "new_password: 新密码须与原密码不同 / the new password must differ "
                           "from the old one");
    if (rc == ESEAL_OK)
        rc = check_password(username, new_pw, new_len, err);
    if (rc == ESEAL_OK)
        rc = eseal_pwhash(hash, new_pw, new_len, err);
    if (rc == ESEAL_OK)
        rc = set_password(s, username, r.pwhash, hash, false, err);
    eseal_wipe(r.pwhash, sizeof(r.pwhash));
    eseal_wipe(hash, sizeof(hash));
    return rc;
}

eseal_rc eseal_staff_reset(const struct eseal_staff_store *s, const char *username,
                           const void *new_pw, size_t new_len, struct eseal_err *err)
{
    if (!username_ok(username))
        return no_account(err, username != NULL ? username : "");
    char hash[ESEAL_PWHASH_MAX];
    eseal_rc rc = check_password(username, new_pw, new_len, err);
    if (rc == ESEAL_OK)
        rc = eseal_pwhash(hash, new_pw, new_len, err);
    if (rc == ESEAL_OK)
        rc = set_password(s, username, NULL, hash, true, err);
    eseal_wipe(hash, sizeof(hash));
    return rc;
}

/* session_cmp orders session views by creation time. */
static int session_cmp(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "t"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "t"));
    return x < y ? -1 : x > y;
}

eseal_rc eseal_staff_sessions(const struct eseal_staff_store *s, const char *username, time_t now,
                              json_t **out, struct eseal_err *err)
{
    *out = NULL;
    struct eseal_kv_iter *it = eseal_kv_iter_new(s->kv, s->cf_sessions);
    if (it == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "staff store: bad column family %u",
                             s->cf_sessions);
    json_int_t t = (json_int_t)clock_now(now);
    json_t *list = json_array();
    for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t vlen;
        const uint8_t *v = eseal_kv_iter_value(it, &vlen);
        struct session se;
        if (vlen > RECORD_MAX || session_parse(&se, v, vlen, NULL) != ESEAL_OK || se.expires <= t ||
            (s->session_idle != 0 && t - se.used >= s->session_idle) ||
            (username != NULL && strcmp(se.username, username) != 0))
            continue;
        char created[32], expires[32];
        eseal_json_time_format(created, sizeof(created), (int64_t)se.created, -1);
        eseal_json_time_format(expires, sizeof(expires), (int64_t)se.expires, -1);
        json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:I}", "username", se.username,
                                              "role", eseal_staff_role_name(se.role), "created",
                                              created, "expires", expires, "t", se.created));
    }
    eseal_rc rc = eseal_kv_iter_status(it, err);
    eseal_kv_iter_free(it);
    if (rc != ESEAL_OK) {
        json_decref(list);
        return rc;
    }
    size_t n = json_array_size(list);
    json_t **items = eseal_xcalloc(n + 1, sizeof(*items));
    for (size_t i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(list, i));
    qsort(items, n, sizeof(*items), session_cmp);
    json_array_clear(list);
    for (size_t i = 0; i < n; i++) {
        json_object_del(items[i], "t");
        json_array_append_new(list, items[i]);
    }
    free(items);
    *out = list;
    return ESEAL_OK;
}

/* ---- first start ---- */

static eseal_rc create_admin(const struct eseal_staff_store *s, const void *pw, size_t len,
                             struct eseal_err *err)
{
    struct eseal_staff_spec spec = {.username = ESEAL_STAFF_ADMIN_USERNAME,
                                    .role = ESEAL_ROLE_ADMIN};
    return eseal_staff_create(s, NULL, &spec, pw, len, err);
}

/* bootstrap_generated writes a fresh password to <data_dir>/admin.password
 * first and only then creates the account, so a failure leaves either
 * nothing or a file (removed again here) — never an admin whose password
 * nobody knows. */
static eseal_rc bootstrap_generated(const struct eseal_staff_store *s, const char *data_dir,
                                    struct eseal_err *err)
{
    uint8_t raw[ADMIN_PW_RAW_LEN];
    eseal_random(raw, sizeof(raw));
    char *pw = eseal_base64(raw, sizeof(raw), ESEAL_B64_URL);
    eseal_wipe(raw, sizeof(raw));
    size_t len = strlen(pw);
    char *line = eseal_xasprintf("%s\n", pw);
    char *path = eseal_path_join(data_dir, ESEAL_STAFF_ADMIN_FILE);

    eseal_rc rc = eseal_file_write(path, line, len + 1, 0600, 1, err);
    if (rc == ESEAL_E_CONFLICT)
        rc = eseal_err_set(err, rc,
                           "%s 已存在但没有管理员账号：请核查后删除此文件 / %s exists but there "
                           "is no admin account: check it, remove it and start again",
                           path, path);
    if (rc == ESEAL_OK) {
        rc = create_admin(s, pw, len, err);
        if (rc != ESEAL_OK)
            unlink(path);
    }
    eseal_wipe(line, len + 1);
    eseal_wipe(pw, len);
    free(line);
    free(pw);
    free(path);
    return rc;
}

/* bootstrap_new_admin creates `admin` from the environment or a generated
 * password; called only when no admin account exists. */
static eseal_rc bootstrap_new_admin(const struct eseal_staff_store *s, const char *data_dir,
                                    enum eseal_staff_bootstrap_result *how, struct eseal_err *err)
{
    struct eseal_buf pw;
    eseal_buf_init(&pw);
    eseal_rc rc = eseal_read_secret(&pw, NULL, ESEAL_STAFF_ADMIN_ENV, NULL);
    if (rc == ESEAL_OK) {
        rc = create_admin(s, pw.data, pw.len, err);
        if (rc != ESEAL_OK)
            eseal_err_prefix(err, "%s", ESEAL_STAFF_ADMIN_ENV);
        *how = ESEAL_STAFF_BOOT_ENV;
    } else if (rc == ESEAL_E_INVALID) { /* unset or empty: make one up */
        rc = bootstrap_generated(s, data_dir, err);
        *how = ESEAL_STAFF_BOOT_FILE;
    } else {
        rc = eseal_err_set(err, rc, "%s: 太长 / too long", ESEAL_STAFF_ADMIN_ENV);
    }
    eseal_buf_cleanse(&pw);
    return rc;
}

eseal_rc eseal_staff_bootstrap(const struct eseal_staff_store *s, const char *data_dir,
                               enum eseal_staff_bootstrap_result *how, struct eseal_err *err)
{
    enum eseal_staff_bootstrap_result result = ESEAL_STAFF_BOOT_EXISTING;
    size_t n = 0;
    eseal_rc rc = count_admins(s, false, &n, err);
    if (rc == ESEAL_OK && n == 0)
        rc = bootstrap_new_admin(s, data_dir, &result, err);
    if (how != NULL)
        *how = rc == ESEAL_OK ? result : ESEAL_STAFF_BOOT_EXISTING;
    return rc;
}

const char *eseal_staff_bearer(const char *authorization)
{
    if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
        return NULL;
    const char *t = authorization + 7;
    while (*t == ' ')
        t++;
    return *t != '\0' ? t : NULL;
}
