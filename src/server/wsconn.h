/*
 * wsconn — a server WebSocket (RFC 6455) over a connection taken from
 * hconn: the handshake, frames from the client read by wslay (masking,
 * fragments, control frames, UTF-8 and size checks, ping answered), frames
 * to the client written here (unmasked, so a batch of events is one
 * write), a keep-alive ping, and a close that lets the close frame reach
 * the client.
 *
 * Bytes waiting to be sent are the socket's queue (wsconn_queued): the
 * owner bounds it and decides what an overflow means. Loop thread only.
 */
#ifndef RELAIS_WSCONN_H
#define RELAIS_WSCONN_H

#include <stddef.h>
#include <stdint.h>

struct hconn;
struct http_msg;
struct mbuf;
struct wsconn;

/* A complete text message (not NUL-terminated). */
typedef void(wsconn_recv_h)(const char *text, size_t len, void *arg);
/* The connection ended without wsconn_close() (peer, error, timeout). */
typedef void(wsconn_close_h)(int err, void *arg);

/*
 * Answers the upgrade request msg of conn with 101 and takes the
 * connection over (conn must have no other request in flight). Returns
 * EBADMSG when msg is not a WebSocket upgrade (conn is untouched: answer
 * it), EBUSY when other requests are in flight. Messages over msg_max
 * close the connection (1009).
 */
int wsconn_accept(struct wsconn **wsp, struct hconn *conn,
		  const struct http_msg *msg, size_t msg_max,
		  wsconn_recv_h *recvh, wsconn_close_h *closeh, void *arg);
/* One text message. */
int wsconn_send(struct wsconn *ws, const char *text, size_t len);
/* Appends a text frame to mb: build a batch, then wsconn_send_frames(). */
int wsconn_frame(struct mbuf *mb, const char *text, size_t len);
int wsconn_send_frames(struct wsconn *ws, struct mbuf *mb);
/* Bytes accepted and not yet written to the socket. */
size_t wsconn_queued(const struct wsconn *ws);
/*
 * Sends a close frame and lets the connection finish on its own (no
 * handler is called any more); the owner may mem_deref() ws at once.
 */
void wsconn_close(struct wsconn *ws, uint16_t code, const char *reason);
/*
 * How long a close waits for the peer's close frame (2 s by default): the
 * time a slow reader has to take what was queued before the close, the
 * last message included. Past it the connection is dropped.
 */
void wsconn_set_linger(struct wsconn *ws, uint32_t ms);

#endif
