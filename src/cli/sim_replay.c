/*
 * relais sim replay SCENARIO --day D: a real day from the event log,
 * played again under the scenario's staffing and routing.
 *
 * The day is the scenario's window (its start to its end, local time in
 * --tz) on date D. Every contact that entered a queue in that window is a
 * customer of the replay (struct sim_arrival, core/sim.h): it arrives at
 * the same instant, in the scenario's queue of the same id or name, with
 * the talk time it had; one who abandoned gives up after the wait it gave
 * up after; one who was answered is known to accept the wait it had, and
 * its patience is drawn beyond it. Agents, shifts, queues and routing are
 * the scenario's: that is the "other staffing or routing".
 *
 * Next to the replay stands the day as it was, computed from the same log
 * by the same metrics code (core/metrics.h, sim_measures()) over the same
 * contacts and with the scenario's service-level thresholds, so the two
 * columns measure the same thing.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/msg.h"
#include "cli/sim_replay.h"
#include "cli/sim_scenario.h"
#include "cli/whatif_msg.h"
#include "core/metrics.h"
#include "core/sim.h"
#include "core/tz.h"
#include "model/utctime.h"
#include "store/store.h"
#include "sys/zoneinfo.h"

#define MS_DAY 86400000LL

struct day {
	const struct scenario *s;
	int64_t from, to; /* the window, UTC ms */
	json_t *queues;	  /* log queue id -> scenario queue index */
	struct day_contacts c;
	size_t skipped;		/* contacts of queues the scenario lacks */
	struct metrics *actual; /* per scenario queue, then the agents' */
};

/* The scenario queue a log queue is, by id or by name; -1: none. */
static int on_queue(const char *id, const char *body, void *arg)
{
	struct day *d = arg;
	json_t *b = json_loads(body, 0, NULL);
	const char *name = json_string_value(json_object_get(b, "name"));

	for (size_t i = 0; i < d->s->sc.nqueues; i++) {
		const char *q = d->s->sc.queues[i].queue.id;

		if (!strcmp(q, id) || (name && !strcmp(q, name)))
			json_object_set_new(d->queues, id,
					    json_integer((json_int_t)i));
	}
	json_decref(b);
	return 0;
}

static int queue_index(const struct day *d, const char *id)
{
	const json_t *ix = id ? json_object_get(d->queues, id) : NULL;

	if (ix)
		return (int)json_integer_value(ix);
	for (size_t i = 0; id && i < d->s->sc.nqueues; i++)
		if (!strcmp(d->s->sc.queues[i].queue.id, id))
			return (int)i;
	return -1;
}

struct day_contact *day_contact_event(struct day_contacts *d,
				      const struct event_engine *ee,
				      int64_t time_ms, bool *oom)
{
	const struct engine_event *e = &ee->ev;
	enum engine_event_type t = e->type;
	const char *id = ee->contact, *queue = e->queue;
	const json_t *ix = id ? json_object_get(d->index, id) : NULL;
	struct day_contact *c;

	if (!ix) {
		if (t != EV_CONTACT_QUEUED || !id || !queue ||
		    strlen(queue) >= 40 || time_ms < d->from ||
		    time_ms >= d->to || !e->entered)
			return NULL;
		if (d->n == d->cap) {
			size_t cap = d->cap ? d->cap * 2 : 1024;
			struct day_contact *v = realloc(d->v, cap * sizeof(*v));

			if (!v) {
				*oom = true;
				return NULL;
			}
			d->v = v;
			d->cap = cap;
		}
		if (json_object_set_new(d->index, id,
					json_integer((json_int_t)d->n))) {
			*oom = true;
			return NULL;
		}
		c = &d->v[d->n++];
		*c = (struct day_contact){.at = time_ms,
					  .waited_ms = -1,
					  .patience_ms = -1,
					  .talk_ms = -1,
					  .ring_ms = -1,
					  .wrap_ms = -1};
		snprintf(c->queue, sizeof(c->queue), "%s", queue);
		return c;
	}
	c = &d->v[json_integer_value(ix)];
	if (!queue || strcmp(queue, c->queue))
		return c; /* a later queue: its customer is not learnt there */
	switch (t) {
	case EV_CONTACT_OFFERED:
		c->offered_at = time_ms;
		break;
	case EV_CONTACT_ACCEPTED:
		if (c->waited_ms < 0 && c->patience_ms < 0) {
			c->waited_ms = e->wait_ms;
			if (c->offered_at)
				c->ring_ms = time_ms - c->offered_at;
		}
		break;
	case EV_CONTACT_ENDED:
	case EV_CONTACT_COMPLETED:
		if (c->talk_ms < 0 && e->talk_ms > 0)
			c->talk_ms = e->talk_ms;
		if (t == EV_CONTACT_COMPLETED && c->wrap_ms < 0)
			c->wrap_ms = e->wrap_ms;
		break;
	case EV_CONTACT_ABANDONED:
		if (c->waited_ms < 0 && c->patience_ms < 0)
			c->patience_ms = e->wait_ms;
		break;
	default:
		break;
	}
	return c;
}

void day_contacts_free(struct day_contacts *d)
{
	json_decref(d->index);
	free(d->v);
}

int replay_event(const struct store_event *ev, struct event *out)
{
	enum event_type t;
	char msg[160];
	int err;

	if (!event_type_parse(ev->type, &t) || t >= EVENT_ENGINE_MAX)
		return ENOENT; /* before parsing: most rows are not the engine's
				*/
	err = event_parse(out, ev->type, ev->data, msg, sizeof(msg));
	return err == EINVAL ? ENOENT : err;
}

/* An agent's span in its previous state, clipped to the window. */
static void agent_span(struct day *d, int64_t time_ms,
		       const struct engine_event *e)
{
	int64_t end = time_ms < d->to ? time_ms : d->to;
	int64_t start = time_ms - e->prev_state_ms;

	if (start < d->from)
		start = d->from;
	if (start < end)
		metrics_agent_time(&d->actual[d->s->sc.nqueues], e->prev_state,
				   end - start);
}

static int on_event(const struct store_event *ev, void *arg)
{
	struct day *d = arg;
	const struct day_contact *c;
	const struct engine_event *e;
	struct event row;
	bool oom = false;
	int qi, err = replay_event(ev, &row);

	if (err)
		return err == ENOMEM ? ENOMEM : 0;
	e = &row.u.engine.ev;
	if (e->type == EV_AGENT_STATE) {
		agent_span(d, ev->time_ms, e);
		event_release(&row);
		return 0;
	}
	c = day_contact_event(&d->c, &row.u.engine, ev->time_ms, &oom);
	qi = queue_index(d, e->queue);
	/* the day as it was: the contacts the replay plays, in its queues */
	if (c && qi >= 0 && queue_index(d, c->queue) >= 0)
		metrics_on_event(&d->actual[qi], e->type, e->entered,
				 e->wait_ms, e->talk_ms, e->wrap_ms,
				 d->s->sc.queues[qi].queue.sl_threshold_ms);
	event_release(&row);
	return oom ? ENOMEM : 0;
}

/* ---- the day's window ---------------------------------------------------- */

/* YYYY-MM-DD to days since 1970-01-01; -1 if it is not a date. */
int64_t replay_parse_day(const char *s)
{
	int y, m, dd, n = 0, y2, m2, d2;
	int64_t days;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%n", &y, &m, &dd, &n) != 3 || n != 10 ||
	    y < 1970 || m < 1 || m > 12 || dd < 1 || dd > 31)
		return -1;
	days = tz_days_from_civil(y, m, dd);
	tz_civil_from_days(days, &y2, &m2, &d2);
	return m2 == m && d2 == dd ? days : -1; /* not 2026-02-30 */
}

/* The UTC instant of a local time (the offset in force then). */
int64_t replay_local_ms(const struct tz *tz, int64_t local_s)
{
	int64_t utc = local_s - tz_offset(tz, local_s);

	utc = local_s - tz_offset(tz, utc);
	return utc * 1000;
}

/* ---- output ----------------------------------------------------------------
 */

static const enum sim_measure shown[] = {
	SIM_OFFERED, SIM_SERVICE_LEVEL, SIM_ABANDON_RATE,     SIM_ASA,
	SIM_AHT,     SIM_OCCUPANCY,	SIM_COST_PER_CONTACT,
};

#define NSHOWN (sizeof(shown) / sizeof(shown[0]))

struct out {
	const struct whatif_words *w;
	const struct day *d;
	const struct sim_result *r;
	json_t *rows;
	bool text;
};

static void cell(char *buf, size_t size, double v, char decimal)
{
	char *p;

	if (v < 0) {
		snprintf(buf, size, "-");
		return;
	}
	snprintf(buf, size, v >= 100 ? "%.1f" : "%.4f", v);
	if (decimal != '.' && (p = strchr(buf, '.')))
		*p = decimal;
}

/* One group: the centre (g == SIM_G_ALL) or a queue. */
static void rows_of(struct out *o, enum sim_group g, size_t i,
		    const struct metrics *m)
{
	const struct sim_row *row =
		sim_row(o->r, o->r->nintervals, g, g == SIM_G_ALL ? 0 : i);
	const struct scenario *sc = o->d->s;
	const char *id = g == SIM_G_ALL ? "centre" : sc->sc.queues[i].queue.id;
	const char *label =
		g == SIM_G_ALL || !sc->queue_names[i] ? id : sc->queue_names[i];
	double v[SIM_M_MAX];

	sim_measures(m, 0, 0, o->d->to - o->d->from, g == SIM_G_ALL, v);
	for (size_t k = 0; k < NSHOWN; k++) {
		enum sim_measure x = shown[k];
		struct sim_stat st = row->m[x];
		double actual = x == SIM_COST_PER_CONTACT ? -1 : v[x];
		char a[24], b[24], h[24];

		if (!st.n && actual < 0)
			continue;
		if (o->text) {
			cell(a, sizeof(a), actual, o->w->decimal);
			cell(b, sizeof(b), st.n ? st.mean : -1, o->w->decimal);
			cell(h, sizeof(h), st.ci95, o->w->decimal);
			printf("%-22.22s %-18s %12s %12s ±%s\n", label,
			       sim_measure_name(x), a, b, st.n > 1 ? h : "-");
		}
		json_array_append_new(
			o->rows,
			json_pack("{s:s,s:s,s:s,s:s,s:o,s:{s:o,s:o}}", "group",
				  g == SIM_G_ALL ? "centre" : "queue", "id", id,
				  "name", label, "measure", sim_measure_name(x),
				  "actual",
				  actual < 0 ? json_null() : json_real(actual),
				  "replayed", "mean",
				  st.n ? json_real(st.mean) : json_null(),
				  "ci95",
				  st.n > 1 ? json_real(st.ci95) : json_null()));
	}
}

static void print(struct out *o, const char *day, const char *zone,
		  unsigned reps, uint64_t seed)
{
	const struct day *d = o->d;
	size_t nq = d->s->sc.nqueues;
	struct metrics all = d->actual[nq];
	char from[32], to[32], n[2][24];

	for (size_t i = 0; i < nq; i++)
		metrics_add(&all, &d->actual[i]);
	if (o->text) {
		snprintf(n[0], sizeof(n[0]), "%zu", d->c.n - d->skipped);
		snprintf(n[1], sizeof(n[1]), "%zu", d->skipped);
		msg_say(stdout, o->w->replay_title,
			(const char *[]){
				day, zone, utctime_format(d->from, from, 32),
				utctime_format(d->to, to, 32), d->s->name});
		msg_say(stdout, o->w->replay_count,
			(const char *[]){n[0], n[1]});
		snprintf(n[0], sizeof(n[0]), "%u", reps);
		snprintf(n[1], sizeof(n[1]), "%llu", (unsigned long long)seed);
		msg_say(stdout, o->w->replay_reps,
			(const char *[]){n[0], n[1]});
		printf("%-22s %-18s %12s %22s\n", "", o->w->measure,
		       o->w->actual, o->w->replayed);
	}
	rows_of(o, SIM_G_ALL, 0, &all);
	for (size_t i = 0; i < nq; i++)
		rows_of(o, SIM_G_QUEUE, i, &d->actual[i]);
	if (o->text) {
		fputs(o->w->actual_only, stdout);
	} else {
		json_t *j = json_pack(
			"{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:i,s:I,s:O}", "day", day,
			"tz", zone, "from", utctime_format(d->from, from, 32),
			"to", utctime_format(d->to, to, 32), "scenario",
			d->s->name, "contacts",
			(json_int_t)(d->c.n - d->skipped), "skipped",
			(json_int_t)d->skipped, "reps", (int)reps, "seed",
			(json_int_t)seed, "rows", o->rows);
		char *text =
			json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(10));

		puts(text ? text : "{}");
		free(text);
		json_decref(j);
	}
}

/* ---- the command ----------------------------------------------------------
 */

struct args {
	const char *scenario, *day, *dir, *zone, *write;
	long reps, seed;
	bool json;
};

int replay_fail(const char *tmpl, const char *arg, int rc)
{
	fputs("relais sim replay: ", stderr);
	msg_say(stderr, tmpl, (const char *[]){arg});
	fputc('\n', stderr);
	return rc;
}

static int parse(int argc, char **argv, const struct whatif_words *w,
		 struct args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			fputs(w->replay_usage, stdout);
			return -1;
		}
		if (!strcmp(o, "--json")) {
			a->json = true;
			continue;
		}
		if (o[0] != '-') {
			if (a->scenario)
				return replay_fail(w->unexpected, o, 2);
			a->scenario = o;
			continue;
		}
		if (!v)
			break;
		i++;
		if (!strcmp(o, "--day"))
			a->day = v;
		else if (!strcmp(o, "--data"))
			a->dir = v;
		else if (!strcmp(o, "--tz"))
			a->zone = v;
		else if (!strcmp(o, "--write-scenario"))
			a->write = v;
		else if (!strcmp(o, "--lang"))
			;
		else if (!strcmp(o, "--reps") || !strcmp(o, "--seed")) {
			long x = strtol(v, &end, 10);

			if (*end || !*v || x < (o[2] == 'r' ? 1 : 0) ||
			    x > 1000000)
				return replay_fail(w->whole_number, o, 2);
			*(o[2] == 'r' ? &a->reps : &a->seed) = x;
		} else {
			return replay_fail(w->unexpected, o, 2);
		}
	}
	if (!a->day || !a->scenario == !a->write) {
		fputs(w->replay_usage, stderr);
		return 2;
	}
	return 0;
}

struct tz *replay_zone(const char *name)
{
	struct tz *tz = NULL;

	if (!strcmp(name, "UTC")) {
		if (tz_parse_posix(&tz, "UTC0"))
			return NULL;
		return tz;
	}
	return zoneinfo_load(&tz, name) ? NULL : tz;
}

int replay_read(const char *dir, const struct store_event_query *q,
		const char *const *tables, store_row_h *const *row_h,
		store_event_h *ev_h, void *arg, const struct whatif_words *w)
{
	struct store *st;
	char path[512], msg[256];
	int err = 0;

	snprintf(path, sizeof(path), "%s/relais.db", dir);
	if (access(path, R_OK))
		return replay_fail(w->no_data, dir, 1);
	if (store_sqlite_open(&st, dir, false, msg, sizeof(msg))) {
		fprintf(stderr, "relais sim replay: %s\n", msg);
		return 1;
	}
	for (size_t i = 0; !err && tables[i]; i++)
		err = st->ops->rows(st, tables[i], row_h[i], arg);
	if (!err)
		err = st->ops->events(st, q, ev_h, arg);
	st->ops->close(st);
	if (err == ENOMEM) {
		fputs("relais sim replay: out of memory\n", stderr);
		return 1;
	}
	return err ? replay_fail(w->unreadable, dir, 1) : 0;
}

/* Reads the day from the folder; 0, or 1 with the message printed. */
static int read_day(struct day *d, const char *dir,
		    const struct whatif_words *w)
{
	static const char *const tables[] = {"queues", NULL};
	static store_row_h *const row_h[] = {on_queue};
	/*
	 * From the window's start (an agent's span that began before it
	 * ends with an event inside), and contacts of the day are followed
	 * until they leave, a day later.
	 */
	struct store_event_query q = {.from_ms = d->from,
				      .to_ms = d->to + MS_DAY};

	if (replay_read(dir, &q, tables, row_h, on_event, d, w))
		return 1;
	for (size_t i = 0; i < d->c.n; i++)
		d->skipped += queue_index(d, d->c.v[i].queue) < 0;
	return 0;
}

static int arrival_cmp(const void *x, const void *y)
{
	const struct sim_arrival *a = x, *b = y;

	return (a->at_ms > b->at_ms) - (a->at_ms < b->at_ms);
}

/*
 * The customers of each queue, in time order, replace the scenario's
 * rates (a queue nobody entered that day gets none). The arrays live in
 * traces[] (freed by the caller).
 */
static int set_traces(struct day *d, struct scenario *s,
		      struct sim_arrival **traces)
{
	static const double none = 0;
	struct sim_queue *queues = (struct sim_queue *)s->sc.queues;
	size_t *n = calloc(s->sc.nqueues, sizeof(*n));

	if (!n)
		return ENOMEM;
	for (size_t i = 0; i < d->c.n; i++) {
		int qi = queue_index(d, d->c.v[i].queue);

		if (qi >= 0)
			n[qi]++;
	}
	for (size_t i = 0; i < s->sc.nqueues; i++) {
		traces[i] = calloc(n[i] ? n[i] : 1, sizeof(*traces[i]));
		if (!traces[i]) {
			free(n);
			return ENOMEM;
		}
		queues[i].trace = traces[i];
		queues[i].ntrace = 0;
		queues[i].arrivals = &none;
		queues[i].narrivals = 1;
	}
	for (size_t i = 0; i < d->c.n; i++) {
		const struct day_contact *c = &d->c.v[i];
		int qi = queue_index(d, c->queue);

		if (qi >= 0)
			traces[qi][queues[qi].ntrace++] = (struct sim_arrival){
				.at_ms = c->at - d->from,
				.talk_ms = c->talk_ms,
				.patience_ms = c->patience_ms,
				.waited_ms =
					c->waited_ms > 0 ? c->waited_ms : 0,
			};
	}
	for (size_t i = 0; i < s->sc.nqueues; i++)
		qsort(traces[i], queues[i].ntrace, sizeof(*traces[i]),
		      arrival_cmp);
	free(n);
	return 0;
}

static int replay(const struct whatif_words *w, const struct args *a,
		  struct scenario *s, struct day *d)
{
	struct sim_arrival **traces = calloc(s->sc.nqueues, sizeof(*traces));
	struct sim_options opt = {
		.reps = a->reps ? (unsigned)a->reps : s->reps,
		.seed = a->seed >= 0 ? (uint64_t)a->seed : s->seed,
	};
	struct out o = {w, d, NULL, json_array(), !a->json};
	struct sim_result r;
	struct sim_error err;
	int rc = 1;

	if (!traces || set_traces(d, s, traces)) {
		fputs("relais sim replay: out of memory\n", stderr);
	} else if (sim_run(&s->sc, &opt, &r, &err)) {
		fprintf(stderr, "relais sim replay: %s\n", err.msg);
	} else {
		o.r = &r;
		print(&o, a->day, a->zone, opt.reps, opt.seed);
		if (r.errors)
			fprintf(stderr,
				"relais sim replay: %llu engine commands "
				"refused\n",
				(unsigned long long)r.errors);
		sim_result_free(&r);
		rc = 0;
	}
	for (size_t i = 0; traces && i < s->sc.nqueues; i++)
		free(traces[i]);
	free(traces);
	json_decref(o.rows);
	return rc;
}

int cli_sim_replay(int argc, char **argv)
{
	struct whatif_words words;
	const struct whatif_words *w = &words;
	struct args a = {.dir = "./var", .zone = "UTC", .seed = -1};
	struct scenario *s = NULL;
	struct day d = {0};
	struct tz *tz;
	char msg[512];
	int64_t day;
	int rc;

	whatif_words_load(&words, argc, argv);
	rc = parse(argc, argv, w, &a);
	if (rc)
		return rc < 0 ? 0 : rc;
	day = replay_parse_day(a.day);
	if (day < 0)
		return replay_fail(w->bad_day, a.day, 2);
	tz = replay_zone(a.zone);
	if (!tz)
		return replay_fail(w->bad_zone, a.zone, 2);
	if (a.write) {
		int64_t from = replay_local_ms(tz, day * 86400);

		tz_free(tz);
		return replay_write_day(a.dir, from, a.day, a.zone, a.write, w);
	}
	if (scenario_load(&s, a.scenario, msg, sizeof(msg))) {
		fprintf(stderr, "relais sim replay: %s\n", msg);
		tz_free(tz);
		return 1;
	}
	d.s = s;
	d.from = replay_local_ms(tz, day * 86400 + s->start_min * 60LL);
	d.to = d.from + s->sc.duration_ms;
	tz_free(tz);
	s->sc.wall_ms = d.from;
	s->sc.warmup_ms = 0;
	d.queues = json_object();
	d.c = (struct day_contacts){
		.from = d.from, .to = d.to, .index = json_object()};
	d.actual = calloc(s->sc.nqueues + 1, sizeof(*d.actual));
	if (!d.actual) {
		fputs("relais sim replay: out of memory\n", stderr);
		rc = 1;
	} else {
		rc = read_day(&d, a.dir, w);
	}
	if (!rc && d.c.n == d.skipped) {
		msg_say(stderr, w->no_match, (const char *[]){a.day, a.zone});
		fputc('\n', stderr);
		rc = 1;
	}
	if (!rc)
		rc = replay(w, &a, s, &d);
	json_decref(d.queues);
	day_contacts_free(&d.c);
	free(d.actual);
	scenario_free(s);
	return rc;
}
