/*
 * hconn — the server's HTTP/1.1 connections, on libre's TCP: accepting
 * within limits, framing requests strictly (httphead.c), deadlines, and
 * closing without losing an answer.
 *
 * Why not libre's http_listen(): its framing trusts any Content-Length
 * and ignores Transfer-Encoding (a chunked body ran as a second request),
 * it closes instead of answering 413/431/414, any byte resets a 10-minute
 * idle timer, and it has no connection limit (at the descriptor limit its
 * accept loop spins). This layer keeps libre's loop, TCP and
 * http_msg_decode() and owns what is policy:
 *   - a request's head must be complete within head_ms of its first byte
 *     and its body within body_ms of the head; an idle keep-alive
 *     connection closes after idle_ms (no byte resets these deadlines);
 *   - the body's limit is asked of the server (per route) once the head is
 *     read, so a body over it gets 413 before a byte of it is buffered;
 *   - connections are capped in all (below the descriptor limit, so
 *     accept() never fails and never spins) and per client address;
 *   - answers leave in request order (the server calls hconn_reply() once
 *     per request, in order); after an error the connection closes once
 *     the answers before it and the error itself are sent, with a lingering
 *     close (shutdown, then discard what the client still sends), so the
 *     client reads the answer instead of a reset.
 * Everything runs on the loop thread.
 */
#ifndef RELAIS_HCONN_H
#define RELAIS_HCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/httphead.h"

struct hconn;
struct hconn_sock;
struct http_msg;
struct mbuf;
struct sa;
struct tcp_conn;
struct tcp_sock;

struct hconn_config {
	struct http_limits lim;
	uint32_t head_ms;   /* a request's head, from its first byte */
	uint32_t body_ms;   /* its body, from the end of the head */
	uint32_t idle_ms;   /* a keep-alive connection waiting for a request */
	unsigned conns_max; /* open connections in all */
	unsigned conns_per_addr; /* open connections of one client address */
	unsigned pipeline_max;	 /* requests awaiting their answer */
};

/* Defaults: 10 s head, 30 s body, 60 s idle, 1,024 per address, 8. */
void hconn_config_default(struct hconn_config *cfg);

/* The largest body the request may have (decided from its head). */
typedef size_t(hconn_body_h)(const struct http_msg *msg, void *arg);
/*
 * A complete request: msg (head and body) is valid during the call only.
 * The server must call hconn_reply() once for it, now or later, or take
 * the connection over with hconn_detach().
 */
typedef void(hconn_req_h)(struct hconn *c, const struct http_msg *msg,
			  void *arg);
/*
 * A request refused by the framing (400, 408, 413, 414, 431, 501, 505):
 * the server answers it with hconn_reply() like any request; the
 * connection reads nothing more and closes after that answer.
 */
typedef void(hconn_err_h)(struct hconn *c, int status, const char *why,
			  void *arg);

struct hconn_handlers {
	hconn_body_h *bodyh;
	hconn_req_h *reqh;
	hconn_err_h *errh;
	void *arg;
};

int hconn_listen(struct hconn_sock **sockp, const struct sa *laddr,
		 const struct hconn_config *cfg,
		 const struct hconn_handlers *h);
struct tcp_sock *hconn_sock_tcp(struct hconn_sock *sock);
/*
 * Stops accepting (the listening socket closes) and reading new requests;
 * idle connections close now, the others once their last answer is
 * sent. The sock stays allocated until mem_deref().
 */
void hconn_sock_drain(struct hconn_sock *sock);
/* Open connections (draining ones included). */
size_t hconn_sock_count(const struct hconn_sock *sock);
/* Connections refused at the caps since start. */
uint64_t hconn_sock_refused(const struct hconn_sock *sock);

/*
 * The answer of the oldest request still unanswered (mb: the bytes to
 * send, read from its pos; NULL sends nothing). The connection may close
 * after it (Connection: close, an error, draining). Harmless once the
 * peer has gone.
 */
void hconn_reply(struct hconn *c, struct mbuf *mb);
/* Whether the answer being written should say "Connection: close". */
bool hconn_closing(const struct hconn *c);
const struct sa *hconn_peer(const struct hconn *c);
/* Requests dispatched and not answered yet. */
unsigned hconn_pending(const struct hconn *c);
/*
 * Takes the TCP connection over (a WebSocket upgrade of the only request
 * in flight): returns it with a reference, and in *rest the bytes the
 * client sent after the request (or NULL). The hconn is closed.
 */
struct tcp_conn *hconn_detach(struct hconn *c, struct mbuf **rest);

#endif
