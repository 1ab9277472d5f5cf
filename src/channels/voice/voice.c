/*
 * The voice channel's module: the SIP stack on the server's loop, its
 * listeners, the channel's operations, and its /metrics lines. Calls are
 * call.c's, the registrar registrar.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "channels/voice/media.h"
#include "channels/voice/sipre.h"

#include "channels/channel.h"
#include "channels/voice/call.h"
#include "channels/voice/callint.h"
#include "channels/voice/registrar.h"
#include "channels/voice/voice.h"
#include "channels/voice/voice_api.h"
#include "server/contacts.h"
#include "lang/lang.h"
#include "model/event.h"
#include "model/jv.h"
#include "server/log.h"
#include "server/module.h"
#include "server/srv.h"

struct voice *voice_of(struct srv *s)
{
	return srv_module_state(s, &voice_module);
}

/* Requests outside a call: REGISTER and OPTIONS; others are the
 * sessions' (INVITE) or get 405 from libre. */
static bool request_h(const struct sip_msg *msg, void *arg)
{
	struct voice *v = arg;

	if (!pl_strcmp(&msg->met, "REGISTER")) {
		registrar_request(v->reg, msg);
		return true;
	}
	if (!pl_strcmp(&msg->met, "OPTIONS")) {
		sip_treplyf(NULL, NULL, v->sip, msg, false, 200, "OK",
			    "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, "
			    "REGISTER\r\n"
			    "Accept: application/sdp\r\n"
			    "Content-Length: 0\r\n\r\n");
		return true;
	}
	return false;
}

static int voice_init(struct srv *s, void **arg)
{
	struct voice *v = mem_zalloc(sizeof(*v), NULL);

	if (!v)
		return ENOMEM;
	v->s = s;
	list_init(&v->calls);
	list_init(&v->sounds);
	tmr_init(&v->media_tmr);
	*arg = v;
	return 0;
}

/* Listens on cfg.sip_addr over UDP and TCP. 0 or errno. */
static int listen_sip(struct voice *v, const char *addr)
{
	int err;

	err = sa_decode(&v->laddr, addr, strlen(addr));
	if (err || !sa_port(&v->laddr))
		return EINVAL;
	v->maddr = v->laddr;
	sa_set_port(&v->maddr, 0);
	snprintf(v->uri, sizeof(v->uri), "sip:relais@%s", addr);
	err = sip_alloc(&v->sip, NULL, 64, 64, 64, "relais/" RELAIS_VERSION,
			NULL, NULL);
	if (!err)
		err = sip_transp_add(v->sip, SIP_TRANSP_UDP, &v->laddr);
	if (!err)
		err = sip_transp_add(v->sip, SIP_TRANSP_TCP, &v->laddr);
	if (!err)
		err = sipsess_listen(&v->sock, v->sip, 256, call_incoming, v);
	if (!err)
		err = sip_listen(&v->lsnr, v->sip, true, request_h, v);
	if (!err)
		err = registrar_alloc(&v->reg, v);
	if (!err)
		err = sound_music(&v->music);
	if (!err)
		err = sound_tone(&v->robot_voice, 330, 2000, 0.2);
	if (!err)
		err = sound_tone(&v->beep, 1000, 400, 0.3);
	if (!err)
		err = sound_ringback(&v->ringback);
	return err;
}

/* A voice contact that was a call through relais (not a callback). */
static void collect_call(struct crec *c, void *arg)
{
	const json_t *b = crec_body(c);
	const json_t *attrs = json_object_get(b, "attributes");

	if (!strcmp(jv_str(b, "channel"), "voice") &&
	    !json_is_true(json_object_get(b, "callback")) &&
	    jv_str(attrs, "number") && jv_str(attrs, "caller"))
		json_array_append_new(arg, json_string(c->id));
}

/*
 * A restart dropped the live calls (their media were this process's):
 * their contacts, put back in line by the restore, end now as abandoned,
 * with the reason logged (contact.call "dropped", target "restart").
 */
static void drop_restored_calls(struct srv *s)
{
	json_t *ids = json_array(), *id;
	char buf[256];
	struct lang_out why = LANG_OUT(NULL, buf);
	size_t i;

	contacts_each(s, collect_call, ids);
	json_array_foreach(ids, i, id)
	{
		struct crec *c = contacts_find(s, json_string_value(id));
		struct event ev = {.type = EVENT_CONTACT_CALL};

		if (!c)
			continue;
		ev.u.call = (struct event_contact_call){
			.contact = c->id,
			.action = "dropped",
			.target = "restart",
		};
		srv_log(s, jv_str(crec_body(c), "tenant"), &ev);
		if (contacts_abandon(s, c, &why))
			log_warn("voice",
				 "msg=\"cannot end a dropped call\" "
				 "contact=%s why=\"%s\"",
				 c->id, buf);
	}
	if (json_array_size(ids)) {
		log_info("voice", "msg=\"calls dropped by the restart\" n=%zu",
			 json_array_size(ids));
		srv_commit_soon(s);
	}
	json_decref(ids);
}

static void voice_start(struct srv *s, void *arg)
{
	struct voice *v = arg;
	int err;

	drop_restored_calls(s);
	if (!s->cfg.sip_addr)
		return;
	err = listen_sip(v, s->cfg.sip_addr);
	if (err) {
		log_error("voice",
			  "msg=\"cannot listen: no voice\" sip=%s err=%d",
			  s->cfg.sip_addr, err);
		v->sip = mem_deref(v->sip);
		return;
	}
	log_info("voice", "msg=\"listening\" sip=%s", s->cfg.sip_addr);
}

/* SIGTERM: live calls end now (the docs say a restart drops them). */
static void voice_stop(struct srv *s, void *arg)
{
	struct voice *v = arg;

	(void)s;
	calls_drop_all(v, "shutdown");
	if (v->sock)
		sipsess_close_all(v->sock);
}

static void voice_close(struct srv *s, void *arg)
{
	struct voice *v = arg;

	(void)s;
	if (!v)
		return;
	calls_drop_all(v, "shutdown");
	tmr_cancel(&v->media_tmr);
	v->reg = mem_deref(v->reg);
	v->lsnr = mem_deref(v->lsnr);
	if (v->sock)
		sipsess_close_all(v->sock);
	v->sock = mem_deref(v->sock);
	if (v->sip)
		sip_close(v->sip, true);
	v->sip = mem_deref(v->sip);
	voice_sounds_flush(v);
	mem_deref(v->music);
	mem_deref(v->robot_voice);
	mem_deref(v->beep);
	mem_deref(v->ringback);
	mem_deref(v);
}

static void voice_metrics(struct srv *s, void *arg, struct mbuf *mb)
{
	struct voice *v = arg;

	(void)s;
	if (!v->sip)
		return;
	mbuf_printf(mb,
		    "# HELP relais_voice_calls_total SIP calls: inbound "
		    "answered, outbound placed, refused\n"
		    "# TYPE relais_voice_calls_total counter\n"
		    "relais_voice_calls_total{kind=\"in\"} %llu\n"
		    "relais_voice_calls_total{kind=\"out\"} %llu\n"
		    "relais_voice_calls_total{kind=\"refused\"} %llu\n"
		    "# HELP relais_voice_calls_live Calls in progress\n"
		    "# TYPE relais_voice_calls_live gauge\n"
		    "relais_voice_calls_live %u\n",
		    (unsigned long long)v->calls_in,
		    (unsigned long long)v->calls_out,
		    (unsigned long long)v->calls_refused,
		    list_count(&v->calls));
	registrar_metrics(v->reg, mb);
}

static void voice_decision(struct srv *s, void *state,
			   const struct channel_decision *d)
{
	struct voice *v = voice_of(s);

	(void)state;
	if (v && v->sip)
		call_decision(v, d);
}

const struct channel_ops voice_channel = {
	.name = "voice",
	.decision = voice_decision,
};

static void voice_on_engine_event(struct srv *s, void *arg,
				  const struct engine_event *ev)
{
	struct voice *v = arg;
	struct crec *c;

	if (!v->sip || ev->channel != CH_VOICE || !ev->contact)
		return;
	c = contacts_find_num(s, ev->contact);
	if (c)
		call_engine_event(v, ev, c->id);
}

const struct srv_module voice_module = {
	.name = "voice",
	.routes = voice_routes,
	.init = voice_init,
	.start = voice_start,
	.on_engine_event = voice_on_engine_event,
	.metrics = voice_metrics,
	.stop = voice_stop,
	.close = voice_close,
};
