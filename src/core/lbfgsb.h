/*
 * lbfgsb — minimises a smooth function of a few variables inside a box,
 * step for step the way R's optim(method = "L-BFGS-B") does it, so that a
 * model fitted here lands where R's lands (Holt-Winters parameters are the
 * reason it exists: R's optimum, not the true one, is the reference users
 * compare with, and the SSE surface is flat enough that the two differ in
 * the third digit).
 *
 * The algorithm is L-BFGS-B 2.3 (Byrd, Lu, Nocedal & Zhu 1995): the
 * generalised Cauchy point along the projected gradient path, a direct
 * subspace minimisation over the free variables, backtracked into the
 * box, and the Moré-Thuente line search (MINPACK-2 dcsrch: ftol 1e-3,
 * gtol 0.9, xtol 0.1, at most 20 trial steps). The limited-memory matrix
 * B = θI updated by the last `memory` BFGS pairs is held densely, which is
 * mathematically the compact representation R uses and cheap for n ≤ 8.
 * Gradients are central differences of step ndeps, shortened at the box
 * edges, as R's optim computes them when no gradient is given.
 *
 * Every variable must have finite bounds (a box). Cost per iteration:
 * (1 + 2n) evaluations of f per trial step, plus O(n³) arithmetic.
 * Pure: no I/O, no allocation.
 */
#ifndef RELAIS_LBFGSB_H
#define RELAIS_LBFGSB_H

#include <stddef.h>

#define LBFGSB_MAX_N 8
#define LBFGSB_MAX_M 8

/* The function to minimise; x has n values inside the box. */
typedef double (*lbfgsb_fn)(const double *x, void *arg);

/*
 * Zero numeric fields take R's defaults, given in brackets. The search
 * stops when (f_k − f_k+1) / max(|f_k|, |f_k+1|, 1) <= factr · DBL_EPSILON,
 * or when the largest projected gradient component is <= pgtol.
 */
struct lbfgsb_opts {
	const double *lower, *upper; /* n each, finite; borrowed */
	double ndeps;		     /* finite-difference step [1e-3] */
	double factr;		     /* [1e7] */
	double pgtol;		     /* [0: that test is off] */
	int maxit;		     /* iterations [100] */
	int memory;		     /* BFGS pairs kept, <= LBFGSB_MAX_M [5] */
	/* Called after each iteration with fn's arg; may be NULL. */
	void (*progress)(void *arg, int iter, double f);
};

enum lbfgsb_status {
	LBFGSB_CONVERGED = 0, /* R's convergence code 0 */
	LBFGSB_MAXIT,	      /* 1: maxit reached */
	LBFGSB_LINE_SEARCH,   /* 52: ABNORMAL_TERMINATION_IN_LNSRCH */
};

struct lbfgsb_result {
	double f;	 /* at the returned x */
	int iterations;	 /* accepted steps */
	int evaluations; /* points where f and its gradient were taken */
	enum lbfgsb_status status; /* LINE_SEARCH still returns the best x */
};

/*
 * Minimises fn from x (projected into the box first); x receives the
 * result. Returns 0, EINVAL (n out of 1..LBFGSB_MAX_N, a bound missing,
 * not finite or lower > upper, memory too large) or EDOM (fn returned a
 * value that is not finite; x is then the last accepted point).
 */
int lbfgsb_minimize(size_t n, double *x, lbfgsb_fn fn, void *arg,
		    const struct lbfgsb_opts *opts, struct lbfgsb_result *res);

#endif
