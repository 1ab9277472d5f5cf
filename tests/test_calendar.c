/*
 * calendar: opening hours on the wall clock of Paris (DST days of 2026),
 * Casablanca (UTC during Ramadan 2026) and Mauritius (no DST). Expected
 * UTC instants come from zdump (tzdata 2025b).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/calendar.h"
#include "sys/zoneinfo.h"

enum { MON, TUE, WED, THU, FRI, SAT, SUN };

#define HM(h, m) ((h)*60 + (m))

/* Milliseconds since the epoch of a UTC date and time. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
	return (tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60) *
	       1000;
}

static struct calendar *calendar(const char *zone)
{
	struct calendar *cal = NULL;
	struct tz *tz = NULL;

	assert_int_equal(zoneinfo_load(&tz, zone), 0);
	assert_int_equal(calendar_new(&cal, tz), 0);
	return cal;
}

static void weekly(struct calendar *cal, int wday, int start, int end)
{
	assert_int_equal(calendar_add_weekly(cal, wday, start, end), 0);
}

/* Weekdays 09:00-18:00, the usual office. */
static struct calendar *office(const char *zone)
{
	struct calendar *cal = calendar(zone);
	int wday;

	for (wday = MON; wday <= FRI; wday++)
		weekly(cal, wday, HM(9, 0), HM(18, 0));
	return cal;
}

static void test_open_during_weekday_hours_in_paris(void **state)
{
	struct calendar *cal = office("Europe/Paris");

	(void)state;
	/* Thursday 2026-01-15, CET */
	assert_false(calendar_is_open(cal, utc(2026, 1, 15, 8, 0) - 1));
	assert_true(calendar_is_open(cal, utc(2026, 1, 15, 8, 0)));
	assert_true(calendar_is_open(cal, utc(2026, 1, 15, 16, 59)));
	assert_false(calendar_is_open(cal, utc(2026, 1, 15, 17, 0)));
	assert_false(calendar_is_open(cal, utc(2026, 1, 17, 12, 0))); /* Sat */
	calendar_free(cal);
}

static void test_spring_forward_sunday_is_open_nine_hours(void **state)
{
	struct calendar *cal = calendar("Europe/Paris");

	(void)state;
	weekly(cal, SUN, HM(9, 0), HM(18, 0));
	/* 2026-03-29 09:00 CEST is 07:00 UTC, 18:00 CEST 16:00 UTC */
	assert_false(calendar_is_open(cal, utc(2026, 3, 29, 7, 0) - 1));
	assert_true(calendar_is_open(cal, utc(2026, 3, 29, 7, 0)));
	assert_int_equal(calendar_next_change(cal, utc(2026, 3, 29, 0, 0)),
			 utc(2026, 3, 29, 7, 0));
	assert_int_equal(calendar_next_change(cal, utc(2026, 3, 29, 7, 0)),
			 utc(2026, 3, 29, 16, 0));
	calendar_free(cal);
}

static void test_fall_back_sunday_is_open_nine_hours(void **state)
{
	struct calendar *cal = calendar("Europe/Paris");

	(void)state;
	weekly(cal, SUN, HM(9, 0), HM(18, 0));
	/* 2026-10-25 09:00 CET is 08:00 UTC, 18:00 CET 17:00 UTC */
	assert_int_equal(calendar_next_change(cal, utc(2026, 10, 25, 0, 0)),
			 utc(2026, 10, 25, 8, 0));
	assert_int_equal(calendar_next_change(cal, utc(2026, 10, 25, 8, 0)),
			 utc(2026, 10, 25, 17, 0));
	calendar_free(cal);
}

static void test_night_shift_over_spring_forward_lasts_7_hours(void **state)
{
	struct calendar *cal = calendar("Europe/Paris");

	(void)state;
	weekly(cal, SAT, HM(22, 0), HM(6, 0));
	/* Saturday 22:00 CET = 21:00 UTC, Sunday 06:00 CEST = 04:00 UTC */
	assert_int_equal(calendar_next_change(cal, utc(2026, 3, 28, 12, 0)),
			 utc(2026, 3, 28, 21, 0));
	assert_int_equal(calendar_next_change(cal, utc(2026, 3, 28, 21, 0)),
			 utc(2026, 3, 29, 4, 0));
	assert_true(calendar_is_open(cal, utc(2026, 3, 29, 1, 0)));
	calendar_free(cal);
}

static void test_night_shift_over_fall_back_lasts_9_hours(void **state)
{
	struct calendar *cal = calendar("Europe/Paris");

	(void)state;
	weekly(cal, SAT, HM(22, 0), HM(6, 0));
	/* Saturday 22:00 CEST = 20:00 UTC, Sunday 06:00 CET = 05:00 UTC */
	assert_int_equal(calendar_next_change(cal, utc(2026, 10, 24, 12, 0)),
			 utc(2026, 10, 24, 20, 0));
	assert_int_equal(calendar_next_change(cal, utc(2026, 10, 24, 20, 0)),
			 utc(2026, 10, 25, 5, 0));
	calendar_free(cal);
}

static void test_interval_inside_skipped_hour_never_opens(void **state)
{
	struct calendar *cal = calendar("Europe/Paris");

	(void)state;
	weekly(cal, SUN, HM(2, 0), HM(2, 30));
	/* next Sunday 02:00 CEST = 00:00 UTC */
	assert_int_equal(calendar_next_change(cal, utc(2026, 3, 28, 12, 0)),
			 utc(2026, 4, 5, 0, 0));
	calendar_free(cal);
}

static void test_interval_starting_in_skipped_hour_opens_at_jump(void **state)
{
	struct calendar *cal = calendar("Europe/Paris");

	(void)state;
	weekly(cal, SUN, HM(2, 30), HM(4, 0));
	/* 01:59:59 CET is followed by 03:00 CEST at 01:00 UTC */
	assert_int_equal(calendar_next_change(cal, utc(2026, 3, 28, 12, 0)),
			 utc(2026, 3, 29, 1, 0));
	assert_int_equal(calendar_next_change(cal, utc(2026, 3, 29, 1, 0)),
			 utc(2026, 3, 29, 2, 0));
	calendar_free(cal);
}

static void test_repeated_half_hour_is_open_twice(void **state)
{
	struct calendar *cal = calendar("Europe/Paris");

	(void)state;
	weekly(cal, SUN, HM(2, 30), HM(3, 0));
	/* 02:30-03:00 CEST = 00:30-01:00 UTC, then CET = 01:30-02:00 UTC */
	assert_int_equal(calendar_next_change(cal, utc(2026, 10, 24, 12, 0)),
			 utc(2026, 10, 25, 0, 30));
	assert_int_equal(calendar_next_change(cal, utc(2026, 10, 25, 0, 30)),
			 utc(2026, 10, 25, 1, 0));
	assert_int_equal(calendar_next_change(cal, utc(2026, 10, 25, 1, 0)),
			 utc(2026, 10, 25, 1, 30));
	assert_int_equal(calendar_next_change(cal, utc(2026, 10, 25, 1, 30)),
			 utc(2026, 10, 25, 2, 0));
	calendar_free(cal);
}

static void test_repeated_hour_stays_open_through_fall_back(void **state)
{
	struct calendar *cal = calendar("Europe/Paris");

	(void)state;
	weekly(cal, SUN, HM(2, 0), HM(3, 0));
	/* 02:00 CEST (00:00 UTC) until 03:00 CET (02:00 UTC) */
	assert_int_equal(calendar_next_change(cal, utc(2026, 10, 25, 0, 0)),
			 utc(2026, 10, 25, 2, 0));
	calendar_free(cal);
}

static void test_interval_runs_past_midnight(void **state)
{
	struct calendar *cal = calendar("Europe/Paris");

	(void)state;
	weekly(cal, FRI, HM(22, 0), HM(2, 0));
	/* Friday 2026-01-16 22:00 CET = 21:00 UTC to Saturday 01:00 UTC */
	assert_false(calendar_is_open(cal, utc(2026, 1, 16, 20, 59)));
	assert_true(calendar_is_open(cal, utc(2026, 1, 17, 0, 0)));
	assert_false(calendar_is_open(cal, utc(2026, 1, 17, 1, 0)));
	assert_false(calendar_is_open(cal, utc(2026, 1, 17, 21, 30)));
	calendar_free(cal);
}

static void test_no_change_at_midnight_between_joined_days(void **state)
{
	struct calendar *cal = calendar("Europe/Paris");

	(void)state;
	weekly(cal, SAT, HM(9, 0), HM(24, 0));
	weekly(cal, SUN, HM(0, 0), HM(12, 0));
	assert_int_equal(calendar_next_change(cal, utc(2026, 1, 17, 12, 0)),
			 utc(2026, 1, 18, 11, 0));
	calendar_free(cal);
}

static void test_holiday_keeps_previous_nights_tail(void **state)
{
	struct calendar *cal = calendar("Europe/Paris");
	int wday;

	(void)state;
	for (wday = MON; wday <= SUN; wday++)
		weekly(cal, wday, HM(22, 0), HM(2, 0));
	assert_int_equal(calendar_add_holiday(cal, 2026, 1, 17), 0);
	/* Saturday 01:00 CET: Friday's tail */
	assert_true(calendar_is_open(cal, utc(2026, 1, 17, 0, 0)));
	/* Saturday 23:00 and Sunday 01:00: Saturday's night, closed */
	assert_false(calendar_is_open(cal, utc(2026, 1, 17, 22, 0)));
	assert_false(calendar_is_open(cal, utc(2026, 1, 18, 0, 0)));
	assert_true(calendar_is_open(cal, utc(2026, 1, 18, 22, 0)));
	calendar_free(cal);
}

static void test_holiday_closes_the_whole_day(void **state)
{
	struct calendar *cal = office("Europe/Paris");

	(void)state;
	assert_int_equal(calendar_add_holiday(cal, 2026, 1, 19), 0);
	assert_false(calendar_is_open(cal, utc(2026, 1, 19, 11, 0)));
	assert_true(calendar_is_open(cal, utc(2026, 1, 20, 11, 0)));
	calendar_free(cal);
}

static void test_exceptional_opening_on_sunday(void **state)
{
	struct calendar *cal = office("Europe/Paris");

	(void)state;
	assert_int_equal(
		calendar_add_exception(cal, 2026, 1, 18, HM(10, 0), HM(14, 0)),
		0);
	assert_false(calendar_is_open(cal, utc(2026, 1, 18, 8, 59)));
	assert_true(calendar_is_open(cal, utc(2026, 1, 18, 9, 0)));
	assert_false(calendar_is_open(cal, utc(2026, 1, 18, 13, 0)));
	assert_false(calendar_is_open(cal, utc(2026, 1, 25, 10, 0)));
	calendar_free(cal);
}

static void test_exception_replaces_weekly_hours(void **state)
{
	struct calendar *cal = office("Europe/Paris");

	(void)state;
	/* Christmas Eve 2026 is a Thursday: 09:00-12:00 only */
	assert_int_equal(
		calendar_add_exception(cal, 2026, 12, 24, HM(9, 0), HM(12, 0)),
		0);
	assert_true(calendar_is_open(cal, utc(2026, 12, 24, 9, 0)));
	assert_false(calendar_is_open(cal, utc(2026, 12, 24, 12, 0)));
	assert_true(calendar_is_open(cal, utc(2026, 12, 23, 12, 0)));
	calendar_free(cal);
}

static void test_exception_with_two_intervals(void **state)
{
	struct calendar *cal = office("Europe/Paris");

	(void)state;
	assert_int_equal(
		calendar_add_exception(cal, 2026, 12, 24, HM(9, 0), HM(10, 0)),
		0);
	assert_int_equal(
		calendar_add_exception(cal, 2026, 12, 24, HM(15, 0), HM(16, 0)),
		0);
	assert_false(calendar_is_open(cal, utc(2026, 12, 24, 12, 0)));
	assert_true(calendar_is_open(cal, utc(2026, 12, 24, 14, 30)));
	calendar_free(cal);
}

static void test_exception_0_0_closes_the_date(void **state)
{
	struct calendar *cal = office("Europe/Paris");

	(void)state;
	assert_int_equal(calendar_add_exception(cal, 2026, 1, 19, 0, 0), 0);
	assert_false(calendar_is_open(cal, utc(2026, 1, 19, 11, 0)));
	calendar_free(cal);
}

static void test_exception_beats_holiday(void **state)
{
	struct calendar *cal = office("Europe/Paris");

	(void)state;
	assert_int_equal(calendar_add_holiday(cal, 2026, 5, 1), 0);
	assert_int_equal(
		calendar_add_exception(cal, 2026, 5, 1, HM(10, 0), HM(12, 0)),
		0);
	/* 11:00 CEST */
	assert_true(calendar_is_open(cal, utc(2026, 5, 1, 9, 0)));
	assert_false(calendar_is_open(cal, utc(2026, 5, 1, 7, 30)));
	calendar_free(cal);
}

static void test_several_intervals_a_day(void **state)
{
	struct calendar *cal = calendar("Europe/Paris");

	(void)state;
	weekly(cal, MON, HM(9, 0), HM(12, 0));
	weekly(cal, MON, HM(14, 0), HM(18, 0));
	/* Monday 2026-01-19, CET */
	assert_true(calendar_is_open(cal, utc(2026, 1, 19, 10, 0)));
	assert_false(calendar_is_open(cal, utc(2026, 1, 19, 12, 0)));
	assert_int_equal(calendar_next_change(cal, utc(2026, 1, 19, 11, 30)),
			 utc(2026, 1, 19, 13, 0));
	assert_true(calendar_is_open(cal, utc(2026, 1, 19, 16, 59)));
	calendar_free(cal);
}

static void test_casablanca_opens_0900_local_in_and_after_ramadan(void **s)
{
	struct calendar *cal = office("Africa/Casablanca");

	(void)s;
	/* Monday 2026-02-16 is +00, Monday 2026-03-23 is +01 */
	assert_int_equal(calendar_next_change(cal, utc(2026, 2, 15, 12, 0)),
			 utc(2026, 2, 16, 9, 0));
	assert_int_equal(calendar_next_change(cal, utc(2026, 3, 22, 12, 0)),
			 utc(2026, 3, 23, 8, 0));
	assert_int_equal(calendar_next_change(cal, utc(2026, 3, 23, 8, 0)),
			 utc(2026, 3, 23, 17, 0));
	calendar_free(cal);
}

static void test_mauritius_opens_at_0500_utc(void **state)
{
	struct calendar *cal = office("Indian/Mauritius");

	(void)state;
	assert_false(calendar_is_open(cal, utc(2026, 7, 1, 4, 59)));
	assert_true(calendar_is_open(cal, utc(2026, 7, 1, 5, 0)));
	assert_int_equal(calendar_next_change(cal, utc(2026, 7, 1, 5, 0)),
			 utc(2026, 7, 1, 14, 0));
	calendar_free(cal);
}

static void test_next_change_across_dst_weekends(void **state)
{
	struct calendar *cal = office("Europe/Paris");

	(void)state;
	/* Friday 18:00 CET to Monday 09:00 CEST */
	assert_int_equal(calendar_next_change(cal, utc(2026, 3, 27, 17, 0)),
			 utc(2026, 3, 30, 7, 0));
	/* Friday 18:00 CEST to Monday 09:00 CET */
	assert_int_equal(calendar_next_change(cal, utc(2026, 10, 23, 16, 0)),
			 utc(2026, 10, 26, 8, 0));
	calendar_free(cal);
}

static void test_next_change_is_strictly_after_now(void **state)
{
	struct calendar *cal = office("Europe/Paris");
	int64_t opening = utc(2026, 1, 15, 8, 0);

	(void)state;
	assert_int_equal(calendar_next_change(cal, opening - 500), opening);
	assert_int_equal(calendar_next_change(cal, opening),
			 utc(2026, 1, 15, 17, 0));
	assert_int_equal(calendar_next_change(cal, opening + 999),
			 utc(2026, 1, 15, 17, 0));
	calendar_free(cal);
}

static void test_next_change_never_when_always_closed_or_open(void **state)
{
	struct calendar *closed = calendar("Europe/Paris");
	struct calendar *open = calendar("Europe/Paris");
	int wday;

	(void)state;
	for (wday = MON; wday <= SUN; wday++)
		weekly(open, wday, 0, HM(24, 0));
	assert_int_equal(calendar_next_change(closed, utc(2026, 3, 1, 0, 0)),
			 INT64_MAX);
	assert_true(calendar_is_open(open, utc(2026, 3, 29, 1, 30)));
	assert_int_equal(calendar_next_change(open, utc(2026, 3, 1, 0, 0)),
			 INT64_MAX);
	calendar_free(closed);
	calendar_free(open);
}

static void test_next_change_looks_400_days_ahead(void **state)
{
	struct calendar *cal = calendar("Indian/Mauritius");

	(void)state;
	assert_int_equal(
		calendar_add_exception(cal, 2027, 1, 4, HM(9, 0), HM(10, 0)),
		0);
	assert_int_equal(calendar_next_change(cal, utc(2026, 1, 1, 0, 0)),
			 utc(2027, 1, 4, 5, 0));
	assert_int_equal(calendar_next_change(cal, utc(2025, 11, 1, 0, 0)),
			 INT64_MAX);
	calendar_free(cal);
}

static void test_invalid_arguments_are_rejected(void **state)
{
	struct calendar *cal = calendar("UTC");

	(void)state;
	assert_int_equal(calendar_add_weekly(cal, 7, 0, 60), EINVAL);
	assert_int_equal(calendar_add_weekly(cal, -1, 0, 60), EINVAL);
	assert_int_equal(calendar_add_weekly(cal, MON, HM(24, 0), 60), EINVAL);
	assert_int_equal(calendar_add_weekly(cal, MON, 0, HM(24, 1)), EINVAL);
	assert_int_equal(calendar_add_weekly(cal, MON, -1, 60), EINVAL);
	assert_int_equal(calendar_add_holiday(cal, 2026, 2, 29), EINVAL);
	assert_int_equal(calendar_add_holiday(cal, 2026, 13, 1), EINVAL);
	assert_int_equal(calendar_add_exception(cal, 2026, 4, 31, 0, 60),
			 EINVAL);
	assert_int_equal(calendar_add_exception(cal, 2026, 4, 1, 0, 1441),
			 EINVAL);
	assert_int_equal(calendar_new(&cal, NULL), EINVAL);
	calendar_free(cal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_during_weekday_hours_in_paris),
		cmocka_unit_test(test_spring_forward_sunday_is_open_nine_hours),
		cmocka_unit_test(test_fall_back_sunday_is_open_nine_hours),
		cmocka_unit_test(
			test_night_shift_over_spring_forward_lasts_7_hours),
		cmocka_unit_test(test_night_shift_over_fall_back_lasts_9_hours),
		cmocka_unit_test(test_interval_inside_skipped_hour_never_opens),
		cmocka_unit_test(
			test_interval_starting_in_skipped_hour_opens_at_jump),
		cmocka_unit_test(test_repeated_half_hour_is_open_twice),
		cmocka_unit_test(
			test_repeated_hour_stays_open_through_fall_back),
		cmocka_unit_test(test_interval_runs_past_midnight),
		cmocka_unit_test(
			test_no_change_at_midnight_between_joined_days),
		cmocka_unit_test(test_holiday_keeps_previous_nights_tail),
		cmocka_unit_test(test_holiday_closes_the_whole_day),
		cmocka_unit_test(test_exceptional_opening_on_sunday),
		cmocka_unit_test(test_exception_replaces_weekly_hours),
		cmocka_unit_test(test_exception_with_two_intervals),
		cmocka_unit_test(test_exception_0_0_closes_the_date),
		cmocka_unit_test(test_exception_beats_holiday),
		cmocka_unit_test(test_several_intervals_a_day),
		cmocka_unit_test(
			test_casablanca_opens_0900_local_in_and_after_ramadan),
		cmocka_unit_test(test_mauritius_opens_at_0500_utc),
		cmocka_unit_test(test_next_change_across_dst_weekends),
		cmocka_unit_test(test_next_change_is_strictly_after_now),
		cmocka_unit_test(
			test_next_change_never_when_always_closed_or_open),
		cmocka_unit_test(test_next_change_looks_400_days_ahead),
		cmocka_unit_test(test_invalid_arguments_are_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
