/*
 * flows — the `flows` configuration kind (a tenant's IVR flows: flow.h)
 * and the module that keeps each flow parsed and serves its prompts.
 *
 * The generic configuration service (objects.c) stores, audits and
 * serves the bodies; this file adds what a flow is: validated by
 * flow_parse(), its queues voice queues of its tenant, its calendars
 * existing. On every save the parsed flow replaces the one calls start
 * from (a call holds its own reference, so it finishes the flow it
 * began) and every text of the flow is sent to rendering (prompts.h), so
 * that calls find their prompts ready.
 *
 * The prompts' routes, /api/v1/flows/{id}/prompts/{node}/{lang}: PUT an
 * admin's WAV recording that replaces the node's text in that language,
 * DELETE it to go back to the text, GET what the caller hears. Their
 * file work runs on the prompts' thread.
 */
#include "server/libre.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channels/voice/flow.h"
#include "channels/voice/prompts.h"
#include "lang/lang.h"
#include "model/event.h"
#include "server/auth.h"
#include "server/log.h"
#include "server/module.h"
#include "server/objects.h"
#include "server/srv.h"
#include "server/web.h"

#define RO(n)                                               \
	{                                                   \
		n, JV_STRING, JV_READONLY, 0, 0, NULL, NULL \
	}

static const struct jv_field flow_fields[] = {
	RO("id"),
	RO("created_at"),
	RO("updated_at"),
	RO("recordings"),
	{"tenant", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	{"name", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
	{"start", JV_STRING, JV_REQUIRED, 1, FLOW_ID_MAX, NULL, NULL},
	{"nodes", JV_OBJECT, JV_REQUIRED, 0, 0, NULL, NULL},
	JV_END,
};

/* The module's state: the renderer and the parsed flows by id. */
struct flows {
	struct prompts *prompts;
	struct entry {
		char id[40];
		struct flow *f;
	} * v;
	size_t n, cap;
};

static struct flows *state(struct srv *s)
{
	return srv_module_state(s, &flows_module);
}

struct prompts *prompts_of(struct srv *s)
{
	struct flows *st = state(s);

	return st ? st->prompts : NULL;
}

/* ---- the parsed flows ---- */

static struct entry *entry_of(struct flows *st, const char *id)
{
	for (size_t i = 0; st && id && i < st->n; i++)
		if (!strcmp(st->v[i].id, id))
			return &st->v[i];
	return NULL;
}

struct flow *flows_get(struct srv *s, const char *id)
{
	struct entry *e = entry_of(state(s), id);

	return e ? e->f : NULL;
}

/* Keeps f (its reference) as the parsed flow of id. */
static int keep(struct flows *st, const char *id, struct flow *f)
{
	struct entry *e = entry_of(st, id);

	if (e) {
		mem_deref(e->f);
		e->f = f;
		return 0;
	}
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		struct entry *v = realloc(st->v, cap * sizeof(*v));

		if (!v)
			return ENOMEM;
		st->v = v;
		st->cap = cap;
	}
	e = &st->v[st->n++];
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->f = f;
	return 0;
}

static void forget(struct flows *st, const char *id)
{
	struct entry *e = entry_of(st, id);

	if (!e)
		return;
	mem_deref(e->f);
	*e = st->v[--st->n];
}

bool flows_naming(struct srv *s, const char *field, const char *id)
{
	struct flows *st = state(s);

	for (size_t i = 0; st && i < st->n; i++)
		if (flow_names(st->v[i].f, field, id))
			return true;
	return false;
}

const json_t *voice_number(struct srv *s, const char *e164)
{
	struct obj *n = e164 ? obj_find_by(s, K_NUMBERS, "number", e164) : NULL;

	return n && jv_str(n->body, "flow") ? n->body : NULL;
}

/* ---- the kind ---- */

/* The queues and calendars the nodes name exist (queues: the tenant's,
 * for voice). */
static int refs_check(struct srv *s, const json_t *body, struct lang_out *why)
{
	const char *tenant = jv_str(body, "tenant"), *id;
	json_t *nd;

	json_object_foreach(json_object_get(body, "nodes"), id, nd)
	{
		const char *q = jv_str(nd, "queue"),
			   *c = jv_str(nd, "calendar");
		struct obj *qo = q ? obj_find(s, K_QUEUES, q) : NULL;

		if (q && (!qo || strcmp(jv_str(qo->body, "tenant"), tenant) ||
			  strcmp(jv_str(qo->body, "channel"), "voice")))
			return lang_say(why,
					N_("nodes.%s: queue: no voice queue "
					   "%.64s of the tenant"),
					id, q),
			       EINVAL;
		if (c && !obj_find(s, K_CALENDARS, c))
			return lang_say(why,
					N_("nodes.%s: calendar: no calendar "
					   "%.64s"),
					id, c),
			       EINVAL;
	}
	return 0;
}

/* The uploads of flow id that exist on disk, linked to f. */
static void link_uploads(struct srv *s, const char *id, struct flow *f,
			 const json_t *body)
{
	const char *node;
	json_t *nd;

	json_object_foreach(json_object_get(body, "nodes"), node, nd)
	{
		for (size_t i = 0; i < lang_count(); i++) {
			char path[700];

			prompts_upload_path(s, id, node, lang_code(i), path,
					    sizeof(path));
			if (!access(path, F_OK))
				flow_set_file(f, node, lang_code(i), path);
		}
	}
}

static void render_text(const char *lang, const char *text, void *arg)
{
	char path[700];

	(void)prompts_get(arg, lang, text, path, sizeof(path), NULL, NULL);
}

/* An update that moves the flow to another tenant: no number names it. */
static int tenant_check(struct srv *s, struct obj *o, const json_t *next,
			struct lang_out *why)
{
	if (!o || !strcmp(jv_str(o->body, "tenant"), jv_str(next, "tenant")) ||
	    !obj_find_by(s, K_NUMBERS, "flow", o->id))
		return 0;
	lang_say(why, N_("tenant: numbers of the flow's tenant name it"));
	return EBUSY;
}

static int flow_apply(struct srv *s, struct obj *o, json_t *next,
		      struct lang_out *why)
{
	struct obj *t;
	struct flow *f;
	int st;

	if ((st = kind_check_ref(s, next, "tenant", K_TENANTS, why)) ||
	    (st = tenant_check(s, o, next, why)) ||
	    (st = flow_parse(&f, next, why)))
		return st;
	st = refs_check(s, next, why);
	if (!st && state(s))
		st = keep(state(s), jv_str(next, "id"), f);
	if (st) {
		mem_deref(f);
		return st;
	}
	if (!state(s)) {
		mem_deref(f);
		return 0;
	}
	t = obj_find(s, K_TENANTS, jv_str(next, "tenant"));
	flow_set_lang(f, json_string_value(json_array_get(
				 json_object_get(t->body, "languages"), 0)));
	link_uploads(s, jv_str(next, "id"), f, next);
	flow_texts(f, render_text, s);
	return 0;
}

/* On the prompts' thread: removes the files of a deleted flow. */
static void unlink_files(void *ctx, void *arg)
{
	json_t *paths = arg, *p;
	size_t i;

	(void)ctx;
	json_array_foreach(paths, i, p)
	{
		unlink(json_string_value(p));
	}
	json_decref(paths);
}

static int flow_remove(struct srv *s, struct obj *o, struct lang_out *why)
{
	struct flow *f = flows_get(s, o->id);
	json_t *paths = json_array();
	const char *node;
	json_t *nd;

	if (obj_find_by(s, K_NUMBERS, "flow", o->id)) {
		json_decref(paths);
		lang_say(why, N_("the flow is still used by numbers"));
		return EBUSY;
	}
	json_object_foreach(json_object_get(o->body, "nodes"), node, nd)
	{
		for (size_t i = 0; f && i < lang_count(); i++)
			if (flow_file(f, node, lang_code(i)))
				json_array_append_new(
					paths, json_string(flow_file(
						       f, node, lang_code(i))));
	}
	if (!prompts_of(s) ||
	    prompts_job(prompts_of(s), unlink_files, NULL, paths))
		json_decref(paths);
	forget(state(s), o->id);
	return 0;
}

/* The body, with the languages of each node's uploaded recordings. */
static json_t *flow_present(struct srv *s, const struct obj *o)
{
	json_t *v = json_deep_copy(o->body), *rec = json_object(), *nd;
	struct flow *f = flows_get(s, o->id);
	const char *node;

	json_object_foreach(json_object_get(o->body, "nodes"), node, nd)
	{
		json_t *langs = json_array();

		for (size_t i = 0; f && i < lang_count(); i++)
			if (flow_file(f, node, lang_code(i)))
				json_array_append_new(
					langs, json_string(lang_code(i)));
		if (json_array_size(langs))
			json_object_set_new(rec, node, langs);
		else
			json_decref(langs);
	}
	json_object_set_new(v, "recordings", rec);
	return v;
}

const struct kind flows_kind = {
	.name = "flows",
	.one = "flow",
	.fields = flow_fields,
	.unique = NULL,
	.read_roles = R_ADMIN | R_SUPERVISOR,
	.write_roles = R_ADMIN,
	.apply = flow_apply,
	.remove = flow_remove,
	.visible = kind_tenant_visible,
	.present = flow_present,
};

/* ---- the prompts' routes ---- */

/* A job of a prompt's route: its request and its files. */
struct pjob {
	struct hreq *r;
	char flow[40], node[40], lang[8];
	char user[40], username[64]; /* who: copied (a user may go meanwhile) */
	char path[700];
	struct mbuf *mb; /* PUT: the body */
	uint8_t *p;	 /* GET: the file read */
	size_t n;
	int err;
};

/*
 * The flow, node and language of the path, visible to the caller, the
 * node one that speaks; or NULL with a 404 sent. The language is the
 * path's last segment (a third {x}: web.h).
 */
static struct pjob *pjob_of(struct hreq *r)
{
	struct obj *o = obj_find(r->srv, K_FLOWS, r->params[0]);
	const char *lang = strrchr(r->path, '/') + 1;
	const json_t *nd;
	struct pjob *j;

	if (!o || (r->user->role != ROLE_ADMIN &&
		   !kind_tenant_visible(r->srv, r->user, o->body))) {
		web_not_found(r, "flow", r->params[0]);
		return NULL;
	}
	nd = json_object_get(json_object_get(o->body, "nodes"), r->params[1]);
	if (!nd || !strstr("prompt menu language voicemail hangup",
			   jv_str(nd, "type"))) {
		web_error(r, 404, "not_found",
			  "no node %s that speaks in flow %s", r->params[1],
			  o->id);
		return NULL;
	}
	if (!lang_has(lang) || strlen(lang) >= sizeof(j->lang)) {
		web_error(r, 404, "not_found", "no language %.16s", lang);
		return NULL;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		web_error(r, 500, "internal", "out of memory");
		return NULL;
	}
	j->r = r;
	snprintf(j->flow, sizeof(j->flow), "%s", o->id);
	snprintf(j->node, sizeof(j->node), "%s", r->params[1]);
	snprintf(j->lang, sizeof(j->lang), "%s", lang);
	snprintf(j->user, sizeof(j->user), "%s", r->user->id);
	snprintf(j->username, sizeof(j->username), "%s", r->user->username);
	return j;
}

static void pjob_submit(struct pjob *j, worker_fn *fn, worker_done *done)
{
	struct prompts *p = prompts_of(j->r->srv);

	if (!p || prompts_job(p, fn, done, j)) {
		web_error(j->r, 500, "internal", "out of memory");
		mem_deref(j->mb);
		free(j);
	}
}

static void read_run(void *ctx, void *arg)
{
	struct pjob *j = arg;
	FILE *f = fopen(j->path, "rb");
	long n = 0;

	(void)ctx;
	if (!f) {
		j->err = errno;
		return;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) || !(j->p = malloc((size_t)n + 1)) ||
	    fread(j->p, 1, (size_t)n, f) != (size_t)n)
		j->err = EIO;
	j->n = n > 0 ? (size_t)n : 0;
	fclose(f);
}

static void read_done(void *arg)
{
	struct pjob *j = arg;

	if (j->err)
		web_error(j->r, 500, "internal",
			  "the prompt cannot be rendered or read: %s",
			  strerror(j->err));
	else
		web_file(j->r, 200, "audio/wav", (const char *)j->p, j->n,
			 "Cache-Control: private, no-store\r\n",
			 !strcmp(j->r->method, "HEAD"));
	free(j->p);
	free(j);
}

/* The text of the job's node in its language, or NULL. */
static const char *say_of(struct srv *s, const struct pjob *j)
{
	struct obj *o = obj_find(s, K_FLOWS, j->flow);
	const json_t *nd =
		json_object_get(json_object_get(o->body, "nodes"), j->node);

	return jv_str(json_object_get(nd, "say"), j->lang);
}

/* GET: the upload, else the rendered text (rendered first if needed:
 * the read job runs after the rendering on the same thread). */
static void api_prompt_get(struct hreq *r)
{
	struct pjob *j = pjob_of(r);
	struct flow *f;
	const char *file, *text;
	int err;

	if (!j)
		return;
	f = flows_get(r->srv, j->flow);
	file = f ? flow_file(f, j->node, j->lang) : NULL;
	text = say_of(r->srv, j);
	if (file) {
		snprintf(j->path, sizeof(j->path), "%s", file);
	} else if (!text) {
		web_error(r, 404, "not_found", "node %s says nothing in %s",
			  j->node, j->lang);
		free(j);
		return;
	} else if ((err = prompts_get(r->srv, j->lang, text, j->path,
				      sizeof(j->path), NULL, NULL)) &&
		   err != EAGAIN) {
		web_error(r, 500, "internal",
			  "the prompt cannot be rendered: %s", strerror(err));
		free(j);
		return;
	}
	pjob_submit(j, read_run, read_done);
}

/* On the prompts' thread: the body to a file, converted by sox. */
static void upload_run(void *ctx, void *arg)
{
	struct pjob *j = arg;
	char in[760];
	FILE *f;

	(void)ctx;
	snprintf(in, sizeof(in), "%s.in.wav", j->path);
	f = fopen(in, "wb");
	if (!f) {
		j->err = errno;
		return;
	}
	if (fwrite(mbuf_buf(j->mb), 1, mbuf_get_left(j->mb), f) !=
	    mbuf_get_left(j->mb))
		j->err = EIO;
	if (fclose(f) && !j->err)
		j->err = errno;
	if (!j->err)
		j->err = prompts_convert(in, j->path);
	unlink(in);
}

/* A recording changed: audited as an update of its flow, replied once on
 * disk. */
static void audited(struct pjob *j, int status, json_t *body)
{
	struct srv *s = j->r->srv;
	struct obj *o = obj_find(s, K_FLOWS, j->flow);

	srv_log(s, o ? jv_str(o->body, "tenant") : NULL,
		&(struct event){
			.type = EVENT_AUDIT_CONFIG,
			.u.config = {"update", "flows", j->flow, j->user,
				     j->username},
		});
	srv_reply_durable(j->r, status, body);
}

static void upload_done(void *arg)
{
	struct pjob *j = arg;
	struct flow *f = flows_get(j->r->srv, j->flow);

	if (j->err == EINVAL)
		web_error(j->r, 400, "invalid_field",
			  "the body is not a WAV file that sox can read");
	else if (j->err)
		web_error(j->r, 500, "internal",
			  "the recording cannot be kept: %s", strerror(j->err));
	else if (!f || flow_set_file(f, j->node, j->lang, j->path))
		web_error(j->r, 404, "not_found",
			  "the flow or its node was deleted meanwhile");
	else
		audited(j, 200,
			json_pack("{s:s,s:s,s:s,s:b}", "flow", j->flow, "node",
				  j->node, "lang", j->lang, "recording", 1));
	mem_deref(j->mb);
	free(j);
}

static void api_prompt_put(struct hreq *r)
{
	struct pjob *j;

	if (!mbuf_get_left(r->msg->mb)) {
		web_error(r, 400, "invalid_field", "the file is empty");
		return;
	}
	j = pjob_of(r);
	if (!j)
		return;
	prompts_upload_path(r->srv, j->flow, j->node, j->lang, j->path,
			    sizeof(j->path));
	j->mb = mem_ref(r->msg->mb);
	pjob_submit(j, upload_run, upload_done);
}

static void delete_run(void *ctx, void *arg)
{
	struct pjob *j = arg;

	(void)ctx;
	if (unlink(j->path) && errno != ENOENT)
		j->err = errno;
}

static void delete_done(void *arg)
{
	struct pjob *j = arg;
	struct flow *f = flows_get(j->r->srv, j->flow);

	if (j->err) {
		web_error(j->r, 500, "internal",
			  "the recording cannot be removed: %s",
			  strerror(j->err));
	} else {
		if (f)
			flow_set_file(f, j->node, j->lang, NULL);
		audited(j, 204, NULL);
	}
	free(j);
}

static void api_prompt_delete(struct hreq *r)
{
	struct pjob *j = pjob_of(r);
	struct flow *f;

	if (!j)
		return;
	f = flows_get(r->srv, j->flow);
	if (!f || !flow_file(f, j->node, j->lang)) {
		web_error(r, 404, "not_found", "no recording of node %s in %s",
			  j->node, j->lang);
		free(j);
		return;
	}
	snprintf(j->path, sizeof(j->path), "%s",
		 flow_file(f, j->node, j->lang));
	pjob_submit(j, delete_run, delete_done);
}

#define PROMPT "/api/v1/flows/{id}/prompts/{node}/{lang}"

static const struct route routes[] = {
	WEB_ROUTE("GET", PROMPT, api_prompt_get, R_ADMIN | R_SUPERVISOR),
	{.method = "PUT",
	 .pattern = PROMPT,
	 .h = api_prompt_put,
	 .roles = R_ADMIN,
	 .body_max = PROMPTS_UPLOAD_MAX,
	 .raw = true},
	WEB_ROUTE("DELETE", PROMPT, api_prompt_delete, R_ADMIN),
	{.method = NULL},
};

/* ---- the demo centre ---- */

/*
 * Each demo client's number and flow, on its voice queue (QUEUE below):
 * AssurMax greets and queues; Télécom Plus asks why the caller calls.
 */
static const struct demo_flow {
	const char *tenant, *number, *name, *start, *nodes;
} demo_flows[] = {
	{"AssurMax", "+33180000001", "AssurMax main line", "welcome",
	 "{\"welcome\":{\"type\":\"prompt\",\"say\":{"
	 "\"fr\":\"Bienvenue chez AssurMax. Un conseiller va vous répondre.\","
	 "\"en\":\"Welcome to AssurMax. An adviser will answer you.\"},"
	 "\"next\":\"q\"},"
	 "\"q\":{\"type\":\"queue\",\"queue\":\"QUEUE\"}}"},
	{"Télécom Plus", "+33180000002", "Télécom Plus main line", "menu",
	 "{\"menu\":{\"type\":\"menu\",\"say\":{\"fr\":\"Bienvenue chez "
	 "Télécom Plus. Pour une panne, tapez 1. Pour votre facture, tapez "
	 "2.\"},\"options\":{\"1\":\"fault\",\"2\":\"bill\"},"
	 "\"timeout_s\":5,\"retries\":2,\"invalid\":{\"fr\":\"Ce choix "
	 "n'existe pas.\"},\"fail\":\"q\"},"
	 "\"fault\":{\"type\":\"set\",\"priority\":2,\"attributes\":"
	 "{\"reason\":\"fault\"},\"next\":\"q\"},"
	 "\"bill\":{\"type\":\"set\",\"attributes\":{\"reason\":\"bill\"},"
	 "\"next\":\"q\"},"
	 "\"q\":{\"type\":\"queue\",\"queue\":\"QUEUE\"}}"},
};

/* The first voice queue of tenant t, or NULL. */
static const char *voice_queue(struct srv *s, const char *t)
{
	struct kindset *qs = obj_set(s, K_QUEUES);

	for (size_t i = 0; i < qs->n; i++)
		if (!strcmp(jv_str(qs->list[i]->body, "tenant"), t) &&
		    !strcmp(jv_str(qs->list[i]->body, "channel"), "voice"))
			return qs->list[i]->id;
	return NULL;
}

/* The flow of d for tenant t and its number, through the API's checks. */
static int demo_create(struct srv *s, const struct demo_flow *d, const char *t,
		       const char *queue, struct lang_out *why)
{
	json_t *nodes = json_loads(d->nodes, 0, NULL), *nd, *body;
	char flow[40], number[40];
	const char *id;
	int err;

	json_object_foreach(nodes, id, nd)
	{
		if (jv_str(nd, "queue"))
			json_object_set_new(nd, "queue", json_string(queue));
	}
	body = json_pack("{s:s,s:s,s:s,s:o}", "tenant", t, "name", d->name,
			 "start", d->start, "nodes", nodes);
	if (!body)
		return ENOMEM;
	err = obj_create_direct(s, K_FLOWS, body, flow, why);
	json_decref(body);
	if (err)
		return err;
	body = json_pack("{s:s,s:s,s:s}", "tenant", t, "number", d->number,
			 "flow", flow);
	err = body ? obj_create_direct(s, K_NUMBERS, body, number, why)
		   : ENOMEM;
	json_decref(body);
	return err;
}

int flows_demo_seed(struct srv *s)
{
	char msg[256];
	struct lang_out why = LANG_OUT(NULL, msg);

	for (size_t i = 0; i < sizeof(demo_flows) / sizeof(demo_flows[0]);
	     i++) {
		struct obj *t =
			obj_find_by(s, K_TENANTS, "name", demo_flows[i].tenant);
		const char *q = t ? voice_queue(s, t->id) : NULL;
		int err;

		if (!q)
			continue;
		err = demo_create(s, &demo_flows[i], t->id, q, &why);
		if (err) {
			log_error("flows", "msg=\"cannot create\" err=\"%s\"",
				  msg);
			return err;
		}
	}
	return 0;
}

/* ---- the module ---- */

static int flows_init(struct srv *s, void **arg)
{
	struct flows *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return ENOMEM;
	err = prompts_alloc(&st->prompts, s, s->cfg.data_dir);
	if (err) {
		free(st);
		return err;
	}
	*arg = st;
	return 0;
}

static void flows_close(struct srv *s, void *arg)
{
	struct flows *st = arg;

	(void)s;
	if (!st)
		return;
	prompts_free(st->prompts);
	for (size_t i = 0; i < st->n; i++)
		mem_deref(st->v[i].f);
	free(st->v);
	free(st);
}

const struct srv_module flows_module = {
	.name = "flows",
	.routes = routes,
	.init = flows_init,
	.close = flows_close,
};
