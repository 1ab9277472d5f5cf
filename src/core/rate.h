/*
 * rate — token buckets by key: how many requests one visitor or one
 * client address may make, with a burst and a steady rate.
 *
 * Each key has a bucket of `burst` tokens that refills at `per_min`
 * tokens a minute; a request takes one token, or is refused with the time
 * until the next token. A bucket that is full again holds nothing worth
 * keeping and is dropped by rate_sweep, so memory is one entry per key
 * seen in the last burst / per_min minutes. O(1) per call.
 *
 * Time comes in as an argument (ms); nothing here does I/O.
 */
#ifndef RELAIS_RATE_H
#define RELAIS_RATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hmap.h"

struct rate_rule {
	double burst;	/* tokens of a full bucket (at least 1) */
	double per_min; /* tokens added a minute (more than 0) */
};

struct rate {
	struct rate_rule rule;
	struct hmap map; /* key -> bucket */
};

void rate_init(struct rate *r, struct rate_rule rule);
void rate_reset(struct rate *r);

/*
 * Takes a token of key's bucket at now: 0, or EAGAIN with *wait_ms the
 * time until a token is back (at least 1), or ENOMEM.
 */
int rate_take(struct rate *r, const char *key, int64_t now, int64_t *wait_ms);
/* Drops the buckets that are full at now. */
void rate_sweep(struct rate *r, int64_t now);
/* Buckets kept (for tests and /metrics). */
size_t rate_size(const struct rate *r);

#endif
