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
 * the WebSocket layer can change under the stream.
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

#include "server/log.h"
#include "server/query.h"
#include "server/srv.h"
#include "server/wsconn.h"
#include "server/worker.h"
#include "server/auth.h"
#include "server/objects.h"

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
};

enum catchup_state {
	CU_LIVE,    /* gets live publishes */
	CU_WAITING, /* its user has per_user catch-ups reading */
	CU_READING, /* a page is being read or delivered */
};

/* One event of a page, ready to send: matched on the loop. */
struct page_event {
	int64_t seq;
	char *tenant, *queue, *agent; /* NULL when absent */
	char *text;		      /* the message, serialized */
};

/* Events after `after`, read on the reader thread, sent on the loop. */
struct page {
	struct page *next, *prev; /* the hub's pages at the reader */
	struct stream_hub *hub;
	struct stream *st; /* NULL once its stream is gone */
	int64_t after;
	int64_t until; /* durable when asked: a short page reached it */
	size_t limit, n, pos;
	struct page_event *ev;
	bool at_reader;
	int err;
};

/* The stream's settings and its catch-up reader. */
struct stream_hub {
	struct worker *reader; /* started with the first catch-up */
	struct store *db;      /* read-only; used on the reader thread only */
	struct page *pages;    /* at the reader */
	size_t queue_max, low_water, page_events;
	size_t per_user;
	unsigned closed, closed_seen; /* streams closed since the last trim */
	bool closing;		      /* the server stops: no new catch-up */
};

struct stream {
	struct stream *next, *prev;
	struct srv *srv;
	struct wsconn *wc;
	struct tmr tmr; /* the catch-up's wait for the socket, or the end */
	char user[40];
	char sess[72];	/* the session it was opened with: it ends with it */
	json_t *topics; /* set: topic -> true */
	bool stats;
	bool ended; /* closing: sends nothing more */
	enum catchup_state cu;
	struct page *page; /* CU_READING */
	int64_t last_seq;  /* last sequence sent or passed over */
};

static void stream_free(struct stream *st);

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

static struct stream_hub *hub_get(struct srv *s)
{
	struct stream_hub *h = s->stream_hub;

	if (h)
		return h;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->queue_max = env_size("RELAIS_STREAM_QUEUE_MAX", QUEUE_MAX_DEFAULT,
				4096, (size_t)1 << 30);
	h->low_water = h->queue_max / 4;
	h->page_events =
		env_size("RELAIS_CATCHUP_PAGE", PAGE_DEFAULT, 1, 100000);
	h->per_user =
		env_size("RELAIS_CATCHUP_PER_USER", PER_USER_DEFAULT, 1, 1000);
	s->stream_hub = h;
	return h;
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
		st->srv->ws_sent += n;
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
	stream_free(arg);
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
	struct stream_hub *h = st->srv->stream_hub;
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

/* Whether s goes into a JSON string as it is. */
static bool json_plain(const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
			return false;
	return true;
}

/*
 * The event message (malloc), or NULL. data is the event's data as
 * srv_event serialized it for the log, so a live event and one read back
 * from the log are sent alike without encoding data again. Any thread.
 */
static char *event_text(int64_t seq, int64_t time_ms, const char *tenant,
			const char *type, const char *data)
{
	char t[32], *text;
	size_t size;

	web_time(time_ms, t, sizeof(t));
	if ((tenant && !json_plain(tenant)) || !json_plain(type)) {
		json_t *d = json_loads(data, JSON_DECODE_ANY, NULL);
		json_t *m =
			json_pack("{s:s,s:I,s:s,s:s?,s:s,s:o?}", "type",
				  "event", "seq", (json_int_t)seq, "time", t,
				  "tenant", tenant, "event", type, "data", d);

		text = m ? json_dumps(m, JSON_COMPACT | JSON_REAL_PRECISION(15))
			 : NULL;
		json_decref(m);
		return text;
	}
	size = strlen(data) + strlen(type) + (tenant ? strlen(tenant) : 0) +
	       128;
	text = malloc(size);
	if (text)
		snprintf(text, size,
			 "{\"type\":\"event\",\"seq\":%" PRId64
			 ",\"time\":\"%s\"%s%s%s,\"event\":\"%s\",\"data\":%s}",
			 seq, t, tenant ? ",\"tenant\":\"" : "",
			 tenant ? tenant : "", tenant ? "\"" : "", type, data);
	return text;
}

/* ---- live events ---- */

/*
 * The events of a commit for one live subscriber, in one write; texts are
 * serialized on first use and shared by every subscriber.
 */
static void publish_to(struct stream *st, const struct pub *pubs, size_t n,
		       char **texts, const char **sel)
{
	struct stream_hub *h = st->srv->stream_hub;
	int64_t last = st->last_seq;
	size_t k = 0, len = 0, queued;
	bool failed = false;

	if (st->ended || st->cu != CU_LIVE)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct pub *p = &pubs[i];

		if (p->seq <= st->last_seq ||
		    !matches(st, p->tenant, jv_str(p->data, "queue"),
			     jv_str(p->data, "agent")))
			continue;
		if (!texts[i])
			texts[i] = event_text(p->seq, p->time_ms, p->tenant,
					      p->type, p->text);
		if (!texts[i]) {
			failed = true; /* out of memory: not a silent gap */
			break;
		}
		sel[k++] = texts[i];
		len += strlen(texts[i]);
		last = p->seq;
	}
	queued = ws_queued(st);
	if (failed || (queued && queued + len > h->queue_max) ||
	    (k && ws_send_texts(st, sel, k))) {
		stream_overflow(st);
		return;
	}
	st->last_seq = last;
}

/*
 * The events of a commit to their subscribers: each event serialized
 * once, each subscriber's share sent in one write.
 */
void stream_publish(struct srv *s, const struct pub *pubs, size_t n)
{
	const char **sel;
	char **texts;

	if (!s->streams || !n)
		return;
	texts = calloc(n, sizeof(*texts));
	sel = calloc(n, sizeof(*sel));
	for (struct stream *st = s->streams; st; st = st->next) {
		if (texts && sel)
			publish_to(st, pubs, n, texts, sel);
		else if (st->cu == CU_LIVE)
			stream_overflow(st);
	}
	for (size_t i = 0; texts && i < n; i++)
		free(texts[i]);
	free(texts);
	free(sel);
}

/* ---- catching up from the log, on the reader thread ---- */

static void page_free(struct page *pg)
{
	for (size_t i = 0; pg && i < pg->n; i++) {
		free(pg->ev[i].tenant);
		free(pg->ev[i].queue);
		free(pg->ev[i].agent);
		free(pg->ev[i].text);
	}
	if (pg)
		free(pg->ev);
	free(pg);
}

static char *dup_or_null(const char *v, bool *fail)
{
	char *d = v ? strdup(v) : NULL;

	if (v && !d)
		*fail = true;
	return d;
}

/* On the reader thread: one event of the log into the page. */
static int page_event(const struct store_event *ev, void *arg)
{
	struct page *pg = arg;
	struct page_event *e = &pg->ev[pg->n];
	bool fail = false;

	e->seq = ev->seq;
	e->tenant = dup_or_null(ev->tenant, &fail);
	e->queue = dup_or_null(ev->queue, &fail);
	e->agent = dup_or_null(ev->agent, &fail);
	e->text = event_text(ev->seq, ev->time_ms, ev->tenant, ev->type,
			     ev->data);
	pg->n++; /* freed with the page, even when incomplete */
	return fail || !e->text ? ENOMEM : 0;
}

static void page_read(void *ctx, void *arg)
{
	struct store *db = ctx;
	struct page *pg = arg;
	struct store_event_query q = {0};

	q.after_seq = pg->after;
	q.limit = pg->limit;
	q.topics = true;
	pg->err = db->ops->events(db, &q, page_event, pg);
}

static void hub_unlink(struct stream_hub *h, struct page *pg)
{
	if (pg->prev)
		pg->prev->next = pg->next;
	else if (h->pages == pg)
		h->pages = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
	pg->next = pg->prev = NULL;
}

/*
 * On the reader thread: catch-ups yield the CPU to commits and requests
 * (on a small machine the reader would take a core from them).
 */
static void reader_nice(void *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
}

/* The reader starts with the first catch-up: most servers never need it. */
static int reader_start(struct srv *s, struct stream_hub *h)
{
	char msg[256];
	int err;

	if (h->reader)
		return 0;
	err = store_sqlite_open_reader(&h->db, s->cfg.data_dir, msg,
				       sizeof(msg));
	if (err) {
		log_error("stream",
			  "msg=\"cannot open the catch-up reader\" "
			  "err=\"%s\"",
			  msg);
		return err;
	}
	err = worker_start(&h->reader, h->db, "catchup");
	if (!err)
		err = worker_submit(h->reader, reader_nice, NULL, NULL);
	if (err) {
		worker_stop(h->reader);
		h->reader = NULL;
		h->db->ops->close(h->db);
		h->db = NULL;
	}
	return err;
}

static void page_done(void *arg);

/* Asks the reader for the page after the stream's last sequence. */
static void page_request(struct stream *st)
{
	struct srv *s = st->srv;
	struct stream_hub *h = s->stream_hub;
	struct page *pg = calloc(1, sizeof(*pg));

	if (pg)
		pg->ev = calloc(h->page_events, sizeof(*pg->ev));
	if (!pg || !pg->ev || reader_start(s, h)) {
		page_free(pg);
		stream_fail(st, "internal", "the catch-up cannot start");
		return;
	}
	pg->hub = h;
	pg->st = st;
	pg->after = st->last_seq;
	pg->until = s->durable_seq;
	pg->limit = h->page_events;
	pg->at_reader = true;
	if (worker_submit(h->reader, page_read, page_done, pg)) {
		page_free(pg);
		stream_fail(st, "internal", "the catch-up cannot start");
		return;
	}
	pg->next = h->pages;
	if (h->pages)
		h->pages->prev = pg;
	h->pages = pg;
	st->page = pg;
	st->cu = CU_READING;
}

static size_t user_reading(struct srv *s, const char *user)
{
	size_t n = 0;

	for (struct stream *x = s->streams; x; x = x->next)
		n += x->cu == CU_READING && !strcmp(x->user, user);
	return n;
}

/* A catch-up of user ended: the next one waiting, if any, reads. */
static void catchup_next(struct srv *s, const char *user)
{
	struct stream *first = NULL;

	if (user_reading(s, user) >= s->stream_hub->per_user)
		return;
	/* streams are pushed at the head: the last waiting one came first */
	for (struct stream *x = s->streams; x; x = x->next)
		if (x->cu == CU_WAITING && !x->ended && !strcmp(x->user, user))
			first = x;
	if (first)
		page_request(first);
}

static void catchup_poll(void *arg);

/* Whether a batch of the page went out; false: wait or stop. */
static bool send_batch(struct stream *st, struct page *pg)
{
	const char *sel[BATCH_EVENTS];
	int64_t last = st->last_seq;
	size_t k = 0, len = 0;

	while (pg->pos < pg->n && k < BATCH_EVENTS && len < BATCH_BYTES) {
		const struct page_event *e = &pg->ev[pg->pos++];

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
	struct srv *s = st->srv;
	struct stream_hub *h = s->stream_hub;
	struct page *pg = st->page;
	bool full;

	while (pg->pos < pg->n) {
		if (ws_queued(st) >= h->queue_max) {
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
	page_free(pg);
	st->page = NULL;
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
	if (ws_queued(st) > s->stream_hub->low_water) {
		tmr_start(&st->tmr, POLL_MS, catchup_poll, st);
		return;
	}
	if (st->last_seq < s->durable_seq) {
		page_request(st);
		return;
	}
	/* on the loop: every later event comes through publish */
	st->cu = CU_LIVE;
	catchup_next(s, st->user);
}

static void page_done(void *arg)
{
	struct page *pg = arg;
	struct stream *st = pg->st;

	pg->at_reader = false;
	hub_unlink(pg->hub, pg);
	if (!st || st->ended) {
		if (st)
			st->page = NULL;
		page_free(pg);
		return;
	}
	if (pg->err) {
		stream_fail(st, "internal", "the catch-up read failed");
		return;
	}
	catchup_pump(st);
}

/* Catch-up from after; waits its turn behind the user's other ones. */
static void catch_up(struct stream *st, int64_t after)
{
	struct srv *s = st->srv;

	st->last_seq = after;
	st->cu = CU_WAITING;
	if (user_reading(s, st->user) < s->stream_hub->per_user)
		page_request(st);
}

/* Stops the reader; pages it still held are freed here. */
static void reader_stop(struct stream_hub *h)
{
	worker_stop(h->reader);
	h->reader = NULL;
	while (h->pages) {
		struct page *pg = h->pages;

		hub_unlink(h, pg);
		page_free(pg);
	}
	if (h->db)
		h->db->ops->close(h->db);
	h->db = NULL;
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
	stream_free(arg);
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
	struct srv *s = st->srv;
	struct stream_hub *h = s->stream_hub;
	bool reading = st->cu == CU_READING;
	char user[sizeof(st->user)];

	stream_unlink(st);
	tmr_cancel(&st->tmr);
	if (st->page && st->page->at_reader)
		st->page->st = NULL; /* page_done frees it */
	else
		page_free(st->page);
	json_decref(st->topics);
	mem_deref(st->wc);
	memcpy(user, st->user, sizeof(user));
	free(st);
	if (!h)
		return;
	h->closed++;
	if (reading && !h->closing)
		catchup_next(s, user);
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

static struct stream *stream_new(struct srv *s, const struct user *u)
{
	struct stream *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->srv = s;
	st->topics = json_object();
	if (!st->topics) {
		free(st);
		return NULL;
	}
	tmr_init(&st->tmr);
	st->last_seq = s->durable_seq;
	snprintf(st->user, sizeof(st->user), "%s", u->id);
	return st;
}

void api_stream(struct hreq *r)
{
	struct srv *s = r->srv;
	struct stream *st;
	struct user *u;
	char sess[72];
	bool cookie;
	int err;

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
	st = hub_get(s) ? stream_new(s, u) : NULL;
	if (!st) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	snprintf(st->sess, sizeof(st->sess), "%s", sess);
	err = wsconn_accept(&st->wc, r->conn, r->msg, WEB_BODY_MAX, ws_recv,
			    ws_close, st);
	if (err) {
		json_decref(st->topics);
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

void stream_tick(struct srv *s)
{
	struct stream_hub *h = s->stream_hub;

	for (struct stream *st = s->streams; st; st = st->next) {
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
	if (h)
		trim_memory(h);
}

void stream_close_all(struct srv *s)
{
	struct stream_hub *h = s->stream_hub;

	if (h)
		h->closing = true;
	while (s->streams) {
		struct stream *st = s->streams;

		if (!st->ended)
			ws_end(st, CLOSE_GOING_AWAY, "server stopping");
		stream_free(st);
	}
	if (!h)
		return;
	reader_stop(h);
	free(h);
	s->stream_hub = NULL;
}

size_t stream_count(const struct srv *s)
{
	size_t n = 0;

	for (const struct stream *st = s->streams; st; st = st->next)
		n++;
	return n;
}
