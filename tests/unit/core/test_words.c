/* test_words.c — words for people: Beijing time from a time_t and from the
 * UTC text machines write (across a date line, with fractions, and text
 * that is no time), and the Chinese names of statuses and reasons, unknown
 * names passed through. */
#include <stdlib.h>
#include <string.h>

#include "eseal/words.h"
#include "testutil.h"

static void assert_time(time_t t, const char *want)
{
    char *got = eseal_words_time(t);
    assert_string_equal(got, want);
    free(got);
}

static void assert_iso(const char *iso, const char *want)
{
    char *got = eseal_words_iso_time(iso);
    if (want == NULL)
        assert_null(got);
    else
        assert_string_equal(got, want);
    free(got);
}

static void test_time(void **state)
{
    (void)state;
    assert_time(0, "1970-01-01 08:00:00 北京时间");
    assert_time(1700000000, "2023-11-15 06:13:20 北京时间"); /* 22:13:20Z the day before */
    assert_iso("2026-12-03T10:23:05Z", "2026-12-03 18:23:05 北京时间");
    assert_iso("2026-12-31T16:00:00Z", "2027-01-01 00:00:00 北京时间");
    assert_iso("2026-12-03T10:23:05.123Z", "2026-12-03 18:23:05 北京时间");
    assert_iso("not a time", "not a time");
    assert_iso("2026-12-03 10:23:05", "2026-12-03 10:23:05");
    assert_iso(NULL, NULL);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(eseal_words_seal_status("good"), "有效");
    assert_string_equal(eseal_words_seal_status("suspended"), "已挂失");
    assert_string_equal(eseal_words_seal_status("revoked"), "已撤销");
    assert_string_equal(eseal_words_seal_status("expired"), "已过有效期");
    assert_string_equal(eseal_words_seal_status("pending"), "待领取（尚不能使用）");
    assert_string_equal(eseal_words_seal_status("unknown"), "未登记");
    assert_string_equal(eseal_words_seal_status("brand-new"), "brand-new");
    assert_null(eseal_words_seal_status(NULL));
    assert_string_equal(eseal_words_reason("keyCompromise"), "密钥泄露或遗失");
    assert_string_equal(eseal_words_reason("superseded"), "已由新版本取代");
    assert_string_equal(eseal_words_reason("removeFromCRL"), "removeFromCRL");
    assert_null(eseal_words_reason(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
