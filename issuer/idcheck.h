/* idcheck.h — China's identifier check characters: the unified social credit
 * code (USCC, GB 32100-2015) and the resident identity number (GB 11643-1999). */
#ifndef ESEAL_ISSUER_IDCHECK_H
#define ESEAL_ISSUER_IDCHECK_H

#include <stdbool.h>
#include <time.h>

/* Result of checking an identifier. A USCC whose shape is right but whose
 * check character is wrong is ESEAL_ID_BAD_CHECK: the issuer treats that as
 * a warning a reviewer acknowledges, because some real codes fail it. */
enum eseal_id_result {
    ESEAL_ID_OK,
    ESEAL_ID_BAD_SHAPE, /* wrong length or characters */
    ESEAL_ID_BAD_CHECK, /* the check character does not match */
    ESEAL_ID_BAD_DATE,  /* ID number: no such birth date, or in the future */
};

/* eseal_uscc_check checks an 18-character USCC: characters from
 * "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I, O, S, V, Z), positions 3–8 digits
 * (the administrative division), and the GB 32100 check character. */
enum eseal_id_result eseal_uscc_check(const char *uscc);

/* eseal_uscc_check_char returns the check character for the first 17
 * characters of |uscc|, or '\0' if they contain an invalid character. */
char eseal_uscc_check_char(const char *uscc);

/* eseal_idnum_check checks an 18-character resident identity number: 17
 * digits, a real birth date YYYYMMDD (1900-01-01 .. |today|, given as a
 * time_t, 0 meaning now), and the ISO 7064 MOD 11-2 check character (digit or
 * 'X'; a lower-case 'x' is refused, the standard writes 'X'). */
enum eseal_id_result eseal_idnum_check(const char *id, time_t today);

/* eseal_id_result_name returns a stable key: "ok", "bad_shape", "bad_check", "bad_date". */
const char *eseal_id_result_name(enum eseal_id_result r);

#endif
