/*
 * fuzz_attachment_name — an uploaded file's name (the ?name= of POST
 * /api/v1/contacts/{id}/attachments, any bytes) through the check that
 * takes it (attachments_name_ok) and the Content-Disposition header that
 * serves it back (attachments_disposition).
 *
 * Aborts when an accepted name is empty, longer than 255 bytes or holds a
 * control byte, '/' or '\', or when its header value holds anything but
 * RFC 5987's attr-chars and %XX escapes (a CR, LF, quote or ';' would
 * split or extend the header), says a wrong length, or does not decode
 * back to the name.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/attachments.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char head[] = "attachment; filename*=UTF-8''";

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The value after head decodes to name, byte for byte. */
static void check_value(const char *v, const char *name)
{
	size_t k = 0;

	for (const char *p = v; *p; p++, k++) {
		int hi, lo;
		char c = *p;

		if (c == '%') {
			hi = hexval(p[1]);
			lo = hi < 0 ? -1 : hexval(p[2]);
			if (lo < 0)
				abort();
			c = (char)(hi * 16 + lo);
			p += 2;
		} else if (!strchr("!#$&+-.^_`|~", c) &&
			   !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9'))) {
			abort();
		}
		if (name[k] != c)
			abort();
	}
	if (name[k])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = malloc(size + 1), out[1024];
	size_t n;

	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = 0;
	if (attachments_name_ok(name)) {
		n = strlen(name);
		if (!n || n > 255 || strpbrk(name, "/\\\r\n"))
			abort();
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)name[i] < 0x20 ||
			    (unsigned char)name[i] == 0x7f)
				abort();
		if (attachments_disposition(name, out, sizeof(out)) !=
		    strlen(out))
			abort();
		if (strncmp(out, head, sizeof(head) - 1))
			abort();
		check_value(out + sizeof(head) - 1, name);
	}
	free(name);
	return 0;
}
