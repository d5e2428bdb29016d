/* note.h — C2SP signed-note verifier keys for Ed25519 (the format used by
 * transparency-log tooling: "<name>+<hex key hash>+<base64 key>"). */
#ifndef ESEAL_NOTE_H
#define ESEAL_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/rc.h"
#include "eseal/secret.h"

/* ESEAL_NOTE_NAME_MAX bounds a key name (also a log origin). */
#define ESEAL_NOTE_NAME_MAX 256

/* eseal_note_key_hash computes the 4-byte key hash of the signed-note spec:
 * the first 4 bytes of SHA-256(name || "\n" || 0x01 || pk). */
void eseal_note_key_hash(uint8_t out[4], const char *name, const uint8_t pk[ESEAL_ED25519_PK_LEN]);

/* eseal_note_key_format returns "<name>+<8 hex>+<base64(0x01 || pk)>" (free() it). */
char *eseal_note_key_format(const char *name, const uint8_t pk[ESEAL_ED25519_PK_LEN]);

/* eseal_note_key_parse parses a verifier key (one line; a trailing newline is
 * allowed). |name| receives the key name (free() it), |pk| the public key and
 * |key_hash| the hash, which must agree with name and key. Anything else is
 * ESEAL_E_INVALID. */
eseal_rc eseal_note_key_parse(const char *text, size_t len, char **name,
                              uint8_t pk[ESEAL_ED25519_PK_LEN], uint8_t key_hash[4],
                              struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
