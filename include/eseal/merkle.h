/* merkle.h — RFC 6962 Merkle trees over SHA-256: leaf and node hashes, the
 * compact range ("frontier") that grows a tree one leaf at a time, proofs
 * built from stored complete-subtree hashes, and proof verification
 * (RFC 9162 §2.1.3.2 and §2.1.4.2).
 *
 * Hashing: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right),
 * the empty tree's root = SHA-256(""). A tree of size n splits at the largest
 * power of two below n, so every interior hash is either a complete subtree
 * (2^level leaves starting at index * 2^level) or lies on the right edge.
 * Complete subtrees never change once written: a log stores them and proves
 * anything with O(log n) reads. */
#ifndef ESEAL_MERKLE_H
#define ESEAL_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eseal/rc.h"

#define ESEAL_MERKLE_HASH_LEN 32
/* ESEAL_MERKLE_PROOF_MAX bounds the hashes of any proof in a tree of at most
 * 2^64 - 1 leaves (inclusion: 64, consistency: 65), with room to spare. */
#define ESEAL_MERKLE_PROOF_MAX 72
/* ESEAL_MERKLE_LEVELS is the number of levels a frontier can hold. */
#define ESEAL_MERKLE_LEVELS 64

/* struct eseal_merkle_proof is caller-owned storage for an audit path:
 * |n| hashes, leaf side first. */
struct eseal_merkle_proof {
    size_t n;
    uint8_t hash[ESEAL_MERKLE_PROOF_MAX][ESEAL_MERKLE_HASH_LEN];
};

/* eseal_sha256 is plain SHA-256, the trees' hash, for other uses that
 * need a fast collision-resistant digest. */
void eseal_sha256(uint8_t out[ESEAL_MERKLE_HASH_LEN], const void *data, size_t len);

/* eseal_merkle_leaf_hash writes SHA-256(0x00 || data) into |out|. */
void eseal_merkle_leaf_hash(uint8_t out[ESEAL_MERKLE_HASH_LEN], const void *data, size_t len);

/* eseal_merkle_node_hash writes SHA-256(0x01 || left || right) into |out|
 * (|out| may alias either input). */
void eseal_merkle_node_hash(uint8_t out[ESEAL_MERKLE_HASH_LEN],
                            const uint8_t left[ESEAL_MERKLE_HASH_LEN],
                            const uint8_t right[ESEAL_MERKLE_HASH_LEN]);

/* eseal_merkle_empty_root writes the root of the empty tree, SHA-256(""). */
void eseal_merkle_empty_root(uint8_t out[ESEAL_MERKLE_HASH_LEN]);

/* struct eseal_merkle_frontier is caller-owned storage for the compact range
 * of a tree of |size| leaves: for every bit `level` set in |size|, hash[level]
 * is the root of the complete subtree of 2^level leaves that bit stands for
 * (the subtrees lie left to right from the highest bit down). Other slots are
 * unspecified. */
struct eseal_merkle_frontier {
    uint64_t size;
    uint8_t hash[ESEAL_MERKLE_LEVELS][ESEAL_MERKLE_HASH_LEN];
};

/* eseal_merkle_emit receives each complete subtree a leaf completes: the leaf
 * itself (level 0) and every interior node it closes, lowest first. Subtree
 * (level, index) covers leaves [index << level, (index + 1) << level). */
typedef void (*eseal_merkle_emit)(void *ctx, unsigned level, uint64_t index,
                                  const uint8_t hash[ESEAL_MERKLE_HASH_LEN]);

/* eseal_merkle_frontier_init makes |f| the empty tree. */
void eseal_merkle_frontier_init(struct eseal_merkle_frontier *f);

/* eseal_merkle_frontier_append adds the leaf hash |leaf| and calls |emit|
 * (may be NULL) for each complete subtree it completes. A frontier that
 * already holds 2^64 - 1 leaves is ESEAL_E_TOOBIG and is left unchanged. */
eseal_rc eseal_merkle_frontier_append(struct eseal_merkle_frontier *f,
                                      const uint8_t leaf[ESEAL_MERKLE_HASH_LEN],
                                      eseal_merkle_emit emit, void *ctx) ESEAL_MUST_CHECK;

/* eseal_merkle_frontier_root writes the root hash of the tree |f| holds. */
void eseal_merkle_frontier_root(const struct eseal_merkle_frontier *f,
                                uint8_t out[ESEAL_MERKLE_HASH_LEN]);

/* eseal_merkle_node_read fetches the stored hash of complete subtree (level,
 * index) into |out|. It returns ESEAL_OK or a failure with |err| filled; a
 * missing node is the store's error (the tree functions never ask for a
 * subtree that is not complete within the size they were given). */
typedef eseal_rc (*eseal_merkle_node_read)(void *ctx, unsigned level, uint64_t index,
                                           uint8_t out[ESEAL_MERKLE_HASH_LEN],
                                           struct eseal_err *err);

/* eseal_merkle_frontier_load rebuilds the frontier of a tree of |size| leaves
 * from stored nodes: one read per bit set in |size|. */
eseal_rc eseal_merkle_frontier_load(struct eseal_merkle_frontier *f, uint64_t size,
                                    eseal_merkle_node_read read, void *ctx,
                                    struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_merkle_root writes the root of the tree of the first |size| leaves
 * (O(log size) reads; the empty root for size 0). */
eseal_rc eseal_merkle_root(uint8_t out[ESEAL_MERKLE_HASH_LEN], uint64_t size,
                           eseal_merkle_node_read read, void *ctx,
                           struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_merkle_inclusion_proof fills |out| with the RFC 6962 audit path
 * PATH(index, D[0:size]). index >= size is ESEAL_E_INVALID. */
eseal_rc eseal_merkle_inclusion_proof(struct eseal_merkle_proof *out, uint64_t index, uint64_t size,
                                      eseal_merkle_node_read read, void *ctx,
                                      struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_merkle_consistency_proof fills |out| with the RFC 6962 consistency
 * proof PROOF(first, D[0:second]). first > second is ESEAL_E_INVALID; the
 * proof is empty when first is 0 or equals second. */
eseal_rc eseal_merkle_consistency_proof(struct eseal_merkle_proof *out, uint64_t first,
                                        uint64_t second, eseal_merkle_node_read read, void *ctx,
                                        struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_merkle_verify_inclusion checks that |leaf| is leaf |index| of the
 * tree of |size| leaves whose root is |root|. ESEAL_OK if it is; index >= size
 * is ESEAL_E_INVALID; a proof that does not prove it ESEAL_E_CRYPTO. */
eseal_rc eseal_merkle_verify_inclusion(const uint8_t leaf[ESEAL_MERKLE_HASH_LEN], uint64_t index,
                                       uint64_t size, const struct eseal_merkle_proof *proof,
                                       const uint8_t root[ESEAL_MERKLE_HASH_LEN]) ESEAL_MUST_CHECK;

/* eseal_merkle_verify_consistency checks that the tree of |first| leaves with
 * root |first_root| is a prefix of the tree of |second| leaves with root
 * |second_root|. For first == second the proof must be empty and the roots
 * equal; for first == 0 the proof must be empty and |first_root| the empty
 * root. first > second is ESEAL_E_INVALID, a failed proof ESEAL_E_CRYPTO. */
eseal_rc eseal_merkle_verify_consistency(uint64_t first, uint64_t second,
                                         const uint8_t first_root[ESEAL_MERKLE_HASH_LEN],
                                         const uint8_t second_root[ESEAL_MERKLE_HASH_LEN],
                                         const struct eseal_merkle_proof *proof) ESEAL_MUST_CHECK;

#endif
