/* mail.c — one e-mail through an SMTP relay with libcurl: the message
 * text built here, libcurl's results turned into eseal_rc at this boundary. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "eseal/buf.h"
#include "eseal/enc.h"
#include "eseal/mail.h"
#include "eseal/secret.h"

static pthread_once_t mail_once = PTHREAD_ONCE_INIT;
static CURLcode mail_global_rc = CURLE_FAILED_INIT;

static void mail_global_init(void)
{
    /* reference-counted and thread-safe in the libcurl Debian ships */
    mail_global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

bool eseal_mail_addr_ok(const char *a)
{
    size_t n = a != NULL ? strlen(a) : 0;
    const char *at = n > 0 ? strchr(a, '@') : NULL;
    if (n < 3 || n > ESEAL_MAIL_ADDR_MAX || at == NULL || at == a || at[1] == '\0' ||
        strchr(at + 1, '@') != NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)a[i];
        if (c <= ' ' || c >= 0x7f || strchr("\"(),:;<>[\\]", c) != NULL)
            return false;
    }
    return true;
}

/* put_base64_lines appends |len| bytes of |data| as base64 in lines of 76. */
static void put_base64_lines(struct eseal_buf *out, const void *data, size_t len)
{
    char *b64 = eseal_base64(data, len, ESEAL_B64_STD);
    size_t n = strlen(b64);
    for (size_t i = 0; i < n; i += 76) {
        size_t k = n - i < 76 ? n - i : 76;
        eseal_buf_append(out, b64 + i, k);
        eseal_buf_append(out, "\r\n", 2);
    }
    free(b64);
}

/* build_message writes the RFC 5322 message of |m| into |out|. */
static void build_message(struct eseal_buf *out, const struct eseal_mail *m)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    char *subject = eseal_base64((const uint8_t *)m->subject, strlen(m->subject), ESEAL_B64_STD);
    uint8_t rnd[12];
    eseal_random(rnd, sizeof(rnd));
    char *id = eseal_hex(rnd, sizeof(rnd));
    const char *domain = strchr(m->from, '@') + 1;
    char *head = eseal_xasprintf("Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\n"
                                 "Subject: =?UTF-8?B?%s?=\r\nMessage-ID: <%s@%s>\r\n"
                                 "MIME-Version: 1.0\r\n"
                                 "Content-Type: text/plain; charset=UTF-8\r\n"
                                 "Content-Transfer-Encoding: base64\r\n\r\n",
                                 date, m->from, m->to, subject, id, domain);
    eseal_buf_append(out, head, strlen(head));
    put_base64_lines(out, m->body, strlen(m->body));
    free(head);
    free(id);
    free(subject);
}

/* struct reader hands the message to libcurl piece by piece. */
struct reader {
    const struct eseal_buf *msg;
    size_t pos;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
    struct reader *r = ud;
    size_t room = size * nitems, left = r->msg->len - r->pos;
    size_t n = left < room ? left : room;
    memcpy(buf, r->msg->data + r->pos, n);
    r->pos += n;
    return n;
}

/* curl_rc maps a libcurl result of an SMTP transfer to eseal_rc. */
static eseal_rc curl_rc(CURLcode c, const char *url, const char *why, struct eseal_err *err)
{
    eseal_rc rc;
    switch (c) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        rc = ESEAL_E_UNAVAILABLE;
        break;
    case CURLE_LOGIN_DENIED:
    case CURLE_SEND_FAIL_REWIND:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UPLOAD_FAILED:
    case CURLE_USE_SSL_FAILED:
        rc = c == CURLE_USE_SSL_FAILED ? ESEAL_E_CRYPTO : ESEAL_E_DENIED;
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
        rc = ESEAL_E_CRYPTO;
        break;
    default:
        rc = ESEAL_E_IO;
        break;
    }
    return eseal_err_set(err, rc, "邮件发送失败 / sending mail via %.200s failed: %s%s%s", url,
                         curl_easy_strerror(c), why[0] ? ": " : "", why);
}

eseal_rc eseal_mail_send(const struct eseal_mail_relay *relay, const struct eseal_mail *m,
                         struct eseal_err *err)
{
    const char *url = relay != NULL ? relay->url : NULL;
    if (url == NULL || (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "SMTP 地址须以 smtp:// 或 smtps:// 开头 / the relay URL must start "
                             "with smtp:// or smtps://");
    if (!eseal_mail_addr_ok(m->from) || !eseal_mail_addr_ok(m->to))
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "邮件地址无效 / not a plain e-mail address: from or to");
    if (m->subject == NULL || m->body == NULL || strpbrk(m->subject, "\r\n") != NULL)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "邮件主题须为一行 / the subject must be one line");
    pthread_once(&mail_once, mail_global_init);
    if (mail_global_rc != CURLE_OK)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "libcurl 初始化失败 / libcurl init failed: %s",
                             curl_easy_strerror(mail_global_rc));
    CURL *h = curl_easy_init();
    if (h == NULL)
        abort(); /* out of memory */
    struct eseal_buf msg;
    eseal_buf_init(&msg);
    build_message(&msg, m);
    struct reader rd = {.msg = &msg};
    char from[ESEAL_MAIL_ADDR_MAX + 3], errbuf[CURL_ERROR_SIZE] = "";
    snprintf(from, sizeof(from), "<%s>", m->from);
    char *to = eseal_xasprintf("<%s>", m->to);
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    bool auth = relay->username != NULL;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &rd);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     (long)(relay->timeout_ms != 0 ? relay->timeout_ms : ESEAL_MAIL_TIMEOUT_MS));
    /* a password never goes over plain text: with credentials TLS is required */
    curl_easy_setopt(h, CURLOPT_USE_SSL, auth ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
    if (auth) {
        curl_easy_setopt(h, CURLOPT_USERNAME, relay->username);
        curl_easy_setopt(h, CURLOPT_PASSWORD, relay->password != NULL ? relay->password : "");
    }
    if (relay->ca_file != NULL)
        curl_easy_setopt(h, CURLOPT_CAINFO, relay->ca_file);
    CURLcode c = curl_easy_perform(h);
    eseal_rc rc = c == CURLE_OK ? ESEAL_OK : curl_rc(c, url, errbuf, err);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    free(to);
    eseal_buf_cleanup(&msg);
    return rc;
}
