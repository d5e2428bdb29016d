/* rc.h — eseal's one result type and the error struct that carries a message. */
#ifndef ESEAL_RC_H
#define ESEAL_RC_H

#include <stddef.h>

#if defined(__GNUC__)
#define ESEAL_MUST_CHECK __attribute__((warn_unused_result))
#define ESEAL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ESEAL_MUST_CHECK
#define ESEAL_PRINTF(f, a)
#endif

/* eseal_rc is returned by every fallible call. ESEAL_OK is zero; the others say
 * what kind of failure it was, never carry data. The HTTP layer maps them to
 * statuses in one table (http.c). */
typedef enum eseal_rc {
    ESEAL_OK = 0,
    ESEAL_E_INVALID,     /* bad input: malformed, wrong type, out of bounds */
    ESEAL_E_NOTFOUND,    /* no such object */
    ESEAL_E_CONFLICT,    /* exists already, or an illegal state transition */
    ESEAL_E_DENIED,      /* not authenticated, not allowed, wrong password */
    ESEAL_E_CRYPTO,      /* a signature or MAC does not verify; decryption failed */
    ESEAL_E_IO,          /* file system or network error */
    ESEAL_E_TOOBIG,      /* input exceeds a size limit */
    ESEAL_E_UNAVAILABLE, /* temporarily cannot serve: try later */
    ESEAL_E_INTERNAL,    /* a bug or a library failure that should not happen */
    ESEAL_E_RULE,        /* well-formed, but refused by a domain rule (findings say which) */
    ESEAL_E_UNAUTH,      /* not logged in: no, expired or unknown credentials */
    ESEAL_E_CSRF,        /* a cookie-authenticated change without the session's CSRF token */
    ESEAL_E_THROTTLED,   /* too many failed attempts: wait (Retry-After) */
} eseal_rc;

/* ESEAL_ERR_MSG_MAX bounds the message kept in struct eseal_err. */
#define ESEAL_ERR_MSG_MAX 512

/* struct eseal_err is caller-owned storage for the reason of a failure.
 * Every function taking a `struct eseal_err *err` accepts NULL. */
struct eseal_err {
    eseal_rc rc;
    char msg[ESEAL_ERR_MSG_MAX];
};

/* eseal_err_clear resets |err| (which may be NULL) to ESEAL_OK and "". */
void eseal_err_clear(struct eseal_err *err);

/* eseal_err_set records |rc| and a printf-style message in |err| (may be NULL)
 * and returns |rc|, so callers can write `return eseal_err_set(err, ...)`. */
eseal_rc eseal_err_set(struct eseal_err *err, eseal_rc rc, const char *fmt, ...) ESEAL_PRINTF(3, 4);

/* eseal_err_openssl is eseal_err_set that appends the reason at the top of
 * OpenSSL's error queue (if any) and then clears the queue. */
eseal_rc eseal_err_openssl(struct eseal_err *err, eseal_rc rc, const char *fmt, ...)
    ESEAL_PRINTF(3, 4);

/* eseal_err_prefix prepends "prefix: " to the message already in |err| (for
 * adding context such as a file name) and returns err->rc (ESEAL_OK if NULL). */
eseal_rc eseal_err_prefix(struct eseal_err *err, const char *fmt, ...) ESEAL_PRINTF(2, 3);

/* eseal_rc_name returns a stable lower-case key for |rc| ("invalid",
 * "not_found", …) for JSON and logs. Static storage. */
const char *eseal_rc_name(eseal_rc rc);

/* eseal_rc_describe returns a short Chinese-and-English description of |rc|
 * ("无效输入 / invalid input") for people. Static storage. */
const char *eseal_rc_describe(eseal_rc rc);

#endif
