/*
 * fuzz_webpath — the web folder's path mapping (webpath_map) on arbitrary
 * bytes: whatever it accepts is a relative path that cannot leave the
 * folder by itself.
 *
 * Aborts when an accepted result starts with '/', holds an empty segment,
 * a segment that starts with '.', a '\' or a byte outside printable
 * ASCII, is longer than WEBPATH_MAX, or when the result's own path ("/"
 * + result) does not map to itself (a second decoding would change it).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/webpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *out)
{
	size_t n = strlen(out);
	const char *seg = out;

	if (!n || n > WEBPATH_MAX || out[0] == '/')
		abort();
	for (const char *p = out; *p; p++) {
		if (*p <= 0x20 || *p >= 0x7f || *p == '\\')
			abort();
		if (*p == '/') {
			if (p == seg || *seg == '.')
				abort();
			seg = p + 1;
		}
	}
	if (!*seg || *seg == '.')
		abort();
	(void)webpath_mime(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[WEBPATH_MAX + 1], again[WEBPATH_MAX + 1],
		path[WEBPATH_MAX + 2];

	if (!webpath_map((const char *)data, size, out, sizeof(out)))
		return 0;
	check(out);
	/* the file's own path names the same file (no %-escapes left that a
	 * second decoding would read) */
	path[0] = '/';
	memcpy(path + 1, out, strlen(out) + 1);
	if (!strchr(out, '%') &&
	    (!webpath_map(path, strlen(path), again, sizeof(again)) ||
	     strcmp(again, out)))
		abort();
	return 0;
}
