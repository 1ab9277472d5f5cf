/*
 * relais forecast — contacts per queue and 15-minute interval for the
 * next days, from a CSV history of intervals (core/forecast_csv.h): a
 * Holt-Winters model of the daily totals with a weekly season, spread over
 * the day by each weekday's intraday profile (core/forecast.h).
 *
 * The command reads the file, hands the bytes to the core and prints: a
 * table (per-day totals and peak interval), the full interval grid as CSV
 * (start,queue,offered,aht_s: the input's own format, so it opens in a
 * spreadsheet and feeds staffing), or JSON. The table and the messages are
 * in French or English (--lang, else the environment; forecast_msg.c); the
 * CSV and JSON are the same in both. Exit status: 0, 1 (the data: file,
 * rows, a queue that cannot be fitted), 2 (the command line).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/forecast_msg.h"
#include "cli/words.h"
#include "sys/readfile.h"
#include "core/forecast.h"
#include "sys/zoneinfo.h"

#define MAX_FILE     (1024L * 1024 * 1024)
#define MAX_HOLIDAYS 1000

enum out_format { OUT_TABLE = 0, OUT_CSV, OUT_JSON };

struct fc_args {
	const struct forecast_words *w;
	const struct words *cw;
	const char *history, *queue, *zone;
	int days;
	enum hw_seasonal model;
	enum out_format out;
	struct forecast_special *special;
	size_t nspecial;
};

/*
 * For long runs (many queues, long histories): a line on stderr at most
 * once a second, after the first second.
 */
struct progress {
	const struct fc_args *a;
	struct timespec start, last;
	const char *queue;
	uint32_t index, count;
};

/* The JSON's weekdays, the same in every language (the table's: w->wdays). */
static const char *const wdays[] = {"Mon", "Tue", "Wed", "Thu",
				    "Fri", "Sat", "Sun"};

static void forecast_usage(const struct fc_args *a, FILE *f)
{
	WORDS_SAY(f, a->w->usage, WORDS_NUM(a->cw, "%d", FORECAST_MAX_HORIZON));
}

/* ---- arguments -------------------------------------------------------- */

static bool parse_date(const char *s, size_t len, int64_t *day)
{
	int y, m, d, n = 0, yy, mm, dd;

	if (len != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || s[4] != '-' || s[7] != '-' || y < 1900 || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return false;
	*day = tz_days_from_civil(y, m, d);
	tz_civil_from_days(*day, &yy, &mm, &dd);
	return mm == m && dd == d; /* not 2026-02-30 */
}

static bool parse_factor(const char *s, double *f)
{
	char *end;

	if (!*s || !strchr("0123456789.", *s))
		return false;
	*f = strtod(s, &end);
	return *end == '\0' && isfinite(*f) && *f >= 0 && *f <= 100;
}

/* "2026-12-25,2027-01-01=0.3": dates, each with an optional factor. */
static int parse_holidays(struct fc_args *a, const char *list)
{
	char *copy = strdup(list), *save = NULL, *tok, *eq;
	int rc = 0;

	if (!a->special)
		a->special = calloc(MAX_HOLIDAYS, sizeof(*a->special));
	if (!copy || !a->special) {
		free(copy);
		WORDS_ERROR("forecast", a->cw->no_memory);
		return 1;
	}
	for (tok = strtok_r(copy, ",", &save); tok && !rc;
	     tok = strtok_r(NULL, ",", &save)) {
		struct forecast_special *sp = &a->special[a->nspecial];

		if (a->nspecial == MAX_HOLIDAYS) {
			rc = WORDS_USAGE_ERROR(
				a->cw, "forecast", a->w->too_many_holidays,
				WORDS_NUM(a->cw, "%d", MAX_HOLIDAYS));
			break;
		}
		eq = strchr(tok, '=');
		sp->factor = NAN;
		if (!parse_date(tok, eq ? (size_t)(eq - tok) : strlen(tok),
				&sp->day) ||
		    (eq && !parse_factor(eq + 1, &sp->factor)))
			rc = WORDS_USAGE_ERROR(a->cw, "forecast",
					       a->w->bad_holiday, tok);
		a->nspecial++;
	}
	free(copy);
	return rc;
}

static int parse_days(struct fc_args *a, const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v < 1 || v > FORECAST_MAX_HORIZON) {
		char want[80];

		WORDS_FILL(want, a->cw->whole_in, "1",
			   WORDS_NUM(a->cw, "%d", FORECAST_MAX_HORIZON));
		return words_bad_value(a->cw, "forecast", "--days", s, want);
	}
	a->days = (int)v;
	return 0;
}

static int parse_model(struct fc_args *a, const char *s)
{
	if (!strcmp(s, "additive")) {
		a->model = HW_ADDITIVE;
	} else if (!strcmp(s, "multiplicative")) {
		a->model = HW_MULTIPLICATIVE;
	} else {
		char want[80];

		WORDS_FILL(want, a->cw->or2, "additive", "multiplicative");
		return words_bad_value(a->cw, "forecast", "--model", s, want);
	}
	return 0;
}

static int set_format(struct fc_args *a, enum out_format f)
{
	if (a->out != OUT_TABLE && a->out != f)
		return WORDS_USAGE_ERROR(a->cw, "forecast", a->cw->json_or_csv);
	a->out = f;
	return 0;
}

/* 0 to run, 2 bad usage, -1 help printed. */
static int parse_args(struct fc_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{"history", required_argument, NULL, 'f'},
		{"queue", required_argument, NULL, 'q'},
		{"days", required_argument, NULL, 'd'},
		{"model", required_argument, NULL, 'm'},
		{"holidays", required_argument, NULL, 'H'},
		{"tz", required_argument, NULL, 'z'},
		{"json", no_argument, NULL, 'j'},
		{"csv", no_argument, NULL, 'c'},
		{"lang", required_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc = 0;

	optind = 1;
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->history = optarg;
			break;
		case 'q':
			a->queue = optarg;
			break;
		case 'd':
			rc = parse_days(a, optarg);
			break;
		case 'm':
			rc = parse_model(a, optarg);
			break;
		case 'H':
			rc = parse_holidays(a, optarg);
			break;
		case 'z':
			a->zone = optarg;
			break;
		case 'j':
			rc = set_format(a, OUT_JSON);
			break;
		case 'c':
			rc = set_format(a, OUT_CSV);
			break;
		case 'L':
			break;
		case 'h':
			forecast_usage(a, stdout);
			return -1;
		default:
			rc = words_getopt_error(a->cw, "forecast", c, argv);
		}
	}
	if (!rc && optind != argc)
		rc = WORDS_USAGE_ERROR(a->cw, "forecast", a->cw->unexpected,
				       argv[optind]);
	if (!rc && !a->history)
		rc = WORDS_USAGE_ERROR(a->cw, "forecast", a->cw->required,
				       a->w->history_file);
	return rc;
}

/* ---- input ------------------------------------------------------------ */

static int load(const struct fc_args *a, struct forecast_history **hp)
{
	struct forecast_csv_error e;
	struct tz *tz = NULL;
	char *buf = NULL;
	size_t len = 0;
	int err;

	if (a->zone && (err = zoneinfo_load(&tz, a->zone))) {
		words_zone_error(a->cw, "forecast", a->zone, err);
		return 2;
	}
	err = file_read_all(a->history, MAX_FILE, &buf, &len);
	if (err) {
		words_file_error(a->cw, "forecast", a->history, err);
		tz_free(tz);
		return 1;
	}
	err = forecast_csv_parse(hp, buf, len, tz, &e);
	if (err)
		words_line_error(a->cw, "forecast", a->history, e.line,
				 e.msg[0] ? e.msg : words_strerror(a->cw, err));
	free(buf);
	tz_free(tz);
	return err ? 1 : 0;
}

/* ---- progress --------------------------------------------------------- */

static double since(const struct timespec *t0, const struct timespec *t1)
{
	return (double)(t1->tv_sec - t0->tv_sec) +
	       (double)(t1->tv_nsec - t0->tv_nsec) / 1e9;
}

static void on_progress(void *arg, int iter, double sse)
{
	struct progress *p = arg;
	const struct words *cw = p->a->cw;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (since(&p->start, &now) < 1 || since(&p->last, &now) < 1)
		return;
	WORDS_ERROR("forecast",
		    iter ? p->a->w->progress_step : p->a->w->progress,
		    WORDS_NUM(cw, "%u", p->index + 1),
		    WORDS_NUM(cw, "%u", p->count), p->queue,
		    WORDS_NUM(cw, "%d", iter), WORDS_NUM(cw, "%.6g", sse));
	p->last = now;
}

/* ---- output ----------------------------------------------------------- */

static void fmt_day(char *buf, size_t size, int64_t day)
{
	int y, m, d;

	tz_civil_from_days(day, &y, &m, &d);
	snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

static void fmt_slot(char *buf, size_t size, size_t k)
{
	snprintf(buf, size, "%02zu:%02zu", k * FORECAST_SLOT_MIN / 60,
		 k * FORECAST_SLOT_MIN % 60);
}

static size_t peak_slot(const double *slots)
{
	size_t best = 0;

	for (size_t k = 1; k < FORECAST_SLOTS; k++) {
		if (slots[k] > slots[best])
			best = k;
	}
	return best;
}

/* The JSON's name of the optimiser's end; the table's is in words. */
static const char *status_name(enum lbfgsb_status s)
{
	return s == LBFGSB_CONVERGED ? "converged"
	       : s == LBFGSB_MAXIT   ? "iteration limit"
				     : "line search stopped";
}

static void print_measures(const struct fc_args *a, const struct forecast *f)
{
	const struct hw *hw = f->model;
	const struct words *cw = a->cw;

	WORDS_SAY(stdout, a->w->in_sample, WORDS_NUM(cw, "%.1f", f->rmse),
		  WORDS_NUM(cw, "%zu", hw->fitted_days),
		  WORDS_NUM(cw, "%.6g", hw->sse));
	if (f->holdout)
		WORDS_SAY(stdout, a->w->holdout,
			  WORDS_NUM(cw, "%d", FORECAST_HOLDOUT),
			  WORDS_NUM(cw, "%.1f", 100 * f->mape),
			  WORDS_NUM(cw, "%.1f", 100 * f->wape),
			  WORDS_NUM(cw, "%.1f", 100 * f->interval_wape));
	else
		WORDS_SAY(stdout, a->w->no_holdout,
			  WORDS_NUM(cw, "%d",
				    2 * FORECAST_PERIOD + FORECAST_HOLDOUT));
}

static void print_model(const struct fc_args *a, const struct forecast *f,
			const char *queue, const struct forecast_series *s)
{
	const struct hw *hw = f->model;
	const struct words *cw = a->cw;
	bool add = hw->seasonal == HW_ADDITIVE;
	char d0[16], d1[16];

	fmt_day(d0, sizeof(d0), s->first_day);
	fmt_day(d1, sizeof(d1), s->first_day + (int64_t)s->ndays - 1);
	WORDS_SAY(stdout, a->w->queue_head, queue,
		  WORDS_NUM(cw, "%zu", s->ndays), d0, d1);
	WORDS_SAY(stdout, a->w->fit, a->w->model[hw->seasonal],
		  WORDS_NUM(cw, "%.4f", hw->params.alpha),
		  WORDS_NUM(cw, "%.4f", hw->params.beta),
		  WORDS_NUM(cw, "%.4f", hw->params.gamma),
		  a->w->status[hw->status]);
	WORDS_SAY(stdout, a->w->trend, WORDS_NUM(cw, "%.1f", hw->level),
		  WORDS_NUM(cw, "%+.2f",
			    fabs(hw->trend) < 0.005 ? 0 : hw->trend));
	for (int k = 0; k < FORECAST_PERIOD; k++)
		printf(" %s %s",
		       a->w->wdays[forecast_weekday(f->first_day + k)],
		       add ? WORDS_NUM(cw, "%+.1f", hw->season[k])
			   : WORDS_NUM(cw, "x%.3f", hw->season[k]));
	printf("\n");
	print_measures(a, f);
}

static void print_table(const struct forecast *f, const char *queue,
			const struct forecast_series *s,
			const struct fc_args *a)
{
	static const int min[5] = {-10, -3, 9, -13, 8}; /* < 0: to the left */
	const struct words *cw = a->cw;
	char day[16], at[8];
	int wd[5];

	print_model(a, f, queue, s);
	if (a->nspecial)
		WORDS_SAY(stdout,
			  a->w->special[words_plural(cw, f->factor_days)],
			  WORDS_NUM(cw, "%.3f", f->factor),
			  WORDS_NUM(cw, "%zu", f->factor_days));
	for (int i = 0; i < 5; i++)
		wd[i] = words_col(min[i], a->w->head[i]);
	putchar('\n');
	words_row(stdout, 2, 2, wd, a->w->head, 5);
	for (int d = 0; d < f->days; d++) {
		const double *slots = f->interval + (size_t)d * FORECAST_SLOTS;
		size_t k = peak_slot(slots);

		fmt_day(day, sizeof(day), f->first_day + d);
		if (slots[k] >= 0.05)
			fmt_slot(at, sizeof(at), k);
		else
			snprintf(at, sizeof(at), "-");
		words_row(
			stdout, 2, 2, wd,
			(const char *[]){
				day,
				a->w->wdays[forecast_weekday(f->first_day + d)],
				WORDS_NUM(cw, "%.1f", f->daily[d]), at,
				WORDS_NUM(cw, "%.1f", slots[k])},
			5);
	}
	printf("\n");
}

static void print_csv(const struct forecast *f, const char *queue)
{
	char day[16], at[8];

	for (int d = 0; d < f->days; d++) {
		int w = forecast_weekday(f->first_day + d);

		fmt_day(day, sizeof(day), f->first_day + d);
		for (size_t k = 0; k < FORECAST_SLOTS; k++) {
			double aht = f->aht[w][k];

			fmt_slot(at, sizeof(at), k);
			printf("%s %s,", day, at);
			cli_csv_field(stdout, queue, false);
			printf(",%.3f,", f->interval[d * FORECAST_SLOTS + k]);
			if (!isnan(aht))
				printf("%.1f", aht);
			putchar('\n');
		}
	}
}

/* jansson refuses NAN: null instead. */
static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *json_model(const struct forecast *f)
{
	const struct hw *hw = f->model;
	json_t *week = json_object();

	for (int k = 0; k < FORECAST_PERIOD; k++)
		json_object_set_new(week,
				    wdays[forecast_weekday(f->first_day + k)],
				    jnum(hw->season[k]));
	return json_pack(
		"{s:s,s:f,s:f,s:f,s:o,s:o,s:o,s:o,s:i,s:o,s:s}", "model",
		hw->seasonal == HW_ADDITIVE ? "additive" : "multiplicative",
		"alpha", hw->params.alpha, "beta", hw->params.beta, "gamma",
		hw->params.gamma, "sse", jnum(hw->sse), "rmse", jnum(f->rmse),
		"level", jnum(hw->level), "trend", jnum(hw->trend),
		"fitted_days", (int)hw->fitted_days, "season", week,
		"optimiser", status_name(hw->status));
}

static json_t *json_day(const struct forecast *f, int d)
{
	const double *slots = f->interval + (size_t)d * FORECAST_SLOTS;
	int w = forecast_weekday(f->first_day + d);
	char day[16], at[8];
	json_t *iv = json_array();
	size_t pk = peak_slot(slots);

	fmt_day(day, sizeof(day), f->first_day + d);
	for (size_t k = 0; k < FORECAST_SLOTS; k++) {
		fmt_slot(at, sizeof(at), k);
		json_array_append_new(iv,
				      json_pack("{s:s,s:o,s:o}", "start", at,
						"offered", jnum(slots[k]),
						"aht_s", jnum(f->aht[w][k])));
	}
	fmt_slot(at, sizeof(at), pk);
	return json_pack("{s:s,s:s,s:o,s:{s:s,s:o},s:o}", "date", day,
			 "weekday", wdays[w], "offered", jnum(f->daily[d]),
			 "peak", "start", at, "offered", jnum(slots[pk]),
			 "intervals", iv);
}

static json_t *json_queue(const struct forecast *f, const char *queue,
			  const struct forecast_series *s)
{
	json_t *days = json_array(), *hold = json_null();
	char d0[16], d1[16];

	for (int d = 0; d < f->days; d++)
		json_array_append_new(days, json_day(f, d));
	if (f->holdout)
		hold = json_pack("{s:i,s:o,s:o,s:o}", "days", FORECAST_HOLDOUT,
				 "mape", jnum(f->mape), "wape", jnum(f->wape),
				 "interval_wape", jnum(f->interval_wape));
	fmt_day(d0, sizeof(d0), s->first_day);
	fmt_day(d1, sizeof(d1), s->first_day + (int64_t)s->ndays - 1);
	return json_pack("{s:s,s:{s:s,s:s,s:i},s:o,s:o,s:{s:o,s:i},s:o}",
			 "queue", queue, "history", "first", d0, "last", d1,
			 "days", (int)s->ndays, "fit", json_model(f), "holdout",
			 hold, "special_days", "factor", jnum(f->factor),
			 "learnt_from", (int)f->factor_days, "forecast", days);
}

/* ---- the command ------------------------------------------------------ */

static int run_queue(const struct fc_args *a, const struct forecast_history *h,
		     uint32_t q, struct progress *p, json_t *out)
{
	struct forecast_opts o = {.seasonal = a->model,
				  .days = a->days,
				  .special = a->special,
				  .nspecial = a->nspecial,
				  .progress = on_progress,
				  .arg = p};
	struct forecast_series *s = NULL;
	struct forecast *f = NULL;
	char msg[256] = "";
	int err;

	p->queue = h->queues[q];
	on_progress(p, 0, NAN);
	err = forecast_series_build(&s, h, q, msg, sizeof(msg));
	if (!err)
		err = forecast_run(&f, s, &o, msg, sizeof(msg));
	if (err) {
		WORDS_ERROR("forecast", a->w->queue_error, h->queues[q],
			    msg[0] ? msg : words_strerror(a->cw, err));
	} else if (a->out == OUT_TABLE) {
		print_table(f, h->queues[q], s, a);
	} else if (a->out == OUT_CSV) {
		print_csv(f, h->queues[q]);
	} else {
		json_array_append_new(out, json_queue(f, h->queues[q], s));
	}
	forecast_free(f);
	forecast_series_free(s);
	return err ? 1 : 0;
}

static int find_queue(const struct fc_args *a, const struct forecast_history *h,
		      uint32_t *q)
{
	for (uint32_t i = 0; i < h->nqueues; i++) {
		if (!strcmp(h->queues[i], a->queue)) {
			*q = i;
			return 0;
		}
	}
	fputs("relais forecast: ", stderr);
	WORDS_SAY(stderr, a->w->no_queue, a->history, a->queue);
	for (uint32_t i = 0; i < h->nqueues && i < 20; i++)
		fprintf(stderr, " %s", h->queues[i]);
	fprintf(stderr, h->nqueues > 20 ? " …\n" : "\n");
	return 1;
}

static int run(const struct fc_args *a, const struct forecast_history *h)
{
	json_t *queues = json_array();
	uint32_t first = 0, last = (uint32_t)h->nqueues;
	struct progress p = {.a = a};
	int rc = 0;

	if (a->queue && find_queue(a, h, &first)) {
		json_decref(queues);
		return 1;
	}
	if (a->queue)
		last = first + 1;
	if (a->out == OUT_CSV)
		printf("start,queue,offered,aht_s\n");
	clock_gettime(CLOCK_MONOTONIC, &p.start);
	p.last = p.start;
	p.count = last - first;
	for (uint32_t q = first; q < last; q++) {
		p.index = q - first;
		rc |= run_queue(a, h, q, &p, queues);
	}
	if (a->out == OUT_JSON && json_array_size(queues)) {
		json_t *doc = json_pack("{s:s,s:i,s:o}", "history", a->history,
					"days", a->days, "queues", queues);

		json_dumpf(doc, stdout,
			   JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		printf("\n");
		json_decref(doc);
	} else {
		json_decref(queues);
	}
	return rc;
}

int cli_forecast(int argc, char **argv)
{
	const char *lang = words_lang(argc, argv);
	struct forecast_words w;
	struct words cw;
	struct fc_args a = {.w = &w, .cw = &cw, .days = 7};
	struct forecast_history *h = NULL;
	int rc;

	forecast_words_load(&w, lang);
	words_load(&cw, lang);
	rc = parse_args(&a, argc, argv);
	if (rc == 0)
		rc = load(&a, &h);
	if (rc == 0)
		rc = run(&a, h);
	forecast_history_free(h);
	free(a.special);
	return rc < 0 ? 0 : rc;
}
