/*
 * voice — the voice channel: SIP and RTP inside the server's libre loop.
 *
 * relais is itself the SIP server a centre's numbers and agents' phones
 * talk to (`relais serve --sip ADDR:PORT`, UDP and TCP):
 *   - the registrar (registrar.c) takes the agents' phones' REGISTER,
 *     checked by digest against their SIP logins (the `phones` kind);
 *   - an INVITE to a number (the `numbers` kind, its `flow`) is answered
 *     and walks the number's IVR flow (flow.c, prompts.c), then waits in
 *     a queue with music and announcements;
 *   - the engine's offer rings the agent's registered phones; the answer
 *     accepts the contact and bridges the two legs (call.c, media.c): a
 *     back-to-back user agent whose RTP relay rewrites SSRC, sequence and
 *     timestamp per leg.
 *
 * Everything runs on the server's loop; nothing here blocks but the
 * rendering of prompts, which runs on a thread of its own (prompts.c).
 */
#ifndef RELAIS_VOICE_H
#define RELAIS_VOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channels/voice/sipre.h"

struct srv;
struct srv_module;
struct channel_ops;
struct kind;
struct registrar;

/* The channel's state: the module's (srv_module_state(s, &voice_module)). */
struct voice {
	struct srv *s;
	struct sip *sip;	   /* NULL: voice is off (no --sip) */
	struct sipsess_sock *sock; /* calls */
	struct sip_lsnr *lsnr;	   /* REGISTER, OPTIONS */
	struct sa laddr;	   /* SIP's address */
	struct sa maddr;	   /* RTP's address (port 0) */
	char uri[80];		   /* our own: sip:relais@host:port */
	struct registrar *reg;	   /* registrar.c */
	struct list calls;	   /* struct call (call.c) */
	struct tmr media_tmr;	   /* the 20 ms media clock (media.c) */
	uint64_t media_next;	   /* when the clock ticks next (ms) */
	struct list media;	   /* legs the clock feeds (struct media) */
	struct list recs;	   /* open recordings (media.c) */
	struct sound *music;	   /* the music on hold */
	struct sound *robot_voice; /* what the in-house phone says */
	struct sound *beep;	   /* before a voicemail */
	struct sound *ringback;	   /* an agent waits for a callback */
	struct list sounds;	   /* prompts played, cached (ivr.c) */
	struct call *creating;	   /* its contact being created (call.c) */
	uint64_t calls_in, calls_out, calls_refused; /* /metrics */
};

/* The realm of the agents' phones' digest logins. */
#define VOICE_REALM "relais"

extern const struct srv_module voice_module;
extern const struct channel_ops voice_channel;
extern const struct kind phones_kind; /* phones.c */
extern const struct kind flows_kind;  /* flows.c */

/* The channel's state, or NULL when the module is not loaded. */
struct voice *voice_of(struct srv *s);

#endif
