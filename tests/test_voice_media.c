/*
 * The voice channel's media, without a network: SDP negotiation (what
 * relais answers to each kind of offer), DTMF in SIP INFO, the generated
 * sounds, and stereo and mono recordings written by the recorder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "channels/voice/media.h"
#include "channels/voice/voice.h"

/* Decodes offer into a fresh session of ours; the pick's result. */
static int pick(const char *offer, uint8_t *pt, int *dtmf)
{
	struct sdp_session *sess;
	struct sdp_media *m;
	struct mbuf *mb = mbuf_alloc(strlen(offer));
	struct sa laddr;
	int err;

	sa_set_str(&laddr, "127.0.0.1", 40000);
	assert_int_equal(media_sdp_new(&sess, &m, &laddr), 0);
	mbuf_write_str(mb, offer);
	mb->pos = 0;
	err = sdp_decode(sess, mb, true);
	if (!err)
		err = media_sdp_pick(m, pt, dtmf);
	if (!err) { /* our answer names the codec chosen */
		struct mbuf *ans = NULL;
		char *text = NULL;

		assert_int_equal(sdp_encode(&ans, sess, false), 0);
		assert_int_equal(mbuf_strdup(ans, &text, ans->end), 0);
		assert_non_null(strstr(text, *pt == 8 ? "PCMA" : "PCMU"));
		mem_deref(text);
		mem_deref(ans);
	}
	mem_deref(mb);
	mem_deref(sess);
	return err;
}

#define HEAD                                         \
	"v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\n" \
	"c=IN IP4 127.0.0.1\r\nt=0 0\r\n"

static void test_an_offer_of_pcmu_with_events_is_taken(void **state)
{
	uint8_t pt;
	int dtmf;

	(void)state;
	assert_int_equal(pick(HEAD "m=audio 5000 RTP/AVP 0 8 101\r\n"
				   "a=rtpmap:101 telephone-event/8000\r\n",
			      &pt, &dtmf),
			 0);
	assert_int_equal(pt, 0);
	assert_int_equal(dtmf, 101);
}

static void test_the_callers_order_decides_the_codec(void **state)
{
	uint8_t pt;
	int dtmf;

	(void)state;
	assert_int_equal(pick(HEAD "m=audio 5000 RTP/AVP 8 0\r\n", &pt, &dtmf),
			 0);
	assert_int_equal(pt, 8);
	assert_int_equal(dtmf, -1); /* no telephone-event: INFO it is */
}

static void test_an_offer_without_g711_is_refused(void **state)
{
	uint8_t pt;
	int dtmf;

	(void)state;
	assert_int_equal(pick(HEAD "m=audio 5000 RTP/AVP 3 18\r\n"
				   "a=rtpmap:3 GSM/8000\r\n"
				   "a=rtpmap:18 G729/8000\r\n",
			      &pt, &dtmf),
			 EPROTO);
}

static void test_a_disabled_stream_is_refused(void **state)
{
	uint8_t pt;
	int dtmf;

	(void)state;
	assert_int_equal(pick(HEAD "m=audio 0 RTP/AVP 0\r\n", &pt, &dtmf),
			 EPROTO);
}

static void test_garbage_is_not_an_offer(void **state)
{
	uint8_t pt;
	int dtmf;

	(void)state;
	assert_int_not_equal(pick("hello\r\nworld", &pt, &dtmf), 0);
}

static void test_info_bodies_give_their_digit(void **state)
{
	const char *ok = "Signal=5\r\nDuration=160\r\n",
		   *star = "Signal= *\r\n";
	char d = 0;

	(void)state;
	assert_true(media_info_digit((const uint8_t *)ok, strlen(ok), &d));
	assert_int_equal(d, '5');
	assert_true(media_info_digit((const uint8_t *)star, strlen(star), &d));
	assert_int_equal(d, '*');
	assert_false(media_info_digit((const uint8_t *)"Duration=160", 12, &d));
}

static void test_the_sounds_are_what_they_say(void **state)
{
	struct sound *music, *ring, *tone;
	int32_t peak = 0;

	(void)state;
	assert_int_equal(sound_music(&music), 0);
	assert_int_equal(music->n, 16 * 8000); /* 16 s, looped */
	for (size_t i = 0; i < music->n; i++)
		if (abs(music->pcm[i]) > peak)
			peak = abs(music->pcm[i]);
	assert_true(peak > 1000 && peak < 32767); /* audible, not clipped */
	assert_int_equal(sound_ringback(&ring), 0);
	assert_int_equal(ring->n, 5 * 8000); /* 1 s of tone, 4 of silence */
	assert_int_not_equal(ring->pcm[100], 0);
	for (size_t i = 8000; i < ring->n; i++)
		assert_int_equal(ring->pcm[i], 0);
	assert_int_equal(sound_tone(&tone, 1000, 20, 0.5), 0);
	assert_int_equal(tone->n, MEDIA_FRAME);
	mem_deref(music);
	mem_deref(ring);
	mem_deref(tone);
}

/* The WAV header's channels and data size of path. */
static void wav_shape(const char *path, int *channels, long *data)
{
	FILE *f = fopen(path, "rb");
	unsigned char h[44];

	assert_non_null(f);
	assert_int_equal(fread(h, 1, 44, f), 44);
	fclose(f);
	*channels = h[22] | h[23] << 8;
	*data = h[40] | h[41] << 8 | h[42] << 16 | (long)h[43] << 24;
}

static void test_a_recording_is_a_wav_of_its_channels(void **state)
{
	struct voice v = {0};
	struct recorder *r;
	char path[] = "/tmp/relais-rec-XXXXXX";
	int fd = mkstemp(path), channels;
	long data;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	list_init(&v.media);
	list_init(&v.recs);
	tmr_init(&v.media_tmr);
	/* nothing attached: each tick writes a frame of silence */
	assert_int_equal(recorder_open(&r, &v, path, 2), 0);
	assert_int_equal(list_count(&v.recs), 1);
	recorder_close(r);
	assert_int_equal(list_count(&v.recs), 0);
	wav_shape(path, &channels, &data);
	assert_int_equal(channels, 2);
	assert_int_equal(data, 0);
	assert_int_equal(recorder_open(&r, &v, path, 1), 0);
	recorder_close(r);
	wav_shape(path, &channels, &data);
	assert_int_equal(channels, 1);
	media_clock_stop(&v);
	unlink(path);
}

static int setup(void **state)
{
	(void)state;
	return libre_init();
}

static int teardown(void **state)
{
	(void)state;
	libre_close();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_offer_of_pcmu_with_events_is_taken),
		cmocka_unit_test(test_the_callers_order_decides_the_codec),
		cmocka_unit_test(test_an_offer_without_g711_is_refused),
		cmocka_unit_test(test_a_disabled_stream_is_refused),
		cmocka_unit_test(test_garbage_is_not_an_offer),
		cmocka_unit_test(test_info_bodies_give_their_digit),
		cmocka_unit_test(test_the_sounds_are_what_they_say),
		cmocka_unit_test(test_a_recording_is_a_wav_of_its_channels),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
