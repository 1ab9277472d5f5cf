/*
 * sim — a discrete-event simulation of a contact centre that drives the
 * production routing engine (engine.h) on a virtual clock.
 *
 * Each replication makes a fresh engine, configures it from a scenario
 * (tenants, sites, agents, queues: the engine's own structs), then plays
 * customers and agents against it: contacts arrive as a Poisson process
 * whose rate is constant within each interval, wait, give up at their
 * patience (engine_contact_abandon) or take a proposed callback; agents log
 * in and out at their shift times, take breaks, accept offers at once or
 * after a ring delay, talk for a handle time and wrap up as their queue
 * says. Routing is the engine's alone: the simulator never decides who
 * takes what, it only carries out the engine's decisions.
 *
 * The event list is a binary heap of (time, kind, contact or agent); what
 * the engine asks for "now" (an offer accepted without ring delay, a
 * callback taken) goes to a FIFO served before the heap, since the handler
 * may not call back into the engine. The engine's own timers (steps, offer
 * time-outs, timed wrap-up) are interleaved through engine_next_timer() and
 * engine_advance(), so every event happens at its exact millisecond.
 *
 * Measures are the server's: every engine event goes through
 * metrics_on_event() into a struct metrics per interval and per queue (and
 * per site, for the agent's side); tenant and centre rows are sums of
 * queue rows. Events are counted in the interval they happen in, like the
 * server's interval reports; the first warmup_ms of every replication is
 * simulated but not counted. After the last interval no contact arrives;
 * the ones still in the centre are followed for up to drain_ms and counted
 * in the last interval (agent time stops at the end of the day).
 *
 * Every measure of every row is averaged over the replications with a 95%
 * confidence interval (Student t). Random numbers: xoshiro256** seeded
 * from (seed, replication), so a seed gives the same result everywhere.
 * Customers and agents draw from separate streams (common random
 * numbers): each queue's customers come from a stream named by the queue's
 * id, which draws their arrival times, patience, talk time and callback
 * choice when they arrive; agents' ring delays and wrap-ups, and the
 * engine's own choices, come from others. Two scenarios that differ in
 * staffing or routing but share queues thus see the same customers in the
 * same replication, and their difference is measured with far less noise.
 *
 * Pure: no I/O, no clock. Costs: O(log E) per event for E pending events,
 * plus the engine's own costs (engine.h); memory O(contacts alive + agents
 * + intervals × rows).
 */
#ifndef RELAIS_SIM_H
#define RELAIS_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/engine.h"
#include "core/metrics.h"

/* ---- random numbers ------------------------------------------------ */

struct sim_rng {
	uint64_t s[4];
};

/* xoshiro256**, its state filled by splitmix64 from (seed, stream). */
void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream);
uint64_t sim_rng_next(struct sim_rng *r);
/* Uniform on (0, 1): never 0, never 1. */
double sim_rng_uniform(struct sim_rng *r);

/*
 * Exponential of mean 1 by the ziggurat method (Marsaglia & Tsang 2000),
 * about five times faster than -log(U): one draw and one comparison 98.9%
 * of the time. The tables are filled once (sim_ziggurat_init) and read-only
 * afterwards.
 */
struct sim_ziggurat {
	uint32_t k[256];
	double w[256], f[256];
};

void sim_ziggurat_init(struct sim_ziggurat *z);
double sim_rng_exp(struct sim_rng *r, const struct sim_ziggurat *z);

/* ---- distributions of durations ------------------------------------ */

enum sim_dist_kind {
	SIM_DIST_NONE = 0,    /* never (infinite patience), or zero delay */
	SIM_DIST_CONSTANT,    /* always mean_s */
	SIM_DIST_EXPONENTIAL, /* mean mean_s */
	SIM_DIST_LOGNORMAL,   /* mean mean_s, standard deviation sd_s */
	SIM_DIST_EMPIRICAL,   /* one of values_s, each equally likely */
	SIM_DIST_MAX,
};

struct sim_dist {
	enum sim_dist_kind kind;
	double mean_s;
	double sd_s;
	const double *values_s; /* borrowed: lives as long as the scenario */
	size_t nvalues;
};

const char *sim_dist_name(enum sim_dist_kind k);
bool sim_dist_parse(const char *s, enum sim_dist_kind *kp);

/* Returns 0 or EINVAL with msg filled ("sd_s: must be > 0"). */
int sim_dist_check(const struct sim_dist *d, char *msg, size_t size);

/* ---- statistics over replications --------------------------------- */

/* The 97.5% quantile of Student's t with df degrees of freedom (df >= 1). */
double sim_t975(unsigned df);

/* Welford's running mean and variance. */
struct sim_acc {
	uint32_t n;
	double mean, m2;
};

void sim_acc_add(struct sim_acc *a, double x);

/*
 * One measure over the replications where it is defined: n of them, their
 * mean (-1 when n = 0), and the half-width of the 95% t interval (-1 when
 * n < 2).
 */
struct sim_stat {
	double mean, ci95;
	uint32_t n;
};

struct sim_stat sim_acc_stat(const struct sim_acc *a);

/* ---- scenarios ----------------------------------------------------- */

struct sim_break {
	int64_t start_ms, end_ms; /* since t = 0; inside the shift */
};

struct sim_shift {
	int64_t start_ms, end_ms; /* since t = 0; 0 <= start < end */
	unsigned count;		  /* agents working this shift (>= 1) */
	const struct sim_break *breaks;
	size_t nbreaks;
};

/*
 * A group of identical agents. Without shifts, `count` agents (0 means 1)
 * are logged in from t = 0 to the end. With shifts, each shift brings its
 * count. A group of one agent keeps its id; the agents of a larger group
 * are named "id-1", "id-2"... in shift order.
 */
struct sim_agent {
	struct engine_agent agent; /* borrowed strings and arrays */
	unsigned count;
	const struct sim_shift *shifts;
	size_t nshifts;
};

/*
 * One customer of a recorded day (a trace): when the contact entered the
 * queue, and what is known of it. A talk time or patience < 0 is drawn
 * from the queue's distribution; a drawn patience starts after waited_ms,
 * the wait the customer is known to have accepted (answered after it).
 * With an exponential patience that is exactly the conditional law
 * (memoryless); with another, an approximation.
 */
struct sim_arrival {
	int64_t at_ms;	     /* since t = 0, in [0, duration) */
	int64_t talk_ms;     /* < 0: drawn */
	int64_t patience_ms; /* < 0: drawn (after waited_ms) */
	int64_t waited_ms;   /* >= 0 */
};

struct sim_queue {
	struct engine_queue queue; /* borrowed strings and arrays */
	/*
	 * Contacts expected per interval; one value serves every interval.
	 * Borrowed.
	 */
	const double *arrivals;
	size_t narrivals;
	/*
	 * Or the very customers of a recorded day, in order of at_ms
	 * (ntrace > 0: arrivals is not read). Borrowed.
	 */
	const struct sim_arrival *trace;
	size_t ntrace;
	struct sim_dist handle;	  /* answer to end (talk); required */
	struct sim_dist patience; /* NONE: the customer never gives up */
	struct sim_dist ring;	  /* offer to accept; NONE: at once */
	struct sim_dist wrapup;	  /* WRAPUP_MANUAL only; NONE: wrapup_ms */
	double callback_take_up;  /* P(a proposed callback is taken) */
};

/* Agents in all (groups × counts): each is an engine agent. */
#define SIM_MAX_AGENTS 200000

struct sim_scenario {
	const char *const *tenants;
	size_t ntenants;
	const struct engine_site *sites;
	size_t nsites;
	const struct sim_agent *agents;
	size_t nagents;
	const struct sim_queue *queues;
	size_t nqueues;
	const struct engine_config *engine; /* NULL: engine defaults */
	int64_t interval_ms;		    /* > 0 */
	int64_t duration_ms;		    /* a whole number of intervals */
	int64_t warmup_ms;		    /* 0 <= warmup < duration */
	int64_t drain_ms;		    /* >= 0 */
	int64_t wall_ms; /* UTC time of t = 0, for calendars */
	/*
	 * Called on every new engine after its tenants and sites, before
	 * queues: adds what the scenario holds apart (calendars). May be
	 * NULL. Returns 0 or an errno with err filled.
	 */
	int (*setup)(void *arg, struct engine *e, struct engine_error *err);
	void *setup_arg;
};

struct sim_error {
	char msg[288];
};

/*
 * Checks a scenario: its numbers, then a real engine configured from it
 * (filters, steps, references). Messages name the field the way the
 * scenario file does: "queues[1].steps: filter ... at position 4 ...".
 * Returns 0 or EINVAL (ENOMEM).
 */
int sim_check(const struct sim_scenario *sc, struct sim_error *err);

/* ---- running --------------------------------------------------------- */

struct sim_options {
	unsigned reps; /* >= 1 */
	uint64_t seed;
	/*
	 * The number of the first replication: replication i of a run with
	 * first_rep = i draws what replication i of a run from 0 draws
	 * (paired comparisons run one replication at a time).
	 */
	unsigned first_rep;
	/* After every replication and now and then within one; may be NULL. */
	void (*progress)(void *arg, unsigned rep, unsigned reps, double done);
	/* Sees every engine event (tests, traces); may be NULL. */
	engine_handler *observer;
	void *arg; /* for progress and observer */
};

enum sim_measure {
	SIM_OFFERED = 0,
	SIM_ANSWERED,
	SIM_HANDLED,
	SIM_ABANDONED,
	SIM_SHORT_ABANDONED,
	SIM_ANSWERED_IN_SL,
	SIM_TRANSFERS,
	SIM_SERVICE_LEVEL,	   /* SPEC §5 default variant */
	SIM_SERVICE_LEVEL_OFFERED, /* answered in T ÷ (answered + abandoned) */
	SIM_P_WAIT,		   /* share of resolved contacts that waited */
	SIM_ABANDON_RATE,
	SIM_ASA,
	SIM_AVG_WAIT,
	SIM_MAX_WAIT,
	SIM_AHT,
	SIM_AVG_ABANDON,
	SIM_OCCUPANCY,	 /* site and centre rows */
	SIM_UTILISATION, /* site and centre rows */
	SIM_AGENTS,	 /* average logged-in agents; site and centre rows */
	SIM_COST,	 /* logged-in hours × cost per hour */
	SIM_COST_PER_CONTACT,
	SIM_M_MAX,
};

/* "service_level", "asa_s"...: the server's report field names. */
const char *sim_measure_name(enum sim_measure m);

/*
 * The measures of one row from its metrics, -1 where undefined: at_once
 * counts the contacts answered by the agent offered as they entered (for
 * P(wait)); span_ms is the row's counted time, cost its agents' cost;
 * agent_row says whether agent time belongs to the row (sites and the
 * centre: occupancy, agents, cost).
 */
void sim_measures(const struct metrics *m, uint32_t at_once, double cost,
		  int64_t span_ms, bool agent_row, double v[SIM_M_MAX]);

enum sim_group {
	SIM_G_ALL = 0, /* the whole centre: one row */
	SIM_G_QUEUE,
	SIM_G_SITE,
	SIM_G_TENANT,
};

struct sim_row {
	struct sim_stat m[SIM_M_MAX];
};

struct sim_result {
	unsigned reps;
	size_t nintervals, nqueues, nsites, ntenants;
	int64_t interval_ms, warmup_ms;
	struct sim_row *rows; /* owned; read them with sim_row() */
	uint64_t calls;	      /* offered after warm-up, all replications */
	uint64_t engine_events;
	uint64_t unresolved; /* still in the centre when a run stopped */
	uint64_t voicemail, closed, callbacks;
	uint64_t errors; /* engine commands refused unexpectedly */
};

/*
 * The row of one interval (interval == nintervals: the whole run after
 * warm-up) for a group; idx is the queue, site or tenant index in the
 * scenario's order (0 for SIM_G_ALL).
 */
const struct sim_row *sim_row(const struct sim_result *r, size_t interval,
			      enum sim_group g, size_t idx);

/*
 * Runs opt->reps replications. Returns 0, EINVAL (bad scenario, err
 * filled) or ENOMEM; res is then owned by the caller (sim_result_free).
 */
int sim_run(const struct sim_scenario *sc, const struct sim_options *opt,
	    struct sim_result *res, struct sim_error *err);
void sim_result_free(struct sim_result *res);

/* ---- the M/M/n(+M) model ----------------------------------------------- */

/*
 * One queue of `agents` identical agents, Poisson arrivals of `calls` per
 * interval_s, exponential handle times of mean aht_s, exponential patience
 * of mean patience_s (0: never abandons, Erlang C; else Erlang A), no
 * wrap-up, no ring delay, service-level threshold threshold_s. Each
 * replication runs warmup_s (0: 20 handle times) and then long enough for
 * calls_per_rep contacts (0: 100,000). The result has one interval: the
 * whole run.
 */
struct sim_mmn {
	unsigned agents;
	double calls, interval_s, aht_s, patience_s, threshold_s;
	double calls_per_rep, warmup_s;
};

int sim_mmn_run(const struct sim_mmn *in, const struct sim_options *opt,
		struct sim_result *res, struct sim_error *err);

#endif
