/* mail.h — sending one plain-text e-mail through an SMTP relay: the one
 * adapter over libcurl's SMTP. smtp:// (STARTTLS used when the relay offers
 * it, required when credentials are given) or smtps://; the message is
 * built here as UTF-8 text/plain, base64 transfer encoding, the subject
 * RFC 2047-encoded. Blocking with one deadline: call it from a background
 * thread. Thread-safe: every message has its own libcurl handle. */
#ifndef ESEAL_MAIL_H
#define ESEAL_MAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "eseal/rc.h"

#define ESEAL_MAIL_TIMEOUT_MS 30000
#define ESEAL_MAIL_ADDR_MAX 254

/* struct eseal_mail_relay says where mail goes. Borrowed for each call. */
struct eseal_mail_relay {
    const char *url;      /* "smtp://host[:port]" or "smtps://host[:port]" */
    const char *username; /* NULL: no authentication */
    const char *password; /* with |username| */
    const char *ca_file;  /* PEM CA certificates for TLS; NULL: the system store */
    unsigned timeout_ms;  /* 0: ESEAL_MAIL_TIMEOUT_MS */
};

/* struct eseal_mail is one message to one recipient. Borrowed for the call. */
struct eseal_mail {
    const char *from;    /* envelope and From: address (plain local@domain) */
    const char *to;      /* envelope and To: address */
    const char *subject; /* UTF-8, one line */
    const char *body;    /* UTF-8 text; "\n" line ends */
};

/* eseal_mail_addr_ok tells whether |addr| is a plain local@domain of
 * printable ASCII without spaces, quotes, brackets, commas or a second '@',
 * at most ESEAL_MAIL_ADDR_MAX bytes: what eseal_mail_send accepts. */
bool eseal_mail_addr_ok(const char *addr);

/* eseal_mail_send delivers |m| to the relay. An address with spaces,
 * control characters, brackets or without '@', a subject with a line
 * break, or a URL of another scheme is ESEAL_E_INVALID before anything is
 * sent; a relay that cannot be reached or the deadline passing
 * ESEAL_E_UNAVAILABLE; a refusal by the relay (authentication, recipient)
 * ESEAL_E_DENIED; a TLS failure ESEAL_E_CRYPTO. |err| gets libcurl's
 * reason, never the password. */
eseal_rc eseal_mail_send(const struct eseal_mail_relay *relay, const struct eseal_mail *m,
                         struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
