/* test_secret.c — randomness, constant-time compare, Argon2id password hashes,
 * passphrase key wrapping and Ed25519 (RFC 8032 known answers). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "eseal/enc.h"
#include "eseal/secret.h"
#include "testutil.h"

/* The wrapped-blob layout documented in secret.c: "ESW1" | alg | opslimit |
 * memlimit KiB | salt (16) | nonce (24) | ciphertext | tag (16). */
#define HDR_LEN 53
#define TAG_LEN 16
#define OFF_OPS 5
#define OFF_MEM 9
#define OFF_SALT 13
#define OFF_NONCE 29

static void unhex_fixed(uint8_t *out, size_t len, const char *hex)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    assert_int_equal(eseal_unhex(&b, hex, strlen(hex), NULL), ESEAL_OK);
    assert_int_equal(b.len, len);
    memcpy(out, b.data, len);
    eseal_buf_cleanup(&b);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ---- random, compare, wipe ---- */

static void test_random(void **state)
{
    (void)state;
    uint8_t a[32], b[32], zero[32] = {0};
    eseal_random(a, sizeof(a));
    eseal_random(b, sizeof(b));
    assert_memory_not_equal(a, b, sizeof(a));
    assert_memory_not_equal(a, zero, sizeof(a));
    eseal_random(a, 0); /* zero length is a no-op */

    /* Every byte value shows up over a few KiB: not a stuck generator. */
    uint8_t big[8192];
    int seen[256] = {0};
    eseal_random(big, sizeof(big));
    for (size_t i = 0; i < sizeof(big); i++)
        seen[big[i]] = 1;
    int distinct = 0;
    for (int i = 0; i < 256; i++)
        distinct += seen[i];
    assert_true(distinct > 250);
}

static void test_memeq_wipe(void **state)
{
    (void)state;
    uint8_t a[40], b[40];
    for (int i = 0; i < 40; i++)
        a[i] = b[i] = (uint8_t)i;
    assert_true(eseal_memeq(a, b, sizeof(a)));
    assert_true(eseal_memeq(a, b, 0));
    b[39] ^= 0x80;
    assert_false(eseal_memeq(a, b, sizeof(a)));
    assert_true(eseal_memeq(a, b, 39));
    b[39] ^= 0x80;
    b[0] ^= 1;
    assert_false(eseal_memeq(a, b, sizeof(a)));
    assert_false(eseal_memeq(a, b, 1));

    eseal_wipe(a, sizeof(a));
    for (int i = 0; i < 40; i++)
        assert_int_equal(a[i], 0);
    eseal_wipe(NULL, 10); /* NULL tolerated */
    eseal_secret_init();
    eseal_secret_init(); /* idempotent */
}

/* ---- password hashes ---- */

static void test_pwhash(void **state)
{
    (void)state;
    char h1[ESEAL_PWHASH_MAX], h2[ESEAL_PWHASH_MAX];
    struct eseal_err err;
    static const char pw[] = "工号123 correct horse";
    assert_int_equal(eseal_pwhash(h1, pw, strlen(pw), &err), ESEAL_OK);
    assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
    assert_non_null(strstr(h1, "v=19"));
    assert_true(strlen(h1) < ESEAL_PWHASH_MAX);
    assert_int_equal(eseal_pwhash_verify(h1, pw, strlen(pw)), ESEAL_OK);
    assert_int_equal(eseal_pwhash_verify(h1, "wrong", 5), ESEAL_E_DENIED);
    assert_int_equal(eseal_pwhash_verify(h1, pw, strlen(pw) - 1), ESEAL_E_DENIED);
    assert_int_equal(eseal_pwhash_verify(h1, "", 0), ESEAL_E_DENIED);

    /* Salted: the same password hashes differently each time. */
    assert_int_equal(eseal_pwhash(h2, pw, strlen(pw), &err), ESEAL_OK);
    assert_string_not_equal(h1, h2);
    assert_int_equal(eseal_pwhash_verify(h2, pw, strlen(pw)), ESEAL_OK);

    /* Binary passwords with NULs are hashed by length, not as C strings. */
    static const uint8_t bin[] = {'a', 0, 'b'};
    assert_int_equal(eseal_pwhash(h2, bin, sizeof(bin), &err), ESEAL_OK);
    assert_int_equal(eseal_pwhash_verify(h2, bin, sizeof(bin)), ESEAL_OK);
    assert_int_equal(eseal_pwhash_verify(h2, "a", 1), ESEAL_E_DENIED);

    /* Empty password is hashable and only matches empty. */
    assert_int_equal(eseal_pwhash(h2, "", 0, &err), ESEAL_OK);
    assert_int_equal(eseal_pwhash_verify(h2, "", 0), ESEAL_OK);
    assert_int_equal(eseal_pwhash_verify(h2, "x", 1), ESEAL_E_DENIED);
}

static void test_pwhash_malformed(void **state)
{
    (void)state;
    char h[ESEAL_PWHASH_MAX];
    assert_int_equal(eseal_pwhash(h, "pw", 2, NULL), ESEAL_OK);

    assert_int_equal(eseal_pwhash_verify(NULL, "pw", 2), ESEAL_E_DENIED);
    assert_int_equal(eseal_pwhash_verify("", "pw", 2), ESEAL_E_DENIED);
    assert_int_equal(eseal_pwhash_verify("$argon2id$", "pw", 2), ESEAL_E_DENIED);
    assert_int_equal(eseal_pwhash_verify("$argon2id$v=19$m=65536,t=2,p=1$garbage", "pw", 2),
                     ESEAL_E_DENIED);
    assert_int_equal(eseal_pwhash_verify("pw", "pw", 2), ESEAL_E_DENIED);

    /* Truncated hash. */
    char t[ESEAL_PWHASH_MAX];
    memcpy(t, h, sizeof(t));
    t[strlen(t) - 5] = '\0';
    assert_int_equal(eseal_pwhash_verify(t, "pw", 2), ESEAL_E_DENIED);
    /* One changed character in the digest. */
    memcpy(t, h, sizeof(t));
    size_t last = strlen(t) - 1;
    t[last] = t[last] == 'A' ? 'B' : 'A';
    assert_int_equal(eseal_pwhash_verify(t, "pw", 2), ESEAL_E_DENIED);

    /* Unterminated within the bound: refused without reading past it. */
    char longh[ESEAL_PWHASH_MAX + 8];
    memset(longh, 'A', sizeof(longh));
    memcpy(longh, "$argon2id$", 10);
    longh[sizeof(longh) - 1] = '\0';
    assert_int_equal(eseal_pwhash_verify(longh, "pw", 2), ESEAL_E_DENIED);

    /* A valid Argon2i (not id) hash of the right password: no downgrade. */
    char h2i[crypto_pwhash_STRBYTES];
    assert_int_equal(crypto_pwhash_str_alg(h2i, "pw", 2, crypto_pwhash_argon2i_OPSLIMIT_INTERACTIVE,
                                           crypto_pwhash_argon2i_MEMLIMIT_INTERACTIVE,
                                           crypto_pwhash_ALG_ARGON2I13),
                     0);
    assert_int_equal(strncmp(h2i, "$argon2i$", 9), 0);
    assert_int_equal(crypto_pwhash_str_verify(h2i, "pw", 2), 0); /* libsodium accepts it */
    assert_int_equal(eseal_pwhash_verify(h2i, "pw", 2), ESEAL_E_DENIED);
}

/* ---- key wrapping ---- */

static void test_wrap_round_trip(void **state)
{
    (void)state;
    struct eseal_buf w, p;
    struct eseal_err err;
    eseal_buf_init(&w);
    eseal_buf_init(&p);
    static const char pass[] = "口令 passphrase";
    size_t plen = strlen(pass);

    /* Small. */
    static const uint8_t key[] = {0x00, 0x01, 0x02, 0xfe, 0xff, 0x00, 0x42};
    assert_int_equal(eseal_wrap(&w, pass, plen, key, sizeof(key), &err), ESEAL_OK);
    assert_int_equal(w.len, HDR_LEN + sizeof(key) + TAG_LEN);
    assert_memory_equal(w.data, "ESW1", 4);
    assert_int_equal(w.data[4], 1);
    /* The plaintext is not visible in the blob. */
    assert_null(memmem(w.data, w.len, key, sizeof(key)));
    assert_int_equal(eseal_unwrap(&p, pass, plen, w.data, w.len, &err), ESEAL_OK);
    assert_int_equal(p.len, sizeof(key));
    assert_memory_equal(p.data, key, sizeof(key));
    assert_int_equal(p.data[p.len], 0);

    /* Fresh salt and nonce: the same input wraps differently. */
    struct eseal_buf w2;
    eseal_buf_init(&w2);
    assert_int_equal(eseal_wrap(&w2, pass, plen, key, sizeof(key), &err), ESEAL_OK);
    assert_int_equal(w2.len, w.len);
    assert_memory_equal(w2.data, w.data, OFF_SALT); /* same magic, alg, costs */
    assert_memory_not_equal(w2.data + OFF_SALT, w.data + OFF_SALT, 16);
    assert_memory_not_equal(w2.data + OFF_NONCE, w.data + OFF_NONCE, 24);
    assert_memory_not_equal(w2.data + HDR_LEN, w.data + HDR_LEN, w.len - HDR_LEN);
    eseal_buf_cleanup(&w2);

    /* Empty plaintext. */
    assert_int_equal(eseal_wrap(&w, pass, plen, "", 0, &err), ESEAL_OK);
    assert_int_equal(w.len, HDR_LEN + TAG_LEN);
    assert_int_equal(eseal_unwrap(&p, pass, plen, w.data, w.len, &err), ESEAL_OK);
    assert_int_equal(p.len, 0);

    /* 10 KB plaintext. */
    size_t big_len = 10 * 1024;
    uint8_t *big = malloc(big_len);
    assert_non_null(big);
    eseal_random(big, big_len);
    assert_int_equal(eseal_wrap(&w, pass, plen, big, big_len, &err), ESEAL_OK);
    assert_int_equal(w.len, HDR_LEN + big_len + TAG_LEN);
    assert_int_equal(eseal_unwrap(&p, pass, plen, w.data, w.len, &err), ESEAL_OK);
    assert_int_equal(p.len, big_len);
    assert_memory_equal(p.data, big, big_len);
    free(big);

    /* Empty passphrase works too, and is not the same as a wrong one. */
    assert_int_equal(eseal_wrap(&w, "", 0, key, sizeof(key), &err), ESEAL_OK);
    assert_int_equal(eseal_unwrap(&p, "", 0, w.data, w.len, &err), ESEAL_OK);
    assert_memory_equal(p.data, key, sizeof(key));
    assert_int_equal(eseal_unwrap(&p, "x", 1, w.data, w.len, &err), ESEAL_E_CRYPTO);

    eseal_buf_cleanup(&w);
    eseal_buf_cleanse(&p);
}

static void test_wrap_wrong_pass(void **state)
{
    (void)state;
    struct eseal_buf w, p;
    struct eseal_err err;
    eseal_buf_init(&w);
    eseal_buf_init(&p);
    assert_int_equal(eseal_wrap(&w, "right", 5, "secret key", 10, &err), ESEAL_OK);
    eseal_buf_append_str(&p, "stale");
    assert_int_equal(eseal_unwrap(&p, "wrong", 5, w.data, w.len, &err), ESEAL_E_CRYPTO);
    assert_int_equal(err.rc, ESEAL_E_CRYPTO);
    assert_int_equal(p.len, 0);
    assert_null(strstr(err.msg, "right"));
    assert_int_equal(eseal_unwrap(&p, "righ", 4, w.data, w.len, &err), ESEAL_E_CRYPTO);
    assert_int_equal(eseal_unwrap(&p, "right\n", 6, w.data, w.len, &err), ESEAL_E_CRYPTO);
    assert_int_equal(eseal_unwrap(&p, "right", 5, w.data, w.len, &err), ESEAL_OK);
    assert_memory_equal(p.data, "secret key", 10);
    eseal_buf_cleanup(&w);
    eseal_buf_cleanse(&p);
}

/* Every region of the blob is protected: magic, algorithm, costs (which are
 * the AEAD's associated data), salt, nonce, ciphertext and tag. Each KDF run
 * costs ~0.1 s, so a sample of positions covers each region's ends. */
static void test_wrap_tamper(void **state)
{
    (void)state;
    struct eseal_buf w, p;
    struct eseal_err err;
    eseal_buf_init(&w);
    eseal_buf_init(&p);
    static const char plain[] = "0123456789abcdef";
    assert_int_equal(eseal_wrap(&w, "pw", 2, plain, 16, &err), ESEAL_OK);
    assert_int_equal(w.len, HDR_LEN + 16 + TAG_LEN);

    static const struct {
        size_t pos;
        uint8_t flip;
        eseal_rc want; /* ESEAL_OK here: either CRYPTO or INVALID */
    } cases[] = {
        {0, 0x01, ESEAL_E_INVALID},             /* magic */
        {3, 0x01, ESEAL_E_INVALID},             /* magic */
        {4, 0x01, ESEAL_E_INVALID},             /* algorithm */
        {OFF_OPS, 0x01, ESEAL_OK},              /* opslimit, high byte */
        {OFF_OPS + 3, 0x01, ESEAL_OK},          /* opslimit 3 -> 2: valid cost */
        {OFF_MEM, 0x01, ESEAL_OK},              /* memlimit, high byte */
        {OFF_MEM + 3, 0x01, ESEAL_OK},          /* memlimit low byte */
        {OFF_SALT, 0x01, ESEAL_E_CRYPTO},       /* salt first */
        {OFF_SALT + 15, 0x80, ESEAL_E_CRYPTO},  /* salt last */
        {OFF_NONCE, 0x01, ESEAL_E_CRYPTO},      /* nonce first */
        {OFF_NONCE + 23, 0x80, ESEAL_E_CRYPTO}, /* nonce last */
        {HDR_LEN, 0x01, ESEAL_E_CRYPTO},        /* ciphertext first */
        {HDR_LEN + 15, 0x80, ESEAL_E_CRYPTO},   /* ciphertext last */
        {HDR_LEN + 16, 0x01, ESEAL_E_CRYPTO},   /* tag first */
        {HDR_LEN + 31, 0x80, ESEAL_E_CRYPTO},   /* tag last */
    };
    uint8_t *copy = malloc(w.len);
    assert_non_null(copy);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(copy, w.data, w.len);
        copy[cases[i].pos] ^= cases[i].flip;
        eseal_buf_append_str(&p, "stale");
        eseal_rc rc = eseal_unwrap(&p, "pw", 2, copy, w.len, &err);
        if (cases[i].want == ESEAL_OK)
            assert_true(rc == ESEAL_E_CRYPTO || rc == ESEAL_E_INVALID);
        else
            assert_int_equal(rc, cases[i].want);
        assert_int_equal(p.len, 0);
    }
    /* The untouched copy still opens: the loop tested the flips, not a
     * broken blob. */
    memcpy(copy, w.data, w.len);
    assert_int_equal(eseal_unwrap(&p, "pw", 2, copy, w.len, &err), ESEAL_OK);
    assert_memory_equal(p.data, plain, 16);

    /* Changing the costs to other valid values (instead of flipping bits)
     * must fail too: they are authenticated. */
    memcpy(copy, w.data, w.len);
    put_be32(copy + OFF_OPS, 2);
    assert_int_equal(eseal_unwrap(&p, "pw", 2, copy, w.len, &err), ESEAL_E_CRYPTO);

    /* A byte appended or removed at the end. */
    uint8_t *longer = malloc(w.len + 1);
    assert_non_null(longer);
    memcpy(longer, w.data, w.len);
    longer[w.len] = 0;
    assert_int_equal(eseal_unwrap(&p, "pw", 2, longer, w.len + 1, &err), ESEAL_E_CRYPTO);
    free(longer);
    assert_int_equal(eseal_unwrap(&p, "pw", 2, w.data, w.len - 1, &err), ESEAL_E_CRYPTO);

    free(copy);
    eseal_buf_cleanup(&w);
    eseal_buf_cleanse(&p);
}

static void test_wrap_malformed(void **state)
{
    (void)state;
    struct eseal_buf w, p;
    struct eseal_err err;
    eseal_buf_init(&w);
    eseal_buf_init(&p);
    assert_int_equal(eseal_wrap(&w, "pw", 2, "k", 1, &err), ESEAL_OK);

    /* Truncated below header + tag: malformed, not a decryption attempt. */
    static const size_t cuts[] = {0, 1, 4, 5, 13, HDR_LEN - 1, HDR_LEN, HDR_LEN + TAG_LEN - 1};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        eseal_err_clear(&err);
        assert_int_equal(eseal_unwrap(&p, "pw", 2, w.data, cuts[i], &err), ESEAL_E_INVALID);
        assert_int_equal(err.rc, ESEAL_E_INVALID);
        assert_int_equal(p.len, 0);
    }
    assert_int_equal(eseal_unwrap(&p, "pw", 2, (const uint8_t *)"garbage garbage", 15, &err),
                     ESEAL_E_INVALID);

    /* Absurd costs are refused before any key derivation. */
    uint8_t *copy = malloc(w.len);
    assert_non_null(copy);
    static const struct {
        size_t off;
        uint32_t v;
    } costs[] = {
        {OFF_OPS, 0xFFFFFFFFu}, {OFF_OPS, 0}, {OFF_OPS, 1000},     {OFF_MEM, 0xFFFFFFFFu},
        {OFF_MEM, 0},           {OFF_MEM, 4}, {OFF_MEM, 4u << 20}, /* 4 GiB */
    };
    for (size_t i = 0; i < sizeof(costs) / sizeof(costs[0]); i++) {
        memcpy(copy, w.data, w.len);
        put_be32(copy + costs[i].off, costs[i].v);
        double t0 = now_s();
        assert_int_equal(eseal_unwrap(&p, "pw", 2, copy, w.len, &err), ESEAL_E_INVALID);
        assert_true(now_s() - t0 < 0.05);
        assert_int_equal(p.len, 0);
    }
    free(copy);
    eseal_buf_cleanup(&w);
    eseal_buf_cleanse(&p);
}

/* ---- Ed25519 ---- */

/* AEAD: a round trip; appended after a caller's header; another key,
 * other associated data, any flipped bit or a short input refused with
 * nothing left in the output. */
static void test_aead(void **state)
{
    (void)state;
    uint8_t key[ESEAL_AEAD_KEY_LEN], other[ESEAL_AEAD_KEY_LEN];
    eseal_random(key, sizeof(key));
    eseal_random(other, sizeof(other));
    static const char msg[] = "身份证复印件 id-copy bytes";
    struct eseal_buf sealed, again, out;
    eseal_buf_init(&sealed);
    eseal_buf_init(&again);
    eseal_buf_init(&out);
    eseal_buf_append(&sealed, "HDR", 3);
    eseal_aead_seal(&sealed, key, "ad", 2, msg, sizeof(msg));
    assert_int_equal(sealed.len, 3 + sizeof(msg) + ESEAL_AEAD_OVERHEAD);
    assert_memory_equal(sealed.data, "HDR", 3);
    assert_null(memmem(sealed.data, sealed.len, "id-copy", 7));
    eseal_aead_seal(&again, key, "ad", 2, msg, sizeof(msg)); /* a fresh nonce each time */
    assert_memory_not_equal(again.data, sealed.data + 3, ESEAL_AEAD_NONCE_LEN);

    const uint8_t *in = sealed.data + 3;
    size_t in_len = sealed.len - 3;
    struct eseal_err err;
    assert_int_equal(eseal_aead_open(&out, key, "ad", 2, in, in_len, &err), ESEAL_OK);
    assert_int_equal(out.len, sizeof(msg));
    assert_memory_equal(out.data, msg, sizeof(msg));
    assert_int_equal(eseal_aead_open(&out, other, "ad", 2, in, in_len, &err), ESEAL_E_CRYPTO);
    assert_int_equal(out.len, 0);
    assert_int_equal(eseal_aead_open(&out, key, "aD", 2, in, in_len, &err), ESEAL_E_CRYPTO);
    assert_int_equal(eseal_aead_open(&out, key, NULL, 0, in, in_len, &err), ESEAL_E_CRYPTO);
    for (size_t i = 3; i < sealed.len; i++) {
        sealed.data[i] ^= 0x01;
        assert_int_equal(eseal_aead_open(&out, key, "ad", 2, in, in_len, NULL), ESEAL_E_CRYPTO);
        assert_int_equal(out.len, 0);
        sealed.data[i] ^= 0x01;
    }
    assert_int_equal(eseal_aead_open(&out, key, "ad", 2, in, in_len - 1, NULL), ESEAL_E_CRYPTO);
    assert_int_equal(eseal_aead_open(&out, key, "ad", 2, in, ESEAL_AEAD_OVERHEAD - 1, &err),
                     ESEAL_E_INVALID);
    /* an empty message seals to the overhead alone */
    eseal_buf_reset(&again);
    eseal_aead_seal(&again, key, NULL, 0, "", 0);
    assert_int_equal(again.len, ESEAL_AEAD_OVERHEAD);
    assert_int_equal(eseal_aead_open(&out, key, NULL, 0, again.data, again.len, &err), ESEAL_OK);
    assert_int_equal(out.len, 0);
    eseal_buf_cleanup(&sealed);
    eseal_buf_cleanup(&again);
    eseal_buf_cleanup(&out);
}

#define KDF_VECTOR "9620a16fbb5144d4f33301ee9f21c8bf2156811d83ed0e95209a13d6a41d3131"

/* KDF: deterministic; another id, context or master key gives another
 * subkey; libsodium's crypto_kdf answer for a fixed input. */
static void test_kdf(void **state)
{
    (void)state;
    uint8_t master[ESEAL_AEAD_KEY_LEN], other[ESEAL_AEAD_KEY_LEN];
    for (size_t i = 0; i < sizeof(master); i++) {
        master[i] = (uint8_t)i;
        other[i] = (uint8_t)(i + 1);
    }
    uint8_t a[32], b[32];
    eseal_kdf(a, sizeof(a), master, 1, "eSealDEK");
    eseal_kdf(b, sizeof(b), master, 1, "eSealDEK");
    assert_memory_equal(a, b, sizeof(a));
    eseal_kdf(b, sizeof(b), master, 2, "eSealDEK");
    assert_memory_not_equal(a, b, sizeof(a));
    eseal_kdf(b, sizeof(b), master, 1, "eSealDEL");
    assert_memory_not_equal(a, b, sizeof(a));
    eseal_kdf(b, sizeof(b), other, 1, "eSealDEK");
    assert_memory_not_equal(a, b, sizeof(a));
    assert_memory_not_equal(a, master, sizeof(a));
    /* crypto_kdf is BLAKE2b-256(key=master, salt=LE64(id)||0^8,
     * personal=context||0^8); the vector is Python hashlib's answer:
     * blake2b(b"", digest_size=32, key=bytes(range(32)),
     *         salt=struct.pack("<Q", 1) + bytes(8), person=b"eSealDEK" + bytes(8)) */
    char *hex = eseal_hex(a, sizeof(a));
    assert_string_equal(hex, KDF_VECTOR);
    free(hex);
}

static void test_ed25519_rfc8032(void **state)
{
    (void)state;
    /* RFC 8032 §7.1, TEST 1 (empty message) and TEST 2 (one byte, 0x72). */
    static const struct {
        const char *seed, *pk, *msg, *sig;
    } v[] = {
        {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39"
         "701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
        {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f36"
         "13d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint8_t seed[32], want_pk[32], want_sig[64], pk[32], sk[64], sig[64], msg[8];
        unhex_fixed(seed, 32, v[i].seed);
        unhex_fixed(want_pk, 32, v[i].pk);
        unhex_fixed(want_sig, 64, v[i].sig);
        size_t mlen = strlen(v[i].msg) / 2;
        unhex_fixed(msg, mlen, v[i].msg);

        eseal_ed25519_from_seed(pk, sk, seed);
        assert_memory_equal(pk, want_pk, 32);
        assert_memory_equal(sk, seed, 32); /* libsodium layout: seed || pk */
        assert_memory_equal(sk + 32, want_pk, 32);
        eseal_ed25519_sign(sig, msg, mlen, sk);
        assert_memory_equal(sig, want_sig, 64);
        assert_int_equal(eseal_ed25519_verify(want_sig, msg, mlen, want_pk), ESEAL_OK);

        /* Tampered message, signature, key. */
        uint8_t other[8] = {0};
        memcpy(other, msg, mlen);
        other[0] ^= 1;
        assert_int_equal(eseal_ed25519_verify(want_sig, other, mlen > 0 ? mlen : 1, want_pk),
                         ESEAL_E_CRYPTO);
        sig[10] ^= 0x04;
        assert_int_equal(eseal_ed25519_verify(sig, msg, mlen, want_pk), ESEAL_E_CRYPTO);
        sig[10] ^= 0x04;
        sig[63] ^= 0x01;
        assert_int_equal(eseal_ed25519_verify(sig, msg, mlen, want_pk), ESEAL_E_CRYPTO);
        sig[63] ^= 0x01;
        pk[5] ^= 0x01;
        assert_int_equal(eseal_ed25519_verify(sig, msg, mlen, pk), ESEAL_E_CRYPTO);
    }
}

static void test_ed25519_keypair(void **state)
{
    (void)state;
    uint8_t pk[32], sk[64], pk2[32], sk2[64], sig[64];
    eseal_ed25519_keypair(pk, sk);
    eseal_ed25519_keypair(pk2, sk2);
    assert_memory_not_equal(pk, pk2, 32);
    /* The pair is consistent: deriving from the seed half gives the same. */
    uint8_t pk3[32], sk3[64];
    eseal_ed25519_from_seed(pk3, sk3, sk);
    assert_memory_equal(pk3, pk, 32);
    assert_memory_equal(sk3, sk, 64);

    static const char msg[] = "checkpoint\n42\n";
    eseal_ed25519_sign(sig, msg, strlen(msg), sk);
    assert_int_equal(eseal_ed25519_verify(sig, msg, strlen(msg), pk), ESEAL_OK);
    assert_int_equal(eseal_ed25519_verify(sig, msg, strlen(msg), pk2), ESEAL_E_CRYPTO);
    assert_int_equal(eseal_ed25519_verify(sig, msg, strlen(msg) - 1, pk), ESEAL_E_CRYPTO);
    assert_int_equal(eseal_ed25519_verify(sig, "checkpoint\n43\n", strlen(msg), pk),
                     ESEAL_E_CRYPTO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_memeq_wipe),
        cmocka_unit_test(test_pwhash),
        cmocka_unit_test(test_pwhash_malformed),
        cmocka_unit_test(test_wrap_round_trip),
        cmocka_unit_test(test_wrap_wrong_pass),
        cmocka_unit_test(test_wrap_tamper),
        cmocka_unit_test(test_wrap_malformed),
        cmocka_unit_test(test_ed25519_rfc8032),
        cmocka_unit_test(test_ed25519_keypair),
        cmocka_unit_test(test_aead),
        cmocka_unit_test(test_kdf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
