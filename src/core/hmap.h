/*
 * hmap — an open-addressing hash table of pointers (linear probing,
 * backward-shift deletion, load ≤ 1/2). The caller hashes its key and
 * says how to compare a stored value with a key; the table stores only
 * the hash and the value. O(1) expected for get, put and del.
 *
 * Growing never stops the world: a bigger table is allocated and the
 * entries of the old one move over a few at a time with each put and del
 * (like Redis's incremental rehash), so no single call pays for copying
 * hundreds of thousands of entries. Lookups check both tables meanwhile.
 */
#ifndef RELAIS_HMAP_H
#define RELAIS_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hslot {
	uint64_t hash;
	void *val; /* NULL: empty slot */
};

struct hmap {
	struct hslot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t len;
	struct hslot *old;		/* being emptied into slots, or NULL */
	size_t old_cap, old_len, moved; /* moved: old slots done */
};

/*
 * eq says whether a stored value has the key. It may be NULL when the hash
 * alone identifies the key, as hmap_hash_u64's does (a bijection): then a
 * look-up reads no stored value but the one it finds, and key is unused.
 */
typedef bool(hmap_eq)(const void *val, const void *key);

void *hmap_get(const struct hmap *m, uint64_t hash, hmap_eq *eq,
	       const void *key);
/* Adds val (not NULL); the key must not be present. 0 or ENOMEM. */
int hmap_put(struct hmap *m, uint64_t hash, void *val);
/* Removes and returns the value for key, or NULL. */
void *hmap_del(struct hmap *m, uint64_t hash, hmap_eq *eq, const void *key);
void hmap_reset(struct hmap *m);

/* Iteration: the values at i = 0 .. hmap_span(m) - 1 (NULL: skip). */
size_t hmap_span(const struct hmap *m);
void *hmap_at(const struct hmap *m, size_t i);

uint64_t hmap_hash_bytes(const void *p, size_t len);
uint64_t hmap_hash_str(const char *s);
/* splitmix64's finaliser: every step is invertible. */
static inline uint64_t hmap_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/*
 * A bijection, so two different integers never share a hash. Inline: the
 * engine hashes a contact id in every command.
 */
static inline uint64_t hmap_hash_u64(uint64_t x)
{
	return hmap_mix(x + 0x9e3779b97f4a7c15ULL);
}

#endif
