/*
 * web — the HTTP side of the server on libre: a request context, a route
 * table with role checks, and the replies (JSON, errors, CSV, text).
 *
 * A handler runs on the loop and must answer exactly once, now or later
 * (after a commit or a store query): the context outlives the handler and
 * is freed by the reply. Every error has the same shape:
 *   {"error":{"code":"not_found","message":"no queue 42"}}
 * The code is stable; the message is in the request's language (r->lang):
 * web_error()'s format is a msgid (lang.h) that lang/<code>.json
 * translates, so a call site writes English and needs nothing else.
 */
#ifndef RELAIS_WEB_H
#define RELAIS_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct srv;
struct user;
struct session;
struct hconn;
struct http_msg;
struct jv_field;

enum role {
	ROLE_ADMIN = 0,
	ROLE_SUPERVISOR,
	ROLE_AGENT,
	ROLE_CLIENT,
	ROLE_INTEGRATION,
	ROLE_MAX,
};

#define R_ADMIN	      (1u << ROLE_ADMIN)
#define R_SUPERVISOR  (1u << ROLE_SUPERVISOR)
#define R_AGENT	      (1u << ROLE_AGENT)
#define R_CLIENT      (1u << ROLE_CLIENT)
#define R_INTEGRATION (1u << ROLE_INTEGRATION)
#define R_ANY	      0x1fu
#define R_PUBLIC      0u /* no authentication */

#define WEB_BODY_MAX (64 * 1024)

struct hreq {
	struct srv *srv;
	struct web *web;
	struct hconn *conn;
	const struct http_msg *msg; /* only while the handler runs */
	char method[8];
	char path[512];
	char *query; /* the raw query string, or NULL */
	json_t *body;
	/* {id} and the like, in order (the first two; read a third's value
	 * from path) */
	char params[2][64];
	struct user *user;
	struct session *sess;
	bool cookie; /* authenticated by cookie (CSRF applies) */
	bool csv;    /* the client prefers text/csv */
	uint64_t t0_us;
	char extra[320];    /* more response headers, "Name: v\r\n"... */
	char peer[64];	    /* the client's address */
	struct hreq *next;  /* waiting for a commit */
	struct hreq *qnext; /* the next request of the same connection */
	struct mbuf *out;   /* the answer, held until those before it left */
	size_t head_end;    /* where out's empty line after the head starts */
	bool answered;
	bool dropped;	    /* no answer: the connection became a WebSocket */
	char bad_param[32]; /* a query parameter that did not fit */
	/* The language of the answer's messages (a code of lang.h, static):
	 * from Accept-Language, English without it; web_set_lang() changes
	 * it (the user's preference, once users have one). */
	const char *lang;
	json_t *held; /* the reply held until then */
	int held_status;
};

typedef void(route_h)(struct hreq *r);

struct route {
	const char *method;
	const char *pattern; /* /api/v1/queues/{id} */
	route_h *h;
	unsigned roles;	 /* R_* bits; R_PUBLIC for no authentication */
	size_t body_max; /* the largest body; 0: WEB_BODY_MAX */
	/*
	 * Or a limit that depends on the request: from the path's {x}
	 * segments (a contact's tenant's attachment limit). NULL: body_max.
	 */
	size_t (*body_limit)(struct srv *s, const char params[2][64]);
	/* The body is not JSON: the handler reads r->msg's bytes (a file). */
	bool raw;
};

/* A route with the default body limit (WEB_BODY_MAX). */
#define WEB_ROUTE(m, p, fn, r)                                 \
	{                                                      \
		.method = m, .pattern = p, .h = fn, .roles = r \
	}

/*
 * The routes of every module (module.h), in module order: the route after
 * rt (NULL: the first), *m being the module's index (start at 0); NULL at
 * the end.
 */
const struct route *web_route_next(size_t *m, const struct route *rt);
/* Every route into out (at most max); their count, which may pass max.
 * `relais routes`. */
size_t web_routes_list(const struct route **out, size_t max);

/*
 * The route for method and path, its {x} segments copied into params;
 * NULL when none (path_known: some route has the path, another method).
 */
const struct route *web_route_lookup(const char *method, const char *path,
				     char params[2][64], bool *path_known);

/*
 * The HTTP layer of server s: its requests in order per connection and
 * the count of its answers. Its handlers below take it as their arg.
 */
struct web;
int web_new(struct web **wp, struct srv *s);
/* Answers of status class cls (1 to 5) so far, for /metrics. */
uint64_t web_responses(const struct web *w, int cls);

/* The connection layer's handlers (hconn.h; arg: the struct web): a
 * request, its largest body, a request refused by the framing. */
void web_request(struct hconn *conn, const struct http_msg *msg, void *arg);
size_t web_body_max(const struct http_msg *msg, void *arg);
void web_conn_error(struct hconn *conn, int status, const char *why, void *arg);

void web_json(struct hreq *r, int status, json_t *body); /* steals body */
void web_error(struct hreq *r, int status, const char *code, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));
/* web_error() whose error object also carries the members of more (a
 * JSON object, stolen; NULL for none): {"field": "steps[0].filter"}. */
void web_error_with(struct hreq *r, int status, const char *code, json_t *more,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void web_text(struct hreq *r, int status, const char *ctype, const char *text,
	      size_t len);
void web_no_content(struct hreq *r);
/*
 * A file's answer: headers ("Name: v\r\n"... after r->extra), len bytes
 * of body, none sent when no_body (HEAD) or for a 304.
 */
void web_file(struct hreq *r, int status, const char *ctype, const char *body,
	      size_t len, const char *headers, bool no_body);
/* Frees w and the requests still waiting for an answer (at shutdown). */
void web_free(struct web *w);
/* Frees a request that gets no reply (its connection became a socket). */
void web_drop(struct hreq *r);

/*
 * Query string parameter, decoded into buf; NULL when absent. A value
 * that does not fit in buf (or is malformed) also gives NULL and marks
 * the request: its answer becomes a 400 naming the parameter, so a
 * filter too long is never taken as no filter.
 */
const char *web_query(struct hreq *r, const char *name, char *buf, size_t size);
/* limit/offset of a list; replies 400 itself and returns -1 when bad. */
int web_paging(struct hreq *r, size_t *limit, size_t *offset, size_t max);

/* Common errors. */
void web_forbidden(struct hreq *r);
void web_not_found(struct hreq *r, const char *what, const char *id);
void web_bad_field(struct hreq *r, int rc, const char *msg);
/*
 * jv_check() of obj against fields in the request's language; on a
 * refusal, answers 400 (web_bad_field) and returns its nonzero result.
 */
int web_check(struct hreq *r, const json_t *obj, const struct jv_field *fields,
	      bool create);
/* The answer's language from now on: pref as lang_pick() reads it ("fr",
 * "fr_FR"); NULL keeps the current one. */
void web_set_lang(struct hreq *r, const char *pref);

#endif
