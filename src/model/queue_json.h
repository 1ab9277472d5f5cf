/*
 * queue_json — the engine's queue (core/engine.h) from a Queue described
 * in JSON, as the API and a scenario's queues give it, once its fields
 * have been checked (jv.h).
 */
#ifndef RELAIS_QUEUE_JSON_H
#define RELAIS_QUEUE_JSON_H

#include <jansson.h>

#include "core/engine.h"

/*
 * Fills q from body; its strings point into body. steps receives the
 * body's steps (json_array_size of "steps" entries, at most 32 once
 * checked) and q points to it.
 */
void queue_json_fill(const json_t *body, struct engine_queue *q,
		     struct engine_step *steps);

#endif
