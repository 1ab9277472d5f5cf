/*
 * fuzz_sites — sched_parse_sites() (the sites file of 'relais schedule')
 * over arbitrary bytes, for a week's horizon of a forecast with queues
 * "billing" and "support" (examples/schedule-sites.json names them). A
 * refusal is printed (stderr: run with -close_fd_mask=2 to hush it); an
 * accepted file must give the core a problem it can take: at least one
 * group and one site, every forecast queue in a group, head-counts and
 * costs within range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/schedule_cli.h"
#include "cli/schedule_msg.h"
#include "core/forecast_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct forecast_history *history(void)
{
	static const char csv[] = "start,queue,offered\n"
				  "2026-04-13 08:00,billing,10\n"
				  "2026-04-13 08:00,support,5\n"
				  "2026-04-19 20:00,billing,3\n";
	static struct forecast_history *h;
	struct forecast_csv_error err;

	if (!h && forecast_csv_parse(&h, csv, sizeof(csv) - 1, NULL, &err))
		abort();
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct forecast_history *h = history();
	struct schedule_words w;
	struct words cw;
	struct sched_run r = {.w = &w, .cw = &cw};

	schedule_words_load(&w, "en");
	words_load(&cw, "en");
	r.first_day = h->rows[0].day;
	r.p.days = 7;
	schedule_shape_default(&r.p.shape);
	if (!sched_parse_sites((const char *)data, size, "fuzz", &r, h)) {
		if (r.p.ngroups < 1 || r.p.nsites < 1 || !r.queue_group)
			abort();
		for (size_t q = 0; q < h->nqueues; q++)
			if (r.queue_group[q] < 0 ||
			    r.queue_group[q] >= r.p.ngroups)
				abort();
		for (int s = 0; s < r.p.nsites; s++)
			if (r.sites[s].agents < 0 ||
			    !(r.sites[s].cost_per_hour >= 0))
				abort();
	}
	sched_run_free(&r);
	return 0;
}
