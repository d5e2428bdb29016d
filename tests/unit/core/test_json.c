/* test_json.c — the Jansson adapter: limits, duplicate keys, depth, UTF-8,
 * line/column in messages, getters, lossy text, and UTC times. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/buf.h"
#include "eseal/json.h"
#include "testutil.h"

/* refuse parses |text| expecting |want| and a message holding each of the
 * NULL-terminated |parts|; |*out| must be NULL afterwards. */
static void refuse(const char *text, size_t len, const struct eseal_json_limits *lim, eseal_rc want,
                   const char *const *parts)
{
    json_t *j = (json_t *)1;
    struct eseal_err err;
    eseal_err_clear(&err);
    const char *shown = text != NULL ? text : "(NULL)"; /* some cases pass no text */
    eseal_rc rc = eseal_json_parse(&j, text, len, lim, &err);
    if (rc != want)
        fail_msg("%.60s: rc %d, want %d (%s)", shown, rc, want, err.msg);
    assert_null(j);
    assert_int_equal(err.rc, want);
    for (size_t i = 0; parts != NULL && parts[i] != NULL; i++)
        if (strstr(err.msg, parts[i]) == NULL)
            fail_msg("%.60s: message \"%s\" lacks \"%s\"", shown, err.msg, parts[i]);
    if (lim == NULL) /* eseal_json_load applies the same default policy */
        assert_null(eseal_json_load(text, len));
}

static json_t *accept(const char *text, const struct eseal_json_limits *lim)
{
    json_t *j = NULL;
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_json_parse(&j, text, strlen(text), lim, &err) != ESEAL_OK)
        fail_msg("%.60s: %s", text, err.msg);
    assert_non_null(j);
    return j;
}

/* nested returns |n| levels of |open| … |close| around |inner|. */
static char *nested(size_t n, const char *open, const char *inner, const char *close)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    for (size_t i = 0; i < n; i++)
        eseal_buf_appendf(&b, "%s", open);
    eseal_buf_appendf(&b, "%s", inner);
    for (size_t i = 0; i < n; i++)
        eseal_buf_appendf(&b, "%s", close);
    eseal_buf_append(&b, "", 1);
    return (char *)b.data; /* the buffer's bytes, NUL-terminated */
}

static void test_parse_ok(void **state)
{
    (void)state;
    json_t *j = accept(" {\"a\": [1, 2.5, \"x\", null, true], \"b\": {}}\n\t", NULL);
    assert_int_equal(json_array_size(json_object_get(j, "a")), 5);
    json_decref(j);
    j = accept("[]", NULL);
    assert_true(json_is_array(j));
    json_decref(j);
    /* not NUL-terminated: only |len| bytes count */
    json_t *k = NULL;
    assert_int_equal(eseal_json_parse(&k, "[1]]]]", 3, NULL, NULL), ESEAL_OK);
    assert_int_equal(json_array_size(k), 1);
    json_decref(k);
}

static void test_syntax_line_column(void **state)
{
    (void)state;
    refuse("{\n  \"a\": 1,\n  oops\n}", 19, NULL, ESEAL_E_INVALID,
           (const char *const[]){"JSON 无效：第 3 行第 6 列", "invalid JSON at line 3, column 6",
                                 "语法错误", NULL});
    refuse("{\"a\":1} x", 9, NULL, ESEAL_E_INVALID,
           (const char *const[]){"末尾有多余内容", "line 1, column 9", NULL});
    refuse("{\"a\":", 5, NULL, ESEAL_E_INVALID,
           (const char *const[]){"内容不完整", "line 1", NULL});
    refuse("", 0, NULL, ESEAL_E_INVALID, (const char *const[]){"invalid JSON", NULL});
    refuse(NULL, 0, NULL, ESEAL_E_INVALID, NULL);
    /* one document is an array or an object, never a bare scalar */
    refuse("1", 1, NULL, ESEAL_E_INVALID, (const char *const[]){"invalid JSON", NULL});
    refuse("\"s\"", 3, NULL, ESEAL_E_INVALID, NULL);
}

static void test_duplicate_keys(void **state)
{
    (void)state;
    refuse("{\"a\":1,\n \"a\":2}", 15, NULL, ESEAL_E_INVALID,
           (const char *const[]){"第 2 行第 4 列", "重复的键", "line 2, column 4",
                                 "duplicate object key", NULL});
    /* deep inside, and with the same value: still refused */
    const char *inner = "[{\"x\":[{\"k\":true,\"k\":true}]}]";
    refuse(inner, strlen(inner), NULL, ESEAL_E_INVALID, (const char *const[]){"重复的键", NULL});
    /* the same key in different objects is fine */
    json_decref(accept("[{\"k\":1},{\"k\":2,\"j\":{\"k\":3}}]", NULL));
}

static void test_size_limit(void **state)
{
    (void)state;
    const char *t = "[1,2,3]"; /* 7 bytes */
    struct eseal_json_limits lim = {.max_len = 7};
    json_decref(accept(t, &lim));
    lim.max_len = 6;
    refuse(t, 7, &lim, ESEAL_E_TOOBIG,
           (const char *const[]){"JSON 超过 6 字节", "JSON larger than 6 bytes", NULL});
    /* the default limit applies without |lim| */
    json_t *j = (json_t *)1;
    assert_int_equal(eseal_json_parse(&j, t, (size_t)ESEAL_JSON_SIZE_MAX + 1, NULL, NULL),
                     ESEAL_E_TOOBIG);
    assert_null(j);
}

static void test_depth(void **state)
{
    (void)state;
    char *ok = nested(ESEAL_JSON_DEPTH_MAX, "[", "", "]");
    json_t *j = accept(ok, NULL);
    assert_int_equal(eseal_json_depth(j, 1000), ESEAL_JSON_DEPTH_MAX);
    assert_int_equal(eseal_json_depth(j, 5), 5); /* stops counting at |stop| */
    json_decref(j);
    free(ok);

    char *over = nested(ESEAL_JSON_DEPTH_MAX + 1, "[", "", "]");
    refuse(over, strlen(over), NULL, ESEAL_E_INVALID,
           (const char *const[]){"嵌套超过 64 层", "nested deeper than 64 levels", NULL});
    free(over);
    over = nested(ESEAL_JSON_DEPTH_MAX, "{\"a\":", "[1]", "}");
    refuse(over, strlen(over), NULL, ESEAL_E_INVALID, (const char *const[]){"64", NULL});
    free(over);

    /* 10,000 levels: Jansson stops at its own limit, before recursing further */
    char *deep = nested(10000, "[", "", "]");
    refuse(deep, strlen(deep), NULL, ESEAL_E_INVALID,
           (const char *const[]){"嵌套过深", "line 1, column 2049", "maximum parsing depth", NULL});
    free(deep);
    deep = nested(10000, "{\"a\":", "1", "}");
    refuse(deep, strlen(deep), NULL, ESEAL_E_INVALID, (const char *const[]){"嵌套过深", NULL});
    free(deep);

    /* a caller's smaller limit; a larger one is capped */
    struct eseal_json_limits lim = {.max_depth = 2};
    json_decref(accept("[[1]]", &lim));
    refuse("[[[1]]]", 7, &lim, ESEAL_E_INVALID,
           (const char *const[]){"nested deeper than 2 levels", NULL});
    lim.max_depth = 1000;
    over = nested(ESEAL_JSON_DEPTH_MAX + 1, "[", "", "]");
    refuse(over, strlen(over), &lim, ESEAL_E_INVALID, (const char *const[]){"64", NULL});
    free(over);

    assert_int_equal(eseal_json_depth(NULL, 10), 0);
    json_t *s = json_string("x");
    assert_int_equal(eseal_json_depth(s, 10), 0);
    json_decref(s);
}

static void test_utf8_and_nul(void **state)
{
    (void)state;
    json_t *j = accept("{\"名称\":\"福州市鼓楼区测试局\",\"e\":\"\\u00e9\\ud83d\\ude00\"}", NULL);
    assert_string_equal(eseal_json_str(j, "名称"), "福州市鼓楼区测试局");
    assert_string_equal(eseal_json_str(j, "e"), "\xc3\xa9\xf0\x9f\x98\x80");
    json_decref(j);
    const char *const utf8[] = {"不是有效的 UTF-8", "unable to decode byte", NULL};
    refuse("[\"\xff\"]", 5, NULL, ESEAL_E_INVALID, utf8);
    refuse("[\"\xc0\xaf\"]", 6, NULL, ESEAL_E_INVALID, utf8);     /* overlong '/' */
    refuse("[\"\xed\xa0\x80\"]", 7, NULL, ESEAL_E_INVALID, utf8); /* a surrogate */
    refuse("[\"\xe4\xb8\"]", 6, NULL, ESEAL_E_INVALID, utf8);     /* cut short */
    refuse("[\"\\ud800\"]", 10, NULL, ESEAL_E_INVALID, NULL);     /* a lone surrogate */
    refuse("[\"a\\u0000b\"]", 12, NULL, ESEAL_E_INVALID,
           (const char *const[]){"字符串含 NUL 字符", NULL});
    refuse("{\"a\\u0000\":1}", 13, NULL, ESEAL_E_INVALID, NULL);
    struct eseal_json_limits lim = {.allow_nul = true};
    j = accept("[\"a\\u0000b\"]", &lim);
    assert_int_equal(json_string_length(json_array_get(j, 0)), 3);
    json_decref(j);
}

static void test_getters(void **state)
{
    (void)state;
    json_t *j = accept("{\"s\":\"v\",\"n\":1,\"t\":\"2026-12-03T10:23:45.678Z\",\"bad\":\"2026-12-"
                       "03\",\"leap\":\"2016-12-31T23:59:60Z\"}",
                       NULL);
    assert_string_equal(eseal_json_str(j, "s"), "v");
    assert_null(eseal_json_str(j, "n"));
    assert_null(eseal_json_str(j, "missing"));
    assert_null(eseal_json_str(NULL, "s"));
    json_t *a = json_array();
    assert_null(eseal_json_str(a, "s"));
    json_decref(a);
    int64_t t = 42;
    assert_true(eseal_json_time(j, "t", &t));
    assert_int_equal(t, 1796293425); /* 2026-12-03T10:23:45Z */
    t = 42;
    assert_false(eseal_json_time(j, "bad", &t));
    assert_false(eseal_json_time(j, "leap", &t));
    assert_false(eseal_json_time(j, "n", &t));
    assert_false(eseal_json_time(j, "missing", &t));
    assert_int_equal(t, 42);
    json_decref(j);
}

static void test_text_lossy(void **state)
{
    (void)state;
    json_t *j = eseal_json_text(NULL);
    assert_true(json_is_null(j));
    json_decref(j);
    j = eseal_json_text("印章 seal");
    assert_string_equal(json_string_value(j), "印章 seal");
    json_decref(j);
    j = eseal_json_text("a\xff\xe4\xb8z");
    assert_string_equal(json_string_value(j), "a???z");
    json_decref(j);
}

static void fmt(int64_t t, int ms, const char *want)
{
    char out[ESEAL_JSON_TIME_BUF];
    bool ok = eseal_json_time_format(out, sizeof(out), t, ms);
    if (want == NULL) {
        assert_false(ok);
        assert_string_equal(out, "");
    } else {
        if (!ok)
            fail_msg("%lld: not formatted", (long long)t);
        assert_string_equal(out, want);
    }
}

static void test_time_format(void **state)
{
    (void)state;
    fmt(0, -1, "1970-01-01T00:00:00Z");
    fmt(0, 7, "1970-01-01T00:00:00.007Z");
    fmt(1796293425, 1678, "2026-12-03T10:23:45.678Z");
    fmt(951782400, -1, "2000-02-29T00:00:00Z");
    fmt(-1, -1, "1969-12-31T23:59:59Z");
    fmt(253402300799, 999, "9999-12-31T23:59:59.999Z");
    fmt(253402300800, -1, NULL); /* year 10000 */
    fmt(-62167219200, -1, "0000-01-01T00:00:00Z");
    fmt(-62167219201, -1, NULL);     /* year -1 */
    char small[ESEAL_JSON_TIME_LEN]; /* one short of the NUL */
    assert_false(eseal_json_time_format(small, sizeof(small), 0, -1));
    assert_string_equal(small, "");
    char exact[ESEAL_JSON_TIME_LEN + 1];
    assert_true(eseal_json_time_format(exact, sizeof(exact), 0, -1));
    assert_false(eseal_json_time_format(exact, sizeof(exact), 0, 0)); /* ms needs 4 more */

    char now[ESEAL_JSON_TIME_BUF];
    time_t before = time(NULL);
    assert_true(eseal_json_time_now(now, sizeof(now), true));
    assert_int_equal(strlen(now), ESEAL_JSON_TIME_MS_LEN);
    int64_t t;
    assert_true(eseal_json_time_parse(now, &t));
    assert_true(t >= before && t <= time(NULL));
    assert_true(eseal_json_time_now(now, sizeof(now), false));
    assert_int_equal(strlen(now), ESEAL_JSON_TIME_LEN);
}

static void test_time_round_trip(void **state)
{
    (void)state;
    /* every day boundary ±1 s for 1900..2100 and a spread of odd seconds */
    for (int64_t t = -2208988800; t < 4102444800; t += 86400) {
        for (int64_t d = -1; d <= 1; d++) {
            char s[ESEAL_JSON_TIME_BUF];
            int64_t back = 0;
            assert_true(eseal_json_time_format(s, sizeof(s), t + d, -1));
            if (!eseal_json_time_parse(s, &back) || back != t + d)
                fail_msg("%s: %lld came back as %lld", s, (long long)(t + d), (long long)back);
        }
    }
    for (int64_t t = -62167219200; t < 253402300800; t += 9876543211) {
        char s[ESEAL_JSON_TIME_BUF];
        int64_t back = 0;
        assert_true(eseal_json_time_format(s, sizeof(s), t, (int)(t % 1000 + 1000)));
        assert_true(eseal_json_time_parse(s, &back));
        assert_int_equal(back, t);
    }
}

static void test_time_parse_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2016-12-31T23:59:60Z",            /* a leap second */
        "2021-02-29T00:00:00Z",            /* not a leap year */
        "1900-02-29T00:00:00Z",            /* centuries are not */
        "2021-04-31T00:00:00Z",            /* April has 30 days */
        "2021-02-30T00:00:00Z",            /* timegm would make it March 2 */
        "2021-01-01T24:00:00Z",            /* 24:00 */
        "2021-01-01T23:60:00Z",            /* minute 60 */
        "2021-13-01T00:00:00Z",            /* month 13 */
        "2021-00-10T00:00:00Z",            /* month 0 */
        "2021-01-00T00:00:00Z",            /* day 0 */
        "2021-01-32T00:00:00Z",            /* day 32 */
        "2021-01-01T00:00:00",             /* no zone */
        "2021-01-01T00:00:00+08:00",       /* not UTC */
        "2021-01-01T00:00:00z",            /* lower case */
        "2021-01-01T00:00:00Z ",           /* trailing space */
        " 2021-01-01T00:00:00Z",           /* leading space */
        "2021-01-01 00:00:00Z",            /* a space for the T */
        "2021-1-01T00:00:00Z",             /* one-digit month */
        "+021-01-01T00:00:00Z",            /* a sign */
        "2021-01-01T00:00:-1Z",            /* a sign */
        "2021-01-01T00:00:00.Z",           /* an empty fraction */
        "2021-01-01T00:00:00.1234567890Z", /* ten fraction digits */
        "2021-01-01T00:00:00.12aZ",        /* not a digit */
        "2021-01-01",                      /* a date alone */
        "",
        NULL,
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t t = 42;
        if (eseal_json_time_parse(bad[i], &t))
            fail_msg("accepted \"%s\"", bad[i] != NULL ? bad[i] : "(null)");
        assert_int_equal(t, 42);
    }
    int64_t t;
    assert_true(eseal_json_time_parse("2020-02-29T23:59:59Z", &t));
    assert_int_equal(t, 1583020799);
    assert_true(eseal_json_time_parse("2000-02-29T00:00:00.5Z", &t));
    assert_int_equal(t, 951782400);
    assert_true(eseal_json_time_parse("2021-01-01T00:00:00.123456789Z", &t));
    assert_int_equal(t, 1609459200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),
        cmocka_unit_test(test_syntax_line_column),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_utf8_and_nul),
        cmocka_unit_test(test_getters),
        cmocka_unit_test(test_text_lossy),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_time_round_trip),
        cmocka_unit_test(test_time_parse_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
