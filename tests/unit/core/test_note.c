/* test_note.c — C2SP signed-note verifier keys: format/parse round trip, the
 * key hash computed independently, strict rejection, and the Go
 * golang.org/x/mod/sumdb/note reference vectors. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "eseal/enc.h"
#include "eseal/note.h"
#include "eseal/secret.h"
#include "testutil.h"

/* ---- helpers ---- */

/* ref_hash is the spec's key hash computed with plain OpenSSL:
 * SHA-256(name || "\n" || alg || key)[:4]. */
static void ref_hash(uint8_t out[4], const char *name, uint8_t alg, const uint8_t *key,
                     size_t key_len)
{
    struct eseal_buf in;
    eseal_buf_init(&in);
    eseal_buf_append_str(&in, name);
    eseal_buf_append(&in, "\n", 1);
    eseal_buf_append(&in, &alg, 1);
    eseal_buf_append(&in, key, key_len);
    uint8_t d[32];
    unsigned int n = 0;
    assert_int_equal(EVP_Digest(in.data, in.len, d, &n, EVP_sha256(), NULL), 1);
    assert_int_equal(n, 32);
    memcpy(out, d, 4);
    eseal_buf_cleanup(&in);
}

/* make_key builds "<name>+<hex hash>+<base64(alg || key)>" by hand, with the
 * hash computed over the same alg and key, so only what the test changes on
 * purpose is wrong. */
static char *make_key(const char *name, uint8_t alg, const uint8_t *key, size_t key_len)
{
    uint8_t h[4];
    ref_hash(h, name, alg, key, key_len);
    uint8_t blob[80];
    assert_true(key_len + 1 <= sizeof(blob));
    blob[0] = alg;
    memcpy(blob + 1, key, key_len);
    char *hex = eseal_hex(h, 4);
    char *b64 = eseal_base64(blob, key_len + 1, ESEAL_B64_STD);
    char *s = eseal_xasprintf("%s+%s+%s", name, hex, b64);
    free(hex);
    free(b64);
    return s;
}

static eseal_rc parse(const char *text, char **name, uint8_t pk[32], uint8_t hash[4])
{
    struct eseal_err err;
    eseal_err_clear(&err);
    eseal_rc rc = eseal_note_key_parse(text, strlen(text), name, pk, hash, &err);
    if (rc != ESEAL_OK) {
        assert_int_equal(err.rc, rc);
        assert_true(strlen(err.msg) > 0);
    }
    return rc;
}

static void assert_rejected(const char *text)
{
    char *name = (char *)"sentinel";
    uint8_t pk[32], hash[4];
    assert_int_equal(parse(text, &name, pk, hash), ESEAL_E_INVALID);
    assert_null(name);
}

static void decode_b64(struct eseal_buf *out, const char *s)
{
    assert_int_equal(eseal_unbase64(out, s, strlen(s), ESEAL_B64_STD, NULL), ESEAL_OK);
}

/* ---- tests ---- */

static void test_round_trip(void **state)
{
    (void)state;
    uint8_t pk[32], sk[64];
    eseal_ed25519_keypair(pk, sk);
    static const char *const names[] = {"eseal.fujian.gov.cn/log", "a", "日志/省级",
                                        "example.com/foo=bar,baz"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char *text = eseal_note_key_format(names[i], pk);

        /* Shape: name, 8 lower-case hex digits, base64 of 0x01 || pk. */
        size_t nlen = strlen(names[i]);
        assert_int_equal(strncmp(text, names[i], nlen), 0);
        assert_int_equal(text[nlen], '+');
        assert_int_equal(text[nlen + 9], '+');
        uint8_t want[4];
        ref_hash(want, names[i], 0x01, pk, 32);
        char *want_hex = eseal_hex(want, 4);
        assert_memory_equal(text + nlen + 1, want_hex, 8);
        free(want_hex);
        struct eseal_buf blob;
        eseal_buf_init(&blob);
        decode_b64(&blob, text + nlen + 10);
        assert_int_equal(blob.len, 33);
        assert_int_equal(blob.data[0], 0x01);
        assert_memory_equal(blob.data + 1, pk, 32);
        eseal_buf_cleanup(&blob);

        /* Parse it back, with and without a trailing newline. */
        char *name = NULL;
        uint8_t got_pk[32], got_hash[4];
        assert_int_equal(parse(text, &name, got_pk, got_hash), ESEAL_OK);
        assert_string_equal(name, names[i]);
        assert_memory_equal(got_pk, pk, 32);
        assert_memory_equal(got_hash, want, 4);
        free(name);
        char *nl = eseal_xasprintf("%s\n", text);
        assert_int_equal(parse(nl, &name, got_pk, NULL), ESEAL_OK); /* hash out optional */
        assert_string_equal(name, names[i]);
        free(name);
        free(nl);
        free(text);
    }
}

static void test_key_hash(void **state)
{
    (void)state;
    uint8_t pk[32];
    for (int i = 0; i < 32; i++)
        pk[i] = (uint8_t)(i * 13 + 1);
    uint8_t got[4], want[4];
    eseal_note_key_hash(got, "example.org/log", pk);
    ref_hash(want, "example.org/log", 0x01, pk, 32);
    assert_memory_equal(got, want, 4);

    /* The name and every key byte matter. */
    uint8_t other[4];
    eseal_note_key_hash(other, "example.org/log2", pk);
    assert_memory_not_equal(got, other, 4);
    pk[31] ^= 1;
    eseal_note_key_hash(other, "example.org/log", pk);
    assert_memory_not_equal(got, other, 4);
}

static void test_rejects(void **state)
{
    (void)state;
    uint8_t pk[32];
    for (int i = 0; i < 32; i++)
        pk[i] = (uint8_t)(0x80 + i);
    char *good = eseal_note_key_format("log.example", pk);
    char *name = NULL;
    uint8_t out_pk[32];
    assert_int_equal(parse(good, &name, out_pk, NULL), ESEAL_OK);
    free(name);
    const char *hash_at = strchr(good, '+') + 1;
    const char *key_at = strchr(hash_at, '+') + 1;
    char *s;

    /* Missing parts. */
    assert_rejected("");
    assert_rejected("log.example");
    assert_rejected("log.example+");
    s = eseal_xstrndup(good, (size_t)(key_at - 1 - good)); /* name+hash */
    assert_rejected(s);
    free(s);
    s = eseal_xstrndup(good, (size_t)(key_at - good)); /* name+hash+ */
    assert_rejected(s);
    free(s);
    s = eseal_xasprintf("+%s", hash_at); /* empty name */
    assert_rejected(s);
    free(s);
    s = eseal_xasprintf("log.example++%s", key_at); /* empty hash */
    assert_rejected(s);
    free(s);

    /* Bad hex, short and long hash. */
    s = eseal_xasprintf("log.example+zz%.6s+%s", hash_at + 2, key_at);
    assert_rejected(s);
    free(s);
    s = eseal_xasprintf("log.example+%.7s+%s", hash_at, key_at);
    assert_rejected(s);
    free(s);
    s = eseal_xasprintf("log.example+%.8s0+%s", hash_at, key_at);
    assert_rejected(s);
    free(s);

    /* Wrong hash: every single-digit change. */
    s = eseal_xstrdup(good);
    char *h = s + (hash_at - good);
    for (int i = 0; i < 8; i++) {
        char c = h[i];
        h[i] = c == '0' ? '1' : '0';
        assert_rejected(s);
        h[i] = c;
    }
    assert_int_equal(parse(s, &name, out_pk, NULL), ESEAL_OK); /* restored */
    free(name);
    free(s);

    /* Hash right for another name, or another key. */
    char *other = eseal_note_key_format("log.example2", pk);
    s = eseal_xasprintf("log.example+%.8s+%s", strchr(other, '+') + 1, key_at);
    assert_rejected(s);
    free(s);
    free(other);

    /* Wrong algorithm byte (with a hash that matches it), wrong key length. */
    for (unsigned alg = 0; alg < 8; alg++) {
        if (alg == 1)
            continue;
        s = make_key("log.example", (uint8_t)alg, pk, 32);
        assert_rejected(s);
        free(s);
    }
    s = make_key("log.example", 0x01, pk, 31);
    assert_rejected(s);
    free(s);
    uint8_t long_pk[33];
    memcpy(long_pk, pk, 32);
    long_pk[32] = 0;
    s = make_key("log.example", 0x01, long_pk, 33);
    assert_rejected(s);
    free(s);
    s = make_key("log.example", 0x01, pk, 0);
    assert_rejected(s);
    free(s);
    /* make_key is right when nothing is wrong. */
    s = make_key("log.example", 0x01, pk, 32);
    assert_string_equal(s, good);
    free(s);

    /* Names with space, '+', tab, newline or DEL. */
    static const char *const bad_names[] = {"log example",  "log+example", "log\texample",
                                            "log\nexample", "log\x7f",     " log"};
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        s = make_key(bad_names[i], 0x01, pk, 32);
        assert_rejected(s);
        free(s);
    }
    /* Name too long. */
    char longname[ESEAL_NOTE_NAME_MAX + 2];
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    s = make_key(longname, 0x01, pk, 32);
    assert_rejected(s);
    free(s);

    /* Base64 not strict: whitespace, missing padding, trailing junk. */
    s = eseal_xasprintf("%s ", good);
    assert_rejected(s);
    free(s);
    s = eseal_xasprintf("%s\n\n", good);
    assert_rejected(s);
    free(s);
    s = eseal_xasprintf("%s\r\n", good);
    assert_rejected(s);
    free(s);
    s = eseal_xstrndup(good, strlen(good) - 1);
    assert_rejected(s);
    free(s);
    s = eseal_xasprintf("%sAAAA", good);
    assert_rejected(s);
    free(s);

    /* Length is honoured: a prefix of a valid key is not valid. */
    name = (char *)"sentinel";
    assert_int_equal(eseal_note_key_parse(good, strlen(good) - 4, &name, out_pk, NULL, NULL),
                     ESEAL_E_INVALID);
    assert_null(name);

    free(good);
}

/* Vectors from golang.org/x/mod/sumdb/note (note.go, note_test.go) and
 * transparency-dev/formats. */
static void test_go_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *key, *name, *hash;
    } v[] = {
        {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "PeterNeumann",
         "c74f20a3"},
        {"EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop", "EnochRoot",
         "af0cfe78"},
        /* The base64 part contains '+'. */
        {"TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6", "TEST", "7997405c"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char *name = NULL;
        uint8_t pk[32], hash[4];
        assert_int_equal(parse(v[i].key, &name, pk, hash), ESEAL_OK);
        assert_string_equal(name, v[i].name);
        char *hex = eseal_hex(hash, 4);
        assert_string_equal(hex, v[i].hash);
        free(hex);
        /* Formatting gives back the same text. */
        char *again = eseal_note_key_format(name, pk);
        assert_string_equal(again, v[i].key);
        free(again);
        free(name);
    }

    /* The PeterNeumann signer key is "PRIVATE+KEY+PeterNeumann+c74f20a3+"
     * followed by base64(0x01 || seed): its public key is the verifier's. */
    struct eseal_buf b;
    eseal_buf_init(&b);
    decode_b64(&b, "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
    assert_int_equal(b.len, 33);
    assert_int_equal(b.data[0], 0x01);
    uint8_t pk[32], sk[64], want_pk[32];
    eseal_ed25519_from_seed(pk, sk, b.data + 1);
    char *name = NULL;
    assert_int_equal(parse(v[0].key, &name, want_pk, NULL), ESEAL_OK);
    free(name);
    assert_memory_equal(pk, want_pk, 32);

    /* And the signature of the example note verifies (and is reproduced:
     * Ed25519 is deterministic). The signature line's base64 is the 4-byte
     * key hash followed by the signature over the note text. */
    static const char text[] = "If you think cryptography is the answer to your problem,\n"
                               "then you don't know what your problem is.\n";
    decode_b64(&b, "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZ"
                   "b6KE6RyyBwJnAM=");
    assert_int_equal(b.len, 4 + 64);
    static const uint8_t key_hash[4] = {0xc7, 0x4f, 0x20, 0xa3};
    assert_memory_equal(b.data, key_hash, 4);
    assert_int_equal(eseal_ed25519_verify(b.data + 4, text, strlen(text), pk), ESEAL_OK);
    uint8_t sig[64];
    eseal_ed25519_sign(sig, text, strlen(text), sk);
    assert_memory_equal(sig, b.data + 4, 64);
    assert_int_equal(eseal_ed25519_verify(b.data + 4, text, strlen(text) - 1, pk), ESEAL_E_CRYPTO);
    eseal_wipe(sk, sizeof(sk));
    eseal_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_key_hash),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_go_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
