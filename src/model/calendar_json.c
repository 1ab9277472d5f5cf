/*
 * calendar_json — see calendar_json.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/calendar_json.h"
#include "sys/zoneinfo.h"

static const char *const days[] = {"mon", "tue", "wed", "thu",
				   "fri", "sat", "sun", NULL};

const struct jv_field calendar_weekly_fields[] = {
	{"day", JV_STRING, JV_REQUIRED, 0, 0, days, NULL},
	{"from", JV_STRING, JV_REQUIRED, 5, 5, NULL, NULL},
	{"to", JV_STRING, JV_REQUIRED, 5, 5, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

const struct jv_field calendar_exception_fields[] = {
	{"date", JV_STRING, JV_REQUIRED, 10, 10, NULL, NULL},
	{"from", JV_STRING, JV_REQUIRED, 5, 5, NULL, NULL},
	{"to", JV_STRING, JV_REQUIRED, 5, 5, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

static bool parse_hhmm(const char *t, int *min)
{
	int h, m;

	if (!t || strlen(t) != 5 || t[2] != ':' ||
	    !isdigit((unsigned char)t[0]) || !isdigit((unsigned char)t[1]) ||
	    !isdigit((unsigned char)t[3]) || !isdigit((unsigned char)t[4]))
		return false;
	h = atoi(t);
	m = atoi(t + 3);
	if (h > 24 || m > 59 || (h == 24 && m))
		return false;
	*min = h * 60 + m;
	return true;
}

/* YYYY-MM-DD, digits exactly where they belong. */
static bool parse_date(const char *d, int *y, int *mo, int *da)
{
	if (!d || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)d[i]))
			return false;
	*y = atoi(d);
	*mo = atoi(d + 5);
	*da = atoi(d + 8);
	return *mo >= 1 && *mo <= 12 && *da >= 1 && *da <= 31;
}

static int fill(struct calendar *cal, const json_t *body, char *msg,
		size_t size)
{
	json_t *v;
	size_t i;
	int a, b, y, mo, d;

	json_array_foreach(json_object_get(body, "weekly"), i, v)
	{
		const char *day = jv_str(v, "day");
		int wd = 0;

		while (days[wd] && day && strcmp(days[wd], day))
			wd++;
		if (!days[wd] || !parse_hhmm(jv_str(v, "from"), &a) ||
		    !parse_hhmm(jv_str(v, "to"), &b) || a >= 1440 ||
		    calendar_add_weekly(cal, wd, a, b)) {
			snprintf(msg, size,
				 "weekly[%zu]: expected from/to as HH:MM", i);
			return EINVAL;
		}
	}
	json_array_foreach(json_object_get(body, "holidays"), i, v)
	{
		if (!parse_date(json_string_value(v), &y, &mo, &d) ||
		    calendar_add_holiday(cal, y, mo, d)) {
			snprintf(msg, size,
				 "holidays[%zu]: expected a date YYYY-MM-DD",
				 i);
			return EINVAL;
		}
	}
	json_array_foreach(json_object_get(body, "exceptions"), i, v)
	{
		if (!parse_date(jv_str(v, "date"), &y, &mo, &d) ||
		    !parse_hhmm(jv_str(v, "from"), &a) ||
		    !parse_hhmm(jv_str(v, "to"), &b) || a >= 1440 ||
		    calendar_add_exception(cal, y, mo, d, a, b % 1440)) {
			snprintf(msg, size,
				 "exceptions[%zu]: expected a date and HH:MM",
				 i);
			return EINVAL;
		}
	}
	return 0;
}

int calendar_json_build(const json_t *body, struct calendar **calp, char *msg,
			size_t size)
{
	const char *zone = jv_str(body, "timezone");
	struct calendar *cal;
	struct tz *tz;
	int rc;

	*calp = NULL;
	if (!zone || zoneinfo_load(&tz, zone)) {
		snprintf(msg, size, "timezone: unknown zone %.64s",
			 zone ? zone : "(none)");
		return EINVAL;
	}
	if (calendar_new(&cal, tz)) {
		tz_free(tz);
		snprintf(msg, size, "out of memory");
		return ENOMEM;
	}
	rc = fill(cal, body, msg, size);
	if (rc) {
		calendar_free(cal);
		return rc;
	}
	*calp = cal;
	return 0;
}
