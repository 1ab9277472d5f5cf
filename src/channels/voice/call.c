/*
 * The calls of the voice channel (call.h): a back-to-back user agent.
 *
 * The caller's INVITE is answered at once (relais plays the prompts and
 * the music itself). The call then walks its number's flow (ivr.c) or
 * goes straight to the number's queue, where it becomes a voice contact
 * of the contact service. From then on the engine leads:
 *   offered    the agent's registered phones ring (one leg each); the
 *              first to answer accepts the contact and is bridged, the
 *              others stop ringing; 486 or 603 rejects the offer
 *   withdrawn  the ringing stops (the offer went elsewhere, timed out)
 *   ended      (engine event) the agent ended it from the desktop: both
 *              legs hang up
 *   closed     the closed message, then the call hangs up
 * and the legs lead the rest: the caller hanging up abandons a waiting
 * contact and ends a handled one; the agent hanging up ends it.
 *
 * An accepted contact whose agent has no phone registered (the demo's
 * robots) is answered by relais's own "in-house phone": the caller hears
 * a steady tone in place of a voice, and the contact runs its course.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/channel.h"
#include "channels/voice/call.h"
#include "channels/voice/callint.h"
#include "channels/voice/registrar.h"
#include "channels/voice/voice.h"
#include "lang/lang.h"
#include "server/contacts.h"
#include "server/customers.h"
#include "server/log.h"
#include "server/objects.h"
#include "server/srv.h"

#define ALLOW_HDR "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REGISTER\r\n"

static void call_maybe_free(struct call *c);

/* ---- lookups ---- */

struct call *call_find(struct voice *v, const char *contact)
{
	struct le *le;

	if (!contact || !contact[0])
		return NULL;
	for (le = list_head(&v->calls); le; le = le->next) {
		struct call *c = le->data;

		if (!strcmp(c->id, contact))
			return c;
	}
	/* the events of contacts_create() come before it returns */
	if (v->creating && !v->creating->id[0]) {
		str_ncpy(v->creating->id, contact, sizeof(v->creating->id));
		return v->creating;
	}
	return NULL;
}

/* ---- legs ---- */

static void leg_destructor(void *arg)
{
	struct leg *l = arg;

	list_unlink(&l->le);
	mem_deref(l->sess); /* BYE, or CANCEL while ringing */
	if (l->md)
		l->md->h = NULL; /* a digit still to tell has nobody to tell */
	mem_deref(l->md);
}

static void leg_digit(void *arg, char d)
{
	struct leg *l = arg;
	struct call *c = l->call;

	if (!c || l->role != LEG_CALLER)
		return;
	mem_ref(c);
	call_digit(c, d);
	mem_deref(c);
}

static void leg_played(void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call;

	if (!c || l->role != LEG_CALLER)
		return;
	mem_ref(c);
	call_played(c);
	mem_deref(c);
}

static const struct media_handlers leg_media = {
	.digit = leg_digit,
	.played = leg_played,
};

int leg_new(struct leg **lp, struct call *c, enum leg_role role,
	    const char *agent)
{
	struct leg *l = mem_zalloc(sizeof(*l), leg_destructor);
	int err;

	if (!l)
		return ENOMEM;
	l->call = c;
	l->role = role;
	if (agent)
		str_ncpy(l->agent, agent, sizeof(l->agent));
	err = media_alloc(&l->md, c->v, &leg_media, l);
	if (err) {
		mem_deref(l);
		return err;
	}
	list_append(&c->legs, &l->le, l);
	*lp = l;
	return 0;
}

/* Hangs up one leg (BYE, CANCEL) and forgets it. */
void leg_drop(struct leg *l)
{
	struct call *c;

	if (!l)
		return;
	c = l->call;
	if (c && c->caller == l)
		c->caller = NULL;
	if (c && c->agent == l)
		c->agent = NULL;
	if (c && c->rec && l->md && l->md->rec == c->rec)
		recorder_detach(c->rec, l->md);
	l->call = NULL;
	mem_deref(l);
}

static void leg_progress_h(const struct sip_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
}

int leg_dial(struct leg **lp, struct call *c, enum leg_role role,
	     const char *who, const char *uri, sipsess_estab_h *estabh)
{
	struct voice *v = c->v;
	struct mbuf *desc = NULL;
	struct leg *l;
	int err = leg_new(&l, c, role, who);

	if (err)
		return err;
	err = media_offer_out(l->md, &desc);
	if (!err) /* the caller's number shows on the agent's phone */
		err = sipsess_connect(
			&l->sess, v->sock, uri,
			role == LEG_AGENT && c->from[0] ? c->from : NULL,
			v->uri, "relais", NULL, 0, "application/sdp", desc,
			NULL, NULL, false, leg_offer_h, leg_answer_h,
			leg_progress_h, estabh, leg_info_h, NULL, leg_close_h,
			l, c->id[0] ? "X-Relais-Contact: %s\r\n" : NULL, c->id);
	mem_deref(desc);
	if (err) {
		log_warn("voice", "msg=\"cannot dial\" uri=%s err=%d", uri,
			 err);
		leg_drop(l);
		return err;
	}
	v->calls_out++;
	*lp = l;
	return 0;
}

/* A re-INVITE's offer (hold from the phone, a new address). */
int leg_offer_h(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	int err = media_offer_in(l->md, msg->mb);

	return err ? err : media_answer(l->md, descp);
}

int leg_answer_h(const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;

	return media_answer_in(l->md, msg->mb);
}

/* DTMF as SIP INFO (application/dtmf-relay: "Signal=5"). */
void leg_info_h(struct sip *sip, const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	char d;

	if (media_info_digit(mbuf_buf(msg->mb), mbuf_get_left(msg->mb), &d))
		leg_digit(l, d);
	sip_reply(sip, msg, 200, "OK");
}

/* ---- the caller's INVITE ---- */

/* The called number as E.164: "+33..." or "33..." becomes "+33...". */
static void called_number(const struct sip_msg *msg, char *out, size_t size)
{
	const struct pl *u = &msg->uri.user;
	size_t k = 0;

	if (u->l && u->p[0] != '+' && k + 1 < size)
		out[k++] = '+';
	for (size_t i = 0; i < u->l && k + 1 < size; i++)
		out[k++] = u->p[i];
	out[k] = '\0';
}

static void call_destructor(void *arg)
{
	struct call *c = arg;
	struct le *le;

	tmr_cancel(&c->tmr);
	tmr_cancel(&c->accept_tmr);
	list_unlink(&c->le);
	recorder_close(c->rec);
	while ((le = list_head(&c->legs)))
		leg_drop(le->data);
	mem_deref(c->ivr);
}

static struct call *call_new(struct voice *v)
{
	struct call *c = mem_zalloc(sizeof(*c), call_destructor);

	if (!c)
		return NULL;
	c->v = v;
	list_init(&c->legs);
	tmr_init(&c->tmr);
	tmr_init(&c->accept_tmr);
	return c;
}

static void caller_estab_h(const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;

	(void)msg;
	l->estab = true; /* the caller's ACK */
}

void call_incoming(const struct sip_msg *msg, void *arg)
{
	struct voice *v = arg;
	struct call *c = NULL;
	struct mbuf *desc = NULL;
	const json_t *num;
	int err, code = 500;

	c = call_new(v);
	if (!c)
		goto refuse;
	called_number(msg, c->number, sizeof(c->number));
	pl_strcpy(&msg->from.uri.user, c->from, sizeof(c->from));
	num = voice_number(v->s, c->number);
	if (!num) {
		code = 404;
		goto refuse;
	}
	str_ncpy(c->tenant, jv_str(num, "tenant"), sizeof(c->tenant));
	str_ncpy(c->lang, kind_tenant_lang(v->s, c->tenant), sizeof(c->lang));
	err = leg_new(&c->caller, c, LEG_CALLER, NULL);
	if (err)
		goto refuse;
	err = media_offer_in(c->caller->md, msg->mb);
	if (err) {
		code = err == EPROTO ? 488 : err == EBADMSG ? 400 : 500;
		goto refuse;
	}
	err = media_answer(c->caller->md, &desc);
	if (!err)
		err = sipsess_accept(&c->caller->sess, v->sock, msg, 200, "OK",
				     "relais", "application/sdp", desc, NULL,
				     NULL, false, leg_offer_h, leg_answer_h,
				     caller_estab_h, leg_info_h, NULL,
				     leg_close_h, c->caller, ALLOW_HDR);
	mem_deref(desc);
	if (err)
		goto refuse;
	list_append(&v->calls, &c->le, c);
	v->calls_in++;
	log_info("voice", "msg=\"call\" number=%s from=%s tenant=%s", c->number,
		 c->from, c->tenant);
	call_route(c, num);
	return;
refuse:
	v->calls_refused++;
	if (code == 488)
		sip_treplyf(NULL, NULL, v->sip, msg, false, 488,
			    "Not Acceptable Here",
			    "Warning: 304 relais \"PCMU or PCMA only\"\r\n"
			    "Content-Length: 0\r\n\r\n");
	else
		sip_treply(NULL, v->sip, msg, (uint16_t)code,
			   code == 404	 ? "Not Found"
			   : code == 400 ? "Bad Request"
					 : "Server Error");
	mem_deref(c);
}

/* ---- into the queue ---- */

int call_enqueue(struct call *c, const char *queue, int priority,
		 const json_t *attributes)
{
	struct voice *v = c->v;
	json_t *attrs = attributes ? json_deep_copy(attributes) : json_object();
	json_t *ref = NULL;
	char customer[40] = "", msg[256];
	struct lang_out why = LANG_OUT(NULL, msg);
	struct new_contact nc = {
		.tenant = c->tenant,
		.queue = queue,
		.channel = "voice",
		.priority = priority,
		.attributes = attrs,
		.by = "voice",
	};
	struct crec *cr = NULL;
	int err;

	json_object_set_new(attrs, "caller", json_string(c->from));
	json_object_set_new(attrs, "number", json_string(c->number));
	json_object_set_new(attrs, "lang", json_string(c->lang));
	if (c->from[0] && strspn(c->from, "+0123456789") == strlen(c->from)) {
		ref = json_pack("{s:s}", "phone", c->from);
		if (!customer_resolve(v->s, "voice", c->tenant, ref, customer,
				      &why) &&
		    customer[0]) {
			nc.customer = customer;
			str_ncpy(c->customer, customer, sizeof(c->customer));
		}
		json_decref(ref);
	}
	str_ncpy(c->queue, queue, sizeof(c->queue));
	v->creating = c;
	err = contacts_create(v->s, &nc, &cr, &why);
	v->creating = NULL;
	json_decref(attrs);
	if (err) {
		log_warn("voice",
			 "msg=\"cannot queue the call\" queue=%s err=%d "
			 "why=\"%s\"",
			 queue, err, msg);
		return err;
	}
	if (!c->id[0])
		str_ncpy(c->id, cr->id, sizeof(c->id));
	if (c->state == CALL_IVR)
		call_wait(c);
	return 0;
}

/* Music, and the announcements (ivr.c) at their times. */
void call_wait(struct call *c)
{
	c->state = CALL_QUEUED;
	if (c->caller)
		media_play(c->caller->md, c->v->music, true);
	call_announce_later(c);
}

/* ---- ringing the agent ---- */

/* The agent's phone answered: the answer accepts the contact. */
static void agent_estab_run(const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call;
	struct crec *cr;
	char why_buf[256];
	struct lang_out why = LANG_OUT(NULL, why_buf);

	(void)msg;
	if (!c)
		return;
	l->estab = true;
	cr = contacts_find(c->v->s, c->id);
	if (c->agent && c->agent != l) { /* another device answered first */
		leg_drop(l);
		return;
	}
	c->agent = l;
	if (cr && !strcmp(jv_str(crec_body(cr), "state"), "offered") &&
	    contacts_accept(c->v->s, cr, l->agent, &why)) {
		log_info("voice",
			 "msg=\"answer refused\" contact=%s agent=%s "
			 "why=\"%s\"",
			 c->id, l->agent, why_buf);
		c->agent = NULL;
		leg_drop(l);
		return;
	}
	call_bridge(c);
}

static void agent_estab_h(const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call ? mem_ref(l->call) : NULL;

	agent_estab_run(msg, arg);
	mem_deref(c);
}

/* Puts the caller and the answered agent through to each other. */
void call_bridge(struct call *c)
{
	struct le *le;

	if (!c->caller || !c->agent)
		return;
	/* the other devices of the agent stop ringing */
	for (le = list_head(&c->legs); le;) {
		struct leg *o = le->data;

		le = le->next;
		if (o->role == LEG_AGENT && o != c->agent)
			leg_drop(o);
	}
	tmr_cancel(&c->tmr);
	c->state = CALL_BRIDGED;
	c->held = false;
	media_relay(c->caller->md, c->agent->md);
	if (c->agent->in_house)
		media_play(c->caller->md, c->v->robot_voice, true);
	else
		media_relay(c->agent->md, c->caller->md);
	call_record_start(c);
	if (c->supervising)
		call_supervise_apply(c);
	log_info("voice", "msg=\"bridged\" contact=%s agent=%s", c->id,
		 c->agent->agent);
}

void call_hold(struct call *c, bool hold)
{
	if (!c->caller || !c->agent || c->state != CALL_BRIDGED)
		return;
	c->held = hold;
	if (hold) {
		media_play(c->caller->md, c->v->music, true);
		media_silence(c->agent->md);
	} else {
		call_bridge(c);
	}
}

struct ring {
	struct call *c;
	const char *agent;
	int n;
};

static void ring_one(const char *uri, void *arg)
{
	struct ring *r = arg;
	struct leg *l;

	if (!leg_dial(&l, r->c, LEG_AGENT, r->agent, uri, agent_estab_h))
		r->n++;
}

/* Rings the agent's registered phones; how many rang. */
static int ring_agent(struct call *c, const char *agent)
{
	struct ring r = {.c = c, .agent = agent};

	registrar_bindings(c->v->reg, agent, ring_one, &r);
	return r.n;
}

/* relais's own phone for an agent without one (the demo's robots). */
static void in_house_answer(struct call *c, const char *agent)
{
	struct leg *l;

	if (leg_new(&l, c, LEG_AGENT, agent))
		return;
	l->in_house = true;
	l->estab = true;
	c->agent = l;
	call_bridge(c);
}

static void stop_ringing(struct call *c, const char *agent)
{
	struct le *le;

	for (le = list_head(&c->legs); le;) {
		struct leg *l = le->data;

		le = le->next;
		if (l->role == LEG_AGENT && l != c->agent &&
		    (!agent || !strcmp(l->agent, agent)))
			leg_drop(l);
	}
}

/* ---- the end of a leg ---- */

/* The caller left: abandon a waiting contact, end a handled one. */
static void caller_gone(struct call *c)
{
	struct crec *cr = contacts_find(c->v->s, c->id);
	char buf[256];
	struct lang_out why = LANG_OUT(NULL, buf);
	const char *st = cr ? jv_str(crec_body(cr), "state") : NULL;

	if (c->state == CALL_VOICEMAIL || c->state == CALL_TRANSFERRED)
		return;
	call_record_stop(c); /* kept while the contact is live */
	c->state = CALL_ENDING;
	if (st && (!strcmp(st, "queued") || !strcmp(st, "offered")))
		contacts_abandon(c->v->s, cr, &why);
	else if (st && !strcmp(st, "active"))
		contacts_end(c->v->s, cr, &why);
}

static void leg_close_run(int err, const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call;
	char buf[256];
	struct lang_out why = LANG_OUT(NULL, buf);

	(void)err;
	if (!c)
		return;
	l->sess = mem_deref(l->sess); /* closed already: no BYE */
	if (l->role == LEG_CALLER && c->state == CALL_VOICEMAIL) {
		leg_drop(l);
		call_voicemail_done(c); /* the message is over */
		return;
	}
	if (l->role == LEG_CALLER) {
		leg_drop(l);
		caller_gone(c);
		call_hangup(c);
		return;
	}
	if (l->role == LEG_OUT) {
		bool answered = l->estab;
		uint16_t status = msg ? msg->scode : 0;

		if (c->dialing == l)
			c->dialing = NULL;
		leg_drop(l);
		if (answered)
			call_hangup(c); /* the number hung up */
		else
			call_out_failed(c, status);
		return;
	}
	if (l->role == LEG_AGENT && c->agent == l) {
		struct crec *cr = contacts_find(c->v->s, c->id);

		call_record_stop(c);
		leg_drop(l);
		if (cr && !strcmp(jv_str(crec_body(cr), "state"), "active"))
			contacts_end(c->v->s, cr, &why);
		call_hangup(c);
		return;
	}
	if (l->role == LEG_AGENT && msg && !l->estab &&
	    (msg->scode == 486 || msg->scode == 603)) {
		struct crec *cr = contacts_find(c->v->s, c->id);
		char agent[64];

		str_ncpy(agent, l->agent, sizeof(agent));
		leg_drop(l);
		if (cr)
			contacts_reject(c->v->s, cr, agent, &why);
		return;
	}
	leg_drop(l); /* a device that did not answer, a supervisor */
	if (!call_has(c, LEG_CONSULT) && c->consult && !c->completing)
		call_consult_cancel(c); /* the consulted party left */
	if (!call_has(c, LEG_SUPERVISOR) && c->supervising)
		call_supervise_end(c);
}

void leg_close_h(int err, const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call ? mem_ref(l->call) : NULL;

	leg_close_run(err, msg, arg);
	mem_deref(c);
}

/* Whether c has a leg of role. */
bool call_has(const struct call *c, enum leg_role role)
{
	struct le *le;

	for (le = list_head(&c->legs); le; le = le->next)
		if (((struct leg *)le->data)->role == role)
			return true;
	return false;
}

/* Hangs up every leg; the call goes once nothing holds it. */
void call_hangup(struct call *c)
{
	struct le *le;

	if (c->state != CALL_VOICEMAIL)
		call_record_stop(c);
	c->state = CALL_ENDING;
	tmr_cancel(&c->tmr);
	while ((le = list_head(&c->legs)))
		leg_drop(le->data);
	call_maybe_free(c);
}

/*
 * The voice's list holds one reference to each call; the handlers that
 * libre, the engine and the routes call hold one more while they run, so
 * that a hang-up nested inside them (an engine event of the contact they
 * end) never frees the call under their feet.
 */
static void call_maybe_free(struct call *c)
{
	if (c->state == CALL_ENDING && list_isempty(&c->legs) && c->le.list) {
		list_unlink(&c->le);
		mem_deref(c);
	}
}

/* The consulted agent's answer to the offer the transfer made. */
static void completing_accept(void *arg)
{
	struct call *c = arg;
	struct leg *l = c->completing;
	struct crec *cr = contacts_find(c->v->s, c->id);
	char buf[256];
	struct lang_out why = LANG_OUT(NULL, buf);

	if (!l)
		return;
	c->completing = NULL;
	c->consult = false;
	if (!cr || contacts_accept(c->v->s, cr, l->agent, &why)) {
		log_warn("voice",
			 "msg=\"consulted agent cannot take it\" "
			 "why=\"%s\"",
			 buf);
		return;
	}
	c->agent = l;
	call_bridge(c);
}

/* ---- the engine's decisions ---- */

/*
 * A callback contact has no call until an agent is offered it: the call
 * relais places for it (the agent's phone, then the customer's).
 */
static struct call *callback_call(struct voice *v, const char *id)
{
	struct crec *cr = contacts_find(v->s, id);
	const json_t *b = cr ? crec_body(cr) : NULL;
	const json_t *attrs = json_object_get(b, "attributes");
	const char *lang = jv_str(attrs, "lang");
	struct call *c;

	if (!b || !json_is_true(json_object_get(b, "callback")))
		return NULL;
	c = call_new(v);
	if (!c)
		return NULL;
	str_ncpy(c->id, id, sizeof(c->id));
	str_ncpy(c->tenant, jv_str(b, "tenant"), sizeof(c->tenant));
	str_ncpy(c->queue, jv_str(b, "queue"), sizeof(c->queue));
	if (jv_str(attrs, "caller"))
		str_ncpy(c->from, jv_str(attrs, "caller"), sizeof(c->from));
	if (jv_str(attrs, "number"))
		str_ncpy(c->number, jv_str(attrs, "number"), sizeof(c->number));
	str_ncpy(c->lang,
		 lang && lang_has(lang) ? lang
					: kind_tenant_lang(v->s, c->tenant),
		 sizeof(c->lang));
	c->state = CALL_QUEUED;
	list_append(&v->calls, &c->le, c);
	return c;
}

void call_decision(struct voice *v, const struct channel_decision *d)
{
	struct call *c = call_find(v, d->contact);

	if (!c && d->act == CHAN_OFFERED)
		c = callback_call(v, d->contact);
	if (!c)
		return;
	mem_ref(c);
	switch (d->act) {
	case CHAN_OFFERED:
		if (c->completing && !strcmp(c->completing->agent, d->agent))
			/* the consulted agent talks already: answered */
			tmr_start(&c->accept_tmr, 0, completing_accept, c);
		else
			ring_agent(c, d->agent);
		break;
	case CHAN_WITHDRAWN:
		stop_ringing(c, d->agent);
		break;
	case CHAN_CALLBACK_OFFER:
		call_callback_offer(c);
		break;
	case CHAN_CLOSED:
		call_closed(c, d->reason);
		break;
	case CHAN_VOICEMAIL:
		call_voicemail(c);
		break;
	case CHAN_CALLBACK_DIAL:
		call_callback_dial(c);
		break;
	case CHAN_ENDED:
		call_hangup(c);
		break;
	default:
		break;
	}
	mem_deref(c);
}

/* What the engine did that no decision carries. */
void call_engine_event(struct voice *v, const struct engine_event *ev,
		       const char *id)
{
	struct call *c = call_find(v, id);

	if (!c && ev->type == EV_CONTACT_ACCEPTED)
		c = callback_call(v, id);
	if (!c)
		return;
	mem_ref(c);
	switch (ev->type) {
	case EV_CONTACT_ACCEPTED:
		/* accepted elsewhere than on a phone (desktop, robot) */
		if (c->agent)
			break;
		if (!ring_agent(c, ev->agent))
			in_house_answer(c, ev->agent);
		break;
	case EV_CONTACT_CALLBACK: /* a queue's step made it a callback */
		if (!c->chose_callback && c->state == CALL_QUEUED) {
			c->chose_callback = true;
			call_callback_taken(c);
		}
		break;
	case EV_CONTACT_ENDED: /* ended from the desktop: hang up */
		call_hangup(c);
		break;
	case EV_CONTACT_TRANSFERRED:
		if (c->completing) { /* to the agent consulted: they talk */
			if (c->agent)
				leg_drop(c->agent);
			c->completing->role = LEG_AGENT;
			media_relay(c->caller->md, c->completing->md);
			media_relay(c->completing->md, c->caller->md);
			break;
		}
		/* back to a queue (or to an agent): the agent's leg goes, the
		 * caller hears the music again */
		if (c->agent)
			leg_drop(c->agent);
		stop_ringing(c, NULL);
		call_record_stop(c);
		if (c->caller)
			call_wait(c);
		break;
	default:
		break;
	}
	mem_deref(c);
}

void calls_drop_all(struct voice *v, const char *reason)
{
	struct le *le;

	while ((le = list_head(&v->calls))) {
		struct call *c = mem_ref(le->data);

		log_info("voice", "msg=\"call dropped\" contact=%s reason=%s",
			 c->id, reason);
		if (c->caller)
			caller_gone(c);
		call_hangup(c);
		mem_deref(c);
	}
}
