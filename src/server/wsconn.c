/*
 * A server WebSocket on libre's TCP with wslay reading the client's
 * frames (see wsconn.h).
 *
 * wslay pulls bytes through recv_cb from what libre delivered (rx) and
 * pushes its own frames (pong, close) through send_cb into the socket's
 * queue; data frames to the client are written here, whole, so frames
 * never interleave. The keep-alive pings every PING_MS and ends a client
 * that has sent nothing for two periods.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "server/libre.h"
#include <openssl/sha.h>
#include <re_base64.h>
#include <wslay/wslay.h>

#include "server/hconn.h"
#include "server/wsconn.h"

#define PING_MS	  30000
#define LINGER_MS 2000

struct wsconn {
	struct tcp_conn *tc;
	wslay_event_context_ptr ctx;
	struct mbuf *rx; /* received, not yet read by wslay */
	struct tmr tmr;
	bool heard;   /* the client sent something since the last ping */
	bool closing; /* wsconn_close() or the close handshake: no handler */
	wsconn_recv_h *recvh;
	wsconn_close_h *closeh;
	void *arg;
	uint32_t linger_ms;
};

static void ws_destructor(void *arg)
{
	struct wsconn *ws = arg;

	tmr_cancel(&ws->tmr);
	mem_deref(ws->tc);
	mem_deref(ws->rx);
	if (ws->ctx)
		wslay_event_context_free(ws->ctx);
}

/* The end, whoever asked: the owner hears of it unless it closed. */
static void ws_end(struct wsconn *ws, int err)
{
	bool tell = !ws->closing;

	tmr_cancel(&ws->tmr);
	ws->tc = mem_deref(ws->tc);
	if (tell) {
		ws->closing = true;
		ws->closeh(err, ws->arg);
	} else {
		mem_deref(ws); /* the reference wsconn_close() took */
	}
}

static ssize_t recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
		       int flags, void *user)
{
	struct wsconn *ws = user;
	size_t n = ws->rx ? mbuf_get_left(ws->rx) : 0;

	(void)flags;
	if (!n) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (n > len)
		n = len;
	(void)mbuf_read_mem(ws->rx, buf, n);
	return (ssize_t)n;
}

static ssize_t send_cb(wslay_event_context_ptr ctx, const uint8_t *data,
		       size_t len, int flags, void *user)
{
	struct wsconn *ws = user;
	struct mbuf mb;

	(void)flags;
	mb.buf = (uint8_t *)data;
	mb.size = mb.end = len;
	mb.pos = 0;
	if (!ws->tc || tcp_send(ws->tc, &mb)) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	return (ssize_t)len;
}

static void msg_cb(wslay_event_context_ptr ctx,
		   const struct wslay_event_on_msg_recv_arg *a, void *user)
{
	struct wsconn *ws = user;

	(void)ctx;
	if (a->opcode == WSLAY_TEXT_FRAME && !ws->closing)
		ws->recvh((const char *)a->msg, a->msg_length, ws->arg);
	else if (a->opcode == WSLAY_BINARY_FRAME)
		(void)wslay_event_queue_close(
			ws->ctx, WSLAY_CODE_UNSUPPORTED_DATA, NULL, 0);
}

static void shut_and_wait(struct wsconn *ws)
{
	int fd = ws->tc ? tcp_conn_fd(ws->tc) : -1;

	if (fd >= 0)
		(void)shutdown(fd, SHUT_WR);
}

static void linger_timeout(void *arg)
{
	ws_end(arg, ETIMEDOUT);
}

/* Writes what wslay queued; closes once both close frames crossed. */
static void pump(struct wsconn *ws)
{
	if (!ws->tc)
		return;
	if (wslay_event_send(ws->ctx)) {
		ws_end(ws, EPROTO);
		return;
	}
	if (wslay_event_get_close_sent(ws->ctx) &&
	    !wslay_event_get_read_enabled(ws->ctx)) {
		/* the handshake is over, or the client broke the protocol */
		if (!ws->closing) {
			ws_end(ws, 0);
			return;
		}
		shut_and_wait(ws);
	}
}

static void recv_handler(struct mbuf *mb, void *arg)
{
	struct wsconn *ws = arg;
	size_t n = mbuf_get_left(mb);

	ws->heard = true;
	if (!ws->rx) {
		ws->rx = mbuf_alloc(n > 4096 ? n : 4096);
		if (!ws->rx) {
			ws_end(ws, ENOMEM);
			return;
		}
	}
	/* keep what wslay has not read, append the rest */
	if (ws->rx->pos) {
		size_t left = mbuf_get_left(ws->rx);

		memmove(ws->rx->buf, mbuf_buf(ws->rx), left);
		ws->rx->end = left;
		ws->rx->pos = 0;
	}
	ws->rx->pos = ws->rx->end;
	if (mbuf_write_mem(ws->rx, mbuf_buf(mb), n)) {
		ws_end(ws, ENOMEM);
		return;
	}
	ws->rx->pos = 0;
	mem_ref(ws);
	if (wslay_event_get_read_enabled(ws->ctx) && wslay_event_recv(ws->ctx))
		(void)wslay_event_queue_close(
			ws->ctx, WSLAY_CODE_PROTOCOL_ERROR, NULL, 0);
	pump(ws);
	mem_deref(ws);
}

static void close_handler(int err, void *arg)
{
	ws_end(arg, err);
}

static void ping(void *arg)
{
	struct wsconn *ws = arg;
	struct wslay_event_msg m = {WSLAY_PING, NULL, 0};

	if (!ws->heard) {
		ws_end(ws, ETIMEDOUT);
		return;
	}
	ws->heard = false;
	(void)wslay_event_queue_msg(ws->ctx, &m);
	pump(ws);
	if (ws->tc && !ws->closing)
		tmr_start(&ws->tmr, PING_MS, ping, ws);
}

/* Sec-WebSocket-Accept: base64(SHA-1(key + the RFC's GUID)). */
static int accept_key(const struct pl *key, char out[32])
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	uint8_t md[SHA_DIGEST_LENGTH];
	char buf[128];
	size_t olen = 31;

	if (key->l + sizeof(guid) > sizeof(buf))
		return EBADMSG;
	memcpy(buf, key->p, key->l);
	memcpy(buf + key->l, guid, sizeof(guid) - 1);
	SHA1((const unsigned char *)buf, key->l + sizeof(guid) - 1, md);
	if (base64_encode(md, sizeof(md), out, &olen))
		return EBADMSG;
	out[olen] = '\0';
	return 0;
}

static int upgrade_check(const struct http_msg *msg, char acc[32])
{
	const struct http_hdr *key;

	if (!http_msg_hdr_has_value(msg, HTTP_HDR_UPGRADE, "websocket") ||
	    !http_msg_hdr_has_value(msg, HTTP_HDR_CONNECTION, "Upgrade") ||
	    !http_msg_hdr_has_value(msg, HTTP_HDR_SEC_WEBSOCKET_VERSION, "13"))
		return EBADMSG;
	key = http_msg_hdr(msg, HTTP_HDR_SEC_WEBSOCKET_KEY);
	if (!key || key->val.l != 24)
		return EBADMSG;
	return accept_key(&key->val, acc);
}

static int start(struct wsconn *ws, size_t msg_max, const char *acc,
		 struct mbuf *rest)
{
	static const struct wslay_event_callbacks cb = {
		.recv_callback = recv_cb,
		.send_callback = send_cb,
		.on_msg_recv_callback = msg_cb,
	};
	struct mbuf *mb = mbuf_alloc(160);
	int err;

	if (!mb || wslay_event_context_server_init(&ws->ctx, &cb, ws)) {
		mem_deref(mb);
		return ENOMEM;
	}
	wslay_event_config_set_max_recv_msg_length(ws->ctx, msg_max);
	err = mbuf_printf(mb,
			  "HTTP/1.1 101 Switching Protocols\r\n"
			  "Upgrade: websocket\r\n"
			  "Connection: Upgrade\r\n"
			  "Sec-WebSocket-Accept: %s\r\n\r\n",
			  acc);
	mb->pos = 0;
	if (!err)
		err = tcp_send(ws->tc, mb);
	mem_deref(mb);
	if (err)
		return err;
	tcp_set_handlers(ws->tc, NULL, recv_handler, close_handler, ws);
	/* libre refuses a write past 512 KiB queued, in the middle of a
	 * frame: the owner bounds the queue itself (wsconn_queued) */
	tcp_conn_txqsz_set(ws->tc, SIZE_MAX / 2);
	ws->heard = true;
	tmr_start(&ws->tmr, PING_MS, ping, ws);
	if (rest)
		recv_handler(rest, ws);
	return 0;
}

int wsconn_accept(struct wsconn **wsp, struct hconn *conn,
		  const struct http_msg *msg, size_t msg_max,
		  wsconn_recv_h *recvh, wsconn_close_h *closeh, void *arg)
{
	struct mbuf *rest = NULL;
	struct wsconn *ws;
	char acc[32];
	int err = upgrade_check(msg, acc);

	if (err)
		return err;
	if (hconn_pending(conn) > 1)
		return EBUSY;
	ws = mem_zalloc(sizeof(*ws), ws_destructor);
	if (!ws)
		return ENOMEM;
	tmr_init(&ws->tmr);
	ws->recvh = recvh;
	ws->closeh = closeh;
	ws->arg = arg;
	ws->tc = hconn_detach(conn, &rest);
	if (!ws->tc) {
		mem_deref(ws);
		mem_deref(rest);
		return ENOTCONN;
	}
	*wsp = ws;
	err = start(ws, msg_max, acc, rest);
	mem_deref(rest);
	if (err) {
		*wsp = NULL;
		mem_deref(ws);
	}
	return err;
}

int wsconn_frame(struct mbuf *mb, const char *text, size_t len)
{
	int err = mbuf_write_u8(mb, 0x81); /* FIN, text */

	if (len < 126) {
		err |= mbuf_write_u8(mb, (uint8_t)len);
	} else if (len < 65536) {
		err |= mbuf_write_u8(mb, 126);
		err |= mbuf_write_u16(mb, htons((uint16_t)len));
	} else {
		err |= mbuf_write_u8(mb, 127);
		for (int i = 7; i >= 0; i--)
			err |= mbuf_write_u8(mb, (uint8_t)(len >> (8 * i)));
	}
	return err | mbuf_write_mem(mb, (const uint8_t *)text, len);
}

int wsconn_send_frames(struct wsconn *ws, struct mbuf *mb)
{
	if (!ws->tc || ws->closing)
		return ENOTCONN;
	mb->pos = 0;
	return tcp_send(ws->tc, mb);
}

int wsconn_send(struct wsconn *ws, const char *text, size_t len)
{
	struct mbuf *mb = mbuf_alloc(len + 10);
	int err;

	if (!mb)
		return ENOMEM;
	err = wsconn_frame(mb, text, len);
	if (!err)
		err = wsconn_send_frames(ws, mb);
	mem_deref(mb);
	return err;
}

size_t wsconn_queued(const struct wsconn *ws)
{
	return ws->tc ? tcp_conn_txqsz(ws->tc) : 0;
}

void wsconn_set_linger(struct wsconn *ws, uint32_t ms)
{
	ws->linger_ms = ms;
}

void wsconn_close(struct wsconn *ws, uint16_t code, const char *reason)
{
	if (!ws || ws->closing)
		return;
	ws->closing = true;
	if (!ws->tc)
		return;
	mem_ref(ws); /* kept until the close handshake ends */
	(void)wslay_event_queue_close(ws->ctx, code, (const uint8_t *)reason,
				      reason ? strlen(reason) : 0);
	tmr_start(&ws->tmr, ws->linger_ms ? ws->linger_ms : LINGER_MS,
		  linger_timeout, ws);
	pump(ws);
}
