/*
 * Statistics: today's counters per queue and agents' states (kept live
 * from the engine's events, rebuilt from the log at start-up), the
 * realtime view, /metrics, /healthz and the event replay. The interval
 * reports and an agent's figures, read from the log, are reports.c.
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
#include "model/config.h"
#include "server/libre.h"

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

/*
 * Today's ratings of an agent or a site within one tenant: kept per
 * tenant so that a supervisor of one tenant never sees another's ratings
 * in the figures of an agent (or a site) serving both.
 */
struct cstat {
	char key[88]; /* "a|s", tenant, id, tab-separated */
	int64_t day_start_ms;
	struct metrics m;
};

/* The module's state. */
struct stats {
	struct hmap qstats;  /* queue id -> qstat */
	struct hmap cstats;  /* cstat key -> cstat */
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
	for (size_t i = 0; i < hmap_span(&st->cstats); i++)
		free(hmap_at(&st->cstats, i));
	hmap_reset(&st->cstats);
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

int64_t stats_day_start(struct srv *s, const char *tenant, int64_t now_ms)
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
	int64_t start = stats_day_start(s, tenant, now);

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

const struct metrics *stats_queue_today(struct srv *s, const char *queue,
					const char *tenant, int64_t now)
{
	static const struct metrics zero;
	const struct qstat *q = qstat_get(s, queue, tenant, now);

	return q ? &q->m : &zero;
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

static bool cstat_eq(const void *val, const void *key)
{
	return !strcmp(((const struct cstat *)val)->key, key);
}

/*
 * The ratings of today of agent or site (kind 'a' or 's') id within
 * tenant, at now; create: make it when absent (else NULL). A new day
 * starts it again.
 */
static struct cstat *cstat_get(struct srv *s, char kind, const char *tenant,
			       const char *id, int64_t now, bool create)
{
	struct hmap *m = &stats_of(s)->cstats;
	int64_t start = stats_day_start(s, tenant, now);
	struct cstat *c;
	char key[88];

	snprintf(key, sizeof(key), "%c\t%s\t%s", kind, tenant, id);
	c = hmap_get(m, hmap_hash_str(key), cstat_eq, key);
	if (!c && create && (c = calloc(1, sizeof(*c)))) {
		snprintf(c->key, sizeof(c->key), "%s", key);
		c->day_start_ms = start;
		if (hmap_put(m, hmap_hash_str(c->key), c)) {
			free(c);
			c = NULL;
		}
	}
	if (c && c->day_start_ms != start) {
		memset(&c->m, 0, sizeof(c->m));
		c->day_start_ms = start;
	}
	return c;
}

/* A contact.csat into today's counters of its queue, agent and site. */
static void feed_csat(struct srv *s, const char *tenant, int64_t time_ms,
		      const struct event_contact_csat *e)
{
	struct qstat *q;
	struct cstat *c;

	if (!tenant || time_ms < stats_day_start(s, tenant, srv_now(s)))
		return; /* a rating of another day */
	if (e->queue && (q = qstat_get(s, e->queue, tenant, time_ms)))
		metrics_csat(&q->m, e->score);
	if (e->agent &&
	    (c = cstat_get(s, 'a', tenant, e->agent, time_ms, true)))
		metrics_csat(&c->m, e->score);
	if (e->site && (c = cstat_get(s, 's', tenant, e->site, time_ms, true)))
		metrics_csat(&c->m, e->score);
}

/* The ratings of today of an agent or a site over the tenants u sees. */
static void csat_over(struct srv *s, const struct user *u, char kind,
		      const char *id, const json_t *tenants, int64_t now,
		      struct metrics *sum)
{
	json_t *t;
	size_t i;

	json_array_foreach(tenants, i, t)
	{
		const char *tid = json_string_value(t);
		const struct cstat *c;

		if (u && !auth_sees_tenant(s, u, tid))
			continue;
		c = cstat_get(s, kind, tid, id, now, false);
		if (c)
			metrics_add(sum, &c->m);
	}
}

void stats_csat_set(json_t *o, const struct metrics *m)
{
	json_object_set_new(o, "csat_count", json_integer(m->csat_count));
	json_object_set_new(o, "csat_avg", stats_num(metrics_csat_avg(m), 100));
	json_object_set_new(o, "csat_satisfied_pct",
			    stats_num(metrics_csat_satisfied(m) * 100, 10));
}

static void stats_commit(struct srv *s, void *state, const struct pub *pubs,
			 size_t n)
{
	(void)state;
	for (size_t i = 0; i < n; i++) {
		struct event ev;
		char msg[160];

		if (strcmp(pubs[i].type, "contact.csat") ||
		    event_decode(&ev, pubs[i].type, pubs[i].data, msg,
				 sizeof(msg)))
			continue;
		feed_csat(s, pubs[i].tenant, pubs[i].time_ms, &ev.u.csat);
	}
}

static int rebuild_csat(const struct store_event *row, void *arg)
{
	struct event ev;
	char msg[160];
	int err = event_parse(&ev, row->type, row->data, msg, sizeof(msg));

	if (err)
		return err == ENOMEM ? ENOMEM : 0;
	feed_csat(arg, row->tenant, row->time_ms, &ev.u.csat);
	event_release(&ev);
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
	struct store_type_query q = {.type = "contact.csat",
				     .from_ms =
					     srv_now(s) - 38 * 3600 * 1000LL};
	int err = s->store->ops->stat_events(s->store, q.from_ms, types, n,
					     rebuild_event, s);

	return err ? err
		   : s->store->ops->events_by_type(s->store, &q, rebuild_csat,
						   s);
}

/* ---- realtime ---- */

json_t *stats_num(double v, double scale)
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
		const struct astate *a;

		if (!config_agent_serves(set->list[i]->body, tenant, ch))
			continue;
		a = stats_agent_state(s, set->list[i]->id);
		n[a ? a->state : AS_OFFLINE]++;
	}
	for (int st = 0; st < AS_MAX; st++)
		json_object_set_new(
			out, engine_agent_state_name((enum agent_state)st),
			json_integer(n[st]));
}

static json_t *queue_view(struct srv *s, const struct obj *o, int64_t now)
{
	struct engine_queue_stats es = {0};
	const struct metrics *m =
		stats_queue_today(s, o->id, jv_str(o->body, "tenant"), now);
	json_t *agents = json_object();

	engine_queue_stats(s->eng, now, o->id, &es);
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
		stats_num(metrics_service_level(m, 0), 1000), "sl_target",
		(int)jv_int(o->body, "sl_target", 80), "sl_threshold_s",
		(int)(queue_sl_ms(s, o->id) / 1000), "asa_s",
		stats_num(metrics_asa_s(m), 10), "aht_s",
		stats_num(metrics_aht_s(m), 10));
}

static json_t *queue_realtime(struct srv *s, const struct obj *o, int64_t now)
{
	json_t *v = queue_view(s, o, now);

	stats_csat_set(
		v, stats_queue_today(s, o->id, jv_str(o->body, "tenant"), now));
	return v;
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

/* The tenants of the view: the one asked, or those u sees (u NULL: all). */
static json_t *view_tenants(struct srv *s, const struct user *u,
			    const char *tenant)
{
	struct kindset *ts = obj_set(s, K_TENANTS);
	json_t *out = json_array();

	for (size_t i = 0; i < ts->n; i++) {
		const char *id = ts->list[i]->id;

		if ((!tenant || !strcmp(tenant, id)) &&
		    (!u || auth_sees_tenant(s, u, id)))
			json_array_append_new(out, json_string(id));
	}
	return out;
}

/* An agent's row with its ratings of today in the view's tenants. */
static json_t *agent_row(struct srv *s, const struct user *u,
			 const struct obj *o, const json_t *tenants,
			 int64_t now)
{
	json_t *v = agent_realtime(s, u, o, now);
	struct metrics m = {0};

	csat_over(s, u, 'a', o->id, tenants, now, &m);
	stats_csat_set(v, &m);
	return v;
}

/* Per tenant: the ratings of its queues today. */
static json_t *tenants_csat(struct srv *s, const json_t *tenants, int64_t now)
{
	struct kindset *qs = obj_set(s, K_QUEUES);
	json_t *out = json_array(), *t;
	size_t i;

	json_array_foreach(tenants, i, t)
	{
		const char *id = json_string_value(t);
		struct metrics m = {0};
		json_t *row;

		for (size_t k = 0; k < qs->n; k++)
			if (!strcmp(jv_str(qs->list[k]->body, "tenant"), id))
				metrics_add(&m, stats_queue_today(
							s, qs->list[k]->id, id,
							now));
		row = json_pack(
			"{s:s,s:s}", "id", id, "name",
			jv_str(obj_find(s, K_TENANTS, id)->body, "name"));
		stats_csat_set(row, &m);
		json_array_append_new(out, row);
	}
	return out;
}

/* Per site: its agents' ratings today in the view's tenants (not for
 * clients, who see no agents). */
static json_t *sites_csat(struct srv *s, const struct user *u,
			  const json_t *tenants, int64_t now)
{
	struct kindset *ss = obj_set(s, K_SITES);
	json_t *out = json_array();

	for (size_t i = 0; !(u && u->role == ROLE_CLIENT) && i < ss->n; i++) {
		const struct obj *o = ss->list[i];
		struct metrics m = {0};
		json_t *row;

		csat_over(s, u, 's', o->id, tenants, now, &m);
		row = json_pack("{s:s,s:s}", "id", o->id, "name",
				jv_str(o->body, "name"));
		stats_csat_set(row, &m);
		json_array_append_new(out, row);
	}
	return out;
}

static json_t *stats_realtime(struct srv *s, const struct user *u,
			      const char *tenant)
{
	json_t *tenants = view_tenants(s, u, tenant), *out;
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
		if (tenant && !config_agent_serves(o->body, tenant, NULL))
			continue;
		json_array_append_new(agents, agent_row(s, u, o, tenants, now));
	}
	out = json_pack("{s:s,s:o,s:o,s:o,s:o}", "time",
			utctime_format(now, t, sizeof(t)), "queues", queues,
			"agents", agents, "tenants",
			tenants_csat(s, tenants, now), "sites",
			sites_csat(s, u, tenants, now));
	json_decref(tenants);
	return out;
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
		 json_pack("{s:s,s:s,s:I,s:I,s:b}", "status", "ok", "version",
			   RELAIS_VERSION, "uptime_s",
			   (json_int_t)((srv_now(s) - s->started_ms) / 1000),
			   "seq", (json_int_t)s->durable_seq, "demo",
			   s->cfg.demo));
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
	.on_commit = stats_commit,
	.close = stats_close,
};
