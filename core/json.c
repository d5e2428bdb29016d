/* json.c — the Jansson adapter: parsing with one policy, getters, lossy text
 * and UTC ISO 8601 times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/buf.h"
#include "eseal/json.h"

/* zh_reason names Jansson's error in Chinese; Jansson's own English text
 * (which quotes what it saw) follows it in the message. */
static const char *zh_reason(enum json_error_code c)
{
    switch (c) {
    case json_error_stack_overflow:
        return "嵌套过深";
    case json_error_invalid_utf8:
        return "不是有效的 UTF-8";
    case json_error_premature_end_of_input:
        return "内容不完整";
    case json_error_end_of_input_expected:
        return "末尾有多余内容";
    case json_error_null_character:
    case json_error_null_byte_in_key:
        return "字符串含 NUL 字符";
    case json_error_duplicate_key:
        return "重复的键";
    case json_error_numeric_overflow:
        return "数值超出范围";
    case json_error_out_of_memory:
        return "内存不足";
    default:
        return "语法错误";
    }
}

unsigned eseal_json_depth(const json_t *j, unsigned stop)
{
    if (!json_is_array(j) && !json_is_object(j))
        return 0;
    if (stop <= 1)
        return 1;
    unsigned deepest = 0;
    if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j) && deepest < stop - 1; i++) {
            unsigned d = eseal_json_depth(json_array_get(j, i), stop - 1);
            if (d > deepest)
                deepest = d;
        }
    } else {
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *)j, k, v)
        {
            unsigned d = eseal_json_depth(v, stop - 1);
            if (d > deepest)
                deepest = d;
            if (deepest >= stop - 1)
                break;
        }
    }
    return 1 + deepest;
}

eseal_rc eseal_json_parse(json_t **out, const void *data, size_t len,
                          const struct eseal_json_limits *lim, struct eseal_err *err)
{
    *out = NULL;
    size_t max_len = lim != NULL && lim->max_len != 0 ? lim->max_len : ESEAL_JSON_SIZE_MAX;
    unsigned max_depth = lim != NULL && lim->max_depth != 0 && lim->max_depth < ESEAL_JSON_DEPTH_MAX
                             ? lim->max_depth
                             : ESEAL_JSON_DEPTH_MAX;
    if (len > max_len)
        return eseal_err_set(err, ESEAL_E_TOOBIG,
                             "JSON 超过 %zu 字节 / JSON larger than %zu bytes (%zu)", max_len,
                             max_len, len);
    size_t flags = JSON_REJECT_DUPLICATES;
    if (lim != NULL && lim->allow_nul)
        flags |= JSON_ALLOW_NUL;
    json_error_t je;
    json_t *j = json_loadb(data != NULL ? data : "", len, flags, &je);
    if (j == NULL) {
        /* Jansson quotes the offending bytes ("... near 'xyz'"): the
         * message goes back to the sender and into logs, so it must not
         * carry request bytes. */
        char *near = strstr(je.text, " near ");
        if (near != NULL)
            *near = '\0';
        return eseal_err_set(
            err, ESEAL_E_INVALID,
            "JSON 无效：第 %d 行第 %d 列，%s / invalid JSON at line %d, column %d: %s", je.line,
            je.column, zh_reason(json_error_code(&je)), je.line, je.column, je.text);
    }
    if (eseal_json_depth(j, max_depth + 1) > max_depth) {
        json_decref(j);
        return eseal_err_set(
            err, ESEAL_E_INVALID,
            "JSON 无效：嵌套超过 %u 层 / invalid JSON: nested deeper than %u levels", max_depth,
            max_depth);
    }
    *out = j;
    return ESEAL_OK;
}

json_t *eseal_json_load(const void *data, size_t len)
{
    json_t *j;
    return eseal_json_parse(&j, data, len, NULL, NULL) == ESEAL_OK ? j : NULL;
}

/* ---- getters ------------------------------------------------------------------- */

const char *eseal_json_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

bool eseal_json_time(const json_t *obj, const char *key, int64_t *out)
{
    return eseal_json_time_parse(eseal_json_str(obj, key), out);
}

/* ---- text for people ----------------------------------------------------------- */

json_t *eseal_json_text(const char *s)
{
    if (s == NULL)
        return json_null();
    json_t *j = json_string(s);
    if (j != NULL)
        return j;
    char *copy = eseal_xstrdup(s);
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    j = json_string(copy);
    free(copy);
    return j != NULL ? j : json_null();
}

/* ---- times ------------------------------------------------------------------------ */

bool eseal_json_time_format(char *out, size_t out_len, int64_t t, int ms)
{
    time_t s = (time_t)t;
    struct tm tm;
    if (out_len > 0)
        out[0] = '\0';
    if ((int64_t)s != t || gmtime_r(&s, &tm) == NULL || tm.tm_year < -1900 ||
        tm.tm_year > 9999 - 1900)
        return false;
    /* a roomy buffer: the compiler cannot see that the fields are in range */
    char buf[64];
    int n;
    if (ms < 0)
        n = snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    else
        n = snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
    if (n < 0 || (size_t)n >= out_len)
        return false;
    memcpy(out, buf, (size_t)n + 1);
    return true;
}

bool eseal_json_time_now(char *out, size_t out_len, bool with_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return eseal_json_time_format(out, out_len, (int64_t)ts.tv_sec,
                                  with_ms ? (int)(ts.tv_nsec / 1000000) : -1);
}

/* digits reads exactly |n| decimal digits at |s|. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool eseal_json_time_parse(const char *s, int64_t *out)
{
    int year, mon, mday, hour, min, sec;
    if (s == NULL || strlen(s) < ESEAL_JSON_TIME_LEN || !digits(s, 4, &year) || s[4] != '-' ||
        !digits(s + 5, 2, &mon) || s[7] != '-' || !digits(s + 8, 2, &mday) || s[10] != 'T' ||
        !digits(s + 11, 2, &hour) || s[13] != ':' || !digits(s + 14, 2, &min) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return false;
    const char *rest = s + 19;
    if (*rest == '.') {
        size_t n = 0;
        while (rest[1 + n] >= '0' && rest[1 + n] <= '9')
            n++;
        if (n == 0 || n > 9)
            return false;
        rest += 1 + n;
    }
    if (strcmp(rest, "Z") != 0 || mon < 1 || mon > 12 || mday < 1 || mday > 31 || hour > 23 ||
        min > 59 || sec > 59)
        return false;
    struct tm tm = {
        .tm_year = year - 1900,
        .tm_mon = mon - 1,
        .tm_mday = mday,
        .tm_hour = hour,
        .tm_min = min,
        .tm_sec = sec,
    };
    time_t t = timegm(&tm);
    /* timegm normalises 2021-02-30 to March 2: a round trip catches it. */
    struct tm back;
    if (gmtime_r(&t, &back) == NULL || back.tm_year != year - 1900 || back.tm_mon != mon - 1 ||
        back.tm_mday != mday)
        return false;
    *out = (int64_t)t;
    return true;
}
