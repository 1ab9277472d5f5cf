/*
 * L-BFGS-B 2.3 for small boxes, with a dense limited-memory matrix. The
 * order of operations follows the reference code (and so R) where it
 * decides the path: breakpoint order, the f2 floor in the Cauchy search,
 * the backtracking rule of the subspace step, the first step length, the
 * curvature test that skips an update and the memory reset after a bad
 * line search.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "core/lbfgsb.h"

#define NMAX LBFGSB_MAX_N
#define MMAX LBFGSB_MAX_M

/* The Moré-Thuente line search (MINPACK-2 dcsrch / dcstep). */
enum ls_task { LS_FG, LS_CONV, LS_WARN, LS_ERROR };

struct ls {
	double ftol, gtol, xtol, stpmin, stpmax;
	int stage;
	bool brackt;
	double ginit, gtest, finit;
	double stx, fx, gx, sty, fy, gy;
	double stmin, stmax, width, width1;
};

struct lb {
	size_t n;
	int m;
	const double *l, *u;
	lbfgsb_fn fn;
	void *arg;
	double ndeps;
	/* BFGS pairs, oldest first, and s'y of each */
	double s[MMAX][NMAX], y[MMAX][NMAX], sy[MMAX];
	int col;
	double theta;
	double b[NMAX][NMAX]; /* θI updated by the pairs */
	int evaluations;
};

static double dot(const double *a, const double *b, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += a[i] * b[i];
	return sum;
}

static void bmul(const struct lb *lb, const double *v, double *out)
{
	for (size_t i = 0; i < lb->n; i++)
		out[i] = dot(lb->b[i], v, lb->n);
}

/* f and its central-difference gradient, shortened at the box edges. */
static int eval(struct lb *lb, const double *x, double *f, double *g)
{
	double xx[NMAX], up, down, hu, hd, fu, fd;

	lb->evaluations++;
	*f = lb->fn(x, lb->arg);
	if (!isfinite(*f))
		return EDOM;
	memcpy(xx, x, lb->n * sizeof(*x));
	for (size_t i = 0; i < lb->n; i++) {
		hu = hd = lb->ndeps;
		up = x[i] + lb->ndeps;
		if (up > lb->u[i]) {
			up = lb->u[i];
			hu = up - x[i];
		}
		down = x[i] - lb->ndeps;
		if (down < lb->l[i]) {
			down = lb->l[i];
			hd = x[i] - down;
		}
		xx[i] = up;
		fu = lb->fn(xx, lb->arg);
		xx[i] = down;
		fd = lb->fn(xx, lb->arg);
		xx[i] = x[i];
		g[i] = (fu - fd) / (hu + hd);
		if (!isfinite(g[i]))
			return EDOM;
	}
	return 0;
}

static double projected_gradient_norm(const struct lb *lb, const double *x,
				      const double *g)
{
	double norm = 0, gi;

	for (size_t i = 0; i < lb->n; i++) {
		gi = g[i];
		if (gi < 0)
			gi = fmax(gi, x[i] - lb->u[i]);
		else
			gi = fmin(gi, x[i] - lb->l[i]);
		norm = fmax(norm, fabs(gi));
	}
	return norm;
}

static void reset_memory(struct lb *lb)
{
	lb->col = 0;
	lb->theta = 1;
}

/* B = θI, then one BFGS update per stored pair, oldest first. */
static void form_b(struct lb *lb)
{
	double bs[NMAX], sbs;
	size_t n = lb->n;

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++)
			lb->b[i][j] = i == j ? lb->theta : 0;
	}
	for (int k = 0; k < lb->col; k++) {
		bmul(lb, lb->s[k], bs);
		sbs = dot(lb->s[k], bs, n);
		for (size_t i = 0; i < n; i++) {
			for (size_t j = 0; j < n; j++)
				lb->b[i][j] +=
					-bs[i] * bs[j] / sbs +
					lb->y[k][i] * lb->y[k][j] / lb->sy[k];
		}
	}
}

static void push_pair(struct lb *lb, const double *s, const double *y,
		      double sy)
{
	if (lb->col == lb->m) {
		memmove(lb->s[0], lb->s[1], sizeof(lb->s[0]) * (lb->m - 1));
		memmove(lb->y[0], lb->y[1], sizeof(lb->y[0]) * (lb->m - 1));
		memmove(lb->sy, lb->sy + 1, sizeof(lb->sy[0]) * (lb->m - 1));
		lb->col--;
	}
	memcpy(lb->s[lb->col], s, lb->n * sizeof(*s));
	memcpy(lb->y[lb->col], y, lb->n * sizeof(*y));
	lb->sy[lb->col++] = sy;
}

/* Breakpoints in increasing order; ties keep the variable order. */
static void sort_breaks(double *t, size_t *idx, size_t nb)
{
	for (size_t i = 1; i < nb; i++) {
		double tv = t[i];
		size_t iv = idx[i], j = i;

		for (; j > 0 && t[j - 1] > tv; j--) {
			t[j] = t[j - 1];
			idx[j] = idx[j - 1];
		}
		t[j] = tv;
		idx[j] = iv;
	}
}

/*
 * Classifies each variable for the Cauchy search: 0 moves along -g, -3
 * free but still (zero gradient), 1 / 2 held at its lower / upper bound.
 * Fills the path direction d and the breakpoints; returns their count.
 */
static size_t cauchy_setup(const struct lb *lb, const double *x,
			   const double *g, int *where, double *d, double *t,
			   size_t *idx)
{
	size_t nb = 0;

	for (size_t i = 0; i < lb->n; i++) {
		double tl = x[i] - lb->l[i], tu = lb->u[i] - x[i];

		where[i] = 0;
		if (tl <= 0) {
			if (g[i] >= 0)
				where[i] = 1;
		} else if (tu <= 0) {
			if (g[i] <= 0)
				where[i] = 2;
		} else if (g[i] == 0) {
			where[i] = -3;
		}
		d[i] = 0;
		if (where[i] != 0)
			continue;
		d[i] = -g[i];
		if (d[i] < 0) {
			t[nb] = tl / g[i];
			idx[nb++] = i;
		} else if (d[i] > 0) {
			t[nb] = tu / -g[i];
			idx[nb++] = i;
		}
	}
	return nb;
}

/*
 * The generalised Cauchy point: the first local minimiser of the
 * quadratic model g's + s'Bs/2 along the projected path x - t·g.
 */
static void cauchy(const struct lb *lb, const double *x, const double *g,
		   double sbgnrm, int *where, double *xcp)
{
	double d[NMAX], t[NMAX], z[NMAX], bd[NMAX];
	double f1, f2, f2_org, dtm, tsum = 0, tj = 0, dt, dibp;
	size_t idx[NMAX], nb, n = lb->n, k, ibp;

	memcpy(xcp, x, n * sizeof(*x));
	if (sbgnrm <= 0)
		return;
	nb = cauchy_setup(lb, x, g, where, d, t, idx);
	if (nb == 0)
		return; /* every variable is held: d = 0 */
	f1 = -dot(d, d, n);
	bmul(lb, d, bd);
	f2 = f2_org = dot(d, bd, n);
	dtm = -f1 / f2;
	sort_breaks(t, idx, nb);
	for (k = 0; k < nb; k++) {
		dt = t[k] - tj;
		tj = t[k];
		if (dtm < dt)
			break;
		tsum += dt;
		ibp = idx[k];
		dibp = d[ibp];
		d[ibp] = 0;
		xcp[ibp] = dibp > 0 ? lb->u[ibp] : lb->l[ibp];
		where[ibp] = dibp > 0 ? 2 : 1;
		if (k + 1 == nb && nb == n)
			return; /* all variables at a bound */
		for (size_t i = 0; i < n; i++)
			z[i] = d[i] != 0 ? tsum * d[i] : xcp[i] - x[i];
		bmul(lb, d, bd);
		f1 = dot(g, d, n) + dot(z, bd, n);
		f2 = fmax(dot(d, bd, n), DBL_EPSILON * f2_org);
		dtm = k + 1 < nb ? -f1 / f2 : 0;
	}
	if (dtm <= 0)
		dtm = 0;
	tsum += dtm;
	for (size_t i = 0; i < n; i++)
		xcp[i] += tsum * d[i];
}

/* Cholesky solve of the symmetric positive definite a (nf × nf). */
static int chol_solve(double a[NMAX][NMAX], size_t nf, double *r)
{
	for (size_t j = 0; j < nf; j++) {
		double s = a[j][j];

		for (size_t k = 0; k < j; k++)
			s -= a[j][k] * a[j][k];
		if (s <= 0)
			return EDOM;
		a[j][j] = sqrt(s);
		for (size_t i = j + 1; i < nf; i++) {
			s = a[i][j];
			for (size_t k = 0; k < j; k++)
				s -= a[i][k] * a[j][k];
			a[i][j] = s / a[j][j];
		}
	}
	for (size_t i = 0; i < nf; i++) {
		for (size_t k = 0; k < i; k++)
			r[i] -= a[i][k] * r[k];
		r[i] /= a[i][i];
	}
	for (size_t i = nf; i-- > 0;) {
		for (size_t k = i + 1; k < nf; k++)
			r[i] -= a[k][i] * r[k];
		r[i] /= a[i][i];
	}
	return 0;
}

/*
 * Minimises the model over the variables free at the Cauchy point z and
 * steps from z toward that minimiser, stopping at the first bound met
 * (which is then set exactly). EDOM: the reduced B is not positive.
 */
static int subspace(const struct lb *lb, const double *x, const double *g,
		    const int *where, double *z)
{
	double a[NMAX][NMAX], dz[NMAX], bz[NMAX], d[NMAX];
	double alpha = 1, t1 = 1, t2;
	size_t fr[NMAX], nf = 0, ibd = 0, n = lb->n;

	for (size_t i = 0; i < n; i++) {
		if (where[i] <= 0)
			fr[nf++] = i;
	}
	if (nf == 0 || lb->col == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		dz[i] = z[i] - x[i];
	bmul(lb, dz, bz);
	for (size_t k = 0; k < nf; k++) {
		d[k] = -(g[fr[k]] + bz[fr[k]]);
		for (size_t j = 0; j < nf; j++)
			a[k][j] = lb->b[fr[k]][fr[j]];
	}
	if (chol_solve(a, nf, d))
		return EDOM;
	for (size_t k = 0; k < nf; k++) {
		size_t i = fr[k];

		if (d[k] < 0) {
			t2 = lb->l[i] - z[i];
			if (t2 >= 0)
				t1 = 0;
			else if (d[k] * alpha < t2)
				t1 = t2 / d[k];
		} else if (d[k] > 0) {
			t2 = lb->u[i] - z[i];
			if (t2 <= 0)
				t1 = 0;
			else if (d[k] * alpha > t2)
				t1 = t2 / d[k];
		}
		if (t1 < alpha) {
			alpha = t1;
			ibd = k;
		}
	}
	if (alpha < 1 && d[ibd] != 0) {
		z[fr[ibd]] = d[ibd] > 0 ? lb->u[fr[ibd]] : lb->l[fr[ibd]];
		d[ibd] = 0;
	}
	for (size_t k = 0; k < nf; k++)
		z[fr[k]] += alpha * d[k];
	return 0;
}

/* ---- Moré-Thuente --------------------------------------------------- */

static double cubic_gamma(double theta, double da, double db, double s)
{
	return s * sqrt((theta / s) * (theta / s) - da / s * (db / s));
}

/* θ of the cubic through (a, fa) and (b, fb) with slopes d1 and d2. */
static double cubic_theta(double a, double fa, double b, double fb, double d1,
			  double d2, double *s)
{
	double theta = (fa - fb) * 3 / (b - a) + d1 + d2;

	*s = fmax(fmax(fabs(theta), fabs(d1)), fabs(d2));
	return theta;
}

/* Case 1, a higher f: the minimum is bracketed; cubic or mid-way. */
static double step_higher(double stx, double fx, double dx, double stp,
			  double fp, double dp)
{
	double s, theta = cubic_theta(stx, fx, stp, fp, dx, dp, &s);
	double gamm = cubic_gamma(theta, dx, dp, s), stpc, stpq;

	if (stp < stx)
		gamm = -gamm;
	stpc = stx +
	       (gamm - dx + theta) / (gamm - dx + gamm + dp) * (stp - stx);
	stpq = stx + dx / ((fx - fp) / (stp - stx) + dx) / 2 * (stp - stx);
	if (fabs(stpc - stx) < fabs(stpq - stx))
		return stpc;
	return stpc + (stpq - stpc) / 2;
}

/* Case 2, lower f, slopes of opposite signs: cubic or secant. */
static double step_opposite(double stx, double fx, double dx, double stp,
			    double fp, double dp)
{
	double s, theta = cubic_theta(stx, fx, stp, fp, dx, dp, &s);
	double gamm = cubic_gamma(theta, dx, dp, s), stpc, stpq;

	if (stp > stx)
		gamm = -gamm;
	stpc = stp +
	       (gamm - dp + theta) / (gamm - dp + gamm + dx) * (stx - stp);
	stpq = stp + dp / (dp - dx) * (stx - stp);
	return fabs(stpc - stp) > fabs(stpq - stp) ? stpc : stpq;
}

/* Case 3, lower f, same signs, the slope shrinks. */
static double step_shrinking(const struct ls *ls, double stp, double fp,
			     double dp, double lo, double hi)
{
	double stx = ls->stx, dx = ls->gx, s, q, gamm, r, stpc, stpq, stpf;
	double theta = cubic_theta(stx, ls->fx, stp, fp, dx, dp, &s);

	q = (theta / s) * (theta / s) - dx / s * (dp / s);
	gamm = q < 0 ? 0 : s * sqrt(q);
	if (stp > stx)
		gamm = -gamm;
	r = (gamm - dp + theta) / (gamm + (dx - dp) + gamm);
	if (r < 0 && gamm != 0)
		stpc = stp + r * (stx - stp);
	else
		stpc = stp > stx ? hi : lo;
	stpq = stp + dp / (dp - dx) * (stx - stp);
	if (!ls->brackt) {
		stpf = fabs(stpc - stp) > fabs(stpq - stp) ? stpc : stpq;
		return fmax(lo, fmin(hi, stpf));
	}
	stpf = fabs(stpc - stp) < fabs(stpq - stp) ? stpc : stpq;
	q = stp + (ls->sty - stp) * 0.66;
	return stp > stx ? fmin(q, stpf) : fmax(q, stpf);
}

/* Case 4, lower f, same signs, the slope does not shrink. */
static double step_steep(const struct ls *ls, double stp, double fp, double dp,
			 double lo, double hi)
{
	double sty = ls->sty, dy = ls->gy, s, theta, gamm;

	if (!ls->brackt)
		return stp > ls->stx ? hi : lo;
	theta = cubic_theta(stp, fp, sty, ls->fy, dy, dp, &s);
	gamm = cubic_gamma(theta, dy, dp, s);
	if (stp > sty)
		gamm = -gamm;
	return stp +
	       (gamm - dp + theta) / (gamm - dp + gamm + dy) * (sty - stp);
}

/*
 * One safeguarded step (MINPACK-2 dcstep): updates the interval [stx, sty]
 * that brackets a step satisfying both line-search conditions and
 * proposes the next step.
 */
static void ls_step(struct ls *ls, double *stp, double fp, double dp, double lo,
		    double hi)
{
	double stx = ls->stx, fx = ls->fx, dx = ls->gx;
	double sgnd = dp * (dx / fabs(dx)), stpf;

	if (fp > fx) {
		stpf = step_higher(stx, fx, dx, *stp, fp, dp);
		ls->brackt = true;
	} else if (sgnd < 0) {
		stpf = step_opposite(stx, fx, dx, *stp, fp, dp);
		ls->brackt = true;
	} else if (fabs(dp) < fabs(dx)) {
		stpf = step_shrinking(ls, *stp, fp, dp, lo, hi);
	} else {
		stpf = step_steep(ls, *stp, fp, dp, lo, hi);
	}
	if (fp > fx) {
		ls->sty = *stp;
		ls->fy = fp;
		ls->gy = dp;
	} else {
		if (sgnd < 0) {
			ls->sty = stx;
			ls->fy = fx;
			ls->gy = dx;
		}
		ls->stx = *stp;
		ls->fx = fp;
		ls->gx = dp;
	}
	*stp = stpf;
}

static enum ls_task ls_start(struct ls *ls, double f, double g, double stp)
{
	if (stp < ls->stpmin || stp > ls->stpmax || g >= 0)
		return LS_ERROR;
	ls->brackt = false;
	ls->stage = 1;
	ls->finit = f;
	ls->ginit = g;
	ls->gtest = ls->ftol * g;
	ls->width = ls->stpmax - ls->stpmin;
	ls->width1 = ls->width / 0.5;
	ls->stx = ls->sty = 0;
	ls->fx = ls->fy = f;
	ls->gx = ls->gy = g;
	ls->stmin = 0;
	ls->stmax = stp + stp * 4;
	return LS_FG;
}

/* Given f and its slope g at *stp: done, or the next step to try. */
static enum ls_task ls_next(struct ls *ls, double f, double g, double *stp)
{
	double ftest = ls->finit + *stp * ls->gtest;
	enum ls_task task = LS_FG;

	if (ls->stage == 1 && f <= ftest && g >= 0)
		ls->stage = 2;
	if (ls->brackt && (*stp <= ls->stmin || *stp >= ls->stmax))
		task = LS_WARN;
	if (ls->brackt && ls->stmax - ls->stmin <= ls->xtol * ls->stmax)
		task = LS_WARN;
	if (*stp == ls->stpmax && f <= ftest && g <= ls->gtest)
		task = LS_WARN;
	if (*stp == ls->stpmin && (f > ftest || g >= ls->gtest))
		task = LS_WARN;
	if (f <= ftest && fabs(g) <= ls->gtol * -ls->ginit)
		task = LS_CONV;
	if (task != LS_FG)
		return task;
	if (ls->stage == 1 && f <= ls->fx && f > ftest) {
		/* the modified function psi(stp) = f - f0 - ftol·stp·g0 */
		double gt = ls->gtest;

		ls->fx -= ls->stx * gt;
		ls->fy -= ls->sty * gt;
		ls->gx -= gt;
		ls->gy -= gt;
		ls_step(ls, stp, f - *stp * gt, g - gt, ls->stmin, ls->stmax);
		ls->fx += ls->stx * gt;
		ls->fy += ls->sty * gt;
		ls->gx += gt;
		ls->gy += gt;
	} else {
		ls_step(ls, stp, f, g, ls->stmin, ls->stmax);
	}
	if (ls->brackt) {
		if (fabs(ls->sty - ls->stx) >= ls->width1 * 0.66)
			*stp = ls->stx + (ls->sty - ls->stx) * 0.5;
		ls->width1 = ls->width;
		ls->width = fabs(ls->sty - ls->stx);
		ls->stmin = fmin(ls->stx, ls->sty);
		ls->stmax = fmax(ls->stx, ls->sty);
	} else {
		ls->stmin = *stp + (*stp - ls->stx) * 1.1;
		ls->stmax = *stp + (*stp - ls->stx) * 4;
	}
	*stp = fmax(*stp, ls->stpmin);
	*stp = fmin(*stp, ls->stpmax);
	if (ls->brackt && (*stp <= ls->stmin || *stp >= ls->stmax ||
			   ls->stmax - ls->stmin <= ls->xtol * ls->stmax))
		*stp = ls->stx;
	return LS_FG;
}

/* The longest step along d that stays in the box (R's stpmx). */
static double max_step(const struct lb *lb, const double *x, const double *d,
		       int iter)
{
	double stpmx = 1e10, a2;

	if (iter == 0)
		return 1;
	for (size_t i = 0; i < lb->n; i++) {
		if (d[i] < 0) {
			a2 = lb->l[i] - x[i];
			if (a2 >= 0)
				stpmx = 0;
			else if (d[i] * stpmx < a2)
				stpmx = a2 / d[i];
		} else if (d[i] > 0) {
			a2 = lb->u[i] - x[i];
			if (a2 <= 0)
				stpmx = 0;
			else if (d[i] * stpmx > a2)
				stpmx = a2 / d[i];
		}
	}
	return stpmx;
}

/* What a line search leaves for the BFGS update. */
struct step {
	double d[NMAX]; /* z - x before the search */
	double xold[NMAX], gold[NMAX], fold;
	double stp, gd, gdold;
};

/*
 * Searches along d = z - x; on success x, f, g are the accepted point.
 * Returns 0, EAGAIN (no acceptable step: x, f, g restored) or EDOM.
 */
static int line_search(struct lb *lb, int iter, const double *z, double *x,
		       double *f, double *g, struct step *st)
{
	struct ls ls = {.ftol = 1e-3, .gtol = 0.9, .xtol = 0.1};
	size_t n = lb->n;
	enum ls_task task;
	int err, ifun = 0;

	for (size_t i = 0; i < n; i++)
		st->d[i] = z[i] - x[i];
	ls.stpmax = max_step(lb, x, st->d, iter);
	st->stp = 1; /* every variable is boxed */
	memcpy(st->xold, x, n * sizeof(*x));
	memcpy(st->gold, g, n * sizeof(*g));
	st->fold = *f;
	st->gd = st->gdold = dot(g, st->d, n);
	if (st->gd >= 0)
		return EAGAIN;
	task = ls_start(&ls, *f, st->gd, st->stp);
	while (task == LS_FG) {
		if (++ifun - 1 >= 20)
			break;
		for (size_t i = 0; i < n; i++)
			x[i] = st->stp == 1 ? z[i]
					    : st->stp * st->d[i] + st->xold[i];
		err = eval(lb, x, f, g);
		if (err)
			return err;
		st->gd = dot(g, st->d, n);
		task = ls_next(&ls, *f, st->gd, &st->stp);
	}
	if (task == LS_CONV || task == LS_WARN)
		return 0;
	memcpy(x, st->xold, n * sizeof(*x));
	memcpy(g, st->gold, n * sizeof(*g));
	*f = st->fold;
	return EAGAIN;
}

/* Stores the pair of an accepted step unless its curvature is too small. */
static void update(struct lb *lb, const double *g, struct step *st)
{
	double s[NMAX], y[NMAX], dr, ddum;
	size_t n = lb->n;

	for (size_t i = 0; i < n; i++) {
		y[i] = g[i] - st->gold[i];
		s[i] = st->stp == 1 ? st->d[i] : st->stp * st->d[i];
	}
	if (st->stp == 1) {
		dr = st->gd - st->gdold;
		ddum = -st->gdold;
	} else {
		dr = (st->gd - st->gdold) * st->stp;
		ddum = -st->gdold * st->stp;
	}
	if (dr <= DBL_EPSILON * ddum)
		return;
	push_pair(lb, s, y, dr);
	lb->theta = dot(y, y, n) / dr;
}

static int check(size_t n, const double *x, const struct lbfgsb_opts *o)
{
	if (!n || n > NMAX || !x || !o || !o->lower || !o->upper ||
	    o->memory < 0 || o->memory > MMAX)
		return EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(o->lower[i]) || !isfinite(o->upper[i]) ||
		    o->lower[i] > o->upper[i] || isnan(x[i]))
			return EINVAL;
	}
	return 0;
}

static bool converged(double fold, double f, double tol)
{
	return fold - f <= tol * fmax(fmax(fabs(fold), fabs(f)), 1);
}

int lbfgsb_minimize(size_t n, double *x, lbfgsb_fn fn, void *arg,
		    const struct lbfgsb_opts *o, struct lbfgsb_result *res)
{
	struct lb lb;
	struct step st;
	double f, g[NMAX], z[NMAX], sbgnrm, tol;
	int where[NMAX], iter = 0, err, maxit;

	err = check(n, x, o);
	if (err || !fn || !res)
		return err ? err : EINVAL;
	memset(&lb, 0, sizeof(lb));
	lb.n = n;
	lb.m = o->memory ? o->memory : 5;
	lb.l = o->lower;
	lb.u = o->upper;
	lb.fn = fn;
	lb.arg = arg;
	lb.ndeps = o->ndeps > 0 ? o->ndeps : 1e-3;
	maxit = o->maxit > 0 ? o->maxit : 100;
	tol = (o->factr > 0 ? o->factr : 1e7) * DBL_EPSILON;
	reset_memory(&lb);
	for (size_t i = 0; i < n; i++)
		x[i] = fmin(fmax(x[i], lb.l[i]), lb.u[i]);
	memset(res, 0, sizeof(*res));
	err = eval(&lb, x, &f, g);
	if (err)
		goto out;
	sbgnrm = projected_gradient_norm(&lb, x, g);
	while (sbgnrm > o->pgtol) {
		form_b(&lb);
		cauchy(&lb, x, g, sbgnrm, where, z);
		if (subspace(&lb, x, g, where, z)) {
			reset_memory(&lb);
			continue;
		}
		err = line_search(&lb, iter, z, x, &f, g, &st);
		if (err == EAGAIN && lb.col > 0) {
			reset_memory(&lb);
			err = 0;
			continue;
		}
		if (err == EAGAIN) {
			res->status = LBFGSB_LINE_SEARCH;
			err = 0;
			break;
		}
		if (err)
			break;
		iter++;
		sbgnrm = projected_gradient_norm(&lb, x, g);
		if (o->progress)
			o->progress(arg, iter, f);
		if (iter > maxit) {
			res->status = LBFGSB_MAXIT;
			break;
		}
		if (sbgnrm <= o->pgtol || converged(st.fold, f, tol))
			break;
		update(&lb, g, &st);
	}
out:
	res->f = f;
	res->iterations = iter;
	res->evaluations = lb.evaluations;
	return err;
}
