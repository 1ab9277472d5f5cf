/*
 * flow — IVR flows: what validation refuses (one test per class of error,
 * each message naming the node, in English and French) and how a walk
 * goes through every type of node.
 */
#include "server/libre.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "channels/voice/flow.h"
#include "lang/lang.h"

/* A flow of tenant T whose nodes are the JSON text nodes. */
static json_t *body_of(const char *start, const char *nodes)
{
	json_error_t e;
	json_t *n = json_loads(nodes, 0, &e), *b;

	if (!n)
		fail_msg("bad JSON in the test: %s: %s", e.text, nodes);
	b = json_pack("{s:s,s:s,s:s,s:o}", "tenant", "T", "name", "Test",
		      "start", start, "nodes", n);
	return b;
}

static struct flow *parse_ok(const char *start, const char *nodes)
{
	json_t *b = body_of(start, nodes);
	char msg[256] = "";
	struct lang_out why = LANG_OUT(NULL, msg);
	struct flow *f = NULL;

	if (flow_parse(&f, b, &why))
		fail_msg("refused: %s", msg);
	json_decref(b);
	return f;
}

/* The refusal of nodes in lang; its message must contain expect. */
static void refused(const char *lang, const char *start, const char *nodes,
		    const char *expect)
{
	json_t *b = body_of(start, nodes);
	char msg[256] = "";
	struct lang_out why = LANG_OUT(lang, msg);
	struct flow *f = NULL;

	if (flow_parse(&f, b, &why) != EINVAL)
		fail_msg("accepted: %s", nodes);
	if (!strstr(msg, expect))
		fail_msg("\"%s\" does not say \"%s\"", msg, expect);
	json_decref(b);
}

#define BYE "\"bye\":{\"type\":\"hangup\"}"
#define SAY "\"say\":{\"en\":\"Hello\",\"fr\":\"Bonjour\"}"

static void test_unknown_type_and_field_name_the_node(void **state)
{
	(void)state;
	refused(NULL, "a", "{\"a\":{\"type\":\"dance\"}}",
		"nodes.a: type: unknown type \"dance\"");
	refused("fr", "a", "{\"a\":{\"type\":\"dance\"}}",
		"nodes.a : type : type inconnu \"dance\"");
	refused(NULL, "a", "{\"a\":{\"type\":\"hangup\",\"next\":\"a\"}}",
		"nodes.a: unknown field next");
	refused(NULL, "a", "{\"a\":{\"say\":{\"en\":\"x\"}}}",
		"nodes.a: type: required");
	refused(NULL, "a", "{\"a\":3}", "nodes.a: expected an object");
	refused(NULL, "a", "{\"a\":{\"type\":\"hangup\",\"\":1}}",
		"nodes.a: unknown field  for a node");
}

static void test_missing_and_unknown_targets(void **state)
{
	(void)state;
	refused(NULL, "a", "{\"a\":{\"type\":\"prompt\"," SAY "}," BYE "}",
		"nodes.a: next: required");
	refused(NULL, "a",
		"{\"a\":{\"type\":\"prompt\"," SAY ",\"next\":\"zz\"}," BYE "}",
		"nodes.a: next: no such node \"zz\"");
	refused(NULL, "m",
		"{\"m\":{\"type\":\"menu\"," SAY
		",\"options\":{\"1\":\"bye\",\"3\":\"x\"}}," BYE "}",
		"nodes.m: options.3: no such node \"x\"");
	refused("fr", "m",
		"{\"m\":{\"type\":\"menu\"," SAY
		",\"options\":{\"1\":\"bye\",\"3\":\"x\"}}," BYE "}",
		"nodes.m : options.3 : aucun nœud \"x\"");
	refused(NULL, "m",
		"{\"m\":{\"type\":\"menu\"," SAY
		",\"options\":{\"12\":\"bye\"}}," BYE "}",
		"nodes.m: options.12: a key is one digit");
	refused(NULL, "m", "{\"m\":{\"type\":\"menu\"," SAY "}," BYE "}",
		"nodes.m: options: expected an object");
	refused(NULL, "c",
		"{\"c\":{\"type\":\"calendar\",\"calendar\":\"C\","
		"\"open\":\"bye\"}," BYE "}",
		"nodes.c: closed: required");
	refused(NULL, "nope", "{" BYE "}", "start: no such node \"nope\"");
}

static void test_bad_values(void **state)
{
	(void)state;
	refused(NULL, "a",
		"{\"a\":{\"type\":\"prompt\",\"next\":\"bye\"}," BYE "}",
		"nodes.a: say: required");
	refused(NULL, "a",
		"{\"a\":{\"type\":\"prompt\",\"say\":{},\"next\":\"bye\"}," BYE
		"}",
		"nodes.a: say: expected texts per language");
	refused(NULL, "a",
		"{\"a\":{\"type\":\"prompt\",\"say\":{\"de\":\"Hallo\"},"
		"\"next\":\"bye\"}," BYE "}",
		"nodes.a: say.de: not a language of relais");
	refused(NULL, "a",
		"{\"a\":{\"type\":\"prompt\",\"say\":{\"en\":\"\"},"
		"\"next\":\"bye\"}," BYE "}",
		"nodes.a: say.en: a text of 1 to 500 characters");
	refused(NULL, "l",
		"{\"l\":{\"type\":\"language\"," SAY
		",\"options\":{\"1\":\"xx\"},\"next\":\"bye\"}," BYE "}",
		"nodes.l: options.1: not a language of relais");
	refused(NULL, "m",
		"{\"m\":{\"type\":\"menu\"," SAY
		",\"options\":{\"1\":\"bye\"},\"timeout_s\":0}," BYE "}",
		"nodes.m: timeout_s: expected an integer from 1 to 60");
	refused(NULL, "s",
		"{\"s\":{\"type\":\"set\",\"priority\":101,\"next\":\"bye\"}"
		"," BYE "}",
		"nodes.s: priority: expected an integer from -100 to 100");
	refused(NULL, "s",
		"{\"s\":{\"type\":\"set\",\"attributes\":{\"a\":[1]},"
		"\"next\":\"bye\"}," BYE "}",
		"nodes.s: attributes.a: expected a string");
	refused(NULL, "t", "{\"t\":{\"type\":\"transfer\",\"number\":\"123\"}}",
		"nodes.t: number: an E.164 number");
	refused(NULL, "q", "{\"q\":{\"type\":\"queue\"}}",
		"nodes.q: queue: required");
	refused(NULL, "p",
		"{\"p\":{\"type\":\"prompt\"," SAY ",\"next\":5}," BYE "}",
		"nodes.p: next: expected a string of 1 to 64 bytes");
	refused(NULL, "m",
		"{\"m\":{\"type\":\"menu\"," SAY
		",\"options\":{\"1\":\"bye\"},\"retries\":10}," BYE "}",
		"nodes.m: retries: expected an integer from 0 to 9");
	refused(NULL, "s",
		"{\"s\":{\"type\":\"set\",\"attributes\":[],"
		"\"next\":\"bye\"}," BYE "}",
		"nodes.s: attributes: expected an object");
}

/* The body itself: an object with a tenant and a start. */
static void test_body_shape(void **state)
{
	char msg[256] = "";
	struct lang_out why = LANG_OUT("fr", msg);
	struct flow *f = NULL;
	json_t *b = json_pack("[]");

	(void)state;
	assert_int_equal(flow_parse(&f, b, &why), EINVAL);
	assert_string_equal(msg, "un parcours est un objet JSON");
	json_decref(b);
	b = json_pack("{s:s,s:{}}", "tenant", "T", "nodes");
	assert_int_equal(flow_parse(&f, b, &why), EINVAL);
	assert_string_equal(msg, "start : obligatoire");
	json_object_set_new(b, "start", json_string("a"));
	assert_int_equal(flow_parse(&f, b, &why), EINVAL);
	assert_string_equal(msg, "nodes : il faut un objet de 1 à 100 nœuds");
	json_decref(b);
	assert_null(f);
}

static void test_limits(void **state)
{
	char nodes[8192] = "{", *p = nodes + 1;

	(void)state;
	refused(NULL, "A", "{\"A\":{\"type\":\"hangup\"}}",
		"nodes.A: an id is 1 to 32 of a-z");
	refused(NULL, "a",
		"{\"a\":{\"type\":\"hangup\"},\"b234567890123456789012345678901"
		"23\":{\"type\":\"hangup\"}}",
		"an id is 1 to 32");
	for (int i = 0; i <= FLOW_NODES_MAX; i++)
		p += sprintf(p, "%s\"n%d\":{\"type\":\"hangup\"}", i ? "," : "",
			     i);
	strcpy(p, "}");
	refused(NULL, "n0", nodes, "nodes: expected an object of 1 to 100");
	/* 500 characters of two bytes each: a text in the limit */
	p = nodes + sprintf(nodes, "{\"a\":{\"type\":\"hangup\",\"say\":"
				   "{\"fr\":\"");
	for (int i = 0; i < FLOW_TEXT_MAX; i++)
		p += sprintf(p, "\xc3\xa9");
	strcpy(p, "\"}}}");
	mem_deref(parse_ok("a", nodes));
	strcpy(p, "\xc3\xa9\"}}}");
	refused(NULL, "a", nodes,
		"nodes.a: say.fr: a text of 1 to 500 characters");
}

static void test_graph_errors(void **state)
{
	(void)state;
	refused(NULL, "a",
		"{\"a\":{\"type\":\"hangup\"},\"b\":{\"type\":\"hangup\"}}",
		"nodes.b: unreachable from start");
	refused("fr", "a",
		"{\"a\":{\"type\":\"hangup\"},\"b\":{\"type\":\"hangup\"}}",
		"nodes.b : inaccessible depuis start");
	/* a loop of prompts with a way out is still refused */
	refused(NULL, "a",
		"{\"a\":{\"type\":\"prompt\"," SAY ",\"next\":\"c\"},"
		"\"c\":{\"type\":\"calendar\",\"calendar\":\"C\","
		"\"open\":\"a\",\"closed\":\"bye\"}," BYE "}",
		"a loop without a menu or a language choice on it");
	/* set -> prompt -> set, no way out at all */
	refused(NULL, "s",
		"{\"s\":{\"type\":\"set\",\"next\":\"p\"},"
		"\"p\":{\"type\":\"prompt\"," SAY ",\"next\":\"s\"}}",
		"a loop without a menu");
	/* a language choice loops with its prompt but never ends */
	refused(NULL, "l",
		"{\"l\":{\"type\":\"language\"," SAY
		",\"options\":{\"1\":\"fr\"},\"next\":\"p\"},"
		"\"p\":{\"type\":\"prompt\"," SAY ",\"next\":\"l\"}}",
		"no path from it reaches an end");
	refused("fr", "l",
		"{\"l\":{\"type\":\"language\"," SAY
		",\"options\":{\"1\":\"fr\"},\"next\":\"p\"},"
		"\"p\":{\"type\":\"prompt\"," SAY ",\"next\":\"l\"}}",
		"nodes.l : aucun chemin");
}

static void test_menu_loop_is_allowed_and_names_are_found(void **state)
{
	struct flow *f;

	(void)state;
	f = parse_ok("m", "{\"m\":{\"type\":\"menu\"," SAY
			  ",\"options\":{\"1\":\"p\",\"2\":\"q\"}},"
			  "\"p\":{\"type\":\"prompt\"," SAY ",\"next\":\"m\"},"
			  "\"q\":{\"type\":\"queue\",\"queue\":\"Q1\"}}");
	assert_string_equal(flow_tenant(f), "T");
	assert_true(flow_names(f, "queue", "Q1"));
	assert_false(flow_names(f, "queue", "Q2"));
	assert_false(flow_names(f, "calendar", "Q1"));
	assert_true(flow_has_say(f, "m", "fr"));
	assert_false(flow_has_say(f, "q", "fr"));
	mem_deref(f);
}

/* The full example of the admin guide. */
static const char *const example =
	"{\"welcome\":{\"type\":\"prompt\",\"say\":{\"fr\":\"Bienvenue.\","
	"\"en\":\"Welcome.\"},\"next\":\"hours\"},"
	"\"hours\":{\"type\":\"calendar\",\"calendar\":\"CAL\","
	"\"open\":\"lang\",\"closed\":\"closed\"},"
	"\"closed\":{\"type\":\"hangup\",\"say\":{\"fr\":\"Fermé.\"}},"
	"\"lang\":{\"type\":\"language\",\"say\":{\"fr\":\"Tapez 1 ou 2.\"},"
	"\"options\":{\"1\":\"fr\",\"2\":\"en\"},\"timeout_s\":4,"
	"\"next\":\"menu\"},"
	"\"menu\":{\"type\":\"menu\",\"say\":{\"fr\":\"Menu.\",\"en\":"
	"\"Menu!\"},\"options\":{\"1\":\"vip\",\"2\":\"q\",\"3\":\"vm\","
	"\"4\":\"xfer\"},\"retries\":1,\"invalid\":{\"en\":\"Invalid.\"},"
	"\"fail\":\"q\"},"
	"\"vip\":{\"type\":\"set\",\"priority\":5,\"attributes\":"
	"{\"segment\":\"vip\"},\"next\":\"vip2\"},"
	"\"vip2\":{\"type\":\"set\",\"priority\":3,\"attributes\":"
	"{\"tier\":2},\"next\":\"q\"},"
	"\"q\":{\"type\":\"queue\",\"queue\":\"QUEUE\"},"
	"\"vm\":{\"type\":\"voicemail\",\"say\":{\"en\":\"Leave a "
	"message.\"},\"queue\":\"QUEUE\"},"
	"\"xfer\":{\"type\":\"transfer\",\"number\":\"+33123456789\"}}";

static struct flow_run *walk(struct flow *f, const char *lang)
{
	struct flow_run *r;

	assert_int_equal(flow_run_start(&r, f, lang), 0);
	return r;
}

static void test_walk_to_a_queue_with_set_nodes(void **state)
{
	struct flow *f = parse_ok("welcome", example);
	struct flow_run *r = walk(f, "fr");
	const struct flow_step *s = flow_run_step(r);
	char path[200];

	(void)state;
	assert_int_equal(s->act, FLOW_PLAY);
	assert_string_equal(s->node, "welcome");
	assert_string_equal(s->say, "Bienvenue.");
	assert_string_equal(s->say_lang, "fr");
	assert_null(s->file);
	/* a digit while a prompt plays changes nothing */
	assert_ptr_equal(flow_digit(r, '1'), s);
	assert_string_equal(s->node, "welcome");
	s = flow_played(r);
	assert_int_equal(s->act, FLOW_CALENDAR);
	assert_string_equal(s->calendar, "CAL");
	s = flow_calendar(r, true);
	assert_int_equal(s->act, FLOW_MENU);
	assert_string_equal(s->node, "lang");
	assert_int_equal(s->timeout_ms, 4000);
	s = flow_digit(r, '2'); /* English */
	assert_string_equal(s->node, "menu");
	assert_string_equal(s->lang, "en");
	assert_string_equal(s->say, "Menu!");
	assert_int_equal(s->timeout_ms, 5000); /* the default */
	s = flow_digit(r, '1');
	assert_int_equal(s->act, FLOW_QUEUE);
	assert_string_equal(s->queue, "QUEUE");
	assert_int_equal(s->priority, 8);
	assert_string_equal(
		json_string_value(json_object_get(s->attributes, "segment")),
		"vip");
	assert_int_equal(
		json_integer_value(json_object_get(s->attributes, "tier")), 2);
	json_t *p = json_object_get(s->attributes, "ivr_path");
	size_t i;
	json_t *v;
	path[0] = '\0';
	json_array_foreach(p, i, v)
	{
		strcat(path, json_string_value(v));
		strcat(path, " ");
	}
	assert_string_equal(path, "welcome hours lang menu vip vip2 q ");
	/* the end stays */
	assert_int_equal(flow_digit(r, '1')->act, FLOW_QUEUE);
	assert_int_equal(flow_timeout(r)->act, FLOW_QUEUE);
	mem_deref(r);
	mem_deref(f);
}

static void test_closed_calendar_hangs_up_with_its_text(void **state)
{
	struct flow *f = parse_ok("welcome", example);
	struct flow_run *r = walk(f, "en");
	const struct flow_step *s;

	(void)state;
	assert_string_equal(flow_run_step(r)->say, "Welcome.");
	flow_played(r);
	s = flow_calendar(r, false);
	assert_int_equal(s->act, FLOW_HANGUP);
	/* no English: the text falls back to the one there is */
	assert_string_equal(s->say, "Fermé.");
	assert_string_equal(s->say_lang, "fr");
	assert_string_equal(s->lang, "en");
	mem_deref(r);
	mem_deref(f);
}

static void test_menu_retries_then_fail(void **state)
{
	struct flow *f = parse_ok("welcome", example);
	struct flow_run *r = walk(f, "en");
	const struct flow_step *s;

	(void)state;
	flow_played(r);
	flow_calendar(r, true);
	s = flow_timeout(r); /* the language choice: keeps English */
	assert_string_equal(s->node, "menu");
	/* a wrong digit: its invalid text plays, then the menu again */
	s = flow_digit(r, '9');
	assert_int_equal(s->act, FLOW_PLAY);
	assert_string_equal(s->node, "menu");
	assert_string_equal(s->say, "Invalid.");
	s = flow_played(r);
	assert_int_equal(s->act, FLOW_MENU);
	assert_string_equal(s->say, "Menu!");
	/* retries 1: the second miss goes to fail */
	s = flow_timeout(r);
	assert_int_equal(s->act, FLOW_QUEUE);
	assert_int_equal(s->priority, 0);
	mem_deref(r);
	mem_deref(f);
}

static void test_menu_without_fail_hangs_up(void **state)
{
	struct flow *f = parse_ok("m", "{\"m\":{\"type\":\"menu\"," SAY
				       ",\"options\":{\"#\":\"bye\"},"
				       "\"retries\":0}," BYE "}");
	struct flow_run *r = walk(f, NULL);
	const struct flow_step *s;

	(void)state;
	s = flow_digit(r, '*');
	assert_int_equal(s->act, FLOW_HANGUP);
	assert_string_equal(s->node, "m");
	assert_null(s->say);
	mem_deref(r);
	r = walk(f, "fr");
	/* a digit during the menu's prompt counts */
	s = flow_digit(r, '#');
	assert_int_equal(s->act, FLOW_HANGUP);
	assert_string_equal(s->node, "bye");
	mem_deref(r);
	mem_deref(f);
}

static void test_voicemail_transfer_and_uploaded_file(void **state)
{
	struct flow *f = parse_ok("welcome", example);
	struct flow_run *r;
	const struct flow_step *s;

	(void)state;
	assert_int_equal(flow_set_file(f, "vm", "fr", "/tmp/vm-fr.wav"), 0);
	assert_int_equal(flow_set_file(f, "nope", "fr", "/x"), ENOENT);
	assert_int_equal(flow_set_file(f, "vm", "de", "/x"), EINVAL);
	assert_true(flow_has_say(f, "vm", "fr"));
	r = walk(f, "fr");
	flow_played(r);
	flow_calendar(r, true);
	flow_digit(r, '1'); /* French */
	s = flow_digit(r, '3');
	assert_int_equal(s->act, FLOW_VOICEMAIL);
	assert_string_equal(s->queue, "QUEUE");
	assert_string_equal(s->file, "/tmp/vm-fr.wav");
	assert_null(s->say); /* no French text: the recording only */
	mem_deref(r);
	flow_set_file(f, "vm", "fr", NULL);
	r = walk(f, "fr");
	flow_played(r);
	flow_calendar(r, true);
	flow_digit(r, '1');
	s = flow_digit(r, '3');
	assert_null(s->file);
	assert_string_equal(s->say, "Leave a message.");
	mem_deref(r);
	r = walk(f, "fr");
	flow_played(r);
	flow_calendar(r, true);
	flow_digit(r, '1');
	s = flow_digit(r, '4');
	assert_int_equal(s->act, FLOW_TRANSFER);
	assert_string_equal(s->number, "+33123456789");
	mem_deref(r);
	mem_deref(f);
}

static void test_flow_language_is_the_fallback(void **state)
{
	struct flow *f = parse_ok(
		"a", "{\"a\":{\"type\":\"hangup\",\"say\":{\"en\":\"Bye\","
		     "\"fr\":\"Au revoir\"}}}");
	struct flow_run *r;

	(void)state;
	flow_set_lang(f, "fr");
	r = walk(f, NULL);
	assert_string_equal(flow_run_step(r)->say, "Au revoir");
	assert_string_equal(flow_run_step(r)->lang, "fr");
	mem_deref(r);
	r = walk(f, "en");
	assert_string_equal(flow_run_step(r)->say, "Bye");
	mem_deref(r);
	mem_deref(f);
}

/* FLOW_GUARD nodes without input: a hangup (menus loop through prompts). */
static void test_guard_hangs_up_after_many_steps(void **state)
{
	char nodes[8192] = "{", *p = nodes + 1;
	struct flow *f;
	struct flow_run *r;
	const struct flow_step *s;
	int i;

	(void)state;
	for (i = 0; i < 60; i++)
		p += sprintf(p,
			     "\"p%d\":{\"type\":\"prompt\"," SAY
			     ",\"next\":\"p%d\"},",
			     i, i + 1);
	strcpy(p, "\"p60\":{\"type\":\"hangup\"}}");
	f = parse_ok("p0", nodes);
	r = walk(f, "en");
	for (i = 0; i < FLOW_GUARD - 1; i++) {
		s = flow_played(r);
		assert_int_equal(s->act, FLOW_PLAY);
	}
	s = flow_played(r);
	assert_int_equal(s->act, FLOW_HANGUP);
	assert_null(s->say);
	mem_deref(r);
	mem_deref(f);
}

static void collect(const char *lang, const char *text, void *arg)
{
	size_t *n = arg;

	assert_non_null(lang);
	assert_non_null(text);
	(*n)++;
}

static void test_texts_lists_every_text(void **state)
{
	struct flow *f = parse_ok("welcome", example);
	size_t n = 0;

	(void)state;
	flow_texts(f, collect, &n);
	/* welcome 2, closed 1, lang 1, menu 2 + invalid 1, vm 1 */
	assert_int_equal(n, 8);
	mem_deref(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_type_and_field_name_the_node),
		cmocka_unit_test(test_missing_and_unknown_targets),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_body_shape),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_graph_errors),
		cmocka_unit_test(test_menu_loop_is_allowed_and_names_are_found),
		cmocka_unit_test(test_walk_to_a_queue_with_set_nodes),
		cmocka_unit_test(test_closed_calendar_hangs_up_with_its_text),
		cmocka_unit_test(test_menu_retries_then_fail),
		cmocka_unit_test(test_menu_without_fail_hangs_up),
		cmocka_unit_test(test_voicemail_transfer_and_uploaded_file),
		cmocka_unit_test(test_flow_language_is_the_fallback),
		cmocka_unit_test(test_guard_hangs_up_after_many_steps),
		cmocka_unit_test(test_texts_lists_every_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
