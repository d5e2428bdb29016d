/* material.c — material kinds: size limits, accepted content types, and
 * content-type detection by magic bytes (declared in form.h). */
#include <string.h>

#include <openssl/x509.h>

#include "eseal/buf.h"
#include "eseal/pki.h"
#include "eseal/seal.h"
#include "eseal/zip.h"
#include "form.h"

#define MIB (1024u * 1024)
#define T(type) (1u << (type))
#define DOCUMENT (T(ESEAL_CONTENT_PDF) | T(ESEAL_CONTENT_OFD))
#define IMAGE (T(ESEAL_CONTENT_PNG) | T(ESEAL_CONTENT_JPEG))

struct material_rule {
    size_t max_len;
    unsigned types; /* bit (1 << content type) for each accepted type */
};

/* The letter is the formal document: PDF or OFD, as issued. Other documents
 * are often scans, so images are accepted too. The summary table is often
 * kept as a spreadsheet, so an xlsx workbook is accepted for it. The impression goes into
 * the seal as its picture, so the seal's picture limit applies. */
static const struct material_rule material_rules[] = {
    [ESEAL_MATERIAL_LETTER] = {20 * MIB, DOCUMENT},
    [ESEAL_MATERIAL_FORM] = {20 * MIB, DOCUMENT | IMAGE},
    [ESEAL_MATERIAL_SUMMARY_TABLE] = {20 * MIB, DOCUMENT | IMAGE | T(ESEAL_CONTENT_XLSX)},
    [ESEAL_MATERIAL_IMPRESSION] = {ESEAL_SEAL_PICTURE_MAX, IMAGE},
    [ESEAL_MATERIAL_CSR] = {ESEAL_PKI_MAX_INPUT, T(ESEAL_CONTENT_CSR_PEM) |
                                                     T(ESEAL_CONTENT_CSR_DER) |
                                                     T(ESEAL_CONTENT_CSR_BASE64)},
    [ESEAL_MATERIAL_JUSTIFICATION] = {20 * MIB, DOCUMENT | IMAGE},
    [ESEAL_MATERIAL_INTRODUCTION_LETTER] = {20 * MIB, DOCUMENT | IMAGE},
    [ESEAL_MATERIAL_ID_COPY] = {10 * MIB, T(ESEAL_CONTENT_PDF) | IMAGE},
};

_Static_assert(sizeof(material_rules) / sizeof(material_rules[0]) == ESEAL_MATERIAL_ID_COPY + 1,
               "a rule for every material kind");

static const struct material_rule *rule_of(enum eseal_material_kind kind)
{
    if (kind <= ESEAL_MATERIAL_NONE || kind > ESEAL_MATERIAL_ID_COPY)
        return NULL;
    return &material_rules[kind];
}

size_t eseal_material_max_len(enum eseal_material_kind kind)
{
    const struct material_rule *r = rule_of(kind);
    return r != NULL ? r->max_len : 0;
}

bool eseal_material_allows(enum eseal_material_kind kind, enum eseal_content_type type)
{
    const struct material_rule *r = rule_of(kind);
    if (r == NULL || type <= ESEAL_CONTENT_UNKNOWN || type > ESEAL_CONTENT_XLSX)
        return false;
    return (r->types & T(type)) != 0;
}

/* ---- detection ------------------------------------------------------------ */

static unsigned le16(const uint8_t *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static size_t le32(const uint8_t *p)
{
    return (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
}

#define ZIP_EOCD_LEN 22
#define ZIP_CDH_LEN 46

/* zip_eocd finds the end-of-central-directory record: it is the last thing
 * in the file, followed only by a comment of at most 65535 bytes. */
static const uint8_t *zip_eocd(const uint8_t *p, size_t n)
{
    if (n < ZIP_EOCD_LEN)
        return NULL;
    size_t lowest = n - ZIP_EOCD_LEN > 65535 ? n - ZIP_EOCD_LEN - 65535 : 0;
    for (size_t i = n - ZIP_EOCD_LEN + 1; i-- > lowest;)
        if (memcmp(p + i, "PK\x05\x06", 4) == 0 && i + ZIP_EOCD_LEN + le16(p + i + 20) == n)
            return p + i;
    return NULL;
}

/* is_ofd: a ZIP container whose central directory names "OFD.xml" at the
 * root (GB/T 33190 §7.1: the entry document). The central directory lists
 * every name uncompressed, so no decompression is needed. */
static bool is_ofd(const uint8_t *p, size_t n)
{
    if (n < 4 || memcmp(p, "PK\x03\x04", 4) != 0)
        return false;
    const uint8_t *eocd = zip_eocd(p, n);
    if (eocd == NULL)
        return false;
    unsigned entries = le16(eocd + 10);
    size_t at = le32(eocd + 16);
    for (unsigned i = 0; i < entries; i++) {
        if (at > n || n - at < ZIP_CDH_LEN || memcmp(p + at, "PK\x01\x02", 4) != 0)
            return false;
        size_t name_len = le16(p + at + 28);
        size_t rest = name_len + le16(p + at + 30) + le16(p + at + 32);
        if (n - at - ZIP_CDH_LEN < rest)
            return false;
        if (name_len == 7 && memcmp(p + at + ZIP_CDH_LEN, "OFD.xml", 7) == 0)
            return true;
        at += ZIP_CDH_LEN + rest;
    }
    return false;
}

/* is_xlsx: an Office Open XML workbook (ECMA-376 Part 2: the package's
 * [Content_Types].xml; SpreadsheetML's xl/workbook.xml), opened with the
 * same limits as any untrusted zip. Names only: nothing is expanded. */
static bool is_xlsx(const uint8_t *p, size_t n)
{
    if (n < 4 || memcmp(p, "PK\x03\x04", 4) != 0)
        return false;
    struct eseal_zip *z = NULL;
    if (eseal_zip_open(&z, p, n, NULL, NULL) != ESEAL_OK)
        return false;
    bool yes = eseal_zip_has(z, "[Content_Types].xml") && eseal_zip_has(z, "xl/workbook.xml");
    eseal_zip_free(z);
    return yes;
}

/* csr_type parses the bytes as a PKCS#10 request: a CSR is only a CSR if
 * OpenSSL can read it, whatever its first bytes say. */
static enum eseal_content_type csr_type(const uint8_t *p, size_t n)
{
    bool pem = memmem(p, n, "-----BEGIN ", 11) != NULL;
    X509_REQ *req = NULL;
    if (eseal_pki_req_parse(&req, p, n, NULL) != ESEAL_OK)
        return ESEAL_CONTENT_UNKNOWN;
    X509_REQ_free(req);
    return pem            ? ESEAL_CONTENT_CSR_PEM
           : p[0] == 0x30 ? ESEAL_CONTENT_CSR_DER
                          : ESEAL_CONTENT_CSR_BASE64;
}

enum eseal_content_type eseal_content_detect(const uint8_t *data, size_t len)
{
    if (data == NULL || len == 0)
        return ESEAL_CONTENT_UNKNOWN;
    if (len >= 5 && memcmp(data, "%PDF-", 5) == 0)
        return ESEAL_CONTENT_PDF;
    if (len >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0)
        return ESEAL_CONTENT_PNG;
    if (len >= 3 && memcmp(data, "\xff\xd8\xff", 3) == 0)
        return ESEAL_CONTENT_JPEG;
    if (is_ofd(data, len))
        return ESEAL_CONTENT_OFD;
    if (is_xlsx(data, len))
        return ESEAL_CONTENT_XLSX;
    if (len <= ESEAL_PKI_MAX_INPUT)
        return csr_type(data, len);
    return ESEAL_CONTENT_UNKNOWN;
}

const char *eseal_content_mime(enum eseal_content_type type)
{
    switch (type) {
    case ESEAL_CONTENT_PDF:
        return "application/pdf";
    case ESEAL_CONTENT_OFD:
        return "application/ofd";
    case ESEAL_CONTENT_PNG:
        return "image/png";
    case ESEAL_CONTENT_JPEG:
        return "image/jpeg";
    case ESEAL_CONTENT_CSR_PEM:
    case ESEAL_CONTENT_CSR_DER:
    case ESEAL_CONTENT_CSR_BASE64:
        return "application/pkcs10";
    case ESEAL_CONTENT_XLSX:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case ESEAL_CONTENT_UNKNOWN:
        break;
    }
    return "application/octet-stream";
}

/* accepted_list writes the labels of the types |kind| accepts, e.g. "PDF, OFD". */
static void accepted_list(struct eseal_buf *out, enum eseal_material_kind kind)
{
    for (int t = 1; t <= eseal_form_enum_count(ESEAL_ENUM_CONTENT_TYPE); t++)
        if (eseal_material_allows(kind, (enum eseal_content_type)t))
            eseal_buf_appendf(out, "%s%s", out->len > 0 ? ", " : "",
                              eseal_form_label(ESEAL_ENUM_CONTENT_TYPE, t)->en);
}

eseal_rc eseal_material_check(enum eseal_material_kind kind, const uint8_t *data, size_t len,
                              enum eseal_content_type *type, struct eseal_err *err)
{
    const struct eseal_label *k = eseal_form_label(ESEAL_ENUM_MATERIAL, (int)kind);
    if (k == NULL)
        return eseal_err_set(err, ESEAL_E_INVALID, "未知材料类型 / unknown material kind %d",
                             (int)kind);
    if (len == 0)
        return eseal_err_set(err, ESEAL_E_INVALID, "%s为空 / the %s is empty", k->zh, k->en);
    size_t max = eseal_material_max_len(kind);
    if (len > max)
        return eseal_err_set(err, ESEAL_E_TOOBIG,
                             "%s超过 %zu 字节 / the %s is larger than %zu bytes", k->zh, max, k->en,
                             max);
    enum eseal_content_type found = eseal_content_detect(data, len);
    if (type != NULL)
        *type = found;
    if (eseal_material_allows(kind, found))
        return ESEAL_OK;
    struct eseal_buf list;
    eseal_buf_init(&list);
    accepted_list(&list, kind);
    const struct eseal_label *f = eseal_form_label(ESEAL_ENUM_CONTENT_TYPE, (int)found);
    const char *what = f != NULL ? f->en : "unrecognised content";
    eseal_rc rc = eseal_err_set(err, ESEAL_E_INVALID,
                                "%s只接受 %s，实际内容为 %s / the %s must be %s, found %s", k->zh,
                                (char *)list.data, what, k->en, (char *)list.data, what);
    eseal_buf_cleanup(&list);
    return rc;
}
