/* config.h — table-driven configuration from JSON files and the command line.
 * A daemon describes its options once (name, type, default, bounds,
 * validator, help) and gets loading, command-line overrides, checking, usage
 * text and an effective-config dump from that one table. */
#ifndef ESEAL_CONFIG_H
#define ESEAL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "eseal/rc.h"

enum eseal_opt_type {
    ESEAL_OPT_STRING, /* field is `char *`, owned by the config (freed by cleanup) */
    ESEAL_OPT_INT,    /* field is `long long` */
    ESEAL_OPT_BOOL,   /* field is `bool` */
};

struct eseal_opt;

/* eseal_opt_validator checks a value already stored in |field| (a `char **`,
 * `long long *` or `bool *` per type); on failure it fills |err| with a reason
 * (the caller adds the file and key) and returns ESEAL_E_INVALID. */
typedef eseal_rc (*eseal_opt_validator)(const struct eseal_opt *opt, const void *field,
                                        struct eseal_err *err);

/* struct eseal_opt is one row of a configuration table. */
struct eseal_opt {
    const char *name; /* JSON key; also "--name" on the command line */
    enum eseal_opt_type type;
    size_t offset;                /* offsetof(struct <daemon>_config, field) */
    const char *def_string;       /* STRING default (copied); NULL = unset */
    long long def_int;            /* INT default; BOOL default (0 or 1) */
    long long min, max;           /* INT: inclusive bounds; STRING: length bounds
                                     (max 0 means 4096); ignored for BOOL */
    eseal_opt_validator validate; /* NULL for none */
    const char *help;             /* one line, English (Chinese welcome) */
};

/* eseal_config_defaults stores every default of |table| into |cfg|. Call it
 * first, on zeroed storage. */
void eseal_config_defaults(const struct eseal_opt *table, size_t n, void *cfg);

/* eseal_config_load_file reads the JSON object in |path| (at most 1 MiB) and
 * stores each key into |cfg|, then validates. An unknown key, a value of the
 * wrong JSON type, a value out of bounds, or a validator failure is
 * ESEAL_E_INVALID with a message naming the file and the key; a JSON syntax
 * error names the file, line and column. On failure |cfg| keeps valid
 * (possibly partly updated) values; the caller exits. */
eseal_rc eseal_config_load_file(const struct eseal_opt *table, size_t n, void *cfg,
                                const char *path, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_config_set parses |text| per the type of option |name| (for command
 * line overrides: "8442", "true"/"false", a string), checks bounds and the
 * validator, and stores it. Unknown name or bad value is ESEAL_E_INVALID naming
 * the option. */
eseal_rc eseal_config_set(const struct eseal_opt *table, size_t n, void *cfg, const char *name,
                          const char *text, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_config_to_json returns the effective configuration as a new JSON
 * object (caller decrefs). */
json_t *eseal_config_to_json(const struct eseal_opt *table, size_t n, const void *cfg);

/* eseal_config_usage prints one line per option: name, type, default, help. */
void eseal_config_usage(const struct eseal_opt *table, size_t n, FILE *out);

/* eseal_config_cleanup frees the strings in |cfg|. */
void eseal_config_cleanup(const struct eseal_opt *table, size_t n, void *cfg);

/* eseal_config_cli reads a daemon's command line into |cfg| (already holding
 * the defaults): "-c FILE" loads FILE first (wherever it stands), then every
 * "--name VALUE" or "--name=VALUE" overrides ("--passphrase-file" is the
 * option passphrase_file; a boolean option given alone, "--no-status", is
 * true); "-n" prints the effective configuration and
 * "configuration OK"; "-h"/"--help" calls |usage| on stdout; "-V"/"--version"
 * prints "|prog| ESEAL_VERSION". Returns 0 to run the daemon, -1 when it
 * answered (-n, --help, --version: exit 0), or 1 after printing an error
 * prefixed with |prog| (exit 1). */
int eseal_config_cli(const struct eseal_opt *table, size_t n, void *cfg, const char *prog,
                     void (*usage)(FILE *out), int argc, char **argv);

/* Ready-made validators. */
/* eseal_opt_valid_address: an IPv4 or IPv6 literal. */
eseal_rc eseal_opt_valid_address(const struct eseal_opt *opt, const void *field,
                                 struct eseal_err *err);
/* eseal_opt_valid_url: "http://" or "https://" followed by a host. */
eseal_rc eseal_opt_valid_url(const struct eseal_opt *opt, const void *field, struct eseal_err *err);
/* eseal_opt_valid_dir_or_url: an http(s) URL or a non-empty path. */
eseal_rc eseal_opt_valid_dir_or_url(const struct eseal_opt *opt, const void *field,
                                    struct eseal_err *err);

#endif
