/*
 * catchup — reading the event log for the stream's catch-ups, page by
 * page, on a thread of its own with its own read-only SQLite connection:
 * a catch-up never delays a commit (WAL), and the loop only matches and
 * sends what a page brings.
 *
 * Lifetimes: a page is a libre object (mem_deref frees it) that holds a
 * reference to its owner (the stream it is read for) from the request to
 * its end, so the completion on the loop finds its stream alive, closed or
 * not, without looking it up. The reader starts with the first page asked
 * (most servers never need it) and stops when the catchup object is freed;
 * pages still at the reader then are freed with it, their done handler
 * not called.
 */
#ifndef RELAIS_CATCHUP_H
#define RELAIS_CATCHUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One event of a page, ready to send: matched on the loop. */
struct catchup_event {
	int64_t seq;
	char *tenant, *queue, *agent; /* NULL when absent */
	char *text;		      /* the stream's message, serialized */
};

struct catchup_page {
	int64_t after; /* the events after this sequence */
	int64_t until; /* the durable sequence when it was asked */
	size_t limit;  /* events at most: n < limit read everything */
	size_t n, pos; /* events read; the next one to deliver */
	struct catchup_event *ev;
	int err;     /* of the read: 0, or an errno value */
	void *owner; /* a reference, released with the page */
};

/* On the loop, once the page is read; the handler owns pg (mem_deref). */
typedef void(catchup_done_h)(struct catchup_page *pg);

struct catchup;

/* The reader of the store of data_dir (started on first use). 0 or ENOMEM. */
int catchup_alloc(struct catchup **crp, const char *data_dir);

/*
 * Asks for the events after `after` (limit at most), with until the
 * durable sequence now; done(pg) on the loop once read. owner is
 * referenced (mem_ref) until the page is freed. 0 or an errno value (the
 * reader cannot start).
 */
int catchup_read(struct catchup *cr, int64_t after, int64_t until, size_t limit,
		 void *owner, catchup_done_h *done);

/*
 * The stream's message for one event (malloc), or NULL: data is the
 * event's data as the log holds it, so a live event and one read back are
 * sent alike without encoding data again. Any thread.
 */
char *catchup_event_text(int64_t seq, int64_t time_ms, const char *tenant,
			 const char *type, const char *data);

#endif
