/*
 * csv — see cli.h.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

void cli_csv_field(FILE *f, const char *s, bool always)
{
	if (!always && !strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}
