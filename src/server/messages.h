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

#include <jansson.h>

struct srv;
struct crec;
struct srv_module;

extern const struct srv_module messages_module;

/* What a channel received from the customer. */
struct message_in {
	const char *text;
	const char *html, *subject, *cc; /* email's, or NULL */
	const json_t *attachments;	 /* ids of this contact's, or NULL */
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
