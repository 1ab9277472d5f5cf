/*
 * webpath: URL paths to files of the web folder, and their types.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "server/webpath.h"

static const char *map(const char *path)
{
	static char out[WEBPATH_MAX + 1];

	return webpath_map(path, strlen(path), out, sizeof(out)) ? out : NULL;
}

static void test_root_and_folders_name_their_index(void **state)
{
	(void)state;
	assert_string_equal(map("/"), "index.html");
	assert_string_equal(map("/docs/"), "docs/index.html");
}

static void test_plain_paths_map_to_relative_files(void **state)
{
	(void)state;
	assert_string_equal(map("/style.css"), "style.css");
	assert_string_equal(map("/vendor/preact.mjs"), "vendor/preact.mjs");
	assert_string_equal(map("/a%41b.txt"), "aAb.txt");
	assert_string_equal(map("/agent/desk"), "agent/desk");
}

static void test_dot_segments_and_hidden_files_are_refused(void **state)
{
	(void)state;
	assert_null(map("/../etc/passwd"));
	assert_null(map("/a/../b"));
	assert_null(map("/./a"));
	assert_null(map("/.git/config"));
	assert_null(map("/a/.env"));
	assert_null(map("/.."));
}

static void test_encoded_separators_dots_and_nul_are_refused(void **state)
{
	(void)state;
	assert_null(map("/%2e%2e/etc/passwd"));
	assert_null(map("/%2E%2E%2Fetc"));
	assert_null(map("/a%2fb"));
	assert_null(map("/a%00.html"));
	assert_null(map("/a%5cb"));
	assert_null(map("/a%25b"));
	assert_null(map("/a%2"));
	assert_null(map("/a%zz"));
}

static void test_odd_bytes_and_shapes_are_refused(void **state)
{
	(void)state;
	assert_null(map(""));
	assert_null(map("style.css"));
	assert_null(map("//etc/passwd"));
	assert_null(map("/a//b"));
	assert_null(map("/a\\b"));
	assert_null(map("/a b"));
	assert_null(map("/a%20b.txt"));
	assert_null(map("/caf\xc3\xa9"));
	assert_null(map("/%c3%a9"));
	assert_null(map("/a\tb"));
}

static void test_long_paths_are_refused(void **state)
{
	char path[WEBPATH_MAX + 8];

	(void)state;
	path[0] = '/';
	memset(path + 1, 'a', WEBPATH_MAX + 4);
	path[WEBPATH_MAX + 5] = '\0';
	assert_null(map(path));
	path[WEBPATH_MAX - 2] = '\0';
	assert_non_null(map(path));
}

static void test_a_nul_inside_the_length_is_refused(void **state)
{
	char out[WEBPATH_MAX + 1];

	(void)state;
	assert_false(webpath_map("/a\0b", 4, out, sizeof(out)));
}

static void test_types_follow_the_extension(void **state)
{
	(void)state;
	assert_string_equal(webpath_mime("index.html"),
			    "text/html; charset=utf-8");
	assert_string_equal(webpath_mime("vendor/preact.MJS"),
			    "text/javascript; charset=utf-8");
	assert_string_equal(webpath_mime("a/b.svg"), "image/svg+xml");
	assert_string_equal(webpath_mime("v.1/readme"),
			    "application/octet-stream");
	assert_string_equal(webpath_mime("x.exe"), "application/octet-stream");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_and_folders_name_their_index),
		cmocka_unit_test(test_plain_paths_map_to_relative_files),
		cmocka_unit_test(
			test_dot_segments_and_hidden_files_are_refused),
		cmocka_unit_test(
			test_encoded_separators_dots_and_nul_are_refused),
		cmocka_unit_test(test_odd_bytes_and_shapes_are_refused),
		cmocka_unit_test(test_long_paths_are_refused),
		cmocka_unit_test(test_a_nul_inside_the_length_is_refused),
		cmocka_unit_test(test_types_follow_the_extension),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
