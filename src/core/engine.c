/*
 * engine.c — the engine value: creation, configuration (tenants, sites,
 * agents, queues, calendars), agent states, timers, symbols and events.
 * Matching lives in engine_pool.c, contacts in engine_contact.c.
 *
 * Configuration calls validate everything and build what they need before
 * they change anything, so a refused call leaves the engine as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine_int.h"

void engine_config_default(struct engine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->priority_point_ms = 60000; /* a point of priority = 1 min */
	cfg->offer_timeout_ms = 20000;
	cfg->reject_delay_ms = 5000;
	cfg->auto_pause_misses = 3;
	cfg->last_agent_window_ms = 7LL * 24 * 3600 * 1000;
	cfg->seed = 1;
	/* 3 chats, or 2 emails, or a chat and an email share one agent. */
	cfg->capacity.weight[CH_CHAT] = 2;
	cfg->capacity.weight[CH_EMAIL] = 3;
	cfg->capacity.weight[CH_SMS] = 1;
	cfg->capacity.budget = 6;
	cfg->capacity.blocks[CH_VOICE] =
		1u << CH_CHAT | 1u << CH_EMAIL | 1u << CH_SMS;
}

uint64_t engine_rand(struct engine *e)
{
	/* splitmix64: small, fast, and good enough to shuffle agents. */
	uint64_t z = (e->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int engine_vec_push(void **vec, size_t *n, size_t *cap, size_t size,
		    const void *item)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void *v = realloc(*vec, ncap * size);

		if (!v)
			return ENOMEM;
		*vec = v;
		*cap = ncap;
	}
	memcpy((char *)*vec + *n * size, item, size);
	(*n)++;
	return 0;
}

static void vec_del(void **vec, size_t *n, size_t size, const void *item)
{
	char *v = *vec;

	for (size_t i = 0; i < *n; i++) {
		if (!memcmp(v + i * size, item, size)) {
			memmove(v + i * size, v + (i + 1) * size,
				(*n - i - 1) * size);
			(*n)--;
			return;
		}
	}
}

/* ---- lookups ------------------------------------------------------- */

/* Every named object starts with its `char *id`. */
static bool id_eq(const void *val, const void *key)
{
	return !strcmp(*(char *const *)val, key);
}

static void *find(const struct hmap *m, const char *id)
{
	return id ? hmap_get(m, hmap_hash_str(id), id_eq, id) : NULL;
}

struct agent *engine_agent_find(struct engine *e, const char *id)
{
	return find(&e->agents, id);
}

static bool seq_eq(const void *val, const void *key)
{
	return ((const struct agent *)val)->seq == *(const uint64_t *)key;
}

struct agent *engine_agent_by_seq(struct engine *e, uint64_t seq)
{
	return hmap_get(&e->agent_seqs, hmap_hash_u64(seq), seq_eq, &seq);
}

struct queue *engine_queue_find(struct engine *e, const char *id)
{
	return find(&e->queues, id);
}

static bool cid_eq(const void *val, const void *key)
{
	return ((const struct contact *)val)->id == *(const uint64_t *)key;
}

struct contact *engine_contact_find(struct engine *e, uint64_t id)
{
	return hmap_get(&e->contacts, hmap_hash_u64(id), cid_eq, &id);
}

const struct calendar *engine_calendar_find(struct engine *e, const char *id)
{
	struct cal_entry *ce = find(&e->cals, id);

	return ce ? ce->cal : NULL;
}

/* ---- symbols ------------------------------------------------------- */

struct symkey {
	uint32_t ns;
	const char *name;
	size_t len;
};

static bool sym_eq(const void *val, const void *key)
{
	const struct sym *s = val;
	const struct symkey *k = key;

	return s->ns == k->ns && strlen(s->name) == k->len &&
	       !memcmp(s->name, k->name, k->len);
}

int engine_intern(void *arg, enum expr_ns ns, const char *name, size_t len,
		  uint32_t *idp)
{
	struct engine *e = arg;
	struct symkey k = {ns, name, len};
	uint64_t h = hmap_hash_bytes(name, len) ^ ((uint64_t)ns << 56);
	struct sym *s = hmap_get(&e->syms, h, sym_eq, &k);

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s || !(s->name = strndup(name, len)))
			goto nomem;
		s->ns = ns;
		s->id = e->nsyms[ns];
		if (hmap_put(&e->syms, h, s))
			goto nomem;
		e->nsyms[ns]++;
	}
	*idp = s->id;
	return 0;
nomem:
	if (s)
		free(s->name);
	free(s);
	return ENOMEM;
}

static uint32_t intern_str(struct engine *e, enum expr_ns ns, const char *s,
			   int *err)
{
	uint32_t id = UINT32_MAX;

	if (s && !*err)
		*err = engine_intern(e, ns, s, strlen(s), &id);
	return id;
}

/* ---- events -------------------------------------------------------- */

void engine_emit(struct engine *e, struct engine_event *ev)
{
	if (e->handler)
		e->handler(e->arg, ev);
}

void engine_event_fill(struct engine_event *ev, enum engine_event_type t,
		       const struct contact *c, const struct agent *a,
		       int64_t now)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = t;
	ev->time = now;
	ev->ewt_ms = -1;
	if (a) {
		ev->agent = a->id;
		ev->site = a->site ? a->site->id : NULL;
	}
	if (!c)
		return;
	ev->contact = c->id;
	ev->channel = c->queue->ch;
	ev->tenant = c->queue->tenant->id;
	ev->queue = c->queue->id;
	ev->customer = c->customer;
	ev->state = c->state;
	ev->step = c->step;
	ev->priority = c->queue->priority + c->priority + c->step_prio;
	ev->callback = c->callback;
}

static enum agent_state derived_state(const struct agent *a)
{
	bool held = false;

	if (a->state != AS_AVAILABLE)
		return a->state;
	for (int ch = 0; ch < CH_MAX; ch++) {
		if (a->busy[ch])
			return AS_BUSY;
		held |= a->held[ch] != 0;
	}
	return held ? AS_WRAPUP : AS_AVAILABLE;
}

/* Reports the agent's state if it changed since the last report. */
void engine_emit_agent(struct engine *e, struct agent *a)
{
	enum agent_state st = derived_state(a);
	struct engine_event ev;

	if (st == a->shown)
		return;
	engine_event_fill(&ev, EV_AGENT_STATE, NULL, a, e->now);
	ev.agent_state = st;
	ev.prev_state = a->shown;
	ev.prev_state_ms = e->now - a->shown_since;
	ev.reason = st == AS_PAUSED ? a->reason : NULL;
	a->shown = st;
	a->shown_since = e->now;
	engine_emit(e, &ev);
}

/* ---- timers -------------------------------------------------------- */

/* Fires due timers, each at its own time, then moves the clock to now. */
void engine_begin(struct engine *e, int64_t now)
{
	struct tq_node *n;
	int kind;

	while ((n = tq_pop(&e->tq, now, &kind))) {
		if (n->due > e->now)
			e->now = n->due;
		engine_timer_fire(e, n, kind);
	}
	if (now > e->now)
		e->now = now;
}

void engine_end(struct engine *e)
{
	for (size_t i = 0; i < e->ndead; i++)
		contact_free(e->dead[i]);
	e->ndead = 0;
}

void engine_advance(struct engine *e, int64_t now)
{
	engine_begin(e, now);
	engine_end(e);
}

int64_t engine_next_timer(const struct engine *e)
{
	return tq_next(&e->tq);
}

void engine_set_wallclock(struct engine *e, int64_t mono_ms, int64_t utc_ms)
{
	e->wall_offset = utc_ms - mono_ms;
}

/* ---- life ---------------------------------------------------------- */

int engine_new(struct engine **ep, const struct engine_config *cfg,
	       engine_handler *handler, void *arg)
{
	struct engine *e;

	if (cfg && (cfg->priority_point_ms <= 0 || cfg->offer_timeout_ms <= 0 ||
		    cfg->reject_delay_ms < 0 || !cfg->capacity.budget))
		return EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return ENOMEM;
	if (cfg)
		e->cfg = *cfg;
	else
		engine_config_default(&e->cfg);
	e->rng = e->cfg.seed;
	tq_list_init(&e->offer_list, TK_OFFER);
	tq_list_init(&e->ready_list, TK_READY);
	e->handler = handler;
	e->arg = arg;
	*ep = e;
	return 0;
}

static void agent_free(struct agent *a)
{
	free(a->reason);
	free(a->skills);
	free(a->tags);
	free(a->tenants);
	free(a->members);
	if (a->hold != a->hold_inline)
		free(a->hold);
	free(a);
}

static void queue_free(struct queue *q)
{
	free(q->id);
	free(q->steps);
	free(q->calendar);
	free(q);
}

static void free_map(struct hmap *m, void (*fn)(void *))
{
	for (size_t i = 0; i < hmap_span(m); i++) {
		void *val = hmap_at(m, i);

		if (val)
			fn(val);
	}
	hmap_reset(m);
}

static void free_contact(void *p)
{
	contact_free(p);
}

static void free_pool(void *p)
{
	struct pool *pool = p;

	expr_free(pool->expr);
	free(pool->heap);
	free(pool->key);
	free(pool);
}

static void free_tenant(void *p)
{
	struct tenant *t = p;

	free(t->id);
	free(t->agents);
	free(t->pools);
	free(t);
}

static void free_site(void *p)
{
	struct site *s = p;

	free(s->id);
	free(s->country);
	free(s);
}

static void free_sym(void *p)
{
	struct sym *s = p;

	free(s->name);
	free(s);
}

static void free_cal(void *p)
{
	struct cal_entry *ce = p;

	calendar_free(ce->cal);
	free(ce->id);
	free(ce);
}

static void free_lastagent(void *p)
{
	struct lastagent *la = p;

	free(la->customer);
	free(la->agent);
	free(la);
}

static void free_agent(void *p)
{
	agent_free(p);
}

static void free_queue(void *p)
{
	queue_free(p);
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	engine_end(e);
	free_map(&e->contacts, free_contact);
	free_map(&e->queues, free_queue);
	free_map(&e->pools, free_pool);
	free_map(&e->agents, free_agent);
	hmap_reset(&e->agent_seqs);
	free_map(&e->tenants, free_tenant);
	free_map(&e->sites, free_site);
	free_map(&e->syms, free_sym);
	free_map(&e->cals, free_cal);
	free_map(&e->lastagents, free_lastagent);
	free(e->agent_v);
	free(e->queue_v);
	tq_free(&e->tq);
	free(e->dead);
	free(e);
}

/* ---- tenants, sites, calendars ------------------------------------- */

int engine_tenant_add(struct engine *e, const char *id)
{
	struct tenant *t;

	if (!id || !*id)
		return EINVAL;
	if (find(&e->tenants, id))
		return EEXIST;
	t = calloc(1, sizeof(*t));
	if (!t || !(t->id = strdup(id)))
		goto nomem;
	if (hmap_put(&e->tenants, hmap_hash_str(id), t))
		goto nomem;
	return 0;
nomem:
	if (t)
		free(t->id);
	free(t);
	return ENOMEM;
}

int engine_tenant_remove(struct engine *e, const char *id)
{
	struct tenant *t = find(&e->tenants, id);

	if (!t)
		return ENOENT;
	if (t->nqueues || t->nagents)
		return EBUSY;
	hmap_del(&e->tenants, hmap_hash_str(id), id_eq, id);
	free_tenant(t);
	return 0;
}

static void agent_rejoin(struct engine *e, struct agent *a)
{
	pool_leave_all(e, a);
	/* On ENOMEM the agent misses some pools until its next change. */
	(void)pool_join_all(e, a);
	agent_refresh(e, a);
}

int engine_site_set(struct engine *e, const struct engine_site *in)
{
	struct site *s;
	int err = 0;
	char *country = NULL;
	uint32_t sym, csym;

	if (!in->id || !*in->id || in->kind > SITE_HOME ||
	    in->cost_per_hour_cents < 0)
		return EINVAL;
	sym = intern_str(e, EXPR_NS_SITE, in->id, &err);
	csym = in->country ? intern_str(e, EXPR_NS_COUNTRY, in->country, &err)
			   : UINT32_MAX;
	if (err || (in->country && !(country = strdup(in->country))))
		return ENOMEM;
	s = find(&e->sites, in->id);
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s || !(s->id = strdup(in->id)) ||
		    hmap_put(&e->sites, hmap_hash_str(in->id), s)) {
			if (s)
				free(s->id);
			free(s);
			free(country);
			return ENOMEM;
		}
	}
	free(s->country);
	s->country = country;
	s->kind = in->kind;
	s->cost = in->cost_per_hour_cents;
	s->sym = sym;
	s->country_sym = csym;
	for (size_t i = 0; i < e->nagents; i++) {
		if (e->agent_v[i]->site == s)
			agent_rejoin(e, e->agent_v[i]);
	}
	return 0;
}

int engine_calendar_set(struct engine *e, const char *id, struct calendar *cal)
{
	struct cal_entry *ce;

	if (!id || !*id || !cal)
		return EINVAL;
	ce = find(&e->cals, id);
	if (ce) {
		calendar_free(ce->cal);
		ce->cal = cal;
		return 0;
	}
	ce = calloc(1, sizeof(*ce));
	if (!ce || !(ce->id = strdup(id)) ||
	    hmap_put(&e->cals, hmap_hash_str(id), ce)) {
		if (ce)
			free(ce->id);
		free(ce);
		return ENOMEM;
	}
	ce->cal = cal;
	return 0;
}

int engine_calendar_remove(struct engine *e, const char *id)
{
	struct cal_entry *ce = find(&e->cals, id);

	if (!ce)
		return ENOENT;
	for (size_t i = 0; i < e->nqueues; i++) {
		if (e->queue_v[i]->calendar &&
		    !strcmp(e->queue_v[i]->calendar, id))
			return EBUSY;
	}
	hmap_del(&e->cals, hmap_hash_str(id), id_eq, id);
	free_cal(ce);
	return 0;
}

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
	if (in->site && !(p->site = find(&e->sites, in->site)))
		return ENOENT;
	p->skills = calloc(in->nskills + 1, sizeof(*p->skills));
	p->tags = calloc(in->ntags + 1, sizeof(*p->tags));
	p->tenants = calloc(in->ntenants + 1, sizeof(*p->tenants));
	if (!p->skills || !p->tags || !p->tenants)
		return ENOMEM;
	for (size_t i = 0; i < in->nskills && !err; i++) {
		if (in->skill_levels[i] < 1 || in->skill_levels[i] > 10)
			return EINVAL;
		p->skills[i].id =
			intern_str(e, EXPR_NS_SKILL, in->skill_names[i], &err);
		p->skills[i].level = in->skill_levels[i];
	}
	for (size_t i = 0; i < in->ntags && !err; i++)
		p->tags[i] = intern_str(e, EXPR_NS_TAG, in->tags[i], &err);
	for (size_t i = 0; i < in->ntenants && !err; i++) {
		p->tenants[i] = find(&e->tenants, in->tenants[i]);
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

		vec_del((void **)&t->agents, &t->nagents, sizeof(a), &a);
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
	a->sym = intern_str(e, EXPR_NS_AGENT, id, &err);
	a->seq = ++e->seq;
	a->state = a->shown = AS_OFFLINE;
	a->shown_since = e->now;
	if (err || hmap_put(&e->agents, hmap_hash_str(id), a))
		goto nomem;
	if (hmap_put(&e->agent_seqs, hmap_hash_u64(a->seq), a) ||
	    engine_vec_push((void **)&e->agent_v, &e->nagents, &e->agents_cap,
			    sizeof(a), &a)) {
		hmap_del(&e->agents, hmap_hash_str(id), id_eq, id);
		hmap_del(&e->agent_seqs, hmap_hash_u64(a->seq), seq_eq,
			 &a->seq);
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
	pool_leave_all(e, a);
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
		err = pool_join_all(e, a);
	agent_release_unfit(e, a);
	agent_refresh(e, a);
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
		pool_staffed_update(a, -1);
	a->state = AS_OFFLINE;
	agent_refresh(e, a);
	agent_withdraw_offers(e, a);
	agent_release_direct(e, a);
	engine_emit_agent(e, a);
	pool_leave_all(e, a);
	tenants_unlink(a);
	tq_remove(&a->ready_node);
	hmap_del(&e->agents, hmap_hash_str(id), id_eq, id);
	hmap_del(&e->agent_seqs, hmap_hash_u64(a->seq), seq_eq, &a->seq);
	vec_del((void **)&e->agent_v, &e->nagents, sizeof(a), &a);
	agent_free(a);
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
	if (st == AS_PAUSED && !(r = strdup(reason)))
		return ENOMEM;
	if (a->state == AS_AVAILABLE && st != AS_AVAILABLE)
		pool_staffed_update(a, -1);
	else if (a->state != AS_AVAILABLE && st == AS_AVAILABLE)
		pool_staffed_update(a, +1);
	if (a->state == AS_OFFLINE && st != AS_OFFLINE)
		a->idle_since = e->now;
	free(a->reason);
	a->reason = r;
	a->state = st;
	a->misses = 0;
	/* Out of the heaps first, so withdrawn offers cannot come back. */
	agent_refresh(e, a);
	if (st != AS_AVAILABLE)
		agent_withdraw_offers(e, a);
	if (st == AS_OFFLINE)
		agent_release_direct(e, a);
	agent_refresh(e, a);
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
		*state = derived_state(a);
	if (load)
		memcpy(load, a->held, CH_MAX);
	return 0;
}

/* ---- queues -------------------------------------------------------- */

static void steps_put(struct engine *e, struct step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		tq_list_drop(&e->tq, &steps[i].due);
		pool_put(e, steps[i].pool);
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
	rc = pool_get(e, &out->pool, t, in->channel, in->strategy, *filter,
		      err);
	if (rc) {
		out->target = NULL;
		return rc;
	}
	if (out->target)
		out->target->targeted++;
	tq_list_init(&out->due, TK_STEP);
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
	*tp = find(&e->tenants, in->tenant);
	if (!*tp) {
		snprintf(err->msg, sizeof(err->msg), "no tenant \"%.64s\"",
			 in->tenant ? in->tenant : "");
		return ENOENT;
	}
	if (in->calendar && !find(&e->cals, in->calendar)) {
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
	tq_list_init(&q->wrap, TK_WRAP);
	tq_list_init(&q->direct, TK_DIRECT);
	if (hmap_put(&e->queues, hmap_hash_str(id), q))
		goto nomem;
	if (engine_vec_push((void **)&e->queue_v, &e->nqueues, &e->queues_cap,
			    sizeof(q), &q)) {
		hmap_del(&e->queues, hmap_hash_str(id), id_eq, id);
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
	queue_requeue_all(e, q);
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
	hmap_del(&e->queues, hmap_hash_str(id), id_eq, id);
	vec_del((void **)&e->queue_v, &e->nqueues, sizeof(q), &q);
	steps_put(e, q->steps, q->nsteps);
	tq_list_drop(&e->tq, &q->wrap);
	tq_list_drop(&e->tq, &q->direct);
	if (q->closed_target)
		q->closed_target->targeted--;
	q->tenant->nqueues--;
	queue_free(q);
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
	return (int64_t)(tree_rank(&p->tree, &probe) * q->aht_ms / p->slots);
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

/* ---- names --------------------------------------------------------- */

static const char *const channel_names[CH_MAX] = {"voice", "chat", "email",
						  "sms"};
static const char *const strategy_names[STRAT_MAX] = {
	"longest-idle", "least-occupied", "most-skilled", "round-robin",
	"random",	"least-cost",	  "ring-all"};
static const char *const contact_state_names[CS_MAX] = {
	"queued",    "offered",	  "active",    "wrapup", "callback-pending",
	"completed", "abandoned", "voicemail", "closed", "transferred"};
static const char *const agent_state_names[AS_MAX] = {
	"offline", "available", "busy", "wrapup", "paused"};
static const char *const event_names[EV_MAX] = {
	"contact.queued",    "contact.offered",	    "offer.withdrawn",
	"offer.rejected",    "offer.missed",	    "contact.accepted",
	"contact.step",	     "contact.ended",	    "contact.completed",
	"contact.abandoned", "contact.transferred", "contact.callback",
	"callback.offer",    "callback.dial",	    "contact.voicemail",
	"contact.closed",    "agent.state"};
static const char *const action_names[ACTION_CLOSE + 1] = {
	"none", "offer-callback", "callback", "voicemail", "transfer", "close"};
static const char *const why_names[WHY_MAX] = {
	"eligible", "not-waiting", "offered-to", "other-tenant",  "no-channel",
	"offline",  "paused",	   "filter",	 "direct",	  "at-capacity",
	"blocked",  "budget",	   "cooling",	 "lower-in-order"};

static int name_find(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++) {
		if (!strcmp(names[i], s))
			return i;
	}
	return -1;
}

const char *channel_name(enum channel ch)
{
	return ch < CH_MAX ? channel_names[ch] : "?";
}

bool channel_parse(const char *s, enum channel *chp)
{
	int i = name_find(channel_names, CH_MAX, s);

	if (i >= 0)
		*chp = (enum channel)i;
	return i >= 0;
}

const char *strategy_name(enum strategy s)
{
	return s < STRAT_MAX ? strategy_names[s] : "?";
}

bool strategy_parse(const char *s, enum strategy *sp)
{
	int i = name_find(strategy_names, STRAT_MAX, s);

	if (i >= 0)
		*sp = (enum strategy)i;
	return i >= 0;
}

const char *contact_state_name(enum contact_state s)
{
	return s < CS_MAX ? contact_state_names[s] : "?";
}

const char *agent_state_name(enum agent_state s)
{
	return s < AS_MAX ? agent_state_names[s] : "?";
}

const char *engine_event_name(enum engine_event_type t)
{
	return t < EV_MAX ? event_names[t] : "?";
}

const char *action_name(enum action a)
{
	return a <= ACTION_CLOSE ? action_names[a] : "?";
}

bool action_parse(const char *s, enum action *ap)
{
	int i = name_find(action_names, ACTION_CLOSE + 1, s);

	if (i >= 0)
		*ap = (enum action)i;
	return i >= 0;
}

const char *why_name(enum why w)
{
	return w < WHY_MAX ? why_names[w] : "?";
}
