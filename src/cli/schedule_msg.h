/*
 * schedule_msg — the words of 'relais schedule', in French and in
 * English: usage, errors (those of the sites file name its fields as the
 * file spells them), the table, the sparkline legend and the SVG chart.
 * Templates as in words.h (each %s takes the next argument). The JSON and
 * CSV outputs have no words here: they are the same in both languages.
 */
#ifndef RELAIS_SCHEDULE_MSG_H
#define RELAIS_SCHEDULE_MSG_H

struct schedule_words {
	const char *usage;
	const char *forecast_file, *sites_file; /* when missing */
	const char *no_intervals;		/* file */
	const char *too_long;			/* file, days */
	const char *no_aht;			/* file, queue, time */
	const char *staffing;			/* file, message */
	const char *progress; /* seconds, best, bound, gap, "N nodes" */
	const char *unassigned_warn[2]; /* shifts: one, more */
	/* the sites file: file, field, what */
	const char *field_error;
	const char *expected; /* what it must be */
	const char *object, *unknown_key, *true_false, *queue_list;
	const char *max_groups, *queue_names, *queue_twice, *groups_object;
	const char *queue_in_no_group, *hours, *days_list, *day_names;
	const char *group_list, *no_group, *head_count, *names, *name;
	const char *missing, *site_list;
	/* the table */
	const char *status[3]; /* by enum schedule_ip_status */
	const char *days[2], *sites[2], *groups[2], *intervals[2];
	const char *agents[2], *nodes[2];
	const char *title; /* first day, last day, days, sites, groups */
	const char *staffing_head; /* model, SL %, threshold */
	const char *patience;	   /* seconds */
	const char *occupancy;	   /* % */
	const char *shrinkage;	   /* % */
	const char *solver; /* status, s, gap %, columns, rows, "N nodes",
			       extra */
	const char *heuristic;
	const char *rounds; /* solves, seconds */
	const char
		*site_head[7]; /* site, kind, agents, used, shifts, h, cost */
	const char *total;
	const char *coverage; /* group, required, scheduled, under, intervals,
				 over */
	const char *legend;
	const char *mark_required, *mark_scheduled; /* one letter each */
	const char *roster;			    /* site */
	const char *agent, *hours_head;
	const char *idle; /* "N agents" */
	const char *unassigned;
	const char *svg_title; /* after the group's name: agent-hours short */
	const char *wdays[7];  /* Monday first */
};

/* "fr" or "en", as words_lang() chose. */
const struct schedule_words *schedule_words_get(const char *lang);

#endif
