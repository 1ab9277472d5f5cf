/*
 * Holt-Winters against R 4.2.2's stats::HoltWinters on the co2 dataset
 * (tests/data/co2.csv; vectors F1 and F2 of the WFM research notes, and
 * R's multiplicative fit), a case small enough to follow by hand, special
 * days, and the refusals.
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

#include "core/holtwinters.h"

#define CO2_N 468

static double co2[CO2_N];

static void assert_close(double got, double want, double rel)
{
	double tol = rel * fmax(fabs(want), 1e-300);

	if (!(fabs(got - want) <= tol))
		fail_msg("got %.15g, want %.15g (relative tolerance %g)", got,
			 want, rel);
}

/* tests/data/co2.csv: comment lines, a header, then month,value. */
static int load_co2(void **state)
{
	const char *dir = getenv("RELAIS_SOURCE_DIR");
	char path[1024], line[256];
	size_t n = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/data/co2.csv", dir ? dir : ".");
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *comma = strchr(line, ',');

		if (line[0] == '#' || !comma || !strncmp(line, "month", 5))
			continue;
		if (n < CO2_N)
			co2[n] = strtod(comma + 1, NULL);
		n++;
	}
	fclose(f);
	return n == CO2_N ? 0 : -1;
}

static struct hw *fit(enum hw_seasonal s, const struct hw_params *fixed)
{
	struct hw_opts o = {.seasonal = s, .period = 12, .fixed = fixed};
	struct hw *hw = NULL;
	char msg[200];

	assert_int_equal(holtwinters_fit(&hw, co2, CO2_N, &o, msg, sizeof(msg)),
			 0);
	return hw;
}

static void assert_season(const struct hw *hw, const double *want, double rel)
{
	for (size_t k = 0; k < 12; k++)
		assert_close(hw->season[k], want[k], rel);
}

/* R: decompose(ts(co2[1:24], frequency = 12)) and the .lm.fit on its trend. */
static void test_start_values_are_rs_decomposition(void **state)
{
	static const double fig[12] = {
		-0.234444444444459, 0.192638888888913, 0.743888888888894,
		2.15972222222219,   3.13138888888888,  2.65888888888892,
		0.480138888888822,  -1.31611111111111, -2.34527777777775,
		-2.93819444444447,  -1.58527777777776, -0.947361111111074};
	struct hw *hw = fit(HW_ADDITIVE, &(struct hw_params){0.5, 0.01, 0.5});

	(void)state;
	assert_close(hw->level0, 315.765763888889, 1e-13);
	assert_close(hw->trend0, 0.0883012820512775, 1e-11);
	for (size_t k = 0; k < 12; k++)
		assert_close(hw->season0[k], fig[k], 1e-11);
	assert_true(isnan(hw->fitted[11]));
	assert_close(hw->fitted[12], 315.619620726496, 1e-13);
	assert_close(hw->fitted[14], 317.281259381544, 1e-13);
	holtwinters_free(hw);
}

/* F2: HoltWinters(co2, alpha = 0.5, beta = 0.01, gamma = 0.5). */
static void test_fixed_parameters_match_r_f2(void **state)
{
	static const double s[12] = {
		0.232087743200844, 0.973408076564938, 1.60403408233246,
		2.88593272965,	   3.28613862518676,  2.44020408003599,
		0.917748335676796, -1.36388502126651, -3.41500548473628,
		-3.25137532970239, -1.90321361290793, -0.561155879508894};
	struct hw *hw = fit(HW_ADDITIVE, &(struct hw_params){0.5, 0.01, 0.5});

	(void)state;
	assert_close(hw->level, 364.743789040967, 1e-12);
	assert_close(hw->trend, 0.125199648941796, 1e-9);
	assert_close(hw->sse, 43.2068612976086, 1e-10);
	assert_season(hw, s, 1e-9);
	assert_int_equal(hw->fitted_days, CO2_N - 12);
	assert_int_equal(hw->iterations, 0);
	holtwinters_free(hw);
}

/* F1: HoltWinters(co2), parameters by L-BFGS-B from (0.3, 0.1, 0.1). */
static void test_fitted_parameters_match_r_f1(void **state)
{
	static const double s[12] = {
		0.221527459955157, 0.955280060451292, 1.59847439486225,
		2.87580291519829,  3.28200883534773,  2.44069898939628,
		0.896943263584938, -1.37964276138164, -3.41123761724334,
		-3.25701626483366, -1.91348502861714, -0.584424985579845};
	struct hw *hw = fit(HW_ADDITIVE, NULL);

	(void)state;
	assert_int_equal(hw->status, LBFGSB_CONVERGED);
	assert_close(hw->params.alpha, 0.512648443564179, 1e-8);
	assert_close(hw->params.beta, 0.00949766904602902, 1e-8);
	assert_close(hw->params.gamma, 0.472886787994818, 1e-8);
	assert_close(hw->sse, 43.1298613676973, 1e-12);
	assert_close(hw->level, 364.761623668987, 1e-12);
	assert_close(hw->trend, 0.124743804250424, 1e-8);
	assert_season(hw, s, 1e-8);
	assert_close(holtwinters_forecast(hw, 1), 365.107894933193, 1e-12);
	assert_close(holtwinters_forecast(hw, 2), 365.966391337939, 1e-12);
	assert_close(holtwinters_forecast(hw, 3), 366.7343294766, 1e-12);
	holtwinters_free(hw);
}

/*
 * HoltWinters(co2, seasonal = "multiplicative"). R stops this one with
 * ABNORMAL_TERMINATION_IN_LNSRCH after its 12th step; the 13th line search
 * here moves by 5e-7 at noise level and ends normally, at the same point.
 */
static void test_multiplicative_fit_matches_r(void **state)
{
	static const double s[12] = {
		1.00042802450364, 1.00244839309182,  1.00433373516285,
		1.00792070685629, 1.00915651071797,  1.00690723351817,
		1.00256302529203, 0.996273076052586, 0.990649583412869,
		0.99092639958575, 0.99455685473595,  0.998146799803017};
	struct hw *hw = fit(HW_MULTIPLICATIVE, NULL);

	(void)state;
	assert_close(hw->params.alpha, 0.51578723520291, 1e-8);
	assert_close(hw->params.beta, 0.00969610450928587, 1e-8);
	assert_close(hw->params.gamma, 0.415592455595609, 1e-8);
	assert_close(hw->sse, 42.387488140602, 1e-12);
	assert_close(hw->level, 364.828245709373, 1e-12);
	assert_close(hw->trend, 0.125514984537214, 1e-8);
	assert_season(hw, s, 1e-10);
	assert_close(holtwinters_forecast(hw, 1), 365.109969846184, 1e-12);
	assert_close(holtwinters_forecast(hw, 2), 365.973133254983, 1e-12);
	assert_close(holtwinters_forecast(hw, 3), 366.787491505924, 1e-12);
	holtwinters_free(hw);
}

static void test_multiplicative_fixed_parameters_match_r(void **state)
{
	struct hw *hw =
		fit(HW_MULTIPLICATIVE, &(struct hw_params){0.5, 0.01, 0.5});

	(void)state;
	assert_close(hw->sse, 42.7375813496605, 1e-10);
	assert_close(hw->level, 364.775310339433, 1e-12);
	assert_close(hw->trend, 0.125558117713821, 1e-9);
	assert_close(hw->season[0], 1.00054847413428, 1e-12);
	assert_close(hw->season[11], 0.998364065345978, 1e-12);
	holtwinters_free(hw);
}

/*
 * m = 2, y = 1 3 2 4, α = β = γ = 0.5, worked by hand (and equal to R):
 * trend 2.25, 2.75 → ℓ0 = 1.75, b0 = 0.5; s = −0.75, 0.75;
 * t = 2: ŷ = 1.5, ℓ = 2.5, b = 0.625, s = −0.625;
 * t = 3: ŷ = 3.875, ℓ = 3.1875, b = 0.65625, s = 0.78125;
 * SSE = 0.5² + 0.125² = 0.265625; ŷ(h = 1) = 3.21875.
 */
static void test_small_case_worked_by_hand(void **state)
{
	static const double y[4] = {1, 3, 2, 4};
	struct hw_params p = {0.5, 0.5, 0.5};
	struct hw_opts o = {.period = 2, .fixed = &p};
	struct hw *hw = NULL;

	(void)state;
	assert_int_equal(holtwinters_fit(&hw, y, 4, &o, NULL, 0), 0);
	assert_true(hw->level0 == 1.75 && hw->trend0 == 0.5);
	assert_true(hw->season0[0] == -0.75 && hw->season0[1] == 0.75);
	assert_true(hw->fitted[2] == 1.5 && hw->fitted[3] == 3.875);
	assert_true(hw->level == 3.1875 && hw->trend == 0.65625);
	assert_true(hw->season[0] == -0.625 && hw->season[1] == 0.78125);
	assert_true(hw->sse == 0.265625);
	assert_true(holtwinters_forecast(hw, 1) == 3.21875);
	holtwinters_free(hw);
}

/* A small deterministic noise in [-1, 1]. */
static double noise(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return (double)(*seed >> 8) / (double)(1u << 23) - 1;
}

/*
 * A series made by a multiplicative model (level 100 + 0.5 t, a season
 * from 0.7 to 1.3, 1 % noise) is recovered: the forecasts of the next
 * season are within 2 % of the model's, and the multiplicative fit beats
 * the additive one.
 */
static void test_multiplicative_model_is_recovered(void **state)
{
	static const double season[12] = {0.7, 0.8,  0.9,  1.0,	 1.1,  1.2,
					  1.3, 1.25, 1.15, 1.05, 0.95, 0.6};
	struct hw_opts o = {.seasonal = HW_MULTIPLICATIVE, .period = 12};
	struct hw *mult = NULL, *add = NULL;
	double y[120];
	uint32_t seed = 7;

	(void)state;
	for (size_t t = 0; t < 120; t++)
		y[t] = (100 + 0.5 * (double)t) * season[t % 12] *
		       (1 + 0.01 * noise(&seed));
	assert_int_equal(holtwinters_fit(&mult, y, 120, &o, NULL, 0), 0);
	o.seasonal = HW_ADDITIVE;
	assert_int_equal(holtwinters_fit(&add, y, 120, &o, NULL, 0), 0);
	for (size_t h = 1; h <= 12; h++) {
		double truth = (100 + 0.5 * (double)(119 + h)) *
			       season[(119 + h) % 12];

		assert_close(holtwinters_forecast(mult, h), truth, 0.02);
	}
	assert_true(mult->sse < add->sse);
	assert_true(mult->params.alpha >= 0 && mult->params.alpha <= 1);
	holtwinters_free(mult);
	holtwinters_free(add);
}

/*
 * A special day is as if it had been forecast exactly: same state and
 * SSE as the series where its value is replaced by the one-step forecast.
 */
static void test_special_day_is_left_out_of_the_fit(void **state)
{
	struct hw_params p = {0.5, 0.01, 0.5};
	struct hw_opts o = {.period = 12, .fixed = &p};
	struct hw *with = NULL, *replaced = NULL;
	static bool special[CO2_N];
	double y[CO2_N];

	(void)state;
	memcpy(y, co2, sizeof(y));
	y[300] = 1000; /* an outlier */
	special[300] = true;
	o.special = special;
	assert_int_equal(holtwinters_fit(&with, y, CO2_N, &o, NULL, 0), 0);
	y[300] = with->fitted[300];
	o.special = NULL;
	assert_int_equal(holtwinters_fit(&replaced, y, CO2_N, &o, NULL, 0), 0);
	assert_true(with->level == replaced->level);
	assert_true(with->trend == replaced->trend);
	assert_true(with->sse == replaced->sse);
	assert_int_equal(with->fitted_days, CO2_N - 12 - 1);
	assert_int_equal(replaced->fitted_days, CO2_N - 12);
	holtwinters_free(with);
	holtwinters_free(replaced);
}

/* In the first two seasons a special value borrows the other season's. */
static void test_special_day_in_start_window_borrows_other_season(void **state)
{
	struct hw_params p = {0.5, 0.01, 0.5};
	struct hw_opts o = {.period = 12, .fixed = &p};
	struct hw *ref = NULL, *hw = NULL;
	static bool special[CO2_N];
	double y[CO2_N];

	(void)state;
	memcpy(y, co2, sizeof(y));
	y[3] = y[15];
	assert_int_equal(holtwinters_fit(&ref, y, CO2_N, &o, NULL, 0), 0);
	y[3] = -50;
	special[3] = true;
	o.special = special;
	assert_int_equal(holtwinters_fit(&hw, y, CO2_N, &o, NULL, 0), 0);
	assert_true(hw->level0 == ref->level0 && hw->trend0 == ref->trend0);
	assert_true(hw->season0[3] == ref->season0[3]);
	assert_true(hw->sse == ref->sse);
	holtwinters_free(ref);
	holtwinters_free(hw);
}

static void test_series_shorter_than_two_seasons_is_refused(void **state)
{
	struct hw_opts o = {.period = 12};
	struct hw *hw = NULL;
	char msg[200] = "";

	(void)state;
	assert_int_equal(holtwinters_fit(&hw, co2, 23, &o, msg, sizeof(msg)),
			 EINVAL);
	assert_null(hw);
	assert_non_null(strstr(msg, "two seasons"));
	assert_int_equal(holtwinters_fit(&hw, co2, 24, &o, msg, sizeof(msg)),
			 0);
	holtwinters_free(hw);
	o.period = 1;
	assert_int_equal(holtwinters_fit(&hw, co2, 24, &o, msg, sizeof(msg)),
			 EINVAL);
}

static void test_bad_values_and_parameters_are_refused(void **state)
{
	struct hw_params zero_alpha = {0, 0.1, 0.1}, big = {0.5, 1.5, 0.1};
	struct hw_opts o = {.period = 12};
	struct hw *hw = NULL;
	double y[48];
	char msg[200] = "";

	(void)state;
	memcpy(y, co2, sizeof(y));
	o.fixed = &zero_alpha;
	assert_int_equal(holtwinters_fit(&hw, y, 48, &o, msg, sizeof(msg)),
			 EINVAL);
	o.fixed = &big;
	assert_int_equal(holtwinters_fit(&hw, y, 48, &o, msg, sizeof(msg)),
			 EINVAL);
	o.fixed = NULL;
	y[30] = NAN;
	assert_int_equal(holtwinters_fit(&hw, y, 48, &o, msg, sizeof(msg)),
			 EINVAL);
	y[30] = 0;
	o.seasonal = HW_MULTIPLICATIVE;
	assert_int_equal(holtwinters_fit(&hw, y, 48, &o, msg, sizeof(msg)),
			 EINVAL);
	assert_non_null(strstr(msg, "positive"));
	o.seasonal = HW_ADDITIVE;
	assert_int_equal(holtwinters_fit(&hw, y, 48, &o, msg, sizeof(msg)), 0);
	holtwinters_free(hw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_values_are_rs_decomposition),
		cmocka_unit_test(test_fixed_parameters_match_r_f2),
		cmocka_unit_test(test_fitted_parameters_match_r_f1),
		cmocka_unit_test(test_multiplicative_fit_matches_r),
		cmocka_unit_test(test_multiplicative_fixed_parameters_match_r),
		cmocka_unit_test(test_small_case_worked_by_hand),
		cmocka_unit_test(test_multiplicative_model_is_recovered),
		cmocka_unit_test(test_special_day_is_left_out_of_the_fit),
		cmocka_unit_test(
			test_special_day_in_start_window_borrows_other_season),
		cmocka_unit_test(
			test_series_shorter_than_two_seasons_is_refused),
		cmocka_unit_test(test_bad_values_and_parameters_are_refused),
	};

	return cmocka_run_group_tests(tests, load_co2, NULL);
}
