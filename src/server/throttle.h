/*
 * throttle — who may try a password now, and how long the others wait.
 *
 * Failed logins are counted in three scopes, each with its own rule:
 *   - a user name from one client address (the pair): a few free
 *     failures, then waits that double with each failure, so that one
 *     address guesses slowly while another address can still log in as
 *     that user;
 *   - a user name from every address: a looser bound against guessing
 *     spread over many addresses;
 *   - one address over every user name: against spraying.
 * An attempt counts when it arrives, not when its hash is done: the
 * attempts being checked ("in flight") take the place of the failures
 * they may become, and each scope and the whole server bound how many
 * are in flight, so a flood never fills the hashing queue and a login of
 * another user or address stays quick.
 *
 * Time comes in as an argument (UTC ms); nothing here does I/O. Entries
 * change through throttle_done and throttle_sweep, which report each
 * change to a callback so the caller can keep them in its store. Memory
 * is one entry per scope key with a failure in the last `forget_ms` (or a
 * wait not over), O(1) per call.
 */
#ifndef RELAIS_THROTTLE_H
#define RELAIS_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hmap.h"

enum throttle_scope {
	THROTTLE_PAIR = 0, /* a user name from one address */
	THROTTLE_USER,	   /* a user name from every address */
	THROTTLE_ADDR,	   /* an address for every user name */
	THROTTLE_SCOPES,
};

struct throttle_rule {
	int free_fails;	  /* failures before the first wait */
	int64_t base_ms;  /* the first wait; each further failure doubles */
	int64_t max_ms;	  /* the longest wait */
	int inflight_max; /* attempts being checked at once */
};

/* Keys: "p" user "\t" address, "u" user, "a" address. */
#define THROTTLE_KEY 136

struct throttle_entry {
	char key[THROTTLE_KEY];
	enum throttle_scope scope;
	int fails;	  /* since the entry was made */
	int inflight;	  /* admitted, not done */
	int64_t last_ms;  /* the last failure */
	int64_t until_ms; /* no attempt before */
};

struct throttle {
	struct throttle_rule rules[THROTTLE_SCOPES];
	int64_t forget_ms; /* an entry this long without failure is dropped */
	int inflight, inflight_max; /* the whole server's hashing queue */
	struct hmap map;	    /* key -> throttle_entry */
};

/*
 * Called with an entry that changed (gone: it was dropped and must be
 * forgotten). Entries that never failed are not reported.
 */
typedef void(throttle_write_h)(const struct throttle_entry *e, bool gone,
			       void *arg);

/* The default rules (see docs/admin-guide.md, "Login limits"). */
void throttle_init(struct throttle *t);
void throttle_reset(struct throttle *t);

/*
 * Whether user may try a password from addr now. 0: yes, and the attempt
 * is in flight until throttle_done. EAGAIN: not yet, *wait_ms says how
 * long (at least 1 s). EBUSY: the server checks too many passwords at
 * once (*wait_ms = 1 s). ENOMEM. Entries forgotten on the way are
 * reported to w.
 */
int throttle_admit(struct throttle *t, const char *user, const char *addr,
		   int64_t now, int64_t *wait_ms, throttle_write_h *w,
		   void *arg);
/* The attempt admitted for user and addr was decided (ok: right password). */
void throttle_done(struct throttle *t, const char *user, const char *addr,
		   bool ok, int64_t now, throttle_write_h *w, void *arg);
/* An attempt admitted and never checked (out of memory): no failure. */
void throttle_cancel(struct throttle *t, const char *user, const char *addr);
/* Drops the entries to forget at now, reporting those that had failed. */
void throttle_sweep(struct throttle *t, int64_t now, throttle_write_h *w,
		    void *arg);
/* Restores an entry kept by the caller (at start-up). 0, EINVAL, ENOMEM. */
int throttle_load(struct throttle *t, const char *key, int fails,
		  int64_t last_ms, int64_t until_ms);

#endif
