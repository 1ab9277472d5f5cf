/*
 * schedule — from staffing requirements to shifts and a roster: the pure
 * half of workforce scheduling (wfm-anchors §5, docs/wfm.md "Requirements
 * and schedules").
 *
 * Time is a grid of 15-minute slots from the start of the horizon (day 0,
 * 00:00), one to seven days of 96 slots. A problem is:
 *   - a requirement: agents needed per slot for each group of queues
 *     (schedule_requirements derives it from a forecast with Erlang A/C);
 *   - sites: cost per paid hour, a head-count, the slots they are open,
 *     the groups they serve and their labour rules;
 *   - a shift shape: start every 30 min, 4-10 h of work, one unpaid break
 *     placed at every allowed position (explicit break variants).
 *
 * schedule_patterns lists every shift a site may work; the integer program
 * that picks how many of each lives in sys/schedule_ip (GLPK keeps global
 * state and reads the clock, so it stays out of the core). schedule_roster
 * then gives the chosen shifts to named agents (greedy passes, then a
 * repair that moves or swaps shifts between agents), and
 * schedule_roster_check verifies every labour rule of every agent.
 *
 * Pure: no I/O, no clock. Costs: patterns are O(sites x groups x starts x
 * lengths x break positions); a roster pass O(shifts x agents x shifts
 * per agent); the repair O(agents^2 x shifts per agent^2) per shift.
 */
#ifndef RELAIS_SCHEDULE_H
#define RELAIS_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/erlang.h"

#define SCHEDULE_SLOT_MIN   15
#define SCHEDULE_DAY_SLOTS  96
#define SCHEDULE_MAX_DAYS   7
#define SCHEDULE_MAX_GROUPS 32

/*
 * Labour rules of a site, in minutes. schedule_rules_default gives the
 * French Code du travail: 10 h of work per calendar day (L3121-18), 11 h
 * of rest between two shifts (L3131-1), 48 h in a week (L3121-20), six
 * days of work and one rest of 35 h in seven days (L3132-1/2: 24 h + 11 h).
 */
struct schedule_rules {
	int max_day_min;     /* work per calendar day (00:00-24:00) */
	int min_rest_min;    /* from the end of a shift to the next start */
	int max_week_min;    /* work over the horizon */
	int max_days;	     /* calendar days on which a shift starts */
	int weekly_rest_min; /* one rest this long; checked on 7-day horizons */
};

/*
 * The shifts one may work, in minutes (multiples of 15). Work is paid,
 * the break is not: a shift spans work + break. A shift working at least
 * break_from_min gets one break of break_min (L3121-16 asks 20 min after
 * 6 h), starting every break_step_min, at least break_edge_min after the
 * start and before the end, with at most max_stretch_min of work on
 * either side.
 */
struct schedule_shape {
	int start_step_min;		/* 30 */
	int min_work_min, max_work_min; /* 240, 600 */
	int work_step_min;		/* 60 */
	int break_min;			/* 60; 0: no break */
	int break_from_min;		/* 360 */
	int break_step_min;		/* 30 */
	int break_edge_min;		/* 120 */
	int max_stretch_min;		/* 360 */
};

struct schedule_site {
	const char *name;	   /* borrowed */
	double cost_per_hour;	   /* per paid hour, >= 0 */
	int agents;		   /* head-count, >= 0 */
	const unsigned char *open; /* borrowed, one per slot; NULL: always */
	uint32_t groups;	   /* bit g: serves group g */
	double max_hours;	   /* paid hours over the horizon; 0: any */
	struct schedule_rules rules;
};

struct schedule_problem {
	int days;	     /* 1..7 */
	int ngroups;	     /* 1..SCHEDULE_MAX_GROUPS */
	const int *required; /* borrowed: [group * slots + slot] */
	const struct schedule_site *sites; /* borrowed */
	int nsites;
	struct schedule_shape shape;
	/* per missing agent-hour; 0: 50 x the dearest site's hour */
	double under_cost_per_hour;
};

/* One kind of shift, and in a solution how many are worked. */
struct schedule_shift {
	int site, group;
	int start, len;	  /* slots from the horizon start; len includes break */
	int brk, brk_len; /* break: slot offset from start, length (0: none) */
	int count;
};

void schedule_rules_default(struct schedule_rules *r);
void schedule_shape_default(struct schedule_shape *s);

static inline int schedule_slots(const struct schedule_problem *p)
{
	return p->days * SCHEDULE_DAY_SLOTS;
}

/* Returns 0 or EINVAL with msg naming the field at fault. */
int schedule_problem_check(const struct schedule_problem *p, char *msg,
			   size_t size);

/* The missing-coverage penalty per agent-slot (objective units). */
double schedule_under_cost_slot(const struct schedule_problem *p);

/*
 * Every shift each site may work for each group it serves, inside its
 * open slots and the horizon. *out (count 0) is the caller's to free().
 * Returns 0, EINVAL (msg says why) or ENOMEM.
 */
int schedule_patterns(const struct schedule_problem *p,
		      struct schedule_shift **out, size_t *n, char *msg,
		      size_t size);

/* True when the shift works (is not off nor on break) in slot t. */
bool schedule_works(const struct schedule_shift *s, int t);
int schedule_work_min(const struct schedule_shift *s);
double schedule_shift_cost(const struct schedule_problem *p,
			   const struct schedule_shift *s);

/* cov[group * slots + slot] += count for every working slot. */
void schedule_coverage(const struct schedule_problem *p,
		       const struct schedule_shift *s, size_t n, int *cov);

/*
 * One interval of a forecast for a queue of a group: `calls` offered in
 * [slot, slot + slots), each handled in aht_s on average.
 */
struct schedule_load {
	int slot, slots;
	int group;
	double calls, aht_s;
};

struct schedule_service {
	enum erlang_model model; /* ERLANG_A, or ERLANG_C (no patience) */
	struct erlang_target target;
	double threshold_s;
	double patience_s;
};

/*
 * Adds to required[group * slots + slot] the agents to schedule (after
 * shrinkage) for each load, over its slots. Loads of a group with pool[g]
 * set and the same interval are merged first (one Erlang over their total
 * calls, AHT weighted by calls: agents shared); otherwise each load is
 * staffed on its own and the agents add up. pool may be NULL.
 * Returns 0, EINVAL or ERANGE (msg names the slot), or ENOMEM.
 */
int schedule_requirements(const struct schedule_service *sv,
			  const struct schedule_load *l, size_t n,
			  const bool *pool, int ngroups, int slots,
			  int *required, char *msg, size_t size);

/*
 * A roster: each worked shift (count 1) of `shifts` given to an agent of
 * its site (index into that site's head-count), or -1 when no agent could
 * take it without breaking a rule.
 */
struct schedule_roster {
	struct schedule_shift *shift; /* owned, sorted by site and start */
	int *agent;		      /* owned, per shift */
	size_t n;
	size_t unassigned;
};

/*
 * Gives the shifts of a solution (each kind `count` times) to agents,
 * site by site: greedy passes (in start order to the agent with the
 * fewest days then the latest free, or the fewest minutes; or the
 * longest shifts first to the fewest minutes), the best one repaired by
 * moving a shift to another agent or swapping two to make room. Free
 * with schedule_roster_free. Returns 0 or ENOMEM.
 *
 * A 7-day horizon is a repeating week (a cyclic roster): the rest from an
 * agent's last shift to its first one counts for min_rest and the weekly
 * rest. Shorter horizons have no weekly rest rule.
 */
int schedule_roster(const struct schedule_problem *p,
		    const struct schedule_shift *sol, size_t n,
		    struct schedule_roster *r);
void schedule_roster_free(struct schedule_roster *r);

/*
 * Checks every agent's week against the rules of its site: no overlap,
 * rest, work per calendar day, per week, days, weekly rest, open slots.
 * Returns 0, or EINVAL with msg naming the site, agent and rule.
 */
int schedule_roster_check(const struct schedule_problem *p,
			  const struct schedule_roster *r, char *msg,
			  size_t size);

#endif
