/*
 * utctime — the one text form of an instant in relais: ISO-8601 UTC with
 * milliseconds ("2026-11-29T08:30:00.000Z"), as the API, the event log's
 * readers and the command line write and read it.
 */
#ifndef RELAIS_UTCTIME_H
#define RELAIS_UTCTIME_H

#include <stddef.h>
#include <stdint.h>

/* Room for utctime_format's text and its NUL. */
#define UTCTIME_SIZE 25

/* ms (UTC, since 1970; below 0 counts as 0) into buf; returns buf. */
const char *utctime_format(int64_t ms, char *buf, size_t size);

/*
 * Parses that (milliseconds optional, "Z" or "+00:00"); -1 when it is not
 * a real UTC time.
 */
int64_t utctime_parse(const char *s);

#endif
