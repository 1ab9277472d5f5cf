/*
 * engine_why.c — "why is this agent not handling this contact?"
 *
 * Supervisors ask it when a contact waits while agents look free. The
 * answer walks the same rules the matcher applies, in the order a person
 * would check them: the contact's state, the tenant, the channel, the
 * agent's state, the step's filter, then capacity.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/engine_int.h"

static enum why say_err(char *text, size_t size, enum why w, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

static enum why say_err(char *text, size_t size, enum why w, const char *fmt,
			...)
{
	va_list ap;

	if (text && size) {
		va_start(ap, fmt);
		vsnprintf(text, size, fmt, ap);
		va_end(ap);
	}
	return w;
}

/* The filter excludes the agent: say which step, and when one admits it. */
static enum why why_filter(const struct contact *c, const struct agent *a,
			   char *text, size_t size)
{
	const struct queue *q = c->queue;
	const struct step *s = &q->steps[c->step];

	for (size_t k = (size_t)c->step + 1; k < q->nsteps; k++) {
		if (engine_member_of(a, q->steps[k].pool))
			return say_err(
				text, size, WHY_FILTER,
				"filter of step %d excludes it: %s; step "
				"%zu (after %lld s) admits it",
				c->step, expr_source(s->pool->expr), k,
				(long long)(q->steps[k].after_ms / 1000));
	}
	return say_err(
		text, size, WHY_FILTER,
		"filter of step %d excludes it: %s; no later step admits it",
		c->step, expr_source(s->pool->expr));
}

static enum why why_capacity(const struct engine *e, const struct agent *a,
			     enum channel ch, char *text, size_t size)
{
	unsigned w = e->cfg.capacity.weight[ch];

	if (a->ready_at)
		return say_err(text, size, WHY_COOLING,
			       "missed an offer; routable again in %lld ms",
			       (long long)(a->ready_at - e->now));
	if (a->held[ch] >= a->cap[ch])
		return say_err(text, size, WHY_AT_CAPACITY,
			       "holds %u of %u %s contacts", a->held[ch],
			       a->cap[ch], engine_channel_name(ch));
	for (int o = 0; o < CH_MAX; o++) {
		if (a->held[o] && (e->cfg.capacity.blocks[o] & (1u << ch)))
			return say_err(text, size, WHY_BLOCKED,
				       "a %s contact blocks %s work",
				       engine_channel_name(o),
				       engine_channel_name(ch));
	}
	if (w && a->units + w > e->cfg.capacity.budget)
		return say_err(text, size, WHY_BUDGET,
			       "uses %u of %u capacity units; %s needs %u",
			       a->units, e->cfg.capacity.budget,
			       engine_channel_name(ch), w);
	return WHY_MAX;
}

static enum why explain(const struct engine *e, const struct contact *c,
			const struct agent *a, char *text, size_t size)
{
	enum channel ch = c->queue->ch;
	enum why w;

	if (engine_offered_to(c, a))
		return say_err(text, size, WHY_OFFERED_TO,
			       "it is being offered to this agent");
	if (c->state != CS_QUEUED && c->state != CS_CALLBACK_PENDING &&
	    c->state != CS_OFFERED)
		return say_err(text, size, WHY_NOT_WAITING,
			       "the contact is %s%s",
			       engine_contact_state_name(c->state),
			       c->agent == a ? " with this agent" : "");
	if (!engine_agent_serves(a, c->queue->tenant))
		return say_err(text, size, WHY_OTHER_TENANT,
			       "the agent does not serve tenant %s",
			       c->queue->tenant->id);
	if (!a->cap[ch])
		return say_err(text, size, WHY_NO_CHANNEL,
			       "the agent takes no %s contacts",
			       engine_channel_name(ch));
	if (a->state == AS_OFFLINE)
		return say_err(text, size, WHY_OFFLINE, "the agent is offline");
	if (a->state == AS_PAUSED)
		return say_err(text, size, WHY_PAUSED,
			       "the agent is paused (%s)",
			       a->reason ? a->reason : "");
	if (c->direct && c->direct != a)
		return say_err(text, size, WHY_DIRECT,
			       "the contact waits for agent %s", c->direct->id);
	if (!c->direct && !engine_member_of(a, c->pool))
		return why_filter(c, a, text, size);
	w = why_capacity(e, a, ch, text, size);
	if (w != WHY_MAX)
		return w;
	if (c->state == CS_OFFERED)
		return say_err(text, size, WHY_LOWER_IN_ORDER,
			       "offered to %s, who came first by %s",
			       c->offers[0]->id,
			       engine_strategy_name(c->pool->strat));
	return say_err(text, size, WHY_ELIGIBLE,
		       "nothing stops it: it is next in line for this agent");
}

int engine_why(struct engine *e, int64_t now, uint64_t id, const char *agent,
	       enum why *why, char *text, size_t size)
{
	struct contact *c;
	struct agent *a;
	int err = 0;

	engine_begin(e, now);
	c = engine_contact_find(e, id);
	a = engine_agent_find(e, agent);
	if (c && a)
		*why = explain(e, c, a, text, size);
	else
		err = ENOENT;
	engine_end(e);
	return err;
}
