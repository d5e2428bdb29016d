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

/* maker_cn_ok: tokens recognise the maker by this CN (unlock.h), so a CA
 * whose maker is named otherwise would make codes no token accepts. */
static int maker_cn_ok(X509 *maker)
{
    const X509_NAME *name = X509_get_subject_name(maker);
    int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (i < 0)
        return 0;
    const ASN1_STRING *cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    size_t want = strlen(ESEAL_PLATFORM_MAKER_CN);
    return (size_t)ASN1_STRING_length(cn) == want &&
           memcmp(ASN1_STRING_get0_data(cn), ESEAL_PLATFORM_MAKER_CN, want) == 0;
}

eseal_rc eseal_ca_unlock_code(struct eseal_ca *ca, const char *token_id, uint32_t counter,
                              struct eseal_buf *out, struct eseal_err *err)
{
    if (ca_need_key(ca, ESEAL_CA_UNLOCK_MAKER, err) != ESEAL_OK)
        return ESEAL_E_DENIED;
    if (!maker_cn_ok(ca->cert[ESEAL_CA_MAKER]))
        return eseal_err_set(err, ESEAL_E_INVALID, "the maker certificate's CN is not \"%s\"",
                             ESEAL_PLATFORM_MAKER_CN);
    return eseal_unlock_code_make(out, token_id, counter, time(NULL), ca->cert[ESEAL_CA_MAKER],
                                  ca->cert[ESEAL_CA_ROOT], maker_sign, ca, err);
}
