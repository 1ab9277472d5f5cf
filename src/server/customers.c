/*
 * Customers, per tenant: identities (E.164 phones, emails) kept in memory
 * for the look-up a new contact needs, bodies in the store. Reads of a
 * customer are audited.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/utctime.h"
#include "lang/lang.h"
#include "model/event.h"
#include "server/contacts.h"
#include "server/customers.h"
#include "server/log.h"
#include "server/module.h"
#include "server/query.h"
#include "server/srv.h"
#include "server/auth.h"
#include "server/objects.h"
#include "store/store.h"

/* The module's state: every identity, for the look-up of new contacts. */
struct customers {
	struct hmap identities;
};

static struct hmap *idents(struct srv *s)
{
	return &((struct customers *)srv_module_state(s, &customers_module))
			->identities;
}

struct ident {
	char *key; /* "tenant\tkind\tvalue", or "i\tcustomer" */
	char *val; /* customer id, or tenant */
};

static bool ident_eq(const void *val, const void *key)
{
	return !strcmp(((const struct ident *)val)->key, key);
}

static const char *ident_get(struct srv *s, const char *key)
{
	struct ident *i =
		hmap_get(idents(s), hmap_hash_str(key), ident_eq, key);

	return i ? i->val : NULL;
}

static void ident_del(struct srv *s, const char *key)
{
	struct ident *i =
		hmap_del(idents(s), hmap_hash_str(key), ident_eq, key);

	if (i) {
		free(i->key);
		free(i->val);
		free(i);
	}
}

static int ident_set(struct srv *s, const char *key, const char *val)
{
	struct ident *i = calloc(1, sizeof(*i));

	ident_del(s, key);
	if (!i || !(i->key = strdup(key)) || !(i->val = strdup(val)) ||
	    hmap_put(idents(s), hmap_hash_str(i->key), i)) {
		if (i) {
			free(i->key);
			free(i->val);
		}
		free(i);
		return ENOMEM;
	}
	return 0;
}

static int customers_init(struct srv *s, void **arg)
{
	(void)s;
	*arg = calloc(1, sizeof(struct customers));
	return *arg ? 0 : ENOMEM;
}

static void customers_close(struct srv *s, void *arg)
{
	struct customers *cu = arg;

	(void)s;
	if (!cu)
		return;
	for (size_t n = 0; n < hmap_span(&cu->identities); n++) {
		struct ident *i = hmap_at(&cu->identities, n);

		if (i) {
			free(i->key);
			free(i->val);
			free(i);
		}
	}
	hmap_reset(&cu->identities);
	free(cu);
}

static void key_of(char *buf, size_t size, const char *tenant, const char *kind,
		   const char *value)
{
	snprintf(buf, size, "%s\t%s\t%s", tenant, kind, value);
}

/* Applies fn to each identity of a customer body. */
static int each_identity(struct srv *s, const json_t *b,
			 int (*fn)(struct srv *, const char *, const char *),
			 const char *val)
{
	static const char *const kinds_[] = {"phones", "emails"};
	static const char *const one[] = {"phone", "email"};
	char key[512];
	json_t *v;
	size_t i;
	int err = 0;

	for (int k = 0; k < 2; k++) {
		json_array_foreach(json_object_get(b, kinds_[k]), i, v)
		{
			key_of(key, sizeof(key), jv_str(b, "tenant"), one[k],
			       json_string_value(v));
			err |= fn(s, key, val);
		}
	}
	return err;
}

static int del_fn(struct srv *s, const char *key, const char *val)
{
	(void)val;
	ident_del(s, key);
	return 0;
}

static int index_customer(struct srv *s, const json_t *b)
{
	char key[128];

	snprintf(key, sizeof(key), "i\t%s", jv_str(b, "id"));
	return ident_set(s, key, jv_str(b, "tenant")) |
	       each_identity(s, b, ident_set, jv_str(b, "id"));
}

static int load_row(const char *id, const char *body, void *arg)
{
	json_t *b = json_loads(body, 0, NULL);
	int err;

	if (!b) {
		log_error("customers", "msg=\"cannot parse\" customer=%s", id);
		return EINVAL;
	}
	err = index_customer(arg, b);
	json_decref(b);
	return err;
}

static int customers_load(struct srv *s, void *arg)
{
	(void)arg;
	return s->store->ops->rows(s->store, "customers", load_row, s);
}

/* E.164: + then 7 to 15 digits, the first not 0. */
static bool e164(const char *p)
{
	size_t n = 0;

	if (*p++ != '+' || *p == '0')
		return false;
	for (; *p; p++, n++)
		if (!isdigit((unsigned char)*p))
			return false;
	return n >= 7 && n <= 15;
}

static bool email_ok(const char *p)
{
	const char *at = strchr(p, '@');

	return at && at != p && at[1] && !strchr(at + 1, '@') &&
	       strchr(at, '.') && !strpbrk(p, " \t\r\n<>\"");
}

/* Lower-cases emails in place; checks every identity. */
/* prefix: "" or "customer." (the field's path in the body). */
static int check_identities(json_t *b, const char *prefix, struct lang_out *why)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(b, "phones"), i, v)
	{
		if (!e164(json_string_value(v))) {
			lang_say(why,
				 N_("%sphones[%zu]: expected E.164 like "
				    "+33612345678"),
				 prefix, i);
			return EINVAL;
		}
	}
	json_array_foreach(json_object_get(b, "emails"), i, v)
	{
		char low[256];
		const char *e = json_string_value(v);
		size_t k;

		if (!email_ok(e) || strlen(e) >= sizeof(low)) {
			lang_say(why, N_("%semails[%zu]: not an email address"),
				 prefix, i);
			return EINVAL;
		}
		for (k = 0; e[k]; k++)
			low[k] = (char)tolower((unsigned char)e[k]);
		low[k] = '\0';
		json_array_set_new(json_object_get(b, "emails"), i,
				   json_string(low));
	}
	return 0;
}

/* An identity of b already belonging to another customer: EEXIST. */
static int taken_fn(struct srv *s, const char *key, const char *self)
{
	const char *owner = ident_get(s, key);

	return owner && strcmp(owner, self);
}

static int check_taken(struct srv *s, const json_t *b, struct lang_out *why)
{
	if (each_identity(s, b, taken_fn, jv_str(b, "id"))) {
		lang_say(why, N_("a phone or email already belongs to another "
				 "customer of the tenant"));
		return EEXIST;
	}
	return 0;
}

static void customer_store(struct srv *s, const json_t *old, const json_t *b,
			   const char *user, enum event_type type)
{
	if (old)
		each_identity(s, old, del_fn, NULL);
	if (index_customer(s, b)) {
		log_error("customers", "msg=\"out of memory\"");
		abort();
	}
	srv_put(s, "customers", jv_str(b, "id"), b);
	srv_log(s, jv_str(b, "tenant"),
		&(struct event){.type = type,
				.u.customer = {jv_str(b, "id"), user}});
}

static json_t *customer_new(struct srv *s, const char *tenant)
{
	char id[40], t[32];

	srv_uuid(id);
	utctime_format(srv_now(s), t, sizeof(t));
	return json_pack("{s:s,s:s,s:s,s:[],s:[],s:{},s:s,s:s}", "id", id,
			 "tenant", tenant, "name", "", "phones", "emails",
			 "attributes", "created_at", t, "updated_at", t);
}

int customer_resolve(struct srv *s, const char *by, const char *tenant,
		     const json_t *ref, char out[40], struct lang_out *why)
{
	const char *id = jv_str(ref, "id"), *phone = jv_str(ref, "phone"),
		   *email = jv_str(ref, "email"), *found = NULL;
	char key[512];
	json_t *b;
	int st;

	out[0] = '\0';
	if (!ref || json_is_null(ref))
		return 0;
	if (id) {
		snprintf(key, sizeof(key), "i\t%s", id);
		found = ident_get(s, key);
		if (!found || strcmp(found, tenant)) {
			lang_say(why, N_("customer.id: no customer %.64s"), id);
			return EINVAL;
		}
		snprintf(out, 40, "%s", id);
		return 0;
	}
	if (!phone && !email)
		return 0;
	b = customer_new(s, tenant);
	if (phone)
		json_array_append_new(json_object_get(b, "phones"),
				      json_string(phone));
	if (email)
		json_array_append_new(json_object_get(b, "emails"),
				      json_string(email));
	if (jv_str(ref, "name"))
		json_object_set(b, "name", json_object_get(ref, "name"));
	st = check_identities(b, "customer.", why);
	if (st) {
		json_decref(b);
		return st;
	}
	phone = json_string_value(
		json_array_get(json_object_get(b, "phones"), 0));
	email = json_string_value(
		json_array_get(json_object_get(b, "emails"), 0));
	if (phone) {
		key_of(key, sizeof(key), tenant, "phone", phone);
		found = ident_get(s, key);
	}
	if (!found && email) {
		key_of(key, sizeof(key), tenant, "email", email);
		found = ident_get(s, key);
	}
	if (found) {
		snprintf(out, 40, "%s", found);
		json_decref(b);
		return 0;
	}
	snprintf(out, 40, "%s", jv_str(b, "id"));
	customer_store(s, NULL, b, by, EVENT_CUSTOMER_CREATED);
	json_decref(b);
	return 0;
}

int customer_create_named(struct srv *s, const char *by, const char *tenant,
			  const char *name, char out[40])
{
	json_t *b = customer_new(s, tenant);

	if (!b || json_object_set_new(b, "name", json_string(name)))
		return json_decref(b), ENOMEM;
	snprintf(out, 40, "%s", jv_str(b, "id"));
	customer_store(s, NULL, b, by, EVENT_CUSTOMER_CREATED);
	json_decref(b);
	return 0;
}

void customers_anonymise(struct srv *s, const json_t *old, const char *user)
{
	json_t *b = json_deep_copy(old);
	char t[32];

	if (!b) {
		log_error("customers", "msg=\"out of memory\"");
		abort();
	}
	utctime_format(srv_now(s), t, sizeof(t));
	json_object_set_new(b, "name", json_string(""));
	json_object_set_new(b, "phones", json_array());
	json_object_set_new(b, "emails", json_array());
	json_object_set_new(b, "attributes", json_object());
	json_object_set_new(b, "notes", json_null());
	json_object_set_new(b, "erased_at", json_string(t));
	json_object_set_new(b, "updated_at", json_string(t));
	customer_store(s, old, b, user, EVENT_CUSTOMER_UPDATED);
	json_decref(b);
}

/* ---- the endpoints ---- */

static const struct jv_field customer_fields[] = {
	{"id", JV_STRING, JV_READONLY, 0, 0, NULL, NULL},
	{"created_at", JV_STRING, JV_READONLY, 0, 0, NULL, NULL},
	{"updated_at", JV_STRING, JV_READONLY, 0, 0, NULL, NULL},
	{"tenant", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	{"name", JV_STRING, 0, 0, 200, NULL, NULL},
	{"phones", JV_STRINGS, 0, 0, 20, NULL, NULL},
	{"emails", JV_STRINGS, 0, 0, 20, NULL, NULL},
	{"attributes", JV_OBJECT, 0, 0, 0, NULL, NULL},
	/* the agents' free text; a change is customer.updated */
	{"notes", JV_STRING, JV_NULLABLE, 0, 4000, NULL, NULL},
	/* when the customer sent STOP by SMS (null: they take SMS); the
	 * SMS channel's, through customers_mark() */
	{"sms_opt_out", JV_STRING, JV_READONLY | JV_NULLABLE, 0, 0, NULL, NULL},
	{"erased_at", JV_STRING, JV_READONLY, 0, 0, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

static bool may_customers(struct hreq *r)
{
	if (r->user->role == ROLE_CLIENT) {
		web_forbidden(r);
		return false;
	}
	return true;
}

static void api_customer_create(struct hreq *r)
{
	struct srv *s = r->srv;
	const char *tenant;
	char msg[256];
	struct lang_out why = LANG_OUT(r->lang, msg);
	json_t *b;
	int rc;

	if (!may_customers(r))
		return;
	if (web_check(r, r->body, customer_fields, true))
		return;
	tenant = jv_str(r->body, "tenant");
	if (!obj_find(s, K_TENANTS, tenant) ||
	    !auth_sees_tenant(s, r->user, tenant)) {
		web_error(r, 400, "invalid_field", "tenant: no tenant %s",
			  tenant);
		return;
	}
	b = customer_new(s, tenant);
	json_object_update(b, r->body);
	rc = check_identities(b, "", &why);
	if (!rc)
		rc = check_taken(s, b, &why);
	if (rc) {
		json_decref(b);
		web_error(r, rc == EEXIST ? 409 : 400,
			  rc == EEXIST ? "conflict" : "invalid_field", "%s",
			  msg);
		return;
	}
	customer_store(s, NULL, b, r->user->id, EVENT_CUSTOMER_CREATED);
	srv_reply_durable(r, 201, b);
}

/* A customer visible to the caller, from the store. */
static void cget_run(struct store *st, struct query *q)
{
	q->err = st->ops->get(st, "customers", q->id, query_collect, q);
}

static json_t *visible_customer(struct query *q)
{
	json_t *b = json_array_get(q->result, 0);

	if (query_failed(q))
		return NULL;
	if (!b ||
	    !auth_sees_tenant(q->r->srv, q->r->user, jv_str(b, "tenant"))) {
		web_not_found(q->r, "customer", q->id);
		return NULL;
	}
	return b;
}

static void audit_read(struct srv *s, const struct hreq *r, const json_t *b)
{
	srv_log(s, jv_str(b, "tenant"),
		&(struct event){
			.type = EVENT_AUDIT_CUSTOMER_READ,
			.u.customer_read = {jv_str(b, "id"), r->user->id,
					    r->path},
		});
}

static void cget_finish(struct query *q)
{
	json_t *b = visible_customer(q);

	if (!b)
		return;
	audit_read(q->r->srv, q->r, b);
	srv_reply_durable(q->r, 200, json_incref(b));
}

static struct query *customer_query(struct hreq *r,
				    void (*finish)(struct query *))
{
	struct query *q;

	if (!may_customers(r) || !(q = query_new(r)))
		return NULL;
	snprintf(q->id, sizeof(q->id), "%s", r->params[0]);
	q->run = cget_run;
	q->finish = finish;
	return q;
}

static void api_customer_get(struct hreq *r)
{
	struct query *q = customer_query(r, cget_finish);

	if (q)
		query_submit(q);
}

static void cupdate_finish(struct query *q)
{
	struct hreq *r = q->r;
	json_t *old = visible_customer(q), *b;
	char msg[256], t[32];
	struct lang_out why;
	int rc;

	if (!old)
		return; /* answered: r is gone */
	why = LANG_OUT(r->lang, msg);
	if (json_object_get(r->body, "tenant") &&
	    strcmp(jv_str(r->body, "tenant"), jv_str(old, "tenant"))) {
		web_error(r, 400, "invalid_field",
			  "tenant: a customer cannot change tenant");
		return;
	}
	b = json_deep_copy(old);
	json_object_update(b, r->body);
	json_object_set_new(
		b, "updated_at",
		json_string(utctime_format(srv_now(r->srv), t, sizeof(t))));
	rc = check_identities(b, "", &why);
	if (!rc)
		rc = check_taken(r->srv, b, &why);
	if (rc) {
		json_decref(b);
		web_error(r, rc == EEXIST ? 409 : 400,
			  rc == EEXIST ? "conflict" : "invalid_field", "%s",
			  msg);
		return;
	}
	customer_store(r->srv, old, b, r->user->id, EVENT_CUSTOMER_UPDATED);
	srv_reply_durable(r, 200, b);
}

static void api_customer_update(struct hreq *r)
{
	struct query *q;

	if (web_check(r, r->body, customer_fields, false))
		return;
	q = customer_query(r, cupdate_finish);
	if (q)
		query_submit(q);
}

/* ---- a channel's mark on a customer ---- */

struct mark {
	char key[32], by[64];
	json_t *v;
	customers_mark_h *done;
	void *arg;
};

static void mark_free(void *arg)
{
	struct mark *m = arg;

	json_decref(m->v);
	free(m);
}

static void mark_finish(struct query *q)
{
	struct mark *m = q->arg;
	json_t *old = json_array_get(q->result, 0), *b;
	char t[32];

	if (query_failed(q)) {
		m->done(NULL, EIO, m->arg); /* answered 500 */
		return;
	}
	if (!old) {
		m->done(q->r, ENOENT, m->arg);
		return;
	}
	b = json_deep_copy(old);
	json_object_set(b, m->key, m->v);
	json_object_set_new(
		b, "updated_at",
		json_string(utctime_format(srv_now(q->r->srv), t, sizeof(t))));
	customer_store(q->r->srv, old, b, m->by, EVENT_CUSTOMER_UPDATED);
	json_decref(b);
	m->done(q->r, 0, m->arg);
}

void customers_mark(struct hreq *r, const char *id, const char *key, json_t *v,
		    const char *by, customers_mark_h *done, void *arg)
{
	struct query *q = query_new(r);
	struct mark *m = q ? calloc(1, sizeof(*m)) : NULL;

	if (!m) {
		if (q)
			query_free(q);
		json_decref(v);
		web_error(r, 500, "internal", "out of memory");
		done(NULL, ENOMEM, arg);
		return;
	}
	snprintf(m->key, sizeof(m->key), "%s", key);
	snprintf(m->by, sizeof(m->by), "%s", by);
	m->v = v;
	m->done = done;
	m->arg = arg;
	snprintf(q->id, sizeof(q->id), "%s", id);
	q->run = cget_run;
	q->finish = mark_finish;
	q->arg = m;
	q->arg_free = mark_free;
	query_submit(q);
}

typedef void customer_then(struct hreq *r, const char *customer,
			   const char *tenant);

static void ccontacts_finish(struct query *q)
{
	customer_then *then = (customer_then *)(uintptr_t)q->arg;
	json_t *b = visible_customer(q);

	if (!b)
		return;
	audit_read(q->r->srv, q->r, b);
	srv_flush(q->r->srv); /* the audit event is written even on a read */
	then(q->r, q->id, jv_str(b, "tenant"));
}

void customers_read(struct hreq *r,
		    void (*then)(struct hreq *r, const char *customer,
				 const char *tenant))
{
	struct query *q = customer_query(r, ccontacts_finish);

	if (!q)
		return;
	q->arg = (void *)(uintptr_t)then;
	query_submit(q);
}

static void clist_run(struct store *st, struct query *q)
{
	q->cust.tenants = (const char *const *)q->tenants;
	q->cust.ntenants = q->ntenants;
	q->err = st->ops->customers(st, &q->cust, query_collect, q, &q->total);
}

static void clist_finish(struct query *q)
{
	if (query_failed(q))
		return;
	web_json(q->r, 200,
		 json_pack("{s:o,s:I,s:I,s:I}", "items",
			   q->result ? json_incref(q->result) : json_array(),
			   "total", (json_int_t)q->total, "limit",
			   (json_int_t)q->cust.limit, "offset",
			   (json_int_t)q->cust.offset));
}

/* The longest free-text search, in bytes. */
#define SEARCH_MAX 100

/*
 * q= (free text) into q->strs[2]. The buffer holds the whole query
 * string, so that a value too long is refused here, not dropped (a search
 * that is ignored lists every customer). 0, or 400 already answered.
 */
static int search_text(struct hreq *r, struct query *q)
{
	size_t size = r->query ? strlen(r->query) + 1 : 1;
	char *buf = malloc(size);
	const char *v;

	if (!buf) {
		web_error(r, 500, "internal", "out of memory");
		return -1;
	}
	v = web_query(r, "q", buf, size);
	if (v && strlen(v) > SEARCH_MAX) {
		web_error(r, 400, "invalid_field", "q: at most %d bytes",
			  SEARCH_MAX);
		free(buf);
		return -1;
	}
	if (v && *v) {
		snprintf(q->strs[2], sizeof(q->strs[2]), "%s", v);
		q->cust.text = q->strs[2];
	}
	free(buf);
	return 0;
}

/*
 * tenant=: the scope becomes that one tenant, or none when the caller does
 * not see it (an empty list, as if it did not exist). ENOMEM must not
 * leave a NULL scope, which means every tenant.
 */
static int scope_to_tenant(struct hreq *r, struct query *q, const char *t)
{
	auth_tenants_free(q->tenants, q->ntenants);
	q->ntenants = 0;
	q->tenants = calloc(2, sizeof(char *));
	if (!q->tenants)
		return ENOMEM;
	if (!auth_sees_tenant(r->srv, r->user, t))
		return 0;
	q->tenants[0] = strdup(t);
	if (!q->tenants[0])
		return ENOMEM;
	q->ntenants = 1;
	return 0;
}

static void api_customer_list(struct hreq *r)
{
	struct query *q;
	char t[128];

	if (!may_customers(r) || !(q = query_new(r)))
		return;
	if (web_paging(r, &q->cust.limit, &q->cust.offset, 500) ||
	    search_text(r, q)) {
		query_free(q);
		return;
	}
	if (web_query(r, "phone", q->strs[1], sizeof(q->strs[1]))) {
		q->cust.kind = "phone";
		q->cust.value = q->strs[1];
	} else if (web_query(r, "email", q->strs[1], sizeof(q->strs[1]))) {
		for (char *p = q->strs[1]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		q->cust.kind = "email";
		q->cust.value = q->strs[1];
	}
	if (!auth_scope(r, &q->tenants, &q->ntenants)) {
		query_free(q);
		return;
	}
	if (web_query(r, "tenant", t, sizeof(t)) && scope_to_tenant(r, q, t)) {
		web_error(r, 500, "internal", "out of memory");
		query_free(q);
		return;
	}
	q->run = clist_run;
	q->finish = clist_finish;
	query_submit(q);
}

#define STAFF (R_ADMIN | R_SUPERVISOR | R_AGENT | R_INTEGRATION)

static const struct route customers_routes[] = {
	WEB_ROUTE("POST", "/api/v1/customers", api_customer_create, STAFF),
	WEB_ROUTE("GET", "/api/v1/customers", api_customer_list, STAFF),
	WEB_ROUTE("GET", "/api/v1/customers/{id}", api_customer_get, STAFF),
	WEB_ROUTE("PATCH", "/api/v1/customers/{id}", api_customer_update,
		  STAFF),
	{.method = NULL},
};

const struct srv_module customers_module = {
	.name = "customers",
	.routes = customers_routes,
	.init = customers_init,
	.load = customers_load,
	.close = customers_close,
};
