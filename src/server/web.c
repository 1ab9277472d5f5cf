/*
 * HTTP plumbing on libre: turn a request into a struct hreq, find its
 * route, authenticate and check the role, run the handler, and write the
 * replies with the same headers and error shape everywhere.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "server/libre.h"

#include "core/hmap.h"
#include "lang/lang.h"
#include "model/jv.h"
#include "model/utctime.h"
#include "server/hconn.h"
#include "server/log.h"
#include "server/module.h"
#include "server/web.h"
#include "server/webpath.h"

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 408:
		return "Request Timeout";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 415:
		return "Unsupported Media Type";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return status < 500 ? "Error" : "Internal Server Error";
	}
}

static void hreq_free(struct hreq *r)
{
	free(r->query);
	json_decref(r->body);
	json_decref(r->held);
	mem_deref(r->out);
	mem_deref(r->conn);
	free(r);
}

/*
 * The requests of one connection in arrival order. Answers leave in that
 * order even when a later request is answered first (a pipelining client
 * sends a POST that waits for its commit, then a GET answered at once).
 */
struct connq {
	struct hconn *conn;
	struct hreq *head, *tail;
};

/* The HTTP layer's state: the connections' lines, the answers' count. */
struct web {
	struct srv *srv;   /* handed to the handlers (r->srv) */
	struct hmap conns; /* hconn -> its requests in order (connq) */
	uint64_t by_class[6];
};

int web_new(struct web **wp, struct srv *s)
{
	struct web *w = calloc(1, sizeof(*w));

	if (!w)
		return ENOMEM;
	w->srv = s;
	*wp = w;
	return 0;
}

uint64_t web_responses(const struct web *w, int cls)
{
	return w && cls >= 0 && cls <= 5 ? w->by_class[cls] : 0;
}

static bool connq_eq(const void *val, const void *key)
{
	return ((const struct connq *)val)->conn == key;
}

static uint64_t conn_hash(const struct hconn *conn)
{
	return hmap_hash_u64((uint64_t)(uintptr_t)conn);
}

static int connq_add(struct web *w, struct hreq *r)
{
	struct connq *q =
		hmap_get(&w->conns, conn_hash(r->conn), connq_eq, r->conn);

	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q || hmap_put(&w->conns, conn_hash(r->conn), q)) {
			free(q);
			return ENOMEM;
		}
		q->conn = r->conn;
	}
	if (q->tail)
		q->tail->qnext = r;
	else
		q->head = r;
	q->tail = r;
	return 0;
}

/*
 * Hands an answer to the connection. The last answer of a connection that
 * closes says so: known only now, when the answers before it are gone.
 */
static void send_answer(struct hreq *r)
{
	struct mbuf *mb = r->out, *closing;

	if (!mb || !hconn_closing(r->conn) || hconn_pending(r->conn) > 1) {
		hconn_reply(r->conn, mb);
		return;
	}
	closing = mbuf_alloc(mb->end + 24);
	if (!closing || mbuf_write_mem(closing, mb->buf, r->head_end) ||
	    mbuf_write_str(closing, "Connection: close\r\n") ||
	    mbuf_write_mem(closing, mb->buf + r->head_end,
			   mb->end - r->head_end)) {
		mem_deref(closing);
		hconn_reply(r->conn, mb);
		return;
	}
	closing->pos = 0;
	hconn_reply(r->conn, closing);
	mem_deref(closing);
}

/* Sends the answers at the head of the connection's line. */
static void connq_drain(struct web *w, struct hconn *conn)
{
	struct connq *q = hmap_get(&w->conns, conn_hash(conn), connq_eq, conn);
	struct hreq *r;

	while (q && (r = q->head) && r->answered) {
		q->head = r->qnext;
		if (!q->head)
			q->tail = NULL;
		if (!r->dropped)
			send_answer(r);
		hreq_free(r);
	}
	if (q && !q->head) {
		hmap_del(&w->conns, conn_hash(conn), connq_eq, conn);
		free(q);
	}
}

void web_free(struct web *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < hmap_span(&w->conns); i++) {
		struct connq *q = hmap_at(&w->conns, i);
		struct hreq *r, *next;

		if (!q)
			continue;
		for (r = q->head; r; r = next) {
			next = r->qnext;
			hreq_free(r);
		}
		free(q);
	}
	hmap_reset(&w->conns);
	free(w);
}

static void finish(struct hreq *r, int status)
{
	struct hconn *conn = r->conn;
	int cls = status / 100;

	r->web->by_class[cls >= 1 && cls <= 5 ? cls : 0]++;
	if (log_enabled(LOG_DEBUG) || status >= 500)
		log_write(status >= 500 ? LOG_ERROR : LOG_DEBUG, "http",
			  "method=%s path=%s status=%d us=%llu", r->method,
			  r->path, status,
			  (unsigned long long)(now_us() - r->t0_us));
	r->answered = true;
	connq_drain(r->web, conn);
}

void web_drop(struct hreq *r)
{
	r->answered = true;
	r->dropped = true;
	connq_drain(r->web, r->conn);
}

/* A parameter the handler read did not fit: refuse, never answer as if
 * it were absent (an unfiltered list). */
static bool bad_param_answer(struct hreq *r);

/*
 * The answer: status line, headers (extra and more: "Name: v\r\n"...,
 * or NULL; Cache-Control: no-store unless they set one), and len bytes
 * of body (none sent for a HEAD or a 304: body may be NULL).
 */
static void send_answer_full(struct hreq *r, int status, const char *ctype,
			     const char *body, size_t len, const char *extra,
			     const char *more, bool no_body)
{
	bool cache = (extra && strstr(extra, "Cache-Control:")) ||
		     (more && strstr(more, "Cache-Control:"));

	r->out = mbuf_alloc(512 + (no_body ? 0 : len));
	if (!r->out)
		return;
	if (mbuf_printf(r->out,
			"HTTP/1.1 %u %s\r\n"
			"Content-Type: %s\r\n"
			"Content-Length: %zu\r\n"
			"%s"
			"X-Content-Type-Options: nosniff\r\n"
			"%s%s",
			status, reason(status), ctype, len,
			cache ? "" : "Cache-Control: no-store\r\n",
			extra ? extra : "", more ? more : "")) {
		r->out = mem_deref(r->out);
		return;
	}
	r->head_end = r->out->end;
	if (mbuf_write_str(r->out, "\r\n") ||
	    (!no_body && mbuf_write_mem(r->out, (const uint8_t *)body, len)))
		r->out = mem_deref(r->out);
	else
		r->out->pos = 0;
}

static void send_reply(struct hreq *r, int status, const char *ctype,
		       const char *body, size_t len, const char *extra)
{
	send_answer_full(r, status, ctype, body, len, extra, NULL, false);
}

void web_file(struct hreq *r, int status, const char *ctype, const char *body,
	      size_t len, const char *headers, bool no_body)
{
	send_answer_full(r, status, ctype, body, status == 304 ? 0 : len,
			 r->extra, headers, no_body || status == 304);
	finish(r, status);
}

void web_text(struct hreq *r, int status, const char *ctype, const char *text,
	      size_t len)
{
	if (bad_param_answer(r))
		return;
	send_reply(r, status, ctype, text, len, NULL);
	finish(r, status);
}

static void web_json_extra(struct hreq *r, int status, json_t *body,
			   const char *extra)
{
	static const char oom[] = "{\"error\":{\"code\":\"internal\","
				  "\"message\":\"out of memory\"}}";
	char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15));

	json_decref(body);
	if (!text) {
		send_reply(r, 500, "application/json", oom, sizeof(oom) - 1,
			   NULL);
		finish(r, 500);
		return;
	}
	if (!extra && r->extra[0])
		extra = r->extra;
	send_reply(r, status, "application/json", text, strlen(text), extra);
	free(text);
	finish(r, status);
}

void web_json(struct hreq *r, int status, json_t *body)
{
	if (bad_param_answer(r)) {
		json_decref(body);
		return;
	}
	if (status == 204) {
		json_decref(body);
		web_no_content(r);
		return;
	}
	web_json_extra(r, status, body, NULL);
}

void web_no_content(struct hreq *r)
{
	if (bad_param_answer(r))
		return;
	r->out = mbuf_alloc(256);
	if (r->out && !mbuf_printf(r->out,
				   "HTTP/1.1 204 No Content\r\n"
				   "Cache-Control: no-store\r\n"
				   "%s"
				   "Content-Length: 0\r\n",
				   r->extra)) {
		r->head_end = r->out->end;
		if (mbuf_write_str(r->out, "\r\n"))
			r->out = mem_deref(r->out);
		else
			r->out->pos = 0;
	} else {
		r->out = mem_deref(r->out);
	}
	finish(r, 204);
}

/* Length of the valid UTF-8 sequence at p (0: not one). */
static size_t utf8_seq(const unsigned char *p)
{
	size_t n;
	uint32_t c;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

static bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p; p += n)
		if (!(n = utf8_seq(p)))
			return false;
	return true;
}

/*
 * Messages quote what the client sent (an id, a parameter): bytes that
 * are not UTF-8 become '?', or JSON could not carry the message.
 */
static void utf8_clean(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t n = utf8_seq(p);

		if (!n)
			*p++ = '?';
		else
			p += n;
	}
}

static void error_v(struct hreq *r, int status, const char *code, json_t *more,
		    const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

static void error_v(struct hreq *r, int status, const char *code, json_t *more,
		    const char *fmt, va_list ap)
{
	char msg[512];
	const char *extra = r->extra[0] ? r->extra : NULL;
	json_t *err;

	vsnprintf(msg, sizeof(msg), lang_get(r->lang, fmt), ap);
	utf8_clean(msg);
	if (status == 429 && !extra)
		extra = "Retry-After: 60\r\n";
	if (status == 401 && !extra)
		extra = "WWW-Authenticate: Bearer\r\n";
	r->bad_param[0] = '\0';
	err = json_pack("{s:s,s:s}", "code", code, "message", msg);
	if (err && more)
		json_object_update_missing(err, more);
	json_decref(more);
	web_json_extra(r, status, json_pack("{s:o*}", "error", err), extra);
}

void web_error(struct hreq *r, int status, const char *code, const char *fmt,
	       ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_v(r, status, code, NULL, fmt, ap);
	va_end(ap);
}

void web_error_with(struct hreq *r, int status, const char *code, json_t *more,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_v(r, status, code, more, fmt, ap);
	va_end(ap);
}

static bool bad_param_answer(struct hreq *r)
{
	if (!r->bad_param[0])
		return false;
	web_error(r, 400, "invalid_field",
		  "%s: the value is too long, malformed or not UTF-8",
		  r->bad_param);
	return true;
}

void web_forbidden(struct hreq *r)
{
	web_error(r, 403, "forbidden", "your role may not do this");
}

void web_not_found(struct hreq *r, const char *what, const char *id)
{
	web_error(r, 404, "not_found", "no %s %s", what, id);
}

void web_bad_field(struct hreq *r, int rc, const char *msg)
{
	web_error(r, 400, rc == -2 ? "unknown_field" : "invalid_field", "%s",
		  msg);
}

int web_check(struct hreq *r, const json_t *obj, const struct jv_field *fields,
	      bool create)
{
	char msg[256];
	int rc = jv_check_lang(r->lang, obj, fields, create, msg, sizeof(msg));

	if (rc)
		web_bad_field(r, rc, msg);
	return rc;
}

void web_set_lang(struct hreq *r, const char *pref)
{
	if (pref)
		r->lang = lang_pick(pref);
}

/* ---- query strings ---- */

/*
 * Percent-decodes src[0..n) into buf; false when too long, malformed or
 * not UTF-8 (every value a handler reads can go into JSON as it is).
 */
static bool url_decode(const char *src, size_t n, char *buf, size_t size)
{
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)src[i];

		if (c == '%') {
			c = webpath_pct(src + i, n - i);
			if (c < 0)
				return false;
			i += 2;
			if (!c)
				return false;
		} else if (c == '+') {
			c = ' ';
		}
		if (j + 1 >= size)
			return false;
		buf[j++] = (char)c;
	}
	buf[j] = '\0';
	return utf8_valid(buf);
}

const char *web_query(struct hreq *r, const char *name, char *buf, size_t size)
{
	const char *p = r->query;
	size_t nlen = strlen(name);

	while (p && *p) {
		const char *amp = strchr(p, '&');
		const char *end = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));

		if (eq && (size_t)(eq - p) == nlen && !memcmp(p, name, nlen)) {
			if (url_decode(eq + 1, (size_t)(end - eq - 1), buf,
				       size))
				return buf;
			snprintf(r->bad_param, sizeof(r->bad_param), "%s",
				 name);
			return NULL;
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

static bool parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	v = strtoull(s, &end, 10);
	if (*end || v > 1000000000ull)
		return false;
	*out = (size_t)v;
	return true;
}

int web_paging(struct hreq *r, size_t *limit, size_t *offset, size_t max)
{
	char buf[32];
	const char *l = web_query(r, "limit", buf, sizeof(buf));

	*limit = 50;
	*offset = 0;
	if (l && (!parse_size(l, limit) || !*limit || *limit > max)) {
		web_error(r, 400, "invalid_field",
			  "limit: expected an integer from 1 to %zu", max);
		return -1;
	}
	l = web_query(r, "offset", buf, sizeof(buf));
	if (l && !parse_size(l, offset)) {
		web_error(r, 400, "invalid_field",
			  "offset: expected an integer >= 0");
		return -1;
	}
	return 0;
}

/* ---- routing ---- */

/* Matches path against pattern, capturing {x} segments. */
static bool route_match(const char *pattern, const char *path,
			char params[2][64])
{
	int np = 0;

	while (*pattern && *path) {
		if (*pattern == '{') {
			const char *pe = strchr(pattern, '}');
			size_t len = strcspn(path, "/");

			if (!pe || !len || len >= 64)
				return false;
			if (np < 2) { /* a third: the handler reads r->path */
				memcpy(params[np], path, len);
				params[np][len] = '\0';
			}
			np++;
			pattern = pe + 1;
			path += len;
			continue;
		}
		if (*pattern++ != *path++)
			return false;
	}
	return !*pattern && !*path;
}

/*
 * Every %-escape is two hex digits and not %00. Returns NULL, or the
 * first parameter with a bad one (its name copied into name).
 */
static const char *query_invalid(const char *q, char *name, size_t size)
{
	const char *start = q;

	for (; *q; q++) {
		if (*q == '&')
			start = q + 1;
		if (*q != '%')
			continue;
		if (!isxdigit((unsigned char)q[1]) ||
		    !isxdigit((unsigned char)q[2]) ||
		    (q[1] == '0' && q[2] == '0')) {
			size_t len = strcspn(start, "=&");

			snprintf(name, size, "%.*s",
				 (int)(len < size ? len : size - 1), start);
			return name;
		}
		q += 2;
	}
	return NULL;
}

/* 405 with the Allow header: the methods the path has. */
static void method_not_allowed(struct hreq *r)
{
	char allow[96] = "", p[2][64];
	size_t len;

	size_t m = 0;

	for (const struct route *rt = web_route_next(&m, NULL); rt;
	     rt = web_route_next(&m, rt)) {
		if (!route_match(rt->pattern, r->path, p) ||
		    strstr(allow, rt->method))
			continue;
		len = strlen(allow);
		snprintf(allow + len, sizeof(allow) - len, "%s%s",
			 len ? ", " : "", rt->method);
	}
	snprintf(r->extra, sizeof(r->extra), "Allow: %s\r\n", allow);
	web_error(r, 405, "method_not_allowed", "%s is not allowed on %s",
		  r->method, r->path);
}

static bool body_method(const char *m)
{
	return !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH");
}

struct langs {
	char buf[256];
	size_t len;
};

static bool langs_add(const struct http_hdr *hdr, void *arg)
{
	struct langs *l = arg;

	if (l->len + 1 + hdr->val.l < sizeof(l->buf)) {
		l->buf[l->len++] = ',';
		memcpy(l->buf + l->len, hdr->val.p, hdr->val.l);
		l->len += hdr->val.l;
	}
	return false;
}

/* libre splits Accept-Language at its commas, one entry per language:
 * they are joined again (up to 256 bytes) for lang_accept(). */
static const char *accept_language(const struct http_msg *msg)
{
	struct langs l = {.len = 0};

	http_msg_hdr_apply(msg, true, HTTP_HDR_ACCEPT_LANGUAGE, langs_add, &l);
	return lang_accept(l.buf, l.len);
}

/* Copies what the handler needs out of libre's message. */
static int hreq_fill(struct hreq *r, const struct http_msg *msg)
{
	const struct http_hdr *acc;

	if (msg->met.l >= sizeof(r->method) || msg->path.l >= sizeof(r->path))
		return 414;
	pl_strcpy(&msg->met, r->method, sizeof(r->method));
	pl_strcpy(&msg->path, r->path, sizeof(r->path));
	if (pl_isset(&msg->prm) && msg->prm.l > 1) {
		/* prm includes the leading '?' */
		r->query = malloc(msg->prm.l);
		if (!r->query)
			return 500;
		memcpy(r->query, msg->prm.p + 1, msg->prm.l - 1);
		r->query[msg->prm.l - 1] = '\0';
	}
	acc = http_msg_hdr(msg, HTTP_HDR_ACCEPT);
	if (acc && memmem(acc->val.p, acc->val.l, "text/csv", 8))
		r->csv = true;
	r->lang = accept_language(msg);
	return 0;
}

static bool parse_body(struct hreq *r, const struct http_msg *msg)
{
	char err[256];
	size_t len = mbuf_get_left(msg->mb);

	if (!body_method(r->method))
		return true;
	if (!len) {
		r->body = json_object();
		return true;
	}
	if (pl_isset(&msg->ctyp.type) &&
	    (pl_strcasecmp(&msg->ctyp.type, "application") ||
	     pl_strcasecmp(&msg->ctyp.subtype, "json"))) {
		web_error(r, 415, "unsupported_media_type",
			  "send the body as application/json");
		return false;
	}
	r->body = jv_parse_lang(r->lang, (const char *)mbuf_buf(msg->mb), len,
				err, sizeof(err));
	if (!r->body) {
		web_error(r, 400, "invalid_json", "%s", err);
		return false;
	}
	return true;
}

const struct route *web_route_next(size_t *m, const struct route *rt)
{
	if (rt && (++rt)->method)
		return rt;
	if (rt)
		(*m)++;
	for (; srv_modules[*m]; (*m)++) {
		rt = srv_modules[*m]->routes;
		if (rt && rt->method)
			return rt;
	}
	return NULL;
}

size_t web_routes_list(const struct route **out, size_t max)
{
	size_t m = 0, n = 0;

	for (const struct route *rt = web_route_next(&m, NULL); rt;
	     rt = web_route_next(&m, rt), n++)
		if (n < max)
			out[n] = rt;
	return n;
}

const struct route *web_route_lookup(const char *method, const char *path,
				     char params[2][64], bool *path_known)
{
	const struct route *rt;
	size_t m = 0;

	*path_known = false;
	for (rt = web_route_next(&m, NULL); rt; rt = web_route_next(&m, rt)) {
		char p[2][64];

		if (!route_match(rt->pattern, path, p))
			continue;
		*path_known = true;
		if (strcmp(rt->method, method))
			continue;
		memcpy(params, p, sizeof(p));
		return rt;
	}
	return NULL;
}

static const struct route *find_route(struct hreq *r, bool *path_known)
{
	return web_route_lookup(r->method, r->path, r->params, path_known);
}

/*
 * The modules' access phase (module.h): every module that has one lets
 * the request through, and at least one does (fail closed).
 */
static bool access_granted(struct hreq *r, unsigned roles)
{
	bool checked = false;

	for (size_t i = 0; srv_modules[i]; i++) {
		if (!srv_modules[i]->access)
			continue;
		if (!srv_modules[i]->access(r, roles))
			return false;
		checked = true;
	}
	if (!checked)
		web_error(r, 500, "internal", "no module checks access");
	return checked;
}

/* A request no route takes, to the modules that may answer it. */
static bool fallback(struct hreq *r)
{
	for (size_t i = 0; srv_modules[i]; i++)
		if (srv_modules[i]->fallback && srv_modules[i]->fallback(r))
			return true;
	return false;
}

/* The largest body of a request: its route's, before a byte is read. */
size_t web_body_max(const struct http_msg *msg, void *arg)
{
	char method[8], path[512], p[2][64];
	const struct route *rt;
	struct web *w = arg;
	bool known;

	if (msg->met.l >= sizeof(method) || msg->path.l >= sizeof(path))
		return 0;
	pl_strcpy(&msg->met, method, sizeof(method));
	pl_strcpy(&msg->path, path, sizeof(path));
	if (!body_method(method))
		return 0;
	rt = web_route_lookup(method, path, p, &known);
	if (rt && rt->body_limit)
		return rt->body_limit(w->srv, (const char(*)[64])p);
	return rt && rt->body_max ? rt->body_max : WEB_BODY_MAX;
}

static struct hreq *hreq_new(struct web *w, struct hconn *conn)
{
	struct hreq *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->web = w;
	r->srv = w->srv;
	r->conn = mem_ref(conn);
	r->lang = lang_pick(NULL);
	r->t0_us = now_us();
	if (connq_add(w, r)) {
		mem_deref(r->conn);
		free(r);
		return NULL;
	}
	re_snprintf(r->peer, sizeof(r->peer), "%j", hconn_peer(conn));
	return r;
}

static const char *status_code(int status)
{
	switch (status) {
	case 408:
		return "request_timeout";
	case 413:
		return "payload_too_large";
	case 414:
		return "uri_too_long";
	case 431:
		return "header_fields_too_large";
	case 501:
		return "not_implemented";
	case 505:
		return "http_version_not_supported";
	default:
		return "bad_request";
	}
}

void web_conn_error(struct hconn *conn, int status, const char *why, void *arg)
{
	struct hreq *r = hreq_new(arg, conn);

	if (!r) {
		hconn_reply(conn, NULL);
		return;
	}
	snprintf(r->method, sizeof(r->method), "-");
	web_error(r, status, status_code(status), "%s", why);
}

void web_request(struct hconn *conn, const struct http_msg *msg, void *arg)
{
	struct hreq *r = hreq_new(arg, conn);
	const struct route *rt;
	char bad[64];
	bool known;
	int st;

	if (!r) {
		hconn_reply(conn, NULL);
		return;
	}
	r->msg = msg; /* valid while the handler runs */
	st = hreq_fill(r, msg);
	if (st) {
		web_error(r, st, "bad_request", "the request is too long");
		return;
	}
	rt = find_route(r, &known);
	if (!rt && !known && fallback(r))
		return;
	if (!rt) {
		if (known)
			method_not_allowed(r);
		else
			web_error(r, 404, "not_found", "no route %s", r->path);
		return;
	}
	if (r->query && query_invalid(r->query, bad, sizeof(bad))) {
		web_error(r, 400, "invalid_field", "%s: malformed %%-escape",
			  bad);
		return;
	}
	if (rt->roles != R_PUBLIC && !access_granted(r, rt->roles))
		return;
	if (!rt->raw && !parse_body(r, msg))
		return;
	rt->h(r);
	/* r may be gone: the handler answered or keeps it. */
}
