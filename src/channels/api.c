/*
 * The API channel: contacts a system creates with POST /api/v1/contacts
 * (a telephony platform, a chat or mail gateway outside relais) and that
 * agents work from their desktop. relais owns no medium for them: the
 * engine's decisions reach the agents over the stream and the outside
 * system over the stream or GET /api/v1/events, so it has nothing to
 * carry out and no message to deliver. Every channel uses it until its
 * own implementation takes its place in registry.c.
 */
#include <errno.h>

#include "channels/channel.h"

static int api_deliver(struct srv *s, void *state,
		       const struct channel_message *m)
{
	(void)s;
	(void)state;
	(void)m;
	return ENOTSUP;
}

const struct channel_ops api_channel = {
	.name = "api",
	.deliver = api_deliver,
};
