/*
 * calendar — opening hours evaluated on the wall clock of a zone.
 *
 * An instant is open when its local time (UTC plus the offset in force)
 * falls in an interval of its local date, or in the overnight tail of an
 * interval of the date before. Using the offset in force at the instant is
 * what makes a skipped local time never happen and a repeated one happen
 * twice. Intervals are kept in minutes from local midnight with end >
 * start (an overnight end gets 1440 added), per weekday; holidays and
 * exceptional days are sorted by local day number so a date is found by
 * binary search.
 *
 * An exceptional day beats a holiday on the same date (it is the more
 * specific statement: "open this holiday 10:00-14:00"). The exception
 * (0, 0) adds no interval: alone, it closes the date; a full exceptional
 * day is (0, 1440).
 *
 * calendar_next_change() looks at a finite set of candidate instants that
 * contains every change: each interval boundary converted back to UTC with
 * each offset in force within 26 h of it, and each offset transition. The
 * earliest candidate whose state differs from now is the answer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"

#define DAY	    86400
#define MAX_OFF	    93600 /* offsets stay within +-26 h (RFC 8536) */
#define SEARCH_DAYS 400
#define MIN_PER_DAY 1440

struct span {
	int start, end; /* minutes from local midnight, start <= end */
};

struct calendar {
	struct tz *tz;
	struct span *weekly[7];
	size_t nweekly[7];
	int64_t *holiday; /* local day numbers, ascending, unique */
	size_t nholiday;
	int64_t *exc_day; /* local day numbers, ascending */
	struct span *exc; /* the interval of exc_day[i] */
	size_t nexc;
};

/* The candidate search of calendar_next_change(). */
struct search {
	const struct calendar *cal;
	int64_t now, limit, best;
	bool open;
};

int calendar_new(struct calendar **calp, struct tz *tz)
{
	struct calendar *cal;

	if (!tz)
		return EINVAL;
	cal = calloc(1, sizeof(*cal));
	if (!cal)
		return ENOMEM;
	cal->tz = tz;
	*calp = cal;
	return 0;
}

void calendar_free(struct calendar *cal)
{
	int i;

	if (!cal)
		return;
	for (i = 0; i < 7; i++)
		free(cal->weekly[i]);
	free(cal->holiday);
	free(cal->exc_day);
	free(cal->exc);
	tz_free(cal->tz);
	free(cal);
}

const struct tz *calendar_tz(const struct calendar *cal)
{
	return cal->tz;
}

/* Grows *arr of n elements by one, room at index n. */
static int grow(void **arr, size_t n, size_t size)
{
	void *p = realloc(*arr, (n + 1) * size);

	if (!p)
		return ENOMEM;
	*arr = p;
	return 0;
}

/* Makes room at index i of arr (n elements, already grown to n + 1). */
static void open_slot(void *arr, size_t i, size_t n, size_t size)
{
	memmove((char *)arr + (i + 1) * size, (char *)arr + i * size,
		(n - i) * size);
}

static bool span_make(int start_min, int end_min, struct span *sp)
{
	if (start_min < 0 || start_min >= MIN_PER_DAY || end_min < 0 ||
	    end_min > MIN_PER_DAY)
		return false;
	sp->start = start_min;
	sp->end = end_min > start_min ? end_min : end_min + MIN_PER_DAY;
	return true;
}

int calendar_add_weekly(struct calendar *cal, int wday, int start_min,
			int end_min)
{
	struct span sp;
	int err;

	if (wday < 0 || wday > 6 || !span_make(start_min, end_min, &sp))
		return EINVAL;
	err = grow((void **)&cal->weekly[wday], cal->nweekly[wday], sizeof(sp));
	if (err)
		return err;
	cal->weekly[wday][cal->nweekly[wday]++] = sp;
	return 0;
}

/* The local day number of a real date of years -9999..9999. */
static int date_day(int year, int month, int day, int64_t *out)
{
	int y, m, d;

	if (year < -9999 || year > 9999 || month < 1 || month > 12 || day < 1 ||
	    day > 31)
		return EINVAL;
	*out = tz_days_from_civil(year, month, day);
	tz_civil_from_days(*out, &y, &m, &d);
	return m == month && d == day ? 0 : EINVAL;
}

/* The first index of days[0..n) whose value is > day (or >= when !after). */
static size_t bound(const int64_t *days, size_t n, int64_t day, bool after)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (days[mid] < day || (after && days[mid] == day))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int calendar_add_holiday(struct calendar *cal, int year, int month, int day)
{
	int64_t d;
	size_t i;
	int err;

	err = date_day(year, month, day, &d);
	if (err)
		return err;
	i = bound(cal->holiday, cal->nholiday, d, false);
	if (i < cal->nholiday && cal->holiday[i] == d)
		return 0;
	err = grow((void **)&cal->holiday, cal->nholiday, sizeof(d));
	if (err)
		return err;
	open_slot(cal->holiday, i, cal->nholiday++, sizeof(d));
	cal->holiday[i] = d;
	return 0;
}

int calendar_add_exception(struct calendar *cal, int year, int month, int day,
			   int start_min, int end_min)
{
	struct span sp = {0, 0};
	int64_t d;
	size_t i;
	int err;

	err = date_day(year, month, day, &d);
	if (err)
		return err;
	if ((start_min || end_min) && !span_make(start_min, end_min, &sp))
		return EINVAL;
	err = grow((void **)&cal->exc_day, cal->nexc, sizeof(d));
	if (!err)
		err = grow((void **)&cal->exc, cal->nexc, sizeof(sp));
	if (err)
		return err;
	i = bound(cal->exc_day, cal->nexc, d, true);
	open_slot(cal->exc_day, i, cal->nexc, sizeof(d));
	open_slot(cal->exc, i, cal->nexc++, sizeof(sp));
	cal->exc_day[i] = d;
	cal->exc[i] = sp;
	return 0;
}

/* The intervals of local date day (weekday wday). */
static size_t day_spans(const struct calendar *cal, int64_t day, int wday,
			const struct span **sp)
{
	size_t lo = bound(cal->exc_day, cal->nexc, day, false);
	size_t hi = bound(cal->exc_day, cal->nexc, day, true);
	size_t h = bound(cal->holiday, cal->nholiday, day, false);

	if (lo < hi) {
		*sp = cal->exc + lo;
		return hi - lo;
	}
	if (h < cal->nholiday && cal->holiday[h] == day)
		return 0;
	*sp = cal->weekly[wday];
	return cal->nweekly[wday];
}

/* Whether an interval of day covers sec seconds after its midnight. */
static bool day_covers(const struct calendar *cal, int64_t day, int wday,
		       int64_t sec)
{
	const struct span *sp = NULL;
	size_t i, n = day_spans(cal, day, wday, &sp);

	for (i = 0; i < n; i++) {
		if (sp[i].start * 60 <= sec && sec < sp[i].end * 60)
			return true;
	}
	return false;
}

static bool open_at(const struct calendar *cal, int64_t utc_s)
{
	struct tz_local lt;
	int64_t day, sec;

	tz_local(cal->tz, utc_s, &lt);
	day = tz_days_from_civil(lt.year, lt.month, lt.day);
	sec = lt.hour * 3600 + lt.min * 60 + lt.sec;
	return day_covers(cal, day, lt.wday, sec) ||
	       day_covers(cal, day - 1, (lt.wday + 6) % 7, sec + DAY);
}

static int64_t ms_to_s(int64_t ms)
{
	return ms / 1000 - (ms % 1000 < 0);
}

bool calendar_is_open(const struct calendar *cal, int64_t utc_ms)
{
	return open_at(cal, ms_to_s(utc_ms));
}

static void try_candidate(struct search *s, int64_t t)
{
	if (t > s->now && t <= s->limit && t < s->best &&
	    open_at(s->cal, t) != s->open)
		s->best = t;
}

/* The local time b (seconds) happens at b - offset for an offset near it. */
static void try_boundary(struct search *s, int64_t b)
{
	const struct tz *tz = s->cal->tz;
	int64_t t = b - MAX_OFF;

	try_candidate(s, b - tz_offset(tz, t));
	for (t = tz_next_transition(tz, t); t <= b + MAX_OFF;
	     t = tz_next_transition(tz, t))
		try_candidate(s, b - tz_offset(tz, t));
}

/* Each boundary of each interval of local dates from the day before now. */
static void try_days(struct search *s)
{
	struct tz_local lt;
	const struct span *sp = NULL;
	int64_t day, first;
	int wday;
	size_t i, n;

	tz_local(s->cal->tz, s->now, &lt);
	first = tz_days_from_civil(lt.year, lt.month, lt.day) - 1;
	wday = (lt.wday + 6) % 7;
	/* a date's boundaries are all after its midnight minus 26 h */
	for (day = first;
	     (day - 2) * DAY < s->best && (day - 2) * DAY < s->limit;
	     day++, wday = (wday + 1) % 7) {
		n = day_spans(s->cal, day, wday, &sp);
		for (i = 0; i < n; i++) {
			try_boundary(s, day * DAY + sp[i].start * 60);
			try_boundary(s, day * DAY + sp[i].end * 60);
		}
	}
}

int64_t calendar_next_change(const struct calendar *cal, int64_t utc_ms)
{
	struct search s = {cal, ms_to_s(utc_ms), 0, INT64_MAX, false};
	int64_t t;

	/* the zone, hence the calendar, is frozen outside its range */
	if (s.now >= TZ_UTC_MAX)
		return INT64_MAX;
	if (s.now < TZ_UTC_MIN)
		s.now = TZ_UTC_MIN;
	s.limit = s.now + SEARCH_DAYS * DAY;
	s.open = open_at(cal, s.now);
	for (t = tz_next_transition(cal->tz, s.now); t <= s.limit && t < s.best;
	     t = tz_next_transition(cal->tz, t))
		try_candidate(&s, t);
	try_days(&s);
	return s.best == INT64_MAX ? INT64_MAX : s.best * 1000;
}
