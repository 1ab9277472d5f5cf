/*
 * bindings — the registrar's table of where each SIP login is: one entry
 * per (phone, contact URI), each until its expiry (RFC 3261 §10.3). A
 * plain list on libre's memory, without the server or the network, so
 * that its rules are unit-tested; a centre has a few devices per agent,
 * so every operation is O(bindings).
 *
 * Time is UTC ms, given by the caller.
 */
#ifndef RELAIS_BINDINGS_H
#define RELAIS_BINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channels/voice/sipre.h"

/* Devices one login may register at once. */
#define BINDINGS_PER_PHONE 16

struct binding {
	struct le le;
	char phone[40];	    /* the phones object's id */
	char *uri;	    /* the contact URI, owned */
	char *ua;	    /* its User-Agent, owned ("" when none) */
	enum sip_transp tp; /* what the REGISTER came over */
	int64_t expires_at; /* UTC ms */
};

/* Called for a binding about to go (expired or removed). */
typedef void(binding_h)(const struct binding *b, void *arg);

/*
 * Adds or refreshes the binding of phone to uri. 0, ENOSPC (phone has
 * BINDINGS_PER_PHONE others already) or ENOMEM. *added: it is new.
 */
int bindings_set(struct list *l, const char *phone, const struct pl *uri,
		 const struct pl *ua, enum sip_transp tp, int64_t expires_at,
		 bool *added);
/* Removes phone's binding to uri: whether there was one. */
bool bindings_remove(struct list *l, const char *phone, const struct pl *uri,
		     binding_h *h, void *arg);
/* Removes every binding of phone (all of them: phone NULL): how many. */
size_t bindings_clear(struct list *l, const char *phone, binding_h *h,
		      void *arg);
/* Removes the bindings expired at now: how many. */
size_t bindings_expire(struct list *l, int64_t now, binding_h *h, void *arg);
/* The soonest expiry, or 0 when the table is empty. */
int64_t bindings_next(const struct list *l);
/* The bindings of phone. */
size_t bindings_count(const struct list *l, const char *phone);

#endif
