/*
 * ingest — a mail fetched becomes a customer's message, on the loop:
 * taken once (its Message-ID, or the SHA-256 of the raw mail, is looked
 * up in the index of what the log holds), its sender resolved into the
 * tenant's customer, threaded into its open contact or opening a new one
 * in the mailbox's queue (linked to the closed one it answers), its
 * files attached, and its automatic answer prepared for after the
 * commit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/email/email.h"
#include "channels/email/mailref.h"
#include "core/calendar.h"
#include "lang/lang.h"
#include "model/calendar_json.h"
#include "server/attachments.h"
#include "server/contacts.h"
#include "server/customers.h"
#include "server/log.h"
#include "server/messages.h"
#include "server/objects.h"
#include "server/srv.h"

void email_index(struct email *em, const char *tenant, const char *contact,
		 const char *mail_id, bool latest)
{
	char ref[MAILREF_SIZE];

	mailref_of_contact(contact, ref);
	json_object_set_new(em->ids, mail_id, json_string(contact));
	json_object_set_new(em->refs, ref, json_string(contact));
	if (tenant)
		json_object_set_new(em->tenants, contact, json_string(tenant));
	if (latest || !json_object_get(em->last_in, contact))
		json_object_set_new(em->last_in, contact, json_string(mail_id));
}

/* What says this mail is taken: its Message-ID, else its bytes' hash. */
static void key_of(const struct fetched *f, char *out, size_t size)
{
	if (f->msg->message_id[0])
		snprintf(out, size, "%s", f->msg->message_id);
	else
		snprintf(out, size, "sha256:%s", f->sha256);
}

/* An email contact of tenant that the index or memory knows; or NULL. */
static const char *known(struct email *em, const char *tenant, const char *id)
{
	const char *t = json_string_value(json_object_get(em->tenants, id));
	struct crec *c = contacts_find(em->s, id);

	if (c && !strcmp(jv_str(crec_body(c), "tenant"), tenant))
		return c->id;
	return t && !strcmp(t, tenant) ? id : NULL;
}

/* The contact a Message-ID of the thread names: ours, or one taken. */
static const char *by_msgid(struct email *em, const char *tenant,
			    const char *msgid, char buf[40])
{
	const char *c;

	if (!msgid || !msgid[0])
		return NULL;
	if (mailref_msgid_contact(msgid, buf))
		return known(em, tenant, buf);
	c = json_string_value(json_object_get(em->ids, msgid));
	return c ? known(em, tenant, c) : NULL;
}

/*
 * The contact this mail continues: In-Reply-To, then References from the
 * newest, then the reference in the subject, for the same customer.
 */
static const char *thread_of(struct email *em, const char *tenant,
			     const struct mail_msg *m, const char *customer,
			     char buf[40])
{
	char ref[MAILREF_SIZE];
	const char *c = by_msgid(em, tenant, m->in_reply_to, buf);
	struct crec *live;

	for (size_t i = m->nreferences; !c && i-- > 0;)
		c = by_msgid(em, tenant, m->references[i], buf);
	if (c || !mailref_in_subject(m->subject, ref))
		return c;
	c = json_string_value(json_object_get(em->refs, ref));
	c = c ? known(em, tenant, c) : NULL;
	live = c ? contacts_find(em->s, c) : NULL;
	/* a subject is easy to copy: only its own customer's open contact
	 * takes a mail by it (another starts a new contact, linked) */
	if (live && strcmp(jv_str(crec_body(live), "customer") ?: "", customer))
		return NULL;
	return c;
}

/* Whether the queue's calendar is closed now. */
static bool queue_closed(struct srv *s, const char *queue)
{
	struct obj *q = obj_find(s, K_QUEUES, queue);
	const char *cal_id = q ? jv_str(q->body, "calendar") : NULL;
	struct obj *cal = cal_id ? obj_find(s, K_CALENDARS, cal_id) : NULL;
	struct calendar *c;
	char msg[160];
	bool open;

	if (!cal || calendar_json_build(cal->body, &c, msg, sizeof(msg)))
		return false;
	open = calendar_is_open(c, srv_now(s));
	calendar_free(c);
	return !open;
}

static int new_contact(struct mbox *mb, const struct mail_msg *m,
		       const char *customer, const char *linked,
		       struct crec **out)
{
	struct srv *s = mb->em->s;
	char msg[256];
	struct lang_out why = LANG_OUT(NULL, msg);
	json_t *attrs = json_pack("{s:s,s:s,s:s}", "mailbox", mb->conf.id,
				  "email", m->from.addr, "subject", m->subject);
	struct new_contact nc = {
		.tenant = mb->conf.tenant,
		.queue = mb->conf.queue,
		.channel = "email",
		.customer = customer[0] ? customer : NULL,
		.attributes = attrs,
		.by = "email",
	};
	int err;

	if (!attrs)
		return ENOMEM;
	if (linked)
		json_object_set_new(attrs, "linked", json_string(linked));
	err = contacts_create(s, &nc, out, &why);
	json_decref(attrs);
	if (err)
		log_error("email",
			  "msg=\"cannot create the contact\" mailbox=%s "
			  "why=\"%s\"",
			  mb->conf.address, msg);
	return err;
}

/* The mail's files as attachments of c: their ids. New reference. */
static json_t *attach(struct srv *s, struct crec *c, const struct mail_msg *m)
{
	json_t *ids = json_array();

	for (size_t i = 0; ids && i < m->nparts; i++) {
		const struct mail_part *p = &m->parts[i];
		const char *type = attachments_type_allowed(p->type)
					   ? p->type
					   : "application/octet-stream";
		char id[40];

		if (!p->ref)
			continue;
		messages_add_attachment(
			s, c,
			attachments_name_ok(p->name) ? p->name : "attachment",
			type, (int64_t)p->size, p->ref, id);
		json_array_append_new(ids, json_string(id));
	}
	return ids;
}

/* Whether the sender may get an automatic answer now (and note it). */
static bool auto_allowed(struct mbox *mb, const struct mail_msg *m)
{
	struct email *em = mb->em;
	int64_t now = srv_now(em->s);
	char key[400];
	json_t *last;

	if (!mailref_may_autoreply(m, mb->conf.address))
		return false;
	snprintf(key, sizeof(key), "%s\t%s", mb->conf.tenant, m->from.addr);
	last = json_object_get(em->last_auto, key);
	if (last && now - json_integer_value(last) < EMAIL_AUTO_GAP_MS)
		return false;
	json_object_set_new(em->last_auto, key, json_integer(now));
	return true;
}

static int add_message(struct mbox *mb, struct crec *c,
		       const struct mail_msg *m, const char *key)
{
	struct srv *s = mb->em->s;
	json_t *ids = attach(s, c, m);
	struct message_in in = {
		.text = m->text,
		.html = m->html[0] ? m->html : NULL,
		.subject = m->subject,
		.attachments = json_array_size(ids) ? ids : NULL,
		.mail_id = key,
	};
	char id[40];
	int err;

	err = ids ? messages_add_inbound(s, c, &in, id) : ENOMEM;
	json_decref(ids);
	if (!err)
		email_index(mb->em, mb->conf.tenant, c->id, key, true);
	return err;
}

int email_ingest(struct mbox *mb, struct fetched *f)
{
	struct email *em = mb->em;
	struct srv *s = em->s;
	const struct mail_msg *m = f->msg;
	char key[600], cust[40] = "", buf[40], msg[256];
	struct lang_out why = LANG_OUT(NULL, msg);
	const char *prev;
	struct crec *c;
	bool created = false;
	json_t *ref;
	int err;

	if (!m || !m->from.addr || !m->from.addr[0]) {
		log_warn("email",
			 "msg=\"a mail that is not one, set aside\" "
			 "mailbox=%s uid=%u err=\"%s\"",
			 mb->conf.address, (unsigned)f->uid,
			 strerror(f->err ? f->err : EINVAL));
		return 0; /* marked: it would come back at every poll */
	}
	key_of(f, key, sizeof(key));
	if (json_object_get(em->ids, key))
		return 0; /* taken before a crash: only the mark was lost */
	ref = json_pack("{s:s,s:s}", "email", m->from.addr, "name",
			m->from.name);
	if (ref &&
	    customer_resolve(s, "email", mb->conf.tenant, ref, cust, &why))
		cust[0] = '\0'; /* an address that fits no customer */
	json_decref(ref);
	prev = thread_of(em, mb->conf.tenant, m, cust, buf);
	c = prev ? contacts_find(s, prev) : NULL;
	if (!c || c->done) {
		err = new_contact(mb, m, cust, prev, &c);
		if (err)
			return err;
		created = true;
	}
	err = add_message(mb, c, m, key);
	if (err)
		return err;
	em->mails++;
	if (created && auto_allowed(mb, m)) {
		json_t *a = email_auto_reply(mb, m, c->id,
					     queue_closed(s, mb->conf.queue));

		if (a)
			json_array_append_new(mb->autos, a);
	}
	return 0;
}
