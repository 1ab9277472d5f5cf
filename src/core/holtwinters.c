/*
 * Holt-Winters as R computes it: decompose() of the first two seasons for
 * the start values, the smoothing loop of R's C_HoltWinters, and optim()'s
 * L-BFGS-B for the parameters. Summation orders follow R's where they are
 * cheap to follow (the moving-average filter), so that fixed-parameter
 * runs agree with R to the last digits printed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/holtwinters.h"
#include "core/say.h"

/* What one SSE evaluation needs, shared by the optimiser's calls. */
struct hw_run {
	const double *y;
	size_t n, m;
	enum hw_seasonal seasonal;
	const bool *special;
	double level0, trend0;
	const double *season0;
	double *ring; /* m seasonal values, scratch */
	void (*progress)(void *arg, int iter, double sse);
	void *arg;
};

static bool is_special(const bool *special, size_t t)
{
	return special && special[t];
}

/*
 * The first two seasons, a special value swapped for the same position of
 * the other season when that one is ordinary.
 */
static void init_window(const double *y, size_t m, const bool *special,
			double *w)
{
	for (size_t t = 0; t < 2 * m; t++) {
		size_t other = t < m ? t + m : t - m;

		w[t] = y[t];
		if (is_special(special, t) && !is_special(special, other))
			w[t] = y[other];
	}
}

/*
 * R's filter(x, c(0.5, rep(1, m - 1), 0.5) / m) for even m, rep(1, m) / m
 * for odd m, sides = 2: trend[i] for i in [half, 2m − 1 − half].
 */
static void moving_average(const double *w, size_t m, double *trend,
			   size_t *first, size_t *count)
{
	size_t nf = m % 2 ? m : m + 1, half = nf / 2;

	for (size_t i = half; i + half < 2 * m; i++) {
		double z = 0;

		for (size_t j = 0; j < nf; j++) {
			double wt = (m % 2 == 0 && (j == 0 || j == nf - 1))
					    ? 0.5 / (double)m
					    : 1.0 / (double)m;

			z += wt * w[i + half - j];
		}
		trend[i] = z;
	}
	*first = half;
	*count = 2 * m - 2 * half;
}

/* Least-squares line through trend values at positions 1 … k. */
static void line_fit(const double *tr, size_t k, double *icept, double *slope)
{
	double xbar = (k + 1) / 2.0, ybar = 0, sxy = 0, sxx = 0;

	for (size_t i = 0; i < k; i++)
		ybar += tr[i];
	ybar /= (double)k;
	for (size_t i = 0; i < k; i++) {
		double dx = (double)(i + 1) - xbar;

		sxy += dx * (tr[i] - ybar);
		sxx += dx * dx;
	}
	*slope = sxy / sxx;
	*icept = ybar - *slope * xbar;
}

/* decompose()'s seasonal figure from the detrended window. */
static void seasonal_figure(const double *w, const double *trend, size_t m,
			    size_t first, size_t count,
			    enum hw_seasonal seasonal, double *fig)
{
	double mean = 0;

	for (size_t i = 0; i < m; i++) {
		double sum = 0;
		int k = 0;

		for (size_t t = i; t < 2 * m; t += m) {
			if (t < first || t >= first + count)
				continue;
			sum += seasonal == HW_ADDITIVE ? w[t] - trend[t]
						       : w[t] / trend[t];
			k++;
		}
		fig[i] = sum / k;
		mean += fig[i];
	}
	mean /= (double)m;
	for (size_t i = 0; i < m; i++)
		fig[i] =
			seasonal == HW_ADDITIVE ? fig[i] - mean : fig[i] / mean;
}

/*
 * The multiplicative model divides by its values: those it uses (the
 * start window, the ordinary days after it) must be positive.
 */
static int check_positive(const double *y, const double *w, size_t n, size_t m,
			  const bool *special, char *msg, size_t size)
{
	for (size_t t = 0; t < n; t++) {
		double v = t < 2 * m ? w[t] : y[t];

		if (v > 0 || (t >= 2 * m && is_special(special, t)))
			continue;
		say_err(msg, size, 0,
			"value %zu is %g: the multiplicative model needs "
			"positive "
			"values (use the additive one)",
			t + 1, v);
		return EINVAL;
	}
	return 0;
}

static int start_values(struct hw *hw, const double *y, const bool *special,
			char *msg, size_t size)
{
	size_t m = hw->period, first, count;
	double *w = malloc(4 * m * sizeof(*w)), *trend;

	if (!w)
		return ENOMEM;
	trend = w + 2 * m;
	init_window(y, m, special, w);
	if (hw->seasonal == HW_MULTIPLICATIVE &&
	    check_positive(y, w, hw->n, m, special, msg, size)) {
		free(w);
		return EINVAL;
	}
	moving_average(w, m, trend, &first, &count);
	line_fit(trend + first, count, &hw->level0, &hw->trend0);
	seasonal_figure(w, trend, m, first, count, hw->seasonal, hw->season0);
	free(w);
	return 0;
}

static double clamp01(double v)
{
	return fmax(fmin(v, 1), 0);
}

/*
 * The smoothing loop of R's C_HoltWinters from t = m. When out is set it
 * receives the one-step forecasts and the final state.
 */
static double smooth(const struct hw_run *r, const struct hw_params *p,
		     struct hw *out)
{
	double a = clamp01(p->alpha), b = clamp01(p->beta);
	double g = clamp01(p->gamma), level = r->level0, trend = r->trend0;
	double sse = 0, xhat, st, yt, prev;
	bool add = r->seasonal == HW_ADDITIVE;
	size_t m = r->m;

	memcpy(r->ring, r->season0, m * sizeof(*r->ring));
	for (size_t t = m; t < r->n; t++) {
		st = r->ring[t % m];
		xhat = add ? level + trend + st : (level + trend) * st;
		yt = is_special(r->special, t) ? xhat : r->y[t];
		sse += (yt - xhat) * (yt - xhat);
		if (out)
			out->fitted[t] = xhat;
		prev = level;
		level = a * (add ? yt - st : yt / st) +
			(1 - a) * (level + trend);
		trend = b * (level - prev) + (1 - b) * trend;
		r->ring[t % m] =
			g * (add ? yt - level : yt / level) + (1 - g) * st;
	}
	if (out) {
		out->level = level;
		out->trend = trend;
		for (size_t k = 0; k < m; k++)
			out->season[k] = r->ring[(r->n + k) % m];
		out->sse = sse;
	}
	return sse;
}

static double sse_of(const double *x, void *arg)
{
	struct hw_params p = {x[0], x[1], x[2]};

	return smooth(arg, &p, NULL);
}

static void on_step(void *arg, int iter, double f)
{
	const struct hw_run *r = arg;

	if (r->progress)
		r->progress(r->arg, iter, f);
}

static int optimise(struct hw *hw, struct hw_run *r)
{
	static const double lower[3] = {0, 0, 0}, upper[3] = {1, 1, 1};
	struct lbfgsb_opts lo = {
		.lower = lower, .upper = upper, .progress = on_step};
	struct lbfgsb_result res;
	double x[3] = {0.3, 0.1, 0.1};
	int err = lbfgsb_minimize(3, x, sse_of, r, &lo, &res);

	if (err)
		return err;
	hw->params = (struct hw_params){x[0], x[1], x[2]};
	hw->iterations = res.iterations;
	hw->status = res.status;
	return 0;
}

static int check(const double *y, size_t n, const struct hw_opts *o, char *msg,
		 size_t size)
{
	const struct hw_params *p = o->fixed;

	if (o->period < 2) {
		say_err(msg, size, 0, "the season must have at least 2 values");
		return EINVAL;
	}
	if (n / 2 < o->period) {
		say_err(msg, size, 0,
			"%zu values are fewer than two seasons (%zu); "
			"Holt-Winters "
			"needs two seasons to start",
			n, 2 * o->period);
		return EINVAL;
	}
	for (size_t t = 0; t < n; t++) {
		if (!isfinite(y[t])) {
			say_err(msg, size, 0, "value %zu is not a number",
				t + 1);
			return EINVAL;
		}
	}
	if (p && (!(p->alpha > 0 && p->alpha <= 1) ||
		  !(p->beta >= 0 && p->beta <= 1) ||
		  !(p->gamma >= 0 && p->gamma <= 1))) {
		say_err(msg, size, 0,
			"alpha must be in (0, 1], beta and gamma in "
			"[0, 1]");
		return EINVAL;
	}
	return 0;
}

static struct hw *hw_alloc(size_t n, size_t m)
{
	struct hw *hw = calloc(1, sizeof(*hw));

	if (!hw)
		return NULL;
	hw->season0 = calloc(m, sizeof(double));
	hw->season = calloc(m, sizeof(double));
	hw->fitted = calloc(n, sizeof(double));
	if (!hw->season0 || !hw->season || !hw->fitted) {
		holtwinters_free(hw);
		return NULL;
	}
	for (size_t t = 0; t < m; t++)
		hw->fitted[t] = NAN;
	hw->n = n;
	hw->period = m;
	return hw;
}

int holtwinters_fit(struct hw **hwp, const double *y, size_t n,
		    const struct hw_opts *o, char *msg, size_t size)
{
	struct hw_run r = {.y = y, .n = n};
	struct hw *hw = NULL;
	int err;

	if (!hwp || !y || !o)
		return EINVAL;
	err = check(y, n, o, msg, size);
	if (err)
		return err;
	hw = hw_alloc(n, o->period);
	r.ring = hw ? malloc(o->period * sizeof(double)) : NULL;
	if (!r.ring) {
		err = ENOMEM;
		goto out;
	}
	hw->seasonal = o->seasonal;
	err = start_values(hw, y, o->special, msg, size);
	if (err)
		goto out;
	r.m = o->period;
	r.seasonal = o->seasonal;
	r.special = o->special;
	r.level0 = hw->level0;
	r.trend0 = hw->trend0;
	r.season0 = hw->season0;
	r.progress = o->progress;
	r.arg = o->arg;
	if (o->fixed)
		hw->params = *o->fixed;
	else
		err = optimise(hw, &r);
	if (err) {
		say_err(msg, size, 0, "the fit failed: the SSE is not finite");
		goto out;
	}
	smooth(&r, &hw->params, hw);
	for (size_t t = o->period; t < n; t++)
		hw->fitted_days += !is_special(o->special, t);
	*hwp = hw;
out:
	free(r.ring);
	if (err)
		holtwinters_free(hw);
	return err;
}

double holtwinters_forecast(const struct hw *hw, size_t h)
{
	double s = hw->season[(h - 1) % hw->period];
	double base = hw->level + (double)h * hw->trend;

	return hw->seasonal == HW_ADDITIVE ? base + s : base * s;
}

void holtwinters_free(struct hw *hw)
{
	if (!hw)
		return;
	free(hw->season0);
	free(hw->season);
	free(hw->fitted);
	free(hw);
}
