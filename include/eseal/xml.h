/* xml.h — reading untrusted XML (OFD) through libxml2 into a small
 * read-only tree, so no other part of eseal talks to libxml2.
 *
 * eseal_xml_parse refuses, each with ESEAL_E_INVALID or ESEAL_E_TOOBIG and
 * a message naming the rule (docs/ofd.md): more than ESEAL_XML_MAX bytes;
 * a document type declaration (DTD) of any kind — so no entity is ever
 * declared, substituted or fetched (the parser never touches the network);
 * an entity reference other than the five predefined ones; elements nested
 * deeper than ESEAL_XML_DEPTH; more than ESEAL_XML_NODES elements; anything
 * not well-formed. */
#ifndef ESEAL_XML_H
#define ESEAL_XML_H

#include <stddef.h>
#include <stdint.h>

#include "eseal/buf.h"
#include "eseal/rc.h"

#define ESEAL_XML_MAX (16u * 1024 * 1024)
#define ESEAL_XML_DEPTH 64
#define ESEAL_XML_NODES 200000

/* struct eseal_xml_node is one element: its local name, namespace URI
 * (NULL without one), attributes as name/value pairs, the text directly
 * inside it (concatenated, "" when none) and its child elements. All owned
 * by the struct eseal_xml it came from. */
struct eseal_xml_node {
    const char *name;
    const char *ns;
    const char *const *attrs; /* attrs[2*i] name, attrs[2*i+1] value */
    size_t n_attrs;
    const char *text;
    const struct eseal_xml_node *children;
    size_t n_children;
};

struct eseal_xml;

/* eseal_xml_parse parses |data|/|len|; |what| names it in messages (a file
 * name). Free with eseal_xml_free. */
eseal_rc eseal_xml_parse(struct eseal_xml **out, const uint8_t *data, size_t len, const char *what,
                         struct eseal_err *err) ESEAL_MUST_CHECK;
void eseal_xml_free(struct eseal_xml *x);

/* eseal_xml_root returns the document element. */
const struct eseal_xml_node *eseal_xml_root(const struct eseal_xml *x);

/* eseal_xml_child returns the first child element named |name| (local
 * name), or NULL. eseal_xml_attr returns the value of the attribute |name|
 * (unprefixed), or NULL. eseal_xml_text_of returns the text of the child
 * |name|, or NULL when there is no such child. */
const struct eseal_xml_node *eseal_xml_child(const struct eseal_xml_node *n, const char *name);
const char *eseal_xml_attr(const struct eseal_xml_node *n, const char *name);
const char *eseal_xml_text_of(const struct eseal_xml_node *n, const char *name);

/* struct eseal_xml_writer builds a new XML document (UTF-8, with the XML
 * declaration) through libxml2's writer, which escapes all text. */
struct eseal_xml_writer;
struct eseal_xml_writer *eseal_xml_writer_new(void);
/* eseal_xml_start opens element |name| ("ofd:Signature"); |ns_uri| non-NULL
 * declares the prefix of |name| with it. */
void eseal_xml_start(struct eseal_xml_writer *w, const char *name, const char *ns_uri);
void eseal_xml_attr_add(struct eseal_xml_writer *w, const char *name, const char *value);
void eseal_xml_text(struct eseal_xml_writer *w, const char *text);
void eseal_xml_end(struct eseal_xml_writer *w);
/* eseal_xml_element writes <name>text</name>. */
void eseal_xml_element(struct eseal_xml_writer *w, const char *name, const char *text);
/* eseal_xml_writer_finish closes what is open and moves the document into
 * |out|; any failure of the writer on the way is ESEAL_E_INTERNAL. */
eseal_rc eseal_xml_writer_finish(struct eseal_xml_writer *w, struct eseal_buf *out,
                                 struct eseal_err *err) ESEAL_MUST_CHECK;
void eseal_xml_writer_free(struct eseal_xml_writer *w);

#endif
