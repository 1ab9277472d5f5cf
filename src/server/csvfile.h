/*
 * csvfile — rows of JSON objects as a CSV file: the one writer of the
 * server's CSV downloads (the interval report, the audit trail), so that
 * every file relais serves follows the same conventions:
 *
 * - UTF-8 with a byte-order mark (without one Excel reads the file in
 *   the machine's code page: "TÃ©lÃ©com"), CRLF line ends (RFC 4180);
 * - a header row naming the columns as the JSON names its fields: the
 *   same in every language, so that a sheet's formulas and an import
 *   script keep working (the XLSX workbook is the file in the caller's
 *   words);
 * - every text cell quoted and kept from being run as a formula
 *   (core/csv.h); numbers written as numbers; true and false as such; a
 *   null or absent field as an empty cell; an object or array as its
 *   JSON text.
 */
#ifndef RELAIS_CSVFILE_H
#define RELAIS_CSVFILE_H

#include <stddef.h>

#include <jansson.h>

#include "server/libre.h"

/*
 * Appends to mb the header row of the n columns cols (field names) and a
 * line per object of the array rows, its fields in the columns' order.
 * Returns 0 or ENOMEM.
 */
int csvfile_write(struct mbuf *mb, const char *const *cols, size_t n,
		  const json_t *rows);

#endif
