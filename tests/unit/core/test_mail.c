/* test_mail.c — the SMTP adapter: what is refused before anything is sent,
 * a relay that is not there, and a real message through Debian's aiosmtpd
 * (python3-aiosmtpd) writing a Maildir, read back and decoded. */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "eseal/buf.h"
#include "eseal/enc.h"
#include "eseal/mail.h"
#include "testutil.h"

static const char *const python = "/usr/bin/python3";

/* free_port returns a loopback port nobody listens on (just closed). */
static unsigned free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s);
    return ntohs(a.sin_port);
}

static bool can_connect(unsigned port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                            .sin_port = htons((uint16_t)port)};
    bool ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(s);
    return ok;
}

static const struct eseal_mail good = {
    .from = "eseal@platform.example",
    .to = "agent1@unit.example",
    .subject = "电子印章通知：印章已到期 / seal expired",
    .body = "印章 35010200000001 已到期。 / Seal 35010200000001 expired.\n",
};

static void test_refused_before_sending(void **state)
{
    (void)state;
    struct eseal_mail_relay relay = {.url = "smtp://127.0.0.1:1"};
    struct eseal_err err;
    struct eseal_mail m = good;
    m.to = "agent1@unit.example>\r\nRCPT TO:<x@y.example";
    assert_int_equal(eseal_mail_send(&relay, &m, &err), ESEAL_E_INVALID);
    m = good;
    m.to = "no-at-sign";
    assert_int_equal(eseal_mail_send(&relay, &m, &err), ESEAL_E_INVALID);
    m = good;
    m.from = "a b@c.example";
    assert_int_equal(eseal_mail_send(&relay, &m, &err), ESEAL_E_INVALID);
    m = good;
    m.subject = "two\r\nBcc: x@y.example";
    assert_int_equal(eseal_mail_send(&relay, &m, &err), ESEAL_E_INVALID);
    struct eseal_mail_relay http = {.url = "http://127.0.0.1:1"};
    assert_int_equal(eseal_mail_send(&http, &good, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "smtp://"));
}

static void test_relay_not_there(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof(url), "smtp://127.0.0.1:%u", free_port());
    struct eseal_mail_relay relay = {.url = url, .timeout_ms = 5000};
    struct eseal_err err;
    assert_int_equal(eseal_mail_send(&relay, &good, &err), ESEAL_E_UNAVAILABLE);
    assert_non_null(strstr(err.msg, url));
}

/* read_one_mail returns the text of the one file in |dir|/new (new). */
static char *read_one_mail(const char *dir)
{
    char *path = eseal_xasprintf("%s/new", dir);
    char *text = NULL;
    for (int tries = 0; tries < 100 && text == NULL; tries++) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char *file = eseal_xasprintf("%s/%s", path, e->d_name);
            struct eseal_buf b;
            eseal_buf_init(&b);
            if (eseal_file_read(&b, file, 1 << 20, NULL) == ESEAL_OK) {
                eseal_buf_append(&b, "", 1);
                text = eseal_xstrdup((const char *)b.data);
            }
            eseal_buf_cleanup(&b);
            free(file);
        }
        if (d != NULL)
            closedir(d);
        if (text == NULL)
            usleep(100 * 1000);
    }
    free(path);
    return text;
}

static void test_through_aiosmtpd(void **state)
{
    (void)state;
    if (access(python, X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null") != 0)
        skip(); /* python3-aiosmtpd: tools/bootstrap installs it */
    char *dir = tu_tmpdir();
    char *maildir = eseal_xasprintf("%s/maildir", dir);
    unsigned port = free_port();
    char listen[32];
    snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(python, python, "-m", "aiosmtpd", "-n", "-l", listen, "-c",
              "aiosmtpd.handlers.Mailbox", maildir, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100 && !can_connect(port); i++)
        usleep(100 * 1000);
    char url[64];
    snprintf(url, sizeof(url), "smtp://127.0.0.1:%u", port);
    struct eseal_mail_relay relay = {.url = url};
    struct eseal_err err;
    eseal_rc rc = eseal_mail_send(&relay, &good, &err);
    char *text = rc == ESEAL_OK ? read_one_mail(maildir) : NULL;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    if (rc != ESEAL_OK)
        fail_msg("send: %s", err.msg);
    assert_non_null(text);
    assert_non_null(strstr(text, "To: <agent1@unit.example>"));
    assert_non_null(strstr(text, "From: <eseal@platform.example>"));
    assert_non_null(strstr(text, "Content-Type: text/plain; charset=UTF-8"));
    /* the subject and the body, base64 on the wire, decode to what was sent */
    char *subject =
        eseal_base64((const uint8_t *)good.subject, strlen(good.subject), ESEAL_B64_STD);
    char *want = eseal_xasprintf("Subject: =?UTF-8?B?%s?=", subject);
    assert_non_null(strstr(text, want));
    const char *body = strstr(text, "\n\n");
    assert_non_null(body);
    struct eseal_buf b64, plain;
    eseal_buf_init(&b64);
    eseal_buf_init(&plain);
    for (const char *p = body + 2; *p != '\0'; p++)
        if (*p != '\n' && *p != '\r')
            eseal_buf_append(&b64, p, 1);
    assert_int_equal(eseal_unbase64(&plain, (const char *)b64.data, b64.len, ESEAL_B64_STD, NULL),
                     ESEAL_OK);
    assert_int_equal(plain.len, strlen(good.body));
    assert_memory_equal(plain.data, good.body, plain.len);
    eseal_buf_cleanup(&b64);
    eseal_buf_cleanup(&plain);
    free(want);
    free(subject);
    free(text);
    tu_rmtree(dir);
    free(dir);
    free(maildir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_before_sending),
        cmocka_unit_test(test_relay_not_there),
        cmocka_unit_test(test_through_aiosmtpd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
