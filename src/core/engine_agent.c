/*
 * engine_agent.c — agents: adding and changing them (skills, tags, site,
 * tenants, capacity) while they keep their state and contacts, removing
 * them, and the states they set themselves (available, paused, offline).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine_int.h"

/* ---- agents -------------------------------------------------------- */

static int cmp_skill(const void *a, const void *b)
{
	const struct expr_skill *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The parts of an agent that engine_agent_set() replaces as a whole. */
struct agent_parts {
	struct site *site;
	struct expr_skill *skills;
	uint32_t *tags;
	struct tenant **tenants;
};

static int parts_build(struct engine *e, const struct engine_agent *in,
		       struct agent_parts *p)
{
	int err = 0;

	memset(p, 0, sizeof(*p));
	if (in->site && !(p->site = engine_find(&e->sites, in->site)))
		return ENOENT;
	p->skills = calloc(in->nskills + 1, sizeof(*p->skills));
	p->tags = calloc(in->ntags + 1, sizeof(*p->tags));
	p->tenants = calloc(in->ntenants + 1, sizeof(*p->tenants));
	if (!p->skills || !p->tags || !p->tenants)
		return ENOMEM;
	for (size_t i = 0; i < in->nskills && !err; i++) {
		if (in->skill_levels[i] < 1 || in->skill_levels[i] > 10)
			return EINVAL;
		p->skills[i].id = engine_intern_str(e, EXPR_NS_SKILL,
						    in->skill_names[i], &err);
		p->skills[i].level = in->skill_levels[i];
	}
	for (size_t i = 0; i < in->ntags && !err; i++)
		p->tags[i] =
			engine_intern_str(e, EXPR_NS_TAG, in->tags[i], &err);
	for (size_t i = 0; i < in->ntenants && !err; i++) {
		p->tenants[i] = engine_find(&e->tenants, in->tenants[i]);
		if (!p->tenants[i])
			return ENOENT;
	}
	if (err)
		return err;
	qsort(p->skills, in->nskills, sizeof(*p->skills), cmp_skill);
	qsort(p->tags, in->ntags, sizeof(*p->tags), cmp_u32);
	for (size_t i = 1; i < in->nskills; i++) {
		if (p->skills[i].id == p->skills[i - 1].id)
			return EINVAL;
	}
	for (size_t i = 1; i < in->ntags; i++) {
		if (p->tags[i] == p->tags[i - 1])
			return EINVAL;
	}
	return 0;
}

static void parts_free(struct agent_parts *p)
{
	free(p->skills);
	free(p->tags);
	free(p->tenants);
}

static void tenants_unlink(struct agent *a)
{
	for (size_t i = 0; i < a->ntenants; i++) {
		struct tenant *t = a->tenants[i];

		engine_vec_del((void **)&t->agents, &t->nagents, sizeof(a), &a);
	}
}

static int tenants_link(struct agent *a)
{
	for (size_t i = 0; i < a->ntenants; i++) {
		struct tenant *t = a->tenants[i];

		if (engine_vec_push((void **)&t->agents, &t->nagents,
				    &t->agents_cap, sizeof(a), &a))
			return ENOMEM;
	}
	return 0;
}

/*
 * The agent's id lives right after the structure: event handlers read it
 * at every offer, and this way it comes with the agent's cache lines.
 */
static int agent_create(struct engine *e, const char *id, struct agent **ap)
{
	size_t len = strlen(id) + 1;
	struct agent *a = calloc(1, sizeof(*a) + len);
	int err = 0;

	if (!a)
		return ENOMEM;
	a->id = memcpy(a + 1, id, len);
	a->hold = a->hold_inline;
	a->hold_cap = 4;
	a->sym = engine_intern_str(e, EXPR_NS_AGENT, id, &err);
	a->seq = ++e->seq;
	a->state = a->shown = AS_OFFLINE;
	a->shown_since = e->now;
	if (err || hmap_put(&e->agents, hmap_hash_str(id), a))
		goto nomem;
	if (engine_vec_push((void **)&e->agent_v, &e->nagents, &e->agents_cap,
			    sizeof(a), &a)) {
		hmap_del(&e->agents, hmap_hash_str(id), engine_id_eq, id);
		goto nomem;
	}
	*ap = a;
	return 0;
nomem:
	free(a);
	return ENOMEM;
}

int engine_agent_set(struct engine *e, const struct engine_agent *in)
{
	struct agent_parts p;
	struct agent *a;
	int err;

	if (!in->id || !*in->id)
		return EINVAL;
	for (int ch = 0; ch < CH_MAX; ch++) {
		if (in->capacity[ch] > 50)
			return EINVAL;
	}
	err = parts_build(e, in, &p);
	if (err)
		goto out;
	a = engine_agent_find(e, in->id);
	if (!a) {
		err = agent_create(e, in->id, &a);
		if (err)
			goto out;
	}
	engine_pool_leave_all(e, a);
	tenants_unlink(a);
	free(a->skills);
	free(a->tags);
	free(a->tenants);
	a->site = p.site;
	a->skills = p.skills;
	a->nskills = in->nskills;
	a->tags = p.tags;
	a->ntags = in->ntags;
	a->tenants = p.tenants;
	a->ntenants = in->ntenants;
	memcpy(a->cap, in->capacity, sizeof(a->cap));
	memset(&p, 0, sizeof(p));
	err = tenants_link(a);
	if (!err)
		err = engine_pool_join_all(e, a);
	engine_agent_release_unfit(e, a);
	engine_agent_refresh(e, a);
out:
	parts_free(&p);
	return err;
}

static bool holds_work(const struct agent *a)
{
	for (uint32_t i = 0; i < a->nhold; i++) {
		if (a->hold[i]->state != CS_OFFERED)
			return true;
	}
	return false;
}

int engine_agent_remove(struct engine *e, int64_t now, const char *id)
{
	struct agent *a;
	int err = 0;

	engine_begin(e, now);
	a = engine_agent_find(e, id);
	if (!a) {
		err = ENOENT;
		goto out;
	}
	if (holds_work(a)) {
		err = EBUSY;
		goto out;
	}
	if (a->state == AS_AVAILABLE)
		engine_pool_staffed_update(a, -1);
	a->state = AS_OFFLINE;
	engine_agent_refresh(e, a);
	engine_agent_withdraw_offers(e, a);
	engine_agent_release_direct(e, a);
	engine_emit_agent(e, a);
	engine_pool_leave_all(e, a);
	tenants_unlink(a);
	timerq_remove(&a->ready_node);
	hmap_del(&e->agents, hmap_hash_str(id), engine_id_eq, id);
	engine_vec_del((void **)&e->agent_v, &e->nagents, sizeof(a), &a);
	engine_agent_free(a);
out:
	engine_end(e);
	return err;
}

static int state_change(struct engine *e, struct agent *a, enum agent_state st,
			const char *reason)
{
	char *r = NULL;

	if (st == AS_PAUSED && (!reason || !*reason))
		return EINVAL;
	if (st == AS_OFFLINE && holds_work(a))
		return EBUSY;
	/* a pause says why; an offline may ("disconnected") */
	if (st != AS_AVAILABLE && reason && *reason && !(r = strdup(reason)))
		return ENOMEM;
	if (a->state == AS_AVAILABLE && st != AS_AVAILABLE)
		engine_pool_staffed_update(a, -1);
	else if (a->state != AS_AVAILABLE && st == AS_AVAILABLE)
		engine_pool_staffed_update(a, +1);
	if (a->state == AS_OFFLINE && st != AS_OFFLINE)
		a->idle_since = e->now;
	/* from one pause (or offline) to another: one event with the reason */
	a->restate = a->state == st && st != AS_AVAILABLE &&
		     strcmp(a->reason ? a->reason : "", r ? r : "");
	free(a->reason);
	a->reason = r;
	a->state = st;
	a->misses = 0;
	/* Out of the heaps first, so withdrawn offers cannot come back. */
	engine_agent_refresh(e, a);
	if (st != AS_AVAILABLE)
		engine_agent_withdraw_offers(e, a);
	if (st == AS_OFFLINE)
		engine_agent_release_direct(e, a);
	engine_agent_refresh(e, a);
	return 0;
}

int engine_agent_state(struct engine *e, int64_t now, const char *id,
		       enum agent_state st, const char *reason)
{
	struct agent *a;
	int err;

	if (st != AS_AVAILABLE && st != AS_PAUSED && st != AS_OFFLINE)
		return EINVAL;
	engine_begin(e, now);
	a = engine_agent_find(e, id);
	err = a ? state_change(e, a, st, reason) : ENOENT;
	engine_end(e);
	return err;
}

int engine_agent_info(struct engine *e, const char *id, enum agent_state *state,
		      uint8_t load[CH_MAX])
{
	struct agent *a = engine_agent_find(e, id);

	if (!a)
		return ENOENT;
	if (state)
		*state = engine_derived_state(a);
	if (load)
		memcpy(load, a->held, CH_MAX);
	return 0;
}
