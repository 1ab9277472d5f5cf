/*
 * calendar — opening hours of a queue, in the local time of a zone.
 *
 * A calendar has weekly intervals (several per day; an interval whose end is
 * not after its start runs past midnight into the next day), holidays
 * (closed all day), and exceptional days that replace the weekly hours of
 * one date (an exceptional opening on a Sunday, short hours on Christmas
 * Eve). An interval belongs to the day it starts on: a holiday on Saturday
 * closes Saturday's intervals, not the tail of Friday's night shift.
 *
 * Local wall time decides: "09:00-18:00" means 09:00 to 18:00 on the clock
 * on the wall of that zone, whatever the UTC offset that day (DST days are
 * 23 or 25 hours long; a local time that does not exist is never reached,
 * one that happens twice is open both times if its interval says so).
 *
 * Queries are O(intervals of two days + holidays, log) and allocate nothing.
 */
#ifndef RELAIS_CALENDAR_H
#define RELAIS_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tz.h"

struct calendar;

/* Takes ownership of tz (freed with the calendar). */
int calendar_new(struct calendar **calp, struct tz *tz);
void calendar_free(struct calendar *cal);

/*
 * Adds an interval to weekday wday (0 = Monday … 6 = Sunday), in minutes
 * from local midnight: 0 <= start_min < 1440, 0 < end_min <= 1440 or
 * end_min <= start_min for an interval that ends the next day.
 * Returns 0 or EINVAL.
 */
int calendar_add_weekly(struct calendar *cal, int wday, int start_min,
			int end_min);

/* Closes a local date all day. Returns 0, EINVAL (not a date) or ENOMEM. */
int calendar_add_holiday(struct calendar *cal, int year, int month, int day);

/*
 * Gives a local date its own hours instead of the weekly ones (call once
 * per interval; the first call for a date drops its weekly hours).
 * start_min == end_min == 0 with no other interval means closed.
 */
int calendar_add_exception(struct calendar *cal, int year, int month, int day,
			   int start_min, int end_min);

bool calendar_is_open(const struct calendar *cal, int64_t utc_ms);

/*
 * The first instant after utc_ms at which calendar_is_open() changes value,
 * searched up to 400 days ahead; INT64_MAX when it never changes.
 */
int64_t calendar_next_change(const struct calendar *cal, int64_t utc_ms);

const struct tz *calendar_tz(const struct calendar *cal);

#endif
