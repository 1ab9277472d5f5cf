/*
 * csv — one text cell of a CSV file, the same for every CSV relais writes
 * (the server's reports, the command line's forecasts, schedules,
 * histories and simulations).
 *
 * RFC 4180: a cell holding a comma, a quote or a line break is quoted and
 * its quotes doubled. And OWASP's rule against formula injection: a cell
 * whose first character is '=', '+', '-', '@', a tab or a carriage return
 * would be run as a formula by a spreadsheet (a customer named
 * "=HYPERLINK(...)"), so it gets a leading "'", which spreadsheets take as
 * "this is text" and do not show. A cell that is wholly a decimal number
 * ("-3.5", "+1e-3") is a number, not a formula, and is left as it is.
 *
 * Pure: no I/O; the caller writes the result where it wants.
 */
#ifndef RELAIS_CSV_H
#define RELAIS_CSV_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Writes the cell for text s into out (at most size bytes, NUL included;
 * out may be NULL when size is 0), quoted when needed or when always is
 * set. Returns the length of the whole cell, like snprintf: a result >=
 * size means out was too small.
 */
size_t csv_text(char *out, size_t size, const char *s, bool always);

/* Whether s would be read as a formula (and so gets a leading "'"). */
bool csv_formula_like(const char *s);

#endif
