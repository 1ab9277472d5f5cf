/*
 * config — see config.h. The tables are the API's Tenant, Site, Skill,
 * Agent, Queue, Calendar, Disposition and User, less the fields the
 * server writes.
 */
#include <string.h>

#include "core/expr.h"
#include "model/config.h"
#include "core/engine.h"
#include "model/calendar_json.h"

const char *const config_roles[] = {"admin",  "supervisor",  "agent",
				    "client", "integration", NULL};

const char *const config_pause_reasons[] = {"break",	"lunch",   "training",
					    "coaching", "meeting", "technical",
					    "other",	NULL};

const struct jv_field config_tenant_fields[] = {
	{"name", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
	{"timezone", JV_STRING, 0, 1, 64, NULL, NULL},
	{"languages", JV_STRINGS, 0, 0, 20, NULL, NULL},
	/* each at most CONFIG_PAUSE_REASON_MAX bytes, once: tenant_apply */
	{"pause_reasons", JV_STRINGS, 0, 0, 50, NULL, NULL},
	/* messages and attachments kept so many days (null: for ever) */
	{"retention_days", JV_INT, JV_NULLABLE, 1, 36500, NULL, NULL},
	{"attachment_max_mb", JV_INT, 0, 1, 100, NULL, NULL},
	/* voice: calls are recorded unless a queue says otherwise */
	{"recording", JV_BOOL, 0, 0, 0, NULL, NULL},
	JV_END,
};

const struct jv_field config_site_fields[] = {
	{"name", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
	{"kind", JV_STRING, 0, 0, 0, expr_site_kind_names, NULL},
	{"timezone", JV_STRING, 0, 1, 64, NULL, NULL},
	{"country", JV_STRING, JV_NULLABLE, 2, 2, NULL, NULL},
	{"cost_per_hour", JV_NUMBER, 0, 0, 100000, NULL, NULL},
	JV_END,
};

const struct jv_field config_skill_fields[] = {
	{"name", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	JV_END,
};

static const struct jv_field capacity_fields[] = {
	{"voice", JV_INT, 0, 0, 20, NULL, NULL},
	{"chat", JV_INT, 0, 0, 20, NULL, NULL},
	{"email", JV_INT, 0, 0, 20, NULL, NULL},
	{"sms", JV_INT, 0, 0, 20, NULL, NULL},
	JV_END,
};

const struct jv_field config_agent_fields[] = {
	{"name", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
	{"site", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	{"skills", JV_INT_MAP, 0, 1, 10, NULL, NULL},
	{"tenants", JV_STRINGS, 0, 0, 100, NULL, NULL},
	{"capacity", JV_SUBOBJECT, 0, 0, 0, NULL, capacity_fields},
	{"tags", JV_STRINGS, 0, 0, 50, NULL, NULL},
	JV_END,
};

static const struct jv_field step_fields[] = {
	{"after_s", JV_INT, JV_REQUIRED, 0, 7 * 86400, NULL, NULL},
	{"filter", JV_STRING, JV_NULLABLE, 1, 4096, NULL, NULL},
	{"priority_delta", JV_INT, 0, -1000, 1000, NULL, NULL},
	{"min_ewt_s", JV_INT, 0, 0, 86400, NULL, NULL},
	{"action", JV_STRING, 0, 0, 0, engine_action_names, NULL},
	{"target", JV_STRING, JV_NULLABLE, 1, 64, NULL, NULL},
	JV_END,
};

const struct jv_field config_queue_fields[] = {
	{"tenant", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	{"name", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
	{"channel", JV_STRING, JV_REQUIRED, 0, 0, engine_channel_names, NULL},
	{"priority", JV_INT, 0, -1000, 1000, NULL, NULL},
	{"sl_threshold_s", JV_INT, 0, 1, 86400, NULL, NULL},
	{"sl_target", JV_INT, 0, 0, 100, NULL, NULL}, /* percent */
	{"strategy", JV_STRING, 0, 0, 0, engine_strategy_names, NULL},
	{"steps", JV_ARRAY, 0, 0, 32, NULL, step_fields},
	{"calendar", JV_STRING, JV_NULLABLE, 1, 64, NULL, NULL},
	{"closed_action", JV_STRING, 0, 0, 0, engine_action_names, NULL},
	{"closed_target", JV_STRING, JV_NULLABLE, 1, 64, NULL, NULL},
	{"wrapup", JV_STRING, 0, 0, 0, jv_wrapups, NULL},
	{"wrapup_s", JV_INT, 0, 0, 86400, NULL, NULL},
	{"aht_s", JV_INT, 0, 1, 86400, NULL, NULL},
	{"last_agent", JV_BOOL, 0, 0, 0, NULL, NULL},
	{"last_agent_wait_s", JV_INT, 0, 0, 3600, NULL, NULL},
	{"ring_max", JV_INT, 0, 0, 1000, NULL, NULL},
	{"dispositions", JV_STRINGS, 0, 0, 100, NULL, NULL},
	{"disposition_required", JV_BOOL, 0, 0, 0, NULL, NULL},
	/* voice: recorded (null: as the tenant says); the position and
	 * wait announced every announce_s seconds (0: never, default 45) */
	{"recording", JV_BOOL, JV_NULLABLE, 0, 0, NULL, NULL},
	{"announce_s", JV_INT, 0, 0, 3600, NULL, NULL},
	JV_END,
};

const struct jv_field config_calendar_fields[] = {
	{"name", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
	{"timezone", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	{"weekly", JV_ARRAY, 0, 0, 100, NULL, calendar_weekly_fields},
	{"holidays", JV_STRINGS, 0, 0, 400, NULL, NULL},
	{"exceptions", JV_ARRAY, 0, 0, 400, NULL, calendar_exception_fields},
	JV_END,
};

static const struct jv_field label_fields[] = {
	{"fr", JV_STRING, 0, 0, 200, NULL, NULL},
	{"en", JV_STRING, 0, 0, 200, NULL, NULL},
	JV_END,
};

const struct jv_field config_disposition_fields[] = {
	{"code", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	{"label", JV_SUBOBJECT, 0, 0, 0, NULL, label_fields},
	{"tenant", JV_STRING, JV_NULLABLE, 1, 64, NULL, NULL},
	JV_END,
};

/* A canned response: what an agent inserts with "/shortcut". */
const struct jv_field config_response_fields[] = {
	{"tenant", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	{"shortcut", JV_STRING, JV_REQUIRED, 1, 32, NULL, NULL},
	{"title", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
	{"text", JV_STRING, JV_REQUIRED, 1, 4000, NULL, NULL},
	JV_END,
};

const struct jv_field config_user_fields[] = {
	{"username", JV_STRING, JV_REQUIRED, 1, 63, NULL, NULL},
	/* at least 12 characters: auth_password_check */
	{"password", JV_STRING, 0, 1, 200, NULL, NULL},
	{"role", JV_STRING, JV_REQUIRED, 0, 0, config_roles, NULL},
	{"tenants", JV_STRINGS, 0, 0, 100, NULL, NULL},
	{"sites", JV_STRINGS, 0, 0, 100, NULL, NULL},
	{"agent", JV_STRING, JV_NULLABLE, 1, 64, NULL, NULL},
	{"name", JV_STRING, 0, 0, 200, NULL, NULL},
	/* a catalog's code (lang.h); null: the browser's Accept-Language */
	{"lang", JV_STRING, JV_NULLABLE, 2, 8, NULL, NULL},
	JV_END,
};

bool config_agent_serves(const json_t *agent, const char *tenant,
			 const char *channel)
{
	const json_t *v;
	size_t i;

	if (!tenant || (channel && jv_int(json_object_get(agent, "capacity"),
					  channel, 0) <= 0))
		return false;
	json_array_foreach(json_object_get(agent, "tenants"), i, v)
	{
		if (!strcmp(json_string_value(v), tenant))
			return true;
	}
	return false;
}
