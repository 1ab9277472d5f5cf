/*
 * whatif_msg — see whatif_msg.h. The texts are in lang/<code>.json, under
 * "whatif.".
 */
#include "cli/whatif_msg.h"
#include "cli/words.h"

#define T(member)    LANG_FIELD(struct whatif_words, member),
#define A(member, n) T(member)
static const struct lang_field fields[] = {WHATIF_WORDS(T, A)};

void whatif_words_load(struct whatif_words *w, int argc, char **argv)
{
	const char *lang = words_lang(argc, argv);

	lang_fill(w, lang, "whatif", fields, sizeof(fields) / sizeof(*fields));
	w->decimal = *lang_get(lang, "words.decimal");
}
