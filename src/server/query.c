#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/query.h"
#include "server/auth.h"

struct query *query_new(struct hreq *r)
{
	struct query *q = calloc(1, sizeof(*q));

	if (!q) {
		web_error(r, 500, "internal", "out of memory");
		return NULL;
	}
	q->r = r;
	return q;
}

void query_free(struct query *q)
{
	json_decref(q->result);
	json_decref(q->extra);
	if (q->arg_free)
		q->arg_free(q->arg);
	auth_tenants_free(q->tenants, q->ntenants);
	free(q);
}

static void query_job(void *ctx, void *arg)
{
	struct query *q = arg;
	struct store *st = ctx;

	q->run(st, q);
	if (q->err)
		snprintf(q->errmsg, sizeof(q->errmsg), "%s",
			 st->ops->errmsg(st));
}

static void query_done(void *arg)
{
	struct query *q = arg;

	q->finish(q);
	query_free(q);
}

void query_submit(struct query *q)
{
	if (srv_query(q->r->srv, (void (*)(void *, void *))query_job,
		      query_done, q)) {
		web_error(q->r, 500, "internal", "out of memory");
		query_free(q);
	}
}

int query_collect(const char *id, const char *body, void *arg)
{
	struct query *q = arg;
	json_t *b = json_loads(body, 0, NULL);

	(void)id;
	if (!q->result)
		q->result = json_array();
	if (b)
		json_array_append_new(q->result, b);
	return 0;
}

bool query_failed(struct query *q)
{
	if (!q->err)
		return false;
	web_error(q->r, 500, "internal", "store: %s", q->errmsg);
	return true;
}
