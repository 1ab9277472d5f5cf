/*
 * sms_stop — the French opt-out keywords (see sms_stop.h).
 */
#include <stdint.h>
#include <string.h>

#include "core/sms_len.h"
#include "core/sms_stop.h"

/* Longer than any keyword: a longer message is never one. */
#define MAX_WORDS 24

static const char *const keywords[] = {
	"STOP",		 "STOP SMS",	   "STOPSMS",	  "ARRET",
	"ARRETER",	 "ARRET SMS",	   "STOPPER",	  "DESABONNER",
	"DESABONNEMENT", "DESINSCRIPTION", "DESINSCRIRE",
};

/*
 * Opting back in: operators and aggregators answer "START" (the word
 * their STOP confirmations quote), so that is the word we take.
 */
static const char *const optin_keywords[] = {
	"START",
	"START SMS",
	"STARTSMS",
};

/* Latin-1 letters U+00C0..U+00FF folded to an ASCII capital, or 0. */
static const char latin1_fold[64] = "AAAAAAACEEEEIIII"
				    "DNOOOOO\0OUUUUY\0\0"
				    "AAAAAAACEEEEIIII"
				    "DNOOOOO\0OUUUUY\0Y";

static bool is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' ||
	       cp == 0xa0;
}

/* The capital ASCII letter cp stands for, or 0 when it is no letter. */
static char fold(uint32_t cp)
{
	if (cp >= 'a' && cp <= 'z')
		return (char)(cp - 'a' + 'A');
	if (cp >= 'A' && cp <= 'Z')
		return (char)cp;
	if (cp >= 0xc0 && cp <= 0xff)
		return latin1_fold[cp - 0xc0];
	return 0;
}

/*
 * Writes text as capital ASCII words separated by one space into out, its
 * final . or ! left out (nothing but more of them may follow). Returns false
 * when text holds anything else or is too long to be a keyword.
 */
static bool normalise(char *out, size_t size, const char *text, size_t n)
{
	size_t off = 0, len = 0, step;
	bool gap = false, ended = false;
	uint32_t cp;
	char c;

	while (off < n) {
		step = sms_len_utf8_next(text + off, n - off, &cp);
		if (!step)
			return false;
		off += step;
		if (is_space(cp)) {
			gap = len > 0;
			continue;
		}
		if ((cp == '.' || cp == '!') && len) {
			ended = true;
			continue;
		}
		c = fold(cp);
		if (!c || ended || len + 2 >= size)
			return false;
		if (gap)
			out[len++] = ' ';
		gap = false;
		out[len++] = c;
	}
	out[len] = '\0';
	return len > 0;
}

/* Whether text, normalised, is one of the n words of list. */
static bool is_one_of(const char *const *list, size_t n, const char *text,
		      size_t size)
{
	char norm[MAX_WORDS];
	size_t i;

	if (!normalise(norm, sizeof(norm), text, size))
		return false;
	for (i = 0; i < n; i++) {
		if (!strcmp(norm, list[i]))
			return true;
	}
	return false;
}

bool sms_stop_is_optout(const char *text, size_t size)
{
	return is_one_of(keywords, sizeof(keywords) / sizeof(keywords[0]), text,
			 size);
}

bool sms_stop_is_optin(const char *text, size_t size)
{
	return is_one_of(optin_keywords,
			 sizeof(optin_keywords) / sizeof(optin_keywords[0]),
			 text, size);
}
