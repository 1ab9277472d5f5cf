/*
 * messages — the messages of written contacts (chat, email, sms) and
 * their attachments: one model for every written channel.
 *
 * A message is a contact.message event in the log; its later statuses
 * are contact.message_status events; an attachment is a file on disk
 * (attachments.h) and a contact.attachment event holding its metadata.
 * The module keeps the projection in memory (per contact, its messages
 * in log order; the attachments by id), rebuilt from the log at start-up
 * and kept as events commit, and serves:
 *   GET  /api/v1/contacts/{id}/messages?after=SEQ
 *   POST /api/v1/contacts/{id}/messages
 *   POST /api/v1/contacts/{id}/attachments?name=NAME (the raw file)
 *   GET  /api/v1/attachments/{id}
 * An agent's message is logged "queued"; once it is durable it goes to
 * the contact's channel (channel_deliver): a channel that has no medium
 * of its own (ENOTSUP, the api channel: the outside system reads the
 * message from the stream) marks it "sent"; a refusal marks it "failed".
 * A voice contact has no messages: its routes answer 409.
 */
#ifndef RELAIS_MESSAGES_H
#define RELAIS_MESSAGES_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct srv;
struct crec;
struct srv_module;
struct hreq;

extern const struct srv_module messages_module;

/* What a channel received from the customer. */
struct message_in {
	const char *text;
	const char *html, *subject, *cc; /* email's, or NULL */
	const json_t *attachments;	 /* ids of this contact's, or NULL */
	const char *mail_id;		 /* email's Message-ID, or NULL */
};

/*
 * A customer's message on live contact c, logged (direction in, author
 * customer, status delivered) in the open batch; its id into id. 0,
 * EINVAL (voice contact, attachment not of c), ENOMEM.
 */
int messages_add_inbound(struct srv *s, struct crec *c,
			 const struct message_in *m, char id[40]);

/*
 * A later status of a message of contact (sent, delivered, failed with a
 * reason), as its channel reports it. 0, ENOENT (no such message),
 * EINVAL (not a status).
 */
int messages_set_status(struct srv *s, const char *contact, const char *message,
			const char *status, const char *reason);

/*
 * A file a channel received and already stored (attachments_write), as
 * an attachment of live contact c: logged (contact.attachment) in the
 * open batch and known at once, so that a message of the same batch may
 * name it (messages_add_inbound); its id into id. 0 or ENOMEM.
 */
int messages_add_attachment(struct srv *s, struct crec *c, const char *name,
			    const char *type, int64_t size, const char *sha256,
			    char id[40]);

/*
 * The messages of contact, oldest first, as the API shows them (seq,
 * direction, author, text, html, subject, attachments, status, at): a
 * new reference, an empty array when it has none.
 */
json_t *messages_list_json(struct srv *s, const char *contact);

/*
 * A message the system writes to the customer of live contact c (an
 * auto-reply, an opt-out's confirmation), logged (direction out, author
 * system, status queued) in the open batch and delivered through the
 * contact's channel once durable, like an agent's; its id into id. 0,
 * EINVAL (voice contact), ENOMEM.
 */
int messages_add_system(struct srv *s, struct crec *c, const char *text,
			char id[40]);

/*
 * messages_add_inbound() that also gives the message's view as a chat
 * visitor sees it (its answer to the visitor's POST; new reference).
 */
int messages_add_inbound_view(struct srv *s, struct crec *c,
			      const struct message_in *m, char id[40],
			      json_t **view);

/*
 * The API's views of contact's messages after sequence `after`, at most a
 * page (100): {"messages":[...]}, new reference. A visitor's view has no
 * staff field (the user who wrote a message).
 */
json_t *messages_page(struct srv *s, const char *contact, int64_t after,
		      bool visitor);
/*
 * ?after=N of a list of messages into *after (0 when absent); false with
 * the 400 sent.
 */
bool messages_after_param(struct hreq *r, int64_t *after);
/* The view of one committed message of contact, or NULL. New reference. */
json_t *messages_view(struct srv *s, const char *contact, const char *id,
		      bool visitor);

/*
 * The typing signal of live contact c (not logged) to the stream: author
 * "agent" or "customer", user the staff user or NULL.
 */
void messages_typing(struct srv *s, struct crec *c, const char *author,
		     const char *user);

/*
 * Stores the raw body of r as an attachment of live contact c (checks,
 * file, contact.attachment, the 201 once durable), uploaded by user `by`
 * (NULL: the customer). Answers r.
 */
void messages_upload(struct hreq *r, struct crec *c, const char *by);
/*
 * The body limit of an upload route whose {id} is a contact: its
 * tenant's attachment limit; the default for an unknown contact (the
 * handler answers 404 once the body is read).
 */
size_t messages_upload_limit(struct srv *s, const char params[2][64]);

/*
 * Whether r carries a chat visitor's token (the web chat's module says):
 * true with contact set to the conversation it is good for, or true with
 * contact "" when the answer was sent (401, 429); false when r is not a
 * visitor's (staff authentication applies).
 */
typedef bool(messages_visitor_h)(struct hreq *r, char contact[40]);
/* GET /api/v1/attachments/{id} asks h about visitors. */
void messages_visitor_set(struct srv *s, messages_visitor_h *h);

/*
 * Redaction (retention.c): a message or an attachment whose event is
 * being redacted leaves the projection (the routes no longer show it); a
 * restart skips redacted events. false: it was not there (redacted
 * already). messages_file_used: whether any attachment still in the
 * projection is the file sha256 (content-addressed files are shared).
 */
bool messages_forget(struct srv *s, const char *contact, const char *message);
bool messages_forget_attachment(struct srv *s, const char *attachment);
bool messages_file_used(struct srv *s, const char *sha256);

#endif
