/*
 * utctime — see utctime.h. gmtime_r/timegm do the calendar; the parser
 * checks each field itself so that 2026-02-30 is refused, not normalised.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "model/utctime.h"

const char *utctime_format(int64_t ms, char *buf, size_t size)
{
	struct tm tm;
	time_t t;

	if (ms < 0)
		ms = 0;
	t = (time_t)(ms / 1000);
	gmtime_r(&t, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	return buf;
}

/* n digits at p; -1 when one is not a digit. */
static int digits(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static bool leap(int y)
{
	return !(y % 4) && (y % 100 || !(y % 400));
}

/* Whether the fields of tm (year, month from 1) name a real instant. */
static bool fields_valid(const struct tm *tm)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};

	return tm->tm_year >= 1970 && tm->tm_mon >= 1 && tm->tm_mon <= 12 &&
	       tm->tm_mday >= 1 && tm->tm_mday <= mdays[tm->tm_mon - 1] &&
	       !(tm->tm_mon == 2 && tm->tm_mday == 29 && !leap(tm->tm_year)) &&
	       tm->tm_hour >= 0 && tm->tm_hour <= 23 && tm->tm_min >= 0 &&
	       tm->tm_min <= 59 && tm->tm_sec >= 0 && tm->tm_sec <= 59;
}

/* ".123" (any number of digits, the first three kept); -1 when bad. */
static int millis(const char **sp)
{
	const char *s = *sp;
	int ms = 0, k = 0;

	if (*s != '.')
		return 0;
	for (s++; isdigit((unsigned char)*s); s++, k++)
		if (k < 3)
			ms = ms * 10 + (*s - '0');
	if (!k)
		return -1;
	for (; k < 3; k++)
		ms *= 10;
	*sp = s;
	return ms;
}

int64_t utctime_parse(const char *s)
{
	struct tm tm = {0};
	int ms;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	tm.tm_year = digits(s, 4);
	tm.tm_mon = digits(s + 5, 2);
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	if (!fields_valid(&tm))
		return -1;
	s += 19;
	ms = millis(&s);
	if (ms < 0 || (strcmp(s, "Z") && strcmp(s, "+00:00")))
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000 + ms;
}
