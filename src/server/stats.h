/*
 * stats — the realtime statistics (today's counters per queue, the
 * agents' states), /metrics, /healthz and the event replay
 * (GET /api/v1/events). A server module (module.h) whose state is
 * its own: the counters live from the engine's events and are rebuilt
 * from the log at start-up.
 */
#ifndef RELAIS_STATS_H
#define RELAIS_STATS_H

#include <stdint.h>

#include <jansson.h>

#include "core/engine.h"
#include "core/metrics.h"
#include "server/module.h"

struct srv;
struct user;

extern const struct srv_module stats_module;

/*
 * The realtime view for u (of one tenant, or all), serialized, from a cache
 * that any event empties (each moves s->seq) and that lives a second at most
 * (waits and times in state are counted in seconds). Valid until the next call.
 */
const char *stats_realtime_text(struct srv *s, const struct user *u,
				const char *tenant);
/* An agent's time in state, for the realtime statistics. */
struct astate {
	char agent[40];
	enum agent_state state;
	char reason[32];
	int64_t since_ms;
};

/* The agent's state and since when (borrowed), or NULL. */
const struct astate *stats_agent_state(struct srv *s, const char *agent);

/*
 * The UTC instant the tenant's day began (its last local midnight at
 * now_ms, in its time zone; UTC for an unknown tenant or zone).
 */
int64_t stats_day_start(struct srv *s, const char *tenant, int64_t now_ms);

/* Today's counters of a queue of tenant (borrowed; all zero for none). */
const struct metrics *stats_queue_today(struct srv *s, const char *queue,
					const char *tenant, int64_t now);

/*
 * A measure as the API writes it: v rounded to 1/scale, or null when v is
 * negative (metrics.h: nothing to measure yet). A new reference.
 */
json_t *stats_num(double v, double scale);

/*
 * The CSAT figures of m into object o: csat_count, csat_avg (1 to 5, to
 * 1/100) and csat_satisfied_pct (ratings of 4-5 in percent, to 1/10);
 * null with no rating.
 */
void stats_csat_set(json_t *o, const struct metrics *m);

#endif
