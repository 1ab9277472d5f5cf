/*
 * sms — the SMS channel through Kannel (see sms.h).
 *
 * In: Kannel calls the gateway's inbound route with each SMS a phone sent
 * to one of the tenants' numbers (its get-url). The number names the
 * tenant and the queue; the phone names the customer (customer_resolve);
 * the SMS joins that phone's open contact of the tenant or opens a new
 * one, whose attributes keep both numbers (sms_from: the phone, sms_to:
 * ours) so that the answers go back the same way. Kannel gets its 200
 * once the message is on disk (srv_reply_durable): what Kannel was told
 * we have, a kill -9 does not lose.
 *
 * STOP (core/sms_stop) marks the customer's record (sms_opt_out, with
 * the time) and START clears it; each is confirmed by one SMS in the
 * tenant's language. The mark is read-modify-write of the stored record,
 * so it waits until the SMS's own batch is on disk (a customer that very
 * SMS created is there then), and Kannel's 200 waits for the mark. The
 * opted-out set in memory changes at once. Nothing else goes to an
 * opted-out customer: an agent's message to them fails with the reason
 * "opted out" (not a 409: the agent sees why in the conversation, and a
 * message queued before the STOP is refused the same way).
 *
 * When the number's queue is closed (its calendar), the phone gets one
 * auto-reply per closed period, in the tenant's language.
 *
 * Out: an agent's message, once durable, goes to smsbox's sendsms with
 * libre's HTTP client, on the loop: one short GET to a gateway on the
 * operator's network needs no thread, and the answer comes back as an
 * event of the loop like everything else. Accepted (2xx): "sent"; the
 * delivery reports then say "delivered" or "failed" (a status never goes
 * back: a late "sent" does not undo "delivered").
 *
 * State in memory only, rebuilt at start-up: the open contact of each
 * phone (from the contacts the engine holds), the opted-out customers
 * (from their records), the messages awaiting reports and the phones
 * already told we are closed (lost at a restart: at worst one more
 * auto-reply).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/libre.h"
#include <re_dns.h>

#include "channels/channel.h"
#include "channels/sms/kannel.h"
#include "channels/sms/sms.h"
#include "core/calendar.h"
#include "core/sms_stop.h"
#include "lang/lang.h"
#include "model/calendar_json.h"
#include "model/jv.h"
#include "model/utctime.h"
#include "server/contacts.h"
#include "server/customers.h"
#include "server/log.h"
#include "server/messages.h"
#include "server/module.h"
#include "server/objects.h"
#include "server/srv.h"
#include "server/web.h"
#include "store/store.h"

/* Kannel ids remembered against retries, and reports awaited, at most. */
#define SEEN_MAX 100000

struct sms {
	struct dnsc *dnsc;
	struct http_cli *cli;
	struct list sends; /* struct send, in flight */
	struct list marks; /* struct optmark, waiting for their commit */
	json_t *open;	   /* "tenant\tphone" -> its open contact's id */
	json_t *optout;	   /* customer id -> true */
	json_t *closed;	 /* "tenant\tphone" -> end of the closed period told */
	json_t *reports; /* message id -> {"gateway","rank"} */
	json_t *exempt;	 /* message id -> true: goes despite an opt-out */
	json_t *seen;	 /* Kannel's id -> true: taken already */
	json_t *routes;	 /* contact id -> its attributes {sms_from, sms_to},
			    for the contacts that left memory (closed) */
	uint64_t mo, mt, dlr;
};

static struct sms *state(struct srv *s)
{
	return srv_module_state(s, &sms_module);
}

/* ---- small helpers ---- */

static void key_of(char *buf, size_t size, const char *tenant,
		   const char *phone)
{
	snprintf(buf, size, "%s\t%s", tenant, phone);
}

/* A map that only grows is cleared when it reaches SEEN_MAX. */
static void remember(json_t *map, const char *key, json_t *v)
{
	if (json_object_size(map) >= SEEN_MAX)
		json_object_clear(map);
	json_object_set_new(map, key, v);
}

/* How far a status has come: a report never takes a message back. */
static int rank_of(const char *status)
{
	if (!strcmp(status, "queued"))
		return 0;
	if (!strcmp(status, "sent"))
		return 1;
	return 2; /* delivered, failed */
}

/* ---- sending: smsbox's sendsms ---- */

struct send {
	struct le le;
	struct srv *srv;
	struct http_req *req; /* NULL once answered (libre clears it) */
	char contact[40], message[40];
};

static void send_destructor(void *arg)
{
	struct send *sd = arg;

	list_unlink(&sd->le);
}

/* status for message (of contact) unless it has gone further already. */
static void set_status(struct srv *s, const char *contact, const char *message,
		       const char *status, const char *reason)
{
	json_t *r = json_object_get(state(s)->reports, message);
	int rank = rank_of(status);

	if (r && jv_int(r, "rank", 0) >= rank && rank < 2)
		return;
	if (r)
		json_object_set_new(r, "rank", json_integer(rank));
	if (messages_set_status(s, contact, message, status, reason))
		log_warn("sms", "msg=\"no such message\" contact=%s message=%s",
			 contact, message);
}

static void sent_h(int err, const struct http_msg *msg, void *arg)
{
	struct send *sd = arg;
	char reason[128];

	sd->req = NULL; /* the client's, and done */
	if (err || !msg || msg->scode / 100 != 2) {
		if (err)
			snprintf(reason, sizeof(reason), "gateway: %s",
				 strerror(err));
		else
			snprintf(reason, sizeof(reason), "gateway: HTTP %u",
				 msg ? msg->scode : 0);
		log_warn("sms", "msg=\"not sent\" message=%s why=\"%s\"",
			 sd->message, reason);
		set_status(sd->srv, sd->contact, sd->message, "failed", reason);
	} else {
		set_status(sd->srv, sd->contact, sd->message, "sent", NULL);
	}
	mem_deref(sd);
}

/* The gateway of our number, or NULL. */
static struct obj *gateway_of(struct srv *s, const char *number)
{
	struct obj *n = obj_find_by(s, K_NUMBERS, "number", number);

	return n ? obj_find(s, K_GATEWAYS, jv_str(n->body, "gateway")) : NULL;
}

/* Asks gateway gw to send text from our number to phone: 0 or errno. */
static int send_sms(struct srv *s, const struct obj *gw, const char *from,
		    const char *to, const char *text,
		    const struct channel_message *m)
{
	struct sms *st = state(s);
	char base[600], dlr[900], *url = NULL;
	struct kannel_gateway kg = {
		.sendsms_url = jv_str(gw->body, "sendsms_url"),
		.username = jv_str(gw->body, "username"),
		.password = jv_str(gw->body, "password"),
		.dlr_url = dlr,
		.secret = jv_str(gw->body, "secret"),
	};
	struct send *sd;
	int err;

	snprintf(dlr, sizeof(dlr),
		 "%s/api/v1/sms/gateways/%s/reports?contact=%s",
		 sms_relais_url(s, gw->body, base, sizeof(base)), gw->id,
		 m->contact);
	err = kannel_sendsms_url(&url, &kg, from, to, text, m->id);
	if (err)
		return err;
	sd = mem_zalloc(sizeof(*sd), send_destructor);
	if (!sd) {
		free(url);
		return ENOMEM;
	}
	sd->srv = s;
	snprintf(sd->contact, sizeof(sd->contact), "%s", m->contact);
	snprintf(sd->message, sizeof(sd->message), "%s", m->id);
	remember(st->reports, m->id,
		 json_pack("{s:s,s:i}", "gateway", gw->id, "rank", 0));
	err = http_request(&sd->req, st->cli, "GET", url, sent_h, NULL, sd,
			   NULL);
	free(url);
	if (err) {
		mem_deref(sd);
		return err;
	}
	list_append(&st->sends, &sd->le, sd);
	st->mt++;
	return 0;
}

/*
 * The channel's deliver: a contact that came by SMS answers by SMS; one
 * created through the API has no numbers and no medium here (ENOTSUP).
 * What cannot go is marked failed with its reason.
 */
static int sms_deliver(struct srv *s, void *arg,
		       const struct channel_message *m)
{
	struct sms *st = state(s);
	struct crec *c = contacts_find(s, m->contact);
	const json_t *b = c ? crec_body(c) : NULL;
	const json_t *attrs = b ? json_object_get(b, "attributes")
				: json_object_get(st->routes, m->contact);
	const char *from = jv_str(attrs, "sms_to"),
		   *to = jv_str(attrs, "sms_from");
	const char *customer = jv_str(b, "customer");
	struct obj *gw;
	int err;

	(void)arg;
	if (!from || !to)
		return ENOTSUP;
	if (customer && json_object_get(st->optout, customer) &&
	    !json_object_get(st->exempt, m->id)) {
		set_status(s, m->contact, m->id, "failed", "opted out");
		return 0;
	}
	json_object_del(st->exempt, m->id);
	gw = gateway_of(s, from);
	if (!gw) {
		set_status(s, m->contact, m->id, "failed",
			   "no gateway carries this number");
		return 0;
	}
	err = send_sms(s, gw, from, to, m->text, m);
	if (err)
		set_status(s, m->contact, m->id, "failed", strerror(err));
	return 0;
}

const struct channel_ops sms_channel = {
	.name = "sms",
	.deliver = sms_deliver,
};

/* ---- inbound: an SMS from a phone ---- */

/*
 * The phone's contact that is still waiting (a closed queue's callback
 * waits for the opening) or being handled, or NULL: one in wrap-up is
 * over for the customer.
 */
static struct crec *open_contact(struct srv *s, const char *key)
{
	const char *id =
		json_string_value(json_object_get(state(s)->open, key));
	struct crec *c = id ? contacts_find(s, id) : NULL;
	const char *st = c && !c->done ? jv_str(crec_body(c), "state") : NULL;

	if (st && (!strcmp(st, "queued") || !strcmp(st, "offered") ||
		   !strcmp(st, "active") || !strcmp(st, "callback-pending")))
		return c;
	return NULL;
}

/* A message of the system to the phone of c (confirmations, closed). */
static void say(struct srv *s, struct crec *c, const char *tenant,
		const char *msgid, bool exempt)
{
	char id[40];

	if (messages_add_system(
		    s, c, lang_get(kind_tenant_lang(s, tenant), msgid), id))
		return;
	if (exempt)
		json_object_set_new(state(s)->exempt, id, json_true());
}

/* Whether queue q is closed now; then *until is when it opens. */
static bool queue_closed(struct srv *s, const char *queue, int64_t *until)
{
	struct obj *q = obj_find(s, K_QUEUES, queue);
	struct obj *cal =
		q ? obj_find(s, K_CALENDARS, jv_str(q->body, "calendar"))
		  : NULL;
	struct calendar *c;
	char msg[160];
	bool closed;

	if (!cal || calendar_json_build(cal->body, &c, msg, sizeof(msg)))
		return false;
	closed = !calendar_is_open(c, srv_now(s));
	if (closed)
		*until = calendar_next_change(c, srv_now(s));
	calendar_free(c);
	return closed;
}

/* One auto-reply per phone and closed period. */
static void closed_reply(struct srv *s, struct crec *c, const char *tenant,
			 const char *queue, const char *key)
{
	struct sms *st = state(s);
	int64_t until = 0;

	if (!queue_closed(s, queue, &until) ||
	    jv_int(st->closed, key, 0) > srv_now(s))
		return;
	json_object_set_new(st->closed, key, json_integer(until));
	say(s, c, tenant,
	    N_("We have received your message. We are closed at the moment "
	       "and will answer as soon as we open."),
	    false);
}

/* The phone's open contact, or a new one on the number's queue. */
static int contact_of(struct hreq *r, const json_t *number,
		      const struct kannel_mo *mo, const char *customer,
		      struct crec **out)
{
	struct srv *s = r->srv;
	char key[128], msg[256];
	struct lang_out why = LANG_OUT(r->lang, msg);
	json_t *attrs;
	int err;

	key_of(key, sizeof(key), jv_str(number, "tenant"), mo->from);
	*out = open_contact(s, key);
	if (*out)
		return 0;
	attrs = json_pack("{s:s,s:s}", "sms_from", mo->from, "sms_to", mo->to);
	err = contacts_create(s,
			      &(struct new_contact){
				      .tenant = jv_str(number, "tenant"),
				      .queue = jv_str(number, "queue"),
				      .channel = "sms",
				      .customer = customer[0] ? customer : NULL,
				      .attributes = attrs,
				      .by = "sms",
			      },
			      out, &why);
	json_decref(attrs);
	if (err) {
		web_error(r, err == ENOMEM ? 500 : 409,
			  err == ENOMEM ? "internal" : "conflict", "%s", msg);
		return err;
	}
	json_object_set_new(state(s)->open, key, json_string((*out)->id));
	remember(
		state(s)->routes, (*out)->id,
		json_pack("{s:s,s:s}", "sms_from", mo->from, "sms_to", mo->to));
	return 0;
}

/* Kannel's answer, once what it brought is on disk. */
static void taken(struct hreq *r, const char *contact)
{
	srv_reply_durable(r, 200, json_pack("{s:s}", "contact", contact));
}

/*
 * An opt-out or opt-in to write on a customer's record. The record is
 * read from the store, where a customer this very SMS created is not
 * yet: the mark waits until the SMS's batch is on disk (on_commit).
 */
struct optmark {
	struct le le;
	struct hreq *r; /* Kannel's request, answered once marked */
	int64_t seq;	/* the SMS's event: marked once it is durable */
	char contact[40], customer[40];
	json_t *v; /* the time, or null */
};

static void optmark_free(struct optmark *om)
{
	list_unlink(&om->le);
	json_decref(om->v);
	free(om);
}

static void marked(struct hreq *r, int err, void *arg)
{
	struct optmark *om = arg;

	if (r && err)
		web_error(r, 500, "internal", "the customer cannot be marked");
	else if (r)
		taken(r, om->contact);
	optmark_free(om);
}

/* The marks whose SMS is on disk now go to the customers' records. */
static void sms_commit(struct srv *s, void *arg, const struct pub *pubs,
		       size_t n)
{
	struct sms *st = arg;
	struct le *le = list_head(&st->marks);

	(void)pubs;
	(void)n;
	while (le) {
		struct optmark *om = le->data;

		le = le->next;
		if (om->seq > s->durable_seq)
			continue;
		list_unlink(&om->le);
		customers_mark(om->r, om->customer, "sms_opt_out",
			       json_incref(om->v), "sms", marked, om);
	}
}

/*
 * STOP or START from a customer: the mark on its record (durable before
 * Kannel's 200), the set in memory, and one confirmation. false: no such
 * request (or no customer to mark).
 */
static bool opt(struct hreq *r, struct crec *c, const char *tenant,
		const char *customer, const struct kannel_mo *mo)
{
	struct srv *s = r->srv;
	struct sms *st = state(s);
	bool out = sms_stop_is_optout(mo->text, mo->text_len);
	bool in = !out && sms_stop_is_optin(mo->text, mo->text_len);
	char t[UTCTIME_SIZE];
	struct optmark *om;

	if (!customer[0] || (!out && !in))
		return false;
	om = calloc(1, sizeof(*om));
	if (!om)
		return false;
	om->r = r;
	om->seq = s->seq; /* the SMS's, just logged */
	snprintf(om->contact, sizeof(om->contact), "%s", c->id);
	snprintf(om->customer, sizeof(om->customer), "%s", customer);
	if (out) {
		json_object_set_new(st->optout, customer, json_true());
		say(s, c, tenant,
		    N_("You will no longer receive SMS from us. Send START to "
		       "receive them again."),
		    true);
	} else {
		json_object_del(st->optout, customer);
		say(s, c, tenant,
		    N_("You will receive our SMS again. Send STOP to stop "
		       "them."),
		    false);
	}
	om->v = out ? json_string(utctime_format(srv_now(s), t, sizeof(t)))
		    : json_null();
	list_append(&st->marks, &om->le, om);
	return true;
}

/* An SMS that passed the checks: into its contact, durably. */
static void take(struct hreq *r, const json_t *number,
		 const struct kannel_mo *mo)
{
	struct srv *s = r->srv;
	const char *tenant = jv_str(number, "tenant");
	char customer[40], msg[256], id[40], key[128];
	struct lang_out why = LANG_OUT(r->lang, msg);
	json_t *ref = json_pack("{s:s}", "phone", mo->from);
	struct crec *c;

	/* a sender that is no E.164 number (a short code, a name) still
	 * gets its contact, with no customer record */
	if (customer_resolve(s, "sms", tenant, ref, customer, &why))
		customer[0] = '\0';
	json_decref(ref);
	if (contact_of(r, number, mo, customer, &c))
		return;
	if (messages_add_inbound(s, c, &(struct message_in){.text = mo->text},
				 id)) {
		web_error(r, 500, "internal", "the message cannot be kept");
		return;
	}
	remember(state(s)->seen, mo->id, json_true());
	state(s)->mo++;
	if (opt(r, c, tenant, customer, mo))
		return;
	key_of(key, sizeof(key), tenant, mo->from);
	closed_reply(s, c, tenant, jv_str(number, "queue"), key);
	taken(r, c->id);
}

/* The gateway of the path if the query carries its secret; else 403. */
static struct obj *gateway_checked(struct hreq *r, int err, const char *why)
{
	struct obj *gw = obj_find(r->srv, K_GATEWAYS, r->params[0]);

	if (!gw || err == EACCES) {
		web_error(r, 403, "forbidden",
			  "no such gateway, or not its secret");
		return NULL;
	}
	if (err == ENOMEM) {
		web_error(r, 500, "internal", "out of memory");
		return NULL;
	}
	if (err) {
		web_error(r, 400, "invalid_field",
			  "the gateway's callback is malformed: %s", why);
		return NULL;
	}
	return gw;
}

static const char *secret_of(struct hreq *r)
{
	struct obj *gw = obj_find(r->srv, K_GATEWAYS, r->params[0]);

	return gw ? jv_str(gw->body, "secret") : NULL;
}

static void api_inbound(struct hreq *r)
{
	const char *q = r->query ? r->query : "", *why = NULL;
	struct kannel_mo mo = {0};
	struct obj *gw, *number;
	int err;

	err = kannel_mo_parse(&mo, q, strlen(q), secret_of(r), &why);
	gw = gateway_checked(r, err, why);
	if (!gw)
		goto out;
	number = obj_find_by(r->srv, K_NUMBERS, "number", mo.to);
	if (!number || !jv_str(number->body, "gateway") ||
	    strcmp(jv_str(number->body, "gateway"), gw->id)) {
		web_not_found(r, "number", mo.to);
		goto out;
	}
	if (json_object_get(state(r->srv)->seen, mo.id))
		taken(r, ""); /* Kannel's retry of what we have */
	else
		take(r, number->body, &mo);
out:
	kannel_mo_reset(&mo);
}

/* ---- delivery reports ---- */

/*
 * Whether the report of message (of contact) may come from gateway gw:
 * it sent it (remembered), or the contact's number is the gateway's.
 */
static bool report_ours(struct srv *s, const struct obj *gw,
			const char *contact, const char *message)
{
	json_t *r = json_object_get(state(s)->reports, message);
	struct crec *c = r ? NULL : contacts_find(s, contact);
	struct obj *g;

	if (r)
		return !strcmp(jv_str(r, "gateway"), gw->id);
	if (!c)
		return false;
	g = gateway_of(s, jv_str(json_object_get(crec_body(c), "attributes"),
				 "sms_to"));
	return g == gw;
}

static void api_reports(struct hreq *r)
{
	const char *q = r->query ? r->query : "", *why = NULL, *status;
	struct kannel_dlr dlr = {0};
	char contact[64];
	struct obj *gw;
	int err;

	err = kannel_dlr_parse(&dlr, q, strlen(q), secret_of(r), &why);
	gw = gateway_checked(r, err, why);
	if (!gw)
		return;
	if (!web_query(r, "contact", contact, sizeof(contact)) ||
	    !report_ours(r->srv, gw, contact, dlr.id)) {
		web_not_found(r, "message", dlr.id);
		return;
	}
	status = kannel_dlr_status(dlr.type);
	set_status(r->srv, contact, dlr.id, status,
		   !strcmp(status, "failed") ? dlr.reply : NULL);
	state(r->srv)->dlr++;
	srv_reply_durable(r, 200, json_pack("{s:s}", "status", status));
}

/* ---- the module ---- */

static const struct route routes[] = {
	WEB_ROUTE("GET", "/api/v1/sms/gateways/{id}/inbound", api_inbound,
		  R_PUBLIC),
	WEB_ROUTE("GET", "/api/v1/sms/gateways/{id}/reports", api_reports,
		  R_PUBLIC),
	{.method = NULL},
};

static int sms_init(struct srv *s, void **arg)
{
	struct sms *st = calloc(1, sizeof(*st));

	(void)s;
	if (!st)
		return ENOMEM;
	*arg = st;
	st->open = json_object();
	st->optout = json_object();
	st->closed = json_object();
	st->reports = json_object();
	st->exempt = json_object();
	st->seen = json_object();
	st->routes = json_object();
	if (!st->open || !st->optout || !st->closed || !st->reports ||
	    !st->exempt || !st->seen || !st->routes)
		return ENOMEM;
	return 0;
}

/* A restored SMS contact is again its phone's open contact. */
static void load_contact(struct crec *c, void *arg)
{
	struct sms *st = arg;
	const json_t *b = crec_body(c);
	const char *phone =
		jv_str(json_object_get(b, "attributes"), "sms_from");
	char key[128];

	if (!phone || strcmp(jv_str(b, "channel"), "sms"))
		return;
	key_of(key, sizeof(key), jv_str(b, "tenant"), phone);
	json_object_set_new(st->open, key, json_string(c->id));
}

static int load_customer(const char *id, const char *body, void *arg)
{
	struct sms *st = arg;
	json_t *b = json_loads(body, 0, NULL);

	if (b && jv_str(b, "sms_opt_out"))
		json_object_set_new(st->optout, id, json_true());
	json_decref(b);
	return 0;
}

static int sms_load(struct srv *s, void *arg)
{
	struct sms *st = arg;

	contacts_each(s, load_contact, st);
	return s->store->ops->rows(s->store, "customers", load_customer, st);
}

static void sms_start(struct srv *s, void *arg)
{
	struct sms *st = arg;
	struct sa ns[4];
	uint32_t n = 4;
	char domain[64];
	int err;

	(void)s;
	if (dns_srv_get(domain, sizeof(domain), ns, &n))
		n = 0;
	err = dnsc_alloc(&st->dnsc, NULL, ns, n);
	if (!err)
		err = http_client_alloc(&st->cli, st->dnsc);
	if (err)
		log_error("sms",
			  "msg=\"no HTTP client: no SMS will go\" "
			  "err=%d",
			  err);
}

static void sms_metrics(struct srv *s, void *arg, struct mbuf *mb)
{
	struct sms *st = arg;

	(void)s;
	mbuf_printf(mb,
		    "# HELP relais_sms_total SMS received (mo), handed to "
		    "the gateways (mt), delivery reports (dlr)\n"
		    "# TYPE relais_sms_total counter\n"
		    "relais_sms_total{kind=\"mo\"} %llu\n"
		    "relais_sms_total{kind=\"mt\"} %llu\n"
		    "relais_sms_total{kind=\"dlr\"} %llu\n",
		    (unsigned long long)st->mo, (unsigned long long)st->mt,
		    (unsigned long long)st->dlr);
}

static void sms_close(struct srv *s, void *arg)
{
	struct sms *st = arg;
	struct le *le;

	(void)s;
	if (!st)
		return;
	/* the requests in flight are the client's: it cancels them */
	while ((le = list_head(&st->sends))) {
		struct send *sd = le->data;

		mem_deref(sd->req);
		mem_deref(sd);
	}
	while ((le = list_head(&st->marks)))
		optmark_free(le->data);
	mem_deref(st->cli);
	mem_deref(st->dnsc);
	json_decref(st->open);
	json_decref(st->optout);
	json_decref(st->closed);
	json_decref(st->reports);
	json_decref(st->exempt);
	json_decref(st->seen);
	json_decref(st->routes);
	free(st);
}

const struct srv_module sms_module = {
	.name = "sms",
	.routes = routes,
	.init = sms_init,
	.load = sms_load,
	.start = sms_start,
	.on_commit = sms_commit,
	.metrics = sms_metrics,
	.close = sms_close,
};
