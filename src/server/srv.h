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
struct event;
struct mbuf;

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
	/* how long an agent has to answer an offer (0: the engine's 20 s) */
	uint32_t offer_ms;
	/*
	 * Addresses of reverse proxies whose X-Forwarded-For/-Proto/-Host
	 * are believed, comma-separated, or NULL.
	 */
	const char *trusted_proxy;
	const char *web_dir; /* the web folder served at /, or NULL */
	/* Voice (channels/voice): SIP on this host:port (UDP and TCP), or
	 * NULL for none; the SIP trunk callbacks dial out through (a SIP
	 * URI such as sip:127.0.0.1:5099), or NULL. */
	const char *sip_addr, *sip_trunk;
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
	struct tmr *eng_tmr, *tick_tmr, *flush_tmr;
	int64_t mono0_ms, utc0_ms;
	int64_t started_ms;
	bool restoring; /* engine events are not recorded */
	bool stopping;
	int64_t stop_until;    /* while stopping: the modules' grace */
	int64_t stop_deadline; /* while stopping: the end, whatever is left */

	struct web *web; /* the HTTP layer (web.h) */

	int64_t seq;	     /* last sequence given (also the stats cache's
				generation: any event changes statistics) */
	int64_t durable_seq; /* last sequence on disk */
	struct batch *open;  /* filling */
	size_t inflight;     /* batches at the worker */

	/* for /metrics */
	uint64_t commits, commit_us_sum, events_total;
};

/* ---- srv.c: life, clock, the commit pipeline ---- */
int srv_run(const struct srv_config *cfg);
/*
 * Opens the data folder as the server does (its lock, the store, every
 * module loaded) without listening, runs fn, commits what it recorded and
 * closes: how the command line changes a stopped server's data through
 * the same services as the API. fn's result, or an errno value.
 */
int srv_offline(const struct srv_config *cfg,
		int (*fn)(struct srv *s, void *arg), void *arg);
/* Runs `relais migrate`: opens the store and applies the migrations. */
int srv_migrate(const char *data_dir, int *version, char *msg, size_t size);
int64_t srv_now(const struct srv *s); /* engine time = UTC ms, monotonic */
/*
 * Records an event in the open batch, encoded by the codec (model/event.h:
 * every logged event has its type and fields there). Its sequence.
 */
int64_t srv_log(struct srv *s, const char *tenant, const struct event *e);
int srv_put(struct srv *s, const char *table, const char *id,
	    const json_t *body);
int srv_del(struct srv *s, const char *table, const char *id);
/*
 * Replaces the data of logged event seq in the open batch (the redaction
 * of erased or expired messages, store.h's STORE_REWRITE).
 */
int srv_rewrite(struct srv *s, int64_t seq, const json_t *data);
/* Replies once the open batch is on disk. body is stolen. */
void srv_reply_durable(struct hreq *r, int status, json_t *body);
/* Starts a commit if none is running (after any engine call). */
void srv_flush(struct srv *s);
/*
 * Has the open batch committed once the current work is done (at the end
 * of this turn of the loop), so that a reply held with srv_reply_durable()
 * meanwhile goes with it.
 */
void srv_commit_soon(struct srv *s);
/* Schedules the engine's next timer. */
void srv_engine_timer(struct srv *s);
/*
 * While stopping (a module's stop hook): keep the loop ms more for what
 * the module closes (the close handshakes of its connections).
 */
void srv_stop_grace(struct srv *s, int64_t ms);
void srv_uuid(char out[40]);
/* Every module's own lines of /metrics (module.h) into mb. */
void srv_metrics(struct srv *s, struct mbuf *mb);
/* Runs fn(store, arg) on the store thread, then done(arg) on the loop. */
int srv_query(struct srv *s, void (*fn)(void *store, void *arg),
	      void (*done)(void *arg), void *arg);

#endif
