/* checkpoint.h — the event log's verifier keys, signed checkpoints (C2SP
 * signed notes, Ed25519) and the signer a writable log signs them with: the
 * part of the log (log.h) a relying party needs, with no storage or HTTP
 * behind it, so that libeseal-verify's installed headers link against
 * libeseal-core, libcrypto, Jansson and libsodium only.
 *
 * All calls here are pure functions of their arguments (plus the files named)
 * and thread-safe; eseal_log_checkpoint_sign is as thread-safe as the
 * signer's callback. */
#ifndef ESEAL_CHECKPOINT_H
#define ESEAL_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/merkle.h"
#include "eseal/note.h"
#include "eseal/rc.h"
#include "eseal/secret.h"

/* struct eseal_log_key is a parsed C2SP verifier key (Ed25519): the key
 * name (which is the log origin), the public key and its 4-byte key hash. */
struct eseal_log_key {
    char name[ESEAL_NOTE_NAME_MAX + 1];
    uint8_t pk[ESEAL_ED25519_PK_LEN];
    uint8_t hash[4];
};

/* eseal_log_key_parse parses verifier key text ("<name>+<hex>+<base64>",
 * a trailing newline allowed) into |out|; see eseal_note_key_parse. */
eseal_rc eseal_log_key_parse(struct eseal_log_key *out, const char *text, size_t len,
                             struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_key_load reads and parses a verifier key file (such as the CA's
 * log.pub); messages name the file. */
eseal_rc eseal_log_key_load(struct eseal_log_key *out, const char *path,
                            struct eseal_err *err) ESEAL_MUST_CHECK;

/* struct eseal_log_checkpoint is what a verified checkpoint says. */
struct eseal_log_checkpoint {
    char origin[ESEAL_NOTE_NAME_MAX + 1];
    uint64_t size;
    uint8_t root[ESEAL_MERKLE_HASH_LEN];
};

/* struct eseal_log_signer is what a writable log signs its checkpoints
 * with: the checkpoint origin (the verifier key's name), the Ed25519 public
 * key, and a callback that signs a checkpoint body with the matching private
 * key into |sig|. Core owns this interface so that the log does not depend on
 * who holds the key: libeseal-ca provides one (eseal_ca_log_signer), a test
 * can make its own. |origin|, |pub| and |ctx| are borrowed by whoever takes
 * the signer and must outlive it. |sign| may be called from the log's sealer
 * thread while other threads use |ctx| for other things. */
struct eseal_log_signer {
    const char *origin;
    const uint8_t *pub; /* ESEAL_ED25519_PK_LEN bytes */
    eseal_rc (*sign)(void *ctx, const uint8_t *msg, size_t msg_len,
                     uint8_t sig[ESEAL_ED25519_SIG_LEN], struct eseal_err *err);
    void *ctx;
    /* During a log key rotation, the next key (same origin, another key
     * hash) co-signs every checkpoint: a second signature line. NULL
     * otherwise; its own |cosigner| is ignored. */
    const struct eseal_log_signer *cosigner;
};

/* eseal_log_checkpoint_sign writes the signed note for (|size|, |root|) into
 * |note| (replacing it; emptied on failure):
 *   "<origin>\n<size>\n<base64 root>\n\n— <origin> <base64(key hash || sig)>\n"
 * signed through |signer| (its errors are passed on). The signature covers
 * the first three lines. Thread-safe if |signer->sign| is. */
eseal_rc eseal_log_checkpoint_sign(struct eseal_buf *note, const struct eseal_log_signer *signer,
                                   uint64_t size, const uint8_t root[ESEAL_MERKLE_HASH_LEN],
                                   struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_checkpoint_verify parses the signed note |note| (at most
 * ESEAL_LOG_NOTE_MAX bytes) strictly per C2SP signed-note and
 * tlog-checkpoint, requires its origin to be |key|'s name and a signature
 * line by |key| that verifies, and fills |out|. Signature lines of other keys
 * (witness cosignatures) are allowed and ignored; extension lines after the
 * root are allowed and ignored. A malformed note is ESEAL_E_INVALID; a
 * missing or bad signature, or a wrong origin, ESEAL_E_CRYPTO. */
eseal_rc eseal_log_checkpoint_verify(struct eseal_log_checkpoint *out, const void *note, size_t len,
                                     const struct eseal_log_key *key,
                                     struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_log_checkpoint_verify_any is eseal_log_checkpoint_verify with a
 * set of keys (the keys of one log across a rotation, docs/log.md "Key
 * rotation"): a valid signature by any of |keys[0..n)| suffices. With none
 * valid the result is the first key's failure. */
eseal_rc eseal_log_checkpoint_verify_any(struct eseal_log_checkpoint *out, const void *note,
                                         size_t len, const struct eseal_log_key *keys, size_t n,
                                         struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
