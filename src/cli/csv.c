/*
 * csv — see cli.h; the cell itself is core/csv.h's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/csv.h"

void cli_csv_field(FILE *f, const char *s, bool always)
{
	char buf[256], *big;
	size_t n = csv_text(buf, sizeof(buf), s, always);

	if (n < sizeof(buf)) {
		fputs(buf, f);
		return;
	}
	big = malloc(n + 1);
	if (!big) {
		/* never the raw text: it may be a formula */
		fputs("\"\"", f);
		return;
	}
	csv_text(big, n + 1, s, always);
	fputs(big, f);
	free(big);
}
