/*
 * The SQLite store: one connection, used only by the store's worker
 * thread; WAL journal; synchronous=FULL so that a commit is on disk when
 * it returns (the group commit makes requests share that fsync).
 *
 * Readers (store_sqlite_open_reader) are other, read-only connections on
 * their own threads: in WAL mode a reader sees the last commit made before
 * its read began and never waits for the writer, nor the writer for it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "store/store.h"

const char *const store_tables[] = {
	"tenants",   "sites",	     "skills",	  "agents",    "queues",
	"calendars", "dispositions", "users",	  "sessions",  "contacts",
	"customers", "login_limits", "responses", "mailboxes", "gateways",
	"numbers",   "widgets",	     "visitors",  "flows",     "phones",
	NULL,
};

/*
 * Migrations, applied in order; never edit one that has shipped, add the
 * next. Indexed columns of the JSON tables are generated from the body.
 */
static const char *const migrations[] = {
	/* 1: the event log, the configuration, the projections. */
	"CREATE TABLE events ("
	" seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, tenant TEXT,"
	" type TEXT NOT NULL, data TEXT NOT NULL,"
	" contact TEXT GENERATED ALWAYS AS (json_extract(data, '$.contact'))"
	" VIRTUAL);"
	"CREATE INDEX events_time ON events(time);"
	"CREATE INDEX events_contact ON events(contact) WHERE contact IS NOT "
	"NULL;"
	"CREATE TABLE tenants (id TEXT PRIMARY KEY, body TEXT NOT NULL);"
	"CREATE TABLE sites (id TEXT PRIMARY KEY, body TEXT NOT NULL);"
	"CREATE TABLE skills (id TEXT PRIMARY KEY, body TEXT NOT NULL);"
	"CREATE TABLE agents (id TEXT PRIMARY KEY, body TEXT NOT NULL);"
	"CREATE TABLE queues (id TEXT PRIMARY KEY, body TEXT NOT NULL);"
	"CREATE TABLE calendars (id TEXT PRIMARY KEY, body TEXT NOT NULL);"
	"CREATE TABLE dispositions (id TEXT PRIMARY KEY, body TEXT NOT NULL);"
	"CREATE TABLE users (id TEXT PRIMARY KEY, body TEXT NOT NULL);"
	"CREATE TABLE sessions (id TEXT PRIMARY KEY, body TEXT NOT NULL);"
	"CREATE TABLE contacts (id TEXT PRIMARY KEY, body TEXT NOT NULL,"
	" tenant TEXT GENERATED ALWAYS AS (json_extract(body, '$.tenant')),"
	" queue TEXT GENERATED ALWAYS AS (json_extract(body, '$.queue')),"
	" agent TEXT GENERATED ALWAYS AS (json_extract(body, '$.agent')),"
	" customer TEXT GENERATED ALWAYS AS (json_extract(body, '$.customer')),"
	" state TEXT GENERATED ALWAYS AS (json_extract(body, '$.state')),"
	" created TEXT GENERATED ALWAYS AS (json_extract(body, "
	"'$.created_at')));"
	"CREATE INDEX contacts_tenant ON contacts(tenant, created);"
	"CREATE INDEX contacts_customer ON contacts(customer);"
	"CREATE INDEX contacts_agent ON contacts(agent, created);"
	"CREATE INDEX contacts_state ON contacts(state);"
	"CREATE TABLE customers (id TEXT PRIMARY KEY, body TEXT NOT NULL,"
	" tenant TEXT GENERATED ALWAYS AS (json_extract(body, '$.tenant')));"
	"CREATE INDEX customers_tenant ON customers(tenant);"
	"CREATE TABLE identities (tenant TEXT NOT NULL, kind TEXT NOT NULL,"
	" value TEXT NOT NULL, customer TEXT NOT NULL);"
	"CREATE INDEX identities_value ON identities(tenant, kind, value);"
	"CREATE INDEX identities_customer ON identities(customer);"
	"CREATE TRIGGER customers_ident_ins AFTER INSERT ON customers BEGIN"
	" INSERT INTO identities SELECT new.tenant, 'phone', value, new.id"
	"  FROM json_each(new.body, '$.phones');"
	" INSERT INTO identities SELECT new.tenant, 'email', value, new.id"
	"  FROM json_each(new.body, '$.emails');"
	" END;"
	"CREATE TRIGGER customers_ident_del AFTER DELETE ON customers BEGIN"
	" DELETE FROM identities WHERE customer = old.id;"
	" END;"
	"CREATE TRIGGER customers_ident_upd AFTER UPDATE OF body ON customers"
	" BEGIN"
	" DELETE FROM identities WHERE customer = old.id;"
	" INSERT INTO identities SELECT new.tenant, 'phone', value, new.id"
	"  FROM json_each(new.body, '$.phones');"
	" INSERT INTO identities SELECT new.tenant, 'email', value, new.id"
	"  FROM json_each(new.body, '$.emails');"
	" END;",
	/* 2: the login limits (auth.c), so that a restart keeps them. */
	"CREATE TABLE login_limits (id TEXT PRIMARY KEY, body TEXT NOT NULL);",
	/* 3: the log by type, newest first (the audit trail). */
	"CREATE INDEX events_type ON events(type, seq);",
	/* 4: canned responses, a kind of the configuration */
	"CREATE TABLE responses (id TEXT PRIMARY KEY, body TEXT NOT NULL);",
	/* 5: the email channel's mailboxes, a kind of the configuration */
	"CREATE TABLE mailboxes (id TEXT PRIMARY KEY, body TEXT NOT NULL);",
	/* 6: the SMS channel's gateways and numbers, kinds of the
	 * configuration */
	"CREATE TABLE gateways (id TEXT PRIMARY KEY, body TEXT NOT NULL);"
	" CREATE TABLE numbers"
	" (id TEXT PRIMARY KEY, body TEXT NOT NULL);",
	/* 7: the web chat's entry points (a kind of the configuration) and
	 * its visitors' tokens (their hashes) */
	("CREATE TABLE widgets (id TEXT PRIMARY KEY, body TEXT NOT NULL);"
	 "CREATE TABLE visitors (id TEXT PRIMARY KEY, body TEXT NOT NULL);"),
	/* 8: the voice channel's IVR flows, a kind of the configuration */
	"CREATE TABLE flows (id TEXT PRIMARY KEY, body TEXT NOT NULL);",
	/* 9: the agents' SIP logins (the voice channel's phones kind) */
	"CREATE TABLE phones (id TEXT PRIMARY KEY, body TEXT NOT NULL);",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

const int store_sqlite_schema = NMIGRATIONS;

#define NTABLES 32

struct sqlite_store {
	struct store base;
	sqlite3 *db;
	sqlite3_stmt *ins_event, *rewrite, *begin, *commit, *rollback;
	sqlite3_stmt *put[NTABLES], *del[NTABLES]; /* by store_tables index */
	char msg[256];
};

static int fail(struct sqlite_store *s, int rc)
{
	snprintf(s->msg, sizeof(s->msg), "%s", sqlite3_errmsg(s->db));
	return rc == SQLITE_FULL ? ENOSPC : rc == SQLITE_BUSY ? EBUSY : EIO;
}

static int exec(struct sqlite_store *s, const char *sql)
{
	char *em = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &em);

	if (rc != SQLITE_OK) {
		snprintf(s->msg, sizeof(s->msg), "%s", em ? em : "error");
		sqlite3_free(em);
		return EIO;
	}
	return 0;
}

static int prepare(struct sqlite_store *s, const char *sql, sqlite3_stmt **stp)
{
	int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				    stp, NULL);

	return rc == SQLITE_OK ? 0 : fail(s, rc);
}

static void sq_close(struct store *st)
{
	struct sqlite_store *s = (struct sqlite_store *)st;

	for (int i = 0; i < NTABLES; i++) {
		sqlite3_finalize(s->put[i]);
		sqlite3_finalize(s->del[i]);
	}
	sqlite3_finalize(s->ins_event);
	sqlite3_finalize(s->rewrite);
	sqlite3_finalize(s->begin);
	sqlite3_finalize(s->commit);
	sqlite3_finalize(s->rollback);
	sqlite3_close(s->db);
	free(s);
}

static int user_version(struct sqlite_store *s)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int sq_migrate(struct store *st, int *version)
{
	struct sqlite_store *s = (struct sqlite_store *)st;
	char sql[64];
	int v = user_version(s), err;

	if (v < 0)
		return fail(s, SQLITE_ERROR);
	if (v > NMIGRATIONS) {
		snprintf(s->msg, sizeof(s->msg),
			 "the data folder has schema version %d; this relais "
			 "knows up to %d",
			 v, NMIGRATIONS);
		return EPROTO;
	}
	for (; v < NMIGRATIONS; v++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		err = exec(s, "BEGIN IMMEDIATE");
		if (!err)
			err = exec(s, migrations[v]);
		if (!err)
			err = exec(s, sql);
		if (!err)
			err = exec(s, "COMMIT");
		if (err) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return err;
		}
	}
	*version = v;
	return 0;
}

static int table_index(const char *t)
{
	for (int i = 0; store_tables[i]; i++)
		if (!strcmp(store_tables[i], t))
			return i;
	return -1;
}

static bool known_table(const char *t)
{
	return table_index(t) >= 0;
}

static int apply_event(struct sqlite_store *s, const struct store_op *op)
{
	sqlite3_stmt *st;
	int rc;

	/* Prepared on first use: the table exists once migrated. */
	if (!s->ins_event &&
	    prepare(s,
		    "INSERT INTO events (seq, time, tenant, type, data) "
		    "VALUES (?1, ?2, ?3, ?4, ?5)",
		    &s->ins_event))
		return EIO;
	st = s->ins_event;

	sqlite3_bind_int64(st, 1, op->seq);
	sqlite3_bind_int64(st, 2, op->time_ms);
	if (op->tenant)
		sqlite3_bind_text(st, 3, op->tenant, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_text(st, 4, op->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, op->body, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : fail(s, rc);
}

/* Row writes go through the table's own cached statement. */
static int apply_row(struct sqlite_store *s, const struct store_op *op)
{
	int t = table_index(op->table), rc;
	sqlite3_stmt **stp;
	char sql[128];

	if (t < 0 || t >= NTABLES) {
		snprintf(s->msg, sizeof(s->msg), "unknown table %s", op->table);
		return EINVAL;
	}
	stp = op->kind == STORE_PUT ? &s->put[t] : &s->del[t];
	if (!*stp) {
		/* an upsert keeps the row (its place, its rowid) and fires
		 * the update triggers, where REPLACE would delete and
		 * re-insert */
		if (op->kind == STORE_PUT)
			snprintf(sql, sizeof(sql),
				 "INSERT INTO %s (id, body) VALUES (?1, ?2) ON "
				 "CONFLICT(id) DO UPDATE SET body = "
				 "excluded.body",
				 op->table);
		else
			snprintf(sql, sizeof(sql),
				 "DELETE FROM %s WHERE id = ?1", op->table);
		if (prepare(s, sql, stp))
			return EIO;
	}
	sqlite3_bind_text(*stp, 1, op->id, -1, SQLITE_STATIC);
	if (op->kind == STORE_PUT)
		sqlite3_bind_text(*stp, 2, op->body, -1, SQLITE_STATIC);
	rc = sqlite3_step(*stp);
	sqlite3_reset(*stp);
	sqlite3_clear_bindings(*stp);
	return rc == SQLITE_DONE ? 0 : fail(s, rc);
}

static int step_done(struct sqlite_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : fail(s, rc);
}

/* A redaction: the event's data replaced, its row kept (store.h). */
static int apply_rewrite(struct sqlite_store *s, const struct store_op *op)
{
	if (!s->rewrite &&
	    prepare(s, "UPDATE events SET data = ?2 WHERE seq = ?1",
		    &s->rewrite))
		return EIO;
	sqlite3_bind_int64(s->rewrite, 1, op->seq);
	sqlite3_bind_text(s->rewrite, 2, op->body, -1, SQLITE_STATIC);
	return step_done(s, s->rewrite);
}

static int sq_commit(struct store *st, const struct store_batch *b)
{
	struct sqlite_store *s = (struct sqlite_store *)st;
	int err = step_done(s, s->begin);

	for (size_t i = 0; !err && i < b->n; i++) {
		const struct store_op *op = &b->ops[i];

		err = op->kind == STORE_EVENT	  ? apply_event(s, op)
		      : op->kind == STORE_REWRITE ? apply_rewrite(s, op)
						  : apply_row(s, op);
	}
	if (!err)
		err = step_done(s, s->commit);
	if (err)
		step_done(s, s->rollback);
	return err;
}

static int64_t sq_last_seq(struct store *st)
{
	struct sqlite_store *s = (struct sqlite_store *)st;
	sqlite3_stmt *q;
	int64_t seq = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT max(seq) FROM events", -1, &q,
			       NULL))
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		seq = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return seq;
}

/* Runs a prepared query whose columns are (id, body). */
static int each_row(struct sqlite_store *s, sqlite3_stmt *q, store_row_h *h,
		    void *arg)
{
	int rc, ret = 0;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		ret = h((const char *)sqlite3_column_text(q, 0),
			(const char *)sqlite3_column_text(q, 1), arg);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = fail(s, rc);
	sqlite3_finalize(q);
	return ret;
}

static int sq_rows(struct store *st, const char *table, store_row_h *h,
		   void *arg)
{
	struct sqlite_store *s = (struct sqlite_store *)st;
	sqlite3_stmt *q;
	char sql[96];
	int err;

	if (!known_table(table))
		return EINVAL;
	snprintf(sql, sizeof(sql), "SELECT id, body FROM %s ORDER BY rowid",
		 table);
	err = prepare(s, sql, &q);
	return err ? err : each_row(s, q, h, arg);
}

static int sq_get(struct store *st, const char *table, const char *id,
		  store_row_h *h, void *arg)
{
	struct sqlite_store *s = (struct sqlite_store *)st;
	sqlite3_stmt *q;
	char sql[96];
	int err;

	if (!known_table(table))
		return EINVAL;
	snprintf(sql, sizeof(sql), "SELECT id, body FROM %s WHERE id = ?1",
		 table);
	err = prepare(s, sql, &q);
	if (err)
		return err;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
	return each_row(s, q, h, arg);
}

static const char *col_text(sqlite3_stmt *q, int i)
{
	return (const char *)sqlite3_column_text(q, i);
}

static int64_t col_int(sqlite3_stmt *q, int i, int64_t absent)
{
	return sqlite3_column_type(q, i) == SQLITE_INTEGER
		       ? sqlite3_column_int64(q, i)
		       : absent;
}

/*
 * The fields come from SQLite's JSON functions (the generated columns and
 * json_extract), which parse each body once per row without allocating:
 * several times faster than building it as a jansson object.
 */
static int sq_open_contacts(struct store *st, store_open_contact_h *h,
			    void *arg)
{
	struct sqlite_store *s = (struct sqlite_store *)st;
	struct store_open_contact c;
	sqlite3_stmt *q;
	int rc, ret = prepare(s,
			      "SELECT id, body, tenant, queue, state, agent, "
			      "customer, json_extract(body, '$.priority'), "
			      "json_extract(body, '$.arrived_ms'), "
			      "json_extract(body, '$.entered_ms'), "
			      "json_extract(body, '$.callback') FROM contacts "
			      "WHERE state IN ('queued', 'offered', 'active', "
			      "'wrapup', 'callback-pending') ORDER BY rowid",
			      &q);

	if (ret)
		return ret;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		c = (struct store_open_contact){
			.id = col_text(q, 0),
			.body = col_text(q, 1),
			.tenant = col_text(q, 2),
			.queue = col_text(q, 3),
			.state = col_text(q, 4),
			.agent = col_text(q, 5),
			.customer = col_text(q, 6),
			.priority = col_int(q, 7, 0),
			.arrived_ms = col_int(q, 8, STORE_NO_TIME),
			.entered_ms = col_int(q, 9, STORE_NO_TIME),
			.callback = col_int(q, 10, 0) != 0,
		};
		ret = h(&c, arg);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = fail(s, rc);
	sqlite3_finalize(q);
	return ret;
}

/* Appends "AND col IN (?, ?...)" for a tenant scope; binds later. */
static void scope_sql(char *sql, size_t size, const char *col, size_t n)
{
	size_t len = strlen(sql);

	snprintf(sql + len, size - len, " AND %s IN (", col);
	for (size_t i = 0; i < n; i++) {
		len = strlen(sql);
		snprintf(sql + len, size - len, i ? ",?" : "?");
	}
	len = strlen(sql);
	snprintf(sql + len, size - len, ")");
}

struct binder {
	sqlite3_stmt *q;
	int i;
};

static void bind_text(struct binder *b, const char *v)
{
	sqlite3_bind_text(b->q, ++b->i, v, -1, SQLITE_TRANSIENT);
}

static void bind_scope(struct binder *b, const char *const *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bind_text(b, t[i]);
}

static int count_query(struct sqlite_store *s, const char *sql,
		       void (*bind)(struct binder *, const void *),
		       const void *arg, size_t *total)
{
	struct binder b = {0};
	int err = prepare(s, sql, &b.q);

	if (err)
		return err;
	bind(&b, arg);
	*total = sqlite3_step(b.q) == SQLITE_ROW
			 ? (size_t)sqlite3_column_int64(b.q, 0)
			 : 0;
	sqlite3_finalize(b.q);
	return 0;
}

static void contact_where(char *sql, size_t size,
			  const struct store_contact_query *cq)
{
	const char *cols[] = {"tenant", "queue", "agent", "customer", "state"};
	const char *vals[] = {cq->tenant, cq->queue, cq->agent, cq->customer,
			      cq->state};
	size_t len;

	snprintf(sql + strlen(sql), size - strlen(sql), " WHERE 1");
	for (int i = 0; i < 5; i++) {
		len = strlen(sql);
		if (vals[i])
			snprintf(sql + len, size - len, " AND %s = ?", cols[i]);
	}
	if (cq->tenants)
		scope_sql(sql, size, "tenant", cq->ntenants);
	len = strlen(sql);
	if (cq->from_ms)
		snprintf(sql + len, size - len,
			 " AND created >= strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', "
			 "?/1000.0, 'unixepoch')");
	len = strlen(sql);
	if (cq->to_ms)
		snprintf(sql + len, size - len,
			 " AND created < strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', "
			 "?/1000.0, 'unixepoch')");
}

static void contact_bind(struct binder *b, const void *arg)
{
	const struct store_contact_query *cq = arg;
	const char *vals[] = {cq->tenant, cq->queue, cq->agent, cq->customer,
			      cq->state};

	for (int i = 0; i < 5; i++)
		if (vals[i])
			bind_text(b, vals[i]);
	if (cq->tenants)
		bind_scope(b, cq->tenants, cq->ntenants);
	if (cq->from_ms)
		sqlite3_bind_int64(b->q, ++b->i, cq->from_ms);
	if (cq->to_ms)
		sqlite3_bind_int64(b->q, ++b->i, cq->to_ms);
}

static int sq_contacts(struct store *st, const struct store_contact_query *cq,
		       store_row_h *h, void *arg, size_t *total)
{
	struct sqlite_store *s = (struct sqlite_store *)st;
	struct binder b = {0};
	char sql[1024] = "SELECT count(*) FROM contacts";
	int err;

	contact_where(sql, sizeof(sql), cq);
	err = count_query(s, sql, contact_bind, cq, total);
	if (err)
		return err;
	strcpy(sql, "SELECT id, body FROM contacts");
	contact_where(sql, sizeof(sql), cq);
	snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql),
		 " ORDER BY created DESC, rowid DESC LIMIT %zu OFFSET %zu",
		 cq->limit, cq->offset);
	err = prepare(s, sql, &b.q);
	if (err)
		return err;
	contact_bind(&b, cq);
	return each_row(s, b.q, h, arg);
}

/*
 * The LIKE pattern of a literal substring: '%' and '_' (and the escape
 * character itself) are escaped, so that q=% finds a percent sign, not
 * everything. NULL when out of memory; the caller frees it.
 */
static char *like_pattern(const char *text)
{
	char *pat = malloc(2 * strlen(text) + 3), *p = pat;

	if (!pat)
		return NULL;
	*p++ = '%';
	for (; *text; text++) {
		if (*text == '%' || *text == '_' || *text == '\\')
			*p++ = '\\';
		*p++ = *text;
	}
	*p++ = '%';
	*p = '\0';
	return pat;
}

struct cust_bind {
	const struct store_customer_query *cq;
	char *pattern;
};

static void cust_where(char *sql, size_t size,
		       const struct store_customer_query *cq)
{
	snprintf(sql + strlen(sql), size - strlen(sql), " WHERE 1");
	if (cq->kind)
		snprintf(sql + strlen(sql), size - strlen(sql),
			 " AND id IN (SELECT customer FROM identities WHERE "
			 "kind = ? AND value = ?)");
	/* the identities hold the phones and emails of each customer */
	if (cq->text)
		snprintf(sql + strlen(sql), size - strlen(sql),
			 " AND (json_extract(body, '$.name') LIKE ? ESCAPE "
			 "'\\' OR id IN (SELECT customer FROM identities WHERE "
			 "value LIKE ? ESCAPE '\\'))");
	if (cq->tenants)
		scope_sql(sql, size, "tenant", cq->ntenants);
}

static void cust_bind(struct binder *b, const void *arg)
{
	const struct cust_bind *cb = arg;
	const struct store_customer_query *cq = cb->cq;

	if (cq->kind) {
		bind_text(b, cq->kind);
		bind_text(b, cq->value);
	}
	if (cq->text) {
		bind_text(b, cb->pattern);
		bind_text(b, cb->pattern);
	}
	if (cq->tenants)
		bind_scope(b, cq->tenants, cq->ntenants);
}

static int sq_customers(struct store *st, const struct store_customer_query *cq,
			store_row_h *h, void *arg, size_t *total)
{
	struct sqlite_store *s = (struct sqlite_store *)st;
	struct cust_bind cb = {cq, NULL};
	struct binder b = {0};
	char sql[1024] = "SELECT count(*) FROM customers";
	int err;

	if (cq->text && !(cb.pattern = like_pattern(cq->text)))
		return ENOMEM;
	cust_where(sql, sizeof(sql), cq);
	err = count_query(s, sql, cust_bind, &cb, total);
	if (err)
		goto out;
	strcpy(sql, "SELECT id, body FROM customers");
	cust_where(sql, sizeof(sql), cq);
	snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql),
		 " ORDER BY rowid LIMIT %zu OFFSET %zu", cq->limit, cq->offset);
	err = prepare(s, sql, &b.q);
	if (err)
		goto out;
	cust_bind(&b, &cb);
	err = each_row(s, b.q, h, arg);
out:
	free(cb.pattern);
	return err;
}

/*
 * Hands each row of q (seq, time, tenant, type, data, and with topics the
 * data's queue and agent) to h until it returns non-zero; finalizes q.
 */
static int each_event(struct sqlite_store *s, sqlite3_stmt *q, bool topics,
		      store_event_h *h, void *arg)
{
	struct store_event ev = {0};
	int rc, ret = 0;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		ev.seq = sqlite3_column_int64(q, 0);
		ev.time_ms = sqlite3_column_int64(q, 1);
		ev.tenant = col_text(q, 2);
		ev.type = col_text(q, 3);
		ev.data = col_text(q, 4);
		if (topics) {
			ev.queue = col_text(q, 5);
			ev.agent = col_text(q, 6);
		}
		ret = h(&ev, arg);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = fail(s, rc);
	sqlite3_finalize(q);
	return ret;
}

static int sq_events(struct store *st, const struct store_event_query *eq,
		     store_event_h *h, void *arg)
{
	struct sqlite_store *s = (struct sqlite_store *)st;
	char sql[1024] = "SELECT seq, time, tenant, type, data";
	struct binder b = {0};
	int ret;

	/* SQLite's JSON reader is cheaper than decoding every event */
	if (eq->topics)
		strcat(sql, ", json_extract(data, '$.queue'),"
			    " json_extract(data, '$.agent')");
	strcat(sql, " FROM events WHERE seq > ?");

	if (eq->until_seq)
		strcat(sql, " AND seq <= ?");
	if (eq->from_ms)
		strcat(sql, " AND time >= ?");
	if (eq->to_ms)
		strcat(sql, " AND time < ?");
	if (eq->contact)
		strcat(sql, " AND contact = ?");
	if (eq->tenants)
		scope_sql(sql, sizeof(sql), "tenant", eq->ntenants);
	strcat(sql, " ORDER BY seq");
	if (eq->limit)
		snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql),
			 " LIMIT %zu", eq->limit);
	ret = prepare(s, sql, &b.q);
	if (ret)
		return ret;
	sqlite3_bind_int64(b.q, ++b.i, eq->after_seq);
	if (eq->until_seq)
		sqlite3_bind_int64(b.q, ++b.i, eq->until_seq);
	if (eq->from_ms)
		sqlite3_bind_int64(b.q, ++b.i, eq->from_ms);
	if (eq->to_ms)
		sqlite3_bind_int64(b.q, ++b.i, eq->to_ms);
	if (eq->contact)
		bind_text(&b, eq->contact);
	if (eq->tenants)
		bind_scope(&b, eq->tenants, eq->ntenants);
	return each_event(s, b.q, eq->topics, h, arg);
}

/*
 * The upper bound of the types that start with prefix: the prefix with its
 * last byte raised ("audit." -> "audit/"), so that the range uses the
 * index where LIKE would not. A prefix ending in 0xff takes no bound.
 */
static void prefix_end(const char *prefix, char *end, size_t size)
{
	size_t n = strlen(prefix);

	snprintf(end, size, "%s", prefix);
	if (n && n < size && (unsigned char)end[n - 1] < 0xff)
		end[n - 1]++;
	else
		end[0] = '\0';
}

static void type_where(char *sql, size_t size,
		       const struct store_type_query *tq, const char *end)
{
	if (tq->prefix)
		strcat(sql, end[0] ? " AND type >= ? AND type < ?"
				   : " AND type >= ?");
	if (tq->type)
		strcat(sql, " AND type = ?");
	if (tq->before_seq)
		strcat(sql, " AND seq < ?");
	if (tq->until_seq)
		strcat(sql, " AND seq <= ?");
	if (tq->from_ms)
		strcat(sql, " AND time >= ?");
	if (tq->to_ms)
		strcat(sql, " AND time < ?");
	if (tq->tenant)
		strcat(sql, " AND tenant = ?");
	if (tq->user)
		strcat(sql, " AND (json_extract(data, '$.user') = ? OR "
			    "json_extract(data, '$.username') = ?)");
	if (!tq->tenants)
		return;
	/* a scope: its tenants' events, and its users' of no tenant */
	strcat(sql, " AND ((1");
	scope_sql(sql, size, "tenant", tq->ntenants);
	strcat(sql, ") OR (tenant IS NULL");
	scope_sql(sql, size, "json_extract(data, '$.user')", tq->nusers);
	strcat(sql, "))");
}

static void type_bind(struct binder *b, const struct store_type_query *tq,
		      const char *end)
{
	if (tq->prefix)
		bind_text(b, tq->prefix);
	if (tq->prefix && end[0])
		bind_text(b, end);
	if (tq->type)
		bind_text(b, tq->type);
	if (tq->before_seq)
		sqlite3_bind_int64(b->q, ++b->i, tq->before_seq);
	if (tq->until_seq)
		sqlite3_bind_int64(b->q, ++b->i, tq->until_seq);
	if (tq->from_ms)
		sqlite3_bind_int64(b->q, ++b->i, tq->from_ms);
	if (tq->to_ms)
		sqlite3_bind_int64(b->q, ++b->i, tq->to_ms);
	if (tq->tenant)
		bind_text(b, tq->tenant);
	if (tq->user) {
		bind_text(b, tq->user);
		bind_text(b, tq->user);
	}
	if (tq->tenants) {
		bind_scope(b, tq->tenants, tq->ntenants);
		bind_scope(b, tq->users, tq->nusers);
	}
}

static int sq_events_by_type(struct store *st,
			     const struct store_type_query *tq,
			     store_event_h *h, void *arg)
{
	struct sqlite_store *s = (struct sqlite_store *)st;
	/* the filters, and one ",?" per name of the scope */
	size_t size = 1024 + 2 * (tq->ntenants + tq->nusers);
	char *sql = malloc(size), end[64] = "";
	struct binder b = {0};
	int ret;

	if (!sql)
		return ENOMEM;
	snprintf(sql, size,
		 "SELECT seq, time, tenant, type, data FROM events "
		 "WHERE 1");
	if (tq->prefix)
		prefix_end(tq->prefix, end, sizeof(end));
	type_where(sql, size, tq, end);
	snprintf(sql + strlen(sql), size - strlen(sql), " ORDER BY seq DESC");
	if (tq->limit)
		snprintf(sql + strlen(sql), size - strlen(sql), " LIMIT %zu",
			 tq->limit);
	ret = prepare(s, sql, &b.q);
	free(sql);
	if (ret)
		return ret;
	type_bind(&b, tq, end);
	return each_event(s, b.q, false, h, arg);
}

static int sq_stat_events(struct store *st, int64_t from_ms,
			  const char *const *types, size_t ntypes,
			  store_stat_event_h *h, void *arg)
{
	struct sqlite_store *s = (struct sqlite_store *)st;
	char sql[1024] = "SELECT time, tenant, type, "
			 "json_extract(data, '$.queue'), "
			 "json_extract(data, '$.entered'), "
			 "json_extract(data, '$.wait_ms'), "
			 "json_extract(data, '$.talk_ms'), "
			 "json_extract(data, '$.wrap_ms') FROM events "
			 "WHERE time >= ?";
	struct store_stat_event ev;
	struct binder b = {0};
	int rc, ret;

	scope_sql(sql, sizeof(sql), "type", ntypes);
	strcat(sql, " ORDER BY seq");
	ret = prepare(s, sql, &b.q);
	if (ret)
		return ret;
	sqlite3_bind_int64(b.q, ++b.i, from_ms);
	bind_scope(&b, types, ntypes);
	while ((rc = sqlite3_step(b.q)) == SQLITE_ROW) {
		ev = (struct store_stat_event){
			.time_ms = sqlite3_column_int64(b.q, 0),
			.tenant = col_text(b.q, 1),
			.type = col_text(b.q, 2),
			.queue = col_text(b.q, 3),
			.entered = col_int(b.q, 4, 0) != 0,
			.wait_ms = col_int(b.q, 5, 0),
			.talk_ms = col_int(b.q, 6, 0),
			.wrap_ms = col_int(b.q, 7, 0),
		};
		ret = h(&ev, arg);
		if (ret)
			break;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = fail(s, rc);
	sqlite3_finalize(b.q);
	return ret;
}

static const char *sq_errmsg(struct store *st)
{
	return ((struct sqlite_store *)st)->msg;
}

static const struct store_ops sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.migrate = sq_migrate,
	.commit = sq_commit,
	.last_seq = sq_last_seq,
	.rows = sq_rows,
	.get = sq_get,
	.open_contacts = sq_open_contacts,
	.contacts = sq_contacts,
	.customers = sq_customers,
	.events = sq_events,
	.events_by_type = sq_events_by_type,
	.stat_events = sq_stat_events,
	.errmsg = sq_errmsg,
};

static int open_db(struct sqlite_store *s, const char *dir, bool fsync)
{
	char path[4096];
	int err;

	if (mkdir(dir, 0750) && errno != EEXIST) {
		snprintf(s->msg, sizeof(s->msg), "cannot create %s: %s", dir,
			 strerror(errno));
		return errno;
	}
	snprintf(path, sizeof(path), "%s/relais.db", dir);
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		snprintf(s->msg, sizeof(s->msg), "cannot open %s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		return EIO;
	}
	sqlite3_busy_timeout(s->db, 5000);
	err = exec(s, "PRAGMA journal_mode = WAL");
	if (!err)
		err = exec(s, fsync ? "PRAGMA synchronous = FULL"
				    : "PRAGMA synchronous = OFF");
	if (!err)
		err = exec(s, "PRAGMA foreign_keys = ON");
	/* 64 MiB of page cache: the indexes of a busy day stay in memory */
	if (!err)
		err = exec(s, "PRAGMA cache_size = -65536");
	return err;
}

int store_sqlite_open_reader(struct store **stp, const char *dir, char *msg,
			     size_t size)
{
	struct sqlite_store *s = calloc(1, sizeof(*s));
	char path[4096];
	int err = 0;

	if (!s)
		return ENOMEM;
	s->base.ops = &sqlite_ops;
	snprintf(path, sizeof(path), "%s/relais.db", dir);
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		snprintf(s->msg, sizeof(s->msg), "cannot open %s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		err = EIO;
	}
	if (!err)
		sqlite3_busy_timeout(s->db, 5000);
	/* pages are read in order once: a small cache is enough */
	if (!err)
		err = exec(s, "PRAGMA cache_size = -4096");
	if (err) {
		snprintf(msg, size, "%s", s->msg);
		sq_close(&s->base);
		return err;
	}
	*stp = &s->base;
	return 0;
}

int store_sqlite_open(struct store **stp, const char *dir, bool fsync,
		      char *msg, size_t size)
{
	struct sqlite_store *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return ENOMEM;
	s->base.ops = &sqlite_ops;
	err = open_db(s, dir, fsync);
	if (!err)
		err = prepare(s, "BEGIN IMMEDIATE", &s->begin);
	if (!err)
		err = prepare(s, "COMMIT", &s->commit);
	if (!err)
		err = prepare(s, "ROLLBACK", &s->rollback);
	if (err) {
		snprintf(msg, size, "%s", s->msg);
		sq_close(&s->base);
		return err;
	}
	*stp = &s->base;
	return 0;
}
