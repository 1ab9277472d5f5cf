/*
 * sim_scenario — reads a scenario file (JSON, docs/wfm.md "Simulation")
 * into the simulator's structs, refusing bad files with one message that
 * names the field ("queues[1].steps[0].filter: ...").
 */
#ifndef RELAIS_CLI_SIM_SCENARIO_H
#define RELAIS_CLI_SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sim.h"

struct scenario {
	struct sim_scenario sc;	  /* everything it points to is owned here */
	const char *name;	  /* the file's "name", or its path */
	int start_min;		  /* local time of t = 0, minutes */
	unsigned reps;		  /* "replications" (default 10) */
	uint64_t seed;		  /* "seed" (default 1) */
	const char **queue_names; /* each queue's "name", or NULL */
	struct scenario_mem *mem;
};

/* Returns 0, or 1 with msg filled (unreadable, invalid, inconsistent). */
int scenario_load(struct scenario **sp, const char *path, char *msg,
		  size_t size);

/*
 * The same from the file's text (len bytes): path names it in messages,
 * and the files it names (arrivals_csv, forecast_csv) are read relative
 * to path's folder. With path NULL no file is read: a scenario naming one
 * is refused (the fuzzer's case).
 */
int scenario_parse(struct scenario **sp, const char *text, size_t len,
		   const char *path, char *msg, size_t size);
void scenario_free(struct scenario *s);

#endif
