/*
 * erlang_bench — how fast the Erlang models evaluate and staff. The first
 * two lines are the results:
 *
 *	erlang_a n=100000 us_per_eval=X
 *	staffing intervals=96 queues=100 ms=Y
 *
 * X: one full Erlang A evaluation (every output, the answered-only ASA
 * and the four service-level variants included) at n = 100,000 agents
 * carrying 97,000 Erlangs (AHT 300 s, mean patience 180 s, threshold
 * 20 s), the mean over enough calls to take about 0.2 s; the calls vary
 * the volume by a few contacts so that no two are alike. Target: < 1000.
 *
 * Y: erlang_staff() with Erlang A for every 15-minute interval of a day
 * (96) of 100 queues, i.e. 9,600 searches. The queues draw, from one
 * fixed seed, a daily volume (300-30,000 contacts, log-uniform), an AHT
 * (120-600 s), a mean patience (60-400 s) and targets: 80 % in 20 s,
 * 90 % in 15 s or 70 % in 60 s (offered variant), an occupancy cap of
 * 85 %, a shrinkage of 30 %, and for one queue in five an abandon rate of
 * at most 5 %. Volumes follow an intraday curve (a morning peak at 10:30,
 * a smaller one at 14:30, 2 % of the peak at night) with ±10 % noise per
 * interval. The day is staffed 5 times; Y is the median. Target: < 50.
 *
 * Then indented details: evaluation cost by model and size, evaluations
 * per search, agents staffed. Targets never change the exit status; a
 * failing call does (it is printed).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/erlang.h"

#define QUEUES	  100
#define INTERVALS 96
#define DAY_RUNS  5
#define SEED	  0x5eed2026u

struct queue {
	struct erlang_in in[INTERVALS];
	struct erlang_target target;
};

static uint64_t rng = SEED;

static double urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((rng >> 11) + 0.5) / 9007199254740992.0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double curve(double hour)
{
	double morning = exp(-(hour - 10.5) * (hour - 10.5) / (2 * 1.5 * 1.5));
	double afternoon = exp(-(hour - 14.5) * (hour - 14.5) / (2 * 2 * 2));

	if (hour < 7 || hour >= 22)
		return 0.02;
	return 0.02 + morning + 0.8 * afternoon;
}

static void make_queues(struct queue *q)
{
	static const double sl[3][2] = {{0.8, 20}, {0.9, 15}, {0.7, 60}};
	double total = 0;

	for (int i = 0; i < INTERVALS; i++)
		total += curve(i / 4.0);
	for (int k = 0; k < QUEUES; k++) {
		double daily = 300 * pow(100, urand());
		double aht = 120 + 480 * urand(), patience = 60 + 340 * urand();
		int kind = (int)(urand() * 3);

		q[k].target = (struct erlang_target){
			.service_level = sl[kind][0],
			.max_occupancy = 0.85,
			.shrinkage = 0.3,
			.max_abandon = k % 5 == 0 ? 0.05 : 0,
		};
		for (int i = 0; i < INTERVALS; i++) {
			double noise = 0.9 + 0.2 * urand();

			q[k].in[i] = (struct erlang_in){
				.calls = round(daily * curve(i / 4.0) / total *
					       noise),
				.interval_s = 900,
				.aht_s = aht,
				.threshold_s = sl[kind][1],
				.patience_s = patience,
			};
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct day {
	long evals, agents, scheduled;
	int max_agents, max_evals;
};

static int staff_day(const struct queue *q, struct day *d)
{
	struct erlang_staffing st;
	char msg[160];

	memset(d, 0, sizeof(*d));
	for (int k = 0; k < QUEUES; k++) {
		for (int i = 0; i < INTERVALS; i++) {
			int rc = erlang_staff(ERLANG_A, &q[k].in[i],
					      &q[k].target, &st, msg,
					      sizeof(msg));

			if (rc) {
				fprintf(stderr,
					"erlang_bench: queue %d interval %d: "
					"%s\n",
					k, i, msg);
				return 1;
			}
			d->evals += st.evals;
			d->agents += st.agents;
			d->scheduled += st.scheduled;
			if (st.agents > d->max_agents)
				d->max_agents = st.agents;
			if (st.evals > d->max_evals)
				d->max_evals = st.evals;
		}
	}
	return 0;
}

/* Mean µs of one erlang_eval at n agents and ρ = load / n. */
static double time_eval(enum erlang_model m, int n, double rho, double *sink)
{
	struct erlang_in in = {.interval_s = 1800,
			       .aht_s = 300,
			       .threshold_s = 20,
			       .patience_s = 180};
	struct erlang_out out;
	double base = rho * n * 1800 / 300, t0 = now_s(), t;
	long calls = 0;

	do {
		for (int i = 0; i < 64; i++, calls++) {
			in.calls = base * (1 + 1e-3 * (double)(calls % 7));
			if (erlang_eval(m, n, &in, &out, NULL, 0))
				return -1;
			*sink += out.service_level + out.asa_answered_s;
		}
		t = now_s() - t0;
	} while (t < 0.2);
	return t / calls * 1e6;
}

int main(void)
{
	static struct queue q[QUEUES];
	static const int sizes[] = {10, 100, 1000, 10000, 100000};
	double ms[DAY_RUNS], sink = 0, us;
	struct day d;

	us = time_eval(ERLANG_A, 100000, 0.97, &sink);
	if (us < 0) {
		fprintf(stderr, "erlang_bench: erlang_eval failed\n");
		return 1;
	}
	make_queues(q);
	for (int r = 0; r < DAY_RUNS; r++) {
		double t0 = now_s();

		if (staff_day(q, &d))
			return 1;
		ms[r] = (now_s() - t0) * 1e3;
	}
	qsort(ms, DAY_RUNS, sizeof(ms[0]), cmp_double);
	printf("erlang_a n=100000 us_per_eval=%.1f\n", us);
	printf("staffing intervals=%d queues=%d ms=%.1f\n", INTERVALS, QUEUES,
	       ms[DAY_RUNS / 2]);
	printf("  targets: us_per_eval < 1000: %s; staffing ms < 50: %s\n",
	       us < 1000 ? "met" : "NOT met",
	       ms[DAY_RUNS / 2] < 50 ? "met" : "NOT met");
	printf("  staffing runs ms:");
	for (int r = 0; r < DAY_RUNS; r++)
		printf(" %.1f", ms[r]);
	printf("\n  per search: %.1f evaluations (max %d), %.2f us; agents "
	       "%ld (max %d in an interval), scheduled %ld\n",
	       (double)d.evals / (QUEUES * INTERVALS), d.max_evals,
	       ms[DAY_RUNS / 2] * 1e3 / (QUEUES * INTERVALS), d.agents,
	       d.max_agents, d.scheduled);
	printf("  us per full evaluation at rho = 0.97 (B / C / A):\n");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		printf("    n=%-6d %8.3f %8.3f %8.3f\n", sizes[i],
		       time_eval(ERLANG_B, sizes[i], 0.97, &sink),
		       time_eval(ERLANG_C, sizes[i], 0.97, &sink),
		       time_eval(ERLANG_A, sizes[i], 0.97, &sink));
	printf("  Erlang A, overloaded (rho = 1.2), n=100000: %.1f us\n",
	       time_eval(ERLANG_A, 100000, 1.2, &sink));
	return sink == 42.4242 ? 2 : 0; /* keeps the results alive */
}
