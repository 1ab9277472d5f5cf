/*
 * test_timerq — deadline FIFO lists armed in one heap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "core/timerq.h"

struct item {
	struct tq_node node;
	int id;
};

static int pop_id(struct tq *q, int64_t now, int *kind)
{
	struct tq_node *n = timerq_pop(q, now, kind);

	return n ? ((struct item *)(void *)n)->id : -1;
}

static void test_fires_in_due_order_across_lists(void **state)
{
	struct tq q = {0};
	struct tq_list a, b;
	struct item it[4] = {{.id = 0}, {.id = 1}, {.id = 2}, {.id = 3}};
	int kind = -1;

	(void)state;
	timerq_list_init(&a, 7);
	timerq_list_init(&b, 9);
	assert_int_equal(timerq_insert(&q, &a, &it[0].node, 100), 0);
	assert_int_equal(timerq_insert(&q, &a, &it[1].node, 300), 0);
	assert_int_equal(timerq_insert(&q, &b, &it[2].node, 200), 0);
	assert_int_equal(timerq_insert(&q, &b, &it[3].node, 400), 0);
	assert_int_equal(timerq_next(&q), 100);
	assert_int_equal(pop_id(&q, 99, &kind), -1);
	assert_int_equal(pop_id(&q, 1000, &kind), 0);
	assert_int_equal(kind, 7);
	assert_int_equal(pop_id(&q, 1000, &kind), 2);
	assert_int_equal(kind, 9);
	assert_int_equal(pop_id(&q, 1000, &kind), 1);
	assert_int_equal(pop_id(&q, 1000, &kind), 3);
	assert_int_equal(pop_id(&q, 1000, &kind), -1);
	assert_false(tq_scheduled(&it[0].node));
	timerq_free(&q);
}

static void test_same_instant_lower_kind_fires_first(void **state)
{
	struct tq q = {0};
	struct tq_list steps, ready;
	struct item a = {.id = 1}, b = {.id = 2};
	int kind;

	(void)state;
	timerq_list_init(&steps, 4);
	timerq_list_init(&ready, 0);
	assert_int_equal(timerq_insert(&q, &steps, &a.node, 500),
			 0); /* first */
	assert_int_equal(timerq_insert(&q, &ready, &b.node, 500), 0);
	assert_int_equal(pop_id(&q, 500, &kind), 2);
	assert_int_equal(kind, 0);
	assert_int_equal(pop_id(&q, 500, &kind), 1);
	timerq_free(&q);
}

static void test_cancelled_node_never_fires(void **state)
{
	struct tq q = {0};
	struct tq_list a;
	struct item it[3] = {{.id = 0}, {.id = 1}, {.id = 2}};
	int kind;

	(void)state;
	timerq_list_init(&a, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(
			timerq_insert(&q, &a, &it[i].node, 10 * (i + 1)), 0);
	timerq_remove(&it[0].node); /* the armed head */
	timerq_remove(&it[1].node);
	timerq_remove(&it[1].node); /* twice is harmless */
	assert_int_equal(pop_id(&q, 25, &kind), -1);
	assert_int_equal(pop_id(&q, 30, &kind), 2);
	timerq_free(&q);
}

static void test_out_of_order_insert_keeps_due_order(void **state)
{
	struct tq q = {0};
	struct tq_list a;
	struct item it[3] = {{.id = 0}, {.id = 1}, {.id = 2}};
	int kind;

	(void)state;
	timerq_list_init(&a, 0);
	assert_int_equal(timerq_insert(&q, &a, &it[0].node, 50), 0);
	assert_int_equal(timerq_insert(&q, &a, &it[1].node, 20), 0);
	assert_int_equal(timerq_insert(&q, &a, &it[2].node, 35), 0);
	assert_int_equal(pop_id(&q, 100, &kind), 1);
	assert_int_equal(pop_id(&q, 100, &kind), 2);
	assert_int_equal(pop_id(&q, 100, &kind), 0);
	timerq_free(&q);
}

static void test_dropped_list_leaves_no_arm(void **state)
{
	struct tq q = {0};
	struct tq_list *a = calloc(1, sizeof(*a));
	struct tq_list b;
	struct item x = {.id = 1}, y = {.id = 2};
	int kind;

	(void)state;
	timerq_list_init(a, 0);
	timerq_list_init(&b, 0);
	assert_int_equal(timerq_insert(&q, a, &x.node, 10), 0);
	assert_int_equal(timerq_insert(&q, &b, &y.node, 20), 0);
	timerq_remove(&x.node);
	timerq_list_drop(&q, a);
	free(a); /* a stale arm would now point to freed memory */
	assert_int_equal(pop_id(&q, 100, &kind), 2);
	assert_int_equal(timerq_next(&q), INT64_MAX);
	timerq_free(&q);
}

static void test_many_random_deadlines_fire_sorted(void **state)
{
	enum { N = 5000, LISTS = 17 };
	struct tq q = {0};
	struct tq_list lists[LISTS];
	struct item *it = calloc(N, sizeof(*it));
	uint64_t r = 12345;
	int64_t last = -1, now = 0;
	int kind, fired = 0;

	(void)state;
	for (int l = 0; l < LISTS; l++)
		timerq_list_init(&lists[l], l);
	for (int i = 0; i < N; i++) {
		/* each list has its own constant delay: FIFO order holds */
		int l = (int)((r = r * 6364136223846793005ULL + 1) >> 60) %
			LISTS;

		now += (int64_t)(r >> 58);
		it[i].id = i;
		assert_int_equal(timerq_insert(&q, &lists[l], &it[i].node,
					       now + 100 * l),
				 0);
		if (i % 7 == 3)
			timerq_remove(&it[i - 1].node);
	}
	for (struct tq_node *n; (n = timerq_pop(&q, INT64_MAX, &kind));
	     fired++) {
		assert_true(n->due >= last);
		last = n->due;
	}
	assert_int_equal(fired, N - N / 7);
	free(it);
	timerq_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fires_in_due_order_across_lists),
		cmocka_unit_test(test_same_instant_lower_kind_fires_first),
		cmocka_unit_test(test_cancelled_node_never_fires),
		cmocka_unit_test(test_out_of_order_insert_keeps_due_order),
		cmocka_unit_test(test_dropped_list_leaves_no_arm),
		cmocka_unit_test(test_many_random_deadlines_fire_sorted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
