/*
 * jv — how a JSON request body is refused: every message names the field
 * with its path ("steps[1].after_s"), an unknown or read-only field is
 * told apart (-2) from a bad value (-1), and jv_parse lets in only one
 * JSON object without duplicate keys, NUL or trailing bytes, at most 32
 * levels deep.
 *
 * Most tests use a small table of their own, one field per type; a few
 * use the server's real queue and agent tables, whose paths the API
 * documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/jv.h"
#include "server/objects.h"
#include "server/srv.h"

static const char *const colours[] = {"red", "green", "blue", NULL};

static const struct jv_field item_fields[] = {
	{"at", JV_INT, JV_REQUIRED, 0, 100, NULL, NULL},
	{"note", JV_STRING, JV_NULLABLE, 1, 10, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

static const struct jv_field box_fields[] = {
	{"width", JV_INT, 0, 1, 20, NULL, NULL},
	{"label", JV_STRING, JV_REQUIRED, 1, 10, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

static const struct jv_field fields[] = {
	{"id", JV_STRING, JV_READONLY, 0, 0, NULL, NULL},
	{"name", JV_STRING, JV_REQUIRED, 1, 8, NULL, NULL},
	{"free", JV_STRING, 0, 0, 0, NULL, NULL},
	{"count", JV_INT, 0, -5, 10, NULL, NULL},
	{"any_int", JV_INT, 0, 0, 0, NULL, NULL},
	{"ratio", JV_NUMBER, 0, 0, 1, NULL, NULL},
	{"on", JV_BOOL, 0, 0, 0, NULL, NULL},
	{"attrs", JV_OBJECT, 0, 0, 0, NULL, NULL},
	{"tags", JV_STRINGS, 0, 0, 3, NULL, NULL},
	{"levels", JV_INT_MAP, 0, 1, 10, NULL, NULL},
	{"items", JV_ARRAY, 0, 0, 3, NULL, item_fields},
	{"box", JV_SUBOBJECT, 0, 0, 0, NULL, box_fields},
	{"colour", JV_STRING, JV_NULLABLE, 0, 0, colours, NULL},
	{"owner", JV_STRING, JV_REQUIRED | JV_NULLABLE, 1, 64, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

/* What jv_check wrote. */
struct out {
	char msg[256];
};

/* Parses text (which must be valid) and checks it; returns jv_check's. */
static int check_text(const char *text, const struct jv_field *f, bool create,
		      struct out *o)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	int rc;

	if (!j)
		fail_msg("bad test JSON %s: %s", text, e.text);
	memset(o->msg, 0, sizeof(o->msg));
	rc = jv_check(j, f, create, o->msg, sizeof(o->msg));
	json_decref(j);
	return rc;
}

static void accepts(const char *text, bool create)
{
	struct out o;

	if (check_text(text, fields, create, &o))
		fail_msg("%s refused: %s", text, o.msg);
}

static void refuses(const char *text, bool create, int rc, const char *msg)
{
	struct out o;

	assert_int_equal(check_text(text, fields, create, &o), rc);
	assert_string_equal(o.msg, msg);
}

/* An unknown field of table f: -2 and msg. */
static void refuses_unknown(const char *text, const struct jv_field *f,
			    const char *msg)
{
	struct out o;

	assert_int_equal(check_text(text, f, false, &o), -2);
	assert_string_equal(o.msg, msg);
}

static const struct jv_field *kind_fields(enum kind_id k)
{
	return kinds[k]->fields;
}

/* ---- jv_check: the basics ---- */

static void test_every_type_accepts_a_good_value(void **state)
{
	(void)state;
	accepts("{\"name\":\"ann\",\"owner\":\"x\",\"free\":\"\","
		"\"count\":-5,\"any_int\":-99999,\"ratio\":0.5,\"on\":false,"
		"\"attrs\":{\"a\":[1,{}]},\"tags\":[\"a\",\"b\"],"
		"\"levels\":{\"fr\":1,\"en\":10},"
		"\"items\":[{\"at\":0},{\"at\":100,\"note\":\"n\"}],"
		"\"box\":{\"label\":\"l\",\"width\":20},\"colour\":\"green\"}",
		true);
}

static void test_empty_body_is_fine_on_update(void **state)
{
	(void)state;
	accepts("{}", false);
}

static void test_unknown_field_returns_minus_2_and_names_it(void **state)
{
	(void)state;
	refuses("{\"nme\":\"ann\"}", false, -2, "unknown field: nme");
}

static void test_unknown_field_wins_over_a_missing_required(void **state)
{
	(void)state;
	refuses("{\"extra\":1}", true, -2, "unknown field: extra");
}

static void test_read_only_field_is_refused_as_unknown(void **state)
{
	(void)state;
	refuses("{\"id\":\"abc\"}", false, -2, "unknown field: id");
	refuses("{\"name\":\"ann\",\"owner\":\"o\",\"id\":\"abc\"}", true, -2,
		"unknown field: id");
}

static void test_body_that_is_not_an_object_is_refused(void **state)
{
	char msg[64];
	json_t *a = json_array();

	(void)state;
	assert_int_equal(jv_check(a, fields, false, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "the body must be a JSON object");
	assert_int_equal(jv_check(NULL, fields, false, msg, sizeof(msg)), -1);
	json_decref(a);
}

/* ---- types ---- */

static void test_string_refuses_a_number(void **state)
{
	(void)state;
	refuses("{\"name\":5}", false, -1, "name: expected a string");
}

static void test_int_refuses_a_real_and_a_string(void **state)
{
	(void)state;
	refuses("{\"count\":1.5}", false, -1, "count: expected an integer");
	refuses("{\"count\":\"1\"}", false, -1, "count: expected an integer");
	refuses("{\"count\":1.0}", false, -1, "count: expected an integer");
}

static void test_number_takes_integers_and_reals(void **state)
{
	(void)state;
	accepts("{\"ratio\":1}", false);
	accepts("{\"ratio\":0.25}", false);
	refuses("{\"ratio\":\"0.5\"}", false, -1, "ratio: expected a number");
}

static void test_bool_refuses_zero_and_strings(void **state)
{
	(void)state;
	accepts("{\"on\":true}", false);
	refuses("{\"on\":0}", false, -1, "on: expected true or false");
	refuses("{\"on\":\"true\"}", false, -1, "on: expected true or false");
}

static void test_object_takes_any_object_only(void **state)
{
	(void)state;
	accepts("{\"attrs\":{}}", false);
	refuses("{\"attrs\":[]}", false, -1, "attrs: expected an object");
	refuses("{\"attrs\":\"x\"}", false, -1, "attrs: expected an object");
}

/* ---- ranges ---- */

static void test_int_range_includes_both_bounds(void **state)
{
	(void)state;
	accepts("{\"count\":-5}", false);
	accepts("{\"count\":10}", false);
	refuses("{\"count\":-6}", false, -1,
		"count: expected an integer from -5 to 10");
	refuses("{\"count\":11}", false, -1,
		"count: expected an integer from -5 to 10");
}

static void test_int_without_range_takes_any_integer(void **state)
{
	(void)state;
	accepts("{\"any_int\":9007199254740993}", false);
	accepts("{\"any_int\":-9007199254740993}", false);
}

static void test_number_range(void **state)
{
	(void)state;
	accepts("{\"ratio\":0}", false);
	refuses("{\"ratio\":1.01}", false, -1,
		"ratio: expected a number from 0 to 1");
	refuses("{\"ratio\":-0.01}", false, -1,
		"ratio: expected a number from 0 to 1");
}

static void test_string_length_is_in_bytes(void **state)
{
	(void)state;
	accepts("{\"name\":\"12345678\"}", false);
	refuses("{\"name\":\"123456789\"}", false, -1,
		"name: expected a string of 1 to 8 bytes");
	refuses("{\"name\":\"\"}", false, -1,
		"name: expected a string of 1 to 8 bytes");
	/* four characters, nine bytes */
	refuses("{\"name\":\"\\u00e9\\u00e9\\u00e9\\u20ac\"}", false, -1,
		"name: expected a string of 1 to 8 bytes");
}

static void test_string_without_range_takes_empty(void **state)
{
	(void)state;
	accepts("{\"free\":\"\"}", false);
}

/* ---- oneof ---- */

static void test_oneof_accepts_listed_values(void **state)
{
	(void)state;
	accepts("{\"colour\":\"red\"}", false);
	accepts("{\"colour\":\"blue\"}", false);
}

static void test_oneof_refuses_others_and_lists_them(void **state)
{
	(void)state;
	refuses("{\"colour\":\"Red\"}", false, -1,
		"colour: expected one of red, green, blue");
	refuses("{\"colour\":\"\"}", false, -1,
		"colour: expected one of red, green, blue");
	refuses("{\"colour\":1}", false, -1, "colour: expected a string");
}

static void test_oneof_message_is_cut_to_the_buffer(void **state)
{
	char msg[20];
	json_t *j = json_pack("{s:s}", "colour", "mauve");

	(void)state;
	memset(msg, 'x', sizeof(msg));
	assert_int_equal(jv_check(j, fields, false, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "colour: expected on");
	json_decref(j);
}

/* ---- required, nullable ---- */

static void test_required_field_missing_on_create(void **state)
{
	(void)state;
	refuses("{\"owner\":\"o\"}", true, -1, "name: required");
}

static void test_required_field_not_needed_on_update(void **state)
{
	(void)state;
	accepts("{\"count\":1}", false);
}

static void test_required_nullable_field_set_to_null_on_create(void **state)
{
	(void)state;
	refuses("{\"name\":\"ann\",\"owner\":null}", true, -1,
		"owner: required");
	accepts("{\"owner\":null}", false);
}

static void test_null_on_a_required_field_is_a_type_error(void **state)
{
	(void)state;
	refuses("{\"name\":null}", false, -1, "name: expected a string");
	refuses("{\"name\":null,\"owner\":\"o\"}", true, -1,
		"name: expected a string");
}

static void test_nullable_field_accepts_null(void **state)
{
	(void)state;
	accepts("{\"colour\":null}", false);
	accepts("{\"items\":[{\"at\":1,\"note\":null}]}", false);
}

static void test_null_on_a_plain_field_is_refused(void **state)
{
	(void)state;
	refuses("{\"count\":null}", false, -1, "count: expected an integer");
	refuses("{\"box\":null}", false, -1, "box: expected an object");
	refuses("{\"tags\":null}", false, -1,
		"tags: expected an array of strings");
}

/* ---- nested paths ---- */

static void test_array_item_field_is_named_with_index(void **state)
{
	(void)state;
	refuses("{\"items\":[{\"at\":1},{\"at\":101}]}", false, -1,
		"items[1].at: expected an integer from 0 to 100");
	refuses_unknown("{\"items\":[{\"at\":1},{\"at\":2,\"foo\":1}]}", fields,
			"unknown field: items[1].foo");
}

static void test_array_item_required_field_even_on_update(void **state)
{
	(void)state;
	/* An item is always whole: its required fields apply on update. */
	refuses("{\"items\":[{\"at\":1},{\"note\":\"n\"}]}", false, -1,
		"items[1].at: required");
}

static void test_array_item_must_be_an_object(void **state)
{
	(void)state;
	refuses("{\"items\":[{\"at\":1},7]}", false, -1,
		"items[1]: expected an object");
	refuses("{\"items\":{\"at\":1}}", false, -1,
		"items: expected an array of objects");
}

static void test_array_item_count_is_capped(void **state)
{
	(void)state;
	accepts("{\"items\":[]}", false);
	accepts("{\"items\":[{\"at\":1},{\"at\":2},{\"at\":3}]}", false);
	refuses("{\"items\":[{\"at\":1},{\"at\":2},{\"at\":3},{\"at\":4}]}",
		false, -1, "items: at most 3 items");
}

static void test_subobject_field_is_named_with_a_dot(void **state)
{
	(void)state;
	refuses("{\"box\":{\"label\":\"l\",\"width\":0}}", false, -1,
		"box.width: expected an integer from 1 to 20");
	refuses_unknown("{\"box\":{\"label\":\"l\",\"depth\":1}}", fields,
			"unknown field: box.depth");
	refuses("{\"box\":{\"width\":2}}", false, -1, "box.label: required");
	refuses("{\"box\":[]}", false, -1, "box: expected an object");
}

/* ---- JV_INT_MAP ---- */

static void test_int_map_checks_each_value_by_key(void **state)
{
	(void)state;
	accepts("{\"levels\":{}}", false);
	refuses("{\"levels\":{\"fr\":5,\"en\":11}}", false, -1,
		"levels.en: expected an integer from 1 to 10");
	refuses("{\"levels\":{\"fr\":0}}", false, -1,
		"levels.fr: expected an integer from 1 to 10");
	refuses("{\"levels\":{\"fr\":\"5\"}}", false, -1,
		"levels.fr: expected an integer from 1 to 10");
	refuses("{\"levels\":{\"fr\":5.5}}", false, -1,
		"levels.fr: expected an integer from 1 to 10");
	refuses("{\"levels\":[1]}", false, -1,
		"levels: expected an object of integers");
}

/* ---- JV_STRINGS ---- */

static void test_strings_refuses_empty_and_non_strings(void **state)
{
	(void)state;
	accepts("{\"tags\":[]}", false);
	refuses("{\"tags\":[\"a\",\"\"]}", false, -1,
		"tags[1]: expected a non-empty string");
	refuses("{\"tags\":[\"a\",\"b\",3]}", false, -1,
		"tags[2]: expected a non-empty string");
	refuses("{\"tags\":\"a\"}", false, -1,
		"tags: expected an array of strings");
}

static void test_strings_count_is_capped(void **state)
{
	(void)state;
	accepts("{\"tags\":[\"a\",\"b\",\"c\"]}", false);
	refuses("{\"tags\":[\"a\",\"b\",\"c\",\"d\"]}", false, -1,
		"tags: at most 3 items");
}

/* ---- long names and small buffers ---- */

static void test_long_unknown_key_is_cut_not_overflowed(void **state)
{
	char key[600], msg[64];
	json_t *j = json_object();

	(void)state;
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	json_object_set_new(j, key, json_true());
	assert_int_equal(jv_check(j, fields, false, msg, sizeof(msg)), -2);
	assert_int_equal(strlen(msg), sizeof(msg) - 1);
	assert_memory_equal(msg, "unknown field: kkk", 18);
	json_decref(j);
}

static void test_long_key_inside_an_array_item(void **state)
{
	char key[400], msg[512];
	json_t *j = json_pack("{s:[{s:i}]}", "items", "at", 1);

	(void)state;
	memset(key, 'q', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	json_object_set_new(json_array_get(json_object_get(j, "items"), 0), key,
			    json_true());
	assert_int_equal(jv_check(j, fields, false, msg, sizeof(msg)), -2);
	assert_memory_equal(msg, "unknown field: items[0].qqq", 27);
	/* the path is cut at 159 bytes */
	assert_int_equal(strlen(msg), strlen("unknown field: ") + 159);
	json_decref(j);
}

/* ---- the server's own tables ---- */

static void test_queue_step_unknown_field_path(void **state)
{
	(void)state;
	refuses_unknown(
		"{\"steps\":[{\"after_s\":0},{\"after_s\":30,\"foo\":1}]}",
		kind_fields(K_QUEUES), "unknown field: steps[1].foo");
}

/*
 * An unknown field inside an array item or a sub-object gives -2 like one
 * at the top, so that the API answers "unknown_field" for
 * {"steps":[{"after_s":0,"foo":1}]}, not "invalid_field".
 */
static void test_nested_unknown_field_returns_minus_2(void **state)
{
	struct out o;

	(void)state;
	assert_int_equal(check_text("{\"items\":[{\"at\":2,\"foo\":1}]}",
				    fields, false, &o),
			 -2);
	assert_int_equal(check_text("{\"box\":{\"label\":\"l\",\"x\":1}}",
				    fields, false, &o),
			 -2);
	assert_int_equal(check_text("{\"steps\":[{\"after_s\":0,\"foo\":1}]}",
				    kind_fields(K_QUEUES), false, &o),
			 -2);
}

static void test_queue_step_after_s_range(void **state)
{
	struct out o;

	(void)state;
	assert_int_equal(check_text("{\"steps\":[{\"after_s\":0},"
				    "{\"after_s\":604801}]}",
				    kind_fields(K_QUEUES), false, &o),
			 -1);
	assert_string_equal(o.msg,
			    "steps[1].after_s: expected an integer from 0 to "
			    "604800");
}

static void test_queue_create_needs_tenant_name_channel(void **state)
{
	struct out o;

	(void)state;
	assert_int_equal(check_text("{\"name\":\"q\",\"channel\":\"voice\"}",
				    kind_fields(K_QUEUES), true, &o),
			 -1);
	assert_string_equal(o.msg, "tenant: required");
	assert_int_equal(check_text("{\"tenant\":\"t\",\"name\":\"q\","
				    "\"channel\":\"fax\"}",
				    kind_fields(K_QUEUES), true, &o),
			 -1);
	assert_string_equal(o.msg,
			    "channel: expected one of voice, chat, email, sms");
	assert_int_equal(check_text("{\"tenant\":\"t\",\"name\":\"q\","
				    "\"channel\":\"chat\",\"steps\":["
				    "{\"after_s\":0,\"filter\":null,"
				    "\"action\":\"callback\"}]}",
				    kind_fields(K_QUEUES), true, &o),
			 0);
}

static void test_agent_capacity_and_skills_paths(void **state)
{
	struct out o;

	(void)state;
	assert_int_equal(check_text("{\"capacity\":{\"voice\":21}}",
				    kind_fields(K_AGENTS), false, &o),
			 -1);
	assert_string_equal(o.msg,
			    "capacity.voice: expected an integer from 0 to 20");
	assert_int_equal(check_text("{\"skills\":{\"billing\":11}}",
				    kind_fields(K_AGENTS), false, &o),
			 -1);
	assert_string_equal(o.msg,
			    "skills.billing: expected an integer from 1 to 10");
	assert_int_equal(check_text("{\"state\":\"available\"}",
				    kind_fields(K_AGENTS), false, &o),
			 -2);
	assert_string_equal(o.msg, "unknown field: state");
}

static void test_every_kind_refuses_its_read_only_id(void **state)
{
	struct out o;

	(void)state;
	for (int k = 0; k < K_MAX; k++) {
		assert_int_equal(
			check_text("{\"id\":\"x\"}", kind_fields(k), false, &o),
			-2);
		assert_string_equal(o.msg, "unknown field: id");
	}
}

/* ---- the tables speak the engine's words ---- */

static const struct jv_field *field(const struct jv_field *t, const char *name)
{
	const struct jv_field *f = jv_field_find(t, name);

	if (!f)
		fail_msg("no field %s", name);
	return f;
}

static void test_queue_channels_and_strategies_parse(void **state)
{
	const struct jv_field *q = kind_fields(K_QUEUES);
	const char *const *v;
	enum channel ch;
	enum strategy st;

	(void)state;
	for (v = field(q, "channel")->oneof; *v; v++)
		if (!engine_channel_parse(*v, &ch))
			fail_msg("channel %s", *v);
	for (v = field(q, "strategy")->oneof; *v; v++)
		if (!engine_strategy_parse(*v, &st))
			fail_msg("strategy %s", *v);
}

static void test_site_kinds_parse(void **state)
{
	const char *const *v;
	enum site_kind k;

	(void)state;
	for (v = field(kind_fields(K_SITES), "kind")->oneof; *v; v++)
		if (!expr_site_kind_parse(*v, strlen(*v), &k))
			fail_msg("site kind %s", *v);
}

/* ---- jv_parse ---- */

static json_t *parse(const char *text, char *msg, size_t size)
{
	memset(msg, 0, size);
	return jv_parse(text, strlen(text), msg, size);
}

static void test_parse_returns_an_object(void **state)
{
	char msg[256];
	json_t *j = parse(" {\"a\": [1, 2], \"b\": {\"c\": null}}\n", msg,
			  sizeof(msg));

	(void)state;
	assert_non_null(j);
	assert_true(json_is_object(j));
	assert_int_equal(json_array_size(json_object_get(j, "a")), 2);
	json_decref(j);
}

static void test_parse_uses_only_len_bytes(void **state)
{
	char msg[256];
	const char text[] = "{\"a\":1}garbage";
	json_t *j = jv_parse(text, 7, msg, sizeof(msg));

	(void)state;
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
	json_decref(j);
}

static void test_parse_refuses_duplicate_keys(void **state)
{
	char msg[256];

	(void)state;
	assert_null(parse("{\"a\":1,\"a\":2}", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "duplicate"));
	assert_non_null(strstr(msg, "invalid JSON at line 1"));
}

static void test_parse_refuses_nested_duplicate_keys(void **state)
{
	char msg[256];

	(void)state;
	assert_null(parse("{\"s\":[{\"x\":1,\"x\":1}]}", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "duplicate"));
}

static void test_parse_refuses_escaped_nul(void **state)
{
	char msg[256];

	(void)state;
	assert_null(parse("{\"a\":\"x\\u0000y\"}", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "invalid JSON"));
	assert_null(parse("{\"a\\u0000\":1}", msg, sizeof(msg)));
}

static void test_parse_refuses_raw_nul_byte(void **state)
{
	char msg[256];
	const char text[] = "{\"a\":\"x\0y\"}";

	(void)state;
	assert_null(jv_parse(text, sizeof(text) - 1, msg, sizeof(msg)));
	assert_null(jv_parse("{\"a\":1}\0", 8, msg, sizeof(msg)));
	assert_null(jv_parse("{\0}", 3, msg, sizeof(msg)));
}

static void test_parse_refuses_an_array(void **state)
{
	char msg[256];

	(void)state;
	assert_null(parse("[]", msg, sizeof(msg)));
	assert_string_equal(msg, "the body must be a JSON object");
	assert_null(parse("[{\"a\":1}]", msg, sizeof(msg)));
	assert_string_equal(msg, "the body must be a JSON object");
}

static void test_parse_refuses_a_bare_value(void **state)
{
	static const char *const texts[] = {"1", "\"s\"", "true", "null"};
	char msg[256];

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_null(parse(texts[i], msg, sizeof(msg)));
		assert_non_null(strstr(msg, "invalid JSON at line 1"));
	}
}

static void test_parse_refuses_trailing_garbage(void **state)
{
	char msg[256];

	(void)state;
	assert_null(parse("{} x", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "invalid JSON"));
	assert_null(parse("{}{}", msg, sizeof(msg)));
	assert_null(parse("{\"a\":1},", msg, sizeof(msg)));
}

static void test_parse_refuses_empty_and_broken(void **state)
{
	char msg[256];

	(void)state;
	assert_null(jv_parse("", 0, msg, sizeof(msg)));
	assert_null(parse("   ", msg, sizeof(msg)));
	assert_null(parse("{\"a\":}", msg, sizeof(msg)));
	assert_null(parse("{\"a\":1", msg, sizeof(msg)));
	assert_null(parse("{'a':1}", msg, sizeof(msg)));
	assert_null(parse("{\"a\":NaN}", msg, sizeof(msg)));
	assert_null(parse("{\"a\":1e999}", msg, sizeof(msg)));
	assert_null(parse("{\"a\":\"\xff\"}", msg, sizeof(msg)));
}

static void test_parse_error_gives_line_and_column(void **state)
{
	char msg[256];

	(void)state;
	assert_null(parse("{\n  \"a\": tru\n}", msg, sizeof(msg)));
	assert_non_null(strstr(msg, "invalid JSON at line 2 column "));
}

/* head, n times open, "0", n times close, tail: malloc'd. */
static char *nested(const char *open, const char *close, int n,
		    const char *head, const char *tail)
{
	size_t size = strlen(head) + strlen(tail) +
		      (size_t)n * (strlen(open) + strlen(close)) + 2;
	char *t = malloc(size), *p;

	assert_non_null(t);
	p = t + sprintf(t, "%s", head);
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s", open);
	*p++ = '0';
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s", close);
	sprintf(p, "%s", tail);
	return t;
}

static json_t *parse_nested(int n, char *msg, size_t size)
{
	/* the body is level 1, "a" holds the other n */
	char *t = nested("[", "]", n, "{\"a\":", "}");
	json_t *j = parse(t, msg, size);

	free(t);
	return j;
}

static void test_parse_takes_32_levels(void **state)
{
	char msg[256];
	json_t *j = parse_nested(JV_DEPTH_MAX - 1, msg, sizeof(msg));

	(void)state;
	assert_int_equal(JV_DEPTH_MAX, 32);
	assert_non_null(j);
	json_decref(j);
	j = parse("{\"a\":{\"b\":[{\"c\":[]}]},\"d\":[[1],[2]],\"e\":{}}", msg,
		  sizeof(msg));
	assert_non_null(j);
	json_decref(j);
}

static void test_parse_refuses_33_levels_and_names_the_limit(void **state)
{
	char msg[256];

	(void)state;
	assert_null(parse_nested(JV_DEPTH_MAX, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "invalid JSON"));
	assert_non_null(strstr(msg, "deeper than 32 levels"));
}

/* The depth SQLite's JSON functions refuse (so the commit failed). */
static void test_parse_refuses_2000_levels(void **state)
{
	char msg[256];
	char *t = nested("{\"k\":", "}", 2000, "", "");

	(void)state;
	assert_null(jv_parse(t, strlen(t), msg, sizeof(msg)));
	assert_non_null(strstr(msg, "deeper than 32 levels (at byte "));
	free(t);
	assert_null(parse_nested(2046, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "deeper than 32 levels"));
}

/* Depth counts structure, not brackets inside strings or keys. */
static void test_parse_depth_skips_strings(void **state)
{
	char msg[256];
	char *t = nested("[{", "}]", 40, "{\"s\":\"", "\"}");
	json_t *j = parse(t, msg, sizeof(msg));

	(void)state;
	free(t);
	assert_non_null(j);
	json_decref(j);
	/* an escaped quote does not end the string; a backslash pair does */
	t = nested("[", "", 40, "{\"s\":\"\\\"", "\",\"t\":\"\\\\\"}");
	j = parse(t, msg, sizeof(msg));
	free(t);
	assert_non_null(j);
	json_decref(j);
	t = nested("[", "]", 40, "{\"s\":\"\\\\\",\"t\":", "}");
	assert_null(parse(t, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "deeper than 32 levels"));
	free(t);
	t = nested("{\"[[[[\":", "}", JV_DEPTH_MAX, "{\"a\":", "}");
	assert_null(parse(t, msg, sizeof(msg)));
	free(t);
	t = nested("{\"[[[[\":", "}", JV_DEPTH_MAX - 1, "{\"a\":", "}");
	j = parse(t, msg, sizeof(msg));
	free(t);
	assert_non_null(j);
	json_decref(j);
}

/* Closing brackets before opening ones buy no depth. */
static void test_parse_depth_is_not_fooled_by_stray_closers(void **state)
{
	char msg[256];
	char *t = nested("[", "]", 40, "]]]]]]]]]]]]]]]]]]]]{\"a\":", "}");

	(void)state;
	assert_null(parse(t, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "deeper than 32 levels"));
	free(t);
}

/* ---- readers ---- */

static void test_readers_give_defaults_for_absent_or_other_types(void **state)
{
	json_t *j = json_pack("{s:s,s:i,s:f,s:b,s:n}", "s", "x", "i", 7, "f",
			      2.5, "b", 1, "n");

	(void)state;
	assert_string_equal(jv_str(j, "s"), "x");
	assert_null(jv_str(j, "i"));
	assert_null(jv_str(j, "missing"));
	assert_int_equal(jv_int(j, "i", -1), 7);
	assert_int_equal(jv_int(j, "f", -1), -1);
	assert_int_equal(jv_int(j, "n", 42), 42);
	assert_true(jv_num(j, "f", 0) == 2.5);
	assert_true(jv_num(j, "i", 0) == 7.0);
	assert_true(jv_num(j, "s", -3) == -3.0);
	assert_true(jv_bool(j, "b", false));
	assert_false(jv_bool(j, "i", false));
	assert_true(jv_bool(j, "missing", true));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type_accepts_a_good_value),
		cmocka_unit_test(test_empty_body_is_fine_on_update),
		cmocka_unit_test(
			test_unknown_field_returns_minus_2_and_names_it),
		cmocka_unit_test(
			test_unknown_field_wins_over_a_missing_required),
		cmocka_unit_test(test_read_only_field_is_refused_as_unknown),
		cmocka_unit_test(test_body_that_is_not_an_object_is_refused),
		cmocka_unit_test(test_string_refuses_a_number),
		cmocka_unit_test(test_int_refuses_a_real_and_a_string),
		cmocka_unit_test(test_number_takes_integers_and_reals),
		cmocka_unit_test(test_bool_refuses_zero_and_strings),
		cmocka_unit_test(test_object_takes_any_object_only),
		cmocka_unit_test(test_int_range_includes_both_bounds),
		cmocka_unit_test(test_int_without_range_takes_any_integer),
		cmocka_unit_test(test_number_range),
		cmocka_unit_test(test_string_length_is_in_bytes),
		cmocka_unit_test(test_string_without_range_takes_empty),
		cmocka_unit_test(test_oneof_accepts_listed_values),
		cmocka_unit_test(test_oneof_refuses_others_and_lists_them),
		cmocka_unit_test(test_oneof_message_is_cut_to_the_buffer),
		cmocka_unit_test(test_required_field_missing_on_create),
		cmocka_unit_test(test_required_field_not_needed_on_update),
		cmocka_unit_test(
			test_required_nullable_field_set_to_null_on_create),
		cmocka_unit_test(test_null_on_a_required_field_is_a_type_error),
		cmocka_unit_test(test_nullable_field_accepts_null),
		cmocka_unit_test(test_null_on_a_plain_field_is_refused),
		cmocka_unit_test(test_array_item_field_is_named_with_index),
		cmocka_unit_test(test_array_item_required_field_even_on_update),
		cmocka_unit_test(test_array_item_must_be_an_object),
		cmocka_unit_test(test_array_item_count_is_capped),
		cmocka_unit_test(test_subobject_field_is_named_with_a_dot),
		cmocka_unit_test(test_int_map_checks_each_value_by_key),
		cmocka_unit_test(test_strings_refuses_empty_and_non_strings),
		cmocka_unit_test(test_strings_count_is_capped),
		cmocka_unit_test(test_long_unknown_key_is_cut_not_overflowed),
		cmocka_unit_test(test_long_key_inside_an_array_item),
		cmocka_unit_test(test_queue_step_unknown_field_path),
		cmocka_unit_test(test_nested_unknown_field_returns_minus_2),
		cmocka_unit_test(test_queue_step_after_s_range),
		cmocka_unit_test(test_queue_create_needs_tenant_name_channel),
		cmocka_unit_test(test_agent_capacity_and_skills_paths),
		cmocka_unit_test(test_every_kind_refuses_its_read_only_id),
		cmocka_unit_test(test_queue_channels_and_strategies_parse),
		cmocka_unit_test(test_site_kinds_parse),
		cmocka_unit_test(test_parse_returns_an_object),
		cmocka_unit_test(test_parse_uses_only_len_bytes),
		cmocka_unit_test(test_parse_refuses_duplicate_keys),
		cmocka_unit_test(test_parse_refuses_nested_duplicate_keys),
		cmocka_unit_test(test_parse_refuses_escaped_nul),
		cmocka_unit_test(test_parse_refuses_raw_nul_byte),
		cmocka_unit_test(test_parse_refuses_an_array),
		cmocka_unit_test(test_parse_refuses_a_bare_value),
		cmocka_unit_test(test_parse_refuses_trailing_garbage),
		cmocka_unit_test(test_parse_refuses_empty_and_broken),
		cmocka_unit_test(test_parse_error_gives_line_and_column),
		cmocka_unit_test(test_parse_takes_32_levels),
		cmocka_unit_test(
			test_parse_refuses_33_levels_and_names_the_limit),
		cmocka_unit_test(test_parse_refuses_2000_levels),
		cmocka_unit_test(test_parse_depth_skips_strings),
		cmocka_unit_test(
			test_parse_depth_is_not_fooled_by_stray_closers),
		cmocka_unit_test(
			test_readers_give_defaults_for_absent_or_other_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
