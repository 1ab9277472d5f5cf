/*
 * erlang — see erlang.h. The formulas, in the notation of wfm-anchors §1:
 *
 * Erlang B. 1/B(k) = 1 + (k/A)/B(k−1) up to n = 256 (rescaled so that it
 * never overflows), above that B = Poisson(n; A) / Q(n + 1, A) in logs
 * (gammainc.h). The staffing search steps B(k) = A·B(k−1)/(k + A·B(k−1))
 * from the last n it evaluated.
 *
 * Erlang C. C = 1 / (ρ + (1 − ρ)/B), SL(t) = 1 − C·e^{−(n − A)·t/AHT},
 * ASA = C·AHT / (n − A).
 *
 * Erlang A. With x = nμ/θ, y = λ/θ and the birth-death chain above n,
 * P(N = n + j) = π_n·t_j where t_j = y^j / ((x + 1)···(x + j)), whose sum
 * is A(x, y) = M(1, x + 1, y) (Kummer). Then π_n = 1 / (1/E + A − 1) by
 * log-sum-exp, P(W > 0) = π_n·A, and, summing j·t_j and h_j·t_j in the
 * same pass (h_j = Σ_{i≤j} 1/(x + i); mean_j, mean_h: their averages
 * weighted by t_j):
 *	P(Ab) = θ·E[Q]/λ = P(W > 0)·mean_j / y    (no cancellation)
 *	E[W] = P(Ab) / θ
 *	∫ P(served, W > s) ds = P(W > 0)·mean_h / (ρθ)
 * The last one is the exact value of the integral of wfm-anchors §1.3,
 * got by substituting u = y·e^{−θs}: ∫ P(x + 1, u) du/u is the derivative
 * of ln A in x, i.e. the series of h_j (tests check it against Simpson).
 * With z = y·e^{−θt}: P(served, W > t) = π_n·x/(x + 1)·A(x + 1, z)·
 * e^{y − z − (nμ + θ)t} and P(W > t) = π_n·A(x, z)·e^{y − z − (nμ + θ)t}.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/erlang.h"
#include "core/gammainc.h"
#include "core/say.h"

#define B_RECURSION_MAX 256
#define TOL		1e-12  /* slack when comparing a metric to a target */
#define LN_TINY		-460.0 /* ln 1e-200: below, recompute ln B afresh */

enum need {
	NEED_SL = 1,	     /* offered and answered service levels */
	NEED_SL_ABANDON = 2, /* the variants that need P(Ab, W <= t) */
	NEED_ASA = 4,	     /* the answered-only ASA */
	NEED_ALL = 7,
};

/* One model, in rates per second. */
struct model {
	enum erlang_model m;
	double lam, mu, theta, t, aht, load;
};

static bool finite_ge0(double v)
{
	return v >= 0 && isfinite(v);
}

static int model_init(struct model *p, enum erlang_model m,
		      const struct erlang_in *in, char *msg, size_t size)
{
	if (m != ERLANG_B && m != ERLANG_C && m != ERLANG_A)
		return say_err(msg, size, EINVAL, "unknown Erlang model %d", m);
	if (!finite_ge0(in->calls))
		return say_err(msg, size, EINVAL,
			       "calls must be a number >= 0 (got %g)",
			       in->calls);
	if (!(in->interval_s > 0) || !isfinite(in->interval_s))
		return say_err(msg, size, EINVAL,
			       "the interval must be > 0 s (got %g)",
			       in->interval_s);
	if (!(in->aht_s > 0) || !isfinite(in->aht_s))
		return say_err(msg, size, EINVAL,
			       "the handle time must be > 0 s (got %g)",
			       in->aht_s);
	if (m != ERLANG_B && !finite_ge0(in->threshold_s))
		return say_err(msg, size, EINVAL,
			       "the service-level threshold must be >= 0 s "
			       "(got %g)",
			       in->threshold_s);
	if (m == ERLANG_A && !(in->patience_s >= 0))
		return say_err(msg, size, EINVAL,
			       "the mean patience must be > 0 s (got %g)",
			       in->patience_s);
	p->m = m;
	p->lam = in->calls / in->interval_s;
	p->aht = in->aht_s;
	p->mu = 1 / in->aht_s;
	p->load = p->lam * in->aht_s;
	p->t = in->threshold_s;
	p->theta = 0;
	if (m == ERLANG_A && in->patience_s > 0 && isfinite(in->patience_s))
		p->theta = 1 / in->patience_s;
	else if (m == ERLANG_A)
		p->m = ERLANG_C;
	if (!isfinite(p->load) || p->load > 1e12)
		return say_err(msg, size, EINVAL,
			       "the load (%g Erlangs) is too large", p->load);
	/* Erlang A sums O(√(λ/θ)) terms: 10^12 takes a tenth of a second */
	if (p->theta > 0 && p->lam / p->theta > 1e12)
		return say_err(
			msg, size, EINVAL,
			"load x patience / AHT is too large for Erlang A "
			"(%g): use Erlang C",
			p->lam / p->theta);
	return 0;
}

static double logaddexp(double a, double b)
{
	double hi = a > b ? a : b, lo = a > b ? b : a;

	if (hi == -INFINITY)
		return -INFINITY;
	return hi + log1p(exp(lo - hi));
}

/*
 * ln B(n, A). An integer n up to 256 takes the inverse recursion 1/B(k) =
 * 1 + (k/A)/B(k − 1): positive terms only (relative error below k·eps),
 * one multiply-add a step, rescaled before it could overflow.
 */
static double ln_b(double n, double a)
{
	double inv = 1, one = 1, shift = 0, ka = 1 / a;

	if (n == 0)
		return 0;
	if (a == 0)
		return -INFINITY;
	if (n > B_RECURSION_MAX || n != floor(n))
		return gammainc_lnpois(n, a) - gammainc_lnq(n + 1, a);
	for (double k = 1; k <= n; k++) {
		inv = inv * (k * ka) + one;
		if (inv > 1e200) {
			inv *= 0x1p-600;
			one *= 0x1p-600;
			shift += 600;
		}
	}
	return -log(inv) - shift * M_LN2;
}

double erlang_b(double n, double load)
{
	if (!finite_ge0(n) || !finite_ge0(load))
		return NAN;
	return exp(ln_b(n, load));
}

double erlang_b_load(double n, double blocking)
{
	double lo = 0, hi = n > 1 ? n : 1, lnt = log(blocking);

	if (!(n > 0) || !isfinite(n) || !(blocking > 0 && blocking < 1))
		return NAN;
	while (ln_b(n, hi) < lnt)
		hi *= 2;
	while (hi - lo > 1e-13 * hi) {
		double mid = lo + (hi - lo) / 2;

		if (ln_b(n, mid) < lnt)
			lo = mid;
		else
			hi = mid;
	}
	return lo + (hi - lo) / 2;
}

static double ratio_or_1(double num, double den)
{
	return den > 0 ? num / den : 1;
}

void erlang_sl_counts(double answered_t, double answered, double abandoned_t,
		      double abandoned, double sl[ERLANG_SL_MAX])
{
	double offered = answered + abandoned;

	sl[ERLANG_SL_OFFERED] = ratio_or_1(answered_t, offered);
	sl[ERLANG_SL_ANSWERED] = ratio_or_1(answered_t, answered);
	sl[ERLANG_SL_EXCLUDE_ABANDONS_T] =
		ratio_or_1(answered_t, offered - abandoned_t);
	sl[ERLANG_SL_ABANDONS_MET] =
		ratio_or_1(answered_t + abandoned_t, offered);
}

static double clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

static void set_all_sl(struct erlang_out *o, double sl)
{
	o->service_level = sl;
	for (int i = 0; i < ERLANG_SL_MAX; i++)
		o->sl[i] = sl;
}

static void eval_b(const struct model *p, int n, double lnb,
		   struct erlang_out *o)
{
	double b = exp(lnb);

	o->blocking = b;
	set_all_sl(o, 1 - b);
	o->sl[ERLANG_SL_ANSWERED] = 1;
	o->occupancy = n > 0 ? clamp01(p->load * (1 - b) / n) : 0;
}

/* Needs load < n. */
static void eval_c(const struct model *p, int n, double lnb,
		   struct erlang_out *o)
{
	double gap = n - p->load, rho = p->load / n;
	double c = exp(-logaddexp(log(rho), log(gap / n) - lnb));

	o->p_wait = c;
	set_all_sl(o, clamp01(1 - c * exp(-gap * p->t / p->aht)));
	o->asa_s = o->asa_answered_s = c * p->aht / gap;
	o->occupancy = rho;
}

/* Nobody is answered: every contact waits its patience out. */
static void eval_a_no_agent(const struct model *p, struct erlang_out *o)
{
	double gone_by_t = -expm1(-p->theta * p->t);

	o->p_wait = 1;
	o->p_abandon = 1;
	set_all_sl(o, 0);
	o->sl[ERLANG_SL_ABANDONS_MET] = gone_by_t;
	o->asa_s = 1 / p->theta;
}

/* P(W > t) and P(served, W > t) share π_n and the exponent. */
static void eval_a_sl(const struct model *p, int n, double lnpi, unsigned need,
		      struct erlang_out *o)
{
	double x = n * p->mu / p->theta, y = p->lam / p->theta;
	double z = y * exp(-p->theta * p->t);
	double lnd =
		-y * expm1(-p->theta * p->t) - (n * p->mu + p->theta) * p->t;
	double sl, served_late, abandon_t;
	struct gammainc_m m;

	gammainc_m(x + 1, z, &m);
	served_late = exp(lnpi - log1p(1 / x) + m.lnm + lnd);
	sl = clamp01(1 - o->p_abandon - served_late);
	o->service_level = o->sl[ERLANG_SL_OFFERED] = sl;
	o->sl[ERLANG_SL_ANSWERED] =
		o->p_abandon < 1 ? clamp01(sl / (1 - o->p_abandon)) : 0;
	if (!(need & NEED_SL_ABANDON))
		return;
	gammainc_m(x, z, &m);
	abandon_t = clamp01(1 - exp(lnpi + m.lnm + lnd) - sl);
	o->sl[ERLANG_SL_EXCLUDE_ABANDONS_T] =
		abandon_t < 1 ? clamp01(sl / (1 - abandon_t)) : 0;
	o->sl[ERLANG_SL_ABANDONS_MET] = clamp01(sl + abandon_t);
}

static void eval_a(const struct model *p, int n, double lnb, unsigned need,
		   struct erlang_out *o)
{
	double x = n * p->mu / p->theta, y = p->lam / p->theta;
	double rho = p->load / n, lnpi;
	struct gammainc_m m;

	if (n == 0) {
		eval_a_no_agent(p, o);
		return;
	}
	gammainc_m(x, y, &m);
	lnpi = -logaddexp(-lnb, m.lnm1);
	o->p_wait = clamp01(exp(lnpi + m.lnm));
	o->p_abandon = clamp01(o->p_wait * m.mean_j / y);
	o->asa_s = o->p_abandon / p->theta;
	o->occupancy = clamp01(rho * (1 - o->p_abandon));
	if ((need & NEED_ASA) && o->p_abandon < 1)
		o->asa_answered_s = o->p_wait * m.mean_h / (rho * p->theta) /
				    (1 - o->p_abandon);
	if (need & (NEED_SL | NEED_SL_ABANDON))
		eval_a_sl(p, n, lnpi, need, o);
}

/* No calls: nothing waits, nothing is lost. */
static void eval_idle(struct erlang_out *o)
{
	set_all_sl(o, 1);
}

static void evaluate(const struct model *p, int n, double lnb, unsigned need,
		     struct erlang_out *o)
{
	double load = p->load;

	memset(o, 0, sizeof(*o));
	o->load = load;
	if (p->lam == 0)
		eval_idle(o);
	else if (p->m == ERLANG_B)
		eval_b(p, n, lnb, o);
	else if (p->m == ERLANG_C)
		eval_c(p, n, lnb, o);
	else
		eval_a(p, n, lnb, need, o);
}

static int unstable(const struct model *p, int n, char *msg, size_t size)
{
	return say_err(msg, size, EDOM,
		       "a load of %.4g Erlangs needs more than %d agents: the "
		       "queue would grow without bound (Erlang C has no steady "
		       "state)",
		       p->load, n);
}

int erlang_eval(enum erlang_model m, int n, const struct erlang_in *in,
		struct erlang_out *out, char *msg, size_t size)
{
	struct model p;
	int err;

	memset(out, 0, sizeof(*out));
	err = model_init(&p, m, in, msg, size);
	if (err)
		return err;
	if (n < 0)
		return say_err(msg, size, EINVAL,
			       "the number of agents must be >= 0 (got %d)", n);
	if (p.m == ERLANG_C && p.lam > 0 && p.load >= n)
		return unstable(&p, n, msg, size);
	evaluate(&p, n, p.lam > 0 ? ln_b(n, p.load) : -INFINITY, NEED_ALL, out);
	return 0;
}

/* ---- staffing --------------------------------------------------------- */

struct search {
	struct model p;
	const struct erlang_target *t;
	unsigned need;
	int lb;	 /* the smallest n worth trying */
	int b_n; /* ln B is known at b_n (-1: not yet) */
	double b_ln;
	int evals;
	enum erlang_goal unmet;
	struct erlang_out o;
};

/*
 * ln B at n, stepping the recursion from the last n when it is near.
 * Upward the recursion is contractive; downward a relative error grows by
 * 1/(1 − B) a step, so it steps down only while B < 0.1 (at most 1.11 a
 * step) and recomputes otherwise.
 */
static double search_lnb(struct search *s, int n)
{
	double a = s->p.load, e;
	int k;

	if (s->b_n < 0 || abs(n - s->b_n) > 64 || s->b_ln < LN_TINY)
		goto fresh;
	e = exp(s->b_ln);
	for (k = s->b_n; k < n; k++)
		e = a * e / (k + 1 + a * e);
	for (k = s->b_n; k > n; k--) {
		if (e >= 0.1)
			goto fresh;
		e = e * k / (a * (1 - e));
	}
	s->b_n = n;
	s->b_ln = log(e);
	return s->b_ln;
fresh:
	s->b_n = n;
	s->b_ln = ln_b(n, a);
	return s->b_ln;
}

/* A count of agents for the search, within [0, ERLANG_MAX_AGENTS + 1]. */
static int agents_of(double n)
{
	return n < 0		       ? 0
	       : n > ERLANG_MAX_AGENTS ? ERLANG_MAX_AGENTS + 1
				       : (int)n;
}

static bool miss(struct search *s, enum erlang_goal g)
{
	s->unmet = g;
	return false;
}

static bool above(double v, double max)
{
	return max > 0 && v > max * (1 + TOL);
}

static bool meets(struct search *s, int n)
{
	const struct erlang_target *t = s->t;
	struct erlang_out *o = &s->o;

	s->evals++;
	if (s->p.m == ERLANG_C && s->p.load >= n)
		return miss(s, t->service_level > 0 ? ERLANG_GOAL_SERVICE_LEVEL
			       : t->max_asa_s > 0   ? ERLANG_GOAL_ASA
						    : ERLANG_GOAL_OCCUPANCY);
	evaluate(&s->p, n, search_lnb(s, n), s->need, o);
	if (t->service_level > 0 && o->sl[t->sl] < t->service_level - TOL)
		return miss(s, ERLANG_GOAL_SERVICE_LEVEL);
	if (above(o->asa_answered_s, t->max_asa_s))
		return miss(s, ERLANG_GOAL_ASA);
	if (above(o->p_abandon, t->max_abandon))
		return miss(s, ERLANG_GOAL_ABANDON);
	if (above(o->blocking, t->max_blocking))
		return miss(s, ERLANG_GOAL_BLOCKING);
	if (above(o->occupancy, t->max_occupancy))
		return miss(s, ERLANG_GOAL_OCCUPANCY);
	return true;
}

/*
 * The smallest n >= lb that meets the targets, from a guess: gallop away
 * from it (1, 2, 4... agents) until the answer is bracketed, then bisect.
 * O(log distance) evaluations. ERANGE past ERLANG_MAX_AGENTS.
 */
static int search_from(struct search *s, int guess, int *np)
{
	int lo = s->lb - 1, hi, step = 1;

	if (guess < s->lb)
		guess = s->lb;
	if (guess > ERLANG_MAX_AGENTS)
		guess = ERLANG_MAX_AGENTS;
	if (meets(s, guess)) {
		hi = guess;
		while (hi - step > lo) {
			if (!meets(s, hi - step)) {
				lo = hi - step;
				break;
			}
			hi -= step;
			step *= 2;
		}
	} else {
		lo = guess;
		for (;;) {
			hi = lo + step > ERLANG_MAX_AGENTS ? ERLANG_MAX_AGENTS
							   : lo + step;
			if (meets(s, hi))
				break;
			if (hi == ERLANG_MAX_AGENTS)
				return ERANGE;
			lo = hi;
			step *= 2;
		}
	}
	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2;

		if (meets(s, mid))
			hi = mid;
		else
			lo = mid;
	}
	*np = hi;
	return 0;
}

static int check_fraction(double v, const char *what, bool below1, char *msg,
			  size_t size)
{
	if (!(v >= 0 && (below1 ? v < 1 : v <= 1)))
		return say_err(msg, size, EINVAL,
			       "%s must be between 0 and 1%s (got %g)", what,
			       below1 ? " (excluded)" : "", v);
	return 0;
}

static int check_target(const struct model *p, const struct erlang_target *t,
			char *msg, size_t size)
{
	int err = 0;

	if (t->service_level >= 1)
		return say_err(msg, size,
			       t->service_level == 1 ? ERANGE : EINVAL,
			       "a service level of %g cannot be met: some "
			       "contacts always wait longer than the threshold",
			       t->service_level);
	err = err ? err
		  : check_fraction(t->service_level, "the service level", true,
				   msg, size);
	err = err ? err
		  : check_fraction(t->max_abandon, "the abandon rate", false,
				   msg, size);
	err = err ? err
		  : check_fraction(t->max_blocking, "the blocking", false, msg,
				   size);
	err = err ? err
		  : check_fraction(t->max_occupancy, "the occupancy", false,
				   msg, size);
	err = err ? err
		  : check_fraction(t->shrinkage, "the shrinkage", true, msg,
				   size);
	if (err)
		return err;
	if (!finite_ge0(t->max_asa_s))
		return say_err(msg, size, EINVAL,
			       "the ASA must be >= 0 s (got %g)", t->max_asa_s);
	if (t->sl >= ERLANG_SL_MAX || (int)t->sl < 0)
		return say_err(msg, size, EINVAL,
			       "unknown service-level variant %d", t->sl);
	if (p->m == ERLANG_B && (t->service_level > 0 || t->max_asa_s > 0))
		return say_err(
			msg, size, EINVAL,
			"Erlang B has no queue: staff it for a blocking");
	if (p->m != ERLANG_B && t->max_blocking > 0)
		return say_err(msg, size, EINVAL,
			       "a blocking target needs Erlang B");
	if (p->m != ERLANG_A && t->max_abandon > 0)
		return say_err(msg, size, EINVAL,
			       "an abandon target needs Erlang A (a patience)");
	if (!(t->service_level > 0 || t->max_asa_s > 0 || t->max_abandon > 0 ||
	      t->max_blocking > 0 || t->max_occupancy > 0))
		return say_err(msg, size, EINVAL, "no staffing target given");
	return 0;
}

static unsigned need_of(const struct erlang_target *t)
{
	unsigned need = 0;

	if (t->service_level > 0)
		need |= NEED_SL;
	if (t->service_level > 0 && (t->sl == ERLANG_SL_EXCLUDE_ABANDONS_T ||
				     t->sl == ERLANG_SL_ABANDONS_MET))
		need |= NEED_SL_ABANDON;
	if (t->max_asa_s > 0)
		need |= NEED_ASA;
	return need;
}

/*
 * The Erlang C answer for the waiting and occupancy targets, walking up
 * from the load one agent at a time with no logarithm: B by its
 * recursion, e^{−(n − A)t/AHT} by a product. An approximation (no log
 * space, no slack) for a first guess; gives up after 4·√A + 16 agents.
 * Leaves B at the guess in the search's cache.
 */
static int c_walk(struct search *s)
{
	const struct erlang_target *t = s->t;
	double a = s->p.load, aht = s->p.aht, n = floor(a) + 1;
	double b = exp(ln_b(n, a)), step = exp(-s->p.t / aht);
	double decay = exp(-(n - a) * s->p.t / aht),
	       last = n + 4 * sqrt(a) + 16;

	for (; n < last; n++) {
		double rho = a / n, c = 1 / (rho + (1 - rho) / b);

		if (1 - c * decay >= t->service_level &&
		    (!(t->max_asa_s > 0) ||
		     c * aht / (n - a) <= t->max_asa_s) &&
		    (!(t->max_occupancy > 0) || rho <= t->max_occupancy))
			break;
		b = a * b / (n + 1 + a * b);
		decay *= step;
	}
	s->b_n = (int)n;
	s->b_ln = log(b);
	return (int)n;
}

/*
 * Where the search starts: for Erlang C and A with a service-level or
 * ASA target, the Erlang C answer by a cheap walk (Erlang A needs the same
 * or a few agents less: patience thins the queue); otherwise the load.
 */
static int first_guess(struct search *s)
{
	if (s->p.m == ERLANG_B || !(s->need & (NEED_SL | NEED_ASA)))
		return agents_of(ceil(s->p.load));
	if (s->p.load > ERLANG_MAX_AGENTS)
		return ERLANG_MAX_AGENTS;
	return c_walk(s);
}

static const char *goal_name(enum erlang_goal g)
{
	switch (g) {
	case ERLANG_GOAL_SERVICE_LEVEL:
		return "the service level";
	case ERLANG_GOAL_ASA:
		return "the ASA";
	case ERLANG_GOAL_ABANDON:
		return "the abandon rate";
	case ERLANG_GOAL_BLOCKING:
		return "the blocking";
	case ERLANG_GOAL_OCCUPANCY:
		return "the occupancy";
	default:
		return "the target";
	}
}

static int schedule(struct erlang_staffing *out, double shrinkage, char *msg,
		    size_t size)
{
	/* 14 / 0.7 is 20.000000000000004 in binary: that is 20 positions */
	double v = ceil(out->agents / (1 - shrinkage) * (1 - TOL));

	if (v > INT_MAX)
		return say_err(msg, size, ERANGE,
			       "a shrinkage of %g leaves too few agents: %g "
			       "positions",
			       shrinkage, v);
	out->scheduled = (int)v;
	return 0;
}

int erlang_staff(enum erlang_model m, const struct erlang_in *in,
		 const struct erlang_target *t, struct erlang_staffing *out,
		 char *msg, size_t size)
{
	struct search s = {.t = t, .b_n = -1};
	int err, n = 0;

	memset(out, 0, sizeof(*out));
	err = model_init(&s.p, m, in, msg, size);
	if (!err)
		err = check_target(&s.p, t, msg, size);
	if (err) {
		out->unmet = err == ERANGE ? ERLANG_GOAL_SERVICE_LEVEL
					   : ERLANG_GOAL_NONE;
		return err;
	}
	s.need = need_of(t);
	s.lb = s.p.m == ERLANG_C ? agents_of(floor(s.p.load) + 1) : 1;
	if (s.p.lam > 0) {
		err = search_from(&s, first_guess(&s), &n);
		out->evals = s.evals;
		if (err) {
			out->unmet = s.unmet;
			return say_err(msg, size, ERANGE,
				       "%s target cannot be met with up to %d "
				       "agents",
				       goal_name(s.unmet), ERLANG_MAX_AGENTS);
		}
	}
	out->agents = n;
	evaluate(&s.p, n, s.p.lam > 0 ? search_lnb(&s, n) : -INFINITY, NEED_ALL,
		 &out->at);
	return schedule(out, t->shrinkage, msg, size);
}
