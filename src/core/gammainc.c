/*
 * gammainc — see gammainc.h.
 */
#include <math.h>

#include "core/gammainc.h"

#define LN_2PI	1.8378770664093454836
#define EPS	1e-17 /* a term this small against the sum ends a series */
#define TINY	1e-300
#define MAXIT	1e9  /* a safety net: no series here needs 10^6 terms */
#define BIG_ARG 15.0 /* Stirling's series is exact to 1e-16 above this */

static double ln_gamma(double z)
{
	int sign;

	return lgamma_r(z, &sign);
}

/* lnΓ(z) − [(z − ½)·ln z − z + ½·ln 2π] for z >= BIG_ARG. */
static double stirling_tail(double z)
{
	double r = 1.0 / z, r2 = r * r;

	return r * (1.0 / 12 -
		    r2 * (1.0 / 360 -
			  r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 / 1188))));
}

/*
 * a·ln(a/x) + x − a, which is >= 0 and small when a ≈ x: summed as a
 * series in v = (a − x)/(a + x) there, so no digit is lost (Loader 2000).
 */
static double bd0(double a, double x)
{
	if (fabs(a - x) < 0.1 * (a + x)) {
		double v = (a - x) / (a + x), v2 = v * v;
		double s = (a - x) * v, ej = 2 * a * v;

		for (int j = 1; j < 1000; j++) {
			double s1;

			ej *= v2;
			s1 = s + ej / (2 * j + 1);
			if (s1 == s)
				break;
			s = s1;
		}
		return s;
	}
	return a * log(a / x) + x - a;
}

double gammainc_lnpois(double a, double x)
{
	if (x == 0)
		return a == 0 ? 0 : -INFINITY;
	if (a < BIG_ARG)
		return a * log(x) - x - ln_gamma(a + 1);
	return -0.5 * (LN_2PI + log(a)) - stirling_tail(a) - bd0(a, x);
}

/* ln Q(a, x) by Lentz's continued fraction; converges for x >= a + 1. */
static double lnq_cf(double a, double x)
{
	double b = x + 1 - a, c = 1 / TINY, d = 1 / b, h = d;

	for (double i = 1; i < MAXIT; i++) {
		double an = -i * (i - a), del;

		b += 2;
		d = an * d + b;
		if (fabs(d) < TINY)
			d = TINY;
		c = b + an / c;
		if (fabs(c) < TINY)
			c = TINY;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (!(fabs(del - 1) >= 1e-16)) /* converged, or NaN */
			break;
	}
	return log(a) + gammainc_lnpois(a, x) + log(h);
}

double gammainc_lnp(double a, double x)
{
	struct gammainc_m m;

	if (x <= 0)
		return -INFINITY;
	if (x < a + 1) {
		gammainc_m(a, x, &m);
		return gammainc_lnpois(a, x) + m.lnm;
	}
	return log1p(-exp(lnq_cf(a, x)));
}

double gammainc_lnq(double a, double x)
{
	if (x <= 0)
		return 0;
	if (x < a + 1)
		return log1p(-exp(gammainc_lnp(a, x)));
	return lnq_cf(a, x);
}

/* ψ(z) − ln z for z >= BIG_ARG (asymptotic series). */
static double digamma_tail(double z)
{
	double r = 1.0 / z, r2 = r * r;

	return -0.5 * r -
	       r2 * (1.0 / 12 - r2 * (1.0 / 120 - r2 * (1.0 / 252 - r2 / 240)));
}

/* h_m = Σ_{i=1..m} 1/(a + i) = ψ(a + m + 1) − ψ(a + 1), m >= 0 integer. */
static double harmonic(double a, double m)
{
	double p = a + 1, q = a + m + 1, s = 0;

	if (m <= 64) {
		for (double i = 1; i <= m; i++)
			s += 1 / (a + i);
		return s;
	}
	for (; p < BIG_ARG; p++)
		s += 1 / p;
	return s + log1p((q - p) / p) + digamma_tail(q) - digamma_tail(p);
}

/*
 * ln t_m = m·ln x − ln((a + 1)···(a + m)) at the mode m = ⌊x − a⌋ >= 1.
 * With b = a + 1 and c = b + m ∈ (x, x + 1], Stirling's formula turns it
 * into −m·ln(c/x) − (b − ½)·ln(1 + m/b) + m − tail(c) + tail(b), whose
 * pieces are each as large as the result, not as lnΓ(c).
 */
static double ln_mode_term(double a, double x, double m)
{
	double b = a + 1, c = b + m;

	if (b < BIG_ARG)
		return m * log(x) - (ln_gamma(c) - ln_gamma(b));
	return -m * log1p((c - x) / x) - (b - 0.5) * log1p(m / b) + m -
	       stirling_tail(c) + stirling_tail(b);
}

/*
 * Sums outward from the largest term t_mode (taken as 1): upward while the
 * terms matter, then downward to j = 0. Terms after the mode decrease at
 * least as fast as x/(a + j), so a term below EPS of the sum ends a side.
 */
void gammainc_m(double a, double x, struct gammainc_m *out)
{
	double mode = x - a >= 1 ? floor(x - a) : 0;
	double hm = harmonic(a, mode), h = hm, t = 1, j;
	double up = 0, down = 0, t0 = mode == 0 ? 1 : 0;
	double sj = mode, sh = hm, s, lnt;

	if (x <= 0) {
		*out = (struct gammainc_m){0, -INFINITY, 0, 0};
		return;
	}
	for (j = mode + 1; j < mode + MAXIT; j++) {
		double inv = 1 / (a + j);

		t *= x * inv;
		h += inv;
		up += t;
		sj += j * t;
		sh += h * t;
		if (!(t > EPS * (mode > 0 ? 1 + up : up)))
			break;
	}
	t = 1;
	h = hm;
	for (j = mode; j >= 1; j--) {
		t *= (a + j) / x;
		h = j > 1 ? h - 1 / (a + j) : 0;
		down += t;
		sj += (j - 1) * t;
		sh += h * t;
		if (j == 1)
			t0 = t;
		if (!(t > EPS * (1 + up + down)))
			break;
	}
	s = 1 + up + down;
	lnt = mode > 0 ? ln_mode_term(a, x, mode) : 0;
	out->lnm = lnt + log(s);
	out->lnm1 = lnt + (mode > 0 ? log(s - t0) : log(up));
	out->mean_j = sj / s;
	out->mean_h = sh / s;
}
