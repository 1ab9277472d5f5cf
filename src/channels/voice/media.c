/*
 * The RTP side of calls (media.h): sockets, G.711, the media clock,
 * relays, mixes and stereo recordings.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "channels/voice/media.h"
#include "channels/voice/voice.h"
#include "server/log.h"

#define RTP_PORT_MIN 16384
#define RTP_PORT_MAX 32767
#define PT_DTMF	     101

/* ---- sounds ---- */

static void sound_destructor(void *arg)
{
	struct sound *snd = arg;

	free(snd->pcm);
}

static int sound_new(struct sound **sp, size_t n)
{
	struct sound *snd = mem_zalloc(sizeof(*snd), sound_destructor);

	if (!snd)
		return ENOMEM;
	snd->pcm = calloc(n ? n : 1, sizeof(int16_t));
	if (!snd->pcm) {
		mem_deref(snd);
		return ENOMEM;
	}
	snd->n = n;
	*sp = snd;
	return 0;
}

int sound_load(struct sound **sp, const char *path)
{
	struct aufile_prm prm;
	struct aufile *af = NULL;
	struct sound *snd = NULL;
	size_t cap = 8000 * 10, n = 0;
	int16_t *pcm;
	int err;

	err = aufile_open(&af, &prm, path, AUFILE_READ);
	if (err)
		return err;
	if (prm.srate != 8000 || prm.channels != 1 || prm.fmt != AUFMT_S16LE) {
		err = EINVAL;
		goto out;
	}
	pcm = malloc(cap * sizeof(int16_t));
	if (!pcm) {
		err = ENOMEM;
		goto out;
	}
	for (;;) {
		size_t sz = (cap - n) * sizeof(int16_t);

		err = aufile_read(af, (uint8_t *)(pcm + n), &sz);
		if (err || !sz)
			break;
		n += sz / sizeof(int16_t);
		if (n == cap) {
			int16_t *p = realloc(pcm, 2 * cap * sizeof(int16_t));

			if (!p) {
				err = ENOMEM;
				break;
			}
			pcm = p;
			cap *= 2;
		}
	}
	if (!err)
		err = sound_new(&snd, 0);
	if (err) {
		free(pcm);
		goto out;
	}
	free(snd->pcm);
	snd->pcm = pcm;
	snd->n = n;
	*sp = snd;
out:
	mem_deref(af);
	return err;
}

int sound_tone(struct sound **sp, int hz, int ms, double level)
{
	struct sound *snd;
	size_t n = (size_t)ms * 8;
	int err = sound_new(&snd, n);

	if (err)
		return err;
	for (size_t i = 0; i < n; i++)
		snd->pcm[i] =
			(int16_t)(level * 32767.0 *
				  sin(2 * M_PI * hz * (double)i / 8000.0));
	*sp = snd;
	return 0;
}

int sound_ringback(struct sound **sp)
{
	struct sound *snd;
	int err = sound_tone(&snd, 425, 5000, 0.2);

	if (err)
		return err;
	memset(snd->pcm + 8000, 0, 4 * 8000 * sizeof(int16_t));
	*sp = snd;
	return 0;
}

/*
 * A slow arpeggio over four chords (C, A minor, F, G), each note a soft
 * sine with its octave, faded in and out: 16 s, looped.
 */
int sound_music(struct sound **sp)
{
	static const double chords[4][3] = {
		{261.63, 329.63, 392.00},
		{220.00, 261.63, 329.63},
		{174.61, 220.00, 261.63},
		{196.00, 246.94, 293.66},
	};
	const size_t note = 8000 / 2; /* half a second */
	struct sound *snd;
	int err = sound_new(&snd, 32 * note);

	if (err)
		return err;
	for (size_t k = 0; k < 32; k++) {
		double f = chords[(k / 8) % 4][k % 3];

		for (size_t i = 0; i < note; i++) {
			double t = (double)i / 8000.0;
			double env = sin(M_PI * (double)i / (double)note);
			double x = sin(2 * M_PI * f * t) +
				   0.3 * sin(4 * M_PI * f * t);

			snd->pcm[k * note + i] = (int16_t)(6000.0 * env * x);
		}
	}
	*sp = snd;
	return 0;
}

/* ---- G.711 ---- */

static inline int16_t decode1(uint8_t pt, uint8_t b)
{
	return pt == 8 ? g711_alaw2pcm(b) : g711_ulaw2pcm(b);
}

static inline uint8_t encode1(uint8_t pt, int16_t s)
{
	return pt == 8 ? g711_pcm2alaw(s) : g711_pcm2ulaw(s);
}

/* ---- legs ---- */

static void clock_need(struct media *md);

static void media_destructor(void *arg)
{
	struct media *md = arg;

	tmr_cancel(&md->tell);
	if (md->rec)
		recorder_detach(md->rec, md);
	list_unlink(&md->le);
	media_silence(md);
	/* the mixes that heard it (they are all on the clock) forget it */
	for (struct le *le = list_head(&md->v->media); le && md->mixed;
	     le = le->next) {
		struct media *o = le->data;

		for (size_t i = 0; i < MEDIA_MIX_MAX; i++)
			if (o->mix[i] == md) {
				o->mix[i] = NULL;
				md->mixed--;
			}
	}
	for (size_t i = 0; i < 4; i++)
		if (md->out[i]) {
			struct media *o = md->out[i];

			o->relay = NULL;
			o->src = SRC_SILENCE;
			list_unlink(&o->le);
		}
	mem_deref(md->snd);
	mem_deref(md->telev);
	mem_deref(md->rtp);
	mem_deref(md->sdp);
}

/* Sends one frame of PCM to md's peer. */
static void send_pcm(struct media *md, const int16_t *pcm)
{
	uint8_t buf[RTP_HEADER_SIZE + MEDIA_FRAME];
	struct mbuf mb = {
		.buf = buf,
		.size = sizeof(buf),
		.pos = RTP_HEADER_SIZE,
		.end = sizeof(buf),
	};

	for (size_t i = 0; i < MEDIA_FRAME; i++)
		buf[RTP_HEADER_SIZE + i] = encode1(md->pt, pcm[i]);
	(void)rtp_send(md->rtp, sdp_media_raddr(md->m), false, md->marker,
		       md->pt, md->ts, &mb);
	md->marker = false;
	md->ts += MEDIA_FRAME;
}

static void record(struct recorder *r, int side, const int16_t *pcm, size_t n);

/* Tells the owner its digits and the end of a sound (see struct media). */
static void tell_fire(void *arg)
{
	struct media *md = arg;
	char digits[sizeof(md->digits)];
	size_t n = md->ndigits;

	memcpy(digits, md->digits, n);
	md->ndigits = 0;
	mem_ref(md); /* the owner may free it meanwhile */
	for (size_t i = 0; i < n && md->h && md->h->digit; i++)
		md->h->digit(md->arg, digits[i]);
	/* a digit may have started another sound: that end is stale */
	if (md->played && md->h && md->h->played) {
		md->played = false;
		md->h->played(md->arg);
	}
	mem_deref(md);
}

static void tell_later(struct media *md)
{
	tmr_start(&md->tell, 0, tell_fire, md);
}

static void on_dtmf(struct media *md, struct mbuf *mb)
{
	int ev;
	bool end;

	if (telev_recv(md->telev, mb, &ev, &end) || end)
		return;
	ev = telev_code2digit(ev);
	if (ev > 0 && md->ndigits < sizeof(md->digits)) {
		md->digits[md->ndigits++] = (char)ev;
		tell_later(md);
	}
}

static void on_rtp(const struct sa *src, const struct rtp_header *hdr,
		   struct mbuf *mb, void *arg)
{
	struct media *md = arg;
	size_t n = mbuf_get_left(mb);
	const uint8_t *p = mbuf_buf(mb);
	uint8_t pt = hdr->pt;

	(void)src;
	if (md->dtmf_pt >= 0 && hdr->pt == md->dtmf_pt) {
		on_dtmf(md, mb);
		return;
	}
	if ((hdr->pt != 0 && hdr->pt != 8) || !n || n > MEDIA_FRAME * 4)
		return;
	/* the last frame, for mixes and recordings */
	if (md->mixed || md->rec) {
		size_t k = n < MEDIA_FRAME ? n : MEDIA_FRAME;

		for (size_t i = 0; i < k; i++)
			md->last[i] = decode1(hdr->pt, p[i]);
		if (k < MEDIA_FRAME)
			memset(md->last + k, 0,
			       (MEDIA_FRAME - k) * sizeof(int16_t));
		md->fresh = true;
		if (md->rec)
			record(md->rec, md->rec_side, md->last, k);
	}
	/* the relays: the same packet, through each listener's own socket */
	for (size_t i = 0; i < 4; i++) {
		struct media *o = md->out[i];

		if (!o || !o->ready)
			continue;
		if (o->pt != pt) { /* transcode in place: the next
				      listener sees the rewritten payload */
			uint8_t *q = mbuf_buf(mb);

			for (size_t j = 0; j < n; j++)
				q[j] = encode1(o->pt, decode1(pt, p[j]));
			pt = o->pt;
		}
		mb->pos = mb->end - n;
		(void)rtp_send(o->rtp, sdp_media_raddr(o->m), false, o->marker,
			       o->pt, o->ts, mb);
		o->marker = false;
		o->ts += (uint32_t)n;
		mb->pos = mb->end - n;
		p = mbuf_buf(mb);
	}
}

int media_alloc(struct media **mp, struct voice *v,
		const struct media_handlers *h, void *arg)
{
	struct media *md = mem_zalloc(sizeof(*md), media_destructor);
	int err;

	if (!md)
		return ENOMEM;
	md->v = v;
	md->h = h;
	md->arg = arg;
	md->dtmf_pt = -1;
	md->rec_side = -1;
	tmr_init(&md->tell);
	md->ts = rand_u32();
	md->marker = true;
	err = rtp_listen(&md->rtp, IPPROTO_UDP, &v->maddr, RTP_PORT_MIN,
			 RTP_PORT_MAX, false, on_rtp, NULL, md);
	if (!err)
		err = telev_alloc(&md->telev, TELEV_PTIME);
	if (!err)
		err = media_sdp_new(&md->sdp, &md->m, rtp_local(md->rtp));
	if (err) {
		mem_deref(md);
		return err;
	}
	*mp = md;
	return 0;
}

int media_sdp_new(struct sdp_session **sessp, struct sdp_media **mp,
		  const struct sa *laddr)
{
	struct sdp_session *sess = NULL;
	struct sdp_media *m = NULL;
	int err = sdp_session_alloc(&sess, laddr);

	if (!err)
		err = sdp_media_add(&m, sess, sdp_media_audio, sa_port(laddr),
				    sdp_proto_rtpavp);
	if (!err)
		err = sdp_format_add(NULL, m, false, "0", "PCMU", 8000, 1, NULL,
				     NULL, NULL, false, NULL);
	if (!err)
		err = sdp_format_add(NULL, m, false, "8", "PCMA", 8000, 1, NULL,
				     NULL, NULL, false, NULL);
	if (!err)
		err = sdp_format_add(NULL, m, false, "101", telev_rtpfmt, 8000,
				     1, NULL, NULL, NULL, false, "0-15");
	if (err) {
		mem_deref(sess);
		return err;
	}
	*sessp = sess;
	*mp = m;
	return 0;
}

int media_sdp_pick(const struct sdp_media *m, uint8_t *pt, int *dtmf_pt)
{
	const struct list *l = sdp_media_format_lst(m, false);
	struct le *le;

	*pt = 255;
	*dtmf_pt = -1;
	for (le = list_head(l); le; le = le->next) {
		const struct sdp_format *f = le->data;

		/* 0 and 8 are static: an offer may leave out their rtpmap */
		if (*pt == 255 && (f->pt == 0 || f->pt == 8) &&
		    (f->srate == 8000 || !f->srate))
			*pt = (uint8_t)f->pt;
		if (f->name && !str_casecmp(f->name, telev_rtpfmt) &&
		    *dtmf_pt < 0)
			*dtmf_pt = f->pt;
	}
	if (*pt == 255 || !sdp_media_rport(m) ||
	    !sa_isset(sdp_media_raddr(m), SA_ALL))
		return EPROTO;
	return 0;
}

bool media_info_digit(const uint8_t *p, size_t n, char *digit)
{
	struct pl sig;

	if (re_regex((const char *)p, n, "Signal=[ ]*[0-9*#A-D]1", NULL, &sig))
		return false;
	*digit = sig.p[0];
	return true;
}

/* After the peer's SDP: our codec, its DTMF payload, its address. */
static int negotiated(struct media *md)
{
	int err = media_sdp_pick(md->m, &md->pt, &md->dtmf_pt);

	md->ready = !err;
	return err;
}

int media_offer_in(struct media *md, struct mbuf *sdp)
{
	int err;

	if (!sdp || !mbuf_get_left(sdp))
		return EBADMSG;
	err = sdp_decode(md->sdp, sdp, true);
	if (err)
		return err == ENOMEM ? err : EBADMSG;
	return negotiated(md);
}

int media_answer(struct media *md, struct mbuf **mbp)
{
	return sdp_encode(mbp, md->sdp, false);
}

int media_offer_out(struct media *md, struct mbuf **mbp)
{
	return sdp_encode(mbp, md->sdp, true);
}

int media_answer_in(struct media *md, struct mbuf *sdp)
{
	int err;

	if (!sdp || !mbuf_get_left(sdp))
		return EBADMSG;
	err = sdp_decode(md->sdp, sdp, false);
	return err ? err : negotiated(md);
}

/* ---- sources ---- */

static void unrelay(struct media *md)
{
	struct media *from = md->relay;

	if (!from)
		return;
	for (size_t i = 0; i < 4; i++)
		if (from->out[i] == md)
			from->out[i] = NULL;
	md->relay = NULL;
}

void media_silence(struct media *md)
{
	unrelay(md);
	md->snd = mem_deref(md->snd);
	for (size_t i = 0; i < MEDIA_MIX_MAX; i++)
		if (md->mix[i])
			md->mix[i]->mixed--;
	memset(md->mix, 0, sizeof(md->mix));
	md->src = SRC_SILENCE;
	if (!md->rec)
		list_unlink(&md->le);
}

void media_play(struct media *md, struct sound *snd, bool loop)
{
	media_silence(md);
	md->played = false; /* a sound that ended before is forgotten */
	md->snd = mem_ref(snd);
	md->pos = 0;
	md->loop = loop;
	md->src = SRC_SOUND;
	md->marker = true;
	clock_need(md);
}

void media_relay(struct media *md, struct media *from)
{
	media_silence(md);
	for (size_t i = 0; i < 4; i++)
		if (!from->out[i]) {
			from->out[i] = md;
			md->relay = from;
			md->src = SRC_RELAY;
			md->marker = true;
			return;
		}
}

void media_mix(struct media *md, struct media *const *legs, size_t n)
{
	media_silence(md);
	for (size_t i = 0; i < n && i < MEDIA_MIX_MAX; i++) {
		md->mix[i] = legs[i];
		legs[i]->mixed++;
	}
	md->src = SRC_MIX;
	md->marker = true;
	clock_need(md);
}

/* ---- the media clock ---- */

static void tick_sound(struct media *md)
{
	int16_t pcm[MEDIA_FRAME];
	size_t k = 0;

	while (k < MEDIA_FRAME) {
		size_t left = md->snd->n - md->pos;
		size_t take = left < MEDIA_FRAME - k ? left : MEDIA_FRAME - k;

		memcpy(pcm + k, md->snd->pcm + md->pos, take * sizeof(*pcm));
		k += take;
		md->pos += take;
		if (md->pos < md->snd->n)
			continue;
		if (!md->loop)
			break;
		md->pos = 0;
		if (!md->snd->n)
			break;
	}
	if (k) {
		memset(pcm + k, 0, (MEDIA_FRAME - k) * sizeof(*pcm));
		send_pcm(md, pcm);
	}
	if (!md->loop && md->pos >= md->snd->n) {
		media_silence(md);
		md->played = true;
		tell_later(md);
	}
}

static void tick_mix(struct media *md)
{
	int32_t sum[MEDIA_FRAME] = {0};
	int16_t pcm[MEDIA_FRAME];

	for (size_t i = 0; i < MEDIA_MIX_MAX; i++) {
		const struct media *o = md->mix[i];

		if (!o || !o->fresh)
			continue;
		for (size_t j = 0; j < MEDIA_FRAME; j++)
			sum[j] += o->last[j];
	}
	for (size_t j = 0; j < MEDIA_FRAME; j++)
		pcm[j] = (int16_t)(sum[j] > 32767    ? 32767
				   : sum[j] < -32768 ? -32768
						     : sum[j]);
	send_pcm(md, pcm);
}

static void rec_tick(struct recorder *r);

static void clock_tick(void *arg)
{
	struct voice *v = arg;
	uint64_t now = tmr_jiffies();
	struct le *le;

	for (le = list_head(&v->media); le;) {
		struct media *md = le->data;

		le = le->next;
		if (!md->ready)
			continue;
		if (md->src == SRC_SOUND && md->snd)
			tick_sound(md);
		else if (md->src == SRC_MIX)
			tick_mix(md);
	}
	/* mixes used each leg's last frame: wait for the next */
	for (le = list_head(&v->media); le; le = le->next) {
		struct media *md = le->data;

		for (size_t i = 0; i < MEDIA_MIX_MAX; i++)
			if (md->mix[i])
				md->mix[i]->fresh = false;
	}
	for (le = list_head(&v->recs); le;) {
		struct recorder *r = le->data;

		le = le->next;
		rec_tick(r);
	}
	if (list_isempty(&v->media) && list_isempty(&v->recs)) {
		v->media_next = 0;
		return;
	}
	/* on a fixed grid: late ticks do not push the next ones back */
	v->media_next += 20;
	if (v->media_next + 100 < now)
		v->media_next = now; /* far behind (a stall): start again */
	tmr_start(&v->media_tmr, v->media_next > now ? v->media_next - now : 0,
		  clock_tick, v);
}

static void clock_start(struct voice *v)
{
	if (v->media_next)
		return;
	v->media_next = tmr_jiffies() + 20;
	tmr_start(&v->media_tmr, 20, clock_tick, v);
}

static void clock_need(struct media *md)
{
	if (!md->le.list)
		list_append(&md->v->media, &md->le, md);
	clock_start(md->v);
}

void media_clock_stop(struct voice *v)
{
	tmr_cancel(&v->media_tmr);
	v->media_next = 0;
}

/* ---- stereo recordings ---- */

#define REC_FIFO (MEDIA_FRAME * 8)

struct recorder {
	struct le le;
	struct voice *v;
	struct aufile *af;
	int16_t fifo[2][REC_FIFO];
	size_t len[2];
	bool paused;
	uint64_t frames;
	struct media *legs[2];
	int channels;
};

static void record(struct recorder *r, int side, const int16_t *pcm, size_t n)
{
	size_t *len;

	if (side < 0 || side > 1)
		return;
	len = &r->len[side];
	if (*len + n > REC_FIFO) { /* the clock is late: drop the oldest */
		size_t drop = *len + n - REC_FIFO;

		memmove(r->fifo[side], r->fifo[side] + drop,
			(*len - drop) * sizeof(int16_t));
		*len -= drop;
	}
	memcpy(r->fifo[side] + *len, pcm, n * sizeof(int16_t));
	*len += n;
}

/* One 20 ms stereo frame: each side's oldest samples, or silence. */
static void rec_tick(struct recorder *r)
{
	int16_t st[MEDIA_FRAME * 2];

	for (int side = 0; side < 2; side++) {
		size_t k =
			r->len[side] < MEDIA_FRAME ? r->len[side] : MEDIA_FRAME;

		for (size_t i = 0; i < MEDIA_FRAME; i++)
			st[2 * i + side] = i < k ? r->fifo[side][i] : 0;
		memmove(r->fifo[side], r->fifo[side] + k,
			(r->len[side] - k) * sizeof(int16_t));
		r->len[side] -= k;
	}
	if (r->paused)
		memset(st, 0, sizeof(st));
	if (r->channels == 1) /* side 0 only */
		for (size_t i = 0; i < MEDIA_FRAME; i++)
			st[i] = st[2 * i];
	if (!aufile_write(r->af, (uint8_t *)st,
			  sizeof(int16_t) * MEDIA_FRAME * (size_t)r->channels))
		r->frames++;
}

int recorder_open(struct recorder **rp, struct voice *v, const char *path,
		  int channels)
{
	struct aufile_prm prm = {
		.srate = 8000,
		.channels = (uint8_t)channels,
		.fmt = AUFMT_S16LE,
	};
	struct recorder *r = mem_zalloc(sizeof(*r), NULL);
	int err;

	if (!r)
		return ENOMEM;
	err = aufile_open(&r->af, &prm, path, AUFILE_WRITE);
	if (err) {
		mem_deref(r);
		return err;
	}
	r->v = v;
	r->channels = channels;
	list_append(&v->recs, &r->le, r);
	clock_start(v);
	*rp = r;
	return 0;
}

void recorder_attach(struct recorder *r, struct media *md, int side)
{
	if (side < 0 || side > 1)
		return;
	if (r->legs[side])
		r->legs[side]->rec = NULL;
	r->legs[side] = md;
	if (md) {
		md->rec = r;
		md->rec_side = side;
	}
}

void recorder_detach(struct recorder *r, struct media *md)
{
	for (int side = 0; side < 2; side++)
		if (r->legs[side] == md)
			r->legs[side] = NULL;
	md->rec = NULL;
	md->rec_side = -1;
}

void recorder_pause(struct recorder *r, bool paused)
{
	r->paused = paused;
}

double recorder_seconds(const struct recorder *r)
{
	return (double)r->frames * 0.02;
}

void recorder_close(struct recorder *r)
{
	if (!r)
		return;
	for (int side = 0; side < 2; side++)
		if (r->legs[side])
			r->legs[side]->rec = NULL;
	list_unlink(&r->le);
	mem_deref(r->af); /* writes the header's sizes */
	mem_deref(r);
}
