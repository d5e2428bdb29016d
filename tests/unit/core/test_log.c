/* test_log.c — the event log with a real Ed25519 signer (core's own
 * struct eseal_log_signer: no CA is linked), real files, a real RocksDB index
 * and a real HTTP server: appends and canonical form, reopening, torn tails
 * and corruption, group commit, checkpoints, proofs, followers and audits. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "eseal/enc.h"
#include "eseal/http.h"
#include "eseal/httpc.h"
#include "eseal/json.h"
#include "eseal/log.h"
#include "eseal/merkle.h"
#include "eseal/note.h"
#include "eseal/secret.h"
#include "testutil.h"

#define HLEN ESEAL_MERKLE_HASH_LEN
/* struct test_signer is a log key held by the test itself: the log needs
 * nothing but struct eseal_log_signer, so core's tests link core only. */
struct test_signer {
    struct eseal_log_signer s;
    char origin[64];
    uint8_t pk[ESEAL_ED25519_PK_LEN];
    uint8_t sk[ESEAL_ED25519_SK_LEN];
};

static struct test_signer main_signer, other_signer;
static const struct eseal_log_signer *signer = &main_signer.s, *wrong_signer = &other_signer.s;
static struct eseal_log_key key, other_key;

static eseal_rc test_sign(void *ctx, const uint8_t *msg, size_t msg_len,
                          uint8_t sig[ESEAL_ED25519_SIG_LEN], struct eseal_err *err)
{
    const struct test_signer *t = ctx;
    eseal_ed25519_sign(sig, msg, msg_len, t->sk);
    return ESEAL_OK;
}

static void make_signer(struct test_signer *t, const char *origin, struct eseal_log_key *k)
{
    snprintf(t->origin, sizeof(t->origin), "%s", origin);
    eseal_ed25519_keypair(t->pk, t->sk);
    t->s =
        (struct eseal_log_signer){.origin = t->origin, .pub = t->pk, .sign = test_sign, .ctx = t};
    /* The verifier key text, as a CA's log.pub would hold it. */
    char *text = eseal_note_key_format(t->origin, t->pk);
    struct eseal_err err;
    assert_int_equal(eseal_log_key_parse(k, text, strlen(text), &err), ESEAL_OK);
    free(text);
}

static int group_setup(void **state)
{
    make_signer(&main_signer, "test.eseal/log", &key);
    make_signer(&other_signer, "other.eseal/log", &other_key);
    return 0;
}

static int group_teardown(void **state)
{
    eseal_wipe(main_signer.sk, sizeof(main_signer.sk));
    eseal_wipe(other_signer.sk, sizeof(other_signer.sk));
    return 0;
}

static int setup(void **state)
{
    *state = tu_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    tu_rmtree(*state);
    free(*state);
    return 0;
}

/* ---- helpers -------------------------------------------------------------------- */

static char *log_dir(void **state)
{
    return eseal_path_join(*state, "log");
}

static struct eseal_log *open_rw(const char *dir, const struct eseal_log_options *o)
{
    struct eseal_log *log = NULL;
    struct eseal_err err;
    if (eseal_log_open_with(&log, dir, signer, o, &err) != ESEAL_OK)
        fail_msg("eseal_log_open(%s): %s", dir, err.msg);
    return log;
}

static struct eseal_log *open_ro(const char *dir)
{
    struct eseal_log *log = NULL;
    struct eseal_err err;
    if (eseal_log_open(&log, dir, NULL, &err) != ESEAL_OK)
        fail_msg("eseal_log_open(%s, read-only): %s", dir, err.msg);
    return log;
}

static uint64_t append_ok(struct eseal_log *log, json_t *e)
{
    uint64_t seq = UINT64_MAX;
    struct eseal_err err;
    eseal_rc rc = eseal_log_append(log, e, &seq, &err);
    json_decref(e);
    if (rc != ESEAL_OK)
        fail_msg("eseal_log_append: %s", err.msg);
    return seq;
}

static void sync_ok(struct eseal_log *log)
{
    struct eseal_err err;
    if (eseal_log_sync(log, &err) != ESEAL_OK)
        fail_msg("eseal_log_sync: %s", err.msg);
}

/* fill appends |n| entries {"type":"test","n":i} and waits for the checkpoint. */
static void fill(struct eseal_log *log, size_t n)
{
    for (size_t i = 0; i < n; i++)
        append_ok(log, json_pack("{s:s,s:I}", "type", "test", "n", (json_int_t)i));
    sync_ok(log);
}

static void entry_text(struct eseal_log *log, uint64_t seq, struct eseal_buf *out)
{
    struct eseal_err err;
    if (eseal_log_entry(log, seq, out, &err) != ESEAL_OK)
        fail_msg("eseal_log_entry(%llu): %s", (unsigned long long)seq, err.msg);
}

static void head_note(struct eseal_log *log, struct eseal_buf *note)
{
    assert_int_equal(eseal_log_checkpoint(log, note, NULL), ESEAL_OK);
}

static char *seg_path(const char *dir, uint64_t first)
{
    return eseal_xasprintf("%s/segments/%020llu.seg", dir, (unsigned long long)first);
}

static size_t file_len(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (size_t)st.st_size;
}

static void file_append(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static void file_poke(const char *path, size_t off, uint8_t xor_with)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    uint8_t c;
    assert_int_equal(pread(fd, &c, 1, (off_t)off), 1);
    c ^= xor_with;
    assert_int_equal(pwrite(fd, &c, 1, (off_t)off), 1);
    close(fd);
}

/* record_offsets returns the offsets of the records of a segment file. */
static size_t record_offsets(const char *path, size_t *offs, size_t max)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    assert_int_equal(eseal_file_read(&b, path, 1 << 26, NULL), ESEAL_OK);
    size_t n = 0, off = 0;
    while (off + 36 <= b.len && n < max) {
        uint32_t len = (uint32_t)b.data[off] << 24 | (uint32_t)b.data[off + 1] << 16 |
                       (uint32_t)b.data[off + 2] << 8 | b.data[off + 3];
        offs[n++] = off;
        off += 36 + len;
    }
    eseal_buf_cleanup(&b);
    return n;
}

/* make_record builds a valid record for |text|. */
static void make_record(struct eseal_buf *out, const char *text)
{
    size_t len = strlen(text);
    uint8_t h[HLEN];
    eseal_merkle_leaf_hash(h, text, len);
    uint8_t hdr[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                      (uint8_t)len};
    eseal_buf_reset(out);
    eseal_buf_append(out, hdr, 4);
    eseal_buf_append(out, h, HLEN);
    eseal_buf_append(out, text, len);
}

static bool matches(const char *text, const char *pattern)
{
    regex_t re;
    assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    bool ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

static void audit_ok(const char *dir, uint64_t entries)
{
    struct eseal_log_audit au;
    struct eseal_err err;
    if (eseal_log_audit_dir(&au, dir, &key, &err) != ESEAL_OK)
        fail_msg("audit of %s: %s", dir, err.msg);
    assert_int_equal(au.entries, entries);
    assert_true(au.bad_entry == UINT64_MAX);
}

/* ---- appending and reading -------------------------------------------------- */

static void test_append_reopen(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    /* A new log starts with a signed checkpoint of the empty tree. */
    assert_int_equal(eseal_log_size(log), 0);
    struct eseal_buf note, note2, e;
    eseal_buf_init(&note);
    eseal_buf_init(&note2);
    eseal_buf_init(&e);
    head_note(log, &note);
    struct eseal_log_checkpoint cp;
    assert_int_equal(eseal_log_checkpoint_verify(&cp, note.data, note.len, &key, NULL), ESEAL_OK);
    assert_int_equal(cp.size, 0);
    uint8_t empty[HLEN];
    eseal_merkle_empty_root(empty);
    assert_memory_equal(cp.root, empty, HLEN);
    for (uint64_t i = 0; i < 20; i++)
        assert_int_equal(append_ok(log, json_pack("{s:s,s:I}", "type", "t", "n", (json_int_t)i)),
                         i);
    sync_ok(log);
    assert_int_equal(eseal_log_size(log), 20);
    entry_text(log, 7, &e);
    assert_true(matches((const char *)e.data,
                        "^\\{\"n\":7,\"seq\":7,\"time\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
                        "[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z\",\"type\":\"t\"\\}$"));
    assert_int_equal(eseal_log_entry(log, 20, &e, NULL), ESEAL_E_NOTFOUND);
    head_note(log, &note);
    eseal_log_close(log);

    /* Reopened (both ways) it holds the same, and signs nothing new. */
    log = open_rw(dir, NULL);
    struct eseal_log_recovery rec;
    eseal_log_recovery(log, &rec);
    assert_false(rec.signed_checkpoint);
    assert_int_equal(rec.torn_bytes, 0);
    assert_int_equal(rec.reindexed, 0);
    assert_int_equal(eseal_log_size(log), 20);
    head_note(log, &note2);
    assert_int_equal(note.len, note2.len);
    assert_memory_equal(note.data, note2.data, note.len);
    assert_int_equal(append_ok(log, json_pack("{s:s}", "type", "after")), 20);
    sync_ok(log);
    eseal_log_close(log);
    log = open_ro(dir);
    assert_int_equal(eseal_log_size(log), 21);
    entry_text(log, 20, &e);
    assert_non_null(strstr((const char *)e.data, "\"type\":\"after\""));
    /* Read-only: appends are refused. */
    json_t *j = json_pack("{s:s}", "type", "x");
    assert_int_equal(eseal_log_append(log, j, NULL, NULL), ESEAL_E_DENIED);
    json_decref(j);
    /* The directory's checkpoint is the log's. */
    head_note(log, &note);
    assert_int_equal(eseal_log_dir_checkpoint(dir, &note2, NULL), ESEAL_OK);
    assert_int_equal(note.len, note2.len);
    assert_memory_equal(note.data, note2.data, note.len);
    eseal_log_close(log);
    audit_ok(dir, 21);
    eseal_buf_cleanup(&note);
    eseal_buf_cleanup(&note2);
    eseal_buf_cleanup(&e);
    free(dir);
}

static void test_canonical_form(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    /* Keys on both sides of "seq" and "time", nested objects, UTF-8. */
    const char *in = "{\"z\":1,\"a\":{\"y\":true,\"b\":null},\"sz\":\"中文 \\u00e9\",\"t\":[3,1],"
                     "\"tz\":0.5,\"sea\":\"x\",\"time\":\"2020-01-02T03:04:05.006Z\"}";
    json_t *j = eseal_json_load(in, strlen(in));
    assert_non_null(j);
    assert_int_equal(append_ok(log, j), 0);
    /* Without "time" and with a matching "seq". */
    j = json_pack("{s:I,s:s,s:s,s:s}", "seq", (json_int_t)1, "u", "x", "ta", "y", "s", "z");
    assert_int_equal(append_ok(log, j), 1);
    /* Only keys below "seq"; only keys above "time"; nothing at all. */
    assert_int_equal(append_ok(log, json_pack("{s:i}", "a", 1)), 2);
    assert_int_equal(append_ok(log, json_pack("{s:i}", "zz", 1)), 3);
    assert_int_equal(append_ok(log, json_object()), 4);
    sync_ok(log);
    struct eseal_buf e;
    eseal_buf_init(&e);
    entry_text(log, 0, &e);
    assert_string_equal((const char *)e.data,
                        "{\"a\":{\"b\":null,\"y\":true},\"sea\":\"x\",\"seq\":0,\"sz\":\"中文 é\","
                        "\"t\":[3,1],\"time\":\"2020-01-02T03:04:05.006Z\",\"tz\":0.5,\"z\":1}");
    entry_text(log, 1, &e);
    assert_true(matches((const char *)e.data, "^\\{\"s\":\"z\",\"seq\":1,\"ta\":\"y\",\"time\":"
                                              "\"[^\"]{24}\",\"u\":\"x\"\\}$"));
    entry_text(log, 2, &e);
    assert_true(matches((const char *)e.data, "^\\{\"a\":1,\"seq\":2,\"time\":\"[^\"]{24}\"\\}$"));
    entry_text(log, 3, &e);
    assert_true(matches((const char *)e.data, "^\\{\"seq\":3,\"time\":\"[^\"]{24}\",\"zz\":1\\}$"));
    entry_text(log, 4, &e);
    assert_true(matches((const char *)e.data, "^\\{\"seq\":4,\"time\":\"[^\"]{24}\"\\}$"));
    /* Every stored entry is exactly Jansson's canonical dump of itself. */
    for (uint64_t s = 0; s < 5; s++) {
        entry_text(log, s, &e);
        json_t *back = eseal_json_load(e.data, e.len);
        char *again = json_dumps(back, JSON_COMPACT | JSON_SORT_KEYS);
        assert_string_equal(again, (const char *)e.data);
        free(again);
        json_decref(back);
    }
    eseal_buf_cleanup(&e);
    eseal_log_close(log);
    audit_ok(dir, 5);
    free(dir);
}

static void test_refusals_and_limits(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    struct eseal_err err;
    json_t *j = json_pack("[i]", 1);
    assert_int_equal(eseal_log_append(log, j, NULL, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "object"));
    json_decref(j);
    j = json_string("x");
    assert_int_equal(eseal_log_append(log, j, NULL, NULL), ESEAL_E_INVALID);
    json_decref(j);
    j = json_pack("{s:s}", "seq", "1");
    assert_int_equal(eseal_log_append(log, j, NULL, NULL), ESEAL_E_INVALID);
    json_decref(j);
    j = json_pack("{s:i}", "seq", -1);
    assert_int_equal(eseal_log_append(log, j, NULL, NULL), ESEAL_E_INVALID);
    json_decref(j);
    j = json_pack("{s:i}", "time", 5);
    assert_int_equal(eseal_log_append(log, j, NULL, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "time"));
    json_decref(j);
    /* A NUL inside a string would not survive the canonical round trip. */
    j = json_object();
    json_object_set_new(j, "s", json_stringn("a\0b", 3));
    assert_int_equal(eseal_log_append(log, j, NULL, &err), ESEAL_E_INVALID);
    json_decref(j);
    j = json_object();
    json_object_setn_new(j, "k\0x", 3, json_true());
    assert_int_equal(eseal_log_append(log, j, NULL, &err), ESEAL_E_INVALID);
    json_decref(j);
    /* A "seq" that is not the next index conflicts, and nothing is written. */
    j = json_pack("{s:i}", "seq", 5);
    assert_int_equal(eseal_log_append(log, j, NULL, &err), ESEAL_E_CONFLICT);
    assert_non_null(strstr(err.msg, "\"seq\" is 5"));
    json_decref(j);
    /* Size: far below the limit is fine, over it is refused. */
    size_t big = ESEAL_LOG_ENTRY_MAX - 200;
    char *pad = malloc(ESEAL_LOG_ENTRY_MAX + 1);
    memset(pad, 'x', ESEAL_LOG_ENTRY_MAX);
    pad[big] = '\0';
    assert_int_equal(append_ok(log, json_pack("{s:s}", "pad", pad)), 0);
    pad[big] = 'x';
    pad[ESEAL_LOG_ENTRY_MAX] = '\0';
    j = json_pack("{s:s}", "pad", pad);
    assert_int_equal(eseal_log_append(log, j, NULL, &err), ESEAL_E_TOOBIG);
    json_decref(j);
    free(pad);
    /* Batches: all or nothing. */
    json_t *batch[3] = {json_pack("{s:i}", "b", 0), json_pack("{s:i}", "b", 1), json_integer(2)};
    assert_int_equal(eseal_log_append_batch(log, batch, 3, NULL, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "entry 2 of the batch"));
    json_decref(batch[2]);
    batch[2] = json_pack("{s:i}", "seq", 99);
    assert_int_equal(eseal_log_append_batch(log, batch, 3, NULL, &err), ESEAL_E_CONFLICT);
    json_decref(batch[2]);
    batch[2] = json_pack("{s:i,s:i}", "b", 2, "seq", 3);
    uint64_t first = 0;
    assert_int_equal(eseal_log_append_batch(log, batch, 3, &first, &err), ESEAL_OK);
    assert_int_equal(first, 1);
    for (int i = 0; i < 3; i++)
        json_decref(batch[i]);
    assert_int_equal(eseal_log_append_batch(log, batch, 0, NULL, NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_log_append_batch(log, batch, ESEAL_LOG_BATCH_MAX + 1, NULL, NULL),
                     ESEAL_E_INVALID);
    sync_ok(log);
    assert_int_equal(eseal_log_size(log), 4);
    eseal_log_close(log);
    audit_ok(dir, 4);
    free(dir);
}

/* A signer without its origin or callback is refused before anything is
 * created; one whose callback fails stops the first checkpoint. */
static eseal_rc failing_sign(void *ctx, const uint8_t *msg, size_t msg_len,
                             uint8_t sig[ESEAL_ED25519_SIG_LEN], struct eseal_err *err)
{
    return eseal_err_set(err, ESEAL_E_DENIED, "key locked");
}

static void test_signer_checked(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = NULL;
    struct eseal_err err;
    struct eseal_log_signer s = *signer;
    s.sign = NULL;
    assert_int_equal(eseal_log_open(&log, dir, &s, &err), ESEAL_E_INVALID);
    s = *signer;
    s.origin = NULL;
    assert_int_equal(eseal_log_open(&log, dir, &s, &err), ESEAL_E_INVALID);
    assert_null(log);
    assert_int_equal(access(dir, F_OK), -1);
    /* A new log signs its empty tree at open: the signer's code comes back. */
    s = *signer;
    s.sign = failing_sign;
    assert_int_equal(eseal_log_open(&log, dir, &s, &err), ESEAL_E_DENIED);
    assert_non_null(strstr(err.msg, "key locked"));
    assert_null(log);
    free(dir);
}

static void test_other_key_refused(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    fill(log, 2);
    eseal_log_close(log);
    struct eseal_err err;
    assert_int_equal(eseal_log_open(&log, dir, wrong_signer, &err), ESEAL_E_CONFLICT);
    assert_null(log);
    /* Audits and followers with the wrong key fail. */
    struct eseal_log_audit au;
    assert_int_equal(eseal_log_audit_dir(&au, dir, &other_key, &err), ESEAL_E_CRYPTO);
    struct eseal_log_follower *f = NULL;
    assert_int_equal(eseal_log_follower_open_dir(&f, dir, &other_key, &err), ESEAL_E_CRYPTO);
    /* A directory that is not a log. */
    char *nolog = eseal_path_join(*state, "nolog");
    assert_int_equal(eseal_log_open(&log, nolog, NULL, &err), ESEAL_E_NOTFOUND);
    /* And only one process (here: handle) may hold a log. */
    log = open_rw(dir, NULL);
    struct eseal_log *second = NULL;
    assert_int_equal(eseal_log_open(&second, dir, NULL, &err), ESEAL_E_UNAVAILABLE);
    assert_non_null(strstr(err.msg, "another process"));
    eseal_log_close(log);
    free(nolog);
    free(dir);
}

/* ---- key rotation ------------------------------------------------------------------- */

/* open_with opens |dir| for writing with |s| (fails the test otherwise). */
static struct eseal_log *open_with(const char *dir, const struct eseal_log_signer *s)
{
    struct eseal_log *log = NULL;
    struct eseal_err err;
    if (eseal_log_open(&log, dir, s, &err) != ESEAL_OK)
        fail_msg("eseal_log_open(%s): %s", dir, err.msg);
    return log;
}

/* A log key rotation: key.rotated under the old key, checkpoints co-signed
 * (two signature lines, each verifying), key.retired, log.json rekeyed, the
 * new key alone; the audit from the first key follows it, one from the new
 * key alone does not; a log whose key changed without an announcement is
 * refused (docs/log.md "Key rotation"). */
static void test_key_rotation(void **state)
{
    char *dir = log_dir(state);
    struct test_signer next, rogue;
    struct eseal_log_key next_key, rogue_key;
    make_signer(&next, main_signer.origin, &next_key);
    make_signer(&rogue, main_signer.origin, &rogue_key);
    char *old_v = eseal_note_key_format(main_signer.origin, main_signer.pk);
    char *next_v = eseal_note_key_format(next.origin, next.pk);
    char *rogue_v = eseal_note_key_format(rogue.origin, rogue.pk);

    struct eseal_log *log = open_rw(dir, NULL);
    fill(log, 2);
    append_ok(log, json_pack("{s:s, s:{s:s, s:{s:s}}}", "type", "key.rotated", "data", "role",
                             "log", "new", "key", next_v));
    sync_ok(log);
    eseal_log_close(log);

    struct eseal_log_signer both = *signer;
    both.cosigner = &next.s;
    log = open_with(dir, &both);
    fill(log, 1);
    struct eseal_buf note;
    eseal_buf_init(&note);
    head_note(log, &note);
    const char *last = (const char *)note.data;
    size_t lines = 0;
    for (const char *p = last; (p = strstr(p, "\xe2\x80\x94 ")) != NULL; p++)
        lines++;
    assert_int_equal(lines, 2);
    struct eseal_log_checkpoint cp;
    struct eseal_err err;
    assert_int_equal(eseal_log_checkpoint_verify(&cp, note.data, note.len, &key, &err), ESEAL_OK);
    assert_int_equal(eseal_log_checkpoint_verify(&cp, note.data, note.len, &next_key, &err),
                     ESEAL_OK);
    append_ok(log, json_pack("{s:s, s:{s:s, s:s, s:s}}", "type", "key.retired", "data", "role",
                             "log", "key", old_v, "by", next_v));
    sync_ok(log);
    eseal_log_close(log);

    /* the next key is the log's key now; the old one is refused */
    assert_int_equal(eseal_log_open(&log, dir, &next.s, &err), ESEAL_E_CONFLICT);
    assert_int_equal(eseal_log_rekey(dir, next_v, &err), ESEAL_OK);
    log = open_with(dir, &next.s);
    fill(log, 1);
    head_note(log, &note);
    assert_int_equal(eseal_log_checkpoint_verify(&cp, note.data, note.len, &key, &err),
                     ESEAL_E_CRYPTO);
    eseal_log_close(log);
    log = open_with(dir, &next.s); /* recovery checks the old checkpoints too */
    eseal_log_close(log);

    audit_ok(dir, 6);
    struct eseal_log_audit au;
    assert_int_equal(eseal_log_audit_dir(&au, dir, &next_key, &err), ESEAL_E_CRYPTO);

    /* an unannounced key: the log rekeyed behind the auditors' backs */
    assert_int_equal(eseal_log_rekey(dir, rogue_v, &err), ESEAL_OK);
    log = open_with(dir, &rogue.s);
    fill(log, 1);
    eseal_log_close(log);
    assert_int_equal(eseal_log_audit_dir(&au, dir, &key, &err), ESEAL_E_CRYPTO);
    assert_non_null(strstr(err.msg, "no signature by"));
    /* a key of another name cannot take over */
    char *other_v = eseal_note_key_format(other_signer.origin, other_signer.pk);
    assert_int_equal(eseal_log_rekey(dir, other_v, &err), ESEAL_E_INVALID);

    free(other_v);
    eseal_buf_cleanup(&note);
    free(old_v);
    free(next_v);
    free(rogue_v);
    free(dir);
}

/* ---- checkpoints ------------------------------------------------------------------ */

static void test_checkpoint_format_and_signature(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    fill(log, 5);
    struct eseal_buf note;
    eseal_buf_init(&note);
    head_note(log, &note);
    const char *t = (const char *)note.data;
    /* origin, size, base64 root, blank line, "— origin base64(hash||sig)". */
    assert_true(matches(t, "^test\\.eseal/log\n5\n[A-Za-z0-9+/]{43}=\n\n\xe2\x80\x94 "
                           "test\\.eseal/log [A-Za-z0-9+/]{91}=\n$"));
    /* The signature is Ed25519 over the first three lines, checked by hand. */
    const char *blank = strstr(t, "\n\n");
    size_t body_len = (size_t)(blank - t) + 1;
    const char *b64 = strrchr(t, ' ') + 1;
    struct eseal_buf sig;
    eseal_buf_init(&sig);
    assert_int_equal(eseal_unbase64(&sig, b64, strlen(b64) - 1, ESEAL_B64_STD, NULL), ESEAL_OK);
    assert_int_equal(sig.len, 68);
    assert_memory_equal(sig.data, key.hash, 4);
    assert_int_equal(eseal_ed25519_verify(sig.data + 4, t, body_len, key.pk), ESEAL_OK);
    assert_int_equal(eseal_ed25519_verify(sig.data + 4, t, body_len - 1, key.pk), ESEAL_E_CRYPTO);
    /* Parsed, it gives the log's size and root. */
    struct eseal_log_checkpoint cp;
    assert_int_equal(eseal_log_checkpoint_verify(&cp, note.data, note.len, &key, NULL), ESEAL_OK);
    assert_int_equal(cp.size, 5);
    assert_string_equal(cp.origin, "test.eseal/log");
    uint8_t root[HLEN];
    assert_int_equal(eseal_log_root(log, 5, root, NULL), ESEAL_OK);
    assert_memory_equal(cp.root, root, HLEN);
    struct eseal_log_checkpoint head;
    eseal_log_head(log, &head);
    assert_int_equal(head.size, 5);
    assert_memory_equal(head.root, root, HLEN);
    /* Every single-byte change of the note is refused. */
    for (size_t i = 0; i < note.len; i++) {
        note.data[i] ^= 0x01;
        struct eseal_err err;
        assert_int_not_equal(eseal_log_checkpoint_verify(&cp, note.data, note.len, &key, &err),
                             ESEAL_OK);
        note.data[i] ^= 0x01;
    }
    /* Another key, a missing signature. */
    struct eseal_err err;
    assert_int_equal(eseal_log_checkpoint_verify(&cp, note.data, note.len, &other_key, &err),
                     ESEAL_E_CRYPTO);
    assert_int_equal(eseal_log_checkpoint_verify(&cp, note.data, body_len + 1, &key, &err),
                     ESEAL_E_INVALID);
    /* Witness cosignatures and extension lines are allowed. */
    struct eseal_buf ext;
    eseal_buf_init(&ext);
    eseal_buf_append(&ext, note.data, note.len);
    eseal_buf_append_str(&ext, "\xe2\x80\x94 witness.example AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                               "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n");
    assert_int_equal(eseal_log_checkpoint_verify(&cp, ext.data, ext.len, &key, &err), ESEAL_OK);
    /* An extension line changes the signed body: signed by us it is fine. */
    struct eseal_buf body;
    eseal_buf_init(&body);
    eseal_buf_append(&body, t, body_len);
    eseal_buf_append_str(&body, "extension line\n");
    uint8_t s2[4 + 64];
    memcpy(s2, key.hash, 4);
    assert_int_equal(signer->sign(signer->ctx, body.data, body.len, s2 + 4, NULL), ESEAL_OK);
    char *s2b = eseal_base64(s2, sizeof(s2), ESEAL_B64_STD);
    eseal_buf_appendf(&body, "\n\xe2\x80\x94 test.eseal/log %s\n", s2b);
    free(s2b);
    assert_int_equal(eseal_log_checkpoint_verify(&cp, body.data, body.len, &key, &err), ESEAL_OK);
    assert_int_equal(cp.size, 5);
    /* Malformed notes. */
    static const char *const bad[] = {
        "",
        "test.eseal/log\n5\n",
        "test.eseal/log\n05\nAAAA\n\n\xe2\x80\x94 test.eseal/log AAAA\n",
        "test.eseal/log\n-5\nAAAA\n\n\xe2\x80\x94 test.eseal/log AAAA\n",
        "test.eseal/log\n5\nnot base64\n\n\xe2\x80\x94 test.eseal/log AAAA\n",
        "test.eseal/log\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n- test.eseal/log "
        "AAAA\n",
        "test.eseal/log\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 x\n",
        "test.eseal/log\r\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 x "
        "AAAA\n",
        "test.eseal/log\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 t AAAA",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(eseal_log_checkpoint_verify(&cp, bad[i], strlen(bad[i]), &key, &err),
                         ESEAL_E_INVALID);
    eseal_buf_cleanup(&body);
    eseal_buf_cleanup(&ext);
    eseal_buf_cleanup(&sig);
    eseal_buf_cleanup(&note);
    eseal_log_close(log);
    free(dir);
}

/* ---- proofs ------------------------------------------------------------------------- */

static void test_proofs(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    enum { N = 70 };
    uint8_t roots[N + 1][HLEN], leaves[N][HLEN];
    eseal_merkle_empty_root(roots[0]);
    struct eseal_buf e;
    eseal_buf_init(&e);
    struct eseal_merkle_frontier fr;
    eseal_merkle_frontier_init(&fr);
    for (size_t i = 0; i < N; i++) {
        append_ok(log, json_pack("{s:I}", "i", (json_int_t)i));
        sync_ok(log);
        entry_text(log, i, &e);
        eseal_merkle_leaf_hash(leaves[i], e.data, e.len);
        assert_int_equal(eseal_merkle_frontier_append(&fr, leaves[i], NULL, NULL), ESEAL_OK);
        eseal_merkle_frontier_root(&fr, roots[i + 1]);
    }
    for (uint64_t size = 0; size <= N; size++) {
        uint8_t r[HLEN];
        assert_int_equal(eseal_log_root(log, size, r, NULL), ESEAL_OK);
        assert_memory_equal(r, roots[size], HLEN);
        for (uint64_t i = 0; i < size; i++) {
            struct eseal_merkle_proof p;
            assert_int_equal(eseal_log_inclusion_proof(log, i, size, &p, NULL), ESEAL_OK);
            assert_int_equal(eseal_merkle_verify_inclusion(leaves[i], i, size, &p, roots[size]),
                             ESEAL_OK);
        }
        for (uint64_t first = 0; first <= size; first++) {
            struct eseal_merkle_proof p;
            assert_int_equal(eseal_log_consistency_proof(log, first, size, &p, NULL), ESEAL_OK);
            assert_int_equal(
                eseal_merkle_verify_consistency(first, size, roots[first], roots[size], &p),
                ESEAL_OK);
        }
    }
    struct eseal_merkle_proof p;
    assert_int_equal(eseal_log_inclusion_proof(log, 5, N + 1, &p, NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_log_inclusion_proof(log, 5, 5, &p, NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_log_consistency_proof(log, 6, 5, &p, NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_log_consistency_proof(log, 1, N + 1, &p, NULL), ESEAL_E_INVALID);
    uint8_t r[HLEN];
    assert_int_equal(eseal_log_root(log, N + 1, r, NULL), ESEAL_E_INVALID);
    eseal_log_close(log);
    /* The index is derived data: without it the same answers come back. */
    char *index = eseal_path_join(dir, "index");
    tu_rmtree(index);
    free(index);
    log = open_ro(dir);
    struct eseal_log_recovery rec;
    eseal_log_recovery(log, &rec);
    assert_int_equal(rec.reindexed, N);
    assert_int_equal(eseal_log_root(log, N, r, NULL), ESEAL_OK);
    assert_memory_equal(r, roots[N], HLEN);
    assert_int_equal(eseal_log_inclusion_proof(log, 33, N, &p, NULL), ESEAL_OK);
    assert_int_equal(eseal_merkle_verify_inclusion(leaves[33], 33, N, &p, roots[N]), ESEAL_OK);
    eseal_log_close(log);
    eseal_buf_cleanup(&e);
    free(dir);
}

/* ---- group commit ---------------------------------------------------------------------- */

#define THREADS 16
#define PER_THREAD 150

struct worker {
    struct eseal_log *log;
    unsigned id;
    uint64_t seqs[PER_THREAD];
    int failures;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (unsigned i = 0; i < PER_THREAD; i++) {
        json_t *e = json_pack("{s:s,s:i,s:i}", "type", "group", "w", (int)w->id, "i", (int)i);
        if (eseal_log_append(w->log, e, &w->seqs[i], NULL) != ESEAL_OK)
            w->failures++;
        json_decref(e);
    }
    return NULL;
}

static void test_group_commit(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    static struct worker ws[THREADS];
    pthread_t th[THREADS];
    for (unsigned t = 0; t < THREADS; t++) {
        ws[t] = (struct worker){.log = log, .id = t};
        assert_int_equal(pthread_create(&th[t], NULL, worker_main, &ws[t]), 0);
    }
    for (unsigned t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    sync_ok(log);
    enum { TOTAL = THREADS * PER_THREAD };
    static bool seen[TOTAL];
    memset(seen, 0, sizeof(seen));
    struct eseal_buf e;
    eseal_buf_init(&e);
    for (unsigned t = 0; t < THREADS; t++) {
        assert_int_equal(ws[t].failures, 0);
        for (unsigned i = 0; i < PER_THREAD; i++) {
            uint64_t s = ws[t].seqs[i];
            assert_true(s < TOTAL);
            assert_false(seen[s]);
            seen[s] = true;
            /* Each writer's appends are in its own order. */
            if (i > 0)
                assert_true(s > ws[t].seqs[i - 1]);
            entry_text(log, s, &e);
            char want[64];
            snprintf(want, sizeof(want), "\"i\":%u,", i);
            assert_non_null(strstr((const char *)e.data, want));
            snprintf(want, sizeof(want), "\"w\":%u}", t);
            assert_non_null(strstr((const char *)e.data, want));
        }
    }
    assert_int_equal(eseal_log_size(log), TOTAL);
    eseal_buf_cleanup(&e);
    eseal_log_close(log);
    struct eseal_log_audit au;
    assert_int_equal(eseal_log_audit_dir(&au, dir, &key, NULL), ESEAL_OK);
    assert_int_equal(au.entries, TOTAL);
    /* Appends were grouped: fewer checkpoints (one per commit) than entries. */
    assert_true(au.checkpoints < TOTAL);
    free(dir);
}

/* ---- recovery ----------------------------------------------------------------------------- */

static void test_torn_tail_truncated(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    fill(log, 5);
    eseal_log_close(log);
    char *seg = seg_path(dir, 0);
    size_t good = file_len(seg);
    struct eseal_buf rec;
    eseal_buf_init(&rec);
    make_record(&rec, "{\"seq\":5,\"time\":\"2020-01-01T00:00:00.000Z\"}");

    /* 1. A record cut short (runs past the end). */
    file_append(seg, rec.data, rec.len - 3);
    /* A read-only open leaves it alone and reports it. */
    log = open_ro(dir);
    struct eseal_log_recovery r;
    eseal_log_recovery(log, &r);
    assert_int_equal(r.torn_bytes, rec.len - 3);
    assert_int_equal(eseal_log_size(log), 5);
    eseal_log_close(log);
    assert_int_equal(file_len(seg), good + rec.len - 3);
    /* The audit tolerates it: no checkpoint covers it. */
    struct eseal_log_audit au;
    assert_int_equal(eseal_log_audit_dir(&au, dir, &key, NULL), ESEAL_OK);
    assert_int_equal(au.torn_bytes, rec.len - 3);
    /* A writer truncates it. */
    log = open_rw(dir, NULL);
    eseal_log_recovery(log, &r);
    assert_int_equal(r.torn_bytes, rec.len - 3);
    assert_false(r.signed_checkpoint);
    eseal_log_close(log);
    assert_int_equal(file_len(seg), good);

    /* 2. A complete final record whose hash does not match. */
    rec.data[40] ^= 0x20;
    file_append(seg, rec.data, rec.len);
    log = open_rw(dir, NULL);
    eseal_log_recovery(log, &r);
    assert_int_equal(r.torn_bytes, rec.len);
    assert_int_equal(append_ok(log, json_pack("{s:s}", "type", "next")), 5);
    sync_ok(log);
    eseal_log_close(log);
    rec.data[40] ^= 0x20;

    /* 3. A zero-filled tail (the size grew, the data never landed). */
    good = file_len(seg);
    uint8_t zeros[300] = {0};
    file_append(seg, zeros, sizeof(zeros));
    log = open_rw(dir, NULL);
    eseal_log_recovery(log, &r);
    assert_int_equal(r.torn_bytes, sizeof(zeros));
    eseal_log_close(log);
    assert_int_equal(file_len(seg), good);

    /* 4. A torn checkpoint record. */
    char *cps = eseal_path_join(dir, "checkpoints");
    size_t cp_good = file_len(cps);
    file_append(cps, "\0\0\0\x40garbage", 11);
    log = open_rw(dir, NULL);
    eseal_log_recovery(log, &r);
    assert_int_equal(r.torn_checkpoint_bytes, 11);
    eseal_log_close(log);
    assert_int_equal(file_len(cps), cp_good);
    audit_ok(dir, 6);
    free(cps);
    eseal_buf_cleanup(&rec);
    free(seg);
    free(dir);
}

static void test_unsigned_entries_signed_at_open(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    fill(log, 3);
    eseal_log_close(log);
    /* As if the writer died after the records' fdatasync, before their
     * checkpoint: a complete, valid record no checkpoint covers. */
    char *seg = seg_path(dir, 0);
    struct eseal_buf rec;
    eseal_buf_init(&rec);
    make_record(&rec, "{\"seq\":3,\"time\":\"2020-01-01T00:00:00.000Z\",\"type\":\"late\"}");
    file_append(seg, rec.data, rec.len);
    struct eseal_log_audit au;
    assert_int_equal(eseal_log_audit_dir(&au, dir, &key, NULL), ESEAL_OK);
    assert_int_equal(au.uncovered, 1);
    log = open_ro(dir);
    struct eseal_log_recovery r;
    eseal_log_recovery(log, &r);
    assert_int_equal(r.unsigned_entries, 1);
    assert_false(r.signed_checkpoint);
    assert_int_equal(eseal_log_size(log), 3);
    eseal_log_close(log);
    log = open_rw(dir, NULL);
    eseal_log_recovery(log, &r);
    assert_true(r.signed_checkpoint);
    assert_int_equal(eseal_log_size(log), 4);
    struct eseal_buf e;
    eseal_buf_init(&e);
    entry_text(log, 3, &e);
    assert_non_null(strstr((const char *)e.data, "late"));
    eseal_log_close(log);
    assert_int_equal(eseal_log_audit_dir(&au, dir, &key, NULL), ESEAL_OK);
    assert_int_equal(au.uncovered, 0);
    assert_int_equal(au.latest.size, 4);
    eseal_buf_cleanup(&e);
    eseal_buf_cleanup(&rec);
    free(seg);
    free(dir);
}

static void test_middle_corruption_is_fatal(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    fill(log, 6);
    eseal_log_close(log);
    char *seg = seg_path(dir, 0);
    size_t offs[16];
    assert_int_equal(record_offsets(seg, offs, 16), 6);
    file_poke(seg, offs[2] + 36 + 3, 0x01);
    /* With the index in place, reading the entry finds it. */
    log = open_ro(dir);
    struct eseal_buf e;
    eseal_buf_init(&e);
    struct eseal_err err;
    assert_int_equal(eseal_log_entry(log, 2, &e, &err), ESEAL_E_CRYPTO);
    assert_non_null(strstr(err.msg, "entry 2"));
    entry_text(log, 3, &e);
    eseal_log_close(log);
    /* The audit names it. */
    struct eseal_log_audit au;
    assert_int_equal(eseal_log_audit_dir(&au, dir, &key, &err), ESEAL_E_CRYPTO);
    assert_int_equal(au.bad_entry, 2);
    assert_non_null(strstr(err.msg, "entry 2 "));
    /* Rescanning (no index) it is a hard error on open, naming entry and offset. */
    char *index = eseal_path_join(dir, "index");
    tu_rmtree(index);
    assert_int_equal(eseal_log_open(&log, dir, signer, &err), ESEAL_E_CRYPTO);
    char want[96];
    snprintf(want, sizeof(want), "entry 2 (00000000000000000000.seg, offset %zu)", offs[2]);
    assert_non_null(strstr(err.msg, want));
    /* and nothing was truncated. */
    assert_int_equal(record_offsets(seg, offs, 16), 6);
    tu_rmtree(index);
    free(index);
    eseal_buf_cleanup(&e);
    free(seg);
    free(dir);
}

static void test_acknowledged_loss_is_fatal(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    fill(log, 5);
    eseal_log_close(log);
    char *seg = seg_path(dir, 0);
    size_t offs[8];
    assert_int_equal(record_offsets(seg, offs, 8), 5);
    size_t len = file_len(seg);
    /* The last record changed: it looks like a torn tail, but a durable
     * checkpoint covers it. */
    file_poke(seg, len - 2, 0x01);
    char *index = eseal_path_join(dir, "index");
    tu_rmtree(index);
    struct eseal_err err;
    assert_int_equal(eseal_log_open(&log, dir, signer, &err), ESEAL_E_CRYPTO);
    assert_non_null(strstr(err.msg, "acknowledged entries lost"));
    assert_int_equal(file_len(seg), len); /* not truncated */
    file_poke(seg, len - 2, 0x01);
    /* The last record gone (with the index still there). */
    log = open_rw(dir, NULL);
    eseal_log_close(log);
    assert_int_equal(truncate(seg, (off_t)offs[4]), 0);
    assert_int_equal(eseal_log_open(&log, dir, signer, &err), ESEAL_E_CRYPTO);
    assert_non_null(strstr(err.msg, "entry 4"));
    /* ... and without the index. */
    tu_rmtree(index);
    assert_int_equal(eseal_log_open(&log, dir, NULL, &err), ESEAL_E_CRYPTO);
    assert_non_null(strstr(err.msg, "acknowledged entries lost"));
    struct eseal_log_audit au;
    assert_int_equal(eseal_log_audit_dir(&au, dir, &key, &err), ESEAL_E_CRYPTO);
    assert_int_equal(au.bad_entry, 4);
    /* A whole segment missing. */
    assert_int_equal(unlink(seg), 0);
    assert_int_equal(eseal_log_audit_dir(&au, dir, &key, &err), ESEAL_E_CRYPTO);
    assert_int_equal(au.bad_entry, 0);
    tu_rmtree(index);
    free(index);
    free(seg);
    free(dir);
}

static void test_segments_roll(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log_options o = {.segment_bytes = 400};
    struct eseal_log *log = open_rw(dir, &o);
    for (int round = 0; round < 4; round++) {
        json_t *batch[10];
        for (int i = 0; i < 10; i++)
            batch[i] = json_pack("{s:i,s:i}", "round", round, "i", i);
        assert_int_equal(eseal_log_append_batch(log, batch, 10, NULL, NULL), ESEAL_OK);
        for (int i = 0; i < 10; i++)
            json_decref(batch[i]);
        fill(log, 3);
    }
    assert_int_equal(eseal_log_size(log), 52);
    eseal_log_close(log);
    char *s13 = seg_path(dir, 13);
    assert_int_equal(access(s13, F_OK), 0); /* rolled at a commit boundary */
    free(s13);
    log = open_rw(dir, &o);
    fill(log, 2);
    struct eseal_buf a, b;
    eseal_buf_init(&a);
    eseal_buf_init(&b);
    for (uint64_t s = 0; s < 54; s++) {
        entry_text(log, s, &a);
        char want[32];
        snprintf(want, sizeof(want), "\"seq\":%llu,", (unsigned long long)s);
        assert_non_null(strstr((const char *)a.data, want));
    }
    eseal_log_close(log);
    audit_ok(dir, 54);
    /* A follower reads across the segments too. */
    struct eseal_log_follower *f = NULL;
    assert_int_equal(eseal_log_follower_open_dir(&f, dir, &key, NULL), ESEAL_OK);
    uint64_t got = 0;
    for (;;) {
        json_t *es = NULL;
        struct eseal_err err;
        if (eseal_log_follower_next(f, &es, &err) != ESEAL_OK)
            fail_msg("follower: %s", err.msg);
        size_t n = json_array_size(es);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(json_integer_value(json_object_get(json_array_get(es, i), "seq")),
                             got + i);
        got += n;
        json_decref(es);
        if (n == 0)
            break;
    }
    assert_int_equal(got, 54);
    eseal_log_follower_free(f);
    eseal_buf_cleanup(&a);
    eseal_buf_cleanup(&b);
    free(dir);
}

/* ---- following -------------------------------------------------------------------------- */

/* drain reads everything the follower offers now and checks it against the
 * log's own entries. */
static uint64_t drain(struct eseal_log_follower *f, struct eseal_log *log)
{
    uint64_t n_total = 0;
    struct eseal_buf want;
    eseal_buf_init(&want);
    for (;;) {
        json_t *es = NULL;
        struct eseal_err err;
        if (eseal_log_follower_next(f, &es, &err) != ESEAL_OK)
            fail_msg("follower: %s", err.msg);
        size_t n = json_array_size(es);
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_array_get(es, i);
            uint64_t seq = (uint64_t)json_integer_value(json_object_get(e, "seq"));
            char *got = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
            entry_text(log, seq, &want);
            assert_string_equal(got, (const char *)want.data);
            free(got);
        }
        n_total += n;
        json_decref(es);
        if (n == 0)
            break;
    }
    eseal_buf_cleanup(&want);
    return n_total;
}

static void test_follower_dir(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    fill(log, 25);
    struct eseal_log_follower *f = NULL;
    assert_int_equal(eseal_log_follower_open_dir(&f, dir, &key, NULL), ESEAL_OK);
    /* It reads while the writer holds the log. */
    assert_int_equal(drain(f, log), 25);
    assert_int_equal(eseal_log_follower_position(f), 25);
    assert_int_equal(eseal_log_follower_verified(f)->size, 25);
    fill(log, 10);
    assert_int_equal(drain(f, log), 10);
    /* Saved and restored into a new follower, it carries on. */
    char *saved = eseal_log_follower_save(f);
    eseal_log_follower_free(f);
    fill(log, 7);
    assert_int_equal(eseal_log_follower_open_dir(&f, dir, &key, NULL), ESEAL_OK);
    assert_int_equal(eseal_log_follower_restore(f, saved, strlen(saved), NULL), ESEAL_OK);
    assert_int_equal(drain(f, log), 7);
    assert_int_equal(eseal_log_follower_position(f), 42);
    assert_int_equal(eseal_log_follower_restore(f, "{\"position\":3}", 14, NULL), ESEAL_E_INVALID);
    eseal_log_follower_free(f);
    eseal_log_close(log);
    /* A changed entry stops a new follower with ESEAL_E_CRYPTO, every time. */
    char *seg = seg_path(dir, 0);
    size_t offs[64];
    assert_int_equal(record_offsets(seg, offs, 64), 42);
    file_poke(seg, offs[30] + 40, 0x02);
    assert_int_equal(eseal_log_follower_open_dir(&f, dir, &key, NULL), ESEAL_OK);
    struct eseal_err err;
    json_t *es = NULL;
    uint64_t got = 0;
    eseal_rc rc;
    while ((rc = eseal_log_follower_next(f, &es, &err)) == ESEAL_OK) {
        got += json_array_size(es);
        json_decref(es);
        assert_true(got <= 30);
    }
    assert_int_equal(rc, ESEAL_E_CRYPTO);
    assert_non_null(strstr(err.msg, "entry 30"));
    assert_int_equal(eseal_log_follower_next(f, &es, &err), ESEAL_E_CRYPTO);
    assert_null(es);
    assert_int_equal(eseal_log_follower_position(f), got);
    eseal_log_follower_free(f);
    free(saved);
    free(seg);
    free(dir);
}

/* ---- HTTP -------------------------------------------------------------------------------- */

static struct eseal_http *serve(struct eseal_log *log, char **base)
{
    struct eseal_http_config cfg = {
        .routes = eseal_log_routes, .n_routes = ESEAL_LOG_N_ROUTES, .app = log, .threads = 2};
    struct eseal_http *srv = NULL;
    struct eseal_err err;
    if (eseal_http_start(&srv, &cfg, &err) != ESEAL_OK)
        fail_msg("eseal_http_start: %s", err.msg);
    *base = eseal_xasprintf("http://127.0.0.1:%u", (unsigned)eseal_http_port(srv));
    return srv;
}

static unsigned get(const char *base, const char *path, struct eseal_buf *body)
{
    char *url = eseal_xasprintf("%s%s", base, path);
    unsigned status = 0;
    struct eseal_err err;
    if (eseal_httpc_get(url, NULL, &status, body, &err) != ESEAL_OK)
        fail_msg("GET %s: %s", url, err.msg);
    free(url);
    return status;
}

static json_t *get_json(const char *base, const char *path, unsigned want_status)
{
    struct eseal_buf body;
    eseal_buf_init(&body);
    unsigned status = get(base, path, &body);
    if (status != want_status)
        fail_msg("GET %s: status %u, want %u: %s", path, status, want_status,
                 (const char *)body.data);
    json_t *j = eseal_json_load(body.data, body.len);
    assert_non_null(j);
    eseal_buf_cleanup(&body);
    return j;
}

static void test_http_endpoints(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    json_t *batch[ESEAL_LOG_BATCH_MAX];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < ESEAL_LOG_BATCH_MAX; i++)
            batch[i] = json_pack("{s:i,s:i}", "round", round, "i", i);
        assert_int_equal(eseal_log_append_batch(log, batch, ESEAL_LOG_BATCH_MAX, NULL, NULL),
                         ESEAL_OK);
        for (int i = 0; i < ESEAL_LOG_BATCH_MAX; i++)
            json_decref(batch[i]);
    }
    fill(log, 5);
    char *base = NULL;
    struct eseal_http *srv = serve(log, &base);
    struct eseal_buf body, note;
    eseal_buf_init(&body);
    eseal_buf_init(&note);
    /* The checkpoint, byte for byte. */
    assert_int_equal(get(base, "/log/checkpoint", &body), 200);
    head_note(log, &note);
    assert_int_equal(body.len, note.len);
    assert_memory_equal(body.data, note.data, note.len);
    /* A page of entries is cut at the page size. */
    json_t *j = get_json(base, "/log/entries?start=3&end=2005", 200);
    assert_int_equal(json_integer_value(json_object_get(j, "start")), 3);
    assert_int_equal(json_integer_value(json_object_get(j, "end")), 3 + ESEAL_LOG_PAGE_MAX);
    json_t *items = json_object_get(j, "entries");
    assert_int_equal(json_array_size(items), ESEAL_LOG_PAGE_MAX);
    json_t *first = json_array_get(items, 0);
    assert_int_equal(json_integer_value(json_object_get(first, "seq")), 3);
    char *text = json_dumps(json_object_get(first, "entry"), JSON_COMPACT | JSON_SORT_KEYS);
    struct eseal_buf e;
    eseal_buf_init(&e);
    entry_text(log, 3, &e);
    assert_string_equal(text, (const char *)e.data);
    free(text);
    json_decref(j);
    j = get_json(base, "/log/entries?start=2005&end=2005", 200);
    assert_int_equal(json_array_size(json_object_get(j, "entries")), 0);
    json_decref(j);
    /* Proofs. */
    j = get_json(base, "/log/proof/inclusion?index=1500&size=2005", 200);
    struct eseal_merkle_proof p;
    json_t *hs = json_object_get(j, "hashes");
    p.n = json_array_size(hs);
    for (size_t i = 0; i < p.n; i++) {
        const char *s = json_string_value(json_array_get(hs, i));
        struct eseal_buf h;
        eseal_buf_init(&h);
        assert_int_equal(eseal_unbase64(&h, s, strlen(s), ESEAL_B64_STD, NULL), ESEAL_OK);
        memcpy(p.hash[i], h.data, HLEN);
        eseal_buf_cleanup(&h);
    }
    json_decref(j);
    uint8_t leaf[HLEN], root[HLEN];
    entry_text(log, 1500, &e);
    eseal_merkle_leaf_hash(leaf, e.data, e.len);
    assert_int_equal(eseal_log_root(log, 2005, root, NULL), ESEAL_OK);
    assert_int_equal(eseal_merkle_verify_inclusion(leaf, 1500, 2005, &p, root), ESEAL_OK);
    j = get_json(base, "/log/proof/consistency?first=1000&second=2005", 200);
    assert_int_equal(json_integer_value(json_object_get(j, "first")), 1000);
    assert_true(json_array_size(json_object_get(j, "hashes")) > 0);
    json_decref(j);
    /* Bad parameters are 400 with a JSON error. */
    static const char *const bad[] = {
        "/log/entries?start=5&end=4",
        "/log/entries?start=0&end=2006",
        "/log/entries?start=x&end=4",
        "/log/entries?start=0",
        "/log/entries?start=-1&end=4",
        "/log/entries?start=01&end=4",
        "/log/entries?start=0&end=99999999999999999999999",
        "/log/proof/inclusion?index=5&size=5",
        "/log/proof/inclusion?index=0&size=2006",
        "/log/proof/inclusion?size=5",
        "/log/proof/consistency?first=6&second=5",
        "/log/proof/consistency?first=0&second=2006",
        "/log/proof/consistency?first=1",
        "/log/proof/inclusion?index=+1&size=5",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        j = get_json(base, bad[i], 400);
        json_t *error = json_object_get(j, "error");
        assert_string_equal(json_string_value(json_object_get(error, "code")), "invalid");
        assert_non_null(json_string_value(json_object_get(error, "message")));
        json_decref(j);
    }
    json_decref(get_json(base, "/log/nothing", 404));
    eseal_http_stop(srv);
    /* A daemon mounting the log under its own route table. */
    eseal_buf_cleanup(&e);
    eseal_buf_cleanup(&body);
    eseal_buf_cleanup(&note);
    free(base);
    eseal_log_close(log);
    free(dir);
}

struct daemon_app {
    int other;
    struct eseal_log *log;
};

static eseal_rc h_mounted(struct eseal_http_req *req, void *app, struct eseal_err *err)
{
    struct daemon_app *a = app;
    return eseal_log_http_handle(req, a->log, err);
}

static void test_http_mounted_and_follower_url(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    fill(log, 30);
    struct daemon_app app = {42, log};
    struct eseal_http_route routes[ESEAL_LOG_N_ROUTES];
    for (size_t i = 0; i < ESEAL_LOG_N_ROUTES; i++) { /* the log's paths over this daemon's app */
        routes[i] = eseal_log_routes[i];
        routes[i].handler = h_mounted;
    }
    struct eseal_http_config cfg = {.routes = routes, .n_routes = ESEAL_LOG_N_ROUTES, .app = &app};
    struct eseal_http *srv = NULL;
    assert_int_equal(eseal_http_start(&srv, &cfg, NULL), ESEAL_OK);
    char *base = eseal_xasprintf("http://127.0.0.1:%u", (unsigned)eseal_http_port(srv));
    json_t *j = get_json(base, "/log/entries?start=0&end=2", 200);
    assert_int_equal(json_array_size(json_object_get(j, "entries")), 2);
    json_decref(j);
    json_decref(get_json(base, "/log/other", 404));
    /* The follower over HTTP, while the writer appends. */
    struct eseal_log_follower *f = NULL;
    assert_int_equal(eseal_log_follower_open_url(&f, base, &key, NULL), ESEAL_OK);
    assert_int_equal(drain(f, log), 30);
    fill(log, 1200);
    assert_int_equal(drain(f, log), 1200);
    assert_int_equal(eseal_log_follower_position(f), 1230);
    /* Restored from a state saved in the middle of a checkpoint. */
    char *saved = eseal_log_follower_save(f);
    eseal_log_follower_free(f);
    fill(log, 3);
    assert_int_equal(eseal_log_follower_open_url(&f, base, &key, NULL), ESEAL_OK);
    assert_int_equal(eseal_log_follower_restore(f, saved, strlen(saved), NULL), ESEAL_OK);
    assert_int_equal(drain(f, log), 3);
    eseal_log_follower_free(f);
    free(saved);
    /* The wrong key. */
    assert_int_equal(eseal_log_follower_open_url(&f, base, &other_key, NULL), ESEAL_OK);
    json_t *es = NULL;
    assert_int_equal(eseal_log_follower_next(f, &es, NULL), ESEAL_E_CRYPTO);
    eseal_log_follower_free(f);
    assert_int_equal(eseal_log_follower_open_url(&f, "ftp://x", &key, NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_log_follower_open_url(&f, "https://x", &key, NULL), ESEAL_OK);
    eseal_log_follower_free(f);
    /* The audit over HTTP. */
    struct eseal_log_audit au;
    struct eseal_err err;
    if (eseal_log_audit_url(&au, base, &key, &err) != ESEAL_OK)
        fail_msg("audit_url: %s", err.msg);
    assert_int_equal(au.entries, 1233);
    eseal_http_stop(srv);
    free(base);
    eseal_log_close(log);
    free(dir);
}

/* A server whose segment was rewritten consistently (valid record framing,
 * new leaf hash) while its index still holds the signed tree: followers and
 * auditors must notice and name the entry. */
static void test_lying_server(void **state)
{
    char *dir = log_dir(state);
    struct eseal_log *log = open_rw(dir, NULL);
    fill(log, 40);
    eseal_log_close(log);
    char *seg = seg_path(dir, 0);
    size_t offs[64];
    assert_int_equal(record_offsets(seg, offs, 64), 40);
    /* Entry 17 is {"n":17,"seq":17,...}: make it {"n":71,...}. */
    struct eseal_buf b;
    eseal_buf_init(&b);
    assert_int_equal(eseal_file_read(&b, seg, 1 << 20, NULL), ESEAL_OK);
    size_t len = offs[18] - offs[17] - 36;
    char *text = eseal_xstrndup((const char *)b.data + offs[17] + 36, len);
    char *p = strstr(text, "\"n\":17");
    assert_non_null(p);
    p[4] = '7';
    p[5] = '1';
    struct eseal_buf rec;
    eseal_buf_init(&rec);
    make_record(&rec, text);
    int fd = open(seg, O_WRONLY);
    assert_int_equal(pwrite(fd, rec.data, rec.len, (off_t)offs[17]), (ssize_t)rec.len);
    close(fd);
    free(text);
    log = open_ro(dir);
    char *base = NULL;
    struct eseal_http *srv = serve(log, &base);
    struct eseal_log_follower *f = NULL;
    assert_int_equal(eseal_log_follower_open_url(&f, base, &key, NULL), ESEAL_OK);
    json_t *es = NULL;
    struct eseal_err err;
    assert_int_equal(eseal_log_follower_next(f, &es, &err), ESEAL_E_CRYPTO);
    assert_int_equal(eseal_log_follower_position(f), 0);
    eseal_log_follower_free(f);
    struct eseal_log_audit au;
    assert_int_equal(eseal_log_audit_url(&au, base, &key, &err), ESEAL_E_CRYPTO);
    assert_int_equal(au.bad_entry, 17);
    assert_non_null(strstr(err.msg, "entry 17 "));
    eseal_http_stop(srv);
    eseal_log_close(log);
    /* The file audit names it too (checkpoint roots no longer match). */
    assert_int_equal(eseal_log_audit_dir(&au, dir, &key, &err), ESEAL_E_CRYPTO);
    assert_true(au.bad_entry <= 17);
    free(base);
    eseal_buf_cleanup(&rec);
    eseal_buf_cleanup(&b);
    free(seg);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_canonical_form, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_and_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signer_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_key_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_format_and_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proofs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_tail_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsigned_entries_signed_at_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_middle_corruption_is_fatal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_acknowledged_loss_is_fatal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segments_roll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follower_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_endpoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_mounted_and_follower_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lying_server, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
