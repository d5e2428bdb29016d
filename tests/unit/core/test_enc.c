/* test_enc.c — hex and base64 round trips and strict rejection. */
#include <stdlib.h>
#include <string.h>

#include "eseal/enc.h"
#include "testutil.h"

static void test_hex_round_trip(void **state)
{
    (void)state;
    const uint8_t bin[] = {0x00, 0x01, 0xab, 0xff};
    char *hex = eseal_hex(bin, sizeof(bin));
    assert_string_equal(hex, "0001abff");
    struct eseal_buf b;
    eseal_buf_init(&b);
    assert_int_equal(eseal_unhex(&b, "0001ABff", 8, NULL), ESEAL_OK);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, bin, 4);
    free(hex);
    eseal_buf_cleanup(&b);
}

static void test_hex_rejects(void **state)
{
    (void)state;
    struct eseal_buf b;
    struct eseal_err err;
    eseal_buf_init(&b);
    assert_int_equal(eseal_unhex(&b, "abc", 3, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_unhex(&b, "zz", 2, &err), ESEAL_E_INVALID);
    assert_int_equal(eseal_unhex(&b, "ab:c", 4, &err), ESEAL_E_INVALID);
    eseal_buf_cleanup(&b);
}

static void test_base64(void **state)
{
    (void)state;
    /* RFC 4648 §10 test vectors. */
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const std[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                      "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    struct eseal_buf b;
    eseal_buf_init(&b);
    for (size_t i = 0; i < 7; i++) {
        char *e = eseal_base64((const uint8_t *)plain[i], strlen(plain[i]), ESEAL_B64_STD);
        assert_string_equal(e, std[i]);
        assert_int_equal(eseal_unbase64(&b, e, strlen(e), ESEAL_B64_STD, NULL), ESEAL_OK);
        assert_int_equal(b.len, strlen(plain[i]));
        assert_memory_equal(b.data, plain[i], b.len);
        free(e);
    }
    const uint8_t odd[] = {0xfb, 0xff};
    char *u = eseal_base64(odd, 2, ESEAL_B64_URL);
    assert_string_equal(u, "-_8");
    free(u);
    assert_int_equal(eseal_unbase64(&b, "Zg=", 3, ESEAL_B64_STD, NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_unbase64(&b, "Zm 9v", 5, ESEAL_B64_STD, NULL), ESEAL_E_INVALID);
    assert_int_equal(eseal_unbase64(&b, "Zm9v!", 5, ESEAL_B64_STD, NULL), ESEAL_E_INVALID);
    eseal_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex_round_trip),
        cmocka_unit_test(test_hex_rejects),
        cmocka_unit_test(test_base64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
