/* print_internal.h — what print.c (the writers) and print_xlsx.c (the
 * sheet reader and check) share: the summary table's columns. */
#ifndef ESEAL_ISSUER_PRINT_INTERNAL_H
#define ESEAL_ISSUER_PRINT_INTERNAL_H

#include <stddef.h>

#include "print.h"

enum print_col_kind {
    PRINT_COL_INDEX, /* 序号: the row's number, not compared */
    PRINT_COL_TEXT,  /* compared as text, outer blanks ignored */
    PRINT_COL_ENUM,  /* the Chinese name; the stable key is accepted too */
    PRINT_COL_MM,    /* millimetres, compared to a tenth */
};

/* struct print_column is one column of the summary table (A, B, …). */
struct print_column {
    const char *key; /* "seal_name": the difference's "field" */
    const char *zh;  /* the column's heading */
    const char *en;
    enum print_col_kind kind;
    double pdf_width; /* points, A4 landscape */
    double xlsx_width;
};

#define PRINT_N_COLUMNS 13
/* PRINT_CELL_MAX bounds a cell's text in bytes: the longest field (a name
 * of 100 characters) fits; longer sheet text is cut at a character. */
#define PRINT_CELL_MAX 512
extern const struct print_column print_columns[PRINT_N_COLUMNS];

/* print_cell_text writes the text of column |col| of row |row| (the |i|th,
 * from 0) into |out|: what the PDF prints and the sheet must hold. */
void print_cell_text(const struct eseal_print_row *row, size_t i, size_t col, char *out,
                     size_t out_len);

#endif
