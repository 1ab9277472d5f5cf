/*
 * A call before and while it waits: its number's flow (flow.h), the
 * prompts (prompts.h), the music and the announcements of its place and
 * wait, the callback choice (1), the closed message, voicemail.
 *
 * A flow's step is carried out here: a text is rendered (or found
 * rendered) by prompts.c and played; a menu waits for a digit after its
 * prompt; a calendar is asked now; a queue makes the call a contact; a
 * voicemail records the caller; a transfer dials the number through the
 * trunk (callback.c); a hangup says its text and hangs up.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "channels/voice/callint.h"
#include "channels/voice/flow.h"
#include "channels/voice/prompts.h"
#include "channels/voice/voice.h"
#include "core/calendar.h"
#include "lang/lang.h"
#include "model/calendar_json.h"
#include "model/jv.h"
#include "server/contacts.h"
#include "server/log.h"
#include "server/objects.h"
#include "server/srv.h"

#define ANNOUNCE_S 45 /* a queue's announce_s when it has none */

/* What the caller hears now, and what comes after it. */
enum after {
	AFTER_NOTHING = 0,
	AFTER_STEP,   /* the flow's PLAY: flow_played() */
	AFTER_MENU,   /* wait for a digit */
	AFTER_RECORD, /* voicemail: the tone, then record */
	AFTER_HANGUP, /* hang up */
	AFTER_MUSIC,  /* back to the music (an announcement) */
};

struct ivr {
	struct call *c;
	struct flow_run *run;
	enum after after;
	char pending[512]; /* the path being rendered, "" when none */
};

static void ivr_destructor(void *arg)
{
	struct ivr *iv = arg;

	prompts_cancel(iv->c->v->s, iv);
	mem_deref(iv->run);
}

static struct ivr *ivr_of(struct call *c)
{
	struct ivr *iv = c->ivr;

	if (iv)
		return iv;
	iv = mem_zalloc(sizeof(*iv), ivr_destructor);
	if (!iv)
		return NULL;
	iv->c = c;
	c->ivr = iv;
	return iv;
}

/* ---- sounds: a small cache of the files played ---- */

struct sound_entry {
	struct le le;
	char path[512];
	struct sound *snd;
};

static void entry_destructor(void *arg)
{
	struct sound_entry *e = arg;

	list_unlink(&e->le);
	mem_deref(e->snd);
}

#define SOUND_CACHE_MAX 256

/* The sound of path (cached; borrowed), or NULL. */
static struct sound *sound_of(struct voice *v, const char *path)
{
	struct sound_entry *e;
	struct le *le;

	for (le = list_head(&v->sounds); le; le = le->next) {
		e = le->data;
		if (!strcmp(e->path, path))
			return e->snd;
	}
	e = mem_zalloc(sizeof(*e), entry_destructor);
	if (!e)
		return NULL;
	str_ncpy(e->path, path, sizeof(e->path));
	if (sound_load(&e->snd, path)) {
		log_warn("voice", "msg=\"cannot read a prompt\" file=%s", path);
		mem_deref(e);
		return NULL;
	}
	if (list_count(&v->sounds) >= SOUND_CACHE_MAX)
		mem_deref(list_head(&v->sounds)->data);
	list_append(&v->sounds, &e->le, e);
	return e->snd;
}

void voice_sounds_flush(struct voice *v)
{
	list_flush(&v->sounds);
}

/* ---- saying something ---- */

static void after_said(struct call *c);

static void play_path(struct call *c, const char *path)
{
	struct sound *snd = sound_of(c->v, path);

	if (!snd || !c->caller) {
		after_said(c);
		return;
	}
	media_play(c->caller->md, snd, false);
}

static void rendered(void *arg)
{
	struct ivr *iv = arg;
	char path[512];

	if (!iv->pending[0])
		return;
	str_ncpy(path, iv->pending, sizeof(path));
	iv->pending[0] = '\0';
	play_path(iv->c, path); /* a failed rendering: nothing to read */
}

/* Says text in lang (or plays file), then does `after`. */
static void say(struct call *c, const char *lang, const char *text,
		const char *file, enum after after)
{
	struct ivr *iv = ivr_of(c);
	char path[512];
	int err;

	if (!iv)
		return;
	iv->after = after;
	iv->pending[0] = '\0';
	if (file) {
		play_path(c, file);
		return;
	}
	if (!text || !text[0]) {
		after_said(c);
		return;
	}
	err = prompts_get(c->v->s, lang, text, path, sizeof(path), rendered,
			  iv);
	if (err == EAGAIN) {
		str_ncpy(iv->pending, path, sizeof(iv->pending));
		if (c->caller)
			media_silence(c->caller->md);
		return;
	}
	if (err) {
		after_said(c);
		return;
	}
	play_path(c, path);
}

/* A text of the catalogs in the caller's language. */
static void say_msg(struct call *c, const char *msgid, enum after after)
{
	say(c, c->lang, lang_get(c->lang, msgid), NULL, after);
}

/* ---- the flow ---- */

static void step(struct call *c, const struct flow_step *st);

static void menu_timeout(void *arg)
{
	struct call *c = arg;
	struct ivr *iv = c->ivr;

	if (iv && iv->run && c->state == CALL_IVR)
		step(c, flow_timeout(iv->run));
}

static bool calendar_open(struct srv *s, const char *id)
{
	struct obj *cal = obj_find(s, K_CALENDARS, id);
	struct calendar *k;
	char msg[160];
	bool open;

	if (!cal || calendar_json_build(cal->body, &k, msg, sizeof(msg)))
		return true; /* a calendar that cannot be read does not close */
	open = calendar_is_open(k, srv_now(s));
	calendar_free(k);
	return open;
}

static void step(struct call *c, const struct flow_step *st)
{
	struct ivr *iv = c->ivr;

	if (!st || !iv)
		return;
	str_ncpy(c->lang, st->lang, sizeof(c->lang));
	switch (st->act) {
	case FLOW_PLAY:
		say(c, st->say_lang, st->say, st->file, AFTER_STEP);
		break;
	case FLOW_MENU:
		say(c, st->say_lang, st->say, st->file, AFTER_MENU);
		break;
	case FLOW_CALENDAR:
		step(c, flow_calendar(iv->run,
				      calendar_open(c->v->s, st->calendar)));
		break;
	case FLOW_QUEUE:
		if (call_enqueue(c, st->queue, st->priority, st->attributes))
			say_msg(c, N_("Sorry, we cannot take your call now."),
				AFTER_HANGUP);
		break;
	case FLOW_VOICEMAIL:
		str_ncpy(c->queue, st->queue, sizeof(c->queue));
		c->vm_priority = st->priority;
		say(c, st->say_lang, st->say, st->file, AFTER_RECORD);
		break;
	case FLOW_TRANSFER:
		call_transfer_out(c, st->number);
		break;
	case FLOW_HANGUP:
		say(c, st->say_lang, st->say, st->file, AFTER_HANGUP);
		break;
	}
}

void call_route(struct call *c, const json_t *number)
{
	struct flow *f = flows_get(c->v->s, jv_str(number, "flow"));
	struct ivr *iv = ivr_of(c);

	c->state = CALL_IVR;
	if (!iv) {
		call_hangup(c);
		return;
	}
	if (!f || flow_run_start(&iv->run, f, c->lang)) {
		call_hangup(c);
		return;
	}
	step(c, flow_run_step(iv->run));
}

/* What comes after a prompt. */
static void after_said(struct call *c)
{
	struct ivr *iv = c->ivr;
	const struct flow_step *st;

	if (!iv)
		return;
	switch (iv->after) {
	case AFTER_STEP:
		iv->after = AFTER_NOTHING;
		step(c, flow_played(iv->run));
		break;
	case AFTER_MENU:
		iv->after = AFTER_NOTHING;
		st = flow_run_step(iv->run);
		tmr_start(&c->tmr, st->timeout_ms > 0 ? st->timeout_ms : 5000,
			  menu_timeout, c);
		break;
	case AFTER_RECORD:
		iv->after = AFTER_NOTHING;
		call_voicemail_record(c);
		break;
	case AFTER_HANGUP:
		iv->after = AFTER_NOTHING;
		call_hangup(c);
		break;
	case AFTER_MUSIC:
		iv->after = AFTER_NOTHING;
		if (c->state == CALL_QUEUED && c->caller && !c->held)
			media_play(c->caller->md, c->v->music, true);
		call_announce_later(c);
		break;
	case AFTER_NOTHING:
		break;
	}
}

void call_played(struct call *c)
{
	after_said(c);
}

void call_digit(struct call *c, char d)
{
	struct ivr *iv = c->ivr;
	struct crec *cr;
	char buf[256];
	struct lang_out why = LANG_OUT(NULL, buf);

	if (c->state == CALL_IVR && iv && iv->run) {
		const struct flow_step *st = flow_run_step(iv->run);

		if (st->act != FLOW_MENU)
			return;
		tmr_cancel(&c->tmr);
		iv->after = AFTER_NOTHING;
		iv->pending[0] = '\0';
		if (c->caller)
			media_silence(c->caller->md);
		step(c, flow_digit(iv->run, d));
		return;
	}
	if (c->state == CALL_VOICEMAIL && d == '#') {
		call_voicemail_done(c);
		return;
	}
	/* waiting: 1 takes a callback that keeps the place */
	if (c->state != CALL_QUEUED || d != '1' || c->chose_callback ||
	    !call_can_callback(c))
		return;
	cr = contacts_find(c->v->s, c->id);
	if (!cr || strcmp(jv_str(crec_body(cr), "state"), "queued"))
		return;
	c->chose_callback = true; /* before: the engine's event comes first */
	if (contacts_callback(c->v->s, cr, &why)) {
		c->chose_callback = false;
		return;
	}
	call_callback_taken(c);
}

void call_callback_taken(struct call *c)
{
	tmr_cancel(&c->tmr);
	c->state = CALL_IVR; /* no longer waiting: the callback is */
	c->id[0] = '\0';
	say_msg(c,
		N_("Thank you. We will call you back as soon as an agent is "
		   "free. Goodbye."),
		AFTER_HANGUP);
}

/* ---- waiting: the announcements ---- */

static int announce_s(struct call *c)
{
	struct obj *q = obj_find(c->v->s, K_QUEUES, c->queue);
	json_t *a = q ? json_object_get(q->body, "announce_s") : NULL;

	return json_is_integer(a) ? (int)json_integer_value(a) : ANNOUNCE_S;
}

static void announce(void *arg)
{
	struct call *c = arg;
	struct crec *cr = contacts_find(c->v->s, c->id);
	json_t *lv;
	char text[512], where[160], wait[160] = "", cb[160] = "";
	int64_t pos, ewt;

	if (!cr || c->state != CALL_QUEUED || c->held || !c->caller)
		return;
	lv = contacts_live_view(c->v->s, cr);
	pos = jv_int(lv, "position", 0);
	ewt = jv_int(lv, "ewt_s", -1);
	json_decref(lv);
	if (pos <= 0) {
		call_announce_later(c);
		return;
	}
	snprintf(where, sizeof(where),
		 lang_get(c->lang, N_("You are number %d in line.")), (int)pos);
	if (ewt >= 90)
		snprintf(wait, sizeof(wait),
			 lang_get(c->lang,
				  N_("Your wait should be about %d minutes.")),
			 (int)((ewt + 30) / 60));
	else if (ewt >= 0)
		snprintf(wait, sizeof(wait), "%s",
			 lang_get(c->lang,
				  N_("Your wait should be about one minute.")));
	if (call_can_callback(c))
		snprintf(cb, sizeof(cb), "%s",
			 lang_get(c->lang,
				  N_("To be called back without losing your "
				     "place, press 1.")));
	snprintf(text, sizeof(text), "%s %s %s", where, wait, cb);
	say(c, c->lang, text, NULL, AFTER_MUSIC);
}

void call_announce_later(struct call *c)
{
	int s = announce_s(c);

	if (s > 0 && c->state == CALL_QUEUED)
		tmr_start(&c->tmr, (uint64_t)s * 1000, announce, c);
}

/* ---- the engine's decisions ---- */

void call_callback_offer(struct call *c)
{
	if (c->state != CALL_QUEUED || !call_can_callback(c))
		return;
	tmr_cancel(&c->tmr);
	say_msg(c,
		N_("All our agents are busy. To be called back without losing "
		   "your place, press 1."),
		AFTER_MUSIC);
}

void call_closed(struct call *c, const char *reason)
{
	(void)reason;
	tmr_cancel(&c->tmr);
	c->state = CALL_IVR; /* no longer a waiting contact */
	say_msg(c,
		N_("We are closed at the moment. Please call again during our "
		   "opening hours. Goodbye."),
		AFTER_HANGUP);
}

void call_say_bye(struct call *c)
{
	say_msg(c, N_("Thank you. Goodbye."), AFTER_HANGUP);
}

void call_voicemail(struct call *c)
{
	tmr_cancel(&c->tmr);
	c->state = CALL_IVR;
	c->id[0] = '\0'; /* that contact is over; the message makes its own */
	say_msg(c,
		N_("Please leave your message after the tone, then hang up or "
		   "press the hash key."),
		AFTER_RECORD);
}
