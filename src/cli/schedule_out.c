/*
 * relais schedule — the printers: a table (sites, coverage sparklines,
 * the roster), JSON (everything), CSV (the roster) and an SVG chart of
 * the coverage. Coverage here is what the roster staffs: shifts no agent
 * could take are listed apart and left out. The table and the chart are in
 * the run's language (r->w, with its decimal mark in r->cw); the JSON and
 * CSV are the same in every language.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/schedule_cli.h"
#include "core/tz.h"

void sched_time(const struct sched_run *r, int slot, char *buf, size_t size)
{
	int y, m, d, min = slot % SCHEDULE_DAY_SLOTS * SCHEDULE_SLOT_MIN;

	tz_civil_from_days(r->first_day + slot / SCHEDULE_DAY_SLOTS, &y, &m,
			   &d);
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", y, m, d, min / 60,
		 min % 60);
}

void sched_day(const struct sched_run *r, int day, char *buf, size_t size)
{
	int64_t days = r->first_day + day;
	int y, m, d;

	tz_civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%s %04d-%02d-%02d",
		 r->w->wdays[((days % 7) + 7 + 3) % 7], y, m, d);
}

static int slots(const struct sched_run *r)
{
	return schedule_slots(&r->p);
}

/* Figures of a site or of the whole (site -1), from the roster. */
struct tally {
	int shifts, agents_used;
	double paid_h, cost;
};

static struct tally tally(const struct sched_run *r, int site)
{
	const struct schedule_roster *ro = &r->roster;
	struct tally t = {0};

	for (size_t k = 0; k < ro->n; k++) {
		const struct schedule_shift *s = &ro->shift[k];

		if (ro->agent[k] < 0 || (site >= 0 && s->site != site))
			continue;
		t.shifts++;
		t.paid_h += schedule_work_min(s) / 60.0;
		t.cost += schedule_shift_cost(&r->p, s);
	}
	for (int s = 0; s < r->p.nsites; s++) {
		char *used;

		if (site >= 0 && s != site)
			continue;
		used = calloc(r->sites[s].agents ? r->sites[s].agents : 1, 1);
		for (size_t k = 0; used && k < ro->n; k++)
			if (ro->shift[k].site == s && ro->agent[k] >= 0)
				used[ro->agent[k]] = 1;
		for (int a = 0; used && a < r->sites[s].agents; a++)
			t.agents_used += used[a];
		free(used);
	}
	return t;
}

/* Agent-hours required, staffed, missing and in excess for a group. */
struct cover {
	double required, scheduled, under, over;
	int under_slots;
};

static struct cover cover(const struct sched_run *r, int g)
{
	struct cover c = {0};

	for (int t = 0; t < slots(r); t++) {
		int need = r->required[g * slots(r) + t];
		int have = r->covered[g * slots(r) + t];

		c.required += need / 4.0;
		c.scheduled += have / 4.0;
		if (have < need) {
			c.under += (need - have) / 4.0;
			c.under_slots++;
		} else {
			c.over += (have - need) / 4.0;
		}
	}
	return c;
}

/* ---- table ------------------------------------------------------------ */

static void print_head(const struct sched_run *r, FILE *f)
{
	const struct schedule_ip_result *res = &r->res;
	const struct schedule_service *sv = &r->service;
	const struct schedule_words *w = r->w;
	const struct words *cw = r->cw;
	char from[20], to[20];

	sched_day(r, 0, from, sizeof(from));
	sched_day(r, r->p.days - 1, to, sizeof(to));
	WORDS_SAY(f, w->title, from, to, WORDS_COUNT(cw, r->p.days, w->days),
		  WORDS_COUNT(cw, r->p.nsites, w->sites),
		  WORDS_COUNT(cw, r->p.ngroups, w->groups));
	WORDS_SAY(f, w->staffing_head, sv->patience_s > 0 ? "A" : "C",
		  WORDS_NUM(cw, "%.0f", 100 * sv->target.service_level),
		  WORDS_NUM(cw, "%.0f", sv->threshold_s));
	if (sv->patience_s > 0)
		WORDS_SAY(f, w->patience,
			  WORDS_NUM(cw, "%.0f", sv->patience_s));
	if (sv->target.max_occupancy > 0)
		WORDS_SAY(
			f, w->occupancy,
			WORDS_NUM(cw, "%.0f", 100 * sv->target.max_occupancy));
	WORDS_SAY(f, w->shrinkage,
		  WORDS_NUM(cw, "%.0f", 100 * sv->target.shrinkage));
	WORDS_SAY(
		f, w->solver, w->status[res->status],
		WORDS_NUM(cw, "%.1f", res->solve_s),
		WORDS_NUM(cw, "%.2f", isnan(res->gap) ? 100.0 : 100 * res->gap),
		WORDS_NUM(cw, "%d", res->cols), WORDS_NUM(cw, "%d", res->rows),
		WORDS_COUNT(cw, res->nodes, w->nodes),
		res->heuristic ? w->heuristic : "");
	if (res->rounds > 1)
		WORDS_SAY(f, w->rounds, WORDS_NUM(cw, "%d", res->rounds),
			  WORDS_NUM(cw, "%.1f", res->total_s));
	else
		fputc('\n', f);
}

/* A line of the sites table: site, kind, then five figures. */
static void site_row(const struct sched_run *r, const int *width,
		     const char *site, const char *kind, int agents,
		     const struct tally *t, FILE *f)
{
	const struct words *cw = r->cw;

	words_row(f, 0, 1, width,
		  (const char *[]){site, kind, WORDS_NUM(cw, "%d", agents),
				   WORDS_NUM(cw, "%d", t->agents_used),
				   WORDS_NUM(cw, "%d", t->shifts),
				   WORDS_NUM(cw, "%.1f", t->paid_h),
				   WORDS_NUM(cw, "%.2f", t->cost)},
		  7);
}

static void print_sites(const struct sched_run *r, FILE *f)
{
	static const int min[7] = {-14, -9, 7, 7, 7, 9, 12};
	struct tally all = tally(r, -1);
	int agents = 0, width[7];

	for (int i = 0; i < 7; i++)
		width[i] = words_col(min[i], r->w->site_head[i]);
	words_row(f, 0, 1, width, r->w->site_head, 7);
	for (int s = 0; s < r->p.nsites; s++) {
		struct tally t = tally(r, s);

		agents += r->sites[s].agents;
		site_row(r, width, r->in[s].id,
			 r->in[s].kind ? r->in[s].kind : "-",
			 r->sites[s].agents, &t, f);
	}
	site_row(r, width, r->w->total, "", agents, &all, f);
	fputc('\n', f);
}

/* The peak of the four quarter hours of hour h of day d. */
static int hour_peak(const struct sched_run *r, const int *v, int g, int d,
		     int h)
{
	int peak = 0, t0 = d * SCHEDULE_DAY_SLOTS + h * 4;

	for (int t = t0; t < t0 + 4; t++)
		if (v[g * slots(r) + t] > peak)
			peak = v[g * slots(r) + t];
	return peak;
}

static void spark(const struct sched_run *r, const int *v, int g, int d,
		  int top, FILE *f)
{
	static const char *const bars[9] = {" ", "▁", "▂", "▃", "▄",
					    "▅", "▆", "▇", "█"};

	for (int h = 0; h < 24; h++) {
		int x = hour_peak(r, v, g, d, h);
		int level =
			x <= 0 ? 0 : 1 + (int)((x - 1) * 8L / (top ? top : 1));

		fputs(bars[level > 8 ? 8 : level], f);
	}
}

static void print_coverage(const struct sched_run *r, int g, FILE *f)
{
	struct cover c = cover(r, g);
	int top = 1;

	for (int t = 0; t < slots(r); t++) {
		if (r->required[g * slots(r) + t] > top)
			top = r->required[g * slots(r) + t];
		if (r->covered[g * slots(r) + t] > top)
			top = r->covered[g * slots(r) + t];
	}
	WORDS_SAY(f, r->w->coverage, r->group[g],
		  WORDS_NUM(r->cw, "%.1f", c.required),
		  WORDS_NUM(r->cw, "%.1f", c.scheduled),
		  WORDS_NUM(r->cw, "%.1f", c.under),
		  WORDS_COUNT(r->cw, c.under_slots, r->w->intervals),
		  WORDS_NUM(r->cw, "%.1f", c.over));
	fputs(r->w->legend, f);
	fprintf(f, "%20s0     6     12    18    24\n", "");
	for (int d = 0; d < r->p.days; d++) {
		char day[20], marks[25] = {0};

		sched_day(r, d, day, sizeof(day));
		for (int h = 0; h < 24; h++) {
			int t0 = d * SCHEDULE_DAY_SLOTS + h * 4, k;

			for (k = t0; k < t0 + 4; k++)
				if (r->covered[g * slots(r) + k] <
				    r->required[g * slots(r) + k])
					break;
			marks[h] = k < t0 + 4 ? '!' : ' ';
		}
		fprintf(f, "  %-15s %s ", day, r->w->mark_required);
		spark(r, r->required, g, d, top, f);
		fprintf(f, "\n  %-15s %s ", "", r->w->mark_scheduled);
		spark(r, r->covered, g, d, top, f);
		if (strchr(marks, '!'))
			fprintf(f, "\n  %-15s   %s", "", marks);
		fputc('\n', f);
	}
	fputc('\n', f);
}

static void hhmm(int slot, char *buf, size_t size)
{
	int min = slot % SCHEDULE_DAY_SLOTS * SCHEDULE_SLOT_MIN;

	snprintf(buf, size, "%02d:%02d", min / 60, min % 60);
}

/* "08:00-16:30" for a shift. */
static void span(const struct schedule_shift *s, char *buf, size_t size)
{
	char a[8], b[8];

	hhmm(s->start, a, sizeof(a));
	hhmm(s->start + s->len, b, sizeof(b));
	snprintf(buf, size, "%s-%s", a, b);
}

static void print_agent(const struct sched_run *r, int s, int a, FILE *f)
{
	const struct schedule_roster *ro = &r->roster;
	char cell[SCHEDULE_MAX_DAYS][16] = {{0}};
	double hours = 0;

	for (size_t k = 0; k < ro->n; k++) {
		const struct schedule_shift *sh = &ro->shift[k];
		int d = sh->start / SCHEDULE_DAY_SLOTS;

		if (sh->site != s || ro->agent[k] != a)
			continue;
		hours += schedule_work_min(sh) / 60.0;
		if (cell[d][0])
			strcpy(cell[d] + 11, "+");
		else
			span(sh, cell[d], sizeof(cell[d]));
	}
	words_pad(f, r->in[s].agent[a], -16);
	for (int d = 0; d < r->p.days; d++)
		fprintf(f, " %-12s", cell[d][0] ? cell[d] : "-");
	fputc(' ', f);
	words_pad(f, WORDS_NUM(r->cw, "%.1f", hours), 6);
	fputc('\n', f);
}

static void print_roster(const struct sched_run *r, FILE *f)
{
	const struct schedule_roster *ro = &r->roster;

	for (int s = 0; s < r->p.nsites; s++) {
		char *used =
			calloc(r->sites[s].agents ? r->sites[s].agents : 1, 1);
		int idle = 0;

		if (!used)
			return;
		for (size_t k = 0; k < ro->n; k++)
			if (ro->shift[k].site == s && ro->agent[k] >= 0)
				used[ro->agent[k]] = 1;
		WORDS_SAY(f, r->w->roster, r->in[s].id);
		words_pad(f, r->w->agent, -16);
		for (int d = 0; d < r->p.days; d++) {
			char day[20];

			sched_day(r, d, day, sizeof(day));
			fprintf(f, " %-3.3s %-8s", day, day + 9);
		}
		fputc(' ', f);
		words_pad(f, r->w->hours_head, 6);
		fputc('\n', f);
		for (int a = 0; a < r->sites[s].agents; a++) {
			if (used[a])
				print_agent(r, s, a, f);
			else
				idle++;
		}
		if (idle)
			WORDS_SAY(f, r->w->idle,
				  WORDS_COUNT(r->cw, idle, r->w->agents));
		fputc('\n', f);
		free(used);
	}
}

static void print_unassigned(const struct sched_run *r, FILE *f)
{
	const struct schedule_roster *ro = &r->roster;

	if (!ro->unassigned)
		return;
	fputs(r->w->unassigned, f);
	for (size_t k = 0; k < ro->n; k++) {
		char at[24], sp[16];

		if (ro->agent[k] >= 0)
			continue;
		sched_time(r, ro->shift[k].start, at, sizeof(at));
		span(&ro->shift[k], sp, sizeof(sp));
		fprintf(f, "  %-14s %-12s %s %s\n", r->in[ro->shift[k].site].id,
			r->group[ro->shift[k].group], at, sp + 6);
	}
	fputc('\n', f);
}

void sched_print_table(const struct sched_run *r, FILE *f)
{
	print_head(r, f);
	print_sites(r, f);
	for (int g = 0; g < r->p.ngroups; g++)
		print_coverage(r, g, f);
	print_roster(r, f);
	print_unassigned(r, f);
}

/* start, end, break start and end ("" when none) of a shift. */
static void shift_times(const struct sched_run *r,
			const struct schedule_shift *s, char t[4][24])
{
	sched_time(r, s->start, t[0], sizeof(t[0]));
	sched_time(r, s->start + s->len, t[1], sizeof(t[1]));
	t[2][0] = t[3][0] = 0;
	if (s->brk_len) {
		sched_time(r, s->start + s->brk, t[2], sizeof(t[2]));
		sched_time(r, s->start + s->brk + s->brk_len, t[3],
			   sizeof(t[3]));
	}
}

void sched_print_csv(const struct sched_run *r, FILE *f)
{
	const struct schedule_roster *ro = &r->roster;

	fprintf(f, "agent,site,group,start,end,break_start,break_end,"
		   "paid_hours,cost\n");
	for (size_t k = 0; k < ro->n; k++) {
		const struct schedule_shift *s = &ro->shift[k];
		char t[4][24];

		shift_times(r, s, t);
		if (ro->agent[k] >= 0)
			cli_csv_field(f, r->in[s->site].agent[ro->agent[k]],
				      false);
		fputc(',', f);
		cli_csv_field(f, r->in[s->site].id, false);
		fputc(',', f);
		cli_csv_field(f, r->group[s->group], false);
		fprintf(f, ",%s,%s,%s,%s,%.2f,%.2f\n", t[0], t[1], t[2], t[3],
			schedule_work_min(s) / 60.0,
			schedule_shift_cost(&r->p, s));
	}
}

/* ---- JSON ------------------------------------------------------------- */

/* jansson refuses NAN: null instead. */
static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *json_shift(const struct sched_run *r,
			  const struct schedule_shift *s)
{
	char t[4][24];

	shift_times(r, s, t);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:f,s:f}", "site",
			 r->in[s->site].id, "group", r->group[s->group],
			 "start", t[0], "end", t[1], "break_start", t[2],
			 "break_end", t[3], "paid_hours",
			 schedule_work_min(s) / 60.0, "cost",
			 schedule_shift_cost(&r->p, s));
}

static json_t *json_solver(const struct sched_run *r)
{
	const struct schedule_ip_result *res = &r->res;

	return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:f,s:f,s:f,s:i,s:i,s:i,"
			 "s:b,s:i,s:f}",
			 "status",
			 res->status == SCHEDULE_IP_OPTIMAL ? "optimal"
			 : res->status == SCHEDULE_IP_GAP   ? "gap"
							    : "time_limit",
			 "objective", jnum(res->objective), "cost",
			 jnum(res->cost), "penalty", jnum(res->penalty),
			 "bound", jnum(res->bound), "gap", jnum(res->gap),
			 "time_s", res->solve_s, "time_limit_s",
			 r->opts.time_limit_s, "mip_gap", r->opts.mip_gap,
			 "rows", res->rows, "columns", res->cols, "nodes",
			 res->nodes, "heuristic", res->heuristic, "rounds",
			 res->rounds, "total_s", res->total_s);
}

static json_t *json_sites(const struct sched_run *r)
{
	json_t *a = json_array();

	for (int s = 0; a && s < r->p.nsites; s++) {
		struct tally t = tally(r, s);

		json_array_append_new(
			a,
			json_pack("{s:s,s:s?,s:f,s:i,s:i,s:i,s:f,s:f}", "id",
				  r->in[s].id, "kind", r->in[s].kind,
				  "cost_per_hour", r->sites[s].cost_per_hour,
				  "agents", r->sites[s].agents, "agents_used",
				  t.agents_used, "shifts", t.shifts,
				  "paid_hours", t.paid_h, "cost", t.cost));
	}
	return a;
}

static json_t *json_ints(const int *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *json_groups(const struct sched_run *r)
{
	json_t *a = json_array();
	char start[24];

	sched_time(r, 0, start, sizeof(start));
	for (int g = 0; a && g < r->p.ngroups; g++) {
		struct cover c = cover(r, g);

		json_array_append_new(
			a,
			json_pack(
				"{s:s,s:b,s:f,s:f,s:f,s:f,s:i,s:s,s:i,s:o,"
				"s:o}",
				"name", r->group[g], "pool", r->pool[g],
				"required_agent_hours", c.required,
				"scheduled_agent_hours", c.scheduled,
				"under_agent_hours", c.under,
				"over_agent_hours", c.over, "under_intervals",
				c.under_slots, "first_interval", start,
				"interval_min", SCHEDULE_SLOT_MIN, "required",
				json_ints(r->required + g * slots(r), slots(r)),
				"scheduled",
				json_ints(r->covered + g * slots(r),
					  slots(r))));
	}
	return a;
}

static json_t *json_roster(const struct sched_run *r, json_t *unassigned)
{
	const struct schedule_roster *ro = &r->roster;
	json_t *a = json_array();

	for (int s = 0; a && s < r->p.nsites; s++) {
		for (int ag = 0; ag < r->sites[s].agents; ag++) {
			json_t *shifts = json_array();
			double hours = 0;

			for (size_t k = 0; shifts && k < ro->n; k++) {
				if (ro->shift[k].site != s ||
				    ro->agent[k] != ag)
					continue;
				hours +=
					schedule_work_min(&ro->shift[k]) / 60.0;
				json_array_append_new(
					shifts, json_shift(r, &ro->shift[k]));
			}
			json_array_append_new(
				a, json_pack("{s:s,s:s,s:f,s:o}", "agent",
					     r->in[s].agent[ag], "site",
					     r->in[s].id, "hours", hours,
					     "shifts", shifts));
		}
	}
	for (size_t k = 0; unassigned && k < ro->n; k++)
		if (ro->agent[k] < 0)
			json_array_append_new(unassigned,
					      json_shift(r, &ro->shift[k]));
	return a;
}

int sched_print_json(const struct sched_run *r, FILE *f)
{
	const struct schedule_service *sv = &r->service;
	struct tally all = tally(r, -1);
	json_t *unassigned = json_array(), *root;
	char day[24];
	int err = 0;

	sched_time(r, 0, day, sizeof(day));
	day[10] = '\0'; /* the date, in no language */
	root = json_pack(
		"{s:{s:s,s:i,s:i},s:{s:s,s:f,s:f,s:f,s:f,s:f},s:o,s:{s:i,s:f,"
		"s:f,s:i},s:o,s:o,s:o,s:o}",
		"horizon", "start", day, "days", r->p.days, "interval_min",
		SCHEDULE_SLOT_MIN, "staffing", "model",
		sv->patience_s > 0 ? "erlang_a" : "erlang_c", "service_level",
		sv->target.service_level, "threshold_s", sv->threshold_s,
		"patience_s", sv->patience_s, "max_occupancy",
		sv->target.max_occupancy, "shrinkage", sv->target.shrinkage,
		"solver", json_solver(r), "totals", "shifts", all.shifts,
		"paid_hours", all.paid_h, "cost", all.cost, "unassigned_shifts",
		(int)r->roster.unassigned, "sites", json_sites(r), "groups",
		json_groups(r), "roster", json_roster(r, unassigned),
		"unassigned", unassigned);
	if (!root || json_dumpf(root, f, JSON_INDENT(1)) || fputc('\n', f) < 0)
		err = ENOMEM;
	json_decref(root);
	return err;
}

/* ---- SVG -------------------------------------------------------------- */

#define SVG_W	 1000
#define SVG_H	 240 /* per group */
#define SVG_LEFT 50
#define SVG_TOP	 34

static double svg_x(const struct sched_run *r, int t)
{
	return SVG_LEFT + (double)t * (SVG_W - SVG_LEFT - 20) / slots(r);
}

/* A step path of v over the horizon, from the baseline when `area`. */
static void svg_steps(const struct sched_run *r, const int *v, double y0,
		      double scale, bool area, FILE *f)
{
	fprintf(f, "M%.1f %.1f", svg_x(r, 0), area ? y0 : y0 - v[0] * scale);
	for (int t = 0; t < slots(r); t++)
		fprintf(f, "L%.1f %.1fL%.1f %.1f", svg_x(r, t),
			y0 - v[t] * scale, svg_x(r, t + 1), y0 - v[t] * scale);
	if (area)
		fprintf(f, "L%.1f %.1fZ", svg_x(r, slots(r)), y0);
}

static void svg_axes(const struct sched_run *r, double y0, double scale,
		     int top, FILE *f)
{
	for (int d = 0; d <= r->p.days; d++) {
		double x = svg_x(r, d * SCHEDULE_DAY_SLOTS);
		char day[20];

		fprintf(f,
			"<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' "
			"stroke='#bbb'/>\n",
			x, y0 - top * scale, x, y0);
		if (d == r->p.days)
			break;
		sched_day(r, d, day, sizeof(day));
		fprintf(f, "<text x='%.1f' y='%.1f' font-size='11'>%s</text>\n",
			x + 3, y0 + 14, day);
	}
	for (int k = 0; k <= 2; k++) {
		double y = y0 - top * k / 2.0 * scale;

		fprintf(f,
			"<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' "
			"stroke='#eee'/><text x='%d' y='%.1f' font-size='11' "
			"text-anchor='end'>%g</text>\n",
			SVG_LEFT, y, SVG_W - 20, y, SVG_LEFT - 4, y + 4,
			top * k / 2.0);
	}
}

static void svg_xml_text(const char *s, FILE *f)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '\'')
			fputs("&apos;", f);
		else
			fputc(*s, f);
	}
}

static void svg_group(const struct sched_run *r, int g, FILE *f)
{
	const int *need = r->required + g * slots(r);
	const int *have = r->covered + g * slots(r);
	double y0 = g * SVG_H + SVG_H - 30, scale;
	struct cover c = cover(r, g);
	int top = 1;

	for (int t = 0; t < slots(r); t++)
		top = need[t] > top ? need[t] : have[t] > top ? have[t] : top;
	top += top % 2;
	scale = (SVG_H - SVG_TOP - 40.0) / top;
	fprintf(f, "<text x='%d' y='%d' font-size='13'>", SVG_LEFT,
		g * SVG_H + 20);
	svg_xml_text(r->group[g], f);
	WORDS_SAY(f, r->w->svg_title, WORDS_NUM(r->cw, "%.1f", c.under));
	fputs("</text>\n", f);
	svg_axes(r, y0, scale, top, f);
	fprintf(f, "<path fill='#9ecae1' stroke='#3182bd' d='");
	svg_steps(r, have, y0, scale, true, f);
	fprintf(f, "'/>\n");
	for (int t = 0; t < slots(r); t++)
		if (have[t] < need[t])
			fprintf(f,
				"<rect x='%.1f' y='%.1f' width='%.1f' "
				"height='%.1f' fill='#de2d26' "
				"fill-opacity='0.4'/>\n",
				svg_x(r, t), y0 - need[t] * scale,
				svg_x(r, t + 1) - svg_x(r, t),
				(need[t] - have[t]) * scale);
	fprintf(f, "<path fill='none' stroke='#de2d26' stroke-width='1.5' "
		   "d='");
	svg_steps(r, need, y0, scale, false, f);
	fprintf(f, "'/>\n");
}

void sched_print_svg(const struct sched_run *r, FILE *f)
{
	fprintf(f,
		"<svg xmlns='http://www.w3.org/2000/svg' width='%d' "
		"height='%d' viewBox='0 0 %d %d' font-family='sans-serif'>\n"
		"<rect width='100%%' height='100%%' fill='white'/>\n",
		SVG_W, SVG_H * r->p.ngroups, SVG_W, SVG_H * r->p.ngroups);
	for (int g = 0; g < r->p.ngroups; g++)
		svg_group(r, g, f);
	fprintf(f, "</svg>\n");
}
