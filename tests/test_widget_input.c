/*
 * widget_input — what the web chat takes from outside: allowed origins as
 * a browser writes them, visitor tokens and their Authorization header,
 * email addresses, the visitor's bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model/widget_input.h"

#define TOKEN \
	"rv_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_origins_are_scheme_host_and_port_only(void **state)
{
	static const char *const good[] = {"https://www.example.com",
					   "http://localhost:8080",
					   "https://shop.example.co.uk:8443",
					   "http://127.0.0.1:3000",
					   "http://[::1]:8080",
					   "https://a-b.example"};
	static const char *const bad[] = {"www.example.com",
					  "https://example.com/",
					  "https://example.com/x",
					  "ftp://example.com",
					  "https://",
					  "https://exa mple.com",
					  "https://EXAMPLE.com",
					  "https://example.com:0",
					  "https://example.com:65536",
					  "https://example.com:08",
					  "https://-example.com",
					  "https://example.com.",
					  "https://user@example.com",
					  "https://example.com?x",
					  "javascript://x",
					  ""};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(widget_origin_ok(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(widget_origin_ok(bad[i]));
	assert_false(widget_origin_ok(NULL));
}

static void test_origins_bad_names_the_first_refused(void **state)
{
	json_t *ok = json_pack("[s,s]", "https://a.example", "http://b:1");
	json_t *bad = json_pack("[s,s,s]", "https://a.example", "nope", "x");

	(void)state;
	assert_int_equal(widget_origins_bad(ok), -1);
	assert_int_equal(widget_origins_bad(bad), 1);
	assert_int_equal(widget_origins_bad(NULL), -1);
	json_decref(ok);
	json_decref(bad);
}

static void test_bearer_takes_a_visitor_token_only(void **state)
{
	char tok[WIDGET_TOKEN_SIZE];
	const char *h = "Bearer " TOKEN, *lower = "bearer " TOKEN;

	(void)state;
	assert_true(widget_bearer(h, strlen(h), tok));
	assert_string_equal(tok, TOKEN);
	assert_true(widget_bearer(lower, strlen(lower), tok));
	/* a staff session's token, a short one, upper-case hex, no scheme */
	assert_false(widget_bearer("Bearer abcdef", 13, tok));
	assert_false(widget_bearer(h, strlen(h) - 1, tok));
	assert_false(widget_bearer(TOKEN, strlen(TOKEN), tok));
	assert_false(widget_token_ok("rv_0123456789ABCDEF0123456789abcdef"
				     "0123456789abcdef0123456789abcdef"));
	assert_true(widget_token_ok(TOKEN));
}

static void test_emails(void **state)
{
	(void)state;
	assert_true(widget_email_ok("alice@example.com"));
	assert_true(widget_email_ok("a.b+c@mail.example.fr"));
	assert_false(widget_email_ok("alice"));
	assert_false(widget_email_ok("@example.com"));
	assert_false(widget_email_ok("alice@example"));
	assert_false(widget_email_ok("alice@.example.com"));
	assert_false(widget_email_ok("a lice@example.com"));
	assert_false(widget_email_ok("a@b@example.com"));
	assert_false(widget_email_ok("alice@example.com."));
	assert_false(widget_email_ok("<alice@example.com>"));
	assert_false(widget_email_ok(NULL));
}

static void test_a_conversation_needs_a_text(void **state)
{
	char msg[256];
	json_t *good = json_pack("{s:s,s:s,s:b}", "name", "A", "text", "hi",
				 "consent", 1);
	json_t *none = json_pack("{s:s}", "name", "A");
	json_t *more = json_pack("{s:s,s:i}", "text", "hi", "x", 1);

	(void)state;
	assert_int_equal(jv_check(good, widget_conversation_fields, true, msg,
				  sizeof(msg)),
			 0);
	assert_int_equal(jv_check(none, widget_conversation_fields, true, msg,
				  sizeof(msg)),
			 -1);
	assert_non_null(strstr(msg, "text"));
	assert_int_equal(jv_check(more, widget_conversation_fields, true, msg,
				  sizeof(msg)),
			 -2);
	json_decref(good);
	json_decref(none);
	json_decref(more);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_origins_are_scheme_host_and_port_only),
		cmocka_unit_test(test_origins_bad_names_the_first_refused),
		cmocka_unit_test(test_bearer_takes_a_visitor_token_only),
		cmocka_unit_test(test_emails),
		cmocka_unit_test(test_a_conversation_needs_a_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
