/*
 * relais erlang — the queueing models of core/erlang.h from the command
 * line: Erlang B for a number of lines, Erlang C and A for a number of
 * agents, and the staff an interval needs for a target.
 *
 *	relais erlang b --lines N --erlangs A
 *	relais erlang c --agents N --calls X --interval-s S --aht-s H
 *			--threshold-s T
 *	relais erlang a ...the same... --patience-s P
 *	relais erlang staff --model b|c|a --calls X --interval-s S --aht-s H
 *			targets... [--max-occupancy F] [--shrinkage F]
 *
 * Each prints a table in French or English (--lang, else the environment,
 * as relais demo) or, with --json, one JSON object. Exit status: 0; 1 when
 * the question has no answer (Erlang C with no more agents than Erlangs, a
 * target no staff meets); 2 for the command line (a missing, unknown or
 * malformed option), with a message naming the option.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/erlang_msg.h"
#include "cli/words.h"
#include "cli/msg.h"
#include "core/erlang.h"

/* ---- options ----------------------------------------------------------- */

enum opt_id {
	O_LINES,
	O_ERLANGS,
	O_AGENTS,
	O_CALLS,
	O_INTERVAL,
	O_AHT,
	O_THRESHOLD,
	O_PATIENCE,
	O_MODEL,
	O_TARGET_SL,
	O_SL_VARIANT,
	O_TARGET_ASA,
	O_MAX_ABANDON,
	O_MAX_BLOCKING,
	O_MAX_OCCUPANCY,
	O_SHRINKAGE,
	O_COUNT,
};

static const struct {
	const char *name;
	enum erlang_range range;
} opts[O_COUNT] = {
	[O_LINES] = {"--lines", R_WHOLE},
	[O_ERLANGS] = {"--erlangs", R_GE0},
	[O_AGENTS] = {"--agents", R_WHOLE},
	[O_CALLS] = {"--calls", R_GE0},
	[O_INTERVAL] = {"--interval-s", R_GT0},
	[O_AHT] = {"--aht-s", R_GT0},
	[O_THRESHOLD] = {"--threshold-s", R_GE0},
	[O_PATIENCE] = {"--patience-s", R_GT0},
	[O_MODEL] = {"--model", R_MODEL},
	[O_TARGET_SL] = {"--target-sl", R_FRACTION},
	[O_SL_VARIANT] = {"--sl-variant", R_VARIANT},
	[O_TARGET_ASA] = {"--target-asa-s", R_GT0},
	[O_MAX_ABANDON] = {"--max-abandon", R_FRACTION},
	[O_MAX_BLOCKING] = {"--max-blocking", R_FRACTION},
	[O_MAX_OCCUPANCY] = {"--max-occupancy", R_FRACTION},
	[O_SHRINKAGE] = {"--shrinkage", R_SHRINKAGE},
};

static const char *const model_names[] = {"b", "c", "a"};
static const char *const variant_names[ERLANG_SL_MAX] = {
	"offered", "answered", "exclude-abandons", "abandons-met"};

#define BIT(o) (1u << (o))
#define QUEUE_OPTS \
	(BIT(O_CALLS) | BIT(O_INTERVAL) | BIT(O_AHT) | BIT(O_THRESHOLD))

/* ---- the command line ------------------------------------------------- */

struct ctx {
	const char *cmd; /* b, c, a, staff */
	const struct erlang_words *w;
	bool json;
	bool set[O_COUNT];
	double v[O_COUNT];
	const char *text[O_COUNT];
};

/* A message naming the option, the hint to --help, exit status 2. */
static int usage_error(const struct ctx *c, const char *tmpl,
		       const char *const *args)
{
	fprintf(stderr, "relais erlang %s: ", c->cmd);
	msg_say(stderr, tmpl, args);
	fputc('\n', stderr);
	msg_say(stderr, c->w->more_help, (const char *[]){c->cmd});
	fputc('\n', stderr);
	return 2;
}

/* The question has no answer: exit status 1. */
static int impossible(const struct ctx *c, const char *tmpl,
		      const char *const *args)
{
	fprintf(stderr, "relais erlang %s: ", c->cmd);
	msg_say(stderr, tmpl, args);
	fputc('\n', stderr);
	return 1;
}

static int find_name(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static bool in_range(enum erlang_range r, double v)
{
	switch (r) {
	case R_WHOLE:
		return v >= 0 && v <= INT_MAX && v == floor(v);
	case R_GE0:
		return v >= 0;
	case R_GT0:
		return v > 0;
	case R_FRACTION:
		return v > 0 && v <= 1;
	case R_SHRINKAGE:
		return v >= 0 && v < 1;
	default:
		return v >= 0;
	}
}

/* Parses a value by its range; false if it is not one. */
static bool parse_value(enum erlang_range r, const char *s, double *v)
{
	char *end;

	if (r == R_MODEL)
		*v = find_name(model_names, 3, s);
	else if (r == R_VARIANT)
		*v = find_name(variant_names, ERLANG_SL_MAX, s);
	else {
		errno = 0;
		*v = strtod(s, &end);
		if (end == s || *end || errno || !isfinite(*v))
			return false;
	}
	return in_range(r, *v);
}

static int find_opt(const char *name, size_t len)
{
	for (int i = 0; i < O_COUNT; i++)
		if (strlen(opts[i].name) == len &&
		    !strncmp(opts[i].name, name, len))
			return i;
	return -1;
}

/*
 * Reads --name value or --name=value for the options in `allowed`, plus
 * --json and --lang. Returns 0, 2 (message printed), or -1 for --help.
 */
static int parse(struct ctx *c, int argc, char **argv, unsigned allowed)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '='), *val;
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		int o;

		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return -1;
		if (!strcmp(a, "--json")) {
			c->json = true;
			continue;
		}
		if (len == 6 && !strncmp(a, "--lang", 6)) {
			i += !eq;
			continue;
		}
		o = find_opt(a, len);
		if (o < 0 || !(allowed & BIT(o)))
			return usage_error(c, c->w->unknown,
					   (const char *[]){a});
		val = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
		if (!val)
			return usage_error(c, c->w->no_value,
					   (const char *[]){opts[o].name});
		if (!parse_value(opts[o].range, val, &c->v[o]))
			return usage_error(
				c, c->w->bad_value,
				(const char *[]){opts[o].name,
						 c->w->range[opts[o].range],
						 val});
		c->set[o] = true;
		c->text[o] = val;
	}
	return 0;
}

static int require(const struct ctx *c, unsigned required)
{
	for (int o = 0; o < O_COUNT; o++)
		if ((required & BIT(o)) && !c->set[o])
			return usage_error(c, c->w->missing,
					   (const char *[]){opts[o].name});
	return 0;
}

/* ---- output ------------------------------------------------------------ */

/* A number with the language's decimal mark. */
static const char *num(const struct ctx *c, char *buf, size_t size, double v,
		       int decimals)
{
	char *dot;

	snprintf(buf, size, "%.*f", decimals, v);
	dot = strchr(buf, '.');
	if (dot)
		*dot = c->w->decimal;
	return buf;
}

/* The columns of characters, not bytes, of a UTF-8 label. */
static int width(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void row(const char *label, const char *value, const char *unit)
{
	int pad = 42 - width(label);

	printf("  %s%*s %10s%s%s\n", label, pad > 0 ? pad : 0, "", value,
	       *unit ? " " : "", unit);
}

static void row_pct(const struct ctx *c, const char *label, double v)
{
	char buf[32];

	row(label, num(c, buf, sizeof(buf), 100 * v, 2), "%");
}

static void row_s(const struct ctx *c, const char *label, double v)
{
	char buf[32];

	row(label, num(c, buf, sizeof(buf), v, 2), "s");
}

/* A label with the threshold in it ("service level in 20 s"). */
static void row_pct_at(const struct ctx *c, const char *fmt, double v)
{
	char label[96], t[32];

	msg_fill(label, sizeof(label), fmt,
		 (const char *[]){num(
			 c, t, sizeof(t), c->v[O_THRESHOLD],
			 c->v[O_THRESHOLD] == floor(c->v[O_THRESHOLD]) ? 0
								       : 1)});
	row_pct(c, label, v);
}

static void print_json(json_t *obj)
{
	char *s = json_dumps(obj, JSON_REAL_PRECISION(12) |
					  JSON_PRESERVE_ORDER | JSON_COMPACT);

	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(obj);
}

static void set_num(json_t *obj, const char *key, double v)
{
	json_object_set_new(obj, key, isfinite(v) ? json_real(v) : json_null());
}

/* The queue: contacts, interval, AHT, load, with the language's marks. */
static void print_title(const struct ctx *c, const char *fmt, const char *first,
			double load)
{
	char calls[32], iv[32], aht[32], a[32];
	int dc = c->v[O_CALLS] == floor(c->v[O_CALLS]) ? 0 : 2;

	msg_say(stdout, fmt,
		(const char *[]){
			first, num(c, calls, sizeof(calls), c->v[O_CALLS], dc),
			num(c, iv, sizeof(iv), c->v[O_INTERVAL], 0),
			num(c, aht, sizeof(aht), c->v[O_AHT], 0),
			num(c, a, sizeof(a), load, 2)});
	putchar('\n');
}

/* ---- relais erlang b --------------------------------------------------- */

static int run_b(struct ctx *c)
{
	double n = c->v[O_LINES], a = c->v[O_ERLANGS], b = erlang_b(n, a);
	char s1[32], s2[32];

	if (c->json) {
		json_t *o = json_object();

		set_num(o, "blocking", b);
		print_json(o);
		return 0;
	}
	msg_say(stdout, c->w->title_b,
		(const char *[]){
			num(c, s1, sizeof(s1), n, 0),
			num(c, s2, sizeof(s2), a, a == floor(a) ? 0 : 3)});
	putchar('\n');
	row_pct(c, c->w->blocking, b);
	row(c->w->carried,
	    num(c, s1, sizeof(s1), n > 0 ? a * (1 - b) / n : 0, 3), "");
	return 0;
}

/* ---- relais erlang c / a ----------------------------------------------- */

static struct erlang_in queue_in(const struct ctx *c)
{
	return (struct erlang_in){
		.calls = c->v[O_CALLS],
		.interval_s = c->v[O_INTERVAL],
		.aht_s = c->v[O_AHT],
		.threshold_s = c->v[O_THRESHOLD],
		.patience_s = c->set[O_PATIENCE] ? c->v[O_PATIENCE] : 0,
	};
}

static void json_eval(enum erlang_model m, const struct erlang_out *o)
{
	json_t *j = json_object();

	set_num(j, "p_wait", o->p_wait);
	if (m == ERLANG_A)
		set_num(j, "p_abandon", o->p_abandon);
	set_num(j, "service_level", o->service_level);
	set_num(j, "asa_s", o->asa_s);
	if (m == ERLANG_A)
		set_num(j, "asa_answered_s", o->asa_answered_s);
	set_num(j, "occupancy", o->occupancy);
	print_json(j);
}

/* The rows shared by erlang c, erlang a and staff c/a. */
static void table_queue(const struct ctx *c, enum erlang_model m,
			const struct erlang_out *o)
{
	row_pct(c, c->w->p_wait, o->p_wait);
	if (m == ERLANG_A)
		row_pct(c, c->w->abandon, o->p_abandon);
	if (c->set[O_THRESHOLD])
		row_pct_at(c, c->w->sl_at, o->service_level);
	if (m == ERLANG_A) {
		row_s(c, c->w->asa_answered, o->asa_answered_s);
		row_s(c, c->w->asa_all, o->asa_s);
	} else {
		row_s(c, c->w->asa, o->asa_s);
	}
	row_pct(c, c->w->occupancy, o->occupancy);
	if (m == ERLANG_A && c->set[O_THRESHOLD])
		for (int v = 1; v < ERLANG_SL_MAX; v++)
			row_pct_at(c, c->w->variants[v], o->sl[v]);
}

static void patience_row(const struct ctx *c)
{
	char buf[32];

	if (c->set[O_PATIENCE])
		row(c->w->patience,
		    num(c, buf, sizeof(buf), c->v[O_PATIENCE], 0), "s");
}

static int run_queue(struct ctx *c, enum erlang_model m)
{
	struct erlang_in in = queue_in(c);
	struct erlang_out o;
	char msg[200], buf[32], load[32], need[32];
	int n = (int)c->v[O_AGENTS];
	int rc = erlang_eval(m, n, &in, &o, msg, sizeof(msg));

	if (rc == EDOM)
		return impossible(
			c, c->w->unstable,
			(const char *[]){
				c->text[O_AGENTS],
				num(c, load, sizeof(load),
				    in.calls * in.aht_s / in.interval_s, 2),
				num(c, need, sizeof(need),
				    floor(in.calls * in.aht_s / in.interval_s) +
					    1,
				    0)});
	if (rc)
		return usage_error(c, "%s", (const char *[]){msg});
	if (c->json) {
		json_eval(m, &o);
		return 0;
	}
	print_title(c, m == ERLANG_A ? c->w->title_a : c->w->title_c,
		    num(c, buf, sizeof(buf), n, 0), o.load);
	patience_row(c);
	table_queue(c, m, &o);
	return 0;
}

static int run_c(struct ctx *c)
{
	return run_queue(c, ERLANG_C);
}

static int run_a(struct ctx *c)
{
	return run_queue(c, ERLANG_A);
}

/* ---- relais erlang staff ----------------------------------------------- */

static const enum opt_id goal_opt[] = {
	[ERLANG_GOAL_NONE] = O_TARGET_SL,
	[ERLANG_GOAL_SERVICE_LEVEL] = O_TARGET_SL,
	[ERLANG_GOAL_ASA] = O_TARGET_ASA,
	[ERLANG_GOAL_ABANDON] = O_MAX_ABANDON,
	[ERLANG_GOAL_BLOCKING] = O_MAX_BLOCKING,
	[ERLANG_GOAL_OCCUPANCY] = O_MAX_OCCUPANCY,
};

/* Options each model refuses, and the targets it accepts. */
static const unsigned staff_refused[] = {
	[ERLANG_B] = BIT(O_TARGET_SL) | BIT(O_SL_VARIANT) | BIT(O_TARGET_ASA) |
		     BIT(O_MAX_ABANDON) | BIT(O_THRESHOLD) | BIT(O_PATIENCE),
	[ERLANG_C] = BIT(O_MAX_ABANDON) | BIT(O_MAX_BLOCKING) | BIT(O_PATIENCE),
	[ERLANG_A] = BIT(O_MAX_BLOCKING),
};

static const unsigned staff_targets[] = {
	[ERLANG_B] = BIT(O_MAX_BLOCKING) | BIT(O_MAX_OCCUPANCY),
	[ERLANG_C] =
		BIT(O_TARGET_SL) | BIT(O_TARGET_ASA) | BIT(O_MAX_OCCUPANCY),
	[ERLANG_A] = BIT(O_TARGET_SL) | BIT(O_TARGET_ASA) | BIT(O_MAX_ABANDON) |
		     BIT(O_MAX_OCCUPANCY),
};

/* "--target-sl, --target-asa-s or --max-occupancy" */
static const char *target_list(unsigned targets, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int o = 0; o < O_COUNT; o++)
		if (targets & BIT(o))
			len += snprintf(buf + len, size - len, "%s%s",
					len ? ", " : "", opts[o].name);
	return buf;
}

static int check_staff(const struct ctx *c, enum erlang_model m)
{
	char list[128];
	bool any = false;

	for (int o = 0; o < O_COUNT; o++) {
		if (c->set[o] && (staff_refused[m] & BIT(o)))
			return usage_error(
				c, c->w->not_for,
				(const char *[]){opts[o].name, model_names[m]});
		any |= c->set[o] && (staff_targets[m] & BIT(o));
	}
	if (!any)
		return usage_error(
			c, c->w->no_target,
			(const char *[]){model_names[m],
					 target_list(staff_targets[m], list,
						     sizeof(list))});
	if (c->set[O_TARGET_SL] && !c->set[O_THRESHOLD])
		return usage_error(
			c, c->w->needs,
			(const char *[]){"--target-sl", "--threshold-s"});
	if (c->set[O_SL_VARIANT] && !c->set[O_TARGET_SL])
		return usage_error(
			c, c->w->needs,
			(const char *[]){"--sl-variant", "--target-sl"});
	if (m == ERLANG_A && !c->set[O_PATIENCE])
		return usage_error(c, c->w->missing,
				   (const char *[]){"--patience-s"});
	return 0;
}

static struct erlang_target staff_target(const struct ctx *c)
{
	return (struct erlang_target){
		.service_level = c->v[O_TARGET_SL],
		.sl = (enum erlang_sl)c->v[O_SL_VARIANT],
		.max_asa_s = c->v[O_TARGET_ASA],
		.max_abandon = c->v[O_MAX_ABANDON],
		.max_blocking = c->v[O_MAX_BLOCKING],
		.max_occupancy = c->v[O_MAX_OCCUPANCY],
		.shrinkage = c->v[O_SHRINKAGE],
	};
}

static void json_staff(enum erlang_model m, const struct erlang_staffing *st)
{
	const struct erlang_out *o = &st->at;
	json_t *j = json_object();

	json_object_set_new(j, "model", json_string(model_names[m]));
	json_object_set_new(j, "agents", json_integer(st->agents));
	json_object_set_new(j, "scheduled", json_integer(st->scheduled));
	set_num(j, "service_level", o->service_level);
	set_num(j, "p_wait", o->p_wait);
	set_num(j, "occupancy", o->occupancy);
	if (m == ERLANG_B)
		set_num(j, "blocking", o->blocking);
	if (m == ERLANG_A)
		set_num(j, "p_abandon", o->p_abandon);
	if (m != ERLANG_B)
		set_num(j, "asa_s", o->asa_s);
	if (m == ERLANG_A)
		set_num(j, "asa_answered_s", o->asa_answered_s);
	set_num(j, "erlangs", o->load);
	print_json(j);
}

static void table_staff(const struct ctx *c, enum erlang_model m,
			const struct erlang_staffing *st)
{
	static const char upper[] = {'B', 'C', 'A'};
	char model[2] = {upper[m], '\0'}, buf[32], label[96];

	print_title(c, c->w->title_staff, model, st->at.load);
	patience_row(c);
	row(m == ERLANG_B ? c->w->lines_needed : c->w->agents,
	    num(c, buf, sizeof(buf), st->agents, 0), "");
	msg_fill(label, sizeof(label), c->w->scheduled,
		 (const char *[]){
			 num(c, buf, sizeof(buf), 100 * c->v[O_SHRINKAGE], 0)});
	row(label, num(c, buf, sizeof(buf), st->scheduled, 0), "");
	if (m == ERLANG_B) {
		row_pct(c, c->w->blocking, st->at.blocking);
		row_pct(c, c->w->occupancy, st->at.occupancy);
	} else {
		table_queue(c, m, &st->at);
	}
}

static int run_staff(struct ctx *c)
{
	enum erlang_model m = (enum erlang_model)c->v[O_MODEL];
	struct erlang_in in = queue_in(c);
	struct erlang_target t;
	struct erlang_staffing st;
	char msg[200];
	int rc = check_staff(c, m);

	if (rc)
		return rc;
	t = staff_target(c);
	rc = erlang_staff(m, &in, &t, &st, msg, sizeof(msg));
	if (rc == ERANGE && st.unmet == ERLANG_GOAL_SERVICE_LEVEL &&
	    t.service_level >= 1)
		return impossible(c, c->w->sl_one,
				  (const char *[]){"--target-sl"});
	if (rc == ERANGE && st.unmet != ERLANG_GOAL_NONE)
		return impossible(
			c, c->w->unreachable,
			(const char *[]){opts[goal_opt[st.unmet]].name,
					 c->text[goal_opt[st.unmet]]});
	if (rc == ERANGE)
		return impossible(c, c->w->no_shrink,
				  (const char *[]){c->text[O_SHRINKAGE]});
	if (rc)
		return usage_error(c, "%s", (const char *[]){msg});
	if (c->json)
		json_staff(m, &st);
	else
		table_staff(c, m, &st);
	return 0;
}

/* ---- dispatch ----------------------------------------------------------- */

struct subcommand {
	const char *name;
	int (*run)(struct ctx *c);
	unsigned allowed, required;
	size_t usage; /* offset of its usage text in struct erlang_words */
};

static const struct subcommand subs[] = {
	{"b", run_b, BIT(O_LINES) | BIT(O_ERLANGS),
	 BIT(O_LINES) | BIT(O_ERLANGS), offsetof(struct erlang_words, usage_b)},
	{"c", run_c, BIT(O_AGENTS) | QUEUE_OPTS, BIT(O_AGENTS) | QUEUE_OPTS,
	 offsetof(struct erlang_words, usage_c)},
	{"a", run_a, BIT(O_AGENTS) | QUEUE_OPTS | BIT(O_PATIENCE),
	 BIT(O_AGENTS) | QUEUE_OPTS | BIT(O_PATIENCE),
	 offsetof(struct erlang_words, usage_a)},
	{"staff", run_staff,
	 QUEUE_OPTS | (BIT(O_COUNT) - 1 - BIT(O_LINES) - BIT(O_ERLANGS) -
		       BIT(O_AGENTS)),
	 BIT(O_MODEL) | BIT(O_CALLS) | BIT(O_INTERVAL) | BIT(O_AHT),
	 offsetof(struct erlang_words, usage_staff)},
};

static const char *usage_of(const struct erlang_words *w,
			    const struct subcommand *s)
{
	return *(const char *const *)((const char *)w + s->usage);
}

int cli_erlang(int argc, char **argv)
{
	struct erlang_words words;
	const struct erlang_words *w = &words;
	struct ctx c = {.w = w};
	const struct subcommand *s = NULL;
	int rc;

	/* --lang may come anywhere, even after a mistake */
	erlang_words_load(&words, words_lang(argc, argv));
	if (argc > 1) {
		for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
			if (!strcmp(argv[1], subs[i].name))
				s = &subs[i];
	}
	if (!s) {
		bool help = argc > 1 && (!strcmp(argv[1], "--help") ||
					 !strcmp(argv[1], "-h"));

		if (argc > 1 && !help && strncmp(argv[1], "--lang", 6)) {
			fputs("relais erlang: ", stderr);
			msg_say(stderr, w->unknown_cmd,
				(const char *[]){argv[1]});
			fputs("\n\n", stderr);
		}
		fputs(w->usage, help ? stdout : stderr);
		return help ? 0 : 2;
	}
	c.cmd = s->name;
	rc = parse(&c, argc - 1, argv + 1, s->allowed);
	if (rc < 0) {
		fputs(usage_of(w, s), stdout);
		return 0;
	}
	if (!rc)
		rc = require(&c, s->required);
	return rc ? rc : s->run(&c);
}
