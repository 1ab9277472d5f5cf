/*
 * erlang_msg — see erlang_msg.h. The texts are in lang/<code>.json, under
 * "erlang.".
 */
#include "cli/erlang_msg.h"

#define T(member)    LANG_FIELD(struct erlang_words, member),
#define A(member, n) T(member)
static const struct lang_field fields[] = {ERLANG_WORDS(T, A)};

void erlang_words_load(struct erlang_words *w, const char *lang)
{
	lang_fill(w, lang, "erlang", fields, sizeof(fields) / sizeof(*fields));
	w->decimal = *lang_get(lang, "words.decimal");
}
