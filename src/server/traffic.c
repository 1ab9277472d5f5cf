/*
 * The demo centre as a module: `relais serve --demo` creates it on the
 * first start with an empty store (demo.c), and `--demo-traffic` runs it:
 * customers call, chat and write at random, and agents 03 to 12 are robots
 * that take their offers, talk and wrap up, so the wallboard and the
 * stream move while agent01 and agent02 are left for people to try.
 * Everything goes through the contact service like real work.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lang.h"
#include "server/contacts.h"
#include "server/customers.h"
#include "server/libre.h"
#include "server/log.h"
#include "server/demo.h"
#include "server/module.h"
#include "server/srv.h"
#include "server/objects.h"

enum act_kind { ACT_ARRIVAL, ACT_ACCEPT, ACT_END, ACT_WRAPUP, ACT_ABANDON };

/* The module's state: the robots' pending acts, the random generator. */
struct traffic {
	struct list acts;
	uint64_t rng;
};

/* A robot's act to come: a libre object, freed when it fires or stops. */
struct act {
	struct le le;
	struct tmr tmr;
	struct srv *srv;
	struct traffic *t;
	enum act_kind kind;
	uint64_t num;
	char agent[40];
};

static double uniform(struct traffic *t)
{
	t->rng ^= t->rng << 13;
	t->rng ^= t->rng >> 7;
	t->rng ^= t->rng << 17;
	return (double)(t->rng >> 11) / 9007199254740992.0;
}

static uint64_t between_ms(struct traffic *t, double lo_s, double hi_s)
{
	return (uint64_t)((lo_s + (hi_s - lo_s) * uniform(t)) * 1000);
}

static void act_destroy(void *arg)
{
	struct act *a = arg;

	tmr_cancel(&a->tmr);
	list_unlink(&a->le);
}

static void act_fire(void *arg);

static void schedule(struct srv *s, struct traffic *t, enum act_kind kind,
		     uint64_t num, const char *agent, uint64_t delay_ms)
{
	struct act *a = mem_zalloc(sizeof(*a), act_destroy);

	if (!a)
		return;
	a->srv = s;
	a->t = t;
	a->kind = kind;
	a->num = num;
	if (agent)
		snprintf(a->agent, sizeof(a->agent), "%s", agent);
	tmr_init(&a->tmr);
	list_append(&t->acts, &a->le, a);
	tmr_start(&a->tmr, delay_ms, act_fire, a);
}

/* Robots are every agent but the first two of the list. */
static bool is_robot(struct srv *s, const char *agent)
{
	struct kindset *set = obj_set(s, K_AGENTS);

	for (size_t i = 2; agent && i < set->n; i++)
		if (!strcmp(set->list[i]->id, agent))
			return true;
	return false;
}

static void arrival(struct srv *s, struct traffic *t)
{
	struct kindset *qs = obj_set(s, K_QUEUES);
	struct new_contact nc = {0};
	char phone[24], cust[40], msg[256];
	struct lang_out why = LANG_OUT(NULL, msg);
	struct crec *c;
	json_t *ref;
	struct obj *q;

	if (!qs->n)
		return;
	q = qs->list[(size_t)(uniform(t) * (double)qs->n) % qs->n];
	snprintf(phone, sizeof(phone), "+336120%05d", (int)(uniform(t) * 300));
	ref = json_pack("{s:s}", "phone", phone);
	nc.tenant = jv_str(q->body, "tenant");
	nc.queue = q->id;
	nc.channel = jv_str(q->body, "channel");
	nc.by = "demo-traffic";
	if (!customer_resolve(s, "demo-traffic", nc.tenant, ref, cust, &why))
		nc.customer = cust;
	json_decref(ref);
	if (!contacts_create(s, &nc, &c, &why) && strcmp(nc.channel, "email"))
		schedule(s, t, ACT_ABANDON, c->num, NULL,
			 between_ms(t, 60, 240));
}

/* A robot's disposition: one of the queue's at random, or none. */
static const json_t *robot_disposition(struct srv *s, struct traffic *t,
				       struct crec *c)
{
	struct obj *q = obj_find(s, K_QUEUES, jv_str(crec_body(c), "queue"));
	json_t *list = q ? json_object_get(q->body, "dispositions") : NULL;
	size_t n = json_array_size(list);

	return n ? json_array_get(list, (size_t)(uniform(t) * (double)n) % n)
		 : NULL;
}

/* What a robot does; a contact that moved on meanwhile is left alone. */
static void act_do(struct srv *s, struct act *a)
{
	struct crec *c = a->num ? contacts_find_num(s, a->num) : NULL;
	char msg[256];
	struct lang_out why = LANG_OUT(NULL, msg);

	if (a->kind == ACT_ARRIVAL) {
		arrival(s, a->t);
		/* about 15 contacts a minute, Poisson */
		schedule(s, a->t, ACT_ARRIVAL, 0, NULL,
			 (uint64_t)(-log(1 - uniform(a->t)) * 4000));
		return;
	}
	if (!c)
		return;
	if (a->kind == ACT_ACCEPT)
		contacts_accept(s, c, a->agent, &why);
	else if (a->kind == ACT_END)
		contacts_end(s, c, &why);
	else if (a->kind == ACT_WRAPUP)
		contacts_wrapup(s, c, robot_disposition(s, a->t, c), NULL,
				"demo-traffic", &why);
	else if (!strcmp(jv_str(crec_body(c), "state"), "queued"))
		contacts_abandon(s, c, &why);
}

static void act_fire(void *arg)
{
	struct act *a = arg;

	act_do(a->srv, a);
	mem_deref(a);
}

static void traffic_on_engine_event(struct srv *s, void *arg,
				    const struct engine_event *ev)
{
	struct traffic *t = arg;

	if (!t || !is_robot(s, ev->agent))
		return;
	switch (ev->type) {
	case EV_CONTACT_OFFERED:
		schedule(s, t, ACT_ACCEPT, ev->contact, ev->agent,
			 between_ms(t, 1, 5));
		break;
	case EV_CONTACT_ACCEPTED:
		schedule(s, t, ACT_END, ev->contact, ev->agent,
			 ev->channel == CH_VOICE ? between_ms(t, 30, 150)
						 : between_ms(t, 40, 200));
		break;
	case EV_CONTACT_ENDED:
		schedule(s, t, ACT_WRAPUP, ev->contact, ev->agent,
			 between_ms(t, 3, 10));
		break;
	default:
		break;
	}
}

/* The robots' state exists only with --demo-traffic. */
static int traffic_init(struct srv *s, void **arg)
{
	struct traffic *t;

	if (!s->cfg.traffic)
		return 0;
	t = calloc(1, sizeof(*t));
	if (!t)
		return ENOMEM;
	t->rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)srv_now(s);
	*arg = t;
	return 0;
}

static int traffic_load(struct srv *s, void *arg)
{
	(void)arg;
	return s->cfg.demo ? demo_seed(s) : 0;
}

static void traffic_start(struct srv *s, void *arg)
{
	struct kindset *set = obj_set(s, K_AGENTS);
	struct traffic *t = arg;
	char msg[256];
	struct lang_out why = LANG_OUT(NULL, msg);

	if (!t)
		return;
	for (size_t i = 2; i < set->n; i++)
		contacts_agent_state(s, set->list[i]->id, AS_AVAILABLE, NULL,
				     &why);
	schedule(s, t, ACT_ARRIVAL, 0, NULL, 1000);
	log_info("demo", "msg=\"demo traffic on\" robots=%zu",
		 set->n > 2 ? set->n - 2 : 0);
}

static void traffic_stop(struct srv *s, void *arg)
{
	struct traffic *t = arg;

	(void)s;
	if (t)
		list_flush(&t->acts);
}

static void traffic_close(struct srv *s, void *arg)
{
	traffic_stop(s, arg);
	free(arg);
}

const struct srv_module demo_module = {
	.name = "demo",
	.init = traffic_init,
	.load = traffic_load,
	.start = traffic_start,
	.on_engine_event = traffic_on_engine_event,
	.stop = traffic_stop,
	.close = traffic_close,
};
