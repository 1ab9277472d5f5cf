/*
 * whatif_msg — the words of 'relais sim compare' and 'relais sim replay',
 * in French and in English. The templates take strings only (msg_say in
 * msg.h), in the same order in both languages.
 *
 * The texts are in the catalogs (lang/<code>.json, lang.h): member m of
 * the list below has the id "whatif.m" ("whatif.m.0"... for an array).
 */
#ifndef RELAIS_WHATIF_MSG_H
#define RELAIS_WHATIF_MSG_H

#include "lang/lang.h"

/* clang-format off */
#define WHATIF_WORDS(T, A)                                    \
	T(compare_usage)                                      \
	T(compare_title) /* A, B, replications, seed */       \
	T(measure) /* a column title */                       \
	T(compare_nothing)                                    \
	T(whole_number) /* option */                          \
	T(unexpected) /* argument */                          \
	T(replay_usage)                                       \
	T(no_data) /* folder */                               \
	T(unreadable) /* folder */                            \
	T(bad_day) /* value */                                \
	T(bad_zone) /* zone */                                \
	T(no_match) /* day, zone */                           \
	T(replay_title) /* day, zone, start, end, scenario */ \
	T(replay_count) /* contacts, skipped */               \
	T(replay_reps) /* replications, seed */               \
	T(actual) T(replayed) /* column titles */             \
	T(actual_only) /* a note under the table */           \
	T(cannot_write) /* file */                            \
	T(wrote) /* file, agents, queues, contacts */
/* clang-format on */

struct whatif_words {
	WHATIF_WORDS(LANG_TEXT, LANG_TEXTS)
	char decimal;
};

/* The texts of the language of --lang anywhere in argv, else of the
 * environment (words_lang()), into w; they are borrowed (lang.h). */
void whatif_words_load(struct whatif_words *w, int argc, char **argv);

#endif
