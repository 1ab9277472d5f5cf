/*
 * email — the email channel on the server: mailboxes as configuration
 * (mailboxes.c), each read over IMAP and written to over SMTP off the
 * loop (channel.c), every mail a message of a contact (ingest.c), and
 * what relais sends: agents' answers, acknowledgements, out-of-hours
 * replies and transcripts (outbound.c).
 *
 * One mailbox, one poller: a worker thread (worker.h) that owns its IMAP
 * connection and sends its mail, so that libcurl's blocking calls never
 * hold the loop. A poll fetches what waits (IMAP_PENDING), parses it and
 * stores the attachments on that thread; the loop turns each mail into
 * events; once they are on disk the poller marks the mails done on the
 * server and sends the automatic answers. Nothing is marked before it is
 * durable, and a mail already taken (its Message-ID is in the log) is
 * only marked: a crash between the two never makes a second contact.
 */
#ifndef RELAIS_CHANNELS_EMAIL_EMAIL_H
#define RELAIS_CHANNELS_EMAIL_EMAIL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "channels/email/mailnet.h"
#include "channels/email/mime.h"

struct srv;
struct kind;
struct worker;
struct imap;
struct srv_module;
struct channel_ops;

extern const struct kind mailboxes_kind;
extern const struct srv_module email_module;
extern const struct channel_ops email_channel;

/* How long a sender waits for a second automatic answer. */
#define EMAIL_AUTO_GAP_MS (10 * 60 * 1000)
/* The most mails one poll takes. */
#define EMAIL_POLL_MAX 500
/* The largest mail fetched. */
#define EMAIL_MAIL_MAX (30u << 20)

/* A mailbox's settings, copied for its thread. */
struct mbox_conf {
	char *id, *tenant, *queue, *address, *name;
	struct mail_server imap, smtp;
	int64_t poll_ms;
};

/* A mail fetched by a poll. */
struct fetched {
	uint32_t uid;
	struct mail_msg *msg; /* NULL: unreadable (err) */
	char sha256[65];      /* of the raw mail */
	int err;
};

/* One mailbox's poller (channel.c). */
struct mbox {
	struct email *em;
	json_t *body; /* the configuration it runs with (a reference) */
	struct mbox_conf conf;
	struct worker *w;   /* polls and marks */
	struct worker *out; /* sends: a slow SMTP server never delays a poll */
	struct imap *im;    /* w's */
	int64_t next_ms;    /* the next poll */
	bool busy;	    /* a poll, its events or its marks under way */
	bool full;	    /* the last poll took EMAIL_POLL_MAX mails */
	int64_t wait_seq;
	uint32_t *marks; /* mails to mark done once wait_seq is on disk */
	size_t nmarks;
	json_t *autos; /* the automatic answers to send then */
	size_t sending;
};

/* The module's state. */
struct email {
	struct srv *s;
	json_t *ids;	   /* mail_id -> contact (mails taken) */
	json_t *refs;	   /* contact reference -> contact id */
	json_t *tenants;   /* contact id -> tenant (email contacts) */
	json_t *last_in;   /* contact id -> the last mail_id received */
	json_t *last_auto; /* "tenant\taddress" -> time of the last auto */
	struct mbox **boxes;
	size_t nboxes;
	uint64_t polls, mails, sent, send_errors; /* for /metrics */
};

struct email *email_state(struct srv *s);
/*
 * The pollers after the configuration (every second, and before a
 * delivery at start-up, which comes before the first second).
 */
void email_sync(struct email *em);
/* The poller of mailbox id, or NULL. */
struct mbox *email_mbox(struct email *em, const char *id);

/* ---- ingest.c: on the loop ---- */

/* Records what mail f says for mailbox mb. 0, or an errno: try again. */
int email_ingest(struct mbox *mb, struct fetched *f);
/*
 * Indexes a mail of the log or one just taken; latest: it is the newest
 * of its contact (the log is read newest first: only the first seen is).
 */
void email_index(struct email *em, const char *tenant, const char *contact,
		 const char *mail_id, bool latest);

/* ---- outbound.c ---- */

/*
 * A mail to send from mailbox mb, as JSON so that it crosses threads
 * whole: {"to","cc":[...],"subject","text","message_id","in_reply_to",
 * "auto":bool,"files":[{name,type,sha256}],"contact","message"}.
 * contact/message: the message whose status follows; absent for others.
 * Takes the reference. 0 or ENOMEM.
 */
int email_send(struct mbox *mb, json_t *mail);
/* The automatic answer to a new contact (acknowledgement or closed). */
json_t *email_auto_reply(struct mbox *mb, const struct mail_msg *m,
			 const char *contact, bool closed);
/* The agent's message through its contact's mailbox (channel_ops). */
struct channel_message;
int email_deliver(struct srv *s, void *state, const struct channel_message *m);
/* A transcript asked for (contact.transcript). */
void email_transcript(struct email *em, const char *tenant, const char *contact,
		      const char *to, const char *lang);

#endif
