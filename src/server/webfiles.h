/*
 * webfiles — the web folder served at / by `relais serve` (--web DIR):
 * the browser application's files, for a GET or HEAD of a path that no
 * API route has.
 *
 *   - the path is mapped by webpath.c (nothing outside the folder, no
 *     hidden file, no encoded separator or dot, no NUL), and a symbolic
 *     link that leads out of the folder is no file;
 *   - a path without an extension that names no file is a route of the
 *     application: index.html answers it;
 *   - ETag (size and modification time) and If-None-Match -> 304;
 *     vendor/ files are versioned and cached for a year, the others are
 *     revalidated (no-cache);
 *   - FILE.gz is sent instead of FILE (Content-Encoding: gzip) when the
 *     client accepts gzip;
 *   - a Content-Security-Policy on every file: no inline script, nothing
 *     from another origin, no framing.
 */
#ifndef RELAIS_WEBFILES_H
#define RELAIS_WEBFILES_H

#include <stdbool.h>
#include <stddef.h>

struct hreq;
struct srv_module;

/* A module: its state is the folder's real path (--web, when given); its
 * fallback answers a GET or HEAD outside /api/ that no route takes. */
extern const struct srv_module webfiles_module;

/* The real path of the folder dir into out; 0 or an errno value. */
int webfiles_root(const char *dir, char *out, size_t size);

/*
 * Answers r from the folder root (a real path, from webfiles_root) when
 * r is a GET or HEAD outside /api/; false when it is not one (r is then
 * untouched).
 */
bool webfiles_serve(struct hreq *r, const char *root);

#endif
