/*
 * registrar — where the agents' phones are (RFC 3261 §10).
 *
 * Each agent may have one SIP login (the `phones` kind: agent, username,
 * write-only password kept as its digest hash). A phone registers with
 * REGISTER, checked by digest (realm VOICE_REALM); several devices may
 * register the same login, each binding until its expiry. Bindings live
 * in memory: a restart asks the phones to register again, which they do
 * on their next refresh.
 */
#ifndef RELAIS_REGISTRAR_H
#define RELAIS_REGISTRAR_H

#include <stdbool.h>
#include <stddef.h>

struct voice;
struct registrar;
struct sip_msg;

int registrar_alloc(struct registrar **rp, struct voice *v);
/* A REGISTER: answered here (200, 401, 403, 400...). */
void registrar_request(struct registrar *r, const struct sip_msg *msg);
/*
 * Calls fn with the contact URI of each live binding of agent's login;
 * returns how many.
 */
size_t registrar_bindings(struct registrar *r, const char *agent,
			  void (*fn)(const char *uri, void *arg), void *arg);
/* The agent whose login authenticated as user, or NULL. */
const char *registrar_agent_of(struct registrar *r, const char *user);

#endif
