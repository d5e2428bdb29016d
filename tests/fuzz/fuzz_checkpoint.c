/* fuzz_checkpoint.c — libFuzzer target for the log's signed checkpoints
 * (C2SP signed note + tlog-checkpoint, what followers, auditors and the
 * verifier fetch from GET /log/checkpoint): any bytes through
 * eseal_log_checkpoint_verify with a fixed key (fuzz.h), and as a
 * verifier key line through eseal_log_key_parse.
 * Seeds: notes signed by eseal_log_checkpoint_sign with that key, with a
 * witness cosignature and an extension line, and the key itself. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eseal/checkpoint.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct eseal_log_key *key = fz_log_key();
    struct eseal_log_checkpoint cp;
    if (eseal_log_checkpoint_verify(&cp, data, size, key, NULL) == ESEAL_OK &&
        (strcmp(cp.origin, key->name) != 0))
        __builtin_trap();
    struct eseal_log_key k;
    if (eseal_log_key_parse(&k, (const char *)data, size, NULL) == ESEAL_OK) {
        uint8_t h[4];
        eseal_note_key_hash(h, k.name, k.pk);
        if (memcmp(h, k.hash, 4) != 0)
            __builtin_trap();
    }
    return 0;
}
