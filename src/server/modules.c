/*
 * The server's modules, in load order: the one list srv.c goes through at
 * each phase (module.h). Adding a feature or a channel adds a line here.
 */
#include <stddef.h>

#include "channels/channel.h"
#include "channels/email/email.h"
#include "channels/sms/sms.h"
#include "channels/voice/flow.h"
#include "channels/voice/voice.h"
#include "server/audit.h"
#include "server/auth.h"
#include "server/contacts.h"
#include "server/csat.h"
#include "server/customers.h"
#include "server/demo.h"
#include "server/messages.h"
#include "server/module.h"
#include "server/objects.h"
#include "server/reports.h"
#include "server/retention.h"
#include "server/stats.h"
#include "server/stream.h"
#include "server/visitor.h"
#include "server/webfiles.h"
#include "server/widget.h"

/* clang-format off */
const struct srv_module *const srv_modules[] = {
	&config_module,		/* the configuration: first */
	&auth_module,		/* sessions: after the users */
	&customers_module,
	&contacts_module,	/* contacts: after the queues and customers */
	&messages_module,	/* the written contacts' messages */
	&channels_module,	/* after the contacts: events name them */
	&sms_module,		/* the SMS channel: after the contacts */
	&voice_module,		/* the voice channel: SIP, calls */
	&flows_module,		/* its IVR flows' prompts */
	&agents_module,
	&stats_module,		/* statistics: after the contacts */
	&reports_module,	/* reports: after stats (today's counters) */
	&audit_module,		/* the audit trail: reads the log */
	&stream_module,
	&visitor_module,	/* the web chat's visitors: after the stream */
	&widget_module,		/* the web chat's entry points */
	&webfiles_module,	/* the web folder, for what no route takes */
	&demo_module,		/* the demo centre: in an empty store, last */
	&email_module,		/* the email channel: its mailboxes */
	&retention_module,	/* retention and erasure of messages */
	&csat_module,		/* customers' ratings from outside surveys */
	NULL,
};
/* clang-format on */
