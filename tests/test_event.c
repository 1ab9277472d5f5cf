/*
 * event — the codec of the event log: every type encodes to the bytes the
 * log has always held and decodes back to the same struct; a damaged row
 * is refused with a message naming the field; rows without a version (all
 * rows written before the codec, tests/data/events.log) read as version 1;
 * docs/events.md describes every type.
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

#include "model/event.h"

static char *dump(const json_t *d)
{
	return json_dumps(d, JSON_COMPACT | JSON_REAL_PRECISION(15));
}

/* ev encoded is want, byte for byte, and decodes back to an equal JSON. */
static void check_bytes(const struct event *ev, const char *want)
{
	json_t *d = event_encode(ev);
	char *text = dump(d), msg[200] = "";
	struct event back;
	json_t *again;

	assert_non_null(text);
	assert_string_equal(text, want);
	assert_int_equal(event_decode(&back, event_type_name(ev->type), d, msg,
				      sizeof(msg)),
			 0);
	assert_int_equal(back.type, ev->type);
	assert_int_equal(back.version, 1);
	again = event_encode(&back);
	assert_true(json_equal(again, d));
	json_decref(again);
	json_decref(d);
	free(text);
}

static struct event engine_event(enum engine_event_type t)
{
	struct event ev = {.type = (enum event_type)t};
	struct engine_event *e = &ev.u.engine.ev;

	e->type = t;
	ev.u.engine.contact = "c1";
	e->queue = "q1";
	e->agent = "a1";
	e->site = "s1";
	e->channel = CH_VOICE;
	e->state = CS_COMPLETED;
	e->step = 1;
	e->wait_ms = 12000;
	e->total_wait_ms = 15000;
	e->talk_ms = 180000;
	e->wrap_ms = 30000;
	return ev;
}

static void test_contact_queued_keeps_its_bytes(void **state)
{
	struct event ev = {.type = (enum event_type)EV_CONTACT_QUEUED};
	struct engine_event *e = &ev.u.engine.ev;

	(void)state;
	ev.u.engine.contact = "c1";
	e->type = EV_CONTACT_QUEUED;
	e->queue = "q1";
	e->channel = CH_CHAT;
	e->state = CS_QUEUED;
	e->position = 3;
	e->ewt_ms = 45000;
	e->entered = true;
	e->customer = "cu1";
	check_bytes(&ev, "{\"contact\":\"c1\",\"queue\":\"q1\",\"channel\":"
			 "\"chat\",\"state\":\"queued\",\"step\":0,"
			 "\"wait_ms\":0,\"total_wait_ms\":0,\"position\":3,"
			 "\"ewt_ms\":45000,\"entered\":true,"
			 "\"customer\":\"cu1\"}");
}

static void test_contact_completed_keeps_its_bytes(void **state)
{
	struct event ev = engine_event(EV_CONTACT_COMPLETED);

	(void)state;
	check_bytes(&ev,
		    "{\"contact\":\"c1\",\"queue\":\"q1\",\"agent\":\"a1\","
		    "\"site\":\"s1\",\"channel\":\"voice\",\"state\":"
		    "\"completed\",\"step\":1,\"wait_ms\":12000,"
		    "\"total_wait_ms\":15000,\"talk_ms\":180000,"
		    "\"wrap_ms\":30000}");
}

static void test_contact_transferred_keeps_its_bytes(void **state)
{
	struct event ev = engine_event(EV_CONTACT_TRANSFERRED);

	(void)state;
	ev.u.engine.ev.state = CS_TRANSFERRED;
	ev.u.engine.ev.target = "q2";
	ev.u.engine.ev.reason = "overflow";
	ev.u.engine.ev.callback = true;
	check_bytes(&ev,
		    "{\"contact\":\"c1\",\"queue\":\"q1\",\"agent\":\"a1\","
		    "\"site\":\"s1\",\"channel\":\"voice\",\"state\":"
		    "\"transferred\",\"step\":1,\"wait_ms\":12000,"
		    "\"total_wait_ms\":15000,\"target\":\"q2\","
		    "\"reason\":\"overflow\",\"callback\":true}");
}

/* An offer tells when it times out; a row written before that reads as 0. */
static void test_contact_offered_carries_its_expiry(void **state)
{
	struct event ev = engine_event(EV_CONTACT_OFFERED), old;
	char msg[200];

	(void)state;
	ev.u.engine.ev.state = CS_OFFERED;
	ev.u.engine.ev.expires_ms = 1764405020500; /* 2025-11-29T08:30:20.5Z */
	check_bytes(&ev,
		    "{\"contact\":\"c1\",\"queue\":\"q1\",\"agent\":\"a1\","
		    "\"site\":\"s1\",\"channel\":\"voice\",\"state\":"
		    "\"offered\",\"step\":1,\"wait_ms\":12000,"
		    "\"total_wait_ms\":15000,"
		    "\"expires_at\":\"2025-11-29T08:30:20.500Z\"}");
	assert_int_equal(event_parse(&old, "contact.offered",
				     "{\"contact\":\"c1\",\"channel\":"
				     "\"chat\",\"state\":\"offered\","
				     "\"step\":0,\"wait_ms\":0,"
				     "\"total_wait_ms\":0}",
				     msg, sizeof(msg)),
			 0);
	assert_int_equal(old.u.engine.ev.expires_ms, 0);
	event_release(&old);
}

static void test_agent_state_keeps_its_bytes(void **state)
{
	struct event ev = {.type = (enum event_type)EV_AGENT_STATE};
	struct engine_event *e = &ev.u.engine.ev;

	(void)state;
	e->type = EV_AGENT_STATE;
	e->agent = "a1";
	e->site = "s1";
	e->agent_state = AS_PAUSED;
	e->prev_state = AS_AVAILABLE;
	e->prev_state_ms = 60000;
	e->reason = "lunch";
	check_bytes(&ev, "{\"agent\":\"a1\",\"site\":\"s1\",\"state\":"
			 "\"paused\",\"prev\":\"available\",\"prev_ms\":60000,"
			 "\"reason\":\"lunch\"}");
}

static void test_contact_created_keeps_its_bytes(void **state)
{
	json_t *attrs = json_pack("{s:s}", "lang", "fr");
	struct event ev = {.type = EVENT_CONTACT_CREATED,
			   .u.created = {.contact = "c1",
					 .queue = "q1",
					 .channel = CH_EMAIL,
					 .priority = 5,
					 .attributes = attrs,
					 .user = "u1"}};

	(void)state;
	check_bytes(&ev, "{\"contact\":\"c1\",\"queue\":\"q1\",\"channel\":"
			 "\"email\",\"customer\":null,\"priority\":5,"
			 "\"attributes\":{\"lang\":\"fr\"},\"user\":\"u1\"}");
	ev.u.created.customer = "k1";
	check_bytes(&ev, "{\"contact\":\"c1\",\"queue\":\"q1\",\"channel\":"
			 "\"email\",\"customer\":\"k1\",\"priority\":5,"
			 "\"attributes\":{\"lang\":\"fr\"},\"user\":\"u1\"}");
	json_decref(attrs);
}

static void test_other_types_keep_their_bytes(void **state)
{
	struct event ev = {.type = EVENT_CONTACT_REQUEUED,
			   .u.requeued = {"c1", "q1", "restart", "offered"}};

	(void)state;
	check_bytes(&ev, "{\"contact\":\"c1\",\"queue\":\"q1\",\"reason\":"
			 "\"restart\",\"was\":\"offered\"}");
	ev = (struct event){.type = EVENT_CONTACT_DISPOSITION,
			    .u.disposition = {"c1", "sale", NULL, "u1"}};
	check_bytes(&ev, "{\"contact\":\"c1\",\"disposition\":\"sale\","
			 "\"notes\":null,\"user\":\"u1\"}");
	ev = (struct event){.type = EVENT_CUSTOMER_UPDATED,
			    .u.customer = {"k1", "u1"}};
	check_bytes(&ev, "{\"customer\":\"k1\",\"user\":\"u1\"}");
	ev.type = EVENT_CUSTOMER_CREATED;
	check_bytes(&ev, "{\"customer\":\"k1\",\"user\":\"u1\"}");
	ev = (struct event){.type = EVENT_AUDIT_CUSTOMER_READ,
			    .u.customer_read = {"k1", "u1", "/api/v1/x"}};
	check_bytes(&ev, "{\"customer\":\"k1\",\"user\":\"u1\",\"path\":"
			 "\"/api/v1/x\"}");
	ev = (struct event){
		.type = EVENT_AUDIT_CONFIG,
		.u.config = {"create", "queues", "q1", "u1", "ann"}};
	check_bytes(&ev, "{\"action\":\"create\",\"kind\":\"queues\",\"id\":"
			 "\"q1\",\"user\":\"u1\",\"username\":\"ann\"}");
	ev = (struct event){.type = EVENT_AUDIT_LOGIN,
			    .u.login = {"u1", "ann", "127.0.0.1"}};
	check_bytes(&ev, "{\"user\":\"u1\",\"username\":\"ann\",\"peer\":"
			 "\"127.0.0.1\"}");
	ev = (struct event){.type = EVENT_AUDIT_LOGIN_FAILED,
			    .u.login = {"", "eve", "127.0.0.1"}};
	check_bytes(&ev, "{\"user\":\"\",\"username\":\"eve\",\"peer\":"
			 "\"127.0.0.1\"}");
	ev = (struct event){
		.type = EVENT_AUDIT_AGENT_STATE,
		.u.agent_state = {"a1", "paused", "lunch", "u1", "sup"}};
	check_bytes(&ev, "{\"id\":\"a1\",\"state\":\"paused\",\"reason\":"
			 "\"lunch\",\"user\":\"u1\",\"username\":\"sup\"}");
	assert_null(event_agent(&ev));
}

/* A message's fields, its optional ones absent, its topics its own. */
static void test_messages_keep_their_bytes(void **state)
{
	json_t *ids = json_pack("[ss]", "f1", "f2");
	struct event ev = {.type = EVENT_CONTACT_MESSAGE};
	struct event_contact_message *m = &ev.u.message;

	(void)state;
	*m = (struct event_contact_message){.contact = "c1",
					    .message = "m1",
					    .queue = "q1",
					    .agent = "a1",
					    .channel = CH_CHAT,
					    .direction = "out",
					    .author = "agent",
					    .user = "u1",
					    .text = "Bonjour",
					    .attachments = ids,
					    .status = "queued"};
	check_bytes(&ev, "{\"contact\":\"c1\",\"message\":\"m1\",\"queue\":"
			 "\"q1\",\"agent\":\"a1\",\"channel\":\"chat\","
			 "\"direction\":\"out\","
			 "\"author\":\"agent\",\"user\":\"u1\",\"text\":"
			 "\"Bonjour\",\"attachments\":[\"f1\",\"f2\"],"
			 "\"status\":\"queued\"}");
	assert_string_equal(event_agent(&ev), "a1");
	assert_string_equal(event_queue(&ev), "q1");
	*m = (struct event_contact_message){.contact = "c1",
					    .message = "m2",
					    .channel = CH_EMAIL,
					    .direction = "in",
					    .author = "customer",
					    .text = "Hi",
					    .html = "<p>Hi</p>",
					    .subject = "Order",
					    .cc = "b@example.org",
					    .status = "failed",
					    .reason = "bounced"};
	check_bytes(&ev, "{\"contact\":\"c1\",\"message\":\"m2\",\"channel\":"
			 "\"email\",\"direction\":\"in\",\"author\":"
			 "\"customer\",\"text\":\"Hi\","
			 "\"html\":\"<p>Hi</p>\",\"subject\":\"Order\",\"cc\":"
			 "\"b@example.org\",\"status\":\"failed\",\"reason\":"
			 "\"bounced\"}");
	assert_null(event_agent(&ev));
	ev = (struct event){
		.type = EVENT_CONTACT_MESSAGE_STATUS,
		.u.message_status = {"c1", "m1", "q1", "a1", "sent", NULL}};
	check_bytes(&ev, "{\"contact\":\"c1\",\"message\":\"m1\","
			 "\"queue\":\"q1\",\"agent\":\"a1\",\"status\":"
			 "\"sent\"}");
	assert_string_equal(event_agent(&ev), "a1");
	ev = (struct event){.type = EVENT_CONTACT_ATTACHMENT,
			    .u.attachment = {.contact = "c1",
					     .attachment = "f1",
					     .name = "a.png",
					     .type = "image/png",
					     .size = 42,
					     .sha256 = "ab12",
					     .user = "u1"}};
	check_bytes(&ev, "{\"contact\":\"c1\",\"attachment\":\"f1\","
			 "\"name\":\"a.png\",\"type\":\"image/png\","
			 "\"size\":42,\"sha256\":\"ab12\",\"user\":\"u1\"}");
	assert_null(event_agent(&ev));
	ev = (struct event){.type = EVENT_CONTACT_CSAT,
			    .u.csat = {.contact = "c1",
				       .queue = "q1",
				       .agent = "a1",
				       .site = "s1",
				       .channel = CH_CHAT,
				       .score = 4,
				       .comment = "Très bien"}};
	check_bytes(&ev, "{\"contact\":\"c1\",\"queue\":\"q1\","
			 "\"agent\":\"a1\",\"site\":\"s1\",\"channel\":"
			 "\"chat\",\"score\":4,\"comment\":\"Très bien\"}");
	assert_string_equal(event_agent(&ev), "a1");
	assert_string_equal(event_queue(&ev), "q1");
	ev = (struct event){.type = EVENT_CONTACT_TRANSCRIPT,
			    .u.transcript = {.contact = "c1",
					     .email = "v@example.org",
					     .lang = "fr"}};
	check_bytes(&ev, "{\"contact\":\"c1\",\"email\":"
			 "\"v@example.org\",\"lang\":\"fr\"}");
	json_decref(ids);
}

/* A message's attachments are ids: anything else is refused. */
static void test_message_attachments_must_be_strings(void **state)
{
	char msg[200] = "";
	struct event ev;

	(void)state;
	assert_int_equal(event_parse(&ev, "contact.message",
				     "{\"contact\":\"c1\",\"message\":\"m\","
				     "\"channel\":\"chat\",\"direction\":"
				     "\"in\",\"author\":\"customer\","
				     "\"text\":\"x\",\"status\":\"sent\","
				     "\"attachments\":[1]}",
				     msg, sizeof(msg)),
			 EINVAL);
	assert_string_equal(msg, "contact.message: attachments: expected an "
				 "array of strings");
	assert_int_equal(event_parse(&ev, "contact.message_status",
				     "{\"contact\":\"c1\",\"message\":\"m\"}",
				     msg, sizeof(msg)),
			 EINVAL);
	assert_string_equal(msg, "contact.message_status: status: expected "
				 "a string");
}

/* Every engine type: encode, decode, and the logged fields come back. */
static void test_every_engine_type_round_trips(void **state)
{
	(void)state;
	for (int t = 0; t < EV_MAX; t++) {
		struct event ev = engine_event((enum engine_event_type)t), back;
		const struct engine_event *a = &ev.u.engine.ev, *b;
		json_t *d;
		char msg[200];

		ev.u.engine.ev.reason = "why";
		ev.u.engine.ev.agent_state = AS_WRAPUP;
		ev.u.engine.ev.prev_state = AS_BUSY;
		ev.u.engine.ev.prev_state_ms = 5;
		d = event_engine_encode(a, ev.u.engine.contact);
		assert_int_equal(event_decode(&back,
					      engine_event_name((
						      enum engine_event_type)t),
					      d, msg, sizeof(msg)),
				 0);
		b = &back.u.engine.ev;
		assert_int_equal(b->type, t);
		assert_string_equal(back.u.engine.contact, "c1");
		assert_string_equal(b->queue, "q1");
		assert_string_equal(b->agent, "a1");
		assert_string_equal(b->reason, "why");
		if (t == EV_AGENT_STATE) {
			assert_int_equal(b->agent_state, AS_WRAPUP);
			assert_int_equal(b->prev_state, AS_BUSY);
			assert_int_equal(b->prev_state_ms, 5);
		} else {
			assert_int_equal(b->channel, a->channel);
			assert_int_equal(b->state, a->state);
			assert_int_equal(b->wait_ms, a->wait_ms);
			assert_int_equal(b->total_wait_ms, a->total_wait_ms);
		}
		if (t == EV_CONTACT_COMPLETED || t == EV_CONTACT_ENDED)
			assert_int_equal(b->talk_ms, 180000);
		json_decref(d);
	}
}

/* Every type has a name that parses back, and a shape. */
static void test_every_type_name_parses_back(void **state)
{
	(void)state;
	for (int t = 0; t < EVENT_TYPE_MAX; t++) {
		enum event_type back = EVENT_TYPE_MAX;

		assert_string_not_equal(event_type_name((enum event_type)t),
					"?");
		assert_true(event_type_parse(
			event_type_name((enum event_type)t), &back));
		assert_int_equal(back, t);
	}
	assert_string_equal(event_type_name(EVENT_TYPE_MAX), "?");
}

/* The refusal's message for type and data (a JSON text). */
static const char *refusal(const char *type, const char *text)
{
	static char msg[200];
	struct event ev;

	msg[0] = 0;
	if (event_parse(&ev, type, text, msg, sizeof(msg)) != EINVAL)
		return "(accepted)";
	return msg;
}

static void test_malformed_rows_are_refused_with_a_message(void **state)
{
	(void)state;
	assert_string_equal(refusal("contact.exploded", "{}"),
			    "contact.exploded: not a type of event");
	assert_string_equal(refusal("audit.login", "[1]"),
			    "audit.login: expected a JSON object");
	assert_string_equal(refusal("audit.login", "{\"user\":\"u\","
						   "\"username\":\"n\"}"),
			    "audit.login: peer: expected a string");
	assert_string_equal(refusal("agent.state",
				    "{\"agent\":\"a\",\"state\":\"asleep\","
				    "\"prev\":\"busy\",\"prev_ms\":1}"),
			    "agent.state: state: expected a state's name");
	assert_string_equal(
		refusal("contact.ended",
			"{\"channel\":\"fax\",\"state\":\"completed\"}"),
		"contact.ended: channel: expected a channel");
	assert_string_equal(
		refusal("contact.queued",
			"{\"channel\":\"chat\",\"state\":\"queued\","
			"\"step\":0,\"wait_ms\":\"long\"}"),
		"contact.queued: wait_ms: expected an integer");
	assert_string_equal(refusal("contact.disposition",
				    "{\"contact\":\"c\",\"disposition\":7,"
				    "\"notes\":null,\"user\":\"u\"}"),
			    "contact.disposition: disposition: expected a "
			    "string or null");
	assert_string_equal(refusal("customer.created",
				    "{\"customer\":\"k\",\"user\":\"u\","
				    "\"v\":2}"),
			    "customer.created: v: this relais reads versions "
			    "1 to 1 of this event");
	assert_string_equal(refusal("contact.offered",
				    "{\"channel\":\"chat\",\"state\":"
				    "\"offered\",\"step\":0,\"wait_ms\":0,"
				    "\"total_wait_ms\":0,\"expires_at\":"
				    "\"soon\"}"),
			    "contact.offered: expires_at: expected a UTC time");
	assert_string_equal(refusal(NULL, "{}"),
			    "(no type): not a type of event");
	assert_non_null(strstr(refusal("audit.login", "{\"user\""),
			       "audit.login: not JSON: "));
}

static void test_version_one_is_read_with_or_without_v(void **state)
{
	struct event ev;
	char msg[200];

	(void)state;
	assert_int_equal(event_parse(&ev, "customer.updated",
				     "{\"customer\":\"k\",\"user\":\"u\","
				     "\"v\":1,\"later\":[1]}",
				     msg, sizeof(msg)),
			 0);
	assert_int_equal(ev.version, 1);
	assert_string_equal(ev.u.customer.customer, "k");
	event_release(&ev);
	assert_null(ev.json);
}

/* Rows of a log written before the codec, as the server wrote them. */
static void test_old_rows_decode_and_encode_to_the_same_bytes(void **state)
{
	const char *dir = getenv("RELAIS_SOURCE_DIR");
	char path[1024], line[4096], msg[200];
	size_t n = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/data/events.log",
		 dir ? dir : ".");
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t'), *text;
		struct event ev;
		json_t *d;

		assert_non_null(tab);
		*tab = 0;
		tab[strcspn(tab + 1, "\n") + 1] = 0;
		if (event_parse(&ev, line, tab + 1, msg, sizeof(msg)))
			fail_msg("%s", msg);
		assert_int_equal(ev.version, 1);
		d = event_encode(&ev);
		text = dump(d);
		assert_string_equal(text, tab + 1);
		free(text);
		json_decref(d);
		event_release(&ev);
		n++;
	}
	fclose(f);
	assert_true(n >= EVENT_TYPE_MAX);
}

static void test_topics_are_the_queue_and_the_agent(void **state)
{
	struct event ev = engine_event(EV_CONTACT_OFFERED);

	(void)state;
	assert_string_equal(event_queue(&ev), "q1");
	assert_string_equal(event_agent(&ev), "a1");
	ev = (struct event){.type = EVENT_CONTACT_REQUEUED,
			    .u.requeued = {"c1", "q9", "restart", "active"}};
	assert_string_equal(event_queue(&ev), "q9");
	assert_null(event_agent(&ev));
	ev = (struct event){.type = EVENT_AUDIT_LOGIN,
			    .u.login = {"u1", "ann", "::1"}};
	assert_null(event_queue(&ev));
}

/*
 * The topics are the data's "queue" and "agent" keys, for every row: the
 * store reads those keys itself for the stream's catch-up.
 */
static void test_topics_are_the_data_keys_the_store_reads(void **state)
{
	const char *dir = getenv("RELAIS_SOURCE_DIR");
	char path[1024], line[4096], msg[200];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/data/events.log",
		 dir ? dir : ".");
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');
		struct event ev;
		const char *q, *a;

		*tab = 0;
		assert_int_equal(
			event_parse(&ev, line, tab + 1, msg, sizeof(msg)), 0);
		q = json_string_value(json_object_get(ev.json, "queue"));
		a = json_string_value(json_object_get(ev.json, "agent"));
		assert_true(q == event_queue(&ev));
		assert_true(a == event_agent(&ev));
		event_release(&ev);
	}
	fclose(f);
}

/* docs/events.md has a section for every type. */
static void test_every_type_is_documented(void **state)
{
	const char *dir = getenv("RELAIS_SOURCE_DIR");
	char path[1024], want[80];
	static char doc[1 << 17];
	size_t len;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/docs/events.md", dir ? dir : ".");
	f = fopen(path, "r");
	assert_non_null(f);
	len = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[len] = 0;
	for (int t = 0; t < EVENT_TYPE_MAX; t++) {
		snprintf(want, sizeof(want), "`%s`",
			 event_type_name((enum event_type)t));
		if (!strstr(doc, want))
			fail_msg("docs/events.md does not name %s", want);
	}
}

/* Redaction (retention, erasure): the mark is written only when set, and
 * read back; a redacted message keeps its identity, not its words. */
static void test_redacted_mark_round_trips(void **state)
{
	struct event ev = {.type = EVENT_CONTACT_MESSAGE}, back;
	char msg[200];
	json_t *d;

	(void)state;
	ev.u.message = (struct event_contact_message){
		.contact = "c1",
		.message = "m1",
		.channel = CH_CHAT,
		.direction = "in",
		.author = "customer",
		.text = "",
		.status = "delivered",
		.redacted = true,
	};
	check_bytes(&ev, "{\"contact\":\"c1\",\"message\":\"m1\","
			 "\"channel\":\"chat\",\"direction\":\"in\","
			 "\"author\":\"customer\",\"text\":\"\","
			 "\"status\":\"delivered\",\"redacted\":true}");
	d = event_encode(&ev);
	assert_int_equal(
		event_decode(&back, "contact.message", d, msg, sizeof(msg)), 0);
	assert_true(back.u.message.redacted);
	json_decref(d);
	ev = (struct event){.type = EVENT_CONTACT_ATTACHMENT,
			    .u.attachment = {.contact = "c1",
					     .attachment = "f1",
					     .name = "",
					     .type = "image/png",
					     .size = 42,
					     .sha256 = "ab12",
					     .redacted = true}};
	check_bytes(&ev, "{\"contact\":\"c1\",\"attachment\":\"f1\","
			 "\"name\":\"\",\"type\":\"image/png\",\"size\":42,"
			 "\"sha256\":\"ab12\",\"redacted\":true}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contact_queued_keeps_its_bytes),
		cmocka_unit_test(test_contact_completed_keeps_its_bytes),
		cmocka_unit_test(test_contact_transferred_keeps_its_bytes),
		cmocka_unit_test(test_contact_offered_carries_its_expiry),
		cmocka_unit_test(test_agent_state_keeps_its_bytes),
		cmocka_unit_test(test_contact_created_keeps_its_bytes),
		cmocka_unit_test(test_other_types_keep_their_bytes),
		cmocka_unit_test(test_messages_keep_their_bytes),
		cmocka_unit_test(test_message_attachments_must_be_strings),
		cmocka_unit_test(test_every_engine_type_round_trips),
		cmocka_unit_test(test_every_type_name_parses_back),
		cmocka_unit_test(
			test_malformed_rows_are_refused_with_a_message),
		cmocka_unit_test(test_version_one_is_read_with_or_without_v),
		cmocka_unit_test(
			test_old_rows_decode_and_encode_to_the_same_bytes),
		cmocka_unit_test(test_topics_are_the_queue_and_the_agent),
		cmocka_unit_test(test_redacted_mark_round_trips),
		cmocka_unit_test(test_topics_are_the_data_keys_the_store_reads),
		cmocka_unit_test(test_every_type_is_documented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
