/* xml.c — the libxml2 adapter: untrusted XML parsed without DTDs, entity
 * substitution or network, bounded in size, depth and nodes, copied into a
 * plain tree; and a writer for the XML eseal makes. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "eseal/xml.h"

struct eseal_xml {
    struct eseal_xml_node root;
    void **allocs; /* everything the tree points at */
    size_t n_allocs, cap;
    size_t n_nodes;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_parser(void)
{
    xmlInitParser();
}

static void *keep(struct eseal_xml *x, void *p)
{
    if (x->n_allocs == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 64;
        x->allocs = eseal_xrealloc(x->allocs, x->cap * sizeof(*x->allocs));
    }
    x->allocs[x->n_allocs++] = p;
    return p;
}

static const char *kstr(struct eseal_xml *x, const xmlChar *s)
{
    return keep(x, eseal_xstrdup(s != NULL ? (const char *)s : ""));
}

/* refuse_dtd is the SAX hook for a DOCTYPE: the parse stops there, before
 * any declaration in it is read. */
static void refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id)
{
    (void)name;
    (void)external_id;
    (void)system_id;
    xmlStopParser(ctx);
}

/* copy_node fills |out| from the element |in|, |depth| deep. */
static eseal_rc copy_node(struct eseal_xml *x, struct eseal_xml_node *out, xmlNode *in,
                          size_t depth, const char *what, struct eseal_err *err)
{
    if (depth > ESEAL_XML_DEPTH)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "xml: %s nests elements deeper than %d / XML 嵌套过深", what,
                             ESEAL_XML_DEPTH);
    if (++x->n_nodes > ESEAL_XML_NODES)
        return eseal_err_set(err, ESEAL_E_TOOBIG,
                             "xml: %s has more than %d elements / XML 元素过多", what,
                             ESEAL_XML_NODES);
    out->name = kstr(x, in->name);
    out->ns = in->ns != NULL && in->ns->href != NULL ? kstr(x, in->ns->href) : NULL;
    size_t na = 0, nc = 0;
    for (xmlAttr *a = in->properties; a != NULL; a = a->next)
        na++;
    const char **attrs = keep(x, eseal_xcalloc(2 * na + 1, sizeof(*attrs)));
    size_t i = 0;
    for (xmlAttr *a = in->properties; a != NULL; a = a->next, i++) {
        attrs[2 * i] = kstr(x, a->name);
        xmlChar *v = xmlNodeGetContent((xmlNode *)a);
        attrs[2 * i + 1] = kstr(x, v);
        xmlFree(v);
    }
    out->attrs = attrs;
    out->n_attrs = na;
    struct eseal_buf text;
    eseal_buf_init(&text);
    for (xmlNode *c = in->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            nc++;
        else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
                 c->content != NULL)
            eseal_buf_append_str(&text, (const char *)c->content);
        else if (c->type == XML_ENTITY_REF_NODE || c->type == XML_ENTITY_NODE) {
            eseal_buf_cleanup(&text);
            return eseal_err_set(err, ESEAL_E_INVALID,
                                 "xml: %s uses an entity reference / XML 不得使用实体引用", what);
        }
    }
    out->text = keep(x, eseal_xstrdup(text.len > 0 ? (const char *)text.data : ""));
    eseal_buf_cleanup(&text);
    struct eseal_xml_node *kids = keep(x, eseal_xcalloc(nc + 1, sizeof(*kids)));
    out->children = kids;
    out->n_children = nc;
    i = 0;
    for (xmlNode *c = in->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        eseal_rc rc = copy_node(x, &kids[i++], c, depth + 1, what, err);
        if (rc != ESEAL_OK)
            return rc;
    }
    return ESEAL_OK;
}

eseal_rc eseal_xml_parse(struct eseal_xml **out, const uint8_t *data, size_t len, const char *what,
                         struct eseal_err *err)
{
    *out = NULL;
    if (len > ESEAL_XML_MAX)
        return eseal_err_set(err, ESEAL_E_TOOBIG,
                             "xml: %s is %zu bytes, over the limit of %u / XML 文件过大", what, len,
                             ESEAL_XML_MAX);
    pthread_once(&init_once, init_parser);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (ctxt == NULL)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "xml: out of memory");
    ctxt->sax->internalSubset = refuse_dtd;
    ctxt->sax->externalSubset = refuse_dtd;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, (const char *)data, (int)len, NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                          XML_PARSE_NOCDATA);
    const xmlError *e = xmlCtxtGetLastError(ctxt);
    const char *why = e != NULL && e->message != NULL ? e->message : "empty";
    eseal_rc rc = ESEAL_OK;
    if (ctxt->errNo == XML_ERR_USER_STOP || (e != NULL && e->code == XML_ERR_USER_STOP) ||
        (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL)))
        rc = eseal_err_set(err, ESEAL_E_INVALID,
                           "xml: %s has a document type declaration (DTD; entities are not "
                           "allowed) / XML 不得含 DTD 或实体声明",
                           what);
    else if (doc == NULL || !ctxt->wellFormed || xmlDocGetRootElement(doc) == NULL)
        rc = eseal_err_set(err, ESEAL_E_INVALID,
                           "xml: %s is not well-formed XML (%.*s) / XML 格式错误", what,
                           (int)strcspn(why, "\n"), why);
    struct eseal_xml *x = NULL;
    if (rc == ESEAL_OK) {
        x = eseal_xcalloc(1, sizeof(*x));
        rc = copy_node(x, &x->root, xmlDocGetRootElement(doc), 1, what, err);
    }
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    if (rc != ESEAL_OK) {
        eseal_xml_free(x);
        return rc;
    }
    *out = x;
    return ESEAL_OK;
}

void eseal_xml_free(struct eseal_xml *x)
{
    if (x == NULL)
        return;
    for (size_t i = 0; i < x->n_allocs; i++)
        free(x->allocs[i]);
    free(x->allocs);
    free(x);
}

const struct eseal_xml_node *eseal_xml_root(const struct eseal_xml *x)
{
    return &x->root;
}

const struct eseal_xml_node *eseal_xml_child(const struct eseal_xml_node *n, const char *name)
{
    for (size_t i = 0; n != NULL && i < n->n_children; i++)
        if (strcmp(n->children[i].name, name) == 0)
            return &n->children[i];
    return NULL;
}

const char *eseal_xml_attr(const struct eseal_xml_node *n, const char *name)
{
    for (size_t i = 0; n != NULL && i < n->n_attrs; i++)
        if (strcmp(n->attrs[2 * i], name) == 0)
            return n->attrs[2 * i + 1];
    return NULL;
}

const char *eseal_xml_text_of(const struct eseal_xml_node *n, const char *name)
{
    const struct eseal_xml_node *c = eseal_xml_child(n, name);
    return c != NULL ? c->text : NULL;
}

/* ---- writing ---------------------------------------------------------------------- */

struct eseal_xml_writer {
    xmlBufferPtr buf;
    xmlTextWriterPtr w;
    bool failed;
};

struct eseal_xml_writer *eseal_xml_writer_new(void)
{
    pthread_once(&init_once, init_parser);
    struct eseal_xml_writer *w = eseal_xcalloc(1, sizeof(*w));
    w->buf = xmlBufferCreate();
    w->w = w->buf != NULL ? xmlNewTextWriterMemory(w->buf, 0) : NULL;
    if (w->w == NULL)
        abort(); /* only out of memory */
    w->failed = xmlTextWriterStartDocument(w->w, NULL, "UTF-8", NULL) < 0;
    return w;
}

static void check(struct eseal_xml_writer *w, int r)
{
    if (r < 0)
        w->failed = true;
}

void eseal_xml_start(struct eseal_xml_writer *w, const char *name, const char *ns_uri)
{
    check(w, xmlTextWriterStartElement(w->w, (const xmlChar *)name));
    const char *colon = strchr(name, ':');
    if (ns_uri != NULL) {
        char *attr = colon != NULL ? eseal_xasprintf("xmlns:%.*s", (int)(colon - name), name)
                                   : eseal_xstrdup("xmlns");
        eseal_xml_attr_add(w, attr, ns_uri);
        free(attr);
    }
}

void eseal_xml_attr_add(struct eseal_xml_writer *w, const char *name, const char *value)
{
    check(w, xmlTextWriterWriteAttribute(w->w, (const xmlChar *)name, (const xmlChar *)value));
}

void eseal_xml_text(struct eseal_xml_writer *w, const char *text)
{
    check(w, xmlTextWriterWriteString(w->w, (const xmlChar *)text));
}

void eseal_xml_end(struct eseal_xml_writer *w)
{
    check(w, xmlTextWriterEndElement(w->w));
}

void eseal_xml_element(struct eseal_xml_writer *w, const char *name, const char *text)
{
    check(w, xmlTextWriterWriteElement(w->w, (const xmlChar *)name, (const xmlChar *)text));
}

eseal_rc eseal_xml_writer_finish(struct eseal_xml_writer *w, struct eseal_buf *out,
                                 struct eseal_err *err)
{
    check(w, xmlTextWriterEndDocument(w->w));
    xmlFreeTextWriter(w->w); /* flushes into buf */
    w->w = NULL;
    if (w->failed)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "xml: the writer failed");
    eseal_buf_reset(out);
    eseal_buf_append(out, xmlBufferContent(w->buf), (size_t)xmlBufferLength(w->buf));
    return ESEAL_OK;
}

void eseal_xml_writer_free(struct eseal_xml_writer *w)
{
    if (w == NULL)
        return;
    if (w->w != NULL)
        xmlFreeTextWriter(w->w);
    xmlBufferFree(w->buf);
    free(w);
}
