/* fuzz_log_record.c — libFuzzer target for the event log's records: any
 * bytes as a segment or checkpoints file (length | SHA-256 leaf hash | data
 * framing, core/log_record.c) read record by record as a follower or the
 * log's recovery does, each good record checked as entry |seq| in canonical
 * JSON (log_entry_check, then eseal_log_entry_valid) and as a signed
 * checkpoint (fuzz.h); and the whole input as one entry received from
 * GET /log/entries (parsed, its canonical bytes, the same checks).
 * Seeds: a segment and the checkpoints file of a log written by
 * eseal_log_open/append, and single entries. */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "eseal/json.h"
#include "log_internal.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* entry checks |d| as the canonical entry |seq|, and validates it */
static void entry(const uint8_t *d, size_t n, uint64_t seq)
{
    json_t *e = NULL;
    if (log_entry_check(d, n, seq, &e, NULL) == ESEAL_OK) {
        (void)eseal_log_entry_valid(e, NULL);
        json_decref(e);
    }
}

/* records walks the framing of a file holding |data| */
static void records(const uint8_t *data, size_t size)
{
    static int fd = -1;
    if (fd < 0 && (fd = memfd_create("fuzz_log_record", 0)) < 0)
        __builtin_trap();
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        __builtin_trap();
    struct eseal_buf rec_data;
    eseal_buf_init(&rec_data);
    struct log_rec rec;
    uint64_t off = 0;
    for (uint64_t seq = 0;; seq++) {
        enum log_rec_status st =
            log_rec_read(fd, off, size, ESEAL_LOG_ENTRY_MAX, &rec, &rec_data, NULL);
        if (st != LOG_REC_OK) {
            (void)log_rec_torn(fd, st, &rec, size);
            (void)log_rec_status_text(st);
            break;
        }
        if (log_rec_end(&rec) <= off)
            __builtin_trap();
        off = log_rec_end(&rec);
        entry(rec_data.data, rec_data.len, seq);
        struct eseal_log_checkpoint cp;
        (void)eseal_log_checkpoint_verify(&cp, rec_data.data, rec_data.len, fz_log_key(), NULL);
    }
    eseal_buf_cleanup(&rec_data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    records(data, size);
    /* an item of a page: {"seq": n, "entry": {...}} is read as JSON, then
     * hashed as its canonical bytes */
    json_t *j = eseal_json_load(data, size);
    if (json_is_object(j)) {
        json_t *s = json_object_get(j, "seq");
        uint64_t seq = json_is_integer(s) ? (uint64_t)json_integer_value(s) : 0;
        struct eseal_buf canon;
        eseal_buf_init(&canon);
        if (log_entry_canonical(j, &canon, NULL) == ESEAL_OK)
            entry(canon.data, canon.len, seq);
        eseal_buf_cleanup(&canon);
        entry(data, size, seq);
    }
    json_decref(j);
    return 0;
}
