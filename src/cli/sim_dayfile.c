/*
 * sim_dayfile — a recorded day of a data folder written as a scenario
 * file ('relais sim replay --write-scenario FILE'), so that a planner can
 * replay the day as it was staffed and then change one thing.
 *
 * What comes from the configuration: tenants, sites (kind, country, cost
 * per hour), calendars, agents (site, skills, tenants, capacity) and
 * queues (the API's Queue fields the simulator reads), with the day's date
 * and time zone so that the calendars open and close as they did.
 * What comes from the day's event log:
 *   - the agents who were logged in, each login span a shift of its own
 *     (minutes rounded outwards) and its pauses breaks (the ten longest of
 *     a minute or more, rounded to the minute);
 *   - per queue, the contacts that entered it in each 15-minute interval
 *     (the scenario's arrivals, for runs that are not replays), the talk
 *     times, ring times (offer to accept) and wrap-up times as
 *     empirical distributions, and an
 *     exponential patience of mean (total waiting time of answered and
 *     abandoned contacts) ÷ (abandoned contacts): the maximum-likelihood
 *     estimate when answered contacts are censored observations.
 * The day is 24 hours from local midnight.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/msg.h"
#include "cli/sim_replay.h"

#define MS_DAY	  86400000LL
#define SLOT_MS	  900000LL
#define NSLOTS	  96
#define MAX_BREAK 10

struct span {
	int64_t from, to; /* ms since the day's start */
	bool paused;
};

/* One agent's day: its spans out of the offline state, in time order. */
struct aday {
	struct span *v;
	size_t n, cap;
	enum agent_state state; /* since `since`, from its last event */
	int64_t since;
};

/* One queue's day, from its contacts. */
struct qday {
	double offered[NSLOTS];
	json_t *talk, *wrap, *ring; /* seconds */
	double wait_s;		    /* answered and abandoned */
	unsigned abandoned;
};

struct dayfile {
	int64_t from, to, last; /* last: the latest event read */
	/* configuration rows */
	json_t *tenants, *sites, *agents, *queues, *calendars;
	json_t *aix, *qix; /* id -> index */
	struct aday *a;
	struct day_contacts c;
	struct qday *q;	 /* per queue, once the events are read */
	size_t contacts; /* of the day, in the configuration's queues */
	bool oom;
};

static int keep_row(json_t *into, const char *id, const char *body)
{
	json_t *b = json_loads(body, 0, NULL);

	if (!b)
		return 0;
	json_object_set_new(b, "id", json_string(id));
	return json_array_append_new(into, b) ? ENOMEM : 0;
}

static int on_tenant(const char *id, const char *body, void *arg)
{
	return keep_row(((struct dayfile *)arg)->tenants, id, body);
}

static int on_site(const char *id, const char *body, void *arg)
{
	return keep_row(((struct dayfile *)arg)->sites, id, body);
}

static int on_agent(const char *id, const char *body, void *arg)
{
	return keep_row(((struct dayfile *)arg)->agents, id, body);
}

static int on_queue(const char *id, const char *body, void *arg)
{
	return keep_row(((struct dayfile *)arg)->queues, id, body);
}

static int on_calendar(const char *id, const char *body, void *arg)
{
	return keep_row(((struct dayfile *)arg)->calendars, id, body);
}

/* Indexes the rows by id and makes the per-agent days. */
static int index_rows(struct dayfile *d)
{
	size_t na = json_array_size(d->agents);
	json_t *v;
	size_t i;

	d->a = calloc(na ? na : 1, sizeof(*d->a));
	if (!d->a)
		return ENOMEM;
	json_array_foreach(d->agents, i, v) json_object_set_new(
		d->aix, json_string_value(json_object_get(v, "id")),
		json_integer((json_int_t)i));
	json_array_foreach(d->queues, i, v) json_object_set_new(
		d->qix, json_string_value(json_object_get(v, "id")),
		json_integer((json_int_t)i));
	return 0;
}

static long index_of(const json_t *ix, const char *id)
{
	const json_t *v = id ? json_object_get(ix, id) : NULL;

	return v ? (long)json_integer_value(v) : -1;
}

/* A span of the agent in state st over [from, to) of the log. */
static void span_add(struct dayfile *d, struct aday *a, enum agent_state st,
		     int64_t from, int64_t to)
{
	if (from < d->from)
		from = d->from;
	if (to > d->to)
		to = d->to;
	if (st == AS_OFFLINE || from >= to)
		return;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 16;
		struct span *v = realloc(a->v, cap * sizeof(*v));

		if (!v) {
			d->oom = true;
			return;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] =
		(struct span){from - d->from, to - d->from, st == AS_PAUSED};
}

static void on_agent_state(struct dayfile *d, int64_t time_ms,
			   const struct engine_event *e)
{
	long i = index_of(d->aix, e->agent);

	if (i < 0)
		return;
	span_add(d, &d->a[i], e->prev_state, time_ms - e->prev_state_ms,
		 time_ms);
	d->a[i].state = e->agent_state;
	d->a[i].since = time_ms;
}

static int on_event(const struct store_event *ev, void *arg)
{
	struct dayfile *d = arg;
	struct event row;
	int err;

	/* the rows are all read: index them before the first event */
	if (!d->a && index_rows(d))
		return ENOMEM;
	err = replay_event(ev, &row);
	if (err)
		return err == ENOMEM ? ENOMEM : 0;
	if (ev->time_ms > d->last)
		d->last = ev->time_ms;
	if (row.u.engine.ev.type == EV_AGENT_STATE)
		on_agent_state(d, ev->time_ms, &row.u.engine.ev);
	else
		day_contact_event(&d->c, &row.u.engine, ev->time_ms, &d->oom);
	event_release(&row);
	return d->oom ? ENOMEM : 0;
}

/* Each queue's day from the contacts that entered it first. */
static int queue_days(struct dayfile *d)
{
	size_t nq = json_array_size(d->queues);

	d->q = calloc(nq ? nq : 1, sizeof(*d->q));
	if (!d->q)
		return ENOMEM;
	for (size_t i = 0; i < nq; i++) {
		d->q[i].talk = json_array();
		d->q[i].wrap = json_array();
		d->q[i].ring = json_array();
	}
	for (size_t i = 0; i < d->c.n; i++) {
		const struct day_contact *c = &d->c.v[i];
		long qi = index_of(d->qix, c->queue);
		struct qday *q;

		if (qi < 0)
			continue;
		q = &d->q[qi];
		d->contacts++;
		q->offered[(c->at - d->from) / SLOT_MS]++;
		if (c->waited_ms >= 0)
			q->wait_s += (double)c->waited_ms / 1000.0;
		if (c->patience_ms >= 0) {
			q->wait_s += (double)c->patience_ms / 1000.0;
			q->abandoned++;
		}
		if (c->talk_ms > 0)
			json_array_append_new(
				q->talk,
				json_real((double)c->talk_ms / 1000.0));
		if (c->ring_ms >= 0)
			json_array_append_new(
				q->ring,
				json_real((double)c->ring_ms / 1000.0));
		if (c->wrap_ms >= 0)
			json_array_append_new(
				q->wrap,
				json_real((double)c->wrap_ms / 1000.0));
	}
	return 0;
}

/* ---- the scenario ----------------------------------------------------- */

static json_t *hhmm(int64_t ms)
{
	char t[8];
	int64_t min = ms / 60000;

	snprintf(t, sizeof(t), "%02d:%02d", (int)(min / 60 % 24),
		 (int)(min % 60));
	return json_string(t);
}

static int longer(const void *x, const void *y)
{
	const struct span *a = x, *b = y;

	return (b->to - b->from > a->to - a->from) -
	       (b->to - b->from < a->to - a->from);
}

static int earlier(const void *x, const void *y)
{
	const struct span *a = x, *b = y;

	return (a->from > b->from) - (a->from < b->from);
}

/* A shift over [from, to) with the pauses among brk[0..n). */
static json_t *shift_json(int64_t from, int64_t to, struct span *brk, size_t n)
{
	json_t *breaks = json_array();

	if (n > MAX_BREAK) {
		qsort(brk, n, sizeof(*brk), longer);
		n = MAX_BREAK;
	}
	qsort(brk, n, sizeof(*brk), earlier);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(breaks,
				      json_pack("{s:o,s:o}", "start",
						hhmm(brk[i].from), "end",
						hhmm(brk[i].to)));
	return json_pack("{s:o,s:o,s:o}", "start", hhmm(from), "end",
			 to >= MS_DAY ? json_string("00:00") : hhmm(to),
			 "breaks", breaks);
}

/*
 * The agent's shifts: its spans merged where less than a minute apart,
 * outwards to whole minutes; pauses of a minute or more (rounded to the
 * minute) are breaks.
 */
static json_t *shifts_of(struct aday *a)
{
	json_t *shifts = json_array();
	struct span *brk = calloc(a->n ? a->n : 1, sizeof(*brk));
	size_t i = 0;

	if (!brk)
		return shifts;
	while (i < a->n) {
		int64_t from = a->v[i].from / 60000 * 60000, to = a->v[i].to;
		size_t nb = 0;

		for (; i < a->n && a->v[i].from - to < 60000; i++) {
			struct span b = a->v[i];
			int64_t s = (b.from + 30000) / 60000 * 60000;
			int64_t e = (b.to + 30000) / 60000 * 60000;

			if (b.paused && e - s >= 60000 && s > from)
				brk[nb++] = (struct span){s, e, true};
			to = b.to;
		}
		to = (to + 59999) / 60000 * 60000;
		if (nb && brk[nb - 1].to >= to)
			nb--; /* a pause to the end is the end */
		json_array_append_new(shifts, shift_json(from, to, brk, nb));
	}
	free(brk);
	return shifts;
}

static void copy_fields(json_t *to, const json_t *from, const char *const *keys)
{
	for (; *keys; keys++) {
		json_t *v = json_object_get(from, *keys);

		if (v && !json_is_null(v))
			json_object_set(to, *keys, v);
	}
}

static json_t *agents_json(struct dayfile *d)
{
	static const char *const keys[] = {"id",     "name",	"site",
					   "skills", "tenants", "capacity",
					   "tags",   NULL};
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(d->agents, i, v)
	{
		struct aday *a = &d->a[i];
		json_t *ag;

		/* still logged in at the end of the log */
		span_add(d, a, a->state, a->since, d->last);
		if (!a->n)
			continue;
		ag = json_object();
		copy_fields(ag, v, keys);
		json_object_set_new(ag, "shifts", shifts_of(a));
		json_array_append_new(out, ag);
	}
	return out;
}

static json_t *empirical(json_t *values, double fallback_s)
{
	if (!json_array_size(values))
		return json_pack("{s:s,s:f}", "dist", "exponential", "mean_s",
				 fallback_s);
	return json_pack("{s:s,s:O}", "dist", "empirical", "values_s", values);
}

static json_t *queues_json(struct dayfile *d)
{
	static const char *const keys[] = {"id",
					   "name",
					   "tenant",
					   "channel",
					   "priority",
					   "strategy",
					   "sl_threshold_s",
					   "steps",
					   "wrapup",
					   "wrapup_s",
					   "aht_s",
					   "last_agent",
					   "ring_max",
					   "dispositions",
					   "last_agent_wait_s",
					   "calendar",
					   "closed_action",
					   "closed_target",
					   NULL};
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(d->queues, i, v)
	{
		struct qday *q = &d->q[i];
		json_t *qj = json_object(), *arr = json_array();
		const char *w = json_string_value(json_object_get(v, "wrapup"));
		double aht =
			(double)json_integer_value(json_object_get(v, "aht_s"));

		copy_fields(qj, v, keys);
		for (int k = 0; k < NSLOTS; k++)
			json_array_append_new(arr, json_real(q->offered[k]));
		json_object_set_new(qj, "arrivals", arr);
		json_object_set_new(qj, "handle_time",
				    empirical(q->talk, aht > 0 ? aht : 180));
		if (json_array_size(q->ring))
			json_object_set_new(qj, "ring", empirical(q->ring, 0));
		if (w && !strcmp(w, "manual"))
			json_object_set_new(qj, "wrapup_time",
					    empirical(q->wrap, 30));
		if (q->abandoned)
			json_object_set_new(
				qj, "patience",
				json_pack("{s:s,s:f}", "dist", "exponential",
					  "mean_s",
					  fmax(q->wait_s / q->abandoned, 1)));
		json_array_append_new(out, qj);
	}
	return out;
}

static json_t *rows_json(const json_t *rows, const char *const *keys)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(rows, i, v)
	{
		json_t *o = json_object();

		copy_fields(o, v, keys);
		json_array_append_new(out, o);
	}
	return out;
}

static json_t *scenario_json(struct dayfile *d, const char *day,
			     const char *zone, const char *dir)
{
	static const char *const site_keys[] = {
		"id", "name", "kind", "country", "cost_per_hour", NULL};
	static const char *const calendar_keys[] = {
		"id",	    "name",	  "timezone", "weekly",
		"holidays", "exceptions", NULL};
	json_t *tenants = json_array(), *v;
	char name[200], desc[600];
	size_t i;

	json_array_foreach(d->tenants, i, v)
		json_array_append(tenants, json_object_get(v, "id"));
	snprintf(name, sizeof(name), "%s (%s), as recorded in %.120s", day,
		 zone, dir);
	snprintf(desc, sizeof(desc),
		 "Written by 'relais sim replay --write-scenario' from the "
		 "configuration and the event log of %.300s: the agents who "
		 "worked that day with their login spans as shifts, and per "
		 "queue the day's arrivals per 15 minutes, talk, ring and "
		 "wrap-up times, and patience.",
		 dir);
	return json_pack(
		"{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:o,s:o,s:o,s:o,s:o}",
		"name", name, "description", desc, "date", day, "timezone",
		zone, "start", "00:00", "end", "00:00", "interval_s",
		(int)(SLOT_MS / 1000), "replications", 10, "seed", 1, "tenants",
		tenants, "sites", rows_json(d->sites, site_keys), "calendars",
		rows_json(d->calendars, calendar_keys), "agents",
		agents_json(d), "queues", queues_json(d));
}

static void dayfile_free(struct dayfile *d)
{
	size_t nq = json_array_size(d->queues);

	for (size_t i = 0; d->a && i < json_array_size(d->agents); i++)
		free(d->a[i].v);
	for (size_t i = 0; d->q && i < nq; i++) {
		json_decref(d->q[i].talk);
		json_decref(d->q[i].wrap);
		json_decref(d->q[i].ring);
	}
	free(d->a);
	free(d->q);
	json_decref(d->tenants);
	json_decref(d->sites);
	json_decref(d->agents);
	json_decref(d->queues);
	json_decref(d->calendars);
	json_decref(d->aix);
	json_decref(d->qix);
	day_contacts_free(&d->c);
}

/*
 * The configuration, then the events: agents' states from a day before
 * (who was logged in at midnight), contacts until a day after.
 */
static int read_all(struct dayfile *d, const char *dir,
		    const struct whatif_words *w)
{
	static const char *const tables[] = {"tenants", "sites",     "agents",
					     "queues",	"calendars", NULL};
	static store_row_h *const row_h[] = {on_tenant, on_site, on_agent,
					     on_queue, on_calendar};
	struct store_event_query q = {.from_ms = d->from - MS_DAY,
				      .to_ms = d->to + MS_DAY};

	if (replay_read(dir, &q, tables, row_h, on_event, d, w))
		return 1;
	if ((!d->a && index_rows(d)) || queue_days(d)) {
		fputs("relais sim replay: out of memory\n", stderr);
		return 1;
	}
	return 0;
}

int replay_write_day(const char *dir, int64_t from_ms, const char *day,
		     const char *zone, const char *path,
		     const struct whatif_words *w)
{
	struct dayfile d = {
		.from = from_ms,
		.to = from_ms + MS_DAY,
		.tenants = json_array(),
		.sites = json_array(),
		.agents = json_array(),
		.queues = json_array(),
		.calendars = json_array(),
		.aix = json_object(),
		.qix = json_object(),
		.c = {.from = from_ms,
		      .to = from_ms + MS_DAY,
		      .index = json_object()},
	};
	json_t *sc;
	int rc = read_all(&d, dir, w);

	if (rc) {
		dayfile_free(&d);
		return rc;
	}
	sc = scenario_json(&d, day, zone, dir);
	if (!sc ||
	    json_dump_file(sc, path, JSON_INDENT(2) | JSON_REAL_PRECISION(6))) {
		rc = replay_fail(w->cannot_write, path, 1);
	} else {
		char n[3][24];

		snprintf(n[0], sizeof(n[0]), "%zu",
			 json_array_size(json_object_get(sc, "agents")));
		snprintf(n[1], sizeof(n[1]), "%zu",
			 json_array_size(json_object_get(sc, "queues")));
		snprintf(n[2], sizeof(n[2]), "%zu", d.contacts);
		msg_say(stdout, w->wrote,
			(const char *[]){path, n[0], n[1], n[2]});
	}
	json_decref(sc);
	dayfile_free(&d);
	return rc;
}
