/* fixture.h — what the fuzz targets that need a platform CA share: a real
 * CA (libeseal-ca), the test CA committed in tests/fuzz/ca/ (made by
 * eseal_ca_init with the passphrase FZ_CA_PASS; the seeds of fuzz_ocsp and
 * fuzz_ts name its root), copied once per process into a temporary
 * directory that is removed at exit, and unlocked. Only the targets listed
 * in tests/CMakeLists.txt link it. Its keys are test keys, public here. */
#ifndef ESEAL_FUZZ_FIXTURE_H
#define ESEAL_FUZZ_FIXTURE_H

#include "eseal/ca.h"

#define FZ_CA_PASS "passphrase"

/* fz_ca returns the CA, copying it on first use with the private keys
 * |keys| (ESEAL_CA_UNLOCK_*) unlocked (each costs an Argon2id derivation,
 * so a target unlocks only what it uses); it traps when that fails. fz_dir
 * is the temporary directory (the CA is its "ca"); both live until exit. */
struct eseal_ca *fz_ca(unsigned keys);
const char *fz_dir(void);

#endif
