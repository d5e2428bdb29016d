/* index.c — the submissions' secondary index (CF_SUBINDEX), kept in the same
 * write batch as the record it indexes, so the work queues and the filtered
 * lists read a few index keys instead of every record:
 *
 *   "s/" state "/" entered "/" id       -> line   one state's submissions, oldest first
 *   "e/" entered "/" id                 -> line   every submission, oldest first
 *   "u/" USCC "/" entered "/" id        -> line   one unit's (an agent's scope)
 *   "c/" filed city "/" entered "/" id  -> line   one city's (an aggregator's scope)
 *   "n/" state                          -> count  submissions in the state (decimal)
 *
 * |entered| is when the record entered its current state (the record's
 * "entered", else "updated"); |line| is what the filters look at without
 * loading the record: city, business, USCC, filed city, state and the search
 * text, separated by 0x1F. A database without the index (meta "subindex") gets it
 * built once at open (index_migrate); the projection maintains it after. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/json.h"
#include "internal.h"

#define SEP '\x1f'
#define META_KEY "subindex"
#define MIGRATE_BATCH 1000

/* index_seal_names returns the seal names of the record's document (new
 * array; empty when the document cannot be read). */
json_t *index_seal_names(struct eseal_issuer *is, const json_t *rec)
{
    json_t *names = json_array();
    struct eseal_submission *doc = NULL;
    struct eseal_issuer_problem p;
    eseal_issuer_problem_init(&p);
    if (wf_jstr(rec, "document") != NULL && wf_load_doc(is, rec, &doc, &p) == ESEAL_OK)
        for (size_t i = 0; i < doc->n_forms; i++)
            if (doc->forms[i].seal.name != NULL)
                json_array_append_new(names, json_string(doc->forms[i].seal.name));
    eseal_submission_free(doc);
    eseal_issuer_problem_cleanup(&p);
    return names;
}

const char *index_entered(const json_t *rec)
{
    const char *t = wf_jstr(rec, "entered");
    if (t == NULL)
        t = wf_jstr(rec, "updated");
    if (t == NULL)
        t = wf_jstr(rec, "created");
    return t != NULL ? t : "";
}

/* fold is ASCII upper case: USCCs, ids and certificate serials match in
 * any case; Chinese text is compared as bytes. */
static unsigned char fold(unsigned char c)
{
    return c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
}

/* put_field appends |s| (may be NULL) without separators, then SEP. */
static void put_field(struct eseal_buf *b, const char *s)
{
    for (; s != NULL && *s != '\0'; s++)
        if (*s != SEP)
            eseal_buf_append(b, s, 1);
    eseal_buf_append(b, &(char){SEP}, 1);
}

/* put_text is put_field for the search text: ASCII letters folded, so that
 * a search is one memmem (index_line_has). */
static void put_text(struct eseal_buf *b, const char *s)
{
    for (; s != NULL && *s != '\0'; s++)
        if (*s != SEP)
            eseal_buf_append(b, &(char){(char)fold((unsigned char)*s)}, 1);
    eseal_buf_append(b, &(char){SEP}, 1);
}

/* index_line builds the record's index value into |b|. The search text is
 * the unit name, USCC, id and every seal name, each followed by SEP. */
static void index_line(struct eseal_buf *b, const json_t *rec)
{
    const json_t *unit = json_object_get(rec, "unit");
    eseal_buf_reset(b);
    put_field(b, wf_jstr(unit, "city"));
    put_field(b, wf_jstr(rec, "business"));
    put_field(b, wf_jstr(unit, "uscc"));
    put_field(b, wf_jstr(rec, "filed_city"));
    put_field(b, wf_jstr(rec, "state"));
    put_text(b, wf_jstr(unit, "name"));
    put_text(b, wf_jstr(unit, "uscc"));
    put_text(b, wf_jstr(rec, "id"));
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(rec, "seal_names"), i, n) put_text(b, json_string_value(n));
}

/* struct index_keys is a record's ordered keys (index_keys). */
struct index_keys {
    char k[4][192];
    size_t n;
};

static const char *or_empty(const char *s)
{
    return s != NULL ? s : "";
}

/* index_keys writes the record's ordered keys: by state, all, by unit, by
 * filed city (the last two when the record has them). */
static void index_keys(const json_t *rec, struct index_keys *out)
{
    const char *id = or_empty(wf_jstr(rec, "id")), *at = index_entered(rec);
    const char *uscc = wf_jstr(json_object_get(rec, "unit"), "uscc");
    const char *city = wf_jstr(rec, "filed_city");
    out->n = 0;
    snprintf(out->k[out->n++], 192, "s/%s/%s/%s", or_empty(wf_jstr(rec, "state")), at, id);
    snprintf(out->k[out->n++], 192, "e/%s/%s", at, id);
    if (uscc != NULL)
        snprintf(out->k[out->n++], 192, "u/%s/%s/%s", uscc, at, id);
    if (city != NULL)
        snprintf(out->k[out->n++], 192, "c/%s/%s/%s", city, at, id);
}

uint64_t index_count(struct eseal_issuer *is, const char *state)
{
    char key[48];
    snprintf(key, sizeof(key), "n/%s", state);
    struct eseal_buf b;
    eseal_buf_init(&b);
    uint64_t v = 0;
    if (eseal_kv_get(is->kv, CF_SUBINDEX, key, strlen(key), &b, NULL) == ESEAL_OK) {
        eseal_buf_append(&b, "", 1);
        v = strtoull((const char *)b.data, NULL, 10);
    }
    eseal_buf_cleanup(&b);
    return v;
}

static void put_count(struct eseal_kv_batch *b, const char *state, uint64_t v)
{
    char key[48], text[24];
    snprintf(key, sizeof(key), "n/%s", state);
    int n = snprintf(text, sizeof(text), "%" PRIu64, v);
    eseal_kv_batch_put(b, CF_SUBINDEX, key, strlen(key), text, (size_t)n);
}

/* put_keys adds the record's index keys to |b|. */
static void put_keys(struct eseal_kv_batch *b, const json_t *rec, struct eseal_buf *line)
{
    struct index_keys k;
    index_keys(rec, &k);
    index_line(line, rec);
    for (size_t i = 0; i < k.n; i++)
        eseal_kv_batch_put(b, CF_SUBINDEX, k.k[i], strlen(k.k[i]), line->data, line->len);
}

void index_submission(struct eseal_issuer *is, struct eseal_kv_batch *b, const json_t *old,
                      const json_t *rec)
{
    const char *was = wf_jstr(old, "state"), *now = wf_jstr(rec, "state");
    if (old != NULL) {
        struct index_keys k;
        index_keys(old, &k);
        for (size_t i = 0; i < k.n; i++)
            eseal_kv_batch_delete(b, CF_SUBINDEX, k.k[i], strlen(k.k[i]));
    }
    struct eseal_buf line;
    eseal_buf_init(&line);
    put_keys(b, rec, &line);
    eseal_buf_cleanup(&line);
    if (was != NULL && now != NULL && strcmp(was, now) == 0)
        return;
    /* one record per batch: the counts read here are the latest written */
    if (was != NULL) {
        uint64_t n = index_count(is, was);
        put_count(b, was, n > 0 ? n - 1 : 0);
    }
    if (now != NULL)
        put_count(b, now, index_count(is, now) + 1);
}

/* migrate_batch writes |b| and starts a new one. */
static eseal_rc migrate_batch(struct eseal_issuer *is, struct eseal_kv_batch **b,
                              struct eseal_err *err)
{
    eseal_rc rc = eseal_kv_write(is->kv, *b, false, err);
    eseal_kv_batch_free(*b);
    *b = eseal_kv_batch_new(is->kv);
    return rc;
}

eseal_rc index_migrate(struct eseal_issuer *is, struct eseal_err *err)
{
    struct eseal_buf line;
    eseal_buf_init(&line);
    if (eseal_kv_get(is->kv, CF_META, META_KEY, strlen(META_KEY), &line, NULL) == ESEAL_OK) {
        eseal_buf_cleanup(&line);
        return ESEAL_OK;
    }
    uint64_t counts[WF_STATE_COUNT] = {0};
    struct eseal_kv_batch *b = eseal_kv_batch_new(is->kv);
    struct eseal_kv_iter *it = eseal_kv_iter_new(is->kv, CF_SUBMISSIONS);
    eseal_rc rc = ESEAL_OK;
    for (eseal_kv_iter_seek_first(it); rc == ESEAL_OK && eseal_kv_iter_valid(it);
         eseal_kv_iter_next(it)) {
        size_t len;
        const uint8_t *v = eseal_kv_iter_value(it, &len);
        json_t *rec = eseal_json_load(v, len);
        if (rec == NULL)
            continue;
        if (!json_is_array(json_object_get(rec, "seal_names"))) {
            /* a record from before the index: the names come from its document */
            json_object_set_new(rec, "seal_names", index_seal_names(is, rec));
            store_batch_put_json(b, CF_SUBMISSIONS, wf_jstr(rec, "id"), rec);
        }
        put_keys(b, rec, &line);
        enum wf_state st;
        if (wf_state_parse(wf_jstr(rec, "state"), &st))
            counts[st]++;
        json_decref(rec);
        if (eseal_kv_batch_count(b) >= MIGRATE_BATCH)
            rc = migrate_batch(is, &b, err);
    }
    if (rc == ESEAL_OK)
        rc = eseal_kv_iter_status(it, err);
    eseal_kv_iter_free(it);
    for (int s = 0; s < WF_STATE_COUNT; s++)
        put_count(b, wf_state_name((enum wf_state)s), counts[s]);
    eseal_kv_batch_put(b, CF_META, META_KEY, strlen(META_KEY), "1", 1);
    if (rc == ESEAL_OK)
        rc = eseal_kv_write(is->kv, b, true, err);
    eseal_kv_batch_free(b);
    eseal_buf_cleanup(&line);
    if (rc != ESEAL_OK)
        eseal_err_prefix(err, "building the submissions index");
    return rc;
}

/* ---- reading ------------------------------------------------------------------------- */

void index_line_parse(const uint8_t *v, size_t len, struct index_line *out)
{
    memset(out, 0, sizeof(*out));
    const uint8_t *p = v, *end = v + len;
    struct index_field *f[] = {&out->city, &out->business, &out->uscc, &out->filed_city,
                               &out->state};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        const uint8_t *q = memchr(p, SEP, (size_t)(end - p));
        if (q == NULL)
            q = end;
        f[i]->p = (const char *)p;
        f[i]->len = (size_t)(q - p);
        p = q < end ? q + 1 : end;
    }
    out->text.p = (const char *)p;
    out->text.len = (size_t)(end - p);
}

bool index_field_is(const struct index_field *f, const char *s)
{
    return s == NULL || (strlen(s) == f->len && memcmp(f->p, s, f->len) == 0);
}

bool index_line_has(const struct index_line *l, const char *q)
{
    char folded[256];
    size_t n = strlen(q);
    if (n >= sizeof(folded))
        return false;
    for (size_t i = 0; i <= n; i++)
        folded[i] = (char)fold((unsigned char)q[i]);
    return n == 0 || memmem(l->text.p, l->text.len, folded, n) != NULL;
}

bool index_text_has(const char *text, size_t len, const char *q)
{
    size_t n = strlen(q);
    if (n == 0)
        return true;
    for (size_t i = 0; i + n <= len; i++) {
        size_t k = 0;
        while (k < n && fold((unsigned char)text[i + k]) == fold((unsigned char)q[k]))
            k++;
        if (k == n)
            return true;
    }
    return false;
}
