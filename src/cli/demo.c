/*
 * relais demo — a day in a small outsourced contact centre, routed by the
 * production engine on a virtual clock and shown as it happens.
 *
 * Two client companies (an insurer and a telecom operator), an onshore
 * site in Paris and an offshore site in Casablanca, a dozen agents with
 * skills and shifts, queues on voice, chat and email with bullseye steps,
 * opening hours in Europe/Paris (closed: voicemail). Customers arrive at
 * random with a daily profile, wait, sometimes give up; agents answer,
 * talk, wrap up, take lunch. Every 15 simulated minutes a line sums up
 * the centre; at the end, a table per queue.
 *
 * This is a small discrete-event driver around the engine; the full
 * simulator with scenarios and confidence intervals is `relais sim`.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "lang/lang.h"
#include "core/engine.h"
#include "sys/zoneinfo.h"

/*
 * Service level as SPEC §5 defines it by default: answered within 20 s
 * over answered plus abandoned after 20 s.
 */
#define SL_MS	20000
#define MIN_MS	60000LL
#define HOUR_MS (60 * MIN_MS)

struct demo_queue {
	const char *id, *tenant;
	enum channel ch;
	int priority;
	double per_hour;   /* arrivals at the daily peak */
	double aht_s;	   /* mean handle time */
	double patience_s; /* mean patience; 0: never abandons */
	const char *step0, *step1;
	int64_t step1_ms;
	enum strategy strat;
};

/* Figures of the day, per queue. */
struct demo_stats {
	int offered, handled, abandoned, in_sl, voicemail;
	int abandoned_late; /* after the service-level threshold */
	int64_t wait_sum_ms;
};

static struct demo_queue queues[] = {
	{"assurmax-claims", "assurmax", CH_VOICE, 2, 16, 300, 240,
	 "claims >= 6 && site.kind == \"onshore\"", "claims >= 3", 15000,
	 STRAT_MOST_SKILLED},
	{"assurmax-chat", "assurmax", CH_CHAT, 1, 14, 480, 300, "lang.fr >= 6",
	 NULL, 0, STRAT_LEAST_OCCUPIED},
	{"assurmax-email", "assurmax", CH_EMAIL, 0, 10, 420, 0, "claims >= 2",
	 NULL, 0, STRAT_LONGEST_IDLE},
	{"telco-billing", "telco", CH_VOICE, 1, 22, 240, 200,
	 "billing >= 7 && site.kind == \"onshore\"", "billing >= 4", 10000,
	 STRAT_LONGEST_IDLE},
	{"telco-support", "telco", CH_VOICE, 1, 12, 360, 240, "tech.l2 >= 5",
	 "tech.l1 >= 5", 15000, STRAT_LEAST_COST},
	{"telco-chat", "telco", CH_CHAT, 0, 16, 400, 240, "true", NULL, 0,
	 STRAT_LONGEST_IDLE},
};
#define NQUEUES (sizeof(queues) / sizeof(queues[0]))

static struct demo_stats stats[NQUEUES];

struct demo_agent {
	const char *id, *site, *skills;
	const char *tenants;
	int voice, chat, email;
	int start_h, end_h;
};

static const struct demo_agent agents[] = {
	{"amelie", "paris", "lang.fr:9 claims:8 billing:5", "assurmax telco", 1,
	 3, 2, 8, 16},
	{"bruno", "paris", "lang.fr:8 billing:9 tech.l1:6", "telco", 1, 0, 0, 8,
	 16},
	{"chloe", "paris", "lang.fr:9 claims:7", "assurmax", 1, 3, 2, 9, 17},
	{"david", "paris", "lang.fr:7 tech.l2:8 tech.l1:9", "telco", 1, 0, 0,
	 10, 18},
	{"emma", "paris", "lang.fr:8 billing:7 claims:4", "assurmax telco", 1,
	 3, 0, 12, 20},
	{"farid", "paris", "lang.fr:9 lang.ar:9 tech.l2:6", "telco", 1, 3, 0,
	 12, 20},
	{"hajar", "casablanca", "lang.fr:8 lang.ar:9 billing:6", "telco", 1, 3,
	 0, 8, 16},
	{"imane", "casablanca", "lang.fr:7 claims:5 billing:4",
	 "assurmax telco", 1, 3, 2, 8, 16},
	{"karim", "casablanca", "lang.fr:8 tech.l1:7 tech.l2:4", "telco", 1, 0,
	 0, 10, 18},
	{"leila", "casablanca", "lang.fr:9 claims:6", "assurmax", 1, 3, 2, 11,
	 19},
	{"mehdi", "casablanca", "lang.fr:6 billing:5 tech.l1:6", "telco", 1, 3,
	 0, 12, 20},
	{"nadia", "casablanca", "lang.fr:8 claims:4 billing:6",
	 "assurmax telco", 1, 3, 2, 12, 20},
};
#define NAGENTS (sizeof(agents) / sizeof(agents[0]))

enum sim_kind { K_ARRIVAL, K_ACCEPT, K_END, K_ABANDON, K_SHIFT, K_TICK };

struct sim_ev {
	int64_t t;
	enum sim_kind kind;
	uint64_t id; /* contact, or agent/queue index */
	int arg;
};

struct demo {
	struct engine *e;
	uint64_t rng;
	struct sim_ev *heap;
	size_t n, cap;
	uint64_t next_id;
	int64_t t0_utc;	  /* wall time of t = 0 */
	const char *lang; /* lang.h */
	int busy, avail, paused, wrapup, offline;
	int errors;
};

static double urand(struct demo *d)
{
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return ((d->rng >> 11) + 0.5) / 9007199254740992.0;
}

static int64_t expo_ms(struct demo *d, double mean_s)
{
	return (int64_t)(-log(urand(d)) * mean_s * 1000.0);
}

static void push(struct demo *d, int64_t t, enum sim_kind k, uint64_t id,
		 int arg)
{
	struct sim_ev ev = {t, k, id, arg};
	size_t i;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		struct sim_ev *h = realloc(d->heap, cap * sizeof(*h));

		if (!h) {
			d->errors++;
			return;
		}
		d->heap = h;
		d->cap = cap;
	}
	for (i = d->n++; i > 0 && d->heap[(i - 1) / 2].t > t; i = (i - 1) / 2)
		d->heap[i] = d->heap[(i - 1) / 2];
	d->heap[i] = ev;
}

static struct sim_ev pop(struct demo *d)
{
	struct sim_ev top = d->heap[0], last = d->heap[--d->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= d->n)
			break;
		if (c + 1 < d->n && d->heap[c + 1].t < d->heap[c].t)
			c++;
		if (d->heap[c].t >= last.t)
			break;
		d->heap[i] = d->heap[c];
		i = c;
	}
	if (d->n)
		d->heap[i] = last;
	return top;
}

static int queue_index(const char *id)
{
	for (size_t i = 0; id && i < NQUEUES; i++) {
		if (!strcmp(queues[i].id, id))
			return (int)i;
	}
	return -1;
}

static int agent_index(const char *id)
{
	for (size_t i = 0; id && i < NAGENTS; i++) {
		if (!strcmp(agents[i].id, id))
			return (int)i;
	}
	return -1;
}

/* The engine's decisions, carried out later on the virtual clock. */
static void on_event(void *arg, const struct engine_event *ev)
{
	struct demo *d = arg;
	int qi = queue_index(ev->queue);
	struct demo_stats *q = qi >= 0 ? &stats[qi] : NULL;

	if (!q)
		return;
	switch (ev->type) {
	case EV_CONTACT_OFFERED: /* the agent answers after a few rings */
		push(d, ev->time + 2000 + (int64_t)(urand(d) * 4000), K_ACCEPT,
		     ev->contact, agent_index(ev->agent));
		break;
	case EV_CONTACT_ACCEPTED:
		q->handled++;
		q->wait_sum_ms += ev->wait_ms;
		q->in_sl += ev->wait_ms <= SL_MS;
		push(d, ev->time + expo_ms(d, queues[qi].aht_s), K_END,
		     ev->contact, 0);
		break;
	case EV_CONTACT_ABANDONED:
		q->abandoned++;
		q->abandoned_late += ev->wait_ms > SL_MS;
		break;
	case EV_CONTACT_VOICEMAIL:
		q->voicemail++;
		break;
	default:
		break;
	}
}

static void count_agents(struct demo *d)
{
	d->busy = d->avail = d->paused = d->wrapup = d->offline = 0;
	for (size_t i = 0; i < NAGENTS; i++) {
		enum agent_state st = AS_OFFLINE;

		engine_agent_info(d->e, agents[i].id, &st, NULL);
		d->busy += st == AS_BUSY;
		d->avail += st == AS_AVAILABLE;
		d->paused += st == AS_PAUSED;
		d->wrapup += st == AS_WRAPUP;
		d->offline += st == AS_OFFLINE;
	}
}

static int setup_centre(struct demo *d, struct engine_error *err);

/* Daily profile: a morning and an afternoon peak, 0 when closed. */
static double profile(int64_t t)
{
	double h = 7.5 + (double)t / HOUR_MS;

	if (h < 8 || h >= 20)
		return 0.05; /* a few callers try outside hours */
	return 0.35 + 0.65 * exp(-pow(h - 10.5, 2) / 2.0) +
	       0.5 * exp(-pow(h - 14.5, 2) / 3.0);
}

static void next_arrival(struct demo *d, size_t qi, int64_t now)
{
	/* thinning: draw at the peak rate, keep with the profile's odds */
	double rate = queues[qi].per_hour * 1.1 / 3600.0;
	int64_t t = now + (int64_t)(-log(urand(d)) / rate * 1000.0);

	push(d, t, K_ARRIVAL, qi, 0);
}

static void arrival(struct demo *d, size_t qi, int64_t now)
{
	struct demo_queue *q = &queues[qi];
	struct engine_contact c = {.id = ++d->next_id, .queue = q->id};
	struct engine_contact_info info;

	next_arrival(d, qi, now);
	if (urand(d) * 1.1 > profile(now))
		return;
	c.priority = urand(d) < 0.1; /* a few premium customers */
	if (engine_contact_add(d->e, now, &c, &info)) {
		d->errors++;
		return;
	}
	stats[qi].offered++;
	if (q->patience_s > 0 && info.state == CS_QUEUED)
		push(d, now + expo_ms(d, q->patience_s), K_ABANDON, c.id, 0);
}

static void shift(struct demo *d, const struct sim_ev *ev)
{
	const struct demo_agent *a = &agents[ev->id];
	static const enum agent_state states[] = {AS_AVAILABLE, AS_PAUSED,
						  AS_AVAILABLE, AS_OFFLINE};
	enum agent_state st = states[ev->arg];
	int rc = engine_agent_state(d->e, ev->t, a->id, st,
				    st == AS_PAUSED ? "lunch" : NULL);

	if (rc == EBUSY) /* still on a call: log off after it */
		push(d, ev->t + MIN_MS, K_SHIFT, ev->id, ev->arg);
	else if (rc)
		d->errors++;
}

static void plan_shifts(struct demo *d)
{
	for (size_t i = 0; i < NAGENTS; i++) {
		int64_t start = (int64_t)(agents[i].start_h - 7.5) * HOUR_MS +
				HOUR_MS / 2;
		int64_t end = (int64_t)(agents[i].end_h - 7.5) * HOUR_MS +
			      HOUR_MS / 2;
		int64_t lunch = (start + end) / 2 - HOUR_MS / 2;

		push(d, start, K_SHIFT, i, 0);
		push(d, lunch, K_SHIFT, i, 1);
		push(d, lunch + HOUR_MS, K_SHIFT, i, 2);
		push(d, end, K_SHIFT, i, 3);
	}
	for (size_t i = 0; i < NQUEUES; i++)
		next_arrival(d, i, 0);
	for (int64_t t = 15 * MIN_MS; t <= 13 * HOUR_MS; t += 15 * MIN_MS)
		push(d, t, K_TICK, 0, 0);
}

static void tick(struct demo *d, int64_t t)
{
	int offered = 0, handled = 0, abandoned = 0, in_sl = 0, waiting = 0;
	int late = 0;
	int64_t minutes = 7 * 60 + 30 + t / MIN_MS;

	for (size_t i = 0; i < NQUEUES; i++) {
		struct engine_queue_stats st;

		if (!engine_queue_stats(d->e, t, queues[i].id, &st))
			waiting += (int)st.waiting;
		offered += stats[i].offered;
		handled += stats[i].handled;
		abandoned += stats[i].abandoned;
		in_sl += stats[i].in_sl;
		late += stats[i].abandoned_late;
	}
	count_agents(d);
	printf("%02d:%02d  %7d %7d %7d %9d %5.1f  | %6d %6d %6d %6d\n",
	       (int)(minutes / 60), (int)(minutes % 60), waiting, offered,
	       handled, abandoned,
	       handled + late ? 100.0 * in_sl / (handled + late) : 100.0,
	       d->avail, d->busy, d->wrapup, d->paused);
	fflush(stdout);
}

static void run_event(struct demo *d, const struct sim_ev *ev)
{
	switch (ev->kind) {
	case K_ARRIVAL:
		arrival(d, ev->id, ev->t);
		break;
	case K_ACCEPT:
		/* EINVAL: the offer was withdrawn or the caller left */
		if (ev->arg >= 0)
			engine_contact_accept(d->e, ev->t, ev->id,
					      agents[ev->arg].id);
		break;
	case K_END:
		if (engine_contact_end(d->e, ev->t, ev->id))
			d->errors++;
		break;
	case K_ABANDON:
		engine_contact_abandon(d->e, ev->t, ev->id);
		break;
	case K_SHIFT:
		shift(d, ev);
		break;
	case K_TICK:
		tick(d, ev->t);
		break;
	}
}

/* Runs the day, sleeping so that `speed` virtual seconds pass per second. */
static void run_day(struct demo *d, double speed)
{
	int64_t end = 13 * HOUR_MS, last_sleep = 0;

	while (d->n) {
		int64_t next_engine = engine_next_timer(d->e);
		struct sim_ev ev;

		if (next_engine < d->heap[0].t && next_engine <= end) {
			engine_advance(d->e, next_engine);
			continue;
		}
		ev = pop(d);
		if (ev.t > end)
			break;
		if (speed > 0 && ev.t - last_sleep >= 1000) {
			double s = (double)(ev.t - last_sleep) / 1000.0 / speed;
			struct timespec ts = {(time_t)s,
					      (long)((s - (long)s) * 1e9)};

			nanosleep(&ts, NULL);
			last_sleep = ev.t;
		}
		run_event(d, &ev);
	}
}

static void report(struct demo *d)
{
	printf("\n%s\n", lang_get(d->lang, "demo.table_head"));
	for (size_t i = 0; i < NQUEUES; i++) {
		const struct demo_stats *q = &stats[i];
		int closed = q->handled + q->abandoned_late;

		printf("%-17s %-6s %7d %7d %7d %6d %6.1f %6.0f\n", queues[i].id,
		       engine_channel_name(queues[i].ch), q->offered,
		       q->handled, q->abandoned, q->voicemail,
		       closed ? 100.0 * q->in_sl / closed : 100.0,
		       q->handled ? (double)q->wait_sum_ms / q->handled / 1000
				  : 0.0);
	}
	printf("\n%s\n", lang_get(d->lang, "demo.footer"));
}

/* lang: the last --lang so far, or NULL for the environment's. */
static int usage(const char *lang, int rc)
{
	fputs(lang_get(lang_env(lang), "demo.usage"), rc ? stderr : stdout);
	return rc;
}

int cli_demo(int argc, char **argv)
{
	struct demo d = {.rng = 42};
	struct engine_error err;
	double speed = 1800;
	const char *lang = NULL;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fast")) {
			speed = 0;
		} else if (!strcmp(argv[i], "--speed") && i + 1 < argc) {
			speed = atof(argv[++i]);
			if (speed <= 0)
				return usage(lang, 2);
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			d.rng = strtoull(argv[++i], NULL, 10) | 1;
		} else if (!strcmp(argv[i], "--lang") && i + 1 < argc) {
			lang = argv[++i];
		} else if (!strcmp(argv[i], "--help")) {
			return usage(lang, 0);
		} else {
			return usage(lang, 2);
		}
	}
	d.lang = lang_env(lang);
	if (engine_new(&d.e, NULL, on_event, &d))
		return 1;
	if (setup_centre(&d, &err)) {
		fprintf(stderr, "relais demo: %s\n", err.msg);
		rc = 1;
		goto out;
	}
	printf("%s\n\n%s\n", lang_get(d.lang, "demo.intro"),
	       lang_get(d.lang, "demo.tick_head"));
	plan_shifts(&d);
	run_day(&d, speed);
	report(&d);
	if (d.errors) {
		fprintf(stderr, "relais demo: %d engine errors\n", d.errors);
		rc = 1;
	}
out:
	engine_free(d.e);
	free(d.heap);
	return rc;
}

/* ---- the centre ------------------------------------------------------- */

static int add_agent(struct demo *d, const struct demo_agent *in)
{
	const char *names[8], *tenants[4];
	uint8_t levels[8];
	char sk[128], tn[64], *save = NULL, *tok;
	struct engine_agent a = {.id = in->id, .site = in->site};

	snprintf(sk, sizeof(sk), "%s", in->skills);
	for (tok = strtok_r(sk, " ", &save); tok && a.nskills < 8;
	     tok = strtok_r(NULL, " ", &save)) {
		char *colon = strchr(tok, ':');

		*colon = '\0';
		names[a.nskills] = tok;
		levels[a.nskills++] = (uint8_t)atoi(colon + 1);
	}
	snprintf(tn, sizeof(tn), "%s", in->tenants);
	for (tok = strtok_r(tn, " ", &save); tok && a.ntenants < 4;
	     tok = strtok_r(NULL, " ", &save))
		tenants[a.ntenants++] = tok;
	a.skill_names = names;
	a.skill_levels = levels;
	a.tenants = tenants;
	a.capacity[CH_VOICE] = (uint8_t)in->voice;
	a.capacity[CH_CHAT] = (uint8_t)in->chat;
	a.capacity[CH_EMAIL] = (uint8_t)in->email;
	return engine_agent_set(d->e, &a);
}

static int add_calendar(struct demo *d, struct engine_error *err)
{
	struct calendar *cal;
	struct tz *tz;
	int rc = zoneinfo_load(&tz, "Europe/Paris");

	if (rc) {
		snprintf(err->msg, sizeof(err->msg),
			 "cannot load zone Europe/Paris: %s", strerror(rc));
		return rc;
	}
	rc = calendar_new(&cal, tz);
	if (rc)
		return rc;
	for (int wday = 0; wday < 6; wday++)
		calendar_add_weekly(cal, wday, 8 * 60, 20 * 60);
	rc = engine_calendar_set(d->e, "paris-office", cal);
	if (rc)
		calendar_free(cal);
	return rc;
}

static int add_queue(struct demo *d, const struct demo_queue *in,
		     struct engine_error *err)
{
	struct engine_step steps[2] = {
		{.after_ms = 0, .filter = in->step0},
		{.after_ms = in->step1_ms, .filter = in->step1},
	};
	struct engine_queue q = {
		.id = in->id,
		.tenant = in->tenant,
		.channel = in->ch,
		.priority = in->priority,
		.sl_threshold_ms = SL_MS,
		.strategy = in->strat,
		.wrapup = in->ch == CH_VOICE ? WRAPUP_TIMED : WRAPUP_NONE,
		.wrapup_ms = 30000,
		.aht_ms = (int64_t)(in->aht_s * 1000),
		.steps = steps,
		.nsteps = in->step1 ? 2 : 1,
		.calendar = "paris-office",
		.closed_action = ACTION_VOICEMAIL,
	};

	return engine_queue_set(d->e, 0, &q, err);
}

static int setup_centre(struct demo *d, struct engine_error *err)
{
	static const struct engine_site sites[] = {
		{"paris", SITE_ONSHORE, "FR", 3200},
		{"casablanca", SITE_OFFSHORE, "MA", 1100},
	};
	int rc = 0;

	err->msg[0] = '\0';
	/* Monday 2026-11-30, 07:30 in Paris (UTC+1) */
	d->t0_utc =
		(tz_days_from_civil(2026, 11, 30) * 86400 + 6 * 3600 + 1800) *
		1000LL;
	engine_set_wallclock(d->e, 0, d->t0_utc);
	rc |= engine_tenant_add(d->e, "assurmax");
	rc |= engine_tenant_add(d->e, "telco");
	for (size_t i = 0; i < 2; i++)
		rc |= engine_site_set(d->e, &sites[i]);
	if (!rc)
		rc = add_calendar(d, err);
	for (size_t i = 0; !rc && i < NQUEUES; i++)
		rc = add_queue(d, &queues[i], err);
	for (size_t i = 0; !rc && i < NAGENTS; i++)
		rc = add_agent(d, &agents[i]);
	if (rc && !err->msg[0])
		snprintf(err->msg, sizeof(err->msg), "setup: %s", strerror(rc));
	return rc;
}
