/*
 * httphead — the framing of an HTTP/1.1 request's head (RFC 9112), read
 * incrementally. Each test feeds bytes to http_scan() as a connection
 * would (whole, a byte at a time, or split in two) and checks the verdict:
 * HTTP_SCAN_DONE with the head's length and body length, HTTP_SCAN_MORE,
 * or the status to answer, always with a reason (why) for a refusal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/httphead.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A head of an exact length (NUL and high bytes included). */
struct bytes {
	const char *s;
	size_t len;
};

#define B(lit) ((struct bytes){lit, sizeof(lit) - 1})

static const struct http_limits *deflim(void)
{
	static struct http_limits lim;

	http_limits_default(&lim);
	return &lim;
}

/*
 * Scans buf[0..len) in one call on a fresh state. A refusal must say why:
 * every test that expects one checks it through here.
 */
static int scan_lim(struct http_scan *sc, const char *buf, size_t len,
		    const struct http_limits *lim)
{
	const char *why = NULL;
	int st;

	http_scan_reset(sc);
	st = http_scan(sc, (const uint8_t *)buf, len, lim, &why);
	assert_non_null(why);
	if (st > 0 && !*why)
		fail_msg("status %d without a reason", st);
	return st;
}

static int scan(struct http_scan *sc, const char *buf, size_t len)
{
	return scan_lim(sc, buf, len, deflim());
}

static int scan_str(struct http_scan *sc, const char *s)
{
	return scan(sc, s, strlen(s));
}

/* Only the verdict of a NUL-free head. */
static int verdict(const char *s)
{
	struct http_scan sc;

	return scan_str(&sc, s);
}

/*
 * Feeds buf[0..len) in pieces ending at each cut (ascending, the last
 * being len), as successive reads would: the verdict of the first call
 * that is not HTTP_SCAN_MORE, or HTTP_SCAN_MORE.
 */
static int scan_cuts(struct http_scan *sc, const char *buf, const size_t *cuts,
		     size_t ncuts, const struct http_limits *lim)
{
	const char *why = NULL;
	int st = HTTP_SCAN_MORE;

	http_scan_reset(sc);
	for (size_t i = 0; i < ncuts && st == HTTP_SCAN_MORE; i++) {
		st = http_scan(sc, (const uint8_t *)buf, cuts[i], lim, &why);
		assert_non_null(why);
	}
	if (st > 0 && !*why)
		fail_msg("status %d without a reason", st);
	return st;
}

static int scan_bytewise(struct http_scan *sc, const char *buf, size_t len)
{
	size_t *cuts = malloc(len * sizeof(*cuts));
	int st;

	assert_non_null(cuts);
	for (size_t i = 0; i < len; i++)
		cuts[i] = i + 1;
	st = scan_cuts(sc, buf, cuts, len, deflim());
	free(cuts);
	return st;
}

/* A string of n copies of c, for long targets and lines. */
static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* "prefix" + n x c + "suffix", allocated. */
static char *build(const char *prefix, char c, size_t n, const char *suffix)
{
	size_t a = strlen(prefix), b = strlen(suffix);
	char *s = malloc(a + n + b + 1);

	assert_non_null(s);
	memcpy(s, prefix, a);
	memset(s + a, c, n);
	memcpy(s + a + n, suffix, b + 1);
	return s;
}

#define GET11 "GET /api/v1/queues?limit=5 HTTP/1.1\r\nHost: relais\r\n"

/* ---- a complete head ---- */

static void test_get_with_host_is_done_with_head_len_and_no_body(void **state)
{
	static const char req[] = GET11 "Accept: */*\r\n\r\n";
	struct http_scan sc;

	(void)state;
	assert_int_equal(scan_str(&sc, req), HTTP_SCAN_DONE);
	assert_int_equal(sc.head_len, strlen(req));
	assert_int_equal(sc.clen, 0);
	assert_int_equal(sc.minor, 1);
	assert_false(sc.close);
}

static void
test_content_length_gives_clen_and_head_len_excludes_body(void **state)
{
	static const char head[] = "POST /api/v1/contacts HTTP/1.1\r\n"
				   "Host: relais\r\n"
				   "Content-Length: 7\r\n\r\n";
	static const char req[] = "POST /api/v1/contacts HTTP/1.1\r\n"
				  "Host: relais\r\n"
				  "Content-Length: 7\r\n\r\n"
				  "{\"a\":1}";
	struct http_scan sc;

	(void)state;
	assert_int_equal(scan_str(&sc, req), HTTP_SCAN_DONE);
	assert_int_equal(sc.head_len, strlen(head));
	assert_int_equal(sc.clen, 7);
}

static void test_incomplete_head_asks_for_more(void **state)
{
	struct http_scan sc;

	(void)state;
	assert_int_equal(scan_str(&sc, GET11), HTTP_SCAN_MORE);
	assert_int_equal(scan_str(&sc, GET11 "\r"), HTTP_SCAN_MORE);
	assert_int_equal(scan_str(&sc, "GET / HT"), HTTP_SCAN_MORE);
}

static void test_head_fed_one_byte_at_a_time_is_the_same_as_whole(void **state)
{
	static const char req[] = "POST /api/v1/contacts?x=1 HTTP/1.1\r\n"
				  "Host: relais\r\n"
				  "Content-Length: 12\r\n"
				  "Connection: close\r\n\r\n"
				  "{\"queue\":1}";
	struct http_scan a, b;

	(void)state;
	assert_int_equal(scan_str(&a, req), HTTP_SCAN_DONE);
	assert_int_equal(scan_bytewise(&b, req, strlen(req)), HTTP_SCAN_DONE);
	assert_int_equal(a.head_len, b.head_len);
	assert_int_equal(a.clen, b.clen);
	assert_int_equal(a.clen, 12);
	assert_int_equal(a.minor, b.minor);
	assert_int_equal(a.close, b.close);
	assert_true(a.close);
}

static void test_head_split_at_every_position_is_the_same_as_whole(void **state)
{
	static const char req[] = "\r\nPUT /api/v1/agents/a1 HTTP/1.1\r\n"
				  "Host: relais\r\n"
				  "Content-Length: 2\r\n"
				  "Connection: keep-alive\r\n\r\n{}";
	size_t len = strlen(req);
	struct http_scan whole, split;

	(void)state;
	assert_int_equal(scan_str(&whole, req), HTTP_SCAN_DONE);
	for (size_t cut = 1; cut < len; cut++) {
		size_t cuts[2] = {cut, len};
		int st = scan_cuts(&split, req, cuts, 2, deflim());

		if (st != HTTP_SCAN_DONE || split.head_len != whole.head_len ||
		    split.clen != whole.clen || split.close != whole.close ||
		    split.skip != whole.skip)
			fail_msg("split at %zu: status %d head_len %zu", cut,
				 st, split.head_len);
	}
}

/*
 * Bad heads are refused with the same status whether they arrive whole or
 * in two pieces, wherever the cut.
 */
static void test_bad_head_split_anywhere_gets_the_same_refusal(void **state)
{
	static const char *const bad[] = {
		GET11 "Transfer-Encoding: chunked\r\n\r\n",
		GET11 "Content-Length: 1\r\nContent-Length: 2\r\n\r\n",
		GET11 "X : y\r\n\r\n",
		GET11 "X: y\r\n z\r\n\r\n",
		GET11 "X: y\n\r\n",
		GET11 "X: a\rb\r\n\r\n",
		"GET / HTTP/2.0\r\nHost: relais\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\n",
		"GET x HTTP/1.1\r\nHost: relais\r\n\r\n",
	};
	struct http_scan sc;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		size_t len = strlen(bad[i]);
		int whole = scan_str(&sc, bad[i]);

		assert_true(whole >= 400);
		for (size_t cut = 1; cut < len; cut++) {
			size_t cuts[2] = {cut, len};
			int st = scan_cuts(&sc, bad[i], cuts, 2, deflim());

			if (st != whole)
				fail_msg("head %zu split at %zu: %d, whole %d",
					 i, cut, st, whole);
		}
	}
}

/* ---- pipelining and leading empty lines ---- */

static void
test_pipelined_requests_scan_stops_at_end_of_first_head(void **state)
{
	static const char first[] = "GET /a HTTP/1.1\r\nHost: relais\r\n\r\n";
	static const char both[] = "GET /a HTTP/1.1\r\nHost: relais\r\n\r\n"
				   "GET /b HTTP/1.1\r\nHost: relais\r\n"
				   "Connection: close\r\n\r\n";
	struct http_scan sc;

	(void)state;
	assert_int_equal(scan_str(&sc, both), HTTP_SCAN_DONE);
	assert_int_equal(sc.head_len, strlen(first));
	assert_int_equal(sc.pos, strlen(first));
	assert_false(sc.close);
}

/* What the connection layer does: reset, then scan what follows. */
static void test_pipelined_second_head_scans_after_reset(void **state)
{
	static const char both[] = "GET /a HTTP/1.1\r\nHost: relais\r\n\r\n"
				   "GET /b HTTP/1.1\r\nHost: relais\r\n"
				   "Connection: close\r\n\r\n";
	struct http_scan sc;
	size_t first;

	(void)state;
	assert_int_equal(scan_str(&sc, both), HTTP_SCAN_DONE);
	first = sc.head_len;
	assert_int_equal(scan_str(&sc, both + first), HTTP_SCAN_DONE);
	assert_int_equal(sc.head_len, strlen(both) - first);
	assert_true(sc.close);
}

static void test_leading_crlfs_are_skipped(void **state)
{
	static const char req[] = "\r\n\r\n\r\n\r\n"
				  "GET / HTTP/1.1\r\nHost: relais\r\n\r\n";
	struct http_scan sc;

	(void)state;
	assert_int_equal(scan_str(&sc, req), HTTP_SCAN_DONE);
	assert_int_equal(sc.skip, 8);
	assert_int_equal(sc.head_len, strlen(req));
	assert_int_equal(scan_bytewise(&sc, req, strlen(req)), HTTP_SCAN_DONE);
	assert_int_equal(sc.skip, 8);
}

static void test_too_many_leading_crlfs_are_refused(void **state)
{
	static const char req[] = "\r\n\r\n\r\n\r\n\r\n"
				  "GET / HTTP/1.1\r\nHost: relais\r\n\r\n";
	struct http_scan sc;

	(void)state;
	assert_int_equal(scan_str(&sc, req), 400);
	/* refused as soon as the fifth empty line ends */
	assert_int_equal(scan_str(&sc, "\r\n\r\n\r\n\r\n\r\n"), 400);
}

static void test_leading_bare_lf_is_refused(void **state)
{
	(void)state;
	assert_int_equal(verdict("\nGET / HTTP/1.1\r\nHost: relais\r\n\r\n"),
			 400);
}

/* ---- Transfer-Encoding and Content-Length ---- */

static void test_transfer_encoding_any_value_any_case_is_501(void **state)
{
	static const char *const te[] = {
		"Transfer-Encoding: chunked",
		"transfer-encoding: chunked",
		"TRANSFER-ENCODING: CHUNKED",
		"Transfer-Encoding: identity",
		"Transfer-Encoding: gzip, chunked",
		"Transfer-Encoding:",
		"Content-Length: 5\r\nTransfer-Encoding: chunked",
		"Transfer-Encoding: chunked\r\nContent-Length: 5",
	};
	char req[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(te); i++) {
		snprintf(req, sizeof(req), "%s%s\r\n\r\n", GET11, te[i]);
		if (verdict(req) != 501)
			fail_msg("\"%s\": %d", te[i], verdict(req));
	}
}

static void test_content_length_not_plain_digits_is_400(void **state)
{
	static const char *const cl[] = {
		"-1",  "+5",   "5 5", "0x10",  "",   "  ", "1234567890123456",
		"5,5", "5, 5", "1e3", "\"5\"", "5;",
	};
	char req[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cl); i++) {
		snprintf(req, sizeof(req), "%sContent-Length: %s\r\n\r\n",
			 GET11, cl[i]);
		if (verdict(req) != 400)
			fail_msg("Content-Length \"%s\": %d", cl[i],
				 verdict(req));
	}
}

static void test_content_length_of_15_digits_is_accepted(void **state)
{
	struct http_scan sc;

	(void)state;
	assert_int_equal(
		scan_str(&sc, GET11 "Content-Length: 999999999999999\r\n\r\n"),
		HTTP_SCAN_DONE);
	assert_int_equal(sc.clen, 999999999999999LL);
}

static void test_content_length_surrounding_whitespace_is_ignored(void **state)
{
	struct http_scan sc;

	(void)state;
	assert_int_equal(
		scan_str(&sc, GET11 "Content-Length: \t 42 \t\r\n\r\n"),
		HTTP_SCAN_DONE);
	assert_int_equal(sc.clen, 42);
}

static void test_two_equal_content_lengths_are_accepted(void **state)
{
	struct http_scan sc;

	(void)state;
	assert_int_equal(scan_str(&sc, GET11 "Content-Length: 5\r\n"
					     "content-length: 5\r\n\r\n"),
			 HTTP_SCAN_DONE);
	assert_int_equal(sc.clen, 5);
}

static void test_two_different_content_lengths_are_400(void **state)
{
	(void)state;
	assert_int_equal(verdict(GET11 "Content-Length: 5\r\n"
				       "Content-Length: 6\r\n\r\n"),
			 400);
	assert_int_equal(verdict(GET11 "Content-Length: 0\r\n"
				       "Content-Length: 00\r\nX: y\r\n"
				       "Content-Length: 1\r\n\r\n"),
			 400);
}

/* ---- field lines ---- */

static void test_space_before_the_colon_is_400(void **state)
{
	(void)state;
	assert_int_equal(verdict(GET11 "Content-Length : 5\r\n\r\n"), 400);
	assert_int_equal(verdict("GET / HTTP/1.1\r\nHost : relais\r\n\r\n"),
			 400);
	assert_int_equal(verdict(GET11 "X\t: y\r\n\r\n"), 400);
}

static void test_field_without_name_or_colon_is_400(void **state)
{
	(void)state;
	assert_int_equal(verdict(GET11 ": y\r\n\r\n"), 400);
	assert_int_equal(verdict(GET11 "just-a-name\r\n\r\n"), 400);
	assert_int_equal(verdict(GET11 "X(y): z\r\n\r\n"), 400);
}

static void test_obs_fold_line_starting_with_space_or_tab_is_400(void **state)
{
	(void)state;
	assert_int_equal(verdict(GET11 "X: a\r\n b\r\n\r\n"), 400);
	assert_int_equal(verdict(GET11 "X: a\r\n\tb\r\n\r\n"), 400);
	/* whitespace between the request line and the first field */
	assert_int_equal(verdict("GET / HTTP/1.1\r\n Host: relais\r\n\r\n"),
			 400);
}

static void test_bare_lf_is_400(void **state)
{
	(void)state;
	assert_int_equal(verdict("GET / HTTP/1.1\nHost: relais\r\n\r\n"), 400);
	assert_int_equal(verdict(GET11 "X: y\nZ: w\r\n\r\n"), 400);
	assert_int_equal(verdict(GET11 "\n"), 400);
}

static void test_bare_cr_is_400(void **state)
{
	(void)state;
	assert_int_equal(verdict(GET11 "X: a\rb\r\n\r\n"), 400);
	assert_int_equal(verdict(GET11 "X: a\r\r\n\r\n"), 400);
	assert_int_equal(verdict("GET /\r HTTP/1.1\r\nHost: relais\r\n\r\n"),
			 400);
	assert_int_equal(verdict(GET11 "\r\r\n\r\n"), 400);
	/* a CR must not end a line: it would hide the byte after it */
	assert_int_equal(verdict(GET11 "X: a\rZContent-Length: 5\r\n\r\n"),
			 400);
}

static void test_nul_or_del_or_control_in_a_value_is_400(void **state)
{
	static const struct bytes bad[] = {
		B(GET11 "X: a\0b\r\n\r\n"),
		B(GET11 "X: a\x7f"
			"b\r\n\r\n"),
		B(GET11 "X: \x01\r\n\r\n"),
		B(GET11 "X: a\x1b[0m\r\n\r\n"),
		B(GET11 "X\0: a\r\n\r\n"),
	};
	struct http_scan sc;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		int st = scan(&sc, bad[i].s, bad[i].len);

		if (st != 400)
			fail_msg("case %zu: %d", i, st);
	}
}

/* obs-text (0x80-0xff) and HTAB are allowed in values. */
static void test_high_bytes_and_tab_in_a_value_are_accepted(void **state)
{
	(void)state;
	assert_int_equal(verdict(GET11 "X-Name: Ren\xc3\xa9\tL\xe9on\r\n\r\n"),
			 HTTP_SCAN_DONE);
}

/* ---- the request line ---- */

static void test_non_ascii_byte_in_the_target_is_400(void **state)
{
	(void)state;
	assert_int_equal(verdict("GET /api/v1/\xff HTTP/1.1\r\n"
				 "Host: relais\r\n\r\n"),
			 400);
	assert_int_equal(verdict("GET /caf\xc3\xa9 HTTP/1.1\r\n"
				 "Host: relais\r\n\r\n"),
			 400);
}

static void test_control_or_nul_in_the_target_is_400(void **state)
{
	static const struct bytes bad[] = {
		B("GET /a\0b HTTP/1.1\r\nHost: relais\r\n\r\n"),
		B("GET /a\tb HTTP/1.1\r\nHost: relais\r\n\r\n"),
		B("GET /a\x7f HTTP/1.1\r\nHost: relais\r\n\r\n"),
	};
	struct http_scan sc;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		int st = scan(&sc, bad[i].s, bad[i].len);

		if (st != 400)
			fail_msg("case %zu: %d", i, st);
	}
}

static void test_target_not_starting_with_slash_is_400(void **state)
{
	static const char *const bad[] = {
		"GET * HTTP/1.1\r\nHost: relais\r\n\r\n",
		"GET api/v1 HTTP/1.1\r\nHost: relais\r\n\r\n",
		"GET http://relais/api/v1 HTTP/1.1\r\nHost: relais\r\n\r\n",
		"CONNECT relais:443 HTTP/1.1\r\nHost: relais\r\n\r\n",
		"GET ?a=1 HTTP/1.1\r\nHost: relais\r\n\r\n",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		if (verdict(bad[i]) != 400)
			fail_msg("\"%s\": %d", bad[i], verdict(bad[i]));
}

static void test_malformed_request_line_is_400(void **state)
{
	static const char *const bad[] = {
		"GET  / HTTP/1.1\r\nHost: relais\r\n\r\n",
		"GET / HTTP/1.1 \r\nHost: relais\r\n\r\n",
		"GET /\r\nHost: relais\r\n\r\n",
		"GET / \r\nHost: relais\r\n\r\n",
		" GET / HTTP/1.1\r\nHost: relais\r\n\r\n",
		"GET / http/1.1\r\nHost: relais\r\n\r\n",
		"GET / HTTP/1\r\nHost: relais\r\n\r\n",
		"GET / HTTP/1.10\r\nHost: relais\r\n\r\n",
		"GET / HTTP/x.1\r\nHost: relais\r\n\r\n",
		"G(T / HTTP/1.1\r\nHost: relais\r\n\r\n",
		"GET\t/ HTTP/1.1\r\nHost: relais\r\n\r\n",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		if (verdict(bad[i]) != 400)
			fail_msg("\"%s\": %d", bad[i], verdict(bad[i]));
}

static void test_target_of_target_max_is_accepted(void **state)
{
	struct http_limits lim;
	struct http_scan sc;
	char *req;

	(void)state;
	http_limits_default(&lim);
	req = build("GET /", 'a', lim.target_max - 1,
		    " HTTP/1.1\r\nHost: relais\r\n\r\n");
	assert_int_equal(scan_lim(&sc, req, strlen(req), &lim), HTTP_SCAN_DONE);
	free(req);
}

static void test_target_over_target_max_is_414(void **state)
{
	struct http_limits lim;
	struct http_scan sc;
	char *req;

	(void)state;
	http_limits_default(&lim);
	req = build("GET /", 'a', lim.target_max,
		    " HTTP/1.1\r\nHost: relais\r\n\r\n");
	assert_int_equal(scan_lim(&sc, req, strlen(req), &lim), 414);
	free(req);
}

/* A client need not finish a huge request line to be refused. */
static void test_long_target_is_414_before_the_request_line_ends(void **state)
{
	struct http_limits lim;
	struct http_scan sc;
	char *req;

	(void)state;
	http_limits_default(&lim);
	req = build("GET /", 'a', lim.target_max + 64, "");
	assert_int_equal(scan_lim(&sc, req, strlen(req), &lim), 414);
	assert_int_equal(scan_bytewise(&sc, req, strlen(req)), 414);
	free(req);
}

/*
 * The header promises that a request line too long is refused as soon as
 * it is: a complete request line whose target is over the limit, before
 * any field, whether it came in one read or byte by byte.
 */
static void
test_long_target_is_414_as_soon_as_the_request_line_ends(void **state)
{
	struct http_limits lim;
	struct http_scan sc;
	char *req;

	(void)state;
	http_limits_default(&lim);
	req = build("GET /", 'a', lim.target_max, " HTTP/1.1\r\n");
	assert_int_equal(scan_lim(&sc, req, strlen(req), &lim), 414);
	assert_int_equal(scan_bytewise(&sc, req, strlen(req)), 414);
	free(req);
}

/* ---- sizes: lines, head, fields ---- */

static void test_header_line_over_line_max_is_431(void **state)
{
	struct http_limits lim;
	struct http_scan sc;
	char *req;

	(void)state;
	http_limits_default(&lim);
	req = build(GET11 "X-Long: ", 'v', lim.line_max, "\r\n\r\n");
	assert_int_equal(scan_lim(&sc, req, strlen(req), &lim), 431);
	free(req);
}

static void test_header_line_over_line_max_is_431_before_its_crlf(void **state)
{
	struct http_limits lim;
	struct http_scan sc;
	char *req;

	(void)state;
	http_limits_default(&lim);
	req = build(GET11 "X-Long: ", 'v', lim.line_max, "");
	assert_int_equal(scan_lim(&sc, req, strlen(req), &lim), 431);
	assert_int_equal(scan_bytewise(&sc, req, strlen(req)), 431);
	free(req);
}

static void test_header_line_well_under_line_max_is_accepted(void **state)
{
	struct http_limits lim;
	struct http_scan sc;
	char *req;

	(void)state;
	http_limits_default(&lim);
	req = build(GET11 "X-Long: ", 'v', lim.line_max - 16, "\r\n\r\n");
	assert_int_equal(scan_lim(&sc, req, strlen(req), &lim), HTTP_SCAN_DONE);
	free(req);
}

/* Lines each within line_max, fields within fields_max, head over max. */
static void test_head_over_head_max_is_431(void **state)
{
	struct http_limits lim = {.target_max = 64,
				  .line_max = 100,
				  .head_max = 500,
				  .fields_max = 100};
	char req[1024], *p = req;
	struct http_scan sc;

	(void)state;
	p += sprintf(p, "GET / HTTP/1.1\r\nHost: relais\r\n");
	for (int i = 0; p - req < 600; i++)
		p += sprintf(p, "X-%02d: 0123456789012345678901234567890\r\n",
			     i);
	assert_int_equal(scan_lim(&sc, req, strlen(req), &lim), 431);
	strcpy(p, "\r\n");
	assert_int_equal(scan_lim(&sc, req, strlen(req), &lim), 431);
}

/* The line that crosses head_max is refused before it ends. */
static void test_head_over_head_max_is_431_before_the_line_ends(void **state)
{
	struct http_limits lim = {.target_max = 64,
				  .line_max = 100,
				  .head_max = 200,
				  .fields_max = 100};
	char req[512], *p = req;
	struct http_scan sc;

	(void)state;
	p += sprintf(p, "GET / HTTP/1.1\r\nHost: relais\r\n");
	while (p - req < 180)
		p += sprintf(p, "X: 0123456789\r\n");
	p += sprintf(p, "X-Last: 0123456789012345678901234567890123456789");
	assert_true(p - req > 200);
	assert_int_equal(scan_lim(&sc, req, strlen(req), &lim), 431);
}

static void test_head_of_head_max_is_accepted(void **state)
{
	struct http_limits lim = {.target_max = 64,
				  .line_max = 1000,
				  .head_max = 0,
				  .fields_max = 100};
	static const char req[] = GET11 "X: y\r\n\r\n";
	struct http_scan sc;

	(void)state;
	lim.head_max = strlen(req);
	assert_int_equal(scan_lim(&sc, req, strlen(req), &lim), HTTP_SCAN_DONE);
	lim.head_max--;
	assert_int_equal(scan_lim(&sc, req, strlen(req), &lim), 431);
}

static void test_more_than_fields_max_fields_is_431(void **state)
{
	struct http_limits lim;
	char req[8192], *p = req;
	struct http_scan sc;

	(void)state;
	http_limits_default(&lim);
	p += sprintf(p, "GET / HTTP/1.1\r\nHost: relais\r\n");
	for (size_t i = 1; i < lim.fields_max; i++)
		p += sprintf(p, "X-%zu: y\r\n", i);
	strcpy(p, "\r\n");
	assert_int_equal(scan_lim(&sc, req, strlen(req), &lim), HTTP_SCAN_DONE);
	p += sprintf(p, "X-last: y\r\n");
	strcpy(p, "\r\n");
	assert_int_equal(scan_lim(&sc, req, strlen(req), &lim), 431);
}

/* ---- versions, Host, Connection ---- */

static void test_http_2_0_is_505(void **state)
{
	(void)state;
	assert_int_equal(verdict("GET / HTTP/2.0\r\nHost: relais\r\n\r\n"),
			 505);
	assert_int_equal(verdict("GET / HTTP/0.9\r\nHost: relais\r\n\r\n"),
			 505);
}

static void test_http_1_1_without_host_is_400(void **state)
{
	(void)state;
	assert_int_equal(verdict("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"), 400);
}

static void test_two_hosts_are_400(void **state)
{
	(void)state;
	assert_int_equal(
		verdict("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(
		verdict("GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n"), 400);
}

static void test_http_1_0_without_host_is_done_and_closes(void **state)
{
	struct http_scan sc;

	(void)state;
	assert_int_equal(scan_str(&sc, "GET / HTTP/1.0\r\n\r\n"),
			 HTTP_SCAN_DONE);
	assert_int_equal(sc.minor, 0);
	assert_true(sc.close);
}

static void test_http_1_0_keep_alive_stays_open(void **state)
{
	struct http_scan sc;

	(void)state;
	assert_int_equal(scan_str(&sc, "GET / HTTP/1.0\r\n"
				       "Connection: Keep-Alive\r\n\r\n"),
			 HTTP_SCAN_DONE);
	assert_false(sc.close);
}

static void test_http_1_1_connection_close_closes(void **state)
{
	struct http_scan sc;

	(void)state;
	assert_int_equal(scan_str(&sc, GET11 "Connection: close\r\n\r\n"),
			 HTTP_SCAN_DONE);
	assert_true(sc.close);
	assert_int_equal(scan_str(&sc, GET11 "Connection: te, CLOSE\r\n\r\n"),
			 HTTP_SCAN_DONE);
	assert_true(sc.close);
	assert_int_equal(scan_str(&sc, GET11 "Connection: closed\r\n\r\n"),
			 HTTP_SCAN_DONE);
	assert_false(sc.close);
}

static void test_method_of_16_is_accepted_longer_is_501(void **state)
{
	(void)state;
	assert_int_equal(verdict("ABCDEFGHIJKLMNOP / HTTP/1.1\r\n"
				 "Host: relais\r\n\r\n"),
			 HTTP_SCAN_DONE);
	assert_int_equal(verdict("ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\n"
				 "Host: relais\r\n\r\n"),
			 501);
}

/* ---- reasons ---- */

/*
 * Every refusal says why, whole or a byte at a time (scan_lim and
 * scan_cuts check it); and the reason is a sentence, not a code.
 */
static void test_every_refusal_says_why(void **state)
{
	static const char *const bad[] = {
		GET11 "Transfer-Encoding: chunked\r\n\r\n",
		GET11 "Content-Length: -1\r\n\r\n",
		GET11 "Content-Length: 1\r\nContent-Length: 2\r\n\r\n",
		GET11 "X : y\r\n\r\n",
		GET11 "X: a\r\n b\r\n\r\n",
		GET11 "X: y\n\r\n",
		GET11 "X: a\rb\r\n\r\n",
		"GET x HTTP/1.1\r\nHost: relais\r\n\r\n",
		"GET / HTTP/2.0\r\nHost: relais\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
		"ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\nHost: relais\r\n\r\n",
		"\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: relais\r\n\r\n",
	};
	struct http_scan sc;
	const char *why;
	char *big;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		size_t len = strlen(bad[i]);

		http_scan_reset(&sc);
		why = NULL;
		assert_true(http_scan(&sc, (const uint8_t *)bad[i], len,
				      deflim(), &why) >= 400);
		assert_non_null(why);
		if (strlen(why) < 8)
			fail_msg("head %zu: reason \"%s\"", i, why);
		assert_true(scan_bytewise(&sc, bad[i], len) >= 400);
	}
	big = repeat('a', 70000);
	http_scan_reset(&sc);
	why = NULL;
	assert_true(http_scan(&sc, (const uint8_t *)big, strlen(big), deflim(),
			      &why) >= 400);
	assert_true(why && strlen(why) >= 8);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_get_with_host_is_done_with_head_len_and_no_body),
		cmocka_unit_test(
			test_content_length_gives_clen_and_head_len_excludes_body),
		cmocka_unit_test(test_incomplete_head_asks_for_more),
		cmocka_unit_test(
			test_head_fed_one_byte_at_a_time_is_the_same_as_whole),
		cmocka_unit_test(
			test_head_split_at_every_position_is_the_same_as_whole),
		cmocka_unit_test(
			test_bad_head_split_anywhere_gets_the_same_refusal),
		cmocka_unit_test(
			test_pipelined_requests_scan_stops_at_end_of_first_head),
		cmocka_unit_test(test_pipelined_second_head_scans_after_reset),
		cmocka_unit_test(test_leading_crlfs_are_skipped),
		cmocka_unit_test(test_too_many_leading_crlfs_are_refused),
		cmocka_unit_test(test_leading_bare_lf_is_refused),
		cmocka_unit_test(
			test_transfer_encoding_any_value_any_case_is_501),
		cmocka_unit_test(test_content_length_not_plain_digits_is_400),
		cmocka_unit_test(test_content_length_of_15_digits_is_accepted),
		cmocka_unit_test(
			test_content_length_surrounding_whitespace_is_ignored),
		cmocka_unit_test(test_two_equal_content_lengths_are_accepted),
		cmocka_unit_test(test_two_different_content_lengths_are_400),
		cmocka_unit_test(test_space_before_the_colon_is_400),
		cmocka_unit_test(test_field_without_name_or_colon_is_400),
		cmocka_unit_test(
			test_obs_fold_line_starting_with_space_or_tab_is_400),
		cmocka_unit_test(test_bare_lf_is_400),
		cmocka_unit_test(test_bare_cr_is_400),
		cmocka_unit_test(test_nul_or_del_or_control_in_a_value_is_400),
		cmocka_unit_test(
			test_high_bytes_and_tab_in_a_value_are_accepted),
		cmocka_unit_test(test_non_ascii_byte_in_the_target_is_400),
		cmocka_unit_test(test_control_or_nul_in_the_target_is_400),
		cmocka_unit_test(test_target_not_starting_with_slash_is_400),
		cmocka_unit_test(test_malformed_request_line_is_400),
		cmocka_unit_test(test_target_of_target_max_is_accepted),
		cmocka_unit_test(test_target_over_target_max_is_414),
		cmocka_unit_test(
			test_long_target_is_414_before_the_request_line_ends),
		cmocka_unit_test(
			test_long_target_is_414_as_soon_as_the_request_line_ends),
		cmocka_unit_test(test_header_line_over_line_max_is_431),
		cmocka_unit_test(
			test_header_line_over_line_max_is_431_before_its_crlf),
		cmocka_unit_test(
			test_header_line_well_under_line_max_is_accepted),
		cmocka_unit_test(test_head_over_head_max_is_431),
		cmocka_unit_test(
			test_head_over_head_max_is_431_before_the_line_ends),
		cmocka_unit_test(test_head_of_head_max_is_accepted),
		cmocka_unit_test(test_more_than_fields_max_fields_is_431),
		cmocka_unit_test(test_http_2_0_is_505),
		cmocka_unit_test(test_http_1_1_without_host_is_400),
		cmocka_unit_test(test_two_hosts_are_400),
		cmocka_unit_test(test_http_1_0_without_host_is_done_and_closes),
		cmocka_unit_test(test_http_1_0_keep_alive_stays_open),
		cmocka_unit_test(test_http_1_1_connection_close_closes),
		cmocka_unit_test(test_method_of_16_is_accepted_longer_is_501),
		cmocka_unit_test(test_every_refusal_says_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
