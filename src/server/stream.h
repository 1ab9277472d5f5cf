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

extern const struct srv_module stream_module;

/*
 * Pushes msg, which is not logged (contact.typing), to the live streams
 * following tenant, queue or agent (each may be NULL), under the same
 * rules as a logged event's.
 */
void stream_signal(struct srv *s, const char *tenant, const char *queue,
		   const char *agent, const json_t *msg);

#endif
