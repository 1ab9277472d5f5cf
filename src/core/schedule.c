/*
 * schedule — problem checks, shift patterns, coverage and requirements.
 * The roster is in schedule_roster.c. See schedule.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/schedule.h"

void schedule_rules_default(struct schedule_rules *r)
{
	r->max_day_min = 10 * 60;
	r->min_rest_min = 11 * 60;
	r->max_week_min = 48 * 60;
	r->max_days = 6;
	r->weekly_rest_min = 35 * 60;
}

void schedule_shape_default(struct schedule_shape *s)
{
	s->start_step_min = 30;
	s->min_work_min = 4 * 60;
	s->max_work_min = 10 * 60;
	s->work_step_min = 60;
	s->break_min = 60;
	s->break_from_min = 6 * 60;
	s->break_step_min = 30;
	s->break_edge_min = 2 * 60;
	s->max_stretch_min = 6 * 60;
}

static bool on_grid(int min, int lo)
{
	return min >= lo && min % SCHEDULE_SLOT_MIN == 0;
}

static int check_shape(const struct schedule_shape *s, char *msg, size_t size)
{
	const char *bad = NULL;

	if (!on_grid(s->start_step_min, SCHEDULE_SLOT_MIN))
		bad = "start_step_min";
	else if (!on_grid(s->min_work_min, SCHEDULE_SLOT_MIN))
		bad = "min_work_min";
	else if (!on_grid(s->max_work_min, s->min_work_min))
		bad = "max_work_min";
	else if (!on_grid(s->work_step_min, SCHEDULE_SLOT_MIN))
		bad = "work_step_min";
	else if (!on_grid(s->break_min, 0) || s->break_min > 180)
		bad = "break_min";
	else if (s->break_from_min < 0)
		bad = "break_from_min";
	else if (!on_grid(s->break_step_min, SCHEDULE_SLOT_MIN))
		bad = "break_step_min";
	else if (!on_grid(s->break_edge_min, 0))
		bad = "break_edge_min";
	else if (!on_grid(s->max_stretch_min, SCHEDULE_SLOT_MIN))
		bad = "max_stretch_min";
	if (!bad)
		return 0;
	snprintf(msg, size,
		 "shifts.%s: expected a multiple of 15 minutes in range", bad);
	return EINVAL;
}

static const char *check_rules(const struct schedule_rules *r)
{
	if (r->max_day_min <= 0 || r->max_day_min > 24 * 60)
		return "max_day_hours";
	if (r->min_rest_min < 0 || r->min_rest_min > 48 * 60)
		return "min_rest_hours";
	if (r->max_week_min <= 0)
		return "max_week_hours";
	if (r->max_days < 1 || r->max_days > SCHEDULE_MAX_DAYS)
		return "max_days";
	if (r->weekly_rest_min < 0 || r->weekly_rest_min > 7 * 24 * 60)
		return "weekly_rest_hours";
	return NULL;
}

static int check_site(const struct schedule_problem *p, int i, char *msg,
		      size_t size)
{
	const struct schedule_site *s = &p->sites[i];
	const char *bad = NULL;

	if (!isfinite(s->cost_per_hour) || s->cost_per_hour < 0)
		bad = "cost_per_hour";
	else if (s->agents < 0)
		bad = "agents";
	else if (!isfinite(s->max_hours) || s->max_hours < 0)
		bad = "max_hours";
	else if (p->ngroups < 32 && (s->groups >> p->ngroups))
		bad = "groups";
	else
		bad = check_rules(&s->rules);
	if (!bad)
		return 0;
	snprintf(msg, size, "sites[%d] (%s): %s out of range", i,
		 s->name ? s->name : "?", bad);
	return EINVAL;
}

int schedule_problem_check(const struct schedule_problem *p, char *msg,
			   size_t size)
{
	int err;

	if (p->days < 1 || p->days > SCHEDULE_MAX_DAYS) {
		snprintf(msg, size, "days: expected 1 to %d",
			 SCHEDULE_MAX_DAYS);
		return EINVAL;
	}
	if (p->ngroups < 1 || p->ngroups > SCHEDULE_MAX_GROUPS) {
		snprintf(msg, size, "groups: expected 1 to %d",
			 SCHEDULE_MAX_GROUPS);
		return EINVAL;
	}
	if (!p->required || p->nsites < 0 || (p->nsites && !p->sites) ||
	    !isfinite(p->under_cost_per_hour) || p->under_cost_per_hour < 0) {
		snprintf(msg, size, "problem: missing or negative field");
		return EINVAL;
	}
	for (int i = 0; i < p->ngroups * schedule_slots(p); i++) {
		if (p->required[i] < 0) {
			snprintf(msg, size, "required: negative at slot %d",
				 i % schedule_slots(p));
			return EINVAL;
		}
	}
	err = check_shape(&p->shape, msg, size);
	for (int i = 0; !err && i < p->nsites; i++)
		err = check_site(p, i, msg, size);
	return err;
}

double schedule_under_cost_slot(const struct schedule_problem *p)
{
	double per_hour = p->under_cost_per_hour, dearest = 1;

	if (per_hour <= 0) {
		for (int i = 0; i < p->nsites; i++)
			dearest = fmax(dearest, p->sites[i].cost_per_hour);
		per_hour = 50 * dearest;
	}
	return per_hour * SCHEDULE_SLOT_MIN / 60.0;
}

bool schedule_works(const struct schedule_shift *s, int t)
{
	if (t < s->start || t >= s->start + s->len)
		return false;
	return !(s->brk_len && t >= s->start + s->brk &&
		 t < s->start + s->brk + s->brk_len);
}

int schedule_work_min(const struct schedule_shift *s)
{
	return (s->len - s->brk_len) * SCHEDULE_SLOT_MIN;
}

double schedule_shift_cost(const struct schedule_problem *p,
			   const struct schedule_shift *s)
{
	return schedule_work_min(s) / 60.0 * p->sites[s->site].cost_per_hour;
}

void schedule_coverage(const struct schedule_problem *p,
		       const struct schedule_shift *s, size_t n, int *cov)
{
	int slots = schedule_slots(p);

	for (size_t i = 0; i < n; i++) {
		for (int t = s[i].start; t < s[i].start + s[i].len; t++)
			if (schedule_works(&s[i], t))
				cov[s[i].group * slots + t] += s[i].count;
	}
}

/* A growable array of patterns. */
struct pattern_list {
	struct schedule_shift *v;
	size_t n, cap;
};

static int push(struct pattern_list *l, const struct schedule_shift *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		void *v = realloc(l->v, cap * sizeof(*l->v));

		if (!v)
			return ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *s;
	return 0;
}

static bool site_open(const struct schedule_site *site, int from, int to)
{
	for (int t = from; site->open && t < to; t++)
		if (!site->open[t])
			return false;
	return true;
}

/*
 * Adds the shift of `work` slots starting at s->start, in each allowed
 * break position when it gets a break.
 */
static int push_variants(const struct schedule_problem *p,
			 const struct schedule_site *site,
			 struct schedule_shift *s, int work,
			 struct pattern_list *l)
{
	const struct schedule_shape *sh = &p->shape;
	int b = sh->break_min / SCHEDULE_SLOT_MIN;
	int edge = sh->break_edge_min / SCHEDULE_SLOT_MIN;
	int stretch = sh->max_stretch_min / SCHEDULE_SLOT_MIN;
	int step = sh->break_step_min / SCHEDULE_SLOT_MIN;
	int err = 0;

	if (!b || work * SCHEDULE_SLOT_MIN < sh->break_from_min) {
		s->len = work;
		s->brk = s->brk_len = 0;
		if (s->start + s->len > schedule_slots(p) ||
		    !site_open(site, s->start, s->start + s->len))
			return 0;
		return push(l, s);
	}
	s->len = work + b;
	s->brk_len = b;
	if (s->start + s->len > schedule_slots(p) ||
	    !site_open(site, s->start, s->start + s->len))
		return 0;
	for (int off = edge; !err && off + b + edge <= s->len; off += step) {
		if (off > stretch || s->len - off - b > stretch)
			continue;
		s->brk = off;
		err = push(l, s);
	}
	return err;
}

static int site_patterns(const struct schedule_problem *p, int si, int g,
			 struct pattern_list *l)
{
	const struct schedule_shape *sh = &p->shape;
	const struct schedule_site *site = &p->sites[si];
	int max_work = sh->max_work_min;
	int err = 0;

	if (site->rules.max_day_min < max_work)
		max_work = site->rules.max_day_min;
	for (int t = 0; !err && t < schedule_slots(p);
	     t += sh->start_step_min / SCHEDULE_SLOT_MIN) {
		for (int w = sh->min_work_min; !err && w <= max_work;
		     w += sh->work_step_min) {
			struct schedule_shift s = {
				.site = si, .group = g, .start = t};

			err = push_variants(p, site, &s, w / SCHEDULE_SLOT_MIN,
					    l);
		}
	}
	return err;
}

int schedule_patterns(const struct schedule_problem *p,
		      struct schedule_shift **out, size_t *n, char *msg,
		      size_t size)
{
	struct pattern_list l = {0};
	int err = schedule_problem_check(p, msg, size);

	for (int s = 0; !err && s < p->nsites; s++) {
		for (int g = 0; !err && g < p->ngroups; g++) {
			if (p->sites[s].agents > 0 &&
			    (p->sites[s].groups >> g & 1))
				err = site_patterns(p, s, g, &l);
		}
	}
	if (err) {
		if (err == ENOMEM)
			snprintf(msg, size, "out of memory");
		free(l.v);
		return err;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

/* Agents to schedule for one interval of one queue or pooled group. */
static int staff(const struct schedule_service *sv, int slot, int slots,
		 double calls, double aht_s, int *agents, char *msg,
		 size_t size)
{
	struct erlang_in in = {
		.calls = calls,
		.interval_s = slots * SCHEDULE_SLOT_MIN * 60.0,
		.aht_s = aht_s,
		.threshold_s = sv->threshold_s,
		.patience_s = sv->patience_s,
	};
	struct erlang_staffing st;
	char why[200];
	int err;

	*agents = 0;
	if (calls <= 0)
		return 0;
	err = erlang_staff(sv->model, &in, &sv->target, &st, why, sizeof(why));
	if (err) {
		snprintf(msg, size, "day %d %02d:%02d: %s",
			 slot / SCHEDULE_DAY_SLOTS + 1,
			 slot % SCHEDULE_DAY_SLOTS / 4,
			 slot % 4 * SCHEDULE_SLOT_MIN, why);
		return err;
	}
	*agents = st.scheduled;
	return 0;
}

static int check_load(const struct schedule_load *l, int ngroups, int slots,
		      char *msg, size_t size)
{
	if (l->group < 0 || l->group >= ngroups || l->slot < 0 ||
	    l->slots < 1 || l->slot + l->slots > slots) {
		snprintf(msg, size, "load: slot or group out of range");
		return EINVAL;
	}
	if (!isfinite(l->calls) || l->calls < 0 || !isfinite(l->aht_s) ||
	    (l->calls > 0 && l->aht_s <= 0)) {
		snprintf(msg, size, "load: calls or aht_s out of range");
		return EINVAL;
	}
	return 0;
}

static void add_required(int *required, int slots, int g, int slot, int len,
			 int agents)
{
	for (int t = slot; t < slot + len; t++)
		required[g * slots + t] += agents;
}

/* Pooled groups: calls and work summed per (group, first slot). */
struct pool_sum {
	double calls, work;
	int slots;
};

static int pool_add(struct pool_sum *sum, const struct schedule_load *l,
		    int slots, char *msg, size_t size)
{
	struct pool_sum *s = &sum[l->group * slots + l->slot];

	if (s->slots && s->slots != l->slots) {
		snprintf(msg, size, "load: intervals of a pooled group differ");
		return EINVAL;
	}
	s->slots = l->slots;
	s->calls += l->calls;
	s->work += l->calls * l->aht_s;
	return 0;
}

int schedule_requirements(const struct schedule_service *sv,
			  const struct schedule_load *l, size_t n,
			  const bool *pool, int ngroups, int slots,
			  int *required, char *msg, size_t size)
{
	struct pool_sum *sum = calloc((size_t)ngroups * slots, sizeof(*sum));
	int err = 0, agents;

	if (!sum) {
		snprintf(msg, size, "out of memory");
		return ENOMEM;
	}
	for (size_t i = 0; !err && i < n; i++) {
		err = check_load(&l[i], ngroups, slots, msg, size);
		if (err)
			break;
		if (pool && pool[l[i].group]) {
			err = pool_add(sum, &l[i], slots, msg, size);
			continue;
		}
		err = staff(sv, l[i].slot, l[i].slots, l[i].calls, l[i].aht_s,
			    &agents, msg, size);
		if (!err)
			add_required(required, slots, l[i].group, l[i].slot,
				     l[i].slots, agents);
	}
	for (int k = 0; !err && k < ngroups * slots; k++) {
		if (!sum[k].slots || sum[k].calls <= 0)
			continue;
		err = staff(sv, k % slots, sum[k].slots, sum[k].calls,
			    sum[k].work / sum[k].calls, &agents, msg, size);
		if (!err)
			add_required(required, slots, k / slots, k % slots,
				     sum[k].slots, agents);
	}
	free(sum);
	return err;
}
