/* ofd_stamp.h — adding a seal signature to an OFD package (issue #15,
 * docs/ofd.md "Stamping"). */
#ifndef ESEAL_TOOLS_OFD_STAMP_H
#define ESEAL_TOOLS_OFD_STAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/sm.h"

/* struct ofd_place is where the stamp goes: page |page| (1-based), its
 * top-left corner at |x|, |y| mm; or, with |seam|, a 骑缝章 across the
 * right edge of every page at height |y|. */
struct ofd_place {
    int page;
    double x, y;
    bool seam;
};

/* ofd_stamp writes into |out| the OFD |in| with one more signature: the
 * original entries copied byte for byte, Signatures.xml created (and
 * OFD.xml pointing at it) or appended to, and Doc_0/Signs/Sign_K/ with
 * Seal.esl, Signature.xml (References: SM3 of every other entry except its
 * own Signature.xml and SignedValue.dat) and SignedValue.dat (dataHash =
 * SM3 of Signature.xml, signed with |sign|). The seal must be valid
 * (the caller checked it). |when| 0 means now. With |tsa| (a URL; NULL:
 * none) the signature gets a time-stamp from it (eseal_ts_stamp_ses), and
 * a TSA that fails fails the stamp. */
eseal_rc ofd_stamp(struct eseal_buf *out, const uint8_t *in, size_t in_len, const uint8_t *seal,
                   size_t seal_len, const struct ofd_place *place, time_t when, X509 *signer,
                   eseal_signer sign, void *sign_ctx, const char *tsa,
                   struct eseal_err *err) ESEAL_MUST_CHECK;

/* ofd_sample writes into |out| an unsigned one-page OFD (A4) whose page
 * shows |lines|, for `eseal demo` to stamp. */
eseal_rc ofd_sample(struct eseal_buf *out, const char *doc_id, const char *const *lines,
                    size_t n_lines, struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
