/*
 * Reports read from the event log on the store's thread: the interval
 * report (GET /api/v1/reports/intervals, as JSON, CSV or an XLSX
 * workbook) and an agent's
 * own figures today (GET /api/v1/agents/{id}/figures), which is the same
 * report by agent over one interval.
 *
 * A server module (reports_module) with routes only: it keeps no state.
 * The loop copies what the worker needs (names, thresholds, the caller's
 * tenants) before the query leaves, so the worker never reads the
 * configuration. The cost is one pass over the events of [from, to) of
 * the caller's tenants, and a row per interval and key.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/utctime.h"
#include "model/config.h"
#include "server/libre.h"

#include "lang/lang.h"
#include "model/event.h"
#include "server/auth.h"
#include "server/csvfile.h"
#include "server/module.h"
#include "server/objects.h"
#include "server/query.h"
#include "server/reports.h"
#include "server/srv.h"
#include "server/stats.h"
#include "server/xlsx.h"

enum group { G_QUEUE, G_AGENT, G_TENANT, G_SITE };

struct row {
	int64_t start;
	char key[40];
	struct metrics m;
};

enum report_format { F_JSON, F_CSV, F_XLSX };

struct report {
	enum group group;
	enum report_format format;
	int64_t from, to, step;
	const char *lang; /* the caller's (static), for the workbook's words */
	const char *dir;  /* the data folder (the server's), for its file */
	char *xlsx;	  /* the workbook made by the worker (malloc'd) */
	size_t xlsx_len;
	int xlsx_err;
	json_t *names; /* key -> display name */
	json_t *sl;    /* queue -> threshold ms */
	json_t *index; /* "start key" -> row index */
	struct row *rows;
	size_t n, cap;
	bool oom;
};

static const char *const group_names[] = {"queue", "agent", "tenant", "site"};
static const char *const format_names[] = {"json", "csv", "xlsx"};
static const char *const step_names[] = {"15m", "30m", "1h", "1d"};
static const int64_t step_ms[] = {900000, 1800000, 3600000, 86400000};

static int report_xlsx(struct report *rp, const json_t *rows);

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

/*
 * The row of an event's interval and of its key in the report's grouping
 * (queue, agent, tenant or site), or NULL.
 */
static struct row *event_row(struct report *rp, const struct store_event *ev,
			     const char *queue, const char *agent,
			     const char *site)
{
	const char *key = rp->group == G_QUEUE	  ? queue
			  : rp->group == G_AGENT  ? agent
			  : rp->group == G_TENANT ? ev->tenant
						  : site;
	int64_t start =
		rp->from + (ev->time_ms - rp->from) / rp->step * rp->step;

	return key && strlen(key) < 40 ? report_row(rp, start, key) : NULL;
}

/* A contact's event into the row of its interval and key. */
static void report_contact(struct report *rp, const struct store_event *ev,
			   const struct engine_event *e)
{
	struct row *row = event_row(rp, ev, e->queue, e->agent, e->site);

	if (row)
		metrics_on_event(&row->m, e->type, e->entered, e->wait_ms,
				 e->talk_ms, e->wrap_ms,
				 e->queue ? jv_int(rp->sl, e->queue, 20000)
					  : 20000);
}

/* A customer's rating into the row of its interval and key. */
static void report_csat(struct report *rp, const struct store_event *ev,
			const struct event_contact_csat *e)
{
	struct row *row = event_row(rp, ev, e->queue, e->agent, e->site);

	if (row)
		metrics_csat(&row->m, e->score);
}

/* The engine's rows and the ratings, decoded by the event codec;
 * damaged ones are left out. */
static int report_event(const struct store_event *ev, void *arg)
{
	struct report *rp = arg;
	const struct engine_event *e;
	enum event_type t;
	struct event row;
	char msg[160];
	int err;

	if (!event_type_parse(ev->type, &t) ||
	    (t >= EVENT_ENGINE_MAX && t != EVENT_CONTACT_CSAT))
		return 0;
	err = event_parse(&row, ev->type, ev->data, msg, sizeof(msg));
	if (err)
		return err == ENOMEM ? ENOMEM : 0;
	e = &row.u.engine.ev;
	if (t == EVENT_CONTACT_CSAT)
		report_csat(rp, ev, &row.u.csat);
	else if (e->type != EV_AGENT_STATE)
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

static json_t *row_figures(const struct report *rp, const struct row *row)
{
	const struct metrics *m = &row->m;
	char t[32];

	return json_pack(
		"{s:s,s:s,s:s?,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:o,s:o,s:o,s:o,s:o,"
		"s:o,s:i,s:o,s:o}",
		"start", utctime_format(row->start, t, sizeof(t)), "key",
		row->key, "name", jv_str(rp->names, row->key), "offered",
		(int)m->offered, "answered", (int)m->answered, "handled",
		(int)m->handled, "abandoned", (int)m->abandoned,
		"short_abandoned", (int)m->short_abandoned,
		"answered_in_threshold", (int)m->answered_in_sl,
		"abandoned_after_threshold", (int)m->abandoned_after_sl,
		"service_level", stats_num(metrics_service_level(m, 0), 1000),
		"asa_s", stats_num(metrics_asa_s(m), 10), "avg_wait_s",
		stats_num(metrics_avg_wait_s(m), 10), "max_wait_s",
		json_real(round((double)m->wait_max_ms / 100.0) / 10.0),
		"aht_s", stats_num(metrics_aht_s(m), 10), "avg_abandon_s",
		stats_num(metrics_avg_abandon_s(m), 10), "transfers",
		(int)m->transfers, "occupancy",
		stats_num(metrics_occupancy(m), 1000), "utilisation",
		stats_num(metrics_utilisation(m), 1000));
}

static json_t *row_json(const struct report *rp, const struct row *row)
{
	json_t *v = row_figures(rp, row);

	stats_csat_set(v, &row->m);
	return v;
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
	if (!q->err && rp->format == F_XLSX)
		rp->xlsx_err = report_xlsx(rp, rows);
}

/*
 * The columns of the report's files, in order: the CSV's header names
 * them as the JSON does; the workbook's header says them in the caller's
 * language (ui.reports.col.<name>, the page's words too).
 */
static const struct xlsx_col report_cols[] = {
	{.field = "start", .kind = XLSX_TIME, .width = 17},
	{.field = "key", .kind = XLSX_TEXT, .width = 12},
	{.field = "name", .kind = XLSX_TEXT, .width = 24},
	{.field = "offered", .kind = XLSX_NUMBER, .width = 10},
	{.field = "answered", .kind = XLSX_NUMBER, .width = 10},
	{.field = "handled", .kind = XLSX_NUMBER, .width = 10},
	{.field = "abandoned", .kind = XLSX_NUMBER, .width = 10},
	{.field = "short_abandoned", .kind = XLSX_NUMBER, .width = 12},
	{.field = "answered_in_threshold", .kind = XLSX_NUMBER, .width = 14},
	{.field = "abandoned_after_threshold",
	 .kind = XLSX_NUMBER,
	 .width = 14},
	{.field = "service_level", .kind = XLSX_PERCENT, .width = 12},
	{.field = "asa_s", .kind = XLSX_NUMBER, .width = 10},
	{.field = "avg_wait_s", .kind = XLSX_NUMBER, .width = 12},
	{.field = "max_wait_s", .kind = XLSX_NUMBER, .width = 12},
	{.field = "aht_s", .kind = XLSX_NUMBER, .width = 10},
	{.field = "avg_abandon_s", .kind = XLSX_NUMBER, .width = 14},
	{.field = "transfers", .kind = XLSX_NUMBER, .width = 10},
	{.field = "occupancy", .kind = XLSX_PERCENT, .width = 11},
	{.field = "utilisation", .kind = XLSX_PERCENT, .width = 11},
	{.field = "csat_count", .kind = XLSX_NUMBER, .width = 10},
	{.field = "csat_avg", .kind = XLSX_NUMBER, .width = 10},
	{.field = "csat_satisfied_pct", .kind = XLSX_NUMBER, .width = 12},
};

#define NCOLS (sizeof(report_cols) / sizeof(report_cols[0]))

/*
 * A file of the report, to save: its name says what it holds
 * (relais-report-queue-15m-2026-11-29.xlsx, the day of from in UTC).
 */
static void report_file(struct hreq *r, const struct report *rp,
			const char *ctype, const char *ext, const char *body,
			size_t len)
{
	char head[160], day[32];
	size_t i = 0;

	while (i < 3 && step_ms[i] != rp->step)
		i++;
	utctime_format(rp->from, day, sizeof(day));
	day[10] = '\0';
	snprintf(head, sizeof(head),
		 "Content-Disposition: attachment; "
		 "filename=\"relais-report-%s-%s-%s.%s\"\r\n",
		 group_names[rp->group], step_names[i], day, ext);
	web_file(r, 200, ctype, body, len, head, false);
}

/* On the store's thread: the rows as a workbook, words in rp->lang. */
static int report_xlsx(struct report *rp, const json_t *rows)
{
	struct xlsx_col cols[NCOLS];
	char id[64];

	for (size_t c = 0; c < NCOLS; c++) {
		cols[c] = report_cols[c];
		snprintf(id, sizeof(id), "ui.reports.col.%s", cols[c].field);
		cols[c].title = lang_get(rp->lang, id);
	}
	return xlsx_table(&rp->xlsx, &rp->xlsx_len, rp->dir,
			  lang_get(rp->lang, "ui.reports.title"), cols, NCOLS,
			  rows);
}

/* The rows as a CSV file (csvfile.h): its header names the columns as the
 * JSON does. */
static void report_csv(struct hreq *r, const struct report *rp,
		       const json_t *rows)
{
	struct mbuf *mb = mbuf_alloc(4096);
	const char *cols[NCOLS];

	for (size_t c = 0; c < NCOLS; c++)
		cols[c] = report_cols[c].field;
	if (!mb || csvfile_write(mb, cols, NCOLS, rows))
		web_error(r, 500, "internal", "out of memory");
	else
		report_file(r, rp, "text/csv; charset=utf-8", "csv",
			    (const char *)mb->buf, mb->end);
	mem_deref(mb);
}

static void report_finish_free(struct report *rp)
{
	json_decref(rp->names);
	json_decref(rp->sl);
	json_decref(rp->index);
	free(rp->rows);
	free(rp->xlsx);
	free(rp);
}

/* The rows in the format asked for. */
static void report_answer(struct hreq *r, const struct report *rp, json_t *rows)
{
	char f[32], t[32];

	if (rp->format == F_CSV)
		report_csv(r, rp, rows);
	else if (rp->format == F_XLSX && rp->xlsx_err)
		web_error(r, 500, "internal", "xlsx: %s",
			  strerror(rp->xlsx_err));
	else if (rp->format == F_XLSX)
		report_file(r, rp,
			    "application/vnd.openxmlformats-officedocument."
			    "spreadsheetml.sheet",
			    "xlsx", rp->xlsx, rp->xlsx_len);
	else
		web_json(r, 200,
			 json_pack("{s:s,s:s,s:I,s:s,s:O}", "from",
				   utctime_format(rp->from, f, sizeof(f)), "to",
				   utctime_format(rp->to, t, sizeof(t)),
				   "interval_s", (json_int_t)(rp->step / 1000),
				   "group", group_names[rp->group], "rows",
				   rows));
}

static void report_finish(struct query *q)
{
	struct report *rp = q->arg;

	if (!query_failed(q))
		report_answer(q->r, rp, q->result);
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
	for (i = 0; v && i < 4 && strcmp(step_names[i], v); i++)
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
	v = web_query(r, "format", buf, sizeof(buf));
	for (i = 0; v && i < 3 && strcmp(format_names[i], v); i++)
		;
	if (v && i == 3) {
		web_error(r, 400, "invalid_field",
			  "format: expected json, csv or xlsx");
		return false;
	}
	rp->format = v ? (enum report_format)i : r->csv ? F_CSV : F_JSON;
	if (r->user->role == ROLE_CLIENT &&
	    (rp->group == G_AGENT || rp->group == G_SITE)) {
		web_forbidden(r);
		return false;
	}
	return true;
}

/*
 * The query's scope becomes the one tenant t. NULL tenants would mean
 * every tenant: a failed allocation must not widen the scope (ENOMEM).
 */
static int scope_one(struct query *q, const char *t)
{
	char **one = calloc(2, sizeof(char *));

	if (!one || !(one[0] = strdup(t))) {
		free(one);
		return ENOMEM;
	}
	auth_tenants_free(q->tenants, q->ntenants);
	q->tenants = one;
	q->ntenants = 1;
	return 0;
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
		if (scope_one(q, t)) {
			query_free(q);
			free(rp);
			web_error(r, 500, "internal", "out of memory");
			return;
		}
	}
	if (r->bad_param[0]) {
		/* a parameter too long: web_text() answers its 400 */
		query_free(q);
		free(rp);
		web_text(r, 400, "text/plain", "", 0);
		return;
	}
	rp->lang = r->lang;
	rp->dir = r->srv->cfg.data_dir;
	report_snapshot(r->srv, rp);
	q->arg = rp;
	q->run = report_run;
	q->finish = report_finish;
	query_submit(q);
}

/* ---- an agent's own figures today ---- */

/* Today's service level of each queue the agent serves. */
static json_t *figures_queues(struct srv *s, const json_t *agent, int64_t now)
{
	struct kindset *set = obj_set(s, K_QUEUES);
	json_t *out = json_array();

	for (size_t i = 0; i < set->n; i++) {
		const json_t *b = set->list[i]->body;
		const struct metrics *m;

		if (!config_agent_serves(agent, jv_str(b, "tenant"),
					 jv_str(b, "channel")))
			continue;
		m = stats_queue_today(s, set->list[i]->id, jv_str(b, "tenant"),
				      now);
		json_array_append_new(
			out,
			json_pack("{s:s,s:s,s:o,s:i}", "id", set->list[i]->id,
				  "name", jv_str(b, "name"), "service_level",
				  stats_num(metrics_service_level(m, 0), 1000),
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
		web_json(q->r, 200,
			 json_pack(
				 "{s:s,s:s,s:i,s:o,s:o,s:o}", "agent", id,
				 "since",
				 utctime_format(rp->from, f, sizeof(f)),
				 "handled", (int)m.handled, "aht_s",
				 stats_num(metrics_aht_s(&m), 10), "occupancy",
				 stats_num(metrics_occupancy(&m), 1000),
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
	rp->from = tenant ? stats_day_start(s, tenant, rp->to - 1)
			  : rp->to - 1 - (rp->to - 1) % 86400000;
	rp->step = rp->to - rp->from;
	report_snapshot(s, rp);
	snprintf(q->strs[0], sizeof(q->strs[0]), "%s", a->id);
	q->arg = rp;
	q->run = report_run;
	q->finish = figures_finish;
	query_submit(q);
}

static const struct route reports_routes[] = {
	{.method = "GET",
	 .pattern = "/api/v1/reports/intervals",
	 .h = api_reports_intervals,
	 .roles = R_ADMIN | R_SUPERVISOR | R_CLIENT},
	{.method = "GET",
	 .pattern = "/api/v1/agents/{id}/figures",
	 .h = api_agent_figures,
	 .roles = R_ADMIN | R_SUPERVISOR | R_AGENT},
	{.method = NULL},
};

const struct srv_module reports_module = {
	.name = "reports",
	.routes = reports_routes,
};
