/*
 * say — the core's error messages: a printf into the caller's buffer,
 * when it gave one, and the error code to return.
 */
#ifndef RELAIS_SAY_H
#define RELAIS_SAY_H

#include <stddef.h>

/* Formats into msg (size bytes) when msg && size; returns rc. */
int say_err(char *msg, size_t size, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
