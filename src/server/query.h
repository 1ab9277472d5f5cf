/*
 * query — a read of the store on its worker thread, answered on the loop.
 * The job carries the request; run() fills `result` (or `err`) off the
 * loop; finish() replies on the loop.
 */
#ifndef RELAIS_QUERY_H
#define RELAIS_QUERY_H

#include <jansson.h>

#include "server/srv.h"

struct query {
	struct hreq *r;
	void (*run)(struct store *st, struct query *q);
	void (*finish)(struct query *q);
	json_t *result;
	json_t *extra;
	size_t total;
	int err;
	char errmsg[256];
	char id[64];
	char **tenants; /* scope copy; NULL: all */
	size_t ntenants;
	struct store_contact_query cq;
	struct store_customer_query cust;
	struct store_event_query eq;
	char strs[6][128]; /* copies of filter strings */
	void *arg;
	void (*arg_free)(void *arg); /* frees arg with q, if set */
};

struct query *query_new(struct hreq *r);
/* Submits q; on failure replies 500 and frees it. */
void query_submit(struct query *q);
void query_free(struct query *q);
/* Collects (id, body) rows into q->result (an array), bodies parsed. */
int query_collect(const char *id, const char *body, void *arg);
/* Replies 500 with the store's message when q->err is set; true if so. */
bool query_failed(struct query *q);

#endif
