/*
 * rate — the token buckets of the web chat's limits: a burst, then one
 * request per refill interval, keys independent, full buckets forgotten.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "core/rate.h"

#define T0 1700000000000LL

static void test_burst_then_refused_with_the_wait(void **state)
{
	struct rate r;
	int64_t wait = 0;

	(void)state;
	rate_init(&r, (struct rate_rule){.burst = 3, .per_min = 60});
	for (int i = 0; i < 3; i++)
		assert_int_equal(rate_take(&r, "a", T0, &wait), 0);
	assert_int_equal(rate_take(&r, "a", T0, &wait), EAGAIN);
	assert_int_equal(wait, 1000);
	assert_int_equal(rate_take(&r, "a", T0 + 400, &wait), EAGAIN);
	assert_int_equal(wait, 600);
	rate_reset(&r);
}

static void test_tokens_come_back_at_the_rate(void **state)
{
	struct rate r;
	int64_t wait = 0;

	(void)state;
	rate_init(&r, (struct rate_rule){.burst = 2, .per_min = 30});
	assert_int_equal(rate_take(&r, "a", T0, &wait), 0);
	assert_int_equal(rate_take(&r, "a", T0, &wait), 0);
	assert_int_equal(rate_take(&r, "a", T0 + 1999, &wait), EAGAIN);
	assert_int_equal(rate_take(&r, "a", T0 + 2000, &wait), 0);
	/* never more than the burst, however long the pause */
	assert_int_equal(rate_take(&r, "a", T0 + 3600000, &wait), 0);
	assert_int_equal(rate_take(&r, "a", T0 + 3600000, &wait), 0);
	assert_int_equal(rate_take(&r, "a", T0 + 3600000, &wait), EAGAIN);
	rate_reset(&r);
}

static void test_keys_are_independent(void **state)
{
	struct rate r;
	int64_t wait = 0;

	(void)state;
	rate_init(&r, (struct rate_rule){.burst = 1, .per_min = 1});
	assert_int_equal(rate_take(&r, "a", T0, &wait), 0);
	assert_int_equal(rate_take(&r, "a", T0, &wait), EAGAIN);
	assert_int_equal(rate_take(&r, "b", T0, &wait), 0);
	rate_reset(&r);
}

static void test_sweep_forgets_full_buckets_only(void **state)
{
	struct rate r;
	int64_t wait = 0;
	char key[16];

	(void)state;
	rate_init(&r, (struct rate_rule){.burst = 2, .per_min = 60});
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(rate_take(&r, key, T0, &wait), 0);
	}
	assert_int_equal(rate_take(&r, "busy", T0 + 900, &wait), 0);
	assert_int_equal(rate_take(&r, "busy", T0 + 900, &wait), 0);
	rate_sweep(&r, T0 + 1000);
	assert_int_equal(rate_size(&r), 1); /* busy is not full yet */
	rate_sweep(&r, T0 + 3000);
	assert_int_equal(rate_size(&r), 0);
	rate_reset(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_refused_with_the_wait),
		cmocka_unit_test(test_tokens_come_back_at_the_rate),
		cmocka_unit_test(test_keys_are_independent),
		cmocka_unit_test(test_sweep_forgets_full_buckets_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
