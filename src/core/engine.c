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

void engine_vec_del(void **vec, size_t *n, size_t size, const void *item)
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
bool engine_id_eq(const void *val, const void *key)
{
	return !strcmp(*(char *const *)val, key);
}

void *engine_find(const struct hmap *m, const char *id)
{
	return id ? hmap_get(m, hmap_hash_str(id), engine_id_eq, id) : NULL;
}

struct agent *engine_agent_find(struct engine *e, const char *id)
{
	return engine_find(&e->agents, id);
}

struct queue *engine_queue_find(struct engine *e, const char *id)
{
	return engine_find(&e->queues, id);
}

/*
 * No comparison: the u64 hash is a bijection, so the probe never reads
 * the (cold) contacts it passes over.
 */
struct contact *engine_contact_find(struct engine *e, uint64_t id)
{
	return hmap_get(&e->contacts, hmap_hash_u64(id), NULL, NULL);
}

const struct calendar *engine_calendar_find(struct engine *e, const char *id)
{
	struct cal_entry *ce = engine_find(&e->cals, id);

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

uint32_t engine_intern_str(struct engine *e, enum expr_ns ns, const char *s,
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

enum agent_state engine_derived_state(const struct agent *a)
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

/*
 * Reports the agent's state if it changed since the last report, or if a
 * pause (or offline) took another reason.
 */
void engine_emit_agent(struct engine *e, struct agent *a)
{
	enum agent_state st = engine_derived_state(a);
	bool restate = a->restate && (st == AS_PAUSED || st == AS_OFFLINE);
	struct engine_event ev;

	a->restate = false;
	if (st == a->shown && !restate)
		return;
	engine_event_fill(&ev, EV_AGENT_STATE, NULL, a, e->now);
	ev.agent_state = st;
	ev.prev_state = a->shown;
	ev.prev_state_ms = e->now - a->shown_since;
	ev.reason = st == AS_PAUSED || st == AS_OFFLINE ? a->reason : NULL;
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

	while ((n = timerq_pop(&e->tq, now, &kind))) {
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
		engine_contact_release(e, e->dead[i]);
	e->ndead = 0;
}

void engine_advance(struct engine *e, int64_t now)
{
	engine_begin(e, now);
	engine_end(e);
}

int64_t engine_next_timer(const struct engine *e)
{
	/*
	 * Settling the heap changes no timer, only drops entries left by
	 * cancelled ones, so that callers do not wake for nothing; the
	 * engine is logically unchanged, hence the const interface.
	 */
	return timerq_settle((struct tq *)&e->tq);
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
	timerq_list_init(&e->offer_list, TK_OFFER);
	timerq_list_init(&e->ready_list, TK_READY);
	timerq_list_init(&e->forget_list, TK_FORGET);
	e->handler = handler;
	e->arg = arg;
	*ep = e;
	return 0;
}

void engine_agent_free(struct agent *a)
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

void engine_queue_free(struct queue *q)
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
	engine_contact_free(p);
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
	engine_agent_free(p);
}

static void free_queue(void *p)
{
	engine_queue_free(p);
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
	free_map(&e->tenants, free_tenant);
	free_map(&e->sites, free_site);
	free_map(&e->syms, free_sym);
	free_map(&e->cals, free_cal);
	free_map(&e->lastagents, free_lastagent);
	free(e->agent_v);
	free(e->queue_v);
	timerq_free(&e->tq);
	free(e->dead);
	engine_contact_spares_free(e);
	free(e);
}

/* ---- tenants, sites, calendars ------------------------------------- */

int engine_tenant_add(struct engine *e, const char *id)
{
	struct tenant *t;

	if (!id || !*id)
		return EINVAL;
	if (engine_find(&e->tenants, id))
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
	struct tenant *t = engine_find(&e->tenants, id);

	if (!t)
		return ENOENT;
	if (t->nqueues || t->nagents)
		return EBUSY;
	hmap_del(&e->tenants, hmap_hash_str(id), engine_id_eq, id);
	free_tenant(t);
	return 0;
}

static void agent_rejoin(struct engine *e, struct agent *a)
{
	engine_pool_leave_all(e, a);
	/* On ENOMEM the agent misses some pools until its next change. */
	(void)engine_pool_join_all(e, a);
	engine_agent_refresh(e, a);
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
	sym = engine_intern_str(e, EXPR_NS_SITE, in->id, &err);
	csym = in->country ? engine_intern_str(e, EXPR_NS_COUNTRY, in->country,
					       &err)
			   : UINT32_MAX;
	if (err || (in->country && !(country = strdup(in->country))))
		return ENOMEM;
	s = engine_find(&e->sites, in->id);
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
	ce = engine_find(&e->cals, id);
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
	struct cal_entry *ce = engine_find(&e->cals, id);

	if (!ce)
		return ENOENT;
	for (size_t i = 0; i < e->nqueues; i++) {
		if (e->queue_v[i]->calendar &&
		    !strcmp(e->queue_v[i]->calendar, id))
			return EBUSY;
	}
	hmap_del(&e->cals, hmap_hash_str(id), engine_id_eq, id);
	free_cal(ce);
	return 0;
}

/* ---- names --------------------------------------------------------- */

const char *const engine_channel_names[CH_MAX + 1] = {"voice", "chat", "email",
						      "sms", NULL};
const char *const engine_strategy_names[STRAT_MAX + 1] = {
	"longest-idle", "least-occupied", "most-skilled", "round-robin",
	"random",	"least-cost",	  "ring-all",	  NULL};
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
const char *const engine_action_names[ACTION_CLOSE + 2] = {
	"none",	    "callback-offer", "callback", "voicemail",
	"transfer", "close",	      NULL};
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

const char *engine_channel_name(enum channel ch)
{
	return ch < CH_MAX ? engine_channel_names[ch] : "?";
}

bool engine_channel_parse(const char *s, enum channel *chp)
{
	int i = name_find(engine_channel_names, CH_MAX, s);

	if (i >= 0)
		*chp = (enum channel)i;
	return i >= 0;
}

const char *engine_strategy_name(enum strategy s)
{
	return s < STRAT_MAX ? engine_strategy_names[s] : "?";
}

bool engine_strategy_parse(const char *s, enum strategy *sp)
{
	int i = name_find(engine_strategy_names, STRAT_MAX, s);

	if (i >= 0)
		*sp = (enum strategy)i;
	return i >= 0;
}

const char *engine_contact_state_name(enum contact_state s)
{
	return s < CS_MAX ? contact_state_names[s] : "?";
}

bool engine_contact_state_parse(const char *s, enum contact_state *sp)
{
	int i = name_find(contact_state_names, CS_MAX, s);

	if (i >= 0)
		*sp = (enum contact_state)i;
	return i >= 0;
}

const char *engine_agent_state_name(enum agent_state s)
{
	return s < AS_MAX ? agent_state_names[s] : "?";
}

bool engine_agent_state_parse(const char *s, enum agent_state *sp)
{
	int i = name_find(agent_state_names, AS_MAX, s);

	if (i >= 0)
		*sp = (enum agent_state)i;
	return i >= 0;
}

const char *engine_event_name(enum engine_event_type t)
{
	return t < EV_MAX ? event_names[t] : "?";
}

bool engine_event_parse(const char *s, enum engine_event_type *tp)
{
	int i = name_find(event_names, EV_MAX, s);

	if (i >= 0)
		*tp = (enum engine_event_type)i;
	return i >= 0;
}

const char *engine_action_name(enum action a)
{
	return a <= ACTION_CLOSE ? engine_action_names[a] : "?";
}

bool engine_action_parse(const char *s, enum action *ap)
{
	int i = name_find(engine_action_names, ACTION_CLOSE + 1, s);

	if (i >= 0)
		*ap = (enum action)i;
	return i >= 0;
}

const char *engine_why_name(enum why w)
{
	return w < WHY_MAX ? why_names[w] : "?";
}
