/*
 * visitor_stream — the web chat visitor's stream (GET
 * /api/v1/stream?visitor=TOKEN, handed over by the stream module): one
 * conversation. Each committed event of that contact that a customer may
 * see (its messages and their statuses, the agent taking it, its end)
 * goes out in the staff stream's framing ({"type":"event","seq",...})
 * without the staff's fields (user ids, tenant, queue); the agent's typing
 * and the place in line (a contact.position signal whenever it changes,
 * checked each second) go out as signals. A stream that resumes with
 * {"after": N} reads that contact's events after N from the log (the
 * events are indexed by contact), then turns live on the loop once it has
 * every durable one, as the staff stream does: no gap, no duplicate.
 *
 * Cost: a committed event of a followed contact costs a pass over the
 * visitors' streams; a catch-up reads one contact's events.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/libre.h"

#include "model/utctime.h"
#include "server/contacts.h"
#include "server/messages.h"
#include "server/srv.h"
#include "server/stream.h"
#include "server/visitor_int.h"
#include "server/wsconn.h"

#define STREAM_QUEUE (1u << 20) /* bytes a visitor's socket may hold */
#define STREAMS_MAX  4		/* streams of one token at once */

/* A visitor's WebSocket: one conversation. */
struct vstream {
	struct le le;
	struct visitors *v;
	struct wsconn *wc;
	char contact[40], hash[65];
	bool subscribed, live, closed;
	int64_t last_seq; /* the last event sent or passed over */
	int64_t pos, ewt; /* the last place in line sent (-2: none yet) */
};

static void vstream_close(struct vstream *vs)
{
	if (vs->closed)
		return;
	vs->closed = true;
	list_unlink(&vs->le);
	vs->wc = mem_deref(vs->wc);
	mem_deref(vs); /* the list's reference */
}

static void vstream_send(struct vstream *vs, const char *text)
{
	if (vs->closed)
		return;
	if (wsconn_queued(vs->wc) + strlen(text) > STREAM_QUEUE) {
		/* the visitor resumes after the last it was given */
		wsconn_close(vs->wc, 1008, "send queue overflow");
		vstream_close(vs);
		return;
	}
	(void)wsconn_send(vs->wc, text, strlen(text));
}

static void vstream_json(struct vstream *vs, json_t *msg)
{
	char *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;

	if (text)
		vstream_send(vs, text);
	free(text);
	json_decref(msg);
}

static void vstream_error(struct vstream *vs, const char *code, const char *msg)
{
	vstream_json(vs, json_pack("{s:s,s:{s:s,s:s}}", "type", "error",
				   "error", "code", code, "message", msg));
}

/* The data a visitor sees of an event of its contact, or NULL: not its. */
static json_t *visitor_data(struct srv *s, const char *type, const json_t *data)
{
	const char *contact = jv_str(data, "contact");

	if (!strcmp(type, "contact.message"))
		return messages_view(s, contact, jv_str(data, "message"), true);
	if (!strcmp(type, "contact.message_status"))
		return json_pack("{s:s,s:O,s:O,s:O?}", "contact", contact,
				 "message", json_object_get(data, "message"),
				 "status", json_object_get(data, "status"),
				 "reason", json_object_get(data, "reason"));
	if (!strcmp(type, "contact.accepted"))
		return json_pack("{s:s,s:s?}", "contact", contact, "agent_name",
				 visitor_agent_name(s, jv_str(data, "agent")));
	if (!strcmp(type, "contact.ended") ||
	    !strcmp(type, "contact.completed") ||
	    !strcmp(type, "contact.abandoned") ||
	    !strcmp(type, "contact.closed") || !strcmp(type, "contact.queued"))
		return json_pack("{s:s,s:O?}", "contact", contact, "state",
				 json_object_get(data, "state"));
	return NULL;
}

/* The stream's message for an event, or NULL. malloc'd. */
static char *visitor_text(struct srv *s, int64_t seq, int64_t time_ms,
			  const char *type, const json_t *data)
{
	json_t *d = visitor_data(s, type, data), *m;
	char at[UTCTIME_SIZE], *text;

	if (!d)
		return NULL;
	m = json_pack("{s:s,s:I,s:s,s:s,s:o}", "type", "event", "seq",
		      (json_int_t)seq, "time",
		      utctime_format(time_ms, at, sizeof(at)), "event", type,
		      "data", d);
	text = m ? json_dumps(m, JSON_COMPACT) : NULL;
	json_decref(m);
	return text;
}

/* The place in line, when it changed since it was last sent. */
static void send_position(struct vstream *vs)
{
	struct srv *s = vs->v->srv;
	struct crec *c = contacts_find(s, vs->contact);
	json_t *live;
	int64_t pos, ewt;

	if (!c || c->done || !vs->live)
		return;
	live = contacts_live_view(s, c);
	pos = jv_int(live, "position", 0);
	ewt = jv_int(live, "ewt_s", -1);
	json_decref(live);
	if (pos == vs->pos && ewt == vs->ewt)
		return;
	vs->pos = pos;
	vs->ewt = ewt;
	vstream_json(vs, json_pack("{s:s,s:s,s:{s:s,s:I,s:o}}", "type",
				   "signal", "event", "contact.position",
				   "data", "contact", vs->contact, "position",
				   (json_int_t)pos, "ewt_s",
				   ewt < 0 ? json_null() : json_integer(ewt)));
}

/* A catch-up: the contact's events after last_seq, read on the store. */
struct vread {
	struct vstream *vs; /* a reference */
	char contact[40];
	int64_t after, until;
	json_t *rows; /* [[seq, time, type, data]...] */
	int err;
};

static int vread_row(const struct store_event *ev, void *arg)
{
	struct vread *q = arg;
	json_t *row = json_pack("[I,I,s,s]", (json_int_t)ev->seq,
				(json_int_t)ev->time_ms, ev->type, ev->data);

	return row && !json_array_append_new(q->rows, row) ? 0 : ENOMEM;
}

static void vread_run(void *store, void *arg)
{
	struct store *st = store;
	struct vread *q = arg;
	struct store_event_query sq = {.after_seq = q->after,
				       .until_seq = q->until,
				       .contact = q->contact};

	q->err = st->ops->events(st, &sq, vread_row, q);
}

static void catch_up(struct vstream *vs);

static void vread_done(void *arg)
{
	struct vread *q = arg;
	struct vstream *vs = q->vs;
	struct srv *s = vs->v->srv;
	json_t *row;
	size_t i;

	if (q->err && !vs->closed) {
		vstream_error(vs, "internal", "the catch-up read failed");
		wsconn_close(vs->wc, 1011, "catch-up failed");
		vstream_close(vs);
	}
	json_array_foreach(q->rows, i, row)
	{
		json_t *data;
		char *text;

		if (vs->closed || q->err)
			break;
		data = json_loads(json_string_value(json_array_get(row, 3)), 0,
				  NULL);
		text = data ? visitor_text(
				      s,
				      json_integer_value(
					      json_array_get(row, 0)),
				      json_integer_value(
					      json_array_get(row, 1)),
				      json_string_value(json_array_get(row, 2)),
				      data)
			    : NULL;
		if (text)
			vstream_send(vs, text);
		free(text);
		json_decref(data);
	}
	if (!vs->closed && !q->err) {
		vs->last_seq = q->until;
		catch_up(vs);
	}
	json_decref(q->rows);
	mem_deref(vs);
	free(q);
}

/* Reads what is durable after last_seq, or turns live when nothing is. */
static void catch_up(struct vstream *vs)
{
	struct srv *s = vs->v->srv;
	struct vread *q;

	if (vs->last_seq >= s->durable_seq) {
		vs->live = true; /* on the loop: the next events are live */
		send_position(vs);
		return;
	}
	q = calloc(1, sizeof(*q));
	if (q)
		q->rows = json_array();
	if (!q || !q->rows) {
		free(q);
		vstream_error(vs, "internal", "out of memory");
		return;
	}
	q->vs = mem_ref(vs);
	snprintf(q->contact, sizeof(q->contact), "%s", vs->contact);
	q->after = vs->last_seq;
	q->until = s->durable_seq;
	if (srv_query(s, vread_run, vread_done, q)) {
		json_decref(q->rows);
		mem_deref(vs);
		free(q);
		vstream_error(vs, "internal", "the catch-up cannot start");
	}
}

/* {"subscribe": [...], "after": N}: the topics are the conversation's. */
static void on_subscribe(struct vstream *vs, const json_t *req)
{
	struct srv *s = vs->v->srv;
	const json_t *after = json_object_get(req, "after");
	char topic[64];

	if (vs->subscribed) {
		vstream_error(vs, "conflict", "already subscribed");
		return;
	}
	if (after &&
	    (!json_is_integer(after) || json_integer_value(after) < 0 ||
	     json_integer_value(after) > s->durable_seq)) {
		vstream_error(vs, "invalid_field",
			      "after: expected a sequence number from 0 to "
			      "the last");
		return;
	}
	vs->subscribed = true;
	snprintf(topic, sizeof(topic), "contact:%s", vs->contact);
	vstream_json(vs, json_pack("{s:s,s:[s],s:I}", "type", "subscribed",
				   "topics", topic, "last",
				   (json_int_t)s->durable_seq));
	vs->last_seq = after ? json_integer_value(after) : s->durable_seq;
	catch_up(vs);
}

static void vs_recv(const char *text, size_t len, void *arg)
{
	struct vstream *vs = arg;
	char err[256];
	json_t *req = jv_parse(text, len, err, sizeof(err));

	if (!req)
		vstream_error(vs, "invalid_json", err);
	else if (json_object_get(req, "subscribe"))
		on_subscribe(vs, req);
	else
		vstream_error(vs, "bad_request",
			      "send {\"subscribe\":[],\"after\":SEQ}");
	json_decref(req);
}

static void vs_close(int err, void *arg)
{
	(void)err;
	vstream_close(arg);
}

static void vstream_destructor(void *arg)
{
	struct vstream *vs = arg;

	mem_deref(vs->wc);
}

static size_t token_streams(struct visitors *v, const char *hash)
{
	size_t n = 0;

	for (struct le *le = list_head(&v->streams); le; le = le->next)
		n += !strcmp(((struct vstream *)le->data)->hash, hash);
	return n;
}

/* GET /api/v1/stream?visitor=TOKEN (the stream module hands it over). */
static void stream_open(struct hreq *r)
{
	struct visitors *v = visitor_state(r->srv);
	char tok[128], hash[65];
	struct vstream *vs;
	json_t *row;

	row = web_query(r, "visitor", tok, sizeof(tok))
		      ? visitor_token_row(v, tok, hash)
		      : NULL;
	if (!row) {
		web_error(r, 401, "unauthorized",
			  "a visitor token is required (unknown or "
			  "expired)");
		return;
	}
	if (!visitor_admit_token(r, hash))
		return;
	if (token_streams(v, hash) >= STREAMS_MAX) {
		visitor_too_many(r, 1000);
		return;
	}
	vs = mem_zalloc(sizeof(*vs), vstream_destructor);
	if (!vs) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	vs->v = v;
	vs->pos = vs->ewt = -2;
	snprintf(vs->contact, sizeof(vs->contact), "%s",
		 jv_str(row, "contact"));
	snprintf(vs->hash, sizeof(vs->hash), "%s", hash);
	if (wsconn_accept(&vs->wc, r->conn, r->msg, WEB_BODY_MAX, vs_recv,
			  vs_close, vs)) {
		mem_deref(vs);
		web_error(r, 400, "bad_request", "not a WebSocket upgrade");
		return;
	}
	list_append(&v->streams, &vs->le, vs);
	web_drop(r);
}

/* The agent's typing, to the visitor of that conversation. */
static void stream_signal_of(struct srv *s, const json_t *msg)
{
	struct visitors *v = visitor_state(s);
	const json_t *data = json_object_get(msg, "data");
	const char *contact = jv_str(data, "contact"),
		   *author = jv_str(data, "author");
	char *text = NULL;
	struct le *le;

	if (!v || !contact || !author || strcmp(author, "agent") ||
	    strcmp(jv_str(msg, "event"), "contact.typing"))
		return;
	for (le = list_head(&v->streams); le;) {
		struct vstream *vs = le->data;

		le = le->next; /* vs may close */
		if (!vs->live || strcmp(vs->contact, contact))
			continue;
		if (!text) {
			json_t *m = json_pack(
				"{s:s,s:s,s:O,s:{s:s,s:s}}", "type", "signal",
				"event", "contact.typing", "time",
				json_object_get(msg, "time"), "data", "contact",
				contact, "author", "agent");

			text = m ? json_dumps(m, JSON_COMPACT) : NULL;
			json_decref(m);
			if (!text)
				return;
		}
		vstream_send(vs, text);
	}
	free(text);
}

const struct stream_visitors visitor_stream_hooks = {
	.open = stream_open,
	.signal = stream_signal_of,
};

void visitor_streams_publish(struct srv *s, struct visitors *v,
			     const struct pub *pubs, size_t n)
{
	if (list_isempty(&v->streams))
		return;
	for (size_t i = 0; i < n; i++) {
		const char *contact = jv_str(pubs[i].data, "contact");
		char *text = NULL;
		struct le *le;

		if (!contact || !json_object_get(v->by_contact, contact))
			continue;
		for (le = list_head(&v->streams); le;) {
			struct vstream *vs = le->data;

			le = le->next;
			if (!vs->live || pubs[i].seq <= vs->last_seq ||
			    strcmp(vs->contact, contact))
				continue;
			if (!text)
				text = visitor_text(s, pubs[i].seq,
						    pubs[i].time_ms,
						    pubs[i].type, pubs[i].data);
			if (text)
				vstream_send(vs, text);
			vs->last_seq = pubs[i].seq;
		}
		free(text);
	}
}

void visitor_streams_tick(struct visitors *v)
{
	for (struct le *le = list_head(&v->streams); le;) {
		struct vstream *vs = le->data;

		le = le->next;
		send_position(vs);
	}
}

void visitor_streams_end(struct visitors *v, const char *hash, uint16_t code,
			 const char *why)
{
	for (struct le *le = list_head(&v->streams); le;) {
		struct vstream *vs = le->data;

		le = le->next;
		if (!hash || !strcmp(vs->hash, hash)) {
			wsconn_close(vs->wc, code, why);
			vstream_close(vs);
		}
	}
}
