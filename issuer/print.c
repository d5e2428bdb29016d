/* print.c — the guide's printables as PDF (cairo + pango) and the summary
 * table as xlsx (libxlsxwriter); print_xlsx.c reads a sheet back. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <xlsxwriter.h>

#include "print.h"
#include "print_internal.h"
#include "region.h"

/* ---- the summary table's columns (PDF, xlsx and the check share them) ---- */

/* clang-format off */
const struct print_column print_columns[PRINT_N_COLUMNS] = {
    {"index",        "序号",             "no.",              PRINT_COL_INDEX, 28,  6},
    {"unit_name",    "单位名称",         "unit name",        PRINT_COL_TEXT,  110, 30},
    {"uscc",         "统一社会信用代码", "USCC",             PRINT_COL_TEXT,  82,  22},
    {"seal_name",    "印章名称",         "seal name",        PRINT_COL_TEXT,  104, 30},
    {"kind",         "印章类型",         "seal kind",        PRINT_COL_ENUM,  48,  14},
    {"function",     "印章用途",         "function",         PRINT_COL_ENUM,  52,  16},
    {"cert_type",    "绑定证书类型",     "certificate type", PRINT_COL_ENUM,  56,  18},
    {"width_mm",     "宽度（毫米）",     "width (mm)",       PRINT_COL_MM,    34,  12},
    {"height_mm",    "高度（毫米）",     "height (mm)",      PRINT_COL_MM,    34,  12},
    {"person_name",  "个人姓名",         "person name",      PRINT_COL_TEXT,  42,  12},
    {"target",       "原印章编码",       "seal code",        PRINT_COL_TEXT,  64,  18},
    {"agent_name",   "经办人",           "agent",            PRINT_COL_TEXT,  40,  12},
    {"agent_mobile", "联系电话",         "mobile",           PRINT_COL_TEXT,  58,  16},
};
/* clang-format on */

static const char *label_zh(enum eseal_enum which, int value)
{
    const struct eseal_label *l = eseal_form_label(which, value);
    return l != NULL ? l->zh : "";
}

static const char *or_empty(const char *s)
{
    return s != NULL ? s : "";
}

void print_cell_text(const struct eseal_print_row *row, size_t i, size_t col, char *out,
                     size_t out_len)
{
    const struct eseal_form *f = row->form;
    const char *s = "";
    out[0] = '\0';
    switch (col) {
    case 0:
        snprintf(out, out_len, "%zu", i + 1);
        return;
    case 1:
        s = or_empty(f->unit.name);
        break;
    case 2:
        s = or_empty(f->unit.uscc);
        break;
    case 3:
        s = or_empty(f->seal.name);
        break;
    case 4:
        s = label_zh(ESEAL_ENUM_SEAL_KIND, (int)f->kind);
        break;
    case 5:
        s = label_zh(ESEAL_ENUM_FUNCTION, (int)f->seal.function);
        break;
    case 6:
        s = label_zh(ESEAL_ENUM_CERT_TYPE, (int)f->seal.cert_type);
        break;
    case 7:
        if (f->seal.width_mm > 0)
            eseal_mm_text(f->seal.width_mm, out, out_len);
        return;
    case 8:
        if (f->seal.height_mm > 0)
            eseal_mm_text(f->seal.height_mm, out, out_len);
        return;
    case 9:
        s = f->person != NULL ? or_empty(f->person->name) : "";
        break;
    case 10:
        s = or_empty(f->target);
        break;
    case 11:
        s = or_empty(f->agent.name);
        break;
    case 12:
        s = or_empty(f->agent.mobile);
        break;
    default:
        break;
    }
    snprintf(out, out_len, "%s", s);
}

/* ---- a PDF document: one cairo surface, one pango font map ---- */

#define MM (72.0 / 25.4)
#define A4_W (210 * MM)
#define A4_H (297 * MM)
#define SANS "Noto Sans CJK SC"
#define SERIF "Noto Serif CJK SC"

enum align { LEFT, CENTER, RIGHT };

struct pdf {
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoContext *pctx;
    double w, h;
};

/* fontconfig's and pango's setup is not safe to race: one document at a
 * time (a page takes well under a tenth of a second). The font map is made
 * once and kept: its fonts and cairo's font faces are then loaded once for
 * the process instead of once per document. */
static pthread_mutex_t pdf_mu = PTHREAD_MUTEX_INITIALIZER;
static PangoFontMap *pdf_fontmap;

static cairo_status_t pdf_write(void *closure, const unsigned char *data, unsigned int len)
{
    eseal_buf_append(closure, data, len);
    return CAIRO_STATUS_SUCCESS;
}

static void pdf_begin(struct pdf *p, struct eseal_buf *out, bool landscape, const char *title)
{
    pthread_mutex_lock(&pdf_mu);
    p->w = landscape ? A4_H : A4_W;
    p->h = landscape ? A4_W : A4_H;
    p->surface = cairo_pdf_surface_create_for_stream(pdf_write, out, p->w, p->h);
    cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR,
                                   "eseal 政务电子印章服务平台");
    p->cr = cairo_create(p->surface);
    if (pdf_fontmap == NULL) {
        pdf_fontmap = pango_cairo_font_map_new();
        pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(pdf_fontmap), 72.0);
    }
    p->pctx = pango_font_map_create_context(pdf_fontmap);
    pango_cairo_update_context(p->cr, p->pctx);
    cairo_set_line_width(p->cr, 0.8);
}

static eseal_rc pdf_end(struct pdf *p, struct eseal_err *err)
{
    cairo_show_page(p->cr);
    cairo_destroy(p->cr);
    cairo_surface_finish(p->surface);
    cairo_status_t st = cairo_surface_status(p->surface);
    cairo_surface_destroy(p->surface);
    g_object_unref(p->pctx);
    pthread_mutex_unlock(&pdf_mu);
    if (st != CAIRO_STATUS_SUCCESS)
        return eseal_err_set(err, ESEAL_E_INTERNAL, "生成 PDF 失败 / could not make the PDF: %s",
                             cairo_status_to_string(st));
    return ESEAL_OK;
}

/* text lays |s| out in a box |w| wide at (x, y) and, when |draw|, draws
 * it; it returns the height the text takes. */
static double text(struct pdf *p, double x, double y, double w, const char *font, double size,
                   bool bold, enum align a, bool draw, const char *s)
{
    PangoLayout *l = pango_layout_new(p->pctx);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, font);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_layout_set_font_description(l, fd);
    pango_layout_set_width(l, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, a == CENTER  ? PANGO_ALIGN_CENTER
                                  : a == RIGHT ? PANGO_ALIGN_RIGHT
                                               : PANGO_ALIGN_LEFT);
    pango_layout_set_text(l, s, -1);
    if (draw) {
        cairo_move_to(p->cr, x, y);
        pango_cairo_show_layout(p->cr, l);
    }
    int lw, lh;
    pango_layout_get_size(l, &lw, &lh);
    pango_font_description_free(fd);
    g_object_unref(l);
    return (double)lh / PANGO_SCALE;
}

#define PAD 4.0

/* cell draws a ruled box with |s| inside, vertically centred. */
static void cell(struct pdf *p, double x, double y, double w, double h, double size, bool bold,
                 enum align a, const char *s)
{
    cairo_rectangle(p->cr, x, y, w, h);
    cairo_stroke(p->cr);
    double th = text(p, 0, 0, w - 2 * PAD, SANS, size, bold, a, false, s);
    text(p, x + PAD, y + (h - th) / 2, w - 2 * PAD, SANS, size, bold, a, true, s);
}

/* cell_height is the height |s| needs in a cell |w| wide (at least |min|). */
static double cell_height(struct pdf *p, double w, double size, const char *s, double min)
{
    double h = text(p, 0, 0, w - 2 * PAD, SANS, size, false, LEFT, false, s) + 2 * PAD;
    return h > min ? h : min;
}

static void footer(struct pdf *p, size_t page, size_t pages)
{
    char s[128];
    snprintf(s, sizeof(s), "第 %zu 页 共 %zu 页", page, pages);
    text(p, 0, p->h - 30, p->w, SANS, 8, false, CENTER, true, s);
}

/* choices writes "■ chosen □ other …" for every value of |which| into |b|. */
static void choices(struct eseal_buf *b, enum eseal_enum which, int chosen)
{
    int n = eseal_form_enum_count(which);
    for (int v = 1; v <= n; v++)
        eseal_buf_appendf(b, "%s%s %s", v > 1 ? "　" : "", v == chosen ? "■" : "□",
                          label_zh(which, v));
    eseal_buf_append(b, "", 1);
}

static const char *region_zh(const char *code)
{
    const struct eseal_region *r = code != NULL ? eseal_region_lookup(code) : NULL;
    return r != NULL ? r->name_zh : or_empty(code);
}

/* ---- the application form (申请表) ---- */

#define FORM_X (25 * MM)
#define FORM_W (A4_W - 50 * MM)
#define LABEL_W (32 * MM)

struct form_row {
    const char *label1, *value1, *label2, *value2; /* label2 NULL: value1 spans */
    double min_h;
};

static double form_row(struct pdf *p, double y, const struct form_row *r)
{
    double half = (FORM_W - 2 * LABEL_W) / 2;
    double vw = r->label2 != NULL ? half : FORM_W - LABEL_W;
    double h = cell_height(p, LABEL_W, 10, r->label1, r->min_h);
    double hv = cell_height(p, vw, 10, r->value1, h);
    h = hv > h ? hv : h;
    if (r->label2 != NULL) {
        double h2 = cell_height(p, half, 10, r->value2, cell_height(p, LABEL_W, 10, r->label2, h));
        h = h2 > h ? h2 : h;
    }
    cell(p, FORM_X, y, LABEL_W, h, 10, true, CENTER, r->label1);
    cell(p, FORM_X + LABEL_W, y, vw, h, 10, false, LEFT, r->value1);
    if (r->label2 != NULL) {
        cell(p, FORM_X + LABEL_W + half, y, LABEL_W, h, 10, true, CENTER, r->label2);
        cell(p, FORM_X + 2 * LABEL_W + half, y, half, h, 10, false, LEFT, or_empty(r->value2));
    }
    return y + h;
}

static double form_section(struct pdf *p, double y, const char *title)
{
    cairo_rectangle(p->cr, FORM_X, y, FORM_W, 18);
    cairo_set_source_rgb(p->cr, 0.92, 0.92, 0.92);
    cairo_fill_preserve(p->cr);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    cairo_stroke(p->cr);
    text(p, FORM_X + PAD, y + 3, FORM_W - 2 * PAD, SANS, 10, true, LEFT, true, title);
    return y + 18;
}

static void form_page(struct pdf *p, const struct eseal_submission *s, size_t i)
{
    const struct eseal_form *f = &s->forms[i];
    bool personal = f->kind == ESEAL_KIND_PERSONAL;
    struct eseal_buf business, kind, cert, special;
    eseal_buf_init(&business);
    eseal_buf_init(&kind);
    eseal_buf_init(&cert);
    eseal_buf_init(&special);
    choices(&business, ESEAL_ENUM_BUSINESS, (int)f->business);
    choices(&kind, ESEAL_ENUM_SEAL_KIND, (int)f->kind);
    choices(&cert, ESEAL_ENUM_CERT_TYPE, (int)f->seal.cert_type);
    for (size_t k = 0; k < f->n_special; k++) {
        const struct eseal_special *sp = &f->special[k];
        eseal_buf_appendf(&special, "%s%s", k > 0 ? "；" : "",
                          label_zh(ESEAL_ENUM_SPECIAL_CASE, (int)sp->kind));
        if (sp->delegator != NULL && sp->delegator->name != NULL)
            eseal_buf_appendf(&special, "（授权单位：%s）", sp->delegator->name);
    }
    if (f->n_special == 0)
        eseal_buf_append_str(&special, "无");
    eseal_buf_append(&special, "", 1);
    char region[256], size[96], w[16] = "", h[16] = "", page_no[64];
    snprintf(region, sizeof(region), "%s %s", region_zh(f->unit.city),
             f->unit.county != NULL && f->unit.city != NULL &&
                     strcmp(f->unit.county, f->unit.city) != 0
                 ? region_zh(f->unit.county)
                 : "");
    if (f->seal.width_mm > 0)
        eseal_mm_text(f->seal.width_mm, w, sizeof(w));
    if (f->seal.height_mm > 0)
        eseal_mm_text(f->seal.height_mm, h, sizeof(h));
    snprintf(size, sizeof(size), "宽 %s 毫米 × 高 %s 毫米", w, h);
    snprintf(page_no, sizeof(page_no), "申请表 %zu / %zu", i + 1, s->n_forms);

    double y = 22 * MM;
    text(p, FORM_X, y, FORM_W, SANS, 9, false, RIGHT, true, page_no);
    text(p, FORM_X, y, FORM_W, SANS, 9, false, LEFT, true, "附件");
    y += 16;
    y += text(p, FORM_X, y, FORM_W, SERIF, 18, true, CENTER, true, "福建省政务电子印章申请表");
    y += 8;
    const char *pn = personal && f->person != NULL ? or_empty(f->person->name) : "—";
    const char *pid = personal && f->person != NULL ? or_empty(f->person->id_number) : "—";
    const char *target = f->target != NULL ? f->target : "（印章申请无需填写）";
    const struct form_row basics[] = {
        {"业务类型", (const char *)business.data, NULL, NULL, 22},
        {"印章类型", (const char *)kind.data, NULL, NULL, 22},
    };
    const struct form_row unit[] = {
        {"单位名称", or_empty(f->unit.name), NULL, NULL, 22},
        {"统一社会信用代码", or_empty(f->unit.uscc), "所属地市/区县", region, 22},
    };
    const struct form_row person[] = {
        {"姓名", pn, "身份证号码", pid, 22},
    };
    const struct form_row agent[] = {
        {"姓名", or_empty(f->agent.name), "手机号码", or_empty(f->agent.mobile), 22},
        {"身份证号码", or_empty(f->agent.id_number), NULL, NULL, 22},
    };
    const struct form_row seal[] = {
        {"印章名称", or_empty(f->seal.name), NULL, NULL, 22},
        {"印章尺寸", size, "印章用途", label_zh(ESEAL_ENUM_FUNCTION, (int)f->seal.function), 22},
        {"绑定证书类型", (const char *)cert.data, NULL, NULL, 22},
        {"原印章编码", target, NULL, NULL, 22},
        {"特殊情形", (const char *)special.data, NULL, NULL, 22},
    };
    for (size_t k = 0; k < sizeof(basics) / sizeof(basics[0]); k++)
        y = form_row(p, y, &basics[k]);
    y = form_section(p, y, "用章单位信息");
    for (size_t k = 0; k < sizeof(unit) / sizeof(unit[0]); k++)
        y = form_row(p, y, &unit[k]);
    y = form_section(p, y, "个人信息（仅个人印章填写）");
    y = form_row(p, y, &person[0]);
    y = form_section(p, y, "经办人信息");
    for (size_t k = 0; k < sizeof(agent) / sizeof(agent[0]); k++)
        y = form_row(p, y, &agent[k]);
    y = form_section(p, y, "印章信息");
    for (size_t k = 0; k < sizeof(seal) / sizeof(seal[0]); k++)
        y = form_row(p, y, &seal[k]);
    /* the physical seal's impression, the unit's stamp and signatures */
    double box = 36 * MM;
    cell(p, FORM_X, y, LABEL_W, box, 10, true, CENTER, "实物印章印模");
    cell(p, FORM_X + LABEL_W, y, FORM_W - LABEL_W, box, 9, false, CENTER,
         "（请在此处加盖实物印章，印模须清晰完整）");
    y += box;
    cell(p, FORM_X, y, LABEL_W, box, 10, true, CENTER, "用章单位意见");
    cairo_rectangle(p->cr, FORM_X + LABEL_W, y, FORM_W - LABEL_W, box);
    cairo_stroke(p->cr);
    text(p, FORM_X + LABEL_W + PAD, y + PAD, FORM_W - LABEL_W - 2 * PAD, SANS, 10, false, LEFT,
         true, "经办人签字：　　　　　　　　负责人签字：");
    text(p, FORM_X + LABEL_W + PAD, y + box - 34, FORM_W - LABEL_W - 4 * PAD, SANS, 10, false,
         RIGHT, true, "（单位公章）\n年　　月　　日");
    y += box + 8;
    text(p, FORM_X, y, FORM_W, SANS, 8, false, LEFT, true,
         "注：1. 每枚印章填写一份申请表，所有栏目均须填写，个人信息仅个人印章填写；"
         "2. 申请单位须与用章单位一致；3. 设备（服务器）印章须同时提交证书请求文件（PKCS#10）；"
         "4. 本表须经办人签字并加盖用章单位公章，不得涂改。");
    eseal_buf_cleanup(&business);
    eseal_buf_cleanup(&kind);
    eseal_buf_cleanup(&cert);
    eseal_buf_cleanup(&special);
}

eseal_rc eseal_print_forms(const struct eseal_submission *s, struct eseal_buf *out,
                           struct eseal_err *err)
{
    if (s->n_forms == 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "申报没有申请表 / the submission has no form");
    struct pdf p;
    pdf_begin(&p, out, false, "福建省政务电子印章申请表");
    for (size_t i = 0; i < s->n_forms; i++) {
        if (i > 0)
            cairo_show_page(p.cr);
        form_page(&p, s, i);
        footer(&p, i + 1, s->n_forms);
    }
    return pdf_end(&p, err);
}

/* ---- the summary table (汇总表) ---- */

#define SUM_X (12 * MM)
#define SUM_SIZE 8.0

static double summary_header(struct pdf *p, const char *unit, size_t n)
{
    double y = 14 * MM;
    y += text(p, 0, y, p->w, SERIF, 16, true, CENTER, true, "福建省政务电子印章申请汇总表");
    char line[512];
    snprintf(line, sizeof(line), "报送单位：%s　　　　共 %zu 枚", or_empty(unit), n);
    y += 4;
    y += text(p, SUM_X, y, p->w - 2 * SUM_X, SANS, 10, false, LEFT, true, line);
    y += 4;
    double x = SUM_X, h = 0;
    for (size_t c = 0; c < PRINT_N_COLUMNS; c++) {
        double ch = cell_height(p, print_columns[c].pdf_width, SUM_SIZE, print_columns[c].zh, 24);
        h = ch > h ? ch : h;
    }
    for (size_t c = 0; c < PRINT_N_COLUMNS; c++) {
        cell(p, x, y, print_columns[c].pdf_width, h, SUM_SIZE, true, CENTER, print_columns[c].zh);
        x += print_columns[c].pdf_width;
    }
    return y + h;
}

eseal_rc eseal_print_summary_pdf(const struct eseal_print_row *rows, size_t n, const char *unit,
                                 struct eseal_buf *out, struct eseal_err *err)
{
    if (n == 0 || n > ESEAL_PRINT_ROWS_MAX)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "汇总表须有 1 至 %d 行 / a summary table has 1 to %d rows",
                             ESEAL_PRINT_ROWS_MAX, ESEAL_PRINT_ROWS_MAX);
    struct pdf p;
    pdf_begin(&p, out, true, "福建省政务电子印章申请汇总表");
    double bottom = p.h - 30 * MM;
    size_t page = 1;
    double y = summary_header(&p, unit, n);
    char v[PRINT_N_COLUMNS][PRINT_CELL_MAX];
    for (size_t i = 0; i < n; i++) {
        double h = 18;
        for (size_t c = 0; c < PRINT_N_COLUMNS; c++) {
            print_cell_text(&rows[i], i, c, v[c], sizeof(v[c]));
            double ch = cell_height(&p, print_columns[c].pdf_width, SUM_SIZE, v[c], 18);
            h = ch > h ? ch : h;
        }
        if (y + h > bottom) {
            cairo_show_page(p.cr);
            page++;
            y = summary_header(&p, unit, n);
        }
        double x = SUM_X;
        for (size_t c = 0; c < PRINT_N_COLUMNS; c++) {
            cell(&p, x, y, print_columns[c].pdf_width, h, SUM_SIZE, false, c == 0 ? CENTER : LEFT,
                 v[c]);
            x += print_columns[c].pdf_width;
        }
        y += h;
    }
    text(&p, SUM_X, y + 12, p.w - 2 * SUM_X, SANS, 10, false, LEFT, true,
         "报送单位（盖章）：　　　　　　　　　　经办人：　　　　　　　　联系电话：　　　　　"
         "　　　　　日期：　　　　年　　月　　日");
    text(&p, SUM_X, y + 30, p.w - 2 * SUM_X, SANS, 8, false, LEFT, true,
         "注：汇总表各行须与对应的申请表逐项一致；申请多枚印章时须附本表。");
    char pg[64];
    snprintf(pg, sizeof(pg), "共 %zu 页", page);
    text(&p, 0, p.h - 30, p.w, SANS, 8, false, CENTER, true, pg);
    return pdf_end(&p, err);
}

/* ---- the letter outline (申请函) ---- */

eseal_rc eseal_print_letter(const struct eseal_submission *s, struct eseal_buf *out,
                            struct eseal_err *err)
{
    struct pdf p;
    pdf_begin(&p, out, false, "政务电子印章申请函");
    const char *business = label_zh(ESEAL_ENUM_BUSINESS, (int)s->business);
    long counts[4] = {0};
    for (size_t i = 0; i < s->n_forms; i++)
        if ((int)s->forms[i].kind >= 1 && (int)s->forms[i].kind <= 3)
            counts[s->forms[i].kind]++;
    double x = 28 * MM, w = A4_W - 56 * MM, y = 24 * MM;
    y += text(&p, x, y, w, SANS, 9, false, CENTER, true,
              "（请以单位红头文件印制，负责人签字并加盖单位公章）");
    y += 14;
    char buf[1024];
    snprintf(buf, sizeof(buf), "关于办理政务电子印章业务（%s）的函", business);
    y += text(&p, x, y, w, SERIF, 18, true, CENTER, true, buf);
    y += 8;
    snprintf(buf, sizeof(buf), "%s",
             s->letter.number != NULL ? s->letter.number : "文号：　　〔　　　〕　　号");
    y += text(&p, x, y, w, SANS, 11, false, CENTER, true, buf);
    y += 20;
    snprintf(buf, sizeof(buf), "%s：",
             s->letter.addressee != NULL ? s->letter.addressee : "福建省经济信息中心");
    y += text(&p, x, y, w, SERIF, 13, false, LEFT, true, buf);
    y += 8;
    struct eseal_buf body;
    eseal_buf_init(&body);
    eseal_buf_appendf(
        &body,
        "　　因工作需要，我单位%s（统一社会信用代码：%s）现申请办理政务电子印章业务（%s），"
        "共 %zu 枚，其中单位印章 %ld 枚、个人印章 %ld 枚、设备（服务器）印章 "
        "%ld 枚。%s\n",
        or_empty(s->applicant.name), or_empty(s->applicant.uscc), business, s->n_forms,
        counts[ESEAL_KIND_UNIT], counts[ESEAL_KIND_PERSONAL], counts[ESEAL_KIND_DEVICE],
        s->n_forms > 1 ? "详见所附申请表及汇总表。" : "详见所附申请表。");
    for (size_t i = 0; i < s->n_forms && i < 30; i++) {
        const struct eseal_form *f = &s->forms[i];
        eseal_buf_appendf(&body, "　　%zu. %s（%s，%s）\n", i + 1, or_empty(f->seal.name),
                          label_zh(ESEAL_ENUM_SEAL_KIND, (int)f->kind),
                          label_zh(ESEAL_ENUM_FUNCTION, (int)f->seal.function));
    }
    if (s->n_forms > 30)
        eseal_buf_appendf(&body, "　　……（其余 %zu 枚见汇总表）\n", s->n_forms - 30);
    const struct eseal_agent *a = s->n_forms > 0 ? &s->forms[0].agent : NULL;
    eseal_buf_appendf(&body, "　　联系人：%s　　联系电话：%s\n　　特此函告。",
                      a != NULL && a->name != NULL ? a->name : "　　　　",
                      a != NULL && a->mobile != NULL ? a->mobile : "　　　　");
    eseal_buf_append(&body, "", 1);
    y += text(&p, x, y, w, SERIF, 12, false, LEFT, true, (const char *)body.data);
    eseal_buf_cleanup(&body);
    y += 36;
    snprintf(buf, sizeof(buf), "%s（盖章）\n负责人签字：　　　　　　\n　　　　年　　月　　日",
             or_empty(s->applicant.name));
    text(&p, x, y, w, SERIF, 12, false, RIGHT, true, buf);
    return pdf_end(&p, err);
}

/* ---- the blank templates ---- */

static void introduction(struct pdf *p)
{
    double x = 25 * MM, w = A4_W - 50 * MM, y = 22 * MM;
    /* the stub the unit keeps, then the letter itself, cut along the line */
    y += text(p, x, y, w, SERIF, 16, true, CENTER, true, "介 绍 信（存根）");
    y += 10;
    y += text(p, x, y, w, SERIF, 12, false, LEFT, true,
              "　　兹介绍　　　　　　同志（身份证号码：　　　　　　　　　　　　　　）"
              "前往福建省经济信息中心办理政务电子印章领取事宜。\n"
              "　　　　　　　　　　　　　　　　　　　　　　　　　　　　年　　月　　日");
    y += 24;
    double dash[] = {4.0, 3.0};
    cairo_set_dash(p->cr, dash, 2, 0);
    cairo_move_to(p->cr, x, y);
    cairo_line_to(p->cr, x + w, y);
    cairo_stroke(p->cr);
    cairo_set_dash(p->cr, NULL, 0, 0);
    text(p, x, y + 2, w, SANS, 8, false, CENTER, true, "（骑缝处加盖单位公章）");
    y += 30;
    y += text(p, x, y, w, SERIF, 20, true, CENTER, true, "介　绍　信");
    y += 16;
    y += text(p, x, y, w, SERIF, 13, false, LEFT, true, "福建省经济信息中心：");
    y += 8;
    y += text(p, x, y, w, SERIF, 13, false, LEFT, true,
              "　　兹介绍我单位　　　　　　同志（身份证号码：　　　　　　　　　　　　　　　）"
              "前往贵单位办理政务电子印章领取事宜，所领取印章为："
              "　　　　　　　　　　　　　　　　　　（印章名称），请予接洽。\n"
              "　　附：领取人身份证复印件（加盖单位公章）\n"
              "　　此致\n敬礼");
    y += 40;
    text(p, x, y, w, SERIF, 13, false, RIGHT, true,
         "单位名称（盖章）：　　　　　　　　　　\n　　　　年　　月　　日\n（有效期　　天）");
    text(p, x, p->h - 40 * MM, w, SANS, 8, false, LEFT, true,
         "注：介绍信所列领取人须与实际领取人一致，领取时须出示本人身份证原件。");
}

static void idcopy(struct pdf *p)
{
    double x = 25 * MM, w = A4_W - 50 * MM, y = 22 * MM;
    y += text(p, x, y, w, SERIF, 18, true, CENTER, true, "身份证复印件粘贴处");
    y += 16;
    /* an ID card is 85.6 mm × 54 mm: boxes a little larger */
    double bw = 96 * MM, bh = 62 * MM, bx = (A4_W - bw) / 2;
    const char *sides[] = {"身份证人像面粘贴处", "身份证国徽面粘贴处"};
    for (size_t i = 0; i < 2; i++) {
        double dash[] = {4.0, 3.0};
        cairo_set_dash(p->cr, dash, 2, 0);
        cairo_rectangle(p->cr, bx, y, bw, bh);
        cairo_stroke(p->cr);
        cairo_set_dash(p->cr, NULL, 0, 0);
        text(p, bx, y + bh / 2 - 8, bw, SANS, 11, false, CENTER, true, sides[i]);
        y += bh + 14;
    }
    y += text(p, x, y, w, SERIF, 12, false, LEFT, true,
              "　　本复印件仅用于办理政务电子印章领取，他用无效。\n"
              "　　领取人姓名：　　　　　　　　身份证号码：　　　　　　　　　　　　　　　");
    y += 24;
    text(p, x, y, w, SERIF, 12, false, RIGHT, true,
         "单位名称（盖章）：　　　　　　　　　　\n　　　　年　　月　　日");
}

eseal_rc eseal_print_template(const char *name, struct eseal_buf *out, struct eseal_err *err)
{
    bool intro = strcmp(name, "introduction") == 0;
    if (!intro && strcmp(name, "idcopy") != 0)
        return eseal_err_set(err, ESEAL_E_NOTFOUND,
                             "没有此模板 / no such template: %s (introduction, idcopy)", name);
    struct pdf p;
    pdf_begin(&p, out, false, intro ? "介绍信" : "身份证复印件粘贴处");
    if (intro)
        introduction(&p);
    else
        idcopy(&p);
    return pdf_end(&p, err);
}

/* ---- the summary table as xlsx ---- */

static eseal_rc xlsx_rc(lxw_error e, struct eseal_err *err)
{
    return e == LXW_NO_ERROR
               ? ESEAL_OK
               : eseal_err_set(err, ESEAL_E_INTERNAL,
                               "生成 xlsx 失败 / could not write the xlsx: %s", lxw_strerror(e));
}

eseal_rc eseal_print_summary_xlsx(const struct eseal_print_row *rows, size_t n, const char *unit,
                                  struct eseal_buf *out, struct eseal_err *err)
{
    if (n == 0 || n > ESEAL_PRINT_ROWS_MAX)
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "汇总表须有 1 至 %d 行 / a summary table has 1 to %d rows",
                             ESEAL_PRINT_ROWS_MAX, ESEAL_PRINT_ROWS_MAX);
    /* libxlsxwriter 1.1.4 writes only to a file: a private temporary one */
    const char *tmp = getenv("TMPDIR");
    char *path = eseal_xasprintf("%s/eseal-xlsx-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return eseal_err_set(err, ESEAL_E_IO, "无法创建临时文件 / cannot create a temporary file");
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    eseal_rc rc = ESEAL_OK;
    if (wb == NULL) {
        rc = eseal_err_set(err, ESEAL_E_INTERNAL, "生成 xlsx 失败 / could not start the xlsx");
        goto out;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, "汇总表");
    lxw_format *title = workbook_add_format(wb);
    format_set_bold(title);
    format_set_font_size(title, 14);
    format_set_align(title, LXW_ALIGN_CENTER);
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_border(head, LXW_BORDER_THIN);
    format_set_text_wrap(head);
    format_set_align(head, LXW_ALIGN_CENTER);
    lxw_format *body = workbook_add_format(wb);
    format_set_border(body, LXW_BORDER_THIN);
    lxw_format *textual = workbook_add_format(wb);
    format_set_border(textual, LXW_BORDER_THIN);
    format_set_num_format(textual, "@"); /* codes and mobiles stay text */
    char t[512];
    snprintf(t, sizeof(t), "福建省政务电子印章申请汇总表（报送单位：%s）", or_empty(unit));
    worksheet_merge_range(ws, 0, 0, 0, PRINT_N_COLUMNS - 1, t, title);
    for (size_t c = 0; c < PRINT_N_COLUMNS; c++) {
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, print_columns[c].xlsx_width, NULL);
        worksheet_write_string(ws, 1, (lxw_col_t)c, print_columns[c].zh, head);
    }
    worksheet_freeze_panes(ws, 2, 0);
    for (size_t i = 0; i < n; i++) {
        lxw_row_t r = (lxw_row_t)(i + 2);
        for (size_t c = 0; c < PRINT_N_COLUMNS; c++) {
            char v[PRINT_CELL_MAX];
            print_cell_text(&rows[i], i, c, v, sizeof(v));
            enum print_col_kind k = print_columns[c].kind;
            if ((k == PRINT_COL_MM || k == PRINT_COL_INDEX) && v[0] != '\0')
                worksheet_write_number(ws, r, (lxw_col_t)c, strtod(v, NULL), body);
            else
                worksheet_write_string(ws, r, (lxw_col_t)c, v, textual);
        }
    }
    rc = xlsx_rc(workbook_close(wb), err);
    if (rc == ESEAL_OK)
        rc = eseal_file_read(out, path, ESEAL_PRINT_XLSX_MAX, err);
out:
    unlink(path);
    free(path);
    return rc;
}
