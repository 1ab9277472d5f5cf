/*
 * zoneinfo — the bytes of $TZDIR/NAME for tz_parse().
 *
 * The name is checked before it touches the file system, so a zone name
 * taken from a configuration or an API request cannot leave TZDIR. Files
 * are read whole; tzdata's biggest is under 4 KiB, anything above 1 MiB is
 * not a zone and is refused without being read.
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

/* [A-Za-z0-9_+-/], no leading '/'; without '.', ".." cannot appear. */
static bool name_ok(const char *name)
{
	size_t i, len = strnlen(name, ZONE_NAME_MAX + 1);

	if (!len || len > ZONE_NAME_MAX || name[0] == '/')
		return false;
	for (i = 0; i < len; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr("_+-/", ch)))
			return false;
	}
	return true;
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

int zoneinfo_load(struct tz **tzp, const char *name)
{
	const char *dir = getenv("TZDIR");
	char path[PATH_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	int fd, n, err;

	if (!name || !name_ok(name))
		return EINVAL;
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return EINVAL;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR ? ENOENT : errno;
	err = read_all(fd, &buf, &len);
	close(fd);
	if (err)
		return err;
	err = tz_parse(tzp, buf, len);
	free(buf);
	return err;
}
