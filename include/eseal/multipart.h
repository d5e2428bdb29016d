/* multipart.h — multipart/form-data (RFC 7578), both ways: a small, bounded
 * parser for request bodies, fed chunk by chunk as the body arrives (the
 * HTTP adapter feeds it while it spools) or all at once, that digests each
 * part's data on the way (parts point into the body; only their names are
 * copied), and a builder for the bodies clients send. */
#ifndef ESEAL_MULTIPART_H
#define ESEAL_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/rc.h"
#include "eseal/sm.h"

/* ESEAL_MULTIPART_MAX_PARTS bounds the parts of one body. */
#define ESEAL_MULTIPART_MAX_PARTS 64
/* ESEAL_MULTIPART_HEADER_MAX bounds the header block of one part. */
#define ESEAL_MULTIPART_HEADER_MAX 8192
/* ESEAL_MULTIPART_BOUNDARY_MAX is RFC 2046's limit on a boundary. */
#define ESEAL_MULTIPART_BOUNDARY_MAX 70

/* struct eseal_multipart_part is one part. |name| and |filename| (NULL when
 * the part has none) and |content_type| (NULL when absent) are owned by the
 * struct eseal_multipart; |data| points into the body given to the parser
 * and lives as long as that body; |offset| is where it starts in the body
 * and |sm3| is the SM3 of its |len| bytes, computed while they were parsed. */
struct eseal_multipart_part {
    char *name;
    char *filename;
    char *content_type;
    const uint8_t *data;
    size_t len;
    size_t offset;
    uint8_t sm3[ESEAL_SM3_LEN];
};

/* struct eseal_multipart is caller-owned storage for the parsed parts:
 * eseal_multipart_init before use, eseal_multipart_cleanup after. */
struct eseal_multipart {
    struct eseal_multipart_part *parts;
    size_t n;
};

void eseal_multipart_init(struct eseal_multipart *mp);
void eseal_multipart_cleanup(struct eseal_multipart *mp);

/* eseal_multipart_parse parses |body| (|len| bytes) sent with the request
 * header |content_type| ("multipart/form-data; boundary=..."), replacing
 * what |mp| held: eseal_multipart_scan fed the whole body at once. Every
 * part needs a Content-Disposition of form-data with a name. A content type
 * that is not multipart/form-data or has no usable boundary, a missing final
 * boundary, a part without a name, a header block over
 * ESEAL_MULTIPART_HEADER_MAX or a malformed header is ESEAL_E_INVALID; more
 * than |max_parts| parts (0, or more than ESEAL_MULTIPART_MAX_PARTS:
 * ESEAL_MULTIPART_MAX_PARTS) ESEAL_E_TOOBIG. On failure |mp| is empty. */
eseal_rc eseal_multipart_parse(struct eseal_multipart *mp, const char *content_type,
                               const uint8_t *body, size_t len, size_t max_parts,
                               struct eseal_err *err) ESEAL_MUST_CHECK;

/* struct eseal_multipart_scan parses a body given in chunks of any size
 * (a boundary may be split across them) without keeping them: it holds one
 * part's header block (at most ESEAL_MULTIPART_HEADER_MAX + 4 bytes), each
 * part's offsets and digest and a running SM3 of the part being read —
 * about 16 KiB in all; names are read from the body at the finish. It
 * stops at the first error, which eseal_multipart_scan_finish reports.
 * eseal_multipart_scan_new never fails (a bad |content_type| is reported at
 * the finish); free with eseal_multipart_scan_free (accepts NULL). */
struct eseal_multipart_scan;

struct eseal_multipart_scan *eseal_multipart_scan_new(const char *content_type);
void eseal_multipart_scan_free(struct eseal_multipart_scan *s);

/* eseal_multipart_scan_feed parses the next |len| bytes of the body. */
void eseal_multipart_scan_feed(struct eseal_multipart_scan *s, const uint8_t *chunk, size_t len);

/* eseal_multipart_scan_finish ends the body, which is |body| (|len| bytes:
 * the bytes fed, kept by the caller), and moves the parts into |mp| (as
 * eseal_multipart_parse, with its errors and |max_parts|), their |data|
 * pointing into |body|. Call it once. A |len| other than the bytes fed is
 * ESEAL_E_INTERNAL. */
eseal_rc eseal_multipart_scan_finish(struct eseal_multipart_scan *s, struct eseal_multipart *mp,
                                     const uint8_t *body, size_t len, size_t max_parts,
                                     struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_multipart_find returns the first part named |name|, or NULL. */
const struct eseal_multipart_part *eseal_multipart_find(const struct eseal_multipart *mp,
                                                        const char *name);

/* struct eseal_multipart_builder is caller-owned storage for a body being
 * built: eseal_multipart_builder_init before use,
 * eseal_multipart_builder_cleanup after. Its boundary is random
 * ("eseal-" and 32 hex digits); |content_type| is the header value to send
 * with the body ("multipart/form-data; boundary=..."). */
struct eseal_multipart_builder {
    struct eseal_buf body;
    char boundary[ESEAL_MULTIPART_BOUNDARY_MAX + 1];
    char content_type[ESEAL_MULTIPART_BOUNDARY_MAX + 40];
    size_t n;
    bool finished;
};

void eseal_multipart_builder_init(struct eseal_multipart_builder *b);
void eseal_multipart_builder_cleanup(struct eseal_multipart_builder *b);

/* eseal_multipart_add appends a part named |name| holding |len| bytes of
 * |data| (copied). |filename| (NULL: a plain field) is sent without its
 * directory; |content_type| NULL sends none (files then default to
 * application/octet-stream on the server's side). '"', CR and LF in the
 * name or file name are percent-encoded as RFC 7578 §2 says. An empty name,
 * more than ESEAL_MULTIPART_MAX_PARTS parts, a content type with control
 * characters, data that holds the boundary (a 2^-128 chance: the caller may
 * start again), or a call after eseal_multipart_finish is ESEAL_E_INVALID. */
eseal_rc eseal_multipart_add(struct eseal_multipart_builder *b, const char *name,
                             const char *filename, const char *content_type, const void *data,
                             size_t len, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_multipart_finish appends the closing boundary; afterwards b->body
 * is the complete body to send with b->content_type. At least one part is
 * needed (ESEAL_E_INVALID). Calling it twice is harmless. */
eseal_rc eseal_multipart_finish(struct eseal_multipart_builder *b,
                                struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
