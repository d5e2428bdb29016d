/* page.h — the platform's frame for the public HTML pages (the publisher's
 * seal lookup, the verifier's upload and verdict pages): the head, one
 * inline stylesheet, the red top bar with the circled 印 and the platform's
 * name, and the closing part, as the staff console and the units' portal
 * show them (issuer/console, Shell.vue). Pure HTML and CSS: no script, no
 * image file, no other origin, so the pages keep their strict
 * Content-Security-Policy (default-src 'none'; style-src 'unsafe-inline'). */
#ifndef ESEAL_PAGE_H
#define ESEAL_PAGE_H

#include "eseal/buf.h"

/* eseal_page_open appends to |b| everything up to the page's own content:
 * <!DOCTYPE>, <head> with the title "|zh| · |en|" and the shared
 * stylesheet, the top bar naming the platform and the page, then <main>
 * with the page's <h1> (|zh|, |en| smaller). |zh| and |en| are the page's
 * name, static text of the caller (not escaped). */
void eseal_page_open(struct eseal_buf *b, const char *zh, const char *en);

/* eseal_page_close appends to |b| the end of <main>, the <footer> with
 * |footer_html| (static HTML of the caller, not escaped) and the end of the
 * document. */
void eseal_page_close(struct eseal_buf *b, const char *footer_html);

#endif
