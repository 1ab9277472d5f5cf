/*
 * lang — the words relais says, in each language, as data.
 *
 * The catalogs are lang/<code>.json (see lang/README.md), compiled into
 * the binary: one flat JSON object per language, id -> text. Two kinds of
 * id share it:
 *   - a named message ("erlang.usage", "words.unknown"): written in every
 *     language, English included; the command line's templates (%s holes,
 *     see cli/msg.h) and, later, the web application's words;
 *   - a printf format of the server, the English text itself (GNU
 *     gettext's msgid): absent from en.json, and each other language maps
 *     it to a format with the same conversions in the same order.
 * A translation of a msgid whose conversions differ from its id's is
 * ignored (the English format is used), so a broken catalog can never
 * make printf read the wrong arguments; tests/test_lang.c refuses it.
 *
 * The catalogs are parsed once, on the first lookup (pthread_once), into a
 * read-only table that lives until the process exits: every function here
 * is thread-safe, and every string it returns is static or lives as long
 * as the process (borrowed, never freed).
 */
#ifndef RELAIS_LANG_H
#define RELAIS_LANG_H

#include <stddef.h>

/*
 * Marks a string literal as a server message to translate without
 * translating it here (gettext's N_): the test that checks the catalogs
 * finds these and the formats of web_error().
 */
#define N_(s) (s)

/* The language every text falls back to. */
#define LANG_DEFAULT "en"

/*
 * The text of id in lang (a code from the functions below; NULL or an
 * unknown code is English), else the English text, else id itself. The
 * result is a format with id's conversions when id is a printf format.
 */
const char *lang_get(const char *lang, const char *id)
	__attribute__((format_arg(2)));

/*
 * Where a message for someone goes, and in which language: how services
 * that answer people (the contact service, the configuration's checks,
 * JSON validation) write their refusals without knowing who asked.
 */
struct lang_out {
	const char *lang; /* a code of lang_pick()...; NULL: English */
	char *buf;
	size_t size;
};

/* A lang_out writing into the array arr: LANG_OUT(r->lang, msg). */
#define LANG_OUT(lang, arr) ((struct lang_out){(lang), (arr), sizeof(arr)})

/*
 * Writes the text of fmt (a msgid: mark literals with N_) in o's language
 * into o's buffer. Returns -1, so that a refusal can be returned at once.
 */
int lang_say(struct lang_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Whether code is the code of a catalog ("en", "fr"; not "fr_FR"). */
int lang_has(const char *code);

/* How many languages have a catalog, and the code of the i-th ("en"...). */
size_t lang_count(void);
const char *lang_code(size_t i);

/*
 * The catalog whose code starts value ("fr_FR.UTF-8" and "fr" give "fr"),
 * else English. The command line's --lang, and the environment through
 * lang_env().
 */
const char *lang_pick(const char *value);

/*
 * The command line's language: opt (--lang) when not NULL, else the first
 * set of RELAIS_LANG, LC_ALL, LC_MESSAGES and LANG, through lang_pick().
 */
const char *lang_env(const char *opt);

/*
 * The best language of an Accept-Language header value (len bytes, not
 * NUL-terminated; NULL for none): the highest q-value among the tags whose
 * primary subtag has a catalog ("fr-CA" is French), the first listed on a
 * tie; English when none has one. Malformed entries are skipped.
 */
const char *lang_accept(const char *value, size_t len);

/*
 * The conversions of a printf format, one per argument it reads, written
 * as "s", "lld", "*d"... separated by spaces into out (size > 0). Returns
 * 0, or EINVAL for a conversion it does not know ("%n", "%1$s", a
 * dangling '%') or when out is too small.
 */
int lang_conversions(const char *fmt, char *out, size_t size);

/*
 * A view of a catalog as a struct of texts: fields lists the struct's
 * `const char *` members and arrays of them (LANG_FIELD), each filled with
 * lang_get(lang, "<prefix>.<name>") or "<prefix>.<name>.<i>" for the i-th
 * of an array. The struct is the caller's; its texts are borrowed.
 */
struct lang_field {
	const char *name;
	size_t offset;
	size_t count; /* 1, or the length of an array member */
};

/* The members of such a struct, from a list of T(name) and A(name, n). */
#define LANG_TEXT(member)     const char *member;
#define LANG_TEXTS(member, n) const char *member[n];

#define LANG_FIELD(type, member)                                           \
	{                                                                  \
#member, offsetof(type, member),                           \
			sizeof(((type *)0)->member) / sizeof(const char *) \
	}

void lang_fill(void *view, const char *lang, const char *prefix,
	       const struct lang_field *fields, size_t n);

#endif
