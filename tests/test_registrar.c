/*
 * registrar — the pure parts of the agents' phones' registrar, without
 * the network: what a REGISTER asks (regmsg_parse on messages decoded by
 * libre from text), the stateless nonces, and the table of bindings with
 * its expiry (what the registrar's timer runs). The registrar's answers
 * on the wire are voice_register.test.mjs's, with SIPp.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "channels/voice/bindings.h"
#include "channels/voice/regmsg.h"

/* A REGISTER with these header lines (each ending in CRLF). */
static struct sip_msg *reg(const char *headers)
{
	struct mbuf *mb = mbuf_alloc(1024);
	struct sip_msg *msg = NULL;

	assert_non_null(mb);
	mbuf_printf(mb,
		    "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1\r\n"
		    "From: <sip:agent01@127.0.0.1>;tag=1\r\n"
		    "To: <sip:agent01@127.0.0.1>\r\n"
		    "Call-ID: c1\r\nCSeq: 1 REGISTER\r\n"
		    "%sContent-Length: 0\r\n\r\n",
		    headers);
	mb->pos = 0;
	assert_int_equal(sip_msg_decode(&msg, mb), 0);
	mem_deref(mb);
	return msg;
}

static uint16_t parse(struct regmsg *m, const char *headers)
{
	struct sip_msg *msg = reg(headers);
	uint16_t st = regmsg_parse(m, msg);

	mem_deref(msg);
	return st;
}

static void
test_contacts_take_their_own_expiry_else_the_header_else_3600(void **state)
{
	struct sip_msg *msg;
	struct regmsg m;

	(void)state;
	msg = reg("Contact: <sip:a@10.0.0.1:5062>;expires=120, "
		  "\"Desk, 2\" <sip:b@10.0.0.2;transport=tcp>\r\n"
		  "Expires: 600\r\nUser-Agent: desk/1.0\r\n");
	assert_int_equal(regmsg_parse(&m, msg), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(pl_strcmp(&m.c[0].uri, "sip:a@10.0.0.1:5062"), 0);
	assert_int_equal(m.c[0].expires, 120);
	assert_int_equal(pl_strcmp(&m.c[1].uri, "sip:b@10.0.0.2;transport=tcp"),
			 0);
	assert_int_equal(m.c[1].expires, 600);
	assert_int_equal(pl_strcmp(&m.user_agent, "desk/1.0"), 0);
	assert_int_equal(pl_strcmp(&m.to_user, "agent01"), 0);
	assert_false(m.has_auth);
	mem_deref(msg);
	assert_int_equal(parse(&m, "Contact: <sip:a@10.0.0.1>\r\n"), 0);
	assert_int_equal(m.c[0].expires, REG_EXPIRES_DEFAULT);
}

static void test_expiry_is_clamped_to_3600_and_under_60_is_423(void **state)
{
	struct regmsg m;

	(void)state;
	assert_int_equal(
		parse(&m, "Contact: <sip:a@h>\r\nExpires: 99999999999\r\n"), 0);
	assert_int_equal(m.c[0].expires, REG_EXPIRES_MAX);
	assert_int_equal(parse(&m, "Contact: <sip:a@h>;expires=60\r\n"), 0);
	assert_int_equal(m.c[0].expires, 60);
	assert_int_equal(parse(&m, "Contact: <sip:a@h>;expires=59\r\n"), 423);
	assert_int_equal(parse(&m, "Contact: <sip:a@h>\r\nExpires: 1\r\n"),
			 423);
	/* 0 removes: not too brief */
	assert_int_equal(parse(&m, "Contact: <sip:a@h>\r\nExpires: 0\r\n"), 0);
	assert_int_equal(m.c[0].expires, 0);
}

static void test_star_removes_all_only_alone_and_with_expires_0(void **state)
{
	struct regmsg m;

	(void)state;
	assert_int_equal(parse(&m, "Contact: *\r\nExpires: 0\r\n"), 0);
	assert_true(m.star);
	assert_int_equal(m.n, 0);
	assert_int_equal(parse(&m, "Contact: *\r\n"), 400);
	assert_int_equal(parse(&m, "Contact: *\r\nExpires: 60\r\n"), 400);
	assert_int_equal(parse(&m, "Contact: *, <sip:a@h>\r\nExpires: 0\r\n"),
			 400);
	assert_int_equal(
		parse(&m, "Contact: *\r\nContact: *\r\nExpires: 0\r\n"), 400);
}

static void test_malformed_contacts_and_expiries_are_400(void **state)
{
	static const char *const bad[] = {
		"Contact: <sip:a@h>\r\nExpires: soon\r\n",
		"Contact: <sip:a@h>\r\nExpires: -1\r\n",
		"Expires: 1x\r\n",
		"Contact: <sip:a@h>;expires=\r\n",
		"Contact: <sip:a@h>;expires=1e3\r\n",
		"Contact: <sip:a@h\r\n",
		"Contact: <>\r\n",
		"Contact: <http://example.com/>\r\n",
		"Contact: <sip:a\"b@h>\r\n",
		"Contact: sip:\r\n",
	};
	struct regmsg m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s", bad[i]);
		assert_int_equal(parse(&m, bad[i]), 400);
	}
}

static void test_more_than_8_contacts_is_400_and_none_is_a_query(void **state)
{
	char h[1024] = "";
	struct regmsg m;

	(void)state;
	for (int i = 0; i <= REGMSG_CONTACTS; i++)
		snprintf(h + strlen(h), sizeof(h) - strlen(h),
			 "Contact: <sip:d%d@h>\r\n", i);
	assert_int_equal(parse(&m, h), 400);
	assert_int_equal(parse(&m, "Expires: 600\r\n"), 0);
	assert_int_equal(m.n, 0);
	assert_false(m.star);
}

static void test_authorization_is_decoded_and_checked_by_libre(void **state)
{
	/* RFC 2617 §3.5's example, qop=auth, as a SIP Authorization */
	struct sip_msg *msg =
		reg("Contact: <sip:a@h>\r\n"
		    "Authorization: Digest username=\"Mufasa\", "
		    "realm=\"testrealm@host.com\", "
		    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
		    "uri=\"/dir/index.html\", qop=auth, nc=00000001, "
		    "cnonce=\"0a4f113b\", "
		    "response=\"6629fae49393a05397450978507c4ef1\"\r\n");
	struct pl get = PL("GET"), post = PL("POST");
	struct regmsg m;
	uint8_t ha1[16];

	(void)state;
	assert_int_equal(regmsg_parse(&m, msg), 0);
	assert_true(m.has_auth);
	assert_int_equal(pl_strcmp(&m.auth.username, "Mufasa"), 0);
	md5_printf(ha1, "Mufasa:testrealm@host.com:Circle Of Life");
	assert_int_equal(httpauth_digest_response_auth(&m.auth, &get, ha1), 0);
	assert_int_not_equal(httpauth_digest_response_auth(&m.auth, &post, ha1),
			     0);
	md5_printf(ha1, "Mufasa:testrealm@host.com:circle of life");
	assert_int_not_equal(httpauth_digest_response_auth(&m.auth, &get, ha1),
			     0);
	mem_deref(msg);
	/* credentials without a response: malformed */
	assert_int_equal(parse(&m, "Contact: <sip:a@h>\r\nAuthorization: "
				   "Digest username=\"a\"\r\n"),
			 400);
}

static void test_nonces_are_fresh_for_5_minutes_then_stale(void **state)
{
	uint8_t key[REGMSG_NONCE_KEY] = {1, 2, 3},
		other[REGMSG_NONCE_KEY] = {9};
	char n[REGMSG_NONCE_LEN + 1];
	int64_t t0 = 1796580000000;
	struct pl pl;

	(void)state;
	regmsg_nonce_make(key, t0, n);
	assert_int_equal(strlen(n), REGMSG_NONCE_LEN);
	pl_set_str(&pl, n);
	assert_int_equal(regmsg_nonce_check(key, &pl, t0), 0);
	assert_int_equal(regmsg_nonce_check(key, &pl, t0 + REGMSG_NONCE_TTL_MS),
			 0);
	assert_int_equal(
		regmsg_nonce_check(key, &pl, t0 + REGMSG_NONCE_TTL_MS + 1),
		ETIMEDOUT);
	/* another key (a restart), the future, an altered or short nonce */
	assert_int_equal(regmsg_nonce_check(other, &pl, t0), EINVAL);
	assert_int_equal(regmsg_nonce_check(key, &pl, t0 - 1), EINVAL);
	n[20] = n[20] == '0' ? '1' : '0';
	assert_int_equal(regmsg_nonce_check(key, &pl, t0), EINVAL);
	pl.l--;
	assert_int_equal(regmsg_nonce_check(key, &pl, t0), EINVAL);
}

static void count_h(const struct binding *b, void *arg)
{
	(void)b;
	(*(int *)arg)++;
}

static void test_bindings_refresh_in_place_and_expire_on_time(void **state)
{
	struct pl a = PL("sip:a@h"), b = PL("sip:b@h"), ua = PL("desk");
	struct list l;
	bool added;
	int gone = 0;

	(void)state;
	list_init(&l);
	assert_int_equal(bindings_next(&l), 0);
	assert_int_equal(
		bindings_set(&l, "p1", &a, &ua, SIP_TRANSP_UDP, 1000, &added),
		0);
	assert_true(added);
	assert_int_equal(
		bindings_set(&l, "p1", &b, NULL, SIP_TRANSP_TCP, 5000, &added),
		0);
	assert_int_equal(
		bindings_set(&l, "p2", &a, NULL, SIP_TRANSP_UDP, 3000, &added),
		0);
	assert_true(added); /* the same URI for another login */
	/* a refresh moves the expiry, adds nothing */
	assert_int_equal(
		bindings_set(&l, "p1", &a, NULL, SIP_TRANSP_UDP, 2000, &added),
		0);
	assert_false(added);
	assert_int_equal(bindings_count(&l, "p1"), 2);
	assert_string_equal(((struct binding *)list_head(&l)->data)->ua,
			    "desk");
	assert_int_equal(bindings_next(&l), 2000);
	assert_int_equal(bindings_expire(&l, 1999, count_h, &gone), 0);
	assert_int_equal(bindings_expire(&l, 2000, count_h, &gone), 1);
	assert_int_equal(bindings_count(&l, "p1"), 1);
	assert_int_equal(bindings_next(&l), 3000);
	assert_int_equal(bindings_expire(&l, 10000, count_h, &gone), 2);
	assert_int_equal(gone, 3);
	assert_int_equal(bindings_next(&l), 0);
	assert_int_equal(list_count(&l), 0);
}

static void test_bindings_remove_one_clear_a_login_and_cap_devices(void **state)
{
	struct pl a = PL("sip:a@h"), b = PL("sip:b@h");
	char uri[32];
	struct list l;
	bool added;
	int gone = 0;

	(void)state;
	list_init(&l);
	for (int i = 0; i < BINDINGS_PER_PHONE; i++) {
		struct pl u;

		snprintf(uri, sizeof(uri), "sip:d%d@h", i);
		pl_set_str(&u, uri);
		assert_int_equal(bindings_set(&l, "p1", &u, NULL,
					      SIP_TRANSP_UDP, 1000, &added),
				 0);
	}
	assert_int_equal(
		bindings_set(&l, "p1", &a, NULL, SIP_TRANSP_UDP, 1000, &added),
		ENOSPC);
	/* a refresh of one already there still works */
	assert_int_equal(bindings_set(&l, "p1", &(struct pl)PL("sip:d0@h"),
				      NULL, SIP_TRANSP_UDP, 9000, &added),
			 0);
	assert_int_equal(
		bindings_set(&l, "p2", &b, NULL, SIP_TRANSP_UDP, 1000, &added),
		0);
	assert_false(bindings_remove(&l, "p2", &a, count_h, &gone));
	assert_true(bindings_remove(&l, "p2", &b, count_h, &gone));
	assert_int_equal(gone, 1);
	assert_int_equal(bindings_clear(&l, "p1", count_h, &gone),
			 BINDINGS_PER_PHONE);
	assert_int_equal(list_count(&l), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_contacts_take_their_own_expiry_else_the_header_else_3600),
		cmocka_unit_test(
			test_expiry_is_clamped_to_3600_and_under_60_is_423),
		cmocka_unit_test(
			test_star_removes_all_only_alone_and_with_expires_0),
		cmocka_unit_test(test_malformed_contacts_and_expiries_are_400),
		cmocka_unit_test(
			test_more_than_8_contacts_is_400_and_none_is_a_query),
		cmocka_unit_test(
			test_authorization_is_decoded_and_checked_by_libre),
		cmocka_unit_test(
			test_nonces_are_fresh_for_5_minutes_then_stale),
		cmocka_unit_test(
			test_bindings_refresh_in_place_and_expire_on_time),
		cmocka_unit_test(
			test_bindings_remove_one_clear_a_login_and_cap_devices),
	};
	int rc;

	libre_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();
	return rc;
}
