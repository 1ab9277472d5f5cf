/*
 * test_hmap — the hash table, including lookups during an incremental
 * resize and deletions inside long probe runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmap.h"

struct item {
	uint64_t key;
};

static bool eq(const void *val, const void *key)
{
	return ((const struct item *)val)->key == *(const uint64_t *)key;
}

/* A weak hash on purpose: many keys share a home slot (long runs). */
static uint64_t weak(uint64_t k)
{
	return k % 7;
}

static void check_all(const struct hmap *m, struct item *it, const bool *in,
		      size_t n, uint64_t (*h)(uint64_t))
{
	for (size_t i = 0; i < n; i++) {
		void *v = hmap_get(m, h(it[i].key), eq, &it[i].key);

		assert_ptr_equal(v, in[i] ? &it[i] : NULL);
	}
}

static void test_put_get_del_through_resizes(void **state)
{
	enum { N = 20000 };
	struct hmap m = {0};
	struct item *it = calloc(N, sizeof(*it));
	bool *in = calloc(N, sizeof(*in));
	size_t live = 0, seen = 0;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		it[i].key = i * 2654435761u;
		assert_int_equal(hmap_put(&m, hmap_hash_u64(it[i].key), &it[i]),
				 0);
		in[i] = true;
		if (i % 3 == 0) { /* delete an older one, mid-resize too */
			size_t j = i / 2;

			if (in[j]) {
				assert_ptr_equal(
					hmap_del(&m, hmap_hash_u64(it[j].key),
						 eq, &it[j].key),
					&it[j]);
				in[j] = false;
			}
		}
		if (i % 997 == 0)
			check_all(&m, it, in, i + 1, hmap_hash_u64);
	}
	check_all(&m, it, in, N, hmap_hash_u64);
	for (size_t i = 0; i < N; i++)
		live += in[i];
	for (size_t i = 0; i < hmap_span(&m); i++)
		seen += hmap_at(&m, i) != NULL;
	assert_int_equal(seen, live);
	hmap_reset(&m);
	free(it);
	free(in);
}

static void test_colliding_keys_survive_deletion(void **state)
{
	enum { N = 300 };
	struct hmap m = {0};
	struct item it[N];
	bool in[N];

	(void)state;
	for (size_t i = 0; i < N; i++) {
		it[i].key = i;
		assert_int_equal(hmap_put(&m, weak(i), &it[i]), 0);
		in[i] = true;
	}
	for (size_t i = 0; i < N; i += 2) {
		assert_ptr_equal(hmap_del(&m, weak(i), eq, &it[i].key), &it[i]);
		in[i] = false;
		check_all(&m, it, in, N, weak);
	}
	assert_null(hmap_del(&m, weak(0), eq, &it[0].key));
	hmap_reset(&m);
}

static void test_hashes_spread_and_differ(void **state)
{
	(void)state;
	assert_int_not_equal(hmap_hash_str("a1"), hmap_hash_str("a2"));
	assert_int_equal(hmap_hash_str("queue"),
			 hmap_hash_bytes("queue", strlen("queue")));
	assert_int_not_equal(hmap_hash_u64(1), hmap_hash_u64(2));
	assert_int_not_equal(hmap_hash_u64(0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_del_through_resizes),
		cmocka_unit_test(test_colliding_keys_survive_deletion),
		cmocka_unit_test(test_hashes_spread_and_differ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
