/*
 * libFuzzer target: what a caller's INVITE brings to the voice channel's
 * media, without a socket: an SDP offer decoded into our session and our
 * choice of codec and DTMF made from it (media_sdp_pick), our answer
 * encoded; and the same bytes as a SIP INFO's dtmf-relay body.
 */
#include <stddef.h>
#include <stdint.h>

#include "channels/voice/media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_session *sess = NULL;
	struct sdp_media *m = NULL;
	struct mbuf *mb = mbuf_alloc(size + 1), *ans = NULL;
	struct sa laddr;
	uint8_t pt;
	int dtmf;
	char d;

	if (!mb)
		return 0;
	(void)media_info_digit(data, size, &d);
	sa_set_str(&laddr, "127.0.0.1", 4000);
	if (media_sdp_new(&sess, &m, &laddr))
		goto out;
	(void)mbuf_write_mem(mb, data, size);
	mb->pos = 0;
	if (!sdp_decode(sess, mb, true)) {
		(void)media_sdp_pick(m, &pt, &dtmf);
		(void)sdp_encode(&ans, sess, false);
	}
out:
	mem_deref(ans);
	mem_deref(sess);
	mem_deref(mb);
	return 0;
}
