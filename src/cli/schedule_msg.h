/*
 * schedule_msg — the words of 'relais schedule', in French and in
 * English: usage, errors (those of the sites file name its fields as the
 * file spells them), the table, the sparkline legend and the SVG chart.
 * Templates as in words.h (each %s takes the next argument). The JSON and
 * CSV outputs have no words here: they are the same in both languages.
 *
 * The texts are in the catalogs (lang/<code>.json, lang.h): member m of
 * the list below has the id "schedule.m" ("schedule.m.0"... for an array).
 */
#ifndef RELAIS_SCHEDULE_MSG_H
#define RELAIS_SCHEDULE_MSG_H

#include "lang/lang.h"

/* clang-format off */
#define SCHEDULE_WORDS(T, A)                                                 \
	T(usage)                                                             \
	T(forecast_file) T(sites_file) /* when missing */                    \
	T(no_intervals) /* file */                                           \
	T(too_long) /* file, days */                                         \
	T(no_aht) /* file, queue, time */                                    \
	T(staffing) /* file, message */                                      \
	T(progress) /* seconds, best, bound, gap, "N nodes" */               \
	A(unassigned_warn, 2) /* shifts: one, more */                        \
	/* the sites file: file, field, what */                              \
	T(field_error)                                                       \
	T(expected) /* what it must be */                                    \
	T(object) T(unknown_key) T(true_false) T(queue_list)                 \
	T(max_groups) T(queue_names) T(queue_twice) T(groups_object)         \
	T(queue_in_no_group) T(hours) T(days_list) T(day_names)              \
	T(group_list) T(no_group) T(head_count) T(names) T(name)             \
	T(missing) T(site_list)                                              \
	/* the table */                                                      \
	A(status, 3) /* by enum schedule_ip_status */                        \
	A(days, 2) A(sites, 2) A(groups, 2) A(intervals, 2)                  \
	A(agents, 2) A(nodes, 2)                                             \
	T(title) /* first day, last day, days, sites, groups */              \
	T(staffing_head) /* model, SL %, threshold */                        \
	T(patience) /* seconds */                                            \
	T(occupancy) /* % */                                                 \
	T(shrinkage) /* % */                                                 \
	T(solver) /* status, s, gap %, columns, rows, "N nodes", extra */    \
	T(heuristic)                                                         \
	T(rounds) /* solves, seconds */                                      \
	A(site_head, 7) /* site, kind, agents, used, shifts, h, cost */      \
	T(total)                                                             \
	T(coverage) /* group, required, scheduled, under, intervals, over */ \
	T(legend)                                                            \
	T(mark_required) T(mark_scheduled) /* one letter each */             \
	T(roster) /* site */                                                 \
	T(agent) T(hours_head)                                               \
	T(idle) /* "N agents" */                                             \
	T(unassigned)                                                        \
	T(svg_title) /* after the group's name: agent-hours short */         \
	A(wdays, 7) /* Monday first */
/* clang-format on */

struct schedule_words {
	SCHEDULE_WORDS(LANG_TEXT, LANG_TEXTS)
};

/* The texts of lang (words_lang()) into w; they are borrowed (lang.h). */
void schedule_words_load(struct schedule_words *w, const char *lang);

#endif
