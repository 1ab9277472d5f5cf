/*
 * media — the RTP side of calls: one RTP socket per leg, the audio each
 * leg hears, recordings.
 *
 * A leg hears one source at a time:
 *   - silence (nothing is sent);
 *   - a sound (a prompt, the music on hold), sent by the media clock, a
 *     20 ms timer shared by every call;
 *   - another leg, relayed as each packet arrives (a bridge), with no
 *     buffering: the lowest delay;
 *   - a mix of several legs (supervision: listen, whisper, barge), made by
 *     the media clock from each leg's last frame.
 * Every packet a leg sends goes out through its own RTP socket, so its
 * SSRC and sequence are the leg's own, and its timestamp advances by the
 * samples sent whatever the source: a switch from music to an agent is
 * seamless for the phone. Payloads are G.711 (PCMU or PCMA, transcoded
 * when the legs differ); RFC 4733 events are turned into digits.
 */
#ifndef RELAIS_MEDIA_H
#define RELAIS_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channels/voice/sipre.h"

#define MEDIA_FRAME 160 /* samples per 20 ms at 8 kHz */

struct voice;

/* 8 kHz mono PCM in memory; a mem object shared by the players. */
struct sound {
	int16_t *pcm;
	size_t n;
};

/* Loads a WAV file (8 kHz, mono, 16-bit). 0 or errno. */
int sound_load(struct sound **sp, const char *path);
/* The music on hold: a soft tune generated at start-up (no file). */
int sound_music(struct sound **sp);
/* A sine tone of hz for ms (a beep, a test phone's voice). */
int sound_tone(struct sound **sp, int hz, int ms, double level);
/* The ring-back tone (425 Hz, 1 s on, 4 s off), looped. */
int sound_ringback(struct sound **sp);

enum media_src {
	SRC_SILENCE = 0,
	SRC_SOUND,
	SRC_RELAY,
	SRC_MIX,
};

/* What a leg's media tells its owner. */
struct media_handlers {
	void (*digit)(void *arg, char digit); /* DTMF (RFC 4733) */
	void (*played)(void *arg);	      /* a sound without loop ended */
};

#define MEDIA_MIX_MAX 3

struct media {
	struct le le; /* in the media clock's list while it needs it */
	struct voice *v;
	struct rtp_sock *rtp;
	struct sdp_session *sdp;
	struct sdp_media *m;
	struct telev *telev;
	uint8_t pt;  /* our G.711 payload type: 0 (PCMU) or 8 (PCMA) */
	int dtmf_pt; /* telephone-event's, or -1 */
	bool ready;  /* the peer's address is known */
	uint32_t ts; /* the next timestamp we send */
	bool marker; /* the next packet starts a talkspurt */

	enum media_src src;
	struct sound *snd;
	size_t pos;
	bool loop;
	struct media *relay; /* SRC_RELAY: the leg we hear */
	struct media *mix[MEDIA_MIX_MAX];
	struct media *out[4]; /* the legs that relay us */

	int16_t last[MEDIA_FRAME]; /* our peer's last frame, for mixes */
	bool fresh;
	unsigned mixed; /* the mixes that hear this leg: only then, or for a
			   recording, is what arrives decoded */
	/* the recording side this leg's peer speaks into, or -1 */
	struct recorder *rec;
	int rec_side;

	const struct media_handlers *h;
	void *arg;
	/* what the handlers are told, from a timer of its own: never
	 * inside the media clock's loop or libre's receive handler, where
	 * the owner freeing legs would pull them from under the caller */
	struct tmr tell;
	char digits[8];
	size_t ndigits;
	bool played;
};

/* A leg's media on the voice's RTP address; handlers get arg. */
int media_alloc(struct media **mp, struct voice *v,
		const struct media_handlers *h, void *arg);
/* Takes a caller's offer: 0, EPROTO (no codec in common: 488), or
 * EBADMSG (malformed: 400). Then media_answer() encodes our answer. */
int media_offer_in(struct media *md, struct mbuf *sdp);
int media_answer(struct media *md, struct mbuf **mbp);
/* Our offer to a phone, and its answer. */
int media_offer_out(struct media *md, struct mbuf **mbp);
int media_answer_in(struct media *md, struct mbuf *sdp);

/* The pure parts, also for the fuzzer: our SDP session (PCMU, PCMA,
 * telephone-event) on laddr; the peer's choice after sdp_decode (our
 * codec's payload type, its DTMF's or -1; EPROTO: none in common, or no
 * address); the digit of a SIP INFO's application/dtmf-relay body. */
int media_sdp_new(struct sdp_session **sessp, struct sdp_media **mp,
		  const struct sa *laddr);
int media_sdp_pick(const struct sdp_media *m, uint8_t *pt, int *dtmf_pt);
bool media_info_digit(const uint8_t *p, size_t n, char *digit);

void media_silence(struct media *md);
void media_play(struct media *md, struct sound *snd, bool loop);
/* md hears from (a bridge one way; call twice for both ways). */
void media_relay(struct media *md, struct media *from);
/* md hears the sum of legs (up to MEDIA_MIX_MAX). */
void media_mix(struct media *md, struct media *const *legs, size_t n);

/* The media clock, started with the first leg that needs it. */
void media_clock_stop(struct voice *v);

/* A stereo WAV: side 0 (left) and 1 (right). */
struct recorder;
/* channels: 2 (stereo) or 1 (side 0 only). */
int recorder_open(struct recorder **rp, struct voice *v, const char *path,
		  int channels);
/* What md's peer says goes into side (or -1: nothing). */
void recorder_attach(struct recorder *r, struct media *md, int side);
/* md says nothing more into r (it is going). */
void recorder_detach(struct recorder *r, struct media *md);
void recorder_pause(struct recorder *r, bool paused);
/* Seconds written so far. */
double recorder_seconds(const struct recorder *r);
/* Closes the file (its header is written); the recorder is freed. */
void recorder_close(struct recorder *r);

#endif
