/*
 * config — the JSON shapes of a centre's configuration, written once:
 * tenants, sites, skills, agents, queues (with their steps and capacity),
 * calendars, dispositions and users, as the HTTP API takes them in a
 * request body and as a scenario or the demo centre's file writes them.
 *
 * Each table holds the fields a document gives, without an id: the API
 * includes a table (JV_FIELDS) after its read-only id, created_at and
 * updated_at (server/kinds.c); a scenario after an id of its own choosing,
 * which its other objects refer to (cli/sim_scenario.c). What a field
 * means is docs/openapi.yaml's; the values a table cannot check (a time
 * zone, a filter, a reference) are checked by whoever applies it.
 */
#ifndef RELAIS_MODEL_CONFIG_H
#define RELAIS_MODEL_CONFIG_H

#include "model/jv.h"

extern const struct jv_field config_tenant_fields[];
extern const struct jv_field config_site_fields[];
extern const struct jv_field config_skill_fields[];
extern const struct jv_field config_agent_fields[];
extern const struct jv_field config_queue_fields[];
extern const struct jv_field config_calendar_fields[];
extern const struct jv_field config_disposition_fields[];
extern const struct jv_field config_user_fields[];
extern const struct jv_field config_response_fields[];

/*
 * Whether an agent's body serves tenant: the tenant is one of its
 * tenants and, unless channel is NULL, it has a capacity on that channel.
 */
bool config_agent_serves(const json_t *agent, const char *tenant,
			 const char *channel);

/* The roles of a user, NULL-ended. */
extern const char *const config_roles[];

/* A tenant's pause reasons when it names none, NULL-ended. */
extern const char *const config_pause_reasons[];
/* The longest pause reason, in bytes. */
#define CONFIG_PAUSE_REASON_MAX 32

#endif
