/*
 * metrics — the contact-centre measures of SPEC §5, one definition used
 * by the realtime statistics, the interval reports and the simulator.
 *
 * An accumulator is fed facts (a contact offered, answered after a wait,
 * abandoned after a wait, handled for so long...) and derives the ratios.
 * Pure: no clock, no I/O.
 *
 * Service level, default variant (SPEC §5): answered within the threshold
 * ÷ (answered + abandoned after the threshold). Abandons under the short
 * threshold count apart and in neither term.
 */
#ifndef RELAIS_METRICS_H
#define RELAIS_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/engine.h"

struct metrics {
	uint32_t offered;
	uint32_t answered, answered_in_sl;
	uint32_t abandoned, short_abandoned, abandoned_after_sl;
	uint32_t handled; /* completed after being answered */
	uint32_t transfers;
	int64_t wait_answered_ms; /* sum */
	int64_t wait_abandoned_ms;
	int64_t wait_max_ms;
	int64_t talk_ms, wrap_ms; /* sums over handled contacts */
	/* agents' time by state (agent and site groupings) */
	int64_t busy_ms, idle_ms, paused_ms;
	/* customer satisfaction: ratings (1 to 5), their sum, those of 4-5 */
	uint32_t csat_count, csat_sum, csat_satisfied;
};

enum sl_variant {
	SL_ANSWERED_OVER_ANSWERED_AND_LATE_ABANDONS = 0, /* default */
	SL_ANSWERED_OVER_OFFERED,
	SL_ANSWERED_OVER_ANSWERED,
	SL_ANSWERED_OVER_OFFERED_LESS_SHORT,
};

void metrics_offered(struct metrics *m);
void metrics_answered(struct metrics *m, int64_t wait_ms, int64_t sl_ms);
void metrics_abandoned(struct metrics *m, int64_t wait_ms, int64_t sl_ms,
		       int64_t short_ms);
void metrics_handled(struct metrics *m, int64_t talk_ms, int64_t wrap_ms);
void metrics_transferred(struct metrics *m);
void metrics_add(struct metrics *to, const struct metrics *from);

/* Abandons quicker than this are "short" (SPEC §5). */
#define METRICS_SHORT_ABANDON_MS 5000

/*
 * Feeds one engine event of a queue whose service-level threshold is
 * sl_ms: an entry is offered, an accept answered, an abandon abandoned,
 * a completion handled, a transfer counted.
 */
void metrics_on_event(struct metrics *m, enum engine_event_type t, bool entered,
		      int64_t wait_ms, int64_t talk_ms, int64_t wrap_ms,
		      int64_t sl_ms);

/* An agent spent ms in state st (offline time is not counted). */
void metrics_agent_time(struct metrics *m, enum agent_state st, int64_t ms);

/*
 * Occupancy: busy (handling or wrap-up) ÷ (busy + available).
 * Utilisation: busy ÷ (busy + available + paused).
 */
double metrics_occupancy(const struct metrics *m);
double metrics_utilisation(const struct metrics *m);

/* Ratios and means; -1 when undefined (nothing to divide by). */
double metrics_service_level(const struct metrics *m, enum sl_variant v);
double metrics_asa_s(const struct metrics *m);
double metrics_aht_s(const struct metrics *m);
double metrics_avg_wait_s(const struct metrics *m);
double metrics_avg_abandon_s(const struct metrics *m);
double metrics_abandon_rate(const struct metrics *m);

/*
 * Customer satisfaction (CSAT): a customer's rating of a contact, 1 (very
 * dissatisfied) to 5 (very satisfied); another score is ignored. The
 * average is the mean score; the satisfied share is the ratings of 4 or 5
 * ÷ all ratings (0 to 1). -1 with no rating.
 */
void metrics_csat(struct metrics *m, int score);
double metrics_csat_avg(const struct metrics *m);
double metrics_csat_satisfied(const struct metrics *m);

#endif
