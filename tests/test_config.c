/*
 * The configuration's shapes are written once (model/config.h): the API
 * and a scenario take the same bodies and refuse them the same way, and
 * the demo centre's file (model/demo_centre.h) is a valid scenario whose
 * objects the API accepts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/sim_scenario.h"
#include "model/config.h"
#include "model/demo_centre.h"
#include "server/objects.h"
#include "server/srv.h"

/* A queue as the API takes it in a request body. */
static const char queue_body[] =
	"{\"tenant\": \"t1\", \"name\": \"Claims\", \"channel\": \"voice\","
	" \"priority\": 2, \"strategy\": \"most-skilled\","
	" \"steps\": [{\"after_s\": 0, \"filter\": \"claims >= 5\"},"
	" {\"after_s\": 20, \"filter\": null, \"priority_delta\": 1}],"
	" \"wrapup\": \"timed\", \"wrapup_s\": 20, \"aht_s\": 240,"
	" \"dispositions\": [\"resolved\"]}";

static int api_check(json_t *body, char *msg, size_t size)
{
	return jv_check(body, kinds[K_QUEUES]->fields, true, msg, size);
}

/* A scenario around one queue body (the API's, plus an id, arrivals). */
static int scenario_check(json_t *queue, char *msg, size_t size)
{
	json_t *sc = json_pack(
		"{s:[s],s:[{s:s}],s:[{s:s,s:s,s:{s:i}}],s:[O],s:s,s:s}",
		"tenants", "t1", "sites", "id", "s1", "agents", "id", "a1",
		"site", "s1", "skills", "claims", 7, "queues", queue, "start",
		"08:00", "end", "09:00");
	json_t *q = json_array_get(json_object_get(sc, "queues"), 0);
	struct scenario *s = NULL;
	char *text;
	int rc;

	json_object_set_new(q, "id", json_string("q1"));
	json_object_set_new(q, "arrivals", json_integer(10));
	text = json_dumps(sc, 0);
	assert_non_null(text);
	rc = scenario_parse(&s, text, strlen(text), NULL, msg, size);
	scenario_free(s);
	free(text);
	json_decref(sc);
	return rc;
}

static void test_the_api_and_a_scenario_take_the_same_queue(void **state)
{
	json_t *body = json_loads(queue_body, 0, NULL);
	char msg[300] = "";

	(void)state;
	assert_non_null(body);
	assert_int_equal(api_check(body, msg, sizeof(msg)), 0);
	assert_int_equal(scenario_check(body, msg, sizeof(msg)), 0);
	json_decref(body);
}

/* One mistake in a body: the API's message, and the scenario's. */
static void refused_alike(const char *field, json_t *value, const char *api,
			  const char *scenario)
{
	json_t *body = json_loads(queue_body, 0, NULL);
	char msg[300] = "";

	if (value)
		json_object_set_new(body, field, value);
	else
		json_object_del(body, field);
	assert_int_not_equal(api_check(body, msg, sizeof(msg)), 0);
	assert_string_equal(msg, api);
	assert_int_not_equal(scenario_check(body, msg, sizeof(msg)), 0);
	assert_string_equal(msg, scenario);
	json_decref(body);
}

static void test_the_api_and_a_scenario_refuse_alike(void **state)
{
	(void)state;
	refused_alike("channel", json_string("fax"),
		      "channel: expected one of voice, chat, email, sms",
		      "queues[0].channel: expected one of voice, chat, email, "
		      "sms");
	refused_alike("steps", json_pack("[{s:s}]", "filter", "x >= 1"),
		      "steps[0].after_s: required",
		      "queues[0].steps[0].after_s: required");
	refused_alike(
		"wrapup_s", json_integer(-1),
		"wrapup_s: expected an integer from 0 to 86400",
		"queues[0].wrapup_s: expected an integer from 0 to 86400");
	refused_alike("colour", json_string("red"), "unknown field: colour",
		      "unknown field: queues[0].colour");
	refused_alike("tenant", NULL, "tenant: required",
		      "queues[0].tenant: required");
}

/* A scenario may leave out names; the API may not. */
static void test_a_scenario_may_leave_out_the_name(void **state)
{
	json_t *body = json_loads(queue_body, 0, NULL);
	char msg[300] = "";

	(void)state;
	json_object_del(body, "name");
	assert_int_not_equal(api_check(body, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "name: required");
	assert_int_equal(scenario_check(body, msg, sizeof(msg)), 0);
	json_decref(body);
}

static void test_the_demo_centre_is_a_scenario(void **state)
{
	struct scenario *s = NULL;
	char msg[300] = "";

	(void)state;
	assert_int_equal(demo_centre_json_len, strlen(demo_centre_json));
	if (scenario_parse(&s, demo_centre_json, demo_centre_json_len, NULL,
			   msg, sizeof(msg)))
		fail_msg("%s", msg);
	assert_int_equal(s->sc.ntenants, 2);
	assert_int_equal(s->sc.nsites, 2);
	assert_int_equal(s->sc.nqueues, 6);
	assert_int_equal(s->sc.nagents, 12);
	assert_int_equal(s->start_min, 7 * 60 + 30);
	assert_int_equal(s->sc.duration_ms, 13 * 3600 * 1000LL);
	scenario_free(s);
}

/*
 * Each object of the file, less its id and what only the simulator reads,
 * is a body the API's checks take (relais serve --demo creates them so).
 */
static void test_the_demo_centre_objects_pass_the_api_checks(void **state)
{
	static const char *const sim_only[] = {
		"id",	       "count",	   "shifts", "arrivals",
		"handle_time", "patience", "ring",   NULL};
	json_t *centre = json_loads(demo_centre_json, 0, NULL);
	size_t n = 0;

	(void)state;
	assert_non_null(centre);
	for (int k = 0; k < K_MAX; k++) {
		json_t *item;
		size_t i;

		json_array_foreach(json_object_get(centre, kinds[k]->name), i,
				   item)
		{
			char msg[300] = "";

			for (int f = 0; sim_only[f]; f++)
				json_object_del(item, sim_only[f]);
			if (jv_check(item, kinds[k]->fields, true, msg,
				     sizeof(msg)))
				fail_msg("%s[%zu]: %s", kinds[k]->name, i, msg);
			n++;
		}
	}
	/* 2 tenants, 2 sites, 3 skills, 1 calendar, 3 dispositions,
	 * 6 queues, 12 agents, 17 users, 4 canned responses */
	assert_int_equal(n, 50);
	json_decref(centre);
}

static void test_agent_serves_its_tenants_on_its_channels(void **state)
{
	json_t *a = json_pack("{s:[s,s],s:{s:i,s:i}}", "tenants", "t1", "t2",
			      "capacity", "chat", 2, "voice", 0);

	(void)state;
	assert_true(config_agent_serves(a, "t1", NULL));
	assert_true(config_agent_serves(a, "t2", "chat"));
	assert_false(config_agent_serves(a, "t2", "voice")); /* capacity 0 */
	assert_false(config_agent_serves(a, "t2", "email")); /* none */
	assert_false(config_agent_serves(a, "t3", NULL));
	assert_false(config_agent_serves(a, NULL, NULL));
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_the_api_and_a_scenario_take_the_same_queue),
		cmocka_unit_test(test_the_api_and_a_scenario_refuse_alike),
		cmocka_unit_test(test_agent_serves_its_tenants_on_its_channels),
		cmocka_unit_test(test_a_scenario_may_leave_out_the_name),
		cmocka_unit_test(test_the_demo_centre_is_a_scenario),
		cmocka_unit_test(
			test_the_demo_centre_objects_pass_the_api_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
