/* test_print.c — the printables: every PDF is valid for poppler (pdfinfo),
 * holds the entered text (pdftotext) and embeds its fonts (pdffonts); the
 * summary xlsx reads back clean, a changed field is named by row and
 * column, and hostile sheets are refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eseal/buf.h"
#include "eseal/zip.h"
#include "example.h"
#include "form.h"
#include "print.h"
#include "testutil.h"

static struct eseal_submission *example(void)
{
    struct eseal_submission *s = NULL;
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_submission_parse(&s, example_submission, strlen(example_submission), &err) !=
        ESEAL_OK)
        fail_msg("parse: %s", err.msg);
    return s;
}

/* run runs |cmd| on the file |path| and returns its standard output. */
static char *run(const char *cmd, const char *path)
{
    char *line = eseal_xasprintf("%s '%s' 2>&1", cmd, path);
    FILE *f = popen(line, "r");
    assert_non_null(f);
    struct eseal_buf b;
    eseal_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        eseal_buf_append(&b, chunk, n);
    int st = pclose(f);
    eseal_buf_append(&b, "", 1);
    if (st != 0)
        fail_msg("%s failed: %s", line, (char *)b.data);
    free(line);
    return (char *)eseal_buf_steal(&b, NULL);
}

/* check_pdf writes |pdf| to a file and checks it with poppler: valid, with
 * |pages| pages, text containing each of |want| (NULL-ended), fonts embedded. */
static void check_pdf(const struct eseal_buf *pdf, int pages, const char *const *want)
{
    char *dir = tu_tmpdir();
    char *path = eseal_xasprintf("%s/x.pdf", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(pdf->data, 1, pdf->len, f), pdf->len);
    fclose(f);
    char *info = run("pdfinfo", path);
    const char *pl = strstr(info, "Pages:");
    if (pl == NULL || strtol(pl + 6, NULL, 10) != pages)
        fail_msg("pdfinfo: want %d pages: %s", pages, info);
    assert_non_null(strstr(info, "A4"));
    char *txt = run("pdftotext -layout", path);
    free(txt);
    char *cmd = eseal_xasprintf("pdftotext '%s' - | tr -d ' \\n' ; echo", path);
    FILE *p = popen(cmd, "r");
    struct eseal_buf b;
    eseal_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
        eseal_buf_append(&b, chunk, n);
    pclose(p);
    eseal_buf_append(&b, "", 1);
    for (size_t i = 0; want[i] != NULL; i++)
        if (strstr((char *)b.data, want[i]) == NULL)
            fail_msg("pdftotext lacks %s: %s", want[i], (char *)b.data);
    eseal_buf_cleanup(&b);
    free(cmd);
    /* every font embedded: pdffonts' "emb" column says yes on each line */
    char *fonts = run("pdffonts", path);
    assert_non_null(strstr(fonts, "NotoSansCJK"));
    char *line = strstr(fonts, "\n---");
    assert_non_null(line);
    for (line = strchr(line + 1, '\n'); line != NULL && line[1] != '\0';
         line = strchr(line + 1, '\n'))
        if (strstr(line, " yes ") == NULL)
            fail_msg("a font not embedded: %s", fonts);
    free(fonts);
    free(info);
    tu_rmtree(dir);
    free(path);
    free(dir);
}

static void test_forms(void **state)
{
    (void)state;
    struct eseal_submission *s = example();
    struct eseal_buf pdf;
    eseal_buf_init(&pdf);
    struct eseal_err err;
    assert_int_equal(eseal_print_forms(s, &pdf, &err), ESEAL_OK);
    static const char *const want[] = {"福建省政务电子印章申请表",
                                       "福州市鼓楼区测试局",
                                       "91350100M000100Y43",
                                       "张三",
                                       "鼓楼区",
                                       "实物印章印模",
                                       NULL};
    check_pdf(&pdf, 2, want);
    eseal_buf_cleanup(&pdf);
    eseal_submission_free(s);
}

static void test_summary_letter(void **state)
{
    (void)state;
    struct eseal_submission *s = example();
    struct eseal_print_row rows[2] = {{s, &s->forms[0]}, {s, &s->forms[1]}};
    struct eseal_buf pdf;
    eseal_buf_init(&pdf);
    struct eseal_err err;
    assert_int_equal(eseal_print_summary_pdf(rows, 2, s->applicant.name, &pdf, &err), ESEAL_OK);
    static const char *const sum[] = {"申请汇总表", "福州市鼓楼区测试局", "个人签名", NULL};
    check_pdf(&pdf, 1, sum);
    eseal_buf_reset(&pdf);
    assert_int_equal(eseal_print_letter(s, &pdf, &err), ESEAL_OK);
    static const char *const letter[] = {"福建省经济信息中心", "鼓测〔2026〕1号",
                                         "福州市鼓楼区测试局", "共2枚", NULL};
    check_pdf(&pdf, 1, letter);
    eseal_buf_cleanup(&pdf);
    eseal_submission_free(s);
}

static void test_templates(void **state)
{
    (void)state;
    struct eseal_buf pdf;
    eseal_buf_init(&pdf);
    struct eseal_err err;
    assert_int_equal(eseal_print_template("introduction", &pdf, &err), ESEAL_OK);
    static const char *const intro[] = {"介绍信", "福建省经济信息中心", NULL};
    check_pdf(&pdf, 1, intro);
    eseal_buf_reset(&pdf);
    assert_int_equal(eseal_print_template("idcopy", &pdf, &err), ESEAL_OK);
    static const char *const id[] = {"身份证复印件粘贴处", "国徽面", NULL};
    check_pdf(&pdf, 1, id);
    eseal_buf_reset(&pdf);
    assert_int_equal(eseal_print_template("../x", &pdf, &err), ESEAL_E_NOTFOUND);
    eseal_buf_cleanup(&pdf);
}

static json_t *check(const struct eseal_print_row *rows, size_t n, const struct eseal_buf *x)
{
    json_t *d = NULL;
    struct eseal_err err;
    eseal_err_clear(&err);
    if (eseal_print_summary_check(rows, n, x->data, x->len, &d, &err) != ESEAL_OK)
        fail_msg("check: %s", err.msg);
    return d;
}

static void test_xlsx_round_trip(void **state)
{
    (void)state;
    struct eseal_submission *s = example();
    struct eseal_print_row rows[2] = {{s, &s->forms[0]}, {s, &s->forms[1]}};
    struct eseal_buf x;
    eseal_buf_init(&x);
    struct eseal_err err;
    assert_int_equal(eseal_print_summary_xlsx(rows, 2, "测试", &x, &err), ESEAL_OK);
    assert_int_equal(eseal_content_detect(x.data, x.len), ESEAL_CONTENT_XLSX);
    json_t *d = check(rows, 2, &x);
    assert_int_equal(json_array_size(d), 0);
    json_decref(d);

    /* the form changes after the sheet was made: row 4 (the second form),
     * column D (seal name) and I (height) are named */
    free(s->forms[1].seal.name);
    s->forms[1].seal.name = eseal_xstrdup("李四");
    s->forms[1].seal.height_mm = 12.5;
    d = check(rows, 2, &x);
    assert_int_equal(json_array_size(d), 2);
    json_t *e = json_array_get(d, 0);
    assert_int_equal(json_integer_value(json_object_get(e, "row")), 4);
    assert_string_equal(json_string_value(json_object_get(e, "column")), "D");
    assert_string_equal(json_string_value(json_object_get(e, "field")), "seal_name");
    assert_string_equal(json_string_value(json_object_get(e, "sheet")), "张三");
    assert_string_equal(json_string_value(json_object_get(e, "form")), "李四");
    assert_non_null(strstr(json_string_value(json_object_get(e, "message")),
                           "第 4 行 D 列（印章名称）：表格为“张三”，申请表为“李四”"));
    e = json_array_get(d, 1);
    assert_string_equal(json_string_value(json_object_get(e, "column")), "I");
    assert_string_equal(json_string_value(json_object_get(e, "form")), "12.5");
    json_decref(d);

    /* one form fewer than the sheet's rows: row 4 is extra */
    d = check(rows, 1, &x);
    assert_int_equal(json_array_size(d), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "field")), "row");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(d, 0), "row")), 4);
    json_decref(d);
    eseal_buf_cleanup(&x);
    eseal_submission_free(s);
}

/* make_xlsx builds a package by hand around the worksheet |sheet|, with
 * |workbook| as xl/workbook.xml (NULL: a plain one). */
static void make_xlsx(struct eseal_buf *out, const char *workbook, const char *sheet)
{
    static const char types[] =
        "<?xml version=\"1.0\"?><Types "
        "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";
    static const char wb[] =
        "<?xml version=\"1.0\"?><workbook "
        "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
        "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
        "<sheets><sheet name=\"s\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
    static const char rels[] =
        "<?xml version=\"1.0\"?><Relationships "
        "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\" Type=\"ws\"/>"
        "</Relationships>";
    struct eseal_zip_writer *w = eseal_zip_writer_new();
    struct eseal_err err;
    const char *wbx = workbook != NULL ? workbook : wb;
    assert_int_equal(eseal_zip_writer_add(w, "[Content_Types].xml", (const uint8_t *)types,
                                          strlen(types), false, &err),
                     ESEAL_OK);
    assert_int_equal(
        eseal_zip_writer_add(w, "xl/workbook.xml", (const uint8_t *)wbx, strlen(wbx), false, &err),
        ESEAL_OK);
    assert_int_equal(eseal_zip_writer_add(w, "xl/_rels/workbook.xml.rels", (const uint8_t *)rels,
                                          strlen(rels), false, &err),
                     ESEAL_OK);
    assert_int_equal(eseal_zip_writer_add(w, "xl/worksheets/sheet1.xml", (const uint8_t *)sheet,
                                          strlen(sheet), false, &err),
                     ESEAL_OK);
    assert_int_equal(eseal_zip_writer_finish(w, out, &err), ESEAL_OK);
    eseal_zip_writer_free(w);
}

#define IS(ref, s) "<c r=\"" ref "\" t=\"inlineStr\"><is><t>" s "</t></is></c>"
#define NUM(ref, v) "<c r=\"" ref "\"><v>" v "</v></c>"

static void test_xlsx_inline(void **state)
{
    (void)state;
    /* another program's sheet: inline strings, numbers, keys for enums,
     * a note beyond the table's columns, blanks around a name */
    static const char sheet[] =
        "<?xml version=\"1.0\"?><worksheet "
        "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
        "<row r=\"1\">" IS(
            "A1", "序号") "</row>"
                          "<row r=\"2\">" NUM("A2", "1") IS("B2", " 福州市鼓楼区测试局 ")
                              IS("C2", "91350100M000100Y43") IS("D2", "福州市鼓楼区测试局")
                                  IS("E2", "unit") IS("F2", "公章") IS("G2", "USB KEY 证书")
                                      NUM("H2", "42") NUM("I2", "42.0") IS("L2", "李四")
                                          IS("M2", "13800000000")
                                              IS("Q2", "备注") "</row>"
                                                               "</sheetData></worksheet>";
    struct eseal_submission *s = example();
    struct eseal_print_row rows[1] = {{s, &s->forms[0]}};
    struct eseal_buf x;
    eseal_buf_init(&x);
    make_xlsx(&x, NULL, sheet);
    json_t *d = check(rows, 1, &x);
    if (json_array_size(d) != 0) {
        char *t = json_dumps(d, 0);
        fail_msg("differences: %s", t);
    }
    json_decref(d);
    eseal_buf_cleanup(&x);
    eseal_submission_free(s);
}

/* a cell far longer than any field: the difference is still reported, its
 * text cut at a character so that it stays UTF-8 */
static void test_xlsx_long_cell(void **state)
{
    (void)state;
    struct eseal_buf sheet;
    eseal_buf_init(&sheet);
    eseal_buf_append_str(
        &sheet, "<worksheet><sheetData><row r=\"1\">" IS(
                    "A1", "序号") "</row><row r=\"2\"><c r=\"D2\" t=\"inlineStr\"><is><t>x");
    for (int i = 0; i < 400; i++)
        eseal_buf_append_str(&sheet, "章");
    eseal_buf_append_str(&sheet, "</t></is></c></row></sheetData></worksheet>");
    eseal_buf_append(&sheet, "", 1);
    struct eseal_submission *s = example();
    struct eseal_print_row rows[1] = {{s, &s->forms[0]}};
    struct eseal_buf x;
    eseal_buf_init(&x);
    make_xlsx(&x, NULL, (const char *)sheet.data);
    json_t *d = check(rows, 1, &x);
    json_t *e = NULL;
    size_t i;
    json_array_foreach(d, i, e) if (strcmp(json_string_value(json_object_get(e, "column")), "D") ==
                                    0) break;
    assert_string_equal(json_string_value(json_object_get(e, "column")), "D");
    const char *got = json_string_value(json_object_get(e, "sheet"));
    assert_non_null(got);
    assert_true(strlen(got) < 512 && strlen(got) > 400);
    assert_non_null(json_string_value(json_object_get(e, "message")));
    json_decref(d);
    eseal_buf_cleanup(&x);
    eseal_buf_cleanup(&sheet);
    eseal_submission_free(s);
}

static void check_refused(const struct eseal_buf *x, eseal_rc want, const char *needle)
{
    struct eseal_submission *s = example();
    struct eseal_print_row rows[1] = {{s, &s->forms[0]}};
    json_t *d = NULL;
    struct eseal_err err;
    eseal_err_clear(&err);
    assert_int_equal(eseal_print_summary_check(rows, 1, x->data, x->len, &d, &err), want);
    assert_null(d);
    if (strstr(err.msg, needle) == NULL)
        fail_msg("message lacks %s: %s", needle, err.msg);
    eseal_submission_free(s);
}

static void test_xlsx_hostile(void **state)
{
    (void)state;
    struct eseal_buf x;
    eseal_buf_init(&x);
    /* not a zip */
    eseal_buf_append_str(&x, "序号,单位名称\n1,x\n");
    check_refused(&x, ESEAL_E_INVALID, "zip");
    eseal_buf_reset(&x);

    /* a DTD (billion laughs) in the workbook */
    make_xlsx(&x,
              "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaa\"><!ENTITY b "
              "\"&a;&a;&a;&a;\">]><workbook><sheets><sheet r:id=\"rId1\" "
              "xmlns:r=\"urn:r\"/></sheets>&b;</workbook>",
              "<worksheet/>");
    check_refused(&x, ESEAL_E_INVALID, "DTD");
    eseal_buf_reset(&x);

    /* a zip bomb: 9 MiB of zeros that deflate to a few kilobytes */
    size_t big = 9u * 1024 * 1024;
    uint8_t *zeros = eseal_xcalloc(big, 1);
    struct eseal_zip_writer *w = eseal_zip_writer_new();
    struct eseal_err err;
    assert_int_equal(eseal_zip_writer_add(w, "xl/worksheets/sheet1.xml", zeros, big, false, &err),
                     ESEAL_OK);
    assert_int_equal(eseal_zip_writer_finish(w, &x, &err), ESEAL_OK);
    eseal_zip_writer_free(w);
    free(zeros);
    assert_true(x.len < 100 * 1024);
    check_refused(&x, ESEAL_E_TOOBIG, "");
    eseal_buf_reset(&x);

    /* a huge sheet: a row far beyond any summary table */
    make_xlsx(&x, NULL,
              "<worksheet><sheetData><row r=\"1\">" IS("A1", "序号") "</row><row r=\"900000\">" NUM(
                  "A900000", "1") "</row></sheetData></worksheet>");
    check_refused(&x, ESEAL_E_TOOBIG, "rows");
    eseal_buf_reset(&x);

    /* a shared string that is not there */
    make_xlsx(&x, NULL,
              "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" "
              "t=\"s\"><v>7</v></c></row></sheetData></worksheet>");
    check_refused(&x, ESEAL_E_INVALID, "shared string");
    eseal_buf_reset(&x);

    /* no heading row */
    make_xlsx(&x, NULL,
              "<worksheet><sheetData><row r=\"1\">" IS("A1", "x") "</row></sheetData></worksheet>");
    check_refused(&x, ESEAL_E_INVALID, "序号");
    eseal_buf_cleanup(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),          cmocka_unit_test(test_summary_letter),
        cmocka_unit_test(test_templates),      cmocka_unit_test(test_xlsx_round_trip),
        cmocka_unit_test(test_xlsx_inline),    cmocka_unit_test(test_xlsx_hostile),
        cmocka_unit_test(test_xlsx_long_cell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
