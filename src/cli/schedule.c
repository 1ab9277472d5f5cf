/*
 * relais schedule — shifts and a roster for a forecast: staffing per
 * 15-minute interval with Erlang A (core/schedule.h), the shift-covering
 * integer program with GLPK (sys/schedule_ip.h), then named agents given
 * the chosen shifts under the labour rules of their site.
 *
 *	relais schedule --forecast FILE.csv --sites FILE.json [options]
 *
 * The forecast is `relais forecast --csv` output (start,queue,offered,
 * aht_s; "calls" is read as "offered"); the sites file describes the
 * groups of queues, the shifts one may work, the labour rules and the
 * sites (docs/wfm.md, "Requirements and schedules"). This file reads the
 * forecast and solves; schedule_sites.c reads the sites file and
 * schedule_out.c prints, in French or English (--lang, else the
 * environment; schedule_msg.c). Exit status: 0 (under-coverage is a
 * result, not an error), 1 (a file, the data, the solver), 2 (the command
 * line).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "sys/readfile.h"
#include "cli/schedule_cli.h"
#include "core/forecast_csv.h"
#include "sys/zoneinfo.h"

#define MAX_FILE (256L * 1024 * 1024)

enum out_format { OUT_TABLE = 0, OUT_CSV, OUT_JSON };

struct sched_args {
	const struct schedule_words *w;
	const struct words *cw;
	const char *forecast, *sites, *zone, *svg;
	double sl, threshold_s, patience_s, max_occupancy, shrinkage;
	double aht_s, time_limit_s, gap;
	int days, interval_min;
	enum out_format out;
	bool quiet;
};

/* "--sl 1.5: expected a number from 0 to 1 (excluded)"; returns 2. */
static int number(const struct sched_args *a, const char *name,
		  const char *text, double lo, double hi, bool hi_open,
		  double *out)
{
	char *end, want[96];
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (!errno && end != text && !*end && isfinite(v) && v >= lo &&
	    (hi_open ? v < hi : v <= hi)) {
		*out = v;
		return 0;
	}
	WORDS_FILL(want, hi_open ? a->cw->number_below : a->cw->number_in,
		   WORDS_INPUT("%g", lo), WORDS_INPUT("%g", hi));
	return words_bad_value(a->cw, "schedule", name, text, want);
}

static int whole(const struct sched_args *a, const char *name, const char *text,
		 int lo, int hi, int *out)
{
	double v;
	char want[96];

	if (number(a, name, text, lo, hi, false, &v))
		return 2;
	if (v != floor(v)) {
		WORDS_FILL(want, a->cw->whole_in, WORDS_NUM(a->cw, "%d", lo),
			   WORDS_NUM(a->cw, "%d", hi));
		return words_bad_value(a->cw, "schedule", name, text, want);
	}
	*out = (int)v;
	return 0;
}

/* --interval-min: 15, 30 or 60. */
static int interval_min(struct sched_args *a, const char *name,
			const char *text)
{
	char want[64];

	if (whole(a, name, text, 15, 60, &a->interval_min))
		return 2;
	if (60 % a->interval_min == 0 && a->interval_min % 15 == 0)
		return 0;
	WORDS_FILL(want, a->cw->or3, "15", "30", "60");
	return words_bad_value(a->cw, "schedule", name, text, want);
}

static int set_format(struct sched_args *a, enum out_format f)
{
	if (a->out != OUT_TABLE && a->out != f)
		return WORDS_USAGE_ERROR(a->cw, "schedule", a->cw->json_or_csv);
	a->out = f;
	return 0;
}

static int parse_option(struct sched_args *a, int c, const char *name)
{
	switch (c) {
	case 'f':
		a->forecast = optarg;
		return 0;
	case 's':
		a->sites = optarg;
		return 0;
	case 'z':
		a->zone = optarg;
		return 0;
	case 'S':
		a->svg = optarg;
		return 0;
	case 'q':
		a->quiet = true;
		return 0;
	case 'j':
		return set_format(a, OUT_JSON);
	case 'c':
		return set_format(a, OUT_CSV);
	case 'L':
		return 0;
	case 'l':
		return number(a, name, optarg, 0, 1, true, &a->sl);
	case 't':
		return number(a, name, optarg, 0, 86400, false,
			      &a->threshold_s);
	case 'p':
		return number(a, name, optarg, 0, 1e6, false, &a->patience_s);
	case 'o':
		return number(a, name, optarg, 0, 1, false, &a->max_occupancy);
	case 'k':
		return number(a, name, optarg, 0, 1, true, &a->shrinkage);
	case 'a':
		return number(a, name, optarg, 0, 1e6, false, &a->aht_s);
	case 'T':
		return number(a, name, optarg, 0, 1e6, false, &a->time_limit_s);
	case 'g':
		return number(a, name, optarg, 0, 1, false, &a->gap);
	case 'd':
		return whole(a, name, optarg, 1, SCHEDULE_MAX_DAYS, &a->days);
	case 'i':
		return interval_min(a, name, optarg);
	}
	return 2;
}

/* 0 to run, 2 bad usage, -1 help printed. */
static int parse_args(struct sched_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{"forecast", required_argument, NULL, 'f'},
		{"sites", required_argument, NULL, 's'},
		{"sl", required_argument, NULL, 'l'},
		{"target-sl", required_argument, NULL, 'l'},
		{"threshold-s", required_argument, NULL, 't'},
		{"patience-s", required_argument, NULL, 'p'},
		{"max-occupancy", required_argument, NULL, 'o'},
		{"shrinkage", required_argument, NULL, 'k'},
		{"aht-s", required_argument, NULL, 'a'},
		{"interval-min", required_argument, NULL, 'i'},
		{"days", required_argument, NULL, 'd'},
		{"tz", required_argument, NULL, 'z'},
		{"time-limit", required_argument, NULL, 'T'},
		{"gap", required_argument, NULL, 'g'},
		{"json", no_argument, NULL, 'j'},
		{"csv", no_argument, NULL, 'c'},
		{"svg", required_argument, NULL, 'S'},
		{"quiet", no_argument, NULL, 'q'},
		{"lang", required_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc = 0, at;

	optind = 1;
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, ":", opts, &at)) != -1) {
		if (c == 'h') {
			fputs(a->w->usage, stdout);
			return -1;
		}
		if (c == '?' || c == ':') {
			rc = words_getopt_error(a->cw, "schedule", c, argv);
		} else {
			char name[32];

			snprintf(name, sizeof(name), "--%s", opts[at].name);
			rc = parse_option(a, c, name);
		}
	}
	if (!rc && optind != argc)
		rc = WORDS_USAGE_ERROR(a->cw, "schedule", a->cw->unexpected,
				       argv[optind]);
	if (!rc && (!a->forecast || !a->sites))
		rc = WORDS_USAGE_ERROR(a->cw, "schedule", a->cw->required,
				       a->forecast ? a->w->sites_file
						   : a->w->forecast_file);
	return rc;
}

/* ---- files ------------------------------------------------------------ */

/*
 * The forecast parser wants an "offered" column. When the header names
 * "calls" instead (and no offered), *bufp is replaced by a copy whose
 * header says offered. Returns 0 or ENOMEM.
 */
static int calls_as_offered(char **bufp, size_t *lenp)
{
	char *buf = *bufp, *eol = memchr(buf, '\n', *lenp), *nb;
	size_t n = eol ? (size_t)(eol - buf) : *lenp, at = 0, pos = 0;
	bool offered = false, calls = false;

	while (pos <= n) {
		char *comma = memchr(buf + pos, ',', n - pos);
		size_t end = comma ? (size_t)(comma - buf) : n, b = pos,
		       e = end;

		while (b < e && buf[b] && strchr("\"\xef\xbb\xbf ", buf[b]))
			b++;
		while (e > b && buf[e - 1] && strchr("\"\r ", buf[e - 1]))
			e--;
		if (e - b == 7 && !strncasecmp(buf + b, "offered", 7))
			offered = true;
		if (e - b == 5 && !strncasecmp(buf + b, "calls", 5)) {
			calls = true;
			at = b;
		}
		pos = end + 1;
	}
	if (offered || !calls)
		return 0;
	nb = malloc(*lenp + 2);
	if (!nb)
		return ENOMEM;
	memcpy(nb, buf, at);
	memcpy(nb + at, "offered", 7);
	memcpy(nb + at + 7, buf + at + 5, *lenp - at - 5);
	free(buf);
	*bufp = nb;
	*lenp += 2;
	return 0;
}

static int load_forecast(const struct sched_args *a,
			 struct forecast_history **hp)
{
	struct forecast_csv_error e = {0};
	struct tz *tz = NULL;
	char *buf = NULL;
	size_t len = 0;
	int err;

	if (a->zone && (err = zoneinfo_load(&tz, a->zone))) {
		words_zone_error(a->cw, "schedule", a->zone, err);
		return 2;
	}
	err = file_read_all(a->forecast, MAX_FILE, &buf, &len);
	if (err) {
		words_file_error(a->cw, "schedule", a->forecast, err);
		tz_free(tz);
		return 1;
	}
	err = calls_as_offered(&buf, &len);
	if (!err)
		err = forecast_csv_parse(hp, buf, len, tz, &e);
	if (err)
		words_line_error(a->cw, "schedule", a->forecast, e.line,
				 e.msg[0] ? e.msg : words_strerror(a->cw, err));
	free(buf);
	tz_free(tz);
	return err ? 1 : 0;
}

/* ---- requirements, solving -------------------------------------------- */

/* The horizon: from the first date of the forecast, --days or its days. */
static int horizon(const struct sched_args *a, struct sched_run *r,
		   const struct forecast_history *h)
{
	int64_t first = h->last_day;

	for (size_t k = 0; k < h->nrows; k++)
		if (h->rows[k].day < first)
			first = h->rows[k].day;
	r->first_day = first;
	if (!h->nrows) {
		WORDS_ERROR("schedule", a->w->no_intervals, a->forecast);
		return 1;
	}
	r->p.days = a->days ? a->days : (int)(h->last_day - first + 1);
	if (r->p.days > SCHEDULE_MAX_DAYS) {
		WORDS_ERROR("schedule", a->w->too_long, a->forecast,
			    WORDS_NUM(a->cw, "%d", r->p.days));
		return 1;
	}
	return 0;
}

static int forecast_loads(const struct sched_args *a, const struct sched_run *r,
			  const struct forecast_history *h,
			  struct schedule_load *l, size_t *n)
{
	int slots = schedule_slots(&r->p), span = a->interval_min / 15;

	*n = 0;
	for (size_t q = 0; q < h->nqueues; q++) {
		for (size_t k = h->queue_rows[q]; k < h->queue_rows[q + 1];
		     k++) {
			const struct forecast_row *row = &h->rows[k];
			int64_t d = row->day - r->first_day;
			double aht = isnan(row->aht_s) ? a->aht_s : row->aht_s;
			char at[24];

			if (d < 0 || d >= r->p.days || row->offered <= 0)
				continue;
			if (!(aht > 0)) {
				sched_time(r,
					   (int)d * SCHEDULE_DAY_SLOTS +
						   row->slot,
					   at, sizeof(at));
				WORDS_ERROR("schedule", a->w->no_aht,
					    a->forecast, h->queues[q], at);
				return 1;
			}
			l[*n].slot = (int)d * SCHEDULE_DAY_SLOTS + row->slot;
			l[*n].slots = l[*n].slot + span > slots
					      ? slots - l[*n].slot
					      : span;
			l[*n].group = r->queue_group[q];
			l[*n].calls = row->offered;
			l[(*n)++].aht_s = aht;
		}
	}
	return 0;
}

static int requirements(const struct sched_args *a, struct sched_run *r,
			const struct forecast_history *h)
{
	struct schedule_load *l =
		malloc((h->nrows ? h->nrows : 1) * sizeof(*l));
	size_t slots = (size_t)schedule_slots(&r->p), n;
	char msg[300];
	int err;

	r->required = calloc(r->p.ngroups * slots, sizeof(int));
	r->covered = calloc(r->p.ngroups * slots, sizeof(int));
	if (!l || !r->required || !r->covered) {
		free(l);
		WORDS_ERROR("schedule", a->cw->no_memory);
		return 1;
	}
	r->p.required = r->required;
	r->service.model = ERLANG_A;
	r->service.threshold_s = a->threshold_s;
	r->service.patience_s = a->patience_s;
	r->service.target.service_level = a->sl;
	r->service.target.sl = ERLANG_SL_OFFERED;
	r->service.target.max_occupancy = a->max_occupancy;
	r->service.target.shrinkage = a->shrinkage;
	err = forecast_loads(a, r, h, l, &n);
	if (!err &&
	    schedule_requirements(&r->service, l, n, r->pool, r->p.ngroups,
				  (int)slots, r->required, msg, sizeof(msg))) {
		WORDS_ERROR("schedule", a->w->staffing, a->forecast, msg);
		err = 1;
	}
	free(l);
	if (!err && schedule_problem_check(&r->p, msg, sizeof(msg))) {
		WORDS_ERROR("schedule", a->cw->file_error, a->sites, msg);
		err = 1;
	}
	return err;
}

static void on_progress(const struct schedule_ip_progress *pr, void *arg)
{
	const struct sched_args *a = arg;
	const struct words *cw = a->cw;

	if (pr->elapsed_s < 2)
		return;
	WORDS_ERROR("schedule", a->w->progress,
		    WORDS_NUM(cw, "%.0f", pr->elapsed_s),
		    WORDS_NUM(cw, "%.2f", pr->incumbent),
		    WORDS_NUM(cw, "%.2f", pr->bound),
		    isnan(pr->gap) ? "-" : WORDS_NUM(cw, "%.2f", 100 * pr->gap),
		    WORDS_COUNT(cw, pr->nodes, a->w->nodes));
}

static int solve(const struct sched_args *a, struct sched_run *r)
{
	char msg[300];
	int err;

	r->opts.time_limit_s = a->time_limit_s;
	r->opts.mip_gap = a->gap;
	r->opts.progress = a->quiet ? NULL : on_progress;
	r->opts.arg = (void *)a;
	err = schedule_patterns(&r->p, &r->pat, &r->npat, msg, sizeof(msg));
	if (!err)
		err = schedule_ip_plan(&r->p, r->pat, r->npat, &r->opts,
				       &r->res, &r->roster, msg, sizeof(msg));
	if (!err)
		err = schedule_roster_check(&r->p, &r->roster, msg,
					    sizeof(msg));
	if (err) {
		WORDS_ERROR("schedule", "%s", msg);
		return 1;
	}
	for (size_t k = 0; k < r->roster.n; k++)
		if (r->roster.agent[k] >= 0)
			schedule_coverage(&r->p, &r->roster.shift[k], 1,
					  r->covered);
	if (r->roster.unassigned)
		WORDS_ERROR("schedule",
			    a->w->unassigned_warn[words_plural(
				    a->cw, (double)r->roster.unassigned)],
			    WORDS_NUM(a->cw, "%zu", r->roster.unassigned));
	return 0;
}

static int write_svg(const char *path, const struct sched_run *r)
{
	FILE *f = fopen(path, "w");

	if (f) {
		sched_print_svg(r, f);
		if (fclose(f) == 0)
			return 0;
	}
	words_file_error(r->cw, "schedule", path, errno);
	return 1;
}

static int output(const struct sched_args *a, const struct sched_run *r)
{
	int rc = 0;

	if (a->svg)
		rc = write_svg(a->svg, r);
	if (a->out == OUT_JSON && sched_print_json(r, stdout)) {
		WORDS_ERROR("schedule", a->cw->no_memory);
		rc = 1;
	} else if (a->out == OUT_CSV) {
		sched_print_csv(r, stdout);
	} else if (a->out == OUT_TABLE) {
		sched_print_table(r, stdout);
	}
	return rc;
}

int cli_schedule(int argc, char **argv)
{
	const char *lang = words_lang(argc, argv);
	struct schedule_words w;
	struct words cw;
	struct sched_args a = {.w = &w,
			       .cw = &cw,
			       .sl = 0.8,
			       .threshold_s = 20,
			       .patience_s = 120,
			       .max_occupancy = 0.85,
			       .shrinkage = 0.3,
			       .time_limit_s = 60,
			       .gap = 0.005,
			       .interval_min = 15};
	struct sched_run r = {.w = a.w, .cw = a.cw};
	struct forecast_history *h = NULL;
	int rc;

	schedule_words_load(&w, lang);
	words_load(&cw, lang);
	rc = parse_args(&a, argc, argv);
	if (rc)
		return rc < 0 ? 0 : rc;
	schedule_shape_default(&r.p.shape);
	rc = load_forecast(&a, &h);
	if (!rc)
		rc = horizon(&a, &r, h);
	if (!rc)
		rc = sched_load_sites(a.sites, &r, h);
	if (!rc)
		rc = requirements(&a, &r, h);
	forecast_history_free(h);
	if (!rc)
		rc = solve(&a, &r);
	if (!rc)
		rc = output(&a, &r);
	sched_run_free(&r);
	return rc;
}
