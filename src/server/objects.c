/*
 * Configuration objects: the sets of objects of each kind in memory, and
 * the generic list / get / create / update / delete handlers with their
 * scope rules and audit trail. What each kind is lives in kinds.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/libre.h"

#include "core/expr.h"
#include "model/utctime.h"
#include "lang/lang.h"
#include "model/event.h"
#include "server/auth.h"
#include "server/log.h"
#include "server/module.h"
#include "server/objects.h"
#include "server/srv.h"
#include "server/worker.h"
#include "store/store.h"

/* The module's state: the objects of each kind. */
struct config {
	struct kindset ks[K_MAX];
};

/* ---- the sets of objects ---- */

struct kindset *obj_set(struct srv *s, enum kind_id k)
{
	return &((struct config *)srv_module_state(s, &config_module))->ks[k];
}

static bool obj_eq(const void *val, const void *key)
{
	return !strcmp(((const struct obj *)val)->id, key);
}

struct obj *obj_find(struct srv *s, enum kind_id k, const char *id)
{
	if (!id)
		return NULL;
	return hmap_get(&obj_set(s, k)->map, hmap_hash_str(id), obj_eq, id);
}

struct obj *obj_find_by(struct srv *s, enum kind_id k, const char *field,
			const char *value)
{
	struct kindset *set = obj_set(s, k);

	for (size_t i = 0; i < set->n; i++) {
		const char *v = jv_str(set->list[i]->body, field);

		if (v && !strcmp(v, value))
			return set->list[i];
	}
	return NULL;
}

static void obj_destroy(void *arg)
{
	struct obj *o = arg;

	json_decref(o->body);
}

/* Takes body on success only. */
int obj_insert(struct srv *s, enum kind_id k, const char *id, json_t *body)
{
	struct kindset *set = obj_set(s, k);
	struct obj *o = mem_zalloc(sizeof(*o), obj_destroy);

	if (!o)
		return ENOMEM;
	snprintf(o->id, sizeof(o->id), "%s", id);
	o->kind = set->kind;
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct obj **l = realloc(set->list, cap * sizeof(*l));

		if (!l) {
			mem_deref(o);
			return ENOMEM;
		}
		set->list = l;
		set->cap = cap;
	}
	if (hmap_put(&set->map, hmap_hash_str(o->id), o)) {
		mem_deref(o);
		return ENOMEM;
	}
	o->body = body;
	o->idx = set->n;
	set->list[set->n++] = o;
	return 0;
}

static enum kind_id kind_of(const struct obj *o)
{
	for (int k = 0; k < K_MAX; k++)
		if (kinds[k] == o->kind)
			return (enum kind_id)k;
	return K_MAX;
}

void obj_remove(struct srv *s, struct obj *o)
{
	struct kindset *set = obj_set(s, kind_of(o));

	hmap_del(&set->map, hmap_hash_str(o->id), obj_eq, o->id);
	memmove(&set->list[o->idx], &set->list[o->idx + 1],
		(set->n - o->idx - 1) * sizeof(set->list[0]));
	set->n--;
	for (size_t i = o->idx; i < set->n; i++)
		set->list[i]->idx = i;
	o->removed = true;
	mem_deref(o); /* the set's reference */
}

static int config_init(struct srv *s, void **arg)
{
	struct config *c = calloc(1, sizeof(*c));

	(void)s;
	if (!c)
		return ENOMEM;
	for (int k = 0; k < K_MAX; k++)
		c->ks[k].kind = kinds[k];
	*arg = c;
	return 0;
}

static void config_close(struct srv *s, void *arg)
{
	struct config *c = arg;

	(void)s;
	if (!c)
		return;
	for (int k = 0; k < K_MAX; k++) {
		struct kindset *set = &c->ks[k];

		for (size_t i = 0; i < set->n; i++)
			mem_deref(set->list[i]);
		free(set->list);
		hmap_reset(&set->map);
	}
	free(c);
}

/* ---- the generic handlers ---- */

/* /api/v1/<kind>... -> the kind, from the path. */
static enum kind_id path_kind(const struct hreq *r)
{
	const char *p = r->path + strlen("/api/v1/");
	size_t len = strcspn(p, "/");

	for (int k = 0; k < K_MAX; k++)
		if (strlen(kinds[k]->name) == len &&
		    !strncmp(kinds[k]->name, p, len))
			return (enum kind_id)k;
	return K_MAX;
}

static bool may(const struct hreq *r, unsigned allowed)
{
	return allowed & (1u << r->user->role);
}

/*
 * The view of an object for a user: a list of tenants (an agent serving
 * two clients) keeps only those the user may see.
 */
static json_t *scoped_view(struct srv *s, const struct user *u,
			   const struct obj *o)
{
	json_t *v = o->kind->present(s, o);
	json_t *ts = json_object_get(v, "tenants"), *kept;
	json_t *t;
	size_t i;

	if (u->role == ROLE_ADMIN || !json_is_array(ts))
		return v;
	kept = json_array();
	json_array_foreach(ts, i, t)
	{
		if (auth_sees_tenant(s, u, json_string_value(t)))
			json_array_append(kept, t);
	}
	json_object_set_new(v, "tenants", kept);
	return v;
}

static void api_obj_list(struct hreq *r)
{
	enum kind_id k = path_kind(r);
	struct kindset *set = obj_set(r->srv, k);
	size_t limit, offset, total = 0;
	json_t *items;

	if (!may(r, kinds[k]->read_roles)) {
		web_forbidden(r);
		return;
	}
	if (web_paging(r, &limit, &offset, 500))
		return;
	items = json_array();
	for (size_t i = 0; i < set->n; i++) {
		struct obj *o = set->list[i];

		if (r->user->role != ROLE_ADMIN &&
		    !o->kind->visible(r->srv, r->user, o->body))
			continue;
		if (total++ >= offset && json_array_size(items) < limit)
			json_array_append_new(items,
					      scoped_view(r->srv, r->user, o));
	}
	web_json(r, 200,
		 json_pack("{s:o,s:i,s:i,s:i}", "items", items, "total",
			   (json_int_t)total, "limit", (json_int_t)limit,
			   "offset", (json_int_t)offset));
}

/* The object named by the path, visible to the caller, or a 404 sent. */
static struct obj *path_obj(struct hreq *r, enum kind_id k)
{
	struct obj *o = obj_find(r->srv, k, r->params[0]);

	if (!o || (r->user->role != ROLE_ADMIN &&
		   !o->kind->visible(r->srv, r->user, o->body))) {
		web_not_found(r, kinds[k]->one, r->params[0]);
		return NULL;
	}
	return o;
}

static void api_obj_get(struct hreq *r)
{
	enum kind_id k = path_kind(r);
	struct obj *o;

	if (!may(r, kinds[k]->read_roles)) {
		web_forbidden(r);
		return;
	}
	o = path_obj(r, k);
	if (o)
		web_json(r, 200, scoped_view(r->srv, r->user, o));
}

/* who: the user id and name, copied (a user may delete itself). */
struct actor {
	char id[40], name[64];
};

static void actor_of(const struct hreq *r, struct actor *a)
{
	snprintf(a->id, sizeof(a->id), "%s", r ? r->user->id : "");
	snprintf(a->name, sizeof(a->name), "%s",
		 r ? r->user->username : "relais");
}

static void audit(struct srv *s, const struct actor *who, const char *action,
		  const struct obj *o, const char *tenant)
{
	srv_log(s, tenant,
		&(struct event){
			.type = EVENT_AUDIT_CONFIG,
			.u.config = {action, o->kind->name, o->id, who->id,
				     who->name},
		});
}

static const char *obj_tenant(const struct obj *o)
{
	if (o->kind == kinds[K_TENANTS])
		return o->id;
	return jv_str(o->body, "tenant");
}

static bool unique_taken(struct srv *s, enum kind_id k, const json_t *next,
			 const char *self)
{
	const char *f = kinds[k]->unique, *v;
	struct obj *o;

	if (!f || !(v = jv_str(next, f)))
		return false;
	o = obj_find_by(s, k, f, v);
	return o && strcmp(o->id, self);
}

/*
 * The JSON path a refusal names: every message of the field tables (jv)
 * and of kinds.c starts with it ("steps[0].filter: ...", in French
 * "steps[0].filter : ..."), and "unknown field: x" ends with it. Only a
 * path whose first name is a field of kind k counts ("engine: ..." names
 * none). Into out; false when the message names no field.
 */
static bool field_of(enum kind_id k, const char *msg, bool unknown, char *out,
		     size_t size)
{
	const char *p = msg;
	size_t n, top;
	char name[64];

	if (unknown && (p = strrchr(msg, ' ')))
		p++;
	if (!p)
		return false;
	n = strcspn(p, " :");
	if (!n || n >= size ||
	    (!unknown && p[n] != ':' && strncmp(p + n, " :", 2)))
		return false;
	top = strcspn(p, ".[");
	if (top > n)
		top = n;
	if (top >= sizeof(name))
		return false;
	memcpy(name, p, top);
	name[top] = '\0';
	if (!unknown && !jv_field_find(kinds[k]->fields, name))
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* A check's symbol table: a new id for every name, none in the engine. */
static int check_intern(void *arg, enum expr_ns ns, const char *name,
			size_t len, uint32_t *idp)
{
	uint32_t *next = arg;

	(void)ns;
	(void)name;
	(void)len;
	*idp = (*next)++;
	return 0;
}

/*
 * Compiles filter f as the engine would, with a symbol table of its own
 * (a check interns no name in the engine): 0, EINVAL with *pos the
 * 1-based byte where it fails (as the engine's message counts), or
 * ENOMEM.
 */
static int filter_check(const char *f, size_t *pos, char *msg, size_t size)
{
	uint32_t ids = 0;
	struct expr_symbols syms = {check_intern, &ids};
	struct expr_error xerr = {0};
	struct expr *e = NULL;
	int rc = expr_compile(&e, f, &syms, &xerr);

	expr_free(e);
	*pos = xerr.pos + 1;
	if (msg)
		snprintf(msg, size, "%s", xerr.msg);
	return rc;
}

/*
 * A bad step filter's position, as check-filter gives it, when field is
 * "steps[N].filter" of body: the filter compiled again rather than the
 * message read, whose words depend on the language. 0: none.
 */
static size_t step_filter_pos(const json_t *body, const char *field)
{
	const json_t *steps = json_object_get(body, "steps");
	const char *f;
	size_t i, pos;
	int end = 0;

	if (sscanf(field, "steps[%zu].filter%n", &i, &end) != 1 || field[end] ||
	    !end)
		return 0;
	f = json_string_value(
		json_object_get(json_array_get(steps, i), "filter"));
	if (!f || filter_check(f, &pos, NULL, 0) != EINVAL)
		return 0;
	return pos;
}

/*
 * A 4xx of a configuration write, with the field it names, if any, and
 * for a queue's step filter the position in it. body: what was written
 * (NULL: none to look at).
 */
static void obj_bad(struct hreq *r, enum kind_id k, int status,
		    const char *code, const char *msg, const json_t *body)
{
	char field[160];
	bool unknown = !strcmp(code, "unknown_field");
	json_t *more;
	size_t pos;

	if (!field_of(k, msg, unknown, field, sizeof(field))) {
		web_error(r, status, code, "%s", msg);
		return;
	}
	more = json_pack("{s:s}", "field", field);
	pos = k == K_QUEUES && body ? step_filter_pos(body, field) : 0;
	if (more && pos)
		json_object_set_new(more, "position",
				    json_integer((json_int_t)pos));
	web_error_with(r, status, code, more, "%s", msg);
}

/* The body against kind k's fields: 0, or a 400 naming the field. */
static int obj_check(struct hreq *r, enum kind_id k, const json_t *body,
		     bool create)
{
	char msg[256];
	int rc = jv_check_lang(r->lang, body, kinds[k]->fields, create, msg,
			       sizeof(msg));

	if (rc)
		obj_bad(r, k, 400, rc == -2 ? "unknown_field" : "invalid_field",
			msg, body);
	return rc;
}

/* A kind's refusal (kinds.c) as an answer. */
static void obj_reply_error(struct hreq *r, enum kind_id k, int err,
			    const char *msg, const json_t *body)
{
	if (err == EINVAL)
		obj_bad(r, k, 400, "invalid_field", msg, body);
	else if (err == EBUSY || err == EEXIST)
		obj_bad(r, k, 409, "conflict", msg, body);
	else
		web_error(r, 500, "internal", "%s", msg);
}

/*
 * Applies `next` as the new body of object o (NULL: a new object). On
 * success the change is recorded and the reply waits for the commit. A
 * user's new password (keep_session non-NULL, "" for none) ends its
 * sessions but that one, in the same commit.
 */
static void obj_commit(struct hreq *r, enum kind_id k, struct obj *o,
		       json_t *next, const char *keep_session)
{
	struct srv *s = r->srv;
	bool created = !o;
	struct actor who;
	char msg[256];
	struct lang_out why = LANG_OUT(r->lang, msg);
	int st;

	if (unique_taken(s, k, next, jv_str(next, "id"))) {
		web_error_with(r, 409, "conflict",
			       json_pack("{s:s}", "field", kinds[k]->unique),
			       "%s: %s already exists", kinds[k]->unique,
			       jv_str(next, kinds[k]->unique));
		json_decref(next);
		return;
	}
	st = kinds[k]->apply(s, o, next, &why);
	if (st) {
		obj_reply_error(r, k, st, msg, next);
		json_decref(next);
		return;
	}
	if (o) {
		json_decref(o->body);
		o->body = next;
	} else {
		if (obj_insert(s, k, jv_str(next, "id"), next)) {
			web_error(r, 500, "internal", "out of memory");
			json_decref(next);
			return;
		}
		o = obj_find(s, k, jv_str(next, "id"));
	}
	srv_put(s, kinds[k]->name, o->id, o->body);
	if (k == K_USERS && !created && keep_session)
		auth_sessions_end(s, o->id, keep_session);
	actor_of(r, &who);
	audit(s, &who, created ? "create" : "update", o, obj_tenant(o));
	srv_engine_timer(s);
	srv_reply_durable(r, created ? 201 : 200, o->kind->present(s, o));
}

struct hash_job {
	struct hreq *r;
	enum kind_id k;
	struct obj *o; /* NULL: create; else a reference held */
	json_t *next;
	char *password;
	char hash[128];
	int err;
	char keep[72]; /* the session making the change */
};

static void hash_run(void *ctx, void *arg)
{
	struct hash_job *j = arg;

	(void)ctx;
	j->err = auth_hash(j->password, j->hash);
}

static void hash_done(void *arg)
{
	struct hash_job *j = arg;
	struct obj *o = j->o; /* held: it may have been deleted meanwhile */

	free(j->password);
	if (j->err || (o && o->removed)) {
		web_error(j->r, j->err ? 500 : 404,
			  j->err ? "internal" : "not_found", "%s",
			  j->err ? "cannot hash the password"
				 : "the user was deleted meanwhile");
		json_decref(j->next);
	} else {
		json_object_set_new(j->next, "password_hash",
				    json_string(j->hash));
		obj_commit(j->r, j->k, o, j->next, j->keep);
	}
	mem_deref(o);
	free(j);
}

/* Users' passwords are hashed off the loop (Argon2id is slow on purpose). */
static void obj_commit_or_hash(struct hreq *r, enum kind_id k, struct obj *o,
			       json_t *next)
{
	struct hash_job *j;
	const char *pw = jv_str(next, "password");
	char msg[128];

	if (k != K_USERS || !pw) {
		obj_commit(r, k, o, next, NULL);
		return;
	}
	if (auth_password_check(pw, msg, sizeof(msg))) {
		json_decref(next);
		web_error_with(r, 400, "invalid_field",
			       json_pack("{s:s}", "field", "password"), "%s",
			       msg);
		return;
	}
	j = calloc(1, sizeof(*j));
	if (!j || !(j->password = strdup(pw))) {
		free(j);
		json_decref(next);
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	json_object_del(next, "password");
	j->r = r;
	j->k = k;
	j->o = mem_ref(o);
	j->next = next;
	snprintf(j->keep, sizeof(j->keep), "%s", r->sess ? r->sess->id : "");
	if (worker_submit(r->srv->cpu, hash_run, hash_done, j)) {
		mem_deref(j->o);
		free(j->password);
		free(j);
		json_decref(next);
		web_error(r, 500, "internal", "out of memory");
	}
}

static void api_obj_create(struct hreq *r)
{
	enum kind_id k = path_kind(r);
	char id[40], t[32];
	json_t *next;

	if (!may(r, kinds[k]->write_roles)) {
		web_forbidden(r);
		return;
	}
	if (obj_check(r, k, r->body, true))
		return;
	next = json_deep_copy(r->body);
	srv_uuid(id);
	utctime_format(srv_now(r->srv), t, sizeof(t));
	json_object_set_new(next, "id", json_string(id));
	json_object_set_new(next, "created_at", json_string(t));
	json_object_set_new(next, "updated_at", json_string(t));
	if (kinds[k]->defaults)
		kinds[k]->defaults(next);
	obj_commit_or_hash(r, k, NULL, next);
}

/* o's body with patch over it and a new updated_at: the caller's copy. */
static json_t *obj_next(struct srv *s, const struct obj *o, const json_t *patch)
{
	json_t *next = json_deep_copy(o->body);
	char t[32];

	json_object_update(next, (json_t *)patch);
	json_object_set_new(
		next, "updated_at",
		json_string(utctime_format(srv_now(s), t, sizeof(t))));
	return next;
}

static void api_obj_update(struct hreq *r)
{
	enum kind_id k = path_kind(r);
	char msg[256];
	struct obj *o;
	json_t *next;
	int rc;

	if (!may(r, kinds[k]->write_roles)) {
		web_forbidden(r);
		return;
	}
	o = path_obj(r, k);
	if (!o)
		return;
	if (obj_check(r, k, r->body, false))
		return;
	next = obj_next(r->srv, o, r->body);
	/* Required fields cannot be cleared. */
	rc = jv_check_lang(r->lang, next, kinds[k]->fields, true, msg,
			   sizeof(msg));
	if (rc == -1) {
		obj_bad(r, k, 400, "invalid_field", msg, next);
		json_decref(next);
		return;
	}
	obj_commit_or_hash(r, k, o, next);
}

static void api_queue_check_filter(struct hreq *r)
{
	const json_t *v = json_object_get(r->body, "filter");
	char msg[160];
	const char *f;
	size_t pos;
	int rc;

	if (!json_is_string(v) || !json_string_length(v) ||
	    json_string_length(v) > 4096) {
		web_error_with(r, 400, "invalid_field",
			       json_pack("{s:s}", "field", "filter"),
			       "filter: expected a string of 1 to 4096 bytes");
		return;
	}
	f = json_string_value(v);
	rc = filter_check(f, &pos, msg, sizeof(msg));
	if (rc == EINVAL)
		web_error_with(r, 400, "invalid_field",
			       json_pack("{s:s,s:I}", "field", "filter",
					 "position", (json_int_t)pos),
			       "filter \"%.60s\" at position %zu: %s", f, pos,
			       msg);
	else if (rc)
		web_error(r, 500, "internal", "out of memory");
	else
		web_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void api_obj_delete(struct hreq *r)
{
	enum kind_id k = path_kind(r);
	struct srv *s = r->srv;
	struct actor who;
	char msg[256];
	struct lang_out why = LANG_OUT(r->lang, msg);
	struct obj *o;
	int st;

	if (!may(r, kinds[k]->write_roles)) {
		web_forbidden(r);
		return;
	}
	o = path_obj(r, k);
	if (!o)
		return;
	actor_of(r, &who); /* before: a user may remove itself */
	st = kinds[k]->remove ? kinds[k]->remove(s, o, &why) : 0;
	if (st) {
		web_error(r, st == EBUSY ? 409 : 500,
			  st == EBUSY ? "conflict" : "internal", "%s", msg);
		return;
	}
	audit(s, &who, "delete", o, obj_tenant(o));
	srv_del(s, kinds[k]->name, o->id);
	obj_remove(s, o);
	srv_reply_durable(r, 204, NULL);
}

int obj_load(struct srv *s, enum kind_id k, const char *id, const char *body,
	     char *msg, size_t size)
{
	json_error_t e;
	json_t *b = json_loads(body, 0, &e);
	int st;

	if (!b) {
		snprintf(msg, size, "%s %s: bad JSON in the store",
			 kinds[k]->one, id);
		return EINVAL;
	}
	/* a row written before a field was added gets its default */
	if (kinds[k]->defaults)
		kinds[k]->defaults(b);
	st = kinds[k]->apply(s, NULL, b, &(struct lang_out){NULL, msg, size});
	if (st || obj_insert(s, k, id, b)) {
		char why[256];

		snprintf(why, sizeof(why), "%s", msg);
		snprintf(msg, size, "%s %s: %s", kinds[k]->one, id, why);
		json_decref(b);
		return st == EINVAL ? ENOENT : st;
	}
	return 0;
}

int obj_create_direct(struct srv *s, enum kind_id k, json_t *body,
		      char out_id[40], struct lang_out *why)
{
	json_t *hash = json_incref(json_object_get(body, "password_hash"));
	struct actor who;
	char t[32];
	int st, rc;

	json_object_del(body, "password_hash");
	rc = jv_check_lang(why->lang, body, kinds[k]->fields, true, why->buf,
			   why->size);
	if (hash)
		json_object_set_new(body, "password_hash", hash);
	if (rc)
		return EINVAL;
	srv_uuid(out_id);
	utctime_format(srv_now(s), t, sizeof(t));
	json_object_set_new(body, "id", json_string(out_id));
	json_object_set_new(body, "created_at", json_string(t));
	json_object_set_new(body, "updated_at", json_string(t));
	if (kinds[k]->defaults)
		kinds[k]->defaults(body);
	if (unique_taken(s, k, body, out_id)) {
		lang_say(why, N_("%s already exists"),
			 jv_str(body, kinds[k]->unique));
		return EEXIST;
	}
	st = kinds[k]->apply(s, NULL, body, why);
	if (st)
		return st;
	json_incref(body);
	if (obj_insert(s, k, out_id, body)) {
		json_decref(body);
		return ENOMEM;
	}
	srv_put(s, kinds[k]->name, out_id, body);
	actor_of(NULL, &who);
	audit(s, &who, "create", obj_find(s, k, out_id),
	      obj_tenant(obj_find(s, k, out_id)));
	return 0;
}

/* ---- loading at start-up ---- */

struct loader {
	struct srv *srv;
	enum kind_id k;
	int err;
	char msg[256];
	json_t *later; /* queues that name a queue not loaded yet */
};

static int load_obj_row(const char *id, const char *body, void *arg)
{
	struct loader *l = arg;

	l->err = obj_load(l->srv, l->k, id, body, l->msg, sizeof(l->msg));
	if (l->err == ENOENT && l->k == K_QUEUES) {
		/* a transfer target created after this queue: retry later */
		json_array_append_new(l->later, json_pack("[s,s]", id, body));
		l->err = 0;
	}
	return l->err;
}

/* Loads the postponed queues until none is left or none progresses. */
static int load_later(struct loader *l)
{
	size_t before;

	do {
		json_t *rows = l->later;

		before = json_array_size(rows);
		l->later = json_array();
		for (size_t i = 0; i < before; i++) {
			json_t *row = json_array_get(rows, i);

			load_obj_row(json_string_value(json_array_get(row, 0)),
				     json_string_value(json_array_get(row, 1)),
				     l);
		}
		json_decref(rows);
	} while (json_array_size(l->later) &&
		 json_array_size(l->later) < before);
	if (json_array_size(l->later)) {
		l->err = ENOENT;
		return ENOENT;
	}
	return 0;
}

/* Kind by kind, in the order references need (kinds[]). */
static int config_load(struct srv *s, void *arg)
{
	struct loader l = {.srv = s, .later = json_array()};
	struct store *st = s->store;
	int err = 0;

	(void)arg;
	for (int k = 0; !err && k < K_MAX; k++) {
		l.k = (enum kind_id)k;
		err = st->ops->rows(st, kinds[k]->name, load_obj_row, &l);
		if (!err && k == K_QUEUES)
			err = load_later(&l);
	}
	json_decref(l.later);
	if (err)
		log_error("config", "msg=\"cannot load\" err=\"%s\"",
			  l.msg[0] ? l.msg : st->ops->errmsg(st));
	return err;
}

/* Every kind has the same five routes; each handler finds its kind in
 * the path. */
#define KIND_ROUTES(k)                                                      \
	WEB_ROUTE("GET", "/api/v1/" k, api_obj_list, R_ANY),                \
		WEB_ROUTE("POST", "/api/v1/" k, api_obj_create, R_ANY),     \
		WEB_ROUTE("GET", "/api/v1/" k "/{id}", api_obj_get, R_ANY), \
		WEB_ROUTE("PATCH", "/api/v1/" k "/{id}", api_obj_update,    \
			  R_ANY),                                           \
		WEB_ROUTE("DELETE", "/api/v1/" k "/{id}", api_obj_delete,   \
			  R_ANY)

static const struct jv_field own_lang_fields[] = {
	{"lang", JV_STRING, JV_NULLABLE, 2, 8, NULL, NULL},
	JV_END,
};

/*
 * A user's own language (null: the browser's), kept on its account so that
 * every browser it logs in from speaks it; audited like any change of a
 * user, which only an admin may make otherwise.
 */
static void api_own_lang(struct hreq *r)
{
	struct obj *o = obj_find(r->srv, K_USERS, r->user->id);

	if (web_check(r, r->body, own_lang_fields, true))
		return;
	if (!json_object_get(r->body, "lang")) { /* null is a value here */
		web_error(r, 400, "invalid_field", "%s%s%s: required", "", "",
			  "lang");
		return;
	}
	if (!o) {
		web_not_found(r, "user", r->user->id);
		return;
	}
	obj_commit(r, K_USERS, o, obj_next(r->srv, o, r->body), NULL);
}

static const struct route config_routes[] = {
	KIND_ROUTES("tenants"),
	KIND_ROUTES("sites"),
	KIND_ROUTES("skills"),
	KIND_ROUTES("agents"),
	WEB_ROUTE("POST", "/api/v1/queues/check-filter", api_queue_check_filter,
		  R_ADMIN | R_SUPERVISOR),
	KIND_ROUTES("queues"),
	KIND_ROUTES("calendars"),
	KIND_ROUTES("dispositions"),
	KIND_ROUTES("users"),
	KIND_ROUTES("responses"),
	KIND_ROUTES("mailboxes"),
	KIND_ROUTES("gateways"),
	KIND_ROUTES("numbers"),
	KIND_ROUTES("widgets"),
	KIND_ROUTES("flows"),
	KIND_ROUTES("phones"),
	WEB_ROUTE("PUT", "/api/v1/session/lang", api_own_lang, R_ANY),
	{.method = NULL},
};

const struct srv_module config_module = {
	.name = "config",
	.routes = config_routes,
	.init = config_init,
	.load = config_load,
	.close = config_close,
};
