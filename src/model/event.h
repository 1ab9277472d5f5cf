/*
 * event — the codec of the event log: the one place that knows the shape
 * of each logged event's data. Writers encode a typed struct into the JSON
 * the log holds; every reader (realtime statistics, interval reports, the
 * stream, `relais history`, `relais sim replay` and its day file) decodes
 * the log's rows back into the same structs. docs/events.md describes the
 * schema for people; tests/test_event.c checks both agree.
 *
 * A row is (seq, time, tenant, type, data): the type names the shape of
 * data. The engine's events (contact.*, offer.*, callback.*, agent.state)
 * are its struct engine_event plus the contact's id; the others each have
 * a struct below.
 *
 * Versions. Every type is at version 1 and its rows carry no version, so
 * the log written before the codec reads as it is. A shape that changes
 * incompatibly gets version 2: its encoder adds "v":2, and its decoder
 * keeps reading rows without "v" (version 1) and with "v":1. A row of a
 * version newer than this relais knows is refused, never misread.
 *
 * Decoding never allocates but for event_parse's JSON: the strings of a
 * decoded event are borrowed from the JSON it was decoded from. Encoding
 * and decoding are pure (no clock, no I/O); any thread.
 */
#ifndef RELAIS_EVENT_H
#define RELAIS_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/engine.h"

/*
 * The types of event. The engine's come first, with the values of enum
 * engine_event_type: (enum event_type)EV_CONTACT_QUEUED is contact.queued.
 */
enum event_type {
	EVENT_ENGINE_MAX = EV_MAX,		  /* below it, the engine's */
	EVENT_CONTACT_CREATED = EVENT_ENGINE_MAX, /* made by a user */
	EVENT_CONTACT_REQUEUED,	   /* a restart put it back in line */
	EVENT_CONTACT_DISPOSITION, /* its wrap-up was filled in */
	EVENT_CUSTOMER_CREATED,
	EVENT_CUSTOMER_UPDATED,
	EVENT_AUDIT_CUSTOMER_READ,    /* a user read a customer's record */
	EVENT_AUDIT_CONFIG,	      /* a configuration object changed */
	EVENT_AUDIT_LOGIN,	      /* a user logged in */
	EVENT_AUDIT_LOGIN_FAILED,     /* a login was refused */
	EVENT_AUDIT_AGENT_STATE,      /* a user set an agent's state */
	EVENT_CONTACT_MESSAGE,	      /* a message of a written contact */
	EVENT_CONTACT_MESSAGE_STATUS, /* a later status of a message */
	EVENT_CONTACT_ATTACHMENT,     /* a file was attached to a contact */
	EVENT_CONTACT_CSAT,	      /* the customer rated the contact */
	EVENT_CONTACT_TRANSCRIPT,     /* the customer asked for its text */
	EVENT_AUDIT_CUSTOMER_ERASED,  /* an admin erased a customer's data */
	EVENT_AUDIT_RETENTION,	      /* old messages were redacted */
	EVENT_CONTACT_CALL,	      /* a control of a call (hold, record) */
	EVENT_AUDIT_SUPERVISION,      /* a supervisor joined a call */
	EVENT_TYPE_MAX,
};

/* The last version of each type is 1 (see above). */
#define EVENT_VERSION 1

/*
 * An event of the engine as logged. ev.tenant and ev.time are the row's,
 * not the data's: a decoder leaves them NULL and 0 (set them from the
 * row); ev.contact (the engine's number) and ev.priority are not logged
 * and decode as 0.
 */
struct event_engine {
	struct engine_event ev;
	const char *contact; /* the contact's id; NULL for an agent's event */
};

struct event_contact_created {
	const char *contact, *queue;
	enum channel channel;
	const char *customer; /* its customer's id, or NULL (JSON null) */
	int priority;
	const json_t *attributes; /* an object (borrowed) */
	const char *user;	  /* who created it */
};

struct event_contact_requeued {
	const char *contact, *queue;
	const char *reason; /* "restart" */
	const char *was;    /* the state it had, as its row said */
};

struct event_contact_disposition {
	const char *contact;
	const char *disposition, *notes; /* NULL: JSON null */
	const char *user;
};

/* customer.created, customer.updated */
struct event_customer {
	const char *customer, *user;
};

struct event_customer_read {
	const char *customer, *user;
	const char *path; /* the request that read it */
};

struct event_audit_config {
	const char *action; /* create, update, delete */
	const char *kind;   /* the route's plural: "queues" */
	const char *id;
	const char *user; /* the user's id, "" for the command line */
	const char *username;
};

/* audit.login, audit.login_failed (user "": no such user) */
struct event_audit_login {
	const char *user, *username;
	const char *peer; /* the client's address */
};

/* Its agent is "id", not "agent": not a topic of the agent (event_agent). */
struct event_audit_agent_state {
	const char *id;	    /* the agent's */
	const char *state;  /* available, paused, offline */
	const char *reason; /* the pause's, NULL (JSON null) otherwise */
	const char *user, *username;
};

/*
 * contact.message: a message of a written contact (chat, email, sms).
 * agent and queue are the contact's when it was written (the stream's
 * topics: the holding agent gets it); user is who wrote it when the
 * author is an agent or the system acting for a user, NULL otherwise.
 */
struct event_contact_message {
	const char *contact, *message; /* the message's id */
	const char *queue, *agent;     /* NULL: absent */
	enum channel channel;	       /* chat, email, sms */
	const char *direction;	       /* in, out */
	const char *author;	       /* customer, agent, system */
	const char *user;	       /* NULL: absent */
	const char *text;
	const char *html, *subject, *cc; /* email's; NULL: absent */
	const json_t *attachments;	 /* array of ids; NULL: absent */
	const char *status;		 /* queued, sent, delivered, failed */
	const char *reason;		 /* failed's; NULL: absent */
	const char *mail_id; /* email's Message-ID (or sha256:HEX of a mail
				without one); NULL: absent */
	bool redacted;	     /* erased or expired: its words are gone */
};

/* contact.message_status: a message's later status. */
struct event_contact_message_status {
	const char *contact, *message;
	const char *queue, *agent; /* NULL: absent */
	const char *status;
	const char *reason; /* NULL: absent */
};

/* contact.attachment: a file stored for a contact (its metadata). */
struct event_contact_attachment {
	const char *contact, *attachment; /* its id */
	const char *name, *type;	  /* file name, media type */
	int64_t size;
	const char *sha256; /* 64 hex digits: its name on disk */
	const char *user;   /* who uploaded it; NULL: absent (a channel) */
	bool redacted;	    /* erased or expired: name "", file deleted */
};

/*
 * contact.csat: the customer's rating of a contact (1 to 5) and comment.
 * queue, agent and site are the contact's (who handled it), for the
 * quality figures per queue, agent, tenant and site.
 */
struct event_contact_csat {
	const char *contact;
	const char *queue, *agent, *site; /* NULL: absent */
	enum channel channel;
	int score;	     /* 1..5 */
	const char *comment; /* NULL: absent */
};

/* contact.transcript: the customer asked for the conversation by email. */
struct event_contact_transcript {
	const char *contact;
	const char *email; /* where to send it */
	const char *lang;  /* the customer's language: en, fr */
};

/*
 * audit.customer_erased: an admin erased a customer's messages and
 * attachments and anonymised the record (DELETE .../customers/{id}/data).
 */
struct event_audit_customer_erased {
	const char *customer, *user;
	int contacts, messages, attachments; /* what was erased */
};

/*
 * audit.retention: a tenant's messages and attachments older than its
 * retention were redacted, by the daily sweep or an admin's run.
 */
struct event_audit_retention {
	int64_t before_ms; /* what was older than this (UTC ms) */
	int messages, attachments;
	const char *user; /* who ran it; NULL: the daily sweep */
};

/*
 * contact.call: what a user (or the phone) did to a call: "hold",
 * "resume", "record_pause", "record_resume", "transfer", "consult",
 * "consult_complete", "consult_cancel".
 */
struct event_contact_call {
	const char *contact;
	const char *action;
	const char *agent;  /* the call's agent, or NULL */
	const char *target; /* transfer, consult: the queue, agent or number */
	const char *user;   /* who asked; NULL: the phone */
};

/* audit.supervision: a supervisor listens, whispers or barges in. */
struct event_audit_supervision {
	const char *contact;
	const char *mode; /* listen, whisper, barge, end */
	const char *agent;
	const char *user;
};

struct event {
	enum event_type type;
	int version; /* of the row (decoded); the encoder writes the last */
	union {
		struct event_engine engine; /* type < EVENT_ENGINE_MAX */
		struct event_contact_created created;
		struct event_contact_requeued requeued;
		struct event_contact_disposition disposition;
		struct event_customer customer;
		struct event_customer_read customer_read;
		struct event_audit_config config;
		struct event_audit_login login; /* and login_failed */
		struct event_audit_agent_state agent_state;
		struct event_contact_message message;
		struct event_contact_message_status message_status;
		struct event_contact_attachment attachment;
		struct event_contact_csat csat;
		struct event_contact_transcript transcript;
		struct event_audit_customer_erased erased;
		struct event_audit_retention retention;
		struct event_contact_call call;
		struct event_audit_supervision supervision;
	} u;
	json_t *json; /* event_parse's data, which the strings point into */
};

/* The type's name as the log holds it (static), or "?". */
const char *event_type_name(enum event_type t);
/* The type named s (NULL or unknown: false, *tp untouched). */
bool event_type_parse(const char *s, enum event_type *tp);

/*
 * The data of ev as the log holds it (its type's fields in the order the
 * log has always had): a new reference, or NULL when memory ran out or
 * ev->type is not a type.
 */
json_t *event_encode(const struct event *ev);

/* The same for an engine event: ev plus its contact's id (or NULL). */
json_t *event_engine_encode(const struct engine_event *ev, const char *contact);

/*
 * A row's type and data into ev; the strings are borrowed from data.
 * Returns 0, or EINVAL with msg saying what is wrong ("contact.queued:
 * wait_ms: expected an integer"): an unknown type, a missing or mistyped
 * field, an unknown name of a state or channel, a version this relais does
 * not know. Fields it does not know are ignored.
 */
int event_decode(struct event *ev, const char *type, const json_t *data,
		 char *msg, size_t size);

/*
 * event_decode from the log's text; ev->json holds the parsed data until
 * event_release. Returns 0, EINVAL (msg filled; nothing to release) or
 * ENOMEM.
 */
int event_parse(struct event *ev, const char *type, const char *text, char *msg,
		size_t size);
void event_release(struct event *ev);

/*
 * The queue and the agent an event is about (NULL when none): the stream's
 * topics queue:ID and agent:ID.
 */
const char *event_queue(const struct event *ev);
const char *event_agent(const struct event *ev);

#endif
