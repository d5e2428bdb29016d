/* region.h — Fujian's administrative divisions (GB/T 2260) as the platform
 * serves them, the submission channel of each, and seal codes (esID).
 *
 * The table is static reference data compiled into the program: every
 * pointer returned here points into it and lives as long as the program.
 * Nothing here allocates and nothing needs freeing.
 *
 * Shape of the model (see docs/issuer-domain.md):
 *   - 福建省 350000: province-level units; they submit directly.
 *   - 9 prefecture-level cities (设区市); units of a city or of one of its
 *     counties submit through the city's aggregator (设区市数字办).
 *   - 平潭综合实验区 350128: GB/T 2260 lists it as 平潭县 under Fuzhou, but it
 *     submits through its own aggregator (平潭综合实验区行政审批局), so it is
 *     modelled as a city-level channel of its own whose only division is itself.
 *   - counties, districts and county-level cities; 金门县 350527 is listed (it
 *     is in GB/T 2260) but not served.
 * A unit names its division as (city, county). A city-level unit names its
 * city twice, a Pingtan unit 350128 twice, a province-level unit 350000 twice.
 * The county code is the esID prefix (DESIGN.md §4). */
#ifndef ESEAL_ISSUER_REGION_H
#define ESEAL_ISSUER_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eseal/rc.h"

#define ESEAL_REGION_PROVINCE_CODE "350000"
#define ESEAL_REGION_PINGTAN_CODE "350128"
#define ESEAL_REGION_CODE_LEN 6

/* An esID is the 6-digit division code + an 8-digit serial (1..99999999). */
#define ESEAL_ESID_LEN 14
#define ESEAL_ESID_SERIAL_MAX 99999999u

enum eseal_region_kind {
    ESEAL_REGION_PROVINCE, /* 省 */
    ESEAL_REGION_CITY,     /* 设区市, prefecture-level city */
    ESEAL_REGION_ZONE,     /* 平潭综合实验区: a county-level code that is its own channel */
    ESEAL_REGION_COUNTY,   /* 市辖区, 县, 县级市 */
};

/* struct eseal_region is one row of the reference table. */
struct eseal_region {
    const char *code;    /* 6 digits, GB/T 2260 */
    const char *name_zh; /* 福州市, 鼓楼区, 平潭综合实验区 (GB/T 2260: 平潭县) */
    const char *name_en; /* Fuzhou, Gulou District, … */
    enum eseal_region_kind kind;
    const char *gb_parent;     /* the parent in GB/T 2260; NULL for the province */
    const char *channel;       /* code of the city or zone whose aggregator submits for
                                  units here; NULL for the province (direct channel) */
    const char *aggregator_zh; /* city and zone rows: the aggregator; else NULL */
    const char *aggregator_en;
    bool served; /* false for 金门县 350527 */
};

/* eseal_region_lookup returns the row of |code| (6 digits), or NULL if the
 * table has no such code (also for NULL). */
const struct eseal_region *eseal_region_lookup(const char *code);

/* eseal_region_cities returns the city-level channels, in code order: the 9
 * prefecture-level cities, then the Pingtan zone; *n receives 10. */
const struct eseal_region *eseal_region_cities(size_t *n);

/* eseal_region_counties returns the county-level rows a unit of city-level
 * channel |city| may name as its county, other than the city itself, in code
 * order (for the Pingtan zone: the zone itself). Rows not served are
 * included; check `served`. NULL and *n = 0 for anything but a city or the
 * zone. */
const struct eseal_region *eseal_region_counties(const char *city, size_t *n);

/* eseal_region_city_of returns the city-level channel |code| belongs to: a
 * city or the zone itself, the city of a county. NULL for the province and
 * unknown codes. */
const struct eseal_region *eseal_region_city_of(const char *code);

/* eseal_region_in_city tells whether a unit may name (|city|, |county|): the
 * county is the city itself (a city-level unit) or one of its counties, or
 * both are the province. 350128 is in 350128 only, not in Fuzhou. Served or
 * not is not checked here. */
bool eseal_region_in_city(const char *county, const char *city);

/* eseal_region_aggregator returns the Chinese name of the aggregator of
 * city-level channel |city|, or NULL (the province: units submit directly;
 * counties: ask their city). */
const char *eseal_region_aggregator(const char *city);

/* eseal_region_esid_prefix sets *prefix to the esID prefix of a unit in
 * (|city|, |county|): the county code, or 350000 for a province-level unit.
 * An unknown code, a county outside the city or a division not served is
 * ESEAL_E_INVALID naming the codes. *prefix points into the static table. */
eseal_rc eseal_region_esid_prefix(const char *city, const char *county, const char **prefix,
                                  struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_esid_make writes the esID |prefix| + |serial| as 8 digits into |out|.
 * |prefix| must be a served code of the table; |serial| 1..99999999.
 * Anything else is ESEAL_E_INVALID. */
eseal_rc eseal_esid_make(char out[ESEAL_ESID_LEN + 1], const char *prefix, uint32_t serial,
                         struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_esid_check checks that |esid| is 14 digits whose first 6 are a
 * served code of the table and whose serial is not 0. On success *region
 * and *serial (each may be NULL) receive the prefix row and the serial.
 * Otherwise ESEAL_E_INVALID with a message saying what is wrong. */
eseal_rc eseal_esid_check(const char *esid, const struct eseal_region **region, uint32_t *serial,
                          struct eseal_err *err) ESEAL_MUST_CHECK;

#endif
