/*
 * sim_check.c — a scenario's numbers and references, checked before any
 * engine is made; each message names the field as the scenario file does
 * ("queues[2].arrivals[5]: ...", "agents[0].shifts[1].breaks[0]: ...").
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/sim_int.h"

int sim_fail(struct sim_error *err, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return rc;
}

size_t sim_index_of(const char *const *names, size_t n, const char *id)
{
	for (size_t i = 0; id && i < n; i++) {
		if (!strcmp(names[i], id))
			return i;
	}
	return SIZE_MAX;
}

size_t sim_site_index(const struct sim_scenario *sc, const char *id)
{
	for (size_t i = 0; id && i < sc->nsites; i++) {
		if (sc->sites[i].id && !strcmp(sc->sites[i].id, id))
			return i;
	}
	return SIZE_MAX;
}

static int check_dist(const struct sim_dist *d, const char *what, size_t qi,
		      struct sim_error *err)
{
	char msg[200];

	if (!sim_dist_check(d, msg, sizeof(msg)))
		return 0;
	return sim_fail(err, EINVAL, "queues[%zu].%s.%s", qi, what, msg);
}

static int check_queue(const struct sim_scenario *sc, size_t i,
		       struct sim_error *err)
{
	const struct sim_queue *q = &sc->queues[i];
	size_t nint = (size_t)(sc->duration_ms / sc->interval_ms);

	if (!q->queue.id || !*q->queue.id)
		return sim_fail(err, EINVAL, "queues[%zu].id: required", i);
	if (sim_index_of(sc->tenants, sc->ntenants, q->queue.tenant) ==
	    SIZE_MAX)
		return sim_fail(err, EINVAL,
				"queues[%zu].tenant: unknown tenant", i);
	for (size_t k = 0; k < q->ntrace; k++) {
		const struct sim_arrival *a = &q->trace[k];

		if (!(a->at_ms >= (k ? a[-1].at_ms : 0) &&
		      a->at_ms < sc->duration_ms && a->waited_ms >= 0))
			return sim_fail(err, EINVAL,
					"queues[%zu].trace[%zu]: arrivals out "
					"of order or outside the day",
					i, k);
	}
	if (q->ntrace)
		; /* the trace replaces the rates */
	else if (q->narrivals != 1 && q->narrivals != nint)
		return sim_fail(
			err, EINVAL,
			"queues[%zu].arrivals: expected one value or one "
			"per interval (%zu), found %zu",
			i, nint, q->narrivals);
	for (size_t k = 0; k < q->narrivals; k++) {
		if (!(q->arrivals[k] >= 0 && q->arrivals[k] <= 1e7))
			return sim_fail(err, EINVAL,
					"queues[%zu].arrivals[%zu]: expected a "
					"number from 0 to 1e7",
					i, k);
	}
	if (q->handle.kind == SIM_DIST_NONE)
		return sim_fail(err, EINVAL,
				"queues[%zu].handle_time: required", i);
	if (!(q->callback_take_up >= 0 && q->callback_take_up <= 1))
		return sim_fail(
			err, EINVAL,
			"queues[%zu].callback_take_up: expected a number "
			"from 0 to 1",
			i);
	for (size_t j = 0; j < i; j++) {
		if (!strcmp(sc->queues[j].queue.id, q->queue.id))
			return sim_fail(
				err, EINVAL,
				"queues[%zu].id: \"%.64s\" is already a "
				"queue",
				i, q->queue.id);
	}
	return check_dist(&q->handle, "handle_time", i, err) ||
	       check_dist(&q->patience, "patience", i, err) ||
	       check_dist(&q->ring, "ring", i, err) ||
	       check_dist(&q->wrapup, "wrapup_time", i, err);
}

static int check_shift(const struct sim_scenario *sc, size_t i, size_t j,
		       struct sim_error *err)
{
	const struct sim_shift *s = &sc->agents[i].shifts[j];

	if (s->start_ms < 0 || s->end_ms <= s->start_ms)
		return sim_fail(
			err, EINVAL,
			"agents[%zu].shifts[%zu]: the end must come after "
			"the start",
			i, j);
	if (s->count < 1 || s->count > 100000)
		return sim_fail(err, EINVAL,
				"agents[%zu].shifts[%zu].count: expected an "
				"integer from 1 to 100000",
				i, j);
	for (size_t b = 0; b < s->nbreaks; b++) {
		const struct sim_break *br = &s->breaks[b];

		if (br->start_ms <= s->start_ms || br->end_ms >= s->end_ms ||
		    br->end_ms <= br->start_ms ||
		    (b && br->start_ms < s->breaks[b - 1].end_ms))
			return sim_fail(err, EINVAL,
					"agents[%zu].shifts[%zu].breaks[%zu]: "
					"breaks must lie inside the shift, in "
					"order, each ending after it starts",
					i, j, b);
	}
	return 0;
}

static int check_agent(const struct sim_scenario *sc, size_t i,
		       struct sim_error *err)
{
	const struct sim_agent *a = &sc->agents[i];

	if (!a->agent.id || !*a->agent.id)
		return sim_fail(err, EINVAL, "agents[%zu].id: required", i);
	if (sim_site_index(sc, a->agent.site) == SIZE_MAX)
		return sim_fail(err, EINVAL,
				"agents[%zu].site: unknown site \"%.64s\"", i,
				a->agent.site ? a->agent.site : "");
	for (size_t t = 0; t < a->agent.ntenants; t++) {
		if (sim_index_of(sc->tenants, sc->ntenants,
				 a->agent.tenants[t]) == SIZE_MAX)
			return sim_fail(
				err, EINVAL,
				"agents[%zu].tenants[%zu]: unknown tenant "
				"\"%.64s\"",
				i, t, a->agent.tenants[t]);
	}
	if (a->nshifts && a->count > 1)
		return sim_fail(
			err, EINVAL,
			"agents[%zu]: give either a count or shifts with "
			"their counts",
			i);
	if (a->count > 100000)
		return sim_fail(
			err, EINVAL,
			"agents[%zu].count: expected an integer from 1 to "
			"100000",
			i);
	for (size_t j = 0; j < a->nshifts; j++) {
		int rc = check_shift(sc, i, j, err);

		if (rc)
			return rc;
	}
	return 0;
}

int sim_check_numbers(const struct sim_scenario *sc, struct sim_error *err)
{
	if (sc->interval_ms <= 0)
		return sim_fail(err, EINVAL,
				"interval_s: expected a number > 0");
	if (sc->duration_ms <= 0 || sc->duration_ms % sc->interval_ms ||
	    sc->duration_ms / sc->interval_ms > 100000)
		return sim_fail(
			err, EINVAL,
			"duration: expected a whole number of intervals "
			"(at most 100000)");
	if (sc->warmup_ms < 0 || sc->warmup_ms >= sc->duration_ms)
		return sim_fail(
			err, EINVAL,
			"warmup_s: expected a number from 0 to less than "
			"the duration");
	if (sc->drain_ms < 0)
		return sim_fail(err, EINVAL, "drain_s: expected a number >= 0");
	if (!sc->nqueues)
		return sim_fail(err, EINVAL, "queues: at least one queue");
	for (size_t i = 0; i < sc->nqueues; i++) {
		int rc = check_queue(sc, i, err);

		if (rc)
			return rc;
	}
	uint64_t total = 0;

	for (size_t i = 0; i < sc->nagents; i++) {
		const struct sim_agent *a = &sc->agents[i];
		int rc = check_agent(sc, i, err);

		if (rc)
			return rc;
		if (!a->nshifts)
			total += a->count ? a->count : 1;
		for (size_t j = 0; j < a->nshifts; j++)
			total += a->shifts[j].count;
	}
	/* every agent is an engine agent in every replication */
	if (total > SIM_MAX_AGENTS)
		return sim_fail(err, EINVAL,
				"agents: %llu agents in all, at most %u",
				(unsigned long long)total, SIM_MAX_AGENTS);
	return 0;
}
