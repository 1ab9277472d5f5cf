/*
 * readfile — reading a whole input file (a history CSV, a sites file) into
 * memory for a parser that takes a buffer.
 */
#ifndef RELAIS_READFILE_H
#define RELAIS_READFILE_H

#include <stddef.h>

/*
 * Reads path into *bufp (malloc'd, not NUL-terminated; *lenp bytes).
 * Returns 0 or an errno value: ENOENT and the like from fopen, EFBIG past
 * max bytes, ENOMEM, EISDIR (a folder) or EIO.
 */
int file_read_all(const char *path, size_t max, char **bufp, size_t *lenp);

#endif
