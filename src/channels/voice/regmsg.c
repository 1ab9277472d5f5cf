/*
 * Reading a REGISTER (regmsg.h): the Contact headers one by one (libre
 * splits a comma-separated list into headers), each contact's expiry
 * from its own parameter, else the Expires header, else the default;
 * then the Authorization header, decoded by libre's digest reader.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "channels/voice/sipre.h"
#include <re_hmac.h>

#include "channels/voice/regmsg.h"

/* A delta-seconds (RFC 3261 §25.1: digits), clamped to 2^32-1: 0 or
 * EINVAL. */
static int delta_seconds(const struct pl *pl, uint32_t *out)
{
	uint64_t v;

	if (!pl->l || pl->l > 19)
		return EINVAL;
	for (size_t i = 0; i < pl->l; i++)
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return EINVAL;
	v = pl_u64(pl);
	*out = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	return 0;
}

/* The expiry asked for a contact: 0 (remove), or within the bounds;
 * 400 or 423 when it cannot be. */
static uint16_t contact_expires(const struct sip_msg *msg,
				const struct sip_addr *a, uint32_t *out)
{
	struct pl ex, end;
	uint32_t v = REG_EXPIRES_DEFAULT;

	if (!msg_param_exists(&a->params, "expires", &end)) {
		if (msg_param_decode(&a->params, "expires", &ex) ||
		    delta_seconds(&ex, &v))
			return 400;
	} else if (pl_isset(&msg->expires) && delta_seconds(&msg->expires, &v))
		return 400;
	if (v && v < REG_EXPIRES_MIN)
		return 423;
	*out = v > REG_EXPIRES_MAX ? REG_EXPIRES_MAX : v;
	return 0;
}

/*
 * A contact URI relais can store and send back between < and >: sip: or
 * sips:, as libre reads it, without brackets, quotes or spaces.
 */
static bool uri_ok(const struct pl *auri)
{
	struct uri u;

	if ((auri->l < 4 || strncasecmp(auri->p, "sip:", 4)) &&
	    (auri->l < 5 || strncasecmp(auri->p, "sips:", 5)))
		return false;
	for (size_t i = 0; i < auri->l; i++)
		if (strchr("<>\"' \t\r\n", auri->p[i]) || !auri->p[i])
			return false;
	return !uri_decode(&u, auri);
}

struct walk {
	struct regmsg *m;
	uint16_t status;
	bool others; /* a contact other than '*' */
};

static bool contact_h(const struct sip_hdr *hdr, const struct sip_msg *msg,
		      void *arg)
{
	struct walk *w = arg;
	struct regmsg *m = w->m;
	struct sip_addr a;

	if (!pl_strcmp(&hdr->val, "*")) {
		if (m->star)
			w->status = 400;
		m->star = true;
		return w->status != 0;
	}
	w->others = true;
	if (m->n == REGMSG_CONTACTS || sip_addr_decode(&a, &hdr->val) ||
	    !uri_ok(&a.auri)) {
		w->status = 400;
		return true;
	}
	w->status = contact_expires(msg, &a, &m->c[m->n].expires);
	m->c[m->n++].uri = a.auri;
	return w->status != 0;
}

/* '*' removes everything: alone, and only with Expires: 0. */
static uint16_t check_star(const struct sip_msg *msg, const struct walk *w)
{
	uint32_t v;

	if (!w->m->star)
		return 0;
	if (w->others || !pl_isset(&msg->expires) ||
	    delta_seconds(&msg->expires, &v) || v)
		return 400;
	return 0;
}

uint16_t regmsg_parse(struct regmsg *m, const struct sip_msg *msg)
{
	struct walk w = {.m = m};
	const struct sip_hdr *h;
	uint32_t v;

	memset(m, 0, sizeof(*m));
	if (pl_isset(&msg->expires) && delta_seconds(&msg->expires, &v))
		return 400;
	sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, contact_h, &w);
	if (!w.status)
		w.status = check_star(msg, &w);
	if (w.status)
		return w.status;
	h = sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION);
	if (h) {
		if (httpauth_digest_response_decode(&m->auth, &h->val))
			return 400;
		m->has_auth = true;
	}
	h = sip_msg_hdr(msg, SIP_HDR_USER_AGENT);
	if (h)
		m->user_agent = h->val;
	m->to_user = msg->to.uri.user;
	return 0;
}

/* ---- nonces ---- */

#define NONCE_TIME 16 /* hex digits of the time */

static void nonce_mac(const uint8_t key[REGMSG_NONCE_KEY], const char *time,
		      char *hex)
{
	uint8_t mac[(REGMSG_NONCE_LEN - NONCE_TIME) / 2];

	hmac_sha1(key, REGMSG_NONCE_KEY, (const uint8_t *)time, NONCE_TIME, mac,
		  sizeof(mac));
	for (size_t i = 0; i < sizeof(mac); i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
}

void regmsg_nonce_make(const uint8_t key[REGMSG_NONCE_KEY], int64_t now,
		       char out[REGMSG_NONCE_LEN + 1])
{
	snprintf(out, NONCE_TIME + 1, "%016llx", (unsigned long long)now);
	nonce_mac(key, out, out + NONCE_TIME);
}

int regmsg_nonce_check(const uint8_t key[REGMSG_NONCE_KEY],
		       const struct pl *nonce, int64_t now)
{
	char time[NONCE_TIME + 1], mac[REGMSG_NONCE_LEN - NONCE_TIME + 1];
	unsigned long long t;
	int end = 0;

	if (nonce->l != REGMSG_NONCE_LEN)
		return EINVAL;
	memcpy(time, nonce->p, NONCE_TIME);
	time[NONCE_TIME] = '\0';
	if (strspn(time, "0123456789abcdef") != NONCE_TIME ||
	    sscanf(time, "%16llx%n", &t, &end) != 1 || end != NONCE_TIME)
		return EINVAL;
	nonce_mac(key, time, mac);
	if (memcmp(mac, nonce->p + NONCE_TIME, REGMSG_NONCE_LEN - NONCE_TIME) ||
	    (int64_t)t > now)
		return EINVAL;
	return now - (int64_t)t > REGMSG_NONCE_TTL_MS ? ETIMEDOUT : 0;
}
