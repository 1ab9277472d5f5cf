/*
 * schedule — the roster: who works which of the chosen shifts.
 *
 * Shifts are handed out site by site, greedily, under a few rules tried
 * in turn (hand_rule); the best pass is then repaired by moving one
 * shift of an agent to another to make room (an ejection chain of one).
 * With the rest rule alone the start-order pass is optimal (it colours an
 * interval graph: each shift stretched by the rest it requires), and the
 * integer program bounds, at each start, the shifts whose stretched
 * intervals overlap by the head-count; the other rules (work per
 * calendar day and week, days, weekly rest) are per agent, and a shift
 * nobody can take is left unassigned for the caller to report.
 *
 * One set of rules (fits, take, check_end) serves the greedy, by
 * replaying an agent's week with a shift more, and the check.
 * Cost: O(shifts x agents x shifts per agent) per pass.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/schedule.h"

struct agent_state {
	int first_start; /* slot of the first shift; -1: none yet */
	int last_end;	 /* slot after the last shift */
	int week_min;
	int day_min[SCHEDULE_MAX_DAYS];
	unsigned days; /* bit d: a shift starts on day d */
	int max_gap;   /* longest rest between two shifts, in slots */
};

static int popcount(unsigned x)
{
	int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

/*
 * A week is rostered as repeating (a cyclic roster): the rest from an
 * agent's last shift to the first shift of the next week, the same
 * roster, counts for the rest and weekly-rest rules. Shorter horizons
 * are open-ended and have no weekly rule.
 */
static bool cyclic(const struct schedule_problem *p)
{
	return p->days == SCHEDULE_MAX_DAYS;
}

/*
 * The rule agent `a` would break by working `s` after its other shifts,
 * or NULL. The weekly rest is judged as it can still be met: by a rest
 * already taken, the rest before this shift, or the wrap-around after it.
 */
static const char *fits(const struct schedule_problem *p,
			const struct schedule_rules *r,
			const struct agent_state *a,
			const struct schedule_shift *s)
{
	int day[SCHEDULE_MAX_DAYS] = {0};
	int end = s->start + s->len, gap = -1, wrap;
	int d0 = s->start / SCHEDULE_DAY_SLOTS;

	if (a->first_start >= 0) {
		gap = s->start - a->last_end;
		if (gap < 0)
			return "overlapping shifts";
		if (gap * SCHEDULE_SLOT_MIN < r->min_rest_min)
			return "min_rest_hours";
	}
	wrap = schedule_slots(p) - end +
	       (a->first_start >= 0 ? a->first_start : s->start);
	if (cyclic(p) && wrap * SCHEDULE_SLOT_MIN < r->min_rest_min)
		return "min_rest_hours";
	if (a->week_min + schedule_work_min(s) > r->max_week_min)
		return "max_week_hours";
	for (int t = s->start; t < end; t++)
		if (schedule_works(s, t))
			day[t / SCHEDULE_DAY_SLOTS] += SCHEDULE_SLOT_MIN;
	for (int d = 0; d < p->days; d++)
		if (a->day_min[d] + day[d] > r->max_day_min)
			return "max_day_hours";
	if (!(a->days >> d0 & 1) && popcount(a->days) + 1 > r->max_days)
		return "max_days";
	if (a->max_gap > gap)
		gap = a->max_gap;
	if (wrap > gap)
		gap = wrap;
	if (cyclic(p) && gap * SCHEDULE_SLOT_MIN < r->weekly_rest_min)
		return "weekly_rest_hours";
	return NULL;
}

static void take(struct agent_state *a, const struct schedule_shift *s)
{
	if (a->first_start < 0)
		a->first_start = s->start;
	else if (s->start - a->last_end > a->max_gap)
		a->max_gap = s->start - a->last_end;
	for (int t = s->start; t < s->start + s->len; t++)
		if (schedule_works(s, t))
			a->day_min[t / SCHEDULE_DAY_SLOTS] += SCHEDULE_SLOT_MIN;
	a->week_min += schedule_work_min(s);
	a->days |= 1u << (s->start / SCHEDULE_DAY_SLOTS);
	a->last_end = s->start + s->len;
}

/* An agent's weekly rest, the wrap-around included, once all is known. */
static const char *check_end(const struct schedule_problem *p,
			     const struct schedule_rules *r,
			     const struct agent_state *a)
{
	int gap = a->max_gap,
	    wrap = schedule_slots(p) - a->last_end + a->first_start;

	if (!cyclic(p) || a->first_start < 0)
		return NULL;
	if (wrap > gap)
		gap = wrap;
	return gap * SCHEDULE_SLOT_MIN < r->weekly_rest_min
		       ? "weekly_rest_hours"
		       : NULL;
}

static int by_site_start(const void *x, const void *y)
{
	const struct schedule_shift *a = x, *b = y;

	if (a->site != b->site)
		return a->site < b->site ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->len != b->len)
		return a->len > b->len ? -1 : 1;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	return a->brk - b->brk;
}

static int expand(const struct schedule_shift *sol, size_t n,
		  struct schedule_roster *r)
{
	size_t total = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		total += sol[i].count > 0 ? (size_t)sol[i].count : 0;
	r->shift = malloc((total ? total : 1) * sizeof(*r->shift));
	r->agent = malloc((total ? total : 1) * sizeof(*r->agent));
	if (!r->shift || !r->agent)
		return ENOMEM;
	for (size_t i = 0; i < n; i++) {
		for (int c = 0; c < sol[i].count; c++) {
			r->shift[k] = sol[i];
			r->shift[k].count = 1;
			r->agent[k++] = -1;
		}
	}
	r->n = total;
	qsort(r->shift, r->n, sizeof(*r->shift), by_site_start);
	return 0;
}

/*
 * A site's agents while shifts are handed out: each agent's shifts as
 * indices into r->shift in start order, so that a shift can be tried
 * anywhere in a week by replaying the week (valid()), in any order.
 */
struct crew {
	const struct schedule_problem *p;
	const struct schedule_site *site;
	struct schedule_roster *r;
	size_t **list; /* [agent]: indices into r->shift, by start */
	int *len, *cap;
	int *minutes, *last_end;
	unsigned *days;
};

static void crew_free(struct crew *c)
{
	for (int a = 0; c->list && a < c->site->agents; a++)
		free(c->list[a]);
	free(c->list);
	free(c->len);
	free(c->cap);
	free(c->minutes);
	free(c->last_end);
	free(c->days);
}

static int crew_new(struct crew *c, const struct schedule_problem *p,
		    struct schedule_roster *r, int site)
{
	size_t n = p->sites[site].agents ? (size_t)p->sites[site].agents : 1;

	memset(c, 0, sizeof(*c));
	c->p = p;
	c->site = &p->sites[site];
	c->r = r;
	c->list = calloc(n, sizeof(*c->list));
	c->len = calloc(n, sizeof(int));
	c->cap = calloc(n, sizeof(int));
	c->minutes = calloc(n, sizeof(int));
	c->last_end = calloc(n, sizeof(int));
	c->days = calloc(n, sizeof(unsigned));
	if (c->list && c->len && c->cap && c->minutes && c->last_end && c->days)
		return 0;
	crew_free(c);
	return ENOMEM;
}

static void crew_clear(struct crew *c)
{
	for (int a = 0; a < c->site->agents; a++)
		c->len[a] = c->minutes[a] = c->last_end[a] = c->days[a] = 0;
}

/* The sums of agent a, from its list. */
static void crew_sum(struct crew *c, int a)
{
	c->minutes[a] = c->last_end[a] = c->days[a] = 0;
	for (int i = 0; i < c->len[a]; i++) {
		const struct schedule_shift *s = &c->r->shift[c->list[a][i]];

		c->minutes[a] += schedule_work_min(s);
		c->days[a] |= 1u << (s->start / SCHEDULE_DAY_SLOTS);
		if (s->start + s->len > c->last_end[a])
			c->last_end[a] = s->start + s->len;
	}
}

static int crew_add(struct crew *c, int a, size_t k)
{
	int i = c->len[a];

	if (c->len[a] == c->cap[a]) {
		int cap = c->cap[a] ? 2 * c->cap[a] : 8;
		size_t *l = realloc(c->list[a], cap * sizeof(*l));

		if (!l)
			return ENOMEM;
		c->list[a] = l;
		c->cap[a] = cap;
	}
	for (; i > 0 &&
	       c->r->shift[c->list[a][i - 1]].start > c->r->shift[k].start;
	     i--)
		c->list[a][i] = c->list[a][i - 1];
	c->list[a][i] = k;
	c->len[a]++;
	c->r->agent[k] = a;
	crew_sum(c, a);
	return 0;
}

static void crew_remove(struct crew *c, int a, size_t k)
{
	int i = 0;

	while (i < c->len[a] && c->list[a][i] != k)
		i++;
	for (; i + 1 < c->len[a]; i++)
		c->list[a][i] = c->list[a][i + 1];
	c->len[a]--;
	c->r->agent[k] = -1;
	crew_sum(c, a);
}

#define NONE SIZE_MAX

/*
 * Whether agent a may work its shifts without `drop` and with `add` and
 * `add2` (NONE: none): every rule replayed in start order.
 */
static bool valid(const struct crew *c, int a, size_t drop, size_t add,
		  size_t add2)
{
	const struct schedule_rules *rules = &c->site->rules;
	const struct schedule_shift *more[2] = {NULL, NULL};
	struct agent_state st = {.first_start = -1};
	int n = 0, m = 0;

	if (add != NONE)
		more[n++] = &c->r->shift[add];
	if (add2 != NONE)
		more[n++] = &c->r->shift[add2];
	if (n == 2 && more[1]->start < more[0]->start) {
		more[0] = &c->r->shift[add2];
		more[1] = &c->r->shift[add];
	}
	for (int i = 0; i <= c->len[a]; i++) {
		const struct schedule_shift *s =
			i < c->len[a] ? &c->r->shift[c->list[a][i]] : NULL;

		for (; m < n && (!s || more[m]->start < s->start); m++) {
			if (fits(c->p, rules, &st, more[m]))
				return false;
			take(&st, more[m]);
		}
		if (!s || c->list[a][i] == drop)
			continue;
		if (fits(c->p, rules, &st, s))
			return false;
		take(&st, s);
	}
	return !check_end(c->p, rules, &st);
}

/*
 * How to hand out shifts, each tried by the roster in turn. In start
 * order to the agent with the fewest days worked (keeping agents for the
 * days to come: max_days), then the latest free (best fit: early-free
 * agents stay for early shifts) or the fewest minutes (max_week_hours).
 * Or the longest shifts first, anywhere in the week, to the fewest
 * minutes: the longest-processing-time rule of bin packing, for weekly
 * hours nearly all used.
 */
enum hand_rule {
	HAND_BEST_FIT = 0,
	HAND_FEWEST_MINUTES,
	HAND_LONGEST_FIRST,
	HAND_RULES
};

static long hand_key(const struct crew *c, enum hand_rule rule, int a)
{
	long days = (long)popcount(c->days[a]) << 32;

	if (rule == HAND_BEST_FIT)
		return days - c->last_end[a];
	if (rule == HAND_FEWEST_MINUTES)
		return days + c->minutes[a];
	return ((long)c->minutes[a] << 8) + popcount(c->days[a]);
}

/* The longest work first, then start. */
static int by_longest(const void *x, const void *y, void *arg)
{
	const struct schedule_shift *sh = arg;
	const struct schedule_shift *a = &sh[*(const size_t *)x];
	const struct schedule_shift *b = &sh[*(const size_t *)y];

	if (schedule_work_min(a) != schedule_work_min(b))
		return schedule_work_min(a) > schedule_work_min(b) ? -1 : 1;
	return a->start < b->start ? -1 : a->start > b->start;
}

/* One greedy pass over the shifts [k0, end) of the crew's site. */
static int hand_out(struct crew *c, size_t k0, size_t end, enum hand_rule rule,
		    size_t *left)
{
	size_t *order = malloc((end - k0) * sizeof(*order));
	int err = 0;

	if (!order)
		return ENOMEM;
	crew_clear(c);
	for (size_t k = k0; k < end; k++) {
		order[k - k0] = k;
		c->r->agent[k] = -1;
	}
	if (rule == HAND_LONGEST_FIRST)
		qsort_r(order, end - k0, sizeof(*order), by_longest,
			c->r->shift);
	*left = 0;
	for (size_t i = 0; !err && i < end - k0; i++) {
		long best_key = 0;
		int best = -1;

		for (int a = 0; a < c->site->agents; a++) {
			long key = hand_key(c, rule, a);

			if (best >= 0 && key >= best_key)
				continue;
			if (valid(c, a, NONE, order[i], NONE)) {
				best = a;
				best_key = key;
			}
		}
		if (best < 0)
			(*left)++;
		else
			err = crew_add(c, best, order[i]);
	}
	free(order);
	return err;
}

/* Shift k of agent b to another agent, and u to b. */
static int eject(struct crew *c, int b, size_t k, size_t u, bool *placed)
{
	if (!valid(c, b, k, u, NONE))
		return 0;
	for (int o = 0; o < c->site->agents; o++) {
		int err;

		if (o == b || !valid(c, o, NONE, k, NONE))
			continue;
		crew_remove(c, b, k);
		err = crew_add(c, o, k);
		*placed = true;
		return err ? err : crew_add(c, b, u);
	}
	return 0;
}

/* Shift k of agent b for a shift of another agent, and u to b. */
static int swap(struct crew *c, int b, size_t k, size_t u, bool *placed)
{
	for (int o = 0; o < c->site->agents; o++) {
		for (int j = 0; o != b && j < c->len[o]; j++) {
			size_t k2 = c->list[o][j];
			int err;

			if (!valid(c, b, k, k2, u) || !valid(c, o, k2, k, NONE))
				continue;
			crew_remove(c, b, k);
			crew_remove(c, o, k2);
			err = crew_add(c, o, k);
			if (!err)
				err = crew_add(c, b, k2);
			*placed = true;
			return err ? err : crew_add(c, b, u);
		}
	}
	return 0;
}

/*
 * Finds room for shift u: an agent who can take it, or one who can once
 * one of their shifts goes to another agent (eject) or is exchanged for
 * one of another agent's (swap: hours move between two weeks).
 */
static int place(struct crew *c, size_t u, bool *placed)
{
	int err = 0;

	*placed = false;
	for (int b = 0; b < c->site->agents; b++) {
		if (valid(c, b, NONE, u, NONE)) {
			*placed = true;
			return crew_add(c, b, u);
		}
	}
	for (int b = 0; !err && !*placed && b < c->site->agents; b++)
		for (int i = 0; !err && !*placed && i < c->len[b]; i++)
			err = eject(c, b, c->list[b][i], u, placed);
	for (int b = 0; !err && !*placed && b < c->site->agents; b++)
		for (int i = 0; !err && !*placed && i < c->len[b]; i++)
			err = swap(c, b, c->list[b][i], u, placed);
	return err;
}

/* Each rule until one places every shift; the best stays, repaired. */
static int roster_site(const struct schedule_problem *p,
		       struct schedule_roster *r, size_t k0, size_t end)
{
	size_t best = SIZE_MAX, left = 0;
	int best_rule = 0, rule, err;
	struct crew c;

	err = crew_new(&c, p, r, r->shift[k0].site);
	for (rule = 0; !err && rule < HAND_RULES && best; rule++) {
		err = hand_out(&c, k0, end, rule, &left);
		if (!err && left < best) {
			best = left;
			best_rule = rule;
		}
	}
	if (!err && best && best_rule != rule - 1)
		err = hand_out(&c, k0, end, best_rule, &left);
	for (size_t u = k0; !err && best && u < end; u++) {
		bool placed;

		if (r->agent[u] >= 0)
			continue;
		err = place(&c, u, &placed);
		best -= placed;
	}
	if (!err)
		r->unassigned += best;
	crew_free(&c);
	return err;
}

int schedule_roster(const struct schedule_problem *p,
		    const struct schedule_shift *sol, size_t n,
		    struct schedule_roster *r)
{
	size_t k = 0, end;
	int err;

	memset(r, 0, sizeof(*r));
	err = expand(sol, n, r);
	for (; !err && k < r->n; k = end) {
		for (end = k;
		     end < r->n && r->shift[end].site == r->shift[k].site;
		     end++)
			;
		err = roster_site(p, r, k, end);
	}
	if (err)
		schedule_roster_free(r);
	return err;
}

void schedule_roster_free(struct schedule_roster *r)
{
	free(r->shift);
	free(r->agent);
	memset(r, 0, sizeof(*r));
}

/* The check's order: site, agent, start. */
struct entry {
	const struct schedule_shift *s;
	int agent;
};

static int by_agent(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;

	if (a->s->site != b->s->site)
		return a->s->site < b->s->site ? -1 : 1;
	if (a->agent != b->agent)
		return a->agent < b->agent ? -1 : 1;
	return a->s->start < b->s->start ? -1 : a->s->start > b->s->start;
}

static const char *check_shift(const struct schedule_problem *p,
			       const struct entry *e)
{
	const struct schedule_site *site = &p->sites[e->s->site];
	const struct schedule_shift *s = e->s;

	if (e->agent >= site->agents)
		return "agent out of the head-count";
	if (s->start < 0 || s->len < 1 || s->start + s->len > schedule_slots(p))
		return "shift outside the horizon";
	for (int t = s->start; site->open && t < s->start + s->len; t++)
		if (!site->open[t])
			return "shift outside the site's hours";
	return NULL;
}

static int check_sorted(const struct schedule_problem *p, struct entry *e,
			size_t n, char *msg, size_t size)
{
	struct agent_state a = {.first_start = -1};
	const char *why = NULL;
	size_t i;

	for (i = 0; i < n && !why; i++) {
		const struct schedule_site *site = &p->sites[e[i].s->site];

		if (i && (e[i].s->site != e[i - 1].s->site ||
			  e[i].agent != e[i - 1].agent)) {
			why = check_end(p, &p->sites[e[i - 1].s->site].rules,
					&a);
			if (why) {
				i--;
				break;
			}
			memset(&a, 0, sizeof(a));
			a.first_start = -1;
		}
		why = check_shift(p, &e[i]);
		if (!why)
			why = fits(p, &site->rules, &a, e[i].s);
		if (!why)
			take(&a, e[i].s);
		else
			break;
	}
	if (!why && n) {
		i = n - 1;
		why = check_end(p, &p->sites[e[i].s->site].rules, &a);
	}
	if (!why)
		return 0;
	snprintf(msg, size, "site %s, agent %d, shift at slot %d: %s",
		 p->sites[e[i].s->site].name ? p->sites[e[i].s->site].name
					     : "?",
		 e[i].agent + 1, e[i].s->start, why);
	return EINVAL;
}

int schedule_roster_check(const struct schedule_problem *p,
			  const struct schedule_roster *r, char *msg,
			  size_t size)
{
	struct entry *e = malloc((r->n ? r->n : 1) * sizeof(*e));
	size_t n = 0;
	int err;

	if (!e) {
		snprintf(msg, size, "out of memory");
		return ENOMEM;
	}
	for (size_t k = 0; k < r->n; k++) {
		if (r->agent[k] < 0)
			continue;
		if (r->shift[k].site < 0 || r->shift[k].site >= p->nsites) {
			snprintf(msg, size, "shift %zu: no such site", k);
			free(e);
			return EINVAL;
		}
		e[n].s = &r->shift[k];
		e[n++].agent = r->agent[k];
	}
	qsort(e, n, sizeof(*e), by_agent);
	err = check_sorted(p, e, n, msg, size);
	free(e);
	return err;
}
