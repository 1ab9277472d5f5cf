/*
 * whatif_msg — the words of 'relais sim compare' and 'relais sim replay',
 * in French and in English. The templates take strings only (msg_say in
 * msg.h), in the same order in both languages.
 */
#ifndef RELAIS_WHATIF_MSG_H
#define RELAIS_WHATIF_MSG_H

struct whatif_words {
	const char *compare_usage;
	const char *compare_title; /* A, B, replications, seed */
	const char *measure;	   /* a column title */
	const char *compare_nothing;
	const char *whole_number; /* option */
	const char *unexpected;	  /* argument */
	const char *replay_usage;
	const char *no_data;	       /* folder */
	const char *unreadable;	       /* folder */
	const char *bad_day;	       /* value */
	const char *bad_zone;	       /* zone */
	const char *no_match;	       /* day, zone */
	const char *replay_title;      /* day, zone, start, end, scenario */
	const char *replay_count;      /* contacts, skipped */
	const char *replay_reps;       /* replications, seed */
	const char *actual, *replayed; /* column titles */
	const char *actual_only;       /* a note under the table */
	const char *cannot_write;      /* file */
	const char *wrote;	       /* file, agents, queues, contacts */
	char decimal;
};

/* From --lang anywhere in argv, else the environment (msgs_get). */
const struct whatif_words *whatif_words_get(int argc, char **argv);

#endif
