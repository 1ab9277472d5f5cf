/*
 * relais sim compare A.json B.json: what-if. Both scenarios run with the
 * same seeds and replications, and the differences that matter to a
 * client contract are printed: service level, abandonment, occupancy, ASA
 * and cost per contact, for the centre and for every queue and site the
 * two scenarios share.
 *
 * The comparison is paired (common random numbers, core/sim.h): in
 * replication i both scenarios see the same customers on the queues they
 * share, so B - A is measured replication by replication and its 95%
 * interval comes from those differences, which is much narrower than the
 * two half-widths of A and B would suggest. The runs go one replication
 * at a time (sim_options.first_rep), A then B.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/msg.h"
#include "cli/sim_scenario.h"
#include "cli/whatif_msg.h"
#include "core/sim.h"

static const enum sim_measure shown[] = {
	SIM_SERVICE_LEVEL, SIM_ABANDON_RATE,	 SIM_ASA,
	SIM_OCCUPANCY,	   SIM_COST_PER_CONTACT, SIM_OFFERED,
};

#define NSHOWN (sizeof(shown) / sizeof(shown[0]))

struct side {
	struct scenario *s;
	struct sim_result r; /* the replication being compared */
};

static int load(struct side *x, const char *path)
{
	char msg[512];

	if (scenario_load(&x->s, path, msg, sizeof(msg))) {
		fprintf(stderr, "relais sim compare: %s\n", msg);
		return 1;
	}
	return 0;
}

/* Replication `rep` alone (the same draws as in a run of many). */
static int run_one(struct side *x, const char *path, unsigned rep,
		   uint64_t seed)
{
	struct sim_options opt = {.reps = 1, .seed = seed, .first_rep = rep};
	struct sim_error err;

	if (sim_run(&x->s->sc, &opt, &x->r, &err)) {
		fprintf(stderr, "relais sim compare: %s: %s\n", path, err.msg);
		return 1;
	}
	return 0;
}

/* The index of queue (or site) id in a scenario, or -1. */
static long find(const struct scenario *s, enum sim_group g, const char *id)
{
	size_t n = g == SIM_G_QUEUE ? s->sc.nqueues : s->sc.nsites;

	for (size_t i = 0; i < n; i++) {
		const char *x = g == SIM_G_QUEUE ? s->sc.queues[i].queue.id
						 : s->sc.sites[i].id;

		if (!strcmp(x, id))
			return (long)i;
	}
	return -1;
}

/*
 * One measure of one group both scenarios have, summed up replication by
 * replication: A, B and the paired difference B - A, over the
 * replications where both define it.
 */
struct cmp {
	enum sim_group g;
	size_t ia, ib;
	const char *label;
	enum sim_measure m;
	struct sim_acc a, b, d;
};

struct cmps {
	struct cmp *v;
	size_t n;
};

static int cmps_add(struct cmps *c, enum sim_group g, size_t ia, size_t ib,
		    const char *label)
{
	struct cmp *v = realloc(c->v, (c->n + NSHOWN) * sizeof(*v));

	if (!v)
		return ENOMEM;
	c->v = v;
	for (size_t k = 0; k < NSHOWN; k++) {
		if (g == SIM_G_SITE && shown[k] == SIM_OFFERED)
			continue;
		c->v[c->n++] = (struct cmp){.g = g,
					    .ia = ia,
					    .ib = ib,
					    .label = label,
					    .m = shown[k]};
	}
	return 0;
}

/* The centre, then every queue and site of A that B has too. */
static int cmps_build(struct cmps *c, const struct scenario *a,
		      const struct scenario *b)
{
	static const enum sim_group groups[] = {SIM_G_QUEUE, SIM_G_SITE};
	int rc = cmps_add(c, SIM_G_ALL, 0, 0, "centre");

	for (size_t gi = 0; !rc && gi < 2; gi++) {
		enum sim_group g = groups[gi];
		size_t n = g == SIM_G_QUEUE ? a->sc.nqueues : a->sc.nsites;

		for (size_t i = 0; !rc && i < n; i++) {
			const char *id = g == SIM_G_QUEUE
						 ? a->sc.queues[i].queue.id
						 : a->sc.sites[i].id;
			long j = find(b, g, id);

			if (j >= 0)
				rc = cmps_add(c, g, i, (size_t)j, id);
		}
	}
	return rc;
}

static void cmps_tally(struct cmps *c, const struct sim_result *ra,
		       const struct sim_result *rb)
{
	for (size_t i = 0; i < c->n; i++) {
		struct cmp *x = &c->v[i];
		struct sim_stat sa =
			sim_row(ra, ra->nintervals, x->g, x->ia)->m[x->m];
		struct sim_stat sb =
			sim_row(rb, rb->nintervals, x->g, x->ib)->m[x->m];

		if (!sa.n || !sb.n)
			continue;
		sim_acc_add(&x->a, sa.mean);
		sim_acc_add(&x->b, sb.mean);
		sim_acc_add(&x->d, sb.mean - sa.mean);
	}
}

static json_t *stat_json(struct sim_stat st)
{
	return json_pack("{s:f,s:f}", "mean", st.mean, "ci95", st.ci95);
}

/* "0.8123" or "+0,8123": 4 decimals in the language's mark. */
static const char *num(char *buf, size_t size, bool sign, double v,
		       char decimal)
{
	char *p;

	snprintf(buf, size, sign ? "%+.4f" : "%.4f", v);
	if (decimal != '.' && (p = strchr(buf, '.')))
		*p = decimal;
	return buf;
}

static void print_cmp(const struct cmp *x, const struct whatif_words *w)
{
	struct sim_stat a = sim_acc_stat(&x->a), b = sim_acc_stat(&x->b);
	struct sim_stat d = sim_acc_stat(&x->d);
	char f[6][24];

	printf("%-22.22s %-18s %10s ±%-8s %10s ±%-8s %10s ±%s\n", x->label,
	       sim_measure_name(x->m), num(f[0], 24, false, a.mean, w->decimal),
	       num(f[1], 24, false, a.ci95, w->decimal),
	       num(f[2], 24, false, b.mean, w->decimal),
	       num(f[3], 24, false, b.ci95, w->decimal),
	       num(f[4], 24, true, d.mean, w->decimal),
	       num(f[5], 24, false, d.ci95, w->decimal));
}

static json_t *cmp_json(const struct cmp *x)
{
	struct sim_stat d = sim_acc_stat(&x->d);

	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:f,s:f}", "group",
			 x->g == SIM_G_ALL     ? "centre"
			 : x->g == SIM_G_QUEUE ? "queue"
					       : "site",
			 "id", x->label, "measure", sim_measure_name(x->m), "a",
			 stat_json(sim_acc_stat(&x->a)), "b",
			 stat_json(sim_acc_stat(&x->b)), "diff", d.mean,
			 "diff_ci95", d.ci95);
}

static void fail(const char *tmpl, const char *arg)
{
	fputs("relais sim compare: ", stderr);
	msg_say(stderr, tmpl, (const char *[]){arg});
	fputc('\n', stderr);
}

static int usage(const struct whatif_words *w, int rc)
{
	fputs(w->compare_usage, rc ? stderr : stdout);
	return rc;
}

static int compare(const struct whatif_words *w, const char *pa, const char *pb,
		   long reps, long seed, bool json)
{
	struct side a = {0}, b = {0};
	struct cmps c = {0};
	json_t *rows;
	int rc = 1;

	if (load(&a, pa) || load(&b, pb))
		goto out;
	if (!reps)
		reps = a.s->reps;
	if (cmps_build(&c, a.s, b.s))
		goto out;
	for (long i = 0; i < reps; i++) {
		if (run_one(&a, pa, (unsigned)i, (uint64_t)seed))
			goto out;
		if (run_one(&b, pb, (unsigned)i, (uint64_t)seed)) {
			sim_result_free(&a.r);
			goto out;
		}
		cmps_tally(&c, &a.r, &b.r);
		sim_result_free(&a.r);
		sim_result_free(&b.r);
	}
	rows = json_array();
	if (!json) {
		char r[24], k[24];

		snprintf(r, sizeof(r), "%ld", reps);
		snprintf(k, sizeof(k), "%ld", seed);
		msg_say(stdout, w->compare_title,
			(const char *[]){a.s->name, b.s->name, r, k});
		printf("%-22s %-18s %20s %20s %20s\n", "", w->measure, "A", "B",
		       "B - A");
	}
	for (size_t i = 0; i < c.n; i++) {
		if (!c.v[i].d.n)
			continue;
		if (!json)
			print_cmp(&c.v[i], w);
		json_array_append_new(rows, cmp_json(&c.v[i]));
	}
	if (json) {
		json_t *out =
			json_pack("{s:s,s:s,s:i,s:i,s:b,s:O}", "a", a.s->name,
				  "b", b.s->name, "reps", (int)reps, "seed",
				  (int)seed, "paired", 1, "rows", rows);
		char *text = json_dumps(out, JSON_INDENT(2) |
						     JSON_REAL_PRECISION(6));

		puts(text ? text : "{}");
		free(text);
		json_decref(out);
	}
	rc = json_array_size(rows) ? 0 : 1;
	if (rc)
		fprintf(stderr, "relais sim compare: %s\n", w->compare_nothing);
	json_decref(rows);
out:
	free(c.v);
	scenario_free(a.s);
	scenario_free(b.s);
	return rc;
}

int cli_sim_compare(int argc, char **argv)
{
	struct whatif_words words;
	const struct whatif_words *w = &words;
	const char *pa = NULL, *pb = NULL;
	long reps = 0, seed = 1;
	bool json = false;

	whatif_words_load(&words, argc, argv);
	for (int i = 1; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "--help"))
			return usage(w, 0);
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--lang") && i + 1 < argc) {
			i++;
		} else if ((!strcmp(argv[i], "--reps") ||
			    !strcmp(argv[i], "--seed")) &&
			   i + 1 < argc) {
			long v = strtol(argv[i + 1], &end, 10);

			if (*end || v < (argv[i][2] == 'r' ? 1 : 0) ||
			    v > 1000000) {
				fail(w->whole_number, argv[i]);
				return 2;
			}
			*(argv[i][2] == 'r' ? &reps : &seed) = v;
			i++;
		} else if (argv[i][0] != '-' && !pa) {
			pa = argv[i];
		} else if (argv[i][0] != '-' && !pb) {
			pb = argv[i];
		} else {
			fail(w->unexpected, argv[i]);
			return usage(w, 2);
		}
	}
	if (!pa || !pb)
		return usage(w, 2);
	return compare(w, pa, pb, reps, seed, json);
}
