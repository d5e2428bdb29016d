/* fuzz.h — the fixed inputs the fuzz targets check against, so that only
 * the fuzzed bytes vary and the committed seeds stay valid.
 *
 * FZ_LOG_KEY is the Ed25519 verifier key the checkpoint and log-record
 * targets check notes with. Its private key is derived from 32 bytes of 0x17
 * (crypto_sign_seed_keypair); the seed notes in tests/fuzz/corpus were
 * signed with it by eseal_log_checkpoint_sign, so the fuzzer starts from
 * notes whose signature verifies. */
#ifndef ESEAL_FUZZ_H
#define ESEAL_FUZZ_H

#include <string.h>

#include "eseal/checkpoint.h"

#define FZ_LOG_KEY "eseal.fuzz/log+4edb97fc+ATHevlXTfHInaLE3ExyqYIcICy4LYLlL14XRRXXPpJi8"

/* FZ_SIGNED is the data the seed CMS signatures (fuzz_cms) and time-stamp
 * tokens (fuzz_ts) were made over. */
#define FZ_SIGNED "<ofd:Signature xmlns:ofd=\"http://www.ofdspec.org/2016\"/>"

/* FZ_HEX64 stands for an SM3 digest in hex where only its form counts. */
#define FZ_HEX64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* fz_log_key parses FZ_LOG_KEY once into a static key; traps on failure. */
static inline const struct eseal_log_key *fz_log_key(void)
{
    static struct eseal_log_key key;
    if (key.name[0] == '\0' &&
        eseal_log_key_parse(&key, FZ_LOG_KEY, strlen(FZ_LOG_KEY), NULL) != ESEAL_OK)
        __builtin_trap();
    return &key;
}

#endif
