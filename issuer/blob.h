/* blob.h — the content-addressed material store: applicants' files (letters,
 * forms, impressions, CSRs, …) kept in a directory under their SM3 digest.
 *
 * Layout: <dir>/ab/cd/abcd…(64 hex digits), directories 0700 and files 0600
 * (materials carry personal data such as ID copies). A file is written to a
 * temporary name, fsync'd and linked into place (eseal_file_write), so a
 * name only ever holds complete content; a crash leaves at most a stray
 * "*.tmp.*" file, which no lookup sees. Reads check the digest again, so a
 * file changed on disk is reported, never served. */
#ifndef ESEAL_ISSUER_BLOB_H
#define ESEAL_ISSUER_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/rc.h"
#include "form.h"

/* struct eseal_blob is an open store; it owns a copy of its directory path. */
struct eseal_blob;

/* eseal_blob_open opens the store in |dir|, creating it (0700) if missing.
 * *out is the caller's (eseal_blob_free). */
eseal_rc eseal_blob_open(struct eseal_blob **out, const char *dir,
                         struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_blob_free closes |b|; accepts NULL. The files stay. */
void eseal_blob_free(struct eseal_blob *b);

/* eseal_blob_put stores |data| as a material of |kind| after
 * eseal_material_check (empty or of a content type the kind does not accept:
 * ESEAL_E_INVALID; over the kind's limit: ESEAL_E_TOOBIG; nothing is
 * written then). On success |ref| (may be NULL) receives the kind and the
 * SM3 hex name, and *type (may be NULL) the detected content type. Putting
 * content that is already stored is not an error: it is the same material. */
eseal_rc eseal_blob_put(struct eseal_blob *b, enum eseal_material_kind kind, const uint8_t *data,
                        size_t len, struct eseal_material_ref *ref, enum eseal_content_type *type,
                        struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_blob_get reads the material named |sm3| into |out| (replacing its
 * contents). A name that is not 64 lower-case hex digits is
 * ESEAL_E_INVALID; no such material ESEAL_E_NOTFOUND; content whose digest
 * no longer matches its name ESEAL_E_CRYPTO. */
eseal_rc eseal_blob_get(struct eseal_blob *b, const char *sm3, struct eseal_buf *out,
                        struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_blob_exists tells whether a material named |sm3| is stored (false
 * for a malformed name). */
bool eseal_blob_exists(struct eseal_blob *b, const char *sm3);

/* eseal_blob_reader is eseal_blob_get with the store passed as |blob|, so a
 * store can be handed to the rules engine as its material reader
 * (struct eseal_rules_input.read_material, with material_ctx = the store). */
eseal_rc eseal_blob_reader(void *blob, const char *sm3, struct eseal_buf *out,
                           struct eseal_err *err);

#endif
