/*
 * schedule_ip — how many of each shift to work: the set-covering integer
 * program of wfm-anchors §5 solved with GLPK 5.0 (glp_simplex, then
 * glp_intopt with a time limit).
 *
 * Variables: x_j >= 0 integer, the number of shifts of pattern j (a site,
 * a group, a start, a length, a break position); u_gt >= 0, the agents
 * missing in slot t of group g.
 *   minimise   sum_j cost_j x_j + P sum_gt u_gt
 *   subject to sum_{j works t, group g} x_j + u_gt >= r_gt   (coverage)
 *              per site s and start slot t: the shifts of s that are at
 *                work or in their rest (min_rest) at t      <= agents_s
 *              per site: sum_j x_j <= agents_s min(max_days, days)
 *              per site: sum_j hours_j x_j <= agents_s max_week_hours
 *                (and <= the site's max_hours when it has one)
 * On a 7-day horizon the rest wraps around the week (a cyclic roster).
 * The under-coverage u keeps every instance feasible; P (per agent-slot)
 * is above the cost of any one shift, so coverage comes first wherever a
 * site may still work. The site rows make the greedy roster (core/
 * schedule_roster.c) succeed under the rest rule.
 *
 * This lives in src/sys, not src/core: GLPK keeps per-thread global state,
 * reads the wall clock for its time limit, and is an external library.
 * The model itself (patterns, rules, coverage, roster) is in the core.
 */
#ifndef RELAIS_SCHEDULE_IP_H
#define RELAIS_SCHEDULE_IP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/schedule.h"

struct schedule_ip_progress {
	double elapsed_s;
	double incumbent; /* best objective so far; NAN: none yet */
	double bound;	  /* best lower bound; NAN: none yet */
	double gap;	  /* relative; NAN: unknown */
	int nodes;	  /* branch-and-bound nodes created */
};

struct schedule_ip_opts {
	double time_limit_s; /* 0: none */
	double mip_gap;	     /* stop below this relative gap; 0: optimum */
	double progress_s;   /* seconds between progress calls; 0: 1 */
	/* called from the solver; may be NULL */
	void (*progress)(const struct schedule_ip_progress *pr, void *arg);
	void *arg; /* borrowed */
};

enum schedule_ip_status {
	SCHEDULE_IP_OPTIMAL = 0,
	SCHEDULE_IP_GAP,	/* stopped within opts.mip_gap */
	SCHEDULE_IP_TIME_LIMIT, /* stopped by the time limit */
};

struct schedule_ip_result {
	enum schedule_ip_status status;
	double objective; /* cost + penalty */
	double cost;	  /* of the shifts */
	double penalty;	  /* of the under-coverage */
	double bound;	  /* best lower bound on the objective */
	double gap;	  /* (objective - bound) / objective */
	double solve_s;	  /* wall time of the two solver calls */
	int rows, cols, nodes;
	bool heuristic; /* the solution is our rounding, not GLPK's */
	int rounds;	/* schedule_ip_plan: solves it took */
	double total_s; /* schedule_ip_plan: wall time of all of them */
};

/*
 * Sets pat[j].count for the n patterns of schedule_patterns. Returns 0
 * (a solution always exists), EINVAL (bad problem, msg says why), ENOMEM
 * or EIO (GLPK failed; msg has its return code).
 */
int schedule_ip_solve(const struct schedule_problem *p,
		      struct schedule_shift *pat, size_t n,
		      const struct schedule_ip_opts *o,
		      struct schedule_ip_result *res, char *msg, size_t size);

/*
 * The program, then the roster (core/schedule.h). The program bounds a
 * site's hours and shifts in total, not per agent, so agents may fail to
 * absorb every shift (a bin packing of weekly hours): then each site left
 * with unassigned shifts gets a budget (max_hours) of the hours it did
 * roster and the program is solved again, up to SCHEDULE_IP_ROUNDS
 * solves in all, each with the full time limit. The round whose roster
 * costs least (shifts worked plus the penalty of what they leave
 * uncovered) stays: its counts in pat, its result, its roster (the
 * caller frees it with schedule_roster_free).
 */
#define SCHEDULE_IP_ROUNDS 4

int schedule_ip_plan(const struct schedule_problem *p,
		     struct schedule_shift *pat, size_t n,
		     const struct schedule_ip_opts *o,
		     struct schedule_ip_result *res,
		     struct schedule_roster *roster, char *msg, size_t size);

#endif
