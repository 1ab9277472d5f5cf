/*
 * attachments — the files of written contacts: which types and names are
 * taken, the SHA-256 that names a file, a file written durably and read
 * back (the same bytes twice share one file, no temporary is left), and
 * the Content-Disposition that names it safely.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/attachments.h"

static void test_types_are_an_allow_list(void **state)
{
	(void)state;
	assert_true(attachments_type_allowed("image/png"));
	assert_true(attachments_type_allowed("application/pdf"));
	assert_true(attachments_type_allowed("text/csv"));
	assert_false(attachments_type_allowed("text/html"));
	assert_false(attachments_type_allowed("image/svg+xml"));
	assert_false(attachments_type_allowed("application/zip"));
	assert_false(attachments_type_allowed("IMAGE/PNG")); /* lowered first */
	assert_false(attachments_type_allowed(""));
	assert_false(attachments_type_allowed(NULL));
}

static void test_names(void **state)
{
	char long_name[300];

	(void)state;
	assert_true(attachments_name_ok("contrat é.pdf"));
	assert_true(attachments_name_ok("a"));
	assert_false(attachments_name_ok(""));
	assert_false(attachments_name_ok(NULL));
	assert_false(attachments_name_ok("."));
	assert_false(attachments_name_ok(".."));
	assert_false(attachments_name_ok("../x"));
	assert_false(attachments_name_ok("a\\b"));
	assert_false(attachments_name_ok("a\r\nSet-Cookie: x"));
	assert_false(attachments_name_ok("a\x7f"));
	memset(long_name, 'x', 256);
	long_name[256] = 0;
	assert_false(attachments_name_ok(long_name));
	long_name[255] = 0;
	assert_true(attachments_name_ok(long_name));
}

static void test_sha256(void **state)
{
	char hex[65];

	(void)state;
	attachments_sha256((const uint8_t *)"abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396"
				 "177a9cb410ff61f20015ad");
}

static void test_disposition_escapes_all_but_attr_chars(void **state)
{
	char out[200];
	size_t n;

	(void)state;
	n = attachments_disposition("contrat é 1.txt", out, sizeof(out));
	assert_string_equal(out, "attachment; filename*=UTF-8''contrat%20%C3"
				 "%A9%201.txt");
	assert_int_equal(n, strlen(out));
	attachments_disposition("a\";b=c", out, sizeof(out));
	assert_string_equal(out, "attachment; filename*=UTF-8''a%22%3Bb%3Dc");
	/* truncated, never overrun, and says what it needs */
	n = attachments_disposition("abcdef", out, 10);
	assert_int_equal(strlen(out), 9);
	assert_int_equal(n, strlen("attachment; filename*=UTF-8''abcdef"));
}

static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' || strncmp(e->d_name, ".tmp", 4) == 0;
	closedir(d);
	return n;
}

static void test_write_then_read(void **state)
{
	char dir[] = "/tmp/relais-att-XXXXXX", hex[65], sub[128];
	const char *data = "bonjour\n";
	uint8_t *p;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	attachments_sha256((const uint8_t *)data, strlen(data), hex);
	assert_int_equal(attachments_write(dir, hex, (const uint8_t *)data,
					   strlen(data)),
			 0);
	/* the same bytes again: one file, no temporary left */
	assert_int_equal(attachments_write(dir, hex, (const uint8_t *)data,
					   strlen(data)),
			 0);
	snprintf(sub, sizeof(sub), "%s/attachments/%.2s", dir, hex);
	assert_int_equal(entries(sub), 1);
	assert_int_equal(attachments_read(dir, hex, &p, &n), 0);
	assert_int_equal(n, strlen(data));
	assert_memory_equal(p, data, n);
	free(p);
	/* a name that is not a SHA-256 never becomes a path */
	assert_int_equal(attachments_read(dir, "../../etc/passwd", &p, &n),
			 EINVAL);
	hex[0] = hex[0] == 'a' ? 'b' : 'a';
	assert_int_equal(attachments_read(dir, hex, &p, &n), ENOENT);
	hex[0] = 'a';
	snprintf(sub, sizeof(sub), "rm -rf '%s'", dir);
	assert_int_equal(system(sub), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_are_an_allow_list),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_disposition_escapes_all_but_attr_chars),
		cmocka_unit_test(test_write_then_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
