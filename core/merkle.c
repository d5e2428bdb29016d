/* merkle.c — RFC 6962 Merkle trees: hashing, frontiers, proofs and their verification. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "eseal/merkle.h"
#include "eseal/sm.h"

#define HLEN ESEAL_MERKLE_HASH_LEN

static void sha256_parts(uint8_t out[HLEN], uint8_t prefix, const void *a, size_t a_len,
                         const void *b, size_t b_len, bool with_prefix)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex2(ctx, eseal_md_sha256(), NULL) != 1 ||
        (with_prefix && EVP_DigestUpdate(ctx, &prefix, 1) != 1) ||
        (a_len > 0 && EVP_DigestUpdate(ctx, a, a_len) != 1) ||
        (b_len > 0 && EVP_DigestUpdate(ctx, b, b_len) != 1) ||
        EVP_DigestFinal_ex(ctx, out, NULL) != 1) {
        /* Without SHA-256 nothing in the log can work; like out-of-memory. */
        fprintf(stderr, "eseal: SHA-256 unavailable in OpenSSL\n");
        abort();
    }
    EVP_MD_CTX_free(ctx);
}

void eseal_sha256(uint8_t out[ESEAL_MERKLE_HASH_LEN], const void *data, size_t len)
{
    sha256_parts(out, 0, data, len, NULL, 0, false);
}

void eseal_merkle_leaf_hash(uint8_t out[HLEN], const void *data, size_t len)
{
    sha256_parts(out, 0x00, data, len, NULL, 0, true);
}

void eseal_merkle_node_hash(uint8_t out[HLEN], const uint8_t left[HLEN], const uint8_t right[HLEN])
{
    uint8_t l[HLEN], r[HLEN];
    memcpy(l, left, HLEN);
    memcpy(r, right, HLEN);
    sha256_parts(out, 0x01, l, HLEN, r, HLEN, true);
}

void eseal_merkle_empty_root(uint8_t out[HLEN])
{
    sha256_parts(out, 0, NULL, 0, NULL, 0, false);
}

/* ---- frontier ---------------------------------------------------------- */

void eseal_merkle_frontier_init(struct eseal_merkle_frontier *f)
{
    memset(f, 0, sizeof(*f));
}

eseal_rc eseal_merkle_frontier_append(struct eseal_merkle_frontier *f, const uint8_t leaf[HLEN],
                                      eseal_merkle_emit emit, void *ctx)
{
    if (f->size == UINT64_MAX)
        return ESEAL_E_TOOBIG;
    uint64_t i = f->size;
    uint8_t h[HLEN];
    memcpy(h, leaf, HLEN);
    if (emit != NULL)
        emit(ctx, 0, i, h);
    /* Like a binary increment: each trailing 1 bit of i is a complete subtree
     * that the new one merges with, carrying one level up. */
    unsigned level = 0;
    while ((i >> level) & 1) {
        eseal_merkle_node_hash(h, f->hash[level], h);
        level++;
        if (emit != NULL)
            emit(ctx, level, i >> level, h);
    }
    memcpy(f->hash[level], h, HLEN);
    f->size = i + 1;
    return ESEAL_OK;
}

void eseal_merkle_frontier_root(const struct eseal_merkle_frontier *f, uint8_t out[HLEN])
{
    if (f->size == 0) {
        eseal_merkle_empty_root(out);
        return;
    }
    /* Fold from the smallest (rightmost) subtree up to the largest. */
    bool have = false;
    uint8_t r[HLEN];
    for (unsigned level = 0; level < ESEAL_MERKLE_LEVELS; level++) {
        if (!((f->size >> level) & 1))
            continue;
        if (!have) {
            memcpy(r, f->hash[level], HLEN);
            have = true;
        } else {
            eseal_merkle_node_hash(r, f->hash[level], r);
        }
    }
    memcpy(out, r, HLEN);
}

eseal_rc eseal_merkle_frontier_load(struct eseal_merkle_frontier *f, uint64_t size,
                                    eseal_merkle_node_read read, void *ctx, struct eseal_err *err)
{
    eseal_merkle_frontier_init(f);
    uint64_t start = 0;
    for (int level = ESEAL_MERKLE_LEVELS - 1; level >= 0; level--) {
        if (!((size >> level) & 1))
            continue;
        eseal_rc rc = read(ctx, (unsigned)level, start >> level, f->hash[level], err);
        if (rc != ESEAL_OK)
            return rc;
        start += (uint64_t)1 << level;
    }
    f->size = size;
    return ESEAL_OK;
}

/* ---- proofs from stored subtrees ----------------------------------------- */

/* split returns the largest power of two strictly below n (n >= 2). */
static uint64_t split(uint64_t n)
{
    uint64_t k = 1;
    while (k < n - k) /* k * 2 < n without overflow */
        k <<= 1;
    return k;
}

static unsigned log2_exact(uint64_t n)
{
    unsigned l = 0;
    while (((uint64_t)1 << l) < n)
        l++;
    return l;
}

static bool is_pow2(uint64_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

struct reader {
    eseal_merkle_node_read read;
    void *ctx;
    struct eseal_err *err;
};

/* subtree_hash computes MTH(D[start:start+n]) for n >= 1, where |start| is a
 * multiple of the largest power of two not above n (true of every range the
 * RFC 6962 recursion visits): one stored node, or one stored node per bit of
 * n along the right edge. */
static eseal_rc subtree_hash(const struct reader *r, uint64_t start, uint64_t n, uint8_t out[HLEN])
{
    if (is_pow2(n)) {
        unsigned level = log2_exact(n);
        return r->read(r->ctx, level, start >> level, out, r->err);
    }
    uint64_t k = split(n);
    uint8_t left[HLEN], right[HLEN];
    eseal_rc rc = r->read(r->ctx, log2_exact(k), start >> log2_exact(k), left, r->err);
    if (rc == ESEAL_OK)
        rc = subtree_hash(r, start + k, n - k, right);
    if (rc == ESEAL_OK)
        eseal_merkle_node_hash(out, left, right);
    return rc;
}

static eseal_rc proof_add(struct eseal_merkle_proof *p, const struct reader *r, uint64_t start,
                          uint64_t n)
{
    if (p->n >= ESEAL_MERKLE_PROOF_MAX)
        return eseal_err_set(r->err, ESEAL_E_INTERNAL, "merkle: proof too long");
    eseal_rc rc = subtree_hash(r, start, n, p->hash[p->n]);
    if (rc == ESEAL_OK)
        p->n++;
    return rc;
}

/* path appends PATH(m, D[start:start+n]) (RFC 6962 §2.1.1). */
static eseal_rc path(struct eseal_merkle_proof *p, const struct reader *r, uint64_t m,
                     uint64_t start, uint64_t n)
{
    if (n <= 1)
        return ESEAL_OK;
    uint64_t k = split(n);
    eseal_rc rc;
    if (m < k) {
        rc = path(p, r, m, start, k);
        return rc == ESEAL_OK ? proof_add(p, r, start + k, n - k) : rc;
    }
    rc = path(p, r, m - k, start + k, n - k);
    return rc == ESEAL_OK ? proof_add(p, r, start, k) : rc;
}

/* subproof appends SUBPROOF(m, D[start:start+n], b) (RFC 6962 §2.1.2). */
static eseal_rc subproof(struct eseal_merkle_proof *p, const struct reader *r, uint64_t m,
                         uint64_t start, uint64_t n, bool b)
{
    if (m == n)
        return b ? ESEAL_OK : proof_add(p, r, start, n);
    uint64_t k = split(n);
    eseal_rc rc;
    if (m <= k) {
        rc = subproof(p, r, m, start, k, b);
        return rc == ESEAL_OK ? proof_add(p, r, start + k, n - k) : rc;
    }
    rc = subproof(p, r, m - k, start + k, n - k, false);
    return rc == ESEAL_OK ? proof_add(p, r, start, k) : rc;
}

eseal_rc eseal_merkle_root(uint8_t out[HLEN], uint64_t size, eseal_merkle_node_read read, void *ctx,
                           struct eseal_err *err)
{
    if (size == 0) {
        eseal_merkle_empty_root(out);
        return ESEAL_OK;
    }
    struct reader r = {read, ctx, err};
    return subtree_hash(&r, 0, size, out);
}

eseal_rc eseal_merkle_inclusion_proof(struct eseal_merkle_proof *out, uint64_t index, uint64_t size,
                                      eseal_merkle_node_read read, void *ctx, struct eseal_err *err)
{
    out->n = 0;
    if (index >= size)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "inclusion proof: index %llu is not below size %llu",
                             (unsigned long long)index, (unsigned long long)size);
    struct reader r = {read, ctx, err};
    eseal_rc rc = path(out, &r, index, 0, size);
    if (rc != ESEAL_OK)
        out->n = 0;
    return rc;
}

eseal_rc eseal_merkle_consistency_proof(struct eseal_merkle_proof *out, uint64_t first,
                                        uint64_t second, eseal_merkle_node_read read, void *ctx,
                                        struct eseal_err *err)
{
    out->n = 0;
    if (first > second)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "consistency proof: first %llu is above second %llu",
                             (unsigned long long)first, (unsigned long long)second);
    if (first == 0 || first == second)
        return ESEAL_OK;
    struct reader r = {read, ctx, err};
    eseal_rc rc = subproof(out, &r, first, 0, second, true);
    if (rc != ESEAL_OK)
        out->n = 0;
    return rc;
}

/* ---- verification (RFC 9162) ------------------------------------------- */

eseal_rc eseal_merkle_verify_inclusion(const uint8_t leaf[HLEN], uint64_t index, uint64_t size,
                                       const struct eseal_merkle_proof *proof,
                                       const uint8_t root[HLEN])
{
    if (index >= size)
        return ESEAL_E_INVALID;
    if (proof->n > ESEAL_MERKLE_PROOF_MAX)
        return ESEAL_E_CRYPTO;
    uint64_t fn = index, sn = size - 1;
    uint8_t r[HLEN];
    memcpy(r, leaf, HLEN);
    for (size_t i = 0; i < proof->n; i++) {
        if (sn == 0)
            return ESEAL_E_CRYPTO;
        if ((fn & 1) || fn == sn) {
            eseal_merkle_node_hash(r, proof->hash[i], r);
            if (!(fn & 1)) {
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            eseal_merkle_node_hash(r, r, proof->hash[i]);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && memcmp(r, root, HLEN) == 0 ? ESEAL_OK : ESEAL_E_CRYPTO;
}

eseal_rc eseal_merkle_verify_consistency(uint64_t first, uint64_t second,
                                         const uint8_t first_root[HLEN],
                                         const uint8_t second_root[HLEN],
                                         const struct eseal_merkle_proof *proof)
{
    if (first > second)
        return ESEAL_E_INVALID;
    if (proof->n > ESEAL_MERKLE_PROOF_MAX)
        return ESEAL_E_CRYPTO;
    if (first == second)
        return proof->n == 0 && memcmp(first_root, second_root, HLEN) == 0 ? ESEAL_OK
                                                                           : ESEAL_E_CRYPTO;
    if (first == 0) {
        uint8_t empty[HLEN];
        eseal_merkle_empty_root(empty);
        return proof->n == 0 && memcmp(first_root, empty, HLEN) == 0 ? ESEAL_OK : ESEAL_E_CRYPTO;
    }
    if (proof->n == 0)
        return ESEAL_E_CRYPTO;
    /* When |first| is a power of two its root is itself the first node of
     * the path (RFC 9162 step 2); otherwise the path starts with a node. */
    size_t next = 0;
    const uint8_t *start = is_pow2(first) ? first_root : proof->hash[next++];
    uint64_t fn = first - 1, sn = second - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    uint8_t fr[HLEN], sr[HLEN];
    memcpy(fr, start, HLEN);
    memcpy(sr, start, HLEN);
    for (; next < proof->n; next++) {
        const uint8_t *c = proof->hash[next];
        if (sn == 0)
            return ESEAL_E_CRYPTO;
        if ((fn & 1) || fn == sn) {
            eseal_merkle_node_hash(fr, c, fr);
            eseal_merkle_node_hash(sr, c, sr);
            if (!(fn & 1)) {
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            eseal_merkle_node_hash(sr, sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && memcmp(fr, first_root, HLEN) == 0 && memcmp(sr, second_root, HLEN) == 0
               ? ESEAL_OK
               : ESEAL_E_CRYPTO;
}
