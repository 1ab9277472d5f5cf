/*
 * presence — an agent whose desktop went away goes offline.
 *
 * The stream tells presence when a user's streams open and when the last
 * one closes. When the last stream of an agent's user closes (a network
 * drop, a closed tab, a crashed browser), a grace period starts
 * (RELAIS_PRESENCE_GRACE_MS, default 60 s); if no stream of that user is
 * back when it ends, the agent goes offline with reason "disconnected"
 * through the contact service (an agent.state event supervisors see). An
 * agent still holding contacts stays until the next grace period. Agents
 * that never opened a stream (robots, integrations) are not concerned.
 */
#ifndef RELAIS_PRESENCE_H
#define RELAIS_PRESENCE_H

#include <stddef.h>
#include <stdint.h>

struct srv;
struct presence;

int presence_new(struct presence **pp, struct srv *s);
/* A stream of user opened: a pending grace of its agent is cancelled. */
void presence_open(struct presence *p, const char *user);
/* The last stream of user closed. */
void presence_gone(struct presence *p, const char *user);
void presence_free(struct presence *p);

#endif
