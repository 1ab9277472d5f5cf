/*
 * metrics — the measures of SPEC §5 on small days worked out by hand.
 *
 * The reference day (threshold 20 s, short abandons under 5 s):
 *   answered after  5, 20, 25, 40 s     -> 4 answered, 2 within 20 s
 *   abandoned after 3, 4.999, 5, 21, 60 s -> 5 abandoned, 2 short,
 *                                            2 after the threshold
 *   9 offered; handled: 100 s talk + 20 s wrap, 200 s talk + 0 s wrap.
 *
 * An agent's hour: 30 min handling, 10 in wrap-up, 10 available, 10
 * paused (and an offline hour that counts nowhere).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/metrics.h"

#define SL_MS	 20000
#define SHORT_MS METRICS_SHORT_ABANDON_MS

static void near(double got, double want)
{
	if (fabs(got - want) > 1e-9)
		fail_msg("got %.12f, want %.12f", got, want);
}

static void reference_day(struct metrics *m)
{
	static const int64_t answered[] = {5000, 20000, 25000, 40000};
	static const int64_t abandoned[] = {3000, 4999, 5000, 21000, 60000};

	memset(m, 0, sizeof(*m));
	for (int i = 0; i < 9; i++)
		metrics_offered(m);
	for (size_t i = 0; i < 4; i++)
		metrics_answered(m, answered[i], SL_MS);
	for (size_t i = 0; i < 5; i++)
		metrics_abandoned(m, abandoned[i], SL_MS, SHORT_MS);
	metrics_handled(m, 100000, 20000);
	metrics_handled(m, 200000, 0);
}

/* ---- the counters ---- */

static void test_reference_day_counters(void **state)
{
	struct metrics m;

	(void)state;
	reference_day(&m);
	assert_int_equal(m.offered, 9);
	assert_int_equal(m.answered, 4);
	assert_int_equal(m.answered_in_sl, 2);
	assert_int_equal(m.abandoned, 5);
	assert_int_equal(m.short_abandoned, 2);
	assert_int_equal(m.abandoned_after_sl, 2);
	assert_int_equal(m.handled, 2);
	assert_int_equal(m.wait_answered_ms, 90000);
	assert_int_equal(m.wait_abandoned_ms, 93999);
	assert_int_equal(m.wait_max_ms, 60000);
	assert_int_equal(m.talk_ms, 300000);
	assert_int_equal(m.wrap_ms, 20000);
}

static void test_answer_at_the_threshold_is_within(void **state)
{
	struct metrics m = {0};

	(void)state;
	metrics_answered(&m, SL_MS, SL_MS);
	metrics_answered(&m, SL_MS + 1, SL_MS);
	assert_int_equal(m.answered, 2);
	assert_int_equal(m.answered_in_sl, 1);
}

static void test_abandon_at_the_short_limit_is_not_short(void **state)
{
	struct metrics m = {0};

	(void)state;
	metrics_abandoned(&m, SHORT_MS - 1, SL_MS, SHORT_MS);
	metrics_abandoned(&m, SHORT_MS, SL_MS, SHORT_MS);
	assert_int_equal(m.short_abandoned, 1);
	assert_int_equal(m.abandoned_after_sl, 0);
}

static void test_abandon_at_the_threshold_is_not_late(void **state)
{
	struct metrics m = {0};

	(void)state;
	metrics_abandoned(&m, SL_MS, SL_MS, SHORT_MS);
	metrics_abandoned(&m, SL_MS + 1, SL_MS, SHORT_MS);
	assert_int_equal(m.abandoned, 2);
	assert_int_equal(m.abandoned_after_sl, 1);
}

static void test_short_abandon_is_never_late(void **state)
{
	struct metrics m = {0};

	(void)state;
	/* a threshold under the short limit: 4 s is short, not late */
	metrics_abandoned(&m, 4000, 3000, SHORT_MS);
	assert_int_equal(m.short_abandoned, 1);
	assert_int_equal(m.abandoned_after_sl, 0);
	near(metrics_service_level(&m, 0), -1);
}

/* ---- service level ---- */

static void test_service_level_default_excludes_short_abandons(void **state)
{
	struct metrics m;

	(void)state;
	reference_day(&m);
	/* 2 within ÷ (4 answered + 2 late abandons) */
	near(metrics_service_level(&m,
				   SL_ANSWERED_OVER_ANSWERED_AND_LATE_ABANDONS),
	     2.0 / 6.0);
}

static void test_service_level_over_offered(void **state)
{
	struct metrics m;

	(void)state;
	reference_day(&m);
	/* 2 ÷ (4 answered + 5 abandoned) */
	near(metrics_service_level(&m, SL_ANSWERED_OVER_OFFERED), 2.0 / 9.0);
}

static void test_service_level_over_answered(void **state)
{
	struct metrics m;

	(void)state;
	reference_day(&m);
	near(metrics_service_level(&m, SL_ANSWERED_OVER_ANSWERED), 0.5);
}

static void test_service_level_over_offered_less_short(void **state)
{
	struct metrics m;

	(void)state;
	reference_day(&m);
	/* 2 ÷ (4 + 5 - 2 short) */
	near(metrics_service_level(&m, SL_ANSWERED_OVER_OFFERED_LESS_SHORT),
	     2.0 / 7.0);
}

static void test_service_level_over_offered_ignores_still_waiting(void **state)
{
	struct metrics m = {0};

	(void)state;
	/* three entered, one answered in time, two still waiting */
	metrics_offered(&m);
	metrics_offered(&m);
	metrics_offered(&m);
	metrics_answered(&m, 1000, SL_MS);
	near(metrics_service_level(&m, SL_ANSWERED_OVER_OFFERED), 1.0);
}

static void test_service_level_all_in_time_is_one(void **state)
{
	struct metrics m = {0};

	(void)state;
	metrics_answered(&m, 0, SL_MS);
	metrics_abandoned(&m, 1000, SL_MS, SHORT_MS);
	near(metrics_service_level(&m, 0), 1.0);
	near(metrics_service_level(&m, SL_ANSWERED_OVER_OFFERED), 0.5);
	near(metrics_service_level(&m, SL_ANSWERED_OVER_OFFERED_LESS_SHORT),
	     1.0);
}

static void test_service_level_only_late_abandons_is_zero(void **state)
{
	struct metrics m = {0};

	(void)state;
	metrics_abandoned(&m, 30000, SL_MS, SHORT_MS);
	near(metrics_service_level(&m, 0), 0.0);
	near(metrics_service_level(&m, SL_ANSWERED_OVER_ANSWERED), -1);
}

static void test_service_level_undefined_is_minus_one(void **state)
{
	struct metrics m = {0};

	(void)state;
	for (int v = 0; v <= SL_ANSWERED_OVER_OFFERED_LESS_SHORT; v++)
		near(metrics_service_level(&m, (enum sl_variant)v), -1);
	/* only short abandons: nothing counts */
	metrics_abandoned(&m, 1000, SL_MS, SHORT_MS);
	near(metrics_service_level(&m, 0), -1);
	near(metrics_service_level(&m, SL_ANSWERED_OVER_OFFERED_LESS_SHORT),
	     -1);
	near(metrics_service_level(&m, SL_ANSWERED_OVER_OFFERED), 0.0);
}

/* ---- means and rates ---- */

static void test_asa_is_mean_wait_of_answered(void **state)
{
	struct metrics m;

	(void)state;
	reference_day(&m);
	near(metrics_asa_s(&m), 22.5);
}

static void test_aht_is_mean_talk_plus_wrap(void **state)
{
	struct metrics m;

	(void)state;
	reference_day(&m);
	near(metrics_aht_s(&m), 160.0);
}

static void test_avg_abandon_is_mean_wait_of_abandoned(void **state)
{
	struct metrics m;

	(void)state;
	reference_day(&m);
	near(metrics_avg_abandon_s(&m), 93.999 / 5.0);
}

static void test_avg_wait_counts_answered_and_abandoned(void **state)
{
	struct metrics m;

	(void)state;
	reference_day(&m);
	near(metrics_avg_wait_s(&m), (90.0 + 93.999) / 9.0);
}

static void test_abandon_rate_is_over_offered(void **state)
{
	struct metrics m;

	(void)state;
	reference_day(&m);
	near(metrics_abandon_rate(&m), 5.0 / 9.0);
}

static void test_means_undefined_are_minus_one(void **state)
{
	struct metrics m = {0};

	(void)state;
	near(metrics_asa_s(&m), -1);
	near(metrics_aht_s(&m), -1);
	near(metrics_avg_wait_s(&m), -1);
	near(metrics_avg_abandon_s(&m), -1);
	near(metrics_abandon_rate(&m), -1);
}

static void test_zero_waits_give_zero_not_undefined(void **state)
{
	struct metrics m = {0};

	(void)state;
	metrics_offered(&m);
	metrics_answered(&m, 0, SL_MS);
	metrics_handled(&m, 0, 0);
	near(metrics_asa_s(&m), 0.0);
	near(metrics_aht_s(&m), 0.0);
	near(metrics_abandon_rate(&m), 0.0);
	near(metrics_avg_abandon_s(&m), -1);
}

/* ---- agents' time: occupancy and utilisation ---- */

/* 40 min busy (30 handling + 10 wrap-up), 10 available, 10 paused. */
static void agent_hour(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
	metrics_agent_time(m, AS_BUSY, 30 * 60000);
	metrics_agent_time(m, AS_WRAPUP, 10 * 60000);
	metrics_agent_time(m, AS_AVAILABLE, 10 * 60000);
	metrics_agent_time(m, AS_PAUSED, 10 * 60000);
	metrics_agent_time(m, AS_OFFLINE, 60 * 60000);
}

static void test_agent_time_by_state(void **state)
{
	struct metrics m;

	(void)state;
	agent_hour(&m);
	assert_int_equal(m.busy_ms, 40 * 60000);
	assert_int_equal(m.idle_ms, 10 * 60000);
	assert_int_equal(m.paused_ms, 10 * 60000);
}

static void test_agent_time_ignores_offline_and_non_positive(void **state)
{
	struct metrics m = {0}, zero = {0};

	(void)state;
	metrics_agent_time(&m, AS_OFFLINE, 5000);
	metrics_agent_time(&m, AS_BUSY, 0);
	metrics_agent_time(&m, AS_AVAILABLE, -5000);
	assert_memory_equal(&m, &zero, sizeof(m));
}

static void test_occupancy_is_busy_over_busy_and_available(void **state)
{
	struct metrics m;

	(void)state;
	agent_hour(&m);
	near(metrics_occupancy(&m), 40.0 / 50.0);
}

static void test_utilisation_counts_paused_time_too(void **state)
{
	struct metrics m;

	(void)state;
	agent_hour(&m);
	near(metrics_utilisation(&m), 40.0 / 60.0);
}

static void test_occupancy_undefined_without_time(void **state)
{
	struct metrics m = {0};

	(void)state;
	near(metrics_occupancy(&m), -1);
	near(metrics_utilisation(&m), -1);
	/* only paused: utilisation 0, occupancy still undefined */
	metrics_agent_time(&m, AS_PAUSED, 60000);
	near(metrics_occupancy(&m), -1);
	near(metrics_utilisation(&m), 0.0);
}

static void test_add_sums_agent_time(void **state)
{
	struct metrics a, b;

	(void)state;
	agent_hour(&a);
	agent_hour(&b);
	metrics_agent_time(&b, AS_AVAILABLE, 30 * 60000);
	metrics_add(&a, &b);
	assert_int_equal(a.busy_ms, 80 * 60000);
	assert_int_equal(a.idle_ms, 50 * 60000);
	assert_int_equal(a.paused_ms, 20 * 60000);
	near(metrics_occupancy(&a), 80.0 / 130.0);
}

/* ---- metrics_add ---- */

static void test_add_sums_counters_and_keeps_the_longest_wait(void **state)
{
	struct metrics a, b = {0}, sum;

	(void)state;
	reference_day(&a);
	metrics_offered(&b);
	metrics_answered(&b, 70000, SL_MS);
	metrics_transferred(&b);
	metrics_handled(&b, 60000, 0);
	sum = a;
	metrics_add(&sum, &b);
	assert_int_equal(sum.offered, 10);
	assert_int_equal(sum.answered, 5);
	assert_int_equal(sum.answered_in_sl, 2);
	assert_int_equal(sum.abandoned, 5);
	assert_int_equal(sum.short_abandoned, 2);
	assert_int_equal(sum.abandoned_after_sl, 2);
	assert_int_equal(sum.handled, 3);
	assert_int_equal(sum.transfers, 1);
	assert_int_equal(sum.wait_answered_ms, 160000);
	assert_int_equal(sum.wait_abandoned_ms, 93999);
	assert_int_equal(sum.wait_max_ms, 70000);
	assert_int_equal(sum.talk_ms, 360000);
	assert_int_equal(sum.wrap_ms, 20000);
	near(metrics_service_level(&sum, 0), 2.0 / 7.0);
	near(metrics_aht_s(&sum), 380.0 / 3.0);
}

static void test_add_of_nothing_changes_nothing(void **state)
{
	struct metrics a, zero = {0}, before;

	(void)state;
	reference_day(&a);
	before = a;
	metrics_add(&a, &zero);
	assert_memory_equal(&a, &before, sizeof(a));
	metrics_add(&zero, &before);
	assert_memory_equal(&zero, &before, sizeof(a));
}

static void test_add_equals_feeding_one_accumulator(void **state)
{
	struct metrics one = {0}, x = {0}, y = {0};

	(void)state;
	for (int i = 0; i < 50; i++) {
		struct metrics *half = i % 2 ? &x : &y;
		int64_t wait = (int64_t)i * 1300;

		metrics_offered(&one);
		metrics_offered(half);
		if (i % 3) {
			metrics_answered(&one, wait, SL_MS);
			metrics_answered(half, wait, SL_MS);
		} else {
			metrics_abandoned(&one, wait, SL_MS, SHORT_MS);
			metrics_abandoned(half, wait, SL_MS, SHORT_MS);
		}
	}
	metrics_add(&x, &y);
	assert_memory_equal(&x, &one, sizeof(one));
}

/* ---- metrics_on_event ---- */

static void feed(struct metrics *m, enum engine_event_type t, bool entered,
		 int64_t wait, int64_t talk, int64_t wrap)
{
	metrics_on_event(m, t, entered, wait, talk, wrap, SL_MS);
}

static void test_queued_is_offered_only_when_entered(void **state)
{
	struct metrics m = {0};

	(void)state;
	feed(&m, EV_CONTACT_QUEUED, true, 0, 0, 0);
	/* back in line after a missed offer: the same contact */
	feed(&m, EV_CONTACT_QUEUED, false, 12000, 0, 0);
	assert_int_equal(m.offered, 1);
}

static void test_accepted_is_answered_with_its_wait(void **state)
{
	struct metrics m = {0};

	(void)state;
	feed(&m, EV_CONTACT_ACCEPTED, false, 15000, 0, 0);
	feed(&m, EV_CONTACT_ACCEPTED, false, 25000, 0, 0);
	assert_int_equal(m.answered, 2);
	assert_int_equal(m.answered_in_sl, 1);
	assert_int_equal(m.wait_answered_ms, 40000);
}

static void test_abandoned_uses_the_short_limit(void **state)
{
	struct metrics m = {0};

	(void)state;
	feed(&m, EV_CONTACT_ABANDONED, false, SHORT_MS - 1, 0, 0);
	feed(&m, EV_CONTACT_ABANDONED, false, SHORT_MS, 0, 0);
	feed(&m, EV_CONTACT_ABANDONED, false, SL_MS + 1, 0, 0);
	assert_int_equal(m.abandoned, 3);
	assert_int_equal(m.short_abandoned, 1);
	assert_int_equal(m.abandoned_after_sl, 1);
}

static void test_completed_is_handled_only_after_talk(void **state)
{
	struct metrics m = {0};

	(void)state;
	feed(&m, EV_CONTACT_COMPLETED, false, 0, 90000, 10000);
	/* completed without ever being answered (talk 0): not handled */
	feed(&m, EV_CONTACT_COMPLETED, false, 0, 0, 10000);
	assert_int_equal(m.handled, 1);
	assert_int_equal(m.talk_ms, 90000);
	assert_int_equal(m.wrap_ms, 10000);
}

static void test_transferred_is_counted(void **state)
{
	struct metrics m = {0};

	(void)state;
	feed(&m, EV_CONTACT_TRANSFERRED, false, 3000, 0, 0);
	assert_int_equal(m.transfers, 1);
	assert_int_equal(m.offered, 0);
}

static void test_other_events_count_nothing(void **state)
{
	static const enum engine_event_type others[] = {
		EV_CONTACT_OFFERED,   EV_OFFER_WITHDRAWN, EV_OFFER_REJECTED,
		EV_OFFER_MISSED,      EV_CONTACT_STEP,	  EV_CONTACT_ENDED,
		EV_CONTACT_CALLBACK,  EV_CALLBACK_OFFER,  EV_CALLBACK_DIAL,
		EV_CONTACT_VOICEMAIL, EV_CONTACT_CLOSED,  EV_AGENT_STATE,
	};
	struct metrics m = {0}, zero = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		feed(&m, others[i], true, 30000, 50000, 5000);
	assert_memory_equal(&m, &zero, sizeof(m));
}

static void test_events_of_the_reference_day(void **state)
{
	struct metrics by_event = {0}, by_hand;

	(void)state;
	reference_day(&by_hand);
	for (int i = 0; i < 9; i++)
		feed(&by_event, EV_CONTACT_QUEUED, true, 0, 0, 0);
	feed(&by_event, EV_CONTACT_ACCEPTED, false, 5000, 0, 0);
	feed(&by_event, EV_CONTACT_ACCEPTED, false, 20000, 0, 0);
	feed(&by_event, EV_CONTACT_ACCEPTED, false, 25000, 0, 0);
	feed(&by_event, EV_CONTACT_ACCEPTED, false, 40000, 0, 0);
	feed(&by_event, EV_CONTACT_ABANDONED, false, 3000, 0, 0);
	feed(&by_event, EV_CONTACT_ABANDONED, false, 4999, 0, 0);
	feed(&by_event, EV_CONTACT_ABANDONED, false, 5000, 0, 0);
	feed(&by_event, EV_CONTACT_ABANDONED, false, 21000, 0, 0);
	feed(&by_event, EV_CONTACT_ABANDONED, false, 60000, 0, 0);
	feed(&by_event, EV_CONTACT_COMPLETED, false, 0, 100000, 20000);
	feed(&by_event, EV_CONTACT_COMPLETED, false, 0, 200000, 0);
	assert_memory_equal(&by_event, &by_hand, sizeof(by_hand));
}

/* CSAT: the mean score and the share of 4 and 5; out-of-range ignored. */
static void test_csat_average_and_satisfied_share(void **state)
{
	struct metrics m = {0}, sum = {0};

	(void)state;
	assert_true(metrics_csat_avg(&m) < 0);
	assert_true(metrics_csat_satisfied(&m) < 0);
	metrics_csat(&m, 5);
	metrics_csat(&m, 4);
	metrics_csat(&m, 2);
	metrics_csat(&m, 1);
	metrics_csat(&m, 0);
	metrics_csat(&m, 6);
	assert_int_equal(m.csat_count, 4);
	assert_float_equal(metrics_csat_avg(&m), 3.0, 1e-9);
	assert_float_equal(metrics_csat_satisfied(&m), 0.5, 1e-9);
	metrics_add(&sum, &m);
	metrics_add(&sum, &m);
	assert_int_equal(sum.csat_count, 8);
	assert_float_equal(metrics_csat_avg(&sum), 3.0, 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_day_counters),
		cmocka_unit_test(test_answer_at_the_threshold_is_within),
		cmocka_unit_test(test_abandon_at_the_short_limit_is_not_short),
		cmocka_unit_test(test_abandon_at_the_threshold_is_not_late),
		cmocka_unit_test(test_short_abandon_is_never_late),
		cmocka_unit_test(
			test_service_level_default_excludes_short_abandons),
		cmocka_unit_test(test_service_level_over_offered),
		cmocka_unit_test(test_service_level_over_answered),
		cmocka_unit_test(test_service_level_over_offered_less_short),
		cmocka_unit_test(
			test_service_level_over_offered_ignores_still_waiting),
		cmocka_unit_test(test_service_level_all_in_time_is_one),
		cmocka_unit_test(test_service_level_only_late_abandons_is_zero),
		cmocka_unit_test(test_service_level_undefined_is_minus_one),
		cmocka_unit_test(test_asa_is_mean_wait_of_answered),
		cmocka_unit_test(test_aht_is_mean_talk_plus_wrap),
		cmocka_unit_test(test_avg_abandon_is_mean_wait_of_abandoned),
		cmocka_unit_test(test_avg_wait_counts_answered_and_abandoned),
		cmocka_unit_test(test_abandon_rate_is_over_offered),
		cmocka_unit_test(test_means_undefined_are_minus_one),
		cmocka_unit_test(test_zero_waits_give_zero_not_undefined),
		cmocka_unit_test(test_agent_time_by_state),
		cmocka_unit_test(
			test_agent_time_ignores_offline_and_non_positive),
		cmocka_unit_test(
			test_occupancy_is_busy_over_busy_and_available),
		cmocka_unit_test(test_utilisation_counts_paused_time_too),
		cmocka_unit_test(test_occupancy_undefined_without_time),
		cmocka_unit_test(test_add_sums_agent_time),
		cmocka_unit_test(
			test_add_sums_counters_and_keeps_the_longest_wait),
		cmocka_unit_test(test_add_of_nothing_changes_nothing),
		cmocka_unit_test(test_add_equals_feeding_one_accumulator),
		cmocka_unit_test(test_queued_is_offered_only_when_entered),
		cmocka_unit_test(test_accepted_is_answered_with_its_wait),
		cmocka_unit_test(test_abandoned_uses_the_short_limit),
		cmocka_unit_test(test_completed_is_handled_only_after_talk),
		cmocka_unit_test(test_transferred_is_counted),
		cmocka_unit_test(test_other_events_count_nothing),
		cmocka_unit_test(test_events_of_the_reference_day),
		cmocka_unit_test(test_csat_average_and_satisfied_share),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
