/*
 * schedule_msg — see schedule_msg.h. The texts are in lang/<code>.json, under
 * "schedule.".
 */
#include "cli/schedule_msg.h"

#define T(member)    LANG_FIELD(struct schedule_words, member),
#define A(member, n) T(member)
static const struct lang_field fields[] = {SCHEDULE_WORDS(T, A)};

void schedule_words_load(struct schedule_words *w, const char *lang)
{
	lang_fill(w, lang, "schedule", fields,
		  sizeof(fields) / sizeof(*fields));
}
