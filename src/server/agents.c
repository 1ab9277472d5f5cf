/*
 * Agents at work: their state (available, paused with a reason, offline)
 * set by themselves or their supervisors, and the engine's "why not" for
 * a contact.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/utctime.h"
#include "lang/lang.h"
#include "server/contacts.h"
#include "server/stats.h"
#include "server/module.h"
#include "server/srv.h"
#include "server/auth.h"
#include "server/objects.h"
#include "model/config.h"
#include "model/event.h"

static const char *const agent_states[] = {"available", "paused", "offline",
					   NULL};

/* the reason is one of the agent's tenants': pause_allowed() */
static const struct jv_field state_fields[] = {
	{"state", JV_STRING, JV_REQUIRED, 0, 0, agent_states, NULL},
	{"reason", JV_STRING, JV_NULLABLE, 1, CONFIG_PAUSE_REASON_MAX, NULL,
	 NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

static void add_unique(json_t *set, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach(set, i, v)
	{
		if (!strcmp(json_string_value(v), name))
			return;
	}
	json_array_append_new(set, json_string(name));
}

/*
 * The pause reasons of the agent's tenants, each once; the default list
 * for an agent of no tenant (its tenants name none, then it has none).
 */
static json_t *agent_pause_reasons(struct srv *s, const struct obj *a)
{
	json_t *set = json_array(), *t, *v;
	size_t i, j;

	json_array_foreach(json_object_get(a->body, "tenants"), i, t)
	{
		struct obj *o = obj_find(s, K_TENANTS, json_string_value(t));

		json_array_foreach(o ? json_object_get(o->body, "pause_reasons")
				     : NULL,
				   j, v) add_unique(set, json_string_value(v));
	}
	if (!json_array_size(json_object_get(a->body, "tenants")))
		for (i = 0; config_pause_reasons[i]; i++)
			add_unique(set, config_pause_reasons[i]);
	return set;
}

/* reason is one of the agent's pause reasons; else replied with them. */
static bool pause_allowed(struct hreq *r, const struct obj *a,
			  const char *reason)
{
	json_t *set = agent_pause_reasons(r->srv, a), *v;
	char names[1024] = "";
	bool ok = false;
	size_t i, len = 0;

	json_array_foreach(set, i, v)
	{
		ok = ok || !strcmp(json_string_value(v), reason);
		len += (size_t)snprintf(names + len, sizeof(names) - len,
					"%s%s", i ? ", " : "",
					json_string_value(v));
		if (len >= sizeof(names))
			len = sizeof(names) - 1;
	}
	json_decref(set);
	if (!ok)
		web_error(r, 400, "invalid_field",
			  "reason: %s is not a pause reason of the agent's "
			  "tenants (%s)",
			  reason, names);
	return ok;
}

/* The agent of the path, if the caller may act on it; else replied. */
static struct obj *path_agent(struct hreq *r)
{
	struct srv *s = r->srv;
	struct obj *a = obj_find(s, K_AGENTS, r->params[0]);
	const struct user *u = r->user;
	/* a supervisor manages the agents of its sites */
	bool ok = a && (u->role == ROLE_ADMIN ||
			(u->role == ROLE_AGENT && !strcmp(u->agent, a->id)) ||
			(u->role == ROLE_SUPERVISOR &&
			 auth_sees_site(s, u, jv_str(a->body, "site"))));

	if (!ok) {
		if (a && u->role != ROLE_AGENT && u->role != ROLE_SUPERVISOR &&
		    u->role != ROLE_ADMIN)
			web_forbidden(r);
		else
			web_not_found(r, "agent", r->params[0]);
		return NULL;
	}
	return a;
}

/*
 * A supervisor's or an admin's change of another's state is kept for the
 * audit trail; an agent's own changes are its everyday work, in agent.state.
 */
static void audit_state(struct hreq *r, const struct obj *a, const char *state,
			const char *reason)
{
	const struct user *u = r->user;

	if (u->role == ROLE_AGENT)
		return;
	srv_log(r->srv, NULL,
		&(struct event){.type = EVENT_AUDIT_AGENT_STATE,
				.u.agent_state = {a->id, state, reason, u->id,
						  u->username}});
}

static void api_agent_state(struct hreq *r)
{
	struct srv *s = r->srv;
	enum agent_state st;
	const char *state, *reason;
	const struct astate *as;
	struct obj *a;
	char msg[256] = "", t[32];
	struct lang_out why = LANG_OUT(r->lang, msg);
	int err;

	if (web_check(r, r->body, state_fields, true))
		return;
	if (!(a = path_agent(r)))
		return;
	state = jv_str(r->body, "state");
	reason = jv_str(r->body, "reason");
	st = !strcmp(state, "available") ? AS_AVAILABLE
	     : !strcmp(state, "paused")	 ? AS_PAUSED
					 : AS_OFFLINE;
	if (st == AS_PAUSED && !reason) {
		web_error(r, 400, "invalid_field", "reason: required to pause");
		return;
	}
	if (st == AS_PAUSED && !pause_allowed(r, a, reason))
		return;
	err = contacts_agent_state(s, a->id, st,
				   st == AS_PAUSED ? reason : NULL, &why);
	if (err == EBUSY) {
		web_error(r, 409, "conflict", "%s", msg);
		return;
	}
	if (err) {
		web_error(r, 500, "internal", "engine: %s", strerror(err));
		return;
	}
	audit_state(r, a, state, st == AS_PAUSED ? reason : NULL);
	as = stats_agent_state(s, a->id);
	srv_reply_durable(
		r, 200,
		json_pack("{s:s,s:s,s:o,s:s}", "id", a->id, "state",
			  engine_agent_state_name(as ? as->state : st),
			  "reason",
			  as && as->reason[0] ? json_string(as->reason)
					      : json_null(),
			  "state_since",
			  utctime_format(as ? as->since_ms : srv_now(s), t,
					 sizeof(t))));
}

static void api_agent_why(struct hreq *r)
{
	struct srv *s = r->srv;
	char cid[64], text[256];
	struct obj *a;
	struct crec *c;
	enum why why;

	if (!(a = path_agent(r)))
		return;
	if (!web_query(r, "contact", cid, sizeof(cid))) {
		web_error(r, 400, "invalid_field", "contact: give ?contact=ID");
		return;
	}
	c = contacts_find(s, cid);
	if (!c ||
	    !auth_sees_tenant(s, r->user, jv_str(crec_body(c), "tenant"))) {
		web_error(r, 404, "not_found", "no contact %s in progress",
			  cid);
		return;
	}
	if (contacts_why(s, c, a->id, &why, text, sizeof(text))) {
		web_not_found(r, "contact", cid);
		return;
	}
	web_json(r, 200,
		 json_pack("{s:s,s:s,s:s,s:s}", "agent", a->id, "contact",
			   c->id, "why", engine_why_name(why), "text", text));
}

/* The reasons the agent may pause with, for its desktop's state control. */
static void api_agent_pause_reasons(struct hreq *r)
{
	struct obj *a = path_agent(r);

	if (a)
		web_json(r, 200,
			 json_pack("{s:o}", "reasons",
				   agent_pause_reasons(r->srv, a)));
}

static const struct route agents_routes[] = {
	WEB_ROUTE("PUT", "/api/v1/agents/{id}/state", api_agent_state,
		  R_ADMIN | R_SUPERVISOR | R_AGENT),
	WEB_ROUTE("GET", "/api/v1/agents/{id}/why", api_agent_why,
		  R_ADMIN | R_SUPERVISOR),
	WEB_ROUTE("GET", "/api/v1/agents/{id}/pause-reasons",
		  api_agent_pause_reasons, R_ADMIN | R_SUPERVISOR | R_AGENT),
	{.method = NULL},
};

/* Agents at work: the routes of their state, through the contact service. */
const struct srv_module agents_module = {
	.name = "agents",
	.routes = agents_routes,
};
