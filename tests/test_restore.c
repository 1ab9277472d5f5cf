/*
 * engine_contact_restore — putting back the contacts that were waiting
 * when the server stopped. A restored contact keeps its arrival (its place
 * in line) and the time it entered its queue (its step); the restore
 * itself emits nothing and matches nothing, since the server restores
 * contacts before agents come back.
 *
 * The centre: tenant "acme", site "paris", agents and queues as each test
 * needs. Times are engine milliseconds; the server restarts at NOW.
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

#include "core/engine.h"

#define NOW   1000000LL
#define MAXEV 256

struct rec {
	enum engine_event_type type;
	int64_t time;
	uint64_t contact;
	char agent[32];
	enum contact_state state;
	int step;
	int64_t wait_ms, total_wait_ms;
};

struct fx {
	struct engine *e;
	struct rec ev[MAXEV];
	int nev;
};

static void on_event(void *arg, const struct engine_event *ev)
{
	struct fx *f = arg;
	struct rec *r;

	if (f->nev >= MAXEV)
		return;
	r = &f->ev[f->nev++];
	memset(r, 0, sizeof(*r));
	r->type = ev->type;
	r->time = ev->time;
	r->contact = ev->contact;
	snprintf(r->agent, sizeof(r->agent), "%s", ev->agent ? ev->agent : "");
	r->state = ev->state;
	r->step = ev->step;
	r->wait_ms = ev->wait_ms;
	r->total_wait_ms = ev->total_wait_ms;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct engine_site paris = {"paris", SITE_ONSHORE, "FR", 3000};

	assert_non_null(f);
	assert_int_equal(engine_new(&f->e, NULL, on_event, f), 0);
	assert_int_equal(engine_tenant_add(f->e, "acme"), 0);
	assert_int_equal(engine_site_set(f->e, &paris), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	engine_free(f->e);
	free(f);
	return 0;
}

/* A voice agent of acme with at most one skill "name:level". */
static void agent(struct fx *f, const char *id, const char *skill, int level)
{
	const char *tenant = "acme";
	const char *names[1] = {skill};
	uint8_t levels[1] = {(uint8_t)level};
	struct engine_agent a = {.id = id,
				 .site = "paris",
				 .skill_names = names,
				 .skill_levels = levels,
				 .nskills = skill ? 1 : 0,
				 .tenants = &tenant,
				 .ntenants = 1};

	a.capacity[CH_VOICE] = 1;
	assert_int_equal(engine_agent_set(f->e, &a), 0);
}

static void avail(struct fx *f, int64_t now, const char *id)
{
	assert_int_equal(engine_agent_state(f->e, now, id, AS_AVAILABLE, NULL),
			 0);
}

static void queue_steps(struct fx *f, const char *id,
			const struct engine_step *steps, size_t n)
{
	struct engine_error err;
	struct engine_queue q = {.id = id,
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .sl_threshold_ms = 20000,
				 .strategy = STRAT_LONGEST_IDLE,
				 .wrapup = WRAPUP_NONE,
				 .steps = steps,
				 .nsteps = n,
				 .aht_ms = 60000};

	if (engine_queue_set(f->e, 0, &q, &err))
		fail_msg("queue %s: %s", id, err.msg);
}

/* A queue of one step that any agent of acme may take. */
static void queue(struct fx *f, const char *id)
{
	struct engine_step step = {0};

	queue_steps(f, id, &step, 1);
}

/* Steps at 0 s and 30 s; step 1 raises the priority by 5. */
static void queue_0_30(struct fx *f, const char *id, const char *filter0,
		       const char *filter1, enum action action1)
{
	struct engine_step steps[2] = {
		{.after_ms = 0, .filter = filter0},
		{.after_ms = 30000,
		 .filter = filter1,
		 .priority_delta = 5,
		 .action = action1},
	};

	queue_steps(f, id, steps, 2);
}

static int restore(struct fx *f, uint64_t id, const char *q, int64_t arrived,
		   int64_t entered)
{
	struct engine_contact c = {.id = id, .queue = q};

	return engine_contact_restore(f->e, NOW, &c, arrived, entered);
}

static int restore_callback(struct fx *f, uint64_t id, const char *q,
			    int64_t arrived, int64_t entered)
{
	struct engine_contact c = {.id = id, .queue = q, .callback = true};

	return engine_contact_restore(f->e, NOW, &c, arrived, entered);
}

static struct engine_contact_info info(struct fx *f, int64_t now, uint64_t id)
{
	struct engine_contact_info i;

	assert_int_equal(engine_contact_info(f->e, now, id, &i), 0);
	return i;
}

/* The contacts offered, in order, as "1,2,3". */
static const char *offers(struct fx *f, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < f->nev; i++)
		if (f->ev[i].type == EV_CONTACT_OFFERED)
			len += (size_t)snprintf(
				buf + len, size - len, "%s%llu", len ? "," : "",
				(unsigned long long)f->ev[i].contact);
	return buf;
}

static const struct rec *last(struct fx *f, enum engine_event_type t,
			      uint64_t contact)
{
	for (int i = f->nev - 1; i >= 0; i--)
		if (f->ev[i].type == t && f->ev[i].contact == contact)
			return &f->ev[i];
	return NULL;
}

/* Accepts and ends the contact offered to agent; it is free again. */
static void handle(struct fx *f, int64_t now, uint64_t id, const char *agent)
{
	assert_int_equal(engine_contact_accept(f->e, now, id, agent), 0);
	assert_int_equal(engine_contact_end(f->e, now + 1000, id), 0);
}

/* ---- order ---- */

static void test_older_arrival_is_offered_first(void **state)
{
	struct fx *f = *state;
	char buf[64];

	agent(f, "a1", NULL, 0);
	queue(f, "q");
	/* restored in the store's order, not the arrival order */
	assert_int_equal(restore(f, 2, "q", NOW - 20000, NOW - 20000), 0);
	assert_int_equal(restore(f, 3, "q", NOW - 5000, NOW - 5000), 0);
	assert_int_equal(restore(f, 1, "q", NOW - 60000, NOW - 60000), 0);
	assert_int_equal(info(f, NOW, 1).position, 1);
	assert_int_equal(info(f, NOW, 2).position, 2);
	assert_int_equal(info(f, NOW, 3).position, 3);

	avail(f, NOW + 100, "a1");
	handle(f, NOW + 200, 1, "a1");
	handle(f, NOW + 2000, 2, "a1");
	handle(f, NOW + 4000, 3, "a1");
	assert_string_equal(offers(f, buf, sizeof(buf)), "1,2,3");
}

static void test_restored_contacts_go_before_new_arrivals(void **state)
{
	struct fx *f = *state;
	struct engine_contact fresh = {.id = 9, .queue = "q"};
	char buf[64];

	agent(f, "a1", NULL, 0);
	queue(f, "q");
	assert_int_equal(restore(f, 1, "q", NOW - 1000, NOW - 1000), 0);
	assert_int_equal(engine_contact_add(f->e, NOW + 10, &fresh, NULL), 0);
	assert_int_equal(info(f, NOW + 10, 9).position, 2);
	avail(f, NOW + 100, "a1");
	handle(f, NOW + 200, 1, "a1");
	assert_string_equal(offers(f, buf, sizeof(buf)), "1,9");
}

static void test_arrival_not_entry_decides_the_place(void **state)
{
	struct fx *f = *state;
	char buf[64];

	agent(f, "a1", NULL, 0);
	queue(f, "q");
	/* 1 entered q later (a transfer) but arrived first */
	assert_int_equal(restore(f, 2, "q", NOW - 30000, NOW - 30000), 0);
	assert_int_equal(restore(f, 1, "q", NOW - 50000, NOW - 10000), 0);
	avail(f, NOW, "a1");
	assert_string_equal(offers(f, buf, sizeof(buf)), "1");
}

/* ---- steps ---- */

static void test_restored_contact_lands_on_the_step_of_its_wait(void **state)
{
	struct fx *f = *state;
	struct engine_contact_info i;

	queue_0_30(f, "q", NULL, NULL, ACTION_NONE);
	assert_int_equal(restore(f, 1, "q", NOW - 45000, NOW - 45000), 0);
	assert_int_equal(restore(f, 2, "q", NOW - 10000, NOW - 10000), 0);
	assert_int_equal(restore(f, 3, "q", NOW - 30000, NOW - 30000), 0);

	i = info(f, NOW, 1);
	assert_int_equal(i.state, CS_QUEUED);
	assert_int_equal(i.step, 1);
	assert_int_equal(i.priority, 5);
	assert_string_equal(i.queue, "q");
	assert_null(i.agent);
	assert_int_equal(i.arrived_ms, NOW - 45000);
	assert_int_equal(i.state_ms[CS_QUEUED], NOW - 45000);

	i = info(f, NOW, 2);
	assert_int_equal(i.step, 0);
	assert_int_equal(i.priority, 0);
	/* exactly 30 s: the step is due, so it applies */
	assert_int_equal(info(f, NOW, 3).step, 1);
}

static void test_wait_counts_from_entry_not_arrival(void **state)
{
	struct fx *f = *state;

	queue_0_30(f, "q", NULL, NULL, ACTION_NONE);
	/* waited 50 s in all, but entered q 10 s ago */
	assert_int_equal(restore(f, 1, "q", NOW - 50000, NOW - 10000), 0);
	assert_int_equal(info(f, NOW, 1).step, 0);
}

static void test_restored_contact_moves_on_at_its_next_step(void **state)
{
	struct fx *f = *state;
	const struct rec *r;

	queue_0_30(f, "q", NULL, NULL, ACTION_NONE);
	assert_int_equal(restore(f, 1, "q", NOW - 10000, NOW - 10000), 0);
	assert_int_equal(engine_next_timer(f->e), NOW + 20000);
	engine_advance(f->e, NOW + 19999);
	assert_int_equal(info(f, NOW + 19999, 1).step, 0);
	engine_advance(f->e, NOW + 20000);
	r = last(f, EV_CONTACT_STEP, 1);
	assert_non_null(r);
	assert_int_equal(r->step, 1);
	assert_int_equal(r->time, NOW + 20000);
	assert_int_equal(info(f, NOW + 20000, 1).step, 1);
	assert_int_equal(info(f, NOW + 20000, 1).priority, 5);
}

static void test_last_step_has_no_timer(void **state)
{
	struct fx *f = *state;

	queue_0_30(f, "q", NULL, NULL, ACTION_NONE);
	assert_int_equal(restore(f, 1, "q", NOW - 45000, NOW - 45000), 0);
	assert_int_equal(engine_next_timer(f->e), INT64_MAX);
}

static void test_restored_step_uses_that_steps_filter(void **state)
{
	struct fx *f = *state;
	char buf[64];

	/* step 0 wants billing >= 5; from 30 s, billing >= 1 will do */
	queue_0_30(f, "q", "billing >= 5", "billing >= 1", ACTION_NONE);
	agent(f, "junior", "billing", 2);
	assert_int_equal(restore(f, 1, "q", NOW - 5000, NOW - 5000), 0);
	assert_int_equal(restore(f, 2, "q", NOW - 40000, NOW - 40000), 0);
	avail(f, NOW, "junior");
	assert_string_equal(offers(f, buf, sizeof(buf)), "2");
	assert_string_equal(info(f, NOW, 2).agent, "junior");
	assert_int_equal(info(f, NOW, 1).state, CS_QUEUED);
}

static void test_passed_step_action_does_not_fire(void **state)
{
	struct fx *f = *state;

	queue_0_30(f, "q", NULL, NULL, ACTION_VOICEMAIL);
	assert_int_equal(restore(f, 1, "q", NOW - 45000, NOW - 45000), 0);
	engine_advance(f->e, NOW + 60000);
	assert_int_equal(info(f, NOW + 60000, 1).state, CS_QUEUED);
	assert_int_equal(info(f, NOW + 60000, 1).step, 1);
	assert_int_equal(f->nev, 0);
}

static void test_coming_step_action_fires_on_time(void **state)
{
	struct fx *f = *state;
	const struct rec *r;

	queue_0_30(f, "q", NULL, NULL, ACTION_VOICEMAIL);
	assert_int_equal(restore(f, 1, "q", NOW - 25000, NOW - 25000), 0);
	engine_advance(f->e, NOW + 5000);
	r = last(f, EV_CONTACT_VOICEMAIL, 1);
	assert_non_null(r);
	assert_int_equal(r->time, NOW + 5000);
	assert_int_equal(r->wait_ms, 30000);
	assert_int_equal(engine_contact_info(f->e, NOW + 5000, 1,
					     &(struct engine_contact_info){0}),
			 ENOENT);
}

/* ---- silence ---- */

static void test_restore_emits_no_event(void **state)
{
	struct fx *f = *state;

	queue_0_30(f, "q", NULL, NULL, ACTION_NONE);
	assert_int_equal(restore(f, 1, "q", NOW - 45000, NOW - 45000), 0);
	assert_int_equal(restore(f, 2, "q", NOW - 1000, NOW - 1000), 0);
	assert_int_equal(restore_callback(f, 3, "q", NOW - 9000, NOW - 9000),
			 0);
	assert_int_equal(f->nev, 0);
}

static void test_restore_does_not_match_even_a_free_agent(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", NULL, 0);
	queue(f, "q");
	avail(f, NOW - 100, "a1");
	f->nev = 0;
	assert_int_equal(restore(f, 1, "q", NOW - 1000, NOW - 1000), 0);
	assert_int_equal(f->nev, 0);
	assert_int_equal(info(f, NOW, 1).state, CS_QUEUED);
}

/* ---- waits and statistics keep the original times ---- */

static void test_abandon_reports_the_original_waits(void **state)
{
	struct fx *f = *state;
	const struct rec *r;

	queue(f, "q");
	assert_int_equal(restore(f, 1, "q", NOW - 50000, NOW - 20000), 0);
	assert_int_equal(engine_contact_abandon(f->e, NOW + 1000, 1), 0);
	r = last(f, EV_CONTACT_ABANDONED, 1);
	assert_non_null(r);
	assert_int_equal(r->wait_ms, 21000);
	assert_int_equal(r->total_wait_ms, 51000);
}

static void test_accept_reports_the_wait_since_entry(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", NULL, 0);
	queue(f, "q");
	assert_int_equal(restore(f, 1, "q", NOW - 40000, NOW - 40000), 0);
	avail(f, NOW, "a1");
	assert_int_equal(engine_contact_accept(f->e, NOW + 2000, 1, "a1"), 0);
	assert_int_equal(last(f, EV_CONTACT_ACCEPTED, 1)->wait_ms, 42000);
}

static void test_queue_stats_count_restored_contacts(void **state)
{
	struct fx *f = *state;
	struct engine_queue_stats st;

	queue(f, "q");
	assert_int_equal(restore(f, 1, "q", NOW - 7000, NOW - 7000), 0);
	assert_int_equal(restore_callback(f, 2, "q", NOW - 9000, NOW - 9000),
			 0);
	assert_int_equal(engine_queue_stats(f->e, NOW, "q", &st), 0);
	assert_int_equal(st.waiting, 2);
	assert_int_equal(st.offered, 0);
	assert_int_equal(st.oldest_arrival_ms, NOW - 9000);
}

/* ---- callbacks ---- */

static void test_callback_is_restored_as_callback_pending(void **state)
{
	struct fx *f = *state;
	struct engine_contact_info i;

	queue_0_30(f, "q", NULL, NULL, ACTION_NONE);
	assert_int_equal(restore_callback(f, 1, "q", NOW - 45000, NOW - 45000),
			 0);
	i = info(f, NOW, 1);
	assert_int_equal(i.state, CS_CALLBACK_PENDING);
	assert_int_equal(i.state_ms[CS_CALLBACK_PENDING], NOW - 45000);
	assert_int_equal(i.state_ms[CS_QUEUED], -1);
	assert_int_equal(i.step, 1);
	assert_int_equal(i.position, 1);
}

static void test_restored_callback_is_offered_in_its_place(void **state)
{
	struct fx *f = *state;
	char buf[64];

	agent(f, "a1", NULL, 0);
	queue(f, "q");
	assert_int_equal(restore(f, 2, "q", NOW - 10000, NOW - 10000), 0);
	assert_int_equal(restore_callback(f, 1, "q", NOW - 90000, NOW - 90000),
			 0);
	avail(f, NOW, "a1");
	assert_string_equal(offers(f, buf, sizeof(buf)), "1");
	assert_int_equal(engine_contact_accept(f->e, NOW + 100, 1, "a1"), 0);
	assert_non_null(last(f, EV_CALLBACK_DIAL, 1));
}

/* ---- refusals ---- */

static void test_same_id_twice_is_eexist(void **state)
{
	struct fx *f = *state;
	struct engine_contact c = {.id = 5, .queue = "q"};

	queue(f, "q");
	queue(f, "r");
	assert_int_equal(restore(f, 1, "q", NOW - 1000, NOW - 1000), 0);
	assert_int_equal(restore(f, 1, "q", NOW - 1000, NOW - 1000), EEXIST);
	assert_int_equal(restore(f, 1, "r", NOW - 500, NOW - 500), EEXIST);
	/* already there through a normal arrival */
	assert_int_equal(engine_contact_add(f->e, NOW, &c, NULL), 0);
	assert_int_equal(restore(f, 5, "q", NOW - 1000, NOW - 1000), EEXIST);
	/* and a restored id is taken for arrivals too */
	c.id = 1;
	assert_int_equal(engine_contact_add(f->e, NOW, &c, NULL), EEXIST);
	assert_int_equal(info(f, NOW, 1).arrived_ms, NOW - 1000);
}

static void test_unknown_queue_is_enoent(void **state)
{
	struct fx *f = *state;

	queue(f, "q");
	assert_int_equal(restore(f, 1, "nope", NOW - 1000, NOW - 1000), ENOENT);
	assert_int_equal(engine_contact_info(f->e, NOW, 1,
					     &(struct engine_contact_info){0}),
			 ENOENT);
	/* the id is still free */
	assert_int_equal(restore(f, 1, "q", NOW - 1000, NOW - 1000), 0);
}

static void test_times_that_cannot_be_are_einval(void **state)
{
	struct fx *f = *state;

	queue(f, "q");
	/* arrived in the future */
	assert_int_equal(restore(f, 1, "q", NOW + 1, NOW + 1), EINVAL);
	/* entered in the future */
	assert_int_equal(restore(f, 1, "q", NOW - 1000, NOW + 1), EINVAL);
	/* entered before it arrived */
	assert_int_equal(restore(f, 1, "q", NOW - 1000, NOW - 1001), EINVAL);
	assert_int_equal(engine_contact_info(f->e, NOW, 1,
					     &(struct engine_contact_info){0}),
			 ENOENT);
	/* the limits themselves are fine */
	assert_int_equal(restore(f, 1, "q", NOW, NOW), 0);
	assert_int_equal(restore(f, 2, "q", NOW - 1000, NOW - 1000), 0);
	assert_int_equal(f->nev, 0);
}

static void test_bad_contacts_are_einval(void **state)
{
	struct fx *f = *state;
	struct engine_contact c = {.id = 0, .queue = "q"};

	queue(f, "q");
	assert_int_equal(engine_contact_restore(f->e, NOW, &c, NOW, NOW),
			 EINVAL);
	c.id = 1;
	c.queue = NULL;
	assert_int_equal(engine_contact_restore(f->e, NOW, &c, NOW, NOW),
			 EINVAL);
	c.queue = "q";
	c.priority = 1001;
	assert_int_equal(engine_contact_restore(f->e, NOW, &c, NOW, NOW),
			 EINVAL);
	c.priority = -1001;
	assert_int_equal(engine_contact_restore(f->e, NOW, &c, NOW, NOW),
			 EINVAL);
	c.priority = 1000;
	assert_int_equal(engine_contact_restore(f->e, NOW, &c, NOW, NOW), 0);
	assert_int_equal(info(f, NOW, 1).priority, 1000);
}

static void test_einval_wins_over_eexist(void **state)
{
	struct fx *f = *state;

	queue(f, "q");
	assert_int_equal(restore(f, 1, "q", NOW - 1000, NOW - 1000), 0);
	assert_int_equal(restore(f, 1, "q", NOW + 5, NOW + 5), EINVAL);
	assert_int_equal(restore(f, 1, "nope", NOW - 10, NOW - 10), EEXIST);
}

/* ---- a restored queue can be emptied and removed ---- */

static void test_queue_is_removable_once_restored_contacts_leave(void **state)
{
	struct fx *f = *state;

	queue_0_30(f, "q", NULL, NULL, ACTION_NONE);
	assert_int_equal(restore(f, 1, "q", NOW - 45000, NOW - 45000), 0);
	assert_int_equal(restore_callback(f, 2, "q", NOW - 5000, NOW - 5000),
			 0);
	assert_int_equal(engine_queue_remove(f->e, "q"), EBUSY);
	assert_int_equal(engine_contact_abandon(f->e, NOW + 1, 1), 0);
	assert_int_equal(engine_contact_abandon(f->e, NOW + 2, 2), 0);
	assert_int_equal(engine_queue_remove(f->e, "q"), 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_older_arrival_is_offered_first),
		T(test_restored_contacts_go_before_new_arrivals),
		T(test_arrival_not_entry_decides_the_place),
		T(test_restored_contact_lands_on_the_step_of_its_wait),
		T(test_wait_counts_from_entry_not_arrival),
		T(test_restored_contact_moves_on_at_its_next_step),
		T(test_last_step_has_no_timer),
		T(test_restored_step_uses_that_steps_filter),
		T(test_passed_step_action_does_not_fire),
		T(test_coming_step_action_fires_on_time),
		T(test_restore_emits_no_event),
		T(test_restore_does_not_match_even_a_free_agent),
		T(test_abandon_reports_the_original_waits),
		T(test_accept_reports_the_wait_since_entry),
		T(test_queue_stats_count_restored_contacts),
		T(test_callback_is_restored_as_callback_pending),
		T(test_restored_callback_is_offered_in_its_place),
		T(test_same_id_twice_is_eexist),
		T(test_unknown_queue_is_enoent),
		T(test_times_that_cannot_be_are_einval),
		T(test_bad_contacts_are_einval),
		T(test_einval_wins_over_eexist),
		T(test_queue_is_removable_once_restored_contacts_leave),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
