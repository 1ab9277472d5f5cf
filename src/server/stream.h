/*
 * stream — the WebSocket stream (GET /api/v1/stream): committed events
 * pushed to the subscribers of their topics, catch-ups from the log, the
 * realtime statistics once a second. A server module (module.h); its
 * state (the streams, their limits, the catch-up reader) is its own.
 */
#ifndef RELAIS_STREAM_H
#define RELAIS_STREAM_H

#include <stddef.h>

#include "server/module.h"

struct srv;

extern const struct srv_module stream_module;

#endif
