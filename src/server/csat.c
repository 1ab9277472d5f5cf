/*
 * csat — POST /api/v1/contacts/{id}/csat: a customer's rating of an ended
 * contact (1 to 5, a comment), as an outside survey system reports it;
 * the chat widget logs its own. Logged as contact.csat with the contact's
 * queue, agent and that agent's site, so that the quality figures
 * (metrics_csat: stats.c today, reports.c by interval) count it per
 * queue, agent, tenant and site.
 *
 * Once per contact: the log is read for an earlier rating (the index on
 * contact), and the ratings logged since start-up are kept here, so that
 * two requests racing each other cannot both pass.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/event.h"
#include "server/auth.h"
#include "server/contacts.h"
#include "server/csat.h"
#include "server/module.h"
#include "server/objects.h"
#include "server/query.h"
#include "server/srv.h"

struct csat {
	json_t *rated; /* contact id -> true: rated since start-up */
};

static struct csat *state(struct srv *s)
{
	return srv_module_state(s, &csat_module);
}

static const struct jv_field csat_fields[] = {
	{"score", JV_INT, JV_REQUIRED, 1, 5, NULL, NULL},
	{"comment", JV_STRING, 0, 0, 2000, NULL, NULL},
	JV_END,
};

/* On the store's thread: the contact's row, and whether it was rated. */
static int seen_csat(const struct store_event *ev, void *arg)
{
	struct query *q = arg;

	if (!strcmp(ev->type, "contact.csat"))
		q->total = 1;
	return 0;
}

static void csat_run(struct store *st, struct query *q)
{
	q->eq.contact = q->id;
	q->err = st->ops->get(st, "contacts", q->id, query_collect, q);
	if (!q->err)
		q->err = st->ops->events(st, &q->eq, seen_csat, q);
}

/* Ended: handled to its end (wrap-up or completed). */
static bool ended(const json_t *b)
{
	const char *st = jv_str(b, "state");

	return !strcmp(st, "wrapup") || !strcmp(st, "completed");
}

void csat_record(struct srv *s, const struct csat_rating *rt)
{
	struct event ev = {.type = EVENT_CONTACT_CSAT};
	struct obj *a = rt->agent ? obj_find(s, K_AGENTS, rt->agent) : NULL;

	ev.u.csat = (struct event_contact_csat){
		.contact = rt->contact,
		.queue = rt->queue,
		.agent = rt->agent,
		.site = a ? jv_str(a->body, "site") : NULL,
		.channel = rt->channel,
		.score = rt->score,
		.comment = rt->comment,
	};
	json_object_set_new(state(s)->rated, rt->contact, json_true());
	srv_log(s, rt->tenant, &ev);
	srv_commit_soon(s);
}

bool csat_rated(struct srv *s, const char *contact)
{
	return json_object_get(state(s)->rated, contact) != NULL;
}

static void csat_log(struct hreq *r, const json_t *b)
{
	struct csat_rating rt = {
		.tenant = jv_str(b, "tenant"),
		.contact = jv_str(b, "id"),
		.queue = jv_str(b, "queue"),
		.agent = jv_str(b, "agent"),
		.channel = CH_CHAT,
		.score = (int)jv_int(r->body, "score", 0),
		.comment = jv_str(r->body, "comment"),
	};

	(void)engine_channel_parse(jv_str(b, "channel"), &rt.channel);
	csat_record(r->srv, &rt);
	srv_reply_durable(r, 201,
			  json_pack("{s:s,s:i,s:s?}", "contact", rt.contact,
				    "score", rt.score, "comment", rt.comment));
}

static void csat_finish(struct query *q)
{
	struct hreq *r = q->r;
	struct crec *c = contacts_find(r->srv, q->id);
	const json_t *b = c ? crec_body(c) : json_array_get(q->result, 0);

	if (query_failed(q))
		return;
	if (!b || !contacts_visible(r->srv, r->user, b)) {
		web_not_found(r, "contact", q->id);
		return;
	}
	if (!ended(b)) {
		web_error(r, 409, "conflict",
			  "the contact has not ended: it is %s",
			  jv_str(b, "state"));
		return;
	}
	if (q->total || csat_rated(r->srv, q->id)) {
		web_error(r, 409, "conflict", "the contact is already rated");
		return;
	}
	csat_log(r, b);
}

static void api_csat(struct hreq *r)
{
	struct query *q;

	if (web_check(r, r->body, csat_fields, true) || !(q = query_new(r)))
		return;
	snprintf(q->id, sizeof(q->id), "%s", r->params[0]);
	q->run = csat_run;
	q->finish = csat_finish;
	query_submit(q);
}

static const struct route routes[] = {
	WEB_ROUTE("POST", "/api/v1/contacts/{id}/csat", api_csat,
		  R_ADMIN | R_INTEGRATION),
	{.method = NULL},
};

static int csat_init(struct srv *s, void **arg)
{
	struct csat *c = calloc(1, sizeof(*c));

	(void)s;
	if (!c)
		return ENOMEM;
	c->rated = json_object();
	*arg = c;
	return c->rated ? 0 : ENOMEM;
}

static void csat_close(struct srv *s, void *arg)
{
	struct csat *c = arg;

	(void)s;
	if (!c)
		return;
	json_decref(c->rated);
	free(c);
}

const struct srv_module csat_module = {
	.name = "csat",
	.routes = routes,
	.init = csat_init,
	.close = csat_close,
};
