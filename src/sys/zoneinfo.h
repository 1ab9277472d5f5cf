/*
 * zoneinfo — loads an IANA zone from the system's tzdata.
 *
 * Reads $TZDIR/NAME (default /usr/share/zoneinfo) and parses it with
 * tz_parse(). Only canonical IANA names are taken, meaning:
 * - the shape: segments of [A-Za-z0-9_+-] joined by single '/' (no '.',
 *   no "//", no leading or trailing '/');
 * - declared by $TZDIR/tzdata.zi as a zone ("Z Europe/Paris") or a link
 *   ("L Etc/UTC UTC", "L America/New_York US/Eastern"): the names tzdata
 *   promises to keep. Links are taken because tzdata turns zones into
 *   links as countries' clocks merge (Europe/Kiev became a link in 2022);
 * - not "Factory" (tzdata's "zone not set", whose abbreviation is -00).
 * So "localtime", "posixrules", "posix/Europe/Paris" and "right/UTC",
 * which are files of the system's zoneinfo but not IANA names, are
 * refused. Without tzdata.zi (tzdata older than 2018) no name is taken.
 */
#ifndef RELAIS_ZONEINFO_H
#define RELAIS_ZONEINFO_H

#include "core/tz.h"

/* Returns 0, EINVAL (bad name or file), ENOENT (unknown zone) or ENOMEM. */
int zoneinfo_load(struct tz **tzp, const char *name);

/* Whether name is canonical: 0, EINVAL (not the shape), ENOENT (not
 * declared by tzdata.zi) or EIO (tzdata.zi unreadable). */
int zoneinfo_check(const char *name);

#endif
