/*
 * The live stream: WebSocket clients subscribe to topics (agent:ID,
 * queue:ID, tenant:ID, stats) and receive each committed event of their
 * topics with its sequence, and the realtime statistics once a second.
 *
 * Resuming: a client that says {"after": N} first gets the events after N
 * from the store, up to the last durable sequence at that moment, while
 * live events are held back; then the held ones follow. So there is no
 * gap and no duplicate.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "server/libre.h"

#include "server/log.h"
#include "server/query.h"
#include "server/srv.h"
#include "server/wsconn.h"

struct stream {
	struct stream *next, *prev;
	struct srv *srv;
	struct wsconn *wc;
	char user[40];
	json_t *topics; /* set: topic -> true */
	bool stats;
	bool catching_up;
	int64_t last_seq; /* last sequence sent */
	json_t *held;	  /* live events held during a catch-up */
};

static void send_text(struct stream *st, const char *text)
{
	if (!wsconn_send(st->wc, text, strlen(text)))
		st->srv->ws_sent++;
}

static void stream_send(struct stream *st, const json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(15));

	if (!text)
		return;
	send_text(st, text);
	free(text);
}

static void send_error(struct stream *st, const char *code, const char *msg)
{
	json_t *m = json_pack("{s:s,s:{s:s,s:s}}", "type", "error", "error",
			      "code", code, "message", msg);

	stream_send(st, m);
	json_decref(m);
}

static void stream_unlink(struct stream *st)
{
	struct srv *s = st->srv;

	if (st->prev)
		st->prev->next = st->next;
	else if (s->streams == st)
		s->streams = st->next;
	if (st->next)
		st->next->prev = st->prev;
	st->next = st->prev = NULL;
}

static void stream_free(struct stream *st)
{
	stream_unlink(st);
	json_decref(st->topics);
	json_decref(st->held);
	mem_deref(st->wc);
	free(st);
}

static struct user *stream_user(struct stream *st)
{
	return auth_user_find(st->srv, st->user);
}

/* Whether user u may follow topic t. */
static bool topic_allowed(struct srv *s, const struct user *u, const char *t)
{
	struct obj *o;

	if (!strcmp(t, "stats")) /* as GET /api/v1/stats/realtime */
		return u->role != ROLE_INTEGRATION;
	if (u->role == ROLE_CLIENT)
		return false;
	if (!strncmp(t, "tenant:", 7))
		return u->role != ROLE_AGENT && auth_sees_tenant(s, u, t + 7);
	if (!strncmp(t, "queue:", 6)) {
		o = obj_find(s, K_QUEUES, t + 6);
		return o && u->role != ROLE_AGENT &&
		       auth_sees_tenant(s, u, jv_str(o->body, "tenant"));
	}
	if (!strncmp(t, "agent:", 6)) {
		o = obj_find(s, K_AGENTS, t + 6);
		if (!o)
			return false;
		if (u->role == ROLE_AGENT)
			return !strcmp(u->agent, o->id);
		return u->role == ROLE_ADMIN || o->kind->visible(s, u, o->body);
	}
	return false;
}

static bool matches(struct stream *st, const char *tenant, const json_t *data)
{
	struct user *u;
	char t[80];
	const char *v;

	/* A topic never opens another tenant's events (an agent serving
	 * two tenants, followed by a supervisor of one of them). */
	if (tenant &&
	    (!(u = stream_user(st)) || !auth_sees_tenant(st->srv, u, tenant)))
		return false;
	if (tenant) {
		snprintf(t, sizeof(t), "tenant:%s", tenant);
		if (json_object_get(st->topics, t))
			return true;
	}
	if ((v = jv_str(data, "queue"))) {
		snprintf(t, sizeof(t), "queue:%s", v);
		if (json_object_get(st->topics, t))
			return true;
	}
	if ((v = jv_str(data, "agent"))) {
		snprintf(t, sizeof(t), "agent:%s", v);
		if (json_object_get(st->topics, t))
			return true;
	}
	return false;
}

static json_t *event_msg(int64_t seq, int64_t time_ms, const char *tenant,
			 const char *type, const json_t *data)
{
	char t[32];

	return json_pack("{s:s,s:I,s:s,s:s?,s:s,s:O}", "type", "event", "seq",
			 (json_int_t)seq, "time",
			 web_time(time_ms, t, sizeof(t)), "tenant", tenant,
			 "event", type, "data", data);
}

/* text: msg serialized, or NULL to serialize it here. */
static void deliver(struct stream *st, int64_t seq, const json_t *msg,
		    const char *text)
{
	if (seq <= st->last_seq)
		return; /* already sent */
	if (st->catching_up) {
		json_array_append((json_t *)st->held, (json_t *)msg);
		return;
	}
	if (text)
		send_text(st, text);
	else
		stream_send(st, msg);
	st->last_seq = seq;
}

/* The events of one subscriber in one write. */
static void publish_to(struct stream *st, const struct pub *pubs, size_t n,
		       json_t **msgs, char **texts)
{
	struct mbuf *mb = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct pub *p = &pubs[i];

		if (p->seq <= st->last_seq || !matches(st, p->tenant, p->data))
			continue;
		if (!msgs[i]) {
			msgs[i] = event_msg(p->seq, p->time_ms, p->tenant,
					    p->type, p->data);
			texts[i] = json_dumps(msgs[i],
					      JSON_COMPACT |
						      JSON_REAL_PRECISION(15));
		}
		if (st->catching_up) {
			json_array_append(st->held, msgs[i]);
			continue;
		}
		if (!texts[i] || (!mb && !(mb = mbuf_alloc(1024))) ||
		    wsconn_frame(mb, texts[i], strlen(texts[i])))
			continue;
		st->last_seq = p->seq;
		st->srv->ws_sent++;
	}
	if (mb)
		(void)wsconn_send_frames(st->wc, mb);
	mem_deref(mb);
}

/*
 * The events of a commit to their subscribers: each event serialized
 * once, each subscriber's share sent in one write.
 */
void stream_publish(struct srv *s, const struct pub *pubs, size_t n)
{
	json_t **msgs;
	char **texts;

	if (!s->streams || !n)
		return;
	msgs = calloc(n, sizeof(*msgs));
	texts = calloc(n, sizeof(*texts));
	if (msgs && texts)
		for (struct stream *st = s->streams; st; st = st->next)
			publish_to(st, pubs, n, msgs, texts);
	for (size_t i = 0; msgs && texts && i < n; i++) {
		json_decref(msgs[i]);
		free(texts[i]);
	}
	free(msgs);
	free(texts);
}

/* ---- catching up from the store ---- */

struct catchup {
	struct srv *srv;
	struct stream *st;
	int64_t after, until;
	json_t *events;
	int err;
};

static int catchup_event(const struct store_event *ev, void *arg)
{
	struct catchup *c = arg;
	json_t *d = json_loads(ev->data, 0, NULL);

	json_array_append_new(
		c->events,
		json_pack("{s:I,s:I,s:s?,s:s,s:o}", "seq", (json_int_t)ev->seq,
			  "time", (json_int_t)ev->time_ms, "tenant", ev->tenant,
			  "type", ev->type, "data", d ? d : json_object()));
	return 0;
}

static void catchup_run(void *store, void *arg)
{
	struct store *sto = store;
	struct catchup *c = arg;
	struct store_event_query q = {0};

	q.after_seq = c->after;
	q.until_seq = c->until;
	q.limit = 100000;
	c->err = sto->ops->events(sto, &q, catchup_event, c);
}

static bool stream_alive(struct srv *s, const struct stream *st)
{
	for (struct stream *x = s->streams; x; x = x->next)
		if (x == st)
			return true;
	return false;
}

static void catchup_done(void *arg)
{
	struct catchup *c = arg;
	struct stream *st = c->st;
	json_t *e, *held;
	size_t i;

	if (!stream_alive(c->srv, st))
		goto out;
	json_array_foreach(c->events, i, e)
	{
		json_t *m;

		if (!matches(st, jv_str(e, "tenant"),
			     json_object_get(e, "data")))
			continue;
		m = event_msg(jv_int(e, "seq", 0), jv_int(e, "time", 0),
			      jv_str(e, "tenant"), jv_str(e, "type"),
			      json_object_get(e, "data"));
		if (jv_int(e, "seq", 0) > st->last_seq) {
			stream_send(st, m);
			st->last_seq = jv_int(e, "seq", 0);
		}
		json_decref(m);
	}
	if (st->last_seq < c->until)
		st->last_seq = c->until;
	st->catching_up = false;
	held = st->held;
	st->held = json_array();
	json_array_foreach(held, i, e)
		deliver(st, jv_int(e, "seq", 0), e, NULL);
	json_decref(held);
	if (c->err)
		send_error(st, "internal", "the catch-up read failed");
out:
	json_decref(c->events);
	free(c);
}

static void catch_up(struct stream *st, int64_t after)
{
	struct srv *s = st->srv;
	struct catchup *c = calloc(1, sizeof(*c));

	if (!c) {
		send_error(st, "internal", "out of memory");
		return;
	}
	c->srv = s;
	c->st = st;
	c->after = after;
	c->until = s->durable_seq;
	c->events = json_array();
	st->catching_up = true;
	st->last_seq = after;
	if (srv_query(s, catchup_run, catchup_done, c)) {
		st->catching_up = false;
		json_decref(c->events);
		free(c);
		send_error(st, "internal", "out of memory");
	}
}

/* ---- the protocol ---- */

static void on_subscribe(struct stream *st, const json_t *req)
{
	struct srv *s = st->srv;
	struct user *u = stream_user(st);
	json_t *topics = json_object_get(req, "subscribe"), *v, *after, *ack;
	size_t i;

	if (!u) {
		send_error(st, "unauthorized", "the session has ended");
		return;
	}
	if (!json_is_array(topics) || json_array_size(topics) > 1000) {
		send_error(st, "invalid_field",
			   "subscribe: expected an array of topics");
		return;
	}
	json_array_foreach(topics, i, v)
	{
		const char *t = json_string_value(v);

		if (!t || !topic_allowed(s, u, t)) {
			char msg[160];

			snprintf(msg, sizeof(msg),
				 "subscribe[%zu]: not a topic you may follow",
				 i);
			send_error(st, "forbidden", msg);
			return;
		}
	}
	after = json_object_get(req, "after");
	if (after &&
	    (!json_is_integer(after) || json_integer_value(after) < 0)) {
		send_error(st, "invalid_field",
			   "after: expected a sequence number >= 0");
		return;
	}
	json_array_foreach(topics, i, v)
	{
		if (!strcmp(json_string_value(v), "stats"))
			st->stats = true;
		else
			json_object_set_new(st->topics, json_string_value(v),
					    json_true());
	}
	ack = json_pack("{s:s,s:O,s:I}", "type", "subscribed", "topics", topics,
			"last", (json_int_t)s->durable_seq);
	stream_send(st, ack);
	json_decref(ack);
	if (after && json_integer_value(after) < s->durable_seq)
		catch_up(st, json_integer_value(after));
	else if (!st->catching_up && st->last_seq < s->durable_seq)
		st->last_seq =
			after ? json_integer_value(after) : s->durable_seq;
}

static void ws_recv(const char *text, size_t len, void *arg)
{
	struct stream *st = arg;
	json_error_t e;
	json_t *req;

	req = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!req || !json_is_object(req)) {
		send_error(st, "invalid_json",
			   req ? "expected an object" : e.text);
		json_decref(req);
		return;
	}
	if (json_object_get(req, "subscribe"))
		on_subscribe(st, req);
	else
		send_error(st, "bad_request",
			   "send {\"subscribe\":[topics],\"after\":SEQ}");
	json_decref(req);
}

static void ws_close(int err, void *arg)
{
	(void)err;
	stream_free(arg);
}

/*
 * ?token=, or the Authorization header, or the cookie. NULL: the 401 was
 * sent.
 */
static struct user *stream_auth(struct hreq *r, bool *cookie)
{
	char tok[128];
	struct user *u;

	*cookie = false;
	if (web_query(r, "token", tok, sizeof(tok))) {
		u = auth_token_user(r->srv, tok);
		if (!u)
			web_error(r, 401, "unauthorized",
				  "the token is unknown or expired");
		return u;
	}
	if (!auth_request(r))
		return NULL;
	*cookie = r->cookie;
	return r->user;
}

/* A cookie must come from a page of this server (no cross-site socket). */
static bool same_origin(const struct hreq *r)
{
	const struct http_hdr *o = http_msg_xhdr(r->msg, "Origin");
	const struct http_hdr *h = http_msg_hdr(r->msg, HTTP_HDR_HOST);
	const char *p;

	if (!o)
		return true;
	if (!h)
		return false;
	p = memchr(o->val.p, '/', o->val.l);
	if (!p || (size_t)(p - o->val.p) + 2 > o->val.l)
		return false;
	p += 2;
	return (size_t)(o->val.p + o->val.l - p) == h->val.l &&
	       !memcmp(p, h->val.p, h->val.l);
}

void api_stream(struct hreq *r)
{
	struct srv *s = r->srv;
	struct stream *st;
	struct user *u;
	bool cookie;
	int err;

	u = stream_auth(r, &cookie);
	if (!u)
		return;
	if (cookie && !same_origin(r)) {
		web_error(r, 403, "forbidden", "cross-site stream refused");
		return;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	st->srv = s;
	st->topics = json_object();
	st->held = json_array();
	st->last_seq = s->durable_seq;
	snprintf(st->user, sizeof(st->user), "%s", u->id);
	err = wsconn_accept(&st->wc, r->conn, r->msg, WEB_BODY_MAX, ws_recv,
			    ws_close, st);
	if (err) {
		json_decref(st->topics);
		json_decref(st->held);
		free(st);
		web_error(r, 400, "bad_request", "not a WebSocket upgrade");
		return;
	}
	st->next = s->streams;
	if (s->streams)
		s->streams->prev = st;
	s->streams = st;
	web_drop(r);
}

void stream_tick(struct srv *s)
{
	for (struct stream *st = s->streams; st; st = st->next) {
		const char *text;
		struct user *u;

		if (!st->stats || !(u = stream_user(st)))
			continue;
		text = stats_realtime_text(s, u, NULL);
		if (text) {
			char *m = NULL;

			if (re_sdprintf(&m, "{\"type\":\"stats\",\"data\":%s}",
					text))
				continue;
			send_text(st, m);
			mem_deref(m);
		}
	}
}

void stream_close_all(struct srv *s)
{
	while (s->streams) {
		struct stream *st = s->streams;

		wsconn_close(st->wc, 1001, "server stopping");
		stream_free(st);
	}
}

size_t stream_count(const struct srv *s)
{
	size_t n = 0;

	for (const struct stream *st = s->streams; st; st = st->next)
		n++;
	return n;
}
