/* token.c — the software seal token: state file, PIN and retry counter, key
 * wrapping, CSR, import, signing, and PIN reset with platform unlock codes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "eseal/enc.h"
#include "eseal/json.h"
#include "eseal/pki.h"
#include "eseal/seal.h"
#include "eseal/secret.h"
#include "eseal/sm.h"
#include "eseal/token.h"

#define FILE_STATE "token.json"
#define FILE_UNLOCK "unlock.key"
#define FILE_CERT "cert.pem"
#define FILE_SEAL "seal.der"
#define STATE_FORMAT 1
#define STATE_MAX (64 * 1024)
#define UNLOCK_LABEL "ESEAL TOKEN UNLOCK SECRET"
#define UNLOCK_SECRET_LEN 32
#define UNLOCK_FILE_MAX 4096

static const char *const token_files[] = {FILE_STATE, FILE_UNLOCK, FILE_CERT, FILE_SEAL};
#define N_TOKEN_FILES (sizeof(token_files) / sizeof(token_files[0]))

static const char msg_locked[] =
    "令牌已锁定 / token is locked: unlock it with a code from the platform (eseal token unlock)";

/* struct token_state is token.json: everything that changes, in one file,
 * so each change (a counted attempt, a new PIN, a used unlock code) is one
 * atomic rename. */
struct token_state {
    char id[ESEAL_TOKEN_ID_LEN + 1];
    char created[32];
    struct eseal_buf spki;       /* SubjectPublicKeyInfo DER */
    int failures;                /* wrong PINs in a row, 0..ESEAL_TOKEN_MAX_TRIES */
    uint32_t unlock_counter;     /* unlock codes used so far */
    struct eseal_buf key_pin;    /* eseal_wrap(PIN, PKCS#8) */
    struct eseal_buf key_unlock; /* eseal_wrap(unlock secret, PKCS#8) */
};

struct eseal_token {
    char *dir;
    struct token_state st;
    EVP_PKEY *pub;
    X509 *cert;            /* NULL until imported */
    struct eseal_buf seal; /* empty until imported */
    EVP_PKEY *key;         /* NULL until eseal_token_unlock_key */
};

static void state_cleanup(struct token_state *st)
{
    eseal_buf_cleanup(&st->spki);
    eseal_buf_cleanup(&st->key_pin);
    eseal_buf_cleanup(&st->key_unlock);
    memset(st, 0, sizeof(*st));
}

static char *path_in(const char *dir, const char *name)
{
    return eseal_path_join(dir, name);
}

/* ---- PIN shape ---------------------------------------------------------- */

/* utf8_char_len returns the length of the UTF-8 sequence at |p| (at most
 * |n| bytes), or 0 if it is not valid UTF-8 (overlong forms, surrogates and
 * values past U+10FFFF included). */
static size_t utf8_char_len(const uint8_t *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc0 ? 2 : 0;
    if (len == 0 || len > n || p[0] > 0xf4)
        return 0;
    uint32_t cp = p[0] & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

eseal_rc eseal_token_pin_check(const void *pin, size_t pin_len, struct eseal_err *err)
{
    const uint8_t *p = pin;
    size_t chars = 0;
    for (size_t i = 0; i < pin_len; chars++) {
        size_t n = utf8_char_len(p + i, pin_len - i);
        if (n == 0 || (n == 1 && (p[i] < 0x20 || p[i] == 0x7f)))
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "PIN 含无效字符 / the PIN must be UTF-8 text without control "
                                 "characters");
        i += n;
    }
    if (chars < ESEAL_TOKEN_PIN_MIN || chars > ESEAL_TOKEN_PIN_MAX)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "PIN 须为 %d 至 %d 个字符 / the PIN must have %d to %d characters",
                             ESEAL_TOKEN_PIN_MIN, ESEAL_TOKEN_PIN_MAX, ESEAL_TOKEN_PIN_MIN,
                             ESEAL_TOKEN_PIN_MAX);
    return ESEAL_OK;
}

/* ---- the state file ----------------------------------------------------- */

static void set_b64(json_t *j, const char *key, const struct eseal_buf *b)
{
    char *s = eseal_base64(b->data, b->len, ESEAL_B64_STD);
    json_object_set_new(j, key, json_string(s));
    free(s);
}

static eseal_rc state_save(const char *dir, const struct token_state *st, int exclusive,
                           struct eseal_err *err)
{
    json_t *j = json_pack("{s:i, s:s, s:s, s:i, s:I}", "format", STATE_FORMAT, "id", st->id,
                          "created", st->created, "pin_failures", st->failures, "unlock_counter",
                          (json_int_t)st->unlock_counter);
    set_b64(j, "public_key", &st->spki);
    set_b64(j, "key_pin", &st->key_pin);
    set_b64(j, "key_unlock", &st->key_unlock);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    char *path = path_in(dir, FILE_STATE);
    eseal_rc rc = eseal_file_write(path, text, strlen(text), 0600, exclusive, err);
    free(path);
    free(text);
    return rc;
}

static eseal_rc get_b64(struct eseal_buf *out, const char *text, const char *key,
                        struct eseal_err *err)
{
    eseal_rc rc = eseal_unbase64(out, text, strlen(text), ESEAL_B64_STD, err);
    if (rc == ESEAL_OK && out->len == 0)
        rc = ESEAL_E_INVALID;
    if (rc != ESEAL_OK)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s: %s is not base64", FILE_STATE, key);
    return ESEAL_OK;
}

/* state_parse checks token.json completely: unknown keys, wrong types or
 * values out of range mean a damaged or foreign file. */
static eseal_rc state_parse(struct token_state *st, const struct eseal_buf *text,
                            struct eseal_err *err)
{
    json_t *j = eseal_json_load(text->data, text->len);
    int format = 0;
    json_int_t counter = -1;
    const char *id = NULL, *created = NULL, *pub = NULL, *kp = NULL, *ku = NULL;
    if (j == NULL ||
        json_unpack(j, "{s:i, s:s, s:s, s:s, s:i, s:I, s:s, s:s !}", "format", &format, "id", &id,
                    "created", &created, "public_key", &pub, "pin_failures", &st->failures,
                    "unlock_counter", &counter, "key_pin", &kp, "key_unlock", &ku) != 0 ||
        format != STATE_FORMAT || !eseal_token_id_valid(id) ||
        strlen(created) >= sizeof(st->created) || st->failures < 0 ||
        st->failures > ESEAL_TOKEN_MAX_TRIES || counter < 0 ||
        counter > (json_int_t)ESEAL_UNLOCK_COUNTER_MAX) {
        json_decref(j);
        return eseal_err_set(err, ESEAL_E_INVALID, "%s is damaged or not a token state file",
                             FILE_STATE);
    }
    strcpy(st->id, id);
    strcpy(st->created, created);
    st->unlock_counter = (uint32_t)counter;
    eseal_rc rc = get_b64(&st->spki, pub, "public_key", err);
    if (rc == ESEAL_OK)
        rc = get_b64(&st->key_pin, kp, "key_pin", err);
    if (rc == ESEAL_OK)
        rc = get_b64(&st->key_unlock, ku, "key_unlock", err);
    json_decref(j);
    return rc;
}

static eseal_rc state_load(struct token_state *st, const char *dir, struct eseal_err *err)
{
    state_cleanup(st);
    struct eseal_buf text;
    eseal_buf_init(&text);
    char *path = path_in(dir, FILE_STATE);
    eseal_rc rc = eseal_file_read(&text, path, STATE_MAX, err);
    if (rc == ESEAL_E_NOTFOUND)
        eseal_err_set(err, rc, "%s: no token here (eseal token init) / 不是令牌目录", dir);
    else if (rc == ESEAL_OK && (rc = state_parse(st, &text, err)) != ESEAL_OK)
        eseal_err_prefix(err, "%s", dir);
    eseal_buf_cleanup(&text);
    free(path);
    return rc;
}

/* ---- locking the directory ---------------------------------------------- */

/* dir_lock takes an exclusive flock on the token directory, so two eseal
 * processes cannot both read the same failure count and each try a PIN. */
static eseal_rc dir_lock(int *fd, const char *dir, struct eseal_err *err)
{
    *fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*fd < 0)
        return eseal_err_set(err, errno == ENOENT ? ESEAL_E_NOTFOUND : ESEAL_E_IO, "%s: %s", dir,
                             strerror(errno));
    while (flock(*fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            int e = errno;
            close(*fd);
            *fd = -1;
            return eseal_err_set(err, ESEAL_E_IO, "%s: cannot lock: %s", dir, strerror(e));
        }
    }
    return ESEAL_OK;
}

static void dir_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}

/* ---- key material ------------------------------------------------------- */

/* key_to_pkcs8 encodes the private key; cleanse |out| after use. */
static eseal_rc key_to_pkcs8(struct eseal_buf *out, EVP_PKEY *key, struct eseal_err *err)
{
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(key);
    unsigned char *der = NULL;
    int n = p8 != NULL ? i2d_PKCS8_PRIV_KEY_INFO(p8, &der) : -1;
    PKCS8_PRIV_KEY_INFO_free(p8);
    if (n <= 0)
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot encode the token key");
    eseal_buf_cleanse(out);
    eseal_buf_reserve(out, (size_t)n);
    eseal_buf_append(out, der, (size_t)n);
    OPENSSL_clear_free(der, (size_t)n);
    return ESEAL_OK;
}

/* key_from_pkcs8 decodes an unwrapped key and checks it is the token's. */
static eseal_rc key_from_pkcs8(EVP_PKEY **out, const struct eseal_buf *der, EVP_PKEY *pub,
                               struct eseal_err *err)
{
    const unsigned char *p = der->data;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)der->len);
    *out = p8 != NULL ? EVP_PKCS82PKEY(p8) : NULL;
    PKCS8_PRIV_KEY_INFO_free(p8);
    if (*out == NULL || !eseal_sm2_is(*out) || EVP_PKEY_eq(*out, pub) != 1) {
        EVP_PKEY_free(*out);
        *out = NULL;
        return eseal_err_openssl(err, ESEAL_E_INVALID,
                                 "%s: the wrapped key is damaged or not this token's", FILE_STATE);
    }
    return ESEAL_OK;
}

static eseal_rc spki_of(struct eseal_buf *out, EVP_PKEY *key, struct eseal_err *err)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(key, &der);
    if (n <= 0)
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot encode the token public key");
    eseal_buf_reset(out);
    eseal_buf_append(out, der, (size_t)n);
    OPENSSL_free(der);
    return ESEAL_OK;
}

/* ---- the unlock secret file --------------------------------------------- */

static eseal_rc unlock_secret_save(const char *dir, const uint8_t *secret, struct eseal_err *err)
{
    BIO *bio = BIO_new(BIO_s_mem());
    eseal_rc rc = ESEAL_OK;
    if (bio == NULL || PEM_write_bio(bio, UNLOCK_LABEL, "", secret, UNLOCK_SECRET_LEN) <= 0) {
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot encode the unlock secret");
    } else {
        char *text = NULL;
        long n = BIO_get_mem_data(bio, &text);
        char *path = path_in(dir, FILE_UNLOCK);
        rc = eseal_file_write(path, text, (size_t)n, 0600, 1, err);
        free(path);
        OPENSSL_cleanse(text, (size_t)n);
    }
    BIO_free(bio);
    return rc;
}

/* unlock_secret_load reads unlock.key into |out| (cleanse it after use). */
static eseal_rc unlock_secret_load(struct eseal_buf *out, const char *dir, struct eseal_err *err)
{
    struct eseal_buf text;
    eseal_buf_init(&text);
    char *path = path_in(dir, FILE_UNLOCK);
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long len = 0;
    eseal_rc rc = eseal_file_read(&text, path, UNLOCK_FILE_MAX, err);
    if (rc == ESEAL_E_NOTFOUND) {
        eseal_err_set(err, rc,
                      "解锁密钥文件缺失 / %s is missing: put the token's %s back to "
                      "unlock it",
                      path, FILE_UNLOCK);
    } else if (rc == ESEAL_OK) {
        BIO *bio = BIO_new_mem_buf(text.data, (int)text.len);
        int ok = PEM_read_bio(bio, &name, &header, &data, &len) == 1 &&
                 strcmp(name, UNLOCK_LABEL) == 0 && len == UNLOCK_SECRET_LEN;
        BIO_free(bio);
        if (ok)
            eseal_buf_append(out, data, (size_t)len);
        else
            rc = eseal_err_openssl(err, ESEAL_E_INVALID, "%s is damaged", path);
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    if (data != NULL)
        OPENSSL_clear_free(data, (size_t)len);
    eseal_buf_cleanse(&text);
    free(path);
    return rc;
}

/* ---- init --------------------------------------------------------------- */

static eseal_rc refuse_existing(const char *dir, struct eseal_err *err)
{
    const char *found = eseal_path_find(dir, token_files, N_TOKEN_FILES);
    if (found != NULL)
        return eseal_err_set(err, ESEAL_E_CONFLICT,
                             "%s already holds a token (%s exists); refusing to overwrite / "
                             "目录中已有令牌, 拒绝覆盖",
                             dir, found);
    return ESEAL_OK;
}

/* new_state makes the key, the id and both wraps of the key in memory. */
static eseal_rc new_state(struct token_state *st, const void *pin, size_t pin_len,
                          const uint8_t *secret, struct eseal_err *err)
{
    EVP_PKEY *key = NULL;
    struct eseal_buf p8;
    eseal_buf_init(&p8);
    eseal_rc rc = eseal_sm2_keygen(&key, err);
    if (rc == ESEAL_OK)
        rc = spki_of(&st->spki, key, err);
    if (rc == ESEAL_OK)
        rc = key_to_pkcs8(&p8, key, err);
    if (rc == ESEAL_OK)
        rc = eseal_wrap(&st->key_pin, pin, pin_len, p8.data, p8.len, err);
    if (rc == ESEAL_OK)
        rc = eseal_wrap(&st->key_unlock, secret, UNLOCK_SECRET_LEN, p8.data, p8.len, err);
    eseal_buf_cleanse(&p8);
    EVP_PKEY_free(key);
    uint8_t raw[ESEAL_TOKEN_ID_LEN / 2];
    eseal_random(raw, sizeof(raw));
    char *hex = eseal_hex(raw, sizeof(raw));
    strcpy(st->id, hex);
    free(hex);
    eseal_json_time_now(st->created, sizeof(st->created), false);
    return rc;
}

eseal_rc eseal_token_init(const char *dir, const void *pin, size_t pin_len, struct eseal_err *err)
{
    eseal_rc rc = eseal_token_pin_check(pin, pin_len, err);
    if (rc == ESEAL_OK)
        rc = eseal_mkdirs(dir, 0700, err);
    if (rc == ESEAL_OK)
        rc = refuse_existing(dir, err);
    if (rc != ESEAL_OK)
        return rc;
    struct token_state st;
    memset(&st, 0, sizeof(st));
    uint8_t secret[UNLOCK_SECRET_LEN];
    eseal_random(secret, sizeof(secret));
    rc = new_state(&st, pin, pin_len, secret, err);
    if (rc == ESEAL_OK)
        rc = unlock_secret_save(dir, secret, err);
    eseal_wipe(secret, sizeof(secret));
    /* token.json last: its presence marks a complete token. */
    if (rc == ESEAL_OK && (rc = state_save(dir, &st, 1, err)) != ESEAL_OK) {
        char *path = path_in(dir, FILE_UNLOCK);
        unlink(path);
        free(path);
    }
    state_cleanup(&st);
    return rc;
}

/* ---- open, free, accessors ---------------------------------------------- */

static eseal_rc load_cert(struct eseal_token *tok, struct eseal_err *err)
{
    char *path = path_in(tok->dir, FILE_CERT);
    eseal_rc rc = eseal_pki_cert_load(&tok->cert, path, err);
    if (rc == ESEAL_E_NOTFOUND) {
        eseal_err_clear(err);
        rc = ESEAL_OK;
    } else if (rc == ESEAL_OK && EVP_PKEY_eq(X509_get0_pubkey(tok->cert), tok->pub) != 1) {
        rc = eseal_err_set(err, ESEAL_E_INVALID, "%s does not hold this token's public key", path);
    }
    ERR_clear_error();
    free(path);
    return rc;
}

static eseal_rc load_seal(struct eseal_token *tok, struct eseal_err *err)
{
    char *path = path_in(tok->dir, FILE_SEAL);
    eseal_rc rc = eseal_file_read(&tok->seal, path, ESEAL_TOKEN_SEAL_MAX, err);
    if (rc == ESEAL_E_NOTFOUND) {
        eseal_err_clear(err);
        rc = ESEAL_OK;
    }
    free(path);
    return rc;
}

/* reload reads the token's files into |tok| again (everything but a held
 * key), so each operation works on what is on disk now, under the lock. */
static eseal_rc reload(struct eseal_token *tok, struct eseal_err *err)
{
    char old_id[ESEAL_TOKEN_ID_LEN + 1];
    memcpy(old_id, tok->st.id, sizeof(old_id));
    EVP_PKEY_free(tok->pub);
    X509_free(tok->cert);
    tok->pub = NULL;
    tok->cert = NULL;
    eseal_buf_cleanup(&tok->seal);
    eseal_rc rc = state_load(&tok->st, tok->dir, err);
    if (rc != ESEAL_OK)
        return rc;
    if (old_id[0] != '\0' && strcmp(old_id, tok->st.id) != 0)
        return eseal_err_set(err, ESEAL_E_CONFLICT, "%s: the token was replaced while in use",
                             tok->dir);
    const unsigned char *p = tok->st.spki.data;
    tok->pub = d2i_PUBKEY(NULL, &p, (long)tok->st.spki.len);
    if (tok->pub == NULL || !eseal_sm2_is(tok->pub))
        return eseal_err_openssl(err, ESEAL_E_INVALID, "%s/%s: the public key is not SM2", tok->dir,
                                 FILE_STATE);
    rc = load_cert(tok, err);
    if (rc == ESEAL_OK)
        rc = load_seal(tok, err);
    return rc;
}

eseal_rc eseal_token_open(struct eseal_token **out, const char *dir, struct eseal_err *err)
{
    struct eseal_token *tok = eseal_xcalloc(1, sizeof(*tok));
    tok->dir = eseal_xstrdup(dir);
    eseal_rc rc = reload(tok, err);
    if (rc != ESEAL_OK) {
        eseal_token_free(tok);
        tok = NULL;
    }
    *out = tok;
    return rc;
}

void eseal_token_lock_key(struct eseal_token *tok)
{
    EVP_PKEY_free(tok->key); /* OpenSSL clears private key material on free */
    tok->key = NULL;
}

void eseal_token_free(struct eseal_token *tok)
{
    if (tok == NULL)
        return;
    eseal_token_lock_key(tok);
    EVP_PKEY_free(tok->pub);
    X509_free(tok->cert);
    eseal_buf_cleanup(&tok->seal);
    state_cleanup(&tok->st);
    free(tok->dir);
    free(tok);
}

const char *eseal_token_id(const struct eseal_token *tok)
{
    return tok->st.id;
}

EVP_PKEY *eseal_token_pubkey(const struct eseal_token *tok)
{
    return tok->pub;
}

int eseal_token_tries_left(const struct eseal_token *tok)
{
    return ESEAL_TOKEN_MAX_TRIES - tok->st.failures;
}

bool eseal_token_locked(const struct eseal_token *tok)
{
    return tok->st.failures >= ESEAL_TOKEN_MAX_TRIES;
}

uint32_t eseal_token_unlock_counter(const struct eseal_token *tok)
{
    return tok->st.unlock_counter;
}

X509 *eseal_token_cert(const struct eseal_token *tok)
{
    return tok->cert;
}

bool eseal_token_seal(const struct eseal_token *tok, const uint8_t **der, size_t *der_len)
{
    bool has = tok->seal.len > 0;
    *der = has ? tok->seal.data : NULL;
    *der_len = has ? tok->seal.len : 0;
    return has;
}

/* ---- the PIN check ------------------------------------------------------ */

static eseal_rc wrong_pin(const struct token_state *st, struct eseal_err *err)
{
    int left = ESEAL_TOKEN_MAX_TRIES - st->failures;
    if (left <= 0)
        return eseal_err_set(err, ESEAL_E_DENIED,
                             "PIN 错误, 令牌已锁定 / wrong PIN; the token is now locked: unlock "
                             "it with a code from the platform (eseal token unlock)");
    return eseal_err_set(err, ESEAL_E_DENIED,
                         "PIN 错误, 还可尝试 %d 次 / wrong PIN: %d %s left before the token locks",
                         left, left, left == 1 ? "try" : "tries");
}

/* try_pin unwraps the key with |pin| into |p8|. The attempt is written to
 * disk first and forgiven only after the PIN proved right. */
static eseal_rc try_pin(struct eseal_token *tok, const void *pin, size_t pin_len,
                        struct eseal_buf *p8, struct eseal_err *err)
{
    struct token_state *st = &tok->st;
    if (st->failures >= ESEAL_TOKEN_MAX_TRIES)
        return eseal_err_set(err, ESEAL_E_DENIED, "%s", msg_locked);
    eseal_rc rc = eseal_token_pin_check(pin, pin_len, err);
    if (rc != ESEAL_OK)
        return rc;
    st->failures++;
    rc = state_save(tok->dir, st, 0, err);
    if (rc != ESEAL_OK)
        return rc;
    rc = eseal_unwrap(p8, pin, pin_len, st->key_pin.data, st->key_pin.len, err);
    if (rc == ESEAL_E_CRYPTO)
        return wrong_pin(st, err);
    if (rc != ESEAL_OK)
        return eseal_err_prefix(err, "%s/%s: key_pin", tok->dir, FILE_STATE);
    st->failures = 0;
    return state_save(tok->dir, st, 0, err);
}

eseal_rc eseal_token_unlock_key(struct eseal_token *tok, const void *pin, size_t pin_len,
                                struct eseal_err *err)
{
    eseal_token_lock_key(tok);
    int fd = -1;
    struct eseal_buf p8;
    eseal_buf_init(&p8);
    eseal_rc rc = dir_lock(&fd, tok->dir, err);
    if (rc == ESEAL_OK)
        rc = reload(tok, err);
    if (rc == ESEAL_OK)
        rc = try_pin(tok, pin, pin_len, &p8, err);
    if (rc == ESEAL_OK)
        rc = key_from_pkcs8(&tok->key, &p8, tok->pub, err);
    eseal_buf_cleanse(&p8);
    dir_unlock(fd);
    return rc;
}

static eseal_rc need_key(const struct eseal_token *tok, struct eseal_err *err)
{
    if (tok->key == NULL)
        return eseal_err_set(err, ESEAL_E_DENIED,
                             "需要 PIN / the token key is not unlocked: give the PIN first");
    return ESEAL_OK;
}

/* ---- signing ------------------------------------------------------------ */

eseal_rc eseal_token_sign(struct eseal_token *tok, const void *msg, size_t msg_len,
                          struct eseal_buf *sig, struct eseal_err *err)
{
    eseal_rc rc = need_key(tok, err);
    if (rc != ESEAL_OK)
        return rc;
    return eseal_sm2_sign(tok->key, msg, msg_len, sig, err);
}

eseal_rc eseal_token_signer(void *tok, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                            struct eseal_err *err)
{
    return eseal_token_sign(tok, msg, msg_len, sig, err);
}

/* ---- subjects and requests ---------------------------------------------- */

/* next_value copies the value starting at |*p| into |out| up to an
 * unescaped '/' or the end, resolving backslash escapes. */
static eseal_rc next_value(struct eseal_buf *out, const char **p, const char *type,
                           struct eseal_err *err)
{
    eseal_buf_reset(out);
    const char *s = *p;
    for (; *s != '\0' && *s != '/'; s++) {
        if (*s == '\\') {
            s++; /* the escaped character is taken as it is */
            if (*s == '\0')
                return eseal_err_set(err, ESEAL_E_INVALID,
                                     "subject: the value of %s ends with a lone backslash", type);
        }
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "subject: the value of %s has a control character", type);
        eseal_buf_append(out, s, 1);
    }
    *p = s;
    if (out->len == 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "subject: %s has an empty value", type);
    return ESEAL_OK;
}

/* add_component parses one "type=value" at |*p| (just past its '/'). */
static eseal_rc add_component(X509_NAME *name, const char **p, struct eseal_err *err)
{
    const char *s = *p;
    size_t type_len = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.");
    if (type_len == 0 || s[type_len] != '=')
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "subject: expected type=value after '/' at \"%.20s\"", s);
    char *type = eseal_xstrndup(s, type_len);
    int nid = OBJ_txt2nid(type);
    struct eseal_buf value;
    eseal_buf_init(&value);
    eseal_rc rc = ESEAL_OK;
    *p = s + type_len + 1;
    if (nid == NID_undef)
        rc = eseal_err_set(err, ESEAL_E_INVALID, "subject: unknown attribute type \"%s\"", type);
    else
        rc = next_value(&value, p, type, err);
    if (rc == ESEAL_OK && X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, value.data,
                                                     (int)value.len, -1, 0) != 1)
        rc = eseal_err_openssl(err, ESEAL_E_INVALID,
                               "subject: the value of %s is not valid for that type "
                               "(UTF-8, length, characters)",
                               type);
    eseal_buf_cleanup(&value);
    free(type);
    return rc;
}

eseal_rc eseal_token_subject_parse(X509_NAME **out, const char *subject, struct eseal_err *err)
{
    *out = NULL;
    if (strlen(subject) > ESEAL_TOKEN_SUBJECT_MAX)
        return eseal_err_set(err, ESEAL_E_INVALID, "subject longer than %d bytes",
                             ESEAL_TOKEN_SUBJECT_MAX);
    if (subject[0] != '/' || subject[1] == '\0')
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "主题格式错误 / subject must look like \"/CN=name/O=unit\" "
                             "(openssl -subj syntax)");
    X509_NAME *name = X509_NAME_new();
    const char *p = subject;
    eseal_rc rc = ESEAL_OK;
    while (rc == ESEAL_OK && *p == '/') {
        p++;
        rc = add_component(name, &p, err);
    }
    if (rc != ESEAL_OK) {
        X509_NAME_free(name);
        return rc;
    }
    *out = name;
    return ESEAL_OK;
}

static eseal_rc req_pem(struct eseal_buf *pem, X509_REQ *req, struct eseal_err *err)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL || PEM_write_bio_X509_REQ(bio, req) != 1) {
        BIO_free(bio);
        return eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot encode the request");
    }
    char *text = NULL;
    long n = BIO_get_mem_data(bio, &text);
    eseal_buf_reset(pem);
    eseal_buf_append(pem, text, (size_t)n);
    BIO_free(bio);
    return ESEAL_OK;
}

eseal_rc eseal_token_csr(struct eseal_token *tok, const char *subject, struct eseal_buf *pem,
                         struct eseal_err *err)
{
    X509_NAME *name = NULL;
    eseal_rc rc = need_key(tok, err);
    if (rc == ESEAL_OK)
        rc = eseal_token_subject_parse(&name, subject, err);
    if (rc != ESEAL_OK)
        return rc;
    X509_REQ *req = X509_REQ_new();
    if (req == NULL || X509_REQ_set_version(req, X509_REQ_VERSION_1) != 1 ||
        X509_REQ_set_subject_name(req, name) != 1 || X509_REQ_set_pubkey(req, tok->pub) != 1)
        rc = eseal_err_openssl(err, ESEAL_E_INTERNAL, "cannot build the request");
    if (rc == ESEAL_OK)
        rc = eseal_x509_req_sign(req, tok->key, err);
    if (rc == ESEAL_OK)
        rc = req_pem(pem, req, err);
    X509_REQ_free(req);
    X509_NAME_free(name);
    return rc;
}

/* ---- import ------------------------------------------------------------- */

/* check_seal: the seal parses, its maker signature verifies, and its
 * certList holds |x|: a seal made for another certificate is not this
 * token's. (Whether the maker is the platform's is for verifiers to check
 * against their trusted roots.) */
static eseal_rc check_seal(X509 *x, const uint8_t *seal, size_t seal_len, struct eseal_err *err)
{
    struct eseal_seal *s = NULL;
    struct eseal_buf der;
    eseal_buf_init(&der);
    eseal_rc rc = eseal_seal_parse(&s, seal, seal_len, err);
    if (rc == ESEAL_OK)
        rc = eseal_seal_check_maker(s, err);
    if (rc == ESEAL_OK) {
        eseal_pki_cert_der(x, &der);
        if (!eseal_seal_has_cert(s, der.data, der.len))
            rc = eseal_err_set(err, ESEAL_E_INVALID,
                               "印章不含本令牌的证书 / the seal's certificate list does not hold "
                               "this token's certificate");
    }
    if (rc != ESEAL_OK)
        eseal_err_prefix(err, "seal");
    eseal_seal_free(s);
    eseal_buf_cleanup(&der);
    return rc;
}

static eseal_rc check_import(X509 **x, const struct eseal_token *tok, const uint8_t *cert,
                             size_t cert_len, const uint8_t *seal, size_t seal_len,
                             struct eseal_err *err)
{
    eseal_rc rc = eseal_pki_cert_parse(x, cert, cert_len, err);
    if (rc != ESEAL_OK)
        return rc;
    if (EVP_PKEY_eq(X509_get0_pubkey(*x), tok->pub) != 1) {
        ERR_clear_error();
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "证书公钥与令牌不符 / the certificate does not hold this token's "
                             "public key");
    }
    if (seal != NULL && seal_len == 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "印章文件为空 / the seal file is empty");
    if (seal != NULL && seal_len > ESEAL_TOKEN_SEAL_MAX)
        return eseal_err_set(err, ESEAL_E_TOOBIG, "the seal file is larger than %d bytes",
                             ESEAL_TOKEN_SEAL_MAX);
    return seal != NULL ? check_seal(*x, seal, seal_len, err) : ESEAL_OK;
}

static eseal_rc write_in(const char *dir, const char *name, const void *data, size_t len,
                         struct eseal_err *err)
{
    char *path = path_in(dir, name);
    eseal_rc rc = eseal_file_write(path, data, len, 0600, 0, err);
    free(path);
    return rc;
}

/* store_import writes the seal first and the certificate last, so a crash
 * in between leaves the old certificate with at worst a newer seal. */
static eseal_rc store_import(struct eseal_token *tok, X509 *x, const uint8_t *seal, size_t seal_len,
                             struct eseal_err *err)
{
    eseal_rc rc = ESEAL_OK;
    if (seal != NULL) {
        rc = write_in(tok->dir, FILE_SEAL, seal, seal_len, err);
    } else if (tok->cert != NULL && X509_cmp(tok->cert, x) != 0) {
        char *path = path_in(tok->dir, FILE_SEAL);
        if (unlink(path) != 0 && errno != ENOENT)
            rc = eseal_err_set(err, ESEAL_E_IO, "%s: %s", path, strerror(errno));
        free(path);
    }
    if (rc != ESEAL_OK)
        return rc;
    char *pem = eseal_pki_cert_pem(x);
    rc = write_in(tok->dir, FILE_CERT, pem, strlen(pem), err);
    free(pem);
    return rc;
}

eseal_rc eseal_token_import(struct eseal_token *tok, const uint8_t *cert, size_t cert_len,
                            const uint8_t *seal, size_t seal_len, struct eseal_err *err)
{
    X509 *x = NULL;
    int fd = -1;
    eseal_rc rc = need_key(tok, err);
    if (rc == ESEAL_OK)
        rc = dir_lock(&fd, tok->dir, err);
    if (rc == ESEAL_OK)
        rc = reload(tok, err);
    if (rc == ESEAL_OK && eseal_token_locked(tok))
        rc = eseal_err_set(err, ESEAL_E_DENIED, "%s", msg_locked);
    if (rc == ESEAL_OK)
        rc = check_import(&x, tok, cert, cert_len, seal, seal_len, err);
    if (rc == ESEAL_OK)
        rc = store_import(tok, x, seal, seal_len, err);
    if (rc == ESEAL_OK)
        rc = reload(tok, err);
    X509_free(x);
    dir_unlock(fd);
    return rc;
}

/* ---- changing the PIN --------------------------------------------------- */

/* rewrap_pin replaces the PIN wrap in |st| with one of |p8| under |pin|. */
static eseal_rc rewrap_pin(struct token_state *st, const struct eseal_buf *p8, const void *pin,
                           size_t pin_len, struct eseal_err *err)
{
    struct eseal_buf wrapped;
    eseal_buf_init(&wrapped);
    eseal_rc rc = eseal_wrap(&wrapped, pin, pin_len, p8->data, p8->len, err);
    if (rc == ESEAL_OK) {
        eseal_buf_cleanup(&st->key_pin);
        st->key_pin = wrapped;
    } else {
        eseal_buf_cleanup(&wrapped);
    }
    return rc;
}

eseal_rc eseal_token_change_pin(struct eseal_token *tok, const void *new_pin, size_t new_pin_len,
                                struct eseal_err *err)
{
    struct eseal_buf p8;
    eseal_buf_init(&p8);
    int fd = -1;
    eseal_rc rc = need_key(tok, err);
    if (rc == ESEAL_OK)
        rc = eseal_token_pin_check(new_pin, new_pin_len, err);
    if (rc == ESEAL_OK)
        rc = dir_lock(&fd, tok->dir, err);
    if (rc == ESEAL_OK)
        rc = reload(tok, err);
    if (rc == ESEAL_OK && eseal_token_locked(tok))
        rc = eseal_err_set(err, ESEAL_E_DENIED, "%s", msg_locked);
    if (rc == ESEAL_OK)
        rc = key_to_pkcs8(&p8, tok->key, err);
    if (rc == ESEAL_OK)
        rc = rewrap_pin(&tok->st, &p8, new_pin, new_pin_len, err);
    if (rc == ESEAL_OK)
        rc = state_save(tok->dir, &tok->st, 0, err);
    eseal_buf_cleanse(&p8);
    dir_unlock(fd);
    return rc;
}

/* ---- unlock codes ------------------------------------------------------- */

/* valid_now: notBefore <= now < notAfter. */
static int valid_now(X509 *x, time_t now)
{
    return X509_cmp_time(X509_get0_notBefore(x), &now) < 0 &&
           X509_cmp_time(X509_get0_notAfter(x), &now) > 0;
}

/* check_root accepts the code's root only if its key signed the token's own
 * holder certificate: that certificate came from the platform, so only the
 * platform's real root passes. */
static eseal_rc check_root(X509 *root, X509 *holder, time_t now, struct eseal_err *err)
{
    EVP_PKEY *rk = X509_get0_pubkey(root);
    if (rk == NULL || !eseal_sm2_is(rk) ||
        X509_NAME_cmp(X509_get_issuer_name(holder), X509_get_subject_name(root)) != 0 ||
        eseal_x509_check_signed_by(holder, rk, NULL) != ESEAL_OK) {
        ERR_clear_error();
        return eseal_err_set(err, ESEAL_E_DENIED,
                             "解锁码的根证书不是本令牌证书的签发者 / the unlock code's root "
                             "certificate did not issue this token's certificate");
    }
    if (eseal_x509_check_signed_by(root, rk, NULL) != ESEAL_OK || X509_check_ca(root) != 1 ||
        !(X509_get_key_usage(root) & KU_KEY_CERT_SIGN) || !valid_now(root, now)) {
        ERR_clear_error();
        return eseal_err_set(err, ESEAL_E_DENIED,
                             "the unlock code's root is not a valid self-signed CA certificate");
    }
    return ESEAL_OK;
}

static eseal_rc check_maker(X509 *maker, X509 *root, time_t now, struct eseal_err *err)
{
    EVP_PKEY *mk = X509_get0_pubkey(maker);
    int ok = mk != NULL && eseal_sm2_is(mk) &&
             X509_NAME_cmp(X509_get_issuer_name(maker), X509_get_subject_name(root)) == 0 &&
             eseal_x509_check_signed_by(maker, X509_get0_pubkey(root), NULL) == ESEAL_OK;
    ERR_clear_error();
    if (!ok)
        return eseal_err_set(err, ESEAL_E_DENIED,
                             "解锁码签发者证书不是平台根签发的 / the unlock code's signer "
                             "certificate is not issued by the platform root");
    if (X509_check_ca(maker) != 0 || !(X509_get_key_usage(maker) & KU_DIGITAL_SIGNATURE) ||
        !eseal_unlock_is_platform_maker(maker, root))
        return eseal_err_set(err, ESEAL_E_DENIED,
                             "解锁码签发者不是平台印章制作者 / the unlock code is not signed by "
                             "the platform seal maker");
    if (!valid_now(maker, now))
        return eseal_err_set(err, ESEAL_E_DENIED,
                             "the platform seal maker certificate is not valid now");
    return ESEAL_OK;
}

/* check_binding: the code is for this token, at its current counter, and
 * fresh. Checked first: these are the refusals a person can act on. */
static eseal_rc check_binding(const struct eseal_unlock_code *c, const struct token_state *st,
                              time_t now, struct eseal_err *err)
{
    if (strcmp(c->token_id, st->id) != 0)
        return eseal_err_set(err, ESEAL_E_DENIED,
                             "解锁码不属于此令牌 / the unlock code is for token %s, not this "
                             "token (%s)",
                             c->token_id, st->id);
    if (c->counter < st->unlock_counter)
        return eseal_err_set(err, ESEAL_E_DENIED,
                             "解锁码已使用 / the unlock code was already used (it is for unlock "
                             "%u; the token is at %u)",
                             c->counter, st->unlock_counter);
    if (c->counter != st->unlock_counter)
        return eseal_err_set(err, ESEAL_E_DENIED,
                             "解锁码计数不符 / the unlock code is for unlock counter %u; the "
                             "token is at %u",
                             c->counter, st->unlock_counter);
    if (c->issued_at > now + ESEAL_UNLOCK_MAX_SKEW)
        return eseal_err_set(err, ESEAL_E_DENIED, "the unlock code is dated in the future");
    if (now - c->issued_at > ESEAL_UNLOCK_MAX_AGE)
        return eseal_err_set(err, ESEAL_E_DENIED,
                             "解锁码已过期 / the unlock code has expired (valid for %d days)",
                             ESEAL_UNLOCK_MAX_AGE / 86400);
    return ESEAL_OK;
}

/* verify_code checks everything about |c| before anything is changed. */
static eseal_rc verify_code(const struct eseal_unlock_code *c, const struct eseal_token *tok,
                            struct eseal_err *err)
{
    time_t now = time(NULL);
    eseal_rc rc = check_binding(c, &tok->st, now, err);
    if (rc != ESEAL_OK)
        return rc;
    if (tok->cert == NULL)
        return eseal_err_set(err, ESEAL_E_DENIED,
                             "令牌未导入证书 / the token has no certificate: import the one the "
                             "platform issued (eseal token import) before unlocking; it tells "
                             "the token which platform to trust");
    if ((rc = check_root(c->root, tok->cert, now, err)) != ESEAL_OK ||
        (rc = check_maker(c->maker, c->root, now, err)) != ESEAL_OK)
        return rc;
    rc = eseal_sm2_verify(X509_get0_pubkey(c->maker), c->tbs.data, c->tbs.len, c->sig.data,
                          c->sig.len, err);
    if (rc != ESEAL_OK)
        return eseal_err_set(err, ESEAL_E_CRYPTO,
                             "解锁码签名无效 / the unlock code's signature does not verify");
    return ESEAL_OK;
}

/* reset_with_secret re-wraps the key (from its unlock-secret copy) under
 * |new_pin| and commits the reset: failures 0, counter + 1, in one write. */
static eseal_rc reset_with_secret(struct eseal_token *tok, const void *new_pin, size_t new_pin_len,
                                  struct eseal_err *err)
{
    struct eseal_buf secret, p8;
    eseal_buf_init(&secret);
    eseal_buf_init(&p8);
    EVP_PKEY *key = NULL;
    struct token_state *st = &tok->st;
    eseal_rc rc = unlock_secret_load(&secret, tok->dir, err);
    if (rc == ESEAL_OK && (rc = eseal_unwrap(&p8, secret.data, secret.len, st->key_unlock.data,
                                             st->key_unlock.len, err)) != ESEAL_OK)
        eseal_err_set(err, rc, "%s does not open this token's key", FILE_UNLOCK);
    if (rc == ESEAL_OK)
        rc = key_from_pkcs8(&key, &p8, tok->pub, err);
    if (rc == ESEAL_OK)
        rc = rewrap_pin(st, &p8, new_pin, new_pin_len, err);
    if (rc == ESEAL_OK) {
        st->failures = 0;
        st->unlock_counter++;
        rc = state_save(tok->dir, st, 0, err);
    }
    EVP_PKEY_free(key);
    eseal_buf_cleanse(&p8);
    eseal_buf_cleanse(&secret);
    return rc;
}

eseal_rc eseal_token_reset_pin(struct eseal_token *tok, const uint8_t *code, size_t code_len,
                               const void *new_pin, size_t new_pin_len, struct eseal_err *err)
{
    struct eseal_unlock_code *c = NULL;
    int fd = -1;
    eseal_token_lock_key(tok);
    eseal_rc rc = eseal_token_pin_check(new_pin, new_pin_len, err);
    if (rc == ESEAL_OK)
        rc = eseal_unlock_code_parse(&c, code, code_len, err);
    if (rc == ESEAL_OK)
        rc = dir_lock(&fd, tok->dir, err);
    if (rc == ESEAL_OK)
        rc = reload(tok, err);
    if (rc == ESEAL_OK && tok->st.unlock_counter >= ESEAL_UNLOCK_COUNTER_MAX)
        rc = eseal_err_set(err, ESEAL_E_CONFLICT, "the token's unlock counter is exhausted");
    if (rc == ESEAL_OK)
        rc = verify_code(c, tok, err);
    if (rc == ESEAL_OK)
        rc = reset_with_secret(tok, new_pin, new_pin_len, err);
    if (rc != ESEAL_OK && fd >= 0)
        (void)reload(tok, NULL); /* back to what is on disk */
    dir_unlock(fd);
    eseal_unlock_code_free(c);
    return rc;
}

/* ---- show --------------------------------------------------------------- */

static json_t *seal_json(const struct eseal_buf *seal)
{
    if (seal->len == 0)
        return json_null();
    char *sm3 = eseal_sm3_hex(seal->data, seal->len);
    json_t *j = json_pack("{s:I, s:s}", "size", (json_int_t)seal->len, "sm3", sm3);
    free(sm3);
    return j;
}

json_t *eseal_token_show(const struct eseal_token *tok)
{
    char *fp = eseal_sm3_hex(tok->st.spki.data, tok->st.spki.len);
    char *unlock_path = path_in(tok->dir, FILE_UNLOCK);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:I, s:s, s:b, s:o, s:o}", "dir",
                          tok->dir, "id", tok->st.id, "created", tok->st.created, "state",
                          eseal_token_locked(tok) ? "locked" : "ok", "pin_tries_left",
                          eseal_token_tries_left(tok), "pin_max_tries", ESEAL_TOKEN_MAX_TRIES,
                          "unlock_counter", (json_int_t)tok->st.unlock_counter, "public_key_sm3",
                          fp, "unlock_key_present", access(unlock_path, F_OK) == 0, "certificate",
                          tok->cert != NULL ? eseal_pki_cert_json(tok->cert) : json_null(), "seal",
                          seal_json(&tok->seal));
    free(unlock_path);
    free(fp);
    return j;
}
