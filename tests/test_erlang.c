/*
 * Erlang B, C and A and the staffing search, against the test vectors of
 * wfm-anchors §2 (B1-B6, C1-C6, A1, A2, A6, K1) to the digits printed
 * there, against references recomputed here to 40 digits (Python decimal:
 * exact sums for B, the truncated birth-death chain for A), and against
 * the properties every model must keep: monotone in the staff, finite at
 * n = 100,000, Erlang A tending to Erlang C as patience grows, staffing
 * that is the smallest n. Time unit: seconds; wfm-anchors quotes minutes.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/erlang.h"
#include "core/gammainc.h"

/* |actual − expected| within half a unit of the digits-th digit. */
static void check_sig(double actual, double expected, int digits,
		      const char *what)
{
	double unit = pow(10, floor(log10(fabs(expected))) - digits + 1);

	if (!(fabs(actual - expected) <= 0.5 * unit))
		fail_msg("%s = %.12g, expected %.*g", what, actual, digits,
			 expected);
}

static void check_rel(double actual, double expected, double rel,
		      const char *what)
{
	if (!(fabs(actual - expected) <= rel * fabs(expected)))
		fail_msg("%s = %.17g, expected %.17g (rel %.1g)", what, actual,
			 expected, rel);
}

static struct erlang_out eval(enum erlang_model m, int n, struct erlang_in in)
{
	struct erlang_out o;
	char msg[160] = "";
	int rc = erlang_eval(m, n, &in, &o, msg, sizeof(msg));

	if (rc)
		fail_msg("erlang_eval(%d, %d): %s", m, n, msg);
	return o;
}

static struct erlang_staffing staff(enum erlang_model m, struct erlang_in in,
				    struct erlang_target t)
{
	struct erlang_staffing st;
	char msg[160] = "";
	int rc = erlang_staff(m, &in, &t, &st, msg, sizeof(msg));

	if (rc)
		fail_msg("erlang_staff(%d): %s", m, msg);
	return st;
}

/* 100 calls per 30 minutes, AHT 3 minutes: 10 Erlangs (C2, C3, C4, A1). */
static const struct erlang_in ten = {100, 1800, 180, 20, 0};
static const struct erlang_in ten_a = {100, 1800, 180, 20, 300};

/* ---- the incomplete gamma functions ---------------------------------- */

static void test_gammainc_p_of_one_is_one_minus_exp(void **state)
{
	(void)state;
	for (double x = 0.01; x < 50; x *= 1.7) {
		check_rel(exp(gammainc_lnp(1, x)), -expm1(-x), 1e-14, "P(1,x)");
		check_rel(exp(gammainc_lnq(1, x)), exp(-x), 1e-13, "Q(1,x)");
	}
}

static void test_gammainc_p_of_one_half_is_erf(void **state)
{
	(void)state;
	for (double x = 0.01; x < 30; x *= 1.5) {
		check_rel(exp(gammainc_lnp(0.5, x)), erf(sqrt(x)), 1e-14,
			  "P(1/2,x)");
		check_rel(exp(gammainc_lnq(0.5, x)), erfc(sqrt(x)), 1e-12,
			  "Q(1/2,x)");
	}
}

/* Q(n + 1, A) is the Poisson distribution function at n. */
static void test_gammainc_q_is_the_poisson_cdf(void **state)
{
	(void)state;
	for (double a = 5; a <= 80; a += 5) {
		long double term = expl(-(long double)a), cdf = term;

		for (int k = 1; k <= 40; k++) {
			term *= (long double)a / k;
			cdf += term;
		}
		check_rel(exp(gammainc_lnq(41, a)), (double)cdf, 1e-13,
			  "Poisson cdf(40)");
	}
}

/* Kummer's series and its moments, summed term by term in long double. */
static void check_kummer(double a, double x)
{
	long double t = 1, s = 1, sj = 0, sh = 0, h = 0;
	struct gammainc_m m;

	for (int j = 1; j < 4000; j++) {
		t *= (long double)x / (a + j);
		h += 1.0L / (a + j);
		s += t;
		sj += j * t;
		sh += h * t;
	}
	gammainc_m(a, x, &m);
	check_rel(m.lnm, (double)logl(s), 1e-13, "ln M");
	check_rel(m.lnm1, (double)logl(s - 1), 1e-12, "ln(M - 1)");
	check_rel(m.mean_j, (double)(sj / s), 1e-12, "mean j");
	check_rel(m.mean_h, (double)(sh / s), 1e-12, "mean h");
}

static void test_gammainc_kummer_series_matches_term_by_term_sum(void **state)
{
	(void)state;
	check_kummer(23.333333333333333, 16.666666666666667); /* A1 */
	check_kummer(0, 3);				      /* e^x */
	check_kummer(10, 200);	/* mode far from 0 */
	check_kummer(150, 180); /* mode > 64: digamma */
	check_kummer(1e4, 10);	/* M − 1 tiny */
	check_rel(exp(gammainc_lnp(3, 2)), 0.32332358381693654, 1e-14,
		  "P(3,2)");
}

static void test_gammainc_stays_finite_for_huge_arguments(void **state)
{
	struct gammainc_m m;

	(void)state;
	for (double x = 0.99e9; x <= 1.01e9; x += 0.005e9) {
		double p = gammainc_lnp(1e9, x), q = gammainc_lnq(1e9, x);

		assert_true(isfinite(p) && p <= 0);
		assert_true(isfinite(q) && q <= 0);
		check_rel(exp(p) + exp(q), 1, 1e-12, "P + Q");
		gammainc_m(1e9, x, &m);
		assert_true(isfinite(m.lnm) && isfinite(m.mean_h));
	}
	/* P(a, a) → 1/2 + 1/(3√(2πa)) */
	check_rel(exp(gammainc_lnp(1e8, 1e8)),
		  0.5 + 1 / (3 * sqrt(2 * M_PI * 1e8)), 1e-8, "P(a,a)");
}

/* ---- Erlang B -------------------------------------------------------- */

static void test_b1_b2_one_erlang(void **state)
{
	(void)state;
	check_rel(erlang_b(1, 1), 0.5, 1e-15, "B(1,1)");
	check_rel(erlang_b(2, 1), 0.2, 1e-15, "B(2,1)");
}

/* B3: 10 Erlangs at 2 % blocking need 17 trunks, 25 with 30 % shrinkage. */
static void test_b3_ten_erlangs_at_two_percent_need_17_trunks(void **state)
{
	struct erlang_target t = {.max_blocking = 0.02, .shrinkage = 0.3};
	struct erlang_staffing st = staff(ERLANG_B, ten, t);

	(void)state;
	check_sig(erlang_b(16, 10), 0.022302, 5, "B(16,10)");
	check_sig(erlang_b(17, 10), 0.012949, 5, "B(17,10)");
	assert_int_equal(st.agents, 17);
	assert_int_equal(st.scheduled, 25);
	check_sig(st.at.blocking, 0.012949, 5, "blocking");
}

/* B4: 15 lines at 1 % blocking carry 8.108 Erlangs. */
static void test_b4_fifteen_lines_at_one_percent_carry_8_108(void **state)
{
	struct erlang_in in = {8.108, 1, 1, 0, 0};
	struct erlang_target t = {.max_blocking = 0.01};

	(void)state;
	check_sig(erlang_b_load(15, 0.01), 8.108, 4, "load");
	check_rel(erlang_b(15, erlang_b_load(15, 0.01)), 0.01, 1e-10, "B");
	check_sig(erlang_b(15, 8.108), 0.010000, 5, "B(15,8.108)");
	assert_int_equal(staff(ERLANG_B, in, t).agents, 15);
	in.calls = 8.11;
	assert_int_equal(staff(ERLANG_B, in, t).agents, 16);
}

static void test_b6_large_n_and_n_100000(void **state)
{
	(void)state;
	check_rel(erlang_b(10000, 9800), 5.3713040211e-04, 1e-10,
		  "B(10000,9800)");
	/* exact sum to 40 digits (GSL's incomplete gamma gives ...241) */
	check_rel(erlang_b(100000, 100000), 2.518893423546906e-03, 1e-10,
		  "B(100000,100000)");
	check_rel(erlang_b(20000, 20500), 2.610569966596517e-02, 1e-10,
		  "B(20000,20500)");
	assert_true(erlang_b(100000, 10) == 0);
	check_rel(erlang_b(100000, 1e7), 1 - 1e5 / 1e7, 1e-4, "overload");
}

/* Around n = 256 the recursion hands over to the incomplete gamma. */
static void test_b_recursion_and_log_form_agree(void **state)
{
	(void)state;
	for (int n = 250; n <= 270; n++) {
		long double b = 1, a = 0.93L * n;

		for (int k = 1; k <= n; k++)
			b = a * b / (k + a * b);
		check_rel(erlang_b(n, (double)a), (double)b, 1e-12, "B(n)");
	}
}

static void test_b_decreases_with_lines_and_grows_with_load(void **state)
{
	(void)state;
	for (int n = 1; n < 400; n++) {
		assert_true(erlang_b(n, 50) < erlang_b(n - 1, 50));
		assert_true(erlang_b(n, 50) < erlang_b(n, 50.5));
	}
	assert_true(erlang_b(2.5, 1) < erlang_b(2, 1));
	assert_true(erlang_b(2.5, 1) > erlang_b(3, 1));
}

static void test_b_edges_and_bad_input(void **state)
{
	(void)state;
	assert_true(erlang_b(0, 3) == 1);
	assert_true(erlang_b(5, 0) == 0);
	assert_true(isnan(erlang_b(-1, 3)));
	assert_true(isnan(erlang_b(3, -1)));
	assert_true(isnan(erlang_b(NAN, 1)));
	assert_true(isnan(erlang_b_load(15, 0)));
	assert_true(isnan(erlang_b_load(15, 1)));
}

/* ---- Erlang C -------------------------------------------------------- */

static void test_c1_three_agents_two_erlangs(void **state)
{
	struct erlang_in in = {2, 1, 1, 0, 0};

	(void)state;
	check_rel(eval(ERLANG_C, 3, in).p_wait, 4.0 / 9, 1e-14, "C(3,2)");
}

/* C2: the CRAN ErlangC README. */
static void test_c2_fourteen_and_eleven_agents(void **state)
{
	struct erlang_out o = eval(ERLANG_C, 14, ten);
	struct erlang_target t = {.service_level = 0.8};

	(void)state;
	check_sig(o.p_wait, 0.1741319, 7, "P(W>0)");
	check_sig(o.service_level, 0.88835, 5, "SL");
	check_rel(o.asa_s, 7.83593701177724, 1e-12, "ASA");
	check_sig(o.occupancy, 0.7142857, 7, "occupancy");
	o = eval(ERLANG_C, 11, ten);
	check_sig(o.p_wait, 0.6821182, 7, "P(W>0) n=11");
	check_sig(o.service_level, 0.3896138, 7, "SL n=11");
	assert_int_equal(staff(ERLANG_C, ten, t).agents, 14);
}

/* C3 (pyworkforce): 80 % / 20 s, occupancy ≤ 85 %, shrinkage 30 %. */
static void test_c3_staffing_gives_14_agents_20_positions(void **state)
{
	struct erlang_target t = {
		.service_level = 0.8, .max_occupancy = 0.85, .shrinkage = 0.3};
	struct erlang_staffing st = staff(ERLANG_C, ten, t);

	(void)state;
	assert_int_equal(st.agents, 14);
	assert_int_equal(st.scheduled, 20);
	check_sig(st.at.service_level, 0.888, 3, "SL");
	check_sig(st.at.occupancy, 0.714, 3, "occupancy");
	check_sig(st.at.p_wait, 0.174, 3, "P(W>0)");
}

/* C4: an occupancy cap of 70 % binds before the service level. */
static void test_c4_occupancy_cap_binds(void **state)
{
	struct erlang_target t = {
		.service_level = 0.8, .max_occupancy = 0.70, .shrinkage = 0.3};
	struct erlang_staffing st = staff(ERLANG_C, ten, t);

	(void)state;
	assert_int_equal(st.agents, 15);
	assert_int_equal(st.scheduled, 22);
	check_sig(st.at.service_level, 0.941453, 6, "SL");
	check_sig(st.at.occupancy, 0.667, 3, "occupancy");
	check_sig(st.at.p_wait, 0.102042, 6, "P(W>0)");
	assert_int_equal(st.unmet, ERLANG_GOAL_NONE);
}

/* C6: M/M/3, λ = 0.1, μ = 0.05: Lq = 0.889, sojourn W = 28.89. */
static void test_c6_mmc_queue_length_and_sojourn(void **state)
{
	struct erlang_in in = {0.1, 1, 20, 0, 0};
	struct erlang_out o = eval(ERLANG_C, 3, in);

	(void)state;
	check_sig(o.p_wait, 0.444444, 6, "pm");
	check_sig(o.asa_s * 0.1, 0.888889, 6, "Lq");
	check_sig(o.asa_s + 20, 28.8889, 6, "W");
}

static void test_c_is_monotone_in_agents(void **state)
{
	struct erlang_out prev = eval(ERLANG_C, 11, ten), o;

	(void)state;
	for (int n = 12; n < 60; n++) {
		o = eval(ERLANG_C, n, ten);
		assert_true(o.p_wait < prev.p_wait);
		assert_true(o.service_level >= prev.service_level);
		assert_true(o.asa_s < prev.asa_s);
		assert_true(o.occupancy < prev.occupancy);
		prev = o;
	}
}

static void test_c_without_steady_state_is_edom(void **state)
{
	struct erlang_out o;
	char msg[160] = "";

	(void)state;
	assert_int_equal(erlang_eval(ERLANG_C, 10, &ten, &o, msg, sizeof(msg)),
			 EDOM);
	assert_non_null(strstr(msg, "10 agents"));
	assert_int_equal(erlang_eval(ERLANG_C, 9, &ten, &o, NULL, 0), EDOM);
	/* Erlang A with no patience is Erlang C */
	assert_int_equal(erlang_eval(ERLANG_A, 10, &ten, &o, NULL, 0), EDOM);
}

/* ---- Erlang A -------------------------------------------------------- */

/* A1: pyworkforce's regression metrics; A2: derived in wfm-anchors. */
static void test_a1_a2_fourteen_agents_patience_five_minutes(void **state)
{
	struct erlang_out o = eval(ERLANG_A, 14, ten_a);
	double abandon_t = o.sl[ERLANG_SL_ABANDONS_MET] - o.service_level;

	(void)state;
	check_sig(o.p_wait, 0.14526, 5, "P(W>0)");
	check_sig(o.p_abandon, 0.013984, 5, "P(Ab)");
	check_sig(o.occupancy, 0.704297, 6, "occupancy");
	check_sig(o.asa_s / 60, 0.069919, 5, "E[W] (min)");
	check_sig(o.service_level, 0.916792, 6, "SL");
	check_sig(1 - o.sl[ERLANG_SL_ABANDONS_MET], 0.076044, 5, "P(W>20)");
	check_sig(abandon_t, 0.007164, 4, "P(Ab, W<=20)");
	check_sig(o.asa_answered_s / 60, 0.064641, 5, "ASA answered (min)");
	/* the birth-death chain to 40 digits */
	check_rel(o.p_wait, 0.1452601142963612, 1e-11, "P(W>0)");
	check_rel(o.p_abandon, 0.01398374412240894, 1e-11, "P(Ab)");
	check_rel(o.asa_s, 4.195123236722681, 1e-11, "E[W]");
}

/* The answered-only ASA is ∫ P(served, W > s) ds / (1 − P(Ab)), where
 * P(served, W > s) = 1 − P(Ab) − SL(s): Simpson on SL from the API. */
static double asa_by_simpson(enum erlang_model m, int n, struct erlang_in in)
{
	double pab = eval(m, n, in).p_abandon, h = 0.05, sum = 0;
	int steps = 40000; /* 2,000 s: P(served, W > s) is ~0 long before */

	for (int i = 0; i <= steps; i++) {
		in.threshold_s = i * h;
		sum += (i == 0 || i == steps ? 1
			: i % 2		     ? 4
					     : 2) *
		       (1 - pab - eval(m, n, in).service_level);
	}
	return sum * h / 3 / (1 - pab);
}

static void test_a_answered_asa_is_the_integral_of_late_answers(void **state)
{
	struct erlang_in in = ten_a;

	(void)state;
	check_rel(asa_by_simpson(ERLANG_A, 14, in),
		  eval(ERLANG_A, 14, in).asa_answered_s, 1e-8, "n=14");
	check_rel(asa_by_simpson(ERLANG_A, 8, in),
		  eval(ERLANG_A, 8, in).asa_answered_s, 1e-8, "overloaded");
	in.patience_s = 20;
	check_rel(asa_by_simpson(ERLANG_A, 11, in),
		  eval(ERLANG_A, 11, in).asa_answered_s, 1e-8, "impatient");
}

/* A6: the fluid limit, P(Ab) = 1 − nμ/λ, at n = 20,000. */
static void test_a6_overloaded_fluid_limit(void **state)
{
	struct erlang_in in = {20500, 1, 1, 0, 10};
	struct erlang_out o = eval(ERLANG_A, 20000, in);

	(void)state;
	check_sig(o.p_abandon, 0.02439024, 7, "P(Ab)");
	check_rel(o.p_abandon, 0.02439024390243902, 1e-10, "P(Ab) chain");
	check_rel(o.asa_s, 0.2439024390243902, 1e-10, "E[W]");
	check_rel(o.occupancy, 1, 1e-12, "occupancy");
	assert_true(o.p_wait <= 1 && o.p_wait > 1 - 1e-12);
}

static void test_a_tends_to_c_as_patience_grows(void **state)
{
	struct erlang_out c = eval(ERLANG_C, 14, ten), a;
	struct erlang_in in = ten_a;
	double gap = 1;

	(void)state;
	for (double p = 1e3; p <= 1e9; p *= 10) {
		double d;

		in.patience_s = p;
		a = eval(ERLANG_A, 14, in);
		d = fabs(a.service_level - c.service_level) +
		    fabs(a.p_wait - c.p_wait) +
		    fabs(a.asa_answered_s - c.asa_s) / c.asa_s;
		assert_true(d < gap);
		gap = d;
	}
	assert_true(gap < 1e-6);
	in.patience_s = INFINITY;
	check_rel(eval(ERLANG_A, 14, in).service_level, c.service_level, 1e-15,
		  "patience inf");
}

static void test_a_is_monotone_in_agents(void **state)
{
	struct erlang_out prev = eval(ERLANG_A, 1, ten_a), o;

	(void)state;
	for (int n = 2; n < 40; n++) {
		o = eval(ERLANG_A, n, ten_a);
		assert_true(o.p_wait < prev.p_wait);
		assert_true(o.p_abandon < prev.p_abandon);
		assert_true(o.asa_s < prev.asa_s);
		assert_true(o.asa_answered_s < prev.asa_answered_s);
		assert_true(o.occupancy < prev.occupancy);
		for (int v = 0; v < ERLANG_SL_MAX; v++)
			assert_true(o.sl[v] >= prev.sl[v]);
		prev = o;
	}
}

static void test_a_abandons_less_with_more_patience(void **state)
{
	struct erlang_in in = ten_a;
	double prev = 1;

	(void)state;
	for (in.patience_s = 10; in.patience_s < 1e5; in.patience_s *= 2) {
		double p = eval(ERLANG_A, 12, in).p_abandon;

		assert_true(p < prev);
		prev = p;
	}
}

/* K3: the Erlang A variants are the count variants of expected counts. */
static void test_a_variants_are_the_count_variants(void **state)
{
	struct erlang_out o = eval(ERLANG_A, 12, ten_a);
	double abandon_t = o.sl[ERLANG_SL_ABANDONS_MET] - o.service_level;
	double sl[ERLANG_SL_MAX];

	(void)state;
	erlang_sl_counts(o.service_level, 1 - o.p_abandon, abandon_t,
			 o.p_abandon, sl);
	for (int v = 0; v < ERLANG_SL_MAX; v++)
		check_rel(o.sl[v], sl[v], 1e-12, "variant");
}

/* K1: Cisco's worked example. */
static void test_k1_service_level_variants_of_counts(void **state)
{
	double sl[ERLANG_SL_MAX];

	(void)state;
	erlang_sl_counts(70, 90, 10, 10, sl);
	check_sig(sl[ERLANG_SL_OFFERED], 0.700, 3, "abandons count against");
	check_sig(sl[ERLANG_SL_ANSWERED], 0.778, 3, "ignore abandons");
	check_sig(sl[ERLANG_SL_EXCLUDE_ABANDONS_T], 0.778, 3,
		  "abandons before T leave");
	check_sig(sl[ERLANG_SL_ABANDONS_MET], 0.800, 3, "abandons met");
	erlang_sl_counts(0, 0, 0, 0, sl);
	assert_true(sl[ERLANG_SL_OFFERED] == 1);
}

static void test_a_with_no_agent_loses_everyone(void **state)
{
	struct erlang_out o = eval(ERLANG_A, 0, ten_a);

	(void)state;
	assert_true(o.p_wait == 1 && o.p_abandon == 1);
	assert_true(o.service_level == 0 && o.occupancy == 0);
	check_rel(o.asa_s, 300, 1e-15, "E[W]");
}

/* ---- all models at n = 100,000 -------------------------------------- */

static void check_finite(struct erlang_out out)
{
	const struct erlang_out *o = &out;

	const double *v[] = {&o->blocking,	&o->p_wait, &o->p_abandon,
			     &o->service_level, &o->asa_s,  &o->asa_answered_s,
			     &o->occupancy,	&o->sl[0],  &o->sl[1],
			     &o->sl[2],		&o->sl[3]};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!isfinite(*v[i]) || *v[i] < 0)
			fail_msg("output %zu is %g", i, *v[i]);
	assert_true(o->p_wait <= 1 && o->p_abandon <= 1 && o->occupancy <= 1);
}

static void test_n_100000_stays_finite(void **state)
{
	/* 100,000 agents, AHT 300 s, patience 180 s, half-hour intervals */
	struct erlang_in in = {0, 1800, 300, 20, 180};
	static const double rho[] = {0.5, 0.97, 0.999, 1.0, 1.2, 5};
	double beta, phi;

	(void)state;
	for (size_t i = 0; i < sizeof(rho) / sizeof(rho[0]); i++) {
		in.calls = rho[i] * 100000 * 1800 / 300;
		check_finite(eval(ERLANG_B, 100000, in));
		check_finite(eval(ERLANG_A, 100000, in));
		if (rho[i] < 1)
			check_finite(eval(ERLANG_C, 100000, in));
	}
	in.calls = 1.2 * 100000 * 1800 / 300;
	check_rel(eval(ERLANG_A, 100000, in).p_abandon, 1 - 1 / 1.2, 1e-2,
		  "fluid");
	/* Halfin-Whitt: P(W > 0) → 1 / (1 + β·Φ(β)/φ(β)), β = (n − A)/√A */
	in.calls = 0.999 * 100000 * 1800 / 300;
	beta = 100 / sqrt(99900);
	phi = exp(-beta * beta / 2) / sqrt(2 * M_PI);
	check_rel(eval(ERLANG_C, 100000, in).p_wait,
		  1 / (1 + beta * 0.5 * erfc(-beta / M_SQRT2) / phi), 1e-3,
		  "Halfin-Whitt");
}

/* ---- bad input ------------------------------------------------------- */

static void test_bad_input_is_einval_with_a_message(void **state)
{
	static const struct erlang_in bad[] = {
		{-1, 1800, 180, 20, 300},
		{100, 0, 180, 20, 300},
		{100, 1800, 0, 20, 300},
		{100, 1800, -180, 20, 300},
		{100, 1800, 180, -1, 300},
		{100, 1800, 180, 20, -300},
		{NAN, 1800, 180, 20, 300},
		{INFINITY, 1800, 180, 20, 300},
		{100, 1800, NAN, 20, 300},
		{1e6, 1, 1, 20, 1e7}, /* λ/θ = 10^13 terms of Erlang A */
	};
	struct erlang_out o;
	char msg[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg[0] = '\0';
		assert_int_equal(erlang_eval(ERLANG_A, 14, &bad[i], &o, msg,
					     sizeof(msg)),
				 EINVAL);
		assert_true(strlen(msg) > 10);
	}
	assert_int_equal(erlang_eval(ERLANG_A, -1, &ten_a, &o, NULL, 0),
			 EINVAL);
	assert_int_equal(
		erlang_eval((enum erlang_model)7, 1, &ten, &o, NULL, 0),
		EINVAL);
}

static void test_no_calls_need_no_agents(void **state)
{
	struct erlang_in in = {0, 900, 300, 20, 60};
	struct erlang_target t = {.service_level = 0.9, .shrinkage = 0.3};
	struct erlang_staffing st = staff(ERLANG_A, in, t);

	(void)state;
	assert_int_equal(st.agents, 0);
	assert_int_equal(st.scheduled, 0);
	assert_true(st.at.service_level == 1);
	assert_true(eval(ERLANG_C, 0, in).service_level == 1);
}

/* ---- staffing -------------------------------------------------------- */

static bool meets(enum erlang_model m, int n, struct erlang_in in,
		  const struct erlang_target *t)
{
	struct erlang_out o;

	if (erlang_eval(m, n, &in, &o, NULL, 0))
		return false;
	return (!(t->service_level > 0) ||
		o.sl[t->sl] >= t->service_level - 1e-12) &&
	       (!(t->max_asa_s > 0) || o.asa_answered_s <= t->max_asa_s) &&
	       (!(t->max_abandon > 0) || o.p_abandon <= t->max_abandon) &&
	       (!(t->max_blocking > 0) || o.blocking <= t->max_blocking) &&
	       (!(t->max_occupancy > 0) || o.occupancy <= t->max_occupancy);
}

static uint64_t rng = 0x5eedULL;

static double urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((rng >> 11) + 0.5) / 9007199254740992.0;
}

/* 600 random cases: the answer meets the targets, one agent less not. */
static void test_staffing_is_the_smallest_n_meeting_the_targets(void **state)
{
	(void)state;
	for (int i = 0; i < 600; i++) {
		enum erlang_model m = (enum erlang_model)(i % 3);
		struct erlang_in in = {
			.calls = floor(2000 * pow(urand(), 2)) + 1,
			.interval_s = 900,
			.aht_s = 60 + 540 * urand(),
			.threshold_s = 60 * urand(),
			.patience_s = 30 + 600 * urand(),
		};
		struct erlang_target t = {.shrinkage = 0.4 * urand()};
		struct erlang_staffing st;

		if (m == ERLANG_B) {
			t.max_blocking = 0.001 + 0.1 * urand();
		} else {
			t.service_level = 0.5 + 0.49 * urand();
			t.sl = (enum erlang_sl)(i % ERLANG_SL_MAX);
			t.max_asa_s = i % 4 == 1 ? 5 + 60 * urand() : 0;
			t.max_abandon =
				m == ERLANG_A && i % 5 == 2 ? 0.1 * urand() : 0;
		}
		t.max_occupancy = i % 7 == 3 ? 0.6 + 0.4 * urand() : 0;
		st = staff(m, in, t);
		if (!meets(m, st.agents, in, &t) ||
		    (st.agents > 1 && meets(m, st.agents - 1, in, &t)))
			fail_msg("case %d (model %d, calls %g, aht %g, t %g, "
				 "patience %g; sl %g/%d asa %g ab %g bl %g occ "
				 "%g): %d agents is not the smallest n",
				 i, m, in.calls, in.aht_s, in.threshold_s,
				 in.patience_s, t.service_level, t.sl,
				 t.max_asa_s, t.max_abandon, t.max_blocking,
				 t.max_occupancy, st.agents);
		assert_true(st.scheduled >= st.agents);
		assert_true(st.scheduled <=
			    ceil(st.agents / (1 - t.shrinkage)) + 1e-9);
	}
}

static void test_staffing_for_asa_and_abandonment(void **state)
{
	struct erlang_target asa = {.max_asa_s = 20};
	struct erlang_target ab = {.max_abandon = 0.014};
	struct erlang_staffing st;

	(void)state;
	st = staff(ERLANG_C, ten, asa);
	assert_true(st.at.asa_s <= 20 &&
		    eval(ERLANG_C, st.agents - 1, ten).asa_s > 20);
	st = staff(ERLANG_A, ten_a, asa);
	assert_true(st.at.asa_answered_s <= 20);
	assert_true(eval(ERLANG_A, st.agents - 1, ten_a).asa_answered_s > 20);
	st = staff(ERLANG_A, ten_a, ab);
	assert_int_equal(st.agents, 14); /* A1: 0.013984 at 14 */
	assert_true(st.at.p_abandon <= 0.014);
}

/*
 * 97,000 Erlangs, patience 180 s. A service level alone is met at 87,264
 * agents, 10 % under the load: callers who stay wait ~19 s, under the
 * 20 s threshold, while 10 % abandon. An abandon cap gives a real centre.
 */
static void test_staffing_a_at_100000_agents(void **state)
{
	struct erlang_in in = {582000, 1800, 300, 20, 180};
	struct erlang_target t = {.service_level = 0.8, .shrinkage = 0.3};
	struct erlang_staffing st = staff(ERLANG_A, in, t);

	(void)state;
	assert_int_equal(st.agents, 87264);
	check_sig(st.at.p_abandon, 0.100371, 6, "P(Ab)");
	assert_false(meets(ERLANG_A, st.agents - 1, in, &t));
	t.max_abandon = 0.001;
	st = staff(ERLANG_A, in, t);
	assert_true(st.agents > 97000 && st.agents < 97100);
	assert_true(st.at.p_abandon <= 0.001);
	assert_false(meets(ERLANG_A, st.agents - 1, in, &t));
	assert_true(st.evals < 40);
}

static void test_unreachable_targets_are_erange(void **state)
{
	struct erlang_in in = {0, 1, 1, 20, 0};
	struct erlang_target t = {.service_level = 1.0};
	struct erlang_staffing st;
	char msg[160] = "";

	(void)state;
	assert_int_equal(
		erlang_staff(ERLANG_C, &ten, &t, &st, msg, sizeof(msg)),
		ERANGE);
	assert_int_equal(st.unmet, ERLANG_GOAL_SERVICE_LEVEL);
	assert_true(strlen(msg) > 10);
	t = (struct erlang_target){.max_occupancy = 1e-6};
	assert_int_equal(
		erlang_staff(ERLANG_A, &ten_a, &t, &st, msg, sizeof(msg)),
		ERANGE);
	assert_int_equal(st.unmet, ERLANG_GOAL_OCCUPANCY);
	assert_non_null(strstr(msg, "occupancy"));
	/* two million Erlangs: Erlang C would need more than the maximum */
	t = (struct erlang_target){.service_level = 0.8};
	in.calls = 2e6;
	assert_int_equal(erlang_staff(ERLANG_C, &in, &t, &st, msg, sizeof(msg)),
			 ERANGE);
	assert_int_equal(st.unmet, ERLANG_GOAL_SERVICE_LEVEL);
	/* Erlang A meets a lower one below the load: most callers abandon */
	in.patience_s = 1;
	t.service_level = 0.3;
	assert_int_equal(erlang_staff(ERLANG_A, &in, &t, &st, msg, sizeof(msg)),
			 0);
	assert_true(st.agents < ERLANG_MAX_AGENTS && st.at.p_abandon > 0.5);
}

static void test_inapplicable_targets_are_einval(void **state)
{
	static const struct {
		enum erlang_model m;
		struct erlang_target t;
	} bad[] = {
		{ERLANG_C, {.service_level = 0}},
		{ERLANG_C, {.max_blocking = 0.02}},
		{ERLANG_C, {.max_abandon = 0.05}},
		{ERLANG_B, {.service_level = 0.8}},
		{ERLANG_A, {.service_level = 1.5}},
		{ERLANG_A, {.service_level = 0.8, .shrinkage = 1}},
		{ERLANG_A, {.service_level = 0.8, .sl = ERLANG_SL_MAX}},
		{ERLANG_A, {.max_asa_s = -3}},
		{ERLANG_A, {.max_occupancy = 1.2}},
	};
	struct erlang_staffing st;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (erlang_staff(bad[i].m, &ten_a, &bad[i].t, &st, NULL, 0) !=
		    EINVAL)
			fail_msg("case %zu is not EINVAL", i);
}

#define T(f) cmocka_unit_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_gammainc_p_of_one_is_one_minus_exp),
		T(test_gammainc_p_of_one_half_is_erf),
		T(test_gammainc_q_is_the_poisson_cdf),
		T(test_gammainc_kummer_series_matches_term_by_term_sum),
		T(test_gammainc_stays_finite_for_huge_arguments),
		T(test_b1_b2_one_erlang),
		T(test_b3_ten_erlangs_at_two_percent_need_17_trunks),
		T(test_b4_fifteen_lines_at_one_percent_carry_8_108),
		T(test_b6_large_n_and_n_100000),
		T(test_b_recursion_and_log_form_agree),
		T(test_b_decreases_with_lines_and_grows_with_load),
		T(test_b_edges_and_bad_input),
		T(test_c1_three_agents_two_erlangs),
		T(test_c2_fourteen_and_eleven_agents),
		T(test_c3_staffing_gives_14_agents_20_positions),
		T(test_c4_occupancy_cap_binds),
		T(test_c6_mmc_queue_length_and_sojourn),
		T(test_c_is_monotone_in_agents),
		T(test_c_without_steady_state_is_edom),
		T(test_a1_a2_fourteen_agents_patience_five_minutes),
		T(test_a_answered_asa_is_the_integral_of_late_answers),
		T(test_a6_overloaded_fluid_limit),
		T(test_a_tends_to_c_as_patience_grows),
		T(test_a_is_monotone_in_agents),
		T(test_a_abandons_less_with_more_patience),
		T(test_a_variants_are_the_count_variants),
		T(test_k1_service_level_variants_of_counts),
		T(test_a_with_no_agent_loses_everyone),
		T(test_n_100000_stays_finite),
		T(test_bad_input_is_einval_with_a_message),
		T(test_no_calls_need_no_agents),
		T(test_staffing_is_the_smallest_n_meeting_the_targets),
		T(test_staffing_for_asa_and_abandonment),
		T(test_staffing_a_at_100000_agents),
		T(test_unreachable_targets_are_erange),
		T(test_inapplicable_targets_are_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
