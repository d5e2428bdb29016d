/* config.c — load, override, check, print and dump table-driven configuration. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eseal/buf.h"
#include "eseal/config.h"
#include "eseal/json.h"

/* A configuration file is a few hundred bytes; anything near this is wrong. */
#define CONFIG_FILE_MAX (1024 * 1024)
/* The default upper bound on a STRING option's length (max 0 in the table). */
#define STRING_MAX_DEFAULT 4096
/* Names longer than this get no "did you mean" suggestion. */
#define SUGGEST_NAME_MAX 64

/* union value holds one parsed value before it is stored; a string is owned. */
union value {
    char *s;
    long long i;
    bool b;
};

static const struct {
    const char *usage;    /* the value name shown by eseal_config_usage */
    const char *expected; /* what a JSON value of this option must be */
} type_info[] = {
    [ESEAL_OPT_STRING] = {"STRING", "a string"},
    [ESEAL_OPT_INT] = {"INT", "an integer"},
    [ESEAL_OPT_BOOL] = {"BOOL", "true or false"},
};

static void *field_of(const struct eseal_opt *opt, void *cfg)
{
    return (char *)cfg + opt->offset;
}

static const void *cfield_of(const struct eseal_opt *opt, const void *cfg)
{
    return (const char *)cfg + opt->offset;
}

static const struct eseal_opt *find_opt(const struct eseal_opt *table, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    }
    return NULL;
}

/* edit_distance is the Levenshtein distance, or SIZE_MAX when either name is
 * too long to be worth a suggestion. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[SUGGEST_NAME_MAX + 1];
    if (la > SUGGEST_NAME_MAX || lb > SUGGEST_NAME_MAX)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* suggest returns the option name closest to |key| if it is a likely typo. */
static const char *suggest(const struct eseal_opt *table, size_t n, const char *key)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(key, table[i].name);
        if (d < best_d) {
            best_d = d;
            best = table[i].name;
        }
    }
    /* Two edits turn any short word into another; demand similarity. */
    if (best_d == 0 || best_d > 2 || best_d * 2 > strlen(key))
        return NULL;
    return best;
}

/* field_swap stores |v| into |field| and returns what was there. */
static union value field_swap(const struct eseal_opt *opt, void *field, union value v)
{
    union value old = {0};
    switch (opt->type) {
    case ESEAL_OPT_STRING:
        old.s = *(char **)field;
        *(char **)field = v.s;
        break;
    case ESEAL_OPT_INT:
        old.i = *(long long *)field;
        *(long long *)field = v.i;
        break;
    case ESEAL_OPT_BOOL:
        old.b = *(bool *)field;
        *(bool *)field = v.b;
        break;
    }
    return old;
}

static eseal_rc check_bounds(const struct eseal_opt *opt, const union value *v,
                             struct eseal_err *err)
{
    if (opt->type == ESEAL_OPT_INT && (v->i < opt->min || v->i > opt->max))
        return eseal_err_set(err, ESEAL_E_INVALID, "%lld is out of range %lld..%lld", v->i,
                             opt->min, opt->max);
    /* An unset string (JSON null) has no length to check. */
    if (opt->type != ESEAL_OPT_STRING || v->s == NULL)
        return ESEAL_OK;
    long long max = opt->max != 0 ? opt->max : STRING_MAX_DEFAULT;
    long long len = (long long)strlen(v->s);
    if (len < opt->min || len > max)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "a length of %lld bytes is out of range %lld..%lld", len, opt->min,
                             max);
    return ESEAL_OK;
}

/* store checks bounds, stores |v| (taking ownership) and runs the validator.
 * On failure the previous value is put back, so |cfg| never holds a value
 * that failed its checks. */
static eseal_rc store(const struct eseal_opt *opt, void *cfg, union value v, struct eseal_err *err)
{
    eseal_rc rc = check_bounds(opt, &v, err);
    if (rc == ESEAL_OK) {
        void *field = field_of(opt, cfg);
        union value old = field_swap(opt, field, v);
        rc = opt->validate != NULL ? opt->validate(opt, field, err) : ESEAL_OK;
        v = rc == ESEAL_OK ? old : field_swap(opt, field, old);
    }
    if (opt->type == ESEAL_OPT_STRING)
        free(v.s);
    return rc;
}

static const char *json_kind(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "an unknown value";
}

static eseal_rc value_from_json(const struct eseal_opt *opt, const json_t *j, union value *out,
                                struct eseal_err *err)
{
    if (opt->type == ESEAL_OPT_STRING && json_is_string(j)) {
        const char *s = json_string_value(j);
        if (strlen(s) != json_string_length(j))
            return eseal_err_set(err, ESEAL_E_INVALID, "contains a NUL character");
        out->s = eseal_xstrdup(s);
        return ESEAL_OK;
    }
    /* null unsets an optional string (one without a default), so the output
     * of eseal_config_to_json loads back; a required one cannot be unset. */
    if (opt->type == ESEAL_OPT_STRING && opt->def_string == NULL && json_is_null(j)) {
        out->s = NULL;
        return ESEAL_OK;
    }
    if (opt->type == ESEAL_OPT_INT && json_is_integer(j)) {
        out->i = json_integer_value(j);
        return ESEAL_OK;
    }
    if (opt->type == ESEAL_OPT_BOOL && json_is_boolean(j)) {
        out->b = json_is_true(j);
        return ESEAL_OK;
    }
    return eseal_err_set(err, ESEAL_E_INVALID, "expected %s, got %s", type_info[opt->type].expected,
                         json_kind(j));
}

static eseal_rc parse_int(const char *text, long long *out, struct eseal_err *err)
{
    char *end = NULL;
    errno = 0;
    /* strtoll would skip leading blanks; a command line value should not have any. */
    if (text[0] != '\0' && !isspace((unsigned char)text[0])) {
        *out = strtoll(text, &end, 10);
        if (errno == 0 && *end == '\0')
            return ESEAL_OK;
    }
    if (errno == ERANGE)
        return eseal_err_set(err, ESEAL_E_INVALID, "\"%s\" is out of range", text);
    return eseal_err_set(err, ESEAL_E_INVALID, "\"%s\" is not an integer", text);
}

static eseal_rc parse_bool(const char *text, bool *out, struct eseal_err *err)
{
    static const char *const yes[] = {"true", "1", "yes"};
    static const char *const no[] = {"false", "0", "no"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(text, yes[i]) == 0 || strcasecmp(text, no[i]) == 0) {
            *out = strcasecmp(text, yes[i]) == 0;
            return ESEAL_OK;
        }
    }
    return eseal_err_set(err, ESEAL_E_INVALID,
                         "\"%s\" is not a boolean (use true/false, yes/no or 1/0)", text);
}

static eseal_rc value_from_text(const struct eseal_opt *opt, const char *text, union value *out,
                                struct eseal_err *err)
{
    switch (opt->type) {
    case ESEAL_OPT_INT:
        return parse_int(text, &out->i, err);
    case ESEAL_OPT_BOOL:
        return parse_bool(text, &out->b, err);
    case ESEAL_OPT_STRING:
        break;
    }
    /* Values from files are UTF-8 by JSON's rules; keep the command line the
     * same so the effective configuration can always be dumped as JSON. */
    json_t *probe = json_string(text);
    if (probe == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "is not valid UTF-8");
    json_decref(probe);
    out->s = eseal_xstrdup(text);
    return ESEAL_OK;
}

void eseal_config_defaults(const struct eseal_opt *table, size_t n, void *cfg)
{
    for (size_t i = 0; i < n; i++) {
        const struct eseal_opt *opt = &table[i];
        void *field = field_of(opt, cfg);
        switch (opt->type) {
        case ESEAL_OPT_STRING:
            *(char **)field = opt->def_string ? eseal_xstrdup(opt->def_string) : NULL;
            break;
        case ESEAL_OPT_INT:
            *(long long *)field = opt->def_int;
            break;
        case ESEAL_OPT_BOOL:
            *(bool *)field = opt->def_int != 0;
            break;
        }
    }
}

static eseal_rc unknown_key(const struct eseal_opt *table, size_t n, const char *key,
                            const char *path, struct eseal_err *err)
{
    const char *near = suggest(table, n, key);
    if (near != NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s: unknown key \"%s\" (did you mean \"%s\"?)",
                             path, key, near);
    return eseal_err_set(err, ESEAL_E_INVALID, "%s: unknown key \"%s\"", path, key);
}

static eseal_rc load_object(const struct eseal_opt *table, size_t n, void *cfg, json_t *root,
                            const char *path, struct eseal_err *err)
{
    const char *key;
    json_t *j;
    json_object_foreach(root, key, j)
    {
        const struct eseal_opt *opt = find_opt(table, n, key);
        if (opt == NULL)
            return unknown_key(table, n, key, path, err);
        union value v;
        eseal_rc rc = value_from_json(opt, j, &v, err);
        if (rc == ESEAL_OK)
            rc = store(opt, cfg, v, err);
        if (rc != ESEAL_OK) {
            /* eseal_err_prefix returns OK for a NULL err, so keep our rc. */
            eseal_err_prefix(err, "%s: key \"%s\"", path, key);
            return rc;
        }
    }
    return ESEAL_OK;
}

/* validate_all also covers defaults and keys the file did not mention. */
static eseal_rc validate_all(const struct eseal_opt *table, size_t n, void *cfg, const char *path,
                             struct eseal_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const struct eseal_opt *opt = &table[i];
        if (opt->validate == NULL)
            continue;
        eseal_rc rc = opt->validate(opt, field_of(opt, cfg), err);
        if (rc != ESEAL_OK) {
            eseal_err_prefix(err, "%s: key \"%s\"", path, opt->name);
            return rc;
        }
    }
    return ESEAL_OK;
}

eseal_rc eseal_config_load_file(const struct eseal_opt *table, size_t n, void *cfg,
                                const char *path, struct eseal_err *err)
{
    struct eseal_buf text;
    json_t *root = NULL;
    eseal_buf_init(&text);
    eseal_rc rc = eseal_file_read(&text, path, CONFIG_FILE_MAX, err);
    if (rc != ESEAL_OK)
        goto out;
    rc = eseal_json_parse(&root, text.data, text.len,
                          &(struct eseal_json_limits){.max_len = CONFIG_FILE_MAX}, err);
    if (rc != ESEAL_OK) {
        eseal_err_prefix(err, "%s", path);
        goto out;
    }
    if (!json_is_object(root)) {
        rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: the top level must be a JSON object, got %s",
                           path, json_kind(root));
        goto out;
    }
    rc = load_object(table, n, cfg, root, path, err);
    if (rc == ESEAL_OK)
        rc = validate_all(table, n, cfg, path, err);
out:
    json_decref(root);
    eseal_buf_cleanup(&text);
    return rc;
}

eseal_rc eseal_config_set(const struct eseal_opt *table, size_t n, void *cfg, const char *name,
                          const char *text, struct eseal_err *err)
{
    const struct eseal_opt *opt = find_opt(table, n, name);
    if (opt == NULL) {
        const char *near = suggest(table, n, name);
        if (near != NULL)
            return eseal_err_set(err, ESEAL_E_INVALID, "unknown option --%s (did you mean --%s?)",
                                 name, near);
        return eseal_err_set(err, ESEAL_E_INVALID, "unknown option --%s", name);
    }
    union value v;
    eseal_rc rc = value_from_text(opt, text, &v, err);
    if (rc == ESEAL_OK)
        rc = store(opt, cfg, v, err);
    if (rc != ESEAL_OK)
        eseal_err_prefix(err, "--%s", name);
    return rc;
}

static json_t *opt_to_json(const struct eseal_opt *opt, const void *field)
{
    switch (opt->type) {
    case ESEAL_OPT_STRING: {
        const char *s = *(char *const *)field;
        return s != NULL ? json_string(s) : json_null();
    }
    case ESEAL_OPT_INT:
        return json_integer(*(const long long *)field);
    case ESEAL_OPT_BOOL:
        return json_boolean(*(const bool *)field);
    }
    return json_null();
}

json_t *eseal_config_to_json(const struct eseal_opt *table, size_t n, const void *cfg)
{
    json_t *obj = json_object();
    if (obj == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const struct eseal_opt *opt = &table[i];
        /* Strings are UTF-8 checked when stored, so this cannot fail short of
         * memory exhaustion, where json_object_set_new frees nothing leaked. */
        json_object_set_new(obj, opt->name, opt_to_json(opt, cfield_of(opt, cfg)));
    }
    return obj;
}

static void print_default(const struct eseal_opt *opt, FILE *out)
{
    switch (opt->type) {
    case ESEAL_OPT_STRING:
        if (opt->def_string != NULL)
            fprintf(out, " (default: %s)", opt->def_string);
        break;
    case ESEAL_OPT_INT:
        fprintf(out, " (default: %lld)", opt->def_int);
        break;
    case ESEAL_OPT_BOOL:
        fprintf(out, " (default: %s)", opt->def_int ? "true" : "false");
        break;
    }
}

void eseal_config_usage(const struct eseal_opt *table, size_t n, FILE *out)
{
    size_t width = 0;
    for (size_t i = 0; i < n; i++) {
        size_t w = strlen(table[i].name) + 1 + strlen(type_info[table[i].type].usage);
        if (w > width)
            width = w;
    }
    for (size_t i = 0; i < n; i++) {
        const struct eseal_opt *opt = &table[i];
        const char *type = type_info[opt->type].usage;
        int pad = (int)(width - strlen(opt->name) - 1 - strlen(type));
        /* typed with '-' (status_url is --status-url; both are accepted) */
        fputs("  --", out);
        for (const char *c = opt->name; *c != '\0'; c++)
            fputc(*c == '_' ? '-' : *c, out);
        fprintf(out, " %s%*s  %s", type, pad, "", opt->help != NULL ? opt->help : "");
        print_default(opt, out);
        fputc('\n', out);
    }
}

void eseal_config_cleanup(const struct eseal_opt *table, size_t n, void *cfg)
{
    for (size_t i = 0; i < n; i++) {
        if (table[i].type != ESEAL_OPT_STRING)
            continue;
        char **field = field_of(&table[i], cfg);
        free(*field);
        *field = NULL;
    }
}

eseal_rc eseal_opt_valid_address(const struct eseal_opt *opt, const void *field,
                                 struct eseal_err *err)
{
    const char *s = *(char *const *)field;
    struct in6_addr addr;
    if (s == NULL || inet_pton(AF_INET, s, &addr) == 1 || inet_pton(AF_INET6, s, &addr) == 1)
        return ESEAL_OK;
    return eseal_err_set(err, ESEAL_E_INVALID, "\"%s\" is not an IPv4 or IPv6 address", s);
}

/* url_rest returns what follows "http://" or "https://" in |s|, else NULL. */
static const char *url_rest(const char *s)
{
    if (strncasecmp(s, "http://", 7) == 0)
        return s + 7;
    if (strncasecmp(s, "https://", 8) == 0)
        return s + 8;
    return NULL;
}

static eseal_rc check_url(const char *s, struct eseal_err *err)
{
    const char *rest = url_rest(s);
    if (rest == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "\"%s\" does not start with http:// or https://",
                             s);
    /* The host ends where the path, query, fragment or port begins. */
    if (strcspn(rest, "/?#:") == 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "\"%s\" has no host", s);
    for (const char *p = s; *p != '\0'; p++) {
        if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "\"%s\" contains a space or control character", s);
    }
    return ESEAL_OK;
}

eseal_rc eseal_opt_valid_url(const struct eseal_opt *opt, const void *field, struct eseal_err *err)
{
    const char *s = *(char *const *)field;
    return s == NULL ? ESEAL_OK : check_url(s, err);
}

eseal_rc eseal_opt_valid_dir_or_url(const struct eseal_opt *opt, const void *field,
                                    struct eseal_err *err)
{
    const char *s = *(char *const *)field;
    if (s == NULL)
        return ESEAL_OK;
    if (url_rest(s) != NULL)
        return check_url(s, err);
    if (s[0] == '\0')
        return eseal_err_set(err, ESEAL_E_INVALID, "is empty: give a directory or an http(s) URL");
    return ESEAL_OK;
}

/* ---- a daemon's command line ------------------------------------------- */

static int cli_fail(const char *prog, const char *what, const struct eseal_err *e)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what,
            e->msg[0] != '\0' ? e->msg : eseal_rc_describe(e->rc));
    return 1;
}

/* cli_option applies "--name[=value]" at argv[*i] (taking the value from the
 * next argument when there is no '='; a boolean without "true" or "false"
 * after it is a bare switch, "true"). */
static int cli_option(const struct eseal_opt *table, size_t n, void *cfg, const char *prog,
                      int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    char name[64];
    const char *eq = strchr(a, '='), *value;
    size_t len = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
    snprintf(name, sizeof(name), "%.*s", (int)len, a + 2);
    for (char *c = name; *c != '\0'; c++) /* --passphrase-file is passphrase_file */
        if (*c == '-')
            *c = '_';
    const struct eseal_opt *opt = find_opt(table, n, name);
    bool flag = opt != NULL && opt->type == ESEAL_OPT_BOOL;
    if (eq != NULL) {
        value = eq + 1;
    } else if (flag && (*i + 1 == argc || (strcmp(argv[*i + 1], "true") != 0 &&
                                           strcmp(argv[*i + 1], "false") != 0))) {
        value = "true"; /* a bare switch: --no-status */
    } else if (*i + 1 < argc) {
        value = argv[++*i];
    } else {
        fprintf(stderr, "%s: --%s needs a value\n", prog, name);
        return 1;
    }
    struct eseal_err e;
    eseal_err_clear(&e);
    if (eseal_config_set(table, n, cfg, name, value, &e) != ESEAL_OK)
        return cli_fail(prog, "command line", &e);
    return 0;
}

static void cli_print(const struct eseal_opt *table, size_t n, const void *cfg)
{
    json_t *j = eseal_config_to_json(table, n, cfg);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    printf("%s\nconfiguration OK\n", text);
    free(text);
    json_decref(j);
}

int eseal_config_cli(const struct eseal_opt *table, size_t n, void *cfg, const char *prog,
                     void (*usage)(FILE *out), int argc, char **argv)
{
    /* The file first, so that command-line options override it wherever -c stands. */
    const char *file = NULL;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            file = argv[++i];
    struct eseal_err e;
    eseal_err_clear(&e);
    if (file != NULL && eseal_config_load_file(table, n, cfg, file, &e) != ESEAL_OK)
        return cli_fail(prog, "configuration", &e);
    bool check = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-c") == 0) {
            if (++i == argc) {
                fprintf(stderr, "%s: -c needs a file\n", prog);
                return 1;
            }
        } else if (strcmp(a, "-n") == 0) {
            check = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return -1;
        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("%s %s\n", prog, ESEAL_VERSION);
            return -1;
        } else if (strncmp(a, "--", 2) == 0 && a[2] != '\0') {
            if (cli_option(table, n, cfg, prog, argc, argv, &i) != 0)
                return 1;
        } else {
            fprintf(stderr, "%s: unexpected argument \"%s\"\n", prog, a);
            usage(stderr);
            return 1;
        }
    }
    if (check) {
        cli_print(table, n, cfg);
        return -1;
    }
    return 0;
}
