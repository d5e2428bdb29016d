/* test_config.c — configuration tables: defaults, files, overrides, checks, dumps. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/config.h"
#include "testutil.h"

struct sample_config {
    char *address;
    long long port;
    char *data_dir;
    bool verbose;
    char *status_url;
};

#define SAMPLE_FIELD(f) offsetof(struct sample_config, f)

static const struct eseal_opt sample_table[] = {
    {.name = "address",
     .type = ESEAL_OPT_STRING,
     .offset = SAMPLE_FIELD(address),
     .def_string = "127.0.0.1",
     .validate = eseal_opt_valid_address,
     .help = "listen address"},
    {.name = "port",
     .type = ESEAL_OPT_INT,
     .offset = SAMPLE_FIELD(port),
     .def_int = 8442,
     .min = 0,
     .max = 65535,
     .help = "listen port"},
    {.name = "data_dir",
     .type = ESEAL_OPT_STRING,
     .offset = SAMPLE_FIELD(data_dir),
     .def_string = "./var/x",
     .min = 1,
     .validate = eseal_opt_valid_dir_or_url,
     .help = "data directory"},
    {.name = "verbose",
     .type = ESEAL_OPT_BOOL,
     .offset = SAMPLE_FIELD(verbose),
     .help = "log every request"},
    {.name = "status_url",
     .type = ESEAL_OPT_STRING,
     .offset = SAMPLE_FIELD(status_url),
     .validate = eseal_opt_valid_url,
     .help = "certificate status service"},
};

#define SAMPLE_N (sizeof(sample_table) / sizeof(sample_table[0]))

/* struct fixture is one test's temporary directory and config. */
struct fixture {
    char *dir;
    char *path; /* last file written with write_config */
    struct sample_config cfg;
    struct eseal_err err;
};

static int setup(void **state)
{
    struct fixture *f = eseal_xcalloc(1, sizeof(*f));
    f->dir = tu_tmpdir();
    eseal_config_defaults(sample_table, SAMPLE_N, &f->cfg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    eseal_config_cleanup(sample_table, SAMPLE_N, &f->cfg);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f->path);
    free(f);
    return 0;
}

static const char *write_config(struct fixture *f, const char *text)
{
    free(f->path);
    f->path = eseal_path_join(f->dir, "eseal.json");
    assert_int_equal(eseal_file_write(f->path, text, strlen(text), 0600, 0, NULL), ESEAL_OK);
    return f->path;
}

/* load writes |text| and loads it into the fixture's config. */
static eseal_rc load(struct fixture *f, const char *text)
{
    eseal_err_clear(&f->err);
    return eseal_config_load_file(sample_table, SAMPLE_N, &f->cfg, write_config(f, text), &f->err);
}

static void assert_msg_has(const struct fixture *f, const char *part)
{
    if (strstr(f->err.msg, part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", f->err.msg, part);
}

static void expect_invalid(struct fixture *f, const char *text, const char *part)
{
    assert_int_equal(load(f, text), ESEAL_E_INVALID);
    assert_int_equal(f->err.rc, ESEAL_E_INVALID);
    assert_msg_has(f, f->path);
    assert_msg_has(f, part);
}

static void test_defaults(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(f->cfg.address, "127.0.0.1");
    assert_int_equal(f->cfg.port, 8442);
    assert_string_equal(f->cfg.data_dir, "./var/x");
    assert_false(f->cfg.verbose);
    assert_null(f->cfg.status_url);
    /* Defaults are copies, not the table's literals. */
    assert_ptr_not_equal(f->cfg.data_dir, sample_table[2].def_string);
}

static void test_load_overrides(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load(f, "{\"address\": \"::1\", \"port\": 9000, \"data_dir\": \"/srv/seal\",\n"
                             " \"verbose\": true,\n"
                             " \"status_url\": \"https://ocsp.example.gov.cn/status\"}"),
                     ESEAL_OK);
    assert_string_equal(f->cfg.address, "::1");
    assert_int_equal(f->cfg.port, 9000);
    assert_string_equal(f->cfg.data_dir, "/srv/seal");
    assert_true(f->cfg.verbose);
    assert_string_equal(f->cfg.status_url, "https://ocsp.example.gov.cn/status");
    /* A second file replaces only what it names (old strings freed: ASan). */
    assert_int_equal(load(f, "{\"data_dir\": \"https://store.example\"}"), ESEAL_OK);
    assert_string_equal(f->cfg.data_dir, "https://store.example");
    assert_int_equal(f->cfg.port, 9000);
}

static void test_unknown_key(void **state)
{
    struct fixture *f = *state;
    expect_invalid(f, "{\"prot\": 80}", "unknown key \"prot\"");
    assert_msg_has(f, "did you mean \"port\"");
    expect_invalid(f, "{\"zzzzzzzz\": 80}", "unknown key \"zzzzzzzz\"");
    assert_null(strstr(f->err.msg, "did you mean"));
}

static void test_wrong_types(void **state)
{
    struct fixture *f = *state;
    expect_invalid(f, "{\"port\": \"80\"}", "key \"port\": expected an integer, got a string");
    expect_invalid(f, "{\"verbose\": 1}",
                   "key \"verbose\": expected true or false, got an integer");
    expect_invalid(f, "{\"verbose\": \"yes\"}", "expected true or false, got a string");
    expect_invalid(f, "{\"data_dir\": 5}", "key \"data_dir\": expected a string, got an integer");
    expect_invalid(f, "{\"address\": [\"::1\"]}", "expected a string, got an array");
    expect_invalid(f, "{\"port\": {}}", "expected an integer, got an object");
    /* Only an optional string may be null; a required one stays set. */
    expect_invalid(f, "{\"data_dir\": null}", "expected a string, got null");
    assert_string_equal(f->cfg.data_dir, "./var/x");
    assert_int_equal(f->cfg.port, 8442);
}

static void test_real_for_int(void **state)
{
    struct fixture *f = *state;
    expect_invalid(f, "{\"port\": 80.0}", "expected an integer, got a real number");
    expect_invalid(f, "{\"port\": 8e3}", "got a real number");
}

static void test_int_out_of_range(void **state)
{
    struct fixture *f = *state;
    expect_invalid(f, "{\"port\": 70000}", "key \"port\": 70000 is out of range 0..65535");
    expect_invalid(f, "{\"port\": -1}", "-1 is out of range 0..65535");
    assert_int_equal(f->cfg.port, 8442);
    assert_int_equal(load(f, "{\"port\": 65535}"), ESEAL_OK);
    assert_int_equal(f->cfg.port, 65535);
}

static void test_string_bounds(void **state)
{
    struct fixture *f = *state;
    expect_invalid(f, "{\"data_dir\": \"\"}", "key \"data_dir\": a length of 0 bytes");
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_buf_append_str(&b, "{\"status_url\": \"https://h/");
    for (int i = 0; i < 4096; i++)
        eseal_buf_append_str(&b, "a");
    eseal_buf_append_str(&b, "\"}");
    expect_invalid(f, (const char *)b.data, "out of range 0..4096");
    eseal_buf_cleanup(&b);
    /* Jansson refuses \u0000 unless asked; either way it must not load. */
    assert_int_equal(load(f, "{\"data_dir\": \"a\\u0000b\"}"), ESEAL_E_INVALID);
    assert_string_equal(f->cfg.data_dir, "./var/x");
}

static void test_syntax_error(void **state)
{
    struct fixture *f = *state;
    expect_invalid(f, "{\n  \"port\": 80,\n  oops\n}\n", "line 3, column");
    char *prefix = eseal_xasprintf("%s: JSON 无效：第 3 行", f->path);
    assert_ptr_equal(strstr(f->err.msg, prefix), f->err.msg);
    free(prefix);
    expect_invalid(f, "", "line 1,");
}

static void test_duplicate_key(void **state)
{
    struct fixture *f = *state;
    expect_invalid(f, "{\"port\": 1,\n \"port\": 2}", "duplicate");
    assert_int_equal(f->cfg.port, 8442);
}

static void test_non_object(void **state)
{
    struct fixture *f = *state;
    expect_invalid(f, "[1, 2]", "must be a JSON object, got an array");
    assert_int_equal(load(f, "42"), ESEAL_E_INVALID);
    assert_msg_has(f, f->path);
}

static void test_validator_failure(void **state)
{
    struct fixture *f = *state;
    expect_invalid(f, "{\"address\": \"localhost\"}",
                   "key \"address\": \"localhost\" is not an IPv4 or IPv6 address");
    assert_string_equal(f->cfg.address, "127.0.0.1");
    expect_invalid(f, "{\"status_url\": \"ftp://x\"}", "key \"status_url\"");
    assert_null(f->cfg.status_url);
    expect_invalid(f, "{\"status_url\": \"https://\"}", "has no host");
}

/* A default that fails its validator is caught even if no file mentions it. */
static void test_validates_defaults(void **state)
{
    struct fixture *f = *state;
    struct eseal_opt bad[] = {sample_table[0]};
    bad[0].def_string = "0.0.0.0.0";
    struct sample_config c;
    memset(&c, 0, sizeof(c));
    eseal_config_defaults(bad, 1, &c);
    write_config(f, "{}");
    assert_int_equal(eseal_config_load_file(bad, 1, &c, f->path, &f->err), ESEAL_E_INVALID);
    assert_msg_has(f, f->path);
    assert_msg_has(f, "key \"address\"");
    eseal_config_cleanup(bad, 1, &c);
    assert_null(c.address);
}

static void test_set(void **state)
{
    struct fixture *f = *state;
    struct sample_config *c = &f->cfg;
    struct eseal_err *err = &f->err;
    assert_int_equal(eseal_config_set(sample_table, SAMPLE_N, c, "port", "80", err), ESEAL_OK);
    assert_int_equal(c->port, 80);
    static const struct {
        const char *text;
        bool want;
    } bools[] = {{"true", true}, {"false", false}, {"1", true},
                 {"0", false},   {"yes", true},    {"no", false}};
    for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
        assert_int_equal(eseal_config_set(sample_table, SAMPLE_N, c, "verbose", bools[i].text, err),
                         ESEAL_OK);
        assert_int_equal(c->verbose, bools[i].want);
    }
    assert_int_equal(eseal_config_set(sample_table, SAMPLE_N, c, "data_dir", "/srv/y", err),
                     ESEAL_OK);
    assert_string_equal(c->data_dir, "/srv/y");
    assert_int_equal(eseal_config_set(sample_table, SAMPLE_N, c, "status_url", "http://a.b", err),
                     ESEAL_OK);
    assert_string_equal(c->status_url, "http://a.b");
}

static void expect_set_fails(struct fixture *f, const char *name, const char *text,
                             const char *part)
{
    eseal_err_clear(&f->err);
    assert_int_equal(eseal_config_set(sample_table, SAMPLE_N, &f->cfg, name, text, &f->err),
                     ESEAL_E_INVALID);
    assert_msg_has(f, part);
    /* Without an error struct the failure must still be reported. */
    assert_int_equal(eseal_config_set(sample_table, SAMPLE_N, &f->cfg, name, text, NULL),
                     ESEAL_E_INVALID);
}

static void test_set_rejects(void **state)
{
    struct fixture *f = *state;
    expect_set_fails(f, "port", "80x", "--port: \"80x\" is not an integer");
    expect_set_fails(f, "port", "", "--port");
    expect_set_fails(f, "port", " 80", "not an integer");
    expect_set_fails(f, "port", "99999999999999999999", "--port");
    expect_set_fails(f, "port", "70000", "--port: 70000 is out of range 0..65535");
    expect_set_fails(f, "verbose", "maybe", "--verbose");
    expect_set_fails(f, "prot", "80", "unknown option --prot");
    assert_msg_has(f, "did you mean --port");
    expect_set_fails(f, "address", "1.2.3", "--address: \"1.2.3\" is not an IPv4");
    expect_set_fails(f, "data_dir", "", "--data_dir");
    expect_set_fails(f, "status_url", "https://bad host", "--status_url");
    expect_set_fails(f, "data_dir", "\xff\xfe", "not valid UTF-8");
    /* Failed overrides leave the previous values in place. */
    assert_int_equal(f->cfg.port, 8442);
    assert_string_equal(f->cfg.address, "127.0.0.1");
    assert_string_equal(f->cfg.data_dir, "./var/x");
    assert_null(f->cfg.status_url);
}

static void test_to_json_round_trip(void **state)
{
    struct fixture *f = *state;
    json_t *j = eseal_config_to_json(sample_table, SAMPLE_N, &f->cfg);
    assert_non_null(j);
    assert_int_equal(json_object_size(j), SAMPLE_N);
    assert_string_equal(json_string_value(json_object_get(j, "address")), "127.0.0.1");
    assert_int_equal(json_integer_value(json_object_get(j, "port")), 8442);
    assert_true(json_is_false(json_object_get(j, "verbose")));
    assert_true(json_is_null(json_object_get(j, "status_url")));
    json_decref(j);

    assert_int_equal(eseal_config_set(sample_table, SAMPLE_N, &f->cfg, "port", "1", NULL),
                     ESEAL_OK);
    assert_int_equal(eseal_config_set(sample_table, SAMPLE_N, &f->cfg, "verbose", "yes", NULL),
                     ESEAL_OK);
    assert_int_equal(
        eseal_config_set(sample_table, SAMPLE_N, &f->cfg, "data_dir", "/数据/印章", NULL),
        ESEAL_OK);
    j = eseal_config_to_json(sample_table, SAMPLE_N, &f->cfg);
    char *text = json_dumps(j, JSON_INDENT(2));
    assert_non_null(text);

    struct sample_config back;
    memset(&back, 0, sizeof(back));
    eseal_config_defaults(sample_table, SAMPLE_N, &back);
    assert_int_equal(
        eseal_config_load_file(sample_table, SAMPLE_N, &back, write_config(f, text), &f->err),
        ESEAL_OK);
    json_t *j2 = eseal_config_to_json(sample_table, SAMPLE_N, &back);
    assert_true(json_equal(j, j2));
    assert_string_equal(back.data_dir, "/数据/印章");
    json_decref(j2);
    json_decref(j);
    free(text);
    eseal_config_cleanup(sample_table, SAMPLE_N, &back);
}

static void test_missing_file(void **state)
{
    struct fixture *f = *state;
    char *path = eseal_path_join(f->dir, "absent.json");
    assert_int_equal(eseal_config_load_file(sample_table, SAMPLE_N, &f->cfg, path, &f->err),
                     ESEAL_E_NOTFOUND);
    assert_msg_has(f, path);
    free(path);
}

static void test_too_big(void **state)
{
    struct fixture *f = *state;
    size_t len = 1024 * 1024 + 1;
    char *text = eseal_xmalloc(len + 1);
    memset(text, ' ', len);
    text[0] = '{';
    text[len - 1] = '}';
    text[len] = '\0';
    assert_int_equal(load(f, text), ESEAL_E_TOOBIG);
    assert_msg_has(f, f->path);
    free(text);
}

static void test_validators(void **state)
{
    (void)state;
    static const struct {
        eseal_opt_validator fn;
        const char *value;
        eseal_rc want;
    } cases[] = {
        {eseal_opt_valid_address, NULL, ESEAL_OK},
        {eseal_opt_valid_address, "10.0.0.1", ESEAL_OK},
        {eseal_opt_valid_address, "fe80::1", ESEAL_OK},
        {eseal_opt_valid_address, "10.0.0.256", ESEAL_E_INVALID},
        {eseal_opt_valid_address, "", ESEAL_E_INVALID},
        {eseal_opt_valid_url, NULL, ESEAL_OK},
        {eseal_opt_valid_url, "http://ca.example:8080/ocsp", ESEAL_OK},
        {eseal_opt_valid_url, "https://[::1]/", ESEAL_OK},
        {eseal_opt_valid_url, "http://", ESEAL_E_INVALID},
        {eseal_opt_valid_url, "https:///path", ESEAL_E_INVALID},
        {eseal_opt_valid_url, "http://:80", ESEAL_E_INVALID},
        {eseal_opt_valid_url, "ca.example", ESEAL_E_INVALID},
        {eseal_opt_valid_dir_or_url, NULL, ESEAL_OK},
        {eseal_opt_valid_dir_or_url, "./var/tsa", ESEAL_OK},
        {eseal_opt_valid_dir_or_url, "https://store.example/x", ESEAL_OK},
        {eseal_opt_valid_dir_or_url, "https://", ESEAL_E_INVALID},
        {eseal_opt_valid_dir_or_url, "", ESEAL_E_INVALID},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct eseal_err err;
        eseal_err_clear(&err);
        const char *v = cases[i].value;
        eseal_rc rc = cases[i].fn(&sample_table[0], &v, &err);
        if (rc != cases[i].want)
            fail_msg("case %zu (%s): got %d, want %d", i, v ? v : "NULL", rc, cases[i].want);
        if (rc != ESEAL_OK)
            assert_true(err.msg[0] != '\0');
    }
}

/* help_column returns where the help text starts on the line for --|name|. */
static size_t help_column(const char *usage, const char *name, const char *help)
{
    char *opt = eseal_xasprintf("  --%s ", name);
    const char *line = strstr(usage, opt);
    free(opt);
    assert_non_null(line);
    const char *h = strstr(line, help);
    assert_non_null(h);
    return (size_t)(h - line);
}

static void test_usage(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    eseal_config_usage(sample_table, SAMPLE_N, out);
    fclose(out);
    assert_non_null(strstr(text, "  --port INT"));
    assert_non_null(strstr(text, "listen port (default: 8442)\n"));
    assert_non_null(strstr(text, "data directory (default: ./var/x)\n"));
    assert_non_null(strstr(text, "log every request (default: false)\n"));
    assert_non_null(strstr(text, "certificate status service\n"));
    size_t col = help_column(text, "port", "listen port");
    /* named as typed: --status-url (#19) */
    assert_int_equal(help_column(text, "status-url", "certificate status"), col);
    assert_null(strstr(text, "--status_url"));
    assert_int_equal(help_column(text, "verbose", "log every"), col);
    free(text);
}

static void test_cleanup(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load(f, "{\"status_url\": \"https://x.example\"}"), ESEAL_OK);
    eseal_config_cleanup(sample_table, SAMPLE_N, &f->cfg);
    assert_null(f->cfg.address);
    assert_null(f->cfg.data_dir);
    assert_null(f->cfg.status_url);
    /* Teardown cleans up again: it must be harmless. */
}

static void cli_usage(FILE *out)
{
    fputs("usage: sampled\n", out);
}

/* eseal_config_cli: the file first wherever -c stands, then --name overrides
 * (dashes meaning underscores); -n answers; bad input is exit 1. */
static void test_cli(void **state)
{
    struct fixture *f = *state;
    const char *file = write_config(f, "{\"port\": 9000, \"data_dir\": \"/from/file\"}");
    char *argv1[] = {"sampled", "--data-dir", "/from/argv", "-c", (char *)file, NULL};
    assert_int_equal(
        eseal_config_cli(sample_table, SAMPLE_N, &f->cfg, "sampled", cli_usage, 5, argv1), 0);
    assert_int_equal(f->cfg.port, 9000);
    assert_string_equal(f->cfg.data_dir, "/from/argv");
    char *argv2[] = {"sampled", "--port=7000", "-n", NULL};
    assert_int_equal(
        eseal_config_cli(sample_table, SAMPLE_N, &f->cfg, "sampled", cli_usage, 3, argv2), -1);
    assert_int_equal(f->cfg.port, 7000);
    char *bad[][3] = {{"sampled", "--port", "99999"},
                      {"sampled", "--nope", "1"},
                      {"sampled", "stray", NULL},
                      {"sampled", "--port", NULL},
                      {"sampled", "-c", NULL}};
    int bad_argc[] = {3, 3, 2, 2, 2};
    for (size_t i = 0; i < sizeof(bad_argc) / sizeof(bad_argc[0]); i++)
        assert_int_equal(eseal_config_cli(sample_table, SAMPLE_N, &f->cfg, "sampled", cli_usage,
                                          bad_argc[i], bad[i]),
                         1);
    assert_int_equal(f->cfg.port, 7000); /* refused values change nothing */
}

/* eseal_config_cli: a boolean alone is a switch; "true"/"false" after it
 * are its value. */
static void test_cli_switch(void **state)
{
    struct fixture *f = *state;
    char *argv1[] = {"sampled", "--verbose", NULL};
    assert_int_equal(
        eseal_config_cli(sample_table, SAMPLE_N, &f->cfg, "sampled", cli_usage, 2, argv1), 0);
    assert_true(f->cfg.verbose);
    char *argv2[] = {"sampled", "--verbose", "false", "--port", "7001", NULL};
    assert_int_equal(
        eseal_config_cli(sample_table, SAMPLE_N, &f->cfg, "sampled", cli_usage, 5, argv2), 0);
    assert_false(f->cfg.verbose);
    assert_int_equal(f->cfg.port, 7001);
    char *argv3[] = {"sampled", "--verbose", "--port", "7002", NULL};
    assert_int_equal(
        eseal_config_cli(sample_table, SAMPLE_N, &f->cfg, "sampled", cli_usage, 4, argv3), 0);
    assert_true(f->cfg.verbose);
    assert_int_equal(f->cfg.port, 7002);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_defaults),      T(test_load_overrides),    T(test_unknown_key),
        T(test_wrong_types),   T(test_real_for_int),      T(test_int_out_of_range),
        T(test_string_bounds), T(test_syntax_error),      T(test_duplicate_key),
        T(test_non_object),    T(test_validator_failure), T(test_validates_defaults),
        T(test_set),           T(test_set_rejects),       T(test_to_json_round_trip),
        T(test_missing_file),  T(test_too_big),           T(test_validators),
        T(test_usage),         T(test_cleanup),           T(test_cli),
        T(test_cli_switch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
