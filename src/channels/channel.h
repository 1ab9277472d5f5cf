/*
 * channel — how contacts reach relais and how relais answers them.
 *
 * A channel implementation (web chat, email, SMS, voice) turns what its
 * medium brings into calls of the contact service (contacts.h:
 * contacts_create, contacts_abandon...), and carries out what the engine
 * decides for the contacts of its channel: ring the agent's phone on an
 * offer, stop ringing when the offer is withdrawn, dial a callback, record
 * a voicemail, play the closed message, release the medium at the end. It
 * also delivers the outbound messages agents write.
 *
 * The registry (registry.c) names the implementation of each channel of
 * the engine (core/engine.h: enum channel, engine_channel_names, the one
 * list of channels), starts and stops them with the server, and hands each
 * engine decision to the implementation of the contact's channel.
 * docs/architecture.md says how to add one.
 */
#ifndef RELAIS_CHANNEL_H
#define RELAIS_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/engine.h"

struct srv;
struct srv_module;

/* What the engine decided for a contact, as a channel must carry it out. */
enum channel_act {
	CHAN_OFFERED,	     /* offer the contact to `agent` (ring, show) */
	CHAN_WITHDRAWN,	     /* stop offering it to `agent` (withdrawn, missed,
				rejected) */
	CHAN_CALLBACK_OFFER, /* propose a callback to the customer */
	CHAN_CALLBACK_DIAL,  /* `agent` took the callback: call the customer */
	CHAN_VOICEMAIL,	     /* record a message; the contact is over */
	CHAN_CLOSED, /* closed: say so (`reason`); the contact is over */
	CHAN_ENDED,  /* completed or abandoned: release the medium */
	CHAN_ACT_MAX,
};

struct channel_decision {
	enum channel_act act;
	const char *contact; /* the contact's id */
	const char *tenant, *queue;
	const char *agent;    /* OFFERED, WITHDRAWN, CALLBACK_DIAL */
	const char *customer; /* or NULL */
	const char *reason;   /* or NULL */
};

/*
 * A message an agent wrote, for the channel to deliver. The channel
 * reports what became of it later with messages_set_status(id).
 */
struct channel_message {
	const char *contact, *tenant;
	const char *to; /* the customer's address on the medium, or NULL */
	const char *subject;
	const char *text;
	const char *id;		   /* the message's (contact.message) */
	const char *cc;		   /* email's copies, or NULL */
	const json_t *attachments; /* array of {id,name,type,size,sha256} */
};

/* An implementation; every operation may be NULL. */
struct channel_ops {
	const char *name; /* the implementation's, for logs */
	/* With the server: 0 or errno (the server does not start). */
	int (*start)(struct srv *s, void **state);
	void (*stop)(struct srv *s, void *state);
	void (*decision)(struct srv *s, void *state,
			 const struct channel_decision *d);
	/* 0 once accepted for delivery; ENOTSUP: the medium has none. */
	int (*deliver)(struct srv *s, void *state,
		       const struct channel_message *m);
};

extern const struct srv_module channels_module;

/* The implementation of a channel of the engine. */
const struct channel_ops *channel_of(enum channel ch);
const char *channel_act_name(enum channel_act act);

/* The act an engine event asks of the contact's channel; false: none. */
bool channel_act_of(const struct engine_event *ev, enum channel_act *act);

/*
 * Hands ev (an event of contact `id`) to channel c, if it asks an act of
 * it. Returns whether c was called.
 */
bool channel_dispatch(const struct channel_ops *c, void *state, struct srv *s,
		      const struct engine_event *ev, const char *id);

/* Delivers m through the channel of contact ch. 0, ENOTSUP or errno. */
int channel_deliver(struct srv *s, enum channel ch,
		    const struct channel_message *m);

#endif
