/*
 * Contacts: the bridge between the engine's events and the contacts
 * projection, and the contact and agent-state endpoints.
 *
 * A contact the engine holds lives in memory as a struct crec whose body
 * is both the API view and the stored row; each engine event updates it
 * and marks it dirty, and the dirty rows go into the open batch with the
 * events (srv_flush). Terminal contacts leave memory once written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/log.h"
#include "server/query.h"
#include "server/srv.h"

static struct crec **dirty;
static size_t ndirty, capdirty;

static bool crec_eq(const void *val, const void *key)
{
	return !strcmp(((const struct crec *)val)->id, key);
}

static bool crec_num_eq(const void *val, const void *key)
{
	return ((const struct crec *)val)->num == *(const uint64_t *)key;
}

struct crec *contacts_find(struct srv *s, const char *id)
{
	return hmap_get(&s->contacts, hmap_hash_str(id), crec_eq, id);
}

static struct crec *crec_by_num(struct srv *s, uint64_t num)
{
	return hmap_get(&s->contact_nums, hmap_hash_u64(num), crec_num_eq,
			&num);
}

static void mark_dirty(struct crec *c)
{
	if (c->dirty)
		return;
	if (ndirty == capdirty) {
		capdirty = capdirty ? capdirty * 2 : 64;
		dirty = realloc(dirty, capdirty * sizeof(*dirty));
		if (!dirty) {
			log_error("contacts", "msg=\"out of memory\"");
			abort();
		}
	}
	c->dirty = true;
	dirty[ndirty++] = c;
}

static void crec_unlink(struct srv *s, struct crec *c)
{
	hmap_del(&s->contacts, hmap_hash_str(c->id), crec_eq, c->id);
	hmap_del(&s->contact_nums, hmap_hash_u64(c->num), crec_num_eq, &c->num);
	json_decref(c->body);
	free(c->text);
	free(c);
}

/*
 * Takes body (parsed), or else a copy of text (parsed by crec_body() on
 * first use). NULL when out of memory, having taken nothing.
 */
static struct crec *crec_new(struct srv *s, const char *id, json_t *body,
			     const char *text)
{
	struct crec *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (!body && !(c->text = strdup(text))) {
		free(c);
		return NULL;
	}
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->num = ++s->next_num;
	c->body = body;
	if (hmap_put(&s->contacts, hmap_hash_str(c->id), c)) {
		free(c->text);
		free(c);
		return NULL;
	}
	if (hmap_put(&s->contact_nums, hmap_hash_u64(c->num), c)) {
		hmap_del(&s->contacts, hmap_hash_str(c->id), crec_eq, c->id);
		free(c->text);
		free(c);
		return NULL;
	}
	return c;
}

/*
 * The text is a row the store read with its own JSON functions at start,
 * so it parses: failing here is running out of memory.
 */
json_t *crec_body(struct crec *c)
{
	if (c->body)
		return c->body;
	c->body = json_loads(c->text, 0, NULL);
	if (!c->body) {
		log_error("contacts",
			  "msg=\"cannot parse a restored contact\" "
			  "contact=%s",
			  c->id);
		abort();
	}
	free(c->text);
	c->text = NULL;
	return c->body;
}

void contacts_flush_dirty(struct srv *s)
{
	for (size_t i = 0; i < ndirty; i++) {
		struct crec *c = dirty[i];

		srv_put(s, "contacts", c->id, crec_body(c));
		c->dirty = false;
		if (c->done)
			crec_unlink(s, c);
	}
	ndirty = 0;
}

void contacts_free(struct srv *s)
{
	for (size_t i = 0; i < hmap_span(&s->contacts); i++) {
		struct crec *c = hmap_at(&s->contacts, i);

		if (c) {
			json_decref(c->body);
			free(c->text);
			free(c);
		}
	}
	hmap_reset(&s->contacts);
	hmap_reset(&s->contact_nums);
	free(dirty);
	dirty = NULL;
	ndirty = capdirty = 0;
}

/* The API view: the row without its private fields. */
static json_t *contact_view(const json_t *body)
{
	/* shallow: values are replaced, never changed in place */
	json_t *v = json_copy((json_t *)body);

	json_object_del(v, "arrived_ms");
	json_object_del(v, "entered_ms");
	return v;
}

/*
 * The view of a contact the engine holds: place in line and estimated
 * wait as they are now (they change with every contact ahead).
 */
static json_t *live_view(struct srv *s, struct crec *c)
{
	struct engine_contact_info info;
	json_t *v = contact_view(crec_body(c));

	if (engine_contact_info(s->eng, srv_now(s), c->num, &info) ||
	    !info.position) {
		json_object_set_new(v, "position", json_integer(0));
		json_object_set_new(v, "ewt_s", json_null());
		return v;
	}
	json_object_set_new(v, "position", json_integer(info.position));
	json_object_set_new(v, "ewt_s",
			    info.ewt_ms < 0 ? json_null()
					    : json_integer(info.ewt_ms / 1000));
	return v;
}

static bool terminal(enum contact_state st)
{
	return st == CS_COMPLETED || st == CS_ABANDONED || st == CS_VOICEMAIL ||
	       st == CS_CLOSED;
}

static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The event's payload as stored in the log. */
static json_t *event_data(struct srv *s, const struct engine_event *ev,
			  const struct crec *c)
{
	json_t *d = json_object();

	(void)s;
	if (c)
		json_object_set_new(d, "contact", json_string(c->id));
	if (ev->queue)
		json_object_set_new(d, "queue", json_string(ev->queue));
	if (ev->agent)
		json_object_set_new(d, "agent", json_string(ev->agent));
	if (ev->site)
		json_object_set_new(d, "site", json_string(ev->site));
	if (ev->type == EV_AGENT_STATE) {
		json_object_set_new(
			d, "state",
			json_string(engine_agent_state_name(ev->agent_state)));
		json_object_set_new(
			d, "prev",
			json_string(engine_agent_state_name(ev->prev_state)));
		json_object_set_new(d, "prev_ms",
				    json_integer(ev->prev_state_ms));
		if (ev->reason)
			json_object_set_new(d, "reason",
					    json_string(ev->reason));
		return d;
	}
	json_object_set_new(d, "channel",
			    json_string(engine_channel_name(ev->channel)));
	json_object_set_new(d, "state",
			    json_string(engine_contact_state_name(ev->state)));
	json_object_set_new(d, "step", json_integer(ev->step));
	json_object_set_new(d, "wait_ms", json_integer(ev->wait_ms));
	json_object_set_new(d, "total_wait_ms",
			    json_integer(ev->total_wait_ms));
	if (ev->type == EV_CONTACT_QUEUED) {
		json_object_set_new(d, "position", json_integer(ev->position));
		json_object_set_new(d, "ewt_ms", json_integer(ev->ewt_ms));
		if (ev->entered)
			json_object_set_new(d, "entered", json_true());
	}
	if (ev->type == EV_CONTACT_ENDED || ev->type == EV_CONTACT_COMPLETED) {
		json_object_set_new(d, "talk_ms", json_integer(ev->talk_ms));
		json_object_set_new(d, "wrap_ms", json_integer(ev->wrap_ms));
	}
	if (ev->target)
		json_object_set_new(d, "target", json_string(ev->target));
	if (ev->reason)
		json_object_set_new(d, "reason", json_string(ev->reason));
	if (ev->callback)
		json_object_set_new(d, "callback", json_true());
	if (ev->customer)
		json_object_set_new(d, "customer", json_string(ev->customer));
	return d;
}

static void crec_update(struct srv *s, struct crec *c,
			const struct engine_event *ev)
{
	json_t *b = crec_body(c);
	char t[32];

	json_object_set_new(b, "state",
			    json_string(engine_contact_state_name(ev->state)));
	if (ev->queue)
		json_object_set_new(b, "queue", json_string(ev->queue));
	switch (ev->type) {
	case EV_CONTACT_QUEUED:
		json_object_set_new(b, "agent", json_null());
		json_object_set_new(b, "position", json_integer(ev->position));
		json_object_set_new(b, "ewt_s",
				    ev->ewt_ms < 0
					    ? json_null()
					    : json_integer(ev->ewt_ms / 1000));
		json_object_set_new(b, "entered_ms",
				    json_integer(srv_now(s) - ev->wait_ms));
		break;
	case EV_CONTACT_OFFERED:
	case EV_CONTACT_ACCEPTED:
	case EV_CALLBACK_DIAL:
		json_object_set_new(b, "agent", jstr_or_null(ev->agent));
		json_object_set_new(b, "position", json_integer(0));
		break;
	default:
		break;
	}
	json_object_set_new(b, "updated_at",
			    json_string(web_time(srv_now(s), t, sizeof(t))));
	if (ev->state != CS_QUEUED && ev->state != CS_CALLBACK_PENDING) {
		json_object_set_new(b, "position", json_integer(0));
		json_object_set_new(b, "ewt_s", json_null());
	}
	if (terminal(ev->state))
		c->done = true;
	mark_dirty(c);
}

void contacts_on_event(struct srv *s, const struct engine_event *ev)
{
	struct crec *c = ev->contact ? crec_by_num(s, ev->contact) : NULL;
	json_t *d;

	if (ev->contact && !c)
		return; /* not ours: cannot happen */
	d = event_data(s, ev, c);
	if (c)
		crec_update(s, c, ev);
	srv_event(s, ev->tenant, engine_event_name(ev->type), d);
}

/* ---- restart ---- */

/*
 * A contact of the store back in the engine, waiting again. Its body stays
 * text until something needs it (crec_body): a restart with 100,000
 * waiting contacts spent most of its time and memory building their
 * bodies as jansson objects. Only a contact that moves (it was offered or
 * talking) is parsed, changed and written back.
 */
int contacts_restore(struct srv *s, const struct store_open_contact *oc)
{
	struct engine_contact ec = {0};
	const char *state = oc->state, *to;
	struct crec *c;
	bool moved;
	int64_t now = srv_now(s), arrived, entered;
	json_t *b;
	int err;

	if (!state || !oc->queue)
		return EINVAL;
	c = crec_new(s, oc->id, NULL, oc->body);
	if (!c)
		return ENOMEM;
	arrived = oc->arrived_ms == STORE_NO_TIME ? now : oc->arrived_ms;
	entered = oc->entered_ms == STORE_NO_TIME ? arrived : oc->entered_ms;
	ec.id = c->num;
	ec.queue = oc->queue;
	ec.priority = (int)oc->priority;
	ec.customer = oc->customer;
	ec.callback = !strcmp(state, "callback-pending") || oc->callback;
	err = engine_contact_restore(s->eng, now, &ec,
				     arrived > now ? now : arrived,
				     entered > now ? now : entered);
	if (err) {
		log_warn("contacts",
			 "msg=\"cannot restore, closing it\" contact=%s err=%d",
			 oc->id, err);
		json_object_set_new(crec_body(c), "state",
				    json_string("closed"));
		c->done = true;
		mark_dirty(c);
		return 0;
	}
	moved = strcmp(state, "queued") && strcmp(state, "callback-pending");
	/* waiting again, with no agent: unchanged, the text is kept */
	to = ec.callback ? "callback-pending" : "queued";
	if (!moved && !strcmp(state, to) && !oc->agent)
		return 0;
	b = crec_body(c);
	json_object_set_new(b, "state", json_string(to));
	json_object_set_new(b, "agent", json_null());
	if (moved) {
		mark_dirty(c);
		srv_event(s, oc->tenant, "contact.requeued",
			  json_pack("{s:s,s:s,s:s,s:s}", "contact", oc->id,
				    "queue", ec.queue, "reason", "restart",
				    "was", state));
	}
	return 0;
}

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

static void contact_reply_error(struct hreq *r, int err, const char *what)
{
	if (err == ENOENT || err == EINVAL || err == EBUSY || err == EALREADY ||
	    err == EPERM)
		web_error(r, 409, "conflict", "%s", what);
	else
		web_error(r, 500, "internal", "engine: %s", strerror(err));
}

int contacts_add(struct srv *s, const struct new_contact *nc, struct crec **out)
{
	struct engine_contact_info info;
	struct engine_contact ec = {0};
	char id[40], t[32];
	struct crec *c;
	json_t *b;
	int err;

	srv_uuid(id);
	web_time(srv_now(s), t, sizeof(t));
	b = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:o,s:o,s:n,s:i,s:n,s:n,s:n,"
		      "s:s,s:s,s:I,s:I,s:b}",
		      "id", id, "tenant", nc->tenant, "queue", nc->queue,
		      "channel", nc->channel, "state", "queued", "priority",
		      nc->priority, "customer",
		      nc->customer ? json_string(nc->customer) : json_null(),
		      "attributes",
		      nc->attributes ? json_incref((json_t *)nc->attributes)
				     : json_object(),
		      "agent", "position", 0, "ewt_s", "disposition", "notes",
		      "created_at", t, "updated_at", t, "arrived_ms",
		      (json_int_t)srv_now(s), "entered_ms",
		      (json_int_t)srv_now(s), "callback", nc->callback);
	c = b ? crec_new(s, id, b, NULL) : NULL;
	if (!c) {
		json_decref(b);
		return ENOMEM;
	}
	srv_event(s, nc->tenant, "contact.created",
		  json_pack("{s:s,s:s,s:s,s:O,s:O,s:O,s:s}", "contact", id,
			    "queue", nc->queue, "channel", nc->channel,
			    "customer", json_object_get(b, "customer"),
			    "priority", json_object_get(b, "priority"),
			    "attributes", json_object_get(b, "attributes"),
			    "user", nc->by));
	mark_dirty(c);
	ec.id = c->num;
	ec.queue = nc->queue;
	ec.priority = nc->priority;
	ec.customer = nc->customer;
	ec.callback = nc->callback;
	err = engine_contact_add(s->eng, srv_now(s), &ec, &info);
	if (err) {
		/* The creation event stays in the batch: mark it closed. */
		json_object_set_new(b, "state", json_string("closed"));
		c->done = true;
		return err;
	}
	srv_engine_timer(s);
	*out = c;
	return 0;
}

void api_contact_create(struct hreq *r)
{
	struct srv *s = r->srv;
	struct new_contact nc = {0};
	char msg[256], cust[40] = "";
	struct obj *q;
	struct crec *c;
	int rc, err;

	rc = jv_check(r->body, contact_fields, true, msg, sizeof(msg));
	if (rc) {
		web_bad_field(r, rc, msg);
		return;
	}
	nc.tenant = jv_str(r->body, "tenant");
	nc.queue = jv_str(r->body, "queue");
	nc.channel = jv_str(r->body, "channel");
	if (!obj_find(s, K_TENANTS, nc.tenant) ||
	    !auth_sees_tenant(s, r->user, nc.tenant)) {
		web_error(r, 400, "invalid_field", "tenant: no tenant %s",
			  nc.tenant);
		return;
	}
	q = obj_find(s, K_QUEUES, nc.queue);
	if (!q || strcmp(jv_str(q->body, "tenant"), nc.tenant)) {
		web_error(r, 400, "invalid_field",
			  "queue: no queue %s in the tenant", nc.queue);
		return;
	}
	if (strcmp(jv_str(q->body, "channel"), nc.channel)) {
		web_error(r, 400, "invalid_field",
			  "channel: the queue takes %s contacts",
			  jv_str(q->body, "channel"));
		return;
	}
	rc = customer_resolve(s, r->user->id, nc.tenant,
			      json_object_get(r->body, "customer"), cust, msg,
			      sizeof(msg));
	if (rc) {
		web_error(r, rc, rc == 409 ? "conflict" : "invalid_field", "%s",
			  msg);
		return;
	}
	nc.customer = cust[0] ? cust : NULL;
	nc.priority = (int)jv_int(r->body, "priority", 0);
	nc.attributes = json_object_get(r->body, "attributes");
	nc.callback = jv_bool(r->body, "callback", false);
	nc.by = r->user->id;
	err = contacts_add(s, &nc, &c);
	if (err) {
		web_error(r, 500, "internal", "engine: %s", strerror(err));
		srv_flush(s);
		return;
	}
	srv_reply_durable(r, 201, live_view(s, c));
}

/* ---- reading contacts ---- */

/* Whether u may see a contact with this row. */
static bool contact_visible(struct srv *s, const struct user *u,
			    const json_t *b)
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
	json_object_set_new(e, "time",
			    json_string(web_time(ev->time_ms, t, sizeof(t))));
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
	if (!b || !contact_visible(r->srv, r->user, b)) {
		web_not_found(r, "contact", q->id);
		return;
	}
	/* A live contact: memory is newer than the store. */
	struct crec *c = contacts_find(r->srv, q->id);

	out = c ? live_view(r->srv, c) : contact_view(b);
	json_object_set(out, "timeline", q->extra ? q->extra : json_array());
	web_json(r, 200, out);
}

void api_contact_get(struct hreq *r)
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
		json_array_append_new(items, contact_view(b));
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
	*out = web_time_parse(v);
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

void api_contact_list(struct hreq *r)
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

void api_customer_contacts_query(struct hreq *r, const char *customer,
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
	q->run = list_run;
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
	if (b && contact_visible(q->r->srv, q->r->user, b))
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

static struct crec *path_contact(struct hreq *r)
{
	struct crec *c = contacts_find(r->srv, r->params[0]);

	if (r->user->role == ROLE_CLIENT) {
		web_forbidden(r);
		return NULL;
	}
	if (!c) {
		contact_gone(r);
		return NULL;
	}
	if (!contact_visible(r->srv, r->user, crec_body(c))) {
		web_not_found(r, "contact", r->params[0]);
		return NULL;
	}
	return c;
}

/* Runs after a successful engine call: timers, then the durable reply. */
static void contact_done(struct hreq *r, struct crec *c)
{
	json_t *view = live_view(r->srv, c);

	srv_engine_timer(r->srv);
	srv_reply_durable(r, 200, view);
}

static const struct jv_field agent_ref_fields[] = {
	{"agent", JV_STRING, 0, 1, 64, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

/* The agent an accept or reject is for: the caller if it is an agent. */
static const char *acting_agent(struct hreq *r)
{
	const char *a;
	char msg[256];
	int rc = jv_check(r->body, agent_ref_fields, false, msg, sizeof(msg));

	if (rc) {
		web_bad_field(r, rc, msg);
		return NULL;
	}
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

/* The offered contact: the agent sees it even before it holds it. */
static struct crec *offered_contact(struct hreq *r)
{
	struct crec *c = contacts_find(r->srv, r->params[0]);

	if (r->user->role == ROLE_CLIENT) {
		web_forbidden(r);
		return NULL;
	}
	if (!c) {
		contact_gone(r);
		return NULL;
	}
	if (!auth_sees_tenant(r->srv, r->user,
			      jv_str(crec_body(c), "tenant"))) {
		web_not_found(r, "contact", r->params[0]);
		return NULL;
	}
	return c;
}

static void offer_answer(struct hreq *r, bool accept)
{
	struct srv *s = r->srv;
	struct crec *c = offered_contact(r);
	const char *agent;
	int err;

	if (!c || !(agent = acting_agent(r)))
		return;
	err = accept ? engine_contact_accept(s->eng, srv_now(s), c->num, agent)
		     : engine_contact_reject(s->eng, srv_now(s), c->num, agent);
	if (err) {
		if (r->user->role == ROLE_AGENT && err == ENOENT)
			web_not_found(r, "contact", r->params[0]);
		else
			contact_reply_error(
				r, err,
				"the contact is not offered to this agent");
		return;
	}
	contact_done(r, c);
}

void api_contact_accept(struct hreq *r)
{
	offer_answer(r, true);
}

void api_contact_reject(struct hreq *r)
{
	offer_answer(r, false);
}

static const struct jv_field empty_fields[] = {
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

static bool empty_body(struct hreq *r)
{
	char msg[256];
	int rc = jv_check(r->body, empty_fields, false, msg, sizeof(msg));

	if (rc)
		web_bad_field(r, rc, msg);
	return !rc;
}

static void simple_action(struct hreq *r,
			  int (*fn)(struct engine *, int64_t, uint64_t),
			  const char *conflict)
{
	struct srv *s = r->srv;
	struct crec *c;
	int err;

	if (!empty_body(r) || !(c = path_contact(r)))
		return;
	err = fn(s->eng, srv_now(s), c->num);
	if (err) {
		contact_reply_error(r, err, conflict);
		return;
	}
	contact_done(r, c);
}

void api_contact_complete(struct hreq *r)
{
	simple_action(r, engine_contact_end, "the contact is not active");
}

void api_contact_callback(struct hreq *r)
{
	simple_action(r, engine_contact_callback,
		      "only a waiting contact can become a callback");
}

void api_contact_abandon(struct hreq *r)
{
	simple_action(r, engine_contact_abandon,
		      "only a waiting or offered contact can be abandoned");
}

static const struct jv_field transfer_fields[] = {
	{"queue", JV_STRING, 0, 1, 64, NULL, NULL},
	{"agent", JV_STRING, 0, 1, 64, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

void api_contact_transfer(struct hreq *r)
{
	struct srv *s = r->srv;
	const char *queue, *agent;
	struct crec *c;
	struct obj *q;
	char msg[256];
	int rc, err;

	rc = jv_check(r->body, transfer_fields, false, msg, sizeof(msg));
	if (rc) {
		web_bad_field(r, rc, msg);
		return;
	}
	queue = jv_str(r->body, "queue");
	agent = jv_str(r->body, "agent");
	if (!queue == !agent) {
		web_error(r, 400, "invalid_field",
			  "give either queue or agent");
		return;
	}
	if (!(c = path_contact(r)))
		return;
	q = queue ? obj_find(s, K_QUEUES, queue) : NULL;
	if (queue && (!q || strcmp(jv_str(q->body, "tenant"),
				   jv_str(crec_body(c), "tenant")))) {
		web_error(r, 400, "invalid_field",
			  "queue: no queue %s in the contact's tenant", queue);
		return;
	}
	if (agent && !obj_find(s, K_AGENTS, agent)) {
		web_error(r, 400, "invalid_field", "agent: no agent %s", agent);
		return;
	}
	err = engine_contact_transfer(s->eng, srv_now(s), c->num, queue, agent);
	if (err) {
		contact_reply_error(r, err,
				    "the contact cannot be transferred now");
		return;
	}
	contact_done(r, c);
}

static const struct jv_field wrapup_fields[] = {
	{"disposition", JV_STRING, JV_NULLABLE, 1, 64, NULL, NULL},
	{"notes", JV_STRING, JV_NULLABLE, 0, 4000, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

static bool disposition_allowed(struct srv *s, struct crec *c, const char *code)
{
	struct obj *q = obj_find(s, K_QUEUES, jv_str(crec_body(c), "queue"));
	json_t *list = q ? json_object_get(q->body, "dispositions") : NULL, *v;
	size_t i;

	if (!json_array_size(list))
		return true;
	json_array_foreach(list, i, v)
	{
		if (!strcmp(json_string_value(v), code))
			return true;
	}
	return false;
}

void api_contact_wrapup(struct hreq *r)
{
	struct srv *s = r->srv;
	const char *disp;
	struct crec *c;
	char msg[256];
	json_t *b;
	int rc, err;

	rc = jv_check(r->body, wrapup_fields, false, msg, sizeof(msg));
	if (rc) {
		web_bad_field(r, rc, msg);
		return;
	}
	if (!(c = path_contact(r)))
		return;
	disp = jv_str(r->body, "disposition");
	if (disp && !disposition_allowed(s, c, disp)) {
		web_error(r, 400, "invalid_field",
			  "disposition: %s is not one of the queue's", disp);
		return;
	}
	b = crec_body(c);
	if (strcmp(jv_str(b, "state"), "wrapup")) {
		web_error(r, 409, "conflict",
			  "the contact is not in wrap-up (it is %s)",
			  jv_str(b, "state"));
		return;
	}
	if (json_object_get(r->body, "disposition"))
		json_object_set(b, "disposition",
				json_object_get(r->body, "disposition"));
	if (json_object_get(r->body, "notes"))
		json_object_set(b, "notes", json_object_get(r->body, "notes"));
	srv_event(s, jv_str(b, "tenant"), "contact.disposition",
		  json_pack("{s:s,s:O,s:O,s:s}", "contact", c->id,
			    "disposition", json_object_get(b, "disposition"),
			    "notes", json_object_get(b, "notes"), "user",
			    r->user->id));
	mark_dirty(c);
	err = engine_contact_wrapup_done(s->eng, srv_now(s), c->num);
	if (err) {
		contact_reply_error(r, err, "the contact is not in wrap-up");
		return;
	}
	contact_done(r, c);
}
