/*
 * widget — see widget.h. A widget is a configuration object; its key is
 * made once (24 random bytes) and never changes: an administrator who
 * wants another key makes another widget. The routes find a widget by its
 * key (a pass over the widgets: a tenant has a handful).
 *
 * A conversation is accepted whatever the hour: when the queue's calendar
 * is closed or nobody serves the queue, the contact waits in line (the
 * engine holds a written contact in a closed queue, engine_contact.c) and
 * the answer says "open": false, so the frame shows the closed message and
 * that the message was received.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "server/libre.h"

#include "lang/lang.h"
#include "model/config.h"
#include "model/widget_input.h"
#include "server/contacts.h"
#include "server/customers.h"
#include "server/log.h"
#include "server/messages.h"
#include "server/module.h"
#include "server/objects.h"
#include "server/srv.h"
#include "server/visitor.h"
#include "server/webfiles.h"
#include "server/widget.h"
#include "sys/readfile.h"

#define FILE_MAX (1024 * 1024)

/* ---- the kind ---- */

#define RO(n)                                               \
	{                                                   \
		n, JV_STRING, JV_READONLY, 0, 0, NULL, NULL \
	}

static const struct jv_field widget_fields[] = {
	RO("id"),
	RO("created_at"),
	RO("updated_at"),
	RO("key"),
	JV_FIELDS(widget_config_fields),
	JV_END,
};

/* A new public key: 24 random bytes in hex (a path segment fits 63). */
static void key_new(char out[49])
{
	unsigned char rnd[24];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(out, 49, rnd, sizeof(rnd));
}

/* The queue is the tenant's, and a chat queue. */
static int check_queue(struct srv *s, const json_t *next, struct lang_out *why)
{
	struct obj *q = obj_find(s, K_QUEUES, jv_str(next, "queue"));

	if (!q || strcmp(jv_str(q->body, "tenant"), jv_str(next, "tenant"))) {
		lang_say(why, N_("queue: no queue %.64s of this tenant"),
			 jv_str(next, "queue"));
		return EINVAL;
	}
	if (strcmp(jv_str(q->body, "channel"), "chat")) {
		lang_say(why, N_("queue: a widget needs a chat queue"));
		return EINVAL;
	}
	return 0;
}

static int widget_apply(struct srv *s, struct obj *o, json_t *next,
			struct lang_out *why)
{
	long bad = widget_origins_bad(json_object_get(next, "allowed_origins"));
	char key[49];
	int st;

	(void)o;
	if ((st = kind_check_ref(s, next, "tenant", K_TENANTS, why)) ||
	    (st = check_queue(s, next, why)))
		return st;
	if (bad >= 0) {
		lang_say(why,
			 N_("allowed_origins[%ld]: expected "
			    "scheme://host[:port] "
			    "(http or https, no path)"),
			 bad);
		return EINVAL;
	}
	if (!jv_str(next, "key")) {
		key_new(key);
		json_object_set_new(next, "key", json_string(key));
	}
	return 0;
}

static void widget_defaults(json_t *b)
{
	kind_set_default(b, "allowed_origins", json_array());
	kind_set_default(b, "pre_chat",
			 json_pack("{s:b,s:b}", "name", 1, "email", 0));
	kind_set_default(b, "consent_text", json_null());
	kind_set_default(b, "closed_message", json_null());
}

const struct kind widget_kind = {
	.name = "widgets",
	.one = "widget",
	.fields = widget_fields,
	.unique = NULL,
	.read_roles = R_ADMIN | R_SUPERVISOR,
	.write_roles = R_ADMIN,
	.apply = widget_apply,
	.remove = NULL,
	.visible = kind_tenant_visible,
	.defaults = widget_defaults,
	.present = kind_plain_present,
};

bool widget_uses_queue(struct srv *s, const char *queue)
{
	return obj_find_by(s, K_WIDGETS, "queue", queue) != NULL;
}

/* ---- finding a widget ---- */

/* The widget of key, or NULL with the 404 sent. */
static struct obj *widget_by_key(struct hreq *r, const char *key)
{
	struct obj *w = key && key[0]
				? obj_find_by(r->srv, K_WIDGETS, "key", key)
				: NULL;

	if (!w)
		web_not_found(r, "widget", key ? key : "");
	return w;
}

/* ?key=K */
static struct obj *widget_of_query(struct hreq *r)
{
	char key[80];

	return widget_by_key(r, web_query(r, "key", key, sizeof(key)));
}

/* A text of the widget in the visitor's language, else another. */
static const char *text_in(const json_t *texts, const char *lang)
{
	const char *t = jv_str(texts, lang);

	if (!t || !t[0])
		t = jv_str(texts, "en");
	if (!t || !t[0])
		t = jv_str(texts, "fr");
	return t && t[0] ? t : NULL;
}

/* ---- files of the web folder: the loader and the frame ---- */

/* web/widget/<name> with headers; 404 when the folder has none. */
static void send_file(struct hreq *r, const char *name, const char *type,
		      const char *headers)
{
	const char *root = srv_module_state(r->srv, &webfiles_module);
	char path[4096], *body = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/widget/%s", root ? root : "", name);
	if (!root || file_read_all(path, FILE_MAX, &body, &len)) {
		web_error(r, 404, "not_found", "no file %s", r->path);
		return;
	}
	web_file(r, 200, type, body, len, headers, !strcmp(r->method, "HEAD"));
	free(body);
}

static void api_loader(struct hreq *r)
{
	if (visitor_admit(r, false) && widget_of_query(r))
		send_file(r, "loader.js", "text/javascript; charset=utf-8",
			  "Cache-Control: no-cache\r\n");
}

/*
 * The frame's policy: this origin's files only (blob: for the
 * attachments it shows), framed by the widget's origins and this server.
 */
static char *frame_headers(const json_t *origins)
{
	static const char head[] =
		"Cache-Control: no-cache\r\n"
		"Content-Security-Policy: default-src 'self'; "
		"script-src 'self'; style-src 'self'; "
		"img-src 'self' data: blob:; media-src 'self' blob:; "
		"connect-src 'self'; font-src 'self'; object-src 'none'; "
		"base-uri 'none'; form-action 'self'; frame-ancestors 'self'";
	size_t size = sizeof(head) + 8, i;
	const json_t *o;
	char *out;

	json_array_foreach(origins, i, o) size += json_string_length(o) + 1;
	out = malloc(size);
	if (!out)
		return NULL;
	strcpy(out, head);
	json_array_foreach(origins, i, o)
	{
		strcat(out, " ");
		strcat(out, json_string_value(o));
	}
	strcat(out, "\r\n");
	return out;
}

static void api_frame(struct hreq *r)
{
	struct obj *w;
	char *headers;

	if (!visitor_admit(r, false) || !(w = widget_of_query(r)))
		return;
	headers = frame_headers(json_object_get(w->body, "allowed_origins"));
	if (!headers) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	send_file(r, "index.html", "text/html; charset=utf-8", headers);
	free(headers);
}

/* ---- GET /api/v1/widget/{key} ---- */

/* Whether an agent who serves the tenant's chat is logged in. */
static bool someone_serves(struct srv *s, const char *tenant)
{
	struct kindset *set = obj_set(s, K_AGENTS);
	uint8_t load[CH_MAX];
	enum agent_state st;

	for (size_t i = 0; i < set->n; i++) {
		const struct obj *a = set->list[i];

		if (config_agent_serves(a->body, tenant, "chat") &&
		    !engine_agent_info(s->eng, a->id, &st, load) &&
		    st != AS_OFFLINE)
			return true;
	}
	return false;
}

static bool widget_open(struct srv *s, const json_t *w)
{
	return engine_queue_open(s->eng, jv_str(w, "queue"), srv_now(s)) &&
	       someone_serves(s, jv_str(w, "tenant"));
}

static json_t *nullable(const char *t)
{
	return t ? json_string(t) : json_null();
}

static void api_info(struct hreq *r)
{
	struct obj *w;
	const json_t *b;

	if (!visitor_admit(r, false) || !(w = widget_by_key(r, r->params[0])))
		return;
	b = w->body;
	web_json(
		r, 200,
		json_pack("{s:O,s:O,s:o,s:o,s:b,s:s}", "name",
			  json_object_get(b, "name"), "pre_chat",
			  json_object_get(b, "pre_chat"), "consent_text",
			  nullable(text_in(json_object_get(b, "consent_text"),
					   r->lang)),
			  "closed_message",
			  nullable(text_in(json_object_get(b, "closed_message"),
					   r->lang)),
			  "open", widget_open(r->srv, b), "lang", r->lang));
}

/* ---- POST /api/v1/widget/{key}/conversations ---- */

/* What the widget asks for is there; false with the 400 sent. */
static bool body_ok(struct hreq *r, const json_t *w)
{
	const json_t *pre = json_object_get(w, "pre_chat");
	const char *name = jv_str(r->body, "name"),
		   *email = jv_str(r->body, "email");

	if (web_check(r, r->body, widget_conversation_fields, true))
		return false;
	if (text_in(json_object_get(w, "consent_text"), r->lang) &&
	    !jv_bool(r->body, "consent", false)) {
		web_error(r, 400, "invalid_field",
			  "consent: required (true) by this chat");
		return false;
	}
	if (jv_bool(pre, "name", false) && (!name || !name[0])) {
		web_error(r, 400, "invalid_field", "name: required");
		return false;
	}
	if ((jv_bool(pre, "email", false) || (email && email[0])) &&
	    !widget_email_ok(email)) {
		web_error(r, 400, "invalid_field",
			  "email: not an email address");
		return false;
	}
	return true;
}

/*
 * The visitor's customer: the tenant's customer of that email, or a new
 * one; with a name only, a new customer of that name; else none.
 */
static int visitor_customer(struct hreq *r, const char *tenant, char out[40],
			    struct lang_out *why)
{
	const char *name = jv_str(r->body, "name"),
		   *email = jv_str(r->body, "email");
	json_t *ref;
	int err;

	out[0] = '\0';
	if (email && email[0]) {
		ref = json_pack("{s:s,s:s?}", "email", email, "name",
				name && name[0] ? name : NULL);
		err = ref ? customer_resolve(r->srv, "chat", tenant, ref, out,
					     why)
			  : ENOMEM;
		json_decref(ref);
		return err;
	}
	if (name && name[0])
		return customer_create_named(r->srv, "chat", tenant, name, out);
	return 0;
}

/* The contact, its first message and the token; 0 or errno with msg. */
static int conversation_new(struct hreq *r, const struct obj *w,
			    struct crec **c, char tok[WIDGET_TOKEN_SIZE],
			    struct lang_out *why)
{
	struct srv *s = r->srv;
	const char *tenant = jv_str(w->body, "tenant");
	struct message_in in = {.text = jv_str(r->body, "text")};
	struct new_contact nc = {.tenant = tenant,
				 .queue = jv_str(w->body, "queue"),
				 .channel = "chat",
				 .by = "chat"};
	char cust[40], id[40];
	json_t *attrs;
	int err;

	err = visitor_customer(r, tenant, cust, why);
	if (err)
		return err;
	nc.customer = cust[0] ? cust : NULL;
	attrs = json_pack("{s:s}", "widget", w->id);
	nc.attributes = attrs;
	err = attrs ? contacts_create(s, &nc, c, why) : ENOMEM;
	json_decref(attrs);
	if (!err)
		err = messages_add_inbound(s, *c, &in, id);
	if (!err)
		err = visitor_token_new(s, (*c)->id, tenant, w->id, r->lang,
					tok);
	return err;
}

static void api_conversation_new(struct hreq *r)
{
	char tok[WIDGET_TOKEN_SIZE], msg[256];
	struct crec *c = NULL;
	struct obj *w;
	json_t *live;
	int err;

	if (!visitor_admit(r, true) || !(w = widget_by_key(r, r->params[0])) ||
	    !body_ok(r, w->body))
		return;
	msg[0] = '\0';
	err = conversation_new(r, w, &c, tok, &LANG_OUT(r->lang, msg));
	if (err == EINVAL || err == EEXIST)
		web_error(r, 400, "invalid_field", "%s", msg);
	else if (err == EBUSY)
		web_error(r, 409, "conflict", "%s", msg);
	else if (err)
		web_error(r, 500, "internal", "out of memory");
	if (err)
		return;
	live = contacts_live_view(r->srv, c);
	srv_reply_durable(r, 201,
			  json_pack("{s:s,s:s,s:O,s:O,s:b}", "contact", c->id,
				    "visitor_token", tok, "position",
				    json_object_get(live, "position"), "ewt_s",
				    json_object_get(live, "ewt_s"), "open",
				    widget_open(r->srv, w->body)));
	json_decref(live);
}

/* ---- the demo: a customer's site per client ---- */

/* t into mb, escaped for HTML text and attributes. */
static void html_put(struct mbuf *mb, const char *t)
{
	for (; t && *t; t++) {
		if (*t == '<')
			(void)mbuf_write_str(mb, "&lt;");
		else if (*t == '>')
			(void)mbuf_write_str(mb, "&gt;");
		else if (*t == '&')
			(void)mbuf_write_str(mb, "&amp;");
		else if (*t == '"')
			(void)mbuf_write_str(mb, "&quot;");
		else
			(void)mbuf_write_u8(mb, (uint8_t)*t);
	}
}

#define DEMO_CSP                                                           \
	"Content-Security-Policy: default-src 'self'; script-src 'self'; " \
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; "     \
	"frame-src 'self'; object-src 'none'; base-uri 'none'\r\n"

static void demo_page(struct hreq *r, const char *title, const char *body)
{
	struct mbuf *mb = mbuf_alloc(2048);

	if (!mb) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	(void)mbuf_printf(mb,
			  "<!doctype html>\n<html lang=\"%s\"><head>"
			  "<meta charset=\"utf-8\">"
			  "<meta name=\"viewport\" "
			  "content=\"width=device-width\"><title>",
			  r->lang);
	html_put(mb, title);
	(void)mbuf_printf(mb,
			  "</title></head><body><main>%s</main>"
			  "</body></html>\n",
			  body);
	web_file(r, 200, "text/html; charset=utf-8", (const char *)mb->buf,
		 mb->end, DEMO_CSP, false);
	mem_deref(mb);
}

static const char *tenant_name(struct srv *s, const char *tenant)
{
	struct obj *t = obj_find(s, K_TENANTS, tenant);

	return t ? jv_str(t->body, "name") : tenant;
}

static void api_demo_index(struct hreq *r)
{
	struct kindset *set = obj_set(r->srv, K_WIDGETS);
	struct mbuf *mb = mbuf_alloc(1024);

	if (!r->srv->cfg.demo || !mb) {
		mem_deref(mb);
		web_error(r, 404, "not_found", "no route %s", r->path);
		return;
	}
	(void)mbuf_printf(mb, "<h1>%s</h1><ul>",
			  lang_get(r->lang, "widget.demo.title"));
	for (size_t i = 0; i < set->n; i++) {
		(void)mbuf_printf(mb, "<li><a href=\"/demo/%s\">",
				  set->list[i]->id);
		html_put(mb, tenant_name(r->srv,
					 jv_str(set->list[i]->body, "tenant")));
		(void)mbuf_write_str(mb, "</a></li>");
	}
	(void)mbuf_printf(mb, "</ul><p>%s</p>",
			  lang_get(r->lang, "widget.demo.hint"));
	mbuf_write_u8(mb, 0);
	demo_page(r, lang_get(r->lang, "widget.demo.title"),
		  (const char *)mb->buf);
	mem_deref(mb);
}

static void api_demo_site(struct hreq *r)
{
	struct obj *w = obj_find(r->srv, K_WIDGETS, r->params[0]);
	struct mbuf *mb = mbuf_alloc(1024);
	const char *name;

	if (!r->srv->cfg.demo || !w || !mb) {
		mem_deref(mb);
		web_error(r, 404, "not_found", "no route %s", r->path);
		return;
	}
	name = tenant_name(r->srv, jv_str(w->body, "tenant"));
	(void)mbuf_write_str(mb, "<h1>");
	html_put(mb, name);
	(void)mbuf_printf(mb,
			  "</h1><p>%s</p><p><a href=\"/demo/\">%s</a> "
			  "&middot; <a href=\"/\">relais</a></p>"
			  "<script src=\"/widget.js?key=%s\"></script>",
			  lang_get(r->lang, "widget.demo.site"),
			  lang_get(r->lang, "widget.demo.back"),
			  jv_str(w->body, "key"));
	mbuf_write_u8(mb, 0);
	demo_page(r, name, (const char *)mb->buf);
	mem_deref(mb);
}

/* The texts of a demo widget, in both languages. */
static json_t *demo_widget(struct srv *s, const struct obj *tenant,
			   const struct obj *queue)
{
	char origin[160];
	json_t *origins = json_array();

	snprintf(origin, sizeof(origin), "http://%s",
		 s->cfg.http_addr ? s->cfg.http_addr : "");
	if (widget_origin_ok(origin))
		json_array_append_new(origins, json_string(origin));
	return json_pack(
		"{s:s,s:s,s:s,s:o,s:{s:b,s:b},s:{s:s,s:s},s:{s:s,s:s}}",
		"tenant", tenant->id, "queue", queue->id, "name",
		jv_str(tenant->body, "name"), "allowed_origins", origins,
		"pre_chat", "name", 1, "email", 0, "consent_text", "en",
		"I agree that this conversation is kept to answer me.", "fr",
		"J'accepte que cette conversation soit conservée pour me "
		"répondre.",
		"closed_message", "en",
		"We are closed now. Leave a message: we will answer at the "
		"next opening.",
		"fr",
		"Nous sommes fermés. Laissez un message : nous répondrons dès "
		"l'ouverture.");
}

int widget_demo_seed(struct srv *s)
{
	struct kindset *tenants = obj_set(s, K_TENANTS),
		       *queues = obj_set(s, K_QUEUES);
	char id[40], msg[256];
	int err = 0;

	for (size_t t = 0; !err && t < tenants->n; t++) {
		for (size_t q = 0; q < queues->n; q++) {
			const json_t *b = queues->list[q]->body;
			json_t *w;

			if (strcmp(jv_str(b, "tenant"), tenants->list[t]->id) ||
			    strcmp(jv_str(b, "channel"), "chat"))
				continue;
			w = demo_widget(s, tenants->list[t], queues->list[q]);
			err = w ? obj_create_direct(s, K_WIDGETS, w, id,
						    &LANG_OUT(NULL, msg))
				: ENOMEM;
			json_decref(w);
			if (err)
				log_error("widget",
					  "msg=\"cannot create\" err=\"%s\"",
					  msg);
			break;
		}
	}
	return err;
}

/* ---- the module ---- */

static const struct route routes[] = {
	WEB_ROUTE("GET", "/widget.js", api_loader, R_PUBLIC),
	WEB_ROUTE("GET", "/widget/frame", api_frame, R_PUBLIC),
	WEB_ROUTE("GET", "/api/v1/widget/{key}", api_info, R_PUBLIC),
	WEB_ROUTE("POST", "/api/v1/widget/{key}/conversations",
		  api_conversation_new, R_PUBLIC),
	WEB_ROUTE("GET", "/demo/", api_demo_index, R_PUBLIC),
	WEB_ROUTE("GET", "/demo/{id}", api_demo_site, R_PUBLIC),
	{.method = NULL},
};

const struct srv_module widget_module = {
	.name = "widget",
	.routes = routes,
};
