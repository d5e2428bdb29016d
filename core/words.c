/* words.c — words for people: Beijing time, seal statuses and reasons. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/json.h"
#include "eseal/words.h"

/* Beijing time is UTC+8 all year (no daylight saving since 1991). */
#define BEIJING_OFFSET (8 * 3600)

struct tm *eseal_words_beijing(time_t t, struct tm *tm)
{
    time_t bj = t + BEIJING_OFFSET;
    return gmtime_r(&bj, tm);
}

char *eseal_words_time(time_t t)
{
    struct tm tm;
    char s[40];
    if (eseal_words_beijing(t, &tm) == NULL ||
        strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S", &tm) == 0)
        return eseal_xstrdup("(invalid time)");
    return eseal_xasprintf("%s 北京时间", s);
}

char *eseal_words_iso_time(const char *iso)
{
    int64_t t;
    if (iso == NULL)
        return NULL;
    return eseal_json_time_parse(iso, &t) ? eseal_words_time((time_t)t) : eseal_xstrdup(iso);
}

const char *eseal_word_of(const struct eseal_word *w, size_t n, const char *name)
{
    for (size_t i = 0; name != NULL && i < n; i++)
        if (strcmp(w[i].name, name) == 0)
            return w[i].zh;
    return name;
}

const char *eseal_words_seal_status(const char *status)
{
    static const struct eseal_word w[] = {
        {"good", "有效"},      {"pending", "待领取（尚不能使用）"}, {"suspended", "已挂失"},
        {"revoked", "已撤销"}, {"expired", "已过有效期"},           {"unknown", "未登记"},
    };
    return eseal_word_of(w, sizeof(w) / sizeof(w[0]), status);
}

const char *eseal_words_reason(const char *reason)
{
    static const struct eseal_word w[] = {
        {"keyCompromise", "密钥泄露或遗失"},
        {"superseded", "已由新版本取代"},
        {"cessationOfOperation", "单位撤销、合并或更名"},
        {"affiliationChanged", "隶属关系变更"},
        {"privilegeWithdrawn", "权限撤回"},
        {"certificateHold", "挂失"},
        {"unspecified", "未说明原因"},
    };
    return eseal_word_of(w, sizeof(w) / sizeof(w[0]), reason);
}
