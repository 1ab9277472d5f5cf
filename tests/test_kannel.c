/*
 * kannel — the sendsms URL (GSM-7 left to Kannel, UCS-2 asked for, every
 * report on a dlr-url carrying the id and the secret) and the parsers of
 * the get-url and dlr-url callbacks, on queries the real smsbox sent
 * (captured from tests/integration/kannel.test.mjs) and on broken ones.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "channels/sms/kannel.h"

static const struct kannel_gateway gw = {
	.sendsms_url = "http://127.0.0.1:13013/cgi-bin/sendsms",
	.username = "relais",
	.password = "p&ss word",
	.dlr_url = "http://127.0.0.1:8080/api/v1/sms/dlr",
	.secret = "s3cr3t-Gw1",
};

/* What smsbox sent for an MO "Reçu😀" (mo-recode on) and a report. */
static const char real_mo[] =
	"from=%2B33612345678&to=36180&text=Re%C3%A7u%F0%9F%98%80"
	"&charset=UTF-8&coding=0&smsc=fake&ts=1796568109"
	"&id=1b9c8a3e-5f0d-4a4e-9d52-0c1e2a3b4c5d&secret=s3cr3t-Gw1";
static const char real_dlr[] =
	"id=m42&type=8&smsc=fake&ts=1796568115&reply=ACK%2F&secret=s3cr3t-Gw1";

static int mo_parse(struct kannel_mo *mo, const char *q, const char **why)
{
	return kannel_mo_parse(mo, q, strlen(q), gw.secret, why);
}

static int dlr_parse(struct kannel_dlr *d, const char *q, const char **why)
{
	return kannel_dlr_parse(d, q, strlen(q), gw.secret, why);
}

static void test_sendsms_gsm7(void **state)
{
	char *url = NULL;

	(void)state;
	assert_int_equal(kannel_sendsms_url(&url, &gw, "36180", "+33612345678",
					    "Prix : 5 € à payer", "m-42"),
			 0);
	assert_string_equal(
		url, "http://127.0.0.1:13013/cgi-bin/sendsms?username=relais"
		     "&password=p%26ss%20word&from=36180&to=%2B33612345678"
		     "&text=Prix%20%3A%205%20%E2%82%AC%20%C3%A0%20payer"
		     "&charset=UTF-8&dlr-mask=31&dlr-url=http%3A%2F%2F127.0.0.1"
		     "%3A8080%2Fapi%2Fv1%2Fsms%2Fdlr%3Fid%3Dm-42%26type%3D%25d"
		     "%26smsc%3D%25i%26ts%3D%25T%26reply%3D%25A%26secret%3D"
		     "s3cr3t-Gw1");
	free(url);
}

static void test_sendsms_ucs2(void **state)
{
	char *url = NULL;

	(void)state;
	assert_int_equal(kannel_sendsms_url(&url, &gw, "Relais", "0612345678",
					    "Reçu 😀", "m1"),
			 0);
	assert_non_null(strstr(url, "&from=Relais&to=0612345678"
				    "&text=Re%C3%A7u%20%F0%9F%98%80"
				    "&charset=UTF-8&coding=2&dlr-mask=31&"));
	free(url);
}

static void test_sendsms_refuses_bad_input(void **state)
{
	struct kannel_gateway bad = gw;
	char *url = NULL;

	(void)state;
	assert_int_equal(
		kannel_sendsms_url(&url, &gw, "36180", "+33 6 12", "x", "m1"),
		EINVAL);
	assert_int_equal(kannel_sendsms_url(&url, &gw, "36180", "", "x", "m1"),
			 EINVAL);
	assert_int_equal(kannel_sendsms_url(&url, &gw, "TooLongSender", "123",
					    "x", "m1"),
			 EINVAL);
	assert_int_equal(
		kannel_sendsms_url(&url, &gw, "36180", "123", "\xff", "m1"),
		EINVAL);
	assert_int_equal(
		kannel_sendsms_url(&url, &gw, "36180", "123", "x", "m&1"),
		EINVAL);
	assert_int_equal(kannel_sendsms_url(&url, &gw, "36180", "123", "x", ""),
			 EINVAL);
	bad.secret = "a%d";
	assert_int_equal(
		kannel_sendsms_url(&url, &bad, "36180", "123", "x", "m1"),
		EINVAL);
	bad = gw;
	bad.dlr_url = "http://x/%d";
	assert_int_equal(
		kannel_sendsms_url(&url, &bad, "36180", "123", "x", "m1"),
		EINVAL);
	assert_null(url);
}

static void test_get_url_template(void **state)
{
	char *url = NULL;

	(void)state;
	assert_int_equal(
		kannel_get_url(&url, "http://127.0.0.1:8080/mo", "s3cr3t-Gw1"),
		0);
	assert_string_equal(url, "http://127.0.0.1:8080/mo?from=%p&to=%P"
				 "&text=%b&charset=%C&coding=%c&smsc=%i"
				 "&ts=%T&id=%I&secret=s3cr3t-Gw1");
	free(url);
	assert_int_equal(kannel_get_url(&url, "http://a/\"", "s"), EINVAL);
	assert_int_equal(kannel_get_url(&url, "http://a/", "s&x"), EINVAL);
}

static void test_mo_from_real_smsbox(void **state)
{
	struct kannel_mo mo;
	const char *why = NULL;

	(void)state;
	assert_int_equal(mo_parse(&mo, real_mo, &why), 0);
	assert_string_equal(mo.from, "+33612345678");
	assert_string_equal(mo.to, "36180");
	assert_string_equal(mo.text, "Reçu😀");
	assert_int_equal(mo.text_len, strlen("Reçu😀"));
	assert_string_equal(mo.smsc, "fake");
	assert_string_equal(mo.id, "1b9c8a3e-5f0d-4a4e-9d52-0c1e2a3b4c5d");
	assert_int_equal(mo.ts, 1796568109);
	kannel_mo_reset(&mo);
	assert_null(mo.text);
}

static void test_mo_charsets(void **state)
{
	struct kannel_mo mo;

	(void)state;
	/* UCS-2 left as smsbox got it (mo-recode off): UTF-16BE. */
	assert_int_equal(mo_parse(&mo,
				  "from=123&to=456&text=%00R%00e%00%E7%00u"
				  "%D8%3D%DE%00&charset=UTF-16BE&coding=2"
				  "&ts=1&secret=s3cr3t-Gw1",
				  NULL),
			 0);
	assert_string_equal(mo.text, "Reçu😀");
	kannel_mo_reset(&mo);
	assert_int_equal(mo_parse(&mo,
				  "from=123&to=456&text=%E9t%E9+%21"
				  "&charset=ISO-8859-1&coding=0&ts=1"
				  "&secret=s3cr3t-Gw1",
				  NULL),
			 0);
	assert_string_equal(mo.text, "été !");
	kannel_mo_reset(&mo);
	/* Every byte above 0x7F doubles in UTF-8 (found by fuzz_kannel). */
	assert_int_equal(mo_parse(&mo,
				  "from=123&to=456&text=%E9%FF%FF%FF%FF"
				  "&charset=ISO-8859-1&ts=1&secret=s3cr3t-Gw1",
				  NULL),
			 0);
	assert_string_equal(mo.text, "éÿÿÿÿ");
	kannel_mo_reset(&mo);
	/* Spaces and line breaks kept as they were (%b, not %a). */
	assert_int_equal(mo_parse(&mo,
				  "text=a++b%0Ac&from=123&to=456&ts=7"
				  "&secret=s3cr3t-Gw1&other=ignored",
				  NULL),
			 0);
	assert_string_equal(mo.text, "a  b\nc");
	assert_string_equal(mo.smsc, "");
	kannel_mo_reset(&mo);
}

static void expect_mo_error(const char *q, int err, const char *why)
{
	struct kannel_mo mo;
	const char *got = NULL;

	if (mo_parse(&mo, q, &got) != err)
		fail_msg("%s: expected error %d", q, err);
	assert_string_equal(got, why);
	assert_null(mo.text);
	assert_string_equal(mo.from, "");
}

static void test_mo_malformed(void **state)
{
	static const char tail[] = "&ts=1&secret=s3cr3t-Gw1";
	char q[256];

	(void)state;
	expect_mo_error("from=1&to=2&text=x&ts=1", EACCES,
			"missing or wrong secret");
	expect_mo_error("from=1&to=2&text=x&ts=1&secret=s3cr3t-Gw", EACCES,
			"missing or wrong secret");
	expect_mo_error("from=1&to=2&text=x&ts=1&secret=s3cr3t-Gw1x", EACCES,
			"missing or wrong secret");
	snprintf(q, sizeof(q), "from=1&from=2&to=2&text=x%s", tail);
	expect_mo_error(q, EINVAL, "field given twice");
	snprintf(q, sizeof(q), "from=1&to=2&text=%%zz%s", tail);
	expect_mo_error(q, EINVAL, "bad percent-escape");
	snprintf(q, sizeof(q), "from=1&to=2%s&text=%%4", tail);
	expect_mo_error(q, EINVAL, "bad percent-escape");
	snprintf(q, sizeof(q), "from=1%%00&to=2&text=x%s", tail);
	expect_mo_error(q, EINVAL, "NUL in a field");
	snprintf(q, sizeof(q), "from=a;b&to=2&text=x%s", tail);
	expect_mo_error(q, EINVAL, "bad from");
	snprintf(q, sizeof(q), "to=2&text=x%s", tail);
	expect_mo_error(q, EINVAL, "bad from");
	/* A name without a value (found by fuzz_kannel). */
	snprintf(q, sizeof(q), "from&to=2&text=x%s", tail);
	expect_mo_error(q, EINVAL, "bad from");
	snprintf(q, sizeof(q), "from=1&to=2%s", tail);
	expect_mo_error(q, EINVAL, "missing text");
	snprintf(q, sizeof(q), "from=1&to=2&text=%%FF%s", tail);
	expect_mo_error(q, EINVAL, "text is not in its charset");
	snprintf(q, sizeof(q), "from=1&to=2&text=a%%00b%s", tail);
	expect_mo_error(q, EINVAL, "text is not in its charset");
	snprintf(q, sizeof(q), "from=1&to=2&text=%%D8%%3D&coding=2%s", tail);
	expect_mo_error(q, EINVAL, "text is not in its charset");
	snprintf(q, sizeof(q), "from=1&to=2&text=%%00&coding=2%s", tail);
	expect_mo_error(q, EINVAL, "text is not in its charset");
	snprintf(q, sizeof(q), "from=1&to=2&text=x&coding=1%s", tail);
	expect_mo_error(q, EINVAL, "unsupported coding");
	snprintf(q, sizeof(q), "from=1&to=2&text=x&charset=KOI8-R%s", tail);
	expect_mo_error(q, EINVAL, "unsupported charset");
	expect_mo_error("from=1&to=2&text=x&ts=12a&secret=s3cr3t-Gw1", EINVAL,
			"missing or bad ts");
	expect_mo_error("from=1&to=2&text=x&secret=s3cr3t-Gw1", EINVAL,
			"missing or bad ts");
	snprintf(q, sizeof(q), "from=1&to=2&text=x&id=a/b%s", tail);
	expect_mo_error(q, EINVAL, "bad id");
	snprintf(q, sizeof(q), "from=1&to=2&text=x&smsc=a+b%s", tail);
	expect_mo_error(q, EINVAL, "bad smsc");
	snprintf(q, sizeof(q), "from=1234567890123456789012345&to=2&text=x%s",
		 tail);
	expect_mo_error(q, EINVAL, "field too long");
}

static void test_mo_too_long(void **state)
{
	size_t n = KANNEL_QUERY_MAX + 1;
	char *q = malloc(n + 1);
	struct kannel_mo mo;
	const char *why = NULL;

	(void)state;
	assert_non_null(q);
	memset(q, 'a', n);
	q[n] = '\0';
	assert_int_equal(kannel_mo_parse(&mo, q, n, gw.secret, &why), EMSGSIZE);
	assert_string_equal(why, "query too long");
	free(q);
}

static void test_dlr_from_real_smsbox(void **state)
{
	struct kannel_dlr d;

	(void)state;
	assert_int_equal(dlr_parse(&d, real_dlr, NULL), 0);
	assert_string_equal(d.id, "m42");
	assert_int_equal(d.type, KANNEL_DLR_SMSC_SUBMIT);
	assert_string_equal(d.smsc, "fake");
	assert_string_equal(d.reply, "ACK/");
	assert_int_equal(d.ts, 1796568115);
	assert_string_equal(kannel_dlr_status(d.type), "sent");
	assert_int_equal(dlr_parse(&d,
				   "id=m42&type=1&smsc=fake&ts=1796568115"
				   "&reply=&secret=s3cr3t-Gw1",
				   NULL),
			 0);
	assert_int_equal(d.type, KANNEL_DLR_DELIVERED);
	assert_string_equal(kannel_dlr_status(d.type), "delivered");
	assert_string_equal(kannel_dlr_status(KANNEL_DLR_FAILED), "failed");
	assert_string_equal(kannel_dlr_status(KANNEL_DLR_BUFFERED), "queued");
	assert_string_equal(kannel_dlr_status(KANNEL_DLR_SMSC_REJECT),
			    "failed");
}

static void expect_dlr_error(const char *q, int err, const char *why)
{
	struct kannel_dlr d;
	const char *got = NULL;

	if (dlr_parse(&d, q, &got) != err)
		fail_msg("%s: expected error %d", q, err);
	assert_string_equal(got, why);
	assert_string_equal(d.id, "");
	assert_int_equal(d.type, 0);
}

static void test_dlr_malformed(void **state)
{
	(void)state;
	expect_dlr_error("id=m42&type=1&ts=1", EACCES,
			 "missing or wrong secret");
	expect_dlr_error("id=m42&type=1&ts=1&secret=S3cr3t-Gw1", EACCES,
			 "missing or wrong secret");
	expect_dlr_error("type=1&ts=1&secret=s3cr3t-Gw1", EINVAL,
			 "missing or bad id");
	expect_dlr_error("id=m%2042&type=1&ts=1&secret=s3cr3t-Gw1", EINVAL,
			 "missing or bad id");
	expect_dlr_error("id=m42&type=3&ts=1&secret=s3cr3t-Gw1", EINVAL,
			 "missing or bad type");
	expect_dlr_error("id=m42&type=32&ts=1&secret=s3cr3t-Gw1", EINVAL,
			 "missing or bad type");
	expect_dlr_error("id=m42&ts=1&secret=s3cr3t-Gw1", EINVAL,
			 "missing or bad type");
	expect_dlr_error("id=m42&type=1&type=2&ts=1&secret=s3cr3t-Gw1", EINVAL,
			 "field given twice");
	expect_dlr_error("id=m42&type=1&ts=&secret=s3cr3t-Gw1", EINVAL,
			 "missing or bad ts");
	expect_dlr_error("id=m42&type=1&ts=1&reply=%C3&secret=s3cr3t-Gw1",
			 EINVAL, "reply is not UTF-8");
	expect_dlr_error("", EACCES, "missing or wrong secret");
	expect_dlr_error("&&&=&", EACCES, "missing or wrong secret");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sendsms_gsm7),
		cmocka_unit_test(test_sendsms_ucs2),
		cmocka_unit_test(test_sendsms_refuses_bad_input),
		cmocka_unit_test(test_get_url_template),
		cmocka_unit_test(test_mo_from_real_smsbox),
		cmocka_unit_test(test_mo_charsets),
		cmocka_unit_test(test_mo_malformed),
		cmocka_unit_test(test_mo_too_long),
		cmocka_unit_test(test_dlr_from_real_smsbox),
		cmocka_unit_test(test_dlr_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
