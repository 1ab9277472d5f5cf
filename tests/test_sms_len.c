/*
 * sms_len — the encoding a text needs, the units the network counts and
 * the SMS it takes: the GSM-7 tables checked whole, French accents, the
 * euro and emoji, the 160/153 and 70/67 boundaries, escape and surrogate
 * pairs kept whole across parts, and invalid UTF-8 refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/sms_len.h"

static struct sms_len measure(const char *s)
{
	struct sms_len m;

	assert_int_equal(sms_len_measure(&m, s, strlen(s)), 0);
	return m;
}

/* s repeated n times, then tail. */
static const char *repeat(const char *s, size_t n, const char *tail)
{
	static char buf[4096];
	size_t len = strlen(s), i;

	assert_true(n * len + strlen(tail) < sizeof(buf));
	for (i = 0; i < n; i++)
		memcpy(buf + i * len, s, len);
	strcpy(buf + n * len, tail);
	return buf;
}

static void expect(const char *s, enum sms_encoding enc, size_t chars,
		   size_t units, size_t segments, size_t left)
{
	struct sms_len m = measure(s);

	assert_int_equal(m.encoding, enc);
	assert_int_equal(m.chars, chars);
	assert_int_equal(m.units, units);
	assert_int_equal(m.segments, segments);
	assert_int_equal(m.left, left);
}

static void test_gsm7_tables_hold_127_plus_10(void **state)
{
	uint32_t cp;
	size_t one = 0, two = 0;

	(void)state;
	/* 128 positions less the escape; 9 extension characters plus FF. */
	for (cp = 0; cp <= 0x10ffff; cp++) {
		int n = sms_len_gsm7_septets(cp);

		one += n == 1;
		two += n == 2;
	}
	assert_int_equal(one, 127);
	assert_int_equal(two, 10);
	assert_int_equal(sms_len_gsm7_septets('@'), 1);
	assert_int_equal(sms_len_gsm7_septets('$'), 1);
	assert_int_equal(sms_len_gsm7_septets('_'), 1);
	assert_int_equal(sms_len_gsm7_septets('\n'), 1);
	assert_int_equal(sms_len_gsm7_septets('\r'), 1);
	assert_int_equal(sms_len_gsm7_septets('`'), 0);
	assert_int_equal(sms_len_gsm7_septets('\t'), 0);
	assert_int_equal(sms_len_gsm7_septets('\f'), 2);
	assert_int_equal(sms_len_gsm7_septets(0x20ac), 2); /* € */
	assert_int_equal(sms_len_gsm7_septets(0x03a9), 1); /* Ω */
	assert_int_equal(sms_len_gsm7_septets(0x03c9), 0); /* ω */
}

static void test_french_accents(void **state)
{
	(void)state;
	/* é è à ù ì ò É Ç are in the default alphabet. */
	assert_int_equal(sms_len_gsm7_septets(0xe9), 1);
	assert_int_equal(sms_len_gsm7_septets(0xe8), 1);
	assert_int_equal(sms_len_gsm7_septets(0xe0), 1);
	assert_int_equal(sms_len_gsm7_septets(0xf9), 1);
	assert_int_equal(sms_len_gsm7_septets(0xc9), 1);
	assert_int_equal(sms_len_gsm7_septets(0xc7), 1);
	/* ç and the circumflexes, the diaeresis on e and i, are not. */
	assert_int_equal(sms_len_gsm7_septets(0xe7), 0); /* ç */
	assert_int_equal(sms_len_gsm7_septets(0xea), 0); /* ê */
	assert_int_equal(sms_len_gsm7_septets(0xe2), 0); /* â */
	assert_int_equal(sms_len_gsm7_septets(0xee), 0); /* î */
	assert_int_equal(sms_len_gsm7_septets(0xf4), 0); /* ô */
	assert_int_equal(sms_len_gsm7_septets(0xfb), 0); /* û */
	assert_int_equal(sms_len_gsm7_septets(0xeb), 0); /* ë */
	assert_int_equal(sms_len_gsm7_septets(0xef), 0); /* ï */
	assert_int_equal(sms_len_gsm7_septets(0xc8), 0); /* È */
	assert_int_equal(sms_len_gsm7_septets(0xc0), 0); /* À */

	expect("Votre colis est arrivé à l'agence. Merci !", SMS_GSM7, 42, 42,
	       1, 118);
	expect("Ça marche, à demain", SMS_GSM7, 19, 19, 1, 141);
	expect("Reçu, merci", SMS_UCS2, 11, 11, 1, 59);
	expect("Coût : 5 €", SMS_UCS2, 10, 10, 1, 60);
	/* The euro is an escape and its character: two septets. */
	expect("Prix : 5 €", SMS_GSM7, 10, 11, 1, 149);
	expect("[x] {y} ~", SMS_GSM7, 9, 14, 1, 146);
	expect("a`b", SMS_UCS2, 3, 3, 1, 67);
}

static void test_emoji_counts_two_utf16_units(void **state)
{
	(void)state;
	expect("Merci 😀", SMS_UCS2, 7, 8, 1, 62);
	expect("😀", SMS_UCS2, 1, 2, 1, 68);
	expect(repeat("😀", 35, ""), SMS_UCS2, 35, 70, 1, 0);
	/* 72 units: parts of 67 and no pair split, so 33 + 3 emoji. */
	expect(repeat("😀", 36, ""), SMS_UCS2, 36, 72, 2, 61);
}

static void test_gsm7_boundaries(void **state)
{
	(void)state;
	expect("", SMS_GSM7, 0, 0, 0, 160);
	expect("Bonjour", SMS_GSM7, 7, 7, 1, 153);
	expect(repeat("a", 160, ""), SMS_GSM7, 160, 160, 1, 0);
	expect(repeat("a", 161, ""), SMS_GSM7, 161, 161, 2, 145);
	expect(repeat("a", 306, ""), SMS_GSM7, 306, 306, 2, 0);
	expect(repeat("a", 307, ""), SMS_GSM7, 307, 307, 3, 152);
	expect(repeat("a", 459, ""), SMS_GSM7, 459, 459, 3, 0);
	expect(repeat("€", 80, ""), SMS_GSM7, 80, 160, 1, 0);
	/* 76 euros fill 152 of 153 septets; the 77th opens part two. */
	expect(repeat("€", 81, ""), SMS_GSM7, 81, 162, 2, 143);
	/* An escape pair is not split: the € moves to the second part. */
	expect(repeat("a", 152, "€bbbbbbb"), SMS_GSM7, 160, 161, 2, 144);
	expect(repeat("a", 151, "€bbbbbbbb"), SMS_GSM7, 160, 161, 2, 145);
}

static void test_ucs2_boundaries(void **state)
{
	(void)state;
	expect(repeat("ç", 70, ""), SMS_UCS2, 70, 70, 1, 0);
	expect(repeat("ç", 71, ""), SMS_UCS2, 71, 71, 2, 63);
	expect(repeat("ç", 134, ""), SMS_UCS2, 134, 134, 2, 0);
	expect(repeat("ç", 135, ""), SMS_UCS2, 135, 135, 3, 66);
	/* ç + 65 a = 66 units; the emoji does not fit in the 67th. */
	expect(repeat("a", 65, "ç😀aaa"), SMS_UCS2, 70, 71, 2, 62);
	/* One ç anywhere turns the whole text to UCS-2. */
	expect(repeat("a", 100, "ç"), SMS_UCS2, 101, 101, 2, 33);
}

static void test_invalid_utf8_is_refused(void **state)
{
	static const char *const bad[] = {
		"\xff",
		"\xc3",
		"a\xc3(",
		"\xc0\xaf",
		"\xe0\x80\xaf",
		"\xed\xa0\x80",
		"\xf4\x90\x80\x80",
		"\xf8\x88\x80\x80\x80",
		"\x80",
	};
	struct sms_len m = {.units = 42};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(sms_len_measure(&m, bad[i], strlen(bad[i])),
				 EINVAL);
		assert_int_equal(m.units, 42);
	}
	/* A NUL inside the text is a character, not an end. */
	assert_int_equal(sms_len_measure(&m, "a\0b", 3), 0);
	assert_int_equal(m.encoding, SMS_UCS2);
	assert_int_equal(m.chars, 3);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sms_len_encoding_name(SMS_GSM7), "gsm7");
	assert_string_equal(sms_len_encoding_name(SMS_UCS2), "ucs2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gsm7_tables_hold_127_plus_10),
		cmocka_unit_test(test_french_accents),
		cmocka_unit_test(test_emoji_counts_two_utf16_units),
		cmocka_unit_test(test_gsm7_boundaries),
		cmocka_unit_test(test_ucs2_boundaries),
		cmocka_unit_test(test_invalid_utf8_is_refused),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
