/*
 * The contact service (contacts.h): the contacts the engine holds, their
 * projection kept from the engine's events, and every change of a
 * contact's life.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/utctime.h"
#include "lang/lang.h"
#include "model/event.h"
#include "server/contacts.h"
#include "server/log.h"
#include "server/module.h"
#include "server/srv.h"
#include "server/objects.h"
#include "store/store.h"

extern const struct route contacts_routes[];

/* The module's state: the live contacts, and those to write. */
struct contacts {
	struct hmap by_id;  /* id -> crec */
	struct hmap by_num; /* the engine's number -> crec */
	struct crec **dirty;
	size_t ndirty, capdirty;
	uint64_t next_num;
};

static struct contacts *state(struct srv *s)
{
	return srv_module_state(s, &contacts_module);
}

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
	return hmap_get(&state(s)->by_id, hmap_hash_str(id), crec_eq, id);
}

struct crec *contacts_find_num(struct srv *s, uint64_t num)
{
	return hmap_get(&state(s)->by_num, hmap_hash_u64(num), crec_num_eq,
			&num);
}

size_t contacts_count(struct srv *s)
{
	return state(s)->by_id.len;
}

void contacts_each(struct srv *s, void (*fn)(struct crec *c, void *arg),
		   void *arg)
{
	struct hmap *m = &state(s)->by_id;

	for (size_t i = 0; i < hmap_span(m); i++) {
		struct crec *c = hmap_at(m, i);

		if (c)
			fn(c, arg);
	}
}

static void mark_dirty(struct contacts *cs, struct crec *c)
{
	if (c->dirty)
		return;
	if (cs->ndirty == cs->capdirty) {
		cs->capdirty = cs->capdirty ? cs->capdirty * 2 : 64;
		cs->dirty =
			realloc(cs->dirty, cs->capdirty * sizeof(*cs->dirty));
		if (!cs->dirty) {
			log_error("contacts", "msg=\"out of memory\"");
			abort();
		}
	}
	c->dirty = true;
	cs->dirty[cs->ndirty++] = c;
}

static void crec_free(struct crec *c)
{
	json_decref(c->body);
	json_decref(c->wrapup);
	free(c->text);
	free(c);
}

static void crec_unlink(struct contacts *cs, struct crec *c)
{
	hmap_del(&cs->by_id, hmap_hash_str(c->id), crec_eq, c->id);
	hmap_del(&cs->by_num, hmap_hash_u64(c->num), crec_num_eq, &c->num);
	crec_free(c);
}

/*
 * Takes body (parsed), or else a copy of text (parsed by crec_body() on
 * first use). NULL when out of memory, having taken nothing.
 */
static struct crec *crec_new(struct contacts *cs, const char *id, json_t *body,
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
	c->num = ++cs->next_num;
	c->body = body;
	if (hmap_put(&cs->by_id, hmap_hash_str(c->id), c)) {
		free(c->text);
		free(c);
		return NULL;
	}
	if (hmap_put(&cs->by_num, hmap_hash_u64(c->num), c)) {
		hmap_del(&cs->by_id, hmap_hash_str(c->id), crec_eq, c->id);
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

/* Before each commit: the rows that changed go into the batch. */
static void contacts_before_commit(struct srv *s, void *arg)
{
	struct contacts *cs = arg;

	for (size_t i = 0; i < cs->ndirty; i++) {
		struct crec *c = cs->dirty[i];

		srv_put(s, "contacts", c->id, crec_body(c));
		c->dirty = false;
		if (c->done)
			crec_unlink(cs, c);
	}
	cs->ndirty = 0;
}

static int contacts_init(struct srv *s, void **arg)
{
	(void)s;
	*arg = calloc(1, sizeof(struct contacts));
	return *arg ? 0 : ENOMEM;
}

static void contacts_close(struct srv *s, void *arg)
{
	struct contacts *cs = arg;

	(void)s;
	if (!cs)
		return;
	for (size_t i = 0; i < hmap_span(&cs->by_id); i++) {
		struct crec *c = hmap_at(&cs->by_id, i);

		if (c)
			crec_free(c);
	}
	hmap_reset(&cs->by_id);
	hmap_reset(&cs->by_num);
	free(cs->dirty);
	free(cs);
}

json_t *contacts_view(const json_t *body)
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
json_t *contacts_live_view(struct srv *s, struct crec *c)
{
	struct engine_contact_info info;
	json_t *v = contacts_view(crec_body(c));

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

static void crec_update(struct srv *s, struct crec *c,
			const struct engine_event *ev)
{
	json_t *b = crec_body(c);
	char t[32];

	json_object_set_new(b, "state",
			    json_string(engine_contact_state_name(ev->state)));
	if (ev->queue)
		json_object_set_new(b, "queue", json_string(ev->queue));
	/* a waiting contact turned into a callback stays one (its channel
	 * places the call; a restart restores it as one) */
	if (ev->callback)
		json_object_set_new(b, "callback", json_true());
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
		if (ev->expires_ms)
			json_object_set_new(
				b, "expires_at",
				json_string(utctime_format(ev->expires_ms, t,
							   sizeof(t))));
		/* fall through */
	case EV_CONTACT_ACCEPTED:
	case EV_CALLBACK_DIAL:
		json_object_set_new(b, "agent", jstr_or_null(ev->agent));
		json_object_set_new(b, "position", json_integer(0));
		break;
	case EV_CONTACT_ENDED:
		if (ev->expires_ms)
			json_object_set_new(
				b, "wrapup_ends_at",
				json_string(utctime_format(ev->expires_ms, t,
							   sizeof(t))));
		break;
	default:
		break;
	}
	/* an offer's or a wrap-up's end means nothing once it is over */
	if (ev->state != CS_OFFERED)
		json_object_del(b, "expires_at");
	if (ev->state != CS_WRAPUP)
		json_object_del(b, "wrapup_ends_at");
	json_object_set_new(
		b, "updated_at",
		json_string(utctime_format(srv_now(s), t, sizeof(t))));
	if (ev->state != CS_QUEUED && ev->state != CS_CALLBACK_PENDING) {
		json_object_set_new(b, "position", json_integer(0));
		json_object_set_new(b, "ewt_s", json_null());
	}
	if (terminal(ev->state))
		c->done = true;
	mark_dirty(state(s), c);
}

/* The wrap-up of contacts_wrapup(), logged before the completion. */
static void log_wrapup(struct srv *s, struct crec *c)
{
	json_t *b = crec_body(c), *w = c->wrapup;

	c->wrapup = NULL;
	if (json_object_get(w, "disposition"))
		json_object_set(b, "disposition",
				json_object_get(w, "disposition"));
	if (json_object_get(w, "notes"))
		json_object_set(b, "notes", json_object_get(w, "notes"));
	srv_log(s, jv_str(b, "tenant"),
		&(struct event){
			.type = EVENT_CONTACT_DISPOSITION,
			.u.disposition = {c->id, jv_str(b, "disposition"),
					  jv_str(b, "notes"),
					  jv_str(w, "user")},
		});
	json_decref(w);
}

static void contacts_on_engine_event(struct srv *s, void *arg,
				     const struct engine_event *ev)
{
	struct crec *c = ev->contact ? contacts_find_num(s, ev->contact) : NULL;
	struct event e = {.type = (enum event_type)ev->type};

	(void)arg;
	if (ev->contact && !c)
		return; /* not ours: cannot happen */
	if (c && c->wrapup && ev->type == EV_CONTACT_COMPLETED)
		log_wrapup(s, c);
	e.u.engine.ev = *ev;
	e.u.engine.contact = c ? c->id : NULL;
	srv_log(s, ev->tenant, &e);
	if (c)
		crec_update(s, c, ev);
}

/* ---- restart ---- */

/*
 * A contact of the store back in the engine, waiting again. Its body stays
 * text until something needs it (crec_body): a restart with 100,000
 * waiting contacts spent most of its time and memory building their
 * bodies as jansson objects. Only a contact that moves (it was offered or
 * talking) is parsed, changed and written back.
 */
static int restore(const struct store_open_contact *oc, void *arg)
{
	struct srv *s = arg;
	struct contacts *cs = state(s);
	struct engine_contact ec = {0};
	const char *state = oc->state, *to;
	struct crec *c;
	bool moved;
	int64_t now = srv_now(s), arrived, entered;
	json_t *b;
	int err;

	if (!state || !oc->queue)
		return EINVAL;
	c = crec_new(cs, oc->id, NULL, oc->body);
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
		mark_dirty(cs, c);
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
	json_object_del(b, "expires_at");
	if (moved) {
		mark_dirty(cs, c);
		srv_log(s, oc->tenant,
			&(struct event){
				.type = EVENT_CONTACT_REQUEUED,
				.u.requeued = {oc->id, ec.queue, "restart",
					       state},
			});
	}
	return 0;
}

/* The engine's events are not recorded while the store is replayed. */
static int contacts_load(struct srv *s, void *arg)
{
	struct store *st = s->store;
	int err;

	(void)arg;
	s->restoring = true;
	err = st->ops->open_contacts(st, restore, s);
	s->restoring = false;
	if (err)
		log_error("contacts", "msg=\"cannot restore the contacts\"");
	else
		log_info("contacts", "msg=restored contacts=%zu",
			 state(s)->by_id.len);
	return err;
}

/* ---- the contact's life ---- */

/* After the engine took a change: its next timer, and a commit. */
static int changed(struct srv *s)
{
	srv_engine_timer(s);
	srv_commit_soon(s);
	return 0;
}

/*
 * An engine's refusal, as the service's result: a state that does not
 * allow it (EBUSY, with why), ENOENT kept, ENOMEM and others as they are.
 */
static int refused(int err, struct lang_out *why, const char *text)
{
	if (err == EINVAL || err == EALREADY || err == EPERM || err == EBUSY) {
		lang_say(why, "%s", lang_get(why->lang, text));
		return EBUSY;
	}
	return err;
}

static int check_new(struct srv *s, const struct new_contact *nc,
		     struct lang_out *why)
{
	struct obj *q;

	if (!obj_find(s, K_TENANTS, nc->tenant)) {
		lang_say(why, N_("tenant: no tenant %s"), nc->tenant);
		return EINVAL;
	}
	q = obj_find(s, K_QUEUES, nc->queue);
	if (!q || strcmp(jv_str(q->body, "tenant"), nc->tenant)) {
		lang_say(why, N_("queue: no queue %s in the tenant"),
			 nc->queue);
		return EINVAL;
	}
	if (strcmp(jv_str(q->body, "channel"), nc->channel)) {
		lang_say(why, N_("channel: the queue takes %s contacts"),
			 jv_str(q->body, "channel"));
		return EINVAL;
	}
	return 0;
}

int contacts_create(struct srv *s, const struct new_contact *nc,
		    struct crec **out, struct lang_out *why)
{
	struct engine_contact_info info;
	struct engine_contact ec = {0};
	enum channel ch = CH_VOICE;
	char id[40], t[32];
	struct crec *c;
	json_t *b;
	int err = check_new(s, nc, why);

	if (err)
		return err;
	srv_uuid(id);
	utctime_format(srv_now(s), t, sizeof(t));
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
	c = b ? crec_new(state(s), id, b, NULL) : NULL;
	if (!c) {
		json_decref(b);
		return ENOMEM;
	}
	engine_channel_parse(nc->channel, &ch);
	srv_log(s, nc->tenant,
		&(struct event){
			.type = EVENT_CONTACT_CREATED,
			.u.created = {id, nc->queue, ch, nc->customer,
				      nc->priority,
				      json_object_get(b, "attributes"), nc->by},
		});
	mark_dirty(state(s), c);
	ec.id = c->num;
	ec.queue = nc->queue;
	ec.priority = nc->priority;
	ec.customer = nc->customer;
	ec.callback = nc->callback;
	err = engine_contact_add(s->eng, srv_now(s), &ec, &info);
	if (err) {
		/* Logged as created: it ends closed, in the same commit. */
		json_object_set_new(b, "state", json_string("closed"));
		c->done = true;
		srv_commit_soon(s);
		lang_say(why, N_("engine: %s"), strerror(err));
		return err;
	}
	*out = c;
	return changed(s);
}

static int answer(struct srv *s, struct crec *c, const char *agent, bool accept,
		  struct lang_out *why)
{
	int err = accept ? engine_contact_accept(s->eng, srv_now(s), c->num,
						 agent)
			 : engine_contact_reject(s->eng, srv_now(s), c->num,
						 agent);

	return err ? refused(err, why,
			     N_("the contact is not offered to this agent"))
		   : changed(s);
}

int contacts_accept(struct srv *s, struct crec *c, const char *agent,
		    struct lang_out *why)
{
	return answer(s, c, agent, true, why);
}

int contacts_reject(struct srv *s, struct crec *c, const char *agent,
		    struct lang_out *why)
{
	return answer(s, c, agent, false, why);
}

int contacts_end(struct srv *s, struct crec *c, struct lang_out *why)
{
	int err = engine_contact_end(s->eng, srv_now(s), c->num);

	return err ? refused(err, why, N_("the contact is not active"))
		   : changed(s);
}

int contacts_callback(struct srv *s, struct crec *c, struct lang_out *why)
{
	int err = engine_contact_callback(s->eng, srv_now(s), c->num);

	return err ? refused(err, why,
			     N_("only a waiting contact can become a callback"))
		   : changed(s);
}

int contacts_callback_request(struct srv *s, struct crec *c, const char *queue,
			      const char *by, struct crec **out,
			      struct lang_out *why)
{
	const json_t *b = crec_body(c);
	const char *customer = jv_str(b, "customer");
	struct new_contact nc = {0};
	json_t *attrs;
	int err;

	if (strcmp(jv_str(b, "state"), "active")) {
		lang_say(why,
			 N_("only a contact in progress can ask for a "
			    "callback (it is %s)"),
			 jv_str(b, "state"));
		return EBUSY;
	}
	if (!customer) {
		lang_say(why, N_("a callback needs the contact's customer, "
				 "to know whom to call"));
		return EINVAL;
	}
	nc.tenant = jv_str(b, "tenant");
	nc.queue = queue ? queue : jv_str(b, "queue");
	nc.channel = "voice";
	nc.customer = customer;
	nc.callback = true;
	nc.by = by;
	attrs = json_pack("{s:s}", "callback_for", c->id);
	nc.attributes = attrs;
	if (!attrs)
		return ENOMEM;
	err = contacts_create(s, &nc, out, why);
	json_decref(attrs);
	if (err)
		return err;
	return contacts_end(s, c, why);
}

int contacts_abandon(struct srv *s, struct crec *c, struct lang_out *why)
{
	int err = engine_contact_abandon(s->eng, srv_now(s), c->num);

	return err ? refused(err, why,
			     N_("only a waiting or offered contact can be "
				"abandoned"))
		   : changed(s);
}

int contacts_transfer(struct srv *s, struct crec *c, const char *queue,
		      const char *agent, struct lang_out *why)
{
	struct obj *q = queue ? obj_find(s, K_QUEUES, queue) : NULL;
	int err;

	if (!queue == !agent) {
		lang_say(why, N_("give either queue or agent"));
		return EINVAL;
	}
	if (queue && (!q || strcmp(jv_str(q->body, "tenant"),
				   jv_str(crec_body(c), "tenant")))) {
		lang_say(why, N_("queue: no queue %s in the contact's tenant"),
			 queue);
		return EINVAL;
	}
	if (agent && !obj_find(s, K_AGENTS, agent)) {
		lang_say(why, N_("agent: no agent %s"), agent);
		return EINVAL;
	}
	err = engine_contact_transfer(s->eng, srv_now(s), c->num, queue, agent);
	return err ? refused(err, why,
			     N_("the contact cannot be transferred now"))
		   : changed(s);
}

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

/* The queue asks for one of its dispositions at every wrap-up. */
static bool disposition_required(struct srv *s, struct crec *c)
{
	struct obj *q = obj_find(s, K_QUEUES, jv_str(crec_body(c), "queue"));

	return q &&
	       json_is_true(json_object_get(q->body, "disposition_required")) &&
	       json_array_size(json_object_get(q->body, "dispositions"));
}

int contacts_wrapup(struct srv *s, struct crec *c, const json_t *disposition,
		    const json_t *notes, const char *by, struct lang_out *why)
{
	const char *disp = json_string_value(disposition);
	const char *st = jv_str(crec_body(c), "state");
	int err;

	if (disp && !disposition_allowed(s, c, disp)) {
		lang_say(why, N_("disposition: %s is not one of the queue's"),
			 disp);
		return EINVAL;
	}
	if (!disp && disposition_required(s, c)) {
		lang_say(why, N_("disposition: the queue requires one of its "
				 "dispositions"));
		return EINVAL;
	}
	if (strcmp(st, "wrapup")) {
		lang_say(why, N_("the contact is not in wrap-up (it is %s)"),
			 st);
		return EBUSY;
	}
	c->wrapup = json_pack("{s:s}", "user", by);
	if (!c->wrapup)
		return ENOMEM;
	/* absent: unchanged; null: cleared */
	if (disposition)
		json_object_set(c->wrapup, "disposition",
				(json_t *)disposition);
	if (notes)
		json_object_set(c->wrapup, "notes", (json_t *)notes);
	err = engine_contact_wrapup_done(s->eng, srv_now(s), c->num);
	json_decref(c->wrapup); /* NULL once logged */
	c->wrapup = NULL;
	return err ? refused(err, why, N_("the contact is not in wrap-up"))
		   : changed(s);
}

int contacts_agent_state(struct srv *s, const char *agent, enum agent_state st,
			 const char *reason, struct lang_out *why)
{
	int err = engine_agent_state(s->eng, srv_now(s), agent, st,
				     st == AS_AVAILABLE ? NULL : reason);

	if (err == EBUSY)
		lang_say(why,
			 N_("the agent holds contacts; finish them first"));
	return err ? err : changed(s);
}

int contacts_why(struct srv *s, const struct crec *c, const char *agent,
		 enum why *why, char *text, size_t size)
{
	return engine_why(s->eng, srv_now(s), c->num, agent, why, text, size);
}

const struct srv_module contacts_module = {
	.name = "contacts",
	.routes = contacts_routes,
	.init = contacts_init,
	.load = contacts_load,
	.on_engine_event = contacts_on_engine_event,
	.before_commit = contacts_before_commit,
	.close = contacts_close,
};
