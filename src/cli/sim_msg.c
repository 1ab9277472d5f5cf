/*
 * sim_msg — see sim_msg.h. The texts are in lang/<code>.json, under
 * "sim.".
 */
#include "cli/sim_msg.h"

#define T(member)    LANG_FIELD(struct sim_words, member),
#define A(member, n) T(member)
static const struct lang_field fields[] = {SIM_WORDS(T, A)};

void sim_words_load(struct sim_words *w, const char *lang)
{
	lang_fill(w, lang, "sim", fields, sizeof(fields) / sizeof(*fields));
}
