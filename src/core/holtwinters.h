/*
 * holtwinters — seasonal Holt-Winters exponential smoothing, additive or
 * multiplicative, computed as R's stats::HoltWinters() computes it, so that
 * its figures can be checked against R (docs/wfm.md, "Forecasting").
 *
 * For a series y_0 … y_{n-1} with a season of m values, additive form:
 *
 *	ŷ_t = ℓ_{t-1} + b_{t-1} + s_{t-m}		one-step forecast
 *	ℓ_t = α(y_t − s_{t-m}) + (1−α)(ℓ_{t-1} + b_{t-1})
 *	b_t = β(ℓ_t − ℓ_{t-1}) + (1−β) b_{t-1}
 *	s_t = γ(y_t − ℓ_t) + (1−γ) s_{t-m}		R's convention
 *
 * and multiplicatively ŷ_t = (ℓ_{t-1} + b_{t-1})·s_{t-m}, with y_t / s_{t-m}
 * and y_t / ℓ_t in place of the differences. The seasonal update uses the
 * new level ℓ_t (R's HoltWinters); ETS and statsmodels use ℓ_{t-1} + b_{t-1}
 * instead, which gives another SSE on the same data.
 *
 * Start values are R's: a classical decomposition (centred moving average
 * of order m, 2×m when m is even) of the first two seasons; ℓ and b from a
 * least-squares line through its trend (ℓ is the line at the position just
 * before the first trend value), s from its seasonal figure, centred to sum
 * 0 (additive) or to average 1 (multiplicative). Smoothing starts at
 * t = m, so the SSE sums (y_t − ŷ_t)² over t = m … n−1.
 *
 * Fitted parameters minimise that SSE over [0,1]³ with L-BFGS-B from
 * (0.3, 0.1, 0.1), numerical gradients of step 1e-3, as R's optim() does
 * (core/lbfgsb.h); on co2 this reproduces R's α, β, γ to 10 digits.
 *
 * Special days (public holidays) are observations left out: at such a t
 * the model takes y_t = ŷ_t, so the state moves on as if the day had been
 * forecast exactly and the day adds nothing to the SSE. Inside the first
 * two seasons, which the start values are made of, a special value is
 * replaced by the same position in the other season when that one is
 * ordinary.
 *
 * Cost: one fit is O(n) per evaluation of the SSE, about 7 evaluations per
 * optimiser step and 20-60 steps. Pure: no I/O.
 */
#ifndef RELAIS_HOLTWINTERS_H
#define RELAIS_HOLTWINTERS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/lbfgsb.h"

enum hw_seasonal { HW_ADDITIVE = 0, HW_MULTIPLICATIVE };

struct hw_params {
	double alpha, beta, gamma; /* each in [0, 1]; alpha > 0 */
};

struct hw_opts {
	enum hw_seasonal seasonal;
	size_t period;		       /* m >= 2 */
	const struct hw_params *fixed; /* borrowed; NULL: fit all three */
	const bool *special;	       /* borrowed; n flags, or NULL */
	/* Called after each optimiser step; may be NULL. */
	void (*progress)(void *arg, int iter, double sse);
	void *arg;
};

/* A fitted model; every pointer inside is owned and freed by
 * holtwinters_free(). */
struct hw {
	enum hw_seasonal seasonal;
	size_t period, n;
	struct hw_params params;
	double level0, trend0; /* start values (R's l.start, b.start) */
	double *season0;       /* m start values (R's s.start) */
	double level, trend;   /* after y_{n-1}: R's coefficients a, b */
	double *season;	       /* m values: R's s1 … sm; s[k] is used for
				  horizon h when (h − 1) mod m = k */
	double *fitted;	       /* n one-step forecasts, NAN for t < m */
	double sse;	       /* over ordinary days t >= m */
	size_t fitted_days;    /* how many terms the SSE has */
	int iterations;	       /* optimiser steps (0 with fixed params) */
	enum lbfgsb_status status;
};

/*
 * Fits the model to y (n values). Returns 0, EINVAL (n < 2m, m < 2, a value
 * not finite, multiplicative data not all positive, fixed parameters
 * outside [0,1] or α = 0) or ENOMEM; msg gets a sentence for people.
 */
int holtwinters_fit(struct hw **hwp, const double *y, size_t n,
		    const struct hw_opts *o, char *msg, size_t size);

/* The forecast h >= 1 steps after the last observation. */
double holtwinters_forecast(const struct hw *hw, size_t h);

void holtwinters_free(struct hw *hw);

#endif
