/*
 * sim_stat.c — what the simulator draws with and sums with: the xoshiro256**
 * generator, duration distributions, and confidence intervals over
 * replications (Student t, exact table to 30 degrees of freedom, then the
 * Cornish-Fisher expansion, within 1e-4 of the exact quantile).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/sim.h"

/* ---- xoshiro256** (Blackman & Vigna, public domain) ---------------- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double sim_rng_uniform(struct sim_rng *r)
{
	return ((double)(sim_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

/* ---- exponential by the ziggurat --------------------------------------- */

void sim_ziggurat_init(struct sim_ziggurat *z)
{
	const double m = 4294967296.0; /* 2^32 */
	double de = 7.697117470131487, te = de, ve = 3.949659822581572e-3;
	double q = ve / exp(-de);

	z->k[0] = (uint32_t)(de / q * m);
	z->k[1] = 0;
	z->w[0] = q / m;
	z->w[255] = de / m;
	z->f[0] = 1;
	z->f[255] = exp(-de);
	for (int i = 254; i >= 1; i--) {
		de = -log(ve / de + exp(-de));
		z->k[i + 1] = (uint32_t)(de / te * m);
		te = de;
		z->f[i] = exp(-de);
		z->w[i] = de / m;
	}
}

double sim_rng_exp(struct sim_rng *r, const struct sim_ziggurat *z)
{
	for (;;) {
		uint64_t b = sim_rng_next(r);
		uint32_t j = (uint32_t)(b >> 32), i = (uint32_t)b & 255;
		double x = j * z->w[i];

		if (j < z->k[i])
			return x;
		if (i == 0) /* the tail, beyond the base strip */
			return 7.697117470131487 - log(sim_rng_uniform(r));
		if (z->f[i] + sim_rng_uniform(r) * (z->f[i - 1] - z->f[i]) <
		    exp(-x))
			return x;
	}
}

/* ---- distributions -------------------------------------------------- */

static const char *const dist_names[SIM_DIST_MAX] = {
	"none", "constant", "exponential", "lognormal", "empirical"};

const char *sim_dist_name(enum sim_dist_kind k)
{
	return k < SIM_DIST_MAX ? dist_names[k] : "?";
}

bool sim_dist_parse(const char *s, enum sim_dist_kind *kp)
{
	for (int i = 0; s && i < SIM_DIST_MAX; i++) {
		if (!strcmp(dist_names[i], s)) {
			*kp = (enum sim_dist_kind)i;
			return true;
		}
	}
	return false;
}

/* Durations up to a week: beyond, the engine's clock would not care. */
#define MAX_S (7 * 86400.0)

int sim_dist_check(const struct sim_dist *d, char *msg, size_t size)
{
	switch (d->kind) {
	case SIM_DIST_NONE:
		return 0;
	case SIM_DIST_CONSTANT:
		if (!(d->mean_s >= 0 && d->mean_s <= MAX_S))
			goto mean;
		return 0;
	case SIM_DIST_EXPONENTIAL:
		if (!(d->mean_s > 0 && d->mean_s <= MAX_S))
			goto mean;
		return 0;
	case SIM_DIST_LOGNORMAL:
		if (!(d->mean_s > 0 && d->mean_s <= MAX_S))
			goto mean;
		if (!(d->sd_s > 0 && d->sd_s <= 100 * d->mean_s)) {
			snprintf(msg, size,
				 "sd_s: expected a number > 0 and at most 100 "
				 "times mean_s");
			return EINVAL;
		}
		return 0;
	case SIM_DIST_EMPIRICAL:
		if (!d->nvalues || !d->values_s) {
			snprintf(msg, size,
				 "values_s: expected at least one "
				 "value");
			return EINVAL;
		}
		for (size_t i = 0; i < d->nvalues; i++) {
			if (!(d->values_s[i] >= 0 && d->values_s[i] <= MAX_S)) {
				snprintf(msg, size,
					 "values_s[%zu]: expected a number "
					 "from 0 to %g",
					 i, MAX_S);
				return EINVAL;
			}
		}
		return 0;
	default:
		snprintf(msg, size, "dist: unknown distribution");
		return EINVAL;
	}
mean:
	snprintf(msg, size, "mean_s: expected a number %s 0 and at most %g",
		 d->kind == SIM_DIST_CONSTANT ? ">=" : ">", MAX_S);
	return EINVAL;
}

/* ---- confidence intervals ------------------------------------------ */

/* t(0.975, df) for df = 1..30 */
static const double t975[30] = {
	12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060,
	2.2622,	 2.2281, 2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199,
	2.1098,	 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687, 2.0639,
	2.0595,	 2.0555, 2.0518, 2.0484, 2.0452, 2.0423};

double sim_t975(unsigned df)
{
	const double z = 1.959963984540054;
	double z2 = z * z, v = df;

	if (df == 0)
		return INFINITY;
	if (df <= 30)
		return t975[df - 1];
	/* Cornish-Fisher: z + g1/v + g2/v^2 + g3/v^3 */
	return z + (z2 * z + z) / 4 / v +
	       (5 * z2 * z2 * z + 16 * z2 * z + 3 * z) / 96 / (v * v) +
	       (3 * z2 * z2 * z2 * z + 19 * z2 * z2 * z + 17 * z2 * z -
		15 * z) /
		       384 / (v * v * v);
}

void sim_acc_add(struct sim_acc *a, double x)
{
	double d = x - a->mean;

	a->n++;
	a->mean += d / a->n;
	a->m2 += d * (x - a->mean);
}

struct sim_stat sim_acc_stat(const struct sim_acc *a)
{
	struct sim_stat s = {-1, -1, a->n};

	if (a->n == 0)
		return s;
	s.mean = a->mean;
	if (a->n >= 2) {
		double var = a->m2 > 0 ? a->m2 / (a->n - 1) : 0;

		s.ci95 = sim_t975(a->n - 1) * sqrt(var / a->n);
	}
	return s;
}
