/*
 * channels: the registry covers every channel of the engine, each engine
 * event asks the right act of a channel, and a decision reaches the
 * implementation with what it needs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "channels/channel.h"

extern const struct channel_ops api_channel;

static void test_every_engine_channel_has_an_implementation(void **state)
{
	(void)state;
	for (int ch = 0; ch < CH_MAX; ch++) {
		const struct channel_ops *c = channel_of((enum channel)ch);

		assert_non_null(c);
		assert_non_null(c->name);
		assert_non_null(engine_channel_name((enum channel)ch));
	}
	assert_null(channel_of(CH_MAX));
}

static void test_engine_events_ask_the_right_act(void **state)
{
	static const struct {
		enum engine_event_type ev;
		int act; /* -1: none */
	} cases[] = {
		{EV_CONTACT_QUEUED, -1},
		{EV_CONTACT_OFFERED, CHAN_OFFERED},
		{EV_OFFER_WITHDRAWN, CHAN_WITHDRAWN},
		{EV_OFFER_REJECTED, CHAN_WITHDRAWN},
		{EV_OFFER_MISSED, CHAN_WITHDRAWN},
		{EV_CONTACT_ACCEPTED, -1},
		{EV_CONTACT_STEP, -1},
		{EV_CONTACT_ENDED, -1},
		{EV_CONTACT_COMPLETED, CHAN_ENDED},
		{EV_CONTACT_ABANDONED, CHAN_ENDED},
		{EV_CONTACT_TRANSFERRED, -1},
		{EV_CONTACT_CALLBACK, -1},
		{EV_CALLBACK_OFFER, CHAN_CALLBACK_OFFER},
		{EV_CALLBACK_DIAL, CHAN_CALLBACK_DIAL},
		{EV_CONTACT_VOICEMAIL, CHAN_VOICEMAIL},
		{EV_CONTACT_CLOSED, CHAN_CLOSED},
		{EV_AGENT_STATE, -1},
	};
	size_t n = sizeof(cases) / sizeof(cases[0]);

	(void)state;
	assert_int_equal(n, EV_MAX); /* a new engine event is decided here */
	for (size_t i = 0; i < n; i++) {
		struct engine_event ev = {.type = cases[i].ev};
		enum channel_act act = CHAN_ACT_MAX;
		bool some = channel_act_of(&ev, &act);

		if (some != (cases[i].act >= 0) ||
		    (some && (int)act != cases[i].act))
			fail_msg("%s: act %d, expected %d",
				 engine_event_name(cases[i].ev),
				 some ? (int)act : -1, cases[i].act);
	}
	for (int a = 0; a < CHAN_ACT_MAX; a++)
		assert_non_null(channel_act_name((enum channel_act)a));
}

/* A channel that records the decisions it is given. */
struct seen {
	int n;
	struct channel_decision last;
	char contact[40];
};

static void record(struct srv *s, void *state, const struct channel_decision *d)
{
	struct seen *seen = state;

	(void)s;
	seen->n++;
	seen->last = *d;
	strcpy(seen->contact, d->contact);
}

static const struct channel_ops recorder = {
	.name = "recorder",
	.decision = record,
};

static void test_a_decision_reaches_the_channel(void **state)
{
	struct seen seen = {0};
	struct engine_event ev = {
		.type = EV_CONTACT_OFFERED,
		.contact = 7,
		.channel = CH_VOICE,
		.tenant = "t1",
		.queue = "q1",
		.agent = "a1",
		.customer = "c1",
	};

	(void)state;
	assert_true(channel_dispatch(&recorder, &seen, NULL, &ev, "id-7"));
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.last.act, CHAN_OFFERED);
	assert_string_equal(seen.contact, "id-7");
	assert_string_equal(seen.last.tenant, "t1");
	assert_string_equal(seen.last.queue, "q1");
	assert_string_equal(seen.last.agent, "a1");
	assert_string_equal(seen.last.customer, "c1");
	assert_null(seen.last.reason);
	/* an event that asks nothing, or of no contact, is not handed over */
	ev.type = EV_CONTACT_ACCEPTED;
	assert_false(channel_dispatch(&recorder, &seen, NULL, &ev, "id-7"));
	ev.type = EV_AGENT_STATE;
	ev.contact = 0;
	assert_false(channel_dispatch(&recorder, &seen, NULL, &ev, NULL));
	assert_int_equal(seen.n, 1);
	/* a channel without a decision handler is skipped */
	ev.type = EV_CONTACT_CLOSED;
	ev.contact = 7;
	assert_false(channel_dispatch(&api_channel, NULL, NULL, &ev, "id-7"));
}

static void test_the_api_channel_has_no_medium_to_deliver_on(void **state)
{
	struct channel_message m = {.contact = "id", .text = "hello"};

	(void)state;
	assert_int_equal(api_channel.deliver(NULL, NULL, &m), ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_every_engine_channel_has_an_implementation),
		cmocka_unit_test(test_engine_events_ask_the_right_act),
		cmocka_unit_test(test_a_decision_reaches_the_channel),
		cmocka_unit_test(
			test_the_api_channel_has_no_medium_to_deliver_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
