/* mailref — see mailref.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "channels/email/mailref.h"

void mailref_of_contact(const char *contact, char out[MAILREF_SIZE])
{
	size_t n = 0;

	for (const char *p = contact; *p && n < MAILREF_SIZE - 1; p++)
		if (isxdigit((unsigned char)*p))
			out[n++] = (char)toupper((unsigned char)*p);
	out[n] = '\0';
}

static bool ref_at(const char *p, char out[MAILREF_SIZE])
{
	for (int i = 0; i < MAILREF_SIZE - 1; i++)
		if (!isxdigit((unsigned char)p[i]))
			return false;
	if (p[MAILREF_SIZE - 1] != ']')
		return false;
	for (int i = 0; i < MAILREF_SIZE - 1; i++)
		out[i] = (char)toupper((unsigned char)p[i]);
	out[MAILREF_SIZE - 1] = '\0';
	return true;
}

bool mailref_in_subject(const char *subject, char out[MAILREF_SIZE])
{
	for (const char *p = subject; p && (p = strstr(p, "[#")); p += 2)
		if (ref_at(p + 2, out))
			return true;
	return false;
}

size_t mailref_msgid(char *out, size_t size, const char *contact,
		     const char *message, const char *domain)
{
	int n = snprintf(out, size, "relais.%s.%s@%s", contact, message,
			 domain);

	return n < 0 ? 0 : (size_t)n;
}

/* A UUID as srv_uuid() writes them: hex digits and dashes. */
static bool uuid_ok(const char *p, size_t n)
{
	return n >= 32 && n < 40 && strspn(p, "0123456789abcdefABCDEF-") >= n;
}

bool mailref_msgid_contact(const char *msgid, char contact[40])
{
	const char *c, *dot;

	if (!msgid || strncmp(msgid, "relais.", 7))
		return false;
	c = msgid + 7;
	dot = strchr(c, '.');
	if (!dot || !uuid_ok(c, (size_t)(dot - c)) || !strchr(dot, '@'))
		return false;
	memcpy(contact, c, (size_t)(dot - c));
	contact[dot - c] = '\0';
	return true;
}

/* The local parts of senders that never want an answer. */
static bool daemon_addr(const char *addr)
{
	static const char *const names[] = {
		"mailer-daemon", "postmaster", "no-reply", "noreply",
		"do-not-reply",	 "donotreply", "bounce",   NULL,
	};
	const char *at = strchr(addr, '@');
	size_t n = at ? (size_t)(at - addr) : strlen(addr);

	for (size_t i = 0; names[i]; i++)
		if (!strncasecmp(addr, names[i], strlen(names[i])) &&
		    (n == strlen(names[i]) || addr[strlen(names[i])] == '+' ||
		     addr[strlen(names[i])] == '-'))
			return true;
	return false;
}

bool mailref_may_autoreply(const struct mail_msg *m, const char *mailbox)
{
	const char *from = m->from.addr;

	if (m->is_auto || !from || !strchr(from, '@'))
		return false;
	if (mailbox && !strcasecmp(from, mailbox))
		return false;
	return !daemon_addr(from);
}
