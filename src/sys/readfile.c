#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "sys/readfile.h"

int file_read_all(const char *path, size_t max, char **bufp, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, n;
	int err = 0;

	if (!f)
		return errno;
	errno = 0;
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			nb = cap <= max ? realloc(buf, cap) : NULL;
			if (!nb) {
				err = cap <= max ? ENOMEM : EFBIG;
				break;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (!err && ferror(f))
		err = errno ? errno : EIO; /* EISDIR for a folder */
	fclose(f);
	if (err) {
		free(buf);
		return err;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}
