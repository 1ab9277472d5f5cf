/*
 * retention — what relais forgets: a tenant's messages and attachments
 * past its retention (retention_days, the daily sweep and
 * POST /api/v1/retention/run), and one customer's on request
 * (DELETE /api/v1/customers/{id}/data, admin only, audited).
 *
 * Both redact, they do not delete: a message's or an attachment's event
 * stays in the log with its sequence, its time and its figures, and loses
 * its words (text, html, subject, cc; a file's name) for a "redacted"
 * mark (store.h's STORE_REWRITE, in the same batch as the audit event);
 * it leaves the messages projection (messages_forget), and a restart
 * skips it. Once that batch is on disk, the files no attachment still
 * names are deleted (off the loop), then the receipt is sent.
 *
 * The selection reads the log on the store's thread: a tenant's events
 * of the two types older than the cut-off (the index on type and
 * sequence; rows already redacted are skipped), or the events of each
 * of a customer's contacts (the index on contact). Contacts, their rows
 * and every figure are left as they were.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lang.h"
#include "model/event.h"
#include "model/utctime.h"
#include "server/attachments.h"
#include "server/auth.h"
#include "server/customers.h"
#include "server/log.h"
#include "server/messages.h"
#include "server/module.h"
#include "server/objects.h"
#include "server/retention.h"
#include "server/srv.h"
#include "server/worker.h"

#define DAY_MS 86400000LL

/* A redaction under way: selected, redacted, waiting for its commit. */
struct job {
	struct srv *s;
	struct hreq *r; /* who waits for the receipt; NULL: the sweep */
	bool erasure;
	char user[40];
	/* erasure: the customer (its body read from the store) */
	char customer[40];
	json_t *body;
	json_t *contacts; /* their ids */
	/* retention: [[tenant, before_ms]...] */
	json_t *tenants;
	json_t *rows; /* [[seq, tenant, type, data]...] to redact */
	int err;
	char errmsg[256];
	/* what was done */
	json_t *receipt;
	json_t *files; /* sha256 of the attachments redacted */
	int messages, attachments;
	int64_t seq; /* the last audit event: its commit ends the job */
	struct job *next;
};

struct retention {
	int64_t next_ms;     /* the next daily sweep */
	bool sweeping;	     /* the daily sweep is under way */
	struct job *waiting; /* redacted, their batch not yet on disk */
};

static struct retention *state(struct srv *s)
{
	return srv_module_state(s, &retention_module);
}

static void job_free(struct job *j)
{
	json_decref(j->body);
	json_decref(j->contacts);
	json_decref(j->tenants);
	json_decref(j->rows);
	json_decref(j->receipt);
	json_decref(j->files);
	free(j);
}

static struct job *job_new(struct srv *s, struct hreq *r)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->s = s;
	j->r = r;
	j->rows = json_array();
	j->files = json_array();
	j->receipt = json_object();
	if (r)
		snprintf(j->user, sizeof(j->user), "%s", r->user->id);
	if (!j->rows || !j->files || !j->receipt) {
		job_free(j);
		return NULL;
	}
	return j;
}

/* ---- on the store's thread: what to redact ---- */

static const char *const types[] = {"contact.message", "contact.attachment",
				    NULL};

static bool redactable(const char *type, const char *data)
{
	/* "redacted":true cannot occur inside a string value (its quotes
	 * would be escaped), so this finds the mark only */
	return (!strcmp(type, types[0]) || !strcmp(type, types[1])) &&
	       !strstr(data, "\"redacted\":true");
}

static int collect(const struct store_event *ev, void *arg)
{
	struct job *j = arg;
	json_t *row;

	if (!redactable(ev->type, ev->data))
		return 0;
	row = json_pack("[I,s?,s,s]", (json_int_t)ev->seq, ev->tenant, ev->type,
			ev->data);
	return row && !json_array_append_new(j->rows, row) ? 0 : ENOMEM;
}

static int collect_expired(struct store *st, struct job *j)
{
	json_t *t;
	size_t i;
	int err = 0;

	json_array_foreach(j->tenants, i, t) for (int k = 0; !err && types[k];
						  k++)
	{
		struct store_type_query q = {
			.type = types[k],
			.tenant = json_string_value(json_array_get(t, 0)),
			.to_ms = json_integer_value(json_array_get(t, 1)),
		};

		err = st->ops->events_by_type(st, &q, collect, j);
	}
	return err;
}

static int collect_row(const char *id, const char *body, void *arg)
{
	json_t **out = arg;

	(void)id;
	*out = json_loads(body, 0, NULL);
	return *out ? 0 : ENOMEM;
}

static int collect_contact(const char *id, const char *body, void *arg)
{
	struct job *j = arg;

	(void)body;
	return json_array_append_new(j->contacts, json_string(id)) ? ENOMEM : 0;
}

static int collect_customer(struct store *st, struct job *j)
{
	struct store_contact_query cq = {.customer = j->customer,
					 .limit = 10000000};
	size_t total, i;
	json_t *c;
	int err;

	err = st->ops->get(st, "customers", j->customer, collect_row, &j->body);
	if (err || !j->body)
		return err;
	j->contacts = json_array();
	err = j->contacts
		      ? st->ops->contacts(st, &cq, collect_contact, j, &total)
		      : ENOMEM;
	json_array_foreach(j->contacts, i, c)
	{
		struct store_event_query q = {.contact = json_string_value(c)};

		if (!err)
			err = st->ops->events(st, &q, collect, j);
	}
	return err;
}

static void select_run(void *ctx, void *arg)
{
	struct store *st = ctx;
	struct job *j = arg;

	j->err = j->erasure ? collect_customer(st, j) : collect_expired(st, j);
	if (j->err)
		snprintf(j->errmsg, sizeof(j->errmsg), "%s",
			 st->ops->errmsg(st));
}

/* ---- on the loop: the redaction ---- */

/*
 * ev without its words, marked; the projection forgets it. false: the
 * projection had forgotten it already (another run, its selection read
 * before this one's commit, redacted it): nothing to do.
 */
static bool redact_event(struct job *j, struct event *ev)
{
	if (ev->type == EVENT_CONTACT_MESSAGE) {
		struct event_contact_message *m = &ev->u.message;

		if (!messages_forget(j->s, m->contact, m->message))
			return false;
		m->text = "";
		m->html = m->subject = m->cc = NULL;
		m->redacted = true;
		j->messages++;
	} else {
		struct event_contact_attachment *a = &ev->u.attachment;

		if (!messages_forget_attachment(j->s, a->attachment))
			return false;
		json_array_append_new(j->files, json_string(a->sha256));
		a->name = "";
		a->redacted = true;
		j->attachments++;
	}
	return true;
}

/* One row of the selection redacted in the open batch. */
static void redact_row(struct job *j, const json_t *row)
{
	const char *type = json_string_value(json_array_get(row, 2));
	struct event ev;
	char msg[200];
	json_t *data;

	if (event_parse(&ev, type, json_string_value(json_array_get(row, 3)),
			msg, sizeof(msg))) {
		log_error("retention", "msg=\"skipped a row\" why=\"%s\"", msg);
		return;
	}
	data = redact_event(j, &ev) ? event_encode(&ev) : NULL;
	if (data)
		srv_rewrite(j->s, json_integer_value(json_array_get(row, 0)),
			    data);
	json_decref(data);
	event_release(&ev);
}

static void audit_retention(struct job *j, const char *tenant, int64_t before,
			    int messages, int attachments)
{
	struct event ev = {.type = EVENT_AUDIT_RETENTION};
	char at[UTCTIME_SIZE];
	json_t *list = json_object_get(j->receipt, "tenants");

	ev.u.retention = (struct event_audit_retention){
		before, messages, attachments, j->user[0] ? j->user : NULL};
	if (messages || attachments)
		j->seq = srv_log(j->s, tenant, &ev);
	json_array_append_new(
		list,
		json_pack("{s:s,s:s,s:i,s:i}", "tenant", tenant, "before",
			  utctime_format(before, at, sizeof(at)), "messages",
			  messages, "attachments", attachments));
}

/* The rows of each tenant, then its audit.retention. */
static void redact_expired(struct job *j)
{
	json_t *t;
	size_t i, k;

	json_object_set_new(j->receipt, "tenants", json_array());
	json_array_foreach(j->tenants, i, t)
	{
		const char *tenant = json_string_value(json_array_get(t, 0));
		int m0 = j->messages, a0 = j->attachments;
		json_t *row;

		json_array_foreach(j->rows, k, row)
		{
			const char *rt =
				json_string_value(json_array_get(row, 1));

			if (rt && !strcmp(rt, tenant))
				redact_row(j, row);
		}
		audit_retention(j, tenant,
				json_integer_value(json_array_get(t, 1)),
				j->messages - m0, j->attachments - a0);
	}
}

static void redact_customer(struct job *j)
{
	struct event ev = {.type = EVENT_AUDIT_CUSTOMER_ERASED};
	const char *tenant = jv_str(j->body, "tenant");
	char at[UTCTIME_SIZE];
	json_t *row, *receipt;
	size_t i;

	json_array_foreach(j->rows, i, row) redact_row(j, row);
	customers_anonymise(j->s, j->body, j->user);
	ev.u.erased = (struct event_audit_customer_erased){
		j->customer, j->user, (int)json_array_size(j->contacts),
		j->messages, j->attachments};
	j->seq = srv_log(j->s, tenant, &ev);
	receipt = json_pack("{s:s,s:s,s:i,s:i,s:i,s:I}", "customer",
			    j->customer, "erased_at",
			    utctime_format(srv_now(j->s), at, sizeof(at)),
			    "contacts", (int)json_array_size(j->contacts),
			    "messages", j->messages, "attachments",
			    j->attachments, "receipt", (json_int_t)j->seq);
	json_object_update(j->receipt, receipt); /* copies: not stolen */
	json_decref(receipt);
}

static void finish(struct job *j);

static void select_done(void *arg)
{
	struct job *j = arg;
	struct retention *rt = state(j->s);

	if (j->err) {
		log_error("retention", "msg=\"cannot read the log\" why=\"%s\"",
			  j->errmsg);
		finish(j);
		return;
	}
	if (j->erasure && !j->body) {
		j->err = ENOENT;
		finish(j);
		return;
	}
	if (j->erasure)
		redact_customer(j);
	else
		redact_expired(j);
	json_object_set_new(j->receipt, "messages", json_integer(j->messages));
	json_object_set_new(j->receipt, "attachments",
			    json_integer(j->attachments));
	if (!j->seq) { /* nothing logged: nothing to wait for */
		finish(j);
		return;
	}
	j->next = rt->waiting;
	rt->waiting = j;
	srv_commit_soon(j->s);
}

/* ---- once on disk: the files, then the receipt ---- */

struct unlink_job {
	struct job *j;
	const char *dir;
	json_t *files; /* to delete: no attachment names them any more */
};

static void unlink_run(void *ctx, void *arg)
{
	struct unlink_job *u = arg;
	json_t *f;
	size_t i;

	(void)ctx;
	json_array_foreach(u->files, i, f)
	{
		int err = attachments_unlink(u->dir, json_string_value(f));

		if (err && err != ENOENT)
			log_error("retention",
				  "msg=\"cannot delete a file\" sha256=%s "
				  "why=\"%s\"",
				  json_string_value(f), strerror(err));
	}
}

static void unlink_done(void *arg)
{
	struct unlink_job *u = arg;

	finish(u->j);
	json_decref(u->files);
	free(u);
}

static void delete_files(struct job *j)
{
	struct unlink_job *u = calloc(1, sizeof(*u));
	json_t *f;
	size_t i;

	if (u)
		u->files = json_array();
	if (!u || !u->files) {
		free(u);
		finish(j);
		return;
	}
	u->j = j;
	u->dir = j->s->cfg.data_dir;
	json_array_foreach(
		j->files, i,
		f) if (!messages_file_used(j->s, json_string_value(f)))
		json_array_append(u->files, f);
	if (worker_submit(j->s->cpu, unlink_run, unlink_done, u)) {
		json_decref(u->files);
		free(u);
		finish(j);
	}
}

static void retention_commit(struct srv *s, void *arg, const struct pub *pubs,
			     size_t n)
{
	struct retention *rt = arg;
	struct job **pp = &rt->waiting, *j;

	(void)pubs;
	(void)n;
	while ((j = *pp)) {
		if (j->seq > s->durable_seq) {
			pp = &j->next;
			continue;
		}
		*pp = j->next;
		delete_files(j);
	}
}

static void finish(struct job *j)
{
	struct hreq *r = j->r;

	if (!j->erasure && !r)
		state(j->s)->sweeping = false;
	if (!j->err && (j->messages || j->attachments))
		log_info("retention", "msg=%s messages=%d attachments=%d",
			 j->erasure ? "erased" : "expired", j->messages,
			 j->attachments);
	if (r && j->err == ENOENT)
		web_not_found(r, "customer", j->customer);
	else if (r && j->err)
		web_error(r, 500, "internal", "store: %s", j->errmsg);
	else if (r)
		web_json(r, 200, json_incref(j->receipt));
	job_free(j);
}

static void erase_select_done(void *arg);

static int job_submit(struct job *j)
{
	return srv_query(j->s, select_run,
			 j->erasure ? erase_select_done : select_done, j);
}

/* ---- the sweep ---- */

/*
 * The tenants with a retention that u sees (NULL: all), each with its
 * cut-off as of now_ms: [[tenant, before_ms]...].
 */
static json_t *expiring_tenants(struct srv *s, const struct user *u,
				int64_t now_ms)
{
	struct kindset *ks = obj_set(s, K_TENANTS);
	json_t *out = json_array();

	for (size_t i = 0; out && i < ks->n; i++) {
		const struct obj *t = ks->list[i];
		int64_t days = jv_int(t->body, "retention_days", 0);

		if (days <= 0 || (u && !auth_sees_tenant(s, u, t->id)))
			continue;
		json_array_append_new(
			out, json_pack("[s,I]", t->id,
				       (json_int_t)(now_ms - days * DAY_MS)));
	}
	return out;
}

static void sweep(struct srv *s)
{
	struct retention *rt = state(s);
	struct job *j;

	if (rt->sweeping || !(j = job_new(s, NULL)))
		return;
	j->tenants = expiring_tenants(s, NULL, srv_now(s));
	if (!j->tenants || !json_array_size(j->tenants)) {
		job_free(j);
		return;
	}
	rt->sweeping = true;
	if (job_submit(j)) {
		rt->sweeping = false;
		job_free(j);
	}
}

/* Once a second: the daily sweep, the first a second after start. */
static void retention_tick(struct srv *s, void *arg)
{
	struct retention *rt = arg;
	int64_t now = srv_now(s);

	if (now < rt->next_ms)
		return;
	rt->next_ms = now + DAY_MS;
	sweep(s);
}

/* ---- POST /api/v1/retention/run ---- */

static const struct jv_field run_fields[] = {
	{"at", JV_STRING, 0, 1, 40, NULL, NULL},
	JV_END,
};

/*
 * Runs the sweep now for the tenants the admin sees; "at" runs it as of
 * another instant (a later one expires more, as a shorter retention
 * would): for operators, and for tests that cannot wait for days.
 */
static void api_run(struct hreq *r)
{
	const char *at = r->body ? jv_str(r->body, "at") : NULL;
	int64_t now = srv_now(r->srv);
	struct job *j;

	if (r->body && web_check(r, r->body, run_fields, true))
		return;
	if (at && (now = utctime_parse(at)) < 0) {
		web_error(r, 400, "invalid_field",
			  "at: expected a UTC time like 2026-01-31T12:00:00Z");
		return;
	}
	j = job_new(r->srv, r);
	if (j)
		j->tenants = expiring_tenants(r->srv, r->user, now);
	if (!j || !j->tenants || job_submit(j)) {
		if (j)
			job_free(j);
		web_error(r, 500, "internal", "out of memory");
	}
}

/* ---- DELETE /api/v1/customers/{id}/data ---- */

/* The customer must be one the admin sees: checked once it is read. */
static void api_erase(struct hreq *r)
{
	struct job *j = job_new(r->srv, r);

	if (!j) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	j->erasure = true;
	snprintf(j->customer, sizeof(j->customer), "%s", r->params[0]);
	if (job_submit(j)) {
		job_free(j);
		web_error(r, 500, "internal", "out of memory");
	}
}

/* Between the read and the redaction: a customer the admin does not
 * see is as unknown (404). */
static bool erase_visible(struct job *j)
{
	return j->body &&
	       auth_sees_tenant(j->s, j->r->user, jv_str(j->body, "tenant"));
}

static void erase_select_done(void *arg)
{
	struct job *j = arg;

	if (!j->err && !erase_visible(j)) {
		json_decref(j->body);
		j->body = NULL;
	}
	select_done(j);
}

static const struct route routes[] = {
	WEB_ROUTE("POST", "/api/v1/retention/run", api_run, R_ADMIN),
	WEB_ROUTE("DELETE", "/api/v1/customers/{id}/data", api_erase, R_ADMIN),
	{.method = NULL},
};

static int retention_init(struct srv *s, void **arg)
{
	(void)s;
	*arg = calloc(1, sizeof(struct retention));
	return *arg ? 0 : ENOMEM;
}

static void retention_close(struct srv *s, void *arg)
{
	struct retention *rt = arg;

	(void)s;
	if (!rt)
		return;
	while (rt->waiting) {
		struct job *j = rt->waiting;

		rt->waiting = j->next;
		job_free(j);
	}
	free(rt);
}

const struct srv_module retention_module = {
	.name = "retention",
	.routes = routes,
	.init = retention_init,
	.tick = retention_tick,
	.on_commit = retention_commit,
	.close = retention_close,
};
