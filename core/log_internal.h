/* log_internal.h — what the event-log files of core/ share: the on-disk
 * names and record framing, the segment scanner's pieces, and the canonical
 * entry check. Not part of the public API. */
#ifndef ESEAL_CORE_LOG_INTERNAL_H
#define ESEAL_CORE_LOG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "eseal/buf.h"
#include "eseal/log.h"
#include "eseal/merkle.h"
#include "eseal/rc.h"

#define LOG_FILE_META "log.json"
#define LOG_DIR_SEGMENTS "segments"
#define LOG_FILE_CHECKPOINTS "checkpoints"
#define LOG_DIR_INDEX "index"
#define LOG_FORMAT 1
#define LOG_META_MAX (64 * 1024)

/* A record: 4-byte big-endian length | 32-byte hash | data. The hash is
 * SHA-256(0x00 || data), the RFC 6962 leaf hash, for entries and for
 * checkpoint notes alike. */
#define LOG_REC_HDR (4 + ESEAL_MERKLE_HASH_LEN)
/* "00000000000000000000.seg": the first entry index, 20 digits. */
#define LOG_SEG_NAME_LEN 24

/* The canonical JSON flags: compact, keys sorted, UTF-8 kept. */
#define LOG_JSON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS)

enum log_rec_status {
    LOG_REC_OK,      /* a complete record whose hash matches */
    LOG_REC_END,     /* |off| is exactly the end of the file */
    LOG_REC_SHORT,   /* the header or the data runs past the end of the file */
    LOG_REC_BADLEN,  /* length 0 or above the limit, yet within the file */
    LOG_REC_BADHASH, /* complete, but the data does not hash to the header */
    LOG_REC_IO,      /* read error; |err| says which */
};

struct log_rec {
    uint64_t off; /* where the record starts */
    uint32_t len; /* data length from the header */
    uint8_t hash[ESEAL_MERKLE_HASH_LEN];
};

/* log_rec_read reads the record at |off| of |fd| (a file of |file_size|
 * bytes) with data at most |max_len|; the data goes into |data| (replaced)
 * when it is not NULL, and is then checked against the hash (without |data|
 * only the framing is checked). */
enum log_rec_status log_rec_read(int fd, uint64_t off, uint64_t file_size, size_t max_len,
                                 struct log_rec *rec, struct eseal_buf *data,
                                 struct eseal_err *err);

/* log_rec_end is the offset just past a record whose header was read. */
uint64_t log_rec_end(const struct log_rec *rec);

/* log_rec_torn decides whether a bad record |st| at rec->off of the last
 * file is a torn tail: it runs past the end, or it is the final record
 * (ending exactly at the end), or everything from it to the end is zero
 * bytes (the file grew but the data never landed). */
bool log_rec_torn(int fd, enum log_rec_status st, const struct log_rec *rec, uint64_t file_size);

/* log_rec_status_text describes a bad status for messages. */
const char *log_rec_status_text(enum log_rec_status st);

/* struct log_cursor walks the records of one file for log_cursor_next. Set
 * the fields above |rec|; the rest are its results. */
struct log_cursor {
    int fd;
    const char *path;       /* named in messages (entries: by its file name) */
    uint64_t size;          /* the file's size (UINT64_MAX: never the end) */
    size_t max_len;         /* ESEAL_LOG_ENTRY_MAX or ESEAL_LOG_NOTE_MAX */
    bool entries;           /* entries, counted by |seq|, rather than checkpoint notes */
    bool tail;              /* the file last written: a torn tail ends it quietly */
    bool need;              /* a record must be there: the end of the file is bad */
    uint64_t seq;           /* entries: the index of the record at |off| */
    uint64_t off;           /* the next record */
    struct log_rec rec;     /* the record last read */
    enum log_rec_status st; /* its status */
    bool torn;              /* the walk ended at a torn tail */
};

/* log_cursor_next reads the record at c->off into |data| (NULL: only the
 * framing is checked). A good record: ESEAL_OK with *got set, c->off past
 * it and c->seq counted. ESEAL_OK with *got false: the end of the file, or
 * with c->tail a torn tail (c->torn). Otherwise c->off stays on the record:
 * ESEAL_E_IO for a read error; ESEAL_E_CRYPTO for a bad record, named as
 * "entry N (<file>, offset O) is corrupt: <why>" or "<path>, offset O: <why>"
 * (c->st says what is wrong). */
eseal_rc log_cursor_next(struct log_cursor *c, struct eseal_buf *data, bool *got,
                         struct eseal_err *err);

/* log_rec_header fills the 36-byte header for |len| bytes hashing to |hash|. */
void log_rec_header(uint8_t hdr[LOG_REC_HDR], uint32_t len,
                    const uint8_t hash[ESEAL_MERKLE_HASH_LEN]);

/* log_pread_full reads exactly |len| bytes at |off| (ESEAL_E_IO otherwise). */
eseal_rc log_pread_full(int fd, void *buf, size_t len, uint64_t off, const char *what,
                        struct eseal_err *err);
/* log_pwrite_full writes all of |len| bytes at |off|. */
eseal_rc log_pwrite_full(int fd, const void *buf, size_t len, uint64_t off, const char *what,
                         struct eseal_err *err);
/* log_fsync_dir makes the names in directory |path| durable. */
eseal_rc log_fsync_dir(const char *path, struct eseal_err *err);

/* struct log_seg_name is one segment file found in a directory. */
struct log_seg_name {
    uint64_t first;
    char *path;
};

/* log_segs_list lists the segment files of |seg_dir| sorted by first index
 * (a missing directory is an empty list). Other files are ignored. Free
 * with log_segs_free. */
eseal_rc log_segs_list(const char *seg_dir, struct log_seg_name **out, size_t *n,
                       struct eseal_err *err);
void log_segs_free(struct log_seg_name *segs, size_t n);
/* log_seg_path returns "seg_dir/<first>.seg" (free() it). */
char *log_seg_path(const char *seg_dir, uint64_t first);
/* log_seg_base returns the file name part of |path| (borrowed). */
const char *log_seg_base(const char *path);

/* log_entry_check checks that |data| is a JSON object in canonical form whose
 * "seq" is |seq|; with |out| the parsed object is returned (caller decrefs).
 * Failures are ESEAL_E_CRYPTO with the reason. */
eseal_rc log_entry_check(const uint8_t *data, size_t len, uint64_t seq, json_t **out,
                         struct eseal_err *err);

/* log_entry_canonical writes the canonical bytes of the entry object |e|
 * into |out| (replaced) for hashing entries received as JSON. */
eseal_rc log_entry_canonical(const json_t *e, struct eseal_buf *out, struct eseal_err *err);

/* log_meta_read reads DIR/log.json into |key| (the log's verifier key). */
eseal_rc log_meta_read(const char *dir, struct eseal_log_key *key, struct eseal_err *err);

/* LOG_KEYS_MAX bounds the keys a log has had (its key and retired ones). */
#define LOG_KEYS_MAX 16

/* log_meta_retired reads the keys a rotation retired (log.json "retired",
 * eseal_log_rekey) into keys[0..*n), at most |max|. */
eseal_rc log_meta_retired(const char *dir, struct eseal_log_key *keys, size_t max, size_t *n,
                          struct eseal_err *err);

/* log_parse_u64 parses a decimal without sign, spaces or leading zeros
 * (other than "0") that fits in 64 bits. */
bool log_parse_u64(const char *s, size_t len, uint64_t *out);

/* log_url_join returns base + path, without doubling a '/' (free() it). */
char *log_url_join(const char *base, const char *path);

/* log_http_get_json fetches |url| and parses a JSON object from a 200 reply;
 * other statuses are ESEAL_E_IO naming the status and the server's message. */
eseal_rc log_http_get_json(const char *url, json_t **out, struct eseal_err *err);
/* log_http_get_text fetches |url| expecting 200 and at most |max| bytes. */
eseal_rc log_http_get_text(const char *url, size_t max, struct eseal_buf *out,
                           struct eseal_err *err);
/* log_proof_from_json reads {"hashes":[base64...]} into |out|. */
eseal_rc log_proof_from_json(const json_t *j, struct eseal_merkle_proof *out,
                             struct eseal_err *err);
/* log_fetch_checkpoint fetches base/log/checkpoint and verifies it with
 * |key|; a bad note is ESEAL_E_CRYPTO. */
eseal_rc log_fetch_checkpoint(const char *base, const struct eseal_log_key *key,
                              struct eseal_log_checkpoint *cp, struct eseal_err *err);
/* log_fetch_page fetches entries [start, end) (the server may cut the page
 * short, but not to nothing), checks each item ("seq", canonical form) and
 * appends the entry objects to |out| (may be NULL) and their leaf hashes to
 * |leaves|. A bad item is ESEAL_E_CRYPTO naming the entry. */
eseal_rc log_fetch_page(const char *base, uint64_t start, uint64_t end, json_t *out,
                        struct eseal_buf *leaves, struct eseal_err *err);
/* log_fetch_proof fetches base/log/proof/<kind>?<a>=<av>&<b>=<bv>. */
eseal_rc log_fetch_proof(const char *base, const char *kind, const char *a, uint64_t av,
                         const char *b, uint64_t bv, struct eseal_merkle_proof *out,
                         struct eseal_err *err);

#endif
