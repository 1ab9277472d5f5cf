/*
 * test_engine — the routing engine, one behaviour per test (SPEC §4).
 *
 * Each test builds a small centre: tenant "acme" (and "globex" where
 * tenancy matters), sites paris (onshore, 30 €/h) and casa (offshore,
 * 12 €/h), agents and queues as the behaviour needs. Events are recorded
 * in order and inspected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"

#define MAXEV 512

struct rec {
	enum engine_event_type type;
	int64_t time;
	uint64_t contact;
	char agent[32];
	char queue[32];
	char target[32];
	char reason[32];
	enum agent_state agent_state, prev_state;
	int64_t wait_ms, talk_ms, wrap_ms, prev_state_ms;
	uint32_t position;
	int64_t ewt_ms;
	int64_t expires_ms;
	int step;
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
	snprintf(r->queue, sizeof(r->queue), "%s", ev->queue ? ev->queue : "");
	snprintf(r->target, sizeof(r->target), "%s",
		 ev->target ? ev->target : "");
	snprintf(r->reason, sizeof(r->reason), "%s",
		 ev->reason ? ev->reason : "");
	r->agent_state = ev->agent_state;
	r->prev_state = ev->prev_state;
	r->wait_ms = ev->wait_ms;
	r->talk_ms = ev->talk_ms;
	r->wrap_ms = ev->wrap_ms;
	r->prev_state_ms = ev->prev_state_ms;
	r->position = ev->position;
	r->ewt_ms = ev->ewt_ms;
	r->expires_ms = ev->expires_ms;
	r->step = ev->step;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct engine_site paris = {"paris", SITE_ONSHORE, "FR", 3000};
	struct engine_site casa = {"casa", SITE_OFFSHORE, "MA", 1200};

	assert_non_null(f);
	assert_int_equal(engine_new(&f->e, NULL, on_event, f), 0);
	assert_int_equal(engine_tenant_add(f->e, "acme"), 0);
	assert_int_equal(engine_tenant_add(f->e, "globex"), 0);
	assert_int_equal(engine_site_set(f->e, &paris), 0);
	assert_int_equal(engine_site_set(f->e, &casa), 0);
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

/* An agent with up to 3 skills "name:level", serving tenant `tenant`. */
static void agent(struct fx *f, const char *id, const char *site,
		  const char *tenant, int voice, int chat, int email,
		  const char *skills)
{
	const char *names[4];
	uint8_t levels[4];
	char buf[128], *save = NULL, *tok;
	size_t n = 0;
	struct engine_agent a = {0};

	snprintf(buf, sizeof(buf), "%s", skills ? skills : "");
	for (tok = strtok_r(buf, " ", &save); tok && n < 4;
	     tok = strtok_r(NULL, " ", &save)) {
		char *colon = strchr(tok, ':');

		*colon = '\0';
		names[n] = tok;
		levels[n++] = (uint8_t)atoi(colon + 1);
	}
	a.id = id;
	a.site = site;
	a.skill_names = names;
	a.skill_levels = levels;
	a.nskills = n;
	a.tenants = &tenant;
	a.ntenants = 1;
	a.capacity[CH_VOICE] = (uint8_t)voice;
	a.capacity[CH_CHAT] = (uint8_t)chat;
	a.capacity[CH_EMAIL] = (uint8_t)email;
	assert_int_equal(engine_agent_set(f->e, &a), 0);
}

static void avail(struct fx *f, int64_t now, const char *id)
{
	assert_int_equal(engine_agent_state(f->e, now, id, AS_AVAILABLE, NULL),
			 0);
}

static void queue_full(struct fx *f, const struct engine_queue *q)
{
	struct engine_error err;
	int rc = engine_queue_set(f->e, 0, q, &err);

	if (rc)
		fail_msg("queue %s: %s", q->id, err.msg);
}

static void queue(struct fx *f, const char *id, enum channel ch, int prio,
		  enum strategy s, const char *filter)
{
	struct engine_step step = {.filter = filter};
	struct engine_queue q = {.id = id,
				 .tenant = "acme",
				 .channel = ch,
				 .priority = prio,
				 .strategy = s,
				 .steps = &step,
				 .nsteps = 1,
				 .aht_ms = 60000};

	queue_full(f, &q);
}

static void add(struct fx *f, int64_t now, uint64_t id, const char *q, int prio)
{
	struct engine_contact c = {.id = id, .queue = q, .priority = prio};

	assert_int_equal(engine_contact_add(f->e, now, &c, NULL), 0);
}

/* The last event of a type (for a contact, if not 0), or NULL. */
static const struct rec *last(struct fx *f, enum engine_event_type t,
			      uint64_t contact)
{
	for (int i = f->nev - 1; i >= 0; i--) {
		if (f->ev[i].type == t &&
		    (!contact || f->ev[i].contact == contact))
			return &f->ev[i];
	}
	return NULL;
}

static int count(struct fx *f, enum engine_event_type t)
{
	int n = 0;

	for (int i = 0; i < f->nev; i++)
		n += f->ev[i].type == t;
	return n;
}

static const char *offered_agent(struct fx *f, uint64_t contact)
{
	const struct rec *r = last(f, EV_CONTACT_OFFERED, contact);

	return r ? r->agent : "";
}

static enum contact_state cstate(struct fx *f, int64_t now, uint64_t id)
{
	struct engine_contact_info info;

	if (engine_contact_info(f->e, now, id, &info))
		return CS_MAX;
	return info.state;
}

/* ---- matching ---------------------------------------------------------- */

static void test_contact_offered_to_free_agent_then_accepted(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, "lang.fr:8");
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, "lang.fr >= 5");
	avail(f, 0, "a1");
	add(f, 1000, 1, "q", 0);
	assert_string_equal(offered_agent(f, 1), "a1");
	/* the default offer time-out is 20 s */
	assert_int_equal(last(f, EV_CONTACT_OFFERED, 1)->expires_ms, 21000);
	assert_int_equal(cstate(f, 1000, 1), CS_OFFERED);
	assert_int_equal(engine_contact_accept(f->e, 3000, 1, "a1"), 0);
	assert_int_equal(cstate(f, 3000, 1), CS_ACTIVE);
	assert_int_equal(last(f, EV_CONTACT_ACCEPTED, 1)->wait_ms, 2000);
}

static void test_contact_waits_when_no_agent_passes_filter(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, "lang.fr:4");
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, "lang.fr >= 5");
	avail(f, 0, "a1");
	add(f, 0, 1, "q", 0);
	assert_int_equal(cstate(f, 0, 1), CS_QUEUED);
	assert_int_equal(count(f, EV_CONTACT_OFFERED), 0);
}

static void test_longest_idle_agent_gets_the_contact(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	agent(f, "a2", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a2");
	avail(f, 5000, "a1");
	add(f, 6000, 1, "q", 0);
	assert_string_equal(offered_agent(f, 1), "a2");
}

static void test_least_occupied_prefers_agent_with_fewer_chats(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 0, 3, 0, NULL);
	agent(f, "a2", "paris", "acme", 0, 3, 0, NULL);
	queue(f, "q", CH_CHAT, 0, STRAT_LEAST_OCCUPIED, NULL);
	avail(f, 0, "a1");
	add(f, 10, 1, "q", 0); /* a1: longest idle, takes the first chat */
	assert_string_equal(offered_agent(f, 1), "a1");
	avail(f, 20, "a2");
	add(f, 30, 2, "q", 0);
	assert_string_equal(offered_agent(f, 2), "a2");
	add(f, 40, 3, "q", 0); /* both hold one: the longer idle one */
	assert_string_equal(offered_agent(f, 3), "a1");
}

static void test_most_skilled_prefers_higher_proficiency(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, "lang.fr:6 billing:3");
	agent(f, "a2", "paris", "acme", 1, 0, 0, "lang.fr:9 billing:8");
	queue(f, "q", CH_VOICE, 0, STRAT_MOST_SKILLED,
	      "lang.fr >= 5 && billing >= 2");
	avail(f, 0, "a1");
	avail(f, 100, "a2");
	add(f, 200, 1, "q", 0);
	assert_string_equal(offered_agent(f, 1), "a2");
}

static void test_least_cost_prefers_cheapest_site(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	agent(f, "a2", "casa", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LEAST_COST, NULL);
	avail(f, 0, "a1");
	avail(f, 100, "a2");
	add(f, 200, 1, "q", 0);
	assert_string_equal(offered_agent(f, 1), "a2");
}

static void test_round_robin_rotates_through_agents(void **state)
{
	struct fx *f = *state;
	char seen[4][32];

	agent(f, "a1", "paris", "acme", 0, 3, 0, NULL);
	agent(f, "a2", "paris", "acme", 0, 3, 0, NULL);
	agent(f, "a3", "paris", "acme", 0, 3, 0, NULL);
	queue(f, "q", CH_CHAT, 0, STRAT_ROUND_ROBIN, NULL);
	avail(f, 0, "a1");
	avail(f, 0, "a2");
	avail(f, 0, "a3");
	for (int i = 0; i < 4; i++) {
		add(f, 10 + i, (uint64_t)i + 1, "q", 0);
		snprintf(seen[i], 32, "%s", offered_agent(f, (uint64_t)i + 1));
	}
	assert_string_not_equal(seen[0], seen[1]);
	assert_string_not_equal(seen[1], seen[2]);
	assert_string_not_equal(seen[0], seen[2]);
	assert_string_equal(seen[3], seen[0]);
}

static void random_choices(uint64_t seed, char out[8][32])
{
	struct fx f = {0};
	struct engine_config cfg;

	engine_config_default(&cfg);
	cfg.seed = seed;
	assert_int_equal(engine_new(&f.e, &cfg, on_event, &f), 0);
	assert_int_equal(engine_tenant_add(f.e, "acme"), 0);
	for (int i = 0; i < 8; i++) {
		char id[8];

		snprintf(id, sizeof(id), "a%d", i);
		agent(&f, id, NULL, "acme", 1, 0, 0, NULL);
		avail(&f, 0, id);
	}
	queue(&f, "q", CH_VOICE, 0, STRAT_RANDOM, NULL);
	for (int i = 0; i < 8; i++) {
		add(&f, 1, (uint64_t)i + 1, "q", 0);
		snprintf(out[i], 32, "%s", offered_agent(&f, (uint64_t)i + 1));
	}
	engine_free(f.e);
}

static void test_random_strategy_is_reproducible_by_seed(void **state)
{
	char a[8][32], b[8][32], c[8][32];
	int same_order = 1, differs = 0;

	(void)state;
	random_choices(7, a);
	random_choices(7, b);
	random_choices(8, c);
	for (int i = 0; i < 8; i++) {
		char id[8];

		assert_string_equal(a[i], b[i]);
		differs |= strcmp(a[i], c[i]) != 0;
		snprintf(id, sizeof(id), "a%d", i);
		same_order &= !strcmp(a[i], id);
	}
	assert_true(differs);
	assert_false(same_order); /* not simply creation order */
}

static void test_ring_all_first_accept_wins_others_withdrawn(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	agent(f, "a2", "paris", "acme", 1, 0, 0, NULL);
	agent(f, "a3", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_RING_ALL, NULL);
	avail(f, 0, "a1");
	avail(f, 0, "a2");
	avail(f, 0, "a3");
	add(f, 10, 1, "q", 0);
	assert_int_equal(count(f, EV_CONTACT_OFFERED), 3);
	for (int i = 0; i < f->nev; i++)
		if (f->ev[i].type == EV_CONTACT_OFFERED)
			assert_int_equal(f->ev[i].expires_ms, 20010);
	assert_int_equal(engine_contact_accept(f->e, 20, 1, "a2"), 0);
	assert_int_equal(count(f, EV_OFFER_WITHDRAWN), 2);
	assert_int_equal(engine_contact_accept(f->e, 21, 1, "a1"), EINVAL);
	/* the losers are free again for the next contact */
	add(f, 30, 2, "q", 0);
	assert_int_equal(count(f, EV_CONTACT_OFFERED), 5);
}

static void test_ring_all_rings_at_most_ring_max(void **state)
{
	struct fx *f = *state;
	struct engine_queue q = {.id = "q",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .strategy = STRAT_RING_ALL,
				 .ring_max = 2};

	queue_full(f, &q);
	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	agent(f, "a2", "paris", "acme", 1, 0, 0, NULL);
	agent(f, "a3", "paris", "acme", 1, 0, 0, NULL);
	avail(f, 0, "a1");
	avail(f, 1, "a2");
	avail(f, 2, "a3");
	add(f, 10, 1, "q", 0);
	assert_int_equal(count(f, EV_CONTACT_OFFERED), 2);
	add(f, 11, 2, "q", 0); /* the third agent takes the next call */
	assert_string_equal(offered_agent(f, 2), "a3");
}

static void test_last_agent_gets_returning_customer(void **state)
{
	struct fx *f = *state;
	struct engine_queue q = {.id = "q",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .last_agent = true,
				 .aht_ms = 60000};
	struct engine_contact c = {.id = 1, .queue = "q", .customer = "+33"};

	queue_full(f, &q);
	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	agent(f, "a2", "paris", "acme", 1, 0, 0, NULL);
	avail(f, 0, "a2");
	avail(f, 10, "a1");
	assert_int_equal(engine_contact_add(f->e, 100, &c, NULL), 0);
	assert_string_equal(offered_agent(f, 1), "a2");
	assert_int_equal(engine_contact_accept(f->e, 110, 1, "a2"), 0);
	assert_int_equal(engine_contact_end(f->e, 200, 1), 0);
	/* a1 has been idle longer, but the customer's last agent wins */
	c.id = 2;
	assert_int_equal(engine_contact_add(f->e, 300, &c, NULL), 0);
	assert_string_equal(offered_agent(f, 2), "a2");
}

static void test_last_agent_forgotten_after_the_window(void **state)
{
	struct fx *f = *state;
	struct engine_queue q = {.id = "q",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .last_agent = true,
				 .aht_ms = 60000};
	struct engine_contact c = {.id = 1, .queue = "q", .customer = "+33"};
	const int64_t week = 7LL * 24 * 3600 * 1000; /* default window */

	queue_full(f, &q);
	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	agent(f, "a2", "paris", "acme", 1, 0, 0, NULL);
	avail(f, 0, "a2");
	avail(f, 10, "a1");
	assert_int_equal(engine_contact_add(f->e, 100, &c, NULL), 0);
	assert_int_equal(engine_contact_accept(f->e, 110, 1, "a2"), 0);
	assert_int_equal(engine_contact_end(f->e, 200, 1), 0);
	/* a week and a millisecond later a1, idle longer, gets the call */
	c.id = 2;
	assert_int_equal(engine_contact_add(f->e, 201 + week, &c, NULL), 0);
	assert_string_equal(offered_agent(f, 2), "a1");
}

static void test_last_agent_wait_then_falls_back_to_queue(void **state)
{
	struct fx *f = *state;
	struct engine_queue q = {.id = "q",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .last_agent = true,
				 .last_agent_wait_ms = 10000,
				 .aht_ms = 60000};
	struct engine_contact c = {.id = 1, .queue = "q", .customer = "+33"};

	queue_full(f, &q);
	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	agent(f, "a2", "paris", "acme", 1, 0, 0, NULL);
	avail(f, 0, "a1");
	assert_int_equal(engine_contact_add(f->e, 100, &c, NULL), 0);
	engine_contact_accept(f->e, 110, 1, "a1");
	engine_contact_end(f->e, 200, 1);
	add(f, 300, 9, "q", 0); /* a1 busy again */
	engine_contact_accept(f->e, 310, 9, "a1");
	avail(f, 400, "a2");
	c.id = 2;
	assert_int_equal(engine_contact_add(f->e, 500, &c, NULL), 0);
	assert_int_equal(cstate(f, 500, 2), CS_QUEUED); /* waits for a1 */
	engine_advance(f->e, 10499);
	assert_int_equal(cstate(f, 10499, 2), CS_QUEUED);
	engine_advance(f->e, 10500);
	assert_string_equal(offered_agent(f, 2), "a2");
}

/* ---- contact choice ------------------------------------------------- */

static void test_freed_agent_takes_oldest_across_queues(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, "lang.fr:8 billing:5");
	queue(f, "qa", CH_VOICE, 0, STRAT_LONGEST_IDLE, "lang.fr >= 5");
	queue(f, "qb", CH_VOICE, 0, STRAT_LONGEST_IDLE, "billing >= 3");
	avail(f, 0, "a1");
	add(f, 10, 1, "qa", 0);
	engine_contact_accept(f->e, 11, 1, "a1");
	add(f, 100, 2, "qb", 0); /* older, other queue */
	add(f, 200, 3, "qa", 0);
	engine_contact_end(f->e, 300, 1);
	assert_string_equal(offered_agent(f, 2), "a1");
	assert_int_equal(cstate(f, 300, 3), CS_QUEUED);
}

static void test_queue_priority_beats_older_contact(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "low", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	queue(f, "vip", CH_VOICE, 2, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 0, 9, "low", 0);
	engine_contact_accept(f->e, 1, 9, "a1");
	add(f, 1000, 1, "low", 0);
	add(f, 30000, 2, "vip", 0); /* 29 s younger, 2 points higher */
	engine_contact_end(f->e, 40000, 9);
	assert_string_equal(offered_agent(f, 2), "a1");
}

static void test_aging_beats_queue_priority_after_60s(void **state)
{
	struct fx *f = *state;

	/* One point of priority is worth 60 s of waiting by default. */
	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "low", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	queue(f, "vip", CH_VOICE, 1, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 0, 9, "low", 0);
	engine_contact_accept(f->e, 1, 9, "a1");
	add(f, 1000, 1, "low", 0);
	add(f, 62000, 2, "vip", 0); /* 61 s younger: aging wins */
	engine_contact_end(f->e, 70000, 9);
	assert_string_equal(offered_agent(f, 1), "a1");
}

static void test_contact_priority_adds_to_queue_priority(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 0, 9, "q", 0);
	engine_contact_accept(f->e, 1, 9, "a1");
	add(f, 1000, 1, "q", 0);
	add(f, 2000, 2, "q", 3);
	engine_contact_end(f->e, 3000, 9);
	assert_string_equal(offered_agent(f, 2), "a1");
}

static void test_equal_scores_served_in_arrival_order(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	queue(f, "r", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 0, 100, "q", 0);
	engine_contact_accept(f->e, 0, 100, "a1");
	/* same instant, same priority, two queues: arrival order decides */
	add(f, 500, 1, "r", 0);
	add(f, 500, 2, "q", 0);
	add(f, 500, 3, "r", 0);
	for (uint64_t id = 1; id <= 3; id++) {
		uint64_t prev = id == 1 ? 100 : id - 1;

		engine_contact_end(f->e, 1000 * (int64_t)id, prev);
		assert_string_equal(offered_agent(f, id), "a1");
		engine_contact_accept(f->e, 1000 * (int64_t)id, id, "a1");
	}
}

/* ---- capacity ------------------------------------------------------- */

static void test_chat_backlog_never_blocks_voice(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 3, 0, NULL);
	queue(f, "chat", CH_CHAT, 5, STRAT_LONGEST_IDLE, NULL);
	queue(f, "voice", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	for (uint64_t id = 1; id <= 6; id++)
		add(f, 10, id, "chat", 0); /* 3 offered, 3 waiting */
	assert_int_equal(count(f, EV_CONTACT_OFFERED), 3);
	add(f, 20, 50, "voice", 0);
	assert_string_equal(offered_agent(f, 50), "a1");
}

static void test_voice_blocks_other_channels(void **state)
{
	struct fx *f = *state;
	enum why why;
	char text[160];

	agent(f, "a1", "paris", "acme", 1, 3, 2, NULL);
	queue(f, "voice", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	queue(f, "chat", CH_CHAT, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 10, 1, "voice", 0);
	engine_contact_accept(f->e, 11, 1, "a1");
	add(f, 20, 2, "chat", 0);
	assert_int_equal(cstate(f, 20, 2), CS_QUEUED);
	assert_int_equal(engine_why(f->e, 20, 2, "a1", &why, text, 160), 0);
	assert_int_equal(why, WHY_BLOCKED);
	engine_contact_end(f->e, 30, 1);
	assert_string_equal(offered_agent(f, 2), "a1");
}

static void test_shared_budget_limits_chats_and_emails(void **state)
{
	struct fx *f = *state;
	uint8_t load[CH_MAX];

	/* budget 6: chat 2 units, email 3 units */
	agent(f, "a1", "paris", "acme", 0, 3, 2, NULL);
	queue(f, "email", CH_EMAIL, 0, STRAT_LONGEST_IDLE, NULL);
	queue(f, "chat", CH_CHAT, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 10, 1, "email", 0);
	add(f, 11, 2, "chat", 0);
	add(f, 12, 3, "chat", 0); /* 3 + 2 + 2 > 6 */
	assert_int_equal(engine_agent_info(f->e, "a1", NULL, load), 0);
	assert_int_equal(load[CH_EMAIL], 1);
	assert_int_equal(load[CH_CHAT], 1);
	assert_int_equal(cstate(f, 12, 3), CS_QUEUED);
}

static void test_per_channel_limit(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 0, 2, 0, NULL);
	queue(f, "chat", CH_CHAT, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 10, 1, "chat", 0);
	add(f, 11, 2, "chat", 0);
	add(f, 12, 3, "chat", 0);
	assert_int_equal(count(f, EV_CONTACT_OFFERED), 2);
	assert_int_equal(cstate(f, 12, 3), CS_QUEUED);
}

/* ---- offers --------------------------------------------------------- */

static void test_reject_puts_contact_back_at_its_place(void **state)
{
	struct fx *f = *state;
	struct engine_contact_info info;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	agent(f, "a2", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 10, 1, "q", 0);
	add(f, 20, 2, "q", 0);
	assert_int_equal(engine_contact_reject(f->e, 30, 1, "a1"), 0);
	assert_int_equal(engine_contact_info(f->e, 30, 1, &info), 0);
	assert_int_equal(info.state, CS_QUEUED);
	assert_int_equal(info.position, 1); /* ahead of contact 2 */
	avail(f, 40, "a2");
	assert_string_equal(offered_agent(f, 1), "a2");
}

static void test_offer_timeout_is_a_miss_then_auto_pause(void **state)
{
	struct fx *f = *state;
	enum agent_state st;
	int64_t t = 0;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 0, 1, "q", 0);
	for (int miss = 1; miss <= 3; miss++) {
		t += 20000; /* offer timeout */
		engine_advance(f->e, t);
		assert_int_equal(count(f, EV_OFFER_MISSED), miss);
		t += 5000; /* reject delay: offered again */
		engine_advance(f->e, t);
	}
	assert_int_equal(engine_agent_info(f->e, "a1", &st, NULL), 0);
	assert_int_equal(st, AS_PAUSED);
	assert_int_equal(cstate(f, t, 1), CS_QUEUED);
	assert_int_equal(count(f, EV_CONTACT_OFFERED), 3);
}

static void test_missed_agent_not_offered_during_reject_delay(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 0, 1, "q", 0);
	engine_contact_reject(f->e, 100, 1, "a1");
	engine_advance(f->e, 5099);
	assert_int_equal(count(f, EV_CONTACT_OFFERED), 1);
	engine_advance(f->e, 5100);
	assert_int_equal(count(f, EV_CONTACT_OFFERED), 2);
}

/* ---- steps ---------------------------------------------------------- */

static void test_step_widens_the_pool_after_its_delay(void **state)
{
	struct fx *f = *state;
	struct engine_step steps[] = {
		{.after_ms = 0, .filter = "site.kind == \"onshore\""},
		{.after_ms = 20000, .filter = "true"},
	};
	struct engine_queue q = {.id = "q",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .steps = steps,
				 .nsteps = 2,
				 .aht_ms = 60000};

	queue_full(f, &q);
	agent(f, "casa1", "casa", "acme", 1, 0, 0, NULL);
	avail(f, 0, "casa1");
	add(f, 1000, 1, "q", 0);
	engine_advance(f->e, 20999);
	assert_int_equal(cstate(f, 20999, 1), CS_QUEUED);
	engine_advance(f->e, 21000);
	assert_string_equal(offered_agent(f, 1), "casa1");
	assert_int_equal(last(f, EV_CONTACT_STEP, 1)->step, 1);
}

static void test_step_raises_priority(void **state)
{
	struct fx *f = *state;
	struct engine_step steps[] = {
		{.after_ms = 0},
		{.after_ms = 10000, .priority_delta = 5},
	};
	struct engine_queue q = {.id = "slow",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .steps = steps,
				 .nsteps = 2,
				 .aht_ms = 60000};

	queue_full(f, &q);
	queue(f, "vip", CH_VOICE, 3, STRAT_LONGEST_IDLE, NULL);
	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	avail(f, 0, "a1");
	add(f, 0, 9, "vip", 0);
	engine_contact_accept(f->e, 0, 9, "a1");
	add(f, 1000, 1, "slow", 0);
	add(f, 2000, 2, "vip", 0);
	engine_contact_end(f->e, 12000, 9); /* slow got +5 at 11 s */
	assert_string_equal(offered_agent(f, 1), "a1");
}

static void test_step_action_transfer_and_voicemail(void **state)
{
	struct fx *f = *state;
	struct engine_step s1[] = {
		{.after_ms = 0},
		{.after_ms = 30000,
		 .action = ACTION_TRANSFER,
		 .target = "overflow"},
	};
	struct engine_step s2[] = {
		{.after_ms = 0},
		{.after_ms = 60000, .action = ACTION_VOICEMAIL},
	};
	struct engine_queue over = {.id = "overflow",
				    .tenant = "acme",
				    .channel = CH_VOICE,
				    .steps = s2,
				    .nsteps = 2};
	struct engine_queue q = {.id = "q",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .steps = s1,
				 .nsteps = 2};

	queue_full(f, &over);
	queue_full(f, &q);
	add(f, 0, 1, "q", 0);
	engine_advance(f->e, 30000);
	assert_string_equal(last(f, EV_CONTACT_TRANSFERRED, 1)->target,
			    "overflow");
	assert_int_equal(engine_queue_remove(f->e, "overflow"), EBUSY);
	engine_advance(f->e, 90000);
	assert_non_null(last(f, EV_CONTACT_VOICEMAIL, 1));
	assert_int_equal(cstate(f, 90000, 1), CS_MAX); /* gone */
}

static void test_step_offers_callback_only_when_ewt_is_long(void **state)
{
	struct fx *f = *state;
	struct engine_step steps[] = {
		{.after_ms = 0},
		{.after_ms = 5000,
		 .min_ewt_ms = 300000,
		 .action = ACTION_CALLBACK_OFFER},
	};
	struct engine_queue q = {.id = "q",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .steps = steps,
				 .nsteps = 2,
				 .aht_ms = 240000};

	queue_full(f, &q);
	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	avail(f, 0, "a1");
	add(f, 0, 1, "q", 0);
	engine_contact_accept(f->e, 0, 1, "a1");
	add(f, 100, 2, "q", 0); /* 1st in line: EWT 240 s < 300 s */
	add(f, 200, 3, "q", 0); /* 2nd in line: EWT 480 s */
	engine_advance(f->e, 6000);
	assert_null(last(f, EV_CALLBACK_OFFER, 2));
	assert_non_null(last(f, EV_CALLBACK_OFFER, 3));
}

/* ---- position, EWT, callback --------------------------------------- */

static void test_position_and_ewt_use_line_and_staffing(void **state)
{
	struct fx *f = *state;
	struct engine_contact_info info;
	struct engine_queue_stats st;
	struct engine_contact c = {.id = 3, .queue = "q"};

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	agent(f, "a2", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL); /* AHT 60 s */
	avail(f, 0, "a1");
	avail(f, 0, "a2");
	add(f, 0, 1, "q", 0);
	add(f, 0, 2, "q", 0);
	engine_contact_accept(f->e, 0, 1, "a1");
	engine_contact_accept(f->e, 0, 2, "a2");
	assert_int_equal(engine_contact_add(f->e, 10, &c, &info), 0);
	assert_int_equal(info.position, 1);
	assert_int_equal(info.ewt_ms, 30000); /* 1 × 60 s / 2 agents */
	c.id = 4;
	assert_int_equal(engine_contact_add(f->e, 20, &c, &info), 0);
	assert_int_equal(info.position, 2);
	assert_int_equal(info.ewt_ms, 60000);
	assert_int_equal(last(f, EV_CONTACT_QUEUED, 4)->position, 2);
	/* the queue's own estimate, for a caller arriving now: 3rd in line */
	assert_int_equal(engine_queue_stats(f->e, 25, "q", &st), 0);
	assert_int_equal(st.ewt_ms, 90000);
	/* half the staff leaves: the wait doubles */
	assert_int_equal(engine_agent_state(f->e, 30, "a1", AS_PAUSED, "lunch"),
			 0);
	assert_int_equal(engine_contact_info(f->e, 30, 4, &info), 0);
	assert_int_equal(info.ewt_ms, 120000);
}

static void test_callback_keeps_place_and_dials_on_accept(void **state)
{
	struct fx *f = *state;
	struct engine_contact_info info;
	struct engine_contact c = {.id = 2, .queue = "q", .customer = "+336"};

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 0, 1, "q", 0);
	engine_contact_accept(f->e, 0, 1, "a1");
	assert_int_equal(engine_contact_add(f->e, 100, &c, NULL), 0);
	add(f, 200, 3, "q", 0);
	assert_int_equal(engine_contact_callback(f->e, 300, 2), 0);
	assert_int_equal(engine_contact_info(f->e, 300, 2, &info), 0);
	assert_int_equal(info.state, CS_CALLBACK_PENDING);
	assert_int_equal(info.position, 1);
	engine_contact_end(f->e, 400, 1);
	assert_string_equal(offered_agent(f, 2), "a1"); /* agent reserved */
	assert_null(last(f, EV_CALLBACK_DIAL, 2));
	engine_contact_accept(f->e, 410, 2, "a1");
	assert_string_equal(last(f, EV_CALLBACK_DIAL, 2)->target, "+336");
}

/* ---- transfer ------------------------------------------------------- */

static void test_transfer_active_contact_to_queue(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, "billing:5");
	agent(f, "a2", "paris", "acme", 1, 0, 0, "tech.l2:7");
	queue(f, "billing", CH_VOICE, 0, STRAT_LONGEST_IDLE, "has(billing)");
	queue(f, "tech", CH_VOICE, 0, STRAT_LONGEST_IDLE, "has(tech.l2)");
	avail(f, 0, "a1");
	avail(f, 0, "a2");
	add(f, 0, 1, "billing", 0);
	engine_contact_accept(f->e, 10, 1, "a1");
	assert_int_equal(engine_contact_transfer(f->e, 5000, 1, "tech", NULL),
			 0);
	assert_int_equal(last(f, EV_CONTACT_TRANSFERRED, 1)->talk_ms, 4990);
	assert_string_equal(offered_agent(f, 1), "a2");
	add(f, 5001, 2, "billing", 0); /* a1 is free again */
	assert_string_equal(offered_agent(f, 2), "a1");
}

static void test_transfer_to_agent_waits_for_that_agent(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	agent(f, "a2", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 0, 9, "q", 0);
	engine_contact_accept(f->e, 0, 9, "a1");
	add(f, 10, 1, "q", 0);
	assert_int_equal(engine_contact_transfer(f->e, 20, 1, NULL, "a1"), 0);
	avail(f, 30, "a2"); /* free, but the contact waits for a1 */
	assert_int_equal(cstate(f, 30, 1), CS_QUEUED);
	engine_contact_end(f->e, 40, 9);
	assert_string_equal(offered_agent(f, 1), "a1");
}

static void test_transfer_to_other_tenant_refused(void **state)
{
	struct fx *f = *state;
	struct engine_queue g = {.id = "g", .tenant = "globex"};

	queue_full(f, &g);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	agent(f, "b1", "paris", "globex", 1, 0, 0, NULL);
	add(f, 0, 1, "q", 0);
	assert_int_equal(engine_contact_transfer(f->e, 1, 1, "g", NULL), EPERM);
	assert_int_equal(engine_contact_transfer(f->e, 1, 1, NULL, "b1"),
			 EPERM);
	assert_int_equal(cstate(f, 1, 1), CS_QUEUED);
}

/* ---- agents --------------------------------------------------------- */

static void test_agent_of_other_tenant_never_offered(void **state)
{
	struct fx *f = *state;
	enum why why;
	char text[160];

	agent(f, "b1", "paris", "globex", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "b1");
	add(f, 0, 1, "q", 0);
	assert_int_equal(count(f, EV_CONTACT_OFFERED), 0);
	engine_why(f->e, 0, 1, "b1", &why, text, sizeof(text));
	assert_int_equal(why, WHY_OTHER_TENANT);
}

static void test_agent_state_events_carry_durations(void **state)
{
	struct fx *f = *state;
	const struct rec *r;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 1000, "a1");
	assert_int_equal(
		engine_agent_state(f->e, 61000, "a1", AS_PAUSED, "break"), 0);
	r = last(f, EV_AGENT_STATE, 0);
	assert_int_equal(r->agent_state, AS_PAUSED);
	assert_int_equal(r->prev_state_ms, 60000);
	assert_int_equal(engine_agent_state(f->e, 62000, "a1", AS_PAUSED, ""),
			 EINVAL); /* a pause needs a reason */
}

static void test_pause_with_another_reason_is_reported(void **state)
{
	struct fx *f = *state;
	const struct rec *r;
	int n;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 1000, "a1");
	engine_agent_state(f->e, 2000, "a1", AS_PAUSED, "break");
	n = count(f, EV_AGENT_STATE);
	assert_int_equal(
		engine_agent_state(f->e, 32000, "a1", AS_PAUSED, "lunch"), 0);
	assert_int_equal(count(f, EV_AGENT_STATE), n + 1);
	r = last(f, EV_AGENT_STATE, 0);
	assert_int_equal(r->agent_state, AS_PAUSED);
	assert_int_equal(r->prev_state, AS_PAUSED);
	assert_int_equal(r->prev_state_ms, 30000);
	assert_string_equal(r->reason, "lunch");
	/* the same pause again is no change */
	engine_agent_state(f->e, 40000, "a1", AS_PAUSED, "lunch");
	assert_int_equal(count(f, EV_AGENT_STATE), n + 1);
}

static void test_paused_agent_gets_nothing_and_pause_withdraws(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 10, 1, "q", 0);
	engine_agent_state(f->e, 20, "a1", AS_PAUSED, "lunch");
	assert_int_equal(count(f, EV_OFFER_WITHDRAWN), 1);
	assert_int_equal(cstate(f, 20, 1), CS_QUEUED);
	avail(f, 30, "a1");
	assert_int_equal(count(f, EV_CONTACT_OFFERED), 2);
}

static void test_offline_refused_while_handling(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 10, 1, "q", 0);
	engine_contact_accept(f->e, 11, 1, "a1");
	assert_int_equal(engine_agent_state(f->e, 20, "a1", AS_OFFLINE, NULL),
			 EBUSY);
	assert_int_equal(engine_agent_remove(f->e, 20, "a1"), EBUSY);
}

/* ---- wrap-up -------------------------------------------------------- */

static void test_timed_wrapup_frees_agent_after_delay(void **state)
{
	struct fx *f = *state;
	struct engine_queue q = {.id = "q",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .wrapup = WRAPUP_TIMED,
				 .wrapup_ms = 30000};
	enum agent_state st;

	queue_full(f, &q);
	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	avail(f, 0, "a1");
	add(f, 0, 1, "q", 0);
	engine_contact_accept(f->e, 0, 1, "a1");
	add(f, 10, 2, "q", 0);
	engine_contact_end(f->e, 60000, 1);
	engine_agent_info(f->e, "a1", &st, NULL);
	assert_int_equal(st, AS_WRAPUP);
	/* the end says when the wrap-up ends by itself */
	assert_int_equal(last(f, EV_CONTACT_ENDED, 1)->expires_ms, 90000);
	assert_int_equal(cstate(f, 60000, 2), CS_QUEUED);
	engine_advance(f->e, 90000);
	assert_int_equal(last(f, EV_CONTACT_COMPLETED, 1)->wrap_ms, 30000);
	assert_int_equal(last(f, EV_CONTACT_COMPLETED, 1)->talk_ms, 60000);
	assert_string_equal(offered_agent(f, 2), "a1");
}

static void test_manual_wrapup_waits_for_the_agent(void **state)
{
	struct fx *f = *state;
	struct engine_queue q = {.id = "q",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .wrapup = WRAPUP_MANUAL};

	queue_full(f, &q);
	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	avail(f, 0, "a1");
	add(f, 0, 1, "q", 0);
	engine_contact_accept(f->e, 0, 1, "a1");
	add(f, 10, 2, "q", 0);
	engine_contact_end(f->e, 1000, 1);
	engine_advance(f->e, 3600000);
	assert_int_equal(cstate(f, 3600000, 1), CS_WRAPUP);
	assert_int_equal(engine_contact_wrapup_done(f->e, 3600001, 1), 0);
	assert_string_equal(offered_agent(f, 2), "a1");
}

/* ---- calendars ------------------------------------------------------ */

/* 2026-03-30 is a Monday; Paris is UTC+2 after 2026-03-29. */
#define MON_0800_PARIS \
	((tz_days_from_civil(2026, 3, 30) * 86400 + 6 * 3600) * 1000LL)

/* The calendar "office": Paris, Monday to Friday from `from` to `to`. */
static void office(struct fx *f, int from_min, int to_min)
{
	struct calendar *cal;
	struct tz *tz;

	assert_int_equal(tz_parse_posix(&tz, "CET-1CEST,M3.5.0,M10.5.0/3"), 0);
	assert_int_equal(calendar_new(&cal, tz), 0);
	for (int d = 0; d < 5; d++)
		assert_int_equal(calendar_add_weekly(cal, d, from_min, to_min),
				 0);
	assert_int_equal(engine_calendar_set(f->e, "office", cal), 0);
}

static void test_closed_queue_takes_its_closed_action(void **state)
{
	struct fx *f = *state;
	struct engine_queue night = {
		.id = "night", .tenant = "acme", .channel = CH_VOICE};
	struct engine_queue q = {.id = "q",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .calendar = "office",
				 .closed_action = ACTION_TRANSFER,
				 .closed_target = "night"};

	office(f, 9 * 60, 18 * 60);
	queue_full(f, &night);
	queue_full(f, &q);
	engine_set_wallclock(f->e, 0, MON_0800_PARIS);
	add(f, 0, 1, "q", 0); /* 08:00 local: closed */
	assert_string_equal(last(f, EV_CONTACT_TRANSFERRED, 1)->target,
			    "night");
	add(f, 3600000, 2, "q", 0); /* 09:00 local: open */
	assert_null(last(f, EV_CONTACT_TRANSFERRED, 2));
	assert_int_equal(engine_calendar_remove(f->e, "office"), EBUSY);
}

/*
 * A closed chat queue with the default closed action (close) holds the
 * written contact for the next opening instead of turning it away; an
 * agent who comes gets it. A voice queue still closes.
 */
static void test_closed_chat_queue_holds_its_contact(void **state)
{
	struct fx *f = *state;
	struct engine_queue chat = {.id = "chat",
				    .tenant = "acme",
				    .channel = CH_CHAT,
				    .calendar = "office",
				    .closed_action = ACTION_CLOSE};
	struct engine_queue voice = {.id = "voice",
				     .tenant = "acme",
				     .channel = CH_VOICE,
				     .calendar = "office",
				     .closed_action = ACTION_CLOSE};

	office(f, 9 * 60, 18 * 60);
	queue_full(f, &chat);
	queue_full(f, &voice);
	engine_set_wallclock(f->e, 0, MON_0800_PARIS);
	assert_false(engine_queue_open(f->e, "chat", 0));
	assert_true(engine_queue_open(f->e, "chat", 3600000));
	add(f, 0, 1, "chat", 0);
	add(f, 0, 2, "voice", 0);
	assert_null(last(f, EV_CONTACT_CLOSED, 1));
	assert_int_equal(cstate(f, 0, 1), CS_QUEUED);
	assert_non_null(last(f, EV_CONTACT_CLOSED, 2));
	agent(f, "a1", "paris", "acme", 1, 1, 1, NULL);
	avail(f, 3600000, "a1");
	assert_string_equal(offered_agent(f, 1), "a1");
}

/*
 * A callback (a voicemail's) arriving in a closed voice queue waits for
 * the opening whatever the closed action: there is nobody on the line to
 * send to voicemail again or to hang up on.
 */
static void test_closed_voice_queue_holds_a_callback(void **state)
{
	struct fx *f = *state;
	struct engine_queue q = {.id = "q",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .calendar = "office",
				 .closed_action = ACTION_VOICEMAIL};
	struct engine_contact cb = {.id = 2, .queue = "q", .callback = true};

	office(f, 9 * 60, 18 * 60);
	queue_full(f, &q);
	engine_set_wallclock(f->e, 0, MON_0800_PARIS);
	add(f, 0, 1, "q", 0); /* a caller: the closed action */
	assert_non_null(last(f, EV_CONTACT_VOICEMAIL, 1));
	assert_int_equal(engine_contact_add(f->e, 0, &cb, NULL), 0);
	assert_null(last(f, EV_CONTACT_VOICEMAIL, 2));
	assert_int_equal(cstate(f, 0, 2), CS_CALLBACK_PENDING);
	agent(f, "a1", "paris", "acme", 1, 1, 1, NULL);
	avail(f, 3600000, "a1"); /* 09:00: open, the agent takes it */
	assert_string_equal(offered_agent(f, 2), "a1");
}

/* ---- why not -------------------------------------------------------- */

static void test_holiday_closes_the_queue_all_day(void **state)
{
	struct fx *f = *state;
	struct calendar *cal;
	struct tz *tz;
	struct engine_queue q = {.id = "q",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .calendar = "office",
				 .closed_action = ACTION_VOICEMAIL};
	/* Friday 2026-12-25 at 10:00 in Paris (UTC+1), then Monday 28th */
	int64_t xmas =
		(tz_days_from_civil(2026, 12, 25) * 86400 + 9 * 3600) * 1000LL;
	int64_t monday = 3 * 86400 * 1000LL;

	assert_int_equal(tz_parse_posix(&tz, "CET-1CEST,M3.5.0,M10.5.0/3"), 0);
	assert_int_equal(calendar_new(&cal, tz), 0);
	for (int d = 0; d < 5; d++)
		assert_int_equal(calendar_add_weekly(cal, d, 8 * 60, 20 * 60),
				 0);
	assert_int_equal(calendar_add_holiday(cal, 2026, 12, 25), 0);
	assert_int_equal(engine_calendar_set(f->e, "office", cal), 0);
	queue_full(f, &q);
	engine_set_wallclock(f->e, 0, xmas);
	add(f, 0, 1, "q", 0);
	assert_non_null(last(f, EV_CONTACT_VOICEMAIL, 1));
	add(f, monday, 2, "q", 0);
	assert_null(last(f, EV_CONTACT_VOICEMAIL, 2));
	assert_int_equal(cstate(f, monday, 2), CS_QUEUED);
}

static void test_tenant_removal_refused_while_in_use(void **state)
{
	struct fx *f = *state;

	assert_int_equal(engine_tenant_add(f->e, "acme"), EEXIST);
	assert_int_equal(engine_tenant_remove(f->e, "nobody"), ENOENT);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	assert_int_equal(engine_tenant_remove(f->e, "acme"), EBUSY);
	assert_int_equal(engine_queue_remove(f->e, "q"), 0);
	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	assert_int_equal(engine_tenant_remove(f->e, "acme"), EBUSY);
	assert_int_equal(engine_agent_remove(f->e, 0, "a1"), 0);
	assert_int_equal(engine_tenant_remove(f->e, "acme"), 0);
	assert_int_equal(engine_tenant_add(f->e, "acme"), 0);
}

static void test_why_not_names_the_failing_step_filter(void **state)
{
	struct fx *f = *state;
	struct engine_step steps[] = {
		{.after_ms = 0, .filter = "lang.fr >= 7"},
		{.after_ms = 30000, .filter = "lang.fr >= 4"},
	};
	struct engine_queue q = {.id = "q",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .steps = steps,
				 .nsteps = 2};
	enum why why;
	char text[200];

	queue_full(f, &q);
	agent(f, "a1", "paris", "acme", 1, 0, 0, "lang.fr:5");
	avail(f, 0, "a1");
	add(f, 0, 1, "q", 0);
	assert_int_equal(engine_why(f->e, 10, 1, "a1", &why, text, 200), 0);
	assert_int_equal(why, WHY_FILTER);
	assert_non_null(strstr(text, "step 0"));
	assert_non_null(strstr(text, "lang.fr >= 7"));
	assert_non_null(strstr(text, "step 1 (after 30 s)"));
	engine_agent_state(f->e, 20, "a1", AS_PAUSED, "training");
	engine_why(f->e, 20, 1, "a1", &why, text, 200);
	assert_int_equal(why, WHY_PAUSED);
	assert_non_null(strstr(text, "training"));
}

static void test_why_not_lower_in_order(void **state)
{
	struct fx *f = *state;
	enum why why;
	char text[200];

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	agent(f, "a2", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	avail(f, 10, "a2");
	add(f, 20, 1, "q", 0);
	engine_why(f->e, 20, 1, "a2", &why, text, 200);
	assert_int_equal(why, WHY_LOWER_IN_ORDER);
	assert_non_null(strstr(text, "a1"));
	assert_non_null(strstr(text, "longest-idle"));
}

/* ---- configuration changes ----------------------------------------- */

static void test_bad_filter_refused_with_position(void **state)
{
	struct fx *f = *state;
	struct engine_step step = {.filter = "lang.fr >= && x"};
	struct engine_queue q = {.id = "q",
				 .tenant = "acme",
				 .channel = CH_VOICE,
				 .steps = &step,
				 .nsteps = 1};
	struct engine_queue_stats st;
	struct engine_error err;

	assert_int_equal(engine_queue_set(f->e, 0, &q, &err), EINVAL);
	assert_non_null(strstr(err.msg, "position 12"));
	assert_int_equal(engine_queue_stats(f->e, 0, "q", &st), ENOENT);
}

static void test_new_agent_takes_waiting_contacts(void **state)
{
	struct fx *f = *state;

	queue(f, "q", CH_CHAT, 0, STRAT_LONGEST_IDLE, "lang.fr >= 5");
	add(f, 0, 1, "q", 0);
	add(f, 5, 2, "q", 0);
	agent(f, "a1", "paris", "acme", 0, 3, 0, "lang.fr:6");
	avail(f, 10, "a1");
	assert_string_equal(offered_agent(f, 1), "a1");
	assert_string_equal(offered_agent(f, 2), "a1");
}

static void test_skill_change_makes_agent_eligible(void **state)
{
	struct fx *f = *state;

	agent(f, "a1", "paris", "acme", 1, 0, 0, "lang.fr:3");
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, "lang.fr >= 5");
	avail(f, 0, "a1");
	add(f, 10, 1, "q", 0);
	assert_int_equal(cstate(f, 10, 1), CS_QUEUED);
	agent(f, "a1", "paris", "acme", 1, 0, 0, "lang.fr:6");
	assert_string_equal(offered_agent(f, 1), "a1");
}

static void test_queue_change_keeps_waiting_contacts(void **state)
{
	struct fx *f = *state;
	struct engine_contact_info info;
	struct engine_queue_stats st;

	agent(f, "a1", "paris", "acme", 1, 0, 0, "lang.en:8");
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, "lang.fr >= 5");
	avail(f, 0, "a1");
	add(f, 10, 1, "q", 0);
	add(f, 20, 2, "q", 0);
	assert_int_equal(engine_queue_stats(f->e, 20, "q", &st), 0);
	assert_int_equal(st.waiting, 2);
	assert_int_equal(st.oldest_arrival_ms, 10);
	assert_int_equal(st.ewt_ms, -1); /* nobody passes the filter */
	/* the supervisor opens the queue to English speakers */
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, "lang.en >= 5");
	assert_string_equal(offered_agent(f, 1), "a1");
	assert_int_equal(engine_contact_info(f->e, 30, 2, &info), 0);
	assert_int_equal(info.position, 1);
	assert_int_equal(engine_queue_remove(f->e, "q"), EBUSY);
}

static void test_two_engines_are_independent(void **state)
{
	struct fx *f = *state;
	struct fx g = {0};

	assert_int_equal(engine_new(&g.e, NULL, on_event, &g), 0);
	assert_int_equal(engine_tenant_add(g.e, "acme"), 0);
	queue(&g, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	add(&g, 0, 1, "q", 0);
	assert_int_equal(cstate(&g, 0, 1), CS_QUEUED);
	assert_int_equal(cstate(f, 0, 1), CS_MAX);
	engine_free(g.e);
}

static void test_abandon_frees_offer_and_reports_wait(void **state)
{
	struct fx *f = *state;
	const struct rec *r;

	agent(f, "a1", "paris", "acme", 1, 0, 0, NULL);
	queue(f, "q", CH_VOICE, 0, STRAT_LONGEST_IDLE, NULL);
	avail(f, 0, "a1");
	add(f, 1000, 1, "q", 0);
	assert_int_equal(engine_contact_abandon(f->e, 4000, 1), 0);
	r = last(f, EV_CONTACT_ABANDONED, 1);
	assert_non_null(r);
	assert_int_equal(r->wait_ms, 3000);
	assert_int_equal(engine_contact_abandon(f->e, 4001, 1), ENOENT);
	add(f, 5000, 2, "q", 0);
	assert_string_equal(offered_agent(f, 2), "a1");
}

/* Every name of a state and an event parses back to its value. */
static void test_state_and_event_names_parse_back(void **state)
{
	enum agent_state st = AS_MAX;
	enum engine_event_type t = EV_MAX;
	enum contact_state cs = CS_MAX;

	(void)state;
	for (int i = 0; i < CS_MAX; i++) {
		assert_true(engine_contact_state_parse(
			engine_contact_state_name((enum contact_state)i), &cs));
		assert_int_equal(cs, i);
	}
	for (int i = 0; i < AS_MAX; i++) {
		assert_true(engine_agent_state_parse(
			engine_agent_state_name((enum agent_state)i), &st));
		assert_int_equal(st, i);
	}
	for (int i = 0; i < EV_MAX; i++) {
		assert_true(engine_event_parse(
			engine_event_name((enum engine_event_type)i), &t));
		assert_int_equal(t, i);
	}
	st = AS_MAX;
	assert_false(engine_agent_state_parse("sleeping", &st));
	assert_false(engine_agent_state_parse(NULL, &st));
	assert_int_equal(st, AS_MAX);
	assert_false(engine_event_parse("contact.exploded", &t));
	assert_false(engine_contact_state_parse("lost", &cs));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_contact_offered_to_free_agent_then_accepted),
		T(test_state_and_event_names_parse_back),
		T(test_contact_waits_when_no_agent_passes_filter),
		T(test_longest_idle_agent_gets_the_contact),
		T(test_least_occupied_prefers_agent_with_fewer_chats),
		T(test_most_skilled_prefers_higher_proficiency),
		T(test_least_cost_prefers_cheapest_site),
		T(test_round_robin_rotates_through_agents),
		T(test_random_strategy_is_reproducible_by_seed),
		T(test_ring_all_first_accept_wins_others_withdrawn),
		T(test_ring_all_rings_at_most_ring_max),
		T(test_last_agent_gets_returning_customer),
		T(test_last_agent_forgotten_after_the_window),
		T(test_last_agent_wait_then_falls_back_to_queue),
		T(test_freed_agent_takes_oldest_across_queues),
		T(test_queue_priority_beats_older_contact),
		T(test_aging_beats_queue_priority_after_60s),
		T(test_contact_priority_adds_to_queue_priority),
		T(test_equal_scores_served_in_arrival_order),
		T(test_chat_backlog_never_blocks_voice),
		T(test_voice_blocks_other_channels),
		T(test_shared_budget_limits_chats_and_emails),
		T(test_per_channel_limit),
		T(test_reject_puts_contact_back_at_its_place),
		T(test_offer_timeout_is_a_miss_then_auto_pause),
		T(test_missed_agent_not_offered_during_reject_delay),
		T(test_step_widens_the_pool_after_its_delay),
		T(test_step_raises_priority),
		T(test_step_action_transfer_and_voicemail),
		T(test_step_offers_callback_only_when_ewt_is_long),
		T(test_position_and_ewt_use_line_and_staffing),
		T(test_callback_keeps_place_and_dials_on_accept),
		T(test_transfer_active_contact_to_queue),
		T(test_transfer_to_agent_waits_for_that_agent),
		T(test_transfer_to_other_tenant_refused),
		T(test_agent_of_other_tenant_never_offered),
		T(test_agent_state_events_carry_durations),
		T(test_pause_with_another_reason_is_reported),
		T(test_paused_agent_gets_nothing_and_pause_withdraws),
		T(test_offline_refused_while_handling),
		T(test_timed_wrapup_frees_agent_after_delay),
		T(test_manual_wrapup_waits_for_the_agent),
		T(test_closed_queue_takes_its_closed_action),
		T(test_closed_chat_queue_holds_its_contact),
		T(test_closed_voice_queue_holds_a_callback),
		T(test_holiday_closes_the_queue_all_day),
		T(test_tenant_removal_refused_while_in_use),
		T(test_why_not_names_the_failing_step_filter),
		T(test_why_not_lower_in_order),
		T(test_bad_filter_refused_with_position),
		T(test_new_agent_takes_waiting_contacts),
		T(test_skill_change_makes_agent_eligible),
		T(test_queue_change_keeps_waiting_contacts),
		T(test_two_engines_are_independent),
		T(test_abandon_frees_offer_and_reports_wait),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
