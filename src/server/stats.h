/*
 * stats — the realtime statistics (today's counters per queue, the
 * agents' states), the interval reports, /metrics, /healthz and the event
 * replay (GET /api/v1/events). A server module (module.h) whose state is
 * its own: the counters live from the engine's events and are rebuilt
 * from the log at start-up.
 */
#ifndef RELAIS_STATS_H
#define RELAIS_STATS_H

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
/* stats_agent_state() is declared in srv.h while agents.c includes only
 * srv.h. */

#endif
