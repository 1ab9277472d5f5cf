/*
 * The contact-centre forecast: error measures worked by hand, intraday
 * profiles, the daily-to-interval split, special days, the hold-out, and
 * the interval-history CSV reader with its errors.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/forecast.h"

#define SLOTS FORECAST_SLOTS

static const int64_t monday = 20514; /* 2026-03-02 */

static void assert_close(double got, double want, double rel)
{
	if (!(fabs(got - want) <= rel * fabs(want)))
		fail_msg("got %.15g, want %.15g (relative tolerance %g)", got,
			 want, rel);
}

static double noise(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return (double)(*seed >> 8) / (double)(1u << 23) - 1;
}

/* ---- measures --------------------------------------------------------- */

/*
 * actual 100 200 0 50, forecast 110 180 5 50:
 * MAPE = (10/100 + 20/200 + 0/50) / 3 (the zero day has no percentage);
 * WAPE = (10 + 20 + 5 + 0) / 350; SSE = 100 + 400 + 25; RMSE = √(525/4).
 */
static void test_error_measures_worked_by_hand(void **state)
{
	static const double a[4] = {100, 200, 0, 50}, p[4] = {110, 180, 5, 50};
	static const double zero[2] = {0, 0};

	(void)state;
	assert_close(forecast_mape(a, p, 4), 0.2 / 3, 1e-15);
	assert_close(forecast_wape(a, p, 4), 0.1, 1e-15);
	assert_close(forecast_sse(a, p, 4), 525, 1e-15);
	assert_close(forecast_rmse(a, p, 4), sqrt(525.0 / 4), 1e-15);
	assert_true(isnan(forecast_mape(zero, p, 2)));
	assert_true(isnan(forecast_wape(zero, p, 2)));
}

static void test_weekdays_of_known_dates(void **state)
{
	(void)state;
	assert_int_equal(forecast_weekday(0), 3);      /* 1970-01-01 Thu */
	assert_int_equal(forecast_weekday(monday), 0); /* 2026-03-02 Mon */
	assert_int_equal(forecast_weekday(monday + 6), 6);
	assert_int_equal(forecast_weekday(-1), 2); /* 1969-12-31 Wed */
	assert_int_equal(forecast_weekday(-7), 3);
}

/* ---- synthetic centre ------------------------------------------------- */

/* Daily volume of a weekday (Mon … Sun) and the shape of its day. */
static const double week_volume[7] = {1200, 1000, 950, 980, 900, 400, 150};

static double shape(int w, size_t k)
{
	double h = (double)k / 4; /* hour of the day */

	if (h < 8 || h >= (w >= 5 ? 14 : 20))
		return 0;
	return 1 + (w == 0 ? 0.5 : 0.2) * sin((h - 8) / 2);
}

/*
 * ndays days from a Monday; holidays (days since the start, -1 ends the
 * list) get `holiday` times the ordinary volume. Noise ±noise_pct.
 */
static struct forecast_series *centre(size_t ndays, const int *holidays,
				      double holiday, double noise_pct)
{
	struct forecast_series *s = calloc(1, sizeof(*s));
	uint32_t seed = 11;

	assert_non_null(s);
	s->first_day = monday;
	s->ndays = ndays;
	s->offered = calloc(ndays * SLOTS, sizeof(double));
	s->aht_sum = calloc(ndays * SLOTS, sizeof(double));
	s->aht_weight = calloc(ndays * SLOTS, sizeof(double));
	assert_true(s->offered && s->aht_sum && s->aht_weight);
	for (size_t d = 0; d < ndays; d++) {
		int w = (int)(d % 7);
		double total = 0, f = 1 + noise_pct * noise(&seed);

		for (size_t k = 0; k < SLOTS; k++)
			total += shape(w, k);
		for (int i = 0; holidays && holidays[i] >= 0; i++)
			f *= holidays[i] == (int)d ? holiday : 1;
		for (size_t k = 0; k < SLOTS; k++) {
			double v = week_volume[w] * f * shape(w, k) / total;

			s->offered[d * SLOTS + k] = v;
			s->aht_sum[d * SLOTS + k] = v * 180;
			s->aht_weight[d * SLOTS + k] = v;
		}
	}
	return s;
}

static void test_intraday_profile_sums_to_one(void **state)
{
	double profile[7][SLOTS];
	struct forecast_series *s = centre(35, NULL, 1, 0.05);
	bool special[35] = {0};

	(void)state;
	for (size_t k = 0; k < SLOTS; k++) { /* Sundays: never a contact */
		for (size_t d = 6; d < 35; d += 7)
			s->offered[d * SLOTS + k] = 0;
	}
	special[2] = true;
	forecast_profile(s, 35, special, profile);
	for (int w = 0; w < 7; w++) {
		double sum = 0;

		for (size_t k = 0; k < SLOTS; k++)
			sum += profile[w][k];
		assert_close(sum, 1, 1e-12);
	}
	assert_true(profile[0][7 * 4] == 0 && profile[0][8 * 4] > 0);
	assert_true(profile[5][15 * 4] == 0);
	/* Sunday borrows the mean profile, which has the evening hours */
	assert_true(profile[6][16 * 4] > 0);
	forecast_series_free(s);
}

static struct forecast *run(const struct forecast_series *s,
			    enum hw_seasonal model,
			    const struct forecast_special *sp, size_t nsp)
{
	struct forecast_opts o = {
		.seasonal = model, .days = 14, .special = sp, .nspecial = nsp};
	struct forecast *f = NULL;
	char msg[256] = "";
	int err = forecast_run(&f, s, &o, msg, sizeof(msg));

	if (err)
		fail_msg("forecast_run: %d %s", err, msg);
	return f;
}

static void test_weekly_pattern_is_forecast_closely(void **state)
{
	struct forecast_series *s = centre(84, NULL, 1, 0.02);
	struct forecast *f = run(s, HW_ADDITIVE, NULL, 0);

	(void)state;
	assert_true(f->holdout);
	assert_true(f->mape < 0.03 && f->wape < 0.03);
	assert_true(f->interval_wape < 0.05);
	assert_true(f->first_day == monday + 84);
	for (int d = 0; d < 14; d++)
		assert_close(f->daily[d], week_volume[d % 7], 0.04);
	assert_close(f->aht[0][40], 180, 1e-12);
	assert_true(isnan(f->aht[0][0]));
	forecast_series_free(s);
	forecast_free(f);
}

static void test_interval_forecast_is_daily_times_profile(void **state)
{
	struct forecast_series *s = centre(42, NULL, 1, 0.03);
	struct forecast *f = run(s, HW_MULTIPLICATIVE, NULL, 0);

	(void)state;
	for (int d = 0; d < f->days; d++) {
		int w = forecast_weekday(f->first_day + d);
		double sum = 0;

		for (size_t k = 0; k < SLOTS; k++) {
			double v = f->interval[(size_t)d * SLOTS + k];

			assert_true(v == f->daily[d] * f->profile[w][k]);
			sum += v;
		}
		assert_close(sum, f->daily[d], 1e-12);
	}
	forecast_series_free(s);
	forecast_free(f);
}

/*
 * Holidays in the history run at 25 % of an ordinary day: they are left
 * out of the fit, their factor is learnt (≈ 0.25) and a future holiday
 * gets it, unless the list gives one.
 */
static void test_holidays_are_learnt_and_applied(void **state)
{
	static const int past[] = {10, 31, 52, -1};
	struct forecast_special sp[4] = {
		{monday + 10, NAN},
		{monday + 31, NAN},
		{monday + 52, NAN},
		{monday + 70 + 3, NAN}, /* in the forecast, a Thursday */
	};
	struct forecast_series *s = centre(70, past, 0.25, 0.01);
	struct forecast *f = run(s, HW_ADDITIVE, sp, 4);
	struct forecast *g;

	(void)state;
	assert_int_equal(f->factor_days, 3);
	assert_close(f->factor, 0.25, 0.05);
	assert_close(f->daily[3], 0.25 * week_volume[3], 0.06);
	assert_close(f->daily[10], week_volume[3], 0.03);
	assert_int_equal(f->model->fitted_days, 70 - 7 - 3);
	sp[3].factor = 0;
	g = run(s, HW_ADDITIVE, sp, 4);
	assert_true(g->daily[3] == 0);
	for (size_t k = 0; k < SLOTS; k++)
		assert_true(g->interval[3 * SLOTS + k] == 0);
	forecast_free(g);
	forecast_free(f);
	forecast_series_free(s);
}

static void test_no_past_holiday_means_factor_one(void **state)
{
	struct forecast_special sp = {monday + 60, NAN};
	struct forecast_series *s = centre(56, NULL, 1, 0.01);
	struct forecast *f = run(s, HW_ADDITIVE, &sp, 1);

	(void)state;
	assert_int_equal(f->factor_days, 0);
	assert_true(f->factor == 1);
	assert_close(f->daily[4], week_volume[4], 0.03);
	forecast_free(f);
	forecast_series_free(s);
}

static void test_history_under_two_weeks_is_refused(void **state)
{
	struct forecast_opts o = {.days = 7};
	struct forecast_series *s = centre(13, NULL, 1, 0);
	struct forecast *f = NULL;
	char msg[256] = "";

	(void)state;
	assert_int_equal(forecast_run(&f, s, &o, msg, sizeof(msg)), EINVAL);
	assert_null(f);
	assert_non_null(strstr(msg, "two weeks"));
	o.days = 0;
	s->ndays = 14;
	assert_int_equal(forecast_run(&f, s, &o, msg, sizeof(msg)), EINVAL);
	forecast_series_free(s);
}

/* Under 28 days there is no hold-out, but still a forecast. */
static void test_short_history_has_no_holdout(void **state)
{
	struct forecast_series *s = centre(20, NULL, 1, 0.01);
	struct forecast *f = run(s, HW_ADDITIVE, NULL, 0);

	(void)state;
	assert_false(f->holdout);
	assert_true(isnan(f->mape));
	assert_true(f->daily[0] > 0);
	forecast_free(f);
	forecast_series_free(s);
}

static void test_multiplicative_needs_contacts_every_ordinary_day(void **state)
{
	static const int closed[] = {30, -1};
	struct forecast_special sp = {monday + 30, NAN};
	struct forecast_opts o = {.seasonal = HW_MULTIPLICATIVE, .days = 7};
	struct forecast_series *s = centre(42, closed, 0, 0.01);
	struct forecast *f = NULL;
	char msg[256] = "";

	(void)state;
	assert_int_equal(forecast_run(&f, s, &o, msg, sizeof(msg)), EINVAL);
	assert_non_null(strstr(msg, "2026-04-01 has no contacts"));
	o.special = &sp;
	o.nspecial = 1;
	assert_int_equal(forecast_run(&f, s, &o, msg, sizeof(msg)), 0);
	assert_true(f->factor == 0);
	forecast_free(f);
	forecast_series_free(s);
}

/* ---- the CSV reader --------------------------------------------------- */

static struct forecast_history *parse(const char *text, const struct tz *tz)
{
	struct forecast_history *h = NULL;
	struct forecast_csv_error e;
	int err = forecast_csv_parse(&h, text, strlen(text), tz, &e);

	if (err)
		fail_msg("parse: line %zu: %s", e.line, e.msg);
	return h;
}

static void test_csv_reads_rfc4180(void **state)
{
	static const char text[] =
		"\xef\xbb\xbf"
		"Queue,extra,START,offered,aht_s\r\n"
		"billing,x,2026-03-02 08:00,12,180\r\n"
		"\r\n"
		"\"sales, \"\"north\"\"\",\"two\nlines\",2026-03-02 "
		"08:15,3.5,\r\n"
		"billing,\"a,b\", 2026-03-02T08:15 ,0,\r\n"
		"billing,y,2026-03-03 23:45:00,7,200.25";
	struct forecast_history *h = parse(text, NULL);

	(void)state;
	assert_int_equal(h->nrows, 4);
	assert_int_equal(h->nqueues, 2);
	assert_true(h->has_aht);
	assert_string_equal(h->queues[0], "billing");
	assert_string_equal(h->queues[1], "sales, \"north\"");
	/* rows come grouped by queue, in file order within a queue */
	assert_true(h->queue_rows[0] == 0 && h->queue_rows[1] == 3);
	assert_true(h->queue_rows[2] == 4 && h->last_day == monday + 1);
	assert_true(h->rows[0].day == monday && h->rows[0].slot == 32);
	assert_true(h->rows[0].offered == 12 && h->rows[0].aht_s == 180);
	assert_true(h->rows[1].queue == 0 && h->rows[1].slot == 33);
	assert_true(h->rows[2].day == monday + 1 && h->rows[2].slot == 95);
	assert_true(h->rows[2].aht_s == 200.25);
	assert_true(h->rows[3].queue == 1 && h->rows[3].offered == 3.5);
	assert_true(isnan(h->rows[3].aht_s));
	forecast_history_free(h);
}

/* Instants move to the zone's wall clock (Paris: +1 h in March). */
static void test_csv_instants_convert_to_the_zone(void **state)
{
	static const char text[] = "start,queue,offered\n"
				   "2026-03-02T07:15:00Z,q,1\n"
				   "2026-03-02T23:30:00.000Z,q,2\n"
				   "2026-03-02T09:45+01:00,q,3\n"
				   "2026-03-02 10:00,q,4\n";
	struct forecast_history *h;
	struct tz *paris = NULL;

	(void)state;
	assert_int_equal(tz_parse_posix(&paris, "CET-1CEST,M3.5.0,M10.5.0/3"),
			 0);
	h = parse(text, paris);
	assert_false(h->has_aht);
	assert_true(h->rows[0].day == monday && h->rows[0].slot == 33);
	assert_true(h->rows[1].day == monday + 1 && h->rows[1].slot == 2);
	assert_true(h->rows[2].day == monday && h->rows[2].slot == 39);
	assert_true(h->rows[3].day == monday && h->rows[3].slot == 40);
	forecast_history_free(h);
	h = parse(text, NULL); /* no zone: UTC */
	assert_true(h->rows[0].slot == 29 && h->rows[1].slot == 94);
	assert_true(h->rows[2].slot == 35);
	forecast_history_free(h);
	tz_free(paris);
}

struct bad_csv {
	const char *text;
	size_t line;
	const char *says;
};

static void test_csv_errors_name_the_line(void **state)
{
	static const struct bad_csv cases[] = {
		{"", 1, "empty"},
		{"\n\n", 3, "empty"},
		{"start,queue\n", 1, "offered"},
		{"start,queue,offered,Start\n", 1, "twice"},
		{"start,queue,offered\n", 2, "no rows"},
		{"start,queue,offered\n2026-03-02 08:00,q,1\nx,q,1\n", 3,
		 "not a date"},
		{"start,queue,offered\n2026-03-02 08:10,q,1\n", 2, "15-minute"},
		{"start,queue,offered\n2026-03-02 08:00:30,q,1\n", 2,
		 "15-minute"},
		{"start,queue,offered\n2026-02-29 08:00,q,1\n", 2,
		 "not a date"},
		{"start,queue,offered\n2026-03-02 24:00,q,1\n", 2,
		 "not a date"},
		{"start,queue,offered\n2026-03-02 08:00,q,-1\n", 2,
		 "not a number"},
		{"start,queue,offered\n2026-03-02 08:00,q,1e3\n", 2,
		 "not a number"},
		{"start,queue,offered\n2026-03-02 08:00,q,\n", 2,
		 "not a number"},
		{"start,queue,offered\n2026-03-02 08:00,q,2000000000\n", 2,
		 "not a number"},
		{"start,queue,offered,aht_s\n2026-03-02 08:00,q,1,abc\n", 2,
		 "aht_s"},
		{"start,queue,offered\n2026-03-02 08:00,,1\n", 2, "empty"},
		{"start,queue,offered\n2026-03-02 08:00,q,1,2\n", 2,
		 "4 fields"},
		{"start,queue,offered\n\"a\nb\nc\",q,1\n2026-03-02,q\n", 2,
		 "not a date"},
		{"start,queue,x,offered\n2026-03-02 08:00,q,\"a\nb\",1\n"
		 "x,q,,1\n",
		 4, "not a date"},
		{"start,queue,offered\n2026-03-02 08:00,\"q,1\n", 2,
		 "not closed"},
		{"start,queue,offered\n2026-03-02 08:00,\"q\"x,1\n", 2,
		 "closing quote"},
		{"start,queue,offered\n2026-03-02 08:00,q\"x,1\n", 2,
		 "quote inside"},
		{"start,queue,offered\r2026-03-02 08:00,q,1\n", 1,
		 "carriage return"},
		{"start,queue,offered\n2026-03-02 08:00,q\tx,1\n", 2,
		 "control"},
		{"start,queue,offered\n2026-03-02 08:00,"
		 "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
		 "qqqqqq,1\n",
		 2, "longer than 64"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct forecast_history *h = NULL;
		struct forecast_csv_error e;
		int err = forecast_csv_parse(&h, cases[i].text,
					     strlen(cases[i].text), NULL, &e);

		if (err != EINVAL || h || e.line != cases[i].line ||
		    !strstr(e.msg, cases[i].says))
			fail_msg("case %zu: err %d, line %zu, '%s'", i, err,
				 e.line, e.msg);
	}
}

static void test_csv_refuses_nul_bytes(void **state)
{
	static const char text[] =
		"start,queue,offered\n2026-03-02 08:00,q\0,1\n";
	struct forecast_history *h = NULL;
	struct forecast_csv_error e;

	(void)state;
	assert_int_equal(
		forecast_csv_parse(&h, text, sizeof(text) - 1, NULL, &e),
		EINVAL);
	assert_non_null(strstr(e.msg, "NUL"));
}

/* Rows of one interval add up; days without rows are days without calls. */
static void test_series_adds_rows_and_fills_gaps(void **state)
{
	static const char text[] = "start,queue,offered,aht_s\n"
				   "2026-03-02 08:00,a,10,100\n"
				   "2026-03-02 08:00,a,30,200\n"
				   "2026-03-02 09:00,b,5,\n"
				   "2026-03-05 08:00,a,1,\n";
	struct forecast_history *h = parse(text, NULL);
	struct forecast_series *s = NULL;

	(void)state;
	assert_int_equal(forecast_series_build(&s, h, 0, NULL, 0), 0);
	assert_true(s->first_day == monday && s->ndays == 4);
	assert_true(s->offered[32] == 40);
	assert_true(s->aht_sum[32] / s->aht_weight[32] == 175);
	assert_true(s->offered[SLOTS + 32] == 0);
	assert_true(s->offered[3 * SLOTS + 32] == 1);
	assert_true(s->aht_weight[3 * SLOTS + 32] == 0);
	forecast_series_free(s);
	/* b ends with the file: its three days without rows are zeros */
	assert_int_equal(forecast_series_build(&s, h, 1, NULL, 0), 0);
	assert_true(s->ndays == 4 && s->offered[36] == 5);
	assert_true(s->offered[3 * SLOTS + 32] == 0);
	forecast_series_free(s);
	assert_int_equal(forecast_series_build(&s, h, 2, NULL, 0), EINVAL);
	forecast_history_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_measures_worked_by_hand),
		cmocka_unit_test(test_weekdays_of_known_dates),
		cmocka_unit_test(test_intraday_profile_sums_to_one),
		cmocka_unit_test(test_weekly_pattern_is_forecast_closely),
		cmocka_unit_test(test_interval_forecast_is_daily_times_profile),
		cmocka_unit_test(test_holidays_are_learnt_and_applied),
		cmocka_unit_test(test_no_past_holiday_means_factor_one),
		cmocka_unit_test(test_history_under_two_weeks_is_refused),
		cmocka_unit_test(test_short_history_has_no_holdout),
		cmocka_unit_test(
			test_multiplicative_needs_contacts_every_ordinary_day),
		cmocka_unit_test(test_csv_reads_rfc4180),
		cmocka_unit_test(test_csv_instants_convert_to_the_zone),
		cmocka_unit_test(test_csv_errors_name_the_line),
		cmocka_unit_test(test_csv_refuses_nul_bytes),
		cmocka_unit_test(test_series_adds_rows_and_fills_gaps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
