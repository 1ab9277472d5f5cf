/*
 * msg — how the command line fills its texts in. The texts themselves are
 * in the catalogs (lang/<code>.json, read through lang_get() of lang.h);
 * the language comes from --lang, else from RELAIS_LANG, LC_ALL,
 * LC_MESSAGES or LANG ("fr..." gives French), else English (lang_env()).
 */
#ifndef RELAIS_MSG_H
#define RELAIS_MSG_H

#include <stddef.h>
#include <stdio.h>

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
