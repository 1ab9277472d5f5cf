/*
 * audit — GET /api/v1/audit: the log's audit events (audit.config,
 * audit.login, audit.login_failed, audit.customer_read and any audit.*
 * type the codec gains), newest first, paged by sequence, read by the
 * store's reader thread so that the loop never waits for the log.
 *
 * Scope: an administrator sees everything. A supervisor sees the events
 * of its tenants and, of the events of no tenant (logins, users'
 * configuration), those whose "user" is a user of its scope: itself and
 * the users, other than administrators and integrations, whose tenants
 * are all its own. A login refused for a name that is no user names no
 * user, so only administrators see it.
 *
 * format=csv answers the same events as a CSV file to save (csvfile.h):
 * up to AUDIT_CSV_MAX of them at once rather than a page, the sequence to
 * ask "before" for the rest, if any, in the header X-Next-Before.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/event.h"
#include "model/utctime.h"
#include "server/audit.h"
#include "server/auth.h"
#include "server/csvfile.h"
#include "server/module.h"
#include "server/objects.h"
#include "server/query.h"

#define AUDIT_PREFIX	"audit."
#define AUDIT_LIMIT_MAX 500
#define AUDIT_LIMIT	100
#define AUDIT_CSV_MAX	10000

/* What a query keeps until its answer: the filters and the scope's users. */
struct audit_job {
	struct store_type_query tq;
	char type[48], user[64], tenant[64];
	char **users;
	size_t nusers;
	size_t limit; /* asked; the store reads one more to know of a next */
	bool csv;     /* format=csv */
};

/* The columns of the CSV: every field an audit event of any type has. */
static const char *const csv_cols[] = {
	"seq",	    "at",     "type", "user",  "username",
	"tenant",   "action", "kind", "id",    "name",
	"customer", "path",   "peer", "state", "reason",
};

#define NCSV (sizeof(csv_cols) / sizeof(csv_cols[0]))

static void job_free(void *arg)
{
	struct audit_job *j = arg;

	if (j)
		auth_tenants_free(j->users, j->nusers);
	free(j);
}

/* Whether every tenant of v is one of the n of scope (v not empty). */
static bool tenants_within(char **v, size_t nv, char **scope, size_t n)
{
	bool found = true;

	for (size_t i = 0; found && i < nv; i++) {
		found = false;
		for (size_t k = 0; !found && k < n; k++)
			found = !strcmp(v[i], scope[k]);
	}
	return nv > 0 && found;
}

static bool user_in_scope(struct srv *s, const struct user *u,
			  const struct user *by, char **scope, size_t n)
{
	char **v;
	size_t nv;
	bool in;

	if (u == by)
		return true;
	if (u->role == ROLE_ADMIN || u->role == ROLE_INTEGRATION)
		return false;
	v = auth_tenants(s, u, &nv);
	in = tenants_within(v, nv, scope, n);
	auth_tenants_free(v, nv);
	return in;
}

/* The ids of the users of the caller's scope (see above); 0 or ENOMEM. */
static int scope_users(struct srv *s, const struct user *by, char **scope,
		       size_t n, struct audit_job *j)
{
	struct kindset *set = obj_set(s, K_USERS);

	j->users = calloc(set->n + 1, sizeof(*j->users));
	if (!j->users)
		return ENOMEM;
	for (size_t i = 0; i < set->n; i++) {
		const struct user *u = auth_user_find(s, set->list[i]->id);

		if (!u || !user_in_scope(s, u, by, scope, n))
			continue;
		j->users[j->nusers] = strdup(u->id);
		if (!j->users[j->nusers])
			return ENOMEM;
		j->nusers++;
	}
	return 0;
}

/* "config" is audit.config; absent: every audit type. */
static bool type_param(struct hreq *r, struct audit_job *j)
{
	char buf[32];
	const char *v = web_query(r, "type", buf, sizeof(buf));
	enum event_type t;

	if (!v) {
		j->tq.prefix = AUDIT_PREFIX;
		return true;
	}
	snprintf(j->type, sizeof(j->type), AUDIT_PREFIX "%s", v);
	if (!event_type_parse(j->type, &t)) {
		web_error(r, 400, "invalid_field",
			  "type: expected config, login, login_failed, "
			  "customer_read, agent_state, customer_erased or "
			  "retention");
		return false;
	}
	j->tq.type = j->type;
	return true;
}

static bool int_param(struct hreq *r, const char *name, long long min,
		      long long max, long long *out)
{
	char buf[32], *end;
	const char *v = web_query(r, name, buf, sizeof(buf));

	if (!v)
		return true;
	*out = strtoll(v, &end, 10);
	return *v && !*end && *out >= min && *out <= max;
}

static bool time_param(struct hreq *r, const char *name, int64_t *out)
{
	char buf[64];
	const char *v = web_query(r, name, buf, sizeof(buf));

	*out = v ? utctime_parse(v) : 0;
	if (*out >= 0)
		return true;
	web_error(r, 400, "invalid_field",
		  "%s: expected a UTC time like 2026-11-29T10:00:00Z", name);
	return false;
}

static bool text_param(struct hreq *r, const char *name, char *buf, size_t size,
		       const char **out)
{
	*out = web_query(r, name, buf, size);
	if (*out && !**out)
		*out = NULL;
	return !r->bad_param[0];
}

/* format: json (the default) or csv. */
static bool format_param(struct hreq *r, struct audit_job *j)
{
	char buf[16];
	const char *v = web_query(r, "format", buf, sizeof(buf));

	j->csv = v && !strcmp(v, "csv");
	if (!v || j->csv || !strcmp(v, "json"))
		return true;
	web_error(r, 400, "invalid_field", "format: expected json or csv");
	return false;
}

/* The filters of the request into j; false when a 400 was sent. */
static bool audit_params(struct hreq *r, struct audit_job *j)
{
	long long before = 0, limit;
	size_t max;

	if (!type_param(r, j) || !format_param(r, j))
		return false;
	max = j->csv ? AUDIT_CSV_MAX : AUDIT_LIMIT_MAX;
	limit = j->csv ? AUDIT_CSV_MAX : AUDIT_LIMIT;
	if (!int_param(r, "before", 1, INT64_MAX, &before)) {
		web_error(r, 400, "invalid_field",
			  "before: expected a sequence number >= 1");
		return false;
	}
	if (!int_param(r, "limit", 1, (long long)max, &limit)) {
		web_error(r, 400, "invalid_field",
			  "limit: expected an integer from 1 to %zu", max);
		return false;
	}
	if (!time_param(r, "from", &j->tq.from_ms) ||
	    !time_param(r, "to", &j->tq.to_ms))
		return false;
	if (j->tq.from_ms && j->tq.to_ms && j->tq.from_ms >= j->tq.to_ms) {
		web_error(r, 400, "invalid_field", "from: must be before to");
		return false;
	}
	if (!text_param(r, "user", j->user, sizeof(j->user), &j->tq.user) ||
	    !text_param(r, "tenant", j->tenant, sizeof(j->tenant),
			&j->tq.tenant)) {
		web_error(r, 400, "invalid_field", "%s: too long",
			  r->bad_param);
		return false;
	}
	j->tq.before_seq = before;
	j->tq.until_seq = r->srv->durable_seq;
	j->limit = (size_t)limit;
	j->tq.limit = j->limit + 1;
	return true;
}

/* An event as the page shows it: its data's fields, then the row's. */
static int collect(const struct store_event *ev, void *arg)
{
	struct query *q = arg;
	json_t *e = json_loads(ev->data, 0, NULL);
	char t[UTCTIME_SIZE];

	if (!json_is_object(e)) {
		json_decref(e);
		e = json_object();
	}
	json_object_set_new(e, "seq", json_integer(ev->seq));
	json_object_set_new(
		e, "at",
		json_string(utctime_format(ev->time_ms, t, sizeof(t))));
	json_object_set_new(e, "type",
			    json_string(ev->type + strlen(AUDIT_PREFIX)));
	json_object_set_new(e, "tenant",
			    ev->tenant ? json_string(ev->tenant) : json_null());
	return json_array_append_new(q->result, e) ? ENOMEM : 0;
}

static void audit_run(struct store *st, struct query *q)
{
	struct audit_job *j = q->arg;

	q->result = json_array();
	if (!q->result) {
		q->err = ENOMEM;
		return;
	}
	q->err = st->ops->events_by_type(st, &j->tq, collect, q);
}

/* The name of who did it, when the event gives only the id. */
static void add_username(struct srv *s, json_t *e)
{
	const char *id = json_string_value(json_object_get(e, "user"));
	const struct user *u = id && id[0] ? auth_user_find(s, id) : NULL;

	if (u && !json_object_get(e, "username"))
		json_object_set_new(e, "username", json_string(u->username));
}

/*
 * The name of the configuration object (its name, username or code; or the
 * agent of an agent_state) while it exists: ids alone say little.
 */
static void add_object_name(struct srv *s, json_t *e)
{
	const char *type = json_string_value(json_object_get(e, "type"));
	const char *kind =
		!strcmp(type, "agent_state")
			? "agents"
			: json_string_value(json_object_get(e, "kind"));
	const char *id = json_string_value(json_object_get(e, "id"));
	const struct obj *o = NULL;
	const char *name;

	for (int k = 0; kind && id && !o && k < K_MAX; k++)
		if (!strcmp(kinds[k]->name, kind))
			o = obj_find(s, (enum kind_id)k, id);
	if (!o)
		return;
	name = jv_str(o->body, "name");
	if (!name)
		name = jv_str(o->body, "username");
	/* a disposition is named by its code */
	if (!name)
		name = jv_str(o->body, "code");
	if (name)
		json_object_set_new(e, "name", json_string(name));
}

/*
 * The events as a file to save, named for the day of the download
 * (relais-audit-2026-11-29.csv, UTC).
 */
static void audit_csv(struct hreq *r, const json_t *events, const json_t *next)
{
	struct mbuf *mb = mbuf_alloc(8192);
	char head[192], day[UTCTIME_SIZE], seq[48] = "";

	if (!mb || csvfile_write(mb, csv_cols, NCSV, events)) {
		mem_deref(mb);
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	utctime_format(srv_now(r->srv), day, sizeof(day));
	day[10] = '\0';
	if (json_is_integer(next))
		snprintf(seq, sizeof(seq), "X-Next-Before: %lld\r\n",
			 (long long)json_integer_value(next));
	snprintf(head, sizeof(head),
		 "Content-Disposition: attachment; "
		 "filename=\"relais-audit-%s.csv\"\r\n%s",
		 day, seq);
	web_file(r, 200, "text/csv; charset=utf-8", (const char *)mb->buf,
		 mb->end, head, false);
	mem_deref(mb);
}

static void audit_finish(struct query *q)
{
	struct audit_job *j = q->arg;
	size_t n = json_array_size(q->result);
	json_t *next = json_null(), *e;
	size_t i;

	if (query_failed(q))
		return;
	if (n > j->limit) {
		json_array_remove(q->result, j->limit);
		e = json_array_get(q->result, j->limit - 1);
		next = json_incref(json_object_get(e, "seq"));
	}
	json_array_foreach(q->result, i, e)
	{
		add_username(q->r->srv, e);
		add_object_name(q->r->srv, e);
	}
	if (j->csv) {
		audit_csv(q->r, q->result, next);
		json_decref(next);
		return;
	}
	web_json(q->r, 200,
		 json_pack("{s:O,s:o}", "events", q->result, "next_before",
			   next));
}

/* The scope of the caller into j: its tenants and, for those, its users. */
static bool audit_scope(struct hreq *r, struct query *q, struct audit_job *j)
{
	if (!auth_scope(r, &q->tenants, &q->ntenants))
		return false;
	if (!q->tenants)
		return true;
	if (scope_users(r->srv, r->user, q->tenants, q->ntenants, j)) {
		web_error(r, 500, "internal", "out of memory");
		return false;
	}
	j->tq.tenants = (const char *const *)q->tenants;
	j->tq.ntenants = q->ntenants;
	j->tq.users = (const char *const *)j->users;
	j->tq.nusers = j->nusers;
	return true;
}

static void api_audit(struct hreq *r)
{
	struct query *q = query_new(r);
	struct audit_job *j;

	if (!q)
		return;
	j = calloc(1, sizeof(*j));
	if (!j) {
		query_free(q);
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	q->arg = j;
	q->arg_free = job_free;
	if (!audit_params(r, j) || !audit_scope(r, q, j)) {
		query_free(q);
		return;
	}
	q->run = audit_run;
	q->finish = audit_finish;
	query_submit(q);
}

static const struct route audit_routes[] = {
	WEB_ROUTE("GET", "/api/v1/audit", api_audit, R_ADMIN | R_SUPERVISOR),
	{.method = NULL},
};

const struct srv_module audit_module = {
	.name = "audit",
	.routes = audit_routes,
};
