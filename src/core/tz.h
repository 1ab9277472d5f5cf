/*
 * tz — IANA time zones, from the bytes of a TZif file (RFC 8536).
 *
 * The core never opens files: src/sys/zoneinfo.c reads
 * /usr/share/zoneinfo/NAME and hands the bytes to tz_parse(). A zone keeps
 * its transition table (version 2+ 64-bit data) and the POSIX TZ footer
 * rule that extends it past the last transition (e.g.
 * "CET-1CEST,M3.5.0,M10.5.0/3"), so any instant converts correctly.
 *
 * Converting is O(log transitions); nothing allocates after tz_parse().
 */
#ifndef RELAIS_TZ_H
#define RELAIS_TZ_H

#include <stddef.h>
#include <stdint.h>

struct tz;

/* Parses a TZif file (v1, v2, v3 or v4). Returns 0, EINVAL or ENOMEM. */
int tz_parse(struct tz **tzp, const uint8_t *buf, size_t len);

/* Parses a bare POSIX TZ rule such as "<+04>-4" or "EST5EDT,M3.2.0,M11.1.0". */
int tz_parse_posix(struct tz **tzp, const char *rule);

/* UTC offset in seconds east of Greenwich in force at utc_s. */
int32_t tz_offset(const struct tz *tz, int64_t utc_s);

/* Broken-down local time of an instant. wday: 0 = Monday … 6 = Sunday. */
struct tz_local {
	int year, month, day; /* month 1-12, day 1-31 */
	int hour, min, sec;
	int wday;
	int32_t offset_s;
};

void tz_local(const struct tz *tz, int64_t utc_s, struct tz_local *out);

void tz_free(struct tz *tz);

/*
 * Instants are clamped to this range (years -9999 to 9999) by every
 * function above and below: outside it a zone keeps the offset and the
 * local time of the nearest end.
 */
#define TZ_UTC_MIN (-377705116800LL) /* -9999-01-01T00:00:00Z */
#define TZ_UTC_MAX 253402300799LL    /* 9999-12-31T23:59:59Z */

/*
 * The first instant after utc_s at which tz_offset() may change: every
 * change is reported, a few reported instants may keep the offset.
 * INT64_MAX when it never changes again within the range above. Lets a
 * caller (the calendar) step from one offset to the next.
 */
int64_t tz_next_transition(const struct tz *tz, int64_t utc_s);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t tz_days_from_civil(int year, int month, int day);
void tz_civil_from_days(int64_t days, int *year, int *month, int *day);

#endif
