/*
 * web — the parts of the HTTP plumbing that need no connection: the route
 * table and its lookup, query-string decoding, and the UTC times of the
 * API. Every route of the modules is looked up through a concrete path
 * made from its pattern, so a new route is tested the day it is added.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model/utctime.h"
#include "server/web.h"

/* The pattern with its {x} segments replaced by "id1", "id2". */
static void concrete_path(const char *pattern, char *out, size_t size)
{
	size_t n = 0;
	int np = 0;

	for (const char *p = pattern; *p && n + 4 < size;) {
		if (*p == '{') {
			n += (size_t)snprintf(out + n, size - n, "id%d", ++np);
			p = strchr(p, '}') + 1;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
}

static const struct route *lookup(const char *method, const char *path,
				  char params[2][64], bool *known)
{
	memset(params, 0x55, 2 * 64);
	return web_route_lookup(method, path, params, known);
}

/* ---- the table ---- */

static void test_every_route_resolves_with_its_own_method(void **state)
{
	char path[512], params[2][64];
	const struct route *rt;
	bool known = false;
	const struct route *all[256];
	size_t total = web_routes_list(all, 256), n = 0;

	(void)state;
	assert_true(total <= 256);
	for (; n < total; n++) {
		const struct route *r = all[n];

		concrete_path(r->pattern, path, sizeof(path));
		known = false;
		rt = lookup(r->method, path, params, &known);
		if (rt != r)
			fail_msg("%s %s (as %s) found %s %s", r->method,
				 r->pattern, path, rt ? rt->method : "nothing",
				 rt ? rt->pattern : "");
		assert_true(known);
		assert_non_null(r->h);
		if (strchr(r->pattern, '{'))
			assert_string_equal(params[0], "id1");
	}
	assert_true(n > 40);
}

static void test_no_route_is_listed_twice(void **state)
{
	const struct route *all[256];
	size_t n = web_routes_list(all, 256);

	(void)state;
	assert_true(n < 256);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (!strcmp(all[i]->method, all[j]->method) &&
			    !strcmp(all[i]->pattern, all[j]->pattern))
				fail_msg("%s %s twice", all[i]->method,
					 all[i]->pattern);
}

static void test_routes_are_under_api_v1_or_known_roots(void **state)
{
	const struct route *all[256];
	size_t n = web_routes_list(all, 256);

	(void)state;
	assert_true(n <= 256);
	for (size_t i = 0; i < n; i++) {
		const struct route *r = all[i];

		if (!strncmp(r->pattern, "/api/v1/", 8) ||
		    !strcmp(r->pattern, "/healthz") ||
		    !strcmp(r->pattern, "/metrics") ||
		    /* the web chat's loader, its frame, the demo's sites */
		    !strcmp(r->pattern, "/widget.js") ||
		    !strcmp(r->pattern, "/widget/frame") ||
		    !strncmp(r->pattern, "/demo/", 6))
			continue;
		fail_msg("unexpected root: %s", r->pattern);
	}
}

/* Kannel's callbacks are public: the gateway's secret authenticates them. */
static void test_only_health_metrics_login_stream_are_public(void **state)
{
	/* the web chat's visitor routes check the visitor's token
	 * themselves; the attachments take a visitor's or staff's */
	static const char *const pub[] = {
		"GET /healthz",
		"GET /metrics",
		"POST /api/v1/session",
		"GET /api/v1/stream",
		"GET /api/v1/sms/gateways/{id}/inbound",
		"GET /api/v1/sms/gateways/{id}/reports",
		"GET /api/v1/attachments/{id}",
		"GET /widget.js",
		"GET /widget/frame",
		"GET /api/v1/widget/{key}",
		"POST /api/v1/widget/{key}/conversations",
		"GET /api/v1/widget/conversations/{id}",
		"GET /api/v1/widget/conversations/{id}/messages",
		"POST /api/v1/widget/conversations/{id}/messages",
		"POST /api/v1/widget/conversations/{id}/typing",
		"POST /api/v1/widget/conversations/{id}/attachments",
		"POST /api/v1/widget/conversations/{id}/end",
		"POST /api/v1/widget/conversations/{id}/csat",
		"POST /api/v1/widget/conversations/{id}/transcript",
		"GET /demo/",
		"GET /demo/{id}",
	};
	const struct route *all[256];
	size_t n = web_routes_list(all, 256);
	char name[128];

	(void)state;
	for (size_t k = 0; k < n; k++) {
		const struct route *r = all[k];
		bool listed = false;

		snprintf(name, sizeof(name), "%s %s", r->method, r->pattern);
		for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
			listed |= !strcmp(name, pub[i]);
		if (listed != (r->roles == R_PUBLIC))
			fail_msg("%s: roles %#x", name, r->roles);
	}
}

/* ---- lookup ---- */

static void test_param_is_captured(void **state)
{
	char params[2][64];
	bool known = false;
	const struct route *rt;

	(void)state;
	rt = lookup("PATCH", "/api/v1/agents/7c9e-aa", params, &known);
	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/api/v1/agents/{id}");
	assert_string_equal(params[0], "7c9e-aa");
	rt = lookup("POST", "/api/v1/contacts/c-1/accept", params, &known);
	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/api/v1/contacts/{id}/accept");
	assert_string_equal(params[0], "c-1");
}

static void test_literal_segment_is_not_taken_as_a_param(void **state)
{
	char params[2][64];
	bool known = false;
	const struct route *rt;

	(void)state;
	rt = lookup("GET", "/api/v1/customers/k9/contacts", params, &known);
	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/api/v1/customers/{id}/contacts");
	assert_string_equal(params[0], "k9");
	rt = lookup("GET", "/api/v1/stats/realtime", params, &known);
	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/api/v1/stats/realtime");
}

static void test_param_of_63_bytes_is_the_longest(void **state)
{
	char path[128], id[65], params[2][64];
	bool known = false;

	(void)state;
	memset(id, 'a', 63);
	id[63] = '\0';
	snprintf(path, sizeof(path), "/api/v1/queues/%s", id);
	assert_non_null(lookup("GET", path, params, &known));
	assert_string_equal(params[0], id);

	memset(id, 'a', 64);
	id[64] = '\0';
	snprintf(path, sizeof(path), "/api/v1/queues/%s", id);
	assert_null(lookup("GET", path, params, &known));
	assert_false(known);
}

static void test_unknown_path_is_not_known(void **state)
{
	static const char *const paths[] = {
		"",
		"/",
		"/api",
		"/api/v1",
		"/api/v1/",
		"/api/v1/queue",
		"/api/v1/queuesx",
		"/api/v2/queues",
		"/API/V1/QUEUES",
		"/api/v1/contacts/c1/accept/now",
		"/api/v1/contacts/c1/hold",
		"/healthzz",
		"healthz",
	};
	char params[2][64];
	bool known = true;

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		known = true;
		assert_null(lookup("GET", paths[i], params, &known));
		if (known)
			fail_msg("%s is known", paths[i]);
	}
}

static void test_wrong_method_is_known_path(void **state)
{
	static const char *const cases[][2] = {
		{"PUT", "/api/v1/queues"},
		{"DELETE", "/api/v1/queues"},
		{"POST", "/api/v1/queues/q1"},
		{"POST", "/healthz"},
		{"GET", "/api/v1/contacts/c1/accept"},
		{"PATCH", "/api/v1/agents/a1/state"},
		{"get", "/healthz"},
		{"", "/api/v1/session"},
	};
	char params[2][64];
	bool known = false;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		known = false;
		assert_null(lookup(cases[i][0], cases[i][1], params, &known));
		if (!known)
			fail_msg("%s %s not known", cases[i][0], cases[i][1]);
	}
}

static void test_trailing_slash_is_refused(void **state)
{
	static const char *const paths[] = {
		"/healthz/",	      "/api/v1/queues/",
		"/api/v1/queues/q1/", "/api/v1/contacts/c1/accept/",
		"/api/v1/session/",
	};
	char params[2][64];
	bool known = true;

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		known = true;
		assert_null(lookup("GET", paths[i], params, &known));
		assert_false(known);
		known = true;
		assert_null(lookup("POST", paths[i], params, &known));
		if (known)
			fail_msg("%s is known", paths[i]);
	}
}

static void test_double_slash_is_refused(void **state)
{
	static const char *const paths[] = {
		"//healthz",
		"/api//v1/queues",
		"/api/v1//queues",
		"/api/v1/queues//q1",
		"/api/v1/contacts//accept",
		"/api/v1/contacts/c1//accept",
	};
	char params[2][64];
	bool known = true;

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		known = true;
		assert_null(lookup("GET", paths[i], params, &known));
		assert_false(known);
		known = true;
		assert_null(lookup("POST", paths[i], params, &known));
		if (known)
			fail_msg("%s is known", paths[i]);
	}
}

static void test_query_string_is_not_part_of_the_path(void **state)
{
	char params[2][64];
	bool known = true;

	(void)state;
	/* the server strips it before the lookup; a "?" left in is a miss */
	assert_null(lookup("GET", "/api/v1/contacts?limit=5", params, &known));
	assert_false(known);
	/* ...except inside a {id}, which takes any byte but '/' */
	assert_non_null(lookup("GET", "/api/v1/queues/q?x", params, &known));
	assert_string_equal(params[0], "q?x");
}

/* ---- query strings ---- */

static const char *query(const char *q, const char *name, char *buf,
			 size_t size)
{
	char copy[512];
	struct hreq r;

	memset(&r, 0, sizeof(r));
	if (q) {
		snprintf(copy, sizeof(copy), "%s", q);
		r.query = copy;
	}
	return web_query(&r, name, buf, size);
}

static void test_query_finds_each_parameter(void **state)
{
	const char *q = "tenant=acme&state=queued&limit=5";
	char buf[64];

	(void)state;
	assert_string_equal(query(q, "tenant", buf, sizeof(buf)), "acme");
	assert_string_equal(query(q, "state", buf, sizeof(buf)), "queued");
	assert_string_equal(query(q, "limit", buf, sizeof(buf)), "5");
	assert_null(query(q, "offset", buf, sizeof(buf)));
	assert_null(query(NULL, "tenant", buf, sizeof(buf)));
	assert_null(query("", "tenant", buf, sizeof(buf)));
}

static void test_query_name_must_match_whole(void **state)
{
	char buf[64];

	(void)state;
	assert_null(query("tenants=a&xtenant=b", "tenant", buf, sizeof(buf)));
	assert_null(query("tenant", "tenant", buf, sizeof(buf)));
	assert_string_equal(
		query("tenants=a&tenant=b", "tenant", buf, sizeof(buf)), "b");
}

static void test_query_first_occurrence_wins(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(query("a=1&a=2", "a", buf, sizeof(buf)), "1");
}

static void test_query_decodes_percent_and_plus(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(
		query("email=ann%40example.com", "email", buf, sizeof(buf)),
		"ann@example.com");
	assert_string_equal(
		query("phone=%2B33+1+23", "phone", buf, sizeof(buf)),
		"+33 1 23");
	assert_string_equal(query("t=%c3%A9", "t", buf, sizeof(buf)),
			    "\xc3\xa9");
	assert_string_equal(query("t=a=b", "t", buf, sizeof(buf)), "a=b");
	assert_string_equal(query("t=&u=1", "t", buf, sizeof(buf)), "");
}

static void test_query_refuses_bad_percent_escapes(void **state)
{
	static const char *const bad[] = {"t=%",  "t=%4",  "t=%zz", "t=%4g",
					  "t=a%", "t=%00", "t=%00x"};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (query(bad[i], "t", buf, sizeof(buf)))
			fail_msg("%s accepted", bad[i]);
	assert_string_equal(query("t=%41", "t", buf, sizeof(buf)), "A");
	assert_string_equal(query("t=x%41&u=1", "t", buf, sizeof(buf)), "xA");
}

static void test_query_refuses_a_value_longer_than_the_buffer(void **state)
{
	char buf[4];

	(void)state;
	assert_string_equal(query("t=abc", "t", buf, sizeof(buf)), "abc");
	assert_null(query("t=abcd", "t", buf, sizeof(buf)));
	assert_string_equal(query("t=%41%42%43", "t", buf, sizeof(buf)), "ABC");
}

/* ---- times ---- */

static void test_time_formats_utc_with_milliseconds(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(utctime_format(0, buf, sizeof(buf)),
			    "1970-01-01T00:00:00.000Z");
	assert_string_equal(utctime_format(1795946400123LL, buf, sizeof(buf)),
			    "2026-11-29T10:00:00.123Z");
	assert_string_equal(utctime_format(951782400000LL, buf, sizeof(buf)),
			    "2000-02-29T00:00:00.000Z");
	assert_int_equal(strlen(buf), 24);
}

static void test_time_round_trips(void **state)
{
	char buf[32];

	(void)state;
	for (int64_t ms = 0; ms < 4102444800000LL; ms += 86399999LL * 37) {
		utctime_format(ms, buf, sizeof(buf));
		if (utctime_parse(buf) != ms)
			fail_msg("%s: %lld", buf, (long long)ms);
	}
}

static void test_time_parse_variants(void **state)
{
	(void)state;
	assert_int_equal(utctime_parse("2026-11-29T10:00:00Z"),
			 1795946400000LL);
	assert_int_equal(utctime_parse("2026-11-29T10:00:00+00:00"),
			 1795946400000LL);
	assert_int_equal(utctime_parse("2026-11-29T10:00:00.5Z"),
			 1795946400500LL);
	assert_int_equal(utctime_parse("2026-11-29T10:00:00.05Z"),
			 1795946400050LL);
	assert_int_equal(utctime_parse("2026-11-29T10:00:00.1239Z"),
			 1795946400123LL);
	assert_int_equal(utctime_parse("2024-02-29T23:59:59.999Z"),
			 1709251199999LL);
}

static void test_time_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"",
		"garbage",
		"2026",
		"2026-11-29",
		"2026-11-29T10:00",
		"2026-11-29T10:00:00",	     /* no zone */
		"2026-11-29 10:00:00Z",	     /* no T */
		"2026-11-29T10:00:00z",	     /* lower-case zone */
		"2026-11-29T10:00:00+01:00", /* not UTC */
		"2026-11-29T10:00:00ZZ",
		"2026-11-29T10:00:00Z ",
		"2026-11-29T10:00:00.123",
		"2026-13-01T00:00:00Z", /* bad month */
		"2026-00-01T00:00:00Z",
		"2026-11-00T00:00:00Z",
		"2026-11-32T00:00:00Z",
		"2026-11-29T24:00:00Z",
		"2026-11-29T10:60:00Z",
		"2026-11-29T10:00:61Z",
		"2026/11/29T10:00:00Z",
		"+2026-11-29T10:00:00Z",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (utctime_parse(bad[i]) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
}

/*
 * utctime_parse() refuses fields outside the calendar: a negative hour,
 * minute or second ("10:-1:00" once gave 09:59) and a day past the month's
 * end (Feb 31 once gave March 3).
 */
static void test_time_parse_refuses_fields_out_of_the_calendar(void **state)
{
	static const char *const bad[] = {
		"2026-11-29T-1:00:00Z", "2026-11-29T10:-1:00Z",
		"2026-11-29T10:00:-1Z", "2026-02-31T00:00:00Z",
		"2026-04-31T00:00:00Z",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (utctime_parse(bad[i]) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_resolves_with_its_own_method),
		cmocka_unit_test(test_no_route_is_listed_twice),
		cmocka_unit_test(test_routes_are_under_api_v1_or_known_roots),
		cmocka_unit_test(
			test_only_health_metrics_login_stream_are_public),
		cmocka_unit_test(test_param_is_captured),
		cmocka_unit_test(test_literal_segment_is_not_taken_as_a_param),
		cmocka_unit_test(test_param_of_63_bytes_is_the_longest),
		cmocka_unit_test(test_unknown_path_is_not_known),
		cmocka_unit_test(test_wrong_method_is_known_path),
		cmocka_unit_test(test_trailing_slash_is_refused),
		cmocka_unit_test(test_double_slash_is_refused),
		cmocka_unit_test(test_query_string_is_not_part_of_the_path),
		cmocka_unit_test(test_query_finds_each_parameter),
		cmocka_unit_test(test_query_name_must_match_whole),
		cmocka_unit_test(test_query_first_occurrence_wins),
		cmocka_unit_test(test_query_decodes_percent_and_plus),
		cmocka_unit_test(test_query_refuses_bad_percent_escapes),
		cmocka_unit_test(
			test_query_refuses_a_value_longer_than_the_buffer),
		cmocka_unit_test(test_time_formats_utc_with_milliseconds),
		cmocka_unit_test(test_time_round_trips),
		cmocka_unit_test(test_time_parse_variants),
		cmocka_unit_test(test_time_parse_refuses),
		cmocka_unit_test(
			test_time_parse_refuses_fields_out_of_the_calendar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
