/*
 * sim_scenario.c — the scenario file. The JSON is checked against field
 * tables (model/jv.h, the same checker and messages as the HTTP API, and
 * model/config.h, the API's shapes: a queue takes the API's Queue fields
 * plus the simulator's own), then
 * turned into a struct sim_scenario whose strings point into the parsed
 * document, and finally checked by sim_check(), which configures a real
 * engine from it.
 *
 * jv has no "array of numbers" type: arrivals and empirical samples are
 * read first, each value checked, and replaced by null in the document so
 * that the tables can accept them. A tenant may be the API's Tenant with
 * an id, or only its id: a string becomes {"id": ...} first.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/sim_scenario.h"
#include "core/forecast_csv.h"
#include "core/tz.h"
#include "model/calendar_json.h"
#include "model/config.h"
#include "model/jv.h"
#include "model/queue_json.h"
#include "sys/zoneinfo.h"
#include "sys/readfile.h"

#define NDISTS 4

struct qside {
	double *arrivals;
	size_t narrivals;
	bool constant; /* "arrivals": one number */
	double *values[NDISTS];
	size_t nvalues[NDISTS];
};

struct scenario_mem {
	json_t *root;
	void **blocks;
	size_t n, cap;
	struct qside *side;
	struct engine_config cfg;
};

static const char *const dist_fields_names[NDISTS] = {"handle_time", "patience",
						      "ring", "wrapup_time"};

/* ---- field tables ---------------------------------------------------- */

static const char *const dists[] = {"none",	 "constant",  "exponential",
				    "lognormal", "empirical", NULL};

static const struct jv_field engine_fields[] = {
	{"priority_point_s", JV_INT, 0, 1, 86400, NULL, NULL},
	{"offer_timeout_s", JV_INT, 0, 1, 3600, NULL, NULL},
	{"reject_delay_s", JV_INT, 0, 0, 3600, NULL, NULL},
	{"auto_pause_misses", JV_INT, 0, 0, 100, NULL, NULL},
	JV_END,
};

/*
 * The configuration takes model/config.h's shapes with an id of the
 * scenario's choosing, which the other objects refer to, and a name that
 * may be left out.
 */
#define ID_NAME                                            \
	{"id", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL}, \
	{                                                  \
		"name", JV_STRING, 0, 0, 200, NULL, NULL   \
	}

static const struct jv_field tenant_fields[] = {
	ID_NAME,
	JV_FIELDS(config_tenant_fields),
	JV_END,
};

static const struct jv_field site_fields[] = {
	ID_NAME,
	JV_FIELDS(config_site_fields),
	JV_END,
};

static const struct jv_field break_fields[] = {
	{"start", JV_STRING, JV_REQUIRED, 5, 5, NULL, NULL},
	{"end", JV_STRING, JV_REQUIRED, 5, 5, NULL, NULL},
	JV_END,
};

static const struct jv_field shift_fields[] = {
	{"start", JV_STRING, JV_REQUIRED, 5, 5, NULL, NULL},
	{"end", JV_STRING, JV_REQUIRED, 5, 5, NULL, NULL},
	{"count", JV_INT, 0, 1, 100000, NULL, NULL},
	{"breaks", JV_ARRAY, 0, 0, 10, NULL, break_fields},
	JV_END,
};

static const struct jv_field agent_fields[] = {
	ID_NAME,
	JV_FIELDS(config_agent_fields),
	{"count", JV_INT, 0, 1, 100000, NULL, NULL},
	{"shifts", JV_ARRAY, 0, 0, 100, NULL, shift_fields},
	JV_END,
};

static const struct jv_field dist_fields[] = {
	{"dist", JV_STRING, JV_REQUIRED, 0, 0, dists, NULL},
	{"mean_s", JV_NUMBER, 0, 0, 7 * 86400, NULL, NULL},
	{"sd_s", JV_NUMBER, 0, 0, 1e9, NULL, NULL},
	{"values_s", JV_NUMBER, JV_NULLABLE, 0, 0, NULL, NULL},
	JV_END,
};

static const struct jv_field queue_fields[] = {
	ID_NAME,
	JV_FIELDS(config_queue_fields),
	/* the simulator's */
	{"arrivals", JV_NUMBER, JV_NULLABLE, 0, 1e7, NULL, NULL},
	{"handle_time", JV_SUBOBJECT, 0, 0, 0, NULL, dist_fields},
	{"patience", JV_SUBOBJECT, JV_NULLABLE, 0, 0, NULL, dist_fields},
	{"ring", JV_SUBOBJECT, JV_NULLABLE, 0, 0, NULL, dist_fields},
	{"wrapup_time", JV_SUBOBJECT, JV_NULLABLE, 0, 0, NULL, dist_fields},
	{"callback_take_up", JV_NUMBER, 0, 0, 1, NULL, NULL},
	JV_END,
};

static const struct jv_field calendar_fields[] = {
	ID_NAME,
	JV_FIELDS(config_calendar_fields),
	JV_END,
};

/* Not simulated: the demo centre's file gives them to `relais serve`. */
static const struct jv_field skill_fields[] = {
	JV_FIELDS(config_skill_fields),
	JV_END,
};

static const struct jv_field disposition_fields[] = {
	JV_FIELDS(config_disposition_fields),
	JV_END,
};

static const struct jv_field user_fields[] = {
	JV_FIELDS(config_user_fields),
	JV_END,
};

static const struct jv_field response_fields[] = {
	JV_FIELDS(config_response_fields),
	JV_END,
};

static const struct jv_field top_fields[] = {
	{"name", JV_STRING, 0, 1, 200, NULL, NULL},
	{"description", JV_STRING, 0, 0, 4000, NULL, NULL},
	{"start", JV_STRING, 0, 5, 5, NULL, NULL},
	{"end", JV_STRING, 0, 5, 5, NULL, NULL},
	{"duration_s", JV_INT, 0, 60, 366 * 86400, NULL, NULL},
	{"interval_s", JV_INT, 0, 60, 86400, NULL, NULL},
	{"warmup_s", JV_INT, 0, 0, 366 * 86400, NULL, NULL},
	{"drain_s", JV_INT, 0, 0, 86400, NULL, NULL},
	{"replications", JV_INT, 0, 1, 100000, NULL, NULL},
	{"seed", JV_INT, 0, 0, 9007199254740991.0, NULL, NULL},
	{"engine", JV_SUBOBJECT, 0, 0, 0, NULL, engine_fields},
	{"tenants", JV_ARRAY, JV_REQUIRED, 0, 1000, NULL, tenant_fields},
	{"sites", JV_ARRAY, JV_REQUIRED, 0, 1000, NULL, site_fields},
	{"agents", JV_ARRAY, JV_REQUIRED, 0, 100000, NULL, agent_fields},
	{"queues", JV_ARRAY, JV_REQUIRED, 0, 10000, NULL, queue_fields},
	{"arrivals_csv", JV_STRING, 0, 1, 4096, NULL, NULL},
	{"forecast_csv", JV_STRING, 0, 1, 4096, NULL, NULL},
	{"date", JV_STRING, 0, 10, 10, NULL, NULL},
	{"timezone", JV_STRING, 0, 1, 64, NULL, NULL},
	{"calendars", JV_ARRAY, 0, 0, 100, NULL, calendar_fields},
	{"skills", JV_ARRAY, 0, 0, 10000, NULL, skill_fields},
	{"dispositions", JV_ARRAY, 0, 0, 10000, NULL, disposition_fields},
	{"users", JV_ARRAY, 0, 0, 100000, NULL, user_fields},
	/* the server's (canned responses): read by relais serve --demo */
	{"responses", JV_ARRAY, 0, 0, 100000, NULL, response_fields},
	JV_END,
};

/* ---- memory ---------------------------------------------------------- */

static void *mem_get(struct scenario *s, size_t n, size_t size)
{
	struct scenario_mem *m = s->mem;
	void *p;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		void **b = realloc(m->blocks, cap * sizeof(*b));

		if (!b)
			return NULL;
		m->blocks = b;
		m->cap = cap;
	}
	p = calloc(n ? n : 1, size);
	if (p)
		m->blocks[m->n++] = p;
	return p;
}

void scenario_free(struct scenario *s)
{
	if (!s)
		return;
	if (s->mem) {
		for (size_t i = 0; i < s->mem->n; i++)
			free(s->mem->blocks[i]);
		free(s->mem->blocks);
		json_decref(s->mem->root);
		free(s->mem);
	}
	free(s);
}

/* ---- small parsers ---------------------------------------------------- */

static int bad(char *msg, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return 1;
}

/* "HH:MM", 00:00 to 24:00, in minutes. */
static bool hhmm(const char *t, int *min)
{
	if (!t || strlen(t) != 5 || t[2] != ':' ||
	    !isdigit((unsigned char)t[0]) || !isdigit((unsigned char)t[1]) ||
	    !isdigit((unsigned char)t[3]) || !isdigit((unsigned char)t[4]))
		return false;
	*min = ((t[0] - '0') * 10 + t[1] - '0') * 60 + (t[3] - '0') * 10 +
	       t[4] - '0';
	return *min <= 1440 && (t[3] - '0') * 10 + t[4] - '0' < 60;
}

/* ---- number arrays (before the tables) ------------------------------ */

static int numbers(struct scenario *s, json_t *arr, const char *path,
		   double max, double **outp, size_t *np, char *msg,
		   size_t size)
{
	size_t i, n = json_array_size(arr);
	double *out = mem_get(s, n, sizeof(*out));
	json_t *v;

	if (!out)
		return bad(msg, size, "out of memory");
	if (!n)
		return bad(msg, size, "%s: expected at least one number", path);
	json_array_foreach(arr, i, v)
	{
		double x = json_number_value(v);

		if (!json_is_number(v) || !(x >= 0 && x <= max))
			return bad(msg, size,
				   "%s[%zu]: expected a number from 0 to %g",
				   path, i, max);
		out[i] = x;
	}
	*outp = out;
	*np = n;
	return 0;
}

/* "tenants": ["a", ...] is short for [{"id": "a"}, ...]. */
static int take_tenant_ids(json_t *root, char *msg, size_t size)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(root, "tenants"), i, v)
	{
		if (json_is_string(v) &&
		    json_array_set_new(json_object_get(root, "tenants"), i,
				       json_pack("{s:O}", "id", v)))
			return bad(msg, size, "out of memory");
	}
	return 0;
}

static int take_numbers(struct scenario *s, char *msg, size_t size)
{
	json_t *queues = json_object_get(s->mem->root, "queues"), *q;
	size_t i, n = json_array_size(queues);
	char path[96];

	s->mem->side = mem_get(s, n, sizeof(*s->mem->side));
	if (!s->mem->side)
		return bad(msg, size, "out of memory");
	json_array_foreach(queues, i, q)
	{
		struct qside *qs = &s->mem->side[i];
		json_t *a = json_object_get(q, "arrivals");

		if (!json_is_object(q))
			continue;
		snprintf(path, sizeof(path), "queues[%zu].arrivals", i);
		if (json_is_array(a)) {
			if (numbers(s, a, path, 1e7, &qs->arrivals,
				    &qs->narrivals, msg, size))
				return 1;
			json_object_set_new(q, "arrivals", json_null());
		} else if (a && !json_is_number(a) && !json_is_null(a)) {
			return bad(msg, size,
				   "%s: expected a number or an array of "
				   "numbers (contacts per interval)",
				   path);
		}
		for (int d = 0; d < NDISTS; d++) {
			json_t *o = json_object_get(q, dist_fields_names[d]);
			json_t *v = json_object_get(o, "values_s");

			snprintf(path, sizeof(path), "queues[%zu].%s.values_s",
				 i, dist_fields_names[d]);
			if (v && !json_is_array(v) && !json_is_null(v))
				return bad(msg, size,
					   "%s: expected an array of numbers",
					   path);
			if (!json_is_array(v))
				continue;
			if (numbers(s, v, path, 7 * 86400, &qs->values[d],
				    &qs->nvalues[d], msg, size))
				return 1;
			json_object_set_new(o, "values_s", json_null());
		}
	}
	return 0;
}

/* ---- the arrivals CSV ------------------------------------------------ */

static char *csv_cell(char **pp)
{
	char *p = *pp, *start, *end;

	while (*p == ' ' || *p == '\t')
		p++;
	start = p;
	while (*p && *p != ',')
		p++;
	end = p;
	*pp = *p ? p + 1 : p;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	if (end - start >= 2 && *start == '"' && end[-1] == '"') {
		start++;
		end--;
	}
	*end = '\0';
	return start;
}

/* A file named by the scenario, NUL-terminated; NULL with msg filled. */
static char *read_file(const char *field, const char *path, size_t *lenp,
		       char *msg, size_t size)
{
	char *buf = NULL, *text;
	size_t len = 0;
	int rc = file_read_all(path, 64 << 20, &buf, &len);

	if (rc) {
		bad(msg, size, "%s: cannot read %s: %s", field, path,
		    strerror(rc));
		return NULL;
	}
	text = realloc(buf, len + 1);
	if (!text) {
		free(buf);
		bad(msg, size, "out of memory");
		return NULL;
	}
	text[len] = '\0';
	if (lenp)
		*lenp = len;
	return text;
}

static int queue_index(const struct scenario *s, const char *id)
{
	for (size_t i = 0; i < s->sc.nqueues; i++) {
		if (!strcmp(s->sc.queues[i].queue.id, id))
			return (int)i;
	}
	return -1;
}

/*
 * A header naming queues (a first column "interval", "start" or "time" is
 * a label), then one line of contacts per interval.
 */
static int csv_header(struct scenario *s, char *line, int *cols, size_t *nc,
		      bool *label, const char *path, char *msg, size_t size)
{
	char *p = line;

	*nc = 0;
	*label = false;
	while (*p && *nc < 10000) {
		char *cell = csv_cell(&p);
		int qi = queue_index(s, cell);

		if (*nc == 0 && qi < 0 &&
		    (!strcmp(cell, "interval") || !strcmp(cell, "start") ||
		     !strcmp(cell, "time"))) {
			*label = true;
			continue;
		}
		if (qi < 0)
			return bad(msg, size,
				   "arrivals_csv: %s: column \"%s\" is not a "
				   "queue",
				   path, cell);
		if (s->mem->side[qi].arrivals)
			return bad(msg, size,
				   "arrivals_csv: %s: queue \"%s\" has "
				   "arrivals in the scenario too",
				   path, cell);
		cols[(*nc)++] = qi;
	}
	return 0;
}

static int csv_load(struct scenario *s, const char *path, size_t nint,
		    char *msg, size_t size)
{
	char *buf = read_file("arrivals_csv", path, NULL, msg, size);
	char *save = NULL, *line;
	int *cols = NULL;
	size_t nc = 0, row = 0;
	bool label = false;
	int rc = 1;

	if (!buf)
		return 1;
	cols = calloc(s->sc.nqueues + 1, sizeof(*cols));
	line = strtok_r(buf, "\r\n", &save);
	if (!cols || !line) {
		bad(msg, size, "arrivals_csv: %s: empty", path);
		goto out;
	}
	if (csv_header(s, line, cols, &nc, &label, path, msg, size))
		goto out;
	for (size_t c = 0; c < nc; c++) {
		struct qside *qs = &s->mem->side[cols[c]];

		qs->arrivals = mem_get(s, nint, sizeof(double));
		qs->narrivals = nint;
		if (!qs->arrivals) {
			bad(msg, size, "out of memory");
			goto out;
		}
	}
	while ((line = strtok_r(NULL, "\r\n", &save))) {
		char *p = line, *end;

		if (row >= nint) {
			bad(msg, size,
			    "arrivals_csv: %s: more lines than the %zu "
			    "intervals",
			    path, nint);
			goto out;
		}
		if (label)
			csv_cell(&p);
		for (size_t c = 0; c < nc; c++) {
			char *cell = csv_cell(&p);
			double x = strtod(cell, &end);

			if (!*cell || *end || !(x >= 0 && x <= 1e7)) {
				bad(msg, size,
				    "arrivals_csv: %s: line %zu, column %zu: "
				    "expected a number from 0 to 1e7",
				    path, row + 2, c + 1 + label);
				goto out;
			}
			s->mem->side[cols[c]].arrivals[row] = x;
		}
		row++;
	}
	if (row != nint) {
		bad(msg, size,
		    "arrivals_csv: %s: %zu lines of contacts for %zu intervals",
		    path, row, nint);
		goto out;
	}
	rc = 0;
out:
	free(cols);
	free(buf);
	return rc;
}

/* ---- the parts -------------------------------------------------------- */

static int times(struct scenario *s, char *msg, size_t size)
{
	json_t *root = s->mem->root;
	const char *start = jv_str(root, "start"), *end = jv_str(root, "end");
	int e = 0;

	s->start_min = 0;
	if (start && (!hhmm(start, &s->start_min) || s->start_min == 1440))
		return bad(msg, size, "start: expected a time HH:MM");
	if (end && json_object_get(root, "duration_s"))
		return bad(msg, size, "end: give either end or duration_s");
	if (end && !hhmm(end, &e))
		return bad(msg, size, "end: expected a time HH:MM");
	if (end) {
		int d = (e - s->start_min + 1440) % 1440;

		s->sc.duration_ms = (int64_t)(d ? d : 1440) * 60000;
	} else {
		s->sc.duration_ms =
			jv_int(root, "duration_s", 86400) * (int64_t)1000;
	}
	s->sc.interval_ms = jv_int(root, "interval_s", 900) * (int64_t)1000;
	s->sc.warmup_ms = jv_int(root, "warmup_s", 0) * (int64_t)1000;
	s->sc.drain_ms = jv_int(root, "drain_s", 3600) * (int64_t)1000;
	if (s->sc.duration_ms % s->sc.interval_ms)
		return bad(msg, size,
			   "interval_s: the day (%lld s) must be a whole "
			   "number of intervals",
			   (long long)(s->sc.duration_ms / 1000));
	return 0;
}

/*
 * Each replication's engine gets the scenario's calendars (the engine owns
 * and frees its calendars, so they are built anew each time).
 */
static int add_calendars(void *arg, struct engine *e, struct engine_error *err)
{
	const json_t *arr = arg, *v;
	size_t i;

	json_array_foreach(arr, i, v)
	{
		struct calendar *cal;
		char msg[200];
		int rc = calendar_json_build(v, &cal, msg, sizeof(msg));

		if (!rc && engine_calendar_set(e, jv_str(v, "id"), cal))
			rc = ENOMEM;
		if (rc) {
			snprintf(err->msg, sizeof(err->msg),
				 "calendars[%zu]: %s", i,
				 rc == ENOMEM ? "out of memory" : msg);
			return rc;
		}
	}
	return 0;
}

/*
 * Calendars need the day's date and time zone: t = 0 is "start" on
 * "date" in "timezone" (UTC by default). Each calendar is built once
 * here to refuse a bad one with its field's name.
 */
static int calendars(struct scenario *s, char *msg, size_t size)
{
	json_t *arr = json_object_get(s->mem->root, "calendars"), *v;
	const char *date = jv_str(s->mem->root, "date");
	const char *zone = jv_str(s->mem->root, "timezone");
	struct tz *tz = NULL;
	size_t i;
	int y, m, d, n = 0;

	if (date &&
	    (sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10))
		return bad(msg, size, "date: expected YYYY-MM-DD");
	if (zone && strcmp(zone, "UTC") && zoneinfo_load(&tz, zone))
		return bad(msg, size, "timezone: unknown zone %.64s", zone);
	if (date) {
		int64_t local = tz_days_from_civil(y, m, d) * 86400 +
				s->start_min * 60LL;
		int64_t utc = tz ? local - tz_offset(tz, local) : local;

		if (tz)
			utc = local - tz_offset(tz, utc);
		s->sc.wall_ms = utc * 1000;
	}
	tz_free(tz);
	if (!json_array_size(arr))
		return 0;
	if (!date)
		return bad(msg, size,
			   "date: required with calendars "
			   "(YYYY-MM-DD)");
	json_array_foreach(arr, i, v)
	{
		struct calendar *cal;
		char why[200];
		int rc = calendar_json_build(v, &cal, why, sizeof(why));

		if (rc)
			return bad(msg, size, "calendars[%zu].%s", i,
				   rc == ENOMEM ? "out of memory" : why);
		calendar_free(cal);
	}
	s->sc.setup = add_calendars;
	s->sc.setup_arg = arr;
	return 0;
}

static int engine_settings(struct scenario *s)
{
	json_t *e = json_object_get(s->mem->root, "engine");
	struct engine_config *c = &s->mem->cfg;

	engine_config_default(c);
	c->priority_point_ms =
		jv_int(e, "priority_point_s", c->priority_point_ms / 1000) *
		1000;
	c->offer_timeout_ms =
		jv_int(e, "offer_timeout_s", c->offer_timeout_ms / 1000) * 1000;
	c->reject_delay_ms =
		jv_int(e, "reject_delay_s", c->reject_delay_ms / 1000) * 1000;
	c->auto_pause_misses =
		(int)jv_int(e, "auto_pause_misses", c->auto_pause_misses);
	s->sc.engine = c;
	return 0;
}

static int tenants(struct scenario *s, char *msg, size_t size)
{
	json_t *arr = json_object_get(s->mem->root, "tenants"), *v;
	const char **t = mem_get(s, json_array_size(arr), sizeof(*t));
	size_t i;

	if (!t)
		return bad(msg, size, "out of memory");
	json_array_foreach(arr, i, v) t[i] = jv_str(v, "id");
	s->sc.tenants = t;
	s->sc.ntenants = json_array_size(arr);
	return 0;
}

static int sites(struct scenario *s, char *msg, size_t size)
{
	json_t *arr = json_object_get(s->mem->root, "sites"), *v;
	struct engine_site *out =
		mem_get(s, json_array_size(arr), sizeof(*out));
	size_t i;

	if (!out)
		return bad(msg, size, "out of memory");
	json_array_foreach(arr, i, v)
	{
		const char *kind = jv_str(v, "kind");

		out[i].id = jv_str(v, "id");
		out[i].kind = SITE_ONSHORE;
		if (kind)
			expr_site_kind_parse(kind, strlen(kind), &out[i].kind);
		out[i].country = jv_str(v, "country");
		out[i].cost_per_hour_cents =
			llround(jv_num(v, "cost_per_hour", 0) * 100);
	}
	s->sc.sites = out;
	s->sc.nsites = json_array_size(arr);
	return 0;
}

static const char **strings(struct scenario *s, const json_t *arr, size_t *np)
{
	const char **out = mem_get(s, json_array_size(arr), sizeof(*out));
	json_t *v;
	size_t i;

	if (!out)
		return NULL;
	json_array_foreach(arr, i, v) out[i] = json_string_value(v);
	*np = json_array_size(arr);
	return out;
}

static int agent_skills(struct scenario *s, struct engine_agent *a,
			json_t *skills)
{
	size_t n = json_object_size(skills), i = 0;
	const char **names = mem_get(s, n, sizeof(*names));
	uint8_t *levels = mem_get(s, n, sizeof(*levels));
	const char *key;
	json_t *v;

	if (!names || !levels)
		return ENOMEM;
	json_object_foreach(skills, key, v)
	{
		names[i] = key;
		levels[i++] = (uint8_t)json_integer_value(v);
	}
	a->skill_names = names;
	a->skill_levels = levels;
	a->nskills = n;
	return 0;
}

static int shift_of(struct scenario *s, struct sim_shift *sh, json_t *v,
		    const char *path, char *msg, size_t size)
{
	json_t *arr = json_object_get(v, "breaks"), *b;
	struct sim_break *br = mem_get(s, json_array_size(arr), sizeof(*br));
	int a, e;
	size_t i;

	if (!br)
		return bad(msg, size, "out of memory");
	if (!hhmm(jv_str(v, "start"), &a) || !hhmm(jv_str(v, "end"), &e))
		return bad(msg, size, "%s: expected start and end as HH:MM",
			   path);
	sh->start_ms = (int64_t)(a - s->start_min) * 60000;
	sh->end_ms = (int64_t)(e - s->start_min) * 60000;
	if (sh->end_ms <= sh->start_ms) /* past midnight */
		sh->end_ms += 86400000;
	if (sh->end_ms <= 0) { /* over before t = 0: the next day's */
		sh->start_ms += 86400000;
		sh->end_ms += 86400000;
	}
	if (sh->start_ms < 0) /* began before t = 0: working at t = 0 */
		sh->start_ms = 0;
	sh->count = (unsigned)jv_int(v, "count", 1);
	json_array_foreach(arr, i, b)
	{
		if (!hhmm(jv_str(b, "start"), &a) ||
		    !hhmm(jv_str(b, "end"), &e))
			return bad(msg, size,
				   "%s.breaks[%zu]: expected start and end as "
				   "HH:MM",
				   path, i);
		br[i].start_ms = (int64_t)(a - s->start_min) * 60000;
		br[i].end_ms = (int64_t)(e - s->start_min) * 60000;
		while (br[i].start_ms < sh->start_ms)
			br[i].start_ms += 86400000;
		while (br[i].end_ms <= br[i].start_ms)
			br[i].end_ms += 86400000;
	}
	sh->breaks = br;
	sh->nbreaks = json_array_size(arr);
	return 0;
}

static int agent_of(struct scenario *s, struct sim_agent *a, json_t *v,
		    size_t idx, char *msg, size_t size)
{
	json_t *cap = json_object_get(v, "capacity"), *sh;
	json_t *shifts = json_object_get(v, "shifts");
	struct sim_shift *out;
	char path[64];
	size_t i;

	a->agent.id = jv_str(v, "id");
	a->agent.site = jv_str(v, "site");
	if (agent_skills(s, &a->agent, json_object_get(v, "skills")))
		return bad(msg, size, "out of memory");
	a->agent.tenants =
		strings(s, json_object_get(v, "tenants"), &a->agent.ntenants);
	a->agent.tags = strings(s, json_object_get(v, "tags"), &a->agent.ntags);
	if (!a->agent.tenants || !a->agent.tags)
		return bad(msg, size, "out of memory");
	for (int ch = 0; ch < CH_MAX; ch++)
		a->agent.capacity[ch] = (uint8_t)jv_int(
			cap, engine_channel_name((enum channel)ch),
			cap ? 0 : ch == CH_VOICE);
	if (json_object_get(v, "count") && shifts)
		return bad(msg, size,
			   "agents[%zu].count: give a count per shift "
			   "instead",
			   idx);
	a->count = (unsigned)jv_int(v, "count", 1);
	out = mem_get(s, json_array_size(shifts), sizeof(*out));
	if (!out)
		return bad(msg, size, "out of memory");
	json_array_foreach(shifts, i, sh)
	{
		snprintf(path, sizeof(path), "agents[%zu].shifts[%zu]", idx, i);
		if (shift_of(s, &out[i], sh, path, msg, size))
			return 1;
	}
	a->shifts = out;
	a->nshifts = json_array_size(shifts);
	return 0;
}

static int agents(struct scenario *s, char *msg, size_t size)
{
	json_t *arr = json_object_get(s->mem->root, "agents"), *v;
	struct sim_agent *out = mem_get(s, json_array_size(arr), sizeof(*out));
	size_t i;

	if (!out)
		return bad(msg, size, "out of memory");
	json_array_foreach(arr, i, v)
	{
		if (agent_of(s, &out[i], v, i, msg, size))
			return 1;
	}
	s->sc.agents = out;
	s->sc.nagents = json_array_size(arr);
	return 0;
}

static void dist_of(struct sim_dist *d, const json_t *o, const struct qside *qs,
		    int which)
{
	memset(d, 0, sizeof(*d));
	if (!json_is_object(o))
		return;
	sim_dist_parse(jv_str(o, "dist"), &d->kind);
	d->mean_s = jv_num(o, "mean_s", 0);
	d->sd_s = jv_num(o, "sd_s", 0);
	d->values_s = qs->values[which];
	d->nvalues = qs->nvalues[which];
}

static int queues(struct scenario *s, char *msg, size_t size)
{
	json_t *arr = json_object_get(s->mem->root, "queues"), *v;
	struct sim_queue *out = mem_get(s, json_array_size(arr), sizeof(*out));
	const char **names = mem_get(s, json_array_size(arr), sizeof(*names));
	size_t i;

	if (!out || !names)
		return bad(msg, size, "out of memory");
	s->queue_names = names;
	json_array_foreach(arr, i, v)
	{
		struct sim_queue *q = &out[i];
		struct qside *qs = &s->mem->side[i];
		json_t *a = json_object_get(v, "arrivals");

		struct engine_step *steps =
			mem_get(s, json_array_size(json_object_get(v, "steps")),
				sizeof(*steps));

		if (!steps)
			return bad(msg, size, "out of memory");
		queue_json_fill(v, &q->queue, steps);
		names[i] = jv_str(v, "name");
		if (json_is_number(a)) {
			qs->arrivals = mem_get(s, 1, sizeof(double));
			if (!qs->arrivals)
				return bad(msg, size, "out of memory");
			qs->arrivals[0] = json_number_value(a);
			qs->narrivals = 1;
			qs->constant = true;
		}
		for (int d = 0; d < NDISTS; d++) {
			struct sim_dist *dd = d == 0   ? &q->handle
					      : d == 1 ? &q->patience
					      : d == 2 ? &q->ring
						       : &q->wrapup;

			dist_of(dd, json_object_get(v, dist_fields_names[d]),
				qs, d);
		}
		if (!json_object_get(v, "handle_time")) {
			q->handle.kind = SIM_DIST_EXPONENTIAL;
			q->handle.mean_s = (double)q->queue.aht_ms / 1000.0;
		}
		q->callback_take_up = jv_num(v, "callback_take_up", 0);
	}
	s->sc.queues = out;
	s->sc.nqueues = json_array_size(arr);
	return 0;
}

/*
 * The arrivals of one day of a forecast (the CSV `relais forecast --csv`
 * writes, or `relais history`'s): every queue of the scenario that has no
 * arrivals of its own takes the rows of the forecast queue of the same id,
 * summed into the scenario's intervals from its start on that date.
 */
static int forecast_load(struct scenario *s, const char *path, size_t nint,
			 char *msg, size_t size)
{
	const char *date = jv_str(s->mem->root, "date");
	int64_t iv_min = s->sc.interval_ms / 60000, day;
	struct forecast_history *h = NULL;
	struct forecast_csv_error ce = {0};
	int y, m, d, n = 0, rc = 1;
	size_t len;
	char *buf;

	if (!date || sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10)
		return bad(msg, size,
			   "date: required with forecast_csv (YYYY-MM-DD)");
	if (s->sc.interval_ms % (FORECAST_SLOT_MIN * 60000))
		return bad(msg, size,
			   "interval_s: a multiple of 900 with forecast_csv");
	day = tz_days_from_civil(y, m, d);
	buf = read_file("forecast_csv", path, &len, msg, size);
	if (!buf)
		return 1;
	if (forecast_csv_parse(&h, buf, len, NULL, &ce)) {
		bad(msg, size, "forecast_csv: %s: line %zu: %s", path, ce.line,
		    ce.msg);
		goto out;
	}
	for (size_t i = 0; i < s->sc.nqueues; i++) {
		struct qside *qs = &s->mem->side[i];
		const char *id = s->sc.queues[i].queue.id;
		size_t fq = 0;

		if (qs->arrivals)
			continue;
		while (fq < h->nqueues && strcmp(h->queues[fq], id))
			fq++;
		if (fq == h->nqueues) {
			bad(msg, size,
			    "forecast_csv: %s: no queue \"%s\" (queues[%zu])",
			    path, id, i);
			goto out;
		}
		qs->arrivals = mem_get(s, nint, sizeof(double));
		qs->narrivals = nint;
		if (!qs->arrivals) {
			bad(msg, size, "out of memory");
			goto out;
		}
		for (size_t r = h->queue_rows[fq]; r < h->queue_rows[fq + 1];
		     r++) {
			const struct forecast_row *row = &h->rows[r];
			int64_t min = (row->day - day) * 1440 +
				      row->slot * FORECAST_SLOT_MIN -
				      s->start_min;

			if (min >= 0 && (size_t)(min / iv_min) < nint)
				qs->arrivals[min / iv_min] += row->offered;
		}
	}
	rc = 0;
out:
	forecast_history_free(h);
	free(buf);
	return rc;
}

/* A path in the scenario, relative to the scenario file's folder. */
static void beside(char *full, size_t size, const char *scenario,
		   const char *name)
{
	const char *slash = strrchr(scenario, '/');

	if (name[0] == '/' || !slash)
		snprintf(full, size, "%s", name);
	else
		snprintf(full, size, "%.*s/%s", (int)(slash - scenario),
			 scenario, name);
}

/*
 * Arrivals from the file, the arrivals CSV or a forecast, every queue
 * served exactly once (a forecast only serves queues the others left).
 */
static int arrivals(struct scenario *s, const char *path, char *msg,
		    size_t size)
{
	const char *csv = jv_str(s->mem->root, "arrivals_csv");
	const char *fc = jv_str(s->mem->root, "forecast_csv");
	size_t nint = (size_t)(s->sc.duration_ms / s->sc.interval_ms);
	struct sim_queue *q = (struct sim_queue *)s->sc.queues;
	char full[4096];

	if ((csv || fc) && !path)
		return bad(msg, size, "%s: no files can be read here",
			   csv ? "arrivals_csv" : "forecast_csv");
	if (csv) {
		beside(full, sizeof(full), path, csv);
		if (csv_load(s, full, nint, msg, size))
			return 1;
	}
	if (fc) {
		beside(full, sizeof(full), path, fc);
		if (forecast_load(s, full, nint, msg, size))
			return 1;
	}
	for (size_t i = 0; i < s->sc.nqueues; i++) {
		const struct qside *qs = &s->mem->side[i];

		if (!qs->arrivals)
			return bad(msg, size,
				   "queues[%zu].arrivals: required (contacts "
				   "per interval, here, in arrivals_csv or in "
				   "forecast_csv)",
				   i);
		q[i].arrivals = qs->arrivals;
		q[i].narrivals = qs->narrivals;
	}
	return 0;
}

int scenario_parse(struct scenario **sp, const char *text, size_t len,
		   const char *path, char *msg, size_t size)
{
	const char *name = path ? path : "scenario";
	struct scenario *s = calloc(1, sizeof(*s));
	json_error_t je;
	struct sim_error err;
	int rc = 1;

	*sp = NULL;
	if (!s || !(s->mem = calloc(1, sizeof(*s->mem)))) {
		free(s);
		return bad(msg, size, "out of memory");
	}
	s->mem->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!s->mem->root) {
		bad(msg, size, "%s: line %d: %s", name, je.line, je.text);
		goto out;
	}
	if (!json_is_object(s->mem->root)) {
		bad(msg, size, "%s: expected a JSON object", name);
		goto out;
	}
	if (take_tenant_ids(s->mem->root, msg, size) ||
	    take_numbers(s, msg, size))
		goto out;
	if (jv_check(s->mem->root, top_fields, true, msg, size) ||
	    times(s, msg, size) || calendars(s, msg, size) ||
	    engine_settings(s) || tenants(s, msg, size) ||
	    sites(s, msg, size) || agents(s, msg, size) ||
	    queues(s, msg, size) || arrivals(s, path, msg, size))
		goto out;
	s->name = jv_str(s->mem->root, "name");
	if (!s->name)
		s->name = name;
	s->reps = (unsigned)jv_int(s->mem->root, "replications", 10);
	s->seed = (uint64_t)jv_int(s->mem->root, "seed", 1);
	if (sim_check(&s->sc, &err)) {
		bad(msg, size, "%s", err.msg);
		goto out;
	}
	rc = 0;
	*sp = s;
out:
	if (rc)
		scenario_free(s);
	return rc;
}

int scenario_load(struct scenario **sp, const char *path, char *msg,
		  size_t size)
{
	char *text = NULL;
	size_t len = 0;
	int rc = file_read_all(path, 64 << 20, &text, &len);

	*sp = NULL;
	if (rc)
		return bad(msg, size, "%s: %s", path, strerror(rc));
	rc = scenario_parse(sp, text, len, path, msg, size);
	free(text);
	return rc;
}
