/* test_pkg.c — the zip and XML adapters (zip.h, xml.h): a written package
 * reads back entry for entry; names are resolved and refused by the
 * zip-slip rules; XML with a DTD, an undeclared entity or too deep nesting
 * is refused naming the rule, and the writer escapes text. The hostile
 * packages themselves are tests/interop/ofd_verify.sh. */
#include <stdlib.h>
#include <string.h>

#include "eseal/xml.h"
#include "eseal/zip.h"
#include "testutil.h"

static void test_zip_round_trip(void **state)
{
    (void)state;
    struct eseal_zip_writer *w = eseal_zip_writer_new();
    assert_int_equal(eseal_zip_writer_add(w, "b/two.txt", (const uint8_t *)"two", 3, false, NULL),
                     ESEAL_OK);
    assert_int_equal(eseal_zip_writer_add(w, "one.txt", (const uint8_t *)"one", 3, true, NULL),
                     ESEAL_OK);
    assert_int_equal(eseal_zip_writer_add(w, "empty", (const uint8_t *)"", 0, false, NULL),
                     ESEAL_OK);
    struct eseal_err err;
    assert_int_equal(eseal_zip_writer_add(w, "../up", (const uint8_t *)"x", 1, false, &err),
                     ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "zip-slip"));
    struct eseal_buf z;
    eseal_buf_init(&z);
    assert_int_equal(eseal_zip_writer_finish(w, &z, NULL), ESEAL_OK);
    eseal_zip_writer_free(w);

    struct eseal_zip *r = NULL;
    assert_int_equal(eseal_zip_open(&r, z.data, z.len, NULL, NULL), ESEAL_OK);
    assert_int_equal(eseal_zip_count(r), 3);
    assert_string_equal(eseal_zip_name(r, 0), "b/two.txt"); /* sorted */
    const uint8_t *d = NULL;
    size_t len = 0;
    assert_int_equal(eseal_zip_get(r, "one.txt", &d, &len, NULL), ESEAL_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(d, "one", 3);
    assert_int_equal(eseal_zip_get(r, "empty", &d, &len, NULL), ESEAL_OK);
    assert_int_equal(len, 0);
    assert_int_equal(eseal_zip_get(r, "missing", &d, &len, NULL), ESEAL_E_NOTFOUND);
    eseal_zip_free(r);

    /* the limits: entries and declared size, before anything is expanded */
    struct eseal_zip_limits few = {2, ESEAL_ZIP_MAX_ENTRY, ESEAL_ZIP_MAX_TOTAL};
    assert_int_equal(eseal_zip_open(&r, z.data, z.len, &few, &err), ESEAL_E_TOOBIG);
    struct eseal_zip_limits small = {10, 2, ESEAL_ZIP_MAX_TOTAL};
    assert_int_equal(eseal_zip_open(&r, z.data, z.len, &small, &err), ESEAL_E_TOOBIG);
    struct eseal_zip_limits total = {10, 10, 5};
    assert_int_equal(eseal_zip_open(&r, z.data, z.len, &total, &err), ESEAL_E_TOOBIG);
    assert_non_null(strstr(err.msg, "zip bomb"));
    /* truncated: never a package */
    for (size_t cut = 0; cut < z.len; cut += 7)
        assert_int_not_equal(eseal_zip_open(&r, z.data, cut, NULL, NULL), ESEAL_OK);
    eseal_buf_cleanup(&z);
}

static void test_resolve(void **state)
{
    (void)state;
    static const struct {
        const char *dir, *ref, *want;
    } cases[] = {
        {"Doc_0", "Pages/Page_0/Content.xml", "Doc_0/Pages/Page_0/Content.xml"},
        {"Doc_0/Signs", "/Doc_0/Signs/Sign_0/Signature.xml", "Doc_0/Signs/Sign_0/Signature.xml"},
        {"Doc_0/Signs", "../Document.xml", "Doc_0/Document.xml"},
        {"", "./OFD.xml", "OFD.xml"},
        {"", " Doc_0/Document.xml\n", "Doc_0/Document.xml"},
        {"Doc_0", "../../etc/passwd", NULL},
        {"", "/", NULL},
        {"", "", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = eseal_zip_resolve(cases[i].dir, cases[i].ref);
        if (cases[i].want == NULL)
            assert_null(got);
        else
            assert_string_equal(got, cases[i].want);
        free(got);
    }
    assert_null(eseal_zip_resolve("", NULL));
    char *d = eseal_zip_dir("Doc_0/Signs/Signatures.xml");
    assert_string_equal(d, "Doc_0/Signs");
    free(d);
    d = eseal_zip_dir("OFD.xml");
    assert_string_equal(d, "");
    free(d);
}

static eseal_rc parse(const char *text, struct eseal_xml **x, struct eseal_err *err)
{
    return eseal_xml_parse(x, (const uint8_t *)text, strlen(text), "t.xml", err);
}

static void test_xml_parse(void **state)
{
    (void)state;
    struct eseal_xml *x = NULL;
    assert_int_equal(parse("<?xml version=\"1.0\"?><o:R xmlns:o=\"urn:x\" a=\"1 &amp; 2\">"
                           "<o:C>t<![CDATA[u]]>&lt;</o:C><o:C ID=\"2\"/></o:R>",
                           &x, NULL),
                     ESEAL_OK);
    const struct eseal_xml_node *r = eseal_xml_root(x);
    assert_string_equal(r->name, "R");
    assert_string_equal(r->ns, "urn:x");
    assert_string_equal(eseal_xml_attr(r, "a"), "1 & 2");
    assert_int_equal(r->n_children, 2);
    assert_string_equal(eseal_xml_text_of(r, "C"), "tu<");
    assert_string_equal(eseal_xml_attr(&r->children[1], "ID"), "2");
    assert_null(eseal_xml_child(r, "D"));
    eseal_xml_free(x);
}

static void test_xml_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *xml, *rule;
    } bad[] = {
        {"<!DOCTYPE r><r/>", "document type declaration"},
        {"<!DOCTYPE r [<!ENTITY e \"x\">]><r>&e;</r>", "document type declaration"},
        {"<!DOCTYPE r SYSTEM \"http://127.0.0.1:1/x.dtd\"><r/>", "document type declaration"},
        {"<r>&e;</r>", "not well-formed"},
        {"<r><a></r>", "not well-formed"},
        {"", "not well-formed"},
    };
    struct eseal_err err;
    struct eseal_xml *x = NULL;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        eseal_err_clear(&err);
        assert_int_equal(parse(bad[i].xml, &x, &err), ESEAL_E_INVALID);
        assert_null(x);
        assert_non_null(strstr(err.msg, bad[i].rule));
    }
    struct eseal_buf deep;
    eseal_buf_init(&deep);
    for (int i = 0; i < ESEAL_XML_DEPTH + 1; i++)
        eseal_buf_append_str(&deep, "<a>");
    for (int i = 0; i < ESEAL_XML_DEPTH + 1; i++)
        eseal_buf_append_str(&deep, "</a>");
    assert_int_equal(parse((const char *)deep.data, &x, &err), ESEAL_E_INVALID);
    assert_non_null(strstr(err.msg, "deeper than"));
    eseal_buf_cleanup(&deep);
}

static void test_xml_writer(void **state)
{
    (void)state;
    struct eseal_xml_writer *w = eseal_xml_writer_new();
    eseal_xml_start(w, "ofd:R", "urn:x");
    eseal_xml_attr_add(w, "A", "\"<&>\"");
    eseal_xml_element(w, "ofd:T", "a<b&c");
    struct eseal_buf b;
    eseal_buf_init(&b);
    assert_int_equal(eseal_xml_writer_finish(w, &b, NULL), ESEAL_OK);
    eseal_xml_writer_free(w);
    struct eseal_xml *x = NULL;
    assert_int_equal(eseal_xml_parse(&x, b.data, b.len, "w.xml", NULL), ESEAL_OK);
    assert_string_equal(eseal_xml_attr(eseal_xml_root(x), "A"), "\"<&>\"");
    assert_string_equal(eseal_xml_text_of(eseal_xml_root(x), "T"), "a<b&c");
    assert_string_equal(eseal_xml_root(x)->ns, "urn:x");
    eseal_xml_free(x);
    eseal_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zip_round_trip), cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_xml_parse),      cmocka_unit_test(test_xml_refusals),
        cmocka_unit_test(test_xml_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
