/*
 * Calls relais places through the SIP trunk (--sip-trunk), and
 * voicemail:
 *   - a callback: the engine offered a callback contact to an agent; the
 *     agent's phones ring (call.c); once the agent answers, the customer
 *     is dialled through the trunk, up to CALLBACK_TRIES times, and the
 *     two are bridged; the result (answered, busy, no-answer, failed) is
 *     logged (contact.call, action "callback") and an unreached customer
 *     ends the contact;
 *   - a transfer to a number (a flow's transfer node, or the agent's
 *     blind transfer): the caller is bridged to the number dialled;
 *   - voicemail: the caller's message, recorded after a tone, becomes a
 *     callback contact of its own in the queue, with the recording
 *     attached.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "channels/voice/callint.h"
#include "channels/voice/voice.h"
#include "lang/lang.h"
#include "model/event.h"
#include "model/jv.h"
#include "server/contacts.h"
#include "server/log.h"
#include "server/srv.h"

#define CALLBACK_TRIES	  3
#define CALLBACK_RETRY_MS 5000
#define VOICEMAIL_MAX_MS  120000

/* A number the trunk can dial: '+' and digits, at least 3 of them. */
static bool dialable(const char *n)
{
	size_t k = strlen(n);

	return k >= 3 && k < 20 &&
	       strspn(n + (n[0] == '+'), "0123456789") == k - (n[0] == '+');
}

bool call_can_dial(const struct call *c, const char *number)
{
	return c->v->s->cfg.sip_trunk && number && dialable(number);
}

bool call_can_callback(const struct call *c)
{
	return c->v->s->cfg.sip_trunk && dialable(c->from);
}

static void log_call(struct call *c, const char *action, const char *target)
{
	struct event ev = {.type = EVENT_CONTACT_CALL};

	if (!c->id[0])
		return;
	ev.u.call = (struct event_contact_call){
		.contact = c->id,
		.action = action,
		.agent = c->agent ? c->agent->agent : NULL,
		.target = target,
	};
	srv_log(c->v->s, c->tenant, &ev);
	srv_commit_soon(c->v->s);
}

/* ---- dialling through the trunk ---- */

static void out_estab_h(const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call;

	(void)msg;
	if (!c)
		return;
	l->estab = true;
	if (c->dialing == l)
		call_out_answered(c, l);
}

/* Dials number through the trunk as a new leg of c. 0 or errno. */
int call_dial_out(struct call *c, const char *number, struct leg **lp)
{
	const char *trunk = c->v->s->cfg.sip_trunk;
	struct leg *l;
	char uri[256];
	int err;

	if (!trunk || strncmp(trunk, "sip:", 4) || !dialable(number))
		return EINVAL;
	snprintf(uri, sizeof(uri), "sip:%s@%s", number, trunk + 4);
	err = leg_dial(&l, c, LEG_OUT, NULL, uri, out_estab_h);
	if (err)
		return err;
	c->dialing = l;
	*lp = l;
	return 0;
}

/* ---- transfer to a number ---- */

void call_transfer_out(struct call *c, const char *number)
{
	struct leg *l;

	c->transfer = true;
	if (call_dial_out(c, number, &l)) {
		log_warn("voice", "msg=\"cannot transfer\" number=%s", number);
		call_hangup(c);
		return;
	}
	log_call(c, "transfer", number);
	if (c->caller)
		media_play(c->caller->md, c->v->music, true);
}

/* ---- callbacks ---- */

static void retry(void *arg)
{
	struct call *c = arg;
	struct leg *l;

	if (call_dial_out(c, c->from, &l))
		call_out_failed(c, 0);
}

/* The callback's customer did not answer (status: the trunk's). */
void call_out_failed(struct call *c, uint16_t status)
{
	const char *result = status == 486 || status == 600 ? "busy"
			     : status == 408 || status == 480 || status == 487
				     ? "no-answer"
				     : "failed";
	struct crec *cr;
	char buf[256];
	struct lang_out why = LANG_OUT(NULL, buf);

	c->dialing = NULL;
	if (c->transfer) {
		call_hangup(c);
		return;
	}
	if (++c->tries < CALLBACK_TRIES && c->agent) {
		log_call(c, "callback_attempt", result);
		tmr_start(&c->tmr, CALLBACK_RETRY_MS, retry, c);
		return;
	}
	log_call(c, "callback", result);
	cr = contacts_find(c->v->s, c->id);
	if (cr && !strcmp(jv_str(crec_body(cr), "state"), "active"))
		contacts_end(c->v->s, cr, &why);
	call_hangup(c);
}

/* The number dialled answered: it takes the caller's place. */
void call_out_answered(struct call *c, struct leg *l)
{
	c->dialing = NULL;
	if (c->transfer) {
		struct crec *cr = contacts_find(c->v->s, c->id);
		char buf[256];
		struct lang_out why = LANG_OUT(NULL, buf);

		/* the caller and the number talk; relais only relays */
		if (c->agent)
			leg_drop(c->agent);
		if (c->caller) {
			media_relay(c->caller->md, l->md);
			media_relay(l->md, c->caller->md);
		}
		c->state = CALL_TRANSFERRED;
		c->id[0] = '\0'; /* its contact's events are not the call's */
		if (cr && !strcmp(jv_str(crec_body(cr), "state"), "active"))
			contacts_end(c->v->s, cr, &why);
		else if (cr)
			contacts_abandon(c->v->s, cr, &why);
		return;
	}
	/* a callback: the customer is the caller from now on */
	l->role = LEG_CALLER;
	c->caller = l;
	log_call(c, "callback", "answered");
	call_bridge(c);
}

/* The engine's callback.dial: the agent took it; dial the customer. */
void call_callback_dial(struct call *c)
{
	struct leg *l;

	c->tries = 0;
	if (!c->agent || c->caller)
		return;
	if (c->agent->estab && !c->agent->in_house)
		media_play(c->agent->md, c->v->ringback, true);
	if (call_dial_out(c, c->from, &l))
		call_out_failed(c, 0);
}

/* ---- voicemail ---- */

static void vm_limit(void *arg)
{
	call_voicemail_done(arg);
}

void call_voicemail_record(struct call *c)
{
	struct srv *s = c->v->s;
	char dir[256];

	if (!c->caller) {
		call_hangup(c);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/recordings", s->cfg.data_dir);
	(void)mkdir(dir, 0700);
	snprintf(c->rec_file, sizeof(c->rec_file), "%s/vm-%p.wav", dir,
		 (void *)c);
	if (recorder_open(&c->rec, c->v, c->rec_file, 1)) {
		call_hangup(c);
		return;
	}
	recorder_attach(c->rec, c->caller->md, 0);
	c->state = CALL_VOICEMAIL;
	media_play(c->caller->md, c->v->beep, false);
	tmr_start(&c->tmr, VOICEMAIL_MAX_MS, vm_limit, c);
}

/* The message is over (hang-up, '#', the limit): a contact of its own. */
void call_voicemail_done(struct call *c)
{
	json_t *attrs;
	struct crec *cr = NULL;
	char buf[256];
	struct lang_out why = LANG_OUT(NULL, buf);
	struct new_contact nc = {
		.tenant = c->tenant,
		.queue = c->queue,
		.channel = "voice",
		.priority = c->vm_priority,
		.callback = true,
		.by = "voice",
	};

	if (c->state != CALL_VOICEMAIL)
		return;
	tmr_cancel(&c->tmr);
	c->state = CALL_IVR;
	attrs = json_pack("{s:b,s:s,s:s,s:s}", "voicemail", true, "caller",
			  c->from, "number", c->number, "lang", c->lang);
	nc.attributes = attrs;
	nc.customer = c->customer[0] ? c->customer : NULL;
	/*
	 * The callback is a contact of its own, not this call's (its offer
	 * makes a call of its own, callback_call()): only long enough for
	 * the recording to be attached does this call name it.
	 */
	c->id[0] = '\0';
	if (!contacts_create(c->v->s, &nc, &cr, &why) && cr) {
		str_ncpy(c->id, cr->id, sizeof(c->id));
		call_record_keep(c, "voicemail");
	} else {
		log_warn("voice", "msg=\"voicemail lost\" why=\"%s\"", buf);
		call_record_drop(c);
	}
	json_decref(attrs);
	c->id[0] = '\0';
	if (c->caller)
		call_say_bye(c);
	else
		call_hangup(c);
}
