/*
 * catchup — see catchup.h. The reader is a worker (worker.h) whose
 * context is a read-only store; pages wait in a list while they are at
 * the reader, so that freeing the catchup object frees them too.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "server/libre.h"

#include <jansson.h>

#include "model/utctime.h"
#include "server/catchup.h"
#include "server/log.h"
#include "server/worker.h"
#include "store/store.h"

struct catchup {
	char *dir;
	struct worker *reader; /* started with the first page */
	struct store *db;      /* read-only; used on the reader thread only */
	struct list pages;     /* at the reader */
};

struct page {
	struct catchup_page pub; /* first: the object the owner sees */
	struct le le;		 /* in the reader's pages */
	catchup_done_h *done;
};

/* ---- the message ---- */

/* Whether s goes into a JSON string as it is. */
static bool json_plain(const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
			return false;
	return true;
}

/* The message built by jansson, for names that need escaping. */
static char *text_escaped(int64_t seq, const char *t, const char *tenant,
			  const char *type, const char *data)
{
	json_t *d = json_loads(data, JSON_DECODE_ANY, NULL);
	json_t *m = json_pack("{s:s,s:I,s:s,s:s?,s:s,s:o?}", "type", "event",
			      "seq", (json_int_t)seq, "time", t, "tenant",
			      tenant, "event", type, "data", d);
	char *text = m ? json_dumps(m, JSON_COMPACT | JSON_REAL_PRECISION(15))
		       : NULL;

	json_decref(m);
	return text;
}

char *catchup_event_text(int64_t seq, int64_t time_ms, const char *tenant,
			 const char *type, const char *data)
{
	char t[UTCTIME_SIZE], *text;
	size_t size;

	utctime_format(time_ms, t, sizeof(t));
	if ((tenant && !json_plain(tenant)) || !json_plain(type))
		return text_escaped(seq, t, tenant, type, data);
	size = strlen(data) + strlen(type) + (tenant ? strlen(tenant) : 0) +
	       128;
	text = malloc(size);
	if (text)
		snprintf(text, size,
			 "{\"type\":\"event\",\"seq\":%" PRId64
			 ",\"time\":\"%s\"%s%s%s,\"event\":\"%s\",\"data\":%s}",
			 seq, t, tenant ? ",\"tenant\":\"" : "",
			 tenant ? tenant : "", tenant ? "\"" : "", type, data);
	return text;
}

/* ---- pages ---- */

static void page_destructor(void *arg)
{
	struct page *pg = arg;

	list_unlink(&pg->le);
	for (size_t i = 0; pg->pub.ev && i < pg->pub.n; i++) {
		free(pg->pub.ev[i].tenant);
		free(pg->pub.ev[i].queue);
		free(pg->pub.ev[i].agent);
		free(pg->pub.ev[i].text);
	}
	free(pg->pub.ev);
	mem_deref(pg->pub.owner);
}

static char *dup_or_null(const char *v, bool *fail)
{
	char *d = v ? strdup(v) : NULL;

	if (v && !d)
		*fail = true;
	return d;
}

/*
 * On the reader thread: one event of the log into the page, with the
 * queue and the agent its data is about, as the store read them (the
 * data's "queue" and "agent": the event codec's topics, event_queue() and
 * event_agent(), which tests/test_event.c checks are those keys; SQLite's
 * JSON reader is cheaper than decoding every row here).
 */
static int page_event(const struct store_event *ev, void *arg)
{
	struct catchup_page *pg = arg;
	struct catchup_event *e = &pg->ev[pg->n];
	bool fail = false;

	e->seq = ev->seq;
	e->tenant = dup_or_null(ev->tenant, &fail);
	e->queue = dup_or_null(ev->queue, &fail);
	e->agent = dup_or_null(ev->agent, &fail);
	e->text = catchup_event_text(ev->seq, ev->time_ms, ev->tenant, ev->type,
				     ev->data);
	pg->n++; /* freed with the page, even when incomplete */
	return fail || !e->text ? ENOMEM : 0;
}

static void page_read(void *ctx, void *arg)
{
	struct store *db = ctx;
	struct catchup_page *pg = arg;
	struct store_event_query q = {0};

	q.after_seq = pg->after;
	q.limit = pg->limit;
	q.topics = true;
	pg->err = db->ops->events(db, &q, page_event, pg);
}

/* On the loop: the page leaves the reader for its owner. */
static void page_done(void *arg)
{
	struct page *pg = arg;

	list_unlink(&pg->le);
	pg->done(&pg->pub);
}

/* ---- the reader ---- */

/*
 * On the reader thread: catch-ups yield the CPU to commits and requests
 * (on a small machine the reader would take a core from them).
 */
static void reader_nice(void *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
}

static void reader_stop(struct catchup *cr)
{
	worker_stop(cr->reader);
	cr->reader = NULL;
	if (cr->db)
		cr->db->ops->close(cr->db);
	cr->db = NULL;
}

static int reader_start(struct catchup *cr)
{
	char msg[256];
	int err;

	if (cr->reader)
		return 0;
	err = store_sqlite_open_reader(&cr->db, cr->dir, msg, sizeof(msg));
	if (err) {
		log_error("stream",
			  "msg=\"cannot open the catch-up reader\" "
			  "err=\"%s\"",
			  msg);
		return err;
	}
	err = worker_start(&cr->reader, cr->db, "catchup");
	if (!err)
		err = worker_submit(cr->reader, reader_nice, NULL, NULL);
	if (err)
		reader_stop(cr);
	return err;
}

/* The reader stops first: then no page is in its hands. */
static void catchup_destructor(void *arg)
{
	struct catchup *cr = arg;

	reader_stop(cr);
	list_flush(&cr->pages);
	mem_deref(cr->dir);
}

int catchup_alloc(struct catchup **crp, const char *data_dir)
{
	struct catchup *cr = mem_zalloc(sizeof(*cr), catchup_destructor);
	int err;

	if (!cr)
		return ENOMEM;
	list_init(&cr->pages);
	err = str_dup(&cr->dir, data_dir);
	if (err) {
		mem_deref(cr);
		return err;
	}
	*crp = cr;
	return 0;
}

int catchup_read(struct catchup *cr, int64_t after, int64_t until, size_t limit,
		 void *owner, catchup_done_h *done)
{
	struct page *pg = mem_zalloc(sizeof(*pg), page_destructor);
	int err = ENOMEM;

	if (!pg)
		return ENOMEM;
	pg->pub.ev = calloc(limit ? limit : 1, sizeof(*pg->pub.ev));
	if (!pg->pub.ev)
		goto out;
	pg->pub.after = after;
	pg->pub.until = until;
	pg->pub.limit = limit;
	pg->pub.owner = mem_ref(owner);
	pg->done = done;
	err = reader_start(cr);
	if (!err)
		err = worker_submit(cr->reader, page_read, page_done, pg);
	if (!err)
		list_append(&cr->pages, &pg->le, pg);
out:
	if (err)
		mem_deref(pg);
	return err;
}
