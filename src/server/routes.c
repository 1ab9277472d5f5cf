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
	ROUTE("POST", "/api/v1/session", api_session_create, R_PUBLIC),
	ROUTE("GET", "/api/v1/session", api_session_get, R_ANY),
	ROUTE("DELETE", "/api/v1/session", api_session_delete, R_ANY),
	ADMIN_KIND("tenants"),
	ADMIN_KIND("sites"),
	ADMIN_KIND("skills"),
	ADMIN_KIND("agents"),
	ADMIN_KIND("queues"),
	ADMIN_KIND("calendars"),
	ADMIN_KIND("dispositions"),
	ADMIN_KIND("users"),
	ROUTE("POST", "/api/v1/contacts", api_contact_create,
	      R_ADMIN | R_SUPERVISOR | R_INTEGRATION),
	ROUTE("GET", "/api/v1/contacts", api_contact_list, STAFF),
	ROUTE("GET", "/api/v1/contacts/{id}", api_contact_get, STAFF),
	ROUTE("POST", "/api/v1/contacts/{id}/accept", api_contact_accept,
	      STAFF),
	ROUTE("POST", "/api/v1/contacts/{id}/reject", api_contact_reject,
	      STAFF),
	ROUTE("POST", "/api/v1/contacts/{id}/complete", api_contact_complete,
	      STAFF),
	ROUTE("POST", "/api/v1/contacts/{id}/transfer", api_contact_transfer,
	      STAFF),
	ROUTE("POST", "/api/v1/contacts/{id}/callback", api_contact_callback,
	      STAFF),
	ROUTE("POST", "/api/v1/contacts/{id}/abandon", api_contact_abandon,
	      R_ADMIN | R_SUPERVISOR | R_INTEGRATION),
	ROUTE("POST", "/api/v1/contacts/{id}/wrapup", api_contact_wrapup,
	      STAFF),
	ROUTE("PUT", "/api/v1/agents/{id}/state", api_agent_state,
	      R_ADMIN | R_SUPERVISOR | R_AGENT),
	ROUTE("GET", "/api/v1/agents/{id}/why", api_agent_why,
	      R_ADMIN | R_SUPERVISOR),
	ROUTE("POST", "/api/v1/customers", api_customer_create, STAFF),
	ROUTE("GET", "/api/v1/customers", api_customer_list, STAFF),
	ROUTE("GET", "/api/v1/customers/{id}", api_customer_get, STAFF),
	ROUTE("PATCH", "/api/v1/customers/{id}", api_customer_update, STAFF),
	ROUTE("GET", "/api/v1/customers/{id}/contacts", api_customer_contacts,
	      STAFF),
	{.method = NULL},
};

/* The routes not yet moved into their feature's module. */
const struct srv_module api_module = {
	.name = "api",
	.routes = api_routes,
};
