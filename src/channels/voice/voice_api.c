/*
 * The voice channel's routes: the controls of a live call, for its agent
 * and the tenant's supervisors and admins.
 *   GET  /api/v1/contacts/{id}/call              the call as it is now
 *   POST /api/v1/contacts/{id}/call/hold         the caller hears music
 *   POST /api/v1/contacts/{id}/call/resume
 *   POST /api/v1/contacts/{id}/call/recording    {"paused": bool}
 *   POST /api/v1/contacts/{id}/call/transfer     {"number"}: blind
 *   POST /api/v1/contacts/{id}/call/consult      {"agent"|"number"}
 *   POST /api/v1/contacts/{id}/call/consult/complete, .../consult/cancel
 *   POST /api/v1/contacts/{id}/call/supervise    {"mode"} (supervisors)
 * Each change is logged (contact.call; audit.supervision) and answered
 * once on disk.
 */
#include <errno.h>
#include <string.h>

#include "channels/voice/callint.h"
#include "channels/voice/voice.h"
#include "channels/voice/voice_api.h"
#include "lang/lang.h"
#include "model/event.h"
#include "model/jv.h"
#include "server/auth.h"
#include "server/contacts.h"
#include "server/objects.h"
#include "server/srv.h"
#include "server/web.h"

static const char *leg_state(const struct leg *l)
{
	return l->estab ? "talking" : "ringing";
}

json_t *call_view(const struct call *c)
{
	json_t *legs = json_array();
	struct le *le;

	for (le = list_head(&c->legs); le; le = le->next) {
		const struct leg *l = le->data;
		static const char *const roles[] = {
			[LEG_CALLER] = "caller",	 [LEG_AGENT] = "agent",
			[LEG_SUPERVISOR] = "supervisor", [LEG_OUT] = "outbound",
			[LEG_CONSULT] = "consult",
		};

		json_array_append_new(
			legs,
			json_pack("{s:s,s:s?,s:s?,s:s,s:b}", "role",
				  roles[l->role], "agent",
				  l->agent[0] && l->role != LEG_SUPERVISOR
					  ? l->agent
					  : NULL,
				  "user",
				  l->role == LEG_SUPERVISOR ? l->agent : NULL,
				  "state", leg_state(l), "in_house",
				  l->in_house));
	}
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:o}", "contact",
			 c->id, "state",
			 c->state == CALL_IVR	    ? "ivr"
			 : c->state == CALL_QUEUED  ? "waiting"
			 : c->state == CALL_BRIDGED ? "talking"
						    : "ending",
			 "number", c->number, "caller", c->from, "lang",
			 c->lang, "held", c->held, "recording", c->rec != NULL,
			 "recording_paused", c->rec_paused, "legs", legs);
}

/* The live call of the path if the user may act on it, else answered. */
static struct call *acted_call(struct hreq *r)
{
	struct voice *v = voice_of(r->srv);
	struct crec *cr = contacts_find(r->srv, r->params[0]);
	struct call *c;

	if (!cr || !contacts_visible(r->srv, r->user, crec_body(cr))) {
		web_not_found(r, "contact", r->params[0]);
		return NULL;
	}
	if (r->user->role == ROLE_AGENT &&
	    strcmp(jv_str(crec_body(cr), "agent"), r->user->agent)) {
		web_forbidden(r);
		return NULL;
	}
	c = v ? call_find(v, r->params[0]) : NULL;
	if (!c || c->state == CALL_ENDING) {
		web_error(r, 409, "conflict",
			  N_("the contact has no live call"));
		return NULL;
	}
	return c;
}

/* Logs contact.call and answers with the call, once on disk. */
static void logged_to(struct hreq *r, struct call *c, const char *action,
		      const char *target)
{
	struct event ev = {.type = EVENT_CONTACT_CALL};

	ev.u.call = (struct event_contact_call){
		.contact = r->params[0],
		.action = action,
		.agent = c->agent ? c->agent->agent : NULL,
		.target = target,
		.user = r->user->id,
	};
	srv_log(r->srv, c->tenant, &ev);
	srv_commit_soon(r->srv);
	srv_reply_durable(r, 200, call_view(c));
}

static void logged(struct hreq *r, struct call *c, const char *action)
{
	logged_to(r, c, action, NULL);
}

static void api_call(struct hreq *r)
{
	struct call *c = acted_call(r);

	if (c)
		web_json(r, 200, call_view(c));
}

static bool talking(struct hreq *r, struct call *c)
{
	if (c->state == CALL_BRIDGED && c->caller && c->agent)
		return true;
	web_error(r, 409, "conflict",
		  N_("the caller is not talking to an agent"));
	return false;
}

static void api_hold(struct hreq *r)
{
	struct call *c = acted_call(r);

	if (!c || !talking(r, c))
		return;
	if (!c->held)
		call_hold(c, true);
	logged(r, c, "hold");
}

static void api_resume(struct hreq *r)
{
	struct call *c = acted_call(r);

	if (!c || !talking(r, c))
		return;
	if (c->held)
		call_hold(c, false);
	logged(r, c, "resume");
}

static const struct jv_field recording_fields[] = {
	{"paused", JV_BOOL, JV_REQUIRED, 0, 0, NULL, NULL},
	JV_END,
};

static void api_recording(struct hreq *r)
{
	struct call *c = acted_call(r);
	bool paused;

	if (!c || web_check(r, r->body, recording_fields, true))
		return;
	if (!c->rec) {
		web_error(r, 409, "conflict", N_("the call is not recorded"));
		return;
	}
	paused = json_is_true(json_object_get(r->body, "paused"));
	recorder_pause(c->rec, paused);
	c->rec_paused = paused;
	logged(r, c, paused ? "record_pause" : "record_resume");
}

static const struct jv_field number_fields[] = {
	{"number", JV_STRING, JV_REQUIRED, 3, 20, NULL, NULL},
	JV_END,
};

static void api_transfer(struct hreq *r)
{
	struct call *c = acted_call(r);
	const char *number;
	int err;

	if (!c || web_check(r, r->body, number_fields, true) || !talking(r, c))
		return;
	number = jv_str(r->body, "number");
	err = call_transfer_number(c, number);
	if (err == EINVAL) {
		web_error_with(r, 400, "invalid_field",
			       json_pack("{s:s}", "field", "number"),
			       N_("number: not a number the trunk can dial "
				  "(or no trunk: --sip-trunk)"));
		return;
	}
	if (err) {
		web_error(r, 409, "conflict",
			  N_("the call cannot be "
			     "transferred now"));
		return;
	}
	logged_to(r, c, "transfer", number);
}

static const struct jv_field consult_fields[] = {
	{"agent", JV_STRING, 0, 1, 64, NULL, NULL},
	{"number", JV_STRING, 0, 3, 20, NULL, NULL},
	JV_END,
};

static void api_consult(struct hreq *r)
{
	struct call *c = acted_call(r);
	const char *agent, *number;
	int err;

	if (!c || web_check(r, r->body, consult_fields, true) || !talking(r, c))
		return;
	agent = jv_str(r->body, "agent");
	number = jv_str(r->body, "number");
	if (!agent == !number) {
		web_error(r, 400, "invalid_field",
			  N_("give either agent or number"));
		return;
	}
	if (agent && !obj_find(r->srv, K_AGENTS, agent)) {
		web_not_found(r, "agent", agent);
		return;
	}
	err = call_consult(c, agent, number);
	if (err == EINVAL)
		web_error_with(r, 400, "invalid_field",
			       json_pack("{s:s}", "field", "number"),
			       N_("number: not a number the trunk can dial "
				  "(or no trunk: --sip-trunk)"));
	else if (err == ENOENT)
		web_error(r, 409, "conflict",
			  N_("the agent has no phone registered"));
	else if (err)
		web_error(r, 409, "conflict",
			  N_("a consultation is already under way"));
	else
		logged_to(r, c, "consult", agent ? agent : number);
}

static void api_consult_end(struct hreq *r, bool complete)
{
	struct call *c = acted_call(r);

	if (!c)
		return;
	if (!c->consult) {
		web_error(r, 409, "conflict",
			  N_("no consultation is under way"));
		return;
	}
	if (!complete) {
		call_consult_cancel(c);
		logged(r, c, "consult_cancel");
		return;
	}
	if (call_consult_complete(c)) {
		web_error(r, 409, "conflict",
			  N_("the consulted party has not answered"));
		return;
	}
	logged(r, c, "consult_complete");
}

static void api_consult_complete(struct hreq *r)
{
	api_consult_end(r, true);
}

static void api_consult_cancel(struct hreq *r)
{
	api_consult_end(r, false);
}

static const char *const modes[] = {"listen", "whisper", "barge", "end", NULL};
static const struct jv_field supervise_fields[] = {
	{"mode", JV_STRING, JV_REQUIRED, 0, 0, modes, NULL},
	JV_END,
};

static void api_supervise(struct hreq *r)
{
	struct call *c = acted_call(r);
	struct event ev = {.type = EVENT_AUDIT_SUPERVISION};
	const char *mode;
	int err;

	if (!c || web_check(r, r->body, supervise_fields, true))
		return;
	mode = jv_str(r->body, "mode");
	err = call_supervise(c, r->user->id, mode);
	if (err == ENOENT && strcmp(mode, "end")) {
		web_error(r, 409, "conflict",
			  N_("you have no phone registered"));
		return;
	}
	if (err == ENOENT) {
		web_error(r, 409, "conflict",
			  N_("nobody supervises this call"));
		return;
	}
	if (err) {
		web_error(r, 409, "conflict",
			  N_("the caller is not talking to an agent"));
		return;
	}
	ev.u.supervision = (struct event_audit_supervision){
		.contact = c->id,
		.mode = mode,
		.agent = c->agent ? c->agent->agent : NULL,
		.user = r->user->id,
	};
	srv_log(r->srv, c->tenant, &ev);
	srv_commit_soon(r->srv);
	srv_reply_durable(r, 200, call_view(c));
}

#define STAFF (R_ADMIN | R_SUPERVISOR | R_AGENT)

const struct route voice_routes[] = {
	WEB_ROUTE("GET", "/api/v1/contacts/{id}/call", api_call, STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/call/hold", api_hold, STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/call/resume", api_resume,
		  STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/call/recording", api_recording,
		  STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/call/transfer", api_transfer,
		  STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/call/consult", api_consult,
		  STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/call/consult/complete",
		  api_consult_complete, STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/call/consult/cancel",
		  api_consult_cancel, STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/call/supervise", api_supervise,
		  R_ADMIN | R_SUPERVISOR),
	{.method = NULL},
};
