/*
 * mailref — how the email channel recognises its own threads, and when it
 * may answer automatically. Pure functions on strings: no I/O, fuzzed
 * with the MIME path (fuzz/fuzz_mime.c).
 *
 * A contact's reference is the first eight hexadecimal digits of its id,
 * in capitals ("1A2B3C4D"); relais writes it in the subjects it sends as
 * "[#1A2B3C4D]", so that a customer who starts a new mail with the same
 * subject still lands in the same conversation. The Message-ID of every
 * message relais sends names its contact and message:
 * <relais.CONTACT.MESSAGE@DOMAIN>, so a reply's In-Reply-To or References
 * lead back to the contact without any table.
 */
#ifndef RELAIS_CHANNELS_EMAIL_MAILREF_H
#define RELAIS_CHANNELS_EMAIL_MAILREF_H

#include <stdbool.h>
#include <stddef.h>

#include "channels/email/mime.h"

#define MAILREF_SIZE 9 /* eight digits and the NUL */

/* The reference of contact id (a UUID) into out. */
void mailref_of_contact(const char *contact, char out[MAILREF_SIZE]);
/* The first "[#XXXXXXXX]" of subject into out; false: none. */
bool mailref_in_subject(const char *subject, char out[MAILREF_SIZE]);
/*
 * The Message-ID (without <>) of message `message` of contact `contact`
 * sent from an address of domain: "relais.C.M@domain" into out (size).
 * The length it needs, as snprintf.
 */
size_t mailref_msgid(char *out, size_t size, const char *contact,
		     const char *message, const char *domain);
/* The contact named by a Message-ID relais made; false: not one of ours. */
bool mailref_msgid_contact(const char *msgid, char contact[40]);
/*
 * Whether m may get an automatic answer from the mailbox `mailbox`: not
 * an automatic message itself (Auto-Submitted, Precedence bulk/junk/list,
 * List-Id: mime.c's is_auto), a sender that is not the mailbox itself nor
 * a daemon (mailer-daemon, postmaster, no-reply...). The rate limit per
 * sender is the channel's.
 */
bool mailref_may_autoreply(const struct mail_msg *m, const char *mailbox);

#endif
