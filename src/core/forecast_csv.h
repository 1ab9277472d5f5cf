/*
 * forecast_csv — reads an interval history, the input of `relais
 * forecast`, from a buffer (the caller reads the file; the core does no
 * I/O). The text is untrusted: every error names its line and nothing is
 * read past len.
 *
 * Format: RFC 4180 CSV (commas, "quoted" fields with "" for a quote,
 * CRLF or LF line ends, an optional UTF-8 byte-order mark), a header line
 * naming the columns, then one row per queue and 15-minute interval:
 *
 *	start,queue,offered,aht_s
 *	2026-03-02 08:00,billing,42,187.5
 *	2026-03-02T07:15:00Z,"sales, north",7,
 *
 * Column names are matched without regard to case, in any order; start,
 * queue and offered are required, aht_s (mean handle time in seconds) is
 * optional and may be empty on a row; other columns are ignored. Blank
 * lines are skipped.
 *
 * start is either a local time "YYYY-MM-DD HH:MM[:SS]" (also with a "T"),
 * taken as the centre's wall clock, or an instant "YYYY-MM-DDTHH:MM[:SS]
 * [.fff]" ending in "Z" or "±HH:MM", converted to the wall clock of the
 * zone given to the parser (UTC when none). It must fall on a 15-minute
 * boundary. offered is a non-negative decimal number ("42", "3.5"), as is
 * aht_s.
 *
 * Limits: 10,000,000 rows, 64 columns, 256 bytes per field, 64 bytes per
 * queue name, years 1900-9999. Cost: O(len) time, O(rows) memory.
 */
#ifndef RELAIS_FORECAST_CSV_H
#define RELAIS_FORECAST_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tz.h"

#define FORECAST_SLOTS	  96 /* 15-minute intervals in a day */
#define FORECAST_SLOT_MIN 15

struct forecast_row {
	int64_t day;	/* local date, days since 1970-01-01 */
	uint32_t queue; /* index into forecast_history.queues */
	uint16_t slot;	/* interval of the day, 0 … FORECAST_SLOTS − 1 */
	double offered; /* >= 0 */
	double aht_s;	/* >= 0, or NAN when the row has none */
};

/* A parsed file; everything inside is owned, freed by the function below. */
struct forecast_history {
	struct forecast_row *rows; /* grouped by queue, in file order within */
	size_t nrows;
	char **queues; /* names, in order of first appearance */
	size_t nqueues;
	size_t *queue_rows; /* queue q has rows[queue_rows[q] … queue_rows[q+1])
			     */
	int64_t last_day;   /* the latest date of the file */
	bool has_aht;	    /* the header has an aht_s column */
};

struct forecast_csv_error {
	size_t line; /* 1-based line where the faulty record starts; 0: none */
	char msg[160];
};

/*
 * Parses buf (len bytes, need not end in NUL). tz is borrowed for the
 * call and may be NULL (instants are then read in UTC). Returns 0, EINVAL
 * (err says where and why) or ENOMEM.
 */
int forecast_csv_parse(struct forecast_history **hp, const char *buf,
		       size_t len, const struct tz *tz,
		       struct forecast_csv_error *err);

void forecast_history_free(struct forecast_history *h);

#endif
