/*
 * The email channel's module: one poller per mailbox of the
 * configuration, kept in step with it every second; the polls and the
 * marks on their threads; the index of the mails taken, rebuilt from the
 * log at start-up. See email.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "channels/channel.h"
#include "channels/email/email.h"
#include "channels/email/imap.h"
#include "model/event.h"
#include "server/attachments.h"
#include "server/libre.h"
#include "server/log.h"
#include "server/module.h"
#include "server/objects.h"
#include "server/srv.h"
#include "server/worker.h"

struct email *email_state(struct srv *s)
{
	return srv_module_state(s, &email_module);
}

struct mbox *email_mbox(struct email *em, const char *id)
{
	for (size_t i = 0; em && i < em->nboxes; i++)
		if (!strcmp(em->boxes[i]->conf.id, id))
			return em->boxes[i];
	return NULL;
}

/* ---- a mailbox's settings ---- */

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void server_of(struct mail_server *ms, const json_t *b)
{
	const char *tls = jv_str(b, "tls");

	ms->host = dup_or_null(jv_str(b, "host"));
	ms->port = (uint16_t)jv_int(b, "port", 0);
	ms->tls = !tls || !strcmp(tls, "none") ? MAIL_TLS_NONE
		  : !strcmp(tls, "starttls")   ? MAIL_TLS_STARTTLS
					       : MAIL_TLS_IMPLICIT;
	ms->user = dup_or_null(jv_str(b, "user"));
	ms->password = dup_or_null(jv_str(b, "password"));
	ms->timeout_ms = 15000;
}

static void server_free(struct mail_server *ms)
{
	free((char *)ms->host);
	free((char *)ms->user);
	free((char *)ms->password);
}

static void conf_of(struct mbox_conf *c, const char *id, const json_t *b)
{
	c->id = strdup(id);
	c->tenant = dup_or_null(jv_str(b, "tenant"));
	c->queue = dup_or_null(jv_str(b, "queue"));
	c->address = dup_or_null(jv_str(b, "address"));
	c->name = dup_or_null(jv_str(b, "name"));
	server_of(&c->imap, json_object_get(b, "imap"));
	server_of(&c->smtp, json_object_get(b, "smtp"));
	c->poll_ms = jv_int(b, "poll_s", 30) * 1000;
}

static void conf_free(struct mbox_conf *c)
{
	free(c->id);
	free(c->tenant);
	free(c->queue);
	free(c->address);
	free(c->name);
	server_free(&c->imap);
	server_free(&c->smtp);
}

/* ---- pollers ---- */

static struct mbox *mbox_new(struct email *em, struct obj *o)
{
	struct mbox *mb = calloc(1, sizeof(*mb));

	if (!mb)
		return NULL;
	mb->em = em;
	mb->body = json_incref(o->body);
	conf_of(&mb->conf, o->id, o->body);
	mb->autos = json_array();
	if (!mb->conf.id || !mb->autos || worker_start(&mb->w, NULL, "email") ||
	    worker_start(&mb->out, NULL, "email-out")) {
		if (mb->w)
			worker_stop(mb->w);
		conf_free(&mb->conf);
		json_decref(mb->body);
		json_decref(mb->autos);
		free(mb);
		return NULL;
	}
	return mb;
}

/* Only when idle: nothing of it is in flight. */
static void mbox_free(struct mbox *mb)
{
	worker_stop(mb->w);
	worker_stop(mb->out);
	imap_close(mb->im);
	conf_free(&mb->conf);
	json_decref(mb->body);
	json_decref(mb->autos);
	free(mb->marks);
	free(mb);
}

static bool idle(const struct mbox *mb)
{
	return !mb->busy && !worker_pending(mb->w) && !worker_pending(mb->out);
}

/*
 * The pollers after the configuration: a new mailbox gets one, a changed
 * or deleted one loses its own once idle (a changed one gets a new one).
 */
void email_sync(struct email *em)
{
	struct kindset *set = obj_set(em->s, K_MAILBOXES);
	size_t i = 0;

	while (i < em->nboxes) {
		struct mbox *mb = em->boxes[i];
		struct obj *o = obj_find(em->s, K_MAILBOXES, mb->conf.id);

		if ((o && o->body == mb->body) || !idle(mb)) {
			i++;
			continue;
		}
		mbox_free(mb);
		em->boxes[i] = em->boxes[--em->nboxes];
	}
	for (i = 0; i < set->n; i++) {
		struct obj *o = set->list[i];
		struct mbox **v;

		if (email_mbox(em, o->id))
			continue;
		v = realloc(em->boxes, (em->nboxes + 1) * sizeof(*v));
		if (!v)
			return;
		em->boxes = v;
		v[em->nboxes] = mbox_new(em, o);
		if (v[em->nboxes])
			em->nboxes++;
	}
}

/* ---- a poll, on the mailbox's thread ---- */

struct poll {
	struct mbox *mb;
	const char *dir; /* the data folder, for attachments */
	struct fetched *v;
	size_t n;
	int err;
};

/* A part of a mail to the attachments folder; its ref: the SHA-256. */
static int store_part(void *arg, const struct mail_part *part, const void *data,
		      size_t size, char **refp)
{
	const struct poll *p = arg;
	char hex[65];
	int err;

	(void)part;
	attachments_sha256(data, size, hex);
	err = attachments_write(p->dir, hex, data, size);
	if (!err)
		*refp = strdup(hex);
	return err ? err : *refp ? 0 : ENOMEM;
}

static int fetch_one(struct poll *p, struct imap *im, uint32_t uid)
{
	struct mail_limits lim = {.store = store_part, .arg = p};
	struct fetched *f = &p->v[p->n];
	size_t len;
	char *raw;
	int err;

	*f = (struct fetched){.uid = uid};
	err = imap_fetch(im, uid, &raw, &len, EMAIL_MAIL_MAX);
	if (err == ENOENT)
		return 0; /* gone meanwhile */
	if (err && err != EFBIG)
		return err;
	p->n++;
	if (err) {
		f->err = err;
		return 0;
	}
	attachments_sha256((const uint8_t *)raw, len, f->sha256);
	f->err = mail_parse(&f->msg, raw, len, &lim);
	free(raw);
	return f->err == ENOMEM ? ENOMEM : 0;
}

static void poll_run(void *ctx, void *arg)
{
	struct poll *p = arg;
	struct mbox *mb = p->mb;
	uint32_t *uids = NULL;
	size_t n = 0;

	(void)ctx;
	if (!mb->im)
		p->err = imap_open(&mb->im, &mb->conf.imap, "INBOX");
	if (!p->err)
		p->err = imap_search(mb->im, IMAP_PENDING, &uids, &n);
	if (n > EMAIL_POLL_MAX)
		n = EMAIL_POLL_MAX;
	p->v = n ? calloc(n, sizeof(*p->v)) : NULL;
	if (n && !p->v)
		p->err = ENOMEM;
	for (size_t i = 0; !p->err && i < n; i++)
		p->err = fetch_one(p, mb->im, uids[i]);
	free(uids);
	if (p->err && mb->im) {
		imap_close(mb->im); /* a new connection next time */
		mb->im = NULL;
	}
}

static void poll_free(struct poll *p)
{
	for (size_t i = 0; i < p->n; i++)
		mail_msg_free(p->v[i].msg);
	free(p->v);
	free(p);
}

static void marks_maybe(struct mbox *mb);

/* The mails of a poll become events; their marks wait for the disk. */
static void poll_done(void *arg)
{
	struct poll *p = arg;
	struct mbox *mb = p->mb;
	struct srv *s = mb->em->s;

	mb->em->polls++;
	mb->full = p->n == EMAIL_POLL_MAX;
	if (p->err)
		log_warn("email",
			 "msg=\"cannot read the mailbox\" mailbox=%s "
			 "err=\"%s\"",
			 mb->conf.address, strerror(p->err));
	mb->marks = calloc(p->n + 1, sizeof(*mb->marks));
	mb->nmarks = 0;
	for (size_t i = 0; mb->marks && i < p->n; i++) {
		if (email_ingest(mb, &p->v[i]))
			continue; /* left for the next poll */
		mb->marks[mb->nmarks++] = p->v[i].uid;
	}
	poll_free(p);
	mb->wait_seq = s->seq;
	marks_maybe(mb);
}

/* ---- marks and automatic answers, once durable ---- */

struct marks {
	struct mbox *mb;
	uint32_t *uids;
	size_t n;
};

static void marks_run(void *ctx, void *arg)
{
	struct marks *k = arg;
	struct mbox *mb = k->mb;
	int err = 0;

	(void)ctx;
	if (!mb->im && k->n)
		err = imap_open(&mb->im, &mb->conf.imap, "INBOX");
	if (!err && k->n)
		err = imap_mark_done_set(mb->im, k->uids, k->n);
	if (err)
		log_warn("email",
			 "msg=\"cannot mark mails done\" mailbox=%s "
			 "err=\"%s\"",
			 mb->conf.address, strerror(err));
}

static void marks_done(void *arg)
{
	struct marks *k = arg;
	struct mbox *mb = k->mb;

	free(k->uids);
	free(k);
	mb->busy = false;
	/* a full poll leaves more to take: at once, not after poll_s */
	mb->next_ms = srv_now(mb->em->s) + (mb->full ? 0 : mb->conf.poll_ms);
}

/* Once the poll's events are on disk: mark its mails, then answer. */
static void marks_maybe(struct mbox *mb)
{
	struct marks *k;
	json_t *mail;
	size_t i;

	if (!mb->busy || !mb->wait_seq || mb->em->s->durable_seq < mb->wait_seq)
		return;
	mb->wait_seq = 0;
	json_array_foreach(mb->autos, i, mail)
		email_send(mb, json_incref(mail));
	json_array_clear(mb->autos);
	k = calloc(1, sizeof(*k));
	if (k)
		*k = (struct marks){mb, mb->marks, mb->nmarks};
	mb->marks = NULL;
	mb->nmarks = 0;
	if (!k || worker_submit(mb->w, marks_run, marks_done, k)) {
		if (k)
			free(k->uids);
		free(k);
		mb->busy = false; /* the mails come again: taken, marked then */
	}
}

static void poll_start(struct mbox *mb)
{
	struct poll *p = calloc(1, sizeof(*p));

	if (!p)
		return;
	p->mb = mb;
	p->dir = mb->em->s->cfg.data_dir;
	mb->busy = true;
	mb->wait_seq = 0;
	if (worker_submit(mb->w, poll_run, poll_done, p)) {
		free(p);
		mb->busy = false;
	}
}

/* ---- the module ---- */

static int email_init(struct srv *s, void **arg)
{
	struct email *em = calloc(1, sizeof(*em));

	if (!em)
		return ENOMEM;
	*arg = em;
	em->s = s;
	em->ids = json_object();
	em->refs = json_object();
	em->tenants = json_object();
	em->last_in = json_object();
	em->last_auto = json_object();
	mail_init();
	return em->ids && em->refs && em->tenants && em->last_in &&
			       em->last_auto
		       ? 0
		       : ENOMEM;
}

/* The emails received, from the log: the index of what was taken. */
static int index_row(const struct store_event *row, void *arg)
{
	struct email *em = arg;
	struct event ev;
	char msg[160];

	if (event_parse(&ev, row->type, row->data, msg, sizeof(msg)))
		return 0;
	if (ev.u.message.channel == CH_EMAIL && ev.u.message.mail_id)
		email_index(em, row->tenant, ev.u.message.contact,
			    ev.u.message.mail_id, false);
	event_release(&ev);
	return 0;
}

static int email_load(struct srv *s, void *arg)
{
	struct email *em = arg;
	struct store_type_query q = {.type = "contact.message"};
	int err = s->store->ops->events_by_type(s->store, &q, index_row, em);

	if (!err)
		log_info("email", "msg=restored mails=%zu",
			 json_object_size(em->ids));
	return err;
}

static void email_tick(struct srv *s, void *arg)
{
	struct email *em = arg;
	int64_t now = srv_now(s);

	if (s->stopping)
		return;
	email_sync(em);
	for (size_t i = 0; i < em->nboxes; i++) {
		struct mbox *mb = em->boxes[i];

		marks_maybe(mb);
		if (!mb->busy && now >= mb->next_ms &&
		    obj_find(s, K_MAILBOXES, mb->conf.id))
			poll_start(mb);
	}
}

static void email_commit(struct srv *s, void *arg, const struct pub *pubs,
			 size_t n)
{
	struct email *em = arg;

	for (size_t i = 0; i < em->nboxes; i++)
		marks_maybe(em->boxes[i]);
	for (size_t i = 0; i < n; i++) {
		struct event ev;
		char msg[160];

		if (strcmp(pubs[i].type, "contact.transcript") ||
		    event_decode(&ev, pubs[i].type, pubs[i].data, msg,
				 sizeof(msg)))
			continue;
		email_transcript(em, pubs[i].tenant, ev.u.transcript.contact,
				 ev.u.transcript.email, ev.u.transcript.lang);
	}
	(void)s;
}

static void email_metrics(struct srv *s, void *arg, struct mbuf *mb)
{
	struct email *em = arg;

	(void)s;
	mbuf_printf(mb,
		    "# TYPE relais_email_polls_total counter\n"
		    "relais_email_polls_total %llu\n"
		    "# TYPE relais_email_mails_total counter\n"
		    "relais_email_mails_total %llu\n"
		    "# TYPE relais_email_sent_total counter\n"
		    "relais_email_sent_total %llu\n"
		    "# TYPE relais_email_send_errors_total counter\n"
		    "relais_email_send_errors_total %llu\n",
		    (unsigned long long)em->polls,
		    (unsigned long long)em->mails, (unsigned long long)em->sent,
		    (unsigned long long)em->send_errors);
}

static void email_close(struct srv *s, void *arg)
{
	struct email *em = arg;

	(void)s;
	if (!em)
		return;
	for (size_t i = 0; i < em->nboxes; i++)
		mbox_free(em->boxes[i]);
	free(em->boxes);
	json_decref(em->ids);
	json_decref(em->refs);
	json_decref(em->tenants);
	json_decref(em->last_in);
	json_decref(em->last_auto);
	free(em);
}

const struct srv_module email_module = {
	.name = "email",
	.init = email_init,
	.load = email_load,
	.tick = email_tick,
	.on_commit = email_commit,
	.metrics = email_metrics,
	.close = email_close,
};

const struct channel_ops email_channel = {
	.name = "email",
	.deliver = email_deliver,
};
