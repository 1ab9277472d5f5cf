#include "core/metrics.h"

void metrics_offered(struct metrics *m)
{
	m->offered++;
}

static void wait_max(struct metrics *m, int64_t wait_ms)
{
	if (wait_ms > m->wait_max_ms)
		m->wait_max_ms = wait_ms;
}

void metrics_answered(struct metrics *m, int64_t wait_ms, int64_t sl_ms)
{
	m->answered++;
	if (wait_ms <= sl_ms)
		m->answered_in_sl++;
	m->wait_answered_ms += wait_ms;
	wait_max(m, wait_ms);
}

void metrics_abandoned(struct metrics *m, int64_t wait_ms, int64_t sl_ms,
		       int64_t short_ms)
{
	m->abandoned++;
	if (wait_ms < short_ms)
		m->short_abandoned++;
	else if (wait_ms > sl_ms)
		m->abandoned_after_sl++;
	m->wait_abandoned_ms += wait_ms;
	wait_max(m, wait_ms);
}

void metrics_handled(struct metrics *m, int64_t talk_ms, int64_t wrap_ms)
{
	m->handled++;
	m->talk_ms += talk_ms;
	m->wrap_ms += wrap_ms;
}

void metrics_transferred(struct metrics *m)
{
	m->transfers++;
}

void metrics_add(struct metrics *to, const struct metrics *from)
{
	to->offered += from->offered;
	to->answered += from->answered;
	to->answered_in_sl += from->answered_in_sl;
	to->abandoned += from->abandoned;
	to->short_abandoned += from->short_abandoned;
	to->abandoned_after_sl += from->abandoned_after_sl;
	to->handled += from->handled;
	to->transfers += from->transfers;
	to->wait_answered_ms += from->wait_answered_ms;
	to->wait_abandoned_ms += from->wait_abandoned_ms;
	if (from->wait_max_ms > to->wait_max_ms)
		to->wait_max_ms = from->wait_max_ms;
	to->talk_ms += from->talk_ms;
	to->wrap_ms += from->wrap_ms;
	to->busy_ms += from->busy_ms;
	to->idle_ms += from->idle_ms;
	to->paused_ms += from->paused_ms;
	to->csat_count += from->csat_count;
	to->csat_sum += from->csat_sum;
	to->csat_satisfied += from->csat_satisfied;
}

void metrics_agent_time(struct metrics *m, enum agent_state st, int64_t ms)
{
	if (ms <= 0)
		return;
	if (st == AS_BUSY || st == AS_WRAPUP)
		m->busy_ms += ms;
	else if (st == AS_AVAILABLE)
		m->idle_ms += ms;
	else if (st == AS_PAUSED)
		m->paused_ms += ms;
}

static double ratio(double num, double den)
{
	return den > 0 ? num / den : -1;
}

double metrics_service_level(const struct metrics *m, enum sl_variant v)
{
	switch (v) {
	case SL_ANSWERED_OVER_OFFERED:
		return ratio(m->answered_in_sl, m->answered + m->abandoned);
	case SL_ANSWERED_OVER_ANSWERED:
		return ratio(m->answered_in_sl, m->answered);
	case SL_ANSWERED_OVER_OFFERED_LESS_SHORT:
		return ratio(m->answered_in_sl,
			     m->answered + m->abandoned - m->short_abandoned);
	default:
		return ratio(m->answered_in_sl,
			     m->answered + m->abandoned_after_sl);
	}
}

double metrics_asa_s(const struct metrics *m)
{
	return ratio((double)m->wait_answered_ms / 1000.0, m->answered);
}

double metrics_aht_s(const struct metrics *m)
{
	return ratio((double)(m->talk_ms + m->wrap_ms) / 1000.0, m->handled);
}

double metrics_avg_wait_s(const struct metrics *m)
{
	return ratio((double)(m->wait_answered_ms + m->wait_abandoned_ms) /
			     1000.0,
		     m->answered + m->abandoned);
}

double metrics_avg_abandon_s(const struct metrics *m)
{
	return ratio((double)m->wait_abandoned_ms / 1000.0, m->abandoned);
}

double metrics_abandon_rate(const struct metrics *m)
{
	return ratio(m->abandoned, m->offered);
}

void metrics_on_event(struct metrics *m, enum engine_event_type t, bool entered,
		      int64_t wait_ms, int64_t talk_ms, int64_t wrap_ms,
		      int64_t sl_ms)
{
	switch (t) {
	case EV_CONTACT_QUEUED:
		if (entered)
			metrics_offered(m);
		break;
	case EV_CONTACT_ACCEPTED:
		metrics_answered(m, wait_ms, sl_ms);
		break;
	case EV_CONTACT_ABANDONED:
		metrics_abandoned(m, wait_ms, sl_ms, METRICS_SHORT_ABANDON_MS);
		break;
	case EV_CONTACT_COMPLETED:
		if (talk_ms > 0)
			metrics_handled(m, talk_ms, wrap_ms);
		break;
	case EV_CONTACT_TRANSFERRED:
		metrics_transferred(m);
		break;
	default:
		break;
	}
}

double metrics_occupancy(const struct metrics *m)
{
	return ratio((double)m->busy_ms, (double)(m->busy_ms + m->idle_ms));
}

double metrics_utilisation(const struct metrics *m)
{
	return ratio((double)m->busy_ms,
		     (double)(m->busy_ms + m->idle_ms + m->paused_ms));
}

void metrics_csat(struct metrics *m, int score)
{
	if (score < 1 || score > 5)
		return;
	m->csat_count++;
	m->csat_sum += (uint32_t)score;
	if (score >= 4)
		m->csat_satisfied++;
}

double metrics_csat_avg(const struct metrics *m)
{
	return ratio(m->csat_sum, m->csat_count);
}

double metrics_csat_satisfied(const struct metrics *m)
{
	return ratio(m->csat_satisfied, m->csat_count);
}
