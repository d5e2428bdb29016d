/* test_token.c — the software seal token: init and open, the PIN retry
 * counter and lock, PIN change, CSR, import, signing, and PIN reset with
 * platform unlock codes (valid, replayed, for another token, forged, from
 * another CA, with a swapped root, signed by a holder).
 *
 * Two CAs and one token holding a certificate from the first are made in
 * the group setup: every key wrap costs an Argon2id derivation, which is
 * deliberately slow. Tests that only refuse something use that shared token
 * and check its state file did not change. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "eseal/enc.h"
#include "eseal/json.h"
#include "eseal/pki.h"
#include "eseal/seal.h"
#include "eseal/secret.h"
#include "eseal/sm.h"
#include "eseal/token.h"
#include "eseal/unlock.h"
#include "testca.h"
#include "testutil.h"

#define PIN "123456"
#define PIN2 "口令-654321"
#define WRONG "000000"
#define S(x) x, (sizeof(x) - 1)
#define UNIT_SUBJECT "/O=福州市测试局/serialNumber=91350100M000100Y43"
#define ORG "Fujian eSeal Service Platform"

static const char *const token_files[] = {"token.json", "unlock.key", "cert.pem", "seal.der"};

/* struct fixture: two CAs and a token with a certificate from the first. */
struct fixture {
    char *tmp;
    struct tu_ca *ca;       /* the platform */
    struct tu_ca *other_ca; /* somebody else's CA */
    char *tok_dir;          /* holds a certificate from |ca|; PIN is PIN */
    char *tok_id;
    int seq;
};

/* ---- helpers ------------------------------------------------------------ */

static char *new_dir(struct fixture *f)
{
    return eseal_xasprintf("%s/tok%d", f->tmp, ++f->seq);
}

static struct eseal_token *open_tok(const char *dir)
{
    struct eseal_token *tok = NULL;
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_token_open(&tok, dir, &err) != ESEAL_OK)
        fail_msg("eseal_token_open(%s): %s", dir, err.msg);
    return tok;
}

static char *init_tok(struct fixture *f)
{
    char *dir = new_dir(f);
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_token_init(dir, S(PIN), &err) != ESEAL_OK)
        fail_msg("eseal_token_init: %s", err.msg);
    return dir;
}

static void unlock_ok(struct eseal_token *tok, const char *pin)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_token_unlock_key(tok, pin, strlen(pin), &err) != ESEAL_OK)
        fail_msg("eseal_token_unlock_key: %s", err.msg);
}

static void read_file_in(struct eseal_buf *b, const char *dir, const char *name)
{
    char *p = eseal_path_join(dir, name);
    assert_int_equal(eseal_file_read(b, p, 8 << 20, NULL), ESEAL_OK);
    free(p);
}

static json_t *state_json(const char *dir)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    read_file_in(&b, dir, "token.json");
    json_t *j = eseal_json_load(b.data, b.len);
    assert_non_null(j);
    eseal_buf_cleanup(&b);
    return j;
}

static json_int_t state_int(const char *dir, const char *key)
{
    json_t *j = state_json(dir);
    json_int_t v = json_integer_value(json_object_get(j, key));
    json_decref(j);
    return v;
}

static void write_state(const char *dir, json_t *j)
{
    char *text = json_dumps(j, JSON_SORT_KEYS);
    char *p = eseal_path_join(dir, "token.json");
    assert_int_equal(eseal_file_write(p, text, strlen(text), 0600, 0, NULL), ESEAL_OK);
    free(p);
    free(text);
}

/* csr_for makes a request from the token (already unlocked). */
static void csr_for(struct eseal_buf *pem, struct eseal_token *tok, const char *subject)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_token_csr(tok, subject, pem, &err) != ESEAL_OK)
        fail_msg("eseal_token_csr: %s", err.msg);
}

/* issue_pem has |ca| issue a unit certificate for the token (unlocked). */
static void issue_pem(struct eseal_buf *out, struct tu_ca *ca, struct eseal_token *tok)
{
    struct eseal_buf csr;
    eseal_buf_init(&csr);
    csr_for(&csr, tok, UNIT_SUBJECT);
    X509 *x = NULL;
    struct eseal_err err;
    eseal_err_clear(&err);
    if (tu_ca_issue(ca, csr.data, csr.len, "unit", 365, &x, &err) != ESEAL_OK)
        fail_msg("tu_ca_issue: %s", err.msg);
    char *pem = eseal_pki_cert_pem(x);
    eseal_buf_reset(out);
    eseal_buf_append_str(out, pem);
    free(pem);
    X509_free(x);
    eseal_buf_cleanup(&csr);
}

/* issued_tok makes a token holding a certificate from |ca|. */
static char *issued_tok(struct fixture *f, struct tu_ca *ca)
{
    char *dir = init_tok(f);
    struct eseal_token *tok = open_tok(dir);
    unlock_ok(tok, PIN);
    struct eseal_buf cert;
    eseal_buf_init(&cert);
    issue_pem(&cert, ca, tok);
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_token_import(tok, cert.data, cert.len, NULL, 0, &err) != ESEAL_OK)
        fail_msg("eseal_token_import: %s", err.msg);
    eseal_buf_cleanup(&cert);
    eseal_token_free(tok);
    return dir;
}

static void code_for(struct eseal_buf *code, struct tu_ca *ca, const char *id, uint32_t counter)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    if (tu_ca_unlock_code(ca, id, counter, code, &err) != ESEAL_OK)
        fail_msg("tu_ca_unlock_code: %s", err.msg);
}

/* struct snap is every token file's bytes, to show a refusal changed
 * nothing. */
struct snap {
    struct eseal_buf b[4];
    int present[4];
};

static void snap_take(struct snap *s, const char *dir)
{
    for (int i = 0; i < 4; i++) {
        eseal_buf_init(&s->b[i]);
        char *p = eseal_path_join(dir, token_files[i]);
        s->present[i] = eseal_file_read(&s->b[i], p, 8 << 20, NULL) == ESEAL_OK;
        free(p);
    }
}

static void snap_assert_same(struct snap *before, const char *dir)
{
    struct snap after;
    snap_take(&after, dir);
    for (int i = 0; i < 4; i++) {
        if (after.present[i] != before->present[i] || after.b[i].len != before->b[i].len ||
            (after.b[i].len > 0 && memcmp(after.b[i].data, before->b[i].data, after.b[i].len) != 0))
            fail_msg("%s changed", token_files[i]);
        eseal_buf_cleanup(&after.b[i]);
        eseal_buf_cleanup(&before->b[i]);
    }
}

/* reset_refused checks that |code| is refused with |want| for the token in
 * |dir| and that no token file changed. Returns the message (static). */
static const char *reset_refused(const char *what, const char *dir, const uint8_t *code,
                                 size_t code_len, eseal_rc want)
{
    static struct eseal_err err;
    eseal_err_clear(&err);
    struct snap before;
    snap_take(&before, dir);
    struct eseal_token *tok = open_tok(dir);
    eseal_rc rc = eseal_token_reset_pin(tok, code, code_len, S(PIN2), &err);
    if (rc != want)
        fail_msg("%s: eseal_token_reset_pin returned %s (%s), want %s", what, eseal_rc_name(rc),
                 err.msg, eseal_rc_name(want));
    assert_true(err.msg[0] != '\0');
    assert_null(strchr(err.msg, '\n'));
    eseal_token_free(tok);
    snap_assert_same(&before, dir);
    return err.msg;
}

/* maker_signer signs with a CA's maker key. */
static eseal_rc maker_signer(void *ca, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                             struct eseal_err *err)
{
    return tu_ca_maker_signer(ca, msg, msg_len, sig, err);
}

/* forge makes a code for the shared token with chosen certificates, time
 * and signer. */
static void
forge(struct eseal_buf *code, const struct fixture *f, X509 *maker, X509 *root, time_t issued_at,
      eseal_rc (*sign)(void *, const uint8_t *, size_t, struct eseal_buf *, struct eseal_err *),
      void *ctx)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_unlock_code_make(code, f->tok_id, 0, issued_at, maker, root, sign, ctx, &err) !=
        ESEAL_OK)
        fail_msg("eseal_unlock_code_make: %s", err.msg);
}

/* make_seal has |ca|'s maker make a seal listing the certificate |holder|. */
static void make_seal(struct eseal_buf *out, struct tu_ca *ca, const struct eseal_buf *holder)
{
    static const uint8_t svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" "
                                 "height=\"40\"><circle cx=\"20\" cy=\"20\" r=\"18\"/></svg>";
    X509 *x = NULL;
    assert_int_equal(eseal_pki_cert_parse(&x, holder->data, holder->len, NULL), ESEAL_OK);
    const struct eseal_seal_params p = {
        .esid = "35010000000001",
        .type = ESEAL_SEAL_UNIT,
        .name = "福州市测试局公章",
        .holder = x,
        .picture = svg,
        .picture_len = sizeof(svg) - 1,
        .width_mm = 40,
        .height_mm = 40,
    };
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_seal_make(out, &p, tu_ca_cert(ca, TU_CA_MAKER), maker_signer, ca, &err) != ESEAL_OK)
        fail_msg("eseal_seal_make: %s", err.msg);
    X509_free(x);
}

static void assert_mode(const char *dir, const char *name, unsigned want)
{
    char *p = name != NULL ? eseal_path_join(dir, name) : eseal_xstrdup(dir);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    if ((st.st_mode & 0777) != want)
        fail_msg("%s has mode %03o, want %03o", p, (unsigned)(st.st_mode & 0777), want);
    free(p);
}

/* ---- group setup -------------------------------------------------------- */

static struct tu_ca *make_ca(const char *dir)
{
    return tu_ca_new(dir);
}

static int group_setup(void **state)
{
    struct fixture *f = eseal_xcalloc(1, sizeof(*f));
    f->tmp = tu_tmpdir();
    char *d1 = eseal_path_join(f->tmp, "ca"), *d2 = eseal_path_join(f->tmp, "other-ca");
    f->ca = make_ca(d1);
    f->other_ca = make_ca(d2);
    free(d1);
    free(d2);
    *state = f;
    if (f->ca == NULL || f->other_ca == NULL)
        return -1;
    f->tok_dir = issued_tok(f, f->ca);
    struct eseal_token *tok = open_tok(f->tok_dir);
    f->tok_id = eseal_xstrdup(eseal_token_id(tok));
    eseal_token_free(tok);
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *f = *state;
    if (f == NULL)
        return 0;
    tu_ca_free(f->ca);
    tu_ca_free(f->other_ca);
    tu_rmtree(f->tmp);
    free(f->tmp);
    free(f->tok_dir);
    free(f->tok_id);
    free(f);
    return 0;
}

/* ---- init and open ------------------------------------------------------ */

static void test_init_open(void **state)
{
    struct fixture *f = *state;
    char *dir = init_tok(f);
    assert_mode(dir, NULL, 0700);
    assert_mode(dir, "token.json", 0600);
    assert_mode(dir, "unlock.key", 0600);

    struct eseal_token *tok = open_tok(dir);
    assert_true(eseal_token_id_valid(eseal_token_id(tok)));
    assert_true(eseal_sm2_is(eseal_token_pubkey(tok)));
    assert_int_equal(eseal_token_tries_left(tok), ESEAL_TOKEN_MAX_TRIES);
    assert_false(eseal_token_locked(tok));
    assert_int_equal(eseal_token_unlock_counter(tok), 0);
    assert_null(eseal_token_cert(tok));
    const uint8_t *seal = (const uint8_t *)"x";
    size_t seal_len = 1;
    assert_false(eseal_token_seal(tok, &seal, &seal_len));
    assert_null(seal);
    assert_int_equal(seal_len, 0);

    json_t *j = eseal_token_show(tok);
    assert_string_equal(json_string_value(json_object_get(j, "id")), eseal_token_id(tok));
    assert_string_equal(json_string_value(json_object_get(j, "state")), "ok");
    assert_int_equal(json_integer_value(json_object_get(j, "pin_tries_left")), 6);
    assert_int_equal(json_integer_value(json_object_get(j, "unlock_counter")), 0);
    assert_true(json_is_null(json_object_get(j, "certificate")));
    assert_true(json_is_null(json_object_get(j, "seal")));
    assert_true(json_is_true(json_object_get(j, "unlock_key_present")));
    /* The fingerprint is SM3 of the SubjectPublicKeyInfo DER. */
    unsigned char *spki = NULL;
    int n = i2d_PUBKEY(eseal_token_pubkey(tok), &spki);
    char *want = eseal_sm3_hex(spki, (size_t)n);
    assert_string_equal(json_string_value(json_object_get(j, "public_key_sm3")), want);
    free(want);
    OPENSSL_free(spki);
    json_decref(j);

    /* Two tokens get different ids and keys. */
    char *dir2 = init_tok(f);
    struct eseal_token *tok2 = open_tok(dir2);
    assert_string_not_equal(eseal_token_id(tok), eseal_token_id(tok2));
    assert_int_not_equal(EVP_PKEY_eq(eseal_token_pubkey(tok), eseal_token_pubkey(tok2)), 1);
    eseal_token_free(tok2);
    eseal_token_free(tok);
    free(dir2);
    free(dir);
}

static void test_init_refuses_existing(void **state)
{
    struct fixture *f = *state;
    struct snap before;
    snap_take(&before, f->tok_dir);
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_token_init(f->tok_dir, S(PIN), &err), ESEAL_E_CONFLICT);
    assert_non_null(strstr(err.msg, "refusing to overwrite"));
    snap_assert_same(&before, f->tok_dir);

    /* A stray token file alone is enough to refuse, and it is kept. */
    char *dir = new_dir(f);
    assert_int_equal(eseal_mkdirs(dir, 0700, NULL), ESEAL_OK);
    char *p = eseal_path_join(dir, "unlock.key");
    assert_int_equal(eseal_file_write(p, "stray", 5, 0600, 1, NULL), ESEAL_OK);
    assert_int_equal(eseal_token_init(dir, S(PIN), NULL), ESEAL_E_CONFLICT);
    struct eseal_buf b;
    eseal_buf_init(&b);
    read_file_in(&b, dir, "unlock.key");
    assert_string_equal((const char *)b.data, "stray");
    char *state_path = eseal_path_join(dir, "token.json");
    assert_int_not_equal(access(state_path, F_OK), 0);
    eseal_buf_cleanup(&b);
    free(state_path);
    free(p);
    free(dir);
}

static void test_open_missing(void **state)
{
    struct fixture *f = *state;
    struct eseal_token *tok = (struct eseal_token *)f;
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_token_open(&tok, f->tmp, &err), ESEAL_E_NOTFOUND);
    assert_null(tok);
    assert_non_null(strstr(err.msg, "eseal token init"));
}

static void test_pin_rules(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *pin;
        eseal_rc want;
    } cases[] = {
        {"12345", ESEAL_E_INVALID},
        {"123456", ESEAL_OK},
        {"一二三四五六", ESEAL_OK}, /* six characters, eighteen bytes */
        {"一二三四五", ESEAL_E_INVALID},
        {"1234567890123456789012345678901234567890123456789012345678901234", ESEAL_OK},
        {"12345678901234567890123456789012345678901234567890123456789012345", ESEAL_E_INVALID},
        {"1234\t56", ESEAL_E_INVALID},
        {"123456\n", ESEAL_E_INVALID},
        {"123\xff"
         "456",
         ESEAL_E_INVALID},
        {"123\xc0\xaf"
         "456",
         ESEAL_E_INVALID}, /* overlong '/' */
        {"", ESEAL_E_INVALID},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct eseal_err err;
        eseal_err_clear(&err);
        eseal_rc rc = eseal_token_pin_check(cases[i].pin, strlen(cases[i].pin), &err);
        if (rc != cases[i].want)
            fail_msg("PIN case %zu: got %s, want %s", i, eseal_rc_name(rc),
                     eseal_rc_name(cases[i].want));
        if (rc != ESEAL_OK && strlen(cases[i].pin) > 0)
            assert_null(strstr(err.msg, cases[i].pin));
    }
    /* init refuses a bad PIN before making anything. */
    char *dir = new_dir(f);
    assert_int_equal(eseal_token_init(dir, S("12345"), NULL), ESEAL_E_INVALID);
    char *p = eseal_path_join(dir, "token.json");
    assert_int_not_equal(access(p, F_OK), 0);
    free(p);
    free(dir);
}

/* ---- the retry counter -------------------------------------------------- */

static void test_wrong_pins_lock_after_six(void **state)
{
    struct fixture *f = *state;
    char *dir = init_tok(f);
    struct eseal_token *tok = open_tok(dir);
    struct eseal_err err;
    for (int i = 1; i <= ESEAL_TOKEN_MAX_TRIES; i++) {
        eseal_err_clear(&err);
        assert_int_equal(eseal_token_unlock_key(tok, S(WRONG), &err), ESEAL_E_DENIED);
        assert_int_equal(state_int(dir, "pin_failures"), i);
        assert_int_equal(eseal_token_tries_left(tok), ESEAL_TOKEN_MAX_TRIES - i);
        if (i < ESEAL_TOKEN_MAX_TRIES) {
            char *want = eseal_xasprintf("wrong PIN: %d tr", ESEAL_TOKEN_MAX_TRIES - i);
            if (strstr(err.msg, want) == NULL)
                fail_msg("attempt %d: \"%s\" lacks \"%s\"", i, err.msg, want);
            free(want);
            assert_false(eseal_token_locked(tok));
        } else {
            assert_non_null(strstr(err.msg, "now locked"));
            assert_true(eseal_token_locked(tok));
        }
    }
    /* Locked: the right PIN is refused too, and the count stays put. */
    eseal_err_clear(&err);
    assert_int_equal(eseal_token_unlock_key(tok, S(PIN), &err), ESEAL_E_DENIED);
    assert_non_null(strstr(err.msg, "令牌已锁定"));
    assert_non_null(strstr(err.msg, "token is locked"));
    assert_int_equal(state_int(dir, "pin_failures"), ESEAL_TOKEN_MAX_TRIES);
    struct eseal_buf sig;
    eseal_buf_init(&sig);
    assert_int_equal(eseal_token_sign(tok, S("x"), &sig, NULL), ESEAL_E_DENIED);
    eseal_token_free(tok);

    /* A fresh handle sees the lock on disk. */
    tok = open_tok(dir);
    assert_true(eseal_token_locked(tok));
    json_t *j = eseal_token_show(tok);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "locked");
    assert_int_equal(json_integer_value(json_object_get(j, "pin_tries_left")), 0);
    json_decref(j);
    eseal_token_free(tok);
    free(dir);
}

static void test_right_pin_resets_count(void **state)
{
    struct fixture *f = *state;
    char *dir = init_tok(f);
    struct eseal_token *tok = open_tok(dir);
    for (int i = 0; i < 5; i++)
        assert_int_equal(eseal_token_unlock_key(tok, S(WRONG), NULL), ESEAL_E_DENIED);
    assert_int_equal(state_int(dir, "pin_failures"), 5);
    unlock_ok(tok, PIN);
    assert_int_equal(state_int(dir, "pin_failures"), 0);
    assert_int_equal(eseal_token_tries_left(tok), ESEAL_TOKEN_MAX_TRIES);
    /* A wrong PIN drops a key held before. */
    assert_int_equal(eseal_token_unlock_key(tok, S(WRONG), NULL), ESEAL_E_DENIED);
    struct eseal_buf sig;
    eseal_buf_init(&sig);
    assert_int_equal(eseal_token_sign(tok, S("x"), &sig, NULL), ESEAL_E_DENIED);
    /* A PIN of the wrong shape is refused without being counted. */
    assert_int_equal(eseal_token_unlock_key(tok, S("123"), NULL), ESEAL_E_INVALID);
    assert_int_equal(state_int(dir, "pin_failures"), 1);
    eseal_token_free(tok);
    free(dir);
}

/* The attempt is on disk before the PIN is tried: with a key blob that
 * cannot even be opened, the failure count has still gone up. */
static void test_attempt_counted_before_trying(void **state)
{
    struct fixture *f = *state;
    char *dir = init_tok(f);
    json_t *j = state_json(dir);
    json_object_set_new(j, "key_pin", json_string("AAAAAAAAAAAAAAAA"));
    write_state(dir, j);
    json_decref(j);
    struct eseal_token *tok = open_tok(dir);
    assert_int_equal(eseal_token_unlock_key(tok, S(PIN), NULL), ESEAL_E_INVALID);
    assert_int_equal(state_int(dir, "pin_failures"), 1);
    eseal_token_free(tok);
    free(dir);
}

/* Killing the process while the PIN is being tried does not undo the
 * count: the parent kills the child as soon as the count shows on disk. */
static void test_kill_cannot_dodge_counter(void **state)
{
    struct fixture *f = *state;
    char *dir = init_tok(f);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct eseal_token *tok = NULL;
        eseal_rc rc = eseal_token_open(&tok, dir, NULL);
        if (rc == ESEAL_OK)
            rc = eseal_token_unlock_key(tok, S(WRONG), NULL);
        _exit(rc == ESEAL_E_DENIED ? 0 : 1);
    }
    json_int_t seen = 0;
    for (int i = 0; i < 10000 && seen == 0; i++) {
        seen = state_int(dir, "pin_failures");
        if (seen == 0)
            usleep(500);
    }
    kill(pid, SIGKILL);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(seen, 1);
    assert_int_equal(state_int(dir, "pin_failures"), 1);
    free(dir);
}

/* ---- change PIN --------------------------------------------------------- */

static void test_change_pin(void **state)
{
    struct fixture *f = *state;
    char *dir = init_tok(f);
    struct eseal_token *tok = open_tok(dir);
    assert_int_equal(eseal_token_change_pin(tok, S(PIN2), NULL), ESEAL_E_DENIED); /* no PIN yet */
    unlock_ok(tok, PIN);
    assert_int_equal(eseal_token_change_pin(tok, S("12345"), NULL), ESEAL_E_INVALID);
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_token_change_pin(tok, S(PIN2), &err) != ESEAL_OK)
        fail_msg("eseal_token_change_pin: %s", err.msg);
    eseal_token_free(tok);
    assert_mode(dir, "token.json", 0600);

    tok = open_tok(dir);
    assert_int_equal(eseal_token_unlock_key(tok, S(PIN), NULL), ESEAL_E_DENIED);
    unlock_ok(tok, PIN2);
    assert_int_equal(state_int(dir, "pin_failures"), 0);
    eseal_token_free(tok);
    free(dir);
}

/* ---- requests ----------------------------------------------------------- */

static void test_csr(void **state)
{
    struct fixture *f = *state;
    struct eseal_token *tok = open_tok(f->tok_dir);
    struct eseal_buf pem;
    eseal_buf_init(&pem);
    assert_int_equal(eseal_token_csr(tok, "/CN=x", &pem, NULL), ESEAL_E_DENIED); /* no PIN */
    unlock_ok(tok, PIN);
    csr_for(&pem, tok,
            "/CN=福州市测试局\\/办公室/O=福州市测试局/C=CN/serialNumber=91350100M000100Y43");
    assert_non_null(strstr((const char *)pem.data, "-----BEGIN CERTIFICATE REQUEST-----"));

    X509_REQ *req = NULL;
    assert_int_equal(eseal_pki_req_parse(&req, pem.data, pem.len, NULL), ESEAL_OK);
    assert_int_equal(eseal_x509_req_check(req, NULL), ESEAL_OK);
    assert_int_equal(EVP_PKEY_eq(X509_REQ_get0_pubkey(req), eseal_token_pubkey(tok)), 1);
    const X509_ALGOR *alg = NULL;
    X509_REQ_get0_signature(req, NULL, &alg);
    const ASN1_OBJECT *oid = NULL;
    X509_ALGOR_get0(&oid, NULL, NULL, alg);
    assert_int_equal(OBJ_obj2nid(oid), NID_SM2_with_SM3);
    char *name = eseal_pki_name(X509_REQ_get_subject_name(req));
    assert_string_equal(name, "CN=福州市测试局/办公室,O=福州市测试局,C=CN,"
                              "serialNumber=91350100M000100Y43");
    free(name);
    X509_REQ_free(req);

    /* Signed with the empty default ID it would not verify: the ID is in. */
    assert_int_equal(eseal_pki_req_parse(&req, pem.data, pem.len, NULL), ESEAL_OK);
    assert_int_not_equal(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)), 1);
    ERR_clear_error();
    X509_REQ_free(req);

    /* The CA issues it. */
    struct eseal_buf cert;
    eseal_buf_init(&cert);
    issue_pem(&cert, f->ca, tok);
    eseal_buf_cleanup(&cert);
    eseal_buf_cleanup(&pem);
    eseal_token_free(tok);
}

static void test_subject_parse(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *want; /* eseal_pki_name, or NULL: refused */
    } cases[] = {
        {"/CN=a", "CN=a"},
        {"/CN=a/O=b/OU=c/L=d/ST=e/C=CN", "CN=a,O=b,OU=c,L=d,ST=e,C=CN"},
        {"/commonName=张三/serialNumber=11010519491231002X",
         "CN=张三,serialNumber=11010519491231002X"},
        {"/CN=a\\/b", "CN=a/b"},
        {"/CN=a\\\\b", "CN=a\\\\b"},
        {"/CN=a=b", "CN=a=b"},
        {"/CN=a+b", "CN=a\\+b"},
        {"/CN=a b ", "CN=a b\\ "},
        {"", NULL},
        {"/", NULL},
        {"CN=a", NULL},
        {"/CN", NULL},
        {"/CN=", NULL},
        {"/=a", NULL},
        {"/CN=a/", NULL},
        {"/CN=a//O=b", NULL},
        {"/CN=a\\", NULL},
        {"/XX=a", NULL},
        {"/C N=a", NULL},
        {"/CN=a\tb", NULL},
        {"/CN=\xff\xfe", NULL},
        {"/C=CHN", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        X509_NAME *n = (X509_NAME *)state;
        struct eseal_err err;
        eseal_err_clear(&err);
        eseal_rc rc = eseal_token_subject_parse(&n, cases[i].in, &err);
        if (cases[i].want == NULL) {
            if (rc != ESEAL_E_INVALID)
                fail_msg("subject \"%s\" was not refused", cases[i].in);
            assert_null(n);
            assert_true(err.msg[0] != '\0');
            continue;
        }
        if (rc != ESEAL_OK)
            fail_msg("subject \"%s\": %s", cases[i].in, err.msg);
        char *got = eseal_pki_name(n);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("subject \"%s\" gave \"%s\", want \"%s\"", cases[i].in, got, cases[i].want);
        free(got);
        X509_NAME_free(n);
    }
    char *long_subject = eseal_xasprintf("/CN=%01100d", 1);
    X509_NAME *n = NULL;
    assert_int_equal(eseal_token_subject_parse(&n, long_subject, NULL), ESEAL_E_INVALID);
    free(long_subject);
}

/* The CA refuses to certify a holder named like the platform's own
 * certificates: the old maker's name is what lets a token recognise the
 * seal maker of a CA made before #19; the new names are who vouches. */
static void test_ca_refuses_platform_names(void **state)
{
    struct fixture *f = *state;
    struct eseal_token *tok = open_tok(f->tok_dir);
    unlock_ok(tok, PIN);
    static const char *const subjects[] = {
        "/O=" ORG "/CN=" ESEAL_PLATFORM_MAKER_CN_V1,
        "/CN=福建省电子印章服务平台制章证书",
        "/CN=eseal platform seal maker",
        "/CN= eSeal Platform Root CA",
    };
    for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
        struct eseal_buf csr;
        eseal_buf_init(&csr);
        csr_for(&csr, tok, subjects[i]);
        X509 *x = NULL;
        struct eseal_err err;
        eseal_err_clear(&err);
        eseal_rc rc = tu_ca_issue(f->ca, csr.data, csr.len, "device", 30, &x, &err);
        if (rc != ESEAL_E_INVALID)
            fail_msg("%s: issued (%s)", subjects[i], eseal_rc_name(rc));
        assert_non_null(strstr(err.msg, "reserved"));
        assert_null(x);
        eseal_buf_cleanup(&csr);
    }
    eseal_token_free(tok);
}

/* ---- import ------------------------------------------------------------- */

static void test_import(void **state)
{
    struct fixture *f = *state;
    char *dir = init_tok(f);
    struct eseal_token *tok = open_tok(dir);
    struct eseal_buf cert, cert2, other;
    eseal_buf_init(&cert);
    eseal_buf_init(&cert2);
    eseal_buf_init(&other);
    unlock_ok(tok, PIN);
    issue_pem(&cert, f->ca, tok);
    issue_pem(&cert2, f->ca, tok);
    eseal_token_lock_key(tok);
    assert_int_equal(eseal_token_import(tok, cert.data, cert.len, NULL, 0, NULL), ESEAL_E_DENIED);

    /* A certificate for another key is refused, and nothing is stored. */
    struct eseal_token *shared = open_tok(f->tok_dir);
    char *pem = eseal_pki_cert_pem(eseal_token_cert(shared));
    eseal_buf_append_str(&other, pem);
    free(pem);
    eseal_token_free(shared);
    unlock_ok(tok, PIN);
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_token_import(tok, other.data, other.len, NULL, 0, &err),
                     ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "public key"));
    assert_null(eseal_token_cert(tok));
    char *p = eseal_path_join(dir, "cert.pem");
    assert_int_not_equal(access(p, F_OK), 0);
    free(p);
    assert_int_equal(eseal_token_import(tok, (const uint8_t *)"junk", 4, NULL, 0, NULL),
                     ESEAL_E_INVALID);

    /* Seal files: empty, too large, not a seal, a seal for another
     * certificate, and a seal whose maker signature is broken are refused. */
    uint8_t *big = eseal_xcalloc(1, ESEAL_TOKEN_SEAL_MAX + 1);
    assert_int_equal(eseal_token_import(tok, cert.data, cert.len, big, 0, NULL), ESEAL_E_INVALID);
    assert_int_equal(
        eseal_token_import(tok, cert.data, cert.len, big, ESEAL_TOKEN_SEAL_MAX + 1, NULL),
        ESEAL_E_TOOBIG);
    assert_int_equal(eseal_token_import(tok, cert.data, cert.len, big, 100, NULL), ESEAL_E_INVALID);
    struct eseal_buf seal, bad_seal;
    eseal_buf_init(&seal);
    eseal_buf_init(&bad_seal);
    make_seal(&bad_seal, f->ca, &other);
    eseal_err_clear(&err);
    assert_int_equal(
        eseal_token_import(tok, cert.data, cert.len, bad_seal.data, bad_seal.len, &err),
        ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "does not hold this token's certificate"));
    make_seal(&seal, f->ca, &cert);
    eseal_buf_reset(&bad_seal);
    eseal_buf_append(&bad_seal, seal.data, seal.len);
    bad_seal.data[bad_seal.len - 1] ^= 0x01; /* the maker's signature */
    assert_int_not_equal(
        eseal_token_import(tok, cert.data, cert.len, bad_seal.data, bad_seal.len, NULL), ESEAL_OK);
    assert_null(eseal_token_cert(tok));

    /* The right certificate with its seal is stored as given. */
    assert_int_equal(eseal_token_import(tok, cert.data, cert.len, seal.data, seal.len, NULL),
                     ESEAL_OK);
    eseal_token_free(tok);
    tok = open_tok(dir);
    assert_non_null(eseal_token_cert(tok));
    X509 *want = NULL;
    assert_int_equal(eseal_pki_cert_parse(&want, cert.data, cert.len, NULL), ESEAL_OK);
    assert_int_equal(X509_cmp(eseal_token_cert(tok), want), 0);
    const uint8_t *got = NULL;
    size_t got_len = 0;
    assert_true(eseal_token_seal(tok, &got, &got_len));
    assert_int_equal(got_len, seal.len);
    assert_memory_equal(got, seal.data, seal.len);
    json_t *j = eseal_token_show(tok);
    char *sm3 = eseal_sm3_hex(seal.data, seal.len);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "seal"), "sm3")), sm3);
    char *serial = eseal_pki_serial(X509_get0_serialNumber(want));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "certificate"), "serial")), serial);
    free(serial);
    free(sm3);
    json_decref(j);
    for (size_t i = 0; i < 4; i++)
        assert_mode(dir, token_files[i], 0600);

    /* The same certificate again keeps the seal; a new one without a seal
     * drops the seal made for the old one. */
    unlock_ok(tok, PIN);
    assert_int_equal(eseal_token_import(tok, cert.data, cert.len, NULL, 0, NULL), ESEAL_OK);
    assert_true(eseal_token_seal(tok, &got, &got_len));
    assert_int_equal(eseal_token_import(tok, cert2.data, cert2.len, NULL, 0, NULL), ESEAL_OK);
    assert_false(eseal_token_seal(tok, &got, &got_len));

    X509_free(want);
    free(big);
    eseal_buf_cleanup(&seal);
    eseal_buf_cleanup(&bad_seal);
    eseal_buf_cleanup(&cert);
    eseal_buf_cleanup(&cert2);
    eseal_buf_cleanup(&other);
    eseal_token_free(tok);
    free(dir);
}

/* ---- signing ------------------------------------------------------------ */

static void test_sign(void **state)
{
    struct fixture *f = *state;
    struct eseal_token *tok = open_tok(f->tok_dir);
    struct eseal_buf sig;
    eseal_buf_init(&sig);
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_token_sign(tok, S("doc"), &sig, &err), ESEAL_E_DENIED);
    assert_true(err.msg[0] != '\0');
    unlock_ok(tok, PIN);
    assert_int_equal(eseal_token_sign(tok, S("doc"), &sig, NULL), ESEAL_OK);
    EVP_PKEY *pub = eseal_token_pubkey(tok);
    assert_int_equal(eseal_sm2_verify(pub, S("doc"), sig.data, sig.len, NULL), ESEAL_OK);
    assert_int_equal(eseal_sm2_verify(pub, S("dog"), sig.data, sig.len, NULL), ESEAL_E_CRYPTO);
    /* The generic callback form, as a seal maker would call it. */
    eseal_rc (*signer)(void *, const uint8_t *, size_t, struct eseal_buf *, struct eseal_err *) =
        eseal_token_signer;
    assert_int_equal(signer(tok, (const uint8_t *)"doc", 3, &sig, NULL), ESEAL_OK);
    assert_int_equal(eseal_sm2_verify(X509_get0_pubkey(eseal_token_cert(tok)), S("doc"), sig.data,
                                      sig.len, NULL),
                     ESEAL_OK);
    eseal_token_lock_key(tok);
    assert_int_equal(signer(tok, (const uint8_t *)"doc", 3, &sig, NULL), ESEAL_E_DENIED);
    eseal_buf_cleanup(&sig);
    eseal_token_free(tok);
}

/* ---- key material ------------------------------------------------------- */

/* private_scalar unwraps the key the way the token does and returns the
 * 32-byte private scalar and the PKCS#8 DER, to look for them elsewhere. */
static void private_scalar(uint8_t d[32], struct eseal_buf *p8, const char *dir)
{
    json_t *j = state_json(dir);
    const char *b64 = json_string_value(json_object_get(j, "key_pin"));
    struct eseal_buf blob;
    eseal_buf_init(&blob);
    assert_int_equal(eseal_unbase64(&blob, b64, strlen(b64), ESEAL_B64_STD, NULL), ESEAL_OK);
    assert_int_equal(eseal_unwrap(p8, S(PIN), blob.data, blob.len, NULL), ESEAL_OK);
    const unsigned char *p = p8->data;
    PKCS8_PRIV_KEY_INFO *info = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)p8->len);
    EVP_PKEY *key = EVP_PKCS82PKEY(info);
    BIGNUM *bn = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &bn), 1);
    assert_int_equal(BN_bn2binpad(bn, d, 32), 32);
    BN_clear_free(bn);
    EVP_PKEY_free(key);
    PKCS8_PRIV_KEY_INFO_free(info);
    eseal_buf_cleanup(&blob);
    json_decref(j);
}

static void assert_no_secret(const uint8_t *hay, size_t len, const uint8_t d[32],
                             const struct eseal_buf *p8, const char *what)
{
    char *hex = eseal_hex(d, 32);
    char *b64 = eseal_base64(p8->data, p8->len, ESEAL_B64_STD);
    if (memmem(hay, len, d, 32) != NULL || memmem(hay, len, hex, 64) != NULL ||
        memmem(hay, len, p8->data, p8->len) != NULL || memmem(hay, len, b64, 40) != NULL)
        fail_msg("%s holds the private key", what);
    free(hex);
    free(b64);
}

static void test_key_never_revealed(void **state)
{
    struct fixture *f = *state;
    uint8_t d[32];
    struct eseal_buf p8;
    eseal_buf_init(&p8);
    private_scalar(d, &p8, f->tok_dir);
    for (size_t i = 0; i < 3; i++) {
        struct eseal_buf b;
        eseal_buf_init(&b);
        read_file_in(&b, f->tok_dir, token_files[i]);
        assert_no_secret(b.data, b.len, d, &p8, token_files[i]);
        assert_null(strstr((const char *)b.data, "PRIVATE KEY"));
        eseal_buf_cleanup(&b);
    }
    /* A wrong PIN's message names neither key nor PIN. */
    struct eseal_token *tok = open_tok(f->tok_dir);
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_token_unlock_key(tok, S("sEcReT-guess"), &err), ESEAL_E_DENIED);
    assert_no_secret((const uint8_t *)err.msg, strlen(err.msg), d, &p8, "the error message");
    assert_null(strstr(err.msg, "sEcReT-guess"));
    unlock_ok(tok, PIN); /* back to no failures for the other tests */
    eseal_token_free(tok);
    eseal_wipe(d, sizeof(d));
    eseal_buf_cleanse(&p8);
}

/* ---- unlock codes ------------------------------------------------------- */

static void test_unlock_valid_code(void **state)
{
    struct fixture *f = *state;
    char *dir = issued_tok(f, f->ca);
    struct eseal_token *tok = open_tok(dir);
    for (int i = 0; i < ESEAL_TOKEN_MAX_TRIES; i++)
        assert_int_equal(eseal_token_unlock_key(tok, S(WRONG), NULL), ESEAL_E_DENIED);
    assert_true(eseal_token_locked(tok));

    struct eseal_buf code;
    eseal_buf_init(&code);
    code_for(&code, f->ca, eseal_token_id(tok), 0);
    assert_non_null(strstr((const char *)code.data, "-----BEGIN ESEAL UNLOCK CODE-----"));
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_token_reset_pin(tok, code.data, code.len, S(PIN2), &err) != ESEAL_OK)
        fail_msg("eseal_token_reset_pin: %s", err.msg);
    assert_false(eseal_token_locked(tok));
    assert_int_equal(eseal_token_unlock_counter(tok), 1);
    assert_int_equal(state_int(dir, "unlock_counter"), 1);
    assert_int_equal(state_int(dir, "pin_failures"), 0);
    assert_mode(dir, "token.json", 0600);
    eseal_token_free(tok);

    tok = open_tok(dir);
    assert_int_equal(eseal_token_unlock_key(tok, S(PIN), NULL), ESEAL_E_DENIED);
    unlock_ok(tok, PIN2);
    struct eseal_buf sig;
    eseal_buf_init(&sig);
    assert_int_equal(eseal_token_sign(tok, S("doc"), &sig, NULL), ESEAL_OK);
    assert_int_equal(eseal_sm2_verify(X509_get0_pubkey(eseal_token_cert(tok)), S("doc"), sig.data,
                                      sig.len, NULL),
                     ESEAL_OK);
    eseal_buf_cleanup(&sig);
    eseal_token_free(tok);

    /* The same code again: already used, nothing changes. */
    const char *msg = reset_refused("replayed code", dir, code.data, code.len, ESEAL_E_DENIED);
    assert_non_null(strstr(msg, "already used"));
    /* A code for a counter the token has not reached is refused too. */
    code_for(&code, f->ca, f->tok_id, 5);
    msg =
        reset_refused("code for a later counter", f->tok_dir, code.data, code.len, ESEAL_E_DENIED);
    assert_non_null(strstr(msg, "counter 5"));
    eseal_buf_cleanup(&code);
    free(dir);
}

static void test_unlock_refuses_other_token(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf code;
    eseal_buf_init(&code);
    code_for(&code, f->ca, "0123456789abcdef", 0);
    const char *msg =
        reset_refused("code for another token", f->tok_dir, code.data, code.len, ESEAL_E_DENIED);
    assert_non_null(strstr(msg, "0123456789abcdef"));
    eseal_buf_cleanup(&code);
}

static void test_unlock_refuses_flipped_signature(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf code, der;
    eseal_buf_init(&code);
    eseal_buf_init(&der);
    code_for(&code, f->ca, f->tok_id, 0);
    struct eseal_unlock_code *c = NULL;
    assert_int_equal(eseal_unlock_code_parse(&c, code.data, code.len, NULL), ESEAL_OK);
    eseal_unlock_code_free(c);
    /* PEM to DER; the signature's last byte is the code's last byte. */
    BIO *bio = BIO_new_mem_buf(code.data, (int)code.len);
    unsigned char *raw = NULL;
    long raw_len = 0;
    assert_int_equal(
        PEM_bytes_read_bio(&raw, &raw_len, NULL, ESEAL_UNLOCK_PEM_LABEL, bio, NULL, NULL), 1);
    BIO_free(bio);
    eseal_buf_append(&der, raw, (size_t)raw_len);
    OPENSSL_free(raw);
    der.data[der.len - 1] ^= 0x01;
    reset_refused("flipped signature byte", f->tok_dir, der.data, der.len, ESEAL_E_CRYPTO);
    eseal_buf_cleanup(&code);
    eseal_buf_cleanup(&der);
}

static void test_unlock_refuses_other_ca(void **state)
{
    struct fixture *f = *state;
    struct eseal_buf code;
    eseal_buf_init(&code);
    code_for(&code, f->other_ca, f->tok_id, 0);
    const char *msg =
        reset_refused("code from another CA", f->tok_dir, code.data, code.len, ESEAL_E_DENIED);
    assert_non_null(strstr(msg, "root"));
    eseal_buf_cleanup(&code);
}

static void test_unlock_refuses_swapped_chain(void **state)
{
    struct fixture *f = *state;
    X509 *root = tu_ca_cert(f->ca, TU_CA_ROOT);
    X509 *maker = tu_ca_cert(f->ca, TU_CA_MAKER);
    X509 *root2 = tu_ca_cert(f->other_ca, TU_CA_ROOT);
    X509 *maker2 = tu_ca_cert(f->other_ca, TU_CA_MAKER);
    time_t now = time(NULL);
    struct eseal_buf code;
    eseal_buf_init(&code);

    /* Signed by the real maker, but the root swapped for another CA's. */
    forge(&code, f, maker, root2, now, maker_signer, f->ca);
    reset_refused("root swapped", f->tok_dir, code.data, code.len, ESEAL_E_DENIED);
    /* The real root, with another CA's maker that signed it. */
    forge(&code, f, maker2, root, now, maker_signer, f->other_ca);
    const char *msg =
        reset_refused("maker from another CA", f->tok_dir, code.data, code.len, ESEAL_E_DENIED);
    assert_non_null(strstr(msg, "not issued by the platform root"));
    /* The real chain, signed by another CA's maker key. */
    forge(&code, f, maker, root, now, maker_signer, f->other_ca);
    reset_refused("signed by a foreign key", f->tok_dir, code.data, code.len, ESEAL_E_CRYPTO);
    /* The responder is not the maker, though the root issued it. */
    forge(&code, f, tu_ca_cert(f->ca, TU_CA_RESPONDER), root, now, maker_signer, f->ca);
    msg = reset_refused("responder as signer", f->tok_dir, code.data, code.len, ESEAL_E_DENIED);
    assert_non_null(strstr(msg, "seal maker"));
    /* The root as signer certificate. */
    forge(&code, f, root, root, now, maker_signer, f->ca);
    reset_refused("root as signer", f->tok_dir, code.data, code.len, ESEAL_E_DENIED);
    /* Too old, and from the future. */
    forge(&code, f, maker, root, now - ESEAL_UNLOCK_MAX_AGE - 60, maker_signer, f->ca);
    msg = reset_refused("expired code", f->tok_dir, code.data, code.len, ESEAL_E_DENIED);
    assert_non_null(strstr(msg, "expired"));
    forge(&code, f, maker, root, now + 3600, maker_signer, f->ca);
    reset_refused("future code", f->tok_dir, code.data, code.len, ESEAL_E_DENIED);
    /* Garbage. */
    reset_refused("not a code", f->tok_dir, (const uint8_t *)"hello", 5, ESEAL_E_INVALID);
    eseal_buf_cleanup(&code);
}

/* Another holder of the same platform signs a code with its own token key
 * and certificate (issued by the real root): not the maker, refused. */
static void test_unlock_refuses_holder_signer(void **state)
{
    struct fixture *f = *state;
    char *dir = issued_tok(f, f->ca);
    struct eseal_token *other = open_tok(dir);
    unlock_ok(other, PIN);
    struct eseal_buf code;
    eseal_buf_init(&code);
    forge(&code, f, eseal_token_cert(other), tu_ca_cert(f->ca, TU_CA_ROOT), time(NULL),
          eseal_token_signer, other);
    const char *msg =
        reset_refused("holder as signer", f->tok_dir, code.data, code.len, ESEAL_E_DENIED);
    assert_non_null(strstr(msg, "seal maker"));
    eseal_buf_cleanup(&code);
    eseal_token_free(other);
    free(dir);
}

/* The seal maker is recognised by its extended key usage, whatever its
 * name (the new Chinese one by default); a CA made before #19 has a maker
 * without it, named "eSeal Platform Seal Maker", still taken. A certificate
 * from the root with the maker's name but no mark is not the maker. */
static void test_unlock_old_and_new_maker(void **state)
{
    struct fixture *f = *state;
    X509 *root = tu_ca_cert(f->ca, TU_CA_ROOT);
    X509 *maker = tu_ca_cert(f->ca, TU_CA_MAKER);
    EVP_PKEY *rk = f->ca->key[TU_CA_ROOT];
    assert_true(eseal_unlock_is_platform_maker(maker, root));
    X509 *v1 = tu_maker_like(maker, root, rk, ESEAL_PLATFORM_MAKER_CN_V1, false);
    X509 *unmarked = tu_maker_like(maker, root, rk, "福建省电子印章服务平台制章证书", false);
    X509 *renamed = tu_maker_like(maker, root, rk, "任意名称", true);
    assert_true(eseal_unlock_is_platform_maker(v1, root));
    assert_false(eseal_unlock_is_platform_maker(unmarked, root));
    assert_true(eseal_unlock_is_platform_maker(renamed, root));

    time_t now = time(NULL);
    struct eseal_buf code;
    eseal_buf_init(&code);
    forge(&code, f, unmarked, root, now, maker_signer, f->ca);
    const char *msg =
        reset_refused("unmarked maker", f->tok_dir, code.data, code.len, ESEAL_E_DENIED);
    assert_non_null(strstr(msg, "seal maker"));

    /* Codes from the old maker and from a renamed marked one reset PINs. */
    X509 *ok[] = {v1, renamed};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        char *dir = issued_tok(f, f->ca);
        struct eseal_token *tok = open_tok(dir);
        struct eseal_err err;
        eseal_err_clear(&err);
        assert_int_equal(eseal_unlock_code_make(&code, eseal_token_id(tok), 0, now, ok[i], root,
                                                maker_signer, f->ca, &err),
                         ESEAL_OK);
        if (eseal_token_reset_pin(tok, code.data, code.len, S(PIN2), &err) != ESEAL_OK)
            fail_msg("maker %zu: eseal_token_reset_pin: %s", i, err.msg);
        assert_int_equal(eseal_token_unlock_counter(tok), 1);
        eseal_token_free(tok);
        free(dir);
    }
    eseal_buf_cleanup(&code);
    X509_free(v1);
    X509_free(unmarked);
    X509_free(renamed);
}

static void test_unlock_needs_certificate(void **state)
{
    struct fixture *f = *state;
    char *dir = init_tok(f);
    struct eseal_token *tok = open_tok(dir);
    struct eseal_buf code;
    eseal_buf_init(&code);
    code_for(&code, f->ca, eseal_token_id(tok), 0);
    eseal_token_free(tok);
    const char *msg =
        reset_refused("token without certificate", dir, code.data, code.len, ESEAL_E_DENIED);
    assert_non_null(strstr(msg, "no certificate"));
    assert_non_null(strstr(msg, "令牌未导入证书"));
    eseal_buf_cleanup(&code);
    free(dir);
}

static void test_unlock_needs_unlock_key(void **state)
{
    struct fixture *f = *state;
    char *from = eseal_path_join(f->tok_dir, "unlock.key");
    char *to = eseal_path_join(f->tmp, "unlock.key.away");
    assert_int_equal(rename(from, to), 0);
    struct eseal_buf code;
    eseal_buf_init(&code);
    code_for(&code, f->ca, f->tok_id, 0);
    const char *msg =
        reset_refused("unlock.key missing", f->tok_dir, code.data, code.len, ESEAL_E_NOTFOUND);
    assert_non_null(strstr(msg, "unlock.key"));
    struct eseal_token *tok = open_tok(f->tok_dir);
    json_t *j = eseal_token_show(tok);
    assert_true(json_is_false(json_object_get(j, "unlock_key_present")));
    json_decref(j);
    eseal_token_free(tok);
    assert_int_equal(rename(to, from), 0);
    reset_refused("empty code", f->tok_dir, code.data, 0, ESEAL_E_INVALID);
    eseal_buf_cleanup(&code);
    free(from);
    free(to);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_open),
        cmocka_unit_test(test_init_refuses_existing),
        cmocka_unit_test(test_open_missing),
        cmocka_unit_test(test_pin_rules),
        cmocka_unit_test(test_wrong_pins_lock_after_six),
        cmocka_unit_test(test_right_pin_resets_count),
        cmocka_unit_test(test_attempt_counted_before_trying),
        cmocka_unit_test(test_kill_cannot_dodge_counter),
        cmocka_unit_test(test_change_pin),
        cmocka_unit_test(test_csr),
        cmocka_unit_test(test_subject_parse),
        cmocka_unit_test(test_ca_refuses_platform_names),
        cmocka_unit_test(test_import),
        cmocka_unit_test(test_sign),
        cmocka_unit_test(test_key_never_revealed),
        cmocka_unit_test(test_unlock_valid_code),
        cmocka_unit_test(test_unlock_refuses_other_token),
        cmocka_unit_test(test_unlock_refuses_flipped_signature),
        cmocka_unit_test(test_unlock_refuses_other_ca),
        cmocka_unit_test(test_unlock_refuses_swapped_chain),
        cmocka_unit_test(test_unlock_refuses_holder_signer),
        cmocka_unit_test(test_unlock_old_and_new_maker),
        cmocka_unit_test(test_unlock_needs_certificate),
        cmocka_unit_test(test_unlock_needs_unlock_key),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
