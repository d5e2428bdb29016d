/* lists.c — what the staff console's lists read: the work queues, the
 * submissions list with filters, search and pages (over the index of
 * index.c), the seal search and the admin overview. Nothing here changes
 * the store. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/json.h"
#include "eseal/metrics.h"
#include "region.h"
#include "internal.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define LIMIT_DEFAULT 50
#define LIMIT_MAX 200
#define Q_MAX 100

/* ---- the work queues ------------------------------------------------------------------ */

/* One row per queue: what a role must act on, in a state. */
static const struct queue {
    const char *name;
    const char *label;
    enum wf_state state;
    enum eseal_staff_role role; /* and the admin */
} queues[] = {
    {"to_register", "待登记 / to register", WF_SUBMITTED, ESEAL_ROLE_MAKER},
    {"to_review", "待审核 / to review", WF_REGISTERED, ESEAL_ROLE_REVIEWER},
    {"to_produce", "待制作 / to produce", WF_APPROVED, ESEAL_ROLE_MAKER},
    {"to_hand_over", "待交付 / to hand over", WF_PRODUCED, ESEAL_ROLE_MAKER},
};

/* oldest_in returns when the oldest submission in |state| entered it (new
 * string), or NULL when there is none. */
static json_t *oldest_in(struct eseal_issuer *is, const char *state)
{
    char prefix[64];
    int n = snprintf(prefix, sizeof(prefix), "s/%s/", state);
    json_t *out = NULL;
    struct eseal_kv_iter *it = eseal_kv_iter_new(is->kv, CF_SUBINDEX);
    eseal_kv_iter_seek(it, prefix, (size_t)n);
    if (eseal_kv_iter_valid(it)) {
        size_t klen;
        const uint8_t *k = eseal_kv_iter_key(it, &klen);
        const uint8_t *slash = klen > (size_t)n ? memchr(k + n, '/', klen - (size_t)n) : NULL;
        if (klen > (size_t)n && memcmp(k, prefix, (size_t)n) == 0 && slash != NULL)
            out = json_stringn((const char *)k + n, (size_t)(slash - k) - (size_t)n);
    }
    eseal_kv_iter_free(it);
    return out;
}

void lists_metrics(struct eseal_issuer *is, struct eseal_buf *out)
{
    static const char *const label[] = {"queue"};
    eseal_metrics_family(out, "eseal_issuer_queue_length", "gauge",
                         "submissions waiting in each work queue of the centre");
    for (size_t i = 0; i < COUNT_OF(queues); i++)
        eseal_metrics_sample(out, "eseal_issuer_queue_length", label, &queues[i].name, 1,
                             (double)index_count(is, wf_state_name(queues[i].state)));
}

eseal_rc eseal_issuer_queues(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                             json_t **view, struct eseal_issuer_problem *p)
{
    eseal_rc rc = wf_require(who, ESEAL_ACTION_QUEUES_READ, p);
    if (rc != ESEAL_OK)
        return rc;
    json_t *list = json_array();
    for (size_t i = 0; i < COUNT_OF(queues); i++) {
        const struct queue *q = &queues[i];
        if (who->role != q->role && who->role != ESEAL_ROLE_ADMIN)
            continue;
        const char *state = wf_state_name(q->state);
        json_t *oldest = oldest_in(is, state);
        json_array_append_new(list,
                              json_pack("{s:s,s:s,s:s,s:I,s:o}", "name", q->name, "label", q->label,
                                        "state", state, "count", (json_int_t)index_count(is, state),
                                        "oldest", oldest != NULL ? oldest : json_null()));
    }
    *view = json_pack("{s:o}", "queues", list);
    return ESEAL_OK;
}

/* scan_done frees the iterator and, when it met an error, |list| too, and
 * says why in |p|. */
static eseal_rc scan_done(struct eseal_kv_iter *it, json_t *list, struct eseal_issuer_problem *p)
{
    struct eseal_err e;
    eseal_err_clear(&e);
    eseal_rc rc = eseal_kv_iter_status(it, &e);
    eseal_kv_iter_free(it);
    if (rc == ESEAL_OK)
        return ESEAL_OK;
    json_decref(list);
    return prob_from(p, &e, NULL);
}

/* ---- query parameters -------------------------------------------------------------------- */

/* parse_count reads a whole number |s| (NULL: |def|) in lo..hi into *out. */
static eseal_rc parse_count(const char *s, const char *key, long def, long lo, long hi, long *out,
                            struct eseal_issuer_problem *p)
{
    *out = def;
    if (s == NULL)
        return ESEAL_OK;
    char *end = NULL;
    long v = strlen(s) <= 10 && s[0] >= '0' && s[0] <= '9' ? strtol(s, &end, 10) : -1;
    if (end == NULL || *end != '\0' || v < lo || v > hi)
        return prob_set(p, ESEAL_E_INVALID, key,
                        "%s 须为 %ld 至 %ld 的整数 / %s must be a whole "
                        "number from %ld to %ld",
                        key, lo, hi, key, lo, hi);
    *out = v;
    return ESEAL_OK;
}

/* parse_q checks the search text: 1..Q_MAX bytes. */
static eseal_rc parse_q(const char *q, struct eseal_issuer_problem *p)
{
    if (q != NULL && (q[0] == '\0' || strlen(q) > Q_MAX))
        return prob_set(p, ESEAL_E_INVALID, "q",
                        "搜索内容须为 1 至 %d 字节 / q must be 1 to %d bytes", Q_MAX, Q_MAX);
    return ESEAL_OK;
}

/* parse_page reads limit and offset. */
static eseal_rc parse_page(const struct eseal_issuer_query *q, long *limit, long *offset,
                           struct eseal_issuer_problem *p)
{
    eseal_rc rc = parse_count(q->limit, "limit", LIMIT_DEFAULT, 1, LIMIT_MAX, limit, p);
    if (rc == ESEAL_OK)
        rc = parse_count(q->offset, "offset", 0, 0, 1000000000L, offset, p);
    return rc;
}

static eseal_rc parse_submission_query(const struct eseal_issuer_query *q,
                                       struct eseal_issuer_problem *p)
{
    enum wf_state st;
    if (q->state != NULL && !wf_state_parse(q->state, &st))
        return prob_set(p, ESEAL_E_INVALID, "state", "未知状态 / unknown state \"%.40s\"",
                        q->state);
    if (q->city != NULL) {
        const struct eseal_region *r = eseal_region_lookup(q->city);
        if (r == NULL || (r->kind != ESEAL_REGION_CITY && r->kind != ESEAL_REGION_PROVINCE &&
                          r->kind != ESEAL_REGION_ZONE))
            return prob_set(p, ESEAL_E_INVALID, "city",
                            "city 须为设区市的 6 位行政区划代码 / city must be the 6-digit code "
                            "of a city");
    }
    if (q->business != NULL && business_type_find(q->business) == NULL)
        return prob_set(p, ESEAL_E_INVALID, "business",
                        "未知业务类型 / business must be one of apply, renew, change, revoke, "
                        "reissue, unlock");
    size_t n = q->unit != NULL ? strlen(q->unit) : 0;
    if (q->unit != NULL && (n != 18 || strspn(q->unit, "0123456789ABCDEFGHJKLMNPQRTUWXY") != n))
        return prob_set(p, ESEAL_E_INVALID, "unit",
                        "unit 须为 18 位统一社会信用代码 / unit must be an 18-character USCC");
    return parse_q(q->q, p);
}

/* ---- the submissions list ------------------------------------------------------------ */

/* field_str copies |f| into |out| (truncated) for the C string calls. */
static const char *field_str(const struct index_field *f, char *out, size_t cap)
{
    size_t n = f->len < cap - 1 ? f->len : cap - 1;
    memcpy(out, f->p, n);
    out[n] = '\0';
    return out;
}

/* line_matches applies the query's filters and the caller's scope to one
 * index value. */
static bool line_matches(const struct eseal_issuer_query *q,
                         const struct eseal_staff_principal *who, const uint8_t *v, size_t len)
{
    struct index_line l;
    index_line_parse(v, len, &l);
    if (!index_field_is(&l.city, q->city) || !index_field_is(&l.business, q->business) ||
        !index_field_is(&l.uscc, q->unit) || !index_field_is(&l.state, q->state))
        return false;
    if (q->q != NULL && !index_line_has(&l, q->q))
        return false;
    char uscc[32], city[16];
    return eseal_staff_can_see_submission(who, field_str(&l.uscc, uscc, sizeof(uscc)),
                                          field_str(&l.filed_city, city, sizeof(city)));
}

/* sees_all tells whether the caller's scope filters nothing. */
static bool sees_all(const struct eseal_staff_principal *who)
{
    return who->role == ESEAL_ROLE_MAKER || who->role == ESEAL_ROLE_REVIEWER ||
           who->role == ESEAL_ROLE_ADMIN;
}

/* page_line loads the record whose id ends the index key |k| and returns its line. */
static json_t *page_line(struct eseal_issuer *is, const uint8_t *k, size_t klen)
{
    const uint8_t *slash = k + klen;
    while (slash > k && slash[-1] != '/')
        slash--;
    char id[64];
    size_t n = (size_t)(k + klen - slash) < sizeof(id) ? (size_t)(k + klen - slash) : 0;
    memcpy(id, slash, n);
    id[n] = '\0';
    json_t *rec = NULL, *line = NULL;
    if (store_get_json(is, CF_SUBMISSIONS, id, &rec, NULL) == ESEAL_OK)
        line = wf_submission_summary(rec);
    json_decref(rec);
    return line;
}

eseal_rc eseal_issuer_submission_find(struct eseal_issuer *is,
                                      const struct eseal_staff_principal *who,
                                      const struct eseal_issuer_query *q, json_t **view,
                                      struct eseal_issuer_problem *p)
{
    long limit, offset;
    eseal_rc rc = wf_require(who, ESEAL_ACTION_SUBMISSION_LIST, p);
    if (rc == ESEAL_OK)
        rc = parse_submission_query(q, p);
    if (rc == ESEAL_OK)
        rc = parse_page(q, &limit, &offset, p);
    if (rc != ESEAL_OK)
        return rc;
    /* With no filter but the state, the count is kept and a page is
     * offset + limit index keys; otherwise every key under the narrowest
     * prefix is looked at (no record is loaded but the page's): one unit's
     * (the unit filter, an agent), one city's (an aggregator), one state's,
     * or all. */
    char prefix[96];
    int plen;
    const char *unit = q->unit != NULL ? q->unit : who->role == ESEAL_ROLE_AGENT ? who->unit : NULL;
    if (unit != NULL)
        plen = snprintf(prefix, sizeof(prefix), "u/%.32s/", unit);
    else if (who->role == ESEAL_ROLE_AGGREGATOR)
        plen = snprintf(prefix, sizeof(prefix), "c/%.16s/", who->city);
    else if (q->state != NULL)
        plen = snprintf(prefix, sizeof(prefix), "s/%s/", q->state);
    else
        plen = snprintf(prefix, sizeof(prefix), "e/");
    bool counted =
        q->city == NULL && q->business == NULL && q->unit == NULL && q->q == NULL && sees_all(who);
    uint64_t total = 0;
    if (counted)
        for (int s = 0; s < WF_STATE_COUNT; s++)
            if (q->state == NULL || strcmp(q->state, wf_state_name((enum wf_state)s)) == 0)
                total += index_count(is, wf_state_name((enum wf_state)s));
    json_t *list = json_array();
    uint64_t seen = 0;
    struct eseal_kv_iter *it = eseal_kv_iter_new(is->kv, CF_SUBINDEX);
    for (eseal_kv_iter_seek(it, prefix, (size_t)plen); eseal_kv_iter_valid(it);
         eseal_kv_iter_next(it)) {
        size_t klen, vlen;
        const uint8_t *k = eseal_kv_iter_key(it, &klen);
        if (klen < (size_t)plen || memcmp(k, prefix, (size_t)plen) != 0)
            break;
        const uint8_t *v = eseal_kv_iter_value(it, &vlen);
        if (!counted && !line_matches(q, who, v, vlen))
            continue;
        if (seen >= (uint64_t)offset && seen < (uint64_t)(offset + limit)) {
            json_t *line = page_line(is, k, klen);
            if (line != NULL)
                json_array_append_new(list, line);
        }
        seen++;
        if (counted && seen >= (uint64_t)(offset + limit))
            break;
    }
    if ((rc = scan_done(it, list, p)) != ESEAL_OK)
        return rc;
    *view =
        json_pack("{s:o,s:I,s:i,s:i}", "submissions", list, "total",
                  (json_int_t)(counted ? total : seen), "limit", (int)limit, "offset", (int)offset);
    return ESEAL_OK;
}

/* ---- seal search --------------------------------------------------------------------------- */

static const char *const seal_statuses[] = {"pending", "good",    "suspended",
                                            "revoked", "expired", NULL};

/* unit_name_of returns the name of the seal's unit (new string): the
 * seal's record, else (seals made before it kept one) its submission's. */
static json_t *unit_name_of(struct eseal_issuer *is, const json_t *seal)
{
    if (wf_jstr(seal, "unit_name") != NULL)
        return json_string(wf_jstr(seal, "unit_name"));
    json_t *rec = NULL, *name = NULL;
    const char *sub = wf_jstr(seal, "submission");
    if (sub != NULL && store_get_json(is, CF_SUBMISSIONS, sub, &rec, NULL) == ESEAL_OK)
        name = json_incref(json_object_get(json_object_get(rec, "unit"), "name"));
    json_decref(rec);
    return name != NULL ? name : json_null();
}

static bool has(const char *s, const char *q)
{
    return s != NULL && index_text_has(s, strlen(s), q);
}

/* seal_matches tells whether |q| is in the seal's name, unit name, USCC,
 * code or the serial of any of its certificates (hex, any case). */
static bool seal_matches(const json_t *seal, const json_t *unit_name, const char *q)
{
    if (has(wf_jstr(json_object_get(seal, "spec"), "name"), q) ||
        has(json_string_value(unit_name), q) || has(wf_jstr(seal, "uscc"), q) ||
        has(wf_jstr(seal, "esid"), q))
        return true;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(seal, "versions"), i, v)
    {
        if (has(wf_jstr(v, "cert_serial"), q))
            return true;
    }
    return false;
}

static json_t *seal_find_line(const json_t *seal, json_t *unit_name)
{
    json_t *versions = json_object_get(seal, "versions");
    json_t *cur = json_array_get(versions, json_array_size(versions) - 1);
    return json_pack(
        "{s:s?,s:s?,s:{s:o,s:s?},s:s?,s:s,s:O?,s:s?,s:s?,s:s?}", "esid", wf_jstr(seal, "esid"),
        "name", wf_jstr(json_object_get(seal, "spec"), "name"), "unit", "name", unit_name, "uscc",
        wf_jstr(seal, "uscc"), "kind", wf_jstr(seal, "kind"), "status", wf_seal_status(seal, 0),
        "version", json_object_get(seal, "version"), "valid_from", wf_jstr(cur, "valid_start"),
        "valid_to", wf_jstr(cur, "valid_end"), "cert_serial", wf_jstr(cur, "cert_serial"));
}

eseal_rc eseal_issuer_seal_find(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                                const struct eseal_issuer_query *q, json_t **view,
                                struct eseal_issuer_problem *p)
{
    long limit, offset;
    eseal_rc rc = wf_require(who, ESEAL_ACTION_SEAL_GET, p);
    if (rc == ESEAL_OK)
        rc = parse_q(q->q, p);
    bool known = q->state == NULL;
    for (size_t i = 0; !known && seal_statuses[i] != NULL; i++)
        known = strcmp(seal_statuses[i], q->state) == 0;
    if (rc == ESEAL_OK && !known)
        rc = prob_set(p, ESEAL_E_INVALID, "state",
                      "未知印章状态 / state must be one of pending, good, suspended, revoked, "
                      "expired");
    if (rc == ESEAL_OK)
        rc = parse_page(q, &limit, &offset, p);
    if (rc != ESEAL_OK)
        return rc;
    /* a scan of the seal records: a few thousand (docs/api.md says how it scales) */
    json_t *list = json_array();
    uint64_t seen = 0;
    struct eseal_kv_iter *it = eseal_kv_iter_new(is->kv, CF_SEALS);
    for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t len;
        const uint8_t *v = eseal_kv_iter_value(it, &len);
        json_t *seal = eseal_json_load(v, len);
        bool ok =
            seal != NULL &&
            eseal_staff_can_see_submission(who, wf_jstr(seal, "uscc"), wf_jstr(seal, "city")) &&
            (q->state == NULL || strcmp(q->state, wf_seal_status(seal, 0)) == 0) &&
            (q->uscc == NULL ||
             (wf_jstr(seal, "uscc") != NULL && strcmp(q->uscc, wf_jstr(seal, "uscc")) == 0));
        json_t *unit_name = ok ? unit_name_of(is, seal) : NULL;
        if (ok && q->q != NULL)
            ok = seal_matches(seal, unit_name, q->q);
        if (ok && seen >= (uint64_t)offset && seen < (uint64_t)(offset + limit))
            json_array_append_new(list, seal_find_line(seal, json_incref(unit_name)));
        seen += ok ? 1 : 0;
        json_decref(unit_name);
        json_decref(seal);
    }
    if ((rc = scan_done(it, list, p)) != ESEAL_OK)
        return rc;
    *view = json_pack("{s:o,s:I,s:i,s:i}", "seals", list, "total", (json_int_t)seen, "limit",
                      (int)limit, "offset", (int)offset);
    return ESEAL_OK;
}

/* ---- the admin overview ------------------------------------------------------------------- */

/* log_overview is {"size","checkpoint":{"size","root","time","text"}}. */
static json_t *log_overview(struct eseal_issuer *is)
{
    struct eseal_log_checkpoint head;
    eseal_log_head(is->log, &head);
    char root[2 * ESEAL_MERKLE_HASH_LEN + 1];
    for (size_t i = 0; i < ESEAL_MERKLE_HASH_LEN; i++)
        snprintf(root + 2 * i, 3, "%02x", head.root[i]);
    struct eseal_buf b;
    eseal_buf_init(&b);
    json_t *text = eseal_log_checkpoint(is->log, &b, NULL) == ESEAL_OK
                       ? json_stringn((const char *)b.data, b.len)
                       : json_null();
    /* the checkpoint's time is its last entry's */
    json_t *time = json_null();
    if (head.size > 0 && eseal_log_entry(is->log, head.size - 1, &b, NULL) == ESEAL_OK) {
        json_t *e = eseal_json_load(b.data, b.len);
        if (wf_jstr(e, "time") != NULL)
            time = json_string(wf_jstr(e, "time"));
        json_decref(e);
    }
    eseal_buf_cleanup(&b);
    return json_pack("{s:I,s:{s:I,s:s,s:o,s:o}}", "size", (json_int_t)eseal_log_size(is->log),
                     "checkpoint", "size", (json_int_t)head.size, "root", root, "time", time,
                     "text", text);
}

/* seals_by_status counts the seals in each status (a scan of the seal records). */
static json_t *seals_by_status(struct eseal_issuer *is)
{
    json_t *out = json_object();
    for (size_t i = 0; seal_statuses[i] != NULL; i++)
        json_object_set_new(out, seal_statuses[i], json_integer(0));
    struct eseal_kv_iter *it = eseal_kv_iter_new(is->kv, CF_SEALS);
    for (eseal_kv_iter_seek_first(it); eseal_kv_iter_valid(it); eseal_kv_iter_next(it)) {
        size_t len;
        const uint8_t *v = eseal_kv_iter_value(it, &len);
        json_t *seal = eseal_json_load(v, len);
        const char *st = seal != NULL ? wf_seal_status(seal, 0) : "unknown";
        json_object_set_new(out, st,
                            json_integer(json_integer_value(json_object_get(out, st)) + 1));
        json_decref(seal);
    }
    eseal_kv_iter_free(it);
    return out;
}

eseal_rc eseal_issuer_overview(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                               json_t **view, struct eseal_issuer_problem *p)
{
    eseal_rc rc = wf_require(who, ESEAL_ACTION_OVERVIEW_READ, p);
    if (rc != ESEAL_OK)
        return rc;
    json_t *by_state = json_object();
    for (int s = 0; s < WF_STATE_COUNT; s++)
        json_object_set_new(
            by_state, wf_state_name((enum wf_state)s),
            json_integer((json_int_t)index_count(is, wf_state_name((enum wf_state)s))));
    struct eseal_staff_account *accounts = NULL;
    size_t n_accounts = 0;
    json_t *sessions = NULL;
    struct eseal_err e;
    eseal_err_clear(&e);
    rc = eseal_staff_list(&is->staff, &accounts, &n_accounts, &e);
    free(accounts);
    if (rc == ESEAL_OK)
        rc = eseal_staff_sessions(&is->staff, NULL, 0, &sessions, &e);
    if (rc != ESEAL_OK) {
        json_decref(by_state);
        return prob_from(p, &e, NULL);
    }
    *view = json_pack("{s:o,s:{s:o},s:{s:o},s:I,s:I}", "log", log_overview(is), "submissions",
                      "by_state", by_state, "seals", "by_status", seals_by_status(is), "staff",
                      (json_int_t)n_accounts, "sessions", (json_int_t)json_array_size(sessions));
    json_decref(sessions);
    return ESEAL_OK;
}
