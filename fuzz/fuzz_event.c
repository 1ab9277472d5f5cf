/*
 * fuzz_event — the event codec's decoder (event_parse) on rows of a log
 * that could be damaged or imported: the input is the row's type, a tab,
 * and its data.
 *
 * A row it accepts must encode again (event_encode), and that encoding
 * must decode to the same event: decoding then encoding is a fixed point,
 * so what a reader understood is what the log said. Anything else aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ev encodes, and its encoding decodes and encodes to the same JSON. */
static void check(const struct event *ev, const char *type)
{
	struct event back;
	char msg[200];
	json_t *d = event_encode(ev), *again;

	if (!d)
		abort();
	if (event_decode(&back, type, d, msg, sizeof(msg)) ||
	    back.type != ev->type)
		abort();
	again = event_encode(&back);
	if (!again || !json_equal(again, d))
		abort();
	(void)event_queue(&back);
	(void)event_agent(&back);
	json_decref(again);
	json_decref(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *row = malloc(size + 1), *tab, msg[200] = "";
	struct event ev;
	int err;

	if (!row)
		return 0;
	memcpy(row, data, size);
	row[size] = 0;
	tab = strchr(row, '\t');
	if (tab) {
		*tab = 0;
		err = event_parse(&ev, row, tab + 1, msg, sizeof(msg));
		if (!err) {
			check(&ev, row);
			event_release(&ev);
		} else if (err == EINVAL && !msg[0]) {
			abort(); /* a refusal always says why */
		}
	}
	free(row);
	return 0;
}
