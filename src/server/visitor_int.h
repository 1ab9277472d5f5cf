/*
 * visitor_int — what visitor.c (tokens, routes, limits) and
 * visitor_stream.c (the visitors' streams) share: the module's state and
 * a few of each other's functions. Not for other files.
 */
#ifndef RELAIS_VISITOR_INT_H
#define RELAIS_VISITOR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/rate.h"
#include "server/libre.h"

struct srv;
struct hreq;
struct pub;
struct stream_visitors;

struct visitors {
	struct srv *srv;
	json_t *tokens;	    /* hash -> row */
	json_t *by_contact; /* contact -> hash */
	struct rate per_visitor, per_addr, new_per_addr;
	struct list streams; /* visitor_stream.c's */
	int64_t ttl_ms;	     /* a token's life after its conversation ends */
};

/* ---- visitor.c ---- */

struct visitors *visitor_state(struct srv *s);
/* The row of a token (NULL: unknown or expired); its hash into hash. */
json_t *visitor_token_row(struct visitors *v, const char *tok, char hash[65]);
/* ?lang=, the limits of r's address and of the token of hash: false
 * with the 429 sent. */
bool visitor_admit_token(struct hreq *r, const char *hash);
void visitor_too_many(struct hreq *r, int64_t wait_ms);
/* An agent's display name, or NULL (borrowed). */
const char *visitor_agent_name(struct srv *s, const char *agent);

/* ---- visitor_stream.c ---- */

/* The stream module's hooks: a visitor's upgrade, the agent's typing. */
extern const struct stream_visitors visitor_stream_hooks;
/* on_commit: each event of a followed contact to its live streams. */
void visitor_streams_publish(struct srv *s, struct visitors *v,
			     const struct pub *pubs, size_t n);
/* Each second: the place in line of the waiting ones, when it changed. */
void visitor_streams_tick(struct visitors *v);
/* Closes the streams of the token of hash (NULL: every stream). */
void visitor_streams_end(struct visitors *v, const char *hash, uint16_t code,
			 const char *why);

#endif
