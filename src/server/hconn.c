/*
 * The server's HTTP/1.1 connections on libre's TCP (see hconn.h).
 *
 * A connection is in one of these phases, each with its own deadline:
 *   idle    no request started: idle_ms (head_ms for a new connection);
 *   head    bytes of a head arrived: head_ms from the first one;
 *   body    the head is read: body_ms for the body;
 *   busy    the pipeline is full, a request awaits its answer, or the
 *           client does not read its answers (more than TX_BACKLOG
 *           queued): no deadline, no new request is read; bytes that
 *           arrive are kept up to RX_WAIT_MAX (or the connection ends);
 *   linger  closing: the answers are flushed, the write side shut, what
 *           the client still sends is discarded until it closes or
 *           LINGER_MS pass (a close with unread bytes would reset the
 *           connection and could destroy the answer before it is read).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "server/libre.h"

#include "core/hmap.h"
#include "server/hconn.h"
#include "server/log.h"

#define LINGER_MS   2000
#define FLUSH_MS    30000 /* to flush the answers before the linger */
#define RX_WAIT_MAX (1024 * 1024)
/*
 * libre refuses a write past 512 KiB queued, which would drop an answer
 * (perhaps of a committed write) of a slow reader: the queue is bounded
 * instead by reading no new request past TX_BACKLOG, so a connection
 * holds at most about pipeline_max answers.
 */
#define TX_QUEUE_MAX (SIZE_MAX / 2)
/* Answers queued beyond which the next requests wait for the client to
 * read (so one connection holds about this plus the answers in flight). */
#define TX_BACKLOG   (1024 * 1024)
#define ADDR_KEY_MAX 64

struct addr_count {
	char key[ADDR_KEY_MAX];
	unsigned n;
};

struct hconn_sock {
	struct tcp_sock *ts;
	struct list conns;
	struct hconn_config cfg;
	struct hconn_handlers h;
	struct hmap addrs; /* address -> addr_count */
	size_t n;	   /* open connections */
	uint64_t refused;
	bool draining;
};

struct hconn {
	struct le le;
	struct hconn_sock *sock; /* NULL once closed */
	struct tcp_conn *tc;
	struct sa peer;
	struct addr_count *ac;
	struct tmr tmr;
	struct mbuf *rx; /* bytes not consumed, from offset 0 */
	struct http_scan sc;
	struct http_msg *msg; /* head read, body awaited */
	bool head_started;
	unsigned pending;
	bool closing; /* read no more requests; close after the answers */
	bool lingering;
	bool in_process;
	bool backlogged; /* waiting for the client to read its answers */
};

static void conn_close(struct hconn *c);
static void process(struct hconn *c);

void hconn_config_default(struct hconn_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	http_limits_default(&cfg->lim);
	cfg->head_ms = 10000;
	cfg->body_ms = 30000;
	cfg->idle_ms = 60000;
	cfg->conns_max = 1000;
	cfg->conns_per_addr = 1024;
	cfg->pipeline_max = 8;
}

/* ---- the per-address counts ---- */

static bool addr_eq(const void *val, const void *key)
{
	return !strcmp(((const struct addr_count *)val)->key, key);
}

static struct addr_count *addr_get(struct hconn_sock *s, const char *key,
				   bool create)
{
	uint64_t h = hmap_hash_str(key);
	struct addr_count *ac = hmap_get(&s->addrs, h, addr_eq, key);

	if (ac || !create)
		return ac;
	ac = calloc(1, sizeof(*ac));
	if (!ac)
		return NULL;
	snprintf(ac->key, sizeof(ac->key), "%s", key);
	if (hmap_put(&s->addrs, h, ac)) {
		free(ac);
		return NULL;
	}
	return ac;
}

/* Drops the count of an address that has no connection left. */
static void addr_forget(struct hconn_sock *s, struct addr_count *ac)
{
	if (ac->n)
		return;
	hmap_del(&s->addrs, hmap_hash_str(ac->key), addr_eq, ac->key);
	free(ac);
}

static void addr_release(struct hconn_sock *s, struct addr_count *ac)
{
	if (!ac)
		return;
	ac->n--;
	addr_forget(s, ac);
}

/* ---- closing ---- */

static void conn_close(struct hconn *c)
{
	struct hconn_sock *s = c->sock;

	tmr_cancel(&c->tmr);
	c->tc = mem_deref(c->tc);
	c->rx = mem_deref(c->rx);
	c->msg = mem_deref(c->msg);
	if (!s)
		return;
	c->sock = NULL;
	addr_release(s, c->ac);
	c->ac = NULL;
	list_unlink(&c->le);
	s->n--;
	mem_deref(c); /* the sock's reference */
}

static void conn_destructor(void *arg)
{
	conn_close(arg);
}

static void close_timeout(void *arg)
{
	conn_close(arg);
}

static void shut_write(struct hconn *c)
{
	int fd = tcp_conn_fd(c->tc);

	if (fd >= 0)
		(void)shutdown(fd, SHUT_WR);
	tmr_start(&c->tmr, LINGER_MS, close_timeout, c);
}

static void flushed(void *arg)
{
	struct hconn *c = arg;

	tcp_set_send(c->tc, NULL);
	shut_write(c);
}

/* Every answer is queued: flush them, shut the write side, linger. */
static void linger(struct hconn *c)
{
	if (c->lingering || !c->tc)
		return;
	c->lingering = true;
	c->closing = true;
	c->rx = mem_deref(c->rx);
	c->msg = mem_deref(c->msg);
	if (!tcp_conn_txqsz(c->tc)) {
		shut_write(c);
		return;
	}
	tmr_start(&c->tmr, FLUSH_MS, close_timeout, c);
	if (tcp_set_send(c->tc, flushed))
		conn_close(c);
}

/* ---- requests ---- */

/* The framing refused the request: the server answers, then we close. */
static void refuse(struct hconn *c, int status, const char *why)
{
	struct hconn_sock *s = c->sock;

	tmr_cancel(&c->tmr);
	c->closing = true;
	c->rx = mem_deref(c->rx);
	c->msg = mem_deref(c->msg);
	c->pending++;
	s->h.errh(c, status, why, s->h.arg);
}

static void deadline(void *arg)
{
	struct hconn *c = arg;

	if (c->head_started || c->msg)
		refuse(c, 408, "the request did not arrive in time");
	else
		conn_close(c);
}

/* Drops the first n bytes of rx. */
static void rx_consume(struct hconn *c, size_t n)
{
	size_t left = c->rx->end - n;

	if (!left) {
		c->rx = mem_deref(c->rx);
		return;
	}
	memmove(c->rx->buf, c->rx->buf + n, left);
	c->rx->end = left;
	c->rx->pos = 0;
}

/*
 * A client that asked "Expect: 100-continue" waits for it before sending
 * its body (curl does above 1 KiB): say go now that the length is judged,
 * unless answers before it are still due (a 100 would come before them).
 */
static void expect_continue(struct hconn *c, const struct http_msg *msg)
{
	static const char go[] = "HTTP/1.1 100 Continue\r\n\r\n";
	struct mbuf mb;

	if (!msg->clen || c->pending || (c->rx && c->rx->end) ||
	    !http_msg_hdr_has_value(msg, HTTP_HDR_EXPECT, "100-continue"))
		return;
	mb.buf = (uint8_t *)go;
	mb.size = mb.end = sizeof(go) - 1;
	mb.pos = 0;
	(void)tcp_send(c->tc, &mb);
}

/* The head is complete and checked: decode it, judge its length. */
static int head_done(struct hconn *c)
{
	struct hconn_sock *s = c->sock;
	const struct http_scan *sc = &c->sc;
	size_t n = sc->head_len - sc->skip, max;
	struct mbuf *mb = mbuf_alloc(n);
	struct http_msg *msg = NULL;
	int err;

	if (!mb)
		return ENOMEM;
	(void)mbuf_write_mem(mb, c->rx->buf + sc->skip, n);
	mb->pos = 0;
	err = http_msg_decode(&msg, mb, true);
	mem_deref(mb);
	if (err) {
		refuse(c, 400, "malformed request");
		return 0;
	}
	max = s->h.bodyh(msg, s->h.arg);
	if ((uint64_t)sc->clen > max) {
		char why[96];

		mem_deref(msg);
		snprintf(why, sizeof(why),
			 "the body is over %zu bytes, this route's limit", max);
		refuse(c, 413, why);
		return 0;
	}
	msg->clen = (uint32_t)sc->clen;
	c->msg = msg;
	rx_consume(c, sc->head_len);
	if (msg->clen)
		tmr_start(&c->tmr, s->cfg.body_ms, deadline, c);
	expect_continue(c, msg);
	return 0;
}

static int dispatch(struct hconn *c)
{
	struct hconn_sock *s = c->sock;
	struct http_msg *msg = c->msg;

	if (msg->clen) { /* else msg->mb is libre's, empty */
		struct mbuf *body = mbuf_alloc(msg->clen);

		if (!body)
			return ENOMEM;
		(void)mbuf_write_mem(body, c->rx->buf, msg->clen);
		rx_consume(c, msg->clen);
		body->pos = 0;
		mem_deref(msg->mb);
		msg->mb = body;
	}
	c->msg = NULL;
	if (c->sc.close)
		c->closing = true;
	http_scan_reset(&c->sc);
	c->head_started = false;
	tmr_cancel(&c->tmr);
	c->pending++;
	s->h.reqh(c, msg, s->h.arg);
	mem_deref(msg);
	return 0;
}

/* The client read its answers: read its next requests. */
static void drained(void *arg)
{
	struct hconn *c = arg;

	tcp_set_send(c->tc, NULL);
	c->backlogged = false;
	process(c);
}

/* Reads what it can of rx: heads, bodies, requests. */
static int step(struct hconn *c, bool *more)
{
	struct hconn_sock *s = c->sock;
	const char *why;
	int st;

	*more = false;
	if (c->closing || !c->tc || c->pending >= s->cfg.pipeline_max)
		return 0;
	if (c->backlogged)
		return 0; /* drained() resumes */
	if (!c->msg && tcp_conn_txqsz(c->tc) > TX_BACKLOG) {
		/* the client has body_ms to read the answers queued; bytes it
		 * sends meanwhile do not extend that */
		c->backlogged = true;
		tmr_start(&c->tmr, s->cfg.body_ms, deadline, c);
		return tcp_set_send(c->tc, drained);
	}
	if (!c->msg) {
		if (!c->rx || !c->rx->end)
			return 0;
		st = http_scan(&c->sc, c->rx->buf, c->rx->end, &s->cfg.lim,
			       &why);
		if (st == HTTP_SCAN_MORE) {
			/* the deadline runs from the read that began it */
			if (!c->head_started) {
				c->head_started = true;
				tmr_start(&c->tmr, s->cfg.head_ms, deadline, c);
			}
			return 0;
		}
		if (st != HTTP_SCAN_DONE) {
			refuse(c, st, why);
			return 0;
		}
		*more = true;
		return head_done(c);
	}
	if ((c->rx ? c->rx->end : 0) < c->msg->clen)
		return 0;
	*more = true;
	return dispatch(c);
}

static void idle_check(struct hconn *c)
{
	if (!c->tc || c->lingering || c->pending || c->msg || c->head_started ||
	    c->backlogged)
		return;
	if (c->closing) {
		linger(c);
		return;
	}
	tmr_start(&c->tmr, c->sock->cfg.idle_ms, deadline, c);
}

static void process(struct hconn *c)
{
	bool more = true;
	int err = 0;

	if (c->in_process)
		return;
	c->in_process = true;
	mem_ref(c);
	while (!err && more && c->tc)
		err = step(c, &more);
	c->in_process = false;
	if (err) {
		log_warn("http", "msg=\"connection dropped\" err=\"%s\"",
			 strerror(err));
		conn_close(c);
	} else if (c->sock) {
		idle_check(c);
	}
	mem_deref(c);
}

static void recv_handler(struct mbuf *mb, void *arg)
{
	struct hconn *c = arg;
	size_t n = mbuf_get_left(mb);

	if (c->closing || c->lingering)
		return; /* nothing more is read */
	if (!c->rx) {
		/* libre hands over a buffer of its own for each read */
		c->rx = mem_ref(mb);
		if (mb->pos) {
			memmove(mb->buf, mb->buf + mb->pos, n);
			mb->pos = 0;
			mb->end = n;
		}
		process(c);
		return;
	}
	c->rx->pos = c->rx->end;
	if (mbuf_write_mem(c->rx, mbuf_buf(mb), n) ||
	    (!c->msg && c->rx->end > RX_WAIT_MAX)) {
		conn_close(c);
		return;
	}
	c->rx->pos = 0;
	process(c);
}

static void close_handler(int err, void *arg)
{
	(void)err;
	conn_close(arg);
}

/* ---- answers ---- */

void hconn_reply(struct hconn *c, struct mbuf *mb)
{
	if (!c || !c->tc)
		return;
	if (mb && tcp_send(c->tc, mb)) {
		conn_close(c);
		return;
	}
	if (c->pending)
		c->pending--;
	if (c->pending)
		return;
	if (c->closing)
		linger(c);
	else
		process(c);
}

bool hconn_closing(const struct hconn *c)
{
	return c->closing && c->pending <= 1;
}

const struct sa *hconn_peer(const struct hconn *c)
{
	return &c->peer;
}

unsigned hconn_pending(const struct hconn *c)
{
	return c->pending;
}

struct tcp_conn *hconn_detach(struct hconn *c, struct mbuf **rest)
{
	struct tcp_conn *tc = c->tc;

	*rest = NULL;
	if (!tc)
		return NULL;
	if (c->rx && c->rx->end) {
		*rest = c->rx;
		c->rx = NULL;
	}
	c->tc = NULL;
	conn_close(c);
	return tc; /* the reference the hconn held */
}

/* ---- accepting ---- */

static void connect_handler(const struct sa *peer, void *arg)
{
	struct hconn_sock *s = arg;
	char key[ADDR_KEY_MAX];
	struct addr_count *ac;
	struct hconn *c;

	re_snprintf(key, sizeof(key), "%j", peer);
	ac = addr_get(s, key, true);
	if (s->draining || !ac || s->n >= s->cfg.conns_max ||
	    ac->n >= s->cfg.conns_per_addr) {
		s->refused++;
		if (ac)
			addr_forget(s, ac);
		tcp_reject(s->ts);
		return;
	}
	c = mem_zalloc(sizeof(*c), conn_destructor);
	if (!c ||
	    tcp_accept(&c->tc, s->ts, NULL, recv_handler, close_handler, c)) {
		mem_deref(c);
		tcp_reject(s->ts);
		addr_forget(s, ac);
		return;
	}
	tcp_conn_txqsz_set(c->tc, TX_QUEUE_MAX);
	ac->n++;
	c->ac = ac;
	c->sock = s;
	c->peer = *peer;
	list_append(&s->conns, &c->le, c);
	s->n++;
	tmr_start(&c->tmr, s->cfg.head_ms, deadline, c);
}

static void sock_destructor(void *arg)
{
	struct hconn_sock *s = arg;

	while (s->conns.head)
		conn_close(s->conns.head->data);
	mem_deref(s->ts);
	for (size_t i = 0; i < hmap_span(&s->addrs); i++)
		free(hmap_at(&s->addrs, i));
	hmap_reset(&s->addrs);
}

int hconn_listen(struct hconn_sock **sockp, const struct sa *laddr,
		 const struct hconn_config *cfg, const struct hconn_handlers *h)
{
	struct hconn_sock *s = mem_zalloc(sizeof(*s), sock_destructor);
	int err;

	if (!s)
		return ENOMEM;
	s->cfg = *cfg;
	s->h = *h;
	err = tcp_listen(&s->ts, laddr, connect_handler, s);
	if (err)
		mem_deref(s);
	else
		*sockp = s;
	return err;
}

struct tcp_sock *hconn_sock_tcp(struct hconn_sock *sock)
{
	return sock ? sock->ts : NULL;
}

void hconn_sock_drain(struct hconn_sock *s)
{
	struct le *le = s->conns.head;

	s->draining = true;
	s->ts = mem_deref(s->ts);
	while (le) {
		struct hconn *c = le->data;

		le = le->next;
		c->closing = true;
		if (!c->pending)
			conn_close(c); /* idle, or a request not read whole */
	}
}

size_t hconn_sock_count(const struct hconn_sock *s)
{
	return s ? s->n : 0;
}

uint64_t hconn_sock_refused(const struct hconn_sock *s)
{
	return s ? s->refused : 0;
}
