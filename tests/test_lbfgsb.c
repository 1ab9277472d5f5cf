/*
 * The bounded minimiser against R 4.2.2's optim(method = "L-BFGS-B") with
 * numerical gradients: same optimum, same number of evaluations where the
 * path is well conditioned, bounds honoured, bad input refused.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/lbfgsb.h"

static void assert_close(double got, double want, double rel)
{
	double tol = rel * fmax(fabs(want), 1e-300);

	if (fabs(got - want) > tol)
		fail_msg("got %.15g, want %.15g (relative tolerance %g)", got,
			 want, rel);
}

static double rosenbrock(const double *x, void *arg)
{
	(void)arg;
	return 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]) +
	       (1 - x[0]) * (1 - x[0]);
}

/* optim(c(-1.2, 1), fr, method = "L-BFGS-B", lower = -2, upper = 2) */
static void test_rosenbrock_follows_r_step_for_step(void **state)
{
	static const double lo[2] = {-2, -2}, hi[2] = {2, 2};
	struct lbfgsb_opts o = {.lower = lo, .upper = hi};
	struct lbfgsb_result res;
	double x[2] = {-1.2, 1};

	(void)state;
	assert_int_equal(lbfgsb_minimize(2, x, rosenbrock, NULL, &o, &res), 0);
	assert_int_equal(res.status, LBFGSB_CONVERGED);
	assert_close(x[0], 0.999804093237749, 1e-9);
	assert_close(x[1], 0.999607441227049, 1e-9);
	assert_close(res.f, 3.84408667656156e-08, 1e-6);
	assert_int_equal(res.evaluations, 87);
}

static double bowl(const double *x, void *arg)
{
	(void)arg;
	return (x[0] - 3) * (x[0] - 3) + (x[1] + 1) * (x[1] + 1) + x[0] * x[1];
}

/* The unconstrained minimum lies outside: the answer is a corner. */
static void test_minimum_outside_the_box_stops_on_its_corner(void **state)
{
	static const double lo[2] = {0, 0}, hi[2] = {2, 2};
	struct lbfgsb_opts o = {.lower = lo, .upper = hi};
	struct lbfgsb_result res;
	double x[2] = {0.5, 0.5};

	(void)state;
	assert_int_equal(lbfgsb_minimize(2, x, bowl, NULL, &o, &res), 0);
	assert_true(x[0] == 2 && x[1] == 0);
	assert_close(res.f, 2, 1e-12);
	assert_int_equal(res.evaluations, 2); /* R: counts 2 2 */
}

static double weighted(const double *x, void *arg)
{
	static const double c[3] = {0.2, 0.7, 1.5}, w[3] = {1, 10, 100};
	double f = x[0] * x[1];

	(void)arg;
	for (int i = 0; i < 3; i++)
		f += (x[i] - c[i]) * (x[i] - c[i]) * w[i];
	return f;
}

/* R: par 0, 0.7, 1; value 25.04; 7 evaluations. */
static void test_mixed_bounds_and_interior_match_r(void **state)
{
	static const double lo[3] = {0, 0, 0}, hi[3] = {1, 1, 1};
	struct lbfgsb_opts o = {.lower = lo, .upper = hi};
	struct lbfgsb_result res;
	double x[3] = {1, 1, 1};

	(void)state;
	assert_int_equal(lbfgsb_minimize(3, x, weighted, NULL, &o, &res), 0);
	assert_true(x[0] == 0 && x[2] == 1);
	assert_close(x[1], 0.7, 1e-12);
	assert_close(res.f, 25.04, 1e-12);
	assert_int_equal(res.evaluations, 7);
}

/* A start outside the box is projected into it first. */
static void test_start_outside_is_projected(void **state)
{
	static const double lo[2] = {0, 0}, hi[2] = {2, 2};
	struct lbfgsb_opts o = {.lower = lo, .upper = hi};
	struct lbfgsb_result res;
	double x[2] = {-5, 9};

	(void)state;
	assert_int_equal(lbfgsb_minimize(2, x, bowl, NULL, &o, &res), 0);
	assert_true(x[0] == 2 && x[1] == 0);
}

static double nan_fn(const double *x, void *arg)
{
	(void)x;
	(void)arg;
	return NAN;
}

static void test_bad_input_is_refused(void **state)
{
	static const double lo[2] = {0, 1}, hi[2] = {1, 0}, inf[2] = {0, 0};
	static const double up[2] = {1, INFINITY}, ok_hi[2] = {1, 1};
	struct lbfgsb_opts bad = {.lower = lo, .upper = hi};
	struct lbfgsb_opts unbounded = {.lower = inf, .upper = up};
	struct lbfgsb_opts ok = {.lower = inf, .upper = ok_hi};
	struct lbfgsb_result res;
	double x[LBFGSB_MAX_N + 1] = {0.5, 0.5};

	(void)state;
	assert_int_equal(lbfgsb_minimize(2, x, bowl, NULL, &bad, &res), EINVAL);
	assert_int_equal(lbfgsb_minimize(2, x, bowl, NULL, &unbounded, &res),
			 EINVAL);
	assert_int_equal(lbfgsb_minimize(0, x, bowl, NULL, &ok, &res), EINVAL);
	assert_int_equal(
		lbfgsb_minimize(LBFGSB_MAX_N + 1, x, bowl, NULL, &ok, &res),
		EINVAL);
	assert_int_equal(lbfgsb_minimize(2, x, nan_fn, NULL, &ok, &res), EDOM);
}

static int steps;

static void count_steps(void *arg, int iter, double f)
{
	(void)arg;
	(void)f;
	steps = iter;
}

static void test_progress_is_called_once_per_step(void **state)
{
	static const double lo[2] = {-2, -2}, hi[2] = {2, 2};
	struct lbfgsb_opts o = {
		.lower = lo, .upper = hi, .progress = count_steps};
	struct lbfgsb_result res;
	double x[2] = {-1.2, 1};

	(void)state;
	steps = 0;
	assert_int_equal(lbfgsb_minimize(2, x, rosenbrock, NULL, &o, &res), 0);
	assert_int_equal(steps, res.iterations);
	assert_true(steps > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rosenbrock_follows_r_step_for_step),
		cmocka_unit_test(
			test_minimum_outside_the_box_stops_on_its_corner),
		cmocka_unit_test(test_mixed_bounds_and_interior_match_r),
		cmocka_unit_test(test_start_outside_is_projected),
		cmocka_unit_test(test_bad_input_is_refused),
		cmocka_unit_test(test_progress_is_called_once_per_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
