/*
 * fuzz_forecast_csv — forecast_csv_parse() over arbitrary bytes, read in
 * UTC when the input has an even length and in Europe/Paris (a POSIX rule)
 * when odd. A parse error must name a line of the input and say
 * something; parsed rows must hold what the header promises (an interval
 * of the day, a known queue, finite non-negative numbers). The first
 * queues are then gathered into days and, when short, forecast, so the
 * whole path from bytes to intervals runs.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/forecast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rows(const struct forecast_history *h)
{
	for (size_t i = 0; i < h->nqueues; i++) {
		size_t n = strlen(h->queues[i]);

		if (!n || n > 64)
			abort();
		for (size_t k = 0; k < n; k++) {
			if ((unsigned char)h->queues[i][k] < 0x20)
				abort();
		}
	}
	for (size_t i = 0; i < h->nrows; i++) {
		const struct forecast_row *r = &h->rows[i];

		if (r->slot >= FORECAST_SLOTS || r->queue >= h->nqueues ||
		    !(r->offered >= 0 && r->offered <= 1e9) ||
		    (!isnan(r->aht_s) && !(r->aht_s >= 0 && r->aht_s <= 1e9)) ||
		    (!h->has_aht && !isnan(r->aht_s)))
			abort();
	}
}

static void forecast_queue(const struct forecast_history *h, uint32_t q)
{
	struct forecast_opts o = {.days = 3};
	struct forecast_series *s = NULL;
	struct forecast *f = NULL;
	char msg[256];

	if (forecast_series_build(&s, h, q, msg, sizeof(msg)))
		return;
	if (s->ndays <= 42 && !forecast_run(&f, s, &o, msg, sizeof(msg))) {
		for (size_t k = 0; k < 3 * FORECAST_SLOTS; k++) {
			if (!(f->interval[k] >= 0))
				abort();
		}
		forecast_free(f);
	}
	forecast_series_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tz *paris;
	struct forecast_history *h = NULL;
	struct forecast_csv_error e;
	size_t lines = 1;
	int err;

	if (!paris && tz_parse_posix(&paris, "CET-1CEST,M3.5.0,M10.5.0/3"))
		abort();
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r';
	err = forecast_csv_parse(&h, (const char *)data, size,
				 size % 2 ? paris : NULL, &e);
	if (err) {
		if (h || (err != EINVAL && err != ENOMEM) || !e.line ||
		    e.line > lines || !e.msg[0] ||
		    !memchr(e.msg, '\0', sizeof(e.msg)))
			abort();
		return 0;
	}
	check_rows(h);
	for (uint32_t q = 0; q < h->nqueues && q < 2; q++)
		forecast_queue(h, q);
	forecast_history_free(h);
	return 0;
}
