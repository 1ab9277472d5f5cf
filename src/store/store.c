/* Batches of store writes, built on the loop and committed by a worker. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static struct store_op *batch_grow(struct store_batch *b)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct store_op *ops = realloc(b->ops, cap * sizeof(*ops));

		if (!ops)
			return NULL;
		b->ops = ops;
		b->cap = cap;
	}
	memset(&b->ops[b->n], 0, sizeof(b->ops[0]));
	return &b->ops[b->n];
}

static char *dup_or_null(const char *s, bool *fail)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*fail = true;
	return d;
}

static void op_free(struct store_op *op)
{
	free(op->id);
	free(op->body);
	free(op->tenant);
}

int store_batch_event(struct store_batch *b, int64_t seq, int64_t time_ms,
		      const char *tenant, const char *type, const char *data)
{
	struct store_op *op = batch_grow(b);
	bool fail = false;

	if (!op)
		return ENOMEM;
	op->kind = STORE_EVENT;
	op->seq = seq;
	op->time_ms = time_ms;
	op->type = type;
	op->tenant = dup_or_null(tenant, &fail);
	op->body = dup_or_null(data, &fail);
	if (fail) {
		op_free(op);
		return ENOMEM;
	}
	b->n++;
	b->events++;
	return 0;
}

static int batch_row(struct store_batch *b, enum store_op_kind kind,
		     const char *table, const char *id, const char *body)
{
	struct store_op *op = batch_grow(b);
	bool fail = false;

	if (!op)
		return ENOMEM;
	op->kind = kind;
	op->table = table;
	op->id = dup_or_null(id, &fail);
	op->body = dup_or_null(body, &fail);
	if (fail) {
		op_free(op);
		return ENOMEM;
	}
	b->n++;
	return 0;
}

int store_batch_put(struct store_batch *b, const char *table, const char *id,
		    const char *body)
{
	return batch_row(b, STORE_PUT, table, id, body);
}

int store_batch_del(struct store_batch *b, const char *table, const char *id)
{
	return batch_row(b, STORE_DEL, table, id, NULL);
}

int store_batch_rewrite(struct store_batch *b, int64_t seq, const char *data)
{
	int err = batch_row(b, STORE_REWRITE, NULL, NULL, data);

	if (!err)
		b->ops[b->n - 1].seq = seq;
	return err;
}

void store_batch_reset(struct store_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		op_free(&b->ops[i]);
	b->n = 0;
	b->events = 0;
}

int store_lock(const char *dir, char *msg, size_t size)
{
	char path[4096];
	int fd;

	if (mkdir(dir, 0750) && errno != EEXIST) {
		snprintf(msg, size, "cannot create %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/relais.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(msg, size, "cannot open %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		snprintf(msg, size,
			 "%s is in use by another relais (a running server?); "
			 "stop it first",
			 dir);
		close(fd);
		return -1;
	}
	return fd;
}
