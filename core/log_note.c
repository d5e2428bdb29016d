/* log_note.c — checkpoints as C2SP signed notes: signing, strict parsing and
 * verification, and verifier keys. */
#include <string.h>

#include "eseal/enc.h"
#include "eseal/checkpoint.h"
#include "eseal/log.h"
#include "eseal/note.h"
#include "log_internal.h"

/* The signature line starts with U+2014 EM DASH and a space. */
#define SIG_PREFIX "\xe2\x80\x94 "
#define SIG_PREFIX_LEN 4
#define NOTE_MAX_SIGS 100

eseal_rc eseal_log_key_parse(struct eseal_log_key *out, const char *text, size_t len,
                             struct eseal_err *err)
{
    memset(out, 0, sizeof(*out));
    char *name = NULL;
    eseal_rc rc = eseal_note_key_parse(text, len, &name, out->pk, out->hash, err);
    if (rc != ESEAL_OK)
        return rc;
    size_t n = strlen(name);
    if (n > ESEAL_NOTE_NAME_MAX) { /* note.c bounds it already; keep the copy safe */
        free(name);
        return eseal_err_set(err, ESEAL_E_INVALID, "verifier key name too long");
    }
    memcpy(out->name, name, n + 1);
    free(name);
    return ESEAL_OK;
}

eseal_rc eseal_log_key_load(struct eseal_log_key *out, const char *path, struct eseal_err *err)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_file_read(&b, path, 4096, err);
    if (rc == ESEAL_OK &&
        (rc = eseal_log_key_parse(out, (const char *)b.data, b.len, err)) != ESEAL_OK)
        eseal_err_prefix(err, "%s", path);
    eseal_buf_cleanup(&b);
    return rc;
}

static void checkpoint_body(struct eseal_buf *out, const char *origin, uint64_t size,
                            const uint8_t root[ESEAL_MERKLE_HASH_LEN])
{
    char *b64 = eseal_base64(root, ESEAL_MERKLE_HASH_LEN, ESEAL_B64_STD);
    eseal_buf_appendf(out, "%s\n%llu\n%s\n", origin, (unsigned long long)size, b64);
    free(b64);
}

eseal_rc eseal_log_checkpoint_sign(struct eseal_buf *note, const struct eseal_log_signer *signer,
                                   uint64_t size, const uint8_t root[ESEAL_MERKLE_HASH_LEN],
                                   struct eseal_err *err)
{
    eseal_buf_reset(note);
    const char *origin = signer->origin;
    checkpoint_body(note, origin, size, root);
    size_t body_len = note->len;
    eseal_buf_append(note, "\n", 1);
    /* the key, then the next one while a rotation is under way */
    const struct eseal_log_signer *keys[2] = {signer, signer->cosigner};
    for (size_t i = 0; i < 2 && keys[i] != NULL; i++) {
        uint8_t sig[4 + ESEAL_ED25519_SIG_LEN];
        eseal_note_key_hash(sig, origin, keys[i]->pub);
        eseal_rc rc = keys[i]->sign(keys[i]->ctx, note->data, body_len, sig + 4, err);
        if (rc != ESEAL_OK) {
            eseal_buf_reset(note);
            return rc;
        }
        char *b64 = eseal_base64(sig, sizeof(sig), ESEAL_B64_STD);
        eseal_buf_appendf(note, SIG_PREFIX "%s %s\n", origin, b64);
        free(b64);
    }
    return ESEAL_OK;
}

/* note_text_ok: UTF-8 (as Jansson would accept) without control characters
 * other than newline, per the signed-note spec. */
static bool note_text_ok(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n') || c == 0x7f)
                return false;
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, cp = c & 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

/* line_next returns the length of the line at |p| (without its '\n') or
 * SIZE_MAX when no newline ends it within |n|. */
static size_t line_next(const char *p, size_t n)
{
    const char *nl = memchr(p, '\n', n);
    return nl != NULL ? (size_t)(nl - p) : SIZE_MAX;
}

/* parse_body reads the tlog-checkpoint body: origin, size, root, then any
 * non-empty extension lines. */
static eseal_rc parse_body(struct eseal_log_checkpoint *out, const char *body, size_t n,
                           struct eseal_err *err)
{
    size_t l1 = line_next(body, n);
    if (l1 == SIZE_MAX || l1 == 0 || l1 > ESEAL_NOTE_NAME_MAX)
        return eseal_err_set(err, ESEAL_E_INVALID, "checkpoint: bad origin line");
    memcpy(out->origin, body, l1);
    out->origin[l1] = '\0';
    const char *p = body + l1 + 1;
    size_t rest = n - l1 - 1;
    size_t l2 = line_next(p, rest);
    if (l2 == SIZE_MAX || !log_parse_u64(p, l2, &out->size))
        return eseal_err_set(err, ESEAL_E_INVALID, "checkpoint: bad tree size line");
    p += l2 + 1;
    rest -= l2 + 1;
    size_t l3 = line_next(p, rest);
    struct eseal_buf root;
    eseal_buf_init(&root);
    bool ok = l3 != SIZE_MAX && eseal_unbase64(&root, p, l3, ESEAL_B64_STD, NULL) == ESEAL_OK &&
              root.len == ESEAL_MERKLE_HASH_LEN;
    if (ok)
        memcpy(out->root, root.data, ESEAL_MERKLE_HASH_LEN);
    eseal_buf_cleanup(&root);
    if (!ok)
        return eseal_err_set(err, ESEAL_E_INVALID, "checkpoint: bad root hash line");
    p += l3 + 1;
    rest -= l3 + 1;
    while (rest > 0) { /* extension lines: non-empty, ignored */
        size_t l = line_next(p, rest);
        if (l == SIZE_MAX || l == 0)
            return eseal_err_set(err, ESEAL_E_INVALID, "checkpoint: bad extension line");
        p += l + 1;
        rest -= l + 1;
    }
    return ESEAL_OK;
}

/* struct sig_line is one parsed signature line. */
struct sig_line {
    const char *name;
    size_t name_len;
    struct eseal_buf sig; /* key hash || signature */
};

static eseal_rc parse_sig_line(struct sig_line *s, const char *p, size_t n, struct eseal_err *err)
{
    if (n < SIG_PREFIX_LEN || memcmp(p, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "checkpoint: a signature line must start "
                             "with an em dash and a space");
    p += SIG_PREFIX_LEN;
    n -= SIG_PREFIX_LEN;
    const char *sp = memchr(p, ' ', n);
    if (sp == NULL || sp == p)
        return eseal_err_set(err, ESEAL_E_INVALID, "checkpoint: bad signature line");
    s->name = p;
    s->name_len = (size_t)(sp - p);
    for (size_t i = 0; i < s->name_len; i++) {
        if (p[i] == '+' || (unsigned char)p[i] <= ' ')
            return eseal_err_set(err, ESEAL_E_INVALID, "checkpoint: bad key name in signature");
    }
    const char *b64 = sp + 1;
    size_t b64_len = n - s->name_len - 1;
    if (eseal_unbase64(&s->sig, b64, b64_len, ESEAL_B64_STD, NULL) != ESEAL_OK || s->sig.len < 5)
        return eseal_err_set(err, ESEAL_E_INVALID, "checkpoint: bad signature encoding");
    return ESEAL_OK;
}

eseal_rc eseal_log_checkpoint_verify(struct eseal_log_checkpoint *out, const void *note, size_t len,
                                     const struct eseal_log_key *key, struct eseal_err *err)
{
    memset(out, 0, sizeof(*out));
    const char *text = note;
    if (len == 0 || len > ESEAL_LOG_NOTE_MAX)
        return eseal_err_set(err, ESEAL_E_INVALID, "checkpoint: empty or over %d bytes",
                             ESEAL_LOG_NOTE_MAX);
    if (!note_text_ok(note, len) || text[len - 1] != '\n')
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "checkpoint: not UTF-8 text ending in a newline");
    /* The signatures follow the last blank line (as Go's note.Open splits). */
    size_t split = SIZE_MAX;
    for (size_t i = len - 1; i > 0; i--) {
        if (text[i - 1] == '\n' && text[i] == '\n') {
            split = i; /* text[0..split) is the body, ending in its '\n' */
            break;
        }
    }
    if (split == SIZE_MAX || split + 1 >= len)
        return eseal_err_set(err, ESEAL_E_INVALID, "checkpoint: no signature block");
    struct eseal_log_checkpoint cp;
    memset(&cp, 0, sizeof(cp));
    eseal_rc rc = parse_body(&cp, text, split, err);
    if (rc != ESEAL_OK)
        return rc;
    if (strcmp(cp.origin, key->name) != 0)
        return eseal_err_set(err, ESEAL_E_CRYPTO,
                             "checkpoint: origin \"%s\" is not the key's name \"%s\"", cp.origin,
                             key->name);
    const char *p = text + split + 1;
    size_t rest = len - split - 1;
    size_t n_sigs = 0;
    bool verified = false;
    while (rest > 0 && rc == ESEAL_OK) {
        size_t l = line_next(p, rest);
        if (l == SIZE_MAX || ++n_sigs > NOTE_MAX_SIGS) {
            rc = eseal_err_set(err, ESEAL_E_INVALID, "checkpoint: bad signature block");
            break;
        }
        struct sig_line s;
        memset(&s, 0, sizeof(s));
        eseal_buf_init(&s.sig);
        rc = parse_sig_line(&s, p, l, err);
        if (rc == ESEAL_OK && s.name_len == strlen(key->name) &&
            memcmp(s.name, key->name, s.name_len) == 0 && memcmp(s.sig.data, key->hash, 4) == 0) {
            /* Our key: the signature must be exactly 64 bytes and valid. */
            if (s.sig.len != 4 + ESEAL_ED25519_SIG_LEN ||
                eseal_ed25519_verify(s.sig.data + 4, text, split, key->pk) != ESEAL_OK)
                rc = eseal_err_set(err, ESEAL_E_CRYPTO,
                                   "checkpoint: the signature by %s does not verify", key->name);
            else
                verified = true;
        }
        eseal_buf_cleanup(&s.sig);
        p += l + 1;
        rest -= l + 1;
    }
    if (rc != ESEAL_OK)
        return rc;
    if (!verified)
        return eseal_err_set(err, ESEAL_E_CRYPTO, "checkpoint: no signature by %s", key->name);
    *out = cp;
    return ESEAL_OK;
}

eseal_rc eseal_log_checkpoint_verify_any(struct eseal_log_checkpoint *out, const void *note,
                                         size_t len, const struct eseal_log_key *keys, size_t n,
                                         struct eseal_err *err)
{
    eseal_rc first = ESEAL_E_CRYPTO;
    if (n == 0)
        return eseal_err_set(err, first, "no key to check the checkpoint with");
    for (size_t i = 0; i < n; i++) {
        struct eseal_err e;
        eseal_err_clear(&e);
        eseal_rc rc = eseal_log_checkpoint_verify(out, note, len, &keys[i], &e);
        if (rc == ESEAL_OK)
            return rc;
        if (i == 0) {
            first = rc;
            if (err != NULL)
                *err = e;
        }
        if (rc != ESEAL_E_CRYPTO) /* malformed: the same with any key */
            break;
    }
    return first;
}
