/*
 * gammainc — the regularised incomplete gamma functions P(a, x) and
 * Q(a, x), the Poisson weight x^a e^-x / Γ(a + 1), and Kummer's series
 * M(1, a + 1, x) with the moments the Erlang A model needs, all in log
 * space so that they stay finite for a and x up to 10^9 and beyond.
 *
 * Method: Poisson weights by Loader's saddle-point form (Stirling's series
 * and a stable x·ln(x/y) + y − x), so that they keep ~1e-15 relative
 * accuracy where a·ln x, x and lnΓ(a + 1) are each near 10^6. P by its
 * power series when x < a + 1, Q by Lentz's continued fraction otherwise,
 * each complement by log1p. Kummer's series is summed outward from its
 * largest term, whose logarithm comes from a Stirling difference. Cost:
 * O(1) far from x = a, O(√a) terms near it (~9·√a; 3,000 for a = 10^5).
 * Pure and reentrant (lgamma_r, no global state).
 */
#ifndef RELAIS_GAMMAINC_H
#define RELAIS_GAMMAINC_H

/* ln(x^a e^-x / Γ(a + 1)), a >= 0, x >= 0: the Poisson weight at a. */
double gammainc_lnpois(double a, double x);

/* ln P(a, x) = ln(γ(a, x) / Γ(a)) and ln Q(a, x) = ln(1 − P), a > 0. */
double gammainc_lnp(double a, double x);
double gammainc_lnq(double a, double x);

/*
 * Kummer's M(1, a + 1, x) = Σ_{j>=0} t_j, t_j = x^j / ((a + 1)···(a + j)),
 * for a >= 0, x >= 0; equal to a·x^-a·e^x·γ(a, x). With h_j = Σ_{i=1..j}
 * 1 / (a + i), mean_h = Σ h_j·t_j / M is −∂ln M / ∂a.
 */
struct gammainc_m {
	double lnm;    /* ln M */
	double lnm1;   /* ln(M − 1), the terms j >= 1; -inf when x = 0 */
	double mean_j; /* Σ j·t_j / M */
	double mean_h; /* Σ h_j·t_j / M */
};

void gammainc_m(double a, double x, struct gammainc_m *out);

#endif
