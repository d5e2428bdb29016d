/* business.c — the six business types of the provincial guide as one table:
 * what each acts on, what production makes, what the rules ask of it and
 * what it writes to the log. The rules, production and the projection
 * read these rows instead of testing the business type. */
#include <string.h>

#include "internal.h"

#define STATE(s) (1u << (s))

/* The guide's table of seal states: nothing on a revoked or expired seal; a
 * suspended (lost) seal only to reissue or revoke; a seal not yet collected
 * only to revoke; a good seal to anything. A good seal may be reissued
 * directly: the reissue application is itself the loss report. */
static const struct business_type types[] = {
    {
        .business = ESEAL_BUSINESS_APPLY,
        .key = "apply",
        .name_zh = "印章申请",
        .makes = BUSINESS_MAKES_SEAL,
        .new_code = true,
        .needs_csr = true,
        .handover = true,
        .event = "seal.issued",
    },
    {
        .business = ESEAL_BUSINESS_RENEW,
        .key = "renew",
        .name_zh = "印章延期",
        .makes = BUSINESS_MAKES_VERSION,
        .on_seal = true,
        .needs_csr = true,
        .key_on_site = true,
        .renew_window = true,
        .keeps_seal = true,
        .seal_states = STATE(ESEAL_SEAL_STATE_GOOD),
        .event = "seal.renewed",
        .revokes = "superseded",
    },
    {
        .business = ESEAL_BUSINESS_CHANGE,
        .key = "change",
        .name_zh = "印章变更",
        .makes = BUSINESS_MAKES_VERSION,
        .on_seal = true,
        .needs_csr = true,
        .key_on_site = true,
        .seal_states = STATE(ESEAL_SEAL_STATE_GOOD),
        .event = "seal.changed",
        .revokes = "superseded",
    },
    {
        .business = ESEAL_BUSINESS_REVOKE,
        .key = "revoke",
        .name_zh = "印章撤销",
        .makes = BUSINESS_MAKES_REVOCATION,
        .on_seal = true,
        .key_on_site = true,
        .seal_states = STATE(ESEAL_SEAL_STATE_GOOD) | STATE(ESEAL_SEAL_STATE_PENDING) |
                       STATE(ESEAL_SEAL_STATE_SUSPENDED),
        .event = "seal.revoked",
        /* issue #12 point 4: a lost USB KEY can be revoked without the key */
        .key_waived = STATE(ESEAL_SEAL_STATE_SUSPENDED),
    },
    {
        .business = ESEAL_BUSINESS_REISSUE,
        .key = "reissue",
        .name_zh = "印章补办",
        .makes = BUSINESS_MAKES_SEAL,
        .on_seal = true,
        .new_code = true,
        .needs_csr = true,
        .handover = true,
        .seal_states = STATE(ESEAL_SEAL_STATE_GOOD) | STATE(ESEAL_SEAL_STATE_SUSPENDED),
        .event = "seal.reissued",
        .revokes = "keyCompromise",
    },
    {
        .business = ESEAL_BUSINESS_UNLOCK,
        .key = "unlock",
        .name_zh = "口令解锁",
        .makes = BUSINESS_MAKES_UNLOCK_CODE,
        .on_seal = true,
        .key_on_site = true,
        .usb_key_only = true,
        .seal_states = STATE(ESEAL_SEAL_STATE_GOOD),
        .event = "token.unlocked",
    },
};

_Static_assert(sizeof(types) / sizeof(types[0]) == ESEAL_BUSINESS_UNLOCK, "a row per business");

const struct business_type *business_type_of(enum eseal_business b)
{
    if (b == ESEAL_BUSINESS_NONE || b > ESEAL_BUSINESS_UNLOCK)
        return NULL;
    return &types[b - 1];
}

const struct business_type *business_type_find(const char *key)
{
    for (size_t i = 0; key != NULL && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(types[i].key, key) == 0)
            return &types[i];
    return NULL;
}

bool business_accepts(const struct business_type *t, enum eseal_seal_state s)
{
    return t != NULL && (t->seal_states & STATE(s)) != 0;
}

bool business_needs_key(const struct business_type *t, enum eseal_seal_state s)
{
    return t != NULL && t->key_on_site && (t->key_waived & STATE(s)) == 0;
}
