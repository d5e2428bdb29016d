/* print.h — the guide's printables from a submission's forms: the
 * application form (申请表, one page per seal), the summary table (汇总表,
 * PDF and xlsx), the letter outline (申请函), the blank introduction letter
 * (介绍信) and ID-copy sheet (身份证复印件粘贴处); and the check of an
 * uploaded summary sheet (xlsx) against the forms, cell by cell.
 *
 * PDFs are drawn with cairo and laid out with pango (docs/portal-print.md
 * says why): A4, Noto CJK fonts embedded as subsets. The xlsx is written
 * with libxlsxwriter and read back through core/zip.c and core/xml.c with
 * their limits, so a hostile sheet (zip bomb, DTD, huge sheet) is refused
 * before it is expanded or parsed. */
#ifndef ESEAL_ISSUER_PRINT_H
#define ESEAL_ISSUER_PRINT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "eseal/buf.h"
#include "eseal/rc.h"
#include "form.h"

/* ESEAL_PRINT_ROWS_MAX bounds the rows of one summary table (a batch of
 * submissions of up to ESEAL_FORMS_MAX forms each); a sheet with more rows
 * is refused. */
#define ESEAL_PRINT_ROWS_MAX 2000
/* ESEAL_PRINT_XLSX_MAX bounds an uploaded sheet's bytes; its parts expand
 * to at most ESEAL_PRINT_XLSX_PART bytes each. */
#define ESEAL_PRINT_XLSX_MAX (4u * 1024 * 1024)
#define ESEAL_PRINT_XLSX_PART (8u * 1024 * 1024)

/* struct eseal_print_row is one row of a summary table: a form and the
 * submission it belongs to (both borrowed). */
struct eseal_print_row {
    const struct eseal_submission *sub;
    const struct eseal_form *form;
};

/* eseal_print_forms writes the application forms of |s| (one A4 portrait
 * page per form, every field of the guide's 附件 with blanks to sign and
 * stamp) as a PDF into |out| (appended). */
eseal_rc eseal_print_forms(const struct eseal_submission *s, struct eseal_buf *out,
                           struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_print_summary_pdf writes the summary table of |rows| (A4
 * landscape, as many pages as it takes) as a PDF; |unit| is the submitting
 * unit printed in the heading (the applicant, or a city's aggregator). */
eseal_rc eseal_print_summary_pdf(const struct eseal_print_row *rows, size_t n, const char *unit,
                                 struct eseal_buf *out, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_print_letter writes the outline of the letter (申请函) of |s|:
 * addressee, the business and the counts entered, with blanks for the
 * letter number, date, signature and stamp. */
eseal_rc eseal_print_letter(const struct eseal_submission *s, struct eseal_buf *out,
                            struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_print_template writes the blank template |name|: "introduction"
 * (介绍信) or "idcopy" (身份证复印件粘贴处). Any other name is
 * ESEAL_E_NOTFOUND. */
eseal_rc eseal_print_template(const char *name, struct eseal_buf *out,
                              struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_print_summary_xlsx writes the summary table of |rows| as an xlsx
 * workbook: one sheet "汇总表", a title in row 1, the column names in row
 * 2, one form per row from row 3, the columns of docs/portal-print.md. */
eseal_rc eseal_print_summary_xlsx(const struct eseal_print_row *rows, size_t n, const char *unit,
                                  struct eseal_buf *out, struct eseal_err *err) ESEAL_MUST_CHECK;

/* eseal_print_summary_check reads the xlsx |data|/|len| (untrusted) and
 * compares its first sheet, row by row and column by column, with |rows|.
 * The data rows start after the row whose column A reads 序号. *diffs (new
 * array, caller decrefs) receives one object per difference:
 * {"row": sheet row number, "column": "D", "field": "seal_name",
 * "sheet": the cell's text, "form": the form's, "message": "第 3 行 D 列
 * （印章名称）：表格为 …，申请表为 … / row 3 column D (seal name): …"};
 * a row missing from or extra in the sheet is one difference with
 * "column" "" and "field" "row". An empty array means the sheet agrees.
 * A file that is not an xlsx, or breaks a limit, is ESEAL_E_INVALID or
 * ESEAL_E_TOOBIG with a message, and no *diffs. */
eseal_rc eseal_print_summary_check(const struct eseal_print_row *rows, size_t n,
                                   const uint8_t *data, size_t len, json_t **diffs,
                                   struct eseal_err *err) ESEAL_MUST_CHECK;

/* ---- the issuer's side: printables of stored submissions and batches ----
 * Each loads what |who| may see (the submission's agent, its city's
 * aggregator, staff; else ESEAL_E_NOTFOUND as for reading it) and fills
 * |p| on failure. */
struct eseal_issuer;
struct eseal_issuer_problem;
struct eseal_staff_principal;

/* enum eseal_printable names what eseal_issuer_print makes. */
enum eseal_printable {
    ESEAL_PRINT_FORMS,        /* forms.pdf: submissions only */
    ESEAL_PRINT_SUMMARY_PDF,  /* summary.pdf */
    ESEAL_PRINT_LETTER,       /* letter.pdf: submissions only */
    ESEAL_PRINT_SUMMARY_XLSX, /* summary.xlsx */
};

/* eseal_issuer_print makes |what| of the submission "S…" or the batch "B…"
 * |id| into |out|; *type (static) receives its MIME type. */
eseal_rc eseal_issuer_print(struct eseal_issuer *is, const struct eseal_staff_principal *who,
                            const char *id, enum eseal_printable what, struct eseal_buf *out,
                            const char **type, struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* eseal_issuer_summary_check checks the uploaded sheet |data|/|len|
 * against the forms of the submission or batch |id|: *view (new) is
 * {"differences": [...], "rows": forms compared, "ok": bool} as
 * eseal_print_summary_check describes. */
eseal_rc eseal_issuer_summary_check(struct eseal_issuer *is,
                                    const struct eseal_staff_principal *who, const char *id,
                                    const uint8_t *data, size_t len, json_t **view,
                                    struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

/* eseal_issuer_submission_check runs the issuer's rules over the draft
 * document |doc| (the body of POST /api/v1/submissions) without storing
 * anything; with |draft| (may be NULL) the materials held by that stored
 * submission count as attached. *view (new) is {"check": the rules
 * result, as a submission's view gives it}. */
eseal_rc eseal_issuer_submission_check(struct eseal_issuer *is,
                                       const struct eseal_staff_principal *who, const json_t *doc,
                                       const char *draft, json_t **view,
                                       struct eseal_issuer_problem *p) ESEAL_MUST_CHECK;

#endif
