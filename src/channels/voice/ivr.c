/*
 * A call before and while it waits: its number's route (straight to a
 * queue for now; flows come with flow.c), the music, the callback
 * choice, the closed message, voicemail.
 */
#include <string.h>

#include "channels/voice/callint.h"
#include "channels/voice/voice.h"
#include "lang/lang.h"
#include "model/jv.h"
#include "server/contacts.h"
#include "server/objects.h"
#include "server/srv.h"

const json_t *voice_number(struct srv *s, const char *e164)
{
	struct obj *n = obj_find_by(s, K_NUMBERS, "number", e164);
	struct obj *q;

	if (!n)
		return NULL;
	q = obj_find(s, K_QUEUES, jv_str(n->body, "queue"));
	if (!q || strcmp(jv_str(q->body, "channel"), "voice"))
		return NULL;
	return n->body;
}

void call_route(struct call *c, const json_t *number)
{
	if (call_enqueue(c, jv_str(number, "queue"), 0, NULL))
		call_hangup(c);
}

void call_digit(struct call *c, char d)
{
	struct crec *cr;
	char buf[256];
	struct lang_out why = LANG_OUT(NULL, buf);

	if (c->state != CALL_QUEUED || d != '1' || c->chose_callback)
		return;
	cr = contacts_find(c->v->s, c->id);
	if (!cr || contacts_callback(c->v->s, cr, &why))
		return;
	c->chose_callback = true;
	call_hangup(c);
}

void call_played(struct call *c)
{
	if (c->state == CALL_ENDING)
		call_hangup(c);
	else if (c->state == CALL_QUEUED && c->caller)
		media_play(c->caller->md, c->v->music, true);
}

void call_announce_later(struct call *c)
{
	(void)c;
}

void call_callback_offer(struct call *c)
{
	(void)c;
}

void call_closed(struct call *c, const char *reason)
{
	(void)reason;
	call_hangup(c);
}

void call_voicemail(struct call *c)
{
	call_hangup(c);
}
