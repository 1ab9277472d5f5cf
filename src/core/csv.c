/*
 * csv — see csv.h. Linear in the length of the cell.
 */
#include <string.h>

#include "core/csv.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Skips digits; whether there was at least one. */
static bool digits(const char **p)
{
	const char *s = *p;

	while (is_digit(**p))
		(*p)++;
	return *p > s;
}

/* [+-]digits[.digits][(e|E)[+-]digits], and nothing else. */
static bool is_number(const char *s)
{
	bool whole, frac = false;

	if (*s == '+' || *s == '-')
		s++;
	whole = digits(&s);
	if (*s == '.') {
		s++;
		frac = digits(&s);
	}
	if (!whole && !frac)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!digits(&s))
			return false;
	}
	return !*s;
}

bool csv_formula_like(const char *s)
{
	return *s && strchr("=+-@\t\r", *s) && !is_number(s);
}

/* Appends c at out[*len] when it fits (leaving room for the NUL). */
static void put(char *out, size_t size, size_t *len, char c)
{
	if (*len + 1 < size)
		out[*len] = c;
	(*len)++;
}

size_t csv_text(char *out, size_t size, const char *s, bool always)
{
	bool quote = always || strpbrk(s, ",\"\r\n");
	size_t len = 0;

	if (quote)
		put(out, size, &len, '"');
	if (csv_formula_like(s))
		put(out, size, &len, '\'');
	for (; *s; s++) {
		if (*s == '"')
			put(out, size, &len, '"');
		put(out, size, &len, *s);
	}
	if (quote)
		put(out, size, &len, '"');
	if (size)
		out[len < size ? len : size - 1] = '\0';
	return len;
}
