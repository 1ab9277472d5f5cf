/*
 * Routing engine invariants under random operations (engine.h).
 *
 * A seeded generator drives one engine through tens of thousands of
 * operations: contacts arrive, offers are accepted, rejected or left to
 * time out, contacts end, wrap up, abandon, become callbacks and are
 * transferred; agents log in, pause, leave and change skills; queues change
 * their steps; sites change kind; time passes. A model rebuilt from the
 * events alone (the handler only records, it never calls the engine)
 * predicts every answer. The rules checked:
 *   - capacity: an offer needs a free slot of the channel, no blocking
 *     channel held and room in the shared budget; loads match the model;
 *   - eligibility: an offer goes to an agent that serves the tenant, is
 *     available, not cooling after a miss, and passes the filter of the
 *     contact's step (unless the contact waits for that agent alone);
 *   - order: an agent is offered the best-scored contact it could take, so
 *     none better waits in its pools and none addressed to it alone waits;
 *     with equal priorities that is arrival order (FIFO);
 *   - no free agent while a contact it could take waits (the pool rule);
 *   - every contact is in exactly one state, the one the engine reports,
 *     at the place in line the scores give, and ends with exactly one
 *     terminal event; offers time out, timed wrap-ups end, steps apply on
 *     time; engine_why() gives the reason the model gives; refused
 *     commands return the documented error and emit nothing;
 *   - drained (all agents able and available, every offer accepted, every
 *     contact ended), the engine holds nothing.
 * After each operation the contacts it touched, every agent and every
 * queue are compared with the engine; every FULL_EVERY operations all of
 * it. A failure prints the seed, the operation and the last operations.
 * Environment: RELAIS_INVARIANTS_SEED and _OPS override the runs, _TRACE=1
 * prints every operation and event, _KEEP_GOING=1 reports and goes on.
 *
 * The last tests replay, in a few calls each, failures the random runs
 * found, so that each stays pinned once fixed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/engine.h"

enum {
	MAX_TENANTS = 3,
	MAX_SITES = 4,
	MAX_AGENTS = 30, /* offers are a 32-bit mask of agent slots */
	MAX_QUEUES = 8,
	MAX_STEPS = 3,
	NSKILLS = 4,
	NCUSTOMERS = 20,
	MAX_ALIVE = 240, /* no new contact while this many are alive */
	FULL_EVERY = 50, /* operations between full checks */
	LOG_LINES = 24,
	MAX_REPORTS = 200,
	RUNAWAY = 200000, /* events in one operation: the engine loops */
	ID_BASE = 1000,
};

#define NEVER INT64_MAX

static const char *const skill_names[NSKILLS] = {"lang.fr", "lang.en",
						 "billing", "tech"};
static const char *const tenant_ids[MAX_TENANTS] = {"t0", "t1", "t2"};
static const char *const site_ids[MAX_SITES] = {"s0", "s1", "s2", "s3"};

/* ---- the model ------------------------------------------------------ */

enum atom_kind { AT_TRUE, AT_LEVEL, AT_HAS, AT_KIND };

struct atom {
	enum atom_kind kind;
	int skill, level;
	enum site_kind site_kind;
};

/* A filter of the vocabulary the model can evaluate: A, A && B, A || B. */
enum filter_op { F_ONE, F_AND, F_OR };

struct filter {
	enum filter_op op;
	struct atom a[2];
	char text[128];
};

struct mstep {
	int64_t after;
	bool own_filter; /* false: the engine gets NULL and inherits */
	struct filter f; /* the filter in force, inherited or not */
	int delta;
	enum action action;
	int target;
};

struct mqueue {
	char id[16];
	int tenant;
	enum channel ch;
	int prio;
	enum strategy strat;
	bool last_agent;
	int64_t la_wait;
	int ring_max;
	enum wrapup_policy wrapup;
	int64_t wrapup_ms;
	int nsteps;
	struct mstep steps[MAX_STEPS];
};

struct magent {
	char id[16];
	bool present;
	int site;
	uint8_t skill[NSKILLS]; /* 0: lacks the skill */
	bool serves[MAX_TENANTS];
	uint8_t cap[CH_MAX];
	enum agent_state state; /* OFFLINE, AVAILABLE or PAUSED */
	enum agent_state shown; /* as last reported by an event */
	const char *reason;	/* of a pause or offline, or NULL */
	bool restate;		/* the state stays with another reason */
	int64_t ready_at;	/* cooling after a miss until then */
	int misses;
	uint8_t held[CH_MAX]; /* offered, active or in wrap-up */
	uint8_t busy[CH_MAX]; /* offered or active */
	bool overcap[CH_MAX]; /* capacity cut below what it held */
};

struct mcontact {
	uint64_t id;
	int queue, prio, customer;
	bool callback;
	/* CS_TRANSFERRED: between queues (or just added), no event yet */
	enum contact_state state;
	bool alive, entering, dirty, steps_running, releasing, last_agent;
	bool restep; /* re-stepped once its withdrawn offer is back */
	int step, step_prio, terminal;
	int64_t arrived, entered, offer_since, wrap_due, direct_until;
	int agent;	 /* handling it, or -1 */
	uint32_t offers; /* agent slots it is offered to */
	int direct;	 /* waiting for this agent alone, or -1 */
	int alive_idx;
};

struct flavour {
	const char *name;
	uint64_t seed;
	long ops;
	int min_agents, max_agents;
	bool fifo; /* no priorities, one step: pure arrival order */
};

struct world {
	const struct flavour *fl;
	uint64_t seed, rng;
	long nops, op, events_op, failures;
	bool trace, keep_going, in_handler;
	struct engine *e;
	struct engine_config cfg;
	int64_t now, last_event;
	int ntenants, nsites, nagents, nqueues;
	enum site_kind kinds[MAX_SITES];
	struct magent agents[MAX_AGENTS];
	struct mqueue queues[MAX_QUEUES];
	int la_agent[NCUSTOMERS];
	int64_t la_when[NCUSTOMERS];
	struct mcontact *contacts;
	size_t ncontacts, cap;
	int *alive, *dirty;
	int nalive, ndirty;
	long count[EV_MAX];
	char log[LOG_LINES][160];
};

/* ---- randomness and reports ----------------------------------------- */

static uint64_t rnd(struct world *w)
{
	/* splitmix64: our own stream, independent of the engine's */
	uint64_t z = (w->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int pick(struct world *w, int n)
{
	return (int)(rnd(w) % (uint64_t)n);
}

static bool chance(struct world *w, int percent)
{
	return pick(w, 100) < percent;
}

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

static void dump_log(const struct world *w)
{
	fprintf(stderr, "  last operations:\n");
	for (long i = w->op - LOG_LINES + 1; i <= w->op; i++) {
		if (i >= 0 && w->log[i % LOG_LINES][0])
			fprintf(stderr, "    %s\n", w->log[i % LOG_LINES]);
	}
}

static void __attribute__((format(printf, 2, 3)))
broken(struct world *w, const char *fmt, ...)
{
	char msg[480];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (++w->failures <= MAX_REPORTS) {
		fprintf(stderr, "[%s, seed %#llx] op %ld, t=%lld ms: %s\n",
			w->fl->name, ull(w->seed), w->op, (long long)w->now,
			msg);
		if (w->failures == 1)
			dump_log(w);
		else
			fprintf(stderr, "  during %s\n",
				w->log[w->op % LOG_LINES]);
	}
	/* Inside the handler, let the engine finish the command first. */
	if (!w->keep_going && !w->in_handler)
		fail_msg("invariant broken (%s, seed %#llx, op %ld): %s",
			 w->fl->name, ull(w->seed), w->op, msg);
}

/* Fails the test once the command that broke an invariant returned. */
static void stop_if_broken(struct world *w)
{
	if (w->failures && !w->keep_going)
		fail_msg("invariant broken (%s, seed %#llx, op %ld)",
			 w->fl->name, ull(w->seed), w->op);
}

/* Records what the current operation does, for the failure report. */
static void __attribute__((format(printf, 2, 3)))
note(struct world *w, const char *fmt, ...)
{
	char *line = w->log[w->op % LOG_LINES];
	int n = snprintf(line, sizeof(w->log[0]), "#%ld t=%lld ", w->op,
			 (long long)w->now);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(w->log[0]) - (size_t)n, fmt, ap);
	va_end(ap);
	if (w->trace)
		fprintf(stderr, "%s\n", line);
}

/* ---- filters ------------------------------------------------------- */

static void atom_text(const struct atom *at, char *buf, size_t size)
{
	switch (at->kind) {
	case AT_TRUE:
		snprintf(buf, size, "true");
		break;
	case AT_LEVEL:
		snprintf(buf, size, "%s >= %d", skill_names[at->skill],
			 at->level);
		break;
	case AT_HAS:
		snprintf(buf, size, "has(%s)", skill_names[at->skill]);
		break;
	default:
		snprintf(buf, size, "site.kind == \"%s\"",
			 expr_site_kind_name(at->site_kind));
		break;
	}
}

static void filter_text(struct filter *f)
{
	char l[48], r[48];

	atom_text(&f->a[0], l, sizeof(l));
	if (f->op == F_ONE) {
		snprintf(f->text, sizeof(f->text), "%s", l);
		return;
	}
	atom_text(&f->a[1], r, sizeof(r));
	snprintf(f->text, sizeof(f->text), "%s %s %s", l,
		 f->op == F_AND ? "&&" : "||", r);
}

static void atom_random(struct world *w, struct atom *at, bool kind_ok)
{
	int r = pick(w, kind_ok ? 10 : 8);

	memset(at, 0, sizeof(*at));
	at->skill = pick(w, NSKILLS);
	if (r < 2) {
		at->kind = AT_TRUE;
	} else if (r < 5) {
		at->kind = AT_LEVEL;
		at->level = 1 + pick(w, 6);
	} else if (r < 8) {
		at->kind = AT_HAS;
	} else {
		/* Only kinds the drain can staff (site s gets kind s). */
		at->kind = AT_KIND;
		at->site_kind = (enum site_kind)pick(w, w->nsites);
	}
}

static void filter_random(struct world *w, struct filter *f)
{
	int r = pick(w, 20);

	f->op = r < 13 ? F_ONE : r < 18 ? F_AND : F_OR;
	atom_random(w, &f->a[0], true);
	if (f->op != F_ONE)
		atom_random(w, &f->a[1],
			    f->op == F_OR || f->a[0].kind != AT_KIND);
	filter_text(f);
}

static void filter_true(struct filter *f)
{
	memset(f, 0, sizeof(*f));
	filter_text(f);
}

static bool atom_eval(const struct world *w, const struct atom *at,
		      const struct magent *a)
{
	switch (at->kind) {
	case AT_TRUE:
		return true;
	case AT_LEVEL:
		return a->skill[at->skill] >= at->level;
	case AT_HAS:
		return a->skill[at->skill] > 0;
	default:
		return w->kinds[a->site] == at->site_kind;
	}
}

static bool filter_eval(const struct world *w, const struct filter *f,
			const struct magent *a)
{
	bool l = atom_eval(w, &f->a[0], a);

	if (f->op == F_ONE)
		return l;
	if (f->op == F_AND)
		return l && atom_eval(w, &f->a[1], a);
	return l || atom_eval(w, &f->a[1], a);
}

/* ---- model queries ------------------------------------------------- */

static struct mqueue *queue_of(struct world *w, const struct mcontact *c)
{
	return &w->queues[c->queue];
}

static enum channel chan(struct world *w, const struct mcontact *c)
{
	return queue_of(w, c)->ch;
}

static bool waiting(const struct mcontact *c)
{
	return c->state == CS_QUEUED || c->state == CS_CALLBACK_PENDING;
}

static int eff_prio(struct world *w, const struct mcontact *c)
{
	return queue_of(w, c)->prio + c->prio + c->step_prio;
}

/* The engine's score: priority points minus the first arrival. */
static int64_t score(struct world *w, const struct mcontact *c)
{
	return (int64_t)eff_prio(w, c) * w->cfg.priority_point_ms - c->arrived;
}

/* Higher score first; equal scores in arrival (creation) order. */
static bool better(struct world *w, const struct mcontact *a,
		   const struct mcontact *b)
{
	int64_t ka = score(w, a), kb = score(w, b);

	return ka != kb ? ka > kb : a < b;
}

static const struct filter *filter_of(struct world *w, const struct mcontact *c)
{
	return &queue_of(w, c)->steps[c->step].f;
}

static unsigned units(const struct world *w, const struct magent *a)
{
	unsigned u = 0;

	for (int ch = 0; ch < CH_MAX; ch++)
		u += a->held[ch] * w->cfg.capacity.weight[ch];
	return u;
}

static bool blocked(const struct world *w, const struct magent *a,
		    enum channel ch)
{
	unsigned mask = 0;

	for (int o = 0; o < CH_MAX; o++) {
		if (a->held[o])
			mask |= w->cfg.capacity.blocks[o];
	}
	return mask & (1u << ch);
}

static bool over_budget(const struct world *w, const struct magent *a,
			enum channel ch)
{
	unsigned wt = w->cfg.capacity.weight[ch];

	return wt && units(w, a) + wt > w->cfg.capacity.budget;
}

static bool room(const struct world *w, const struct magent *a, enum channel ch)
{
	return a->held[ch] < a->cap[ch] && !blocked(w, a, ch) &&
	       !over_budget(w, a, ch);
}

/* What the engine calls "takeable": an offer of ch may go to a at t. */
static bool can_take(const struct world *w, const struct magent *a,
		     enum channel ch, int64_t t)
{
	return a->present && a->state == AS_AVAILABLE && a->ready_at <= t &&
	       room(w, a, ch);
}

/* The agent belongs to the pool the contact waits in. */
static bool in_pool(struct world *w, const struct magent *a,
		    const struct mcontact *c)
{
	const struct mqueue *q = queue_of(w, c);

	return a->present && a->serves[q->tenant] && a->cap[q->ch] &&
	       filter_eval(w, filter_of(w, c), a);
}

/* The agent can take the contact at all: tenant and channel. */
static bool fits(struct world *w, int g, const struct mcontact *c)
{
	const struct magent *a = &w->agents[g];

	return a->serves[queue_of(w, c)->tenant] && a->cap[chan(w, c)];
}

static enum agent_state derived(const struct magent *a)
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

enum dstat { D_NONE, D_SURE, D_UNSURE };

/*
 * Whether c waits for its agent alone at t. A last-agent wait that ends
 * exactly at t may have ended or not (timers of one instant fire in their
 * own order), and a contact of an agent who is leaving is being released.
 */
static enum dstat direct_at(const struct mcontact *c, int64_t t)
{
	if (c->direct < 0)
		return D_NONE;
	if (c->releasing || c->direct_until == t)
		return D_UNSURE;
	return c->direct_until > t ? D_SURE : D_NONE;
}

/* After a command every timer due has fired: no doubt is left. */
static bool direct_now(const struct world *w, const struct mcontact *c)
{
	return c->direct >= 0 && !c->releasing &&
	       (c->direct_until == NEVER || c->direct_until > w->now);
}

static bool holds_work(struct world *w, int g)
{
	for (int i = 0; i < w->nalive; i++) {
		if (w->contacts[w->alive[i]].agent == g)
			return true;
	}
	return false;
}

static int agent_slot(const struct world *w, const char *id)
{
	int g;

	if (!id || id[0] != 'a')
		return -1;
	g = atoi(id + 1);
	if (g < 0 || g >= w->nagents || strcmp(w->agents[g].id, id))
		return -1;
	return g;
}

static int queue_slot(const struct world *w, const char *id)
{
	int q;

	if (!id || id[0] != 'q')
		return -1;
	q = atoi(id + 1);
	if (q < 0 || q >= w->nqueues || strcmp(w->queues[q].id, id))
		return -1;
	return q;
}

static const char *agent_name(const struct world *w, int g)
{
	return g >= 0 ? w->agents[g].id : "-";
}

static const char *customer_name(int cust, char *buf, size_t size)
{
	if (cust < 0)
		return NULL;
	snprintf(buf, size, "cust%d", cust);
	return buf;
}

static struct mcontact *contact_by_id(struct world *w, uint64_t id)
{
	if (id < ID_BASE || id - ID_BASE >= w->ncontacts)
		return NULL;
	return &w->contacts[id - ID_BASE];
}

static void touch(struct world *w, struct mcontact *c)
{
	if (c->dirty)
		return;
	c->dirty = true;
	w->dirty[w->ndirty++] = (int)(c - w->contacts);
}

/* ---- model updates -------------------------------------------------- */

static void slot_take(struct world *w, int g, enum channel ch)
{
	w->agents[g].held[ch]++;
	w->agents[g].busy[ch]++;
}

static void engine_slot_release(struct world *w, int g, enum channel ch,
				bool busy)
{
	struct magent *a = &w->agents[g];

	if (!a->held[ch] || (busy && !a->busy[ch])) {
		broken(w, "model: %s releases a %s slot it does not hold",
		       a->id, engine_channel_name(ch));
		return;
	}
	a->held[ch]--;
	if (busy)
		a->busy[ch]--;
}

/* A miss or a reject: a rest, and a pause after too many in a row. */
static void agent_cool(struct world *w, struct magent *a, int64_t t)
{
	a->misses++;
	if (w->cfg.reject_delay_ms > 0)
		a->ready_at = t + w->cfg.reject_delay_ms;
	if (w->cfg.auto_pause_misses > 0 &&
	    a->misses >= w->cfg.auto_pause_misses && a->state == AS_AVAILABLE) {
		a->state = AS_PAUSED;
		a->reason = "missed";
		a->misses = 0;
	}
}

static void alive_del(struct world *w, struct mcontact *c)
{
	int last = w->alive[--w->nalive];

	w->alive[c->alive_idx] = last;
	w->contacts[last].alive_idx = c->alive_idx;
	c->alive = false;
}

/* Last-agent routing as engine.h describes it, at the moment of entry. */
static void route_last_agent(struct world *w, struct mcontact *c, int64_t t)
{
	const struct mqueue *q = queue_of(w, c);
	const struct magent *a;
	int g;

	if (!q->last_agent || c->customer < 0)
		return;
	g = w->la_agent[c->customer];
	if (g < 0 || t - w->la_when[c->customer] > w->cfg.last_agent_window_ms)
		return;
	a = &w->agents[g];
	if (!a->present || !a->cap[q->ch] || a->state == AS_OFFLINE ||
	    !a->serves[q->tenant])
		return;
	if (!can_take(w, a, q->ch, t) && !q->la_wait)
		return;
	c->direct = g;
	c->direct_until = q->la_wait ? t + q->la_wait : NEVER;
	c->last_agent = true;
	if (w->trace)
		fprintf(stderr, "      model: %llu waits for last agent %s\n",
			ull(c->id), a->id);
}

/* The step a contact's wait in its queue falls in now. */
static int step_due(struct world *w, const struct mcontact *c)
{
	const struct mqueue *q = queue_of(w, c);
	int k = 0;

	while (k + 1 < q->nsteps &&
	       c->entered + q->steps[k + 1].after <= w->now)
		k++;
	return k;
}

static void enter_queue(struct world *w, struct mcontact *c, int qi, int64_t t)
{
	c->queue = qi;
	c->entering = true;
	c->entered = t;
	c->step = 0;
	c->step_prio = w->queues[qi].steps[0].delta;
	c->direct = -1;
	c->last_agent = false;
	c->steps_running = true;
}

/* ---- event checks --------------------------------------------------- */

static void check_eligible(struct world *w, struct mcontact *c, int g,
			   int64_t t)
{
	const struct magent *a = &w->agents[g];
	const struct mqueue *q = queue_of(w, c);
	enum dstat d = direct_at(c, t);
	unsigned long long id = ull(c->id);

	if (!a->present || a->state != AS_AVAILABLE)
		broken(w, "contact %llu offered to %s, who is %s", id, a->id,
		       a->present ? engine_agent_state_name(a->state)
				  : "removed");
	if (a->ready_at > t)
		broken(w, "contact %llu offered to %s, cooling until %lld", id,
		       a->id, (long long)a->ready_at);
	if (!a->serves[q->tenant])
		broken(w,
		       "contact %llu of tenant %s offered to %s, who does "
		       "not serve it",
		       id, tenant_ids[q->tenant], a->id);
	if (a->held[q->ch] >= a->cap[q->ch])
		broken(w, "%s contact %llu offered to %s, who holds %d of %d",
		       engine_channel_name(q->ch), id, a->id, a->held[q->ch],
		       a->cap[q->ch]);
	if (blocked(w, a, q->ch))
		broken(w,
		       "%s contact %llu offered to %s, blocked by the voice "
		       "contact held",
		       engine_channel_name(q->ch), id, a->id);
	if (over_budget(w, a, q->ch))
		broken(w,
		       "%s contact %llu offered to %s, over the budget "
		       "(%u units used)",
		       engine_channel_name(q->ch), id, a->id, units(w, a));
	if (d == D_SURE && c->direct != g)
		broken(w,
		       "contact %llu waits for %s alone but was offered to "
		       "%s",
		       id, agent_name(w, c->direct), a->id);
	if ((c->direct != g || d == D_NONE) &&
	    !filter_eval(w, filter_of(w, c), a))
		broken(w,
		       "contact %llu offered to %s, who fails the filter "
		       "of step %d: %s",
		       id, a->id, c->step, filter_of(w, c)->text);
}

static void report_order(struct world *w, const struct mcontact *x,
			 const struct mcontact *b, int g)
{
	bool fifo = x->queue == b->queue && eff_prio(w, x) == eff_prio(w, b);

	broken(w,
	       "%s: %s was offered contact %llu (%s, prio %d, arrived "
	       "%lld) while contact %llu (%s, prio %d, arrived %lld) waited "
	       "in one of its pools",
	       fifo ? "FIFO broken" : "best contact skipped", w->agents[g].id,
	       ull(b->id), queue_of(w, b)->id, eff_prio(w, b),
	       (long long)b->arrived, ull(x->id), queue_of(w, x)->id,
	       eff_prio(w, x), (long long)x->arrived);
}

/*
 * A freed agent takes, first, the contacts waiting for it alone, then the
 * best-scored head among its pools; a new contact goes to a free agent,
 * and a free agent has no contact waiting in its pools. Either way, when
 * b is offered to g, no contact g could take waits ahead of it.
 */
static void check_best(struct world *w, struct mcontact *b, int g, int64_t t)
{
	const struct magent *a = &w->agents[g];
	enum dstat bd = direct_at(b, t);
	bool b_direct = b->direct == g && bd == D_SURE;

	if (b->direct == g && bd == D_UNSURE)
		return;
	for (int i = 0; i < w->nalive; i++) {
		struct mcontact *x = &w->contacts[w->alive[i]];
		enum dstat xd = direct_at(x, t);

		if (x == b || !waiting(x) || xd == D_UNSURE ||
		    !can_take(w, a, chan(w, x), t))
			continue;
		if (xd == D_SURE) {
			if (x->direct == g && (!b_direct || better(w, x, b)))
				broken(w,
				       "%s was offered contact %llu while "
				       "contact %llu waited for it alone",
				       a->id, ull(b->id), ull(x->id));
		} else if (!b_direct && better(w, x, b) && in_pool(w, a, x)) {
			report_order(w, x, b, g);
			return; /* one is enough */
		}
	}
}

/* ---- event handlers ------------------------------------------------- */

static void catch_up_steps(struct world *w, struct mcontact *c, int64_t t);

static void ev_queued(struct world *w, struct mcontact *c,
		      const struct engine_event *ev)
{
	bool back = c->state == CS_OFFERED && !c->offers;

	if (c->state != CS_TRANSFERRED && !back)
		broken(w, "contact %llu queued again while %s", ull(c->id),
		       engine_contact_state_name(c->state));
	if (c->entering)
		route_last_agent(w, c, ev->time);
	/*
	 * Without last_agent_wait_ms the contact goes to its last agent only
	 * if free at once; back from that offer it is in the line.
	 */
	if (back && c->last_agent && c->direct_until == NEVER)
		c->direct = -1;
	/* Nor does it go back to an agent who may no longer take it. */
	if (back && c->direct >= 0 && !fits(w, c->direct, c))
		c->direct = -1;
	c->entering = false;
	c->state = c->callback ? CS_CALLBACK_PENDING : CS_QUEUED;
	if (ev->state != c->state || ev->step != c->step ||
	    ev->priority != eff_prio(w, c))
		broken(w,
		       "contact %llu queued as %s, step %d, prio %d; model "
		       "%s, step %d, prio %d",
		       ull(c->id), engine_contact_state_name(ev->state),
		       ev->step, ev->priority,
		       engine_contact_state_name(c->state), c->step,
		       eff_prio(w, c));
	if (c->restep) {
		c->restep = false;
		catch_up_steps(w, c, ev->time);
	}
}

static void ev_offered(struct world *w, struct mcontact *c, int g,
		       const struct engine_event *ev)
{
	if (!waiting(c) && c->state != CS_OFFERED)
		broken(w, "contact %llu offered while %s", ull(c->id),
		       engine_contact_state_name(c->state));
	if (c->offers & (1u << g))
		broken(w, "contact %llu offered twice to %s", ull(c->id),
		       w->agents[g].id);
	if (ev->priority != eff_prio(w, c) || ev->step != c->step)
		broken(w,
		       "contact %llu offered at prio %d step %d; model "
		       "prio %d step %d",
		       ull(c->id), ev->priority, ev->step, eff_prio(w, c),
		       c->step);
	check_eligible(w, c, g, ev->time);
	check_best(w, c, g, ev->time);
	if (!c->offers)
		c->offer_since = ev->time;
	c->offers |= 1u << g;
	c->state = CS_OFFERED;
	slot_take(w, g, chan(w, c));
}

/* Withdrawn, rejected or missed: the offer to g is over. */
static void ev_offer_gone(struct world *w, struct mcontact *c, int g,
			  const struct engine_event *ev)
{
	if (c->state != CS_OFFERED || !(c->offers & (1u << g))) {
		broken(w, "%s for contact %llu, %s, not offered to %s",
		       engine_event_name(ev->type), ull(c->id),
		       engine_contact_state_name(c->state), w->agents[g].id);
		return;
	}
	c->offers &= ~(1u << g);
	engine_slot_release(w, g, chan(w, c), true);
	if (ev->type != EV_OFFER_WITHDRAWN)
		agent_cool(w, &w->agents[g], ev->time);
}

static void ev_accepted(struct world *w, struct mcontact *c, int g)
{
	if (c->state != CS_OFFERED || c->offers != 1u << g)
		broken(w,
		       "contact %llu accepted by %s while %s, offered to "
		       "mask %#x",
		       ull(c->id), w->agents[g].id,
		       engine_contact_state_name(c->state), c->offers);
	c->state = CS_ACTIVE;
	c->agent = g;
	c->offers = 0;
	w->agents[g].misses = 0;
}

static void ev_ended(struct world *w, struct mcontact *c, int g,
		     const struct engine_event *ev)
{
	const struct mqueue *q = queue_of(w, c);
	enum contact_state want = q->wrapup ? CS_WRAPUP : CS_ACTIVE;

	if (c->state != CS_ACTIVE || c->agent != g || ev->state != want) {
		broken(w, "contact %llu ended by %s as %s; model %s with %s",
		       ull(c->id), agent_name(w, g),
		       engine_contact_state_name(ev->state),
		       engine_contact_state_name(c->state),
		       agent_name(w, c->agent));
		return;
	}
	w->agents[g].busy[q->ch]--;
	c->state = CS_WRAPUP;
	c->wrap_due = q->wrapup == WRAPUP_TIMED	 ? ev->time + q->wrapup_ms
		      : q->wrapup == WRAPUP_NONE ? ev->time
						 : NEVER;
}

static void finish(struct world *w, struct mcontact *c,
		   const struct engine_event *ev)
{
	if (c->offers || c->agent >= 0)
		broken(w,
		       "contact %llu left (%s) still held: offers %#x, "
		       "agent %s",
		       ull(c->id), engine_event_name(ev->type), c->offers,
		       agent_name(w, c->agent));
	c->terminal++;
	c->state = ev->state;
	alive_del(w, c);
}

static void ev_completed(struct world *w, struct mcontact *c, int g,
			 const struct engine_event *ev)
{
	if (c->state != CS_WRAPUP || c->agent != g) {
		broken(w, "contact %llu completed by %s while %s with %s",
		       ull(c->id), agent_name(w, g),
		       engine_contact_state_name(c->state),
		       agent_name(w, c->agent));
		return;
	}
	engine_slot_release(w, g, chan(w, c), false);
	if (c->customer >= 0) {
		w->la_agent[c->customer] = g;
		w->la_when[c->customer] = ev->time;
	}
	c->agent = -1;
	finish(w, c, ev);
}

/* Abandoned, voicemail or closed: the contact leaves unanswered. */
static void ev_left(struct world *w, struct mcontact *c,
		    const struct engine_event *ev)
{
	bool ok = waiting(c) || (c->state == CS_OFFERED && !c->offers) ||
		  (c->state == CS_TRANSFERRED &&
		   ev->type != EV_CONTACT_ABANDONED);

	if (!ok)
		broken(w, "%s for contact %llu while %s",
		       engine_event_name(ev->type), ull(c->id),
		       engine_contact_state_name(c->state));
	finish(w, c, ev);
}

static void ev_transferred(struct world *w, struct mcontact *c, int g,
			   const struct engine_event *ev)
{
	int qi = queue_slot(w, ev->target), to = agent_slot(w, ev->target);

	if (c->state == CS_ACTIVE && c->agent == g) {
		engine_slot_release(w, g, chan(w, c), true);
		c->agent = -1;
	} else if (g >= 0 ||
		   !(waiting(c) || (c->state == CS_OFFERED && !c->offers))) {
		broken(w, "contact %llu transferred from %s while %s with %s",
		       ull(c->id), agent_name(w, g),
		       engine_contact_state_name(c->state),
		       agent_name(w, c->agent));
	}
	c->state = CS_TRANSFERRED;
	if (qi >= 0) {
		enter_queue(w, c, qi, ev->time);
	} else if (to >= 0) {
		c->direct = to;
		c->last_agent = false;
		c->direct_until = NEVER;
		c->steps_running = false; /* the engine stops its steps */
	} else {
		broken(w, "contact %llu transferred to unknown %s", ull(c->id),
		       ev->target ? ev->target : "(null)");
	}
}

static void ev_step(struct world *w, struct mcontact *c,
		    const struct engine_event *ev)
{
	const struct mqueue *q = queue_of(w, c);

	if ((!waiting(c) && c->state != CS_OFFERED) ||
	    ev->step != c->step + 1 || ev->step >= q->nsteps) {
		broken(w, "contact %llu went to step %d while %s at step %d",
		       ull(c->id), ev->step,
		       engine_contact_state_name(c->state), c->step);
		return;
	}
	c->step = ev->step;
	c->step_prio += q->steps[c->step].delta;
	if (ev->priority != eff_prio(w, c))
		broken(w, "contact %llu at step %d has prio %d, model %d",
		       ull(c->id), c->step, ev->priority, eff_prio(w, c));
}

static void ev_callback(struct world *w, struct mcontact *c)
{
	if (c->state != CS_QUEUED)
		broken(w, "contact %llu became a callback while %s", ull(c->id),
		       engine_contact_state_name(c->state));
	c->callback = true;
	c->state = CS_CALLBACK_PENDING;
}

static void ev_callback_dial(struct world *w, struct mcontact *c, int g)
{
	if (c->state != CS_ACTIVE || !c->callback || c->agent != g)
		broken(w,
		       "callback dial for contact %llu (%s, callback %d) "
		       "by %s",
		       ull(c->id), engine_contact_state_name(c->state),
		       c->callback, agent_name(w, g));
}

static void ev_agent_state(struct world *w, const struct engine_event *ev)
{
	int g = agent_slot(w, ev->agent);
	struct magent *a;

	if (g < 0) {
		broken(w, "state of unknown agent %s", ev->agent);
		return;
	}
	a = &w->agents[g];
	if (ev->prev_state != a->shown ||
	    (ev->agent_state == ev->prev_state && !a->restate) ||
	    ev->agent_state != derived(a))
		broken(w, "%s reported %s -> %s; model %s -> %s", a->id,
		       engine_agent_state_name(ev->prev_state),
		       engine_agent_state_name(ev->agent_state),
		       engine_agent_state_name(a->shown),
		       engine_agent_state_name(derived(a)));
	a->shown = ev->agent_state;
}

static bool event_matches_queue(struct world *w, const struct mcontact *c,
				const struct engine_event *ev)
{
	const struct mqueue *q = queue_of(w, c);

	return ev->queue && !strcmp(ev->queue, q->id) && ev->tenant &&
	       !strcmp(ev->tenant, tenant_ids[q->tenant]) &&
	       ev->channel == q->ch;
}

static void contact_event(struct world *w, struct mcontact *c, int g,
			  const struct engine_event *ev)
{
	switch (ev->type) {
	case EV_CONTACT_QUEUED:
		ev_queued(w, c, ev);
		break;
	case EV_CONTACT_OFFERED:
		ev_offered(w, c, g, ev);
		break;
	case EV_OFFER_WITHDRAWN:
	case EV_OFFER_REJECTED:
	case EV_OFFER_MISSED:
		ev_offer_gone(w, c, g, ev);
		break;
	case EV_CONTACT_ACCEPTED:
		ev_accepted(w, c, g);
		break;
	case EV_CONTACT_STEP:
		ev_step(w, c, ev);
		break;
	case EV_CONTACT_ENDED:
		ev_ended(w, c, g, ev);
		break;
	case EV_CONTACT_COMPLETED:
		ev_completed(w, c, g, ev);
		break;
	case EV_CONTACT_TRANSFERRED:
		ev_transferred(w, c, g, ev);
		break;
	case EV_CONTACT_CALLBACK:
		ev_callback(w, c);
		break;
	case EV_CALLBACK_DIAL:
		ev_callback_dial(w, c, g);
		break;
	case EV_CALLBACK_OFFER:
		break;
	default: /* abandoned, voicemail, closed */
		ev_left(w, c, ev);
		break;
	}
}

/* Events that must name an agent. */
static bool needs_agent(enum engine_event_type t)
{
	return t == EV_CONTACT_OFFERED || t == EV_OFFER_WITHDRAWN ||
	       t == EV_OFFER_REJECTED || t == EV_OFFER_MISSED ||
	       t == EV_CONTACT_ACCEPTED || t == EV_CONTACT_ENDED ||
	       t == EV_CONTACT_COMPLETED || t == EV_CALLBACK_DIAL;
}

static void trace_event(const struct engine_event *ev)
{
	fprintf(stderr,
		"      %lld %s c=%llu a=%s q=%s %s step=%d prio=%d%s%s\n",
		(long long)ev->time, engine_event_name(ev->type),
		ull(ev->contact), ev->agent ? ev->agent : "-",
		ev->queue ? ev->queue : "-",
		ev->type == EV_AGENT_STATE
			? engine_agent_state_name(ev->agent_state)
			: engine_contact_state_name(ev->state),
		ev->step, ev->priority, ev->target ? " to " : "",
		ev->target ? ev->target : "");
}

static bool event_sane(struct world *w, const struct engine_event *ev)
{
	if (++w->events_op > RUNAWAY)
		fail_msg("runaway: over %d events in op %ld (%s, seed %#llx)",
			 RUNAWAY, w->op, w->fl->name, ull(w->seed));
	if (w->trace)
		trace_event(ev);
	if ((unsigned)ev->type >= EV_MAX) {
		broken(w, "event of unknown type %d", ev->type);
		return false;
	}
	w->count[ev->type]++;
	if (ev->time < w->last_event || ev->time > w->now)
		broken(w, "%s at %lld: time went from %lld (now %lld)",
		       engine_event_name(ev->type), (long long)ev->time,
		       (long long)w->last_event, (long long)w->now);
	w->last_event = ev->time;
	return true;
}

static void record(struct world *w, const struct engine_event *ev)
{
	struct mcontact *c;
	int g;

	if (!event_sane(w, ev))
		return;
	if (ev->type == EV_AGENT_STATE) {
		ev_agent_state(w, ev);
		return;
	}
	c = contact_by_id(w, ev->contact);
	g = agent_slot(w, ev->agent);
	if (!c || !c->alive) {
		broken(w, "%s for contact %llu, which %s",
		       engine_event_name(ev->type), ull(ev->contact),
		       c ? "already ended" : "was never added");
		return;
	}
	touch(w, c);
	if (!event_matches_queue(w, c, ev))
		broken(w, "%s for contact %llu names queue %s, model %s",
		       engine_event_name(ev->type), ull(c->id),
		       ev->queue ? ev->queue : "-", queue_of(w, c)->id);
	if (needs_agent(ev->type) && g < 0) {
		broken(w, "%s for contact %llu names agent %s",
		       engine_event_name(ev->type), ull(c->id),
		       ev->agent ? ev->agent : "(null)");
		return;
	}
	contact_event(w, c, g, ev);
}

/* The handler: it updates the model and checks, never calls the engine. */
static void on_event(void *arg, const struct engine_event *ev)
{
	struct world *w = arg;

	w->in_handler = true;
	record(w, ev);
	w->in_handler = false;
}

/* ---- checks against the engine -------------------------------------- */

static bool agent_matches(struct world *w, const struct mcontact *c,
			  const char *id)
{
	int g = agent_slot(w, id);

	if (c->state == CS_ACTIVE || c->state == CS_WRAPUP)
		return g >= 0 && g == c->agent;
	if (c->state == CS_OFFERED)
		return g >= 0 && (c->offers & (1u << g));
	return !id;
}

static bool same_line(struct world *w, const struct mcontact *a,
		      const struct mcontact *b)
{
	const struct mqueue *qa = queue_of(w, a), *qb = queue_of(w, b);

	if (direct_now(w, a) || direct_now(w, b))
		return direct_now(w, a) && direct_now(w, b) &&
		       a->direct == b->direct;
	return qa->tenant == qb->tenant && qa->ch == qb->ch &&
	       qa->strat == qb->strat &&
	       !strcmp(filter_of(w, a)->text, filter_of(w, b)->text);
}

/* 1 + the waiting contacts of the same line (pool or agent) ahead. */
static uint32_t position(struct world *w, const struct mcontact *c)
{
	uint32_t pos = 1;

	for (int i = 0; i < w->nalive; i++) {
		const struct mcontact *x = &w->contacts[w->alive[i]];

		if (x != c && waiting(x) && better(w, x, c) &&
		    same_line(w, x, c))
			pos++;
	}
	return pos;
}

static void compare_info(struct world *w, const struct mcontact *c,
			 const struct engine_contact_info *info, bool full)
{
	unsigned long long id = ull(c->id);

	if (info->state != c->state)
		broken(w, "contact %llu is %s, model %s", id,
		       engine_contact_state_name(info->state),
		       engine_contact_state_name(c->state));
	if (strcmp(info->queue, queue_of(w, c)->id))
		broken(w, "contact %llu is in %s, model %s", id, info->queue,
		       queue_of(w, c)->id);
	if (!agent_matches(w, c, info->agent))
		broken(w, "contact %llu (%s) is with %s, model %s / offers %#x",
		       id, engine_contact_state_name(c->state),
		       info->agent ? info->agent : "nobody",
		       agent_name(w, c->agent), c->offers);
	if (info->step != c->step || info->priority != eff_prio(w, c))
		broken(w, "contact %llu at step %d prio %d, model %d prio %d",
		       id, info->step, info->priority, c->step, eff_prio(w, c));
	if (full && waiting(c) && info->position != position(w, c))
		broken(w, "contact %llu is %u in line, model %u", id,
		       info->position, position(w, c));
}

static void check_contact(struct world *w, struct mcontact *c, bool full)
{
	struct engine_contact_info info;
	int rc = engine_contact_info(w->e, w->now, c->id, &info);

	if (!c->alive) {
		if (rc != ENOENT)
			broken(w,
			       "contact %llu ended (%s) but info returns "
			       "%d",
			       ull(c->id), engine_contact_state_name(c->state),
			       rc);
		return;
	}
	if (rc) {
		broken(w, "contact %llu (%s) is lost: info returns %d",
		       ull(c->id), engine_contact_state_name(c->state), rc);
		return;
	}
	if (!waiting(c) && !(c->state == CS_OFFERED && c->offers) &&
	    !((c->state == CS_ACTIVE || c->state == CS_WRAPUP) &&
	      c->agent >= 0))
		broken(w, "contact %llu left in no state (%s, offers %#x)",
		       ull(c->id), engine_contact_state_name(c->state),
		       c->offers);
	compare_info(w, c, &info, full);
}

static void check_agent(struct world *w, int g)
{
	struct magent *a = &w->agents[g];
	enum agent_state st;
	uint8_t load[CH_MAX];
	int rc = engine_agent_info(w->e, a->id, &st, load);

	if (!a->present) {
		if (rc != ENOENT)
			broken(w, "removed agent %s still known (%d)", a->id,
			       rc);
		return;
	}
	if (rc || memcmp(load, a->held, sizeof(load)) || st != derived(a)) {
		broken(w,
		       "agent %s: engine %s load %d/%d/%d/%d, model %s "
		       "load %d/%d/%d/%d",
		       a->id, rc ? "?" : engine_agent_state_name(st), load[0],
		       load[1], load[2], load[3],
		       engine_agent_state_name(derived(a)), a->held[0],
		       a->held[1], a->held[2], a->held[3]);
		return;
	}
	for (int ch = 0; ch < CH_MAX; ch++) {
		if (a->held[ch] <= a->cap[ch])
			a->overcap[ch] = false;
		else if (!a->overcap[ch])
			broken(w, "agent %s holds %d %s contacts, capacity %d",
			       a->id, a->held[ch], engine_channel_name(ch),
			       a->cap[ch]);
	}
	if (units(w, a) > w->cfg.capacity.budget)
		broken(w, "agent %s uses %u units of %u", a->id, units(w, a),
		       w->cfg.capacity.budget);
}

static void check_queues(struct world *w)
{
	struct engine_queue_stats want[MAX_QUEUES], st;

	memset(want, 0, sizeof(want));
	for (int i = 0; i < w->nalive; i++) {
		const struct mcontact *c = &w->contacts[w->alive[i]];
		struct engine_queue_stats *s = &want[c->queue];

		if (waiting(c))
			s->waiting++;
		else if (c->state == CS_OFFERED)
			s->offered++;
		else
			s->active++;
	}
	for (int q = 0; q < w->nqueues; q++) {
		if (engine_queue_stats(w->e, w->now, w->queues[q].id, &st) ||
		    st.waiting != want[q].waiting ||
		    st.offered != want[q].offered ||
		    st.active != want[q].active)
			broken(w,
			       "queue %s holds %u/%u/%u waiting/offered/"
			       "active, model %u/%u/%u",
			       w->queues[q].id, st.waiting, st.offered,
			       st.active, want[q].waiting, want[q].offered,
			       want[q].active);
	}
}

/* After each operation: what it touched, every agent and queue. */
static void check_touched(struct world *w)
{
	if (engine_next_timer(w->e) <= w->now)
		broken(w, "harness: a timer is due at %lld, not yet fired",
		       (long long)engine_next_timer(w->e));
	for (int i = 0; i < w->ndirty; i++) {
		struct mcontact *c = &w->contacts[w->dirty[i]];

		c->dirty = false;
		check_contact(w, c, false);
	}
	w->ndirty = 0;
	for (int g = 0; g < w->nagents; g++)
		check_agent(w, g);
	check_queues(w);
}

/* The model agrees with itself: loads are the sum of what contacts hold. */
static void check_model(struct world *w)
{
	uint8_t held[MAX_AGENTS][CH_MAX], busy[MAX_AGENTS][CH_MAX];

	memset(held, 0, sizeof(held));
	memset(busy, 0, sizeof(busy));
	for (int i = 0; i < w->nalive; i++) {
		const struct mcontact *c = &w->contacts[w->alive[i]];
		enum channel ch = chan(w, c);

		for (int g = 0; g < w->nagents; g++) {
			if (c->offers & (1u << g)) {
				held[g][ch]++;
				busy[g][ch]++;
			}
		}
		if (c->agent >= 0) {
			held[c->agent][ch]++;
			busy[c->agent][ch] += c->state == CS_ACTIVE;
		}
	}
	for (int g = 0; g < w->nagents; g++) {
		if (memcmp(held[g], w->agents[g].held, CH_MAX) ||
		    memcmp(busy[g], w->agents[g].busy, CH_MAX))
			broken(w,
			       "model: loads of %s disagree with its "
			       "contacts",
			       w->agents[g].id);
	}
}

/* Offers time out, timed wrap-ups end, steps apply when due. */
static void check_timers(struct world *w, const struct mcontact *c)
{
	unsigned long long id = ull(c->id);

	if (c->state == CS_OFFERED &&
	    c->offer_since + w->cfg.offer_timeout_ms <= w->now)
		broken(w, "contact %llu offered since %lld never timed out", id,
		       (long long)c->offer_since);
	if (c->state == CS_WRAPUP && c->wrap_due <= w->now)
		broken(w, "contact %llu still in wrap-up, due at %lld", id,
		       (long long)c->wrap_due);
	if ((waiting(c) || c->state == CS_OFFERED) && c->steps_running &&
	    step_due(w, c) != c->step)
		broken(w,
		       "contact %llu at step %d, due at step %d (entered "
		       "%lld)",
		       id, c->step, step_due(w, c), (long long)c->entered);
}

/* The pool rule: no agent is free while a contact it could take waits. */
static void check_free_agents(struct world *w, const struct mcontact *c)
{
	enum channel ch = chan(w, c);

	if (!waiting(c))
		return;
	if (direct_now(w, c)) {
		const struct magent *a = &w->agents[c->direct];

		if (!a->serves[queue_of(w, c)->tenant] || !a->cap[ch])
			broken(w,
			       "contact %llu waits for %s alone, who no "
			       "longer takes %s contacts of %s",
			       ull(c->id), a->id, engine_channel_name(ch),
			       tenant_ids[queue_of(w, c)->tenant]);
		else if (can_take(w, a, ch, w->now))
			broken(w,
			       "%s is free, yet contact %llu waits for it "
			       "alone",
			       a->id, ull(c->id));
		return;
	}
	for (int g = 0; g < w->nagents; g++) {
		const struct magent *a = &w->agents[g];

		if (in_pool(w, a, c) && can_take(w, a, ch, w->now)) {
			broken(w,
			       "%s is free for contact %llu (%s step %d: "
			       "%s), which waits",
			       a->id, ull(c->id), queue_of(w, c)->id, c->step,
			       filter_of(w, c)->text);
			return;
		}
	}
}

/* engine_why() walks the matcher's rules in a fixed order; so does this. */
static enum why expected_why(struct world *w, const struct mcontact *c, int g)
{
	const struct magent *a = &w->agents[g];
	const struct mqueue *q = queue_of(w, c);
	bool direct = direct_now(w, c);

	if (c->offers & (1u << g))
		return WHY_OFFERED_TO;
	if (!waiting(c) && c->state != CS_OFFERED)
		return WHY_NOT_WAITING;
	if (!a->serves[q->tenant])
		return WHY_OTHER_TENANT;
	if (!a->cap[q->ch])
		return WHY_NO_CHANNEL;
	if (a->state != AS_AVAILABLE)
		return a->state == AS_OFFLINE ? WHY_OFFLINE : WHY_PAUSED;
	if (direct && c->direct != g)
		return WHY_DIRECT;
	if (!direct && !filter_eval(w, filter_of(w, c), a))
		return WHY_FILTER;
	if (a->ready_at > w->now)
		return WHY_COOLING;
	if (a->held[q->ch] >= a->cap[q->ch])
		return WHY_AT_CAPACITY;
	if (blocked(w, a, q->ch))
		return WHY_BLOCKED;
	if (over_budget(w, a, q->ch))
		return WHY_BUDGET;
	return c->state == CS_OFFERED ? WHY_LOWER_IN_ORDER : WHY_ELIGIBLE;
}

/* Asks why one agent (a different one each time) is not on c. */
static void check_why(struct world *w, const struct mcontact *c)
{
	int g = (int)((c->id + (uint64_t)w->op) % (uint64_t)w->nagents);
	enum why why = WHY_MAX, want;
	char text[256] = "";
	int rc = engine_why(w->e, w->now, c->id, w->agents[g].id, &why, text,
			    sizeof(text));

	if (!w->agents[g].present) {
		if (rc != ENOENT)
			broken(w, "why %llu / removed %s: %d", ull(c->id),
			       w->agents[g].id, rc);
		return;
	}
	want = rc ? WHY_MAX : expected_why(w, c, g);
	if (rc || why != want)
		broken(w,
		       "why not %s on contact %llu (%s): engine %s (\"%s\"), "
		       "model %s",
		       w->agents[g].id, ull(c->id),
		       engine_contact_state_name(c->state),
		       engine_why_name(why), text, engine_why_name(want));
}

/* Whether c waits for one agent alone, as engine_why() tells it. */
static void check_line(struct world *w, const struct mcontact *c)
{
	const struct mqueue *q = queue_of(w, c);
	bool direct = direct_now(w, c);
	enum why why;
	char text[256];

	for (int g = 0; g < w->nagents; g++) {
		const struct magent *a = &w->agents[g];

		/* The first agent the explanation reaches WHY_DIRECT for. */
		if (!a->present || a->state != AS_AVAILABLE ||
		    !a->serves[q->tenant] || !a->cap[q->ch] ||
		    (c->offers & (1u << g)) || (direct && c->direct == g))
			continue;
		if (engine_why(w->e, w->now, c->id, a->id, &why, text,
			       sizeof(text)))
			return;
		if (direct != (why == WHY_DIRECT))
			broken(w,
			       "contact %llu (%s) should wait %s; engine: "
			       "%s",
			       ull(c->id), queue_of(w, c)->id,
			       direct ? "for its agent alone" : "in its line",
			       text);
		return;
	}
}

static void check_all(struct world *w)
{
	check_model(w);
	for (int i = 0; i < w->nalive; i++) {
		const struct mcontact *c = &w->contacts[w->alive[i]];

		if (waiting(c) || c->state == CS_OFFERED)
			check_line(w, c);
	}
	for (int i = 0; i < w->nalive; i++) {
		struct mcontact *c = &w->contacts[w->alive[i]];

		check_contact(w, c, true);
		check_timers(w, c);
		check_free_agents(w, c);
		check_why(w, c);
	}
}

static void op_begin(struct world *w)
{
	w->op++;
	w->events_op = 0;
	w->log[w->op % LOG_LINES][0] = '\0';
}

static void op_end(struct world *w)
{
	stop_if_broken(w);
	check_touched(w);
	if (w->op % FULL_EVERY == 0)
		check_all(w);
}

static void expect_rc(struct world *w, const char *what, int rc, int want)
{
	if (rc != want)
		broken(w, "%s returned %d (%s), expected %d (%s)", what, rc,
		       strerror(rc), want, strerror(want));
	else if (rc && w->events_op)
		broken(w, "%s refused (%s) yet emitted %ld events", what,
		       strerror(rc), w->events_op);
}

/* ---- commands: predict, call, compare -------------------------------- */

static void do_add(struct world *w, int qi, int prio, int cust, bool cb)
{
	struct mcontact *c = &w->contacts[w->ncontacts];
	struct engine_contact in = {0};
	struct engine_contact_info info;
	char name[16];
	int rc;

	memset(c, 0, sizeof(*c));
	c->id = ID_BASE + w->ncontacts++;
	c->queue = qi;
	c->prio = prio;
	c->customer = cust;
	c->callback = cb;
	c->state = CS_TRANSFERRED;
	c->alive = true;
	c->arrived = w->now;
	c->agent = -1;
	enter_queue(w, c, qi, w->now);
	c->alive_idx = w->nalive;
	w->alive[w->nalive++] = (int)(c - w->contacts);
	touch(w, c);
	in.id = c->id;
	in.queue = w->queues[qi].id;
	in.priority = prio;
	in.customer = customer_name(cust, name, sizeof(name));
	in.callback = cb;
	note(w, "add %llu to %s prio %d customer %s%s", ull(c->id), in.queue,
	     prio, in.customer ? in.customer : "-", cb ? " callback" : "");
	rc = engine_contact_add(w->e, w->now, &in, &info);
	expect_rc(w, "contact_add", rc, 0);
	if (!rc && c->alive && info.state != c->state)
		broken(w, "contact_add says %llu is %s, events say %s",
		       ull(c->id), engine_contact_state_name(info.state),
		       engine_contact_state_name(c->state));
}

/* accept and reject share their refusals. */
static int offer_rc(struct world *w, const struct mcontact *c, int g)
{
	if (!c->alive || g < 0 || !w->agents[g].present)
		return ENOENT;
	if (c->state == CS_OFFERED && (c->offers & (1u << g)))
		return 0;
	return EINVAL;
}

static void do_answer(struct world *w, struct mcontact *c, int g, bool yes)
{
	int want = offer_rc(w, c, g), rc;
	const char *agent = g >= 0 ? w->agents[g].id : "nobody";

	touch(w, c);
	note(w, "%s %llu by %s", yes ? "accept" : "reject", ull(c->id), agent);
	if (yes)
		rc = engine_contact_accept(w->e, w->now, c->id, agent);
	else
		rc = engine_contact_reject(w->e, w->now, c->id, agent);
	expect_rc(w, yes ? "accept" : "reject", rc, want);
}

enum cmd { CMD_END, CMD_WRAPUP_DONE, CMD_ABANDON, CMD_CALLBACK };

static int cmd_rc(const struct mcontact *c, enum cmd cmd)
{
	bool ok;

	if (!c->alive)
		return ENOENT;
	switch (cmd) {
	case CMD_END:
		ok = c->state == CS_ACTIVE;
		break;
	case CMD_WRAPUP_DONE:
		ok = c->state == CS_WRAPUP;
		break;
	case CMD_ABANDON:
		ok = waiting(c) || c->state == CS_OFFERED;
		break;
	default:
		ok = c->state == CS_QUEUED;
		break;
	}
	return ok ? 0 : EINVAL;
}

static void do_cmd(struct world *w, struct mcontact *c, enum cmd cmd)
{
	static const char *const names[] = {"end", "wrapup_done", "abandon",
					    "callback"};
	int want = cmd_rc(c, cmd), rc;

	touch(w, c);
	note(w, "%s %llu (%s)", names[cmd], ull(c->id),
	     engine_contact_state_name(c->state));
	if (cmd == CMD_END)
		rc = engine_contact_end(w->e, w->now, c->id);
	else if (cmd == CMD_WRAPUP_DONE)
		rc = engine_contact_wrapup_done(w->e, w->now, c->id);
	else if (cmd == CMD_ABANDON)
		rc = engine_contact_abandon(w->e, w->now, c->id);
	else
		rc = engine_contact_callback(w->e, w->now, c->id);
	expect_rc(w, names[cmd], rc, want);
}

static int transfer_rc(struct world *w, const struct mcontact *c, int qi, int g)
{
	const struct mqueue *q;

	if (!c->alive || (qi < 0 && !w->agents[g].present))
		return ENOENT;
	if (!waiting(c) && c->state != CS_OFFERED && c->state != CS_ACTIVE)
		return EINVAL;
	q = queue_of(w, c);
	if (qi >= 0)
		return w->queues[qi].tenant == q->tenant ? 0 : EPERM;
	if (!w->agents[g].serves[q->tenant] || !w->agents[g].cap[q->ch])
		return EPERM;
	return 0;
}

/* To queue qi, or to agent g when qi < 0. */
static void do_transfer(struct world *w, struct mcontact *c, int qi, int g)
{
	int want = transfer_rc(w, c, qi, g), rc;
	const char *q = qi >= 0 ? w->queues[qi].id : NULL;
	const char *a = qi >= 0 ? NULL : w->agents[g].id;

	touch(w, c);
	note(w, "transfer %llu (%s) to %s", ull(c->id),
	     engine_contact_state_name(c->state), q ? q : a);
	rc = engine_contact_transfer(w->e, w->now, c->id, q, a);
	expect_rc(w, "transfer", rc, want);
}

/* The contact takes the step its wait falls in, and its steps run. */
static void catch_up_steps(struct world *w, struct mcontact *c, int64_t t)
{
	int64_t now = w->now;

	w->now = t;
	c->step = step_due(w, c);
	w->now = now;
	c->step_prio = 0;
	for (int k = 0; k <= c->step; k++)
		c->step_prio += w->queues[c->queue].steps[k].delta;
	c->steps_running = true;
	touch(w, c);
}

/*
 * Contacts waiting for g alone are let go when g leaves; on and off
 * around the command, as the engine lets them go one by one. A released
 * contact rejoins its queue's line at the step its wait falls in.
 */
static void mark_releasing(struct world *w, int g, bool on)
{
	for (int i = 0; i < w->nalive; i++) {
		struct mcontact *c = &w->contacts[w->alive[i]];

		if (on && c->direct == g) {
			c->releasing = true;
			/* the engine re-steps it as it lets it go (its steps
			 * were paused); an offer to g comes back first, at
			 * its old step */
			if (!c->steps_running && waiting(c))
				catch_up_steps(w, c, w->now);
			else if (!c->steps_running && c->state == CS_OFFERED)
				c->restep = true;
		} else if (!on && c->releasing && c->direct == g) {
			c->direct = -1;
		}
		if (!on)
			c->releasing = false;
	}
}

/* Waiting for g, which may no longer take them: let go (agent_set). */
static void mark_unfit(struct world *w, int g)
{
	for (int i = 0; i < w->nalive; i++) {
		struct mcontact *c = &w->contacts[w->alive[i]];

		if (c->direct == g && waiting(c) && !fits(w, g, c)) {
			c->releasing = true;
			if (!c->steps_running)
				catch_up_steps(w, c, w->now);
		}
	}
}

static void do_agent_state(struct world *w, int g, enum agent_state st)
{
	struct magent *a = &w->agents[g];
	int want = !a->present				  ? ENOENT
		   : st == AS_OFFLINE && holds_work(w, g) ? EBUSY
							  : 0;
	int rc;

	const char *reason = st == AS_PAUSED ? "break" : NULL;

	note(w, "%s %s (was %s)", a->id, engine_agent_state_name(st),
	     engine_agent_state_name(a->state));
	if (!want) {
		/* another pause's reason is reported, as a change */
		a->restate = a->state == st && st != AS_AVAILABLE &&
			     strcmp(a->reason ? a->reason : "",
				    reason ? reason : "");
		a->state = st;
		a->reason = reason;
		a->misses = 0;
		if (st == AS_OFFLINE)
			mark_releasing(w, g, true);
	}
	rc = engine_agent_state(w->e, w->now, a->id, st, reason);
	a->restate = false;
	expect_rc(w, "agent_state", rc, want);
	if (!want && st == AS_OFFLINE)
		mark_releasing(w, g, false);
}

static int agent_push(struct world *w, const struct magent *a)
{
	const char *skills[NSKILLS] = {0}, *tenants[MAX_TENANTS] = {0};
	uint8_t levels[NSKILLS] = {0};
	struct engine_agent in = {0};

	for (int s = 0; s < NSKILLS; s++) {
		if (a->skill[s]) {
			skills[in.nskills] = skill_names[s];
			levels[in.nskills++] = a->skill[s];
		}
	}
	for (int t = 0; t < w->ntenants; t++) {
		if (a->serves[t])
			tenants[in.ntenants++] = tenant_ids[t];
	}
	in.id = a->id;
	in.site = site_ids[a->site];
	in.skill_names = skills;
	in.skill_levels = levels;
	in.tenants = tenants;
	memcpy(in.capacity, a->cap, sizeof(in.capacity));
	return engine_agent_set(w->e, &in);
}

/* Adds agent g (offline) or replaces its skills, tenants, site, capacity. */
static void do_agent_set(struct world *w, int g, const struct magent *cfg)
{
	struct magent *a = &w->agents[g];

	note(w,
	     "set %s%s: site %s, skills %d/%d/%d/%d, tenants %d%d%d, "
	     "cap %d/%d/%d/%d",
	     a->id, a->present ? "" : " (new)", site_ids[cfg->site],
	     cfg->skill[0], cfg->skill[1], cfg->skill[2], cfg->skill[3],
	     cfg->serves[0], cfg->serves[1], cfg->serves[2], cfg->cap[0],
	     cfg->cap[1], cfg->cap[2], cfg->cap[3]);
	if (!a->present) {
		memset(a->held, 0, sizeof(a->held));
		memset(a->busy, 0, sizeof(a->busy));
		a->state = a->shown = AS_OFFLINE;
		a->ready_at = 0;
		a->misses = 0;
		a->present = true;
	}
	a->site = cfg->site;
	memcpy(a->skill, cfg->skill, sizeof(a->skill));
	memcpy(a->serves, cfg->serves, sizeof(a->serves));
	memcpy(a->cap, cfg->cap, sizeof(a->cap));
	for (int ch = 0; ch < CH_MAX; ch++)
		a->overcap[ch] = a->held[ch] > a->cap[ch];
	mark_unfit(w, g);
	expect_rc(w, "agent_set", agent_push(w, a), 0);
	mark_releasing(w, g, false);
}

static void do_agent_remove(struct world *w, int g)
{
	struct magent *a = &w->agents[g];
	int want = !a->present ? ENOENT : holds_work(w, g) ? EBUSY : 0;

	note(w, "remove %s (%s)", a->id, engine_agent_state_name(a->state));
	if (!want) {
		a->state = AS_OFFLINE;
		a->reason = NULL;
		mark_releasing(w, g, true);
	}
	expect_rc(w, "agent_remove", engine_agent_remove(w->e, w->now, a->id),
		  want);
	if (want)
		return;
	mark_releasing(w, g, false);
	for (int ch = 0; ch < CH_MAX; ch++) {
		if (a->held[ch])
			broken(w,
			       "removed agent %s still held %d %s "
			       "contacts",
			       a->id, a->held[ch], engine_channel_name(ch));
	}
	a->present = false;
}

static int queue_push(struct world *w, const struct mqueue *q)
{
	struct engine_step steps[MAX_STEPS];
	struct engine_queue in = {0};
	struct engine_error err;
	int rc;

	memset(steps, 0, sizeof(steps));
	for (int k = 0; k < q->nsteps; k++) {
		const struct mstep *s = &q->steps[k];

		steps[k].after_ms = s->after;
		steps[k].filter = s->own_filter ? s->f.text : NULL;
		steps[k].priority_delta = s->delta;
		steps[k].action = s->action;
		if (s->action == ACTION_TRANSFER)
			steps[k].target = w->queues[s->target].id;
	}
	in.id = q->id;
	in.tenant = tenant_ids[q->tenant];
	in.channel = q->ch;
	in.priority = q->prio;
	in.sl_threshold_ms = 20000;
	in.strategy = q->strat;
	in.last_agent = q->last_agent;
	in.last_agent_wait_ms = q->la_wait;
	in.ring_max = q->ring_max;
	in.wrapup = q->wrapup;
	in.wrapup_ms = q->wrapup_ms;
	in.aht_ms = 120000;
	in.steps = steps;
	in.nsteps = (size_t)q->nsteps;
	rc = engine_queue_set(w->e, w->now, &in, &err);
	if (rc && rc != EBUSY)
		fprintf(stderr, "queue_set %s: %s\n", q->id, err.msg);
	return rc;
}

/*
 * A replaced queue's contacts keep their arrival and take the step their
 * wait falls in, with the priority changes of the steps up to it.
 */
static void requeue_model(struct world *w, int qi)
{
	for (int i = 0; i < w->nalive; i++) {
		struct mcontact *c = &w->contacts[w->alive[i]];

		if (c->queue == qi)
			catch_up_steps(w, c, w->now);
	}
}

static void do_queue_set(struct world *w, int qi, const struct mqueue *nq)
{
	struct mqueue *q = &w->queues[qi];
	int n = 0, want;

	for (int i = 0; i < w->nalive; i++)
		n += w->contacts[w->alive[i]].queue == qi;
	want = n && nq->ch != q->ch ? EBUSY : 0;
	note(w, "set %s: %s %s prio %d, %d steps, step 0: %s", nq->id,
	     engine_channel_name(nq->ch), engine_strategy_name(nq->strat),
	     nq->prio, nq->nsteps, nq->steps[0].f.text);
	if (!want) {
		*q = *nq;
		requeue_model(w, qi);
	}
	expect_rc(w, "queue_set", queue_push(w, nq), want);
}

static void do_site_set(struct world *w, int s, enum site_kind kind)
{
	struct engine_site in = {site_ids[s], kind, s % 2 ? "MA" : "FR",
				 1000 + 500 * s};

	note(w, "site %s becomes %s", site_ids[s], expr_site_kind_name(kind));
	w->kinds[s] = kind;
	expect_rc(w, "site_set", engine_site_set(w->e, &in), 0);
}

static void do_advance(struct world *w, int64_t dt)
{
	note(w, "advance %lld ms", (long long)dt);
	w->now += dt;
	engine_advance(w->e, w->now);
}

/* ---- random configuration ------------------------------------------- */

static void agent_random(struct world *w, struct magent *a)
{
	int kind = pick(w, 10);

	memset(a->serves, 0, sizeof(a->serves));
	a->site = pick(w, w->nsites);
	for (int s = 0; s < NSKILLS; s++)
		a->skill[s] = chance(w, 60) ? (uint8_t)(1 + pick(w, 10)) : 0;
	do {
		for (int t = 0; t < w->ntenants; t++)
			a->serves[t] = chance(w, 60);
	} while (!a->serves[0] && !a->serves[1] && !a->serves[2]);
	/* Voice agents, digital agents and blended ones. */
	do {
		a->cap[CH_VOICE] = kind < 7;
		a->cap[CH_CHAT] = kind >= 4 ? (uint8_t)pick(w, 4) : 0;
		a->cap[CH_EMAIL] = kind >= 4 ? (uint8_t)pick(w, 3) : 0;
		a->cap[CH_SMS] = kind >= 4 ? (uint8_t)pick(w, 4) : 0;
	} while (!a->cap[0] && !a->cap[1] && !a->cap[2] && !a->cap[3]);
}

static enum action action_random(struct world *w)
{
	int r = pick(w, 100);

	return r < 80	? ACTION_NONE
	       : r < 86 ? ACTION_CALLBACK_OFFER
	       : r < 92 ? ACTION_CALLBACK
	       : r < 97 ? ACTION_TRANSFER
	       : r < 99 ? ACTION_VOICEMAIL
			: ACTION_CLOSE;
}

/* A queue of the tenant among the first n, or -1. */
static int queue_of_tenant(struct world *w, int tenant, int n)
{
	int start;

	if (n <= 0)
		return -1;
	start = pick(w, n);

	for (int i = 0; i < n; i++) {
		int q = (start + i) % n;

		if (w->queues[q].tenant == tenant)
			return q;
	}
	return -1;
}

/* known: how many queues exist in the engine (transfer targets). */
static void step_random(struct world *w, struct mqueue *q, int k, int known)
{
	struct mstep *s = &q->steps[k];

	s->after = k ? q->steps[k - 1].after + 10000 + pick(w, 12) * 10000 : 0;
	s->own_filter = chance(w, k ? 65 : 85);
	if (s->own_filter)
		filter_random(w, &s->f);
	else if (k)
		s->f = q->steps[k - 1].f;
	else
		filter_true(&s->f);
	s->delta = w->fl->fifo || chance(w, 60) ? 0 : pick(w, 6) - 2;
	s->action = k && !w->fl->fifo ? action_random(w) : ACTION_NONE;
	s->target = -1;
	if (s->action == ACTION_TRANSFER) {
		s->target = queue_of_tenant(w, q->tenant, known);
		if (s->target < 0)
			s->action = ACTION_NONE;
	}
}

static int prio_random(struct world *w)
{
	static const int prios[] = {0, 0, 0, 0, 0, 0, 1, 1, 3, -1};

	return w->fl->fifo ? 0 : prios[pick(w, 10)];
}

static void steps_random(struct world *w, struct mqueue *q, int known)
{
	q->nsteps = w->fl->fifo ? 1 : 1 + pick(w, MAX_STEPS);
	for (int k = 0; k < q->nsteps; k++)
		step_random(w, q, k, known);
}

static void queue_random(struct world *w, struct mqueue *q, int known)
{
	q->prio = prio_random(w);
	q->strat = (enum strategy)pick(w, STRAT_MAX);
	q->last_agent = !w->fl->fifo && chance(w, 35);
	q->la_wait = chance(w, 50) ? 0 : 2000 + pick(w, 20) * 1000;
	q->ring_max = chance(w, 50) ? 0 : 1 + pick(w, 3);
	q->wrapup = (enum wrapup_policy)pick(w, 3);
	q->wrapup_ms = 1000 + pick(w, 20) * 1000;
	steps_random(w, q, known);
}

/* ---- random operations ---------------------------------------------- */

static struct mcontact *pick_alive(struct world *w, unsigned states)
{
	int start;

	if (!w->nalive)
		return NULL;
	start = pick(w, w->nalive);
	for (int i = 0; i < w->nalive; i++) {
		struct mcontact *c =
			&w->contacts[w->alive[(start + i) % w->nalive]];

		if (states & (1u << c->state))
			return c;
	}
	return NULL;
}

/* Now and then any contact at all, ended or not, to test refusals. */
static struct mcontact *pick_target(struct world *w, unsigned states)
{
	if (w->ncontacts && chance(w, 8))
		return &w->contacts[pick(w, (int)w->ncontacts)];
	return pick_alive(w, states);
}

#define WAITING (1u << CS_QUEUED | 1u << CS_CALLBACK_PENDING)

static int pick_bit(struct world *w, uint32_t mask)
{
	int n = __builtin_popcount(mask), k = pick(w, n);

	for (int g = 0; g < 32; g++) {
		if ((mask & (1u << g)) && k-- == 0)
			return g;
	}
	return -1;
}

static void op_add(struct world *w)
{
	/* One draw per statement: argument order is the compiler's. */
	int cust = chance(w, 50) ? pick(w, NCUSTOMERS) : -1;
	int qi = pick(w, w->nqueues), prio = prio_random(w);
	bool cb = chance(w, 8);

	if (w->nalive >= MAX_ALIVE)
		do_advance(w, 1000 + qi * 1000);
	else
		do_add(w, qi, prio, cust, cb);
}

static void op_answer(struct world *w, bool yes)
{
	struct mcontact *c = pick_alive(w, 1u << CS_OFFERED);
	int g;

	if (!c)
		return;
	g = chance(w, 4) ? pick(w, w->nagents) : pick_bit(w, c->offers);
	do_answer(w, c, g, yes);
}

static void op_accept(struct world *w)
{
	op_answer(w, true);
}

static void op_reject(struct world *w)
{
	op_answer(w, false);
}

static void op_cmd(struct world *w, unsigned states, enum cmd cmd)
{
	struct mcontact *c = pick_target(w, states);

	if (c)
		do_cmd(w, c, cmd);
}

static void op_hang_up(struct world *w)
{
	op_cmd(w, 1u << CS_ACTIVE, CMD_END);
}

static void op_wrapup_done(struct world *w)
{
	op_cmd(w, 1u << CS_WRAPUP, CMD_WRAPUP_DONE);
}

static void op_abandon(struct world *w)
{
	op_cmd(w, WAITING | 1u << CS_OFFERED, CMD_ABANDON);
}

static void op_callback(struct world *w)
{
	op_cmd(w, 1u << CS_QUEUED, CMD_CALLBACK);
}

static void op_transfer(struct world *w)
{
	struct mcontact *c =
		pick_target(w, WAITING | 1u << CS_OFFERED | 1u << CS_ACTIVE);

	if (!c)
		return;
	if (chance(w, 50))
		do_transfer(w, c, pick(w, w->nqueues), -1);
	else
		do_transfer(w, c, -1, pick(w, w->nagents));
}

static void op_agent_state(struct world *w)
{
	int r = pick(w, 100);

	do_agent_state(w, pick(w, w->nagents),
		       r < 60	? AS_AVAILABLE
		       : r < 85 ? AS_PAUSED
				: AS_OFFLINE);
}

static void op_agent_set(struct world *w)
{
	int g = pick(w, w->nagents), r = pick(w, 100);
	struct magent cfg = w->agents[g], fresh;

	agent_random(w, &fresh);
	if (!cfg.present || r < 50)
		memcpy(cfg.skill, fresh.skill, sizeof(cfg.skill));
	if (!cfg.present || (r >= 50 && r < 70))
		memcpy(cfg.serves, fresh.serves, sizeof(cfg.serves));

	if (!cfg.present || (r >= 70 && r < 90))
		memcpy(cfg.cap, fresh.cap, sizeof(cfg.cap));
	if (!cfg.present || r >= 90)
		cfg.site = fresh.site;
	do_agent_set(w, g, &cfg);
}

static void op_agent_remove(struct world *w)
{
	do_agent_remove(w, pick(w, w->nagents));
}

static void op_queue_set(struct world *w)
{
	int qi = pick(w, w->nqueues);
	struct mqueue nq = w->queues[qi], fresh = nq;

	queue_random(w, &fresh, w->nqueues);
	memcpy(nq.steps, fresh.steps, sizeof(nq.steps));
	nq.nsteps = fresh.nsteps;
	if (chance(w, 30))
		nq.strat = fresh.strat;
	if (chance(w, 20))
		nq.last_agent = fresh.last_agent;
	if (chance(w, 20))
		nq.wrapup = fresh.wrapup;
	if (chance(w, 20))
		nq.prio = fresh.prio;
	if (chance(w, 10))
		nq.ch = (enum channel)pick(w, CH_MAX);
	do_queue_set(w, qi, &nq);
}

static void op_site_set(struct world *w)
{
	int s = pick(w, w->nsites);

	do_site_set(w, s, (enum site_kind)pick(w, 4));
}

static void op_advance(struct world *w)
{
	int r = pick(w, 100);

	if (r < 50)
		do_advance(w, pick(w, 2000));
	else if (r < 80)
		do_advance(w, 2000 + pick(w, 13000));
	else if (r < 95)
		do_advance(w, 15000 + pick(w, 25000));
	else
		do_advance(w, 60000 + pick(w, 240000));
}

/* Commands the engine must refuse without a trace. */
static void op_refused(struct world *w)
{
	struct engine_contact in = {ID_BASE + w->cap + 7, "nowhere", 0, NULL,
				    false};
	struct mcontact *c = pick_alive(w, ~0u);
	int g = pick(w, w->nagents), r = pick(w, 5);

	note(w, "refused command %d", r);
	if (r == 0)
		expect_rc(w, "accept unknown",
			  engine_contact_accept(w->e, w->now, ID_BASE - 1,
						w->agents[g].id),
			  ENOENT);
	else if (r == 1)
		expect_rc(w, "add to unknown queue",
			  engine_contact_add(w->e, w->now, &in, NULL), ENOENT);
	else if (r == 2 && c)
		expect_rc(w, "transfer nowhere",
			  engine_contact_transfer(w->e, w->now, c->id, NULL,
						  NULL),
			  EINVAL);
	else if (r == 3)
		expect_rc(w, "state busy",
			  engine_agent_state(w->e, w->now, w->agents[g].id,
					     AS_BUSY, NULL),
			  EINVAL);
	else if (c)
		expect_rc(
			w, "add twice",
			engine_contact_add(w->e, w->now,
					   &(struct engine_contact){
						   c->id, "q0", 0, NULL, false},
					   NULL),
			EEXIST);
}

struct op {
	int weight;
	void (*fn)(struct world *w);
};

/* Weights: a floor that mostly serves, and keeps being reconfigured. */
static const struct op ops[] = {
	{18, op_add},	   {16, op_accept},	 {4, op_reject},
	{11, op_hang_up},  {5, op_wrapup_done},	 {3, op_abandon},
	{2, op_callback},  {5, op_transfer},	 {8, op_agent_state},
	{4, op_agent_set}, {2, op_agent_remove}, {2, op_queue_set},
	{1, op_site_set},  {16, op_advance},	 {2, op_refused},
};

static void random_op(struct world *w)
{
	int total = 0, r;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		total += ops[i].weight;
	r = pick(w, total);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		r -= ops[i].weight;
		if (r < 0) {
			ops[i].fn(w);
			return;
		}
	}
}

/* ---- a run ---------------------------------------------------------- */

static void world_build(struct world *w)
{
	engine_config_default(&w->cfg);
	w->cfg.seed = w->seed;
	assert_int_equal(engine_new(&w->e, &w->cfg, on_event, w), 0);
	w->ntenants = 2 + pick(w, 2);
	for (int t = 0; t < w->ntenants; t++)
		assert_int_equal(engine_tenant_add(w->e, tenant_ids[t]), 0);
	w->nsites = 3 + pick(w, 2);
	for (int s = 0; s < w->nsites; s++)
		do_site_set(w, s, (enum site_kind)pick(w, 4));
	w->nagents = w->fl->min_agents +
		     pick(w, w->fl->max_agents - w->fl->min_agents + 1);
	for (int g = 0; g < w->nagents; g++) {
		struct magent cfg;

		snprintf(w->agents[g].id, sizeof(w->agents[g].id), "a%02d", g);
		agent_random(w, &cfg);
		do_agent_set(w, g, &cfg);
		if (chance(w, 85))
			do_agent_state(
				w, g, chance(w, 90) ? AS_AVAILABLE : AS_PAUSED);
	}
	w->nqueues = 5 + pick(w, 4);
	for (int q = 0; q < w->nqueues; q++) {
		struct mqueue *mq = &w->queues[q];

		snprintf(mq->id, sizeof(mq->id), "q%d", q);
		mq->tenant = pick(w, w->ntenants);
		mq->ch = (enum channel)pick(w, CH_MAX);
		queue_random(w, mq, q);
		assert_int_equal(queue_push(w, mq), 0);
	}
	for (int i = 0; i < NCUSTOMERS; i++)
		w->la_agent[i] = -1;
}

static void agent_full(struct world *w, int g, struct magent *cfg)
{
	*cfg = w->agents[g];
	cfg->site = g % w->nsites;
	memset(cfg->skill, 10, sizeof(cfg->skill));
	memset(cfg->serves, true, sizeof(cfg->serves));
	cfg->cap[CH_VOICE] = 1;
	cfg->cap[CH_CHAT] = 3;
	cfg->cap[CH_EMAIL] = 2;
	cfg->cap[CH_SMS] = 3;
}

/* Every agent able to take anything, every site kind staffed. */
static void drain_staff(struct world *w)
{
	for (int s = 0; s < w->nsites; s++) {
		op_begin(w);
		do_site_set(w, s, (enum site_kind)s);
		op_end(w);
	}
	for (int g = 0; g < w->nagents; g++) {
		struct magent cfg;

		agent_full(w, g, &cfg);
		op_begin(w);
		do_agent_set(w, g, &cfg);
		op_end(w);
		op_begin(w);
		do_agent_state(w, g, AS_AVAILABLE);
		op_end(w);
	}
}

/* Accept every offer, end every contact, finish every wrap-up. */
static void drain_serve(struct world *w)
{
	int n = w->nalive;
	int *snap = malloc(sizeof(int) * (size_t)(n ? n : 1));

	assert_non_null(snap);
	memcpy(snap, w->alive, sizeof(int) * (size_t)n);
	for (int i = 0; i < n; i++) {
		struct mcontact *c = &w->contacts[snap[i]];

		op_begin(w);
		if (c->alive && c->state == CS_OFFERED)
			do_answer(w, c, pick_bit(w, c->offers), true);
		else if (c->alive && c->state == CS_ACTIVE)
			do_cmd(w, c, CMD_END);
		else if (c->alive && c->state == CS_WRAPUP)
			do_cmd(w, c, CMD_WRAPUP_DONE);
		op_end(w);
	}
	free(snap);
}

static void drain_verify(struct world *w)
{
	for (size_t i = 0; i < w->ncontacts; i++) {
		struct mcontact *c = &w->contacts[i];

		if (c->alive || c->terminal != 1)
			broken(w,
			       "drained, contact %llu is %s with %d "
			       "terminal events",
			       ull(c->id), engine_contact_state_name(c->state),
			       c->terminal);
		check_contact(w, c, false);
	}
	for (int g = 0; g < w->nagents; g++) {
		check_agent(w, g);
		if (units(w, &w->agents[g]) ||
		    derived(&w->agents[g]) != AS_AVAILABLE)
			broken(w, "drained, %s is %s with %u units",
			       w->agents[g].id,
			       engine_agent_state_name(derived(&w->agents[g])),
			       units(w, &w->agents[g]));
	}
	check_queues(w);
	if (engine_next_timer(w->e) != NEVER)
		broken(w, "drained, a timer is left at %lld",
		       (long long)engine_next_timer(w->e));
}

static void drain(struct world *w)
{
	drain_staff(w);
	for (int round = 0; w->nalive && round < 2000; round++) {
		drain_serve(w);
		if (!w->nalive)
			break;
		op_begin(w);
		do_advance(w, 5000);
		op_end(w);
	}
	for (int i = 0; engine_next_timer(w->e) != NEVER && i < 100000; i++) {
		op_begin(w);
		do_advance(w, engine_next_timer(w->e) - w->now);
		op_end(w);
	}
	op_begin(w);
	check_all(w);
	drain_verify(w);
}

static long env_long(const char *name, long dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : dflt;
}

static int world_setup(void **state)
{
	const struct flavour *fl = *state;
	struct world *w = calloc(1, sizeof(*w));

	if (!w)
		return -1;
	w->fl = fl;
	w->seed = (uint64_t)env_long("RELAIS_INVARIANTS_SEED", (long)fl->seed);
	w->rng = w->seed;
	w->nops = env_long("RELAIS_INVARIANTS_OPS", fl->ops);
	w->trace = env_long("RELAIS_INVARIANTS_TRACE", 0);
	w->keep_going = env_long("RELAIS_INVARIANTS_KEEP_GOING", 0);
	w->cap = (size_t)w->nops + 16;
	w->contacts = calloc(w->cap, sizeof(*w->contacts));
	w->alive = calloc(w->cap, sizeof(int));
	w->dirty = calloc(w->cap, sizeof(int));
	*state = w;
	return w->contacts && w->alive && w->dirty ? 0 : -1;
}

static int world_teardown(void **state)
{
	struct world *w = *state;

	engine_free(w->e);
	free(w->contacts);
	free(w->alive);
	free(w->dirty);
	free(w);
	return 0;
}

static void report(const struct world *w)
{
	fprintf(stderr,
		"[%s, seed %#llx] %ld ops, %zu contacts, %d agents, %d queues, "
		"%lld s simulated: %ld offered, %ld accepted, %ld rejected, "
		"%ld missed, %ld withdrawn, %ld transferred, %ld steps, "
		"%ld completed, %ld abandoned, %ld voicemail/closed\n",
		w->fl->name, ull(w->seed), w->op, w->ncontacts, w->nagents,
		w->nqueues, (long long)(w->now / 1000),
		w->count[EV_CONTACT_OFFERED], w->count[EV_CONTACT_ACCEPTED],
		w->count[EV_OFFER_REJECTED], w->count[EV_OFFER_MISSED],
		w->count[EV_OFFER_WITHDRAWN], w->count[EV_CONTACT_TRANSFERRED],
		w->count[EV_CONTACT_STEP], w->count[EV_CONTACT_COMPLETED],
		w->count[EV_CONTACT_ABANDONED],
		w->count[EV_CONTACT_VOICEMAIL] + w->count[EV_CONTACT_CLOSED]);
}

static void run(struct world *w)
{
	world_build(w);
	stop_if_broken(w);
	for (long i = 0; i < w->nops; i++) {
		op_begin(w);
		random_op(w);
		op_end(w);
	}
	drain(w);
	report(w);
	if (w->failures)
		fail_msg("%ld invariant violations (%s, seed %#llx)",
			 w->failures, w->fl->name, ull(w->seed));
}

static const struct flavour flavours[] = {
	{"mixed", 0x5eed0001, 60000, 10, 20, false},
	{"crowded", 0x5eed0002, 60000, 20, 30, false},
	{"short-staffed", 0x5eed0003, 60000, 10, 12, false},
	{"fifo", 0x5eed0004, 60000, 10, 30, true},
};

/* 10-20 agents, every kind of queue. */
static void test_mixed_floor_keeps_invariants(void **state)
{
	run(*state);
}

/* 20-30 agents: more free agents, more ring-all and pool sharing. */
static void test_crowded_floor_keeps_invariants(void **state)
{
	run(*state);
}

/* 10-12 agents: long lines, steps, callbacks and time-outs. */
static void test_short_staffed_floor_keeps_invariants(void **state)
{
	run(*state);
}

/* One step per queue and no priorities: arrival order decides alone. */
static void test_equal_priorities_are_served_in_arrival_order(void **state)
{
	run(*state);
}

/* ---- the failures above, reduced to a few calls ---------------------- */

struct seen {
	enum engine_event_type type;
	uint64_t contact;
	char agent[16];
};

struct recorder {
	struct engine *e;
	struct seen ev[256];
	int n;
};

static void record_event(void *arg, const struct engine_event *ev)
{
	struct recorder *r = arg;
	struct seen *s = &r->ev[r->n];

	if (r->n == 256)
		return; /* these tests emit a few dozen events */
	s->type = ev->type;
	s->contact = ev->contact;
	snprintf(s->agent, sizeof(s->agent), "%s", ev->agent ? ev->agent : "");
	r->n++;
}

/* Whether contact id was offered to agent since event number from. */
static bool offered(const struct recorder *r, int from, uint64_t id,
		    const char *agent)
{
	for (int i = from; i < r->n; i++) {
		const struct seen *s = &r->ev[i];

		if (s->type == EV_CONTACT_OFFERED && s->contact == id &&
		    !strcmp(s->agent, agent))
			return true;
	}
	return false;
}

/* Tenants t1 and t2, one onshore site, default configuration. */
static int small_setup(void **state)
{
	struct engine_site site = {"s0", SITE_ONSHORE, "FR", 1000};
	struct recorder *r = calloc(1, sizeof(*r));

	if (!r || engine_new(&r->e, NULL, record_event, r) ||
	    engine_tenant_add(r->e, "t1") || engine_tenant_add(r->e, "t2") ||
	    engine_site_set(r->e, &site)) {
		if (r)
			engine_free(r->e);
		free(r);
		return -1;
	}
	*state = r;
	return 0;
}

/* Runs even when an assertion failed: nothing leaks under ASan. */
static int small_teardown(void **state)
{
	struct recorder *r = *state;

	engine_free(r->e);
	free(r);
	return 0;
}

/* An agent of the tenants given, with lang.fr 5 and these capacities. */
static void small_agent(struct engine *e, const char *id,
			const char *const *tenants, size_t ntenants,
			const uint8_t cap[CH_MAX])
{
	const char *skill = "lang.fr";
	uint8_t level = 5;
	struct engine_agent a = {0};

	a.id = id;
	a.site = "s0";
	a.skill_names = &skill;
	a.skill_levels = &level;
	a.nskills = 1;
	a.tenants = (const char **)tenants;
	a.ntenants = ntenants;
	memcpy(a.capacity, cap, sizeof(a.capacity));
	assert_int_equal(engine_agent_set(e, &a), 0);
}

/* last_agent_wait_ms: < 0 for no last-agent routing. */
static void small_queue(struct engine *e, int64_t now, const char *id,
			enum channel ch, const struct engine_step *steps,
			size_t nsteps, int64_t last_agent_wait_ms)
{
	struct engine_queue q = {0};

	q.id = id;
	q.tenant = "t1";
	q.channel = ch;
	q.last_agent = last_agent_wait_ms >= 0;
	q.last_agent_wait_ms = last_agent_wait_ms > 0 ? last_agent_wait_ms : 0;
	q.steps = steps;
	q.nsteps = nsteps;
	assert_int_equal(engine_queue_set(e, now, &q, NULL), 0);
}

static void add_contact(struct engine *e, int64_t now, uint64_t id,
			const char *queue, int prio, const char *customer)
{
	struct engine_contact c = {id, queue, prio, customer, false};

	assert_int_equal(engine_contact_add(e, now, &c, NULL), 0);
}

/*
 * engine.h: "Pending offers are withdrawn when the agent pauses". An agent
 * with a second chat slot free stayed in its pool's heap while its offers
 * were withdrawn, so the withdrawn contact went straight back to it.
 */
static void
test_pausing_agent_is_not_offered_its_withdrawn_contact(void **state)
{
	static const char *const t1[] = {"t1"};
	struct recorder *r = *state;
	struct engine *e = r->e;
	int from;

	small_agent(e, "a1", t1, 1, (uint8_t[CH_MAX]){[CH_CHAT] = 2});
	small_queue(e, 0, "q", CH_CHAT, NULL, 0, -1);
	assert_int_equal(engine_agent_state(e, 0, "a1", AS_AVAILABLE, NULL), 0);
	add_contact(e, 0, 1, "q", 0, NULL);
	assert_true(offered(r, 0, 1, "a1"));
	from = r->n;
	assert_int_equal(engine_agent_state(e, 1000, "a1", AS_PAUSED, "lunch"),
			 0);
	assert_false(offered(r, from, 1, "a1"));
}

/*
 * docs/routing.md: a free agent takes "among all the pools it belongs to,
 * the contact with the best score". After engine_queue_set() the contacts
 * were matched newest first, then pool by pool in step order, so a younger
 * contact at step 0 got the agent before an older one at step 1.
 */
static void test_queue_change_offers_the_oldest_contact_first(void **state)
{
	static const char *const t1[] = {"t1"};
	static const uint8_t voice[CH_MAX] = {[CH_VOICE] = 1};
	const struct engine_step nobody[] = {{0, "lang.fr >= 9", 0, 0, 0, 0}};
	const struct engine_step two[] = {{0, "lang.fr >= 1", 0, 0, 0, 0},
					  {20000, "has(lang.fr)", 0, 0, 0, 0}};
	struct recorder *r = *state;
	struct engine *e = r->e;
	int from;

	small_agent(e, "a1", t1, 1, voice);
	small_queue(e, 0, "q", CH_VOICE, nobody, 1, -1);
	add_contact(e, 0, 1, "q", 0, NULL);
	add_contact(e, 30000, 2, "q", 0, NULL);
	assert_int_equal(engine_agent_state(e, 31000, "a1", AS_AVAILABLE, NULL),
			 0);
	from = r->n;
	/* Contact 1 falls in step 1, contact 2 in step 0; a1 passes both. */
	small_queue(e, 31000, "q", CH_VOICE, two, 2, -1);
	assert_true(offered(r, from, 1, "a1"));
	assert_false(offered(r, from, 2, "a1"));
}

/*
 * A contact transferred to an agent waits for that agent alone. When
 * engine_agent_set() took the contact's tenant away from the agent, the
 * wait was kept and the contact offered to an agent of another tenant.
 */
static void test_agent_losing_a_tenant_is_not_offered_its_contacts(void **state)
{
	static const char *const both[] = {"t1", "t2"}, *const t2[] = {"t2"};
	static const uint8_t voice[CH_MAX] = {[CH_VOICE] = 1};
	struct recorder *r = *state;
	struct engine *e = r->e;
	int from;

	small_agent(e, "a1", both, 2, voice);
	small_queue(e, 0, "q", CH_VOICE, NULL, 0, -1);
	add_contact(e, 0, 1, "q", 0, NULL);
	assert_int_equal(engine_contact_transfer(e, 1000, 1, NULL, "a1"), 0);
	small_agent(e, "a1", t2, 1, voice);
	from = r->n;
	assert_int_equal(engine_agent_state(e, 2000, "a1", AS_AVAILABLE, NULL),
			 0);
	assert_false(offered(r, from, 1, "a1"));
}

/*
 * docs/routing.md: the last agent gets the contact "if they are free; with
 * last_agent_wait_ms the contact waits that long for them, then joins the
 * queue's line". Without a wait, a rejected offer left the contact
 * waiting for that agent alone, for ever, while another agent was free.
 */
static void test_last_agent_without_wait_does_not_hold_the_contact(void **state)
{
	static const char *const t1[] = {"t1"};
	static const uint8_t voice[CH_MAX] = {[CH_VOICE] = 1};
	struct recorder *r = *state;
	struct engine *e = r->e;
	int from;

	small_agent(e, "a1", t1, 1, voice);
	small_agent(e, "a2", t1, 1, voice);
	small_queue(e, 0, "q", CH_VOICE, NULL, 0, 0);
	assert_int_equal(engine_agent_state(e, 0, "a1", AS_AVAILABLE, NULL), 0);
	add_contact(e, 0, 1, "q", 0, "alice");
	assert_int_equal(engine_contact_accept(e, 1000, 1, "a1"), 0);
	assert_int_equal(engine_contact_end(e, 2000, 1), 0);
	add_contact(e, 3000, 2, "q", 0, "alice");
	assert_true(offered(r, 0, 2, "a1"));
	assert_int_equal(engine_contact_reject(e, 4000, 2, "a1"), 0);
	from = r->n;
	assert_int_equal(engine_agent_state(e, 5000, "a2", AS_AVAILABLE, NULL),
			 0);
	engine_advance(e, 600000);
	assert_true(offered(r, from, 2, "a2"));
}

/*
 * Transferring an active contact frees its agent. The freed agent should
 * take the best contact waiting in its pools first; the engine dispatches
 * the moved contact before it refreshes the agent, and here the moved
 * contact (now voice) blocks the better SMS contact from the agent.
 */
static void
test_transfer_frees_the_agent_for_the_best_contact_first(void **state)
{
	static const char *const t1[] = {"t1"};
	static const uint8_t cap[CH_MAX] = {[CH_VOICE] = 1, [CH_SMS] = 1};
	struct recorder *r = *state;
	struct engine *e = r->e;
	int from;

	small_agent(e, "a1", t1, 1, cap);
	small_queue(e, 0, "sms", CH_SMS, NULL, 0, -1);
	small_queue(e, 0, "voice", CH_VOICE, NULL, 0, -1);
	assert_int_equal(engine_agent_state(e, 0, "a1", AS_AVAILABLE, NULL), 0);
	add_contact(e, 0, 1, "sms", 0, NULL);
	assert_int_equal(engine_contact_accept(e, 1000, 1, "a1"), 0);
	add_contact(e, 2000, 2, "sms", 5, NULL); /* a1's SMS slot is full */
	from = r->n;
	assert_int_equal(engine_contact_transfer(e, 3000, 1, "voice", NULL), 0);
	assert_true(offered(r, from, 2, "a1"));
}

/*
 * When an agent's reject delay ends at the same instant as another timer
 * (here a step of a contact waiting for its last agent), the contact of
 * that timer is offered at once, ahead of a better contact already waiting
 * for the same agent alone: dispatch checks engine_agent_can_take(), which
 * treats the delay as over before the agent's own timer has taken its line.
 */
static void test_agent_back_from_a_reject_takes_its_best_contact(void **state)
{
	static const char *const t1[] = {"t1"};
	static const uint8_t voice[CH_MAX] = {[CH_VOICE] = 1};
	const struct engine_step steps[] = {{0, NULL, 0, 0, 0, 0},
					    {5500, NULL, 0, 0, 0, 0}};
	struct recorder *r = *state;
	struct engine *e = r->e;
	int from;

	small_agent(e, "a1", t1, 1, voice);
	small_queue(e, 0, "q0", CH_VOICE, NULL, 0, -1);
	small_queue(e, 0, "q", CH_VOICE, steps, 2, 60000);
	assert_int_equal(engine_agent_state(e, 0, "a1", AS_AVAILABLE, NULL), 0);
	add_contact(e, 0, 1, "q0", 0, "alice"); /* a1 becomes alice's agent */
	assert_int_equal(engine_contact_accept(e, 1000, 1, "a1"), 0);
	assert_int_equal(engine_contact_end(e, 2000, 1), 0);
	add_contact(e, 3000, 2, "q0", 5, NULL);
	assert_int_equal(engine_contact_transfer(e, 3000, 2, NULL, "a1"), 0);
	add_contact(e, 3500, 3, "q", 0, "alice"); /* step 1 at 9000 */
	assert_int_equal(engine_contact_reject(e, 4000, 2, "a1"), 0);
	from = r->n;
	engine_advance(e, 9000); /* a1 ready again at 9000 */
	assert_true(offered(r, from, 2, "a1"));
	assert_false(offered(r, from, 3, "a1"));
}

/*
 * An agent outside every pool (its filter admits it nowhere) can still
 * handle a contact transferred to it. Completing it must not compute
 * addresses from its NULL pool list (UBSan: "applying non-zero offset to
 * null pointer" in contact_complete's prefetch).
 */
static void test_agent_in_no_pool_completes_a_transferred_contact(void **state)
{
	static const char *const t1[] = {"t1"};
	static const uint8_t voice[CH_MAX] = {[CH_VOICE] = 1};
	const struct engine_step experts[] = {{0, "lang.fr >= 9", 0, 0, 0, 0}};
	struct recorder *r = *state;
	struct engine *e = r->e;

	small_agent(e, "a1", t1, 1, voice);
	small_queue(e, 0, "q", CH_VOICE, experts, 1, -1);
	assert_int_equal(engine_agent_state(e, 0, "a1", AS_AVAILABLE, NULL), 0);
	add_contact(e, 0, 1, "q", 0, NULL);
	assert_int_equal(engine_contact_transfer(e, 1000, 1, NULL, "a1"), 0);
	assert_int_equal(engine_contact_accept(e, 2000, 1, "a1"), 0);
	assert_int_equal(engine_contact_end(e, 3000, 1), 0);
	assert_int_equal(engine_contact_info(e, 3000, 1, NULL), ENOENT);
}

#define SMALL(f) cmocka_unit_test_setup_teardown(f, small_setup, small_teardown)

#define RUN(f, i)                                 \
	cmocka_unit_test_prestate_setup_teardown( \
		f, world_setup, world_teardown, (void *)&flavours[i])

int main(void)
{
	const struct CMUnitTest tests[] = {
		SMALL(test_pausing_agent_is_not_offered_its_withdrawn_contact),
		SMALL(test_queue_change_offers_the_oldest_contact_first),
		SMALL(test_agent_losing_a_tenant_is_not_offered_its_contacts),
		SMALL(test_last_agent_without_wait_does_not_hold_the_contact),
		SMALL(test_transfer_frees_the_agent_for_the_best_contact_first),
		SMALL(test_agent_back_from_a_reject_takes_its_best_contact),
		SMALL(test_agent_in_no_pool_completes_a_transferred_contact),
		RUN(test_mixed_floor_keeps_invariants, 0),
		RUN(test_crowded_floor_keeps_invariants, 1),
		RUN(test_short_staffed_floor_keeps_invariants, 2),
		RUN(test_equal_priorities_are_served_in_arrival_order, 3),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
