/* console.h — the rules by which eseal-issuerd serves the staff console's
 * build (issuer/console/dist) under /console/: which paths are files it may
 * send, with which content type and which caching. console.c holds them and
 * the handlers; see docs/api.md "The console". */
#ifndef ESEAL_ISSUER_CONSOLE_H
#define ESEAL_ISSUER_CONSOLE_H

#include <stdbool.h>

/* CONSOLE_CSP is the Content-Security-Policy of every console response:
 * nothing inline but styles (Element Plus sets them), nothing from another
 * origin, frames only of our own (the PDF viewer). */
#define CONSOLE_CSP                                                                                \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "     \
    "data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; frame-src "        \
    "'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/* console_content_type returns the content type of |path| by its extension
 * (html, js, mjs, css, svg, png, jpg, jpeg, woff, woff2, ttf, json, ico, map,
 * txt; case-insensitive), or NULL for any other: such files are not served. */
const char *console_content_type(const char *path);

/* console_has_extension tells whether the last segment of |path| has a
 * file extension (a '.' after its first character). */
bool console_has_extension(const char *path);

/* console_path_ok tells whether |path| (relative, '/'-separated, decoded)
 * may name a file of the console: no empty, ".", ".." or hidden (".x")
 * segment, no backslash. "" (the directory itself) is fine. */
bool console_path_ok(const char *path);

/* console_immutable tells whether |path| is a build asset with a content hash
 * in its name ("assets/index-1a2b3c4d.js": eight or more characters of
 * [A-Za-z0-9_-] after a '-' or '.' before the extension), which may be cached
 * for a year. */
bool console_immutable(const char *path);

#endif
