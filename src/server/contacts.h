/*
 * contacts — the contact service: the one owner of a contact's life.
 *
 * A contact arrives (contacts_create), is offered by the engine, accepted
 * or rejected by an agent, handled, ended, wrapped up; it may be
 * transferred, become a callback or be abandoned. Every one of these goes
 * through a function here, whoever asks: the HTTP API (contacts_api.c),
 * the demo robots, and each channel. A function checks what it can,
 * drives the engine, arms the engine's timer and has the change committed
 * (srv_commit_soon); it returns 0 or an errno value and never answers
 * HTTP:
 *   EINVAL  the request names something that does not fit (why says what)
 *   ENOENT  the contact is not offered to this agent / the agent is unknown
 *   EBUSY   the contact's state does not allow it now (why says why)
 * `why` is written in the language of whoever asked (lang.h).
 *   ENOMEM  or another: the server's fault
 * On error nothing has changed.
 *
 * A contact the engine holds lives in memory as a struct crec whose body
 * is both the API view and the stored row; each engine event updates it
 * and marks it dirty, and the dirty rows go into the batch before each
 * commit. Terminal contacts leave memory once written.
 */
#ifndef RELAIS_CONTACTS_H
#define RELAIS_CONTACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/engine.h"

struct srv;
struct srv_module;
struct lang_out;
struct user;

/* A contact the engine knows (not yet terminal), and its projection. */
struct crec {
	char id[40];
	uint64_t num;	/* the engine's id */
	json_t *body;	/* the projection row, also the API view: crec_body() */
	char *text;	/* a restored row not parsed yet (then body is NULL) */
	json_t *wrapup; /* disposition and notes, logged with the completion */
	bool dirty;	/* to be written with the open batch */
	bool done;	/* terminal: dropped from memory after the commit */
};

/* A new contact. */
struct new_contact {
	const char *tenant, *queue, *channel;
	const char *customer; /* customer id or NULL */
	int priority;
	const json_t *attributes; /* NULL: {} */
	bool callback;
	const char *by; /* who created it: a user id or a channel's name */
};

extern const struct srv_module contacts_module;
/* The agents' state and "why not" routes (agents.c), on the service. */
extern const struct srv_module agents_module;

/* Creates it and hands it to the engine; *out is the new contact. */
int contacts_create(struct srv *s, const struct new_contact *nc,
		    struct crec **out, struct lang_out *why);
/* The answer of an agent to the offer of c. */
int contacts_accept(struct srv *s, struct crec *c, const char *agent,
		    struct lang_out *why);
int contacts_reject(struct srv *s, struct crec *c, const char *agent,
		    struct lang_out *why);
/* Ends the handling (wrap-up follows when the queue has one). */
int contacts_end(struct srv *s, struct crec *c, struct lang_out *why);
/* A waiting contact becomes a callback, keeping its place. */
int contacts_callback(struct srv *s, struct crec *c, struct lang_out *why);
/*
 * A contact in progress asks to be called back: a new voice contact of
 * its customer arrives as a callback request in `queue` (a voice queue of
 * the tenant; NULL: the contact's own), then the contact itself ends (its
 * wrap-up follows). *out is the callback; EBUSY when not active, EINVAL
 * when it has no customer or the queue does not fit.
 */
int contacts_callback_request(struct srv *s, struct crec *c, const char *queue,
			      const char *by, struct crec **out,
			      struct lang_out *why);
/* The customer left (a waiting or offered contact). */
int contacts_abandon(struct srv *s, struct crec *c, struct lang_out *why);
/* To a queue of the contact's tenant or to an agent (one of them). */
int contacts_transfer(struct srv *s, struct crec *c, const char *queue,
		      const char *agent, struct lang_out *why);
/*
 * Wrap-up done, with a disposition (one of the queue's, or NULL) and
 * notes (NULL: unchanged); `by` is the user. The disposition is logged as
 * part of the completion, only once the engine has completed the contact.
 */
int contacts_wrapup(struct srv *s, struct crec *c, const json_t *disposition,
		    const json_t *notes, const char *by, struct lang_out *why);
/* An agent's state: available, paused or offline with a reason (NULL for
 * none; an offline reason says why: "disconnected"). */
int contacts_agent_state(struct srv *s, const char *agent, enum agent_state st,
			 const char *reason, struct lang_out *why);
/* Why the engine does not offer c to agent now. */
int contacts_why(struct srv *s, const struct crec *c, const char *agent,
		 enum why *why, char *text, size_t size);

/* A contact the engine holds, by id or by the engine's number; NULL. */
struct crec *contacts_find(struct srv *s, const char *id);
struct crec *contacts_find_num(struct srv *s, uint64_t num);
size_t contacts_count(struct srv *s);
/* Calls fn for each contact the engine holds (fn must not add or drop). */
void contacts_each(struct srv *s, void (*fn)(struct crec *c, void *arg),
		   void *arg);
/* Its body, parsed on first use for a restored contact (owned by c). */
json_t *crec_body(struct crec *c);
/*
 * Whether user u may see the contact of row b (its projection row): staff
 * of its tenant, and an agent only the contacts it holds or held last.
 */
bool contacts_visible(struct srv *s, const struct user *u, const json_t *b);
/* The API view: the row without its private fields. New reference. */
json_t *contacts_view(const json_t *body);
/* The view of a live contact, with its place in line and wait now. */
json_t *contacts_live_view(struct srv *s, struct crec *c);

#endif
