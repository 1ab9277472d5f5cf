/*
 * module — a feature of the server, plugged into the composition root.
 *
 * In the manner of Kamailio's `exports` and nginx's phases, each feature
 * (authentication, configuration objects, contacts, customers, statistics,
 * the stream, the demo traffic, and each channel to come) describes itself
 * with one struct srv_module: its routes, the hooks it wants called at
 * each phase of the server's life, and its listeners for engine events and
 * committed events. srv.c calls the hooks of every module of srv_modules[]
 * (modules.c) in order, and names no feature.
 *
 * A module keeps its state behind its own header: init() allocates it,
 * srv_module_state() finds it again, close() frees it. Every hook may be
 * NULL.
 *
 * The phases, in order:
 *   init         the store is open and the workers run; nothing is loaded
 *   load         restores the module's part of the store (table order:
 *                a module may use what an earlier one loaded)
 *   start        the server listens: timers, robots
 *   (running)    on_engine_event, before_commit, on_commit, tick
 *   stop         SIGTERM: stop producing work; commits still complete
 *   close        frees the state (also after a failed start)
 */
#ifndef RELAIS_MODULE_H
#define RELAIS_MODULE_H

#include <stdbool.h>
#include <stddef.h>

struct srv;
struct route;
struct engine_event;
struct pub;
struct hreq;
struct mbuf;

struct srv_module {
	const char *name;
	/* Its routes, ending with .method == NULL; or NULL. */
	const struct route *routes;
	/* Allocates the state (*state stays NULL for none). 0 or errno. */
	int (*init)(struct srv *s, void **state);
	/* Restores from the store at start-up. 0 or errno. */
	int (*load)(struct srv *s, void *state);
	void (*start)(struct srv *s, void *state);
	/*
	 * An event of the engine, as it happens (not while the store is
	 * replayed at start-up); what it records goes into the open batch.
	 */
	void (*on_engine_event)(struct srv *s, void *state,
				const struct engine_event *ev);
	/* Before a batch is handed to the store: write what is pending. */
	void (*before_commit)(struct srv *s, void *state);
	/* The events of a batch, once on disk. */
	void (*on_commit)(struct srv *s, void *state, const struct pub *pubs,
			  size_t n);
	void (*tick)(struct srv *s, void *state); /* once a second */
	/*
	 * The access phase of a request to a route that is not public:
	 * authenticates it and checks the route's roles (R_* bits); false:
	 * the module answered (401, 403). auth has it; a request goes on
	 * only when at least one module let it.
	 */
	bool (*access)(struct hreq *r, unsigned roles);
	/* A request no route takes: true when the module answered it. */
	bool (*fallback)(struct hreq *r);
	/* Its own lines of /metrics (Prometheus text) into mb. */
	void (*metrics)(struct srv *s, void *state, struct mbuf *mb);
	void (*stop)(struct srv *s, void *state);
	void (*close)(struct srv *s, void *state);
};

/* Every module, in load order, NULL-terminated (modules.c). */
extern const struct srv_module *const srv_modules[];

/* The state module m's init() made, or NULL. */
void *srv_module_state(const struct srv *s, const struct srv_module *m);

#endif
