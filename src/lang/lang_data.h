/*
 * lang_data — the catalogs as the build embeds them: lang/<code>.json,
 * byte for byte, in a C source that cmake/embed_lang.cmake generates
 * (lang_data.c in the build folder). Only lang.c reads them.
 */
#ifndef RELAIS_LANG_DATA_H
#define RELAIS_LANG_DATA_H

#include <stddef.h>

struct lang_blob {
	const char *code; /* the file's name: "en", "fr" */
	const char *json; /* its bytes */
	size_t len;
};

extern const struct lang_blob lang_blobs[];
extern const size_t lang_nblobs;

#endif
