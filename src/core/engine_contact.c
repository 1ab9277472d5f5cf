/*
 * engine_contact.c — the life of a contact: arrival, steps, offers and
 * their outcomes, handling, wrap-up, transfers, callbacks, and the timers
 * that drive them.
 *
 * Every state change is time-stamped in the contact and reported as an
 * event. A contact that reaches a terminal state is removed from the
 * engine's indexes at once and freed when the command ends, so nothing
 * that runs later in the same command can touch freed memory.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine_int.h"

#define MAX_TRANSFER_HOPS 8

void engine_contact_rekey(struct engine *e, struct contact *c)
{
	int prio = c->queue->priority + c->priority + c->step_prio;

	c->key = (int64_t)prio * e->cfg.priority_point_ms - c->arrived;
}

void engine_contact_set_state(struct engine *e, struct contact *c,
			      enum contact_state st)
{
	c->queue->count[c->state]--;
	c->queue->count[st]++;
	c->state = st;
	c->state_ms[st] = e->now;
}

/*
 * A contact is allocated and freed once per call: up to SPARE_MAX finished
 * contacts are kept for the next arrivals instead of going back to malloc,
 * which cost more than routing the call. ASan builds keep none, so that a
 * use of a contact after the end of its command is still caught.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SPARE_MAX 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SPARE_MAX 0
#endif
#endif
#ifndef SPARE_MAX
#define SPARE_MAX 1024
#endif

static void contact_clear(struct contact *c)
{
	if (c->offers != &c->offer1)
		free(c->offers);
	free(c->customer);
}

void engine_contact_free(struct contact *c)
{
	contact_clear(c);
	free(c);
}

/* A finished contact, at the end of its command: kept or freed. */
void engine_contact_release(struct engine *e, struct contact *c)
{
	if (e->nspare == SPARE_MAX) {
		engine_contact_free(c);
		return;
	}
	contact_clear(c);
	c->t.l = e->spare;
	e->spare = c;
	e->nspare++;
}

void engine_contact_spares_free(struct engine *e)
{
	while (e->spare) {
		struct contact *c = e->spare;

		e->spare = c->t.l;
		free(c);
	}
	e->nspare = 0;
}

/*
 * Estimated wait: the contacts ahead in the same line, times the queue's
 * recent handle time, over the capacity of the logged-in agents who can
 * take the line. Position- and staffing-aware; -1 when nobody can.
 */
int64_t engine_contact_ewt(const struct engine *e, const struct contact *c,
			   uint32_t *posp)
{
	const struct tree *t;
	uint32_t slots, pos;

	(void)e;
	if (posp)
		*posp = 0;
	if (c->state != CS_QUEUED && c->state != CS_CALLBACK_PENDING)
		return 0;
	if (c->direct) {
		t = &c->direct->direct;
		slots = c->direct->state == AS_AVAILABLE
				? c->direct->cap[c->queue->ch]
				: 0;
	} else {
		t = &c->pool->tree;
		slots = c->pool->slots;
		if (!c->in_tree && c->pool->nheap) {
			if (posp)
				*posp = 1;
			return 0;
		}
	}
	pos = engine_tree_rank(t, c);
	if (posp)
		*posp = pos;
	if (!slots)
		return -1;
	return (int64_t)(pos * c->queue->aht_ms / slots);
}

static void fill_wait(struct engine_event *ev, const struct contact *c,
		      int64_t now)
{
	ev->wait_ms = now - c->entered;
	ev->total_wait_ms = now - c->arrived;
}

static void emit_contact(struct engine *e, enum engine_event_type t,
			 struct contact *c, struct agent *a, const char *target)
{
	struct engine_event ev;

	engine_event_fill(&ev, t, c, a, e->now);
	fill_wait(&ev, c, e->now);
	ev.target = target;
	if (t == EV_CONTACT_QUEUED) {
		ev.ewt_ms = engine_contact_ewt(e, c, &ev.position);
		ev.entered = e->entering;
	}
	if (c->answered >= 0 &&
	    (t == EV_CONTACT_ENDED || t == EV_CONTACT_COMPLETED ||
	     t == EV_CONTACT_TRANSFERRED))
		ev.talk_ms = (c->ended >= 0 ? c->ended : e->now) - c->answered;
	if (t == EV_CONTACT_COMPLETED)
		ev.wrap_ms = e->now - c->ended;
	if (t == EV_CONTACT_ENDED && c->state == CS_WRAPUP &&
	    c->queue->wrapup == WRAPUP_TIMED)
		ev.expires_ms = e->now + c->queue->wrapup_ms;
	engine_emit(e, &ev);
}

static void queue_link(struct queue *q, struct contact *c)
{
	c->queue = q;
	q->ncontacts++;
	q->count[c->state]++;
}

static void queue_unlink(struct contact *c)
{
	c->queue->ncontacts--;
	c->queue->count[c->state]--;
}

/* A terminal state: the contact leaves the engine (freed at command end). */
static void contact_finish(struct engine *e, struct contact *c,
			   enum contact_state st, enum engine_event_type t,
			   const char *target)
{
	engine_contact_unwait(c);
	engine_contact_set_state(e, c, st);
	timerq_remove(&c->step_node);
	timerq_remove(&c->offer_node);
	timerq_remove(&c->direct_node);
	emit_contact(e, t, c, c->agent, target);
	hmap_del(&e->contacts, hmap_hash_u64(c->id), NULL, NULL);
	queue_unlink(c);
	if (engine_vec_push((void **)&e->dead, &e->ndead, &e->dead_cap,
			    sizeof(c), &c)) {
		/* Cannot defer: nothing else refers to it any more. */
		engine_contact_free(c);
	}
}

/* (Re)schedules the contact's next step, if it has one. */
static void schedule_step(struct engine *e, struct contact *c)
{
	size_t next = (size_t)c->step + 1;
	struct step *s;

	timerq_remove(&c->step_node);
	if (next >= c->queue->nsteps)
		return;
	s = &c->queue->steps[next];
	/* On ENOMEM the contact stays at its step; it is still served. */
	(void)timerq_insert(&e->tq, &s->due, &c->step_node,
			    c->entered + s->after_ms);
}

static void queue_enter(struct engine *e, struct contact *c, struct queue *q,
			int hops, bool dispatch);

static void become_callback(struct engine *e, struct contact *c)
{
	c->callback = true;
	engine_contact_set_state(e, c, CS_CALLBACK_PENDING);
	emit_contact(e, EV_CONTACT_CALLBACK, c, NULL, NULL);
}

/* Moves a contact that is in no tree and holds no agent to queue q. */
static void move_to_queue(struct engine *e, struct contact *c, struct queue *q,
			  int hops)
{
	emit_contact(e, EV_CONTACT_TRANSFERRED, c, NULL, q->id);
	queue_unlink(c);
	c->direct = NULL;
	timerq_remove(&c->direct_node);
	queue_enter(e, c, q, hops + 1, true);
}

/*
 * Carries out an action (of a step or of a closed queue). Returns true
 * when the contact left the line (terminal or moved away).
 */
static bool take_action(struct engine *e, struct contact *c, enum action a,
			struct queue *target, int hops)
{
	switch (a) {
	case ACTION_CALLBACK_OFFER:
		emit_contact(e, EV_CALLBACK_OFFER, c, NULL, NULL);
		return false;
	case ACTION_CALLBACK:
		if (!c->callback)
			become_callback(e, c);
		return false;
	case ACTION_VOICEMAIL:
		contact_finish(e, c, CS_VOICEMAIL, EV_CONTACT_VOICEMAIL, NULL);
		return true;
	case ACTION_TRANSFER:
		if (!target || hops >= MAX_TRANSFER_HOPS) {
			contact_finish(e, c, CS_CLOSED, EV_CONTACT_CLOSED,
				       NULL);
			return true;
		}
		move_to_queue(e, c, target, hops);
		return true;
	case ACTION_CLOSE:
		contact_finish(e, c, CS_CLOSED, EV_CONTACT_CLOSED, NULL);
		return true;
	default:
		return false;
	}
}

/* Applies step k's priority and pool (not its action) to a contact. */
static void step_apply(struct engine *e, struct contact *c, size_t k)
{
	const struct step *s = &c->queue->steps[k];

	c->step = (int)k;
	c->step_prio += s->priority_delta;
	c->pool = s->pool;
	engine_contact_rekey(e, c);
}

static bool queue_closed_at(struct engine *e, const struct queue *q,
			    int64_t now)
{
	const struct calendar *cal;

	if (!q->calendar)
		return false;
	cal = engine_calendar_find(e, q->calendar);
	return cal && !calendar_is_open(cal, now + e->wall_offset);
}

static bool queue_closed(struct engine *e, const struct queue *q)
{
	return queue_closed_at(e, q, e->now);
}

bool engine_queue_open(struct engine *e, const char *id, int64_t now)
{
	const struct queue *q = engine_queue_find(e, id);

	return q && !queue_closed_at(e, q, now);
}

/*
 * What a closed queue does with an arriving contact. A written contact
 * (chat, email, sms) is a message already: nobody hangs up on it, so it
 * waits in line for the next opening, whatever the closed action says,
 * except a transfer, which still moves it to the queue named. So does a
 * callback (a voicemail's, a caller's who chose one): nobody is on the
 * line to turn away.
 */
static enum action closed_action(const struct queue *q, const struct contact *c)
{
	enum action a = q->closed_action ? q->closed_action : ACTION_CLOSE;

	if ((q->ch != CH_VOICE || c->callback) && a != ACTION_TRANSFER)
		return ACTION_NONE;
	return a;
}

static bool fits(const struct agent *a, const struct contact *c);

static struct agent *last_agent_for(struct engine *e, const struct contact *c)
{
	struct lastagent *la;
	struct agent *a;

	if (!c->queue->last_agent || !c->customer)
		return NULL;
	la = hmap_get(&e->lastagents, hmap_hash_str(c->customer), engine_id_eq,
		      c->customer);
	if (!la || e->now - la->when > e->cfg.last_agent_window_ms)
		return NULL;
	a = engine_agent_find(e, la->agent);
	if (!a || a->state == AS_OFFLINE || !fits(a, c))
		return NULL;
	return a;
}

/*
 * Last-agent routing: the customer's previous agent gets the contact if
 * free now, or — when the queue says so — it waits for them a while.
 */
static void route_last_agent(struct engine *e, struct contact *c)
{
	struct agent *a = last_agent_for(e, c);

	if (!a)
		return;
	if (engine_agent_can_take(e, a, c->queue->ch) ||
	    c->queue->last_agent_wait_ms) {
		c->direct = a;
		c->direct_once = !c->queue->last_agent_wait_ms;
		if (c->queue->last_agent_wait_ms)
			(void)timerq_insert(
				&e->tq, &c->queue->direct, &c->direct_node,
				e->now + c->queue->last_agent_wait_ms);
	}
}

/* Lets a contact wait at its place without matching it (yet). */
static void wait_in_line(struct engine *e, struct contact *c)
{
	engine_tree_insert(e, c->direct ? &c->direct->direct : &c->pool->tree,
			   c);
}

/*
 * A contact enters a queue: closed action, last agent, step 0, then it is
 * matched (dispatch) or only put in line for the caller to match later.
 */
static void queue_enter(struct engine *e, struct contact *c, struct queue *q,
			int hops, bool dispatch)
{
	queue_link(q, c);
	c->entered = e->now;
	c->step = 0;
	c->step_prio = 0;
	timerq_remove(&c->step_node);
	engine_contact_set_state(e, c,
				 c->callback ? CS_CALLBACK_PENDING : CS_QUEUED);
	step_apply(e, c, 0);
	if (queue_closed(e, q)) {
		if (closed_action(q, c) == ACTION_CALLBACK)
			become_callback(e, c);
		else if (take_action(e, c, closed_action(q, c),
				     q->closed_target, hops))
			return;
	}
	route_last_agent(e, c);
	e->entering = true;
	emit_contact(e, EV_CONTACT_QUEUED, c, NULL, NULL);
	e->entering = false;
	if (q->steps[0].action &&
	    take_action(e, c, q->steps[0].action, q->steps[0].target, hops))
		return;
	schedule_step(e, c);
	if (dispatch)
		engine_contact_dispatch(e, c);
	else
		wait_in_line(e, c);
}

/*
 * Sets every field, without a memset first: a memset of the contact
 * compiles to `rep stos`, a good share of the cost of an arrival.
 * The assertion makes a new field fail the build until it is set here.
 */
_Static_assert(sizeof(void *) != 8 || sizeof(struct contact) == 344,
	       "contact_init must set every field of struct contact");

static void contact_init(struct engine *e, struct contact *c,
			 const struct engine_contact *in, char *customer)
{
	static const struct tq_node idle; /* not scheduled */

	c->key = 0;
	c->seq = ++e->seq;
	c->t = (struct tlink){0};
	c->in_tree = false;
	c->callback = in->callback;
	c->direct_once = false;
	c->step = 0;
	c->state = CS_QUEUED;
	c->pool = NULL;
	c->direct = NULL;
	c->queue = NULL;
	c->id = in->id;
	c->priority = in->priority;
	c->step_prio = 0;
	c->arrived = e->now;
	c->entered = 0;
	c->agent = NULL;
	c->offers = &c->offer1;
	c->noffers = 0;
	c->offers_cap = 1;
	c->offer1 = NULL;
	c->customer = customer;
	c->answered = c->ended = -1;
	c->step_node = c->offer_node = c->direct_node = idle;
	for (int i = 0; i < CS_MAX; i++)
		c->state_ms[i] = -1;
}

static struct contact *contact_alloc(struct engine *e,
				     const struct engine_contact *in)
{
	struct contact *c = e->spare;
	char *customer = NULL;

	if (in->customer && !(customer = strdup(in->customer)))
		return NULL;
	if (c) {
		e->spare = c->t.l;
		e->nspare--;
	} else if (!(c = malloc(sizeof(*c)))) {
		free(customer);
		return NULL;
	}
	contact_init(e, c, in, customer);
	return c;
}

int engine_contact_add(struct engine *e, int64_t now,
		       const struct engine_contact *in,
		       struct engine_contact_info *info)
{
	struct queue *q;
	struct contact *c;
	int err = 0;

	if (!in->id || !in->queue || in->priority < -1000 ||
	    in->priority > 1000)
		return EINVAL;
	engine_begin(e, now);
	if (engine_contact_find(e, in->id)) {
		err = EEXIST;
		goto out;
	}
	q = engine_queue_find(e, in->queue);
	if (!q) {
		err = ENOENT;
		goto out;
	}
	c = contact_alloc(e, in);
	if (!c || hmap_put(&e->contacts, hmap_hash_u64(c->id), c)) {
		if (c)
			free(c->customer);
		free(c);
		err = ENOMEM;
		goto out;
	}
	queue_enter(e, c, q, 0, true);
	if (info)
		engine_info_fill(e, c, info);
out:
	engine_end(e);
	return err;
}

int engine_contact_restore(struct engine *e, int64_t now,
			   const struct engine_contact *in, int64_t arrived_ms,
			   int64_t entered_ms)
{
	struct queue *q;
	struct contact *c;
	size_t k = 0;
	int err = 0;

	if (!in->id || !in->queue || in->priority < -1000 ||
	    in->priority > 1000 || arrived_ms > now || entered_ms > now ||
	    entered_ms < arrived_ms)
		return EINVAL;
	engine_begin(e, now);
	q = engine_queue_find(e, in->queue);
	if (engine_contact_find(e, in->id)) {
		err = EEXIST;
		goto out;
	}
	if (!q) {
		err = ENOENT;
		goto out;
	}
	c = contact_alloc(e, in);
	if (!c || hmap_put(&e->contacts, hmap_hash_u64(c->id), c)) {
		if (c)
			free(c->customer);
		free(c);
		err = ENOMEM;
		goto out;
	}
	c->arrived = arrived_ms;
	queue_link(q, c);
	c->entered = entered_ms;
	engine_contact_set_state(e, c,
				 c->callback ? CS_CALLBACK_PENDING : CS_QUEUED);
	c->state_ms[c->state] = entered_ms;
	while (k + 1 < q->nsteps &&
	       q->steps[k + 1].after_ms <= now - entered_ms)
		k++;
	for (size_t i = 0; i < k; i++)
		c->step_prio += q->steps[i].priority_delta;
	step_apply(e, c, k);
	schedule_step(e, c);
	wait_in_line(e, c);
out:
	engine_end(e);
	return err;
}

/* A contact whose offers all failed goes back to its place in line. */
void engine_contact_back(struct engine *e, struct contact *c)
{
	timerq_remove(&c->offer_node);
	if (c->direct && (c->direct_once || !fits(c->direct, c))) {
		c->direct = NULL;
		timerq_remove(&c->direct_node);
	}
	c->direct_once = false;
	engine_contact_set_state(e, c,
				 c->callback ? CS_CALLBACK_PENDING : CS_QUEUED);
	emit_contact(e, EV_CONTACT_QUEUED, c, NULL, NULL);
	engine_contact_dispatch(e, c);
}

/* After a miss: a short rest, and a pause after too many in a row. */
static void agent_cool(struct engine *e, struct agent *a)
{
	a->misses++;
	if (e->cfg.reject_delay_ms > 0) {
		a->ready_at = e->now + e->cfg.reject_delay_ms;
		timerq_remove(&a->ready_node);
		if (timerq_insert(&e->tq, &e->ready_list, &a->ready_node,
				  a->ready_at))
			a->ready_at = 0; /* cannot wake it: no delay */
	}
	if (e->cfg.auto_pause_misses > 0 &&
	    a->misses >= e->cfg.auto_pause_misses && a->state == AS_AVAILABLE) {
		char *reason = strdup("missed");

		if (reason) {
			free(a->reason);
			a->reason = reason;
			engine_pool_staffed_update(a, -1);
			a->state = AS_PAUSED;
			a->misses = 0;
		}
	}
}

/* Withdraws every offer of c except to `keep`; the agents are refreshed. */
static void withdraw_offers(struct engine *e, struct contact *c,
			    struct agent *keep)
{
	struct agent *gone[64];
	uint32_t n = 0;

	while (c->noffers > (keep ? 1u : 0u)) {
		struct agent *a =
			c->offers[0] == keep ? c->offers[1] : c->offers[0];

		emit_contact(e, EV_OFFER_WITHDRAWN, c, a, NULL);
		engine_offer_drop(e, c, a);
		if (n < 64)
			gone[n++] = a;
		else
			engine_agent_refresh(e, a);
	}
	if (!keep)
		timerq_remove(&c->offer_node);
	for (uint32_t i = 0; i < n; i++)
		engine_agent_refresh(e, gone[i]);
}

/*
 * Looks up a contact and an agent for a command on an offer. The agent is
 * nearly always one of the few the contact is offered to: found there by
 * its id, it costs no hashing (ids are unique: the map holds the same).
 */
static int offer_lookup(struct engine *e, uint64_t id, const char *agent,
			struct contact **cp, struct agent **ap)
{
	struct contact *c = engine_contact_find(e, id);

	*cp = c;
	for (uint32_t i = 0; c && agent && i < c->noffers; i++) {
		*ap = c->offers[i];
		if (c->state == CS_OFFERED && !strcmp((*ap)->id, agent))
			return 0;
	}
	*ap = agent ? engine_agent_find(e, agent) : NULL;
	if (!c || !*ap)
		return ENOENT;
	if (c->state != CS_OFFERED || !engine_offered_to(c, *ap))
		return EINVAL;
	return 0;
}

int engine_contact_accept(struct engine *e, int64_t now, uint64_t id,
			  const char *agent)
{
	struct contact *c;
	struct agent *a;
	int err;

	engine_begin(e, now);
	err = offer_lookup(e, id, agent, &c, &a);
	if (err)
		goto out;
	c->agent = a;
	withdraw_offers(e, c, a);
	c->noffers = 0;
	c->answered = now;
	timerq_remove(&c->step_node);
	timerq_remove(&c->offer_node);
	timerq_remove(&c->direct_node);
	a->misses = 0;
	engine_contact_set_state(e, c, CS_ACTIVE);
	emit_contact(e, EV_CONTACT_ACCEPTED, c, a, NULL);
	if (c->callback)
		emit_contact(e, EV_CALLBACK_DIAL, c, a, c->customer);
	engine_emit_agent(e, a);
out:
	engine_end(e);
	return err;
}

/* One agent's offer of c ended without an answer (reject or miss). */
static void offer_failed(struct engine *e, struct contact *c, struct agent *a,
			 enum engine_event_type t)
{
	emit_contact(e, t, c, a, NULL);
	engine_offer_drop(e, c, a);
	agent_cool(e, a);
	engine_agent_refresh(e, a);
}

int engine_contact_reject(struct engine *e, int64_t now, uint64_t id,
			  const char *agent)
{
	struct contact *c;
	struct agent *a;
	int err;

	engine_begin(e, now);
	err = offer_lookup(e, id, agent, &c, &a);
	if (err)
		goto out;
	offer_failed(e, c, a, EV_OFFER_REJECTED);
	if (!c->noffers)
		engine_contact_back(e, c);
out:
	engine_end(e);
	return err;
}

static void offer_timeout(struct engine *e, struct contact *c)
{
	while (c->noffers)
		offer_failed(e, c, c->offers[0], EV_OFFER_MISSED);
	engine_contact_back(e, c);
}

/*
 * Remembers who served a customer last, for last-agent routing, until the
 * window ends (then the entry is dropped: the map does not grow forever).
 * Out of memory, the customer is simply not remembered.
 */
static void remember_last_agent(struct engine *e, const char *customer,
				const struct agent *a)
{
	struct lastagent *la = hmap_get(&e->lastagents, hmap_hash_str(customer),
					engine_id_eq, customer);
	char *id = strdup(a->id);

	if (!id)
		return;
	if (!la && (la = calloc(1, sizeof(*la)))) {
		la->customer = strdup(customer);
		if (!la->customer ||
		    hmap_put(&e->lastagents, hmap_hash_str(customer), la)) {
			free(la->customer);
			free(la);
			la = NULL;
		}
	}
	if (!la) {
		free(id);
		return;
	}
	free(la->agent);
	la->agent = id;
	la->when = e->now;
	timerq_remove(&la->node);
	(void)timerq_insert(&e->tq, &e->forget_list, &la->node,
			    e->now + e->cfg.last_agent_window_ms + 1);
}

static void forget_last_agent(struct engine *e, struct lastagent *la)
{
	hmap_del(&e->lastagents, hmap_hash_str(la->customer), engine_id_eq,
		 la->customer);
	free(la->customer);
	free(la->agent);
	free(la);
}

static void contact_complete(struct engine *e, struct contact *c)
{
	struct agent *a = c->agent;
	double handle = (double)(e->now - c->answered);

	c->queue->aht_ms += (handle - c->queue->aht_ms) / 8.0;
	engine_hold_del(a, c);
	engine_slot_release(e, a, c->queue->ch, false);
	if (c->customer)
		remember_last_agent(e, c->customer, a);
	contact_finish(e, c, CS_COMPLETED, EV_CONTACT_COMPLETED, NULL);
	engine_agent_refresh(e, a);
}

int engine_contact_end(struct engine *e, int64_t now, uint64_t id)
{
	struct contact *c;
	struct agent *a;
	int err = 0;

	engine_begin(e, now);
	c = engine_contact_find(e, id);
	if (!c) {
		err = ENOENT;
		goto out;
	}
	if (c->state != CS_ACTIVE) {
		err = EINVAL;
		goto out;
	}
	a = c->agent;
	c->ended = now;
	a->busy[c->queue->ch]--;
	if (c->queue->wrapup == WRAPUP_NONE) {
		emit_contact(e, EV_CONTACT_ENDED, c, a, NULL);
		contact_complete(e, c);
		goto out;
	}
	engine_contact_set_state(e, c, CS_WRAPUP);
	emit_contact(e, EV_CONTACT_ENDED, c, a, NULL);
	if (c->queue->wrapup == WRAPUP_TIMED &&
	    timerq_insert(&e->tq, &c->queue->wrap, &c->step_node,
			  now + c->queue->wrapup_ms))
		contact_complete(e, c); /* cannot time it: end it now */
	engine_emit_agent(e, a);
out:
	engine_end(e);
	return err;
}

int engine_contact_wrapup_done(struct engine *e, int64_t now, uint64_t id)
{
	struct contact *c;
	int err = 0;

	engine_begin(e, now);
	c = engine_contact_find(e, id);
	if (!c)
		err = ENOENT;
	else if (c->state != CS_WRAPUP)
		err = EINVAL;
	else
		contact_complete(e, c);
	engine_end(e);
	return err;
}

static bool waiting(const struct contact *c)
{
	return c->state == CS_QUEUED || c->state == CS_CALLBACK_PENDING;
}

int engine_contact_abandon(struct engine *e, int64_t now, uint64_t id)
{
	struct contact *c;
	int err = 0;

	engine_begin(e, now);
	c = engine_contact_find(e, id);
	if (!c) {
		err = ENOENT;
		goto out;
	}
	if (!waiting(c) && c->state != CS_OFFERED) {
		err = EINVAL;
		goto out;
	}
	withdraw_offers(e, c, NULL);
	contact_finish(e, c, CS_ABANDONED, EV_CONTACT_ABANDONED, NULL);
out:
	engine_end(e);
	return err;
}

int engine_contact_callback(struct engine *e, int64_t now, uint64_t id)
{
	struct contact *c;
	int err = 0;

	engine_begin(e, now);
	c = engine_contact_find(e, id);
	if (!c)
		err = ENOENT;
	else if (c->state != CS_QUEUED)
		err = EINVAL;
	else
		become_callback(e, c); /* same key: same place in line */
	engine_end(e);
	return err;
}

/* Frees the agent handling an active contact that leaves it. */
static struct agent *detach_agent(struct engine *e, struct contact *c)
{
	struct agent *a = c->agent;

	if (!a)
		return NULL;
	if (c->state == CS_ACTIVE)
		c->ended = e->now;
	engine_hold_del(a, c);
	engine_slot_release(e, a, c->queue->ch, c->state == CS_ACTIVE);
	return a;
}

static int transfer_check(struct engine *e, struct contact *c, struct queue *q,
			  struct agent *a)
{
	if (!waiting(c) && c->state != CS_ACTIVE && c->state != CS_OFFERED)
		return EINVAL;
	if (q && q->tenant != c->queue->tenant)
		return EPERM;
	if (a && (!engine_agent_serves(a, c->queue->tenant) ||
		  !a->cap[c->queue->ch]))
		return EPERM;
	(void)e;
	return 0;
}

int engine_contact_transfer(struct engine *e, int64_t now, uint64_t id,
			    const char *queue, const char *agent)
{
	struct contact *c;
	struct queue *q = NULL;
	struct agent *a = NULL, *from;
	int err;

	if (!queue == !agent)
		return EINVAL;
	engine_begin(e, now);
	c = engine_contact_find(e, id);
	q = queue ? engine_queue_find(e, queue) : NULL;
	a = agent ? engine_agent_find(e, agent) : NULL;
	err = (!c || (!q && !a)) ? ENOENT : transfer_check(e, c, q, a);
	if (err)
		goto out;
	withdraw_offers(e, c, NULL);
	engine_contact_unwait(c);
	from = detach_agent(e, c);
	emit_contact(e, EV_CONTACT_TRANSFERRED, c, from, q ? q->id : a->id);
	c->agent = NULL;
	c->answered = c->ended = -1;
	if (q) {
		queue_unlink(c);
		c->direct = NULL;
		timerq_remove(&c->direct_node);
		queue_enter(e, c, q, 0, false);
	} else {
		c->direct = a;
		c->direct_once = false;
		timerq_remove(&c->direct_node);
		timerq_remove(&c->step_node);
		engine_contact_set_state(
			e, c, c->callback ? CS_CALLBACK_PENDING : CS_QUEUED);
		emit_contact(e, EV_CONTACT_QUEUED, c, NULL, NULL);
		wait_in_line(e, c);
	}
	/*
	 * The freed agent first chooses among everything waiting, the moved
	 * contact included; then the contact is matched if it still waits.
	 */
	if (from)
		engine_agent_refresh(e, from);
	if (waiting(c) && c->in_tree) {
		engine_contact_unwait(c);
		engine_contact_dispatch(e, c);
	}
out:
	engine_end(e);
	return err;
}

/* ---- timers -------------------------------------------------------- */

static void step_due(struct engine *e, struct contact *c)
{
	size_t k = (size_t)c->step + 1;
	const struct step *s = &c->queue->steps[k];
	bool was_waiting = c->in_tree && !c->direct;
	int64_t ewt = s->min_ewt_ms ? engine_contact_ewt(e, c, NULL) : 0;

	if (s->min_ewt_ms && ewt >= 0 && ewt < s->min_ewt_ms) {
		c->step = (int)k; /* condition not met: skip this step */
		schedule_step(e, c);
		return;
	}
	if (c->in_tree)
		engine_contact_unwait(c);
	step_apply(e, c, k);
	emit_contact(e, EV_CONTACT_STEP, c, NULL, NULL);
	schedule_step(e, c);
	if (c->state != CS_OFFERED && s->action &&
	    take_action(e, c, s->action, s->target, 0))
		return;
	if (was_waiting || (c->direct && waiting(c)))
		engine_contact_dispatch(e, c);
}

/* The wait for the last agent is over: join the queue's line. */
static void direct_due(struct engine *e, struct contact *c)
{
	if (!c->direct)
		return;
	if (c->in_tree)
		engine_contact_unwait(c);
	c->direct = NULL;
	if (waiting(c))
		engine_contact_dispatch(e, c);
}

#define CONTAINER(ptr, type, member) \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

void engine_timer_fire(struct engine *e, struct tq_node *n, int kind)
{
	struct contact *c;

	switch (kind) {
	case TK_READY: {
		struct agent *a = CONTAINER(n, struct agent, ready_node);

		a->ready_at = 0;
		engine_agent_refresh(e, a);
		return;
	}
	case TK_STEP:
		c = CONTAINER(n, struct contact, step_node);
		if (waiting(c) || c->state == CS_OFFERED)
			step_due(e, c);
		return;
	case TK_OFFER:
		c = CONTAINER(n, struct contact, offer_node);
		if (c->state == CS_OFFERED)
			offer_timeout(e, c);
		return;
	case TK_WRAP:
		c = CONTAINER(n, struct contact, step_node);
		if (c->state == CS_WRAPUP)
			contact_complete(e, c);
		return;
	case TK_DIRECT:
		direct_due(e, CONTAINER(n, struct contact, direct_node));
		return;
	case TK_FORGET:
		forget_last_agent(e, CONTAINER(n, struct lastagent, node));
		return;
	}
}

/* ---- agents leaving, queues changing ------------------------------- */

/* Pending offers to a pausing or leaving agent go back to their lines. */
void engine_agent_withdraw_offers(struct engine *e, struct agent *a)
{
	for (uint32_t i = 0; i < a->nhold;) {
		struct contact *c = a->hold[i];

		if (c->state != CS_OFFERED) {
			i++;
			continue;
		}
		emit_contact(e, EV_OFFER_WITHDRAWN, c, a, NULL);
		engine_offer_drop(e, c, a); /* removes hold[i] */
		if (!c->noffers)
			engine_contact_back(e, c);
	}
}

static void requeue_one(struct engine *e, struct queue *q, struct contact *c);

/* Back to the queue's line, at the step its wait now falls in. */
static void release_direct(struct engine *e, struct contact *c)
{
	engine_contact_unwait(c);
	c->direct = NULL;
	timerq_remove(&c->direct_node);
	requeue_one(e, c->queue, c);
	engine_contact_dispatch(e, c);
}

/* Contacts waiting for an agent who leaves go to their queue's line. */
void engine_agent_release_direct(struct engine *e, struct agent *a)
{
	while (a->direct.first)
		release_direct(e, a->direct.first);
}

static bool fits(const struct agent *a, const struct contact *c)
{
	return a->cap[c->queue->ch] && engine_agent_serves(a, c->queue->tenant);
}

/* Collects the contacts of a tree that the agent may no longer take. */
static size_t unfit(const struct agent *a, struct contact *n,
		    struct contact **out, size_t k, size_t max)
{
	for (; n && k < max; n = n->t.r) {
		k = unfit(a, n->t.l, out, k, max);
		if (k < max && !fits(a, n))
			out[k++] = n;
	}
	return k;
}

/*
 * After an agent's tenants or capacity changed: contacts waiting for it
 * alone that it may no longer take go to their queue's line.
 */
void engine_agent_release_unfit(struct engine *e, struct agent *a)
{
	struct contact *batch[64];
	size_t n;

	while ((n = unfit(a, a->direct.root, batch, 0, 64)) > 0) {
		for (size_t i = 0; i < n; i++)
			release_direct(e, batch[i]);
	}
}

/* Re-places a contact of a queue whose steps changed (see below). */
static void requeue_one(struct engine *e, struct queue *q, struct contact *c)
{
	bool was = c->in_tree;
	size_t k = 0;

	if (was)
		engine_contact_unwait(c);
	while (k + 1 < q->nsteps &&
	       q->steps[k + 1].after_ms <= e->now - c->entered)
		k++;
	c->step_prio = 0;
	for (size_t i = 0; i < k; i++)
		c->step_prio += q->steps[i].priority_delta;
	step_apply(e, c, k);
	if (waiting(c) || c->state == CS_OFFERED)
		schedule_step(e, c);
	if (was)
		engine_tree_insert(
			e, c->direct ? &c->direct->direct : &c->pool->tree, c);
}

/*
 * After a queue's steps changed: every contact of the queue takes the step
 * its wait now falls in (keeping its arrival, hence its place) and is
 * matched again, best-scored first. O(all contacts): configuration
 * changes are rare.
 */
void engine_queue_requeue_all(struct engine *e, struct queue *q)
{
	for (size_t i = 0; q->ncontacts && i < hmap_span(&e->contacts); i++) {
		struct contact *c = hmap_at(&e->contacts, i);

		if (c && c->queue == q)
			requeue_one(e, q, c);
	}
	for (;;) {
		struct contact *best = NULL;

		for (size_t k = 0; k < q->nsteps; k++) {
			struct pool *p = q->steps[k].pool;
			struct contact *c = p->tree.first;

			if (p->nheap && c &&
			    (!best || engine_contact_better(c, best)))
				best = c;
		}
		if (!best)
			break;
		engine_contact_unwait(best);
		engine_contact_dispatch(e, best);
	}
}

void engine_info_fill(struct engine *e, const struct contact *c,
		      struct engine_contact_info *info)
{
	memset(info, 0, sizeof(*info));
	info->state = c->state;
	info->queue = c->queue->id;
	info->agent = c->agent ? c->agent->id
			       : (c->noffers ? c->offers[0]->id : NULL);
	info->step = c->step;
	info->priority = c->queue->priority + c->priority + c->step_prio;
	info->ewt_ms = engine_contact_ewt(e, c, &info->position);
	info->arrived_ms = c->arrived;
	memcpy(info->state_ms, c->state_ms, sizeof(info->state_ms));
}

int engine_contact_info(struct engine *e, int64_t now, uint64_t id,
			struct engine_contact_info *info)
{
	struct contact *c;
	int err = 0;

	engine_begin(e, now);
	c = engine_contact_find(e, id);
	if (c)
		engine_info_fill(e, c, info);
	else
		err = ENOENT;
	engine_end(e);
	return err;
}
