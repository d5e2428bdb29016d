/* print_xlsx.c — reading an uploaded summary sheet (xlsx: a zip of XML
 * parts) through core/zip.c and core/xml.c, and checking it against the
 * forms cell by cell. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/xml.h"
#include "eseal/zip.h"
#include "print_internal.h"

/* Rows a sheet may use: the data rows and a few above them (title, heading). */
#define SHEET_ROWS (ESEAL_PRINT_ROWS_MAX + 16)

/* struct sheet is the text of the first sheet's columns A.. (the summary
 * table's), by row: cells[row * PRINT_N_COLUMNS + col], NULL when empty. */
struct sheet {
    char **cells;
    size_t n_rows; /* rows used: 1 + the last row with a cell */
    char **shared; /* the shared strings */
    size_t n_shared;
};

static void sheet_cleanup(struct sheet *s)
{
    for (size_t i = 0; s->cells != NULL && i < SHEET_ROWS * PRINT_N_COLUMNS; i++)
        free(s->cells[i]);
    free(s->cells);
    for (size_t i = 0; i < s->n_shared; i++)
        free(s->shared[i]);
    free(s->shared);
}

/* rich_text concatenates the text of a <si> or <is>: its <t>, or the <t>
 * of each run <r>. */
static char *rich_text(const struct eseal_xml_node *n)
{
    struct eseal_buf b;
    eseal_buf_init(&b);
    for (size_t i = 0; i < n->n_children; i++) {
        const struct eseal_xml_node *c = &n->children[i];
        if (strcmp(c->name, "t") == 0)
            eseal_buf_append_str(&b, c->text);
        else if (strcmp(c->name, "r") == 0)
            eseal_buf_append_str(&b, eseal_xml_text_of(c, "t") != NULL ? eseal_xml_text_of(c, "t")
                                                                       : "");
    }
    eseal_buf_append(&b, "", 1);
    return (char *)eseal_buf_steal(&b, NULL);
}

/* part parses the package part |name|; a missing one is ESEAL_E_INVALID
 * unless |optional| (then *out stays NULL). */
static eseal_rc part(struct eseal_zip *z, const char *name, bool optional, struct eseal_xml **out,
                     struct eseal_err *err)
{
    const uint8_t *data;
    size_t len;
    *out = NULL;
    eseal_rc rc = eseal_zip_get(z, name, &data, &len, err);
    if (rc == ESEAL_E_NOTFOUND) {
        if (optional)
            return ESEAL_OK;
        return eseal_err_set(err, ESEAL_E_INVALID, "不是 xlsx 文件：缺少 %s / not an xlsx: no %s",
                             name, name);
    }
    if (rc != ESEAL_OK)
        return rc;
    return eseal_xml_parse(out, data, len, name, err);
}

/* first_sheet finds the package name of the workbook's first sheet
 * through xl/workbook.xml and its relationships. Free() it. */
static eseal_rc first_sheet(struct eseal_zip *z, char **out, struct eseal_err *err)
{
    struct eseal_xml *wb = NULL, *rels = NULL;
    *out = NULL;
    eseal_rc rc = part(z, "xl/workbook.xml", false, &wb, err);
    if (rc == ESEAL_OK)
        rc = part(z, "xl/_rels/workbook.xml.rels", false, &rels, err);
    if (rc != ESEAL_OK)
        goto out;
    const struct eseal_xml_node *sheets = eseal_xml_child(eseal_xml_root(wb), "sheets");
    const struct eseal_xml_node *sheet = sheets != NULL ? eseal_xml_child(sheets, "sheet") : NULL;
    const char *rid = sheet != NULL ? eseal_xml_attr(sheet, "id") : NULL;
    const struct eseal_xml_node *r = eseal_xml_root(rels);
    for (size_t i = 0; rid != NULL && i < r->n_children; i++) {
        const char *id = eseal_xml_attr(&r->children[i], "Id");
        const char *target = eseal_xml_attr(&r->children[i], "Target");
        if (id != NULL && target != NULL && strcmp(id, rid) == 0) {
            *out = eseal_zip_resolve("xl", target);
            break;
        }
    }
    if (*out == NULL)
        rc = eseal_err_set(err, ESEAL_E_INVALID,
                           "xlsx 中找不到工作表 / the xlsx names no worksheet it holds");
out:
    eseal_xml_free(wb);
    eseal_xml_free(rels);
    return rc;
}

/* cell_ref reads "D3" into a zero-based column and row; false if it is not
 * a cell reference. */
static bool cell_ref(const char *ref, size_t *col, size_t *row)
{
    size_t c = 0, r = 0, i = 0;
    for (; ref[i] >= 'A' && ref[i] <= 'Z'; i++) {
        if (i >= 3)
            return false;
        c = c * 26 + (size_t)(ref[i] - 'A' + 1);
    }
    if (i == 0 || ref[i] == '\0')
        return false;
    for (; ref[i] >= '0' && ref[i] <= '9'; i++) {
        if (r > 10000000)
            return false;
        r = r * 10 + (size_t)(ref[i] - '0');
    }
    if (ref[i] != '\0' || r == 0)
        return false;
    *col = c - 1;
    *row = r - 1;
    return true;
}

static eseal_rc read_shared(struct sheet *s, struct eseal_zip *z, struct eseal_err *err)
{
    struct eseal_xml *x = NULL;
    eseal_rc rc = part(z, "xl/sharedStrings.xml", true, &x, err);
    if (rc != ESEAL_OK || x == NULL)
        return rc;
    const struct eseal_xml_node *sst = eseal_xml_root(x);
    s->shared = eseal_xcalloc(sst->n_children + 1, sizeof(*s->shared));
    for (size_t i = 0; i < sst->n_children; i++)
        if (strcmp(sst->children[i].name, "si") == 0)
            s->shared[s->n_shared++] = rich_text(&sst->children[i]);
    eseal_xml_free(x);
    return ESEAL_OK;
}

/* cell_value returns the text of the cell |c| (new), or NULL for a shared
 * string index out of range. */
static char *cell_value(const struct sheet *s, const struct eseal_xml_node *c)
{
    const char *t = eseal_xml_attr(c, "t");
    const char *v = eseal_xml_text_of(c, "v");
    if (t != NULL && strcmp(t, "inlineStr") == 0) {
        const struct eseal_xml_node *is = eseal_xml_child(c, "is");
        return is != NULL ? rich_text(is) : eseal_xstrdup("");
    }
    if (t != NULL && strcmp(t, "s") == 0) {
        char *end;
        errno = 0;
        unsigned long k = v != NULL ? strtoul(v, &end, 10) : 0;
        if (v == NULL || end == v || *end != '\0' || errno != 0 || k >= s->n_shared)
            return NULL;
        return eseal_xstrdup(s->shared[k]);
    }
    return eseal_xstrdup(v != NULL ? v : "");
}

static eseal_rc read_sheet(struct sheet *s, const uint8_t *data, size_t len, struct eseal_err *err)
{
    if (len > ESEAL_PRINT_XLSX_MAX)
        return eseal_err_set(err, ESEAL_E_TOOBIG,
                             "表格文件超过 %u 字节 / the sheet is over %u bytes",
                             ESEAL_PRINT_XLSX_MAX, ESEAL_PRINT_XLSX_MAX);
    const struct eseal_zip_limits limits = {.max_entries = 100,
                                            .max_entry = ESEAL_PRINT_XLSX_PART,
                                            .max_total = 4 * ESEAL_PRINT_XLSX_PART};
    struct eseal_zip *z = NULL;
    struct eseal_xml *x = NULL;
    char *name = NULL;
    eseal_rc rc = eseal_zip_open(&z, data, len, &limits, err);
    if (rc == ESEAL_OK)
        rc = first_sheet(z, &name, err);
    if (rc == ESEAL_OK)
        rc = read_shared(s, z, err);
    if (rc == ESEAL_OK)
        rc = part(z, name, false, &x, err);
    if (rc != ESEAL_OK)
        goto out;
    s->cells = eseal_xcalloc(SHEET_ROWS * PRINT_N_COLUMNS, sizeof(*s->cells));
    const struct eseal_xml_node *sd = eseal_xml_child(eseal_xml_root(x), "sheetData");
    size_t next_row = 0;
    for (size_t i = 0; sd != NULL && i < sd->n_children; i++) {
        const struct eseal_xml_node *row = &sd->children[i];
        if (strcmp(row->name, "row") != 0)
            continue;
        const char *rr = eseal_xml_attr(row, "r");
        size_t r = next_row;
        if (rr != NULL) {
            char *end;
            errno = 0;
            unsigned long v = strtoul(rr, &end, 10);
            if (end == rr || *end != '\0' || errno != 0 || v == 0 || v > SHEET_ROWS + 1) {
                rc = eseal_err_set(err, ESEAL_E_TOOBIG,
                                   "表格行数超过 %d / the sheet has more than %d rows", SHEET_ROWS,
                                   SHEET_ROWS);
                goto out;
            }
            r = (size_t)v - 1;
        }
        if (r >= SHEET_ROWS) {
            rc = eseal_err_set(err, ESEAL_E_TOOBIG,
                               "表格行数超过 %d / the sheet has more than %d rows", SHEET_ROWS,
                               SHEET_ROWS);
            goto out;
        }
        next_row = r + 1;
        size_t next_col = 0;
        for (size_t k = 0; k < row->n_children; k++) {
            const struct eseal_xml_node *c = &row->children[k];
            if (strcmp(c->name, "c") != 0)
                continue;
            size_t col = next_col, cr = r;
            const char *ref = eseal_xml_attr(c, "r");
            if (ref != NULL && (!cell_ref(ref, &col, &cr) || cr != r)) {
                rc = eseal_err_set(err, ESEAL_E_INVALID,
                                   "第 %zu 行的单元格位置有误 / row %zu: a bad cell reference",
                                   r + 1, r + 1);
                goto out;
            }
            next_col = col + 1;
            if (col >= PRINT_N_COLUMNS)
                continue; /* beyond the table: notes the unit added */
            char *v = cell_value(s, c);
            if (v == NULL) {
                rc = eseal_err_set(err, ESEAL_E_INVALID,
                                   "第 %zu 行：共享字符串编号有误 / row %zu: a bad shared string",
                                   r + 1, r + 1);
                goto out;
            }
            free(s->cells[r * PRINT_N_COLUMNS + col]);
            s->cells[r * PRINT_N_COLUMNS + col] = v;
            if (r + 1 > s->n_rows)
                s->n_rows = r + 1;
        }
    }
out:
    free(name);
    eseal_xml_free(x);
    eseal_zip_free(z);
    return rc;
}

/* trimmed copies |s| without its outer ASCII blanks into |out|, cut at a
 * character boundary when it does not fit (the text stays UTF-8). */
static void trimmed(const char *s, char *out, size_t out_len)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (n >= out_len) {
        n = out_len - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

/* same tells whether the sheet's |sheet| agrees with the form's |form| in
 * column |col|. */
static bool same(size_t col, const char *sheet, const char *form)
{
    switch (print_columns[col].kind) {
    case PRINT_COL_MM: {
        if (sheet[0] == '\0' || form[0] == '\0')
            return sheet[0] == '\0' && form[0] == '\0';
        char *end;
        double a = strtod(sheet, &end);
        return *end == '\0' && eseal_mm_tenths(a) == eseal_mm_tenths(strtod(form, NULL));
    }
    case PRINT_COL_ENUM: {
        static const enum eseal_enum which[] = {ESEAL_ENUM_SEAL_KIND, ESEAL_ENUM_FUNCTION,
                                                ESEAL_ENUM_CERT_TYPE};
        int v;
        const struct eseal_label *l;
        if (strcmp(sheet, form) == 0)
            return true;
        return eseal_form_enum_parse(which[col - 4], sheet, &v) &&
               (l = eseal_form_label(which[col - 4], v)) != NULL && strcmp(l->zh, form) == 0;
    }
    default:
        return strcmp(sheet, form) == 0;
    }
}

static void add_diff(json_t *diffs, size_t row, const char *column, const char *field,
                     const char *sheet, const char *form, const char *msg)
{
    json_array_append_new(diffs, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "row", (json_int_t)row,
                                           "column", column, "field", field, "sheet", sheet, "form",
                                           form, "message", msg));
}

eseal_rc eseal_print_summary_check(const struct eseal_print_row *rows, size_t n,
                                   const uint8_t *data, size_t len, json_t **diffs,
                                   struct eseal_err *err)
{
    struct sheet s = {0};
    *diffs = NULL;
    eseal_rc rc = read_sheet(&s, data, len, err);
    if (rc != ESEAL_OK) {
        sheet_cleanup(&s);
        return rc;
    }
    /* the data rows follow the heading row, whose column A reads 序号 */
    size_t first = SIZE_MAX;
    char a[64];
    for (size_t r = 0; r < s.n_rows && r < 16; r++) {
        trimmed(s.cells[r * PRINT_N_COLUMNS] != NULL ? s.cells[r * PRINT_N_COLUMNS] : "", a,
                sizeof(a));
        if (strcmp(a, print_columns[0].zh) == 0) {
            first = r + 1;
            break;
        }
    }
    if (first == SIZE_MAX) {
        sheet_cleanup(&s);
        return eseal_err_set(err, ESEAL_E_INVALID,
                             "表格中找不到表头（A 列为“序号”的行）/ no heading row (序号 in "
                             "column A) in the first 16 rows");
    }
    json_t *out = json_array();
    /* the last row with anything in it */
    size_t last = first;
    for (size_t r = first; r < s.n_rows; r++)
        for (size_t c = 0; c < PRINT_N_COLUMNS; c++) {
            char t[8];
            trimmed(s.cells[r * PRINT_N_COLUMNS + c] != NULL ? s.cells[r * PRINT_N_COLUMNS + c]
                                                             : "",
                    t, sizeof(t));
            if (t[0] != '\0')
                last = r + 1;
        }
    size_t n_sheet = last - first;
    for (size_t i = 0; i < n || i < n_sheet; i++) {
        size_t r = first + i; /* zero-based; people count from 1 */
        char msg[1024];
        if (i >= n_sheet || i >= n) {
            bool missing = i >= n_sheet;
            snprintf(msg, sizeof(msg),
                     missing ? "第 %zu 行：表格缺少此行，申请表共 %zu 份 / row %zu: missing from "
                               "the sheet, there are %zu forms"
                             : "第 %zu 行：表格多出此行，申请表共 %zu 份 / row %zu: extra in the "
                               "sheet, there are %zu forms",
                     r + 1, n, r + 1, n);
            add_diff(out, r + 1, "", "row", "", "", msg);
            continue;
        }
        for (size_t c = 1; c < PRINT_N_COLUMNS; c++) {
            char want[PRINT_CELL_MAX], got[PRINT_CELL_MAX];
            print_cell_text(&rows[i], i, c, want, sizeof(want));
            const char *cv = s.cells[r * PRINT_N_COLUMNS + c];
            trimmed(cv != NULL ? cv : "", got, sizeof(got));
            if (same(c, got, want))
                continue;
            char column[2] = {(char)('A' + c), '\0'};
            char *m = eseal_xasprintf(
                "第 %zu 行 %s 列（%s）：表格为“%s”，申请表为“%s” / row %zu column %s (%s): "
                "the sheet has \"%s\", the form \"%s\"",
                r + 1, column, print_columns[c].zh, got, want, r + 1, column, print_columns[c].en,
                got, want);
            add_diff(out, r + 1, column, print_columns[c].key, got, want, m);
            free(m);
        }
    }
    sheet_cleanup(&s);
    *diffs = out;
    return ESEAL_OK;
}
