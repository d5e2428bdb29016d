/* test_lists.c — libeseal-publisher status lists: a real CA and a real
 * event log; full and delta lists after status transitions, their SM2
 * signatures verified with the responder certificate over the tbs bytes,
 * list numbers that only increase across refreshes, a restart and a
 * replay of the log, the bounded delta history, and malformed requests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/ca.h"
#include "eseal/log.h"
#include "eseal/publisher.h"
#include "eseal/sm.h"
#include "eseal/status.h"
#include "fixture.h"

#define VALIDITY 3600
/* 2026-06-01T00:00:00Z: "now" for the tests */
#define NOW 1780272000LL

static json_t *seal_event(const char *type, const char *esid, int version, const char *status,
                          const char *reason, const char *seal, const char *serial)
{
    char s[65], p[65];
    json_t *d =
        json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "esid", esid, "version", version,
                  "status", status, "seal_sm3", fx_hex64(seal, s), "picture_sm3", fx_hex64("ff", p),
                  "cert_serial", serial, "valid_start", "2026-01-01T00:00:00Z", "valid_end",
                  "2027-01-01T00:00:00Z", "unit_name", "福州市鼓楼区测试局", "kind", "unit");
    if (reason != NULL)
        json_object_set_new(d, "reason", json_string(reason));
    return json_pack("{s:i,s:s,s:{s:s,s:s},s:s,s:s,s:o}", "v", 1, "type", type, "actor", "id",
                     "maker1", "role", "maker", "seal", esid, "time", "2026-04-30T09:00:00.000Z",
                     "data", d);
}

static struct eseal_publisher *open_pub(const char *data, const char *log, long long shards)
{
    struct eseal_publisher_config cfg;
    fx_config(&cfg, data, log);
    cfg.validity = VALIDITY;
    cfg.shards = shards;
    return fx_open(&cfg);
}

/* fetch gets the full list (base 0) or a delta, verifies it with the
 * responder certificate and checks its header. */
static void fetch(struct eseal_publisher *p, unsigned shard, uint64_t base,
                  struct eseal_status_list *l, struct eseal_buf *der)
{
    struct eseal_err err;
    eseal_rc rc = base == 0 ? eseal_publisher_list_full(p, shard, der, &err)
                            : eseal_publisher_list_delta(p, shard, base, der, &err);
    if (rc != ESEAL_OK)
        fail_msg("list %u/%llu: %s", shard, (unsigned long long)base, err.msg);
    if (eseal_status_list_verify(l, der->data, der->len, eseal_ca_cert(fx_ca, ESEAL_CA_RESPONDER),
                                 &err) != ESEAL_OK)
        fail_msg("verify list %u: %s", shard, err.msg);
    /* the same, by hand: SM2 over the tbs bytes as received */
    assert_int_equal(eseal_sm2_verify(X509_get0_pubkey(eseal_ca_cert(fx_ca, ESEAL_CA_RESPONDER)),
                                      l->tbs, l->tbs_len, l->sig, l->sig_len, NULL),
                     ESEAL_OK);
    assert_int_equal(l->shard, shard);
    assert_int_equal(l->shard_count, eseal_publisher_shards(p));
    assert_int_equal(l->delta, base != 0);
    assert_int_equal(l->base_number, base);
    assert_true(l->next_update > l->this_update);
    assert_true(l->number >= 1);
}

static uint64_t number_of(struct eseal_publisher *p, unsigned shard)
{
    struct eseal_buf der;
    eseal_buf_init(&der);
    struct eseal_status_list l;
    fetch(p, shard, 0, &l, &der);
    uint64_t n = l.number;
    eseal_status_list_cleanup(&l);
    eseal_buf_cleanup(&der);
    return n;
}

static const struct eseal_status_list_entry *find(const struct eseal_status_list *l,
                                                  const char *esid, int64_t version)
{
    for (size_t i = 0; i < l->n_entries; i++)
        if (strcmp(l->entries[i].esid, esid) == 0 && l->entries[i].version == version)
            return &l->entries[i];
    return NULL;
}

#define A "35010200000001"
#define B "35010200000002"
#define C "35010200000003"

static void test_full_and_delta(void **state)
{
    (void)state;
    char *logdir = eseal_path_join(fx_tmp, "log-fd");
    json_t *e1[] = {
        seal_event("seal.issued", A, 1, "pending", NULL, "a1", "0A01"),
        seal_event("seal.activated", A, 1, "good", NULL, "a1", "0A01"),
        seal_event("seal.issued", B, 1, "good", NULL, "b1", "0B01"),
        seal_event("seal.issued", C, 1, "good", NULL, "c1", "0C01"),
    };
    fx_append(logdir, e1, 4);
    struct eseal_publisher *p = open_pub("pub-fd", "log-fd", 16);
    struct eseal_err err;
    struct eseal_buf der;
    eseal_buf_init(&der);
    struct eseal_status_list l;
    unsigned sa = eseal_publisher_shard(A, 16), sb = eseal_publisher_shard(B, 16);
    /* before the first step and refresh there is no list */
    assert_int_equal(eseal_publisher_list_full(p, sa, &der, NULL), ESEAL_E_UNAVAILABLE);
    fx_catch_up(p, NOW);
    size_t n;
    assert_int_equal(eseal_publisher_refresh(p, NOW, &n, &err), ESEAL_OK);

    fetch(p, sa, 0, &l, &der);
    const struct eseal_status_list_entry *a = find(&l, A, 1);
    assert_non_null(a);
    assert_int_equal(a->status, ESEAL_STATUS_GOOD);
    assert_string_equal(a->cert_serial, "A01");
    assert_int_equal(a->seal_sm3[0], 0xa1);
    assert_int_equal(l.this_update, NOW);
    assert_int_equal(l.next_update, NOW + VALIDITY);
    assert_int_equal(l.checkpoint_size, 4);
    /* every entry is of this shard, in esID order */
    for (size_t i = 0; i < l.n_entries; i++) {
        assert_int_equal(eseal_publisher_shard(l.entries[i].esid, 16), sa);
        if (i > 0)
            assert_true(strcmp(l.entries[i - 1].esid, l.entries[i].esid) <= 0);
    }
    uint64_t n1 = l.number;
    eseal_status_list_cleanup(&l);
    /* a flipped byte of the tbs, or another key, does not verify */
    der.data[20] ^= 1;
    assert_int_not_equal(eseal_status_list_verify(&l, der.data, der.len,
                                                  eseal_ca_cert(fx_ca, ESEAL_CA_RESPONDER), NULL),
                         ESEAL_OK);
    der.data[20] ^= 1;
    assert_int_equal(
        eseal_status_list_verify(&l, der.data, der.len, eseal_ca_cert(fx_ca, ESEAL_CA_MAKER), NULL),
        ESEAL_E_CRYPTO);
    assert_int_equal(eseal_status_list_parse(&l, der.data, der.len - 1, NULL), ESEAL_E_INVALID);
    uint64_t nb = number_of(p, sb);

    /* suspend then revoke A (renewed as v2) in one page, then another page */
    json_t *e2[] = {
        seal_event("seal.suspended", A, 1, "suspended", "certificateHold", "a1", "0A01"),
    };
    fx_append(logdir, e2, 1);
    fx_catch_up(p, NOW + 10);
    uint64_t n2 = number_of(p, sa);
    assert_true(n2 > n1);
    json_t *e3[] = {
        seal_event("seal.revoked", A, 1, "revoked", "superseded", "a1", "0A01"),
        seal_event("seal.renewed", A, 2, "good", NULL, "a2", "0A02"),
    };
    fx_append(logdir, e3, 2);
    fx_catch_up(p, NOW + 20);
    uint64_t n3 = number_of(p, sa);
    assert_true(n3 > n2);
    if (sb != sa)
        assert_int_equal(number_of(p, sb), nb); /* untouched shard: same list */

    fetch(p, sa, 0, &l, &der);
    assert_int_equal(l.number, n3);
    assert_int_equal(find(&l, A, 1)->status, ESEAL_STATUS_REVOKED);
    assert_string_equal(find(&l, A, 1)->reason, "superseded");
    assert_int_equal(find(&l, A, 2)->status, ESEAL_STATUS_GOOD);
    assert_string_equal(find(&l, A, 2)->reason, "");
    int64_t this_update = l.this_update;
    eseal_status_list_cleanup(&l);

    /* delta from n1: A v1 (revoked, as now) and A v2, nothing else */
    fetch(p, sa, n1, &l, &der);
    assert_int_equal(l.number, n3);
    assert_int_equal(l.base_number, n1);
    assert_int_equal(l.this_update, this_update);
    assert_int_equal(l.n_entries, 2);
    assert_int_equal(find(&l, A, 1)->status, ESEAL_STATUS_REVOKED);
    assert_int_equal(find(&l, A, 2)->status, ESEAL_STATUS_GOOD);
    eseal_status_list_cleanup(&l);
    /* delta from n2: the same two (v1 changed again) */
    fetch(p, sa, n2, &l, &der);
    assert_int_equal(l.n_entries, 2);
    eseal_status_list_cleanup(&l);
    /* delta from the current number: empty */
    fetch(p, sa, n3, &l, &der);
    assert_int_equal(l.n_entries, 0);
    eseal_status_list_cleanup(&l);

    /* malformed: base 0 or after the current list, shard out of range */
    assert_int_equal(eseal_publisher_list_delta(p, sa, 0, &der, NULL), ESEAL_E_NOTFOUND);
    assert_int_equal(eseal_publisher_list_delta(p, sa, n3 + 1, &der, &err), ESEAL_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "full list"));
    assert_int_equal(eseal_publisher_list_delta(p, 16, 1, &der, NULL), ESEAL_E_NOTFOUND);
    assert_int_equal(eseal_publisher_list_full(p, 16, &der, NULL), ESEAL_E_NOTFOUND);
    uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    assert_int_equal(eseal_status_list_parse(&l, junk, sizeof(junk), NULL), ESEAL_E_INVALID);

    eseal_buf_cleanup(&der);
    eseal_publisher_close(p);
    free(logdir);
}

/* numbers only increase: at half-life, on a change, across a restart, and
 * with an earlier clock after a replay */
static void test_numbering(void **state)
{
    (void)state;
    char *logdir = eseal_path_join(fx_tmp, "log-n");
    json_t *e1[] = {
        seal_event("seal.issued", A, 1, "good", NULL, "a1", "0A01"),
        seal_event("seal.issued", B, 1, "good", NULL, "b1", "0B01"),
    };
    fx_append(logdir, e1, 2);
    struct eseal_publisher *p = open_pub("pub-n", "log-n", 4);
    fx_catch_up(p, NOW);
    struct eseal_err err;
    size_t n;
    assert_int_equal(eseal_publisher_refresh(p, NOW, &n, &err), ESEAL_OK);
    uint64_t before[4];
    for (unsigned s = 0; s < 4; s++)
        before[s] = number_of(p, s);
    /* not yet half-life: nothing moves */
    assert_int_equal(eseal_publisher_refresh(p, NOW + VALIDITY / 2 - 1, &n, &err), ESEAL_OK);
    for (unsigned s = 0; s < 4; s++)
        assert_int_equal(number_of(p, s), before[s]);
    assert_int_equal(eseal_publisher_refresh(p, NOW + VALIDITY / 2, &n, &err), ESEAL_OK);
    for (unsigned s = 0; s < 4; s++) {
        assert_int_equal(number_of(p, s), before[s] + 1);
        before[s]++;
    }
    eseal_publisher_close(p);

    /* restart: the numbers are kept and the next change goes on from them */
    p = open_pub("pub-n", "log-n", 4);
    for (unsigned s = 0; s < 4; s++)
        assert_int_equal(number_of(p, s), before[s]);
    json_t *e2[] = {seal_event("seal.revoked", A, 1, "revoked", "keyCompromise", "a1", "0A01")};
    fx_append(logdir, e2, 1);
    fx_catch_up(p, NOW + VALIDITY / 2 + 1);
    unsigned sa = eseal_publisher_shard(A, 4);
    assert_int_equal(number_of(p, sa), before[sa] + 1);
    before[sa]++;
    eseal_publisher_close(p);

    /* replay: a second state replaying the same log lists the same seal
     * versions; the first one, reopened with an earlier clock, keeps its
     * numbers */
    p = open_pub("pub-n", "log-n", 4);
    struct eseal_buf der;
    eseal_buf_init(&der);
    struct eseal_status_list l;
    fetch(p, sa, 0, &l, &der);
    size_t entries_before = l.n_entries;
    eseal_status_list_cleanup(&l);
    eseal_publisher_close(p);
    struct eseal_publisher *q = open_pub("pub-n2", "log-n", 4);
    fx_catch_up(q, NOW + 5);
    fetch(q, sa, 0, &l, &der);
    assert_int_equal(l.n_entries, entries_before);
    assert_int_equal(find(&l, A, 1)->status, ESEAL_STATUS_REVOKED);
    eseal_status_list_cleanup(&l);
    eseal_publisher_close(q);
    p = open_pub("pub-n", "log-n", 4);
    fx_catch_up(p, NOW); /* an earlier clock and nothing new: nothing moves back */
    assert_int_equal(eseal_publisher_refresh(p, NOW, &n, &err), ESEAL_OK);
    for (unsigned s = 0; s < 4; s++)
        assert_true(number_of(p, s) >= before[s]);
    eseal_buf_cleanup(&der);
    eseal_publisher_close(p);
    free(logdir);
}

/* a delta reaches back ESEAL_PUBLISHER_LIST_HISTORY numbers, no further */
static void test_history_bound(void **state)
{
    (void)state;
    char *logdir = eseal_path_join(fx_tmp, "log-h");
    json_t *e1[] = {seal_event("seal.issued", A, 1, "good", NULL, "a1", "0A01")};
    fx_append(logdir, e1, 1);
    struct eseal_publisher *p = open_pub("pub-h", "log-h", 1);
    fx_catch_up(p, NOW);
    struct eseal_err err;
    size_t n;
    uint64_t first = number_of(p, 0);
    int64_t t = NOW;
    for (int i = 0; i < ESEAL_PUBLISHER_LIST_HISTORY; i++) {
        t += VALIDITY / 2;
        assert_int_equal(eseal_publisher_refresh(p, t, &n, &err), ESEAL_OK);
    }
    uint64_t cur = number_of(p, 0);
    assert_int_equal(cur, first + ESEAL_PUBLISHER_LIST_HISTORY);
    struct eseal_buf der;
    eseal_buf_init(&der);
    struct eseal_status_list l;
    fetch(p, 0, cur - ESEAL_PUBLISHER_LIST_HISTORY, &l, &der);
    assert_int_equal(l.n_entries, 0); /* refreshes change nothing */
    eseal_status_list_cleanup(&l);
    t += VALIDITY / 2;
    assert_int_equal(eseal_publisher_refresh(p, t, &n, &err), ESEAL_OK);
    assert_int_equal(eseal_publisher_list_delta(p, 0, first, &der, &err), ESEAL_E_CONFLICT);
    assert_non_null(strstr(err.msg, "fetch the full list"));
    eseal_buf_cleanup(&der);
    eseal_publisher_close(p);
    free(logdir);
}

/* append_group appends |events| (taken) and then |fillers| entries of a
 * type the publisher skips, in commits of ESEAL_LOG_BATCH_MAX: with 3000
 * fillers a group spans more than one page of a directory follower. */
static void append_group(const char *dir, json_t **events, size_t n, size_t fillers)
{
    struct eseal_log *log;
    struct eseal_err err;
    if (eseal_log_open(&log, dir, eseal_ca_log_signer(fx_ca), &err) != ESEAL_OK)
        fail_msg("log open: %s", err.msg);
    json_t *batch[ESEAL_LOG_BATCH_MAX];
    size_t total = n + fillers, k = 0;
    for (size_t i = 0; i < total; i++) {
        batch[k++] =
            i < n ? events[i] : json_pack("{s:i,s:s,s:{}}", "v", 1, "type", "test.filler", "data");
        if (k == ESEAL_LOG_BATCH_MAX || i + 1 == total) {
            if (eseal_log_append_batch(log, batch, k, NULL, &err) != ESEAL_OK)
                fail_msg("append: %s", err.msg);
            for (size_t j = 0; j < k; j++)
                json_decref(batch[j]);
            k = 0;
        }
    }
    assert_int_equal(eseal_log_sync(log, &err), ESEAL_OK);
    eseal_log_close(log);
}

static size_t step_once(struct eseal_publisher *p, long long now)
{
    size_t n = 0;
    struct eseal_err err;
    if (eseal_publisher_step(p, now, &n, &err) != ESEAL_OK)
        fail_msg("step: %s", err.msg);
    return n;
}

static const char *status_of(struct eseal_publisher *p, const char *esid)
{
    static char out[16];
    json_t *rec = NULL;
    assert_int_equal(eseal_publisher_lookup(p, ESEAL_PUBLISHER_BY_ESID, esid, &rec, NULL, NULL),
                     ESEAL_OK);
    snprintf(out, sizeof(out), "%s", json_string_value(json_object_get(rec, "status")));
    json_decref(rec);
    return out;
}

/* catching up: pages while the follower is behind issue no list; the
 * waiting changes survive a restart; the page that catches up (or the one
 * at the time bound) issues one number per changed shard whose delta
 * holds every change since the number before */
static void test_catch_up(void **state)
{
    (void)state;
    const unsigned S = 4;
    char *logdir = eseal_path_join(fx_tmp, "log-c");
    json_t *g0[] = {
        seal_event("seal.issued", A, 1, "good", NULL, "a1", "0A01"),
        seal_event("seal.issued", B, 1, "good", NULL, "b1", "0B01"),
        seal_event("seal.issued", C, 1, "good", NULL, "c1", "0C01"),
    };
    append_group(logdir, g0, 3, 0);
    struct eseal_publisher *p = open_pub("pub-c", "log-c", S);
    fx_catch_up(p, NOW);
    size_t n;
    struct eseal_err err;
    assert_int_equal(eseal_publisher_refresh(p, NOW, &n, &err), ESEAL_OK);
    uint64_t n0[4];
    for (unsigned s = 0; s < S; s++)
        n0[s] = number_of(p, s);
    /* three pages: A suspended (1); B and C revoked (2); A renewed (3) */
    json_t *g1[] = {seal_event("seal.suspended", A, 1, "suspended", NULL, "a1", "0A01")};
    json_t *g2[] = {seal_event("seal.revoked", B, 1, "revoked", "keyCompromise", "b1", "0B01")};
    json_t *g3[] = {seal_event("seal.revoked", C, 1, "revoked", "keyCompromise", "c1", "0C01")};
    json_t *g4[] = {
        seal_event("seal.revoked", A, 1, "revoked", "superseded", "a1", "0A01"),
        seal_event("seal.renewed", A, 2, "good", NULL, "a2", "0A02"),
    };
    append_group(logdir, g1, 1, 3000);
    append_group(logdir, g2, 1, 3000);
    append_group(logdir, g3, 1, 3000);
    append_group(logdir, g4, 2, 0);
    unsigned sa = eseal_publisher_shard(A, S), sb = eseal_publisher_shard(B, S),
             sc = eseal_publisher_shard(C, S);

    /* page 1: behind, so no list moves, but the response is signed */
    assert_true(step_once(p, NOW + 1) > 0);
    assert_string_equal(status_of(p, A), "suspended");
    for (unsigned s = 0; s < S; s++)
        assert_int_equal(number_of(p, s), n0[s]);
    /* a crash here loses nothing: the waiting changes are in the store */
    eseal_publisher_close(p);
    p = open_pub("pub-c", "log-c", S);
    for (unsigned s = 0; s < S; s++)
        assert_int_equal(number_of(p, s), n0[s]);

    /* page 2 at the time bound: issued although behind, A, B, C in one number */
    assert_true(step_once(p, NOW + 1 + ESEAL_PUBLISHER_CATCHUP_SECONDS) > 0);
    assert_string_equal(status_of(p, C), "revoked");
    uint64_t n1[4];
    for (unsigned s = 0; s < S; s++) {
        n1[s] = number_of(p, s);
        bool changed = s == sa || s == sb || s == sc;
        assert_int_equal(n1[s], n0[s] + (changed ? 1 : 0));
    }
    /* page 3: caught up, issued with the page as before */
    assert_true(step_once(p, NOW + 2 + ESEAL_PUBLISHER_CATCHUP_SECONDS) > 0);
    assert_int_equal(number_of(p, sa), n1[sa] + 1);
    for (unsigned s = 0; s < S; s++)
        if (s != sa)
            assert_int_equal(number_of(p, s), n1[s]);
    assert_int_equal(step_once(p, NOW + 3 + ESEAL_PUBLISHER_CATCHUP_SECONDS), 0);
    assert_int_equal(number_of(p, sa), n1[sa] + 1);

    /* the delta from before the catch-up holds every change, as it is now */
    struct eseal_buf der;
    eseal_buf_init(&der);
    struct eseal_status_list l;
    fetch(p, sa, n0[sa], &l, &der);
    assert_int_equal(find(&l, A, 1)->status, ESEAL_STATUS_REVOKED);
    assert_string_equal(find(&l, A, 1)->reason, "superseded");
    assert_int_equal(find(&l, A, 2)->status, ESEAL_STATUS_GOOD);
    assert_int_equal(l.n_entries, 2 + (sb == sa) + (sc == sa));
    eseal_status_list_cleanup(&l);
    fetch(p, sb, n0[sb], &l, &der);
    assert_int_equal(find(&l, B, 1)->status, ESEAL_STATUS_REVOKED);
    eseal_status_list_cleanup(&l);
    fetch(p, sc, n0[sc], &l, &der);
    assert_int_equal(find(&l, C, 1)->status, ESEAL_STATUS_REVOKED);
    eseal_status_list_cleanup(&l);
    /* the delta from the bound's number: only the last page's changes */
    fetch(p, sa, n1[sa], &l, &der);
    assert_int_equal(l.n_entries, 2);
    eseal_status_list_cleanup(&l);
    fetch(p, sa, 0, &l, &der);
    assert_int_equal(find(&l, A, 1)->status, ESEAL_STATUS_REVOKED);
    assert_int_equal(find(&l, A, 2)->status, ESEAL_STATUS_GOOD);
    eseal_status_list_cleanup(&l);

    /* a replay from scratch in one go lists the same and issues each once */
    struct eseal_publisher *q = open_pub("pub-c2", "log-c", S);
    fx_catch_up(q, NOW);
    assert_int_equal(eseal_publisher_refresh(q, NOW, &n, &err), ESEAL_OK); /* the empty shards */
    for (unsigned s = 0; s < S; s++) {
        struct eseal_status_list m;
        fetch(q, s, 0, &m, &der);
        fetch(p, s, 0, &l, &der);
        assert_int_equal(m.n_entries, l.n_entries);
        for (size_t i = 0; i < l.n_entries; i++)
            assert_int_equal(m.entries[i].status, l.entries[i].status);
        assert_int_equal(m.number, 1);
        eseal_status_list_cleanup(&m);
        eseal_status_list_cleanup(&l);
    }
    eseal_publisher_close(q);
    eseal_buf_cleanup(&der);
    eseal_publisher_close(p);
    free(logdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_and_delta),
        cmocka_unit_test(test_numbering),
        cmocka_unit_test(test_history_bound),
        cmocka_unit_test(test_catch_up),
    };
    return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
