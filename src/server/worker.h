/*
 * worker — one thread that runs jobs in order, off the event loop.
 *
 * The loop submits a job; the worker thread runs job->fn(ctx, arg), then
 * the loop runs job->done(arg) through libre's mqueue. Jobs run one at a
 * time, in submission order, so a read submitted after a write sees it.
 * The store owns one worker (all SQLite calls happen on it); password
 * hashing has its own so a slow hash never delays a commit.
 */
#ifndef RELAIS_WORKER_H
#define RELAIS_WORKER_H

#include <stddef.h>

struct worker;

typedef void(worker_fn)(void *ctx, void *arg); /* on the worker thread */
typedef void(worker_done)(void *arg);	       /* on the loop, after fn */

/* Must be called on the loop thread (the mqueue is registered there). */
int worker_start(struct worker **wp, void *ctx, const char *name);
/* done may be NULL. Returns 0 or ENOMEM. */
int worker_submit(struct worker *w, worker_fn *fn, worker_done *done,
		  void *arg);
/* Jobs submitted and not yet done. */
size_t worker_pending(const struct worker *w);
/*
 * Runs the remaining jobs, joins the thread and frees the worker. The
 * done callbacks of jobs finished after this call are not run.
 */
void worker_stop(struct worker *w);

#endif
