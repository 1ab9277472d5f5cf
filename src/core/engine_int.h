/*
 * engine_int.h — the engine's private structures, shared by engine.c
 * (configuration), engine_pool.c (pools, matching, offers),
 * engine_contact.c (contact life and timers) and engine_why.c
 * (explanations). Nothing outside src/core/engine*.c includes it.
 */
#ifndef RELAIS_ENGINE_INT_H
#define RELAIS_ENGINE_INT_H

#include "core/engine.h"
#include "core/hmap.h"
#include "core/timerq.h"

#define NOT_IN_HEAP UINT32_MAX

struct pool;
struct contact;

struct tenant {
	char *id;
	struct agent **agents; /* agents that may serve it */
	size_t nagents, agents_cap;
	struct pool **pools;
	size_t npools, pools_cap;
	uint32_t nqueues;
};

/* An ordered set of waiting contacts; first is the best scored. */
struct tree {
	struct contact *root, *first;
	uint32_t len;
};

struct site {
	char *id;
	enum site_kind kind;
	char *country;
	uint32_t sym, country_sym;
	int64_t cost;
};

/* An agent's place in one pool. */
struct member {
	struct pool *pool;
	struct agent *agent;
	int64_t k1, k2;	   /* strategy key, smaller first */
	uint32_t heap_idx; /* NOT_IN_HEAP when not free for the pool */
	uint16_t skill_sum;
};

struct agent {
	char *id; /* first: the id maps compare it (engine.c id_eq) */
	/* then what every routing decision reads and writes */
	enum agent_state state; /* OFFLINE, AVAILABLE or PAUSED */
	uint8_t cap[CH_MAX];
	uint8_t held[CH_MAX]; /* contacts offered, active or in wrap-up */
	uint8_t busy[CH_MAX]; /* of which offered or active */
	uint16_t units;	      /* shared budget used */
	uint32_t nhold, hold_cap;
	int64_t idle_since;  /* last offer to or release from the agent */
	int64_t ready_at;    /* not routable before (after a miss) */
	uint64_t last_offer; /* engine offer counter at the last offer */
	uint64_t seq;	     /* creation order, the last tie-break */
	struct member *members;
	size_t nmembers;
	struct contact **hold;		/* offered, active or in wrap-up */
	struct contact *hold_inline[4]; /* hold's storage while it fits */
	struct tree direct; /* contacts waiting for this agent alone */
	struct site *site;
	enum agent_state shown; /* last state reported in an event */
	int misses;
	int64_t shown_since;
	bool restate; /* the state stays but its reason changed: report it */

	uint32_t sym;
	struct expr_skill *skills;
	size_t nskills;
	uint32_t *tags;
	size_t ntags;
	struct tenant **tenants;
	size_t ntenants;
	char *reason;
	struct tq_node ready_node;
};

struct step {
	struct tq_list due; /* contacts about to reach this step */
	int64_t after_ms;
	struct pool *pool; /* never NULL: inherited when the filter is */
	int priority_delta;
	int64_t min_ewt_ms;
	enum action action;
	struct queue *target;
};

struct queue {
	char *id;
	struct tenant *tenant;
	enum channel ch;
	int priority;
	int64_t sl_ms;
	enum strategy strat;
	bool last_agent;
	int64_t last_agent_wait_ms;
	int ring_max;
	enum wrapup_policy wrapup;
	int64_t wrapup_ms;
	double aht_ms;
	struct step *steps;
	size_t nsteps;
	char *calendar;
	enum action closed_action;
	struct queue *closed_target;
	struct tq_list wrap;	/* contacts in timed wrap-up */
	struct tq_list direct;	/* contacts waiting for their last agent */
	uint32_t ncontacts;	/* alive contacts in the queue */
	uint32_t count[CS_MAX]; /* of which in each state */
	uint32_t targeted; /* steps or closed actions of queues aiming here */
};

/* Treap links: a contact waits in exactly one tree (a pool or an agent). */
struct tlink {
	struct contact *l, *r;
	uint32_t prio, size;
};

struct contact {
	/* ordering and tree links first: one cache line per tree node */
	int64_t key;  /* score; larger first */
	uint64_t seq; /* arrival order */
	struct tlink t;
	bool in_tree;
	bool callback;
	bool direct_once; /* last agent, no wait: one offer, then the line */
	int step;
	enum contact_state state;
	struct pool *pool;    /* waiting there when in_tree && !direct */
	struct agent *direct; /* waiting for this agent alone */
	struct queue *queue;
	uint64_t id;
	int priority;	       /* the contact's own */
	int step_prio;	       /* added by steps */
	int64_t arrived;       /* first arrival, for aging */
	int64_t entered;       /* entry into the current queue, for steps */
	struct agent *agent;   /* handling (active, wrap-up) */
	struct agent **offers; /* agents it is offered to */
	uint32_t noffers, offers_cap;
	struct agent *offer1; /* offers' storage until ring-all needs more */
	char *customer;
	int64_t answered, ended;    /* -1 until they happen */
	struct tq_node step_node;   /* next step, or end of timed wrap-up */
	struct tq_node offer_node;  /* offer time-out */
	struct tq_node direct_node; /* end of the wait for the last agent */
	int64_t state_ms[CS_MAX];
};

struct pool {
	char *key;
	struct expr *expr;
	struct tenant *tenant;
	enum channel ch;
	enum strategy strat;
	uint32_t skills[16];
	size_t nskills;
	uint32_t refs;	  /* steps using it */
	uint32_t slots;	  /* capacity of logged-in, unpaused members */
	uint32_t members; /* eligible agents */
	struct member **heap;
	size_t nheap, heap_cap;
	struct tree tree; /* waiting contacts */
};

/*
 * What a timer list holds. At the same instant, lower kinds fire first:
 * agents come back (end of the reject delay, of wrap-up, of an offer)
 * before contacts move (last-agent wait over, next step), so a contact
 * that moves at t sees every agent that is free at t.
 */
enum timer_kind {
	TK_READY = 0, /* agent's reject delay over */
	TK_WRAP,
	TK_OFFER,
	TK_DIRECT, /* last-agent wait over */
	TK_STEP,
	TK_FORGET, /* a customer's last agent is forgotten */
};

struct sym {
	char *name;
	uint32_t ns, id;
};

struct lastagent {
	char *customer; /* first: the map compares it (engine_id_eq) */
	char *agent;
	int64_t when;
	struct tq_node node; /* in forget_list, due when the window ends */
};

struct engine {
	struct engine_config cfg;
	engine_handler *handler;
	void *arg;
	int64_t wall_offset;
	bool entering; /* the QUEUED event being emitted is an entry */
	int64_t now;
	uint64_t rng;
	uint64_t seq; /* contacts, agents, timers */
	uint64_t offer_seq;

	struct hmap tenants, sites, agents, queues, pools, contacts, cals, syms,
		lastagents;
	struct agent **agent_v;
	size_t nagents, agents_cap;
	struct queue **queue_v;
	size_t nqueues, queues_cap;
	uint32_t nsyms[EXPR_NS_AGENT + 1];
	struct contact **dead; /* finished, freed at the end of the command */
	size_t ndead, dead_cap;
	struct contact *spare; /* freed, kept for new arrivals; linked by t.l */
	uint32_t nspare;

	struct tq tq;
	struct tq_list offer_list;  /* offers, by time-out */
	struct tq_list ready_list;  /* agents cooling after a miss */
	struct tq_list forget_list; /* last agents, by end of their window */
};

struct cal_entry {
	char *id;
	struct calendar *cal;
};

/* engine.c */
bool engine_id_eq(const void *val, const void *key);
void *engine_find(const struct hmap *m, const char *id);
void engine_vec_del(void **vec, size_t *n, size_t size, const void *item);
uint32_t engine_intern_str(struct engine *e, enum expr_ns ns, const char *s,
			   int *err);
enum agent_state engine_derived_state(const struct agent *a);
void engine_agent_free(struct agent *a);
void engine_queue_free(struct queue *q);
uint64_t engine_rand(struct engine *e);
struct agent *engine_agent_find(struct engine *e, const char *id);
struct queue *engine_queue_find(struct engine *e, const char *id);
struct contact *engine_contact_find(struct engine *e, uint64_t id);
const struct calendar *engine_calendar_find(struct engine *e, const char *id);
int engine_vec_push(void **vec, size_t *n, size_t *cap, size_t size,
		    const void *item);
void engine_emit(struct engine *e, struct engine_event *ev);
void engine_emit_agent(struct engine *e, struct agent *a);
void engine_begin(struct engine *e, int64_t now);
void engine_end(struct engine *e);
int engine_intern(void *arg, enum expr_ns ns, const char *name, size_t len,
		  uint32_t *idp);

/*
 * Every field is written once, without a memset first: a memset of the
 * 176-byte event compiles to `rep stos`, whose start-up cost made it the
 * most expensive line of the engine (the simulator emits ~7 events per
 * call); inline, so that the stores a caller overwrites go away. The
 * assertion makes a new field in struct engine_event fail the
 * build until it is set here too.
 */
_Static_assert(sizeof(void *) != 8 || sizeof(struct engine_event) == 176,
	       "engine_event_fill must set every field of engine_event");

static inline void engine_event_fill(struct engine_event *ev,
				     enum engine_event_type t,
				     const struct contact *c,
				     const struct agent *a, int64_t now)
{
	const struct queue *q = c ? c->queue : NULL;

	ev->type = t;
	ev->time = now;
	ev->contact = c ? c->id : 0;
	ev->channel = q ? q->ch : CH_VOICE;
	ev->tenant = q ? q->tenant->id : NULL;
	ev->queue = q ? q->id : NULL;
	ev->agent = a ? a->id : NULL;
	ev->site = a && a->site ? a->site->id : NULL;
	ev->target = NULL;
	ev->customer = c ? c->customer : NULL;
	ev->state = c ? c->state : CS_QUEUED;
	ev->step = c ? c->step : 0;
	ev->priority = q ? q->priority + c->priority + c->step_prio : 0;
	ev->callback = c && c->callback;
	ev->entered = false;
	ev->wait_ms = 0;
	ev->total_wait_ms = 0;
	ev->talk_ms = 0;
	ev->wrap_ms = 0;
	ev->position = 0;
	ev->ewt_ms = -1;
	ev->expires_ms = 0;
	ev->agent_state = AS_OFFLINE;
	ev->prev_state = AS_OFFLINE;
	ev->prev_state_ms = 0;
	ev->reason = NULL;
}

/* engine_pool.c */
int engine_pool_get(struct engine *e, struct pool **pp, struct tenant *t,
		    enum channel ch, enum strategy s, const char *filter,
		    struct engine_error *err);
void engine_pool_put(struct engine *e, struct pool *p);
int engine_pool_join_all(struct engine *e, struct agent *a);
void engine_pool_leave_all(struct engine *e, struct agent *a);
void engine_pool_staffed_update(struct agent *a, int delta);
bool engine_agent_can_take(const struct engine *e, const struct agent *a,
			   enum channel ch);
void engine_agent_refresh(struct engine *e, struct agent *a);
void engine_tree_insert(struct engine *e, struct tree *t, struct contact *c);
void engine_tree_remove(struct tree *t, struct contact *c);
uint32_t engine_tree_rank(const struct tree *t, const struct contact *c);
bool engine_contact_better(const struct contact *a, const struct contact *b);
void engine_contact_unwait(struct contact *c);
int engine_contact_dispatch(struct engine *e, struct contact *c);
int engine_offer_make(struct engine *e, struct contact *c, struct agent *a);
void engine_offer_drop(struct engine *e, struct contact *c, struct agent *a);
int engine_hold_add(struct agent *a, struct contact *c);
void engine_hold_del(struct agent *a, struct contact *c);
void engine_slot_release(struct engine *e, struct agent *a, enum channel ch,
			 bool busy);
bool engine_member_of(const struct agent *a, const struct pool *p);
bool engine_agent_serves(const struct agent *a, const struct tenant *t);
bool engine_offered_to(const struct contact *c, const struct agent *a);

/* engine_contact.c */
void engine_contact_free(struct contact *c);
void engine_contact_release(struct engine *e, struct contact *c);
void engine_contact_spares_free(struct engine *e);
void engine_contact_set_state(struct engine *e, struct contact *c,
			      enum contact_state st);
void engine_contact_rekey(struct engine *e, struct contact *c);
int64_t engine_contact_ewt(const struct engine *e, const struct contact *c,
			   uint32_t *posp);
void engine_contact_back(struct engine *e, struct contact *c);
void engine_timer_fire(struct engine *e, struct tq_node *n, int kind);
void engine_info_fill(struct engine *e, const struct contact *c,
		      struct engine_contact_info *info);
void engine_agent_withdraw_offers(struct engine *e, struct agent *a);
void engine_agent_release_direct(struct engine *e, struct agent *a);
void engine_agent_release_unfit(struct engine *e, struct agent *a);
void engine_queue_requeue_all(struct engine *e, struct queue *q);

#endif
