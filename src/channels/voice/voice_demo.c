/*
 * The demo centre's voice: each client's number and flow. AssurMax's
 * +33180000001 says a short welcome and goes straight to its voice
 * queue; Télécom Plus's +33180000002 starts with a menu (billing or
 * technical support). The agents' SIP logins are phones.c's.
 */
#include <errno.h>
#include <string.h>

#include "channels/voice/voice.h"
#include "lang/lang.h"
#include "model/jv.h"
#include "server/log.h"
#include "server/objects.h"
#include "server/srv.h"

/* The tenant's first voice queue, or NULL. */
static const char *voice_queue(struct srv *s, const char *tenant)
{
	struct kindset *qs = obj_set(s, K_QUEUES);

	for (size_t i = 0; i < qs->n; i++) {
		const json_t *b = qs->list[i]->body;

		if (!strcmp(jv_str(b, "tenant"), tenant) &&
		    !strcmp(jv_str(b, "channel"), "voice"))
			return qs->list[i]->id;
	}
	return NULL;
}

static json_t *welcome_flow(const char *tenant, const char *queue)
{
	return json_pack(
		"{s:s,s:s,s:s,s:{s:{s:s,s:{s:s,s:s},s:s},s:{s:s,s:s}}}",
		"tenant", tenant, "name", "AssurMax", "start", "welcome",
		"nodes", "welcome", "type", "prompt", "say", "fr",
		"Bienvenue chez AssurMax. Un conseiller va vous répondre.",
		"en",
		"Welcome to AssurMax. An adviser will answer you shortly.",
		"next", "q", "q", "type", "queue", "queue", queue);
}

static json_t *menu_flow(const char *tenant, const char *queue)
{
	json_t *f = json_pack(
		"{s:s,s:s,s:s,s:{s:{s:s,s:{s:s,s:s},s:{s:s,s:s},s:i,s:i,"
		"s:s}}}",
		"tenant", tenant, "name", "Télécom Plus", "start", "menu",
		"nodes", "menu", "type", "menu", "say", "fr",
		"Bienvenue chez Télécom Plus. Pour la facturation, tapez 1. "
		"Pour l'assistance technique, tapez 2.",
		"en",
		"Welcome to Télécom Plus. For billing, press 1. For technical "
		"support, press 2.",
		"options", "1", "billing", "2", "support", "timeout_s", 5,
		"retries", 1, "fail", "q");
	json_t *nodes = json_object_get(f, "nodes");

	json_object_set_new(nodes, "billing",
			    json_pack("{s:s,s:{s:s},s:s}", "type", "set",
				      "attributes", "topic", "billing", "next",
				      "q"));
	json_object_set_new(nodes, "support",
			    json_pack("{s:s,s:i,s:{s:s},s:s}", "type", "set",
				      "priority", 1, "attributes", "topic",
				      "support", "next", "q"));
	json_object_set_new(
		nodes, "q",
		json_pack("{s:s,s:s}", "type", "queue", "queue", queue));
	return f;
}

static int create(struct srv *s, enum kind_id k, json_t *body, char id[40])
{
	char msg[256];
	int err;

	if (!body)
		return ENOMEM;
	err = obj_create_direct(s, k, body, id, &LANG_OUT(NULL, msg));
	json_decref(body);
	if (err)
		log_error("voice", "msg=\"cannot create\" kind=%s err=\"%s\"",
			  kinds[k]->name, msg);
	return err;
}

int voice_demo_seed(struct srv *s)
{
	static const char *const numbers[] = {"+33180000001", "+33180000002"};
	struct kindset *ts = obj_set(s, K_TENANTS);
	int err = 0;

	for (size_t t = 0; !err && t < ts->n && t < 2; t++) {
		const char *tenant = ts->list[t]->id;
		const char *q = voice_queue(s, tenant);
		char flow[40], num[40];

		if (!q)
			continue;
		err = create(s, K_FLOWS,
			     t == 0 ? welcome_flow(tenant, q)
				    : menu_flow(tenant, q),
			     flow);
		if (!err)
			err = create(s, K_NUMBERS,
				     json_pack("{s:s,s:s,s:s}", "tenant",
					       tenant, "number", numbers[t],
					       "flow", flow),
				     num);
	}
	return err;
}
