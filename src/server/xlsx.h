/*
 * xlsx — a table of JSON rows as an Excel workbook (.xlsx), through
 * libxlsxwriter: one sheet, a bold header row that stays frozen when
 * scrolling, column widths, numbers as numbers, times as Excel dates.
 *
 * libxlsxwriter 1.1.4 (Debian 12) writes only to a file: the workbook is
 * written to a temporary file of a folder the caller names, read back and
 * removed. Blocking file I/O: call it off the loop (the store's thread).
 * Thread-safe; no state.
 */
#ifndef RELAIS_XLSX_H
#define RELAIS_XLSX_H

#include <stddef.h>

#include <jansson.h>

enum xlsx_kind {
	XLSX_TEXT,    /* a string; anything else left blank */
	XLSX_NUMBER,  /* an integer or a real */
	XLSX_PERCENT, /* a fraction (0.85) shown as 85.0% */
	XLSX_TIME,    /* a UTC time "2026-11-29T10:15:00Z": an Excel date */
};

struct xlsx_col {
	const char *field; /* the member of each row (borrowed) */
	const char *title; /* the header cell (borrowed) */
	enum xlsx_kind kind;
	double width; /* in characters */
};

/*
 * The workbook of rows (an array of objects) under a header of the
 * columns' titles, in sheet (at most 31 characters, none of []:*?/\).
 * A null or missing member is a blank cell. *out is malloc'd: the caller
 * frees it. Returns 0, ENOMEM, EIO (the folder, the disk) or EINVAL.
 */
int xlsx_table(char **out, size_t *len, const char *dir, const char *sheet,
	       const struct xlsx_col *cols, size_t ncols, const json_t *rows);

#endif
