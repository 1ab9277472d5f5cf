/*
 * stream — the WebSocket stream (GET /api/v1/stream): committed events
 * pushed to the subscribers of their topics, catch-ups from the log, the
 * realtime statistics once a second. A server module (module.h); its
 * state (the streams, their limits, the catch-up reader) is its own.
 */
#ifndef RELAIS_STREAM_H
#define RELAIS_STREAM_H

#include <stddef.h>

#include <jansson.h>

#include "server/module.h"

struct srv;
struct hreq;

extern const struct srv_module stream_module;

/*
 * Pushes msg, which is not logged (contact.typing), to the live streams
 * following tenant, queue or agent (each may be NULL), under the same
 * rules as a logged event's.
 */
void stream_signal(struct srv *s, const char *tenant, const char *queue,
		   const char *agent, const json_t *msg);

/*
 * The streams that are not a user's: the web chat's visitors
 * (GET /api/v1/stream?visitor=TOKEN), kept by the module that knows them.
 * open takes such an upgrade request (and answers it); signal sees every
 * signal of stream_signal.
 */
struct stream_visitors {
	void (*open)(struct hreq *r);
	void (*signal)(struct srv *s, const json_t *msg);
};
/* v is borrowed for the server's life (a static table). */
void stream_visitors_set(struct srv *s, const struct stream_visitors *v);

#endif
