/*
 * fuzz_lang — Accept-Language values (lang_accept) on arbitrary bytes, read
 * by length with no NUL after them (ASan catches a read past the end).
 *
 * Aborts unless the answer is one of the catalogs' codes, or when a value
 * and the same value after a comma and blanks ("x" and ", x") differ.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_code(const char *code)
{
	for (size_t i = 0; i < lang_count(); i++)
		if (code == lang_code(i))
			return;
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size), *pre = malloc(size + 3);
	const char *a, *b;

	if (!copy || !pre)
		abort();
	memcpy(copy, data, size);
	memcpy(pre, ", \t", 3);
	memcpy(pre + 3, data, size);
	a = lang_accept(copy, size);
	b = lang_accept(pre, size + 3);
	check_code(a);
	if (a != b)
		abort();
	free(copy);
	free(pre);
	return 0;
}
