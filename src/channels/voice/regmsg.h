/*
 * regmsg — what a REGISTER asks (RFC 3261 §10.3), read from a message
 * libre decoded, without the network or the server: its contacts with
 * their expiries, and its digest credentials. The registrar (registrar.c)
 * decides; the fuzzer (fuzz/fuzz_sip.c) feeds it raw bytes.
 *
 * Every pl points into the message: valid while it lives.
 */
#ifndef RELAIS_REGMSG_H
#define RELAIS_REGMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channels/voice/sipre.h"

/* Seconds a binding lasts: the default, and the bounds (RFC 3261 §10.3:
 * below the minimum is 423 Interval Too Brief; above, clamped). */
#define REG_EXPIRES_DEFAULT 3600
#define REG_EXPIRES_MIN	    60
#define REG_EXPIRES_MAX	    3600

/* Contacts one REGISTER may carry. */
#define REGMSG_CONTACTS 8

struct regmsg_contact {
	struct pl uri;	  /* the addr-spec, as sent */
	uint32_t expires; /* seconds, clamped; 0: remove the binding */
};

struct regmsg {
	bool star; /* "Contact: *" with Expires 0: remove every binding */
	size_t n;  /* contacts; 0 and not star: a query */
	struct regmsg_contact c[REGMSG_CONTACTS];
	bool has_auth; /* an Authorization header, decoded into auth */
	struct httpauth_digest_resp auth;
	struct pl to_user;    /* the To URI's user: the login's username */
	struct pl user_agent; /* may be empty */
};

/*
 * Reads msg (a REGISTER) into m. 0, or the status to answer: 400 (a
 * malformed Contact, Expires or Authorization, too many contacts, '*'
 * with others or without Expires 0) or 423 (an expiry under
 * REG_EXPIRES_MIN; the answer says Min-Expires).
 */
uint16_t regmsg_parse(struct regmsg *m, const struct sip_msg *msg);

/*
 * Stateless nonces: the time a nonce was made (16 hex digits, UTC ms) and
 * HMAC-SHA1(key, that time) in hex (40 digits). Good for
 * REGMSG_NONCE_TTL_MS, then stale: the phone retries with a new one
 * without asking its user (RFC 2617 "stale").
 */
#define REGMSG_NONCE_KEY    20
#define REGMSG_NONCE_LEN    56
#define REGMSG_NONCE_TTL_MS (5 * 60 * 1000)

void regmsg_nonce_make(const uint8_t key[REGMSG_NONCE_KEY], int64_t now,
		       char out[REGMSG_NONCE_LEN + 1]);
/* 0: made with key and fresh at now; ETIMEDOUT: stale; EINVAL: not ours
 * (another key, altered, malformed, or from the future). */
int regmsg_nonce_check(const uint8_t key[REGMSG_NONCE_KEY],
		       const struct pl *nonce, int64_t now);

#endif
