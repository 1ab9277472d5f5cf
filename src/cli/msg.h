/*
 * msg — the command line's words, in French and in English.
 *
 * French is a first-class language, not a translation: each message is
 * written in both. The language comes from --lang, else from RELAIS_LANG,
 * LC_ALL, LC_MESSAGES or LANG ("fr..." gives French), else English.
 */
#ifndef RELAIS_MSG_H
#define RELAIS_MSG_H

#include <stddef.h>
#include <stdio.h>

struct msgs {
	const char *lang;
	const char *demo_usage;
	const char *intro;
	const char *tick_head;
	const char *table_head;
	const char *footer;
	const char *serve_demo; /* printf: url, url */
};

/* lang may be NULL (environment) or "fr" / "en". */
const struct msgs *msgs_get(const char *lang);

/*
 * The messages are templates chosen by language, so they cannot be printf
 * formats (-Wformat-nonliteral): in a template each %s takes the next
 * string of args and %% is a percent sign. msg_say writes to f, cut at
 * 1 KiB.
 */
void msg_fill(char *out, size_t size, const char *tmpl,
	      const char *const *args);
void msg_say(FILE *f, const char *tmpl, const char *const *args);

#endif
