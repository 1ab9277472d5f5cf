/*
 * lang: lookups and their fallbacks, the choice of a language (command
 * line, Accept-Language), and the catalogs themselves: every named message
 * in every language, every server message (a web_error() format or an N_()
 * string of src/server, src/model and src/channels) translated with its
 * conversions.
 */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "lang/lang.h"

static const char *accept(const char *v)
{
	return lang_accept(v, v ? strlen(v) : 0);
}

static void test_get_falls_back_to_english_then_to_the_id(void **state)
{
	(void)state;
	assert_string_equal(lang_get("fr", "lang.name"), "Français");
	assert_string_equal(lang_get("en", "lang.name"), "English");
	assert_string_equal(lang_get("xx", "lang.name"), "English");
	assert_string_equal(lang_get(NULL, "lang.name"), "English");
	assert_string_equal(lang_get("fr", "no such id %s"), "no such id %s");
	/* a msgid: English is the id itself, French its translation */
	assert_string_equal(lang_get("en", "no route %s"), "no route %s");
	assert_string_not_equal(lang_get("fr", "no route %s"), "no route %s");
}

static void test_pick_keeps_the_command_line_rule(void **state)
{
	(void)state;
	assert_string_equal(lang_pick("fr"), "fr");
	assert_string_equal(lang_pick("fr_FR.UTF-8"), "fr");
	assert_string_equal(lang_pick("en_GB"), "en");
	assert_string_equal(lang_pick("de_DE"), "en");
	assert_string_equal(lang_pick("C.UTF-8"), "en");
	assert_string_equal(lang_pick(NULL), "en");
}

static void test_env_order_is_relais_lang_lc_all_lc_messages_lang(void **state)
{
	(void)state;
	unsetenv("RELAIS_LANG");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	setenv("LANG", "fr_FR.UTF-8", 1);
	assert_string_equal(lang_env(NULL), "fr");
	assert_string_equal(lang_env("en"), "en");
	setenv("LC_MESSAGES", "en_US", 1);
	assert_string_equal(lang_env(NULL), "en");
	setenv("LC_ALL", "", 1); /* empty: not set */
	assert_string_equal(lang_env(NULL), "en");
	setenv("RELAIS_LANG", "fr", 1);
	assert_string_equal(lang_env(NULL), "fr");
	unsetenv("RELAIS_LANG");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LANG");
	assert_string_equal(lang_env(NULL), "en");
}

static void test_accept_language_picks_the_best_q(void **state)
{
	(void)state;
	assert_string_equal(accept(NULL), "en");
	assert_string_equal(accept(""), "en");
	assert_string_equal(accept("fr"), "fr");
	assert_string_equal(accept("fr-CA"), "fr");
	assert_string_equal(accept("FR-ca"), "fr");
	assert_string_equal(accept("de-DE, fr;q=0.5, en;q=0.4"), "fr");
	assert_string_equal(accept("en-US,en;q=0.9,fr;q=0.8"), "en");
	assert_string_equal(accept("fr;q=0.7, en;q=0.9"), "en");
	assert_string_equal(accept("en;q=0.5, fr;q=0.5"), "en");
	assert_string_equal(accept("fr;q=0.5, en;q=0.5"), "fr");
	assert_string_equal(accept("fr ; q=0.8 , de"), "fr");
	assert_string_equal(accept("fr;q=0"), "en");
	assert_string_equal(accept("*;q=0.9, fr;q=0.8"), "en");
	assert_string_equal(accept("fry, frx-fr"), "en");
	/* malformed entries are skipped, not taken at q=1 */
	assert_string_equal(accept("fr;q=2, en;q=0.1"), "en");
	assert_string_equal(accept("fr;q=0.5x"), "en");
	assert_string_equal(accept("fr;q=0.1234"), "en");
	assert_string_equal(accept(",,;,fr"), "fr");
	/* the length bounds the header: no NUL needed */
	assert_string_equal(lang_accept("en,fr", 2), "en");
	assert_string_equal(lang_accept("frxx", 2), "fr");
}

static void test_conversions_are_what_printf_reads(void **state)
{
	char c[64];

	(void)state;
	assert_int_equal(lang_conversions("%s: %lld s, 100%%", c, sizeof(c)),
			 0);
	assert_string_equal(c, "s lld");
	assert_int_equal(lang_conversions("%-8.64s|%*d|%.*f|%zu", c, 64), 0);
	assert_string_equal(c, "s *d *f zu");
	assert_int_equal(lang_conversions("nothing", c, sizeof(c)), 0);
	assert_string_equal(c, "");
	assert_int_equal(lang_conversions("%n", c, sizeof(c)), EINVAL);
	assert_int_equal(lang_conversions("%1$s", c, sizeof(c)), EINVAL);
	assert_int_equal(lang_conversions("100%", c, sizeof(c)), EINVAL);
	assert_int_equal(lang_conversions("%s %s", c, 3), EINVAL);
}

static void test_fill_reads_members_by_id(void **state)
{
	struct view {
		const char *name;
		const char *strerror[2];
		const char *missing;
	} v;
	static const struct lang_field fields[] = {
		{"name", offsetof(struct view, name), 1},
		{"strerror", offsetof(struct view, strerror), 2},
		{"missing", offsetof(struct view, missing), 1},
	};

	(void)state;
	lang_fill(&v, "fr", "lang", fields, 1);
	assert_string_equal(v.name, "Français");
	lang_fill(&v, "en", "lang", fields, 3);
	assert_string_equal(v.name, "English");
	assert_string_equal(v.missing, ""); /* no "lang.missing" anywhere */
	assert_string_equal(v.strerror[1], "");
}

/* ---- the catalogs, as lang/ holds them ---- */

static json_t *catalog(const char *code)
{
	const char *dir = getenv("RELAIS_SOURCE_DIR");
	char path[1024];
	json_t *j;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/lang/%s.json", dir, code);
	j = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	if (!j)
		fail_msg("%s: not a JSON file", path);
	return j;
}

/* The %s of a named message, a template of msg_fill() (cli/msg.h). */
static size_t holes(const char *t)
{
	size_t n = 0;

	for (; *t; t++)
		if (t[0] == '%' && (t[1] == 's' || t[1] == '%'))
			n += *++t == 's';
	return n;
}

static void test_named_messages_exist_in_every_language(void **state)
{
	json_t *en = catalog("en"), *v;
	const char *id;

	(void)state;
	assert_true(lang_count() >= 2);
	for (size_t i = 0; i < lang_count(); i++) {
		json_t *l = catalog(lang_code(i));

		json_object_foreach(en, id, v)
		{
			const char *t =
				json_string_value(json_object_get(l, id));

			if (!t)
				fail_msg("%s.json has no \"%s\"", lang_code(i),
					 id);
			if (holes(t) != holes(json_string_value(v)))
				fail_msg("%s.json: \"%s\" takes %zu %%s, not "
					 "%zu",
					 lang_code(i), id, holes(t),
					 holes(json_string_value(v)));
			/* and the binary has what the file has */
			assert_string_equal(lang_get(lang_code(i), id), t);
		}
		json_decref(l);
	}
	json_decref(en);
}

/* The source with its comments blanked (strings and characters kept). */
static char *source(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	for (char *p = s; *p; p++) {
		if (*p == '"' || *p == '\'') {
			char q = *p;

			for (p++; *p && *p != q; p++)
				if (*p == '\\' && p[1])
					p++;
		} else if (p[0] == '/' && p[1] == '*') {
			char *e = strstr(p + 2, "*/");

			e = e ? e + 2 : p + strlen(p);
			memset(p, ' ', (size_t)(e - p));
			p = e - 1;
		} else if (p[0] == '/' && p[1] == '/') {
			while (*p && *p != '\n')
				*p++ = ' ';
		}
	}
	return s;
}

/* A C string literal at p into out, unescaped; past it. */
static const char *literal(const char *p, char *out, size_t size)
{
	size_t n = strlen(out);

	for (p++; *p && *p != '"'; p++) {
		char c = *p;

		if (c == '\\') {
			c = *++p;
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
		}
		if (n + 1 < size)
			out[n++] = c;
	}
	out[n] = '\0';
	return *p ? p + 1 : p;
}

/* Each run of adjacent literals in [p, end) as one message. */
static void runs(const char *p, const char *end, const char *where,
		 void (*check)(const char *, const char *))
{
	char msg[1024];

	while (p < end) {
		if (*p != '"') {
			p++;
			continue;
		}
		msg[0] = '\0';
		while (p < end && *p == '"') {
			p = literal(p, msg, sizeof(msg));
			while (p < end && strchr(" \t\n", *p))
				p++;
		}
		check(msg, where);
	}
}

/* The end of the argument starting at p: a top-level ',' or ')'. */
static const char *arg_end(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '"' || *p == '\'') {
			char q = *p;

			for (p++; *p && *p != q; p++)
				if (*p == '\\' && p[1])
					p++;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && depth-- == 0) {
			return p;
		} else if (*p == ',' && depth == 0) {
			return p;
		}
	}
	return p;
}

static int checked, missing;

static json_t *fr_catalog;

static void check_msgid(const char *id, const char *where)
{
	const char *t = json_string_value(json_object_get(fr_catalog, id));
	char ci[256], ct[256];
	const char *p = id;

	/* nothing to translate: only conversions ("%s") */
	while (*p == '%' || *p == 's' || *p == ' ')
		p++;
	if (!*p)
		return;
	checked++;
	if (lang_conversions(id, ci, sizeof(ci))) {
		print_error("%s: \"%s\" is not a printf format\n", where, id);
		missing++;
	} else if (!t) {
		print_error("%s: no French for \"%s\"\n", where, id);
		missing++;
	} else if (lang_conversions(t, ct, sizeof(ct)) || strcmp(ci, ct)) {
		print_error("%s: the French of \"%s\" takes %s, not %s\n",
			    where, id, ct, ci);
		missing++;
	} else if (strcmp(lang_get("fr", id), t)) {
		print_error("%s: \"%s\" is not in the binary\n", where, id);
		missing++;
	}
}

/* Every web_error(r, status, code, FORMAT, ...) and N_(TEXT) of a file. */
static void scan(const char *path)
{
	char *s = source(path);

	for (char *p = s; (p = strstr(p, "web_error(")); p++) {
		const char *a = p + strlen("web_error(");

		if (p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		for (int i = 0; i < 3 && *a; i++)
			a = *arg_end(a) == ',' ? arg_end(a) + 1 : arg_end(a);
		runs(a, arg_end(a), path, check_msgid);
	}
	for (char *p = s; (p = strstr(p, "N_(")); p++) {
		const char *a = p + 3;

		if (p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		runs(a, arg_end(a), path, check_msgid);
	}
	free(s);
}

static void test_every_server_message_has_its_french(void **state)
{
	const char *dir = getenv("RELAIS_SOURCE_DIR");
	const char *const where[] = {"src/server/*.c", "src/model/*.c",
				     "src/channels/*.c", "src/channels/*/*.c"};
	char pattern[1024];

	(void)state;
	assert_non_null(dir);
	fr_catalog = catalog("fr");
	for (size_t w = 0; w < sizeof(where) / sizeof(where[0]); w++) {
		glob_t g;

		snprintf(pattern, sizeof(pattern), "%s/%s", dir, where[w]);
		assert_int_equal(glob(pattern, 0, NULL, &g), 0);
		for (size_t i = 0; i < g.gl_pathc; i++)
			scan(g.gl_pathv[i]);
		globfree(&g);
	}
	json_decref(fr_catalog);
	/* the scan finds the messages (a broken scan would pass anything) */
	assert_true(checked > 60);
	assert_int_equal(missing, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_falls_back_to_english_then_to_the_id),
		cmocka_unit_test(test_pick_keeps_the_command_line_rule),
		cmocka_unit_test(
			test_env_order_is_relais_lang_lc_all_lc_messages_lang),
		cmocka_unit_test(test_accept_language_picks_the_best_q),
		cmocka_unit_test(test_conversions_are_what_printf_reads),
		cmocka_unit_test(test_fill_reads_members_by_id),
		cmocka_unit_test(test_named_messages_exist_in_every_language),
		cmocka_unit_test(test_every_server_message_has_its_french),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
