/*
 * calendar_json — a calendar described in JSON, as the API's Calendar and
 * a scenario's calendars give it:
 *
 *	{"timezone": "Europe/Paris",
 *	 "weekly": [{"day": "mon", "from": "08:00", "to": "20:00"}, ...],
 *	 "holidays": ["2026-12-25", ...],
 *	 "exceptions": [{"date": "2026-12-24", "from": "08:00",
 *			 "to": "12:00"}, ...]}
 *
 * The field tables check the shapes (jv.h); calendar_json_build() checks
 * the values and makes the engine's calendar (core/calendar.h).
 */
#ifndef RELAIS_CALENDAR_JSON_H
#define RELAIS_CALENDAR_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "core/calendar.h"
#include "model/jv.h"

extern const struct jv_field calendar_weekly_fields[];
extern const struct jv_field calendar_exception_fields[];

/*
 * Builds the calendar of body (already checked against the tables).
 * Returns 0, EINVAL with msg filled ("timezone: unknown zone X",
 * "weekly[2]: expected from/to as HH:MM") or ENOMEM.
 */
int calendar_json_build(const json_t *body, struct calendar **calp, char *msg,
			size_t size);

#endif
