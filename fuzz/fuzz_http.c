/*
 * fuzz_http — what the server does with a request before any handler
 * runs, on arbitrary bytes.
 *
 * The input is a seed byte, then the bytes of a connection, framed as the
 * server frames them (hconn.c): http_scan() reads each head from split
 * reads whose sizes the seed draws, and must agree with a scan of the
 * whole; libre's http_msg_decode() reads the head it took; the body is
 * its Content-Length bytes; the next request follows (pipelining), up to
 * four. For each request: the method and path go through
 * web_route_lookup(), the query string through web_query() with every
 * name the server asks for and every name it holds (each value also
 * through utctime_parse()), and the body through jv_parse() and, when it
 * parses, jv_check() against the field table of every kind, on create and
 * on update.
 *
 * When the first byte is '#', the rest goes straight to jv_parse() and
 * jv_check() instead: more coverage of the JSON path.
 *
 * Anything that breaks a documented promise aborts: a route of another
 * method, a parameter that is not a string or holds a '/', a decoded
 * value that overruns its buffer, a refusal without a message or with a
 * code other than -1 or -2, a time that does not survive utctime_format().
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/utctime.h"
#include "server/libre.h"

#include "server/httphead.h"
#include "model/jv.h"
#include "server/objects.h"
#include "server/srv.h"
#include "server/web.h"

#define MAX_REQUESTS  4
#define YEAR_10000_MS 253402300800000LL

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (libre_init())
		abort();
	return 0;
}

static bool is_string(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* ---- bodies ---- */

static void check_against(const json_t *body, const struct jv_field *fields,
			  bool create)
{
	char msg[256];
	int rc;

	memset(msg, 0x5a, sizeof(msg));
	rc = jv_check(body, fields, create, msg, sizeof(msg));
	if (rc == 0)
		return;
	if ((rc != -1 && rc != -2) || !is_string(msg, sizeof(msg)) || !msg[0])
		abort();
	if (rc == -2 && strncmp(msg, "unknown field: ", 15))
		abort();
}

static void check_body(const char *buf, size_t len)
{
	char msg[256];
	json_t *body;

	memset(msg, 0x5a, sizeof(msg));
	body = jv_parse(buf, len, msg, sizeof(msg));
	if (!body) {
		if (!is_string(msg, sizeof(msg)) || !msg[0])
			abort();
		return;
	}
	if (!json_is_object(body))
		abort();
	for (int k = 0; k < K_MAX; k++) {
		check_against(body, kinds[k]->fields, true);
		check_against(body, kinds[k]->fields, false);
	}
	(void)jv_str(body, "name");
	(void)jv_int(body, "priority", 0);
	(void)jv_num(body, "cost_per_hour", 0);
	(void)jv_bool(body, "last_agent", false);
	json_decref(body);
}

/* ---- query strings ---- */

static void check_time(const char *v)
{
	char buf[32];
	int64_t t = utctime_parse(v);

	if (t < 0 || t >= YEAR_10000_MS)
		return;
	utctime_format(t, buf, sizeof(buf));
	if (utctime_parse(buf) != t)
		abort();
}

static void check_param(struct hreq *r, const char *name, size_t size)
{
	char buf[256];
	const char *v;

	memset(buf, 0x5a, sizeof(buf));
	v = web_query(r, name, buf, size);
	if (!v)
		return;
	if (v != buf || !is_string(buf, size))
		abort();
	check_time(v);
}

/* The names the handlers ask for, with their buffer sizes. */
static const struct {
	const char *name;
	size_t size;
} server_params[] = {
	{"tenant", 128}, {"queue", 128},   {"agent", 128},  {"customer", 128},
	{"state", 128},	 {"from", 64},	   {"to", 64},	    {"limit", 32},
	{"offset", 32},	 {"after", 32},	   {"contact", 40}, {"phone", 128},
	{"email", 128},	 {"interval", 64}, {"group", 64},   {"token", 256},
};

static void check_query(const char *query)
{
	struct hreq r;
	const char *p;

	memset(&r, 0, sizeof(r));
	r.query = (char *)query;
	for (size_t i = 0; i < sizeof(server_params) / sizeof(server_params[0]);
	     i++)
		check_param(&r, server_params[i].name, server_params[i].size);
	/* every name the query holds, and a tiny buffer */
	for (p = query; p && *p;) {
		size_t n = strcspn(p, "=&");
		char name[64];

		if (n && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			check_param(&r, name, 256);
			check_param(&r, name, 2);
		}
		p = strchr(p, '&');
		if (p)
			p++;
	}
}

/* ---- requests ---- */

static void check_route(const char *method, const char *path)
{
	char params[2][64];
	const struct route *rt;
	bool known = false;

	memset(params, 0x5a, sizeof(params));
	rt = web_route_lookup(method, path, params, &known);
	if (!rt)
		return;
	if (!known || strcmp(rt->method, method) || !rt->h)
		abort();
	if (strchr(rt->pattern, '{') &&
	    (!is_string(params[0], sizeof(params[0])) || !params[0][0] ||
	     strchr(params[0], '/')))
		abort();
}

/* What hreq_fill() and parse_body() do with one decoded request. */
static void check_request(const struct http_msg *msg)
{
	char method[8], path[512];

	if (msg->met.l >= sizeof(method) || msg->path.l >= sizeof(path))
		return;
	pl_strcpy(&msg->met, method, sizeof(method));
	pl_strcpy(&msg->path, path, sizeof(path));
	check_route(method, path);
	if (pl_isset(&msg->prm) && msg->prm.l > 1) {
		char *query = malloc(msg->prm.l);

		if (!query)
			return;
		memcpy(query, msg->prm.p + 1, msg->prm.l - 1);
		query[msg->prm.l - 1] = '\0';
		check_query(query);
		free(query);
	}
	if (mbuf_get_left(msg->mb) && mbuf_get_left(msg->mb) <= WEB_BODY_MAX)
		check_body((const char *)mbuf_buf(msg->mb),
			   mbuf_get_left(msg->mb));
}

/*
 * Scans the head at buf[0..len) in pieces whose sizes come from seed (a
 * connection's split reads), and in one piece: both must agree, and a
 * head taken must end with its empty line.
 */
static int scan_split(const uint8_t *buf, size_t len, uint8_t seed,
		      struct http_scan *out)
{
	struct http_limits lim;
	struct http_scan whole, sc;
	const char *why;
	size_t have = 0;
	int st = HTTP_SCAN_MORE, st1;
	uint32_t x = seed | 1u;

	http_limits_default(&lim);
	http_scan_reset(&sc);
	while (st == HTTP_SCAN_MORE && have < len) {
		x = x * 1103515245u + 12345u;
		have += 1 + (x >> 16) % 64;
		if (have > len)
			have = len;
		st = http_scan(&sc, buf, have, &lim, &why);
	}
	http_scan_reset(&whole);
	st1 = http_scan(&whole, buf, len, &lim, &why);
	if (st != st1 || (st != HTTP_SCAN_MORE && !why))
		abort();
	if (st == HTTP_SCAN_DONE &&
	    (sc.head_len != whole.head_len || sc.clen != whole.clen ||
	     sc.close != whole.close || sc.head_len > len || sc.head_len < 4 ||
	     memcmp(buf + sc.head_len - 4, "\r\n\r\n", 4)))
		abort();
	*out = sc;
	return st;
}

/*
 * The next request of a connection's bytes, framed as hconn.c frames it:
 * the head checked by http_scan(), read by http_msg_decode(), the body
 * the Content-Length bytes after it. Returns the bytes used, 0 when no
 * complete request is left.
 */
static size_t next_request(const uint8_t *buf, size_t len, uint8_t seed)
{
	struct http_scan sc;
	struct http_msg *msg;
	struct mbuf *mb;
	size_t used;

	if (scan_split(buf, len, seed, &sc) != HTTP_SCAN_DONE ||
	    (uint64_t)sc.clen > len - sc.head_len)
		return 0;
	used = sc.head_len + (size_t)sc.clen;
	mb = mbuf_alloc(sc.head_len);
	if (!mb)
		return 0;
	(void)mbuf_write_mem(mb, buf + sc.skip, sc.head_len - sc.skip);
	mb->pos = 0;
	if (!http_msg_decode(&msg, mb, true)) {
		/* libre reads the method the scan checked */
		if (!msg->met.l || memchr(msg->met.p, ' ', msg->met.l))
			abort();
		mem_deref(msg->mb);
		msg->mb = mbuf_alloc(sc.clen ? (size_t)sc.clen : 1);
		if (msg->mb) {
			(void)mbuf_write_mem(msg->mb, buf + sc.head_len,
					     (size_t)sc.clen);
			msg->mb->pos = 0;
			check_request(msg);
		}
		mem_deref(msg);
	}
	mem_deref(mb);
	return used;
}

/* The first byte seeds the split reads; the rest is the connection. */
static void fuzz_http(const uint8_t *data, size_t size)
{
	uint8_t seed = size ? data[0] : 0;
	size_t used;

	if (size)
		data++, size--;
	for (int i = 0; i < MAX_REQUESTS && size; i++) {
		used = next_request(data, size, seed);
		if (!used)
			break;
		data += used;
		size -= used;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && data[0] == '#')
		check_body((const char *)data + 1, size - 1);
	else
		fuzz_http(data, size);
	return 0;
}
