/*
 * URL paths to files of the web folder (see webpath.h).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "server/webpath.h"

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

int webpath_pct(const char *p, size_t left)
{
	if (left < 3 || !isxdigit((unsigned char)p[1]) ||
	    !isxdigit((unsigned char)p[2]))
		return -1;
	return hexval(p[1]) * 16 + hexval(p[2]);
}

/* A byte a file name of ours may hold once decoded. */
static bool name_byte(int c)
{
	return c > 0x20 && c < 0x7f && c != '\\' && c != '%';
}

/* Checks the segment that ends at out[j] (exclusive), started at s. */
static bool segment_ok(const char *out, size_t s, size_t j)
{
	return j > s && out[s] != '.';
}

bool webpath_map(const char *path, size_t len, char *out, size_t size)
{
	size_t j = 0, seg = 0;

	if (!len || path[0] != '/' || size < WEBPATH_MAX + 1)
		return false;
	for (size_t i = 1; i < len; i++) {
		int c = (unsigned char)path[i];

		if (c == '%') {
			c = webpath_pct(path + i, len - i);
			if (c < 0)
				return false;
			i += 2;
			/* an encoded separator or dot is never ours */
			if (c == '/' || c == '.' || !name_byte(c))
				return false;
		} else if (c == '/') {
			if (!segment_ok(out, seg, j) || j + 1 >= WEBPATH_MAX)
				return false;
			out[j++] = '/';
			seg = j;
			continue;
		} else if (!name_byte(c)) {
			return false;
		}
		if (j + 1 >= WEBPATH_MAX)
			return false;
		out[j++] = (char)c;
	}
	if (j == seg) { /* "/" or "dir/": the folder's index */
		static const char index[] = "index.html";

		if (j + sizeof(index) > WEBPATH_MAX)
			return false;
		memcpy(out + j, index, sizeof(index));
		return true;
	}
	out[j] = '\0';
	return segment_ok(out, seg, j);
}

const char *webpath_mime(const char *file)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{"html", "text/html; charset=utf-8"},
		{"js", "text/javascript; charset=utf-8"},
		{"mjs", "text/javascript; charset=utf-8"},
		{"css", "text/css; charset=utf-8"},
		{"json", "application/json"},
		{"map", "application/json"},
		{"svg", "image/svg+xml"},
		{"png", "image/png"},
		{"ico", "image/x-icon"},
		{"woff2", "font/woff2"},
		{"txt", "text/plain; charset=utf-8"},
		{"yaml", "text/plain; charset=utf-8"},
		{"wav", "audio/wav"},
	};
	const char *dot = strrchr(file, '.'), *slash = strrchr(file, '/');

	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcasecmp(dot + 1, types[i].ext))
				return types[i].type;
	return "application/octet-stream";
}
