/*
 * throttle — the login limits: backoff per user name and address, the
 * looser bounds per user name and per address, attempts counted when they
 * arrive, the whole server's hashing queue, and what is kept for a
 * restart.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "server/throttle.h"

#define T0 1700000000000LL
#define S  1000LL

struct writes {
	int puts, dels;
	char last[THROTTLE_KEY];
};

static void record(const struct throttle_entry *e, bool gone, void *arg)
{
	struct writes *w = arg;

	if (gone)
		w->dels++;
	else
		w->puts++;
	snprintf(w->last, sizeof(w->last), "%s", e->key);
}

static struct writes wr;

static int admit(struct throttle *t, const char *user, const char *addr,
		 int64_t now, int64_t *wait)
{
	return throttle_admit(t, user, addr, now, wait, record, &wr);
}

/* One attempt, decided at once. Returns throttle_admit's result. */
static int attempt(struct throttle *t, const char *user, const char *addr,
		   bool ok, int64_t now, int64_t *wait)
{
	int rc = admit(t, user, addr, now, wait);

	if (!rc)
		throttle_done(t, user, addr, ok, now, record, &wr);
	return rc;
}

static int setup(void **state)
{
	static struct throttle t;

	throttle_init(&t);
	memset(&wr, 0, sizeof(wr));
	*state = &t;
	return 0;
}

static int teardown(void **state)
{
	throttle_reset(*state);
	return 0;
}

static void test_five_failures_then_a_minute_then_doubling(void **state)
{
	struct throttle *t = *state;
	int64_t wait;

	for (int i = 0; i < 5; i++)
		assert_int_equal(
			attempt(t, "ann", "10.0.0.1", false, T0 + i, &wait), 0);
	/* the wait is the real one, counted from the fifth failure */
	assert_int_equal(admit(t, "ann", "10.0.0.1", T0 + 4 + 20 * S, &wait),
			 EAGAIN);
	assert_int_equal(wait, 40 * S);
	/* even the right password waits */
	assert_int_equal(
		attempt(t, "ann", "10.0.0.1", true, T0 + 59 * S, &wait),
		EAGAIN);
	/* after the minute: one more try; failing doubles the wait */
	assert_int_equal(
		attempt(t, "ann", "10.0.0.1", false, T0 + 61 * S, &wait), 0);
	assert_int_equal(admit(t, "ann", "10.0.0.1", T0 + 61 * S, &wait),
			 EAGAIN);
	assert_int_equal(wait, 120 * S);
}

static void test_another_address_still_logs_in(void **state)
{
	struct throttle *t = *state;
	int64_t wait;

	for (int i = 0; i < 5; i++)
		attempt(t, "ann", "10.0.0.1", false, T0, &wait);
	assert_int_equal(admit(t, "ann", "10.0.0.1", T0, &wait), EAGAIN);
	assert_int_equal(attempt(t, "ann", "10.0.0.2", true, T0, &wait), 0);
}

static void test_attempts_count_when_they_arrive(void **state)
{
	struct throttle *t = *state;
	int64_t wait;

	for (int i = 0; i < 5; i++)
		assert_int_equal(admit(t, "ann", "10.0.0.1", T0, &wait), 0);
	/* five in flight: a sixth would be past the free failures */
	assert_int_equal(admit(t, "ann", "10.0.0.1", T0, &wait), EAGAIN);
	assert_int_equal(wait, S);
	/* another user of the same address is not held up */
	assert_int_equal(admit(t, "bob", "10.0.0.1", T0, &wait), 0);
	for (int i = 0; i < 5; i++)
		throttle_done(t, "ann", "10.0.0.1", false, T0 + 100, record,
			      &wr);
	assert_int_equal(admit(t, "ann", "10.0.0.1", T0 + 100, &wait), EAGAIN);
	assert_int_equal(wait, 60 * S);
}

static void test_in_flight_bounded_per_address_and_user(void **state)
{
	struct throttle *t = *state;
	char user[16], addr[16];
	int64_t wait;

	for (int i = 0; i < 8; i++) {
		snprintf(user, sizeof(user), "u%d", i);
		assert_int_equal(admit(t, user, "10.0.0.1", T0, &wait), 0);
	}
	assert_int_equal(admit(t, "u9", "10.0.0.1", T0, &wait), EAGAIN);
	assert_int_equal(admit(t, "u9", "10.0.0.2", T0, &wait), 0);
	for (int i = 0; i < 7; i++) {
		snprintf(addr, sizeof(addr), "10.0.1.%d", i);
		assert_int_equal(admit(t, "zed", addr, T0, &wait), 0);
	}
	assert_int_equal(admit(t, "zed", "10.0.1.8", T0, &wait), 0);
	assert_int_equal(admit(t, "zed", "10.0.1.9", T0, &wait), EAGAIN);
}

static void test_the_hashing_queue_is_bounded(void **state)
{
	struct throttle *t = *state;
	char addr[16];
	int64_t wait;

	for (int i = 0; i < t->inflight_max; i++) {
		snprintf(addr, sizeof(addr), "10.0.2.%d", i);
		assert_int_equal(admit(t, addr, addr, T0, &wait), 0);
	}
	assert_int_equal(admit(t, "last", "10.0.3.1", T0, &wait), EBUSY);
	assert_int_equal(wait, S);
	throttle_done(t, "10.0.2.0", "10.0.2.0", true, T0, record, &wr);
	assert_int_equal(admit(t, "last", "10.0.3.1", T0, &wait), 0);
}

static void test_spread_guessing_locks_the_user_name(void **state)
{
	struct throttle *t = *state;
	char addr[16];
	int64_t wait;

	for (int i = 0; i < 50; i++) {
		snprintf(addr, sizeof(addr), "10.1.0.%d", i);
		assert_int_equal(attempt(t, "ann", addr, false, T0, &wait), 0);
	}
	assert_int_equal(admit(t, "ann", "10.2.0.1", T0 + S, &wait), EAGAIN);
	assert_int_equal(wait, 59 * S);
	assert_int_equal(attempt(t, "bob", "10.2.0.1", true, T0, &wait), 0);
}

static void test_spraying_locks_the_address(void **state)
{
	struct throttle *t = *state;
	char user[16];
	int64_t wait;

	for (int i = 0; i < 30; i++) {
		snprintf(user, sizeof(user), "u%d", i);
		assert_int_equal(attempt(t, user, "10.0.0.9", false, T0, &wait),
				 0);
	}
	assert_int_equal(admit(t, "admin", "10.0.0.9", T0, &wait), EAGAIN);
	assert_int_equal(attempt(t, "admin", "10.0.0.8", true, T0, &wait), 0);
}

static void test_success_clears_the_pair_only(void **state)
{
	struct throttle *t = *state;
	int64_t wait;

	for (int i = 0; i < 4; i++)
		attempt(t, "ann", "10.0.0.1", false, T0, &wait);
	memset(&wr, 0, sizeof(wr));
	assert_int_equal(attempt(t, "ann", "10.0.0.1", true, T0, &wait), 0);
	assert_int_equal(wr.dels, 1);
	assert_string_equal(wr.last, "pann\t10.0.0.1");
	/* five more failures are free again */
	for (int i = 0; i < 4; i++)
		assert_int_equal(
			attempt(t, "ann", "10.0.0.1", false, T0, &wait), 0);
}

static void test_failures_are_forgotten_after_15_minutes(void **state)
{
	struct throttle *t = *state;
	int64_t wait;

	for (int i = 0; i < 5; i++)
		attempt(t, "ann", "10.0.0.1", false, T0, &wait);
	memset(&wr, 0, sizeof(wr));
	throttle_sweep(t, T0 + 14 * 60 * S, record, &wr);
	assert_int_equal(wr.dels, 0);
	throttle_sweep(t, T0 + 15 * 60 * S, record, &wr);
	assert_int_equal(wr.dels, 3);
	assert_int_equal(t->map.len, 0);
}

static void test_a_restart_keeps_the_wait(void **state)
{
	struct throttle *t = *state;
	int64_t wait;

	assert_int_equal(throttle_load(t, "pann\t10.0.0.1", 5, T0, T0 + 60 * S),
			 0);
	assert_int_equal(admit(t, "ann", "10.0.0.1", T0 + 10 * S, &wait),
			 EAGAIN);
	assert_int_equal(wait, 50 * S);
	assert_int_equal(throttle_load(t, "x", 1, T0, T0), EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_five_failures_then_a_minute_then_doubling),
		T(test_another_address_still_logs_in),
		T(test_attempts_count_when_they_arrive),
		T(test_in_flight_bounded_per_address_and_user),
		T(test_the_hashing_queue_is_bounded),
		T(test_spread_guessing_locks_the_user_name),
		T(test_spraying_locks_the_address),
		T(test_success_clears_the_pair_only),
		T(test_failures_are_forgotten_after_15_minutes),
		T(test_a_restart_keeps_the_wait),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
