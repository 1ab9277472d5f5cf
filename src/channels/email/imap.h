/*
 * imap — one mailbox over IMAP through libcurl: which messages wait, one
 * message's bytes, and marking it done once its contact is durable.
 *
 * libcurl fetches with "UID FETCH n BODY[]", which sets \Seen by itself
 * (it has no BODY.PEEK): \Seen can therefore not be what says a message
 * was taken. The mark that does is the keyword IMAP_DONE_KEYWORD, set by
 * imap_mark_done() (with \Seen) only after the contact is durable; a
 * message fetched before a crash stays without it and is fetched again.
 * The same holds when a person reads the mailbox in a mail program.
 */
#ifndef RELAIS_CHANNELS_EMAIL_IMAP_H
#define RELAIS_CHANNELS_EMAIL_IMAP_H

#include <stddef.h>
#include <stdint.h>

#include "channels/email/mailnet.h"

#define IMAP_DONE_KEYWORD "$RelaisDone"
/* What still waits: IMAP search criteria. */
#define IMAP_PENDING "UNKEYWORD " IMAP_DONE_KEYWORD " UNDELETED"

struct imap;

/* A client of MAILBOX ("INBOX") on SRV; it keeps its connection. */
int imap_open(struct imap **imp, const struct mail_server *srv,
	      const char *mailbox);
void imap_close(struct imap *im);

/*
 * The UIDs CRITERIA selects (IMAP_PENDING, "UNSEEN", ...; letters,
 * digits, spaces, '$' and '\' only), ascending, into *UIDSP (malloc'd, the
 * caller's) and *NP.
 */
int imap_search(struct imap *im, const char *criteria, uint32_t **uidsp,
		size_t *np);
/* The raw RFC 822 bytes of UID (malloc'd, NUL after); ENOENT: no such. */
int imap_fetch(struct imap *im, uint32_t uid, char **bufp, size_t *lenp,
	       size_t max);
/* \Seen and IMAP_DONE_KEYWORD on UID. */
int imap_mark_done(struct imap *im, uint32_t uid);
/* The same on the N UIDS (ascending), in as few commands as fit. */
int imap_mark_done_set(struct imap *im, const uint32_t *uids, size_t n);
/* \Deleted on UID, then EXPUNGE. */
int imap_delete(struct imap *im, uint32_t uid);
/* The flags of UID as the server says them ("\Seen $RelaisDone"). */
int imap_flags(struct imap *im, uint32_t uid, char **flagsp);

#endif
