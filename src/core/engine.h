/*
 * engine — the routing engine of relais.
 *
 * An engine is a value: engine_new() makes one, and two can live in one
 * process (the simulator runs several). Commands go in (a contact arrives,
 * an agent changes state, time passes), events come out through the
 * handler given to engine_new(), synchronously, before the command returns.
 * Some events are decisions the caller must carry out (offer this contact
 * to this agent, call this customer back, play the closed message).
 *
 * Time is passed in: `now` is milliseconds of a monotonic clock. Calendars
 * need the UTC wall time too; engine_set_wallclock() tells the engine how
 * the two relate. The engine never reads a clock, a file or a socket.
 *
 * How routing works (SPEC §4):
 * - A queue has ordered steps; each applies `after_ms` after the contact
 *   entered the queue, with an agent filter (see expr.h), an optional
 *   priority change and an optional action. A contact waits in the pool of
 *   its current step.
 * - A pool is the set of agents that pass one filter for one tenant and
 *   channel with one strategy; queues whose steps share a filter share its
 *   pool, so an agent belongs to few pools. Each pool keeps its free agents
 *   in a heap ordered by the strategy, and its waiting contacts in a tree
 *   ordered by score. A pool never has both a free agent and a waiting
 *   contact: whoever arrives second is matched at once.
 * - Score = (queue priority + contact priority + step changes) × one
 *   priority point, minus the arrival time: a contact gains one point per
 *   `priority_point_ms` waited. The score order is therefore fixed while
 *   contacts wait, and equal scores go to the earliest arrival.
 * - A freed agent takes the best-scored head among the pools it belongs to
 *   (one global rule across queues), after contacts addressed to it alone.
 *
 * Costs: a new contact is O(log W + P log A); a freed agent O(P log A +
 * log W), where W is the contacts waiting in a pool, A the agents of a
 * pool, P the pools an agent belongs to. Configuration changes are
 * O(agents of the tenant × pools of the tenant) at worst.
 *
 * Thread safety: none; one engine belongs to one thread.
 */
#ifndef RELAIS_ENGINE_H
#define RELAIS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/expr.h"

enum channel {
	CH_VOICE = 0,
	CH_CHAT,
	CH_EMAIL,
	CH_SMS,
	CH_MAX,
};

enum strategy {
	STRAT_LONGEST_IDLE = 0,
	STRAT_LEAST_OCCUPIED,
	STRAT_MOST_SKILLED,
	STRAT_ROUND_ROBIN,
	STRAT_RANDOM,
	STRAT_LEAST_COST,
	STRAT_RING_ALL,
	STRAT_MAX,
};

enum wrapup_policy {
	WRAPUP_NONE = 0, /* the agent is free as soon as the contact ends */
	WRAPUP_TIMED,	 /* free after wrapup_ms, or earlier on wrapup_done */
	WRAPUP_MANUAL,	 /* free when the agent says so (wrapup_done) */
};

/* What a step or a closed queue does with a contact. */
enum action {
	ACTION_NONE = 0,
	ACTION_CALLBACK_OFFER, /* propose a callback; the contact keeps waiting
				*/
	ACTION_CALLBACK,  /* turn the contact into a callback at its place */
	ACTION_VOICEMAIL, /* take a message; the contact leaves the queue */
	ACTION_TRANSFER,  /* move to the queue named by `target` */
	ACTION_CLOSE,	  /* play the closed message and hang up */
};

enum contact_state {
	CS_QUEUED = 0,
	CS_OFFERED,
	CS_ACTIVE,
	CS_WRAPUP,
	CS_CALLBACK_PENDING,
	CS_COMPLETED,	/* terminal */
	CS_ABANDONED,	/* terminal */
	CS_VOICEMAIL,	/* terminal: left a message */
	CS_CLOSED,	/* terminal: turned away by a closed action */
	CS_TRANSFERRED, /* transient: left one queue for another or an agent */
	CS_MAX,
};

enum agent_state {
	AS_OFFLINE = 0,
	AS_AVAILABLE, /* logged in, free for at least one channel */
	AS_BUSY,      /* derived: holds an offered or active contact */
	AS_WRAPUP,    /* derived: holds only contacts in wrap-up */
	AS_PAUSED,    /* with a reason code */
	AS_MAX,
};

/* Capacity rules shared by all agents of an engine. */
struct engine_capacity {
	/*
	 * Units one contact of a channel takes from an agent's shared budget;
	 * 0 keeps the channel out of the budget (voice, by default).
	 */
	uint8_t weight[CH_MAX];
	uint8_t budget;
	/*
	 * blocks[c]: channels (bit 1 << channel) that an agent holding a
	 * contact of channel c may not be offered. Default: voice blocks
	 * every other channel; chat, email and SMS block nothing, so a chat
	 * backlog never keeps voice from an agent.
	 */
	uint8_t blocks[CH_MAX];
};

struct engine_config {
	int64_t priority_point_ms; /* aging: waiting this long = 1 point */
	int64_t offer_timeout_ms;  /* an unanswered offer is a miss */
	int64_t reject_delay_ms;   /* no new offer this long after a miss */
	int auto_pause_misses;	   /* pause after N misses in a row; 0 never */
	int64_t last_agent_window_ms; /* how long "last agent" is remembered */
	uint64_t seed;		      /* for the random strategy */
	struct engine_capacity capacity;
};

/* Fills cfg with the defaults documented in engine.c. */
void engine_config_default(struct engine_config *cfg);

enum engine_event_type {
	EV_CONTACT_QUEUED = 0,	/* entered a queue (or came back to it) */
	EV_CONTACT_OFFERED,	/* decision: offer to `agent` */
	EV_OFFER_WITHDRAWN,	/* decision: stop offering to `agent` */
	EV_OFFER_REJECTED,	/* the agent said no */
	EV_OFFER_MISSED,	/* the offer timed out */
	EV_CONTACT_ACCEPTED,	/* an agent took it; wait_ms is the wait */
	EV_CONTACT_STEP,	/* moved to step `step` of its queue */
	EV_CONTACT_ENDED,	/* handling ended; wrap-up starts (or not) */
	EV_CONTACT_COMPLETED,	/* terminal: wrap-up over, the agent is free */
	EV_CONTACT_ABANDONED,	/* terminal: the customer left */
	EV_CONTACT_TRANSFERRED, /* moved to `target` (a queue or an agent) */
	EV_CONTACT_CALLBACK,	/* became a callback, keeping its place */
	EV_CALLBACK_OFFER,    /* decision: propose a callback to the customer */
	EV_CALLBACK_DIAL,     /* decision: `agent` took the callback; dial */
	EV_CONTACT_VOICEMAIL, /* terminal, decision: record a message */
	EV_CONTACT_CLOSED,    /* terminal, decision: closed message, hang up */
	EV_AGENT_STATE,	      /* an agent's state changed */
	EV_MAX,
};

/*
 * One event. Strings are borrowed from the engine and valid only during
 * the handler call. Handlers must not call back into the engine.
 */
struct engine_event {
	enum engine_event_type type;
	int64_t time;
	uint64_t contact; /* 0 for agent events */
	enum channel channel;
	const char *tenant;
	const char *queue;
	const char *agent;  /* the agent concerned, or NULL */
	const char *site;   /* the agent's site, or NULL */
	const char *target; /* transfer target, closed-action queue */
	const char *customer;
	enum contact_state state; /* the contact's state after the event */
	int step;		  /* current step index of the contact */
	int priority;		  /* effective priority (queue + contact) */
	bool callback;		  /* the contact is a callback */
	bool entered;	 /* QUEUED: it has just entered the queue (an arrival or
			  * a transfer), not come back after an offer */
	int64_t wait_ms; /* time since it entered this queue */
	int64_t total_wait_ms; /* time since it first arrived */
	int64_t talk_ms;       /* ENDED, COMPLETED: answer to end */
	int64_t wrap_ms;       /* COMPLETED: time in wrap-up */
	uint32_t position;     /* QUEUED: 1-based place in line */
	int64_t ewt_ms;	       /* QUEUED: estimated wait, -1 if unknown */
	int64_t expires_ms;    /* OFFERED: when the offer times out; ENDED
				* into a timed wrap-up: when it ends; or 0 */
	enum agent_state agent_state; /* AGENT_STATE: new state */
	enum agent_state prev_state;  /* AGENT_STATE: previous state */
	int64_t prev_state_ms;	      /* AGENT_STATE: time spent in it */
	const char *reason;	      /* pause reason, miss, closed... */
};

typedef void(engine_handler)(void *arg, const struct engine_event *ev);

struct engine;

/* Returns 0, EINVAL (bad config) or ENOMEM. cfg may be NULL (defaults). */
int engine_new(struct engine **ep, const struct engine_config *cfg,
	       engine_handler *handler, void *arg);
void engine_free(struct engine *e);

/* Calendars are evaluated at utc_ms + (now - mono_ms) from now on. */
void engine_set_wallclock(struct engine *e, int64_t mono_ms, int64_t utc_ms);

/* ---- configuration ------------------------------------------------- */

int engine_tenant_add(struct engine *e, const char *id);
/* EBUSY while the tenant still has queues or agents that serve only it. */
int engine_tenant_remove(struct engine *e, const char *id);

struct engine_site {
	const char *id;
	enum site_kind kind;
	const char *country; /* ISO 3166 alpha-2, may be NULL */
	int64_t cost_per_hour_cents;
};

/* Adds or replaces a site; agents on it are re-evaluated. */
int engine_site_set(struct engine *e, const struct engine_site *site);

struct engine_agent {
	const char *id;
	const char *site;
	const char **skill_names; /* with levels 1..10 */
	const uint8_t *skill_levels;
	size_t nskills;
	const char **tags;
	size_t ntags;
	const char **tenants; /* tenants the agent may serve */
	size_t ntenants;
	uint8_t capacity[CH_MAX]; /* contacts at once per channel */
};

/*
 * Adds an agent (offline) or, for a known id, replaces its skills, tags,
 * site, tenants and capacity while keeping its state and contacts.
 * Returns 0, ENOENT (unknown site or tenant), EINVAL or ENOMEM.
 */
int engine_agent_set(struct engine *e, const struct engine_agent *agent);

/* EBUSY while the agent holds an active or wrap-up contact. */
int engine_agent_remove(struct engine *e, int64_t now, const char *id);

/*
 * available, paused (reason required) or offline (a reason optional:
 * "disconnected"). Pending offers are
 * withdrawn when the agent pauses or leaves; going offline is EBUSY
 * while the agent holds an active or wrap-up contact.
 */
int engine_agent_state(struct engine *e, int64_t now, const char *id,
		       enum agent_state state, const char *reason);

struct engine_step {
	int64_t after_ms;   /* since the contact entered the queue */
	const char *filter; /* NULL keeps the previous step's filter */
	int priority_delta; /* added to the contact's priority */
	int64_t min_ewt_ms; /* apply only if the EWT is at least this */
	enum action action;
	const char *target; /* queue for ACTION_TRANSFER */
};

struct engine_queue {
	const char *id;
	const char *tenant;
	enum channel channel;
	int priority;
	int64_t sl_threshold_ms;
	enum strategy strategy;
	bool last_agent;	    /* prefer the customer's last agent */
	int64_t last_agent_wait_ms; /* ...waiting for them this long */
	int ring_max;		    /* ring-all: at most this many at once */
	enum wrapup_policy wrapup;
	int64_t wrapup_ms;
	int64_t aht_ms; /* initial handle time for EWT before data */
	const struct engine_step *steps; /* steps[0].after_ms must be 0 */
	size_t nsteps;			 /* 0: any agent of the tenant */
	const char *calendar;		 /* NULL: always open */
	enum action closed_action;	 /* VOICEMAIL, TRANSFER, CLOSE... */
	const char *closed_target;
};

/* Why a configuration call failed, for people. */
struct engine_error {
	char msg[224];
};

/*
 * Adds or replaces a queue. Contacts waiting in a replaced queue keep
 * their place and move to the step their wait now falls in. Returns 0,
 * EINVAL with err filled (bad filter, steps out of order...), ENOENT
 * (unknown tenant, calendar or target), EBUSY (changing the tenant or
 * channel of a queue that holds contacts) or ENOMEM.
 */
int engine_queue_set(struct engine *e, int64_t now,
		     const struct engine_queue *q, struct engine_error *err);

/* EBUSY while contacts are in the queue or another queue targets it. */
int engine_queue_remove(struct engine *e, const char *id);

/*
 * Whether queue id is open at now by its calendar (no calendar: always);
 * false for an unknown queue.
 */
bool engine_queue_open(struct engine *e, const char *id, int64_t now);

/* Adds or replaces a calendar; the engine takes ownership of cal. */
int engine_calendar_set(struct engine *e, const char *id, struct calendar *cal);
int engine_calendar_remove(struct engine *e, const char *id);

/* ---- contacts ------------------------------------------------------ */

struct engine_contact {
	uint64_t id; /* chosen by the caller, unique, not 0 */
	const char *queue;
	int priority;
	const char *customer; /* for last-agent routing; may be NULL */
	bool callback;	      /* arrives as a callback request */
};

struct engine_contact_info {
	enum contact_state state;
	const char *queue; /* borrowed, valid until the next command */
	const char *agent; /* handling or offered agent, or NULL */
	int step;
	int priority;
	uint32_t position; /* 1-based in its line; 0 when not waiting */
	int64_t ewt_ms;	   /* -1 when no agent could serve it now */
	int64_t arrived_ms;
	int64_t state_ms[CS_MAX]; /* when each state was last entered; -1 */
};

/*
 * A contact arrives. On success the contact was queued, offered, or
 * turned away by a closed action (see info->state).
 * Returns 0, EEXIST, ENOENT (unknown queue) or ENOMEM.
 */
int engine_contact_add(struct engine *e, int64_t now,
		       const struct engine_contact *c,
		       struct engine_contact_info *info);

/*
 * Puts back a contact that was waiting when the server stopped: it keeps
 * its arrival time (so its place in line) and the time it entered its
 * queue (so its step), and waits without being matched and without any
 * event; the server restores contacts before agents come back. Step
 * actions whose time passed while the server was down do not fire.
 * Returns 0, EEXIST, ENOENT (unknown queue), EINVAL or ENOMEM.
 */
int engine_contact_restore(struct engine *e, int64_t now,
			   const struct engine_contact *c, int64_t arrived_ms,
			   int64_t entered_ms);

int engine_contact_accept(struct engine *e, int64_t now, uint64_t id,
			  const char *agent);
int engine_contact_reject(struct engine *e, int64_t now, uint64_t id,
			  const char *agent);
/* Handling ends: wrap-up per the queue's policy. */
int engine_contact_end(struct engine *e, int64_t now, uint64_t id);
int engine_contact_wrapup_done(struct engine *e, int64_t now, uint64_t id);
/* The customer leaves before being answered. */
int engine_contact_abandon(struct engine *e, int64_t now, uint64_t id);
/* A waiting contact becomes a callback and keeps its place. */
int engine_contact_callback(struct engine *e, int64_t now, uint64_t id);
/*
 * Moves a waiting or active contact to another queue of the same tenant
 * (queue != NULL) or to one agent (agent != NULL). An active contact's
 * agent is freed at once.
 */
int engine_contact_transfer(struct engine *e, int64_t now, uint64_t id,
			    const char *queue, const char *agent);

/* Returns 0 or ENOENT. */
int engine_contact_info(struct engine *e, int64_t now, uint64_t id,
			struct engine_contact_info *info);

/* ---- time ---------------------------------------------------------- */

/* Fires every timer due at or before now (steps, offers, wrap-up...). */
void engine_advance(struct engine *e, int64_t now);

/* When the next timer is due, or INT64_MAX. */
int64_t engine_next_timer(const struct engine *e);

/* ---- introspection ------------------------------------------------- */

enum why {
	WHY_ELIGIBLE = 0, /* nothing stops it: it is the next in line */
	WHY_NOT_WAITING,  /* the contact is not waiting */
	WHY_OFFERED_TO,	  /* it is being offered to this agent */
	WHY_OTHER_TENANT, /* the agent does not serve the tenant */
	WHY_NO_CHANNEL,	  /* the agent has no capacity on the channel */
	WHY_OFFLINE,
	WHY_PAUSED,
	WHY_FILTER,	    /* the current step's filter excludes it */
	WHY_DIRECT,	    /* the contact waits for another agent */
	WHY_AT_CAPACITY,    /* all slots of the channel are taken */
	WHY_BLOCKED,	    /* another channel's contact blocks this one */
	WHY_BUDGET,	    /* the shared capacity budget is used up */
	WHY_COOLING,	    /* just missed an offer; back soon */
	WHY_LOWER_IN_ORDER, /* another agent came first for this contact */
	WHY_MAX,
};

/*
 * Explains why `agent` is not handling contact `id` now. text gets a
 * sentence for people ("filter of step 1 excludes it: lang.fr >= 6").
 * Returns 0 or ENOENT.
 */
int engine_why(struct engine *e, int64_t now, uint64_t id, const char *agent,
	       enum why *why, char *text, size_t size);

struct engine_queue_stats {
	uint32_t waiting; /* queued + callback-pending */
	uint32_t offered; /* being offered now */
	uint32_t active;
	int64_t oldest_arrival_ms; /* -1 when empty */
	int64_t aht_ms;		   /* recent handle time */
	int64_t ewt_ms; /* a new arrival's estimated wait; -1 if unknown */
};

/*
 * Counts by state, the oldest waiting contact, and the estimated wait of a
 * contact arriving at `now` (no timer fires: call engine_advance first).
 */
int engine_queue_stats(struct engine *e, int64_t now, const char *id,
		       struct engine_queue_stats *st);

int engine_agent_info(struct engine *e, const char *id, enum agent_state *state,
		      uint8_t load[CH_MAX]);

const char *engine_channel_name(enum channel ch);
bool engine_channel_parse(const char *s, enum channel *chp);
/*
 * The names of channels, strategies and step actions in the engine's
 * order, NULL-terminated: the one list the API's and the scenarios'
 * validation take their allowed values from.
 */
extern const char *const engine_channel_names[];
extern const char *const engine_strategy_names[];
extern const char *const engine_action_names[];
const char *engine_strategy_name(enum strategy s);
bool engine_strategy_parse(const char *s, enum strategy *sp);
const char *engine_contact_state_name(enum contact_state s);
/* The contact state named s (NULL or unknown: false, *sp untouched). */
bool engine_contact_state_parse(const char *s, enum contact_state *sp);
const char *engine_agent_state_name(enum agent_state s);
/* The state named s (NULL or unknown: false, *sp untouched). */
bool engine_agent_state_parse(const char *s, enum agent_state *sp);
const char *engine_event_name(enum engine_event_type t);
/* The event type named s (NULL or unknown: false, *tp untouched). */
bool engine_event_parse(const char *s, enum engine_event_type *tp);
const char *engine_action_name(enum action a);
bool engine_action_parse(const char *s, enum action *ap);
const char *engine_why_name(enum why w);

#endif
