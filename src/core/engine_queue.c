/*
 * engine_queue.c — queues: validating and building their steps (each step
 * holds a shared pool), replacing them while contacts wait, removing them,
 * and their live figures.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine_int.h"

/* ---- queues -------------------------------------------------------- */

static void steps_put(struct engine *e, struct step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		timerq_list_drop(&e->tq, &steps[i].due);
		engine_pool_put(e, steps[i].pool);
		if (steps[i].target)
			steps[i].target->targeted--;
	}
	free(steps);
}

static int step_build(struct engine *e, const struct engine_queue *in,
		      struct tenant *t, struct step *steps, size_t i,
		      const char **filter, struct engine_error *err)
{
	const struct engine_step *s = &in->steps[i];
	struct step *out = &steps[i];
	int rc;

	if (s->after_ms < 0 || (i == 0 && s->after_ms != 0) ||
	    (i > 0 && s->after_ms < in->steps[i - 1].after_ms) ||
	    s->action > ACTION_CLOSE || s->min_ewt_ms < 0) {
		snprintf(err->msg, sizeof(err->msg),
			 "step %zu: after_s must start at 0 and not decrease",
			 i);
		return EINVAL;
	}
	if (s->action == ACTION_TRANSFER) {
		out->target = engine_queue_find(e, s->target);
		if (!out->target || out->target->tenant != t) {
			snprintf(err->msg, sizeof(err->msg),
				 "step %zu: no queue \"%.64s\" in the tenant",
				 i, s->target ? s->target : "");
			return ENOENT;
		}
	}
	if (s->filter)
		*filter = s->filter;
	rc = engine_pool_get(e, &out->pool, t, in->channel, in->strategy,
			     *filter, err);
	if (rc) {
		out->target = NULL;
		return rc;
	}
	if (out->target)
		out->target->targeted++;
	timerq_list_init(&out->due, TK_STEP);
	out->after_ms = s->after_ms;
	out->priority_delta = s->priority_delta;
	out->min_ewt_ms = s->min_ewt_ms;
	out->action = s->action;
	return 0;
}

static int steps_build(struct engine *e, const struct engine_queue *in,
		       struct tenant *t, struct step **stepsp, size_t *np,
		       struct engine_error *err)
{
	static const struct engine_step any = {0};
	const struct engine_step *src = in->nsteps ? in->steps : &any;
	size_t n = in->nsteps ? in->nsteps : 1;
	struct engine_queue q = *in;
	const char *filter = NULL;
	struct step *steps = calloc(n, sizeof(*steps));
	int rc = 0;

	if (!steps)
		return ENOMEM;
	q.steps = src;
	for (size_t i = 0; i < n; i++) {
		rc = step_build(e, &q, t, steps, i, &filter, err);
		if (rc) {
			steps_put(e, steps, i);
			return rc;
		}
	}
	*stepsp = steps;
	*np = n;
	return 0;
}

static int queue_check(struct engine *e, const struct engine_queue *in,
		       struct tenant **tp, struct engine_error *err)
{
	struct queue *old = engine_queue_find(e, in->id);

	if (!in->id || !*in->id || in->channel >= CH_MAX ||
	    in->strategy >= STRAT_MAX || in->wrapup > WRAPUP_MANUAL ||
	    in->priority < -1000 || in->priority > 1000 || in->wrapup_ms < 0 ||
	    in->closed_action > ACTION_CLOSE) {
		snprintf(err->msg, sizeof(err->msg), "invalid queue field");
		return EINVAL;
	}
	*tp = engine_find(&e->tenants, in->tenant);
	if (!*tp) {
		snprintf(err->msg, sizeof(err->msg), "no tenant \"%.64s\"",
			 in->tenant ? in->tenant : "");
		return ENOENT;
	}
	if (in->calendar && !engine_find(&e->cals, in->calendar)) {
		snprintf(err->msg, sizeof(err->msg), "no calendar \"%.64s\"",
			 in->calendar);
		return ENOENT;
	}
	if (in->closed_action == ACTION_TRANSFER &&
	    !engine_queue_find(e, in->closed_target)) {
		snprintf(err->msg, sizeof(err->msg),
			 "no queue \"%.64s\" for the closed action",
			 in->closed_target ? in->closed_target : "");
		return ENOENT;
	}
	if (old && old->ncontacts &&
	    (old->tenant != *tp || old->ch != in->channel)) {
		snprintf(err->msg, sizeof(err->msg),
			 "the queue holds contacts: its tenant and channel "
			 "cannot change");
		return EBUSY;
	}
	return 0;
}

static int queue_create(struct engine *e, const char *id, struct queue **qp)
{
	struct queue *q = calloc(1, sizeof(*q));

	if (!q || !(q->id = strdup(id)))
		goto nomem;
	timerq_list_init(&q->wrap, TK_WRAP);
	timerq_list_init(&q->direct, TK_DIRECT);
	if (hmap_put(&e->queues, hmap_hash_str(id), q))
		goto nomem;
	if (engine_vec_push((void **)&e->queue_v, &e->nqueues, &e->queues_cap,
			    sizeof(q), &q)) {
		hmap_del(&e->queues, hmap_hash_str(id), engine_id_eq, id);
		goto nomem;
	}
	*qp = q;
	return 0;
nomem:
	if (q)
		free(q->id);
	free(q);
	return ENOMEM;
}

int engine_queue_set(struct engine *e, int64_t now,
		     const struct engine_queue *in, struct engine_error *err)
{
	struct engine_error dummy;
	struct tenant *t;
	struct queue *q;
	struct step *steps = NULL, *old_steps;
	size_t nsteps = 0, old_n;
	char *cal = NULL;
	int rc;

	err = err ? err : &dummy;
	err->msg[0] = '\0';
	engine_begin(e, now);
	rc = queue_check(e, in, &t, err);
	if (!rc && in->calendar && !(cal = strdup(in->calendar)))
		rc = ENOMEM;
	if (!rc)
		rc = steps_build(e, in, t, &steps, &nsteps, err);
	q = rc ? NULL : engine_queue_find(e, in->id);
	if (!rc && !q && (rc = queue_create(e, in->id, &q)) == 0)
		t->nqueues++;
	if (rc) {
		if (steps)
			steps_put(e, steps, nsteps);
		free(cal);
		goto out;
	}
	if (q->tenant && q->tenant != t) {
		q->tenant->nqueues--;
		t->nqueues++;
	}
	if (q->closed_target)
		q->closed_target->targeted--;
	q->tenant = t;
	q->ch = in->channel;
	q->priority = in->priority;
	q->sl_ms = in->sl_threshold_ms;
	q->strat = in->strategy;
	q->last_agent = in->last_agent;
	q->last_agent_wait_ms = in->last_agent_wait_ms;
	q->ring_max = in->ring_max > 0 ? in->ring_max : 50;
	q->wrapup = in->wrapup;
	q->wrapup_ms = in->wrapup_ms;
	if (!q->aht_ms || in->aht_ms > 0)
		q->aht_ms = in->aht_ms > 0 ? (double)in->aht_ms : 180000.0;
	free(q->calendar);
	q->calendar = cal;
	q->closed_action = in->closed_action;
	q->closed_target = in->closed_action == ACTION_TRANSFER
				   ? engine_queue_find(e, in->closed_target)
				   : NULL;
	if (q->closed_target)
		q->closed_target->targeted++;
	old_steps = q->steps;
	old_n = q->nsteps;
	q->steps = steps;
	q->nsteps = nsteps;
	engine_queue_requeue_all(e, q);
	if (old_steps)
		steps_put(e, old_steps, old_n);
out:
	engine_end(e);
	return rc;
}

int engine_queue_remove(struct engine *e, const char *id)
{
	struct queue *q = engine_queue_find(e, id);

	if (!q)
		return ENOENT;
	if (q->ncontacts || q->targeted)
		return EBUSY;
	hmap_del(&e->queues, hmap_hash_str(id), engine_id_eq, id);
	engine_vec_del((void **)&e->queue_v, &e->nqueues, sizeof(q), &q);
	steps_put(e, q->steps, q->nsteps); /* frees the array too */
	q->steps = NULL;
	q->nsteps = 0;
	timerq_list_drop(&e->tq, &q->wrap);
	timerq_list_drop(&e->tq, &q->direct);
	if (q->closed_target)
		q->closed_target->targeted--;
	q->tenant->nqueues--;
	engine_queue_free(q);
	return 0;
}

/* The earliest entry of q's contacts in a pool's tree (O(tree)). */
static void oldest_in(const struct queue *q, const struct contact *n,
		      int64_t *oldest)
{
	for (; n; n = n->t.r) {
		oldest_in(q, n->t.l, oldest);
		if (n->queue == q && n->entered < *oldest)
			*oldest = n->entered;
	}
}

/* Where a contact arriving now would stand, and how long it would wait. */
static int64_t arrival_ewt(struct engine *e, const struct queue *q, int64_t now)
{
	const struct pool *p = q->steps[0].pool;
	struct contact probe;

	if (p->nheap)
		return 0;
	if (!p->slots)
		return -1;
	memset(&probe, 0, sizeof(probe));
	probe.key = (int64_t)q->priority * e->cfg.priority_point_ms -
		    (now > e->now ? now : e->now);
	probe.seq = UINT64_MAX;
	return (int64_t)(engine_tree_rank(&p->tree, &probe) * q->aht_ms /
			 p->slots);
}

int engine_queue_stats(struct engine *e, int64_t now, const char *id,
		       struct engine_queue_stats *st)
{
	struct queue *q = engine_queue_find(e, id);

	if (!q)
		return ENOENT;
	memset(st, 0, sizeof(*st));
	st->aht_ms = (int64_t)q->aht_ms;
	st->waiting = q->count[CS_QUEUED] + q->count[CS_CALLBACK_PENDING];
	st->offered = q->count[CS_OFFERED];
	st->active = q->count[CS_ACTIVE] + q->count[CS_WRAPUP];
	st->oldest_arrival_ms = INT64_MAX;
	for (size_t k = 0; st->waiting && k < q->nsteps; k++) {
		const struct pool *p = q->steps[k].pool;

		if (k == 0 || p != q->steps[k - 1].pool)
			oldest_in(q, p->tree.root, &st->oldest_arrival_ms);
	}
	if (st->oldest_arrival_ms == INT64_MAX)
		st->oldest_arrival_ms = -1;
	st->ewt_ms = arrival_ewt(e, q, now);
	return 0;
}
