/* json.h — the Jansson adapter: the one way eseal reads JSON text (size and
 * depth limits, duplicate keys refused, errors with line and column in
 * Chinese and English), the getters every module needs, text that need not
 * be UTF-8 turned into JSON strings, and the one UTC ISO 8601 time format
 * that JSON documents, log entries and records carry.
 *
 * Jansson itself is used directly for building and walking values (json_t
 * is the value type here); only parsing and these helpers live behind the
 * adapter, so that every entry point applies the same policy.
 *
 * Thread safety: every function here is safe to call from several threads
 * at once on different values. Jansson values are reference counted without
 * locks: a json_t shared between threads must not be changed (nor its
 * reference count) while another thread reads it. */
#ifndef ESEAL_JSON_H
#define ESEAL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "eseal/rc.h"

/* ESEAL_JSON_DEPTH_MAX is the deepest nesting of arrays and objects any
 * eseal document has room for (a top-level object is depth 1). Jansson
 * refuses more than 2048 levels by itself while parsing (a fixed build-time
 * limit, checked before it recurses, so a deeper document never overflows
 * the stack); the adapter refuses anything past this much smaller limit. */
#define ESEAL_JSON_DEPTH_MAX 64

/* ESEAL_JSON_SIZE_MAX is the default limit on the bytes of one document
 * (struct eseal_json_limits.max_len 0). */
#define ESEAL_JSON_SIZE_MAX (64 * 1024 * 1024)

/* struct eseal_json_limits: zero fields take the defaults. */
struct eseal_json_limits {
    size_t max_len;     /* bytes of the text; 0 = ESEAL_JSON_SIZE_MAX */
    unsigned max_depth; /* nesting; 0 = ESEAL_JSON_DEPTH_MAX (larger values are capped to it) */
    bool allow_nul;     /* accept \u0000 inside strings (json_stringn values) */
};

/* eseal_json_parse parses the |len| bytes at |data| (which need not end in
 * NUL) as one JSON array or object, with nothing but white space after it,
 * and sets |*out| to a new reference the caller json_decref()s. |lim| may
 * be NULL for the defaults.
 *
 * Refused, with |*out| set to NULL: more than lim->max_len bytes
 * (ESEAL_E_TOOBIG); text that is not UTF-8, not JSON or not an array or
 * object at the top; an object with the same key twice; nesting deeper
 * than the depth limit; \u0000 in a string unless allowed (all
 * ESEAL_E_INVALID). The message is Chinese, then English, and says the
 * line and column (counted from 1, columns in bytes) where Jansson found
 * the problem, e.g. "JSON 无效：第 2 行第 4 列，重复的键 / invalid JSON at
 * line 2, column 4: duplicate object key near '"a"'". */
eseal_rc eseal_json_parse(json_t **out, const void *data, size_t len,
                          const struct eseal_json_limits *lim,
                          struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_json_load is eseal_json_parse with the default limits for callers
 * that only need to know whether the text parsed (stored records, replies
 * whose errors are reported otherwise): a new reference, or NULL for
 * anything eseal_json_parse refuses. */
json_t *eseal_json_load(const void *data, size_t len);

/* eseal_json_depth returns how deeply |j| nests arrays and objects: 0 for a
 * scalar or NULL, 1 for [] or {}, 2 for [[]] and so on, counting no further
 * than |stop| (so a caller checking a limit never walks more than it needs).
 * Recursive, but Jansson bounds the depth of what it parses. */
unsigned eseal_json_depth(const json_t *j, unsigned stop);

/* ---- getters ----------------------------------------------------------------- */

/* eseal_json_str returns the string value of member |key| of object |obj|,
 * or NULL if |obj| is not an object, has no such member or it is not a
 * string. The pointer belongs to |obj| and lives as long as that member. */
const char *eseal_json_str(const json_t *obj, const char *key);

/* eseal_json_time reads member |key| of |obj| as a time in the format of
 * eseal_json_time_parse into |*out|; false (|*out| untouched) if it is
 * missing, not a string or not such a time. */
bool eseal_json_time(const json_t *obj, const char *key, int64_t *out);

/* ---- text for people --------------------------------------------------------- */

/* eseal_json_text returns a new JSON string holding |s|, or JSON null for
 * NULL. Text taken from seals, forms or certificates need not be valid UTF-8,
 * which Jansson refuses: then every byte >= 0x80 becomes '?' (so readable
 * ASCII survives). Never returns NULL; the caller owns the reference. */
json_t *eseal_json_text(const char *s);

/* ---- times -------------------------------------------------------------------- */

/* ESEAL_JSON_TIME_LEN is the length of "YYYY-MM-DDTHH:MM:SSZ";
 * ESEAL_JSON_TIME_MS_LEN of "YYYY-MM-DDTHH:MM:SS.mmmZ" (log entries). Buffers
 * for either are ESEAL_JSON_TIME_BUF bytes. */
#define ESEAL_JSON_TIME_LEN 20
#define ESEAL_JSON_TIME_MS_LEN 24
#define ESEAL_JSON_TIME_BUF (ESEAL_JSON_TIME_MS_LEN + 1)

/* eseal_json_time_format writes |t| (seconds since 1970 UTC) into |out| of
 * |out_len| bytes as "YYYY-MM-DDTHH:MM:SSZ", or with |ms| >= 0 as
 * "YYYY-MM-DDTHH:MM:SS.mmmZ" (|ms| taken modulo 1000), NUL-terminated.
 * Years outside 0000..9999 cannot be written, nor a time that does not fit
 * |out_len|: then |out| is "" (if |out_len| > 0) and the result false. */
bool eseal_json_time_format(char *out, size_t out_len, int64_t t, int ms);

/* eseal_json_time_now writes the current UTC time as eseal_json_time_format
 * does, with milliseconds if |with_ms|; false only if it does not fit. */
bool eseal_json_time_now(char *out, size_t out_len, bool with_ms);

/* eseal_json_time_parse reads "YYYY-MM-DDTHH:MM:SS[.f…]Z" — digits exactly
 * where the format has them, an optional fraction of 1 to 9 digits
 * (dropped: the result is whole seconds), nothing after the Z — into
 * |*out|. Refused (false, |*out| untouched): anything else, including
 * NULL, a date that does not exist (2021-02-30), 24:00:00 and leap
 * seconds (:60), which POSIX time cannot represent. */
bool eseal_json_time_parse(const char *s, int64_t *out);

#endif
