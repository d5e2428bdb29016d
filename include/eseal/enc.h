/* enc.h — hex and base64 text encodings (libsodium underneath). */
#ifndef ESEAL_ENC_H
#define ESEAL_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

enum eseal_b64 {
    ESEAL_B64_STD, /* RFC 4648 §4 with padding */
    ESEAL_B64_URL, /* RFC 4648 §5 without padding */
};

/* eseal_hex returns the lower-case hex of |data| as a new string; free() it. */
char *eseal_hex(const uint8_t *data, size_t len);

/* eseal_unhex decodes the hex text |hex| (|hex_len| chars, either case) into
 * |out| (replacing it). Odd length or a non-hex character is ESEAL_E_INVALID. */
eseal_rc eseal_unhex(struct eseal_buf *out, const char *hex, size_t hex_len,
                     struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_base64 returns the base64 of |data| as a new string; free() it. */
char *eseal_base64(const uint8_t *data, size_t len, enum eseal_b64 variant);

/* eseal_unbase64 decodes |text| strictly (no whitespace, correct padding for
 * ESEAL_B64_STD) into |out| (replacing it); bad input is ESEAL_E_INVALID. */
eseal_rc eseal_unbase64(struct eseal_buf *out, const char *text, size_t text_len,
                        enum eseal_b64 variant, struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
