/* unlock.c — making PIN unlock codes for software tokens (口令解锁). */
#include <string.h>
#include <time.h>

#include "eseal/unlock.h"
#include "internal.h"

/* maker_sign adapts eseal_ca_sign to the signer callback of
 * eseal_unlock_code_make: codes are signed by the seal maker only. */
static eseal_rc maker_sign(void *ctx, const uint8_t *msg, size_t msg_len, struct eseal_buf *sig,
                           struct eseal_err *err)
{
    return eseal_ca_sign(ctx, ESEAL_CA_MAKER, msg, msg_len, sig, err);
}

eseal_rc eseal_ca_unlock_code(struct eseal_ca *ca, const char *token_id, uint32_t counter,
                              struct eseal_buf *out, struct eseal_err *err)
{
    if (ca_need_key(ca, ESEAL_CA_UNLOCK_MAKER, err) != ESEAL_OK)
        return ESEAL_E_DENIED;
    /* Tokens accept codes only from a maker so marked (unlock.h): a CA
     * whose maker is not would make codes no token accepts. */
    if (!eseal_unlock_is_platform_maker(ca->cert[ESEAL_CA_MAKER], ca->cert[ESEAL_CA_ROOT]))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "制章证书未标明平台印章制作者 / the maker certificate is not marked "
                             "as the platform seal maker (extended key usage %s)",
                             ESEAL_PLATFORM_MAKER_EKU);
    return eseal_unlock_code_make(out, token_id, counter, time(NULL), ca->cert[ESEAL_CA_MAKER],
                                  ca->cert[ESEAL_CA_ROOT], maker_sign, ca, err);
}
