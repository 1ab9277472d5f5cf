/*
 * fuzz_tz — tz_parse() over arbitrary bytes; when the first byte is '#',
 * tz_parse_posix() over the rest as a string.
 *
 * A zone that parses is queried where arithmetic is most fragile: the
 * int64 extremes, both ends of the supported range (TZ_UTC_MIN..MAX,
 * years -9999..9999, clamped beyond) and both sides of its first
 * transitions. The results must stay in their documented ranges, and
 * tz_next_transition() must move forward; anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/tz.h"

#define MAX_RULE 256
#define STEPS	 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_local(const struct tz *tz, int64_t t)
{
	struct tz_local lt;

	tz_local(tz, t, &lt);
	if (lt.year < -10000 || lt.year > 10000 || lt.month < 1 ||
	    lt.month > 12 || lt.day < 1 || lt.day > 31 || lt.hour < 0 ||
	    lt.hour > 23 || lt.min < 0 || lt.min > 59 || lt.sec < 0 ||
	    lt.sec > 59 || lt.wday < 0 || lt.wday > 6 ||
	    lt.offset_s != tz_offset(tz, t) || lt.offset_s < -93600 ||
	    lt.offset_s > 93600)
		abort();
}

static void query(const struct tz *tz)
{
	static const int64_t edges[] = {
		INT64_MIN,
		INT64_MIN + 1,
		TZ_UTC_MIN - 1,
		TZ_UTC_MIN,
		-1,
		0,
		1,
		TZ_UTC_MAX,
		TZ_UTC_MAX + 1,
		INT64_MAX - 1,
		INT64_MAX,
	};
	int64_t t, next;
	size_t i;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		check_local(tz, edges[i]);
	t = INT64_MIN;
	for (i = 0; i < STEPS; i++) {
		next = tz_next_transition(tz, t);
		if (next == INT64_MAX)
			break;
		if (next <= t || next > TZ_UTC_MAX)
			abort();
		check_local(tz, next - 1);
		check_local(tz, next);
		t = next;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char rule[MAX_RULE];
	struct tz *tz = NULL;
	int err;

	if (size && data[0] == '#') {
		if (size - 1 >= sizeof(rule))
			return 0;
		memcpy(rule, data + 1, size - 1);
		rule[size - 1] = '\0';
		err = tz_parse_posix(&tz, rule);
	} else {
		err = tz_parse(&tz, data, size);
	}
	if (!err) {
		query(tz);
		tz_free(tz);
	}
	return 0;
}
