/*
 * fuzz_scenario — scenario_parse() (the files of 'relais sim') over
 * arbitrary bytes, with no file reading (path NULL). A refusal must say
 * something; an accepted scenario must be one the simulator can run: at
 * least one queue, a whole number of intervals, agents within the limit,
 * every queue with its arrivals. Nothing is simulated: parsing already
 * builds and checks a real engine from the scenario (sim_check).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/sim_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario *s;
	char msg[512];
	uint64_t agents = 0;

	msg[0] = '\0';
	if (scenario_parse(&s, (const char *)data, size, NULL, msg,
			   sizeof(msg))) {
		if (!msg[0] || s)
			abort();
		return 0;
	}
	if (!s->sc.nqueues || s->sc.interval_ms <= 0 ||
	    s->sc.duration_ms % s->sc.interval_ms || !s->name || !s->reps)
		abort();
	for (size_t i = 0; i < s->sc.nqueues; i++) {
		const struct sim_queue *q = &s->sc.queues[i];

		if (!q->queue.id || !q->arrivals || !q->narrivals)
			abort();
	}
	for (size_t i = 0; i < s->sc.nagents; i++) {
		const struct sim_agent *a = &s->sc.agents[i];

		if (!a->nshifts)
			agents += a->count ? a->count : 1;
		for (size_t j = 0; j < a->nshifts; j++)
			agents += a->shifts[j].count;
	}
	if (agents > SIM_MAX_AGENTS)
		abort();
	scenario_free(s);
	return 0;
}
