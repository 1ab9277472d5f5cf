/*
 * store — the SQLite store on a real file in a temporary folder: the
 * migrations, atomic batches, the event log and its filters, the tables
 * of rows, the contacts and customers searches, and what survives closing
 * and opening the folder again.
 *
 * Each test gets a fresh folder (mkdtemp), migrated, with fsync off; the
 * teardown closes the store and removes the folder and its files.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "model/jv.h"
#include "store/store.h"

struct fx {
	char dir[64];
	struct store *st;
};

/* What a query gave: ids in order, with their bodies. */
struct got {
	int n;
	char id[16][48];
	char body[16][512];
	int stop_at; /* the handler returns 7 on this row (1-based); 0 never */
};

/* Events, by sequence. */
struct evs {
	int n;
	int64_t seq[16];
	int64_t time[16];
	char tenant[16][16]; /* "-" for none */
	char type[16][32];
	char data[16][128];
	int stop_at;
};

static int row_h(const char *id, const char *body, void *arg)
{
	struct got *g = arg;

	if (g->n < 16) {
		snprintf(g->id[g->n], sizeof(g->id[0]), "%s", id);
		snprintf(g->body[g->n], sizeof(g->body[0]), "%s", body);
	}
	g->n++;
	return g->stop_at && g->n == g->stop_at ? 7 : 0;
}

static int event_h(const struct store_event *ev, void *arg)
{
	struct evs *e = arg;

	if (e->n < 16) {
		e->seq[e->n] = ev->seq;
		e->time[e->n] = ev->time_ms;
		snprintf(e->tenant[e->n], sizeof(e->tenant[0]), "%s",
			 ev->tenant ? ev->tenant : "-");
		snprintf(e->type[e->n], sizeof(e->type[0]), "%s", ev->type);
		snprintf(e->data[e->n], sizeof(e->data[0]), "%s", ev->data);
	}
	e->n++;
	return e->stop_at && e->n == e->stop_at ? 7 : 0;
}

/* "a,b,c": the ids a query gave, for one-line comparisons. */
static const char *ids(const struct got *g, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < g->n && i < 16; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i ? "," : "", g->id[i]);
	return buf;
}

static const char *seqs(const struct evs *e, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < e->n && i < 16; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%lld",
					i ? "," : "", (long long)e->seq[i]);
	return buf;
}

static void store_open(struct fx *f)
{
	char msg[256];
	int version = 0;

	if (store_sqlite_open(&f->st, f->dir, false, msg, sizeof(msg)))
		fail_msg("open %s: %s", f->dir, msg);
	assert_int_equal(f->st->ops->migrate(f->st, &version), 0);
	assert_int_equal(version, store_sqlite_schema);
}

static void store_reopen(struct fx *f)
{
	f->st->ops->close(f->st);
	f->st = NULL;
	store_open(f);
}

static void rm_dir(const char *dir)
{
	char path[512];
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	while ((d = readdir(dp))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (unlink(path))
			rm_dir(path);
	}
	closedir(dp);
	rmdir(dir);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/relais-test-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	store_open(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->st)
		f->st->ops->close(f->st);
	rm_dir(f->dir);
	free(f);
	return 0;
}

/* ---- batches ---- */

static void batch_free(struct store_batch *b)
{
	store_batch_reset(b);
	free(b->ops);
	memset(b, 0, sizeof(*b));
}

static int commit(struct fx *f, struct store_batch *b)
{
	int err = f->st->ops->commit(f->st, b);

	batch_free(b);
	return err;
}

static void put(struct store_batch *b, const char *table, const char *id,
		const char *body)
{
	assert_int_equal(store_batch_put(b, table, id, body), 0);
}

static void del(struct store_batch *b, const char *table, const char *id)
{
	assert_int_equal(store_batch_del(b, table, id), 0);
}

static void event(struct store_batch *b, int64_t seq, int64_t time,
		  const char *tenant, const char *type, const char *data)
{
	assert_int_equal(store_batch_event(b, seq, time, tenant, type, data),
			 0);
}

static void put1(struct fx *f, const char *table, const char *id,
		 const char *body)
{
	struct store_batch b = {0};

	put(&b, table, id, body);
	assert_int_equal(commit(f, &b), 0);
}

static struct got rows(struct fx *f, const char *table)
{
	struct got g = {0};

	assert_int_equal(f->st->ops->rows(f->st, table, row_h, &g), 0);
	return g;
}

static struct got get(struct fx *f, const char *table, const char *id)
{
	struct got g = {0};

	assert_int_equal(f->st->ops->get(f->st, table, id, row_h, &g), 0);
	return g;
}

static struct evs events(struct fx *f, const struct store_event_query *q)
{
	struct evs e = {0};

	assert_int_equal(f->st->ops->events(f->st, q, event_h, &e), 0);
	return e;
}

/* ---- migrations ---- */

static void test_migrate_twice_stays_at_the_last_version(void **state)
{
	struct fx *f = *state;
	int version = 0;

	assert_int_equal(f->st->ops->migrate(f->st, &version), 0);
	assert_int_equal(version, store_sqlite_schema);
	store_reopen(f);
	assert_int_equal(f->st->ops->migrate(f->st, &version), 0);
	assert_int_equal(version, store_sqlite_schema);
	assert_string_equal(f->st->ops->name, "sqlite");
}

static void test_newer_schema_is_refused(void **state)
{
	struct fx *f = *state;
	char path[128], msg[256];
	sqlite3 *db;
	int version = 0;

	f->st->ops->close(f->st);
	f->st = NULL;
	snprintf(path, sizeof(path), "%s/relais.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(
		store_sqlite_open(&f->st, f->dir, false, msg, sizeof(msg)), 0);
	assert_int_equal(f->st->ops->migrate(f->st, &version), EPROTO);
	assert_non_null(strstr(f->st->ops->errmsg(f->st), "schema version 99"));
}

static void test_open_creates_the_folder(void **state)
{
	struct fx *f = *state;
	struct store *st;
	char sub[128], msg[256];
	int version = 0;

	snprintf(sub, sizeof(sub), "%s/data", f->dir);
	assert_int_equal(store_sqlite_open(&st, sub, false, msg, sizeof(msg)),
			 0);
	assert_int_equal(st->ops->migrate(st, &version), 0);
	assert_int_equal(version, store_sqlite_schema);
	st->ops->close(st);
	assert_int_equal(access(sub, F_OK), 0);
}

static void test_open_in_a_missing_parent_fails_with_a_reason(void **state)
{
	struct fx *f = *state;
	struct store *st = NULL;
	char sub[128], msg[256] = "";

	snprintf(sub, sizeof(sub), "%s/no/such/folder", f->dir);
	assert_int_equal(store_sqlite_open(&st, sub, false, msg, sizeof(msg)),
			 ENOENT);
	assert_null(st);
	assert_non_null(strstr(msg, "cannot create"));
}

/* ---- commit and read back ---- */

static void test_empty_log_has_last_seq_0(void **state)
{
	struct fx *f = *state;
	struct store_event_query q = {0};

	assert_int_equal(f->st->ops->last_seq(f->st), 0);
	assert_int_equal(events(f, &q).n, 0);
	assert_int_equal(rows(f, "tenants").n, 0);
}

static void test_commit_then_read_back(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	struct store_event_query q = {0};
	struct got g;
	struct evs e;
	char buf[128];

	event(&b, 1, 1000, "t1", "contact.queued", "{\"contact\":\"c1\"}");
	put(&b, "tenants", "tz", "{\"name\":\"Zed\"}");
	event(&b, 2, 1500, NULL, "agent.state", "{\"agent\":\"a1\"}");
	put(&b, "tenants", "ta", "{\"name\":\"Ann\"}");
	put(&b, "tenants", "tm", "{\"name\":\"Max\"}");
	event(&b, 3, 2000, "t1", "contact.accepted", "{\"contact\":\"c1\"}");
	assert_int_equal(b.n, 6);
	assert_int_equal(b.events, 3);
	assert_int_equal(commit(f, &b), 0);

	assert_int_equal(f->st->ops->last_seq(f->st), 3);
	/* rows come back in the order they were first written */
	g = rows(f, "tenants");
	assert_string_equal(ids(&g, buf, sizeof(buf)), "tz,ta,tm");
	assert_string_equal(g.body[1], "{\"name\":\"Ann\"}");
	g = get(f, "tenants", "tm");
	assert_int_equal(g.n, 1);
	assert_string_equal(g.id[0], "tm");
	assert_string_equal(g.body[0], "{\"name\":\"Max\"}");
	assert_int_equal(get(f, "tenants", "nope").n, 0);
	assert_int_equal(get(f, "sites", "tm").n, 0);

	e = events(f, &q);
	assert_string_equal(seqs(&e, buf, sizeof(buf)), "1,2,3");
	assert_int_equal(e.time[1], 1500);
	assert_string_equal(e.tenant[0], "t1");
	assert_string_equal(e.tenant[1], "-");
	assert_string_equal(e.type[2], "contact.accepted");
	assert_string_equal(e.data[2], "{\"contact\":\"c1\"}");
}

static void test_batch_copies_its_strings(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	char id[8] = "x1", body[32] = "{\"name\":\"one\"}";

	put(&b, "skills", id, body);
	strcpy(id, "zz");
	strcpy(body, "{}");
	assert_int_equal(commit(f, &b), 0);
	assert_string_equal(get(f, "skills", "x1").body[0],
			    "{\"name\":\"one\"}");
}

static void test_batch_grows_past_its_first_allocation(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	struct store_event_query q = {0};
	char id[16];

	for (int i = 1; i <= 100; i++) {
		snprintf(id, sizeof(id), "s%03d", i);
		event(&b, i, i * 10, "t", "site.created", "{}");
		put(&b, "sites", id, "{}");
	}
	assert_int_equal(b.n, 200);
	assert_int_equal(commit(f, &b), 0);
	assert_int_equal(f->st->ops->last_seq(f->st), 100);
	q.after_seq = 95;
	assert_int_equal(events(f, &q).n, 5);
	assert_int_equal(rows(f, "sites").n, 100);
}

static void test_row_handler_can_stop_the_walk(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	struct got g = {.stop_at = 2};

	put(&b, "skills", "k1", "{}");
	put(&b, "skills", "k2", "{}");
	put(&b, "skills", "k3", "{}");
	assert_int_equal(commit(f, &b), 0);
	assert_int_equal(f->st->ops->rows(f->st, "skills", row_h, &g), 7);
	assert_int_equal(g.n, 2);
}

/* ---- atomicity ---- */

static void test_failing_commit_rolls_back_the_whole_batch(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	struct store_event_query q = {0};
	char buf[64];
	struct got g;
	struct evs e;

	event(&b, 1, 1000, "t1", "tenant.created", "{}");
	put(&b, "tenants", "t1", "{\"name\":\"one\"}");
	assert_int_equal(commit(f, &b), 0);

	/* a later batch that reuses seq 1 after other writes */
	put(&b, "tenants", "t2", "{\"name\":\"two\"}");
	put(&b, "tenants", "t1", "{\"name\":\"changed\"}");
	event(&b, 2, 2000, "t2", "tenant.created", "{}");
	del(&b, "tenants", "t1");
	event(&b, 1, 3000, "t2", "tenant.updated", "{}");
	put(&b, "sites", "s1", "{}");
	assert_int_not_equal(commit(f, &b), 0);
	assert_non_null(strstr(f->st->ops->errmsg(f->st), "UNIQUE"));

	assert_int_equal(f->st->ops->last_seq(f->st), 1);
	g = rows(f, "tenants");
	assert_string_equal(ids(&g, buf, sizeof(buf)), "t1");
	assert_string_equal(g.body[0], "{\"name\":\"one\"}");
	assert_int_equal(rows(f, "sites").n, 0);
	e = events(f, &q);
	assert_string_equal(seqs(&e, buf, sizeof(buf)), "1");

	/* the store is usable again: the transaction was closed */
	event(&b, 2, 2000, "t2", "tenant.created", "{}");
	put(&b, "tenants", "t2", "{\"name\":\"two\"}");
	assert_int_equal(commit(f, &b), 0);
	assert_int_equal(f->st->ops->last_seq(f->st), 2);
	assert_int_equal(rows(f, "tenants").n, 2);
}

static void test_unknown_table_fails_the_batch(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};

	event(&b, 1, 1000, NULL, "x", "{}");
	put(&b, "tenants", "t1", "{}");
	put(&b, "tenants; DROP TABLE events", "x", "{}");
	assert_int_equal(commit(f, &b), EINVAL);
	assert_non_null(strstr(f->st->ops->errmsg(f->st), "unknown table"));
	assert_int_equal(f->st->ops->last_seq(f->st), 0);
	assert_int_equal(rows(f, "tenants").n, 0);
}

static void test_rows_and_get_refuse_unknown_tables(void **state)
{
	struct fx *f = *state;
	struct got g = {0};

	assert_int_equal(f->st->ops->rows(f->st, "identities", row_h, &g),
			 EINVAL);
	assert_int_equal(f->st->ops->rows(f->st, "events", row_h, &g), EINVAL);
	assert_int_equal(f->st->ops->get(f->st, "tenant", "x", row_h, &g),
			 EINVAL);
	assert_int_equal(g.n, 0);
	for (int i = 0; store_tables[i]; i++)
		assert_int_equal(
			f->st->ops->rows(f->st, store_tables[i], row_h, &g), 0);
}

/* ---- PUT and DELETE ---- */

static void test_put_replaces_the_body(void **state)
{
	struct fx *f = *state;
	struct got g;

	put1(f, "queues", "q1", "{\"name\":\"old\"}");
	put1(f, "queues", "q1", "{\"name\":\"new\"}");
	g = rows(f, "queues");
	assert_int_equal(g.n, 1);
	assert_string_equal(g.body[0], "{\"name\":\"new\"}");
}

/*
 * rows() is in rowid order, the order rows were first written: the
 * server loads its configuration in it, and lists customers in it. PUT is
 * an upsert (INSERT ... ON CONFLICT(id) DO UPDATE): an updated row keeps
 * its place. With INSERT OR REPLACE it moved to the end, and a customer
 * list paged while customers change skipped or repeated some.
 */
static void test_updated_row_keeps_its_place(void **state)
{
	struct fx *f = *state;
	char buf[64];
	struct got g;

	put1(f, "queues", "target", "{}");
	put1(f, "queues", "source", "{\"steps\":[{\"target\":\"target\"}]}");
	put1(f, "queues", "target", "{\"name\":\"renamed\"}");
	g = rows(f, "queues");
	assert_string_equal(ids(&g, buf, sizeof(buf)), "target,source");
}

static void test_delete_removes_the_row(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	char buf[64];
	struct got g;

	put(&b, "agents", "a1", "{}");
	put(&b, "agents", "a2", "{}");
	put(&b, "agents", "a3", "{}");
	assert_int_equal(commit(f, &b), 0);
	del(&b, "agents", "a2");
	del(&b, "agents", "missing");
	assert_int_equal(commit(f, &b), 0);
	g = rows(f, "agents");
	assert_string_equal(ids(&g, buf, sizeof(buf)), "a1,a3");
	assert_int_equal(get(f, "agents", "a2").n, 0);
}

static void test_put_and_delete_in_one_batch_apply_in_order(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	char buf[64];
	struct got g;

	put(&b, "users", "u1", "{}");
	del(&b, "users", "u1");
	put(&b, "users", "u2", "{}");
	del(&b, "users", "u2");
	put(&b, "users", "u2", "{\"v\":2}");
	assert_int_equal(commit(f, &b), 0);
	g = rows(f, "users");
	assert_string_equal(ids(&g, buf, sizeof(buf)), "u2");
	assert_string_equal(g.body[0], "{\"v\":2}");
}

/* ---- the event log ---- */

/*
 * seq  time  tenant  contact
 *  1   1000  t1      c1
 *  2   2000  t2      c1
 *  3   3000  t1      c2
 *  4   4000  -       -
 *  5   5000  t2      c1
 *  6   6000  t1      c3
 */
static void six_events(struct fx *f)
{
	static const char *const tenants[] = {"t1", "t2", "t1",
					      NULL, "t2", "t1"};
	static const char *const data[] = {
		"{\"contact\":\"c1\"}", "{\"contact\":\"c1\"}",
		"{\"contact\":\"c2\"}", "{\"agent\":\"a1\"}",
		"{\"contact\":\"c1\"}", "{\"contact\":\"c3\"}"};
	struct store_batch b = {0};

	for (int i = 0; i < 6; i++)
		event(&b, i + 1, (i + 1) * 1000, tenants[i], "t", data[i]);
	assert_int_equal(commit(f, &b), 0);
}

static const char *query_seqs(struct fx *f, const struct store_event_query *q,
			      char *buf, size_t size)
{
	struct evs e = events(f, q);

	return seqs(&e, buf, size);
}

static void test_events_after_and_until(void **state)
{
	struct fx *f = *state;
	char buf[64];

	six_events(f);
	assert_string_equal(
		query_seqs(f, &(struct store_event_query){0}, buf, sizeof(buf)),
		"1,2,3,4,5,6");
	assert_string_equal(
		query_seqs(f, &(struct store_event_query){.after_seq = 2}, buf,
			   sizeof(buf)),
		"3,4,5,6");
	assert_string_equal(
		query_seqs(f, &(struct store_event_query){.until_seq = 4}, buf,
			   sizeof(buf)),
		"1,2,3,4");
	assert_string_equal(query_seqs(f,
				       &(struct store_event_query){
					       .after_seq = 2, .until_seq = 4},
				       buf, sizeof(buf)),
			    "3,4");
	assert_string_equal(
		query_seqs(f, &(struct store_event_query){.after_seq = 6}, buf,
			   sizeof(buf)),
		"");
}

static void test_events_time_range_excludes_to(void **state)
{
	struct fx *f = *state;
	char buf[64];

	six_events(f);
	assert_string_equal(query_seqs(f,
				       &(struct store_event_query){
					       .from_ms = 2000, .to_ms = 4000},
				       buf, sizeof(buf)),
			    "2,3");
	assert_string_equal(
		query_seqs(f, &(struct store_event_query){.from_ms = 4500}, buf,
			   sizeof(buf)),
		"5,6");
	assert_string_equal(
		query_seqs(f, &(struct store_event_query){.to_ms = 1001}, buf,
			   sizeof(buf)),
		"1");
}

static void test_events_of_one_contact(void **state)
{
	struct fx *f = *state;
	char buf[64];

	six_events(f);
	assert_string_equal(
		query_seqs(f, &(struct store_event_query){.contact = "c1"}, buf,
			   sizeof(buf)),
		"1,2,5");
	assert_string_equal(
		query_seqs(f, &(struct store_event_query){.contact = "c9"}, buf,
			   sizeof(buf)),
		"");
}

/* A redaction rewrites one event's data; its row, sequence, time, tenant
 * and type stay, and so do the other rows. */
static void test_rewrite_replaces_the_data_and_keeps_the_row(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	struct evs e;
	char buf[64];

	six_events(f);
	assert_int_equal(store_batch_rewrite(&b, 2,
					     "{\"contact\":\"c1\","
					     "\"redacted\":true}"),
			 0);
	assert_int_equal(commit(f, &b), 0);
	e = events(f, &(struct store_event_query){0});
	assert_string_equal(seqs(&e, buf, sizeof(buf)), "1,2,3,4,5,6");
	assert_string_equal(e.data[1],
			    "{\"contact\":\"c1\",\"redacted\":true}");
	assert_int_equal(e.time[1], 2000);
	assert_string_equal(e.tenant[1], "t2");
	assert_string_equal(e.data[0], "{\"contact\":\"c1\"}");
	/* still the contact's: the generated column follows the data */
	assert_string_equal(
		query_seqs(f, &(struct store_event_query){.contact = "c1"}, buf,
			   sizeof(buf)),
		"1,2,5");
}

static void test_events_of_some_tenants(void **state)
{
	static const char *const t1[] = {"t1"};
	static const char *const t12[] = {"t1", "t2"};
	static const char *const none[] = {NULL};
	struct fx *f = *state;
	char buf[64];

	six_events(f);
	assert_string_equal(query_seqs(f,
				       &(struct store_event_query){
					       .tenants = t1, .ntenants = 1},
				       buf, sizeof(buf)),
			    "1,3,6");
	/* an event without a tenant is seen only without a scope */
	assert_string_equal(query_seqs(f,
				       &(struct store_event_query){
					       .tenants = t12, .ntenants = 2},
				       buf, sizeof(buf)),
			    "1,2,3,5,6");
	/* a scope of no tenant sees nothing */
	assert_string_equal(query_seqs(f,
				       &(struct store_event_query){
					       .tenants = none, .ntenants = 0},
				       buf, sizeof(buf)),
			    "");
	assert_string_equal(
		query_seqs(f,
			   &(struct store_event_query){
				   .contact = "c1",
				   .tenants = (const char *[]){"t2"},
				   .ntenants = 1},
			   buf, sizeof(buf)),
		"2,5");
}

static void test_events_limit(void **state)
{
	struct fx *f = *state;
	char buf[64];

	six_events(f);
	assert_string_equal(query_seqs(f,
				       &(struct store_event_query){.limit = 2},
				       buf, sizeof(buf)),
			    "1,2");
	assert_string_equal(query_seqs(f,
				       &(struct store_event_query){
					       .after_seq = 3, .limit = 2},
				       buf, sizeof(buf)),
			    "4,5");
	assert_string_equal(
		query_seqs(f,
			   &(struct store_event_query){
				   .after_seq = 1,
				   .until_seq = 6,
				   .from_ms = 1000,
				   .to_ms = 7000,
				   .tenants = (const char *[]){"t1"},
				   .ntenants = 1,
				   .limit = 1},
			   buf, sizeof(buf)),
		"3");
}

static void test_event_handler_can_stop_the_walk(void **state)
{
	struct fx *f = *state;
	struct store_event_query q = {0};
	struct evs e = {.stop_at = 3};

	six_events(f);
	assert_int_equal(f->st->ops->events(f->st, &q, event_h, &e), 7);
	assert_int_equal(e.n, 3);
}

/* ---- the log by type, newest first ---- */

/*
 * seq  time  tenant  type              data's user (username)
 *  1   1000  t1      audit.config      u1 (ann)
 *  2   2000  -       audit.login       u2 (bob)
 *  3   3000  t2      contact.queued    -
 *  4   4000  t2      audit.config      u2 (bob)
 *  5   5000  -       audit.login       u1 (ann)
 *  6   6000  t1      audit.customer_read u3
 *  7   7000  -       audit.login_failed "" (eve)
 *  8   8000  -       auditx            u1
 */
static void audit_events(struct fx *f)
{
	static const char *const tenants[] = {"t1", NULL, "t2", "t2",
					      NULL, "t1", NULL, NULL};
	static const char *const types[] = {
		"audit.config",	      "audit.login", "contact.queued",
		"audit.config",	      "audit.login", "audit.customer_read",
		"audit.login_failed", "auditx"};
	static const char *const data[] = {
		"{\"user\":\"u1\",\"username\":\"ann\"}",
		"{\"user\":\"u2\",\"username\":\"bob\"}",
		"{\"contact\":\"c1\"}",
		"{\"user\":\"u2\",\"username\":\"bob\"}",
		"{\"user\":\"u1\",\"username\":\"ann\"}",
		"{\"user\":\"u3\",\"customer\":\"k1\"}",
		"{\"user\":\"\",\"username\":\"eve\"}",
		"{\"user\":\"u1\"}"};
	struct store_batch b = {0};

	for (int i = 0; i < 8; i++)
		event(&b, i + 1, (i + 1) * 1000, tenants[i], types[i], data[i]);
	assert_int_equal(commit(f, &b), 0);
}

static const char *type_seqs(struct fx *f, const struct store_type_query *q,
			     char *buf, size_t size)
{
	struct evs e = {0};

	assert_int_equal(f->st->ops->events_by_type(f->st, q, event_h, &e), 0);
	return seqs(&e, buf, size);
}

static void test_events_by_prefix_newest_first(void **state)
{
	struct fx *f = *state;
	char buf[64];

	audit_events(f);
	assert_string_equal(
		type_seqs(f, &(struct store_type_query){.prefix = "audit."},
			  buf, sizeof(buf)),
		"7,6,5,4,2,1");
	/* the prefix is not a pattern: "audit.login" takes login_failed */
	assert_string_equal(
		type_seqs(f, &(struct store_type_query){.type = "audit.login"},
			  buf, sizeof(buf)),
		"5,2");
	assert_string_equal(
		type_seqs(f,
			  &(struct store_type_query){.prefix = "audit.login"},
			  buf, sizeof(buf)),
		"7,5,2");
	assert_string_equal(
		type_seqs(f, &(struct store_type_query){.prefix = "audit%"},
			  buf, sizeof(buf)),
		"");
}

static void test_events_by_type_page_by_sequence(void **state)
{
	struct fx *f = *state;
	char buf[64];

	audit_events(f);
	assert_string_equal(type_seqs(f,
				      &(struct store_type_query){
					      .prefix = "audit.", .limit = 2},
				      buf, sizeof(buf)),
			    "7,6");
	assert_string_equal(
		type_seqs(f,
			  &(struct store_type_query){.prefix = "audit.",
						     .before_seq = 6,
						     .limit = 2},
			  buf, sizeof(buf)),
		"5,4");
	assert_string_equal(
		type_seqs(f,
			  &(struct store_type_query){.prefix = "audit.",
						     .before_seq = 2,
						     .limit = 2},
			  buf, sizeof(buf)),
		"1");
	assert_string_equal(
		type_seqs(f,
			  &(struct store_type_query){.prefix = "audit.",
						     .until_seq = 5},
			  buf, sizeof(buf)),
		"5,4,2,1");
}

static void test_events_by_type_filters(void **state)
{
	struct fx *f = *state;
	char buf[64];

	audit_events(f);
	/* time: from included, to excluded */
	assert_string_equal(
		type_seqs(f,
			  &(struct store_type_query){.prefix = "audit.",
						     .from_ms = 2000,
						     .to_ms = 6000},
			  buf, sizeof(buf)),
		"5,4,2");
	assert_string_equal(
		type_seqs(f,
			  &(struct store_type_query){.prefix = "audit.",
						     .tenant = "t1"},
			  buf, sizeof(buf)),
		"6,1");
	/* who: a user's id or its name */
	assert_string_equal(type_seqs(f,
				      &(struct store_type_query){
					      .prefix = "audit.", .user = "u1"},
				      buf, sizeof(buf)),
			    "5,1");
	assert_string_equal(
		type_seqs(f,
			  &(struct store_type_query){.prefix = "audit.",
						     .user = "eve"},
			  buf, sizeof(buf)),
		"7");
	assert_string_equal(
		type_seqs(f,
			  &(struct store_type_query){.prefix = "audit.",
						     .user = "' OR 1 --"},
			  buf, sizeof(buf)),
		"");
}

static void test_events_by_type_scope(void **state)
{
	static const char *const t1[] = {"t1"};
	static const char *const u2[] = {"u2"};
	struct fx *f = *state;
	char buf[64];

	audit_events(f);
	/* a tenant's events, and the tenantless ones of its users only */
	assert_string_equal(
		type_seqs(f,
			  &(struct store_type_query){.prefix = "audit.",
						     .tenants = t1,
						     .ntenants = 1,
						     .users = u2,
						     .nusers = 1},
			  buf, sizeof(buf)),
		"6,2,1");
	assert_string_equal(
		type_seqs(f,
			  &(struct store_type_query){.prefix = "audit.",
						     .tenants = t1,
						     .ntenants = 1},
			  buf, sizeof(buf)),
		"6,1");
	/* an empty scope sees nothing, not everything */
	assert_string_equal(
		type_seqs(f,
			  &(struct store_type_query){
				  .prefix = "audit.",
				  .tenants = (const char *[]){NULL}},
			  buf, sizeof(buf)),
		"");
	/* the tenant filter cannot widen the scope */
	assert_string_equal(
		type_seqs(f,
			  &(struct store_type_query){.prefix = "audit.",
						     .tenant = "t2",
						     .tenants = t1,
						     .ntenants = 1},
			  buf, sizeof(buf)),
		"");
}

static int collect_name(void *arg, int n, char **v, char **cols)
{
	char *sql = arg;

	(void)n;
	(void)cols;
	snprintf(sql + strlen(sql), 4096 - strlen(sql), "DROP TABLE %s;", v[0]);
	return 0;
}

/* Drops the tables the migrations after version 2 made (each makes one). */
static void drop_tables_after_2(sqlite3 *db)
{
	char sql[4096] = "";

	assert_int_equal(
		sqlite3_exec(db,
			     "SELECT name FROM sqlite_master WHERE type = "
			     "'table' AND name NOT IN ('events', 'tenants', "
			     "'sites', 'skills', 'agents', 'queues', "
			     "'calendars', 'dispositions', 'users', "
			     "'sessions', 'contacts', 'customers', "
			     "'identities', 'login_limits')",
			     collect_name, sql, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* A folder made before the index (version 2) gets it, its log intact. */
static void test_type_index_migrates_an_existing_log(void **state)
{
	struct fx *f = *state;
	char path[128], buf[64];
	sqlite3 *db;
	sqlite3_stmt *q;
	int version = 0;

	audit_events(f);
	f->st->ops->close(f->st);
	f->st = NULL;
	snprintf(path, sizeof(path), "%s/relais.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	drop_tables_after_2(db);
	assert_int_equal(sqlite3_exec(db,
				      "DROP INDEX events_type;"
				      "PRAGMA user_version = 2",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	store_open(f);
	assert_int_equal(f->st->ops->migrate(f->st, &version), 0);
	assert_int_equal(version, store_sqlite_schema);
	assert_string_equal(
		type_seqs(f, &(struct store_type_query){.type = "audit.config"},
			  buf, sizeof(buf)),
		"4,1");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT 1 FROM sqlite_master WHERE "
					    "name = 'events_type'",
					    -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	sqlite3_finalize(q);
	sqlite3_close(db);
}

/* ---- contacts ---- */

static void put_contact(struct store_batch *b, const char *id,
			const char *tenant, const char *queue,
			const char *agent, const char *customer,
			const char *state, const char *created)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"id\":\"%s\",\"tenant\":\"%s\",\"queue\":\"%s\","
		 "\"agent\":%s%s%s,\"customer\":%s%s%s,\"state\":\"%s\","
		 "\"created_at\":\"%s\"}",
		 id, tenant, queue, agent ? "\"" : "", agent ? agent : "null",
		 agent ? "\"" : "", customer ? "\"" : "",
		 customer ? customer : "null", customer ? "\"" : "", state,
		 created);
	put(b, "contacts", id, body);
}

#define T_29_08 1795939200000LL /* 2026-11-29T08:00:00Z */
#define HOUR	3600000LL
#define DAY	(24 * HOUR)

static void six_contacts(struct fx *f)
{
	struct store_batch b = {0};

	put_contact(&b, "k1", "t1", "q1", "a1", "cu1", "completed",
		    "2026-11-29T08:00:00.000Z");
	put_contact(&b, "k2", "t1", "q1", "a2", "cu2", "queued",
		    "2026-11-29T09:00:00.000Z");
	put_contact(&b, "k3", "t1", "q2", "a1", "cu1", "active",
		    "2026-11-29T10:00:00.000Z");
	put_contact(&b, "k4", "t2", "q3", NULL, "cu3", "abandoned",
		    "2026-11-29T11:00:00.000Z");
	put_contact(&b, "k5", "t2", "q3", "a3", "cu3", "completed",
		    "2026-11-30T08:00:00.000Z");
	put_contact(&b, "k6", "t3", "q4", "a1", NULL, "queued",
		    "2026-11-30T09:00:00.000Z");
	assert_int_equal(commit(f, &b), 0);
}

/* Runs a contacts query; "ids (total)". */
static const char *contacts(struct fx *f, struct store_contact_query q,
			    char *buf, size_t size)
{
	struct got g = {0};
	size_t total = 12345, len;

	if (!q.limit)
		q.limit = 50;
	assert_int_equal(f->st->ops->contacts(f->st, &q, row_h, &g, &total), 0);
	ids(&g, buf, size);
	len = strlen(buf);
	snprintf(buf + len, size - len, " (%zu)", total);
	return buf;
}

/* What stat_events gave: "type queue entered wait talk wrap" per event. */
struct stat_got {
	int n;
	char line[8][128];
};

static int stat_h(const struct store_stat_event *ev, void *arg)
{
	struct stat_got *g = arg;

	if (g->n < 8)
		snprintf(g->line[g->n], sizeof(g->line[0]),
			 "%lld %s %s %s %d %lld %lld %lld",
			 (long long)ev->time_ms, ev->tenant ? ev->tenant : "-",
			 ev->type, ev->queue ? ev->queue : "-", ev->entered,
			 (long long)ev->wait_ms, (long long)ev->talk_ms,
			 (long long)ev->wrap_ms);
	g->n++;
	return 0;
}

/* The fields the statistics count, read by the store, for some types. */
static void test_stat_events_read_the_counted_fields(void **state)
{
	static const char *const types[] = {"contact.queued",
					    "contact.completed"};
	struct fx *f = *state;
	struct store_batch b = {0};
	struct stat_got g = {0};

	event(&b, 1, 1000, "t1", "contact.queued",
	      "{\"queue\":\"q1\",\"entered\":true,\"wait_ms\":0}");
	event(&b, 2, 2000, "t1", "contact.created", "{\"queue\":\"q1\"}");
	event(&b, 3, 3000, "t1", "contact.completed",
	      "{\"queue\":\"q1\",\"wait_ms\":5,\"talk_ms\":60,\"wrap_ms\":7}");
	event(&b, 4, 4000, NULL, "contact.queued", "{}");
	event(&b, 5, 500, "t1", "contact.queued", "{\"queue\":\"old\"}");
	assert_int_equal(commit(f, &b), 0);
	assert_int_equal(
		f->st->ops->stat_events(f->st, 1000, types, 2, stat_h, &g), 0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.line[0], "1000 t1 contact.queued q1 1 0 0 0");
	assert_string_equal(g.line[1], "3000 t1 contact.completed q1 0 5 60 7");
	assert_string_equal(g.line[2], "4000 - contact.queued - 0 0 0 0");
}

/* open_contacts' rows, as (id, body) for row_h. */
static int open_h(const struct store_open_contact *c, void *arg)
{
	return row_h(c->id, c->body, arg);
}

static void test_open_contacts_are_the_non_terminal_ones(void **state)
{
	static const char *const states[] = {
		"completed",   "queued",	   "abandoned", "offered",
		"voicemail",   "active",	   "closed",	"wrapup",
		"transferred", "callback-pending",
	};
	struct fx *f = *state;
	struct store_batch b = {0};
	struct got g = {0};
	char id[8], buf[128];

	for (int i = 0; i < 10; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		put_contact(&b, id, "t", "q", NULL, NULL, states[i],
			    "2026-11-29T08:00:00.000Z");
	}
	assert_int_equal(commit(f, &b), 0);
	assert_int_equal(f->st->ops->open_contacts(f->st, open_h, &g), 0);
	assert_string_equal(ids(&g, buf, sizeof(buf)), "c1,c3,c5,c7,c9");
}

/* What a restart reads of each open contact, without parsing its body. */
struct open_fields {
	int n;
	struct store_open_contact c[2];
	char text[2][8][64];
};

static const char *keep(struct open_fields *o, int k, const char *v)
{
	if (!v)
		return NULL;
	snprintf(o->text[o->n][k], sizeof(o->text[0][0]), "%s", v);
	return o->text[o->n][k];
}

static int fields_h(const struct store_open_contact *c, void *arg)
{
	struct open_fields *o = arg;

	assert_true(o->n < 2);
	o->c[o->n] = *c;
	o->c[o->n].id = keep(o, 0, c->id);
	o->c[o->n].body = keep(o, 1, c->body ? "-" : NULL);
	o->c[o->n].tenant = keep(o, 2, c->tenant);
	o->c[o->n].queue = keep(o, 3, c->queue);
	o->c[o->n].state = keep(o, 4, c->state);
	o->c[o->n].agent = keep(o, 5, c->agent);
	o->c[o->n].customer = keep(o, 6, c->customer);
	o->n++;
	return 0;
}

static void test_open_contacts_give_the_fields_a_restart_needs(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	struct open_fields o = {0};

	put(&b, "contacts", "k1",
	    "{\"tenant\":\"t1\",\"queue\":\"q1\",\"state\":\"offered\","
	    "\"agent\":\"a1\",\"customer\":\"cu1\",\"priority\":7,"
	    "\"arrived_ms\":1000,\"entered_ms\":2000,\"callback\":true}");
	put(&b, "contacts", "k2",
	    "{\"tenant\":\"t2\",\"queue\":\"q2\",\"state\":\"queued\","
	    "\"agent\":null,\"customer\":null,\"callback\":false}");
	assert_int_equal(commit(f, &b), 0);
	assert_int_equal(f->st->ops->open_contacts(f->st, fields_h, &o), 0);
	assert_int_equal(o.n, 2);
	assert_string_equal(o.c[0].id, "k1");
	assert_non_null(o.c[0].body);
	assert_string_equal(o.c[0].tenant, "t1");
	assert_string_equal(o.c[0].queue, "q1");
	assert_string_equal(o.c[0].state, "offered");
	assert_string_equal(o.c[0].agent, "a1");
	assert_string_equal(o.c[0].customer, "cu1");
	assert_int_equal(o.c[0].priority, 7);
	assert_int_equal(o.c[0].arrived_ms, 1000);
	assert_int_equal(o.c[0].entered_ms, 2000);
	assert_true(o.c[0].callback);
	/* absent or null: NULL, 0, STORE_NO_TIME, false */
	assert_string_equal(o.c[1].state, "queued");
	assert_null(o.c[1].agent);
	assert_null(o.c[1].customer);
	assert_int_equal(o.c[1].priority, 0);
	assert_true(o.c[1].arrived_ms == STORE_NO_TIME);
	assert_true(o.c[1].entered_ms == STORE_NO_TIME);
	assert_false(o.c[1].callback);
}

static void test_contacts_newest_first_with_total(void **state)
{
	struct fx *f = *state;
	char buf[128];

	six_contacts(f);
	assert_string_equal(
		contacts(f, (struct store_contact_query){0}, buf, sizeof(buf)),
		"k6,k5,k4,k3,k2,k1 (6)");
}

static void test_contacts_filter_by_each_column(void **state)
{
	struct fx *f = *state;
	char buf[128];

	six_contacts(f);
	assert_string_equal(
		contacts(f, (struct store_contact_query){.tenant = "t1"}, buf,
			 sizeof(buf)),
		"k3,k2,k1 (3)");
	assert_string_equal(
		contacts(f, (struct store_contact_query){.queue = "q3"}, buf,
			 sizeof(buf)),
		"k5,k4 (2)");
	assert_string_equal(
		contacts(f, (struct store_contact_query){.agent = "a1"}, buf,
			 sizeof(buf)),
		"k6,k3,k1 (3)");
	assert_string_equal(
		contacts(f, (struct store_contact_query){.customer = "cu1"},
			 buf, sizeof(buf)),
		"k3,k1 (2)");
	assert_string_equal(
		contacts(f, (struct store_contact_query){.state = "completed"},
			 buf, sizeof(buf)),
		"k5,k1 (2)");
	assert_string_equal(contacts(f,
				     (struct store_contact_query){
					     .tenant = "t1", .state = "queued"},
				     buf, sizeof(buf)),
			    "k2 (1)");
	assert_string_equal(
		contacts(f, (struct store_contact_query){.agent = "nobody"},
			 buf, sizeof(buf)),
		" (0)");
}

static void test_contacts_tenant_scope(void **state)
{
	static const char *const t12[] = {"t1", "t2"};
	static const char *const t3[] = {"t3"};
	static const char *const none[] = {NULL};
	struct fx *f = *state;
	char buf[128];

	six_contacts(f);
	assert_string_equal(contacts(f,
				     (struct store_contact_query){
					     .tenants = t12, .ntenants = 2},
				     buf, sizeof(buf)),
			    "k5,k4,k3,k2,k1 (5)");
	assert_string_equal(
		contacts(f,
			 (struct store_contact_query){
				 .tenants = t3, .ntenants = 1, .agent = "a1"},
			 buf, sizeof(buf)),
		"k6 (1)");
	/* a filter outside the scope finds nothing */
	assert_string_equal(
		contacts(f,
			 (struct store_contact_query){
				 .tenants = t3, .ntenants = 1, .tenant = "t1"},
			 buf, sizeof(buf)),
		" (0)");
	assert_string_equal(contacts(f,
				     (struct store_contact_query){
					     .tenants = none, .ntenants = 0},
				     buf, sizeof(buf)),
			    " (0)");
}

static void test_contacts_created_range_excludes_to(void **state)
{
	struct fx *f = *state;
	char buf[128];

	six_contacts(f);
	assert_string_equal(
		contacts(f,
			 (struct store_contact_query){.from_ms = T_29_08 + HOUR,
						      .to_ms = T_29_08 + DAY},
			 buf, sizeof(buf)),
		"k4,k3,k2 (3)");
	assert_string_equal(
		contacts(f,
			 (struct store_contact_query){.from_ms = T_29_08 + DAY},
			 buf, sizeof(buf)),
		"k6,k5 (2)");
	assert_string_equal(
		contacts(f, (struct store_contact_query){.to_ms = T_29_08 + 1},
			 buf, sizeof(buf)),
		"k1 (1)");
	assert_string_equal(
		contacts(f,
			 (struct store_contact_query){.from_ms = T_29_08 + 1,
						      .to_ms = T_29_08 + HOUR},
			 buf, sizeof(buf)),
		" (0)");
}

static void test_contacts_limit_offset_keep_the_total(void **state)
{
	struct fx *f = *state;
	char buf[128];

	six_contacts(f);
	assert_string_equal(
		contacts(f,
			 (struct store_contact_query){.limit = 2, .offset = 1},
			 buf, sizeof(buf)),
		"k5,k4 (6)");
	assert_string_equal(
		contacts(f,
			 (struct store_contact_query){.limit = 10, .offset = 5},
			 buf, sizeof(buf)),
		"k1 (6)");
	assert_string_equal(
		contacts(f,
			 (struct store_contact_query){.limit = 10, .offset = 6},
			 buf, sizeof(buf)),
		" (6)");
	assert_string_equal(contacts(f,
				     (struct store_contact_query){
					     .tenant = "t1", .limit = 1},
				     buf, sizeof(buf)),
			    "k3 (3)");
}

static void test_contacts_filters_are_values_not_sql(void **state)
{
	struct fx *f = *state;
	char buf[128];

	six_contacts(f);
	assert_string_equal(contacts(f,
				     (struct store_contact_query){
					     .tenant = "t1' OR '1'='1"},
				     buf, sizeof(buf)),
			    " (0)");
}

/* ---- customers and their identities ---- */

static void three_customers(struct fx *f)
{
	struct store_batch b = {0};

	put(&b, "customers", "cu1",
	    "{\"tenant\":\"t1\",\"phones\":[\"+33100000001\"],"
	    "\"emails\":[\"ann@example.com\",\"a@example.org\"]}");
	put(&b, "customers", "cu2",
	    "{\"tenant\":\"t1\",\"phones\":[\"+33100000002\"],\"emails\":[]}");
	put(&b, "customers", "cu3",
	    "{\"tenant\":\"t2\",\"phones\":[\"+33100000001\"]}");
	assert_int_equal(commit(f, &b), 0);
}

/* Runs a customers query; "ids (total)". */
static const char *customers(struct fx *f, const char *const *tenants,
			     size_t ntenants, const char *kind,
			     const char *value, size_t limit, size_t offset,
			     char *buf, size_t size)
{
	struct got g = {0};
	size_t total = 12345, len;

	struct store_customer_query cq = {
		.tenants = tenants,
		.ntenants = ntenants,
		.kind = kind,
		.value = value,
		.limit = limit,
		.offset = offset,
	};

	assert_int_equal(f->st->ops->customers(f->st, &cq, row_h, &g, &total),
			 0);
	ids(&g, buf, size);
	len = strlen(buf);
	snprintf(buf + len, size - len, " (%zu)", total);
	return buf;
}

static void test_customers_found_by_phone_and_email(void **state)
{
	static const char *const t1[] = {"t1"};
	struct fx *f = *state;
	char buf[128];

	three_customers(f);
	assert_string_equal(customers(f, NULL, 0, "phone", "+33100000001", 50,
				      0, buf, sizeof(buf)),
			    "cu1,cu3 (2)");
	assert_string_equal(customers(f, t1, 1, "phone", "+33100000001", 50, 0,
				      buf, sizeof(buf)),
			    "cu1 (1)");
	assert_string_equal(customers(f, NULL, 0, "email", "a@example.org", 50,
				      0, buf, sizeof(buf)),
			    "cu1 (1)");
	assert_string_equal(customers(f, NULL, 0, "email", "+33100000001", 50,
				      0, buf, sizeof(buf)),
			    " (0)");
	assert_string_equal(customers(f, NULL, 0, "phone", "+33199999999", 50,
				      0, buf, sizeof(buf)),
			    " (0)");
}

static void test_customers_list_with_scope_and_paging(void **state)
{
	static const char *const t1[] = {"t1"};
	static const char *const none[] = {NULL};
	struct fx *f = *state;
	char buf[128];

	three_customers(f);
	assert_string_equal(
		customers(f, NULL, 0, NULL, NULL, 50, 0, buf, sizeof(buf)),
		"cu1,cu2,cu3 (3)");
	assert_string_equal(
		customers(f, NULL, 0, NULL, NULL, 1, 1, buf, sizeof(buf)),
		"cu2 (3)");
	assert_string_equal(
		customers(f, t1, 1, NULL, NULL, 50, 0, buf, sizeof(buf)),
		"cu1,cu2 (2)");
	assert_string_equal(
		customers(f, none, 0, NULL, NULL, 50, 0, buf, sizeof(buf)),
		" (0)");
}

static void test_deleted_customer_loses_its_identities(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	char buf[128];

	three_customers(f);
	del(&b, "customers", "cu1");
	assert_int_equal(commit(f, &b), 0);
	assert_string_equal(customers(f, NULL, 0, "phone", "+33100000001", 50,
				      0, buf, sizeof(buf)),
			    "cu3 (1)");
	assert_string_equal(customers(f, NULL, 0, "email", "ann@example.com",
				      50, 0, buf, sizeof(buf)),
			    " (0)");
}

static void test_updated_customer_is_found_by_its_new_phone(void **state)
{
	struct fx *f = *state;
	char buf[128];

	three_customers(f);
	put1(f, "customers", "cu1",
	     "{\"tenant\":\"t1\",\"phones\":[\"+33100000009\"]}");
	assert_string_equal(customers(f, NULL, 0, "phone", "+33100000009", 50,
				      0, buf, sizeof(buf)),
			    "cu1 (1)");
}

/*
 * An update replaces the customer's identities (a trigger on UPDATE): a
 * search by an old phone no longer finds it. With INSERT OR REPLACE no
 * delete trigger fired and old phones stayed searchable.
 */
static void test_updated_customer_is_not_found_by_its_old_phone(void **state)
{
	struct fx *f = *state;
	char buf[128];

	three_customers(f);
	put1(f, "customers", "cu1",
	     "{\"tenant\":\"t1\",\"phones\":[\"+33100000009\"]}");
	assert_string_equal(customers(f, NULL, 0, "phone", "+33100000001", 50,
				      0, buf, sizeof(buf)),
			    "cu3 (1)");
	assert_string_equal(customers(f, NULL, 0, "email", "ann@example.com",
				      50, 0, buf, sizeof(buf)),
			    " (0)");
}

/* Customers whose names, emails or phones hold text: "ids (total)". */
static const char *search(struct fx *f, const char *const *tenants,
			  size_t ntenants, const char *text, char *buf,
			  size_t size)
{
	struct store_customer_query cq = {
		.tenants = tenants,
		.ntenants = ntenants,
		.text = text,
		.limit = 50,
	};
	struct got g = {0};
	size_t total = 12345, len;

	assert_int_equal(f->st->ops->customers(f->st, &cq, row_h, &g, &total),
			 0);
	ids(&g, buf, size);
	len = strlen(buf);
	snprintf(buf + len, size - len, " (%zu)", total);
	return buf;
}

static void named_customers(struct fx *f)
{
	struct store_batch b = {0};

	put(&b, "customers", "n1",
	    "{\"tenant\":\"t1\",\"name\":\"Ann Martin\","
	    "\"phones\":[\"+33612345678\"],\"emails\":[\"ann@acme.fr\"]}");
	put(&b, "customers", "n2",
	    "{\"tenant\":\"t1\",\"name\":\"100% Bob_Smith\","
	    "\"phones\":[],\"emails\":[\"bob@zeta.org\"]}");
	/* an email with a backslash: the escape character, taken literally */
	put(&b, "customers", "n3",
	    "{\"tenant\":\"t2\",\"name\":\"Ann Other\","
	    "\"phones\":[\"+33699999999\"],\"emails\":[\"c\\\\d@x.fr\"]}");
	assert_int_equal(commit(f, &b), 0);
}

static void test_customers_search_name_email_phone(void **state)
{
	struct fx *f = *state;
	char buf[128];

	named_customers(f);
	assert_string_equal(search(f, NULL, 0, "martin", buf, sizeof(buf)),
			    "n1 (1)");
	assert_string_equal(search(f, NULL, 0, "ANN", buf, sizeof(buf)),
			    "n1,n3 (2)");
	assert_string_equal(search(f, NULL, 0, "zeta.org", buf, sizeof(buf)),
			    "n2 (1)");
	assert_string_equal(search(f, NULL, 0, "612345", buf, sizeof(buf)),
			    "n1 (1)");
	assert_string_equal(search(f, NULL, 0, "zzzz", buf, sizeof(buf)),
			    " (0)");
}

/* q=% used to match everything: LIKE's wildcards are escaped. */
static void test_customers_search_is_literal(void **state)
{
	struct fx *f = *state;
	char buf[128];

	named_customers(f);
	assert_string_equal(search(f, NULL, 0, "%", buf, sizeof(buf)),
			    "n2 (1)");
	assert_string_equal(search(f, NULL, 0, "_", buf, sizeof(buf)),
			    "n2 (1)");
	assert_string_equal(search(f, NULL, 0, "b_s", buf, sizeof(buf)),
			    "n2 (1)");
	assert_string_equal(search(f, NULL, 0, "a%n", buf, sizeof(buf)),
			    " (0)");
	assert_string_equal(search(f, NULL, 0, "\\", buf, sizeof(buf)),
			    "n3 (1)");
	assert_string_equal(search(f, NULL, 0, "' OR 1 --", buf, sizeof(buf)),
			    " (0)");
}

static void test_customers_search_keeps_the_tenant_scope(void **state)
{
	static const char *const t1[] = {"t1"};
	static const char *const none[] = {NULL};
	struct fx *f = *state;
	char buf[128];

	named_customers(f);
	assert_string_equal(search(f, t1, 1, "ann", buf, sizeof(buf)),
			    "n1 (1)");
	assert_string_equal(search(f, t1, 1, "+33699", buf, sizeof(buf)),
			    " (0)");
	assert_string_equal(search(f, none, 0, "ann", buf, sizeof(buf)),
			    " (0)");
}

/* ---- what the API lets in, the store takes ---- */

/* {"tenant":"t1","attributes": x} with x n levels of {"a": ...} deep. */
static char *deep_body(int n)
{
	size_t size = 64 + (size_t)n * 7;
	char *t = malloc(size), *p = t;

	assert_non_null(t);
	p += sprintf(p, "{\"tenant\":\"t1\",\"attributes\":");
	for (int i = 0; i < n; i++)
		p += sprintf(p, "{\"a\":");
	p += sprintf(p, "1");
	for (int i = 0; i < n; i++)
		*p++ = '}';
	sprintf(p, "}");
	return t;
}

/*
 * Commits what jv_parse accepted, as the server would (dumped the way
 * srv_put and srv_event dump), as a customer row and as an event.
 */
static int commit_parsed(struct fx *f, const json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
	struct store_batch b = {0};

	assert_non_null(text);
	put(&b, "customers", "cu1", text);
	event(&b, f->st->ops->last_seq(f->st) + 1, 1000, "t1",
	      "customer.updated", text);
	free(text);
	return commit(f, &b);
}

/*
 * Whatever the request parser accepts, a commit takes: SQLite's JSON
 * functions (generated columns, the identities trigger) read every row
 * and event. A body 2,000 levels deep passed jansson (2,048) but not
 * SQLite, the commit failed and the server stopped; now the parser
 * refuses it. The other cases are the corners of JSON text where two
 * parsers might disagree.
 */
static void test_whatever_jv_parse_accepts_commits(void **state)
{
	static const char *const texts[] = {
		"{\"tenant\":\"t1\",\"attributes\":{\"s\":\"\\u0001\\u001f\\t"
		"\\r\\n\\b\\f\\\"\\\\\\/\\u007f\\u2028\\ud83d\\ude00é€\"}}",
		"{\"tenant\":\"t1\",\"attributes\":{\"\":1,\"$.x\":2,\"a.b\":3,"
		"\"[0]\":4,\"\\\"\":5,\"#\":6,\"\\u00e9\":7}}",
		"{\"tenant\":\"t1\",\"attributes\":{\"i\":9223372036854775807,"
		"\"j\":-9223372036854775808,\"r\":1e308,\"s\":-4.9e-324,"
		"\"t\":0.1,\"u\":-0.0,\"v\":1E+2,\"w\":12345678901234567890.5}"
		"}",
		"{\"tenant\":\"t1\",\"attributes\":{\"a\":[[],{},[{}],null,"
		"true,"
		"false,\"\"]}}",
		"{\"tenant\":\"t1\",\"phones\":[\"+33612345678\"],\"emails\":[]"
		"}",
	};
	static const int depths[] = {1,	  30,	31,   32,   100,
				     999, 1000, 1999, 2000, 2046};
	struct fx *f = *state;
	char msg[256];
	json_t *j;
	int accepted = 0;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		j = jv_parse(texts[i], strlen(texts[i]), msg, sizeof(msg));
		if (!j)
			fail_msg("refused %s: %s", texts[i], msg);
		if (commit_parsed(f, j))
			fail_msg("%s: %s", texts[i], f->st->ops->errmsg(f->st));
		json_decref(j);
	}
	for (size_t i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
		char *t = deep_body(depths[i]);

		j = jv_parse(t, strlen(t), msg, sizeof(msg));
		free(t);
		if (!j)
			continue;
		accepted++;
		if (commit_parsed(f, j))
			fail_msg("attributes %d deep: %s", depths[i],
				 f->st->ops->errmsg(f->st));
		json_decref(j);
	}
	/* the body, attributes and 30 levels inside: 32 in all */
	assert_int_equal(accepted, 3);
}

/* ---- durability ---- */

static void test_everything_survives_close_and_open(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	char buf[128];
	struct got g;

	six_events(f);
	six_contacts(f);
	three_customers(f);
	put(&b, "sessions", "s1", "{\"user\":\"u1\"}");
	put(&b, "sessions", "s2", "{\"user\":\"u2\"}");
	del(&b, "sessions", "s1");
	event(&b, 7, 7000, "t1", "session.created", "{}");
	assert_int_equal(commit(f, &b), 0);

	store_reopen(f);
	assert_int_equal(f->st->ops->last_seq(f->st), 7);
	assert_string_equal(
		query_seqs(f, &(struct store_event_query){.contact = "c1"}, buf,
			   sizeof(buf)),
		"1,2,5");
	g = rows(f, "sessions");
	assert_string_equal(ids(&g, buf, sizeof(buf)), "s2");
	assert_string_equal(
		contacts(f, (struct store_contact_query){.tenant = "t2"}, buf,
			 sizeof(buf)),
		"k5,k4 (2)");
	g = (struct got){0};
	assert_int_equal(f->st->ops->open_contacts(f->st, open_h, &g), 0);
	assert_string_equal(ids(&g, buf, sizeof(buf)), "k2,k3,k6");
	assert_string_equal(customers(f, NULL, 0, "phone", "+33100000002", 50,
				      0, buf, sizeof(buf)),
			    "cu2 (1)");

	/* and the log goes on from there */
	event(&b, 8, 8000, NULL, "x", "{}");
	assert_int_equal(commit(f, &b), 0);
	assert_int_equal(f->st->ops->last_seq(f->st), 8);
}

static void test_fsync_on_store_commits_too(void **state)
{
	struct fx *f = *state;
	struct store_batch b = {0};
	char msg[256];

	f->st->ops->close(f->st);
	assert_int_equal(
		store_sqlite_open(&f->st, f->dir, true, msg, sizeof(msg)), 0);
	event(&b, 1, 1000, NULL, "x", "{}");
	assert_int_equal(commit(f, &b), 0);
	store_reopen(f);
	assert_int_equal(f->st->ops->last_seq(f->st), 1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_migrate_twice_stays_at_the_last_version),
		T(test_rewrite_replaces_the_data_and_keeps_the_row),
		T(test_newer_schema_is_refused),
		T(test_open_creates_the_folder),
		T(test_open_in_a_missing_parent_fails_with_a_reason),
		T(test_empty_log_has_last_seq_0),
		T(test_commit_then_read_back),
		T(test_batch_copies_its_strings),
		T(test_batch_grows_past_its_first_allocation),
		T(test_row_handler_can_stop_the_walk),
		T(test_failing_commit_rolls_back_the_whole_batch),
		T(test_unknown_table_fails_the_batch),
		T(test_rows_and_get_refuse_unknown_tables),
		T(test_put_replaces_the_body),
		T(test_updated_row_keeps_its_place),
		T(test_delete_removes_the_row),
		T(test_put_and_delete_in_one_batch_apply_in_order),
		T(test_events_after_and_until),
		T(test_events_time_range_excludes_to),
		T(test_events_of_one_contact),
		T(test_events_of_some_tenants),
		T(test_events_limit),
		T(test_event_handler_can_stop_the_walk),
		T(test_events_by_prefix_newest_first),
		T(test_events_by_type_page_by_sequence),
		T(test_events_by_type_filters),
		T(test_events_by_type_scope),
		T(test_type_index_migrates_an_existing_log),
		T(test_stat_events_read_the_counted_fields),
		T(test_open_contacts_are_the_non_terminal_ones),
		T(test_open_contacts_give_the_fields_a_restart_needs),
		T(test_contacts_newest_first_with_total),
		T(test_contacts_filter_by_each_column),
		T(test_contacts_tenant_scope),
		T(test_contacts_created_range_excludes_to),
		T(test_contacts_limit_offset_keep_the_total),
		T(test_contacts_filters_are_values_not_sql),
		T(test_customers_found_by_phone_and_email),
		T(test_customers_list_with_scope_and_paging),
		T(test_deleted_customer_loses_its_identities),
		T(test_updated_customer_is_found_by_its_new_phone),
		T(test_updated_customer_is_not_found_by_its_old_phone),
		T(test_customers_search_name_email_phone),
		T(test_customers_search_is_literal),
		T(test_customers_search_keeps_the_tenant_scope),
		T(test_whatever_jv_parse_accepts_commits),
		T(test_everything_survives_close_and_open),
		T(test_fsync_on_store_commits_too),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
