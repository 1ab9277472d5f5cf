/*
 * webpath — the file a URL path names inside the web folder, or none.
 *
 * Pure: no file is touched. The path is percent-decoded once; the result
 * is a relative path of segments made of printable ASCII other than '\',
 * none empty, none starting with '.' (no "..", no hidden file), so it can
 * never name anything outside the folder by itself (symbolic links are
 * the server's to check, webfiles.c). "/" and a path ending in "/" name
 * their index.html. Anything else is refused: encoded NUL, encoded '/'
 * or '.', control and non-ASCII bytes, more than WEBPATH_MAX bytes.
 */
#ifndef RELAIS_WEBPATH_H
#define RELAIS_WEBPATH_H

#include <stdbool.h>
#include <stddef.h>

#define WEBPATH_MAX 256

/*
 * Maps path[0..len) (the request's path, without its query) to out
 * (WEBPATH_MAX + 1 bytes). Returns false when it names no file.
 */
bool webpath_map(const char *path, size_t len, char *out, size_t size);

/*
 * The byte of the %-escape at p (p[0] == '%', left bytes from p on), or
 * -1 when it is not two hex digits. Shared with the query strings.
 */
int webpath_pct(const char *p, size_t left);

/* The MIME type of a file by its extension ("application/octet-stream"
 * when unknown). */
const char *webpath_mime(const char *file);

#endif
