/*
 * relais sim — the simulator from the command line.
 *
 *   relais sim mmn --agents N --calls X --interval-s S --aht-s H
 *                  [--patience-s P] --threshold-s T --reps R --seed K [--json]
 *   relais sim SCENARIO.json [--reps R] [--seed K] [--json|--csv] [--svg F]
 *
 * The first checks the simulator (and the engine under it) against the
 * Erlang C / Erlang A formulas; the second plays a scenario file (see
 * docs/wfm.md, "Simulation") and reports the SPEC §5 measures per interval
 * and per queue, site and tenant, averaged over replications with 95%
 * confidence intervals. Tables, the chart and messages are in French or
 * English (--lang, else the environment; sim_msg.c); JSON and CSV are the
 * same in both. Exit status: 0, 1 (bad data, failed run), 2 (bad usage).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/sim_msg.h"
#include "cli/sim_scenario.h"
#include "cli/words.h"
#include "core/erlang.h"
#include "core/sim.h"

/* The words of a run: the command's, and the shared ones (w and cw point
 * to the texts beside them: a struct lang is not copied). */
struct lang {
	struct sim_words sw;
	struct words scw;
	const struct sim_words *w;
	const struct words *cw;
};

static void lang_of(struct lang *l, int argc, char **argv)
{
	const char *code = words_lang(argc, argv);

	sim_words_load(&l->sw, code);
	words_load(&l->scw, code);
	l->w = &l->sw;
	l->cw = &l->scw;
}

/* For cli_sim(), which has no --lang of its own: the environment's. */
static int usage(int argc, char **argv, int rc)
{
	struct lang l;

	lang_of(&l, argc, argv);
	fputs(l.w->usage, rc ? stderr : stdout);
	return rc;
}

static int bad_usage(const struct lang *l, const char *tmpl,
		     const char *const *args, size_t nargs)
{
	return words_usage_error(l->cw, "sim", tmpl, args, nargs);
}
#define BAD_USAGE(l, tmpl, ...) bad_usage(l, tmpl, WORDS_ARGS(__VA_ARGS__))

/* "--reps 0: expected a whole number from 1 to 100000"; returns 2. */
static int bad_value(const struct lang *l, const char *opt, const char *value,
		     const char *want)
{
	return words_bad_value(l->cw, "sim", opt, value, want);
}

static int bad_whole(const struct lang *l, const char *opt, const char *value,
		     const char *lo, const char *hi)
{
	char want[96];

	WORDS_FILL(want, l->cw->whole_in, lo, hi);
	return bad_value(l, opt, value, want);
}

/* --lang L or --lang=L at argv[*i], stepped over; the language is known. */
static bool skip_lang(int argc, char **argv, int *i)
{
	if (!strncmp(argv[*i], "--lang=", 7))
		return true;
	if (strcmp(argv[*i], "--lang"))
		return false;
	*i += *i + 1 < argc;
	return true;
}

static bool number(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno || !isfinite(v))
		return false;
	*out = v;
	return true;
}

/* ---- progress on stderr -------------------------------------------- */

struct progress {
	const struct lang *l;
	double t0, last;
	bool shown, tty, quiet;
};

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * On a terminal, a line redrawn every half second once the run has lasted
 * a second; elsewhere (logs), a line after 5 s, then every 30 s.
 */
static void on_progress(void *arg, unsigned rep, unsigned reps, double done)
{
	struct progress *p = arg;
	const struct words *cw = p->l->cw;
	double now = seconds();
	double every = p->tty ? 0.5 : 30, after = p->tty ? 1 : 5;

	if (p->quiet || now - p->t0 < after || now - p->last < every)
		return;
	p->last = now;
	p->shown = true;
	fprintf(stderr, "%srelais sim: ", p->tty ? "\r" : "");
	WORDS_SAY(
		stderr, p->l->w->progress,
		WORDS_NUM(cw, "%u", rep + (done < 1)),
		WORDS_NUM(cw, "%u", reps),
		WORDS_NUM(cw, "%.0f",
			  100.0 * ((double)rep + (done < 1 ? done : 0)) / reps),
		WORDS_NUM(cw, "%.0f", now - p->t0));
	fputs(p->tty ? "" : "\n", stderr);
}

static void progress_end(struct progress *p)
{
	if (p->shown && p->tty)
		fputs("\n", stderr);
}

/* ---- numbers as text -------------------------------------------------- */

/*
 * "12.3±0.4", "12,3±0,4" in French (scale: 100 for percentages); "-" when
 * undefined. For tables only.
 */
static const char *fmt_stat(char *buf, size_t size, const struct sim_stat *s,
			    double scale, int dec, char decimal)
{
	if (!s->n)
		snprintf(buf, size, "-");
	else if (s->ci95 < 0)
		words_num(buf, size, decimal, "%.*f", dec, s->mean * scale);
	else
		words_num(buf, size, decimal, "%.*f±%.*f", dec, s->mean * scale,
			  dec, s->ci95 * scale);
	return buf;
}

static json_t *stat_json(const struct sim_stat *s)
{
	if (!s->n)
		return json_null();
	return json_pack("{s:f,s:o}", "mean", s->mean, "ci95",
			 s->ci95 < 0 ? json_null() : json_real(s->ci95));
}

/* ---- relais sim mmn ----------------------------------------------------- */

struct mmn_args {
	struct lang l;
	struct sim_mmn in;
	struct sim_options opt;
	bool json, quiet;
};

/* Checks the values mmn_parse() read, by their names[] index. */
static int mmn_check(const struct mmn_args *a, const double *v,
		     const char *const *names, const char *const *text)
{
	const struct lang *l = &a->l;

	for (size_t k = 0; k < 6; k++) {
		if (v[k] < 0 && k != 4)
			return BAD_USAGE(l, l->cw->required, names[k]);
	}
	if (v[0] < 1 || v[0] > 100000 || v[0] != floor(v[0]))
		return bad_whole(l, names[0], text[0], "1", "100000");
	for (size_t k = 1; k <= 3; k++) {
		if (v[k] <= 0)
			return bad_value(l, names[k], text[k],
					 l->cw->number_gt0);
	}
	if (v[6] < 1 || v[6] > 100000 || v[6] != floor(v[6]))
		return bad_whole(l, names[6], text[6], "1", "100000");
	if (v[7] != floor(v[7]) || v[7] > 9007199254740991.0)
		return bad_whole(l, names[7], text[7], "0", "9007199254740991");
	return 0;
}

static int mmn_parse(int argc, char **argv, struct mmn_args *a)
{
	static const char *const names[] = {
		"--agents",	   "--calls",	    "--interval-s", "--aht-s",
		"--patience-s",	   "--threshold-s", "--reps",	    "--seed",
		"--calls-per-rep", "--warmup-s"};
	const struct lang *l = &a->l;
	double v[10] = {-1, -1, -1, -1, 0, -1, 10, 1, 0, 0};
	const char *text[10];
	int rc;

	for (size_t k = 0; k < 10; k++)
		text[k] = "";
	for (int i = 1; i < argc; i++) {
		size_t k = 0;

		if (!strcmp(argv[i], "--json")) {
			a->json = true;
			continue;
		}
		if (!strcmp(argv[i], "--quiet")) {
			a->quiet = true;
			continue;
		}
		if (skip_lang(argc, argv, &i))
			continue;
		if (!strcmp(argv[i], "--help")) {
			fputs(l->w->usage, stdout);
			return -1;
		}
		while (k < 10 && strcmp(argv[i], names[k]))
			k++;
		if (k == 10)
			return BAD_USAGE(l, l->cw->unknown, argv[i]);
		if (i + 1 >= argc)
			return BAD_USAGE(l, l->cw->no_value, argv[i]);
		text[k] = argv[++i];
		if (!number(text[k], &v[k]) || v[k] < 0)
			return bad_value(l, names[k], text[k],
					 l->cw->number_ge0);
	}
	rc = mmn_check(a, v, names, text);
	if (rc)
		return rc;
	a->in = (struct sim_mmn){(unsigned)v[0], v[1], v[2], v[3],
				 v[4],		 v[5], v[8], v[9]};
	a->opt.reps = (unsigned)v[6];
	a->opt.seed = (uint64_t)v[7];
	return 0;
}

static const enum sim_measure mmn_measures[] = {
	SIM_P_WAIT,   SIM_SERVICE_LEVEL_OFFERED, SIM_ABANDON_RATE,
	SIM_ASA,      SIM_SERVICE_LEVEL,	 SIM_AVG_WAIT,
	SIM_OCCUPANCY};
static const char *const mmn_keys[] = {"p_wait",
				       "service_level",
				       "p_abandon",
				       "asa_s",
				       "service_level_exclude_abandons",
				       "avg_wait_s",
				       "occupancy"};
#define NMMN (sizeof(mmn_measures) / sizeof(mmn_measures[0]))
_Static_assert(NMMN == SIM_MMN_ROWS, "a label per measure (sim_msg.h)");

/*
 * The formula's value of measure i (Erlang C or A from core/erlang.h), or
 * NAN when the model has no steady state.
 */
static double mmn_exact(const struct mmn_args *a, size_t i)
{
	struct erlang_in in = {a->in.calls, a->in.interval_s, a->in.aht_s,
			       a->in.threshold_s, a->in.patience_s};
	struct erlang_out o;

	if (erlang_eval(a->in.patience_s > 0 ? ERLANG_A : ERLANG_C,
			(int)a->in.agents, &in, &o, NULL, 0))
		return NAN;
	switch (mmn_measures[i]) {
	case SIM_P_WAIT:
		return o.p_wait;
	case SIM_SERVICE_LEVEL_OFFERED:
		return o.sl[ERLANG_SL_OFFERED];
	case SIM_ABANDON_RATE:
		return o.p_abandon;
	case SIM_ASA:
		return o.asa_answered_s;
	case SIM_SERVICE_LEVEL:
		return o.sl[ERLANG_SL_EXCLUDE_ABANDONS_T];
	case SIM_AVG_WAIT:
		return o.asa_s;
	default:
		return o.occupancy;
	}
}

static const struct sim_stat *mmn_stat(const struct sim_result *r, size_t i)
{
	enum sim_group g =
		mmn_measures[i] == SIM_OCCUPANCY ? SIM_G_ALL : SIM_G_QUEUE;

	return &sim_row(r, r->nintervals, g, 0)->m[mmn_measures[i]];
}

static void mmn_json(const struct mmn_args *a, const struct sim_result *r)
{
	json_t *o = json_pack(
		"{s:s,s:i,s:f,s:f,s:f,s:f,s:f,s:i,s:I,s:I,s:I}", "model",
		a->in.patience_s > 0 ? "M/M/n+M" : "M/M/n", "agents",
		(int)a->in.agents, "calls_per_interval", a->in.calls,
		"interval_s", a->in.interval_s, "aht_s", a->in.aht_s,
		"patience_s", a->in.patience_s, "threshold_s",
		a->in.threshold_s, "reps", (int)r->reps, "seed",
		(json_int_t)a->opt.seed, "calls", (json_int_t)r->calls,
		"engine_events", (json_int_t)r->engine_events);

	for (size_t i = 0; i < NMMN; i++) {
		json_t *st = stat_json(mmn_stat(r, i));
		double x = mmn_exact(a, i);

		if (json_is_object(st))
			json_object_set_new(st, "erlang",
					    isnan(x) ? json_null()
						     : json_real(x));
		json_object_set_new(o, mmn_keys[i], st);
	}
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(7));
	fputs("\n", stdout);
	json_decref(o);
}

static void mmn_head(const struct mmn_args *a, const struct sim_result *r)
{
	const struct sim_mmn *in = &a->in;
	const struct sim_words *w = a->l.w;
	const struct words *cw = a->l.cw;

	WORDS_SAY(stdout, w->mmn_title, WORDS_NUM(cw, "%u", in->agents),
		  in->patience_s > 0 ? "+M" : "",
		  WORDS_NUM(cw, "%g", in->calls),
		  WORDS_NUM(cw, "%g", in->interval_s),
		  WORDS_NUM(cw, "%g", in->aht_s));
	if (in->patience_s > 0)
		WORDS_SAY(stdout, w->mmn_patience,
			  WORDS_NUM(cw, "%g", in->patience_s));
	WORDS_SAY(stdout, w->mmn_threshold,
		  WORDS_NUM(cw, "%g", in->threshold_s));
	WORDS_SAY(stdout, w->mmn_runs, WORDS_COUNT(cw, r->reps, w->reps),
		  WORDS_NUM(cw, "%llu", (unsigned long long)a->opt.seed),
		  WORDS_NUM(cw, "%llu", (unsigned long long)r->calls));
}

static void mmn_table(const struct mmn_args *a, const struct sim_result *r)
{
	const struct sim_mmn *in = &a->in;
	const struct sim_words *w = a->l.w;
	const struct words *cw = a->l.cw;
	const char *head[4] = {w->mmn_head[0], w->mmn_head[1], w->mmn_head[2],
			       in->patience_s > 0 ? "Erlang A" : "Erlang C"};
	int width[4] = {-44, 11, 11, 11};

	mmn_head(a, r);
	for (int i = 0; i < 4; i++)
		width[i] = words_col(width[i], head[i]);
	words_row(stdout, 0, 1, width, head, 4);
	for (size_t i = 0; i < NMMN; i++) {
		const struct sim_stat *s = mmn_stat(r, i);
		double x = mmn_exact(a, i);

		words_row(stdout, 0, 1, width,
			  (const char *[]){
				  w->mmn_labels[i],
				  s->n ? WORDS_NUM(cw, "%.6f", s->mean) : "-",
				  s->n ? WORDS_NUM(cw, "%.6f",
						   s->ci95 < 0 ? 0 : s->ci95)
				       : "-",
				  isnan(x) ? "-" : WORDS_NUM(cw, "%.6f", x)},
			  4);
	}
	if (in->patience_s <= 0 &&
	    in->calls / in->interval_s * in->aht_s >= in->agents)
		WORDS_SAY(stdout, w->unstable,
			  WORDS_NUM(cw, "%.2f",
				    in->calls / in->interval_s * in->aht_s),
			  WORDS_NUM(cw, "%u", in->agents));
}

static int cmd_mmn(int argc, char **argv)
{
	struct mmn_args a = {0};
	struct progress p = {.l = &a.l, .t0 = seconds(), .tty = isatty(2)};
	struct sim_result r;
	struct sim_error err;
	int rc;

	lang_of(&a.l, argc, argv);
	rc = mmn_parse(argc, argv, &a);
	if (rc)
		return rc < 0 ? 0 : rc;
	p.quiet = a.quiet;
	a.opt.progress = on_progress;
	a.opt.arg = &p;
	rc = sim_mmn_run(&a.in, &a.opt, &r, &err);
	progress_end(&p);
	if (rc) {
		WORDS_ERROR("sim", "%s", err.msg);
		return rc == EINVAL ? 2 : 1;
	}
	if (a.json)
		mmn_json(&a, &r);
	else
		mmn_table(&a, &r);
	sim_result_free(&r);
	return 0;
}

/* ---- scenario output ------------------------------------------------------
 */

struct view {
	const struct lang *l;
	const struct scenario *s;
	const struct sim_result *r;
};

static const char *row_key(const struct view *v, enum sim_group g, size_t i)
{
	switch (g) {
	case SIM_G_QUEUE:
		return v->s->sc.queues[i].queue.id;
	case SIM_G_SITE:
		return v->s->sc.sites[i].id;
	case SIM_G_TENANT:
		return v->s->sc.tenants[i];
	default:
		return "all";
	}
}

static size_t group_count(const struct sim_result *r, enum sim_group g)
{
	return g == SIM_G_QUEUE	   ? r->nqueues
	       : g == SIM_G_SITE   ? r->nsites
	       : g == SIM_G_TENANT ? r->ntenants
				   : 1;
}

static const char *const group_names[] = {"all", "queue", "site", "tenant"};

/* Local time of the start of interval k (k == nintervals: "total"). */
static const char *interval_label(const struct view *v, size_t k, char *buf,
				  size_t size)
{
	int64_t s = (int64_t)v->s->start_min * 60 +
		    (int64_t)k * v->r->interval_ms / 1000;

	if (k == v->r->nintervals)
		return "total";
	s %= 86400;
	if (s % 60)
		snprintf(buf, size, "%02d:%02d:%02d", (int)(s / 3600),
			 (int)(s / 60 % 60), (int)(s % 60));
	else
		snprintf(buf, size, "%02d:%02d", (int)(s / 3600),
			 (int)(s / 60 % 60));
	return buf;
}

static bool counted(const struct view *v, size_t k)
{
	return k == v->r->nintervals ||
	       (int64_t)(k + 1) * v->r->interval_ms > v->r->warmup_ms;
}

static json_t *row_json(const struct view *v, size_t k, enum sim_group g,
			size_t i)
{
	const struct sim_row *row = sim_row(v->r, k, g, i);
	json_t *o = json_pack("{s:s}", "id", row_key(v, g, i));

	for (int m = 0; m < SIM_M_MAX; m++)
		json_object_set_new(o, sim_measure_name(m),
				    stat_json(&row->m[m]));
	return o;
}

static json_t *rows_json(const struct view *v, size_t k)
{
	json_t *o = json_object();

	json_object_set_new(o, "all", row_json(v, k, SIM_G_ALL, 0));
	for (int g = SIM_G_QUEUE; g <= SIM_G_TENANT; g++) {
		json_t *arr = json_array();
		char key[16];

		for (size_t i = 0; i < group_count(v->r, g); i++)
			json_array_append_new(arr, row_json(v, k, g, i));
		snprintf(key, sizeof(key), "%ss", group_names[g]);
		json_object_set_new(o, key, arr);
	}
	return o;
}

static void scenario_json(const struct view *v, uint64_t seed)
{
	const struct sim_result *r = v->r;
	json_t *iv = json_array();
	json_t *o = json_pack(
		"{s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "scenario",
		v->s->name, "reps", (int)r->reps, "seed", (json_int_t)seed,
		"interval_s", (json_int_t)(r->interval_ms / 1000), "warmup_s",
		(json_int_t)(r->warmup_ms / 1000), "duration_s",
		(json_int_t)(v->s->sc.duration_ms / 1000), "calls",
		(json_int_t)r->calls, "unresolved", (json_int_t)r->unresolved,
		"voicemail", (json_int_t)r->voicemail, "closed",
		(json_int_t)r->closed, "callbacks", (json_int_t)r->callbacks,
		"engine_events", (json_int_t)r->engine_events);
	char buf[16];

	json_object_set_new(o, "total", rows_json(v, r->nintervals));
	for (size_t k = 0; k < r->nintervals; k++) {
		json_t *row;

		if (!counted(v, k))
			continue;
		row = rows_json(v, k);
		json_object_set_new(
			row, "start",
			json_string(interval_label(v, k, buf, sizeof(buf))));
		json_array_append_new(iv, row);
	}
	json_object_set_new(o, "intervals", iv);
	json_dumpf(o, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(6));
	fputs("\n", stdout);
	json_decref(o);
}

static void scenario_csv(const struct view *v)
{
	const struct sim_result *r = v->r;
	char buf[16];

	fputs("start,group,key,reps", stdout);
	for (int m = 0; m < SIM_M_MAX; m++)
		printf(",%s,%s_ci95", sim_measure_name(m), sim_measure_name(m));
	fputs("\r\n", stdout);
	for (size_t k = 0; k <= r->nintervals; k++) {
		if (!counted(v, k))
			continue;
		for (int g = SIM_G_ALL; g <= SIM_G_TENANT; g++) {
			for (size_t i = 0; i < group_count(r, g); i++) {
				const struct sim_row *row = sim_row(r, k, g, i);

				printf("%s,%s,",
				       interval_label(v, k, buf, sizeof(buf)),
				       group_names[g]);
				cli_csv_field(stdout, row_key(v, g, i), false);
				printf(",%u", r->reps);
				for (int m = 0; m < SIM_M_MAX; m++) {
					const struct sim_stat *s = &row->m[m];

					if (s->n)
						printf(",%.6g", s->mean);
					else
						fputs(",", stdout);
					if (s->ci95 >= 0)
						printf(",%.6g", s->ci95);
					else
						fputs(",", stdout);
				}
				fputs("\r\n", stdout);
			}
		}
	}
}

/* A column of figures: a measure, scaled (100: a percentage). */
struct col {
	enum sim_measure m;
	double scale;
	int dec, width; /* the least width; the header may widen it */
};

static const struct col contacts_cols[] = {
	{SIM_OFFERED, 1, 1, 13},
	{SIM_ANSWERED, 1, 1, 13},
	{SIM_ABANDON_RATE, 100, 1, 11},
	{SIM_SERVICE_LEVEL, 100, 1, 11},
	{SIM_ASA, 1, 1, 11},
	{SIM_AHT, 1, 0, 10},
};

static const struct col sites_cols[] = {
	{SIM_AGENTS, 1, 1, 11},		  {SIM_HANDLED, 1, 1, 13},
	{SIM_OCCUPANCY, 100, 1, 11},	  {SIM_COST, 1, 0, 13},
	{SIM_COST_PER_CONTACT, 1, 2, 11},
};

static const struct col intervals_cols[] = {
	{SIM_OFFERED, 1, 1, 11}, {SIM_SERVICE_LEVEL, 100, 1, 11},
	{SIM_ASA, 1, 1, 11},	 {SIM_ABANDON_RATE, 100, 1, 11},
	{SIM_AGENTS, 1, 1, 9},	 {SIM_OCCUPANCY, 100, 1, 11},
};

#define NCOL(a) (sizeof(a) / sizeof((a)[0]))

/* A table: a label column (left), then its figures with their CIs. */
struct table {
	const struct view *v;
	const struct col *col;
	size_t ncol;
	int width[8];
};

/* Sets the widths (the least, or the header's) and prints the header. */
static void table_start(struct table *t, int label_width, const char *label,
			const char *const *head)
{
	const char *cell[8] = {label};

	t->width[0] = words_col(-label_width, label);
	for (size_t i = 0; i < t->ncol; i++) {
		t->width[i + 1] = words_col(t->col[i].width, head[i]);
		cell[i + 1] = head[i];
	}
	putchar('\n');
	words_row(stdout, 0, 1, t->width, cell, t->ncol + 1);
}

static void table_row(const struct table *t, const char *label,
		      const struct sim_row *row)
{
	char b[8][40], key[24];
	const char *cell[8] = {key};

	snprintf(key, sizeof(key), "%.20s", label);
	for (size_t i = 0; i < t->ncol; i++)
		cell[i + 1] = fmt_stat(b[i], sizeof(b[i]), &row->m[t->col[i].m],
				       t->col[i].scale, t->col[i].dec,
				       t->v->l->cw->decimal);
	words_row(stdout, 0, 1, t->width, cell, t->ncol + 1);
}

static void table_contacts(const struct view *v, enum sim_group g)
{
	const struct sim_words *w = v->l->w;
	struct table t = {v, contacts_cols, NCOL(contacts_cols), {0}};

	table_start(&t, 20, g == SIM_G_QUEUE ? w->queue : w->tenant,
		    w->contacts_head);
	for (size_t i = 0; i < group_count(v->r, g); i++)
		table_row(&t, row_key(v, g, i),
			  sim_row(v->r, v->r->nintervals, g, i));
}

static void table_sites(const struct view *v)
{
	const struct sim_result *r = v->r;
	const struct sim_words *w = v->l->w;
	struct table t = {v, sites_cols, NCOL(sites_cols), {0}};

	table_start(&t, 20, w->sites_head[0], w->sites_head + 1);
	for (size_t i = 0; i < r->nsites; i++)
		table_row(&t, row_key(v, SIM_G_SITE, i),
			  sim_row(r, r->nintervals, SIM_G_SITE, i));
	table_row(&t, w->centre_row, sim_row(r, r->nintervals, SIM_G_ALL, 0));
}

static void table_intervals(const struct view *v)
{
	const struct sim_result *r = v->r;
	const struct sim_words *w = v->l->w;
	struct table t = {v, intervals_cols, NCOL(intervals_cols), {0}};
	char at[16];

	table_start(&t, 8, w->intervals_head[0], w->intervals_head + 1);
	for (size_t k = 0; k < r->nintervals; k++) {
		if (counted(v, k))
			table_row(&t, interval_label(v, k, at, sizeof(at)),
				  sim_row(r, k, SIM_G_ALL, 0));
	}
}

static void scenario_table(const struct view *v, uint64_t seed)
{
	const struct sim_result *r = v->r;
	const struct sim_words *w = v->l->w;
	const struct words *cw = v->l->cw;

	WORDS_SAY(stdout, w->title, v->s->name,
		  WORDS_COUNT(cw, r->reps, w->reps),
		  WORDS_NUM(cw, "%llu", (unsigned long long)seed),
		  WORDS_COUNT(cw, r->nintervals, w->intervals),
		  WORDS_NUM(cw, "%lld", (long long)(r->interval_ms / 1000)));
	if (r->warmup_ms)
		WORDS_SAY(stdout, w->warmup,
			  WORDS_NUM(cw, "%lld",
				    (long long)(r->warmup_ms / 1000)));
	WORDS_SAY(stdout, w->offered,
		  WORDS_NUM(cw, "%llu", (unsigned long long)r->calls));
	if (r->callbacks || r->voicemail || r->closed)
		WORDS_SAY(stdout, " (%s, %s, %s)",
			  WORDS_COUNT(cw, r->callbacks, w->callbacks),
			  WORDS_COUNT(cw, r->voicemail, w->voicemails),
			  WORDS_COUNT(cw, r->closed, w->closed));
	if (r->unresolved)
		WORDS_SAY(stdout, w->unresolved,
			  WORDS_NUM(cw, "%llu",
				    (unsigned long long)r->unresolved));
	words_say(stdout, w->legend, NULL, 0);
	table_contacts(v, SIM_G_QUEUE);
	table_contacts(v, SIM_G_TENANT);
	table_sites(v);
	table_intervals(v);
}

/* ---- the SVG chart --------------------------------------------------------
 */

#define SVG_W 900
#define SVG_H 420
#define SVG_L 60
#define SVG_R 60
#define SVG_T 40
#define SVG_B 60

static double svg_x(const struct sim_result *r, double k)
{
	return SVG_L + (SVG_W - SVG_L - SVG_R) * k / (double)r->nintervals;
}

static double svg_y(double frac)
{
	return SVG_T + (SVG_H - SVG_T - SVG_B) * (1 - frac);
}

static void svg_axes(FILE *f, const struct view *v, double top)
{
	const struct sim_result *r = v->r;
	size_t step = r->nintervals > 24 ? r->nintervals / 12 : 1;
	char t[16];

	fprintf(f,
		"<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>\n"
		"<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>\n",
		SVG_L, SVG_H - SVG_B, SVG_W - SVG_R, SVG_H - SVG_B, SVG_L,
		SVG_T, SVG_L, SVG_H - SVG_B);
	for (int i = 0; i <= 4; i++) {
		double y = svg_y(i / 4.0);

		fprintf(f,
			"<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' "
			"stroke='#ddd'/>\n"
			"<text x='%d' y='%.1f' text-anchor='end'>%.0f</text>\n"
			"<text x='%d' y='%.1f'>%d%%</text>\n",
			SVG_L, y, SVG_W - SVG_R, y, SVG_L - 6, y + 4,
			top * i / 4, SVG_W - SVG_R + 6, y + 4, 25 * i);
	}
	for (size_t k = 0; k < r->nintervals; k += step)
		fprintf(f,
			"<text x='%.1f' y='%d' "
			"text-anchor='middle'>%s</text>\n",
			svg_x(r, (double)k + 0.5), SVG_H - SVG_B + 18,
			interval_label(v, k, t, sizeof(t)));
}

static void svg_series(FILE *f, const struct view *v, double top)
{
	const struct sim_result *r = v->r;
	double bw = (SVG_W - SVG_L - SVG_R) / (double)r->nintervals;
	bool pen = false;

	for (size_t k = 0; k < r->nintervals; k++) {
		const struct sim_stat *o =
			&sim_row(r, k, SIM_G_ALL, 0)->m[SIM_OFFERED];
		double h = o->n && top > 0 ? o->mean / top : 0;

		fprintf(f,
			"<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' "
			"fill='#9ecae1'/>\n",
			svg_x(r, (double)k) + bw * 0.1, svg_y(h), bw * 0.8,
			svg_y(0) - svg_y(h));
	}
	fputs("<polyline fill='none' stroke='#d62728' stroke-width='2' "
	      "points='",
	      f);
	for (size_t k = 0; k < r->nintervals; k++) {
		const struct sim_stat *s =
			&sim_row(r, k, SIM_G_ALL, 0)->m[SIM_SERVICE_LEVEL];

		if (!s->n) {
			if (pen)
				fputs("'/>\n<polyline fill='none' "
				      "stroke='#d62728' stroke-width='2' "
				      "points='",
				      f);
			pen = false;
			continue;
		}
		fprintf(f, "%.1f,%.1f ", svg_x(r, (double)k + 0.5),
			svg_y(s->mean));
		pen = true;
	}
	fputs("'/>\n", f);
	for (size_t k = 0; k < r->nintervals; k++) {
		const struct sim_stat *s =
			&sim_row(r, k, SIM_G_ALL, 0)->m[SIM_SERVICE_LEVEL];
		double x = svg_x(r, (double)k + 0.5);

		if (s->n && s->ci95 > 0)
			fprintf(f,
				"<line x1='%.1f' y1='%.1f' x2='%.1f' "
				"y2='%.1f' stroke='#d62728' "
				"stroke-opacity='0.5'/>\n",
				x, svg_y(fmin(1, s->mean + s->ci95)), x,
				svg_y(fmax(0, s->mean - s->ci95)));
	}
}

/* The left axis: four steps of 1, 2, 2.5 or 5 times a power of ten. */
static double svg_top(double max)
{
	static const double nice[] = {1, 2, 2.5, 5, 10};
	double raw = max > 0 ? max / 4 : 1, mag = pow(10, floor(log10(raw)));
	size_t i = 0;

	while (i < 4 && nice[i] * mag < raw)
		i++;
	return 4 * nice[i] * mag;
}

static int scenario_svg(const struct view *v, const char *path)
{
	const struct sim_result *r = v->r;
	const struct words *cw = v->l->cw;
	FILE *f = fopen(path, "w");
	double top = 0;

	if (!f) {
		WORDS_ERROR("sim", cw->cannot_write, path,
			    words_strerror(cw, errno));
		return 1;
	}
	for (size_t k = 0; k < r->nintervals; k++) {
		const struct sim_stat *o =
			&sim_row(r, k, SIM_G_ALL, 0)->m[SIM_OFFERED];

		if (o->n && o->mean > top)
			top = o->mean;
	}
	top = svg_top(top);
	fprintf(f,
		"<svg xmlns='http://www.w3.org/2000/svg' width='%d' "
		"height='%d' font-family='sans-serif' font-size='12'>\n"
		"<rect width='100%%' height='100%%' fill='white'/>\n"
		"<text x='%d' y='24' font-size='15'>",
		SVG_W, SVG_H, SVG_L);
	for (const char *p = v->s->name; *p; p++) {
		if (*p == '<' || *p == '&' || *p == '>')
			fprintf(f, "&#%d;", *p);
		else
			fputc(*p, f);
	}
	words_say(f, v->l->w->svg_title, NULL, 0);
	fputs("</text>\n", f);
	svg_axes(f, v, top);
	svg_series(f, v, top);
	fputs("</svg>\n", f);
	if (fclose(f)) {
		WORDS_ERROR("sim", cw->cannot_write, path,
			    words_strerror(cw, errno));
		return 1;
	}
	return 0;
}

/* ---- relais sim SCENARIO.json ------------------------------------------ */

struct scen_args {
	struct lang l;
	const char *path, *svg;
	double reps, seed;
	bool json, csv, quiet;
};

/* --reps R or --seed K at argv[*i]: 0, or 2 with the message. */
static int scen_number(struct scen_args *a, int argc, char **argv, int *i)
{
	const char *o = argv[*i], *val;
	bool reps = !strcmp(o, "--reps");
	double *v = reps ? &a->reps : &a->seed;
	double lo = reps ? 1 : 0, hi = reps ? 100000 : 9007199254740991.0;

	if (*i + 1 >= argc)
		return BAD_USAGE(&a->l, a->l.cw->no_value, o);
	val = argv[++*i];
	if (!number(val, v) || *v < lo || *v > hi || *v != floor(*v))
		return bad_whole(&a->l, o, val, reps ? "1" : "0",
				 reps ? "100000" : "9007199254740991");
	return 0;
}

static int scen_parse(int argc, char **argv, struct scen_args *a)
{
	const struct lang *l = &a->l;
	int rc = 0;

	a->reps = a->seed = -1;
	for (int i = 1; i < argc && !rc; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			fputs(l->w->usage, stdout);
			return -1;
		}
		if (!strcmp(o, "--json")) {
			a->json = true;
		} else if (!strcmp(o, "--csv")) {
			a->csv = true;
		} else if (!strcmp(o, "--quiet")) {
			a->quiet = true;
		} else if (skip_lang(argc, argv, &i)) {
			continue;
		} else if (!strcmp(o, "--svg")) {
			if (i + 1 >= argc)
				return BAD_USAGE(l, l->cw->no_value, o);
			a->svg = argv[++i];
		} else if (!strcmp(o, "--reps") || !strcmp(o, "--seed")) {
			rc = scen_number(a, argc, argv, &i);
		} else if (o[0] == '-' || a->path) {
			rc = BAD_USAGE(l, l->cw->unexpected, o);
		} else {
			a->path = o;
		}
	}
	if (!rc && !a->path)
		rc = BAD_USAGE(l, "%s", l->w->no_scenario);
	if (!rc && a->json && a->csv)
		rc = BAD_USAGE(l, "%s", l->cw->json_or_csv);
	return rc;
}

static int cmd_scenario(int argc, char **argv)
{
	struct scen_args a = {0};
	struct progress p = {.l = &a.l, .t0 = seconds(), .tty = isatty(2)};
	struct sim_options opt = {.progress = on_progress, .arg = &p};
	struct scenario *s;
	struct sim_result r;
	struct sim_error err;
	char msg[512];
	int rc;

	lang_of(&a.l, argc, argv);
	rc = scen_parse(argc, argv, &a);
	if (rc)
		return rc < 0 ? 0 : rc;
	p.quiet = a.quiet;
	if (scenario_load(&s, a.path, msg, sizeof(msg))) {
		WORDS_ERROR("sim", "%s", msg);
		return 1;
	}
	opt.reps = a.reps > 0 ? (unsigned)a.reps : s->reps;
	opt.seed = a.seed >= 0 ? (uint64_t)a.seed : s->seed;
	rc = sim_run(&s->sc, &opt, &r, &err);
	progress_end(&p);
	if (rc) {
		WORDS_ERROR("sim", "%s", err.msg);
		scenario_free(s);
		return 1;
	}
	struct view v = {&a.l, s, &r};

	if (a.json)
		scenario_json(&v, opt.seed);
	else if (a.csv)
		scenario_csv(&v);
	else
		scenario_table(&v, opt.seed);
	if (a.svg)
		rc = scenario_svg(&v, a.svg);
	if (r.errors)
		WORDS_ERROR(
			"sim",
			a.l.w->refused[words_plural(a.l.cw, (double)r.errors)],
			WORDS_NUM(a.l.cw, "%llu",
				  (unsigned long long)r.errors));
	sim_result_free(&r);
	scenario_free(s);
	return rc;
}

int cli_sim(int argc, char **argv)
{
	if (argc < 2)
		return usage(argc, argv, 2);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(argc, argv, 0);
	if (!strcmp(argv[1], "mmn"))
		return cmd_mmn(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return cli_sim_compare(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay"))
		return cli_sim_replay(argc - 1, argv + 1);
	return cmd_scenario(argc, argv);
}
