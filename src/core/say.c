/*
 * say — see say.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core/say.h"

int say_err(char *msg, size_t size, int rc, const char *fmt, ...)
{
	va_list ap;

	if (msg && size) {
		va_start(ap, fmt);
		vsnprintf(msg, size, fmt, ap);
		va_end(ap);
	}
	return rc;
}
