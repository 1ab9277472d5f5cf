#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/types.h>

#include "server/libre.h"

#include "server/log.h"
#include "server/worker.h"

struct job {
	struct job *next;
	worker_fn *fn;
	worker_done *done;
	void *arg;
};

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *head, *tail;
	struct job *done_head, *done_tail; /* run, their done not yet called */
	bool stopping;
	void *ctx;
	struct mqueue *mq;
	size_t pending;
	const char *name;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct job *j;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->cond, &w->lock);
		j = w->head;
		if (j) {
			w->head = j->next;
			if (!w->head)
				w->tail = NULL;
		}
		pthread_mutex_unlock(&w->lock);
		if (!j)
			return NULL;
		j->fn(w->ctx, j->arg);
		j->next = NULL;
		pthread_mutex_lock(&w->lock);
		if (w->done_tail)
			w->done_tail->next = j;
		else
			w->done_head = j;
		w->done_tail = j;
		pthread_mutex_unlock(&w->lock);
		if (mqueue_push(w->mq, 0, NULL)) {
			log_error("worker",
				  "name=%s msg=\"mqueue push failed\"",
				  w->name);
			abort();
		}
	}
}

/* On the loop: a job is done (the oldest of the done list). */
static void worker_reply(int id, void *data, void *arg)
{
	struct worker *w = arg;
	struct job *j;

	(void)id;
	(void)data;
	pthread_mutex_lock(&w->lock);
	j = w->done_head;
	if (j) {
		w->done_head = j->next;
		if (!w->done_head)
			w->done_tail = NULL;
	}
	pthread_mutex_unlock(&w->lock);
	if (!j)
		return;
	w->pending--;
	if (j->done)
		j->done(j->arg);
	free(j);
}

int worker_start(struct worker **wp, void *ctx, const char *name)
{
	struct worker *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return ENOMEM;
	w->ctx = ctx;
	w->name = name;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	err = mqueue_alloc(&w->mq, worker_reply, w);
	if (!err)
		err = pthread_create(&w->thread, NULL, worker_main, w);
	if (err) {
		mem_deref(w->mq);
		free(w);
		return err;
	}
	*wp = w;
	return 0;
}

int worker_submit(struct worker *w, worker_fn *fn, worker_done *done, void *arg)
{
	struct job *j = malloc(sizeof(*j));

	if (!j)
		return ENOMEM;
	j->next = NULL;
	j->fn = fn;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&w->lock);
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	w->pending++;
	return 0;
}

size_t worker_pending(const struct worker *w)
{
	return w->pending;
}

void worker_stop(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	/* Done messages still in the pipe are dropped with the mqueue; the
	 * jobs they announced are freed without their done (as documented). */
	mem_deref(w->mq);
	while (w->done_head) {
		struct job *j = w->done_head;

		w->done_head = j->next;
		free(j);
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
