/* ofd_stamp.c — one more seal signature in an OFD package, as ofdrw and
 * commercial readers expect it (docs/ofd.md "Stamping"). Zip and XML go
 * through core's adapters; an existing Signatures.xml is only appended to
 * (before its closing tag), so earlier signatures that protect it still
 * verify under the append rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eseal/enc.h"
#include "eseal/seal.h"
#include "eseal/ts.h"
#include "eseal/xml.h"
#include "eseal/words.h"
#include "eseal/zip.h"
#include "ofd_stamp.h"

#define OFD_NS "http://www.ofdspec.org/2016"
#define SM3_OID "1.2.156.10197.1.401"
#define SM2_SM3_OID "1.2.156.10197.1.501"

/* struct file is one entry of the package being written. */
struct file {
    char *name;
    const uint8_t *data; /* borrowed (the zip's cache) or |own|'s */
    size_t len;
    struct eseal_buf own;
};

struct job {
    struct eseal_zip *z;
    struct file *f;
    size_t n;
    char *doc_root, *signatures; /* package names */
    bool new_list;               /* Signatures.xml did not exist */
    char **page_ids;
    size_t n_pages;
    double page_w, page_h;
    long max_id; /* the highest number in existing IDs */
    char *sign_dir;
};

static struct file *add(struct job *j, const char *name)
{
    j->f = eseal_xrealloc(j->f, (j->n + 1) * sizeof(*j->f));
    struct file *f = &j->f[j->n++];
    memset(f, 0, sizeof(*f));
    f->name = eseal_xstrdup(name);
    eseal_buf_init(&f->own);
    return f;
}

static struct file *find(struct job *j, const char *name)
{
    for (size_t i = 0; i < j->n; i++)
        if (strcmp(j->f[i].name, name) == 0)
            return &j->f[i];
    return NULL;
}

/* set_own replaces |f|'s bytes with |b|'s (moved). */
static void set_own(struct file *f, struct eseal_buf *b)
{
    eseal_buf_cleanup(&f->own);
    f->own = *b;
    eseal_buf_init(b);
    f->data = f->own.data;
    f->len = f->own.len;
}

static eseal_rc parse(struct job *j, const char *name, struct eseal_xml **x, struct eseal_err *err)
{
    struct file *f = find(j, name);
    if (f == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s: missing from the package / 包内缺少此文件",
                             name);
    return eseal_xml_parse(x, f->data, f->len, name, err);
}

/* id_number reads the number in an ID such as "s007" or "12". */
static long id_number(const char *id)
{
    while (id != NULL && *id != '\0' && (*id < '0' || *id > '9'))
        id++;
    return id != NULL && *id != '\0' ? strtol(id, NULL, 10) : 0;
}

static void note_id(struct job *j, const char *id)
{
    long n = id_number(id);
    if (n > j->max_id)
        j->max_id = n;
}

/* read_package loads every entry and reads OFD.xml, Document.xml and the
 * existing Signatures.xml. */
static eseal_rc read_package(struct job *j, const uint8_t *in, size_t len, struct eseal_err *err)
{
    eseal_rc rc = eseal_zip_open(&j->z, in, len, NULL, err);
    for (size_t i = 0; rc == ESEAL_OK && i < eseal_zip_count(j->z); i++) {
        struct file *f = add(j, eseal_zip_name(j->z, i));
        rc = eseal_zip_get(j->z, f->name, &f->data, &f->len, err);
    }
    struct eseal_xml *ofd = NULL, *doc = NULL, *list = NULL;
    if (rc == ESEAL_OK)
        rc = parse(j, "OFD.xml", &ofd, err);
    const struct eseal_xml_node *body = NULL;
    if (rc == ESEAL_OK && (body = eseal_xml_child(eseal_xml_root(ofd), "DocBody")) == NULL)
        rc = eseal_err_set(err, ESEAL_E_INVALID, "OFD.xml: no DocBody / 缺少 DocBody");
    if (rc == ESEAL_OK) {
        j->doc_root = eseal_zip_resolve("", eseal_xml_text_of(body, "DocRoot"));
        j->signatures = eseal_zip_resolve("", eseal_xml_text_of(body, "Signatures"));
        if (j->doc_root == NULL)
            rc = eseal_err_set(err, ESEAL_E_INVALID, "OFD.xml: no DocRoot / 缺少 DocRoot");
    }
    if (rc == ESEAL_OK)
        rc = parse(j, j->doc_root, &doc, err);
    if (rc == ESEAL_OK) {
        const struct eseal_xml_node *root = eseal_xml_root(doc);
        const struct eseal_xml_node *area =
            eseal_xml_child(eseal_xml_child(root, "CommonData"), "PageArea");
        const char *box = eseal_xml_text_of(area, "PhysicalBox");
        double x0, y0;
        if (box == NULL || sscanf(box, "%lf %lf %lf %lf", &x0, &y0, &j->page_w, &j->page_h) != 4)
            j->page_w = 210, j->page_h = 297; /* A4 */
        const struct eseal_xml_node *pages = eseal_xml_child(root, "Pages");
        j->page_ids = eseal_xcalloc((pages ? pages->n_children : 0) + 1, sizeof(char *));
        for (size_t i = 0; pages != NULL && i < pages->n_children; i++)
            if (strcmp(pages->children[i].name, "Page") == 0 &&
                eseal_xml_attr(&pages->children[i], "ID") != NULL)
                j->page_ids[j->n_pages++] =
                    eseal_xstrdup(eseal_xml_attr(&pages->children[i], "ID"));
        if (j->n_pages == 0)
            rc = eseal_err_set(err, ESEAL_E_INVALID, "%s: no pages / 文档没有页面", j->doc_root);
    }
    j->new_list = j->signatures == NULL || find(j, j->signatures) == NULL;
    if (rc == ESEAL_OK && !j->new_list && (rc = parse(j, j->signatures, &list, err)) == ESEAL_OK) {
        const struct eseal_xml_node *root = eseal_xml_root(list);
        for (size_t i = 0; i < root->n_children; i++) {
            const struct eseal_xml_node *c = &root->children[i];
            note_id(j, strcmp(c->name, "MaxSignId") == 0 ? c->text : eseal_xml_attr(c, "ID"));
        }
    }
    eseal_xml_free(ofd);
    eseal_xml_free(doc);
    eseal_xml_free(list);
    return rc;
}

/* closing_tag finds the closing tag "</p:|name|>" in |f| (the first, or
 * with |last| the last one): its offset, and the prefix with its colon
 * ("ofd:", or ""). */
static bool closing_tag(const struct file *f, const char *name, bool last, size_t *at,
                        char **prefix)
{
    bool found = false;
    for (size_t i = 0; i + 2 < f->len && (last || !found); i++) {
        if (f->data[i] != '<' || f->data[i + 1] != '/')
            continue;
        const char *t = (const char *)f->data + i + 2;
        char *tag = eseal_xstrndup(t, strcspn(t, ">"));
        char *colon = strchr(tag, ':');
        if (strcmp(colon != NULL ? colon + 1 : tag, name) == 0) {
            if (found)
                free(*prefix);
            found = true;
            *at = i;
            *prefix = eseal_xstrndup(tag, colon != NULL ? (size_t)(colon - tag + 1) : 0);
        }
        free(tag);
    }
    return found;
}

/* splice inserts |fragment| into |f| at |at|. */
static void splice(struct file *f, size_t at, const char *fragment)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_buf_append(&b, f->data, at);
    eseal_buf_append_str(&b, fragment);
    eseal_buf_append(&b, f->data + at, f->len - at);
    set_own(f, &b);
}

/* update_lists appends the new signature to Signatures.xml (or creates it
 * and names it in OFD.xml). */
static eseal_rc update_lists(struct job *j, long sig_id, long max_id, struct eseal_err *err)
{
    char *sig_xml = eseal_xasprintf("/%s/Signature.xml", j->sign_dir);
    char id[32], max[32];
    snprintf(id, sizeof(id), "s%03ld", sig_id);
    snprintf(max, sizeof(max), "s%03ld", max_id);
    eseal_rc rc = ESEAL_OK;
    if (j->new_list) {
        free(j->signatures);
        char *dir = eseal_zip_dir(j->doc_root);
        j->signatures = eseal_xasprintf("%s%sSigns/Signatures.xml", dir, dir[0] ? "/" : "");
        free(dir);
        struct file *ofd = find(j, "OFD.xml");
        size_t at = 0;
        char *p = NULL;
        if (!closing_tag(ofd, "DocBody", false, &at, &p)) {
            free(sig_xml);
            return eseal_err_set(err, ESEAL_E_INVALID, "OFD.xml: no </DocBody>");
        }
        struct eseal_buf frag;
        eseal_buf_init(&frag);
        eseal_buf_appendf(&frag, "<%sSignatures>/", p);
        eseal_buf_append_html(&frag, j->signatures);
        eseal_buf_appendf(&frag, "</%sSignatures>", p);
        splice(ofd, at, (const char *)frag.data);
        eseal_buf_cleanup(&frag);
        free(p);

        struct eseal_xml_writer *w = eseal_xml_writer_new();
        eseal_xml_start(w, "ofd:Signatures", OFD_NS);
        eseal_xml_start(w, "ofd:Signature", NULL);
        eseal_xml_attr_add(w, "ID", id);
        eseal_xml_attr_add(w, "Type", "Seal");
        eseal_xml_attr_add(w, "BaseLoc", sig_xml);
        eseal_xml_end(w);
        eseal_xml_element(w, "ofd:MaxSignId", max);
        struct eseal_buf b;
        eseal_buf_init(&b);
        rc = eseal_xml_writer_finish(w, &b, err);
        eseal_xml_writer_free(w);
        if (rc == ESEAL_OK)
            set_own(add(j, j->signatures), &b);
        eseal_buf_cleanup(&b);
    } else {
        struct file *list = find(j, j->signatures);
        size_t at = 0;
        char *p = NULL;
        if (!closing_tag(list, "Signatures", true, &at, &p)) {
            free(sig_xml);
            return eseal_err_set(err, ESEAL_E_INVALID, "%s: no closing tag", j->signatures);
        }
        struct eseal_buf frag;
        eseal_buf_init(&frag);
        eseal_buf_appendf(&frag, "<%sSignature ID=\"%s\" Type=\"Seal\" BaseLoc=\"", p, id);
        eseal_buf_append_html(&frag, sig_xml);
        eseal_buf_appendf(&frag, "\"/><%sMaxSignId>%s</%sMaxSignId>", p, max, p);
        splice(list, at, (const char *)frag.data);
        eseal_buf_cleanup(&frag);
        free(p);
    }
    free(sig_xml);
    return rc;
}

static char *mm(double v)
{
    return eseal_xasprintf("%.2f", v);
}

/* write_stamps writes the StampAnnot elements, IDs from |*next|. */
static void write_stamps(struct eseal_xml_writer *w, const struct job *j,
                         const struct ofd_place *pl, double sw, double sh, long *next)
{
    size_t first = pl->seam ? 0 : (size_t)(pl->page - 1);
    size_t last = pl->seam ? j->n_pages : first + 1;
    double slice = sw / (double)(last - first);
    for (size_t i = first; i < last; i++) {
        char id[32];
        snprintf(id, sizeof(id), "s%03ld", (*next)++);
        double x = pl->seam ? j->page_w - slice * (double)(i + 1) : pl->x;
        char *bx = mm(x), *by = mm(pl->y), *bw = mm(sw), *bh = mm(sh);
        char *box = eseal_xasprintf("%s %s %s %s", bx, by, bw, bh);
        eseal_xml_start(w, "ofd:StampAnnot", NULL);
        eseal_xml_attr_add(w, "ID", id);
        eseal_xml_attr_add(w, "PageRef", j->page_ids[i]);
        eseal_xml_attr_add(w, "Boundary", box);
        if (pl->seam) {
            char *cx = mm(slice * (double)i), *cw = mm(slice);
            char *clip = eseal_xasprintf("%s 0 %s %s", cx, cw, bh);
            eseal_xml_attr_add(w, "Clip", clip);
            free(cx);
            free(cw);
            free(clip);
        }
        eseal_xml_end(w);
        free(bx);
        free(by);
        free(bw);
        free(bh);
        free(box);
    }
}

/* signature_xml writes Signature.xml: Provider, SignatureMethod,
 * SignatureDateTime, References (SM3 of every entry but this signature's
 * Signature.xml and SignedValue.dat), StampAnnot, Seal; SignedValue. */
static eseal_rc signature_xml(struct job *j, const struct ofd_place *pl, double sw, double sh,
                              long first_stamp, time_t when, struct eseal_buf *out,
                              struct eseal_err *err)
{
    char *own_xml = eseal_xasprintf("%s/Signature.xml", j->sign_dir);
    char *own_value = eseal_xasprintf("%s/SignedValue.dat", j->sign_dir);
    struct eseal_xml_writer *w = eseal_xml_writer_new();
    eseal_xml_start(w, "ofd:Signature", OFD_NS);
    eseal_xml_start(w, "ofd:SignedInfo", NULL);
    eseal_xml_start(w, "ofd:Provider", NULL);
    eseal_xml_attr_add(w, "ProviderName", "eseal");
    eseal_xml_attr_add(w, "Company", "eseal");
    eseal_xml_attr_add(w, "Version", "1.0");
    eseal_xml_end(w);
    eseal_xml_element(w, "ofd:SignatureMethod", SM2_SM3_OID);
    struct tm tm; /* Beijing time, as readers show it */
    char ts[32] = "";
    if (eseal_words_beijing(when, &tm) != NULL)
        strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
    eseal_xml_element(w, "ofd:SignatureDateTime", ts);
    eseal_xml_start(w, "ofd:References", NULL);
    eseal_xml_attr_add(w, "CheckMethod", SM3_OID);
    for (size_t i = 0; i < j->n; i++) {
        const struct file *f = &j->f[i];
        if (strcmp(f->name, own_xml) == 0 || strcmp(f->name, own_value) == 0)
            continue;
        uint8_t d[ESEAL_SM3_LEN];
        eseal_sm3(d, f->data, f->len);
        char *b64 = eseal_base64(d, sizeof(d), ESEAL_B64_STD);
        char *ref = eseal_xasprintf("/%s", f->name);
        eseal_xml_start(w, "ofd:Reference", NULL);
        eseal_xml_attr_add(w, "FileRef", ref);
        eseal_xml_element(w, "ofd:CheckValue", b64);
        eseal_xml_end(w);
        free(b64);
        free(ref);
    }
    eseal_xml_end(w);
    long next = first_stamp;
    write_stamps(w, j, pl, sw, sh, &next);
    char *seal = eseal_xasprintf("/%s/Seal.esl", j->sign_dir);
    eseal_xml_start(w, "ofd:Seal", NULL);
    eseal_xml_element(w, "ofd:BaseLoc", seal);
    eseal_xml_end(w);
    eseal_xml_end(w); /* SignedInfo */
    char *value = eseal_xasprintf("/%s", own_value);
    eseal_xml_element(w, "ofd:SignedValue", value);
    eseal_rc rc = eseal_xml_writer_finish(w, out, err);
    eseal_xml_writer_free(w);
    free(seal);
    free(value);
    free(own_xml);
    free(own_value);
    return rc;
}

static void job_cleanup(struct job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free(j->f[i].name);
        eseal_buf_cleanup(&j->f[i].own);
    }
    free(j->f);
    for (size_t i = 0; i < j->n_pages; i++)
        free(j->page_ids[i]);
    free(j->page_ids);
    free(j->doc_root);
    free(j->signatures);
    free(j->sign_dir);
    eseal_zip_free(j->z);
}

eseal_rc ofd_stamp(struct eseal_buf *out, const uint8_t *in, size_t in_len, const uint8_t *seal,
                   size_t seal_len, const struct ofd_place *place, time_t when, X509 *signer,
                   eseal_signer sign, void *sign_ctx, const char *tsa, struct eseal_err *err)
{
    struct job j = {0};
    struct eseal_seal *s = NULL;
    struct eseal_buf sig_xml, ses;
    eseal_buf_init(&sig_xml);
    eseal_buf_init(&ses);
    if (when == 0)
        when = time(NULL);
    eseal_rc rc = eseal_seal_parse(&s, seal, seal_len, err);
    if (rc == ESEAL_OK)
        rc = read_package(&j, in, in_len, err);
    if (rc == ESEAL_OK && !place->seam && (place->page < 1 || (size_t)place->page > j.n_pages))
        rc = eseal_err_set(err, ESEAL_E_INVALID,
                           "--page %d: the document has %zu page(s) / 页码超出范围", place->page,
                           j.n_pages);
    if (rc != ESEAL_OK)
        goto out;
    double sw = (double)eseal_seal_info(s)->width_mm, sh = (double)eseal_seal_info(s)->height_mm;
    char *dir = eseal_zip_dir(j.doc_root);
    char *signs = j.new_list ? eseal_xasprintf("%s%sSigns", dir, dir[0] ? "/" : "")
                             : eseal_zip_dir(j.signatures);
    free(dir);
    for (size_t k = 0;; k++) {
        j.sign_dir = eseal_xasprintf("%s/Sign_%zu", signs, k);
        char *probe = eseal_xasprintf("%s/Signature.xml", j.sign_dir);
        bool taken = find(&j, probe) != NULL;
        free(probe);
        if (!taken)
            break;
        free(j.sign_dir);
    }
    free(signs);
    long sig_id = j.max_id + 1;
    size_t n_stamps = place->seam ? j.n_pages : 1;
    long max_id = sig_id + (long)n_stamps;
    rc = update_lists(&j, sig_id, max_id, err);
    if (rc != ESEAL_OK)
        goto out;
    char *name = eseal_xasprintf("%s/Seal.esl", j.sign_dir);
    struct file *sf = add(&j, name);
    free(name);
    eseal_buf_append(&sf->own, seal, seal_len);
    sf->data = sf->own.data;
    sf->len = sf->own.len;
    rc = signature_xml(&j, place, sw, sh, sig_id + 1, when, &sig_xml, err);
    if (rc != ESEAL_OK)
        goto out;
    uint8_t data_sm3[ESEAL_SM3_LEN];
    eseal_sm3(data_sm3, sig_xml.data, sig_xml.len);
    char *property = eseal_xasprintf("/%s/Signature.xml", j.sign_dir);
    rc =
        eseal_ses_make(&ses, seal, seal_len, data_sm3, property, when, signer, sign, sign_ctx, err);
    free(property);
    if (rc == ESEAL_OK && tsa != NULL)
        rc = eseal_ts_stamp_ses(&ses, tsa, 0, err);
    if (rc != ESEAL_OK)
        goto out;
    name = eseal_xasprintf("%s/Signature.xml", j.sign_dir);
    set_own(add(&j, name), &sig_xml);
    free(name);
    name = eseal_xasprintf("%s/SignedValue.dat", j.sign_dir);
    set_own(add(&j, name), &ses);
    free(name);
    struct eseal_zip_writer *w = eseal_zip_writer_new();
    struct file *ofd = find(&j, "OFD.xml");
    rc = eseal_zip_writer_add(w, ofd->name, ofd->data, ofd->len, false, err);
    for (size_t i = 0; rc == ESEAL_OK && i < j.n; i++)
        if (&j.f[i] != ofd)
            rc = eseal_zip_writer_add(w, j.f[i].name, j.f[i].data, j.f[i].len, false, err);
    if (rc == ESEAL_OK)
        rc = eseal_zip_writer_finish(w, out, err);
    eseal_zip_writer_free(w);
out:
    eseal_seal_free(s);
    eseal_buf_cleanup(&sig_xml);
    eseal_buf_cleanup(&ses);
    job_cleanup(&j);
    return rc;
}

/* ---- a one-page sample -------------------------------------------------------------- */

/* xml_file finishes |w| into a new entry |name| of |z|. */
static eseal_rc xml_file(struct eseal_zip_writer *z, const char *name, struct eseal_xml_writer *w,
                         struct eseal_err *err)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    eseal_rc rc = eseal_xml_writer_finish(w, &b, err);
    eseal_xml_writer_free(w);
    if (rc == ESEAL_OK)
        rc = eseal_zip_writer_add(z, name, b.data, b.len, false, err);
    eseal_buf_cleanup(&b);
    return rc;
}

eseal_rc ofd_sample(struct eseal_buf *out, const char *doc_id, const char *const *lines,
                    size_t n_lines, struct eseal_err *err)
{
    struct eseal_zip_writer *z = eseal_zip_writer_new();
    struct eseal_xml_writer *w = eseal_xml_writer_new();
    eseal_xml_start(w, "ofd:OFD", OFD_NS);
    eseal_xml_attr_add(w, "Version", "1.0");
    eseal_xml_attr_add(w, "DocType", "OFD");
    eseal_xml_start(w, "ofd:DocBody", NULL);
    eseal_xml_start(w, "ofd:DocInfo", NULL);
    eseal_xml_element(w, "ofd:DocID", doc_id);
    eseal_xml_element(w, "ofd:Creator", "eseal");
    eseal_xml_end(w);
    eseal_xml_element(w, "ofd:DocRoot", "Doc_0/Document.xml");
    eseal_rc rc = xml_file(z, "OFD.xml", w, err);

    w = eseal_xml_writer_new();
    eseal_xml_start(w, "ofd:Document", OFD_NS);
    eseal_xml_start(w, "ofd:CommonData", NULL);
    eseal_xml_element(w, "ofd:MaxUnitID", "99");
    eseal_xml_start(w, "ofd:PageArea", NULL);
    eseal_xml_element(w, "ofd:PhysicalBox", "0 0 210 297");
    eseal_xml_end(w);
    eseal_xml_element(w, "ofd:PublicRes", "PublicRes.xml");
    eseal_xml_end(w);
    eseal_xml_start(w, "ofd:Pages", NULL);
    eseal_xml_start(w, "ofd:Page", NULL);
    eseal_xml_attr_add(w, "ID", "1");
    eseal_xml_attr_add(w, "BaseLoc", "Pages/Page_0/Content.xml");
    if (rc == ESEAL_OK)
        rc = xml_file(z, "Doc_0/Document.xml", w, err);
    else
        eseal_xml_writer_free(w);

    w = eseal_xml_writer_new();
    eseal_xml_start(w, "ofd:Res", OFD_NS);
    eseal_xml_attr_add(w, "BaseLoc", "Res");
    eseal_xml_start(w, "ofd:Fonts", NULL);
    eseal_xml_start(w, "ofd:Font", NULL);
    eseal_xml_attr_add(w, "ID", "2");
    eseal_xml_attr_add(w, "FontName", "宋体");
    eseal_xml_attr_add(w, "FamilyName", "宋体");
    if (rc == ESEAL_OK)
        rc = xml_file(z, "Doc_0/PublicRes.xml", w, err);
    else
        eseal_xml_writer_free(w);

    w = eseal_xml_writer_new();
    eseal_xml_start(w, "ofd:Page", OFD_NS);
    eseal_xml_start(w, "ofd:Content", NULL);
    eseal_xml_start(w, "ofd:Layer", NULL);
    eseal_xml_attr_add(w, "ID", "3");
    for (size_t i = 0; i < n_lines; i++) {
        char id[32], box[96];
        snprintf(id, sizeof(id), "%zu", 10 + i);
        snprintf(box, sizeof(box), "20 %zu 170 8", 30 + 10 * i);
        eseal_xml_start(w, "ofd:TextObject", NULL);
        eseal_xml_attr_add(w, "ID", id);
        eseal_xml_attr_add(w, "Boundary", box);
        eseal_xml_attr_add(w, "Font", "2");
        eseal_xml_attr_add(w, "Size", "4.5");
        eseal_xml_start(w, "ofd:TextCode", NULL);
        eseal_xml_attr_add(w, "X", "0");
        eseal_xml_attr_add(w, "Y", "5");
        eseal_xml_text(w, lines[i]);
        eseal_xml_end(w);
        eseal_xml_end(w);
    }
    if (rc == ESEAL_OK)
        rc = xml_file(z, "Doc_0/Pages/Page_0/Content.xml", w, err);
    else
        eseal_xml_writer_free(w);
    if (rc == ESEAL_OK)
        rc = eseal_zip_writer_finish(z, out, err);
    eseal_zip_writer_free(z);
    return rc;
}
