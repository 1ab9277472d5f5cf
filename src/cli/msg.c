/*
 * msg — see msg.h.
 */
#include "cli/msg.h"

void msg_fill(char *out, size_t size, const char *tmpl, const char *const *args)
{
	size_t n = 0;

	for (const char *p = tmpl; *p && n + 1 < size; p++) {
		const char *s = NULL;

		if (p[0] == '%' && p[1] == 's')
			s = *args++;
		else if (p[0] == '%' && p[1] == '%')
			s = "%";
		if (!s) {
			out[n++] = *p;
			continue;
		}
		p++;
		for (; *s && n + 1 < size; s++)
			out[n++] = *s;
	}
	out[n] = '\0';
}

void msg_say(FILE *f, const char *tmpl, const char *const *args)
{
	char buf[1024];

	msg_fill(buf, sizeof(buf), tmpl, args);
	fputs(buf, f);
}
