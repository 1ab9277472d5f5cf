/*
 * messages — see messages.h. The projection is two JSON objects:
 * contacts (contact id -> its messages, an array in log order, each the
 * record below) and attachments (id -> its metadata). Both are changed
 * only by committed events (apply_*), at start-up from the log and then
 * in on_commit, so what the API shows is always on disk.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "server/libre.h"

#include "channels/channel.h"
#include "lang/lang.h"
#include "model/event.h"
#include "model/utctime.h"
#include "server/attachments.h"
#include "server/auth.h"
#include "server/contacts.h"
#include "server/log.h"
#include "server/messages.h"
#include "server/module.h"
#include "server/query.h"
#include "server/srv.h"
#include "server/stream.h"
#include "server/worker.h"

/* The most messages one GET answers: the client asks again with after. */
#define PAGE_MAX 100

struct messages {
	json_t *contacts;	     /* contact id -> [record] */
	json_t *attachments;	     /* attachment id -> metadata */
	messages_visitor_h *visitor; /* the web chat's visitors, or NULL */
};

static struct messages *state(struct srv *s)
{
	return srv_module_state(s, &messages_module);
}

static const char *const statuses[] = {"queued", "sent", "delivered", "failed",
				       NULL};

static bool is_status(const char *st)
{
	for (size_t i = 0; st && statuses[i]; i++)
		if (!strcmp(statuses[i], st))
			return true;
	return false;
}

/* ---- the projection ---- */

static json_t *list_of(struct messages *m, const char *contact, bool create)
{
	json_t *l = json_object_get(m->contacts, contact);

	if (!l && create) {
		l = json_array();
		if (json_object_set_new(m->contacts, contact, l))
			return NULL;
	}
	return l;
}

static json_t *strs_or_empty(const json_t *a)
{
	return a ? json_deep_copy(a) : json_array();
}

static void apply_message(struct messages *m, const char *tenant, int64_t seq,
			  int64_t time_ms,
			  const struct event_contact_message *e)
{
	char at[UTCTIME_SIZE];
	json_t *l = list_of(m, e->contact, true), *rec;

	rec = json_pack("{s:I,s:s,s:s?,s:s,s:s,s:s,s:s?,s:s,s:s?,s:s?,s:s?,"
			"s:o,s:s,s:s?,s:s,s:s?,s:s?}",
			"seq", (json_int_t)seq, "id", e->message, "tenant",
			tenant, "channel", engine_channel_name(e->channel),
			"direction", e->direction, "author", e->author, "user",
			e->user, "text", e->text, "html", e->html, "subject",
			e->subject, "cc", e->cc, "attachments",
			strs_or_empty(e->attachments), "status", e->status,
			"reason", e->reason, "at",
			utctime_format(time_ms, at, sizeof(at)), "queue",
			e->queue, "agent", e->agent);
	if (!l || !rec || json_array_append_new(l, rec))
		log_error("messages", "msg=\"out of memory\"");
}

static json_t *find_message(struct messages *m, const char *contact,
			    const char *id)
{
	json_t *l = list_of(m, contact, false), *rec;
	size_t i;

	/* the newest first: a status follows its message closely */
	for (i = json_array_size(l); i-- > 0;) {
		rec = json_array_get(l, i);
		if (!strcmp(jv_str(rec, "id"), id))
			return rec;
	}
	return NULL;
}

static void apply_status(struct messages *m,
			 const struct event_contact_message_status *e)
{
	json_t *rec = find_message(m, e->contact, e->message);

	if (!rec)
		return; /* erased, or a status of a message this log lost */
	json_object_set_new(rec, "status", json_string(e->status));
	json_object_set_new(rec, "reason",
			    e->reason ? json_string(e->reason) : json_null());
}

static void apply_attachment(struct messages *m, const char *tenant,
			     const struct event_contact_attachment *e)
{
	json_t *a = json_pack("{s:s,s:s,s:s?,s:s,s:s,s:I,s:s}", "id",
			      e->attachment, "contact", e->contact, "tenant",
			      tenant, "name", e->name, "type", e->type, "size",
			      (json_int_t)e->size, "sha256", e->sha256);

	if (!a || json_object_set_new(m->attachments, e->attachment, a))
		log_error("messages", "msg=\"out of memory\"");
}

static void apply(struct messages *m, const char *tenant, int64_t seq,
		  int64_t time_ms, const struct event *ev)
{
	/* erased or expired (retention.c): not in the projection */
	if ((ev->type == EVENT_CONTACT_MESSAGE && ev->u.message.redacted) ||
	    (ev->type == EVENT_CONTACT_ATTACHMENT && ev->u.attachment.redacted))
		return;
	if (ev->type == EVENT_CONTACT_MESSAGE)
		apply_message(m, tenant, seq, time_ms, &ev->u.message);
	else if (ev->type == EVENT_CONTACT_MESSAGE_STATUS)
		apply_status(m, &ev->u.message_status);
	else if (ev->type == EVENT_CONTACT_ATTACHMENT)
		apply_attachment(m, tenant, &ev->u.attachment);
}

static bool ours(const char *type)
{
	return !strcmp(type, "contact.message") ||
	       !strcmp(type, "contact.message_status") ||
	       !strcmp(type, "contact.attachment");
}

/* ---- start-up: the projection from the log ---- */

struct loaded {
	json_t *rows; /* [[seq, time, tenant, type, data]...] newest first */
};

static int collect_row(const struct store_event *ev, void *arg)
{
	struct loaded *ld = arg;
	json_t *row = json_pack("[I,I,s?,s,s]", (json_int_t)ev->seq,
				(json_int_t)ev->time_ms, ev->tenant, ev->type,
				ev->data);

	return row && !json_array_append_new(ld->rows, row) ? 0 : ENOMEM;
}

static int load_type(struct store *st, const char *type, struct loaded *ld)
{
	struct store_type_query q = {.type = type};

	return st->ops->events_by_type(st, &q, collect_row, ld);
}

/* The rows of one type, oldest first, into the projection. */
static int apply_rows(struct messages *m, json_t *rows)
{
	size_t i;

	for (i = json_array_size(rows); i-- > 0;) {
		json_t *row = json_array_get(rows, i);
		struct event ev;
		char msg[200];
		int err;

		err = event_parse(&ev,
				  json_string_value(json_array_get(row, 3)),
				  json_string_value(json_array_get(row, 4)),
				  msg, sizeof(msg));
		if (err == ENOMEM)
			return err;
		if (err) {
			log_error("messages",
				  "msg=\"skipped a row\" why=\"%s\"", msg);
			continue;
		}
		apply(m, json_string_value(json_array_get(row, 2)),
		      json_integer_value(json_array_get(row, 0)),
		      json_integer_value(json_array_get(row, 1)), &ev);
		event_release(&ev);
	}
	return 0;
}

/* Messages and attachments first, then the statuses in their order. */
static int messages_load(struct srv *s, void *arg)
{
	static const char *const types[] = {"contact.attachment",
					    "contact.message",
					    "contact.message_status", NULL};
	struct messages *m = arg;
	int err = 0;

	for (size_t t = 0; !err && types[t]; t++) {
		struct loaded ld = {json_array()};

		err = ld.rows ? load_type(s->store, types[t], &ld) : ENOMEM;
		if (!err)
			err = apply_rows(m, ld.rows);
		json_decref(ld.rows);
	}
	if (err)
		log_error("messages", "msg=\"cannot restore the messages\"");
	else
		log_info("messages",
			 "msg=restored contacts=%zu attachments=%zu",
			 json_object_size(m->contacts),
			 json_object_size(m->attachments));
	return err;
}

/* ---- views ---- */

static json_t *attachment_view(const json_t *a)
{
	return json_pack("{s:O,s:O,s:O,s:O}", "id", json_object_get(a, "id"),
			 "name", json_object_get(a, "name"), "type",
			 json_object_get(a, "type"), "size",
			 json_object_get(a, "size"));
}

/*
 * The attachments message record rec names, each as fn makes it (those
 * no longer known are left out). New reference.
 */
static json_t *attachments_of_rec(struct messages *m, const json_t *rec,
				  json_t *(*fn)(const json_t *a))
{
	json_t *out = json_array(), *id;
	size_t i;

	json_array_foreach(json_object_get(rec, "attachments"), i, id)
	{
		json_t *a =
			json_object_get(m->attachments, json_string_value(id));

		if (a)
			json_array_append_new(out, fn(a));
	}
	return out;
}

/* An attachment whole, as a channel gets it (id, name, type, size...). */
static json_t *attachment_copy(const json_t *a)
{
	return json_deep_copy(a);
}

/*
 * The API's message: the record, its attachments described; a visitor's
 * view has no staff field (the user who wrote it).
 */
static json_t *message_view(struct messages *m, const json_t *rec, bool visitor)
{
	json_t *v = json_deep_copy(rec);

	json_object_set_new(v, "attachments",
			    attachments_of_rec(m, rec, attachment_view));
	json_object_del(v, "tenant");
	json_object_del(v, "queue");
	json_object_del(v, "agent");
	if (visitor)
		json_object_del(v, "user");
	return v;
}

/* ---- delivery, once a message is durable ---- */

static int log_status(struct srv *s, const char *tenant, const json_t *rec,
		      const char *contact, const char *status,
		      const char *reason)
{
	struct crec *c = contacts_find(s, contact);
	const json_t *b = c ? crec_body(c) : rec;
	struct event ev = {.type = EVENT_CONTACT_MESSAGE_STATUS};

	ev.u.message_status =
		(struct event_contact_message_status){contact,
						      jv_str(rec, "id"),
						      jv_str(b, "queue"),
						      jv_str(b, "agent"),
						      status,
						      reason};
	srv_log(s, tenant, &ev);
	srv_commit_soon(s);
	return 0;
}

static void deliver(struct srv *s, const char *contact, const json_t *rec)
{
	struct messages *m = state(s);
	enum channel ch = CH_CHAT;
	json_t *atts = attachments_of_rec(m, rec, attachment_copy);
	struct channel_message cm = {
		.contact = contact,
		.tenant = jv_str(rec, "tenant"),
		.subject = jv_str(rec, "subject"),
		.text = jv_str(rec, "text"),
		.id = jv_str(rec, "id"),
		.cc = jv_str(rec, "cc"),
		.attachments = atts,
	};
	int err;

	(void)engine_channel_parse(jv_str(rec, "channel"), &ch);
	err = channel_deliver(s, ch, &cm);
	json_decref(atts);
	/* No medium of its own (the api channel): the outside system reads
	 * the message from the stream, so it is as sent as it will be. */
	if (err == ENOTSUP)
		log_status(s, cm.tenant, rec, contact, "sent", NULL);
	else if (err)
		log_status(s, cm.tenant, rec, contact, "failed", strerror(err));
}

static void messages_commit(struct srv *s, void *arg, const struct pub *pubs,
			    size_t n)
{
	struct messages *m = arg;

	for (size_t i = 0; i < n; i++) {
		const struct pub *p = &pubs[i];
		struct event ev;
		char msg[200];

		if (!ours(p->type) ||
		    event_decode(&ev, p->type, p->data, msg, sizeof(msg)))
			continue;
		apply(m, p->tenant, p->seq, p->time_ms, &ev);
		if (ev.type == EVENT_CONTACT_MESSAGE &&
		    !strcmp(ev.u.message.direction, "out") &&
		    !strcmp(ev.u.message.status, "queued"))
			deliver(s, ev.u.message.contact,
				find_message(m, ev.u.message.contact,
					     ev.u.message.message));
	}
}

/*
 * Messages still queued when the server stopped go to their channel
 * again: at least once, never lost.
 */
static void messages_start(struct srv *s, void *arg)
{
	struct messages *m = arg;
	const char *contact;
	json_t *l, *rec;
	size_t i;

	json_object_foreach(m->contacts, contact, l) json_array_foreach(
		l, i, rec) if (!strcmp(jv_str(rec, "direction"), "out") &&
			       !strcmp(jv_str(rec, "status"), "queued"))
		deliver(s, contact, rec);
}

/* ---- the C interface, for channels ---- */

/* Whether ids are attachments of contact; false names the first not. */
static bool attachments_of(struct messages *m, const json_t *ids,
			   const char *contact, size_t *bad)
{
	json_t *id;
	size_t i;

	json_array_foreach(ids, i, id)
	{
		json_t *a =
			json_object_get(m->attachments, json_string_value(id));

		if (!a || strcmp(jv_str(a, "contact"), contact)) {
			*bad = i;
			return false;
		}
	}
	return true;
}

/* The channel of a contact's row, if it is a written one. */
static bool written(const json_t *b, enum channel *ch)
{
	return engine_channel_parse(jv_str(b, "channel"), ch) &&
	       *ch != CH_VOICE;
}

/*
 * The API view of message e, logged at seq and not yet committed (the
 * projection has it only once durable). New reference.
 */
static json_t *new_view(struct srv *s, int64_t seq,
			const struct event_contact_message *e, bool visitor)
{
	char at[UTCTIME_SIZE];
	json_t *rec, *v;

	rec = json_pack(
		"{s:I,s:s,s:s,s:s,s:s,s:s?,s:s,s:s?,s:s?,s:s?,s:o,"
		"s:s,s:n,s:s}",
		"seq", (json_int_t)seq, "id", e->message, "channel",
		engine_channel_name(e->channel), "direction", e->direction,
		"author", e->author, "user", e->user, "text", e->text, "html",
		e->html, "subject", e->subject, "cc", e->cc, "attachments",
		strs_or_empty(e->attachments), "status", e->status, "reason",
		"at", utctime_format(srv_now(s), at, sizeof(at)));
	v = rec ? message_view(state(s), rec, visitor) : NULL;
	json_decref(rec);
	return v;
}

/*
 * A message of the customer's (in) or of the system (out) on c; with
 * view, its API view as a chat visitor sees it.
 */
static int add_message(struct srv *s, struct crec *c,
		       const struct message_in *in, bool inbound, char id[40],
		       json_t **view)
{
	struct messages *m = state(s);
	const json_t *b = crec_body(c);
	struct event ev = {.type = EVENT_CONTACT_MESSAGE};
	enum channel ch;
	int64_t seq;
	size_t bad;

	if (!in->text || !written(b, &ch) ||
	    (in->attachments &&
	     !attachments_of(m, in->attachments, c->id, &bad)))
		return EINVAL;
	srv_uuid(id);
	ev.u.message = (struct event_contact_message){
		.contact = c->id,
		.message = id,
		.queue = jv_str(b, "queue"),
		.agent = jv_str(b, "agent"),
		.channel = ch,
		.direction = inbound ? "in" : "out",
		.author = inbound ? "customer" : "system",
		.text = in->text,
		.html = in->html,
		.subject = in->subject,
		.cc = in->cc,
		.attachments = in->attachments,
		/* the customer's words have arrived; ours are to deliver */
		.status = inbound ? "delivered" : "queued",
		.mail_id = in->mail_id,
	};
	seq = srv_log(s, jv_str(b, "tenant"), &ev);
	srv_commit_soon(s);
	if (view) {
		*view = new_view(s, seq, &ev.u.message, true);
		if (!*view)
			return ENOMEM; /* logged all the same */
	}
	return 0;
}

int messages_add_inbound(struct srv *s, struct crec *c,
			 const struct message_in *in, char id[40])
{
	return add_message(s, c, in, true, id, NULL);
}

int messages_add_inbound_view(struct srv *s, struct crec *c,
			      const struct message_in *in, char id[40],
			      json_t **view)
{
	return add_message(s, c, in, true, id, view);
}

int messages_add_system(struct srv *s, struct crec *c, const char *text,
			char id[40])
{
	return add_message(s, c, &(struct message_in){.text = text}, false, id,
			   NULL);
}

int messages_set_status(struct srv *s, const char *contact, const char *message,
			const char *status, const char *reason)
{
	json_t *rec = find_message(state(s), contact, message);

	if (!is_status(status))
		return EINVAL;
	if (!rec)
		return ENOENT;
	return log_status(s, jv_str(rec, "tenant"), rec, contact, status,
			  reason);
}

int messages_add_attachment(struct srv *s, struct crec *c, const char *name,
			    const char *type, int64_t size, const char *sha256,
			    char id[40])
{
	const char *tenant = jv_str(crec_body(c), "tenant");
	struct event ev = {.type = EVENT_CONTACT_ATTACHMENT};

	srv_uuid(id);
	ev.u.attachment = (struct event_contact_attachment){
		.contact = c->id,
		.attachment = id,
		.name = name,
		.type = type,
		.size = size,
		.sha256 = sha256,
	};
	srv_log(s, tenant, &ev);
	/* known before the commit: only a message of this batch names it,
	 * and it is applied again (the same) once on disk */
	apply_attachment(state(s), tenant, &ev.u.attachment);
	srv_commit_soon(s);
	return 0;
}

json_t *messages_list_json(struct srv *s, const char *contact)
{
	struct messages *m = state(s);
	json_t *out = json_array(), *rec;
	size_t i;

	json_array_foreach(list_of(m, contact, false), i, rec)
		json_array_append_new(out, message_view(m, rec, true));
	return out;
}

/* ---- redaction (retention.c) ---- */

bool messages_forget(struct srv *s, const char *contact, const char *message)
{
	json_t *l = list_of(state(s), contact, false), *rec;
	size_t i;

	json_array_foreach(l, i, rec) if (!strcmp(jv_str(rec, "id"), message))
	{
		json_array_remove(l, i);
		if (!json_array_size(l))
			json_object_del(state(s)->contacts, contact);
		return true;
	}
	return false;
}

bool messages_forget_attachment(struct srv *s, const char *attachment)
{
	return !json_object_del(state(s)->attachments, attachment);
}

bool messages_file_used(struct srv *s, const char *sha256)
{
	const char *id;
	json_t *a;

	json_object_foreach(
		state(s)->attachments, id,
		a) if (!strcmp(jv_str(a, "sha256"), sha256)) return true;
	return false;
}

/* ---- the routes: whose contact ---- */

/* The contact's row, from memory or from the store, then fn. */
typedef void(with_row_h)(struct hreq *r, const json_t *row, void *arg);

struct row_job {
	with_row_h *fn;
	void *arg;
};

static void row_run(struct store *st, struct query *q)
{
	q->err = st->ops->get(st, "contacts", q->id, query_collect, q);
}

static void row_finish(struct query *q)
{
	struct row_job *j = q->arg;

	if (!query_failed(q))
		j->fn(q->r, json_array_get(q->result, 0), j->arg);
}

static void with_row(struct hreq *r, const char *contact, with_row_h *fn,
		     void *arg)
{
	struct crec *c = contacts_find(r->srv, contact);
	struct row_job *j;
	struct query *q;

	if (c) {
		fn(r, crec_body(c), arg);
		return;
	}
	q = query_new(r);
	j = q ? calloc(1, sizeof(*j)) : NULL;
	if (!j) {
		if (q)
			query_free(q);
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	*j = (struct row_job){fn, arg};
	snprintf(q->id, sizeof(q->id), "%s", contact);
	q->arg = j;
	q->arg_free = free;
	q->run = row_run;
	q->finish = row_finish;
	query_submit(q);
}

/* A contact the engine no longer holds: finished (409) or unknown (404). */
static void gone(struct hreq *r, const json_t *row, void *arg)
{
	(void)arg;
	if (row && contacts_visible(r->srv, r->user, row))
		web_error(r, 409, "conflict", "the contact is already %s",
			  jv_str(row, "state"));
	else
		web_not_found(r, "contact", r->params[0]);
}

/*
 * The live contact of the path that the caller may write to, or NULL
 * with the answer sent: 404 when unknown or not visible (an agent that
 * does not hold it, another tenant's), 409 for a finished or voice one.
 */
static struct crec *writable(struct hreq *r, enum channel *ch)
{
	struct crec *c = contacts_find(r->srv, r->params[0]);
	const json_t *b = c ? crec_body(c) : NULL;

	if (!c || c->done) {
		with_row(r, r->params[0], gone, NULL);
		return NULL;
	}
	if (!contacts_visible(r->srv, r->user, b)) {
		web_not_found(r, "contact", r->params[0]);
		return NULL;
	}
	if (!written(b, ch)) {
		web_error(r, 409, "conflict",
			  "a voice contact has no messages");
		return NULL;
	}
	return c;
}

/* ---- GET /api/v1/contacts/{id}/messages ---- */

bool messages_after_param(struct hreq *r, int64_t *after)
{
	char buf[32], *end;
	const char *v = web_query(r, "after", buf, sizeof(buf));

	*after = 0;
	if (!v && !r->bad_param[0])
		return true;
	errno = 0;
	*after = v ? strtoll(v, &end, 10) : -1;
	if (!v || errno || end == v || *end || *after < 0) {
		web_error(r, 400, "invalid_field",
			  "after: expected a sequence number (0 or more)");
		return false;
	}
	return true;
}

static void list_reply(struct hreq *r, const json_t *row, void *arg)
{
	int64_t after = 0;
	enum channel ch;

	(void)arg;
	(void)messages_after_param(r, &after); /* checked before */
	if (!row || !contacts_visible(r->srv, r->user, row)) {
		web_not_found(r, "contact", r->params[0]);
		return;
	}
	if (!written(row, &ch)) {
		web_error(r, 409, "conflict",
			  "a voice contact has no messages");
		return;
	}
	web_json(r, 200, messages_page(r->srv, r->params[0], after, false));
}

json_t *messages_page(struct srv *s, const char *contact, int64_t after,
		      bool visitor)
{
	struct messages *m = state(s);
	json_t *out = json_array(), *rec;
	size_t i;

	json_array_foreach(list_of(m, contact, false), i, rec)
	{
		if (jv_int(rec, "seq", 0) <= after)
			continue;
		if (json_array_size(out) == PAGE_MAX)
			break;
		json_array_append_new(out, message_view(m, rec, visitor));
	}
	return json_pack("{s:o}", "messages", out);
}

json_t *messages_view(struct srv *s, const char *contact, const char *id,
		      bool visitor)
{
	struct messages *m = state(s);
	const json_t *rec = find_message(m, contact, id);

	return rec ? message_view(m, rec, visitor) : NULL;
}

static void api_messages_list(struct hreq *r)
{
	int64_t after;

	if (messages_after_param(r, &after))
		with_row(r, r->params[0], list_reply, NULL);
}

/* ---- POST /api/v1/contacts/{id}/messages ---- */

static const char *const directions[] = {"in", "out", NULL};

static const struct jv_field message_fields[] = {
	{"text", JV_STRING, 0, 0, 20000, NULL, NULL},
	{"attachments", JV_STRINGS, 0, 0, 20, NULL, NULL},
	{"subject", JV_STRING, 0, 0, 998, NULL, NULL},
	{"cc", JV_STRING, 0, 0, 2000, NULL, NULL},
	{"direction", JV_STRING, 0, 0, 0, directions, NULL},
	JV_END,
};

/*
 * Whether the message is the customer's (direction "in"): only an
 * integration writes that side through the API, the outside system that
 * brought the contact (the api channel); false with the answer sent when
 * another role asks for it.
 */
static bool inbound_of(struct hreq *r, bool *in)
{
	const char *d = jv_str(r->body, "direction");

	*in = d && !strcmp(d, "in");
	if (*in && r->user->role != ROLE_INTEGRATION) {
		web_error(r, 403, "forbidden",
			  "direction: only an integration writes the "
			  "customer's messages");
		return false;
	}
	return true;
}

/* What the body says, checked against the contact; false: answered. */
static bool message_ok(struct hreq *r, const struct crec *c, enum channel ch)
{
	const json_t *ids = json_object_get(r->body, "attachments");
	const char *text = jv_str(r->body, "text");
	size_t bad = 0;

	if (web_check(r, r->body, message_fields, true))
		return false;
	if ((!text || !text[0]) && !json_array_size(ids)) {
		web_error(r, 400, "invalid_field",
			  "text: required (or attachments)");
		return false;
	}
	if (ch != CH_EMAIL && (json_object_get(r->body, "subject") ||
			       json_object_get(r->body, "cc"))) {
		web_error(r, 400, "invalid_field",
			  "subject and cc: only for an email contact");
		return false;
	}
	if (!attachments_of(state(r->srv), ids, c->id, &bad)) {
		web_error(r, 400, "invalid_field",
			  "attachments[%zu]: no attachment %.64s on this "
			  "contact",
			  bad, json_string_value(json_array_get(ids, bad)));
		return false;
	}
	return true;
}

static void api_message_post(struct hreq *r)
{
	struct srv *s = r->srv;
	struct event ev = {.type = EVENT_CONTACT_MESSAGE};
	const json_t *b, *ids;
	char id[40];
	struct crec *c;
	enum channel ch;
	int64_t seq;
	bool in;

	c = writable(r, &ch);
	if (!c || !message_ok(r, c, ch) || !inbound_of(r, &in))
		return;
	b = crec_body(c);
	ids = json_object_get(r->body, "attachments");
	srv_uuid(id);
	ev.u.message = (struct event_contact_message){
		.contact = c->id,
		.message = id,
		.queue = jv_str(b, "queue"),
		.agent = jv_str(b, "agent"),
		.channel = ch,
		.direction = in ? "in" : "out",
		.author = in				      ? "customer"
			  : r->user->role == ROLE_INTEGRATION ? "system"
							      : "agent",
		.user = r->user->id,
		.text = jv_str(r->body, "text") ? jv_str(r->body, "text") : "",
		.subject = jv_str(r->body, "subject"),
		.cc = jv_str(r->body, "cc"),
		.attachments = json_array_size(ids) ? ids : NULL,
		/* the customer's words have arrived; ours are to deliver */
		.status = in ? "delivered" : "queued",
	};
	seq = srv_log(s, jv_str(b, "tenant"), &ev);
	srv_commit_soon(s);
	srv_reply_durable(r, 201, new_view(s, seq, &ev.u.message, false));
}

/* ---- POST /api/v1/contacts/{id}/typing ---- */

static const struct jv_field typing_fields[] = {
	JV_END,
};

/*
 * Not logged: a signal on the stream, with no sequence (stream.h), on the
 * contact's agent, queue and tenant topics. The customer's side (an
 * integration today, a chat visitor later) sends it with author
 * "customer".
 */
void messages_typing(struct srv *s, struct crec *c, const char *author,
		     const char *user)
{
	char at[UTCTIME_SIZE];
	const json_t *b = crec_body(c);
	json_t *msg;

	msg = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s?,s:s?,s:s,s:s?}}", "type",
			"signal", "event", "contact.typing", "time",
			utctime_format(srv_now(s), at, sizeof(at)), "tenant",
			jv_str(b, "tenant"), "data", "contact", c->id, "queue",
			jv_str(b, "queue"), "agent", jv_str(b, "agent"),
			"author", author, "user", user);
	if (msg)
		stream_signal(s, jv_str(b, "tenant"), jv_str(b, "queue"),
			      jv_str(b, "agent"), msg);
	json_decref(msg);
}

static void api_typing(struct hreq *r)
{
	enum channel ch;
	struct crec *c;

	c = writable(r, &ch);
	if (!c || web_check(r, r->body, typing_fields, true))
		return;
	/* an integration writes the customer's side */
	messages_typing(r->srv, c,
			r->user->role == ROLE_INTEGRATION ? "customer"
							  : "agent",
			r->user->id);
	web_no_content(r);
}

/* ---- POST /api/v1/contacts/{id}/attachments ---- */

struct upload {
	struct hreq *r;
	struct mbuf *mb; /* the body, held past the handler */
	const char *dir;
	char contact[40], tenant[64], name[256], type[128], by[40];
	char hex[65];
	int err;
};

static void upload_write(void *ctx, void *arg)
{
	struct upload *u = arg;
	const uint8_t *p = mbuf_buf(u->mb);
	size_t n = mbuf_get_left(u->mb);

	(void)ctx;
	attachments_sha256(p, n, u->hex);
	u->err = attachments_write(u->dir, u->hex, p, n);
}

static void upload_done(void *arg)
{
	struct upload *u = arg;
	struct hreq *r = u->r;
	struct event ev = {.type = EVENT_CONTACT_ATTACHMENT};
	char id[40];

	if (u->err) {
		log_error("messages",
			  "msg=\"cannot store an attachment\" "
			  "why=\"%s\"",
			  strerror(u->err));
		web_error(r, 500, "internal", "the file cannot be stored: %s",
			  strerror(u->err));
		goto out;
	}
	srv_uuid(id);
	ev.u.attachment = (struct event_contact_attachment){
		.contact = u->contact,
		.attachment = id,
		.name = u->name,
		.type = u->type,
		.size = (int64_t)mbuf_get_left(u->mb),
		.sha256 = u->hex,
		.user = u->by[0] ? u->by : NULL,
	};
	srv_log(r->srv, u->tenant, &ev);
	srv_commit_soon(r->srv);
	srv_reply_durable(r, 201,
			  json_pack("{s:s,s:s,s:s,s:I,s:s}", "id", id, "name",
				    u->name, "type", u->type, "size",
				    (json_int_t)mbuf_get_left(u->mb), "sha256",
				    u->hex));
out:
	mem_deref(u->mb);
	free(u);
}

/* The body's media type in lower case, without parameters. */
static void media_type(const struct http_msg *msg, char *out, size_t size)
{
	out[0] = 0;
	if (!pl_isset(&msg->ctyp.type) || !pl_isset(&msg->ctyp.subtype))
		return;
	(void)re_snprintf(out, size, "%r/%r", &msg->ctyp.type,
			  &msg->ctyp.subtype);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

/* The upload's name and type; false: answered (400, 415). */
static bool upload_ok(struct hreq *r, struct upload *u)
{
	const char *name = web_query(r, "name", u->name, sizeof(u->name));

	if (!name || !attachments_name_ok(name)) {
		web_error(r, 400, "invalid_field",
			  "name: required, the file's name (1 to 255 bytes, "
			  "no / or control character)");
		return false;
	}
	media_type(r->msg, u->type, sizeof(u->type));
	if (!attachments_type_allowed(u->type)) {
		web_error(r, 415, "unsupported_media_type",
			  "this type of file cannot be attached; allowed: %s",
			  attachments_types_text());
		return false;
	}
	if (!mbuf_get_left(r->msg->mb)) {
		web_error(r, 400, "invalid_field", "the file is empty");
		return false;
	}
	return true;
}

static void api_attachment_post(struct hreq *r)
{
	enum channel ch;
	struct crec *c = writable(r, &ch);

	if (c)
		messages_upload(r, c, r->user->id);
}

void messages_upload(struct hreq *r, struct crec *c, const char *by)
{
	struct upload *u = calloc(1, sizeof(*u));

	if (!u) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	if (!upload_ok(r, u)) {
		free(u);
		return;
	}
	snprintf(u->by, sizeof(u->by), "%s", by ? by : "");
	u->r = r;
	u->dir = r->srv->cfg.data_dir;
	u->mb = mem_ref(r->msg->mb);
	snprintf(u->contact, sizeof(u->contact), "%s", c->id);
	snprintf(u->tenant, sizeof(u->tenant), "%s",
		 jv_str(crec_body(c), "tenant"));
	/* hashing and fsync off the loop, beside the password hashing */
	if (worker_submit(r->srv->cpu, upload_write, upload_done, u)) {
		mem_deref(u->mb);
		free(u);
		web_error(r, 500, "internal", "out of memory");
	}
}

/* ---- GET /api/v1/attachments/{id} ---- */

struct download {
	struct hreq *r;
	const char *dir;
	char hex[65], type[128], name[256];
	uint8_t *p;
	size_t n;
	int err;
};

static void download_read(void *ctx, void *arg)
{
	struct download *d = arg;

	(void)ctx;
	d->err = attachments_read(d->dir, d->hex, &d->p, &d->n);
}

static void download_done(void *arg)
{
	struct download *d = arg;
	char disp[1024], headers[1200];

	if (d->err) {
		web_error(d->r, d->err == ENOENT ? 410 : 500,
			  d->err == ENOENT ? "gone" : "internal",
			  "the file cannot be read: %s", strerror(d->err));
	} else {
		attachments_disposition(d->name, disp, sizeof(disp));
		snprintf(headers, sizeof(headers),
			 "Content-Disposition: %s\r\n"
			 "Cache-Control: private, no-store\r\n",
			 disp);
		web_file(d->r, 200, d->type, (const char *)d->p, d->n, headers,
			 !strcmp(d->r->method, "HEAD"));
	}
	free(d->p);
	free(d);
}

/* Reads attachment a off the loop and answers with it. */
static void download_begin(struct hreq *r, const json_t *a)
{
	struct download *d = calloc(1, sizeof(*d));

	if (!d) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	d->r = r;
	d->dir = r->srv->cfg.data_dir;
	snprintf(d->hex, sizeof(d->hex), "%s", jv_str(a, "sha256"));
	snprintf(d->type, sizeof(d->type), "%s", jv_str(a, "type"));
	snprintf(d->name, sizeof(d->name), "%s", jv_str(a, "name"));
	if (worker_submit(r->srv->cpu, download_read, download_done, d)) {
		free(d);
		web_error(r, 500, "internal", "out of memory");
	}
}

static void download_start(struct hreq *r, const json_t *row, void *arg)
{
	const json_t *a = arg;

	if (!row || !contacts_visible(r->srv, r->user, row) ||
	    strcmp(jv_str(row, "tenant"), jv_str(a, "tenant"))) {
		web_not_found(r, "attachment", r->params[0]);
		return;
	}
	download_begin(r, a);
}

#define STAFF (R_ADMIN | R_SUPERVISOR | R_AGENT | R_INTEGRATION)

/*
 * A public route, so that a chat visitor's token may read the files of
 * its own conversation (the hook's answer); any other caller goes
 * through the access phase of the staff routes.
 */
static void api_attachment_get(struct hreq *r)
{
	struct messages *m = state(r->srv);
	const json_t *a = json_object_get(m->attachments, r->params[0]);
	char contact[40];

	if (m->visitor && m->visitor(r, contact)) {
		if (!contact[0])
			return; /* answered (401, 429) */
		if (!a || strcmp(jv_str(a, "contact"), contact))
			web_not_found(r, "attachment", r->params[0]);
		else
			download_begin(r, a);
		return;
	}
	if (!auth_request(r))
		return;
	if (!(STAFF & (1u << r->user->role))) {
		web_forbidden(r);
		return;
	}
	if (!a || r->user->role == ROLE_CLIENT) {
		web_not_found(r, "attachment", r->params[0]);
		return;
	}
	with_row(r, jv_str(a, "contact"), download_start, (void *)a);
}

void messages_visitor_set(struct srv *s, messages_visitor_h *h)
{
	state(s)->visitor = h;
}

size_t messages_upload_limit(struct srv *s, const char params[2][64])
{
	struct crec *c = contacts_find(s, params[0]);

	return attachments_max(s, c ? jv_str(crec_body(c), "tenant") : NULL);
}

/* ---- the module ---- */

static const struct route routes[] = {
	WEB_ROUTE("GET", "/api/v1/contacts/{id}/messages", api_messages_list,
		  STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/messages", api_message_post,
		  STAFF),
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/typing", api_typing, STAFF),
	{.method = "POST",
	 .pattern = "/api/v1/contacts/{id}/attachments",
	 .h = api_attachment_post,
	 .roles = STAFF,
	 .body_limit = messages_upload_limit,
	 .raw = true},
	WEB_ROUTE("GET", "/api/v1/attachments/{id}", api_attachment_get,
		  R_PUBLIC),
	{.method = NULL},
};

static int messages_init(struct srv *s, void **arg)
{
	struct messages *m = calloc(1, sizeof(*m));

	(void)s;
	if (!m)
		return ENOMEM;
	m->contacts = json_object();
	m->attachments = json_object();
	*arg = m;
	return m->contacts && m->attachments ? 0 : ENOMEM;
}

static void messages_close(struct srv *s, void *arg)
{
	struct messages *m = arg;

	(void)s;
	if (!m)
		return;
	json_decref(m->contacts);
	json_decref(m->attachments);
	free(m);
}

const struct srv_module messages_module = {
	.name = "messages",
	.routes = routes,
	.init = messages_init,
	.load = messages_load,
	.start = messages_start,
	.on_commit = messages_commit,
	.close = messages_close,
};
