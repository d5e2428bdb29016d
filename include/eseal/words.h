/* words.h — words for people, shared by every page and text report (the
 * verifier's page and report, the publisher's lookup page): times in
 * Beijing time, seal statuses and revocation reasons in Chinese
 * (DESIGN.md §10). Machines keep UTC ISO 8601 and the stable names. */
#ifndef ESEAL_WORDS_H
#define ESEAL_WORDS_H

#include <stddef.h>
#include <time.h>

/* eseal_words_beijing breaks |t| down in Beijing time (UTC+8, no daylight
 * saving) into |tm| for a caller's own strftime format; NULL when it cannot. */
struct tm *eseal_words_beijing(time_t t, struct tm *tm);

/* eseal_words_time returns |t| for people: "2026-12-03 18:23:05 北京时间"
 * (UTC+8), or "(invalid time)" for one that cannot be shown. The caller
 * frees the result. */
char *eseal_words_time(time_t t);

/* eseal_words_iso_time turns a time as machines write it
 * ("2026-12-03T10:23:05Z", eseal_json_time_parse) into eseal_words_time's
 * form; NULL for NULL, a copy of |iso| when it is not such a time. The
 * caller frees the result. */
char *eseal_words_iso_time(const char *iso);

/* eseal_words_seal_status names a published seal status ("revoked" ->
 * "已撤销"); eseal_words_reason a CRLReason name ("keyCompromise" ->
 * "密钥泄露或遗失"). Static strings; a name they do not know comes back as
 * it is (NULL for NULL). */
const char *eseal_words_seal_status(const char *status);
/* struct eseal_word pairs a machine name with its words for people;
 * eseal_word_of finds |name| among |n| of them and returns its words, or
 * |name| itself when it has none. */
struct eseal_word {
    const char *name, *zh;
};
const char *eseal_word_of(const struct eseal_word *w, size_t n, const char *name);

const char *eseal_words_reason(const char *reason);

#endif
