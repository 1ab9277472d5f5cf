/*
 * Statistics: today's counters per queue and agents' states (kept live
 * from the engine's events, rebuilt from the log at start-up), the
 * realtime view, interval reports computed from the event log off the
 * loop, /metrics, /healthz and the event replay.
 *
 * A server module (stats_module): its routes, load (the day rebuilt),
 * on_engine_event (the counters), close. Its state is struct stats, found
 * with srv_module_state().
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "model/utctime.h"
#include "server/libre.h"

#include "core/csv.h"
#include "core/tz.h"
#include "model/event.h"
#include "server/log.h"
#include "server/query.h"
#include "server/module.h"
#include "server/srv.h"
#include "server/stats.h"
#include "server/stream.h"
#include "server/worker.h"
#include "server/auth.h"
#include "server/objects.h"
#include "sys/zoneinfo.h"

/* Today's counters of a queue, for the realtime statistics. */
struct qstat {
	char queue[40];
	int64_t day_start_ms;
	struct metrics m;
};

struct zone {
	char tenant[40];
	char name[64];
	struct tz *tz;
};

/*
 * A wallboard asks every second, and so does each stream subscriber: the
 * answer for one scope is kept until an event or a config change (each
 * moves s->seq) or for a second at most.
 */
#define STATS_CACHE 16

struct stats_cache {
	struct {
		char key[512];
		int64_t seq, at_ms;
		char *text;
	} e[STATS_CACHE];
	unsigned next;
};

/* The module's state. */
struct stats {
	struct hmap qstats;  /* queue id -> qstat */
	struct hmap astates; /* agent id -> astate */
	struct hmap zones;   /* tenant id -> its time zone (cache) */
	struct stats_cache cache;
};

static struct stats *stats_of(const struct srv *s)
{
	return srv_module_state(s, &stats_module);
}

static bool qstat_eq(const void *val, const void *key)
{
	return !strcmp(((const struct qstat *)val)->queue, key);
}

static bool astate_eq(const void *val, const void *key)
{
	return !strcmp(((const struct astate *)val)->agent, key);
}

static bool zone_eq(const void *val, const void *key)
{
	return !strcmp(((const struct zone *)val)->tenant, key);
}

static void stats_close(struct srv *s, void *state)
{
	struct stats *st = state;

	(void)s;
	if (!st)
		return;
	for (size_t i = 0; i < hmap_span(&st->qstats); i++)
		free(hmap_at(&st->qstats, i));
	for (size_t i = 0; i < hmap_span(&st->astates); i++)
		free(hmap_at(&st->astates, i));
	for (size_t i = 0; i < hmap_span(&st->zones); i++) {
		struct zone *z = hmap_at(&st->zones, i);

		if (z) {
			tz_free(z->tz);
			free(z);
		}
	}
	hmap_reset(&st->qstats);
	hmap_reset(&st->astates);
	hmap_reset(&st->zones);
	for (int i = 0; i < STATS_CACHE; i++)
		free(st->cache.e[i].text);
	free(st);
}

static int stats_init(struct srv *s, void **state)
{
	(void)s;
	*state = calloc(1, sizeof(struct stats));
	return *state ? 0 : ENOMEM;
}

/* The UTC instant of the last local midnight of the tenant. */
static int64_t day_start(struct srv *s, const char *tenant, int64_t now_ms)
{
	struct hmap *zones = &stats_of(s)->zones;
	struct obj *t = obj_find(s, K_TENANTS, tenant);
	const char *name = t ? jv_str(t->body, "timezone") : NULL;
	struct zone *z;
	int64_t off = 0, local;

	z = tenant ? hmap_get(zones, hmap_hash_str(tenant), zone_eq, tenant)
		   : NULL;
	if (name && (!z || strcmp(z->name, name))) {
		if (!z && (z = calloc(1, sizeof(*z)))) {
			snprintf(z->tenant, sizeof(z->tenant), "%s", tenant);
			if (hmap_put(zones, hmap_hash_str(z->tenant), z)) {
				free(z);
				z = NULL;
			}
		}
		if (z) {
			tz_free(z->tz);
			z->tz = NULL;
			snprintf(z->name, sizeof(z->name), "%s", name);
			if (zoneinfo_load(&z->tz, name))
				z->tz = NULL;
		}
	}
	if (z && z->tz)
		off = (int64_t)tz_offset(z->tz, now_ms / 1000) * 1000;
	local = now_ms + off;
	return local - ((local % 86400000) + 86400000) % 86400000 - off;
}

static struct qstat *qstat_get(struct srv *s, const char *queue,
			       const char *tenant, int64_t now)
{
	struct hmap *qstats = &stats_of(s)->qstats;
	struct qstat *q =
		hmap_get(qstats, hmap_hash_str(queue), qstat_eq, queue);
	int64_t start = day_start(s, tenant, now);

	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q)
			return NULL;
		snprintf(q->queue, sizeof(q->queue), "%s", queue);
		if (hmap_put(qstats, hmap_hash_str(q->queue), q)) {
			free(q);
			return NULL;
		}
		q->day_start_ms = start;
	}
	if (q->day_start_ms != start) { /* a new day */
		memset(&q->m, 0, sizeof(q->m));
		q->day_start_ms = start;
	}
	return q;
}

static int64_t queue_sl_ms(struct srv *s, const char *queue)
{
	struct obj *q = obj_find(s, K_QUEUES, queue);

	return q ? jv_int(q->body, "sl_threshold_s", 20) * 1000 : 20000;
}

static void feed(struct srv *s, enum engine_event_type t, const char *queue,
		 const char *tenant, int64_t time_ms, bool entered,
		 int64_t wait, int64_t talk, int64_t wrap)
{
	struct qstat *q;

	if (!queue || !(q = qstat_get(s, queue, tenant, time_ms)))
		return;
	if (time_ms < q->day_start_ms)
		return;
	metrics_on_event(&q->m, t, entered, wait, talk, wrap,
			 queue_sl_ms(s, queue));
}

const struct astate *stats_agent_state(struct srv *s, const char *agent)
{
	struct stats *st = stats_of(s);

	return st ? hmap_get(&st->astates, hmap_hash_str(agent), astate_eq,
			     agent)
		  : NULL;
}

/* on_engine_event: today's counters, the agents' states. */
static void stats_on_event(struct srv *s, void *state,
			   const struct engine_event *ev)
{
	struct stats *st = state;
	struct astate *a;

	if (ev->type != EV_AGENT_STATE) {
		feed(s, ev->type, ev->queue, ev->tenant, ev->time, ev->entered,
		     ev->wait_ms, ev->talk_ms, ev->wrap_ms);
		return;
	}
	a = (struct astate *)stats_agent_state(s, ev->agent);
	if (!a) {
		a = calloc(1, sizeof(*a));
		if (!a)
			return;
		snprintf(a->agent, sizeof(a->agent), "%s", ev->agent);
		if (hmap_put(&st->astates, hmap_hash_str(a->agent), a)) {
			free(a);
			return;
		}
	}
	a->state = ev->agent_state;
	snprintf(a->reason, sizeof(a->reason), "%s",
		 ev->agent_state != AS_AVAILABLE && ev->reason ? ev->reason
							       : "");
	a->since_ms = ev->time;
}

static int rebuild_event(const struct store_stat_event *ev, void *arg)
{
	struct srv *s = arg;
	enum engine_event_type t;

	if (!engine_event_parse(ev->type, &t))
		return 0;
	feed(s, t, ev->queue, ev->tenant, ev->time_ms, ev->entered, ev->wait_ms,
	     ev->talk_ms, ev->wrap_ms);
	return 0;
}

/*
 * The counters of today from the log. Only the contact events count; the
 * store reads their few fields itself (parsing each event's JSON here cost
 * half of a restart with 100,000 waiting contacts).
 */
static int stats_rebuild(struct srv *s, void *state)
{
	const char *types[EV_MAX];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < EV_MAX; i++)
		if (i != EV_AGENT_STATE)
			types[n++] =
				engine_event_name((enum engine_event_type)i);
	/* Every tenant's day began less than 38 hours ago. */
	return s->store->ops->stat_events(s->store,
					  srv_now(s) - 38 * 3600 * 1000LL,
					  types, n, rebuild_event, s);
}

/* ---- realtime ---- */

static json_t *num_or_null(double v, double scale)
{
	return v < 0 ? json_null() : json_real(round(v * scale) / scale);
}

static void agents_by_state(struct srv *s, const json_t *q, json_t *out)
{
	struct kindset *set = obj_set(s, K_AGENTS);
	const char *tenant = jv_str(q, "tenant");
	const char *ch = jv_str(q, "channel");
	int n[AS_MAX] = {0};

	for (size_t i = 0; i < set->n; i++) {
		json_t *b = set->list[i]->body, *v;
		const struct astate *a;
		bool serves = false;
		size_t k;

		json_array_foreach(json_object_get(b, "tenants"), k, v)
			serves |= !strcmp(json_string_value(v), tenant);
		if (!serves ||
		    jv_int(json_object_get(b, "capacity"), ch, 0) <= 0)
			continue;
		a = stats_agent_state(s, set->list[i]->id);
		n[a ? a->state : AS_OFFLINE]++;
	}
	for (int st = 0; st < AS_MAX; st++)
		json_object_set_new(
			out, engine_agent_state_name((enum agent_state)st),
			json_integer(n[st]));
}

static json_t *queue_realtime(struct srv *s, const struct obj *o, int64_t now)
{
	struct engine_queue_stats es = {0};
	const struct qstat *qs;
	const struct metrics *m;
	static const struct metrics zero;
	json_t *agents = json_object();

	engine_queue_stats(s->eng, now, o->id, &es);
	qs = qstat_get(s, o->id, jv_str(o->body, "tenant"), now);
	m = qs ? &qs->m : &zero;
	agents_by_state(s, o->body, agents);
	return json_pack(
		"{s:s,s:s,s:s,s:s,s:i,s:I,s:o,s:o,s:i,s:i,s:i,s:i,s:o,s:i,"
		"s:i,s:o,s:o}",
		"id", o->id, "tenant", jv_str(o->body, "tenant"), "name",
		jv_str(o->body, "name"), "channel", jv_str(o->body, "channel"),
		"waiting", (int)es.waiting, "longest_wait_s",
		(json_int_t)(es.oldest_arrival_ms < 0
				     ? 0
				     : (now - es.oldest_arrival_ms) / 1000),
		"ewt_s",
		es.ewt_ms < 0 ? json_null() : json_integer(es.ewt_ms / 1000),
		"agents", agents, "offered", (int)m->offered, "handled",
		(int)m->handled, "answered", (int)m->answered, "abandoned",
		(int)m->abandoned, "service_level",
		num_or_null(metrics_service_level(m, 0), 1000), "sl_target",
		(int)jv_int(o->body, "sl_target", 80), "sl_threshold_s",
		(int)(queue_sl_ms(s, o->id) / 1000), "asa_s",
		num_or_null(metrics_asa_s(m), 10), "aht_s",
		num_or_null(metrics_aht_s(m), 10));
}

/* The agent's tenants that u sees (u NULL: all): no other tenant's id. */
static json_t *agent_tenants(struct srv *s, const struct user *u,
			     const struct obj *o)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(json_object_get(o->body, "tenants"), i, v)
	{
		if (!u || auth_sees_tenant(s, u, json_string_value(v)))
			json_array_append(out, v);
	}
	return out;
}

static json_t *agent_realtime(struct srv *s, const struct user *u,
			      const struct obj *o, int64_t now)
{
	const struct astate *a = stats_agent_state(s, o->id);
	enum agent_state st = AS_OFFLINE;
	uint8_t load[CH_MAX] = {0};
	int contacts = 0;
	json_t *channels = json_array();

	engine_agent_info(s->eng, o->id, &st, load);
	for (int c = 0; c < CH_MAX; c++) {
		contacts += load[c];
		/* the wallboard's queue filter: who counts in a queue's tile */
		if (jv_int(json_object_get(o->body, "capacity"),
			   engine_channel_names[c], 0) > 0)
			json_array_append_new(
				channels, json_string(engine_channel_names[c]));
	}
	return json_pack("{s:s,s:s,s:s,s:s?,s:s,s:I,s:i,s:o,s:o}", "id", o->id,
			 "name", jv_str(o->body, "name"), "state",
			 engine_agent_state_name(st), "reason",
			 a && a->reason[0] ? a->reason : NULL, "site",
			 jv_str(o->body, "site"), "state_s",
			 (json_int_t)(a ? (now - a->since_ms) / 1000 : 0),
			 "contacts", contacts, "tenants",
			 agent_tenants(s, u, o), "channels", channels);
}

static json_t *stats_realtime(struct srv *s, const struct user *u,
			      const char *tenant)
{
	struct kindset *qs = obj_set(s, K_QUEUES), *as = obj_set(s, K_AGENTS);
	json_t *queues = json_array(), *agents = json_array();
	int64_t now = srv_now(s);
	char t[32];

	for (size_t i = 0; i < qs->n; i++) {
		const char *qt = jv_str(qs->list[i]->body, "tenant");

		if ((tenant && strcmp(qt, tenant)) ||
		    (u && !auth_sees_tenant(s, u, qt)))
			continue;
		json_array_append_new(queues,
				      queue_realtime(s, qs->list[i], now));
	}
	for (size_t i = 0; i < as->n; i++) {
		struct obj *o = as->list[i];

		if (u && (u->role == ROLE_CLIENT ||
			  (u->role != ROLE_ADMIN &&
			   !o->kind->visible(s, u, o->body))))
			continue;
		if (tenant) {
			json_t *v;
			size_t k;
			bool serves = false;

			json_array_foreach(json_object_get(o->body, "tenants"),
					   k, v) serves |=
				!strcmp(json_string_value(v), tenant);
			if (!serves)
				continue;
		}
		json_array_append_new(agents, agent_realtime(s, u, o, now));
	}
	return json_pack("{s:s,s:o,s:o}", "time",
			 utctime_format(now, t, sizeof(t)), "queues", queues,
			 "agents", agents);
}

/* The scope of a user's statistics as a string. */
static void scope_key(const struct user *u, const char *tenant, char *key,
		      size_t size)
{
	size_t len;

	snprintf(key, size, "%d|%s|%s|", (int)u->role, u->agent,
		 tenant ? tenant : "");
	for (size_t i = 0; i < u->ntenants; i++) {
		len = strlen(key);
		snprintf(key + len, size - len, "%s,", u->tenants[i]);
	}
	for (size_t i = 0; i < u->nsites; i++) {
		len = strlen(key);
		snprintf(key + len, size - len, "%s;", u->sites[i]);
	}
}

const char *stats_realtime_text(struct srv *s, const struct user *u,
				const char *tenant)
{
	struct stats_cache *c = &stats_of(s)->cache;
	int64_t now = srv_now(s);
	char key[512];
	unsigned i;

	scope_key(u, tenant, key, sizeof(key));
	for (i = 0; i < STATS_CACHE; i++) {
		if (c->e[i].text && c->e[i].seq == s->seq &&
		    now - c->e[i].at_ms < 1000 && !strcmp(c->e[i].key, key))
			return c->e[i].text;
	}
	i = c->next++ % STATS_CACHE;
	free(c->e[i].text);
	json_t *j = stats_realtime(s, u, tenant);

	c->e[i].text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(j);
	snprintf(c->e[i].key, sizeof(c->e[i].key), "%s", key);
	c->e[i].seq = s->seq;
	c->e[i].at_ms = now;
	return c->e[i].text;
}

static void api_stats_realtime(struct hreq *r)
{
	char tenant[64];
	const char *t = web_query(r, "tenant", tenant, sizeof(tenant));
	const char *text;

	if (t && !auth_sees_tenant(r->srv, r->user, t)) {
		web_not_found(r, "tenant", t);
		return;
	}
	text = stats_realtime_text(r->srv, r->user, t);
	if (!text) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	web_text(r, 200, "application/json", text, strlen(text));
}

/* ---- interval reports (computed on the store thread) ---- */

enum group { G_QUEUE, G_AGENT, G_TENANT, G_SITE };

struct row {
	int64_t start;
	char key[40];
	struct metrics m;
};

struct report {
	enum group group;
	int64_t from, to, step;
	json_t *names; /* key -> display name */
	json_t *sl;    /* queue -> threshold ms */
	json_t *index; /* "start key" -> row index */
	struct row *rows;
	size_t n, cap;
	bool oom;
};

static const char *const group_names[] = {"queue", "agent", "tenant", "site"};

static struct row *report_row(struct report *rp, int64_t start, const char *key)
{
	char k[96];
	json_t *ix;

	snprintf(k, sizeof(k), "%lld %s", (long long)start, key);
	ix = json_object_get(rp->index, k);
	if (ix)
		return &rp->rows[json_integer_value(ix)];
	if (rp->n == rp->cap) {
		size_t cap = rp->cap ? rp->cap * 2 : 64;
		struct row *rows = realloc(rp->rows, cap * sizeof(*rows));

		if (!rows) {
			rp->oom = true;
			return NULL;
		}
		rp->rows = rows;
		rp->cap = cap;
	}
	memset(&rp->rows[rp->n], 0, sizeof(rp->rows[0]));
	rp->rows[rp->n].start = start;
	snprintf(rp->rows[rp->n].key, sizeof(rp->rows[0].key), "%s", key);
	json_object_set_new(rp->index, k, json_integer((json_int_t)rp->n));
	return &rp->rows[rp->n++];
}

/*
 * An agent.state event closes a span of time in the previous state: it
 * is spread over the intervals it covers (agent and site groupings).
 */
static void report_span(struct report *rp, int64_t end,
			const struct engine_event *e)
{
	const char *key = rp->group == G_AGENT ? e->agent : e->site;
	int64_t start = end - e->prev_state_ms;
	struct row *row;

	if (!key || strlen(key) >= 40)
		return;
	if (start < rp->from)
		start = rp->from;
	while (start < end) {
		int64_t b = rp->from + (start - rp->from) / rp->step * rp->step;
		int64_t stop = b + rp->step < end ? b + rp->step : end;

		row = report_row(rp, b, key);
		if (!row)
			return;
		metrics_agent_time(&row->m, e->prev_state, stop - start);
		start = stop;
	}
}

/* A contact's event into the row of its interval and key. */
static void report_contact(struct report *rp, const struct store_event *ev,
			   const struct engine_event *e)
{
	const char *key = rp->group == G_QUEUE	  ? e->queue
			  : rp->group == G_AGENT  ? e->agent
			  : rp->group == G_TENANT ? ev->tenant
						  : e->site;
	int64_t start =
		rp->from + (ev->time_ms - rp->from) / rp->step * rp->step;
	struct row *row;

	if (key && strlen(key) < 40 && (row = report_row(rp, start, key)))
		metrics_on_event(&row->m, e->type, e->entered, e->wait_ms,
				 e->talk_ms, e->wrap_ms,
				 e->queue ? jv_int(rp->sl, e->queue, 20000)
					  : 20000);
}

/* The engine's rows, decoded by the event codec; damaged ones are left
 * out. */
static int report_event(const struct store_event *ev, void *arg)
{
	struct report *rp = arg;
	const struct engine_event *e;
	enum event_type t;
	struct event row;
	char msg[160];
	int err;

	if (!event_type_parse(ev->type, &t) || t >= EVENT_ENGINE_MAX)
		return 0;
	err = event_parse(&row, ev->type, ev->data, msg, sizeof(msg));
	if (err)
		return err == ENOMEM ? ENOMEM : 0;
	e = &row.u.engine.ev;
	if (e->type != EV_AGENT_STATE)
		report_contact(rp, ev, e);
	else if (rp->group == G_AGENT || rp->group == G_SITE)
		report_span(rp, ev->time_ms, e);
	event_release(&row);
	return rp->oom ? ENOMEM : 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return strcmp(x->key, y->key);
}

static json_t *row_json(const struct report *rp, const struct row *row)
{
	const struct metrics *m = &row->m;
	char t[32];

	return json_pack(
		"{s:s,s:s,s:s?,s:i,s:i,s:i,s:i,s:i,s:i,s:o,s:o,s:o,s:o,s:o,s:o,"
		"s:i,s:o,s:o}",
		"start", utctime_format(row->start, t, sizeof(t)), "key",
		row->key, "name", jv_str(rp->names, row->key), "offered",
		(int)m->offered, "answered", (int)m->answered, "handled",
		(int)m->handled, "abandoned", (int)m->abandoned,
		"short_abandoned", (int)m->short_abandoned,
		"answered_in_threshold", (int)m->answered_in_sl,
		"service_level", num_or_null(metrics_service_level(m, 0), 1000),
		"asa_s", num_or_null(metrics_asa_s(m), 10), "avg_wait_s",
		num_or_null(metrics_avg_wait_s(m), 10), "max_wait_s",
		json_real(round((double)m->wait_max_ms / 100.0) / 10.0),
		"aht_s", num_or_null(metrics_aht_s(m), 10), "avg_abandon_s",
		num_or_null(metrics_avg_abandon_s(m), 10), "transfers",
		(int)m->transfers, "occupancy",
		num_or_null(metrics_occupancy(m), 1000), "utilisation",
		num_or_null(metrics_utilisation(m), 1000));
}

static void report_run(struct store *st, struct query *q)
{
	struct report *rp = q->arg;
	json_t *rows = json_array();

	q->eq.from_ms = rp->from;
	q->eq.to_ms = rp->to;
	q->eq.tenants = (const char *const *)q->tenants;
	q->eq.ntenants = q->ntenants;
	rp->index = json_object();
	q->err = st->ops->events(st, &q->eq, report_event, rp);
	if (rp->n)
		qsort(rp->rows, rp->n, sizeof(rp->rows[0]), row_cmp);
	for (size_t i = 0; i < rp->n; i++)
		json_array_append_new(rows, row_json(rp, &rp->rows[i]));
	q->result = rows;
}

/* A text cell, quoted and kept from being a formula (core/csv.h). */
static int csv_string(struct mbuf *mb, const char *s)
{
	char buf[256], *p = buf;
	size_t n = csv_text(buf, sizeof(buf), s, true);
	int err;

	if (n >= sizeof(buf)) {
		p = malloc(n + 1);
		if (!p)
			return ENOMEM;
		csv_text(p, n + 1, s, true);
	}
	err = mbuf_write_mem(mb, (const uint8_t *)p, n);
	if (p != buf)
		free(p);
	return err;
}

/* Numbers are written as numbers: only text cells are neutralised. */
static int csv_field(struct mbuf *mb, const json_t *v)
{
	char num[32];

	if (json_is_string(v))
		return csv_string(mb, json_string_value(v));
	if (json_is_integer(v))
		return mbuf_printf(mb, "%lld",
				   (long long)json_integer_value(v));
	if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%g", json_real_value(v));
		return mbuf_write_str(mb, num);
	}
	return 0;
}

static const char *const csv_cols[] = {"start",
				       "key",
				       "name",
				       "offered",
				       "answered",
				       "handled",
				       "abandoned",
				       "short_abandoned",
				       "answered_in_threshold",
				       "service_level",
				       "asa_s",
				       "avg_wait_s",
				       "max_wait_s",
				       "aht_s",
				       "avg_abandon_s",
				       "transfers",
				       "occupancy",
				       "utilisation",
				       NULL};

static void report_csv(struct hreq *r, const json_t *rows)
{
	struct mbuf *mb = mbuf_alloc(4096);
	json_t *row;
	size_t i;
	int err = 0;

	if (!mb) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	for (int c = 0; csv_cols[c]; c++)
		mbuf_printf(mb, "%s%s", c ? "," : "", csv_cols[c]);
	mbuf_write_str(mb, "\r\n");
	json_array_foreach(rows, i, row)
	{
		for (int c = 0; !err && csv_cols[c]; c++) {
			if (c)
				err |= mbuf_write_u8(mb, ',');
			err |= csv_field(mb, json_object_get(row, csv_cols[c]));
		}
		err |= mbuf_write_str(mb, "\r\n");
	}
	if (err)
		web_error(r, 500, "internal", "out of memory");
	else
		web_text(r, 200, "text/csv; charset=utf-8",
			 (const char *)mb->buf, mb->end);
	mem_deref(mb);
}

static void report_finish_free(struct report *rp)
{
	json_decref(rp->names);
	json_decref(rp->sl);
	json_decref(rp->index);
	free(rp->rows);
	free(rp);
}

static void report_finish(struct query *q)
{
	struct report *rp = q->arg;
	char f[32], t[32];

	if (!query_failed(q)) {
		if (q->r->csv)
			report_csv(q->r, q->result);
		else
			web_json(q->r, 200,
				 json_pack(
					 "{s:s,s:s,s:I,s:s,s:O}", "from",
					 utctime_format(rp->from, f, sizeof(f)),
					 "to",
					 utctime_format(rp->to, t, sizeof(t)),
					 "interval_s",
					 (json_int_t)(rp->step / 1000), "group",
					 group_names[rp->group], "rows",
					 q->result));
	}
	report_finish_free(rp);
}

/* Names and thresholds the worker needs, copied on the loop. */
static void report_snapshot(struct srv *s, struct report *rp)
{
	static const enum kind_id by_group[] = {K_QUEUES, K_AGENTS, K_TENANTS,
						K_SITES};
	struct kindset *set = obj_set(s, by_group[rp->group]);
	struct kindset *qs = obj_set(s, K_QUEUES);

	rp->names = json_object();
	rp->sl = json_object();
	for (size_t i = 0; i < set->n; i++)
		json_object_set(rp->names, set->list[i]->id,
				json_object_get(set->list[i]->body, "name"));
	for (size_t i = 0; i < qs->n; i++)
		json_object_set_new(rp->sl, qs->list[i]->id,
				    json_integer(jv_int(qs->list[i]->body,
							"sl_threshold_s", 20) *
						 1000));
}

static bool report_params(struct hreq *r, struct report *rp)
{
	static const char *const steps[] = {"15m", "30m", "1h", "1d"};
	static const int64_t step_ms[] = {900000, 1800000, 3600000, 86400000};
	char buf[64];
	const char *v;
	int i;

	v = web_query(r, "from", buf, sizeof(buf));
	rp->from = v ? utctime_parse(v) : -1;
	v = web_query(r, "to", buf, sizeof(buf));
	rp->to = v ? utctime_parse(v) : -1;
	if (rp->from < 0 || rp->to <= rp->from ||
	    rp->to - rp->from > 92 * 86400000LL) {
		web_error(r, 400, "invalid_field",
			  "from, to: expected UTC times like "
			  "2026-11-29T00:00:00Z, from before to, at most 92 "
			  "days apart");
		return false;
	}
	v = web_query(r, "interval", buf, sizeof(buf));
	for (i = 0; v && i < 4 && strcmp(steps[i], v); i++)
		;
	if (v && i == 4) {
		web_error(r, 400, "invalid_field",
			  "interval: expected 15m, 30m, 1h or 1d");
		return false;
	}
	rp->step = step_ms[v ? i : 0];
	v = web_query(r, "group", buf, sizeof(buf));
	for (i = 0; v && i < 4 && strcmp(group_names[i], v); i++)
		;
	if (v && i == 4) {
		web_error(r, 400, "invalid_field",
			  "group: expected queue, agent, tenant or site");
		return false;
	}
	rp->group = v ? (enum group)i : G_QUEUE;
	if (r->user->role == ROLE_CLIENT &&
	    (rp->group == G_AGENT || rp->group == G_SITE)) {
		web_forbidden(r);
		return false;
	}
	return true;
}

static void api_reports_intervals(struct hreq *r)
{
	struct report *rp = calloc(1, sizeof(*rp));
	struct query *q;
	char t[64];

	if (!rp) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	if (!report_params(r, rp) || !(q = query_new(r))) {
		free(rp);
		return;
	}
	if (!auth_scope(r, &q->tenants, &q->ntenants)) {
		query_free(q);
		free(rp);
		return;
	}
	if (web_query(r, "tenant", t, sizeof(t))) {
		if (!auth_sees_tenant(r->srv, r->user, t)) {
			query_free(q);
			free(rp);
			web_not_found(r, "tenant", t);
			return;
		}
		auth_tenants_free(q->tenants, q->ntenants);
		q->tenants = calloc(2, sizeof(char *));
		if (q->tenants && (q->tenants[0] = strdup(t)))
			q->ntenants = 1;
	}
	report_snapshot(r->srv, rp);
	q->arg = rp;
	q->run = report_run;
	q->finish = report_finish;
	query_submit(q);
}

/* ---- an agent's own figures today ---- */

/* Serves q: one of its tenants, a capacity on the queue's channel. */
static bool agent_serves(const json_t *agent, const json_t *q)
{
	const char *tenant = jv_str(q, "tenant");
	json_t *v;
	size_t i;

	if (jv_int(json_object_get(agent, "capacity"), jv_str(q, "channel"),
		   0) <= 0)
		return false;
	json_array_foreach(json_object_get(agent, "tenants"), i, v)
	{
		if (tenant && !strcmp(json_string_value(v), tenant))
			return true;
	}
	return false;
}

/* Today's service level of each queue the agent serves. */
static json_t *figures_queues(struct srv *s, const json_t *agent, int64_t now)
{
	struct kindset *set = obj_set(s, K_QUEUES);
	static const struct metrics zero;
	json_t *out = json_array();

	for (size_t i = 0; i < set->n; i++) {
		const json_t *b = set->list[i]->body;
		const struct qstat *qs;

		if (!agent_serves(agent, b))
			continue;
		qs = qstat_get(s, set->list[i]->id, jv_str(b, "tenant"), now);
		json_array_append_new(
			out,
			json_pack("{s:s,s:s,s:o,s:i}", "id", set->list[i]->id,
				  "name", jv_str(b, "name"), "service_level",
				  num_or_null(metrics_service_level(
						      qs ? &qs->m : &zero, 0),
					      1000),
				  "sl_target",
				  (int)jv_int(b, "sl_target", 80)));
	}
	return out;
}

/* The day's row of the agent, with the state it is in until now. */
static void figures_finish(struct query *q)
{
	struct report *rp = q->arg;
	struct srv *s = q->r->srv;
	const char *id = q->strs[0];
	const struct astate *a = stats_agent_state(s, id);
	struct metrics m = {0};
	struct obj *o = obj_find(s, K_AGENTS, id);
	char f[32];

	for (size_t i = 0; !q->err && i < rp->n; i++)
		if (!strcmp(rp->rows[i].key, id))
			metrics_add(&m, &rp->rows[i].m);
	if (a)
		metrics_agent_time(&m, a->state,
				   rp->to - (a->since_ms > rp->from
						     ? a->since_ms
						     : rp->from));
	if (!query_failed(q) && !o)
		web_not_found(q->r, "agent", id);
	else if (!q->err)
		web_json(
			q->r, 200,
			json_pack(
				"{s:s,s:s,s:i,s:o,s:o,s:o}", "agent", id,
				"since", utctime_format(rp->from, f, sizeof(f)),
				"handled", (int)m.handled, "aht_s",
				num_or_null(metrics_aht_s(&m), 10), "occupancy",
				num_or_null(metrics_occupancy(&m), 1000),
				"queues", figures_queues(s, o->body, rp->to)));
	report_finish_free(rp);
}

/* An agent itself, a supervisor of its site, an admin; else 404. */
static bool figures_visible(struct hreq *r, const struct obj *a)
{
	const struct user *u = r->user;

	return a && (u->role == ROLE_ADMIN ||
		     (u->role == ROLE_AGENT && !strcmp(u->agent, a->id)) ||
		     (u->role == ROLE_SUPERVISOR &&
		      auth_sees_site(r->srv, u, jv_str(a->body, "site"))));
}

/*
 * Today (since midnight in its first tenant's zone): handled, AHT and
 * occupancy from the log, as the interval report by agent counts them.
 */
static void api_agent_figures(struct hreq *r)
{
	struct srv *s = r->srv;
	struct obj *a = obj_find(s, K_AGENTS, r->params[0]);
	const char *tenant;
	struct report *rp;
	struct query *q;

	if (!figures_visible(r, a)) {
		web_not_found(r, "agent", r->params[0]);
		return;
	}
	rp = calloc(1, sizeof(*rp));
	if (!rp) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	if (!(q = query_new(r))) {
		free(rp);
		return;
	}
	tenant = json_string_value(
		json_array_get(json_object_get(a->body, "tenants"), 0));
	rp->group = G_AGENT;
	rp->to = srv_now(s) + 1;
	rp->from = tenant ? day_start(s, tenant, rp->to - 1)
			  : rp->to - 1 - (rp->to - 1) % 86400000;
	rp->step = rp->to - rp->from;
	report_snapshot(s, rp);
	snprintf(q->strs[0], sizeof(q->strs[0]), "%s", a->id);
	q->arg = rp;
	q->run = report_run;
	q->finish = figures_finish;
	query_submit(q);
}

/* ---- events replay ---- */

static int replay_event(const struct store_event *ev, void *arg)
{
	struct query *q = arg;
	char t[32];
	json_t *d = json_loads(ev->data, 0, NULL);

	json_array_append_new(
		q->result,
		json_pack("{s:I,s:s,s:s?,s:s,s:o}", "seq", (json_int_t)ev->seq,
			  "time", utctime_format(ev->time_ms, t, sizeof(t)),
			  "tenant", ev->tenant, "type", ev->type, "data",
			  d ? d : json_object()));
	q->total = (size_t)ev->seq;
	return 0;
}

static void replay_run(struct store *st, struct query *q)
{
	q->result = json_array();
	q->eq.tenants = (const char *const *)q->tenants;
	q->eq.ntenants = q->ntenants;
	q->err = st->ops->events(st, &q->eq, replay_event, q);
}

static void replay_finish(struct query *q)
{
	if (query_failed(q))
		return;
	web_json(q->r, 200,
		 json_pack("{s:O,s:I}", "events", q->result, "last",
			   (json_int_t)(q->total ? (int64_t)q->total
						 : q->eq.after_seq)));
}

static void api_events(struct hreq *r)
{
	char buf[32], *end;
	const char *v;
	struct query *q = query_new(r);
	long long after = 0, limit = 100;

	if (!q)
		return;
	if ((v = web_query(r, "after", buf, sizeof(buf)))) {
		after = strtoll(v, &end, 10);
		if (*end || after < 0) {
			query_free(q);
			web_error(r, 400, "invalid_field",
				  "after: expected a sequence number >= 0");
			return;
		}
	}
	if ((v = web_query(r, "limit", buf, sizeof(buf)))) {
		limit = strtoll(v, &end, 10);
		if (*end || limit < 1 || limit > 1000) {
			query_free(q);
			web_error(r, 400, "invalid_field",
				  "limit: expected an integer from 1 to 1000");
			return;
		}
	}
	q->eq.after_seq = after;
	q->eq.until_seq = r->srv->durable_seq;
	q->eq.limit = (size_t)limit;
	if (!auth_scope(r, &q->tenants, &q->ntenants)) {
		query_free(q);
		return;
	}
	q->run = replay_run;
	q->finish = replay_finish;
	query_submit(q);
}

/* ---- operators ---- */

static void api_healthz(struct hreq *r)
{
	struct srv *s = r->srv;

	web_json(r, 200,
		 json_pack("{s:s,s:s,s:I,s:I}", "status", "ok", "version",
			   RELAIS_VERSION, "uptime_s",
			   (json_int_t)((srv_now(s) - s->started_ms) / 1000),
			   "seq", (json_int_t)s->durable_seq));
}

static void api_metrics(struct hreq *r)
{
	struct srv *s = r->srv;
	struct mbuf *mb = mbuf_alloc(4096);
	uint32_t by_state[CS_MAX] = {0};

	if (!mb) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	for (size_t i = 0; i < obj_set(s, K_QUEUES)->n; i++) {
		struct engine_queue_stats es = {0};

		engine_queue_stats(s->eng, srv_now(s),
				   obj_set(s, K_QUEUES)->list[i]->id, &es);
		by_state[CS_QUEUED] += es.waiting;
		by_state[CS_OFFERED] += es.offered;
		by_state[CS_ACTIVE] += es.active;
	}
	mbuf_printf(mb, "# HELP relais_http_responses_total HTTP responses "
			"by status class.\n"
			"# TYPE relais_http_responses_total counter\n");
	for (int c = 1; c <= 5; c++)
		mbuf_printf(mb,
			    "relais_http_responses_total{class=\"%dxx\"} "
			    "%llu\n",
			    c, (unsigned long long)web_responses(s->web, c));
	mbuf_printf(
		mb,
		"# HELP relais_contacts Contacts in progress by state.\n"
		"# TYPE relais_contacts gauge\n"
		"relais_contacts{state=\"queued\"} %u\n"
		"relais_contacts{state=\"offered\"} %u\n"
		"relais_contacts{state=\"active\"} %u\n"
		"# HELP relais_events_total Events appended to the log.\n"
		"# TYPE relais_events_total counter\n"
		"relais_events_total %llu\n"
		"# HELP relais_event_seq Last durable event sequence.\n"
		"# TYPE relais_event_seq gauge\n"
		"relais_event_seq %lld\n"
		"# HELP relais_store_commits_total Group commits.\n"
		"# TYPE relais_store_commits_total counter\n"
		"relais_store_commits_total %llu\n"
		"# HELP relais_store_commit_seconds_total Time in commits.\n"
		"# TYPE relais_store_commit_seconds_total counter\n"
		"relais_store_commit_seconds_total %.6f\n",
		by_state[CS_QUEUED], by_state[CS_OFFERED], by_state[CS_ACTIVE],
		(unsigned long long)s->events_total, (long long)s->durable_seq,
		(unsigned long long)s->commits, (double)s->commit_us_sum / 1e6);
	srv_metrics(s, mb);
	web_text(r, 200, "text/plain; version=0.0.4", (const char *)mb->buf,
		 mb->end);
	mem_deref(mb);
}

static const struct route stats_routes[] = {
	{.method = "GET",
	 .pattern = "/healthz",
	 .h = api_healthz,
	 .roles = R_PUBLIC},
	{.method = "GET",
	 .pattern = "/metrics",
	 .h = api_metrics,
	 .roles = R_PUBLIC},
	{.method = "GET",
	 .pattern = "/api/v1/stats/realtime",
	 .h = api_stats_realtime,
	 .roles = R_ADMIN | R_SUPERVISOR | R_AGENT | R_CLIENT},
	{.method = "GET",
	 .pattern = "/api/v1/reports/intervals",
	 .h = api_reports_intervals,
	 .roles = R_ADMIN | R_SUPERVISOR | R_CLIENT},
	{.method = "GET",
	 .pattern = "/api/v1/agents/{id}/figures",
	 .h = api_agent_figures,
	 .roles = R_ADMIN | R_SUPERVISOR | R_AGENT},
	{.method = "GET",
	 .pattern = "/api/v1/events",
	 .h = api_events,
	 .roles = R_ADMIN | R_SUPERVISOR | R_INTEGRATION},
	{.method = NULL},
};

const struct srv_module stats_module = {
	.name = "stats",
	.routes = stats_routes,
	.init = stats_init,
	.load = stats_rebuild,
	.on_engine_event = stats_on_event,
	.close = stats_close,
};
