/* The voice channel's routes (voice_api.c). */
#ifndef RELAIS_VOICE_API_H
#define RELAIS_VOICE_API_H

#include <jansson.h>

#include "server/web.h"

struct route;
struct call;

extern const struct route voice_routes[];
/* The API view of a live call (GET /api/v1/contacts/{id}/call). */
json_t *call_view(const struct call *c);

#endif
