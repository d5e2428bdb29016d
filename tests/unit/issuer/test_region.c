/* test_region.c — the Fujian division table, channels and esID codes. */
#include <string.h>

#include "region.h"
#include "testutil.h"

static void test_lookup(void **state)
{
    (void)state;
    const struct eseal_region *r = eseal_region_lookup("350102");
    assert_non_null(r);
    assert_string_equal(r->name_zh, "鼓楼区");
    assert_int_equal(r->kind, ESEAL_REGION_COUNTY);
    assert_string_equal(r->gb_parent, "350100");
    assert_string_equal(r->channel, "350100");
    assert_null(r->aggregator_zh);
    assert_true(r->served);

    /* The current divisions, after the 2021 changes. */
    assert_string_equal(eseal_region_lookup("350404")->name_zh, "三元区");
    assert_string_equal(eseal_region_lookup("350405")->name_zh, "沙县区");
    assert_string_equal(eseal_region_lookup("350604")->name_zh, "龙海区");
    assert_string_equal(eseal_region_lookup("350605")->name_zh, "长泰区");
    assert_string_equal(eseal_region_lookup("350112")->name_zh, "长乐区");
    assert_string_equal(eseal_region_lookup("350703")->name_zh, "建阳区");
    assert_string_equal(eseal_region_lookup("350803")->name_zh, "永定区");
    assert_string_equal(eseal_region_lookup("350582")->name_zh, "晋江市");
    assert_string_equal(eseal_region_lookup("350982")->name_zh, "福鼎市");
    /* Codes retired by those changes are gone: 梅列区, the old 三元区, 沙县,
     * 龙海市, 长泰县, 长乐市, 建阳市, 永定县. */
    const char *retired[] = {"350402", "350403", "350427", "350681",
                             "350625", "350182", "350784", "350822"};
    for (size_t i = 0; i < sizeof(retired) / sizeof(retired[0]); i++)
        assert_null(eseal_region_lookup(retired[i]));

    const struct eseal_region *p = eseal_region_lookup("350000");
    assert_non_null(p);
    assert_int_equal(p->kind, ESEAL_REGION_PROVINCE);
    assert_null(p->channel);

    /* Only exact 6-digit codes match. */
    assert_null(eseal_region_lookup(NULL));
    assert_null(eseal_region_lookup(""));
    assert_null(eseal_region_lookup("35010"));
    assert_null(eseal_region_lookup("3501020"));
    assert_null(eseal_region_lookup("35010a"));
    assert_null(eseal_region_lookup("350101")); /* 市辖区: not a division of its own */
    assert_null(eseal_region_lookup("110101"));
}

static void test_pingtan_and_kinmen(void **state)
{
    (void)state;
    const struct eseal_region *z = eseal_region_lookup("350128");
    assert_non_null(z);
    assert_int_equal(z->kind, ESEAL_REGION_ZONE);
    assert_string_equal(z->name_zh, "平潭综合实验区");
    assert_string_equal(z->gb_parent, "350100"); /* GB/T 2260 */
    assert_string_equal(z->channel, "350128");   /* but its own channel */
    assert_string_equal(eseal_region_aggregator("350128"), "平潭综合实验区行政审批局");
    assert_ptr_equal(eseal_region_city_of("350128"), z);

    const struct eseal_region *k = eseal_region_lookup("350527");
    assert_non_null(k);
    assert_string_equal(k->name_zh, "金门县");
    assert_false(k->served);
    assert_string_equal(eseal_region_city_of("350527")->code, "350500");
}

static void test_cities(void **state)
{
    (void)state;
    static const char *const codes[] = {"350100", "350200", "350300", "350400", "350500",
                                        "350600", "350700", "350800", "350900", "350128"};
    static const char *const names[] = {"福州市", "厦门市", "莆田市", "三明市", "泉州市",
                                        "漳州市", "南平市", "龙岩市", "宁德市", "平潭综合实验区"};
    size_t n = 0;
    const struct eseal_region *c = eseal_region_cities(&n);
    assert_int_equal(n, 10);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(c[i].code, codes[i]);
        assert_string_equal(c[i].name_zh, names[i]);
        assert_non_null(c[i].aggregator_zh);
        assert_non_null(c[i].aggregator_en);
        assert_ptr_equal(eseal_region_lookup(codes[i]), &c[i]);
        assert_ptr_equal(eseal_region_city_of(codes[i]), &c[i]);
    }
    assert_string_equal(eseal_region_aggregator("350100"), "福州市数字办");
    assert_null(eseal_region_aggregator("350000")); /* direct */
    assert_null(eseal_region_aggregator("350102")); /* ask its city */
    assert_null(eseal_region_aggregator("999999"));
}

/* The county lists: sizes per city, code prefixes, unique codes, names. */
static void test_counties(void **state)
{
    (void)state;
    static const size_t want[] = {12, 6, 5, 11, 12, 11, 10, 7, 9};
    size_t n_cities = 0, total = 0;
    const struct eseal_region *c = eseal_region_cities(&n_cities);
    const char *seen[128];
    for (size_t i = 0; i < 9; i++) {
        size_t n = 0;
        const struct eseal_region *k = eseal_region_counties(c[i].code, &n);
        assert_int_equal(n, want[i]);
        for (size_t j = 0; j < n; j++) {
            assert_int_equal(k[j].kind, ESEAL_REGION_COUNTY);
            assert_memory_equal(k[j].code, c[i].code, 4);
            assert_string_equal(k[j].channel, c[i].code);
            assert_true(strlen(k[j].name_zh) > 0 && strlen(k[j].name_en) > 0);
            assert_ptr_equal(eseal_region_lookup(k[j].code), &k[j]);
            assert_ptr_equal(eseal_region_city_of(k[j].code), &c[i]);
            for (size_t s = 0; s < total; s++)
                assert_string_not_equal(seen[s], k[j].code);
            seen[total++] = k[j].code;
        }
    }
    assert_int_equal(total, 83);
    /* Fuzhou's list does not hold Pingtan: the zone is a channel of its own. */
    size_t n = 0;
    const struct eseal_region *fz = eseal_region_counties("350100", &n);
    for (size_t j = 0; j < n; j++)
        assert_string_not_equal(fz[j].code, "350128");
    const struct eseal_region *pt = eseal_region_counties("350128", &n);
    assert_int_equal(n, 1);
    assert_string_equal(pt->code, "350128");
    assert_null(eseal_region_counties("350000", &n));
    assert_int_equal(n, 0);
    assert_null(eseal_region_counties("350102", &n));
    assert_null(eseal_region_counties("bad", &n));
}

static void test_in_city(void **state)
{
    (void)state;
    assert_true(eseal_region_in_city("350102", "350100"));
    assert_true(eseal_region_in_city("350100", "350100")); /* a city-level unit */
    assert_true(eseal_region_in_city("350181", "350100"));
    assert_false(eseal_region_in_city("350203", "350100"));
    assert_true(eseal_region_in_city("350128", "350128"));
    assert_false(eseal_region_in_city("350128", "350100")); /* Pingtan is its own channel */
    assert_true(eseal_region_in_city("350000", "350000"));
    assert_false(eseal_region_in_city("350102", "350000"));
    assert_false(eseal_region_in_city("350000", "350100"));
    assert_false(eseal_region_in_city("350100", "350000"));
    assert_true(eseal_region_in_city("350527", "350500")); /* known; serving is another check */
    assert_false(eseal_region_in_city("350199", "350100"));
    assert_false(eseal_region_in_city("350102", "3501000"));
    assert_false(eseal_region_in_city(NULL, "350100"));
    assert_false(eseal_region_in_city("350102", NULL));
}

static void test_esid_prefix(void **state)
{
    (void)state;
    struct eseal_err err;
    const char *p = NULL;
    assert_int_equal(eseal_region_esid_prefix("350100", "350102", &p, &err), ESEAL_OK);
    assert_string_equal(p, "350102");
    assert_int_equal(eseal_region_esid_prefix("350000", "350000", &p, &err), ESEAL_OK);
    assert_string_equal(p, "350000");
    assert_int_equal(eseal_region_esid_prefix("350128", "350128", &p, &err), ESEAL_OK);
    assert_string_equal(p, "350128");
    assert_int_equal(eseal_region_esid_prefix("350100", "350100", &p, &err), ESEAL_OK);
    assert_string_equal(p, "350100");

    p = NULL;
    assert_int_equal(eseal_region_esid_prefix("350500", "350527", &p, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "not served"));
    assert_int_equal(eseal_region_esid_prefix("350100", "350203", &p, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "350203"));
    assert_int_equal(eseal_region_esid_prefix("350102", "350102", &p, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_region_esid_prefix("350100", "350199", &p, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_region_esid_prefix(NULL, "350102", &p, &err), ESEAL_E_INVALID);
    assert_null(p);
}

static void test_esid_make(void **state)
{
    (void)state;
    struct eseal_err err;
    char esid[ESEAL_ESID_LEN + 1];
    assert_int_equal(eseal_esid_make(esid, "350102", 1, &err), ESEAL_OK);
    assert_string_equal(esid, "35010200000001");
    assert_int_equal(eseal_esid_make(esid, "350000", ESEAL_ESID_SERIAL_MAX, &err), ESEAL_OK);
    assert_string_equal(esid, "35000099999999");
    assert_int_equal(eseal_esid_make(esid, "350128", 12345678, &err), ESEAL_OK);
    assert_string_equal(esid, "35012812345678");

    assert_int_equal(eseal_esid_make(esid, "350102", 0, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_esid_make(esid, "350102", ESEAL_ESID_SERIAL_MAX + 1, &err),
                     ESEAL_E_INVALID);
    assert_int_equal(eseal_esid_make(esid, "350527", 1, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_esid_make(esid, "350101", 1, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_esid_make(esid, "3501", 1, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_esid_make(esid, NULL, 1, &err), ESEAL_E_INVALID);
}

static void test_esid_check(void **state)
{
    (void)state;
    struct eseal_err err;
    const struct eseal_region *r = NULL;
    uint32_t serial = 0;
    assert_int_equal(eseal_esid_check("35058200000042", &r, &serial, &err), ESEAL_OK);
    assert_string_equal(r->code, "350582");
    assert_int_equal(serial, 42);
    assert_int_equal(eseal_esid_check("35000099999999", NULL, NULL, &err), ESEAL_OK);
    assert_int_equal(eseal_esid_check("35012800000001", &r, NULL, &err), ESEAL_OK);
    assert_int_equal(r->kind, ESEAL_REGION_ZONE);

    assert_int_equal(eseal_esid_check("3501020000001", NULL, NULL, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "14 digits"));
    assert_int_equal(eseal_esid_check("350102000000001", NULL, NULL, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_esid_check("3501020000000A", NULL, NULL, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_esid_check(" 3501020000001", NULL, NULL, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_esid_check("", NULL, NULL, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_esid_check(NULL, NULL, NULL, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_esid_check("35010100000001", NULL, NULL, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "350101"));
    assert_int_equal(eseal_esid_check("35052700000001", NULL, NULL, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_esid_check("35040200000001", NULL, NULL, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_esid_check("35010200000000", NULL, NULL, &err), ESEAL_E_INVALID);

    /* Every made code checks, back to its prefix and serial. */
    size_t n = 0;
    const struct eseal_region *c = eseal_region_cities(&n);
    for (size_t i = 0; i < n; i++) {
        size_t nk = 0;
        const struct eseal_region *k = eseal_region_counties(c[i].code, &nk);
        for (size_t j = 0; j < nk; j++) {
            char esid[ESEAL_ESID_LEN + 1];
            if (!k[j].served)
                continue;
            assert_int_equal(eseal_esid_make(esid, k[j].code, (uint32_t)(j + 1), &err), ESEAL_OK);
            assert_int_equal(eseal_esid_check(esid, &r, &serial, &err), ESEAL_OK);
            assert_ptr_equal(r, &k[j]);
            assert_int_equal(serial, j + 1);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),    cmocka_unit_test(test_pingtan_and_kinmen),
        cmocka_unit_test(test_cities),    cmocka_unit_test(test_counties),
        cmocka_unit_test(test_in_city),   cmocka_unit_test(test_esid_prefix),
        cmocka_unit_test(test_esid_make), cmocka_unit_test(test_esid_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
