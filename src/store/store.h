/*
 * store — where relais keeps what must survive a restart.
 *
 * Two kinds of data:
 * - the event log: append-only, one row per event, with a monotonic
 *   sequence assigned by the server, the UTC time, the tenant, the type and
 *   a JSON payload;
 * - tables of rows (id, JSON body): the configuration (tenants, sites,
 *   skills, agents, queues, calendars, dispositions, users), the sessions
 *   and the login limits,
 *   and the projections (contacts, customers) the server keeps consistent
 *   with the log by writing them in the same batch as the events.
 *
 * A batch is committed atomically and durably (fsync) before the server
 * answers any request whose changes it holds: that is the group commit.
 *
 * Every call happens on the store's worker thread (see worker.h), never on
 * the event loop; a reader store (read-only) is used by one other thread. The
 * interface is a table of operations so that another engine (PostgreSQL) can
 * stand beside SQLite without touching the API.
 */
#ifndef RELAIS_STORE_H
#define RELAIS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * STORE_REWRITE replaces the data of a logged event (seq) with body: the
 * only change the log ever takes, for the redaction of erased or expired
 * messages (retention.c); the row, its sequence and its type stay.
 */
enum store_op_kind { STORE_EVENT, STORE_PUT, STORE_DEL, STORE_REWRITE };

struct store_op {
	enum store_op_kind kind;
	const char *table; /* PUT, DEL: a table of store_tables[] */
	char *id;	   /* PUT, DEL */
	char *body;	 /* EVENT, REWRITE: payload; PUT: the row (JSON text) */
	int64_t seq;	 /* EVENT, REWRITE */
	int64_t time_ms; /* EVENT: UTC */
	char *tenant;	 /* EVENT: may be NULL */
	const char *type; /* EVENT: static string */
};

struct store_batch {
	struct store_op *ops;
	size_t n, cap;
	size_t events;
};

/* The tables of rows, NULL-terminated. */
extern const char *const store_tables[];

struct store_event {
	int64_t seq;
	int64_t time_ms;
	const char *tenant; /* may be NULL */
	const char *type;
	const char *data;
	/* data's "queue" and "agent" when the query asked (topics), or NULL */
	const char *queue, *agent;
};

/* Callbacks return 0 to go on, anything else to stop (and be returned). */
typedef int(store_row_h)(const char *id, const char *body, void *arg);
typedef int(store_event_h)(const struct store_event *ev, void *arg);

/*
 * A contact not in a terminal state, as a restart needs it: the row, and
 * the fields the engine takes, read by the store so that the body need not
 * be parsed (a restart with 100,000 waiting contacts parsed 50 MB of JSON).
 * Strings are borrowed for the call; NULL when absent or null.
 */
struct store_open_contact {
	const char *id, *body;
	const char *tenant, *queue, *state, *agent, *customer;
	int64_t priority;		/* 0 when absent */
	int64_t arrived_ms, entered_ms; /* STORE_NO_TIME when absent */
	bool callback;
};

#define STORE_NO_TIME INT64_MIN

typedef int(store_open_contact_h)(const struct store_open_contact *c,
				  void *arg);

/* A search of the contacts projection; NULL fields do not filter. */
struct store_contact_query {
	const char *const *tenants; /* NULL: every tenant */
	size_t ntenants;
	const char *tenant, *queue, *agent, *customer, *state;
	int64_t from_ms, to_ms; /* created_at range; 0: open */
	size_t limit, offset;
};

/*
 * A search of the customers; NULL fields do not filter. kind/value: an
 * identity ("phone" or "email", exact). text: a substring of the name, an
 * email or a phone, ASCII letters case aside; taken literally ('%' and '_'
 * are characters, not wildcards).
 */
struct store_customer_query {
	const char *const *tenants; /* NULL: every tenant */
	size_t ntenants;
	const char *kind, *value;
	const char *text;
	size_t limit, offset;
};

/* A selection of events; 0 / NULL do not filter. */
struct store_event_query {
	int64_t after_seq;
	int64_t until_seq;	/* included */
	int64_t from_ms, to_ms; /* time range, to excluded */
	const char *contact;
	const char *const *tenants; /* NULL: every tenant */
	size_t ntenants;
	size_t limit;
	bool topics; /* fill store_event.queue and agent */
};

/*
 * A page of the log by type, newest first (the audit trail): the events
 * whose type starts with prefix, or is type, with seq below before_seq.
 * 0 / NULL do not filter. user is the data's "user" or its "username".
 * With a scope (tenants not NULL), an event of no tenant is seen only
 * when its data's "user" is one of users (the users of that scope).
 * Served by the index on (type, seq): O(matching rows) at worst, and a
 * page of one type is read straight from the index.
 */
struct store_type_query {
	const char *prefix;	/* "audit." */
	const char *type;	/* exactly this type */
	int64_t before_seq;	/* excluded */
	int64_t until_seq;	/* included */
	int64_t from_ms, to_ms; /* time range, to excluded */
	const char *tenant;
	const char *user;
	const char *const *tenants; /* NULL: every tenant */
	size_t ntenants;
	const char *const *users; /* with tenants: their users */
	size_t nusers;
	size_t limit;
};

/*
 * An event as the realtime statistics count it: the fields of its data
 * read by the store, so that a restart need not parse every event of the
 * day. Strings are borrowed for the call; NULL, 0 or false when absent.
 */
struct store_stat_event {
	int64_t time_ms;
	const char *tenant, *type, *queue;
	bool entered;
	int64_t wait_ms, talk_ms, wrap_ms;
};

typedef int(store_stat_event_h)(const struct store_stat_event *ev, void *arg);

struct store;

/* The schema version store_sqlite migrates to: its number of migrations. */
extern const int store_sqlite_schema;

struct store_ops {
	const char *name;
	void (*close)(struct store *st);
	/* Applies pending migrations; *version gets the schema version. */
	int (*migrate)(struct store *st, int *version);
	int (*commit)(struct store *st, const struct store_batch *b);
	int64_t (*last_seq)(struct store *st);
	int (*rows)(struct store *st, const char *table, store_row_h *h,
		    void *arg);
	int (*get)(struct store *st, const char *table, const char *id,
		   store_row_h *h, void *arg);
	/* Contacts not in a terminal state, in the order they were made. */
	int (*open_contacts)(struct store *st, store_open_contact_h *h,
			     void *arg);
	int (*contacts)(struct store *st, const struct store_contact_query *q,
			store_row_h *h, void *arg, size_t *total);
	int (*customers)(struct store *st, const struct store_customer_query *q,
			 store_row_h *h, void *arg, size_t *total);
	int (*events)(struct store *st, const struct store_event_query *q,
		      store_event_h *h, void *arg);
	/* Events by type, newest first (struct store_type_query). */
	int (*events_by_type)(struct store *st,
			      const struct store_type_query *q,
			      store_event_h *h, void *arg);
	/* Events from from_ms on whose type is one of types, by sequence. */
	int (*stat_events)(struct store *st, int64_t from_ms,
			   const char *const *types, size_t ntypes,
			   store_stat_event_h *h, void *arg);
	const char *(*errmsg)(struct store *st);
};

struct store {
	const struct store_ops *ops;
};

/*
 * Opens (creating) the SQLite store in directory dir. fsync off is for
 * tests and benchmarks only. Returns 0 or an errno value; msg gets a
 * reason for people.
 */
int store_sqlite_open(struct store **stp, const char *dir, bool fsync,
		      char *msg, size_t size);

/*
 * Opens a read-only connection to the SQLite store of dir (which must
 * exist), for one reader thread: its reads never wait for the writer's
 * commits and never delay them (WAL). Returns 0 or an errno value.
 */
int store_sqlite_open_reader(struct store **stp, const char *dir, char *msg,
			     size_t size);

/*
 * Takes the data folder for this process (an exclusive lock on
 * DIR/relais.lock, released when the process ends): two servers, or a
 * server and `relais user add`, must never write one store. Returns the
 * lock's descriptor, or -1 with msg filled.
 */
int store_lock(const char *dir, char *msg, size_t size);

/* Batches (on the loop). The strings are copied. 0 or ENOMEM. */
int store_batch_event(struct store_batch *b, int64_t seq, int64_t time_ms,
		      const char *tenant, const char *type, const char *data);
int store_batch_put(struct store_batch *b, const char *table, const char *id,
		    const char *body);
int store_batch_del(struct store_batch *b, const char *table, const char *id);
int store_batch_rewrite(struct store_batch *b, int64_t seq, const char *data);
void store_batch_reset(struct store_batch *b);

#endif
