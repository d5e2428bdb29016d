/* test_idcheck.c — USCC and ID-number check characters and their edge cases. */
#include <string.h>

#include "idcheck.h"
#include "testutil.h"

static void test_uscc(void **state)
{
    (void)state;
    /* Real, published codes. */
    assert_int_equal(eseal_uscc_check("91110000600001760P"), ESEAL_ID_OK);
    assert_int_equal(eseal_uscc_check("91350100M000100Y43"), ESEAL_ID_OK);
    /* Every other check character fails, as a check failure, not a shape one. */
    char c[19] = "91110000600001760P";
    const char *alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    for (const char *a = alphabet; *a; a++) {
        c[17] = *a;
        assert_int_equal(eseal_uscc_check(c), *a == 'P' ? ESEAL_ID_OK : ESEAL_ID_BAD_CHECK);
    }
    assert_int_equal(eseal_uscc_check_char("91110000600001760"), 'P');
    /* A code whose weighted sum is a multiple of 31 has check character '0'. */
    char z[19] = "00000000000000000";
    assert_int_equal(eseal_uscc_check_char(z), '0');
    z[17] = '0';
    z[18] = '\0';
    assert_int_equal(eseal_uscc_check(z), ESEAL_ID_OK);
}

static void test_uscc_shape(void **state)
{
    (void)state;
    assert_int_equal(eseal_uscc_check(NULL), ESEAL_ID_BAD_SHAPE);
    assert_int_equal(eseal_uscc_check(""), ESEAL_ID_BAD_SHAPE);
    assert_int_equal(eseal_uscc_check("91110000600001760"), ESEAL_ID_BAD_SHAPE);
    assert_int_equal(eseal_uscc_check("91110000600001760PP"), ESEAL_ID_BAD_SHAPE);
    /* I, O, S, V, Z and lower case are not in the alphabet. */
    assert_int_equal(eseal_uscc_check("91110000600001760I"), ESEAL_ID_BAD_SHAPE);
    assert_int_equal(eseal_uscc_check("91110000600001760O"), ESEAL_ID_BAD_SHAPE);
    assert_int_equal(eseal_uscc_check("91110000600001760p"), ESEAL_ID_BAD_SHAPE);
    /* Positions 3-8 are the division code: digits only. */
    assert_int_equal(eseal_uscc_check("911A0000600001760P"), ESEAL_ID_BAD_SHAPE);
    assert_int_equal(eseal_uscc_check_char("9111000060000176I"), '\0');
}

static void test_idnum(void **state)
{
    (void)state;
    time_t today = 1795000000; /* 2026-11-18 */
    assert_int_equal(eseal_idnum_check("11010519491231002X", today), ESEAL_ID_OK);
    assert_int_equal(eseal_idnum_check("350102199001011238", today), ESEAL_ID_OK);
    assert_int_equal(eseal_idnum_check("350102199001011234", today), ESEAL_ID_BAD_CHECK);
    assert_int_equal(eseal_idnum_check("11010519491231002x", today), ESEAL_ID_BAD_SHAPE);
    assert_int_equal(eseal_idnum_check("1101051949123100", today), ESEAL_ID_BAD_SHAPE);
    assert_int_equal(eseal_idnum_check("A1010519491231002X", today), ESEAL_ID_BAD_SHAPE);
    assert_int_equal(eseal_idnum_check(NULL, today), ESEAL_ID_BAD_SHAPE);
}

/* The birth date must exist and not lie in the future; the check character
 * is computed here for each case so only the date can fail. */
static void check_date(const char *date8, time_t today, enum eseal_id_result want)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    char id[19];
    memcpy(id, "350102", 6);
    memcpy(id + 6, date8, 8);
    memcpy(id + 14, "123", 3);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (id[i] - '0') * weights[i];
    id[17] = "10X98765432"[sum % 11];
    id[18] = '\0';
    assert_int_equal(eseal_idnum_check(id, today), want);
}

static void test_idnum_dates(void **state)
{
    (void)state;
    time_t today = 1795000000;                  /* 2026-11-18 */
    check_date("20000229", today, ESEAL_ID_OK); /* leap year by 400 */
    check_date("19000228", today, ESEAL_ID_OK);
    check_date("19000229", today, ESEAL_ID_BAD_DATE); /* 1900 is not a leap year */
    check_date("20230229", today, ESEAL_ID_BAD_DATE);
    check_date("20240229", today, ESEAL_ID_OK);
    check_date("19991301", today, ESEAL_ID_BAD_DATE);
    check_date("19990431", today, ESEAL_ID_BAD_DATE);
    check_date("19990000", today, ESEAL_ID_BAD_DATE);
    check_date("18991231", today, ESEAL_ID_BAD_DATE);
    check_date("20261118", today, ESEAL_ID_OK);       /* born today */
    check_date("20261119", today, ESEAL_ID_BAD_DATE); /* tomorrow */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uscc),
        cmocka_unit_test(test_uscc_shape),
        cmocka_unit_test(test_idnum),
        cmocka_unit_test(test_idnum_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
