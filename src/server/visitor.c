/*
 * visitor — see visitor.h. State (visitor_int.h): the tokens (hash -> row,
 * in memory and in the store's visitors table), the conversation of each
 * token, the rate limits; the visitors' streams are visitor_stream.c's.
 * What a token may do is checked here, on every request: the row of its
 * hash, not expired, the path's conversation its own, within its limits.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "server/libre.h"

#include "core/rate.h"
#include "lang/lang.h"
#include "model/event.h"
#include "model/utctime.h"
#include "server/attachments.h"
#include "server/auth.h"
#include "server/contacts.h"
#include "server/csat.h"
#include "server/log.h"
#include "server/messages.h"
#include "server/module.h"
#include "server/objects.h"
#include "server/srv.h"
#include "server/stream.h"
#include "server/visitor.h"
#include "server/visitor_int.h"

#define TABLE	"visitors"
#define HOUR_MS 3600000LL

struct visitors *visitor_state(struct srv *s)
{
	return srv_module_state(s, &visitor_module);
}

/* ---- settings ---- */

/* "BURST/PER_MIN" from the environment, or the default rule. */
static struct rate_rule env_rule(const char *name, double burst, double per_min)
{
	const char *v = getenv(name);
	double b, p;
	char tail;

	if (v && sscanf(v, "%lf/%lf%c", &b, &p, &tail) == 2 && b >= 1 && p > 0)
		return (struct rate_rule){b, p};
	if (v)
		log_warn("visitor",
			 "msg=\"ignored: expected BURST/PER_MIN\" "
			 "var=%s",
			 name);
	return (struct rate_rule){burst, per_min};
}

/* ---- tokens ---- */

static void token_hash(const char *tok, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)tok, strlen(tok));
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

static void row_put(struct srv *s, const char *hash, const json_t *row)
{
	srv_put(s, TABLE, hash, row);
	srv_commit_soon(s);
}

int visitor_token_new(struct srv *s, const char *contact, const char *tenant,
		      const char *widget, const char *lang,
		      char tok[WIDGET_TOKEN_SIZE])
{
	struct visitors *v = visitor_state(s);
	unsigned char rnd[32];
	char hash[65], at[UTCTIME_SIZE];
	json_t *row;

	randombytes_buf(rnd, sizeof(rnd));
	memcpy(tok, WIDGET_TOKEN_PREFIX, strlen(WIDGET_TOKEN_PREFIX));
	sodium_bin2hex(tok + strlen(WIDGET_TOKEN_PREFIX), 65, rnd, sizeof(rnd));
	token_hash(tok, hash);
	row = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:n,s:n,s:n,s:n,s:b}",
			"contact", contact, "tenant", tenant, "widget", widget,
			"lang", lang, "created_at",
			utctime_format(srv_now(s), at, sizeof(at)), "state",
			"queued", "ended_ms", "queue", "agent", "agent_name",
			"csat", 0);
	if (!row || json_object_set_new(v->tokens, hash, row) ||
	    json_object_set_new(v->by_contact, contact, json_string(hash)))
		return ENOMEM;
	row_put(s, hash, row);
	return 0;
}

/* Whether a token's row is past its life at now. */
static bool expired(const struct visitors *v, const json_t *row, int64_t now)
{
	const json_t *end = json_object_get(row, "ended_ms");

	return json_is_integer(end) &&
	       now > json_integer_value(end) + v->ttl_ms;
}

json_t *visitor_token_row(struct visitors *v, const char *tok, char hash[65])
{
	json_t *row;

	if (!widget_token_ok(tok))
		return NULL;
	token_hash(tok, hash);
	row = json_object_get(v->tokens, hash);
	return row && !expired(v, row, srv_now(v->srv)) ? row : NULL;
}

/* ---- rate limits ---- */

/* 429 with Retry-After. */
void visitor_too_many(struct hreq *r, int64_t wait_ms)
{
	long long sec = (long long)((wait_ms + 999) / 1000);

	snprintf(r->extra, sizeof(r->extra), "Retry-After: %lld\r\n", sec);
	web_error(r, 429, "too_many_requests",
		  "too many requests; try again in %lld s", sec);
}

/* A token of rt for key; false with the 429 sent. */
static bool take(struct hreq *r, struct rate *rt, const char *prefix,
		 const char *id)
{
	char key[128];
	int64_t wait = 0;
	int err;

	snprintf(key, sizeof(key), "%s%s", prefix, id);
	err = rate_take(rt, key, srv_now(r->srv), &wait);
	if (err == EAGAIN) {
		visitor_too_many(r, wait);
		return false;
	}
	return true; /* out of memory: not the visitor's fault */
}

/* ?lang= says the visitor's language, before Accept-Language. */
static void lang_param(struct hreq *r)
{
	char buf[16];
	const char *l = web_query(r, "lang", buf, sizeof(buf));

	if (l)
		web_set_lang(r, l);
}

bool visitor_admit_token(struct hreq *r, const char *hash)
{
	return visitor_admit(r, false) &&
	       take(r, &visitor_state(r->srv)->per_visitor, "v", hash);
}

bool visitor_admit(struct hreq *r, bool create)
{
	struct visitors *v = visitor_state(r->srv);
	char addr[64];

	lang_param(r);
	auth_client_addr(r, addr, sizeof(addr));
	return take(r, &v->per_addr, "a", addr) &&
	       (!create || take(r, &v->new_per_addr, "n", addr));
}

/* ---- who asks ---- */

/*
 * The row of the request's visitor token (Authorization: Bearer), the
 * limits taken; NULL with the answer sent (401, 429).
 */
static json_t *visitor_of(struct hreq *r, char hash[65])
{
	struct visitors *v = visitor_state(r->srv);
	const struct http_hdr *h = http_msg_hdr(r->msg, HTTP_HDR_AUTHORIZATION);
	char tok[WIDGET_TOKEN_SIZE];
	json_t *row = NULL;

	lang_param(r); /* the 401 in the visitor's language too */
	if (h && widget_bearer(h->val.p, h->val.l, tok))
		row = visitor_token_row(v, tok, hash);
	if (!row) {
		web_error(r, 401, "unauthorized",
			  "a visitor token is required (unknown or "
			  "expired)");
		return NULL;
	}
	if (!visitor_admit_token(r, hash))
		return NULL;
	return row;
}

/*
 * The visitor's row (its token's hash into hash) when the path names its
 * conversation; else NULL, answered (404 for another conversation).
 */
static json_t *conversation_of(struct hreq *r, char hash[65])
{
	json_t *row = visitor_of(r, hash);

	if (row && strcmp(jv_str(row, "contact"), r->params[0])) {
		web_not_found(r, "contact", r->params[0]);
		return NULL;
	}
	return row;
}

/* messages' hook for GET /api/v1/attachments/{id} (messages.h). */
static bool attachment_visitor(struct hreq *r, char contact[40])
{
	const struct http_hdr *h = http_msg_hdr(r->msg, HTTP_HDR_AUTHORIZATION);
	char hash[65];
	json_t *row;

	contact[0] = '\0';
	if (!h || h->val.l < 7 + strlen(WIDGET_TOKEN_PREFIX) ||
	    memcmp(h->val.p + 7, WIDGET_TOKEN_PREFIX,
		   strlen(WIDGET_TOKEN_PREFIX)))
		return false; /* not a visitor's: staff authentication */
	row = visitor_of(r, hash);
	if (row)
		snprintf(contact, 40, "%s", jv_str(row, "contact"));
	return true;
}

/* The live contact of the visitor's conversation, or NULL (it ended). */
static struct crec *live_contact(struct srv *s, const json_t *row)
{
	struct crec *c = contacts_find(s, jv_str(row, "contact"));

	return c && !c->done ? c : NULL;
}

/* Whether the visitor may still write: the conversation has not ended. */
static struct crec *writable(struct hreq *r, const json_t *row)
{
	struct crec *c = live_contact(r->srv, row);
	const char *st = c ? jv_str(crec_body(c), "state") : NULL;

	if (!st || !strcmp(st, "wrapup")) {
		web_error(r, 409, "conflict", "the conversation has ended");
		return NULL;
	}
	return c;
}

/* ---- GET /api/v1/widget/conversations/{id} ---- */

const char *visitor_agent_name(struct srv *s, const char *agent)
{
	struct obj *o = agent ? obj_find(s, K_AGENTS, agent) : NULL;

	return o ? jv_str(o->body, "name") : NULL;
}

/* {"contact","state","position","ewt_s","agent_name"}, new reference. */
static json_t *conversation_view(struct srv *s, const json_t *row)
{
	struct crec *c = live_contact(s, row);
	json_t *live, *out;

	if (!c)
		return json_pack("{s:O,s:O,s:i,s:n,s:O}", "contact",
				 json_object_get(row, "contact"), "state",
				 json_object_get(row, "state"), "position", 0,
				 "ewt_s", "agent_name",
				 json_object_get(row, "agent_name"));
	live = contacts_live_view(s, c);
	out = json_pack("{s:s,s:O,s:O,s:O,s:s?}", "contact", c->id, "state",
			json_object_get(live, "state"), "position",
			json_object_get(live, "position"), "ewt_s",
			json_object_get(live, "ewt_s"), "agent_name",
			visitor_agent_name(s, jv_str(live, "agent")));
	json_decref(live);
	return out;
}

static void api_conversation(struct hreq *r)
{
	char hash[65];
	json_t *row = conversation_of(r, hash);

	if (row)
		web_json(r, 200, conversation_view(r->srv, row));
}

/* ---- messages ---- */

static void api_messages(struct hreq *r)
{
	char hash[65];
	json_t *row = conversation_of(r, hash);
	int64_t after;

	if (row && messages_after_param(r, &after))
		web_json(r, 200,
			 messages_page(r->srv, r->params[0], after, true));
}

static const struct jv_field message_fields[] = {
	{"text", JV_STRING, 0, 0, 20000, NULL, NULL},
	{"attachments", JV_STRINGS, 0, 0, 20, NULL, NULL},
	JV_END,
};

static void api_message_post(struct hreq *r)
{
	char hash[65];
	json_t *row = conversation_of(r, hash), *view = NULL;
	const json_t *ids;
	const char *text;
	struct message_in in = {0};
	struct crec *c;
	char id[40];
	int err;

	/* r is answered, and gone, when row is NULL: read it after */
	if (!row || web_check(r, r->body, message_fields, true) ||
	    !(c = writable(r, row)))
		return;
	ids = json_object_get(r->body, "attachments");
	text = jv_str(r->body, "text");
	if ((!text || !text[0]) && !json_array_size(ids)) {
		web_error(r, 400, "invalid_field",
			  "text: required (or attachments)");
		return;
	}
	in.text = text ? text : "";
	in.attachments = json_array_size(ids) ? ids : NULL;
	err = messages_add_inbound_view(r->srv, c, &in, id, &view);
	if (err == EINVAL) {
		web_error(r, 400, "invalid_field",
			  "attachments: not all are files of this "
			  "conversation");
		return;
	}
	if (err) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	srv_reply_durable(r, 201, view);
}

static void api_typing(struct hreq *r)
{
	static const struct jv_field none[] = {JV_END};
	char hash[65];
	json_t *row = conversation_of(r, hash);
	struct crec *c;

	if (!row || web_check(r, r->body, none, true) ||
	    !(c = writable(r, row)))
		return;
	messages_typing(r->srv, c, "customer", NULL);
	web_no_content(r);
}

static void api_attachment(struct hreq *r)
{
	char hash[65];
	json_t *row = conversation_of(r, hash);
	struct crec *c;

	if (row && (c = writable(r, row)))
		messages_upload(r, c, NULL);
}

/* ---- the end, the rating, the transcript ---- */

static bool waiting(const char *st)
{
	return !strcmp(st, "queued") || !strcmp(st, "offered") ||
	       !strcmp(st, "callback-pending");
}

/*
 * The visitor leaves: a waiting conversation is abandoned; one an agent
 * handles ends (the agent's desktop shows it ended and wraps up). An
 * ended one stays ended (204: the visitor's intent holds).
 */
static void api_end(struct hreq *r)
{
	char hash[65];
	json_t *row = conversation_of(r, hash);
	struct crec *c;
	char msg[256];
	const char *st;
	int err = 0;

	if (!row)
		return;
	c = live_contact(r->srv, row);
	st = c ? jv_str(crec_body(c), "state") : "";
	if (c && waiting(st))
		err = contacts_abandon(r->srv, c, &LANG_OUT(r->lang, msg));
	else if (c && !strcmp(st, "active"))
		err = contacts_end(r->srv, c, &LANG_OUT(r->lang, msg));
	if (err) {
		web_error(r, err == EBUSY ? 409 : 500,
			  err == EBUSY ? "conflict" : "internal", "%s", msg);
		return;
	}
	srv_reply_durable(r, 204, NULL);
}

/* Once per conversation: the rating, with who handled it. */
static void api_csat(struct hreq *r)
{
	char hash[65];
	json_t *row = conversation_of(r, hash);
	struct crec *c;
	const json_t *b;

	if (!row || web_check(r, r->body, widget_csat_fields, true))
		return;
	if (jv_bool(row, "csat", false) ||
	    csat_rated(r->srv, jv_str(row, "contact"))) {
		web_error(r, 409, "conflict",
			  "this conversation has been rated already");
		return;
	}
	c = live_contact(r->srv, row);
	b = c ? crec_body(c) : row;
	csat_record(r->srv, &(struct csat_rating){
				    .tenant = jv_str(row, "tenant"),
				    .contact = jv_str(row, "contact"),
				    .queue = jv_str(b, "queue"),
				    .agent = jv_str(b, "agent"),
				    .channel = CH_CHAT,
				    .score = (int)jv_int(r->body, "score", 0),
				    .comment = jv_str(r->body, "comment"),
			    });
	json_object_set_new(row, "csat", json_true());
	row_put(r->srv, hash, row);
	srv_reply_durable(
		r, 201,
		json_pack("{s:s,s:O,s:O?}", "contact", jv_str(row, "contact"),
			  "score", json_object_get(r->body, "score"), "comment",
			  json_object_get(r->body, "comment")));
}

static void api_transcript(struct hreq *r)
{
	char hash[65];
	json_t *row = conversation_of(r, hash);
	struct event ev = {.type = EVENT_CONTACT_TRANSCRIPT};
	const char *email;

	if (!row || web_check(r, r->body, widget_transcript_fields, true))
		return;
	email = jv_str(r->body, "email");
	if (!widget_email_ok(email)) {
		web_error(r, 400, "invalid_field",
			  "email: not an email address");
		return;
	}
	ev.u.transcript = (struct event_contact_transcript){
		jv_str(row, "contact"), email, r->lang};
	srv_log(r->srv, jv_str(row, "tenant"), &ev);
	srv_commit_soon(r->srv);
	srv_reply_durable(r, 202,
			  json_pack("{s:O,s:s}", "contact",
				    json_object_get(row, "contact"), "email",
				    email));
}

/* ---- the conversation's life, from the engine ---- */

/*
 * Keeps what the visitor's routes need once the contact has left memory:
 * its state, who handled it, and when it ended (the token's life).
 */
static void visitor_engine_event(struct srv *s, void *arg,
				 const struct engine_event *ev)
{
	struct visitors *v = arg;
	struct crec *c = ev->contact ? contacts_find_num(s, ev->contact) : NULL;
	const char *hash;
	json_t *row;

	if (!c ||
	    !(hash = json_string_value(
		      json_object_get(v->by_contact, c->id))) ||
	    !(row = json_object_get(v->tokens, hash)))
		return;
	json_object_set_new(row, "state",
			    json_string(engine_contact_state_name(ev->state)));
	if (ev->type == EV_CONTACT_ACCEPTED) {
		json_object_set_new(row, "queue", json_string(ev->queue));
		json_object_set_new(row, "agent", json_string(ev->agent));
		json_object_set_new(
			row, "agent_name",
			json_string(visitor_agent_name(s, ev->agent)
					    ? visitor_agent_name(s, ev->agent)
					    : ""));
	}
	if (ev->type == EV_CONTACT_COMPLETED ||
	    ev->type == EV_CONTACT_ABANDONED || ev->type == EV_CONTACT_CLOSED ||
	    ev->type == EV_CONTACT_VOICEMAIL)
		json_object_set_new(row, "ended_ms", json_integer(srv_now(s)));
	row_put(s, hash, row);
}

/* ---- start-up, the second's tick ---- */

static int load_row(const char *id, const char *body, void *arg)
{
	struct visitors *v = arg;
	json_t *row = json_loads(body, 0, NULL);

	if (!row || !jv_str(row, "contact"))
		return row ? (json_decref(row), 0) : ENOMEM;
	if (json_object_set_new(v->by_contact, jv_str(row, "contact"),
				json_string(id)) ||
	    json_object_set_new(v->tokens, id, row))
		return ENOMEM;
	return 0;
}

static int visitor_load(struct srv *s, void *arg)
{
	struct visitors *v = arg;
	int err = s->store->ops->rows(s->store, TABLE, load_row, v);

	if (!err)
		log_info("visitor", "msg=restored tokens=%zu",
			 json_object_size(v->tokens));
	return err;
}

/* Tokens past their life leave (with their streams); full buckets too. */
static void visitor_tick(struct srv *s, void *arg)
{
	struct visitors *v = arg;
	int64_t now = srv_now(s);
	const char *hash;
	json_t *row;
	void *tmp;

	json_object_foreach_safe(v->tokens, tmp, hash, row)
	{
		if (!expired(v, row, now))
			continue;
		visitor_streams_end(v, hash, 1008, "token expired");
		json_object_del(v->by_contact, jv_str(row, "contact"));
		srv_del(s, TABLE, hash);
		json_object_del(v->tokens, hash);
		srv_commit_soon(s);
	}
	visitor_streams_tick(v);
	rate_sweep(&v->per_visitor, now);
	rate_sweep(&v->per_addr, now);
	rate_sweep(&v->new_per_addr, now);
}

static void visitor_stop(struct srv *s, void *arg)
{
	(void)s;
	visitor_streams_end(arg, NULL, 1001, "server stopping");
}

/* on_commit: the events of followed contacts to the visitors' streams. */
static void visitor_commit(struct srv *s, void *arg, const struct pub *pubs,
			   size_t n)
{
	visitor_streams_publish(s, arg, pubs, n);
}

static int visitor_init(struct srv *s, void **arg)
{
	struct visitors *v = calloc(1, sizeof(*v));
	const char *ttl = getenv("RELAIS_VISITOR_TTL_S");

	if (!v)
		return ENOMEM;
	*arg = v;
	v->srv = s;
	v->tokens = json_object();
	v->by_contact = json_object();
	list_init(&v->streams);
	v->ttl_ms = ttl && atoll(ttl) > 0 ? atoll(ttl) * 1000LL : 6 * HOUR_MS;
	rate_init(&v->per_visitor,
		  env_rule("RELAIS_WIDGET_VISITOR_RATE", 30, 120));
	rate_init(&v->per_addr, env_rule("RELAIS_WIDGET_ADDR_RATE", 300, 1200));
	rate_init(&v->new_per_addr, env_rule("RELAIS_WIDGET_NEW_RATE", 5, 10));
	if (sodium_init() < 0)
		return EIO;
	messages_visitor_set(s, attachment_visitor);
	stream_visitors_set(s, &visitor_stream_hooks);
	return v->tokens && v->by_contact ? 0 : ENOMEM;
}

static void visitor_close(struct srv *s, void *arg)
{
	struct visitors *v = arg;

	(void)s;
	if (!v)
		return;
	visitor_streams_end(v, NULL, 1001, "server stopping");
	rate_reset(&v->per_visitor);
	rate_reset(&v->per_addr);
	rate_reset(&v->new_per_addr);
	json_decref(v->tokens);
	json_decref(v->by_contact);
	free(v);
}

static void visitor_metrics(struct srv *s, void *arg, struct mbuf *mb)
{
	struct visitors *v = arg;

	(void)s;
	mbuf_printf(mb,
		    "# HELP relais_chat_visitors Visitor tokens kept.\n"
		    "# TYPE relais_chat_visitors gauge\n"
		    "relais_chat_visitors %zu\n"
		    "# HELP relais_chat_streams Open visitor streams.\n"
		    "# TYPE relais_chat_streams gauge\n"
		    "relais_chat_streams %u\n",
		    json_object_size(v->tokens), list_count(&v->streams));
}

#define CONV "/api/v1/widget/conversations/{id}"

static const struct route routes[] = {
	WEB_ROUTE("GET", CONV, api_conversation, R_PUBLIC),
	WEB_ROUTE("GET", CONV "/messages", api_messages, R_PUBLIC),
	WEB_ROUTE("POST", CONV "/messages", api_message_post, R_PUBLIC),
	WEB_ROUTE("POST", CONV "/typing", api_typing, R_PUBLIC),
	{.method = "POST",
	 .pattern = CONV "/attachments",
	 .h = api_attachment,
	 .roles = R_PUBLIC,
	 .body_limit = messages_upload_limit,
	 .raw = true},
	WEB_ROUTE("POST", CONV "/end", api_end, R_PUBLIC),
	WEB_ROUTE("POST", CONV "/csat", api_csat, R_PUBLIC),
	WEB_ROUTE("POST", CONV "/transcript", api_transcript, R_PUBLIC),
	{.method = NULL},
};

const struct srv_module visitor_module = {
	.name = "visitor",
	.routes = routes,
	.init = visitor_init,
	.load = visitor_load,
	.on_engine_event = visitor_engine_event,
	.on_commit = visitor_commit,
	.tick = visitor_tick,
	.metrics = visitor_metrics,
	.stop = visitor_stop,
	.close = visitor_close,
};
