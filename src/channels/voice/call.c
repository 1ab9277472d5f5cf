/* Skeleton: replaced by the calls of the voice channel. */
#include "channels/voice/sipre.h"

#include "channels/channel.h"
#include "channels/voice/call.h"
#include "channels/voice/voice.h"

void call_incoming(const struct sip_msg *msg, void *arg)
{
	struct voice *v = arg;

	v->calls_refused++;
	sip_treply(NULL, v->sip, msg, 404, "Not Found");
}

void call_decision(struct voice *v, const struct channel_decision *d)
{
	(void)v;
	(void)d;
}

void calls_drop_all(struct voice *v, const char *reason)
{
	(void)v;
	(void)reason;
}
