/*
 * sim_fold.c — a replication's cells (struct metrics per interval, queue
 * and site) turned into the SPEC §5 measures of every row, and averaged
 * over the replications (Welford, then Student t: sim_stat.c). Tenant rows
 * are the sums of their queues; the centre row adds every queue and takes
 * agent time and cost from every site.
 */
#include <stdlib.h>
#include <string.h>

#include "core/sim_int.h"

static double ratio(double num, double den)
{
	return den > 0 ? num / den : -1;
}

void sim_measures(const struct metrics *m, uint32_t at_once, double cost,
		  int64_t span_ms, bool agent_row, double v[SIM_M_MAX])
{
	uint32_t resolved = m->answered + m->abandoned;
	int64_t staffed = m->busy_ms + m->idle_ms + m->paused_ms;

	v[SIM_OFFERED] = m->offered;
	v[SIM_ANSWERED] = m->answered;
	v[SIM_HANDLED] = m->handled;
	v[SIM_ABANDONED] = m->abandoned;
	v[SIM_SHORT_ABANDONED] = m->short_abandoned;
	v[SIM_ANSWERED_IN_SL] = m->answered_in_sl;
	v[SIM_TRANSFERS] = m->transfers;
	v[SIM_SERVICE_LEVEL] = metrics_service_level(m, 0);
	v[SIM_SERVICE_LEVEL_OFFERED] =
		metrics_service_level(m, SL_ANSWERED_OVER_OFFERED);
	v[SIM_P_WAIT] = ratio((double)resolved - at_once, resolved);
	v[SIM_ABANDON_RATE] = metrics_abandon_rate(m);
	v[SIM_ASA] = metrics_asa_s(m);
	v[SIM_AVG_WAIT] = metrics_avg_wait_s(m);
	v[SIM_MAX_WAIT] = resolved ? (double)m->wait_max_ms / 1000.0 : -1;
	v[SIM_AHT] = metrics_aht_s(m);
	v[SIM_AVG_ABANDON] = metrics_avg_abandon_s(m);
	v[SIM_OCCUPANCY] = agent_row ? metrics_occupancy(m) : -1;
	v[SIM_UTILISATION] = agent_row ? metrics_utilisation(m) : -1;
	v[SIM_AGENTS] =
		agent_row ? ratio((double)staffed, (double)span_ms) : -1;
	v[SIM_COST] = agent_row ? cost : -1;
	v[SIM_COST_PER_CONTACT] = agent_row ? ratio(cost, m->handled) : -1;
}

static void fold_row(struct run *r, size_t k, const struct cell *row,
		     int64_t span_ms)
{
	size_t nq = r->nq, ns = r->ns, nt = r->sc->ntenants;
	struct cell all_row, *all = &all_row;
	struct cell *tenants = calloc(nt ? nt : 1, sizeof(*tenants));
	struct sim_acc *acc = &r->acc[k * r->ngroups * SIM_M_MAX];
	double v[SIM_M_MAX], cost_all = 0;

	if (!tenants) {
		r->oom = 1;
		return;
	}
	memset(all, 0, sizeof(*all));
	for (size_t i = 0; i < nq; i++) {
		metrics_add(&all->m, &row[i].m);
		all->at_once += row[i].at_once;
		metrics_add(&tenants[r->q[i].tenant].m, &row[i].m);
		tenants[r->q[i].tenant].at_once += row[i].at_once;
	}
	for (size_t i = 0; i < ns; i++) {
		const struct metrics *m = &row[nq + i].m;
		double cost = (double)(m->busy_ms + m->idle_ms + m->paused_ms) *
			      r->s[i].cost_per_ms;

		all->m.busy_ms += m->busy_ms;
		all->m.idle_ms += m->idle_ms;
		all->m.paused_ms += m->paused_ms;
		cost_all += cost;
		sim_measures(&row[nq + i].m, row[nq + i].at_once, cost, span_ms,
			     true, v);
		for (int j = 0; j < SIM_M_MAX; j++)
			if (v[j] >= 0)
				sim_acc_add(&acc[(1 + nq + i) * SIM_M_MAX + j],
					    v[j]);
	}
	sim_measures(&all->m, all->at_once, cost_all, span_ms, true, v);
	for (int j = 0; j < SIM_M_MAX; j++)
		if (v[j] >= 0)
			sim_acc_add(&acc[j], v[j]);
	for (size_t i = 0; i < nq + nt; i++) {
		const struct cell *c = i < nq ? &row[i] : &tenants[i - nq];
		size_t gi = i < nq ? 1 + i : 1 + nq + ns + (i - nq);

		sim_measures(&c->m, c->at_once, 0, span_ms, false, v);
		for (int j = 0; j < SIM_M_MAX; j++)
			if (v[j] >= 0)
				sim_acc_add(&acc[gi * SIM_M_MAX + j], v[j]);
	}
	free(tenants);
}

void sim_fold(struct run *r)
{
	const struct sim_scenario *sc = r->sc;
	struct cell *total = calloc(r->ncols, sizeof(*total));

	if (!total) {
		r->oom = 1;
		return;
	}
	for (size_t k = 0; k < r->nint; k++) {
		const struct cell *row = &r->cells[k * r->ncols];
		int64_t from = (int64_t)k * sc->interval_ms;
		int64_t to = from + sc->interval_ms;

		if (from < sc->warmup_ms)
			from = sc->warmup_ms;
		if (to <= from)
			continue;
		for (size_t i = 0; i < r->ncols; i++) {
			metrics_add(&total[i].m, &row[i].m);
			total[i].at_once += row[i].at_once;
		}
		for (size_t i = 0; i < r->nq; i++)
			r->calls += row[i].m.offered;
		fold_row(r, k, row, to - from);
	}
	fold_row(r, r->nint, total, sc->duration_ms - sc->warmup_ms);
	free(total);
}

void sim_results(const struct run *r, struct sim_result *res)
{
	size_t n = (r->nint + 1) * r->ngroups;

	for (size_t i = 0; i < n; i++) {
		for (int j = 0; j < SIM_M_MAX; j++)
			res->rows[i].m[j] =
				sim_acc_stat(&r->acc[i * SIM_M_MAX + j]);
	}
	res->calls = r->calls;
	res->engine_events = r->events;
	res->unresolved = r->unresolved;
	res->voicemail = r->voicemail;
	res->closed = r->closed;
	res->callbacks = r->callbacks;
	res->errors = r->errors;
}

void sim_result_free(struct sim_result *res)
{
	free(res->rows);
	res->rows = NULL;
}

const struct sim_row *sim_row(const struct sim_result *r, size_t interval,
			      enum sim_group g, size_t idx)
{
	size_t ng = 1 + r->nqueues + r->nsites + r->ntenants, off;

	switch (g) {
	case SIM_G_QUEUE:
		off = 1 + idx;
		break;
	case SIM_G_SITE:
		off = 1 + r->nqueues + idx;
		break;
	case SIM_G_TENANT:
		off = 1 + r->nqueues + r->nsites + idx;
		break;
	default:
		off = 0;
	}
	return &r->rows[interval * ng + off];
}

static const char *const measure_names[SIM_M_MAX] = {
	"offered",
	"answered",
	"handled",
	"abandoned",
	"short_abandoned",
	"answered_in_threshold",
	"transfers",
	"service_level",
	"service_level_offered",
	"p_wait",
	"abandon_rate",
	"asa_s",
	"avg_wait_s",
	"max_wait_s",
	"aht_s",
	"avg_abandon_s",
	"occupancy",
	"utilisation",
	"agents",
	"cost",
	"cost_per_contact",
};

const char *sim_measure_name(enum sim_measure m)
{
	return m < SIM_M_MAX ? measure_names[m] : "?";
}
