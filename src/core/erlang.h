/*
 * erlang — queueing models for staffing: Erlang B (M/M/n/n), Erlang C
 * (M/M/n) and Erlang A (M/M/n+M, with abandonment), evaluated in log space
 * so that they stay finite and exact to ~1e-12 (relative) up to n =
 * 100,000 and beyond, under- or overloaded, and the staffing search built
 * on them. Pure: no I/O, no global state. Formulas and test vectors:
 * wfm-anchors.md §1, §2, §8 (research notes) and docs/wfm.md.
 *
 * Units: rates per second; an interval of interval_s seconds receives
 * `calls` contacts (λ = calls / interval_s), each handled in aht_s (μ =
 * 1 / aht_s); patience_s is the mean patience (θ = 1 / patience_s) and 0
 * or +inf means infinitely patient: ERLANG_A then evaluates Erlang C.
 *
 * Cost: Erlang B and C are O(1) per evaluation (O(n) up to n = 256, then
 * the incomplete gamma); Erlang A sums series of O(√(n·patience/AHT))
 * terms: ~7 µs at n = 100,000, ~50 µs overloaded by 20 %. A staffing
 * search takes 2-3 evaluations (~2 µs an interval at typical sizes).
 */
#ifndef RELAIS_ERLANG_H
#define RELAIS_ERLANG_H

#include <stdbool.h>
#include <stddef.h>

enum erlang_model { ERLANG_B = 0, ERLANG_C, ERLANG_A };

/*
 * The service-level variants of wfm-anchors §8, numbered as its count
 * variants 1-4 (its K3 line for Erlang A swaps the last two; the meaning
 * below is what the code computes, for counts and for Erlang A alike).
 */
enum erlang_sl {
	ERLANG_SL_OFFERED = 0,	      /* answered ≤ t / offered (default) */
	ERLANG_SL_ANSWERED,	      /* answered ≤ t / answered */
	ERLANG_SL_EXCLUDE_ABANDONS_T, /* abandons ≤ t leave the base */
	ERLANG_SL_ABANDONS_MET,	      /* abandons ≤ t count as met */
	ERLANG_SL_MAX,
};

struct erlang_in {
	double calls;	    /* per interval, >= 0 */
	double interval_s;  /* > 0 */
	double aht_s;	    /* > 0 */
	double threshold_s; /* service-level threshold t, >= 0 */
	double patience_s;  /* Erlang A: mean patience; 0 or inf: Erlang C */
};

/*
 * Erlang B has no queue: a blocked contact is lost (neither answered nor
 * abandoned), so blocking = B, service_level = sl[OFFERED] = 1 − B,
 * sl[ANSWERED] = 1, the other variants 1 − B, p_wait = p_abandon = 0,
 * waits 0 and occupancy = A·(1 − B) / n (carried load per line).
 */
struct erlang_out {
	double load;		  /* A = λ·AHT, in Erlangs */
	double blocking;	  /* Erlang B only */
	double p_wait;		  /* P(W > 0) */
	double p_abandon;	  /* Erlang A; 0 for C */
	double service_level;	  /* variant ERLANG_SL_OFFERED */
	double sl[ERLANG_SL_MAX]; /* every variant, by enum erlang_sl */
	double asa_s;		  /* mean wait over all arrivals (A: E[W]) */
	double asa_answered_s;	  /* mean wait of answered contacts */
	double occupancy;	  /* λ(1 − P(Ab))·AHT / n */
};

/*
 * Erlang B blocking for n servers and a load in Erlangs (n >= 0, real n
 * by the continuous extension A^n·e^-A / Γ(n + 1, A)); NaN on bad input.
 */
double erlang_b(double n, double load);

/*
 * The largest load n lines carry at the given blocking (0 < blocking < 1):
 * the inverse of erlang_b in its load, to ~1e-12. NaN on bad input.
 */
double erlang_b_load(double n, double blocking);

/*
 * The four service-level variants of counted contacts (wfm-anchors §8):
 * answered within t, all answered, abandoned within t, all abandoned.
 * A variant whose base is empty is 1 (nothing was missed).
 */
void erlang_sl_counts(double answered_t, double answered, double abandoned_t,
		      double abandoned, double sl[ERLANG_SL_MAX]);

/*
 * Evaluates a model with n agents. Returns 0, EINVAL (bad input), or
 * EDOM (Erlang C with load >= n: no steady state); msg (may be NULL)
 * gets a sentence for people. With no calls every model gives zero waits
 * and a service level of 1.
 */
int erlang_eval(enum erlang_model m, int n, const struct erlang_in *in,
		struct erlang_out *out, char *msg, size_t size);

/*
 * Targets that do not apply to the model are refused (EINVAL): a service
 * level or ASA for Erlang B, max_abandon outside Erlang A, max_blocking
 * outside Erlang B. max_asa_s bounds the mean wait of answered contacts.
 */
struct erlang_target {
	double service_level; /* e.g. 0.8 of variant sl; 0: none; < 1 */
	enum erlang_sl sl;
	double max_asa_s;     /* answered contacts; 0: none */
	double max_abandon;   /* Erlang A; 0: none */
	double max_blocking;  /* Erlang B; 0: none */
	double max_occupancy; /* e.g. 0.85; 0: none */
	double shrinkage;     /* 0 <= s < 1 */
};

enum erlang_goal {
	ERLANG_GOAL_NONE = 0,
	ERLANG_GOAL_SERVICE_LEVEL,
	ERLANG_GOAL_ASA,
	ERLANG_GOAL_ABANDON,
	ERLANG_GOAL_BLOCKING,
	ERLANG_GOAL_OCCUPANCY,
};

struct erlang_staffing {
	int agents;		/* the smallest n meeting every target */
	int scheduled;		/* ceil(agents / (1 - shrinkage)) */
	struct erlang_out at;	/* the model at `agents` */
	enum erlang_goal unmet; /* on ERANGE: the target that cannot be met */
	int evals;		/* model evaluations the search took */
};

/*
 * The smallest n meeting the targets (every metric is monotone in n): from
 * the Erlang C answer as a guess, galloping then bisecting. Returns 0,
 * EINVAL, or ERANGE when no n <= ERLANG_MAX_AGENTS meets them or a service
 * level of 1 is asked (every queue leaves some contacts waiting past t):
 * out->unmet and msg say which target (unmet is ERLANG_GOAL_NONE when the
 * shrinkage is so close to 1 that `scheduled` overflows). With no calls,
 * 0 agents. A target met to 1e-12 counts as met.
 */
#define ERLANG_MAX_AGENTS 1000000

int erlang_staff(enum erlang_model m, const struct erlang_in *in,
		 const struct erlang_target *t, struct erlang_staffing *out,
		 char *msg, size_t size);

#endif
