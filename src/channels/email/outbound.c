/*
 * outbound — what relais sends by email: an agent's answer, the
 * acknowledgement of a new contact, the out-of-hours reply and a
 * transcript. Each is described on the loop as a JSON mail (email.h) and
 * built and sent on its mailbox's thread: the files read from the
 * attachments folder, the message built by mime.h (threading headers,
 * Reply-To the mailbox, Auto-Submitted on automatic ones), handed to the
 * mailbox's SMTP server. An agent's message then gets its status: sent,
 * or failed with the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channels/channel.h"
#include "channels/email/email.h"
#include "channels/email/mailref.h"
#include "channels/email/smtp.h"
#include "lang/lang.h"
#include "server/attachments.h"
#include "server/contacts.h"
#include "server/log.h"
#include "server/messages.h"
#include "server/objects.h"
#include "server/srv.h"
#include "server/worker.h"

/* ---- on the mailbox's thread ---- */

struct send {
	struct mbox *mb;
	json_t *mail;
	const char *dir;
	int err;
};

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The files of the mail, read from disk into parts. */
static int read_files(struct send *j, struct mail_part *parts, size_t n)
{
	const json_t *files = json_object_get(j->mail, "files");
	int err = 0;

	for (size_t i = 0; !err && i < n; i++) {
		const json_t *f = json_array_get(files, i);

		parts[i].name = (char *)str(f, "name");
		parts[i].type = (char *)str(f, "type");
		err = attachments_read(j->dir, str(f, "sha256"), &parts[i].data,
				       &parts[i].size);
	}
	return err;
}

/* The addresses of a JSON array, borrowed. */
static const char **addrs(const json_t *a, size_t *n)
{
	const char **v = calloc(json_array_size(a) + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; v && i < json_array_size(a); i++)
		v[(*n)++] = json_string_value(json_array_get(a, i));
	return v;
}

static int build_and_send(struct send *j, struct mail_part *parts,
			  size_t nparts)
{
	const struct mbox_conf *mc = &j->mb->conf;
	const json_t *m = j->mail;
	const char *to = str(m, "to"), *irt = str(m, "in_reply_to");
	struct mail_msg orig = {.message_id = (char *)irt};
	size_t ncc, len, nrcpt;
	const char **cc = addrs(json_object_get(m, "cc"), &ncc), **rcpt;
	char *out = NULL, *msgid = NULL;
	struct mail_reply r = {
		.orig = irt ? &orig : NULL,
		.from_name = mc->name,
		.from_addr = mc->address,
		.reply_to = mc->address,
		.to = &to,
		.nto = 1,
		.ncc = ncc,
		.subject = str(m, "subject"),
		.text = str(m, "text"),
		.auto_reply = json_is_true(json_object_get(m, "auto")),
		.now_ms = json_integer_value(json_object_get(m, "now")),
		.message_id = str(m, "message_id"),
		.files = parts,
		.nfiles = nparts,
	};
	int err;

	rcpt = cc ? calloc(ncc + 1, sizeof(*rcpt)) : NULL;
	if (!rcpt) {
		free(cc);
		return ENOMEM;
	}
	r.cc = cc;
	rcpt[0] = to;
	memcpy(rcpt + 1, cc, ncc * sizeof(*cc));
	nrcpt = ncc + 1;
	err = to ? mail_reply_build(&out, &len, &msgid, &r) : EINVAL;
	if (!err)
		err = smtp_send(&mc->smtp, mc->address, rcpt, nrcpt, out, len);
	free(out);
	free(msgid);
	free(rcpt);
	free(cc);
	return err;
}

static void send_run(void *ctx, void *arg)
{
	struct send *j = arg;
	size_t n = json_array_size(json_object_get(j->mail, "files"));
	struct mail_part *parts = calloc(n + 1, sizeof(*parts));

	(void)ctx;
	j->err = parts ? read_files(j, parts, n) : ENOMEM;
	if (!j->err)
		j->err = build_and_send(j, parts, n);
	for (size_t i = 0; parts && i < n; i++)
		free(parts[i].data);
	free(parts);
}

/* ---- back on the loop ---- */

static void send_done(void *arg)
{
	struct send *j = arg;
	struct email *em = j->mb->em;
	const char *contact = str(j->mail, "contact"),
		   *message = str(j->mail, "message");

	j->mb->sending--;
	if (j->err) {
		em->send_errors++;
		log_warn("email",
			 "msg=\"cannot send\" mailbox=%s contact=%s "
			 "err=\"%s\"",
			 j->mb->conf.address, contact ? contact : "",
			 strerror(j->err));
	} else {
		em->sent++;
	}
	if (contact && message)
		messages_set_status(em->s, contact, message,
				    j->err ? "failed" : "sent",
				    j->err ? strerror(j->err) : NULL);
	json_decref(j->mail);
	free(j);
}

int email_send(struct mbox *mb, json_t *mail)
{
	struct send *j = calloc(1, sizeof(*j));

	if (!j || !mail) {
		free(j);
		json_decref(mail);
		return ENOMEM;
	}
	*j = (struct send){mb, mail, mb->em->s->cfg.data_dir, 0};
	json_object_set_new(mail, "now", json_integer(srv_now(mb->em->s)));
	if (worker_submit(mb->out, send_run, send_done, j)) {
		json_decref(mail);
		free(j);
		return ENOMEM;
	}
	mb->sending++;
	return 0;
}

/* ---- what is said ---- */

/* A named text of the catalogs with its "%s" replaced by arg. */
static char *fill(const char *lang, const char *id, const char *arg)
{
	const char *tpl = lang_get(lang, id), *hole = strstr(tpl, "%s");
	size_t n = strlen(tpl) + strlen(arg) + 1;
	char *out = malloc(n);

	if (!out)
		return NULL;
	if (!hole)
		snprintf(out, n, "%s", tpl);
	else
		snprintf(out, n, "%.*s%s%s", (int)(hole - tpl), tpl, arg,
			 hole + 2);
	return out;
}

/* "Re: SUBJECT [#REF]": the reference once, "Re: " once. */
static char *subject_for(const char *subject, const char *contact, bool re)
{
	char ref[MAILREF_SIZE], has[MAILREF_SIZE], *out;
	const char *s = subject ? subject : "";
	bool with_re = re && strncasecmp(s, "re:", 3);
	size_t n = strlen(s) + 32;

	mailref_of_contact(contact, ref);
	out = malloc(n);
	if (!out)
		return NULL;
	if (mailref_in_subject(s, has) && !strcmp(has, ref))
		snprintf(out, n, "%s%s", with_re ? "Re: " : "", s);
	else
		snprintf(out, n, "%s%s%s[#%s]", with_re ? "Re: " : "", s,
			 *s ? " " : "", ref);
	return out;
}

/* The domain of the mailbox's address, for our Message-IDs. */
static const char *domain_of(const struct mbox *mb)
{
	const char *at = strchr(mb->conf.address, '@');

	return at ? at + 1 : "relais.invalid";
}

static json_t *mail_new(struct mbox *mb, const char *to, const char *contact,
			const char *message, char *subject, char *text)
{
	char id[600];
	json_t *m;

	mailref_msgid(id, sizeof(id), contact, message, domain_of(mb));
	m = subject && text ? json_pack("{s:s,s:[],s:s,s:s,s:s,s:[]}", "to", to,
					"cc", "subject", subject, "text", text,
					"message_id", id, "files")
			    : NULL;
	free(subject);
	free(text);
	return m;
}

json_t *email_auto_reply(struct mbox *mb, const struct mail_msg *m,
			 const char *contact, bool closed)
{
	const char *lang = kind_tenant_lang(mb->em->s, mb->conf.tenant);
	char ref[MAILREF_SIZE], uuid[40];
	json_t *mail;

	mailref_of_contact(contact, ref);
	srv_uuid(uuid);
	mail = mail_new(mb, m->from.addr, contact, uuid,
			subject_for(m->subject, contact, true),
			fill(lang,
			     closed ? "email.closed.text" : "email.ack.text",
			     ref));
	if (mail && m->message_id[0])
		json_object_set_new(mail, "in_reply_to",
				    json_string(m->message_id));
	if (mail)
		json_object_set_new(mail, "auto", json_true());
	return mail;
}

/* "a@x, b@y; c@z" as an array of addresses. */
static json_t *split_cc(const char *cc)
{
	json_t *out = json_array();
	const char *p = cc;

	while (out && p && *p) {
		size_t n = strcspn(p, ",;");
		const char *e = p + n;

		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > p)
			json_array_append_new(out,
					      json_stringn(p, (size_t)(e - p)));
		p += strcspn(p, ",;");
		if (*p)
			p++;
	}
	return out;
}

static json_t *files_of(const json_t *atts)
{
	json_t *out = json_array(), *a;
	size_t i;

	json_array_foreach(atts, i, a) json_array_append_new(
		out,
		json_pack("{s:O,s:O,s:O}", "name", json_object_get(a, "name"),
			  "type", json_object_get(a, "type"), "sha256",
			  json_object_get(a, "sha256")));
	return out;
}

int email_deliver(struct srv *s, void *state, const struct channel_message *cm)
{
	struct email *em = email_state(s);
	struct crec *c = contacts_find(s, cm->contact);
	const json_t *attrs =
		c ? json_object_get(crec_body(c), "attributes") : NULL;
	const char *box = jv_str(attrs, "mailbox"), *irt;
	struct mbox *mb;
	json_t *mail;

	(void)state;
	if (!c && json_object_get(em->tenants, cm->contact))
		return ENOENT; /* ours, but no longer in memory */
	if (!box)
		return ENOTSUP; /* a contact of the API: no mailbox */
	mb = email_mbox(em, box);
	if (!mb && obj_find(s, K_MAILBOXES, box)) {
		email_sync(em); /* a message left queued at the last stop */
		mb = email_mbox(em, box);
	}
	if (!mb || !jv_str(attrs, "email"))
		return ENODEV;
	mail = mail_new(mb, jv_str(attrs, "email"), cm->contact, cm->id,
			subject_for(cm->subject && *cm->subject
					    ? cm->subject
					    : jv_str(attrs, "subject"),
				    cm->contact,
				    !(cm->subject && *cm->subject)),
			strdup(cm->text ? cm->text : ""));
	if (!mail)
		return ENOMEM;
	irt = json_string_value(json_object_get(em->last_in, cm->contact));
	if (irt && strncmp(irt, "sha256:", 7))
		json_object_set_new(mail, "in_reply_to", json_string(irt));
	json_object_set_new(mail, "cc", split_cc(cm->cc));
	json_object_set_new(mail, "files", files_of(cm->attachments));
	json_object_set_new(mail, "contact", json_string(cm->contact));
	json_object_set_new(mail, "message", json_string(cm->id));
	return email_send(mb, mail);
}

/* ---- transcripts ---- */

/* The first mailbox of the tenant, in the configuration's order. */
static struct mbox *tenant_mbox(struct email *em, const char *tenant)
{
	struct kindset *set = obj_set(em->s, K_MAILBOXES);

	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(jv_str(set->list[i]->body, "tenant"), tenant))
			return email_mbox(em, set->list[i]->id);
	return NULL;
}

/* The conversation as plain text: who, when, what. malloc'd. */
static char *transcript_text(struct srv *s, const char *contact,
			     const char *lang, const char *ref)
{
	json_t *list = messages_list_json(s, contact), *m;
	char *intro = fill(lang, "email.transcript.intro", ref), *out;
	size_t i, n = (intro ? strlen(intro) : 0) + 4, at = 0;
	char key[64];

	json_array_foreach(list, i, m) n += strlen(jv_str(m, "text")) + 128;
	out = intro ? malloc(n) : NULL;
	if (out)
		at = (size_t)snprintf(out, n, "%s\n\n", intro);
	json_array_foreach(list, i, m)
	{
		if (!out)
			break;
		snprintf(key, sizeof(key), "email.transcript.%s",
			 jv_str(m, "author"));
		at += (size_t)snprintf(out + at, n - at, "[%s] %s:\n%s\n\n",
				       jv_str(m, "at"), lang_get(lang, key),
				       jv_str(m, "text"));
	}
	free(intro);
	json_decref(list);
	return out;
}

void email_transcript(struct email *em, const char *tenant, const char *contact,
		      const char *to, const char *lang)
{
	struct mbox *mb;
	char ref[MAILREF_SIZE], uuid[40];

	email_sync(em); /* a mailbox made in the last second has its poller */
	mb = tenant_mbox(em, tenant);

	if (!mb) {
		log_warn("email",
			 "msg=\"no mailbox to send a transcript\" "
			 "tenant=%s contact=%s",
			 tenant, contact);
		return;
	}
	if (!lang || !lang_has(lang))
		lang = kind_tenant_lang(em->s, tenant);
	mailref_of_contact(contact, ref);
	srv_uuid(uuid);
	email_send(mb, mail_new(mb, to, contact, uuid,
				fill(lang, "email.transcript.subject", ref),
				transcript_text(em->s, contact, lang, ref)));
}
