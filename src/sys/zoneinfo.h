/*
 * zoneinfo — loads an IANA zone from the system's tzdata.
 *
 * Reads $TZDIR/NAME (default /usr/share/zoneinfo) and parses it with
 * tz_parse(). NAME must look like an IANA name ("Europe/Paris", "UTC"):
 * no "..", no leading "/", only [A-Za-z0-9_+-/].
 */
#ifndef RELAIS_ZONEINFO_H
#define RELAIS_ZONEINFO_H

#include "core/tz.h"

/* Returns 0, EINVAL (bad name or file), ENOENT (unknown zone) or ENOMEM. */
int zoneinfo_load(struct tz **tzp, const char *name);

#endif
