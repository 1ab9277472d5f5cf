/*
 * What an agent or a supervisor does to a call in progress (the routes
 * are voice_api.c's):
 *   - a blind transfer to a number: the caller is dialled through to it
 *     and the agent is free at once (the contact ends; wrap-up follows);
 *   - a consultation (attended transfer): the caller waits with music
 *     while the agent talks to another agent or a number; then either
 *     completes it (the caller goes to them) or cancels it (back to the
 *     caller);
 *   - supervision: the supervisor's phone rings and, answered, listens
 *     (hears both), whispers (the agent hears them too) or barges in
 *     (both do).
 */
#include <errno.h>
#include <string.h>

#include "channels/voice/callint.h"
#include "channels/voice/registrar.h"
#include "channels/voice/voice.h"
#include "lang/lang.h"
#include "model/jv.h"
#include "server/contacts.h"
#include "server/log.h"
#include "server/srv.h"

/* ---- the legs relais dials itself (consultation, supervision) ---- */

static void side_estab_h(const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call;
	struct le *le;

	(void)msg;
	if (!c)
		return;
	l->estab = true;
	/* the first device to answer wins; the others stop ringing */
	for (le = list_head(&c->legs); le;) {
		struct leg *o = le->data;

		le = le->next;
		if (o != l && o->role == l->role && !o->estab &&
		    !strcmp(o->agent, l->agent))
			leg_drop(o);
	}
	if (l->role == LEG_SUPERVISOR)
		call_supervise_apply(c);
	else if (l->role == LEG_CONSULT && c->agent) {
		media_relay(c->agent->md, l->md);
		media_relay(l->md, c->agent->md);
	}
}

struct dial {
	struct call *c;
	enum leg_role role;
	const char *who; /* an agent's or a user's id */
	int n;
};

static void dial_one(const char *uri, void *arg)
{
	struct dial *d = arg;
	struct leg *l;

	if (!leg_dial(&l, d->c, d->role, d->who, uri, side_estab_h))
		d->n++;
}

/* ---- transfer to a number ---- */

int call_transfer_number(struct call *c, const char *number)
{
	struct crec *cr = contacts_find(c->v->s, c->id);
	char buf[256];
	struct lang_out why = LANG_OUT(NULL, buf);
	struct leg *l;
	int err;

	if (!c->caller || !call_can_dial(c, number))
		return EINVAL;
	c->transfer = true;
	err = call_dial_out(c, number, &l);
	if (err)
		return err;
	call_record_stop(c);
	if (c->agent)
		leg_drop(c->agent);
	media_play(c->caller->md, c->v->ringback, true);
	c->state = CALL_TRANSFERRED;
	c->id[0] = '\0'; /* the contact is over (its events are no longer
			    this call's); the call goes on */
	if (cr && !strcmp(jv_str(crec_body(cr), "state"), "active"))
		contacts_end(c->v->s, cr, &why);
	return 0;
}

/* ---- consultation ---- */

int call_consult(struct call *c, const char *agent, const char *number)
{
	struct dial d = {.c = c, .role = LEG_CONSULT, .who = agent};
	struct leg *l;
	int err;

	if (c->consult || c->state != CALL_BRIDGED || !c->agent)
		return EBUSY;
	if (number) {
		if (!call_can_dial(c, number))
			return EINVAL;
		err = call_dial_out(c, number, &l);
		if (err)
			return err;
		c->dialing = NULL; /* outbound.c does not take it over */
		l->role = LEG_CONSULT;
		str_ncpy(c->consult_to, number, sizeof(c->consult_to));
	} else {
		registrar_bindings(c->v->reg, agent, dial_one, &d);
		if (!d.n)
			return ENOENT;
		str_ncpy(c->consult_to, agent, sizeof(c->consult_to));
	}
	c->consult = true;
	c->consult_agent = number == NULL;
	/* the caller waits with the music; the agent hears the ringing */
	media_play(c->caller->md, c->v->music, true);
	media_play(c->agent->md, c->v->ringback, true);
	return 0;
}

/* The answered consultation leg, or NULL. */
static struct leg *consult_leg(struct call *c)
{
	struct le *le;

	for (le = list_head(&c->legs); le; le = le->next) {
		struct leg *l = le->data;

		if (l->role == LEG_CONSULT && l->estab)
			return l;
	}
	return NULL;
}

void call_consult_cancel(struct call *c)
{
	struct le *le;

	for (le = list_head(&c->legs); le;) {
		struct leg *l = le->data;

		le = le->next;
		if (l->role == LEG_CONSULT)
			leg_drop(l);
	}
	c->consult = false;
	c->consult_agent = false;
	c->consult_to[0] = '\0';
	if (c->caller && c->agent)
		call_bridge(c);
}

int call_consult_complete(struct call *c)
{
	struct leg *l = consult_leg(c);
	struct crec *cr = contacts_find(c->v->s, c->id);
	char buf[256];
	struct lang_out why = LANG_OUT(NULL, buf);
	int err;

	if (!c->consult || !l || !c->caller)
		return EBUSY;
	if (!c->consult_agent) { /* a number: the caller goes to it */
		call_record_stop(c);
		if (c->agent)
			leg_drop(c->agent);
		media_relay(c->caller->md, l->md);
		media_relay(l->md, c->caller->md);
		l->role = LEG_OUT;
		c->state = CALL_TRANSFERRED;
		c->consult = false;
		c->id[0] = '\0';
		if (cr)
			contacts_end(c->v->s, cr, &why);
		return 0;
	}
	/*
	 * An agent: the contact moves to them in the engine; the offer that
	 * follows is answered by the leg already talking (call.c).
	 */
	if (!cr)
		return EBUSY;
	c->completing = l;
	err = contacts_transfer(c->v->s, cr, NULL, c->consult_to, &why);
	if (err) {
		c->completing = NULL;
		return err;
	}
	return 0;
}

/* ---- supervision ---- */

int call_supervise(struct call *c, const char *user, const char *mode)
{
	struct dial d = {.c = c, .role = LEG_SUPERVISOR, .who = user};
	struct leg *l = call_supervisor(c);

	if (!strcmp(mode, "end")) {
		if (!l && !c->supervising)
			return ENOENT;
		call_supervise_end(c);
		return 0;
	}
	if (c->state != CALL_BRIDGED || !c->agent)
		return EBUSY;
	str_ncpy(c->sup_mode, mode, sizeof(c->sup_mode));
	if (l || c->supervising) { /* a change of mode */
		call_supervise_apply(c);
		return 0;
	}
	registrar_user_bindings(c->v->reg, user, dial_one, &d);
	if (!d.n)
		return ENOENT;
	c->supervising = true;
	return 0;
}

struct leg *call_supervisor(struct call *c)
{
	struct le *le;

	for (le = list_head(&c->legs); le; le = le->next) {
		struct leg *l = le->data;

		if (l->role == LEG_SUPERVISOR && l->estab)
			return l;
	}
	return NULL;
}

/* Who hears whom, for the mode. */
void call_supervise_apply(struct call *c)
{
	struct leg *s = call_supervisor(c);
	struct media *both[2], *with[2];

	if (!s || !c->caller || !c->agent || c->held ||
	    c->state != CALL_BRIDGED)
		return;
	both[0] = c->caller->md;
	both[1] = c->agent->md;
	media_mix(s->md, both, 2);
	if (!strcmp(c->sup_mode, "listen")) {
		media_relay(c->caller->md, c->agent->md);
		media_relay(c->agent->md, c->caller->md);
		return;
	}
	with[0] = c->caller->md;
	with[1] = s->md;
	media_mix(c->agent->md, with, 2); /* whisper and barge */
	if (!strcmp(c->sup_mode, "barge")) {
		with[0] = c->agent->md;
		media_mix(c->caller->md, with, 2);
	} else {
		media_relay(c->caller->md, c->agent->md);
	}
}

void call_supervise_end(struct call *c)
{
	struct le *le;

	for (le = list_head(&c->legs); le;) {
		struct leg *l = le->data;

		le = le->next;
		if (l->role == LEG_SUPERVISOR)
			leg_drop(l);
	}
	c->supervising = false;
	c->sup_mode[0] = '\0';
	if (c->caller && c->agent && c->state == CALL_BRIDGED && !c->held)
		call_bridge(c);
}
