/*
 * Every route of the server. `relais routes` prints this table, and a test
 * compares it with docs/openapi.yaml both ways.
 */
#include <stddef.h>

#include "server/module.h"
#include "server/srv.h"

/* A route with the default body limit (WEB_BODY_MAX). */
#define ROUTE(m, p, fn, r)                                     \
	{                                                      \
		.method = m, .pattern = p, .h = fn, .roles = r \
	}

#define ADMIN_KIND(k)                                                        \
	ROUTE("GET", "/api/v1/" k, api_obj_list, R_ANY),                     \
		ROUTE("POST", "/api/v1/" k, api_obj_create, R_ANY),          \
		ROUTE("GET", "/api/v1/" k "/{id}", api_obj_get, R_ANY),      \
		ROUTE("PATCH", "/api/v1/" k "/{id}", api_obj_update, R_ANY), \
		ROUTE("DELETE", "/api/v1/" k "/{id}", api_obj_delete, R_ANY)

#define STAFF (R_ADMIN | R_SUPERVISOR | R_AGENT | R_INTEGRATION)

static const struct route api_routes[] = {
	ROUTE("GET", "/healthz", api_healthz, R_PUBLIC),
	ROUTE("GET", "/metrics", api_metrics, R_PUBLIC),
	ROUTE("GET", "/api/v1/stats/realtime", api_stats_realtime,
	      R_ADMIN | R_SUPERVISOR | R_AGENT | R_CLIENT),
	ROUTE("GET", "/api/v1/reports/intervals", api_reports_intervals,
	      R_ADMIN | R_SUPERVISOR | R_CLIENT),
	ROUTE("GET", "/api/v1/events", api_events,
	      R_ADMIN | R_SUPERVISOR | R_INTEGRATION),
	ROUTE("GET", "/api/v1/stream", api_stream, R_PUBLIC),
	{.method = NULL},
};

/* Today's counters, from the log (after the contacts are restored). */
static int api_load(struct srv *s, void *arg)
{
	(void)arg;
	return stats_rebuild(s);
}

/* The routes not yet moved into their feature's module. */
const struct srv_module api_module = {
	.name = "api",
	.routes = api_routes,
	.load = api_load,
};
