/*
 * relais schedule — the sites file: groups of queues, the shifts one may
 * work, the labour rules, and the sites with their cost, head-count,
 * hours and days (docs/wfm.md, "Requirements and schedules"). Every
 * error names the file and the field, e.g. sites[1].rules.max_days, and
 * an unknown key is an error: a typo would otherwise be ignored. The
 * errors are in the run's language; the fields keep the file's names.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "cli/schedule_cli.h"
#include "core/forecast_csv.h"
#include "sys/readfile.h"

#define MAX_AGENTS 100000
#define MAX_FILE   (64L * 1024 * 1024)

/* A number of the file: stored as lround(v * scale) or as is. */
struct field {
	const char *key;
	double lo, hi;
	double scale;
	int *as_int;
	double *as_double;
};

struct sites_file {
	const struct schedule_words *w;
	const struct words *cw;
	const char *path;
	json_t *root;
	const struct forecast_history *h;
	int *queue_group; /* per forecast queue */
};

/* "relais schedule: FILE: sites[0].hours: what"; returns 1. */
static int file_error(const struct sites_file *sf, const char *where,
		      const char *key, const char *what)
{
	char field[256];

	snprintf(field, sizeof(field), "%s%s%s", where,
		 *where && *key ? "." : "", key);
	if (*field)
		WORDS_ERROR("schedule", sf->w->field_error, sf->path, field,
			    what);
	else
		WORDS_ERROR("schedule", sf->cw->file_error, sf->path, what);
	return 1;
}

static bool is_key(const char *key, const char *const *keys)
{
	for (; keys && *keys; keys++)
		if (!strcmp(key, *keys))
			return true;
	return false;
}

/*
 * Reads the numeric fields of obj; keys in `other` are the caller's, any
 * other key is an error (a typo would otherwise be silently ignored).
 */
static int read_fields(const struct sites_file *sf, const char *where,
		       json_t *obj, const struct field *f, size_t n,
		       const char *const *other)
{
	const char *key;
	json_t *v;
	char range[96], want[128];

	if (!json_is_object(obj))
		return file_error(sf, where, "", sf->w->object);
	json_object_foreach(obj, key, v)
	{
		size_t i;
		double x;

		for (i = 0; i < n && strcmp(key, f[i].key); i++)
			;
		if (i == n) {
			if (!is_key(key, other))
				return file_error(sf, where, key,
						  sf->w->unknown_key);
			continue;
		}
		x = json_number_value(v);
		if (!json_is_number(v) || x < f[i].lo || x > f[i].hi) {
			WORDS_FILL(range, sf->cw->number_in,
				   WORDS_INPUT("%g", f[i].lo),
				   WORDS_INPUT("%g", f[i].hi));
			WORDS_FILL(want, sf->w->expected, range);
			return file_error(sf, where, key, want);
		}
		if (f[i].as_int)
			*f[i].as_int = (int)lround(x * f[i].scale);
		else
			*f[i].as_double = x;
	}
	return 0;
}

static int read_rules(const struct sites_file *sf, const char *where,
		      json_t *obj, struct schedule_rules *r)
{
	const struct field f[] = {
		{"max_day_hours", 0.25, 24, 60, &r->max_day_min, NULL},
		{"min_rest_hours", 0, 48, 60, &r->min_rest_min, NULL},
		{"max_week_hours", 1, 168, 60, &r->max_week_min, NULL},
		{"max_days", 1, 7, 1, &r->max_days, NULL},
		{"weekly_rest_hours", 0, 168, 60, &r->weekly_rest_min, NULL},
	};

	return obj ? read_fields(sf, where, obj, f, sizeof(f) / sizeof(*f),
				 NULL)
		   : 0;
}

static int read_shape(const struct sites_file *sf, json_t *obj,
		      struct schedule_shape *s)
{
	const struct field f[] = {
		{"start_step_min", 15, 1440, 1, &s->start_step_min, NULL},
		{"min_work_min", 15, 1440, 1, &s->min_work_min, NULL},
		{"max_work_min", 15, 1440, 1, &s->max_work_min, NULL},
		{"work_step_min", 15, 1440, 1, &s->work_step_min, NULL},
		{"break_min", 0, 180, 1, &s->break_min, NULL},
		{"break_from_min", 0, 1440, 1, &s->break_from_min, NULL},
		{"break_step_min", 15, 1440, 1, &s->break_step_min, NULL},
		{"break_edge_min", 0, 1440, 1, &s->break_edge_min, NULL},
		{"max_stretch_min", 15, 1440, 1, &s->max_stretch_min, NULL},
	};

	return obj ? read_fields(sf, "shifts", obj, f, sizeof(f) / sizeof(*f),
				 NULL)
		   : 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int add_group(struct sched_run *r, const char *name, bool pool)
{
	char **g = realloc(r->group, (r->p.ngroups + 1) * sizeof(*g));
	bool *pl;

	if (!g)
		return ENOMEM;
	r->group = g;
	pl = realloc(r->pool, (r->p.ngroups + 1) * sizeof(*pl));
	if (!pl)
		return ENOMEM;
	r->pool = pl;
	g[r->p.ngroups] = strdup(name);
	pl[r->p.ngroups] = pool;
	if (!g[r->p.ngroups])
		return ENOMEM;
	r->p.ngroups++;
	return 0;
}

static int find_queue(const struct forecast_history *h, const char *name)
{
	for (size_t q = 0; q < h->nqueues; q++)
		if (!strcmp(h->queues[q], name))
			return (int)q;
	return -1;
}

/* One entry of "groups": a list of queues, or {"queues": [...], "pool"}. */
static int read_group(struct sites_file *sf, struct sched_run *r,
		      const char *name, json_t *v)
{
	static const char *const keys[] = {"queues", "pool", NULL};
	char where[96];
	json_t *queues = v, *q;
	const char *key;
	bool pool = false;
	size_t i;

	snprintf(where, sizeof(where), "groups.%s", name);
	if (json_is_object(v)) {
		json_object_foreach(v, key, q)
		{
			if (!is_key(key, keys))
				return file_error(sf, where, key,
						  sf->w->unknown_key);
		}
		queues = json_object_get(v, "queues");
		q = json_object_get(v, "pool");
		if (q && !json_is_boolean(q))
			return file_error(sf, where, "pool", sf->w->true_false);
		pool = json_is_true(q);
	}
	if (!json_is_array(queues))
		return file_error(sf, where, "queues", sf->w->queue_list);
	if (r->p.ngroups == SCHEDULE_MAX_GROUPS)
		return file_error(sf, "groups", "", sf->w->max_groups);
	json_array_foreach(queues, i, q)
	{
		int at = json_is_string(q)
				 ? find_queue(sf->h, json_string_value(q))
				 : -2;

		if (at == -2)
			return file_error(sf, where, "queues",
					  sf->w->queue_names);
		if (at >= 0 && sf->queue_group[at] >= 0)
			return file_error(sf, where, json_string_value(q),
					  sf->w->queue_twice);
		if (at >= 0)
			sf->queue_group[at] = r->p.ngroups;
	}
	return add_group(r, name, pool)
		       ? file_error(sf, "", "groups", sf->cw->no_memory)
		       : 0;
}

static int read_groups(struct sites_file *sf, struct sched_run *r)
{
	json_t *groups = json_object_get(sf->root, "groups"), *v;
	const char *name;
	int err = 0;

	for (size_t q = 0; q < sf->h->nqueues; q++)
		sf->queue_group[q] = groups ? -1 : 0;
	if (!groups)
		return add_group(r, "all", false)
			       ? file_error(sf, "", "groups", sf->cw->no_memory)
			       : 0;
	if (!json_is_object(groups) || !json_object_size(groups))
		return file_error(sf, "", "groups", sf->w->groups_object);
	json_object_foreach(groups, name, v)
	{
		err = read_group(sf, r, name, v);
		if (err)
			return err;
	}
	for (size_t q = 0; q < sf->h->nqueues; q++)
		if (sf->queue_group[q] < 0)
			return file_error(sf, "groups", sf->h->queues[q],
					  sf->w->queue_in_no_group);
	return 0;
}

static const char *const weekdays[7] = {"mon", "tue", "wed", "thu",
					"fri", "sat", "sun"};

/* Monday 0 … Sunday 6; 1970-01-01 was a Thursday. */
static int weekday(int64_t day)
{
	return (int)(((day % 7) + 7 + 3) % 7);
}

/* "HH:MM" from 00:00 to 24:00 on a quarter hour, in minutes, or -1. */
static int clock_min(const char *s, size_t n)
{
	int h, m;

	if (n != 5 || s[2] != ':' || sscanf(s, "%2d:%2d", &h, &m) != 2 ||
	    h < 0 || m < 0 || m > 59 || h * 60 + m > 1440 ||
	    m % SCHEDULE_SLOT_MIN)
		return -1;
	return h * 60 + m;
}

static int read_hours(const struct sites_file *sf, const char *where, json_t *v,
		      int *from, int *to)
{
	const char *s = json_string_value(v), *dash;

	*from = 0;
	*to = 1440;
	if (!v)
		return 0;
	dash = s ? strchr(s, '-') : NULL;
	if (dash) {
		*from = clock_min(s, (size_t)(dash - s));
		*to = clock_min(dash + 1, strlen(dash + 1));
	}
	if (!dash || *from < 0 || *to < 0 || *from == *to || *from == 1440)
		return file_error(sf, where, "hours", sf->w->hours);
	return 0;
}

static int read_days(const struct sites_file *sf, const char *where, json_t *v,
		     unsigned *mask)
{
	json_t *d;
	size_t i;

	*mask = 0x7f;
	if (!v)
		return 0;
	if (!json_is_array(v))
		return file_error(sf, where, "days", sf->w->days_list);
	*mask = 0;
	json_array_foreach(v, i, d)
	{
		int w;

		for (w = 0; w < 7; w++)
			if (json_is_string(d) &&
			    !strcasecmp(json_string_value(d), weekdays[w]))
				break;
		if (w == 7)
			return file_error(sf, where, "days", sf->w->day_names);
		*mask |= 1u << w;
	}
	return 0;
}

static int read_site_groups(const struct sites_file *sf, const char *where,
			    json_t *v, const struct sched_run *r,
			    uint32_t *mask)
{
	json_t *g;
	size_t i;

	*mask = r->p.ngroups == 32 ? 0xffffffffu : (1u << r->p.ngroups) - 1;
	if (!v)
		return 0;
	if (!json_is_array(v))
		return file_error(sf, where, "groups", sf->w->group_list);
	*mask = 0;
	json_array_foreach(v, i, g)
	{
		int k;

		for (k = 0; k < r->p.ngroups; k++)
			if (json_is_string(g) &&
			    !strcmp(json_string_value(g), r->group[k]))
				break;
		if (k == r->p.ngroups)
			return file_error(sf, where, "groups", sf->w->no_group);
		*mask |= 1u << k;
	}
	return 0;
}

/* A head-count (names id-01, id-02...) or a list of names. */
static int read_agents(const struct sites_file *sf, const char *where,
		       json_t *v, struct sched_site *in, int *count)
{
	size_t n = json_is_array(v) ? json_array_size(v) : 0;
	double x = json_number_value(v);
	int width = 2;

	if (json_is_number(v) && x >= 0 && x <= MAX_AGENTS && x == floor(x))
		n = (size_t)x;
	else if (!json_is_array(v))
		return file_error(sf, where, "agents", sf->w->head_count);
	in->agent = calloc(n ? n : 1, sizeof(char *));
	if (!in->agent)
		return file_error(sf, where, "agents", sf->cw->no_memory);
	*count = (int)n; /* the names come below; run_free frees those made */
	for (size_t k = n; k >= 100; k /= 10)
		width++;
	for (size_t k = 0; k < n; k++) {
		const char *name = json_string_value(json_array_get(v, k));
		char buf[160];

		if (json_is_array(v) && (!name || !*name))
			return file_error(sf, where, "agents", sf->w->names);
		snprintf(buf, sizeof(buf), "%s-%0*zu", in->id, width, k + 1);
		in->agent[k] = strdup(json_is_array(v) ? name : buf);
		if (!in->agent[k])
			return file_error(sf, where, "agents",
					  sf->cw->no_memory);
	}
	return 0;
}

static void fill_open(const struct sched_run *r, int from, int to,
		      unsigned days, unsigned char *open)
{
	for (int t = 0; t < schedule_slots(&r->p); t++) {
		int w = weekday(r->first_day + t / SCHEDULE_DAY_SLOTS);
		int m = t % SCHEDULE_DAY_SLOTS * SCHEDULE_SLOT_MIN;
		bool today = days >> w & 1, eve = days >> ((w + 6) % 7) & 1;

		if (from < to)
			open[t] = today && m >= from && m < to;
		else
			open[t] = (today && m >= from) || (eve && m < to);
	}
}

static int read_site(struct sites_file *sf, struct sched_run *r, int i,
		     json_t *v, const struct schedule_rules *rules)
{
	static const char *const keys[] = {"id",   "kind",   "agents", "hours",
					   "days", "groups", "rules",  NULL};
	struct sched_site *in = &r->in[i];
	struct schedule_site *site = &r->sites[i];
	const struct field nums[] = {
		{"cost_per_hour", 0, 1e9, 1, NULL, &site->cost_per_hour},
		{"max_hours", 0, 1e9, 1, NULL, &site->max_hours},
	};
	char where[64], rwhere[72];
	int from, to, err;
	unsigned days;

	snprintf(where, sizeof(where), "sites[%d]", i);
	snprintf(rwhere, sizeof(rwhere), "%s.rules", where);
	site->cost_per_hour = -1;
	site->rules = *rules;
	err = read_fields(sf, where, v, nums, 2, keys);
	if (err)
		return err;
	in->id = dup_or_null(json_string_value(json_object_get(v, "id")));
	in->kind = dup_or_null(json_string_value(json_object_get(v, "kind")));
	in->open = malloc((size_t)schedule_slots(&r->p));
	if (!in->id || !*in->id)
		return file_error(sf, where, "id", sf->w->name);
	if (site->cost_per_hour < 0)
		return file_error(sf, where, "cost_per_hour", sf->w->missing);
	if (!in->open)
		return file_error(sf, where, "", sf->cw->no_memory);
	site->name = in->id;
	err = read_agents(sf, where, json_object_get(v, "agents"), in,
			  &site->agents);
	if (!err)
		err = read_hours(sf, where, json_object_get(v, "hours"), &from,
				 &to);
	if (!err)
		err = read_days(sf, where, json_object_get(v, "days"), &days);
	if (!err)
		err = read_site_groups(sf, where, json_object_get(v, "groups"),
				       r, &site->groups);
	if (!err)
		err = read_rules(sf, rwhere, json_object_get(v, "rules"),
				 &site->rules);
	if (err)
		return err;
	fill_open(r, from, to, days, in->open);
	site->open = in->open;
	return 0;
}

static int read_sites(struct sites_file *sf, struct sched_run *r)
{
	json_t *sites = json_object_get(sf->root, "sites");
	struct schedule_rules rules;
	size_t n = json_array_size(sites);
	int err;

	schedule_rules_default(&rules);
	err = read_rules(sf, "rules", json_object_get(sf->root, "rules"),
			 &rules);
	if (err)
		return err;
	if (!json_is_array(sites) || !n || n > 1000)
		return file_error(sf, "", "sites", sf->w->site_list);
	r->in = calloc(n, sizeof(*r->in));
	r->sites = calloc(n, sizeof(*r->sites));
	if (!r->in || !r->sites)
		return file_error(sf, "", "sites", sf->cw->no_memory);
	r->p.sites = r->sites;
	for (size_t i = 0; i < n; i++) {
		r->p.nsites = (int)i + 1;
		err = read_site(sf, r, (int)i, json_array_get(sites, i),
				&rules);
		if (err)
			return err;
	}
	return 0;
}

void sched_run_free(struct sched_run *r)
{
	for (int g = 0; r->group && g < r->p.ngroups; g++)
		free(r->group[g]);
	for (int s = 0; r->in && s < r->p.nsites; s++) {
		for (int k = 0; r->in[s].agent && k < r->sites[s].agents; k++)
			free(r->in[s].agent[k]);
		free(r->in[s].agent);
		free(r->in[s].id);
		free(r->in[s].kind);
		free(r->in[s].open);
	}
	free(r->group);
	free(r->pool);
	free(r->queue_group);
	free(r->in);
	free(r->sites);
	free(r->required);
	free(r->covered);
	free(r->pat);
	schedule_roster_free(&r->roster);
}

int sched_parse_sites(const char *text, size_t len, const char *path,
		      struct sched_run *r, const struct forecast_history *h)
{
	static const char *const keys[] = {"groups", "shifts", "rules",
					   "sites",  "name",   "description",
					   NULL};
	const struct field top[] = {{"under_cost_per_hour", 0, 1e12, 1, NULL,
				     &r->p.under_cost_per_hour}};
	struct sites_file sf = {.w = r->w, .cw = r->cw, .path = path, .h = h};
	json_error_t e;
	int err;

	sf.root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!sf.root) {
		words_line_error(r->cw, "schedule", path,
				 e.line > 0 ? (size_t)e.line : 0, e.text);
		return 1;
	}
	sf.queue_group = calloc(h->nqueues ? h->nqueues : 1, sizeof(int));
	err = sf.queue_group ? 0 : file_error(&sf, "", "", sf.cw->no_memory);
	if (!err)
		err = read_fields(&sf, "", sf.root, top, 1, keys);
	if (!err)
		err = read_shape(&sf, json_object_get(sf.root, "shifts"),
				 &r->p.shape);
	if (!err)
		err = read_groups(&sf, r);
	if (!err)
		err = read_sites(&sf, r);
	json_decref(sf.root);
	r->queue_group = err ? NULL : sf.queue_group;
	if (err)
		free(sf.queue_group);
	return err;
}

int sched_load_sites(const char *path, struct sched_run *r,
		     const struct forecast_history *h)
{
	char *buf = NULL;
	size_t len = 0;
	int err = file_read_all(path, MAX_FILE, &buf, &len);

	if (err) {
		words_file_error(r->cw, "schedule", path, err);
		return 1;
	}
	err = sched_parse_sites(buf, len, path, r, h);
	free(buf);
	return err;
}
