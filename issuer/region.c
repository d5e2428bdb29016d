/* region.c — the reference table of Fujian's divisions (GB/T 2260), their
 * channels, and esID prefixes and codes. */
#include <stdio.h>
#include <string.h>

#include "region.h"

#define P ESEAL_REGION_PROVINCE_CODE

#define CITY(code, zh, en, agg_zh, agg_en)                                                         \
    {                                                                                              \
        code, zh, en, ESEAL_REGION_CITY, P, code, agg_zh, agg_en, true                             \
    }
#define COUNTY(code, zh, en, city)                                                                 \
    {                                                                                              \
        code, zh, en, ESEAL_REGION_COUNTY, city, city, NULL, NULL, true                            \
    }

static const struct eseal_region province = {
    P, "福建省", "Fujian Province", ESEAL_REGION_PROVINCE, NULL, NULL, NULL, NULL, true,
};

/* The city-level channels: the nine cities in code order, then Pingtan. The
 * aggregator of a city is its 数字办 as the guide names it; the bodies'
 * formal names vary and are configuration of the daemon, not of this table. */
static const struct eseal_region cities[] = {
    CITY("350100", "福州市", "Fuzhou", "福州市数字办", "Fuzhou digital office"),
    CITY("350200", "厦门市", "Xiamen", "厦门市数字办", "Xiamen digital office"),
    CITY("350300", "莆田市", "Putian", "莆田市数字办", "Putian digital office"),
    CITY("350400", "三明市", "Sanming", "三明市数字办", "Sanming digital office"),
    CITY("350500", "泉州市", "Quanzhou", "泉州市数字办", "Quanzhou digital office"),
    CITY("350600", "漳州市", "Zhangzhou", "漳州市数字办", "Zhangzhou digital office"),
    CITY("350700", "南平市", "Nanping", "南平市数字办", "Nanping digital office"),
    CITY("350800", "龙岩市", "Longyan", "龙岩市数字办", "Longyan digital office"),
    CITY("350900", "宁德市", "Ningde", "宁德市数字办", "Ningde digital office"),
    /* GB/T 2260 names 350128 平潭县 under Fuzhou (350100); the zone's units
     * submit through the zone's own approval bureau, so it is a channel. */
    {ESEAL_REGION_PINGTAN_CODE, "平潭综合实验区", "Pingtan Comprehensive Experimental Zone",
     ESEAL_REGION_ZONE, "350100", ESEAL_REGION_PINGTAN_CODE, "平潭综合实验区行政审批局",
     "Pingtan Comprehensive Experimental Zone Administrative Approval Bureau", true},
};

#define N_CITIES (sizeof(cities) / sizeof(cities[0]))

/* County-level divisions in code order, so each city's are contiguous. The
 * current divisions: Sanming after the 2021 merger of 梅列区 and 三元区
 * (350404) and 沙县 becoming a district (350405); Zhangzhou after 龙海 and
 * 长泰 became districts in 2021 (350604, 350605). */
static const struct eseal_region counties[] = {
    COUNTY("350102", "鼓楼区", "Gulou District", "350100"),
    COUNTY("350103", "台江区", "Taijiang District", "350100"),
    COUNTY("350104", "仓山区", "Cangshan District", "350100"),
    COUNTY("350105", "马尾区", "Mawei District", "350100"),
    COUNTY("350111", "晋安区", "Jin'an District", "350100"),
    COUNTY("350112", "长乐区", "Changle District", "350100"),
    COUNTY("350121", "闽侯县", "Minhou County", "350100"),
    COUNTY("350122", "连江县", "Lianjiang County", "350100"),
    COUNTY("350123", "罗源县", "Luoyuan County", "350100"),
    COUNTY("350124", "闽清县", "Minqing County", "350100"),
    COUNTY("350125", "永泰县", "Yongtai County", "350100"),
    COUNTY("350181", "福清市", "Fuqing City", "350100"),
    COUNTY("350203", "思明区", "Siming District", "350200"),
    COUNTY("350205", "海沧区", "Haicang District", "350200"),
    COUNTY("350206", "湖里区", "Huli District", "350200"),
    COUNTY("350211", "集美区", "Jimei District", "350200"),
    COUNTY("350212", "同安区", "Tong'an District", "350200"),
    COUNTY("350213", "翔安区", "Xiang'an District", "350200"),
    COUNTY("350302", "城厢区", "Chengxiang District", "350300"),
    COUNTY("350303", "涵江区", "Hanjiang District", "350300"),
    COUNTY("350304", "荔城区", "Licheng District", "350300"),
    COUNTY("350305", "秀屿区", "Xiuyu District", "350300"),
    COUNTY("350322", "仙游县", "Xianyou County", "350300"),
    COUNTY("350404", "三元区", "Sanyuan District", "350400"),
    COUNTY("350405", "沙县区", "Shaxian District", "350400"),
    COUNTY("350421", "明溪县", "Mingxi County", "350400"),
    COUNTY("350423", "清流县", "Qingliu County", "350400"),
    COUNTY("350424", "宁化县", "Ninghua County", "350400"),
    COUNTY("350425", "大田县", "Datian County", "350400"),
    COUNTY("350426", "尤溪县", "Youxi County", "350400"),
    COUNTY("350428", "将乐县", "Jiangle County", "350400"),
    COUNTY("350429", "泰宁县", "Taining County", "350400"),
    COUNTY("350430", "建宁县", "Jianning County", "350400"),
    COUNTY("350481", "永安市", "Yong'an City", "350400"),
    COUNTY("350502", "鲤城区", "Licheng District", "350500"),
    COUNTY("350503", "丰泽区", "Fengze District", "350500"),
    COUNTY("350504", "洛江区", "Luojiang District", "350500"),
    COUNTY("350505", "泉港区", "Quangang District", "350500"),
    COUNTY("350521", "惠安县", "Hui'an County", "350500"),
    COUNTY("350524", "安溪县", "Anxi County", "350500"),
    COUNTY("350525", "永春县", "Yongchun County", "350500"),
    COUNTY("350526", "德化县", "Dehua County", "350500"),
    /* In GB/T 2260, administered by Taiwan: listed so the code is known,
     * refused as a unit's division. */
    {"350527", "金门县", "Jinmen (Kinmen) County", ESEAL_REGION_COUNTY, "350500", "350500", NULL,
     NULL, false},
    COUNTY("350581", "石狮市", "Shishi City", "350500"),
    COUNTY("350582", "晋江市", "Jinjiang City", "350500"),
    COUNTY("350583", "南安市", "Nan'an City", "350500"),
    COUNTY("350602", "芗城区", "Xiangcheng District", "350600"),
    COUNTY("350603", "龙文区", "Longwen District", "350600"),
    COUNTY("350604", "龙海区", "Longhai District", "350600"),
    COUNTY("350605", "长泰区", "Changtai District", "350600"),
    COUNTY("350622", "云霄县", "Yunxiao County", "350600"),
    COUNTY("350623", "漳浦县", "Zhangpu County", "350600"),
    COUNTY("350624", "诏安县", "Zhao'an County", "350600"),
    COUNTY("350626", "东山县", "Dongshan County", "350600"),
    COUNTY("350627", "南靖县", "Nanjing County", "350600"),
    COUNTY("350628", "平和县", "Pinghe County", "350600"),
    COUNTY("350629", "华安县", "Hua'an County", "350600"),
    COUNTY("350702", "延平区", "Yanping District", "350700"),
    COUNTY("350703", "建阳区", "Jianyang District", "350700"),
    COUNTY("350721", "顺昌县", "Shunchang County", "350700"),
    COUNTY("350722", "浦城县", "Pucheng County", "350700"),
    COUNTY("350723", "光泽县", "Guangze County", "350700"),
    COUNTY("350724", "松溪县", "Songxi County", "350700"),
    COUNTY("350725", "政和县", "Zhenghe County", "350700"),
    COUNTY("350781", "邵武市", "Shaowu City", "350700"),
    COUNTY("350782", "武夷山市", "Wuyishan City", "350700"),
    COUNTY("350783", "建瓯市", "Jian'ou City", "350700"),
    COUNTY("350802", "新罗区", "Xinluo District", "350800"),
    COUNTY("350803", "永定区", "Yongding District", "350800"),
    COUNTY("350821", "长汀县", "Changting County", "350800"),
    COUNTY("350823", "上杭县", "Shanghang County", "350800"),
    COUNTY("350824", "武平县", "Wuping County", "350800"),
    COUNTY("350825", "连城县", "Liancheng County", "350800"),
    COUNTY("350881", "漳平市", "Zhangping City", "350800"),
    COUNTY("350902", "蕉城区", "Jiaocheng District", "350900"),
    COUNTY("350921", "霞浦县", "Xiapu County", "350900"),
    COUNTY("350922", "古田县", "Gutian County", "350900"),
    COUNTY("350923", "屏南县", "Pingnan County", "350900"),
    COUNTY("350924", "寿宁县", "Shouning County", "350900"),
    COUNTY("350925", "周宁县", "Zhouning County", "350900"),
    COUNTY("350926", "柘荣县", "Zherong County", "350900"),
    COUNTY("350981", "福安市", "Fu'an City", "350900"),
    COUNTY("350982", "福鼎市", "Fuding City", "350900"),
};

#define N_COUNTIES (sizeof(counties) / sizeof(counties[0]))

/* six_digits guards every lookup, so a long or odd string never matches a
 * prefix of a code. */
static bool six_digits(const char *s)
{
    if (s == NULL)
        return false;
    for (int i = 0; i < ESEAL_REGION_CODE_LEN; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return s[ESEAL_REGION_CODE_LEN] == '\0';
}

static const struct eseal_region *find_in(const struct eseal_region *rows, size_t n,
                                          const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].code, code) == 0)
            return &rows[i];
    return NULL;
}

const struct eseal_region *eseal_region_lookup(const char *code)
{
    if (!six_digits(code))
        return NULL;
    if (strcmp(code, province.code) == 0)
        return &province;
    const struct eseal_region *r = find_in(cities, N_CITIES, code);
    return r != NULL ? r : find_in(counties, N_COUNTIES, code);
}

const struct eseal_region *eseal_region_cities(size_t *n)
{
    *n = N_CITIES;
    return cities;
}

const struct eseal_region *eseal_region_counties(const char *city, size_t *n)
{
    *n = 0;
    const struct eseal_region *c = eseal_region_lookup(city);
    if (c == NULL)
        return NULL;
    if (c->kind == ESEAL_REGION_ZONE) {
        *n = 1;
        return c;
    }
    if (c->kind != ESEAL_REGION_CITY)
        return NULL;
    const struct eseal_region *first = NULL;
    for (size_t i = 0; i < N_COUNTIES; i++) {
        if (strcmp(counties[i].channel, c->code) != 0)
            continue;
        if (first == NULL)
            first = &counties[i];
        (*n)++;
    }
    return first;
}

const struct eseal_region *eseal_region_city_of(const char *code)
{
    const struct eseal_region *r = eseal_region_lookup(code);
    if (r == NULL || r->channel == NULL)
        return NULL;
    return find_in(cities, N_CITIES, r->channel);
}

bool eseal_region_in_city(const char *county, const char *city)
{
    const struct eseal_region *r = eseal_region_lookup(county);
    if (r == NULL || !six_digits(city))
        return false;
    if (r->kind == ESEAL_REGION_PROVINCE)
        return strcmp(city, province.code) == 0;
    return strcmp(r->channel, city) == 0;
}

const char *eseal_region_aggregator(const char *city)
{
    const struct eseal_region *r = eseal_region_lookup(city);
    return r != NULL ? r->aggregator_zh : NULL;
}

eseal_rc eseal_region_esid_prefix(const char *city, const char *county, const char **prefix,
                                  struct eseal_err *err)
{
    const struct eseal_region *c = eseal_region_lookup(city);
    const struct eseal_region *r = eseal_region_lookup(county);
    if (c == NULL || (c->kind != ESEAL_REGION_CITY && c->kind != ESEAL_REGION_ZONE &&
                      c->kind != ESEAL_REGION_PROVINCE))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "所属地市代码无效 / not a city-level code: \"%s\"",
                             city != NULL ? city : "");
    if (r == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "区县代码未知 / unknown county code: \"%s\"",
                             county != NULL ? county : "");
    if (!eseal_region_in_city(county, city))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "区县 %s 不属于地市 %s / county %s is not in city %s", county, city,
                             county, city);
    if (!r->served)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "%s %s 不在本平台服务范围 / %s is not served by this platform",
                             r->code, r->name_zh, r->code);
    *prefix = r->code;
    return ESEAL_OK;
}

eseal_rc eseal_esid_make(char out[ESEAL_ESID_LEN + 1], const char *prefix, uint32_t serial,
                         struct eseal_err *err)
{
    const struct eseal_region *r = eseal_region_lookup(prefix);
    if (r == NULL || !r->served)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "印章编码前缀无效 / not a served division code: \"%s\"",
                             prefix != NULL ? prefix : "");
    if (serial == 0 || serial > ESEAL_ESID_SERIAL_MAX)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "印章序号须为 1..99999999 / serial must be 1..99999999, not %u",
                             (unsigned)serial);
    snprintf(out, ESEAL_ESID_LEN + 1, "%s%08u", r->code, (unsigned)serial);
    return ESEAL_OK;
}

eseal_rc eseal_esid_check(const char *esid, const struct eseal_region **region, uint32_t *serial,
                          struct eseal_err *err)
{
    size_t len = esid != NULL ? strlen(esid) : 0;
    bool digits = len == ESEAL_ESID_LEN;
    for (size_t i = 0; digits && i < len; i++)
        digits = esid[i] >= '0' && esid[i] <= '9';
    if (!digits)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "印章编码须为 14 位数字 / an esID is 14 digits: \"%.32s\"",
                             esid != NULL ? esid : "");
    char code[ESEAL_REGION_CODE_LEN + 1];
    memcpy(code, esid, ESEAL_REGION_CODE_LEN);
    code[ESEAL_REGION_CODE_LEN] = '\0';
    const struct eseal_region *r = eseal_region_lookup(code);
    if (r == NULL || !r->served)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "印章编码前缀 %s 不是本平台的行政区划代码 / esID prefix %s is not a "
                             "served division code",
                             code, code);
    uint32_t s = 0;
    for (size_t i = ESEAL_REGION_CODE_LEN; i < ESEAL_ESID_LEN; i++)
        s = s * 10 + (uint32_t)(esid[i] - '0');
    if (s == 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "印章序号不能为 0 / the esID serial is 0");
    if (region != NULL)
        *region = r;
    if (serial != NULL)
        *serial = s;
    return ESEAL_OK;
}
