/*
 * sim.c — replications of a scenario against the production engine: the
 * event list, the customers' and agents' behaviour, and the tally of the
 * engine's events into interval rows (see sim.h for the model).
 *
 * One `struct run` lives for a sim_run() call; per replication it gets a
 * new engine, an empty event list and zeroed cells. A contact is a slot
 * in a table whose id carries a generation, so events about a contact
 * that has left (its patience running out after it was answered) are
 * recognised and dropped in O(1) instead of being searched for in the
 * heap.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sim_int.h"

/* ---- small helpers ---------------------------------------------------- */

static bool name_eq(const void *val, const void *key)
{
	return !strcmp(*(const char *const *)val, key);
}

static int name_put(struct hmap *m, void *val)
{
	const char *id = *(const char *const *)val;

	return hmap_put(m, hmap_hash_str(id), val);
}

static void *name_get(const struct hmap *m, const char *id)
{
	return id ? hmap_get(m, hmap_hash_str(id), name_eq, id) : NULL;
}

/* ---- distributions ------------------------------------------------- */

static void pdist_init(struct pdist *p, const struct sim_dist *d)
{
	memset(p, 0, sizeof(*p));
	p->kind = d->kind;
	p->a = d->mean_s * 1000.0;
	if (d->kind == SIM_DIST_LOGNORMAL) {
		double cv2 = (d->sd_s / d->mean_s) * (d->sd_s / d->mean_s);

		p->b = sqrt(log1p(cv2));
		p->a = log(d->mean_s * 1000.0) - p->b * p->b / 2;
	}
	p->v = d->values_s;
	p->n = d->nvalues;
}

static double normal(struct sim_rng *r)
{
	double u = sim_rng_uniform(r), v = sim_rng_uniform(r);

	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* A duration in ms; -1 for "never" (SIM_DIST_NONE). */
static inline int64_t draw(const struct pdist *p, struct sim_rng *r,
			   const struct sim_ziggurat *z)
{
	double ms;

	switch (p->kind) {
	case SIM_DIST_CONSTANT:
		ms = p->a;
		break;
	case SIM_DIST_EXPONENTIAL:
		ms = sim_rng_exp(r, z) * p->a;
		break;
	case SIM_DIST_LOGNORMAL:
		ms = exp(p->a + p->b * normal(r));
		break;
	case SIM_DIST_EMPIRICAL:
		ms = p->v[sim_rng_next(r) % p->n] * 1000.0;
		break;
	default:
		return -1;
	}
	return (int64_t)(ms + 0.5);
}

/*
 * A customer's own draws: a stream named by its number in its queue, so
 * that a draw made only when needed (patience, when the contact has to
 * wait; the callback choice, when one is proposed) is the same whatever
 * the routing, and costs nothing when not needed.
 */
static struct sim_rng customer_rng(const struct rqueue *q, uint32_t customer,
				   unsigned what)
{
	struct sim_rng g;

	sim_rng_seed(&g, q->cseed, 2 * (uint64_t)customer + what);
	return g;
}

/* ---- the event list ---------------------------------------------------- */

/* Puts ev at slot i of the heap and moves it down to its place. */
static inline void sift_down(struct run *r, size_t i, struct sev ev)
{
	size_t n = r->nheap;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && r->heap[c + 1].t < r->heap[c].t)
			c++;
		if (r->heap[c].t >= ev.t)
			break;
		r->heap[i] = r->heap[c];
		i = c;
	}
	r->heap[i] = ev;
}

/*
 * The event loop takes the root without removing it (r->hole): most events
 * schedule another one (an arrival the next arrival, an answer its end),
 * which then replaces the root with one sift instead of a pop and a push.
 */
static void heap_push(struct run *r, const struct sev *ev)
{
	size_t i;

	if (r->hole) {
		r->hole = false;
		sift_down(r, 0, *ev);
		return;
	}
	if (r->nheap == r->heapcap) {
		size_t cap = r->heapcap ? r->heapcap * 2 : 256;
		struct sev *h = realloc(r->heap, cap * sizeof(*h));

		if (!h) {
			r->oom = 1;
			return;
		}
		r->heap = h;
		r->heapcap = cap;
	}
	for (i = r->nheap++; i > 0 && r->heap[(i - 1) / 2].t > ev->t;
	     i = (i - 1) / 2)
		r->heap[i] = r->heap[(i - 1) / 2];
	r->heap[i] = *ev;
}

/* Removes the root taken by the loop if nothing replaced it. */
static void heap_fill_hole(struct run *r)
{
	if (!r->hole)
		return;
	r->hole = false;
	if (--r->nheap)
		sift_down(r, 0, r->heap[r->nheap]);
}

static inline void fifo_push(struct run *r, const struct sev *ev)
{
	if (r->fn == r->fcap) {
		size_t cap = r->fcap ? r->fcap * 2 : 64;
		struct sev *f = malloc(cap * sizeof(*f));

		if (!f) {
			r->oom = 1;
			return;
		}
		for (size_t i = 0; i < r->fn; i++)
			f[i] = r->fifo[(r->fhead + i) & (r->fcap - 1)];
		free(r->fifo);
		r->fifo = f;
		r->fcap = cap;
		r->fhead = 0;
	}
	r->fifo[(r->fhead + r->fn++) & (r->fcap - 1)] = *ev;
}

/* Something to do at t: now goes to the FIFO, later to the heap. */
static inline void schedule(struct run *r, int64_t t, enum kind k, uint64_t id,
			    uint32_t arg)
{
	struct sev ev = {t, id, k, arg};

	if (t <= r->now)
		fifo_push(r, &ev);
	else
		heap_push(r, &ev);
}

/* ---- contacts -------------------------------------------------------- */

static inline struct rcontact *slot_of(struct run *r, uint64_t id)
{
	uint32_t i = (uint32_t)id;

	return i < r->nc && r->c[i].id == id ? &r->c[i] : NULL;
}

static uint64_t slot_new(struct run *r)
{
	struct rcontact *c;
	uint32_t i;

	if (r->free_slot != UINT32_MAX) {
		i = r->free_slot;
		r->free_slot = r->c[i].next_free;
	} else {
		if (r->nc == r->ccap) {
			size_t cap = r->ccap ? r->ccap * 2 : 1024;
			struct rcontact *v = realloc(r->c, cap * sizeof(*v));

			if (!v || cap > UINT32_MAX)
				return 0;
			r->c = v;
			r->ccap = cap;
		}
		i = (uint32_t)r->nc++;
		r->c[i].id = (uint64_t)i; /* generation 0: never handed out */
	}
	c = &r->c[i];
	c->id += 1ULL << 32;
	c->state = C_WAITING;
	return c->id;
}

static void slot_free(struct run *r, struct rcontact *c)
{
	uint32_t i = (uint32_t)(c - r->c);

	c->id += 1ULL << 32; /* stale from now on */
	c->next_free = r->free_slot;
	r->free_slot = i;
	r->live--;
}

/* ---- lookups of the engine's names ---------------------------------- */

static inline void *cached(struct pcache *cache, const struct hmap *names,
			   const char *id)
{
	struct pcache *slot;

	if (!id)
		return NULL;
	slot = &cache[((uintptr_t)id >> 4) % PCACHE];
	if (slot->key != id) {
		slot->val = name_get(names, id);
		slot->key = slot->val ? id : NULL;
	}
	return slot->val;
}

static inline const struct rqueue *queue_of(struct run *r, const char *id)
{
	return cached(r->qcache, &r->qnames, id);
}

static inline struct ragent *agent_of(struct run *r, const char *id)
{
	return cached(r->acache, &r->anames, id);
}

/* ---- tally ------------------------------------------------------------ */

/* Times come nearly in order: the last interval is remembered. */
static inline size_t interval_of(struct run *r, int64_t t)
{
	int64_t iv = r->sc->interval_ms;

	if (t >= r->kfrom && t < r->kto)
		return r->k;
	r->k = (size_t)(t / iv);
	if (r->k >= r->nint)
		r->k = r->nint - 1;
	r->kfrom = (int64_t)r->k * iv;
	r->kto = r->k + 1 < r->nint ? r->kfrom + iv : INT64_MAX;
	return r->k;
}

/* Agent time in state st over [from, to), spread over the intervals. */
static inline void agent_span(struct run *r, size_t site, enum agent_state st,
			      int64_t from, int64_t to)
{
	int64_t iv = r->sc->interval_ms;

	if (st == AS_OFFLINE)
		return;
	if (from < r->sc->warmup_ms)
		from = r->sc->warmup_ms;
	if (to > r->end)
		to = r->end;
	while (from < to) {
		size_t k = interval_of(r, from);
		int64_t stop = (int64_t)(k + 1) * iv;

		if (stop > to)
			stop = to;
		metrics_agent_time(&r->cells[k * r->ncols + r->nq + site].m, st,
				   stop - from);
		from = stop;
	}
}

static inline void tally(struct run *r, const struct engine_event *ev,
			 const struct rqueue *q, bool at_once)
{
	struct cell *row;
	struct ragent *a;

	if (ev->time < r->sc->warmup_ms || !q)
		return;
	row = &r->cells[interval_of(r, ev->time) * r->ncols];
	metrics_on_event(&row[q - r->q].m, ev->type, ev->entered, ev->wait_ms,
			 ev->talk_ms, ev->wrap_ms, q->sl_ms);
	row[q - r->q].at_once += at_once;
	if (ev->agent && (a = agent_of(r, ev->agent))) {
		struct cell *s = &row[r->nq + a->site];

		metrics_on_event(&s->m, ev->type, ev->entered, ev->wait_ms,
				 ev->talk_ms, ev->wrap_ms, q->sl_ms);
		s->at_once += at_once;
	}
}

/* ---- the engine's events: what customers and agents do next --------- */

static void on_agent_state(struct run *r, const struct engine_event *ev)
{
	struct ragent *a = agent_of(r, ev->agent);

	if (!a)
		return;
	agent_span(r, a->site, ev->prev_state, ev->time - ev->prev_state_ms,
		   ev->time);
	a->state = ev->agent_state;
	a->since = ev->time;
}

static void on_offered(struct run *r, const struct engine_event *ev,
		       const struct rqueue *q, struct rcontact *c)
{
	struct ragent *a = agent_of(r, ev->agent);
	int64_t ring;

	if (!a || !q)
		return;
	/* (an offer event carries no wait: compare with the entry) */
	if (c && ev->contact == r->entering)
		c->state |= C_AT_ONCE;
	ring = draw(&q->ring, &r->rng, &r->zig);
	schedule(r, ev->time + (ring > 0 ? ring : 0), K_ACCEPT, ev->contact,
		 (uint32_t)(a - r->a));
}

static void on_accepted(struct run *r, const struct engine_event *ev,
			const struct rqueue *q, struct rcontact *c)
{
	bool at_once = c && (c->state & C_AT_ONCE);
	int64_t talk = 0;

	/* the customer's own talk time in its first queue; else a new one */
	if (c && c->talk_ms >= 0 && q == &r->q[c->queue])
		talk = c->talk_ms;
	else if (q)
		talk = draw(&q->handle, &r->rng, &r->zig);
	if (c) {
		c->state = C_ANSWERED;
		c->talk_ms = -1;
	}
	tally(r, ev, q, at_once);
	schedule(r, ev->time + (talk > 0 ? talk : 0), K_END, ev->contact, 0);
}

static void on_leave(struct run *r, const struct engine_event *ev,
		     struct rcontact *c)
{
	struct ragent *a = agent_of(r, ev->agent);

	if (c)
		slot_free(r, c);
	if (a && a->leaving)
		schedule(r, ev->time, K_LOGOUT, (uint64_t)(a - r->a), 1);
}

/* Whether the customer takes the callback proposed in queue q. */
static bool callback_taken(struct run *r, const struct rqueue *q,
			   const struct rcontact *c)
{
	struct sim_rng g;

	if (!c)
		return sim_rng_uniform(&r->rng) < q->in->callback_take_up;
	g = customer_rng(&r->q[c->queue], c->customer, 1);
	return sim_rng_uniform(&g) < q->in->callback_take_up;
}

static void on_event(void *arg, const struct engine_event *ev)
{
	struct run *r = arg;
	const struct rqueue *q;
	struct rcontact *c;
	bool counted;

	r->events++;
	if (r->observer)
		r->observer(r->opt->arg, ev);
	if (ev->type == EV_AGENT_STATE) {
		on_agent_state(r, ev);
		return;
	}
	if (ev->type == EV_CONTACT_ENDED && !r->manual)
		return;
	q = queue_of(r, ev->queue);
	c = slot_of(r, ev->contact);
	switch (ev->type) {
	case EV_CONTACT_QUEUED:
		if (c && !ev->entered)
			c->state &= ~C_AT_ONCE;
		if (ev->entered)
			r->entering = ev->contact;
		tally(r, ev, q, false);
		break;
	case EV_CONTACT_OFFERED:
		on_offered(r, ev, q, c);
		break;
	case EV_CONTACT_ACCEPTED:
		on_accepted(r, ev, q, c);
		break;
	case EV_CONTACT_ENDED:
		if (q && q->manual) {
			int64_t w = draw(&q->wrapup, &r->rng, &r->zig);

			schedule(r, ev->time + (w >= 0 ? w : q->wrapup_ms),
				 K_WRAPDONE, ev->contact, 0);
		}
		break;
	case EV_CONTACT_COMPLETED:
	case EV_CONTACT_ABANDONED:
		tally(r, ev, q, false);
		on_leave(r, ev, c);
		break;
	case EV_CONTACT_TRANSFERRED:
		tally(r, ev, q, false);
		on_leave(r, ev, NULL);
		break;
	case EV_CONTACT_VOICEMAIL:
	case EV_CONTACT_CLOSED:
		counted = ev->time >= r->sc->warmup_ms;
		r->voicemail += counted && ev->type == EV_CONTACT_VOICEMAIL;
		r->closed += counted && ev->type == EV_CONTACT_CLOSED;
		if (c)
			slot_free(r, c);
		break;
	case EV_CONTACT_CALLBACK:
		r->callbacks += ev->time >= r->sc->warmup_ms;
		if (c && (c->state & 0xff) == C_WAITING)
			c->state = C_CALLBACK | (c->state & C_AT_ONCE);
		break;
	case EV_CALLBACK_OFFER:
		if (q && callback_taken(r, q, c))
			schedule(r, ev->time, K_CALLBACK, ev->contact, 0);
		break;
	default:
		break;
	}
}

/* ---- arrivals ---------------------------------------------------------- */

/* A queue's customers' stream, named by its id (FNV-1a), kept far from
 * the small numbers of the other streams. */
static uint64_t stream_of(const char *id)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 0x100000001b3ULL;
	return h | 1ULL << 63;
}

/*
 * The next arrival of a Poisson process whose rate is constant within
 * each interval: one exponential amount of "work" spent across the
 * intervals at their rates (exact, and no thinning).
 */
static void next_arrival(struct run *r, size_t qi)
{
	struct rqueue *q = &r->q[qi];
	double work, t = q->clock;
	double iv = (double)r->sc->interval_ms;

	if (q->in->ntrace) {
		if (q->k < q->in->ntrace)
			schedule(r, q->in->trace[q->k].at_ms, K_ARRIVAL, qi, 0);
		return;
	}
	work = sim_rng_exp(&q->rng, &r->zig);

	for (; q->k < r->nint; q->k++) {
		double stop = (double)(q->k + 1) * iv, rate = q->rate[q->k];
		double gap = work * q->gap[q->k];

		if (rate > 0 && t + gap < stop) {
			q->clock = t + gap;
			schedule(r, (int64_t)q->clock, K_ARRIVAL, qi, 0);
			return;
		}
		work -= (stop - t) * rate;
		t = stop;
	}
}

/*
 * A customer arrives. Its arrival time and talk time come from its
 * queue's stream, in the same order whatever happens to it; its patience
 * from its own (customer_rng), and only if it has to wait.
 */
static void arrive(struct run *r, size_t qi)
{
	struct rqueue *q = &r->q[qi];
	const struct sim_arrival *tr =
		q->in->ntrace ? &q->in->trace[q->k++] : NULL;
	struct engine_contact in = {.queue = q->id};
	struct rcontact *c;
	struct sim_rng g;
	int64_t patience, talk;

	next_arrival(r, qi);
	talk = draw(&q->handle, &q->rng, &r->zig);
	if (tr && tr->talk_ms >= 0)
		talk = tr->talk_ms;
	in.id = slot_new(r);
	if (!in.id) {
		r->oom = 1;
		return;
	}
	c = slot_of(r, in.id);
	c->talk_ms = talk > 0 ? talk : 0;
	c->queue = (uint32_t)qi;
	c->customer = q->customers++;
	r->live++;
	if (engine_contact_add(r->e, r->now, &in, NULL)) {
		r->errors++;
		slot_free(r, c);
		return;
	}
	c = slot_of(r, in.id);
	/* offered at once and accepted without ringing: it cannot leave */
	if (!c || ((c->state & C_AT_ONCE) && q->ring.kind == SIM_DIST_NONE))
		return;
	if (tr && tr->patience_ms >= 0) {
		patience = tr->patience_ms;
	} else {
		g = customer_rng(q, c->customer, 0);
		patience = draw(&q->patience, &g, &r->zig);
		if (tr && patience >= 0)
			patience += tr->waited_ms;
	}
	if (patience >= 0)
		schedule(r, r->now + patience, K_ABANDON, in.id, 0);
}

/* ---- agents' shifts ------------------------------------------------- */

static void agent_set_state(struct run *r, struct ragent *a,
			    enum agent_state st, const char *reason)
{
	int rc = engine_agent_state(r->e, r->now, a->id, st, reason);

	if (rc == EBUSY && st == AS_OFFLINE) {
		/* still handling: no new work, then log out when done */
		a->leaving = true;
		rc = engine_agent_state(r->e, r->now, a->id, AS_PAUSED,
					"shift-end");
	} else if (st == AS_OFFLINE && !rc) {
		a->leaving = false;
	}
	if (rc)
		r->errors++;
}

static void plan_shifts(struct run *r)
{
	for (size_t i = 0; i < r->na; i++) {
		const struct sim_shift *s = r->a[i].shift;

		if (!s) {
			schedule(r, 0, K_LOGIN, i, 0);
			continue;
		}
		schedule(r, s->start_ms, K_LOGIN, i, 0);
		for (size_t b = 0; b < s->nbreaks; b++) {
			schedule(r, s->breaks[b].start_ms, K_BREAK, i, 0);
			schedule(r, s->breaks[b].end_ms, K_RESUME, i, 0);
		}
		schedule(r, s->end_ms, K_LOGOUT, i, 0);
	}
}

/* ---- one event ---------------------------------------------------------- */

static void contact_cmd(struct run *r, const struct sev *ev)
{
	struct rcontact *c = slot_of(r, ev->id);
	int rc = 0;

	switch (ev->kind) {
	case K_ACCEPT:
		/* the offer may have been withdrawn or the customer gone */
		if (c)
			(void)engine_contact_accept(r->e, r->now, ev->id,
						    r->a[ev->arg].id);
		return;
	case K_END:
		rc = engine_contact_end(r->e, r->now, ev->id);
		break;
	case K_WRAPDONE:
		rc = engine_contact_wrapup_done(r->e, r->now, ev->id);
		break;
	case K_ABANDON:
		if (c && (c->state & 0xff) == C_WAITING)
			rc = engine_contact_abandon(r->e, r->now, ev->id);
		break;
	case K_CALLBACK:
		/* EINVAL when it is being offered right now: no matter */
		if (c && (c->state & 0xff) == C_WAITING)
			(void)engine_contact_callback(r->e, r->now, ev->id);
		return;
	}
	if (rc && rc != ENOENT)
		r->errors++;
}

static void run_event(struct run *r, const struct sev *ev)
{
	struct ragent *a;

	if (ev->kind < K_LOGIN) {
		if (ev->kind == K_ARRIVAL)
			arrive(r, ev->id);
		else
			contact_cmd(r, ev);
		return;
	}
	a = &r->a[ev->id];
	switch (ev->kind) {
	case K_LOGIN:
	case K_RESUME:
		if (!a->leaving)
			agent_set_state(r, a, AS_AVAILABLE, NULL);
		return;
	case K_BREAK:
		if (!a->leaving)
			agent_set_state(r, a, AS_PAUSED, "break");
		return;
	default: /* K_LOGOUT */
		if (ev->arg == 0 || a->leaving)
			agent_set_state(r, a, AS_OFFLINE, NULL);
	}
}

/* ---- configuring an engine ----------------------------------------------- */

static int setup_queues(struct run *r, struct sim_error *err)
{
	const struct sim_scenario *sc = r->sc;
	bool *done = calloc(sc->nqueues ? sc->nqueues : 1, sizeof(*done));
	size_t left = sc->nqueues, progress = 1;
	struct engine_error ee;
	int rc = 0;

	if (!done)
		return ENOMEM;
	/* transfer targets must exist first: retry until nothing moves */
	while (left && progress) {
		progress = 0;
		for (size_t i = 0; i < sc->nqueues; i++) {
			if (done[i])
				continue;
			ee.msg[0] = '\0';
			rc = engine_queue_set(r->e, 0, &sc->queues[i].queue,
					      &ee);
			if (!rc) {
				done[i] = true;
				left--;
				progress++;
			}
		}
	}
	for (size_t i = 0; left && i < sc->nqueues; i++) {
		if (done[i])
			continue;
		ee.msg[0] = '\0';
		rc = engine_queue_set(r->e, 0, &sc->queues[i].queue, &ee);
		rc = sim_fail(err, rc == ENOMEM ? ENOMEM : EINVAL,
			      "queues[%zu]: %s", i,
			      ee.msg[0] ? ee.msg : strerror(rc));
		break;
	}
	free(done);
	return left ? rc : 0;
}

static int setup_agents(struct run *r, struct sim_error *err)
{
	for (size_t i = 0; i < r->na; i++) {
		struct engine_agent ea = r->a[i].group->agent;
		int rc;

		ea.id = r->a[i].id;
		rc = engine_agent_set(r->e, &ea);
		if (rc)
			return sim_fail(err, rc == ENOMEM ? ENOMEM : EINVAL,
					"agents[%zu]: %s",
					(size_t)(r->a[i].group - r->sc->agents),
					rc == ENOENT ? "unknown site or tenant"
						     : "invalid agent");
	}
	return 0;
}

static int setup_engine(struct run *r, uint64_t seed, struct sim_error *err)
{
	const struct sim_scenario *sc = r->sc;
	struct engine_config cfg;
	struct engine_error ee = {{0}};
	int rc;

	if (sc->engine)
		cfg = *sc->engine;
	else
		engine_config_default(&cfg);
	cfg.seed = seed;
	rc = engine_new(&r->e, &cfg, on_event, r);
	if (rc)
		return sim_fail(err, rc, "engine: %s",
				rc == EINVAL ? "invalid engine settings"
					     : strerror(rc));
	engine_set_wallclock(r->e, 0, sc->wall_ms);
	for (size_t i = 0; i < sc->ntenants; i++) {
		rc = engine_tenant_add(r->e, sc->tenants[i]);
		if (rc)
			return sim_fail(err, rc == ENOMEM ? ENOMEM : EINVAL,
					"tenants[%zu]: %s", i,
					rc == EEXIST ? "listed twice"
						     : "invalid tenant id");
	}
	for (size_t i = 0; i < sc->nsites; i++) {
		rc = engine_site_set(r->e, &sc->sites[i]);
		if (rc)
			return sim_fail(err, rc == ENOMEM ? ENOMEM : EINVAL,
					"sites[%zu]: invalid site", i);
	}
	if (sc->setup && (rc = sc->setup(sc->setup_arg, r->e, &ee)))
		return sim_fail(err, rc == ENOMEM ? ENOMEM : EINVAL, "%s",
				ee.msg[0] ? ee.msg : strerror(rc));
	rc = setup_queues(r, err);
	return rc ? rc : setup_agents(r, err);
}

/* ---- the run ------------------------------------------------------------ */

static unsigned group_size(const struct sim_agent *a)
{
	unsigned n = 0;

	if (!a->nshifts)
		return a->count ? a->count : 1;
	for (size_t j = 0; j < a->nshifts; j++)
		n += a->shifts[j].count;
	return n;
}

static int add_agent(struct run *r, const struct sim_agent *g, size_t gi,
		     const struct sim_shift *s, unsigned k, unsigned n,
		     struct sim_error *err)
{
	struct ragent *a = &r->a[r->na];
	char buf[160];

	snprintf(buf, sizeof(buf), n > 1 ? "%.140s-%u" : "%.140s", g->agent.id,
		 k);
	a->id = strdup(buf);
	if (!a->id)
		return ENOMEM;
	a->group = g;
	a->shift = s;
	a->site = sim_site_index(r->sc, g->agent.site);
	if (name_get(&r->anames, a->id)) {
		int rc = sim_fail(err, EINVAL,
				  "agents[%zu].id: \"%s\" is already an agent",
				  gi, a->id);

		free(a->id);
		return rc;
	}
	r->na++;
	return name_put(&r->anames, a) ? ENOMEM : 0;
}

/* Names every agent of every group, with its shift. */
static int expand_agents(struct run *r, struct sim_error *err)
{
	const struct sim_scenario *sc = r->sc;
	size_t total = 0;

	for (size_t i = 0; i < sc->nagents; i++)
		total += group_size(&sc->agents[i]);
	r->a = calloc(total ? total : 1, sizeof(*r->a));
	if (!r->a)
		return ENOMEM;
	for (size_t i = 0; i < sc->nagents; i++) {
		const struct sim_agent *g = &sc->agents[i];
		unsigned n = group_size(g), k = 0;
		int rc = 0;

		if (!g->nshifts) {
			while (!rc && k < n)
				rc = add_agent(r, g, i, NULL, ++k, n, err);
		}
		for (size_t j = 0; !rc && j < g->nshifts; j++) {
			for (unsigned c = 0; !rc && c < g->shifts[j].count; c++)
				rc = add_agent(r, g, i, &g->shifts[j], ++k, n,
					       err);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int prepare(struct run *r, struct sim_error *err)
{
	const struct sim_scenario *sc = r->sc;
	double iv = (double)sc->interval_ms;

	r->nint = (size_t)(sc->duration_ms / sc->interval_ms);
	r->nq = sc->nqueues;
	r->ns = sc->nsites;
	r->ncols = r->nq + r->ns;
	r->ngroups = 1 + r->nq + r->ns + sc->ntenants;
	r->end = sc->duration_ms;
	r->stop_at = sc->duration_ms + sc->drain_ms;
	r->free_slot = UINT32_MAX;
	sim_ziggurat_init(&r->zig);
	r->q = calloc(r->nq, sizeof(*r->q));
	r->s = calloc(r->ns ? r->ns : 1, sizeof(*r->s));
	if (!r->q || !r->s)
		return ENOMEM;
	for (size_t i = 0; i < r->nq; i++) {
		struct rqueue *q = &r->q[i];
		const struct sim_queue *in = &sc->queues[i];

		q->in = in;
		q->id = in->queue.id;
		q->tenant = sim_index_of(sc->tenants, sc->ntenants,
					 in->queue.tenant);
		q->sl_ms = in->queue.sl_threshold_ms;
		q->wrapup_ms = in->queue.wrapup_ms;
		q->manual = in->queue.wrapup == WRAPUP_MANUAL;
		r->manual |= q->manual;
		pdist_init(&q->handle, &in->handle);
		pdist_init(&q->patience, &in->patience);
		pdist_init(&q->ring, &in->ring);
		pdist_init(&q->wrapup, &in->wrapup);
		q->stream = stream_of(q->id);
		q->rate = calloc(r->nint, sizeof(*q->rate));
		q->gap = calloc(r->nint, sizeof(*q->gap));
		if (!q->rate || !q->gap || name_put(&r->qnames, q))
			return ENOMEM;
		for (size_t k = 0; !in->ntrace && k < r->nint; k++) {
			q->rate[k] =
				in->arrivals[in->narrivals == 1 ? 0 : k] / iv;
			q->gap[k] = q->rate[k] > 0 ? 1 / q->rate[k] : 0;
		}
	}
	for (size_t i = 0; i < r->ns; i++) {
		r->s[i].id = sc->sites[i].id;
		r->s[i].cost_per_ms = (double)sc->sites[i].cost_per_hour_cents /
				      100.0 / 3600000.0;
	}
	r->cells = calloc(r->nint * r->ncols, sizeof(*r->cells));
	r->acc =
		calloc((r->nint + 1) * r->ngroups * SIM_M_MAX, sizeof(*r->acc));
	if (!r->cells || !r->acc)
		return ENOMEM;
	return expand_agents(r, err);
}

static void run_free(struct run *r)
{
	engine_free(r->e);
	for (size_t i = 0; r->q && i < r->nq; i++) {
		free(r->q[i].rate);
		free(r->q[i].gap);
	}
	for (size_t i = 0; r->a && i < r->na; i++)
		free(r->a[i].id);
	hmap_reset(&r->qnames);
	hmap_reset(&r->anames);
	free(r->q);
	free(r->a);
	free(r->s);
	free(r->heap);
	free(r->fifo);
	free(r->c);
	free(r->cells);
	free(r->acc);
}

/* ---- one replication -------------------------------------------------------
 */

static void close_spans(struct run *r)
{
	for (size_t i = 0; i < r->na; i++)
		agent_span(r, r->a[i].site, r->a[i].state, r->a[i].since,
			   r->end);
}

static void rep_reset(struct run *r)
{
	engine_free(r->e);
	r->e = NULL;
	r->now = 0;
	r->nheap = r->fn = r->fhead = 0;
	r->hole = false;
	r->kfrom = r->kto = 0;
	r->nc = 0;
	r->free_slot = UINT32_MAX;
	r->live = 0;
	memset(r->qcache, 0, sizeof(r->qcache));
	memset(r->acache, 0, sizeof(r->acache));
	memset(r->cells, 0, r->nint * r->ncols * sizeof(*r->cells));
	for (size_t i = 0; i < r->na; i++) {
		r->a[i].state = AS_OFFLINE;
		r->a[i].since = 0;
		r->a[i].leaving = false;
	}
	for (size_t i = 0; i < r->nq; i++) {
		r->q[i].clock = 0;
		r->q[i].k = 0;
	}
}

static bool finished(const struct run *r, int64_t t)
{
	return t > r->stop_at || (t >= r->end && r->live == 0);
}

static void run_loop(struct run *r, unsigned rep)
{
	uint64_t n = 0;

	while (!r->oom) {
		int64_t tn, th;

		r->entering = 0;
		if (r->fn) {
			struct sev ev = r->fifo[r->fhead];

			r->fhead = (r->fhead + 1) & (r->fcap - 1);
			r->fn--;
			run_event(r, &ev);
			continue;
		}
		heap_fill_hole(r);
		tn = engine_next_timer(r->e);
		th = r->nheap ? r->heap[0].t : INT64_MAX;
		if (finished(r, tn < th ? tn : th))
			break;
		if (tn <= th) {
			r->now = tn;
			engine_advance(r->e, tn);
			continue;
		}
		struct sev ev = r->heap[0];

		r->hole = true;
		r->now = ev.t;
		run_event(r, &ev);
		if (r->opt->progress && !(++n & 0x3ffff))
			r->opt->progress(r->opt->arg, rep, r->opt->reps,
					 (double)r->now / (double)r->stop_at);
	}
}

static int run_rep(struct run *r, unsigned rep, struct sim_error *err)
{
	struct sim_rng seeder;
	int rc;

	rep_reset(r);
	rep += r->opt->first_rep;
	sim_rng_seed(&seeder, r->opt->seed, 2 * (uint64_t)rep + 1);
	sim_rng_seed(&r->rng, r->opt->seed, 2 * (uint64_t)rep + 2);
	for (size_t i = 0; i < r->nq; i++) {
		struct rqueue *q = &r->q[i];

		sim_rng_seed(&q->rng, r->opt->seed,
			     q->stream + 0x9e3779b97f4a7c15ULL * rep);
		q->cseed = sim_rng_next(&q->rng);
		q->customers = 0;
	}
	rc = setup_engine(r, sim_rng_next(&seeder), err);
	if (rc)
		return rc;
	plan_shifts(r);
	for (size_t i = 0; i < r->nq; i++)
		next_arrival(r, i);
	run_loop(r, rep);
	if (r->oom)
		return sim_fail(err, ENOMEM, "out of memory");
	close_spans(r);
	r->unresolved += r->live;
	sim_fold(r);
	return r->oom ? sim_fail(err, ENOMEM, "out of memory") : 0;
}

/* ---- the interface ------------------------------------------------------ */

int sim_check(const struct sim_scenario *sc, struct sim_error *err)
{
	struct sim_options opt = {.reps = 1};
	struct run r = {.sc = sc, .opt = &opt};
	int rc = sim_check_numbers(sc, err);

	if (rc)
		return rc;
	rc = prepare(&r, err);
	if (!rc)
		rc = setup_engine(&r, 1, err);
	if (rc == ENOMEM)
		sim_fail(err, ENOMEM, "out of memory");
	run_free(&r);
	return rc;
}

int sim_run(const struct sim_scenario *sc, const struct sim_options *opt,
	    struct sim_result *res, struct sim_error *err)
{
	struct run r = {.sc = sc, .opt = opt, .observer = opt->observer};
	int rc;

	memset(res, 0, sizeof(*res));
	if (!opt->reps)
		return sim_fail(err, EINVAL, "reps: expected at least 1");
	rc = sim_check(sc, err);
	if (!rc)
		rc = prepare(&r, err);
	for (unsigned i = 0; !rc && i < opt->reps; i++) {
		rc = run_rep(&r, i, err);
		if (!rc && opt->progress)
			opt->progress(opt->arg, i + 1, opt->reps, 1.0);
	}
	if (!rc) {
		res->rows =
			calloc((r.nint + 1) * r.ngroups, sizeof(*res->rows));
		if (!res->rows)
			rc = sim_fail(err, ENOMEM, "out of memory");
	}
	if (!rc) {
		res->reps = opt->reps;
		res->nintervals = r.nint;
		res->nqueues = r.nq;
		res->nsites = r.ns;
		res->ntenants = sc->ntenants;
		res->interval_ms = sc->interval_ms;
		res->warmup_ms = sc->warmup_ms;
		sim_results(&r, res);
	}
	run_free(&r);
	return rc;
}

/* ---- M/M/n(+M) ------------------------------------------------------------
 */

int sim_mmn_run(const struct sim_mmn *in, const struct sim_options *opt,
		struct sim_result *res, struct sim_error *err)
{
	static const char *const tenants[] = {"mmn"};
	static const struct engine_site site = {"site", SITE_ONSHORE, NULL, 0};
	static const char *const agent_tenants[] = {"mmn"};
	struct engine_step step = {0};
	double lambda, calls_per_rep, warmup_s, arrivals;
	struct sim_agent agents = {0};
	struct sim_queue queue = {0};
	struct sim_scenario sc = {0};
	struct engine_config cfg;

	if (!(in->agents >= 1 && in->agents <= 100000))
		return sim_fail(err, EINVAL, "agents: expected 1 to 100000");
	if (!(in->calls >= 0 && in->interval_s > 0 && in->aht_s > 0 &&
	      in->patience_s >= 0 && in->threshold_s >= 0))
		return sim_fail(err, EINVAL,
				"calls, interval, handle time, patience and "
				"threshold must be positive numbers");
	lambda = in->calls / in->interval_s;
	if (!(lambda > 0))
		return sim_fail(err, EINVAL, "calls: expected a number > 0");
	calls_per_rep = in->calls_per_rep > 0 ? in->calls_per_rep : 100000;
	warmup_s = in->warmup_s > 0 ? in->warmup_s : 20 * in->aht_s;
	sc.warmup_ms = (int64_t)ceil(warmup_s * 1000);
	sc.duration_ms =
		sc.warmup_ms + (int64_t)ceil(calls_per_rep / lambda * 1000);
	sc.interval_ms = sc.duration_ms;
	arrivals = lambda * (double)sc.duration_ms / 1000.0;

	agents.agent.id = "agent";
	agents.agent.site = "site";
	agents.agent.tenants = (const char **)agent_tenants;
	agents.agent.ntenants = 1;
	agents.agent.capacity[CH_VOICE] = 1;
	agents.count = in->agents;

	queue.queue.id = "queue";
	queue.queue.tenant = "mmn";
	queue.queue.channel = CH_VOICE;
	queue.queue.sl_threshold_ms = (int64_t)llround(in->threshold_s * 1000);
	queue.queue.wrapup = WRAPUP_NONE;
	queue.queue.aht_ms = (int64_t)llround(in->aht_s * 1000);
	queue.queue.steps = &step;
	queue.queue.nsteps = 1;
	queue.arrivals = &arrivals;
	queue.narrivals = 1;
	queue.handle.kind = SIM_DIST_EXPONENTIAL;
	queue.handle.mean_s = in->aht_s;
	if (in->patience_s > 0) {
		queue.patience.kind = SIM_DIST_EXPONENTIAL;
		queue.patience.mean_s = in->patience_s;
	}

	sc.tenants = tenants;
	sc.ntenants = 1;
	sc.sites = &site;
	sc.nsites = 1;
	sc.agents = &agents;
	sc.nagents = 1;
	sc.queues = &queue;
	sc.nqueues = 1;
	engine_config_default(&cfg);
	cfg.offer_timeout_ms = 86400000;
	sc.engine = &cfg;
	return sim_run(&sc, opt, res, err);
}
