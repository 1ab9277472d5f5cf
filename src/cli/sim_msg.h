/*
 * sim_msg — the words of 'relais sim' (scenario runs and 'sim mmn'), in
 * French and in English: usage, errors, the progress line, the tables and
 * the SVG chart's title. Templates as in words.h (each %s takes the next
 * argument). The JSON and CSV outputs have no words here: they are the
 * same in both languages.
 *
 * The texts are in the catalogs (lang/<code>.json, lang.h): member m of
 * the list below has the id "sim.m" ("sim.m.0"... for an array).
 */
#ifndef RELAIS_SIM_MSG_H
#define RELAIS_SIM_MSG_H

#include "lang/lang.h"

#define SIM_MMN_ROWS 7

/* clang-format off */
#define SIM_WORDS(T, A)                                               \
	T(usage)                                                      \
	T(no_scenario)                                                \
	T(progress) /* replication, of, percent, seconds */           \
	A(refused, 2) /* engine commands: one, more */                \
	A(reps, 2) /* replication, replications */                    \
	A(intervals, 2) /* interval, intervals */                     \
	A(callbacks, 2) A(voicemails, 2) A(closed, 2)                 \
	/* sim mmn */                                                 \
	T(mmn_title) /* agents, +M, calls, interval s, AHT s */       \
	T(mmn_patience) /* s */                                       \
	T(mmn_threshold) /* s */                                      \
	T(mmn_runs) /* "N replications", seed, contacts */            \
	A(mmn_head, 3) /* measure, mean, 95% CI */                    \
	A(mmn_labels, SIM_MMN_ROWS)                                   \
	T(unstable) /* Erlangs, agents */                             \
	/* a scenario */                                              \
	T(title) /* name, "N replications", seed, "N intervals", s */ \
	T(warmup) /* s */                                             \
	T(offered) /* contacts */                                     \
	T(unresolved) /* contacts */                                  \
	T(legend)                                                     \
	T(queue) T(tenant) /* first column of the contacts table */   \
	A(contacts_head, 6) /* offered ... AHT */                     \
	A(sites_head, 6) /* site, agents ... per contact */           \
	T(centre_row) /* the sites table's total */                   \
	A(intervals_head, 7) /* centre, offered ... occupancy */      \
	T(svg_title) /* after the scenario's name */
/* clang-format on */

struct sim_words {
	SIM_WORDS(LANG_TEXT, LANG_TEXTS)
};

/* The texts of lang (words_lang()) into w; they are borrowed (lang.h). */
void sim_words_load(struct sim_words *w, const char *lang);

#endif
