/*
 * sim_replay — what 'relais sim replay' shares with the file of a recorded
 * day (sim_dayfile.c): reading a data folder's configuration and event
 * log, days and zones on the command line, and messages.
 */
#ifndef RELAIS_CLI_SIM_REPLAY_H
#define RELAIS_CLI_SIM_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "cli/whatif_msg.h"
#include "core/engine.h"
#include "core/tz.h"
#include "model/event.h"
#include "store/store.h"

/* "relais sim replay: " and the template with arg; returns rc. */
int replay_fail(const char *tmpl, const char *arg, int rc);

/* YYYY-MM-DD to days since 1970-01-01; -1 if it is not a date. */
int64_t replay_parse_day(const char *s);

/* "UTC" or a tzdata name; NULL if unknown. */
struct tz *replay_zone(const char *name);

/* The UTC instant, in ms, of a local time (seconds since 1970, local). */
int64_t replay_local_ms(const struct tz *tz, int64_t local_s);

/*
 * Opens the data folder dir read-only (the server may run), hands every
 * row of each table of `tables` (NULL-terminated) to its row_h, then the
 * events of q to ev_h. Returns 0, or 1 with the message printed.
 */
int replay_read(const char *dir, const struct store_event_query *q,
		const char *const *tables, store_row_h *const *row_h,
		store_event_h *ev_h, void *arg, const struct whatif_words *w);

/*
 * A contact of the day, as the event log tells it: what its customer did
 * in the first queue it entered. Times in ms; -1 where the log says
 * nothing (not answered, never talked, did not abandon...).
 */
struct day_contact {
	char queue[40];	     /* the first queue it entered (server id) */
	int64_t at;	     /* when it entered it, UTC */
	int64_t waited_ms;   /* answered after that wait */
	int64_t patience_ms; /* abandoned after that wait */
	int64_t talk_ms;     /* its first talk there */
	int64_t ring_ms;     /* last offer to its acceptance */
	int64_t wrap_ms;     /* its first wrap-up there */
	int64_t offered_at;  /* its last offer (0: none yet) */
};

/* The contacts that entered a queue in [from, to), in arrival order. */
struct day_contacts {
	int64_t from, to;
	json_t *index; /* contact id -> index into v */
	struct day_contact *v;
	size_t n, cap;
};

/*
 * A row of the log decoded by the event codec, when it is one of the
 * engine's: 0 with *out to event_release; ENOENT for another type or a
 * damaged row (the replays leave it out); ENOMEM.
 */
int replay_event(const struct store_event *ev, struct event *out);

/*
 * Learns from one contact event (decoded, at time_ms): a
 * contact entering its first queue within the window is added, and the
 * events of a known contact in that queue fill its record. Returns the
 * contact's record, NULL if the event is of no contact of the day, and
 * sets *oom when memory ran out.
 */
struct day_contact *day_contact_event(struct day_contacts *d,
				      const struct event_engine *ee,
				      int64_t time_ms, bool *oom);
void day_contacts_free(struct day_contacts *d);

/*
 * Writes the recorded day [from_ms, from_ms + 24 h) of dir as a scenario
 * file at path: the sites, tenants and queues of the configuration, the
 * agents who worked that day with their login spans as shifts and their
 * pauses as breaks, and per queue the day's arrivals, talk times,
 * wrap-up times and patience. Returns 0, or 1 with the message printed.
 */
int replay_write_day(const char *dir, int64_t from_ms, const char *day,
		     const char *zone, const char *path,
		     const struct whatif_words *w);

#endif
