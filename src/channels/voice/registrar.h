/*
 * registrar — where the agents' phones are (RFC 3261 §10).
 *
 * Each agent may have one SIP login (the `phones` kind, phones.c: agent,
 * username, write-only password kept as its digest hash HA1). A phone
 * registers with REGISTER, checked by digest (realm VOICE_REALM, MD5,
 * qop auth) against a stateless nonce (an HMAC of its time with a key
 * drawn at start, good for 5 minutes, "stale" after); several devices may
 * register the same login, each binding until its expiry (60 to 3600 s).
 * Failed passwords are throttled per login and source address like the
 * web's logins (server/throttle.h). Bindings live in memory: a restart
 * asks the phones to register again, which they do on their next refresh.
 *
 * Everything runs on the server's loop.
 */
#ifndef RELAIS_REGISTRAR_H
#define RELAIS_REGISTRAR_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct voice;
struct registrar;
struct sip_msg;
struct mbuf;

int registrar_alloc(struct registrar **rp, struct voice *v);
/* A REGISTER: answered here (200, 401, 403, 400, 423). */
void registrar_request(struct registrar *r, const struct sip_msg *msg);
/*
 * Calls fn with the contact URI of each live binding of agent's login
 * (the string is borrowed for the call); returns how many.
 */
size_t registrar_bindings(struct registrar *r, const char *agent,
			  void (*fn)(const char *uri, void *arg), void *arg);
/*
 * The id of the agent whose login is username user, or NULL. Borrowed
 * from the configuration: valid until the phone changes.
 */
/* The same for the login of a user (a supervisor's phone). */
size_t registrar_user_bindings(struct registrar *r, const char *user,
			       void (*fn)(const char *uri, void *arg),
			       void *arg);
const char *registrar_agent_of(struct registrar *r, const char *user);

/* The phone's live bindings, as the API shows them: [{contact,
 * expires_at, user_agent, transport}]. New reference. r may be NULL
 * (voice off): []. */
json_t *registrar_view(struct registrar *r, const char *phone);
/* The phone was deleted: its bindings go. r may be NULL. */
void registrar_forget(struct registrar *r, const char *phone);
/* The registrar's /metrics lines (the module's metrics hook calls it). */
void registrar_metrics(struct registrar *r, struct mbuf *mb);

#endif
