/*
 * relais demo — a day of the demo centre (model/demo_centre.h, the file
 * `relais serve --demo` creates too), routed by the production engine on
 * a virtual clock and shown as it happens.
 *
 * The day is the simulator's (core/sim.h, one replication of the file as
 * a scenario): customers arrive with the file's daily profile, wait,
 * sometimes give up; agents log in at their shifts, answer, talk, wrap up,
 * take lunch. This file only watches the engine's events: every 15
 * simulated minutes a line sums up the centre, paced to `speed` virtual
 * seconds per real second; at the end, a table per queue.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "lang/lang.h"
#include "cli/sim_scenario.h"
#include "core/sim.h"
#include "model/demo_centre.h"

/*
 * Service level as SPEC §5 defines it by default: answered within 20 s
 * over answered plus abandoned after 20 s.
 */
#define SL_MS	20000
#define TICK_MS (15 * 60000LL)

/* Figures of the day, per queue. */
struct demo_stats {
	int offered, handled, abandoned, in_sl, voicemail;
	int abandoned_late; /* after the service-level threshold */
	int64_t wait_sum_ms;
};

struct demo {
	const struct scenario *s;
	const char *lang; /* lang.h */
	double speed;
	int64_t next_tick, last_sleep;
	struct demo_stats *q; /* one per queue of the scenario */
	bool *in_line;	      /* by the contact's slot (its low 32 bits) */
	size_t nline;
	int waiting;
	int agents[AS_MAX]; /* agents per state (offline: less those out) */
	int errors;
};

static int queue_index(const struct demo *d, const char *id)
{
	for (size_t i = 0; id && i < d->s->sc.nqueues; i++) {
		if (!strcmp(d->s->sc.queues[i].queue.id, id))
			return (int)i;
	}
	return -1;
}

static void pace(struct demo *d, int64_t t)
{
	double s;
	struct timespec ts;

	if (d->speed <= 0 || t - d->last_sleep < 1000)
		return;
	s = (double)(t - d->last_sleep) / 1000.0 / d->speed;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
	d->last_sleep = t;
}

static void tick(struct demo *d, int64_t t)
{
	int offered = 0, handled = 0, abandoned = 0, in_sl = 0, late = 0;
	int64_t minutes = d->s->start_min + t / 60000;

	for (size_t i = 0; i < d->s->sc.nqueues; i++) {
		offered += d->q[i].offered;
		handled += d->q[i].handled;
		abandoned += d->q[i].abandoned;
		in_sl += d->q[i].in_sl;
		late += d->q[i].abandoned_late;
	}
	printf("%02d:%02d  %7d %7d %7d %9d %5.1f  | %6d %6d %6d %6d\n",
	       (int)(minutes / 60 % 24), (int)(minutes % 60), d->waiting,
	       offered, handled, abandoned,
	       handled + late ? 100.0 * in_sl / (handled + late) : 100.0,
	       d->agents[AS_AVAILABLE], d->agents[AS_BUSY],
	       d->agents[AS_WRAPUP], d->agents[AS_PAUSED]);
	fflush(stdout);
}

/* The lines of every quarter hour up to t (and to the end of the day). */
static void ticks_until(struct demo *d, int64_t t)
{
	while (d->next_tick <= t && d->next_tick <= d->s->sc.duration_ms) {
		pace(d, d->next_tick);
		tick(d, d->next_tick);
		d->next_tick += TICK_MS;
	}
}

/* Whether the contact was waiting in a queue; it is not any more. */
static bool leave_line(struct demo *d, uint64_t contact)
{
	uint32_t i = (uint32_t)contact;
	bool was = i < d->nline && d->in_line[i];

	if (was) {
		d->in_line[i] = false;
		d->waiting--;
	}
	return was;
}

static void enter_line(struct demo *d, uint64_t contact)
{
	uint32_t i = (uint32_t)contact;

	if (i >= d->nline) {
		size_t n = (i + 1) * 2;
		bool *v = realloc(d->in_line, n * sizeof(*v));

		if (!v) {
			d->errors++;
			return;
		}
		memset(v + d->nline, 0, (n - d->nline) * sizeof(*v));
		d->in_line = v;
		d->nline = n;
	}
	if (!d->in_line[i]) {
		d->in_line[i] = true;
		d->waiting++;
	}
}

static void on_contact(struct demo *d, struct demo_stats *q,
		       const struct engine_event *ev)
{
	switch (ev->type) {
	case EV_CONTACT_QUEUED:
		q->offered += ev->entered;
		enter_line(d, ev->contact);
		break;
	case EV_CONTACT_ACCEPTED:
		leave_line(d, ev->contact);
		q->handled++;
		q->wait_sum_ms += ev->wait_ms;
		q->in_sl += ev->wait_ms <= SL_MS;
		break;
	case EV_CONTACT_ABANDONED:
		leave_line(d, ev->contact);
		q->abandoned++;
		q->abandoned_late += ev->wait_ms > SL_MS;
		break;
	case EV_CONTACT_VOICEMAIL:
	case EV_CONTACT_CLOSED: /* at once when the queue is closed */
		q->offered += !leave_line(d, ev->contact);
		q->voicemail += ev->type == EV_CONTACT_VOICEMAIL;
		break;
	default:
		break;
	}
}

/* Every engine event of the day, in order (sim_options.observer). */
static void on_event(void *arg, const struct engine_event *ev)
{
	struct demo *d = arg;
	int qi = queue_index(d, ev->queue);

	ticks_until(d, ev->time - 1);
	if (ev->time > d->s->sc.duration_ms)
		return;
	if (ev->type == EV_AGENT_STATE) {
		d->agents[ev->prev_state]--;
		d->agents[ev->agent_state]++;
	} else if (qi >= 0) {
		on_contact(d, &d->q[qi], ev);
	}
}

static void report(const struct demo *d)
{
	printf("\n%s\n", lang_get(d->lang, "demo.table_head"));
	for (size_t i = 0; i < d->s->sc.nqueues; i++) {
		const struct demo_stats *q = &d->q[i];
		const struct engine_queue *eq = &d->s->sc.queues[i].queue;
		int closed = q->handled + q->abandoned_late;

		printf("%-17s %-6s %7d %7d %7d %6d %6.1f %6.0f\n", eq->id,
		       engine_channel_name(eq->channel), q->offered, q->handled,
		       q->abandoned, q->voicemail,
		       closed ? 100.0 * q->in_sl / closed : 100.0,
		       q->handled ? (double)q->wait_sum_ms / q->handled / 1000
				  : 0.0);
	}
	printf("\n%s\n", lang_get(d->lang, "demo.footer"));
}

/* One replication of the centre's day, watched by on_event. */
static int run_day(struct demo *d, uint64_t seed)
{
	struct sim_options opt = {
		.reps = 1, .seed = seed, .observer = on_event, .arg = d};
	struct sim_result res;
	struct sim_error err;
	int rc;

	d->q = calloc(d->s->sc.nqueues, sizeof(*d->q));
	if (!d->q)
		return ENOMEM;
	d->next_tick = TICK_MS;
	rc = sim_run(&d->s->sc, &opt, &res, &err);
	if (rc) {
		fprintf(stderr, "relais demo: %s\n", err.msg);
		return rc;
	}
	ticks_until(d, d->s->sc.duration_ms);
	sim_result_free(&res);
	return 0;
}

/* lang: the last --lang so far, or NULL for the environment's. */
static int usage(const char *lang, int rc)
{
	fputs(lang_get(lang_env(lang), "demo.usage"), rc ? stderr : stdout);
	return rc;
}

int cli_demo(int argc, char **argv)
{
	struct demo d = {.speed = 1800};
	struct scenario *s = NULL;
	uint64_t seed = 42;
	const char *lang = NULL;
	char msg[300];
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fast")) {
			d.speed = 0;
		} else if (!strcmp(argv[i], "--speed") && i + 1 < argc) {
			d.speed = atof(argv[++i]);
			if (d.speed <= 0)
				return usage(lang, 2);
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--lang") && i + 1 < argc) {
			lang = argv[++i];
		} else if (!strcmp(argv[i], "--help")) {
			return usage(lang, 0);
		} else {
			return usage(lang, 2);
		}
	}
	d.lang = lang_env(lang);
	if (scenario_parse(&s, demo_centre_json, demo_centre_json_len, NULL,
			   msg, sizeof(msg))) {
		fprintf(stderr, "relais demo: the demo centre: %s\n", msg);
		return 1;
	}
	d.s = s;
	printf("%s\n\n%s\n", lang_get(d.lang, "demo.intro"),
	       lang_get(d.lang, "demo.tick_head"));
	if (!run_day(&d, seed)) {
		report(&d);
		rc = d.errors ? 1 : 0;
	}
	free(d.q);
	free(d.in_line);
	scenario_free(s);
	return rc;
}
