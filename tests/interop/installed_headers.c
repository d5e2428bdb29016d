/* installed_headers.c — calls at least one function of every header that
 * `cmake --install` puts under include/eseal/, built by verify_install.sh
 * from the installed tree with `pkg-config --cflags --libs eseal-verify`
 * only. A header that drags in a symbol of a library that is not installed
 * (libeseal-ca, the issuer, the publisher) or not named in eseal-verify.pc
 * fails to link here. verify_install.sh checks that every installed header
 * is included and has a "calls:" line below. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/checkpoint.h"
#include "eseal/merkle.h"
#include "eseal/note.h"
#include "eseal/rc.h"
#include "eseal/seal.h"
#include "eseal/secret.h"
#include "eseal/sm.h"
#include "eseal/status.h"
#include "eseal/verify.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "installed_headers: %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

struct key {
    uint8_t pk[ESEAL_ED25519_PK_LEN];
    uint8_t sk[ESEAL_ED25519_SK_LEN];
};

static eseal_rc sign(void *ctx, const uint8_t *msg, size_t msg_len,
                     uint8_t sig[ESEAL_ED25519_SIG_LEN], struct eseal_err *err)
{
    (void)err;
    eseal_ed25519_sign(sig, msg, msg_len, ((struct key *)ctx)->sk);
    return ESEAL_OK;
}

int main(void)
{
    struct eseal_err err;
    /* calls: rc.h */
    eseal_err_clear(&err);
    CHECK(strcmp(eseal_rc_name(ESEAL_E_CRYPTO), "crypto") == 0);

    /* calls: buf.h */
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_buf_append_str(&b, "abc");
    CHECK(b.len == 3);

    /* calls: sm.h — SM3("abc"), GB/T 32905 test vector */
    uint8_t d[ESEAL_SM3_LEN];
    eseal_sm3(d, b.data, b.len);
    CHECK(d[0] == 0x66 && d[1] == 0xc7 && d[31] == 0xe0);

    /* calls: merkle.h */
    uint8_t leaf[ESEAL_MERKLE_HASH_LEN];
    eseal_merkle_leaf_hash(leaf, b.data, b.len);

    /* calls: secret.h, note.h, checkpoint.h — a relying party checks a
     * checkpoint (the call that once pulled in the CA). */
    struct key k;
    eseal_ed25519_keypair(k.pk, k.sk);
    char *vkey = eseal_note_key_format("example.org/log", k.pk);
    struct eseal_log_key lk;
    CHECK(eseal_log_key_parse(&lk, vkey, strlen(vkey), &err) == ESEAL_OK);
    struct eseal_log_signer s = {.origin = "example.org/log", .pub = k.pk, .sign = sign, .ctx = &k};
    struct eseal_buf note;
    eseal_buf_init(&note);
    CHECK(eseal_log_checkpoint_sign(&note, &s, 1, leaf, &err) == ESEAL_OK);
    struct eseal_log_checkpoint cp;
    CHECK(eseal_log_checkpoint_verify(&cp, note.data, note.len, &lk, &err) == ESEAL_OK);
    CHECK(cp.size == 1 && memcmp(cp.root, leaf, sizeof(leaf)) == 0);
    note.data[0] ^= 1;
    CHECK(eseal_log_checkpoint_verify(&cp, note.data, note.len, &lk, &err) != ESEAL_OK);
    eseal_wipe(k.sk, sizeof(k.sk));

    /* calls: seal.h */
    struct eseal_seal *seal = NULL;
    CHECK(eseal_seal_parse(&seal, b.data, b.len, &err) == ESEAL_E_INVALID);
    eseal_seal_free(seal);

    /* calls: status.h */
    CHECK(strcmp(eseal_status_name(ESEAL_STATUS_REVOKED), "revoked") == 0);

    /* calls: verify.h */
    CHECK(strcmp(eseal_indication_name(ESEAL_TOTAL_PASSED), "TOTAL_PASSED") == 0);
    struct eseal_report r;
    eseal_report_init(&r);
    eseal_report_cleanup(&r);

    free(vkey);
    eseal_buf_cleanup(&note);
    eseal_buf_cleanup(&b);
    puts("installed_headers: passed");
    return 0;
}
