/*
 * The inside of a call, shared by the voice channel's files: call.c (legs,
 * ringing, bridging, hang-ups), ivr.c (the number's flow, the waiting:
 * music, announcements, the callback choice, closed, voicemail) and
 * record.c (recordings).
 */
#ifndef RELAIS_CALLINT_H
#define RELAIS_CALLINT_H

#include <stdbool.h>

#include <jansson.h>

#include "channels/voice/media.h"

struct voice;
struct srv;
struct engine_event;

enum leg_role {
	LEG_CALLER = 0,
	LEG_AGENT,	/* an agent's phone: ringing, then answered */
	LEG_SUPERVISOR, /* listening, whispering or barging in */
	LEG_OUT,	/* a number dialled through the trunk */
	LEG_CONSULT,	/* an agent or number the agent consults */
};

struct leg {
	struct le le; /* in its call's legs */
	struct call *call;
	enum leg_role role;
	struct sipsess *sess; /* NULL for the in-house phone */
	struct media *md;
	char agent[64]; /* LEG_AGENT, LEG_SUPERVISOR: whose */
	bool estab;
	bool in_house; /* relais's own phone (no SIP) */
};

enum call_state {
	CALL_IVR = 0,	  /* walking the number's flow */
	CALL_QUEUED,	  /* a contact waiting (music), offered (ringing) */
	CALL_BRIDGED,	  /* caller and agent talk */
	CALL_VOICEMAIL,	  /* recording the caller's message */
	CALL_TRANSFERRED, /* bridged to a number, the contact over */
	CALL_ENDING,	  /* hanging up */
};

struct call {
	struct le le; /* in the voice's calls */
	struct voice *v;
	char id[40]; /* the contact's, once queued */
	char tenant[64], queue[64];
	char number[24]; /* the number called */
	char from[64];	 /* the caller's user part (a phone number) */
	char lang[8];	 /* the caller's language */
	enum call_state state;
	struct leg *caller, *agent;
	struct list legs;
	struct tmr tmr; /* menu timeouts; the next announcement */
	void *ivr;	/* ivr.c's state */
	bool held;	/* the agent put the caller on hold */
	bool chose_callback;
	bool transfer;	     /* dialling is a transfer to a number */
	struct leg *dialing; /* the number being dialled (outbound.c) */
	int tries;	     /* callback: the customer dialled so many times */
	int vm_priority;     /* voicemail: the flow's priority */
	char customer[40];   /* the caller's customer, or "" */
	bool consult;	     /* a consultation under way (control.c) */
	bool consult_agent;  /* ... with an agent (else a number) */
	char consult_to[64];
	struct leg *completing; /* its leg, while the engine moves the
				   contact to the consulted agent */
	struct tmr accept_tmr;	/* that agent's answer, off the engine */
	bool supervising;	/* a supervisor's phone rings or listens */
	char sup_mode[8];	/* listen, whisper, barge */
	struct recorder *rec;
	bool rec_paused;
	char rec_file[256];
	int64_t rec_started;
};

/* call.c */
struct call *call_find(struct voice *v, const char *contact);
int call_enqueue(struct call *c, const char *queue, int priority,
		 const json_t *attributes);
void call_wait(struct call *c);
void call_bridge(struct call *c);
void call_hangup(struct call *c);
/* The agent puts the caller on hold (music) or takes them back. */
void call_hold(struct call *c, bool hold);
void leg_drop(struct leg *l);
bool call_has(const struct call *c, enum leg_role role);
void call_engine_event(struct voice *v, const struct engine_event *ev,
		       const char *id);
int leg_new(struct leg **lp, struct call *c, enum leg_role role,
	    const char *agent);
/* A new leg of c dialling uri (its answer: estabh). 0 or errno. */
int leg_dial(struct leg **lp, struct call *c, enum leg_role role,
	     const char *who, const char *uri, sipsess_estab_h *estabh);
/* libre's session handlers of every leg */
int leg_offer_h(struct mbuf **descp, const struct sip_msg *msg, void *arg);
int leg_answer_h(const struct sip_msg *msg, void *arg);
void leg_info_h(struct sip *sip, const struct sip_msg *msg, void *arg);
void leg_close_h(int err, const struct sip_msg *msg, void *arg);
/* Thanks the caller and hangs up. */
void call_say_bye(struct call *c);

/* ivr.c */
/* The number's body when it takes calls (it has a flow or a queue). */
const json_t *voice_number(struct srv *s, const char *e164);
void call_route(struct call *c, const json_t *number);
void call_digit(struct call *c, char d);
void call_played(struct call *c);
void call_announce_later(struct call *c);
void call_callback_offer(struct call *c);
/* The contact became a callback (the caller's 1, a queue's action): the
 * caller is thanked, and the call is over; the callback is another. */
void call_callback_taken(struct call *c);
void call_closed(struct call *c, const char *reason);
void call_voicemail(struct call *c);
void voice_sounds_flush(struct voice *v);

/* control.c */
int call_transfer_number(struct call *c, const char *number);
int call_consult(struct call *c, const char *agent, const char *number);
void call_consult_cancel(struct call *c);
int call_consult_complete(struct call *c);
int call_supervise(struct call *c, const char *user, const char *mode);
struct leg *call_supervisor(struct call *c);
void call_supervise_apply(struct call *c);
void call_supervise_end(struct call *c);

/* outbound.c */
/* Whether number can be dialled (a trunk, a number of digits). */
bool call_can_dial(const struct call *c, const char *number);
bool call_can_callback(const struct call *c);
int call_dial_out(struct call *c, const char *number, struct leg **lp);
void call_transfer_out(struct call *c, const char *number);
void call_out_failed(struct call *c, uint16_t status);
void call_out_answered(struct call *c, struct leg *l);
void call_callback_dial(struct call *c);
void call_voicemail_record(struct call *c);
void call_voicemail_done(struct call *c);

/* record.c */
void call_record_start(struct call *c);
void call_record_stop(struct call *c);
/* The recording of c (c->rec) closed and kept as the contact's
 * attachment `name`-XXXX.wav, or dropped. */
void call_record_keep(struct call *c, const char *name);
void call_record_drop(struct call *c);

#endif
