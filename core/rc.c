/* rc.c — result codes and error messages. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "eseal/rc.h"

void eseal_err_clear(struct eseal_err *err)
{
    if (err == NULL)
        return;
    err->rc = ESEAL_OK;
    err->msg[0] = '\0';
}

ESEAL_PRINTF(3, 0)
static void err_vset(struct eseal_err *err, eseal_rc rc, const char *fmt, va_list ap)
{
    err->rc = rc;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

eseal_rc eseal_err_set(struct eseal_err *err, eseal_rc rc, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        err_vset(err, rc, fmt, ap);
        va_end(ap);
    }
    return rc;
}

eseal_rc eseal_err_openssl(struct eseal_err *err, eseal_rc rc, const char *fmt, ...)
{
    /* The innermost reason is the most useful one; later entries are context. */
    unsigned long e = ERR_peek_error();
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        err_vset(err, rc, fmt, ap);
        va_end(ap);
        if (e != 0) {
            size_t used = strlen(err->msg);
            const char *reason = ERR_reason_error_string(e);
            char code[32];
            if (reason == NULL) {
                snprintf(code, sizeof(code), "error %lx", e);
                reason = code;
            }
            snprintf(err->msg + used, sizeof(err->msg) - used, " (openssl: %s)", reason);
        }
    }
    ERR_clear_error();
    return rc;
}

eseal_rc eseal_err_prefix(struct eseal_err *err, const char *fmt, ...)
{
    if (err == NULL)
        return ESEAL_OK;
    char prefix[ESEAL_ERR_MSG_MAX];
    char old[ESEAL_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    /* Truncation is acceptable: the message is for people and bounded. */
    size_t n = strlen(prefix);
    if (n > sizeof(err->msg) - 3)
        n = sizeof(err->msg) - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    size_t room = sizeof(err->msg) - n - 3;
    size_t m = strnlen(old, room);
    memcpy(err->msg + n + 2, old, m);
    err->msg[n + 2 + m] = '\0';
    return err->rc;
}

static const struct {
    const char *name;
    const char *describe;
} rc_table[] = {
    [ESEAL_OK] = {"ok", "成功 / ok"},
    [ESEAL_E_INVALID] = {"invalid", "无效输入 / invalid input"},
    [ESEAL_E_NOTFOUND] = {"not_found", "未找到 / not found"},
    [ESEAL_E_CONFLICT] = {"conflict", "冲突或不允许的操作 / conflict"},
    [ESEAL_E_DENIED] = {"denied", "拒绝访问 / access denied"},
    [ESEAL_E_CRYPTO] = {"crypto", "密码校验失败 / cryptographic check failed"},
    [ESEAL_E_IO] = {"io", "读写错误 / I/O error"},
    [ESEAL_E_TOOBIG] = {"too_big", "超出大小限制 / too large"},
    [ESEAL_E_UNAVAILABLE] = {"unavailable", "暂时不可用 / temporarily unavailable"},
    [ESEAL_E_INTERNAL] = {"internal", "内部错误 / internal error"},
    [ESEAL_E_RULE] = {"rule", "不符合业务规则 / refused by a rule"},
    [ESEAL_E_UNAUTH] = {"unauthenticated", "未登录 / not logged in"},
    [ESEAL_E_CSRF] = {"csrf", "缺少或错误的 CSRF 令牌 / missing or wrong CSRF token"},
    [ESEAL_E_THROTTLED] = {"throttled", "尝试过于频繁，请稍后再试 / too many attempts: try later"},
};

const char *eseal_rc_name(eseal_rc rc)
{
    if ((unsigned)rc >= sizeof(rc_table) / sizeof(rc_table[0]))
        return "internal";
    return rc_table[rc].name;
}

const char *eseal_rc_describe(eseal_rc rc)
{
    if ((unsigned)rc >= sizeof(rc_table) / sizeof(rc_table[0]))
        return rc_table[ESEAL_E_INTERNAL].describe;
    return rc_table[rc].describe;
}
