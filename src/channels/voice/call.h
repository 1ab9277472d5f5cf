/*
 * call — the calls of the voice channel: a back-to-back user agent.
 *
 * A call is the caller's leg (an INVITE to one of the centre's numbers)
 * and, once an agent answers, the agent's leg; later a supervisor's or a
 * consulted party's. relais answers the caller itself, walks the
 * number's IVR flow, hands the call to a queue as a voice contact, plays
 * music and announcements while it waits, rings the agent's phones when
 * the engine offers it, and bridges the legs' media when one answers.
 */
#ifndef RELAIS_CALL_H
#define RELAIS_CALL_H

struct voice;
struct sip_msg;
struct channel_decision;

/* An INVITE outside a dialog (sipsess_listen's handler; arg: the voice). */
void call_incoming(const struct sip_msg *msg, void *arg);
/* Carries out an engine decision for a voice contact. */
void call_decision(struct voice *v, const struct channel_decision *d);
/* Hangs up every call (a restart drops live calls), reason logged. */
void calls_drop_all(struct voice *v, const char *reason);

#endif
