/*
 * zoneinfo — the bytes of $TZDIR/NAME for tz_parse().
 *
 * The name is checked before it touches the file system, so a zone name
 * taken from a configuration or an API request cannot leave TZDIR, and it
 * must be one that tzdata itself declares (see zoneinfo.h). Files are read
 * whole; tzdata's biggest zone is under 4 KiB and tzdata.zi about 110 KiB;
 * anything above 1 MiB is refused without being read. A check reads
 * tzdata.zi (a linear scan, about 0.1 ms): zones are loaded when a
 * configuration is validated or a cache is filled, not per event.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/zoneinfo.h"

#define ZONE_MAX_BYTES (1024 * 1024)
#define ZONE_NAME_MAX  128
#define ZONE_LIST      "tzdata.zi"

/*
 * Segments of [A-Za-z0-9_+-] joined by single slashes: the shape of every
 * IANA name. Without '.' or an empty segment, the name cannot leave TZDIR
 * ("..", "/etc") nor be spelt two ways ("Europe//Paris").
 */
static bool name_ok(const char *name)
{
	size_t i, len = strnlen(name, ZONE_NAME_MAX + 1);
	bool seg_start = true;

	if (!len || len > ZONE_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char ch = name[i];

		if (ch == '/') {
			if (seg_start)
				return false;
			seg_start = true;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr("_+-", ch)))
			return false;
		seg_start = false;
	}
	return !seg_start;
}

/* Reads all of fd (a regular file of at most ZONE_MAX_BYTES). */
static int read_all(int fd, uint8_t **bufp, size_t *lenp)
{
	struct stat st;
	uint8_t *buf;
	size_t len = 0;
	ssize_t n;
	int err = 0;

	if (fstat(fd, &st))
		return errno;
	if (!S_ISREG(st.st_mode))
		return ENOENT;
	if (st.st_size > ZONE_MAX_BYTES)
		return EINVAL;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return ENOMEM;
	while (len < (size_t)st.st_size) {
		n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			goto out;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	*bufp = buf;
	*lenp = len;
out:
	if (err)
		free(buf);
	return err;
}

/* Reads the regular file DIR/NAME whole. */
static int read_file(const char *dir, const char *name, uint8_t **bufp,
		     size_t *lenp)
{
	char path[PATH_MAX];
	int fd, n, err;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR ? ENOENT : errno;
	err = read_all(fd, bufp, lenp);
	close(fd);
	return err;
}

/* The n-th space-separated word of a line is name. */
static bool word_is(const char *line, const char *end, int n, const char *name)
{
	size_t len = strlen(name);

	for (; n > 0 && line < end; n--) {
		line = memchr(line, ' ', (size_t)(end - line));
		if (!line)
			return false;
		line++;
	}
	return (size_t)(end - line) >= len && !memcmp(line, name, len) &&
	       (line + len == end || line[len] == ' ');
}

/*
 * Whether tzdata.zi (all of tzdata in one file, as zic reads it) declares
 * name: "Z NAME ..." for a zone, "L TARGET NAME" for a link. What lies in
 * TZDIR without being declared there is the system's, not IANA's:
 * "localtime", "posixrules", the "posix/" and "right/" trees.
 */
static int declared(const char *dir, const char *name)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	const char *p, *end, *eol;
	int err = read_file(dir, ZONE_LIST, &buf, &len);

	if (err)
		return err == ENOENT ? ENOENT : EIO;
	err = ENOENT;
	end = (const char *)buf + len;
	for (p = (const char *)buf; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((p[0] == 'Z' && word_is(p, eol, 1, name)) ||
		    (p[0] == 'L' && word_is(p, eol, 2, name))) {
			err = 0;
			break;
		}
	}
	free(buf);
	return err;
}

int zoneinfo_check(const char *name)
{
	const char *dir = getenv("TZDIR");

	if (!name || !name_ok(name))
		return EINVAL;
	/* a zone of tzdata.zi, but one that means "not set yet" (-00) */
	if (!strcmp(name, "Factory"))
		return ENOENT;
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	return declared(dir, name);
}

int zoneinfo_load(struct tz **tzp, const char *name)
{
	const char *dir = getenv("TZDIR");
	uint8_t *buf = NULL;
	size_t len = 0;
	int err = zoneinfo_check(name);

	if (err)
		return err;
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	err = read_file(dir, name, &buf, &len);
	if (err)
		return err;
	err = tz_parse(tzp, buf, len);
	free(buf);
	return err;
}
