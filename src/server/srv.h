/*
 * srv — the running server: one libre loop owns the engine, the HTTP and
 * WebSocket connections and the in-memory state; the store's worker thread
 * does every disk access.
 *
 * How a change becomes durable (the group commit):
 *   a handler validates, changes the engine and the in-memory state, and
 *   records events and row writes in the open batch, then holds its reply
 *   with srv_reply_durable(). When no commit is running, the open batch is
 *   handed to the worker, which writes it in one transaction and fsyncs;
 *   requests arriving meanwhile fill the next batch. When the commit is
 *   done, the held replies go out and the events are pushed to the
 *   WebSocket subscribers. Nothing is acknowledged before it is on disk.
 */
#ifndef RELAIS_SRV_H
#define RELAIS_SRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/engine.h"
#include "core/hmap.h"
#include "core/metrics.h"
#include "model/jv.h"
#include "store/store.h"
#include "server/web.h"

struct srv;
struct obj;

/* A kind of configuration object: tenants, sites, queues... */
struct kind {
	const char *name; /* plural: the route and the store table */
	const char *one;  /* singular, for messages */
	const struct jv_field *fields;
	const char *unique; /* a field unique among the kind, or NULL */
	unsigned read_roles, write_roles;
	/*
	 * Checks references and applies `next` (the complete new body) to
	 * the engine; o is NULL on create. Returns 0 or an HTTP status with
	 * msg filled.
	 */
	int (*apply)(struct srv *s, struct obj *o, json_t *next, char *msg,
		     size_t size);
	/* Before a delete: 0 or 409 with msg. */
	int (*remove)(struct srv *s, struct obj *o, char *msg, size_t size);
	/* Whether user u may see the object (admin sees all). */
	bool (*visible)(struct srv *s, const struct user *u,
			const json_t *body);
	/* Fills in defaults on create. */
	void (*defaults)(json_t *body);
	/* The API view: removes secrets, adds live fields. New reference. */
	json_t *(*present)(struct srv *s, const struct obj *o);
};

struct obj {
	char id[40];
	const struct kind *kind;
	json_t *body;
	size_t idx; /* in its kindset's list */
};

struct kindset {
	const struct kind *kind;
	struct hmap map; /* id -> obj */
	struct obj **list;
	size_t n, cap;
};

enum kind_id {
	K_TENANTS = 0,
	K_SITES,
	K_SKILLS,
	K_CALENDARS,
	K_QUEUES,
	K_AGENTS,
	K_DISPOSITIONS,
	K_USERS,
	K_MAX,
};

extern const struct kind *const kinds[K_MAX];

struct user {
	char id[40];
	char username[64];
	enum role role;
	char **tenants;
	size_t ntenants;
	char **sites;
	size_t nsites;
	char agent[40];
	char hash[128]; /* Argon2id string */
};

struct session {
	char id[72]; /* hex SHA-256 of the token */
	char user[40];
	char csrf[48];
	int64_t expires_ms;
};

/* A contact the engine knows (not yet terminal), and its projection. */
struct crec {
	char id[40];
	uint64_t num; /* the engine's id */
	json_t *body; /* the projection row, also the API view: crec_body() */
	char *text;   /* a restored row not parsed yet (then body is NULL) */
	bool dirty;   /* to be written with the open batch */
	bool done;    /* terminal: dropped from memory after the commit */
};

/* An agent's time in state, for the realtime statistics. */
struct astate {
	char agent[40];
	enum agent_state state;
	char reason[32];
	int64_t since_ms;
};

struct srv_config {
	const char *data_dir;
	const char *http_addr; /* host:port */
	bool demo;
	bool traffic;	   /* demo traffic: random contacts, robot agents */
	bool fsync;	   /* false only for tests */
	bool group_commit; /* false: one commit per request (benchmarks) */
	/* HTTP connections (0: the defaults of hconn.h; the total is kept
	 * below the descriptor limit) */
	unsigned conns_max, conns_per_addr;
	uint32_t head_ms, idle_ms;
	/*
	 * Addresses of reverse proxies whose X-Forwarded-For/-Proto/-Host
	 * are believed, comma-separated, or NULL.
	 */
	const char *trusted_proxy;
	const char *web_dir; /* the web folder served at /, or NULL */
	/* Called once listening, with the base URL ("http://h:p/"). */
	void (*on_ready)(const char *url, void *arg);
	void *arg;
};

struct batch;
struct auth;

/* An event of a batch, published to the stream once committed. */
struct pub {
	int64_t seq, time_ms;
	char *tenant;
	const char *type;
	json_t *data;
	char *text; /* data serialized, as the log holds it */
};

#define SRV_MODULES_MAX 32

struct srv {
	struct srv_config cfg;
	void *mods[SRV_MODULES_MAX]; /* each module's state (module.h) */
	struct engine *eng;
	struct store *store;
	int lock_fd;	    /* the data folder's lock */
	struct worker *db;  /* the store's thread */
	struct worker *cpu; /* password hashing */
	struct hconn_sock *hs;
	char web_root[4096]; /* the web folder's real path, "" for none */
	struct tmr *eng_tmr, *tick_tmr;
	int64_t mono0_ms, utc0_ms;
	int64_t started_ms;
	bool restoring; /* engine events are not recorded */
	bool stopping;
	int64_t stop_until;    /* while stopping: the modules' grace */
	int64_t stop_deadline; /* while stopping: the end, whatever is left */

	struct kindset ks[K_MAX];
	struct hmap users_by_name; /* username -> user */
	struct hmap users;	   /* id -> user */
	struct hmap sessions;	   /* id -> session */
	struct hmap contacts;	   /* id -> crec */
	struct hmap contact_nums;  /* num -> crec */
	struct hmap identities;	   /* "tenant\tkind\tvalue" -> customer id */
	struct hmap conns;	   /* http_conn -> its requests in order */
	uint64_t next_num;

	int64_t seq;	     /* last sequence given (also the stats cache's
				generation: any event changes statistics) */
	int64_t durable_seq; /* last sequence on disk */
	struct batch *open;  /* filling */
	size_t inflight;     /* batches at the worker */

	struct auth *auth; /* login limits, the sessions' sweep */

	/* for /metrics */
	uint64_t http_by_class[6];
	uint64_t commits, commit_us_sum, events_total, ws_sent;
	uint64_t logins_ok, logins_failed;
};

/* ---- srv.c: life, clock, the commit pipeline ---- */
int srv_run(const struct srv_config *cfg);
/* Runs `relais migrate`: opens the store and applies the migrations. */
int srv_migrate(const char *data_dir, int *version, char *msg, size_t size);
int64_t srv_now(const struct srv *s); /* engine time = UTC ms, monotonic */
/* Records an event in the open batch; data is stolen. */
int64_t srv_event(struct srv *s, const char *tenant, const char *type,
		  json_t *data);
int srv_put(struct srv *s, const char *table, const char *id,
	    const json_t *body);
int srv_del(struct srv *s, const char *table, const char *id);
/* Replies once the open batch is on disk. body is stolen. */
void srv_reply_durable(struct hreq *r, int status, json_t *body);
/* Starts a commit if none is running (after any engine call). */
void srv_flush(struct srv *s);
/* Schedules the engine's next timer. */
void srv_engine_timer(struct srv *s);
/*
 * While stopping (a module's stop hook): keep the loop ms more for what
 * the module closes (the close handshakes of its connections).
 */
void srv_stop_grace(struct srv *s, int64_t ms);
void srv_uuid(char out[40]);
/* Runs fn(store, arg) on the store thread, then done(arg) on the loop. */
int srv_query(struct srv *s, void (*fn)(void *store, void *arg),
	      void (*done)(void *arg), void *arg);

/* ---- objects.c, kinds.c: configuration objects ---- */
struct obj *obj_find(struct srv *s, enum kind_id k, const char *id);
struct obj *obj_find_by(struct srv *s, enum kind_id k, const char *field,
			const char *value);
int obj_insert(struct srv *s, enum kind_id k, const char *id, json_t *body);
void obj_remove(struct srv *s, struct obj *o);
/* Loads one stored row at start-up (applies it to the engine). */
int obj_load(struct srv *s, enum kind_id k, const char *id, const char *body,
	     char *msg, size_t size);
void objects_free(struct srv *s);
/* The admin handlers (list, get, create, update, delete) for every kind. */
void api_obj_list(struct hreq *r);
void api_obj_get(struct hreq *r);
void api_obj_create(struct hreq *r);
void api_obj_update(struct hreq *r);
void api_obj_delete(struct hreq *r);
/* Creates an object from a trusted body (demo, CLI). */
int obj_create_direct(struct srv *s, enum kind_id k, json_t *body,
		      char out_id[40], char *msg, size_t size);

/* ---- auth.c: users, sessions, scope ---- */
int auth_user_load(struct srv *s, const json_t *body);
void auth_user_drop(struct srv *s, const char *id);
void auth_free(struct srv *s);
/* Authenticates a request from its headers; false: reply 401 sent. */
bool auth_request(struct hreq *r);
bool auth_sees_tenant(struct srv *s, const struct user *u, const char *t);
bool auth_sees_site(struct srv *s, const struct user *u, const char *site);
/* The tenants a user may see (copies), or NULL (all) for an admin. */
char **auth_tenants(struct srv *s, const struct user *u, size_t *n);
void auth_tenants_free(char **v, size_t n);
/*
 * auth_tenants() for a request: false when memory ran out (the 500 was
 * sent; a NULL must never be taken for "every tenant").
 */
bool auth_scope(struct hreq *r, char ***v, size_t *n);
/* At start-up, once the workers run: limits kept, dummy hash, sweep. */
int auth_init(struct srv *s);
int auth_hash(const char *password, char out[128]);
/* 0, or -1 with msg naming the rule (at least 12 characters). */
int auth_password_check(const char *password, char *msg, size_t size);
/* Ends user's sessions but keep_session (an id, may be NULL). */
void auth_sessions_end(struct srv *s, const char *user, const char *keep);
/*
 * Whether the request's Origin is this server (Host, or X-Forwarded-Host
 * from a trusted proxy). No Origin: !require (not a browser).
 */
bool auth_same_origin(const struct hreq *r, bool require);
void api_session_create(struct hreq *r);
void api_session_get(struct hreq *r);
void api_session_delete(struct hreq *r);
int auth_session_load(struct srv *s, const char *id, const char *body);
json_t *auth_user_json(struct srv *s, const struct user *u);
/* The token of a WebSocket upgrade (header, cookie or ?token=). */
struct user *auth_token_user(struct srv *s, const char *token);
/* The id of a token's live session (borrowed), or NULL. */
const char *auth_token_session(struct srv *s, const char *token);
/* Whether the session of that id exists and has not expired (a logout, a
 * password change or a deleted user ends it). */
bool auth_session_alive(struct srv *s, const char *id);
struct user *auth_user_find(struct srv *s, const char *id);
/* A hash for trusted, throw-away passwords (the demo): fast. */
int auth_hash_fast(const char *password, char out[128]);

/* ---- contacts.c, agents.c: the engine bridge, contacts, agents ---- */
void contacts_on_event(struct srv *s, const struct engine_event *ev);

/* A new contact, already validated. */
struct new_contact {
	const char *tenant, *queue, *channel;
	const char *customer; /* customer id or NULL */
	int priority;
	const json_t *attributes; /* NULL: {} */
	bool callback;
	const char *by; /* the user who created it */
};

/* Creates it and hands it to the engine. 0 or an errno value. */
int contacts_add(struct srv *s, const struct new_contact *nc,
		 struct crec **out);
int contacts_restore(struct srv *s, const struct store_open_contact *oc);
/* A contact the engine holds, or NULL. */
struct crec *contacts_find(struct srv *s, const char *id);
/* Its body, parsed on first use for a restored contact (owned by c). */
json_t *crec_body(struct crec *c);
void contacts_flush_dirty(struct srv *s);
void contacts_free(struct srv *s);
int identities_load(struct srv *s, const char *id, const char *body);
/*
 * Finds or creates the customer of a new contact from {"id"|"phone"|
 * "email","name"}; out gets its id ("" for none). 0 or an HTTP status.
 */
int customer_resolve(struct srv *s, const char *by, const char *tenant,
		     const json_t *ref, char out[40], char *msg, size_t size);
void identities_free(struct srv *s);
void api_contact_create(struct hreq *r);
void api_contact_list(struct hreq *r);
void api_contact_get(struct hreq *r);
void api_contact_accept(struct hreq *r);
void api_contact_reject(struct hreq *r);
void api_contact_complete(struct hreq *r);
void api_contact_transfer(struct hreq *r);
void api_contact_callback(struct hreq *r);
void api_contact_abandon(struct hreq *r);
void api_contact_wrapup(struct hreq *r);
void api_agent_state(struct hreq *r);
void api_agent_why(struct hreq *r);
void api_customer_create(struct hreq *r);
void api_customer_list(struct hreq *r);
void api_customer_get(struct hreq *r);
void api_customer_update(struct hreq *r);
void api_customer_contacts(struct hreq *r);
/* The contacts of one customer (after its visibility was checked). */
void api_customer_contacts_query(struct hreq *r, const char *customer,
				 const char *tenant);

/* ---- stats.c (the rest in stats.h) ---- */
/* The agent's state and since when (borrowed), or NULL. */
const struct astate *stats_agent_state(struct srv *s, const char *agent);

/* ---- demo.c, traffic.c ---- */
int demo_seed(struct srv *s);
void traffic_start(struct srv *s);
void traffic_on_event(struct srv *s, const struct engine_event *ev);
void traffic_stop(void);

#endif
