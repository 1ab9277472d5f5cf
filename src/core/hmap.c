/*
 * hmap — see hmap.h. Hashes: FNV-1a for bytes with a final avalanche
 * (splitmix64's), splitmix64 for integers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmap.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME  0x100000001b3ULL

uint64_t hmap_hash_bytes(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = FNV_OFFSET;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return hmap_mix(h);
}

/* hmap_hash_bytes(s, strlen(s)) in one pass: ids are hashed per command. */
uint64_t hmap_hash_str(const char *s)
{
	const unsigned char *b = (const unsigned char *)s;
	uint64_t h = FNV_OFFSET;

	for (; *b; b++)
		h = (h ^ *b) * FNV_PRIME;
	return hmap_mix(h);
}

static void *probe(const struct hslot *slots, size_t cap, uint64_t hash,
		   hmap_eq *eq, const void *key)
{
	if (!cap)
		return NULL;
	for (size_t i = hash & (cap - 1);; i = (i + 1) & (cap - 1)) {
		const struct hslot *s = &slots[i];

		if (!s->val)
			return NULL;
		if (s->hash == hash && (!eq || eq(s->val, key)))
			return s->val;
	}
}

void *hmap_get(const struct hmap *m, uint64_t hash, hmap_eq *eq,
	       const void *key)
{
	void *v = probe(m->slots, m->cap, hash, eq, key);

	return v || !m->old ? v : probe(m->old, m->old_cap, hash, eq, key);
}

static void insert(struct hslot *slots, size_t cap, uint64_t hash, void *val)
{
	size_t i = hash & (cap - 1);

	while (slots[i].val)
		i = (i + 1) & (cap - 1);
	slots[i].hash = hash;
	slots[i].val = val;
}

/*
 * Empties slot i by backward shift: later entries of its run move into
 * the hole when their home allows, so every probe run stays unbroken.
 * Entries only ever move to i or after it.
 */
static void hole_at(struct hslot *slots, size_t cap, size_t i)
{
	size_t mask = cap - 1;

	for (size_t j = (i + 1) & mask; slots[j].val; j = (j + 1) & mask) {
		size_t home = slots[j].hash & mask;

		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			slots[i] = slots[j];
			i = j;
		}
	}
	slots[i].val = NULL;
}

/* Moves the entries of a few old slots to the new table. */
static void migrate(struct hmap *m, size_t steps)
{
	while (m->old && steps--) {
		struct hslot *s = &m->old[m->moved];

		while (s->val) { /* the shift may refill the slot */
			insert(m->slots, m->cap, s->hash, s->val);
			m->len++;
			m->old_len--;
			hole_at(m->old, m->old_cap, m->moved);
		}
		if (++m->moved == m->old_cap || !m->old_len) {
			free(m->old);
			m->old = NULL;
			m->old_cap = m->old_len = m->moved = 0;
		}
	}
}

static int grow(struct hmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct hslot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return ENOMEM;
	m->old = m->slots;
	m->old_cap = m->cap;
	m->old_len = m->len;
	m->moved = 0;
	m->slots = slots;
	m->cap = cap;
	m->len = 0;
	if (!m->old_len) {
		free(m->old);
		m->old = NULL;
		m->old_cap = 0;
	}
	return 0;
}

int hmap_put(struct hmap *m, uint64_t hash, void *val)
{
	migrate(m, 16);
	if (!m->old && (m->len + 1) * 2 > m->cap) {
		int err = grow(m);

		if (err)
			return err;
	}
	insert(m->slots, m->cap, hash, val);
	m->len++;
	return 0;
}

static void *del(struct hslot *slots, size_t cap, uint64_t hash, hmap_eq *eq,
		 const void *key)
{
	size_t mask = cap - 1, i;
	void *val;

	if (!cap)
		return NULL;
	for (i = hash & mask;; i = (i + 1) & mask) {
		if (!slots[i].val)
			return NULL;
		if (slots[i].hash == hash && (!eq || eq(slots[i].val, key)))
			break;
	}
	val = slots[i].val;
	hole_at(slots, cap, i);
	return val;
}

void *hmap_del(struct hmap *m, uint64_t hash, hmap_eq *eq, const void *key)
{
	void *val = del(m->slots, m->cap, hash, eq, key);

	if (val) {
		m->len--;
	} else if (m->old) {
		val = del(m->old, m->old_cap, hash, eq, key);
		if (val)
			m->old_len--;
	}
	migrate(m, 16);
	return val;
}

void hmap_reset(struct hmap *m)
{
	free(m->slots);
	free(m->old);
	memset(m, 0, sizeof(*m));
}

size_t hmap_span(const struct hmap *m)
{
	return m->cap + m->old_cap;
}

void *hmap_at(const struct hmap *m, size_t i)
{
	return i < m->cap ? m->slots[i].val : m->old[i - m->cap].val;
}
