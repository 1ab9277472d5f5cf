/*
 * The contacts' HTTP API: parse, check the caller's scope, call the
 * contact service (contacts.h) and turn its result into a status. Reading
 * (lists, a contact and its timeline) goes to the store's thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/utctime.h"
#include "lang/lang.h"
#include "model/config.h"
#include "model/event.h"
#include "server/contacts.h"
#include "server/customers.h"
#include "server/objects.h"
#include "server/module.h"
#include "server/query.h"
#include "server/srv.h"
#include "server/auth.h"

/* ---- creating a contact ---- */

static const struct jv_field customer_ref_fields[] = {
	{"id", JV_STRING, 0, 1, 64, NULL, NULL},
	{"phone", JV_STRING, 0, 1, 32, NULL, NULL},
	{"email", JV_STRING, 0, 3, 254, NULL, NULL},
	{"name", JV_STRING, 0, 0, 200, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

static const struct jv_field contact_fields[] = {
	{"tenant", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	{"queue", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	{"channel", JV_STRING, JV_REQUIRED, 0, 0, engine_channel_names, NULL},
	{"customer", JV_SUBOBJECT, JV_NULLABLE, 0, 0, NULL,
	 customer_ref_fields},
	{"priority", JV_INT, 0, -1000, 1000, NULL, NULL},
	{"attributes", JV_OBJECT, 0, 0, 0, NULL, NULL},
	{"callback", JV_BOOL, 0, 0, 0, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

/*
 * The service's result as an answer: 400 for what the request names, 409
 * for a state that does not allow it, 404 to an agent for a contact that
 * is not its own, 500 for the rest.
 */
static void reply_result(struct hreq *r, int err, const char *msg,
			 const char *conflict)
{
	if (err == EINVAL)
		web_error(r, 400, "invalid_field", "%s", msg);
	else if (err == ENOENT && r->user->role == ROLE_AGENT)
		web_not_found(r, "contact", r->params[0]);
	else if (err == EBUSY || err == ENOENT)
		web_error(r, 409, "conflict", "%s",
			  msg[0] ? msg : lang_get(r->lang, conflict));
	else
		web_error(r, 500, "internal", "contacts: %s", strerror(err));
}

static void api_contact_create(struct hreq *r)
{
	struct srv *s = r->srv;
	struct new_contact nc = {0};
	char msg[256] = "", cust[40] = "";
	struct lang_out why = LANG_OUT(r->lang, msg);
	struct crec *c;
	int err;

	if (web_check(r, r->body, contact_fields, true))
		return;
	nc.tenant = jv_str(r->body, "tenant");
	nc.queue = jv_str(r->body, "queue");
	nc.channel = jv_str(r->body, "channel");
	if (!auth_sees_tenant(s, r->user, nc.tenant)) {
		web_error(r, 400, "invalid_field", "tenant: no tenant %s",
			  nc.tenant);
		return;
	}
	err = customer_resolve(s, r->user->id, nc.tenant,
			       json_object_get(r->body, "customer"), cust,
			       &why);
	if (err) {
		web_error(r, err == EEXIST ? 409 : 400,
			  err == EEXIST ? "conflict" : "invalid_field", "%s",
			  msg);
		return;
	}
	nc.customer = cust[0] ? cust : NULL;
	nc.priority = (int)jv_int(r->body, "priority", 0);
	nc.attributes = json_object_get(r->body, "attributes");
	nc.callback = jv_bool(r->body, "callback", false);
	nc.by = r->user->id;
	err = contacts_create(s, &nc, &c, &why);
	if (err) {
		reply_result(r, err, msg, "");
		return;
	}
	srv_reply_durable(r, 201, contacts_live_view(s, c));
}

/* ---- reading contacts ---- */

/* Whether u may see a contact with this row (contacts.h). */
bool contacts_visible(struct srv *s, const struct user *u, const json_t *b)
{
	const char *agent = jv_str(b, "agent");

	if (u->role == ROLE_CLIENT)
		return false;
	if (!auth_sees_tenant(s, u, jv_str(b, "tenant")))
		return false;
	if (u->role == ROLE_AGENT)
		return agent && !strcmp(agent, u->agent);
	return true;
}

static int collect_event(const struct store_event *ev, void *arg)
{
	struct query *q = arg;
	char t[32];
	json_t *e = json_loads(ev->data, 0, NULL);

	if (!e)
		e = json_object();
	json_object_set_new(e, "seq", json_integer(ev->seq));
	json_object_set_new(
		e, "time",
		json_string(utctime_format(ev->time_ms, t, sizeof(t))));
	json_object_set_new(e, "type", json_string(ev->type));
	json_object_del(e, "contact");
	if (!q->extra)
		q->extra = json_array();
	json_array_append_new(q->extra, e);
	return 0;
}

static void get_run(struct store *st, struct query *q)
{
	if (!q->result)
		q->err = st->ops->get(st, "contacts", q->id, query_collect, q);
	if (!q->err) {
		q->eq.contact = q->id;
		q->err = st->ops->events(st, &q->eq, collect_event, q);
	}
}

static void get_finish(struct query *q)
{
	struct hreq *r = q->r;
	json_t *b, *out;

	if (query_failed(q))
		return;
	b = json_is_array(q->result) ? json_array_get(q->result, 0) : q->result;
	if (!b || !contacts_visible(r->srv, r->user, b)) {
		web_not_found(r, "contact", q->id);
		return;
	}
	/* A live contact: memory is newer than the store. */
	struct crec *c = contacts_find(r->srv, q->id);

	out = c ? contacts_live_view(r->srv, c) : contacts_view(b);
	json_object_set(out, "timeline", q->extra ? q->extra : json_array());
	web_json(r, 200, out);
}

static void api_contact_get(struct hreq *r)
{
	struct query *q = query_new(r);

	if (!q)
		return;
	snprintf(q->id, sizeof(q->id), "%s", r->params[0]);
	q->run = get_run;
	q->finish = get_finish;
	query_submit(q);
}

static void list_run(struct store *st, struct query *q)
{
	q->err = st->ops->contacts(st, &q->cq, query_collect, q, &q->total);
}

static void list_finish(struct query *q)
{
	json_t *items = json_array(), *b;
	size_t i;

	if (query_failed(q)) {
		json_decref(items);
		return;
	}
	json_array_foreach(q->result, i, b)
		json_array_append_new(items, contacts_view(b));
	web_json(q->r, 200,
		 json_pack("{s:o,s:I,s:I,s:I}", "items", items, "total",
			   (json_int_t)q->total, "limit",
			   (json_int_t)q->cq.limit, "offset",
			   (json_int_t)q->cq.offset));
}

/* Copies filter `name` of the query string into q; false: 400 sent. */
static bool filter_param(struct query *q, int slot, const char *name,
			 const char **dst)
{
	const char *v =
		web_query(q->r, name, q->strs[slot], sizeof(q->strs[slot]));
	char big[512];

	if (!v && web_query(q->r, name, big, sizeof(big))) {
		web_error(q->r, 400, "invalid_field", "%s: too long", name);
		return false;
	}
	*dst = v;
	return true;
}

static bool time_param(struct query *q, const char *name, int64_t *out)
{
	char buf[64];
	const char *v = web_query(q->r, name, buf, sizeof(buf));

	*out = 0;
	if (!v)
		return true;
	*out = utctime_parse(v);
	if (*out < 0) {
		web_error(q->r, 400, "invalid_field",
			  "%s: expected a UTC time like 2026-11-29T10:00:00Z",
			  name);
		return false;
	}
	return true;
}

/* Fills the scope and filters of a contacts query from the request. */
static bool contact_query_fill(struct query *q, struct store_contact_query *cq)
{
	struct hreq *r = q->r;

	if (web_paging(r, &cq->limit, &cq->offset, 500))
		return false;
	if (!filter_param(q, 0, "tenant", &cq->tenant) ||
	    !filter_param(q, 1, "queue", &cq->queue) ||
	    !filter_param(q, 2, "agent", &cq->agent) ||
	    !filter_param(q, 3, "customer", &cq->customer) ||
	    !filter_param(q, 4, "state", &cq->state) ||
	    !time_param(q, "from", &cq->from_ms) ||
	    !time_param(q, "to", &cq->to_ms))
		return false;
	if (!auth_scope(r, &q->tenants, &q->ntenants))
		return false;
	cq->tenants = (const char *const *)q->tenants;
	cq->ntenants = q->ntenants;
	if (r->user->role == ROLE_AGENT)
		cq->agent = r->user->agent;
	return true;
}

static void api_contact_list(struct hreq *r)
{
	struct query *q;

	if (r->user->role == ROLE_CLIENT) {
		web_forbidden(r);
		return;
	}
	q = query_new(r);
	if (!q)
		return;
	if (!contact_query_fill(q, &q->cq)) {
		query_free(q);
		return;
	}
	q->run = list_run;
	q->finish = list_finish;
	query_submit(q);
}

/*
 * A customer's history also says, per contact, the customer's rating
 * ("csat": score, comment, at), a transcript asked for ("transcript":
 * email, at) and a call's recordings and voicemail ("recordings": [{id,
 * name, type, size, at}], read with GET /api/v1/attachments/{id}), from
 * the contact's events in the log (its index).
 */
static int history_event(const struct store_event *row, void *arg)
{
	json_t *b = arg;
	char msg[160], at[UTCTIME_SIZE];
	struct event ev;

	if (strcmp(row->type, "contact.csat") &&
	    strcmp(row->type, "contact.transcript") &&
	    strcmp(row->type, "contact.attachment"))
		return 0;
	if (event_parse(&ev, row->type, row->data, msg, sizeof(msg)))
		return 0; /* a damaged row is left out */
	utctime_format(row->time_ms, at, sizeof(at));
	if (ev.type == EVENT_CONTACT_ATTACHMENT) {
		/* a call's recording or voicemail (a written contact's files
		 * are its messages') */
		if (!ev.u.attachment.redacted &&
		    !strncmp(ev.u.attachment.type, "audio/", 6)) {
			if (!json_object_get(b, "recordings"))
				json_object_set_new(b, "recordings",
						    json_array());
			json_array_append_new(
				json_object_get(b, "recordings"),
				json_pack("{s:s,s:s,s:s,s:I,s:s}", "id",
					  ev.u.attachment.attachment, "name",
					  ev.u.attachment.name, "type",
					  ev.u.attachment.type, "size",
					  (json_int_t)ev.u.attachment.size,
					  "at", at));
		}
	} else if (ev.type == EVENT_CONTACT_CSAT)
		json_object_set_new(b, "csat",
				    json_pack("{s:i,s:s?,s:s}", "score",
					      ev.u.csat.score, "comment",
					      ev.u.csat.comment, "at", at));
	else
		json_object_set_new(b, "transcript",
				    json_pack("{s:s,s:s}", "email",
					      ev.u.transcript.email, "at", at));
	event_release(&ev);
	return 0;
}

static void history_run(struct store *st, struct query *q)
{
	json_t *b;
	size_t i;

	list_run(st, q);
	json_array_foreach(q->result, i, b)
	{
		struct store_event_query eq = {.contact = jv_str(b, "id")};

		if (!q->err && eq.contact)
			q->err = st->ops->events(st, &eq, history_event, b);
	}
}

static void customer_contacts(struct hreq *r, const char *customer,
			      const char *tenant)
{
	struct query *q = query_new(r);

	if (!q)
		return;
	if (!contact_query_fill(q, &q->cq)) {
		query_free(q);
		return;
	}
	snprintf(q->strs[3], sizeof(q->strs[3]), "%s", customer);
	q->cq.customer = q->strs[3];
	snprintf(q->strs[0], sizeof(q->strs[0]), "%s", tenant);
	q->cq.tenant = q->strs[0];
	q->run = history_run;
	q->finish = list_finish;
	query_submit(q);
}

/* ---- contact actions ---- */

/* The live contact of the path that the caller may act on, or NULL. */
static void gone_run(struct store *st, struct query *q)
{
	q->err = st->ops->get(st, "contacts", q->id, query_collect, q);
}

static void gone_finish(struct query *q)
{
	json_t *b = json_array_get(q->result, 0);

	if (query_failed(q))
		return;
	if (b && contacts_visible(q->r->srv, q->r->user, b))
		web_error(q->r, 409, "conflict", "the contact is already %s",
			  jv_str(b, "state"));
	else
		web_not_found(q->r, "contact", q->id);
}

/* A contact the engine no longer holds: finished (409) or unknown (404). */
static void contact_gone(struct hreq *r)
{
	struct query *q = query_new(r);

	if (!q)
		return;
	snprintf(q->id, sizeof(q->id), "%s", r->params[0]);
	q->run = gone_run;
	q->finish = gone_finish;
	query_submit(q);
}

/*
 * The live contact of the path, if the caller may act on it; else the
 * answer is sent. A contact offered to an agent is the agent's to answer
 * before it holds it: any staff of the tenant sees it then (offer).
 */
static struct crec *acted_contact(struct hreq *r, bool offer)
{
	struct crec *c = contacts_find(r->srv, r->params[0]);
	const json_t *b;

	if (r->user->role == ROLE_CLIENT) {
		web_forbidden(r);
		return NULL;
	}
	if (!c) {
		contact_gone(r);
		return NULL;
	}
	b = crec_body(c);
	if (offer ? !auth_sees_tenant(r->srv, r->user, jv_str(b, "tenant"))
		  : !contacts_visible(r->srv, r->user, b)) {
		web_not_found(r, "contact", r->params[0]);
		return NULL;
	}
	return c;
}

static const struct jv_field agent_ref_fields[] = {
	{"agent", JV_STRING, 0, 1, 64, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

/* The agent an accept or reject is for: the caller if it is an agent. */
static const char *acting_agent(struct hreq *r)
{
	const char *a;

	if (web_check(r, r->body, agent_ref_fields, false))
		return NULL;
	a = jv_str(r->body, "agent");
	if (r->user->role == ROLE_AGENT) {
		if (a && strcmp(a, r->user->agent)) {
			web_error(r, 403, "forbidden",
				  "an agent acts only for itself");
			return NULL;
		}
		return r->user->agent;
	}
	if (!a) {
		web_error(r, 400, "invalid_field", "agent: required");
		return NULL;
	}
	return a;
}

/* The answer: the contact as it is now, once the change is on disk. */
static void reply_done(struct hreq *r, struct crec *c, int err, const char *msg,
		       const char *conflict)
{
	if (err)
		reply_result(r, err, msg, conflict);
	else
		srv_reply_durable(r, 200, contacts_live_view(r->srv, c));
}

static void offer_answer(struct hreq *r, bool accept)
{
	struct crec *c = acted_contact(r, true);
	const char *agent;
	char msg[256] = "";
	struct lang_out why = LANG_OUT(r->lang, msg);
	int err;

	if (!c || !(agent = acting_agent(r)))
		return;
	err = accept ? contacts_accept(r->srv, c, agent, &why)
		     : contacts_reject(r->srv, c, agent, &why);
	reply_done(r, c, err, msg,
		   N_("the contact is not offered to this agent"));
}

static void api_contact_accept(struct hreq *r)
{
	offer_answer(r, true);
}

static void api_contact_reject(struct hreq *r)
{
	offer_answer(r, false);
}

static const struct jv_field empty_fields[] = {
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

static bool empty_body(struct hreq *r)
{
	return !web_check(r, r->body, empty_fields, false);
}

static void simple_action(struct hreq *r, int (*fn)(struct srv *, struct crec *,
						    struct lang_out *))
{
	char msg[256] = "";
	struct lang_out why = LANG_OUT(r->lang, msg);
	struct crec *c;

	if (!empty_body(r) || !(c = acted_contact(r, false)))
		return;
	reply_done(r, c, fn(r->srv, c, &why), msg, "");
}

static void api_contact_complete(struct hreq *r)
{
	simple_action(r, contacts_end);
}

static void api_contact_callback(struct hreq *r)
{
	simple_action(r, contacts_callback);
}

static const struct jv_field callback_request_fields[] = {
	{"queue", JV_STRING, 0, 1, 64, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

/* 201 with the callback, once it and the contact's end are on disk. */
static void api_contact_callback_request(struct hreq *r)
{
	char msg[256] = "";
	struct lang_out why = LANG_OUT(r->lang, msg);
	struct crec *c, *cb = NULL;
	int err;

	if (web_check(r, r->body, callback_request_fields, false) ||
	    !(c = acted_contact(r, false)))
		return;
	err = contacts_callback_request(r->srv, c, jv_str(r->body, "queue"),
					r->user->id, &cb, &why);
	if (err)
		reply_result(r, err, msg, "");
	else
		srv_reply_durable(r, 201, contacts_live_view(r->srv, cb));
}

static void api_contact_abandon(struct hreq *r)
{
	simple_action(r, contacts_abandon);
}

static const struct jv_field transfer_fields[] = {
	{"queue", JV_STRING, 0, 1, 64, NULL, NULL},
	{"agent", JV_STRING, 0, 1, 64, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

static void api_contact_transfer(struct hreq *r)
{
	const char *queue, *agent;
	char msg[256] = "";
	struct lang_out why = LANG_OUT(r->lang, msg);
	struct crec *c;

	if (web_check(r, r->body, transfer_fields, false))
		return;
	queue = jv_str(r->body, "queue");
	agent = jv_str(r->body, "agent");
	if (!queue == !agent) {
		web_error(r, 400, "invalid_field",
			  "give either queue or agent");
		return;
	}
	if (!(c = acted_contact(r, false)))
		return;
	reply_done(r, c, contacts_transfer(r->srv, c, queue, agent, &why), msg,
		   "");
}

static const struct jv_field wrapup_fields[] = {
	{"disposition", JV_STRING, JV_NULLABLE, 1, 64, NULL, NULL},
	{"notes", JV_STRING, JV_NULLABLE, 0, 4000, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

static void api_contact_wrapup(struct hreq *r)
{
	char msg[256] = "";
	struct lang_out why = LANG_OUT(r->lang, msg);
	struct crec *c;
	int rc;

	if (web_check(r, r->body, wrapup_fields, false))
		return;
	if (!(c = acted_contact(r, false)))
		return;
	rc = contacts_wrapup(r->srv, c, json_object_get(r->body, "disposition"),
			     json_object_get(r->body, "notes"), r->user->id,
			     &why);
	reply_done(r, c, rc, msg, "");
}

/* The contacts of one customer: its record is read (and the read audited)
 * first; the paging is checked before. */
static void api_customer_contacts(struct hreq *r)
{
	size_t limit, offset;

	if (!web_paging(r, &limit, &offset, 500))
		customers_read(r, customer_contacts);
}

/* ---- where a contact may be transferred ---- */

/*
 * An agent of the contact's tenant with a capacity on its channel, its
 * state and whether it could take the contact now (available, room on the
 * channel); NULL for an agent that does not serve it.
 */
static json_t *transfer_agent(struct srv *s, const struct obj *a,
			      const char *tenant, const char *channel)
{
	int64_t cap = jv_int(json_object_get(a->body, "capacity"), channel, 0);
	uint8_t load[CH_MAX];
	enum agent_state st;
	enum channel ch;

	if (!config_agent_serves(a->body, tenant, channel) ||
	    !engine_channel_parse(channel, &ch) ||
	    engine_agent_info(s->eng, a->id, &st, load))
		return NULL;
	return json_pack("{s:s,s:s,s:s,s:b}", "id", a->id, "name",
			 jv_str(a->body, "name"), "state",
			 engine_agent_state_name(st), "free",
			 st == AS_AVAILABLE && load[ch] < cap);
}

/*
 * The queues of the contact's tenant (but its own) and the agents who
 * serve it on its channel (but the one who holds it), for the desktop's
 * transfer: an agent sees who is free without reading the agents' list.
 */
static void api_contact_transfer_targets(struct hreq *r)
{
	struct srv *s = r->srv;
	struct kindset *qs = obj_set(s, K_QUEUES), *as = obj_set(s, K_AGENTS);
	struct crec *c = acted_contact(r, false);
	json_t *queues, *agents, *v;
	const char *tenant, *queue, *channel, *holder;

	if (!c)
		return;
	tenant = jv_str(crec_body(c), "tenant");
	queue = jv_str(crec_body(c), "queue");
	channel = jv_str(crec_body(c), "channel");
	holder = jv_str(crec_body(c), "agent");
	queues = json_array();
	agents = json_array();
	for (size_t i = 0; i < qs->n; i++) {
		const json_t *b = qs->list[i]->body;

		if (strcmp(jv_str(b, "tenant"), tenant) ||
		    !strcmp(qs->list[i]->id, queue))
			continue;
		json_array_append_new(queues,
				      json_pack("{s:s,s:s,s:s}", "id",
						qs->list[i]->id, "name",
						jv_str(b, "name"), "channel",
						jv_str(b, "channel")));
	}
	for (size_t i = 0; i < as->n; i++) {
		if (holder && !strcmp(as->list[i]->id, holder))
			continue;
		if ((v = transfer_agent(s, as->list[i], tenant, channel)))
			json_array_append_new(agents, v);
	}
	web_json(r, 200,
		 json_pack("{s:o,s:o}", "queues", queues, "agents", agents));
}

#define STAFF	 (R_ADMIN | R_SUPERVISOR | R_AGENT | R_INTEGRATION)
#define MANAGERS (R_ADMIN | R_SUPERVISOR | R_INTEGRATION)

const struct route contacts_routes[] = {
	WEB_ROUTE("POST", "/api/v1/contacts", api_contact_create, MANAGERS),
	WEB_ROUTE("GET", "/api/v1/contacts", api_contact_list, STAFF),
	WEB_ROUTE("GET", "/api/v1/contacts/{id}", api_contact_get, STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/accept", api_contact_accept,
		  STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/reject", api_contact_reject,
		  STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/complete",
		  api_contact_complete, STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/transfer",
		  api_contact_transfer, STAFF),
	WEB_ROUTE("GET", "/api/v1/contacts/{id}/transfer-targets",
		  api_contact_transfer_targets, STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/callback",
		  api_contact_callback, STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/callback-request",
		  api_contact_callback_request, STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/abandon", api_contact_abandon,
		  MANAGERS),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/wrapup", api_contact_wrapup,
		  STAFF),
	WEB_ROUTE("GET", "/api/v1/customers/{id}/contacts",
		  api_customer_contacts, STAFF),
	{.method = NULL},
};
