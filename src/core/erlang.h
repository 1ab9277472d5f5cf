/*
 * erlang — queueing models for staffing: Erlang B (M/M/n/n), Erlang C
 * (M/M/n) and Erlang A (M/M/n+M, with abandonment), evaluated in log space
 * so that they stay finite and exact to ~1e-9 up to n = 100,000, and the
 * staffing search built on them. Pure: no I/O. Formulas and test vectors:
 * ../shared/research/wfm-anchors.md §1-2 (and docs/wfm.md).
 *
 * Units: rates per second; an interval of interval_s seconds receives
 * `calls` contacts (λ = calls / interval_s), each handled in aht_s (μ =
 * 1 / aht_s); patience_s is the mean patience (θ = 1 / patience_s) and 0
 * means infinitely patient (Erlang C).
 */
#ifndef RELAIS_ERLANG_H
#define RELAIS_ERLANG_H

#include <stdbool.h>
#include <stddef.h>

enum erlang_model { ERLANG_B = 0, ERLANG_C, ERLANG_A };

/* The service-level variants of wfm-anchors §8 (K3 for Erlang A). */
enum erlang_sl {
	ERLANG_SL_OFFERED = 0,	     /* answered ≤ t / offered (default) */
	ERLANG_SL_ANSWERED,	     /* answered ≤ t / answered */
	ERLANG_SL_EXCLUDE_ABANDONS_T, /* + abandons ≤ t leave the base */
	ERLANG_SL_ABANDONS_MET,	     /* abandons ≤ t count as met */
	ERLANG_SL_MAX,
};

struct erlang_in {
	double calls;	    /* per interval, >= 0 */
	double interval_s;  /* > 0 */
	double aht_s;	    /* > 0 */
	double threshold_s; /* service-level threshold t, >= 0 */
	double patience_s;  /* Erlang A: mean patience > 0; else unused */
};

struct erlang_out {
	double load;		 /* A = λ·AHT, in Erlangs */
	double blocking;	 /* Erlang B only */
	double p_wait;		 /* P(W > 0) */
	double p_abandon;	 /* Erlang A; 0 for C */
	double service_level;	 /* variant ERLANG_SL_OFFERED */
	double sl[ERLANG_SL_MAX];
	double asa_s;		 /* mean wait over all arrivals */
	double asa_answered_s;	 /* mean wait of answered contacts */
	double occupancy;	 /* λ(1 − P(Ab))·AHT / n */
};

/* Erlang B blocking for n servers and a load in Erlangs (n >= 0). */
double erlang_b(double n, double load);

/*
 * Evaluates a model with n agents. Returns 0, EINVAL (bad input), or
 * EDOM (Erlang C with load >= n: no steady state); msg gets a sentence
 * for people. For ERLANG_B only load and blocking are set.
 */
int erlang_eval(enum erlang_model m, int n, const struct erlang_in *in,
		struct erlang_out *out, char *msg, size_t size);

struct erlang_target {
	double service_level; /* e.g. 0.8 of variant sl; 0: none */
	enum erlang_sl sl;
	double max_asa_s;     /* 0: none */
	double max_abandon;   /* Erlang A; 0: none */
	double max_blocking;  /* Erlang B; 0: none */
	double max_occupancy; /* e.g. 0.85; 0: none */
	double shrinkage;     /* 0 <= s < 1 */
};

struct erlang_staffing {
	int agents;    /* the smallest n meeting every target */
	int scheduled; /* ceil(agents / (1 - shrinkage)) */
	struct erlang_out at; /* the model at `agents` */
};

/*
 * The smallest n meeting the targets, searched from the load upward
 * (square-root staffing for the first guess, then exact). Returns 0,
 * EINVAL, or ERANGE when no n <= 1,000,000 meets them (msg says which
 * target cannot be met, e.g. an abandon rate below what patience allows).
 */
int erlang_staff(enum erlang_model m, const struct erlang_in *in,
		 const struct erlang_target *t, struct erlang_staffing *out,
		 char *msg, size_t size);

#endif
