/*
 * The channels' registry: which implementation carries each channel of
 * the engine, started and stopped with the server as one module, and the
 * engine's decisions handed to the implementation of the contact's
 * channel.
 */
#include <errno.h>
#include <stdlib.h>

#include "channels/channel.h"
#include "server/contacts.h"
#include "server/log.h"
#include "server/module.h"
#include "server/srv.h"

extern const struct channel_ops api_channel;
extern const struct channel_ops email_channel;
extern const struct channel_ops sms_channel;
extern const struct channel_ops voice_channel;

/* One line per channel of the engine (enum channel). */
static const struct channel_ops *const registry[CH_MAX] = {
	[CH_VOICE] = &voice_channel,
	[CH_CHAT] = &api_channel,
	[CH_EMAIL] = &email_channel,
	[CH_SMS] = &sms_channel,
};

static const char *const act_names[CHAN_ACT_MAX] = {
	[CHAN_OFFERED] = "offered",
	[CHAN_WITHDRAWN] = "withdrawn",
	[CHAN_CALLBACK_OFFER] = "callback-offer",
	[CHAN_CALLBACK_DIAL] = "callback-dial",
	[CHAN_VOICEMAIL] = "voicemail",
	[CHAN_CLOSED] = "closed",
	[CHAN_ENDED] = "ended",
};

/* The module's state: each channel's implementation state. */
struct channels {
	void *state[CH_MAX];
	bool started[CH_MAX];
};

const struct channel_ops *channel_of(enum channel ch)
{
	return (unsigned)ch < CH_MAX ? registry[ch] : NULL;
}

const char *channel_act_name(enum channel_act act)
{
	return (unsigned)act < CHAN_ACT_MAX ? act_names[act] : NULL;
}

bool channel_act_of(const struct engine_event *ev, enum channel_act *act)
{
	switch (ev->type) {
	case EV_CONTACT_OFFERED:
		*act = CHAN_OFFERED;
		return true;
	case EV_OFFER_WITHDRAWN:
	case EV_OFFER_MISSED:
	case EV_OFFER_REJECTED:
		*act = CHAN_WITHDRAWN;
		return true;
	case EV_CALLBACK_OFFER:
		*act = CHAN_CALLBACK_OFFER;
		return true;
	case EV_CALLBACK_DIAL:
		*act = CHAN_CALLBACK_DIAL;
		return true;
	case EV_CONTACT_VOICEMAIL:
		*act = CHAN_VOICEMAIL;
		return true;
	case EV_CONTACT_CLOSED:
		*act = CHAN_CLOSED;
		return true;
	case EV_CONTACT_COMPLETED:
	case EV_CONTACT_ABANDONED:
		*act = CHAN_ENDED;
		return true;
	default:
		return false;
	}
}

bool channel_dispatch(const struct channel_ops *c, void *state, struct srv *s,
		      const struct engine_event *ev, const char *id)
{
	struct channel_decision d = {0};

	if (!c || !c->decision || !ev->contact || !channel_act_of(ev, &d.act))
		return false;
	d.contact = id;
	d.tenant = ev->tenant;
	d.queue = ev->queue;
	d.agent = ev->agent;
	d.customer = ev->customer;
	d.reason = ev->reason;
	c->decision(s, state, &d);
	return true;
}

static struct channels *state_of(struct srv *s)
{
	return srv_module_state(s, &channels_module);
}

int channel_deliver(struct srv *s, enum channel ch,
		    const struct channel_message *m)
{
	const struct channel_ops *c = channel_of(ch);

	if (!c || !c->deliver)
		return ENOTSUP;
	return c->deliver(s, state_of(s)->state[ch], m);
}

/* An implementation serving several channels is started once. */
static int first_of(enum channel ch)
{
	for (int i = 0; i < (int)ch; i++)
		if (registry[i] == registry[ch])
			return i;
	return ch;
}

static int channels_init(struct srv *s, void **arg)
{
	struct channels *cs = calloc(1, sizeof(*cs));
	int err = 0;

	if (!cs)
		return ENOMEM;
	*arg = cs;
	for (int ch = 0; !err && ch < CH_MAX; ch++) {
		int first = first_of((enum channel)ch);

		if (first != ch) {
			cs->state[ch] = cs->state[first];
			continue;
		}
		if (registry[ch]->start)
			err = registry[ch]->start(s, &cs->state[ch]);
		cs->started[ch] = !err;
		if (err)
			log_error("channels",
				  "msg=\"cannot start\" channel=%s "
				  "err=%d",
				  registry[ch]->name, err);
	}
	return err;
}

static void channels_on_engine_event(struct srv *s, void *arg,
				     const struct engine_event *ev)
{
	struct channels *cs = arg;
	struct crec *c;

	if (!ev->contact || (unsigned)ev->channel >= CH_MAX)
		return;
	c = contacts_find_num(s, ev->contact);
	if (c)
		channel_dispatch(registry[ev->channel], cs->state[ev->channel],
				 s, ev, c->id);
}

static void channels_close(struct srv *s, void *arg)
{
	struct channels *cs = arg;

	if (!cs)
		return;
	for (int ch = 0; ch < CH_MAX; ch++)
		if (cs->started[ch] && registry[ch]->stop)
			registry[ch]->stop(s, cs->state[ch]);
	free(cs);
}

const struct srv_module channels_module = {
	.name = "channels",
	.init = channels_init,
	.on_engine_event = channels_on_engine_event,
	.close = channels_close,
};
