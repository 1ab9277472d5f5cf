/*
 * The login limits: three scoped counters per attempt (see throttle.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/throttle.h"

#define SECOND_MS 1000LL
#define MINUTE_MS (60 * SECOND_MS)

void throttle_init(struct throttle *t)
{
	static const struct throttle_rule rules[THROTTLE_SCOPES] = {
		[THROTTLE_PAIR] = {.free_fails = 5,
				   .base_ms = MINUTE_MS,
				   .max_ms = 60 * MINUTE_MS,
				   .inflight_max = 5},
		[THROTTLE_USER] = {.free_fails = 50,
				   .base_ms = MINUTE_MS,
				   .max_ms = 15 * MINUTE_MS,
				   .inflight_max = 8},
		[THROTTLE_ADDR] = {.free_fails = 30,
				   .base_ms = MINUTE_MS,
				   .max_ms = 15 * MINUTE_MS,
				   .inflight_max = 8},
	};

	memset(t, 0, sizeof(*t));
	memcpy(t->rules, rules, sizeof(rules));
	t->forget_ms = 15 * MINUTE_MS;
	t->inflight_max = 32;
}

void throttle_reset(struct throttle *t)
{
	for (size_t i = 0; i < hmap_span(&t->map); i++)
		free(hmap_at(&t->map, i));
	hmap_reset(&t->map);
	t->inflight = 0;
}

static bool entry_eq(const void *val, const void *key)
{
	return !strcmp(((const struct throttle_entry *)val)->key, key);
}

/* The key of a scope; user names and addresses hold no tab. */
static void make_key(char out[THROTTLE_KEY], enum throttle_scope sc,
		     const char *user, const char *addr)
{
	if (sc == THROTTLE_PAIR)
		snprintf(out, THROTTLE_KEY, "p%s\t%s", user, addr);
	else if (sc == THROTTLE_USER)
		snprintf(out, THROTTLE_KEY, "u%s", user);
	else
		snprintf(out, THROTTLE_KEY, "a%s", addr);
}

static struct throttle_entry *entry_get(struct throttle *t, const char *key)
{
	return hmap_get(&t->map, hmap_hash_str(key), entry_eq, key);
}

static int entry_add(struct throttle *t, const char *key,
		     enum throttle_scope sc, struct throttle_entry **out)
{
	struct throttle_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return ENOMEM;
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->scope = sc;
	if (hmap_put(&t->map, hmap_hash_str(e->key), e)) {
		free(e);
		return ENOMEM;
	}
	*out = e;
	return 0;
}

static void entry_drop(struct throttle *t, struct throttle_entry *e)
{
	hmap_del(&t->map, hmap_hash_str(e->key), entry_eq, e->key);
	free(e);
}

/*
 * The wait before another attempt of this entry: the backoff still
 * running, else a second while the attempts in flight already take every
 * place left before the next backoff.
 */
static int64_t entry_wait(const struct throttle_rule *r,
			  const struct throttle_entry *e, int64_t now)
{
	int room;

	if (now < e->until_ms)
		return e->until_ms - now;
	room = e->fails >= r->free_fails ? 1 : r->free_fails - e->fails;
	if (room > r->inflight_max)
		room = r->inflight_max;
	return e->inflight >= room ? SECOND_MS : 0;
}

static void entry_fail(const struct throttle_rule *r, struct throttle_entry *e,
		       int64_t now)
{
	int over;
	int64_t wait;

	e->fails++;
	e->last_ms = now;
	if (e->fails < r->free_fails)
		return;
	over = e->fails - r->free_fails;
	wait = r->base_ms << (over > 20 ? 20 : over);
	if (wait > r->max_ms)
		wait = r->max_ms;
	e->until_ms = now + wait;
}

static bool entry_forgotten(const struct throttle *t,
			    const struct throttle_entry *e, int64_t now)
{
	return !e->inflight && now >= e->until_ms &&
	       now - e->last_ms >= t->forget_ms;
}

int throttle_admit(struct throttle *t, const char *user, const char *addr,
		   int64_t now, int64_t *wait_ms, throttle_write_h *wr,
		   void *arg)
{
	struct throttle_entry *e[THROTTLE_SCOPES];
	char key[THROTTLE_KEY];
	int64_t wait = 0, w;
	int err;

	for (int sc = 0; sc < THROTTLE_SCOPES; sc++) {
		make_key(key, (enum throttle_scope)sc, user, addr);
		e[sc] = entry_get(t, key);
		if (e[sc] && entry_forgotten(t, e[sc], now)) {
			if (e[sc]->fails)
				wr(e[sc], true, arg);
			entry_drop(t, e[sc]);
			e[sc] = NULL;
		}
		w = e[sc] ? entry_wait(&t->rules[sc], e[sc], now) : 0;
		if (w > wait)
			wait = w;
	}
	*wait_ms = wait < SECOND_MS ? SECOND_MS : wait;
	if (wait)
		return EAGAIN;
	if (t->inflight >= t->inflight_max)
		return EBUSY;
	for (int sc = 0; sc < THROTTLE_SCOPES; sc++) {
		if (e[sc])
			continue;
		make_key(key, (enum throttle_scope)sc, user, addr);
		err = entry_add(t, key, (enum throttle_scope)sc, &e[sc]);
		if (err) {
			for (int i = 0; i < sc; i++)
				if (!e[i]->fails && !e[i]->inflight)
					entry_drop(t, e[i]);
			return err;
		}
	}
	for (int sc = 0; sc < THROTTLE_SCOPES; sc++)
		e[sc]->inflight++;
	t->inflight++;
	return 0;
}

void throttle_done(struct throttle *t, const char *user, const char *addr,
		   bool ok, int64_t now, throttle_write_h *w, void *arg)
{
	char key[THROTTLE_KEY];
	struct throttle_entry *e;

	if (t->inflight)
		t->inflight--;
	for (int sc = 0; sc < THROTTLE_SCOPES; sc++) {
		make_key(key, (enum throttle_scope)sc, user, addr);
		e = entry_get(t, key);
		if (!e)
			continue;
		if (e->inflight)
			e->inflight--;
		if (!ok) {
			entry_fail(&t->rules[sc], e, now);
			w(e, false, arg);
			continue;
		}
		/* the right password ends the pair's count only */
		if (sc == THROTTLE_PAIR && e->fails) {
			w(e, true, arg);
			e->fails = 0;
			e->until_ms = 0;
		}
		if (!e->fails && !e->inflight)
			entry_drop(t, e);
	}
}

void throttle_cancel(struct throttle *t, const char *user, const char *addr)
{
	char key[THROTTLE_KEY];
	struct throttle_entry *e;

	if (t->inflight)
		t->inflight--;
	for (int sc = 0; sc < THROTTLE_SCOPES; sc++) {
		make_key(key, (enum throttle_scope)sc, user, addr);
		e = entry_get(t, key);
		if (e && e->inflight && !--e->inflight && !e->fails)
			entry_drop(t, e);
	}
}

void throttle_sweep(struct throttle *t, int64_t now, throttle_write_h *w,
		    void *arg)
{
	struct throttle_entry **gone = NULL, **g;
	size_t n = 0, cap = 0;

	/* collected first: a deletion moves the entries behind it */
	for (size_t i = 0; i < hmap_span(&t->map); i++) {
		struct throttle_entry *e = hmap_at(&t->map, i);

		if (!e || !entry_forgotten(t, e, now))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			g = realloc(gone, cap * sizeof(*gone));
			if (!g)
				break; /* the next sweep does the rest */
			gone = g;
		}
		gone[n++] = e;
	}
	for (size_t i = 0; i < n; i++) {
		if (gone[i]->fails)
			w(gone[i], true, arg);
		entry_drop(t, gone[i]);
	}
	free(gone);
}

int throttle_load(struct throttle *t, const char *key, int fails,
		  int64_t last_ms, int64_t until_ms)
{
	static const char letters[THROTTLE_SCOPES] = {'p', 'u', 'a'};
	struct throttle_entry *e;
	int sc, err;

	for (sc = 0; sc < THROTTLE_SCOPES; sc++)
		if (key[0] == letters[sc])
			break;
	if (sc == THROTTLE_SCOPES || fails < 0 || strlen(key) >= THROTTLE_KEY ||
	    entry_get(t, key))
		return EINVAL;
	err = entry_add(t, key, (enum throttle_scope)sc, &e);
	if (err)
		return err;
	e->fails = fails;
	e->last_ms = last_ms;
	e->until_ms = until_ms;
	return 0;
}
