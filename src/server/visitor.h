/*
 * visitor — the web chat's visitors: the token a visitor gets with its
 * conversation, the routes that token opens (that conversation only), the
 * visitor's stream, and the rate limits of everything public the chat
 * serves.
 *
 * A token is 32 random bytes (libsodium), shown once; the store keeps its
 * SHA-256 only (table visitors: hash -> the conversation, its widget and
 * tenant, what the visitor may still do), so that a restart keeps it and
 * a copy of the store opens nothing. A token stops working some hours
 * after its conversation ends (RELAIS_VISITOR_TTL_S, 6 hours), when its
 * row is swept.
 *
 * The routes (public: the token is checked here, never a staff session):
 *   GET  /api/v1/widget/conversations/{id}
 *   GET  /api/v1/widget/conversations/{id}/messages?after=N
 *   POST /api/v1/widget/conversations/{id}/messages
 *   POST /api/v1/widget/conversations/{id}/typing
 *   POST /api/v1/widget/conversations/{id}/attachments?name=N
 *   POST /api/v1/widget/conversations/{id}/end
 *   POST /api/v1/widget/conversations/{id}/csat
 *   POST /api/v1/widget/conversations/{id}/transcript
 *   GET  /api/v1/stream?visitor=TOKEN (handed over by the stream module)
 *   GET  /api/v1/attachments/{id} (the messages module asks)
 * Any other conversation is 404, an unknown or expired token 401, too many
 * requests 429 with Retry-After.
 */
#ifndef RELAIS_VISITOR_H
#define RELAIS_VISITOR_H

#include <stdbool.h>

#include "model/widget_input.h"

struct srv;
struct hreq;
struct srv_module;

extern const struct srv_module visitor_module;

/*
 * A new token for contact (of tenant, through widget), the visitor
 * speaking lang: into tok, its hash in the open batch. 0 or ENOMEM.
 */
int visitor_token_new(struct srv *s, const char *contact, const char *tenant,
		      const char *widget, const char *lang,
		      char tok[WIDGET_TOKEN_SIZE]);

/*
 * The rate limit of the public routes of the chat for r's client address
 * (and, when create, the tighter one of new conversations): true to go
 * on, false with the 429 sent.
 */
bool visitor_admit(struct hreq *r, bool create);

#endif
