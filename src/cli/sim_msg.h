/*
 * sim_msg — the words of 'relais sim' (scenario runs and 'sim mmn'), in
 * French and in English: usage, errors, the progress line, the tables and
 * the SVG chart's title. Templates as in words.h (each %s takes the next
 * argument). The JSON and CSV outputs have no words here: they are the
 * same in both languages.
 */
#ifndef RELAIS_SIM_MSG_H
#define RELAIS_SIM_MSG_H

#define SIM_MMN_ROWS 7

struct sim_words {
	const char *usage;
	const char *no_scenario;
	const char *progress;	  /* replication, of, percent, seconds */
	const char *refused[2];	  /* engine commands: one, more */
	const char *reps[2];	  /* replication, replications */
	const char *intervals[2]; /* interval, intervals */
	const char *callbacks[2], *voicemails[2], *closed[2];
	/* sim mmn */
	const char *mmn_title;	   /* agents, +M, calls, interval s, AHT s */
	const char *mmn_patience;  /* s */
	const char *mmn_threshold; /* s */
	const char *mmn_runs;	   /* "N replications", seed, contacts */
	const char *mmn_head[3];   /* measure, mean, 95% CI */
	const char *mmn_labels[SIM_MMN_ROWS];
	const char *unstable; /* Erlangs, agents */
	/* a scenario */
	const char *title;	/* name, "N replications", seed, "N
				   intervals", s */
	const char *warmup;	/* s */
	const char *offered;	/* contacts */
	const char *unresolved; /* contacts */
	const char *legend;
	const char *queue, *tenant;    /* first column of the contacts table */
	const char *contacts_head[6];  /* offered ... AHT */
	const char *sites_head[6];     /* site, agents ... per contact */
	const char *centre_row;	       /* the sites table's total */
	const char *intervals_head[7]; /* centre, offered ... occupancy */
	const char *svg_title;	       /* after the scenario's name */
};

/* "fr" or "en", as words_lang() chose. */
const struct sim_words *sim_words_get(const char *lang);

#endif
