/* test_merkle.c — RFC 6962 trees: the reference vectors of RFC 6962 /
 * certificate-transparency-go for the 8-leaf tree, and for every size
 * 1..300 every inclusion and consistency proof checked against a naive
 * recursive implementation of the RFC's definitions written here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "eseal/enc.h"
#include "eseal/merkle.h"
#include "testutil.h"

#define HLEN ESEAL_MERKLE_HASH_LEN
#define MAXN 300

/* ---- an in-memory node store filled by the frontier's emit ------------- */

struct store {
    uint8_t node[10][MAXN + 1][HLEN]; /* level < 10 covers 300 leaves */
    bool have[10][MAXN + 1];
    size_t reads;
};

static void store_emit(void *ctx, unsigned level, uint64_t index, const uint8_t hash[HLEN])
{
    struct store *s = ctx;
    assert_true(level < 10 && index <= MAXN);
    assert_false(s->have[level][index]); /* each subtree is completed once */
    memcpy(s->node[level][index], hash, HLEN);
    s->have[level][index] = true;
}

static eseal_rc store_read(void *ctx, unsigned level, uint64_t index, uint8_t out[HLEN],
                           struct eseal_err *err)
{
    struct store *s = ctx;
    s->reads++;
    if (level >= 10 || index > MAXN || !s->have[level][index])
        return eseal_err_set(err, ESEAL_E_NOTFOUND, "no node %u/%llu", level,
                             (unsigned long long)index);
    memcpy(out, s->node[level][index], HLEN);
    return ESEAL_OK;
}

/* ---- the naive reference: RFC 6962 §2.1 written out directly ----------- */

static void sha256(uint8_t out[HLEN], const void *a, size_t a_len, const void *b, size_t b_len,
                   const void *c, size_t c_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    assert_non_null(ctx);
    assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
    EVP_DigestUpdate(ctx, a, a_len);
    EVP_DigestUpdate(ctx, b, b_len);
    EVP_DigestUpdate(ctx, c, c_len);
    assert_int_equal(EVP_DigestFinal_ex(ctx, out, NULL), 1);
    EVP_MD_CTX_free(ctx);
}

struct ref {
    size_t n_leaves;
    uint8_t leaf[MAXN][HLEN];
    /* memo[start][len]: MTH(D[start:start+len]) once computed */
    uint8_t (*memo)[MAXN + 1][HLEN];
    bool (*memo_ok)[MAXN + 1];
};

static struct ref *ref_new(void)
{
    struct ref *r = calloc(1, sizeof(*r));
    r->memo = calloc(MAXN, sizeof(*r->memo));
    r->memo_ok = calloc(MAXN, sizeof(*r->memo_ok));
    assert_non_null(r->memo);
    assert_non_null(r->memo_ok);
    return r;
}

static void ref_free(struct ref *r)
{
    free(r->memo);
    free(r->memo_ok);
    free(r);
}

static size_t ref_k(size_t n)
{
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

static void mth(struct ref *r, size_t start, size_t n, uint8_t out[HLEN])
{
    if (n == 0) {
        sha256(out, "", 0, "", 0, "", 0);
        return;
    }
    if (r->memo_ok[start][n]) {
        memcpy(out, r->memo[start][n], HLEN);
        return;
    }
    if (n == 1) {
        memcpy(out, r->leaf[start], HLEN);
    } else {
        size_t k = ref_k(n);
        uint8_t a[HLEN], b[HLEN];
        mth(r, start, k, a);
        mth(r, start + k, n - k, b);
        sha256(out, "\x01", 1, a, HLEN, b, HLEN);
    }
    memcpy(r->memo[start][n], out, HLEN);
    r->memo_ok[start][n] = true;
}

static void ref_path(struct ref *r, size_t m, size_t start, size_t n, struct eseal_merkle_proof *p)
{
    if (n <= 1)
        return;
    size_t k = ref_k(n);
    if (m < k) {
        ref_path(r, m, start, k, p);
        mth(r, start + k, n - k, p->hash[p->n++]);
    } else {
        ref_path(r, m - k, start + k, n - k, p);
        mth(r, start, k, p->hash[p->n++]);
    }
}

static void ref_subproof(struct ref *r, size_t m, size_t start, size_t n, bool b,
                         struct eseal_merkle_proof *p)
{
    if (m == n) {
        if (!b)
            mth(r, start, n, p->hash[p->n++]);
        return;
    }
    size_t k = ref_k(n);
    if (m <= k) {
        ref_subproof(r, m, start, k, b, p);
        mth(r, start + k, n - k, p->hash[p->n++]);
    } else {
        ref_subproof(r, m - k, start + k, n - k, false, p);
        mth(r, start, k, p->hash[p->n++]);
    }
}

/* ---- helpers ------------------------------------------------------------ */

static void from_hex(uint8_t out[HLEN], const char *hex)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    assert_int_equal(eseal_unhex(&b, hex, strlen(hex), NULL), ESEAL_OK);
    assert_int_equal(b.len, HLEN);
    memcpy(out, b.data, HLEN);
    eseal_buf_cleanup(&b);
}

static void assert_hash_hex(const uint8_t h[HLEN], const char *hex)
{
    uint8_t want[HLEN];
    from_hex(want, hex);
    if (memcmp(h, want, HLEN) != 0) {
        char *got = eseal_hex(h, HLEN);
        fail_msg("hash %s, want %s", got, hex);
        free(got);
    }
}

/* The 8 leaves of the RFC 6962 / certificate-transparency-go test tree. */
static const struct {
    const char *data;
    size_t len;
} rfc_leaves[8] = {
    {"", 0},
    {"\x00", 1},
    {"\x10", 1},
    {"\x20\x21", 2},
    {"\x30\x31", 2},
    {"\x40\x41\x42\x43", 4},
    {"\x50\x51\x52\x53\x54\x55\x56\x57", 8},
    {"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16},
};

static const char *const rfc_roots[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static struct store *rfc_store(struct eseal_merkle_frontier *f, size_t n)
{
    struct store *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    eseal_merkle_frontier_init(f);
    for (size_t i = 0; i < n; i++) {
        uint8_t leaf[HLEN];
        eseal_merkle_leaf_hash(leaf, rfc_leaves[i].data, rfc_leaves[i].len);
        assert_int_equal(eseal_merkle_frontier_append(f, leaf, store_emit, s), ESEAL_OK);
    }
    return s;
}

/* ---- tests -------------------------------------------------------------- */

/* FIPS 180-2 B.1: SHA-256("abc"). */
static void test_sha256(void **state)
{
    (void)state;
    static const uint8_t want[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                     0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                     0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                     0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    uint8_t got[32];
    eseal_sha256(got, "abc", 3);
    assert_memory_equal(got, want, 32);
}

static void test_empty_root(void **state)
{
    uint8_t r[HLEN];
    eseal_merkle_empty_root(r);
    assert_hash_hex(r, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    struct eseal_merkle_frontier f;
    eseal_merkle_frontier_init(&f);
    eseal_merkle_frontier_root(&f, r);
    assert_hash_hex(r, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(eseal_merkle_root(r, 0, store_read, NULL, NULL), ESEAL_OK);
    assert_hash_hex(r, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_rfc_roots(void **state)
{
    uint8_t leaf0[HLEN];
    eseal_merkle_leaf_hash(leaf0, "", 0);
    assert_hash_hex(leaf0, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    for (size_t n = 1; n <= 8; n++) {
        struct eseal_merkle_frontier f;
        struct store *s = rfc_store(&f, n);
        uint8_t r[HLEN];
        eseal_merkle_frontier_root(&f, r);
        assert_hash_hex(r, rfc_roots[n - 1]);
        assert_int_equal(eseal_merkle_root(r, n, store_read, s, NULL), ESEAL_OK);
        assert_hash_hex(r, rfc_roots[n - 1]);
        /* The full tree answers for every smaller size too. */
        free(s);
    }
    struct eseal_merkle_frontier f;
    struct store *s = rfc_store(&f, 8);
    for (size_t n = 1; n <= 8; n++) {
        uint8_t r[HLEN];
        assert_int_equal(eseal_merkle_root(r, n, store_read, s, NULL), ESEAL_OK);
        assert_hash_hex(r, rfc_roots[n - 1]);
    }
    free(s);
}

static void check_proof_hex(const struct eseal_merkle_proof *p, const char *const *want, size_t n)
{
    assert_int_equal(p->n, n);
    for (size_t i = 0; i < n; i++)
        assert_hash_hex(p->hash[i], want[i]);
}

static void test_rfc_inclusion_vectors(void **state)
{
    static const char *const p0_8[] = {
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"};
    static const char *const p5_8[] = {
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"};
    static const char *const p2_3[] = {
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"};
    static const char *const p1_5[] = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"};
    static const struct {
        uint64_t index, size;
        const char *const *hashes;
        size_t n;
    } v[] = {{0, 8, p0_8, 3}, {5, 8, p5_8, 3}, {2, 3, p2_3, 1}, {1, 5, p1_5, 3}, {0, 1, NULL, 0}};
    struct eseal_merkle_frontier f;
    struct store *s = rfc_store(&f, 8);
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        struct eseal_merkle_proof p;
        assert_int_equal(
            eseal_merkle_inclusion_proof(&p, v[i].index, v[i].size, store_read, s, NULL), ESEAL_OK);
        check_proof_hex(&p, v[i].hashes, v[i].n);
        uint8_t leaf[HLEN], root[HLEN];
        eseal_merkle_leaf_hash(leaf, rfc_leaves[v[i].index].data, rfc_leaves[v[i].index].len);
        from_hex(root, rfc_roots[v[i].size - 1]);
        assert_int_equal(eseal_merkle_verify_inclusion(leaf, v[i].index, v[i].size, &p, root),
                         ESEAL_OK);
    }
    free(s);
}

static void test_rfc_consistency_vectors(void **state)
{
    static const char *const c1_8[] = {
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"};
    static const char *const c6_8[] = {
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"};
    static const char *const c2_5[] = {
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"};
    static const struct {
        uint64_t first, second;
        const char *const *hashes;
        size_t n;
    } v[] = {{1, 1, NULL, 0}, {1, 8, c1_8, 3}, {6, 8, c6_8, 3}, {2, 5, c2_5, 2}};
    struct eseal_merkle_frontier f;
    struct store *s = rfc_store(&f, 8);
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        struct eseal_merkle_proof p;
        assert_int_equal(
            eseal_merkle_consistency_proof(&p, v[i].first, v[i].second, store_read, s, NULL),
            ESEAL_OK);
        check_proof_hex(&p, v[i].hashes, v[i].n);
        uint8_t r1[HLEN], r2[HLEN];
        from_hex(r1, rfc_roots[v[i].first - 1]);
        from_hex(r2, rfc_roots[v[i].second - 1]);
        assert_int_equal(eseal_merkle_verify_consistency(v[i].first, v[i].second, r1, r2, &p),
                         ESEAL_OK);
    }
    free(s);
}

/* A proof changed in any one way must no longer verify. */
static void check_inclusion_mutants(const uint8_t leaf[HLEN], uint64_t m, uint64_t n,
                                    const struct eseal_merkle_proof *good, const uint8_t root[HLEN])
{
    struct eseal_merkle_proof p = *good;
    for (size_t i = 0; i < p.n; i++) {
        p.hash[i][i % HLEN] ^= 0x01;
        assert_int_equal(eseal_merkle_verify_inclusion(leaf, m, n, &p, root), ESEAL_E_CRYPTO);
        p.hash[i][i % HLEN] ^= 0x01;
    }
    if (p.n > 0) {
        p.n--;
        assert_int_equal(eseal_merkle_verify_inclusion(leaf, m, n, &p, root), ESEAL_E_CRYPTO);
        p.n++;
    }
    p.n++;
    memcpy(p.hash[p.n - 1], root, HLEN);
    assert_int_equal(eseal_merkle_verify_inclusion(leaf, m, n, &p, root), ESEAL_E_CRYPTO);
    p.n--;
    uint8_t bad[HLEN];
    memcpy(bad, leaf, HLEN);
    bad[0] ^= 0x80;
    assert_int_equal(eseal_merkle_verify_inclusion(bad, m, n, &p, root), ESEAL_E_CRYPTO);
    if (n > 1)
        assert_int_not_equal(eseal_merkle_verify_inclusion(leaf, (m + 1) % n, n, &p, root),
                             ESEAL_OK);
    assert_int_equal(eseal_merkle_verify_inclusion(leaf, n, n, &p, root), ESEAL_E_INVALID);
}

static void check_consistency_mutants(uint64_t m, uint64_t n, const uint8_t r1[HLEN],
                                      const uint8_t r2[HLEN], const struct eseal_merkle_proof *good)
{
    struct eseal_merkle_proof p = *good;
    for (size_t i = 0; i < p.n; i++) {
        p.hash[i][(i * 7) % HLEN] ^= 0x40;
        assert_int_equal(eseal_merkle_verify_consistency(m, n, r1, r2, &p), ESEAL_E_CRYPTO);
        p.hash[i][(i * 7) % HLEN] ^= 0x40;
    }
    if (p.n > 0) {
        p.n--;
        assert_int_equal(eseal_merkle_verify_consistency(m, n, r1, r2, &p), ESEAL_E_CRYPTO);
        p.n++;
    }
    p.n++;
    memcpy(p.hash[p.n - 1], r2, HLEN);
    assert_int_equal(eseal_merkle_verify_consistency(m, n, r1, r2, &p), ESEAL_E_CRYPTO);
    p.n--;
    uint8_t bad[HLEN];
    memcpy(bad, r1, HLEN);
    bad[5] ^= 0x01;
    assert_int_equal(eseal_merkle_verify_consistency(m, n, bad, r2, &p), ESEAL_E_CRYPTO);
    memcpy(bad, r2, HLEN);
    bad[31] ^= 0x01;
    assert_int_equal(eseal_merkle_verify_consistency(m, n, r1, bad, &p), ESEAL_E_CRYPTO);
    assert_int_equal(eseal_merkle_verify_consistency(n + 1, n, r1, r2, &p), ESEAL_E_INVALID);
}

static unsigned ceil_log2(uint64_t n)
{
    unsigned l = 0;
    while (((uint64_t)1 << l) < n)
        l++;
    return l;
}

static void test_brute_force_1_to_300(void **state)
{
    struct ref *r = ref_new();
    struct store *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    struct eseal_merkle_frontier f;
    eseal_merkle_frontier_init(&f);
    /* Leaves of varied content and length, hashed by the reference itself. */
    for (size_t i = 0; i < MAXN; i++) {
        char data[64];
        int len = snprintf(data, sizeof(data), "{\"seq\":%zu,\"pad\":\"%.*s\"}", i, (int)(i % 23),
                           "xxxxxxxxxxxxxxxxxxxxxxx");
        sha256(r->leaf[i], "\x00", 1, data, (size_t)len, "", 0);
        uint8_t mine[HLEN];
        eseal_merkle_leaf_hash(mine, data, (size_t)len);
        assert_memory_equal(mine, r->leaf[i], HLEN);
        assert_int_equal(eseal_merkle_frontier_append(&f, mine, store_emit, s), ESEAL_OK);
        size_t n = i + 1;
        uint8_t want[HLEN], got[HLEN];
        mth(r, 0, n, want);
        eseal_merkle_frontier_root(&f, got);
        assert_memory_equal(got, want, HLEN);
        /* The frontier reloads from stored nodes with one read per bit. */
        struct eseal_merkle_frontier g;
        s->reads = 0;
        assert_int_equal(eseal_merkle_frontier_load(&g, n, store_read, s, NULL), ESEAL_OK);
        assert_int_equal(s->reads, (size_t)__builtin_popcountll(n));
        eseal_merkle_frontier_root(&g, got);
        assert_memory_equal(got, want, HLEN);
    }
    size_t checked_incl = 0, checked_cons = 0;
    for (size_t n = 1; n <= MAXN; n++) {
        uint8_t root[HLEN], got[HLEN];
        mth(r, 0, n, root);
        s->reads = 0;
        assert_int_equal(eseal_merkle_root(got, n, store_read, s, NULL), ESEAL_OK);
        assert_memory_equal(got, root, HLEN);
        assert_true(s->reads <= ceil_log2(n) + 1);
        for (size_t m = 0; m < n; m++) {
            struct eseal_merkle_proof want = {0}, p;
            ref_path(r, m, 0, n, &want);
            s->reads = 0;
            assert_int_equal(eseal_merkle_inclusion_proof(&p, m, n, store_read, s, NULL), ESEAL_OK);
            /* O(log n) stored reads, not a rescan. */
            assert_true(s->reads <= 2 * ceil_log2(n));
            assert_int_equal(p.n, want.n);
            assert_memory_equal(p.hash, want.hash, p.n * HLEN);
            assert_int_equal(eseal_merkle_verify_inclusion(r->leaf[m], m, n, &p, root), ESEAL_OK);
            if (n <= 40 || m % 17 == 0)
                check_inclusion_mutants(r->leaf[m], m, n, &p, root);
            checked_incl++;
        }
        for (size_t m = 0; m <= n; m++) {
            struct eseal_merkle_proof want = {0}, p;
            if (m > 0 && m < n)
                ref_subproof(r, m, 0, n, true, &want);
            s->reads = 0;
            assert_int_equal(eseal_merkle_consistency_proof(&p, m, n, store_read, s, NULL),
                             ESEAL_OK);
            assert_true(s->reads <= 2 * ceil_log2(n) + 2);
            assert_int_equal(p.n, want.n);
            assert_memory_equal(p.hash, want.hash, p.n * HLEN);
            uint8_t r1[HLEN];
            mth(r, 0, m, r1);
            assert_int_equal(eseal_merkle_verify_consistency(m, n, r1, root, &p), ESEAL_OK);
            if (m > 0 && m < n && (n <= 40 || m % 13 == 0))
                check_consistency_mutants(m, n, r1, root, &p);
            checked_cons++;
        }
    }
    assert_int_equal(checked_incl, MAXN * (MAXN + 1) / 2);
    assert_int_equal(checked_cons, MAXN * (MAXN + 3) / 2);
    free(s);
    ref_free(r);
}

static void test_bad_arguments(void **state)
{
    struct eseal_merkle_frontier f;
    struct store *s = rfc_store(&f, 8);
    struct eseal_merkle_proof p;
    struct eseal_err err;
    assert_int_equal(eseal_merkle_inclusion_proof(&p, 8, 8, store_read, s, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "index 8"));
    assert_int_equal(eseal_merkle_inclusion_proof(&p, 0, 0, store_read, s, NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_merkle_consistency_proof(&p, 5, 4, store_read, s, &err),
                     ESEAL_E_INVALID);
    /* A size beyond the stored nodes is the store's error, passed through. */
    assert_int_equal(eseal_merkle_inclusion_proof(&p, 0, 9, store_read, s, &err), ESEAL_E_NOTFOUND);
    assert_int_equal(p.n, 0);
    /* Consistency from the empty tree needs an empty proof and the empty root. */
    uint8_t empty[HLEN], r8[HLEN];
    eseal_merkle_empty_root(empty);
    from_hex(r8, rfc_roots[7]);
    p.n = 0;
    assert_int_equal(eseal_merkle_verify_consistency(0, 8, empty, r8, &p), ESEAL_OK);
    assert_int_equal(eseal_merkle_verify_consistency(0, 8, r8, r8, &p), ESEAL_E_CRYPTO);
    assert_int_equal(eseal_merkle_verify_consistency(8, 8, r8, r8, &p), ESEAL_OK);
    assert_int_equal(eseal_merkle_verify_consistency(8, 8, empty, r8, &p), ESEAL_E_CRYPTO);
    p.n = 1;
    memcpy(p.hash[0], r8, HLEN);
    assert_int_equal(eseal_merkle_verify_consistency(8, 8, r8, r8, &p), ESEAL_E_CRYPTO);
    assert_int_equal(eseal_merkle_verify_consistency(0, 8, empty, r8, &p), ESEAL_E_CRYPTO);
    /* An empty proof between different sizes never verifies. */
    uint8_t r4[HLEN];
    from_hex(r4, rfc_roots[3]);
    p.n = 0;
    assert_int_equal(eseal_merkle_verify_consistency(4, 8, r4, r8, &p), ESEAL_E_CRYPTO);
    /* A proof count beyond the storage is refused, not read past. */
    p.n = ESEAL_MERKLE_PROOF_MAX + 1;
    assert_int_equal(eseal_merkle_verify_consistency(4, 8, r4, r8, &p), ESEAL_E_CRYPTO);
    assert_int_equal(eseal_merkle_verify_inclusion(r4, 0, 8, &p, r8), ESEAL_E_CRYPTO);
    free(s);
    /* A full frontier refuses another leaf. */
    eseal_merkle_frontier_init(&f);
    f.size = UINT64_MAX;
    assert_int_equal(eseal_merkle_frontier_append(&f, r4, NULL, NULL), ESEAL_E_TOOBIG);
    assert_true(f.size == UINT64_MAX);
}

/* Large sizes: a tree of 2^40 + 12345 leaves whose nodes are computed on
 * demand. Leaf i is H(i mod 4096), so every complete subtree of 4096 leaves
 * is the same and nodes above level 12 cost one hash per level. */
static void synth_node(unsigned level, uint64_t index, uint8_t out[HLEN])
{
    static uint8_t level12[HLEN];
    static bool have12;
    if (level == 0) {
        uint64_t k = index & 0xfff;
        eseal_merkle_leaf_hash(out, &k, sizeof(k));
        return;
    }
    if (level >= 12) {
        if (level == 12 && have12) {
            memcpy(out, level12, HLEN);
            return;
        }
        if (level > 12) {
            synth_node(level - 1, 0, out);
            eseal_merkle_node_hash(out, out, out);
            return;
        }
    }
    uint8_t l[HLEN], r[HLEN];
    synth_node(level - 1, index * 2, l);
    synth_node(level - 1, index * 2 + 1, r);
    eseal_merkle_node_hash(out, l, r);
    if (level == 12) {
        memcpy(level12, out, HLEN);
        have12 = true;
    }
}

static eseal_rc synth_read(void *ctx, unsigned level, uint64_t index, uint8_t out[HLEN],
                           struct eseal_err *err)
{
    synth_node(level, index, out);
    return ESEAL_OK;
}

static void test_large_tree_proofs(void **state)
{
    uint64_t n = ((uint64_t)1 << 40) + 12345;
    uint8_t root[HLEN];
    assert_int_equal(eseal_merkle_root(root, n, synth_read, NULL, NULL), ESEAL_OK);
    static const uint64_t idx[] = {
        0, 1, 4095, ((uint64_t)1 << 40) - 1, ((uint64_t)1 << 40), ((uint64_t)1 << 40) + 12344};
    for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
        struct eseal_merkle_proof p;
        assert_int_equal(eseal_merkle_inclusion_proof(&p, idx[i], n, synth_read, NULL, NULL),
                         ESEAL_OK);
        assert_true(p.n <= 41);
        uint8_t leaf[HLEN];
        synth_read(NULL, 0, idx[i], leaf, NULL);
        assert_int_equal(eseal_merkle_verify_inclusion(leaf, idx[i], n, &p, root), ESEAL_OK);
    }
    static const uint64_t firsts[] = {1, 3, 4096, ((uint64_t)1 << 40), ((uint64_t)1 << 40) + 1};
    for (size_t i = 0; i < sizeof(firsts) / sizeof(firsts[0]); i++) {
        struct eseal_merkle_proof p;
        assert_int_equal(eseal_merkle_consistency_proof(&p, firsts[i], n, synth_read, NULL, NULL),
                         ESEAL_OK);
        assert_true(p.n <= 42);
        uint8_t r1[HLEN];
        assert_int_equal(eseal_merkle_root(r1, firsts[i], synth_read, NULL, NULL), ESEAL_OK);
        assert_int_equal(eseal_merkle_verify_consistency(firsts[i], n, r1, root, &p), ESEAL_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_empty_root),
        cmocka_unit_test(test_rfc_roots),
        cmocka_unit_test(test_rfc_inclusion_vectors),
        cmocka_unit_test(test_rfc_consistency_vectors),
        cmocka_unit_test(test_brute_force_1_to_300),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_large_tree_proofs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
