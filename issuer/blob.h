/* blob.h — the content-addressed material store: applicants' files (letters,
 * forms, impressions, CSRs, …) kept in a directory under their SM3 digest,
 * encrypted at rest (docs/security.md, "Personal data at rest").
 *
 * Layout: <dir>/ab/cd/abcd…(64 hex digits), directories 0700 and files 0600
 * (materials carry personal data such as ID copies). A file is written to a
 * temporary name, fsync'd and linked into place (eseal_file_write), so a
 * name only ever holds complete content; a crash leaves at most a stray
 * "*.tmp.*" file, which no lookup sees.
 *
 * Each file is "ESB" 0x01 (magic and format version) || nonce || ciphertext
 * || tag: XChaCha20-Poly1305 under the store's random data key, with the
 * header and the file's SM3 name as associated data, so a file moved to
 * another name (or another store) does not decrypt. The name stays the SM3
 * of the PLAINTEXT: the API, rules, audit and log keep their digests. Reads
 * decrypt and check the digest again, so a file changed on disk is
 * reported, never served.
 *
 * The data key lives in <dir>/data.key, wrapped by the caller's
 * key-encryption key (struct eseal_blob_kek; the issuer's is the CA's
 * platform secret, eseal_ca_wrap_data_key). It is unwrapped when the store
 * opens and wiped when it is freed. <dir>/encrypted marks a store whose
 * materials are all encrypted: until it exists, opening encrypts in place
 * every plaintext material left from before (the migration).
 *
 * Rotating the data key (eseal_blob_rotate) writes the next key, wrapped,
 * to <dir>/data.key.next, re-encrypts every material to it (each file
 * atomically), writes it over data.key and removes data.key.next. While
 * data.key.next is there every file opens with one of the two keys, and
 * opening the store finishes the rotation (docs/security.md). */
#ifndef ESEAL_ISSUER_BLOB_H
#define ESEAL_ISSUER_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/rc.h"
#include "form.h"

/* struct eseal_blob is an open store; it owns a copy of its directory path. */
struct eseal_blob;

/* ESEAL_BLOB_KEY_FILE and ESEAL_BLOB_MARKER_FILE are the store's own files
 * in its directory, beside the fan-out (so a copy of the directory, e.g. a
 * backup, carries the wrapped key). */
#define ESEAL_BLOB_KEY_FILE "data.key"
#define ESEAL_BLOB_MARKER_FILE "encrypted"
/* ESEAL_BLOB_NEXT_KEY_FILE is the next data key while a rotation runs. */
#define ESEAL_BLOB_NEXT_KEY_FILE "data.key.next"

/* struct eseal_blob_kek wraps and unwraps the store's data key: |wrap|
 * writes the wrapped form of |key| into |out| (replacing it), |unwrap| the
 * key back into |out| (replacing it). Both return eseal_rc; |ctx| is passed
 * through. The issuer's wraps with the CA's platform secret. */
struct eseal_blob_kek {
    eseal_rc (*wrap)(void *ctx, struct eseal_buf *out, const uint8_t *key, size_t key_len,
                     struct eseal_err *err);
    eseal_rc (*unwrap)(void *ctx, struct eseal_buf *out, const uint8_t *in, size_t in_len,
                       struct eseal_err *err);
    void *ctx;
};

/* eseal_blob_open opens the store in |dir|, creating it (0700) if missing.
 * Its data key is read from <dir>/data.key and unwrapped with |kek|; a
 * store without one gets a new random key, wrapped and written (0600,
 * fsync'd) first. A key that does not unwrap (another platform's, altered)
 * fails the open with |kek|'s code, typically ESEAL_E_CRYPTO. A store not
 * yet marked encrypted is then migrated: every plaintext material (its
 * content hashes to its name) is encrypted in place, atomically and
 * fsync'd, and the marker written; eseal_blob_migrated says how many.
 * *out is the caller's (eseal_blob_free). */
eseal_rc eseal_blob_open(struct eseal_blob **out, const char *dir, const struct eseal_blob_kek *kek,
                         struct eseal_err *err) ESEAL_MUST_CHECK;

/* struct eseal_blob_progress tells how a rotation goes: |fn| is called with
 * |done| files of |total| handled (first with 0, then after each file) and
 * returns true to go on; false stops the rotation where it is, as a crash
 * there would (the next open or rotation resumes it). */
struct eseal_blob_progress {
    bool (*fn)(void *ctx, size_t done, size_t total);
    void *ctx;
};

/* struct eseal_blob_rotation counts what a rotation did: |files| material
 * files, of which |reencrypted| were re-encrypted now, |already| were
 * under the next key already (a resumed run) and |unreadable| opened with
 * neither key (damaged before; left as they are). |old_sm3| and |new_sm3|
 * are the SM3 of the wrapped data.key before and after (not secret: the
 * wrapped form only). |resumed|: a rotation left part way was finished. */
struct eseal_blob_rotation {
    size_t files, reencrypted, already, unreadable;
    bool resumed;
    char old_sm3[ESEAL_SM3_HEX_LEN + 1], new_sm3[ESEAL_SM3_HEX_LEN + 1];
};

/* eseal_blob_open_with is eseal_blob_open telling |progress| (may be NULL)
 * how finishing a rotation left part way goes. A stop through |progress|
 * fails the open with ESEAL_E_UNAVAILABLE. */
eseal_rc eseal_blob_open_with(struct eseal_blob **out, const char *dir,
                              const struct eseal_blob_kek *kek,
                              const struct eseal_blob_progress *progress,
                              struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_blob_resumed is what the open of |b| did to finish a rotation left
 * part way (borrowed), or NULL if there was none. */
const struct eseal_blob_rotation *eseal_blob_resumed(const struct eseal_blob *b);

/* eseal_blob_rotate gives |b| a new random data key, wrapped with |kek|:
 * data.key.next written exclusively first, every material re-encrypted to
 * it, then data.key replaced and data.key.next removed (see above); |b|
 * then uses the new key. Nobody else may write the store meanwhile (the
 * issuer is stopped). |out| receives the counts. On failure or a stop
 * through |progress| (ESEAL_E_UNAVAILABLE) the store is left part way and
 * every material still reads after the next open, which finishes it. */
eseal_rc eseal_blob_rotate(struct eseal_blob *b, const struct eseal_blob_kek *kek,
                           const struct eseal_blob_progress *progress,
                           struct eseal_blob_rotation *out, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_blob_migrated is the number of plaintext materials the open of |b|
 * encrypted. */
size_t eseal_blob_migrated(const struct eseal_blob *b);

/* eseal_blob_free wipes the data key and closes |b|; accepts NULL. The
 * files stay. */
void eseal_blob_free(struct eseal_blob *b);

/* eseal_blob_put stores |data| as a material of |kind| after
 * eseal_material_check (empty or of a content type the kind does not accept:
 * ESEAL_E_INVALID; over the kind's limit: ESEAL_E_TOOBIG; nothing is
 * written then). On success |ref| (may be NULL) receives the kind and the
 * SM3 hex name, and *type (may be NULL) the detected content type. Putting
 * content that is already stored is not an error: it is the same material. */
eseal_rc eseal_blob_put(struct eseal_blob *b, enum eseal_material_kind kind, const uint8_t *data,
                        size_t len, struct eseal_material_ref *ref, enum eseal_content_type *type,
                        struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_blob_put_sm3 is eseal_blob_put given |sm3|, the SM3 of |data|
 * (ESEAL_SM3_LEN bytes) computed already, as the upload arrived; NULL
 * computes it. */
eseal_rc eseal_blob_put_sm3(struct eseal_blob *b, enum eseal_material_kind kind,
                            const uint8_t *data, size_t len, const uint8_t *sm3,
                            struct eseal_material_ref *ref, enum eseal_content_type *type,
                            struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_blob_get reads and decrypts the material named |sm3| into |out|
 * (replacing its contents). A name that is not 64 lower-case hex digits is
 * ESEAL_E_INVALID; no such material ESEAL_E_NOTFOUND. A stored file that
 * does not decrypt (altered, moved from another name, another store's, not
 * encrypted) or whose plaintext no longer hashes to its name is ESEAL_E_IO
 * (a server-side fault, HTTP 500), with |out| empty: fail closed. */
eseal_rc eseal_blob_get(struct eseal_blob *b, const char *sm3, struct eseal_buf *out,
                        struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_blob_exists tells whether a material named |sm3| is stored (false
 * for a malformed name). */
bool eseal_blob_exists(struct eseal_blob *b, const char *sm3);

/* eseal_blob_reader is eseal_blob_get with the store passed as |blob|, so a
 * store can be handed to the rules engine as its material reader
 * (struct eseal_rules_input.read_material, with material_ctx = the store). */
eseal_rc eseal_blob_reader(void *blob, const char *sm3, struct eseal_buf *out,
                           struct eseal_err *err);

#endif
