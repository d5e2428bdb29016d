/* ofd.c — the "ofd" container format (GB/T 33190 packages, signatures per
 * GB/T 38540): the package walk OFD.xml → DocBody → Signatures.xml →
 * Signature.xml, each signature yielded with dataHash = SM3 of the raw
 * bytes of its Signature.xml, and the format's own checks: References
 * (CheckValue of every protected file), Seal.esl against the seal inside
 * SignedValue.dat, StampAnnot pages. Files no signature protects are
 * listed. Zip and XML are read only through core's adapters (zip.h,
 * xml.h), which refuse hostile packages. docs/ofd.md has the rules. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "eseal/buf.h"
#include "eseal/enc.h"
#include "eseal/seal.h"
#include "eseal/sm.h"
#include "eseal/xml.h"
#include "eseal/zip.h"
#include "internal.h"

#define OFD_MAX_DOCS 64

enum ref_alg { ALG_SM3, ALG_SHA256 };

struct ref {
    char *file;             /* package name, no leading '/' */
    struct eseal_buf value; /* the CheckValue, decoded */
    bool bad_value;         /* not base64 */
};

struct page {
    char *id;
};

struct sig {
    size_t doc;       /* index of its DocBody */
    char *id, *type;  /* from Signatures.xml; Type missing means Seal */
    char *dir;        /* Doc_0/Signs/Sign_0 */
    char *xml_name;   /* its Signature.xml */
    char *value_name; /* its SignedValue.dat, or NULL */
    char *seal_name;  /* its Seal.esl, or NULL */
    char *signatures; /* the Signatures.xml listing it */
    size_t listed;    /* its position in that list */
    size_t n_listed;  /* how many that list holds */
    char *method;     /* CheckMethod as written */
    bool method_ok;
    enum ref_alg alg;
    struct ref *refs;
    size_t n_refs;
    json_t *stamps; /* [{id, pageRef, page, boundary, clip}] */
    bool stamp_bad; /* a PageRef to no page */
    char *stamp_why;
    const uint8_t *ses; /* SignedValue.dat, in the zip's cache */
    size_t ses_len;
    const uint8_t *xml; /* Signature.xml, in the zip's cache: what a Sign signs */
    size_t xml_len;
    uint8_t data_sm3[ESEAL_SM3_LEN];
    char *broken; /* why the signature's own files cannot be read */
};

/* struct digest remembers an entry's digest: two signatures protecting
 * the same files cost one pass over their bytes. */
struct digest {
    bool done[2]; /* by enum ref_alg */
    uint8_t value[2][32];
};

struct ofd {
    struct eseal_zip *z;
    struct sig *sigs;
    size_t n_sigs, next;
    bool *protected;   /* per zip entry */
    struct digest *dg; /* per zip entry */
};

/* ---- paths ------------------------------------------------------------------------- */

/* load_xml expands and parses the package file |name|. */
static eseal_rc load_xml(struct ofd *o, const char *name, struct eseal_xml **x,
                         struct eseal_err *err)
{
    const uint8_t *d = NULL;
    size_t len = 0;
    eseal_rc rc = eseal_zip_get(o->z, name, &d, &len, err);
    if (rc == ESEAL_OK)
        rc = eseal_xml_parse(x, d, len, name, err);
    return rc;
}

/* entry_index finds |name| among the zip's sorted names. */
static bool entry_index(const struct eseal_zip *z, const char *name, size_t *out)
{
    size_t lo = 0, hi = eseal_zip_count(z);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(eseal_zip_name(z, mid), name);
        if (c == 0) {
            *out = mid;
            return true;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* ---- reading one signature ---------------------------------------------------------- */

static bool method_of(const char *m, enum ref_alg *alg)
{
    static const char *const sm3[] = {"1.2.156.10197.1.401", "1.2.156.10197.1.401.1",
                                      "1.2.156.10197.1.401.2", "SM3"};
    static const char *const sha256[] = {"2.16.840.1.101.3.4.2.1", "SHA256", "SHA-256"};
    if (m == NULL) { /* GB/T 33190 names no default; SM3 is what every writer uses */
        *alg = ALG_SM3;
        return true;
    }
    for (size_t i = 0; i < sizeof(sm3) / sizeof(*sm3); i++)
        if (strcasecmp(m, sm3[i]) == 0) {
            *alg = ALG_SM3;
            return true;
        }
    for (size_t i = 0; i < sizeof(sha256) / sizeof(*sha256); i++)
        if (strcasecmp(m, sha256[i]) == 0) {
            *alg = ALG_SHA256;
            return true;
        }
    return false;
}

static void read_refs(struct sig *s, const struct eseal_xml_node *refs, const char *dir)
{
    const char *m = eseal_xml_attr(refs, "CheckMethod");
    s->method = eseal_xstrdup(m != NULL ? m : "(none: SM3)");
    s->method_ok = method_of(m, &s->alg);
    s->refs = eseal_xcalloc(refs->n_children + 1, sizeof(*s->refs));
    for (size_t i = 0; i < refs->n_children; i++) {
        const struct eseal_xml_node *r = &refs->children[i];
        if (strcmp(r->name, "Reference") != 0)
            continue;
        struct ref *out = &s->refs[s->n_refs++];
        const char *file = eseal_xml_attr(r, "FileRef");
        out->file = eseal_zip_resolve(dir, file);
        if (out->file == NULL)
            out->file = eseal_xasprintf("(bad FileRef \"%.64s\")", file != NULL ? file : "");
        const char *v = eseal_xml_text_of(r, "CheckValue");
        eseal_buf_init(&out->value);
        /* base64 in XML may be wrapped: whitespace is dropped first */
        struct eseal_buf t;
        eseal_buf_init(&t);
        for (const char *p = v != NULL ? v : ""; *p; p++)
            if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t')
                eseal_buf_append(&t, p, 1);
        out->bad_value = t.len == 0 || eseal_unbase64(&out->value, (const char *)t.data, t.len,
                                                      ESEAL_B64_STD, NULL) != ESEAL_OK;
        eseal_buf_cleanup(&t);
    }
}

/* jstr_or_null is json_string, or null for an absent attribute. */
static json_t *jstr_or_null(const char *s)
{
    json_t *j = s != NULL ? json_string(s) : NULL;
    return j != NULL ? j : json_null();
}

/* page_number returns the 1-based index of the page whose ID is |id|. */
static size_t page_number(const struct page *pages, size_t n_pages, const char *id)
{
    for (size_t i = 0; id != NULL && i < n_pages; i++)
        if (strcmp(pages[i].id, id) == 0)
            return i + 1;
    return 0;
}

static void read_stamps(struct sig *s, const struct eseal_xml_node *info, const struct page *pages,
                        size_t n_pages)
{
    s->stamps = json_array();
    for (size_t i = 0; i < info->n_children; i++) {
        const struct eseal_xml_node *a = &info->children[i];
        if (strcmp(a->name, "StampAnnot") != 0)
            continue;
        const char *ref = eseal_xml_attr(a, "PageRef");
        size_t page = page_number(pages, n_pages, ref);
        if (page == 0 && !s->stamp_bad) {
            s->stamp_bad = true;
            s->stamp_why = eseal_xasprintf("StampAnnot %s: PageRef \"%.32s\" is no page ID of "
                                           "Document.xml",
                                           eseal_xml_attr(a, "ID") ? eseal_xml_attr(a, "ID") : "?",
                                           ref != NULL ? ref : "(none)");
        }
        json_t *st = json_object();
        json_object_set_new(st, "id", jstr_or_null(eseal_xml_attr(a, "ID")));
        json_object_set_new(st, "pageRef", jstr_or_null(ref));
        json_object_set_new(st, "page", page > 0 ? json_integer((json_int_t)page) : json_null());
        json_object_set_new(st, "boundary", jstr_or_null(eseal_xml_attr(a, "Boundary")));
        json_object_set_new(st, "clip", jstr_or_null(eseal_xml_attr(a, "Clip")));
        json_array_append_new(s->stamps, st);
    }
}

/* read_signature reads the Signature.xml of |s| (its name already set). A
 * signature whose own files are missing or malformed is kept with the
 * reason in s->broken: the document still reports it. */
static void read_signature(struct ofd *o, struct sig *s, const struct page *pages, size_t n_pages)
{
    struct eseal_err err;
    eseal_err_clear(&err);
    const uint8_t *d = NULL;
    size_t len = 0;
    struct eseal_xml *x = NULL;
    s->dir = eseal_zip_dir(s->xml_name);
    if (eseal_zip_get(o->z, s->xml_name, &d, &len, &err) != ESEAL_OK ||
        eseal_xml_parse(&x, d, len, s->xml_name, &err) != ESEAL_OK) {
        s->broken = eseal_xstrdup(err.msg);
        return;
    }
    eseal_sm3(s->data_sm3, d, len); /* the raw bytes, never re-serialised */
    s->xml = d;
    s->xml_len = len;
    const struct eseal_xml_node *root = eseal_xml_root(x);
    const struct eseal_xml_node *info = eseal_xml_child(root, "SignedInfo");
    s->value_name = eseal_zip_resolve(s->dir, eseal_xml_text_of(root, "SignedValue"));
    const struct eseal_xml_node *seal = eseal_xml_child(info, "Seal");
    s->seal_name = eseal_zip_resolve(s->dir, eseal_xml_text_of(seal, "BaseLoc"));
    const struct eseal_xml_node *refs = eseal_xml_child(info, "References");
    if (strcmp(root->name, "Signature") != 0 || info == NULL || refs == NULL) {
        s->broken = eseal_xasprintf("%s: not a Signature with SignedInfo and References / "
                                    "签名描述文件缺少 SignedInfo 或 References",
                                    s->xml_name);
    } else if (s->value_name == NULL) {
        s->broken = eseal_xasprintf("%s: no SignedValue / 缺少 SignedValue", s->xml_name);
    } else if (eseal_zip_get(o->z, s->value_name, &s->ses, &s->ses_len, &err) != ESEAL_OK) {
        s->broken = eseal_xstrdup(err.msg);
    }
    if (refs != NULL)
        read_refs(s, refs, s->dir);
    if (info != NULL)
        read_stamps(s, info, pages, n_pages);
    eseal_xml_free(x);
}

/* ---- the package walk ------------------------------------------------------------------ */

/* read_pages lists the page IDs of the document at |doc_root|. */
static eseal_rc read_pages(struct ofd *o, const char *doc_root, struct page **pages, size_t *n,
                           struct eseal_err *err)
{
    struct eseal_xml *x = NULL;
    eseal_rc rc = load_xml(o, doc_root, &x, err);
    if (rc != ESEAL_OK)
        return rc;
    const struct eseal_xml_node *ps = eseal_xml_child(eseal_xml_root(x), "Pages");
    size_t cap = ps != NULL ? ps->n_children : 0;
    *pages = eseal_xcalloc(cap + 1, sizeof(**pages));
    *n = 0;
    for (size_t i = 0; i < cap; i++)
        if (strcmp(ps->children[i].name, "Page") == 0)
            (*pages)[(*n)++].id = eseal_xstrdup(eseal_xml_attr(&ps->children[i], "ID")
                                                    ? eseal_xml_attr(&ps->children[i], "ID")
                                                    : "");
    eseal_xml_free(x);
    return ESEAL_OK;
}

static void free_pages(struct page *pages, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(pages[i].id);
    free(pages);
}

/* read_signatures adds the signatures listed in |list| (a Signatures.xml). */
static eseal_rc read_signatures(struct ofd *o, size_t doc, const char *list,
                                const struct page *pages, size_t n_pages, struct eseal_err *err)
{
    struct eseal_xml *x = NULL;
    eseal_rc rc = load_xml(o, list, &x, err);
    if (rc != ESEAL_OK)
        return rc;
    char *dir = eseal_zip_dir(list);
    const struct eseal_xml_node *root = eseal_xml_root(x);
    size_t first = o->n_sigs, listed = 0;
    for (size_t i = 0; i < root->n_children && rc == ESEAL_OK; i++) {
        const struct eseal_xml_node *e = &root->children[i];
        if (strcmp(e->name, "Signature") != 0)
            continue;
        if (o->n_sigs == ESEAL_DOCUMENT_MAX_SIGS) {
            rc = eseal_err_set(err, ESEAL_E_TOOBIG, "more than %d signatures / 签章过多",
                               ESEAL_DOCUMENT_MAX_SIGS);
            break;
        }
        char *name = eseal_zip_resolve(dir, eseal_xml_attr(e, "BaseLoc"));
        if (name == NULL) {
            rc = eseal_err_set(err, ESEAL_E_INVALID,
                               "%s: a Signature without a usable BaseLoc / 签名缺少 BaseLoc", list);
            break;
        }
        o->sigs = eseal_xrealloc(o->sigs, (o->n_sigs + 1) * sizeof(*o->sigs));
        struct sig *s = &o->sigs[o->n_sigs++];
        memset(s, 0, sizeof(*s));
        s->doc = doc;
        s->xml_name = name;
        const char *id = eseal_xml_attr(e, "ID"), *type = eseal_xml_attr(e, "Type");
        s->id = eseal_xstrdup(id != NULL ? id : "");
        s->type = eseal_xstrdup(type != NULL ? type : "Seal");
        s->signatures = eseal_xstrdup(list);
        s->listed = listed++;
        read_signature(o, s, pages, n_pages);
    }
    for (size_t i = first; i < o->n_sigs; i++)
        o->sigs[i].n_listed = listed;
    free(dir);
    eseal_xml_free(x);
    return rc;
}

static eseal_rc read_docbody(struct ofd *o, size_t doc, const struct eseal_xml_node *body,
                             struct eseal_err *err)
{
    char *doc_root = eseal_zip_resolve("", eseal_xml_text_of(body, "DocRoot"));
    if (doc_root == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "OFD.xml: DocBody %zu has no usable DocRoot / 缺少 DocRoot", doc);
    struct page *pages = NULL;
    size_t n_pages = 0;
    /* A Document.xml that cannot be read leaves no pages: the stamps then
     * fail, and the References say whether it was changed. */
    struct eseal_err perr;
    eseal_err_clear(&perr);
    eseal_rc rc = read_pages(o, doc_root, &pages, &n_pages, &perr);
    if (rc != ESEAL_OK && (rc == ESEAL_E_NOTFOUND || rc == ESEAL_E_INVALID))
        rc = ESEAL_OK;
    else if (rc != ESEAL_OK)
        eseal_err_set(err, rc, "%s", perr.msg);
    char *list = eseal_zip_resolve("", eseal_xml_text_of(body, "Signatures"));
    if (rc == ESEAL_OK && list != NULL)
        rc = read_signatures(o, doc, list, pages, n_pages, err);
    free(list);
    free(doc_root);
    free_pages(pages, n_pages);
    return rc;
}

static void ofd_close(void *state);

static eseal_rc ofd_open(void **state, const uint8_t *doc, size_t len, const uint8_t *sig,
                         size_t sig_len, struct eseal_err *err)
{
    (void)sig;
    if (sig_len > 0)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "an OFD carries its signatures inside: no detached signature / "
                             "OFD 文档不需要另附签章文件");
    struct ofd *o = eseal_xcalloc(1, sizeof(*o));
    eseal_rc rc = eseal_zip_open(&o->z, doc, len, NULL, err);
    struct eseal_xml *x = NULL;
    if (rc == ESEAL_OK && !eseal_zip_has(o->z, "OFD.xml"))
        rc = eseal_err_set(err, ESEAL_E_INVALID,
                           "no OFD.xml at the root: not an OFD package / "
                           "缺少 OFD.xml，不是 OFD 文档");
    if (rc == ESEAL_OK)
        rc = load_xml(o, "OFD.xml", &x, err);
    if (rc == ESEAL_OK && strcmp(eseal_xml_root(x)->name, "OFD") != 0)
        rc = eseal_err_set(err, ESEAL_E_INVALID, "OFD.xml: the root element is not OFD");
    size_t docs = 0;
    for (size_t i = 0; rc == ESEAL_OK && i < eseal_xml_root(x)->n_children; i++) {
        const struct eseal_xml_node *b = &eseal_xml_root(x)->children[i];
        if (strcmp(b->name, "DocBody") != 0)
            continue;
        if (docs == OFD_MAX_DOCS)
            rc = eseal_err_set(err, ESEAL_E_TOOBIG, "OFD.xml: more than %d DocBody", OFD_MAX_DOCS);
        else
            rc = read_docbody(o, docs++, b, err);
    }
    if (rc == ESEAL_OK && docs == 0)
        rc = eseal_err_set(err, ESEAL_E_INVALID, "OFD.xml: no DocBody / 缺少 DocBody");
    eseal_xml_free(x);
    if (rc != ESEAL_OK) {
        ofd_close(o);
        return rc;
    }
    o->protected = eseal_xcalloc(eseal_zip_count(o->z) + 1, sizeof(*o->protected));
    o->dg = eseal_xcalloc(eseal_zip_count(o->z) + 1, sizeof(*o->dg));
    *state = o;
    return ESEAL_OK;
}

static eseal_rc ofd_next(void *state, struct eseal_container_sig *out, struct eseal_err *err)
{
    struct ofd *o = state;
    if (o->next == o->n_sigs)
        return ESEAL_E_NOTFOUND;
    struct sig *s = &o->sigs[o->next++];
    memset(out, 0, sizeof(*out));
    snprintf(out->where, sizeof(out->where), "%s", s->dir);
    if (s->broken != NULL) /* the engine reports it as this signature's format failure */
        out->broken = s->broken;
    else if (strcmp(s->type, "Sign") == 0) { /* an electronic signature over Signature.xml */
        out->cms = true;
        out->data = s->xml;
        out->data_len = s->xml_len;
    } else if (strcmp(s->type, "Seal") != 0)
        out->broken = "Signatures.xml: Type is neither \"Seal\" nor \"Sign\" / 签名类型无法识别";
    out->ses = s->ses;
    out->ses_len = s->ses_len;
    out->has_data = true;
    memcpy(out->data_sm3, s->data_sm3, ESEAL_SM3_LEN);
    json_t *p = json_object();
    json_object_set_new(p, "signature", json_string(s->dir));
    json_object_set_new(p, "id", json_string(s->id));
    json_object_set_new(p, "type", json_string(s->type));
    if (s->stamps == NULL)
        s->stamps = json_array();
    json_object_set_new(p, "stamps", json_incref(s->stamps));
    bool seam = json_array_size(s->stamps) > 1;
    json_object_set_new(p, "seam", json_boolean(seam));
    out->place = p;
    (void)err;
    return ESEAL_OK;
}

/* ---- the format's checks ------------------------------------------------------------------ */

/* hash_alg writes the digest of |d| with |alg| into |out|. */
static void hash_alg(enum ref_alg alg, const uint8_t *d, size_t len, uint8_t out[32])
{
    if (alg == ALG_SM3)
        eseal_sm3(out, d, len);
    else
        eseal_sha256(out, d, len);
}

/* digest_of hashes the package file |name| with |alg|; false when missing
 * or unreadable (the reason in |why|). */
static bool digest_of(struct ofd *o, const char *name, enum ref_alg alg, uint8_t out[32],
                      char **why)
{
    const uint8_t *d = NULL;
    size_t len = 0, idx = 0;
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_zip_get(o->z, name, &d, &len, &err) != ESEAL_OK) {
        *why = eseal_xstrdup(err.rc == ESEAL_E_NOTFOUND ? "missing" : err.msg);
        return false;
    }
    if (!entry_index(o->z, name, &idx)) { /* cannot happen: it was just read */
        hash_alg(alg, d, len, out);
        return true;
    }
    struct digest *g = &o->dg[idx];
    if (!g->done[alg]) {
        hash_alg(alg, d, len, g->value[alg]);
        g->done[alg] = true;
    }
    memcpy(out, g->value[alg], 32);
    return true;
}

/* signature_tag_at tells whether a Signature start tag ("<Signature" or
 * "<prefix:Signature", then a space, "/" or ">") begins at |p|. */
static bool signature_tag_at(const uint8_t *p, const uint8_t *end)
{
    if (*p != '<')
        return false;
    const uint8_t *q = p + 1;
    while (q < end && *q != ':' && *q != '>' && *q != ' ' && *q != '/' && *q != '\n')
        q++;
    const uint8_t *name = q < end && *q == ':' ? q + 1 : p + 1;
    static const char tag[] = "Signature";
    size_t n = sizeof(tag) - 1;
    if ((size_t)(end - name) <= n || memcmp(name, tag, n) != 0)
        return false;
    uint8_t after = name[n];
    return after == ' ' || after == '/' || after == '>' || after == '\n' || after == '\t' ||
           after == '\r';
}

/* later_update: was |s|'s Signatures.xml only appended to by later
 * signatures? The list as |s| saw it is the current one with everything
 * from a later Signature start tag up to the root's closing tag cut out;
 * one such cut must give the CheckValue |want| (docs/ofd.md: the append
 * rule). Anything else changed in the list is tampering. */
static bool later_update(struct ofd *o, const struct sig *s, const struct ref *f)
{
    const uint8_t *d = NULL;
    size_t len = 0;
    if (strcmp(f->file, s->signatures) != 0 || s->listed + 1 >= s->n_listed ||
        eseal_zip_get(o->z, f->file, &d, &len, NULL) != ESEAL_OK)
        return false;
    size_t close = 0; /* the root's closing tag: the last "</" */
    for (size_t i = len; i >= 2 && close == 0; i--)
        if (d[i - 2] == '<' && d[i - 1] == '/')
            close = i - 2;
    if (close == 0)
        return false;
    size_t dlen = s->alg == ALG_SM3 ? ESEAL_SM3_LEN : 32, seen = 0;
    struct eseal_buf cut;
    eseal_buf_init(&cut);
    bool found = false;
    for (size_t i = 0; i < close && !found; i++) {
        if (!signature_tag_at(d + i, d + close))
            continue;
        if (seen++ <= s->listed) /* the cut must leave |s|'s own entry */
            continue;
        eseal_buf_reset(&cut);
        eseal_buf_append(&cut, d, i);
        eseal_buf_append(&cut, d + close, len - close);
        uint8_t h[32];
        hash_alg(s->alg, cut.data, cut.len, h);
        found = f->value.len == dlen && CRYPTO_memcmp(h, f->value.data, dlen) == 0;
    }
    eseal_buf_cleanup(&cut);
    return found;
}

static void check_references(struct ofd *o, struct sig *s, struct eseal_report *r)
{
    if (!s->method_ok || s->n_refs == 0) {
        char *got = eseal_xasprintf("CheckMethod %s, %zu Reference(s)", s->method ? s->method : "?",
                                    s->n_refs);
        verify_add(r, V_REFERENCES_BAD,
                   "CheckMethod SM3 (1.2.156.10197.1.401) or SHA-256, and "
                   "at least one Reference",
                   got);
        free(got);
        return;
    }
    struct eseal_buf bad;
    eseal_buf_init(&bad);
    bool updated = false;
    size_t dlen = s->alg == ALG_SM3 ? ESEAL_SM3_LEN : 32;
    for (size_t i = 0; i < s->n_refs; i++) {
        struct ref *f = &s->refs[i];
        uint8_t d[32];
        char *why = NULL;
        size_t idx;
        if (entry_index(o->z, f->file, &idx))
            o->protected[idx] = true;
        if (f->bad_value)
            why = eseal_xstrdup("CheckValue is not base64");
        else if (digest_of(o, f->file, s->alg, d, &why) &&
                 (f->value.len != dlen || CRYPTO_memcmp(d, f->value.data, dlen) != 0)) {
            if (later_update(o, s, f))
                updated = true;
            else
                why = eseal_xstrdup("changed");
        }
        if (why != NULL)
            eseal_buf_appendf(&bad, "%s/%s: %s", bad.len > 0 ? "; " : "", f->file, why);
        free(why);
    }
    char *want = eseal_xasprintf("%zu file(s) with their %s CheckValue", s->n_refs,
                                 s->alg == ALG_SM3 ? "SM3" : "SHA-256");
    if (bad.len > 0)
        verify_add(r, V_REFERENCES_CHANGED, want, (const char *)bad.data);
    else
        verify_add(r, updated ? V_REFERENCES_UPDATED : V_REFERENCES_OK, want,
                   updated ? s->signatures : NULL);
    free(want);
    eseal_buf_cleanup(&bad);
}

static void check_seal_file(struct ofd *o, struct sig *s, struct eseal_report *r)
{
    const uint8_t *d = NULL;
    size_t len = 0;
    if (s->seal_name == NULL || eseal_zip_get(o->z, s->seal_name, &d, &len, NULL) != ESEAL_OK) {
        verify_add(r, V_SEAL_FILE_ABSENT, NULL, s->seal_name);
        return;
    }
    struct eseal_ses *ses = NULL;
    if (eseal_ses_parse(&ses, s->ses, s->ses_len, NULL) != ESEAL_OK) {
        verify_add(r, V_SEAL_FILE_ABSENT, NULL, "SignedValue.dat cannot be parsed");
        return;
    }
    const struct eseal_seal_info *si = eseal_seal_info(eseal_ses_info(ses)->seal);
    bool same = si->der_len == len && memcmp(si->der, d, len) == 0;
    /* the digests the report names: Seal.esl's is usually known already
     * (a protected file), and equal bytes need no second one */
    uint8_t file_sm3[ESEAL_SM3_LEN];
    char *why = NULL;
    if (!digest_of(o, s->seal_name, ALG_SM3, file_sm3, &why))
        eseal_sm3(file_sm3, d, len);
    free(why);
    char *a = eseal_hex(file_sm3, ESEAL_SM3_LEN);
    char *b = same ? eseal_xstrdup(a) : eseal_sm3_hex(si->der, si->der_len);
    char *want = eseal_xasprintf("the seal in SignedValue.dat (SM3 %s)", b);
    char *got = eseal_xasprintf("/%s (SM3 %s)", s->seal_name, a);
    verify_add(r, same ? V_SEAL_FILE_OK : V_SEAL_FILE_MISMATCH, want, got);
    free(a);
    free(b);
    free(want);
    free(got);
    eseal_ses_free(ses);
}

static void check_stamps(struct sig *s, struct eseal_report *r)
{
    if (s->stamp_bad)
        verify_add(r, V_STAMP_BAD, "every PageRef a page ID of Document.xml", s->stamp_why);
    else if (json_array_size(s->stamps) == 0)
        verify_add(r, V_STAMP_NONE, NULL, NULL);
    else {
        char *got = eseal_xasprintf("%zu stamp annotation(s)", json_array_size(s->stamps));
        verify_add(r, V_STAMP_OK, NULL, got);
        free(got);
    }
}

static void ofd_checks(void *state, struct eseal_report *r)
{
    struct ofd *o = state;
    struct sig *s = &o->sigs[o->next - 1];
    size_t idx;
    /* a signature protects its own Signature.xml (dataHash) and is its
     * SignedValue.dat */
    if (entry_index(o->z, s->xml_name, &idx))
        o->protected[idx] = true;
    if (s->value_name != NULL && entry_index(o->z, s->value_name, &idx))
        o->protected[idx] = true;
    if (s->broken != NULL)
        return;
    check_references(o, s, r);
    if (strcmp(s->type, "Sign") != 0) /* an electronic signature has no seal */
        check_seal_file(o, s, r);
    check_stamps(s, r);
}

static json_t *ofd_finish(void *state)
{
    struct ofd *o = state;
    json_t *un = json_array();
    for (size_t i = 0; i < eseal_zip_count(o->z); i++)
        if (!o->protected[i]) {
            char *n = eseal_xasprintf("/%s", eseal_zip_name(o->z, i));
            json_array_append_new(un, json_string(n));
            free(n);
        }
    return json_pack("{s:o}", "unprotected", un);
}

static void ofd_close(void *state)
{
    struct ofd *o = state;
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->n_sigs; i++) {
        struct sig *s = &o->sigs[i];
        for (size_t j = 0; j < s->n_refs; j++) {
            free(s->refs[j].file);
            eseal_buf_cleanup(&s->refs[j].value);
        }
        free(s->refs);
        free(s->id);
        free(s->type);
        free(s->dir);
        free(s->xml_name);
        free(s->value_name);
        free(s->seal_name);
        free(s->signatures);
        free(s->method);
        free(s->stamp_why);
        free(s->broken);
        json_decref(s->stamps);
    }
    free(o->sigs);
    free(o->protected);
    free(o->dg);
    eseal_zip_free(o->z);
    free(o);
}

static bool ofd_probe(const uint8_t *doc, size_t len)
{
    return len >= 4 && memcmp(doc, "PK\x03\x04", 4) == 0;
}

const struct eseal_container eseal_container_ofd = {
    .name = "ofd",
    .probe = ofd_probe,
    .open = ofd_open,
    .next = ofd_next,
    .close = ofd_close,
    .checks = ofd_checks,
    .finish = ofd_finish,
};
