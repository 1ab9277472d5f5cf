/*
 * rate — see rate.h. A bucket stores its tokens at the time of its last
 * change; the tokens now are computed from the elapsed time, so nothing
 * runs between requests.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rate.h"

struct bucket {
	double tokens;
	int64_t at_ms; /* when tokens was right */
	char key[];
};

static bool bucket_eq(const void *val, const void *key)
{
	return !strcmp(((const struct bucket *)val)->key, key);
}

void rate_init(struct rate *r, struct rate_rule rule)
{
	memset(r, 0, sizeof(*r));
	if (rule.burst < 1)
		rule.burst = 1;
	if (!(rule.per_min > 0))
		rule.per_min = 1;
	r->rule = rule;
}

void rate_reset(struct rate *r)
{
	for (size_t i = 0; i < hmap_span(&r->map); i++)
		free(hmap_at(&r->map, i));
	hmap_reset(&r->map);
}

/* The tokens of b at now, at most a full bucket. */
static double tokens_at(const struct rate *r, const struct bucket *b,
			int64_t now)
{
	double t = b->tokens;

	if (now > b->at_ms)
		t += (double)(now - b->at_ms) * r->rule.per_min / 60000.0;
	return t < r->rule.burst ? t : r->rule.burst;
}

int rate_take(struct rate *r, const char *key, int64_t now, int64_t *wait_ms)
{
	uint64_t h = hmap_hash_str(key);
	struct bucket *b = hmap_get(&r->map, h, bucket_eq, key);
	size_t n;

	if (!b) {
		n = strlen(key) + 1;
		b = malloc(sizeof(*b) + n);
		if (!b)
			return ENOMEM;
		memcpy(b->key, key, n);
		b->tokens = r->rule.burst;
		b->at_ms = now;
		if (hmap_put(&r->map, h, b)) {
			free(b);
			return ENOMEM;
		}
	}
	b->tokens = tokens_at(r, b, now);
	b->at_ms = now > b->at_ms ? now : b->at_ms;
	if (b->tokens < 1) {
		*wait_ms = (int64_t)ceil((1 - b->tokens) * 60000.0 /
					 r->rule.per_min);
		if (*wait_ms < 1)
			*wait_ms = 1;
		return EAGAIN;
	}
	b->tokens -= 1;
	return 0;
}

void rate_sweep(struct rate *r, int64_t now)
{
	struct bucket **full = NULL, **g;
	size_t n = 0, cap = 0;

	/* collected first: a deletion moves the entries behind it */
	for (size_t i = 0; i < hmap_span(&r->map); i++) {
		struct bucket *b = hmap_at(&r->map, i);

		if (!b || tokens_at(r, b, now) < r->rule.burst)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			g = realloc(full, cap * sizeof(*full));
			if (!g)
				break; /* the next sweep does the rest */
			full = g;
		}
		full[n++] = b;
	}
	for (size_t i = 0; i < n; i++) {
		hmap_del(&r->map, hmap_hash_str(full[i]->key), bucket_eq,
			 full[i]->key);
		free(full[i]);
	}
	free(full);
}

size_t rate_size(const struct rate *r)
{
	return r->map.len + r->map.old_len;
}
