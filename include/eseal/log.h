/* log.h — the event log (DESIGN.md §5): an append-only, durable,
 * tamper-evident log of canonical JSON entries with an RFC 6962 Merkle tree
 * and C2SP signed checkpoints; HTTP handlers to publish it; a follower that
 * reads it back verified; and an auditor that checks a whole log. Verifier
 * keys, checkpoints and the log signer are in checkpoint.h.
 *
 * A log directory holds (docs/log.md has the byte formats):
 *   log.json      format version, origin and verifier key (written once)
 *   segments/     <20-digit first seq>.seg: records
 *                 4-byte big-endian length | SHA-256(0x00 || entry) | entry
 *   checkpoints   every signed checkpoint, in the same record framing
 *   index/        RocksDB: a derived index (entry offsets, the hashes of all
 *                 complete subtrees, checkpoints by size), rebuilt from the
 *                 files above when it is missing or behind
 *
 * Durability: an append returns only after its entry has been fdatasync'd;
 * concurrent appends are committed together (one write and one fdatasync
 * for the whole group). Right after, a checkpoint covering the commit is
 * signed, appended to the checkpoints file and fdatasync'd, and only then
 * published: a checkpoint is never written before the entries it covers are
 * durable, nor seen before it is durable itself. On open a torn tail is
 * truncated and reported; anything else that does not check out is a hard
 * error naming the entry and offset.
 *
 * Errors: integrity failures (a hash, signature or proof that does not match,
 * a record that is not what was written, acknowledged entries missing) are
 * ESEAL_E_CRYPTO; operating-system failures ESEAL_E_IO; bad arguments
 * ESEAL_E_INVALID; a log held by another process ESEAL_E_UNAVAILABLE. */
#ifndef ESEAL_LOG_H
#define ESEAL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "eseal/buf.h"
#include "eseal/checkpoint.h"
#include "eseal/http.h"
#include "eseal/merkle.h"
#include "eseal/note.h"
#include "eseal/rc.h"
#include "eseal/secret.h"

struct eseal_log;
struct eseal_log_follower;

/* ESEAL_LOG_ENTRY_MAX bounds the canonical bytes of one entry. */
#define ESEAL_LOG_ENTRY_MAX (64 * 1024)
/* ESEAL_LOG_BATCH_MAX bounds the entries of one eseal_log_append_batch. */
#define ESEAL_LOG_BATCH_MAX 1000
/* ESEAL_LOG_PAGE_MAX and _PAGE_BYTES bound one GET /log/entries reply: at
 * most this many entries, and no more entries once this many bytes are in. */
#define ESEAL_LOG_PAGE_MAX 1000
#define ESEAL_LOG_PAGE_BYTES (4 * 1024 * 1024)
/* ESEAL_LOG_NOTE_MAX bounds a signed checkpoint note (with cosignatures). */
#define ESEAL_LOG_NOTE_MAX (16 * 1024)
/* ESEAL_LOG_SEGMENT_BYTES is where a segment file is rolled over. */
#define ESEAL_LOG_SEGMENT_BYTES (64 * 1024 * 1024)

/* ---- the log -------------------------------------------------------------- */

/* struct eseal_log_options: zero fields take the defaults. */
struct eseal_log_options {
    uint64_t segment_bytes; /* roll segments past this size; 0 = ESEAL_LOG_SEGMENT_BYTES */
};

/* struct eseal_log_recovery says what eseal_log_open found and did. */
struct eseal_log_recovery {
    uint64_t torn_bytes;            /* torn segment tail: truncated (writer) or ignored */
    uint64_t torn_checkpoint_bytes; /* torn tail of the checkpoints file, likewise */
    uint64_t reindexed;             /* entries added to the index from the segments */
    uint64_t unsigned_entries;      /* complete entries no checkpoint covered */
    bool signed_checkpoint;         /* a new checkpoint was signed at open */
};

/* eseal_log_open opens the log in |dir|.
 *
 * With |signer| (copied; what it points to is borrowed and must outlive the
 * log) the log is writable: |dir| is created if missing and bound to the
 * signer's origin and key; an existing log of another key is
 * ESEAL_E_CONFLICT. A torn tail is truncated and reported
 * on stderr; complete entries that no checkpoint covers yet are kept and a
 * checkpoint is signed for them; a committer thread is started.
 *
 * With |signer| NULL the log is read-only: nothing in the segments or checkpoint
 * file is changed (a torn tail is ignored, and reported), only entries
 * covered by the latest checkpoint are visible. A missing log is
 * ESEAL_E_NOTFOUND.
 *
 * Either way the index is brought up to date (it is derived data), which
 * takes the index's lock: a log open in another process is
 * ESEAL_E_UNAVAILABLE (read it with a follower, or over HTTP). Integrity
 * failures found on open are ESEAL_E_CRYPTO with a message naming the entry
 * index, file and offset. Free with eseal_log_close. */
eseal_rc eseal_log_open(struct eseal_log **out, const char *dir,
                        const struct eseal_log_signer *signer,
                        struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_open_with is eseal_log_open with options (NULL = defaults). */
eseal_rc eseal_log_open_with(struct eseal_log **out, const char *dir,
                             const struct eseal_log_signer *signer,
                             const struct eseal_log_options *opts,
                             struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_rekey makes the verifier key |vkey| (same origin) the key of
 * the closed log in |dir| at the end of a key rotation (docs/log.md "Key
 * rotation"): log.json's "key" becomes |vkey| and the old key moves to its
 * "retired" list, so the log still checks its own older checkpoints.
 * Callers make sure no process has the log open. */
eseal_rc eseal_log_rekey(const char *dir, const char *vkey, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_close commits whatever appends are pending, stops the committer
 * and frees |log|. Accepts NULL. No other call may be running. */
void eseal_log_close(struct eseal_log *log);

/* eseal_log_recovery copies what open found into |out|. */
void eseal_log_recovery(const struct eseal_log *log, struct eseal_log_recovery *out);

/* eseal_log_size returns the number of entries covered by the latest
 * checkpoint: entries 0..size-1 are readable. */
uint64_t eseal_log_size(struct eseal_log *log);

/* eseal_log_append appends the JSON object |entry| (borrowed, not changed)
 * and returns once it is durable (fdatasync'd); *seq_out (may be NULL)
 * receives its index. It becomes readable (eseal_log_size, HTTP) when the
 * checkpoint covering it is durable and published, a moment later
 * (eseal_log_sync waits for that). Thread-safe; concurrent appends share one
 * commit. The log stores the canonical form (compact, keys sorted,
 * UTF-8) with "seq" (= index) added and "time" (UTC, "YYYY-MM-DDTHH:MM:SS.mmmZ",
 * the commit time) added if absent. A "seq" already present must equal the
 * index it gets, else ESEAL_E_CONFLICT and nothing is appended; a "time"
 * present must be a string. Not an object, a value that does not survive a
 * canonical JSON round trip (e.g. a NUL in a string), or a bad "seq"/"time"
 * is ESEAL_E_INVALID; more than ESEAL_LOG_ENTRY_MAX canonical bytes
 * ESEAL_E_TOOBIG. A read-only log is ESEAL_E_DENIED. After an I/O failure
 * while committing the log refuses all appends (ESEAL_E_IO) until reopened:
 * once fdatasync has failed, what reached the disk is unknown. The failed
 * commit's records are cut off the segment, so a reopen does not adopt
 * entries whose appends failed (eseal_log_failure tells the stop). */
eseal_rc eseal_log_append(struct eseal_log *log, const json_t *entry, uint64_t *seq_out,
                          struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_append_batch appends |n| (1..ESEAL_LOG_BATCH_MAX) entries as
 * consecutive indexes in one commit, *first_seq (may be NULL) receiving the
 * first. If any entry is refused nothing is appended (the error names the
 * entry's position in |entries|). A crash before the call returns may leave
 * a prefix of the batch in the log, as with separate appends. */
eseal_rc eseal_log_append_batch(struct eseal_log *log, json_t *const *entries, size_t n,
                                uint64_t *first_seq, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_sync waits until the published checkpoint covers every append
 * acknowledged before the call. After a failed commit it returns that
 * failure. A read-only log returns at once. */
eseal_rc eseal_log_sync(struct eseal_log *log, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_failure returns ESEAL_OK while the log accepts appends, and
 * after a failed commit that failure (ESEAL_E_IO, the message in |err|):
 * the log then refuses every append until reopened. Reads still work. */
eseal_rc eseal_log_failure(struct eseal_log *log, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_entry_valid checks |entry| as eseal_log_append would, without
 * appending it (a "seq" can only be checked against the log when appended). */
eseal_rc eseal_log_entry_valid(const json_t *entry, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_checkpoint copies the latest signed checkpoint note into |note|
 * (replacing it). ESEAL_E_NOTFOUND for a read-only log without one. */
eseal_rc eseal_log_checkpoint(struct eseal_log *log, struct eseal_buf *note,
                              struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_head fills |out| with the size, root and origin of the latest
 * checkpoint (size 0 and the empty root when there is none). */
void eseal_log_head(struct eseal_log *log, struct eseal_log_checkpoint *out);

/* eseal_log_entry copies the canonical bytes of entry |seq| into |out|
 * (replacing it). seq >= eseal_log_size is ESEAL_E_NOTFOUND; a record whose
 * hash no longer matches is ESEAL_E_CRYPTO. */
eseal_rc eseal_log_entry(struct eseal_log *log, uint64_t seq, struct eseal_buf *out,
                         struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_entry_fn receives one entry of eseal_log_read; |data| is valid
 * only during the call. Returning an error stops the read with it. */
typedef eseal_rc (*eseal_log_entry_fn)(void *ctx, uint64_t seq, const uint8_t *data, size_t len,
                                       struct eseal_err *err);

/* eseal_log_read calls |fn| for entries start..end-1 in order, reading the
 * segments sequentially. end > eseal_log_size or start > end is
 * ESEAL_E_INVALID. */
eseal_rc eseal_log_read(struct eseal_log *log, uint64_t start, uint64_t end, eseal_log_entry_fn fn,
                        void *ctx, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_root writes the root of the first |size| entries (size at most
 * eseal_log_size; ESEAL_E_INVALID beyond). O(log size) index reads. */
eseal_rc eseal_log_root(struct eseal_log *log, uint64_t size, uint8_t root[ESEAL_MERKLE_HASH_LEN],
                        struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_inclusion_proof proves entry |index| is in the tree of |size|
 * entries (index < size <= eseal_log_size, else ESEAL_E_INVALID). */
eseal_rc eseal_log_inclusion_proof(struct eseal_log *log, uint64_t index, uint64_t size,
                                   struct eseal_merkle_proof *out,
                                   struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_consistency_proof proves the tree of |first| entries is a prefix
 * of the tree of |second| (first <= second <= eseal_log_size, else
 * ESEAL_E_INVALID). */
eseal_rc eseal_log_consistency_proof(struct eseal_log *log, uint64_t first, uint64_t second,
                                     struct eseal_merkle_proof *out,
                                     struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_dir_checkpoint copies the latest complete checkpoint recorded in
 * the log directory |dir| into |note| without opening the log (so it works
 * while a writer holds it): the bytes GET /log/checkpoint serves. */
eseal_rc eseal_log_dir_checkpoint(const char *dir, struct eseal_buf *note,
                                  struct eseal_err *err) ESEAL_MUST_CHECK;

/* ---- HTTP ------------------------------------------------------------------ */

/* eseal_log_routes are the four GET routes of the log (the handlers take the
 * struct eseal_log * as the server's |app|):
 *   /log/checkpoint                          the latest note, text/plain
 *   /log/entries?start=N&end=M               {"start","end","entries":[{"seq","entry"}]}
 *   /log/proof/inclusion?index=I&size=S      {"index","size","hashes":[base64]}
 *   /log/proof/consistency?first=A&second=B  {"first","second","hashes":[base64]}
 * A page of entries is [start, end) cut short at ESEAL_LOG_PAGE_MAX entries
 * or ESEAL_LOG_PAGE_BYTES ("end" says where it stopped). Bad or missing
 * parameters are 400 with the JSON error of http.h. */
extern const struct eseal_http_route eseal_log_routes[];
#define ESEAL_LOG_N_ROUTES 4

/* eseal_log_http_handle answers a request for one of those paths from |log|:
 * a daemon whose |app| is its own struct mounts the paths of eseal_log_routes
 * with a wrapper that calls this with its log. Other paths are
 * ESEAL_E_NOTFOUND. */
eseal_rc eseal_log_http_handle(struct eseal_http_req *req, struct eseal_log *log,
                               struct eseal_err *err) ESEAL_MUST_CHECK;

/* ---- a Merkle tree kept in a key-value family --------------------------------- */

struct eseal_kv;

/* ESEAL_LOG_NODE_KEY_LEN is the length of eseal_log_node_key's keys. */
#define ESEAL_LOG_NODE_KEY_LEN 9

/* eseal_log_node_key writes the key under which the log's index (and the
 * publisher's copy of a log) keeps the hash of complete subtree (level,
 * index): the level in one byte, then the index, 8 bytes big-endian. */
void eseal_log_node_key(uint8_t key[ESEAL_LOG_NODE_KEY_LEN], unsigned level, uint64_t index);

/* eseal_log_node_get reads the hash of subtree (level, index) from family
 * |cf| of |kv| into |out|: a missing or malformed node is ESEAL_E_IO naming
 * it (a store that claims a size holds every node within it). */
eseal_rc eseal_log_node_get(struct eseal_kv *kv, unsigned cf, unsigned level, uint64_t index,
                            uint8_t out[ESEAL_MERKLE_HASH_LEN],
                            struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_tree_inclusion and eseal_log_tree_consistency are
 * eseal_merkle_inclusion_proof and _consistency_proof over a tree of |n|
 * leaves whose nodes |read| fetches, with arguments beyond |n| refused as
 * ESEAL_E_INVALID (the checks eseal_log_inclusion_proof and
 * _consistency_proof make). */
eseal_rc eseal_log_tree_inclusion(struct eseal_merkle_proof *out, uint64_t index, uint64_t size,
                                  uint64_t n, eseal_merkle_node_read read, void *ctx,
                                  struct eseal_err *err) ESEAL_MUST_CHECK;
eseal_rc eseal_log_tree_consistency(struct eseal_merkle_proof *out, uint64_t first, uint64_t second,
                                    uint64_t n, eseal_merkle_node_read read, void *ctx,
                                    struct eseal_err *err) ESEAL_MUST_CHECK;

/* struct eseal_log_source is what the handlers of eseal_log_routes read:
 * a log (eseal_log_http_handle makes one) or a verified copy of a log kept
 * elsewhere (the publisher's mirror, which its replicas follow). Every
 * callback gets |ctx|. checkpoint: the latest signed note (ESEAL_E_NOTFOUND
 * before one), never covering more than size() entries; size: the entries
 * readable; read, inclusion and consistency: as eseal_log_read,
 * eseal_log_inclusion_proof and eseal_log_consistency_proof, with
 * ESEAL_E_INVALID for arguments beyond size(). */
struct eseal_log_source {
    void *ctx;
    eseal_rc (*checkpoint)(void *ctx, struct eseal_buf *note, struct eseal_err *err);
    uint64_t (*size)(void *ctx);
    eseal_rc (*read)(void *ctx, uint64_t start, uint64_t end, eseal_log_entry_fn fn, void *fn_ctx,
                     struct eseal_err *err);
    eseal_rc (*inclusion)(void *ctx, uint64_t index, uint64_t size, struct eseal_merkle_proof *out,
                          struct eseal_err *err);
    eseal_rc (*consistency)(void *ctx, uint64_t first, uint64_t second,
                            struct eseal_merkle_proof *out, struct eseal_err *err);
};

/* eseal_log_http_serve answers a request for one of the paths of
 * eseal_log_routes from |src| (borrowed), with the same replies as
 * eseal_log_http_handle. Other paths are ESEAL_E_NOTFOUND. */
eseal_rc eseal_log_http_serve(struct eseal_http_req *req, const struct eseal_log_source *src,
                              struct eseal_err *err) ESEAL_MUST_CHECK;

/* ---- following a log -------------------------------------------------------- */

/* eseal_log_follower_open_dir follows the log in directory |dir| (read
 * without the index, so while a writer runs); eseal_log_follower_open_url
 * follows the HTTP endpoints under |url| ("http(s)://host:port", optionally
 * with a path prefix; the routes above are appended). Checkpoints must be
 * signed by |key| (copied). The follower starts at entry 0 with the empty
 * tree as its verified checkpoint, or where eseal_log_follower_restore puts
 * it. Free with eseal_log_follower_free (accepts NULL). */
eseal_rc eseal_log_follower_open_dir(struct eseal_log_follower **out, const char *dir,
                                     const struct eseal_log_key *key,
                                     struct eseal_err *err) ESEAL_MUST_CHECK;
eseal_rc eseal_log_follower_open_url(struct eseal_log_follower **out, const char *url,
                                     const struct eseal_log_key *key,
                                     struct eseal_err *err) ESEAL_MUST_CHECK;
void eseal_log_follower_free(struct eseal_log_follower *f);

/* eseal_log_follower_next returns in *entries a new JSON array (caller
 * decrefs) of the next entries in order, each already verified: the
 * checkpoint they are proven against is signed by the key and consistent
 * with the previous verified checkpoint, and the entries hash into it. An
 * empty array means there is nothing new. A bad signature, a checkpoint that
 * is inconsistent with (or smaller than) the previous one, or entries that do
 * not hash to the checkpoint are ESEAL_E_CRYPTO, and the follower stays
 * where it was (every later call checks again). */
eseal_rc eseal_log_follower_next(struct eseal_log_follower *f, json_t **entries,
                                 struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_follower_position returns the index of the next entry. */
uint64_t eseal_log_follower_position(const struct eseal_log_follower *f);

/* eseal_log_follower_behind tells whether more entries are known to be
 * waiting after the position: a verified checkpoint beyond it, or (a log
 * directory) checkpoint records not read yet. false does not promise that
 * nothing is new, only that the follower knows of nothing. */
bool eseal_log_follower_behind(const struct eseal_log_follower *f);

/* eseal_log_follower_verified returns the latest verified checkpoint
 * (borrowed; size 0 before any). */
const struct eseal_log_checkpoint *eseal_log_follower_verified(const struct eseal_log_follower *f);

/* eseal_log_follower_save returns the follower's state as JSON text (free()
 * it): position, the Merkle frontier of the entries returned so far and the
 * verified checkpoint. eseal_log_follower_restore continues from such a
 * state (it must be the same log: the next checkpoint must prove consistent
 * with the saved one); malformed state is ESEAL_E_INVALID. */
char *eseal_log_follower_save(const struct eseal_log_follower *f);
eseal_rc eseal_log_follower_restore(struct eseal_log_follower *f, const char *state, size_t len,
                                    struct eseal_err *err) ESEAL_MUST_CHECK;

/* ---- auditing a whole log ------------------------------------------------- */

/* struct eseal_log_audit is the outcome of an audit. */
struct eseal_log_audit {
    uint64_t entries;                   /* entries read and checked */
    uint64_t checkpoints;               /* checkpoint signatures checked */
    struct eseal_log_checkpoint latest; /* the latest verified checkpoint */
    uint64_t bad_entry;                 /* first bad entry, or UINT64_MAX */
    uint64_t torn_bytes;                /* torn, unacknowledged tail left alone */
    uint64_t uncovered;                 /* complete entries no checkpoint covers yet */
};

/* eseal_log_audit_dir checks the log in |dir| from its files alone (not the
 * index): every record's framing and leaf hash, every entry's canonical JSON
 * and "seq", every checkpoint's signature by |key| and that it is the root of
 * the entries before it (so all checkpoints are consistent), and that no
 * checkpoint covers more entries than the segments hold. A torn tail that no
 * checkpoint covers is not an error (it was never acknowledged). On the
 * first failure it returns ESEAL_E_CRYPTO, names the entry, file and offset
 * in |err| and sets out->bad_entry (UINT64_MAX when the failure is not in an
 * entry, e.g. a forged checkpoint); ESEAL_E_IO if the files cannot be read. */
eseal_rc eseal_log_audit_dir(struct eseal_log_audit *out, const char *dir,
                             const struct eseal_log_key *key,
                             struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_audit_url checks a log served under |url|: the checkpoint's
 * signature, every entry (canonical JSON, "seq") hashing into its root, and
 * the server's proofs (a consistency proof at each page boundary and an
 * inclusion proof per page). When the entries do not match, inclusion
 * proofs locate the first bad entry. Results and codes as for _dir. */
eseal_rc eseal_log_audit_url(struct eseal_log_audit *out, const char *url,
                             const struct eseal_log_key *key,
                             struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
