/*
 * relais sim compare A.json B.json: what-if. Both scenarios run with the
 * same seeds and replications, and the differences that matter to a
 * client contract are printed: service level, abandonment, occupancy, ASA
 * and cost per contact, for the centre and for every queue and site the
 * two scenarios share. The seeds are the same but the random streams are
 * not synchronised (arrivals draw from the stream the agents' behaviour
 * also uses), so the two runs see different customers: read B - A
 * against the two half-widths.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/sim_scenario.h"
#include "core/sim.h"

static const enum sim_measure shown[] = {
	SIM_SERVICE_LEVEL, SIM_ABANDON_RATE,	 SIM_ASA,
	SIM_OCCUPANCY,	   SIM_COST_PER_CONTACT, SIM_OFFERED,
};

#define NSHOWN (sizeof(shown) / sizeof(shown[0]))

struct side {
	struct scenario *s;
	struct sim_result r;
};

static int run(struct side *x, const char *path, unsigned reps, uint64_t seed)
{
	struct sim_options opt = {.reps = reps, .seed = seed};
	struct sim_error err;
	char msg[512];

	if (scenario_load(&x->s, path, msg, sizeof(msg))) {
		fprintf(stderr, "relais sim compare: %s\n", msg);
		return 1;
	}
	if (!opt.reps)
		opt.reps = x->s->reps;
	if (sim_run(&x->s->sc, &opt, &x->r, &err)) {
		fprintf(stderr, "relais sim compare: %s: %s\n", path, err.msg);
		scenario_free(x->s);
		x->s = NULL;
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

static json_t *stat_json(struct sim_stat st)
{
	return json_pack("{s:f,s:f}", "mean", st.mean, "ci95", st.ci95);
}

/* One group's rows: to the table, and to the JSON list. */
static void compare_rows(const struct side *a, const struct side *b,
			 enum sim_group g, size_t ia, size_t ib,
			 const char *label, json_t *rows, bool text)
{
	size_t na = a->r.nintervals, nb = b->r.nintervals;
	const struct sim_row *ra = sim_row(&a->r, na, g, ia);
	const struct sim_row *rb = sim_row(&b->r, nb, g, ib);

	for (size_t k = 0; k < NSHOWN; k++) {
		enum sim_measure m = shown[k];
		struct sim_stat x = ra->m[m], y = rb->m[m];

		if ((!x.n && !y.n) || (g == SIM_G_SITE && m == SIM_OFFERED))
			continue;
		if (text)
			printf("%-22.22s %-18s %10.4f ±%-8.4f %10.4f ±%-8.4f "
			       "%+10.4f\n",
			       label, sim_measure_name(m), x.mean, x.ci95,
			       y.mean, y.ci95, y.mean - x.mean);
		json_array_append_new(
			rows,
			json_pack("{s:s,s:s,s:s,s:o,s:o,s:f}", "group",
				  g == SIM_G_ALL     ? "centre"
				  : g == SIM_G_QUEUE ? "queue"
						     : "site",
				  "id", label, "measure", sim_measure_name(m),
				  "a", stat_json(x), "b", stat_json(y), "diff",
				  y.mean - x.mean));
	}
}

static void compare(const struct side *a, const struct side *b, bool text,
		    json_t *rows)
{
	static const enum sim_group groups[] = {SIM_G_QUEUE, SIM_G_SITE};

	compare_rows(a, b, SIM_G_ALL, 0, 0, "centre", rows, text);
	for (size_t gi = 0; gi < 2; gi++) {
		enum sim_group g = groups[gi];
		size_t n =
			g == SIM_G_QUEUE ? a->s->sc.nqueues : a->s->sc.nsites;

		for (size_t i = 0; i < n; i++) {
			const char *id = g == SIM_G_QUEUE
						 ? a->s->sc.queues[i].queue.id
						 : a->s->sc.sites[i].id;
			long j = find(b->s, g, id);

			if (j >= 0)
				compare_rows(a, b, g, i, (size_t)j, id, rows,
					     text);
		}
	}
}

static int usage(int rc)
{
	fputs("usage: relais sim compare A.json B.json [--reps R] [--seed K] "
	      "[--json]\n\n"
	      "Runs two scenarios with the same seeds and prints, "
	      "for the centre\nand each queue and site they share, service "
	      "level, abandon rate, ASA,\noccupancy and cost per contact: A, "
	      "B (mean ± 95% half-width) and B - A.\n",
	      rc ? stderr : stdout);
	return rc;
}

int cli_sim_compare(int argc, char **argv)
{
	struct side a = {0}, b = {0};
	const char *pa = NULL, *pb = NULL;
	long reps = 0, seed = 1;
	bool json = false;
	json_t *rows;
	int rc;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "--help"))
			return usage(0);
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if ((!strcmp(argv[i], "--reps") ||
			    !strcmp(argv[i], "--seed")) &&
			   i + 1 < argc) {
			long v = strtol(argv[i + 1], &end, 10);

			if (*end || v < (argv[i][2] == 'r' ? 1 : 0) ||
			    v > 1000000) {
				fprintf(stderr,
					"relais sim compare: %s: expected a "
					"whole number\n",
					argv[i]);
				return 2;
			}
			*(argv[i][2] == 'r' ? &reps : &seed) = v;
			i++;
		} else if (argv[i][0] != '-' && !pa) {
			pa = argv[i];
		} else if (argv[i][0] != '-' && !pb) {
			pb = argv[i];
		} else {
			fprintf(stderr, "relais sim compare: unexpected '%s'\n",
				argv[i]);
			return usage(2);
		}
	}
	if (!pa || !pb)
		return usage(2);
	if (run(&a, pa, (unsigned)reps, (uint64_t)seed) ||
	    run(&b, pb, (unsigned)reps, (uint64_t)seed)) {
		if (a.s) {
			sim_result_free(&a.r);
			scenario_free(a.s);
		}
		return 1;
	}
	rows = json_array();
	if (!json)
		printf("what-if: A = %s, B = %s (%u replications, seed %ld)\n"
		       "%-22s %-18s %20s %20s %10s\n",
		       a.s->name, b.s->name, a.r.reps, seed, "", "measure", "A",
		       "B", "B - A");
	compare(&a, &b, !json, rows);
	if (json) {
		json_t *out = json_pack("{s:s,s:s,s:i,s:i,s:O}", "a", a.s->name,
					"b", b.s->name, "reps", (int)a.r.reps,
					"seed", (int)seed, "rows", rows);
		char *text = json_dumps(out, JSON_INDENT(2) |
						     JSON_REAL_PRECISION(6));

		puts(text ? text : "{}");
		free(text);
		json_decref(out);
	}
	rc = json_array_size(rows) ? 0 : 1;
	if (rc)
		fprintf(stderr, "relais sim compare: nothing in common to "
				"compare\n");
	json_decref(rows);
	sim_result_free(&a.r);
	sim_result_free(&b.r);
	scenario_free(a.s);
	scenario_free(b.s);
	return rc;
}
