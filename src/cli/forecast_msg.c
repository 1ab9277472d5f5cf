/*
 * forecast_msg — see forecast_msg.h. The texts are in lang/<code>.json, under
 * "forecast.".
 */
#include "cli/forecast_msg.h"

#define T(member)    LANG_FIELD(struct forecast_words, member),
#define A(member, n) T(member)
static const struct lang_field fields[] = {FORECAST_WORDS(T, A)};

void forecast_words_load(struct forecast_words *w, const char *lang)
{
	lang_fill(w, lang, "forecast", fields,
		  sizeof(fields) / sizeof(*fields));
}
