/*
 * csv — one text cell: RFC 4180 quoting, OWASP's guard against formula
 * injection (a leading ' before = + - @ tab CR), numbers left as they are,
 * and snprintf's contract on a short buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"

static const char *cell(const char *s, bool always)
{
	static char buf[256];
	size_t n = csv_text(buf, sizeof(buf), s, always);

	assert_int_equal(n, strlen(buf));
	return buf;
}

static void test_plain_text_is_written_as_is(void **state)
{
	(void)state;
	assert_string_equal(cell("Billing FR", false), "Billing FR");
	assert_string_equal(cell("", false), "");
	assert_string_equal(cell("a=b", false), "a=b");
	assert_string_equal(cell("x-1", false), "x-1");
}

static void test_commas_quotes_and_line_breaks_are_quoted(void **state)
{
	(void)state;
	assert_string_equal(cell("a,b", false), "\"a,b\"");
	assert_string_equal(cell("say \"hi\"", false), "\"say \"\"hi\"\"\"");
	assert_string_equal(cell("a\nb", false), "\"a\nb\"");
	assert_string_equal(cell("x", true), "\"x\"");
}

static void test_formula_starts_get_a_quote_mark(void **state)
{
	(void)state;
	assert_string_equal(cell("=1+1", false), "'=1+1");
	assert_string_equal(cell("+1+cmd", false), "'+1+cmd");
	assert_string_equal(cell("-2+3", false), "'-2+3");
	assert_string_equal(cell("@SUM(A1:A9)", false), "'@SUM(A1:A9)");
	assert_string_equal(cell("\t=1", false), "'\t=1");
	assert_string_equal(cell("\r=1", false), "\"'\r=1\"");
	assert_string_equal(cell("=HYPERLINK(\"http://x\",\"y\")", true),
			    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	assert_string_equal(cell("-", false), "'-");
	assert_string_equal(cell("+", false), "'+");
	assert_true(csv_formula_like("=x"));
	assert_false(csv_formula_like("x="));
	assert_false(csv_formula_like(""));
}

/* A cell that is wholly a number cannot be a formula: it stays a number. */
static void test_numbers_stay_numbers(void **state)
{
	static const char *const numbers[] = {"-3.5",  "+2",	"-0", "-.5",
					      "-1e-3", "+1E+9", "12", "-7."};
	static const char *const not_numbers[] = {"-3.5x", "-1e", "--1", "-.",
						  "-3,5",  "-1 ", "+-1"};

	(void)state;
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		assert_false(csv_formula_like(numbers[i]));
		assert_string_equal(cell(numbers[i], false), numbers[i]);
	}
	for (size_t i = 0; i < sizeof(not_numbers) / sizeof(not_numbers[0]);
	     i++)
		assert_true(csv_formula_like(not_numbers[i]));
}

static void test_short_buffer_is_cut_and_the_length_told(void **state)
{
	char buf[4];

	(void)state;
	assert_int_equal(csv_text(buf, sizeof(buf), "=abcdef", false), 8);
	assert_string_equal(buf, "'=a");
	assert_int_equal(csv_text(NULL, 0, "a,b", false), 5);
	memset(buf, 'z', sizeof(buf));
	assert_int_equal(csv_text(buf, 1, "abc", false), 3);
	assert_int_equal(buf[0], '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_is_written_as_is),
		cmocka_unit_test(test_commas_quotes_and_line_breaks_are_quoted),
		cmocka_unit_test(test_formula_starts_get_a_quote_mark),
		cmocka_unit_test(test_numbers_stay_numbers),
		cmocka_unit_test(test_short_buffer_is_cut_and_the_length_told),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
