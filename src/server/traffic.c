/*
 * Demo traffic (`relais serve --demo --demo-traffic`): customers call,
 * chat and write at random, and agents 03 to 12 are robots that take
 * their offers, talk and wrap up, so the wallboard and the stream move
 * while agent01 and agent02 are left for people to try. Everything goes
 * through the engine and the event log like real work.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server/libre.h"
#include "server/log.h"
#include "server/srv.h"

enum act_kind { ACT_ARRIVAL, ACT_ACCEPT, ACT_END, ACT_WRAPUP, ACT_ABANDON };

struct act {
	struct act *next, *prev;
	struct tmr tmr;
	struct srv *srv;
	enum act_kind kind;
	uint64_t num;
	char agent[40];
};

static struct act *acts;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static uint64_t between_ms(double lo_s, double hi_s)
{
	return (uint64_t)((lo_s + (hi_s - lo_s) * uniform()) * 1000);
}

static void act_free(struct act *a)
{
	tmr_cancel(&a->tmr);
	if (a->prev)
		a->prev->next = a->next;
	else
		acts = a->next;
	if (a->next)
		a->next->prev = a->prev;
	free(a);
}

static void act_fire(void *arg);

static void schedule(struct srv *s, enum act_kind kind, uint64_t num,
		     const char *agent, uint64_t delay_ms)
{
	struct act *a = calloc(1, sizeof(*a));

	if (!a)
		return;
	a->srv = s;
	a->kind = kind;
	a->num = num;
	if (agent)
		snprintf(a->agent, sizeof(a->agent), "%s", agent);
	tmr_init(&a->tmr);
	a->next = acts;
	if (acts)
		acts->prev = a;
	acts = a;
	tmr_start(&a->tmr, delay_ms, act_fire, a);
}

/* Robots are every agent but the first two of the list. */
static bool is_robot(struct srv *s, const char *agent)
{
	struct kindset *set = &s->ks[K_AGENTS];

	for (size_t i = 2; agent && i < set->n; i++)
		if (!strcmp(set->list[i]->id, agent))
			return true;
	return false;
}

static void arrival(struct srv *s)
{
	struct kindset *qs = &s->ks[K_QUEUES];
	struct new_contact nc = {0};
	char phone[24], cust[40], msg[128];
	struct crec *c;
	json_t *ref;
	struct obj *q;

	if (!qs->n)
		return;
	q = qs->list[(size_t)(uniform() * (double)qs->n) % qs->n];
	snprintf(phone, sizeof(phone), "+336120%05d", (int)(uniform() * 300));
	ref = json_pack("{s:s}", "phone", phone);
	nc.tenant = jv_str(q->body, "tenant");
	nc.queue = q->id;
	nc.channel = jv_str(q->body, "channel");
	nc.by = "demo-traffic";
	if (!customer_resolve(s, "demo-traffic", nc.tenant, ref, cust, msg,
			      sizeof(msg)))
		nc.customer = cust;
	json_decref(ref);
	if (contacts_add(s, &nc, &c) == 0 && strcmp(nc.channel, "email"))
		schedule(s, ACT_ABANDON, c->num, NULL, between_ms(60, 240));
}

static void act_fire(void *arg)
{
	struct act *a = arg;
	struct srv *s = a->srv;
	int64_t now = srv_now(s);
	struct engine_contact_info info;

	switch (a->kind) {
	case ACT_ARRIVAL:
		arrival(s);
		/* about 15 contacts a minute, Poisson */
		schedule(s, ACT_ARRIVAL, 0, NULL,
			 (uint64_t)(-log(1 - uniform()) * 4000));
		break;
	case ACT_ACCEPT:
		engine_contact_accept(s->eng, now, a->num, a->agent);
		break;
	case ACT_END:
		engine_contact_end(s->eng, now, a->num);
		break;
	case ACT_WRAPUP:
		engine_contact_wrapup_done(s->eng, now, a->num);
		break;
	case ACT_ABANDON:
		if (!engine_contact_info(s->eng, now, a->num, &info) &&
		    info.state == CS_QUEUED)
			engine_contact_abandon(s->eng, now, a->num);
		break;
	}
	act_free(a);
	srv_flush(s);
	srv_engine_timer(s);
}

void traffic_on_event(struct srv *s, const struct engine_event *ev)
{
	if (!s->cfg.traffic || !is_robot(s, ev->agent))
		return;
	switch (ev->type) {
	case EV_CONTACT_OFFERED:
		schedule(s, ACT_ACCEPT, ev->contact, ev->agent,
			 between_ms(1, 5));
		break;
	case EV_CONTACT_ACCEPTED:
		schedule(s, ACT_END, ev->contact, ev->agent,
			 ev->channel == CH_VOICE ? between_ms(30, 150)
						 : between_ms(40, 200));
		break;
	case EV_CONTACT_ENDED:
		schedule(s, ACT_WRAPUP, ev->contact, ev->agent,
			 between_ms(3, 10));
		break;
	default:
		break;
	}
}

void traffic_start(struct srv *s)
{
	struct kindset *set = &s->ks[K_AGENTS];
	int64_t now = srv_now(s);

	if (!s->cfg.traffic)
		return;
	rng ^= (uint64_t)now;
	for (size_t i = 2; i < set->n; i++)
		engine_agent_state(s->eng, now, set->list[i]->id, AS_AVAILABLE,
				   NULL);
	schedule(s, ACT_ARRIVAL, 0, NULL, 1000);
	log_info("demo", "msg=\"demo traffic on\" robots=%zu",
		 set->n > 2 ? set->n - 2 : 0);
}

void traffic_stop(void)
{
	while (acts)
		act_free(acts);
}
