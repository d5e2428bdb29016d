/* idcheck.c — USCC (GB 32100) and resident ID number (GB 11643) checks. */
#include <string.h>

#include "idcheck.h"

static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int uscc_weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                     29, 25, 13, 8,  24, 10, 30, 28};

static int uscc_value(char c)
{
    const char *p = c != '\0' ? strchr(uscc_alphabet, c) : NULL;
    return p != NULL ? (int)(p - uscc_alphabet) : -1;
}

char eseal_uscc_check_char(const char *uscc)
{
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v = uscc_value(uscc[i]);
        if (v < 0)
            return '\0';
        sum += v * uscc_weights[i];
    }
    int c = 31 - sum % 31;
    return uscc_alphabet[c == 31 ? 0 : c];
}

enum eseal_id_result eseal_uscc_check(const char *uscc)
{
    if (uscc == NULL || strlen(uscc) != 18)
        return ESEAL_ID_BAD_SHAPE;
    for (int i = 0; i < 18; i++)
        if (uscc_value(uscc[i]) < 0)
            return ESEAL_ID_BAD_SHAPE;
    for (int i = 2; i < 8; i++) /* the administrative division code */
        if (uscc[i] < '0' || uscc[i] > '9')
            return ESEAL_ID_BAD_SHAPE;
    return eseal_uscc_check_char(uscc) == uscc[17] ? ESEAL_ID_OK : ESEAL_ID_BAD_CHECK;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool real_date(int y, int m, int d, time_t today)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return false;
    if (d > days[m - 1] + (m == 2 && leap(y)))
        return false;
    struct tm now;
    time_t t = today != 0 ? today : time(NULL);
    gmtime_r(&t, &now);
    int born = y * 10000 + m * 100 + d;
    int cur = (now.tm_year + 1900) * 10000 + (now.tm_mon + 1) * 100 + now.tm_mday;
    return born <= cur;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

enum eseal_id_result eseal_idnum_check(const char *id, time_t today)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    if (id == NULL || strlen(id) != 18)
        return ESEAL_ID_BAD_SHAPE;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (id[i] < '0' || id[i] > '9')
            return ESEAL_ID_BAD_SHAPE;
        sum += (id[i] - '0') * weights[i];
    }
    if ((id[17] < '0' || id[17] > '9') && id[17] != 'X')
        return ESEAL_ID_BAD_SHAPE;
    if (!real_date(digits(id + 6, 4), digits(id + 10, 2), digits(id + 12, 2), today))
        return ESEAL_ID_BAD_DATE;
    return check[sum % 11] == id[17] ? ESEAL_ID_OK : ESEAL_ID_BAD_CHECK;
}

const char *eseal_id_result_name(enum eseal_id_result r)
{
    switch (r) {
    case ESEAL_ID_OK:
        return "ok";
    case ESEAL_ID_BAD_SHAPE:
        return "bad_shape";
    case ESEAL_ID_BAD_CHECK:
        return "bad_check";
    case ESEAL_ID_BAD_DATE:
        return "bad_date";
    }
    return "bad_shape";
}
