/*
 * erlang_msg — the words of 'relais erlang', in French and in English:
 * usage texts, error templates (each %s takes the next argument, %% is a
 * percent sign; they are not printf formats) and table labels.
 *
 * The texts are in the catalogs (lang/<code>.json, lang.h): member m of
 * the list below has the id "erlang.m" ("erlang.m.0"... for an array).
 */
#ifndef RELAIS_ERLANG_MSG_H
#define RELAIS_ERLANG_MSG_H

#include "lang/lang.h"

#include "core/erlang.h"

/* What a value may be; each has a sentence in both languages. */
enum erlang_range {
	R_WHOLE,     /* integer >= 0 */
	R_GE0,	     /* >= 0 */
	R_GT0,	     /* > 0 */
	R_FRACTION,  /* (0, 1] */
	R_SHRINKAGE, /* [0, 1) */
	R_MODEL,     /* b, c or a */
	R_VARIANT,   /* a service-level variant */
};

/* clang-format off */
#define ERLANG_WORDS(T, A)                                                  \
	T(usage) T(usage_b) T(usage_c) T(usage_a) T(usage_staff)            \
	A(range, R_VARIANT + 1) /* by enum erlang_range */                  \
	T(bad_value) /* option, range sentence, value */                    \
	T(missing) /* option */                                             \
	T(no_value) /* option */                                            \
	T(unknown) /* option */                                             \
	T(unknown_cmd) /* command */                                        \
	T(not_for) /* option, model */                                      \
	T(needs) /* option, option */                                       \
	T(no_target) /* model, the targets it takes */                      \
	T(more_help) /* command */                                          \
	T(unstable) /* agents, Erlangs, agents */                           \
	T(unreachable) /* option, value */                                  \
	T(sl_one) /* option */                                              \
	T(no_shrink) /* value */                                            \
	T(title_b) /* lines, Erlangs */                                     \
	/* agents (staff: the model's letter), contacts, s, AHT, Erlangs */ \
	T(title_c) T(title_a) T(title_staff)                                \
	T(sl_at) A(variants, ERLANG_SL_MAX) /* threshold */                 \
	T(scheduled) /* shrinkage in % */                                   \
	T(patience) T(blocking) T(carried)                                  \
	T(p_wait) T(asa) T(asa_all) T(asa_answered)                         \
	T(abandon) T(occupancy) T(agents) T(lines_needed)
/* clang-format on */

struct erlang_words {
	ERLANG_WORDS(LANG_TEXT, LANG_TEXTS)
	char decimal; /* the decimal mark */
};

/* The texts of lang (words_lang()) into w; they are borrowed (lang.h). */
void erlang_words_load(struct erlang_words *w, const char *lang);

#endif
