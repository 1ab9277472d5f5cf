/*
 * fuzz_sip — a SIP message from arbitrary bytes, as the registrar reads
 * it: libre's sip_msg_decode, then regmsg_parse (the Contact list, the
 * expiries, the Authorization), then the digest check and the nonce
 * check on whatever credentials came, all without the network.
 *
 * What parses must hold what regmsg.h promises: at most REGMSG_CONTACTS
 * contacts, each a sip:/sips: URI without brackets, quotes or spaces,
 * each expiry 0 or within the bounds; '*' alone. Anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channels/voice/regmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_contact(const struct regmsg_contact *c)
{
	if (c->uri.l < 4 || (c->expires && (c->expires < REG_EXPIRES_MIN ||
					    c->expires > REG_EXPIRES_MAX)))
		abort();
	for (size_t i = 0; i < c->uri.l; i++)
		if (strchr("<>\"' \t\r\n", c->uri.p[i]) || !c->uri.p[i])
			abort();
}

static void check(const struct regmsg *m, const struct sip_msg *msg)
{
	static const uint8_t key[REGMSG_NONCE_KEY] = {1};
	static const uint8_t ha1[16] = {2};
	int st;

	if (m->n > REGMSG_CONTACTS || (m->star && m->n))
		abort();
	for (size_t i = 0; i < m->n; i++)
		check_contact(&m->c[i]);
	if (!m->has_auth)
		return;
	(void)httpauth_digest_response_auth(&m->auth, &msg->met, ha1);
	st = regmsg_nonce_check(key, &m->auth.nonce, 1796580000000);
	if (st && st != EINVAL && st != ETIMEDOUT)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbuf *mb = mbuf_alloc(size + 1);
	struct sip_msg *msg = NULL;
	struct regmsg m;
	uint16_t st;

	if (!mb)
		return 0;
	mbuf_write_mem(mb, data, size);
	mb->pos = 0;
	if (!sip_msg_decode(&msg, mb) && msg->req) {
		st = regmsg_parse(&m, msg);
		if (!st)
			check(&m, msg);
		else if (st != 400 && st != 423)
			abort();
	}
	mem_deref(msg);
	mem_deref(mb);
	return 0;
}
