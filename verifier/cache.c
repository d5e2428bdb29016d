/* cache.c — the verification cache (verify.h): outcomes of checks that do
 * not change for the same input — a seal-maker signature, a certificate's
 * chain — remembered by the SHA-256 of what was checked (any
 * collision-resistant digest does; SHA-256 is the fastest here). A fixed array
 * of slots indexed by the digest keeps it bounded with O(1) work and no
 * eviction bookkeeping: a new entry simply replaces the one in its slot. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/merkle.h"
#include "eseal/pki.h"
#include "internal.h"

struct slot {
    bool used;
    enum verify_cache_kind kind;
    uint8_t key[VERIFY_KEY_LEN];
    bool ok;
    char *text;
    X509 *cert; /* VC_CERT: the parsed certificate (one reference) */
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
    for (size_t i = 0; i < ESEAL_VERIFY_CACHE; i++) {
        free(c->slots[i].text);
        X509_free(c->slots[i].cert);
    }
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
                            const uint8_t key[VERIFY_KEY_LEN])
{
    uint32_t h = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
    return &c->slots[(h ^ (uint32_t)kind) % ESEAL_VERIFY_CACHE];
}

static void put(struct eseal_verify_cache *c, enum verify_cache_kind kind,
                const uint8_t key[VERIFY_KEY_LEN], bool ok, char *text, X509 *cert);

bool verify_cache_get(struct eseal_verify_cache *c, enum verify_cache_kind kind,
                      const uint8_t key[VERIFY_KEY_LEN], bool *ok, char **text)
{
    if (c == NULL)
        return false;
    pthread_mutex_lock(&c->mu);
    struct slot *s = slot_of(c, kind, key);
    bool hit = s->used && s->kind == kind && memcmp(s->key, key, VERIFY_KEY_LEN) == 0;
    if (hit) {
        *ok = s->ok;
        *text = eseal_xstrdup(s->text != NULL ? s->text : "");
        c->hits++;
    }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

void verify_cache_put(struct eseal_verify_cache *c, enum verify_cache_kind kind,
                      const uint8_t key[VERIFY_KEY_LEN], bool ok, const char *text)
{
    if (c == NULL)
        return;
    char *copy = eseal_xstrdup(text != NULL ? text : "");
    put(c, kind, key, ok, copy, NULL);
}

/* put fills the slot of |key| with |text| and |cert| (both taken). */
static void put(struct eseal_verify_cache *c, enum verify_cache_kind kind,
                const uint8_t key[VERIFY_KEY_LEN], bool ok, char *text, X509 *cert)
{
    pthread_mutex_lock(&c->mu);
    struct slot *s = slot_of(c, kind, key);
    char *old = s->text;
    X509 *old_cert = s->cert;
    *s = (struct slot){.used = true, .kind = kind, .ok = ok, .text = text, .cert = cert};
    memcpy(s->key, key, VERIFY_KEY_LEN);
    pthread_mutex_unlock(&c->mu);
    free(old);
    X509_free(old_cert);
}

/* parse_cert decodes exactly one DER certificate, with the SM2 ID attached
 * when it is not self-issued (every certificate of the platform below the
 * root is SM2-signed with the standard ID): done before the certificate is
 * shared, so no thread writes to it later. */
static X509 *parse_cert(const uint8_t *der, size_t len)
{
    if (der == NULL || len == 0 || len > ESEAL_PKI_MAX_INPUT)
        return NULL;
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x != NULL && p != der + len) {
        X509_free(x);
        x = NULL;
    }
    if (x != NULL && X509_check_issued(x, x) != X509_V_OK)
        eseal_x509_set_sm2_id(x);
    /* Leave no parse error behind for an unrelated later eseal_err_openssl. */
    ERR_clear_error();
    return x;
}

bool verify_cert_get(struct eseal_verify_cache *c, const uint8_t *der, size_t len,
                     struct verify_cert *out)
{
    memset(out, 0, sizeof(*out));
    eseal_sha256(out->key, der, len);
    if (c != NULL) {
        pthread_mutex_lock(&c->mu);
        struct slot *s = slot_of(c, VC_CERT, out->key);
        if (s->used && s->kind == VC_CERT && memcmp(s->key, out->key, VERIFY_KEY_LEN) == 0) {
            out->x = s->cert;
            X509_up_ref(out->x);
            out->name = eseal_xstrdup(s->text);
            c->hits++;
        }
        pthread_mutex_unlock(&c->mu);
        if (out->x != NULL)
            return true;
    }
    out->x = parse_cert(der, len);
    if (out->x == NULL)
        return false;
    out->name = eseal_pki_name(X509_get_subject_name(out->x));
    if (c != NULL) {
        X509_up_ref(out->x);
        put(c, VC_CERT, out->key, true, eseal_xstrdup(out->name), out->x);
    }
    return true;
}

void verify_cert_release(struct verify_cert *vc)
{
    X509_free(vc->x);
    free(vc->name);
    memset(vc, 0, sizeof(*vc));
}
