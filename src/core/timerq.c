/*
 * timerq — see timerq.h. A list has at most one live heap entry, the one
 * whose time equals list->armed; older entries of the same list are stale
 * and skipped when they surface. Invariant: a non-empty list has a live
 * entry no later than its head's due time.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/timerq.h"

void timerq_list_init(struct tq_list *l, int kind)
{
	l->head = l->tail = NULL;
	l->armed = INT64_MAX;
	l->kind = kind;
}

static bool arm_less(const struct tq_arm *a, const struct tq_arm *b)
{
	if (a->when != b->when)
		return a->when < b->when;
	if (a->kind != b->kind)
		return a->kind < b->kind;
	return a->seq < b->seq;
}

static void sift_down(struct tq *q, size_t i)
{
	struct tq_arm x = q->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= q->n)
			break;
		if (c + 1 < q->n && arm_less(&q->heap[c + 1], &q->heap[c]))
			c++;
		if (!arm_less(&q->heap[c], &x))
			break;
		q->heap[i] = q->heap[c];
		i = c;
	}
	q->heap[i] = x;
}

static int arm(struct tq *q, struct tq_list *l, int64_t when)
{
	struct tq_arm x = {when, l->kind, ++q->seq, l};
	size_t i;

	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct tq_arm *h = realloc(q->heap, cap * sizeof(*h));

		if (!h)
			return ENOMEM;
		q->heap = h;
		q->cap = cap;
	}
	for (i = q->n++; i > 0; i = (i - 1) / 2) {
		if (!arm_less(&x, &q->heap[(i - 1) / 2]))
			break;
		q->heap[i] = q->heap[(i - 1) / 2];
	}
	q->heap[i] = x;
	l->armed = when;
	return 0;
}

int timerq_insert(struct tq *q, struct tq_list *l, struct tq_node *n,
		  int64_t due)
{
	struct tq_node *after = l->tail;

	while (after && after->due > due)
		after = after->prev;
	n->due = due;
	n->list = l;
	n->prev = after;
	n->next = after ? after->next : l->head;
	if (n->next)
		n->next->prev = n;
	else
		l->tail = n;
	if (after)
		after->next = n;
	else
		l->head = n;
	if (l->armed > l->head->due && arm(q, l, l->head->due)) {
		timerq_remove(n);
		return ENOMEM;
	}
	return 0;
}

void timerq_remove(struct tq_node *n)
{
	struct tq_list *l = n->list;

	if (!l)
		return;
	if (n->prev)
		n->prev->next = n->next;
	else
		l->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		l->tail = n->prev;
	n->prev = n->next = NULL;
	n->list = NULL;
}

struct tq_node *timerq_pop(struct tq *q, int64_t now, int *kindp)
{
	while (q->n && q->heap[0].when <= now) {
		struct tq_arm top = q->heap[0];
		struct tq_list *l = top.list;
		struct tq_node *n;

		q->heap[0] = q->heap[--q->n];
		if (q->n)
			sift_down(q, 0);
		if (top.when != l->armed)
			continue; /* stale */
		l->armed = INT64_MAX;
		n = l->head;
		if (!n)
			continue;
		if (n->due > top.when) {
			/* the head it was armed for is gone: re-arm */
			if (arm(q, l, n->due))
				l->armed = INT64_MAX;
			continue;
		}
		timerq_remove(n);
		if (l->head && arm(q, l, l->head->due))
			l->armed = INT64_MAX;
		*kindp = l->kind;
		return n;
	}
	return NULL;
}

int64_t timerq_next(const struct tq *q)
{
	return q->n ? q->heap[0].when : INT64_MAX;
}

/*
 * Drops the heap's stale entries at the top (a list re-armed since, or
 * whose head was cancelled) and re-arms their lists at their real head,
 * so that the top is a node really due then. Nothing fires.
 */
int64_t timerq_settle(struct tq *q)
{
	while (q->n) {
		struct tq_arm top = q->heap[0];
		struct tq_list *l = top.list;

		if (top.when == l->armed && l->head && l->head->due <= top.when)
			return top.when;
		q->heap[0] = q->heap[--q->n];
		if (q->n)
			sift_down(q, 0);
		if (top.when != l->armed)
			continue; /* stale: the list has a newer entry */
		l->armed = INT64_MAX;
		if (l->head && arm(q, l, l->head->due))
			l->armed = INT64_MAX;
	}
	return INT64_MAX;
}

void timerq_list_drop(struct tq *q, struct tq_list *l)
{
	size_t j = 0;

	for (size_t i = 0; i < q->n; i++) {
		if (q->heap[i].list != l)
			q->heap[j++] = q->heap[i];
	}
	q->n = j;
	for (size_t i = q->n / 2; i-- > 0;)
		sift_down(q, i);
	l->armed = INT64_MAX;
}

void timerq_free(struct tq *q)
{
	free(q->heap);
	q->heap = NULL;
	q->n = q->cap = 0;
}
