/*
 * timerq — deadlines kept in FIFO lists, armed in one small heap.
 *
 * Almost every deadline of a contact centre is "this long after that":
 * the next routing step of a queue, an offer's time-out, a queue's wrap-up,
 * the reject delay. With one delay per list, items join a list in the
 * order they fall due, so a list is a FIFO: inserting, cancelling and
 * firing are O(1). Only each list's head sits in a binary heap, which
 * therefore holds one entry per list (a few thousand at most) and stays in
 * cache, instead of one entry per contact.
 *
 * Inserting out of order (a delay changed by configuration) is still
 * correct: the insertion walks back from the tail to its place.
 *
 * Nodes and lists are embedded in the caller's objects; nothing here
 * allocates except the heap array.
 */
#ifndef RELAIS_TIMERQ_H
#define RELAIS_TIMERQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tq_list;

struct tq_node {
	struct tq_node *prev, *next;
	struct tq_list *list; /* NULL when not scheduled */
	int64_t due;
};

struct tq_list {
	struct tq_node *head, *tail;
	int64_t armed; /* time of this list's live heap entry, or INT64_MAX */
	int kind;      /* the caller's: what the nodes are embedded in */
};

struct tq_arm {
	int64_t when;
	int kind; /* the list's: lower kinds fire first at the same time */
	uint64_t seq;
	struct tq_list *list;
};

struct tq {
	struct tq_arm *heap;
	size_t n, cap;
	uint64_t seq;
};

void timerq_list_init(struct tq_list *l, int kind);

/* Schedules n (not scheduled) at due. Returns 0 or ENOMEM. */
int timerq_insert(struct tq *q, struct tq_list *l, struct tq_node *n,
		  int64_t due);

/* Cancels n if it is scheduled. */
void timerq_remove(struct tq_node *n);

static inline bool tq_scheduled(const struct tq_node *n)
{
	return n->list != NULL;
}

/*
 * The next node due at or before now, in due order across all lists
 * (ties: the lower kind, then the list armed first), unscheduled, with
 * its list's kind in *kindp; NULL when none is due.
 */
struct tq_node *timerq_pop(struct tq *q, int64_t now, int *kindp);

/* When the next node may be due, or INT64_MAX. */
int64_t timerq_next(const struct tq *q);

/* When the next node is due, exactly (stale entries dropped). */
int64_t timerq_settle(struct tq *q);

/* Forgets a list about to be freed: it must be empty. */
void timerq_list_drop(struct tq *q, struct tq_list *l);

void timerq_free(struct tq *q);

#endif
