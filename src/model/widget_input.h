/*
 * widget_input — what the web chat reads from the outside world, checked
 * here, pure (no I/O, no loop) so that it is unit-tested and fuzzed on its
 * own (fuzz/fuzz_widget.c):
 *   - the shapes of the widgets kind and of the visitor's bodies (jv
 *     tables: a new conversation, a rating, a transcript request);
 *   - an allowed origin, "scheme://host[:port]" as a browser sends it;
 *   - a visitor token, and the Authorization header that carries it.
 */
#ifndef RELAIS_WIDGET_INPUT_H
#define RELAIS_WIDGET_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/jv.h"

/* A widget's configuration (without its read-only id, dates and key). */
extern const struct jv_field widget_config_fields[];
/* POST /api/v1/widget/{key}/conversations */
extern const struct jv_field widget_conversation_fields[];
/* POST .../csat and .../transcript */
extern const struct jv_field widget_csat_fields[];
extern const struct jv_field widget_transcript_fields[];

/* A visitor token: "rv_" then 64 lower-case hex digits (32 random bytes). */
#define WIDGET_TOKEN_PREFIX "rv_"
#define WIDGET_TOKEN_LEN    67
#define WIDGET_TOKEN_SIZE   (WIDGET_TOKEN_LEN + 1)

/*
 * Whether o is an origin as a browser writes it: http or https, "://", a
 * host name of lower-case letters, digits, '-' and '.' (or an IPv6
 * address in brackets), an optional port 1 to 65535, and nothing more (no
 * path, no slash at the end).
 */
bool widget_origin_ok(const char *o);

/* Whether t has the shape of a visitor token. */
bool widget_token_ok(const char *t);

/*
 * The visitor token of an Authorization header value (len bytes, not
 * NUL-terminated): "Bearer " (the scheme in any case) and a token of the
 * right shape, copied into out. false: not a visitor's header.
 */
bool widget_bearer(const char *value, size_t len, char out[WIDGET_TOKEN_SIZE]);

/*
 * Whether e looks like an email address the email channel can send to:
 * one '@' with something before it, a dotted domain after it, no space,
 * quote, comma or angle bracket.
 */
bool widget_email_ok(const char *e);

/*
 * Checks an array of allowed origins (body[field], absent: fine): the
 * index of the first that is not one, or -1 when all are.
 */
long widget_origins_bad(const json_t *origins);

#endif
