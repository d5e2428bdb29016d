/* test_status.c — libeseal-publisher: a real CA and a real event log with
 * seal events in the schema of docs/log-events.md; every status
 * transition, lookups by esID, seal digest, picture digest and serial; the
 * DER response parsed and its SM2 signature verified with the responder
 * certificate; refresh at half-life and at validEnd; deterministic replay;
 * resuming after a restart; a tampered entry and a forged checkpoint stop
 * the follower. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "eseal/buf.h"
#include "eseal/ca.h"
#include "eseal/log.h"
#include "eseal/publisher.h"
#include "eseal/status.h"
#include "fixture.h"

#define VALIDITY 3600
/* 2026-06-01T00:00:00Z: "now" for the tests */
#define NOW 1780272000LL

struct ev {
    const char *type, *esid;
    int version;
    const char *status, *reason;
    const char *seal, *picture, *serial; /* seal and picture: a hex pair */
    const char *valid_end;
};

static json_t *seal_event(const struct ev *v)
{
    char s[65], p[65];
    json_t *d = json_pack(
        "{s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "esid", v->esid, "version", v->version,
        "status", v->status, "seal_sm3", fx_hex64(v->seal, s), "picture_sm3",
        fx_hex64(v->picture, p), "cert_serial", v->serial, "valid_start", "2026-01-01T00:00:00Z",
        "valid_end", v->valid_end != NULL ? v->valid_end : "2027-01-01T00:00:00Z", "unit_name",
        "福州市鼓楼区测试局", "uscc", "91350100M000100Y43", "kind", "unit", "cert_type", "usb_key");
    if (v->reason != NULL)
        json_object_set_new(d, "reason", json_string(v->reason));
    if (strcmp(v->status, "revoked") == 0)
        json_object_set_new(d, "revoked_at", json_string("2026-05-03T10:00:00.250Z"));
    if (strcmp(v->status, "suspended") == 0)
        json_object_set_new(d, "suspended_at", json_string("2026-05-02T10:00:00.000Z"));
    if (strcmp(v->status, "good") == 0)
        json_object_set_new(d, "activated_at", json_string("2026-05-01T10:00:00.000Z"));
    return json_pack("{s:i,s:s,s:{s:s,s:s},s:s,s:s,s:o}", "v", 1, "type", v->type, "actor", "id",
                     "maker1", "role", "maker", "seal", v->esid, "time", "2026-04-30T09:00:00.000Z",
                     "data", d);
}

static json_t *other_event(const char *type)
{
    return json_pack("{s:i,s:s,s:{s:s,s:s},s:{s:s}}", "v", 1, "type", type, "actor", "id", "admin",
                     "role", "admin", "data", "username", "maker1");
}

static struct eseal_publisher *open_pub(const char *data, const char *log)
{
    struct eseal_publisher_config cfg;
    fx_config(&cfg, data, log);
    cfg.validity = VALIDITY;
    return fx_open(&cfg);
}

/* expect looks |key| up and checks the record, the DER and its signature. */
static void expect(struct eseal_publisher *p, enum eseal_publisher_key by, const char *key,
                   const char *esid, int version, enum eseal_status status, const char *reason,
                   struct eseal_status_info *info_out)
{
    json_t *rec = NULL;
    struct eseal_buf der;
    eseal_buf_init(&der);
    struct eseal_err err;
    if (eseal_publisher_lookup(p, by, key, &rec, &der, &err) != ESEAL_OK)
        fail_msg("lookup %s: %s", key, err.msg);
    assert_string_equal(json_string_value(json_object_get(rec, "esid")), esid);
    assert_int_equal(json_integer_value(json_object_get(rec, "version")), version);
    struct eseal_status_info info;
    if (eseal_status_verify(&info, der.data, der.len, eseal_ca_cert(fx_ca, ESEAL_CA_RESPONDER),
                            &err) != ESEAL_OK)
        fail_msg("verify %s: %s", key, err.msg);
    assert_string_equal(info.esid, esid);
    assert_int_equal(info.version, version);
    assert_int_equal(info.status, status);
    assert_string_equal(info.reason, reason != NULL ? reason : "");
    assert_string_equal(info.cert_serial, json_string_value(json_object_get(rec, "cert_serial")));
    assert_true(info.next_update > info.this_update);
    assert_true(info.next_update - info.this_update <= VALIDITY);
    /* any other key does not verify it */
    assert_int_equal(
        eseal_status_verify(&info, der.data, der.len, eseal_ca_cert(fx_ca, ESEAL_CA_MAKER), NULL),
        ESEAL_E_CRYPTO);
    /* one flipped byte of the signed part does not verify either */
    der.data[20] ^= 1;
    assert_int_not_equal(eseal_status_verify(&info, der.data, der.len,
                                             eseal_ca_cert(fx_ca, ESEAL_CA_RESPONDER), NULL),
                         ESEAL_OK);
    der.data[20] ^= 1;
    if (info_out != NULL)
        assert_int_equal(eseal_status_verify(info_out, der.data, der.len,
                                             eseal_ca_cert(fx_ca, ESEAL_CA_RESPONDER), NULL),
                         ESEAL_OK);
    json_decref(rec);
    eseal_buf_cleanup(&der);
}

#define A "35010200000001"
#define B "35010200000002"
#define C "35010200000003"

static void test_transitions(void **state)
{
    (void)state;
    char *logdir = eseal_path_join(fx_tmp, "log-t");
    char k[65];
    struct eseal_status_info info;

    json_t *e1[] = {
        other_event("staff.created"),
        seal_event(&(struct ev){"seal.issued", A, 1, "pending", NULL, "a1", "b1", "0A01", NULL}),
    };
    fx_append(logdir, e1, 2);
    struct eseal_publisher *p = open_pub("pub-t", "log-t");
    assert_int_equal(fx_catch_up(p, NOW), 2);
    expect(p, ESEAL_PUBLISHER_BY_ESID, A, A, 1, ESEAL_STATUS_PENDING, NULL, &info);
    /* the checkpoint it was derived from is the log's */
    assert_int_equal(info.checkpoint.size, 2);
    assert_int_equal(info.this_update, NOW);
    assert_int_equal(info.next_update, NOW + VALIDITY);

    json_t *e2[] = {
        seal_event(&(struct ev){"seal.activated", A, 1, "good", NULL, "a1", "b1", "0A01", NULL}),
        other_event("seal.frobnicated"), /* a later type: skipped, not refused */
    };
    fx_append(logdir, e2, 2);
    assert_int_equal(fx_catch_up(p, NOW), 2);
    expect(p, ESEAL_PUBLISHER_BY_ESID, A, A, 1, ESEAL_STATUS_GOOD, NULL, &info);
    assert_int_equal(info.status_time, 1777629600); /* activated_at 2026-05-01T10:00:00Z */

    json_t *e3[] = {seal_event(&(struct ev){"seal.suspended", A, 1, "suspended", "certificateHold",
                                            "a1", "b1", "0A01", NULL})};
    fx_append(logdir, e3, 1);
    fx_catch_up(p, NOW);
    expect(p, ESEAL_PUBLISHER_BY_SEAL, fx_hex64("a1", k), A, 1, ESEAL_STATUS_SUSPENDED,
           "certificateHold", NULL);

    /* the key found: reinstated, good again since reinstated_at; lost again */
    json_t *e3b[] = {
        seal_event(&(struct ev){"seal.reinstated", A, 1, "good", NULL, "a1", "b1", "0A01", NULL}),
        seal_event(&(struct ev){"seal.suspended", A, 1, "suspended", "certificateHold", "a1", "b1",
                                "0A01", NULL}),
    };
    json_object_set_new(json_object_get(e3b[0], "data"), "reinstated_at",
                        json_string("2026-05-02T12:00:00.000Z"));
    fx_append(logdir, e3b, 1);
    fx_catch_up(p, NOW);
    expect(p, ESEAL_PUBLISHER_BY_ESID, A, A, 1, ESEAL_STATUS_GOOD, NULL, &info);
    assert_int_equal(info.status_time, 1777723200); /* reinstated_at 2026-05-02T12:00:00Z */
    fx_append(logdir, e3b + 1, 1);
    fx_catch_up(p, NOW);

    /* revoked after the loss report: compromised since the suspension */
    json_t *e4[] = {seal_event(
        &(struct ev){"seal.revoked", A, 1, "revoked", "keyCompromise", "a1", "b1", "0A01", NULL})};
    json_object_set_new(json_object_get(e4[0], "data"), "invalidity_date",
                        json_string("2026-05-02T10:00:00.000Z"));
    fx_append(logdir, e4, 1);
    fx_catch_up(p, NOW);
    expect(p, ESEAL_PUBLISHER_BY_SERIAL, "a01", A, 1, ESEAL_STATUS_REVOKED, "keyCompromise", &info);
    assert_int_equal(info.status_time, 1777802400);     /* revoked_at, milliseconds dropped */
    assert_int_equal(info.invalidity_date, 1777716000); /* the suspension, 2026-05-02T10:00:00Z */
    expect(p, ESEAL_PUBLISHER_BY_SERIAL, "000A01", A, 1, ESEAL_STATUS_REVOKED, "keyCompromise",
           NULL);

    /* renew in one commit: v1 superseded, v2 good; the esID follows v2, the
     * old seal file and serial still find v1 */
    json_t *e5[] = {
        seal_event(&(struct ev){"seal.issued", B, 1, "pending", NULL, "c1", "d1", "0B01", NULL}),
        seal_event(&(struct ev){"seal.activated", B, 1, "good", NULL, "c1", "d1", "0B01", NULL}),
        seal_event(
            &(struct ev){"seal.revoked", B, 1, "revoked", "superseded", "c1", "d1", "0B01", NULL}),
        seal_event(&(struct ev){"seal.renewed", B, 2, "good", NULL, "c2", "d1", "0B02", NULL}),
        /* C expires before NOW; it is never logged as expired */
        seal_event(&(struct ev){"seal.issued", C, 1, "pending", NULL, "e1", "f1", "0C01",
                                "2026-05-15T00:00:00Z"}),
        seal_event(&(struct ev){"seal.activated", C, 1, "good", NULL, "e1", "f1", "0C01",
                                "2026-05-15T00:00:00Z"}),
    };
    fx_append(logdir, e5, 6);
    fx_catch_up(p, NOW);
    expect(p, ESEAL_PUBLISHER_BY_ESID, B, B, 2, ESEAL_STATUS_GOOD, NULL, NULL);
    expect(p, ESEAL_PUBLISHER_BY_SEAL, fx_hex64("c1", k), B, 1, ESEAL_STATUS_REVOKED, "superseded",
           NULL);
    expect(p, ESEAL_PUBLISHER_BY_SEAL, fx_hex64("C2", k), B, 2, ESEAL_STATUS_GOOD, NULL, NULL);
    expect(p, ESEAL_PUBLISHER_BY_PICTURE, fx_hex64("d1", k), B, 2, ESEAL_STATUS_GOOD, NULL, NULL);
    expect(p, ESEAL_PUBLISHER_BY_SERIAL, "B01", B, 1, ESEAL_STATUS_REVOKED, "superseded", NULL);
    expect(p, ESEAL_PUBLISHER_BY_ESID, C, C, 1, ESEAL_STATUS_EXPIRED, NULL, &info);
    assert_int_equal(info.status_time, 1778803200); /* validEnd */

    /* unknown and malformed */
    json_t *rec = NULL;
    assert_int_equal(
        eseal_publisher_lookup(p, ESEAL_PUBLISHER_BY_ESID, "35010299999999", &rec, NULL, NULL),
        ESEAL_E_NOTFOUND);
    assert_int_equal(eseal_publisher_lookup(p, ESEAL_PUBLISHER_BY_ESID, "3501", &rec, NULL, NULL),
                     ESEAL_E_INVALID);
    assert_int_equal(eseal_publisher_lookup(p, ESEAL_PUBLISHER_BY_SEAL, "zz", &rec, NULL, NULL),
                     ESEAL_E_INVALID);
    assert_int_equal(eseal_publisher_lookup(p, ESEAL_PUBLISHER_BY_SERIAL, "xyz", &rec, NULL, NULL),
                     ESEAL_E_INVALID);
    assert_null(rec);

    json_t *h = eseal_publisher_health(p);
    assert_true(json_is_true(json_object_get(h, "ok")));
    assert_int_equal(json_integer_value(json_object_get(h, "position")), 14);
    assert_int_equal(json_integer_value(json_object_get(h, "lagEntries")), 0);
    json_decref(h);
    eseal_publisher_close(p);
    free(logdir);
}

/* a malformed seal event is skipped (and counted), the same way every time */
static void test_refresh(void **state)
{
    (void)state;
    char *logdir = eseal_path_join(fx_tmp, "log-r");
    json_t *bad =
        seal_event(&(struct ev){"seal.issued", A, 1, "pending", NULL, "a1", "b1", "0A01", NULL});
    json_object_set_new(json_object_get(bad, "data"), "status", json_string("shiny"));
    json_t *e[] = {
        seal_event(&(struct ev){"seal.issued", A, 1, "pending", NULL, "a1", "b1", "0A01", NULL}),
        /* good now, validEnd 10 minutes after NOW */
        seal_event(&(struct ev){"seal.issued", B, 1, "good", NULL, "c1", "d1", "0B01",
                                "2026-06-01T00:10:00Z"}),
        bad,
    };
    fx_append(logdir, e, 3);
    struct eseal_publisher *p = open_pub("pub-r", "log-r");
    assert_int_equal(fx_catch_up(p, NOW), 3);
    json_t *h = eseal_publisher_health(p);
    assert_int_equal(json_integer_value(json_object_get(h, "skipped")), 1);
    json_decref(h);
    struct eseal_status_info info;
    expect(p, ESEAL_PUBLISHER_BY_ESID, B, B, 1, ESEAL_STATUS_GOOD, NULL, &info);
    assert_int_equal(info.next_update, NOW + 600); /* not past validEnd */
    size_t n = 99;
    struct eseal_err err;
    assert_int_equal(eseal_publisher_refresh(p, NOW + 599, &n, &err), ESEAL_OK);
    assert_int_equal(n, 0);
    assert_int_equal(eseal_publisher_refresh(p, NOW + 600, &n, &err), ESEAL_OK);
    assert_int_equal(n, 1); /* B at validEnd */
    expect(p, ESEAL_PUBLISHER_BY_ESID, B, B, 1, ESEAL_STATUS_EXPIRED, NULL, &info);
    assert_int_equal(info.this_update, NOW + 600);
    assert_int_equal(eseal_publisher_refresh(p, NOW + VALIDITY / 2 - 1, &n, &err), ESEAL_OK);
    assert_int_equal(n, 0);
    assert_int_equal(eseal_publisher_refresh(p, NOW + VALIDITY / 2, &n, &err), ESEAL_OK);
    assert_int_equal(n, 1); /* A at half-life */
    expect(p, ESEAL_PUBLISHER_BY_ESID, A, A, 1, ESEAL_STATUS_PENDING, NULL, &info);
    assert_int_equal(info.this_update, NOW + VALIDITY / 2);
    assert_int_equal(info.next_update, NOW + VALIDITY / 2 + VALIDITY);
    eseal_publisher_close(p);
    free(logdir);
}

/* replay from scratch (another time, other page cuts) gives the same
 * records; a restart resumes where the last batch ended */
static void test_replay_and_resume(void **state)
{
    (void)state;
    /* log-t from test_transitions: 14 entries */
    struct eseal_publisher *p1 = open_pub("pub-t", "log-t");
    assert_int_equal(eseal_publisher_position(p1), 14);
    assert_int_equal(fx_catch_up(p1, NOW), 0); /* resumed: nothing applied again */
    char *logdir = eseal_path_join(fx_tmp, "log-t");
    json_t *more[] = {
        seal_event(&(struct ev){"seal.reissued", "35010200000004", 1, "pending", NULL, "aa", "bb",
                                "0D01", NULL}),
        seal_event(&(struct ev){"seal.changed", B, 3, "good", NULL, "c3", "d3", "0B03", NULL}),
    };
    eseal_publisher_close(p1);
    fx_append(logdir, more, 2);
    p1 = open_pub("pub-t", "log-t");
    assert_int_equal(fx_catch_up(p1, NOW + 5), 2);
    struct eseal_publisher *p2 = open_pub("pub-replay", "log-t");
    assert_int_equal(fx_catch_up(p2, NOW + 1000), 16);
    char *r1 = eseal_publisher_records(p1), *r2 = eseal_publisher_records(p2);
    assert_string_equal(r1, r2);
    assert_non_null(strstr(r1, "\"35010200000002\":\"35010200000002/00000003\""));
    free(r1);
    free(r2);
    eseal_publisher_close(p1);
    eseal_publisher_close(p2);
    free(logdir);
}

static void sha256_leaf(const uint8_t *data, size_t len, uint8_t out[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    uint8_t zero = 0;
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    EVP_DigestUpdate(c, &zero, 1);
    EVP_DigestUpdate(c, data, len);
    EVP_DigestFinal_ex(c, out, NULL);
    EVP_MD_CTX_free(c);
}

/* rewrite_record finds record |index| (or the last one, for SIZE_MAX) of
 * the record file |path|, lets |edit| change its data in place and fixes
 * its hash, so only the tree (or the signature) can tell. */
static void rewrite_record(const char *path, size_t index, void (*edit)(uint8_t *, size_t))
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    assert_int_equal(eseal_file_read(&b, path, 1 << 24, NULL), ESEAL_OK);
    size_t off = 0, last = 0, i = 0, found = SIZE_MAX;
    while (off + 36 <= b.len) {
        size_t len = (size_t)b.data[off] << 24 | (size_t)b.data[off + 1] << 16 |
                     (size_t)b.data[off + 2] << 8 | b.data[off + 3];
        if (i == index)
            found = off;
        last = off;
        off += 36 + len;
        i++;
    }
    if (found == SIZE_MAX)
        found = last;
    size_t len = (size_t)b.data[found] << 24 | (size_t)b.data[found + 1] << 16 |
                 (size_t)b.data[found + 2] << 8 | b.data[found + 3];
    edit(b.data + found + 36, len);
    sha256_leaf(b.data + found + 36, len, b.data + found + 4);
    /* in place, as an attacker with write access would (a reader may hold
     * the file open) */
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, (long)found, SEEK_SET), 0);
    assert_int_equal(fwrite(b.data + found, 1, 36 + len, f), 36 + len);
    assert_int_equal(fclose(f), 0);
    eseal_buf_cleanup(&b);
}

static void edit_entry(uint8_t *d, size_t len)
{
    char *at = memmem(d, len, "0D01", 4); /* the certificate serial */
    assert_non_null(at);
    at[3] = '2';
}

static void edit_note(uint8_t *d, size_t len)
{
    /* the third line is the root: change one base64 digit */
    uint8_t *nl = memchr(d, '\n', len);
    nl = memchr(nl + 1, '\n', len - (size_t)(nl + 1 - d));
    nl[1] = nl[1] == 'A' ? 'B' : 'A';
}

static void tamper_case(const char *name, bool entry)
{
    char data[32];
    snprintf(data, sizeof(data), "pub-%s", name);
    char *logdir = eseal_path_join(fx_tmp, name);
    json_t *e[] = {
        seal_event(&(struct ev){"seal.issued", A, 1, "pending", NULL, "a1", "b1", "0A01", NULL})};
    fx_append(logdir, e, 1);
    struct eseal_publisher *p = open_pub(data, name);
    assert_int_equal(fx_catch_up(p, NOW), 1);
    json_t *more[] = {
        seal_event(&(struct ev){"seal.activated", A, 1, "good", NULL, "a1", "b1", "0A01", NULL}),
        seal_event(&(struct ev){"seal.issued", B, 1, "pending", NULL, "c1", "d1", "0D01", NULL}),
    };
    fx_append(logdir, more, 2);
    char *path = entry ? eseal_path_join(logdir, "segments/00000000000000000000.seg")
                       : eseal_path_join(logdir, "checkpoints");
    rewrite_record(path, entry ? 2 : SIZE_MAX, entry ? edit_entry : edit_note);
    size_t n = 99;
    struct eseal_err err;
    /* entry 1 may come through under its own, intact checkpoint; entry 2
     * (or the forged checkpoint covering it) never does */
    eseal_rc rc = ESEAL_OK;
    for (int i = 0; i < 5 && rc == ESEAL_OK; i++)
        rc = eseal_publisher_step(p, NOW, &n, &err);
    assert_int_equal(rc, ESEAL_E_CRYPTO);
    uint64_t stopped = eseal_publisher_position(p);
    assert_true(stopped < 3);
    for (int round = 0; round < 2; round++) {
        assert_int_equal(eseal_publisher_step(p, NOW, &n, &err), ESEAL_E_CRYPTO);
        assert_int_equal(n, 0);
        assert_int_equal(eseal_publisher_position(p), stopped);
    }
    json_t *rec = NULL;
    assert_int_equal(eseal_publisher_lookup(p, ESEAL_PUBLISHER_BY_ESID, B, &rec, NULL, NULL),
                     ESEAL_E_NOTFOUND);
    json_t *h = eseal_publisher_health(p);
    assert_false(json_is_true(json_object_get(h, "ok")));
    assert_non_null(json_string_value(json_object_get(h, "lastError")));
    json_decref(h);
    /* what was published before stays served */
    expect(p, ESEAL_PUBLISHER_BY_ESID, A, A, 1,
           stopped == 2 ? ESEAL_STATUS_GOOD : ESEAL_STATUS_PENDING, NULL, NULL);
    eseal_publisher_close(p);
    /* and a restart does not get past it either */
    p = open_pub(data, name);
    assert_int_equal(eseal_publisher_step(p, NOW, &n, &err), ESEAL_E_CRYPTO);
    assert_int_equal(eseal_publisher_position(p), stopped);
    eseal_publisher_close(p);
    free(path);
    free(logdir);
}

static void test_tampered_entry(void **state)
{
    (void)state;
    tamper_case("log-tamper", true);
}

static void test_forged_checkpoint(void **state)
{
    (void)state;
    tamper_case("log-forged", false);
}

/* the template keeps trailing zero bytes of the signature and refuses junk */
static void test_der(void **state)
{
    (void)state;
    struct eseal_status_info in;
    memset(&in, 0, sizeof(in));
    snprintf(in.esid, sizeof(in.esid), "%s", A);
    in.version = 7;
    memset(in.seal_sm3, 0xab, sizeof(in.seal_sm3));
    memset(in.picture_sm3, 0xcd, sizeof(in.picture_sm3));
    snprintf(in.cert_serial, sizeof(in.cert_serial), "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFF01");
    in.status = ESEAL_STATUS_REVOKED;
    snprintf(in.reason, sizeof(in.reason), "cessationOfOperation");
    in.status_time = NOW - 10;
    in.invalidity_date = NOW - 3600; /* [1] GeneralizedTime: kept through sign and parse */
    in.this_update = NOW;
    in.next_update = NOW + 60;
    snprintf(in.checkpoint.origin, sizeof(in.checkpoint.origin), "eseal.platform/log/test");
    in.checkpoint.size = 1ULL << 40;
    memset(in.checkpoint.root, 0x11, sizeof(in.checkpoint.root));
    struct eseal_buf der;
    eseal_buf_init(&der);
    struct eseal_err err;
    /* sign many times: some signatures end in a zero byte */
    for (int i = 0; i < 64; i++) {
        assert_int_equal(eseal_status_sign(&der, &in, eseal_ca_responder_signer, fx_ca, &err),
                         ESEAL_OK);
        struct eseal_status_info out;
        if (eseal_status_verify(&out, der.data, der.len, eseal_ca_cert(fx_ca, ESEAL_CA_RESPONDER),
                                &err) != ESEAL_OK)
            fail_msg("verify: %s", err.msg);
        assert_memory_equal(&out, &in, sizeof(in));
    }
    assert_int_equal(eseal_status_parse(&(struct eseal_status_info){0}, der.data, der.len - 1, NULL,
                                        NULL, NULL, NULL, NULL),
                     ESEAL_E_INVALID);
    eseal_buf_append(&der, "", 1);
    assert_int_equal(eseal_status_parse(&(struct eseal_status_info){0}, der.data, der.len, NULL,
                                        NULL, NULL, NULL, NULL),
                     ESEAL_E_INVALID);
    /* only a revocation carries an invalidity date */
    in.status = ESEAL_STATUS_SUSPENDED;
    assert_int_equal(eseal_status_sign(&der, &in, eseal_ca_responder_signer, fx_ca, &err),
                     ESEAL_OK);
    struct eseal_status_info held;
    assert_int_equal(eseal_status_parse(&held, der.data, der.len, NULL, NULL, NULL, NULL, &err),
                     ESEAL_OK);
    assert_int_equal(held.invalidity_date, 0);
    in.status = ESEAL_STATUS_UNKNOWN;
    assert_int_equal(eseal_status_sign(&der, &in, eseal_ca_responder_signer, fx_ca, NULL),
                     ESEAL_E_INVALID);
    eseal_buf_cleanup(&der);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_der),
        cmocka_unit_test(test_transitions),
        cmocka_unit_test(test_refresh),
        cmocka_unit_test(test_replay_and_resume),
        cmocka_unit_test(test_tampered_entry),
        cmocka_unit_test(test_forged_checkpoint),
    };
    return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
