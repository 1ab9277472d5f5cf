/*
 * erlang_msg — the words of 'relais erlang', in French and in English:
 * usage texts, error templates (each %s takes the next argument, %% is a
 * percent sign; they are not printf formats) and table labels.
 */
#ifndef RELAIS_ERLANG_MSG_H
#define RELAIS_ERLANG_MSG_H

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

struct erlang_words {
	const char *usage, *usage_b, *usage_c, *usage_a, *usage_staff;
	const char *range[R_VARIANT + 1]; /* by enum erlang_range */
	const char *bad_value;		  /* option, range sentence, value */
	const char *missing;		  /* option */
	const char *no_value;		  /* option */
	const char *unknown;		  /* option */
	const char *unknown_cmd;	  /* command */
	const char *not_for;		  /* option, model */
	const char *needs;		  /* option, option */
	const char *no_target;		  /* model, the targets it takes */
	const char *more_help;		  /* command */
	const char *unstable;		  /* agents, Erlangs, agents */
	const char *unreachable;	  /* option, value */
	const char *sl_one;		  /* option */
	const char *no_shrink;		  /* value */
	const char *title_b;		  /* lines, Erlangs */
	/* agents (staff: the model's letter), contacts, s, AHT, Erlangs */
	const char *title_c, *title_a, *title_staff;
	const char *sl_at, *variants[ERLANG_SL_MAX]; /* threshold */
	const char *scheduled;			     /* shrinkage in % */
	const char *patience, *blocking, *carried;
	const char *p_wait, *asa, *asa_all, *asa_answered;
	const char *abandon, *occupancy, *agents, *lines_needed;
	char decimal; /* the decimal mark */
};

/* "fr" or "en", as msgs_get() chose from --lang or the environment. */
const struct erlang_words *erlang_words_get(const char *lang);

#endif
