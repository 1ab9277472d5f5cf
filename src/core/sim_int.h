/*
 * sim_int.h — what the simulator's files share: the state of a run
 * (sim.c plays it, sim_fold.c sums it up) and the scenario checks
 * (sim_check.c). Not a public interface.
 */
#ifndef RELAIS_SIM_INT_H
#define RELAIS_SIM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hmap.h"
#include "core/sim.h"

enum kind {
	K_ARRIVAL = 0, /* id: queue */
	K_ACCEPT,      /* id: contact, arg: agent */
	K_END,	       /* id: contact */
	K_WRAPDONE,    /* id: contact */
	K_ABANDON,     /* id: contact */
	K_CALLBACK,    /* id: contact */
	K_LOGIN,       /* id: agent */
	K_BREAK,       /* id: agent */
	K_RESUME,      /* id: agent */
	K_LOGOUT,      /* id: agent */
};

struct sev {
	int64_t t;
	uint64_t id;
	uint32_t kind, arg;
};

/* A distribution ready to draw from, in milliseconds. */
struct pdist {
	enum sim_dist_kind kind;
	double a, b; /* mean; or lognormal mu, sigma */
	const double *v;
	size_t n;
};

struct rqueue {
	const char *id;
	const struct sim_queue *in;
	size_t tenant;
	int64_t sl_ms, wrapup_ms;
	bool manual;
	double *rate;	    /* arrivals per ms, per interval */
	double *gap;	    /* 1 / rate, or 0 */
	double clock;	    /* the last arrival, ms (not rounded) */
	size_t k;	    /* its interval; with a trace, the next customer */
	struct sim_rng rng; /* the customers' stream (common random numbers) */
	uint64_t stream;    /* named by the queue's id */
	uint64_t cseed;	    /* this replication's, for customer_rng() */
	uint32_t customers; /* arrived so far */
	struct pdist handle, patience, ring, wrapup;
};

struct ragent {
	char *id; /* owned; first member (name index) */
	size_t site;
	const struct sim_agent *group;
	const struct sim_shift *shift; /* NULL: logged in throughout */
	enum agent_state state;
	int64_t since;
	bool leaving;
};

struct rsite {
	const char *id; /* first member (name index) */
	double cost_per_ms;
};

enum { C_WAITING = 0, C_ANSWERED, C_CALLBACK };
#define C_AT_ONCE 0x100u /* offered as it entered, not back in line since */

/*
 * A contact in the centre, with what its customer brought along: a talk
 * time for its first queue, drawn on arrival from its queue's stream, and
 * its number there, which names its own draws (patience, callback).
 */
struct rcontact {
	uint64_t id; /* (generation << 32) | slot; the slot's current one */
	uint32_t state;
	uint32_t next_free;
	int64_t talk_ms;   /* < 0: used (a transferred contact draws anew) */
	uint32_t queue;	   /* where it arrived */
	uint32_t customer; /* its number in that queue */
};

struct cell {
	struct metrics m;
	uint32_t at_once; /* answered by the agent offered on entry */
};

/*
 * The engine's name strings by address: within a replication the engine
 * keeps each queue's and agent's id where it is (the simulator changes no
 * configuration), so an address seen once names the same object until the
 * engine is freed. Direct-mapped; a miss falls back to the name tables.
 */
#define PCACHE 256

struct pcache {
	const char *key;
	void *val;
};

struct run {
	const struct sim_scenario *sc;
	const struct sim_options *opt;
	struct engine *e;
	engine_handler *observer;
	struct sim_rng rng;
	int64_t now, end, stop_at;
	size_t nint, ncols; /* cells per interval: queues then sites */

	struct rqueue *q;
	size_t nq;
	struct ragent *a;
	size_t na;
	struct rsite *s;
	size_t ns;
	struct hmap qnames, anames;
	struct pcache qcache[PCACHE], acache[PCACHE];

	struct sev *heap, *fifo;
	size_t nheap, heapcap, fhead, fn, fcap;
	bool hole;   /* heap[0] was taken; the next push fills it */
	bool manual; /* some queue has manual wrap-up */

	struct rcontact *c;
	size_t nc, ccap;
	uint32_t free_slot; /* UINT32_MAX: none */
	size_t live;
	uint64_t entering; /* entered a queue in the current command */

	int64_t kfrom, kto; /* the interval of the last lookup */
	size_t k;
	struct sim_ziggurat zig;
	struct cell *cells; /* nint × ncols */
	struct sim_acc *acc;
	size_t ngroups;
	uint64_t events, calls, unresolved, voicemail, closed, callbacks;
	uint64_t errors;
	int oom;
};

int sim_fail(struct sim_error *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Index of id in names (or in the scenario's sites), or SIZE_MAX. */
size_t sim_index_of(const char *const *names, size_t n, const char *id);
size_t sim_site_index(const struct sim_scenario *sc, const char *id);

/* The scenario's own numbers and references, before any engine. */
int sim_check_numbers(const struct sim_scenario *sc, struct sim_error *err);

/* Adds a finished replication's cells to the rows' accumulators. */
void sim_fold(struct run *r);

/* The rows of the result from the accumulators (res->rows allocated). */
void sim_results(const struct run *r, struct sim_result *res);

#endif
