/*
 * The live stream: WebSocket clients subscribe to topics (agent:ID,
 * queue:ID, tenant:ID, stats) and receive each committed event of their
 * topics with its sequence, and the realtime statistics once a second.
 *
 * The promise is "no gap, no duplicate", and never a silent loss:
 *
 * - Resuming. A client that says {"after": N} is caught up from the event
 *   log page by page, on the catch-up reader: a thread with its own
 *   read-only SQLite connection, so a catch-up never delays a commit
 *   (WAL). While a stream catches up, live publishes skip it. Each page is
 *   read after the last sequence the stream was given; the next page is
 *   read once the socket has drained below a low-water mark; when a page
 *   brings the stream to the last durable sequence (checked on the loop,
 *   where durable_seq moves, so nothing slips between) it turns live.
 *   Memory per subscriber: one page and its send queue.
 * - Slow readers. A subscriber's send queue is bounded (queue_max bytes).
 *   A live subscriber whose queue would pass it gets
 *   {"type":"overflow","last":SEQ} and a close; it resumes with
 *   after=SEQ. A catching-up subscriber is simply not given more until it
 *   reads.
 * - At most per_user catch-ups of one user read at a time; the others
 *   wait their turn in subscription order (queued, not refused: a client
 *   sees a slower catch-up, never an error it must retry).
 *
 * Every WebSocket call is in the transport section below (ws_*), so that
 * the WebSocket layer can change under the stream. Reading the log is
 * catchup.c's; this file matches and sends.
 *
 * The stream is a server module (stream_module): its route, and hooks for
 * committed events (publish), the second's tick, the stop and the close.
 * A stream is a libre object: the hub's list holds one reference, a
 * catch-up page at the reader another, so a page that comes back finds its
 * stream (closed or not) without looking for it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include "server/libre.h"

#include "model/event.h"
#include "server/auth.h"
#include "server/catchup.h"
#include "server/log.h"
#include "server/module.h"
#include "server/objects.h"
#include "server/srv.h"
#include "server/stats.h"
#include "server/presence.h"
#include "server/stream.h"
#include "server/wsconn.h"

enum {
	QUEUE_MAX_DEFAULT = 1 << 20, /* bytes queued per subscriber */
	PAGE_DEFAULT = 1000,	     /* events per catch-up page */
	PER_USER_DEFAULT = 2,	     /* catch-ups reading at once per user */
	BATCH_BYTES = 64 * 1024,     /* catch-up events per write */
	BATCH_EVENTS = 64,
	POLL_MS = 5,	 /* a catching-up stream waits for its socket */
	TRIM_AFTER = 64, /* streams closed before memory is trimmed */
	CLOSE_GOING_AWAY = 1001,
	CLOSE_POLICY = 1008, /* overflow: the client must resume */
	CLOSE_INTERNAL = 1011,
	STOP_GRACE_MS = 300, /* for the close handshakes, when stopping */
};

enum catchup_state {
	CU_LIVE,    /* gets live publishes */
	CU_WAITING, /* its user has per_user catch-ups reading */
	CU_READING, /* a page is being read or delivered */
};

/* The stream module's state: its settings, its streams, its reader. */
struct stream_hub {
	struct srv *srv;
	struct list streams;	/* in subscription order */
	struct catchup *reader; /* the catch-up reader */
	size_t queue_max, low_water, page_events;
	uint32_t linger_ms; /* a closed stream's time to take its last bytes */
	size_t per_user;
	unsigned closed, closed_seen; /* streams closed since the last trim */
	bool closing;		      /* the server stops: no new catch-up */
	struct presence *presence;    /* agents whose desktop went away */
	uint64_t sent;		      /* messages pushed, for /metrics */
	const struct stream_visitors *visitors; /* or NULL */
};

struct stream {
	struct le le; /* in the hub's streams */
	struct stream_hub *hub;
	struct srv *srv;
	struct wsconn *wc;
	struct tmr tmr; /* the catch-up's wait for the socket, or the end */
	char user[40];
	char sess[72];	/* the session it was opened with: it ends with it */
	json_t *topics; /* set: topic -> true */
	bool stats;
	bool ended;  /* closing: sends nothing more */
	bool closed; /* out of the hub's list */
	enum catchup_state cu;
	struct catchup_page *page; /* CU_READING: the page being delivered */
	int64_t last_seq;	   /* last sequence sent or passed over */
};

static void stream_close(struct stream *st);

/* ---- settings ---- */

/* A positive number from the environment within [min, max], or def. */
static size_t env_size(const char *name, size_t def, size_t min, size_t max)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return def;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || n < min || n > max) {
		log_warn("stream",
			 "msg=\"ignored: expected %zu to %zu\" var=%s "
			 "value=\"%s\"",
			 min, max, name, v);
		return def;
	}
	return (size_t)n;
}

/* The settings, from the environment; the reader is made on first use. */
static int hub_init(struct srv *s, void **state)
{
	struct stream_hub *h = mem_zalloc(sizeof(*h), NULL);

	if (!h)
		return ENOMEM;
	h->srv = s;
	list_init(&h->streams);
	h->queue_max = env_size("RELAIS_STREAM_QUEUE_MAX", QUEUE_MAX_DEFAULT,
				4096, (size_t)1 << 30);
	h->low_water = h->queue_max / 4;
	h->page_events =
		env_size("RELAIS_CATCHUP_PAGE", PAGE_DEFAULT, 1, 100000);
	h->per_user =
		env_size("RELAIS_CATCHUP_PER_USER", PER_USER_DEFAULT, 1, 1000);
	h->linger_ms = (uint32_t)env_size("RELAIS_STREAM_LINGER_MS", 2000, 100,
					  600000);
	*state = h;
	return presence_new(&h->presence, s);
}

/* ---- the transport: every WebSocket call of the stream ---- */

/*
 * Sends n text frames in one write. Never drops part of it: the stream
 * bounds its queue itself before sending (wsconn lifts the socket's own
 * limit). 0 or an errno value.
 */
static int ws_send_texts(struct stream *st, const char *const *texts, size_t n)
{
	struct mbuf *mb;
	size_t len = 0;
	int err = 0;

	for (size_t i = 0; i < n; i++)
		len += strlen(texts[i]) + 10;
	mb = mbuf_alloc(len ? len : 1);
	if (!mb)
		return ENOMEM;
	for (size_t i = 0; i < n && !err; i++)
		err = wsconn_frame(mb, texts[i], strlen(texts[i]));
	if (!err)
		err = wsconn_send_frames(st->wc, mb);
	mem_deref(mb);
	if (!err)
		st->hub->sent += n;
	return err;
}

/* Bytes written to the stream and not yet taken by the kernel. */
static size_t ws_queued(const struct stream *st)
{
	return wsconn_queued(st->wc);
}

/* Starts the closing handshake; the connection ends on its own. */
static void ws_end(struct stream *st, int code, const char *reason)
{
	wsconn_close(st->wc, (uint16_t)code, reason);
}

/* ---- messages ---- */

static int send_text(struct stream *st, const char *text)
{
	return ws_send_texts(st, &text, 1);
}

static void stream_send(struct stream *st, const json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(15));

	if (!text)
		return;
	(void)send_text(st, text);
	free(text);
}

static void send_error(struct stream *st, const char *code, const char *msg)
{
	json_t *m = json_pack("{s:s,s:{s:s,s:s}}", "type", "error", "error",
			      "code", code, "message", msg);

	stream_send(st, m);
	json_decref(m);
}

static void stream_reap(void *arg)
{
	stream_close(arg);
}

/* Sends a last message, then closes; the stream is freed from the loop. */
static void stream_end(struct stream *st, const json_t *last_msg, int code,
		       const char *reason)
{
	if (st->ended)
		return;
	stream_send(st, last_msg);
	st->ended = true;
	ws_end(st, code, reason);
	tmr_start(&st->tmr, 0, stream_reap, st);
}

/*
 * The subscriber did not read fast enough: say so with the last
 * sequence it was given, and close. It resumes with after=last.
 */
static void stream_overflow(struct stream *st)
{
	struct stream_hub *h = st->hub;
	char msg[200];
	json_t *m;

	snprintf(msg, sizeof(msg),
		 "the stream's send queue passed %zu bytes; resume with "
		 "after=%" PRId64,
		 h->queue_max, st->last_seq);
	m = json_pack("{s:s,s:I,s:s}", "type", "overflow", "last",
		      (json_int_t)st->last_seq, "message", msg);
	stream_end(st, m, CLOSE_POLICY, "send queue overflow");
	json_decref(m);
}

/* An error that ends the stream, with the last sequence given. */
static void stream_fail(struct stream *st, const char *code, const char *msg)
{
	json_t *m = json_pack("{s:s,s:{s:s,s:s},s:I}", "type", "error", "error",
			      "code", code, "message", msg, "last",
			      (json_int_t)st->last_seq);

	stream_end(st, m, CLOSE_INTERNAL, msg);
	json_decref(m);
}

/* ---- subscribers ---- */

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

static bool has_topic(struct stream *st, const char *prefix, const char *id)
{
	char t[80];

	snprintf(t, sizeof(t), "%s:%s", prefix, id);
	return json_object_get(st->topics, t) != NULL;
}

/* Whether an event of tenant, queue and agent (each may be NULL) is for st. */
static bool matches(struct stream *st, const char *tenant, const char *queue,
		    const char *agent)
{
	struct user *u;

	/* A topic never opens another tenant's events (an agent serving
	 * two tenants, followed by a supervisor of one of them). */
	if (tenant &&
	    (!(u = stream_user(st)) || !auth_sees_tenant(st->srv, u, tenant)))
		return false;
	return (tenant && has_topic(st, "tenant", tenant)) ||
	       (queue && has_topic(st, "queue", queue)) ||
	       (agent && has_topic(st, "agent", agent));
}

/* ---- live events ---- */

/* An event of a commit as the live subscribers need it. */
struct live {
	const struct pub *p;
	const char *queue, *agent; /* its topics, from the event codec */
	char *text;		   /* serialized on first use, then shared */
};

/* The events of a commit for one live subscriber, in one write. */
static void publish_to(struct stream *st, struct live *lv, size_t n,
		       const char **sel)
{
	int64_t last = st->last_seq;
	size_t k = 0, len = 0, queued;
	bool failed = false;

	if (st->ended || st->cu != CU_LIVE)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct pub *p = lv[i].p;

		if (p->seq <= st->last_seq ||
		    !matches(st, p->tenant, lv[i].queue, lv[i].agent))
			continue;
		if (!lv[i].text)
			lv[i].text =
				catchup_event_text(p->seq, p->time_ms,
						   p->tenant, p->type, p->text);
		if (!lv[i].text) {
			failed = true; /* out of memory: not a silent gap */
			break;
		}
		sel[k++] = lv[i].text;
		len += strlen(lv[i].text);
		last = p->seq;
	}
	queued = ws_queued(st);
	if (failed || (queued && queued + len > st->hub->queue_max) ||
	    (k && ws_send_texts(st, sel, k))) {
		stream_overflow(st);
		return;
	}
	st->last_seq = last;
}

/* The topics of each event, decoded once for every subscriber. */
static void live_topics(struct live *lv, const struct pub *pubs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct event ev;
		char msg[160];

		lv[i].p = &pubs[i];
		if (event_decode(&ev, pubs[i].type, pubs[i].data, msg,
				 sizeof(msg)))
			continue; /* cannot happen: the codec encoded it */
		lv[i].queue = event_queue(&ev);
		lv[i].agent = event_agent(&ev);
	}
}

/*
 * on_commit: the events of a commit to their subscribers, each event
 * serialized once, each subscriber's share sent in one write.
 */
static void stream_publish(struct srv *s, void *state, const struct pub *pubs,
			   size_t n)
{
	struct stream_hub *h = state;
	struct live *lv;
	const char **sel;
	struct le *le;

	(void)s;
	if (list_isempty(&h->streams) || !n)
		return;
	lv = calloc(n, sizeof(*lv));
	sel = calloc(n, sizeof(*sel));
	if (lv && sel)
		live_topics(lv, pubs, n);
	LIST_FOREACH(&h->streams, le)
	{
		struct stream *st = le->data;

		if (lv && sel)
			publish_to(st, lv, n, sel);
		else if (st->cu == CU_LIVE)
			stream_overflow(st);
	}
	for (size_t i = 0; lv && i < n; i++)
		free(lv[i].text);
	free(lv);
	free(sel);
}

/*
 * A signal: what is pushed and never logged (contact.typing). It has no
 * sequence, so it is sent to the live subscribers of its topics only (a
 * stream catching up misses it, as a reconnecting one does: a signal is
 * worth nothing late).
 */
void stream_signal(struct srv *s, const char *tenant, const char *queue,
		   const char *agent, const json_t *msg)
{
	struct stream_hub *h = srv_module_state(s, &stream_module);
	char *text;
	struct le *le;

	if (h && h->visitors)
		h->visitors->signal(s, msg);
	if (!h || list_isempty(&h->streams))
		return;
	text = json_dumps(msg, JSON_COMPACT);
	if (!text)
		return;
	LIST_FOREACH(&h->streams, le)
	{
		struct stream *st = le->data;

		if (st->ended || st->cu != CU_LIVE ||
		    !matches(st, tenant, queue, agent))
			continue;
		if (ws_queued(st) + strlen(text) > h->queue_max) {
			stream_overflow(st);
			continue;
		}
		(void)send_text(st, text);
	}
	free(text);
}

/* ---- catching up from the log (read by catchup.c) ---- */

static void page_done(struct catchup_page *pg);

/* Asks the reader for the page after the stream's last sequence. */
static void page_request(struct stream *st)
{
	struct stream_hub *h = st->hub;
	int err = 0;

	if (!h->reader)
		err = catchup_alloc(&h->reader, h->srv->cfg.data_dir);
	if (!err)
		err = catchup_read(h->reader, st->last_seq, h->srv->durable_seq,
				   h->page_events, st, page_done);
	if (err) {
		stream_fail(st, "internal", "the catch-up cannot start");
		return;
	}
	st->cu = CU_READING;
}

static size_t user_reading(struct stream_hub *h, const char *user)
{
	struct le *le;
	size_t n = 0;

	LIST_FOREACH(&h->streams, le)
	{
		const struct stream *x = le->data;

		n += x->cu == CU_READING && !strcmp(x->user, user);
	}
	return n;
}

/* A catch-up of user ended: the first one waiting, if any, reads. */
static void catchup_next(struct stream_hub *h, const char *user)
{
	struct le *le;

	if (user_reading(h, user) >= h->per_user)
		return;
	LIST_FOREACH(&h->streams, le)
	{
		struct stream *x = le->data;

		if (x->cu == CU_WAITING && !x->ended &&
		    !strcmp(x->user, user)) {
			page_request(x);
			return;
		}
	}
}

static void catchup_poll(void *arg);

/* Whether a batch of the page went out; false: wait or stop. */
static bool send_batch(struct stream *st, struct catchup_page *pg)
{
	const char *sel[BATCH_EVENTS];
	int64_t last = st->last_seq;
	size_t k = 0, len = 0;

	while (pg->pos < pg->n && k < BATCH_EVENTS && len < BATCH_BYTES) {
		const struct catchup_event *e = &pg->ev[pg->pos++];

		if (e->seq > last &&
		    matches(st, e->tenant, e->queue, e->agent)) {
			sel[k++] = e->text;
			len += strlen(e->text);
		}
		if (e->seq > last)
			last = e->seq;
	}
	if (k && ws_send_texts(st, sel, k)) {
		stream_fail(st, "internal", "the catch-up could not be sent");
		return false;
	}
	st->last_seq = last;
	return true;
}

/*
 * Delivers the stream's page as its socket drains, then reads the next
 * one or turns the stream live.
 */
static void catchup_pump(struct stream *st)
{
	struct catchup_page *pg = st->page;
	bool full;

	while (pg->pos < pg->n) {
		if (ws_queued(st) >= st->hub->queue_max) {
			tmr_start(&st->tmr, POLL_MS, catchup_poll, st);
			return;
		}
		if (!send_batch(st, pg))
			return;
	}
	full = pg->n == pg->limit;
	/* a short page read everything committed when it was asked */
	if (!full && st->last_seq < pg->until)
		st->last_seq = pg->until;
	st->page = mem_deref(pg);
	catchup_poll(st);
}

/*
 * Once the socket has drained below the low-water mark: the next page, or
 * live when the stream has every durable event. Turning live with a
 * drained queue leaves a live burst the whole bound before an overflow.
 */
static void catchup_poll(void *arg)
{
	struct stream *st = arg;
	struct srv *s = st->srv;

	if (st->ended)
		return;
	if (st->page) {
		catchup_pump(st);
		return;
	}
	if (ws_queued(st) > st->hub->low_water) {
		tmr_start(&st->tmr, POLL_MS, catchup_poll, st);
		return;
	}
	if (st->last_seq < s->durable_seq) {
		page_request(st);
		return;
	}
	/* on the loop: every later event comes through publish */
	st->cu = CU_LIVE;
	catchup_next(st->hub, st->user);
}

/* The page holds a reference to its stream: alive, closed or not. */
static void page_done(struct catchup_page *pg)
{
	struct stream *st = pg->owner;

	if (st->ended) {
		mem_deref(pg);
		return;
	}
	st->page = pg;
	if (pg->err) {
		stream_fail(st, "internal", "the catch-up read failed");
		return;
	}
	catchup_pump(st);
}

/* Catch-up from after; waits its turn behind the user's other ones. */
static void catch_up(struct stream *st, int64_t after)
{
	st->last_seq = after;
	st->cu = CU_WAITING;
	if (user_reading(st->hub, st->user) < st->hub->per_user)
		page_request(st);
}

/* ---- the protocol ---- */

/* An "after" the stream can serve, or false with the error sent. */
static bool after_valid(struct stream *st, const json_t *after)
{
	struct srv *s = st->srv;
	char msg[160];

	if (!after)
		return true;
	if (!json_is_integer(after) || json_integer_value(after) < 0) {
		send_error(st, "invalid_field",
			   "after: expected a sequence number >= 0");
		return false;
	}
	if (json_integer_value(after) > s->durable_seq) {
		snprintf(msg, sizeof(msg),
			 "after: %" JSON_INTEGER_FORMAT
			 " is beyond the last sequence, %" PRId64,
			 json_integer_value(after), s->durable_seq);
		send_error(st, "invalid_field", msg);
		return false;
	}
	if (st->cu != CU_LIVE) {
		send_error(st, "conflict",
			   "after: this stream is catching up already; "
			   "open another stream");
		return false;
	}
	return true;
}

/* Whether every topic may be followed, or false with the error sent. */
static bool topics_valid(struct stream *st, const struct user *u,
			 const json_t *topics)
{
	const json_t *v;
	size_t i;

	if (!json_is_array(topics) || json_array_size(topics) > 1000) {
		send_error(st, "invalid_field",
			   "subscribe: expected an array of topics");
		return false;
	}
	json_array_foreach(topics, i, v)
	{
		const char *t = json_string_value(v);
		char msg[160];

		if (!t || !topic_allowed(st->srv, u, t)) {
			snprintf(msg, sizeof(msg),
				 "subscribe[%zu]: not a topic you may follow",
				 i);
			send_error(st, "forbidden", msg);
			return false;
		}
	}
	return true;
}

static void on_subscribe(struct stream *st, const json_t *req)
{
	struct srv *s = st->srv;
	struct user *u = stream_user(st);
	json_t *topics = json_object_get(req, "subscribe"), *v, *ack;
	json_t *after = json_object_get(req, "after");
	size_t i;

	if (!u) {
		send_error(st, "unauthorized", "the session has ended");
		return;
	}
	if (!topics_valid(st, u, topics) || !after_valid(st, after))
		return;
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
	else if (after)
		st->last_seq = json_integer_value(after);
	else if (st->cu == CU_LIVE && st->last_seq < s->durable_seq)
		st->last_seq = s->durable_seq;
}

/* A message of the client: the same JSON rules as a request body. */
static void ws_recv(const char *text, size_t len, void *arg)
{
	struct stream *st = arg;
	char err[256];
	json_t *req;

	if (st->ended)
		return;
	req = jv_parse(text, len, err, sizeof(err));
	if (!req) {
		send_error(st, "invalid_json", err);
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
	stream_close(arg);
}

/*
 * Takes the stream out of the hub (once) and drops the hub's reference: a
 * page at the reader keeps the object until it comes back.
 */
/* How many open streams user has. */
static size_t user_streams(struct stream_hub *h, const char *user)
{
	size_t n = 0;

	for (struct le *le = list_head(&h->streams); le; le = le->next)
		n += !strcmp(((struct stream *)le->data)->user, user);
	return n;
}

static void stream_close(struct stream *st)
{
	struct stream_hub *h = st->hub;
	bool reading = st->cu == CU_READING;

	if (st->closed)
		return;
	st->closed = st->ended = true;
	list_unlink(&st->le);
	tmr_cancel(&st->tmr);
	st->page = mem_deref(st->page); /* it holds a reference to st */
	st->wc = mem_deref(st->wc);
	h->closed++;
	if (reading && !h->closing)
		catchup_next(h, st->user);
	if (!h->closing && !user_streams(h, st->user))
		presence_gone(h->presence, st->user);
	mem_deref(st);
}

/*
 * ?token=, or the Authorization header, or the cookie. NULL: the 401 was
 * sent.
 */
static struct user *stream_auth(struct hreq *r, bool *cookie, char sess[72])
{
	char tok[128];
	const char *id;
	struct user *u;

	*cookie = false;
	if (web_query(r, "token", tok, sizeof(tok))) {
		u = auth_token_user(r->srv, tok);
		id = auth_token_session(r->srv, tok);
		if (!u || !id) {
			web_error(r, 401, "unauthorized",
				  "the token is unknown or expired");
			return NULL;
		}
		snprintf(sess, 72, "%s", id);
		return u;
	}
	if (!auth_request(r))
		return NULL;
	*cookie = r->cookie;
	snprintf(sess, 72, "%s", r->sess ? r->sess->id : "");
	return r->user;
}

static void stream_destructor(void *arg)
{
	struct stream *st = arg;

	tmr_cancel(&st->tmr);
	mem_deref(st->page);
	json_decref(st->topics);
	mem_deref(st->wc);
}

static struct stream *stream_new(struct stream_hub *h, const struct user *u)
{
	struct stream *st = mem_zalloc(sizeof(*st), stream_destructor);

	if (!st)
		return NULL;
	st->hub = h;
	st->srv = h->srv;
	tmr_init(&st->tmr);
	st->topics = json_object();
	if (!st->topics)
		return mem_deref(st);
	st->last_seq = h->srv->durable_seq;
	snprintf(st->user, sizeof(st->user), "%s", u->id);
	return st;
}

/* GET /api/v1/stream: the upgrade, authenticated before it. */
static void api_stream(struct hreq *r)
{
	struct stream_hub *h = srv_module_state(r->srv, &stream_module);
	struct stream *st;
	struct user *u;
	char sess[72], tok[128];
	bool cookie;
	int err;

	if (h->visitors && (web_query(r, "visitor", tok, sizeof(tok)) ||
			    !strcmp(r->bad_param, "visitor"))) {
		h->visitors->open(r);
		return;
	}
	u = stream_auth(r, &cookie, sess);
	if (!u)
		return;
	/* Browsers always send Origin with an upgrade: a cookie without one
	 * is not a page of ours, so it is refused too. */
	if (cookie && !auth_same_origin(r, true)) {
		web_error(r, 403, "forbidden",
			  "a stream on a session cookie needs the Origin "
			  "header of this server (cross-site or missing)");
		return;
	}
	st = stream_new(h, u);
	if (!st) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	snprintf(st->sess, sizeof(st->sess), "%s", sess);
	err = wsconn_accept(&st->wc, r->conn, r->msg, WEB_BODY_MAX, ws_recv,
			    ws_close, st);
	if (err) {
		mem_deref(st);
		web_error(r, 400, "bad_request", "not a WebSocket upgrade");
		return;
	}
	wsconn_set_linger(st->wc, h->linger_ms);
	list_append(&h->streams, &st->le, st);
	presence_open(h->presence, u->id);
	web_drop(r);
}

void stream_visitors_set(struct srv *s, const struct stream_visitors *v)
{
	struct stream_hub *h = srv_module_state(s, &stream_module);

	if (h)
		h->visitors = v;
}

static void send_stats(struct stream *st, const char *data)
{
	static const char pre[] = "{\"type\":\"stats\",\"data\":";
	size_t len = strlen(data);
	char *text = malloc(sizeof(pre) + len + 1);

	if (!text)
		return; /* a snapshot: the next second's replaces it */
	memcpy(text, pre, sizeof(pre) - 1);
	memcpy(text + sizeof(pre) - 1, data, len);
	memcpy(text + sizeof(pre) - 1 + len, "}", 2);
	(void)send_text(st, text);
	free(text);
}

/*
 * After a wave of subscribers has left, give their memory back. Their
 * queues and pages are freed, but glibc returns only the top of a heap
 * on free(): chunks freed below long-lived allocations stay in the
 * process. malloc_trim also releases the free pages inside the heaps. It
 * complements the bounds above (queue, page), which keep the peak low;
 * done once the wave has settled (a tick without a close), not per close.
 */
static void trim_memory(struct stream_hub *h)
{
	if (h->closed >= TRIM_AFTER && h->closed == h->closed_seen) {
		malloc_trim(0);
		h->closed = 0;
	}
	h->closed_seen = h->closed;
}

/* The session of the stream ended (logout, password change, user
 * deleted, expiry): so does the stream. */
static void stream_session_ended(struct stream *st)
{
	json_t *m = json_pack("{s:s,s:{s:s,s:s},s:I}", "type", "error", "error",
			      "code", "unauthorized", "message",
			      "the session has ended", "last",
			      (json_int_t)st->last_seq);

	stream_end(st, m, CLOSE_POLICY, "session ended");
	json_decref(m);
}

/* tick: the statistics to their subscribers; ended sessions end. */
static void stream_tick(struct srv *s, void *state)
{
	struct stream_hub *h = state;
	struct le *le;

	LIST_FOREACH(&h->streams, le)
	{
		struct stream *st = le->data;
		const char *text;
		struct user *u;

		if (!st->ended && st->sess[0] &&
		    !auth_session_alive(s, st->sess))
			stream_session_ended(st);
		if (!st->stats || st->ended || !(u = stream_user(st)))
			continue;
		/* a snapshot: skipped for a full queue, the next replaces it */
		if (ws_queued(st) >= h->queue_max)
			continue;
		text = stats_realtime_text(s, u, NULL);
		if (text)
			send_stats(st, text);
	}
	trim_memory(h);
}

/* Every stream closes (1001), then the reader stops. */
static void close_all(struct stream_hub *h)
{
	struct le *le;

	h->closing = true;
	while ((le = list_head(&h->streams))) {
		struct stream *st = le->data;

		if (!st->ended)
			ws_end(st, CLOSE_GOING_AWAY, "server stopping");
		stream_close(st);
	}
	h->reader = mem_deref(h->reader);
}

/*
 * stop: the streams close; the loop is given a short grace for the close
 * handshakes of those that were open.
 */
static void stream_stop(struct srv *s, void *state)
{
	struct stream_hub *h = state;

	log_info("stream", "msg=\"stopping\" streams=%u",
		 list_count(&h->streams));
	if (!list_isempty(&h->streams))
		srv_stop_grace(s, STOP_GRACE_MS);
	close_all(h);
}

/* close: also after a failed start, when stop was not called. */
static void stream_module_close(struct srv *s, void *state)
{
	struct stream_hub *h = state;

	(void)s;
	if (!h)
		return;
	close_all(h);
	presence_free(h->presence);
	mem_deref(h);
}

static void stream_metrics(struct srv *s, void *state, struct mbuf *mb)
{
	const struct stream_hub *h = state;

	(void)s;
	mbuf_printf(mb,
		    "# HELP relais_websocket_clients Connected stream "
		    "clients.\n"
		    "# TYPE relais_websocket_clients gauge\n"
		    "relais_websocket_clients %u\n"
		    "# HELP relais_websocket_messages_total Messages pushed.\n"
		    "# TYPE relais_websocket_messages_total counter\n"
		    "relais_websocket_messages_total %llu\n",
		    list_count(&h->streams), (unsigned long long)h->sent);
}

static const struct route stream_routes[] = {
	{.method = "GET",
	 .pattern = "/api/v1/stream",
	 .h = api_stream,
	 .roles = R_PUBLIC},
	{.method = NULL},
};

const struct srv_module stream_module = {
	.name = "stream",
	.routes = stream_routes,
	.init = hub_init,
	.on_commit = stream_publish,
	.tick = stream_tick,
	.metrics = stream_metrics,
	.stop = stream_stop,
	.close = stream_module_close,
};
