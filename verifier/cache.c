/* cache.c — the verification cache (verify.h): outcomes of checks that do
 * not change for the same input — a seal-maker signature, a certificate's
 * chain — remembered by the SM3 digest of what was checked. A fixed array
 * of slots indexed by the digest keeps it bounded with O(1) work and no
 * eviction bookkeeping: a new entry simply replaces the one in its slot. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "internal.h"

struct slot {
    bool used;
    enum verify_cache_kind kind;
    uint8_t key[ESEAL_SM3_LEN];
    bool ok;
    char *text;
};

struct eseal_verify_cache {
    pthread_mutex_t mu;
    uint64_t hits;
    struct slot slots[ESEAL_VERIFY_CACHE];
};

struct eseal_verify_cache *eseal_verify_cache_new(void)
{
    struct eseal_verify_cache *c = eseal_xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void eseal_verify_cache_free(struct eseal_verify_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < ESEAL_VERIFY_CACHE; i++)
        free(c->slots[i].text);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

uint64_t eseal_verify_cache_hits(struct eseal_verify_cache *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t n = c->hits;
    pthread_mutex_unlock(&c->mu);
    return n;
}

static struct slot *slot_of(struct eseal_verify_cache *c, enum verify_cache_kind kind,
                            const uint8_t key[ESEAL_SM3_LEN])
{
    uint32_t h = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
    return &c->slots[(h ^ (uint32_t)kind) % ESEAL_VERIFY_CACHE];
}

bool verify_cache_get(struct eseal_verify_cache *c, enum verify_cache_kind kind,
                      const uint8_t key[ESEAL_SM3_LEN], bool *ok, char **text)
{
    if (c == NULL)
        return false;
    pthread_mutex_lock(&c->mu);
    struct slot *s = slot_of(c, kind, key);
    bool hit = s->used && s->kind == kind && memcmp(s->key, key, ESEAL_SM3_LEN) == 0;
    if (hit) {
        *ok = s->ok;
        *text = eseal_xstrdup(s->text);
        c->hits++;
    }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

void verify_cache_put(struct eseal_verify_cache *c, enum verify_cache_kind kind,
                      const uint8_t key[ESEAL_SM3_LEN], bool ok, const char *text)
{
    if (c == NULL)
        return;
    char *copy = eseal_xstrdup(text != NULL ? text : "");
    pthread_mutex_lock(&c->mu);
    struct slot *s = slot_of(c, kind, key);
    char *old = s->text;
    *s = (struct slot){.used = true, .kind = kind, .ok = ok, .text = copy};
    memcpy(s->key, key, ESEAL_SM3_LEN);
    pthread_mutex_unlock(&c->mu);
    free(old);
}
