/*
 * schedule_cli — the parts of `relais schedule`: schedule.c (options,
 * the forecast, solving), schedule_sites.c (the sites file) and
 * schedule_out.c (table, JSON, CSV, SVG) share the run below, and its
 * language (schedule_msg.h): the table, the chart and the messages are in
 * French or English, the JSON and CSV the same in both.
 */
#ifndef RELAIS_SCHEDULE_CLI_H
#define RELAIS_SCHEDULE_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "cli/schedule_msg.h"
#include "cli/words.h"
#include "core/schedule.h"
#include "sys/schedule_ip.h"

/* A site as read from the sites file; the core's view is in run.sites. */
struct sched_site {
	char *id, *kind;     /* owned */
	char **agent;	     /* owned: one name per agent of the head-count */
	unsigned char *open; /* owned: one per slot of the horizon */
};

struct sched_run {
	const struct schedule_words *w; /* static */
	const struct words *cw;		/* static */
	int64_t first_day; /* days since 1970-01-01 of the horizon's day 0 */
	char **group;	   /* owned: group names */
	bool *pool;	   /* owned: per group, queues share agents */
	int *queue_group;  /* owned: per forecast queue */
	struct sched_site *in;	     /* owned, nsites */
	struct schedule_site *sites; /* owned, nsites */
	int *required;		     /* owned: [group * slots + slot] */
	struct schedule_problem p;
	struct schedule_service service;
	struct schedule_ip_opts opts;
	/* results */
	struct schedule_shift *pat; /* owned, npat */
	size_t npat;
	struct schedule_ip_result res;
	struct schedule_roster roster;
	int *covered; /* owned: by the rostered shifts, like required */
};

struct forecast_history;

/*
 * Reads the sites file into r (groups, shape, rules, sites) for the
 * horizon already set in r->first_day and r->p.days, queues named by h.
 * Returns 0, or 1 with the error, naming the field, on stderr.
 */
int sched_load_sites(const char *path, struct sched_run *r,
		     const struct forecast_history *h);

/* The same from the file's text (len bytes); path names it in messages. */
int sched_parse_sites(const char *text, size_t len, const char *path,
		      struct sched_run *r, const struct forecast_history *h);

/* Frees what r owns (not r). */
void sched_run_free(struct sched_run *r);

/* "2026-04-13 08:00" for a slot of the horizon (size >= 20). */
void sched_time(const struct sched_run *r, int slot, char *buf, size_t size);
/* "Mon 2026-04-13" ("lun 2026-04-13") for a day of the horizon (size >=
 * 16): the weekday in the run's language, three letters. */
void sched_day(const struct sched_run *r, int day, char *buf, size_t size);

void sched_print_table(const struct sched_run *r, FILE *f);
/* Returns 0 or ENOMEM. */
int sched_print_json(const struct sched_run *r, FILE *f);
void sched_print_csv(const struct sched_run *r, FILE *f);
void sched_print_svg(const struct sched_run *r, FILE *f);

#endif
