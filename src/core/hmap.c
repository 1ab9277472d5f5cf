/*
 * hmap — see hmap.h. Hashes: FNV-1a for bytes with a final avalanche
 * (splitmix64's), splitmix64 for integers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmap.h"

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t hmap_hash_bytes(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return mix(h);
}

uint64_t hmap_hash_str(const char *s)
{
	return hmap_hash_bytes(s, strlen(s));
}

uint64_t hmap_hash_u64(uint64_t x)
{
	return mix(x + 0x9e3779b97f4a7c15ULL);
}

void *hmap_get(const struct hmap *m, uint64_t hash, hmap_eq *eq,
	       const void *key)
{
	if (!m->cap)
		return NULL;

	for (size_t i = hash & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		const struct hslot *s = &m->slots[i];

		if (!s->val)
			return NULL;
		if (s->hash == hash && eq(s->val, key))
			return s->val;
	}
}

static void insert(struct hslot *slots, size_t cap, uint64_t hash, void *val)
{
	size_t i = hash & (cap - 1);

	while (slots[i].val)
		i = (i + 1) & (cap - 1);
	slots[i].hash = hash;
	slots[i].val = val;
}

static int grow(struct hmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct hslot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->slots[i].val)
			insert(slots, cap, m->slots[i].hash, m->slots[i].val);
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int hmap_put(struct hmap *m, uint64_t hash, void *val)
{
	if ((m->len + 1) * 2 > m->cap) {
		int err = grow(m);

		if (err)
			return err;
	}
	insert(m->slots, m->cap, hash, val);
	m->len++;
	return 0;
}

/*
 * Backward-shift deletion keeps every probe sequence unbroken without
 * tombstones: move later entries of the run into the hole when their home
 * slot allows it.
 */
void *hmap_del(struct hmap *m, uint64_t hash, hmap_eq *eq, const void *key)
{
	size_t mask = m->cap - 1, i, j;
	void *val;

	if (!m->cap)
		return NULL;
	for (i = hash & mask;; i = (i + 1) & mask) {
		if (!m->slots[i].val)
			return NULL;
		if (m->slots[i].hash == hash && eq(m->slots[i].val, key))
			break;
	}
	val = m->slots[i].val;
	for (j = (i + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
		size_t home = m->slots[j].hash & mask;

		/* Can the entry at j move to the hole at i? */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].val = NULL;
	m->len--;
	return val;
}

void hmap_reset(struct hmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}
