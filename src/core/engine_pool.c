/*
 * engine_pool.c — pools, agent heaps, contact trees, matching and offers.
 *
 * A pool holds the agents that pass one filter for one tenant, channel and
 * strategy. Its free agents sit in a binary min-heap ordered by the
 * strategy's key; its waiting contacts in a treap ordered by score, with
 * subtree sizes for positions in line. The invariant that makes matching
 * cheap: a pool never holds a free agent and a waiting contact at once.
 * Whoever arrives second is matched immediately:
 *   - engine_contact_dispatch(): a contact enters a pool → its best free agent,
 *     or the contact waits in the tree;
 *   - engine_agent_refresh(): an agent gains capacity → it takes the best head
 *     among its pools while it can, then is re-keyed into the heaps of the
 *     pools it can still serve.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine_int.h"

/* ---- contact trees (treaps) ---------------------------------------- */

/* Higher score first; equal scores in arrival order. */
bool engine_contact_better(const struct contact *a, const struct contact *b)
{
	if (a->key != b->key)
		return a->key > b->key;
	return a->seq < b->seq;
}

static uint32_t tsize(const struct contact *n)
{
	return n ? n->t.size : 0;
}

static void tfix(struct contact *n)
{
	n->t.size = 1 + tsize(n->t.l) + tsize(n->t.r);
}

static struct contact *rot_right(struct contact *n)
{
	struct contact *l = n->t.l;

	n->t.l = l->t.r;
	l->t.r = n;
	tfix(n);
	tfix(l);
	return l;
}

static struct contact *rot_left(struct contact *n)
{
	struct contact *r = n->t.r;

	n->t.r = r->t.l;
	r->t.l = n;
	tfix(n);
	tfix(r);
	return r;
}

static struct contact *tinsert(struct contact *n, struct contact *c)
{
	if (!n)
		return c;
	if (engine_contact_better(c, n)) {
		n->t.l = tinsert(n->t.l, c);
		n->t.size++;
		if (n->t.l->t.prio > n->t.prio)
			n = rot_right(n);
	} else {
		n->t.r = tinsert(n->t.r, c);
		n->t.size++;
		if (n->t.r->t.prio > n->t.prio)
			n = rot_left(n);
	}
	return n;
}

static struct contact *tmerge(struct contact *a, struct contact *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (a->t.prio > b->t.prio) {
		a->t.r = tmerge(a->t.r, b);
		tfix(a);
		return a;
	}
	b->t.l = tmerge(a, b->t.l);
	tfix(b);
	return b;
}

static struct contact *tdelete(struct contact *n, struct contact *c)
{
	if (n == c)
		return tmerge(n->t.l, n->t.r);
	if (engine_contact_better(c, n))
		n->t.l = tdelete(n->t.l, c);
	else
		n->t.r = tdelete(n->t.r, c);
	n->t.size--;
	return n;
}

static struct contact *leftmost(struct contact *n)
{
	while (n && n->t.l)
		n = n->t.l;
	return n;
}

void engine_tree_insert(struct engine *e, struct tree *t, struct contact *c)
{
	c->t.l = c->t.r = NULL;
	c->t.size = 1;
	c->t.prio = (uint32_t)engine_rand(e);
	t->root = tinsert(t->root, c);
	if (!t->first || engine_contact_better(c, t->first))
		t->first = c;
	t->len++;
	c->in_tree = true;
}

void engine_tree_remove(struct tree *t, struct contact *c)
{
	t->root = tdelete(t->root, c);
	if (t->first == c)
		t->first = leftmost(t->root);
	t->len--;
	c->in_tree = false;
}

/* 1-based place of c in line: how many contacts come before it, plus 1. */
uint32_t engine_tree_rank(const struct tree *t, const struct contact *c)
{
	const struct contact *n = t->root;
	uint32_t r = 1;

	while (n && n != c) {
		if (engine_contact_better(c, n)) {
			n = n->t.l;
		} else {
			r += tsize(n->t.l) + 1;
			n = n->t.r;
		}
	}
	return r + tsize(n ? n->t.l : NULL);
}

/* Takes a waiting contact out of whichever tree holds it. */
void engine_contact_unwait(struct contact *c)
{
	if (!c->in_tree)
		return;
	engine_tree_remove(c->direct ? &c->direct->direct : &c->pool->tree, c);
}

/* ---- agent heaps --------------------------------------------------- */

static bool mless(const struct member *a, const struct member *b)
{
	if (a->k1 != b->k1)
		return a->k1 < b->k1;
	if (a->k2 != b->k2)
		return a->k2 < b->k2;
	return a->agent->seq < b->agent->seq;
}

static void hset(struct pool *p, size_t i, struct member *m)
{
	p->heap[i] = m;
	m->heap_idx = (uint32_t)i;
}

static void sift_up(struct pool *p, size_t i)
{
	struct member *m = p->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!mless(m, p->heap[parent]))
			break;
		hset(p, i, p->heap[parent]);
		i = parent;
	}
	hset(p, i, m);
}

static void sift_down(struct pool *p, size_t i)
{
	struct member *m = p->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= p->nheap)
			break;
		if (c + 1 < p->nheap && mless(p->heap[c + 1], p->heap[c]))
			c++;
		if (!mless(p->heap[c], m))
			break;
		hset(p, i, p->heap[c]);
		i = c;
	}
	hset(p, i, m);
}

static int heap_insert(struct pool *p, struct member *m)
{
	if (p->nheap == p->heap_cap) {
		size_t cap = p->heap_cap ? p->heap_cap * 2 : 8;
		struct member **h = realloc(p->heap, cap * sizeof(*h));

		if (!h)
			return ENOMEM;
		p->heap = h;
		p->heap_cap = cap;
	}
	hset(p, p->nheap++, m);
	sift_up(p, m->heap_idx);
	return 0;
}

static void heap_remove(struct pool *p, struct member *m)
{
	size_t i = m->heap_idx;
	struct member *last = p->heap[--p->nheap];

	m->heap_idx = NOT_IN_HEAP;
	if (last == m)
		return;
	hset(p, i, last);
	sift_down(p, i);
	sift_up(p, last->heap_idx);
}

/* ---- capacity ------------------------------------------------------ */

static uint8_t blocked_channels(const struct engine *e, const struct agent *a)
{
	uint8_t mask = 0;

	for (int ch = 0; ch < CH_MAX; ch++) {
		if (a->held[ch])
			mask |= e->cfg.capacity.blocks[ch];
	}
	return mask;
}

/* The channels (bit 1 << channel) the agent can be offered now. */
static unsigned takeable(const struct engine *e, const struct agent *a)
{
	const struct engine_capacity *cap = &e->cfg.capacity;
	unsigned mask = 0, blocked;

	/* Cooling ends when the agent's own timer fires (ready_at = 0), so
	 * the contacts waiting for it alone are considered first. */
	if (a->state != AS_AVAILABLE || a->ready_at)
		return 0;
	blocked = blocked_channels(e, a);
	for (int ch = 0; ch < CH_MAX; ch++) {
		unsigned w = cap->weight[ch];

		if (a->held[ch] < a->cap[ch] && !(blocked & (1u << ch)) &&
		    (!w || a->units + w <= cap->budget))
			mask |= 1u << ch;
	}
	return mask;
}

bool engine_agent_can_take(const struct engine *e, const struct agent *a,
			   enum channel ch)
{
	return takeable(e, a) & (1u << ch);
}

/* Per-mille occupancy summed over channels: least-occupied's key. */
static int64_t occupancy(const struct agent *a)
{
	int64_t occ = 0;

	for (int ch = 0; ch < CH_MAX; ch++) {
		if (a->cap[ch])
			occ += a->held[ch] * 1000 / a->cap[ch];
	}
	return occ;
}

static void member_key(struct engine *e, struct member *m, int64_t *k1,
		       int64_t *k2)
{
	const struct agent *a = m->agent;

	*k2 = a->idle_since;
	switch (m->pool->strat) {
	case STRAT_LEAST_OCCUPIED:
		*k1 = occupancy(a);
		break;
	case STRAT_MOST_SKILLED:
		*k1 = -(int64_t)m->skill_sum;
		break;
	case STRAT_ROUND_ROBIN:
		*k1 = (int64_t)a->last_offer;
		*k2 = (int64_t)a->seq;
		break;
	case STRAT_RANDOM:
		/* A fresh draw each time the agent (re)enters the heap. */
		*k1 = m->heap_idx == NOT_IN_HEAP
			      ? (int64_t)(engine_rand(e) >> 1)
			      : m->k1;
		*k2 = (int64_t)a->seq;
		break;
	case STRAT_LEAST_COST:
		*k1 = a->site ? a->site->cost : 0;
		break;
	default: /* longest-idle, ring-all */
		*k1 = a->idle_since;
		*k2 = (int64_t)a->seq;
		break;
	}
}

/* Puts each of the agent's memberships in or out of its pool's heap. */
static void agent_rekey(struct engine *e, struct agent *a)
{
	unsigned mask = takeable(e, a);

	for (size_t i = 0; i < a->nmembers; i++) {
		struct member *m = &a->members[i];
		int64_t k1, k2;

		if (!(mask & (1u << m->pool->ch))) {
			if (m->heap_idx != NOT_IN_HEAP)
				heap_remove(m->pool, m);
			continue;
		}
		member_key(e, m, &k1, &k2);
		if (m->heap_idx != NOT_IN_HEAP && k1 == m->k1 && k2 == m->k2)
			continue;
		m->k1 = k1;
		m->k2 = k2;
		if (m->heap_idx == NOT_IN_HEAP) {
			/* On ENOMEM the agent is only missing from one heap
			 * until its next change; nothing is lost. */
			(void)heap_insert(m->pool, m);
		} else {
			sift_down(m->pool, m->heap_idx);
			sift_up(m->pool, m->heap_idx);
		}
	}
}

/* The first contact of a direct tree whose channel is in mask. */
static struct contact *direct_first(struct contact *n, unsigned mask)
{
	struct contact *c;

	if (!n)
		return NULL;
	c = direct_first(n->t.l, mask);
	if (c)
		return c;
	if (mask & (1u << n->queue->ch))
		return n;
	return direct_first(n->t.r, mask);
}

/*
 * The contact a free agent should take next: contacts addressed to it
 * alone first, then the best-scored head among its pools.
 */
static struct contact *best_for(const struct agent *a, unsigned mask)
{
	struct contact *best = direct_first(a->direct.root, mask);

	if (best)
		return best;
	/*
	 * The pools and their heads are scattered in memory: ask for all of
	 * them first so that the cache misses overlap instead of queueing.
	 */
	for (size_t i = 0; i < a->nmembers; i++)
		__builtin_prefetch(&a->members[i].pool->tree);
	for (size_t i = 0; i < a->nmembers; i++) {
		const struct contact *c = a->members[i].pool->tree.first;

		if (c)
			__builtin_prefetch(&c->key);
	}
	for (size_t i = 0; i < a->nmembers; i++) {
		const struct pool *p = a->members[i].pool;
		struct contact *c = p->tree.first;

		if (c && (mask & (1u << p->ch)) &&
		    (!best || engine_contact_better(c, best)))
			best = c;
	}
	return best;
}

/*
 * Call after anything that may give an agent capacity or change its keys:
 * it takes waiting work while it can, then sits in the heaps it fits.
 */
void engine_agent_refresh(struct engine *e, struct agent *a)
{
	for (;;) {
		unsigned mask = takeable(e, a);
		struct contact *c;

		if (!mask)
			break;
		c = best_for(a, mask);
		if (!c)
			break;
		engine_contact_unwait(c);
		if (engine_offer_make(e, c, a)) {
			engine_tree_insert(e,
					   c->direct ? &c->direct->direct
						     : &c->pool->tree,
					   c);
			break;
		}
	}
	agent_rekey(e, a);
	engine_emit_agent(e, a);
}

/* ---- offers -------------------------------------------------------- */

/* The contacts an agent holds (offered, active, wrap-up): a few at most. */
int engine_hold_add(struct agent *a, struct contact *c)
{
	if (a->nhold == a->hold_cap) {
		uint32_t cap = a->hold_cap * 2;
		bool inl = a->hold == a->hold_inline;
		struct contact **h =
			realloc(inl ? NULL : a->hold, cap * sizeof(*h));

		if (!h)
			return ENOMEM;
		if (inl)
			memcpy(h, a->hold_inline, sizeof(a->hold_inline));
		a->hold = h;
		a->hold_cap = cap;
	}
	a->hold[a->nhold++] = c;
	return 0;
}

void engine_hold_del(struct agent *a, struct contact *c)
{
	for (uint32_t i = 0; i < a->nhold; i++) {
		if (a->hold[i] == c) {
			a->hold[i] = a->hold[--a->nhold];
			return;
		}
	}
}

bool engine_agent_serves(const struct agent *a, const struct tenant *t)
{
	for (size_t i = 0; i < a->ntenants; i++) {
		if (a->tenants[i] == t)
			return true;
	}
	return false;
}

bool engine_offered_to(const struct contact *c, const struct agent *a)
{
	for (uint32_t i = 0; i < c->noffers; i++) {
		if (c->offers[i] == a)
			return true;
	}
	return false;
}

int engine_offer_make(struct engine *e, struct contact *c, struct agent *a)
{
	enum channel ch = c->queue->ch;
	struct engine_event ev;

	if (c->noffers == c->offers_cap) {
		uint32_t cap = c->offers_cap * 2;
		bool inline1 = c->offers == &c->offer1;
		struct agent **o =
			realloc(inline1 ? NULL : c->offers, cap * sizeof(*o));

		if (!o)
			return ENOMEM;
		if (inline1)
			o[0] = c->offer1;
		c->offers = o;
		c->offers_cap = cap;
	}
	if (engine_hold_add(a, c))
		return ENOMEM;
	c->offers[c->noffers++] = a;
	a->held[ch]++;
	a->busy[ch]++;
	a->units += e->cfg.capacity.weight[ch];
	a->idle_since = e->now;
	a->last_offer = ++e->offer_seq;
	if (c->noffers == 1) {
		engine_contact_set_state(e, c, CS_OFFERED);
		/* On ENOMEM the offer waits for an answer without limit. */
		(void)timerq_insert(&e->tq, &e->offer_list, &c->offer_node,
				    e->now + e->cfg.offer_timeout_ms);
	}
	engine_event_fill(&ev, EV_CONTACT_OFFERED, c, a, e->now);
	ev.wait_ms = e->now - c->entered;
	ev.total_wait_ms = e->now - c->arrived;
	/* ring-all: every agent's offer ends with the first one's timer */
	ev.expires_ms = tq_scheduled(&c->offer_node) ? c->offer_node.due : 0;
	engine_emit(e, &ev);
	return 0;
}

void engine_slot_release(struct engine *e, struct agent *a, enum channel ch,
			 bool busy)
{
	a->held[ch]--;
	if (busy)
		a->busy[ch]--;
	a->units -= e->cfg.capacity.weight[ch];
	a->idle_since = e->now;
}

/* Forgets the offer of c to a (the caller refreshes a). */
void engine_offer_drop(struct engine *e, struct contact *c, struct agent *a)
{
	for (uint32_t i = 0; i < c->noffers; i++) {
		if (c->offers[i] == a) {
			c->offers[i] = c->offers[--c->noffers];
			engine_hold_del(a, c);
			engine_slot_release(e, a, c->queue->ch, true);
			return;
		}
	}
}

/*
 * A contact enters the line of its current step (or of its agent): offer
 * it to the best free agent — every free agent up to ring_max for ring-all
 * — or let it wait at its place.
 */
int engine_contact_dispatch(struct engine *e, struct contact *c)
{
	struct pool *p = c->pool;
	enum channel ch = c->queue->ch;
	int ring = p->strat == STRAT_RING_ALL ? c->queue->ring_max : 1;

	if (c->direct) {
		if (engine_agent_can_take(e, c->direct, ch) &&
		    !engine_offer_make(e, c, c->direct)) {
			engine_agent_refresh(e, c->direct);
			return 0;
		}
		engine_tree_insert(e, &c->direct->direct, c);
		return 0;
	}
	while ((int)c->noffers < ring && p->nheap) {
		struct agent *a = p->heap[0]->agent;

		if (engine_offered_to(c, a) || engine_offer_make(e, c, a))
			break;
		agent_rekey(e, a);
		engine_emit_agent(e, a);
	}
	if (!c->noffers)
		engine_tree_insert(e, &p->tree, c);
	return 0;
}

/* ---- pools and memberships ----------------------------------------- */

static void agent_view(const struct agent *a, struct expr_agent *v)
{
	v->skills = a->skills;
	v->nskills = a->nskills;
	v->tags = a->tags;
	v->ntags = a->ntags;
	v->agent = a->sym;
	v->site = a->site ? a->site->sym : UINT32_MAX;
	v->country = a->site ? a->site->country_sym : UINT32_MAX;
	v->site_kind = a->site ? a->site->kind : SITE_ONSHORE;
}

static uint16_t skill_sum(const struct pool *p, const struct agent *a)
{
	uint16_t sum = 0;

	for (size_t i = 0; i < p->nskills; i++) {
		for (size_t j = 0; j < a->nskills; j++) {
			if (a->skills[j].id == p->skills[i])
				sum += a->skills[j].level;
		}
	}
	return sum;
}

static bool agent_staffed(const struct agent *a)
{
	return a->state == AS_AVAILABLE;
}

bool engine_member_of(const struct agent *a, const struct pool *p)
{
	for (size_t i = 0; i < a->nmembers; i++) {
		if (a->members[i].pool == p)
			return true;
	}
	return false;
}

static int member_add(struct agent *a, struct pool *p)
{
	struct member *ms =
		realloc(a->members, (a->nmembers + 1) * sizeof(*ms));
	struct member *m;

	if (!ms)
		return ENOMEM;
	/* The array may have moved: heaps point into it. */
	for (size_t i = 0; i < a->nmembers; i++) {
		if (ms[i].heap_idx != NOT_IN_HEAP)
			ms[i].pool->heap[ms[i].heap_idx] = &ms[i];
	}
	a->members = ms;
	m = &ms[a->nmembers++];
	memset(m, 0, sizeof(*m));
	m->pool = p;
	m->agent = a;
	m->heap_idx = NOT_IN_HEAP;
	m->skill_sum = skill_sum(p, a);
	p->members++;
	if (agent_staffed(a))
		p->slots += a->cap[p->ch];
	return 0;
}

static bool eligible(const struct pool *p, const struct agent *a)
{
	struct expr_agent v;

	if (!a->cap[p->ch])
		return false;
	agent_view(a, &v);
	return expr_eval(p->expr, &v);
}

/* Adds the agent to every pool of its tenants whose filter it passes. */
int engine_pool_join_all(struct engine *e, struct agent *a)
{
	(void)e;
	for (size_t i = 0; i < a->ntenants; i++) {
		struct tenant *t = a->tenants[i];

		for (size_t j = 0; j < t->npools; j++) {
			struct pool *p = t->pools[j];
			int err;

			if (!eligible(p, a))
				continue;
			err = member_add(a, p);
			if (err)
				return err;
		}
	}
	return 0;
}

void engine_pool_leave_all(struct engine *e, struct agent *a)
{
	(void)e;
	for (size_t i = 0; i < a->nmembers; i++) {
		struct member *m = &a->members[i];

		if (m->heap_idx != NOT_IN_HEAP)
			heap_remove(m->pool, m);
		m->pool->members--;
		if (agent_staffed(a))
			m->pool->slots -= a->cap[m->pool->ch];
	}
	free(a->members);
	a->members = NULL;
	a->nmembers = 0;
}

/* The agent logged in or out, paused or resumed: staffing of its pools. */
void engine_pool_staffed_update(struct agent *a, int delta)
{
	for (size_t i = 0; i < a->nmembers; i++) {
		struct pool *p = a->members[i].pool;

		p->slots += delta * (int)a->cap[p->ch];
	}
}

static void pool_free(struct pool *p)
{
	if (!p)
		return;
	expr_free(p->expr);
	free(p->heap);
	free(p->key);
	free(p);
}

static bool pool_eq(const void *val, const void *key)
{
	return !strcmp(((const struct pool *)val)->key, key);
}

static char *pool_key(const struct tenant *t, enum channel ch, enum strategy s,
		      const char *filter)
{
	size_t len = strlen(t->id) + strlen(filter) + 16;
	char *key = malloc(len);

	if (key)
		snprintf(key, len, "%s\x1f%d\x1f%d\x1f%s", t->id, ch, s,
			 filter);
	return key;
}

static int pool_create(struct engine *e, struct pool **pp, struct tenant *t,
		       enum channel ch, enum strategy s, char *key,
		       const char *filter, struct engine_error *err)
{
	struct expr_symbols syms = {engine_intern, e};
	struct expr_error xerr;
	struct pool *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return ENOMEM;
	p->key = key;
	p->tenant = t;
	p->ch = ch;
	p->strat = s;
	rc = expr_compile(&p->expr, filter, &syms, &xerr);
	if (rc == EINVAL && err)
		snprintf(err->msg, sizeof(err->msg),
			 "filter \"%.60s\" at position %zu: %.120s", filter,
			 xerr.pos + 1, xerr.msg);
	if (rc)
		goto out;
	p->nskills = expr_skills(p->expr, p->skills, 16);
	if (p->nskills > 16)
		p->nskills = 16;
	rc = engine_vec_push((void **)&t->pools, &t->npools, &t->pools_cap,
			     sizeof(p), &p);
	if (rc)
		goto out;
	rc = hmap_put(&e->pools, hmap_hash_str(key), p);
	if (rc) {
		t->npools--;
		goto out;
	}
	for (size_t i = 0; i < t->nagents; i++) {
		struct agent *a = t->agents[i];

		if (eligible(p, a) && member_add(a, p) == 0)
			agent_rekey(e, a);
	}
	*pp = p;
out:
	if (rc) {
		p->key = NULL;
		pool_free(p);
	}
	return rc;
}

/*
 * The pool for (tenant, channel, strategy, filter), shared and counted:
 * every engine_pool_get() is matched by a engine_pool_put().
 */
int engine_pool_get(struct engine *e, struct pool **pp, struct tenant *t,
		    enum channel ch, enum strategy s, const char *filter,
		    struct engine_error *err)
{
	char *key = pool_key(t, ch, s, filter ? filter : "true");
	struct pool *p;
	int rc;

	if (!key)
		return ENOMEM;
	p = hmap_get(&e->pools, hmap_hash_str(key), pool_eq, key);
	if (p) {
		free(key);
		p->refs++;
		*pp = p;
		return 0;
	}
	rc = pool_create(e, &p, t, ch, s, key, filter ? filter : "true", err);
	if (rc) {
		free(key);
		return rc;
	}
	p->refs = 1;
	*pp = p;
	return 0;
}

static void member_remove(struct agent *a, struct pool *p)
{
	for (size_t i = 0; i < a->nmembers; i++) {
		struct member *m = &a->members[i];

		if (m->pool != p)
			continue;
		if (m->heap_idx != NOT_IN_HEAP)
			heap_remove(p, m);
		p->members--;
		if (agent_staffed(a))
			p->slots -= a->cap[p->ch];
		a->members[i] = a->members[--a->nmembers];
		if (i < a->nmembers) {
			struct member *moved = &a->members[i];

			if (moved->heap_idx != NOT_IN_HEAP)
				moved->pool->heap[moved->heap_idx] = moved;
		}
		return;
	}
}

/* Drops a reference; the last one frees the pool (it must be empty). */
void engine_pool_put(struct engine *e, struct pool *p)
{
	struct tenant *t = p->tenant;

	if (--p->refs)
		return;
	for (size_t i = 0; i < t->nagents; i++)
		member_remove(t->agents[i], p);
	for (size_t i = 0; i < t->npools; i++) {
		if (t->pools[i] == p) {
			t->pools[i] = t->pools[--t->npools];
			break;
		}
	}
	hmap_del(&e->pools, hmap_hash_str(p->key), pool_eq, p->key);
	pool_free(p);
}
