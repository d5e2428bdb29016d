/* staff.h — issuer staff accounts, login sessions and permissions: who may
 * call which issuer action, and which submissions a caller may see.
 *
 * Accounts and sessions live in two column families of a RocksDB database the
 * daemon opens and owns; this module only borrows the handle. Passwords are
 * kept as Argon2id hashes; a session is a random bearer token of which only
 * the SHA-256 is stored. The permission table and the role rules are the one
 * place the issuer decides "may this caller do this". See docs/staff.md. */
#ifndef ESEAL_ISSUER_STAFF_H
#define ESEAL_ISSUER_STAFF_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "eseal/issuer.h"
#include "eseal/kv.h"
#include "eseal/rc.h"

/* Roles. ESEAL_ROLE_PUBLIC is "no session": it is never an account's role,
 * and it is zero so that a zero-initialised principal has the least rights. */
enum eseal_staff_role {
    ESEAL_ROLE_PUBLIC = 0, /* 公众: anyone, unauthenticated */
    ESEAL_ROLE_AGENT,      /* 经办人: an applying unit's agent */
    ESEAL_ROLE_AGGREGATOR, /* 汇总单位: a city's aggregator (设区市数字办, 平潭) */
    ESEAL_ROLE_MAKER,      /* 制作员: registers, checks, produces, hands over */
    ESEAL_ROLE_REVIEWER,   /* 审核员: approves or rejects */
    ESEAL_ROLE_ADMIN,      /* 管理员: staff administration, audit */
    ESEAL_ROLE_COUNT
};

/* Actions: one per issuer API operation (docs/staff.md lists the routes). */
enum eseal_staff_action {
    ESEAL_ACTION_SESSION_LOGIN = 0, /* POST   /api/v1/session */
    ESEAL_ACTION_SESSION_LOGOUT,    /* DELETE /api/v1/session */
    ESEAL_ACTION_STAFF_CREATE,      /* POST   /api/v1/staff */
    ESEAL_ACTION_STAFF_LIST,        /* GET    /api/v1/staff */
    ESEAL_ACTION_STAFF_DISABLE,     /* disabling an account */
    ESEAL_ACTION_SUBMISSION_CREATE,
    ESEAL_ACTION_SUBMISSION_LIST,
    ESEAL_ACTION_SUBMISSION_GET,
    ESEAL_ACTION_SUBMISSION_UPLOAD, /* attach materials */
    ESEAL_ACTION_SUBMISSION_SUBMIT,
    ESEAL_ACTION_SUBMISSION_REGISTER,
    ESEAL_ACTION_SUBMISSION_REVIEW,
    ESEAL_ACTION_SUBMISSION_PRODUCE,
    ESEAL_ACTION_SUBMISSION_HANDOVER,
    ESEAL_ACTION_SEAL_GET,
    ESEAL_ACTION_SEAL_DOWNLOAD,
    ESEAL_ACTION_SEAL_SUSPEND,   /* loss reported: suspend at once */
    ESEAL_ACTION_SEAL_REINSTATE, /* the lost key found: good again */
    ESEAL_ACTION_AUDIT_READ,
    ESEAL_ACTION_LOG_READ,    /* the public transparency log */
    ESEAL_ACTION_SEAL_PUBLIC, /* GET /public/seals/{esID}/{version}/seal.esl */
    /* staff administration beyond create/list/disable (docs/staff.md) and
     * one's own password; notifications (the unit's agent and aggregator) */
    ESEAL_ACTION_STAFF_ENABLE,
    ESEAL_ACTION_STAFF_RESET,
    ESEAL_ACTION_STAFF_SESSIONS,
    ESEAL_ACTION_SESSION_PASSWD,
    ESEAL_ACTION_NOTIFICATION_LIST,
    ESEAL_ACTION_NOTIFICATION_READ,
    ESEAL_ACTION_BATCH_MANAGE,  /* an aggregator's batches: create, add, summary, submit */
    ESEAL_ACTION_BATCH_GET,     /* reading a batch */
    ESEAL_ACTION_STAFF_ROLE,    /* changing an account's role (and unit or city) */
    ESEAL_ACTION_SESSION_GET,   /* GET /api/v1/session: who am I */
    ESEAL_ACTION_CONSOLE,       /* the console's static files, /console/ */
    ESEAL_ACTION_QUEUES_READ,   /* GET /api/v1/queues: the centre's work queues */
    ESEAL_ACTION_OVERVIEW_READ, /* GET /api/v1/overview */
    ESEAL_ACTION_CATALOG_READ,  /* GET /api/v1/catalog: reference data for forms */
    ESEAL_ACTION_OPS_READ,      /* GET /metrics and /healthz */
    ESEAL_ACTION_BACKUP,        /* POST /api/v1/backup: a checkpoint of the store */
    ESEAL_ACTION_COUNT
};

#define ESEAL_STAFF_USERNAME_MAX 64                /* 1..64 of [a-z0-9._-] */
#define ESEAL_STAFF_ID_LEN 19                      /* "st:" and 16 hex digits */
#define ESEAL_STAFF_UNIT_LEN 18                    /* a USCC */
#define ESEAL_STAFF_CITY_LEN 6                     /* a GB/T 2260 city code */
#define ESEAL_STAFF_TIME_LEN 20                    /* "YYYY-MM-DDTHH:MM:SSZ" */
#define ESEAL_STAFF_EMAIL_MAX 254                  /* for notification mail (RFC 5321) */
#define ESEAL_STAFF_PASSWORD_MIN 10                /* characters (UTF-8 code points) */
#define ESEAL_STAFF_PASSWORD_MAX 1024              /* bytes */
#define ESEAL_STAFF_TOKEN_LEN 43                   /* base64url of 32 random bytes, no padding */
#define ESEAL_STAFF_SESSION_TTL_DEFAULT (8 * 3600) /* seconds */
#define ESEAL_STAFF_SESSION_IDLE_DEFAULT 1800      /* seconds */
#define ESEAL_STAFF_ADMIN_USERNAME "admin"
#define ESEAL_STAFF_ADMIN_ENV "ESEAL_ADMIN_PASSWORD"
#define ESEAL_STAFF_ADMIN_FILE "admin.password"

/* An agent's unit register (the guide's 主管处室 and 分管领导): at most
 * ESEAL_STAFF_NOTE_CHARS characters each, so ESEAL_STAFF_NOTE_MAX bytes of UTF-8. */
#define ESEAL_STAFF_NOTE_CHARS 50
#define ESEAL_STAFF_NOTE_MAX (ESEAL_STAFF_NOTE_CHARS * 4)

/* struct eseal_staff_store says where accounts and sessions live. Caller-owned
 * plain configuration: |kv| is borrowed and must stay open while the store is
 * used. Safe to use from several threads at once (RocksDB is; account writes
 * are serialised inside this module). */
struct eseal_staff_store {
    struct eseal_kv *kv;
    unsigned cf_staff;    /* username -> account JSON */
    unsigned cf_sessions; /* SHA-256(token) -> session JSON */
    unsigned session_ttl; /* seconds; 0 means ESEAL_STAFF_SESSION_TTL_DEFAULT */
    /* seconds a session may go unused before it ends; 0 means no idle limit
     * (the daemon's configuration gives ESEAL_STAFF_SESSION_IDLE_DEFAULT) */
    unsigned session_idle;
};

/* struct eseal_staff_session_info is what a session says about itself
 * besides its principal. Caller-owned, no pointers. |idle_expires| is when
 * it ends if unused from now on (0 without an idle limit). |csrf| is the
 * session's CSRF token: random, kept with the session, the same for its
 * whole life ("" for a session opened before CSRF tokens existed). */
struct eseal_staff_session_info {
    time_t created, expires, idle_expires;
    char csrf[ESEAL_STAFF_TOKEN_LEN + 1];
};

/* struct eseal_staff_principal is who is calling: the result of checking a
 * session. Caller-owned, no pointers; all zero means ESEAL_ROLE_PUBLIC. */
struct eseal_staff_principal {
    char username[ESEAL_STAFF_USERNAME_MAX + 1];
    /* the account's opaque staff id: what the public log names ("" for a
     * principal that is not an account, such as the daemon itself) */
    char id[ESEAL_STAFF_ID_LEN + 1];
    enum eseal_staff_role role;
    char unit[ESEAL_STAFF_UNIT_LEN + 1]; /* agents: their unit's USCC; else "" */
    char city[ESEAL_STAFF_CITY_LEN + 1]; /* aggregators: their city code; else "" */
};

/* struct eseal_staff_account is an account as shown to an admin: everything
 * but the password hash. Caller-owned, no pointers. */
struct eseal_staff_account {
    char username[ESEAL_STAFF_USERNAME_MAX + 1];
    /* opaque staff id ("st:" and 16 random hex digits), given at creation
     * (or by eseal_staff_migrate_ids) and never changed: the public log
     * names staff by it, never by username (docs/log-events.md) */
    char id[ESEAL_STAFF_ID_LEN + 1];
    enum eseal_staff_role role;
    char unit[ESEAL_STAFF_UNIT_LEN + 1];
    char city[ESEAL_STAFF_CITY_LEN + 1];
    char created[ESEAL_STAFF_TIME_LEN + 1]; /* UTC, ISO 8601 */
    bool disabled;
    char email[ESEAL_STAFF_EMAIL_MAX + 1]; /* where notifications are mailed; "" none */
    char office[ESEAL_STAFF_NOTE_MAX + 1]; /* agents: the unit's 主管处室; "" none */
    char leader[ESEAL_STAFF_NOTE_MAX + 1]; /* agents: the unit's 分管领导; "" none */
};

/* struct eseal_staff_spec describes an account to create. The strings are
 * borrowed for the call. |unit| and |city| may be NULL or "" when the role
 * does not take them. */
struct eseal_staff_spec {
    const char *username;
    enum eseal_staff_role role;
    const char *unit; /* required for agents, refused for others */
    const char *city; /* required for aggregators, refused for others */
    /* optional: where notifications are mailed (agents, aggregators) */
    const char *email;
    /* optional, agents only: the unit's responsible office (主管处室) and
     * leader in charge (分管领导), as the guide records them with the account */
    const char *office;
    const char *leader;
};

/* eseal_staff_role_name returns the stable key of |role| ("agent", …,
 * "public"); eseal_staff_role_name_zh its Chinese name (经办人, …). Static
 * storage; "invalid" / "无效" for a value out of range. */
const char *eseal_staff_role_name(enum eseal_staff_role role);
const char *eseal_staff_role_name_zh(enum eseal_staff_role role);

/* eseal_staff_role_parse sets *out to the account role named |name| (one of
 * the five account roles; "public" is not accepted) and returns true, or
 * returns false and leaves *out alone. */
bool eseal_staff_role_parse(enum eseal_staff_role *out, const char *name);

/* eseal_staff_action_name returns the stable key of |action|
 * ("submission.review", …). Static storage; "invalid" when out of range. */
const char *eseal_staff_action_name(enum eseal_staff_action action);

/* eseal_staff_allowed is the permission table: may a caller with |role| call
 * |action| at all? Scoping (whose submission) is checked separately with
 * eseal_staff_can_see_submission and eseal_staff_can_review. Values out of
 * range are denied. */
bool eseal_staff_allowed(enum eseal_staff_role role, enum eseal_staff_action action);

/* eseal_staff_can_see_submission tells whether |who| may see a submission (or
 * a seal) of the unit |unit_uscc| in the city |city_code| (the 设区市 code
 * the submission was filed under: 350128 for Pingtan). Agents see only their
 * unit's, aggregators only their city's; makers, reviewers and admins see all;
 * the public sees none. NULL arguments never match. */
bool eseal_staff_can_see_submission(const struct eseal_staff_principal *who, const char *unit_uscc,
                                    const char *city_code);

/* eseal_staff_can_review tells whether |who| may review a submission that the
 * maker |registered_by| (the actor id of its registration: an opaque staff id,
 * or a username in older entries) registered: only a reviewer, and never the
 * registering maker (so the answer stays right even if one person held both roles under
 * one name). A submission not yet registered (NULL or "") cannot be reviewed. */
bool eseal_staff_can_review(const struct eseal_staff_principal *who, const char *registered_by);

/* eseal_staff_create validates |spec| and |password| and stores a new enabled
 * account. Rules (ESEAL_E_INVALID, with a Chinese-and-English message naming
 * the field and the rule): username 1..64 of [a-z0-9._-]; an account role;
 * agents need a well-formed USCC unit, aggregators a city code (six digits
 * ending in 00 but not a province's 0000, or 350128 for Pingtan), other roles
 * take neither; the password has at least ESEAL_STAFF_PASSWORD_MIN characters,
 * at most ESEAL_STAFF_PASSWORD_MAX bytes and differs from the username (any
 * case). An existing username is ESEAL_E_CONFLICT. Who may create accounts
 * is the caller's check (ESEAL_ACTION_STAFF_CREATE). On success |out| (may be
 * NULL) receives the new account. The password is not kept. */
eseal_rc eseal_staff_create(const struct eseal_staff_store *s, struct eseal_staff_account *out,
                            const struct eseal_staff_spec *spec, const void *password,
                            size_t password_len, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_create_json is eseal_staff_create for the body of
 * POST /api/v1/staff: {"username","password","role","unit"?,"city"?,"email"?}, all
 * strings. Unknown keys and wrong types are ESEAL_E_INVALID naming the key.
 * |body| stays the caller's (the password in it is not wiped here). */
eseal_rc eseal_staff_create_json(const struct eseal_staff_store *s, struct eseal_staff_account *out,
                                 const json_t *body, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_record_save copies the stored account |username| (as stored,
 * password hash included) into |saved| (the caller's, cleaned up with
 * eseal_buf_cleanup); *found is false when there is none. With
 * eseal_staff_record_restore it undoes a change whose log entry could not
 * be committed (the workflow writes an account before its log entry). */
eseal_rc eseal_staff_record_save(const struct eseal_staff_store *s, const char *username,
                                 struct eseal_buf *saved, bool *found,
                                 struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_record_restore puts back what eseal_staff_record_save copied:
 * the account as it was, or none when !found. Sessions a change ended stay
 * ended. */
eseal_rc eseal_staff_record_restore(const struct eseal_staff_store *s, const char *username,
                                    const struct eseal_buf *saved, bool found,
                                    struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_get copies the account |username| into |out|; a missing one is
 * ESEAL_E_NOTFOUND. */
eseal_rc eseal_staff_get(const struct eseal_staff_store *s, struct eseal_staff_account *out,
                         const char *username, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_list returns every account in username order as a new array in
 * *out (free() it; NULL when there are none) with its length in *n_out. */
eseal_rc eseal_staff_list(const struct eseal_staff_store *s, struct eseal_staff_account **out,
                          size_t *n_out, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_disable disables |username| and ends all its sessions, in one
 * atomic write. Disabling a disabled account is ESEAL_OK. Disabling the last
 * enabled admin is ESEAL_E_CONFLICT (nobody could administer staff again);
 * a missing account ESEAL_E_NOTFOUND. */
eseal_rc eseal_staff_disable(const struct eseal_staff_store *s, const char *username,
                             struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_set_role gives |spec->username| the role, unit and city of
 * |spec| (the rules of eseal_staff_create; email and password unchanged)
 * and ends all its sessions in the same write, so the person logs in again
 * under the new role. Demoting the last enabled admin is ESEAL_E_CONFLICT;
 * an unknown account ESEAL_E_NOTFOUND. *out (may be NULL) is the account. */
eseal_rc eseal_staff_set_role(const struct eseal_staff_store *s,
                              const struct eseal_staff_spec *spec, struct eseal_staff_account *out,
                              struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_enable enables |username| again (its password unchanged).
 * Enabling an enabled account is ESEAL_OK; a missing one ESEAL_E_NOTFOUND. */
eseal_rc eseal_staff_enable(const struct eseal_staff_store *s, const char *username,
                            struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_passwd changes |username|'s own password: |old| must be the
 * current one (else ESEAL_E_DENIED, after the same Argon2id time), |new_pw|
 * must meet the password rules (ESEAL_E_INVALID) and differ from |old|.
 * The account's sessions stay. Neither password is kept. */
eseal_rc eseal_staff_passwd(const struct eseal_staff_store *s, const char *username,
                            const void *old, size_t old_len, const void *new_pw, size_t new_len,
                            struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_reset sets |username|'s password to |new_pw| (an admin's
 * reset: no old password) and ends all its sessions in the same write. */
eseal_rc eseal_staff_reset(const struct eseal_staff_store *s, const char *username,
                           const void *new_pw, size_t new_len,
                           struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_sessions returns in *out (new, the caller's) the unexpired
 * sessions at |now| (0: now), of |username| only when it is not NULL:
 * [{"username","role","created","expires"}], oldest first. No token, nor
 * anything a token could be made from, is shown. */
eseal_rc eseal_staff_sessions(const struct eseal_staff_store *s, const char *username, time_t now,
                              json_t **out, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_account_json returns a new JSON object for |a| (no password
 * hash): {"username","role","unit"?,"city"?,"email"?,"created","disabled"}. The caller
 * owns the reference. */
json_t *eseal_staff_account_json(const struct eseal_staff_account *a);

/* eseal_staff_migrate_ids gives every account stored without an opaque
 * staff id (written before ids existed) a new one; *n_given (may be NULL)
 * says how many. Run once on start, before the accounts are used. */
eseal_rc eseal_staff_migrate_ids(const struct eseal_staff_store *s, size_t *n_given,
                                 struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_username_of copies into |username| the username of the
 * account whose opaque id is |id| (ESEAL_E_NOTFOUND if none). A scan of the
 * accounts: meant for admin views, not for every request. */
eseal_rc eseal_staff_username_of(const struct eseal_staff_store *s,
                                 char username[ESEAL_STAFF_USERNAME_MAX + 1], const char *id,
                                 struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_is_actor is true when |actor_id| (a log entry's
 * actor.id: an opaque staff id, or a username in entries written before
 * ids existed) names the account of |who|. */
bool eseal_staff_is_actor(const struct eseal_staff_principal *who, const char *actor_id);

/* eseal_staff_bootstrap makes sure an admin exists. If no account has the
 * admin role, it creates `admin` with the password in the environment
 * variable ESEAL_ADMIN_PASSWORD (which must meet the password rules), or
 * else with a generated one (20 base64url characters, 120 random bits)
 * written with a newline to <data_dir>/admin.password, mode 0600, refusing to
 * overwrite an existing file (ESEAL_E_CONFLICT: a stale file from an earlier
 * start must be looked at by a person). On success *how (may be NULL) says
 * what happened. The password is never printed or put in |err|. */
eseal_rc eseal_staff_bootstrap(const struct eseal_staff_store *s, const char *data_dir,
                               enum eseal_staff_bootstrap_result *how,
                               struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_login checks |username| and |password| and opens a session.
 * On success |token| receives the new bearer token (ESEAL_STAFF_TOKEN_LEN
 * characters and a NUL; it is not stored anywhere, so this is the only copy:
 * wipe it once sent), |who| the principal and |expires| (may be NULL) when
 * the session ends. A wrong password, an unknown or malformed username all
 * give the same ESEAL_E_DENIED and take the same Argon2id time; a disabled
 * account with the right password is ESEAL_E_DENIED saying so. |now| is the
 * current time, 0 meaning time(NULL) (tests pass their own clock). On
 * failure |token| is "" and |who| the public principal. */
eseal_rc eseal_staff_login(const struct eseal_staff_store *s, char token[ESEAL_STAFF_TOKEN_LEN + 1],
                           struct eseal_staff_principal *who, time_t *expires, const char *username,
                           const void *password, size_t password_len, time_t now,
                           struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_session_check turns the bearer |token| into the principal |who|.
 * A malformed or unknown token, an expired session (which is deleted), and a
 * session whose account is gone, disabled or changed role (also deleted) are
 * ESEAL_E_DENIED. On any failure |who| is the public principal. |now| as for
 * eseal_staff_login. */
eseal_rc eseal_staff_session_check(const struct eseal_staff_store *s,
                                   struct eseal_staff_principal *who, const char *token, time_t now,
                                   struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_session_resolve is eseal_staff_session_check that also fills
 * |info| (may be NULL) and enforces the store's idle limit: a session unused
 * for session_idle seconds or more is deleted and ESEAL_E_DENIED. Each
 * successful call is a use: it moves the session's last use to |now|, but
 * writes it to the database at most once a minute (more often only when
 * session_idle is under two minutes: every session_idle/2 seconds), so the
 * idle limit is exact to within that step. */
eseal_rc eseal_staff_session_resolve(const struct eseal_staff_store *s,
                                     struct eseal_staff_principal *who,
                                     struct eseal_staff_session_info *info, const char *token,
                                     time_t now, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_logout_all ends every session of the account |username|, in
 * one atomic write; an account without sessions is ESEAL_OK. */
eseal_rc eseal_staff_logout_all(const struct eseal_staff_store *s, const char *username,
                                struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_logout ends the session of |token|. An unknown token is
 * ESEAL_OK too: logging out twice is harmless. */
eseal_rc eseal_staff_logout(const struct eseal_staff_store *s, const char *token,
                            struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_session_purge deletes every session expired at |now| (0: now)
 * and reports how many in *n_removed (may be NULL). Expired sessions are
 * refused anyway; this only reclaims their space (call it periodically). */
eseal_rc eseal_staff_session_purge(const struct eseal_staff_store *s, time_t now, size_t *n_removed,
                                   struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_staff_bearer returns the token in an "Authorization: Bearer <token>"
 * header value (scheme case-insensitive), pointing into |authorization|, or
 * NULL if the header is missing or not a bearer credential. */
const char *eseal_staff_bearer(const char *authorization);

#endif
